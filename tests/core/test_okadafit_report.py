"""The Okada fit report in Simplified Chinese (fake translator from the zh catalogue), on a hand-made FitResult."""
from __future__ import annotations

import re

import numpy as np
import pytest

from i18nfixtures import CJK, english_left, headings, missing_glyph_warnings, translator, zh_catalog
from minesar.algorithms import okadafit

IDENTIFIERS = {"2.5 %", "97.5 %", "Δχ²"}


def fake_result():
    """Two horizontal rectangles (the second not supported) and every field the report reads; no fit run."""
    rng = np.random.default_rng(0)
    src = np.array([[0.0, 0.0, 450.0, 600.0, 320.0, 30.0, 0.0, -0.6, 0.0, 0.0],
                    [900.0, -300.0, 500.0, 200.0, 150.0, 10.0, 0.0, -0.02, 0.0, 0.0]])
    std = np.abs(src) * 0.05 + 1.0
    samples = src[None] + rng.normal(0.0, 1.0, (200, 2, 10)) * std[None]
    q = {"x": rng.uniform(-2000, 2000, 150), "y": rng.uniform(-2000, 2000, 150), "d": rng.normal(0, 20, 150)}
    hc = np.linspace(100.0, 2000.0, 15)
    return okadafit.FitResult(
        sources=src, std=std, lo95=src - 2 * std, hi95=src + 2 * std, best=src + 0.1 * std,
        nuisance=np.array([4.0, 0.1, -0.2]), nuisance_std=np.array([0.5, 0.02, 0.02]),
        best_nuisance=np.array([4.1, 0.1, -0.2]), samples=samples, origin=(0.0, 0.0), n_samples=150,
        n_values=3600, quadtree_threshold=9.5, quadtree=q, noise={"sill": 9.0, "range": 400.0, "nugget": 1.0},
        semivariogram=(hc, 1.0 + 9.0 * (1 - np.exp(-hc / 400.0))), acceptance=0.31, n_iterations=3000,
        chi2_reduced=1.05, timings={"quadtree": 0.1, "global_search": 2.0, "noise_model": 0.3, "support": 0.5,
                                    "mcmc": 4.0, "total": 7.0},
        free=["x", "y", "depth", "length", "width", "strike", "opening"], vertical=False, poisson=0.25,
        support_dchi2=np.array([850.0, 3.0]), support_penalty=22.0, supported=np.array([True, False]),
        peak_mm=np.array([160.0, 4.0]))


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    res = fake_result()
    X, Y = np.meshgrid(np.linspace(-2000, 2000, 40), np.linspace(-2000, 2000, 40))
    model = -150.0 * np.exp(-(X ** 2 + Y ** 2) / 600.0 ** 2)
    obs = model + np.random.default_rng(1).normal(0, 3.0, model.shape)
    out = tmp_path_factory.mktemp("okrep")
    cat = zh_catalog()
    kw = dict(obs=obs, model=model, residual=obs - model, x=X, y=Y)
    en = okadafit.write_report(out / "en.html", res, **kw)
    zh, glyphs = missing_glyph_warnings(lambda: okadafit.write_report(out / "zh.html", res, tr=translator(cat), **kw))
    return (open(en, encoding="utf-8").read(), open(zh, encoding="utf-8").read(), glyphs, cat)


def test_okada_report_in_chinese(reports):
    en, zh, glyphs, cat = reports
    assert not glyphs, glyphs
    for h in ("Okada source fit", "Input values", "Noise model", "Run time", "Residual histogram",
              "Posterior marginals", "source", "parameter", "unit", "mean", "std", "best", "BIC penalty",
              "supported", "Parameters (posterior mean, standard deviation, 95 % interval, best fit)"):
        assert h in headings(en), h
        assert cat[h] in headings(zh) and h not in headings(zh), h
    assert "peak (mm)" in headings(en) and cat["peak ({})"].format("mm") in headings(zh)
    assert all(CJK.search(h) or h in IDENTIFIERS or h in {"x", "y"} for h in headings(zh)), headings(zh)
    assert english_left(en, zh, cat) == []
    # table words and meta values
    assert ">yes<" in en and ">NO<" in en and f">{cat['yes']}<" in zh and f">{cat['NO']}<" in zh
    for word in ("offset", "ramp east", "ramp north"):
        assert f">{word}<" in en and f">{cat[word]}<" in zh
    assert cat["sill {:.4g} {}², range {:.4g} m, nugget {:.4g} {}²"].format(9.0, "mm", 400.0, 1.0, "mm") in zh
    assert cat["{} (acceptance {:.2f})"].format(3000, 0.31) in zh
    assert cat["{} {:.1f} s"].format(cat["global search"], 2.0) in zh and "global search 2.0 s" in en
    assert "Bagnardi &amp; Hooper" in zh and CJK.search(zh.rsplit("<p>", 1)[1])
    assert not re.search(r"variance threshold|acceptance|nugget|within ±50|rectangular dislocations", zh)
    # five plots, each different from its English twin (translated labels)
    png = re.compile(r"base64,([A-Za-z0-9+/=]+)")
    assert len(png.findall(zh)) == 5 and set(png.findall(zh)).isdisjoint(png.findall(en))
