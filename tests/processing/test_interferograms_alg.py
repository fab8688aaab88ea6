"""minesar:interferograms through processing.run (tier b)."""
import datetime as dt
import os

import numpy as np
import pytest

from minesar.algorithms import interferogram as I
from minesar.algorithms import stackio

DATES = [dt.date(2021, 3, 1) + dt.timedelta(days=12 * i) for i in range(4)]
BPERP = [0.0, 60.0, -45.0, 90.0]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    d = tmp_path_factory.mktemp("ifg_alg")
    rows, cols = 48, 40
    y, x = np.mgrid[0:rows, 0:cols]
    dem = (300.0 + 150.0 * np.sin(x / 9.0) * np.cos(y / 11.0)).astype(np.float32)
    disp = np.stack([-6.0 * k * np.exp(-((x - 20) ** 2 + (y - 24) ** 2) / 150.0) for k in range(4)])
    slc = I.synthetic_slc(0.9, disp_mm=disp, bperp_m=BPERP, height_m=dem, seed=1)
    path = I.write_synthetic_stack(str(d), slc, DATES, BPERP, dem=dem)
    pairs_csv = d / "pairs.csv"
    pairs_csv.write_text("REF_DATE,SEC_DATE\n20210301,20210313\n20210301,20210325\n20210313,20210406\n")
    return {"stack": path, "pairs": str(pairs_csv), "dem": str(d / "dem.tif"), "disp": disp, "dir": d}


def test_interferograms_alg_outputs(run_alg, stack, tmp_path):
    out = {k: str(tmp_path / f"{k}.tif") for k in ("ph", "coh", "mc", "da")}
    res = run_alg("interferograms", {
        "STACK": stack["stack"], "PAIRS": stack["pairs"], "LOOKS_RANGE": 2, "LOOKS_AZIMUTH": 2,
        "COHERENCE_WINDOW": 5, "REMOVE_TOPO": True, "GOLDSTEIN_ALPHA": 0.5, "MEMORY_MB": 1,
        "OUTPUT_PHASE": out["ph"], "OUTPUT_COHERENCE": out["coh"], "OUTPUT_MEAN_COHERENCE": out["mc"],
        "OUTPUT_AMPLITUDE_DISPERSION": out["da"]})
    assert res["N_PAIRS"] == 3
    assert 0.8 < res["MEAN_COHERENCE"] < 1.0
    info = stackio.read_stack_info(res["OUTPUT_PHASE"])
    assert info.kind == "wrapped" and info.labels == ["20210301_20210313", "20210301_20210325", "20210313_20210406"]
    assert (info.width, info.height) == (20, 24)
    np.testing.assert_allclose(info.bperp_m, [60.0, -45.0, 30.0])
    # the DEM recorded in the stack removed the topography: phase follows the motion
    ph = stackio.read_block(res["OUTPUT_PHASE"])
    truth = I.pair_phase_truth(0, 1, disp_mm=stack["disp"], looks_range=2, looks_azimuth=2)
    err = abs(np.angle(np.nanmean(np.exp(1j * (ph[0] - truth)))))
    assert err < 0.1
    assert stackio.read_stack_info(res["OUTPUT_AMPLITUDE_DISPERSION"]).kind == "amplitude_dispersion"
    assert stackio.read_stack_info(res["OUTPUT_MEAN_COHERENCE"]).kind == "mean_coherence"


def test_interferograms_alg_consecutive_default(run_alg, stack, tmp_path):
    res = run_alg("interferograms", {
        "STACK": stack["stack"], "REMOVE_TOPO": False, "GOLDSTEIN_ALPHA": 0.0,
        "OUTPUT_PHASE": str(tmp_path / "p.tif"), "OUTPUT_COHERENCE": str(tmp_path / "c.tif"),
        "OUTPUT_MEAN_COHERENCE": None, "OUTPUT_AMPLITUDE_DISPERSION": None})
    assert res["N_PAIRS"] == 3
    assert stackio.read_stack_info(res["OUTPUT_PHASE"]).pairs == list(zip(DATES[:-1], DATES[1:]))
    assert sorted(os.listdir(tmp_path)) == ["c.tif", "p.tif"]


def test_interferograms_alg_bad_input(run_alg, stack, tmp_path):
    from qgis.core import QgsProcessingException
    bad = tmp_path / "bad_pairs.csv"
    bad.write_text("REF_DATE,SEC_DATE\n20210301,20220101\n")
    base = {"STACK": stack["stack"], "OUTPUT_PHASE": str(tmp_path / "p.tif"),
            "OUTPUT_COHERENCE": str(tmp_path / "c.tif"), "OUTPUT_MEAN_COHERENCE": str(tmp_path / "m.tif"),
            "OUTPUT_AMPLITUDE_DISPERSION": str(tmp_path / "d.tif")}
    with pytest.raises(QgsProcessingException, match="PAIRS row 1.*20220101.*not in the stack"):
        run_alg("interferograms", dict(base, PAIRS=str(bad)))
    # a later-first pair: the same rule and message as a pairs file read by network.read_pairs_table
    swapped = tmp_path / "swapped_pairs.csv"
    swapped.write_text("REF_DATE,SEC_DATE\n20210313,20210301\n")
    with pytest.raises(QgsProcessingException, match="PAIRS: row 1: .*later date as reference.*swap"):
        run_alg("interferograms", dict(base, PAIRS=str(swapped)))
    with pytest.raises(ValueError, match="PAIRS: row 1: .*later date as reference.*swap"):
        I.read_pairs_table(str(swapped))
    with pytest.raises(QgsProcessingException, match="LOOKS_AZIMUTH: 100 looks is larger than the image"):
        run_alg("interferograms", dict(base, LOOKS_AZIMUTH=100))
    small = stackio.write_raster(str(tmp_path / "dem_small.tif"), np.zeros((10, 10), np.float32), kind="dem")
    with pytest.raises(QgsProcessingException, match="DEM: .*10 x 10 pixels"):
        run_alg("interferograms", dict(base, DEM=small))
    with pytest.raises(QgsProcessingException, match="STACK: .*not complex"):
        run_alg("interferograms", dict(base, STACK=stack["dem"]))
    assert sorted(os.listdir(tmp_path)) == ["bad_pairs.csv", "dem_small.tif", "swapped_pairs.csv"]


def test_interferograms_alg_cancel(run_alg, stack, tmp_path):
    from qgis.core import QgsProcessingException, QgsProcessingFeedback
    fb = QgsProcessingFeedback()
    fb.cancel()
    with pytest.raises(QgsProcessingException, match="no output was written"):
        run_alg("interferograms", {"STACK": stack["stack"], "OUTPUT_PHASE": str(tmp_path / "p.tif"),
                                   "OUTPUT_COHERENCE": str(tmp_path / "c.tif")}, feedback=fb)
    assert os.listdir(tmp_path) == []
