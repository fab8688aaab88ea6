"""``minesar:leveling``, ``minesar:profile`` and ``minesar:tilt`` — validation and analysis.

Only parameter handling and layer I/O live here; every number is computed by
``algorithms/leveling.py``, ``profile.py`` and ``tilt.py``.
"""
from __future__ import annotations

import math

from qgis.core import (NULL, QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsGeometry, QgsPointXY,
                       QgsProcessing, QgsProcessingException, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingParameterBoolean,
                       QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterMapLayer, QgsProcessingParameterPoint,
                       QgsProcessingParameterRasterLayer, QgsProcessingParameterString, QgsRasterLayer,
                       QgsVectorLayer, QgsWkbTypes)
from qgis.PyQt.QtCore import QVariant

from ..algorithms import leveling as lev
from ..algorithms import profile as prof
from ..algorithms import tilt as tlt
from ..algorithms.stackio import date_label
from .base import MineSARAlgorithm, attribute_value, tr


# ------------------------------------------------------------------ helpers
def _value(v):
    """QVariant NULL -> None, other attribute values unchanged."""
    return None if v is None or v == NULL else attribute_value(v)


def _float(v) -> float:
    v = _value(v)
    if v is None:
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _num(v):
    """A float for an output field (None for NaN -> NULL)."""
    return None if v is None or not math.isfinite(v) else float(v)


def _first_xy(geom):
    if geom is None or geom.isNull() or geom.isEmpty():
        return None
    p = geom.vertexAt(0)
    return float(p.x()), float(p.y())


def _crs_wkt(crs) -> str:
    return crs.toWkt() if crs is not None and crs.isValid() else ""


def _layer_component(layer, name: str) -> str:
    """``vertical`` or ``los``: the COMPONENT field psinsar writes (LOS when absent)."""
    field = next((f.name() for f in layer.fields() if f.name().upper() == "COMPONENT"), None)
    if field is None:
        return "los"
    values = {str(f[field]).strip().lower() for f in layer.getFeatures()} - {"", "null", "none"}
    if not values:
        return "los"
    if len(values) > 1 or not values <= {"los", "vertical"}:
        raise QgsProcessingException(tr("{}: the COMPONENT field must be 'los' or 'vertical' on every point, "
                                        "found {}").format(name, ", ".join(sorted(values))))
    return values.pop()


def _point_layer_source(layer, name: str, *, incidence=None):
    """A core PointSource from a PS point layer (DYYYYMMDD fields, else VEL)."""
    component = _layer_component(layer, name)
    names = [f.name() for f in layer.fields()]
    dfields = lev.date_fields(names)
    vel_name = next((n for n in names if n.upper() == "VEL"), None)
    xs, ys, series, vel = [], [], [], []
    for f in layer.getFeatures():
        xy = _first_xy(f.geometry())
        if xy is None:
            continue
        xs.append(xy[0])
        ys.append(xy[1])
        if dfields:
            series.append([_float(f[n]) for n, _ in dfields])
        elif vel_name:
            vel.append(_float(f[vel_name]))
    if not xs:
        raise QgsProcessingException(tr("{}: the point layer has no point features").format(name))
    if dfields and len(dfields) >= 2:
        return lev.point_source(xs, ys, crs_wkt=_crs_wkt(layer.crs()), dates=[d for _, d in dfields],
                                series=series, incidence_deg=incidence, name=name, component=component)
    if vel_name:
        if dfields:
            vel = [_float(f[vel_name]) for f in layer.getFeatures() if _first_xy(f.geometry()) is not None]
        return lev.point_source(xs, ys, crs_wkt=_crs_wkt(layer.crs()), velocity=vel, incidence_deg=incidence,
                                name=name, component=component)
    raise QgsProcessingException(tr("{}: the point layer has neither DYYYYMMDD time-series fields nor a VEL "
                                    "field").format(name))


def _raster_file(layer) -> str:
    return layer.source().split("|")[0]


# ================================================================= leveling
class LevelingAlgorithm(MineSARAlgorithm):
    """InSAR versus leveling benchmarks."""

    ALG_ID = "leveling"
    DISPLAY_NAME = "Validate InSAR against leveling"
    GROUP_ID = "7_validation"
    NEEDS_NUMBA = False
    HELP = (
        "Compares InSAR displacement with leveling benchmarks (study B: mean of all PS within 50 m of each "
        "benchmark; RMSE 16.0 mm for all 35 benchmarks, 3.8 mm and R² 0.91 without 5 disturbed ones).\n\n"
        "Leveling: a point layer with an id field and either VALUE_FIELD, the measured cumulative displacement in "
        "mm between START_DATE and END_DATE (YYYYMMDD; default: the InSAR period), or, when VALUE_FIELD is empty, "
        "per-date fields DYYYYMMDD in mm (each date after the first is compared, relative to the first). "
        "Subsidence is negative.\n\n"
        "InSAR: a time-series raster (MINESAR_KIND=timeseries, one band per date, mm), a velocity raster (mm/yr, "
        "multiplied by the period in years of 365.25 days) or a PS point layer with DYYYYMMDD fields (else VEL). "
        "Between acquisitions the time series is interpolated linearly in time (stated in the report); dates "
        "outside the InSAR period are refused.\n\n"
        "AGGREGATION: mean or median of the InSAR points or pixel centres within RADIUS metres (distance <= RADIUS, "
        "inclusive), nearest sample within RADIUS, or bilinear interpolation (rasters). Distances are in metres "
        "in any CRS (geographic inputs are projected to UTM). A benchmark without sample keeps N_SAMPLES = 0 and an "
        "empty INSAR value and is listed in the report and log.\n\n"
        "VERTICAL: d_vert = d_los / cos(incidence), incidence from INCIDENCE or the raster's INCIDENCE_DEG "
        "metadata (default 39°); a raster whose COMPONENT metadata, or a PS layer whose COMPONENT field, is "
        "vertical is not converted again. "
        "EXCLUDE_FIELD: benchmarks whose value is true (1, yes, true) are disturbed and "
        "left out of the clean statistics.\n\n"
        "Outputs: points with LEVELING, INSAR, N_SAMPLES, DIFF = INSAR − LEVELING (mm), OUTLIER (1 when "
        "|DIFF − median| > 3 × 1.4826 × MAD) and EXCLUDED; RMSE, MAE, BIAS (mean DIFF), R2 (coefficient of "
        "determination of the 1:1 line, 1 − Σ(ins − lev)² / Σ(lev − mean lev)²), PEARSON_R2 (squared correlation) "
        "and N for all benchmarks and without excluded and outlier ones (*_CLEAN); an HTML report with a 1:1 "
        "scatter plot and a per-benchmark bar chart."
        "\n\nMethod: InSAR value = mean of the InSAR points within the radius of each benchmark, RMSE and R² as in the Huaibei industrial-square PS-InSAR validation (MineSAR study B); robust outlier rule after Leys et al. (2013), J. Exp. Soc. Psychol. 49(4):764-766 (|x − median| > 3 × 1.4826 × MAD)."
    )

    BENCHMARKS = "BENCHMARKS"
    ID_FIELD = "ID_FIELD"
    VALUE_FIELD = "VALUE_FIELD"
    START_DATE = "START_DATE"
    END_DATE = "END_DATE"
    INSAR = "INSAR"
    AGGREGATION = "AGGREGATION"
    RADIUS = "RADIUS"
    VERTICAL = "VERTICAL"
    INCIDENCE = "INCIDENCE"
    EXCLUDE_FIELD = "EXCLUDE_FIELD"
    OUTPUT = "OUTPUT"
    OUTPUT_REPORT = "OUTPUT_REPORT"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.BENCHMARKS, tr("Leveling benchmarks (points)"), [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(self.ID_FIELD, tr("Benchmark id field"),
                                                      parentLayerParameterName=self.BENCHMARKS))
        self.addParameter(QgsProcessingParameterField(
            self.VALUE_FIELD, tr("Measured cumulative displacement field (mm); empty = DYYYYMMDD fields"),
            parentLayerParameterName=self.BENCHMARKS, optional=True))
        self.addParameter(QgsProcessingParameterString(self.START_DATE, tr("Leveling start date (YYYYMMDD)"),
                                                       optional=True))
        self.addParameter(QgsProcessingParameterString(self.END_DATE, tr("Leveling end date (YYYYMMDD)"),
                                                       optional=True))
        self.addParameter(QgsProcessingParameterMapLayer(
            self.INSAR, tr("InSAR time-series or velocity raster, or PS point layer"),
            types=[QgsProcessing.TypeRaster, QgsProcessing.TypeVectorPoint]))
        self.add_enum(self.AGGREGATION, tr("InSAR value at a benchmark"), lev.AGGREGATIONS, "mean")
        self.add_number(self.RADIUS, tr("Search radius (m)"), 50.0, minimum=0.001)
        self.addParameter(QgsProcessingParameterBoolean(self.VERTICAL, tr("Convert LOS to vertical (LOS / cos incidence)"),
                                                        defaultValue=True))
        self.add_number(self.INCIDENCE, tr("Incidence angle (degrees); empty = raster metadata"), None,
                        minimum=0.0, maximum=89.0, optional=True)
        self.addParameter(QgsProcessingParameterField(
            self.EXCLUDE_FIELD, tr("Disturbed-benchmark flag field (true = exclude)"),
            parentLayerParameterName=self.BENCHMARKS, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Benchmark comparison"),
                                                            QgsProcessing.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_REPORT, tr("Validation report"),
                                                                fileFilter=tr("HTML files (*.html)")))
        for key, desc in (("RMSE", tr("RMSE, all benchmarks (mm)")), ("MAE", tr("MAE, all benchmarks (mm)")),
                          ("BIAS", tr("Bias InSAR − leveling, all benchmarks (mm)")),
                          ("R2", tr("R² of the 1:1 line, all benchmarks")),
                          ("PEARSON_R2", tr("Squared Pearson correlation, all benchmarks")),
                          ("N", tr("Number of comparisons, all benchmarks")),
                          ("RMSE_CLEAN", tr("RMSE without excluded/outlier benchmarks (mm)")),
                          ("MAE_CLEAN", tr("MAE without excluded/outlier benchmarks (mm)")),
                          ("BIAS_CLEAN", tr("Bias without excluded/outlier benchmarks (mm)")),
                          ("R2_CLEAN", tr("R² of the 1:1 line without excluded/outlier benchmarks")),
                          ("PEARSON_R2_CLEAN", tr("Squared Pearson correlation without excluded/outlier benchmarks")),
                          ("N_CLEAN", tr("Number of comparisons without excluded/outlier benchmarks")),
                          ("N_EMPTY", tr("Benchmarks without InSAR sample")),
                          ("N_OUTLIERS", tr("Outlier benchmarks")),
                          ("N_EXCLUDED", tr("Excluded benchmarks"))):
            self.addOutput(QgsProcessingOutputNumber(key, desc))

    def run_stage(self, parameters, context, feedback):
        source = self.parameterAsSource(parameters, self.BENCHMARKS, context)
        if source is None:
            raise QgsProcessingException(tr("BENCHMARKS: no point layer given"))
        fields = source.fields()
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context)
        value_field = self.parameterAsString(parameters, self.VALUE_FIELD, context)
        excl_field = self.parameterAsString(parameters, self.EXCLUDE_FIELD, context)
        for key, name in ((self.ID_FIELD, id_field), (self.VALUE_FIELD, value_field),
                          (self.EXCLUDE_FIELD, excl_field)):
            if name and fields.indexFromName(name) < 0:
                raise QgsProcessingException(tr("{}: the benchmark layer has no field {}").format(key, name))
        if not id_field:
            raise QgsProcessingException(tr("ID_FIELD: choose the benchmark id field"))
        if value_field:
            fdef = fields.field(value_field)
            if not fdef.isNumeric() and fdef.type() != QVariant.String:
                raise QgsProcessingException(tr("VALUE_FIELD: field {} is of type {}, not numeric (mm)").format(
                    value_field, fdef.typeName()))
            dfields = []
        else:
            dfields = lev.date_fields([f.name() for f in fields])
            if len(dfields) < 2:
                raise QgsProcessingException(tr("VALUE_FIELD: give the measured displacement field, or a benchmark "
                                                "layer with at least two DYYYYMMDD fields"))
        ids, xs, ys, vals, excl, geoms = [], [], [], [], [], []
        for f in source.getFeatures():
            xy = _first_xy(f.geometry())
            if xy is None:
                raise QgsProcessingException(tr("BENCHMARKS: benchmark {} has no point geometry").format(
                    _value(f[id_field])))
            ids.append(_value(f[id_field]))
            xs.append(xy[0])
            ys.append(xy[1])
            geoms.append(QgsGeometry(f.geometry()))
            if value_field:
                vals.append(_value(f[value_field]))
            else:
                vals.append([_value(f[n]) for n, _ in dfields])
            excl.append(_value(f[excl_field]) if excl_field else None)

        layer = self.parameterAsLayer(parameters, self.INSAR, context)
        if layer is None:
            raise QgsProcessingException(tr("INSAR: no layer given"))
        incidence = None
        if parameters.get(self.INCIDENCE) not in (None, "") and parameters.get(self.INCIDENCE) != NULL:
            incidence = self.parameterAsDouble(parameters, self.INCIDENCE, context)
        if isinstance(layer, QgsRasterLayer):
            insar = lev.raster_source(_raster_file(layer), name=self.INSAR)
        elif isinstance(layer, QgsVectorLayer) and layer.geometryType() == QgsWkbTypes.PointGeometry:
            insar = _point_layer_source(layer, self.INSAR)
        else:
            raise QgsProcessingException(tr("INSAR: give a raster or a point layer"))
        agg = self.enum_value(parameters, self.AGGREGATION, context)
        res = lev.compare_leveling(
            ids, xs, ys, leveling=vals, leveling_dates=[d for _, d in dfields] if dfields else None,
            insar=insar, bench_crs=_crs_wkt(source.sourceCrs()),
            start_date=self.parameterAsString(parameters, self.START_DATE, context).strip() or None,
            end_date=self.parameterAsString(parameters, self.END_DATE, context).strip() or None,
            aggregation=agg, radius=self.parameterAsDouble(parameters, self.RADIUS, context),
            vertical=self.parameterAsBoolean(parameters, self.VERTICAL, context), incidence_deg=incidence,
            exclude=excl if excl_field else None, feedback=feedback)

        out_fields = QgsFields()
        idf = QgsField(fields.field(id_field))
        idf.setName("ID")
        out_fields.append(idf)
        for name, typ in (("DATE_START", QVariant.String), ("DATE_END", QVariant.String),
                          ("LEVELING", QVariant.Double), ("INSAR", QVariant.Double), ("N_SAMPLES", QVariant.Int),
                          ("DIFF", QVariant.Double), ("OUTLIER", QVariant.Int), ("EXCLUDED", QVariant.Int)):
            out_fields.append(QgsField(name, typ))
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, out_fields, source.wkbType(),
                                          source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        for r in res.records:
            feat = QgsFeature(out_fields)
            feat.setGeometry(geoms[r.index])
            feat.setAttributes([r.id, date_label(r.date0), date_label(r.date1), _num(r.leveling), _num(r.insar),
                                int(r.n_samples), _num(r.diff), int(r.outlier), int(r.excluded)])
            sink.addFeature(feat, QgsFeatureSink.FastInsert)
        report = self.parameterAsFileOutput(parameters, self.OUTPUT_REPORT, context)
        if report:
            lev.write_report(res, report, tr=tr)
        sa, sc = res.stats_all, res.stats_clean
        for s in res.statements(tr):
            feedback.pushInfo(s)
        feedback.pushInfo(tr("All: N = {}, RMSE = {:.2f} mm, R² (1:1) = {:.3f}; clean: N = {}, RMSE = {:.2f} mm, "
                             "R² (1:1) = {:.3f}; {} outlier(s), {} without InSAR sample").format(
            sa["N"], sa["RMSE"], sa["R2"], sc["N"], sc["RMSE"], sc["R2"], res.outputs()["N_OUTLIERS"],
            len(res.empty)))
        out = {self.OUTPUT: dest, self.OUTPUT_REPORT: report}
        out.update(res.outputs())
        return out


# ================================================================== profile
class ProfileAlgorithm(MineSARAlgorithm):
    """Displacement along a profile line."""

    ALG_ID = "profile"
    DISPLAY_NAME = "Displacement profile along a line"
    GROUP_ID = "7_validation"
    NEEDS_NUMBA = False
    HELP = (
        "Samples a time-series raster (mm, one band per date) or a velocity raster (mm/yr) along a line, as the "
        "profile A1–A2 through both subsidence bowls of study C.\n\n"
        "Stations are placed every STEP metres from the first vertex of the line (the first feature of LINE, or "
        "the first selected one), plus its end. BUFFER = 0: bilinear interpolation at each station. BUFFER > 0: "
        "mean of the pixel centres within BUFFER metres of the line, each pixel assigned to the station nearest "
        "along the line (the mean across the line over one step). Distances are in metres in any CRS.\n\n"
        "DATES: empty or 'all' = every date, 'last' = the last date, or a comma-separated list of YYYYMMDD inside "
        "the InSAR period (linear interpolation in time between acquisitions). Values are LOS (positive toward "
        "the satellite, subsidence negative) unless VERTICAL (LOS / cos incidence).\n\n"
        "Outputs: points with DIST_M (m along the line), X, Y (line CRS), N_PIX and one field per date "
        "DYYYYMMDD (mm) or VEL (mm/yr), and a PNG plot of displacement along the profile per date."
        "\n\nMethod: stations every STEP metres along the line, bilinear interpolation (Press et al. 2007, Numerical Recipes, §3.6) or the mean within BUFFER metres across the line; the Puhe study's profile A1–A2 through both bowls (MineSAR study C)."
    )

    INPUT = "INPUT"
    LINE = "LINE"
    STEP = "STEP"
    BUFFER = "BUFFER"
    DATES = "DATES"
    VERTICAL = "VERTICAL"
    INCIDENCE = "INCIDENCE"
    OUTPUT = "OUTPUT"
    PLOT = "PLOT"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Time-series or velocity raster")))
        self.addParameter(QgsProcessingParameterFeatureSource(self.LINE, tr("Profile line"),
                                                              [QgsProcessing.TypeVectorLine]))
        self.add_number(self.STEP, tr("Station spacing (m)"), 20.0, minimum=0.001)
        self.add_number(self.BUFFER, tr("Half-width across the line (m); 0 = bilinear"), 0.0, minimum=0.0)
        self.addParameter(QgsProcessingParameterString(self.DATES, tr("Dates (YYYYMMDD list, all or last)"),
                                                       optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.VERTICAL, tr("Convert LOS to vertical (LOS / cos incidence)"),
                                                        defaultValue=False))
        self.add_number(self.INCIDENCE, tr("Incidence angle (degrees); empty = raster metadata"), None,
                        minimum=0.0, maximum=89.0, optional=True)
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Profile stations"),
                                                            QgsProcessing.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterFileDestination(self.PLOT, tr("Profile plot"),
                                                                fileFilter=tr("PNG images (*.png)")))
        self.addOutput(QgsProcessingOutputNumber("N_STATIONS", tr("Number of stations")))
        self.addOutput(QgsProcessingOutputNumber("LENGTH_M", tr("Profile length (m)")))

    def run_stage(self, parameters, context, feedback):
        raster = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        if raster is None:
            raise QgsProcessingException(tr("INPUT: no raster layer given"))
        source = self.parameterAsSource(parameters, self.LINE, context)
        if source is None:
            raise QgsProcessingException(tr("LINE: no line layer given"))
        line = None
        for f in source.getFeatures():
            g = f.geometry()
            if g is None or g.isNull() or g.isEmpty():
                continue
            if g.isMultipart():
                parts = g.asMultiPolyline()
                if len(parts) > 1:
                    feedback.pushWarning(tr("LINE: multi-part line; only its first part is used"))
                line = parts[0] if parts else None
            else:
                line = g.asPolyline()
            if line:
                break
        if not line or len(line) < 2:
            raise QgsProcessingException(tr("LINE: the layer has no line with at least two vertices"))
        incidence = None
        if parameters.get(self.INCIDENCE) not in (None, "") and parameters.get(self.INCIDENCE) != NULL:
            incidence = self.parameterAsDouble(parameters, self.INCIDENCE, context)
        dates = self.parameterAsString(parameters, self.DATES, context).strip() or None
        res = prof.sample_profile(
            _raster_file(raster), [p.x() for p in line], [p.y() for p in line],
            line_crs=_crs_wkt(source.sourceCrs()), step=self.parameterAsDouble(parameters, self.STEP, context),
            buffer=self.parameterAsDouble(parameters, self.BUFFER, context), dates=dates,
            vertical=self.parameterAsBoolean(parameters, self.VERTICAL, context), incidence_deg=incidence,
            feedback=feedback)
        fields = QgsFields()
        for name in ("DIST_M", "X", "Y"):
            fields.append(QgsField(name, QVariant.Double))
        fields.append(QgsField("N_PIX", QVariant.Int))
        for c in res.columns:
            fields.append(QgsField(c, QVariant.Double))
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.Point,
                                          source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        for k in range(res.dist_m.size):
            feat = QgsFeature(fields)
            feat.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(res.x[k]), float(res.y[k]))))
            feat.setAttributes([float(res.dist_m[k]), float(res.x[k]), float(res.y[k]), int(res.n_samples[k])]
                               + [_num(float(v)) for v in res.values[k]])
            sink.addFeature(feat, QgsFeatureSink.FastInsert)
        plot = self.parameterAsFileOutput(parameters, self.PLOT, context)
        if plot:
            prof.plot_profile(res, plot, tr=tr)
        feedback.pushInfo(tr("{} stations over {:.1f} m, {} date column(s)").format(
            res.dist_m.size, res.length_m, len(res.columns)))
        return {self.OUTPUT: dest, self.PLOT: plot, "N_STATIONS": int(res.dist_m.size), "LENGTH_M": res.length_m}


# ===================================================================== tilt
class TiltAlgorithm(MineSARAlgorithm):
    """Differential displacement and tilt between two points."""

    ALG_ID = "tilt"
    DISPLAY_NAME = "Tilt between two points"
    GROUP_ID = "7_validation"
    NEEDS_NUMBA = False
    HELP = (
        "Foundation tilt of a structure from two InSAR points A and B: tilt(t) = (d_B(t) − d_A(t)) / distance, "
        "dimensionless (mm converted to m), with d_A, d_B the displacements (mm) relative to the first date and "
        "distance the horizontal distance A–B in metres (ellipsoidal for geographic CRSs). Negative tilt: B "
        "subsided more than A. Study B: cooling tower A1/A2 31.46 m apart, tilt −0.0005 (d_B − d_A = −15.7 mm).\n\n"
        "INPUT is a time-series raster (values at POINT_A/POINT_B by bilinear interpolation) or a PS point layer "
        "with DYYYYMMDD fields: give ID_FIELD with ID_A and ID_B, or POINT_A/POINT_B to take the nearest PS. Values "
        "are LOS unless VERTICAL (LOS / cos incidence; a PS layer whose COMPONENT field is vertical is not "
        "converted again).\n\n"
        "Outputs: a table DATE, D_A_MM, D_B_MM, DIFF_MM (= D_B − D_A), TILT; MAX_TILT (the tilt of largest "
        "magnitude, with its sign) and its date, DISTANCE_M; and a PNG plot."
        "\n\nReference: tilt (angular distortion) = differential settlement / distance, Burland & Wroth (1974), Settlement of buildings and associated damage; the Huaibei study's cooling tower A1/A2 (−0.0005 over 31.46 m)."
    )

    INPUT = "INPUT"
    POINT_A = "POINT_A"
    POINT_B = "POINT_B"
    ID_FIELD = "ID_FIELD"
    ID_A = "ID_A"
    ID_B = "ID_B"
    VERTICAL = "VERTICAL"
    INCIDENCE = "INCIDENCE"
    OUTPUT = "OUTPUT"
    PLOT = "PLOT"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterMapLayer(
            self.INPUT, tr("Time-series raster or PS point layer"),
            types=[QgsProcessing.TypeRaster, QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterPoint(self.POINT_A, tr("Point A"), optional=True))
        self.addParameter(QgsProcessingParameterPoint(self.POINT_B, tr("Point B"), optional=True))
        self.addParameter(QgsProcessingParameterField(self.ID_FIELD, tr("PS id field (point layer)"),
                                                      parentLayerParameterName=self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterString(self.ID_A, tr("Id of PS A"), optional=True))
        self.addParameter(QgsProcessingParameterString(self.ID_B, tr("Id of PS B"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.VERTICAL, tr("Convert LOS to vertical (LOS / cos incidence)"),
                                                        defaultValue=False))
        self.add_number(self.INCIDENCE, tr("Incidence angle (degrees); empty = raster metadata"), None,
                        minimum=0.0, maximum=89.0, optional=True)
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Tilt series"),
                                                            QgsProcessing.TypeVector))
        self.addParameter(QgsProcessingParameterFileDestination(self.PLOT, tr("Tilt plot"),
                                                                fileFilter=tr("PNG images (*.png)")))
        self.addOutput(QgsProcessingOutputNumber("MAX_TILT", tr("Tilt of largest magnitude (signed)")))
        self.addOutput(QgsProcessingOutputString("MAX_TILT_DATE", tr("Date of the largest tilt")))
        self.addOutput(QgsProcessingOutputNumber("DISTANCE_M", tr("Horizontal distance A–B (m)")))

    def _point(self, parameters, key, context, crs):
        if parameters.get(key) in (None, "") or parameters.get(key) == NULL:
            return None
        p = self.parameterAsPoint(parameters, key, context, crs)
        return float(p.x()), float(p.y())

    def run_stage(self, parameters, context, feedback):
        layer = self.parameterAsLayer(parameters, self.INPUT, context)
        if layer is None:
            raise QgsProcessingException(tr("INPUT: no layer given"))
        crs = layer.crs()
        pa = self._point(parameters, self.POINT_A, context, crs)
        pb = self._point(parameters, self.POINT_B, context, crs)
        vertical = self.parameterAsBoolean(parameters, self.VERTICAL, context)
        incidence = None
        if parameters.get(self.INCIDENCE) not in (None, "") and parameters.get(self.INCIDENCE) != NULL:
            incidence = self.parameterAsDouble(parameters, self.INCIDENCE, context)
        label_a, label_b = "A", "B"
        if isinstance(layer, QgsRasterLayer):
            if pa is None or pb is None:
                raise QgsProcessingException(tr("POINT_A/POINT_B: a raster INPUT needs both points"))
            res = tlt.tilt_from_raster(_raster_file(layer), pa[0], pa[1], pb[0], pb[1], crs_wkt=_crs_wkt(crs),
                                       vertical=vertical, incidence_deg=incidence)
        elif isinstance(layer, QgsVectorLayer) and layer.geometryType() == QgsWkbTypes.PointGeometry:
            names = [f.name() for f in layer.fields()]
            dfields = lev.date_fields(names)
            if len(dfields) < 2:
                raise QgsProcessingException(tr("INPUT: the point layer has no DYYYYMMDD time-series fields"))
            feats = [f for f in layer.getFeatures() if _first_xy(f.geometry()) is not None]
            id_field = self.parameterAsString(parameters, self.ID_FIELD, context)
            id_a = self.parameterAsString(parameters, self.ID_A, context).strip()
            id_b = self.parameterAsString(parameters, self.ID_B, context).strip()
            chosen = []
            if id_a or id_b:
                if not id_field or id_field not in names:
                    raise QgsProcessingException(tr("ID_FIELD: choose the PS id field of INPUT"))
                for key, want in ((self.ID_A, id_a), (self.ID_B, id_b)):
                    hit = [f for f in feats if str(_value(f[id_field])) == want]
                    if not hit:
                        raise QgsProcessingException(tr("{}: no point of INPUT has {} = {}").format(key, id_field, want))
                    chosen.append(hit[0])
                label_a, label_b = id_a, id_b
            elif pa is not None and pb is not None:
                import numpy as np
                xy = np.array([_first_xy(f.geometry()) for f in feats])
                frame = lev.MetricFrame([_crs_wkt(crs)], hint_xy=tuple(xy.mean(axis=0)), hint_crs=_crs_wkt(crs))
                mx, my = frame.to_metric(xy[:, 0], xy[:, 1], _crs_wkt(crs))
                for key, p in ((self.POINT_A, pa), (self.POINT_B, pb)):
                    qx, qy = frame.to_metric([p[0]], [p[1]], _crs_wkt(crs))
                    d = np.hypot(mx - qx[0], my - qy[0])
                    k = int(np.argmin(d))
                    chosen.append(feats[k])
                    feedback.pushInfo(tr("{}: nearest PS is {:.1f} m away").format(key, float(d[k])))
                if chosen[0].id() == chosen[1].id():
                    raise QgsProcessingException(tr("POINT_B: POINT_A and POINT_B have the same nearest PS; give "
                                                    "points near two different PS, or ID_A and ID_B"))
            else:
                raise QgsProcessingException(tr("POINT_A/POINT_B: give two points, or ID_FIELD with ID_A and ID_B"))
            fa, fb = chosen
            a = [_float(fa[n]) for n, _ in dfields]
            b = [_float(fb[n]) for n, _ in dfields]
            factor = 1.0
            if vertical and _layer_component(layer, self.INPUT) == "vertical":
                feedback.pushInfo(tr("INPUT: the PS values are already vertical (COMPONENT=vertical); no "
                                     "LOS-to-vertical conversion"))
            elif vertical:
                factor = lev.vertical_factor(True, incidence if incidence is not None else lev.S1_INCIDENCE_DEG)
            ax, ay = _first_xy(fa.geometry())
            bx, by = _first_xy(fb.geometry())
            dist = tlt.horizontal_distance(ax, ay, bx, by, _crs_wkt(crs))
            res = tlt.tilt_series([d for _, d in dfields], [v * factor for v in a], [v * factor for v in b], dist)
        else:
            raise QgsProcessingException(tr("INPUT: give a raster or a point layer"))
        fields = QgsFields()
        fields.append(QgsField("DATE", QVariant.String))
        for name in ("D_A_MM", "D_B_MM", "DIFF_MM", "TILT"):
            fields.append(QgsField(name, QVariant.Double))
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.NoGeometry)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        for k, d in enumerate(res.dates):
            feat = QgsFeature(fields)
            feat.setAttributes([date_label(d), _num(float(res.d_a_mm[k])), _num(float(res.d_b_mm[k])),
                                _num(float(res.diff_mm[k])), _num(float(res.tilt[k]))])
            sink.addFeature(feat, QgsFeatureSink.FastInsert)
        plot = self.parameterAsFileOutput(parameters, self.PLOT, context)
        if plot:
            tlt.plot_tilt(res, plot, label_a=label_a, label_b=label_b, tr=tr)
        feedback.pushInfo(tr("Distance {:.2f} m, maximum tilt {:.6f} on {}").format(
            res.distance_m, res.max_tilt, date_label(res.max_date)))
        return {self.OUTPUT: dest, self.PLOT: plot, "MAX_TILT": res.max_tilt,
                "MAX_TILT_DATE": date_label(res.max_date), "DISTANCE_M": res.distance_m}
