"""Core tests of algorithms/interferogram.py against synthetic truth (DESIGN §2)."""
import datetime as dt
import os

import numpy as np
import pytest

from minesar.algorithms import interferogram as I
from minesar.algorithms import stackio
from minesar.algorithms.progress import Canceled

G = stackio.Geometry()
KZ = I.topo_phase_per_metre(G)          # rad per metre of height per metre of baseline
DATES = [dt.date(2020, 1, 1) + dt.timedelta(days=12 * i) for i in range(5)]
BPERP = np.array([0.0, 80.0, -60.0, 120.0, 30.0])


def bowl(rows, cols, n, max_mm=-40.0):
    """Smooth subsidence bowl growing linearly in time (LOS mm, negative)."""
    y, x = np.mgrid[0:rows, 0:cols]
    b = np.exp(-(((x - cols * 0.55) / (cols * 0.2)) ** 2 + ((y - rows * 0.45) / (rows * 0.25)) ** 2))
    return np.stack([max_mm * k / (n - 1) * b for k in range(n)])


def terrain(rows, cols, top=400.0):
    y, x = np.mgrid[0:rows, 0:cols]
    return (top * (0.5 + 0.3 * np.sin(x / cols * 3.0) * np.cos(y / rows * 2.0) + 0.2 * x / cols)).astype(np.float32)


def circ_mean_error(est, truth):
    d = np.exp(1j * (est - truth))
    d = d[np.isfinite(d)]
    return float(abs(np.angle(d.mean()))), float(np.sqrt(np.mean(np.angle(d) ** 2)))


# ------------------------------------------------------------------ correctness
def test_wrapped_phase_matches_truth_high_coherence():
    rows, cols = 96, 96
    disp = bowl(rows, cols, len(DATES))
    dem = terrain(rows, cols)
    rng = np.random.default_rng(3)
    dem_err = rng.normal(0.0, 5.0, (rows, cols)).astype(np.float32)
    slc = I.synthetic_slc(0.95, disp_mm=disp, bperp_m=BPERP, height_m=dem + dem_err, seed=1)
    pairs = [(DATES[0], DATES[1]), (DATES[1], DATES[3]), (DATES[0], DATES[4]), (DATES[2], DATES[3])]
    r = I.interferogram_arrays(slc, DATES, pairs, dem=dem, bperp_m=BPERP, geometry=G, looks_range=2,
                               looks_azimuth=2, coherence_window=5, remove_topo=True, goldstein_alpha=0.5)
    assert r.phase.shape == (4, 48, 48)
    for p, (a, b) in enumerate(pairs):
        ia, ib = DATES.index(a), DATES.index(b)
        truth = I.pair_phase_truth(ia, ib, disp_mm=disp, bperp_m=BPERP, dem_error_m=dem_err, looks_range=2,
                                   looks_azimuth=2)
        mean_err, rms = circ_mean_error(r.phase[p], truth)
        print(f"pair {p}: circular mean error {mean_err:.4f} rad, rms {rms:.3f} rad")
        assert mean_err < 0.1
        assert rms < 0.35
    # a pair whose reference is the earlier date: subsidence (negative mm) of the
    # secondary gives a positive phase: phi = 4 pi/lambda (d_ref - d_sec)/1000
    # (pair 0 at the bowl centre: d_sec ~ -10 mm -> phase ~ +4 pi/lambda * 0.010 = +2.27 rad)
    expected = float(np.mean(4 * np.pi / G.wavelength_m * (disp[0] - disp[1])[40:48, 50:58] / 1000.0))
    assert expected > 2.0
    r0 = I.interferogram_arrays(slc, DATES, pairs[:1], dem=dem, bperp_m=BPERP, looks_range=2, looks_azimuth=2,
                                remove_topo=True, goldstein_alpha=0.0)   # (Goldstein rounds off a peak)
    centre = np.angle(np.mean(np.exp(1j * r0.phase[0][20:24, 25:29])))
    print(f"bowl centre phase {centre:.3f} rad, expected {expected:.3f}")
    assert abs(centre - expected) < 0.2


@pytest.mark.parametrize("gamma", [0.5, 0.85])
def test_coherence_matches_model_large_window(gamma):
    rows, cols = 120, 120
    disp = bowl(rows, cols, 3, max_mm=-1.0)     # nearly flat: no fringe inside a window
    dem = terrain(rows, cols, 300.0)
    slc = I.synthetic_slc(gamma, disp_mm=disp, bperp_m=BPERP[:3], height_m=dem, seed=7)
    r = I.interferogram_arrays(slc, DATES[:3], [(DATES[0], DATES[2])], dem=dem, bperp_m=BPERP[:3],
                               looks_range=3, looks_azimuth=3, coherence_window=9, remove_topo=True)
    c = r.coherence[0][4:-4, 4:-4]           # full 729-sample windows
    err = np.abs(c - gamma)
    print(f"gamma {gamma}: mean estimate {c.mean():.4f}, p95 |error| {np.percentile(err, 95):.4f}")
    assert abs(c.mean() - gamma) < 0.02
    assert np.percentile(err, 95) < 0.05
    np.testing.assert_allclose(r.mean_coherence, r.coherence[0], rtol=1e-6)


def test_topography_removed_and_sign_follows_design():
    rows, cols = 80, 80
    disp = np.zeros((3, rows, cols))
    dem = terrain(rows, cols, 500.0)          # many fringes for dB = 120 m
    bp = np.array([0.0, 120.0, -40.0])
    slc = I.synthetic_slc(0.9, disp_mm=disp, bperp_m=bp, height_m=dem, seed=2)
    pairs = [(DATES[0], DATES[1]), (DATES[0], DATES[2])]
    on = I.interferogram_arrays(slc, DATES[:3], pairs, dem=dem, bperp_m=bp, remove_topo=True, coherence_window=5)
    off = I.interferogram_arrays(slc, DATES[:3], pairs, dem=dem, bperp_m=bp, remove_topo=False,
                                 coherence_window=5)
    for p, (i, j) in enumerate([(0, 1), (0, 2)]):
        model = -KZ * (bp[j] - bp[i]) * dem                      # DESIGN §2
        # without removal the fringes are the model's (complex correlation ~ 1)
        cc_off = abs(np.nanmean(np.exp(1j * (off.phase[p] - model))))
        # with removal, no fringe left and no correlation with the DEM
        res = on.phase[p]
        corr = np.corrcoef(res.ravel(), dem.ravel())[0, 1]
        cc_on = abs(np.nanmean(np.exp(1j * (off.phase[p] + model))))   # opposite sign: fails
        print(f"pair {p}: |<exp(i(phi-model))>| {cc_off:.3f}, opposite sign {cc_on:.3f}, corr(res, DEM) {corr:.4f}")
        assert cc_off > 0.8 and cc_on < 0.2
        assert abs(corr) < 0.1
        assert abs(np.angle(np.nanmean(np.exp(1j * res)))) < 0.1
    # small heights (no wrapping): phase is linear in -dB*h with slope 1
    h_small = terrain(rows, cols, 40.0) - 20.0
    slc = I.synthetic_slc(0.98, disp_mm=disp, bperp_m=bp, height_m=h_small, seed=4)
    off = I.interferogram_arrays(slc, DATES[:3], pairs[:1], coherence_window=5, looks_range=4, looks_azimuth=4)
    model = (-KZ * (bp[1] - bp[0]) * h_small).reshape(20, 4, 20, 4).mean(axis=(1, 3))
    corr = np.corrcoef(off.phase[0].ravel(), model.ravel())[0, 1]
    slope = np.polyfit(model.ravel(), off.phase[0].ravel(), 1)[0]
    print(f"small heights: corr(phase, -dB h kz) {corr:.4f}, slope {slope:.3f}")
    assert corr > 0.95 and abs(slope - 1.0) < 0.1


def test_goldstein_reduces_residues_without_bias():
    rows, cols = 128, 128
    y, x = np.mgrid[0:rows, 0:cols]
    fringes = (0.15 * x + 0.05 * y + 0.0008 * (x - 60.0) ** 2) % (2 * np.pi)
    rng = np.random.default_rng(5)
    z = I.synthetic_slc(0.5, disp_mm=np.zeros((2, rows, cols)), seed=11)
    noisy = z[0] * np.conj(z[1]) * np.exp(1j * fringes)
    before = I.count_residues(np.angle(noisy))
    filt = I.goldstein_filter(noisy, 0.5)
    after = I.count_residues(np.angle(filt))
    factor = before / max(after, 1)
    print(f"residues {before} -> {after} (factor {factor:.1f})")
    assert factor > 5.0
    # clean fringe pattern: no phase bias
    clean = np.exp(1j * fringes).astype(np.complex64)
    out = I.goldstein_filter(clean, 0.5)
    d = np.angle(out * np.conj(clean))
    rms_all = float(np.sqrt(np.mean(d ** 2)))
    d = d[8:-8, 8:-8]                       # (zero padding outside the image at the borders)
    print(f"clean fringes: mean bias {d.mean():.2e} rad, interior rms {np.sqrt(np.mean(d ** 2)):.3f} rad, "
          f"max |diff| {np.abs(d).max():.3f} rad, rms with borders {rms_all:.3f} rad")
    assert abs(np.angle(np.mean(np.exp(1j * d)))) < 0.01
    assert np.sqrt(np.mean(d ** 2)) < 0.05
    assert rms_all < 0.06
    assert I.count_residues(np.angle(out)) == 0
    with pytest.raises(ValueError, match="GOLDSTEIN_ALPHA"):
        I.goldstein_filter(clean, 1.5)


def test_ramp_removed():
    rows, cols = 96, 96
    y, x = np.mgrid[0:rows, 0:cols]
    disp = np.zeros((2, rows, cols))
    disp[1] = -(0.004 * x - 0.003 * y) * (G.wavelength_m * 1000 / (4 * np.pi)) * 10   # a ramp in mm
    slc = I.synthetic_slc(0.97, disp_mm=disp, seed=3)
    r = I.interferogram_arrays(slc, DATES[:2], None, looks_range=2, looks_azimuth=2, coherence_window=5,
                               remove_ramp=True, block_rows=10)
    assert r.ramp.shape == (1, 2)
    print(f"ramp estimate {r.ramp[0]} rad/output pixel, true [0.08, -0.06]")
    np.testing.assert_allclose(r.ramp[0], [0.08, -0.06], atol=0.004)
    resid = r.phase[0]
    assert np.nanstd(np.angle(np.exp(1j * (resid - np.nanmean(resid))))) < 0.5


def test_fast_kernels_match_numpy():
    """The vectorised float32 building blocks: polynomial atan2, polynomial
    sin/cos of the topographic phase, boxcar sums with edge truncation."""
    rng = np.random.default_rng(3)
    z = (rng.standard_normal((2, 50, 40)) + 1j * rng.standard_normal((2, 50, 40))).astype(np.complex64)
    z[0, 0, :8] = [0, 1, -1, 1j, -1j, -1 + 0j, 1e-30, -1e-30 + 1e-30j]      # axes, tiny values
    coh = np.ones(z.shape, np.float32)
    coh[1, 3, 4] = np.nan
    ph = np.empty(z.shape, np.float32)
    I._phase_kernel(z.view(np.float32), coh, ph)
    ref = np.angle(z.astype(np.complex128))
    assert np.isnan(ph[1, 3, 4]) and np.isfinite(ph).sum() == ph.size - 1
    d = np.angle(np.exp(1j * (ph - ref)))
    assert np.nanmax(np.abs(d)) < 1e-6
    assert abs(ph[0, 0, 2] - np.pi) < 1e-6                       # angle(-1) = +pi, (-pi, pi]
    # topographic phase removal at up to ~600 rad, NaN heights -> no signal
    slc = z[:1, :, :]
    dem = (rng.uniform(-200.0, 3000.0, (50, 40))).astype(np.float32)
    dem[5, 6] = np.nan
    kz = np.array([0.2])
    ifr = np.empty((1, 50, 40), np.float32)
    ifi = np.empty_like(ifr)
    power = np.empty_like(ifr)
    idx = np.array([0], np.int64)
    I._multilook_kernel(slc, dem, kz, idx, True, idx, idx, 1, 1, 50, 40, ifr, ifi, power)
    assert ifr[0, 5, 6] == 0 and power[0, 5, 6] == 0
    # ref = sec: ifg = |z|^2 whatever the flattening; the flattened SLC itself is checked via a
    # second date without topography
    slc2 = np.stack([z[0], z[0]])
    kz2 = np.array([0.2, 0.0])
    I._multilook_kernel(slc2, dem, kz2, np.array([0, 1], np.int64), True, np.array([0], np.int64),
                        np.array([1], np.int64), 1, 1, 50, 40, ifr, ifi, np.empty((2, 50, 40), np.float32))
    want = np.abs(z[0]) ** 2 * np.exp(-1j * 0.2 * dem.astype(np.float64))
    got = ifr[0] + 1j * ifi[0]
    ok = np.isfinite(dem)
    assert np.max(np.abs(got - want)[ok] / np.maximum(np.abs(want)[ok], 1e-3)) < 2e-6
    # boxcar sums: direct sums with truncated edges, for odd and even windows, any row range
    x = rng.random((23, 17)).astype(np.float32)
    for win in (1, 2, 5, 6, 40):
        lo, hi = (win - 1) // 2, win // 2
        want = np.array([[x[max(0, r - lo):r + hi + 1, max(0, c - lo):c + hi + 1].astype(np.float64).sum()
                          for c in range(17)] for r in range(23)])
        for r0, nr in ((0, 23), (4, 9), (20, 3)):
            out = np.empty(nr * 17, np.float32)
            I._box2d(x, r0, nr, lo, hi, np.empty(nr * 17, np.float32), out)
            np.testing.assert_allclose(out.reshape(nr, 17), want[r0:r0 + nr], rtol=2e-6)


def test_single_sample_coherence_is_one():
    """1 look and window 1: coherence 1 by construction (also for weak pixels)."""
    rng = np.random.default_rng(4)
    slc = (rng.standard_normal((3, 20, 30)) + 1j * rng.standard_normal((3, 20, 30))).astype(np.complex64)
    slc[:, 4, 5] *= 1e-3
    r = I.interferogram_arrays(slc, DATES[:3], coherence_window=1)
    assert np.all(np.abs(r.coherence - 1.0) < 1e-6)


def test_non_finite_samples_count_as_zero():
    """NaN/inf SLC samples are 'no signal' (as zeros), and the input is not modified."""
    rng = np.random.default_rng(5)
    slc = (rng.standard_normal((3, 24, 30)) + 1j * rng.standard_normal((3, 24, 30))).astype(np.complex64)
    dem = terrain(24, 30)
    bad = slc.copy()
    bad[0, 3, 4] = np.nan
    bad[1, 10, 11] = complex(np.inf, 0.0)
    bad[2, 20, 0] = complex(1.0, np.nan)
    zero = np.where(np.isfinite(bad), bad, 0).astype(np.complex64)
    keep = bad.copy()
    opts = dict(dem=dem, bperp_m=BPERP[:3], remove_topo=True, looks_range=2, coherence_window=3, goldstein_alpha=0.5)
    a = I.interferogram_arrays(bad, DATES[:3], **opts)
    b = I.interferogram_arrays(zero, DATES[:3], **opts)
    np.testing.assert_array_equal(bad.view(np.float32), keep.view(np.float32))
    for key in ("phase", "coherence", "amplitude_dispersion", "mean_amplitude"):
        assert np.array_equal(getattr(a, key), getattr(b, key), equal_nan=True), key
    assert np.isfinite(a.amplitude_dispersion).all()


# --------------------------------------------------------------- files, blocks
def _stack(tmp_path, rows=70, cols=53, n=4, seed=0):
    disp = bowl(rows, cols, n)
    dem = terrain(rows, cols, 200.0)
    slc = I.synthetic_slc(0.7, disp_mm=disp, bperp_m=BPERP[:n], height_m=dem, seed=seed)
    return I.write_synthetic_stack(str(tmp_path / "in"), slc, DATES[:n], BPERP[:n], dem=dem), dem


def _outs(folder, tag):
    os.makedirs(folder, exist_ok=True)
    return dict(output_phase=os.path.join(folder, f"ph_{tag}.tif"), output_coherence=os.path.join(folder, f"coh_{tag}.tif"),
                output_mean_coherence=os.path.join(folder, f"mc_{tag}.tif"),
                output_amplitude_dispersion=os.path.join(folder, f"da_{tag}.tif"))


def test_tiny_budget_identical_to_unlimited(tmp_path):
    stack, _ = _stack(tmp_path)
    pairs = [(DATES[0], DATES[1]), (DATES[0], DATES[2]), (DATES[1], DATES[3])]
    opts = dict(looks_range=2, looks_azimuth=3, coherence_window=5, remove_topo=True, remove_ramp=True,
                goldstein_alpha=0.5)
    a = I.compute_interferograms(stack, pairs, memory_mb=10000, workers=1, **opts, **_outs(tmp_path / "o", "big"))
    b = I.compute_interferograms(stack, pairs, memory_mb=0.02, workers=2, **opts, **_outs(tmp_path / "o", "tiny"))
    print(f"blocks: unlimited {a['n_blocks']}, tiny budget {b['n_blocks']}")
    assert a["n_blocks"] == 1 and b["n_blocks"] >= 5
    for key in ("OUTPUT_PHASE", "OUTPUT_COHERENCE", "OUTPUT_MEAN_COHERENCE", "OUTPUT_AMPLITUDE_DISPERSION"):
        x, y = stackio.read_block(a[key]), stackio.read_block(b[key])
        assert x.shape == y.shape
        assert np.array_equal(x, y, equal_nan=True), key
        assert np.isfinite(x).mean() > 0.99
    np.testing.assert_array_equal(a["ramps"], b["ramps"])
    assert x.shape == (2, 70, 53)           # D_A and mean amplitude at full resolution
    ph = stackio.read_block(a["OUTPUT_PHASE"])
    assert ph.shape == (3, 70 // 3, 53 // 2)
    # the in-memory path gives the same numbers
    slc = stackio.read_block(stack)
    r = I.interferogram_arrays(slc, DATES[:4], pairs, dem=stackio.read_band(str(tmp_path / "in" / "dem.tif")),
                               bperp_m=BPERP[:4], block_rows=7, **opts)
    assert np.array_equal(r.phase, ph, equal_nan=True)
    # one row block, pairs split over 3 worker threads: same numbers again
    r3 = I.interferogram_arrays(slc, DATES[:4], pairs, dem=stackio.read_band(str(tmp_path / "in" / "dem.tif")),
                                bperp_m=BPERP[:4], workers=3, **opts)
    assert np.array_equal(r3.phase, ph, equal_nan=True)
    assert np.array_equal(r3.coherence, stackio.read_block(a["OUTPUT_COHERENCE"]), equal_nan=True)
    assert np.array_equal(r3.mean_coherence, stackio.read_block(a["OUTPUT_MEAN_COHERENCE"])[0], equal_nan=True)


def test_outputs_are_self_describing(tmp_path):
    stack, _ = _stack(tmp_path, rows=40, cols=40, n=3)
    res = I.compute_interferograms(stack, None, looks_range=4, looks_azimuth=2, coherence_window=3,
                                   goldstein_alpha=0.0, **_outs(tmp_path / "o", "m"))
    ph = stackio.read_stack_info(res["OUTPUT_PHASE"])
    assert ph.kind == "wrapped" and ph.units == "radians"
    assert ph.labels == ["20200101_20200113", "20200113_20200125"]
    assert ph.pairs == [(DATES[0], DATES[1]), (DATES[1], DATES[2])]
    np.testing.assert_allclose(ph.bperp_m, [80.0, -140.0])
    np.testing.assert_allclose(ph.date_bperp_m, BPERP[:3])
    assert ph.dates == DATES[:3]
    assert (ph.geometry.looks_range, ph.geometry.looks_azimuth) == (4, 2)
    assert ph.geotransform[1] == 80.0 and ph.geotransform[5] == -40.0
    assert (ph.width, ph.height) == (10, 20)
    assert ph.band_metadata[1]["BTEMP_DAYS"] == "12"
    coh = stackio.read_stack_info(res["OUTPUT_COHERENCE"])
    assert coh.kind == "coherence" and coh.pairs == ph.pairs
    assert stackio.read_stack_info(res["OUTPUT_MEAN_COHERENCE"]).kind == "mean_coherence"
    da = stackio.read_stack_info(res["OUTPUT_AMPLITUDE_DISPERSION"])
    assert da.kind == "amplitude_dispersion" and da.labels == ["D_A", "MEAN_AMPLITUDE"]
    assert (da.width, da.height) == (40, 40)
    v = stackio.read_block(res["OUTPUT_AMPLITUDE_DISPERSION"])
    # D_A of unit-variance speckle over 3 dates: positive, finite, around 0.5
    assert 0.2 < np.nanmedian(v[0]) < 0.8 and np.nanmedian(v[1]) > 0


def test_pairs_tables(tmp_path):
    p1 = tmp_path / "p1.csv"
    p1.write_text("REF_DATE,SEC_DATE\n20200101,20200113\n20200113,20200125\n")
    p2 = tmp_path / "p2.csv"
    p2.write_text("pair,bperp\n20200101_20200125,3\n")
    assert I.read_pairs_table(str(p1)) == [(DATES[0], DATES[1]), (DATES[1], DATES[2])]
    assert I.read_pairs_table(str(p2)) == [(DATES[0], DATES[2])]
    from osgeo import ogr
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(tmp_path / "p.gpkg"))
    lyr = ds.CreateLayer("pairs", geom_type=ogr.wkbNone)
    for f in ("REF_DATE", "SEC_DATE"):
        lyr.CreateField(ogr.FieldDefn(f, ogr.OFTString))
    feat = ogr.Feature(lyr.GetLayerDefn())
    feat["REF_DATE"], feat["SEC_DATE"] = "20200113", "20200125"
    lyr.CreateFeature(feat)
    ds = None
    assert I.read_pairs_table(str(tmp_path / "p.gpkg")) == [(DATES[1], DATES[2])]
    pl, ri, si = I.resolve_pairs([("20200125", "20200101")], DATES)   # swapped to earlier reference
    assert pl == [(DATES[0], DATES[2])] and list(ri) == [0] and list(si) == [2]


# ------------------------------------------------------------------- bad input
def test_bad_input_names_parameter_and_writes_nothing(tmp_path):
    stack, dem = _stack(tmp_path, rows=32, cols=32, n=3)
    out = tmp_path / "o"

    def run(**kw):
        args = dict(looks_range=1, looks_azimuth=1, goldstein_alpha=0.0, **_outs(out, "x"))
        args.update(kw)
        s = args.pop("stack", stack)
        p = args.pop("pairs", None)
        return I.compute_interferograms(s, p, **args)

    real = stackio.write_raster(str(tmp_path / "real.tif"), np.ones((3, 32, 32), np.float32), kind="dem",
                                labels=["20200101", "20200113", "20200125"])
    with pytest.raises(ValueError, match="STACK: .*not complex"):
        run(stack=real)
    with pytest.raises(ValueError, match=r"PAIRS row 2: date\(s\) 20210101 .*not in the stack"):
        run(pairs=[("20200101", "20200113"), ("20200113", "20210101")])
    small = stackio.write_raster(str(tmp_path / "small_dem.tif"), np.zeros((31, 32), np.float32), kind="dem")
    with pytest.raises(ValueError, match="DEM: .*31 pixels"):
        run(dem=small, remove_topo=True)
    from osgeo import osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    other = stackio.write_raster(str(tmp_path / "crs_dem.tif"), dem, kind="dem", crs_wkt=srs.ExportToWkt(),
                                 geotransform=(123.5, 0.0002, 0, 42.0, 0, -0.0002))
    with pytest.raises(ValueError, match="DEM: .*another CRS"):
        run(dem=other, remove_topo=True)
    with pytest.raises(ValueError, match="LOOKS_RANGE: 40 looks is larger than the image"):
        run(looks_range=40)
    with pytest.raises(ValueError, match="LOOKS_AZIMUTH"):
        run(looks_azimuth=0)
    with pytest.raises(ValueError, match="GOLDSTEIN_ALPHA"):
        run(goldstein_alpha=2.0)
    with pytest.raises(ValueError, match="COHERENCE_WINDOW"):
        run(coherence_window=0)
    with pytest.raises(ValueError, match="PAIRS: file not found"):
        run(pairs=str(tmp_path / "nothere.csv"))
    with pytest.raises(ValueError, match="STACK"):
        I.interferogram_arrays(np.ones((2, 8, 8), np.float32), DATES[:2])
    assert not out.exists() or os.listdir(out) == []


def test_cancel_leaves_nothing(tmp_path):
    stack, _ = _stack(tmp_path, rows=48, cols=32, n=3)

    class Fb:
        calls = 0

        def setProgress(self, v):
            self.calls += 1

        def isCanceled(self):
            return self.calls >= 1

    out = tmp_path / "o"
    with pytest.raises(Canceled):
        I.compute_interferograms(stack, None, memory_mb=0.01, workers=1, goldstein_alpha=0.0, feedback=Fb(),
                                 **_outs(out, "c"))
    assert os.listdir(out) == []


def test_against_simulator_truth():
    """The simulator's 'tiny' stack (DESIGN §2 phase: motion, topography of DEM + DEM error,
    atmosphere): after topography removal the wrapped phase matches the truth where the
    model coherence is high, and the coherence estimate matches the model there."""
    S = pytest.importorskip("minesar.algorithms.simulate")
    sc = S.scenario("tiny")
    a = S.simulate_arrays(sc, seed=0)
    g = sc.geometry
    r = I.interferogram_arrays(a.slc, sc.dates, None, dem=a.dem, bperp_m=sc.bperp_m, geometry=g,
                               coherence_window=5, remove_topo=True, goldstein_alpha=0.5)
    k = 4 * np.pi / g.wavelength_m
    kz = I.topo_phase_per_metre(g)
    worst_err, worst_coh = 0.0, 0.0
    for p, (ref, sec) in enumerate(r.pairs):
        i, j = sc.dates.index(ref), sc.dates.index(sec)
        truth = (k * (a.disp_mm[i] - a.disp_mm[j]) / 1000.0 - kz * (sc.bperp_m[j] - sc.bperp_m[i]) * a.dem_error
                 + (a.atmo_rad[i] - a.atmo_rad[j]))
        gam = np.zeros(a.landcover.shape)
        for lc in np.unique(a.landcover):
            gam[a.landcover == lc] = S.coherence_matrix(sc, int(lc))[i, j]
        m = gam >= 0.75
        assert m.sum() > 500
        err, _ = circ_mean_error(r.phase[p][m], truth[m])
        worst_err = max(worst_err, err)
        worst_coh = max(worst_coh, abs(float(np.nanmean(r.coherence[p][m])) - float(gam[m].mean())))
    print(f"simulator tiny: worst circular mean error {worst_err:.4f} rad, worst mean coherence error {worst_coh:.4f}")
    assert worst_err < 0.1
    assert worst_coh < 0.05
