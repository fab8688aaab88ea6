"""minesar:psinsar through processing.run (headless QgsApplication)."""
import numpy as np
import pytest

from minesar.algorithms import simulate, stackio


@pytest.fixture(scope="module")
def huaibei_stack(tmp_path_factory):
    """A reduced-size Huaibei stack (same 26 dates and physics, 100 x 100 pixels) built with buildstack."""
    d = tmp_path_factory.mktemp("ps_huaibei")
    sim = simulate.simulate_stack(str(d / "sim"), "huaibei", seed=0, rows=100, cols=100)
    info = stackio.build_stack(sim.manifest, str(d / "stack.vrt"), geometry=sim.scenario.geometry,
                               dem=sim.dem_path)
    return sim, info.path


def _layer(path):
    from qgis.core import QgsVectorLayer
    lyr = QgsVectorLayer(str(path), "ps", "ogr")
    assert lyr.isValid()
    return lyr


def test_psinsar_point_layer(run_alg, huaibei_stack, tmp_path):
    sim, stack = huaibei_stack
    out = tmp_path / "ps.gpkg"
    res = run_alg("psinsar", {"STACK": stack, "OUTPUT": str(out)})
    lyr = _layer(res["OUTPUT"])
    names = [f.name() for f in lyr.fields()]
    assert names[:8] == ["fid", "CODE", "VEL", "V_STDEV", "DEM_ERR", "COH", "DA", "AMP"] or \
        names[:7] == ["CODE", "VEL", "V_STDEV", "DEM_ERR", "COH", "DA", "AMP"]
    dates = [n for n in names if n.startswith("D2")]
    assert len(dates) == 26 and dates[0] == "D20201031" and dates[-1] == "D20220822"
    assert lyr.featureCount() == res["N_PS"] > 100
    assert {f["COMPONENT"] for f in lyr.getFeatures()} == {"los"}     # read by leveling and tilt
    assert res["MASTER_DATE"] == "20210312"                     # the study's automatic common master
    assert res["PS_DENSITY_PER_KM2"] == pytest.approx(res["N_PS"] / 1.0)
    assert lyr.crs().authid() == "EPSG:32650"
    # compare with the truth rasters at the PS pixels
    gt = stackio.read_stack_info(stack).geotransform
    vt = stackio.read_band(sim.truth_paths["truth_velocity"])
    mask = stackio.read_band(sim.truth_paths["ps_mask"]) > 0
    est, tru, first = [], [], []
    for f in lyr.getFeatures():
        p = f.geometry().asPoint()
        c, r = int((p.x() - gt[0]) / gt[1]), int((p.y() - gt[3]) / gt[5])
        assert abs(p.x() - (gt[0] + (c + 0.5) * gt[1])) < 1e-6       # pixel centres
        if mask[r, c]:
            est.append(f["VEL"])
            tru.append(vt[r, c])
        first.append(f["D20201031"])
        assert 0.7 <= f["COH"] <= 1.0
    e = np.array(est) - np.array(tru)
    assert np.sqrt(np.mean((e - e.mean()) ** 2)) < 1.0
    assert np.all(np.array(first) == 0)


def test_psinsar_reference_point_is_zero(run_alg, huaibei_stack, tmp_path):
    sim, stack = huaibei_stack
    gt = stackio.read_stack_info(stack).geotransform
    mask = stackio.read_band(sim.truth_paths["ps_mask"]) > 0
    r, c = [int(v) for v in np.argwhere(mask)[len(np.argwhere(mask)) // 2]]
    x, y = gt[0] + (c + 0.5) * gt[1], gt[3] + (r + 0.5) * gt[5]
    res = run_alg("psinsar", {"STACK": stack, "REFERENCE": f"{x},{y} [EPSG:32650]", "MASTER_DATE": "20210312",
                              "VERTICAL": True, "OUTPUT": str(tmp_path / "ref.gpkg")})
    lyr = _layer(res["OUTPUT"])
    from qgis.core import QgsPointXY
    assert {f["COMPONENT"] for f in lyr.getFeatures()} == {"vertical"}
    zero = [f for f in lyr.getFeatures() if f["VEL"] == 0.0 and f["D20220822"] == 0.0]
    assert len(zero) == 1
    assert zero[0].geometry().asPoint().distance(QgsPointXY(x, y)) < 60.0   # the nearest network PS


def test_psinsar_bad_inputs(run_alg, huaibei_stack, tmp_path):
    from qgis.core import QgsProcessingException
    sim, stack = huaibei_stack
    with pytest.raises(QgsProcessingException, match="MASTER_DATE: 20200101 is not a date of the stack"):
        run_alg("psinsar", {"STACK": stack, "MASTER_DATE": "20200101", "OUTPUT": str(tmp_path / "a.gpkg")})
    with pytest.raises(QgsProcessingException, match=r"COHERENCE_THRESHOLD:.*median"):
        run_alg("psinsar", {"STACK": stack, "COHERENCE_THRESHOLD": 1.0, "COHERENCE_WINDOW": 3,
                            "OUTPUT": str(tmp_path / "b.gpkg")})
    assert not (tmp_path / "a.gpkg").exists() and not (tmp_path / "b.gpkg").exists()
    # a stack of 4 dates stops
    small = simulate.simulate_stack(str(tmp_path / "s4"), "huaibei", seed=1, rows=40, cols=40, n_dates=4)
    v4 = stackio.build_stack(small.manifest, str(tmp_path / "s4.vrt"), geometry=small.scenario.geometry).path
    with pytest.raises(QgsProcessingException, match="at least 5"):
        run_alg("psinsar", {"STACK": v4, "OUTPUT": str(tmp_path / "c.gpkg")})
