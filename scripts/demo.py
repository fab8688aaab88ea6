#!/usr/bin/env python3
"""MineSAR demo: a simulated mining stack through the whole chain.

Usage: /usr/bin/python3 scripts/demo.py [OUT_DIR] [--scenario tiny|puhe]

Runs every stage as a Processing algorithm (exactly what the toolbox,
the Modeler and qgis_process run), then writes
``OUT_DIR/report.html`` (numbers and figures of every stage) and
``OUT_DIR/minesar_demo.qgz`` (a QGIS project with every result as a layer).
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=os.path.join(ROOT, "demo_out"))
    ap.add_argument("--scenario", default="tiny")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    sys.path.insert(0, HERE)
    from headless import start_qgis
    app, provider = start_qgis()  # noqa: F841 - keep the provider alive
    from demo_chain import run_chain  # noqa: E402 (needs the plugin on sys.path)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    steps = run_chain(out, scenario=args.scenario, seed=args.seed)
    report = write_report(out, steps, time.time() - t0)
    project = write_project(out, steps)
    print(f"demo finished in {time.time() - t0:.1f} s")
    print(f"report:  {report}")
    print(f"project: {project}")
    failed = [s for s in steps if s["status"] == "failed"]
    app.exitQgis()
    return 1 if failed else 0


def write_report(out, steps, seconds) -> str:
    rows = []
    for s in steps:
        nums = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in s.get("numbers", {}).items())
        rows.append(f"<tr><td>{html.escape(s['alg'])}</td><td>{s['status']}</td><td>{s.get('seconds', 0):.1f}</td>"
                    f"<td>{html.escape(nums)}</td><td>{html.escape(s.get('note', ''))}</td></tr>")
    figs = "".join(f"<h3>{html.escape(t)}</h3><img src='{html.escape(os.path.relpath(p, out))}' style='max-width:900px'>"
                   for s in steps for t, p in s.get("figures", []))
    links = "".join(f"<li><a href='{html.escape(os.path.relpath(p, out))}'>{html.escape(t)}</a></li>"
                    for s in steps for t, p in s.get("reports", []))
    text = f"""<!doctype html><html><head><meta charset='utf-8'><title>MineSAR demo</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{border:1px solid #ccc;padding:4px 8px}}
table{{border-collapse:collapse}}</style></head><body>
<h1>MineSAR demo — simulated mining stack</h1>
<p>Generated {dt.datetime.now():%Y-%m-%d %H:%M} in {seconds:.1f} s. Every stage ran as a QGIS Processing
algorithm of the <code>minesar</code> provider. LOS displacement is positive toward the satellite;
subsidence is negative (mm, mm/yr).</p>
<table><tr><th>algorithm</th><th>status</th><th>s</th><th>numbers</th><th>note</th></tr>{''.join(rows)}</table>
<h2>Stage reports</h2><ul>{links}</ul><h2>Figures</h2>{figs}</body></html>"""
    path = os.path.join(out, "report.html")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def write_project(out, steps) -> str:
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer
    proj = QgsProject.instance()
    proj.clear()
    for s in steps:
        for name, path, kind in s.get("layers", []):
            lyr = QgsRasterLayer(path, name) if kind == "raster" else QgsVectorLayer(path, name, "ogr")
            if lyr.isValid():
                proj.addMapLayer(lyr)
    path = os.path.join(out, "minesar_demo.qgz")
    proj.write(path)
    return path


if __name__ == "__main__":
    sys.exit(main())
