"""``minesar:okadaforward`` and ``minesar:okadafit`` — Okada rectangular sources."""
from __future__ import annotations

import math
import threading

import numpy as np
from qgis.core import (QgsCoordinateTransform, QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsGeometry,
                       QgsMapLayer, QgsPointXY, QgsProcessing, QgsProcessingException, QgsProcessingOutputNumber,
                       QgsProcessingParameterBoolean, QgsProcessingParameterFeatureSink,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterMapLayer, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer, QgsProcessingParameterString, QgsWkbTypes)
from qgis.PyQt.QtCore import QVariant

from ..algorithms import okada, okadafit
from ..algorithms.progress import check_cancel
from ..algorithms.stackio import (S1_HEADING_DEG, S1_INCIDENCE_DEG, Geometry, plan_row_blocks, read_band,
                                  read_stack_info, write_raster)
from .base import MineSARAlgorithm, attribute_value, tr

FIELDS = okada.SOURCE_COLUMNS  # x, y, depth, length, width, strike, dip, opening, strike_slip, dip_slip


# --------------------------------------------------------------------------- helpers
def _num(v):
    """A finite float from an attribute (text allowed), else ``None``."""
    v = attribute_value(v)
    if v is None:
        return None
    try:
        f = float(str(v).strip()) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def read_sources(source, context, target_crs, *, name, require_all=True):
    """Rectangles of a polygon layer or a table as (n, 10) in ``target_crs``.

    Fields (case-insensitive): x, y, depth, length, width, strike, dip,
    opening, strike_slip, dip_slip.  For polygons, missing x, y, length,
    width and strike come from the oriented minimum rectangle of the polygon
    (its surface projection).  Missing dip and slips are 0; missing depth or
    opening is an error when ``require_all``.
    """
    if source is None:
        raise QgsProcessingException(tr("{}: no layer given").format(name))
    fmap = {f.name().lower(): f.name() for f in source.fields()}
    has_geom = source.wkbType() != QgsWkbTypes.NoGeometry and \
        QgsWkbTypes.geometryType(source.wkbType()) == QgsWkbTypes.PolygonGeometry
    xform = None
    if target_crs is not None and target_crs.isValid() and source.sourceCrs().isValid() \
            and source.sourceCrs() != target_crs:
        xform = QgsCoordinateTransform(source.sourceCrs(), target_crs, context.transformContext())
    rows = []
    for i, feat in enumerate(source.getFeatures()):
        vals = {k: _num(feat[fmap[k]]) if k in fmap else None for k in FIELDS}
        if has_geom and feat.hasGeometry():
            g = QgsGeometry(feat.geometry())
            if xform is not None:
                g.transform(xform)
            ring = []
            poly = g.asMultiPolygon() if g.isMultipart() else [g.asPolygon()]
            if poly and poly[0]:
                ring = [(p.x(), p.y()) for p in poly[0][0][:-1]]
            if len(ring) >= 3:
                cx, cy, L, W, strike = okadafit.rectangle_from_corners(ring)
                dip = vals["dip"] or 0.0
                cosd = abs(math.cos(math.radians(dip))) or 1.0
                for k, v in (("x", cx), ("y", cy), ("length", L), ("width", W / cosd), ("strike", strike)):
                    if vals[k] is None:
                        vals[k] = v
        elif xform is not None and vals["x"] is not None and vals["y"] is not None:
            p = xform.transform(QgsPointXY(vals["x"], vals["y"]))
            vals["x"], vals["y"] = p.x(), p.y()
        for k in ("dip", "strike_slip", "dip_slip"):
            if vals[k] is None:
                vals[k] = 0.0
        if not require_all:  # starting rectangles: depth and opening may be left out
            if vals["opening"] is None:
                vals["opening"] = -1.0
            if vals["depth"] is None and vals["length"] is not None and vals["width"] is not None:
                vals["depth"] = 0.8 * max(vals["length"], vals["width"])
        missing = [k for k in FIELDS if vals[k] is None]
        if missing:
            raise QgsProcessingException(tr("{}: feature {} has no value for {}").format(
                name, i + 1, ", ".join(missing)))
        rows.append([vals[k] for k in FIELDS])
    if not rows:
        raise QgsProcessingException(tr("{}: the layer has no features").format(name))
    return np.array(rows, dtype=float)


def _layer_crs_wkt(layer):
    return layer.crs().toWkt() if layer is not None and layer.crs().isValid() else ""


def _raster_grid(path):
    info = read_stack_info(path, name="TEMPLATE")
    gt = info.geotransform
    if gt is None:
        raise QgsProcessingException(tr("{}: the raster has no georeferencing").format("TEMPLATE"))
    cols = np.arange(info.width) + 0.5
    rows = np.arange(info.height) + 0.5
    C, R = np.meshgrid(cols, rows)
    X = gt[0] + C * gt[1] + R * gt[2]
    Y = gt[3] + C * gt[4] + R * gt[5]
    return info, X, Y


def _geometry_angles(alg, parameters, context, info):
    inc = alg.parameterAsDouble(parameters, "INCIDENCE", context) if parameters.get("INCIDENCE") not in (None, "") \
        else None
    head = alg.parameterAsDouble(parameters, "HEADING", context) if parameters.get("HEADING") not in (None, "") \
        else None
    if inc is None:
        inc = float(info.metadata["INCIDENCE_DEG"]) if info is not None and info.metadata.get("INCIDENCE_DEG") \
            else S1_INCIDENCE_DEG
    if head is None:
        head = float(info.metadata["HEADING_DEG"]) if info is not None and info.metadata.get("HEADING_DEG") \
            else S1_HEADING_DEG
    if not 0.0 <= inc < 90.0:
        raise QgsProcessingException(tr("INCIDENCE: must be in [0, 90) degrees, got {}").format(inc))
    return inc, head


def _add_angle_parameters(alg):
    alg.add_number("INCIDENCE", tr("Incidence angle (degrees; empty = from the raster metadata, else 39)"), None,
                   minimum=0.0, maximum=89.9, optional=True)
    alg.add_number("HEADING", tr("Heading, clockwise from north (degrees; empty = from the raster metadata, else -12)"),
                   None, minimum=-360.0, maximum=360.0, optional=True)


# ============================================================================ forward
class OkadaForwardAlgorithm(MineSARAlgorithm):
    """LOS displacement of rectangular dislocations (Okada 1992)."""

    ALG_ID = "okadaforward"
    DISPLAY_NAME = "Okada forward model (rectangular sources)"
    GROUP_ID = "6_modelling"
    HELP = (
        "Surface displacement of rectangular dislocations in an elastic half-space (Okada 1992, DC3D; "
        "double precision, numba), projected on the radar line of sight.\n\n"
        "SOURCES: a polygon layer of rectangles or a table (CSV or layer without geometry) with the fields "
        "x, y, depth, length, width, strike, dip, opening, strike_slip, dip_slip. x, y = CENTRE of the "
        "rectangle in the layer's CRS; depth of the centre in m, positive down; length along strike and width "
        "along dip in m; strike in degrees clockwise from north; dip in degrees; opening, strike_slip and "
        "dip_slip in m (opening negative for a closing, mined seam; strike-slip positive left-lateral; "
        "dip-slip positive reverse). For polygons, missing x, y, length, width and strike are taken from the "
        "polygon's oriented minimum rectangle (its surface projection); missing dip and slips are 0.\n\n"
        "TEMPLATE: a raster whose grid receives the model, or a point layer (then OUTPUT_POINTS gets a "
        "LOS_MM field, and E_MM, N_MM, U_MM with ENU). Geographic CRSs are evaluated in a local azimuthal "
        "equidistant frame.\n\n"
        "Line of sight: unit vector toward the satellite E = -sin(inc) cos(head), N = sin(inc) sin(head), "
        "U = cos(inc) from INCIDENCE and HEADING (degrees, heading clockwise from north; empty = from the "
        "template metadata, else Sentinel-1 defaults), or per-pixel LOS_E/LOS_N/LOS_U rasters on the template "
        "grid. OUTPUT: LOS displacement in mm, positive toward the satellite (MINESAR_KIND=los_displacement, "
        "UNITS=mm); with ENU three more bands east, north, up (mm). POISSON: Poisson's ratio (0.25).\n\n"
        "Sources reaching above the surface (depth - width/2 sin(dip) < 0), zero sizes and missing values "
        "stop the run with a message naming the feature."
    )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            "SOURCES", tr("Source rectangles (polygons or table)"),
            [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVector]))
        self.addParameter(QgsProcessingParameterMapLayer("TEMPLATE", tr("Template grid (raster) or points")))
        _add_angle_parameters(self)
        for k, d in (("LOS_E", tr("LOS unit vector, east component (raster, optional)")),
                     ("LOS_N", tr("LOS unit vector, north component (raster, optional)")),
                     ("LOS_U", tr("LOS unit vector, up component (raster, optional)"))):
            p = QgsProcessingParameterRasterLayer(k, d, optional=True)
            p.setFlags(p.flags() | p.FlagAdvanced)
            self.addParameter(p)
        self.add_number("POISSON", tr("Poisson's ratio"), 0.25, minimum=-0.99, maximum=0.499)
        self.addParameter(QgsProcessingParameterBoolean("ENU", tr("Add east, north and up bands (mm)"), False))
        self.add_memory_parameter()
        self.addParameter(QgsProcessingParameterRasterDestination(
            "OUTPUT", tr("LOS displacement (mm)"), optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "OUTPUT_POINTS", tr("Modelled points"), QgsProcessing.TypeVectorPoint, optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("MIN_LOS_MM", tr("Most negative LOS displacement (mm)")))

    def run_stage(self, parameters, context, feedback):
        layer = self.parameterAsLayer(parameters, "TEMPLATE", context)
        if layer is None:
            raise QgsProcessingException(tr("{}: no layer given").format("TEMPLATE"))
        src_layer = self.parameterAsSource(parameters, "SOURCES", context)
        sources = read_sources(src_layer, context, layer.crs(), name="SOURCES")
        poisson = self.parameterAsDouble(parameters, "POISSON", context)
        enu = self.parameterAsBool(parameters, "ENU", context)
        if layer.type() == QgsMapLayer.RasterLayer:
            path = layer.source().split("|")[0]
            info, X, Y = _raster_grid(path)
            inc, head = _geometry_angles(self, parameters, context, info)
            frame = okadafit.MetricFrame(info.crs_wkt, (float(X.mean()), float(Y.mean())))
            Xm, Ym = frame.to_metric(X, Y)
            sm = sources.copy()
            sm[:, 0], sm[:, 1] = frame.to_metric(sources[:, 0], sources[:, 1])
            okada.validate_sources(sm)
            los = self._los(parameters, context, info, inc, head)
            out_path = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
            if not out_path:
                raise QgsProcessingException(tr("{}: a raster template needs a raster output").format("OUTPUT"))
            nb = 4 if enu else 1
            data = np.empty((nb, info.height, info.width), dtype=np.float32)
            blocks = plan_row_blocks(info.height, info.width, bytes_per_pixel=8 * 12,
                                     memory_mb=self.parameterAsInt(parameters, "MEMORY_MB", context))
            for bi, b in enumerate(blocks):
                check_cancel(feedback)
                sl = slice(b.row0, b.row0 + b.nrows)
                ue, un, uu = okada.rectangles_enu(Xm[sl], Ym[sl], sm, poisson=poisson)
                le, ln, lu = (c[sl] if np.ndim(c) else c for c in los)
                data[0, sl] = 1000.0 * (le * ue + ln * un + lu * uu)
                if enu:
                    data[1, sl], data[2, sl], data[3, sl] = 1000 * ue, 1000 * un, 1000 * uu
                feedback.setProgress(100.0 * (bi + 1) / len(blocks))
            geom = Geometry.from_metadata(info.metadata)
            geom.incidence_deg, geom.heading_deg = inc, head
            labels = ["los", "east", "north", "up"][:nb]
            write_raster(out_path, data, kind="los_displacement", units="mm", labels=labels, like=info,
                         geometry=geom, nodata=float("nan"),
                         metadata={"POISSON": repr(poisson), "OKADA_SOURCES": repr(sources.round(6).tolist()),
                                   "BANDS": ",".join(labels)})
            feedback.pushInfo(tr("Most negative LOS displacement {:.2f} mm").format(float(np.nanmin(data[0]))))
            return {"OUTPUT": out_path, "OUTPUT_POINTS": None, "MIN_LOS_MM": float(np.nanmin(data[0]))}
        # ---- point template
        pts = self.parameterAsSource(parameters, "TEMPLATE", context)
        xs, ys, feats = [], [], []
        for f in pts.getFeatures():
            if not f.hasGeometry():
                continue
            p = f.geometry().centroid().asPoint()
            xs.append(p.x())
            ys.append(p.y())
            feats.append(f)
        if not xs:
            raise QgsProcessingException(tr("{}: the point layer has no features").format("TEMPLATE"))
        xs, ys = np.array(xs), np.array(ys)
        inc, head = _geometry_angles(self, parameters, context, None)
        frame = okadafit.MetricFrame(_layer_crs_wkt(layer), (float(xs.mean()), float(ys.mean())))
        xm, ym = frame.to_metric(xs, ys)
        sm = sources.copy()
        sm[:, 0], sm[:, 1] = frame.to_metric(sources[:, 0], sources[:, 1])
        ue, un, uu = okada.rectangles_enu(xm, ym, sm, poisson=poisson)
        le, ln, lu = okada.los_vector(inc, head)
        los_mm = 1000.0 * (le * ue + ln * un + lu * uu)
        fields = QgsFields(pts.fields())
        extra = ["LOS_MM"] + (["E_MM", "N_MM", "U_MM"] if enu else [])
        for nm in extra:
            fields.append(QgsField(nm, QVariant.Double))
        sink, dest = self.parameterAsSink(parameters, "OUTPUT_POINTS", context, fields, pts.wkbType(),
                                          pts.sourceCrs())
        if sink is None:
            raise QgsProcessingException(tr("{}: a point template needs the point output").format("OUTPUT_POINTS"))
        for i, f in enumerate(feats):
            nf = QgsFeature(fields)
            nf.setGeometry(f.geometry())
            vals = [float(los_mm[i])] + ([1000 * float(ue[i]), 1000 * float(un[i]), 1000 * float(uu[i])] if enu else [])
            nf.setAttributes(list(f.attributes()) + vals)
            sink.addFeature(nf, QgsFeatureSink.FastInsert)
        return {"OUTPUT": None, "OUTPUT_POINTS": dest, "MIN_LOS_MM": float(los_mm.min())}

    def _los(self, parameters, context, info, inc, head):
        paths = [self.raster_path(parameters, k, context, required=False) for k in ("LOS_E", "LOS_N", "LOS_U")]
        if any(paths):
            if not all(paths):
                raise QgsProcessingException(tr("LOS_E: give all three LOS rasters or none"))
            comps = []
            for k, p in zip(("LOS_E", "LOS_N", "LOS_U"), paths):
                a = read_band(p, 0, dtype=np.float64)
                if a.shape != (info.height, info.width):
                    raise QgsProcessingException(tr("{}: raster size {} does not match the template {}").format(
                        k, a.shape, (info.height, info.width)))
                comps.append(a)
            return tuple(comps)
        return okada.los_vector(inc, head)


# ================================================================================ fit
class OkadaFitAlgorithm(MineSARAlgorithm):
    """Bayesian fit of rectangular sources with uncertainties (GBIS-like)."""

    ALG_ID = "okadafit"
    DISPLAY_NAME = "Okada source fit (Bayesian, with uncertainties)"
    GROUP_ID = "6_modelling"
    HELP = (
        "Fits 1-5 rectangular dislocations (Okada 1992) to a displacement raster or point layer and reports "
        "how certain each parameter is, following GBIS (Bagnardi & Hooper 2018).\n\n"
        "DISPLACEMENT: a LOS raster in mm positive toward the satellite (e.g. the sbas time series, band BAND, "
        "0 = last band = cumulative, or its velocity in mm/yr: then openings are in m/yr), or with "
        "VERTICAL_INPUT a vertical raster (mm, up positive); or a point layer with the value in FIELD (e.g. "
        "VEL or a DYYYYMMDD field of psinsar). LOS from INCIDENCE/HEADING (degrees; empty = raster metadata, "
        "else Sentinel-1 defaults).\n\n"
        "Model: horizontal rectangles (FIX_DIP_ZERO, coal seams, default) or free dip (0-90°); tensile "
        "opening only, or also strike-slip and dip-slip (FREE_SLIP). OPENING_SIGN negative (closing seam, "
        "default), positive or any, |opening| <= MAX_OPENING m. Bounds: centres inside the data extent, depth "
        "DEPTH_MIN..DEPTH_MAX m (0 = half the data extent), length and width LENGTH_MIN..LENGTH_MAX m (0 = two "
        "pixels .. half the extent). A nuisance offset (mm) and ramp (mm/km) are estimated (OFFSET, RAMP). "
        "START_SOURCES: optional rectangles you draw (polygons; fields as in okadaforward optional) to start "
        "the search near them.\n\n"
        "Method: quadtree reduction (cells split while their variance exceeds QUADTREE_THRESHOLD mm², 0 = "
        "chosen so that at most MAX_SAMPLES samples remain); noise = exponential covariance sill·exp(-r/range) "
        "plus a nugget, fitted to the far-field semivariogram of a first fit's residual (or NOISE_SILL mm², "
        "NOISE_RANGE m); global search by differential evolution (openings, offset and ramp solved linearly "
        "for each candidate) and multi-start least squares, then a remove-and-reinsert sweep (each rectangle "
        "searched again with the others refitted); support of each rectangle: the chi-square increase when "
        "it is removed against the BIC penalty of its parameters (a warning names unsupported ones); then "
        "adaptive Metropolis-within-Gibbs MCMC (ITERATIONS, 40 % burn-in, one rectangle per step) for the "
        "posterior mean, standard deviation and 95 % interval of every parameter.\n\n"
        "Outputs: OUTPUT_SOURCES polygons (surface projection of each rectangle) with x, y (centre, layer "
        "CRS), depth, length, width (m), strike, dip (°), opening, strike_slip, dip_slip (m) of the best "
        "fit (maximum posterior, GBIS' optimal model) and *_MEAN, *_STD, *_LO95, *_HI95 posterior fields, "
        "supported (1/0), dchi2, peak_mm; OUTPUT_MODEL and OUTPUT_RESIDUAL rasters of the best fit in mm (raster "
        "input); OUTPUT_REPORT HTML with the parameter table, the residual histogram with mean, standard "
        "deviation and 95 % range, the observed and modelled profile through the sources, posterior "
        "marginals and the semivariogram. Conventions: x east, y north, depth positive down, strike "
        "clockwise from north, centre of the rectangle. NaN-only input, N_SOURCES outside 1-5 and invalid "
        "bounds stop the run with a message naming the parameter."
    )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterMapLayer("DISPLACEMENT", tr("Displacement raster or point layer")))
        self.add_number("BAND", tr("Raster band (0 = last band)"), 0, minimum=0, integer=True)
        self.addParameter(QgsProcessingParameterString("FIELD", tr("Value field of a point layer"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean("VERTICAL_INPUT", tr("Input is vertical displacement"), False))
        _add_angle_parameters(self)
        self.add_number("N_SOURCES", tr("Number of rectangles (1-5)"), 1, integer=True)
        self.addParameter(QgsProcessingParameterFeatureSource(
            "START_SOURCES", tr("Starting rectangles (polygons, optional)"), [QgsProcessing.TypeVectorPolygon],
            optional=True))
        self.addParameter(QgsProcessingParameterBoolean("FIX_DIP_ZERO", tr("Horizontal rectangles (dip 0)"), True))
        self.addParameter(QgsProcessingParameterBoolean("FREE_SLIP", tr("Also fit strike-slip and dip-slip"), False))
        self.add_enum("OPENING_SIGN", tr("Sign of the opening"), ["negative", "positive", "any"], "negative")
        self.add_number("MAX_OPENING", tr("Largest |opening| or |slip| (m)"), 10.0, minimum=1e-6)
        self.add_number("DEPTH_MIN", tr("Smallest centre depth (m)"), 20.0, minimum=0.0)
        self.add_number("DEPTH_MAX", tr("Largest centre depth (m, 0 = half the data extent)"), 0.0, minimum=0.0)
        self.add_number("LENGTH_MIN", tr("Smallest length and width (m, 0 = two pixels)"), 0.0, minimum=0.0)
        self.add_number("LENGTH_MAX", tr("Largest length and width (m, 0 = half the data extent)"), 0.0, minimum=0.0)
        self.addParameter(QgsProcessingParameterBoolean("OFFSET", tr("Fit a constant offset"), True))
        self.addParameter(QgsProcessingParameterBoolean("RAMP", tr("Fit a linear ramp"), True))
        adv = []
        adv.append(self.add_number("QUADTREE_THRESHOLD", tr("Quadtree variance threshold (mm², 0 = automatic)"), 0.0,
                                   minimum=0.0))
        adv.append(self.add_number("MAX_SAMPLES", tr("Most quadtree samples (automatic threshold)"), 600,
                                   minimum=20, integer=True))
        adv.append(self.add_number("NOISE_SILL", tr("Noise sill (mm², 0 = fit to the far field)"), 0.0, minimum=0.0))
        adv.append(self.add_number("NOISE_RANGE", tr("Noise range (m, 0 = fit to the far field)"), 0.0, minimum=0.0))
        adv.append(self.add_number("POISSON", tr("Poisson's ratio"), 0.25, minimum=-0.99, maximum=0.499))
        adv.append(self.add_number("ITERATIONS", tr("MCMC iterations"), 50000, minimum=500, integer=True))
        adv.append(self.add_number("DE_GENERATIONS", tr("Differential-evolution generations"), 60, minimum=1,
                                   integer=True))
        adv.append(self.add_number("SEED", tr("Random seed"), 0, minimum=0, integer=True))
        for p in adv:
            p.setFlags(p.flags() | p.FlagAdvanced)
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT_SOURCES", tr("Fitted rectangles"),
                                                            QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT_MODEL", tr("Model (mm)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT_RESIDUAL", tr("Residual (mm)"),
                                                                  optional=True))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT_REPORT", tr("Fit report"),
                                                                tr("HTML files (*.html)")))
        self.addOutput(QgsProcessingOutputNumber("N_QUADTREE", tr("Quadtree samples used")))
        self.addOutput(QgsProcessingOutputNumber("RESIDUAL_MEAN", tr("Residual mean (mm)")))
        self.addOutput(QgsProcessingOutputNumber("RESIDUAL_STD", tr("Residual standard deviation (mm)")))
        self.addOutput(QgsProcessingOutputNumber("N_SUPPORTED", tr("Sources supported by the data (BIC)")))

    def run_stage(self, parameters, context, feedback):
        layer = self.parameterAsLayer(parameters, "DISPLACEMENT", context)
        if layer is None:
            raise QgsProcessingException(tr("{}: no layer given").format("DISPLACEMENT"))
        vertical = self.parameterAsBool(parameters, "VERTICAL_INPUT", context)
        info = None
        if layer.type() == QgsMapLayer.RasterLayer:
            path = layer.source().split("|")[0]
            info, X, Y = _raster_grid(path)
            band = self.parameterAsInt(parameters, "BAND", context)
            if band > info.count:
                raise QgsProcessingException(tr("BAND: the raster has {} bands, got {}").format(info.count, band))
            b0 = info.count - 1 if band == 0 else band - 1
            data = read_band(path, b0, dtype=np.float64)
            crs_wkt = info.crs_wkt
            units = info.units or "mm"
        else:
            src = self.parameterAsSource(parameters, "DISPLACEMENT", context)
            field = self.parameterAsString(parameters, "FIELD", context)
            if not field or src.fields().indexFromName(field) < 0:
                raise QgsProcessingException(tr("FIELD: give the name of a numeric field of the point layer"))
            xs, ys, vs = [], [], []
            for f in src.getFeatures():
                if not f.hasGeometry():
                    continue
                p = f.geometry().centroid().asPoint()
                v = _num(f[field])
                xs.append(p.x())
                ys.append(p.y())
                vs.append(np.nan if v is None else v)
            X, Y, data = np.array(xs), np.array(ys), np.array(vs, dtype=float)
            crs_wkt = _layer_crs_wkt(layer)
            units = "mm"
        if data.size == 0 or not np.isfinite(data).any():
            raise QgsProcessingException(tr("DISPLACEMENT: contains no valid (non-NaN) values"))
        inc, head = _geometry_angles(self, parameters, context, info)
        los = okada.los_vector(inc, head)
        ok = np.isfinite(data)
        frame = okadafit.MetricFrame(crs_wkt, (float(X[ok].mean()), float(Y[ok].mean())))
        Xm, Ym = frame.to_metric(X, Y)
        start = None
        start_src = self.parameterAsSource(parameters, "START_SOURCES", context)
        n_src = self.parameterAsInt(parameters, "N_SOURCES", context)
        if start_src is not None:
            target = layer.crs()
            start = read_sources(start_src, context, target, name="START_SOURCES", require_all=False)
            start[:, 0], start[:, 1] = frame.to_metric(start[:, 0], start[:, 1])
        dmax = self.parameterAsDouble(parameters, "DEPTH_MAX", context)
        lmin = self.parameterAsDouble(parameters, "LENGTH_MIN", context)
        lmax = self.parameterAsDouble(parameters, "LENGTH_MAX", context)
        ext = max(np.ptp(Xm[ok]), np.ptp(Ym[ok]))
        pix = math.sqrt(max(np.ptp(Xm[ok]), 1.0) * max(np.ptp(Ym[ok]), 1.0) / max(int(ok.sum()), 1))
        length_range = (lmin if lmin > 0 else 2 * pix, lmax if lmax > 0 else 0.5 * ext)
        sill = self.parameterAsDouble(parameters, "NOISE_SILL", context)
        rng_m = self.parameterAsDouble(parameters, "NOISE_RANGE", context)
        thr = self.parameterAsDouble(parameters, "QUADTREE_THRESHOLD", context)
        res = okadafit.fit_sources(
            Xm, Ym, data, los=los, vertical=vertical, n_sources=n_src, start_sources=start,
            depth_range=(self.parameterAsDouble(parameters, "DEPTH_MIN", context), dmax if dmax > 0 else None),
            length_range=length_range, width_range=length_range,
            opening_sign=self.enum_value(parameters, "OPENING_SIGN", context),
            max_dislocation=self.parameterAsDouble(parameters, "MAX_OPENING", context),
            fix_dip_zero=self.parameterAsBool(parameters, "FIX_DIP_ZERO", context),
            free_slip=self.parameterAsBool(parameters, "FREE_SLIP", context),
            offset=self.parameterAsBool(parameters, "OFFSET", context),
            ramp=self.parameterAsBool(parameters, "RAMP", context),
            poisson=self.parameterAsDouble(parameters, "POISSON", context),
            quadtree_threshold=thr if thr > 0 else None,
            max_samples=self.parameterAsInt(parameters, "MAX_SAMPLES", context),
            noise_sill=sill if (sill > 0 and rng_m > 0) else None, noise_range=rng_m if (sill > 0 and rng_m > 0) else None,
            noise_nugget=0.0 if (sill > 0 and rng_m > 0) else None,
            n_iterations=self.parameterAsInt(parameters, "ITERATIONS", context),
            de_maxiter=self.parameterAsInt(parameters, "DE_GENERATIONS", context),
            seed=self.parameterAsInt(parameters, "SEED", context),
            # prange only in the main thread (qgis_process, scripts); QGIS runs algorithms in task threads
            parallel=threading.current_thread() is threading.main_thread(), feedback=feedback)
        model = res.model_mm(Xm, Ym, los, which="best")
        resid = data - model
        stats = okadafit.residual_stats(resid)
        results = {"N_QUADTREE": res.n_samples, "RESIDUAL_MEAN": stats["mean"], "RESIDUAL_STD": stats["std"],
                   "N_SUPPORTED": int(np.sum(res.supported))}
        # ---- rasters
        out_model = self.parameterAsOutputLayer(parameters, "OUTPUT_MODEL", context)
        out_res = self.parameterAsOutputLayer(parameters, "OUTPUT_RESIDUAL", context)
        if info is not None:
            geom = Geometry.from_metadata(info.metadata)
            geom.incidence_deg, geom.heading_deg = inc, head
            md = {"OKADA_SOURCES": repr(res.best.round(6).tolist()), "VERTICAL": str(bool(vertical))}
            if out_model:
                write_raster(out_model, np.where(np.isfinite(data), model, np.nan).astype(np.float32),
                             kind="model", units=units, labels=["model"], like=info, geometry=geom,
                             nodata=float("nan"), metadata=md)
                results["OUTPUT_MODEL"] = out_model
            if out_res:
                write_raster(out_res, resid.astype(np.float32), kind="residual", units=units, labels=["residual"],
                             like=info, geometry=geom, nodata=float("nan"), metadata=md)
                results["OUTPUT_RESIDUAL"] = out_res
        else:
            results["OUTPUT_MODEL"] = None
            results["OUTPUT_RESIDUAL"] = None
        # ---- source polygons (back in the layer's CRS)
        fields = QgsFields()
        fields.append(QgsField("source", QVariant.Int))
        for nm in FIELDS:
            fields.append(QgsField(nm, QVariant.Double))
        for suffix in ("_MEAN", "_STD", "_LO95", "_HI95"):
            for nm in FIELDS:
                fields.append(QgsField(nm + suffix, QVariant.Double))
        fields.append(QgsField("supported", QVariant.Int))
        fields.append(QgsField("dchi2", QVariant.Double))
        fields.append(QgsField("peak_mm", QVariant.Double))
        sink, dest = self.parameterAsSink(parameters, "OUTPUT_SOURCES", context, fields, QgsWkbTypes.Polygon,
                                          layer.crs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT_SOURCES"))
        for k in range(res.sources.shape[0]):
            corners = okadafit.rectangle_corners(res.best[k])
            cx, cy = frame.from_metric(corners[:, 0], corners[:, 1])
            ring = [QgsPointXY(float(a), float(b)) for a, b in zip(np.atleast_1d(cx), np.atleast_1d(cy))]
            f = QgsFeature(fields)
            f.setGeometry(QgsGeometry.fromPolygonXY([ring + ring[:1]]))
            mx, my = frame.from_metric(res.sources[k, 0], res.sources[k, 1])
            mean = res.sources[k].copy()
            mean[0], mean[1] = float(mx), float(my)
            best = res.best[k].copy()
            bx, by = frame.from_metric(best[0], best[1])
            best[0], best[1] = float(bx), float(by)
            lo95, hi95 = res.lo95[k].copy(), res.hi95[k].copy()
            for arr in (lo95, hi95):  # centre intervals in the layer's CRS
                ax_, _ = frame.from_metric(arr[0], res.sources[k, 1])
                _, ay_ = frame.from_metric(res.sources[k, 0], arr[1])
                arr[0], arr[1] = float(ax_), float(ay_)
            attrs = [k + 1] + [float(v) for v in best] + [float(v) for v in mean] + [float(v) for v in res.std[k]] + \
                [float(v) for v in lo95] + [float(v) for v in hi95] + \
                [int(bool(res.supported[k])), float(res.support_dchi2[k]), float(res.peak_mm[k])]
            f.setAttributes(attrs)
            sink.addFeature(f, QgsFeatureSink.FastInsert)
        results["OUTPUT_SOURCES"] = dest
        # ---- report
        report = self.parameterAsFileOutput(parameters, "OUTPUT_REPORT", context)
        if report:
            okadafit.write_report(report, res, obs=data, model=model, residual=resid, x=Xm, y=Ym, units=units,
                                  title=tr("MineSAR Okada source fit"), tr=tr)
            results["OUTPUT_REPORT"] = report
        feedback.pushInfo(tr("Residual: mean {:.2f} mm, standard deviation {:.2f} mm").format(
            stats["mean"], stats["std"]))
        for k in np.nonzero(~res.supported)[0]:
            feedback.pushWarning(tr("Source {} is not supported by the data: removing it raises the misfit by "
                                    "{:.1f} (chi-square), less than the {:.1f} its parameters cost (BIC). Fit "
                                    "fewer sources or constrain it with bounds.").format(
                int(k) + 1, float(res.support_dchi2[k]), float(res.support_penalty)))
        return results
