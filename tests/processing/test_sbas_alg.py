"""Processing tier: ``minesar:importunwrapped`` and ``minesar:sbas`` through processing.run."""
from __future__ import annotations

import numpy as np
import pytest

from minesar.algorithms import stackio
from test_sbas_helpers import make_stack, write_stack

pytestmark = pytest.mark.qgis


@pytest.fixture(scope="module")
def mexico(run_alg, shared_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("mx_alg")
    res = run_alg("importunwrapped", {
        "INPUT_FOLDER": str(shared_data / "mexico_city_s1" / "geotiffs"),
        "BASELINE_FOLDER": str(shared_data / "mexico_city_s1" / "geometry"),
        "PHASE_SIGN": "1", "OUTPUT": str(d / "unw.tif"), "OUTPUT_COHERENCE": str(d / "coh.tif")})
    return d, res


def test_importunwrapped_mexico(mexico):
    d, res = mexico
    assert res["N_PAIRS"] == 30 and res["N_DATES"] == 13
    inf = stackio.read_stack_info(res["OUTPUT"])
    assert inf.kind == "unwrapped" and inf.date_bperp_m is not None
    assert stackio.read_stack_info(res["OUTPUT_COHERENCE"]).kind == "coherence"


def test_sbas_mexico_reference_point(run_alg, mexico):
    d, res = mexico
    out = run_alg("sbas", {
        "PHASE": res["OUTPUT"], "COHERENCE": res["OUTPUT_COHERENCE"], "WEIGHT": "var",
        "COHERENCE_THRESHOLD": 0.2, "REFERENCE": "-99.1765,19.4228 [EPSG:4326]",
        "OUTPUT_TIMESERIES": str(d / "ts.tif"), "OUTPUT_VELOCITY": str(d / "vel.tif"),
        "OUTPUT_DEM_ERROR": str(d / "dem.tif"), "OUTPUT_TEMPORAL_COHERENCE": str(d / "tc.tif"),
        "OUTPUT_ATMOSPHERE": str(d / "atm.tif"), "VERTICAL": True})
    assert (out["REF_ROW"], out["REF_COL"]) == (20, 10)
    v = stackio.read_band(out["OUTPUT_VELOCITY"])
    # vertical = LOS / cos(incidence at the crop, 31.3 deg, not the scene centre's 39.7): -289 / 0.854 = -339 mm/yr
    assert -350.0 < np.nanmin(v) < -325.0
    assert out["VELOCITY_MIN"] == pytest.approx(float(np.nanmin(v)), abs=1e-3)
    inf = stackio.read_stack_info(out["OUTPUT_TIMESERIES"])
    assert inf.kind == "timeseries" and inf.count == 13 and inf.metadata["COMPONENT"] == "vertical"
    assert stackio.read_stack_info(out["OUTPUT_ATMOSPHERE"]).kind == "atmosphere"


def test_sbas_bad_inputs(run_alg, tmp_path):
    from qgis.core import QgsProcessingException
    d = make_stack(rows=12, cols=10)
    nopairs = write_stack(tmp_path / "nopairs.tif", d, with_pairs=False)
    base = {"OUTPUT_TIMESERIES": str(tmp_path / "ts.tif"), "OUTPUT_VELOCITY": str(tmp_path / "v.tif")}
    with pytest.raises(QgsProcessingException, match="no pair metadata"):
        run_alg("sbas", dict(base, PHASE=str(nopairs)))
    d["phase"][4, 3, 2] = np.nan
    p = write_stack(tmp_path / "unw.tif", d)
    # the grid origin is (400000, 4400000), 20 m pixels: row 3, col 2 -> x 400050, y 4399930
    with pytest.raises(QgsProcessingException, match=r"REFERENCE: the reference pixel \(row 3, col 2\)"):
        run_alg("sbas", dict(base, PHASE=str(p), REFERENCE="400050,4399930 [EPSG:32650]"))
    coh = np.full(d["phase"].shape, 0.3)
    write_stack(tmp_path / "unw2.tif", d, coherence=coh, coherence_path=tmp_path / "coh.tif")
    with pytest.raises(QgsProcessingException, match="every pixel is masked"):
        run_alg("sbas", dict(base, PHASE=str(tmp_path / "unw2.tif"), COHERENCE=str(tmp_path / "coh.tif"),
                             COHERENCE_THRESHOLD=0.5, REFERENCE="400010,4399990 [EPSG:32650]"))
    assert not (tmp_path / "ts.tif").exists()
