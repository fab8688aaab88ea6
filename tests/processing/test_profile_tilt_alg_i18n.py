"""minesar:profile and minesar:tilt draw their PNG plots in the QGIS language (tier b)."""
from __future__ import annotations

import numpy as np
import pytest

from i18nfixtures import figure_texts, missing_glyph_warnings  # noqa: F401 - figure_texts is a fixture
from validationfixtures import write_layer, write_ts


def test_profile_and_tilt_plots_follow_the_chinese_translator(run_alg, tmp_path, figure_texts):
    """With the plugin's zh translator installed (QGIS in Chinese) both plots are labelled in Simplified Chinese."""
    from osgeo import ogr
    from qgis.PyQt.QtCore import QCoreApplication
    from minesar.plugin.plugin import load_translator
    from minesar.processing_provider.base import tr
    base = np.zeros((10, 10))
    base[2, 2] = -2.0            # A (501025, 1975)
    base[6, 5] = -10.35          # B (501055, 1935), 50 m away
    ts = write_ts(tmp_path / "t.tif", base, incidence=60.0)
    line = write_layer(tmp_path / "line.gpkg", 32650, ogr.wkbLineString, [("N", ogr.OFTInteger)],
                       [("LINESTRING (501010 1990, 501090 1910)", {"N": 1})])
    translator = load_translator("zh")
    assert translator is not None
    try:
        assert tr("Displacement profile") == "形变剖面"
        prof, glyphs_p = missing_glyph_warnings(lambda: run_alg("profile", {
            "INPUT": ts, "LINE": line, "STEP": 10, "VERTICAL": True, "OUTPUT": str(tmp_path / "p.gpkg"),
            "PLOT": str(tmp_path / "p.png")}))
        profile_texts = figure_texts[-1]
        tilt, glyphs_t = missing_glyph_warnings(lambda: run_alg("tilt", {
            "INPUT": ts, "POINT_A": "501025,1975 [EPSG:32650]", "POINT_B": "501055,1935 [EPSG:32650]",
            "OUTPUT": str(tmp_path / "t.gpkg"), "PLOT": str(tmp_path / "t.png")}))
        tilt_texts = figure_texts[-1]
    finally:
        QCoreApplication.removeTranslator(translator)
    assert tr("Displacement profile") == "Displacement profile"      # English again for the other tests
    assert len(figure_texts) == 2 and not glyphs_p and not glyphs_t, glyphs_p + glyphs_t
    assert prof["N_STATIONS"] == 13 and (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    assert {"形变剖面", "沿剖面距离（米）", "垂直位移（mm）", "20200101", "20200111", "20200131"} <= set(profile_texts)
    assert tilt["MAX_TILT"] == pytest.approx(-16.7e-3 / 50, abs=1e-9)
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    assert {"差异形变与倾斜 — 距离 50.00 米", "形变量（mm）", "倾斜 (d_B − d_A)/距离", "最大 |倾斜| -3.34e-04（20200131）",
            "d_A (A)", "d_B (B)"} <= set(tilt_texts), tilt_texts
    for en in ("Displacement profile", "Distance along the profile (m)", "vertical displacement (mm)",
               "Displacement (mm)", "Tilt (d_B − d_A)/distance"):
        assert en not in profile_texts + tilt_texts
