"""``minesar:unwrap`` — minimum-cost-flow phase unwrapping with closure checks."""
from __future__ import annotations

import math

from qgis.core import (QgsCoordinateReferenceSystem, QgsFeature, QgsFeatureSink, QgsField, QgsFields,
                       QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterBoolean,
                       QgsProcessingParameterFeatureSink, QgsProcessingParameterNumber,
                       QgsProcessingParameterPoint, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer, QgsWkbTypes)
from qgis.PyQt.QtCore import QVariant

from ..algorithms import stackio
from ..algorithms.unwrap import unwrap_stack
from .base import MineSARAlgorithm, tr


def point_to_pixel(info: stackio.StackInfo, x: float, y: float):
    """(row, col) of map coordinates ``x, y`` in the raster of ``info``.

    A raster without georeferencing is shown by QGIS with x = column and
    y = -row (pixel units); both conventions map to the same pixel.
    """
    gt = info.geotransform
    if gt is None or tuple(gt) == (0.0, 1.0, 0.0, 0.0, 0.0, 1.0):
        return int(math.floor(abs(y))), int(math.floor(x))
    det = gt[1] * gt[5] - gt[2] * gt[4]
    if det == 0:
        raise ValueError("REFERENCE: the raster's geotransform cannot be inverted")
    dx, dy = x - gt[0], y - gt[3]
    col = (gt[5] * dx - gt[2] * dy) / det
    row = (-gt[4] * dx + gt[1] * dy) / det
    return int(math.floor(row)), int(math.floor(col))


class UnwrapAlgorithm(MineSARAlgorithm):
    """Minimum-cost-flow unwrapping of every interferogram of a wrapped stack."""

    ALG_ID = "unwrap"
    DISPLAY_NAME = "Phase unwrapping (minimum-cost flow)"
    GROUP_ID = "4_unwrapping"
    HELP = (
        "Unwraps every interferogram of a wrapped phase stack (MINESAR_KIND=wrapped, radians in [-pi, pi], "
        "from Interferograms) with minimum-cost flow, in parallel, within MEMORY_MB (every worker holds one "
        "full interferogram, so at least one must fit).\n\n"
        "METHOD=grid: Costantini (1998) - residues on the 2 x 2 pixel loops, integer flows on the dual grid "
        "(with an earth node at the border), costs from coherence and looks. METHOD=delaunay: Costantini & "
        "Rosen (1999) - the same on a Delaunay triangulation of the pixels above COHERENCE_THRESHOLD, so "
        "decorrelated areas (water, vegetation, the core of a subsidence bowl) are bridged instead of "
        "unwrapped through. The flow problem is solved exactly by our own solver (primal-dual successive "
        "shortest paths).\n\n"
        "Pixels with coherence below COHERENCE_THRESHOLD (default 0.2, as in the Puhe study) are masked (NaN). "
        "REFERENCE is a point in the layer's CRS (optional; by default a pixel of high coherence away from dense "
        "fringes is chosen and stated in the log). The output is exactly the wrapped phase plus an integer "
        "number of cycles (2 pi k), with k = 0 at the reference pixel in every interferogram; REF_ROW/REF_COL "
        "and the per-band REF_PHASE (the reference pixel's wrapped phase, rad) are stored in the metadata.\n\n"
        "Outputs: the unwrapped stack (radians, MINESAR_KIND=unwrapped, same bands and band metadata as the "
        "input; LOS displacement in mm toward the satellite = -wavelength/(4 pi) x phase x 1000), the connected "
        "components (0 = masked, 1 = largest region) and a closure table: for every triangle of pairs "
        "(i,j), (j,k), (i,k) the closure u_ij + u_jk - u_ik must be 0; FRAC_NONZERO is the fraction of pixels "
        "in at least one closure above pi, FLAGGED marks interferograms where more than FLAG_FRACTION of the "
        "pixels fail most of their triplets. CORRECT_CLOSURE fixes integer ambiguities where a majority of an "
        "interferogram's triplets agree on the same shift (as MintPy's phase-closure correction)."
    )

    PHASE = "PHASE"
    COHERENCE = "COHERENCE"
    METHOD = "METHOD"
    COHERENCE_THRESHOLD = "COHERENCE_THRESHOLD"
    REFERENCE = "REFERENCE"
    CORRECT_CLOSURE = "CORRECT_CLOSURE"
    FLAG_FRACTION = "FLAG_FRACTION"
    OUTPUT = "OUTPUT"
    OUTPUT_COMPONENTS = "OUTPUT_COMPONENTS"
    OUTPUT_CLOSURE = "OUTPUT_CLOSURE"
    REF_ROW = "REF_ROW"
    REF_COL = "REF_COL"
    N_FLAGGED = "N_FLAGGED"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.PHASE, tr("Wrapped phase stack (rad)")))
        self.addParameter(QgsProcessingParameterRasterLayer(self.COHERENCE, tr("Coherence stack")))
        self.add_enum(self.METHOD, tr("Unwrapping network"), ["grid", "delaunay"], "grid")
        self.add_number(self.COHERENCE_THRESHOLD, tr("Coherence threshold (pixels below are masked)"), 0.2,
                        minimum=0.0, maximum=1.0)
        self.addParameter(QgsProcessingParameterPoint(self.REFERENCE, tr("Reference point (automatic if empty)"),
                                                      optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.CORRECT_CLOSURE,
                                                        tr("Correct integer ambiguities from phase closure"),
                                                        defaultValue=False))
        p = QgsProcessingParameterNumber(self.FLAG_FRACTION, tr("Flag an interferogram above this fraction of "
                                                                "pixels failing closure"),
                                         type=QgsProcessingParameterNumber.Double, defaultValue=0.01)
        p.setMinimum(0.0)
        p.setMaximum(1.0)
        p.setFlags(p.flags() | p.FlagAdvanced)
        self.addParameter(p)
        self.add_memory_parameter()
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Unwrapped phase (rad)")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_COMPONENTS,
                                                                  tr("Connected components"), optional=True,
                                                                  createByDefault=True))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT_CLOSURE, tr("Closure check"),
                                                            type=QgsProcessing.TypeVector, optional=True,
                                                            createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(self.REF_ROW, tr("Reference row")))
        self.addOutput(QgsProcessingOutputNumber(self.REF_COL, tr("Reference column")))
        self.addOutput(QgsProcessingOutputNumber(self.N_FLAGGED, tr("Interferograms flagged by the closure check")))

    def run_stage(self, parameters, context, feedback):
        phase = self.raster_path(parameters, self.PHASE, context)
        coherence = self.raster_path(parameters, self.COHERENCE, context)
        method = self.enum_value(parameters, self.METHOD, context)
        thr = self.parameterAsDouble(parameters, self.COHERENCE_THRESHOLD, context)
        correct = self.parameterAsBool(parameters, self.CORRECT_CLOSURE, context)
        flag = self.parameterAsDouble(parameters, self.FLAG_FRACTION, context)
        memory = self.parameterAsInt(parameters, "MEMORY_MB", context)
        info = stackio.read_stack_info(phase, name=self.PHASE)
        reference = None
        if parameters.get(self.REFERENCE) not in (None, ""):
            layer = self.parameterAsRasterLayer(parameters, self.PHASE, context)
            crs = layer.crs() if layer is not None else QgsCoordinateReferenceSystem()
            pt = self.parameterAsPoint(parameters, self.REFERENCE, context, crs)
            reference = point_to_pixel(info, pt.x(), pt.y())
            if not (0 <= reference[0] < info.height and 0 <= reference[1] < info.width):
                raise ValueError(f"REFERENCE: point ({pt.x():.3f}, {pt.y():.3f}) is outside the image "
                                 f"(pixel row {reference[0]}, col {reference[1]} of {info.height} x {info.width})")
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        comp = self.parameterAsOutputLayer(parameters, self.OUTPUT_COMPONENTS, context)
        res = unwrap_stack(phase, coherence, out, method=method, coherence_threshold=thr, reference=reference,
                           components_path=comp or None, correct_closure=correct, flag_fraction=flag,
                           memory_mb=memory, feedback=feedback)
        results = {self.OUTPUT: res.output, self.REF_ROW: res.ref_row, self.REF_COL: res.ref_col,
                   self.N_FLAGGED: res.n_flagged}
        if res.components:
            results[self.OUTPUT_COMPONENTS] = res.components
        fields = QgsFields()
        fields.append(QgsField("PAIR", QVariant.String))
        fields.append(QgsField("N_TRIPLETS", QVariant.Int))
        fields.append(QgsField("FRAC_NONZERO", QVariant.Double))
        fields.append(QgsField("FRAC_MAJORITY", QVariant.Double))
        fields.append(QgsField("FLAGGED", QVariant.Int))
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT_CLOSURE, context, fields, QgsWkbTypes.NoGeometry,
                                          QgsCoordinateReferenceSystem())
        if sink is not None:
            for row in res.closure:
                f = QgsFeature(fields)
                f.setAttributes([row.pair, int(row.n_triplets), float(row.frac_nonzero), float(row.frac_majority),
                                 int(row.flagged)])
                sink.addFeature(f, QgsFeatureSink.FastInsert)
            results[self.OUTPUT_CLOSURE] = dest
        if res.closure and not any(r.n_triplets for r in res.closure):
            feedback.pushInfo(tr("The pair network has no closed triangle of pairs; no closure check possible."))
        feedback.pushInfo(tr("Reference pixel: row {}, column {}; {} interferogram(s) flagged by the closure "
                             "check.").format(res.ref_row, res.ref_col, res.n_flagged))
        return results
