"""Interferograms: topographic phase removal, multilooking, coherence, ramp
removal and Goldstein filtering of an SLC stack, streamed in row blocks.

Conventions (DESIGN §2)
-----------------------
* interferogram = reference x conj(secondary), reference = the EARLIER date;
* a height ``h`` above the DEM adds ``-4*pi/lambda * (Bperp_sec - Bperp_ref) *
  h / (R sin(theta))`` to the interferogram.  A coregistered stack carries the
  phase of the true surface; ``remove_topo`` multiplies every SLC ``k`` by
  ``exp(-i * 4*pi/lambda * Bperp_k * h_dem / (R sin theta))``, which is the same
  as multiplying each interferogram by ``exp(+i * 4*pi/lambda * dB * h / (R sin
  theta))`` (i.e. by exp(-i * topographic phase)), done once per date instead
  of once per pair.  What remains is the displacement, the atmosphere and the
  DEM error.

Processing order per pair: (topography removed at full resolution) ->
multilook (``looks_azimuth`` rows x ``looks_range`` columns, complex sums; the
output grid is the floor division of the input grid) -> optional plane removal
-> coherence from the multilooked, *unfiltered* sums in a boxcar of
``coherence_window`` output pixels -> Goldstein filter (patch 32, step 16,
triangular weights) -> wrapped phase in radians.

The amplitude dispersion ``D_A = sigma_A / mu_A`` (sample standard deviation,
ddof=1) and the mean amplitude are computed per full-resolution pixel over all
acquisitions of the stack (Ferretti et al. 2001).

Block processing: every output value depends only on a bounded neighbourhood
(the multilook cell, the coherence window, the Goldstein patches on a *global*
patch grid) or on per-row sums accumulated in a fixed order (the plane fit),
so any block split gives bit-identical outputs.

Speed (docs/interferograms.md, "How the kernels are made fast"): per output
row every used date is flattened and its power summed once, then each pair is
one vectorised product; per-date 1/sqrt(power) norms turn a pair's coherence
into multiplications; float32 for products, sums, coherence and phase (errors
~1e-6), float64 for the Goldstein FFTs.  Hot loops are small row helpers so
that numba/LLVM vectorise them; fastmath without ``nnan``/``ninf``/``reassoc``.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import os
from contextlib import ExitStack
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import stackio
from .network import read_pairs_table as _network_read_pairs
from .blocks import Block, default_workers, run_blocks
from .progress import check_cancel, ensure, info as _info
from .validate import check_array, parse_date

from ._numba import njit

GOLDSTEIN_PATCH = 32
GOLDSTEIN_STEP = 16
GOLDSTEIN_SMOOTH = 3          # spectral smoothing box (fixed in the kernel)

__all__ = ["InterferogramResult", "interferogram_arrays", "compute_interferograms", "resolve_pairs",
           "read_pairs_table", "topo_phase_per_metre", "count_residues", "goldstein_filter",
           "synthetic_slc", "pair_phase_truth", "write_synthetic_stack", "GOLDSTEIN_PATCH", "GOLDSTEIN_STEP"]


# =========================================================================== kernels
# fast-math flags without 'nnan'/'ninf' (NaN/finite checks must survive) and without
# 'reassoc' (the order of every sum stays fixed, so block splits give identical bits)
_FM = {"nsz", "arcp", "contract", "afn"}
# atan(a) = a * P(a^2) on [0, 1], least-max-error fit, |error| < 3.2e-7 rad in float32
_AT0, _AT1, _AT2, _AT3, _AT4, _AT5, _AT6 = (0.9999961256980896, -0.3331736922264099, 0.19807814061641693,
                                            -0.13233336806297302, 0.07962358742952347, -0.03360414505004883,
                                            0.006811767350882292)


@njit(cache=True, nogil=True, fastmath=_FM)
def _amplitude_kernel(slc, r0, nrows, da, mean_amp):
    """D_A (ddof=1) and mean amplitude of rows r0:r0+nrows of ``slc``
    (non-finite samples count as amplitude 0).

    One pass over the dates with per-row float64 accumulators of A and A^2
    (inner loops along contiguous columns)."""
    n, _, cols = slc.shape
    s1 = np.zeros(cols)
    s2 = np.zeros(cols)
    for r in range(nrows):
        for c in range(cols):
            s1[c] = 0.0
            s2[c] = 0.0
        for k in range(n):
            for c in range(cols):
                z = slc[k, r0 + r, c]
                a = np.float64(math.sqrt(z.real * z.real + z.imag * z.imag))
                a = a if np.isfinite(a) else 0.0                   # non-finite sample = no signal
                s1[c] += a
                s2[c] += a * a
        for c in range(cols):
            m = s1[c] / n
            mean_amp[r, c] = m
            if m > 0.0 and n > 1:
                v = max(s2[c] - s1[c] * m, 0.0) / (n - 1)
                da[r, c] = math.sqrt(v) / m
            else:
                da[r, c] = np.nan


@njit(cache=True, nogil=True, fastmath=_FM)
def _flatten_row(slc, k, r, dem, kk, topo, xr, xi):
    """Row ``r`` of SLC ``k`` -> float32 rows ``xr``/``xi`` multiplied by
    exp(-i kk h) when ``topo`` (NaN height or non-finite sample -> 0).  sin/cos: float64 reduction
    by pi/2, float32 polynomials (Cephes sinf/cosf, ~1 ulp), branch-free so
    that the column loop vectorises."""
    cols = xr.shape[0]
    if not topo:
        for c in range(cols):
            v = slc[k, r, c]
            ok = np.isfinite(v.real) and np.isfinite(v.imag)
            xr[c] = v.real if ok else np.float32(0.0)
            xi[c] = v.imag if ok else np.float32(0.0)
        return
    two_over_pi = 2.0 / math.pi
    for c in range(cols):
        hc = dem[r, c]
        ok = np.isfinite(hc)
        x = -kk * np.float64(hc) if ok else 0.0
        qf = np.floor(x * two_over_pi + 0.5)
        y = np.float32(x - qf * (math.pi / 2.0))                # |y| <= pi/4
        quad = np.int64(qf) & 3
        y2 = y * y
        sn = y + y * y2 * (np.float32(-1.6666654611e-1) + y2 * (np.float32(8.3321608736e-3)
                                                               + y2 * np.float32(-1.9515295891e-4)))
        cs = (np.float32(1.0) - np.float32(0.5) * y2
              + y2 * y2 * (np.float32(4.166664568298827e-2) + y2 * (np.float32(-1.388731625493765e-3)
                                                                    + y2 * np.float32(2.443315711809948e-5))))
        swap = (quad & 1) == 1
        s_ = cs if swap else sn
        c_ = sn if swap else cs
        c_ = -c_ if (quad == 1 or quad == 2) else c_
        s_ = -s_ if quad >= 2 else s_
        v = slc[k, r, c]
        ok = ok and np.isfinite(v.real) and np.isfinite(v.imag)
        zr = v.real * c_ - v.imag * s_
        zi = v.real * s_ + v.imag * c_
        xr[c] = zr if ok else np.float32(0.0)
        xi[c] = zi if ok else np.float32(0.0)


# ---- row helpers: loops bounded by the first argument's length, called on 1-D
# contiguous slices, so that LLVM vectorises them (index arithmetic or slicing
# inside a loop defeats the vectoriser in numba 0.56)
@njit(cache=True, nogil=True, fastmath=_FM)
def _vcopy(dst, src):
    for k in range(dst.shape[0]):
        dst[k] = src[k]


@njit(cache=True, nogil=True, fastmath=_FM)
def _vadd(dst, src):
    for k in range(dst.shape[0]):
        dst[k] += src[k]


@njit(cache=True, nogil=True, fastmath=_FM)
def _cmulc(t, bre, bim, a, b, i, j, first):
    """t[0] + i t[1] (+)= plane a * conj(plane b) at look [i, j] (one output row)."""
    if first:
        for c in range(t.shape[1]):
            t[0, c] = bre[a, i, j, c] * bre[b, i, j, c] + bim[a, i, j, c] * bim[b, i, j, c]
            t[1, c] = bim[a, i, j, c] * bre[b, i, j, c] - bre[a, i, j, c] * bim[b, i, j, c]
    else:
        for c in range(t.shape[1]):
            t[0, c] += bre[a, i, j, c] * bre[b, i, j, c] + bim[a, i, j, c] * bim[b, i, j, c]
            t[1, c] += bim[a, i, j, c] * bre[b, i, j, c] - bre[a, i, j, c] * bim[b, i, j, c]


@njit(cache=True, nogil=True, fastmath=_FM)
def _pow(t, bre, bim, q, i, j, first):
    """t (+)= |plane q at look [i, j]|^2 (one output row)."""
    if first:
        for c in range(t.shape[0]):
            t[c] = bre[q, i, j, c] * bre[q, i, j, c] + bim[q, i, j, c] * bim[q, i, j, c]
    else:
        for c in range(t.shape[0]):
            t[c] += bre[q, i, j, c] * bre[q, i, j, c] + bim[q, i, j, c] * bim[q, i, j, c]


@njit(cache=True, nogil=True, fastmath=_FM)
def _store_row(out, p, r, t, m):
    """out[p, r, :] = t[m, :]."""
    for c in range(out.shape[2]):
        out[p, r, c] = t[m, c]


@njit(cache=True, nogil=True, fastmath=_FM)
def _inv_sqrt(dst, src):
    """dst = 1/sqrt(src), 0 where src <= 0."""
    for k in range(dst.shape[0]):
        x = src[k]
        dst[k] = np.float32(1.0) / math.sqrt(x) if x > 0.0 else np.float32(0.0)


@njit(cache=True, nogil=True, fastmath=_FM)
def _multilook_kernel(slc, dem, kz, uidx, topo, ref_q, sec_q, la, lr, orows, ocols, ifr, ifi, power):
    """Topographic phase removal + multilook in one pass over the output rows.

    Per output row, the ``la`` input rows of every used date (``uidx``; plane
    q = date uidx[q]) are flattened once into small float32 buffers that stay
    in cache (input column oc*lr + j at [j, oc]), their powers summed into
    ``power[q]``, then every pair's ref*conj(sec) is summed over the looks
    (row i, column j, in that order) into ``ifr``/``ifi`` (float32).  Inner
    loops run along contiguous columns with loop-invariant leading indices and
    at most three arrays, which numba/LLVM vectorise."""
    nq = uidx.shape[0]
    w = ocols * lr
    bre = np.empty((nq, la, lr, ocols), dtype=np.float32)
    bim = np.empty((nq, la, lr, ocols), dtype=np.float32)
    rr = np.empty(w, dtype=np.float32)
    ri = np.empty(w, dtype=np.float32)
    t = np.empty((2, ocols), dtype=np.float32)
    t1 = np.empty((1, ocols), dtype=np.float32)
    for orow in range(orows):
        for q in range(nq):
            k = uidx[q]
            kk = kz[k] if topo else 0.0
            for i in range(la):
                r = orow * la + i
                _flatten_row(slc, k, r, dem, kk, topo, rr, ri)
                for j in range(lr):
                    for oc in range(ocols):
                        bre[q, i, j, oc] = rr[oc * lr + j]
                        bim[q, i, j, oc] = ri[oc * lr + j]
            for i in range(la):
                for j in range(lr):
                    _pow(t1[0], bre, bim, q, i, j, i == 0 and j == 0)
            _store_row(power, q, orow, t1, 0)
        for p in range(ref_q.shape[0]):
            a = ref_q[p]
            b = sec_q[p]
            for i in range(la):
                for j in range(lr):
                    _cmulc(t, bre, bim, a, b, i, j, i == 0 and j == 0)
            _store_row(ifr, p, orow, t, 0)
            _store_row(ifi, p, orow, t, 1)


@njit(cache=True, nogil=True, fastmath=_FM)
def _box2d(x, r0, nrows, lo, hi, v, out):
    """Boxcar sums (see :func:`_box2d_rows`) in chunks of rows that stay in the
    L1 cache; ``v``: scratch of at least min(nrows, chunk) * cols values."""
    cols = x.shape[1]
    chunk = max(1, 2048 // cols)
    for c0 in range(0, nrows, chunk):
        c1 = min(nrows, c0 + chunk)
        _box2d_rows(x, r0 + c0, c1 - c0, lo, hi, v[0:(c1 - c0) * cols], out[c0 * cols:c1 * cols])


@njit(cache=True, nogil=True, fastmath=_FM)
def _box2d_rows(x, r0, nrows, lo, hi, v, out):
    """Boxcar sums of the (rows, cols) array ``x`` for rows r0:r0+nrows over
    rows r-lo..r+hi and columns c-lo..c+hi, truncated at the edges of ``x``.

    Every sum runs in increasing index order starting from the first valid
    element (vertical first into ``v``, then horizontal into ``out``; both
    (nrows * cols) flat), so a pixel's value does not depend on how the rows
    are split.  Interior rows/columns use long flat loops (vectorised)."""
    rows, cols = x.shape
    xf = x.reshape(rows * cols)
    # ---- vertical
    a = min(max(0, lo - r0), nrows)                 # rows with the full window: a <= rr < b
    b = max(min(nrows, rows - hi - r0), a)
    if b > a:
        n = (b - a) * cols
        s0 = (r0 + a - lo) * cols
        v0 = v[a * cols:b * cols]
        _vcopy(v0, xf[s0:s0 + n])
        for t in range(1, lo + hi + 1):
            _vadd(v0, xf[s0 + t * cols:s0 + t * cols + n])
    for rr in range(nrows):
        if a <= rr < b:
            continue
        r = r0 + rr
        i0 = max(0, r - lo)
        i1 = min(rows, r + hi + 1)
        vr = v[rr * cols:(rr + 1) * cols]
        _vcopy(vr, x[i0])
        for i in range(i0 + 1, i1):
            _vadd(vr, x[i])
    # ---- horizontal: flat over all rows, then the edge columns of each row
    tot = nrows * cols
    if cols > lo + hi:
        n = tot - lo - hi
        o0 = out[lo:lo + n]
        _vcopy(o0, v[0:n])
        for t in range(1, lo + hi + 1):
            _vadd(o0, v[t:t + n])
    for rr in range(nrows):
        base = rr * cols
        for c in range(cols):
            if c >= lo and c < cols - hi:
                continue
            j0 = max(0, c - lo)
            j1 = min(cols, c + hi + 1)
            s = v[base + j0]
            for j in range(j0 + 1, j1):
                s += v[base + j]
            out[base + c] = s


@njit(cache=True, nogil=True, fastmath=_FM)
def _date_norms_kernel(power, r0, nrows, win, isq, ibox):
    """Per date (plane): isq = 1/sqrt(P) of every row (0 where P = 0) and
    ibox = 1/sqrt(boxcar sum of P) of rows r0:r0+nrows (0 where the sum is 0)."""
    nq, rows, cols = power.shape
    lo = (win - 1) // 2
    hi = win // 2
    v = np.empty(nrows * cols, dtype=np.float32)
    bx = np.empty(nrows * cols, dtype=np.float32)
    for q in range(nq):
        _inv_sqrt(isq[q].reshape(rows * cols), power[q].reshape(rows * cols))
        _box2d(power[q], r0, nrows, lo, hi, v, bx)
        _inv_sqrt(ibox[q].reshape(nrows * cols), bx)


@njit(cache=True, nogil=True, fastmath=_FM)
def _zn_rows(zo, xr, xi, na, nb):
    """zo = (xr + i xi) * na * nb (complex64)."""
    for k in range(zo.shape[0]):
        g = na[k] * nb[k]
        zo[k] = complex(xr[k] * g, xi[k] * g)


@njit(cache=True, nogil=True, fastmath=_FM)
def _coh_rows(co, sr, si, ba, bb):
    """co = min(1, |sr + i si| * ba * bb), NaN where ba * bb = 0."""
    for k in range(co.shape[0]):
        w = ba[k] * bb[k]
        g = math.sqrt(sr[k] * sr[k] + si[k] * si[k]) * w
        g = g if g < np.float32(1.0) else np.float32(1.0)
        co[k] = g if w > np.float32(0.0) else np.float32(np.nan)


@njit(cache=True, nogil=True, fastmath=_FM)
def _coherence_kernel(ifr, ifi, isq, ibox, ref_q, sec_q, r0, nrows, win, z0, z1, coh, zn):
    """Boxcar coherence for rows r0:r0+nrows of the multilooked block
    (``ifr``/``ifi``: real/imaginary sums): |sum ifg| * ibox_ref * ibox_sec
    (``ibox`` from :func:`_date_norms_kernel`), at most 1, NaN where a power
    sum is 0.  Also writes ``zn`` = ifg / sqrt(P_ref P_sec) (complex64, the
    Goldstein input, magnitude = single-cell coherence) for rows z0:z1."""
    npairs, rows, cols = ifr.shape
    lo = (win - 1) // 2
    hi = win // 2
    nn = nrows * cols
    v = np.empty(nn, dtype=np.float32)
    sr = np.empty(nn, dtype=np.float32)
    si = np.empty(nn, dtype=np.float32)
    a0, a1 = z0 * cols, z1 * cols
    for p in range(npairs):
        a = ref_q[p]
        b = sec_q[p]
        _zn_rows(zn[p].reshape(rows * cols)[a0:a1], ifr[p].reshape(rows * cols)[a0:a1],
                 ifi[p].reshape(rows * cols)[a0:a1], isq[a].reshape(rows * cols)[a0:a1],
                 isq[b].reshape(rows * cols)[a0:a1])
        _box2d(ifr[p], r0, nrows, lo, hi, v, sr)
        _box2d(ifi[p], r0, nrows, lo, hi, v, si)
        _coh_rows(coh[p].reshape(nn), sr, si, ibox[a].reshape(nn), ibox[b].reshape(nn))


@njit(cache=True, nogil=True, fastmath=_FM)
def _mean_coh_acc(s, n, coh, p):
    for k in range(s.shape[0]):
        v = coh[p, k]
        ok = v == v
        s[k] += np.float64(v) if ok else 0.0
        n[k] += 1.0 if ok else 0.0


@njit(cache=True, nogil=True, fastmath=_FM)
def _mean_coh_kernel(coh, s, n, out):
    """out = NaN-aware mean of coh (npairs, m) over the pairs, summed in pair
    order in float64 (s, n: zeroed scratch of length m)."""
    for p in range(coh.shape[0]):
        _mean_coh_acc(s, n, coh, p)
    for k in range(out.shape[0]):
        out[k] = s[k] / n[k] if n[k] > 0.0 else np.nan


@njit(cache=True, nogil=True)
def _to_complex_kernel(xr, xi, z):
    """z = xr + i xi (ramp path)."""
    zf = z.reshape(z.size)
    rf = xr.reshape(xr.size)
    jf = xi.reshape(xi.size)
    for k in range(zf.shape[0]):
        zf[k] = complex(rf[k], jf[k])


@njit(cache=True, nogil=True, fastmath=_FM)
def _phase_rows(ph, z, coh):
    """ph = angle(z[:, 0] + i z[:, 1]) (float32 radians, |error| < 4e-7 rad), NaN where ``coh``
    is NaN.  Branch-free polynomial atan2 (vectorises)."""
    for k in range(ph.shape[0]):
        x = z[k, 0]
        y = z[k, 1]
        ax = abs(x)
        ay = abs(y)
        mx = max(ax, ay)
        mn = min(ax, ay)
        t = mn / mx if mx > 0.0 else np.float32(0.0)
        s = t * t
        a = t * (np.float32(_AT0) + s * (np.float32(_AT1) + s * (np.float32(_AT2) + s * (
            np.float32(_AT3) + s * (np.float32(_AT4) + s * (np.float32(_AT5) + s * np.float32(_AT6)))))))
        a = np.float32(math.pi / 2) - a if ay > ax else a
        a = np.float32(math.pi) - a if x < 0.0 else a
        a = -a if y < 0.0 else a
        g = coh[k]
        ph[k] = a if g == g else np.float32(np.nan)


@njit(cache=True, nogil=True)
def _phase_kernel(z, coh, phase):
    """phase = angle(z) (float32 radians), NaN where the coherence is undefined.
    ``z``: complex64 as a float32 (..., 2) view."""
    n = phase.size
    _phase_rows(phase.reshape(n), z.reshape(n, 2), coh.reshape(n))


@njit(cache=True, nogil=True)
def _ramp_sums_kernel(ifg, r0, nrows, gx, gy):
    """Per-row sums of unit-phasor products of horizontal (gx) and vertical (gy)
    neighbours for rows r0:r0+nrows of ``ifg`` (vertical needs row r+1)."""
    npairs, rows, cols = ifg.shape
    for p in range(npairs):
        for rr in range(nrows):
            r = r0 + rr
            sx = 0j
            sy = 0j
            for c in range(cols):
                z = ifg[p, r, c]
                az = abs(z)
                if az == 0.0:
                    continue
                z = z / az
                if c + 1 < cols:
                    w = ifg[p, r, c + 1]
                    aw = abs(w)
                    if aw > 0.0:
                        sx += (w / aw) * np.conj(z)
                if r + 1 < rows:
                    w = ifg[p, r + 1, c]
                    aw = abs(w)
                    if aw > 0.0:
                        sy += (w / aw) * np.conj(z)
            gx[p, rr] = sx
            gy[p, rr] = sy


@njit(cache=True, nogil=True)
def _apply_ramp_kernel(ifg, ramp, grow0, cy, cx):
    """ifg[p, r, c] *= exp(-i (ramp[p,0] (c - cx) + ramp[p,1] (R - cy))), R = grow0 + r."""
    npairs, rows, cols = ifg.shape
    for p in range(npairs):
        bx = ramp[p, 0]
        by = ramp[p, 1]
        for r in range(rows):
            yy = (grow0 + r) - cy
            for c in range(cols):
                ph = -(bx * (c - cx) + by * yy)
                ifg[p, r, c] = ifg[p, r, c] * complex(math.cos(ph), math.sin(ph))


@njit(cache=True, nogil=True, fastmath=_FM)
def _fft_axis0(xr, xi, rev, twr, twi, sgn):
    """In-place FFT along axis 0 of the split complex array ``xr + i xi`` (n
    rows, any number of columns), for every column at once: the inner loops
    run along contiguous rows of two float64 planes, so they vectorise (AVX:
    4 columns per instruction).

    Radix-2 decimation in time after a bit-reversal permutation (a fused
    radix-4 pass touches eight row pointers, too many for the vectoriser's
    alias checks).  Twiddles ``twr + i twi`` =
    exp(sgn 2 pi i k/n), k < n/2; ``sgn`` = -1 forward, +1 inverse
    (unnormalised).
    """
    n = xr.shape[0]
    m = xr.shape[1]
    for i in range(n):
        j = rev[i]
        if j > i:
            for c in range(m):
                t = xr[i, c]
                xr[i, c] = xr[j, c]
                xr[j, c] = t
                t = xi[i, c]
                xi[i, c] = xi[j, c]
                xi[j, c] = t
    h = 1
    while h < n:
        sa = n // (2 * h)
        for s in range(0, n, 2 * h):
            for k in range(h):
                _butterfly(xr, xi, s + k, s + k + h, twr[k * sa], twi[k * sa])
        h *= 2


@njit(cache=True, nogil=True, fastmath=_FM)
def _butterfly(xr, xi, i0, i1, wr, wi):
    """Radix-2 butterfly of rows i0, i1 for every column (four row pointers:
    LLVM vectorises it with a runtime alias check)."""
    for c in range(xr.shape[1]):
        ar = xr[i0, c]
        ai = xi[i0, c]
        yr = xr[i1, c]
        yi = xi[i1, c]
        br = yr * wr - yi * wi
        bi = yr * wi + yi * wr
        xr[i0, c] = ar + br
        xi[i0, c] = ai + bi
        xr[i1, c] = ar - br
        xi[i1, c] = ai - bi


@njit(cache=True, nogil=True)
def _transpose_square(buf):
    n = buf.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            t = buf[i, j]
            buf[i, j] = buf[j, i]
            buf[j, i] = t


@njit(cache=True, nogil=True, fastmath=_FM)
def _mag_row(m0, br, bi, i):
    for j in range(m0.shape[1]):
        m0[i, j] = math.sqrt(np.float32(br[i, j] * br[i, j] + bi[i, j] * bi[i, j]))  # float32: 2x faster


@njit(cache=True, nogil=True, fastmath=_FM)
def _vsum3_row(tmp, m0, i, a0, a1):
    for j in range(tmp.shape[1]):
        tmp[i, j] = m0[a0, j] + m0[i, j] + m0[a1, j]


@njit(cache=True, nogil=True, fastmath=_FM)
def _scale_row(br, bi, hm, i):
    for j in range(br.shape[1]):
        br[i, j] *= hm[i, j]
        bi[i, j] *= hm[i, j]


@njit(cache=True, nogil=True, fastmath=_FM)
def _sqrt_row(hm, i, inv):
    for j in range(hm.shape[1]):
        hm[i, j] = math.sqrt(np.float32(hm[i, j] * inv))


@njit(cache=True, nogil=True, fastmath=_FM)
def _spectrum_filter(br, bi, line, tmp, mag, im1, ip1, alpha):
    """Multiply the patch spectrum ``br + i bi`` in place by H = (S / max S)^alpha,
    S = |spectrum| smoothed by a circular 3 x 3 boxcar (vertical, then
    horizontal sums).  False if the patch is empty."""
    n = br.shape[0]
    for i in range(n):
        _mag_row(mag, br, bi, i)
    for i in range(n):
        _vsum3_row(tmp, mag, i, im1[i], ip1[i])
    smax = 0.0
    for i in range(n):
        v2 = tmp[i, n - 1] + tmp[i, 0] + tmp[i, 1]
        mag[i, 0] = v2
        smax = max(smax, v2)
        for j in range(1, n - 1):
            v2 = tmp[i, j - 1] + tmp[i, j] + tmp[i, j + 1]
            mag[i, j] = v2
            smax = max(smax, v2)
        v2 = tmp[i, n - 2] + tmp[i, n - 1] + tmp[i, 0]
        mag[i, n - 1] = v2
        smax = max(smax, v2)
    if smax <= 0.0:                        # no data in this patch
        return False
    inv = 1.0 / smax
    if alpha == 0.5:
        for i in range(n):
            _sqrt_row(mag, i, inv)
    else:
        for i in range(n):
            for j in range(n):
                x = mag[i, j] * inv
                if alpha == 1.0:
                    h = x
                elif x > 0.0:
                    h = math.exp(alpha * math.log(x))
                else:
                    h = 0.0
                mag[i, j] = h
    for i in range(n):
        _scale_row(br, bi, mag, i)
    return True


@njit(cache=True, nogil=True)
def _goldstein_kernel(zn, grow0, height, core0, ncore, alpha, step, rev, tw, wts, out):
    """Goldstein filter of rows core0:core0+ncore (global output rows).

    ``zn`` (npairs, rows, cols) holds global rows grow0:grow0+rows; patches of
    size n = len(rev) sit on the global grid k*step (k >= -1), zero outside the
    image, and are blended with the separable weights ``wts``.  The spectrum
    magnitude is smoothed over 3 x 3 bins (circularly), normalised by its
    maximum and raised to ``alpha``.  FFTs run on split real/imaginary
    float64 planes (vectorised, see :func:`_fft_axis0`).
    """
    npairs, rows, cols = zn.shape
    n = rev.shape[0]
    twr = np.ascontiguousarray(tw.real)
    twf = np.ascontiguousarray(tw.imag)       # forward: exp(-2 pi i k / n)
    twb = -twf                                # inverse: the conjugate
    br = np.zeros((n, n))
    bi = np.zeros((n, n))
    mag = np.zeros((n, n))
    tmp = np.zeros((n, n))
    line = np.zeros(n)
    im1 = np.empty(n, dtype=np.int64)
    ip1 = np.empty(n, dtype=np.int64)
    for i in range(n):
        im1[i] = (i - 1) % n
        ip1[i] = (i + 1) % n
    acr = np.zeros((ncore, cols))
    aci = np.zeros((ncore, cols))
    nback = (n + step - 1) // step - 1
    kr0 = core0 // step - nback
    kr1 = (core0 + ncore - 1) // step
    kc0 = -nback
    kc1 = (cols - 1) // step
    sw = (kc1 - kc0) * step + n                 # strip width: all patches of a patch row
    sr = np.zeros((n, sw))
    si = np.zeros((n, sw))
    coff = kc0 * step                          # global column of strip column 0
    scale = 1.0 / (n * n)                      # inverse FFT normalisation
    for p in range(npairs):
        acr[:, :] = 0.0
        aci[:, :] = 0.0
        for kr in range(kr0, kr1 + 1):
            pr0 = kr * step
            ia = max(0, -pr0)                  # patch rows inside the image
            ib = min(n, height - pr0)
            if ib <= ia:
                continue
            # first FFT pass (along rows) once for the whole strip: shared by overlapping patches
            for i in range(n):
                if i < ia or i >= ib:
                    for j in range(sw):
                        sr[i, j] = 0.0
                        si[i, j] = 0.0
                    continue
                lr_ = pr0 + i - grow0
                for j in range(sw):
                    gc = coff + j
                    if gc >= 0 and gc < cols:
                        v = zn[p, lr_, gc]
                        sr[i, j] = v.real
                        si[i, j] = v.imag
                    else:
                        sr[i, j] = 0.0
                        si[i, j] = 0.0
            _fft_axis0(sr, si, rev, twr, twf, -1.0)
            for kc in range(kc0, kc1 + 1):
                pc0 = kc * step
                ja = max(0, -pc0)
                jb = min(n, cols - pc0)
                so = pc0 - coff
                # second pass (along columns) on the transposed patch: the spectrum is left
                # transposed, which the symmetric filter does not mind
                for j in range(n):
                    for i in range(n):
                        br[j, i] = sr[i, so + j]
                        bi[j, i] = si[i, so + j]
                _fft_axis0(br, bi, rev, twr, twf, -1.0)
                if not _spectrum_filter(br, bi, line, tmp, mag, im1, ip1, alpha):
                    continue
                # inverse 2-D FFT (undoing the transpose); the 1/n^2 scale is common to all patches
                _fft_axis0(br, bi, rev, twr, twb, 1.0)
                _transpose_square(br)
                _transpose_square(bi)
                _fft_axis0(br, bi, rev, twr, twb, 1.0)
                for i in range(n):
                    gr = pr0 + i
                    if gr < core0 or gr >= core0 + ncore:
                        continue
                    wi = wts[i] * scale
                    for j in range(ja, jb):
                        wij = wi * wts[j]
                        acr[gr - core0, pc0 + j] += br[i, j] * wij
                        aci[gr - core0, pc0 + j] += bi[i, j] * wij
        # every pixel is covered by two patches per axis whose weights sum to 1, so no
        # normalisation is needed (only the phase is used downstream)
        for r in range(ncore):
            for c in range(cols):
                out[p, r, c] = complex(acr[r, c], aci[r, c])


@njit(cache=True, nogil=True)
def _residue_kernel(phase):
    """Number of non-zero residues of a wrapped phase image (2x2 loops)."""
    rows, cols = phase.shape
    count = 0
    twopi = 2.0 * math.pi
    for r in range(rows - 1):
        for c in range(cols - 1):
            a = phase[r, c]
            b = phase[r, c + 1]
            cc = phase[r + 1, c + 1]
            d = phase[r + 1, c]
            if not (np.isfinite(a) and np.isfinite(b) and np.isfinite(cc) and np.isfinite(d)):
                continue
            s = 0.0
            for x, y in ((a, b), (b, cc), (cc, d), (d, a)):
                g = y - x
                g = g - twopi * math.floor((g + math.pi) / twopi)
                s += g
            if abs(s) > math.pi:
                count += 1
    return count


# ===================================================================== small helpers
def _fft_tables(n: int):
    bits = int(round(math.log2(n)))
    if 2 ** bits != n:
        raise ValueError(f"Goldstein patch size must be a power of 2, got {n}")
    rev = np.array([int(format(i, f"0{bits}b")[::-1], 2) for i in range(n)], dtype=np.int64)
    tw = np.exp(-2j * np.pi * np.arange(n // 2) / n).astype(np.complex128)
    return rev, tw


def _ramp_weights(n: int, step: int) -> np.ndarray:
    """Triangular blending weights; with step = n/2 overlapping weights sum to 1."""
    i = np.arange(n, dtype=np.float64) + 0.5
    return np.clip(1.0 - np.abs(i - n / 2.0) / (n - step), 1e-6, None)


def topo_phase_per_metre(geometry: stackio.Geometry) -> float:
    """4*pi/lambda / (R sin theta): topographic phase (rad) per metre of height
    and per metre of perpendicular baseline."""
    g = geometry
    return 4.0 * math.pi / g.wavelength_m / (g.slant_range_m * math.sin(math.radians(g.incidence_deg)))


def count_residues(phase: np.ndarray) -> int:
    """Number of phase residues (non-zero 2x2 loop sums) of a wrapped phase image."""
    a = check_array("phase", phase, ndim=2, dtype_kind="f")
    return int(_residue_kernel(np.ascontiguousarray(a, dtype=np.float64)))


def goldstein_filter(ifg: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """Goldstein & Werner (1998) filter of one complex interferogram (patch 32,
    step 16, 3x3 spectral smoothing, triangular blending).  Returns complex."""
    z = check_array("ifg", ifg, ndim=2, dtype_kind="c")
    a = float(alpha)
    if not (0.0 <= a <= 1.0):
        raise ValueError(f"GOLDSTEIN_ALPHA: must be in [0, 1], got {alpha!r}")
    zz = np.ascontiguousarray(np.nan_to_num(z), dtype=np.complex64)[None]
    if a == 0.0:
        return zz[0].astype(np.complex64)
    rev, tw = _fft_tables(GOLDSTEIN_PATCH)
    out = np.zeros_like(zz)
    _goldstein_kernel(zz, 0, zz.shape[1], 0, zz.shape[1], a, GOLDSTEIN_STEP, rev, tw,
                      _ramp_weights(GOLDSTEIN_PATCH, GOLDSTEIN_STEP), out)
    return out[0]


# ========================================================================= pairs
def _as_date(x, name):
    if isinstance(x, _dt.datetime):
        return x.date()
    if isinstance(x, _dt.date):
        return x
    return parse_date(x, name=name)


def resolve_pairs(pairs, dates: Sequence[_dt.date], *, name: str = "PAIRS", feedback=None):
    """Validate ``pairs`` against the stack ``dates``.

    ``pairs``: sequence of ``(ref, sec)`` (dates or ``YYYYMMDD`` strings) or
    ``YYYYMMDD_YYYYMMDD`` labels; ``None``/empty means all consecutive pairs.
    A pair given in the wrong order is swapped (the reference is the earlier
    date) with a warning.  Returns ``(pairs, ref_idx, sec_idx)``.
    """
    dates = list(dates)
    pos = {d: i for i, d in enumerate(dates)}
    if pairs is None or len(pairs) == 0:
        if len(dates) < 2:
            raise ValueError(f"{name}: the stack has {len(dates)} date(s); at least 2 are needed")
        order = sorted(dates)
        out = list(zip(order[:-1], order[1:]))
    else:
        out, seen = [], set()
        for i, p in enumerate(pairs):
            where = f"{name} row {i + 1}"
            if isinstance(p, str):
                r, s = stackio.parse_pair(p, name=where)
            else:
                try:
                    r, s = p
                except (TypeError, ValueError):
                    raise ValueError(f"{where}: {p!r} is not a (reference, secondary) pair") from None
                r, s = _as_date(r, where), _as_date(s, where)
            if r == s:
                raise ValueError(f"{where}: reference and secondary are the same date {r:%Y%m%d}")
            if r > s:
                from .progress import warn
                warn(feedback, f"{where}: {r:%Y%m%d}_{s:%Y%m%d} swapped so that the reference is the earlier date")
                r, s = s, r
            missing = [d for d in (r, s) if d not in pos]
            if missing:
                raise ValueError(f"{where}: date(s) {', '.join(f'{d:%Y%m%d}' for d in missing)} of pair "
                                 f"{r:%Y%m%d}_{s:%Y%m%d} are not in the stack "
                                 f"({dates[0]:%Y%m%d} ... {dates[-1]:%Y%m%d}, {len(dates)} dates)")
            if (r, s) in seen:
                raise ValueError(f"{where}: pair {r:%Y%m%d}_{s:%Y%m%d} is listed twice")
            seen.add((r, s))
            out.append((r, s))
    ref_idx = np.array([pos[r] for r, _ in out], dtype=np.int64)
    sec_idx = np.array([pos[s] for _, s in out], dtype=np.int64)
    return out, ref_idx, sec_idx


def read_pairs_table(path: str, *, name: str = "PAIRS") -> List[Tuple[_dt.date, _dt.date]]:
    """Read a pairs table (``pairnetwork`` output) with ``network.read_pairs_table``;
    errors name ``name``."""
    try:
        return [(_as_date(r, name), _as_date(s, name)) for r, s in _network_read_pairs(path)]
    except ValueError as exc:
        msg = str(exc)
        raise ValueError(msg if msg.startswith(name) else f"{name}: {msg}") from None


# ====================================================================== the engine
@dataclasses.dataclass
class _Plan:
    ref_idx: np.ndarray
    sec_idx: np.ndarray
    used: np.ndarray          # bool per date
    kz: Optional[np.ndarray]  # per date (rad/m of height) or None
    la: int
    lr: int
    win: int
    alpha: float
    height: int               # input rows
    width: int
    out_h: int
    out_w: int
    pad_out: int              # output rows of padding
    need_da: bool
    ramp: Optional[np.ndarray] = None
    da_part: Tuple[int, int] = (0, 1)   # (group, groups): share of the D_A rows of this pair group


def _make_plan(n_dates, width, height, ref_idx, sec_idx, *, looks_range, looks_azimuth, coherence_window,
               goldstein_alpha, kz, remove_ramp, need_da) -> _Plan:
    la, lr = int(looks_azimuth), int(looks_range)
    out_h, out_w = height // la, width // lr
    win = int(coherence_window)
    pad = max(win // 2 + 1, 1 if remove_ramp else 0, GOLDSTEIN_PATCH if goldstein_alpha > 0 else 0)
    used = np.zeros(n_dates, dtype=np.bool_)
    used[ref_idx] = True
    used[sec_idx] = True
    return _Plan(ref_idx, sec_idx, used, kz, la, lr, win, float(goldstein_alpha), height, width, out_h, out_w,
                 pad, need_da)


def _validate_options(width, height, looks_range, looks_azimuth, coherence_window, goldstein_alpha):
    for key, v, size, what in (("LOOKS_RANGE", looks_range, width, "columns"),
                               ("LOOKS_AZIMUTH", looks_azimuth, height, "rows")):
        if v is None or int(v) != v or int(v) < 1:
            raise ValueError(f"{key}: looks must be a whole number >= 1, got {v!r}")
        if int(v) > size:
            raise ValueError(f"{key}: {int(v)} looks is larger than the image ({size} {what})")
    w = coherence_window
    if w is None or int(w) != w or int(w) < 1:
        raise ValueError(f"COHERENCE_WINDOW: must be a whole number >= 1, got {w!r}")
    a = goldstein_alpha
    if a is None or not (0.0 <= float(a) <= 1.0):
        raise ValueError(f"GOLDSTEIN_ALPHA: must be in [0, 1] (0 disables the filter), got {a!r}")


def _compute_window(slc, dem, plan: _Plan, read_row0: int, row0: int, nrows: int, mode: str):
    """Compute one block.  ``slc``: (n_dates, rows, width) complex64 holding
    input rows read_row0:read_row0+rows; the block owns input rows
    row0:row0+nrows (row0 and read_row0 are multiples of looks_azimuth)."""
    slc = np.ascontiguousarray(slc, dtype=np.complex64)      # read only; non-finite samples count as 0
    res = {}
    if mode == "full" and plan.need_da:
        # this pair group computes its share of the rows (balances the threads)
        g, ng = plan.da_part
        d0 = row0 + (nrows * g) // ng
        d1 = row0 + (nrows * (g + 1)) // ng
        da = np.empty((d1 - d0, plan.width), dtype=np.float32)
        ma = np.empty((d1 - d0, plan.width), dtype=np.float32)
        _amplitude_kernel(slc, d0 - read_row0, d1 - d0, da, ma)
        res["da"], res["mean_amp"], res["da_rows"] = da, ma, (d0 - row0, d1 - row0)
    # per date once per output row: topography removed, powers; then the pairs
    uidx = np.flatnonzero(plan.used).astype(np.int64)
    qpos = np.full(plan.used.shape[0], -1, np.int64)
    qpos[uidx] = np.arange(uidx.shape[0])
    ref_q, sec_q = qpos[plan.ref_idx], qpos[plan.sec_idx]
    topo = plan.kz is not None
    la, lr = plan.la, plan.lr
    o_read0 = read_row0 // la
    orows = min(slc.shape[1] // la, plan.out_h - o_read0)
    o0 = row0 // la
    o1 = min((row0 + nrows) // la, plan.out_h)
    ncore = max(o1 - o0, 0)
    res["o0"], res["ncore"] = o0, ncore
    npairs = plan.ref_idx.shape[0]
    ifr = np.empty((npairs, orows, plan.out_w), dtype=np.float32)
    ifi = np.empty_like(ifr)
    power = np.empty((uidx.shape[0], orows, plan.out_w), dtype=np.float32)
    _multilook_kernel(slc, np.ascontiguousarray(dem, dtype=np.float32) if topo else np.zeros((1, 1), np.float32),
                      plan.kz if topo else np.zeros(plan.used.shape[0]), uidx, topo, ref_q, sec_q, la, lr,
                      orows, plan.out_w, ifr, ifi, power)
    del slc
    if mode == "ramp" or plan.ramp is not None:
        ifg = np.empty(ifr.shape, dtype=np.complex64)
        _to_complex_kernel(ifr, ifi, ifg)
    if mode == "ramp":
        del ifr, ifi, power
        gx = np.zeros((npairs, ncore), dtype=np.complex128)
        gy = np.zeros((npairs, ncore), dtype=np.complex128)
        if ncore:
            _ramp_sums_kernel(ifg, o0 - o_read0, ncore, gx, gy)
        res["gx"], res["gy"] = gx, gy
        return res
    if plan.ramp is not None:
        _apply_ramp_kernel(ifg, plan.ramp, o_read0, (plan.out_h - 1) / 2.0, (plan.out_w - 1) / 2.0)
        ifr, ifi = np.ascontiguousarray(ifg.real), np.ascontiguousarray(ifg.imag)
        del ifg
    coh = np.empty((npairs, ncore, plan.out_w), dtype=np.float32)       # every value is written
    zn = np.empty(ifr.shape, dtype=np.complex64)                          # rows z0:z1 are written
    goldstein = plan.alpha > 0 and ncore
    if ncore:
        isq = np.empty_like(power)
        ibox = np.empty((power.shape[0], ncore, plan.out_w), dtype=np.float32)
        _date_norms_kernel(power, o0 - o_read0, ncore, plan.win, isq, ibox)
        z0, z1 = (0, orows) if goldstein else (o0 - o_read0, o0 - o_read0 + ncore)
        _coherence_kernel(ifr, ifi, isq, ibox, ref_q, sec_q, o0 - o_read0, ncore, plan.win, z0, z1, coh, zn)
        del isq, ibox
    del ifr, ifi, power
    if goldstein:
        rev, tw = _fft_tables(GOLDSTEIN_PATCH)
        filt = np.empty((npairs, ncore, plan.out_w), dtype=np.complex64)
        _goldstein_kernel(zn, o_read0, plan.out_h, o0, ncore, plan.alpha, GOLDSTEIN_STEP,
                          rev, tw, _ramp_weights(GOLDSTEIN_PATCH, GOLDSTEIN_STEP), filt)
    else:
        filt = np.ascontiguousarray(zn[:, o0 - o_read0:o0 - o_read0 + ncore])
    phase = np.empty(coh.shape, dtype=np.float32)
    _phase_kernel(np.ascontiguousarray(filt, dtype=np.complex64).view(np.float32), coh, phase)
    res["phase"], res["coh"] = phase, coh
    return res


def _mean_coherence(coh: np.ndarray) -> np.ndarray:
    """NaN-aware mean over pairs (axis 0); NaN where every pair is NaN."""
    c = np.ascontiguousarray(coh, dtype=np.float32)
    m = c.shape[1] * c.shape[2]
    out = np.empty(m, np.float32)
    _mean_coh_kernel(c.reshape(c.shape[0], m), np.zeros(m), np.zeros(m), out)
    return out.reshape(c.shape[1:])


def _group_plans(plan: _Plan, n_groups: int):
    """Split the pairs into ``n_groups`` contiguous groups: [(slice, plan)]."""
    npairs = plan.ref_idx.shape[0]
    n_groups = max(1, min(int(n_groups), npairs))
    edges = np.linspace(0, npairs, n_groups + 1).round().astype(int)
    out = []
    for g in range(n_groups):
        sl = slice(int(edges[g]), int(edges[g + 1]))
        ri, si = plan.ref_idx[sl], plan.sec_idx[sl]
        used = np.zeros_like(plan.used)
        used[ri] = True
        used[si] = True
        out.append((sl, dataclasses.replace(plan, ref_idx=ri, sec_idx=si, used=used,
                                            da_part=(g, n_groups),
                                            ramp=None if plan.ramp is None else plan.ramp[sl])))
    return out


def _engine(plan: _Plan, windows, load, emit, *, workers: int, feedback=None, two_pass: bool = False):
    """Run the plan over row windows ``(read_row0, read_rows, row0, nrows)``.

    ``load(window) -> (slc, dem)`` reads a window (in a worker thread);
    ``emit(window, res)`` receives, in the calling thread and once per window,
    the complete result (all pairs: ``phase``, ``coh``, ``mean_coh``, ``o0``,
    ``ncore`` and, when wanted, ``da``/``mean_amp``).  When there are fewer
    row windows than workers the pairs are split into groups so that every
    core works; the numbers do not depend on the split.  Returns the ramps.
    """
    feedback = ensure(feedback)
    npairs = plan.ref_idx.shape[0]
    n_groups = 1 if len(windows) >= workers else int(math.ceil(workers / max(len(windows), 1)))
    blocks = [Block(len(windows) * g + i, tuple(wnd), {}, {"group": g, "window": i})
              for g in range(min(n_groups, npairs)) for i, wnd in enumerate(windows)]

    def runner(mode, groups):
        def one(b):
            ra, rn, r0, nr = b.window
            slc, dem = load(b.window)
            return _compute_window(slc, dem, groups[b.params["group"]][1], ra, r0, nr, mode)
        return one

    if two_pass:
        groups = _group_plans(plan, n_groups)
        gx = np.zeros((npairs, plan.out_h), np.complex128)
        gy = np.zeros_like(gx)

        def take(b, res):
            sl = groups[b.params["group"]][0]
            gx[sl, res["o0"]:res["o0"] + res["ncore"]] = res["gx"]
            gy[sl, res["o0"]:res["o0"] + res["ncore"]] = res["gy"]

        run_blocks(blocks, runner("ramp", groups), feedback=feedback, workers=workers, on_result=take,
                   progress_range=(0.0, 40.0))
        plan.ramp = _ramp_from_sums(gx, gy)
    groups = _group_plans(plan, n_groups)
    pending: Dict[int, dict] = {}

    def collect(b, res):
        i, g = b.params["window"], b.params["group"]
        sl = groups[g][0]
        if len(groups) == 1:
            full = res
        else:
            full = pending.setdefault(i, {"n": 0, "o0": res["o0"], "ncore": res["ncore"],
                                          "phase": np.empty((npairs, res["ncore"], plan.out_w), np.float32),
                                          "coh": np.empty((npairs, res["ncore"], plan.out_w), np.float32)})
            full["phase"][sl] = res["phase"]
            full["coh"][sl] = res["coh"]
            if "da" in res:
                if "da" not in full:
                    nr = windows[i][3]
                    full["da"] = np.empty((nr, plan.width), np.float32)
                    full["mean_amp"] = np.empty((nr, plan.width), np.float32)
                d0, d1 = res["da_rows"]
                full["da"][d0:d1], full["mean_amp"][d0:d1] = res["da"], res["mean_amp"]
            full["n"] += 1
            if full["n"] < len(groups):
                return
            del pending[i]
        full["mean_coh"] = _mean_coherence(full["coh"]) if full["ncore"] else None
        emit(windows[i], full)

    run_blocks(blocks, runner("full", groups), feedback=feedback, workers=workers, on_result=collect,
               progress_range=(40.0 if two_pass else 0.0, 100.0))
    return plan.ramp


def _ramp_from_sums(gx_rows: np.ndarray, gy_rows: np.ndarray) -> np.ndarray:
    """(npairs, 2) slopes [rad per output column, rad per output row]."""
    sx = gx_rows.sum(axis=1)
    sy = gy_rows.sum(axis=1)
    return np.stack([np.angle(sx), np.angle(sy)], axis=1).astype(np.float64)


# ==================================================================== in memory
@dataclasses.dataclass
class InterferogramResult:
    """In-memory result of :func:`interferogram_arrays`."""

    pairs: List[Tuple[_dt.date, _dt.date]]
    phase: np.ndarray             # (n_pairs, out_rows, out_cols) float32, rad, wrapped
    coherence: np.ndarray         # (n_pairs, out_rows, out_cols) float32
    mean_coherence: np.ndarray    # (out_rows, out_cols) float32
    amplitude_dispersion: np.ndarray  # (rows, cols) float32
    mean_amplitude: np.ndarray    # (rows, cols) float32
    ramp: Optional[np.ndarray] = None  # (n_pairs, 2) rad per output column / row


def interferogram_arrays(slc: np.ndarray, dates: Sequence, pairs=None, *, dem: Optional[np.ndarray] = None,
                         bperp_m: Optional[Sequence[float]] = None,
                         geometry: Optional[stackio.Geometry] = None, looks_range: int = 1,
                         looks_azimuth: int = 1, coherence_window: int = 5, remove_topo: bool = False,
                         remove_ramp: bool = False, goldstein_alpha: float = 0.0,
                         block_rows: Optional[int] = None, workers: int = 1) -> InterferogramResult:
    """Interferograms of an in-memory SLC stack (same engine as the file path).

    Parameters
    ----------
    slc : (n_dates, rows, cols) complex array
    dates : n_dates dates (``date`` or ``YYYYMMDD``), one per SLC
    pairs : (ref, sec) pairs or ``YYYYMMDD_YYYYMMDD`` labels; None = consecutive
    dem : (rows, cols) heights in m (needed for ``remove_topo``)
    bperp_m : per-date perpendicular baselines in m (needed for ``remove_topo``)
    geometry : scene geometry (wavelength, slant range, incidence)
    block_rows : process in blocks of this many input rows; None = one block
    workers : threads running the blocks (numba kernels release the GIL)

    Returns
    -------
    InterferogramResult with wrapped phase (rad), coherence, mean coherence
    on the multilooked grid (rows // looks_azimuth, cols // looks_range) and
    D_A and mean amplitude on the full-resolution grid.
    """
    a = check_array("STACK", slc, ndim=3)
    if a.dtype.kind != "c":
        raise ValueError(f"STACK: an SLC stack must be complex, got {a.dtype}")
    n, h, w = a.shape
    ds = [_as_date(d, f"dates[{i}]") for i, d in enumerate(dates)]
    if len(ds) != n:
        raise ValueError(f"dates: {len(ds)} dates for {n} SLCs")
    _validate_options(w, h, looks_range, looks_azimuth, coherence_window, goldstein_alpha)
    pl, ref_idx, sec_idx = resolve_pairs(pairs, ds)
    kz = None
    if remove_topo:
        if dem is None:
            raise ValueError("DEM: REMOVE_TOPO needs a DEM")
        dem = check_array("DEM", dem, ndim=2, shape=(h, w), dtype_kind="fiu")
        if bperp_m is None or len(bperp_m) != n:
            raise ValueError("BPERP_M: REMOVE_TOPO needs one perpendicular baseline per date")
        kz = topo_phase_per_metre((geometry or stackio.Geometry()).validate()) * np.asarray(bperp_m, np.float64)
    plan = _make_plan(n, w, h, ref_idx, sec_idx, looks_range=looks_range, looks_azimuth=looks_azimuth,
                      coherence_window=coherence_window, goldstein_alpha=goldstein_alpha, kz=kz,
                      remove_ramp=remove_ramp, need_da=True)
    la = plan.la
    step = h if block_rows is None else max(la, (int(block_rows) // la) * la)
    windows = []
    for r in range(0, h, step):
        nr = min(step, h - r)
        ra = max(0, r - plan.pad_out * la)
        rb = min(h, r + nr + plan.pad_out * la)
        windows.append((ra, rb - ra, r, nr))
    phase = np.full((len(pl), plan.out_h, plan.out_w), np.nan, np.float32)
    coh = np.full_like(phase, np.nan)
    mcoh = np.full((plan.out_h, plan.out_w), np.nan, np.float32)
    da = np.full((h, w), np.nan, np.float32)
    ma = np.full_like(da, np.nan)

    def load(wnd):
        ra, rn = wnd[0], wnd[1]
        return np.ascontiguousarray(a[:, ra:ra + rn], dtype=np.complex64), (None if kz is None else dem[ra:ra + rn])

    def emit(wnd, res):
        s = slice(res["o0"], res["o0"] + res["ncore"])
        if res["ncore"]:
            phase[:, s], coh[:, s], mcoh[s] = res["phase"], res["coh"], res["mean_coh"]
        da[wnd[2]:wnd[2] + wnd[3]], ma[wnd[2]:wnd[2] + wnd[3]] = res["da"], res["mean_amp"]

    _engine(plan, windows, load, emit, workers=max(1, int(workers)), two_pass=bool(remove_ramp))
    return InterferogramResult(pl, phase, coh, mcoh, da, ma, plan.ramp)


# ======================================================================== files
def _check_dem(dem_path: str, info: stackio.StackInfo, *, name: str = "DEM"):
    dinfo = stackio.read_stack_info(dem_path, name=name)
    if (dinfo.width, dinfo.height) != (info.width, info.height):
        raise ValueError(f"{name}: {dem_path} is {dinfo.width} x {dinfo.height} pixels but the stack is "
                         f"{info.width} x {info.height}; resample the DEM onto the SLC grid")
    if dinfo.dtype.startswith("complex"):
        raise ValueError(f"{name}: {dem_path} is complex; a DEM holds heights in metres")
    if dinfo.crs_wkt and info.crs_wkt:
        from osgeo import osr
        a, b = osr.SpatialReference(), osr.SpatialReference()
        a.ImportFromWkt(dinfo.crs_wkt)
        b.ImportFromWkt(info.crs_wkt)
        if not a.IsSame(b):
            raise ValueError(f"{name}: {dem_path} is in another CRS ({a.GetName()}) than the stack "
                             f"({b.GetName()}); reproject the DEM onto the SLC grid")
    if dinfo.geotransform and info.geotransform and dinfo.crs_wkt and info.crs_wkt:
        g1, g2 = np.array(dinfo.geotransform), np.array(info.geotransform)
        tol = 0.01 * max(abs(g2[1]), abs(g2[5]), 1e-12)
        if np.any(np.abs(g1 - g2) > tol):
            raise ValueError(f"{name}: {dem_path} covers another area or pixel size than the stack "
                             f"(geotransform {tuple(g1)} vs {tuple(g2)}); resample the DEM onto the SLC grid")
    return dinfo


def compute_interferograms(stack: str, pairs=None, *, output_phase: str, output_coherence: str,
                           output_mean_coherence: Optional[str] = None,
                           output_amplitude_dispersion: Optional[str] = None, dem: Optional[str] = None,
                           looks_range: int = 1, looks_azimuth: int = 1, coherence_window: int = 5,
                           remove_topo: bool = False, remove_ramp: bool = False, goldstein_alpha: float = 0.5,
                           memory_mb: float = 1024, workers: Optional[int] = None,
                           feedback=None) -> Dict[str, object]:
    """The ``interferograms`` stage on files, block by block.

    Parameters
    ----------
    stack : path of an SLC stack (``buildstack`` VRT or any complex multi-band raster
        whose bands carry dates and ``BPERP_M``)
    pairs : list of pairs (see :func:`resolve_pairs`), a path to a pairs table
        (CSV/GeoPackage with REF_DATE,SEC_DATE or PAIR), or None/empty for all
        consecutive pairs
    output_phase, output_coherence : GeoTIFF paths (one band per pair)
    output_mean_coherence, output_amplitude_dispersion : optional GeoTIFF paths;
        the latter has two bands, ``D_A`` and ``MEAN_AMPLITUDE`` (full resolution)
    dem : DEM on the stack grid (m); default: the stack's ``DEM_PATH``
    looks_range, looks_azimuth : multilook factors (columns, rows)
    coherence_window : boxcar size in output pixels
    remove_topo : remove the DEM's topographic phase (DESIGN §2)
    remove_ramp : remove a best-fit phase plane per interferogram
    goldstein_alpha : Goldstein exponent in [0, 1]; 0 disables the filter
    memory_mb : memory budget for all concurrently processed blocks (MiB)

    Returns a dict with the output paths, ``pairs``, ``n_blocks``,
    ``mean_coherence`` (scene average) and ``ramps`` (or None).
    """
    feedback = ensure(feedback)
    info = stackio.read_stack_info(stack, name="STACK")
    if not info.is_complex:
        raise ValueError(f"STACK: {stack} is not complex ({info.dtype}); interferograms need an SLC stack "
                         f"(build it with minesar:buildstack)")
    stackio.require_dates(info, name="STACK")
    _validate_options(info.width, info.height, looks_range, looks_azimuth, coherence_window, goldstein_alpha)
    if isinstance(pairs, (str, os.PathLike)):
        pairs = read_pairs_table(str(pairs)) if str(pairs).strip() else None
    pl, ref_idx, sec_idx = resolve_pairs(pairs, info.dates, feedback=feedback)
    if not output_phase or not output_coherence:
        raise ValueError("OUTPUT_PHASE: the wrapped phase and coherence outputs are required")
    outs = [p for p in (output_phase, output_coherence, output_mean_coherence, output_amplitude_dispersion) if p]
    if len({os.path.abspath(p) for p in outs}) != len(outs):
        raise ValueError("OUTPUT_PHASE: every output needs its own file name")
    if any(os.path.abspath(p) == os.path.abspath(stack) for p in outs):
        raise ValueError("OUTPUT_PHASE: an output would overwrite the input stack")
    bperp = info.date_bperp_m
    dem_path = dem or None
    kz = None
    if remove_topo:
        if not dem_path:
            dem_path = info.dem_path
        if not dem_path:
            raise ValueError("DEM: REMOVE_TOPO needs a DEM (give DEM or build the stack with one)")
        if bperp is None or len(bperp) != len(info.dates):
            raise ValueError(f"STACK: {stack} has no BPERP_M per date; the topographic phase cannot be computed")
        _check_dem(dem_path, info)
        kz = topo_phase_per_metre(info.geometry.validate()) * np.asarray(bperp, np.float64)
    elif dem_path:
        _check_dem(dem_path, info)
    n, h, w = len(info.dates), info.height, info.width
    plan = _make_plan(n, w, h, ref_idx, sec_idx, looks_range=looks_range, looks_azimuth=looks_azimuth,
                      coherence_window=coherence_window, goldstein_alpha=goldstein_alpha, kz=kz,
                      remove_ramp=remove_ramp, need_da=bool(output_amplitude_dispersion))
    la, lr = plan.la, plan.lr
    npairs = len(pl)
    workers = default_workers() if workers is None else max(1, int(workers))
    # bytes held per input pixel of a block row: SLCs (read + working copy), DEM,
    # multilooked complex sums / powers / normalised ifg / filter output / phase / coherence
    bpp = 16.0 * n + 8.0 + (8.0 * npairs * 4 + 8.0 * npairs + 8.0 * n) / (la * lr) + 16.0
    budget = float(memory_mb) / workers
    blocks_rows = stackio.plan_row_blocks(h, w, bytes_per_pixel=bpp, memory_mb=budget,
                                          overlap=plan.pad_out * la, multiple=la)
    windows = [(b.read_row0, b.read_nrows, b.row0, b.nrows) for b in blocks_rows]
    _info(feedback, f"{npairs} pairs, {len(windows)} row block(s), output grid {plan.out_w} x {plan.out_h}")

    def load(wnd):
        ra, rn = wnd[0], wnd[1]
        slc = stackio.read_block(stack, ra, rn, dtype=np.complex64, nodata_to_nan=False)
        d = stackio.read_block(dem_path, ra, rn, bands=[0], dtype=np.float32)[0] if kz is not None else None
        return slc, d

    out_gt = None
    if info.geotransform is not None:
        g = info.geotransform
        out_gt = (g[0], g[1] * lr, g[2] * lr, g[3], g[4] * la, g[5] * la)
    geom = dataclasses.replace(info.geometry, looks_range=info.geometry.looks_range * lr,
                               looks_azimuth=info.geometry.looks_azimuth * la)
    bperp_pairs = None if bperp is None else [float(bperp[s] - bperp[r]) for r, s in zip(ref_idx, sec_idx)]
    labels = [stackio.pair_label(r, s) for r, s in pl]
    extra = {"DATE_LIST": ",".join(stackio.date_label(d) for d in info.dates),
             "TOPO_REMOVED": "YES" if kz is not None else "NO",
             "RAMP_REMOVED": "YES" if remove_ramp else "NO",
             "GOLDSTEIN_ALPHA": repr(float(goldstein_alpha)),
             "COHERENCE_WINDOW": str(int(coherence_window)),
             "SOURCE_STACK": os.path.abspath(stack)}
    if bperp is not None:
        extra["DATE_BPERP_M"] = ",".join(repr(float(v)) for v in bperp)
    if kz is not None:
        extra["DEM_PATH"] = os.path.abspath(dem_path)
    common = dict(width=plan.out_w, height=plan.out_h, geometry=geom, geotransform=out_gt,
                  crs_wkt=info.crs_wkt, dtype="float32")
    bmd = stackio.band_metadata_for_pairs(pl, bperp_pairs)
    mcoh_sum = [0.0, 0]
    with ExitStack() as stack_cm:
        w_phase = stack_cm.enter_context(stackio.StackWriter(
            output_phase, count=npairs, kind="wrapped", units="radians", labels=labels, band_metadata=bmd,
            metadata=extra, **common))
        w_coh = stack_cm.enter_context(stackio.StackWriter(
            output_coherence, count=npairs, kind="coherence", units="1", labels=labels, band_metadata=bmd,
            metadata=extra, **common))
        w_mcoh = None
        if output_mean_coherence:
            w_mcoh = stack_cm.enter_context(stackio.StackWriter(
                output_mean_coherence, count=1, kind="mean_coherence", units="1", labels=["mean_coherence"],
                metadata=dict(extra, N_PAIRS=str(npairs)), **common))
        w_da = None
        if output_amplitude_dispersion:
            g0 = info.geometry
            w_da = stack_cm.enter_context(stackio.StackWriter(
                output_amplitude_dispersion, width=w, height=h, count=2, dtype="float32",
                kind="amplitude_dispersion", units="1 (D_A); amplitude (MEAN_AMPLITUDE)",
                labels=["D_A", "MEAN_AMPLITUDE"],
                band_metadata=[{"QUANTITY": "D_A", "UNITS": "1"}, {"QUANTITY": "MEAN_AMPLITUDE", "UNITS": "amplitude"}],
                metadata={"DATE_LIST": extra["DATE_LIST"], "N_DATES": str(n), "SOURCE_STACK": extra["SOURCE_STACK"]},
                geometry=g0, like=info))

        def write(wnd, res):
            o0, nc = res["o0"], res["ncore"]
            if nc:
                w_phase.write(res["phase"], row0=o0)
                w_coh.write(res["coh"], row0=o0)
                if w_mcoh is not None:
                    w_mcoh.write(res["mean_coh"][None], row0=o0)
                m = res["mean_coh"]
                f = np.isfinite(m)
                mcoh_sum[0] += float(m[f].astype(np.float64).sum())
                mcoh_sum[1] += int(f.sum())
            if w_da is not None:
                w_da.write(np.stack([res["da"], res["mean_amp"]]), row0=wnd[2])

        _engine(plan, windows, load, write, workers=workers, feedback=feedback, two_pass=bool(remove_ramp))
        check_cancel(feedback)
    return {"OUTPUT_PHASE": os.path.abspath(output_phase), "OUTPUT_COHERENCE": os.path.abspath(output_coherence),
            "OUTPUT_MEAN_COHERENCE": os.path.abspath(output_mean_coherence) if output_mean_coherence else None,
            "OUTPUT_AMPLITUDE_DISPERSION": (os.path.abspath(output_amplitude_dispersion)
                                            if output_amplitude_dispersion else None),
            "pairs": pl, "n_blocks": len(windows),
            "mean_coherence": mcoh_sum[0] / mcoh_sum[1] if mcoh_sum[1] else float("nan"),
            "ramps": plan.ramp}


# ================================================================ synthetic data
def synthetic_slc(coherence, *, disp_mm=None, bperp_m=None, height_m=None,
                  geometry: Optional[stackio.Geometry] = None, amplitude=None, seed: int = 0) -> np.ndarray:
    """A minimal SLC stack following DESIGN §2 (tests, benchmark, examples).

    SLC ``k`` = ``amplitude * exp(i phi_k) * (sqrt(g) c + sqrt(1-g) e_k)`` with
    ``c``, ``e_k`` unit circular-Gaussian speckle (common / per date), so that
    every interferogram has the model coherence ``g`` (``coherence``: scalar or
    (rows, cols)), and ``phi_k = 4 pi / lambda * disp_mm[k] / 1000 + kz_k h``
    with ``kz_k = 4 pi / lambda * bperp_m[k] / (R sin theta)`` and ``h`` the
    true surface height (``height_m``).  Shapes: ``disp_mm`` (n, rows, cols).
    Returns (n, rows, cols) complex64.
    """
    g = geometry or stackio.Geometry()
    if disp_mm is None:
        raise ValueError("disp_mm: required (use zeros for no motion)")
    d = np.asarray(disp_mm, dtype=np.float64)
    n, rows, cols = d.shape
    rng = np.random.default_rng(seed)
    gam = np.broadcast_to(np.asarray(coherence, dtype=np.float64), (rows, cols))

    def speckle():
        return (rng.standard_normal((rows, cols)) + 1j * rng.standard_normal((rows, cols))) / math.sqrt(2.0)

    common = speckle()
    phi = 4.0 * math.pi / g.wavelength_m * d / 1000.0
    if height_m is not None and bperp_m is not None:
        kz = topo_phase_per_metre(g) * np.asarray(bperp_m, dtype=np.float64)
        phi = phi + kz[:, None, None] * np.asarray(height_m, dtype=np.float64)[None]
    amp = 1.0 if amplitude is None else np.asarray(amplitude, dtype=np.float64)
    out = np.empty((n, rows, cols), dtype=np.complex64)
    for k in range(n):
        out[k] = amp * np.exp(1j * phi[k]) * (np.sqrt(gam) * common + np.sqrt(1.0 - gam) * speckle())
    return out


def pair_phase_truth(ref: int, sec: int, *, disp_mm, bperp_m=None, dem_error_m=None,
                     geometry: Optional[stackio.Geometry] = None, looks_range: int = 1,
                     looks_azimuth: int = 1) -> np.ndarray:
    """Model phase of ref x conj(sec) after topographic removal with the DEM:
    ``4 pi/lambda (d_ref - d_sec)/1000 - kz_unit (B_sec - B_ref) dem_error``,
    multilooked as the phase of the mean phasor.  (out_rows, out_cols) rad."""
    g = geometry or stackio.Geometry()
    d = np.asarray(disp_mm, dtype=np.float64)
    ph = 4.0 * math.pi / g.wavelength_m * (d[ref] - d[sec]) / 1000.0
    if dem_error_m is not None and bperp_m is not None:
        ph = ph - topo_phase_per_metre(g) * (bperp_m[sec] - bperp_m[ref]) * np.asarray(dem_error_m, np.float64)
    la, lr = int(looks_azimuth), int(looks_range)
    h, w = (ph.shape[0] // la) * la, (ph.shape[1] // lr) * lr
    z = np.exp(1j * ph[:h, :w]).reshape(h // la, la, w // lr, lr).mean(axis=(1, 3))
    return np.angle(z)


def write_synthetic_stack(folder: str, slc: np.ndarray, dates: Sequence, bperp_m: Sequence[float], *,
                          dem: Optional[np.ndarray] = None, geometry: Optional[stackio.Geometry] = None,
                          pixel_m: float = 20.0, origin=(500000.0, 4650000.0), crs_epsg: int = 32651) -> str:
    """Write ``slc`` as GeoTIFFs + manifest (+ DEM) in ``folder`` and build the
    stack VRT with :func:`stackio.build_stack`; returns the VRT path."""
    from osgeo import osr
    os.makedirs(os.path.join(folder, "slc"), exist_ok=True)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(int(crs_epsg))
    gt = (origin[0], pixel_m, 0.0, origin[1], 0.0, -pixel_m)
    entries = []
    for k, d in enumerate(dates):
        d = _as_date(d, "dates")
        p = os.path.join(folder, "slc", f"{stackio.date_label(d)}.tif")
        stackio.write_raster(p, slc[k], kind="slc", geotransform=gt, crs_wkt=srs.ExportToWkt(), dtype="complex64")
        entries.append((d, p, float(bperp_m[k])))
    man = stackio.write_manifest(os.path.join(folder, "manifest.csv"), entries)
    dem_path = None
    if dem is not None:
        dem_path = stackio.write_raster(os.path.join(folder, "dem.tif"), np.asarray(dem, np.float32), kind="dem",
                                        units="m", geotransform=gt, crs_wkt=srs.ExportToWkt())
    out = os.path.join(folder, "stack.vrt")
    stackio.build_stack(man, out, geometry=geometry, dem=dem_path)
    return out
