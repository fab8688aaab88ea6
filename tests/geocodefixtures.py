"""A simulated radar-geometry scene for the geocoding tests.

A Sentinel-1-like radar grid over the Puhe mine (123.55 E, 41.99 N) is laid out
in UTM zone 51N (EPSG:32651): rows are azimuth lines along the flight direction
(heading -166 deg, clockwise from north), columns are ground-range samples
looking right of the track.  Single-look spacing 14 m (azimuth) x 4 m (range),
multilooked 4 x 5 to 56 m x 20 m.  The position of every pixel is an affine
function of (row, col) in UTM, so the exact radar coordinates of any map point
are known and the geocoded product can be checked against the analytic field
``bowl(lon, lat)`` at every output cell centre.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
from osgeo import gdal
from pyproj import Transformer

from minesar.algorithms import stackio

gdal.UseExceptions()

LON0, LAT0 = 123.55, 41.99
HEADING_DEG = -166.0
AZ_M, RG_M = 14.0, 4.0          # single-look ground spacing
LOOKS_AZ, LOOKS_RG = 4, 5      # -> 56 m x 20 m
ROWS, COLS = 40, 60            # multilooked grid
EXTRA_ROWS, EXTRA_COLS = 2, 3  # incomplete last looks of the full-resolution grid (dropped by multilooking)
EPSG_UTM = 32651

_TO_UTM = Transformer.from_crs(4326, EPSG_UTM, always_xy=True)
_TO_LL = Transformer.from_crs(EPSG_UTM, 4326, always_xy=True)
X0, Y0 = _TO_UTM.transform(LON0, LAT0)
_H = math.radians(HEADING_DEG)
AZ = np.array([math.sin(_H), math.cos(_H)])     # flight direction (E, N)
RG = np.array([math.cos(_H), -math.sin(_H)])    # right-looking range direction (E, N)
# full-resolution pixel (0, 0) so that the multilooked grid is centred on (X0, Y0)
_ORIGIN = (np.array([X0, Y0]) - ((ROWS * LOOKS_AZ - 1) / 2.0) * AZ_M * AZ
           - ((COLS * LOOKS_RG - 1) / 2.0) * RG_M * RG)


def full_res_xy(rows, cols):
    """UTM (x, y) of single-look pixel centres (fractional rows/cols allowed)."""
    r = np.asarray(rows, dtype=np.float64)
    c = np.asarray(cols, dtype=np.float64)
    x = _ORIGIN[0] + r * AZ_M * AZ[0] + c * RG_M * RG[0]
    y = _ORIGIN[1] + r * AZ_M * AZ[1] + c * RG_M * RG[1]
    return x, y


def ml_xy(rows, cols):
    """UTM (x, y) of multilooked pixel centres (the mean of their looks)."""
    r = np.asarray(rows, dtype=np.float64) * LOOKS_AZ + (LOOKS_AZ - 1) / 2.0
    c = np.asarray(cols, dtype=np.float64) * LOOKS_RG + (LOOKS_RG - 1) / 2.0
    return full_res_xy(r, c)


def radar_coords(x, y):
    """Fractional multilooked (row, col) of UTM points (exact inverse of :func:`ml_xy`)."""
    d = np.stack([np.asarray(x, float), np.asarray(y, float)], axis=-1) - _ORIGIN
    fr = (d @ AZ) / AZ_M
    fc = (d @ RG) / RG_M
    return (fr - (LOOKS_AZ - 1) / 2.0) / LOOKS_AZ, (fc - (LOOKS_RG - 1) / 2.0) / LOOKS_RG


def to_utm(lon, lat):
    return _TO_UTM.transform(lon, lat)


def to_lonlat(x, y):
    return _TO_LL.transform(x, y)


def bowl(lon, lat, amplitude=-150.0):
    """Subsidence bowl (mm): elliptical Gaussian, 450 m x 350 m e-folding radii,
    centred 100 m east and 50 m south of the scene centre."""
    x, y = _TO_UTM.transform(lon, lat)
    return amplitude * np.exp(-(((x - X0 - 100.0) / 450.0) ** 2 + ((y - Y0 + 50.0) / 350.0) ** 2))


@dataclasses.dataclass
class Scene:
    data: Path          # multilooked raster (radar geometry)
    lat: Path           # lookup rasters on the multilooked grid
    lon: Path
    lat_full: Path      # lookup rasters on the single-look grid
    lon_full: Path
    values: np.ndarray  # (bands, ROWS, COLS) written into ``data``


def _write_lookup(path, a, dtype=gdal.GDT_Float64):
    ds = gdal.GetDriverByName("GTiff").Create(str(path), a.shape[1], a.shape[0], 1, dtype)
    ds.GetRasterBand(1).WriteArray(a)
    ds = None
    return Path(path)


def lookup_arrays(full: bool = False):
    """(lat, lon) of the multilooked or single-look grid (degrees)."""
    if full:
        r, c = np.mgrid[0:ROWS * LOOKS_AZ + EXTRA_ROWS, 0:COLS * LOOKS_RG + EXTRA_COLS]
        x, y = full_res_xy(r, c)
    else:
        r, c = np.mgrid[0:ROWS, 0:COLS]
        x, y = ml_xy(r, c)
    lon, lat = _TO_LL.transform(x, y)
    return lat, lon


DATES = [dt.date(2018, 1, 11), dt.date(2018, 5, 23), dt.date(2018, 10, 2)]


def make_scene(folder, *, kind="timeseries", n_dates=3, looks_metadata=True) -> Scene:
    """Write the radar-geometry data (a time series of the bowl growing linearly
    in time, or one band for ``velocity``) and both pairs of lookup rasters."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lat, lon = lookup_arrays()
    latf, lonf = lookup_arrays(full=True)
    f = bowl(lon, lat)
    geom = stackio.Geometry(incidence_deg=37.1, heading_deg=-166.2, range_pixel_m=RG_M * math.sin(math.radians(37.1)),
                            azimuth_pixel_m=AZ_M, looks_range=LOOKS_RG if looks_metadata else 1,
                            looks_azimuth=LOOKS_AZ if looks_metadata else 1)
    if kind == "timeseries":
        dates = DATES[:n_dates]
        t = stackio.years_since(dates)
        vals = np.stack([f * (ti / t[-1]) for ti in t]).astype(np.float32)
        vals[:, 5, 7] = np.nan           # a hole in the data
        data = stackio.write_raster(str(folder / "ts_radar.tif"), vals, kind="timeseries", units="mm",
                                    labels=[stackio.date_label(d) for d in dates],
                                    band_metadata=stackio.band_metadata_for_dates(dates), geometry=geom,
                                    metadata={"REF_ROW": "30", "REF_COL": "10"})
    else:
        vals = f[None].astype(np.float32)
        data = stackio.write_raster(str(folder / f"{kind}_radar.tif"), vals, kind=kind, units="mm/yr",
                                    labels=[kind], geometry=geom)
    return Scene(Path(data), _write_lookup(folder / "lat.tif", lat), _write_lookup(folder / "lon.tif", lon),
                 _write_lookup(folder / "lat_full.tif", latf), _write_lookup(folder / "lon_full.tif", lonf), vals)


def cell_centres(path):
    """(lon or x, lat or y) of every cell centre of a north-up raster."""
    ds = gdal.Open(str(path))
    gt = ds.GetGeoTransform()
    w, h = ds.RasterXSize, ds.RasterYSize
    ds = None
    jj, ii = np.meshgrid(np.arange(w), np.arange(h))
    return gt[0] + (jj + 0.5) * gt[1] + (ii + 0.5) * gt[2], gt[3] + (jj + 0.5) * gt[4] + (ii + 0.5) * gt[5]


def swath_masks(rr, cc):
    """inside: centre within the hull of pixel centres; inner: one pixel further
    in; outside: more than half a pixel beyond the outermost centres."""
    inside = (rr >= 0) & (rr <= ROWS - 1) & (cc >= 0) & (cc <= COLS - 1)
    inner = (rr >= 1) & (rr <= ROWS - 2) & (cc >= 1) & (cc <= COLS - 2)
    outside = (rr < -0.5) | (rr > ROWS - 0.5) | (cc < -0.5) | (cc > COLS - 0.5)
    return inside, inner, outside
