"""Geocoding from radar geometry with latitude/longitude lookup rasters.

The ``geocode`` stage (pure core, no QGIS).  A MineSAR raster in radar
geometry (rows = azimuth lines, columns = range samples, no map
georeferencing) is resampled onto a regular map grid, given two *lookup
rasters* LATITUDE and LONGITUDE that hold, for every pixel of the radar grid,
the WGS84 geodetic position (degrees, north and east positive, longitudes in
[-180, 180]) of that pixel's centre — ISCE's ``lat.rdr``/``lon.rdr``, MintPy's
``geometryRadar.h5`` latitude/longitude, SNAP's ``latitude``/``longitude``
tie-point bands exported at full size, GAMMA's lookup converted to lat/lon.

Method — inverse mapping through GDAL geolocation arrays (GDAL RFC 4):

1. The lookup rasters are validated and, when they are at full SLC resolution
   and the data are multilooked, block-averaged to the data grid (the mean of the
   ``looks_azimuth x looks_range`` full-resolution centres is the centre of the
   multilooked pixel).
2. A VRT over the data carries the ``GEOLOCATION`` metadata domain
   (``X_DATASET``/``Y_DATASET`` = longitude/latitude, ``PIXEL_STEP=LINE_STEP=1``,
   ``SRS`` = WGS84, ``GEOREFERENCING_CONVENTION=PIXEL_CENTER``).
3. ``gdal.Warp`` with ``geoloc`` builds GDAL's back-map (map position -> radar
   pixel/line), refines it by inverse bilinear interpolation of the lookup
   arrays, and samples the data at the fractional radar position of every output
   cell centre (nearest or bilinear), the inverse mapping that ISCE ``geocode``
   and MintPy ``geocode.py`` use.  Cells whose centre falls outside the radar
   swath (farther than half a pixel beyond the outermost pixel centres) are NaN.

The output keeps the input's self-description (DESIGN §3): ``MINESAR_KIND``,
``UNITS``, the scene geometry, the band descriptions and band metadata (dates or
pairs), ``DATE_LIST``/``DATE_BPERP_M``; the reference pixel ``REF_ROW``/
``REF_COL`` is moved to the geocoded grid (the radar one is kept as
``RADAR_REF_ROW``/``RADAR_REF_COL``, its position as ``REF_LAT``/``REF_LON``),
and ``GEOCODED=lookup`` with the method's parameters is added.  Every stage that
reads a MineSAR raster therefore accepts the geocoded product.
"""
from __future__ import annotations

import dataclasses
import math
import os
import re
import uuid
from contextlib import contextmanager
from typing import Dict, List, Optional, Tuple

import numpy as np
from osgeo import gdal, osr

from . import stackio
from .progress import Canceled, ScaledFeedback, check_cancel, ensure, info, warn
from .validate import check_choice, check_positive


#: Resampling methods (static strings of the RESAMPLING parameter).
RESAMPLING = ("nearest", "bilinear")
#: Output formats (static strings of the FORMAT parameter).
FORMATS = ("GTiff", "ENVI")
#: Data-file extensions accepted for ENVI output (the header is ``<stem>.hdr``).
ENVI_EXTENSIONS = (".img", ".bin", ".dat", ".envi", ".raw")
GTIFF_EXTENSIONS = (".tif", ".tiff")
#: Kinds whose values must not be interpolated (phase cycles, labels, masks,
#: SLC fringes): always resampled with the nearest neighbour.
NEAREST_KINDS = ("wrapped", "components", "ps_mask", "slc")
#: No-data sentinel of the temporary lookup arrays (GDAL ignores it in the back-map).
_LOOKUP_NODATA = -1.0e9
#: Largest output side (cells); beyond it RESOLUTION is surely wrong.
MAX_OUTPUT_SIDE = 100_000
#: Lookup arrays kept in memory (``/vsimem``) when they use at most this
#: fraction of MEMORY_MB, else written as hidden temporary files beside the output.
VSIMEM_FRACTION = 0.25

# WGS84 ellipsoid
_WGS84_A = 6378137.0
_WGS84_E2 = 6.69437999014e-3


@dataclasses.dataclass
class GeocodeResult:
    """What :func:`geocode_raster` wrote.

    Attributes
    ----------
    path : str
        The output file (GeoTIFF, or the ENVI data file).
    files : list of str
        Every file of the product (ENVI: data, ``.hdr`` and ``.aux.xml``).
    width, height, count : int
        Output size (cells) and number of bands.
    geotransform : tuple of 6 float
        GDAL geotransform of the output grid (target-CRS units).
    crs_wkt : str
        Target CRS.
    resolution : (float, float)
        Cell size (x, y) in target-CRS units (degrees for a geographic CRS).
    pixel_size_m : float
        Ground size of the cells in metres at the scene centre.
    range_spacing_m, azimuth_spacing_m : float
        Median ground distance between neighbouring data pixels along a row
        (range) and along a column (azimuth), measured from the lookup rasters.
    lookup_looks : (int, int)
        ``(looks_azimuth, looks_range)`` used to average the lookup rasters
        onto the data grid (``(1, 1)``: same size).
    resampling : str
        Resampling actually used (``nearest`` for wrapped phase, labels, SLCs).
    valid_fraction : float
        Fraction of output cells of band 1 that hold a value.
    reference : (int, int) or None
        ``(REF_ROW, REF_COL)`` on the output grid when the input had one.
    """

    path: str
    files: List[str]
    width: int
    height: int
    count: int
    geotransform: Tuple[float, ...]
    crs_wkt: str
    resolution: Tuple[float, float]
    pixel_size_m: float
    range_spacing_m: float
    azimuth_spacing_m: float
    lookup_looks: Tuple[int, int]
    resampling: str
    valid_fraction: float
    reference: Optional[Tuple[int, int]] = None


# --------------------------------------------------------------------- helpers
def output_path(path: str, output_format: str = "GTiff") -> str:
    """The file actually written for destination ``path`` in ``output_format``.

    GeoTIFF keeps ``.tif``/``.tiff`` and replaces any other extension by
    ``.tif``; ENVI keeps ``.img``, ``.bin``, ``.dat``, ``.envi``, ``.raw`` and
    replaces any other (``.tif`` from a QGIS file dialog, ``.hdr``, none) by
    ``.img``.  The ENVI header is ``<stem>.hdr``.
    """
    if path is None or str(path).strip() == "":
        raise ValueError("OUTPUT: no output file given")
    fmt = _format(output_format)
    root, ext = os.path.splitext(os.path.abspath(str(path)))
    keep, new = (GTIFF_EXTENSIONS, ".tif") if fmt == "GTiff" else (ENVI_EXTENSIONS, ".img")
    return root + (ext if ext.lower() in keep else new)


def _format(output_format) -> str:
    v = check_choice("FORMAT", output_format, FORMATS)
    return "GTiff" if v == "gtiff" else "ENVI"


def product_files(path: str, output_format: str = "GTiff") -> List[str]:
    """Files that make up the product written at ``path`` (existing or not)."""
    files = [path, path + ".aux.xml"]
    if _format(output_format) == "ENVI":
        files.insert(1, os.path.splitext(path)[0] + ".hdr")
    return files


def radii_of_curvature(lat_deg) -> Tuple[np.ndarray, np.ndarray]:
    """WGS84 meridian (M) and prime-vertical (N) radii of curvature (m).

    One degree of latitude is ``M·pi/180`` metres, one degree of longitude
    ``N·cos(lat)·pi/180`` metres.
    """
    s = np.sin(np.radians(np.asarray(lat_deg, dtype=np.float64)))
    w = np.sqrt(1.0 - _WGS84_E2 * s * s)
    return _WGS84_A * (1.0 - _WGS84_E2) / w ** 3, _WGS84_A / w


def lookup_spacing_m(lat, lon) -> Tuple[float, float]:
    """Median ground spacing of a grid of positions.

    Parameters
    ----------
    lat, lon : ndarray, shape (rows, cols)
        Latitude and longitude of each pixel centre (degrees, NaN = unknown).

    Returns
    -------
    (range_m, azimuth_m) : float
        Median distance (m) between horizontal neighbours (along a row: range)
        and between vertical neighbours (along a column: azimuth); NaN when the
        grid has a single column or row.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    m, n = radii_of_curvature(lat)
    ky = m * math.pi / 180.0
    kx = n * np.cos(np.radians(lat)) * math.pi / 180.0

    def med(axis):
        if lat.shape[axis] < 2:
            return float("nan")
        dy = np.diff(lat, axis=axis) * (ky[:-1, :] if axis == 0 else ky[:, :-1])
        dx = np.diff(lon, axis=axis) * (kx[:-1, :] if axis == 0 else kx[:, :-1])
        d = np.hypot(dx, dy)
        d = d[np.isfinite(d)]
        return float(np.median(d)) if d.size else float("nan")

    return med(1), med(0)


def multilook_lookup(a, looks_azimuth: int, looks_range: int) -> np.ndarray:
    """Block-average a full-resolution lookup raster onto a multilooked grid.

    Parameters
    ----------
    a : ndarray, shape (rows, cols)
        Latitude or longitude of every full-resolution pixel (degrees).
    looks_azimuth, looks_range : int
        Looks along rows (azimuth) and columns (range).

    Returns
    -------
    ndarray, shape (rows // looks_azimuth, cols // looks_range), float64
        Mean of each block (the centre of the multilooked pixel, as the
        interferogram stage's multilook starts at row 0, column 0 and drops the
        incomplete last block); NaN where any sample of the block is NaN.
    """
    a = np.asarray(a, dtype=np.float64)
    la, lr = int(looks_azimuth), int(looks_range)
    h, w = a.shape[0] // la, a.shape[1] // lr
    b = a[: h * la, : w * lr].reshape(h, la, w, lr)
    return b.mean(axis=(1, 3))


def _srs(text_or_epsg, *, name: str = "TARGET_CRS") -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    if text_or_epsg is None or str(text_or_epsg).strip() == "":
        text_or_epsg = "EPSG:4326"
    t = str(text_or_epsg).strip()
    if t.isdigit():
        t = f"EPSG:{t}"
    try:
        err = srs.SetFromUserInput(t)
    except RuntimeError as exc:
        raise ValueError(f"{name}: {t[:80]!r} is not a coordinate reference system GDAL knows ({exc})") from None
    if err != 0:
        raise ValueError(f"{name}: {t[:80]!r} is not a coordinate reference system GDAL knows")
    if not (srs.IsGeographic() or srs.IsProjected()):
        raise ValueError(f"{name}: {t[:80]!r} is neither geographic nor projected")
    return srs


def crs_label(srs: osr.SpatialReference) -> str:
    """``EPSG:xxxx`` when the CRS has an EPSG code, else its name."""
    code = srs.GetAuthorityCode(None)
    auth = srs.GetAuthorityName(None)
    if code and auth:
        return f"{auth}:{code}"
    return srs.GetName() or "custom CRS"


def processing_resolution(pixel_m: float, lat_deg: float, target_crs="EPSG:4326") -> Tuple[float, float]:
    """Cell size (x, y) in target-CRS units for square ground cells of ``pixel_m``.

    A geographic CRS gets ``pixel_m`` converted to degrees (its angular unit)
    at latitude ``lat_deg`` with the WGS84 radii of curvature (different x and y
    steps, square on the ground at the scene centre); a projected CRS gets
    ``pixel_m`` in its linear unit.
    """
    pixel_m = check_positive("RESOLUTION", pixel_m)
    srs = target_crs if isinstance(target_crs, osr.SpatialReference) else _srs(target_crs)
    if srs.IsGeographic():
        m, n = radii_of_curvature(lat_deg)
        unit = srs.GetAngularUnits() or math.radians(1.0)   # radians per unit
        y = pixel_m / float(m) / unit
        x = pixel_m / (float(n) * math.cos(math.radians(lat_deg))) / unit
        return x, y
    lin = srs.GetLinearUnits() or 1.0
    return pixel_m / lin, pixel_m / lin


@contextmanager
def _atomic_product(dest: str, fmt: str):
    """Yield a temporary data-file path beside ``dest``; on success rename every
    file of the product (ENVI: header and ``.aux.xml`` first, data last); on any
    exception (cancel included) delete them all."""
    d, base = os.path.split(dest)
    stem, ext = os.path.splitext(base)
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, f".{stem}.tmp-{uuid.uuid4().hex[:8]}{ext}")
    tmp_files = product_files(tmp, fmt)
    dest_files = product_files(dest, fmt)
    try:
        yield tmp
    except BaseException:
        for p in tmp_files:
            try:
                os.remove(p)
            except OSError:
                pass
        raise
    for p in dest_files:       # an older product of the same name goes entirely
        if os.path.exists(p):
            os.remove(p)
    for src, dst in list(zip(tmp_files, dest_files))[1:] + [(tmp_files[0], dest_files[0])]:
        if os.path.exists(src):
            os.replace(src, dst)


def _gdal_progress(feedback, state):
    def cb(complete, message, data):  # noqa: ARG001 - GDAL's signature
        if feedback.isCanceled():
            state["canceled"] = True
            return 0
        feedback.setProgress(100.0 * float(complete))
        return 1
    return cb


#: GDAL warper messages about output chunks that lie wholly outside the swath:
#: expected for a rotated swath, not worth the user's attention.
_QUIET = ("failed to transform", "Unable to compute source region", "unable to compute output bounds")


@contextmanager
def _gdal_messages(feedback):
    """Route GDAL's non-fatal messages to the feedback log, dropping the expected ones."""
    def handler(err_class, err_no, msg):  # noqa: ARG001 - GDAL's signature
        if err_class in (gdal.CE_Warning, gdal.CE_Failure) and not any(q in str(msg) for q in _QUIET):
            warn(feedback, f"GDAL: {msg}")
    gdal.PushErrorHandler(handler)
    try:
        yield
    finally:
        gdal.PopErrorHandler()


# ------------------------------------------------------------------ the lookup
@dataclasses.dataclass
class _Lookup:
    lat_path: str          # float64 rasters on the data grid (temporary)
    lon_path: str
    looks: Tuple[int, int]
    lat_range: Tuple[float, float]
    lon_range: Tuple[float, float]
    lat_centre: float
    range_m: float
    azimuth_m: float
    n_valid: int


def _open_lookup(path, key: str):
    if path is None or str(path).strip() == "":
        raise ValueError(f"{key}: no lookup raster given; radar-geometry data need the {key.lower()} of "
                         f"every pixel (a raster of the same grid, degrees WGS84)")
    ds = stackio.open_raster(str(path), name=key)
    if ds.RasterCount != 1:
        raise ValueError(f"{key}: {path} has {ds.RasterCount} bands; a lookup raster has exactly one band "
                         f"({key.lower()} in degrees)")
    b = ds.GetRasterBand(1)
    if b.DataType not in (gdal.GDT_Float32, gdal.GDT_Float64):
        raise ValueError(f"{key}: {path} holds {gdal.GetDataTypeName(b.DataType)} values; a lookup raster "
                         f"holds floating-point degrees (Float32 or Float64)")
    size = (ds.RasterXSize, ds.RasterYSize)
    ds = None
    return size


def _lookup_looks(lsize, sinfo: stackio.StackInfo, feedback) -> Tuple[int, int]:
    """``(looks_azimuth, looks_range)`` mapping the lookup grid onto the data grid."""
    (lw, lh), (dw, dh) = lsize, (sinfo.width, sinfo.height)
    if (lw, lh) == (dw, dh):
        return 1, 1
    g = sinfo.geometry
    la, lr = int(g.looks_azimuth), int(g.looks_range)
    if (la > 1 or lr > 1) and lh // la == dh and lw // lr == dw:
        info_msg = (f"LATITUDE/LONGITUDE: lookup rasters are {lw} x {lh} pixels, INPUT is {dw} x {dh} with "
                    f"LOOKS_RANGE={lr}, LOOKS_AZIMUTH={la} in its metadata: the lookup tables are multilooked "
                    f"by block averaging ({la} x {lr}) to the data grid")
        info(feedback, info_msg)
        return la, lr
    if lh % dh == 0 and lw % dw == 0:
        la, lr = lh // dh, lw // dw
        info(feedback, f"LATITUDE/LONGITUDE: lookup rasters are {lw} x {lh} pixels, INPUT is {dw} x {dh} "
                       f"(integer multiples): the lookup tables are multilooked by block averaging "
                       f"({la} azimuth x {lr} range looks) to the data grid")
        return la, lr
    raise ValueError(f"LATITUDE/LONGITUDE: the lookup rasters are {lw} x {lh} pixels but INPUT is {dw} x {dh}; "
                     f"they must have the INPUT's size, or be the full-resolution grid of multilooked data "
                     f"(integer multiples, or the INPUT's LOOKS_RANGE={g.looks_range} x "
                     f"LOOKS_AZIMUTH={g.looks_azimuth})")


def _prepare_lookup(lat_path, lon_path, sinfo: stackio.StackInfo, *, memory_mb: float, tmp_dir: str,
                    tag: str, feedback) -> _Lookup:
    """Validate the lookup rasters, multilook them to the data grid if needed and
    write them as float64 rasters (NaN -> sentinel no-data) for GDAL."""
    lsize = _open_lookup(lat_path, "LATITUDE")
    osize = _open_lookup(lon_path, "LONGITUDE")
    if osize != lsize:
        raise ValueError(f"LONGITUDE: {lon_path} is {osize[0]} x {osize[1]} pixels but LATITUDE is "
                         f"{lsize[0]} x {lsize[1]}; both lookup rasters describe the same grid")
    la, lr = _lookup_looks(lsize, sinfo, feedback)
    dw, dh = sinfo.width, sinfo.height
    fits = 16.0 * dw * dh <= VSIMEM_FRACTION * float(memory_mb) * 1024 * 1024
    if fits:
        paths = [f"/vsimem/minesar_geocode_{tag}/lat.tif", f"/vsimem/minesar_geocode_{tag}/lon.tif"]
    else:
        paths = [os.path.join(tmp_dir, f".minesar-geocode-{tag}-lat.tif"),
                 os.path.join(tmp_dir, f".minesar-geocode-{tag}-lon.tif")]
    drv = gdal.GetDriverByName("GTiff")
    outs = []
    for p in paths:
        ds = drv.Create(p, dw, dh, 1, gdal.GDT_Float64, options=["TILED=NO", "COMPRESS=NONE"])
        ds.GetRasterBand(1).SetNoDataValue(_LOOKUP_NODATA)
        outs.append(ds)
    # rows of the lookup per block: a multiple of the azimuth looks, >= 2 output rows
    blocks = stackio.plan_row_blocks(dh * la, lsize[0], bytes_per_pixel=48.0, memory_mb=memory_mb,
                                     multiple=la, min_rows=2 * la)
    lat_lo, lat_hi, lon_lo, lon_hi = math.inf, -math.inf, math.inf, -math.inf
    lat_sum, n_valid, sp_r, sp_a = 0.0, 0, [], []
    prev = None
    for k, blk in enumerate(blocks):
        check_cancel(feedback)
        arrs = []
        for key, p in (("LATITUDE", lat_path), ("LONGITUDE", lon_path)):
            a = stackio.read_block(str(p), blk.row0, blk.nrows, bands=[0], dtype=np.float64)[0]
            a[~np.isfinite(a)] = np.nan
            fin = a[np.isfinite(a)]
            if fin.size:
                lo, hi = float(fin.min()), float(fin.max())
                lim = 90.0 if key == "LATITUDE" else 180.0
                if lo < -lim or hi > lim:
                    hint = (" (are LATITUDE and LONGITUDE swapped?)" if key == "LATITUDE" and hi <= 180.0
                            else " (longitudes must be in [-180, 180], east positive)" if key == "LONGITUDE"
                            else "")
                    raise ValueError(f"{key}: {p} has values from {lo:.6g} to {hi:.6g}, outside "
                                     f"[-{lim:g}, {lim:g}] degrees{hint}")
            if la > 1 or lr > 1:
                a = multilook_lookup(a, la, lr)
            arrs.append(a)
        lat, lon = arrs
        bad = ~(np.isfinite(lat) & np.isfinite(lon))
        lat[bad] = np.nan
        lon[bad] = np.nan
        ok = ~bad
        if ok.any():
            lat_lo, lat_hi = min(lat_lo, float(lat[ok].min())), max(lat_hi, float(lat[ok].max()))
            lon_lo, lon_hi = min(lon_lo, float(lon[ok].min())), max(lon_hi, float(lon[ok].max()))
            lat_sum += float(lat[ok].sum())
            n_valid += int(ok.sum())
        r, a = lookup_spacing_m(lat, lon)
        sp_r.append(r)
        sp_a.append(a)
        if prev is not None:   # azimuth spacing across the block seam
            sp_a.append(lookup_spacing_m(np.vstack([prev[0], lat[:1]]), np.vstack([prev[1], lon[:1]]))[1])
        prev = (lat[-1:], lon[-1:])
        r0 = blk.row0 // la
        for ds, v in zip(outs, (lat, lon)):
            ds.GetRasterBand(1).WriteArray(np.where(np.isfinite(v), v, _LOOKUP_NODATA), 0, r0)
        feedback.setProgress(100.0 * (k + 1) / len(blocks))
    for ds in outs:
        ds.FlushCache()
    outs = None
    if n_valid == 0:
        raise ValueError(f"LATITUDE/LONGITUDE: {lat_path} and {lon_path} have no pixel where both the latitude "
                         f"and the longitude are valid (all NaN or no-data)")
    if lon_hi - lon_lo > 180.0:
        raise ValueError(f"LONGITUDE: the scene spans longitudes {lon_lo:.4f} to {lon_hi:.4f}; scenes across "
                         f"the antimeridian (180°) are not supported")
    rng = float(np.nanmedian(sp_r)) if np.isfinite(sp_r).any() else float("nan")
    azi = float(np.nanmedian(sp_a)) if np.isfinite(sp_a).any() else float("nan")
    if not (np.isfinite(rng) and rng > 0) and not (np.isfinite(azi) and azi > 0):
        raise ValueError("LATITUDE/LONGITUDE: the lookup rasters do not vary across the grid (zero pixel "
                         "spacing); they must give the position of every pixel")
    return _Lookup(paths[0], paths[1], (la, lr), (lat_lo, lat_hi), (lon_lo, lon_hi), lat_sum / n_valid,
                   rng, azi, n_valid)


def _remove_lookup(lk_paths):
    for p in lk_paths:
        try:
            if p.startswith("/vsimem/"):
                gdal.Unlink(p)
            elif os.path.exists(p):
                os.remove(p)
        except (OSError, RuntimeError):
            pass


# ------------------------------------------------------------------ the stage
def geocode_raster(input_path: str, output: str, *, latitude: Optional[str], longitude: Optional[str],
                   target_crs="EPSG:4326", resolution: float = 0.0, resampling: str = "bilinear",
                   output_format: str = "GTiff", memory_mb: float = 1024, feedback=None) -> GeocodeResult:
    """Geocode a MineSAR raster from radar geometry with lookup rasters.

    Parameters
    ----------
    input_path : str
        Any raster in radar geometry, all bands (``INPUT``): time series (mm),
        velocity (mm/yr), coherence, wrapped/unwrapped pair stacks (rad), DEM
        error (m), ...; shape (bands, rows, cols).
    output : str
        Destination; its extension is adapted to ``output_format``
        (:func:`output_path`).
    latitude, longitude : str
        Lookup rasters ``LATITUDE``/``LONGITUDE``: one float band each, WGS84
        geodetic latitude/longitude in degrees (north/east positive, longitude in
        [-180, 180]) of every pixel centre, shape (rows, cols) of the data — or of
        the full-resolution grid when the data are multilooked (integer
        multiples, or the data's ``LOOKS_AZIMUTH x LOOKS_RANGE``).  NaN or the
        band's no-data value marks pixels without a position.
    target_crs : str or int
        ``TARGET_CRS``: ``EPSG:4326`` (default), any EPSG code or WKT.
    resolution : float
        ``RESOLUTION``: cell size in target-CRS units (degrees for a geographic
        CRS); 0 = the processing resolution: square ground cells as large as the
        finer of the data's range and azimuth pixel spacings, measured from the
        lookup rasters and converted to degrees at the scene centre.
    resampling : {"nearest", "bilinear"}
        ``RESAMPLING``.  Wrapped phase, labels, masks and SLCs always use
        ``nearest`` (said in the log).
    output_format : {"GTiff", "ENVI"}
        ``FORMAT``: tiled DEFLATE GeoTIFF, or ENVI (data + ``.hdr`` +
        ``.aux.xml`` holding the MineSAR metadata).
    memory_mb : float
        ``MEMORY_MB``: GDAL's warp memory and the lookup blocks.
    feedback : object, optional
        ``setProgress``/``isCanceled``/``pushInfo`` (QgsProcessingFeedback).

    Returns
    -------
    GeocodeResult

    Raises
    ------
    ValueError
        Bad inputs, naming the parameter (``INPUT``, ``LATITUDE``,
        ``LONGITUDE``, ``TARGET_CRS``, ``RESOLUTION``, ...).
    Canceled
        When the feedback asks to stop; no file is left behind.
    """
    feedback = ensure(feedback)
    fmt = _format(output_format)
    resampling = check_choice("RESAMPLING", resampling, RESAMPLING)
    memory_mb = check_positive("MEMORY_MB", memory_mb)
    res_in = check_positive("RESOLUTION", 0.0 if resolution is None else resolution, allow_zero=True)
    srs = _srs(target_crs)
    dest = output_path(output, fmt)
    if input_path is None or str(input_path).strip() == "":
        raise ValueError("INPUT: no raster given")
    src_abs = os.path.abspath(str(input_path))
    if os.path.abspath(dest) == src_abs:
        raise ValueError(f"OUTPUT: {dest} is the INPUT file itself; choose another destination")
    info_ = stackio.read_stack_info(src_abs, name="INPUT")
    if info_.metadata.get("GEOCODED"):
        raise ValueError(f"INPUT: {input_path} is already geocoded (GEOCODED={info_.metadata['GEOCODED']})")
    georef = info_.geotransform is not None and bool(info_.crs_wkt)
    no_lookup = latitude in (None, "") and longitude in (None, "")
    if georef:
        isrs = osr.SpatialReference()
        isrs.ImportFromWkt(info_.crs_wkt)
        what = "projected" if isrs.IsProjected() else "geographic" if isrs.IsGeographic() else "map"
        if no_lookup:
            raise ValueError(f"LATITUDE/LONGITUDE: INPUT {input_path} is already georeferenced in a {what} CRS "
                             f"({crs_label(isrs)}) and no lookup rasters are given; it needs no geocoding "
                             f"(reproject it with GDAL Warp), or give the LATITUDE and LONGITUDE of its radar grid")
        warn(feedback, f"INPUT has a {what} georeferencing ({crs_label(isrs)}); it is ignored: the lookup "
                       f"rasters say where each pixel is")
    if info_.count < 1:
        raise ValueError(f"INPUT: {input_path} has no bands")
    # resampling by kind / type
    used = resampling
    if resampling == "bilinear" and (info_.kind in NEAREST_KINDS or info_.dtype.startswith(("int", "uint"))):
        used = "nearest"
        warn(feedback, f"RESAMPLING: {info_.kind or info_.dtype} values must not be interpolated; "
                       f"nearest neighbour is used")
    tag = uuid.uuid4().hex[:10]
    tmp_dir = os.path.dirname(dest)
    os.makedirs(tmp_dir, exist_ok=True)
    src_vrt = f"/vsimem/minesar_geocode_{tag}/src.vrt"
    lk = None
    lk_paths = [f"/vsimem/minesar_geocode_{tag}/lat.tif", f"/vsimem/minesar_geocode_{tag}/lon.tif",
                os.path.join(tmp_dir, f".minesar-geocode-{tag}-lat.tif"),
                os.path.join(tmp_dir, f".minesar-geocode-{tag}-lon.tif")]
    try:
        lk = _prepare_lookup(latitude, longitude, info_, memory_mb=memory_mb, tmp_dir=tmp_dir, tag=tag,
                             feedback=ScaledFeedback(feedback, 0.0, 10.0))
        spacing = [s for s in (lk.range_m, lk.azimuth_m) if np.isfinite(s) and s > 0]
        pixel_m = min(spacing)
        info(feedback, f"Data pixel spacing from the lookup rasters: {lk.range_m:.2f} m along rows (range), "
                       f"{lk.azimuth_m:.2f} m along columns (azimuth); scene centre latitude {lk.lat_centre:.5f}")
        if res_in > 0:
            xres = yres = res_in
            if srs.IsGeographic():
                unit_deg = math.degrees(srs.GetAngularUnits() or math.radians(1.0))
                if res_in * unit_deg > 1.0:
                    m_ = pixel_m / 111_000.0
                    raise ValueError(f"RESOLUTION: {res_in:g} is in the units of TARGET_CRS "
                                     f"({crs_label(srs)}, degrees): that is more than 1 degree per cell; "
                                     f"{pixel_m:.0f} m is about {m_:.6f} degrees (or use 0)")
            cell_m = _cell_metres(res_in, lk.lat_centre, srs)
        else:
            xres, yres = processing_resolution(pixel_m, lk.lat_centre, srs)
            cell_m = pixel_m
        _check_output_size(lk, srs, xres, yres)
        info(feedback, f"Output grid: {crs_label(srs)}, cells {xres:.9g} x {yres:.9g} target units "
                       f"(about {cell_m:.2f} m), resampling {used}")
        check_cancel(feedback)
        # the data with the GEOLOCATION domain
        gdal.Translate(src_vrt, src_abs, format="VRT")
        wgs = _srs("EPSG:4326")
        vds = gdal.Open(src_vrt, gdal.GA_Update)
        vds.SetMetadata({"X_DATASET": lk.lon_path, "X_BAND": "1", "Y_DATASET": lk.lat_path, "Y_BAND": "1",
                         "PIXEL_OFFSET": "0", "LINE_OFFSET": "0", "PIXEL_STEP": "1", "LINE_STEP": "1",
                         "SRS": wgs.ExportToWkt(), "GEOREFERENCING_CONVENTION": "PIXEL_CENTER"}, "GEOLOCATION")
        first = vds.GetRasterBand(1)
        src_nd = first.GetNoDataValue()
        is_float = info_.dtype.startswith(("float", "complex"))
        vds = None
        if src_nd is None and is_float:
            src_nd = float("nan")
        if is_float:
            dst_nd = float("nan")
        elif src_nd is not None:
            dst_nd = src_nd
        else:   # integer labels/masks: a no-data value that is no label (0 often is one)
            it = np.iinfo(np.dtype(info_.dtype))
            dst_nd = float(it.max if it.min == 0 else it.min)
            info(feedback, f"Cells outside the swath get the no-data value {dst_nd:g}")
        with _atomic_product(dest, fmt) as tmp:
            state = {"canceled": False}
            opts = dict(format=fmt, geoloc=True, dstSRS=srs.ExportToWkt(), xRes=xres, yRes=yres,
                        targetAlignedPixels=True, resampleAlg=used, srcNodata=src_nd, dstNodata=dst_nd,
                        warpMemoryLimit=float(memory_mb) * 1024 * 1024, warpOptions=["INIT_DEST=NO_DATA"],
                        callback=_gdal_progress(ScaledFeedback(feedback, 10.0, 95.0), state))
            if fmt == "GTiff":
                opts["creationOptions"] = list(stackio.GTIFF_OPTIONS)
            else:
                opts["creationOptions"] = ["INTERLEAVE=BSQ"]
            out = None
            try:    # the dataset is closed before the temporary files are renamed or deleted
                try:
                    with _gdal_messages(feedback):
                        out = gdal.Warp(tmp, src_vrt, **opts)
                except RuntimeError as exc:
                    if state["canceled"]:
                        raise Canceled("canceled by the user") from None
                    raise ValueError(f"INPUT: GDAL could not geocode {input_path}: {exc}") from None
                if out is None:
                    if state["canceled"]:
                        raise Canceled("canceled by the user")
                    raise ValueError(f"INPUT: GDAL could not geocode {input_path}")
                check_cancel(feedback)
                gt = tuple(out.GetGeoTransform())
                w, h = out.RasterXSize, out.RasterYSize
                ref, md = _output_metadata(info_, lk, gt, srs, w, h, src_abs, latitude, longitude, used, cell_m)
                _stamp(out, info_, md, fmt)
                out.FlushCache()
                valid = _valid_fraction(out.GetRasterBand(1), is_float, dst_nd, memory_mb)
            finally:
                out = None
            if fmt == "ENVI":
                _rewrite_envi_description(os.path.splitext(tmp)[0] + ".hdr", info_, src_abs)
            _verify(tmp, info_)
            feedback.setProgress(100.0)
        if valid == 0.0:
            warn(feedback, "The output holds no valid cell (band 1 is all NaN inside the swath)")
        files = [p for p in product_files(dest, fmt) if os.path.exists(p)]
        return GeocodeResult(dest, files, w, h, info_.count, gt, srs.ExportToWkt(), (abs(gt[1]), abs(gt[5])),
                             float(cell_m), lk.range_m, lk.azimuth_m, lk.looks, used, valid, ref)
    finally:
        if _vsi_exists(src_vrt):
            gdal.Unlink(src_vrt)
        _remove_lookup(lk_paths)


def _valid_fraction(band, is_float: bool, nodata, memory_mb: float) -> float:
    """Fraction of cells of ``band`` holding a value, read in row blocks."""
    w, h = band.XSize, band.YSize
    n = 0
    for blk in stackio.plan_row_blocks(h, w, bytes_per_pixel=16.0, memory_mb=memory_mb):
        a = band.ReadAsArray(0, blk.row0, w, blk.nrows)
        n += int(np.count_nonzero(np.isfinite(a) if is_float else a != nodata))
    return n / float(w * h)


def _vsi_exists(p: str) -> bool:
    try:
        return gdal.VSIStatL(p) is not None
    except RuntimeError:
        return False


def _cell_metres(res: float, lat: float, srs) -> float:
    if srs.IsGeographic():
        m, n = radii_of_curvature(lat)
        unit = srs.GetAngularUnits() or math.radians(1.0)
        return float(math.sqrt(res * unit * float(m) * res * unit * float(n) * math.cos(math.radians(lat))))
    return res * (srs.GetLinearUnits() or 1.0)


def _check_output_size(lk: _Lookup, srs, xres: float, yres: float) -> None:
    """Reject grids that would be absurdly large (RESOLUTION in the wrong unit)."""
    lats = np.linspace(lk.lat_range[0], lk.lat_range[1], 5)
    lons = np.linspace(lk.lon_range[0], lk.lon_range[1], 5)
    glon, glat = np.meshgrid(lons, lats)
    if srs.IsGeographic() and srs.GetAngularUnits() and abs(math.degrees(srs.GetAngularUnits()) - 1.0) < 1e-12:
        x, y = glon, glat
    else:
        ct = osr.CoordinateTransformation(_srs("EPSG:4326"), srs)
        pts = np.array(ct.TransformPoints(np.c_[glon.ravel(), glat.ravel()].tolist()))
        x, y = pts[:, 0], pts[:, 1]
    nx = (np.nanmax(x) - np.nanmin(x)) / xres
    ny = (np.nanmax(y) - np.nanmin(y)) / yres
    if not (np.isfinite(nx) and np.isfinite(ny)) or max(nx, ny) > MAX_OUTPUT_SIDE:
        raise ValueError(f"RESOLUTION: cells of {xres:g} x {yres:g} ({crs_label(srs)} units) would give an "
                         f"output of about {nx:.0f} x {ny:.0f} cells; give a larger RESOLUTION (or 0)")


def _output_metadata(info_: stackio.StackInfo, lk: _Lookup, gt, srs, w: int, h: int, src: str,
                     lat_path, lon_path, used: str, cell_m: float):
    """Dataset metadata of the geocoded product and its reference pixel."""
    md = {k: v for k, v in info_.metadata.items()
          if k != "AREA_OR_POINT" and not re.fullmatch(r"Band_\d+", k)}
    if md.get("DEM_PATH"):            # a DEM on the radar grid, not on this one
        p = md.pop("DEM_PATH")
        if info_.dem_path:
            p = info_.dem_path
        md["RADAR_DEM_PATH"] = os.path.abspath(p)
    md.update({
        "GEOCODED": "lookup",
        "GEOCODE_METHOD": "GDAL geolocation arrays (inverse mapping)",
        "GEOCODE_RESAMPLING": used,
        "GEOCODE_PIXEL_SIZE_M": repr(round(float(cell_m), 6)),
        "GEOCODE_LOOKUP_LATITUDE": os.path.abspath(str(lat_path)),
        "GEOCODE_LOOKUP_LONGITUDE": os.path.abspath(str(lon_path)),
        "LOOKUP_LOOKS_AZIMUTH": str(lk.looks[0]),
        "LOOKUP_LOOKS_RANGE": str(lk.looks[1]),
        "RADAR_WIDTH": str(info_.width),
        "RADAR_HEIGHT": str(info_.height),
        "SOURCE_RASTER": src,
    })
    ref = None
    if info_.ref_row is not None and info_.ref_col is not None:
        md.pop("REF_ROW", None)
        md.pop("REF_COL", None)
        md["RADAR_REF_ROW"], md["RADAR_REF_COL"] = str(info_.ref_row), str(info_.ref_col)
        if 0 <= info_.ref_row < info_.height and 0 <= info_.ref_col < info_.width:
            la, lo = (stackio.read_block(p, info_.ref_row, 1, col0=info_.ref_col, ncols=1, dtype=np.float64)[0, 0, 0]
                      for p in (lk.lat_path, lk.lon_path))
            if np.isfinite(la) and np.isfinite(lo):
                md["REF_LAT"], md["REF_LON"] = repr(float(la)), repr(float(lo))
                x, y = float(lo), float(la)
                if not (srs.IsGeographic() and abs(math.degrees(srs.GetAngularUnits()) - 1.0) < 1e-12):
                    x, y, _ = osr.CoordinateTransformation(_srs("EPSG:4326"), srs).TransformPoint(x, y)
                col = int(math.floor((x - gt[0]) / gt[1]))
                row = int(math.floor((y - gt[3]) / gt[5]))
                if 0 <= row < h and 0 <= col < w:
                    md["REF_ROW"], md["REF_COL"] = str(row), str(col)
                    ref = (row, col)
    return ref, md


def _stamp(ds, info_: stackio.StackInfo, md: Dict[str, str], fmt: str) -> None:
    """Write the self-description onto the freshly warped dataset."""
    ds.SetMetadata({str(k): str(v) for k, v in md.items()})
    for i in range(info_.count):
        b = ds.GetRasterBand(i + 1)
        if info_.labels[i]:
            b.SetDescription(str(info_.labels[i]))
        if info_.band_metadata[i]:
            b.SetMetadata({str(k): str(v) for k, v in info_.band_metadata[i].items()})
    if fmt == "ENVI":   # the MineSAR keys in the header too, for ENVI readers
        envi = {}
        for k, v in md.items():
            v = str(v).replace("{", "(").replace("}", ")")
            envi[k.lower()] = "{" + v + "}" if "," in v else v
        ds.SetMetadata(envi, "ENVI")


def _rewrite_envi_description(hdr: str, info_: stackio.StackInfo, src: str) -> None:
    """GDAL puts the (temporary) file name in the header's description; say what it is."""
    if not os.path.exists(hdr):
        return
    with open(hdr, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    desc = f"description = {{MineSAR {info_.kind or 'raster'} geocoded from {os.path.basename(src)}}}"
    text = re.sub(r"description = \{[^}]*\}", lambda _m: desc, text, count=1)
    with open(hdr, "w", encoding="utf-8") as fh:
        fh.write(text)


def _verify(tmp: str, info_: stackio.StackInfo) -> None:
    """The product must read back as the same kind of stack (DESIGN §3)."""
    got = stackio.read_stack_info(tmp, name="OUTPUT")
    if got.kind != info_.kind or got.count != info_.count or got.dates != info_.dates or got.pairs != info_.pairs:
        raise RuntimeError(f"OUTPUT: the geocoded product does not read back as the input "
                           f"({got.kind}, {got.count} bands vs {info_.kind}, {info_.count})")
