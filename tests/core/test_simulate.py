"""Core tests of the simulator (``algorithms/simulate.py``): presets, signs, realism."""
import datetime as dt
import math
import os
import time

import numpy as np
import pytest

from minesar.algorithms import simulate, stackio
from minesar.algorithms.progress import Canceled

D = dt.date


def wrap(x):
    return np.angle(np.exp(1j * x))


# ------------------------------------------------------------------------ presets
def test_preset_puhe_dates_geometry():
    sc = simulate.scenario("puhe")
    assert sc.n_dates == 42 and sc.dates[0] == D(2018, 1, 11) and sc.dates[-1] == D(2019, 8, 10)
    steps = set(np.diff(sc.t_days).astype(int))
    assert steps == {12, 24}
    g = sc.geometry
    assert g.incidence_deg == 37.1 and g.heading_deg == -166.2
    assert g.slant_range_m == pytest.approx(845_747, abs=1)      # spherical Earth, S1 orbit 693 km
    assert sc.crs_epsg == 32651 and sc.pixel_x_m == sc.pixel_y_m == 20.0
    assert (sc.rows, sc.cols) == (160, 160)
    assert sc.bperp_m[0] == 0.0
    assert np.ptp(sc.bperp_m) == pytest.approx(109.6, abs=1e-9)    # study: largest B⊥ 109.6 m
    # the study origin 123.548 E, 41.995 N lies inside the grid
    from pyproj import Transformer
    x, y = Transformer.from_crs(4326, 32651, always_xy=True).transform(123.548, 41.995)
    x0, px, _, y0, _, py = sc.geotransform
    col, row = (x - x0) / px, (y - y0) / py
    assert 0 < col < sc.cols and 0 < row < sc.rows
    # critical baseline B_c = λ R tanθ B_r / c
    bc = g.wavelength_m * g.slant_range_m * math.tan(math.radians(37.1)) * 56.5e6 / 299792458.0
    assert sc.critical_baseline_m() == pytest.approx(bc) == pytest.approx(6686.3, abs=0.1)


def test_preset_huaibei_common_master():
    sc = simulate.scenario("huaibei")
    assert sc.n_dates == 26 and sc.dates[0] == D(2020, 10, 31) and sc.dates[-1] == D(2022, 8, 22)
    assert (sc.dates[-1] - sc.dates[0]).days == 660
    assert set(np.diff(sc.t_days).astype(int)) <= {12, 24, 36, 48}
    assert sc.crs_epsg == 32650 and sc.pixel_x_m == 10.0
    master = D(2021, 3, 12)
    assert sc.dates.index(master) == 11
    # the sum of normalised temporal + perpendicular baselines is smallest at 2021-03-12,
    # for span normalisation and for (5 years, critical baseline) normalisation
    assert sc.dates[simulate.common_master_index(sc.dates, sc.bperp_m)] == master
    assert sc.dates[simulate.common_master_index(sc.dates, sc.bperp_m, norm_days=1826.25,
                                                 norm_bperp_m=sc.critical_baseline_m())] == master
    t = sc.t_days
    b = sc.bperp_m
    cost = np.array([np.abs(t - t[m]).sum() / np.ptp(t) + np.abs(b - b[m]).sum() / np.ptp(b) for m in range(26)])
    assert np.argmin(cost) == 11 and np.sort(cost)[1] - cost[11] > 0.04   # runner-up 0.048 behind


def test_preset_muli_and_tiny():
    sc = simulate.scenario("muli")
    assert sc.dates[0] == D(2018, 1, 12) and sc.dates[-1] == D(2023, 4, 4)
    assert sc.n_dates == 54 and set(np.diff(sc.t_days).astype(int)) == {36}
    assert sc.crs_epsg == 32647 and (sc.rows, sc.cols) == (96, 144)
    t = simulate.scenario("tiny")
    assert (t.rows, t.cols, t.n_dates) == (64, 64, 12) and t.crs_epsg == 32651
    assert t.dates[0] == D(2018, 1, 11) and set(np.diff(t.t_days).astype(int)) == {12}


def test_overrides_and_errors():
    sc = simulate.scenario("tiny", rows=40, cols=48, n_dates=5, date_step_days=6, atmosphere_mm=0)
    assert (sc.rows, sc.cols, sc.n_dates) == (40, 48, 5) and sc.t_days[-1] == 24 and sc.atmosphere_mm == 0
    assert simulate.scenario("muli", date_step_days=72).n_dates == 27          # same 1908-day span
    assert simulate.scenario("puhe", atmosphere_mm=None).atmosphere_mm == 3.0  # None = preset
    with pytest.raises(ValueError, match="SCENARIO"):
        simulate.scenario("nowhere")
    with pytest.raises(ValueError, match="unknown override.*colour"):
        simulate.scenario("tiny", colour=3)
    with pytest.raises(ValueError, match="PS_DENSITY"):
        simulate.scenario("tiny", ps_density=2.0)
    with pytest.raises(ValueError, match="ROWS/COLS"):
        simulate.scenario("tiny", rows=4)
    with pytest.raises(ValueError, match="BOWL_MODEL"):
        simulate.scenario("tiny", bowl_model="magic")


# -------------------------------------------------------------- determinism / speed
def test_deterministic_and_fast():
    simulate.simulate_arrays(simulate.scenario("tiny"), seed=0)     # numba compile / cache load
    t0 = time.perf_counter()
    a = simulate.simulate_arrays(simulate.scenario("tiny"), seed=5)
    elapsed = time.perf_counter() - t0
    b = simulate.simulate_arrays("tiny", seed=5)
    c = simulate.simulate_arrays("tiny", seed=6)
    assert elapsed < 2.0, elapsed           # measured about 0.1-0.2 s
    for name in ("slc", "dem", "dem_error", "disp_mm", "velocity", "ps_mask", "landcover", "atmo_rad"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert not np.array_equal(a.slc, c.slc) and not np.array_equal(a.atmo_rad, c.atmo_rad)
    assert a.slc.shape == (12, 64, 64) and a.slc.dtype == np.complex64
    assert a.dem.dtype == np.float32 and a.ps_mask.dtype == bool
    assert np.all(a.disp_mm[0] == 0)
    assert set(np.unique(a.landcover)) == {1, 2, 3, 4, 5, 6}          # every land cover present
    assert 40 <= a.ps_mask.sum() <= 250


# ------------------------------------------------------------------------ signs
def test_noise_free_phase_is_the_design_formula():
    sc = simulate.scenario("tiny", noise_free=True, atmosphere_mm=0, strat_mm_per_km=0)
    a = simulate.simulate_arrays(sc, seed=2)
    g = sc.geometry
    lam, rs = g.wavelength_m, g.slant_range_m * math.sin(math.radians(g.incidence_deg))
    assert np.all(a.atmo_rad == 0)
    r, c = np.unravel_index(np.argmin(a.vertical_mm[-1]), a.disp_mm[-1].shape)   # deepest point of the bowl
    assert a.disp_mm[-1, r, c] < -25.0 and a.vertical_mm[-1, r, c] == pytest.approx(-40.0, abs=0.5)
    for ref, sec in ((0, 1), (0, 11), (3, 7)):
        ifg = a.slc[ref] * np.conj(a.slc[sec])
        dB = sc.bperp_m[sec] - sc.bperp_m[ref]
        # `interferograms` removes the topographic phase of the user's DEM ...
        flat = ifg * np.exp(1j * 4 * np.pi / lam * dB * a.dem / rs)
        # ... what is left is displacement + DEM error, exactly as DESIGN §2 says
        expect = -4 * np.pi / lam * (a.disp_mm[sec] - a.disp_mm[ref]) / 1000.0 \
            - 4 * np.pi / lam * dB * a.dem_error / rs
        assert np.abs(wrap(np.angle(flat) - expect)).max() < 2e-3
    # d_mm = -λ/(4π)·φ·1000 of the topography-free phase gives d_sec - d_ref, negative in the bowl;
    # consecutive pairs move less than λ/4, so their sum is the unwrapped phase
    h = a.dem.astype(np.float64) + a.dem_error
    steps = []
    for k in range(sc.n_dates - 1):
        dB = sc.bperp_m[k + 1] - sc.bperp_m[k]
        ifg = a.slc[k, r, c] * np.conj(a.slc[k + 1, r, c]) * np.exp(1j * 4 * np.pi / lam * dB * h[r, c] / rs)
        d_step = -lam / (4 * np.pi) * np.angle(ifg) * 1000.0
        assert d_step == pytest.approx(a.disp_mm[k + 1, r, c] - a.disp_mm[k, r, c], abs=1e-3)
        assert d_step < 0
        steps.append(d_step)
    assert sum(steps) == pytest.approx(a.disp_mm[-1, r, c], abs=1e-2) and sum(steps) < -25
    # at the bowl centre the motion is vertical: LOS = vertical · cos θ
    assert a.disp_mm[-1, r, c] == pytest.approx(a.vertical_mm[-1, r, c] * math.cos(math.radians(37.1)), rel=0.03)
    # LOS unit vector of DESIGN §2 for heading -166.2°, incidence 37.1°
    e, n, u = g.los_unit_vector()
    assert (e, n, u) == pytest.approx((0.5858, -0.1439, 0.7976), abs=1e-4)


def test_atmosphere_enters_the_slc_phase():
    sc = simulate.scenario("tiny", noise_free=True)
    a = simulate.simulate_arrays(sc, seed=4)
    sig = simulate.signal_phase(sc, a.disp_mm, a.dem, a.dem_error, a.atmo_rad)
    ifg = a.slc[2] * np.conj(a.slc[9])
    assert np.abs(wrap(np.angle(ifg) - (sig[2] - sig[9]))).max() < 2e-3
    # a few mm of turbulence + stratification: rad = -4π/λ · delay
    delay_mm = -a.atmo_rad * sc.geometry.wavelength_m / (4 * np.pi) * 1000.0
    stds = delay_mm.reshape(sc.n_dates, -1).std(axis=1)
    assert np.all(stds > 1.0) and np.all(stds < 6.0)


# ------------------------------------------------------------------------ realism
@pytest.fixture(scope="module")
def tiny128():
    sc = simulate.scenario("tiny", rows=128, cols=128)
    return sc, simulate.simulate_arrays(sc, seed=1)


def test_sample_coherence_matches_model(tiny128):
    sc, a = tiny128
    z = a.slc * np.exp(-1j * simulate.signal_phase(sc, a.disp_mm, a.dem, a.dem_error, a.atmo_rad))
    checked = 0
    for code in (simulate.URBAN, simulate.BARE, simulate.FARMLAND, simulate.VEGETATION):
        m = (a.landcover == code) & ~a.ps_mask
        assert m.sum() > 250
        G = simulate.coherence_matrix(sc, code)
        for i, j in ((0, 1), (0, 3), (2, 8), (0, 11)):
            s1, s2 = z[i][m], z[j][m]
            gam = abs(np.sum(s1 * np.conj(s2))) / math.sqrt(np.sum(abs(s1) ** 2) * np.sum(abs(s2) ** 2))
            assert gam == pytest.approx(G[i, j], abs=0.05), (code, i, j)
            checked += 1
    assert checked == 16
    # water: no coherence
    m = a.landcover == simulate.WATER
    s1, s2 = z[0][m], z[1][m]
    assert abs(np.sum(s1 * np.conj(s2))) / math.sqrt(np.sum(abs(s1) ** 2) * np.sum(abs(s2) ** 2)) < 0.2
    # the model: Γ_ij = [(γ0-γ∞) exp(-|Δt|/τ) + γ∞] · (1 - |ΔB⊥|/B_c), γ = 1 on the diagonal
    g0, ginf, tau, _ = simulate.COHERENCE_MODEL[simulate.FARMLAND]
    G = simulate.coherence_matrix(sc, simulate.FARMLAND)
    dt_, dB = sc.t_days[5] - sc.t_days[2], abs(sc.bperp_m[5] - sc.bperp_m[2])
    assert G[2, 5] == pytest.approx(((g0 - ginf) * math.exp(-dt_ / tau) + ginf) * (1 - dB / sc.critical_baseline_m()))
    assert np.all(np.diag(G) == 1.0) and np.all(np.linalg.eigvalsh(G) > 0)
    assert np.array_equal(simulate.coherence_matrix(sc, simulate.WATER), np.eye(sc.n_dates))


def test_amplitude_dispersion_ps_and_clutter(tiny128):
    sc, a = tiny128
    amp = np.abs(a.slc).astype(np.float64)
    da = amp.std(axis=0) / amp.mean(axis=0)
    ps = a.ps_mask
    assert ps.sum() > 100
    assert da[ps].max() < 0.3 and np.median(da[ps]) < 0.12
    assert np.median(da[~ps]) > 0.4
    low = (~ps) & np.isin(a.landcover, (simulate.FARMLAND, simulate.VEGETATION, simulate.WATER))
    assert np.percentile(da[low], 5) > 0.3
    # PS are bright: mean amplitude well above the clutter of their land cover
    assert np.median(amp.mean(0)[ps]) > 5 * np.median(amp.mean(0)[~ps])


# ------------------------------------------------------------------------ mining truth
def _bowl_stats(sc, model):
    X, Y = sc.local_xy()
    ue, un, uu, openings, used = simulate.bowl_displacement(sc, X, Y, model=model)
    vert = uu * 1000.0
    rate = simulate.linear_rate(sc.t_years, vert)
    out = []
    for b in range(len(sc.bowl_targets_mm)):
        cx = np.mean([p.x for p in sc.panels if p.bowl == b])
        cy = np.mean([p.y for p in sc.panels if p.bowl == b])
        others = [(np.mean([p.x for p in sc.panels if p.bowl == o]), np.mean([p.y for p in sc.panels if p.bowl == o]))
                  for o in range(len(sc.bowl_targets_mm)) if o != b]
        m = np.ones(X.shape, bool)
        for ox, oy in others:
            m &= np.hypot(X - cx, Y - cy) < np.hypot(X - ox, Y - oy)
        out.append((vert[-1][m].min(), rate[m].min()))
    return out, vert, used, openings


@pytest.mark.parametrize("model", ["knothe", "auto"])
def test_puhe_bowls_match_the_study(model):
    sc = simulate.scenario("puhe")
    stats, vert, used, openings = _bowl_stats(sc, model)
    assert used == ("okada" if model == "auto" and simulate.okada_available() else "knothe")
    (c1, r1), (c2, r2) = stats
    assert c1 == pytest.approx(-157.26, abs=1.0) and c2 == pytest.approx(-193.1, abs=1.0)
    assert r1 == pytest.approx(-88.74, rel=0.08) and r2 == pytest.approx(-100.68, rel=0.12)
    # the bowls deepen as mining advances: cumulative subsidence never reverses
    assert np.all(np.diff(vert, axis=0) <= 1e-9)
    assert all(o < 0 for o in openings)                      # closing seams
    # the closure realised during the observations is what the study's Okada inversion found
    # (-0.59, -0.04, -0.67 m); measured -0.47, -0.03, -0.60 m
    if used == "okada":
        assert simulate.observed_openings(sc, openings) == pytest.approx([-0.59, -0.04, -0.67], abs=0.15)


def test_knothe_and_okada_bowls_have_the_same_extent():
    if not simulate.okada_available():
        pytest.skip("algorithms/okada.py not available; the automatic switch uses the Knothe bowl")
    sc = simulate.scenario("tiny")
    X, Y = sc.local_xy()
    k = simulate.bowl_displacement(sc, X, Y, model="knothe")
    o = simulate.bowl_displacement(sc, X, Y, model="okada")
    ak = (k[2][-1] * 1000 < -10).sum()
    ao = (o[2][-1] * 1000 < -10).sum()
    assert ao == pytest.approx(ak, rel=0.3)
    # horizontal motion points to the bowl centre in both models
    r, c = np.unravel_index(np.argmin(o[2][-1]), X.shape)
    for ue, _, _, _, _ in (k, o):
        assert ue[-1, r, c + 10] < 0 < ue[-1, r, c - 10]


def test_okada_switch_is_automatic(monkeypatch):
    sc = simulate.scenario("tiny", rows=24, cols=24, n_dates=4)
    monkeypatch.setattr(simulate, "okada_available", lambda: False)
    a = simulate.simulate_arrays(sc, seed=0)
    assert a.bowl_model == "knothe" and a.vertical_mm[-1].min() == pytest.approx(-40.0, abs=0.01)
    with pytest.raises(ValueError, match="BOWL_MODEL"):
        simulate.simulate_arrays(simulate.scenario("tiny", rows=24, cols=24, n_dates=4, bowl_model="okada"))


def test_huaibei_truth():
    sc = simulate.scenario("huaibei")
    a = simulate.simulate_arrays(sc, seed=0)
    s = a.summary()
    assert s["max_cumulative_vertical_mm"] == pytest.approx(-53.7, abs=0.5)
    assert s["max_rate_vertical_mm_yr"] == pytest.approx(-26.5, rel=0.05)
    assert np.all(a.disp_mm[0] == 0) and s["max_cumulative_los_mm"] < -35
    # LOS velocity is the linear fit of the LOS truth
    r, c = np.unravel_index(np.argmin(a.velocity), a.velocity.shape)
    assert a.velocity[r, c] == pytest.approx(np.polyfit(sc.t_years, a.disp_mm[:, r, c], 1)[0], rel=1e-4)
    # karst collapse in the north-west quadrant
    X, Y = sc.local_xy()
    nw = (X < 0) & (Y > 0)
    kr, kc = np.unravel_index(np.argmin(np.where(nw & (np.hypot(X + 700, Y - 700) < 100), a.vertical_mm[-1], 0)),
                              X.shape)
    assert a.vertical_mm[-1, kr, kc] < -25
    # dense PS on buildings / roads (study: 2 332 per km²) and the named structures
    area_km2 = sc.rows * sc.cols * sc.pixel_x_m * sc.pixel_y_m / 1e6
    assert 150 < a.ps_mask.sum() / area_km2 < 2500
    for name in ("A1", "A2", "B", "C"):
        assert a.ps_mask[a.structures[name]]
    (r1, c1), (r2, c2) = a.structures["A1"], a.structures["A2"]
    tilt = (a.vertical_mm[-1, r2, c2] - a.vertical_mm[-1, r1, c1]) / 1000.0 / 31.46
    assert tilt == pytest.approx(-0.0005, abs=0.00015)
    # winch house C: seasonal ±5 mm on top of the slow bowl
    rc, cc = a.structures["C"]
    season = a.vertical_mm[:, rc, cc] - a.vertical_mm[:, rc, cc + 1]     # minus the ground next to it
    assert 9.0 < np.ptp(season) < 11.0   # ±5 mm (+ the bowl gradient over 10 m)
    # PS on roofs: DEM error includes the building height
    assert np.median(a.dem_error[a.ps_mask & (a.landcover == simulate.URBAN)]) > 3.0


def test_muli_relief_and_stratified_atmosphere():
    sc = simulate.scenario("muli", n_dates=6)
    a = simulate.simulate_arrays(sc, seed=0)
    assert 3850 < float(np.median(a.dem)) < 4250 and np.ptp(a.dem) > 150
    pit = a.landcover == simulate.MINE
    assert pit.sum() > 1000 and a.dem_error[pit].mean() < -5        # excavation after the DEM
    # stratified delay: the atmospheric phase correlates with height on some dates
    h = (a.dem + a.dem_error).ravel()
    cors = [abs(np.corrcoef(h, a.atmo_rad[k].ravel())[0, 1]) for k in range(sc.n_dates)]
    assert max(cors) > 0.5


# ------------------------------------------------------------------------ files
def test_simulate_stack_files(tmp_path):
    out = tmp_path / "sim"
    res = simulate.simulate_stack(str(out), "tiny", seed=3, rows=32, cols=40, n_dates=6)
    entries = stackio.read_manifest(res.manifest)
    assert [e.date for e in entries] == res.scenario.dates and entries[0].bperp_m == 0.0
    assert all(os.path.basename(e.path) == f"{stackio.date_label(e.date)}.tif" for e in entries)
    arr = simulate.simulate_arrays("tiny", seed=3, rows=32, cols=40, n_dates=6)
    slc0 = stackio.read_stack_info(res.slc_paths[0])
    assert slc0.kind == "slc" and slc0.is_complex and slc0.geometry.incidence_deg == 37.1
    assert np.array_equal(stackio.read_block(res.slc_paths[2])[0], arr.slc[2])
    disp = stackio.read_stack_info(res.truth_paths["truth_displacement"])
    assert disp.kind == "truth_displacement" and disp.units == "mm" and disp.dates == res.scenario.dates
    assert disp.metadata["COMPONENT"] == "LOS" and disp.date_bperp_m[0] == 0.0
    d = stackio.read_block(res.truth_paths["truth_displacement"])
    assert np.all(d[0] == 0) and np.allclose(d, arr.disp_mm)
    vel = stackio.read_stack_info(res.truth_paths["truth_velocity"])
    assert vel.kind == "truth_velocity" and vel.units == "mm/yr"
    assert stackio.read_stack_info(res.truth_paths["truth_dem_error"]).kind == "truth_dem_error"
    assert np.array_equal(stackio.read_band(res.truth_paths["ps_mask"]).astype(bool), arr.ps_mask)
    dem = stackio.read_stack_info(res.dem_path)
    assert dem.kind == "dem" and "UTM zone 51N" in dem.crs_wkt and dem.geotransform[1] == 20.0
    info = stackio.build_stack(res.manifest, str(tmp_path / "stack.vrt"), geometry=res.scenario.geometry,
                               dem=res.dem_path)
    assert info.labels == [stackio.date_label(x) for x in res.scenario.dates] and info.kind == "slc"
    assert np.allclose(info.bperp_m, res.scenario.bperp_m, atol=1e-4)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]        # no temporary folder left


class _CancelAfter:
    def __init__(self, n):
        self.n = n

    def setProgress(self, v):  # noqa: N802
        self.n -= 1

    def isCanceled(self):  # noqa: N802
        return self.n <= 0


def test_cancel_leaves_nothing(tmp_path):
    out = tmp_path / "sim"
    with pytest.raises(Canceled):
        simulate.simulate_stack(str(out), "tiny", seed=0, rows=24, cols=24, feedback=_CancelAfter(8))
    assert not out.exists() and os.listdir(tmp_path) == []
    # an existing folder keeps its other files and gets complete products
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    res = simulate.simulate_stack(str(out), "tiny", seed=0, rows=24, cols=24, n_dates=3)
    assert (out / "notes.txt").read_text() == "mine" and os.path.isfile(res.manifest)
    assert len(stackio.read_manifest(res.manifest)) == 3
