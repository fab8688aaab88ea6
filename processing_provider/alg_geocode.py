"""``minesar:geocode`` — radar geometry to map geometry with latitude/longitude lookup rasters."""
from __future__ import annotations

from qgis.core import (QgsCoordinateReferenceSystem, QgsProcessingOutputNumber, QgsProcessingParameterCrs,
                       QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer)

from ..algorithms import geocode
from .base import MineSARAlgorithm, tr


class GeocodeAlgorithm(MineSARAlgorithm):
    """Geocode any MineSAR raster from radar geometry with lookup rasters."""

    ALG_ID = "geocode"
    DISPLAY_NAME = "Geocode from radar geometry (lookup rasters)"
    GROUP_ID = "5_timeseries"
    NEEDS_NUMBA = False
    HELP = (
        "Geocodes a MineSAR raster in radar geometry (rows = azimuth lines, columns = range samples, no map "
        "georeferencing) onto a regular map grid: time series (mm), velocity (mm/yr), DEM error (m), "
        "coherence, wrapped or unwrapped pair stacks (rad), every band. This is the last step of study A "
        "(geocode from slant-range geometry to WGS84 at the processing resolution, ENVI product).\n\n"
        "LATITUDE and LONGITUDE are lookup rasters giving, for every pixel of the radar grid, the WGS84 "
        "geodetic latitude and longitude of the pixel centre in decimal degrees: north and east positive, "
        "latitude in [-90, 90], longitude in [-180, 180] (e.g. ISCE lat.rdr/lon.rdr, MintPy geometryRadar "
        "latitude/longitude, SNAP latitude/longitude bands). One float band each; NaN or the band's no-data value "
        "marks pixels without a position. They may be on the INPUT's grid or on the full-resolution SLC grid of "
        "multilooked data (integer multiples, or the INPUT's LOOKS_RANGE x LOOKS_AZIMUTH): they are then "
        "block-averaged to the data grid, as the log says.\n\n"
        "Method: inverse mapping with GDAL geolocation arrays (GDAL RFC 4; pixel-centre convention): for every "
        "output cell GDAL finds the fractional radar row and column whose lookup position is the cell centre "
        "and samples the data there (RESAMPLING nearest or bilinear), as ISCE geocode and MintPy geocode.py do. "
        "Wrapped phase, connected components, masks and SLCs are always resampled with the nearest neighbour. "
        "Cells outside the radar swath are NaN.\n\n"
        "TARGET_CRS defaults to EPSG:4326 (WGS84); any CRS may be chosen (e.g. UTM, or CGCS2000 EPSG:4490). "
        "RESOLUTION is the cell size in TARGET_CRS units (degrees for a geographic CRS, metres for UTM); 0 = the "
        "processing resolution: square ground cells as large as the finer of the data's range and azimuth pixel "
        "spacings measured from the lookup rasters, converted to degrees at the scene centre. The grid is aligned "
        "on multiples of the cell size, so products geocoded separately overlay exactly.\n\n"
        "The output keeps the input's MineSAR metadata (MINESAR_KIND, UNITS, geometry, band dates or pairs, "
        "DATE_LIST), so every later stage accepts it; REF_ROW/REF_COL are moved to the geocoded grid "
        "(RADAR_REF_ROW/RADAR_REF_COL keep the radar ones, REF_LAT/REF_LON the position) and GEOCODED=lookup is "
        "added. FORMAT GTiff writes a tiled DEFLATE GeoTIFF; ENVI writes the data file (.img; another "
        "extension is replaced by .img) with an ENVI .hdr header and a .aux.xml file holding the metadata for "
        "GDAL and QGIS. Nothing is written when the run fails or is cancelled. Warping uses at most MEMORY_MB."
        "\n\nReferences: GDAL RFC 4, Geolocation arrays; Rosen et al. (2012), the InSAR Scientific Computing "
        "Environment (ISCE); Yunjun, Fattahi and Amelung (2019), Small baseline InSAR time series analysis: "
        "unwrapping error correction and noise reduction, Computers & Geosciences (MintPy)."
    )

    INPUT = "INPUT"
    LATITUDE = "LATITUDE"
    LONGITUDE = "LONGITUDE"
    TARGET_CRS = "TARGET_CRS"
    RESOLUTION = "RESOLUTION"
    RESAMPLING = "RESAMPLING"
    FORMAT = "FORMAT"
    OUTPUT = "OUTPUT"
    PIXEL_SIZE_M = "PIXEL_SIZE_M"
    WIDTH = "WIDTH"
    HEIGHT = "HEIGHT"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Raster in radar geometry")))
        self.addParameter(QgsProcessingParameterRasterLayer(self.LATITUDE,
                                                            tr("Latitude lookup raster (degrees, WGS84)")))
        self.addParameter(QgsProcessingParameterRasterLayer(self.LONGITUDE,
                                                            tr("Longitude lookup raster (degrees, WGS84)")))
        # optional: QGIS 3.22 rejects a missing non-optional CRS even with a default; empty = EPSG:4326
        self.addParameter(QgsProcessingParameterCrs(self.TARGET_CRS, tr("Target CRS (empty = EPSG:4326)"),
                                                    defaultValue="EPSG:4326", optional=True))
        self.add_number(self.RESOLUTION, tr("Cell size in target CRS units; 0 = processing resolution"), 0.0,
                        minimum=0.0)
        self.add_enum(self.RESAMPLING, tr("Resampling"), list(geocode.RESAMPLING), "bilinear")
        self.add_enum(self.FORMAT, tr("Output format"), list(geocode.FORMATS), "GTiff")
        self.add_memory_parameter()
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Geocoded raster")))
        self.addOutput(QgsProcessingOutputNumber(self.PIXEL_SIZE_M, tr("Cell size on the ground (m)")))
        self.addOutput(QgsProcessingOutputNumber(self.WIDTH, tr("Output width (cells)")))
        self.addOutput(QgsProcessingOutputNumber(self.HEIGHT, tr("Output height (cells)")))

    def _target_crs(self, parameters, context) -> str:
        crs = self.parameterAsCrs(parameters, self.TARGET_CRS, context)
        if crs is None or not crs.isValid():
            return "EPSG:4326"
        if crs.authid().upper().startswith("EPSG:"):
            return crs.authid()
        return crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED_GDAL)

    def run_stage(self, parameters, context, feedback):
        src = self.raster_path(parameters, self.INPUT, context)
        lat = self.raster_path(parameters, self.LATITUDE, context)
        lon = self.raster_path(parameters, self.LONGITUDE, context)
        fmt = self.enum_value(parameters, self.FORMAT, context)
        requested = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        dest = geocode.output_path(requested, fmt)
        if dest != requested:
            feedback.pushInfo(tr("{} output: writing {}").format(fmt, dest))
        res = geocode.geocode_raster(
            src, dest, latitude=lat, longitude=lon, target_crs=self._target_crs(parameters, context),
            resolution=self.parameterAsDouble(parameters, self.RESOLUTION, context),
            resampling=self.enum_value(parameters, self.RESAMPLING, context), output_format=fmt,
            memory_mb=self.parameterAsInt(parameters, "MEMORY_MB", context), feedback=feedback)
        if res.path != requested and context.willLoadLayerOnCompletion(requested):
            layers = context.layersToLoadOnCompletion()
            details = layers.pop(requested)
            context.setLayersToLoadOnCompletion(layers)
            context.addLayerToLoadOnCompletion(res.path, details)
        feedback.pushInfo(tr("Geocoded {} band(s) onto {} x {} cells of about {:.2f} m; {:.1f} % of the cells "
                             "hold data").format(res.count, res.width, res.height, res.pixel_size_m,
                                                 100.0 * res.valid_fraction))
        return {self.OUTPUT: res.path, self.PIXEL_SIZE_M: res.pixel_size_m, self.WIDTH: res.width,
                self.HEIGHT: res.height}
