"""minesar:pairnetwork through processing.run in a headless QgsApplication."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from stackfixtures import write_slc_set


def make_stack(folder, preset):
    """8x8 complex GeoTIFFs with a simulator preset's dates, baselines and geometry -> stack VRT."""
    from minesar.algorithms import simulate, stackio
    sc = simulate.scenario(preset)
    man = write_slc_set(folder, len(sc.dates), dates=sc.dates, bperp=sc.bperp_m)
    vrt = str(folder / "stack.vrt")
    stackio.build_stack(str(man), vrt, geometry=sc.geometry)
    return vrt


@pytest.fixture(scope="module")
def puhe_stack(tmp_path_factory):
    return make_stack(tmp_path_factory.mktemp("puhe"), "puhe")


@pytest.fixture(scope="module")
def huaibei_stack(tmp_path_factory):
    return make_stack(tmp_path_factory.mktemp("huaibei"), "huaibei")


def test_registered_in_group(qgis_app):
    from qgis.core import QgsApplication
    alg = QgsApplication.processingRegistry().algorithmById("minesar:pairnetwork")
    assert alg is not None and alg.groupId() == "2_network"
    keys = {p.name() for p in alg.parameterDefinitions()}
    assert {"STACK", "MODE", "MAX_TEMPORAL_DAYS", "MAX_PERP_M", "MAX_PERP_PERCENT", "MIN_CONNECTIONS",
            "MAX_CONNECTIONS", "COHERENCE", "MIN_COHERENCE", "REPAIR", "MASTER_DATE", "OUTPUT", "PLOT"} <= keys
    assert "λ·R·tan(θ)·B_r/c" in alg.shortHelpString()


@pytest.mark.parametrize("ext", ["gpkg", "csv"])
def test_puhe_sbas_table_loads_as_layer(run_alg, puhe_stack, tmp_path, ext):
    from qgis.core import QgsVectorLayer
    res = run_alg("pairnetwork", {"STACK": puhe_stack, "MODE": "sbas", "MAX_TEMPORAL_DAYS": 72,
                                  "MAX_PERP_PERCENT": 2, "OUTPUT": str(tmp_path / f"pairs.{ext}"),
                                  "PLOT": str(tmp_path / "net.png")})
    assert res["N_PAIRS"] == 195 and res["MIN_DEGREE"] == 5 and res["N_COMPONENTS"] == 1
    assert res["N_ADDED"] == 0 and res["MASTER_DATE"] == ""
    assert res["CRITICAL_BASELINE_M"] == pytest.approx(6686.3, abs=0.1)
    lyr = QgsVectorLayer(res["OUTPUT"], "pairs", "ogr")
    assert lyr.isValid() and lyr.featureCount() == 195
    assert [f.name() for f in lyr.fields()][-8:] == ["REF_DATE", "SEC_DATE", "PAIR", "BTEMP_DAYS", "BPERP_M",
                                                   "BPERP_PCT", "COHERENCE", "REASON"]
    feats = list(lyr.getFeatures())
    assert all(str(f["REF_DATE"]) < str(f["SEC_DATE"]) and int(f["BTEMP_DAYS"]) <= 72 for f in feats)
    assert str(feats[0]["PAIR"]) == "20180111_20180123" and str(feats[0]["REF_DATE"]) == "20180111"
    from qgis.core import NULL
    assert all(f["COHERENCE"] == NULL for f in feats)        # unknown coherence is NULL
    assert {str(f["REASON"]) for f in feats} == {"thresholds"}
    from minesar.algorithms import network
    assert len(network.read_pairs_table(res["OUTPUT"])) == 195
    with open(res["PLOT"], "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_huaibei_star_master(run_alg, huaibei_stack, tmp_path):
    from qgis.core import QgsVectorLayer
    res = run_alg("pairnetwork", {"STACK": huaibei_stack, "MODE": "star", "OUTPUT": str(tmp_path / "star.gpkg")})
    assert res["MASTER_DATE"] == "20210312" and res["N_PAIRS"] == 25 and res["MIN_DEGREE"] == 1
    lyr = QgsVectorLayer(res["OUTPUT"], "pairs", "ogr")
    assert lyr.featureCount() == 25
    assert all("20210312" in (str(f["REF_DATE"]), str(f["SEC_DATE"])) for f in lyr.getFeatures())
    res = run_alg("pairnetwork", {"STACK": huaibei_stack, "MODE": "star", "MASTER_DATE": "20210616",
                                  "OUTPUT": str(tmp_path / "star2.gpkg")})
    assert res["MASTER_DATE"] == "20210616"


def test_coherence_table_and_errors(run_alg, huaibei_stack, tmp_path):
    from qgis.core import QgsProcessingException
    from minesar.algorithms import simulate
    sc = simulate.scenario("huaibei")
    d = [x.strftime("%Y%m%d") for x in sc.dates]
    # coherence: every pair of the first date is weak -> only the spanning-tree pair keeps it
    lines = ["PAIR,COHERENCE"]
    for i in range(26):
        for j in range(i + 1, 26):
            lines.append(f"{d[i]}_{d[j]},{0.1 if i == 0 else 0.6}")
    lines[1] = f"{d[0]}_{d[1]},0.2"     # the best weak pair of the first date
    (tmp_path / "coh.csv").write_text("\n".join(lines) + "\n")
    res = run_alg("pairnetwork", {"STACK": huaibei_stack, "MODE": "sbas", "MAX_TEMPORAL_DAYS": 60,
                                  "MAX_PERP_PERCENT": 0, "COHERENCE": str(tmp_path / "coh.csv"),
                                  "MIN_COHERENCE": 0.5, "OUTPUT": str(tmp_path / "c.gpkg")})
    from qgis.core import QgsVectorLayer
    feats = list(QgsVectorLayer(res["OUTPUT"], "p", "ogr").getFeatures())
    first = [f for f in feats if str(f["REF_DATE"]) == d[0]]
    assert len(first) == 1 and str(first[0]["REASON"]) == "kept_coherence_mst"
    assert first[0]["COHERENCE"] == pytest.approx(0.2)
    assert res["N_COMPONENTS"] == 1 and res["N_ADDED"] == 1
    with pytest.raises(QgsProcessingException, match="MASTER_DATE: 20210313 is not an acquisition date"):
        run_alg("pairnetwork", {"STACK": huaibei_stack, "MODE": "star", "MASTER_DATE": "20210313",
                                "OUTPUT": str(tmp_path / "bad.gpkg")})
    with pytest.raises(QgsProcessingException, match="disconnected.*Smallest thresholds"):
        run_alg("pairnetwork", {"STACK": huaibei_stack, "MODE": "sbas", "MAX_TEMPORAL_DAYS": 12,
                                "MAX_PERP_PERCENT": 0.5, "REPAIR": False, "OUTPUT": str(tmp_path / "bad2.gpkg")})
    assert not (tmp_path / "bad.gpkg").exists() and not (tmp_path / "bad2.gpkg").exists()


def test_network_strings_translated(qgis_app):
    """Every pairnetwork string (name, help, parameters, outputs, literal tr) is in i18n/zh/network.json."""
    import ast
    import json
    import re
    from conftest import ROOT
    from qgis.core import QgsApplication
    cat = json.loads((ROOT / "i18n" / "zh" / "network.json").read_text(encoding="utf-8"))
    alg = QgsApplication.processingRegistry().algorithmById("minesar:pairnetwork")
    needed = {type(alg).DISPLAY_NAME, type(alg).HELP}
    needed |= {p.description() for p in alg.parameterDefinitions()}
    needed |= {o.description() for o in alg.outputDefinitions()}
    tree = ast.parse((ROOT / "processing_provider" / "alg_network.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and getattr(node.func, "id", None) == "tr" \
                and isinstance(node.args[0], ast.Constant):
            needed.add(node.args[0].value)
    missing = sorted(s[:60] for s in needed if s not in cat)
    assert not missing, missing
    for src, dst in cat.items():
        assert re.search(r"[\u4e00-\u9fff]", dst), src
        assert re.findall(r"\{[^{}]*\}", src) == re.findall(r"\{[^{}]*\}", dst), src


def test_coherence_raster_stack(run_alg, huaibei_stack, tmp_path):
    """A coherence pair stack (as from 'interferograms') is averaged per band."""
    from qgis.core import QgsVectorLayer
    from minesar.algorithms import simulate, stackio
    sc = simulate.scenario("huaibei")
    d = sc.dates
    pairs = [(d[0], d[1]), (d[0], d[2]), (d[1], d[2])]
    data = np.stack([np.full((4, 4), v) for v in (0.2, 0.1, 0.9)]).astype("float32")
    coh = stackio.write_raster(str(tmp_path / "coh.tif"), data, kind="coherence",
                               labels=[stackio.pair_label(*p) for p in pairs],
                               band_metadata=stackio.band_metadata_for_pairs(pairs))
    res = run_alg("pairnetwork", {"STACK": huaibei_stack, "MAX_TEMPORAL_DAYS": 24, "MAX_PERP_PERCENT": 0,
                                  "COHERENCE": coh, "MIN_COHERENCE": 0.5, "OUTPUT": str(tmp_path / "p.gpkg")})
    rows = {str(f["PAIR"]): f for f in QgsVectorLayer(res["OUTPUT"], "p", "ogr").getFeatures()}
    lab = stackio.pair_label
    assert str(rows[lab(d[0], d[1])]["REASON"]) == "kept_coherence_mst"
    assert rows[lab(d[0], d[1])]["COHERENCE"] == pytest.approx(0.2)
    assert lab(d[0], d[2]) not in rows
    assert rows[lab(d[1], d[2])]["COHERENCE"] == pytest.approx(0.9)
    assert res["N_COMPONENTS"] == 1


def test_save_to_geopackage_layer_name(run_alg, huaibei_stack, tmp_path):
    """The GUI's 'Save to GeoPackage' hands an ogr: URI with a table name."""
    from qgis.core import QgsVectorLayer
    from minesar.algorithms import network
    gpkg = tmp_path / "project.gpkg"
    network.write_pairs_table(str(gpkg), [], layer_name="other")      # an existing layer must survive
    uri = f"ogr:dbname='{gpkg}' table=\"star_pairs\" (geom)"
    res = run_alg("pairnetwork", {"STACK": huaibei_stack, "MODE": "star", "OUTPUT": uri})
    assert res["OUTPUT"] == f"{gpkg}|layername=star_pairs"
    assert QgsVectorLayer(res["OUTPUT"], "p", "ogr").featureCount() == 25
    assert len(network.read_pairs_table(res["OUTPUT"])) == 25
    from osgeo import ogr
    ds = ogr.Open(str(gpkg))           # keep the dataset referenced while its layers are used
    assert sorted(ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())) == ["other", "star_pairs"]
    ds = None
