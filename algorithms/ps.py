"""Persistent-scatterer InSAR (PS-InSAR): the ``psinsar`` stage.

The workflow of the Huaibei industrial-square study (STUDIES.md, study B),
following Ferretti et al. (2001) and Hooper et al. (2004):

1. **Single common master.**  ``MASTER_DATE`` or, automatically, the date that
   minimises the sum of normalised temporal and perpendicular baselines
   (:func:`select_master`).  Every other date gives one single-master
   interferogram; the topographic phase of the user's DEM is removed with
   ``-4 pi / lambda * (B_sec - B_ref) * h / (R sin(theta))`` (DESIGN §2).
2. **PS candidates** (:func:`candidate_statistics`, :func:`select_candidates`):
   ``coherence`` (mean coherence of the single-master interferograms over an
   amplitude-homogeneous boxcar >= ``coherence_threshold``), ``dispersion``
   (amplitude dispersion ``D_A = sigma_A / mu_A <= dispersion_threshold``),
   ``amplitude_dispersion`` (mean intensity in dB >= ``amplitude_threshold_db``
   then ``D_A``) and ``dual`` (coherence first, then ``D_A``; the study's
   winner, the default).
3. **Arc network** (:func:`delaunay_arcs`): a Delaunay triangulation of the
   candidates with ``D_A <= primary_dispersion`` (network PS), arcs longer than
   ``max_arc_m`` dropped.  The other candidates are linked to their
   ``neighbours`` nearest network PS (densification).
4. **Periodogram** per arc (:func:`arc_periodogram`, numba): the velocity
   difference (mm/yr) and DEM-error difference (m) maximising the ensemble
   coherence ``|1/N sum_k exp(i (dphi_k - model_k))|`` (Ferretti 2001); a
   grid search refined by successive finer local grids.  Arcs below
   ``arc_coherence`` are dropped.
5. **Integration** (:func:`integrate_arcs`): weighted least squares on the
   network from a reference PS, iteratively removing arcs whose residual
   exceeds ``outlier_sigma`` robust standard deviations.  The wrapped arc
   residual phases are integrated the same way (spatial unwrapping on the
   network).  The DEM error is refined from the temporally high-passed
   residual (non-linear motion must not leak into it).
6. **Atmosphere** (:func:`separate_atmosphere`): the residual phase is
   high-passed in time (Gaussian, ``atmo_time_window_days``) and low-passed in
   space (Gaussian, ``atmo_space_window_m``); that part is the atmosphere and
   is removed.  The non-linear motion (the temporal low-pass) is kept.
7. **Temporal coherence** (Hooper 2004) of every PS against its estimated
   phase model (linear motion + DEM error + smooth non-linear motion +
   atmosphere); PS below ``final_coherence`` are dropped and the network is
   integrated again on the survivors.

See docs/psinsar.md for the measured accuracy on the simulated Huaibei preset.

Sign conventions (DESIGN §2): interferogram = earlier x conj(later); LOS
displacement ``d_mm = -lambda/(4 pi) * phi * 1000``, positive toward the
satellite (subsidence negative); time series relative to the FIRST date
(first = 0) and to the reference PS.  Internally every date ``k`` carries the
phase ``psi_k = phase(master x conj(k))``; for a date before the master the
interferogram of the convention is ``k x conj(master)`` whose phase is
``-psi_k`` and whose displacement ``d_master - d_k`` is the same quantity with
the opposite sign, so the per-date displacement ``d_k - d_master =
-lambda/(4 pi) psi_k`` holds for every date; the series is then shifted so the
first date is zero.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .network import choose_master
from .progress import ScaledFeedback, check_cancel, ensure, info, warn
from .stackio import DAYS_PER_YEAR, Geometry, date_label
from .validate import check_array, check_positive, check_range

from ._numba import njit

SELECTION_METHODS = ("dual", "coherence", "dispersion", "amplitude_dispersion")

#: Literature values of the amplitude-dispersion threshold (documentation).
FERRETTI_DA_THRESHOLD = 0.25
STAMPS_DA_THRESHOLD = 0.4

MIN_DATES = 5
MIN_PRIMARY = 50
RELIABLE_DATES = 10


# =========================================================================== master
def select_master(dates: Sequence[_dt.date], bperp_m: Sequence[float]) -> int:
    """Index of the common master by the Huaibei rule.

    The master minimises ``sum_k |t_k - t_m| / T + |B_k - B_m| / B`` where
    ``T`` and ``B`` are the spans of the acquisition times and perpendicular
    baselines (normalised temporal + perpendicular baseline; the Doppler term
    of the study is not available in a manifest and is left out): the
    pair-network stage's :func:`network.choose_master`.
    """
    dates = list(dates)
    m, _ = choose_master(dates, list(np.asarray(bperp_m, float)))
    return dates.index(m)


def phase_factors(dates: Sequence[_dt.date], bperp_m: Sequence[float], master: int,
                  geometry: Geometry) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-date phase sensitivities of ``psi_k = phase(master x conj(k))``.

    Returns
    -------
    alpha : (n_dates,) float64
        rad per mm/yr of LOS velocity: ``-4 pi / lambda * (t_k - t_m) * 1e-3``.
    beta : (n_dates,) float64
        rad per metre of height: ``-4 pi / lambda * (B_k - B_m) / (R sin theta)``.
    t_years : (n_dates,) float64
        time since the first date (years of 365.25 days).
    """
    g = geometry
    t = np.array([(d - dates[0]).days / DAYS_PER_YEAR for d in dates], dtype=np.float64)
    b = np.asarray(bperp_m, dtype=np.float64)
    k = 4.0 * math.pi / g.wavelength_m
    alpha = -k * (t - t[master]) * 1e-3
    beta = -k * (b - b[master]) / (g.slant_range_m * math.sin(math.radians(g.incidence_deg)))
    return alpha, beta, t


# ===================================================================== statistics
@njit(cache=True, nogil=True)
def _stats_kernel(slc, master, beta, dem, half, ratio, da, amp, intensity, coh):  # pragma: no cover - numba
    n, R, C = slc.shape
    # amplitude statistics
    for r in range(R):
        for c in range(C):
            s1 = 0.0
            s2 = 0.0
            si = 0.0
            for k in range(n):
                a = abs(slc[k, r, c])
                s1 += a
                s2 += a * a
            mu = s1 / n
            var = s2 / n - mu * mu
            if var < 0.0:
                var = 0.0
            amp[r, c] = mu
            intensity[r, c] = s2 / n
            da[r, c] = math.sqrt(var) / mu if mu > 0.0 else np.inf
            coh[r, c] = 0.0
    # boxcar coherence of the single-master interferograms over the amplitude-homogeneous
    # neighbours (temporal mean amplitude within a factor ``ratio`` of the centre pixel)
    for r in range(R):
        r0 = max(r - half, 0)
        r1 = min(r + half + 1, R)
        for c in range(C):
            c0 = max(c - half, 0)
            c1 = min(c + half + 1, C)
            a0 = amp[r, c]
            nh = 0
            for i in range(r0, r1):
                for j in range(c0, c1):
                    aj = amp[i, j]
                    if not (aj > a0 * ratio or aj * ratio < a0):
                        nh += 1
            # fewer than 3 similar pixels: a one- or two-sample coherence means nothing, use the whole window
            lim = ratio if nh >= 3 else np.inf
            acc = 0.0
            nk = 0
            for k in range(n):
                if k == master:
                    continue
                nk += 1
                zr = 0.0
                zi = 0.0
                pm = 0.0
                ps = 0.0
                for i in range(r0, r1):
                    for j in range(c0, c1):
                        aj = amp[i, j]
                        if aj > a0 * lim or aj * lim < a0:
                            continue
                        m = slc[master, i, j]
                        s = slc[k, i, j]
                        ph = -beta[k] * dem[i, j]
                        cr = math.cos(ph)
                        ci = math.sin(ph)
                        # m * conj(s) * exp(i ph)
                        pr = m.real * s.real + m.imag * s.imag
                        pi_ = m.imag * s.real - m.real * s.imag
                        zr += pr * cr - pi_ * ci
                        zi += pr * ci + pi_ * cr
                        pm += m.real * m.real + m.imag * m.imag
                        ps += s.real * s.real + s.imag * s.imag
                den = math.sqrt(pm * ps)
                if den > 0.0:
                    acc += math.sqrt(zr * zr + zi * zi) / den
            coh[r, c] = acc / nk if nk > 0 else 0.0


def candidate_statistics(slc: np.ndarray, *, master: int, beta: np.ndarray, dem: Optional[np.ndarray] = None,
                         coherence_window: int = 7, homogeneity_ratio: float = 2.0) -> Dict[str, np.ndarray]:
    """Per-pixel PS selection statistics of an SLC block.

    Parameters
    ----------
    slc : (n_dates, rows, cols) complex
        Coregistered SLCs.
    master : int
        Index of the common master.
    beta : (n_dates,) float
        Height-to-phase factors (rad/m) of :func:`phase_factors`.
    dem : (rows, cols) float, optional
        DEM heights (m) whose topographic phase is removed before the
        coherence estimate (NaN = 0).
    coherence_window : int
        Odd boxcar size in pixels.
    homogeneity_ratio : float
        Only neighbours whose temporal mean amplitude is within this factor of
        the centre pixel's enter its coherence estimate, so a bright PS does
        not lend its coherence to the clutter around it (and clutter does not
        dilute the coherence of a PS).

    Returns
    -------
    dict with ``da`` (amplitude dispersion), ``amp`` (mean amplitude, input
    units), ``amp_db`` (10 log10 of the mean intensity) and ``coh`` (mean
    coherence of the single-master interferograms), each ``(rows, cols)``
    float32.
    """
    slc = check_array("STACK", slc, ndim=3, dtype_kind="c")
    n, R, C = slc.shape
    if not 0 <= master < n:
        raise ValueError(f"MASTER_DATE: index {master} outside 0..{n - 1}")
    beta = check_array("beta", beta, ndim=1, shape=(n,)).astype(np.float64)
    if dem is None:
        dem = np.zeros((R, C), dtype=np.float64)
    else:
        dem = check_array("DEM", dem, ndim=2, shape=(R, C)).astype(np.float64)
        dem = np.where(np.isfinite(dem), dem, 0.0)
    w = int(coherence_window)
    if w < 1:
        raise ValueError(f"COHERENCE_WINDOW: must be >= 1, got {coherence_window}")
    s = np.ascontiguousarray(slc, dtype=np.complex64)
    s = np.where(np.isfinite(s), s, 0).astype(np.complex64)
    da = np.empty((R, C), np.float64)
    amp = np.empty((R, C), np.float64)
    inten = np.empty((R, C), np.float64)
    coh = np.empty((R, C), np.float64)
    _stats_kernel(s, int(master), beta, dem, w // 2, float(homogeneity_ratio), da, amp, inten, coh)
    with np.errstate(divide="ignore"):
        amp_db = 10.0 * np.log10(inten)
    return {"da": da.astype(np.float32), "amp": amp.astype(np.float32), "amp_db": amp_db.astype(np.float32),
            "coh": coh.astype(np.float32)}


def _percentiles(v: np.ndarray) -> str:
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "no finite values"
    p = np.percentile(v, [5, 25, 50, 75, 95, 99])
    return ("min {:.3g}, p5 {:.3g}, p25 {:.3g}, median {:.3g}, p75 {:.3g}, p95 {:.3g}, p99 {:.3g}, "
            "max {:.3g}").format(v.min(), *p, v.max())


def selection_steps(method: str, *, coherence_threshold: float = 0.7, dispersion_threshold: float = 0.6,
                    amplitude_threshold_db: float = 10.5):
    """The ordered threshold tests of a selection method.

    Returns a list of ``(parameter KEY, statistic name, comparison, threshold)``.
    """
    m = str(method).strip().lower()
    coh = ("COHERENCE_THRESHOLD", "coh", ">=", float(coherence_threshold))
    da = ("DISPERSION_THRESHOLD", "da", "<=", float(dispersion_threshold))
    amp = ("AMPLITUDE_THRESHOLD", "amp_db", ">=", float(amplitude_threshold_db))
    steps = {"coherence": [coh], "dispersion": [da], "amplitude_dispersion": [amp, da], "dual": [coh, da]}
    if m not in steps:
        raise ValueError(f"SELECTION: {method!r} is not one of {', '.join(SELECTION_METHODS)}")
    return steps[m]


def select_candidates(stats: Dict[str, np.ndarray], method: str = "dual", *, coherence_threshold: float = 0.7,
                      dispersion_threshold: float = 0.6, amplitude_threshold_db: float = 10.5,
                      raise_if_empty: bool = False) -> np.ndarray:
    """Boolean candidate mask from :func:`candidate_statistics`.

    With ``raise_if_empty`` a ``ValueError`` says which threshold removed the
    last pixels and gives the distribution (percentiles) of its statistic.
    """
    steps = selection_steps(method, coherence_threshold=coherence_threshold,
                            dispersion_threshold=dispersion_threshold,
                            amplitude_threshold_db=amplitude_threshold_db)
    mask = None
    for key, stat, op, thr in steps:
        v = np.asarray(stats[stat])
        ok = (v >= thr) if op == ">=" else (v <= thr)
        ok &= np.isfinite(v)
        new = ok if mask is None else (mask & ok)
        if raise_if_empty and not new.any():
            base = v if mask is None else v[mask]
            raise ValueError(_no_candidate_message(method, key, stat, op, thr, base, int(v.size),
                                                   None if mask is None else int(mask.sum())))
        mask = new
    return mask


_STAT_NAMES = {"coh": "mean coherence", "da": "amplitude dispersion D_A", "amp_db": "mean intensity (dB)"}


def _no_candidate_message(method, key, stat, op, thr, values, n_pixels, n_before):
    before = (f"of the {n_before} pixels left by the previous threshold" if n_before is not None
              else f"of {n_pixels} pixels")
    return (f"{key}: no PS candidate passes SELECTION={method}: {_STAT_NAMES[stat]} {op} {thr:g} removed all "
            f"{before}. Distribution of the {_STAT_NAMES[stat]}: {_percentiles(np.asarray(values, float))}. "
            f"Relax {key} or choose another SELECTION.")


# ======================================================================== network
def delaunay_arcs(x_m: np.ndarray, y_m: np.ndarray, *, max_arc_m: float) -> np.ndarray:
    """Arcs ``(n_arcs, 2)`` (point indices, ``i < j``) of the Delaunay
    triangulation of the points, without arcs longer than ``max_arc_m``."""
    from scipy.spatial import Delaunay
    pts = np.column_stack([np.asarray(x_m, float), np.asarray(y_m, float)])
    n = pts.shape[0]
    if n < 2:
        return np.zeros((0, 2), np.int64)
    if n == 2:
        e = np.array([[0, 1]], np.int64)
    else:
        try:
            tri = Delaunay(pts)
            s = tri.simplices
            e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
        except Exception:  # collinear points: chain them
            order = np.lexsort((pts[:, 1], pts[:, 0]))
            e = np.column_stack([order[:-1], order[1:]])
        e = np.sort(e, axis=1)
        e = np.unique(e, axis=0).astype(np.int64)
    d = np.hypot(*(pts[e[:, 1]] - pts[e[:, 0]]).T)
    return e[d <= float(max_arc_m)]


def connected_components(n_points: int, arcs: np.ndarray) -> Tuple[int, np.ndarray]:
    """Number of components and the label of every point."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as cc
    g = coo_matrix((np.ones(len(arcs)), (arcs[:, 0], arcs[:, 1])), shape=(n_points, n_points))
    return cc(g, directed=False)


# ===================================================================== periodogram
@njit(cache=True, nogil=True)
def _model_coherence(z, alpha, beta, dv, dh):  # pragma: no cover - numba
    sr = 0.0
    si = 0.0
    for k in range(z.shape[0]):
        ph = -(alpha[k] * dv + beta[k] * dh)
        c = math.cos(ph)
        s = math.sin(ph)
        sr += z[k].real * c - z[k].imag * s
        si += z[k].real * s + z[k].imag * c
    return math.sqrt(sr * sr + si * si) / z.shape[0]


@njit(cache=True, nogil=True)
def _periodogram_kernel(z, alpha, beta, ev, eh, vgrid, hgrid, n_refine, out_v, out_h, out_g):  # pragma: no cover
    n_arcs, n = z.shape
    nv = vgrid.shape[0]
    nh = hgrid.shape[0]
    w = np.empty(n, np.complex128)
    dvs = vgrid[1] - vgrid[0] if nv > 1 else 1.0
    dhs = hgrid[1] - hgrid[0] if nh > 1 else 1.0
    for a in range(n_arcs):
        best = -1.0
        bv = 0.0
        bh = 0.0
        for iv in range(nv):
            for k in range(n):
                w[k] = z[a, k] * ev[k, iv]
            for ih in range(nh):
                sr = 0.0
                si = 0.0
                for k in range(n):
                    e = eh[k, ih]
                    sr += w[k].real * e.real - w[k].imag * e.imag
                    si += w[k].real * e.imag + w[k].imag * e.real
                g = sr * sr + si * si
                if g > best:
                    best = g
                    bv = vgrid[iv]
                    bh = hgrid[ih]
        # refinement: successive 3 x 3 local grids with halving steps
        sv = dvs * 0.5
        sh = dhs * 0.5
        gbest = _model_coherence(z[a], alpha, beta, bv, bh)
        for it in range(n_refine):
            cv = bv
            ch = bh
            for i in range(-1, 2):
                for j in range(-1, 2):
                    if i == 0 and j == 0:
                        continue
                    tv = cv + i * sv
                    th = ch + j * sh
                    g = _model_coherence(z[a], alpha, beta, tv, th)
                    if g > gbest:
                        gbest = g
                        bv = tv
                        bh = th
            sv *= 0.5
            sh *= 0.5
        out_v[a] = bv
        out_h[a] = bh
        out_g[a] = gbest


def periodogram_grid(alpha: np.ndarray, beta: np.ndarray, *, velocity_range: float, dem_range: float,
                     max_points: int = 4000) -> Tuple[np.ndarray, np.ndarray]:
    """Search grids (mm/yr, m) with steps of a quarter of the periodogram peak
    width ``2 pi / span(alpha)``, ``2 pi / span(beta)``."""
    def grid(f, half):
        span = float(np.ptp(f))
        if span <= 0 or half <= 0:
            return np.zeros(1)
        step = 2.0 * math.pi / span / 4.0
        n = int(math.ceil(half / step))
        n = min(n, int(math.sqrt(max_points)))
        return np.linspace(-half, half, 2 * n + 1) if n > 0 else np.zeros(1)
    return grid(alpha, velocity_range), grid(beta, dem_range)


def arc_periodogram(z: np.ndarray, alpha: np.ndarray, beta: np.ndarray, *, velocity_range: float = 50.0,
                    dem_range: float = 40.0, n_refine: int = 8, workers: Optional[int] = None,
                    feedback=None) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Velocity and DEM-error difference of every arc (Ferretti 2001).

    Parameters
    ----------
    z : (n_arcs, n_ifg) complex
        Arc phase ``psi_b x conj(psi_a)`` per single-master interferogram
        (master date excluded); only the phase is used.
    alpha, beta : (n_ifg,) float
        rad per mm/yr and rad per metre (:func:`phase_factors`).
    velocity_range, dem_range : float
        Half widths of the search (mm/yr, m).

    Returns
    -------
    dv (mm/yr), dh (m), gamma (ensemble coherence 0..1), each ``(n_arcs,)``.
    """
    from .blocks import Block, run_blocks
    z = np.asarray(z)
    n_arcs, n = z.shape
    zn = z / np.maximum(np.abs(z), 1e-30)
    zn = np.ascontiguousarray(zn, dtype=np.complex128)
    alpha = np.ascontiguousarray(alpha, dtype=np.float64)
    beta = np.ascontiguousarray(beta, dtype=np.float64)
    vg, hg = periodogram_grid(alpha, beta, velocity_range=velocity_range, dem_range=dem_range)
    ev = np.exp(-1j * np.outer(alpha, vg))
    eh = np.exp(-1j * np.outer(beta, hg))
    out_v = np.zeros(n_arcs)
    out_h = np.zeros(n_arcs)
    out_g = np.zeros(n_arcs)
    if n_arcs == 0:
        return out_v, out_h, out_g
    chunk = max(2000, n_arcs // 40 + 1)
    blist = [Block(i, (a, min(a + chunk, n_arcs))) for i, a in enumerate(range(0, n_arcs, chunk))]

    def run(b):
        a0, a1 = b.window
        _periodogram_kernel(zn[a0:a1], alpha, beta, ev, eh, vg, hg, int(n_refine),
                            out_v[a0:a1], out_h[a0:a1], out_g[a0:a1])
        return a1 - a0

    run_blocks(blist, run, feedback=feedback, workers=workers)
    return out_v, out_h, out_g


# ===================================================================== integration
def _solve_network(n_points, arcs, values, weights, ref):
    """Weighted LSQ ``x_b - x_a = value`` with ``x_ref = 0``; values (n_arcs, m)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import splu
    na = arcs.shape[0]
    rows = np.concatenate([np.arange(na), np.arange(na)])
    cols = np.concatenate([arcs[:, 0], arcs[:, 1]])
    vals = np.concatenate([-np.ones(na), np.ones(na)])
    A = coo_matrix((vals, (rows, cols)), shape=(na, n_points)).tocsr()
    keep = np.ones(n_points, bool)
    keep[ref] = False
    Ar = A[:, keep]
    W = weights[:, None]
    N = (Ar.T.multiply(weights[None, :]) @ Ar).tocsc()
    rhs = Ar.T @ (W * values)
    lu = splu(N)
    sol = lu.solve(np.asarray(rhs, dtype=np.float64))
    x = np.zeros((n_points, values.shape[1]))
    x[keep] = sol
    return x, A


def integrate_arcs(n_points: int, arcs: np.ndarray, values: np.ndarray, weights: np.ndarray, ref: int, *,
                   outlier_sigma: float = 3.0, scale: Optional[np.ndarray] = None, max_iter: int = 5,
                   ) -> Tuple[np.ndarray, np.ndarray]:
    """Integrate arc differences to points by weighted least squares.

    Parameters
    ----------
    n_points : int
        Number of points (the network must be connected).
    arcs : (n_arcs, 2) int
        ``(a, b)``; each value is ``x_b - x_a``.
    values : (n_arcs, m) float
        Differences to integrate (each column separately).
    weights : (n_arcs,) float
        Arc weights.
    ref : int
        Reference point (``x_ref = 0``).
    outlier_sigma : float
        Arcs whose residual exceeds this many robust (MAD) standard deviations
        in any column (columns scaled by ``scale``) are removed; repeated up to
        ``max_iter`` times.  ``0`` disables the rejection.

    Returns
    -------
    x : (n_points, m) float
    kept : (n_arcs,) bool — arcs used in the final solution.
    """
    arcs = np.asarray(arcs, np.int64)
    values = np.asarray(values, np.float64)
    if values.ndim == 1:
        values = values[:, None]
    kept = np.ones(arcs.shape[0], bool)
    x = None
    for _ in range(max(1, int(max_iter))):
        x, A = _solve_network(n_points, arcs[kept], values[kept], weights[kept], ref)
        if outlier_sigma <= 0:
            break
        res = x[arcs[:, 1]] - x[arcs[:, 0]] - values
        rk = res[kept]
        sig = 1.4826 * np.median(np.abs(rk - np.median(rk, axis=0)), axis=0)
        sig = np.maximum(sig, 1e-9 if scale is None else np.asarray(scale, float) * 1e-3)
        bad = kept & (np.abs(res) > outlier_sigma * sig).any(axis=1)
        if not bad.any():
            break
        trial = kept & ~bad
        # never disconnect the network: keep an arc if removing it isolates a point
        ncomp, lab = connected_components(n_points, arcs[trial])
        if ncomp > 1:
            deg = np.bincount(arcs[trial].ravel(), minlength=n_points)
            rescue = bad & ((deg[arcs[:, 0]] == 0) | (deg[arcs[:, 1]] == 0))
            trial |= rescue
            ncomp, lab = connected_components(n_points, arcs[trial])
            if ncomp > 1:
                break
        if trial.sum() == kept.sum():
            break
        kept = trial
    x, _ = _solve_network(n_points, arcs[kept], values[kept], weights[kept], ref)
    return x, kept


# ====================================================================== atmosphere
def temporal_smoother(t_days: np.ndarray, window_days: float) -> np.ndarray:
    """``(n, n)`` matrix of the temporal low-pass used on residual phases: a
    Gaussian-weighted mean (sigma = window/4) of the OTHER dates.

    The residual has no linear trend left (the linear model was removed), so
    a weighted mean does not bias the ends; leaving the date itself out keeps
    its own atmosphere (white in time) out of the low-pass, which matters at
    the first and last dates where few neighbours exist.
    """
    t = np.asarray(t_days, float)
    n = t.size
    sig = max(float(window_days) / 4.0, 1e-6)
    w = np.exp(-0.5 * ((t[:, None] - t[None, :]) / sig) ** 2)
    if n > 1:
        np.fill_diagonal(w, 0.0)
    s = w.sum(axis=1, keepdims=True)
    w = np.where(s > 1e-12, w / np.maximum(s, 1e-300), np.eye(n))
    return w


def temporal_lowpass(series: np.ndarray, t_days: np.ndarray, window_days: float) -> np.ndarray:
    """Temporal low-pass of ``(n_points, n_dates)`` with :func:`temporal_smoother`."""
    return np.asarray(series, float) @ temporal_smoother(t_days, window_days).T


def spatial_lowpass(x_m: np.ndarray, y_m: np.ndarray, values: np.ndarray, window_m: float, *,
                    xq: Optional[np.ndarray] = None, yq: Optional[np.ndarray] = None) -> np.ndarray:
    """Gaussian spatial low-pass (sigma = window/4) of scattered values
    ``(n_points, m)``: normalised convolution on a grid of window/8 cells,
    read back bilinearly at the points (or at the query points ``xq, yq``)."""
    from scipy.ndimage import gaussian_filter, map_coordinates
    x = np.asarray(x_m, float)
    y = np.asarray(y_m, float)
    v = np.asarray(values, float)
    qx = x if xq is None else np.asarray(xq, float)
    qy = y if yq is None else np.asarray(yq, float)
    out = np.zeros((qx.size, v.shape[1]))
    if x.size == 0 or qx.size == 0:
        return out
    cell = max(float(window_m) / 8.0, 1e-6)
    x0, y0 = min(x.min(), qx.min()), min(y.min(), qy.min())
    x1, y1 = max(x.max(), qx.max()), max(y.max(), qy.max())
    pad = 8
    nx, ny = int((x1 - x0) // cell) + 1 + 2 * pad, int((y1 - y0) // cell) + 1 + 2 * pad
    if nx * ny > 25_000_000:  # absurdly small window for the extent: no filtering
        raise ValueError(f"ATMO_SPACE_WINDOW: {window_m:g} m is too small for a scene of "
                         f"{x1 - x0:.0f} x {y1 - y0:.0f} m")
    ix = np.floor((x - x0) / cell).astype(np.int64) + pad
    iy = np.floor((y - y0) / cell).astype(np.int64) + pad
    cnt = np.zeros((ny, nx))
    np.add.at(cnt, (iy, ix), 1.0)
    sigma_cells = float(window_m) / 4.0 / cell
    cs = gaussian_filter(cnt, sigma_cells, mode="constant", truncate=3.0)
    cx = (qx - x0) / cell - 0.5 + pad
    cy = (qy - y0) / cell - 0.5 + pad
    for j in range(v.shape[1]):
        g = np.zeros((ny, nx))
        np.add.at(g, (iy, ix), v[:, j])
        gs = gaussian_filter(g, sigma_cells, mode="constant", truncate=3.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(cs > 1e-9, gs / np.maximum(cs, 1e-9), 0.0)
        out[:, j] = map_coordinates(f, [cy, cx], order=1, mode="nearest")
    return out


def separate_atmosphere(x_m, y_m, residual: np.ndarray, t_days, *, time_window_days: float,
                        space_window_m: float) -> Tuple[np.ndarray, np.ndarray]:
    """Split an unwrapped residual phase ``(n_points, n_dates)`` (rad) into
    atmosphere (temporal high-pass, spatial low-pass) and the rest.

    Returns ``(atmosphere, smooth_nonlinear)``: the atmospheric phase and the
    temporal low-pass (non-linear motion) of the residual.
    """
    lp = temporal_lowpass(residual, t_days, time_window_days)
    hp = residual - lp
    if space_window_m > 0 and residual.shape[0] > 1:
        atmo = spatial_lowpass(x_m, y_m, hp, space_window_m)
    else:
        atmo = np.zeros_like(hp)
    return atmo, lp


def temporal_coherence(wrapped: np.ndarray, model: np.ndarray) -> np.ndarray:
    """Hooper (2004) temporal coherence ``|mean_k exp(i (psi_k - model_k))|``
    of wrapped phases ``(n_points, n)`` against modelled phases (rad)."""
    return np.abs(np.mean(np.exp(1j * (wrapped - model)), axis=1))


# ========================================================================= result
@dataclasses.dataclass
class PSResult:
    """Output of :func:`run_ps` (plain arrays, no QGIS).

    ``fields`` maps field names (``CODE``, ``VEL``, ``V_STDEV``, ``DEM_ERR``,
    ``COH``, ``DA``, ``AMP``, ``DYYYYMMDD``...) to ``(n_ps,)`` arrays in the
    order of :attr:`field_names`.
    """

    rows: np.ndarray
    cols: np.ndarray
    x: np.ndarray
    y: np.ndarray
    fields: Dict[str, np.ndarray]
    field_names: List[str]
    dates: List[_dt.date]
    master_date: _dt.date
    reference: int                 # index of the reference PS in the output
    n_ps: int
    density_per_km2: float
    area_km2: float
    timeseries_mm: np.ndarray      # (n_ps, n_dates)
    n_candidates: int
    n_arcs: int
    n_arcs_used: int
    n_network: int = 0
    candidate_mask: Optional[np.ndarray] = None   # (rows, cols) bool
    stats: Optional[Dict[str, np.ndarray]] = None  # per-pixel selection statistics
    timings: Dict[str, float] = dataclasses.field(default_factory=dict)
    messages: List[str] = dataclasses.field(default_factory=list)


class _ArraySource:
    def __init__(self, slc, dem):
        self.slc, self.dem = slc, dem
        self.count, self.height, self.width = slc.shape

    def read(self, row0, nrows):
        d = None if self.dem is None else self.dem[row0:row0 + nrows]
        return self.slc[:, row0:row0 + nrows], d


class _StackSource:
    def __init__(self, path, dem_path, info):
        self.path, self.dem_path = path, dem_path
        self.count, self.height, self.width = info.count, info.height, info.width

    def read(self, row0, nrows):
        from .stackio import read_block
        s = read_block(self.path, row0, nrows, dtype="complex64")
        d = None if self.dem_path is None else read_block(self.dem_path, row0, nrows, dtype="float64")[0]
        return s, d


def _check_options(o):
    check_range("COHERENCE_THRESHOLD", o["coherence_threshold"], 0.0, 1.0)
    check_positive("DISPERSION_THRESHOLD", o["dispersion_threshold"])
    check_range("AMPLITUDE_THRESHOLD", o["amplitude_threshold_db"], -300.0, 300.0)
    w = int(o["coherence_window"])
    if w < 3 or w % 2 == 0:
        raise ValueError(f"COHERENCE_WINDOW: must be an odd number >= 3, got {o['coherence_window']}")
    check_positive("MAX_ARC_M", o["max_arc_m"])
    check_range("ARC_COHERENCE", o["arc_coherence"], 0.0, 1.0)
    check_range("FINAL_COHERENCE", o["final_coherence"], 0.0, 1.0)
    check_positive("OUTLIER_SIGMA", o["outlier_sigma"], allow_zero=True)
    check_positive("ATMO_TIME_WINDOW", o["atmo_time_window_days"], allow_zero=True)
    check_positive("ATMO_SPACE_WINDOW", o["atmo_space_window_m"], allow_zero=True)
    check_positive("VELOCITY_RANGE", o["velocity_range"])
    check_positive("DEM_ERROR_RANGE", o["dem_range"])


def run_ps(slc: Optional[np.ndarray] = None, dates: Optional[Sequence[_dt.date]] = None,
           bperp_m: Optional[Sequence[float]] = None, *, geometry: Optional[Geometry] = None,
           dem: Optional[np.ndarray] = None, stack_path: Optional[str] = None, dem_path: Optional[str] = None,
           geotransform=None, pixel_size_m: Optional[Tuple[float, float]] = None,
           master_date=None, selection: str = "dual", coherence_threshold: float = 0.7,
           coherence_window: int = 7, dispersion_threshold: float = 0.6, amplitude_threshold_db: float = 10.5,
           max_arc_m: float = 300.0, arc_coherence: float = 0.7, velocity_range: float = 50.0,
           dem_range: float = 40.0, outlier_sigma: float = 3.0, reference_xy: Optional[Tuple[float, float]] = None,
           atmo_time_window_days: float = 365.0, atmo_space_window_m: float = 1600.0,
           final_coherence: float = 0.7, primary_dispersion: float = 0.25, neighbours: int = 3,
           vertical: bool = False, memory_mb: float = 1024,
           keep_maps: bool = True, workers: Optional[int] = None, feedback=None) -> PSResult:
    """PS-InSAR from an SLC stack (arrays in memory or a stack VRT).

    Give either ``slc`` ``(n_dates, rows, cols)`` complex with ``dates``,
    ``bperp_m`` (m, per date) and ``geometry`` (and optionally ``dem``
    ``(rows, cols)`` m, ``geotransform``), or ``stack_path`` (a ``buildstack``
    VRT; dates, baselines, geometry and ``DEM_PATH`` are read from it,
    ``dem_path`` overrides the DEM).  See the module docstring for the method.

    Returns a :class:`PSResult`: PS pixel rows/cols, pixel-centre x/y in the
    stack's CRS, and the fields ``CODE``, ``VEL`` (mm/yr), ``V_STDEV`` (mm/yr),
    ``DEM_ERR`` (m, relative to the reference PS), ``COH`` (temporal
    coherence), ``DA``, ``AMP`` (mean amplitude, input units) and one
    ``DYYYYMMDD`` (mm, first date 0) per date.  LOS values are positive toward
    the satellite; with ``vertical`` they are divided by cos(incidence).
    """
    feedback = ensure(feedback)
    opts = dict(coherence_threshold=coherence_threshold, dispersion_threshold=dispersion_threshold,
                amplitude_threshold_db=amplitude_threshold_db, coherence_window=coherence_window,
                max_arc_m=max_arc_m, arc_coherence=arc_coherence, final_coherence=final_coherence,
                outlier_sigma=outlier_sigma, atmo_time_window_days=atmo_time_window_days,
                atmo_space_window_m=atmo_space_window_m, velocity_range=velocity_range, dem_range=dem_range)
    _check_options(opts)
    check_positive("PRIMARY_DISPERSION", primary_dispersion)
    if int(neighbours) < 0:
        raise ValueError(f"neighbours: must be >= 0, got {neighbours}")
    selection = str(selection).strip().lower()
    selection_steps(selection)  # validates
    timings: Dict[str, float] = {}
    messages: List[str] = []

    def say(text):
        messages.append(text)
        info(feedback, text)

    def caution(text):
        messages.append(text)
        warn(feedback, text)

    t0 = time.perf_counter()
    # ------------------------------------------------------------------ inputs
    if stack_path is not None:
        from .stackio import read_stack_info, require_dates
        sinfo = read_stack_info(stack_path, name="STACK")
        require_dates(sinfo, name="STACK")
        if not sinfo.is_complex:
            raise ValueError(f"STACK: {stack_path} is not complex (MINESAR_KIND={sinfo.kind or '?'}); "
                             f"PS-InSAR needs the SLC stack of buildstack")
        dates = list(sinfo.dates)
        if sinfo.date_bperp_m is None:
            raise ValueError(f"STACK: {stack_path} has no per-date perpendicular baselines (BPERP_M)")
        bperp = np.asarray(sinfo.date_bperp_m, float)
        geometry = geometry or sinfo.geometry
        geotransform = sinfo.geotransform
        pixel_size_m = pixel_size_m or sinfo.pixel_size_m
        if dem_path is None:
            dem_path = sinfo.dem_path
        if dem_path is not None:
            from .stackio import open_raster
            dds = open_raster(dem_path, name="DEM")
            if (dds.RasterXSize, dds.RasterYSize) != (sinfo.width, sinfo.height):
                raise ValueError(f"DEM: {dem_path} is {dds.RasterXSize} x {dds.RasterYSize} pixels but the "
                                 f"stack is {sinfo.width} x {sinfo.height}")
            dds = None
        source = _StackSource(stack_path, dem_path, sinfo)
        have_dem = dem_path is not None
    else:
        slc = check_array("STACK", slc, ndim=3, dtype_kind="c")
        if dates is None or bperp_m is None:
            raise ValueError("STACK: dates and bperp_m are required with an array stack")
        dates = list(dates)
        bperp = np.asarray(bperp_m, float)
        if len(dates) != slc.shape[0] or bperp.shape != (slc.shape[0],):
            raise ValueError(f"STACK: {slc.shape[0]} SLCs but {len(dates)} dates and {bperp.size} baselines")
        if dem is not None:
            dem = check_array("DEM", dem, ndim=2, shape=slc.shape[1:])
        source = _ArraySource(slc, dem)
        have_dem = dem is not None
        geometry = geometry or Geometry()
        if pixel_size_m is None:
            if geotransform is not None:
                pixel_size_m = (abs(geotransform[1]), abs(geotransform[5]))
            else:
                pixel_size_m = (geometry.ground_range_pixel_m, geometry.azimuth_pixel_m)
    geometry.validate()
    n = len(dates)
    order = np.argsort([d.toordinal() for d in dates])
    if np.any(order != np.arange(n)):
        raise ValueError("STACK: the dates must be in increasing order")
    if n < MIN_DATES:
        raise ValueError(f"STACK: {n} acquisitions; PS-InSAR needs at least {MIN_DATES} "
                         f"(at least {RELIABLE_DATES} for reliable PS statistics, 20 or more recommended)")
    if n < RELIABLE_DATES:
        caution(f"STACK: only {n} acquisitions; the amplitude dispersion and temporal coherence of PS are "
                f"unreliable below {RELIABLE_DATES} dates (20 or more recommended)")
    if not have_dem:
        caution("DEM: no DEM given and the stack names none (DEM_PATH); the topographic phase is not "
                "removed, DEM_ERR is then the full height above a flat surface")
    # ------------------------------------------------------------------ master
    if master_date is None or str(master_date).strip() == "":
        master = select_master(dates, bperp)
        say(f"Common master {date_label(dates[master])} (automatic: smallest sum of normalised temporal and "
            f"perpendicular baselines)")
    else:
        from .validate import parse_date
        md = master_date if isinstance(master_date, _dt.date) else parse_date(master_date, name="MASTER_DATE")
        if md not in dates:
            raise ValueError(f"MASTER_DATE: {date_label(md)} is not a date of the stack "
                             f"({date_label(dates[0])} ... {date_label(dates[-1])})")
        master = dates.index(md)
    alpha, beta, t_years = phase_factors(dates, bperp, master, geometry)
    t_days = t_years * DAYS_PER_YEAR
    H, W = source.height, source.width
    px, py = float(pixel_size_m[0]), float(pixel_size_m[1])

    # ------------------------------------------------------------ statistics
    from .blocks import Block, run_blocks
    from .stackio import plan_row_blocks
    half = int(coherence_window) // 2
    plan = plan_row_blocks(H, W, bytes_per_pixel=n * 8 * 2 + 64, memory_mb=memory_mb, overlap=half,
                           min_rows=max(8, 2 * half + 1))
    maps = {k: np.full((H, W), np.nan, np.float32) for k in ("da", "amp", "amp_db", "coh")} if keep_maps else None
    cand_rows, cand_cols, cand_slc, cand_dem, cand_stats = [], [], [], [], []

    def run_stats(b):
        rb = b.window
        s, d = source.read(rb.read_row0, rb.read_nrows)
        st = candidate_statistics(s, master=master, beta=beta, dem=d, coherence_window=coherence_window)
        core = rb.core
        st = {k: v[core] for k, v in st.items()}
        m = select_candidates(st, selection, coherence_threshold=coherence_threshold,
                              dispersion_threshold=dispersion_threshold,
                              amplitude_threshold_db=amplitude_threshold_db)
        rr, cc = np.nonzero(m)
        sc = s[:, core][:, rr, cc].T.copy()           # (n_cand, n_dates)
        dc = np.zeros(rr.size) if d is None else np.nan_to_num(d[core][rr, cc])
        return st, rr + rb.row0, cc, sc, dc, {k: v[rr, cc] for k, v in st.items()}

    summary = {"coh": [], "da": [], "amp_db": []}

    def on_stats(b, r):
        st, rr, cc, sc, dc, cs = r
        if maps is not None:
            for k in maps:
                maps[k][b.window.row0:b.window.row0 + b.window.nrows] = st[k]
        # a thinned sample of every statistic for the "no candidate" message
        for k in summary:
            summary[k].append(st[k].ravel()[::max(1, st[k].size // 20000)])
        cand_rows.append(rr)
        cand_cols.append(cc)
        cand_slc.append(sc)
        cand_dem.append(dc)
        cand_stats.append(cs)

    blist = [Block(i, rb) for i, rb in enumerate(plan)]
    run_blocks(blist, run_stats, feedback=feedback, workers=workers, on_result=on_stats, progress_range=(0, 40))
    rows = np.concatenate(cand_rows).astype(np.int64)
    cols = np.concatenate(cand_cols).astype(np.int64)
    zc = np.concatenate(cand_slc, axis=0) if cand_slc else np.zeros((0, n), np.complex64)
    demc = np.concatenate(cand_dem)
    cstats = {k: np.concatenate([c[k] for c in cand_stats]) for k in ("da", "amp", "amp_db", "coh")}
    timings["selection"] = time.perf_counter() - t0
    n_cand = rows.size
    say(f"SELECTION={selection}: {n_cand} PS candidates of {H * W} pixels")
    cand_mb = n_cand * n * 8 * 3 / 2 ** 20
    if cand_mb > float(memory_mb):
        caution(f"MEMORY_MB: the {n_cand} candidates of SELECTION={selection} need about {cand_mb:.0f} MiB, more "
                f"than the budget of {float(memory_mb):g} MiB; stricter thresholds (or SELECTION=dual) keep fewer")
    if n_cand == 0:
        sample = {k: np.concatenate(v) for k, v in summary.items()}
        select_candidates(sample, selection, coherence_threshold=coherence_threshold,
                          dispersion_threshold=dispersion_threshold, amplitude_threshold_db=amplitude_threshold_db,
                          raise_if_empty=True)
        raise ValueError(f"SELECTION: no PS candidate passes SELECTION={selection}")
    if n_cand < 3:
        raise ValueError(f"SELECTION: only {n_cand} PS candidate(s) pass SELECTION={selection}; at least 3 are "
                         f"needed for an arc network. Relax the thresholds")
    check_cancel(feedback)

    # ---------------------------------------------------------------- network
    t1 = time.perf_counter()
    xm = cols * px
    ym = rows * py
    # flattened single-master phase psi_k = phase(master x conj(k)) - topography of the DEM
    psi = zc[:, master][:, None] * np.conj(zc)
    psi = psi * np.exp(-1j * beta[None, :] * demc[:, None])
    psi = (psi / np.maximum(np.abs(psi), 1e-30)).astype(np.complex64)
    del zc
    ifg = np.array([k for k in range(n) if k != master])
    da_c = cstats["da"]
    # primary (network) PS: the most stable amplitudes
    prim = da_c <= primary_dispersion
    n_min = min(n_cand, max(MIN_PRIMARY, int(0.02 * n_cand)))
    if prim.sum() < n_min:
        prim = np.zeros(n_cand, bool)
        prim[np.argsort(da_c, kind="stable")[:n_min]] = True
        caution(f"PRIMARY_DISPERSION: fewer than {n_min} candidates have D_A <= {primary_dispersion:g}; the "
                f"{n_min} candidates of lowest D_A (up to {da_c[prim].max():.3f}) form the arc network")
    prim_idx = np.nonzero(prim)[0]
    arcs = prim_idx[delaunay_arcs(xm[prim_idx], ym[prim_idx], max_arc_m=max_arc_m)]
    if arcs.shape[0] == 0:
        raise ValueError(f"MAX_ARC_M: no two network PS are closer than {max_arc_m:g} m; increase MAX_ARC_M")
    timings["network"] = time.perf_counter() - t1
    say(f"Arc network: {prim_idx.size} primary PS (D_A <= {float(da_c[prim].max()):.3f}), {arcs.shape[0]} "
        f"Delaunay arcs no longer than {max_arc_m:g} m")

    t2 = time.perf_counter()
    zarc = psi[arcs[:, 1]][:, ifg] * np.conj(psi[arcs[:, 0]][:, ifg])
    dv, dh, garc = arc_periodogram(zarc, alpha[ifg], beta[ifg], velocity_range=velocity_range,
                                   dem_range=dem_range, workers=workers,
                                   feedback=ScaledFeedback(feedback, 40, 55))
    timings["periodogram"] = time.perf_counter() - t2
    good = garc >= arc_coherence
    say(f"Periodogram: {int(good.sum())} of {arcs.shape[0]} arcs with ensemble coherence >= {arc_coherence:g} "
        f"(median {np.median(garc):.2f})")
    if not good.any():
        raise ValueError(f"ARC_COHERENCE: no arc reaches an ensemble coherence of {arc_coherence:g} "
                         f"(distribution: {_percentiles(garc)}); lower ARC_COHERENCE or use stricter PS "
                         f"selection thresholds")
    arcs_g, dv_g, dh_g, g_g, zarc_g = arcs[good], dv[good], dh[good], garc[good], zarc[good]
    check_cancel(feedback)

    # --------------------------------------------------------- integration
    t3 = time.perf_counter()

    def arc_weights(g):
        gc = np.minimum(g, 0.99)
        return gc ** 2 / (1.0 - gc ** 2)

    wts = arc_weights(g_g)

    def point_in(idx):
        m = np.zeros(n_cand, bool)
        m[idx] = True
        return m

    def integrate(point_idx, arc_sel, ref_local):
        """Integrate on the sub-network of points ``point_idx`` (global ids)."""
        remap = -np.ones(n_cand, np.int64)
        remap[point_idx] = np.arange(point_idx.size)
        a = remap[arcs_g[arc_sel]]
        vals = np.column_stack([dv_g[arc_sel], dh_g[arc_sel]])
        x, kept = integrate_arcs(point_idx.size, a, vals, wts[arc_sel], ref_local,
                                 outlier_sigma=outlier_sigma)
        v, h = x[:, 0], x[:, 1]
        # residual wrapped arc phases with the integrated model, integrated in space per date
        mdl = np.outer(v[a[:, 1]] - v[a[:, 0]], alpha[ifg]) + np.outer(h[a[:, 1]] - h[a[:, 0]], beta[ifg])
        r = np.angle(zarc_g[arc_sel] * np.exp(-1j * mdl))
        rk, _ = integrate_arcs(point_idx.size, a[kept], r[kept], wts[arc_sel][kept], ref_local, outlier_sigma=0)
        res = np.zeros((point_idx.size, n))
        res[:, ifg] = rk
        return v, h, res, int(kept.sum())

    def largest_component(point_ok, arc_sel, what):
        idx = np.nonzero(point_ok)[0]
        remap = -np.ones(n_cand, np.int64)
        remap[idx] = np.arange(idx.size)
        sel = arc_sel & point_ok[arcs_g[:, 0]] & point_ok[arcs_g[:, 1]]
        a = remap[arcs_g[sel]]
        ncomp, lab = connected_components(idx.size, a)
        if ncomp > 1:
            sizes = np.bincount(lab)
            big = int(np.argmax(sizes))
            caution(f"{what}: the arc network has {ncomp} disconnected parts; continuing on the largest, "
                    f"{int(sizes[big])} of {idx.size} network points (the other points may still join as "
                    f"secondary PS; a larger MAX_ARC_M or a lower ARC_COHERENCE connects more)")
            idx = idx[lab == big]
            ok = point_in(idx)
            sel = sel & ok[arcs_g[:, 0]] & ok[arcs_g[:, 1]]
        return idx, sel

    def choose_reference(pidx, v_local):
        if reference_xy is not None:
            if geotransform is not None:
                gt = geotransform
                xx = gt[0] + (cols[pidx] + 0.5) * gt[1] + (rows[pidx] + 0.5) * gt[2]
                yy = gt[3] + (cols[pidx] + 0.5) * gt[4] + (rows[pidx] + 0.5) * gt[5]
            else:
                xx, yy = cols[pidx] + 0.5, rows[pidx] + 0.5
            return int(np.argmin(np.hypot(xx - reference_xy[0], yy - reference_xy[1])))
        # automatic: a stable, bright PS -- of the quarter with the lowest D_A, the one whose
        # velocity is closest to the median velocity (most of a scene does not move)
        da_l = da_c[pidx]
        cand = np.nonzero(da_l <= np.percentile(da_l, 25))[0]
        return int(cand[int(np.argmin(np.abs(v_local[cand] - np.median(v_local))))])

    def rereference(v, h, res, k):
        return v - v[k], h - h[k], res - res[k]

    S_time = temporal_smoother(t_days, atmo_time_window_days)
    hp_beta = beta - S_time @ beta
    hp_beta2 = float(hp_beta[ifg] @ hp_beta[ifg])

    def refine_dem(h, res, atmo):
        """DEM-error correction from the temporally high-passed residual: the periodogram's linear
        motion model lets non-linear motion leak into the DEM error; the high-pass removes it."""
        if hp_beta2 <= 1e-12:
            return h, res
        x = res - atmo
        hp = x - x @ S_time.T
        dh = (hp[:, ifg] @ hp_beta[ifg]) / hp_beta2
        return h + dh, res - np.outer(dh, beta)

    def model_and_coherence(pidx, v, h, res, ref_local):
        atmo, _ = separate_atmosphere(xm[pidx], ym[pidx], res, t_days, time_window_days=atmo_time_window_days,
                                      space_window_m=atmo_space_window_m)
        h, res = refine_dem(h, res, atmo)
        h = h - h[ref_local]
        res = res - res[ref_local]
        atmo, nonlin = separate_atmosphere(xm[pidx], ym[pidx], res, t_days,
                                           time_window_days=atmo_time_window_days,
                                           space_window_m=atmo_space_window_m)
        lin = np.outer(v, alpha) + np.outer(h, beta)
        obs = np.angle(psi[pidx] * np.conj(psi[pidx[ref_local]])[None, :])
        gam = temporal_coherence(obs[:, ifg], (lin + nonlin + atmo)[:, ifg])
        return h, res, atmo, nonlin, gam

    has_arc = point_in(np.unique(arcs_g.ravel()))
    pts, asel = largest_component(has_arc, np.ones(arcs_g.shape[0], bool), "ARC_COHERENCE")
    if pts.size < 3:
        raise ValueError(f"ARC_COHERENCE: the largest connected arc network has only {pts.size} points; "
                         f"lower ARC_COHERENCE, raise MAX_ARC_M or PRIMARY_DISPERSION")
    remap0 = np.searchsorted(pts, arcs_g[asel].ravel())
    deg = np.bincount(remap0, weights=np.repeat(wts[asel], 2), minlength=pts.size)
    v, h, res, _ = integrate(pts, asel, int(np.argmax(deg)))
    ref = choose_reference(pts, v)
    v, h, res = rereference(v, h, res, ref)
    timings["integration"] = time.perf_counter() - t3
    check_cancel(feedback)
    feedback.setProgress(60)

    # ------------------------------------------------ atmosphere + coherence
    t4 = time.perf_counter()
    h, res, atmo, nonlin, gam = model_and_coherence(pts, v, h, res, ref)
    keep = gam >= final_coherence
    keep[ref] = True
    rejected = point_in(pts[~keep])
    say(f"Network PS with temporal coherence >= {final_coherence:g}: {int(keep.sum())} of {pts.size}")
    if keep.sum() < 3:
        raise ValueError(f"FINAL_COHERENCE: only {int(keep.sum())} network PS reach a temporal coherence of "
                         f"{final_coherence:g} (distribution: {_percentiles(gam)})")
    # second pass on the coherent network PS only
    ref_global = pts[ref]
    pts2, asel2 = largest_component(point_in(pts[keep]), asel, "FINAL_COHERENCE")
    ref2 = int(np.searchsorted(pts2, ref_global)) if ref_global in pts2 else 0
    v2, h2, res2, n_used = integrate(pts2, asel2, ref2)
    if reference_xy is None and ref_global in pts2:
        pass
    else:
        ref2 = choose_reference(pts2, v2)
    v2, h2, res2 = rereference(v2, h2, res2, ref2)
    h2, res2, atmo2, nonlin2, gam2 = model_and_coherence(pts2, v2, h2, res2, ref2)
    hp2 = res2 - nonlin2
    timings["atmosphere"] = time.perf_counter() - t4
    feedback.setProgress(65)
    check_cancel(feedback)

    # ------------------------------------------ secondary PS (densification)
    t5 = time.perf_counter()
    from scipy.spatial import cKDTree
    is_net = point_in(pts2)
    sec = np.nonzero(~is_net & ~rejected)[0]
    n_sec_ok = 0
    if sec.size and neighbours > 0:
        tree = cKDTree(np.column_stack([xm[pts2], ym[pts2]]))
        k_nb = min(int(neighbours), pts2.size)
        dist, nb = tree.query(np.column_stack([xm[sec], ym[sec]]), k=k_nb, distance_upper_bound=max_arc_m)
        dist = dist.reshape(sec.size, k_nb)
        nb = nb.reshape(sec.size, k_nb)
        okn = np.isfinite(dist)
        s_local = np.repeat(np.arange(sec.size), k_nb).reshape(sec.size, k_nb)[okn]
        p_local = nb[okn]
        z2 = psi[sec[s_local]][:, ifg] * np.conj(psi[pts2[p_local]][:, ifg])
        sdv, sdh, sg = arc_periodogram(z2, alpha[ifg], beta[ifg], velocity_range=velocity_range,
                                       dem_range=dem_range, workers=workers,
                                       feedback=ScaledFeedback(feedback, 65, 90))
        ga = sg >= arc_coherence
        s_local, p_local, sdv, sdh, sg, z2 = s_local[ga], p_local[ga], sdv[ga], sdh[ga], sg[ga], z2[ga]
        w2 = arc_weights(sg)
        wsum = np.bincount(s_local, weights=w2, minlength=sec.size)
        has = wsum > 0
        safe = np.where(has, wsum, 1.0)
        vs = np.bincount(s_local, weights=w2 * (v2[p_local] + sdv), minlength=sec.size) / safe
        hs = np.bincount(s_local, weights=w2 * (h2[p_local] + sdh), minlength=sec.size) / safe
        mdl = np.outer(vs[s_local] - v2[p_local], alpha[ifg]) + np.outer(hs[s_local] - h2[p_local], beta[ifg])
        r_arc = np.angle(z2 * np.exp(-1j * mdl))
        u = res2[p_local].copy()
        u[:, ifg] += r_arc
        rs = np.zeros((sec.size, n))
        np.add.at(rs, s_local, w2[:, None] * u)
        rs /= safe[:, None]
        sel = np.nonzero(has)[0]
        sec, vs, hs, rs = sec[sel], vs[sel], hs[sel], rs[sel]
        # atmosphere at the secondary PS from the network PS, their own smooth non-linear motion
        if atmo_space_window_m > 0:
            atmo_s = spatial_lowpass(xm[pts2], ym[pts2], hp2, atmo_space_window_m, xq=xm[sec], yq=ym[sec])
        else:
            atmo_s = np.zeros_like(rs)
        hs, rs = refine_dem(hs, rs, atmo_s)
        nonlin_s = rs @ S_time.T
        obs = np.angle(psi[sec] * np.conj(psi[pts2[ref2]])[None, :])
        lin_s = np.outer(vs, alpha) + np.outer(hs, beta)
        gam_s = temporal_coherence(obs[:, ifg], (lin_s + nonlin_s + atmo_s)[:, ifg])
        ok = gam_s >= final_coherence
        n_sec_ok = int(ok.sum())
        say(f"Secondary PS: {n_sec_ok} of {sec.size} candidates linked to the network reach a temporal "
            f"coherence >= {final_coherence:g}")
        sec, vs, hs, rs, atmo_s, gam_s = sec[ok], vs[ok], hs[ok], rs[ok], atmo_s[ok], gam_s[ok]
    else:
        vs = hs = gam_s = np.zeros(0)
        rs = atmo_s = np.zeros((0, n))
        sec = np.zeros(0, np.int64)
    timings["densification"] = time.perf_counter() - t5
    feedback.setProgress(92)

    # ---------------------------------------------------------- time series
    t6 = time.perf_counter()
    allp = np.concatenate([pts2, sec])
    order = np.argsort(rows[allp] * W + cols[allp], kind="stable")
    allp = allp[order]
    V = np.concatenate([v2, vs])[order]
    Hh = np.concatenate([h2, hs])[order]
    RES = np.concatenate([res2, rs])[order]
    ATM = np.concatenate([atmo2, atmo_s])[order]
    GAM = np.concatenate([gam2, gam_s])[order]
    refo = int(np.nonzero(order == ref2)[0][0])
    unw = np.outer(V, alpha) + RES - ATM                    # motion phase psi_k, relative to master
    d_mm = geometry.phase_to_mm() * unw                     # d_k - d_master, toward the satellite
    d_mm = d_mm - d_mm[:, :1]                               # relative to the first date
    d_mm = d_mm - d_mm[refo]                                # and to the reference PS
    if vertical:
        d_mm = d_mm / math.cos(math.radians(geometry.incidence_deg))
    tt = t_years - t_years.mean()
    slope = (d_mm @ tt) / (tt @ tt)
    icpt = d_mm.mean(axis=1)
    fit_res = d_mm - icpt[:, None] - np.outer(slope, tt)
    v_std = np.sqrt((fit_res ** 2).sum(axis=1) / max(n - 2, 1) / (tt @ tt))

    gt = geotransform
    r2, c2 = rows[allp], cols[allp]
    if gt is not None:
        x = gt[0] + (c2 + 0.5) * gt[1] + (r2 + 0.5) * gt[2]
        y = gt[3] + (c2 + 0.5) * gt[4] + (r2 + 0.5) * gt[5]
    else:
        x, y = c2 + 0.5, r2 + 0.5
    names = ["CODE", "VEL", "V_STDEV", "DEM_ERR", "COH", "DA", "AMP"] + ["D" + date_label(d) for d in dates]
    fields = {
        "CODE": np.array([f"PS{i + 1:06d}" for i in range(allp.size)], dtype=object),
        "VEL": slope, "V_STDEV": v_std, "DEM_ERR": Hh, "COH": GAM,
        "DA": cstats["da"][allp].astype(np.float64), "AMP": cstats["amp"][allp].astype(np.float64),
    }
    for j, d in enumerate(dates):
        fields["D" + date_label(d)] = d_mm[:, j]
    area_km2 = H * W * px * py / 1e6
    n_ps = int(allp.size)
    timings["output"] = time.perf_counter() - t6
    timings["total"] = time.perf_counter() - t0
    cand_mask = None
    if keep_maps:
        cand_mask = np.zeros((H, W), bool)
        cand_mask[rows, cols] = True
    unit = "vertical" if vertical else "LOS"
    say(f"{n_ps} PS ({pts2.size} network + {sec.size} secondary; {n_ps / area_km2:.0f} per km²); reference PS "
        f"{fields['CODE'][refo]} at row {int(r2[refo])}, column {int(c2[refo])}; {unit} velocity "
        f"{slope.min():.1f} .. {slope.max():.1f} mm/yr")
    feedback.setProgress(100)
    return PSResult(rows=r2, cols=c2, x=x, y=y, fields=fields, field_names=names, dates=list(dates),
                    master_date=dates[master], reference=refo, n_ps=n_ps, density_per_km2=n_ps / area_km2,
                    area_km2=area_km2, timeseries_mm=d_mm, n_candidates=n_cand, n_arcs=int(arcs.shape[0]),
                    n_arcs_used=n_used, n_network=int(pts2.size), candidate_mask=cand_mask, stats=maps,
                    timings=timings, messages=messages)
