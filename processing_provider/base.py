"""Shared base class and parameter helpers for MineSAR algorithms.

Algorithms only translate parameters, call the core in ``algorithms/`` and
write layers.  Core errors (``ValueError``, ``TypeError``) become
``QgsProcessingException`` with the core's message, which names the parameter.
"""
from __future__ import annotations

import os

from qgis.core import (QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingParameterEnum,
                       QgsProcessingParameterNumber)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..algorithms._numba import NUMBA_AVAILABLE
from ..algorithms.progress import Canceled
from ..algorithms.stackio import (S1_AZIMUTH_PIXEL_M, S1_HEADING_DEG, S1_INCIDENCE_DEG, S1_RANGE_PIXEL_M,
                                  S1_SLANT_RANGE_M, S1_WAVELENGTH_M, Geometry)

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICON_PATH = os.path.join(PLUGIN_DIR, "icons", "minesar.svg")
CONTEXT = "MineSAR"


def tr(text: str) -> str:
    """Translate ``text`` in the single MineSAR translation context."""
    return QCoreApplication.translate(CONTEXT, text)


#: One group per pipeline stage: (group id, English name), in pipeline order.
GROUPS = {
    "1_stack": "1 · Stack",
    "2_network": "2 · Pair network",
    "3_interferograms": "3 · Interferograms",
    "4_unwrapping": "4 · Phase unwrapping",
    "5_timeseries": "5 · Time series (SBAS / PS)",
    "6_modelling": "6 · Source modelling (Okada)",
    "7_validation": "7 · Validation and analysis",
    "8_studies": "8 · Studies",
}



def first_sentence(text: str) -> str:
    """The first sentence (English or Chinese) or first line of ``text``."""
    text = (text or "").strip()
    for stop in (". ", "。"):
        i = text.find(stop)
        if i > 0:
            return text[: i + 1]
    return text.split("\n")[0]


def attribute_value(v):
    """A feature attribute with QVariant NULL turned into ``None``."""
    if v is None:
        return None
    try:
        if hasattr(v, "isNull") and v.isNull():
            return None
    except Exception:  # noqa: BLE001 - some wrapped types raise on isNull
        pass
    return v


def numba_available() -> bool:
    """True when numba imported (the heavy kernels need it)."""
    return NUMBA_AVAILABLE


class MineSARIdentity:
    """Naming, grouping, translated help and icon of everything in the MineSAR
    toolbox (stage algorithms and study models).  Mixed in before the QGIS class.

    Subclasses set ``ALG_ID``, ``DISPLAY_NAME``, ``GROUP_ID`` and ``HELP`` (all
    English; translated through :func:`tr`)."""

    ALG_ID = ""
    DISPLAY_NAME = ""
    GROUP_ID = "1_stack"
    HELP = ""

    def tr(self, text: str) -> str:  # noqa: D401
        return tr(text)

    def name(self) -> str:
        return self.ALG_ID

    def displayName(self) -> str:  # noqa: N802
        return tr(self.DISPLAY_NAME)

    def group(self) -> str:
        return tr(GROUPS[self.GROUP_ID])

    def groupId(self) -> str:  # noqa: N802
        return self.GROUP_ID

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(self.HELP)

    def shortDescription(self) -> str:  # noqa: N802
        """First sentence of the help (tooltips, qgis_process JSON)."""
        return first_sentence(self.shortHelpString())

    def icon(self) -> QIcon:
        return QIcon(ICON_PATH)

    def createInstance(self):  # noqa: N802
        return type(self)()


class MineSARAlgorithm(MineSARIdentity, QgsProcessingAlgorithm):
    """Base class of the stages: identity (:class:`MineSARIdentity`), numba
    check and error handling.  Subclasses implement :meth:`run_stage` (never
    ``run``: that is QgsProcessingAlgorithm's own entry point).
    """

    NEEDS_NUMBA = True

    def canExecute(self):  # noqa: N802
        if self.NEEDS_NUMBA and not numba_available():
            return False, tr("MineSAR needs the Python package numba (Debian: python3-numba).")
        return True, ""

    # -- execution --------------------------------------------------------------------
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        try:
            return self.run_stage(parameters, context, feedback)
        except Canceled:
            raise QgsProcessingException(tr("Canceled by the user; no output was written.")) from None
        except (ValueError, TypeError) as exc:
            raise QgsProcessingException(str(exc)) from None

    def run_stage(self, parameters, context, feedback):  # pragma: no cover - abstract
        """The stage's body: read parameters, call the core, return outputs."""
        raise NotImplementedError

    # -- parameter helpers ------------------------------------------------------------
    def add_enum(self, key: str, description: str, options, default: str, *, optional: bool = False):
        """Enum parameter with static strings (``METHOD=grid`` in qgis_process)."""
        p = QgsProcessingParameterEnum(key, description, options=list(options), allowMultiple=False,
                                       defaultValue=default, optional=optional, usesStaticStrings=True)
        self.addParameter(p)
        return p

    def enum_value(self, parameters, key: str, context) -> str:
        """The chosen static string of an enum parameter."""
        return self.parameterAsEnumString(parameters, key, context)

    def add_number(self, key: str, description: str, default, *, minimum=None, maximum=None,
                   integer: bool = False, optional: bool = False):
        """Integer or double parameter with optional bounds."""
        t = QgsProcessingParameterNumber.Integer if integer else QgsProcessingParameterNumber.Double
        p = QgsProcessingParameterNumber(key, description, type=t, defaultValue=default, optional=optional)
        if minimum is not None:
            p.setMinimum(minimum)
        if maximum is not None:
            p.setMaximum(maximum)
        self.addParameter(p)
        return p

    def add_memory_parameter(self):
        """The ``MEMORY_MB`` block budget (DESIGN §1)."""
        p = QgsProcessingParameterNumber("MEMORY_MB", tr("Memory budget for block processing (MiB)"),
                                         type=QgsProcessingParameterNumber.Integer, defaultValue=1024)
        p.setMinimum(1)
        p.setFlags(p.flags() | p.FlagAdvanced)
        self.addParameter(p)

    def add_geometry_parameters(self, *, advanced: bool = False):
        """Scene geometry with Sentinel-1 defaults (DESIGN §2)."""
        specs = [
            ("WAVELENGTH", tr("Radar wavelength (m)"), S1_WAVELENGTH_M, 1e-3, 1.0),
            ("INCIDENCE", tr("Incidence angle (degrees)"), S1_INCIDENCE_DEG, 1.0, 89.0),
            ("HEADING", tr("Heading, clockwise from north (degrees)"), S1_HEADING_DEG, -360.0, 360.0),
            ("SLANT_RANGE", tr("Slant range to the scene centre (m)"), S1_SLANT_RANGE_M, 1.0, 1e8),
            ("RANGE_PIXEL", tr("Slant-range pixel spacing (m)"), S1_RANGE_PIXEL_M, 1e-3, 1e5),
            ("AZIMUTH_PIXEL", tr("Azimuth pixel spacing (m)"), S1_AZIMUTH_PIXEL_M, 1e-3, 1e5),
        ]
        for key, desc, default, lo, hi in specs:
            p = QgsProcessingParameterNumber(key, desc, type=QgsProcessingParameterNumber.Double,
                                             defaultValue=default)
            p.setMinimum(lo)
            p.setMaximum(hi)
            if advanced:
                p.setFlags(p.flags() | p.FlagAdvanced)
            self.addParameter(p)

    def geometry_from_parameters(self, parameters, context) -> Geometry:
        """A validated :class:`Geometry` from the geometry parameters."""
        g = Geometry(
            wavelength_m=self.parameterAsDouble(parameters, "WAVELENGTH", context),
            incidence_deg=self.parameterAsDouble(parameters, "INCIDENCE", context),
            heading_deg=self.parameterAsDouble(parameters, "HEADING", context),
            slant_range_m=self.parameterAsDouble(parameters, "SLANT_RANGE", context),
            range_pixel_m=self.parameterAsDouble(parameters, "RANGE_PIXEL", context),
            azimuth_pixel_m=self.parameterAsDouble(parameters, "AZIMUTH_PIXEL", context),
        )
        return g.validate()

    def raster_path(self, parameters, key: str, context, *, required: bool = True):
        """File path of a raster layer parameter (``None`` when optional and empty)."""
        layer = self.parameterAsRasterLayer(parameters, key, context)
        if layer is None:
            if required:
                raise QgsProcessingException(tr("{}: no raster layer given").format(key))
            return None
        return layer.source().split("|")[0]


def _group_names_for_translation():  # pragma: no cover - only read by the i18n checker
    return [tr("1 · Stack"), tr("2 · Pair network"), tr("3 · Interferograms"), tr("4 · Phase unwrapping"),
            tr("5 · Time series (SBAS / PS)"), tr("6 · Source modelling (Okada)"),
            tr("7 · Validation and analysis"), tr("8 · Studies")]
