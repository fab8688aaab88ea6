"""minesar:interferograms headless through qgis_process.bin, alone and in a Modeler chain."""
from __future__ import annotations

import datetime as dt

import numpy as np

DATES = [dt.date(2018, 1, 11) + dt.timedelta(days=12 * i) for i in range(6)]
BPERP = [0.0, 35.0, -20.0, 60.0, 10.0, -45.0]


def make_inputs(folder, rows=32, cols=36):
    """Synthetic SLC GeoTIFFs (DESIGN §2 phase: motion + topography), DEM and manifest."""
    from minesar.algorithms import interferogram as I
    from minesar.algorithms import stackio
    y, x = np.mgrid[0:rows, 0:cols]
    dem = (200.0 + 120.0 * np.sin(x / 7.0) + 60.0 * np.cos(y / 9.0)).astype(np.float32)
    disp = np.stack([-5.0 * k * np.exp(-((x - 18) ** 2 + (y - 16) ** 2) / 60.0) for k in range(len(DATES))])
    slc = I.synthetic_slc(0.9, disp_mm=disp, bperp_m=BPERP, height_m=dem, seed=3)
    vrt = I.write_synthetic_stack(str(folder), slc, DATES, BPERP, dem=dem)
    return vrt, folder / "manifest.csv", folder / "dem.tif", disp


def test_interferograms_headless(qgis_process, tmp_path):
    from minesar.algorithms import interferogram as I
    from minesar.algorithms import stackio
    vrt, _, _, disp = make_inputs(tmp_path / "in")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("PAIR,BPERP_M\n20180111_20180123,35\n20180111_20180204,-20\n20180204_20180228,-10\n")
    out = {k: tmp_path / f"{k}.tif" for k in ("ph", "coh", "mc", "da")}
    rc, js, stdout, err = qgis_process("run", "minesar:interferograms", params={
        "STACK": vrt, "PAIRS": pairs, "LOOKS_RANGE": 2, "LOOKS_AZIMUTH": 2, "COHERENCE_WINDOW": 3,
        "REMOVE_TOPO": True, "REMOVE_RAMP": False, "GOLDSTEIN_ALPHA": 0.5, "MEMORY_MB": 1,
        "OUTPUT_PHASE": out["ph"], "OUTPUT_COHERENCE": out["coh"], "OUTPUT_MEAN_COHERENCE": out["mc"],
        "OUTPUT_AMPLITUDE_DISPERSION": out["da"]})
    assert rc == 0, err + stdout
    assert js["results"]["N_PAIRS"] == 3
    info = stackio.read_stack_info(str(out["ph"]))
    assert info.kind == "wrapped" and info.units == "radians"
    assert info.labels == ["20180111_20180123", "20180111_20180204", "20180204_20180228"]
    assert (info.width, info.height) == (18, 16)
    assert info.metadata["DATE_LIST"].split(",")[0] == "20180111" and "DATE_BPERP_M" in info.metadata
    ph = stackio.read_block(str(out["ph"]))
    truth = I.pair_phase_truth(0, 1, disp_mm=disp, looks_range=2, looks_azimuth=2)
    assert abs(np.angle(np.nanmean(np.exp(1j * (ph[0] - truth))))) < 0.1
    assert stackio.read_stack_info(str(out["coh"])).kind == "coherence"


def test_interferograms_headless_bad_input(qgis_process, tmp_path):
    vrt, _, _, _ = make_inputs(tmp_path / "in")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("REF_DATE,SEC_DATE\n20180111,20190101\n")
    ph, coh = tmp_path / "ph.tif", tmp_path / "coh.tif"
    rc, js, stdout, err = qgis_process("run", "minesar:interferograms", params={
        "STACK": vrt, "PAIRS": pairs, "OUTPUT_PHASE": ph, "OUTPUT_COHERENCE": coh})
    assert rc != 0
    assert "PAIRS row 1" in stdout + err and "20190101" in stdout + err
    assert "Traceback" not in stdout + err
    assert not ph.exists() and not coh.exists()
    rc, js, stdout, err = qgis_process("run", "minesar:interferograms", params={
        "STACK": vrt, "LOOKS_RANGE": 99, "OUTPUT_PHASE": ph, "OUTPUT_COHERENCE": coh})
    assert rc != 0 and "LOOKS_RANGE: 99 looks is larger than the image" in stdout + err
    assert not ph.exists()


def test_interferograms_help(qgis_process):
    rc, js, out, err = qgis_process("help", "minesar:interferograms")
    assert rc == 0, err
    d = js["algorithm_details"]["short_description"]
    assert "reference x conj(secondary)" in d
    rc, js2, text, err = qgis_process("help", "minesar:interferograms", as_json=False)
    assert "Goldstein and Werner 1998" in text and "-4 pi/lambda * (Bperp_sec - Bperp_ref)" in text
    params = js["parameters"]
    for key in ("STACK", "PAIRS", "DEM", "LOOKS_RANGE", "LOOKS_AZIMUTH", "COHERENCE_WINDOW", "REMOVE_TOPO",
                "REMOVE_RAMP", "GOLDSTEIN_ALPHA", "MEMORY_MB", "OUTPUT_PHASE", "OUTPUT_COHERENCE",
                "OUTPUT_MEAN_COHERENCE", "OUTPUT_AMPLITUDE_DISPERSION"):
        assert key in params


def test_model_chain_buildstack_pairnetwork_interferograms(qgis_app, qgis_process, tmp_path):
    from modeltools import build_model
    from minesar.algorithms import network, stackio
    _, manifest, dem, _ = make_inputs(tmp_path / "in")
    model = build_model(tmp_path / "chain.model3", [
        ("build", "minesar:buildstack", {"MANIFEST": ("input", "manifest"), "DEM": ("input", "dem"),
                                         "OUTPUT": ("output", "stack")}),
        ("pairs", "minesar:pairnetwork", {"STACK": ("child", "build", "OUTPUT"), "MODE": ("value", "sbas"),
                                          "MAX_TEMPORAL_DAYS": ("value", 24), "MAX_PERP_PERCENT": ("value", 0),
                                          "OUTPUT": ("output", "pairs")}),
        ("ifg", "minesar:interferograms", {"STACK": ("child", "build", "OUTPUT"),
                                           "PAIRS": ("child", "pairs", "OUTPUT"),
                                           "LOOKS_RANGE": ("value", 2), "LOOKS_AZIMUTH": ("value", 2),
                                           "REMOVE_TOPO": ("value", True), "GOLDSTEIN_ALPHA": ("value", 0.5),
                                           "OUTPUT_PHASE": ("output", "phase"),
                                           "OUTPUT_COHERENCE": ("output", "coherence")}),
    ], inputs={"manifest": "file", "dem": "raster"})
    ph = tmp_path / "phase.tif"
    rc, js, stdout, err = qgis_process("run", str(model), params={
        "manifest": manifest, "dem": dem, "build:stack": tmp_path / "stack.vrt",
        "pairs:pairs": tmp_path / "pairs.gpkg", "ifg:phase": ph, "ifg:coherence": tmp_path / "coh.tif"})
    assert rc == 0, err + stdout
    pairs = network.read_pairs_table(str(tmp_path / "pairs.gpkg"))
    info = stackio.read_stack_info(str(ph))
    assert info.kind == "wrapped" and info.pairs == pairs
    assert len(pairs) == 9                  # 12- and 24-day pairs of 6 dates
    assert info.metadata["TOPO_REMOVED"] == "YES"
    assert np.nanmean(stackio.read_block(str(tmp_path / "coh.tif"))) > 0.6
