"""minesar:leveling / profile / tilt through processing.run (tier b)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from validationfixtures import DATES, GT, write_layer, write_ts


def lonlat(x, y):
    from pyproj import Transformer
    return Transformer.from_crs(32650, 4326, always_xy=True).transform(x, y)


def raster_base():
    base = np.full((5, 5), 1000.0)
    base[1:4, 1:4] = 100.0
    base[2, 2] = 1.0                                   # centre pixel at (501025, 1975)
    base[1, 2], base[3, 2], base[2, 1], base[2, 3] = 2.0, 3.0, 4.0, 5.0
    return base


def isnull(v):
    return v is None or (hasattr(v, "isNull") and v.isNull())


def read_features(path):
    from qgis.core import QgsVectorLayer
    lyr = QgsVectorLayer(str(path), "x", "ogr")
    assert lyr.isValid(), path
    return lyr, list(lyr.getFeatures())


@pytest.fixture
def ts_raster(tmp_path):
    return write_ts(tmp_path / "ts.tif", raster_base(), incidence=60.0)


def test_leveling_raster_geographic_benchmarks(run_alg, tmp_path, ts_raster):
    from osgeo import ogr
    # C at the centre pixel, E 5 km away (empty neighbourhood), both in EPSG:4326
    c = lonlat(501025.0, 1975.0)
    e = lonlat(506025.0, 1975.0)
    bm = write_layer(tmp_path / "bm.gpkg", 4326, ogr.wkbPoint,
                     [("NAME", ogr.OFTString), ("SUBS", ogr.OFTReal)],
                     [(f"POINT ({c[0]!r} {c[1]!r})", {"NAME": "C", "SUBS": 8.0}),
                      (f"POINT ({e[0]!r} {e[1]!r})", {"NAME": "E", "SUBS": -3.0})])
    out = tmp_path / "cmp.gpkg"
    rep = tmp_path / "rep.html"
    res = run_alg("leveling", {"BENCHMARKS": bm, "ID_FIELD": "NAME", "VALUE_FIELD": "SUBS",
                               "START_DATE": "20200101", "END_DATE": "20200121", "INSAR": ts_raster,
                               "AGGREGATION": "mean", "RADIUS": 10.5, "VERTICAL": True,
                               "OUTPUT": str(out), "OUTPUT_REPORT": str(rep)})
    # 5 pixels within 10.5 m: mean 3, x1.5 at 20200121 (interpolated), /cos(60°) from the metadata -> 9
    assert res["N"] == 1 and res["N_EMPTY"] == 1
    assert res["RMSE"] == pytest.approx(1.0, rel=1e-6)
    assert res["BIAS"] == pytest.approx(1.0, rel=1e-6)
    lyr, feats = read_features(out)
    assert lyr.crs().authid() == "EPSG:4326"
    by = {f["ID"]: f for f in feats}
    assert by["C"]["INSAR"] == pytest.approx(9.0, rel=1e-6) and by["C"]["N_SAMPLES"] == 5
    assert by["C"]["DIFF"] == pytest.approx(1.0, rel=1e-6)
    assert by["E"]["N_SAMPLES"] == 0 and isnull(by["E"]["INSAR"]) and isnull(by["E"]["DIFF"])
    text = rep.read_text(encoding="utf-8")
    assert "interpolated linearly between 20200111 and 20200131" in text
    assert text.count("data:image/png;base64,") == 2


def test_leveling_points_timeseries_mode_and_exclude(run_alg, tmp_path):
    from osgeo import ogr
    # PS layer (UTM) with D fields; 6 benchmarks with D fields; B5 disturbed (+30 mm), B4 flagged excluded
    ps_rows, bm_rows = [], []
    rng = np.random.default_rng(1)
    for i in range(6):
        x, y = 501000.0 + 200.0 * i, 2000.0
        s = [0.0, -2.0 * i, -4.0 * i]
        for dx in (-5.0, 5.0):
            ps_rows.append((f"POINT ({x + dx} {y})", {"D20200101": s[0], "D20200111": s[1], "D20200131": s[2],
                                                       "VEL": -1.0}))
        noise = [0.0, rng.normal(0, 0.1), rng.normal(0, 0.1)]
        lv = [100.0 + s[0] + noise[0], 100.0 + s[1] + noise[1], 100.0 + s[2] + noise[2] + (30.0 if i == 5 else 0)]
        bm_rows.append((f"POINT ({x} {y})", {"BM": i, "D20200101": lv[0], "D20200111": lv[1], "D20200131": lv[2],
                                             "DISTURBED": "yes" if i == 4 else "no"}))
    ps = write_layer(tmp_path / "ps.gpkg", 32650, ogr.wkbPoint,
                     [("D20200101", ogr.OFTReal), ("D20200111", ogr.OFTReal), ("D20200131", ogr.OFTReal),
                      ("VEL", ogr.OFTReal)], ps_rows)
    bm = write_layer(tmp_path / "bm.gpkg", 32650, ogr.wkbPoint,
                     [("BM", ogr.OFTInteger), ("D20200101", ogr.OFTReal), ("D20200111", ogr.OFTReal),
                      ("D20200131", ogr.OFTReal), ("DISTURBED", ogr.OFTString)], bm_rows)
    out = tmp_path / "cmp.gpkg"
    res = run_alg("leveling", {"BENCHMARKS": bm, "ID_FIELD": "BM", "INSAR": ps, "RADIUS": 50,
                               "VERTICAL": False, "EXCLUDE_FIELD": "DISTURBED", "OUTPUT": str(out),
                               "OUTPUT_REPORT": str(tmp_path / "r.html")})
    assert res["N"] == 12                       # 6 benchmarks x 2 epochs
    assert res["N_EXCLUDED"] == 2 and res["N_OUTLIERS"] == 1
    assert res["N_CLEAN"] == 9
    assert res["RMSE"] > 8.0 and res["RMSE_CLEAN"] < 0.2
    lyr, feats = read_features(out)
    flagged = {(f["ID"], f["DATE_END"]) for f in feats if f["OUTLIER"] == 1}
    assert flagged == {(5, "20200131")}
    assert all(f["N_SAMPLES"] == 2 for f in feats)


def test_leveling_bad_inputs(run_alg, tmp_path, ts_raster):
    from osgeo import ogr
    from qgis.core import QgsProcessingException
    bm = write_layer(tmp_path / "bm.gpkg", 32650, ogr.wkbPoint,
                     [("NAME", ogr.OFTString), ("SUBS", ogr.OFTString)],
                     [("POINT (501025 1975)", {"NAME": "C", "SUBS": "-3.5"}),
                      ("POINT (501035 1975)", {"NAME": "D", "SUBS": "sunk"})])
    base = {"BENCHMARKS": bm, "ID_FIELD": "NAME", "VALUE_FIELD": "SUBS", "INSAR": ts_raster,
            "OUTPUT": str(tmp_path / "o.gpkg"), "OUTPUT_REPORT": str(tmp_path / "r.html")}
    with pytest.raises(QgsProcessingException, match="VALUE_FIELD: value 'sunk' of benchmark D is not a number"):
        run_alg("leveling", base)
    far = write_layer(tmp_path / "far.gpkg", 32650, ogr.wkbPoint, [("NAME", ogr.OFTString), ("SUBS", ogr.OFTReal)],
                      [("POINT (601025 1975)", {"NAME": "F", "SUBS": 1.0})])
    with pytest.raises(QgsProcessingException, match="RADIUS: no benchmark has a valid InSAR point/pixel within 50 m"):
        run_alg("leveling", dict(base, BENCHMARKS=far))
    good = write_layer(tmp_path / "good.gpkg", 32650, ogr.wkbPoint, [("NAME", ogr.OFTString), ("SUBS", ogr.OFTReal)],
                       [("POINT (501025 1975)", {"NAME": "C", "SUBS": 1.0})])
    with pytest.raises(QgsProcessingException, match="START_DATE: 20190101 is outside the InSAR period"):
        run_alg("leveling", dict(base, BENCHMARKS=good, START_DATE="20190101"))
    assert not (tmp_path / "r.html").exists()


def test_profile_plane(run_alg, tmp_path):
    from osgeo import ogr
    r, c = np.mgrid[0:20, 0:30]
    x = GT[0] + 10.0 * c + 5.0
    y = GT[3] - 10.0 * r - 5.0
    f = lambda xx, yy: 0.5 * (xx - GT[0]) - 0.2 * (yy - GT[3]) + 3.0  # noqa: E731
    p = write_ts(tmp_path / "plane.tif", f(x, y))
    line = write_layer(tmp_path / "line.gpkg", 32650, ogr.wkbLineString, [("N", ogr.OFTInteger)],
                       [("LINESTRING (501020 1960, 501100 1900, 501200 1850)", {"N": 1})])
    out = tmp_path / "prof.gpkg"
    png = tmp_path / "prof.png"
    res = run_alg("profile", {"INPUT": p, "LINE": line, "STEP": 25, "BUFFER": 0, "DATES": "20200111,last",
                              "OUTPUT": str(out), "PLOT": str(png)})
    length = math.hypot(80, 60) + math.hypot(100, 50)
    assert res["LENGTH_M"] == pytest.approx(length)
    assert res["N_STATIONS"] == math.floor(length / 25) + 2
    lyr, feats = read_features(out)
    names = [fd.name() for fd in lyr.fields()]
    assert names[-2:] == ["D20200111", "D20200131"]
    for ft in feats:
        assert ft["D20200111"] == pytest.approx(f(ft["X"], ft["Y"]), abs=1e-3)
        assert ft["D20200131"] == pytest.approx(2 * f(ft["X"], ft["Y"]), abs=1e-3)
    assert feats[1]["DIST_M"] == pytest.approx(25.0)
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_vertical_ps_layer_is_not_converted_twice(run_alg, tmp_path):
    """A PS layer marked COMPONENT=vertical (psinsar with VERTICAL) is used as it is by leveling and
    tilt even with VERTICAL=true; without the marker the values are divided by cos(incidence)."""
    import math
    from osgeo import ogr
    rows = [("POINT (501000 2000)", {"D20200101": 0.0, "D20200131": -10.0}),
            ("POINT (501040 2000)", {"D20200101": 0.0, "D20200131": -30.0})]
    fields = [("D20200101", ogr.OFTReal), ("D20200131", ogr.OFTReal)]
    plain = write_layer(tmp_path / "los.gpkg", 32650, ogr.wkbPoint, fields, rows)
    marked = write_layer(tmp_path / "vert.gpkg", 32650, ogr.wkbPoint, fields + [("COMPONENT", ogr.OFTString)],
                         [(g, dict(a, COMPONENT="vertical")) for g, a in rows])
    bad = write_layer(tmp_path / "bad.gpkg", 32650, ogr.wkbPoint, fields + [("COMPONENT", ogr.OFTString)],
                      [(g, dict(a, COMPONENT=c)) for (g, a), c in zip(rows, ("los", "up"))])
    bm = write_layer(tmp_path / "bm.gpkg", 32650, ogr.wkbPoint,
                     [("BM", ogr.OFTInteger), ("D20200101", ogr.OFTReal), ("D20200131", ogr.OFTReal)],
                     [("POINT (501000 2000)", {"BM": 1, "D20200101": 0.0, "D20200131": -10.0})])
    inc = 39.0
    out = {}
    for name, ps in (("plain", plain), ("marked", marked)):
        run_alg("leveling", {"BENCHMARKS": bm, "ID_FIELD": "BM", "INSAR": ps, "RADIUS": 5, "VERTICAL": True,
                             "INCIDENCE": inc, "OUTPUT": str(tmp_path / f"{name}.gpkg"),
                             "OUTPUT_REPORT": str(tmp_path / f"{name}.html")})
        out[name] = [f["INSAR"] for f in read_features(tmp_path / f"{name}.gpkg")[1]]
    assert out["marked"] == [pytest.approx(-10.0)]
    assert out["plain"] == [pytest.approx(-10.0 / math.cos(math.radians(inc)))]
    t = run_alg("tilt", {"INPUT": marked, "POINT_A": "501000,2000 [EPSG:32650]", "POINT_B": "501040,2000 [EPSG:32650]",
                         "VERTICAL": True, "INCIDENCE": inc, "OUTPUT": str(tmp_path / "tv.gpkg"),
                         "PLOT": str(tmp_path / "tv.png")})
    assert t["MAX_TILT"] == pytest.approx(-20e-3 / 40)
    from qgis.core import QgsProcessingException
    with pytest.raises(QgsProcessingException, match="INSAR: the COMPONENT field must be 'los' or 'vertical'"):
        run_alg("leveling", {"BENCHMARKS": bm, "ID_FIELD": "BM", "INSAR": bad, "RADIUS": 5, "VERTICAL": True,
                             "OUTPUT": str(tmp_path / "b.gpkg"), "OUTPUT_REPORT": str(tmp_path / "b.html")})


def test_tilt_raster_points_and_ps_ids(run_alg, tmp_path):
    from osgeo import ogr
    base = np.zeros((10, 10))
    base[2, 2] = -2.0            # A (501025, 1975)
    base[6, 5] = -10.35          # B (501055, 1935), 50 m away
    p = write_ts(tmp_path / "t.tif", base)
    res = run_alg("tilt", {"INPUT": p, "POINT_A": "501025,1975 [EPSG:32650]",
                           "POINT_B": "501055,1935 [EPSG:32650]", "OUTPUT": str(tmp_path / "t.gpkg"),
                           "PLOT": str(tmp_path / "t.png")})
    assert res["DISTANCE_M"] == pytest.approx(50.0)
    assert res["MAX_TILT"] == pytest.approx(-16.7e-3 / 50, abs=1e-9)
    assert res["MAX_TILT_DATE"] == "20200131"
    lyr, feats = read_features(tmp_path / "t.gpkg")
    assert [f["DATE"] for f in feats] == ["20200101", "20200111", "20200131"]
    assert feats[1]["DIFF_MM"] == pytest.approx(-8.35, abs=1e-4)
    # PS layer: cooling tower A1/A2 31.46 m apart, -15.73 mm differential -> -0.0005
    ps = write_layer(tmp_path / "ps.gpkg", 32650, ogr.wkbPoint,
                     [("CODE", ogr.OFTString), ("D20201031", ogr.OFTReal), ("D20220822", ogr.OFTReal)],
                     [("POINT (500000 3750000)", {"CODE": "A1", "D20201031": 0.0, "D20220822": -3.0}),
                      ("POINT (500031.46 3750000)", {"CODE": "A2", "D20201031": 0.0, "D20220822": -18.73}),
                      ("POINT (500100 3750000)", {"CODE": "X", "D20201031": 0.0, "D20220822": -50.0})])
    res2 = run_alg("tilt", {"INPUT": ps, "ID_FIELD": "CODE", "ID_A": "A1", "ID_B": "A2",
                            "OUTPUT": str(tmp_path / "t2.gpkg"), "PLOT": str(tmp_path / "t2.png")})
    assert res2["DISTANCE_M"] == pytest.approx(31.46)
    assert res2["MAX_TILT"] == pytest.approx(-0.0005)
    # nearest PS to two points gives the same pair
    res3 = run_alg("tilt", {"INPUT": ps, "POINT_A": "500001,3750001 [EPSG:32650]",
                            "POINT_B": "500030,3750000 [EPSG:32650]",
                            "OUTPUT": str(tmp_path / "t3.gpkg"), "PLOT": str(tmp_path / "t3.png")})
    assert res3["MAX_TILT"] == pytest.approx(-0.0005)


def test_leveling_report_follows_the_chinese_translator(run_alg, tmp_path, ts_raster):
    """With the plugin's zh translator installed (QGIS in Chinese) the report is in Simplified Chinese."""
    from osgeo import ogr
    from qgis.PyQt.QtCore import QCoreApplication
    from minesar.plugin.plugin import load_translator
    from minesar.processing_provider.base import tr
    bm = write_layer(tmp_path / "bm.gpkg", 32650, ogr.wkbPoint, [("NAME", ogr.OFTString), ("SUBS", ogr.OFTReal)],
                     [("POINT (501025 1975)", {"NAME": "C", "SUBS": 8.0}),
                      ("POINT (506025 1975)", {"NAME": "E", "SUBS": -3.0})])
    rep = tmp_path / "rep_zh.html"
    translator = load_translator("zh")
    assert translator is not None
    try:
        assert tr("Statistics (mm)") == "统计量（毫米）"
        res = run_alg("leveling", {"BENCHMARKS": bm, "ID_FIELD": "NAME", "VALUE_FIELD": "SUBS",
                                   "START_DATE": "20200101", "END_DATE": "20200121", "INSAR": ts_raster,
                                   "RADIUS": 10.5, "VERTICAL": True, "OUTPUT": str(tmp_path / "cmp.gpkg"),
                                   "OUTPUT_REPORT": str(rep)})
    finally:
        QCoreApplication.removeTranslator(translator)
    assert tr("Statistics (mm)") == "Statistics (mm)"          # English again for the other tests
    assert res["N"] == 1 and res["RMSE"] == pytest.approx(1.0, rel=1e-6)
    text = rep.read_text(encoding="utf-8")
    for zh in ("<title>MineSAR — InSAR 与水准对比验证</title>", "<h2>统计量（毫米）</h2>", "<h2>方法</h2>",
               "<h3>空邻域（无 InSAR 值）</h3>", "20200121：InSAR 时间序列在 20200111 与 20200131 之间按时间线性插值",
               "ts.tif：时间序列栅格 5 x 5，3 个日期 20200101–20200131", ">无样本<"):
        assert zh in text, zh
    for en in ("Statistics (mm)", "Method", "interpolated linearly", "time-series raster", ">empty<"):
        assert en not in text, en
    assert text.count("data:image/png;base64,") == 2
