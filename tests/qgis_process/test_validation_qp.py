"""leveling / profile / tilt headless through qgis_process.bin, and in a Modeler chain (tier c)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from validationfixtures import DATES, GT, write_layer, write_ts


def ogr_rows(path):
    from osgeo import ogr
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer(0)
    out = [{lyr.GetLayerDefn().GetFieldDefn(i).GetName(): f.GetField(i) for i in range(f.GetFieldCount())}
           for f in lyr]
    ds = None
    return out


def ogr_rows_xy(path):
    from osgeo import ogr
    ds = ogr.Open(str(path))
    out = []
    for f in ds.GetLayer(0):
        g = f.GetGeometryRef()
        out.append((g.GetX(), g.GetY()))
    ds = None
    return out


def plane_raster(tmp_path):
    r, c = np.mgrid[0:20, 0:30]
    x = GT[0] + 10.0 * c + 5.0
    y = GT[3] - 10.0 * r - 5.0
    return write_ts(tmp_path / "plane.tif", 0.5 * (x - GT[0]) - 0.2 * (y - GT[3]) + 3.0, incidence=39.0)


def plane(x, y, k=1.0):
    return k * (0.5 * (x - GT[0]) - 0.2 * (y - GT[3]) + 3.0)


@pytest.fixture
def data(tmp_path):
    from osgeo import ogr
    from pyproj import Transformer
    ts = plane_raster(tmp_path)
    to_ll = Transformer.from_crs(32650, 4326, always_xy=True)
    bm_rows = []
    for name, x, y, dist in (("B1", 501055.0, 1955.0, 0.0), ("B2", 501105.0, 1905.0, 0.0),
                             ("B3", 501205.0, 1905.0, 0.0), ("B4", 501155.0, 1855.0, 40.0)):
        lon, lat = to_ll.transform(x, y)
        bm_rows.append((f"POINT ({lon!r} {lat!r})", {"NAME": name, "SUBS": plane(x, y, 2.0) + dist}))
    bm = write_layer(tmp_path / "bm.gpkg", 4326, ogr.wkbPoint, [("NAME", ogr.OFTString), ("SUBS", ogr.OFTReal)],
                     bm_rows)
    line = write_layer(tmp_path / "line.gpkg", 32650, ogr.wkbLineString, [("N", ogr.OFTInteger)],
                       [("LINESTRING (501015 1985, 501255 1825)", {"N": 1})])
    return ts, bm, line


def test_leveling_headless(qgis_process, tmp_path, data):
    ts, bm, _ = data
    out = tmp_path / "cmp.gpkg"
    rep = tmp_path / "rep.html"
    rc, js, stdout, err = qgis_process("run", "minesar:leveling", params={
        "BENCHMARKS": bm, "ID_FIELD": "NAME", "VALUE_FIELD": "SUBS", "INSAR": ts, "AGGREGATION": "bilinear",
        "VERTICAL": False, "OUTPUT": out, "OUTPUT_REPORT": rep})
    assert rc == 0, err + stdout
    r = js["results"]
    assert r["N"] == 4 and r["N_OUTLIERS"] == 1 and r["N_CLEAN"] == 3
    assert r["RMSE_CLEAN"] == pytest.approx(0.0, abs=1e-3)
    assert r["RMSE"] == pytest.approx(20.0, abs=1e-3)          # sqrt(40² / 4)
    rows = {x["ID"]: x for x in ogr_rows(out)}
    assert rows["B4"]["OUTLIER"] == 1 and rows["B4"]["DIFF"] == pytest.approx(-40.0, abs=1e-3)
    assert "1:1" in rep.read_text(encoding="utf-8")


def test_leveling_headless_bad_date(qgis_process, tmp_path, data):
    ts, bm, _ = data
    out = tmp_path / "cmp.gpkg"
    rc, js, stdout, err = qgis_process("run", "minesar:leveling", params={
        "BENCHMARKS": bm, "ID_FIELD": "NAME", "VALUE_FIELD": "SUBS", "INSAR": ts, "END_DATE": "20210101",
        "OUTPUT": out, "OUTPUT_REPORT": tmp_path / "r.html"})
    assert rc != 0
    assert "END_DATE: 20210101 is outside the InSAR period 20200101–20200131" in stdout + err
    assert "Traceback" not in stdout + err


def test_profile_and_tilt_headless(qgis_process, tmp_path, data):
    ts, _, line = data
    rc, js, stdout, err = qgis_process("run", "minesar:profile", params={
        "INPUT": ts, "LINE": line, "STEP": 20, "BUFFER": 0, "DATES": "last",
        "OUTPUT": tmp_path / "p.gpkg", "PLOT": tmp_path / "p.png"})
    assert rc == 0, err + stdout
    assert js["results"]["LENGTH_M"] == pytest.approx(math.hypot(240, 160))
    rows = ogr_rows(tmp_path / "p.gpkg")
    for x in rows:
        assert x["D20200131"] == pytest.approx(plane(x["X"], x["Y"], 2.0), abs=1e-3)
    rc, js, stdout, err = qgis_process("run", "minesar:tilt", params={
        "INPUT": ts, "POINT_A": "501055,1955 [EPSG:32650]", "POINT_B": "501085,1915 [EPSG:32650]",
        "OUTPUT": tmp_path / "t.gpkg", "PLOT": tmp_path / "t.png"})
    assert rc == 0, err + stdout
    # d_B - d_A at the last date = 2 * (0.5 * 30 - 0.2 * (-40)) = 46 mm over 50 m
    assert js["results"]["DISTANCE_M"] == pytest.approx(50.0)
    assert js["results"]["MAX_TILT"] == pytest.approx(0.046 / 50.0, rel=1e-6)
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"


def test_modeler_chain(qgis_app, qgis_process, tmp_path, data):
    """Model: time-series raster -> profile stations (points with DYYYYMMDD fields) -> leveling against them,
    and the raster -> tilt, run through qgis_process."""
    from modeltools import build_model
    ts, bm, line = data
    model = build_model(tmp_path / "validation.model3", [
        ("prof", "minesar:profile", {"INPUT": ("input", "ts"), "LINE": ("input", "line"), "STEP": ("value", 10),
                                     "OUTPUT": ("output", "stations"), "PLOT": ("output", "plot")}),
        ("lev", "minesar:leveling", {"BENCHMARKS": ("input", "bm"), "ID_FIELD": ("value", "NAME"),
                                     "VALUE_FIELD": ("value", "SUBS"), "INSAR": ("child", "prof", "OUTPUT"),
                                     "AGGREGATION": ("value", "nearest"), "RADIUS": ("value", 8.0),
                                     "VERTICAL": ("value", False),
                                     "OUTPUT": ("output", "cmp"), "OUTPUT_REPORT": ("output", "report")}),
        ("tilt", "minesar:tilt", {"INPUT": ("input", "ts"), "POINT_A": ("value", "501055,1955 [EPSG:32650]"),
                                  "POINT_B": ("value", "501085,1915 [EPSG:32650]"),
                                  "OUTPUT": ("output", "tilt"), "PLOT": ("output", "tiltplot")}),
    ], inputs={"ts": "raster", "bm": "vector", "line": "vector"})
    out = {k: tmp_path / f for k, f in (("prof:stations", "st.gpkg"), ("prof:plot", "st.png"),
                                         ("lev:cmp", "cmp.gpkg"), ("lev:report", "rep.html"),
                                         ("tilt:tilt", "tilt.gpkg"), ("tilt:tiltplot", "tilt.png"))}
    rc, js, stdout, err = qgis_process("run", str(model), params={"ts": ts, "bm": bm, "line": line, **out})
    assert rc == 0, err + stdout
    for p in out.values():
        assert p.exists(), p
    # B1 is 2.8 m off the line: its nearest station (stations every 10 m) is within RADIUS = 8 m; the others
    # are 16-39 m away and stay empty (reported, N_SAMPLES = 0)
    rows = {x["ID"]: x for x in ogr_rows(out["lev:cmp"])}
    st = ogr_rows(out["prof:stations"])
    near = min(st, key=lambda s: math.hypot(s["X"] - 501055.0, s["Y"] - 1955.0))
    assert rows["B1"]["N_SAMPLES"] == 1
    assert [rows[b]["N_SAMPLES"] for b in ("B2", "B3", "B4")] == [0, 0, 0]
    assert rows["B1"]["INSAR"] == pytest.approx(near["D20200131"] - near["D20200101"], abs=1e-6)
    trow = ogr_rows(out["tilt:tilt"])
    assert trow[-1]["TILT"] == pytest.approx(0.046 / 50.0, rel=1e-6)


def test_modeler_chain_after_psinsar(qgis_app, qgis_process, tmp_path):
    """Model: manifest -> buildstack -> psinsar -> leveling (PS as INSAR) and -> tilt (PS ids by nearest points),
    on a 100 x 100 huaibei scene with benchmarks made from the simulator's truth (5 disturbed)."""
    from modeltools import build_model
    from minesar.algorithms import leveling as L
    from minesar.algorithms import simulate
    reg = qgis_app.processingRegistry()
    if reg.algorithmById("minesar:psinsar") is None or reg.algorithmById("minesar:buildstack") is None:
        pytest.skip("psinsar stage not available in this checkout")
    sim = simulate.simulate_stack(str(tmp_path / "sim"), "huaibei", seed=2, rows=100, cols=100)
    truth = sim.truth_paths["truth_displacement"]
    v = L.simulated_validation_inputs(truth, str(tmp_path / "val"), ps_mask=sim.truth_paths["ps_mask"], seed=0)
    # tilt between the PS nearest to the two benchmarks farthest apart (each has >= 3 true PS within 50 m)
    bms = ogr_rows_xy(v["benchmarks"])
    a, b = max(((p, q) for p in bms for q in bms), key=lambda t: math.hypot(t[0][0] - t[1][0], t[0][1] - t[1][1]))
    v["point_a"], v["point_b"] = f"{a[0]},{a[1]} [EPSG:32650]", f"{b[0]},{b[1]} [EPSG:32650]"
    model = build_model(tmp_path / "ps_validation.model3", [
        ("build", "minesar:buildstack", {"MANIFEST": ("input", "manifest"), "INCIDENCE": ("value", 39.0),
                                         "OUTPUT": ("output", "stack")}),
        ("ps", "minesar:psinsar", {"STACK": ("child", "build", "OUTPUT"), "OUTPUT": ("output", "ps")}),
        ("lev", "minesar:leveling", {"BENCHMARKS": ("input", "bm"), "ID_FIELD": ("value", "NAME"),
                                     "VALUE_FIELD": ("value", "SUBS"), "INSAR": ("child", "ps", "OUTPUT"),
                                     "RADIUS": ("value", 50.0), "INCIDENCE": ("value", 39.0),
                                     "OUTPUT": ("output", "cmp"), "OUTPUT_REPORT": ("output", "report")}),
        ("tilt", "minesar:tilt", {"INPUT": ("child", "ps", "OUTPUT"), "POINT_A": ("value", v["point_a"]),
                                  "POINT_B": ("value", v["point_b"]), "OUTPUT": ("output", "tilt"),
                                  "PLOT": ("output", "tiltplot")}),
    ], inputs={"manifest": "file", "bm": "vector"})
    out = {k: tmp_path / f for k, f in (("build:stack", "stack.vrt"), ("ps:ps", "ps.gpkg"), ("lev:cmp", "cmp.gpkg"),
                                         ("lev:report", "rep.html"), ("tilt:tilt", "tilt.gpkg"),
                                         ("tilt:tiltplot", "tilt.png"))}
    rc, js, stdout, err = qgis_process("run", str(model), params={"manifest": sim.manifest, "bm": v["benchmarks"],
                                                                  **out})
    assert rc == 0, err + stdout
    rows = ogr_rows(out["lev:cmp"])
    assert len(rows) == v["n"]
    assert sum(r["N_SAMPLES"] > 0 for r in rows) >= 0.8 * v["n"]     # PS found around most benchmarks
    flagged = {r["ID"] for r in rows if r["OUTLIER"] == 1}
    assert len(flagged & set(v["disturbed"])) >= 4                    # the disturbed ones stand out
    assert "data:image/png;base64," in out["lev:report"].read_text(encoding="utf-8")
    assert len(ogr_rows(out["tilt:tilt"])) == 26
