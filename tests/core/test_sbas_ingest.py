"""Importer of unwrapped interferograms made elsewhere (``algorithms/ingest.py``)."""
from __future__ import annotations

import datetime as dt
import shutil

import numpy as np
import pytest
from osgeo import gdal, osr

from minesar.algorithms import ingest, stackio

HYP3 = "hyp3_metadata"


def test_parse_hyp3_metadata_real_files(shared_data):
    folder = shared_data / HYP3
    a = ingest.parse_hyp3_metadata(str(folder / "S1_056072_IW2_20220814_20220907_VV_INT80_E09B.txt"))
    assert a["reference_date"] == dt.date(2022, 8, 14) and a["secondary_date"] == dt.date(2022, 9, 7)
    assert a["bperp_m"] == pytest.approx(158.57439820410497)
    assert a["heading_deg"] == pytest.approx(-13.3101122688203)
    assert a["looks_range"] == 20 and a["looks_azimuth"] == 4
    assert a["Radar n lines"] == 376 and a["Unwrapping type"] == "snaphu_mcf"
    assert a["incidence_deg"] == pytest.approx(40.04, abs=0.02)   # from slant range, height, Earth radius
    b = ingest.parse_hyp3_metadata(str(folder / "S1AC_20251001T204513_20251007T204359_HHR006_INT40_G_ueF_1DBE.txt"))
    assert b["reference_date"] == dt.date(2025, 10, 1) and b["bperp_m"] == pytest.approx(48.0195)
    assert b["Phase at reference point"] == pytest.approx(3.32844) and b["looks_range"] == 10
    c = ingest.parse_hyp3_metadata(str(folder / "S1_044_000000s1n00-093117s2n01-093118s3n01_IW_20250718_20250730_VV_INT80_B4FA.txt"))
    assert c["reference_date"] == dt.date(2025, 7, 18) and c["secondary_date"] == dt.date(2025, 7, 30)
    assert c["Reference Pass Direction"] == "DESCENDING" and c["heading_deg"] == pytest.approx(-164.2755, abs=1e-4)
    assert c["bperp_m"] == pytest.approx(33.88969537726557)
    with pytest.raises(ValueError, match="file not found"):
        ingest.parse_hyp3_metadata(str(folder / "nothere.txt"))


def test_find_pair_and_gamma_bperp(shared_data):
    assert ingest.find_pair("cropA_20180106-20180130_VV_8rlks_eqa_unw.tif") == (dt.date(2018, 1, 6),
                                                                                 dt.date(2018, 1, 30))
    assert ingest.find_pair("S1AC_20251001T204513_20251007T204359_HHR006") == (dt.date(2025, 10, 1),
                                                                                dt.date(2025, 10, 7))
    assert ingest.find_pair("no_pair_here.tif") is None
    b = ingest.parse_gamma_bperp(str(shared_data / "mexico_city_s1/geometry/20180106-20180130_VV_8rlks_bperp.par"))
    assert 30.0 < b < 33.5      # mean of the bperp column (32.94 ... 30.6 m along range)


def _write(path, arr, gt=(500000.0, 30.0, 0.0, 4000000.0, 0.0, -30.0), nodata=0.0):
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(str(path), arr.shape[1], arr.shape[0], 1, gdal.GDT_Float32)
    ds.SetGeoTransform(gt)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32614)
    ds.SetProjection(srs.ExportToWkt())
    b = ds.GetRasterBand(1)
    b.WriteArray(arr)
    if nodata is not None:
        b.SetNoDataValue(nodata)
    ds = None


def test_import_hyp3_folder(tmp_path, shared_data):
    meta = (shared_data / HYP3 / "S1_056072_IW2_20220814_20220907_VV_INT80_E09B.txt").read_text()
    pairs = [("20220814", "20220907", 158.574), ("20220907", "20221001", -40.0), ("20220814", "20221001", 118.574)]
    rng = np.random.default_rng(0)
    for a, b, bl in pairs:
        name = f"S1_056072_IW2_{a}_{b}_VV_INT80_ABCD"
        ph = rng.normal(size=(6, 7)).astype("float32")
        ph[0, 0] = 0.0                           # HyP3 no-data
        _write(tmp_path / f"{name}_unw_phase.tif", ph)
        _write(tmp_path / f"{name}_corr.tif", rng.uniform(0.1, 0.9, (6, 7)).astype("float32"))
        (tmp_path / f"{name}.txt").write_text(meta.replace("Baseline: 158.57439820410497", f"Baseline: {bl}"))
        (tmp_path / "ignored_readme.tif").write_bytes(b"")   # junk without a pair is skipped
    out, outc = tmp_path / "o" / "unw.tif", tmp_path / "o" / "coh.tif"
    r = ingest.import_unwrapped(str(tmp_path), str(out), output_coherence=str(outc), phase_sign=-1)
    assert r["n_pairs"] == 3 and r["n_dates"] == 3 and r["has_baselines"]
    inf = stackio.read_stack_info(str(out))
    assert inf.kind == "unwrapped" and inf.units == "rad" and len(inf.pairs) == 3
    assert inf.geometry.heading_deg == pytest.approx(-13.3101122688203)
    assert inf.geometry.incidence_deg == pytest.approx(40.04, abs=0.02)
    assert inf.geometry.looks_range == 20
    np.testing.assert_allclose(inf.date_bperp_m, [0.0, 158.574, 118.574], atol=1e-3)
    data = stackio.read_block(str(out))
    assert np.isnan(data[:, 0, 0]).all()
    src = gdal.Open(str(tmp_path / "S1_056072_IW2_20220814_20220907_VV_INT80_ABCD_unw_phase.tif")).ReadAsArray()
    np.testing.assert_allclose(data[0, 1:, 1:], -src[1:, 1:], rtol=1e-6)     # PHASE_SIGN = -1
    assert stackio.read_stack_info(str(outc)).kind == "coherence"


def test_import_licsar_and_bad_inputs(tmp_path):
    for a, b in (("20200101", "20200113"), ("20200113", "20200125")):
        d = tmp_path / "GEOC" / f"{a}_{b}"
        d.mkdir(parents=True)
        _write(d / f"{a}_{b}.geo.unw.tif", np.full((5, 5), 1.5, "float32"))
        _write(d / f"{a}_{b}.geo.cc.tif", np.full((5, 5), 0.7, "float32"))
    r = ingest.import_unwrapped(str(tmp_path / "GEOC"), str(tmp_path / "unw.tif"),
                                output_coherence=str(tmp_path / "coh.tif"),
                                geometry_overrides={"incidence_deg": 34.0})
    assert r["n_pairs"] == 2 and not r["has_baselines"]
    inf = stackio.read_stack_info(str(tmp_path / "unw.tif"))
    assert inf.geometry.incidence_deg == 34.0 and inf.date_bperp_m is None
    np.testing.assert_allclose(stackio.read_block(str(tmp_path / "coh.tif")), 0.7, rtol=1e-6)
    # a raster on another grid
    _write(tmp_path / "GEOC" / "x_20200125_20200206.geo.unw.tif", np.ones((4, 5), "float32"))
    with pytest.raises(ValueError, match="INPUT: .*one grid"):
        ingest.import_unwrapped(str(tmp_path / "GEOC"), str(tmp_path / "bad.tif"))
    assert not (tmp_path / "bad.tif").exists()
    with pytest.raises(ValueError, match="PHASE_SIGN"):
        ingest.import_unwrapped(str(tmp_path / "GEOC"), str(tmp_path / "bad.tif"), phase_sign=2)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no GeoTIFF"):
        ingest.import_unwrapped(str(empty), str(tmp_path / "bad.tif"))


def test_import_hyp3_reference_point(tmp_path, shared_data):
    """The HyP3 reference point (map coordinates in the .txt) becomes REF_ROW/REF_COL."""
    meta = (shared_data / HYP3 / "S1AC_20251001T204513_20251007T204359_HHR006_INT40_G_ueF_1DBE.txt").read_text()
    # grid whose pixel (row 3, col 4) holds X 515679.7018, Y 6703535.9184
    gt = (515679.7018 - 4.5 * 40.0, 40.0, 0.0, 6703535.9184 + 3.5 * 40.0, 0.0, -40.0)
    for a, b in (("20251001", "20251007"), ("20251007", "20251013")):
        name = f"S1AC_{a}T204513_{b}T204359_HHR006_INT40_G_ueF_1DBE"
        _write(tmp_path / f"{name}_unw_phase.tif", np.ones((8, 9), "float32"), gt=gt)
        (tmp_path / f"{name}.txt").write_text(meta)
    ingest.import_unwrapped(str(tmp_path), str(tmp_path / "o.tif"))
    inf = stackio.read_stack_info(str(tmp_path / "o.tif"))
    assert (inf.ref_row, inf.ref_col) == (3, 4)
    assert inf.geometry.looks_range == 10 and inf.geometry.incidence_deg == pytest.approx(39.30, abs=0.01)
