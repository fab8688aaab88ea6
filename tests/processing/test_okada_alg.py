"""minesar:okadaforward / okadafit through processing.run (tier b)."""
from __future__ import annotations

import csv

import numpy as np
import pytest
from osgeo import gdal, osr

from minesar.algorithms import okada
from minesar.algorithms.stackio import read_band, read_stack_info

EPSG = 32651  # UTM 51N (Shenyang)
X0, Y0 = 600000.0, 4650000.0
SRC = [[X0 + 100.0, Y0 - 200.0, 450.0, 600.0, 320.0, 30.0, 0.0, -0.6, 0.0, 0.0]]


def _template(path, n=60, pix=50.0, incidence=None):
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(str(path), n, n, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((X0 - n * pix / 2, pix, 0, Y0 + n * pix / 2, 0, -pix))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    ds.SetProjection(srs.ExportToWkt())
    if incidence is not None:
        ds.SetMetadata({"INCIDENCE_DEG": str(incidence), "HEADING_DEG": "-166.2"})
    ds.GetRasterBand(1).Fill(0)
    ds = None
    return str(path)


def _csv(path, rows):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(okada.SOURCE_COLUMNS)
        w.writerows(rows)
    return str(path)


def _grid(n=60, pix=50.0):
    c = X0 - n * pix / 2 + pix * (np.arange(n) + 0.5)
    r = Y0 + n * pix / 2 - pix * (np.arange(n) + 0.5)
    return np.meshgrid(c, r)


def test_okadaforward_raster_matches_core(run_alg, tmp_path):
    tpl = _template(tmp_path / "tpl.tif", incidence=37.1)
    src = _csv(tmp_path / "src.csv", SRC)
    out = tmp_path / "los.tif"
    res = run_alg("okadaforward", {"SOURCES": src, "TEMPLATE": tpl, "ENU": True, "OUTPUT": str(out)})
    info = read_stack_info(res["OUTPUT"])
    assert info.kind == "los_displacement" and info.units == "mm" and info.count == 4
    assert abs(info.geometry.incidence_deg - 37.1) < 1e-9   # taken from the template metadata
    X, Y = _grid()
    le, ln, lu = okada.los_vector(37.1, -166.2)
    ue, un, uu = okada.rectangles_enu(X, Y, np.array(SRC))
    los = read_band(res["OUTPUT"], 0)
    np.testing.assert_allclose(los, 1000 * (le * ue + ln * un + lu * uu), atol=1e-3)
    np.testing.assert_allclose(read_band(res["OUTPUT"], 3), 1000 * uu, atol=1e-3)
    assert los.min() < -50 and res["MIN_LOS_MM"] == pytest.approx(float(los.min()), abs=1e-3)


def test_okadaforward_polygon_sources_and_points(run_alg, tmp_path, qgis_app):
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant
    from minesar.algorithms.okadafit import rectangle_corners
    poly = QgsVectorLayer(f"Polygon?crs=EPSG:{EPSG}", "src", "memory")
    pr = poly.dataProvider()
    pr.addAttributes([QgsField("depth", QVariant.Double), QgsField("opening", QVariant.Double)])
    poly.updateFields()
    s = np.array(SRC[0])
    c = rectangle_corners(s)
    f = QgsFeature(poly.fields())
    f.setGeometry(QgsGeometry.fromPolygonXY([[QgsPointXY(*p) for p in c] + [QgsPointXY(*c[0])]]))
    f.setAttributes([450.0, -0.6])
    pr.addFeatures([f])
    pts = QgsVectorLayer(f"Point?crs=EPSG:{EPSG}", "pts", "memory")
    xs = [X0 + 100.0, X0 + 900.0, X0 - 1200.0]
    ys = [Y0 - 200.0, Y0 + 300.0, Y0 - 700.0]
    feats = []
    for x, y in zip(xs, ys):
        g = QgsFeature()
        g.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        feats.append(g)
    pts.dataProvider().addFeatures(feats)
    res = run_alg("okadaforward", {"SOURCES": poly, "TEMPLATE": pts, "INCIDENCE": 37.1, "HEADING": -166.2,
                                   "OUTPUT_POINTS": "memory:"})
    from qgis.core import QgsProcessingContext  # noqa: F401
    out = res["OUTPUT_POINTS"]
    layer = out if not isinstance(out, str) else QgsVectorLayer(out, "o", "ogr")
    got = np.array([f["LOS_MM"] for f in layer.getFeatures()])
    want = 1000 * okada.rectangles_los(np.array(xs), np.array(ys), np.array(SRC), *okada.los_vector(37.1, -166.2))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_okadaforward_bad_sources(run_alg, tmp_path):
    from qgis.core import QgsProcessingException
    tpl = _template(tmp_path / "tpl.tif")
    bad = [[X0, Y0, 100.0, 600.0, 320.0, 30.0, 90.0, -0.6, 0.0, 0.0]]  # vertical, 160 m above ground
    with pytest.raises(QgsProcessingException, match="SOURCES.*above the surface"):
        run_alg("okadaforward", {"SOURCES": _csv(tmp_path / "b.csv", bad), "TEMPLATE": tpl,
                                 "OUTPUT": str(tmp_path / "o.tif")})
    zero = [[X0, Y0, 400.0, 0.0, 320.0, 30.0, 0.0, -0.6, 0.0, 0.0]]
    with pytest.raises(QgsProcessingException, match="SOURCES.*zero"):
        run_alg("okadaforward", {"SOURCES": _csv(tmp_path / "z.csv", zero), "TEMPLATE": tpl,
                                 "OUTPUT": str(tmp_path / "o.tif")})


def test_okadafit_single_source_recovery(run_alg, tmp_path):
    """A one-source LOS raster (3 mm noise): fit, outputs, report."""
    from qgis.core import QgsVectorLayer
    tpl = _template(tmp_path / "tpl.tif", incidence=37.1)
    fwd = run_alg("okadaforward", {"SOURCES": _csv(tmp_path / "s.csv", SRC), "TEMPLATE": tpl,
                                   "OUTPUT": str(tmp_path / "los.tif")})
    los = read_band(fwd["OUTPUT"], 0)
    rng = np.random.default_rng(0)
    noisy = tmp_path / "noisy.tif"
    drv = gdal.GetDriverByName("GTiff")
    src_ds = gdal.Open(fwd["OUTPUT"])
    ds = drv.CreateCopy(str(noisy), src_ds)
    band = (los + rng.normal(0, 3.0, los.shape) + 4.0).astype(np.float32)
    band[:5, :5] = np.nan
    ds.GetRasterBand(1).WriteArray(band)
    ds = None
    res = run_alg("okadafit", {"DISPLACEMENT": str(noisy), "N_SOURCES": 1, "ITERATIONS": 3000,
                               "MAX_SAMPLES": 300, "DE_GENERATIONS": 30,
                               "OUTPUT_SOURCES": str(tmp_path / "fit.gpkg"),
                               "OUTPUT_MODEL": str(tmp_path / "model.tif"),
                               "OUTPUT_RESIDUAL": str(tmp_path / "res.tif"),
                               "OUTPUT_REPORT": str(tmp_path / "report.html")})
    lay = QgsVectorLayer(res["OUTPUT_SOURCES"], "fit", "ogr")
    feats = list(lay.getFeatures())
    assert len(feats) == 1
    f = feats[0]
    assert np.hypot(f["x"] - SRC[0][0], f["y"] - SRC[0][1]) < 50
    assert abs(f["depth"] / 450.0 - 1) < 0.1
    vol = f["length"] * f["width"] * f["opening"]
    assert abs(vol / (600 * 320 * -0.6) - 1) < 0.1
    for nm in ("depth", "opening"):  # plain fields = best fit, inside the posterior's 95 % interval
        assert f[nm + "_LO95"] < f[nm] < f[nm + "_HI95"] and f[nm + "_STD"] > 0
        assert f[nm + "_LO95"] < f[nm + "_MEAN"] < f[nm + "_HI95"]
    assert f["supported"] == 1 and f["dchi2"] > 100 and 50 < f["peak_mm"] < 500 and res["N_SUPPORTED"] == 1
    assert 10 <= res["N_QUADTREE"] <= 300
    assert abs(res["RESIDUAL_MEAN"]) < 1.0 and abs(res["RESIDUAL_STD"] - 3.0) < 0.5
    m = read_stack_info(res["OUTPUT_MODEL"])
    assert m.kind == "model" and m.units == "mm"
    r = read_band(res["OUTPUT_RESIDUAL"], 0)
    assert np.isnan(r[0, 0]) and abs(np.nanstd(r) - 3.0) < 0.5
    html = open(res["OUTPUT_REPORT"], encoding="utf-8").read()
    assert html.count("data:image/png;base64,") >= 4 and "Quadtree samples" in html
    assert "Support of each source" in html
    # two rectangles for one source: the second is reported as not supported by the data
    two = run_alg("okadafit", {"DISPLACEMENT": str(noisy), "N_SOURCES": 2, "ITERATIONS": 3000,
                               "MAX_SAMPLES": 300, "DE_GENERATIONS": 30,
                               "OUTPUT_SOURCES": str(tmp_path / "fit2.gpkg"),
                               "OUTPUT_REPORT": str(tmp_path / "report2.html")})
    assert two["N_SUPPORTED"] == 1
    lay2 = QgsVectorLayer(two["OUTPUT_SOURCES"], "fit2", "ogr")
    flags = sorted(f2["supported"] for f2 in lay2.getFeatures())
    assert flags == [0, 1]


@pytest.mark.parametrize("params, match", [
    ({"N_SOURCES": 0}, "N_SOURCES"),
    ({"N_SOURCES": 6}, "N_SOURCES"),
    ({"NAN": True}, "DISPLACEMENT"),
])
def test_okadafit_bad_input(run_alg, tmp_path, params, match):
    from qgis.core import QgsProcessingException
    path = _template(tmp_path / "d.tif")
    ds = gdal.Open(path, gdal.GA_Update)
    a = np.random.default_rng(1).normal(0, 1, (60, 60)).astype(np.float32)
    if params.pop("NAN", False):
        a[:] = np.nan
    ds.GetRasterBand(1).WriteArray(a)
    ds = None
    with pytest.raises(QgsProcessingException, match=match):
        run_alg("okadafit", dict({"DISPLACEMENT": path, "N_SOURCES": 1, "OUTPUT_SOURCES": "memory:",
                                  "OUTPUT_REPORT": str(tmp_path / "r.html")}, **params))


def test_okadafit_point_layer_vertical(run_alg, tmp_path, qgis_app):
    """Point layer + FIELD with vertical displacement (VERTICAL_INPUT): no rasters, polygons + report."""
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant
    rng = np.random.default_rng(3)
    xs = X0 + rng.uniform(-2500, 2500, 1500)
    ys = Y0 + rng.uniform(-2500, 2500, 1500)
    _, _, uu = okada.rectangles_enu(xs, ys, np.array(SRC))
    vals = 1000 * uu + rng.normal(0, 2.0, xs.size)
    lay = QgsVectorLayer(f"Point?crs=EPSG:{EPSG}", "pts", "memory")
    lay.dataProvider().addAttributes([QgsField("VERT_MM", QVariant.Double)])
    lay.updateFields()
    feats = []
    for x, y, v in zip(xs, ys, vals):
        f = QgsFeature(lay.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
        f.setAttributes([float(v)])
        feats.append(f)
    lay.dataProvider().addFeatures(feats)
    res = run_alg("okadafit", {"DISPLACEMENT": lay, "FIELD": "VERT_MM", "VERTICAL_INPUT": True, "N_SOURCES": 1,
                               "ITERATIONS": 2000, "DE_GENERATIONS": 25, "MAX_SAMPLES": 300,
                               "OUTPUT_SOURCES": str(tmp_path / "fit.gpkg"),
                               "OUTPUT_REPORT": str(tmp_path / "r.html")})
    assert res["OUTPUT_MODEL"] is None and res["OUTPUT_RESIDUAL"] is None
    f = next(QgsVectorLayer(res["OUTPUT_SOURCES"], "fit", "ogr").getFeatures())
    assert np.hypot(f["x"] - SRC[0][0], f["y"] - SRC[0][1]) < 50
    assert abs(f["depth"] / SRC[0][2] - 1) < 0.1
    assert abs(f["length"] * f["width"] * f["opening"] / (SRC[0][3] * SRC[0][4] * SRC[0][7]) - 1) < 0.1
    assert abs(res["RESIDUAL_STD"] - 2.0) < 0.4
    with pytest.raises(Exception, match="FIELD"):
        run_alg("okadafit", {"DISPLACEMENT": lay, "FIELD": "NOPE", "N_SOURCES": 1,
                             "OUTPUT_SOURCES": "memory:", "OUTPUT_REPORT": str(tmp_path / "r2.html")})
