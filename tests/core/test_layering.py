"""House rule: the science in algorithms/ never imports qgis or Qt."""
import ast

from conftest import ROOT


def test_algorithms_never_import_qgis_or_qt():
    offenders = []
    for path in sorted((ROOT / "algorithms").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                if n.split(".")[0] in ("qgis", "PyQt5", "PyQt6", "PySide2", "PySide6", "sip"):
                    offenders.append(f"{path.name}:{node.lineno} imports {n}")
    assert not offenders, offenders
