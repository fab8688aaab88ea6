"""Build Graphical Modeler models (``QgsProcessingModelAlgorithm``) from plain descriptions.

Used by ``scripts/build_study_models.py`` (the study models in ``models/``) and
by ``tests/modeltools.py`` (chains of stages run in the tests).  A model is
described by its inputs (parameter definitions, see :func:`parameter`) and its
steps (:class:`Step`); every parameter of a step takes one source:

``("in", NAME)``
    the model input ``NAME``;
``("value", v)``
    the static value ``v``;
``("child", CHILD, OUTPUT)``
    the output ``OUTPUT`` of the earlier step ``CHILD``;
``("out", NAME, DESCRIPTION)``
    (destination parameters only) a model output; its parameter name in
    ``processing.run`` and ``qgis_process`` is ``"<child id>:<NAME>"``.

Needs a running ``QgsApplication`` with every algorithm used by the steps
registered: QGIS resolves a step's algorithm through the Processing registry.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from qgis.core import (QgsProcessing, QgsProcessingModelAlgorithm, QgsProcessingModelChildAlgorithm,
                       QgsProcessingModelChildDependency, QgsProcessingModelChildParameterSource,
                       QgsProcessingModelOutput, QgsProcessingModelParameter, QgsProcessingParameterBoolean,
                       QgsProcessingParameterEnum, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterFile, QgsProcessingParameterNumber,
                       QgsProcessingParameterPoint, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterString, QgsProcessingParameterVectorLayer)
from qgis.PyQt.QtCore import QPointF

#: the kinds of model input understood by :func:`parameter`
PARAMETER_KINDS = ("file", "raster", "vector", "points", "lines", "field", "int", "double", "bool", "enum",
                   "string", "point")


class Step(NamedTuple):
    """One step (child algorithm) of a model.

    Attributes
    ----------
    child_id : str
        The step's id inside the model (``"SBAS"``); prefixes its model outputs.
    alg_id : str
        The algorithm run by the step (``"minesar:sbas"``, ``"native:condition"``).
    description : str
        The step's label in the Modeler.
    sources : dict
        ``{PARAMETER_KEY: source}`` with the sources of the module docstring.  For
        ``native:condition`` (a conditional branch) instead ``{branch name:
        expression}``: one branch per condition.
    depends : sequence, optional
        Steps that must run first: child ids, or ``(child id, branch)`` tuples to
        run only when that branch of a ``native:condition`` step is taken.
    """

    child_id: str
    alg_id: str
    description: str
    sources: dict
    depends: tuple = ()


def parameter(kind, name, description=None, default=None, *, optional=False, advanced=False, parent=None,
              options=None, minimum=None, maximum=None):
    """A model input (a Processing parameter definition).

    Parameters
    ----------
    kind : str
        One of :data:`PARAMETER_KINDS`: ``"file"``, ``"raster"`` (raster layer),
        ``"vector"`` (vector layer, any geometry), ``"points"`` / ``"lines"``
        (point / line feature source), ``"field"`` (a field of the input
        ``parent``), ``"int"``, ``"double"``, ``"bool"``, ``"enum"`` (static
        strings ``options``; the value is the option itself), ``"string"``,
        ``"point"`` (a coordinate).
    name : str
        The input's name (UPPER_SNAKE in the study models).
    description : str, optional
        Label in the dialog (English; translated by the provider); default ``name``.
    default : object, optional
        Default value (``int``, ``double``, ``bool``, ``enum``, ``string``).
    optional : bool, optional
        The input may be left empty (not for ``bool``).
    advanced : bool, optional
        Shown under "Advanced parameters".
    parent : str, optional
        ``field`` only: the name of the layer input the field belongs to.
    options : sequence of str, optional
        ``enum`` only: the options.
    minimum, maximum : float, optional
        ``int`` and ``double`` only: the allowed range.

    Returns
    -------
    QgsProcessingParameterDefinition
    """
    description = name if description is None else description
    if kind == "file":
        p = QgsProcessingParameterFile(name, description, optional=optional)
    elif kind == "raster":
        p = QgsProcessingParameterRasterLayer(name, description, optional=optional)
    elif kind == "vector":
        p = QgsProcessingParameterVectorLayer(name, description, optional=optional)
    elif kind in ("points", "lines"):
        geometry = QgsProcessing.TypeVectorPoint if kind == "points" else QgsProcessing.TypeVectorLine
        p = QgsProcessingParameterFeatureSource(name, description, [geometry], optional=optional)
    elif kind == "field":
        if not parent:
            raise ValueError(f"{name}: a field input needs parent=<layer input name>")
        p = QgsProcessingParameterField(name, description, parentLayerParameterName=parent, optional=optional)
    elif kind in ("int", "double"):
        t = QgsProcessingParameterNumber.Integer if kind == "int" else QgsProcessingParameterNumber.Double
        p = QgsProcessingParameterNumber(name, description, type=t, defaultValue=default, optional=optional)
        if minimum is not None:
            p.setMinimum(minimum)
        if maximum is not None:
            p.setMaximum(maximum)
    elif kind == "bool":
        p = QgsProcessingParameterBoolean(name, description, defaultValue=default)
    elif kind == "enum":
        if not options:
            raise ValueError(f"{name}: an enum input needs options=[...]")
        p = QgsProcessingParameterEnum(name, description, options=list(options), allowMultiple=False,
                                       defaultValue=default, optional=optional, usesStaticStrings=True)
    elif kind == "string":
        p = QgsProcessingParameterString(name, description, defaultValue=default, optional=optional)
    elif kind == "point":
        p = QgsProcessingParameterPoint(name, description, optional=optional)
    else:
        raise ValueError(f"{name}: unknown input kind {kind!r} (one of {', '.join(PARAMETER_KINDS)})")
    if advanced:
        p.setFlags(p.flags() | p.FlagAdvanced)
    return p


def child_source(source):
    """The ``QgsProcessingModelChildParameterSource`` of an ``"in"``, ``"value"`` or ``"child"`` source.

    Parameters
    ----------
    source : tuple
        ``("in", NAME)``, ``("value", v)`` or ``("child", CHILD, OUTPUT)``.

    Returns
    -------
    QgsProcessingModelChildParameterSource
    """
    how = source[0]
    if how == "in":
        return QgsProcessingModelChildParameterSource.fromModelParameter(source[1])
    if how == "value":
        return QgsProcessingModelChildParameterSource.fromStaticValue(source[1])
    if how == "child":
        return QgsProcessingModelChildParameterSource.fromChildOutput(source[1], source[2])
    raise ValueError(f"unknown parameter source {source!r} (use 'in', 'value', 'child' or 'out')")


def build_model(name, group, inputs, steps, *, group_id="", help_content=None, modeler_defaults=False,
                validate=False):
    """A ``QgsProcessingModelAlgorithm`` from its inputs and steps, laid out for the Modeler.

    Parameters
    ----------
    name : str
        The model's name (shown as the algorithm's display name).
    group, group_id : str
        The model's group (display name) and group id.
    inputs : sequence of QgsProcessingParameterDefinition
        The model inputs (see :func:`parameter`), in dialog order.
    steps : sequence of Step or tuple
        The steps in execution order; a tuple is read as ``Step(*tuple)``.
    help_content : dict, optional
        The model's help (``{"ALG_DESC": ..., "ALG_CREATOR": ..., <input name>: ...}``).
    modeler_defaults : bool, optional
        As the Modeler does: every step parameter without a source gets the
        algorithm's default as a static value (else it stays unset and the
        algorithm uses its default when the model runs).
    validate : bool, optional
        Raise when QGIS finds the model invalid (for example a mandatory step
        parameter without a source).

    Returns
    -------
    QgsProcessingModelAlgorithm

    Raises
    ------
    ValueError
        A step's algorithm is not registered, a source names a parameter the
        algorithm does not have, a source is malformed, or (``validate``) the
        model is invalid.
    """
    model = QgsProcessingModelAlgorithm(name, group, group_id)
    for i, p in enumerate(inputs):
        comp = QgsProcessingModelParameter(p.name())
        comp.setDescription(p.description())
        comp.setPosition(QPointF(120 + 260 * (i % 4), 60 + 70 * (i // 4)))
        model.addModelParameter(p, comp)
    y0 = 80 + 70 * ((len(inputs) + 3) // 4)
    for k, step in enumerate(steps):
        step = Step(*step)
        child = QgsProcessingModelChildAlgorithm(step.alg_id)
        child.setChildId(step.child_id)
        child.setDescription(step.description)
        child.setPosition(QPointF(320 + 60 * (k % 2), y0 + 110 * k))
        sources = step.sources
        if step.alg_id == "native:condition":
            child.setConfiguration({"conditions": [{"name": n, "expression": e} for n, e in sources.items()]})
            sources = {}
        alg = child.algorithm()
        if alg is None:
            raise ValueError(f"{name}: algorithm {step.alg_id} is not registered (is its stage loaded?)")
        definitions = alg.parameterDefinitions()
        known = {d.name() for d in definitions}
        outputs = {}
        for key, src in sources.items():
            if key not in known:
                raise ValueError(f"{name}: {step.alg_id} has no parameter {key}")
            if src[0] == "out":
                out = QgsProcessingModelOutput(src[1], src[2])
                out.setChildId(step.child_id)
                out.setChildOutputName(key)
                out.setMandatory(False)
                out.setPosition(QPointF(720, y0 + 110 * k + 30 * len(outputs)))
                outputs[src[1]] = out
            else:
                child.addParameterSources(key, [child_source(src)])
        if modeler_defaults:
            for d in definitions:
                if d.name() in sources or d.isDestination() or d.defaultValue() is None:
                    continue
                child.addParameterSources(d.name(), [child_source(("value", d.defaultValue()))])
        if outputs:
            child.setModelOutputs(outputs)
        deps = [QgsProcessingModelChildDependency(*d) if isinstance(d, tuple) else
                QgsProcessingModelChildDependency(d) for d in step.depends]
        if deps:
            child.setDependencies(deps)
        model.addChildAlgorithm(child)
    model.updateDestinationParameters()
    model.setParameterOrder([p.name() for p in inputs])
    if help_content:
        model.setHelpContent(dict(help_content))
    if validate:
        ok, problems = model.validate()
        if not ok:
            raise ValueError(f"{name}: invalid model: {problems}")
    return model


def write_model(model, path):
    """Write ``model`` to ``path`` (``.model3``, the Modeler's file format).

    Parameters
    ----------
    model : QgsProcessingModelAlgorithm
    path : str or os.PathLike

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OSError
        The file could not be written.
    """
    path = Path(path)
    if not model.toFile(str(path)):
        raise OSError(f"could not write the model {path}")
    return path
