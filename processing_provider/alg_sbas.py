"""``minesar:sbas`` — SBAS time series, velocity, DEM error and atmospheric filtering."""
from __future__ import annotations

import math

from qgis.core import (QgsCoordinateReferenceSystem, QgsProcessingException, QgsProcessingOutputNumber,
                       QgsProcessingParameterBoolean, QgsProcessingParameterPoint,
                       QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer)

from ..algorithms import sbas
from ..algorithms.stackio import read_stack_info
from .base import MineSARAlgorithm, tr


class SBASAlgorithm(MineSARAlgorithm):
    """Small-baseline subset inversion of an unwrapped interferogram stack."""

    ALG_ID = "sbas"
    DISPLAY_NAME = "SBAS time series and velocity"
    GROUP_ID = "5_timeseries"
    HELP = (
        "Inverts a stack of unwrapped interferograms (MINESAR_KIND=unwrapped, radians, one band per pair "
        "YYYYMMDD_YYYYMMDD, e.g. from Phase unwrapping or Import unwrapped interferograms) into a displacement "
        "time series and a mean velocity with the small-baseline subset method.\n\n"
        "Method: minimum-norm velocity SVD (Berardino et al. 2002): the unknowns are the mean velocities "
        "between consecutive dates, solved with the pseudo-inverse of the pair network and integrated in "
        "time, so several disconnected subsets are bridged. Optional weights as MintPy: no (plain SVD), coh "
        "(coherence), fim (Fisher information) or var (inverse phase variance from coherence and looks). "
        "Per pixel only interferograms with phase and coherence >= COHERENCE_THRESHOLD are used; a pixel needs "
        "MIN_COHERENT_FRACTION of the interferograms and MIN_REDUNDANCY interferograms per date. The "
        "reference point (or the stack's REF_ROW/REF_COL, or an automatic choice by coherence, stated in the "
        "log) is subtracted before the inversion. The DEM error (Fattahi and Amelung 2013) is fitted from the "
        "perpendicular baselines together with a quadratic deformation model and removed. With the "
        "atmospheric filter, a first inversion gives a linear rate; its residual is high-passed in time "
        "(ATMO_TEMPORAL_DAYS, default 365) and low-passed in space (ATMO_SPATIAL_M, default 1600 m) to "
        "estimate the atmosphere; a second inversion gives the final rate and time series. Temporal coherence "
        "(Pepe and Lanari 2006) and the RMS of the network residual measure the fit.\n\n"
        "Units and signs: time series in mm (first date = 0, relative to the reference), velocity in mm/yr "
        "(365.25-day years), DEM error in m (positive = true surface above the DEM). Displacement is "
        "d = -wavelength/(4 pi) x phase x 1000, positive toward the satellite: subsidence is negative. "
        "VERTICAL divides LOS values by cos(incidence), assuming purely vertical motion.\n\n"
        "Large stacks are processed in row blocks within MEMORY_MB."
    )

    PHASE = "PHASE"
    COHERENCE = "COHERENCE"
    WEIGHT = "WEIGHT"
    COHERENCE_THRESHOLD = "COHERENCE_THRESHOLD"
    MIN_COHERENT_FRACTION = "MIN_COHERENT_FRACTION"
    MIN_REDUNDANCY = "MIN_REDUNDANCY"
    REFERENCE = "REFERENCE"
    DEM_ERROR = "DEM_ERROR"
    ATMOSPHERE = "ATMOSPHERE"
    ATMO_TEMPORAL_DAYS = "ATMO_TEMPORAL_DAYS"
    ATMO_SPATIAL_M = "ATMO_SPATIAL_M"
    VERTICAL = "VERTICAL"
    OUTPUT_TIMESERIES = "OUTPUT_TIMESERIES"
    OUTPUT_VELOCITY = "OUTPUT_VELOCITY"
    OUTPUT_DEM_ERROR = "OUTPUT_DEM_ERROR"
    OUTPUT_TEMPORAL_COHERENCE = "OUTPUT_TEMPORAL_COHERENCE"
    OUTPUT_RESIDUAL_RMS = "OUTPUT_RESIDUAL_RMS"
    OUTPUT_ATMOSPHERE = "OUTPUT_ATMOSPHERE"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.PHASE, tr("Unwrapped interferogram stack (rad)")))
        self.addParameter(QgsProcessingParameterRasterLayer(self.COHERENCE, tr("Coherence stack (same pairs)"),
                                                            optional=True))
        self.add_enum(self.WEIGHT, tr("Weights of the inversion"), list(sbas.WEIGHTS), "no")
        self.add_number(self.COHERENCE_THRESHOLD, tr("Coherence threshold per interferogram"), 0.2,
                        minimum=0.0, maximum=1.0)
        self.add_number(self.MIN_COHERENT_FRACTION, tr("Minimum fraction of usable interferograms per pixel"), 0.5,
                        minimum=0.0, maximum=1.0)
        self.add_number(self.MIN_REDUNDANCY, tr("Minimum usable interferograms per date"), 1, minimum=1,
                        integer=True)
        self.addParameter(QgsProcessingParameterPoint(self.REFERENCE, tr("Reference point (stable area)"),
                                                      optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.DEM_ERROR, tr("Estimate and remove the DEM error"),
                                                        defaultValue=True))
        self.addParameter(QgsProcessingParameterBoolean(self.ATMOSPHERE,
                                                        tr("Two-pass atmospheric filtering"), defaultValue=True))
        self.add_number(self.ATMO_TEMPORAL_DAYS, tr("Temporal high-pass window (days)"), 365.0, minimum=1.0)
        self.add_number(self.ATMO_SPATIAL_M, tr("Spatial low-pass window (m)"), 1600.0, minimum=1.0)
        self.addParameter(QgsProcessingParameterBoolean(self.VERTICAL,
                                                        tr("Convert LOS to vertical (d / cos(incidence))"),
                                                        defaultValue=False))
        self.add_memory_parameter()
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_TIMESERIES,
                                                                  tr("Displacement time series (mm)")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_VELOCITY, tr("Velocity (mm/yr)")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_DEM_ERROR, tr("DEM error (m)"),
                                                                  optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_TEMPORAL_COHERENCE,
                                                                  tr("Temporal coherence"), optional=True,
                                                                  createByDefault=True))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_RESIDUAL_RMS,
                                                                  tr("RMS of the network residual (mm)"),
                                                                  optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_ATMOSPHERE,
                                                                  tr("Estimated atmosphere (mm per date)"),
                                                                  optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("N_VALID", tr("Number of inverted pixels")))
        self.addOutput(QgsProcessingOutputNumber("VELOCITY_MIN", tr("Minimum velocity (mm/yr)")))
        self.addOutput(QgsProcessingOutputNumber("MEDIAN_TEMPORAL_COHERENCE", tr("Median temporal coherence")))
        self.addOutput(QgsProcessingOutputNumber("MEDIAN_RESIDUAL_RMS", tr("Median network residual RMS (mm)")))
        self.addOutput(QgsProcessingOutputNumber("REF_ROW", tr("Reference row")))
        self.addOutput(QgsProcessingOutputNumber("REF_COL", tr("Reference column")))

    def _reference(self, parameters, context, path):
        if parameters.get(self.REFERENCE) in (None, ""):
            return None
        inf = read_stack_info(path, name=self.PHASE)
        crs = QgsCoordinateReferenceSystem()
        if inf.crs_wkt:
            crs = QgsCoordinateReferenceSystem.fromWkt(inf.crs_wkt)
        pt = self.parameterAsPoint(parameters, self.REFERENCE, context, crs)
        gt = inf.geotransform
        if gt is None or not inf.crs_wkt:
            col, row = int(math.floor(pt.x())), int(math.floor(pt.y()))
        else:
            col = int(math.floor((pt.x() - gt[0]) / gt[1]))
            row = int(math.floor((pt.y() - gt[3]) / gt[5]))
        if not (0 <= row < inf.height and 0 <= col < inf.width):
            raise QgsProcessingException(tr("REFERENCE: the point ({}, {}) is outside the stack").format(
                pt.x(), pt.y()))
        return row, col

    def run_stage(self, parameters, context, feedback):
        phase = self.raster_path(parameters, self.PHASE, context)
        coh = self.raster_path(parameters, self.COHERENCE, context, required=False)
        ref = self._reference(parameters, context, phase)
        outs = {k: self.parameterAsOutputLayer(parameters, k, context) or None
                for k in (self.OUTPUT_TIMESERIES, self.OUTPUT_VELOCITY, self.OUTPUT_DEM_ERROR,
                          self.OUTPUT_TEMPORAL_COHERENCE, self.OUTPUT_RESIDUAL_RMS, self.OUTPUT_ATMOSPHERE)}
        atmo = self.parameterAsBool(parameters, self.ATMOSPHERE, context)
        if outs[self.OUTPUT_ATMOSPHERE] and not atmo:
            feedback.pushWarning(tr("OUTPUT_ATMOSPHERE is not written: the atmospheric filter is off"))
        summ = sbas.run_sbas(
            phase, coherence_path=coh,
            out_timeseries=outs[self.OUTPUT_TIMESERIES], out_velocity=outs[self.OUTPUT_VELOCITY],
            out_dem_error=outs[self.OUTPUT_DEM_ERROR], out_temporal_coherence=outs[self.OUTPUT_TEMPORAL_COHERENCE],
            out_residual_rms=outs[self.OUTPUT_RESIDUAL_RMS], out_atmosphere=outs[self.OUTPUT_ATMOSPHERE],
            weight=self.enum_value(parameters, self.WEIGHT, context),
            coherence_threshold=self.parameterAsDouble(parameters, self.COHERENCE_THRESHOLD, context),
            min_coherent_fraction=self.parameterAsDouble(parameters, self.MIN_COHERENT_FRACTION, context),
            min_redundancy=self.parameterAsInt(parameters, self.MIN_REDUNDANCY, context),
            reference=ref, dem_error=self.parameterAsBool(parameters, self.DEM_ERROR, context),
            atmosphere=atmo,
            atmo_temporal_days=self.parameterAsDouble(parameters, self.ATMO_TEMPORAL_DAYS, context),
            atmo_spatial_m=self.parameterAsDouble(parameters, self.ATMO_SPATIAL_M, context),
            vertical=self.parameterAsBool(parameters, self.VERTICAL, context),
            memory_mb=self.parameterAsInt(parameters, "MEMORY_MB", context), feedback=feedback)
        feedback.pushInfo(tr("Reference pixel: row {}, column {} ({})").format(
            summ.reference[0], summ.reference[1], summ.reference_how))
        res = {k: v for k, v in outs.items() if v}
        if not atmo:
            res.pop(self.OUTPUT_ATMOSPHERE, None)
        res.update({"N_VALID": summ.n_valid, "VELOCITY_MIN": summ.velocity_min,
                    "MEDIAN_TEMPORAL_COHERENCE": summ.median_tcoh, "MEDIAN_RESIDUAL_RMS": summ.median_rms_mm,
                    "REF_ROW": summ.reference[0], "REF_COL": summ.reference[1]})
        return res
