"""The profile and tilt plots in Simplified Chinese (fake translator from the zh catalogue) and in English."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from i18nfixtures import CJK, figure_texts, missing_glyph_warnings, translator, zh_catalog  # noqa: F401
from minesar.algorithms import profile as P
from minesar.algorithms import tilt as T

WORD = re.compile(r"[A-Za-z]{3,}")          # an English word left in a figure


@pytest.fixture(scope="module")
def catalog():
    return zh_catalog()


def profile_result(n_dates=3, *, vertical=False, velocity=False):
    dates = [dt.date(2020, 1, 1) + dt.timedelta(days=12 * k) for k in range(n_dates)]
    dist = np.arange(0.0, 101.0, 20.0)
    if velocity:
        cols, units, vals = ["VEL"], "mm/yr", -0.3 * dist[:, None]
    else:
        cols, units = [f"D{d:%Y%m%d}" for d in dates], "mm"
        vals = -0.01 * dist[:, None] * np.arange(n_dates)[None, :]
    return P.ProfileResult(dist, dist, 0 * dist, cols, vals, np.ones(dist.size, np.int64),
                           [] if velocity else dates, units, vertical, float(dist[-1]))


def render_profile(res, path, **kw):
    return missing_glyph_warnings(lambda: P.plot_profile(res, str(path), **kw))


def test_profile_plot_in_chinese_and_english(tmp_path, catalog, figure_texts):
    res = profile_result(3)
    out, glyphs = render_profile(res, tmp_path / "zh.png", tr=translator(catalog))
    assert not glyphs, glyphs
    assert out == str(tmp_path / "zh.png") and (tmp_path / "zh.png").read_bytes()[:4] == b"\x89PNG"
    zh = figure_texts[-1]
    for en in ("Displacement profile", "Distance along the profile (m)", "LOS displacement (mm)"):
        assert catalog[en] in zh and en not in zh, en
    assert {"形变剖面", "沿剖面距离（米）", "视线向位移（mm）"} <= set(zh)
    assert {"20200101", "20200113", "20200125"} <= set(zh)          # legend: the dates
    assert not [t for t in zh if WORD.search(t)], zh
    # identity translator: the English labels, as before
    _, glyphs = render_profile(res, tmp_path / "en.png")
    en = figure_texts[-1]
    assert not glyphs
    assert {"Displacement profile", "Distance along the profile (m)", "LOS displacement (mm)"} <= set(en)
    assert not any(CJK.search(t) for t in en)
    # a title given by the caller is kept as it is
    render_profile(res, tmp_path / "t.png", title="剖面 A1–A2", tr=translator(catalog))
    assert "剖面 A1–A2" in figure_texts[-1] and catalog["Displacement profile"] not in figure_texts[-1]


@pytest.mark.parametrize("vertical, velocity, english", [(True, False, "vertical displacement (mm)"),
                                                         (False, True, "LOS velocity (mm/yr)"),
                                                         (True, True, "vertical velocity (mm/yr)")])
def test_profile_axis_label_per_component(tmp_path, catalog, figure_texts, vertical, velocity, english):
    res = profile_result(2, vertical=vertical, velocity=velocity)
    _, glyphs = render_profile(res, tmp_path / "zh.png", tr=translator(catalog))
    assert not glyphs and catalog[english] in figure_texts[-1] and CJK.search(catalog[english])
    render_profile(res, tmp_path / "en.png")
    assert english in figure_texts[-1]


def test_profile_colorbar_of_many_dates_in_chinese(tmp_path, catalog, figure_texts):
    res = profile_result(14)                                         # > 12 dates: colour bar, no legend
    _, glyphs = render_profile(res, tmp_path / "zh.png", tr=translator(catalog))
    assert not glyphs, glyphs
    assert "日期序号（20200101 … 20200605）" in figure_texts[-1]
    assert catalog["date index ({} … {})"].format("20200101", "20200605") == "日期序号（20200101 … 20200605）"
    render_profile(res, tmp_path / "en.png")
    assert "date index (20200101 … 20200605)" in figure_texts[-1]


def tilt_result():
    """Study B's cooling tower: A1/A2 31.46 m apart, d_B − d_A = −15.73 mm on 20220822 -> tilt −0.0005."""
    return T.tilt_series(["20201031", "20210312", "20220822"], [0.0, -1.0, -3.0], [0.0, -6.0, -18.73], 31.46)


def test_tilt_plot_in_chinese_and_english(tmp_path, catalog, figure_texts):
    res = tilt_result()
    assert res.max_tilt == pytest.approx(-0.0005)
    out, glyphs = missing_glyph_warnings(lambda: T.plot_tilt(res, str(tmp_path / "zh.png"), label_a="A1",
                                                             label_b="A2", tr=translator(catalog)))
    assert not glyphs, glyphs
    assert out == str(tmp_path / "zh.png") and (tmp_path / "zh.png").read_bytes()[:4] == b"\x89PNG"
    zh = figure_texts[-1]
    assert {"差异形变与倾斜 — 距离 31.46 米", "形变量（mm）", "倾斜 (d_B − d_A)/距离",
            "最大 |倾斜| -5.00e-04（20220822）", "d_A (A1)", "d_B (A2)", "d_B − d_A"} <= set(zh), zh
    assert not [t for t in zh if WORD.search(t)], zh
    # identity translator: the English labels, as before
    _, glyphs = missing_glyph_warnings(lambda: T.plot_tilt(res, str(tmp_path / "en.png"), label_a="A1",
                                                           label_b="A2"))
    en = figure_texts[-1]
    assert not glyphs
    assert {"Differential displacement and tilt — distance 31.46 m", "Displacement (mm)",
            "Tilt (d_B − d_A)/distance", "max |tilt| -5.00e-04 (20220822)", "d_A (A1)", "d_B (A2)"} <= set(en), en
    assert not any(CJK.search(t) for t in en)


def test_tilt_plot_with_chinese_point_ids_renders(tmp_path, figure_texts):
    """Chinese PS ids in an English plot switch the font as well (no missing-glyph boxes)."""
    _, glyphs = missing_glyph_warnings(lambda: T.plot_tilt(tilt_result(), str(tmp_path / "ids.png"),
                                                           label_a="冷却塔A1", label_b="冷却塔A2"))
    assert not glyphs, glyphs
    assert {"d_A (冷却塔A1)", "d_B (冷却塔A2)"} <= set(figure_texts[-1])
