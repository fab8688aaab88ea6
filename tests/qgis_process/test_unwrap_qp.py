"""Tier (c): minesar:unwrap headless through qgis_process.bin, alone and chained after interferograms."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np

TWO_PI = 2 * math.pi


def test_unwrap_headless_and_error(qgis_process, tmp_path):
    from minesar.algorithms import stackio
    from minesar.algorithms import unwrap as U
    s = U.write_synthetic_stack(str(tmp_path / "in"), rows=60, cols=60, seed=8)
    out = tmp_path / "unw.tif"
    rc, js, stdout, err = qgis_process("run", "minesar:unwrap", params={
        "PHASE": s["phase"], "COHERENCE": s["coherence"], "METHOD": "delaunay", "COHERENCE_THRESHOLD": 0.2,
        "OUTPUT": out, "OUTPUT_COMPONENTS": tmp_path / "cc.tif", "OUTPUT_CLOSURE": tmp_path / "closure.gpkg"})
    assert rc == 0, err + stdout
    r = js["results"]
    assert r["N_FLAGGED"] == 0
    info = stackio.read_stack_info(str(out))
    assert info.kind == "unwrapped" and (info.ref_row, info.ref_col) == (r["REF_ROW"], r["REF_COL"])
    u = stackio.read_block(str(out))
    assert min(U.cycle_accuracy(u[b], s["truth"][b], s["coherence_array"] >= 0.3) for b in range(len(u))) >= 0.99
    bad = tmp_path / "bad.tif"
    rc, js, stdout, err = qgis_process("run", "minesar:unwrap", params={
        "PHASE": s["phase"], "COHERENCE": s["coherence"], "REFERENCE": "0,0 [EPSG:32651]", "OUTPUT": bad})
    assert rc != 0
    assert "REFERENCE: point (0.000, 0.000) is outside the image" in stdout + err
    assert "Traceback" not in stdout + err and not bad.exists()


def test_model_chain_interferograms_unwrap(qgis_app, qgis_process, tmp_path):
    from modeltools import build_model
    from minesar.algorithms import interferogram as IF
    from minesar.algorithms import stackio
    from minesar.algorithms import unwrap as U
    # SLCs: a subsidence bowl growing to 170 mm (about 2 fringes of 27.7 mm per 12-day pair), coherence 0.6-0.9
    rows = cols = 96
    n = 4
    yy, xx = np.mgrid[0:rows, 0:cols].astype(float)
    bowl = np.exp(-((yy - 48) ** 2 + (xx - 48) ** 2) / (2 * 16.0 ** 2))
    disp = np.stack([-170.0 * k / (n - 1) * bowl for k in range(n)])
    coh = 0.6 + 0.3 * xx / cols
    slc = IF.synthetic_slc(coh, disp_mm=disp, seed=3)
    dates = [dt.date(2020, 1, 1) + dt.timedelta(days=12 * k) for k in range(n)]
    vrt = IF.write_synthetic_stack(str(tmp_path / "slc"), slc, dates, [0.0] * n)
    model = build_model(tmp_path / "chain.model3", [
        ("ifg", "minesar:interferograms", {"STACK": ("input", "stack"), "LOOKS_RANGE": ("value", 2),
                                           "LOOKS_AZIMUTH": ("value", 2), "REMOVE_TOPO": ("value", False),
                                           "GOLDSTEIN_ALPHA": ("value", 0.5),
                                           "OUTPUT_PHASE": ("output", "phase"),
                                           "OUTPUT_COHERENCE": ("output", "coherence")}),
        ("unw", "minesar:unwrap", {"PHASE": ("child", "ifg", "OUTPUT_PHASE"),
                                   "COHERENCE": ("child", "ifg", "OUTPUT_COHERENCE"),
                                   "METHOD": ("value", "grid"), "COHERENCE_THRESHOLD": ("value", 0.2),
                                   "OUTPUT": ("output", "unwrapped")}),
    ], inputs={"stack": "raster"})
    out = tmp_path / "unw.tif"
    rc, js, stdout, err = qgis_process("run", str(model), params={
        "stack": vrt, "ifg:phase": tmp_path / "phase.tif", "ifg:coherence": tmp_path / "coh.tif",
        "unw:unwrapped": out})
    assert rc == 0, err + stdout
    info = stackio.read_stack_info(str(out))
    assert info.kind == "unwrapped" and len(info.pairs) == n - 1
    u = stackio.read_block(str(out)).astype(float)
    w = stackio.read_block(str(tmp_path / "phase.tif")).astype(float)
    k = (u - w) / TWO_PI
    ok = np.isfinite(k)
    assert ok.mean() > 0.9 and np.max(np.abs(k[ok] - np.round(k[ok]))) < 1e-5
    coh_est = stackio.read_block(str(tmp_path / "coh.tif"))
    for b, (r, s_) in enumerate(info.pairs):
        i, j = dates.index(r), dates.index(s_)
        # unwrapped truth of ref x conj(sec): 4 pi / lambda (d_ref - d_sec), mean over the 2 x 2 looks
        full = 4 * math.pi / info.geometry.wavelength_m * (disp[i] - disp[j]) / 1000.0
        truth = full.reshape(rows // 2, 2, cols // 2, 2).mean(axis=(1, 3))
        assert truth.shape == u[b].shape
        assert np.nanmax(np.abs(U._wrap_np(w[b] - truth))) < 1.5     # same sign convention as the input
        # about 2 fringes of subsidence per pair, recovered to the cycle
        assert np.nanmax(u[b]) - np.nanmin(u[b]) > 2.5 * math.pi
        assert U.cycle_accuracy(u[b], truth, coh_est[b] >= 0.3) >= 0.99
