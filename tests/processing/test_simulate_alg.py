"""simulatestack through processing.run, chained into buildstack."""
import os

import numpy as np
import pytest


def test_simulatestack_then_buildstack(run_alg, tmp_path):
    from minesar.algorithms import simulate, stackio
    out = tmp_path / "tiny"
    res = run_alg("simulatestack", {"SCENARIO": "tiny", "SEED": 7, "OUTPUT_FOLDER": str(out)})
    assert res["N_DATES"] == 12 and os.path.isfile(res["MANIFEST"])
    assert res["INCIDENCE"] == pytest.approx(37.1) and res["HEADING"] == pytest.approx(-166.2)
    assert res["RANGE_PIXEL"] == pytest.approx(20.0 * np.sin(np.radians(37.1)))
    for key, kind in (("TRUTH_DISPLACEMENT", "truth_displacement"), ("TRUTH_VELOCITY", "truth_velocity"),
                      ("TRUTH_DEM_ERROR", "truth_dem_error"), ("PS_MASK", "ps_mask"), ("DEM", "dem"),
                      ("LANDCOVER", "landcover")):
        assert stackio.read_stack_info(res[key]).kind == kind, key
    vel = stackio.read_band(res["TRUTH_VELOCITY"])
    assert vel.min() < -80          # tiny bowl: about -94 mm/yr LOS
    # same seed through the core: the same truth
    arr = simulate.simulate_arrays("tiny", seed=7)
    assert np.allclose(stackio.read_block(res["TRUTH_DISPLACEMENT"]), arr.disp_mm)
    # chain: buildstack with the geometry the simulator reports
    vrt = tmp_path / "stack.vrt"
    b = run_alg("buildstack", {"MANIFEST": res["MANIFEST"], "DEM": res["DEM"], "OUTPUT": str(vrt),
                               **{k: res[k] for k in ("WAVELENGTH", "INCIDENCE", "HEADING", "SLANT_RANGE",
                                                      "RANGE_PIXEL", "AZIMUTH_PIXEL")}})
    assert b["N_DATES"] == 12
    info = stackio.read_stack_info(b["OUTPUT"])
    sc = simulate.scenario("tiny")
    assert info.kind == "slc" and info.labels == [stackio.date_label(d) for d in sc.dates]
    assert info.dates == sc.dates and np.allclose(info.bperp_m, sc.bperp_m, atol=1e-4)
    assert info.geometry.incidence_deg == pytest.approx(37.1)
    assert info.geometry.slant_range_m == pytest.approx(sc.geometry.slant_range_m)
    assert info.dem_path and os.path.samefile(info.dem_path, res["DEM"])
    assert np.array_equal(stackio.read_block(b["OUTPUT"], bands=[3])[0], arr.slc[3])


def test_simulatestack_overrides(run_alg, tmp_path):
    from minesar.algorithms import stackio
    res = run_alg("simulatestack", {"SCENARIO": "huaibei", "SEED": 1, "ROWS": 40, "COLS": 48, "N_DATES": 5,
                                    "DATE_STEP_DAYS": 24, "ATMOSPHERE_MM": 0.0, "STRAT_MM_PER_KM": 0.0,
                                    "PS_DENSITY": 0.5, "BOWL_MODEL": "knothe", "OUTPUT_FOLDER": str(tmp_path / "o")})
    assert res["N_DATES"] == 5
    info = stackio.read_stack_info(res["TRUTH_DISPLACEMENT"])
    assert (info.height, info.width, info.count) == (40, 48, 5)
    assert info.metadata["BOWL_MODEL"] == "knothe" and info.btemp_days()[-1] == 96
    atmo = stackio.read_block(os.path.join(os.path.dirname(res["TRUTH_DISPLACEMENT"]), "atmosphere.tif"))
    assert np.all(atmo == 0)


def test_simulatestack_bad_value(run_alg, tmp_path):
    from qgis.core import QgsProcessingException
    with pytest.raises(QgsProcessingException, match="PS_DENSITY"):
        run_alg("simulatestack", {"SCENARIO": "tiny", "PS_DENSITY": 3.0, "OUTPUT_FOLDER": str(tmp_path / "x")})
    with pytest.raises(QgsProcessingException):
        run_alg("simulatestack", {"SCENARIO": "atlantis", "OUTPUT_FOLDER": str(tmp_path / "y")})
    assert not (tmp_path / "x").exists() or not os.listdir(tmp_path / "x")
