"""The leveling report in Simplified Chinese (fake translator from the zh catalogue) and its CJK font."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from i18nfixtures import CJK, english_left, headings, missing_glyph_warnings, translator, zh_catalog
from minesar.algorithms import leveling as L

DATES = [dt.date(2020, 1, 1), dt.date(2020, 1, 11), dt.date(2020, 1, 31)]
IDENTIFIERS = {"ID", "LEVELING", "INSAR", "N_SAMPLES", "DIFF"}   # field names stay as they are


@pytest.fixture(scope="module")
def catalog():
    return zh_catalog()


@pytest.fixture(scope="module")
def result():
    """7 benchmarks on PS (B6 disturbed by +30 mm -> outlier, B2 flagged excluded), 水准点8 without PS."""
    n = 7
    xs = 100.0 * np.arange(n)
    series = [[0.0, -2.0 * i, -4.0 * i] for i in range(n)]
    src = L.point_source(xs, np.zeros(n), dates=DATES, series=series)
    rng = np.random.default_rng(0)
    lev = [-8.0 * i + rng.normal(0, 0.2) + (30.0 if i == 6 else 0.0) for i in range(n)] + [-5.0]
    ids = [f"B{i}" for i in range(n)] + ["水准点8"]
    return L.compare_leveling(ids, list(xs) + [5000.0], [0.0] * n + [5000.0], leveling=lev, insar=src,
                              start_date="20200101", end_date="20200121", radius=10.0, vertical=True,
                              incidence_deg=60.0, exclude=["no", "no", "yes", "no", "no", "no", "no", "no"])


def test_report_in_chinese(result, catalog):
    res = result
    assert res.stats_all["N"] == 7 and sum(r.outlier for r in res.records) == 1 and len(res.empty) == 1
    en = L.report_html(res)
    zh, glyphs = missing_glyph_warnings(lambda: L.report_html(res, tr=translator(catalog)))
    assert not glyphs, glyphs
    for h in ("MineSAR — InSAR vs leveling", "Method", "Dates and interpolation", "Statistics (mm)", "statistic",
              "all benchmarks", "without excluded / outlier benchmarks", "Empty neighbourhoods (no InSAR value)",
              "Plots", "Benchmarks", "from", "to", "flag"):
        assert h in headings(en)
        assert catalog[h] in headings(zh) and h not in headings(zh), h
    # every heading is Chinese or a field name; no translated English text node is left
    assert all(CJK.search(h) or h in IDENTIFIERS for h in headings(zh)), headings(zh)
    assert english_left(en, zh, catalog) == []
    # sentences fixed at compute time are rendered in Chinese too (dates, InSAR description, vertical)
    assert "interpolated linearly between 20200111 and 20200131 (weight 0.5000 on 20200131)" in en
    assert catalog["{}: InSAR time series interpolated linearly between {} and {} (weight {:.4f} on {})"].format(
        "20200121", "20200111", "20200131", 0.5, "20200131") in zh
    assert catalog["{} InSAR points, time series of {} dates {}–{}"].format(7, 3, "20200101", "20200131") in zh
    assert catalog["LOS converted to vertical: d_vert = d_los / cos({:g}°) (× {:.5f})"].format(60.0, 2.0) in zh
    assert not re.search(r"interpolated linearly|InSAR points|converted to vertical|Comparison:|Outlier flag", zh)
    # flags and statistics rows
    for word in ("outlier", "excluded", "empty", "RMSE = √mean(DIFF²)", "Pearson r² (squared correlation coefficient)"):
        assert catalog[word] in zh
    # the plots carry the translated labels: the images differ from the English ones
    png = re.compile(r"base64,([A-Za-z0-9+/=]+)")
    assert len(png.findall(zh)) == 2 and set(png.findall(zh)).isdisjoint(png.findall(en))
    # the identity translator keeps the English report
    assert L.report_html(res, tr=lambda s: s) == en
    assert res.statements(translator(catalog))[-1].startswith("视线向")


def test_english_report_with_chinese_benchmark_ids_renders(result):
    """A CJK benchmark id in an English report switches the plot font as well."""
    _, glyphs = missing_glyph_warnings(lambda: L.report_html(result))
    assert not glyphs, glyphs


def test_cjk_font_context():
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    assert L.has_cjk("水准（毫米）") and not L.has_cjk("Leveling (mm)", None, "−Σ²∅")
    name = L.cjk_font_name()
    assert name in L.CJK_FONTS, "no CJK font found (scripts/setup.sh installs fonts-wqy-microhei)"
    with L.cjk_font_context("Leveling (mm)"):
        assert matplotlib.rcParams["font.sans-serif"][0] != name
    with L.cjk_font_context("Leveling (mm)", "水准"):
        assert matplotlib.rcParams["font.sans-serif"][0] == name
    assert matplotlib.rcParams["font.sans-serif"][0] != name            # restored afterwards

    def draw(*texts):
        with L.cjk_font_context(*texts):
            fig = plt.figure(figsize=(2, 1))
            fig.text(0.05, 0.5, "水准 沉降 −12 mm²")
            return L.png_base64(fig)

    _, without = missing_glyph_warnings(draw)                  # default font: boxes (the check can fail)
    _, with_font = missing_glyph_warnings(lambda: draw("水准"))
    assert without and not with_font, with_font
