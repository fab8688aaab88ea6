"""``minesar:buildstack`` — SLC stack VRT from a manifest CSV."""
from __future__ import annotations

import os

from qgis.core import (QgsProcessingOutputNumber, QgsProcessingParameterFile, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer)

from ..algorithms.stackio import build_stack
from .base import MineSARAlgorithm, tr


class BuildStackAlgorithm(MineSARAlgorithm):
    """Build a self-describing SLC stack (GDAL VRT) from a manifest."""

    ALG_ID = "buildstack"
    DISPLAY_NAME = "Build SLC stack from manifest"
    GROUP_ID = "1_stack"
    NEEDS_NUMBA = False
    HELP = (
        "Builds a self-describing SLC stack (a GDAL VRT, MINESAR_KIND=slc) from a manifest CSV with the "
        "columns date,path,bperp_m (one coregistered complex raster per acquisition; paths relative to the "
        "CSV; any format GDAL opens).\n\n"
        "Dates are YYYYMMDD. Perpendicular baselines are in metres and are stored relative to the first "
        "(earliest) date. The scene geometry (wavelength in m, incidence and heading in degrees with the "
        "heading clockwise from north, slant range and pixel spacings in m) defaults to Sentinel-1 IW and is "
        "written into the stack metadata for the later stages. An optional DEM on the same grid is recorded "
        "for topographic phase removal.\n\n"
        "Every SLC must open, be complex and have the size of the first one; dates must be valid and unique "
        "and every baseline numeric. Any problem stops the run with a message naming the manifest row or "
        "file, and no output is written. The output must be a .vrt file (another extension is replaced).\n\n"
        "Conventions: interferogram = reference x conj(secondary), reference = earlier date; LOS displacement "
        "positive toward the satellite (see the MineSAR README)."
        "\n\nReference: Hanssen, R. F. (2001), Radar Interferometry: Data Interpretation and Error Analysis, Kluwer (interferometric phase conventions); GDAL Virtual Format (VRT) for the stack."
    )

    MANIFEST = "MANIFEST"
    DEM = "DEM"
    OUTPUT = "OUTPUT"
    N_DATES = "N_DATES"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.MANIFEST, tr("Manifest CSV (date,path,bperp_m)"),
                                                     extension="csv"))
        self.add_geometry_parameters()
        self.addParameter(QgsProcessingParameterRasterLayer(self.DEM, tr("DEM on the SLC grid (m)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("SLC stack (VRT)")))
        self.addOutput(QgsProcessingOutputNumber(self.N_DATES, tr("Number of acquisitions")))

    def run_stage(self, parameters, context, feedback):
        manifest = self.parameterAsFile(parameters, self.MANIFEST, context)
        geometry = self.geometry_from_parameters(parameters, context)
        dem = self.raster_path(parameters, self.DEM, context, required=False)
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        root, ext = os.path.splitext(out)
        if ext.lower() != ".vrt":
            out = root + ".vrt"
            feedback.pushInfo(tr("The stack is a VRT; writing {}").format(out))
        info = build_stack(manifest, out, geometry=geometry, dem=dem, feedback=feedback)
        feedback.pushInfo(tr("Stack of {} acquisitions, {} x {} pixels: {}").format(
            info.count, info.width, info.height, out))
        return {self.OUTPUT: out, self.N_DATES: info.count}
