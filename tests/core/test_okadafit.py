"""Okada source fit: quadtree, noise model, recovery of the Puhe sources (tier a)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from minesar.algorithms import okada, okadafit

# STUDIES.md, study C (Puhe): centres relative to 123.548 E, 41.995 N (m E, m N)
PUHE = np.array([
    [-15.99, 24.01, 482.09, 615.99, 352.91, 24.52, 0.0, -0.59, 0.0, 0.0],
    [644.91, -1080.10, 568.67, 646.42, 229.36, 11.01, 0.0, -0.04, 0.0, 0.0],
    [303.95, -939.95, 481.29, 640.73, 320.60, 147.68, 0.0, -0.67, 0.0, 0.0],
])
INC, HEAD = 37.1, -166.2  # ascending track of the study


def atmosphere(shape, pix, corr_m, std_mm, rng):
    """Gaussian random field with an exponential covariance (range corr_m)."""
    ny, nx = shape
    k = np.hypot(*np.meshgrid(np.fft.fftfreq(nx, pix), np.fft.fftfreq(ny, pix)))
    spec = (1.0 + (2 * np.pi * k * corr_m) ** 2) ** -1.5
    f = np.real(np.fft.ifft2(np.fft.fft2(rng.standard_normal(shape)) * np.sqrt(spec)))
    return f / f.std() * std_mm


def puhe_scene(n, pix, seed=0, white=5.0, atmo=3.0, corr=800.0):
    rng = np.random.default_rng(seed)
    xs = 300.0 - n * pix / 2 + pix * (np.arange(n) + 0.5)
    ys = -500.0 + n * pix / 2 - pix * (np.arange(n) + 0.5)
    X, Y = np.meshgrid(xs, ys)
    los = okada.los_vector(INC, HEAD)
    clean = 1000 * okada.rectangles_los(X, Y, PUHE, *los)
    noisy = clean + rng.normal(0, white, clean.shape) + atmosphere(clean.shape, pix, corr, atmo, rng)
    return X, Y, clean, noisy, los


def test_quadtree_and_semivariogram():
    rng = np.random.default_rng(0)
    X, Y = np.meshgrid(np.arange(128) * 10.0, np.arange(128) * 10.0)
    d = np.where(np.hypot(X - 640, Y - 640) < 200, 50.0, 0.0) + rng.normal(0, 1.0, X.shape)
    d[:10, :10] = np.nan
    qt = okadafit.quadtree(X, Y, d, threshold=4.0, min_size=20.0)
    assert qt["n"].sum() == np.isfinite(d).sum()          # every valid pixel in exactly one leaf
    big = qt["size"] > 300
    assert big.any() and np.all(np.abs(qt["d"][big]) < 1.0)  # quiet far field -> large cells
    assert qt["size"][np.hypot(qt["x"] - 640, qt["y"] - 440) < 30].max() <= 40  # edge of the disc: small cells
    # semivariogram of an exponential field recovers sill and range roughly
    f = atmosphere((128, 128), 20.0, 300.0, 3.0, rng) + rng.normal(0, 1.0, (128, 128))
    Xs, Ys = np.meshgrid(np.arange(128) * 20.0, np.arange(128) * 20.0)
    sill, rg, nug, _ = okadafit.fit_semivariogram(Xs, Ys, f, max_points=2500)
    assert 4.0 < sill + nug < 14.0 and 100 < rg < 900 and nug < 3.0


def _match(fitted, truth):
    """Assignment of truth rows to fitted rows minimising the summed centre distance."""
    perms = itertools.permutations(range(fitted.shape[0]), truth.shape[0])
    return min(perms, key=lambda p: sum(np.hypot(*(fitted[j, :2] - truth[k, :2])) for k, j in enumerate(p)))


def _within(m, t, tol, sd):
    """|m - t| within the issue's tolerance, or 2.5 Cramer-Rao standard deviations
    where the data cannot give the tolerance (sd > tol / 2.5)."""
    return abs(m - t) <= max(tol, 2.5 * sd)


ISSUE_TOL = {2: 0.10, 3: 0.15, 4: 0.15, 7: 0.10}   # relative: depth, length, width, opening


@pytest.fixture(scope="module")
def puhe100():
    return puhe_scene(100, 60.0, seed=0)


def test_puhe_three_sources_support(puhe100):
    """Study C with three rectangles: 5 mm white noise plus a correlated atmosphere (3 mm, 800 m),
    LOS of the ascending track, 100 x 100 grid at 60 m (300 x 300 x 20 m: bench/bench_okada.py).
    The two bowls (sources 1 and 3) are found and supported; the third rectangle (source 2 of the
    study, 5.7 mm of signal) is reported as not supported by the data."""
    X, Y, clean, noisy, los = puhe100
    res = okadafit.fit_sources(X, Y, noisy, los=los, n_sources=3, n_iterations=20000, max_samples=400,
                               de_maxiter=40, seed=1)
    assert 100 <= res.n_samples <= 400
    assert 0.4 < res.chi2_reduced < 2.0 and 0.1 < res.acceptance < 0.7
    perm = _match(res.best, PUHE)
    assert res.supported[perm[0]] and res.supported[perm[2]] and not res.supported[perm[1]]
    assert res.support_dchi2[perm[0]] > 20 * res.support_penalty
    assert res.support_dchi2[perm[1]] < res.support_penalty and res.peak_mm[perm[1]] < 10
    assert any("source %d is not supported" % (perm[1] + 1) in m for m in res.messages)
    for k in (0, 2):  # the bowls' best fit: centre, depth and length as the issue asks
        m = res.best[perm[k]]
        assert np.hypot(*(m[:2] - PUHE[k, :2])) < 50, (k, m)
        assert abs(m[2] / PUHE[k, 2] - 1) < 0.10 and abs(m[3] / PUHE[k, 3] - 1) < 0.15, (k, m)
    # best-fit model residual: near-normal with the noise's standard deviation
    st = okadafit.residual_stats(noisy - res.model_mm(X, Y, los, which="best"))
    assert abs(st["mean"]) < 1.0 and 5.0 < st["std"] < 6.5


def test_puhe_supported_sources_recovery(puhe100):
    """What the warning tells the user to do: fit the two supported sources.  Best fit within the
    issue's tolerances (or 2.5 Cramer-Rao standard deviations where the data cannot reach them);
    95 % intervals contain the truth: every parameter of source 1; depth, width and opening of
    source 3 (its centre and strike absorb the unmodelled 5.7 mm of source 2 next to it)."""
    X, Y, clean, noisy, los = puhe100
    res = okadafit.fit_sources(X, Y, noisy, los=los, n_sources=2, n_iterations=20000, max_samples=400,
                               de_maxiter=40, seed=1)
    assert res.supported.all()
    truth = PUHE[[0, 2]]
    crlb = okadafit.cramer_rao(X, Y, truth, los, noise_sill=9.0, noise_range=800.0, noise_nugget=25.0)
    perm = _match(res.best, truth)
    for k in range(2):
        j = perm[k]
        m, t = res.best[j], truth[k]
        assert np.hypot(*(m[:2] - t[:2])) < max(50.0, 2.5 * np.hypot(*crlb[k, :2])), (k, m)
        for c, tol in ISSUE_TOL.items():
            assert _within(m[c], t[c], tol * abs(t[c]), crlb[k, c]), (k, c, m[c], t[c], crlb[k, c])
        # posterior spread agrees with the information bound (no over-confidence)
        for c in (0, 1, 2, 4, 7):
            assert res.std[j, c] > 0.7 * crlb[k, c], (k, c, res.std[j, c], crlb[k, c])
    for k, cols in ((0, (0, 1, 2, 3, 4, 5, 7)), (1, (2, 4, 7))):
        j = perm[k]
        for c in cols:
            assert res.lo95[j, c] <= truth[k, c] <= res.hi95[j, c], (k, c, res.lo95[j, c], truth[k, c], res.hi95[j, c])


def test_cramer_rao_white_noise_is_analytic():
    """Opening alone under white noise: sd = sigma / |dd/d opening| (both the FFT and the dense path)."""
    X, Y = np.meshgrid(np.arange(-1500, 1501, 60.0), np.arange(-1500, 1501, 60.0))
    src = PUHE[:1].copy()
    los = okada.los_vector(INC, HEAD)
    unit = src.copy()
    unit[0, 7] = 1.0
    g = 1000 * okada.rectangles_los(X, Y, unit, *los)            # mm per m of opening
    for xx, yy in ((X, Y), (X.ravel()[::2], Y.ravel()[::2])):
        sd = okadafit.cramer_rao(xx, yy, src, los, noise_sill=0.0, noise_range=100.0, noise_nugget=25.0,
                                 free=("opening",), offset=False, ramp=False)
        gg = g if xx.ndim == 2 else g.ravel()[::2]
        assert sd[0, 7] == pytest.approx(5.0 / np.sqrt(np.sum(gg ** 2)), rel=1e-6)
        assert np.isnan(sd[0, 0])


def test_cramer_rao_fft_matches_dense_covariance():
    """Correlated noise: the circulant (FFT) bound on a grid equals the dense-covariance bound
    when the noise range is short against the grid."""
    X, Y, clean, noisy, los = puhe_scene(40, 150.0)
    a = okadafit.cramer_rao(X, Y, PUHE[:1], los, noise_sill=9.0, noise_range=150.0, noise_nugget=25.0)
    b = okadafit.cramer_rao(X.ravel(), Y.ravel(), PUHE[:1], los, noise_sill=9.0, noise_range=150.0,
                            noise_nugget=25.0)
    cols = [0, 1, 2, 3, 4, 5, 7]
    assert np.allclose(a[0, cols], b[0, cols], rtol=0.01)
    with pytest.raises(ValueError, match="FREE"):
        okadafit.cramer_rao(X, Y, PUHE[:1], los, noise_sill=9.0, noise_range=150.0, noise_nugget=25.0,
                            free=("volume",))


def test_puhe_source2_is_below_the_information_bound():
    """Why the issue's recovery criterion cannot hold for source 2 of the study: even with white
    noise only (5 mm per 20 m pixel, no atmosphere) on the 300 x 300 field, the Cramer-Rao bound on
    its opening is > 10x its 10 % tolerance (0.004 m), on its width > 10x its 15 % tolerance.  With
    the 3 mm atmosphere the openings of sources 1 and 3 have bounds above their 10 % tolerance too."""
    X, Y, clean, noisy, los = puhe_scene(300, 20.0)
    white = okadafit.cramer_rao(X, Y, PUHE, los, noise_sill=0.0, noise_range=800.0, noise_nugget=25.0)
    assert white[1, 7] > 10 * 0.1 * abs(PUHE[1, 7])
    assert white[1, 4] > 10 * 0.15 * PUHE[1, 4]
    assert white[0, 7] < 0.5 * 0.1 * abs(PUHE[0, 7])           # source 1 alone would be easy
    atm = okadafit.cramer_rao(X, Y, PUHE, los, noise_sill=9.0, noise_range=800.0, noise_nugget=25.0)
    assert atm[0, 7] > 0.1 * abs(PUHE[0, 7]) and atm[2, 7] > 0.1 * abs(PUHE[2, 7])
    assert np.all(atm[[0, 2]][:, :2] < 20)                      # centres stay well determined


@pytest.mark.parametrize("kw, match", [
    (dict(n_sources=0), "N_SOURCES"),
    (dict(n_sources=6), "N_SOURCES"),
    (dict(nan=True), "DISPLACEMENT"),
    (dict(depth_range=(500.0, 100.0)), "DEPTH"),
    (dict(opening_sign="up"), "OPENING_SIGN"),
    (dict(start_sources=[[0, 0, 10.0, 600, 300, 0, 90, -0.5, 0, 0]]), "START_SOURCES.*above the surface"),
    (dict(start_sources=[[0, 0, 400.0, 0, 300, 0, 0, -0.5, 0, 0]]), "START_SOURCES.*zero"),
])
def test_fit_bad_input(kw, match):
    X, Y = np.meshgrid(np.arange(20) * 50.0, np.arange(20) * 50.0)
    d = np.random.default_rng(0).normal(0, 1, X.shape)
    if kw.pop("nan", False):
        d[:] = np.nan
    kw.setdefault("n_sources", 1)
    with pytest.raises(ValueError, match=match):
        okadafit.fit_sources(X, Y, d, **kw)


def test_fit_from_starting_rectangle_and_free_dip():
    """Starting rectangle (as drawn by a user) and free dip: a dipping tensile source is recovered."""
    rng = np.random.default_rng(5)
    X, Y = np.meshgrid(np.arange(-2000, 2001, 80.0), np.arange(-2000, 2001, 80.0))
    true = np.array([[150.0, -100.0, 400.0, 500.0, 300.0, 60.0, 25.0, -0.5, 0.0, 0.0]])
    los = okada.los_vector(INC, HEAD)
    d = 1000 * okada.rectangles_los(X, Y, true, *los) + rng.normal(0, 2.0, X.shape)
    start = np.array([[300.0, 50.0, 500.0, 400.0, 250.0, 40.0, 10.0, -1.0, 0.0, 0.0]])
    res = okadafit.fit_sources(X, Y, d, los=los, n_sources=1, start_sources=start, fix_dip_zero=False,
                               n_iterations=3000, max_samples=300, de_maxiter=30, seed=2)
    m = res.sources[0]
    assert "dip" in res.free and res.samples.shape[1:] == (1, 10)
    assert np.hypot(*(m[:2] - true[0, :2])) < 50
    assert abs(m[2] / true[0, 2] - 1) < 0.1 and abs(m[6] - true[0, 6]) < 10
    assert abs(m[3] * m[4] * m[7] / (true[0, 3] * true[0, 4] * true[0, 7]) - 1) < 0.1
    st = okadafit.residual_stats(d - res.model_mm(X, Y, los))
    assert abs(st["std"] - 2.0) < 0.3
