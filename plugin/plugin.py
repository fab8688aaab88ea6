"""The MineSAR QGIS plugin: provider registration, menu, toolbar, translator."""
from __future__ import annotations

import os

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QSettings, QTranslator
from qgis.PyQt.QtGui import QIcon

from ..processing_provider.base import ICON_PATH, PLUGIN_DIR, tr
from ..processing_provider.provider import MineSARProvider


def user_locale() -> str:
    """Two-letter UI locale of QGIS (``zh``, ``en``...)."""
    s = QSettings()
    loc = s.value("locale/userLocale", "") or ""
    if not loc:
        loc = QLocale.system().name()
    return str(loc)[:2]


def load_translator(locale: str = None):
    """Install ``i18n/minesar_<locale>.qm`` if it exists; return the translator."""
    locale = locale or user_locale()
    qm = os.path.join(PLUGIN_DIR, "i18n", f"minesar_{locale}.qm")
    if not os.path.exists(qm):
        return None
    translator = QTranslator()
    if translator.load(qm):
        QCoreApplication.installTranslator(translator)
        return translator
    return None


class MineSARPlugin:
    """Plugin shell: works in QGIS desktop (``initGui``) and in qgis_process
    (``initProcessing`` only, ``iface`` is None)."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.translator = load_translator()
        self.menu = None
        self.toolbar = None
        self.actions = []

    # -- Processing -----------------------------------------------------------------
    def initProcessing(self):  # noqa: N802
        if self.provider is None:
            self.provider = MineSARProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    # -- GUI -----------------------------------------------------------------------
    def initGui(self):  # noqa: N802
        from qgis.PyQt.QtWidgets import QAction, QMenu, QToolButton
        self.initProcessing()
        main = self.iface.mainWindow()
        self.menu = QMenu(tr("MineSAR"), main)
        self.menu.setObjectName("mMineSARMenu")
        groups = {}
        algs = sorted(self.provider.algorithms(), key=lambda a: (a.groupId(), a.displayName()))
        for alg in algs:
            sub = groups.get(alg.groupId())
            if sub is None:
                sub = self.menu.addMenu(alg.group())
                groups[alg.groupId()] = sub
            act = QAction(alg.icon(), alg.displayName(), main)
            act.setObjectName(f"mMineSAR_{alg.name()}")
            act.triggered.connect(lambda _=False, aid=alg.id(): self.open_algorithm(aid))
            sub.addAction(act)
            self.actions.append(act)
        self.menu.addSeparator()
        toolbox = QAction(QIcon(ICON_PATH), tr("Open the MineSAR toolbox"), main)
        toolbox.triggered.connect(self.open_toolbox)
        self.menu.addAction(toolbox)
        self.actions.append(toolbox)
        bar = main.menuBar()
        before = None
        for a in bar.actions():
            if a.menu() is not None and a.menu().objectName() in ("mHelpMenu", "mWebMenu"):
                before = a
                break
        if before is not None:
            bar.insertMenu(before, self.menu)
        else:
            bar.addMenu(self.menu)
        self.toolbar = self.iface.addToolBar(tr("MineSAR"))
        self.toolbar.setObjectName("mMineSARToolBar")
        button = QToolButton(self.toolbar)
        button.setIcon(QIcon(ICON_PATH))
        button.setToolTip(tr("MineSAR"))
        button.setMenu(self.menu)
        button.setPopupMode(QToolButton.InstantPopup)
        self.toolbar.addWidget(button)

    def open_algorithm(self, alg_id: str):
        """Open the Processing dialog of one algorithm."""
        import processing
        processing.execAlgorithmDialog(alg_id, {})

    def open_toolbox(self):
        """Show the Processing toolbox filtered on MineSAR."""
        try:
            from processing.gui.ProcessingToolbox import ProcessingToolbox  # noqa: F401
            self.iface.actionShowAlgorithmToolbox().trigger() if hasattr(self.iface, "actionShowAlgorithmToolbox") else None
        except Exception:  # noqa: BLE001
            pass

    def unload(self):
        if self.menu is not None:
            self.menu.deleteLater()
            bar = self.iface.mainWindow().menuBar() if self.iface else None
            if bar is not None:
                bar.removeAction(self.menu.menuAction())
            self.menu = None
        if self.toolbar is not None:
            self.toolbar.hide()
            if self.iface is not None:
                self.iface.mainWindow().removeToolBar(self.toolbar)
            self.toolbar.deleteLater()
            self.toolbar = None
        self.actions = []
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
