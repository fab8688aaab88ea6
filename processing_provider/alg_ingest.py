"""``minesar:importunwrapped`` — unwrapped interferograms made elsewhere into a MineSAR stack."""
from __future__ import annotations

from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterFile,
                       QgsProcessingParameterMultipleLayers, QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterDestination)

from ..algorithms import ingest
from .base import MineSARAlgorithm, tr


class ImportUnwrappedAlgorithm(MineSARAlgorithm):
    """Import HyP3, LiCSAR or plain GeoTIFF unwrapped interferograms."""

    ALG_ID = "importunwrapped"
    DISPLAY_NAME = "Import unwrapped interferograms"
    GROUP_ID = "1_stack"
    NEEDS_NUMBA = False
    HELP = (
        "Builds a self-describing unwrapped interferogram stack (MINESAR_KIND=unwrapped, radians, one band per "
        "pair YYYYMMDD_YYYYMMDD) and a matching coherence stack from interferograms unwrapped elsewhere, ready "
        "for the SBAS stage.\n\n"
        "Recognised inputs (a folder searched recursively, or files): ASF HyP3 GAMMA products "
        "(<name>_unw_phase.tif, <name>_corr.tif and the <name>.txt metadata, which gives the perpendicular "
        "baseline, heading, slant range, looks and the incidence angle); LiCSAR frames "
        "(GEOC/d1_d2/d1_d2.geo.unw.tif and .geo.cc.tif); plain GeoTIFFs whose names contain a pair "
        "YYYYMMDD_YYYYMMDD or YYYYMMDD-YYYYMMDD (names with cc, coh or corr are coherence). All rasters must "
        "share one grid. Pixels equal to NODATA (default 0, as GAMMA and HyP3 write) become NaN.\n\n"
        "PHASE_SIGN multiplies the phase. MineSAR's convention (reference x conj(secondary), positive phase = "
        "motion away from the satellite, d = -wavelength/(4 pi) x phase) is that of GAMMA, HyP3, LiCSAR and "
        "MintPy: keep 1. Use -1 for products whose positive phase means motion toward the satellite. PyRate's "
        "signal_polarity -1 corresponds to PHASE_SIGN 1 (PyRate converts radians to mm without the minus sign "
        "and divides by signal_polarity).\n\n"
        "Perpendicular baselines (m) come from the HyP3 metadata or from GAMMA *_bperp.par files in "
        "BASELINE_FOLDER (mean of the bperp column, or, when the folder also holds the GAMMA lookup table "
        "*.lt of this grid, the value where the crop lies in the swath, together with the local incidence "
        "and slant range); per-date baselines are solved by least squares relative "
        "to the first date. Geometry values left empty are taken from the metadata (HyP3 .txt, PyRate "
        "GeoTIFF tags) or the Sentinel-1 defaults."
        "\n\nReferences: Hogenson et al. (2020), ASF HyP3 on-demand InSAR products; Lazecký et al. (2020), LiCSAR, Remote Sensing 12(15):2430; Garthwaite et al. (2019), PyRate (signal_polarity convention)."
    )

    INPUT_FOLDER = "INPUT_FOLDER"
    INPUT_FILES = "INPUT_FILES"
    FORMAT = "FORMAT"
    PHASE_SIGN = "PHASE_SIGN"
    NODATA = "NODATA"
    BASELINE_FOLDER = "BASELINE_FOLDER"
    OUTPUT = "OUTPUT"
    OUTPUT_COHERENCE = "OUTPUT_COHERENCE"

    _GEOMETRY = (("WAVELENGTH", "wavelength_m"), ("INCIDENCE", "incidence_deg"), ("HEADING", "heading_deg"),
                 ("SLANT_RANGE", "slant_range_m"), ("RANGE_PIXEL", "range_pixel_m"),
                 ("AZIMUTH_PIXEL", "azimuth_pixel_m"))

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.INPUT_FOLDER, tr("Folder with the interferograms"),
                                                     behavior=QgsProcessingParameterFile.Folder, optional=True))
        self.addParameter(QgsProcessingParameterMultipleLayers(self.INPUT_FILES, tr("Interferogram files"),
                                                               layerType=QgsProcessing.TypeFile, optional=True))
        self.add_enum(self.FORMAT, tr("Input format"), list(ingest.FORMATS), "auto")
        self.add_enum(self.PHASE_SIGN, tr("Phase sign (1 keeps the phase, -1 flips it)"), ["1", "-1"], "1")
        self.add_number(self.NODATA, tr("No-data value of the inputs"), 0.0)
        self.addParameter(QgsProcessingParameterFile(self.BASELINE_FOLDER,
                                                     tr("Folder with GAMMA baseline files (*_bperp.par)"),
                                                     behavior=QgsProcessingParameterFile.Folder, optional=True))
        specs = [("WAVELENGTH", tr("Radar wavelength (m)")), ("INCIDENCE", tr("Incidence angle (degrees)")),
                 ("HEADING", tr("Heading, clockwise from north (degrees)")),
                 ("SLANT_RANGE", tr("Slant range to the scene centre (m)")),
                 ("RANGE_PIXEL", tr("Slant-range pixel spacing (m)")),
                 ("AZIMUTH_PIXEL", tr("Azimuth pixel spacing (m)"))]
        for key, desc in specs:
            p = QgsProcessingParameterNumber(key, desc, type=QgsProcessingParameterNumber.Double, optional=True)
            p.setFlags(p.flags() | p.FlagAdvanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Unwrapped stack (rad)")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_COHERENCE, tr("Coherence stack"),
                                                                  optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber("N_PAIRS", tr("Number of interferograms")))
        self.addOutput(QgsProcessingOutputNumber("N_DATES", tr("Number of acquisitions")))

    def run_stage(self, parameters, context, feedback):
        inputs = []
        folder = self.parameterAsFile(parameters, self.INPUT_FOLDER, context)
        if folder:
            inputs.append(folder)
        files = self.parameterAsFileList(parameters, self.INPUT_FILES, context) if hasattr(
            self, "parameterAsFileList") else []
        if not files and parameters.get(self.INPUT_FILES):
            v = parameters[self.INPUT_FILES]
            files = [str(x) for x in (v if isinstance(v, (list, tuple)) else [v])]
        inputs += [f.split("|")[0] for f in files if f and str(f).strip()]
        if not inputs:
            raise ValueError(tr("INPUT_FOLDER: give a folder or INPUT_FILES"))
        overrides = {}
        for key, attr in self._GEOMETRY:
            if parameters.get(key) not in (None, ""):
                overrides[attr] = self.parameterAsDouble(parameters, key, context)
        nodata = self.parameterAsDouble(parameters, self.NODATA, context)
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        out_coh = self.parameterAsOutputLayer(parameters, self.OUTPUT_COHERENCE, context) or None
        base = self.parameterAsFile(parameters, self.BASELINE_FOLDER, context) or None
        res = ingest.import_unwrapped(inputs, out, output_coherence=out_coh,
                                      fmt=self.enum_value(parameters, self.FORMAT, context),
                                      phase_sign=int(self.enum_value(parameters, self.PHASE_SIGN, context)),
                                      nodata=nodata, baseline_folder=base, geometry_overrides=overrides,
                                      feedback=feedback)
        result = {self.OUTPUT: out, "N_PAIRS": res["n_pairs"], "N_DATES": res["n_dates"]}
        if res["output_coherence"]:
            result[self.OUTPUT_COHERENCE] = res["output_coherence"]
        return result
