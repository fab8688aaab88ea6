"""Build small Graphical Modeler models (.model3) for chaining tests.

Example::

    from modeltools import build_model
    path = build_model(tmp_path / "chain.model3", [
        ("build", "minesar:buildstack", {"MANIFEST": ("input", "manifest"),
                                         "OUTPUT": ("output", "stack")}),
        ("pairs", "minesar:pairnetwork", {"STACK": ("child", "build", "OUTPUT"),
                                          "MODE": ("value", "sbas"),
                                          "OUTPUT": ("output", "pairs")}),
    ], inputs={"manifest": "file"})
    rc, js, out, err = qgis_process("run", str(path), params={
        "manifest": "/path/m.csv", "build:stack": "/tmp/s.vrt", "pairs:pairs": "/tmp/p.gpkg"})

Parameter sources: ``("input", name)`` a model input declared in ``inputs``
(types: file, raster, vector, number, string, point); ``("value", v)`` a static
value; ``("child", child_id, output_name)`` an output of an earlier step;
``("output", name)`` makes that destination a model output, whose parameter
name for ``qgis_process`` is ``"<child_id>:<name>"``.
Must be called with a running QgsApplication and the MineSAR provider registered
(the ``qgis_app`` fixture; keep a reference to the provider object).
"""
from __future__ import annotations

from pathlib import Path


def _input_definition(name: str, kind: str):
    from qgis.core import (QgsProcessingParameterFile, QgsProcessingParameterNumber, QgsProcessingParameterPoint,
                           QgsProcessingParameterRasterLayer, QgsProcessingParameterString,
                           QgsProcessingParameterVectorLayer)
    return {
        "file": lambda: QgsProcessingParameterFile(name, name),
        "raster": lambda: QgsProcessingParameterRasterLayer(name, name),
        "vector": lambda: QgsProcessingParameterVectorLayer(name, name),
        "number": lambda: QgsProcessingParameterNumber(name, name, QgsProcessingParameterNumber.Double),
        "string": lambda: QgsProcessingParameterString(name, name),
        "point": lambda: QgsProcessingParameterPoint(name, name),
    }[kind]()


def build_model(path, steps, *, inputs=None, name="minesar_chain", group="MineSAR tests") -> Path:
    """Write a linear (or DAG) model to ``path`` (.model3) and return the path."""
    from qgis.core import (QgsProcessingModelAlgorithm, QgsProcessingModelChildAlgorithm,
                           QgsProcessingModelChildParameterSource, QgsProcessingModelOutput,
                           QgsProcessingModelParameter)
    model = QgsProcessingModelAlgorithm(name, group)
    for iname, kind in (inputs or {}).items():
        model.addModelParameter(_input_definition(iname, kind), QgsProcessingModelParameter(iname))
    for child_id, alg_id, params in steps:
        child = QgsProcessingModelChildAlgorithm(alg_id)
        child.setChildId(child_id)
        child.setDescription(child_id)
        outputs = {}
        for key, src in params.items():
            how = src[0]
            if how == "input":
                s = QgsProcessingModelChildParameterSource.fromModelParameter(src[1])
            elif how == "value":
                s = QgsProcessingModelChildParameterSource.fromStaticValue(src[1])
            elif how == "child":
                s = QgsProcessingModelChildParameterSource.fromChildOutput(src[1], src[2])
            elif how == "output":
                out = QgsProcessingModelOutput(src[1], src[1])
                out.setChildId(child_id)
                out.setChildOutputName(key)
                outputs[src[1]] = out
                continue
            else:
                raise ValueError(f"unknown source {src!r}")
            child.addParameterSources(key, [s])
        if outputs:
            child.setModelOutputs(outputs)
        model.addChildAlgorithm(child)
        if child.algorithm() is None:
            raise ValueError(f"algorithm {alg_id} is not registered")
    model.updateDestinationParameters()
    path = Path(path)
    if not model.toFile(str(path)):
        raise RuntimeError(f"could not write model {path}")
    return path
