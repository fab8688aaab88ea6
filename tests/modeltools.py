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


# the input types of this helper -> modelbuild.parameter kinds
_KINDS = {"file": "file", "raster": "raster", "vector": "vector", "number": "double", "string": "string",
          "point": "point"}
# the source names of this helper -> modelbuild's
_SOURCES = {"input": "in", "value": "value", "child": "child"}


def build_model(path, steps, *, inputs=None, name="minesar_chain", group="MineSAR tests") -> Path:
    """Write a linear (or DAG) model to ``path`` (.model3) and return the path.

    The model is built by :func:`minesar.processing_provider.modelbuild.build_model`
    (the builder of the study models); step parameters without a source stay unset.
    """
    from minesar.processing_provider import modelbuild
    model_inputs = []
    for iname, kind in (inputs or {}).items():
        if kind not in _KINDS:
            raise ValueError(f"unknown input type {kind!r} of {iname}")
        model_inputs.append(modelbuild.parameter(_KINDS[kind], iname))
    model_steps = []
    for child_id, alg_id, params in steps:
        sources = {}
        for key, src in params.items():
            if src[0] == "output":
                sources[key] = ("out", src[1], src[1])
            elif src[0] in _SOURCES:
                sources[key] = (_SOURCES[src[0]],) + tuple(src[1:])
            else:
                raise ValueError(f"unknown source {src!r}")
        model_steps.append(modelbuild.Step(child_id, alg_id, child_id, sources))
    model = modelbuild.build_model(name, group, model_inputs, model_steps)
    return modelbuild.write_model(model, path)
