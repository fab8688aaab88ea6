"""Okada source fit: quadtree, noise model, recovery of the Puhe sources (tier a)."""
from __future__ import annotations

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


def test_puhe_three_source_recovery():
    """Study C: three horizontal tensile rectangles, 5 mm white noise plus a
    correlated atmosphere (3 mm, 800 m), LOS of the ascending track; 100 x 100
    grid at 60 m (the 300 x 300 x 20 m run is in bench/bench_okada.py)."""
    X, Y, clean, noisy, los = puhe_scene(100, 60.0, seed=0)
    res = okadafit.fit_sources(X, Y, noisy, los=los, n_sources=3, n_iterations=10000, max_samples=400,
                               de_maxiter=40, seed=1)
    assert 100 <= res.n_samples <= 400
    assert 0.4 < res.chi2_reduced < 2.0 and 0.1 < res.acceptance < 0.7

    def nearest(k):
        return int(np.argmin(np.hypot(res.sources[:, 0] - PUHE[k, 0], res.sources[:, 1] - PUHE[k, 1])))

    # sources 1 and 3 make the two bowls: the criteria on the posterior mean
    for k in (0, 2):
        m = res.sources[nearest(k)]
        assert np.hypot(*(m[:2] - PUHE[k, :2])) < 50, (k, m)
        assert abs(m[2] / PUHE[k, 2] - 1) < 0.10, (k, m)
        assert abs(m[3] / PUHE[k, 3] - 1) < 0.15, (k, m)
        assert abs(m[4] / PUHE[k, 4] - 1) < 0.15, (k, m)
        assert abs(m[7] / PUHE[k, 7] - 1) < 0.10, (k, m)
    # source 1: every 95 % interval (centre, depth, length, width, opening) contains the truth
    j = nearest(0)
    for c in (0, 1, 2, 3, 4, 7):
        assert res.lo95[j, c] <= PUHE[0, c] <= res.hi95[j, c], (c, res.lo95[j, c], PUHE[0, c], res.hi95[j, c])
    # source 2 (opening -0.04 m: 5.7 mm of LOS signal under 5 mm noise + atmosphere) is below the noise;
    # it is not resolved, and source 3 absorbs it (its intervals are then too narrow): see docs/okada.md
    # residual of the posterior-mean model: near-normal, std close to the noise
    r = noisy - res.model_mm(X, Y, los)
    st = okadafit.residual_stats(r)
    assert abs(st["mean"]) < 1.0 and 4.5 < st["std"] < 7.5


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
