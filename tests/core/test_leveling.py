"""Leveling validation, profile and tilt cores against hand-computed tables."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from minesar.algorithms import leveling as L
from minesar.algorithms import profile as P
from minesar.algorithms import stackio
from minesar.algorithms import tilt as T

D0, D1, D2 = dt.date(2020, 1, 1), dt.date(2020, 1, 11), dt.date(2020, 1, 31)
DATES = [D0, D1, D2]


def utm_wkt(epsg=32650):
    from osgeo import osr
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    return s.ExportToWkt()


def write_ts(path, base, *, factors=(0.0, 1.0, 2.0), gt=(1000.0, 10.0, 0.0, 2000.0, 0.0, -10.0), epsg=32650,
             incidence=None, dates=DATES):
    """Time-series raster: band k = factors[k] * base (mm)."""
    data = np.stack([f * np.asarray(base, dtype=np.float32) for f in factors]).astype("float32")
    geom = stackio.Geometry(incidence_deg=incidence) if incidence is not None else None
    return stackio.write_raster(str(path), data, kind="timeseries", units="mm",
                                labels=[stackio.date_label(d) for d in dates],
                                band_metadata=stackio.band_metadata_for_dates(dates), geometry=geom,
                                geotransform=gt, crs_wkt=utm_wkt(epsg))


# ------------------------------------------------------------------ points
def ps_table():
    # PS1 10 m from B1, PS2 exactly 50 m (30, 40), PS3 just beyond (50.0008 m), PS4 20 m from B2
    x = [0.0, 30.0, 30.0, 1000.0]
    y = [10.0, 40.0, 40.001, 0.0]
    series = [[0, -10, -30], [0, -20, -40], [0, -100, -100], [0, -5, -5]]
    return L.point_source(x, y, dates=DATES, series=series)


@pytest.mark.parametrize("agg, b1, n1", [("mean", -25.0, 2), ("median", -25.0, 2), ("nearest", -20.0, 1)])
def test_radius_boundary_interpolation_and_empty(agg, b1, n1):
    # END 20200121 is half-way between 20200111 and 20200131: s = (s1 + s2) / 2
    # PS1: -20, PS2 (on the 50 m circle, included): -30, PS3 (50.0008 m, excluded): -100, PS4: -5
    res = L.compare_leveling(["B1", "B2", "B3"], [0, 1000, 5000], [0, 20, 5000], leveling=[-24, -6, -1],
                             insar=ps_table(), start_date="20200101", end_date="20200121",
                             aggregation=agg, vertical=False)
    r1, r2, r3 = res.records
    assert r1.insar == pytest.approx(b1, abs=1e-12) and r1.n_samples == n1
    assert r2.insar == pytest.approx(-5.0) and r2.n_samples == 1
    assert r1.diff == pytest.approx(b1 + 24)
    # empty neighbourhood reported, not dropped
    assert math.isnan(r3.insar) and r3.n_samples == 0
    assert res.empty == [r3] and len(res.records) == 3
    assert res.stats_all["N"] == 2
    assert any("interpolated linearly between 20200111 and 20200131 (weight 0.5000" in s for s in res.date_statements)
    html = L.report_html(res)
    assert "B3" in html and "Empty neighbourhoods" in html and "data:image/png;base64," in html
    assert "coefficient of determination" in html and "Pearson" in html


def test_start_date_interpolated_and_vertical():
    # START 20200106: PS1 at t0 = -5 -> PS1 cumulative -20 - (-5) = -15; PS2: -30 - (-10) = -20
    res = L.compare_leveling(["B1"], [0], [0], leveling=[-35.0], insar=ps_table(), start_date="20200106",
                             end_date="20200121", aggregation="mean", vertical=True, incidence_deg=60.0)
    # mean -17.5 LOS, / cos 60° = -35 vertical
    assert res.records[0].insar == pytest.approx(-35.0, abs=1e-9)
    assert res.records[0].diff == pytest.approx(0.0, abs=1e-9)


def test_velocity_points_times_period():
    src = L.point_source([0.0], [0.0], velocity=[-36.525])
    res = L.compare_leveling(["B"], [3], [4], leveling=[-1.0], insar=src, start_date="20200101",
                             end_date="20200111", vertical=False, radius=5)
    assert res.records[0].insar == pytest.approx(-1.0)   # -36.525 mm/yr * 10 d / 365.25 d
    with pytest.raises(ValueError, match="START_DATE"):
        L.compare_leveling(["B"], [3], [4], leveling=[-1.0], insar=src, vertical=False)


def test_timeseries_leveling_mode():
    # leveling on 20200101, 20200111, 20200121: two epochs relative to the first
    lev = [[10.0, 0.0, -8.0]]
    res = L.compare_leveling(["B1"], [0], [0], leveling=lev, leveling_dates=["20200101", "20200111", "20200121"],
                             insar=ps_table(), aggregation="mean", vertical=False)
    assert res.mode == "timeseries" and len(res.records) == 2
    a, b = res.records
    assert (a.date0, a.date1, b.date1) == (D0, D1, dt.date(2020, 1, 21))
    assert a.leveling == -10.0 and b.leveling == -18.0
    assert a.insar == pytest.approx(-15.0) and b.insar == pytest.approx(-25.0)


def test_bad_inputs_name_the_parameter():
    src = ps_table()
    with pytest.raises(ValueError, match=r"VALUE_FIELD: value 'abc' of benchmark B2 is not a number"):
        L.compare_leveling(["B1", "B2"], [0, 1000], [0, 20], leveling=["1.5", "abc"], insar=src, vertical=False)
    with pytest.raises(ValueError, match=r"START_DATE: 20191201 is outside the InSAR period 20200101–20200131"):
        L.compare_leveling(["B1"], [0], [0], leveling=[1], insar=src, start_date="20191201", vertical=False)
    with pytest.raises(ValueError, match=r"END_DATE: 20200301 is outside"):
        L.compare_leveling(["B1"], [0], [0], leveling=[1], insar=src, end_date="20200301", vertical=False)
    with pytest.raises(ValueError, match=r"D20191201 is outside the InSAR period"):
        L.compare_leveling(["B1"], [0], [0], leveling=[[0, 1]], leveling_dates=["20191201", "20200111"],
                           insar=src, vertical=False)
    with pytest.raises(ValueError, match=r"RADIUS: no benchmark has a valid InSAR point/pixel within 50 m "
                                         r"\(the closest InSAR sample is 4960\.1 m"):
        L.compare_leveling(["B1"], [0], [5000], leveling=[1], insar=src, vertical=False)
    with pytest.raises(ValueError, match="AGGREGATION: bilinear"):
        L.compare_leveling(["B1"], [0], [0], leveling=[1], insar=src, aggregation="bilinear", vertical=False)


# ------------------------------------------------------------- statistics
def test_statistics_hand_computed():
    s = L.comparison_stats([1, 2, 3, 4], [2, 2, 4, 3])
    assert s["N"] == 4
    assert s["RMSE"] == pytest.approx(math.sqrt(0.75))
    assert s["MAE"] == pytest.approx(0.75)
    assert s["BIAS"] == pytest.approx(0.25)
    assert s["R2"] == pytest.approx(1 - 3 / 5)          # SSE 3, SST 5
    assert s["PEARSON_R2"] == pytest.approx(5 / 11)     # 2.5² / (5 · 2.75)
    # perfectly correlated but twice too large: Pearson 1, 1:1 R² = 1 - 30/5 = -5
    s2 = L.comparison_stats([1, 2, 3, 4], [2, 4, 6, 8])
    assert s2["PEARSON_R2"] == pytest.approx(1.0)
    assert s2["R2"] == pytest.approx(-5.0)


def test_mad_outlier_flag():
    d = [0.0, 1.0, -1.0, 2.0, 0.5, 30.0]
    flags, med, mad, thr = L.mad_outliers(d)
    assert med == pytest.approx(0.75) and mad == pytest.approx(1.0)
    assert thr == pytest.approx(3 * 1.4826)
    assert flags.tolist() == [False, False, False, False, False, True]
    # median/MAD from a subset; a value exactly at the threshold is not an outlier (strict >)
    thr = 3 * 1.4826 * 1.0
    f2, med2, mad2, thr2 = L.mad_outliers([-1.0, 0.0, 1.0, thr, thr + 1e-6], use=[1, 1, 1, 0, 0])
    assert (med2, mad2, thr2) == (0.0, 1.0, thr)
    assert f2.tolist() == [False, False, False, False, True]


def test_exclude_field_and_clean_statistics():
    src = L.point_source(np.arange(8) * 100.0, np.zeros(8), velocity=np.zeros(8))
    lev = [0.0, 1.0, -1.0, 0.5, -0.5, 0.0, 40.0, 2.0]  # median 0, MAD 0.5, threshold 2.22 mm
    excl = [0, 0, 0, 0, 0, 0, 0, "yes"]
    res = L.compare_leveling([f"B{i}" for i in range(8)], np.arange(8) * 100.0, np.zeros(8), leveling=lev,
                             insar=src, start_date="20200101", end_date="20210101", exclude=excl, vertical=False)
    flags = [r.outlier for r in res.records]
    assert flags == [False] * 6 + [True, False]
    assert res.records[7].excluded
    assert res.stats_all["N"] == 8 and res.stats_clean["N"] == 6
    assert res.stats_clean["RMSE"] == pytest.approx(math.sqrt((0 + 1 + 1 + 0.25 + 0.25 + 0) / 6))
    assert res.outputs()["N_OUTLIERS"] == 1 and res.outputs()["N_EXCLUDED"] == 1
    assert L.is_truthy("TRUE") and L.is_truthy(1) and not L.is_truthy("0") and not L.is_truthy(None)


# ----------------------------------------------------------------- rasters
def raster_base():
    base = np.full((5, 5), 1000.0)
    base[1:4, 1:4] = 100.0           # diagonals of the centre
    base[2, 2] = 1.0                 # centre (x 1025, y 1975)
    base[1, 2], base[3, 2], base[2, 1], base[2, 3] = 2.0, 3.0, 4.0, 5.0
    return base


@pytest.mark.parametrize("radius, agg, value, n", [
    (10.0, "mean", 1.5 * 3.0, 5),             # centre + 4 neighbours exactly 10 m away (inclusive)
    (9.999, "mean", 1.5 * 1.0, 1),
    (14.2, "mean", 1.5 * (15.0 + 400.0) / 9, 9),
    (14.2, "median", 1.5 * 5.0, 9),
    (14.2, "nearest", 1.5 * 1.0, 1),
])
def test_raster_neighbourhood(tmp_path, radius, agg, value, n):
    p = write_ts(tmp_path / "ts.tif", raster_base())
    src = L.raster_source(str(p))
    res = L.compare_leveling(["C"], [1025.0], [1975.0], leveling=[0.0], insar=src, bench_crs=utm_wkt(),
                             end_date="20200121", aggregation=agg, radius=radius, vertical=False)
    assert res.records[0].insar == pytest.approx(value, rel=1e-6)
    assert res.records[0].n_samples == n


def test_raster_bilinear_vertical_from_metadata(tmp_path):
    p = write_ts(tmp_path / "ts.tif", raster_base(), incidence=60.0)
    src = L.raster_source(str(p))
    assert src.incidence_deg == pytest.approx(60.0)
    # 5 m east of the centre: half-way between 1 and 5 -> 3; END = last date -> factor 2; vertical /cos60 -> x2
    res = L.compare_leveling(["C"], [1030.0], [1975.0], leveling=[0.0], insar=src, aggregation="bilinear")
    assert res.records[0].insar == pytest.approx(12.0, rel=1e-9)
    assert res.records[0].n_samples == 2
    assert res.incidence_deg == pytest.approx(60.0)


def test_raster_geographic_benchmarks(tmp_path):
    from pyproj import Transformer
    # the raster placed at x = 500000 (inside UTM zone 50) so lon/lat are well defined
    p2 = write_ts(tmp_path / "ts2.tif", raster_base(), gt=(501000.0, 10.0, 0.0, 2000.0, 0.0, -10.0))
    lon, lat = Transformer.from_crs(32650, 4326, always_xy=True).transform(501025.0, 1975.0)
    res = L.compare_leveling(["C"], [lon], [lat], leveling=[0.0], insar=L.raster_source(str(p2)),
                             bench_crs="EPSG:4326", end_date="20200121", radius=10.5, vertical=False)
    assert res.records[0].n_samples == 5
    assert res.records[0].insar == pytest.approx(4.5, rel=1e-6)


def test_raster_not_timeseries(tmp_path):
    p = stackio.write_raster(str(tmp_path / "w.tif"), np.ones((2, 4, 4), "float32"), kind="coherence",
                             labels=["20200101_20200113", "20200113_20200125"],
                             geotransform=(0, 1, 0, 0, 0, -1), crs_wkt=utm_wkt())
    with pytest.raises(ValueError, match="INSAR: .* is a stack of pairs"):
        L.raster_source(p)


def test_velocity_raster_and_geographic_points(tmp_path):
    # one-band velocity raster (mm/yr): INSAR = v * days / 365.25
    vel = np.full((5, 5), -73.05, dtype="float32")
    p = stackio.write_raster(str(tmp_path / "vel.tif"), vel, kind="velocity", units="mm/yr",
                             geotransform=(501000.0, 10.0, 0.0, 2000.0, 0.0, -10.0), crs_wkt=utm_wkt())
    src = L.raster_source(p)
    assert src.mode == "velocity"
    res = L.compare_leveling(["C"], [501025.0], [1975.0], leveling=[-2.0], insar=src, bench_crs=utm_wkt(),
                             start_date="20200101", end_date="20200111", vertical=False)
    assert res.records[0].insar == pytest.approx(-73.05 * 10 / 365.25, rel=1e-6)
    assert res.records[0].n_samples == 25        # the whole 5 x 5 raster is within 28.3 m
    # PS and benchmarks both in EPSG:4326: distances in the UTM zone of the benchmarks
    from pyproj import Transformer
    t = Transformer.from_crs(32650, 4326, always_xy=True)
    lon, lat = t.transform([500000.0, 500049.9, 500050.1], [3750000.0, 3750000.0, 3750000.0])
    ps = L.point_source(lon[1:], lat[1:], crs_wkt="EPSG:4326", velocity=[-36.525, -3652.5])
    res = L.compare_leveling(["G"], lon[:1], lat[:1], leveling=[-1.0], insar=ps, bench_crs="EPSG:4326",
                             start_date="20200101", end_date="20200111", vertical=False)
    assert res.records[0].n_samples == 1 and res.records[0].insar == pytest.approx(-1.0, rel=1e-9)
    assert "UTM zone 50N" in res.frame_wkt


# ------------------------------------------------------------------ profile
def plane(a=0.5, b=-0.2, c=3.0):
    r, cc = np.mgrid[0:20, 0:30]
    x = 1000.0 + 10.0 * cc + 5.0
    y = 2000.0 - 10.0 * r - 5.0
    return a * (x - 1000.0) + b * (y - 2000.0) + c, (a, b, c)


def test_profile_plane_bilinear(tmp_path):
    base, (a, b, c) = plane()
    p = write_ts(tmp_path / "plane.tif", base)
    f = lambda x, y: a * (x - 1000.0) + b * (y - 2000.0) + c  # noqa: E731
    # diagonal line, 7 m step: stations are off the pixel centres, bilinear is exact on a plane
    res = P.sample_profile(str(p), [1020.0, 1200.0], [1960.0, 1850.0], step=7.0, buffer=0.0,
                           dates="20200111,20200121")
    length = math.hypot(180.0, 110.0)
    assert res.dist_m[-1] == pytest.approx(length)
    assert np.allclose(np.diff(res.dist_m[:-1]), 7.0)
    assert res.columns == ["D20200111", "D20200121"]
    exp = f(res.x, res.y)
    assert np.allclose(res.values[:, 0], exp, rtol=0, atol=1e-4)
    assert np.allclose(res.values[:, 1], 1.5 * exp, rtol=0, atol=1e-4)
    out = P.plot_profile(res, str(tmp_path / "p.png"))
    assert open(out, "rb").read(4) == b"\x89PNG"


def test_profile_buffer_mean_across(tmp_path):
    base, (a, b, c) = plane()
    p = write_ts(tmp_path / "plane.tif", base)
    f = lambda x, y: a * (x - 1000.0) + b * (y - 2000.0) + c  # noqa: E731
    # horizontal line on the row of centres y = 1905 from x = 1055 to 1155, step = one pixel, buffer 10 m:
    # each interior station averages its column's 3 pixels (y-10, y, y+10) -> f(x, y) exactly;
    # the end stations also get the pixel 10 m beyond the end (inclusive) -> f -/+ 10a/4
    res = P.sample_profile(str(p), [1055.0, 1155.0], [1905.0, 1905.0], step=10.0, buffer=10.0, dates="last")
    assert res.columns == ["D20200131"]
    exp = 2.0 * f(res.x, res.y)
    exp[0] -= 2.0 * 10 * a / 4
    exp[-1] += 2.0 * 10 * a / 4
    assert np.allclose(res.values[:, 0], exp, atol=1e-4)
    assert res.n_samples.tolist() == [4] + [3] * 9 + [4]
    with pytest.raises(ValueError, match="DATES: 20210101 is outside"):
        P.sample_profile(str(p), [1055.0, 1155.0], [1905.0, 1905.0], step=10.0, dates="20210101")


# --------------------------------------------------------------------- tilt
def test_tilt_series_study_example():
    # cooling tower A1/A2 31.46 m apart, d_B - d_A = -15.73 mm -> -0.0005
    res = T.tilt_series(["20201031", "20210312", "20220822"], [0.0, -1.0, -3.0], [0.0, -6.0, -18.73], 31.46)
    assert res.diff_mm.tolist() == pytest.approx([0.0, -5.0, -15.73])
    assert res.tilt[-1] == pytest.approx(-0.0005)
    assert res.max_tilt == pytest.approx(-0.0005) and res.max_date == dt.date(2022, 8, 22)


def test_tilt_from_raster_known_points(tmp_path):
    base = np.zeros((10, 10))
    base[2, 2] = -2.0       # A at (1025, 1975)
    base[6, 5] = -10.35     # B at (1055, 1935): 30 m east, 40 m south -> 50 m
    p = write_ts(tmp_path / "t.tif", base)
    res = T.tilt_from_raster(str(p), 1025.0, 1975.0, 1055.0, 1935.0, crs_wkt=utm_wkt())
    assert res.distance_m == pytest.approx(50.0)
    assert res.d_a_mm.tolist() == pytest.approx([0.0, -2.0, -4.0])
    assert res.diff_mm.tolist() == pytest.approx([0.0, -8.35, -16.7], abs=1e-5)
    assert res.tilt.tolist() == pytest.approx([0.0, -8.35e-3 / 50, -16.7e-3 / 50], abs=1e-10)
    assert res.max_tilt == pytest.approx(-3.34e-4, abs=1e-10)
    assert T.plot_tilt(res, str(tmp_path / "t.png"))
    # geographic coordinates: ellipsoidal distance within the UTM scale error
    d = T.horizontal_distance(116.0, 33.0, 116.0, 33.001, "EPSG:4326")
    assert d == pytest.approx(110.9, abs=0.3)
    with pytest.raises(ValueError, match="POINT_B: the point .* is outside the INPUT raster"):
        T.tilt_from_raster(str(p), 1025.0, 1975.0, 5000.0, 1935.0, crs_wkt=utm_wkt())


# ------------------------------------------------------------ acceptance (huaibei)
_SIM = {}


def _huaibei_truth():
    if "huaibei" not in _SIM:
        from minesar.algorithms import simulate
        sc = simulate.scenario("huaibei")
        _SIM["huaibei"] = (sc, simulate.simulate_arrays(sc, seed=0))
    return _SIM["huaibei"]


def huaibei_benchmarks(seed, *, n=35, n_disturbed=5, noise_mm=2.0):
    """Study-B-like validation set on the simulated huaibei preset.

    InSAR = the simulator's true LOS time series at its PS pixels; benchmark
    truth = true LOS / cos(incidence) at the benchmark (so the vertical
    conversion is exact and the test measures the validation itself), 20 in
    the bowls and 15 outside, each with >= 3 PS within 50 m; leveling = truth
    + N(0, 2 mm), five benchmarks disturbed by ±25–50 mm.
    """
    from scipy.spatial import cKDTree
    sc, arr = _huaibei_truth()
    inc = sc.geometry.incidence_deg
    los = arr.disp_mm.astype(np.float64)
    vert_last = los[-1] / math.cos(math.radians(inc))
    gt, rows, cols = sc.geotransform, sc.rows, sc.cols
    cc, rr = np.meshgrid(np.arange(cols), np.arange(rows))
    X, Y = gt[0] + (cc + 0.5) * gt[1], gt[3] + (rr + 0.5) * gt[5]
    ps = arr.ps_mask
    tree = cKDTree(np.column_stack([X[ps], Y[ps]]))
    cnt = np.array([len(v) for v in tree.query_ball_point(np.column_stack([X.ravel(), Y.ravel()]), 50.0)])
    ok = ((rr >= 10) & (rr < rows - 10) & (cc >= 10) & (cc < cols - 10)).ravel() & (cnt >= 3)
    rng = np.random.default_rng(seed)
    bowl = np.flatnonzero(ok & (vert_last.ravel() < -10))
    flat = np.flatnonzero(ok & (vert_last.ravel() >= -10))
    pick = np.concatenate([rng.choice(bowl, 20, replace=False), rng.choice(flat, n - 20, replace=False)])
    lev = vert_last.ravel()[pick] + rng.normal(0.0, noise_mm, n)
    disturbed = rng.choice(n, n_disturbed, replace=False)
    lev[disturbed] += rng.uniform(25.0, 50.0, n_disturbed) * rng.choice([-1.0, 1.0], n_disturbed)
    src = L.point_source(X[ps], Y[ps], crs_wkt=sc.crs_wkt, dates=sc.dates, series=los[:, ps].T)
    return sc, src, X.ravel()[pick], Y.ravel()[pick], lev, set(int(i) for i in disturbed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_huaibei_acceptance(seed):
    sc, src, bx, by, lev, disturbed = huaibei_benchmarks(seed)
    res = L.compare_leveling([f"BM{i:02d}" for i in range(35)], bx, by, leveling=lev, insar=src,
                             bench_crs=sc.crs_wkt, radius=50.0, aggregation="mean", vertical=True,
                             incidence_deg=sc.geometry.incidence_deg)
    flagged = {i for i, r in enumerate(res.records) if r.outlier}
    print(f"seed {seed}: RMSE all {res.stats_all['RMSE']:.2f} mm, clean {res.stats_clean['RMSE']:.2f} mm, "
          f"R2 clean {res.stats_clean['R2']:.3f}, Pearson r2 clean {res.stats_clean['PEARSON_R2']:.3f}")
    assert res.stats_all["N"] == 35 and not res.empty
    assert res.stats_all["RMSE"] > 10.0               # study B: 16.0 mm with all 35
    assert flagged == disturbed                       # the MAD flag finds exactly the disturbed ones
    assert res.stats_clean["N"] == 30
    assert 1.5 < res.stats_clean["RMSE"] < 2.8        # close to the 2 mm noise (+ ~1 mm 50 m smoothing)
    assert res.stats_clean["R2"] > 0.9                # study B: 0.91
    assert abs(res.stats_clean["BIAS"]) < 1.5


def test_simulated_validation_inputs_raster(tmp_path):
    """The demo helper: benchmarks from the simulator's truth raster; leveling against the truth raster
    finds exactly the disturbed ones and the clean RMSE is near the 2 mm noise."""
    from osgeo import ogr
    sc, arr = _huaibei_truth()
    kw = dict(geotransform=sc.geotransform, crs_wkt=sc.crs_wkt)
    truth = stackio.write_raster(str(tmp_path / "disp.tif"), arr.disp_mm, kind="truth_displacement", units="mm",
                                 labels=[stackio.date_label(d) for d in sc.dates],
                                 band_metadata=stackio.band_metadata_for_dates(sc.dates), geometry=sc.geometry, **kw)
    psm = stackio.write_raster(str(tmp_path / "ps.tif"), arr.ps_mask.astype("uint8"), kind="ps_mask", **kw)
    v = L.simulated_validation_inputs(truth, str(tmp_path / "val"), ps_mask=psm, seed=3)
    assert v["n"] == 35 and len(v["disturbed"]) == 5 and v["point_a"].endswith("[EPSG:32650]")
    ds = ogr.Open(v["benchmarks"])
    feats = [(f.GetField("NAME"), f.GetField("SUBS"), f.GetGeometryRef().GetX(), f.GetGeometryRef().GetY())
             for f in ds.GetLayer(0)]
    ds = None
    ids, lev, x, y = zip(*feats)
    res = L.compare_leveling(ids, x, y, leveling=lev, insar=L.raster_source(truth), bench_crs=sc.crs_wkt)
    assert {r.id for r in res.records if r.outlier} == set(v["disturbed"])
    assert res.stats_all["RMSE"] > 10.0 and 1.2 < res.stats_clean["RMSE"] < 2.8
    prof = P.sample_profile(truth, *zip(*_line_xy(v["line"])), step=50.0, buffer=20.0, dates="last", vertical=True)
    assert np.nanmin(prof.values) < -40.0            # the line crosses the deepest bowl (-55 mm vertical)


def _line_xy(path):
    from osgeo import ogr
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    feat = lyr.GetNextFeature()          # keep the feature alive while its geometry is used
    g = feat.GetGeometryRef()
    pts = [(g.GetX(i), g.GetY(i)) for i in range(g.GetPointCount())]
    g = feat = lyr = ds = None
    return pts


def test_vertical_raster_not_converted_twice(tmp_path):
    base = raster_base()
    p = write_ts(tmp_path / "v.tif", base, incidence=60.0)
    from osgeo import gdal
    ds = gdal.Open(p, gdal.GA_Update)
    ds.SetMetadataItem("COMPONENT", "vertical")
    ds = None
    src = L.raster_source(p)
    res = L.compare_leveling(["C"], [1025.0], [1975.0], leveling=[0.0], insar=src, aggregation="nearest",
                             vertical=True)
    assert res.records[0].insar == pytest.approx(2.0)      # last date = 2 x base, no / cos(60°)
    assert any("already vertical" in s for s in res.date_statements)
    pr = P.sample_profile(p, [1025.0, 1035.0], [1975.0, 1975.0], step=10.0, dates="last", vertical=True)
    assert pr.values[0, 0] == pytest.approx(2.0) and pr.vertical
    assert T.tilt_from_raster(p, 1025.0, 1975.0, 1035.0, 1975.0, vertical=True).diff_mm[-1] == pytest.approx(8.0)
