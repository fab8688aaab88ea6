"""The ``minesar`` Processing provider."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import traceback

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .base import ICON_PATH, MineSARAlgorithm, tr


def algorithm_classes():
    """All MineSAR algorithm classes, discovered from ``alg_*.py`` modules.

    A module that fails to import is logged and skipped: a broken stage never
    takes QGIS or the other stages down.
    """
    from . import __name__ as pkg_name, __path__ as pkg_path
    found = []
    for mod in sorted(pkgutil.iter_modules(pkg_path), key=lambda m: m.name):
        if not mod.name.startswith("alg_"):
            continue
        try:
            module = importlib.import_module(f"{pkg_name}.{mod.name}")
        except Exception:  # noqa: BLE001 - report and keep QGIS alive
            QgsMessageLog.logMessage(tr("MineSAR could not load {}:\n{}").format(mod.name, traceback.format_exc()),
                                     "MineSAR", Qgis.Critical)
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, MineSARAlgorithm) and cls is not MineSARAlgorithm and cls.ALG_ID \
                    and cls.__module__ == module.__name__:
                found.append(cls)
    return found


class MineSARProvider(QgsProcessingProvider):
    """Provider id ``minesar``: every MineSAR stage."""

    def id(self) -> str:
        return "minesar"

    def name(self) -> str:
        return "MineSAR"

    def longName(self) -> str:  # noqa: N802
        return tr("MineSAR — InSAR monitoring of mining subsidence")

    def icon(self) -> QIcon:
        return QIcon(ICON_PATH)

    def supportedOutputRasterLayerExtensions(self):  # noqa: N802
        return ["tif", "vrt", "img"]   # img: ENVI (minesar:geocode FORMAT=ENVI)

    def defaultRasterFileExtension(self):  # noqa: N802
        return "tif"

    def defaultVectorFileExtension(self, hasGeometry=True):  # noqa: N802
        return "gpkg"

    def loadAlgorithms(self):  # noqa: N802
        for cls in algorithm_classes():
            self.addAlgorithm(cls())
        from .studies import add_study_models  # the studies (models/*.model3) as minesar:study_*
        add_study_models(self)
