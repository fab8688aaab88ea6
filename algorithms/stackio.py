"""Self-describing raster stacks: the one module that reads and writes them.

Every raster MineSAR writes is a tiled, compressed GeoTIFF (nodata NaN for
floats) whose band descriptions and metadata say what it holds (DESIGN §3):

* band description: the date ``YYYYMMDD`` or the pair ``YYYYMMDD_YYYYMMDD``;
* band metadata: ``DATE`` or ``REF_DATE``/``SEC_DATE``, ``BPERP_M``,
  ``BTEMP_DAYS``;
* dataset metadata: ``MINESAR_KIND``, ``UNITS``, the scene geometry
  (``WAVELENGTH_M``, ``INCIDENCE_DEG``, ``HEADING_DEG``, ``SLANT_RANGE_M``,
  ``RANGE_PIXEL_M``, ``AZIMUTH_PIXEL_M``, ``LOOKS_RANGE``, ``LOOKS_AZIMUTH``),
  ``REF_ROW``/``REF_COL`` where a reference pixel applies, and for pair stacks
  the acquisition list ``DATE_LIST`` with its baselines ``DATE_BPERP_M`` so that
  per-date quantities (DEM error) can be estimated downstream.

An SLC stack is a GDAL VRT over the user's files with the same metadata
(``MINESAR_KIND=slc``), optionally pointing to a DEM (``DEM_PATH``).

No stage parses band descriptions itself: they call :func:`read_stack_info`.
Outputs are written through :class:`StackWriter` (or :func:`write_raster`),
which writes to a temporary file beside the destination and renames it only
when the whole product is complete.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import math
import os
import uuid
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal

from .progress import check_cancel, ensure
from .validate import parse_date

gdal.UseExceptions()

#: Sentinel-1 IW defaults (DESIGN §2).
S1_WAVELENGTH_M = 0.05546576
S1_RANGE_PIXEL_M = 2.33
S1_AZIMUTH_PIXEL_M = 13.9
S1_INCIDENCE_DEG = 39.0
S1_SLANT_RANGE_M = 880_000.0
S1_RANGE_BANDWIDTH_HZ = 56.5e6
S1_HEADING_DEG = -12.0  # typical ascending track, clockwise from north
DAYS_PER_YEAR = 365.25
SPEED_OF_LIGHT = 299_792_458.0

#: Known values of ``MINESAR_KIND``.
KINDS = ("slc", "wrapped", "coherence", "mean_coherence", "amplitude_dispersion",
         "unwrapped", "components", "timeseries", "velocity", "dem_error",
         "temporal_coherence", "atmosphere", "dem", "truth_displacement",
         "truth_velocity", "truth_dem_error", "ps_mask", "los_displacement",
         "model", "residual", "displacement")

PAIR_KINDS = ("wrapped", "coherence", "unwrapped", "components")

# 256 x 16 tiles: stages read row blocks, so short tiles are decompressed about once per
# block instead of once per block for every 256-row tile the block touches.
GTIFF_OPTIONS = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=16", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER",
                 "INTERLEAVE=BAND"]


# --------------------------------------------------------------------------- dates
def date_label(d: _dt.date) -> str:
    """``date(2018, 1, 11)`` -> ``'20180111'``."""
    return d.strftime("%Y%m%d")


def pair_label(ref: _dt.date, sec: _dt.date) -> str:
    """Pair label ``REF_SEC`` (``YYYYMMDD_YYYYMMDD``)."""
    return f"{date_label(ref)}_{date_label(sec)}"


def parse_pair(text: str, *, name: str = "pair") -> Tuple[_dt.date, _dt.date]:
    """Parse ``YYYYMMDD_YYYYMMDD`` (or with ``-``) into two dates."""
    s = str(text).strip()
    for sep in ("_", "-"):
        parts = s.split(sep)
        if len(parts) == 2 and all(len(p) == 8 for p in parts):
            return parse_date(parts[0], name=name), parse_date(parts[1], name=name)
    raise ValueError(f"{name}: {text!r} is not a pair in YYYYMMDD_YYYYMMDD form")


def days_between(d0: _dt.date, d1: _dt.date) -> int:
    """Signed number of days from ``d0`` to ``d1``."""
    return (d1 - d0).days


def years_since(dates: Sequence[_dt.date], ref: Optional[_dt.date] = None) -> np.ndarray:
    """Time in years (365.25 d) of each date since ``ref`` (default: first date)."""
    ref = dates[0] if ref is None else ref
    return np.array([(d - ref).days / DAYS_PER_YEAR for d in dates], dtype=np.float64)


# ------------------------------------------------------------------------ geometry
@dataclasses.dataclass
class Geometry:
    """Scene geometry, angles in degrees and lengths in metres (DESIGN §2)."""

    wavelength_m: float = S1_WAVELENGTH_M
    incidence_deg: float = S1_INCIDENCE_DEG
    heading_deg: float = S1_HEADING_DEG
    slant_range_m: float = S1_SLANT_RANGE_M
    range_pixel_m: float = S1_RANGE_PIXEL_M
    azimuth_pixel_m: float = S1_AZIMUTH_PIXEL_M
    looks_range: int = 1
    looks_azimuth: int = 1
    range_bandwidth_hz: float = S1_RANGE_BANDWIDTH_HZ

    _KEYS = {
        "wavelength_m": "WAVELENGTH_M", "incidence_deg": "INCIDENCE_DEG",
        "heading_deg": "HEADING_DEG", "slant_range_m": "SLANT_RANGE_M",
        "range_pixel_m": "RANGE_PIXEL_M", "azimuth_pixel_m": "AZIMUTH_PIXEL_M",
        "looks_range": "LOOKS_RANGE", "looks_azimuth": "LOOKS_AZIMUTH",
        "range_bandwidth_hz": "RANGE_BANDWIDTH_HZ",
    }

    def validate(self) -> "Geometry":
        """Check every value, naming the parameter, and return ``self``."""
        checks = {
            "WAVELENGTH": (self.wavelength_m, 1e-3, 1.0),
            "INCIDENCE": (self.incidence_deg, 1.0, 89.0),
            "HEADING": (self.heading_deg, -360.0, 360.0),
            "SLANT_RANGE": (self.slant_range_m, 1.0, 1e8),
            "RANGE_PIXEL": (self.range_pixel_m, 1e-3, 1e5),
            "AZIMUTH_PIXEL": (self.azimuth_pixel_m, 1e-3, 1e5),
        }
        for key, (v, lo, hi) in checks.items():
            if v is None or not math.isfinite(float(v)) or not (lo <= float(v) <= hi):
                raise ValueError(f"{key}: {v!r} is outside the valid range [{lo}, {hi}]")
        if int(self.looks_range) < 1 or int(self.looks_azimuth) < 1:
            raise ValueError("LOOKS: looks must be >= 1")
        return self

    def to_metadata(self) -> Dict[str, str]:
        """Dataset metadata items for this geometry."""
        out = {}
        for attr, key in self._KEYS.items():
            v = getattr(self, attr)
            out[key] = str(int(v)) if attr.startswith("looks") else repr(float(v))
        return out

    @classmethod
    def from_metadata(cls, md: Dict[str, str]) -> "Geometry":
        """Geometry from dataset metadata; missing items take the S1 defaults."""
        kw = {}
        for attr, key in cls._KEYS.items():
            if key in md and str(md[key]).strip() != "":
                try:
                    kw[attr] = int(float(md[key])) if attr.startswith("looks") else float(md[key])
                except ValueError:
                    raise ValueError(f"{key}: metadata value {md[key]!r} is not a number") from None
        return cls(**kw)

    @property
    def ground_range_pixel_m(self) -> float:
        """Ground-range pixel size of the single-look grid."""
        return self.range_pixel_m / math.sin(math.radians(self.incidence_deg))

    def los_unit_vector(self) -> Tuple[float, float, float]:
        """(E, N, U) unit vector from ground toward the satellite (DESIGN §2)."""
        th = math.radians(self.incidence_deg)
        h = math.radians(self.heading_deg)
        return (-math.sin(th) * math.cos(h), math.sin(th) * math.sin(h), math.cos(th))

    def phase_to_mm(self) -> float:
        """Factor turning unwrapped phase (rad) into LOS mm toward the satellite."""
        return -self.wavelength_m / (4.0 * math.pi) * 1000.0


# ---------------------------------------------------------------------- stack info
@dataclasses.dataclass
class StackInfo:
    """What a self-describing raster holds (read by :func:`read_stack_info`).

    For date stacks ``dates`` has one entry per band; for pair stacks ``pairs``
    has one ``(ref, sec)`` per band and ``dates`` is the sorted list of all
    acquisitions (from ``DATE_LIST`` or from the pairs).
    """

    path: str
    kind: str
    width: int
    height: int
    count: int
    dtype: str
    geotransform: Optional[Tuple[float, ...]]
    crs_wkt: str
    labels: List[str]
    units: str = ""
    dates: List[_dt.date] = dataclasses.field(default_factory=list)
    pairs: List[Tuple[_dt.date, _dt.date]] = dataclasses.field(default_factory=list)
    bperp_m: Optional[np.ndarray] = None          # per band
    date_bperp_m: Optional[np.ndarray] = None     # per acquisition date
    geometry: Geometry = dataclasses.field(default_factory=Geometry)
    metadata: Dict[str, str] = dataclasses.field(default_factory=dict)
    band_metadata: List[Dict[str, str]] = dataclasses.field(default_factory=list)
    ref_row: Optional[int] = None
    ref_col: Optional[int] = None
    dem_path: Optional[str] = None

    @property
    def is_pair_stack(self) -> bool:
        return len(self.pairs) > 0

    @property
    def is_complex(self) -> bool:
        return self.dtype.startswith("complex")

    @property
    def pixel_size_m(self) -> Tuple[float, float]:
        """(x, y) pixel size in metres: from the geotransform in a projected
        CRS, otherwise from the radar geometry and looks."""
        gt = self.geotransform
        if gt is not None and self.crs_wkt:
            from osgeo import osr
            srs = osr.SpatialReference()
            srs.ImportFromWkt(self.crs_wkt)
            if srs.IsProjected():
                return abs(gt[1]) * srs.GetLinearUnits(), abs(gt[5]) * srs.GetLinearUnits()
            if srs.IsGeographic():
                lat = gt[3] + gt[5] * self.height / 2.0
                m = 111_320.0
                return abs(gt[1]) * m * math.cos(math.radians(lat)), abs(gt[5]) * m
        g = self.geometry
        return g.ground_range_pixel_m * g.looks_range, g.azimuth_pixel_m * g.looks_azimuth

    def btemp_days(self) -> np.ndarray:
        """Temporal baseline per band (pairs) or days since the first date."""
        if self.is_pair_stack:
            return np.array([days_between(r, s) for r, s in self.pairs], dtype=np.float64)
        return np.array([days_between(self.dates[0], d) for d in self.dates], dtype=np.float64)


def open_raster(path: str, *, name: str = "raster", update: bool = False) -> gdal.Dataset:
    """Open ``path`` with GDAL, raising a ValueError that names ``name``."""
    if path is None or str(path).strip() == "":
        raise ValueError(f"{name}: no file given")
    if not os.path.exists(path) and not str(path).startswith("/vsi"):
        raise ValueError(f"{name}: file not found: {path}")
    try:
        ds = gdal.Open(str(path), gdal.GA_Update if update else gdal.GA_ReadOnly)
    except RuntimeError as exc:
        raise ValueError(f"{name}: GDAL cannot open {path}: {exc}") from None
    if ds is None:
        raise ValueError(f"{name}: GDAL cannot open {path}")
    return ds


def _numpy_dtype_name(gdal_type: int) -> str:
    return {
        gdal.GDT_Byte: "uint8", gdal.GDT_UInt16: "uint16", gdal.GDT_Int16: "int16",
        gdal.GDT_UInt32: "uint32", gdal.GDT_Int32: "int32", gdal.GDT_Float32: "float32",
        gdal.GDT_Float64: "float64", gdal.GDT_CInt16: "complex64", gdal.GDT_CInt32: "complex64",
        gdal.GDT_CFloat32: "complex64", gdal.GDT_CFloat64: "complex128",
    }.get(gdal_type, "float64")


def read_stack_info(path: str, *, name: str = "STACK") -> StackInfo:
    """Read the self-description of a MineSAR raster (or any raster).

    Rasters made elsewhere still work: band descriptions that look like dates
    or pairs are understood, missing geometry takes the Sentinel-1 defaults.
    """
    ds = open_raster(path, name=name)
    md = ds.GetMetadata() or {}
    n = ds.RasterCount
    if n == 0:
        raise ValueError(f"{name}: {path} has no bands")
    labels, bmd = [], []
    for i in range(1, n + 1):
        b = ds.GetRasterBand(i)
        labels.append(b.GetDescription() or "")
        bmd.append(b.GetMetadata() or {})
    gt = ds.GetGeoTransform(can_return_null=True)
    info = StackInfo(
        path=str(path), kind=md.get("MINESAR_KIND", ""), width=ds.RasterXSize,
        height=ds.RasterYSize, count=n,
        dtype=_numpy_dtype_name(ds.GetRasterBand(1).DataType),
        geotransform=tuple(gt) if gt is not None else None,
        crs_wkt=ds.GetProjection() or "", labels=labels, units=md.get("UNITS", ""),
        geometry=Geometry.from_metadata(md), metadata=dict(md), band_metadata=bmd,
    )
    ds = None
    # dates / pairs per band
    pairs, dates, bperp = [], [], []
    for i, (lab, m) in enumerate(zip(labels, bmd)):
        where = f"{name}: band {i + 1}"
        if "REF_DATE" in m and "SEC_DATE" in m:
            pairs.append((parse_date(m["REF_DATE"], name=where), parse_date(m["SEC_DATE"], name=where)))
        elif "DATE" in m:
            dates.append(parse_date(m["DATE"], name=where))
        elif lab:
            s = lab.strip()
            if len(s) == 8 and s.isdigit():
                dates.append(parse_date(s, name=where))
            elif len(s) == 17 and s[8] in "_-":
                pairs.append(parse_pair(s, name=where))
        if "BPERP_M" in m:
            try:
                bperp.append(float(m["BPERP_M"]))
            except ValueError:
                raise ValueError(f"{where}: BPERP_M {m['BPERP_M']!r} is not a number") from None
    if pairs and len(pairs) == n:
        info.pairs = pairs
        if md.get("DATE_LIST"):
            info.dates = [parse_date(d, name=f"{name}: DATE_LIST") for d in md["DATE_LIST"].split(",")]
        else:
            info.dates = sorted({d for p in pairs for d in p})
        if md.get("DATE_BPERP_M"):
            info.date_bperp_m = np.array([float(v) for v in md["DATE_BPERP_M"].split(",")])
    elif dates and len(dates) == n:
        info.dates = dates
    if len(bperp) == n:
        info.bperp_m = np.array(bperp, dtype=np.float64)
        if info.dates and not info.pairs:
            info.date_bperp_m = info.bperp_m.copy()
    if "REF_ROW" in md and "REF_COL" in md:
        try:
            info.ref_row, info.ref_col = int(md["REF_ROW"]), int(md["REF_COL"])
        except ValueError:
            pass
    if md.get("DEM_PATH"):
        p = md["DEM_PATH"]
        info.dem_path = p if os.path.isabs(p) else os.path.join(os.path.dirname(os.path.abspath(path)), p)
    return info


def require_pairs(info: StackInfo, *, name: str = "STACK") -> None:
    """Raise unless ``info`` is a stack of interferometric pairs."""
    if not info.is_pair_stack:
        raise ValueError(f"{name}: {info.path} has no pair metadata (band descriptions or "
                         f"REF_DATE/SEC_DATE in YYYYMMDD form); is it an interferogram stack?")


def require_dates(info: StackInfo, *, name: str = "STACK") -> None:
    """Raise unless ``info`` is a stack with one acquisition date per band."""
    if not info.dates or info.is_pair_stack:
        raise ValueError(f"{name}: {info.path} has no per-band dates (band description or DATE "
                         f"metadata in YYYYMMDD form)")


# ------------------------------------------------------------------------ reading
def read_block(path: str, row0: int = 0, nrows: Optional[int] = None, *, bands: Optional[Sequence[int]] = None,
               col0: int = 0, ncols: Optional[int] = None, dtype=None, nodata_to_nan: bool = True) -> np.ndarray:
    """Read a window of a stack as ``(n_bands, nrows, ncols)``.

    ``bands`` are 0-based band indices (default: all).  Rows outside the
    raster are not allowed; callers clip windows with :func:`plan_row_blocks`.
    Float nodata values are turned into NaN when ``nodata_to_nan``.
    """
    ds = open_raster(path)
    try:
        h, w = ds.RasterYSize, ds.RasterXSize
        nrows = h - row0 if nrows is None else nrows
        ncols = w - col0 if ncols is None else ncols
        if row0 < 0 or nrows < 0 or row0 + nrows > h or col0 < 0 or col0 + ncols > w:
            raise ValueError(f"window rows {row0}:{row0 + nrows}, cols {col0}:{col0 + ncols} "
                             f"is outside {path} ({h} x {w})")
        idx = list(range(ds.RasterCount)) if bands is None else list(bands)
        first = ds.GetRasterBand(1)
        out_dtype = np.dtype(dtype) if dtype is not None else np.dtype(_numpy_dtype_name(first.DataType))
        out = np.empty((len(idx), nrows, ncols), dtype=out_dtype)
        for k, b in enumerate(idx):
            band = ds.GetRasterBand(int(b) + 1)
            arr = band.ReadAsArray(col0, row0, ncols, nrows)
            nd = band.GetNoDataValue()
            if nodata_to_nan and nd is not None and out_dtype.kind in "fc" and not np.isnan(nd):
                arr = arr.astype(out_dtype, copy=False)
                arr[arr == nd] = np.nan
            out[k] = arr
        return out
    finally:
        ds = None


def read_band(path: str, band: int = 0, *, dtype=None) -> np.ndarray:
    """Read one whole band (0-based) as a 2-D array."""
    return read_block(path, bands=[band], dtype=dtype)[0]


# ------------------------------------------------------------------------- blocks
@dataclasses.dataclass(frozen=True)
class RowBlock:
    """A block of output rows ``[row0, row0+nrows)`` and the padded window
    ``[read_row0, read_row0+read_nrows)`` that must be read to compute it."""

    index: int
    row0: int
    nrows: int
    read_row0: int
    read_nrows: int

    @property
    def core(self) -> slice:
        """Slice of the padded block that holds the output rows."""
        s = self.row0 - self.read_row0
        return slice(s, s + self.nrows)


def plan_row_blocks(height: int, width: int, *, bytes_per_pixel: float, memory_mb: float = 1024,
                    overlap: int = 0, multiple: int = 1, min_rows: int = 1) -> List[RowBlock]:
    """Split ``height`` rows into blocks that fit a memory budget.

    Parameters
    ----------
    height, width : int
        Raster size in pixels.
    bytes_per_pixel : float
        Bytes the algorithm holds per pixel of a row (all bands, inputs,
        outputs and temporaries together).
    memory_mb : float
        Budget in MiB (the ``MEMORY_MB`` parameter).
    overlap : int
        Extra rows read above and below each block (filter half-windows).
    multiple : int
        Block heights (except the last) are multiples of this (e.g. azimuth
        looks, so multilooked blocks tile exactly).
    min_rows : int
        Smallest allowed block height; the budget is exceeded rather than going
        below it.
    """
    if height <= 0 or width <= 0:
        raise ValueError(f"raster size must be positive, got {height} x {width}")
    budget = float(memory_mb) * 1024 * 1024
    rows = int(budget // max(bytes_per_pixel * width, 1.0)) - 2 * overlap
    multiple = max(int(multiple), 1)
    rows = max(rows, int(min_rows), multiple)
    rows = max(multiple, (rows // multiple) * multiple)
    blocks, r, i = [], 0, 0
    while r < height:
        n = min(rows, height - r)
        a = max(0, r - overlap)
        b = min(height, r + n + overlap)
        blocks.append(RowBlock(i, r, n, a, b - a))
        r += n
        i += 1
    return blocks


# ------------------------------------------------------------------------ writing
def _tmp_path(dest: str) -> str:
    d, base = os.path.split(os.path.abspath(dest))
    stem, ext = os.path.splitext(base)
    return os.path.join(d, f".{stem}.tmp-{uuid.uuid4().hex[:8]}{ext}")


def _remove_quietly(path: str) -> None:
    for p in (path, path + ".aux.xml", path + ".ovr"):
        try:
            os.remove(p)
        except OSError:
            pass


@contextmanager
def atomic_output(dest: str):
    """Yield a temporary path beside ``dest``; rename it to ``dest`` on success.

    On any exception (including :class:`~.progress.Canceled`) the temporary
    file is removed and ``dest`` is left untouched.
    """
    dest = os.path.abspath(dest)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = _tmp_path(dest)
    try:
        yield tmp
    except BaseException:
        _remove_quietly(tmp)
        raise
    if os.path.exists(dest):
        _remove_quietly(dest)
    os.replace(tmp, dest)
    if os.path.exists(tmp + ".aux.xml"):
        os.replace(tmp + ".aux.xml", dest + ".aux.xml")


_GDAL_TYPES = {
    "float32": gdal.GDT_Float32, "float64": gdal.GDT_Float64, "complex64": gdal.GDT_CFloat32,
    "complex128": gdal.GDT_CFloat64, "uint8": gdal.GDT_Byte, "int16": gdal.GDT_Int16,
    "uint16": gdal.GDT_UInt16, "int32": gdal.GDT_Int32, "uint32": gdal.GDT_UInt32,
}


def band_metadata_for_dates(dates: Sequence[_dt.date], bperp_m: Optional[Sequence[float]] = None) -> List[Dict[str, str]]:
    """Band metadata dicts for a date stack (``DATE``, ``BTEMP_DAYS``, ``BPERP_M``)."""
    out = []
    for i, d in enumerate(dates):
        m = {"DATE": date_label(d), "BTEMP_DAYS": str(days_between(dates[0], d))}
        if bperp_m is not None:
            m["BPERP_M"] = repr(float(bperp_m[i]))
        out.append(m)
    return out


def band_metadata_for_pairs(pairs: Sequence[Tuple[_dt.date, _dt.date]], bperp_m: Optional[Sequence[float]] = None) -> List[Dict[str, str]]:
    """Band metadata dicts for a pair stack (``REF_DATE``, ``SEC_DATE``, ...)."""
    out = []
    for i, (r, s) in enumerate(pairs):
        m = {"REF_DATE": date_label(r), "SEC_DATE": date_label(s), "BTEMP_DAYS": str(days_between(r, s))}
        if bperp_m is not None:
            m["BPERP_M"] = repr(float(bperp_m[i]))
        out.append(m)
    return out


class StackWriter:
    """Write a self-describing GeoTIFF block by block, atomically.

    Use as a context manager: the file is written to a temporary name beside
    ``path`` and renamed when the ``with`` block ends without error; on error
    or cancel it is deleted.

    Parameters
    ----------
    path : str
        Destination GeoTIFF.
    width, height, count : int
        Size and number of bands.
    dtype : str
        numpy dtype name (``float32``, ``complex64``, ``uint8``, ...).
    kind, units : str
        ``MINESAR_KIND`` and ``UNITS`` dataset metadata.
    labels : sequence of str, optional
        Band descriptions (dates or pairs).
    band_metadata : sequence of dict, optional
        Per-band metadata.
    metadata : dict, optional
        Extra dataset metadata.
    geometry : Geometry, optional
        Scene geometry, written as dataset metadata.
    geotransform, crs_wkt : optional
        Georeferencing; pass ``like=info`` to copy it from a :class:`StackInfo`.
    """

    def __init__(self, path: str, *, width: int, height: int, count: int, dtype: str = "float32",
                 kind: str, units: str = "", labels: Optional[Sequence[str]] = None,
                 band_metadata: Optional[Sequence[Dict[str, str]]] = None,
                 metadata: Optional[Dict[str, str]] = None, geometry: Optional[Geometry] = None,
                 geotransform=None, crs_wkt: str = "", like: Optional[StackInfo] = None,
                 nodata: Optional[float] = None):
        if like is not None:
            geotransform = like.geotransform if geotransform is None else geotransform
            crs_wkt = crs_wkt or like.crs_wkt
        self.path = os.path.abspath(path)
        self.width, self.height, self.count = int(width), int(height), int(count)
        self.dtype = np.dtype(dtype)
        self.kind = kind
        self._cm = atomic_output(self.path)
        self._tmp = None
        self._ds = None
        self._args = dict(units=units, labels=labels, band_metadata=band_metadata, metadata=metadata,
                          geometry=geometry, geotransform=geotransform, crs_wkt=crs_wkt, nodata=nodata)

    def __enter__(self) -> "StackWriter":
        self._tmp = self._cm.__enter__()
        a = self._args
        drv = gdal.GetDriverByName("GTiff")
        gtype = _GDAL_TYPES.get(self.dtype.name)
        if gtype is None:
            raise TypeError(f"cannot write dtype {self.dtype}")
        opts = list(GTIFF_OPTIONS)
        if self.width < 16 or self.height < 16:
            opts = [o for o in opts if o != "TILED=YES"]
        self._ds = drv.Create(self._tmp, self.width, self.height, self.count, gtype, options=opts)
        if a["geotransform"] is not None:
            self._ds.SetGeoTransform(list(a["geotransform"]))
        if a["crs_wkt"]:
            self._ds.SetProjection(a["crs_wkt"])
        md = {"MINESAR_KIND": self.kind}
        if a["units"]:
            md["UNITS"] = a["units"]
        if a["geometry"] is not None:
            md.update(a["geometry"].to_metadata())
        if a["metadata"]:
            md.update({str(k): str(v) for k, v in a["metadata"].items()})
        self._ds.SetMetadata(md)
        nodata = a["nodata"]
        if nodata is None and self.dtype.kind == "f":
            nodata = float("nan")
        labels = a["labels"] or [""] * self.count
        bmd = a["band_metadata"] or [{}] * self.count
        if len(labels) != self.count or len(bmd) != self.count:
            raise ValueError(f"labels/band_metadata must have {self.count} entries")
        for i in range(self.count):
            b = self._ds.GetRasterBand(i + 1)
            if labels[i]:
                b.SetDescription(str(labels[i]))
            if bmd[i]:
                b.SetMetadata({str(k): str(v) for k, v in bmd[i].items()})
            if nodata is not None and self.dtype.kind != "c":
                b.SetNoDataValue(float(nodata))
        return self

    def write(self, data: np.ndarray, *, row0: int = 0, col0: int = 0, band: Optional[int] = None) -> None:
        """Write ``data`` at ``(row0, col0)``.

        ``data`` is ``(rows, cols)`` for one band (``band`` 0-based) or
        ``(count, rows, cols)`` for all bands.
        """
        if self._ds is None:
            raise RuntimeError("StackWriter is not open (use it in a with block)")
        a = np.asarray(data)
        if band is not None:
            self._ds.GetRasterBand(int(band) + 1).WriteArray(a.astype(self.dtype, copy=False), col0, row0)
            return
        if a.ndim == 2 and self.count == 1:
            a = a[None]
        if a.ndim != 3 or a.shape[0] != self.count:
            raise ValueError(f"expected data of shape ({self.count}, rows, cols), got {a.shape}")
        for i in range(self.count):
            self._ds.GetRasterBand(i + 1).WriteArray(a[i].astype(self.dtype, copy=False), col0, row0)

    def read(self, *, row0: int = 0, nrows: Optional[int] = None, bands: Optional[Sequence[int]] = None) -> np.ndarray:
        """Read back rows already written (``(n_bands, nrows, width)``), e.g. for a
        second pass over a product that is still being written."""
        if self._ds is None:
            raise RuntimeError("StackWriter is not open (use it in a with block)")
        self._ds.FlushCache()
        nrows = self.height - row0 if nrows is None else nrows
        idx = list(range(self.count)) if bands is None else list(bands)
        out = np.empty((len(idx), nrows, self.width), dtype=self.dtype)
        for k, b in enumerate(idx):
            out[k] = self._ds.GetRasterBand(int(b) + 1).ReadAsArray(0, row0, self.width, nrows)
        return out

    def __exit__(self, exc_type, exc, tb):
        ds, self._ds = self._ds, None
        if ds is not None:
            if exc_type is None:
                ds.FlushCache()
            ds = None
        return self._cm.__exit__(exc_type, exc, tb)


def write_raster(path: str, data: np.ndarray, *, kind: str, **kwargs) -> str:
    """Write a whole ``(rows, cols)`` or ``(bands, rows, cols)`` array at once.

    Keyword arguments are those of :class:`StackWriter`.  Returns ``path``.
    """
    a = np.asarray(data)
    if a.ndim == 2:
        a = a[None]
    dtype = kwargs.pop("dtype", None) or (a.dtype.name if a.dtype.name in _GDAL_TYPES else "float32")
    with StackWriter(path, width=a.shape[2], height=a.shape[1], count=a.shape[0], dtype=dtype,
                     kind=kind, **kwargs) as w:
        w.write(a)
    return path


def raster_like(info: StackInfo) -> Dict[str, object]:
    """Keyword arguments copying size and georeferencing of ``info``."""
    return dict(width=info.width, height=info.height, geotransform=info.geotransform, crs_wkt=info.crs_wkt)


# ---------------------------------------------------------------------- manifest
@dataclasses.dataclass
class ManifestEntry:
    """One row of a manifest CSV (``date,path,bperp_m``)."""

    date: _dt.date
    path: str          # absolute
    bperp_m: float
    row: int           # 1-based data row number, for messages


def read_manifest(csv_path: str) -> List[ManifestEntry]:
    """Parse and validate a manifest CSV (DESIGN §4.1).

    Paths are relative to the CSV.  Every problem raises a ``ValueError`` whose
    message names the manifest row or file.  Entries are returned sorted by date.
    """
    if not csv_path or not os.path.isfile(csv_path):
        raise ValueError(f"MANIFEST: file not found: {csv_path}")
    base = os.path.dirname(os.path.abspath(csv_path))
    with open(csv_path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        missing = [f for f in ("date", "path", "bperp_m") if f not in fields]
        if missing:
            raise ValueError(f"MANIFEST: {csv_path} lacks the column(s) {', '.join(missing)} "
                             f"(header must be date,path,bperp_m)")
        rows = []
        for i, raw in enumerate(reader, start=1):
            row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
            if not any(row.values()):
                continue
            where = f"MANIFEST row {i} ({row.get('date', '')})"
            d = parse_date(row.get("date", ""), name=where)
            p = row.get("path", "")
            if not p:
                raise ValueError(f"{where}: the path is empty")
            ap = p if os.path.isabs(p) else os.path.normpath(os.path.join(base, p))
            if not os.path.exists(ap):
                raise ValueError(f"{where}: file not found: {ap}")
            b = row.get("bperp_m", "")
            if b == "":
                raise ValueError(f"{where}: the perpendicular baseline (bperp_m) is missing")
            try:
                bv = float(b)
            except ValueError:
                raise ValueError(f"{where}: the perpendicular baseline {b!r} is not a number") from None
            if not math.isfinite(bv):
                raise ValueError(f"{where}: the perpendicular baseline {b!r} is not finite")
            rows.append(ManifestEntry(d, ap, bv, i))
    if not rows:
        raise ValueError(f"MANIFEST: {csv_path} lists no acquisitions")
    seen = {}
    for e in rows:
        if e.date in seen:
            raise ValueError(f"MANIFEST row {e.row}: duplicate date {date_label(e.date)} "
                             f"(also in row {seen[e.date]})")
        seen[e.date] = e.row
    return sorted(rows, key=lambda e: e.date)


def write_manifest(csv_path: str, entries: Sequence[Tuple[_dt.date, str, float]]) -> str:
    """Write a manifest CSV; paths are made relative to the CSV when possible."""
    base = os.path.dirname(os.path.abspath(csv_path))
    with atomic_output(csv_path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["date", "path", "bperp_m"])
            for d, p, b in entries:
                rp = os.path.relpath(os.path.abspath(p), base) if os.path.isabs(p) else p
                w.writerow([date_label(d), rp.replace(os.sep, "/"), f"{float(b):.4f}"])
    return csv_path


def build_stack(manifest_csv: str, output_vrt: str, *, geometry: Optional[Geometry] = None,
                dem: Optional[str] = None, feedback=None) -> StackInfo:
    """Build an SLC stack VRT from a manifest (the ``buildstack`` stage).

    Checks that every file opens, is complex and has the size of the first;
    checks the DEM size when given.  Writes the VRT atomically and returns its
    :class:`StackInfo`.
    """
    feedback = ensure(feedback)
    geometry = (geometry or Geometry()).validate()
    entries = read_manifest(manifest_csv)
    size = gt = wkt = None
    first = None
    srcs = []
    for k, e in enumerate(entries):
        check_cancel(feedback)
        where = f"MANIFEST row {e.row} ({date_label(e.date)})"
        ds = open_raster(e.path, name=where)
        if ds.RasterCount < 1:
            raise ValueError(f"{where}: {e.path} has no bands")
        b = ds.GetRasterBand(1)
        if not gdal.DataTypeIsComplex(b.DataType):
            raise ValueError(f"{where}: {e.path} is not a complex raster (type "
                             f"{gdal.GetDataTypeName(b.DataType)}); an SLC needs CFloat32/CInt16 samples")
        this = (ds.RasterXSize, ds.RasterYSize)
        if size is None:
            size, first = this, e.path
            g = ds.GetGeoTransform(can_return_null=True)
            gt = tuple(g) if g is not None else None
            wkt = ds.GetProjection() or ""
        elif this != size:
            raise ValueError(f"{where}: {e.path} is {this[0]} x {this[1]} pixels but {first} is "
                             f"{size[0]} x {size[1]}; all SLCs must be coregistered on one grid")
        srcs.append((e, gdal.GetDataTypeName(b.DataType)))
        ds = None
        feedback.setProgress(80.0 * (k + 1) / len(entries))
    dem_abs = None
    if dem:
        dds = open_raster(dem, name="DEM")
        if (dds.RasterXSize, dds.RasterYSize) != size:
            raise ValueError(f"DEM: {dem} is {dds.RasterXSize} x {dds.RasterYSize} pixels but the "
                             f"SLCs are {size[0]} x {size[1]}; resample the DEM onto the SLC grid")
        dds = None
        dem_abs = os.path.abspath(dem)
    out_dir = os.path.dirname(os.path.abspath(output_vrt))
    ref_b = entries[0].bperp_m
    root = ET.Element("VRTDataset", rasterXSize=str(size[0]), rasterYSize=str(size[1]))
    if wkt:
        ET.SubElement(root, "SRS").text = wkt
    if gt is not None:
        ET.SubElement(root, "GeoTransform").text = ", ".join(repr(float(v)) for v in gt)
    md = {"MINESAR_KIND": "slc", "UNITS": "complex amplitude"}
    md.update(geometry.to_metadata())
    md["BPERP_REFERENCE_DATE"] = date_label(entries[0].date)
    if dem_abs:
        md["DEM_PATH"] = os.path.relpath(dem_abs, out_dir).replace(os.sep, "/")
    mdel = ET.SubElement(root, "Metadata")
    for k, v in md.items():
        ET.SubElement(mdel, "MDI", key=k).text = v
    for i, (e, tname) in enumerate(srcs):
        band = ET.SubElement(root, "VRTRasterBand", dataType="CFloat32", band=str(i + 1))
        ET.SubElement(band, "Description").text = date_label(e.date)
        bm = ET.SubElement(band, "Metadata")
        for k, v in {"DATE": date_label(e.date), "BPERP_M": repr(e.bperp_m - ref_b),
                     "BTEMP_DAYS": str(days_between(entries[0].date, e.date))}.items():
            ET.SubElement(bm, "MDI", key=k).text = v
        src = ET.SubElement(band, "SimpleSource")
        rel = os.path.relpath(e.path, out_dir).replace(os.sep, "/")
        ET.SubElement(src, "SourceFilename", relativeToVRT="1").text = rel
        ET.SubElement(src, "SourceBand").text = "1"
    xml = ET.tostring(root, encoding="unicode")
    with atomic_output(output_vrt) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(xml)
        gdal.Open(tmp)  # proves GDAL reads it before the rename
    feedback.setProgress(100.0)
    return read_stack_info(output_vrt)
