"""SBAS time-series inversion of an unwrapped interferogram stack.

Method (DESIGN §6):

* **Network inversion** — Berardino et al. (2002): the unknowns are the mean
  phase velocities between consecutive acquisitions; each interferogram is
  ``B v = phi`` with ``B[i, k] = t_{k+1} - t_k`` for the intervals spanned by
  pair *i*.  The minimum-norm solution ``v = pinv(B) phi`` (SVD, singular
  values below ``rcond`` x the largest are dropped, as MintPy) also works when
  the network falls into several disconnected subsets; integrating ``v`` in
  time gives the phase time series (first date = 0).
* **Weights** — as MintPy's ``ifgram_inversion``: ``no`` (plain SVD),
  ``coh`` (w = coherence), ``fim`` (Fisher information 2L g^2 / (1 - g^2),
  Seymour & Cumming 1994) and ``var`` (w = 1 / phase variance, the variance
  of the distributed-scatterer phase PDF for coherence g and L looks, Tough
  et al. 1995).  The weighted problem is ``pinv(sqrt(W) B) sqrt(W) phi``.
* **Speed** — blocks stay interferogram-major (nifg, npix) as read; the
  fully valid pixels of a chunk get their time series from one BLAS GEMM with
  the integrated pseudo-inverse of the whole network, the partially valid ones
  are grouped by their pattern of valid interferograms (one pseudo-inverse per
  pattern, one small GEMM per group).  Weighted inversions solve a banded
  Cholesky (SVD when rank-deficient) per pixel inside a ``nogil`` kernel.  The
  temporal coherence is vectorised (float32 sine/cosine).
* **Masks** — per pixel, an interferogram is used when its phase is finite
  and its coherence reaches ``COHERENCE_THRESHOLD``; a pixel is inverted when
  at least ``MIN_COHERENT_FRACTION`` of the interferograms are usable and
  every acquisition keeps ``MIN_REDUNDANCY`` usable interferograms.
* **Reference** — the phase of a reference pixel is subtracted from every
  interferogram before the inversion.
* **DEM error** — Fattahi & Amelung (2013): per pixel the displacement time
  series is fitted by ``c0 + c1 t + c2 t^2 + k_j dz`` with
  ``k_j = 1000 B_perp,j / (R sin(theta))`` (mm per metre of height above the
  DEM, DESIGN §2), and ``k_j dz`` is removed.
* **Atmospheric filtering** (two passes, as the Muli study) — pass 1 gives the
  time series and a linear rate; the residual from the linear rate is
  high-passed in time (residual minus its Gaussian-weighted temporal low-pass,
  sigma = ``ATMO_TEMPORAL_DAYS`` / 4) and low-passed in space (NaN-aware
  Gaussian, sigma = ``ATMO_SPATIAL_M`` / 4): that is the atmosphere.  Pass 2
  re-inverts the interferograms corrected for it and gives the final rate,
  time series, DEM error and temporal coherence.
* **Quality** — temporal coherence (Pepe & Lanari 2006)
  ``|mean_i exp(j (phi_obs,i - phi_model,i))|`` and the RMS of the network
  residual (mm).

Signs (DESIGN §2): ``d_mm = -lambda / (4 pi) * phi * 1000``, positive toward
the satellite; subsidence is negative.  ``vertical=True`` divides LOS values by
``cos(incidence)``.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import os
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import stackio
from .blocks import Block, default_workers, run_blocks
from .progress import ScaledFeedback, check_cancel, ensure, info, warn
from .validate import check_array, check_choice, check_positive, check_range

from ._numba import njit

WEIGHTS = ("no", "coh", "fim", "var")
RCOND = 1e-5
DAYS_PER_YEAR = stackio.DAYS_PER_YEAR


# --------------------------------------------------------------------------- network
def design_matrices(pairs: Sequence[Tuple[_dt.date, _dt.date]], dates: Sequence[_dt.date]):
    """Design matrices of a pair network.

    Returns
    -------
    A : (n_pairs, n_dates - 1) float64
        Phase design matrix (+1 secondary, -1 reference; first date dropped).
    B : (n_pairs, n_dates - 1) float64
        Velocity design matrix (Berardino 2002): interval lengths in years for
        the intervals each pair spans.
    dt_years : (n_dates - 1,) float64
        Interval lengths.
    ref_idx, sec_idx : (n_pairs,) int64
        Date indices of each pair.
    """
    index = {d: i for i, d in enumerate(dates)}
    t = stackio.years_since(list(dates))
    dt = np.diff(t)
    n = len(pairs)
    A = np.zeros((n, len(dates) - 1))
    B = np.zeros((n, len(dates) - 1))
    ref_idx = np.empty(n, dtype=np.int64)
    sec_idx = np.empty(n, dtype=np.int64)
    for i, (r, s) in enumerate(pairs):
        a, b = index[r], index[s]
        if b <= a:
            raise ValueError(f"PHASE: pair {stackio.pair_label(r, s)} has its reference date after the "
                             f"secondary date; MineSAR pairs are EARLIER_LATER (DESIGN §2)")
        ref_idx[i], sec_idx[i] = a, b
        if a > 0:
            A[i, a - 1] = -1.0
        A[i, b - 1] = 1.0
        B[i, a:b] = dt[a:b]
    return A, B, dt, ref_idx, sec_idx


def network_subsets(pairs, dates) -> int:
    """Number of connected subsets of the pair network (union-find)."""
    parent = list(range(len(dates)))
    index = {d: i for i, d in enumerate(dates)}

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r, s in pairs:
        a, b = find(index[r]), find(index[s])
        if a != b:
            parent[a] = b
    return len({find(i) for i in range(len(dates))})


def date_bperp_from_pairs(pairs, dates, bperp_pairs) -> np.ndarray:
    """Per-date perpendicular baselines (m, first date = 0) from per-pair ones.

    Least squares on ``b_sec - b_ref = bperp_pair`` with ``b_0 = 0``
    (minimum norm when the network is disconnected).
    """
    A, _, _, _, _ = design_matrices(pairs, dates)
    b = np.asarray(bperp_pairs, dtype=np.float64)
    x = np.linalg.lstsq(A, b, rcond=None)[0]
    return np.concatenate([[0.0], x])


# --------------------------------------------------------------------------- weights
def _phase_variance_lut(looks: int, coh_step: float = 0.005):
    """Phase variance (rad^2) of distributed scatterers vs coherence.

    Numerical integral of phi^2 times the multilook phase PDF (Tough et al.
    1995, Eq. 66; Hanssen 2001, Eq. 4.2.23) on the same grid as MintPy
    (coherence bin centres every ``coh_step``, as many phase samples as bins),
    so that ``var`` weights agree with MintPy's.
    """
    L = int(max(1, min(int(looks), 80)))
    n = int(round(1.0 / coh_step))
    coh = np.linspace(coh_step, 1.0, n) - coh_step / 2.0
    phi = np.linspace(-np.pi, np.pi, n).reshape(-1, 1)
    g = coh.reshape(1, -1)
    beta = g * np.cos(phi)
    one_b2 = 1.0 - beta ** 2
    a = (1.0 - g ** 2) ** L / (2.0 * np.pi)
    bcoef = math.gamma(2 * L - 1) / (math.gamma(L) ** 2 * 2 ** (2 * (L - 1)))
    c = (2 * L - 1) * beta / one_b2 ** (L + 0.5) * (np.pi / 2.0 + np.arcsin(beta)) + 1.0 / one_b2 ** L
    s = 0.0
    if L > 1:
        for r in range(L - 1):
            d = math.gamma(L - 0.5) / math.gamma(L - 0.5 - r) * math.gamma(L - 1 - r) / math.gamma(L - 1)
            s = s + d * (1.0 + (2 * r + 1) * beta ** 2) / one_b2 ** (r + 2)
        s = s / (2.0 * (L - 1))
    pdf = a * (bcoef * c + s)
    var = np.sum(phi ** 2 * pdf * (2.0 * np.pi / n), axis=0)
    bad = var <= 0
    if bad.all():
        var[:] = np.finfo(np.float64).eps
    elif bad.any():
        var[bad] = var[~bad].min()
    return coh, var


def independent_looks(geometry: stackio.Geometry) -> int:
    """Independent looks L for the weights: looks_range x looks_azimuth / 1.94
    (MintPy's ratio of resolution to pixel size for Sentinel-1 IW), >= 1."""
    L = geometry.looks_range * geometry.looks_azimuth / 1.94
    return max(int(np.rint(L)), 1)


def coherence_to_weight(coherence: np.ndarray, weight: str, looks: int, epsilon: float = 0.05) -> Optional[np.ndarray]:
    """Weights (not square roots) from spatial coherence, as MintPy.

    ``coh``: w = g; ``fim``: w = 2 L g^2 / (1 - g^2); ``var``: w = 1 / sigma_phi^2.
    Coherence is clipped to ``[epsilon, ...]`` and NaN counts as ``epsilon``.
    Returns ``None`` for ``no``.
    """
    weight = check_choice("WEIGHT", weight, WEIGHTS)
    if weight == "no":
        return None
    g = np.array(coherence, dtype=np.float64)
    g[~np.isfinite(g)] = epsilon
    g[g < epsilon] = epsilon
    L = max(int(looks), 1)
    if weight == "coh":
        return g
    if weight == "fim":
        gg = np.minimum(g, 1.0 - 1e-3)
        return 2.0 * L * gg ** 2 / (1.0 - gg ** 2)
    lut_coh, lut_var = _phase_variance_lut(L)
    step = lut_coh[1] - lut_coh[0]
    gc = np.clip(g, lut_coh[0], lut_coh[-1])
    idx = ((gc - lut_coh[0]) / step).astype(np.int64)
    return 1.0 / lut_var[idx]


# --------------------------------------------------------------------------- kernels
@njit(cache=True, nogil=True)
def _kernel_patterns(phase0, valid, pid, pinvs, ok, dt, ref_idx, sec_idx, ts, tcoh, rms):  # pragma: no cover
    """Un-weighted inversion with one pseudo-inverse per valid pattern.

    phase0 (npix, nifg) rad with 0 where unusable; valid (npix, nifg) bool;
    pid (npix,) pattern id; pinvs (npat, nd-1, nifg) with zero columns for the
    unusable interferograms of each pattern; ok (npat,) pattern passes the
    masks.  Writes ts (npix, nd) rad, tcoh (npix,), rms (npix,) rad; NaN for
    masked pixels.
    """
    npix, nifg = phase0.shape
    nv = dt.shape[0]
    for p in range(npix):
        k = pid[p]
        if not ok[k]:
            for j in range(nv + 1):
                ts[p, j] = np.nan
            tcoh[p] = np.nan
            rms[p] = np.nan
            continue
        ts[p, 0] = 0.0
        acc_t = 0.0
        for a in range(nv):
            acc = 0.0
            for i in range(nifg):
                acc += pinvs[k, a, i] * phase0[p, i]
            acc_t += acc * dt[a]
            ts[p, a + 1] = acc_t
        re = 0.0
        im = 0.0
        ss = 0.0
        n = 0
        for i in range(nifg):
            if valid[p, i]:
                r = phase0[p, i] - (ts[p, sec_idx[i]] - ts[p, ref_idx[i]])
                re += math.cos(r)
                im += math.sin(r)
                ss += r * r
                n += 1
        if n > 0:
            tcoh[p] = math.sqrt(re * re + im * im) / n
            rms[p] = math.sqrt(ss / n)
        else:
            tcoh[p] = np.nan
            rms[p] = np.nan


@njit(cache=True, nogil=True)
def _cholesky_factor(N, bw):  # pragma: no cover - numba
    """In-place banded Cholesky (lower) of N; False when (numerically) singular."""
    n = N.shape[0]
    dmax = 0.0
    for i in range(n):
        if N[i, i] > dmax:
            dmax = N[i, i]
    tol = 1e-10 * dmax
    for j in range(n):
        k0 = max(0, j - bw + 1)
        d = N[j, j]
        for k in range(k0, j):
            d -= N[j, k] * N[j, k]
        if d <= tol:
            return False
        d = math.sqrt(d)
        N[j, j] = d
        for i in range(j + 1, min(n, j + bw)):
            acc = N[i, j]
            for k in range(max(k0, i - bw + 1), j):
                acc -= N[i, k] * N[j, k]
            N[i, j] = acc / d
    return True


@njit(cache=True, nogil=True)
def _cholesky_substitute(L, rhs, out, bw):  # pragma: no cover - numba
    """Solve L L^T x = rhs into ``out`` given the banded lower Cholesky factor ``L``
    of half-bandwidth ``bw`` (``_cholesky_factor``); ``rhs`` needs L.shape[0] entries."""
    n = L.shape[0]
    for i in range(n):
        acc = rhs[i]
        for k in range(max(0, i - bw + 1), i):
            acc -= L[i, k] * out[k]
        out[i] = acc / L[i, i]
    for i in range(n - 1, -1, -1):
        acc = out[i]
        for k in range(i + 1, min(n, i + bw)):
            acc -= L[k, i] * out[k]
        out[i] = acc / L[i, i]


@njit(cache=True, nogil=True)
def _cholesky_solve(N, rhs, out, bw):  # pragma: no cover - numba
    """Solve N x = rhs for a symmetric positive definite N of half-bandwidth
    ``bw`` (N[a, c] = 0 for |a - c| >= bw; N is overwritten by its Cholesky
    factor).  Returns False when N is (numerically) singular."""
    if not _cholesky_factor(N, bw):
        return False
    _cholesky_substitute(N, rhs, out, bw)
    return True


@njit(cache=True, nogil=True)
def _kernel_weighted(phase, wsqrt, pid, ok, B, dt, ref_idx, sec_idx, rcond, quality, ts, tcoh, rms):  # pragma: no cover
    """Weighted (WLS) minimum-norm velocity inversion, pixel by pixel.

    Full-rank pixels solve the normal equations by Cholesky (the unique LS
    solution); rank-deficient ones (disconnected networks) fall back to the
    minimum-norm SVD solution with singular values below rcond x max dropped.
    ``quality=False`` leaves tcoh and rms untouched.
    """
    npix, nifg = phase.shape
    nv = dt.shape[0]
    N = np.empty((nv, nv))
    rhs = np.empty(nv)
    v = np.empty(nv)
    bw = 1
    for i in range(nifg):                     # half-bandwidth of B^T W B
        if sec_idx[i] - ref_idx[i] > bw:
            bw = sec_idx[i] - ref_idx[i]
    for p in range(npix):
        if not ok[pid[p]]:
            for j in range(nv + 1):
                ts[p, j] = np.nan
            tcoh[p] = np.nan
            rms[p] = np.nan
            continue
        n = 0
        for i in range(nifg):
            if phase[p, i] == phase[p, i]:
                n += 1
        for a in range(nv):
            rhs[a] = 0.0
            for c in range(nv):
                N[a, c] = 0.0
        for i in range(nifg):
            y = phase[p, i]
            if y == y:
                w2 = wsqrt[p, i] * wsqrt[p, i]
                # row i of B is dt over the intervals [ref_idx, sec_idx) and 0 elsewhere
                for a in range(ref_idx[i], sec_idx[i]):
                    ba = B[i, a] * w2
                    rhs[a] += ba * y
                    for c in range(a, sec_idx[i]):
                        N[a, c] += ba * B[i, c]
        for a in range(nv):
            for c in range(a):
                N[a, c] = N[c, a]
        if not _cholesky_solve(N, rhs, v, bw):
            Bw = np.empty((n, nv))
            yw = np.empty(n)
            m = 0
            for i in range(nifg):
                y = phase[p, i]
                if y == y:
                    w = wsqrt[p, i]
                    for a in range(nv):
                        Bw[m, a] = B[i, a] * w
                    yw[m] = y * w
                    m += 1
            u, sv, vt = np.linalg.svd(Bw, full_matrices=False)
            smax = sv[0] if sv.shape[0] > 0 else 0.0
            uty = np.zeros(sv.shape[0])
            for q in range(sv.shape[0]):
                if sv[q] > rcond * smax and sv[q] > 0.0:
                    acc = 0.0
                    for i in range(n):
                        acc += u[i, q] * yw[i]
                    uty[q] = acc / sv[q]
            for a in range(nv):
                acc = 0.0
                for q in range(sv.shape[0]):
                    acc += vt[q, a] * uty[q]
                v[a] = acc
        ts[p, 0] = 0.0
        for a in range(nv):
            ts[p, a + 1] = ts[p, a] + v[a] * dt[a]
        if not quality:                     # temporal coherence computed by the caller (vectorised)
            continue
        re = 0.0
        im = 0.0
        ss = 0.0
        for i in range(nifg):
            y = phase[p, i]
            if y == y:
                r = y - (ts[p, sec_idx[i]] - ts[p, ref_idx[i]])
                re += math.cos(r)
                im += math.sin(r)
                ss += r * r
        if n > 0:
            tcoh[p] = math.sqrt(re * re + im * im) / n
            rms[p] = math.sqrt(ss / n)
        else:
            tcoh[p] = np.nan
            rms[p] = np.nan


# --------------------------------------------------------------------------- settings
@dataclasses.dataclass
class SBASSettings:
    """Everything the per-block inversion needs (plain data, picklable)."""

    pairs: List[Tuple[_dt.date, _dt.date]]
    dates: List[_dt.date]
    geometry: stackio.Geometry
    date_bperp_m: Optional[np.ndarray] = None
    weight: str = "no"
    coherence_threshold: float = 0.0
    min_coherent_fraction: float = 0.5
    min_redundancy: int = 1
    dem_error: bool = True
    poly_order: int = 2
    vertical: bool = False
    ref_phase: Optional[np.ndarray] = None      # (nifg,) rad subtracted before inversion
    looks: int = 1

    def __post_init__(self):
        self.A, self.B, self.dt, self.ref_idx, self.sec_idx = design_matrices(self.pairs, self.dates)
        self.t_years = stackio.years_since(self.dates)
        self.to_mm = self.geometry.phase_to_mm()
        self.cos_inc = math.cos(math.radians(self.geometry.incidence_deg))
        # deformation model (polynomial in time) + optional DEM-error column
        cols = [self.t_years ** k for k in range(self.poly_order + 1)]
        self.dem_active = bool(self.dem_error and self.date_bperp_m is not None
                               and np.ptp(self.date_bperp_m) > 0)
        if self.dem_active:
            g = self.geometry
            self.k_dem = 1000.0 * np.asarray(self.date_bperp_m, dtype=np.float64) / (
                g.slant_range_m * math.sin(math.radians(g.incidence_deg)))
            cols.append(self.k_dem)
        self.G = np.stack(cols, axis=1)
        self.G_pinv = np.linalg.pinv(self.G, rcond=1e-10)
        self.L1 = np.stack([np.ones_like(self.t_years), self.t_years], axis=1)
        self.L1_pinv = np.linalg.pinv(self.L1)
        nifg, nd = len(self.pairs), len(self.dates)
        # C integrates interval velocities into the time series (row 0 = first date = 0);
        # D maps the time series to interferograms (+1 secondary, -1 reference)
        self.C = np.tril(np.ones((nd, nd - 1)), -1) * self.dt[None, :]
        self.D = np.zeros((nifg, nd))
        self.D[np.arange(nifg), self.sec_idx] += 1.0
        self.D[np.arange(nifg), self.ref_idx] -= 1.0
        # the fully valid pattern: time series = M_full @ phase (one GEMM per block)
        full = np.ones((1, nifg), dtype=bool)
        self.full_ok = bool(_pattern_ok(full, self)[0]) if nifg else False
        self.M_full = self.C @ _batched_pinv(self.B[None])[0] if nifg else np.zeros((nd, 0))


def _pattern_ok(patterns: np.ndarray, s: SBASSettings) -> np.ndarray:
    """Patterns that pass MIN_COHERENT_FRACTION and MIN_REDUNDANCY (vectorised)."""
    nifg = patterns.shape[1]
    need = max(1, int(math.ceil(s.min_coherent_fraction * nifg - 1e-9)))
    nd = len(s.dates)
    inc = np.zeros((nifg, nd))
    inc[np.arange(nifg), s.ref_idx] = 1.0
    inc[np.arange(nifg), s.sec_idx] = 1.0
    per_date = patterns.astype(np.float64) @ inc
    return (patterns.sum(axis=1) >= need) & (per_date.min(axis=1) >= s.min_redundancy)


def _batched_pinv(Bm: np.ndarray) -> np.ndarray:
    """Pseudo-inverses of a batch ``(k, m, n)``: full-rank matrices through the
    normal equations (same result as the SVD, much cheaper), rank-deficient ones
    (singular values below RCOND x max, e.g. disconnected networks) by SVD."""
    BmT = np.transpose(Bm, (0, 2, 1))
    N = BmT @ Bm
    ev = np.linalg.eigvalsh(N)
    good = ev[:, 0] > (RCOND ** 2) * 1e2 * ev[:, -1]
    out = np.empty(BmT.shape)
    if good.any():
        out[good] = np.linalg.solve(N[good], BmT[good])
    if (~good).any():
        out[~good] = np.linalg.pinv(Bm[~good], rcond=RCOND)
    return out


@njit(cache=True, nogil=True)
def _kernel_prepare(ph, ref, corr, coh, thr, y, valid):  # pragma: no cover - numba
    """One pass over a block (nifg, npix): y = ph - ref - corr (float64, 0 where
    unusable), valid = finite phase and (coherence >= thr when ``coh`` has
    rows).  ``corr`` (nifg, npix) or (0, 0) for none."""
    nifg, npix = ph.shape
    use_corr = corr.shape[0] > 0
    use_coh = coh.shape[0] > 0
    for i in range(nifg):
        r = ref[i]
        for p in range(npix):
            v = ph[i, p] - r
            ok = v == v and abs(v) < np.inf
            if use_coh and ok:
                ok = coh[i, p] >= thr
            if ok:
                if use_corr:
                    v -= corr[i, p]
                y[i, p] = v
                valid[i, p] = True
            else:
                y[i, p] = 0.0
                valid[i, p] = False


@njit(cache=True, nogil=True)
def _kernel_residual(y, valid, ts, ref_idx, sec_idx, r32, ss, n):  # pragma: no cover - numba
    """Network residual r = y - (ts[sec] - ts[ref]) per interferogram and pixel:
    r32 (float32, 0 where unusable), ss = sum r^2, n = usable count."""
    nifg, npix = y.shape
    for p in range(npix):
        ss[p] = 0.0
        n[p] = 0
    for i in range(nifg):
        a = ref_idx[i]
        b = sec_idx[i]
        for p in range(npix):
            if valid[i, p]:
                r = y[i, p] - (ts[b, p] - ts[a, p])
                r32[i, p] = r
                ss[p] += r * r
                n[p] += 1
            else:
                r32[i, p] = 0.0




@njit(cache=True, nogil=True)
def _kernel_pattern_ops(patterns, ok, B, dt, ref_idx, sec_idx, M, good):  # pragma: no cover - numba
    """Integrated pseudo-inverse M[k] (nd, nifg) of every full-rank pattern k:
    column i = C N^-1 B[i]^T (N = B_k^T B_k by banded Cholesky, C the time
    integration), zero for unusable interferograms.  good[k] = False for the
    rank-deficient ones (left to the SVD)."""
    npat, nifg = patterns.shape
    nv = dt.shape[0]
    bw = 1
    for i in range(nifg):
        if sec_idx[i] - ref_idx[i] > bw:
            bw = sec_idx[i] - ref_idx[i]
    N = np.empty((nv, nv))
    x = np.empty(nv)
    for k in range(npat):
        good[k] = False
        if not ok[k]:
            continue
        for a in range(nv):
            for c in range(nv):
                N[a, c] = 0.0
        for i in range(nifg):
            if patterns[k, i]:
                for a in range(ref_idx[i], sec_idx[i]):
                    for c in range(a, sec_idx[i]):
                        N[c, a] += B[i, a] * B[i, c]
        if not _cholesky_factor(N, bw):
            continue
        good[k] = True
        for i in range(nifg):
            M[k, 0, i] = 0.0
            if not patterns[k, i]:
                for a in range(nv):
                    M[k, a + 1, i] = 0.0
                continue
            _cholesky_substitute(N, B[i], x, bw)
            for a in range(nv):
                M[k, a + 1, i] = M[k, a, i] + dt[a] * x[a]


class _SingleThreadBLAS:
    """Context manager: run OpenBLAS single-threaded (the block pool already
    uses every core; BLAS threads on top only spin).  Looks the library up
    among those already loaded (``/proc/self/maps``); a no-op elsewhere."""

    def __enter__(self):
        self._lib, self._old = None, None
        try:
            import ctypes
            import re
            with open("/proc/self/maps") as f:
                libs = sorted(set(re.findall(r"(/\S*openblas\S*\.so[.\d]*)", f.read())))
            for path in libs:
                lib = ctypes.CDLL(path)
                if hasattr(lib, "openblas_set_num_threads") and hasattr(lib, "openblas_get_num_threads"):
                    self._lib, self._old = lib, int(lib.openblas_get_num_threads())
                    lib.openblas_set_num_threads(1)
                    break
        except Exception:  # pragma: no cover - no OpenBLAS / no /proc
            self._lib = None
        return self

    def __exit__(self, *exc):
        if self._lib is not None and self._old:
            self._lib.openblas_set_num_threads(self._old)
        return False


def _trim_heap() -> None:
    """Return freed heap memory to the system (glibc ``malloc_trim``).

    Freed block arrays otherwise stay in glibc's per-thread arenas and the
    resident set creeps ~15 MiB above the planned working set over a run.
    Called after each written block when MEMORY_MB limits the chunk size; it
    changes no allocator setting, so nothing persists in the host process
    (QGIS).  A no-op without glibc."""
    global _LIBC
    try:
        if _LIBC is None:
            import ctypes
            import ctypes.util
            _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _LIBC.malloc_trim(0)
    except Exception:  # pragma: no cover - not glibc
        _LIBC = False


_LIBC = None


def _patterns_cols(valid: np.ndarray):
    """Group the columns of ``valid`` (nifg, n) by pattern -> (patterns (npat, nifg), ids (n,)).

    The bit-packed column is read as 64-bit words and hashed to one uint64
    (exact for <= 64 interferograms); ``np.unique`` then sorts n integers
    instead of comparing long byte rows.  The grouping is verified word by
    word and falls back to comparing the packed rows on a hash collision."""
    nifg, n = valid.shape
    packed = np.packbits(valid, axis=0)                      # (nbytes, n)
    nb = packed.shape[0]
    nw = max(1, (nb + 7) // 8)
    buf = np.zeros((n, nw * 8), np.uint8)
    buf[:, :nb] = packed.T
    words = buf.view(np.uint64)                              # (n, nw)
    h = words[:, 0].copy()
    for k in range(1, nw):
        h *= np.uint64(0x9E3779B97F4A7C15)
        h += words[:, k]
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    if nw > 1 and not np.array_equal(words, words[first][inv]):   # pragma: no cover - hash collision
        view = buf.view(np.dtype((np.void, nw * 8)))[:, 0]
        _, first, inv = np.unique(view, return_index=True, return_inverse=True)
    return np.ascontiguousarray(valid[:, first].T), inv.astype(np.int64).ravel()


@njit(cache=True, nogil=True)
def _kernel_gather(y, cols, order, yp):  # pragma: no cover - numba
    """yp[order_rank[j]] = y[:, cols[j]]: the partially valid pixels' phase,
    pixel-major and sorted by pattern.  Reads y row by row along ascending
    ``cols`` (streaming), writes rows of yp at their rank in ``order``."""
    n = cols.shape[0]
    rank = np.empty(n, np.int64)
    for r in range(n):
        rank[order[r]] = r
    for i in range(y.shape[0]):
        for j in range(n):
            yp[rank[j], i] = y[i, cols[j]]


def _apply_patterns(y, cols, pid, ok, M, ts):
    """ts[:, cols[j]] = M[pid[j]] @ y[:, cols[j]] for the partially valid pixels:
    gathered once (pixel-major, sorted by pattern), then one small BLAS GEMM
    per pattern group; NaN for patterns that fail the masks."""
    n = cols.size
    order = np.argsort(pid, kind="stable")
    yp = np.empty((n, y.shape[0]))
    _kernel_gather(y, cols, order, yp)
    ps = pid[order]
    cuts = np.flatnonzero(np.diff(ps)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [n]])
    out = np.empty((n, ts.shape[0]))
    for a, b in zip(starts.tolist(), ends.tolist()):
        k = ps[a]
        if ok[k]:
            np.dot(yp[a:b], M[k].T, out=out[a:b])
        else:
            out[a:b] = np.nan
    ts[:, cols[order]] = out.T


def _residual_quality(y: np.ndarray, valid: np.ndarray, ts: np.ndarray, s: SBASSettings):
    """Temporal coherence and residual RMS (rad) from the referenced phase
    ``y`` (nifg, npix; 0 where unusable) and ``ts`` (nd, npix).

    The residual is formed in one numba pass (float32 copy, sum of squares and
    count in float64); sine and cosine then run in float32 through numpy's
    SIMD loops (< 1e-6 on the temporal coherence), sums in float64.  NaN for
    pixels whose ``ts`` is NaN."""
    nifg, npix = y.shape
    r32 = np.empty((nifg, npix), np.float32)
    ss = np.empty(npix)
    n = np.empty(npix, np.int64)
    _kernel_residual(y, valid, ts, s.ref_idx, s.sec_idx, r32, ss, n)
    tmp = np.empty_like(r32)
    re = np.cos(r32, out=tmp).sum(axis=0, dtype=np.float64)
    re -= nifg - n                                          # unusable entries: residual 0, cos 0 = 1
    im = np.sin(r32, out=tmp).sum(axis=0, dtype=np.float64)
    del r32, tmp
    with np.errstate(invalid="ignore", divide="ignore"):
        tcoh = np.hypot(re, im) / n
        rms = np.sqrt(ss / n)
    return tcoh, rms


def _invert_plain(y: np.ndarray, valid: np.ndarray, s: SBASSettings):
    """Un-weighted inversion of a block in interferogram-major layout.

    ``y`` (nifg, npix) float64 referenced phase (rad, 0 where unusable),
    ``valid`` (nifg, npix) bool.  Every pixel first gets the fully valid pattern's
    solution ``M_full @ y`` (one BLAS GEMM); the partially valid pixels are
    then grouped by pattern (one pseudo-inverse per pattern) and recomputed by
    ``_apply_patterns``.  Returns ts (nd, npix) rad, tcoh, rms (rad)."""
    nifg, npix = y.shape
    nd = len(s.dates)
    ts = np.empty((nd, npix))
    if s.full_ok:
        np.dot(s.M_full, y, out=ts)
    else:
        ts.fill(np.nan)
    cols = np.flatnonzero(~valid.all(axis=0))
    if cols.size:
        patterns, pid = _patterns_cols(valid[:, cols])
        ok = _pattern_ok(patterns, s)
        M = np.zeros((len(patterns), nd, nifg))
        good = np.zeros(len(patterns), dtype=bool)
        _kernel_pattern_ops(patterns, ok, s.B, s.dt, s.ref_idx, s.sec_idx, M, good)
        idx = np.nonzero(ok & ~good)[0]                       # rank-deficient (disconnected): SVD
        for c0 in range(0, len(idx), 2048):
            sel = idx[c0:c0 + 2048]
            M[sel] = np.matmul(s.C[None], _batched_pinv(s.B[None, :, :] * patterns[sel][:, :, None]))
        _apply_patterns(y, cols.astype(np.int64), pid, ok, M, ts)
    tcoh, rms = _residual_quality(y, valid, ts, s)
    return ts, tcoh, rms


def invert_pixels(phase: np.ndarray, s: SBASSettings, coherence: Optional[np.ndarray] = None, quality: bool = True):
    """Invert ``phase`` (npix, nifg) rad (NaN = unusable) pixel by pixel.

    Returns ``ts`` (npix, nd) rad (first date 0), ``tcoh`` (npix,),
    ``rms`` (npix,) rad; NaN rows for masked pixels.
    """
    phase = np.ascontiguousarray(phase, dtype=np.float64)
    npix, nifg = phase.shape
    valid = np.isfinite(phase)
    if coherence is not None and s.coherence_threshold > 0:
        valid &= np.nan_to_num(coherence, nan=-1.0) >= s.coherence_threshold
    phase = np.where(valid, phase, np.nan)
    patterns, pid = _patterns_cols(valid.T)
    ok = _pattern_ok(patterns, s)
    nd = len(s.dates)
    ts = np.empty((npix, nd))
    tcoh = np.empty(npix)
    rms = np.empty(npix)
    if s.weight == "no" or coherence is None:
        # one pseudo-inverse per valid pattern, batched (rows of unusable
        # interferograms are zero, so their columns of the pinv are zero)
        pinvs = np.zeros((len(patterns), nd - 1, nifg))
        idx = np.nonzero(ok)[0]
        for c0 in range(0, len(idx), 2048):
            sel = idx[c0:c0 + 2048]
            pinvs[sel] = _batched_pinv(s.B[None, :, :] * patterns[sel][:, :, None])
        phase0 = np.where(valid, phase, 0.0)
        _kernel_patterns(phase0, valid, pid, pinvs, ok, s.dt, s.ref_idx, s.sec_idx, ts, tcoh, rms)
    else:
        w = coherence_to_weight(coherence, s.weight, s.looks)
        wsqrt = np.ascontiguousarray(np.sqrt(w), dtype=np.float64)
        _kernel_weighted(phase, wsqrt, pid, ok, np.ascontiguousarray(s.B), s.dt, s.ref_idx, s.sec_idx,
                         RCOND, bool(quality), ts, tcoh, rms)
    return ts, tcoh, rms


def _invert_chunk(ph, c, atm, s: SBASSettings):
    """Inversion of one pixel chunk (interferogram-major ``ph`` (nifg, n), ``c``
    coherence or None, ``atm`` (nd, n) mm or None) -> ts (nd, n) rad, tcoh, rms."""
    nifg, n = ph.shape
    nd = len(s.dates)
    empty = np.zeros((0, 0))
    corr = empty
    if atm is not None:
        corr = s.D @ (atm / s.to_mm)                          # atm(sec) - atm(ref), rad
    ref = s.ref_phase if s.ref_phase is not None else np.zeros(nifg)
    y = np.empty((nifg, n))
    valid = np.empty((nifg, n), dtype=bool)
    use_c = c is not None and s.coherence_threshold > 0
    _kernel_prepare(ph, np.asarray(ref, np.float64), corr, c if use_c else empty.astype(ph.dtype),
                    float(s.coherence_threshold), y, valid)
    del corr
    if s.weight == "no" or c is None:
        return _invert_plain(y, valid, s)
    np.copyto(y, np.nan, where=~valid)
    ts, _, _ = invert_pixels(y.T, s, np.asarray(c).T, quality=False)
    ts = np.ascontiguousarray(ts.T)
    np.copyto(y, 0.0, where=~valid)
    tcoh, rms = _residual_quality(y, valid, ts, s)
    return ts, tcoh, rms


def invert_block(phase: np.ndarray, s: SBASSettings, coherence: Optional[np.ndarray] = None,
                 atmosphere_mm: Optional[np.ndarray] = None, residual: bool = True, chunk: Optional[int] = None,
                 out_dtype=np.float64) -> Dict[str, np.ndarray]:
    """Invert a block ``(nifg, rows, cols)`` of unwrapped phase (rad, float32 or float64).

    ``atmosphere_mm`` (nd, rows, cols), LOS mm per date, is removed from the
    interferograms before the inversion (second pass).  Returns a dict of
    arrays shaped ``(..., rows, cols)`` of ``out_dtype``: ``ts_mm`` (LOS,
    DEM-error corrected), ``velocity`` (LOS mm/yr), ``dem_error`` (m),
    ``tcoh``, ``rms_mm``, ``residual_mm`` (time series minus the linear rate;
    only with ``residual=True``), ``valid`` (bool).  Works in
    interferogram-major layout (nifg, npix) -- no transposes, the fixed linear
    maps are BLAS products -- over pixel chunks of ``chunk`` pixels (default:
    the whole block), so that the float64 temporaries (about
    ``_CHUNK_BYTES_PER_PIXEL``) are bounded independently of the block size.
    """
    nifg, rows, cols = phase.shape
    npix = rows * cols
    nd = len(s.dates)
    ph = phase.reshape(nifg, npix)
    c = None if coherence is None else coherence.reshape(nifg, npix)
    a = None if atmosphere_mm is None else atmosphere_mm.reshape(nd, npix)
    chunk = npix if not chunk else max(1, int(chunk))
    ts_out = np.empty((nd, npix), out_dtype)
    res_out = np.empty((nd, npix), out_dtype) if residual else None
    vel = np.empty(npix, out_dtype)
    dem = np.full(npix, np.nan, out_dtype)
    tcoh_out = np.empty(npix, out_dtype)
    rms_out = np.empty(npix, out_dtype)
    ok = np.empty(npix, dtype=bool)
    for p0 in range(0, npix, chunk):
        p1 = min(npix, p0 + chunk)
        ts, tcoh, rms = _invert_chunk(ph[:, p0:p1], None if c is None else c[:, p0:p1],
                                      None if a is None else a[:, p0:p1], s)
        ts *= s.to_mm                                         # ts_mm (nd, n)
        ok[p0:p1] = np.isfinite(ts[-1])
        if s.dem_active:
            d = s.G_pinv[-1] @ ts
            ts -= np.outer(s.k_dem, d)
            dem[p0:p1] = d
        lin = s.L1_pinv @ ts
        vel[p0:p1] = lin[1]
        ts_out[:, p0:p1] = ts
        if residual:
            ts -= s.L1 @ lin
            res_out[:, p0:p1] = ts
        tcoh_out[p0:p1] = tcoh
        rms_out[p0:p1] = np.abs(s.to_mm) * rms
        del ts, tcoh, rms
    out = {
        "ts_mm": ts_out.reshape(nd, rows, cols),
        "velocity": vel.reshape(rows, cols),
        "dem_error": dem.reshape(rows, cols),
        "tcoh": tcoh_out.reshape(rows, cols),
        "rms_mm": rms_out.reshape(rows, cols),
        "valid": ok.reshape(rows, cols),
    }
    if residual:
        out["residual_mm"] = res_out.reshape(nd, rows, cols)
    return out


# --------------------------------------------------------------------------- filters
def temporal_highpass(residual: np.ndarray, t_days: np.ndarray, window_days: float) -> np.ndarray:
    """Residual minus its Gaussian-weighted temporal low-pass (sigma = window/4).

    ``residual`` is (nd, ...) ; NaN pixels stay NaN.
    """
    sigma = max(float(window_days) / 4.0, 1e-6)
    d = (t_days[:, None] - t_days[None, :]) / sigma
    W = np.exp(-0.5 * d * d)
    W /= W.sum(axis=1, keepdims=True)
    nd = residual.shape[0]
    flat = residual.reshape(nd, -1)
    if flat.dtype == np.float32:            # blocks of run_sbas: stay in float32 (written as float32)
        W = W.astype(np.float32)
    out = np.einsum("jk,kp->jp", W, flat)
    np.subtract(flat, out, out=out)
    return out.reshape(residual.shape)


def spatial_lowpass(band: np.ndarray, sigma_px: Tuple[float, float]) -> np.ndarray:
    """NaN-aware Gaussian low-pass of a 2-D array (normalised convolution,
    truncated at 2 sigma).  Pixels with no valid neighbour stay NaN."""
    from scipy.ndimage import gaussian_filter
    m = np.isfinite(band)
    a = np.where(m, band, 0.0).astype(np.float64, copy=False)
    num = gaussian_filter(a, sigma=sigma_px, mode="constant", truncate=2.0)
    del a
    mf = m.astype(np.float64)
    den = gaussian_filter(mf, sigma=sigma_px, mode="constant", truncate=2.0)
    del mf
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(num, den, out=num)
    num[den <= 1e-6] = np.nan
    num[~m] = np.nan
    return num


def _sigma_px(window_m: float, pixel_size_m: Tuple[float, float]) -> Tuple[float, float]:
    px, py = pixel_size_m
    return (max(window_m / 4.0 / py, 1e-3), max(window_m / 4.0 / px, 1e-3))


# --------------------------------------------------------------------------- reference
def _reference_score(tcoh_or_coh: np.ndarray, all_valid: np.ndarray) -> np.ndarray:
    from scipy.ndimage import uniform_filter
    sc = np.where(all_valid & np.isfinite(tcoh_or_coh), tcoh_or_coh, 0.0)
    sm = uniform_filter(sc, size=5, mode="constant")
    ok = uniform_filter(all_valid.astype(np.float64), size=5, mode="constant")
    return np.where(all_valid, sm * (ok > 0.99) + 1e-3 * sc, -1.0)


def check_reference(ref_values: np.ndarray, row: int, col: int, *, name: str = "REFERENCE") -> None:
    """Raise when the reference pixel has NaN phase in some interferogram."""
    bad = int((~np.isfinite(ref_values)).sum())
    if bad:
        raise ValueError(f"{name}: the reference pixel (row {row}, col {col}) has no valid phase (NaN) in "
                         f"{bad} of {ref_values.size} interferograms; choose a coherent pixel with "
                         f"phase in every interferogram")


# --------------------------------------------------------------------------- arrays API
@dataclasses.dataclass
class SBASResult:
    """In-memory SBAS products (LOS, or vertical when requested)."""

    timeseries_mm: np.ndarray        # (nd, rows, cols)
    velocity_mm_yr: np.ndarray       # (rows, cols)
    dem_error_m: np.ndarray          # (rows, cols)
    temporal_coherence: np.ndarray   # (rows, cols)
    residual_rms_mm: np.ndarray      # (rows, cols)
    atmosphere_mm: Optional[np.ndarray]
    reference: Tuple[int, int]
    dates: List[_dt.date]


def _validate_common(weight, coherence_threshold, min_coherent_fraction, min_redundancy,
                     atmo_temporal_days, atmo_spatial_m):
    weight = check_choice("WEIGHT", weight, WEIGHTS)
    check_range("COHERENCE_THRESHOLD", coherence_threshold, 0.0, 1.0)
    check_range("MIN_COHERENT_FRACTION", min_coherent_fraction, 0.0, 1.0)
    if int(min_redundancy) < 1:
        raise ValueError(f"MIN_REDUNDANCY: must be >= 1, got {min_redundancy!r}")
    check_positive("ATMO_TEMPORAL_DAYS", atmo_temporal_days)
    check_positive("ATMO_SPATIAL_M", atmo_spatial_m)
    return weight


def sbas_arrays(phase, pairs, dates=None, *, geometry: Optional[stackio.Geometry] = None, coherence=None,
                date_bperp_m=None, weight: str = "no", coherence_threshold: float = 0.0,
                min_coherent_fraction: float = 0.5, min_redundancy: int = 1,
                reference: Optional[Tuple[int, int]] = None, dem_error: bool = True,
                atmosphere: bool = False, atmo_temporal_days: float = 365.0, atmo_spatial_m: float = 1600.0,
                pixel_size_m: Tuple[float, float] = (20.0, 20.0), vertical: bool = False,
                feedback=None) -> SBASResult:
    """SBAS on in-memory arrays (tests, scripts).

    Parameters
    ----------
    phase : (n_pairs, rows, cols) float
        Unwrapped phase, rad, NaN = no data (MineSAR sign: ref x conj(sec)).
    pairs : list of (date, date)
        One (reference, secondary) per band, reference earlier.
    dates : list of date, optional
        Acquisitions (default: all dates of ``pairs``).
    coherence : (n_pairs, rows, cols), optional
        Spatial coherence for masks and weights.
    date_bperp_m : (n_dates,) optional
        Perpendicular baseline per date (m); needed for the DEM error.
    reference : (row, col), optional
        Reference pixel; default: automatic (highest coherence / temporal
        coherence among pixels valid in every interferogram).
    pixel_size_m : (x, y)
        Pixel size for the spatial atmospheric filter.

    Returns :class:`SBASResult` (mm, mm/yr, m; positive toward the satellite).
    """
    feedback = ensure(feedback)
    weight = _validate_common(weight, coherence_threshold, min_coherent_fraction, min_redundancy,
                              atmo_temporal_days, atmo_spatial_m)
    phase = check_array("PHASE", phase, ndim=3, dtype_kind="fiu").astype(np.float64)
    if len(pairs) != phase.shape[0]:
        raise ValueError(f"PHASE: {phase.shape[0]} bands but {len(pairs)} pairs")
    if coherence is not None:
        coherence = check_array("COHERENCE", coherence, ndim=3, dtype_kind="fiu", shape=phase.shape)
    dates = sorted({d for p in pairs for d in p}) if dates is None else list(dates)
    geometry = geometry or stackio.Geometry()
    if weight != "no" and coherence is None:
        raise ValueError(f"WEIGHT: '{weight}' weights need a COHERENCE stack")
    nifg, rows, cols = phase.shape
    s = SBASSettings(list(pairs), dates, geometry, None if date_bperp_m is None else np.asarray(date_bperp_m, float),
                     weight, float(coherence_threshold), float(min_coherent_fraction), int(min_redundancy),
                     bool(dem_error), vertical=bool(vertical), looks=independent_looks(geometry))
    all_valid = np.isfinite(phase).all(axis=0)
    if reference is None:
        if coherence is not None:
            score = np.nanmean(coherence, axis=0)
        else:
            score = invert_block(phase, s)["tcoh"]
        sc = _reference_score(score, all_valid)
        if sc.max() < 0:
            raise ValueError("REFERENCE: no pixel has valid phase in every interferogram; "
                             "an automatic reference cannot be chosen")
        r, c = np.unravel_index(int(np.argmax(sc)), sc.shape)
        info(feedback, f"Automatic reference pixel: row {r}, col {c}")
    else:
        r, c = int(reference[0]), int(reference[1])
        if not (0 <= r < rows and 0 <= c < cols):
            raise ValueError(f"REFERENCE: pixel (row {r}, col {c}) is outside the {rows} x {cols} raster")
    check_reference(phase[:, r, c], r, c)
    s.ref_phase = phase[:, r, c].copy()
    out = invert_block(phase, s, coherence)
    if not out["valid"].any():
        raise ValueError("COHERENCE_THRESHOLD: every pixel is masked (too few usable interferograms); lower "
                         "COHERENCE_THRESHOLD or MIN_COHERENT_FRACTION")
    atm = None
    if atmosphere:
        t_days = s.t_years * DAYS_PER_YEAR
        hp = temporal_highpass(out["residual_mm"], t_days, atmo_temporal_days)
        sig = _sigma_px(atmo_spatial_m, pixel_size_m)
        atm = np.stack([spatial_lowpass(hp[j], sig) for j in range(hp.shape[0])])
        atm = atm - atm[:, r, c][:, None, None]
        atm = np.where(np.isfinite(atm), atm, 0.0)
        out = invert_block(phase, s, coherence, atmosphere_mm=atm)
        atm = atm - atm[0][None]
        atm[:, ~out["valid"]] = np.nan
    f = 1.0 / s.cos_inc if vertical else 1.0
    return SBASResult(out["ts_mm"] * f, out["velocity"] * f, out["dem_error"], out["tcoh"], out["rms_mm"],
                      atm, (r, c), dates)


# --------------------------------------------------------------------------- files API
@dataclasses.dataclass
class SBASSummary:
    """What :func:`run_sbas` did (numbers for the log and Processing outputs)."""

    reference: Tuple[int, int]
    reference_how: str
    n_valid: int
    n_pixels: int
    n_subsets: int
    velocity_min: float
    velocity_max: float
    median_rms_mm: float
    median_tcoh: float
    dem_error_estimated: bool
    n_blocks: int
    outputs: Dict[str, str]


def _stack_settings(info_: stackio.StackInfo, feedback):
    stackio.require_pairs(info_, name="PHASE")
    kind = (info_.kind or "").lower()
    if kind and kind != "unwrapped":
        raise ValueError(f"PHASE: {info_.path} is a '{info_.kind}' raster; SBAS needs an unwrapped "
                         f"interferogram stack (MINESAR_KIND=unwrapped, radians)")
    if info_.is_complex:
        raise ValueError(f"PHASE: {info_.path} is complex (wrapped interferograms?); SBAS needs unwrapped "
                         f"phase in radians")
    pairs = list(info_.pairs)
    dates = sorted({d for p in pairs for d in p})
    bperp = None
    if info_.date_bperp_m is not None and len(info_.date_bperp_m) == len(info_.dates):
        lookup = dict(zip(info_.dates, info_.date_bperp_m))
        if all(d in lookup for d in dates):
            bperp = np.array([lookup[d] for d in dates], dtype=np.float64)
            bperp = bperp - bperp[0]
    if bperp is None and info_.bperp_m is not None:
        bperp = date_bperp_from_pairs(pairs, dates, info_.bperp_m)
        info(feedback, "Per-date perpendicular baselines solved from the per-pair BPERP_M by least squares")
    return pairs, dates, bperp


_CHUNK_PIXELS = 4096        # pixels per inversion chunk when the budget allows (fits the L2/L3 caches)


def _chunk_bytes_per_pixel(nifg: int, nd: int, weighted: bool) -> float:
    """Temporaries of ``_invert_chunk`` per pixel of a chunk: the float64
    referenced phase and its mask, the float32 residual and its sine/cosine,
    the pattern gather (plain), or the pixel-major copies, weights and square
    roots of the weighted kernel; plus the float64 time series and model fits.
    Calibrated with ``tracemalloc`` (peak of ``invert_block`` on one chunk:
    22.5 B x nifg plain, 64 B x nifg weighted, including the float32 inputs)."""
    return (60.0 if weighted else 20.0) * nifg + 32.0 * nd + 64.0


def _block_bytes_per_pixel(nifg: int, nd: int, coherence: bool) -> float:
    """Bytes a block holds per pixel outside the chunk temporaries: the float32
    phase (and coherence) read, the float32 atmosphere of pass 2, and the
    float32 results (time series, residual, 4 rasters, mask) twice -- the
    block being computed and the previous result waiting for the writer --,
    plus the writer's float32 temporaries (scaled time series, temporal
    high-pass: 8 B x nd)."""
    return 4.0 * nifg * (2 if coherence else 1) + 4.0 * nd + 2 * (8.0 * nd + 17.0) + 8.0 * nd


def _memory_plan(nifg: int, nd: int, weighted: bool, coherence: bool, H: int, W: int, memory_mb: float,
                 workers: Optional[int], path: str):
    """Split ``MEMORY_MB`` into GDAL's block cache (1/8, at least 1 MiB), the
    per-pixel temporal coherence and residual RMS kept for the medians
    (8 B x H x W), a 40 % reserve (open datasets and writers, DEFLATE state,
    allocator slack: measured, see docs/sbas.md) and equal shares per worker
    thread; each share holds one block (``_block_bytes_per_pixel``) and one
    chunk of temporaries (``_chunk_bytes_per_pixel``).
    Returns (row blocks, chunk pixels, cache MiB, bytes per pixel of a block)."""
    nthreads = max(1, workers or default_workers())
    cache_mb = max(memory_mb / 8.0, 1.0)
    medians_mb = 8.0 * H * W / 2 ** 20
    per_thread = max(0.60 * memory_mb - cache_mb - medians_mb, 0.05 * memory_mb) / nthreads * 2 ** 20
    tmp = _chunk_bytes_per_pixel(nifg, nd, weighted)
    chunk = int(max(64, min(_CHUNK_PIXELS, 0.5 * per_thread / tmp)))
    io = _block_bytes_per_pixel(nifg, nd, coherence)
    block_mb = max(per_thread - chunk * tmp, 0.25 * per_thread) / 2 ** 20
    return _plan(path, H, W, io, block_mb, nthreads), chunk, cache_mb, io


def _plan(path: str, H: int, W: int, bpp: float, block_mb: float, nthreads: int):
    """Row blocks of at most ``block_mb`` (``bpp`` bytes per pixel), aligned on
    the input's tile/strip height when that fits (a block that cuts a
    compressed tile decompresses it twice), and split so that every worker
    thread gets blocks when the raster is tall enough."""
    ds = stackio.open_raster(path, name="PHASE")
    tile_h = max(1, int(ds.GetRasterBand(1).GetBlockSize()[1]))
    ds = None
    budget_rows = int(block_mb * 2 ** 20 // max(bpp * W, 1.0))
    multiple = tile_h if budget_rows >= tile_h else 1
    plan = stackio.plan_row_blocks(H, W, bytes_per_pixel=bpp, memory_mb=block_mb, multiple=multiple)
    if len(plan) < 2 * nthreads and nthreads > 1:
        # give every thread work; tile alignment only when it still balances the blocks
        per = int(math.ceil(H / (2 * nthreads)))
        if int(math.ceil(per / multiple)) * multiple * nthreads <= H:
            per = int(math.ceil(per / multiple)) * multiple
        else:
            multiple = 1
        if per < H:
            plan = stackio.plan_row_blocks(H, W, bytes_per_pixel=bpp, memory_mb=per * W * bpp / 2 ** 20,
                                           multiple=multiple)
    return plan


def run_sbas(phase_path: str, *, coherence_path: Optional[str] = None, out_timeseries: str,
             out_velocity: str, out_dem_error: Optional[str] = None, out_temporal_coherence: Optional[str] = None,
             out_residual_rms: Optional[str] = None, out_atmosphere: Optional[str] = None,
             weight: str = "no", coherence_threshold: float = 0.0, min_coherent_fraction: float = 0.5,
             min_redundancy: int = 1, reference: Optional[Tuple[int, int]] = None, dem_error: bool = True,
             atmosphere: bool = True, atmo_temporal_days: float = 365.0, atmo_spatial_m: float = 1600.0,
             vertical: bool = False, memory_mb: float = 1024, workers: Optional[int] = None,
             feedback=None) -> SBASSummary:
    """SBAS on files, block by block within ``memory_mb`` (the ``sbas`` stage).

    Reads the unwrapped stack (``MINESAR_KIND=unwrapped``, rad, pair bands) and
    the optional coherence stack with :mod:`stackio`; writes self-describing
    GeoTIFFs atomically.  ``reference=None`` uses the stack's
    ``REF_ROW``/``REF_COL`` when present, else an automatic choice.
    Two-pass atmospheric filtering: pass 1 writes the temporally high-passed
    residual to a temporary GeoTIFF, each date band is low-passed in space in
    row blocks with overlap, pass 2 re-inverts and writes the products.
    """
    feedback = ensure(feedback)
    weight = _validate_common(weight, coherence_threshold, min_coherent_fraction, min_redundancy,
                              atmo_temporal_days, atmo_spatial_m)
    check_positive("MEMORY_MB", memory_mb)
    inf = stackio.read_stack_info(phase_path, name="PHASE")
    pairs, dates, bperp = _stack_settings(inf, feedback)
    nifg, nd = inf.count, len(dates)
    H, W = inf.height, inf.width
    if coherence_path:
        cinf = stackio.read_stack_info(coherence_path, name="COHERENCE")
        if (cinf.width, cinf.height, cinf.count) != (W, H, nifg):
            raise ValueError(f"COHERENCE: {coherence_path} is {cinf.width} x {cinf.height} x {cinf.count} but "
                             f"PHASE is {W} x {H} x {nifg}; it must be the matching coherence stack")
    elif weight != "no":
        raise ValueError(f"WEIGHT: '{weight}' weights need a COHERENCE stack")
    elif coherence_threshold > 0:
        warn(feedback, "COHERENCE_THRESHOLD is ignored: no COHERENCE stack was given")
    geometry = inf.geometry
    if dem_error and bperp is None:
        warn(feedback, "No perpendicular baselines in the stack (DATE_BPERP_M / BPERP_M): the DEM error is "
                       "not estimated")
    s = SBASSettings(pairs, dates, geometry, bperp, weight, float(coherence_threshold),
                     float(min_coherent_fraction), int(min_redundancy), bool(dem_error),
                     vertical=bool(vertical), looks=independent_looks(geometry))
    nsub = network_subsets(pairs, dates)
    info(feedback, f"{nifg} interferograms, {nd} dates, {nsub} connected subset(s) of the network; "
                   f"weights: {weight}; {'DEM error estimated' if s.dem_active else 'no DEM error'}")
    if nsub > 1:
        warn(feedback, f"The pair network has {nsub} disconnected subsets: the minimum-norm velocity solution "
                       f"bridges the gaps (Berardino 2002), interpret those intervals with care")
    read_coh = bool(coherence_path) and (weight != "no" or coherence_threshold > 0)
    plan, chunk, cache_mb, _ = _memory_plan(nifg, nd, weight != "no", read_coh, H, W, memory_mb, workers,
                                            phase_path)
    info(feedback, f"{len(plan)} row block(s) of up to {plan[0].nrows} rows, inverted in chunks of {chunk} "
                   f"pixels, for MEMORY_MB={memory_mb:g}")

    def read(bl, path):
        return stackio.read_block(path, bl.row0, bl.nrows, dtype="float32")

    # ---- reference -------------------------------------------------------------------
    how = "parameter"
    if reference is None and inf.ref_row is not None and inf.ref_col is not None:
        reference, how = (inf.ref_row, inf.ref_col), "REF_ROW/REF_COL of the stack"
    if reference is None:
        how = "automatic: highest mean coherence" if coherence_path else "automatic: highest temporal coherence"
        score = np.full((H, W), np.nan)
        allv = np.zeros((H, W), dtype=bool)
        for k, bl in enumerate(plan):
            check_cancel(feedback)
            ph = read(bl, phase_path)
            allv[bl.row0:bl.row0 + bl.nrows] = np.isfinite(ph).all(axis=0)
            if coherence_path:
                score[bl.row0:bl.row0 + bl.nrows] = np.nanmean(read(bl, coherence_path), axis=0, dtype=np.float64)
            else:
                score[bl.row0:bl.row0 + bl.nrows] = invert_block(ph, s, residual=False, chunk=chunk)["tcoh"]
            feedback.setProgress(10.0 * (k + 1) / len(plan))
        sc = _reference_score(score, allv)
        if sc.max() < 0:
            raise ValueError("REFERENCE: no pixel has valid phase in every interferogram; an automatic "
                             "reference cannot be chosen")
        r, c = np.unravel_index(int(np.argmax(sc)), sc.shape)
        reference = (int(r), int(c))
    r, c = int(reference[0]), int(reference[1])
    if not (0 <= r < H and 0 <= c < W):
        raise ValueError(f"REFERENCE: pixel (row {r}, col {c}) is outside the {H} x {W} raster")
    refv = stackio.read_block(phase_path, r, 1, col0=c, ncols=1, dtype="float64")[:, 0, 0]
    check_reference(refv, r, c)
    s.ref_phase = refv
    info(feedback, f"Reference pixel: row {r}, col {c} ({how})")

    # ---- output descriptions ------------------------------------------------------------
    geo_md = dict(REF_ROW=str(r), REF_COL=str(c))
    dlabels = [stackio.date_label(d) for d in dates]
    dbmd = stackio.band_metadata_for_dates(dates, bperp)
    los_or_vert = "vertical" if vertical else "LOS"
    comp = {"COMPONENT": los_or_vert, "SIGN": "positive toward the satellite" if not vertical else "positive up",
            "DATE_LIST": ",".join(dlabels)}
    f_out = 1.0 / s.cos_inc if vertical else 1.0
    common = dict(width=W, height=H, like=inf, geometry=geometry)

    def writer(path, count, kind, units, labels=None, bmd=None, extra=None):
        md = dict(geo_md)
        md.update(comp)
        md["METHOD"] = "SBAS minimum-norm velocity (Berardino 2002), weights " + weight
        if extra:
            md.update(extra)
        return stackio.StackWriter(path, count=count, dtype="float32", kind=kind, units=units,
                                   labels=labels, band_metadata=bmd, metadata=md, **common)

    tmpdir = tempfile.mkdtemp(prefix="minesar_sbas_", dir=os.path.dirname(os.path.abspath(out_timeseries)))
    # GDAL's block cache (default 5 % of RAM) would hold decoded and written tiles far beyond the
    # budget: limit it to its share of MEMORY_MB (_memory_plan) for this run and restore it afterwards
    from osgeo import gdal
    old_cache = gdal.GetCacheMax()
    gdal.SetCacheMax(int(min(old_cache, cache_mb * 2 ** 20)))
    stats = {"n_valid": 0}
    blas = _SingleThreadBLAS().__enter__()
    tight = chunk < _CHUNK_PIXELS   # the budget is tight: keep the resident set at the planned working set
    try:
        def run_pass(atm_path, writers, progress_range, collect_residual=False):
            blocks = [Block(id=bl.index, window=(bl.row0, bl.nrows)) for bl in plan]

            def job(b):
                row0, nrows = b.window
                # float32 as stored; invert_block makes the one float64 copy it works on (the
                # read array is passed without a local name so that it is freed after that copy)
                coh = stackio.read_block(coherence_path, row0, nrows, dtype="float32") if read_coh else None
                atm = stackio.read_block(atm_path, row0, nrows, dtype="float32") if atm_path else None
                res = invert_block(stackio.read_block(phase_path, row0, nrows, dtype="float32"), s, coh,
                                   atmosphere_mm=atm, residual=collect_residual, chunk=chunk,
                                   out_dtype=np.float32)
                if tight:
                    _trim_heap()    # this thread's temporaries are freed: give their pages back
                return res

            def done(b, res):
                row0, _ = b.window
                for key, (w, fn) in writers.items():
                    w.write(fn(res), row0=row0)
                res.clear()          # run_blocks keeps every result: free the arrays once written
                if tight:
                    _trim_heap()

            run_blocks(blocks, job, feedback=feedback, workers=workers, on_result=done,
                       progress_range=progress_range)

        outputs = {}
        if atmosphere:
            t_days = s.t_years * DAYS_PER_YEAR
            hp_path = os.path.join(tmpdir, "highpass.tif")
            with stackio.StackWriter(hp_path, count=nd, dtype="float32", kind="residual", units="mm",
                                     labels=dlabels, **common) as w_hp:
                run_pass(None, {"hp": (w_hp, lambda res: temporal_highpass(res["residual_mm"], t_days,
                                                                           atmo_temporal_days))}, (10.0, 45.0),
                         collect_residual=True)
            # spatial low-pass per date band, row blocks with overlap
            sig = _sigma_px(atmo_spatial_m, inf.pixel_size_m)
            overlap = int(math.ceil(2.0 * sig[0])) + 1
            # one band at a time in the calling thread: float32 read + float64 band, mask, filled
            # copy, two filtered arrays and scipy's intermediate, float64 (~60 B per pixel)
            splan = stackio.plan_row_blocks(H, W, bytes_per_pixel=64.0, memory_mb=0.75 * memory_mb - cache_mb,
                                            overlap=overlap, min_rows=max(8, overlap))
            ref_atm = np.zeros(nd)
            atm_path = os.path.join(tmpdir, "atmosphere.tif")
            with stackio.StackWriter(atm_path, count=nd, dtype="float32", kind="atmosphere", units="mm",
                                     labels=dlabels, **common) as w_atm:
                for j in range(nd):
                    check_cancel(feedback)
                    for bl in splan:
                        band = stackio.read_block(hp_path, bl.read_row0, bl.read_nrows, bands=[j],
                                                  dtype="float64")[0]
                        lp = spatial_lowpass(band, sig)[bl.core]
                        if bl.row0 <= r < bl.row0 + bl.nrows:
                            ref_atm[j] = lp[r - bl.row0, c] if np.isfinite(lp[r - bl.row0, c]) else 0.0
                        w_atm.write(lp, row0=bl.row0, band=j)
                    feedback.setProgress(45.0 + 10.0 * (j + 1) / nd)
            # referenced (atm at the reference pixel = 0), NaN -> 0 for the correction
            corr_path = os.path.join(tmpdir, "atmosphere_ref.tif")
            with stackio.StackWriter(corr_path, count=nd, dtype="float32", kind="atmosphere", units="mm",
                                     labels=dlabels, **common) as w_c:
                for bl in plan:
                    a = stackio.read_block(atm_path, bl.row0, bl.nrows, dtype="float32")
                    a -= ref_atm[:, None, None].astype(np.float32)
                    np.nan_to_num(a, copy=False, nan=0.0)
                    w_c.write(a, row0=bl.row0)
                    del a
            atm_in, prange = corr_path, (55.0, 100.0)
        else:
            atm_in, prange = None, (10.0, 100.0)

        vmin, vmax = [np.inf], [-np.inf]
        rms_all, tcoh_all = [], []

        def track(res):
            v = res["velocity"][res["valid"]] * f_out
            stats["n_valid"] += int(res["valid"].sum())
            if v.size:
                vmin[0] = min(vmin[0], float(v.min()))
                vmax[0] = max(vmax[0], float(v.max()))
                rms_all.append(res["rms_mm"][res["valid"]])
                tcoh_all.append(res["tcoh"][res["valid"]])
            return res["ts_mm"] * f_out

        from contextlib import ExitStack
        with ExitStack() as stack:
            writers = {}
            w_ts = stack.enter_context(writer(out_timeseries, nd, "timeseries", "mm", dlabels, dbmd,
                                              {"ATMOSPHERE_FILTER": "yes" if atmosphere else "no"}))
            writers["ts"] = (w_ts, track)
            w_v = stack.enter_context(writer(out_velocity, 1, "velocity", "mm/yr", ["velocity"]))
            writers["vel"] = (w_v, lambda res: (res["velocity"] * f_out)[None])
            if out_dem_error:
                w_d = stack.enter_context(writer(out_dem_error, 1, "dem_error", "m", ["dem_error"],
                                                 extra={"SIGN": "positive = true surface above the DEM"}))
                writers["dem"] = (w_d, lambda res: res["dem_error"][None])
            if out_temporal_coherence:
                w_t = stack.enter_context(writer(out_temporal_coherence, 1, "temporal_coherence", "",
                                                 ["temporal_coherence"]))
                writers["tcoh"] = (w_t, lambda res: res["tcoh"][None])
            if out_residual_rms:
                w_r = stack.enter_context(writer(out_residual_rms, 1, "residual", "mm", ["residual_rms"]))
                writers["rms"] = (w_r, lambda res: res["rms_mm"][None])
            writers_atm = None
            if out_atmosphere and atmosphere:
                writers_atm = stack.enter_context(writer(out_atmosphere, nd, "atmosphere", "mm", dlabels, dbmd,
                                                         {"COMPONENT": "LOS",
                                                          "SIGN": "positive toward the satellite"}))
            run_pass(atm_in, writers, prange)
            if stats["n_valid"] == 0:
                raise ValueError("COHERENCE_THRESHOLD: every pixel is masked (too few usable interferograms or "
                                 "dates without a usable interferogram); lower COHERENCE_THRESHOLD, "
                                 "MIN_COHERENT_FRACTION or MIN_REDUNDANCY")
            if writers_atm is not None:
                for bl in plan:
                    a = stackio.read_block(atm_in, bl.row0, bl.nrows, dtype="float32")
                    a -= a[0][None].copy()
                    ph = stackio.read_block(phase_path, bl.row0, bl.nrows, dtype="float32")
                    a[:, ~np.isfinite(ph).any(axis=0)] = np.nan
                    del ph
                    writers_atm.write(a, row0=bl.row0)
                    del a
            outputs = {"timeseries": out_timeseries, "velocity": out_velocity}
            if out_dem_error:
                outputs["dem_error"] = out_dem_error
            if out_temporal_coherence:
                outputs["temporal_coherence"] = out_temporal_coherence
            if out_residual_rms:
                outputs["residual_rms"] = out_residual_rms
            if writers_atm is not None:
                outputs["atmosphere"] = out_atmosphere
    finally:
        import shutil
        shutil.rmtree(tmpdir, ignore_errors=True)
        gdal.SetCacheMax(old_cache)
        blas.__exit__(None, None, None)
    rms_cat = np.concatenate(rms_all) if rms_all else np.array([np.nan])
    tcoh_cat = np.concatenate(tcoh_all) if tcoh_all else np.array([np.nan])
    summ = SBASSummary((r, c), how, stats["n_valid"], H * W, nsub, vmin[0], vmax[0],
                       float(np.nanmedian(rms_cat)), float(np.nanmedian(tcoh_cat)), s.dem_active, len(plan),
                       outputs)
    info(feedback, f"{summ.n_valid} of {summ.n_pixels} pixels inverted; velocity {summ.velocity_min:.1f} … "
                   f"{summ.velocity_max:.1f} mm/yr ({los_or_vert}); median temporal coherence "
                   f"{summ.median_tcoh:.3f}, median network residual RMS {summ.median_rms_mm:.2f} mm")
    feedback.setProgress(100.0)
    return summ
