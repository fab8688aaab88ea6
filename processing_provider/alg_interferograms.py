"""``minesar:interferograms`` — wrapped phase, coherence and amplitude dispersion from an SLC stack."""
from __future__ import annotations

import os

from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterBoolean,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer)

from ..algorithms.interferogram import compute_interferograms
from ..algorithms.network import read_pairs_table
from .base import MineSARAlgorithm, tr


def _plain(value):
    """A QGIS attribute value as plain text (QDate -> YYYYMMDD, NULL -> None)."""
    if value is None:
        return None
    if hasattr(value, "isNull") and value.isNull():
        return None
    if hasattr(value, "toString") and hasattr(value, "year"):          # QDate
        return value.toString("yyyyMMdd")
    if hasattr(value, "date") and hasattr(value, "toString"):          # QDateTime
        return value.date().toString("yyyyMMdd")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class InterferogramsAlgorithm(MineSARAlgorithm):
    """Multilook, coherence, topographic phase removal and Goldstein filtering."""

    ALG_ID = "interferograms"
    DISPLAY_NAME = "Interferograms (multilook, coherence, topography, Goldstein)"
    GROUP_ID = "3_interferograms"
    HELP = (
        "Forms one interferogram per pair of the SLC stack and writes the wrapped phase, the coherence, the mean "
        "coherence and the amplitude dispersion, processed block by block within the memory budget.\n\n"
        "Interferogram = reference x conj(secondary), the reference being the EARLIER date (a pairs table "
        "listing the later date first is rejected, as in every MineSAR stage). Phase in radians, wrapped to (-pi, pi]. A motion toward the satellite of "
        "the secondary gives a negative phase; LOS displacement d_mm = -lambda/(4 pi) * phase * 1000 after "
        "unwrapping (subsidence is negative).\n\n"
        "PAIRS: the table from minesar:pairnetwork (columns REF_DATE and SEC_DATE as YYYYMMDD, or PAIR as "
        "YYYYMMDD_YYYYMMDD; a CSV file needs at least two columns). Empty: every consecutive pair of dates.\n\n"
        "Remove topographic phase: a height h adds -4 pi/lambda * (Bperp_sec - Bperp_ref) * h / (R sin theta) to "
        "the interferogram; it is removed with the DEM heights (m), the per-date perpendicular baselines (m) and "
        "the scene geometry stored in the stack. The DEM is the DEM parameter or, when empty, the DEM recorded "
        "by minesar:buildstack; it must be on the stack grid (same size and CRS). What remains is the motion, "
        "the atmosphere and the DEM error.\n\n"
        "Looks: LOOKS_RANGE columns x LOOKS_AZIMUTH rows are summed (complex); the output grid is the floor "
        "division of the input grid and its pixel size is multiplied by the looks. Coherence = |sum ref "
        "conj(sec)| / sqrt(sum |ref|^2 sum |sec|^2) over a boxcar of COHERENCE_WINDOW x COHERENCE_WINDOW output "
        "pixels, from the multilooked, unfiltered data (after topography and ramp removal). Remove ramp fits a "
        "phase plane (mean phase gradient) per interferogram and removes it (zero at the image centre). "
        "Goldstein filter (Goldstein and Werner 1998): patches of 32 x 32 output pixels overlapping by half, "
        "spectrum smoothed over 3 x 3 and raised to GOLDSTEIN_ALPHA (0 = no filter, 0.5 typical), triangular "
        "blending.\n\n"
        "Outputs (self-describing GeoTIFFs, one band per pair named REF_SEC with REF_DATE, SEC_DATE, BPERP_M "
        "(Bperp_sec - Bperp_ref, m) and BTEMP_DAYS): wrapped phase (MINESAR_KIND=wrapped, radians), coherence "
        "(MINESAR_KIND=coherence, 0-1), mean coherence over all pairs (MINESAR_KIND=mean_coherence) and, at "
        "full resolution, the amplitude dispersion D_A = sigma_A / mu_A over all dates (band 1, sample standard "
        "deviation) with the mean amplitude (band 2) for PS selection (Ferretti et al. 2001) "
        "(MINESAR_KIND=amplitude_dispersion)."
    )

    STACK = "STACK"
    PAIRS = "PAIRS"
    DEM = "DEM"
    LOOKS_RANGE = "LOOKS_RANGE"
    LOOKS_AZIMUTH = "LOOKS_AZIMUTH"
    COHERENCE_WINDOW = "COHERENCE_WINDOW"
    REMOVE_TOPO = "REMOVE_TOPO"
    REMOVE_RAMP = "REMOVE_RAMP"
    GOLDSTEIN_ALPHA = "GOLDSTEIN_ALPHA"
    OUTPUT_PHASE = "OUTPUT_PHASE"
    OUTPUT_COHERENCE = "OUTPUT_COHERENCE"
    OUTPUT_MEAN_COHERENCE = "OUTPUT_MEAN_COHERENCE"
    OUTPUT_AMPLITUDE_DISPERSION = "OUTPUT_AMPLITUDE_DISPERSION"
    N_PAIRS = "N_PAIRS"
    MEAN_COHERENCE = "MEAN_COHERENCE"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.STACK, tr("SLC stack (from Build SLC stack)")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PAIRS, tr("Pairs table (REF_DATE, SEC_DATE); empty = consecutive pairs"),
            types=[QgsProcessing.TypeVector], optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.DEM, tr("DEM on the stack grid (m); empty = the stack's DEM"), optional=True))
        self.add_number(self.LOOKS_RANGE, tr("Looks in range (columns)"), 1, minimum=1, integer=True)
        self.add_number(self.LOOKS_AZIMUTH, tr("Looks in azimuth (rows)"), 1, minimum=1, integer=True)
        self.add_number(self.COHERENCE_WINDOW, tr("Coherence window (output pixels)"), 5, minimum=1, integer=True)
        self.addParameter(QgsProcessingParameterBoolean(self.REMOVE_TOPO, tr("Remove topographic phase (needs a DEM)"),
                                                        defaultValue=True))
        self.addParameter(QgsProcessingParameterBoolean(self.REMOVE_RAMP, tr("Remove a phase ramp (plane) per interferogram"),
                                                        defaultValue=False))
        self.add_number(self.GOLDSTEIN_ALPHA, tr("Goldstein filter exponent (0 = no filter)"), 0.5, minimum=0.0,
                        maximum=1.0)
        self.add_memory_parameter()
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_PHASE, tr("Wrapped phase (rad)")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_COHERENCE, tr("Coherence")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_MEAN_COHERENCE, tr("Mean coherence"),
                                                                  optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_AMPLITUDE_DISPERSION, tr("Amplitude dispersion D_A and mean amplitude"), optional=True,
            createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(self.N_PAIRS, tr("Number of interferograms")))
        self.addOutput(QgsProcessingOutputNumber(self.MEAN_COHERENCE, tr("Scene mean coherence")))

    def _pairs(self, parameters, context):
        if parameters.get(self.PAIRS) in (None, ""):
            return None
        source = self.parameterAsSource(parameters, self.PAIRS, context)
        if source is None:
            return None
        names = [f.name() for f in source.fields()]
        records = [{n: _plain(feat[n]) for n in names} for feat in source.getFeatures()]
        if not records:
            raise ValueError(tr("PAIRS: the pairs table has no rows"))
        return read_pairs_table(records)   # the same rule as a pairs file (network.read_pairs_table)

    def _dest(self, parameters, key, context, feedback):
        out = self.parameterAsOutputLayer(parameters, key, context)
        if not out:
            return None
        root, ext = os.path.splitext(out)
        if ext.lower() not in (".tif", ".tiff"):
            out = root + ".tif"
            feedback.pushInfo(tr("{}: writing a GeoTIFF, {}").format(key, out))
        return out

    def run_stage(self, parameters, context, feedback):
        stack = self.raster_path(parameters, self.STACK, context)
        dem = self.raster_path(parameters, self.DEM, context, required=False)
        pairs = self._pairs(parameters, context)
        res = compute_interferograms(
            stack, pairs,
            output_phase=self._dest(parameters, self.OUTPUT_PHASE, context, feedback),
            output_coherence=self._dest(parameters, self.OUTPUT_COHERENCE, context, feedback),
            output_mean_coherence=self._dest(parameters, self.OUTPUT_MEAN_COHERENCE, context, feedback),
            output_amplitude_dispersion=self._dest(parameters, self.OUTPUT_AMPLITUDE_DISPERSION, context, feedback),
            dem=dem,
            looks_range=self.parameterAsInt(parameters, self.LOOKS_RANGE, context),
            looks_azimuth=self.parameterAsInt(parameters, self.LOOKS_AZIMUTH, context),
            coherence_window=self.parameterAsInt(parameters, self.COHERENCE_WINDOW, context),
            remove_topo=self.parameterAsBool(parameters, self.REMOVE_TOPO, context),
            remove_ramp=self.parameterAsBool(parameters, self.REMOVE_RAMP, context),
            goldstein_alpha=self.parameterAsDouble(parameters, self.GOLDSTEIN_ALPHA, context),
            memory_mb=self.parameterAsInt(parameters, "MEMORY_MB", context),
            feedback=feedback)
        feedback.pushInfo(tr("{} interferograms in {} block(s); scene mean coherence {:.3f}").format(
            len(res["pairs"]), res["n_blocks"], res["mean_coherence"]))
        return {self.OUTPUT_PHASE: res["OUTPUT_PHASE"], self.OUTPUT_COHERENCE: res["OUTPUT_COHERENCE"],
                self.OUTPUT_MEAN_COHERENCE: res["OUTPUT_MEAN_COHERENCE"],
                self.OUTPUT_AMPLITUDE_DISPERSION: res["OUTPUT_AMPLITUDE_DISPERSION"],
                self.N_PAIRS: len(res["pairs"]), self.MEAN_COHERENCE: res["mean_coherence"]}
