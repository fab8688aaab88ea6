"""qgis_process tier: ``minesar:sbas`` headless, and the Modeler chain
importunwrapped -> sbas on the Mexico City stack."""
from __future__ import annotations

import numpy as np
import pytest

from minesar.algorithms import stackio
from test_sbas_helpers import make_stack, write_stack

pytestmark = pytest.mark.qgis_process


def test_sbas_qgis_process(qgis_process, tmp_path):
    d = make_stack(rows=16, cols=18, noise_rad=0.1)
    p = write_stack(tmp_path / "unw.tif", d)
    rc, js, out, err = qgis_process("run", "minesar:sbas", params={
        "PHASE": str(p), "WEIGHT": "no", "ATMOSPHERE": "false", "DEM_ERROR": "true",
        "REFERENCE": "400010,4399990 [EPSG:32650]",
        "OUTPUT_TIMESERIES": str(tmp_path / "ts.tif"), "OUTPUT_VELOCITY": str(tmp_path / "vel.tif"),
        "OUTPUT_DEM_ERROR": str(tmp_path / "dem.tif"), "OUTPUT_TEMPORAL_COHERENCE": str(tmp_path / "tc.tif")})
    assert rc == 0, err + out
    res = js["results"]
    assert res["REF_ROW"] == 0 and res["REF_COL"] == 0
    v = stackio.read_band(str(tmp_path / "vel.tif"))
    assert np.sqrt(np.nanmean((v - d["vel"]) ** 2)) < 3.0
    assert stackio.read_stack_info(str(tmp_path / "ts.tif")).kind == "timeseries"
    # a wrong enum value gives a clear error and no output
    rc, js, out, err = qgis_process("run", "minesar:sbas", params={
        "PHASE": str(p), "WEIGHT": "bogus", "OUTPUT_TIMESERIES": str(tmp_path / "x.tif"),
        "OUTPUT_VELOCITY": str(tmp_path / "y.tif")})
    assert rc != 0 and not (tmp_path / "x.tif").exists()


def test_model_importunwrapped_to_sbas(qgis_app, qgis_process, shared_data, tmp_path):
    from modeltools import build_model
    from qgis.core import QgsApplication
    mx = shared_data / "mexico_city_s1"
    model = build_model(tmp_path / "mx_chain.model3", [
        ("imp", "minesar:importunwrapped", {
            "INPUT_FOLDER": ("value", str(mx / "geotiffs")),
            "BASELINE_FOLDER": ("value", str(mx / "geometry")),
            "PHASE_SIGN": ("value", "1")}),
        ("sbas", "minesar:sbas", {
            "PHASE": ("child", "imp", "OUTPUT"), "COHERENCE": ("child", "imp", "OUTPUT_COHERENCE"),
            "COHERENCE_THRESHOLD": ("value", 0.2),
            "REFERENCE": ("value", "-99.1765,19.4228 [EPSG:4326]"),
            "OUTPUT_VELOCITY": ("output", "velocity"), "OUTPUT_TIMESERIES": ("output", "timeseries")}),
    ])
    assert QgsApplication.processingRegistry() is not None
    rc, js, out, err = qgis_process("run", str(model), params={
        "sbas:velocity": str(tmp_path / "vel.tif"), "sbas:timeseries": str(tmp_path / "ts.tif")})
    assert rc == 0, err + out
    v = stackio.read_band(str(tmp_path / "vel.tif"))
    assert -300.0 < np.nanmin(v) < -275.0              # same bowl as the core test (-289.3 mm/yr)
    assert stackio.read_stack_info(str(tmp_path / "ts.tif")).count == 13
