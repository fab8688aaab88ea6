"""QGIS desktop under Xvfb: the plugin loads, registers the provider, adds the
MineSAR menu and toolbar, shows Chinese names in locale zh, and unloads cleanly."""
import json
import os
import shutil
import subprocess
import textwrap

import pytest

from conftest import ROOT

pytestmark = pytest.mark.gui

CHECK = textwrap.dedent('''
    import json, os
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QTimer
    from qgis.utils import iface
    import qgis.utils

    def check():
        out = {}
        try:
            p = QgsApplication.processingRegistry().providerById("minesar")
            out["provider"] = p is not None
            out["names"] = {a.name(): a.displayName() for a in p.algorithms()} if p else {}
            out["groups"] = sorted({a.group() for a in p.algorithms()}) if p else []
            bar = iface.mainWindow().menuBar()
            out["menus"] = [a.text() for a in bar.actions()]
            menu = [a.menu() for a in bar.actions() if a.menu() is not None and a.menu().objectName() == "mMineSARMenu"]
            out["menu_actions"] = [a.text() for m in menu for sub in m.actions() if sub.menu()
                                   for a in sub.menu().actions()]
            from qgis.PyQt.QtWidgets import QToolBar
            out["toolbar"] = any(t.objectName() == "mMineSARToolBar" for t in iface.mainWindow().findChildren(QToolBar))
            iface.mainWindow().grab().save(os.environ["SHOT"])
            # the tilt dialog: choosing a PS layer in INPUT fills the ID_FIELD drop-down
            from qgis.core import (QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingContext, QgsProject,
                                   QgsVectorLayer)
            import processing
            ps = QgsVectorLayer("Point?crs=EPSG:32651&field=PS_ID:string&field=VEL:double&field=D20200101:double",
                                "ps", "memory")
            f = QgsFeature(ps.fields())
            f.setAttributes(["a", 1.0, 0.0])
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(0, 0)))
            ps.dataProvider().addFeatures([f])
            QgsProject.instance().addMapLayer(ps)
            dlg = processing.createAlgorithmDialog("minesar:tilt")
            wrappers = dlg.mainWidget().wrappers
            ctx = QgsProcessingContext()
            ctx.setProject(QgsProject.instance())
            wrappers["INPUT"].setParameterValue(ps.id(), ctx)
            QgsApplication.processEvents()
            combo = wrappers["ID_FIELD"].wrappedWidget()
            out["tilt_id_fields"] = [combo.itemText(i) for i in range(combo.count())]
            dlg.close()
            out["unloaded"] = qgis.utils.unloadPlugin("minesar")
            out["menus_after"] = [a.text() for a in bar.actions()]
            out["toolbar_after"] = any(t.objectName() == "mMineSARToolBar" and t.isVisible()
                                       for t in iface.mainWindow().findChildren(QToolBar))
            out["provider_after"] = QgsApplication.processingRegistry().providerById("minesar") is not None
        except Exception as exc:  # report, never hang
            import traceback
            out["error"] = traceback.format_exc()
        with open(os.environ["RESULT"], "w", encoding="utf-8") as fh:
            json.dump(out, fh, ensure_ascii=False)
        QgsApplication.instance().exit(0)

    QTimer.singleShot(3000, check)
''')


def _run_desktop(tmp_path, locale):
    if shutil.which("xvfb-run") is None or shutil.which("qgis") is None:
        pytest.fail("xvfb-run and qgis must be installed (scripts/setup.sh)")
    prof = tmp_path / "profile"
    plugins = prof / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "minesar").symlink_to(ROOT, target_is_directory=True)
    ini = prof / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(f"[PythonPlugins]\nminesar=true\n[locale]\noverrideFlag=true\nuserLocale={locale}\n"
                   f"globalLocale={locale}\n[qgis]\nshowTips=false\ncheckVersion=false\n")
    script = tmp_path / "check.py"
    script.write_text(CHECK)
    result, shot = tmp_path / "result.json", tmp_path / f"qgis_{locale}.png"
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(prof), RESULT=str(result), SHOT=str(shot))
    env.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x900x24", "qgis", "--nologo",
                           "--noversioncheck", "--code", str(script)],
                          env=env, capture_output=True, text=True, timeout=180)
    assert result.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(result.read_text(encoding="utf-8"))
    assert "error" not in data, data.get("error")
    assert shot.exists() and shot.stat().st_size > 10_000
    return data


def test_desktop_loads_menu_toolbar_and_unloads(tmp_path):
    data = _run_desktop(tmp_path, "en_US")
    assert data["provider"]
    assert "buildstack" in data["names"]
    assert "MineSAR" in data["menus"]
    assert "Build SLC stack from manifest" in data["menu_actions"]
    assert data["toolbar"]
    assert [f for f in data["tilt_id_fields"] if f] == ["PS_ID", "VEL", "D20200101"]
    assert data["unloaded"] and "MineSAR" not in data["menus_after"]
    assert not data["provider_after"] and not data["toolbar_after"]


def test_desktop_in_chinese_shows_chinese_names(tmp_path):
    data = _run_desktop(tmp_path, "zh_Hans")
    name = data["names"]["buildstack"]
    assert name != "Build SLC stack from manifest"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in name), name
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in g) for g in data["groups"])


VIEWER = textwrap.dedent('''
    import json, os, sys
    import numpy as np
    from qgis.core import (QgsApplication, QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsProject,
                           QgsRasterLayer, QgsVectorLayer)
    from qgis.PyQt.QtCore import QTimer, QVariant
    from qgis.utils import iface
    import qgis.utils

    def check():
        out = {}
        try:
            plugin = qgis.utils.plugins["minesar"]
            vl = QgsVectorLayer("Point?crs=EPSG:32650", "ps", "memory")
            pr = vl.dataProvider()
            pr.addAttributes([QgsField("CODE", QVariant.String), QgsField("VEL", QVariant.Double),
                              QgsField("D20201031", QVariant.Double), QgsField("D20201112", QVariant.Double),
                              QgsField("D20201124", QVariant.Double)])
            vl.updateFields()
            for code, x, vals in (("A1", 500000.0, [0.0, -1.5, -3.0]), ("A2", 500100.0, [0.0, 2.0, 4.0])):
                f = QgsFeature(vl.fields())
                f.setAttributes([code, -26.5, *vals])
                f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, 3750000.0)))
                pr.addFeatures([f])
            QgsProject.instance().addMapLayer(vl)
            canvas = iface.mapCanvas()
            canvas.setDestinationCrs(vl.crs())
            canvas.setExtent(vl.extent().buffered(200))
            canvas.refresh()
            iface.setActiveLayer(vl)
            plugin.ts_action.trigger()
            out["tool_active"] = canvas.mapTool() is plugin.ts_tool
            found = plugin.ts_tool.on_click(QgsPointXY(500003.0, 3750002.0))
            out["point_title"] = found[0]
            out["point_values"] = list(found[2])
            out["dock_values"] = plugin.ts_dock.last[2]
            rl = QgsRasterLayer(os.environ["TS_RASTER"], "ts")
            QgsProject.instance().addMapLayer(rl)
            iface.setActiveLayer(rl)
            canvas.setDestinationCrs(rl.crs())
            found = plugin.ts_tool.on_click(QgsPointXY(500000.0 + 2.5 * 20, 4650000.0 - 1.5 * 20))
            out["raster_values"] = list(found[2])
            out["raster_dates"] = [d.strftime("%Y%m%d") for d in found[1]]
            iface.mainWindow().grab().save(os.environ["SHOT"])
        except Exception:
            import traceback
            out["error"] = traceback.format_exc()
        with open(os.environ["RESULT"], "w", encoding="utf-8") as fh:
            json.dump(out, fh, ensure_ascii=False)
        QgsApplication.instance().exit(0)

    QTimer.singleShot(3000, check)
''')


def test_time_series_viewer_plots_points_and_pixels(tmp_path):
    import datetime as dt

    import numpy as np

    from minesar.algorithms import stackio
    from osgeo import osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32651)
    dates = [dt.date(2018, 1, 11), dt.date(2018, 1, 23), dt.date(2018, 2, 4)]
    ts = np.zeros((3, 4, 5), "float32")
    ts[1], ts[2] = -5.0, -12.5
    ts[2, 1, 2] = -20.0
    raster = tmp_path / "ts.tif"
    stackio.write_raster(str(raster), ts, kind="timeseries", units="mm",
                         labels=[stackio.date_label(d) for d in dates],
                         band_metadata=stackio.band_metadata_for_dates(dates),
                         geotransform=(500000.0, 20.0, 0.0, 4650000.0, 0.0, -20.0), crs_wkt=srs.ExportToWkt())
    global CHECK
    saved = CHECK
    CHECK = VIEWER
    os.environ["TS_RASTER"] = str(raster)
    try:
        data = _run_desktop(tmp_path, "en_US")
    finally:
        CHECK = saved
    assert data["tool_active"]
    assert data["point_title"].startswith("Point A1")
    assert data["point_values"] == [0.0, -1.5, -3.0] == data["dock_values"]
    assert data["raster_dates"] == ["20180111", "20180123", "20180204"]
    assert data["raster_values"] == [0.0, -5.0, -20.0]
