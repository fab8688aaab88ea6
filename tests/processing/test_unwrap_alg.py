"""Tier (b): minesar:unwrap through processing.run."""
from __future__ import annotations

import math

import numpy as np
import pytest

TWO_PI = 2 * math.pi


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from minesar.algorithms import unwrap as U
    d = tmp_path_factory.mktemp("unwrap_alg")
    return U.write_synthetic_stack(str(d), rows=70, cols=80, seed=5), d


def test_unwrap_alg_grid_auto_reference(run_alg, stack):
    from minesar.algorithms import stackio
    from minesar.algorithms import unwrap as U
    from qgis.core import QgsVectorLayer
    s, d = stack
    res = run_alg("unwrap", {"PHASE": s["phase"], "COHERENCE": s["coherence"], "METHOD": "grid",
                             "OUTPUT": str(d / "unw.tif"), "OUTPUT_COMPONENTS": str(d / "cc.tif"),
                             "OUTPUT_CLOSURE": str(d / "closure.gpkg")})
    info = stackio.read_stack_info(res["OUTPUT"])
    assert info.kind == "unwrapped" and info.count == len(s["pairs"])
    assert (info.ref_row, info.ref_col) == (res["REF_ROW"], res["REF_COL"])
    assert res["N_FLAGGED"] == 0
    u = stackio.read_block(res["OUTPUT"]).astype(float)
    w = stackio.read_block(s["phase"]).astype(float)
    k = (u - w) / TWO_PI
    ok = np.isfinite(k)
    assert np.max(np.abs(k[ok] - np.round(k[ok]))) < 1e-5
    acc = [U.cycle_accuracy(u[b], s["truth"][b], s["coherence_array"] >= 0.3) for b in range(u.shape[0])]
    print("\nfraction correct per interferogram:", ", ".join(f"{a:.4f}" for a in acc))
    assert min(acc) >= 0.99
    cc = stackio.read_stack_info(res["OUTPUT_COMPONENTS"])
    assert cc.kind == "components"
    table = QgsVectorLayer(res["OUTPUT_CLOSURE"], "closure", "ogr")
    assert table.isValid() and table.featureCount() == len(s["pairs"])
    names = [f.name() for f in table.fields()]
    for col in ("PAIR", "N_TRIPLETS", "FRAC_NONZERO", "FLAGGED"):
        assert col in names
    feats = {f["PAIR"]: f for f in table.getFeatures()}
    assert set(feats) == set(info.labels)
    assert all(f["FLAGGED"] == 0 and f["N_TRIPLETS"] >= 2 for f in feats.values())


def test_unwrap_alg_delaunay_with_reference_point(run_alg, stack):
    from minesar.algorithms import stackio
    s, d = stack
    # pixel (row 60, col 8) centre in map coordinates (gt 500000 + 20 col, 4650000 - 20 row)
    x, y = 500000 + 20 * 8.5, 4650000 - 20 * 60.5
    res = run_alg("unwrap", {"PHASE": s["phase"], "COHERENCE": s["coherence"], "METHOD": "delaunay",
                             "REFERENCE": f"{x},{y} [EPSG:32651]", "CORRECT_CLOSURE": True,
                             "OUTPUT": str(d / "unw_d.tif")})
    assert (res["REF_ROW"], res["REF_COL"]) == (60, 8)
    u = stackio.read_block(res["OUTPUT"])
    assert np.all(np.abs(u[:, 60, 8]) <= math.pi + 1e-6)


def test_unwrap_alg_bad_inputs(run_alg, stack, tmp_path):
    from minesar.algorithms import stackio
    from qgis.core import QgsProcessingException
    s, d = stack
    base = {"PHASE": s["phase"], "COHERENCE": s["coherence"], "OUTPUT": str(tmp_path / "o.tif")}
    with pytest.raises(QgsProcessingException, match="REFERENCE.*outside the image"):
        run_alg("unwrap", dict(base, REFERENCE="400000,4650000 [EPSG:32651]"))
    # the bowl's decorrelated core (row 35, col 40) is masked
    with pytest.raises(QgsProcessingException, match="REFERENCE.*masked"):
        run_alg("unwrap", dict(base, REFERENCE=f"{500000 + 20 * 40.5},{4650000 - 20 * 35.5} [EPSG:32651]"))
    deg = stackio.write_raster(str(tmp_path / "deg.tif"), np.degrees(s["wrapped"]).astype(np.float32),
                               kind="wrapped", labels=stackio.read_stack_info(s["phase"]).labels)
    with pytest.raises(QgsProcessingException, match=r"PHASE.*\[-pi, pi\]"):
        run_alg("unwrap", dict(base, PHASE=deg))
    other = stackio.write_raster(str(tmp_path / "coh.tif"), np.ones((len(s["pairs"]), 70, 81), np.float32),
                                 kind="coherence")
    with pytest.raises(QgsProcessingException, match="COHERENCE.*does not match PHASE"):
        run_alg("unwrap", dict(base, COHERENCE=other))
    assert not (tmp_path / "o.tif").exists()
