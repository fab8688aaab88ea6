"""Shared pytest setup for MineSAR.

* The checkout's folder is not named ``minesar``: we make a link
  ``<tmp>/minesar_import/minesar -> checkout`` and import the plugin as
  ``minesar`` through it (as QGIS does from its plugins folder).
* ``qgis_app``: one headless QgsApplication with Processing and the MineSAR
  provider, for tier-(b) tests through ``processing.run``.
* ``qgis_process``: an isolated QGIS profile with the plugin linked and enabled,
  for tier-(c) tests of ``qgis_process.bin --json run minesar:...``.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(tempfile.gettempdir()) / "minesar_numba_cache"))

_tag = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
LINK_PARENT = Path(tempfile.gettempdir()) / f"minesar_import_{_tag}"


def _ensure_link(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    link = parent / "minesar"
    if link.is_symlink() and Path(os.readlink(link)) != ROOT:
        link.unlink()
    if not link.exists():
        try:
            link.symlink_to(ROOT, target_is_directory=True)
        except FileExistsError:
            pass
    return link


_ensure_link(LINK_PARENT)
if str(LINK_PARENT) not in sys.path:
    sys.path.insert(0, str(LINK_PARENT))
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))
for p in ("/usr/share/qgis/python", "/usr/share/qgis/python/plugins"):
    if os.path.isdir(p) and p not in sys.path:
        sys.path.append(p)

# translations rebuilt once per session (cheap) so tests and QGIS see a fresh .ts/.qm
subprocess.run([sys.executable, str(ROOT / "i18n" / "build.py")], check=False, capture_output=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "qgis: needs a QgsApplication")
    config.addinivalue_line("markers", "qgis_process: runs qgis_process.bin")
    config.addinivalue_line("markers", "gui: starts QGIS desktop under Xvfb")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout (real reference data)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder missing: {SHARED_DATA}")
    return SHARED_DATA


# ----------------------------------------------------------------------- QGIS app
_QGS = None


@pytest.fixture(scope="session")
def qgis_app(tmp_path_factory):
    """A headless QgsApplication with Processing and the MineSAR provider."""
    global _QGS
    if _QGS is None:
        os.environ["QGIS_CUSTOM_CONFIG_PATH"] = str(tmp_path_factory.mktemp("qgis_profile"))
        from qgis.core import QgsApplication
        QgsApplication.setPrefixPath("/usr", True)
        app = QgsApplication([], False)
        app.initQgis()
        from processing.core.Processing import Processing
        Processing.initialize()
        from minesar.processing_provider.provider import MineSARProvider
        provider = MineSARProvider()
        QgsApplication.processingRegistry().addProvider(provider)
        _QGS = (app, provider)
    return _QGS[0]


@pytest.fixture(scope="session")
def run_alg(qgis_app):
    """``run_alg('buildstack', {...})`` -> results dict (raises QgsProcessingException)."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    def _run(alg_id: str, params: dict, *, feedback=None):
        ctx = QgsProcessingContext()
        fb = feedback or QgsProcessingFeedback()
        return processing.run(f"minesar:{alg_id}", params, context=ctx, feedback=fb)

    return _run


# ------------------------------------------------------------------ qgis_process
QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def make_profile(base: Path) -> Path:
    """An isolated QGIS config dir with MineSAR linked and enabled."""
    plugins = base / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    link = plugins / "minesar"
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    ini = base / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    if not ini.exists():
        ini.write_text("[PythonPlugins]\nminesar=true\n")
    return base


@pytest.fixture(scope="session")
def qgis_profile(tmp_path_factory) -> Path:
    return make_profile(tmp_path_factory.mktemp("qp_profile"))


@pytest.fixture(scope="session")
def qgis_process(qgis_profile):
    """Run ``qgis_process.bin --json run minesar:<alg> -- K=V ...``.

    Returns ``(returncode, parsed_json_or_None, stdout, stderr)``.
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_CUSTOM_CONFIG_PATH=str(qgis_profile))
    env.pop("PYTHONPATH", None)

    def _run(*args, params: dict = None, timeout: int = 600, as_json: bool = True):
        cmd = [QGIS_PROCESS] + (["--json"] if as_json else []) + list(args)
        if params is not None:
            cmd.append("--")
            for k, v in params.items():
                if isinstance(v, bool):
                    v = "true" if v else "false"
                cmd.append(f"{k}={v}")
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        data = None
        out = proc.stdout.strip()
        if out:
            start = out.find("{")
            if start >= 0:
                try:
                    data = json.loads(out[start:])
                except json.JSONDecodeError:
                    data = None
        return proc.returncode, data, proc.stdout, proc.stderr

    return _run
