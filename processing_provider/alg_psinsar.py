"""``minesar:psinsar`` — PS-InSAR (Huaibei study): PS selection to PS time-series points."""
from __future__ import annotations

from qgis.core import (QgsCoordinateReferenceSystem, QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsGeometry,
                       QgsPointXY, QgsProcessing, QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingOutputString,
                       QgsProcessingParameterBoolean, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterPoint, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterString, QgsWkbTypes)
from qgis.PyQt.QtCore import QVariant

from ..algorithms import ps
from ..algorithms.progress import check_cancel
from ..algorithms.stackio import read_stack_info
from .base import MineSARAlgorithm, tr


class PSInSARAlgorithm(MineSARAlgorithm):
    """Persistent-scatterer InSAR from an SLC stack."""

    ALG_ID = "psinsar"
    DISPLAY_NAME = "PS-InSAR (persistent scatterers)"
    GROUP_ID = "5_timeseries"
    HELP = (
        "Persistent-scatterer InSAR on a coregistered SLC stack (the VRT of buildstack), as in the Huaibei "
        "industrial-square study: single common master, PS candidate selection, Delaunay arc network with a "
        "periodogram per arc, weighted least-squares integration, atmospheric filtering and temporal "
        "coherence.\n\n"
        "Master: MASTER_DATE (YYYYMMDD) or, when empty, the date with the smallest sum of normalised temporal "
        "and perpendicular baselines. The topographic phase of the DEM (DEM, else the stack's DEM) is removed "
        "from every single-master interferogram.\n\n"
        "SELECTION: coherence = mean coherence of the single-master interferograms (boxcar of "
        "COHERENCE_WINDOW pixels over neighbours of similar mean amplitude) >= COHERENCE_THRESHOLD (0.7); "
        "dispersion = amplitude dispersion D_A = std/mean of the amplitude <= DISPERSION_THRESHOLD (0.6 as in "
        "the study; Ferretti et al. 2001 use 0.25, StaMPS 0.4); amplitude_dispersion = mean intensity "
        "10*log10(mean |SLC|^2) in dB >= AMPLITUDE_THRESHOLD (10.5 dB) then D_A; dual (default) = coherence "
        "first, then D_A.\n\n"
        "Network: candidates with D_A <= PRIMARY_DISPERSION (0.25) are joined by a Delaunay triangulation "
        "(arcs up to MAX_ARC_M metres). For every arc a periodogram over the velocity difference (mm/yr) and "
        "DEM-error difference (m) maximises the ensemble coherence (Ferretti et al. 2001); arcs below "
        "ARC_COHERENCE are dropped. Arc estimates are integrated by weighted least squares from the reference "
        "PS (REFERENCE, else a stable low-D_A PS chosen automatically), removing arcs whose residual exceeds "
        "OUTLIER_SIGMA robust standard deviations. The other candidates are linked to their nearest network "
        "PS. Residual phases are integrated on the network; the atmosphere is their temporal high-pass "
        "(ATMO_TIME_WINDOW days) and spatial low-pass (ATMO_SPACE_WINDOW m) and is removed; non-linear "
        "motion is kept. PS whose temporal coherence (Hooper et al. 2004) is below FINAL_COHERENCE are "
        "dropped.\n\n"
        "Output: a point layer in the stack's CRS at pixel centres with CODE, VEL (mm/yr), V_STDEV (mm/yr), "
        "DEM_ERR (m, relative to the reference PS; positive = surface above the DEM), COH (temporal "
        "coherence), DA, AMP (mean amplitude, input units) and one DYYYYMMDD field per date (mm, first date "
        "= 0): the field convention of MintPy's QGIS export, EGMS and InSAR Explorer. Displacements are "
        "line-of-sight, positive toward the satellite (subsidence negative), relative to the reference PS; "
        "with VERTICAL they are divided by cos(incidence); the COMPONENT field says los or vertical (leveling "
        "and tilt read it and never convert twice). Interferogram = earlier date x conj(later date).\n\n"
        "Fewer than 5 dates stop the run, fewer than 10 give a warning. If no pixel passes the thresholds the "
        "message names the threshold and the distribution of its values. A disconnected arc network is "
        "reported and the largest part is used."
    )

    STACK = "STACK"
    DEM = "DEM"
    MASTER_DATE = "MASTER_DATE"
    SELECTION = "SELECTION"
    COHERENCE_THRESHOLD = "COHERENCE_THRESHOLD"
    COHERENCE_WINDOW = "COHERENCE_WINDOW"
    DISPERSION_THRESHOLD = "DISPERSION_THRESHOLD"
    AMPLITUDE_THRESHOLD = "AMPLITUDE_THRESHOLD"
    PRIMARY_DISPERSION = "PRIMARY_DISPERSION"
    MAX_ARC_M = "MAX_ARC_M"
    ARC_COHERENCE = "ARC_COHERENCE"
    VELOCITY_RANGE = "VELOCITY_RANGE"
    DEM_ERROR_RANGE = "DEM_ERROR_RANGE"
    OUTLIER_SIGMA = "OUTLIER_SIGMA"
    REFERENCE = "REFERENCE"
    ATMO_TIME_WINDOW = "ATMO_TIME_WINDOW"
    ATMO_SPACE_WINDOW = "ATMO_SPACE_WINDOW"
    FINAL_COHERENCE = "FINAL_COHERENCE"
    VERTICAL = "VERTICAL"
    OUTPUT = "OUTPUT"
    N_PS = "N_PS"
    PS_DENSITY_PER_KM2 = "PS_DENSITY_PER_KM2"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.STACK, tr("SLC stack (from buildstack)")))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.DEM, tr("DEM on the SLC grid (m); empty = the stack's DEM"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.MASTER_DATE, tr("Common master date YYYYMMDD (empty = automatic)"), defaultValue="",
            optional=True))
        self.add_enum(self.SELECTION, tr("PS candidate selection"), ps.SELECTION_METHODS, "dual")
        self.add_number(self.COHERENCE_THRESHOLD, tr("Coherence threshold (mean coherence, 0-1)"), 0.7,
                        minimum=0.0, maximum=1.0)
        self.add_number(self.COHERENCE_WINDOW, tr("Coherence window (pixels, odd)"), 7, minimum=3, maximum=51,
                        integer=True)
        self.add_number(self.DISPERSION_THRESHOLD, tr("Amplitude dispersion threshold D_A"), 0.6, minimum=0.01,
                        maximum=10.0)
        self.add_number(self.AMPLITUDE_THRESHOLD, tr("Amplitude threshold (dB of the mean intensity)"), 10.5,
                        minimum=-300.0, maximum=300.0)
        p = self.add_number(self.PRIMARY_DISPERSION, tr("D_A threshold of the network PS"), 0.25,
                            minimum=0.01, maximum=10.0)
        p.setFlags(p.flags() | p.FlagAdvanced)
        self.add_number(self.MAX_ARC_M, tr("Maximum arc length (m)"), 300.0, minimum=1.0)
        self.add_number(self.ARC_COHERENCE, tr("Minimum arc ensemble coherence"), 0.7, minimum=0.0, maximum=1.0)
        for key, desc, default in ((self.VELOCITY_RANGE, tr("Periodogram velocity search range (+/- mm/yr)"), 50.0),
                                   (self.DEM_ERROR_RANGE, tr("Periodogram DEM error search range (+/- m)"), 40.0),
                                   (self.OUTLIER_SIGMA, tr("Outlier arc rejection (robust sigmas, 0 = off)"), 3.0)):
            p = self.add_number(key, desc, default, minimum=0.0)
            p.setFlags(p.flags() | p.FlagAdvanced)
        self.addParameter(QgsProcessingParameterPoint(
            self.REFERENCE, tr("Reference point (empty = automatic stable PS)"), optional=True))
        self.add_number(self.ATMO_TIME_WINDOW, tr("Atmospheric filter: temporal high-pass window (days)"), 365.0,
                        minimum=0.0)
        self.add_number(self.ATMO_SPACE_WINDOW, tr("Atmospheric filter: spatial low-pass window (m)"), 1600.0,
                        minimum=0.0)
        self.add_number(self.FINAL_COHERENCE, tr("Minimum temporal coherence of a PS"), 0.7, minimum=0.0,
                        maximum=1.0)
        self.addParameter(QgsProcessingParameterBoolean(
            self.VERTICAL, tr("Vertical displacement (LOS / cos(incidence))"), defaultValue=False))
        self.add_memory_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("PS points"),
                                                            type=QgsProcessing.TypeVectorPoint))
        self.addOutput(QgsProcessingOutputNumber(self.N_PS, tr("Number of PS")))
        self.addOutput(QgsProcessingOutputNumber(self.PS_DENSITY_PER_KM2, tr("PS density (per km²)")))
        self.addOutput(QgsProcessingOutputString(self.MASTER_DATE, tr("Common master date (YYYYMMDD)")))

    def run_stage(self, parameters, context, feedback):
        stack = self.raster_path(parameters, self.STACK, context)
        dem = self.raster_path(parameters, self.DEM, context, required=False)
        info = read_stack_info(stack, name=self.STACK)
        crs = QgsCoordinateReferenceSystem()
        if info.crs_wkt:
            crs = QgsCoordinateReferenceSystem.fromWkt(info.crs_wkt)
        reference_xy = None
        ref_value = parameters.get(self.REFERENCE)
        if ref_value not in (None, "") and str(ref_value).strip() != "":
            pt = self.parameterAsPoint(parameters, self.REFERENCE, context, crs)
            reference_xy = (pt.x(), pt.y())
        master = self.parameterAsString(parameters, self.MASTER_DATE, context).strip() or None
        res = ps.run_ps(
            stack_path=stack, dem_path=dem, master_date=master,
            selection=self.enum_value(parameters, self.SELECTION, context),
            coherence_threshold=self.parameterAsDouble(parameters, self.COHERENCE_THRESHOLD, context),
            coherence_window=self.parameterAsInt(parameters, self.COHERENCE_WINDOW, context),
            dispersion_threshold=self.parameterAsDouble(parameters, self.DISPERSION_THRESHOLD, context),
            amplitude_threshold_db=self.parameterAsDouble(parameters, self.AMPLITUDE_THRESHOLD, context),
            primary_dispersion=self.parameterAsDouble(parameters, self.PRIMARY_DISPERSION, context),
            max_arc_m=self.parameterAsDouble(parameters, self.MAX_ARC_M, context),
            arc_coherence=self.parameterAsDouble(parameters, self.ARC_COHERENCE, context),
            velocity_range=self.parameterAsDouble(parameters, self.VELOCITY_RANGE, context),
            dem_range=self.parameterAsDouble(parameters, self.DEM_ERROR_RANGE, context),
            outlier_sigma=self.parameterAsDouble(parameters, self.OUTLIER_SIGMA, context),
            reference_xy=reference_xy,
            atmo_time_window_days=self.parameterAsDouble(parameters, self.ATMO_TIME_WINDOW, context),
            atmo_space_window_m=self.parameterAsDouble(parameters, self.ATMO_SPACE_WINDOW, context),
            final_coherence=self.parameterAsDouble(parameters, self.FINAL_COHERENCE, context),
            vertical=self.parameterAsBool(parameters, self.VERTICAL, context),
            memory_mb=self.parameterAsInt(parameters, "MEMORY_MB", context),
            keep_maps=False, feedback=feedback)
        fields = QgsFields()
        for name in res.field_names:
            if name == "CODE":
                fields.append(QgsField(name, QVariant.String, len=12))
            else:
                fields.append(QgsField(name, QVariant.Double))
        # LOS or vertical values: leveling and tilt read it and never convert twice
        fields.append(QgsField("COMPONENT", QVariant.String, len=8))
        component = "vertical" if self.parameterAsBool(parameters, self.VERTICAL, context) else "los"
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.Point, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        cols = [res.fields[name] for name in res.field_names]
        for i in range(res.n_ps):
            check_cancel(feedback)
            f = QgsFeature(fields)
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(res.x[i]), float(res.y[i]))))
            f.setAttributes([str(c[i]) if k == 0 else float(c[i]) for k, c in enumerate(cols)] + [component])
            sink.addFeature(f, QgsFeatureSink.FastInsert)
        feedback.pushInfo(tr("{} PS, {:.0f} per km²; master {}").format(
            res.n_ps, res.density_per_km2, res.master_date.strftime("%Y%m%d")))
        return {self.OUTPUT: dest, self.N_PS: res.n_ps, self.PS_DENSITY_PER_KM2: res.density_per_km2,
                self.MASTER_DATE: res.master_date.strftime("%Y%m%d")}
