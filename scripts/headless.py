"""Start a headless QGIS with Processing and the MineSAR provider, importing
the checkout as the package ``minesar`` (whatever its folder is called).
Used by ``scripts/demo.py`` and ``scripts/build_study_models.py``."""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_qgis():
    """Return ``(QgsApplication, MineSARProvider)``; keep both alive while working."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = tempfile.mkdtemp(prefix="minesar_headless_")
    atexit.register(shutil.rmtree, scratch, True)   # removes the link, never the checkout
    os.environ.setdefault("QGIS_CUSTOM_CONFIG_PATH", os.path.join(scratch, "profile"))
    link_parent = Path(scratch) / "import"
    link_parent.mkdir()
    (link_parent / "minesar").symlink_to(ROOT, target_is_directory=True)
    sys.path.insert(0, str(link_parent))
    for p in ("/usr/share/qgis/python", "/usr/share/qgis/python/plugins"):
        if os.path.isdir(p) and p not in sys.path:
            sys.path.append(p)
    from qgis.core import QgsApplication
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing
    Processing.initialize()
    from minesar.processing_provider.provider import MineSARProvider
    provider = MineSARProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    return app, provider
