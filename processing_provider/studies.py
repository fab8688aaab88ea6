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


def study_model_classes(models_dir: str = MODELS_DIR):
    """One :class:`StudyModelAlgorithm` subclass per ``*.model3`` in ``models_dir``."""
    classes = []
    for path in sorted(glob.glob(os.path.join(models_dir, "*.model3"))):
        alg_id = os.path.splitext(os.path.basename(path))[0]
        probe = QgsProcessingModelAlgorithm()
        if not probe.fromFile(path):
            QgsMessageLog.logMessage(tr("MineSAR could not load {}:\n{}").format(path, "not a model file"),
                                     "MineSAR", Qgis.Critical)
            continue
        attrs = {"MODEL_PATH": path, "ALG_ID": alg_id, "DISPLAY_NAME": probe.name(),
                 "HELP": probe.helpContent().get("ALG_DESC", "")}
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


def add_study_models(provider) -> None:
    """Add the study models to ``provider`` (called at the end of its ``loadAlgorithms``).

    The registry inserts a provider only after loading it, and the models' steps
    (``minesar:sbas``, ...) resolve through the registry; so on the first load the
    models are added by a refresh right after the provider is registered.
    """
    from qgis.core import QgsApplication
    registry = QgsApplication.processingRegistry()
    pid = provider.id()
    if registry.providerById(pid) is None:
        def _registered(provider_id):
            if provider_id != pid:
                return
            registry.providerAdded.disconnect(_registered)
            try:
                provider.refreshAlgorithms()
            except RuntimeError:  # the provider object is already gone
                pass
        registry.providerAdded.connect(_registered)
        return
    try:
        for alg in study_models():
            provider.addAlgorithm(alg)
    except Exception:  # noqa: BLE001 - the stages must load even if the models cannot
        QgsMessageLog.logMessage(tr("MineSAR could not load {}:\n{}").format(MODELS_DIR, traceback.format_exc()),
                                 "MineSAR", Qgis.Critical)
