#!/usr/bin/env python3
"""Build the MineSAR translations.

Source of truth: ``i18n/<lang>/*.json`` files mapping English source strings to
translations (one file per stage, so stages never edit the same file).  This
script merges them into ``i18n/minesar_<lang>.ts`` (Qt Linguist, context
``MineSAR``) and compiles ``minesar_<lang>.qm`` with ``lrelease``.

Run: ``/usr/bin/python3 i18n/build.py``
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
CONTEXT = "MineSAR"
LANGS = {"zh": "zh_CN"}


def load_catalog(lang: str) -> dict:
    """All translations of ``lang`` merged from its JSON files."""
    merged = {}
    for path in sorted(glob.glob(os.path.join(HERE, lang, "*.json"))):
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        for src, dst in data.items():
            if src in merged and merged[src] != dst:
                print(f"warning: {os.path.basename(path)} retranslates {src[:60]!r}", file=sys.stderr)
            merged[src] = dst
    return merged


def write_ts(lang: str, catalog: dict) -> str:
    root = ET.Element("TS", version="2.1", language=LANGS.get(lang, lang))
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    for src in sorted(catalog):
        msg = ET.SubElement(ctx, "message")
        ET.SubElement(msg, "source").text = src
        ET.SubElement(msg, "translation").text = catalog[src]
    ET.indent(root) if hasattr(ET, "indent") else None
    path = os.path.join(HERE, f"minesar_{lang}.ts")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        fh.write(ET.tostring(root, encoding="unicode"))
        fh.write("\n")
    return path


def compile_qm(ts_path: str) -> str:
    exe = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    qm = ts_path[:-3] + ".qm"
    if not os.path.exists(exe):
        print("warning: lrelease not found (install qttools5-dev-tools); .qm not built", file=sys.stderr)
        return ""
    subprocess.run([exe, "-silent", ts_path, "-qm", qm], check=True)
    return qm


def main() -> int:
    for lang in LANGS:
        cat = load_catalog(lang)
        ts = write_ts(lang, cat)
        qm = compile_qm(ts)
        print(f"i18n: {lang}: {len(cat)} strings -> {os.path.basename(ts)} {os.path.basename(qm)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
