"""Phase unwrapping by minimum-cost flow (the ``unwrap`` stage).

Two networks, one solver (:mod:`.mcf`, exact integer min-cost flow in numba):

* **grid** — Costantini (1998): the residues of the wrapped phase on every
  2 x 2 loop of pixels are the supplies of the dual grid (one node per loop
  plus an *earth* node reached through the image border); each pixel edge is
  a dual edge whose integer flow is the number of cycles added to the wrapped
  gradient across it.
* **delaunay** — Costantini & Rosen (1999): the same on the Delaunay
  triangulation of the pixels above the coherence threshold (or of any points,
  :func:`unwrap_sparse`): residues on triangles, flow on the dual of the
  triangulation, so decorrelated areas (water, vegetation, a bowl's core) are
  bridged by long edges instead of being unwrapped through.

Cost model (both networks).  For an edge with wrapped gradient ``d`` (rad)
between pixels of phase variance ``s1``, ``s2`` (Cramér–Rao bound of a
``L``-look phase, ``(1-γ²)/(2Lγ²)``) the Gaussian log-likelihood of adding
``±2π`` to ``d`` increases by ``2π(π ± d)/s²`` with ``s² = s1 + s2 + s0``
(``s0`` = 0.05 rad² allowance for the signal's own gradient).  The two unit
costs of an edge are that quantity scaled and rounded to integers
(``round(COST_SCALE·(π ± d)/(π·s²))`` clipped to [1, 30000]); an edge touching a
masked pixel costs 0 (branch cuts go through masked areas first).  Long
Delaunay edges add ``(EDGE_SIGMA·length)²`` to ``s²``.

The unwrapped phase is ``wrapped + 2π·k`` with integer ``k`` from integrating
the corrected gradients (breadth-first), so the output is congruent with the
input at every pixel by construction.  Referencing subtracts the reference
pixel's *integer* cycle count (see :func:`unwrap_stack`).
"""
from __future__ import annotations

import dataclasses
import math
import os
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import stackio
from ._numba import njit
from .blocks import Block, default_workers, run_blocks
from .mcf import _mcf_kernel
from .progress import check_cancel, ensure, info, warn
from .validate import check_array, check_choice, check_range

TWO_PI = 2.0 * math.pi
COST_SCALE = 30.0         # integer cost of one cycle across an edge = round(COST_SCALE*(pi±d)/(pi*s²))
SIGNAL_VAR = 0.05         # rad², s0 above
EDGE_SIGMA = 0.05         # rad per pixel of Delaunay edge length
PHASE_TOL = 1e-3          # tolerance on |wrapped| <= pi
METHODS = ("grid", "delaunay")
#: bytes per pixel of one interferogram held while unwrapping (inputs, network, solver)
BYTES_PER_PIXEL = {"grid": 260, "delaunay": 520}


# --------------------------------------------------------------------------- kernels
@njit(cache=True, nogil=True)
def _wrap(x):
    return x - TWO_PI * np.floor((x + math.pi) / TWO_PI)


@njit(cache=True, nogil=True)
def _edge_costs(d, s2, scale):
    cp = int(round(scale * (math.pi + d) / (math.pi * s2)))
    cn = int(round(scale * (math.pi - d) / (math.pi * s2)))
    cp = min(max(cp, 1), 30000)
    cn = min(max(cn, 1), 30000)
    return cp, cn


@njit(cache=True, nogil=True)
def _grid_network(psi, mask, s2pix, scale, s0):
    R, C = psi.shape
    nl = (R - 1) * (C - 1)
    earth = nl
    mh = R * (C - 1)
    m = mh + (R - 1) * C
    A = np.empty(m, np.int32)
    B = np.empty(m, np.int32)
    cp = np.zeros(m, np.int32)
    cn = np.zeros(m, np.int32)
    supply = np.zeros(nl + 1, np.int64)
    for r in range(R):
        for c in range(C - 1):
            e = r * (C - 1) + c
            A[e] = (r - 1) * (C - 1) + c if r > 0 else earth
            B[e] = r * (C - 1) + c if r < R - 1 else earth
            if mask[r, c] and mask[r, c + 1]:
                d = _wrap(psi[r, c + 1] - psi[r, c])
                a, b = _edge_costs(d, s2pix[r, c] + s2pix[r, c + 1] + s0, scale)
                cp[e] = a
                cn[e] = b
    for r in range(R - 1):
        for c in range(C):
            e = mh + r * C + c
            A[e] = r * (C - 1) + c if c < C - 1 else earth
            B[e] = r * (C - 1) + c - 1 if c > 0 else earth
            if mask[r, c] and mask[r + 1, c]:
                d = _wrap(psi[r + 1, c] - psi[r, c])
                a, b = _edge_costs(d, s2pix[r, c] + s2pix[r + 1, c] + s0, scale)
                cp[e] = a
                cn[e] = b
    total = 0
    for r in range(R - 1):
        for c in range(C - 1):
            s = (_wrap(psi[r, c + 1] - psi[r, c]) + _wrap(psi[r + 1, c + 1] - psi[r, c + 1])
                 - _wrap(psi[r + 1, c + 1] - psi[r + 1, c]) - _wrap(psi[r + 1, c] - psi[r, c]))
            q = int(round(s / TWO_PI))
            supply[r * (C - 1) + c] = q
            total += q
    supply[earth] = -total
    return A, B, cp, cn, supply


@njit(cache=True, nogil=True)
def _grid_integrate(psi, flow, seed_r, seed_c):
    R, C = psi.shape
    mh = R * (C - 1)
    k = np.zeros((R, C), np.int64)
    seen = np.zeros((R, C), np.uint8)
    qr = np.empty(R * C, np.int64)
    qc = np.empty(R * C, np.int64)
    head = 0
    tail = 1
    qr[0] = seed_r
    qc[0] = seed_c
    seen[seed_r, seed_c] = 1
    while head < tail:
        r = qr[head]
        c = qc[head]
        head += 1
        for nb in range(4):
            # edge e goes from pixel (r0, c0) to (r1, c1) (right or down)
            if nb == 0:
                if c + 1 >= C:
                    continue
                rr, cc = r, c + 1
                e = r * (C - 1) + c
                r0, c0, r1, c1 = r, c, rr, cc
            elif nb == 1:
                if c == 0:
                    continue
                rr, cc = r, c - 1
                e = r * (C - 1) + c - 1
                r0, c0, r1, c1 = rr, cc, r, c
            elif nb == 2:
                if r + 1 >= R:
                    continue
                rr, cc = r + 1, c
                e = mh + r * C + c
                r0, c0, r1, c1 = r, c, rr, cc
            else:
                if r == 0:
                    continue
                rr, cc = r - 1, c
                e = mh + (r - 1) * C + c
                r0, c0, r1, c1 = rr, cc, r, c
            if seen[rr, cc]:
                continue
            raw = psi[r1, c1] - psi[r0, c0]
            me = int(round((_wrap(raw) - raw) / TWO_PI))
            if r0 == r and c0 == c:
                k[rr, cc] = k[r, c] + me + flow[e]
            else:
                k[rr, cc] = k[r, c] - me - flow[e]
            seen[rr, cc] = 1
            qr[tail] = rr
            qc[tail] = cc
            tail += 1
    return k


@njit(cache=True, nogil=True)
def _tri_network(psi, s2, xy, tri, ea, eb, etri_pos, etri_neg, scale, s0, edge_sigma):
    # psi, s2: (n,) per point; tri (T,3) CCW; edges ea<eb with the triangle that
    # traverses ea->eb (etri_pos) and the one traversing eb->ea (etri_neg), -1 = none
    T = tri.shape[0]
    m = ea.shape[0]
    earth = T
    A = np.empty(m, np.int32)
    B = np.empty(m, np.int32)
    cp = np.empty(m, np.int32)
    cn = np.empty(m, np.int32)
    for e in range(m):
        i = ea[e]
        j = eb[e]
        A[e] = etri_neg[e] if etri_neg[e] >= 0 else earth
        B[e] = etri_pos[e] if etri_pos[e] >= 0 else earth
        d = _wrap(psi[j] - psi[i])
        dx = xy[j, 0] - xy[i, 0]
        dy = xy[j, 1] - xy[i, 1]
        ln2 = dx * dx + dy * dy
        a, b = _edge_costs(d, s2[i] + s2[j] + s0 + edge_sigma * edge_sigma * ln2, scale)
        cp[e] = a
        cn[e] = b
    supply = np.zeros(T + 1, np.int64)
    total = 0
    for t in range(T):
        s = 0.0
        for q in range(3):
            i = tri[t, q]
            j = tri[t, (q + 1) % 3]
            s += _wrap(psi[j] - psi[i])
        v = int(round(s / TWO_PI))
        supply[t] = v
        total += v
    supply[earth] = -total
    return A, B, cp, cn, supply


@njit(cache=True, nogil=True)
def _tri_integrate(psi, n, ea, eb, flow, seed):
    m = ea.shape[0]
    deg = np.zeros(n + 1, np.int64)
    for e in range(m):
        deg[ea[e] + 1] += 1
        deg[eb[e] + 1] += 1
    for v in range(n):
        deg[v + 1] += deg[v]
    adj = np.empty(deg[n], np.int64)
    fill = deg[:n].copy()
    for e in range(m):
        adj[fill[ea[e]]] = e
        fill[ea[e]] += 1
        adj[fill[eb[e]]] = e
        fill[eb[e]] += 1
    k = np.zeros(n, np.int64)
    seen = np.zeros(n, np.uint8)
    q = np.empty(n, np.int64)
    q[0] = seed
    seen[seed] = 1
    head = 0
    tail = 1
    while head < tail:
        u = q[head]
        head += 1
        for a in range(deg[u], deg[u + 1]):
            e = adj[a]
            i = ea[e]
            j = eb[e]
            raw = psi[j] - psi[i]
            mw = int(round((_wrap(raw) - raw) / TWO_PI))
            if u == i:
                w = j
                kw = k[i] + mw + flow[e]
            else:
                w = i
                kw = k[j] - mw - flow[e]
            if seen[w]:
                continue
            k[w] = kw
            seen[w] = 1
            q[tail] = w
            tail += 1
    return k


@njit(cache=True, nogil=True)
def _closure_kernel(stack, trip, valid_out, any_out, major_out, ntrip_of, correct, max_iter):
    # stack (n, rows, cols) float32 unwrapped (NaN = masked); trip (T,3): C = u[a]+u[b]-u[c]
    n, R, Cc = stack.shape
    T = trip.shape[0]
    cyc = np.zeros(T, np.int64)
    ok = np.zeros(T, np.uint8)
    # triplets of every interferogram (CSR) with the sign of its role (+ for ij, jk; - for ik)
    tstart = np.zeros(n + 1, np.int64)
    for t in range(T):
        for q in range(3):
            tstart[trip[t, q] + 1] += 1
    for p in range(n):
        tstart[p + 1] += tstart[p]
    tlist = np.empty(3 * T, np.int64)
    tsign = np.empty(3 * T, np.int64)
    fill = tstart[:n].copy()
    for t in range(T):
        for q in range(3):
            p = trip[t, q]
            tlist[fill[p]] = t
            tsign[fill[p]] = 1 if q < 2 else -1
            fill[p] += 1
    cnt = np.zeros(n, np.int64)
    nz = np.zeros(n, np.int64)
    for r in range(R):
        for c in range(Cc):
            for it in range(max_iter + 1):
                for p in range(n):
                    cnt[p] = 0
                    nz[p] = 0
                any_nz = False
                for t in range(T):
                    a = trip[t, 0]
                    b = trip[t, 1]
                    cc = trip[t, 2]
                    ua = stack[a, r, c]
                    ub = stack[b, r, c]
                    uc = stack[cc, r, c]
                    if np.isnan(ua) or np.isnan(ub) or np.isnan(uc):
                        ok[t] = 0
                        continue
                    ok[t] = 1
                    cl = ua + ub - uc
                    cyc[t] = int(round(cl / TWO_PI))
                    for q in range(3):
                        cnt[trip[t, q]] += 1
                    if abs(cl) > math.pi:
                        any_nz = True
                        for q in range(3):
                            nz[trip[t, q]] += 1
                if it == 0:
                    for p in range(n):
                        if cnt[p] > 0:
                            valid_out[p] += 1
                            if nz[p] > 0:
                                any_out[p] += 1
                            if 2 * nz[p] > cnt[p]:
                                major_out[p] += 1
                if not correct or not any_nz or it == max_iter:
                    break
                # greedy L1 step: the interferogram whose triplets agree on one
                # integer shift, in more than half of its triplets, is corrected
                best = -1
                best_votes = 0
                best_shift = 0
                for p in range(n):
                    if cnt[p] < 2 or 2 * nz[p] <= cnt[p]:
                        continue
                    # mode of the implied shift among its triplets
                    for cand in (-2, -1, 1, 2):
                        votes = 0
                        for q in range(tstart[p], tstart[p + 1]):
                            t = tlist[q]
                            if ok[t] != 0 and tsign[q] * cyc[t] == cand:
                                votes += 1
                        if 2 * votes > cnt[p] and votes > best_votes:
                            best_votes = votes
                            best = p
                            best_shift = cand
                if best < 0:
                    break
                stack[best, r, c] -= TWO_PI * best_shift
    return 0


# --------------------------------------------------------------------------- helpers
def phase_variance(coherence, looks: float = 1.0) -> np.ndarray:
    """Cramér–Rao phase variance (rad²) of an ``looks``-look interferogram,
    ``(1-γ²)/(2·L·γ²)``, with γ clipped to [0.02, 0.995]."""
    g = np.clip(np.nan_to_num(np.asarray(coherence, dtype=np.float64), nan=0.0), 0.02, 0.995)
    return (1.0 - g * g) / (2.0 * max(float(looks), 1.0) * g * g)


def _check_wrapped(name: str, psi: np.ndarray) -> None:
    finite = psi[np.isfinite(psi)]
    if finite.size and (finite.max() > math.pi + PHASE_TOL or finite.min() < -math.pi - PHASE_TOL):
        raise ValueError(f"{name}: wrapped phase must lie in [-pi, pi] radians, found values from "
                         f"{finite.min():.3f} to {finite.max():.3f} (already unwrapped, or in degrees?)")


@dataclasses.dataclass
class UnwrapResult:
    """One unwrapped interferogram.

    Attributes
    ----------
    unwrapped : (rows, cols) float64
        ``wrapped + 2π·k`` (rad), NaN where masked; the reference pixel holds
        its wrapped value (integer cycles referenced).
    cycles : (rows, cols) int64
        ``k`` (integer cycles added), referenced to the reference pixel.
    components : (rows, cols) uint32
        Connected components (1 = largest), 0 = masked.
    n_residues : int
        Number of non-zero residues.
    stats : dict
        Solver statistics.
    """

    unwrapped: np.ndarray
    cycles: np.ndarray
    components: np.ndarray
    n_residues: int
    stats: Dict[str, int]


def _label_components(mask: np.ndarray) -> np.ndarray:
    from scipy import ndimage
    lab, n = ndimage.label(mask)
    if n == 0:
        return np.zeros(mask.shape, np.uint32)
    sizes = np.bincount(lab.ravel())[1:]
    order = np.argsort(-sizes, kind="stable")
    remap = np.zeros(n + 1, np.uint32)
    remap[order + 1] = np.arange(1, n + 1, dtype=np.uint32)
    return remap[lab]


def _solve(n_nodes, A, B, cp, cn, supply):
    flow = np.zeros(A.shape[0], np.int32)
    status, phases, naug = _mcf_kernel(int(n_nodes), A, B, cp, cn, supply, flow, np.int64(50_000_000))
    if status != 0:
        raise RuntimeError(f"min-cost flow failed (status {status})")
    return flow, {"phases": int(phases), "augmentations": int(naug)}


def _prepare(wrapped, coherence, coherence_threshold, reference):
    psi = check_array("PHASE", wrapped, ndim=2, dtype_kind="f")
    coh = check_array("COHERENCE", coherence, ndim=2, dtype_kind="f")
    if coh.shape != psi.shape:
        raise ValueError(f"COHERENCE: shape {coh.shape} does not match PHASE shape {psi.shape}")
    if psi.shape[0] < 2 or psi.shape[1] < 2:
        raise ValueError(f"PHASE: need at least 2 x 2 pixels, got {psi.shape}")
    _check_wrapped("PHASE", psi)
    thr = check_range("COHERENCE_THRESHOLD", coherence_threshold, 0.0, 1.0)
    mask = np.isfinite(psi) & np.isfinite(coh) & (coh >= thr)
    psi0 = np.where(np.isfinite(psi), psi, 0.0).astype(np.float64)
    psi0 = np.clip(psi0, -math.pi, math.pi)
    coh0 = np.where(np.isfinite(coh), coh, 0.0).astype(np.float64)
    if reference is not None:
        rr, rc = _check_reference(reference, psi.shape)
        mask[rr, rc] = True
    if not mask.any():
        raise ValueError(f"COHERENCE: no pixel reaches the coherence threshold {thr}")
    return psi0, coh0, mask


def _check_reference(reference, shape) -> Tuple[int, int]:
    try:
        rr, rc = (int(reference[0]), int(reference[1]))
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"REFERENCE: expected (row, col), got {reference!r}") from None
    if not (0 <= rr < shape[0] and 0 <= rc < shape[1]):
        raise ValueError(f"REFERENCE: pixel (row {rr}, col {rc}) is outside the image "
                         f"({shape[0]} rows x {shape[1]} columns)")
    return rr, rc


def _default_seed(mask, coh):
    score = np.where(mask, coh, -1.0)
    idx = int(np.argmax(score))
    return divmod(idx, mask.shape[1])


def unwrap_grid(wrapped, coherence, *, coherence_threshold: float = 0.2, looks: float = 1.0,
                reference: Optional[Tuple[int, int]] = None, feedback=None) -> UnwrapResult:
    """Unwrap one interferogram with grid MCF (Costantini 1998).

    Parameters
    ----------
    wrapped : (rows, cols) float array
        Wrapped phase in radians, within [-π, π]; NaN = no data.
    coherence : (rows, cols) float array
        Coherence 0..1 (same shape); pixels below ``coherence_threshold`` are NaN
        in the output but stay in the MCF network with their statistical cost
        (only NaN phase/coherence is left out), so separated coherent areas
        keep a consistent cycle offset.
    coherence_threshold : float
        Output mask threshold (0.2 as in the Puhe study).
    looks : float
        Number of looks of the interferogram (for the phase variance of the cost).
    reference : (row, col), optional
        Reference pixel (kept even if masked); integer cycles are 0 there.
        Default: the most coherent pixel.

    Returns
    -------
    UnwrapResult
    """
    psi, coh, mask = _prepare(wrapped, coherence, coherence_threshold, reference)
    check_cancel(feedback)
    s2 = phase_variance(coh, looks)
    # Pixels below the threshold are masked in the output only: the network
    # keeps them with their (high-variance, hence cheap) statistical cost, so
    # the cycle offset between coherent areas separated by low coherence is
    # decided by the phase there instead of by zero-cost edges (arbitrary).
    net = np.isfinite(np.asarray(wrapped, dtype=float)) & np.isfinite(np.asarray(coherence, dtype=float))
    net |= mask
    A, B, cp, cn, supply = _grid_network(psi, net, s2, COST_SCALE, SIGNAL_VAR)
    flow, stats = _solve(supply.shape[0], A, B, cp, cn, supply)
    seed = tuple(reference) if reference is not None else _default_seed(mask, coh)
    k = _grid_integrate(psi, flow, int(seed[0]), int(seed[1]))
    k -= k[int(seed[0]), int(seed[1])]
    unw = np.where(mask, psi + TWO_PI * k, np.nan)
    comps = _label_components(mask)
    stats["residues"] = int(np.count_nonzero(supply[:-1]))
    return UnwrapResult(unw, k, comps, stats["residues"], stats)


def _qhull(xy: np.ndarray) -> np.ndarray:
    """Delaunay triangles (T, 3) of points ``xy`` (scipy/Qhull); empty if degenerate."""
    from scipy.spatial import Delaunay
    from scipy.spatial import QhullError
    if xy.shape[0] < 3:
        return np.zeros((0, 3), np.int64)
    # a tiny deterministic jitter breaks the co-circularity of pixel lattices,
    # which makes Qhull ~3x faster; costs and lengths use the exact coordinates
    span = max(float(np.ptp(xy[:, 0])), float(np.ptp(xy[:, 1])), 1.0)
    jit = np.random.default_rng(12345).uniform(-1e-6 * span, 1e-6 * span, xy.shape)
    try:
        return Delaunay(xy + jit, qhull_options="Qbb Qc").simplices.astype(np.int64)
    except (QhullError, ValueError):
        return np.zeros((0, 3), np.int64)


def _lattice_triangles(mask: np.ndarray) -> np.ndarray:
    """Delaunay triangles of the pixels of ``mask`` (points in ``np.nonzero`` order).

    Every 2 x 2 cell whose four pixels are valid is a Delaunay cell of the
    pixel lattice (its circumcircle holds no other pixel), split into two
    triangles.  A pixel whose four cells are all such full cells ("interior")
    belongs to no other triangle, so Qhull only triangulates the remaining
    pixels (the borders of the valid area and isolated pixels); of those
    triangles we keep the ones outside the full cells (centroid test).  The
    result is the Delaunay triangulation of all valid pixels, at the cost of a
    Qhull run on a fraction of them.
    """
    R, C = mask.shape
    idx = -np.ones((R, C), np.int64)
    rows, cols = np.nonzero(mask)
    idx[rows, cols] = np.arange(rows.size)
    full = mask[:-1, :-1] & mask[:-1, 1:] & mask[1:, :-1] & mask[1:, 1:]
    interior = np.zeros((R, C), bool)
    interior[1:-1, 1:-1] = full[:-1, :-1] & full[:-1, 1:] & full[1:, :-1] & full[1:, 1:]
    fr, fc = np.nonzero(full)
    a, b = idx[fr, fc], idx[fr, fc + 1]
    c, d = idx[fr + 1, fc], idx[fr + 1, fc + 1]
    grid_tri = np.concatenate([np.column_stack([a, b, d]), np.column_stack([a, d, c])])
    q = mask & ~interior
    qr, qc = np.nonzero(q)
    tq = _qhull(np.column_stack([qc, qr]).astype(np.float64))
    if tq.shape[0]:
        cy = (qr[tq[:, 0]] + qr[tq[:, 1]] + qr[tq[:, 2]]) / 3.0
        cx = (qc[tq[:, 0]] + qc[tq[:, 1]] + qc[tq[:, 2]]) / 3.0
        ry = np.clip(np.floor(cy).astype(np.int64), 0, R - 2)
        rx = np.clip(np.floor(cx).astype(np.int64), 0, C - 2)
        keep = ~full[ry, rx]
        tq = idx[qr[tq[keep]], qc[tq[keep]]]
        return np.concatenate([grid_tri, tq])
    return grid_tri


def _triangle_edges(xy: np.ndarray, tri: np.ndarray):
    """Orient triangles counter-clockwise, drop degenerate ones, list the edges.

    Returns ``tri`` (T, 3), edge ends ``ea < eb`` and, per edge, the triangle
    traversing it ``ea -> eb`` (``pos``) and ``eb -> ea`` (``negt``), -1 = none.
    """
    p0, p1, p2 = xy[tri[:, 0]], xy[tri[:, 1]], xy[tri[:, 2]]
    area = (p1[:, 0] - p0[:, 0]) * (p2[:, 1] - p0[:, 1]) - (p1[:, 1] - p0[:, 1]) * (p2[:, 0] - p0[:, 0])
    keep = np.abs(area) > 1e-12 * max(1.0, float(np.ptp(xy) ** 2))
    tri = tri[keep]
    area = area[keep]
    neg = area < 0
    tri[neg] = tri[neg][:, [0, 2, 1]]
    T = tri.shape[0]
    n = xy.shape[0]
    i = tri.ravel()
    j = tri[:, [1, 2, 0]].ravel()
    t_of = np.repeat(np.arange(T, dtype=np.int64), 3)
    lo = np.minimum(i, j)
    hi = np.maximum(i, j)
    key = lo * n + hi
    uniq, inv = np.unique(key, return_inverse=True)
    m = uniq.shape[0]
    ea = (uniq // n).astype(np.int64)
    eb = (uniq % n).astype(np.int64)
    pos = -np.ones(m, np.int64)
    negt = -np.ones(m, np.int64)
    fwd = i < j
    pos[inv[fwd]] = t_of[fwd]
    negt[inv[~fwd]] = t_of[~fwd]
    return tri, ea, eb, pos, negt


def _sparse_core(xy, tri, psi, w, looks, seed, stats):
    tri, ea, eb, pos, negt = _triangle_edges(xy, tri)
    if tri.shape[0] == 0:
        raise ValueError("x, y: the points are collinear; no triangulation is possible")
    n = xy.shape[0]
    s2 = phase_variance(w, looks)
    A, B, cp, cn, supply = _tri_network(psi, s2, xy, tri, ea, eb, pos, negt, COST_SCALE, SIGNAL_VAR, EDGE_SIGMA)
    flow, st = _solve(supply.shape[0], A, B, cp, cn, supply)
    if stats is not None:
        stats.update(st)
        stats.update(residues=int(np.count_nonzero(supply[:-1])), triangles=int(tri.shape[0]),
                     edges=int(ea.shape[0]))
    k = _tri_integrate(psi, n, ea, eb, flow, int(seed))
    k -= k[int(seed)]
    return k


def unwrap_sparse(x, y, wrapped, weights=None, *, looks: float = 1.0, seed: Optional[int] = None,
                  return_cycles: bool = False, stats: Optional[dict] = None):
    """Unwrap phases at scattered points with Delaunay MCF (Costantini & Rosen 1999).

    Parameters
    ----------
    x, y : (n,) float arrays
        Point coordinates in pixels (or any unit where an edge length of 1 is
        one pixel; the cost of long edges grows with ``EDGE_SIGMA``·length).
    wrapped : (n,) float array
        Wrapped phases (rad) in [-π, π], finite.
    weights : (n,) float array, optional
        Quality in (0, 1], used as a coherence (e.g. PS temporal coherence);
        default 0.9 for every point.
    looks : float
        Looks behind each phase value.
    seed : int, optional
        Index of the point whose integer cycle count is 0 (default: best weight).
    stats : dict, optional
        Filled with ``residues``, ``triangles``, ``edges``, ``phases``, ``augmentations``.

    Returns
    -------
    unwrapped : (n,) float64
        ``wrapped + 2π·k`` (rad), congruent with the input.
    cycles : (n,) int64, only if ``return_cycles``.
    """
    psi = check_array("wrapped", wrapped, ndim=1, dtype_kind="f", finite=True)
    n = psi.shape[0]
    x = check_array("x", x, ndim=1, shape=(n,), finite=True)
    y = check_array("y", y, ndim=1, shape=(n,), finite=True)
    _check_wrapped("wrapped", psi)
    w = np.full(n, 0.9) if weights is None else check_array("weights", weights, ndim=1, shape=(n,), finite=True)
    psi = np.clip(psi.astype(np.float64), -math.pi, math.pi)
    if n < 3:
        k = np.zeros(n, np.int64)
        if n == 2:
            k[1] = int(round((_wrap(psi[1] - psi[0]) - (psi[1] - psi[0])) / TWO_PI))
        return (psi + TWO_PI * k, k) if return_cycles else psi + TWO_PI * k
    xy = np.column_stack([np.asarray(x, np.float64), np.asarray(y, np.float64)])
    s = int(np.argmax(w)) if seed is None else int(seed)
    k = _sparse_core(xy, _qhull(xy), psi, w, looks, s, stats)
    unw = psi + TWO_PI * k
    return (unw, k) if return_cycles else unw


def unwrap_delaunay(wrapped, coherence, *, coherence_threshold: float = 0.2, looks: float = 1.0,
                    reference: Optional[Tuple[int, int]] = None, feedback=None) -> UnwrapResult:
    """Unwrap one interferogram with Delaunay MCF on the pixels above the threshold.

    Same parameters and result as :func:`unwrap_grid`; masked pixels are
    bridged by the triangulation and stay NaN.  Every triangulated pixel is in
    component 1.
    """
    psi, coh, mask = _prepare(wrapped, coherence, coherence_threshold, reference)
    rows, cols = np.nonzero(mask)
    if rows.size < 3:
        raise ValueError("COHERENCE: fewer than 3 pixels reach the coherence threshold")
    check_cancel(feedback)
    if reference is not None:
        seed = int(np.flatnonzero((rows == reference[0]) & (cols == reference[1]))[0])
    else:
        seed = int(np.argmax(coh[rows, cols]))
    stats: Dict[str, int] = {}
    xy = np.column_stack([cols, rows]).astype(np.float64)
    k_pts = _sparse_core(xy, _lattice_triangles(mask), psi[rows, cols], coh[rows, cols], looks, seed, stats)
    unw = np.full(psi.shape, np.nan)
    unw[rows, cols] = psi[rows, cols] + TWO_PI * k_pts
    k = np.zeros(psi.shape, np.int64)
    k[rows, cols] = k_pts
    comps = mask.astype(np.uint32)
    return UnwrapResult(unw, k, comps, stats["residues"], stats)


def unwrap_ifg(wrapped, coherence, *, method: str = "grid", **kw) -> UnwrapResult:
    """Dispatch to :func:`unwrap_grid` or :func:`unwrap_delaunay` (``METHOD``)."""
    m = check_choice("METHOD", method, METHODS)
    return unwrap_grid(wrapped, coherence, **kw) if m == "grid" else unwrap_delaunay(wrapped, coherence, **kw)


# --------------------------------------------------------------------------- closure
def pair_triplets(pairs: Sequence[Tuple[object, object]]) -> np.ndarray:
    """All triplets ``(ij, jk, ik)`` of band indices of a pair network.

    The closure of a triplet is ``u[ij] + u[jk] - u[ik]`` (0 for a consistent
    unwrapping). Returns an ``(n_triplets, 3)`` int64 array.
    """
    index = {tuple(p): i for i, p in enumerate(pairs)}
    out = []
    for (a, b), ij in index.items():
        for (c, d), jk in index.items():
            if c == b and (a, d) in index:
                out.append((ij, jk, index[(a, d)]))
    return np.array(out, dtype=np.int64).reshape(-1, 3)


@dataclasses.dataclass
class ClosureRow:
    """One row of the closure table (``OUTPUT_CLOSURE``)."""

    pair: str
    n_triplets: int
    frac_nonzero: float
    frac_majority: float
    flagged: bool


def closure_check(unwrapped, pairs, *, correct: bool = False, flag_fraction: float = 0.01,
                  labels: Optional[Sequence[str]] = None, max_iter: Optional[int] = None):
    """Closure check of an unwrapped stack (modifies ``unwrapped`` when correcting).

    Parameters
    ----------
    unwrapped : (n_pairs, rows, cols) float32 array
        Unwrapped phases (rad), NaN = masked.  Corrected in place when ``correct``.
    pairs : list of (ref, sec)
        The pair of every band.
    correct : bool
        Integer-ambiguity correction, per pixel, greedily: while some triplet
        closure exceeds π, the interferogram for which more than half of its
        valid triplets imply the same integer shift ``m`` (closure/2π, with
        the sign of its role in the triplet) is corrected by ``-2π·m``; the
        best-supported one first, at most ``n_pairs`` steps.  Pixels where no
        interferogram has such a majority are left unchanged.
    flag_fraction : float
        An interferogram is FLAGGED when more than this fraction of its valid
        pixels have a majority of non-zero closures among its triplets.

    Returns
    -------
    rows : list of ClosureRow
        ``frac_nonzero`` = fraction of valid pixels in at least one non-zero
        closure (before correction); ``frac_majority`` = fraction where most of
        the interferogram's triplets are non-zero (the flag statistic).
    """
    u = np.ascontiguousarray(unwrapped, dtype=np.float32)
    acc = _closure_accumulators(len(pairs))
    trip = pair_triplets(pairs)
    _closure_block(u, trip, acc, correct, max_iter)
    if correct and u is not unwrapped:
        np.asarray(unwrapped)[...] = u
    return _closure_rows(acc, trip, pairs, labels, flag_fraction)


def _closure_accumulators(n):
    return {k: np.zeros(n, np.int64) for k in ("valid", "any", "major")}


def _closure_block(block, trip, acc, correct, max_iter=None):
    n = block.shape[0]
    ntrip = np.zeros(n, np.int64)
    for t in trip:
        ntrip[t] += 1
    if trip.shape[0] == 0:
        return
    _closure_kernel(block, trip, acc["valid"], acc["any"], acc["major"], ntrip, bool(correct),
                    int(n if max_iter is None else max_iter))


def _closure_rows(acc, trip, pairs, labels, flag_fraction):
    n = len(pairs)
    ntrip = np.zeros(n, np.int64)
    for t in trip:
        ntrip[t] += 1
    rows = []
    for p in range(n):
        v = max(int(acc["valid"][p]), 1)
        fa = float(acc["any"][p]) / v
        fm = float(acc["major"][p]) / v
        lab = labels[p] if labels is not None else stackio.pair_label(*pairs[p])
        rows.append(ClosureRow(lab, int(ntrip[p]), fa, fm, bool(ntrip[p] > 0 and fm > flag_fraction)))
    return rows


# --------------------------------------------------------------------------- reference
def choose_reference(mean_coherence: np.ndarray, mean_gradient: np.ndarray, *, coherence_threshold: float = 0.2):
    """Automatic reference pixel: high coherence, low phase gradients.

    Among the pixels whose 5 x 5 mean coherence is within the top 10 % (and
    above the threshold), away from the image border (5 % of the size), the
    one with the smallest 15 x 15 mean wrapped-phase gradient (rad/pixel, high
    in dense fringes of a deforming bowl and in noise) is chosen.

    Returns ``(row, col)``.
    """
    from scipy import ndimage
    coh = np.nan_to_num(np.asarray(mean_coherence, np.float64), nan=0.0)
    grad = np.nan_to_num(np.asarray(mean_gradient, np.float64), nan=math.pi)
    cs = ndimage.uniform_filter(coh, 5, mode="nearest")
    gs = ndimage.uniform_filter(grad, 15, mode="nearest")
    ok = coh >= coherence_threshold
    if not ok.any():
        raise ValueError(f"COHERENCE: no pixel reaches the coherence threshold {coherence_threshold}")
    R, C = coh.shape
    br, bc = int(0.05 * R), int(0.05 * C)
    inner = np.zeros_like(ok)
    inner[br:R - br, bc:C - bc] = True
    if (ok & inner).any():
        ok &= inner
    level = np.quantile(cs[ok], 0.9)
    cand = ok & (cs >= level)
    score = np.where(cand, gs, np.inf)
    idx = int(np.argmin(score))
    return divmod(idx, C)


# --------------------------------------------------------------------------- stacks
@dataclasses.dataclass
class StackResult:
    """What :func:`unwrap_stack` did."""

    output: str
    components: Optional[str]
    ref_row: int
    ref_col: int
    reference_auto: bool
    closure: List[ClosureRow]
    n_flagged: int
    residues: List[int]


def _ifg_bytes(method, width, height):
    return BYTES_PER_PIXEL[method] * width * height


def unwrap_stack(phase_path: str, coherence_path: str, output_path: str, *, method: str = "grid",
                 coherence_threshold: float = 0.2, reference: Optional[Tuple[int, int]] = None,
                 components_path: Optional[str] = None, correct_closure: bool = False,
                 flag_fraction: float = 0.01, memory_mb: float = 1024, workers: Optional[int] = None,
                 feedback=None) -> StackResult:
    """Unwrap every interferogram of a wrapped stack (the ``unwrap`` stage).

    Parameters
    ----------
    phase_path : str
        Wrapped phase stack (``PHASE``; rad, pair bands).
    coherence_path : str
        Coherence stack of the same size and band count (``COHERENCE``).
    output_path : str
        Unwrapped stack GeoTIFF (``OUTPUT``; rad, ``MINESAR_KIND=unwrapped``,
        NaN where masked, same band labels and metadata, ``REF_ROW``/``REF_COL``).
    method : {"grid", "delaunay"}
    coherence_threshold : float
        Pixels with coherence below it are masked (per interferogram).
    reference : (row, col), optional
        Reference pixel; default automatic (:func:`choose_reference`).  Must be
        inside the image and have mean coherence >= the threshold.  Its integer
        cycle count is 0 in every interferogram, so its unwrapped value is its
        wrapped value (kept congruent); band metadata ``REF_PHASE`` gives that
        value for stages that subtract it.
    components_path : str, optional
        Connected components stack (uint32, 0 = masked).
    correct_closure : bool
        Apply the closure correction of :func:`closure_check` before writing.
    memory_mb : float
        Budget: every worker holds one full interferogram
        (``BYTES_PER_PIXEL[method]`` bytes per pixel); the number of parallel
        interferograms is ``min(cores, budget // that)``; at least one full
        interferogram must fit.
    """
    feedback = ensure(feedback)
    method = check_choice("METHOD", method, METHODS)
    thr = check_range("COHERENCE_THRESHOLD", coherence_threshold, 0.0, 1.0)
    pinfo = stackio.read_stack_info(phase_path, name="PHASE")
    cinfo = stackio.read_stack_info(coherence_path, name="COHERENCE")
    if pinfo.is_complex:
        raise ValueError("PHASE: the raster is complex; give the wrapped phase in radians (MINESAR_KIND=wrapped)")
    if pinfo.kind and pinfo.kind not in ("wrapped",):
        raise ValueError(f"PHASE: MINESAR_KIND is {pinfo.kind!r}; expected a wrapped phase stack (wrapped)")
    if (cinfo.width, cinfo.height, cinfo.count) != (pinfo.width, pinfo.height, pinfo.count):
        raise ValueError(f"COHERENCE: {cinfo.width} x {cinfo.height} pixels with {cinfo.count} bands does not "
                         f"match PHASE ({pinfo.width} x {pinfo.height} pixels, {pinfo.count} bands)")
    if pinfo.width < 2 or pinfo.height < 2:
        raise ValueError("PHASE: need at least 2 x 2 pixels")
    R, C, n = pinfo.height, pinfo.width, pinfo.count
    need = _ifg_bytes(method, C, R)
    budget = float(memory_mb) * 1024 * 1024
    if need > budget:
        raise ValueError(f"MEMORY_MB: unwrapping holds one full interferogram ({need / 2**20:.0f} MiB for "
                         f"{R} x {C} pixels with METHOD={method}); raise MEMORY_MB to at least "
                         f"{int(math.ceil(need / 2**20))}")
    nworkers = max(1, min(default_workers() if workers is None else int(workers), int(budget // need), n))
    looks = float(pinfo.geometry.looks_range * pinfo.geometry.looks_azimuth)

    # ---- pass 1: validate values, statistics for the reference
    sum_coh = np.zeros((R, C))
    sum_grad = np.zeros((R, C))
    for b in range(n):
        check_cancel(feedback)
        psi = stackio.read_block(phase_path, bands=[b], dtype=np.float64)[0]
        _check_wrapped(f"PHASE: band {b + 1} ({pinfo.labels[b]})", psi)
        coh = stackio.read_block(coherence_path, bands=[b], dtype=np.float64)[0]
        sum_coh += np.nan_to_num(coh, nan=0.0)
        p0 = np.nan_to_num(psi, nan=0.0)
        gx = np.abs(_wrap_np(np.diff(p0, axis=1)))
        gy = np.abs(_wrap_np(np.diff(p0, axis=0)))
        g = np.zeros((R, C))
        g[:, :-1] += gx
        g[:, 1:] += gx
        g[:-1, :] += gy
        g[1:, :] += gy
        g /= 4.0
        g[~np.isfinite(psi)] = math.pi
        sum_grad += g
        feedback.setProgress(10.0 * (b + 1) / n)
    mean_coh = sum_coh / n
    mean_grad = sum_grad / n
    if reference is not None:
        rr, rc = _check_reference(reference, (R, C))
        if mean_coh[rr, rc] < thr:
            raise ValueError(f"REFERENCE: pixel (row {rr}, col {rc}) is masked: its mean coherence "
                             f"{mean_coh[rr, rc]:.2f} is below COHERENCE_THRESHOLD {thr}")
        auto = False
    else:
        rr, rc = choose_reference(mean_coh, mean_grad, coherence_threshold=thr)
        auto = True
        info(feedback, f"Reference pixel chosen automatically: row {rr}, col {rc} (mean coherence "
                       f"{mean_coh[rr, rc]:.2f}, mean wrapped gradient {mean_grad[rr, rc]:.2f} rad/pixel; "
                       f"high coherence, away from dense fringes)")
    del sum_coh, sum_grad, mean_grad
    ref_phase = stackio.read_block(phase_path, rr, 1, col0=rc, ncols=1, dtype=np.float64)[:, 0, 0]

    # ---- pass 2: unwrap every interferogram on the thread pool
    blocks = [Block(id=b, window=(b,), inputs={"phase": phase_path, "coherence": coherence_path},
                    params={"method": method, "threshold": thr, "looks": looks, "ref": (rr, rc),
                            "label": pinfo.labels[b]})
              for b in range(n)]
    labels = list(pinfo.labels)
    bmd = [dict(m) for m in pinfo.band_metadata]
    for b in range(n):
        bmd[b]["REF_PHASE"] = repr(float(np.nan_to_num(ref_phase[b], nan=0.0)))
    md = {"REF_ROW": str(rr), "REF_COL": str(rc), "UNWRAP_METHOD": method,
          "COHERENCE_THRESHOLD": repr(thr)}
    for key in ("DATE_LIST", "DATE_BPERP_M"):
        if pinfo.metadata.get(key):
            md[key] = pinfo.metadata[key]
    residues = [0] * n
    in_memory = pinfo.pairs and (n * R * C * 4 + need * nworkers) <= budget
    stack_mem = np.empty((n, R, C), np.float32) if in_memory else None
    out_w = stackio.StackWriter(output_path, width=C, height=R, count=n, dtype="float32", kind="unwrapped",
                                units="radians", labels=labels, band_metadata=bmd, metadata=md,
                                geometry=pinfo.geometry, like=pinfo)
    comp_w = None
    if components_path:
        comp_w = stackio.StackWriter(components_path, width=C, height=R, count=n, dtype="uint32",
                                     kind="components", units="label", labels=labels, band_metadata=bmd,
                                     metadata=dict(md), geometry=pinfo.geometry, like=pinfo, nodata=0)
    closure_rows: List[ClosureRow] = []
    with out_w:
        if comp_w is not None:
            comp_w.__enter__()
        try:
            def on_result(block, res):
                b = block.id
                unw, comp, nres, _refphase = res
                residues[b] = nres
                if stack_mem is not None:
                    stack_mem[b] = unw
                else:
                    out_w.write(unw, band=b)
                if comp_w is not None:
                    comp_w.write(comp, band=b)
                info(feedback, f"{labels[b]}: unwrapped ({nres} residues)")

            run_blocks(blocks, _run_ifg, feedback=feedback, workers=nworkers, on_result=on_result,
                       progress_range=(10.0, 90.0))
            # ---- closure check (and correction)
            if pinfo.pairs:
                trip = pair_triplets(pinfo.pairs)
                acc = _closure_accumulators(n)
                if stack_mem is not None:
                    _closure_block(stack_mem, trip, acc, correct_closure)
                    out_w.write(stack_mem)
                elif trip.shape[0]:
                    # read the bands back from the (still temporary) output file
                    rb = stackio.plan_row_blocks(R, C, bytes_per_pixel=8.0 * n, memory_mb=memory_mb)
                    for blk in rb:
                        check_cancel(feedback)
                        data = out_w.read(row0=blk.row0, nrows=blk.nrows).astype(np.float32, copy=False)
                        _closure_block(data, trip, acc, correct_closure)
                        if correct_closure:
                            out_w.write(data, row0=blk.row0)
                closure_rows = _closure_rows(acc, trip, pinfo.pairs, labels, flag_fraction)
                for row in closure_rows:
                    if row.flagged:
                        warn(feedback, f"{row.pair}: unwrapping error suspected: {100 * row.frac_majority:.2f} % "
                                       f"of the pixels fail most of their {row.n_triplets} closure triplets")
            elif stack_mem is not None:
                out_w.write(stack_mem)
        except BaseException as exc:
            if comp_w is not None:
                comp_w.__exit__(type(exc), exc, exc.__traceback__)
            raise
        if comp_w is not None:
            comp_w.__exit__(None, None, None)
    feedback.setProgress(100.0)
    return StackResult(os.path.abspath(output_path), os.path.abspath(components_path) if components_path else None,
                       rr, rc, auto, closure_rows, sum(r.flagged for r in closure_rows), residues)


def _wrap_np(x):
    return x - TWO_PI * np.floor((x + math.pi) / TWO_PI)


def _run_ifg(block: Block):
    b = block.id
    p = block.params
    psi = stackio.read_block(block.inputs["phase"], bands=[b], dtype=np.float64)[0]
    coh = stackio.read_block(block.inputs["coherence"], bands=[b], dtype=np.float64)[0]
    fn = unwrap_grid if p["method"] == "grid" else unwrap_delaunay
    try:
        res = fn(psi, coh, coherence_threshold=p["threshold"], looks=p["looks"], reference=p["ref"])
    except ValueError as exc:
        raise ValueError(f"{exc} (band {b + 1}, {p.get('label', '')})") from None
    rr, rc = p["ref"]
    refphase = float(np.nan_to_num(psi[rr, rc], nan=0.0))
    nres = res.n_residues
    return res.unwrapped.astype(np.float32), res.components, nres, refphase


# --------------------------------------------------------------------------- synthetic data
@dataclasses.dataclass
class SyntheticIfg:
    """A simulated interferogram with known truth (tests and benchmark)."""

    truth: np.ndarray        # (rows, cols) true unwrapped phase (rad), no noise
    wrapped: np.ndarray      # (rows, cols) wrapped noisy phase (rad)
    coherence: np.ndarray    # (rows, cols) true coherence
    looks: int


def synthetic_interferogram(rows: int = 200, cols: int = 200, *, fringes: float = 6.0, bowl_sigma: float = 0.18,
                            coh_min: float = 0.3, coh_max: float = 0.7, looks: int = 16, core_radius: float = 0.04,
                            water: int = 2, ramp: float = 1.0, seed: int = 0) -> SyntheticIfg:
    """A mining-subsidence interferogram with known truth.

    A Gaussian subsidence bowl of ``fringes`` cycles (negative phase) centred
    in the scene, width ``bowl_sigma`` (fraction of the size), a linear ramp of
    ``ramp`` cycles, smooth random coherence between ``coh_min`` and
    ``coh_max``, a decorrelated core (coherence 0.05) of radius ``core_radius``
    and ``water`` decorrelated elliptic patches.  Phase noise is exact for an
    ``looks``-look interferogram: the phase of the sum of ``looks`` products of
    circular-Gaussian sample pairs with correlation γ.
    """
    from scipy import ndimage
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    s = min(rows, cols)
    cy, cx = rows * 0.5, cols * 0.5
    r2 = ((yy - cy) ** 2 + (xx - cx) ** 2) / (bowl_sigma * s) ** 2
    truth = -TWO_PI * fringes * np.exp(-0.5 * r2) + TWO_PI * ramp * xx / cols
    field = ndimage.gaussian_filter(rng.standard_normal((rows, cols)), s / 12.0)
    field = (field - field.min()) / max(np.ptp(field), 1e-12)
    coh = coh_min + (coh_max - coh_min) * field
    core = np.sqrt(((yy - cy) ** 2 + (xx - cx) ** 2)) < core_radius * s
    coh[core] = 0.05
    for _ in range(int(water)):
        wy, wx = rng.uniform(0.1, 0.9) * rows, rng.uniform(0.1, 0.9) * cols
        ay, ax = rng.uniform(0.03, 0.07) * s, rng.uniform(0.03, 0.07) * s
        coh[((yy - wy) / ay) ** 2 + ((xx - wx) / ax) ** 2 < 1] = 0.05
    g = coh[None]
    shape = (int(looks), rows, cols)
    a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))
    b = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))
    z2 = g * a + np.sqrt(1 - g * g) * b
    noise = np.angle(np.sum(a * np.conj(z2), axis=0))
    wrapped = _wrap_np(truth + noise)
    return SyntheticIfg(truth, wrapped, coh, int(looks))


def cycle_accuracy(unwrapped: np.ndarray, truth: np.ndarray, where: Optional[np.ndarray] = None) -> float:
    """Fraction of pixels whose integer cycle count is right, modulo one global offset.

    ``round((unwrapped - truth)/2π)`` is compared with its most frequent value
    over the pixels of ``where`` that are unwrapped (finite); unwrapped NaN
    pixels inside ``where`` count as wrong.
    """
    sel = np.ones(truth.shape, bool) if where is None else np.asarray(where, bool)
    if not sel.any():
        return float("nan")
    u = unwrapped[sel]
    ok = np.isfinite(u)
    k = np.round((u[ok] - truth[sel][ok]) / TWO_PI).astype(np.int64)
    if k.size == 0:
        return 0.0
    vals, counts = np.unique(k, return_counts=True)
    return float(counts.max()) / float(sel.sum())


def _multilook_noise(coh: np.ndarray, looks: int, rng) -> np.ndarray:
    g = coh[None]
    shape = (int(looks),) + coh.shape
    a = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    b = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    z2 = g * a + np.sqrt(1 - g * g) * b
    return np.angle(np.sum(a * np.conj(z2), axis=0))


def write_synthetic_stack(folder: str, *, rows: int = 100, cols: int = 100, n_dates: int = 5, max_span: int = 3,
                          fringes: float = 6.0, looks: int = 16, seed: int = 0, geotransform=None,
                          crs_epsg: int = 32651):
    """Write a wrapped-phase and a coherence pair stack with known truth (tests, demos).

    Dates every 12 days from 2020-01-01; the subsidence bowl grows linearly to
    ``fringes`` cycles at the last date; pairs join dates at most ``max_span``
    steps apart (so the network has closed triangles).  Files follow DESIGN §3
    (``MINESAR_KIND`` wrapped/coherence, pair band metadata, ``DATE_LIST``,
    ``LOOKS_*``).  Returns a dict with ``phase``, ``coherence`` (paths),
    ``truth`` ((n_pairs, rows, cols) rad), ``coherence_array``, ``pairs``.
    """
    import datetime as _dt
    from osgeo import osr
    rng = np.random.default_rng(seed)
    base = synthetic_interferogram(rows, cols, fringes=fringes, looks=looks, ramp=0.0, seed=seed)
    bowl = base.truth
    dates = [_dt.date(2020, 1, 1) + _dt.timedelta(days=12 * i) for i in range(n_dates)]
    frac = np.linspace(0.0, 1.0, n_dates)
    pairs_idx = [(i, j) for span in range(1, max_span + 1) for i in range(n_dates - span) for j in [i + span]]
    pairs = [(dates[i], dates[j]) for i, j in pairs_idx]
    truth = np.stack([(frac[j] - frac[i]) * bowl for i, j in pairs_idx])
    wrapped = np.stack([_wrap_np(t + _multilook_noise(base.coherence, looks, rng)) for t in truth])
    coh = np.repeat(base.coherence[None], len(pairs), axis=0)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(int(crs_epsg))
    gt = geotransform or (500000.0, 20.0, 0.0, 4650000.0, 0.0, -20.0)
    geom = stackio.Geometry(looks_range=int(looks), looks_azimuth=1)
    labels = [stackio.pair_label(a, b) for a, b in pairs]
    bperp = np.zeros(n_dates)
    bmd = stackio.band_metadata_for_pairs(pairs, [0.0] * len(pairs))
    md = {"DATE_LIST": ",".join(stackio.date_label(d) for d in dates),
          "DATE_BPERP_M": ",".join(repr(float(b)) for b in bperp)}
    os.makedirs(folder, exist_ok=True)
    common = dict(labels=labels, band_metadata=bmd, metadata=md, geometry=geom, geotransform=gt,
                  crs_wkt=srs.ExportToWkt())
    ph = stackio.write_raster(os.path.join(folder, "wrapped.tif"), wrapped.astype(np.float32), kind="wrapped",
                              units="radians", **common)
    co = stackio.write_raster(os.path.join(folder, "coherence.tif"), coh.astype(np.float32), kind="coherence",
                              units="1", **common)
    return {"phase": ph, "coherence": co, "truth": truth, "coherence_array": base.coherence, "pairs": pairs,
            "wrapped": wrapped}
