"""PS-InSAR core (``algorithms/ps.py``) on the simulated Huaibei industrial square.

Truth comes from ``algorithms/simulate.py`` (``huaibei`` preset: 26 dates
2020-10-31 .. 2022-08-22, common master 2021-03-12, PS on buildings and roads,
two bowls).  Displacements and velocities are compared after removing the
common offset (the reference PS is arbitrary: truth and estimate are both
"relative to a point", so an offset is not an error of the method).
"""
import datetime as dt
import math

import numpy as np
import pytest

from minesar.algorithms import ps, simulate


class Log:
    def __init__(self):
        self.info, self.warnings = [], []

    def setProgress(self, v):  # noqa: N802
        pass

    def isCanceled(self):  # noqa: N802
        return False

    def pushInfo(self, t):  # noqa: N802
        self.info.append(t)

    def pushWarning(self, t):  # noqa: N802
        self.warnings.append(t)


def _gt(sc):
    return (sc.origin[0], sc.pixel_x_m, 0.0, sc.origin[1], 0.0, -sc.pixel_y_m)


def _run(sc, arr, **kw):
    return ps.run_ps(arr.slc, sc.dates, sc.bperp_m, geometry=sc.geometry, dem=arr.dem, geotransform=_gt(sc),
                     **kw)


@pytest.fixture(scope="module")
def huaibei():
    sc = simulate.scenario("huaibei")
    arr = simulate.simulate_arrays(sc, seed=0)
    log = Log()
    res = _run(sc, arr, feedback=log)
    return sc, arr, res, log


def _matched(arr, res):
    """Estimated PS that are true PS, and truth relative to the reference PS."""
    true = arr.ps_mask[res.rows, res.cols]
    ref = res.reference
    vt = arr.velocity[res.rows, res.cols].astype(float)
    dt_ = arr.disp_mm[:, res.rows, res.cols].T.astype(float)
    ht = arr.dem_error[res.rows, res.cols].astype(float)
    return true, vt - vt[ref], dt_ - dt_[ref], ht - ht[ref]


def test_master_is_the_studys_common_master():
    sc = simulate.scenario("huaibei")
    assert sc.dates[ps.select_master(sc.dates, sc.bperp_m)] == dt.date(2021, 3, 12)


def test_phase_factors_follow_design_conventions():
    sc = simulate.scenario("huaibei")
    g = sc.geometry
    alpha, beta, t = ps.phase_factors(sc.dates, sc.bperp_m, 11, g)
    assert alpha[11] == 0 and beta[11] == 0 and t[0] == 0
    # a date after the master, subsiding (v < 0): psi = phase(master x conj(k)) = 4pi/lambda (d_m - d_k) > 0
    k = 20
    d_m, d_k = -1.0 * t[11], -1.0 * t[k]                 # mm, v = -1 mm/yr
    assert math.isclose(alpha[k] * -1.0, 4 * math.pi / g.wavelength_m * (d_m - d_k) * 1e-3, rel_tol=1e-9)
    # height h above the DEM adds -4pi/lambda (B_k - B_m) h / (R sin theta) to master x conj(k)
    want = -4 * math.pi / g.wavelength_m * (sc.bperp_m[k] - sc.bperp_m[11]) / (
        g.slant_range_m * math.sin(math.radians(g.incidence_deg)))
    assert math.isclose(beta[k], want, rel_tol=1e-12)


def test_periodogram_recovers_arc_velocity_and_dem_error():
    sc = simulate.scenario("huaibei")
    alpha, beta, _ = ps.phase_factors(sc.dates, sc.bperp_m, 11, sc.geometry)
    ifg = np.arange(26) != 11
    rng = np.random.default_rng(1)
    dv = rng.uniform(-30, 30, 200)
    dh = rng.uniform(-30, 30, 200)
    ph = np.outer(dv, alpha[ifg]) + np.outer(dh, beta[ifg]) + rng.normal(0, 0.2, (200, ifg.sum())) + 1.3
    ev, eh, g = ps.arc_periodogram(np.exp(1j * ph), alpha[ifg], beta[ifg], velocity_range=50, dem_range=40)
    assert np.sqrt(np.mean((ev - dv) ** 2)) < 0.5          # mm/yr
    assert np.sqrt(np.mean((eh - dh) ** 2)) < 5.0          # m (B_perp span 120 m, 0.2 rad noise)
    assert np.median(g) > 0.9


def test_four_selection_methods_precision_recall(huaibei):
    sc, arr, res, _ = huaibei
    truth = arr.ps_mask
    table = {}
    for method in ps.SELECTION_METHODS:
        m = ps.select_candidates(res.stats, method)
        table[method] = (float(truth[m].mean()), float(m[truth].mean()), int(m.sum()))
    print("\nselection  precision  recall  n")
    for k, (p, r, n) in table.items():
        print(f"{k:22s} {p:.3f} {r:.3f} {n}")
    best = max(table, key=lambda k: table[k][0])
    assert best == "dual", table
    assert table["dual"][1] >= 0.95                        # recall of the study's method
    assert table["dispersion"][0] < table["dual"][0] / 4   # D_A <= 0.6 alone admits speckle (D_A ~ 0.52)
    # final PS (after periodogram, network and temporal coherence)
    true = arr.ps_mask[res.rows, res.cols]
    prec, rec = true.mean(), true.sum() / truth.sum()
    print(f"final PS: precision {prec:.3f} recall {rec:.3f} n {res.n_ps}")
    assert rec >= 0.95 and prec >= table["dual"][0]


def test_velocity_and_time_series_accuracy(huaibei):
    sc, arr, res, _ = huaibei
    true, vt, dtt, _ = _matched(arr, res)
    ev = res.fields["VEL"][true] - vt[true]
    et = res.timeseries_mm[true] - dtt[true]
    v_rmse = float(np.sqrt(np.mean((ev - ev.mean()) ** 2)))
    t_rmse = float(np.sqrt(np.mean((et - et.mean(axis=0)) ** 2)))
    print(f"\nvelocity RMSE {v_rmse:.2f} mm/yr, time-series RMSE {t_rmse:.2f} mm over {int(true.sum())} PS")
    assert v_rmse < 1.0
    assert t_rmse < 3.0
    # first date is zero, fields match the time-series array
    assert np.all(res.fields["D20201031"] == 0)
    assert np.allclose(res.fields["D20220822"], res.timeseries_mm[:, -1])


def test_max_subsidence_and_rate_within_10_percent(huaibei):
    sc, arr, res, _ = huaibei
    true, vt, dtt, _ = _matched(arr, res)
    off_d = np.median(res.timeseries_mm[true, -1] - dtt[true, -1])
    off_v = np.median(res.fields["VEL"][true] - vt[true])
    est_cum = res.timeseries_mm[true, -1].min() - off_d
    est_rate = res.fields["VEL"][true].min() - off_v
    tru_cum, tru_rate = dtt[true, -1].min(), vt[true].min()
    print(f"\nmax cumulative {est_cum:.1f} mm (truth {tru_cum:.1f}); max rate {est_rate:.1f} mm/yr "
          f"(truth {tru_rate:.1f})")
    assert tru_cum < -30 and tru_rate < -15               # the bowls are really there
    assert abs(est_cum - tru_cum) <= 0.10 * abs(tru_cum)
    assert abs(est_rate - tru_rate) <= 0.10 * abs(tru_rate)


def test_dem_error_noise_floor_without_atmosphere():
    # same dates, baselines and PS as the preset; no atmosphere: the DEM error is limited by noise only
    sc = simulate.scenario("huaibei", rows=120, cols=120, atmosphere_mm=0.0, strat_mm_per_km=0.0)
    arr = simulate.simulate_arrays(sc, seed=0)
    res = _run(sc, arr)
    true, _, _, ht = _matched(arr, res)
    eh = res.fields["DEM_ERR"][true] - ht[true]
    rms = float(np.sqrt(np.mean((eh - eh.mean()) ** 2)))
    print(f"\nDEM error RMS without atmosphere: {rms:.2f} m")
    assert rms < 2.0


def test_dem_error_with_atmosphere_reaches_the_atmospheric_bound(huaibei):
    # With 26 dates and a B_perp span of 120 m the part of the atmosphere that projects onto the baselines
    # cannot be told from a DEM error by any per-PS estimator; compare with that bound.
    sc, arr, res, _ = huaibei
    true, _, _, ht = _matched(arr, res)
    alpha, beta, _ = ps.phase_factors(sc.dates, sc.bperp_m, 11, sc.geometry)
    at = arr.atmo_rad[:, res.rows[true], res.cols[true]].astype(float)
    at = at[11] - at
    G = np.column_stack([alpha, beta, np.ones_like(alpha)])
    bound = float(np.linalg.lstsq(G, at, rcond=None)[0][1].std())
    eh = res.fields["DEM_ERR"][true] - ht[true]
    rms = float(np.sqrt(np.mean((eh - eh.mean()) ** 2)))
    print(f"\nDEM error RMS {rms:.2f} m; atmospheric bound {bound:.2f} m")
    assert rms < 1.2 * bound + 2.0


def test_vertical_option_divides_by_cos_incidence(huaibei):
    sc, arr, res, _ = huaibei
    sc2 = simulate.scenario("huaibei", rows=80, cols=80)
    arr2 = simulate.simulate_arrays(sc2, seed=3)
    a = _run(sc2, arr2)
    b = _run(sc2, arr2, vertical=True)
    c = math.cos(math.radians(39.0))
    assert np.allclose(b.fields["VEL"], a.fields["VEL"] / c)
    assert np.allclose(b.timeseries_mm, a.timeseries_mm / c)
    assert a.fields["VEL"].min() < -5                        # subsidence is negative


def test_fields_and_coordinates(huaibei):
    sc, arr, res, _ = huaibei
    assert res.field_names[:7] == ["CODE", "VEL", "V_STDEV", "DEM_ERR", "COH", "DA", "AMP"]
    assert len(res.field_names) == 7 + 26
    assert res.n_ps == len(res.fields["CODE"]) == res.x.size
    gt = _gt(sc)
    assert np.allclose(res.x, gt[0] + (res.cols + 0.5) * gt[1])
    assert np.allclose(res.y, gt[3] + (res.rows + 0.5) * gt[5])
    assert np.all(res.fields["COH"] >= 0.7)
    others = np.arange(res.n_ps) != res.reference
    assert np.all(res.fields["V_STDEV"][others] > 0)
    assert res.fields["VEL"][res.reference] == 0 and np.all(res.timeseries_mm[res.reference] == 0)
    area = 200 * 200 * 100 / 1e6
    assert math.isclose(res.density_per_km2, res.n_ps / area)


# ------------------------------------------------------------------------ bad input
def _small(n_dates, rows=60, seed=0):
    sc = simulate.scenario("huaibei", rows=rows, cols=rows, n_dates=n_dates)
    return sc, simulate.simulate_arrays(sc, seed=seed)


def test_fewer_than_5_dates_stop():
    sc, arr = _small(4)
    with pytest.raises(ValueError, match=r"STACK: 4 acquisitions; PS-InSAR needs at least 5"):
        _run(sc, arr)


def test_fewer_than_10_dates_warn():
    sc, arr = _small(8)
    log = Log()
    try:
        _run(sc, arr, feedback=log)
    except ValueError:
        pass  # 8 dates may leave too few PS; the warning must come first anyway
    assert any("only 8 acquisitions" in w and "unreliable" in w for w in log.warnings)


def test_no_candidate_names_threshold_and_distribution():
    sc, arr = _small(12)
    with pytest.raises(ValueError) as e:
        _run(sc, arr, coherence_threshold=0.9999)
    msg = str(e.value)
    assert msg.startswith("COHERENCE_THRESHOLD:") and "mean coherence >= 0.9999" in msg
    assert "median" in msg and "p95" in msg
    with pytest.raises(ValueError, match=r"DISPERSION_THRESHOLD:.*D_A <= 0.001.*left by the previous"):
        _run(sc, arr, dispersion_threshold=0.001)
    with pytest.raises(ValueError, match=r"AMPLITUDE_THRESHOLD:.*intensity \(dB\) >= 200"):
        _run(sc, arr, selection="amplitude_dispersion", amplitude_threshold_db=200)


def test_bad_options_name_the_parameter():
    sc, arr = _small(12)
    with pytest.raises(ValueError, match="SELECTION"):
        _run(sc, arr, selection="magic")
    with pytest.raises(ValueError, match="COHERENCE_WINDOW"):
        _run(sc, arr, coherence_window=4)
    with pytest.raises(ValueError, match="MASTER_DATE: 20200101 is not a date of the stack"):
        _run(sc, arr, master_date="20200101")


def test_disconnected_network_uses_largest_part(huaibei):
    sc, arr, _, _ = huaibei
    slc = arr.slc.copy()
    rng = np.random.default_rng(0)
    band = slice(60, 100)                                   # a 400 m strip without any scatterer
    shape = slc[:, :, band].shape
    slc[:, :, band] = ((rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * 0.05).astype(np.complex64)
    log = Log()
    res = ps.run_ps(slc, sc.dates, sc.bperp_m, geometry=sc.geometry, dem=arr.dem, geotransform=_gt(sc),
                    max_arc_m=250, feedback=log)
    warn = [w for w in log.warnings if "disconnected" in w]
    assert warn and "largest" in warn[0]
    assert res.n_ps > 100
    # PS only on one side of the gap (the largest part), plus secondaries within MAX_ARC_M of it
    left, right = (res.cols < 60).sum(), (res.cols >= 100).sum()
    assert min(left, right) < 0.1 * max(left, right)


def test_master_date_before_and_after_give_same_series():
    sc = simulate.scenario("huaibei", rows=80, cols=80)
    arr = simulate.simulate_arrays(sc, seed=5)
    a = _run(sc, arr, master_date="20210312")
    b = _run(sc, arr, master_date="20211225")
    common, ia, ib = np.intersect1d(a.rows * 1000 + a.cols, b.rows * 1000 + b.cols, return_indices=True)
    da = a.timeseries_mm[ia] - a.timeseries_mm[ia].mean(0)
    db = b.timeseries_mm[ib] - b.timeseries_mm[ib].mean(0)
    assert np.sqrt(np.mean((da - db) ** 2)) < 2.0
    assert np.all(a.timeseries_mm[:, 0] == 0) and np.all(b.timeseries_mm[:, 0] == 0)


def test_cancel_stops_without_result():
    from minesar.algorithms.progress import Canceled
    sc, arr = _small(12)

    class Cancel(Log):
        def isCanceled(self):  # noqa: N802
            return True

    with pytest.raises(Canceled):
        _run(sc, arr, feedback=Cancel())
