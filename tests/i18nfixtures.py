"""Helpers for the tests of translated HTML reports and plots (core tier: no QGIS)."""
from __future__ import annotations

import html
import importlib.util
import re
import warnings

import pytest

from conftest import ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")


def zh_catalog() -> dict:
    """English source -> Simplified Chinese, merged from ``i18n/zh/*.json`` (i18n/build.py)."""
    spec = importlib.util.spec_from_file_location("i18n_build", ROOT / "i18n" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.load_catalog("zh")


def translator(catalog: dict):
    """A fake ``tr``: dictionary lookup, the English text when there is no translation."""
    return lambda s: catalog.get(s, s)


def text_nodes(doc: str, tags: str = r"h1|h2|h3|th|td|li|p|title") -> list:
    """Unescaped, stripped text of every ``<tag ...>text</tag>`` without nested markup."""
    return [html.unescape(t).strip() for t in re.findall(rf"<(?:{tags})\b[^>]*>([^<]*)</(?:{tags})>", doc)]


def headings(doc: str) -> list:
    """Text of the h1-h3 headings and table headers."""
    return [t for t in text_nodes(doc, r"h1|h2|h3|th") if t]


def missing_glyph_warnings(render):
    """Call ``render()``; return its result and matplotlib's missing-glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = render()
    return out, [str(w.message) for w in caught if "missing from current font" in str(w.message)]


def english_left(doc_en: str, doc_zh: str, catalog: dict) -> list:
    """Text nodes of the English report that have a translation and still appear, in English, in the Chinese one."""
    zh_nodes = set(text_nodes(doc_zh))
    return sorted({t for t in text_nodes(doc_en) if t in catalog and t in zh_nodes})


@pytest.fixture
def figure_texts(monkeypatch):
    """Texts of every figure saved while the test runs (one list per ``savefig``), read just before saving."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    saved = []
    original = Figure.savefig

    def savefig(fig, *args, **kwargs):
        saved.append([t.get_text() for t in fig.findobj(Text) if t.get_text().strip()])
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return saved
