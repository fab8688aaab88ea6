"""Bayesian fit of rectangular (Okada) sources to LOS or vertical displacement.

The method follows GBIS (Bagnardi & Hooper 2018, G-cubed 19, 2194-2211):

1. **Quadtree reduction** of the displacement (Jonsson et al. 2002; kite /
   GBIS): a square cell is split in four while the variance of its valid
   samples exceeds a threshold (mm^2) and it is larger than a minimum size;
   each leaf becomes one observation (mean value, mean position, mean LOS
   vector, number of pixels).  Without a threshold it is chosen by bisection
   so that the number of leaves does not exceed ``max_samples``.
2. **Noise model**: an exponential covariance
   ``C(r) = sill * exp(-r / range)`` plus a white nugget (divided by the
   number of pixels of each leaf), fitted to the experimental semivariogram
   of the far field (residual of a first fit, pixels where the first model is
   below 10 % of its peak, after removing a plane), or given by the user.
3. **Global search**: scipy's differential evolution over the non-linear
   geometry (x, y, depth, length, width, strike and, if free, dip of each
   rectangle), vectorised over the population with a numba forward model.
   Openings (and slips), the offset and the ramp enter linearly and are
   solved by generalised least squares for every candidate geometry
   (variable projection).  Without starting rectangles half of the
   population starts at the strongest bowls of the smoothed data and a
   multi-start local refinement follows; with them the search starts near
   them.  A bounded least-squares polish follows.  Then a
   remove-and-reinsert sweep: each source in turn is removed, the others
   refitted, the removed one searched again over its whole prior and the
   joint refit kept when the covariance-weighted misfit drops.
4. **Support** of every source: the misfit increase when it is removed (and
   the others refitted) against the BIC penalty of its parameters
   (k ln n, Schwarz 1978); a source below it is reported as not supported.
5. **Posterior**: adaptive Metropolis MCMC (Haario et al. 2001, step
   adapted during burn-in as in GBIS) on the geometry, with the linear
   parameters integrated out analytically (flat prior) and drawn from their
   Gaussian conditional for every retained sample.  Posterior mean, standard
   deviation and 95 % intervals (2.5 / 97.5 percentiles) of every parameter.

Conventions (DESIGN 2, see :mod:`.okada`): x east, y north (m, in a local
metric frame), depth positive down, strike clockwise from north, centre
convention, data in mm (LOS positive toward the satellite, or vertical
positive up), opening negative for a closing seam.
"""
from __future__ import annotations

import dataclasses
import math
import time
from typing import Dict, List, Optional

import numpy as np

from . import okada as _ok
from ._numba import njit, prange
from .progress import ScaledFeedback, check_cancel, ensure, info

__all__ = ["fit_sources", "FitResult", "quadtree", "fit_semivariogram", "exponential_covariance",
           "PARAM_NAMES", "forward_mm", "cramer_rao"]

PARAM_NAMES = ("x", "y", "depth", "length", "width", "strike", "dip", "opening", "strike_slip", "dip_slip")
_GEO = ("x", "y", "depth", "length", "width", "strike", "dip")


# =============================================================================
# Forward model on the reduced data: Green's functions for a population
# =============================================================================
@njit(cache=True, nogil=True)
def _greens_one(geo, nsrc, ngeo, fixdip, nlin, xq, yq, le, ln, lu, a3, out):
    """Unit-dislocation LOS responses (m per m) of ``nsrc`` rectangles with
    geometry ``geo`` (nsrc*ngeo values) at the points -> out (npts, nsrc*nlin)."""
    src = np.zeros(10)
    n = xq.shape[0]
    for k in range(nsrc):
        b = k * ngeo
        src[0] = geo[b]
        src[1] = geo[b + 1]
        src[2] = geo[b + 2]
        src[3] = geo[b + 3]
        src[4] = geo[b + 4]
        src[5] = geo[b + 5]
        src[6] = 0.0 if fixdip else geo[b + 6]
        for m in range(nlin):
            src[7] = 1.0 if m == 0 else 0.0
            src[8] = 1.0 if m == 1 else 0.0
            src[9] = 1.0 if m == 2 else 0.0
            col = k * nlin + m
            for i in range(n):
                e, no, u = _ok._surface_rect_point(xq[i], yq[i], src, a3)
                out[i, col] = e * le[i] + no * ln[i] + u * lu[i]


@njit(cache=True, nogil=True)
def _greens_batch(pop, nsrc, ngeo, fixdip, nlin, xq, yq, le, ln, lu, a3, out):
    for s in range(pop.shape[0]):
        _greens_one(pop[s], nsrc, ngeo, fixdip, nlin, xq, yq, le, ln, lu, a3, out[s])


@njit(cache=True, nogil=True, parallel=True)
def _greens_batch_par(pop, nsrc, ngeo, fixdip, nlin, xq, yq, le, ln, lu, a3, out):
    for s in prange(pop.shape[0]):
        _greens_one(pop[s], nsrc, ngeo, fixdip, nlin, xq, yq, le, ln, lu, a3, out[s])


def forward_mm(x, y, sources, los, *, poisson=0.25, vertical=False, nuisance=(0.0, 0.0, 0.0), origin=(0.0, 0.0)):
    """Model displacement (mm) of centre-convention sources at points.

    ``los`` = (E, N, U) scalars or arrays like ``x``; ``vertical`` uses (0, 0, 1).
    ``nuisance`` = (offset mm, ramp mm/km east, ramp mm/km north) relative to ``origin``.
    """
    if vertical:
        los = (0.0, 0.0, 1.0)
    d = _ok.rectangles_los(x, y, sources, los[0], los[1], los[2], poisson=poisson) * 1000.0
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    return d + nuisance[0] + nuisance[1] * (xa - origin[0]) / 1000.0 + nuisance[2] * (ya - origin[1]) / 1000.0


# =============================================================================
# Quadtree
# =============================================================================
def quadtree(x, y, d, *, threshold: float, min_size: float, max_size: Optional[float] = None,
             min_points: int = 1, los=None):
    """Variance-threshold quadtree of scattered samples (grids are flattened).

    Returns a dict of arrays: ``x, y, d`` (leaf means), ``n`` (samples per
    leaf), ``size`` (cell size, m), ``le, ln, lu`` (mean LOS vector when
    ``los`` is given as three arrays like ``d``), and ``cells`` (x0, y0, size).
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    d = np.asarray(d, dtype=float).ravel()
    ok = np.isfinite(d) & np.isfinite(x) & np.isfinite(y)
    idx0 = np.nonzero(ok)[0]
    if idx0.size == 0:
        raise ValueError("DISPLACEMENT: no valid (non-NaN) samples")
    x0, x1 = x[idx0].min(), x[idx0].max()
    y0, y1 = y[idx0].min(), y[idx0].max()
    size = max(x1 - x0, y1 - y0) * (1.0 + 1e-9) + 1e-6
    max_size = size if max_size is None else max_size
    stack = [(idx0, x0, y0, size)]
    leaves = []
    while stack:
        idx, cx, cy, s = stack.pop()
        if idx.size == 0:
            continue
        v = d[idx]
        split = s > max_size or (idx.size > min_points and s / 2.0 >= min_size and v.var() > threshold)
        if split and s / 2.0 >= min_size * 0.999:
            h = s / 2.0
            right = x[idx] >= cx + h
            top = y[idx] >= cy + h
            for rr, tt, ox, oy in ((False, False, 0, 0), (True, False, h, 0), (False, True, 0, h), (True, True, h, h)):
                sub = idx[(right == rr) & (top == tt)]
                if sub.size:
                    stack.append((sub, cx + ox, cy + oy, h))
        else:
            leaves.append((idx, cx, cy, s))
    out = {k: np.empty(len(leaves)) for k in ("x", "y", "d", "n", "size", "cx", "cy")}
    if los is not None:
        for k in ("le", "ln", "lu"):
            out[k] = np.empty(len(leaves))
        la = [np.broadcast_to(np.asarray(c, dtype=float), np.shape(d)).ravel() if np.ndim(c) else None for c in los]
    for i, (idx, cx, cy, s) in enumerate(leaves):
        out["x"][i] = x[idx].mean()
        out["y"][i] = y[idx].mean()
        out["d"][i] = d[idx].mean()
        out["n"][i] = idx.size
        out["size"][i] = s
        out["cx"][i] = cx
        out["cy"][i] = cy
        if los is not None:
            vec = [float(c) if a is None else a[idx].mean() for c, a in zip(los, la)]
            nrm = math.sqrt(sum(t * t for t in vec)) or 1.0
            out["le"][i], out["ln"][i], out["lu"][i] = (t / nrm for t in vec)
    return out


def _auto_quadtree(x, y, d, *, threshold, min_size, max_samples, los):
    if threshold is not None and threshold > 0:
        return quadtree(x, y, d, threshold=threshold, min_size=min_size, los=los), float(threshold)
    v = np.nanvar(d)
    lo, hi = max(v * 1e-7, 1e-6), max(v, 1e-3)
    best = None
    for _ in range(22):
        mid = math.sqrt(lo * hi)
        qt = quadtree(x, y, d, threshold=mid, min_size=min_size, los=los)
        if qt["d"].size > max_samples:
            lo = mid
        else:
            hi = mid
            best = (qt, mid)
        if hi / lo < 1.15:
            break
    if best is None:
        best = (quadtree(x, y, d, threshold=hi, min_size=min_size, los=los), hi)
    return best


# =============================================================================
# Noise model
# =============================================================================
def fit_semivariogram(x, y, r, *, max_points: int = 2000, n_bins: int = 25, max_dist: Optional[float] = None,
                      seed: int = 0):
    """Fit ``gamma(h) = nugget + sill (1 - exp(-h / range))`` to samples.

    Returns ``(sill, range_m, nugget, (bin_centres, gamma))``; a plane is
    removed from the samples first.
    """
    from scipy.optimize import curve_fit
    x = np.asarray(x, float).ravel()
    y = np.asarray(y, float).ravel()
    r = np.asarray(r, float).ravel()
    ok = np.isfinite(r)
    x, y, r = x[ok], y[ok], r[ok]
    if r.size < 20:
        raise ValueError("NOISE: too few far-field samples to fit a semivariogram")
    A = np.column_stack([np.ones_like(x), x - x.mean(), y - y.mean()])
    r = r - A @ np.linalg.lstsq(A, r, rcond=None)[0]
    rng = np.random.default_rng(seed)
    if r.size > max_points:
        sel = rng.choice(r.size, max_points, replace=False)
        x, y, r = x[sel], y[sel], r[sel]
    i, j = np.triu_indices(r.size, 1)
    h = np.hypot(x[i] - x[j], y[i] - y[j])
    g = 0.5 * (r[i] - r[j]) ** 2
    if max_dist is None:
        max_dist = 0.5 * max(np.ptp(x), np.ptp(y))
    edges = np.linspace(0, max_dist, n_bins + 1)
    which = np.digitize(h, edges) - 1
    cnt = np.bincount(which[which < n_bins], minlength=n_bins)
    gs = np.bincount(which[which < n_bins], weights=g[which < n_bins], minlength=n_bins)
    good = cnt > 10
    hc = 0.5 * (edges[1:] + edges[:-1])[good]
    gm = gs[good] / cnt[good]
    var = float(r.var())

    def model(hh, sill, rng_, nug):
        return nug + sill * (1.0 - np.exp(-hh / rng_))

    try:
        p, _ = curve_fit(model, hc, gm, p0=(0.8 * var, max_dist / 5.0, 0.2 * var),
                         bounds=([1e-9, max_dist / 500.0, 0.0], [10 * var + 1e-9, 5 * max_dist, 10 * var + 1e-9]),
                         sigma=1.0 / np.sqrt(cnt[good]), maxfev=5000)
        sill, rg, nug = (float(v) for v in p)
    except Exception:  # noqa: BLE001 - fall back to a white model
        sill, rg, nug = 1e-6 * var, max_dist / 50.0, var
    return sill, rg, nug, (hc, gm)


def exponential_covariance(x, y, n, sill, range_m, nugget):
    """Covariance (mm^2) of quadtree leaves: ``sill exp(-r/range) + nugget/n`` on the diagonal."""
    h = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    C = sill * np.exp(-h / range_m)
    C[np.diag_indices_from(C)] += nugget / np.maximum(n, 1.0) + 1e-9 * (sill + nugget)
    return C


# =============================================================================
# Resolution: Cramer-Rao bound
# =============================================================================
_CRLB_STEP = {"x": 0.5, "y": 0.5, "depth": 0.5, "length": 0.5, "width": 0.5, "strike": 0.05, "dip": 0.05,
              "opening": 1e-4, "strike_slip": 1e-4, "dip_slip": 1e-4}


def _regular_grid(x, y):
    """(dx, dy) when x, y are 2-D grids with constant spacing (x along columns), else None."""
    if np.ndim(x) != 2 or np.shape(x) != np.shape(y) or min(np.shape(x)) < 4:
        return None
    dx = np.diff(x, axis=1)
    dy = np.diff(y, axis=0)
    if not (np.allclose(dx, dx[0, 0], rtol=1e-6, atol=1e-9) and np.allclose(dy, dy[0, 0], rtol=1e-6, atol=1e-9)
            and np.allclose(np.diff(x, axis=0), 0, atol=1e-9) and np.allclose(np.diff(y, axis=1), 0, atol=1e-9)):
        return None
    return abs(float(dx[0, 0])), abs(float(dy[0, 0]))


def cramer_rao(x, y, sources, los=(0.0, 0.0, 1.0), *, noise_sill: float, noise_range: float, noise_nugget: float,
               vertical: bool = False, free=("x", "y", "depth", "length", "width", "strike", "opening"),
               offset: bool = True, ramp: bool = True, poisson: float = 0.25, max_dense: int = 6000) -> np.ndarray:
    """Cramer-Rao lower bound on the standard deviation of source parameters.

    The smallest standard deviation any unbiased estimator can reach from
    data ``x, y`` with Gaussian noise of covariance
    ``noise_sill * exp(-r / noise_range) + noise_nugget * delta`` (mm^2):
    ``sqrt(diag(inv(J^T C^-1 J)))`` with ``J`` the derivative of the LOS (or
    vertical) displacement (mm) with respect to every free parameter of every
    source plus the nuisance (offset, ramp), by central differences.  On a
    regular grid (2-D ``x``, ``y`` of constant spacing) the covariance is
    taken as circulant and diagonalised by the FFT (exact for periodic
    stationary noise, the boundary wrap-around is neglected otherwise); on
    scattered points (at most ``max_dense``) the dense covariance is used.

    Parameters
    ----------
    x, y : array_like
        Easting and northing (m) of the samples (2-D grids or any shape).
    sources : array (n_sources, 10)
        The sources (centre convention, :data:`PARAM_NAMES` columns).
    los : (E, N, U)
        Unit vector toward the satellite (scalars or arrays like ``x``).
    free : sequence of str
        Names from :data:`PARAM_NAMES` that are estimated (the others known).

    Returns
    -------
    numpy.ndarray (n_sources, 10)
        Bound on the standard deviation (parameter units: m, degrees); NaN
        for parameters not in ``free``.
    """
    src = _ok.validate_sources(sources)
    bad = [f for f in free if f not in PARAM_NAMES]
    if bad or not free:
        raise ValueError(f"FREE: unknown parameter names {bad}; use {', '.join(PARAM_NAMES)}")
    if float(noise_sill) < 0 or float(noise_nugget) < 0 or float(noise_range) <= 0 \
            or float(noise_sill) + float(noise_nugget) <= 0:
        raise ValueError("NOISE: sill and nugget must be >= 0 with a positive sum, range > 0")
    xa = np.asarray(x, dtype=float)
    ya = np.broadcast_to(np.asarray(y, dtype=float), xa.shape)
    if vertical:
        los = (0.0, 0.0, 1.0)
    cols = [PARAM_NAMES.index(f) for f in free]

    def fwd(s_):
        return 1000.0 * _ok.rectangles_los(xa, ya, s_, *los, poisson=poisson)

    J, where = [], []
    for k in range(src.shape[0]):
        for c in cols:
            h = _CRLB_STEP[PARAM_NAMES[c]]
            sp, sm = src.copy(), src.copy()
            sp[k, c] += h
            sm[k, c] -= h
            if PARAM_NAMES[c] in ("length", "width", "depth"):  # stay inside the physical domain
                sm[k, c] = max(sm[k, c], src[k, c] - h)
            J.append((fwd(sp) - fwd(sm)) / (sp[k, c] - sm[k, c]))
            where.append((k, c))
    if offset:
        J.append(np.ones(xa.shape))
    if ramp:
        J.append((xa - xa.mean()) / 1000.0)
        J.append((ya - ya.mean()) / 1000.0)
    J = np.array(J)                                    # (npar, *shape)
    sill, rg, nug = float(noise_sill), float(noise_range), float(noise_nugget)
    grid = _regular_grid(xa, ya)
    if grid is not None:
        ny, nx = xa.shape
        ix = np.minimum(np.arange(nx), nx - np.arange(nx)) * grid[0]
        iy = np.minimum(np.arange(ny), ny - np.arange(ny)) * grid[1]
        c0 = sill * np.exp(-np.hypot(*np.meshgrid(ix, iy)) / rg)
        c0[0, 0] += nug
        lam = np.real(np.fft.fft2(c0))
        lam = np.maximum(lam, 1e-9 * lam.max())
        A = (np.fft.fft2(J, norm="ortho") / np.sqrt(lam)[None]).reshape(J.shape[0], -1)
        F = np.real(A.conj() @ A.T)
    else:
        xf, yf = xa.ravel(), ya.ravel()
        if xf.size > max_dense:
            raise ValueError(f"X/Y: {xf.size} scattered points; at most {max_dense} without a regular grid")
        C = sill * np.exp(-np.hypot(xf[:, None] - xf[None, :], yf[:, None] - yf[None, :]) / rg)
        C[np.diag_indices_from(C)] += nug
        L = np.linalg.cholesky(C)
        Jw = np.linalg.solve(L, J.reshape(J.shape[0], -1).T)
        F = Jw.T @ Jw
    cov = np.linalg.pinv(F, rcond=1e-14, hermitian=True)
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    out = np.full(src.shape, np.nan)
    for i, (k, c) in enumerate(where):
        out[k, c] = sd[i]
    return out


# =============================================================================
# Problem set-up
# =============================================================================
@dataclasses.dataclass
class _Problem:
    """The reduced inverse problem.

    theta = [geometry of every source (ngeo each), then the dislocations of
    every source (nlin each: opening[, strike-slip, dip-slip])]; the nuisance
    (offset, ramp) is always eliminated by generalised least squares.
    """
    xq: np.ndarray
    yq: np.ndarray
    le: np.ndarray
    ln: np.ndarray
    lu: np.ndarray
    d: np.ndarray           # data (mm)
    Linv: np.ndarray        # inverse Cholesky factor of the covariance
    H: np.ndarray           # nuisance design (npts, n_nuis)
    nsrc: int
    ngeo: int
    fixdip: bool
    nlin: int
    a3: float
    lo: np.ndarray          # bounds of theta
    hi: np.ndarray
    periodic: np.ndarray    # period of each theta entry (0 = none)
    sign: int               # opening sign constraint: -1, +1 or 0
    lr: tuple               # length bounds
    wr: tuple               # width bounds

    def __post_init__(self):
        self.dw = self.Linv @ self.d
        self.Hw = self.Linv @ self.H
        if self.H.shape[1]:
            self.Hpinv = np.linalg.pinv(self.Hw)
            self.HtHinv = np.linalg.inv(self.Hw.T @ self.Hw)
        else:
            self.Hpinv = np.zeros((0, self.d.size))
            self.HtHinv = np.zeros((0, 0))

    @property
    def ngeo_total(self):
        return self.nsrc * self.ngeo

    # ---------------------------------------------------------------- forward
    def greens(self, pop_geo, parallel=False):
        """LOS response (mm per m) of unit dislocations: (S, npts, nsrc*nlin)."""
        pop = np.ascontiguousarray(np.atleast_2d(pop_geo), dtype=np.float64)
        G = np.empty((pop.shape[0], self.xq.size, self.nsrc * self.nlin))
        k = _greens_batch_par if (parallel and pop.shape[0] > 1) else _greens_batch
        k(pop, self.nsrc, self.ngeo, self.fixdip, self.nlin, self.xq, self.yq, self.le, self.ln, self.lu,
          self.a3, G)
        return G * 1000.0

    def canonical(self, theta):
        """Wrap periodic entries; for horizontal rectangles use length >= width
        (the rectangle rotated by 90 deg with length and width swapped is the
        same source)."""
        t = np.array(theta, dtype=float)
        if self.fixdip:
            for k in range(self.nsrc):
                b = k * self.ngeo
                swap = t[..., b + 4] > t[..., b + 3]
                if np.any(swap):
                    L_ = np.where(swap, t[..., b + 4], t[..., b + 3])
                    W_ = np.where(swap, t[..., b + 3], t[..., b + 4])
                    t[..., b + 3] = L_
                    t[..., b + 4] = W_
                    t[..., b + 5] = np.where(swap, t[..., b + 5] + 90.0, t[..., b + 5])
        for i in range(t.shape[-1]):
            p = self.periodic[i]
            if p > 0:
                t[..., i] = self.lo[i] + np.mod(t[..., i] - self.lo[i], p)
        return t

    def in_bounds(self, theta):
        ok = (theta >= self.lo) | (self.periodic > 0)
        ok &= (theta <= self.hi) | (self.periodic > 0)
        return bool(np.all(ok))

    def de_cost(self, pop_geo, parallel=False, residual=False, whiten=False):
        """Cost of geometries with the dislocations and nuisance solved by
        least squares under the opening sign constraint: uniformly weighted,
        or with ``whiten`` generalised (the noise covariance) and the residual
        returned whitened."""
        pop_geo = self.canonical_geo(pop_geo)
        G = self.greens(pop_geo, parallel)
        S, n, m = G.shape
        full = np.concatenate([G, np.broadcast_to(self.H, (S,) + self.H.shape)], axis=2)
        target = self.d
        if whiten:
            full = np.matmul(self.Linv, full)
            target = self.dw
        active = np.ones((S, full.shape[2]), dtype=bool)
        for _ in range(self.nsrc + 1):
            F = full * active[:, None, :]
            A = np.einsum("snm,snk->smk", F, F)
            b = np.einsum("snm,n->sm", F, target)
            sc = np.sqrt(np.maximum(np.einsum("smm->sm", A), 1e-30))
            As = A / sc[:, :, None] / sc[:, None, :] + 1e-10 * np.eye(A.shape[1])
            beta = np.linalg.solve(As, (b / sc)[..., None])[..., 0] / sc
            if self.sign == 0:
                break
            op = beta[:, 0:m:self.nlin]
            bad = (op * self.sign) < 0
            if not bad.any():
                break
            cols = np.zeros_like(active)
            cols[:, 0:m:self.nlin] = bad
            active &= ~cols
        r = target[None, :] - np.einsum("snm,sm->sn", F, beta)
        if residual:
            return r, beta
        return np.einsum("sn,sn->s", r, r), beta

    def subset(self, keep):
        """The problem restricted to the sources ``keep`` (indices) and the
        positions of their entries in theta."""
        ng = self.ngeo_total
        idx = np.concatenate([np.arange(k * self.ngeo, (k + 1) * self.ngeo) for k in keep]
                             + [ng + np.arange(k * self.nlin, (k + 1) * self.nlin) for k in keep]).astype(int)
        sub = dataclasses.replace(self, nsrc=len(keep), lo=self.lo[idx], hi=self.hi[idx],
                                  periodic=self.periodic[idx])
        return sub, idx

    def chi2(self, theta):
        """Whitened misfit |L^-1 (d - G(theta))|^2 with the nuisance projected out."""
        r = self.residual_w(theta)
        return float(r @ r)

    def chi2_nuisance_only(self):
        """Whitened misfit of the nuisance alone (no source)."""
        rw = self.dw - self.Hw @ (self.Hpinv @ self.dw) if self.H.shape[1] else self.dw
        return float(rw @ rw)

    def canonical_geo(self, pop_geo):
        t = np.zeros(np.atleast_2d(pop_geo).shape[:-1] + (self.lo.size,))
        t[..., :self.ngeo_total] = pop_geo
        return self.canonical(t)[..., :self.ngeo_total]

    def model(self, theta):
        geo = theta[:self.ngeo_total]
        lin = theta[self.ngeo_total:]
        return self.greens(geo)[0] @ lin

    def residual_w(self, theta):
        """Whitened residual with the nuisance projected out."""
        rw = self.dw - self.Linv @ self.model(theta)
        if self.H.shape[1]:
            rw = rw - self.Hw @ (self.Hpinv @ rw)
        return rw

    def nuisance(self, theta):
        rw = self.dw - self.Linv @ self.model(theta)
        return self.Hpinv @ rw if self.H.shape[1] else np.zeros(0)


# =============================================================================
# Result
# =============================================================================
@dataclasses.dataclass
class FitResult:
    """Everything :func:`fit_sources` found.

    ``sources``, ``std``, ``lo95``, ``hi95``, ``best``: arrays (n_sources, 10)
    with the columns of :data:`PARAM_NAMES` (posterior mean, standard
    deviation, 2.5 and 97.5 percentiles, best fit).  ``nuisance`` /
    ``nuisance_std``: (offset mm, ramp mm/km east, ramp mm/km north).
    ``samples``: (n_kept, n_sources, 10) posterior samples.
    """

    sources: np.ndarray
    std: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray
    best: np.ndarray
    nuisance: np.ndarray
    nuisance_std: np.ndarray
    best_nuisance: np.ndarray
    samples: np.ndarray
    origin: tuple
    n_samples: int                 # quadtree samples used in the fit
    n_values: int                  # valid input values
    quadtree_threshold: float
    quadtree: Dict[str, np.ndarray]
    noise: Dict[str, float]
    semivariogram: tuple
    acceptance: float
    n_iterations: int
    chi2_reduced: float
    timings: Dict[str, float]
    free: List[str]                # free parameters per source
    vertical: bool
    poisson: float
    messages: List[str] = dataclasses.field(default_factory=list)
    support_dchi2: Optional[np.ndarray] = None   # (n_sources,) misfit increase without each source
    support_penalty: float = float("nan")        # BIC penalty of one source's parameters
    supported: Optional[np.ndarray] = None       # (n_sources,) bool: dchi2 > penalty
    peak_mm: Optional[np.ndarray] = None         # (n_sources,) peak |model| of each source at the samples (mm)

    def model_mm(self, x, y, los, *, which="mean"):
        """Model (mm, nuisance included) at points; ``which`` = mean or best."""
        src = self.sources if which == "mean" else self.best
        nuis = self.nuisance if which == "mean" else self.best_nuisance
        return forward_mm(x, y, src, los, poisson=self.poisson, vertical=self.vertical, nuisance=nuis,
                          origin=self.origin)


# =============================================================================
# Main entry point
# =============================================================================
def _check_bounds(name, lo, hi):
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo >= hi:
        raise ValueError(f"{name}: invalid range [{lo}, {hi}]")


def fit_sources(x, y, data_mm, *, los=(0.0, 0.0, 1.0), vertical: bool = False, n_sources: int = 1,
                start_sources=None, depth_range=(20.0, None), length_range=None, width_range=None,
                xy_range=None, opening_sign: str = "negative", max_dislocation: float = 10.0,
                fix_dip_zero: bool = True, free_slip: bool = False, offset: bool = True,
                ramp: bool = True, poisson: float = 0.25, quadtree_threshold: Optional[float] = None,
                max_samples: int = 600, min_cell: Optional[float] = None, noise_sill: Optional[float] = None,
                noise_range: Optional[float] = None, noise_nugget: Optional[float] = None,
                de_popsize: int = 12, de_maxiter: int = 60, reinsert: bool = True, n_iterations: int = 50000,
                burn_in: float = 0.4, seed: int = 0, parallel: bool = True, feedback=None) -> FitResult:
    """Fit ``n_sources`` rectangular dislocations to displacement data.

    Parameters
    ----------
    x, y : array_like
        Easting and northing (m, a local metric frame) of every sample; any
        shape equal to ``data_mm`` (rasters: 2-D grids of pixel centres).
    data_mm : array_like
        LOS displacement (mm, positive toward the satellite) or, with
        ``vertical``, vertical displacement (mm, positive up). NaN = no data.
    los : (E, N, U)
        Unit vector toward the satellite, scalars or arrays like ``data_mm``.
    n_sources : int
        1 to 5 rectangles.
    start_sources : array (n_sources, 10), optional
        Starting rectangles (centre convention); the search starts near them.
    depth_range, length_range, width_range, xy_range : (lo, hi)
        Prior bounds (m).  ``None`` entries take defaults from the data
        extent: depth up to half the extent, length and width from two pixels
        to half the extent, centres within the data extent
        (``xy_range = (xmin, xmax, ymin, ymax)``).
    opening_sign : {"negative", "positive", "any"}
        Sign of the opening: negative = closing seam (default).
    max_dislocation : float
        Largest |opening| / |slip| allowed (m).
    fix_dip_zero : bool
        Horizontal rectangles (coal seams; default).  Otherwise dip is free (0-90).
    free_slip : bool
        Also fit strike-slip and dip-slip (otherwise tensile only).
    offset, ramp : bool
        Fit a constant offset (mm) and a linear ramp (mm/km east and north).
    quadtree_threshold : float, optional
        Variance threshold (mm^2); ``None`` = chosen for ``max_samples`` leaves.
    noise_sill, noise_range, noise_nugget : float, optional
        Exponential covariance (mm^2, m, mm^2); ``None`` = fitted to the far
        field semivariogram.
    de_popsize, de_maxiter : int
        Differential-evolution population factor and generations.
    reinsert : bool
        After the global search, remove each source in turn, refit the
        others, search the removed one again over its whole prior and keep
        the joint refit when the (covariance-weighted) misfit drops.
    n_iterations : int
        Metropolis iterations (burn-in fraction ``burn_in`` included).
    seed : int
        Random seed (the fit is reproducible).
    parallel : bool
        Use the ``prange`` population kernel (never from a thread pool).
    feedback : progress object, optional

    Returns
    -------
    FitResult
    """
    t_start = time.perf_counter()
    fb = ensure(feedback)
    timings = {}
    msgs = []
    # ---------------------------------------------------------- validation
    try:
        n_sources = int(n_sources)
    except (TypeError, ValueError):
        raise ValueError(f"N_SOURCES: expected an integer, got {n_sources!r}") from None
    if not 1 <= n_sources <= 5:
        raise ValueError(f"N_SOURCES: must be between 1 and 5, got {n_sources}")
    d = np.asarray(data_mm, dtype=float)
    if d.size == 0:
        raise ValueError("DISPLACEMENT: no values")
    xa = np.broadcast_to(np.asarray(x, dtype=float), d.shape)
    ya = np.broadcast_to(np.asarray(y, dtype=float), d.shape)
    valid = np.isfinite(d) & np.isfinite(xa) & np.isfinite(ya)
    if not valid.any():
        raise ValueError("DISPLACEMENT: contains no valid (non-NaN) values")
    if valid.sum() < 30:
        raise ValueError(f"DISPLACEMENT: only {int(valid.sum())} valid values; at least 30 are needed")
    if np.std(d[valid]) == 0:
        raise ValueError("DISPLACEMENT: all values are equal; there is nothing to fit")
    sign = {"negative": -1, "positive": 1, "any": 0}.get(str(opening_sign).lower())
    if sign is None:
        raise ValueError(f"OPENING_SIGN: {opening_sign!r} is not one of negative, positive, any")
    omax = float(max_dislocation)
    if not (omax > 0 and math.isfinite(omax)):
        raise ValueError(f"MAX_OPENING: must be > 0, got {max_dislocation!r}")
    if vertical:
        los = (0.0, 0.0, 1.0)
    los = tuple(np.broadcast_to(np.asarray(c, dtype=float), d.shape) if np.ndim(c) else float(c) for c in los)
    alpha = _ok.alpha_from_poisson(poisson)
    rng = np.random.default_rng(seed)

    xv, yv, dv = xa[valid], ya[valid], d[valid]
    ext = max(np.ptp(xv), np.ptp(yv))
    if ext <= 0:
        raise ValueError("DISPLACEMENT: the samples have no spatial extent")
    origin = (float(np.mean(xv)), float(np.mean(yv)))
    pix = math.sqrt(max(np.ptp(xv), 1.0) * max(np.ptp(yv), 1.0) / max(dv.size, 1))
    dmin = 1.0 if depth_range[0] is None else float(depth_range[0])
    dmax = 0.5 * ext if depth_range[1] is None else float(depth_range[1])
    _check_bounds("DEPTH_MIN/DEPTH_MAX", dmin, dmax)
    if dmin < 0:
        raise ValueError(f"DEPTH_MIN: depth is positive down and must be >= 0, got {dmin}")
    lr = (2 * pix, 0.5 * ext) if length_range is None else tuple(float(v) for v in length_range)
    wr = lr if width_range is None else tuple(float(v) for v in width_range)
    _check_bounds("LENGTH_MIN/LENGTH_MAX", *lr)
    _check_bounds("WIDTH range", *wr)
    if lr[0] <= 0 or wr[0] <= 0:
        raise ValueError("LENGTH_MIN: the minimum size must be > 0")
    if xy_range is None:
        xr = (float(xv.min()), float(xv.max()))
        yr = (float(yv.min()), float(yv.max()))
    else:
        xr, yr = (float(xy_range[0]), float(xy_range[1])), (float(xy_range[2]), float(xy_range[3]))

    fixdip = bool(fix_dip_zero)
    ngeo = 6 if fixdip else 7
    nlin = 3 if free_slip else 1
    if fixdip:  # length >= width (canonical form); both from the union of the ranges
        lr_geo = (min(lr[0], wr[0]), max(lr[1], wr[1]))
        wr_geo = lr_geo
    else:
        lr_geo, wr_geo = lr, wr
    glo = [xr[0], yr[0], dmin, lr_geo[0], wr_geo[0], 0.0] + ([] if fixdip else [0.0])
    ghi = [xr[1], yr[1], dmax, lr_geo[1], wr_geo[1], 180.0 if fixdip else 360.0] + ([] if fixdip else [90.0])
    gper = [0, 0, 0, 0, 0, 180.0 if fixdip else 360.0] + ([] if fixdip else [0])
    olo = {-1: -omax, 0: -omax, 1: 0.0}[sign]
    ohi = {-1: 0.0, 0: omax, 1: omax}[sign]
    llo = [olo] + ([-omax, -omax] if free_slip else [])
    lhi = [ohi] + ([omax, omax] if free_slip else [])
    lo = np.array(glo * n_sources + llo * n_sources, dtype=float)
    hi = np.array(ghi * n_sources + lhi * n_sources, dtype=float)
    periodic = np.array(gper * n_sources + [0] * (nlin * n_sources), dtype=float)
    ng = ngeo * n_sources
    free = list(_GEO[:6]) + ([] if fixdip else ["dip"]) + ["opening"] + (["strike_slip", "dip_slip"] if free_slip else [])

    start = None
    if start_sources is not None:
        ss = _ok.validate_sources(start_sources, name="START_SOURCES")
        if ss.shape[0] != n_sources:
            raise ValueError(f"START_SOURCES: {ss.shape[0]} rectangles given but N_SOURCES is {n_sources}")
        start = []
        for row in ss:
            g = list(row[:6])
            if not fixdip:
                g.append(min(max(row[6], 0.0), 90.0))
            start.extend(g)
        start = np.array(start, dtype=float)

    # ------------------------------------------------------------ quadtree
    t0 = time.perf_counter()
    min_cell = 2.0 * pix if min_cell is None else float(min_cell)
    los_arrays = tuple(c[valid] if np.ndim(c) else c for c in los)
    qt, thr = _auto_quadtree(xv, yv, dv, threshold=quadtree_threshold, min_size=min_cell,
                             max_samples=int(max_samples), los=los_arrays)
    nq = qt["d"].size
    if nq < 10:
        raise ValueError(f"QUADTREE_THRESHOLD: the quadtree left only {nq} samples; lower the threshold")
    timings["quadtree"] = time.perf_counter() - t0
    info(fb, f"Quadtree: {nq} samples from {dv.size} values (variance threshold {thr:.4g} mm^2)")
    fb.setProgress(3)

    xq, yq = qt["x"].copy(), qt["y"].copy()
    Hcols = []
    if offset:
        Hcols.append(np.ones(nq))
    if ramp:
        Hcols.append((xq - origin[0]) / 1000.0)
        Hcols.append((yq - origin[1]) / 1000.0)
    H = np.column_stack(Hcols) if Hcols else np.zeros((nq, 0))

    def make_problem(C):
        L = np.linalg.cholesky(C)
        Linv = np.linalg.solve(L, np.eye(nq))
        return _Problem(xq=xq, yq=yq, le=qt["le"].copy(), ln=qt["ln"].copy(), lu=qt["lu"].copy(), d=qt["d"].copy(),
                        Linv=Linv, H=H, nsrc=n_sources, ngeo=ngeo, fixdip=fixdip, nlin=nlin,
                        a3=(1 - alpha) / alpha, lo=lo, hi=hi, periodic=periodic, sign=sign, lr=lr, wr=wr)

    given_noise = noise_sill is not None and noise_range is not None
    if given_noise:
        sill, rg = float(noise_sill), float(noise_range)
        nug = 0.0 if noise_nugget is None else float(noise_nugget)
        if sill < 0 or rg <= 0 or nug < 0:
            raise ValueError("NOISE_SILL/NOISE_RANGE: sill must be >= 0 and range > 0")
        if sill + nug <= 0:
            raise ValueError("NOISE_SILL: the noise variance must be > 0")
        prob = make_problem(exponential_covariance(xq, yq, qt["n"], sill, rg, nug))
    else:
        sill = rg = nug = float("nan")
        # provisional white noise (the global search uses uniform weights)
        v0 = float(np.median(np.abs(np.diff(qt["d"]))) * 1.4826) ** 2 / 2.0 + 1e-6
        prob = make_problem(np.eye(nq) * v0)

    # ------------------------------------------------------- global search
    from scipy.optimize import differential_evolution, least_squares

    t0 = time.perf_counter()
    sub = ScaledFeedback(fb, 3, 40)
    glo_a, ghi_a = lo[:ng], hi[:ng]

    def run_de(problem, init=None, maxiter=de_maxiter, fixed=None, which=None, whiten=False):
        """DE on the geometry entries ``which`` (others fixed to ``fixed``)."""
        bounds = list(zip(problem.lo[which], problem.hi[which]))

        def f(Psub):  # vectorised: Psub (nsub, S)
            P = np.repeat(fixed[None, :], Psub.shape[1], axis=0)
            P[:, which] = Psub.T
            return problem.de_cost(P, parallel=parallel, whiten=whiten)[0]

        def cb(xk, convergence=0.0):
            check_cancel(fb)
            return False

        kw = {"init": "latinhypercube"} if init is None else {"init": init}
        res = differential_evolution(f, bounds, maxiter=maxiter, popsize=max(int(de_popsize), 2), tol=1e-7,
                                     seed=int(rng.integers(2 ** 31)), polish=False, vectorized=True,
                                     updating="deferred", callback=cb, mutation=(0.5, 1.0),
                                     recombination=0.9, **kw)
        out = fixed.copy()
        out[which] = res.x
        return problem.canonical_geo(out)[0], float(res.fun)

    def geo_lsq(problem, g):
        """Local refinement of a geometry (dislocations solved linearly)."""
        def res(p):
            return problem.de_cost(p[None, :], residual=True)[0][0]
        r = least_squares(res, np.clip(g, glo_a[:g.size], ghi_a[:g.size]),
                          bounds=(glo_a[:g.size], ghi_a[:g.size]),
                          x_scale=(ghi_a[:g.size] - glo_a[:g.size]) / 20, max_nfev=30 * g.size)
        return problem.canonical_geo(r.x)[0]

    if start is not None:
        S = max(int(de_popsize) * ng, 30)
        width = 0.05 * (ghi_a - glo_a)
        init = np.clip(start[None, :] + rng.normal(size=(S, ng)) * width, glo_a, ghi_a)
        init[0] = np.clip(start, glo_a, ghi_a)
        geo, _ = run_de(prob, init=init, fixed=init[0].copy(), which=np.arange(ng), maxiter=max(de_maxiter // 2, 20))
        geo = geo_lsq(prob, geo)
    else:
        # joint DE; half of the population starts at the strongest bowls
        peaks = _find_bowls(xv, yv, dv, n_sources, sign=sign)
        S = max(int(de_popsize) * ng, 40)
        init = glo_a + rng.random((S, ng)) * (ghi_a - glo_a)
        for s_ in range(S // 2):
            order = rng.permutation(len(peaks)) if s_ % 2 else np.arange(len(peaks))
            for k in range(n_sources):
                px, py, rh = peaks[order[k % len(peaks)]]
                b = k * ngeo
                init[s_, b] = px + rng.normal() * 0.03 * ext
                init[s_, b + 1] = py + rng.normal() * 0.03 * ext
        init = np.clip(init, glo_a, ghi_a)
        geo, c_de = run_de(prob, init=init, fixed=init[0].copy(), which=np.arange(ng), maxiter=int(de_maxiter))
        sub.setProgress(60)
        # multi-start local refinement from the bowls (sizes from their half-widths)
        cands = [geo]
        for trial in range(4):
            g0 = np.empty(ng)
            for k in range(n_sources):
                px, py, rh = peaks[(k + trial) % len(peaks)] if trial < 2 else peaks[k % len(peaks)]
                b = k * ngeo
                f = (0.7, 1.0, 1.4, 0.5)[trial]
                g0[b:b + 6] = [px + rng.normal() * 0.01 * ext, py + rng.normal() * 0.01 * ext, f * rh,
                               1.2 * f * rh, 0.8 * f * rh, rng.uniform(0, 180)]
                if not fixdip:
                    g0[b + 6] = 10.0
            cands.append(np.clip(g0, glo_a, ghi_a))
        best_c = None
        for i_c, g0 in enumerate(cands):
            check_cancel(fb)
            g1 = geo_lsq(prob, g0)
            c1 = float(prob.de_cost(g1[None, :])[0][0])
            if best_c is None or c1 < best_c:
                best_c, geo = c1, g1
            sub.setProgress(60 + 40 * (i_c + 1) / len(cands))
    sub.setProgress(100)

    def full_theta(problem, g, whiten=False):
        _, beta = problem.de_cost(g[None, :], whiten=whiten)
        th = np.concatenate([g, beta[0, :n_sources * nlin]])
        return np.clip(problem.canonical(th), lo, hi)

    def polish(problem, th):
        plo, phi = problem.lo, problem.hi
        r = least_squares(lambda p: problem.residual_w(problem.canonical(p)), np.clip(th, plo, phi),
                          bounds=(plo, phi), x_scale=np.maximum((phi - plo) / 20, 1e-3), max_nfev=40 * plo.size)
        return problem.canonical(r.x), r

    theta = full_theta(prob, geo)
    theta, lsq = polish(prob, theta)
    timings["global_search"] = time.perf_counter() - t0
    fb.setProgress(42)

    # --------------------------------------------------------- noise model
    t0 = time.perf_counter()
    if not given_noise:
        best_src = _assemble(theta, n_sources, ngeo, nlin, fixdip)
        nu = _nuis3(prob.nuisance(theta), offset, ramp)
        src_only = forward_mm(xv, yv, best_src, los_arrays, poisson=poisson, vertical=vertical)
        res_full = dv - src_only - (nu[0] + nu[1] * (xv - origin[0]) / 1000 + nu[2] * (yv - origin[1]) / 1000)
        peak = np.abs(src_only).max()
        far = np.abs(src_only) < 0.1 * peak
        if far.sum() < 50:
            far = np.abs(src_only) <= np.quantile(np.abs(src_only), 0.5)
            msgs.append("few far-field values: the noise model uses the half of the data with the weakest model")
        sill, rg, nug, vgram = fit_semivariogram(xv[far], yv[far], res_full[far], seed=seed)
        info(fb, f"Noise model: sill {sill:.3g} mm^2, range {rg:.0f} m, nugget {nug:.3g} mm^2 "
                 f"({int(far.sum())} far-field values)")
        prob = make_problem(exponential_covariance(xq, yq, qt["n"], sill, rg, nug))
        theta, lsq = polish(prob, theta)
    else:
        vgram = (np.array([]), np.array([]))
    timings["noise_model"] = time.perf_counter() - t0
    fb.setProgress(44)

    # ------------------------------- remove-and-reinsert sweep, then support
    t0 = time.perf_counter()
    chi_best = prob.chi2(theta)
    without = {}   # k -> (theta, misfit with source k removed and the others refitted from it)
    if n_sources > 1 and reinsert:
        # each source in turn: refit the others without it, search its best
        # place again over the whole prior (whitened DE), refit all jointly;
        # keep the result when the misfit drops (escapes merged-source optima)
        for k in range(n_sources):
            check_cancel(fb)
            keep = [j for j in range(n_sources) if j != k]
            sp, idx = prob.subset(keep)
            th_k, _ = polish(sp, theta[idx])
            without[k] = (theta, sp.chi2(th_k))
            trial = theta.copy()
            trial[idx] = th_k
            which = np.arange(k * ngeo, (k + 1) * ngeo)
            g_new, _ = run_de(prob, fixed=trial[:ng].copy(), which=which, whiten=True,
                              maxiter=max(int(de_maxiter) // 2, 10))
            th_new, lsq_new = polish(prob, full_theta(prob, g_new, whiten=True))
            c_new = prob.chi2(th_new)
            if c_new < chi_best - 1e-6:
                info(fb, f"Source {k + 1} moved by the remove-and-reinsert sweep: misfit {chi_best:.1f} -> {c_new:.1f}")
                theta, lsq, chi_best = th_new, lsq_new, c_new
            fb.setProgress(44 + 3 * (k + 1) / n_sources)
    # support of each source: misfit increase when it is removed and the others
    # are refitted, against the BIC penalty of its parameters (Schwarz 1978)
    npar_src = ngeo + nlin
    penalty = npar_src * math.log(nq)
    dchi2 = np.empty(n_sources)
    for k in range(n_sources):
        keep = [j for j in range(n_sources) if j != k]
        if k in without and without[k][0] is theta:   # refitted in the sweep from this very theta
            chi_k = without[k][1]
        elif keep:
            sp, idx = prob.subset(keep)
            chi_k = sp.chi2(polish(sp, theta[idx])[0])
        else:
            chi_k = prob.chi2_nuisance_only()
        dchi2[k] = max(chi_k - chi_best, 0.0)
    supported = dchi2 > penalty
    G_best = prob.greens(theta[:ng][None, :])[0]
    peak = np.array([np.abs(G_best[:, k * nlin:(k + 1) * nlin] @ theta[ng + k * nlin:ng + (k + 1) * nlin]).max()
                     for k in range(n_sources)])
    for k in np.nonzero(~supported)[0]:
        msg = (f"source {k + 1} is not supported by the data: removing it raises the misfit by only "
               f"{dchi2[k]:.1f} (chi-square), less than the {penalty:.1f} its {npar_src} parameters cost (BIC); "
               f"its peak signal is {peak[k]:.1f} mm. Fit fewer sources or constrain it with bounds.")
        msgs.append(msg)
        info(fb, msg)
    timings["support"] = time.perf_counter() - t0
    fb.setProgress(48)

    # ---------------------------------------------------------------- MCMC
    t0 = time.perf_counter()
    chain, acc = _adaptive_metropolis(prob, theta, lsq, n_iterations=int(n_iterations), burn_in=float(burn_in),
                                      rng=rng, feedback=ScaledFeedback(fb, 48, 97))
    timings["mcmc"] = time.perf_counter() - t0
    nkeep = min(chain.shape[0], 4000)
    sel = np.linspace(0, chain.shape[0] - 1, nkeep).astype(int)
    th_s = chain[sel]
    samples = np.stack([_assemble(t, n_sources, ngeo, nlin, fixdip) for t in th_s])
    # nuisance: conditional mean + Gaussian draw for each kept sample
    nuis_s = np.zeros((nkeep, 3))
    if H.shape[1]:
        Lh = np.linalg.cholesky(prob.HtHinv + 1e-15 * np.eye(H.shape[1]))
        for i, t in enumerate(th_s):
            nuis_s[i] = _nuis3(prob.nuisance(t) + Lh @ rng.standard_normal(H.shape[1]), offset, ramp)
    period = 180.0 if fixdip else 360.0
    mean = samples.mean(axis=0)
    std = samples.std(axis=0, ddof=1)
    lo95 = np.percentile(samples, 2.5, axis=0)
    hi95 = np.percentile(samples, 97.5, axis=0)
    for k in range(n_sources):  # circular statistics for the strike (interval on the mean's branch)
        ang = samples[:, k, 5] * (2 * np.pi / period)
        cm = (math.atan2(np.sin(ang).mean(), np.cos(ang).mean()) * period / (2 * np.pi)) % period
        centred = cm + (samples[:, k, 5] - cm + period / 2) % period - period / 2
        mean[k, 5] = cm
        std[k, 5] = centred.std(ddof=1)
        lo95[k, 5] = np.percentile(centred, 2.5)
        hi95[k, 5] = np.percentile(centred, 97.5)
    best_src = _assemble(theta, n_sources, ngeo, nlin, fixdip)
    best_nuis = _nuis3(prob.nuisance(theta), offset, ramp)
    rw = prob.residual_w(theta)
    dof = max(nq - lo.size - H.shape[1], 1)
    chi2 = float(rw @ rw) / dof
    timings["total"] = time.perf_counter() - t_start
    fb.setProgress(100)
    info(fb, f"MCMC: {int(n_iterations)} iterations, acceptance {acc:.2f}; reduced chi^2 {chi2:.2f}")
    return FitResult(sources=mean, std=std, lo95=lo95, hi95=hi95, best=best_src,
                     nuisance=nuis_s.mean(axis=0), nuisance_std=nuis_s.std(axis=0, ddof=1) if nkeep > 1 else np.zeros(3),
                     best_nuisance=best_nuis, samples=samples, origin=origin, n_samples=nq, n_values=int(dv.size),
                     quadtree_threshold=thr, quadtree=qt,
                     noise={"sill": sill, "range": rg, "nugget": nug}, semivariogram=vgram,
                     acceptance=acc, n_iterations=int(n_iterations), chi2_reduced=chi2, timings=timings,
                     free=free, vertical=bool(vertical), poisson=float(poisson), messages=msgs,
                     support_dchi2=dchi2, support_penalty=float(penalty), supported=supported, peak_mm=peak)


def _find_bowls(x, y, d, n, *, sign):
    """Centres of the ``n`` strongest separated extrema of the smoothed data
    (minima for closing seams), used to seed the global search."""
    from scipy.ndimage import gaussian_filter
    nb = 64
    x0, x1, y0, y1 = x.min(), x.max(), y.min(), y.max()
    ix = np.clip(((x - x0) / max(x1 - x0, 1e-9) * nb).astype(int), 0, nb - 1)
    iy = np.clip(((y - y0) / max(y1 - y0, 1e-9) * nb).astype(int), 0, nb - 1)
    s = np.zeros((nb, nb))
    c = np.zeros((nb, nb))
    np.add.at(s, (iy, ix), d - np.median(d))
    np.add.at(c, (iy, ix), 1.0)
    sm = gaussian_filter(s, 1.5) / np.maximum(gaussian_filter(c, 1.5), 1e-9)
    sm[gaussian_filter(c, 1.5) < 1e-6] = 0.0
    v = -sm if sign <= 0 else sm
    if sign == 0:
        v = np.abs(sm)
    out = []
    sep = max(3, nb // 16)
    cell = 0.5 * ((x1 - x0) + (y1 - y0)) / nb
    vv = v.copy()
    for _ in range(n):
        j = int(np.argmax(vv))
        r, q = divmod(j, nb)
        peak = v[r, q]
        # half-width: mean distance to the cells above half of the peak, connected or not
        rr, qq = np.nonzero(v > 0.5 * peak)
        dist = np.hypot(rr - r, qq - q)
        near = dist[dist < nb / 4]
        rh = max(cell * (np.sqrt(near.size / np.pi) if near.size else 2.0), 2 * cell)
        out.append((x0 + (q + 0.5) / nb * (x1 - x0), y0 + (r + 0.5) / nb * (y1 - y0), rh))
        vv[max(0, r - sep):r + sep + 1, max(0, q - sep):q + sep + 1] = -np.inf
    return out


def _assemble(theta, nsrc, ngeo, nlin, fixdip):
    out = np.zeros((nsrc, 10))
    ng = nsrc * ngeo
    for k in range(nsrc):
        g = theta[k * ngeo:(k + 1) * ngeo]
        out[k, :6] = g[:6]
        out[k, 6] = 0.0 if fixdip else g[6]
        out[k, 7] = theta[ng + k * nlin]
        if nlin == 3:
            out[k, 8] = theta[ng + k * nlin + 1]
            out[k, 9] = theta[ng + k * nlin + 2]
    return out


def _nuis3(beta, offset, ramp):
    rest = list(beta)
    out = np.zeros(3)
    if offset:
        out[0] = rest.pop(0)
    if ramp:
        out[1] = rest.pop(0)
        out[2] = rest.pop(0)
    return out


def _adaptive_metropolis(prob, start, lsq, *, n_iterations, burn_in, rng, feedback):
    """Adaptive Metropolis-within-Gibbs over the sources (Haario et al. 2001;
    step tuning as GBIS).

    log posterior = -0.5 |P L^-1 (d - G(theta))|^2 with flat priors inside the
    bounds and the nuisance integrated out (P projects it away).  The chain
    moves in u-space where depth, length, width and a sign-constrained
    opening are replaced by their logarithms (the depth-size-opening trade-off
    becomes nearly linear there); the log-Jacobian keeps the priors uniform
    in the original parameters.

    Each iteration proposes a move of one source's block (its geometry and
    dislocation; blocks in turn) from a Gaussian whose covariance starts as
    the conditional covariance of the Gauss-Newton (Laplace) approximation
    at the optimum, is re-estimated from the block's history and scaled
    toward an acceptance of ~0.3 during burn-in, then frozen.  Blocks keep a
    source that the data barely constrain (near a bound, bimodal) from
    shrinking the steps of the well-resolved ones, and a move needs the
    Green's functions of one source only (the others' contributions are
    cached), so an iteration costs 1/n_sources of a joint move.
    """
    d = start.size
    nsrc, ngeo, nlin = prob.nsrc, prob.ngeo, prob.nlin
    ng = prob.ngeo_total
    n_burn = int(n_iterations * burn_in)
    sgn = np.zeros(d)
    for k in range(nsrc):
        b = k * ngeo
        sgn[b + 2:b + 5] = 1.0
        if prob.sign != 0:
            sgn[ng + k * nlin] = prob.sign
    logi = sgn != 0

    def to_u(t):
        u = np.array(t, dtype=float)
        u[logi] = np.log(np.maximum(sgn[logi] * u[logi], 1e-12))
        return u

    def to_t(u):
        t = np.array(u, dtype=float)
        t[logi] = sgn[logi] * np.exp(np.minimum(u[logi], 700.0))
        return t

    def log_jac(t):
        return float(np.sum(np.log(np.abs(t[logi]) + 1e-300)))

    blocks = [np.r_[k * ngeo:(k + 1) * ngeo, ng + k * nlin:ng + (k + 1) * nlin].astype(int) for k in range(nsrc)]
    singles = [prob.subset([k])[0] for k in range(nsrc)]

    def contribution(k, t):
        b = blocks[k]
        g = singles[k].greens(t[b[:ngeo]][None, :])[0]
        return prob.Linv @ (g @ t[b[ngeo:]])

    def log_like(wsum):
        rw = prob.dw - wsum
        if prob.H.shape[1]:
            rw = rw - prob.Hw @ (prob.Hpinv @ rw)
        return -0.5 * float(rw @ rw)

    span = prob.hi - prob.lo
    cur = start.copy()
    # keep the start strictly inside for the log transform
    cur[logi] = sgn[logi] * np.maximum(np.abs(cur[logi]), 1e-6 * np.maximum(np.abs(span[logi]), 1.0))
    jac_scale = np.where(logi, np.abs(cur), 1.0)
    J = lsq.jac * jac_scale[None, :]
    uspan = np.where(logi, 2.0, span)
    Prec = J.T @ J + np.diag((uspan * 1e-6) ** -2)
    Prec = Prec + 1e-6 * np.diag(np.diag(Prec))
    chols, covs, scales = [], [], []
    for b in blocks:
        try:
            cb = np.linalg.inv(Prec[np.ix_(b, b)])
            cb = 0.5 * (cb + cb.T)
            np.linalg.cholesky(cb)
        except np.linalg.LinAlgError:
            cb = np.diag((uspan[b] / 200.0) ** 2)
        sd = np.sqrt(np.diag(cb))
        fac = np.minimum(1.0, (uspan[b] / 10.0) / np.maximum(sd, 1e-30))
        cb = cb * fac[:, None] * fac[None, :]
        covs.append(cb)
        scales.append(2.38 ** 2 / b.size)
        chols.append(np.linalg.cholesky(scales[-1] * cb + 1e-14 * np.eye(b.size)))
    ucur = to_u(cur)
    contrib = [contribution(k, cur) for k in range(nsrc)]
    wsum = np.sum(contrib, axis=0)
    ll = log_like(wsum)
    lj = log_jac(cur)
    chain = np.empty((n_iterations - n_burn, d))
    hist = [[] for _ in range(nsrc)]
    n_prop = np.zeros(nsrc, dtype=int)
    acc_win = np.zeros(nsrc, dtype=int)
    n_acc = 0
    win = 50
    for it in range(n_iterations):
        k = it % nsrc
        b = blocks[k]
        uprop = ucur.copy()
        uprop[b] += chols[k] @ rng.standard_normal(b.size)
        prop = prob.canonical(to_t(uprop))
        if prob.in_bounds(prop):
            ck = contribution(k, prop)
            w_new = wsum - contrib[k] + ck
            llp = log_like(w_new)
            ljp = log_jac(prop)
            if math.log(rng.random() + 1e-300) < (llp + ljp) - (ll + lj):
                cur, ll, lj = prop, llp, ljp
                ucur = to_u(cur)
                contrib[k] = ck
                wsum = w_new
                acc_win[k] += 1
                if it >= n_burn:
                    n_acc += 1
        n_prop[k] += 1
        if it < n_burn:
            hist[k].append(ucur[b].copy())
        else:
            chain[it - n_burn] = cur
        if it < n_burn and n_prop[k] % win == 0:
            rate = acc_win[k] / win
            acc_win[k] = 0
            scales[k] *= math.exp(2.0 * (rate - 0.3))
            if n_prop[k] >= 500 and n_prop[k] % 250 == 0:
                h = np.array(hist[k][-3000:])
                per = prob.periodic[b]
                for i in range(b.size):  # unwrap periodic entries around the current value
                    if per[i] > 0:
                        h[:, i] = ucur[b[i]] + (h[:, i] - ucur[b[i]] + per[i] / 2) % per[i] - per[i] / 2
                emp = np.cov(h.T)
                if np.all(np.isfinite(emp)) and np.all(np.diag(emp) > 0):
                    covs[k] = 0.5 * (emp + emp.T) + np.diag(np.diag(emp) * 1e-6)
                    scales[k] = 2.38 ** 2 / b.size
            try:
                chols[k] = np.linalg.cholesky(scales[k] * covs[k] + 1e-14 * np.eye(b.size))
            except np.linalg.LinAlgError:
                pass
        if (it + 1) % 500 == 0:
            check_cancel(feedback)
            feedback.setProgress(100.0 * (it + 1) / n_iterations)
    acc = n_acc / max(n_iterations - n_burn, 1)
    return chain, acc


# =============================================================================
# Helpers for the Processing layer: metric frame, source tables, report
# =============================================================================
class MetricFrame:
    """Local metric frame (m) of a CRS: the CRS itself when projected (scaled
    to metres), otherwise an azimuthal equidistant projection at ``centre``."""

    def __init__(self, crs_wkt: str, centre_xy):
        from pyproj import CRS, Transformer
        self.identity = False
        self.scale = 1.0
        crs = CRS.from_wkt(crs_wkt) if crs_wkt else None
        if crs is None:
            self.identity = True
            return
        if crs.is_projected:
            self.identity = True
            try:
                self.scale = float(crs.axis_info[0].unit_conversion_factor)
            except (IndexError, AttributeError):
                self.scale = 1.0
            return
        lon, lat = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True).transform(*centre_xy)
        local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +x_0=0 +y_0=0 +ellps=WGS84 +units=m")
        self._fwd = Transformer.from_crs(crs, local, always_xy=True)
        self._inv = Transformer.from_crs(local, crs, always_xy=True)

    def to_metric(self, x, y):
        if self.identity:
            return np.asarray(x, float) * self.scale, np.asarray(y, float) * self.scale
        return self._fwd.transform(np.asarray(x, float), np.asarray(y, float))

    def from_metric(self, x, y):
        if self.identity:
            return np.asarray(x, float) / self.scale, np.asarray(y, float) / self.scale
        return self._inv.transform(np.asarray(x, float), np.asarray(y, float))


def rectangle_corners(src):
    """Surface projection (4 corners, metric frame) of a centre-convention source."""
    xc, yc, _, L, W, strike, dip = src[:7]
    phi = math.radians(strike)
    s = np.array([math.sin(phi), math.cos(phi)])
    t = np.array([-math.cos(phi), math.sin(phi)])
    hw = 0.5 * W * abs(math.cos(math.radians(dip)))
    c = np.array([xc, yc])
    return np.array([c - 0.5 * L * s - hw * t, c + 0.5 * L * s - hw * t, c + 0.5 * L * s + hw * t,
                     c - 0.5 * L * s + hw * t])


def rectangle_from_corners(xy):
    """(x, y, length, width, strike) of the oriented minimum rectangle of a ring."""
    p = np.asarray(xy, float)
    if p.shape[0] < 3:
        raise ValueError("START_SOURCES: a polygon needs at least 3 vertices")
    best = None
    for i in range(p.shape[0]):
        e = p[(i + 1) % p.shape[0]] - p[i]
        n = math.hypot(*e)
        if n == 0:
            continue
        u = e / n
        v = np.array([-u[1], u[0]])
        a, b = p @ u, p @ v
        area = np.ptp(a) * np.ptp(b)
        if best is None or area < best[0]:
            ca, cb = 0.5 * (a.max() + a.min()), 0.5 * (b.max() + b.min())
            c = ca * u + cb * v
            la, lb = np.ptp(a), np.ptp(b)
            if la >= lb:
                strike = math.degrees(math.atan2(u[0], u[1])) % 180.0
                best = (area, c[0], c[1], la, lb, strike)
            else:
                strike = math.degrees(math.atan2(v[0], v[1])) % 180.0
                best = (area, c[0], c[1], lb, la, strike)
    if best is None or best[3] <= 0 or best[4] <= 0:
        raise ValueError("START_SOURCES: a polygon has zero size")
    return best[1:]


def profile_through(sources, x, y, values_list, *, step=None, max_dist=None):
    """Sample ``values_list`` (arrays like ``x``) along the line through the
    source centres (one source: along its strike): mean of the samples within
    ``max_dist`` of the line in bins of ``step``.  Returns (distance,
    [values...], (start, end))."""
    xs = np.asarray(x, float).ravel()
    ys = np.asarray(y, float).ravel()
    c = np.asarray(sources)[:, :2]
    if c.shape[0] >= 2:
        cm = c.mean(axis=0)
        _, _, vt = np.linalg.svd(c - cm)
        u = vt[0]
    else:
        cm = c[0]
        phi = math.radians(sources[0][5])
        u = np.array([math.sin(phi), math.cos(phi)])
    a = (xs - cm[0]) * u[0] + (ys - cm[1]) * u[1]
    b = -(xs - cm[0]) * u[1] + (ys - cm[1]) * u[0]
    if step is None:
        step = math.sqrt(max(np.ptp(xs), 1) * max(np.ptp(ys), 1) / max(xs.size, 1))
    max_dist = step if max_dist is None else max_dist
    near = np.abs(b) <= max_dist
    if not near.any():
        return np.array([]), [np.array([]) for _ in values_list], (cm, cm)
    bins = np.round(a[near] / step).astype(int)
    order = np.argsort(bins, kind="stable")
    ub, first = np.unique(bins[order], return_index=True)
    dist = ub * step
    outs = []
    for v in values_list:
        vv = np.asarray(v, float).ravel()[near][order]
        sums = np.add.reduceat(np.nan_to_num(vv), first)
        cnt = np.add.reduceat(np.isfinite(vv).astype(float), first)
        with np.errstate(invalid="ignore", divide="ignore"):
            outs.append(np.where(cnt > 0, sums / np.maximum(cnt, 1), np.nan))
    d0 = dist - dist.min()
    return d0, outs, (cm + dist.min() * u, cm + dist.max() * u)


def residual_stats(res):
    """Mean, standard deviation, 2.5/97.5 percentiles, RMS and share within +-50 of residuals."""
    r = np.asarray(res, float)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return {"mean": float("nan"), "std": float("nan"), "p2_5": float("nan"), "p97_5": float("nan"),
                "within_50": float("nan"), "rms": float("nan"), "n": 0}
    return {"mean": float(r.mean()), "std": float(r.std(ddof=1)) if r.size > 1 else 0.0,
            "p2_5": float(np.percentile(r, 2.5)), "p97_5": float(np.percentile(r, 97.5)),
            "within_50": float(np.mean(np.abs(r) <= 50.0)), "rms": float(np.sqrt(np.mean(r ** 2))), "n": int(r.size)}


def _png(fig) -> str:
    from .leveling import png_base64
    return "data:image/png;base64," + png_base64(fig, dpi=90)


def write_report(path, result: FitResult, *, obs, model, residual, x, y, units="mm", title=None,
                 extra: Optional[Dict[str, str]] = None, tr=lambda s: s) -> str:
    """HTML report: run summary, parameter table, residual histogram, profile
    through the sources, quadtree map, posterior marginals, semivariogram
    (matplotlib PNGs embedded as base64).  Written atomically.  ``tr``
    translates the English text (the Processing algorithm passes its ``tr``,
    so the report follows the QGIS language); default English."""
    import html
    import os

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .leveling import cjk_font_context

    title = tr("Okada source fit") if title is None else title
    rs = residual_stats(residual)
    n = result.sources.shape[0]
    names = list(PARAM_NAMES)
    unit = {"strike": "°", "dip": "°"}
    shown = [j for j, nm in enumerate(names) if nm in result.free or nm in ("x", "y", "depth", "length", "width",
                                                                             "strike", "opening")]
    rows = []
    for k in range(n):
        for j in shown:
            nm = names[j]
            rows.append(f"<tr><td>{k + 1}</td><td>{nm}</td><td>{unit.get(nm, 'm')}</td>"
                        f"<td>{result.sources[k, j]:.4g}</td><td>{result.std[k, j]:.3g}</td>"
                        f"<td>{result.lo95[k, j]:.4g}</td><td>{result.hi95[k, j]:.4g}</td>"
                        f"<td>{result.best[k, j]:.4g}</td></tr>")
    for i, (nm, u) in enumerate(((tr("offset"), units), (tr("ramp east"), units + "/km"),
                                 (tr("ramp north"), units + "/km"))):
        rows.append(f"<tr><td>-</td><td>{html.escape(nm)}</td><td>{u}</td><td>{result.nuisance[i]:.4g}</td>"
                    f"<td>{result.nuisance_std[i]:.3g}</td><td></td><td></td><td>{result.best_nuisance[i]:.4g}</td></tr>")
    label = {
        "residual": tr("residual ({})").format(units),
        "count": tr("count"),
        "hist_title": tr("mean {:.2f}, std {:.2f}, 95 % in [{:.1f}, {:.1f}] {}").format(
            rs["mean"], rs["std"], rs["p2_5"], rs["p97_5"], units),
        "observed": tr("observed"),
        "model": tr("model"),
        "profile_axis": tr("distance along the profile through the sources (m)"),
        "quadtree_title": tr("{} quadtree samples").format(result.n_samples),
        "source": tr("source {}"),
        "distance": tr("distance (m)"),
        "semivariance": tr("semivariance ({}²)").format(units),
    }
    imgs = []
    r = np.asarray(residual, float)
    r = r[np.isfinite(r)]
    with cjk_font_context(*label.values()):
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.hist(r, bins=60, color="#4a7fb5")
        for v, ls in ((rs["mean"], "-"), (rs["p2_5"], "--"), (rs["p97_5"], "--")):
            ax.axvline(v, color="k", ls=ls, lw=1)
        ax.set_xlabel(label["residual"])
        ax.set_ylabel(label["count"])
        ax.set_title(label["hist_title"])
        imgs.append((tr("Residual histogram"), _png(fig)))
        dist, (po, pm), _ = profile_through(result.sources, x, y, [obs, model])
        fig, ax = plt.subplots(figsize=(7, 3.5))
        if dist.size:
            ax.plot(dist, po, ".", ms=3, color="0.4", label=label["observed"])
            ax.plot(dist, pm, "-", color="r", label=label["model"])
            ax.legend()
        ax.set_xlabel(label["profile_axis"])
        ax.set_ylabel(units)
        imgs.append((tr("Observed and modelled profile through the sources"), _png(fig)))
        q = result.quadtree
        fig, ax = plt.subplots(figsize=(5, 4.5))
        scm = ax.scatter(q["x"], q["y"], c=q["d"], s=8, cmap="RdBu_r")
        for k in range(n):
            c = rectangle_corners(result.sources[k])
            c = np.vstack([c, c[:1]])
            ax.plot(c[:, 0], c[:, 1], "k-")
        ax.set_aspect("equal")
        fig.colorbar(scm, ax=ax, label=units)
        ax.set_title(label["quadtree_title"])
        imgs.append((tr("Quadtree samples and fitted rectangles (local metric frame)"), _png(fig)))
        cols = [j for j, nm in enumerate(names) if nm in result.free]
        fig, axs = plt.subplots(n, len(cols), figsize=(2.0 * len(cols), 1.7 * n), squeeze=False)
        for k in range(n):
            for ci, j in enumerate(cols):
                a = axs[k, ci]
                a.hist(result.samples[:, k, j], bins=30, color="#7a9a5a")
                a.axvline(result.sources[k, j], color="k", lw=1)
                a.tick_params(labelsize=6)
                if k == 0:
                    a.set_title(names[j], fontsize=8)
                if ci == 0:
                    a.set_ylabel(label["source"].format(k + 1), fontsize=8)
        fig.tight_layout()
        imgs.append((tr("Posterior marginals"), _png(fig)))
        hc, gm = result.semivariogram
        if len(hc):
            fig, ax = plt.subplots(figsize=(5, 3))
            ax.plot(hc, gm, "o", ms=3)
            hh = np.linspace(0, hc.max(), 100)
            nz = result.noise
            ax.plot(hh, nz["nugget"] + nz["sill"] * (1 - np.exp(-hh / nz["range"])), "r-")
            ax.set_xlabel(label["distance"])
            ax.set_ylabel(label["semivariance"])
            imgs.append((tr("Far-field semivariogram and exponential model"), _png(fig)))
    steps = {"quadtree": tr("quadtree"), "global_search": tr("global search"), "noise_model": tr("noise model"),
             "support": tr("support test"), "mcmc": "MCMC", "total": tr("total")}
    meta = {
        tr("Input values"): str(result.n_values),
        tr("Quadtree samples"): tr("{} (variance threshold {:.4g} {}²)").format(
            result.n_samples, result.quadtree_threshold, units),
        tr("Noise model"): tr("sill {:.4g} {}², range {:.4g} m, nugget {:.4g} {}²").format(
            result.noise["sill"], units, result.noise["range"], result.noise["nugget"], units),
        tr("MCMC iterations"): tr("{} (acceptance {:.2f})").format(result.n_iterations, result.acceptance),
        tr("Reduced chi-square"): f"{result.chi2_reduced:.3f}",
        tr("Residual"): tr("mean {:.2f} {}, std {:.2f} {}, 95 % between {:.2f} and {:.2f} {}, {:.1f} % within "
                           "±50 {}").format(rs["mean"], units, rs["std"], units, rs["p2_5"], rs["p97_5"], units,
                                            100 * rs["within_50"], units),
        tr("Run time"): ", ".join(tr("{} {:.1f} s").format(steps.get(k, k), v) for k, v in result.timings.items()),
    }
    meta.update(extra or {})
    doc = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
           "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
           "td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}</style></head><body>",
           f"<h1>{html.escape(title)}</h1><table>"]
    for k, v in meta.items():
        doc.append(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                   f"<td style='text-align:left'>{html.escape(v)}</td></tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in (tr("source"), tr("parameter"), tr("unit"), tr("mean"),
                                                            tr("std"), "2.5 %", "97.5 %", tr("best")))
    doc.append("</table><h2>" + html.escape(tr("Parameters (posterior mean, standard deviation, 95 % interval, "
                                               "best fit)"))
               + f"</h2><table><tr>{head}</tr>")
    doc.extend(rows)
    doc.append("</table>")
    if result.supported is not None:
        doc.append("<h2>" + html.escape(tr("Support of each source (chi-square increase when it is removed, "
                                           "against the BIC penalty of its parameters)")) + "</h2>"
                   f"<table><tr><th>{html.escape(tr('source'))}</th><th>&Delta;&chi;&sup2;</th>"
                   f"<th>{html.escape(tr('BIC penalty'))}</th><th>{html.escape(tr('peak ({})').format(units))}</th>"
                   f"<th>{html.escape(tr('supported'))}</th></tr>")
        yes, no = tr("yes"), tr("NO")
        for k in range(n):
            doc.append(f"<tr><td>{k + 1}</td><td>{result.support_dchi2[k]:.1f}</td>"
                       f"<td>{result.support_penalty:.1f}</td><td>{result.peak_mm[k]:.1f}</td>"
                       f"<td>{html.escape(yes if result.supported[k] else no)}</td></tr>")
        doc.append("</table>")
    for cap, src in imgs:
        doc.append(f"<h2>{html.escape(cap)}</h2><img src='{src}'/>")
    doc.append("<p>" + html.escape(tr(
        "Okada (1992) rectangular dislocations; quadtree, exponential noise covariance and Metropolis MCMC after "
        "Bagnardi & Hooper (2018, GBIS). x east, y north, depth positive down, strike clockwise from north, "
        "opening negative for a closing seam.")) + "</p></body></html>")
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    tmp = str(path) + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("\n".join(doc))
    os.replace(tmp, path)
    return str(path)
