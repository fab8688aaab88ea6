#!/usr/bin/env python3
"""Benchmark of minesar:interferograms: numba engine vs a plain numpy implementation.

A Puhe-like stack (42 dates, 12-day sampling, pairs with temporal baseline
< 72 days -> ~216 interferograms; DESIGN §2 signal with topography) on a
smaller grid.  Every path does the same steps: topographic phase removal per
date, amplitude dispersion, multilook (LOOKS_RANGE x LOOKS_AZIMUTH), boxcar
coherence, Goldstein filter (alpha 0.5, patch 32, step 16), wrapped phase.

Prints a table of pixels*pairs per second (input pixels x interferograms per
second) for
  * numpy   — the plain numpy reference written below (single thread, as numpy is),
  * numba   — algorithms.interferogram.interferogram_arrays, blocks on the thread pool,
  * numba+IO — compute_interferograms on GeoTIFF/VRT files (reads, writes, two outputs per pair),
and checks that the numpy reference and the numba engine agree.

Run: /usr/bin/python3 bench/bench_interferograms.py [--rows 256 --cols 512 --dates 42]
     [--alpha 0 (no Goldstein)] [--profile (CPU time per numba kernel, 1 thread)]
On a shared machine compare the CPU-time columns and run each measurement twice.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _import_minesar():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _common import import_minesar
    import_minesar()
    from minesar.algorithms import interferogram, stackio  # noqa: F401
    return interferogram, stackio


# ======================================================================= numpy reference
def _box_sum(a, win):
    """Boxcar sum over win x win (truncated at the edges) with cumulative sums."""
    lo, hi = (win - 1) // 2, win // 2
    out = a
    for axis in (0, 1):
        n = out.shape[axis]
        c = np.cumsum(out, axis=axis)
        pad_shape = list(out.shape)
        pad_shape[axis] = 1
        c = np.concatenate([np.zeros(pad_shape, dtype=c.dtype), c], axis=axis)
        idx = np.arange(n)
        top = np.minimum(idx + hi + 1, n)
        bot = np.maximum(idx - lo, 0)
        out = np.take(c, top, axis=axis) - np.take(c, bot, axis=axis)
    return out


def _goldstein_numpy(z, alpha, n=32, step=16):
    """Goldstein filter, numpy: batch FFT of all patches on the grid k*step (k >= -1)."""
    rows, cols = z.shape
    nr = (rows - 1) // step + 2          # patches per axis, first at -step
    nc = (cols - 1) // step + 2
    padded = np.zeros(((nr + 1) * step, (nc + 1) * step), dtype=np.complex128)
    padded[step:step + rows, step:step + cols] = z
    patches = np.lib.stride_tricks.sliding_window_view(padded, (n, n))[::step, ::step][:nr, :nc]
    f = np.fft.fft2(patches)
    mag = np.abs(f)
    sm = sum(np.roll(np.roll(mag, a, axis=-2), b, axis=-1) for a in (-1, 0, 1) for b in (-1, 0, 1))
    smax = sm.max(axis=(-2, -1), keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = np.where(smax > 0, (sm / np.where(smax > 0, smax, 1.0)) ** alpha, 0.0)
    g = np.fft.ifft2(f * h)
    i = np.arange(n) + 0.5
    w1 = np.clip(1.0 - np.abs(i - n / 2.0) / (n - step), 1e-6, None)
    w = w1[:, None] * w1[None, :]
    acc = np.zeros_like(padded)
    wsum = np.zeros(padded.shape)
    for qi in range(2):
        for qj in range(2):
            sl = (slice(qi * step, (qi + 1) * step), slice(qj * step, (qj + 1) * step))
            tiles = g[:, :, sl[0], sl[1]] * w[sl]
            a = acc[qi * step:qi * step + nr * step, qj * step:qj * step + nc * step]
            a += tiles.transpose(0, 2, 1, 3).reshape(nr * step, nc * step)
            ws = wsum[qi * step:qi * step + nr * step, qj * step:qj * step + nc * step]
            ws += np.broadcast_to(w[sl], (nr, nc, step, step)).transpose(0, 2, 1, 3).reshape(nr * step, nc * step)
    out = acc[step:step + rows, step:step + cols] / wsum[step:step + rows, step:step + cols]
    return out


def numpy_reference(slc, dem, kz, ref_idx, sec_idx, la, lr, win, alpha):
    """The same steps as the numba engine, in plain numpy."""
    n, rows, cols = slc.shape
    orow, ocol = rows // la, cols // lr
    amp = np.abs(slc)
    mu = amp.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        da = amp.std(axis=0, ddof=1) / mu
    flat = slc * np.exp(-1j * kz[:, None, None] * dem[None]).astype(np.complex64)
    cut = flat[:, :orow * la, :ocol * lr]
    power = (np.abs(cut) ** 2).reshape(n, orow, la, ocol, lr).sum(axis=(2, 4))
    pbox = [_box_sum(power[k], win) for k in range(n)]
    phase = np.empty((len(ref_idx), orow, ocol), np.float32)
    coh = np.empty_like(phase)
    for p, (i, j) in enumerate(zip(ref_idx, sec_idx)):
        ifg = (cut[i] * np.conj(cut[j])).reshape(orow, la, ocol, lr).sum(axis=(1, 3))
        num = _box_sum(ifg, win)
        with np.errstate(invalid="ignore", divide="ignore"):
            coh[p] = np.minimum(np.abs(num) / np.sqrt(pbox[i] * pbox[j]), 1.0)
            zn = np.nan_to_num(ifg / np.sqrt(power[i] * power[j]))
        phase[p] = np.angle(_goldstein_numpy(zn, alpha) if alpha > 0 else zn)
    return phase, coh, da, mu


# ============================================================================ the stack
def make_stack(I, rows, cols, n_dates, seed=0):
    rng = np.random.default_rng(seed)
    dates = [dt.date(2018, 1, 11) + dt.timedelta(days=12 * k) for k in range(n_dates)]
    bperp = np.cumsum(rng.normal(0, 25.0, n_dates))
    bperp -= bperp[0]
    bperp = np.clip(bperp, -110, 110)
    y, x = np.mgrid[0:rows, 0:cols]
    dem = (80.0 + 40.0 * np.sin(x / 50.0) * np.cos(y / 40.0)).astype(np.float32)
    bowl = np.exp(-(((x - cols * 0.4) / (cols * 0.12)) ** 2 + ((y - rows * 0.5) / (rows * 0.2)) ** 2))
    t = np.arange(n_dates) / (n_dates - 1)
    disp = -190.0 * t[:, None, None] * bowl[None]
    slc = I.synthetic_slc(0.6, disp_mm=disp, bperp_m=bperp, height_m=dem, seed=seed)
    pairs = [(dates[i], dates[j]) for i in range(n_dates) for j in range(i + 1, n_dates)
             if (dates[j] - dates[i]).days < 72]
    return slc, dem, dates, bperp, pairs


def profile_kernels(I, run, repeat):
    """CPU time per ``*_kernel`` function of the engine (wrapped from Python, so
    only the top-level kernels are timed); best of ``repeat`` runs."""
    import collections
    orig = {n: getattr(I, n) for n in dir(I) if n.endswith("_kernel") and callable(getattr(I, n))}
    acc = collections.defaultdict(float)

    def wrap(name, f):
        def g(*a, **k):
            c = time.process_time()
            try:
                return f(*a, **k)
            finally:
                acc[name] += time.process_time() - c
        return g

    best = None
    try:
        for name, f in orig.items():
            setattr(I, name, wrap(name, f))
        for _ in range(max(1, repeat)):
            acc.clear()
            c = time.process_time()
            run()
            tot = time.process_time() - c
            if best is None or tot < best[0]:
                best = (tot, dict(acc))
    finally:
        for name, f in orig.items():
            setattr(I, name, f)
    tot, per = best
    print(f"\nCPU time per kernel, 1 thread (total {tot:.3f} s):")
    for name, v in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<22} {v:7.3f} s  {100 * v / tot:5.1f} %")
    print(f"  {'Python / allocation':<22} {tot - sum(per.values()):7.3f} s")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=256)
    ap.add_argument("--cols", type=int, default=512)
    ap.add_argument("--dates", type=int, default=42)
    ap.add_argument("--looks-range", type=int, default=4)
    ap.add_argument("--looks-azimuth", type=int, default=1)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--skip-io", action="store_true", help="skip the end-to-end file run")
    ap.add_argument("--profile", action="store_true", help="only print the CPU time per numba kernel (1 thread)")
    args = ap.parse_args(argv)
    I, stackio = _import_minesar()
    slc, dem, dates, bperp, pairs = make_stack(I, args.rows, args.cols, args.dates)
    pl, ri, si = I.resolve_pairs(pairs, dates)
    kz = I.topo_phase_per_metre(stackio.Geometry()) * bperp
    npx = args.rows * args.cols
    work = npx * len(pairs)
    opts = dict(looks_range=args.looks_range, looks_azimuth=args.looks_azimuth, coherence_window=args.window,
                remove_topo=True, goldstein_alpha=args.alpha)
    print(f"stack: {args.dates} dates, {len(pairs)} pairs, {args.rows} x {args.cols} pixels, looks "
          f"{args.looks_range} x {args.looks_azimuth} (range x azimuth), coherence window {args.window}, "
          f"Goldstein alpha {args.alpha}, {args.workers} worker thread(s) on {os.cpu_count()} core(s)")
    # warm-up: numba compile / cache load on a small piece
    t0 = time.perf_counter()
    I.interferogram_arrays(slc[:, :64, :64], dates, pairs[:3], dem=dem[:64, :64], bperp_m=bperp, **opts)
    print(f"numba warm-up (compile or cache load): {time.perf_counter() - t0:.2f} s")
    if args.profile:
        return profile_kernels(I, lambda: I.interferogram_arrays(slc, dates, pairs, dem=dem, bperp_m=bperp,
                                                                 workers=1, **opts), args.repeat)

    def best(fn):
        """min wall time, min CPU time (all threads of the process) and the result."""
        walls, cpus = [], []
        out = None
        for _ in range(max(1, args.repeat)):
            c = time.process_time()
            t = time.perf_counter()
            out = fn()
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        return min(walls), min(cpus), out

    t_np, c_np, (ph_np, coh_np, da_np, mu_np) = best(lambda: numpy_reference(
        slc, dem, kz, ri, si, args.looks_azimuth, args.looks_range, args.window, args.alpha))
    t_nb1, c_nb1, _ = best(lambda: I.interferogram_arrays(slc, dates, pairs, dem=dem, bperp_m=bperp, workers=1,
                                                          **opts))
    t_nb, c_nb, r = best(lambda: I.interferogram_arrays(slc, dates, pairs, dem=dem, bperp_m=bperp,
                                                        workers=args.workers, **opts))
    # agreement of the two implementations
    dph = np.angle(np.exp(1j * (r.phase - ph_np)))
    agree_phase = float(np.nanmax(np.abs(dph)))
    agree_coh = float(np.nanmax(np.abs(r.coherence - coh_np)))
    agree_da = float(np.nanmax(np.abs(r.amplitude_dispersion - da_np)))
    rows_tbl = [("numpy reference (1 thread)", t_np, c_np), ("numba engine, 1 thread", t_nb1, c_nb1),
                (f"numba engine, {args.workers} threads", t_nb, c_nb)]
    if not args.skip_io:
        with tempfile.TemporaryDirectory() as d:
            vrt = I.write_synthetic_stack(os.path.join(d, "in"), slc, dates, bperp, dem=dem)

            def run_files():
                return I.compute_interferograms(
                    vrt, pairs, output_phase=os.path.join(d, "ph.tif"), output_coherence=os.path.join(d, "coh.tif"),
                    output_mean_coherence=os.path.join(d, "mc.tif"),
                    output_amplitude_dispersion=os.path.join(d, "da.tif"), workers=args.workers, memory_mb=1024,
                    **opts)
            t_io, c_io, res = best(run_files)
            rows_tbl.append((f"numba + GDAL I/O, {args.workers} threads", t_io, c_io))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print()
    print(f"| {'path':<36} | {'wall (s)':>8} | {'CPU (s)':>8} | {'Mpix*pairs/s':>12} | {'wall vs numpy':>13} | "
          f"{'CPU vs numpy':>12} |")
    print(f"|{'-' * 38}|{'-' * 10}|{'-' * 10}|{'-' * 14}|{'-' * 15}|{'-' * 14}|")
    for name, t, c in rows_tbl:
        print(f"| {name:<36} | {t:8.3f} | {c:8.3f} | {work / t / 1e6:12.1f} | {t_np / t:12.1f}x | {c_np / c:11.1f}x |")
    print()
    print(f"agreement numba vs numpy: max |d phase| {agree_phase:.2e} rad, max |d coherence| {agree_coh:.2e}, "
          f"max |d D_A| {agree_da:.2e}")
    ncpu = os.cpu_count() or 1
    single = c_np / c_nb1
    est = c_np / (c_nb / min(args.workers, ncpu))
    print(f"load average during the run: {load:.1f} on {ncpu} cores (other processes share the machine)")
    print(f"measured wall-clock speed-up, {args.workers} threads: {t_np / t_nb:.1f}x")
    print(f"single-thread CPU-time speed-up: {single:.1f}x; on {min(args.workers, ncpu)} idle cores "
          f"(numpy CPU / (numba CPU / cores)): {est:.1f}x")
    speedup = max(t_np / t_nb, est)
    print(f"=> {'meets' if speedup >= 5 else 'BELOW'} the 5x target")
    return 0 if speedup >= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
