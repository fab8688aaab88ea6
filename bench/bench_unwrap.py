#!/usr/bin/env python3
"""Benchmark of ``minesar:unwrap`` against SNAPHU and whirlwind.

Run with Debian's Python (the plugin's runtime)::

    /usr/bin/python3 bench/bench_unwrap.py [--quick] [--cases a,b]

Each case is a simulated mining interferogram with known truth
(:func:`minesar.algorithms.unwrap.synthetic_interferogram`: a subsidence bowl
of several fringes, coherence 0.3–0.7 with exact multilook phase noise, a
decorrelated core, water patches).  The same wrapped phase, coherence and mask
(coherence >= 0.2) go, as ``.npy`` files, to the peers in ``bench/.venv-peers``
(made by ``bench/setup_venvs.sh``), run through ``subprocess`` — they are never
imported in the plugin's Python:

* SNAPHU (PyPI ``snaphu``) with the smooth statistical cost, MCF
  initialisation and the full non-linear solver (``snaphu``), and the MCF
  initialisation alone (``snaphu-init``: SNAPHU's ``INITONLY``);
* whirlwind (PyPI ``whirlwind-insar``), default options.

Accuracy = fraction of pixels with coherence >= 0.3 whose integer cycle
count is right modulo one global offset.  Times are wall-clock seconds of the
unwrapping call only (numba kernels compiled beforehand; peers' Python start-up
and file exchange excluded), on the machine's cores.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(tempfile.gettempdir()) / "minesar_numba_cache"))
PEER_PY = HERE / ".venv-peers" / "bin" / "python"


def _import_minesar():
    sys.path.insert(0, str(HERE))
    from _common import import_minesar
    import_minesar()
    from minesar.algorithms import unwrap
    return unwrap


CASES = {
    # name: (rows, cols, synthetic_interferogram options)
    "bowl6_L16": (300, 300, dict(fringes=6, looks=16, seed=1)),
    "bowl10_L9": (300, 300, dict(fringes=10, looks=9, seed=2)),
    "steep14_L16": (300, 300, dict(fringes=14, bowl_sigma=0.15, looks=16, seed=3)),
    "noisy8_L4": (500, 500, dict(fringes=8, looks=4, seed=4)),
    "large12_L9": (1000, 1000, dict(fringes=12, looks=9, water=4, seed=5)),
}
QUICK = ("bowl6_L16", "steep14_L16")

PEER_SCRIPT = r'''
import json, sys, time
import numpy as np
d = sys.argv[1]; which = sys.argv[2]; looks = float(sys.argv[3])
psi = np.load(d + "/wrapped.npy"); coh = np.load(d + "/coherence.npy").astype(np.float32)
mask = np.load(d + "/mask.npy")
igram = np.exp(1j * psi).astype(np.complex64)
igram[~mask] = 0
out = {}
if which == "snaphu-init":
    # SNAPHU's MCF initialisation alone (INITONLY), run on the executable
    import os, tempfile
    from snaphu._snaphu import run_snaphu
    with tempfile.TemporaryDirectory() as t:
        igram.tofile(t + "/igram.c8"); coh.tofile(t + "/corr.f4")
        cfg = (f"INFILE {t}/igram.c8\nINFILEFORMAT COMPLEX_DATA\nCORRFILE {t}/corr.f4\n"
               f"CORRFILEFORMAT FLOAT_DATA\nOUTFILE {t}/unw.f4\nOUTFILEFORMAT FLOAT_DATA\n"
               f"LINELENGTH {psi.shape[1]}\nNCORRLOOKS {looks}\nSTATCOSTMODE SMOOTH\n"
               f"INITMETHOD MCF\nINITONLY TRUE\n")
        open(t + "/cfg.txt", "w").write(cfg)
        t0 = time.perf_counter()
        run_snaphu(t + "/cfg.txt")
        out["time"] = time.perf_counter() - t0
        unw = np.fromfile(t + "/unw.f4", np.float32).reshape(psi.shape)
elif which == "snaphu":
    import snaphu
    t = time.perf_counter()
    unw, cc = snaphu.unwrap(igram, coh, nlooks=looks, cost="smooth", init="mcf", mask=mask)
    out["time"] = time.perf_counter() - t
else:
    import whirlwind
    t = time.perf_counter()
    unw, cc = whirlwind.unwrap(igram, coh, looks, mask=mask)
    out["time"] = time.perf_counter() - t
np.save(d + "/unw_" + which + ".npy", np.asarray(unw, np.float64))
print(json.dumps(out))
'''


def run_peer(which: str, folder: str, looks: float):
    if not PEER_PY.exists():
        return None, "bench/.venv-peers missing (run bench/setup_venvs.sh)"
    script = Path(folder) / "peer.py"
    script.write_text(PEER_SCRIPT)
    proc = subprocess.run([str(PEER_PY), str(script), folder, which, str(looks)], capture_output=True,
                          text=True, timeout=3600)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
    t = json.loads(proc.stdout.strip().splitlines()[-1])["time"]
    return (np.load(Path(folder) / f"unw_{which}.npy"), t), ""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="two small cases only")
    ap.add_argument("--cases", default="", help="comma-separated case names")
    ap.add_argument("--no-peers", action="store_true")
    a = ap.parse_args(argv)
    U = _import_minesar()
    names = [c for c in a.cases.split(",") if c] or (list(QUICK) if a.quick else list(CASES))
    # compile the kernels once (cached on disk)
    w = U.synthetic_interferogram(40, 40, seed=0)
    U.unwrap_grid(w.wrapped, w.coherence, looks=4)
    U.unwrap_delaunay(w.wrapped, w.coherence, looks=4)
    methods = ["minesar-grid", "minesar-delaunay", "snaphu-init", "snaphu", "whirlwind"]
    rows = []
    print(f"{'case':<14}{'size':>10}{'residues':>10}  " + "".join(f"{m:>22}" for m in methods))
    print(f"{'':<34}  " + "".join(f"{'accuracy    time(s)':>22}" for _ in methods))
    for name in names:
        R, C, opt = CASES[name]
        s = U.synthetic_interferogram(R, C, **opt)
        mask = s.coherence >= 0.2
        where = s.coherence >= 0.3
        res = {}
        with tempfile.TemporaryDirectory(prefix="bench_unwrap_") as d:
            np.save(f"{d}/wrapped.npy", s.wrapped)
            np.save(f"{d}/coherence.npy", s.coherence)
            np.save(f"{d}/mask.npy", mask)
            nres = 0
            for m in methods:
                if m.startswith("minesar"):
                    fn = U.unwrap_grid if m.endswith("grid") else U.unwrap_delaunay
                    t = time.perf_counter()
                    r = fn(s.wrapped, s.coherence, looks=s.looks, coherence_threshold=0.2)
                    dt = time.perf_counter() - t
                    if m.endswith("grid"):
                        nres = r.n_residues
                    res[m] = (U.cycle_accuracy(r.unwrapped, s.truth, where), dt)
                elif a.no_peers:
                    res[m] = None
                else:
                    out, err = run_peer(m, d, s.looks)
                    if out is None:
                        print(f"  {m}: failed: {err}", file=sys.stderr)
                        res[m] = None
                    else:
                        u = np.where(mask, out[0], np.nan)
                        res[m] = (U.cycle_accuracy(u, s.truth, where), out[1])
        cells = "".join(f"{'n/a':>22}" if res[m] is None else f"{100 * res[m][0]:>12.3f} %{res[m][1]:>8.2f}"
                        for m in methods)
        print(f"{name:<14}{f'{R}x{C}':>10}{nres:>10}  {cells}", flush=True)
        rows.append({"case": name, "size": f"{R}x{C}", "looks": s.looks, "residues": nres,
                     **{m: (None if res[m] is None else {"accuracy": res[m][0], "time_s": res[m][1]})
                        for m in methods}})
    return rows


if __name__ == "__main__":
    out = main()
    print(json.dumps(out))
