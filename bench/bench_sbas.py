#!/usr/bin/env python3
"""Benchmark: MineSAR ``sbas`` vs MintPy ``ifgram_inversion`` on the same stack.

Run with Debian's Python (the plugin's)::

    /usr/bin/python3 bench/bench_sbas.py [--rows 200 --cols 200 --dates 20]

MintPy runs in ``bench/.venv-peers`` (``bench/setup_venvs.sh``) as a separate
process: this script exports the simulated stack as ``.npy`` files, a helper
script inside the venv writes MintPy's ``ifgramStack.h5`` with h5py and runs
``ifgram_inversion.py`` (``-w no`` and ``-w var``); MintPy is never imported
by the plugin's Python.  MineSAR runs in-process (numba compiled beforehand on
a tiny stack) with the same reference pixel, no DEM error and no atmospheric
filter, on ``--workers`` threads.  Printed: wall time of the inversion for both,
the speed-up, and the agreement max |d_MineSAR - d_MintPy| (mm) over all dates
and pixels.  A second part runs MineSAR in a child process on a larger stack
with a small ``MEMORY_MB`` and reports the peak resident memory (ru_maxrss).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
VENV_PY = ROOT / "bench" / ".venv-peers" / "bin" / "python"
VENV_BIN = ROOT / "bench" / ".venv-peers" / "bin"


def _import_minesar():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import import_minesar
    import_minesar(ROOT / "tests")


def simulate(rows, cols, n_dates, seed=0, hole_frac=0.3):
    """Noisy simulated stack with coherence and some NaN holes (partial networks)."""
    from test_sbas_helpers import make_stack
    d = make_stack(rows=rows, cols=cols, n_dates=n_dates, step_days=12, noise_rad=0.4, max_btemp=60, seed=seed,
                   atmo_mm=2.0, atmo_sigma_px=6.0)
    rng = np.random.default_rng(seed + 1)
    coh = np.clip(rng.normal(0.55, 0.15, d["phase"].shape), 0.05, 0.98).astype(np.float32)
    ph = d["phase"].astype(np.float32)
    # decorrelated patches: per interferogram a smooth random field is thresholded, so that about
    # ``hole_frac`` of the pixels miss some interferograms and the holes are spatially coherent
    # (as coherence masks of real stacks: fields, water, seasonal vegetation)
    from scipy.ndimage import gaussian_filter
    nifg = ph.shape[0]
    q = 1.0 - (1.0 - hole_frac) ** (1.0 / nifg)
    holes = np.zeros(ph.shape, bool)
    for i in range(nifg):
        f = gaussian_filter(rng.standard_normal(ph.shape[1:]), 8.0)
        holes[i] = f > np.quantile(f, 1.0 - q)
    ph[holes] = np.nan
    ph[:, 0, 0] = d["phase"][:, 0, 0]          # the reference pixel keeps all its phase
    d["phase"], d["coherence"] = ph, coh
    return d


MINTPY_HELPER = textwrap.dedent(r'''
    import json, os, resource, subprocess, sys, time
    import numpy as np, h5py
    work, weight = sys.argv[1], sys.argv[2]
    meta = json.load(open(os.path.join(work, "meta.json")))
    ph = np.load(os.path.join(work, "phase.npy")); coh = np.load(os.path.join(work, "coh.npy"))
    stack = os.path.join(work, "ifgramStack.h5")
    if not os.path.exists(stack):
        with h5py.File(stack, "w") as f:
            f.create_dataset("unwrapPhase", data=np.nan_to_num(ph, nan=0.0).astype(np.float32))
            f.create_dataset("coherence", data=coh.astype(np.float32))
            f.create_dataset("date", data=np.array([[a.encode(), b.encode()] for a, b in meta["pairs"]]))
            f.create_dataset("bperp", data=np.array(meta["bperp"], np.float32))
            f.create_dataset("dropIfgram", data=np.ones(len(meta["pairs"]), bool))
            attrs = dict(FILE_TYPE="ifgramStack", LENGTH=str(ph.shape[1]), WIDTH=str(ph.shape[2]),
                         WAVELENGTH=str(meta["wavelength"]), REF_Y=str(meta["ref"][0]), REF_X=str(meta["ref"][1]),
                         ALOOKS="1", RLOOKS="1", PROCESSOR="isce", UNIT="radian", PLATFORM="Sen",
                         STARTING_RANGE="800000", RANGE_PIXEL_SIZE="2.33", AZIMUTH_PIXEL_SIZE="13.9",
                         INCIDENCE_ANGLE="39.0", HEADING="-12.0", CENTER_LINE_UTC="45000", ORBIT_DIRECTION="ASCENDING")
            f.attrs.update(attrs)
    out = os.path.join(work, f"ts_{weight}.h5")
    cmd = [os.path.join(sys.argv[3], "ifgram_inversion.py"), stack, "-w", weight, "-o", out,
           os.path.join(work, f"tcoh_{weight}.h5"), os.path.join(work, f"nobs_{weight}.h5")]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-4000:] + p.stderr[-4000:]); sys.exit(1)
    with h5py.File(out, "r") as f:
        ts = f["timeseries"][:]
    np.save(os.path.join(work, f"mintpy_ts_{weight}.npy"), ts)
    # MintPy's own timing line ("time used: ...") for the inversion step
    used = [l for l in p.stdout.splitlines() if "time used" in l.lower()]
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "used": used[-1] if used else ""}))
''')


def run_mintpy(work, weight):
    helper = Path(work) / "mintpy_helper.py"
    helper.write_text(MINTPY_HELPER)
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")
    env.pop("PYTHONPATH", None)
    p = subprocess.run([str(VENV_PY), str(helper), str(work), weight, str(VENV_BIN)], capture_output=True, text=True,
                       env=env)
    if p.returncode != 0:
        raise RuntimeError(f"MintPy failed:\n{p.stderr[-3000:]}")
    info = json.loads(p.stdout.strip().splitlines()[-1])
    return info, np.load(Path(work) / f"mintpy_ts_{weight}.npy")


def _connected_pixels(phase, pairs):
    """(rows, cols) bool: True where the valid interferograms connect every date."""
    dates = sorted({d for p in pairs for d in p})
    idx = {d: i for i, d in enumerate(dates)}
    valid = np.isfinite(phase)                                   # (n_pairs, rows, cols)
    flat = valid.reshape(valid.shape[0], -1)
    patterns, inverse = np.unique(flat.T, axis=0, return_inverse=True)
    ok_pattern = np.zeros(len(patterns), bool)
    for k, pat in enumerate(patterns):
        parent = list(range(len(dates)))

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a
        for use, (r, s2) in zip(pat, pairs):
            if use:
                parent[find(idx[r])] = find(idx[s2])
        ok_pattern[k] = len({find(i) for i in range(len(dates))}) == 1
    return ok_pattern[inverse.ravel()].reshape(phase.shape[1:])


def run_minesar(unw, coh, work, weight, ref, workers, memory_mb=1024):
    from minesar.algorithms import sbas, stackio
    t0, c0 = time.perf_counter(), os.times()
    sbas.run_sbas(str(unw), coherence_path=str(coh), out_timeseries=str(Path(work) / f"ms_ts_{weight}.tif"),
                  out_velocity=str(Path(work) / f"ms_v_{weight}.tif"), weight=weight, coherence_threshold=0.0,
                  min_coherent_fraction=0.0, min_redundancy=1, reference=ref, dem_error=False, atmosphere=False,
                  memory_mb=memory_mb, workers=workers)
    wall, c1 = time.perf_counter() - t0, os.times()
    cpu = (c1.user - c0.user) + (c1.system - c0.system)
    return wall, cpu, stackio.read_block(str(Path(work) / f"ms_ts_{weight}.tif"), dtype="float64")


def child_peak(args_list):
    """Run this script as a child and return (stdout, its peak RSS in MiB).

    The peak is the child's VmHWM (/proc/self/status), which starts afresh at exec; ru_maxrss
    from wait4 would include the parent's pages copied at fork."""
    out_f = tempfile.TemporaryFile(mode="w+")
    p = subprocess.Popen([sys.executable, __file__] + args_list, stdout=out_f, stderr=subprocess.STDOUT, text=True)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    out_f.seek(0)
    out = out_f.read()
    if p.returncode != 0:
        raise RuntimeError(out[-3000:])
    j = json.loads(out.strip().splitlines()[-1])
    return out, j.get("hwm_mib") or ru.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=400)
    ap.add_argument("--cols", type=int, default=400)
    ap.add_argument("--dates", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--hole-frac", type=float, default=0.3)
    ap.add_argument("--weights", default="no,var")
    ap.add_argument("--mem-rows", type=int, default=700)
    ap.add_argument("--mem-dates", type=int, default=30)
    ap.add_argument("--memory-mb", type=float, default=32)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-compare", action="store_true", help="only the peak-memory part")
    ap.add_argument("--child", nargs=4, metavar=("UNW", "WORK", "MEMORY_MB", "ATMO"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    _import_minesar()
    from minesar.algorithms import stackio
    from test_sbas_helpers import write_stack

    if args.child:
        unw, work, mem, atmo = args.child
        from minesar.algorithms import sbas
        t0 = time.perf_counter()
        s = sbas.run_sbas(unw, out_timeseries=str(Path(work) / "ts_mem.tif"), out_velocity=str(Path(work) / "v.tif"),
                          reference=(0, 0), memory_mb=float(mem), atmosphere=atmo == "1", dem_error=True)
        hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")]
        print(json.dumps({"wall": time.perf_counter() - t0, "blocks": s.n_blocks,
                          "hwm_mib": int(hwm[0].split()[1]) / 1024.0 if hwm else None}))
        return

    work = Path(tempfile.mkdtemp(prefix="bench_sbas_"))
    print(f"work folder: {work}")
    # compile the numba kernels first (cache=True): not part of the timing
    tiny = simulate(8, 8, 6)
    write_stack(work / "tiny.tif", tiny, coherence=tiny["coherence"], coherence_path=work / "tiny_coh.tif")
    for w in ("no", "var"):
        run_minesar(work / "tiny.tif", work / "tiny_coh.tif", work, w, (0, 0), args.workers)

    if args.skip_compare:
        args.weights = ""
        args.rows = args.cols = 8
    d = simulate(args.rows, args.cols, args.dates, hole_frac=args.hole_frac)
    unw, coh = work / "unw.tif", work / "coh.tif"
    write_stack(unw, d, coherence=d["coherence"], coherence_path=coh)
    np.save(work / "phase.npy", d["phase"])
    np.save(work / "coh.npy", d["coherence"])
    meta = {"pairs": [[stackio.date_label(a), stackio.date_label(b)] for a, b in d["pairs"]],
            "bperp": [0.0] * len(d["pairs"]), "wavelength": d["geometry"].wavelength_m, "ref": [0, 0]}
    (work / "meta.json").write_text(json.dumps(meta))
    npix = args.rows * args.cols
    print(f"stack: {args.rows} x {args.cols} px, {args.dates} dates, {len(d['pairs'])} interferograms, "
          f"{np.isnan(d['phase']).any(axis=0).mean() * 100:.1f} % pixels with NaN in some interferogram; "
          f"MineSAR on {args.workers} threads")
    connected = _connected_pixels(d["phase"], d["pairs"])
    print(f"{(~connected).sum()} pixels whose valid interferograms leave the dates disconnected "
          f"(rank-deficient: the minimum-norm answer is not unique and MintPy's phase-based and "
          f"Berardino's velocity-based minimum norms differ there); agreement is judged on the others")
    # MintPy reads a referenced phase of exactly 0.0 as no data (ifgram_inversion.py: "convert zero value
    # in unwrapPhase to NaN"): where a pixel's float32 phase equals the reference pixel's bit for bit,
    # MintPy drops that interferogram and MineSAR keeps it -- a different (valid) problem, reported apart
    ph32 = d["phase"].astype(np.float32)
    zero = ((ph32 - ph32[:, :1, :1]) == 0).any(axis=0)
    zero[0, 0] = False
    print(f"{zero.sum()} pixels with a referenced phase of exactly 0.0 in some interferogram (MintPy's no-data "
          f"value: MintPy drops that interferogram there); reported apart from the agreement")
    rows = []
    for w in [x for x in args.weights.split(",") if x]:
        ms_wall, ms_cpu, ms_ts = run_minesar(unw, coh, work, w, (0, 0), args.workers)
        mp_info, mp_ts = run_mintpy(work, w)
        mp_mm = mp_ts * 1000.0
        ok = np.isfinite(ms_ts) & (mp_mm != 0)
        ok[:, 0, 0] = False                       # MintPy leaves the reference pixel empty (zero phase = no data)
        ok[0] = np.isfinite(ms_ts[0])
        ok_all = ok.copy()
        ok &= connected[None] & ~zero[None]
        diff = np.abs(ms_ts - mp_mm)[ok]
        diff_def = np.abs(ms_ts - mp_mm)[ok_all & ~connected[None]]
        if diff_def.size:
            print(f"   rank-deficient pixels: max |diff| {diff_def.max():.2e} mm (not part of the agreement)")
        diff_zero = np.abs(ms_ts - mp_mm)[ok_all & zero[None]]
        if diff_zero.size:
            print(f"   pixels with an exact-zero referenced phase: max |diff| {diff_zero.max():.2e} mm "
                  f"(not part of the agreement)")
        rows.append((w, ms_wall, ms_cpu, mp_info["wall"], mp_info["cpu"], float(diff.max())))
        print(f"-w {w:3s}: MineSAR {ms_wall:6.2f} s wall, {ms_cpu:6.2f} s CPU | MintPy {mp_info['wall']:6.2f} s wall, "
              f"{mp_info['cpu']:6.2f} s CPU ({mp_info['used'].strip()}) | speed-up {mp_info['wall'] / ms_wall:5.1f}x wall, "
              f"{mp_info['cpu'] / ms_cpu:5.1f}x CPU | max |diff| {diff.max():.2e} mm, median {np.median(diff):.1e} mm "
              f"over {ok.sum()} values")
    print("\n| weights | MineSAR wall / CPU (s) | MintPy wall / CPU (s) | speed-up wall / CPU | max abs diff (mm) |")
    print("|---|---|---|---|---|")
    for w, a, ac, b, bc, mx in rows:
        print(f"| {w} | {a:.2f} / {ac:.2f} | {b:.2f} / {bc:.2f} | {b / a:.0f}x / {bc / ac:.0f}x | {mx:.1e} |")

    if not args.skip_memory:
        n = args.mem_rows
        big = simulate(n, n, args.mem_dates, seed=5, hole_frac=0.0)
        bunw = work / "big_unw.tif"
        write_stack(bunw, big)
        size_mb = big["phase"].astype(np.float32).nbytes / 2 ** 20
        n_ifg = big["phase"].shape[0]
        del big
        # the floor runs the same code path (DEM error + two-pass atmosphere, hence scipy.ndimage: +13 MiB)
        # on an 8 x 8 stack, so that the difference is the working set that MEMORY_MB governs
        out0, base = child_peak(["--child", str(work / "tiny.tif"), str(work), "1024", "1"])
        print(f"\npeak RSS of a child that imports MineSAR and inverts an 8 x 8 stack the same way: {base:.0f} MiB")
        out1, peak = child_peak(["--child", str(bunw), str(work), str(args.memory_mb), "1"])
        j = json.loads(out1.strip().splitlines()[-1])
        print(f"larger stack {n} x {n} px, {args.mem_dates} dates, {n_ifg} interferograms "
              f"({size_mb:.0f} MiB of float32 phase): MEMORY_MB={args.memory_mb:g} -> {j['blocks']} blocks, "
              f"{j['wall']:.1f} s, peak RSS {peak:.0f} MiB (DEM error + two-pass atmosphere)")
        print(f"working set above the floor: {peak - base:.1f} MiB = {(peak - base) / args.memory_mb * 100:.0f} % "
              f"of MEMORY_MB={args.memory_mb:g}")


if __name__ == "__main__":
    main()
