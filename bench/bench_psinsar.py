#!/usr/bin/env python3
"""Benchmark: MineSAR ``psinsar`` on the full simulated Huaibei preset.

Run with Debian's Python (the plugin's)::

    /usr/bin/python3 bench/bench_psinsar.py [--seed 0] [--workers 2]

Simulates the ``huaibei`` preset (26 dates 2020-10-31 .. 2022-08-22, 200 x 200
pixels of 10 m) into a temporary folder, builds the stack VRT, compiles the
numba kernels on a tiny stack (not timed), then runs the whole PS-InSAR core
from the VRT (the same call as ``minesar:psinsar``) and prints seconds per
stage (selection statistics with I/O, network, periodogram, integration,
atmosphere, densification, output) and the total (target: under 60 s on 2
cores), followed by the accuracy against the simulated truth: precision and
recall of the four selection methods and of the final PS, velocity,
time-series and DEM-error RMSE (common offset removed), and the maximum
cumulative subsidence and rate vs truth.  ``--json`` writes the numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _import_minesar():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import import_minesar
    import_minesar()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", default=None, help="write the numbers to this JSON file")
    a, _unknown = ap.parse_known_args(argv)   # run_all.sh passes every benchmark the same arguments
    _import_minesar()
    from minesar.algorithms import ps, simulate, stackio

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        sim = simulate.simulate_stack(os.path.join(tmp, "sim"), "huaibei", seed=a.seed)
        t_sim = time.perf_counter() - t0
        info = stackio.build_stack(sim.manifest, os.path.join(tmp, "stack.vrt"), geometry=sim.scenario.geometry,
                                   dem=sim.dem_path)
        # compile (or load from the numba cache) outside the timing
        tiny = simulate.simulate_arrays(simulate.scenario("huaibei", rows=40, cols=40), seed=1)
        try:
            ps.run_ps(tiny.slc, tiny.scenario.dates, tiny.scenario.bperp_m, geometry=tiny.scenario.geometry,
                      dem=tiny.dem, workers=a.workers)
        except ValueError:
            pass
        t0 = time.perf_counter()
        res = ps.run_ps(stack_path=info.path, workers=a.workers, keep_maps=True)
        wall = time.perf_counter() - t0
        arr = simulate.simulate_arrays(sim.scenario, seed=a.seed)  # truth (same seed = same arrays)

    out = {"preset": "huaibei", "rows": sim.scenario.rows, "cols": sim.scenario.cols, "dates": res.timeseries_mm.shape[1],
           "workers": a.workers, "simulate_s": round(t_sim, 2), "wall_s": round(wall, 2),
           "stages_s": {k: round(v, 2) for k, v in res.timings.items()}, "n_ps": res.n_ps,
           "n_network_ps": res.n_network, "n_candidates": res.n_candidates,
           "density_per_km2": round(res.density_per_km2, 1)}
    truth = arr.ps_mask
    sel = {}
    for method in ps.SELECTION_METHODS:
        m = ps.select_candidates(res.stats, method)
        sel[method] = {"n": int(m.sum()), "precision": round(float(truth[m].mean()), 3),
                       "recall": round(float(m[truth].mean()), 3)}
    out["selection"] = sel
    true = truth[res.rows, res.cols]
    out["final_precision"] = round(float(true.mean()), 3)
    out["final_recall"] = round(float(true.sum() / truth.sum()), 3)
    ref = res.reference
    vt = arr.velocity[res.rows, res.cols].astype(float)
    dtt = arr.disp_mm[:, res.rows, res.cols].T.astype(float)
    ht = arr.dem_error[res.rows, res.cols].astype(float)
    vt, dtt, ht = vt - vt[ref], dtt - dtt[ref], ht - ht[ref]
    ev = res.fields["VEL"][true] - vt[true]
    et = res.timeseries_mm[true] - dtt[true]
    eh = res.fields["DEM_ERR"][true] - ht[true]
    out["velocity_rmse_mm_yr"] = round(float(np.sqrt(np.mean((ev - ev.mean()) ** 2))), 2)
    out["timeseries_rmse_mm"] = round(float(np.sqrt(np.mean((et - et.mean(axis=0)) ** 2))), 2)
    out["dem_error_rmse_m"] = round(float(np.sqrt(np.mean((eh - eh.mean()) ** 2))), 2)
    # the same relative to the reference PS as output (its own error included)
    out["velocity_rmse_vs_reference_mm_yr"] = round(float(np.sqrt(np.mean(ev ** 2))), 2)
    out["timeseries_rmse_vs_reference_mm"] = round(float(np.sqrt(np.mean(et ** 2))), 2)
    off_d = np.median(et[:, -1])
    off_v = np.median(ev)
    out["max_cumulative_mm"] = [round(float(res.timeseries_mm[true, -1].min() - off_d), 1),
                                round(float(dtt[true, -1].min()), 1)]
    out["max_rate_mm_yr"] = [round(float(res.fields["VEL"][true].min() - off_v), 1), round(float(vt[true].min()), 1)]

    print(f"MineSAR psinsar, huaibei preset {out['rows']} x {out['cols']} x {out['dates']} dates, "
          f"{a.workers} worker(s)")
    print(f"  simulate (not counted): {t_sim:.1f} s")
    for k, v in res.timings.items():
        print(f"  {k:14s} {v:7.2f} s")
    print(f"  wall           {wall:7.2f} s   (target < 60 s)")
    print(f"  PS: {res.n_ps} ({res.n_network} network), {res.density_per_km2:.0f} per km², "
          f"{res.n_candidates} candidates")
    print("  selection            n     precision recall")
    for k, v in sel.items():
        print(f"  {k:20s} {v['n']:6d} {v['precision']:9.3f} {v['recall']:6.3f}")
    print(f"  final PS precision {out['final_precision']:.3f} recall {out['final_recall']:.3f}")
    print(f"  velocity RMSE {out['velocity_rmse_mm_yr']} mm/yr, time-series RMSE {out['timeseries_rmse_mm']} mm, "
          f"DEM error RMSE {out['dem_error_rmse_m']} m (common offset removed)")
    print(f"  relative to the reference PS as output: velocity RMSE {out['velocity_rmse_vs_reference_mm_yr']} mm/yr, "
          f"time-series RMSE {out['timeseries_rmse_vs_reference_mm']} mm")
    print(f"  max cumulative {out['max_cumulative_mm'][0]} mm (truth {out['max_cumulative_mm'][1]}), "
          f"max rate {out['max_rate_mm_yr'][0]} mm/yr (truth {out['max_rate_mm_yr'][1]})")
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))
    return 0 if wall < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
