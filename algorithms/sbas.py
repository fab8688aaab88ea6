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
* **Speed** — the trick that makes the un-weighted inversion fast: pixels are
  grouped by their pattern of valid interferograms, the pseudo-inverse is
  computed once per pattern and applied to every pixel of the group by a
  ``numba`` kernel.  Weighted inversions solve a small SVD per pixel inside a
  ``nogil`` kernel.
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

try:  # the plugin still loads without numba (DESIGN §1)
    from numba import njit
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

    def njit(*args, **kwargs):
        def wrap(f):
            return f
        return wrap(args[0]) if args and callable(args[0]) else wrap

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
def _cholesky_solve(N, rhs, out, bw):  # pragma: no cover - numba
    """Solve N x = rhs for a symmetric positive definite N of half-bandwidth
    ``bw`` (N[a, c] = 0 for |a - c| >= bw; N is overwritten by its Cholesky
    factor).  Returns False when N is (numerically) singular."""
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
    for i in range(n):
        acc = rhs[i]
        for k in range(max(0, i - bw + 1), i):
            acc -= N[i, k] * out[k]
        out[i] = acc / N[i, i]
    for i in range(n - 1, -1, -1):
        acc = out[i]
        for k in range(i + 1, min(n, i + bw)):
            acc -= N[k, i] * out[k]
        out[i] = acc / N[i, i]
    return True


@njit(cache=True, nogil=True)
def _kernel_weighted(phase, wsqrt, pid, ok, B, dt, ref_idx, sec_idx, rcond, ts, tcoh, rms):  # pragma: no cover
    """Weighted (WLS) minimum-norm velocity inversion, pixel by pixel.

    Full-rank pixels solve the normal equations by Cholesky (the unique LS
    solution); rank-deficient ones (disconnected networks) fall back to the
    minimum-norm SVD solution with singular values below rcond x max dropped.
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


def _patterns(valid: np.ndarray):
    """Group pixels by their row of ``valid`` (npix, nifg) -> (unique rows, ids)."""
    packed = np.packbits(valid, axis=1)
    if packed.shape[1] == 0:
        packed = np.zeros((valid.shape[0], 1), np.uint8)
    view = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1])))[:, 0]
    uniq, first, inv = np.unique(view, return_index=True, return_inverse=True)
    return valid[first], inv.astype(np.int64)


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


def invert_pixels(phase: np.ndarray, s: SBASSettings, coherence: Optional[np.ndarray] = None):
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
    patterns, pid = _patterns(valid)
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
                         RCOND, ts, tcoh, rms)
    return ts, tcoh, rms


def invert_block(phase: np.ndarray, s: SBASSettings, coherence: Optional[np.ndarray] = None,
                 atmosphere_mm: Optional[np.ndarray] = None) -> Dict[str, np.ndarray]:
    """Invert a block ``(nifg, rows, cols)`` of unwrapped phase (rad).

    ``atmosphere_mm`` (nd, rows, cols), LOS mm per date, is removed from the
    interferograms before the inversion (second pass).  Returns a dict of
    arrays shaped ``(..., rows, cols)``: ``ts_mm`` (LOS, DEM-error corrected),
    ``velocity`` (LOS mm/yr), ``dem_error`` (m), ``tcoh``, ``rms_mm``,
    ``residual_mm`` (time series minus the linear rate), ``valid``.
    """
    nifg, rows, cols = phase.shape
    y = phase.reshape(nifg, -1).T.astype(np.float64)
    if s.ref_phase is not None:
        y = y - s.ref_phase[None, :]
    if atmosphere_mm is not None:
        a = atmosphere_mm.reshape(atmosphere_mm.shape[0], -1).T / s.to_mm     # rad per date
        y = y - (a[:, s.sec_idx] - a[:, s.ref_idx])
    c = None if coherence is None else coherence.reshape(nifg, -1).T
    ts, tcoh, rms = invert_pixels(y, s, c)
    ts_mm = ts * s.to_mm
    valid = np.isfinite(ts_mm[:, -1])
    # tall-skinny products with einsum: BLAS would start its own threads inside the block pool
    coef = np.einsum("pj,kj->pk", ts_mm, s.G_pinv)
    dem = np.full(ts_mm.shape[0], np.nan)
    if s.dem_active:
        dem = coef[:, -1].copy()
        ts_mm = ts_mm - dem[:, None] * s.k_dem[None, :]
    lin = np.einsum("pj,kj->pk", ts_mm, s.L1_pinv)
    resid = ts_mm - np.einsum("pk,jk->pj", lin, s.L1)
    vel = lin[:, 1]
    nd = len(s.dates)
    shape = (rows, cols)
    return {
        "ts_mm": ts_mm.T.reshape(nd, rows, cols),
        "velocity": vel.reshape(shape),
        "dem_error": dem.reshape(shape),
        "tcoh": tcoh.reshape(shape),
        "rms_mm": (np.abs(s.to_mm) * rms).reshape(shape),
        "residual_mm": resid.T.reshape(nd, rows, cols),
        "valid": valid.reshape(shape),
    }


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
    return (flat - np.einsum("jk,kp->jp", W, flat)).reshape(residual.shape)


def spatial_lowpass(band: np.ndarray, sigma_px: Tuple[float, float]) -> np.ndarray:
    """NaN-aware Gaussian low-pass of a 2-D array (normalised convolution,
    truncated at 2 sigma).  Pixels with no valid neighbour stay NaN."""
    from scipy.ndimage import gaussian_filter
    m = np.isfinite(band)
    a = np.where(m, band, 0.0).astype(np.float64)
    num = gaussian_filter(a, sigma=sigma_px, mode="constant", truncate=2.0)
    den = gaussian_filter(m.astype(np.float64), sigma=sigma_px, mode="constant", truncate=2.0)
    out = np.full(band.shape, np.nan)
    good = den > 1e-6
    out[good] = num[good] / den[good]
    out[~m] = np.nan
    return out


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


def _bytes_per_pixel(nifg: int, nd: int, weighted: bool) -> float:
    """Bytes held per pixel of a block: phase copies (read, referenced,
    masked, zero-filled, contiguous), mask, coherence and weights, time series,
    residual, atmosphere and the model fits."""
    return 8.0 * (nifg * (7 + (4 if weighted else 0)) + nd * 10) + 128


def _plan(path: str, H: int, W: int, bpp: float, memory_mb: float, workers: Optional[int]):
    """Row blocks within the budget, aligned on the input's tile/strip height
    (a block that cuts a compressed tile decompresses it twice), and split so
    that every worker thread gets blocks when the raster is tall enough.  The
    budget is shared by the threads: each block gets 3/4 x MEMORY_MB / threads."""
    ds = stackio.open_raster(path, name="PHASE")
    tile_h = max(1, int(ds.GetRasterBand(1).GetBlockSize()[1]))
    ds = None
    nthreads = max(1, workers or default_workers())
    per_thread = 0.75 * memory_mb / nthreads        # a quarter of the budget is GDAL's block cache
    budget_rows = int(per_thread * 2 ** 20 // max(bpp * W, 1.0))
    multiple = tile_h if budget_rows >= tile_h else 1
    plan = stackio.plan_row_blocks(H, W, bytes_per_pixel=bpp, memory_mb=per_thread, multiple=multiple)
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
    bpp = _bytes_per_pixel(nifg, nd, weight != "no")
    plan = _plan(phase_path, H, W, bpp, memory_mb, workers)
    info(feedback, f"{len(plan)} row block(s) of up to {plan[0].nrows} rows for MEMORY_MB={memory_mb:g}")

    def read(bl, path):
        return stackio.read_block(path, bl.row0, bl.nrows, dtype="float64")

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
                score[bl.row0:bl.row0 + bl.nrows] = np.nanmean(read(bl, coherence_path), axis=0)
            else:
                score[bl.row0:bl.row0 + bl.nrows] = invert_block(ph, s)["tcoh"]
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
    # budget: limit it to a quarter of MEMORY_MB for this run and restore it afterwards
    from osgeo import gdal
    old_cache = gdal.GetCacheMax()
    gdal.SetCacheMax(int(min(old_cache, max(memory_mb / 4.0, 8.0) * 2 ** 20)))
    stats = {"n_valid": 0}
    try:
        def run_pass(atm_path, writers, progress_range, collect_residual=None):
            blocks = [Block(id=bl.index, window=(bl.row0, bl.nrows)) for bl in plan]

            def job(b):
                row0, nrows = b.window
                ph = stackio.read_block(phase_path, row0, nrows, dtype="float64")
                coh = stackio.read_block(coherence_path, row0, nrows, dtype="float64") if (
                    coherence_path and (weight != "no" or coherence_threshold > 0)) else None
                atm = stackio.read_block(atm_path, row0, nrows, dtype="float64") if atm_path else None
                return invert_block(ph, s, coh, atmosphere_mm=atm)

            def done(b, res):
                row0, _ = b.window
                for key, (w, fn) in writers.items():
                    w.write(fn(res), row0=row0)
                res.clear()          # run_blocks keeps every result: free the arrays once written

            run_blocks(blocks, job, feedback=feedback, workers=workers, on_result=done,
                       progress_range=progress_range)

        outputs = {}
        if atmosphere:
            t_days = s.t_years * DAYS_PER_YEAR
            hp_path = os.path.join(tmpdir, "highpass.tif")
            with stackio.StackWriter(hp_path, count=nd, dtype="float32", kind="residual", units="mm",
                                     labels=dlabels, **common) as w_hp:
                run_pass(None, {"hp": (w_hp, lambda res: temporal_highpass(res["residual_mm"], t_days,
                                                                           atmo_temporal_days))}, (10.0, 45.0))
            # spatial low-pass per date band, row blocks with overlap
            sig = _sigma_px(atmo_spatial_m, inf.pixel_size_m)
            overlap = int(math.ceil(2.0 * sig[0])) + 1
            splan = stackio.plan_row_blocks(H, W, bytes_per_pixel=8.0 * 6, memory_mb=memory_mb, overlap=overlap,
                                            min_rows=max(8, overlap))
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
                    a = stackio.read_block(atm_path, bl.row0, bl.nrows, dtype="float64")
                    a = a - ref_atm[:, None, None]
                    w_c.write(np.where(np.isfinite(a), a, 0.0), row0=bl.row0)
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
                    a = stackio.read_block(atm_in, bl.row0, bl.nrows, dtype="float64")
                    a = a - a[0][None]
                    ph = stackio.read_block(phase_path, bl.row0, bl.nrows, dtype="float64")
                    a[:, ~np.isfinite(ph).any(axis=0)] = np.nan
                    writers_atm.write(a, row0=bl.row0)
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
