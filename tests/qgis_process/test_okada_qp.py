"""minesar:okadaforward / okadafit headless through qgis_process.bin, alone and chained."""
from __future__ import annotations

import csv

import numpy as np
from osgeo import gdal, osr

EPSG = 32651
X0, Y0 = 600000.0, 4650000.0
SRC = [X0 + 100.0, Y0 - 200.0, 450.0, 600.0, 320.0, 30.0, 0.0, -0.6, 0.0, 0.0]


def _template(path, n=50, pix=60.0):
    ds = gdal.GetDriverByName("GTiff").Create(str(path), n, n, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((X0 - n * pix / 2, pix, 0, Y0 + n * pix / 2, 0, -pix))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    ds.SetProjection(srs.ExportToWkt())
    ds.GetRasterBand(1).Fill(0)
    ds = None
    return path


def _csv(path, rows):
    from minesar.algorithms import okada
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(okada.SOURCE_COLUMNS)
        w.writerows(rows)
    return path


def test_okadaforward_headless_and_error(qgis_process, tmp_path):
    from minesar.algorithms import okada
    from minesar.algorithms.stackio import read_band, read_stack_info
    tpl = _template(tmp_path / "tpl.tif")
    out = tmp_path / "los.tif"
    rc, js, stdout, err = qgis_process("run", "minesar:okadaforward", params={
        "SOURCES": _csv(tmp_path / "s.csv", [SRC]), "TEMPLATE": tpl, "INCIDENCE": 37.1, "HEADING": -166.2,
        "OUTPUT": out})
    assert rc == 0, err + stdout
    info = read_stack_info(str(out))
    assert info.kind == "los_displacement" and info.units == "mm"
    n, pix = 50, 60.0
    c = X0 - n * pix / 2 + pix * (np.arange(n) + 0.5)
    r = Y0 + n * pix / 2 - pix * (np.arange(n) + 0.5)
    X, Y = np.meshgrid(c, r)
    want = 1000 * okada.rectangles_los(X, Y, np.array([SRC]), *okada.los_vector(37.1, -166.2))
    np.testing.assert_allclose(read_band(str(out), 0), want, atol=1e-3)
    assert js["results"]["MIN_LOS_MM"] < -50
    # a source above the ground: clear message, no traceback, no output
    bad = list(SRC)
    bad[2] = -5.0
    out2 = tmp_path / "bad.tif"
    rc, js, stdout, err = qgis_process("run", "minesar:okadaforward", params={
        "SOURCES": _csv(tmp_path / "b.csv", [bad]), "TEMPLATE": tpl, "OUTPUT": out2})
    assert rc != 0
    assert "SOURCES: source 1 reaches above the surface" in stdout + err
    assert "Traceback" not in stdout + err and not out2.exists()


def test_model_chain_okadaforward_okadafit(qgis_app, qgis_process, tmp_path):
    """Modeler: the forward model's LOS raster feeds the fit; the fit finds the source."""
    from modeltools import build_model
    from osgeo import ogr
    tpl = _template(tmp_path / "tpl.tif")
    model = build_model(tmp_path / "okada.model3", [
        ("fwd", "minesar:okadaforward", {"SOURCES": ("input", "sources"), "TEMPLATE": ("input", "template"),
                                         "INCIDENCE": ("value", 37.1), "HEADING": ("value", -166.2),
                                         "OUTPUT": ("output", "los")}),
        ("fit", "minesar:okadafit", {"DISPLACEMENT": ("child", "fwd", "OUTPUT"), "N_SOURCES": ("value", 1),
                                     "ITERATIONS": ("value", 2000), "MAX_SAMPLES": ("value", 250),
                                     "DE_GENERATIONS": ("value", 25),
                                     "OUTPUT_SOURCES": ("output", "sources_fit"),
                                     "OUTPUT_RESIDUAL": ("output", "residual"),
                                     "OUTPUT_REPORT": ("output", "report")}),
    ], inputs={"sources": "file", "template": "raster"})
    fit = tmp_path / "fit.gpkg"
    rc, js, stdout, err = qgis_process("run", str(model), params={
        "sources": _csv(tmp_path / "s.csv", [SRC]), "template": tpl, "fwd:los": tmp_path / "los.tif",
        "fit:sources_fit": fit, "fit:residual": tmp_path / "res.tif", "fit:report": tmp_path / "r.html"})
    assert rc == 0, err + stdout
    ds = ogr.Open(str(fit))
    lay = ds.GetLayer(0)
    assert lay.GetFeatureCount() == 1
    f = lay.GetNextFeature()
    assert np.hypot(f.GetField("x") - SRC[0], f.GetField("y") - SRC[1]) < 25
    assert abs(f.GetField("depth") / SRC[2] - 1) < 0.05
    assert abs(f.GetField("opening") * f.GetField("length") * f.GetField("width")
               / (SRC[7] * SRC[3] * SRC[4]) - 1) < 0.05
    assert (tmp_path / "r.html").stat().st_size > 20_000
