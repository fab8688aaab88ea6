"""The studies of STUDIES.md as ready-made Processing models in the MineSAR toolbox.

Every ``models/<id>.model3`` (written by ``scripts/build_study_models.py``)
becomes the algorithm ``minesar:<id>`` in the group "8 · Studies".  The
model's English name, help and parameter/output descriptions are translated
through the MineSAR catalogue (``i18n/zh/studies.json``) when the plugin's
translator is installed.  A model that fails to load is logged and skipped.
"""
from __future__ import annotations

import glob
import os
import traceback
from xml.etree import ElementTree

from qgis.core import Qgis, QgsMessageLog, QgsProcessingModelAlgorithm

from .base import PLUGIN_DIR, MineSARIdentity, tr

MODELS_DIR = os.path.join(PLUGIN_DIR, "models")
STUDIES_GROUP_ID = "8_studies"


class StudyModelAlgorithm(MineSARIdentity, QgsProcessingModelAlgorithm):
    """A MineSAR study model; subclasses set ``MODEL_PATH`` (see :func:`study_model_classes`)."""

    MODEL_PATH = ""
    GROUP_ID = STUDIES_GROUP_ID

    def __init__(self):
        super().__init__()
        if not self.fromFile(self.MODEL_PATH):
            raise ValueError(f"cannot read the model {self.MODEL_PATH}")
        missing = sorted(c.algorithmId() for c in self.childAlgorithms().values() if c.algorithm() is None)
        if missing:
            raise ValueError(f"{self.ALG_ID}: the step(s) {', '.join(missing)} are not available")
        # descriptions shown in the dialog and in qgis_process help, translated
        for p in self.parameterDefinitions():
            p.setDescription(tr(p.description()))
        for o in self.outputDefinitions():
            o.setDescription(tr(o.description()))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        # QGIS 3.22 hands a model input that the caller left out (processing.run,
        # qgis_process) to the steps as "not set", so each step would use ITS own
        # default instead of the study's: fill in the model inputs' defaults first.
        params = dict(parameters)
        for p in self.parameterDefinitions():
            if p.isDestination() or p.defaultValue() is None:
                continue
            if params.get(p.name()) is None:
                params[p.name()] = p.defaultValue()
        return super().processAlgorithm(params, context, feedback)


def _model_header(path: str):
    """``(name, help text)`` of a ``.model3`` file, read as XML.

    Deliberately not ``QgsProcessingModelAlgorithm.fromFile``: that builds the
    whole model and creates every step's algorithm, which the study model
    itself does again (see :func:`add_study_models`).  ``None`` when ``path``
    is not a model file.
    """
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return None
    top = {o.get("name"): o for o in root.findall("Option")}
    if root.tag != "Option" or "model_name" not in top:
        return None
    help_map = {o.get("name"): o.get("value", "") for o in top["help"].findall("Option")} if "help" in top else {}
    return top["model_name"].get("value", ""), help_map.get("ALG_DESC", "")


def study_model_classes(models_dir: str = MODELS_DIR):
    """One :class:`StudyModelAlgorithm` subclass per ``*.model3`` in ``models_dir``."""
    classes = []
    for path in sorted(glob.glob(os.path.join(models_dir, "*.model3"))):
        alg_id = os.path.splitext(os.path.basename(path))[0]
        header = _model_header(path)
        if header is None:
            QgsMessageLog.logMessage(tr("MineSAR could not load {}:\n{}").format(path, "not a model file"),
                                     "MineSAR", Qgis.Critical)
            continue
        attrs = {"MODEL_PATH": path, "ALG_ID": alg_id, "DISPLAY_NAME": header[0], "HELP": header[1]}
        classes.append(type(f"Study_{alg_id}", (StudyModelAlgorithm,), attrs))
    return classes


def study_models(models_dir: str = MODELS_DIR):
    """Instances of the study models (logged and skipped when one fails)."""
    algs = []
    for cls in study_model_classes(models_dir):
        try:
            algs.append(cls())
        except Exception:  # noqa: BLE001 - report and keep QGIS alive
            QgsMessageLog.logMessage(tr("MineSAR could not load {}:\n{}").format(cls.MODEL_PATH,
                                                                                 traceback.format_exc()),
                                     "MineSAR", Qgis.Critical)
    return algs


def _add_study_models_now(provider) -> None:
    try:
        for alg in study_models():
            provider.addAlgorithm(alg)
    except Exception:  # noqa: BLE001 - the stages must load even if the models cannot
        QgsMessageLog.logMessage(tr("MineSAR could not load {}:\n{}").format(MODELS_DIR, traceback.format_exc()),
                                 "MineSAR", Qgis.Critical)


def add_study_models(provider) -> None:
    """Add the study models to ``provider`` (called at the end of its ``loadAlgorithms``).

    A model's steps (``minesar:sbas``, ...) resolve through the Processing
    registry, and ``QgsProcessingRegistry.addProvider`` (QGIS 3.22) calls the
    provider's ``load()`` -> ``loadAlgorithms()`` *before* it inserts the
    provider and emits ``providerAdded``.  So on that first load the models are
    added when ``providerAdded`` reports this provider: straight into the
    loaded provider (``addAlgorithm``), followed by ``algorithmsLoaded`` so that
    the toolbox shows them -- not by ``refreshAlgorithms()``, which would delete
    and create every stage algorithm a second time.  On later loads (the
    provider is registered: a refresh) the models are added at once.
    """
    from qgis.core import QgsApplication
    registry = QgsApplication.processingRegistry()
    pid = provider.id()
    if registry.providerById(pid) is not None:
        _add_study_models_now(provider)
        return

    def _registered(provider_id):
        if provider_id != pid:
            return
        registry.providerAdded.disconnect(_registered)
        try:
            _add_study_models_now(provider)
            provider.algorithmsLoaded.emit()
        except RuntimeError:  # the provider object is already gone
            pass
    registry.providerAdded.connect(_registered)
