"""Time-series viewer: click a PS point or a time-series pixel, see its history.

Works on point layers with ``DYYYYMMDD`` fields (MineSAR PS output, MintPy's
QGIS export, EGMS) and on MineSAR time-series rasters (one band per date,
``DATE`` band metadata).  Values are plotted in mm (LOS toward the satellite
positive, or vertical when the layer says so).
"""
from __future__ import annotations

from qgis.core import (QgsCoordinateTransform, QgsFeatureRequest, QgsMapLayerType, QgsPointXY, QgsProject,
                       QgsRaster, QgsRectangle)
from qgis.gui import QgsMapToolEmitPoint
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDockWidget, QLabel, QVBoxLayout, QWidget

from ..algorithms.stackio import read_stack_info
from ..algorithms.tsfields import series_from_attributes
from ..processing_provider.base import tr


def layer_series(layer, point: QgsPointXY, tolerance: float):
    """Series at ``point`` (layer CRS) of ``layer``: ``(title, dates, values_mm)`` or ``None``."""
    if layer is None:
        return None
    if layer.type() == QgsMapLayerType.VectorLayer:
        names = [f.name() for f in layer.fields()]
        rect = QgsRectangle(point.x() - tolerance, point.y() - tolerance, point.x() + tolerance, point.y() + tolerance)
        best, best_d = None, None
        for feat in layer.getFeatures(QgsFeatureRequest().setFilterRect(rect)):
            g = feat.geometry()
            if g is None or g.isEmpty():
                continue
            d = g.distance(g.fromPointXY(point))
            if best_d is None or d < best_d:
                best, best_d = feat, d
        if best is None:
            return None
        dates, vals = series_from_attributes(names, best.attributes())
        if not dates:
            return None
        label = best["CODE"] if "CODE" in names else best.id()
        vel = best["VEL"] if "VEL" in names else None
        title = tr("Point {}").format(label)
        if vel is not None:
            title += tr(", velocity {:.1f} mm/yr").format(float(vel))
        return title, dates, vals
    if layer.type() == QgsMapLayerType.RasterLayer:
        try:
            info = read_stack_info(layer.source().split("|")[0])
        except ValueError:
            return None
        if not info.dates or info.is_pair_stack:
            return None
        res = layer.dataProvider().identify(point, QgsRaster.IdentifyFormatValue).results()
        vals = [res.get(b + 1) for b in range(info.count)]
        import numpy as np
        arr = np.array([np.nan if v is None else float(v) for v in vals])
        if np.all(np.isnan(arr)):
            return None
        return tr("Pixel at {:.1f}, {:.1f}").format(point.x(), point.y()), info.dates, arr
    return None


class TimeSeriesDock(QDockWidget):
    """Dock with a matplotlib plot of the last clicked series."""

    def __init__(self, parent=None):
        super().__init__(tr("MineSAR time series"), parent)
        self.setObjectName("mMineSARTimeSeriesDock")
        from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg
        from matplotlib.figure import Figure
        w = QWidget(self)
        lay = QVBoxLayout(w)
        self.label = QLabel(tr("Click a point or pixel with the time-series tool."), w)
        self.figure = Figure(figsize=(5, 3), tight_layout=True)
        self.canvas = FigureCanvasQTAgg(self.figure)
        lay.addWidget(self.label)
        lay.addWidget(self.canvas)
        self.setWidget(w)
        self.last = None

    def show_series(self, title, dates, values):
        self.last = (title, list(dates), list(values))
        self.figure.clear()
        ax = self.figure.add_subplot(111)
        ax.plot(dates, values, "o-", ms=3)
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_ylabel(tr("Displacement (mm)"))
        ax.set_title(title, fontsize=9)
        ax.grid(True, alpha=0.3)
        self.figure.autofmt_xdate()
        self.canvas.draw()
        self.label.setText(title)


class TimeSeriesTool(QgsMapToolEmitPoint):
    """Map tool: click → series of the active layer at that place."""

    def __init__(self, iface, dock: TimeSeriesDock):
        super().__init__(iface.mapCanvas())
        self.iface = iface
        self.dock = dock
        self.canvasClicked.connect(self.on_click)

    def on_click(self, point, button=None):
        layer = self.iface.activeLayer()
        if layer is None:
            self.dock.label.setText(tr("Select a PS point layer or a time-series raster first."))
            return None
        canvas = self.iface.mapCanvas()
        xf = QgsCoordinateTransform(canvas.mapSettings().destinationCrs(), layer.crs(), QgsProject.instance())
        p = xf.transform(point)
        tol = canvas.mapUnitsPerPixel() * 6
        found = layer_series(layer, QgsPointXY(p), tol)
        if found is None:
            self.dock.label.setText(tr("No time series here."))
            return None
        self.dock.show()
        self.dock.show_series(*found)
        return found
