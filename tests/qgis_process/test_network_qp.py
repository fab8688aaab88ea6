"""minesar:pairnetwork headless through qgis_process.bin, alone and in a Modeler chain."""
from __future__ import annotations

from stackfixtures import write_slc_set


def write_manifest(folder, preset):
    """8x8 complex GeoTIFFs with a simulator preset's dates and baselines -> manifest CSV."""
    from minesar.algorithms import simulate
    sc = simulate.scenario(preset)
    return str(write_slc_set(folder, len(sc.dates), dates=sc.dates, bperp=sc.bperp_m)), sc


def test_pairnetwork_headless_star_and_error(qgis_process, tmp_path):
    from minesar.algorithms import network, stackio
    man, sc = write_manifest(tmp_path / "hb", "huaibei")
    g = sc.geometry
    vrt = tmp_path / "stack.vrt"
    stackio.build_stack(man, str(vrt), geometry=g)
    out = tmp_path / "pairs.gpkg"
    rc, js, stdout, err = qgis_process("run", "minesar:pairnetwork",
                                       params={"STACK": vrt, "MODE": "star", "OUTPUT": out,
                                               "PLOT": tmp_path / "net.png"})
    assert rc == 0, err + stdout
    r = js["results"]
    assert r["MASTER_DATE"] == "20210312" and r["N_PAIRS"] == 25 and r["N_COMPONENTS"] == 1
    pairs = network.read_pairs_table(str(out))
    assert len(pairs) == 25 and all(sc.dates[11] in p for p in pairs)
    assert (tmp_path / "net.png").stat().st_size > 10_000
    # bad input: the message reaches the user, no traceback, no output
    bad = tmp_path / "bad.gpkg"
    rc, js, stdout, err = qgis_process("run", "minesar:pairnetwork",
                                       params={"STACK": vrt, "MODE": "star", "MASTER_DATE": "20210101",
                                               "OUTPUT": bad})
    assert rc != 0
    assert "MASTER_DATE: 20210101 is not an acquisition date" in stdout + err
    assert "Traceback" not in stdout + err and not bad.exists()


def test_model_chain_buildstack_pairnetwork(qgis_app, qgis_process, tmp_path):
    from modeltools import build_model
    from minesar.algorithms import network
    man, sc = write_manifest(tmp_path / "puhe", "puhe")
    model = build_model(tmp_path / "chain.model3", [
        ("build", "minesar:buildstack", {"MANIFEST": ("input", "manifest"), "INCIDENCE": ("value", 37.1),
                                         "SLANT_RANGE": ("value", sc.geometry.slant_range_m),
                                         "OUTPUT": ("output", "stack")}),
        ("pairs", "minesar:pairnetwork", {"STACK": ("child", "build", "OUTPUT"), "MODE": ("value", "sbas"),
                                          "MAX_TEMPORAL_DAYS": ("value", 72), "MAX_PERP_PERCENT": ("value", 2),
                                          "MIN_CONNECTIONS": ("value", 6),
                                          "OUTPUT": ("output", "pairs")}),
    ], inputs={"manifest": "file"})
    out = tmp_path / "pairs.gpkg"
    rc, js, stdout, err = qgis_process("run", str(model), params={
        "manifest": man, "build:stack": tmp_path / "stack.vrt", "pairs:pairs": out})
    assert rc == 0, err + stdout
    pairs = network.read_pairs_table(str(out))
    # 195 pairs within 72 days / 2 %; MIN_CONNECTIONS=6 adds 2 labelled pairs for the first and last
    # dates (5 neighbours each within 72 days): 20180111_20180405 and 20190506_20190810
    assert len(pairs) == 197
    assert (sc.dates[0], sc.dates[0].replace(month=4, day=5)) in pairs
    from osgeo import ogr
    ds = ogr.Open(str(out))
    reasons = [f.GetField("REASON") for f in ds.GetLayer(0)]
    assert reasons.count("thresholds") == 195
    assert reasons.count("added_min_connections") == 2
    assert len(reasons) == len(pairs)
