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
        self.ts_dock = None
        self.ts_tool = None
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
        from .tsviewer import TimeSeriesDock, TimeSeriesTool
        from qgis.PyQt.QtCore import Qt
        self.ts_dock = TimeSeriesDock(main)
        self.iface.addDockWidget(Qt.BottomDockWidgetArea, self.ts_dock)
        self.ts_dock.hide()
        self.ts_tool = TimeSeriesTool(self.iface, self.ts_dock)
        self.ts_action = QAction(QIcon(ICON_PATH), tr("Time-series viewer"), main)
        self.ts_action.setObjectName("mMineSARTimeSeries")
        self.ts_action.setCheckable(True)
        self.ts_action.setToolTip(tr("Click a PS point or a time-series pixel to plot its displacement history"))
        self.ts_action.triggered.connect(self.toggle_ts_tool)
        self.ts_tool.setAction(self.ts_action)
        self.menu.addAction(self.ts_action)
        self.actions.append(self.ts_action)
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
        self.toolbar.addAction(self.ts_action)

    def toggle_ts_tool(self, checked=True):
        """Activate the time-series map tool and show its dock."""
        canvas = self.iface.mapCanvas()
        if checked:
            canvas.setMapTool(self.ts_tool)
            self.ts_dock.show()
        elif canvas.mapTool() is self.ts_tool:
            canvas.unsetMapTool(self.ts_tool)

    def open_algorithm(self, alg_id: str):
        """Open the Processing dialog of one algorithm."""
        import processing
        processing.execAlgorithmDialog(alg_id, {})

    def open_toolbox(self):
        """Show the Processing toolbox, filtered on MineSAR."""
        import qgis.utils
        proc = qgis.utils.plugins.get("processing")
        box = getattr(proc, "toolbox", None)
        if box is None:
            return
        box.setVisible(True)
        box.raise_()
        search = getattr(box, "searchBox", None)
        if search is not None:
            search.setText("MineSAR")

    def unload(self):
        if getattr(self, "ts_tool", None) is not None and self.iface is not None:
            if self.iface.mapCanvas().mapTool() is self.ts_tool:
                self.iface.mapCanvas().unsetMapTool(self.ts_tool)
            self.ts_tool = None
        if getattr(self, "ts_dock", None) is not None:
            self.iface.removeDockWidget(self.ts_dock)
            self.ts_dock.deleteLater()
            self.ts_dock = None
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
