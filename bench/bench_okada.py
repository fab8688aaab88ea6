#!/usr/bin/env python3
"""Benchmark: MineSAR Okada vs pyrocko and okada-wrapper; the 3-source fit.

Run with Debian's Python (the plugin's)::

    /usr/bin/python3 bench/bench_okada.py [--n 300 --pix 20 --wrapper-points 20000 --iterations 20000]

Part 1 — forward model.  The three Puhe sources of study C (horizontal tensile
rectangles, STUDIES.md) are evaluated at the surface points of an n x n grid
(default 300 x 300 at 20 m, 90,000 points).  MineSAR runs in-process (numba
compiled beforehand): the surface kernel ``rectangles_enu`` (serial and
``parallel=True``) and the general DC3D kernel (displacement + 9 derivatives,
per source).  pyrocko's ``okada_ext.okada`` (C, OpenMP, displacement +
derivatives; ``nthreads`` = 2) runs in ``bench/.venv-pyrocko`` and
okada-wrapper's ``dc3dwrapper`` (Okada's Fortran, one point per call) in
``bench/.venv-peers``, as separate processes exchanging ``.npy`` files; they
are never imported by the plugin's Python.  Throughput = observation points x
sources per second (compute only, I/O excluded).  Agreement = max |u| difference
(m) over all points and components against MineSAR.

Part 2 — the three-source fit with posterior (quadtree, noise model,
differential evolution, remove-and-reinsert sweep, support test, adaptive
Metropolis-within-Gibbs) on the simulated Puhe LOS field (5 mm noise + 3 mm
correlated atmosphere), timed end to end; then the two-source fit the support
test recommends.  Printed per true source: best fit, posterior mean ± sd and
whether the 95 % interval contains the truth.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PYROCKO_PY = ROOT / "bench" / ".venv-pyrocko" / "bin" / "python"
PEERS_PY = ROOT / "bench" / ".venv-peers" / "bin" / "python"

PUHE = np.array([
    [-15.99, 24.01, 482.09, 615.99, 352.91, 24.52, 0.0, -0.59, 0.0, 0.0],
    [644.91, -1080.10, 568.67, 646.42, 229.36, 11.01, 0.0, -0.04, 0.0, 0.0],
    [303.95, -939.95, 481.29, 640.73, 320.60, 147.68, 0.0, -0.67, 0.0, 0.0],
])

PYROCKO_SCRIPT = textwrap.dedent("""
    import sys, time, json, numpy as np
    from pyrocko.modelling import okada_ext
    d = sys.argv[1]
    rec = np.load(d + '/rec_ned.npy')          # (n, 3) north, east, down (m)
    src = np.load(d + '/src.npy')              # (k, 10) MineSAR centre convention
    nthreads = int(sys.argv[2])
    lam, mu = 1.0, 1.0                          # Poisson 0.25
    patches = np.array([[s[1], s[0], s[2], s[5], s[6], -s[3] / 2, s[3] / 2, -s[4] / 2, s[4] / 2] for s in src])
    disl = np.array([[s[8], s[9], s[7]] for s in src])
    okada_ext.okada(patches[:1].copy(), disl[:1].copy(), rec[:10].copy(), lam, mu, nthreads=nthreads)  # warm up
    best = 1e9
    for rep in range(3):
        t = time.perf_counter()
        u = np.zeros((rec.shape[0], 3))
        for i in range(len(src)):
            r = okada_ext.okada(patches[i:i + 1].copy(), disl[i:i + 1].copy(), rec, lam, mu, nthreads=nthreads)
            u += r[:, :3]
        best = min(best, time.perf_counter() - t)
    np.save(d + '/u_pyrocko_ned.npy', u)
    print(json.dumps({'seconds': best}))
""")

WRAPPER_SCRIPT = textwrap.dedent("""
    import sys, time, json, math, numpy as np
    from okada_wrapper import dc3dwrapper
    d = sys.argv[1]
    loc = np.load(d + '/wrapper_local.npy')   # (k, n, 2) points in each source's Okada frame
    src = np.load(d + '/src.npy')
    alpha = 2.0 / 3.0
    t = time.perf_counter()
    out = np.zeros((loc.shape[0], loc.shape[1], 3))
    for k, s in enumerate(src):
        L, W, dep, dip = s[3], s[4], s[2], s[6]
        for i in range(loc.shape[1]):
            ok, u, g = dc3dwrapper(alpha, [loc[k, i, 0], loc[k, i, 1], 0.0], dep, dip, [-L / 2, L / 2],
                                   [-W / 2, W / 2], [s[8], s[9], s[7]])
            out[k, i] = u
    sec = time.perf_counter() - t
    np.save(d + '/u_wrapper_local.npy', out)
    print(json.dumps({'seconds': sec}))
""")


def _import_minesar():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import import_minesar
    import_minesar(ROOT / "tests", ROOT / "tests" / "core")


def _best(fn, reps=3):
    best = 1e9
    out = None
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _local(x, y, s):
    phi = np.radians(s[5])
    dx, dy = x - s[0], y - s[1]
    return dx * np.sin(phi) + dy * np.cos(phi), -dx * np.cos(phi) + dy * np.sin(phi)


def forward_benchmark(n, pix, wrapper_points, nthreads):
    from minesar.algorithms import okada
    xs = 300.0 - n * pix / 2 + pix * (np.arange(n) + 0.5)
    ys = -500.0 + n * pix / 2 - pix * (np.arange(n) + 0.5)
    X, Y = np.meshgrid(xs, ys)
    x, y = X.ravel(), Y.ravel()
    npts, nsrc = x.size, PUHE.shape[0]
    okada.rectangles_enu(x[:10], y[:10], PUHE)
    okada.rectangles_enu(x[:10], y[:10], PUHE, parallel=True)
    okada.dc3d(x[:10], y[:10], 0 * x[:10], alpha=2 / 3, depth=500, dip=0, al1=-1, al2=1, aw1=-1, aw2=1,
               disl=[0, 0, 1], parallel=True)
    t_ser, (ue, un, uu) = _best(lambda: okada.rectangles_enu(x, y, PUHE))
    t_par, _ = _best(lambda: okada.rectangles_enu(x, y, PUHE, parallel=True))

    def full():
        u = np.zeros((npts, 3))
        for s in PUHE:
            xl, yl = _local(x, y, s)
            r, _ = okada.dc3d(xl, yl, 0 * xl, alpha=2 / 3, depth=s[2], dip=s[6], al1=-s[3] / 2, al2=s[3] / 2,
                              aw1=-s[4] / 2, aw2=s[4] / 2, disl=[s[8], s[9], s[7]], parallel=True)
            phi = np.radians(s[5])
            u[:, 0] += r[:, 0] * np.sin(phi) - r[:, 1] * np.cos(phi)
            u[:, 1] += r[:, 0] * np.cos(phi) + r[:, 1] * np.sin(phi)
            u[:, 2] += r[:, 2]
        return u
    t_full, ufull = _best(full)
    rows = {"MineSAR rectangles_enu (surface, serial)": (t_ser, npts * nsrc / t_ser, 0.0),
            "MineSAR rectangles_enu (surface, parallel)": (t_par, npts * nsrc / t_par, 0.0),
            "MineSAR dc3d (u + 9 derivatives, parallel)": (t_full, npts * nsrc / t_full,
                                                          float(np.abs(ufull - np.column_stack([ue, un, uu])).max()))}
    with tempfile.TemporaryDirectory() as d:
        np.save(d + "/src.npy", PUHE)
        np.save(d + "/rec_ned.npy", np.column_stack([y, x, np.zeros_like(x)]))
        if PYROCKO_PY.exists():
            p = subprocess.run([str(PYROCKO_PY), "-c", PYROCKO_SCRIPT, d, str(nthreads)], capture_output=True,
                               text=True)
            if p.returncode == 0:
                sec = json.loads(p.stdout.strip().splitlines()[-1])["seconds"]
                u = np.load(d + "/u_pyrocko_ned.npy")
                diff = float(np.abs(np.column_stack([u[:, 1], u[:, 0], -u[:, 2]]) - np.column_stack([ue, un, uu])).max())
                rows[f"pyrocko okada_ext ({nthreads} threads, u + derivatives)"] = (sec, npts * nsrc / sec, diff)
            else:
                print("pyrocko failed:", p.stderr[-2000:])
        else:
            print("pyrocko venv missing: run bench/setup_venvs.sh")
        if PEERS_PY.exists():
            m = min(wrapper_points, npts)
            sel = np.linspace(0, npts - 1, m).astype(int)
            loc = np.stack([np.column_stack(_local(x[sel], y[sel], s)) for s in PUHE])
            np.save(d + "/wrapper_local.npy", loc)
            p = subprocess.run([str(PEERS_PY), "-c", WRAPPER_SCRIPT, d], capture_output=True, text=True)
            if p.returncode == 0:
                sec = json.loads(p.stdout.strip().splitlines()[-1])["seconds"]
                ul = np.load(d + "/u_wrapper_local.npy")
                ue_w = np.zeros(m)
                un_w = np.zeros(m)
                uu_w = np.zeros(m)
                for k, s in enumerate(PUHE):
                    phi = np.radians(s[5])
                    ue_w += ul[k, :, 0] * np.sin(phi) - ul[k, :, 1] * np.cos(phi)
                    un_w += ul[k, :, 0] * np.cos(phi) + ul[k, :, 1] * np.sin(phi)
                    uu_w += ul[k, :, 2]
                diff = float(np.abs(np.column_stack([ue_w, un_w, uu_w])
                                    - np.column_stack([ue[sel], un[sel], uu[sel]])).max())
                rows[f"okada-wrapper dc3dwrapper (1 thread, {m} points)"] = (sec, m * nsrc / sec, diff)
            else:
                print("okada-wrapper failed:", p.stderr[-2000:])
    print(f"\nForward model: {npts} surface points x {nsrc} Puhe sources (3 horizontal tensile rectangles)")
    umax = float(np.abs(np.column_stack([ue, un, uu])).max())
    print(f"{'implementation':58s} {'time (s)':>9s} {'points/s':>12s} {'max |du| vs MineSAR (m)':>24s} "
          f"{'relative':>9s}")
    for k, (t, r, dd) in rows.items():
        print(f"{k:58s} {t:9.3f} {r:12.3g} {dd:24.2e} {dd / umax:9.1e}")
    print(f"(max |u| = {umax:.4f} m; Okada's Fortran DC3D behind okada-wrapper takes and returns REAL*4, "
          f"so it can only agree to ~1e-7 relative)")
    return rows


def fit_benchmark(n, pix, iterations, n_sources=3):
    import itertools
    from test_okadafit import puhe_scene
    from minesar.algorithms import okadafit
    X, Y, clean, noisy, los = puhe_scene(n, pix, seed=0)
    # compile first (tiny run), then time
    okadafit.fit_sources(X[::10, ::10], Y[::10, ::10], noisy[::10, ::10], los=los, n_sources=1, n_iterations=500,
                         de_maxiter=2, max_samples=50)
    t = time.perf_counter()
    res = okadafit.fit_sources(X, Y, noisy, los=los, n_sources=n_sources, n_iterations=iterations, seed=1)
    total = time.perf_counter() - t
    st = okadafit.residual_stats(noisy - res.model_mm(X, Y, los, which="best"))
    print(f"\nFit: {n} x {n} grid at {pix:g} m, {n_sources} sources, {iterations} MCMC iterations: {total:.1f} s "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in res.timings.items())}); quadtree {res.n_samples} samples "
          f"of {res.n_values}; acceptance {res.acceptance:.2f}; best-fit residual mean {st['mean']:.2f} mm, "
          f"std {st['std']:.2f} mm; BIC penalty per source {res.support_penalty:.1f}")
    names = ["x", "y", "depth", "length", "width", "strike", "opening"]
    cols = [0, 1, 2, 3, 4, 5, 7]
    truth = PUHE if n_sources >= 3 else PUHE[[0, 2]]
    ids = [1, 2, 3] if n_sources >= 3 else [1, 3]
    perm = min(itertools.permutations(range(n_sources), len(truth)),
               key=lambda p: sum(np.hypot(*(res.best[j, :2] - truth[k, :2])) for k, j in enumerate(p)))
    for k, j in enumerate(perm):
        m, b = res.sources[j], res.best[j]
        line = ", ".join(f"{names[i]} {b[c]:.4g} [mean {m[c]:.4g} ± {res.std[j, c]:.2g}] (true {truth[k, c]:.4g}, "
                         f"95 % {'in' if res.lo95[j, c] <= truth[k, c] <= res.hi95[j, c] else 'OUT'})"
                         for i, c in enumerate(cols))
        print(f"  source {ids[k]} -> fitted {j + 1} ({'supported' if res.supported[j] else 'NOT supported'}, "
              f"dchi2 {res.support_dchi2[j]:.1f}, peak {res.peak_mm[j]:.1f} mm): best-fit centre error "
              f"{np.hypot(*(b[:2] - truth[k, :2])):.0f} m; {line}")
    return total, res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--pix", type=float, default=20.0)
    ap.add_argument("--wrapper-points", type=int, default=20000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=50000)
    ap.add_argument("--skip-fit", action="store_true")
    a = ap.parse_args()
    _import_minesar()
    forward_benchmark(a.n, a.pix, a.wrapper_points, a.threads)
    if not a.skip_fit:
        fit_benchmark(a.n, a.pix, a.iterations, 3)
        fit_benchmark(a.n, a.pix, a.iterations, 2)


if __name__ == "__main__":
    main()
