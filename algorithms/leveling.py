"""InSAR versus leveling: the ``leveling`` stage (pure core, no QGIS).

A benchmark's InSAR value is the cumulative displacement between the same two
dates as the leveling, taken from the InSAR samples (PS points or raster
pixels) around the benchmark, optionally turned into vertical displacement, and
compared with the leveling value.

Method (see ``docs/validation.md``)
-----------------------------------
* **Neighbourhood.**  Distances are Euclidean in metres in one metric frame:
  the InSAR CRS when it is projected in metres, else the benchmarks' CRS when
  it is, else the UTM zone of the benchmarks' centroid (pyproj).  A sample
  belongs to a benchmark when its distance is ``<= RADIUS`` (inclusive at the
  boundary, with a tolerance of 1e-9 relative for floating-point rounding).
  Raster samples are pixel centres.  NaN samples are ignored.
* **Aggregation.**  ``mean`` / ``median`` of the samples in the neighbourhood,
  ``nearest`` (the closest sample within ``RADIUS``; ties: the first one),
  ``bilinear`` (rasters only: bilinear interpolation of the four pixel centres
  around the benchmark, weights renormalised over valid pixels; ``RADIUS`` is
  not used).  The number of samples used is reported (``N_SAMPLES``); an empty
  neighbourhood gives ``N_SAMPLES = 0`` and no InSAR value, it is listed in the
  report and never silently dropped.
* **Dates.**  The InSAR cumulative value between dates ``t0`` and ``t1`` is
  ``s(t1) - s(t0)`` per sample, where ``s(t)`` is the time series interpolated
  linearly in time between the two acquisitions around ``t`` (exact at an
  acquisition).  A velocity (mm/yr) gives ``v * (t1 - t0) / 365.25 d``.  Dates
  outside the InSAR period are refused (no extrapolation).
* **Vertical.**  ``d_vert = d_los / cos(incidence)`` (DESIGN §2); skipped for a
  raster whose ``COMPONENT`` metadata is already ``vertical`` (sbas/simulator).
* **Statistics** on ``diff = insar - leveling``: ``RMSE = sqrt(mean(diff²))``,
  ``MAE = mean(|diff|)``, ``BIAS = mean(diff)``, ``R2 = 1 - Σ(ins - lev)² /
  Σ(lev - mean(lev))²`` (coefficient of determination of the 1:1 line) and
  ``PEARSON_R2`` (squared Pearson correlation, the R² of the best-fit line).
* **Outliers** (robust): ``|diff - median(diff)| > 3 · 1.4826 · MAD`` with
  ``MAD = median(|diff - median(diff)|)``; median and MAD are computed over the
  benchmarks with an InSAR value that are not excluded (threshold at least
  0.001 mm, so a MAD of 0 does not flag rounding noise).  "Clean" statistics
  leave out excluded and outlier benchmarks.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import functools
import html
import io
import math
import os
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .progress import check_cancel, ensure, info, warn
from .stackio import DAYS_PER_YEAR, S1_INCIDENCE_DEG, StackInfo, atomic_output, date_label, read_block, read_stack_info
from . import tsfields as _tsfields
from .validate import check_positive, check_range, parse_date

AGGREGATIONS = ("mean", "median", "nearest", "bilinear")
MAD_SCALE = 1.4826
OUTLIER_K = 3.0
OUTLIER_FLOOR_MM = 1e-3   # smallest threshold (mm): guards MAD = 0
_REL_TOL = 1e-9

TIMESERIES_KINDS = ("timeseries", "truth_displacement", "los_displacement", "displacement", "model")
VELOCITY_KINDS = ("velocity", "truth_velocity")

_TRUE = {"1", "true", "t", "yes", "y", "x", "on", "disturbed", "exclude", "excluded"}
_FALSE = {"", "0", "false", "f", "no", "n", "off", "none", "null", "nan"}


# ============================================================== small helpers
def is_truthy(value) -> bool:
    """Exclusion flag semantics: 1/true/yes/y/t/x/on (any case) or a non-zero
    number are true; NULL, empty, 0, false/no/off are false."""
    if value is None:
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return bool(np.isfinite(value) and value != 0)
    s = str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    try:
        v = float(s)
        return bool(np.isfinite(v) and v != 0)
    except ValueError:
        return True  # any other text (e.g. "collapsed") marks a disturbed benchmark


def to_float_values(values, *, name: str, ids: Optional[Sequence] = None) -> np.ndarray:
    """Convert raw attribute values to float; NULL/empty -> NaN.

    Raises ``ValueError`` naming ``name`` and the benchmark for text that is
    not a number.
    """
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and v.strip() == "") or _is_qnull(v):
            out[i] = np.nan
            continue
        if isinstance(v, (bool, np.bool_)):
            raise ValueError(f"{name}: value {v!r} of benchmark {ids[i] if ids is not None else i} "
                             f"is a boolean, not a number (mm)")
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            who = ids[i] if ids is not None else i + 1
            raise ValueError(f"{name}: value {v!r} of benchmark {who} is not a number; the field must hold "
                             f"numeric displacements in mm") from None
    return out


def _is_qnull(v) -> bool:
    # QVariant NULL arrives as a QVariant whose isNull() is True; never import Qt here.
    fn = getattr(v, "isNull", None)
    try:
        return bool(fn()) if callable(fn) else False
    except Exception:  # noqa: BLE001
        return False


def date_fields(names: Sequence[str]) -> List[Tuple[str, _dt.date]]:
    """``DYYYYMMDD`` field names (MintPy/EGMS convention) with their dates, sorted by date."""
    return [(str(n), d) for n, d in _tsfields.date_fields(names)]


def _days(d: _dt.date, ref: _dt.date) -> float:
    return float((d - ref).days)


def interp_weights(dates: Sequence[_dt.date], t: _dt.date, *, name: str = "date") -> Tuple[int, int, float]:
    """Bracketing acquisitions ``(i0, i1, w)`` so that ``s(t) = (1-w)·s[i0] + w·s[i1]``.

    Exact (``w = 0``, ``i0 == i1``) when ``t`` is an acquisition; raises when
    ``t`` is outside ``[dates[0], dates[-1]]`` naming ``name``.
    """
    if not dates:
        raise ValueError(f"{name}: the InSAR data has no dates")
    if t < dates[0] or t > dates[-1]:
        raise ValueError(f"{name}: {date_label(t)} is outside the InSAR period {date_label(dates[0])}–"
                         f"{date_label(dates[-1])}; the InSAR time series is not extrapolated")
    for i, d in enumerate(dates):
        if d == t:
            return i, i, 0.0
        if d > t:
            d0 = dates[i - 1]
            w = _days(t, d0) / _days(d, d0)
            return i - 1, i, w
    return len(dates) - 1, len(dates) - 1, 0.0  # pragma: no cover


def _same(text: str) -> str:
    """The identity translator (English)."""
    return text


#: A sentence fixed when the comparison is computed, kept as ``(key, args)`` so
#: that the report can render it in the user's language (:func:`message_text`).
Message = Tuple[str, tuple]


def _message_templates(tr) -> Dict[str, str]:
    return {
        "acquisition": tr("{}: InSAR acquisition used directly"),
        "interpolated": tr("{}: InSAR time series interpolated linearly between {} and {} (weight {:.4f} on {})"),
        "velocity": tr("{}–{}: InSAR cumulative = velocity × {} d / 365.25 d"),
        "vertical": tr("LOS converted to vertical: d_vert = d_los / cos({:g}°) (× {:.5f})"),
        "already_vertical": tr("InSAR raster already vertical (COMPONENT=vertical): no conversion"),
        "points_ts": tr("{} InSAR points, time series of {} dates {}–{}"),
        "points_vel": tr("{} InSAR points, velocity (mm/yr)"),
        "raster_ts": tr("{}: time-series raster {} x {}, {} dates {}–{}"),
        "raster_vel": tr("{}: velocity raster {} x {} (mm/yr)"),
    }


def message_text(msg: Message, tr=_same) -> str:
    """``msg`` as a sentence, translated by ``tr`` (default English)."""
    key, args = msg
    return _message_templates(tr)[key].format(*args)


def interpolation_message(dates: Sequence[_dt.date], t: _dt.date) -> Message:
    """:data:`Message` saying how the InSAR value at ``t`` is obtained."""
    i0, i1, w = interp_weights(dates, t)
    if i0 == i1:
        return ("acquisition", (date_label(t),))
    return ("interpolated", (date_label(t), date_label(dates[i0]), date_label(dates[i1]), w, date_label(dates[i1])))


def interpolation_statement(dates: Sequence[_dt.date], t: _dt.date) -> str:
    """Human sentence saying how the InSAR value at ``t`` is obtained."""
    return message_text(interpolation_message(dates, t))


def cumulative_between(series: np.ndarray, dates: Sequence[_dt.date], t0: _dt.date, t1: _dt.date) -> np.ndarray:
    """``s(t1) - s(t0)`` per row of ``series`` (n, n_dates), linear interpolation in time."""
    s = np.asarray(series, dtype=np.float64)
    a0, b0, w0 = interp_weights(dates, t0, name="START_DATE")
    a1, b1, w1 = interp_weights(dates, t1, name="END_DATE")
    v1 = (1.0 - w1) * s[..., a1] + w1 * s[..., b1]
    v0 = (1.0 - w0) * s[..., a0] + w0 * s[..., b0]
    return v1 - v0


def vertical_factor(vertical: bool, incidence_deg: Optional[float]) -> float:
    """``1/cos(incidence)`` when converting LOS to vertical, else 1."""
    if not vertical:
        return 1.0
    inc = check_range("INCIDENCE", incidence_deg, 0.0, 89.0)
    return 1.0 / math.cos(math.radians(inc))


def source_vertical_factor(src, vertical: bool, incidence_deg: Optional[float] = None, *,
                           feedback=None) -> Tuple[float, Optional[float], bool]:
    """LOS-to-vertical factor for an InSAR source: ``(factor, incidence used, already_vertical)``.

    A source that is already vertical (``COMPONENT=vertical``) is never
    converted twice.  The incidence is ``incidence_deg``, else the source's
    metadata, else the Sentinel-1 default (with a warning); the incidence used
    is ``None`` when nothing is converted.
    """
    already = bool(vertical) and getattr(src, "component", "los") == "vertical"
    if already:
        info(feedback, f"{src.name}: the values are already vertical (COMPONENT=vertical); "
                       f"no LOS-to-vertical conversion")
        return 1.0, None, True
    if not vertical:
        return 1.0, None, False
    if incidence_deg is not None:
        inc = check_range("INCIDENCE", incidence_deg, 0.0, 89.0)
    elif src.incidence_deg is not None:
        inc = float(src.incidence_deg)
    else:
        inc = S1_INCIDENCE_DEG
        warn(feedback, f"INCIDENCE: no incidence angle given or in the InSAR metadata; using {inc}° "
                       f"(Sentinel-1 default) for the vertical conversion")
    return vertical_factor(True, inc), inc, False


# =========================================================== statistics
def comparison_stats(leveling, insar) -> Dict[str, float]:
    """Agreement statistics of ``insar`` against ``leveling`` (mm).

    Returns ``N``, ``RMSE``, ``MAE``, ``BIAS`` (mean of insar - leveling),
    ``R2`` (1 - Σ(ins-lev)² / Σ(lev-mean lev)², coefficient of determination of
    the 1:1 relation; can be negative) and ``PEARSON_R2`` (squared Pearson
    correlation).  Pairs with a NaN are ignored.  Undefined values are NaN.
    """
    lev = np.asarray(leveling, dtype=np.float64).ravel()
    ins = np.asarray(insar, dtype=np.float64).ravel()
    ok = np.isfinite(lev) & np.isfinite(ins)
    lev, ins = lev[ok], ins[ok]
    n = int(lev.size)
    out = {"N": n, "RMSE": math.nan, "MAE": math.nan, "BIAS": math.nan, "R2": math.nan, "PEARSON_R2": math.nan}
    if n == 0:
        return out
    d = ins - lev
    out["RMSE"] = float(math.sqrt(np.mean(d * d)))
    out["MAE"] = float(np.mean(np.abs(d)))
    out["BIAS"] = float(np.mean(d))
    sst = float(np.sum((lev - lev.mean()) ** 2))
    if n >= 2 and sst > 0:
        out["R2"] = float(1.0 - np.sum(d * d) / sst)
    if n >= 2:
        sl = lev - lev.mean()
        si = ins - ins.mean()
        den = float(np.sqrt(np.sum(sl * sl) * np.sum(si * si)))
        if den > 0:
            r = float(np.sum(sl * si)) / den
            out["PEARSON_R2"] = r * r
    return out


def mad_outliers(diff, *, k: float = OUTLIER_K, use=None) -> Tuple[np.ndarray, float, float, float]:
    """Robust outlier flags ``|diff - median| > k · 1.4826 · MAD``.

    ``use`` (bool mask) selects the values that define the median and MAD
    (default: all finite).  NaN differences are never flagged.  The threshold
    is at least ``OUTLIER_FLOOR_MM`` (0.001 mm) so that a MAD of exactly 0
    does not flag floating-point rounding.  Returns
    ``(flags, median, mad, threshold)``.
    """
    d = np.asarray(diff, dtype=np.float64)
    base = np.isfinite(d) if use is None else (np.asarray(use, bool) & np.isfinite(d))
    flags = np.zeros(d.shape, dtype=bool)
    if not base.any():
        return flags, math.nan, math.nan, math.nan
    med = float(np.median(d[base]))
    mad = float(np.median(np.abs(d[base] - med)))
    # floor: a MAD of exactly 0 (identical differences, synthetic data) must not flag float rounding noise
    thr = max(k * MAD_SCALE * mad, OUTLIER_FLOOR_MM)
    fin = np.isfinite(d)
    flags[fin] = np.abs(d[fin] - med) > thr
    return flags, med, mad, thr


# ============================================================ metric frame
def _crs(wkt):
    from pyproj import CRS
    if wkt is None or str(wkt).strip() == "":
        return None
    if isinstance(wkt, int):
        return CRS.from_epsg(wkt)
    try:
        return CRS.from_user_input(wkt)
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"CRS: cannot understand the coordinate reference system: {exc}") from None


def _is_metric(crs) -> bool:
    if crs is None or not crs.is_projected:
        return False
    try:
        return all(abs(a.unit_conversion_factor - 1.0) < 1e-12 for a in crs.axis_info[:2])
    except Exception:  # noqa: BLE001
        return False


class MetricFrame:
    """One metric (metre) frame in which every distance is measured.

    Chosen among the given CRSs (the first projected one in metres), else the
    UTM zone of ``lonlat_hint`` points.  CRSs given as ``""`` mean "already in
    the frame" (plain metric x/y, e.g. synthetic tests).
    """

    def __init__(self, crs_list: Sequence, *, hint_xy=None, hint_crs=None):
        crss = [_crs(c) for c in crs_list]
        self.crs = None
        for c in crss:
            if _is_metric(c):
                self.crs = c
                break
        if self.crs is None and any(c is not None for c in crss):
            from pyproj import CRS, Transformer
            src = _crs(hint_crs) if hint_crs is not None else next(c for c in crss if c is not None)
            hx, hy = hint_xy if hint_xy is not None else (0.0, 0.0)
            if src is not None and not src.is_geographic:
                t = Transformer.from_crs(src, CRS.from_epsg(4326), always_xy=True)
                lon, lat = t.transform(float(hx), float(hy))
            else:
                lon, lat = float(hx), float(hy)
            if not (np.isfinite(lon) and np.isfinite(lat)):
                lon, lat = 0.0, 0.0
            zone = int((lon + 180.0) // 6.0) % 60 + 1
            self.crs = CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
        self._cache = {}

    @property
    def wkt(self) -> str:
        return self.crs.to_wkt() if self.crs is not None else ""

    def _transformer(self, wkt, inverse=False):
        from pyproj import Transformer
        key = (str(wkt), inverse)
        if key not in self._cache:
            src = _crs(wkt)
            if src is None or self.crs is None or src == self.crs:
                self._cache[key] = None
            else:
                a, b = (self.crs, src) if inverse else (src, self.crs)
                self._cache[key] = Transformer.from_crs(a, b, always_xy=True)
        return self._cache[key]

    def to_metric(self, x, y, wkt) -> Tuple[np.ndarray, np.ndarray]:
        """Coordinates in ``wkt`` -> metres in the frame."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        t = self._transformer(wkt)
        if t is None:
            return x.copy(), y.copy()
        mx, my = t.transform(x, y)
        return np.asarray(mx, dtype=np.float64), np.asarray(my, dtype=np.float64)

    def from_metric(self, mx, my, wkt) -> Tuple[np.ndarray, np.ndarray]:
        """Metres in the frame -> coordinates in ``wkt``."""
        mx = np.asarray(mx, dtype=np.float64)
        my = np.asarray(my, dtype=np.float64)
        t = self._transformer(wkt, inverse=True)
        if t is None:
            return mx.copy(), my.copy()
        x, y = t.transform(mx, my)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


# ============================================================= InSAR sources
@dataclasses.dataclass
class PointSource:
    """InSAR point samples (PS): coordinates in ``crs_wkt`` and either a time
    series ``series`` (n, n_dates) in mm on ``dates`` or a velocity (n,) mm/yr."""

    x: np.ndarray
    y: np.ndarray
    crs_wkt: str = ""
    dates: List[_dt.date] = dataclasses.field(default_factory=list)
    series: Optional[np.ndarray] = None
    velocity: Optional[np.ndarray] = None
    incidence_deg: Optional[float] = None
    name: str = "INSAR"
    component: str = "los"       # "vertical" when the layer says so (psinsar's COMPONENT field)

    @property
    def is_timeseries(self) -> bool:
        return self.series is not None and len(self.dates) > 0

    def message(self) -> Message:
        if self.is_timeseries:
            return ("points_ts", (len(self.x), len(self.dates), date_label(self.dates[0]), date_label(self.dates[-1])))
        return ("points_vel", (len(self.x),))

    def describe(self) -> str:
        return message_text(self.message())


def point_source(x, y, *, crs_wkt: str = "", dates=None, series=None, velocity=None,
                 incidence_deg=None, name: str = "INSAR", component: str = "los") -> PointSource:
    """Validated :class:`PointSource` (time series preferred over velocity);
    ``component`` = ``los`` or ``vertical`` (values already vertical)."""
    component = str(component or "los").strip().lower()
    if component not in ("los", "vertical"):
        raise ValueError(f"{name}: COMPONENT must be 'los' or 'vertical', got {component!r}")
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.size == 0:
        raise ValueError(f"{name}: the InSAR point layer has no points")
    if x.shape != y.shape:
        raise ValueError(f"{name}: x and y have different lengths")
    ds = []
    if series is not None and dates is not None and len(dates) > 0:
        ds = [d if isinstance(d, _dt.date) else parse_date(d, name=f"{name} dates") for d in dates]
        order = np.argsort(np.array([d.toordinal() for d in ds]))
        ds = [ds[i] for i in order]
        s = np.asarray(series, dtype=np.float64)
        if s.ndim != 2 or s.shape != (x.size, len(ds)):
            raise ValueError(f"{name}: series must have shape ({x.size}, {len(ds)}), got {s.shape}")
        s = s[:, order]
        if len(set(ds)) != len(ds):
            raise ValueError(f"{name}: duplicate dates in the time-series fields")
        return PointSource(x, y, crs_wkt or "", ds, s, None, incidence_deg, name, component)
    if velocity is not None:
        v = np.asarray(velocity, dtype=np.float64).ravel()
        if v.shape != x.shape:
            raise ValueError(f"{name}: velocity must have {x.size} values, got {v.size}")
        return PointSource(x, y, crs_wkt or "", [], None, v, incidence_deg, name, component)
    raise ValueError(f"{name}: the InSAR point layer has neither DYYYYMMDD time-series fields nor a VEL field")


@dataclasses.dataclass
class RasterSource:
    """A time-series (one band per date, mm) or velocity (mm/yr) raster."""

    path: str
    info: StackInfo
    mode: str                    # "timeseries" or "velocity"
    scale: float = 1.0           # to mm (or mm/yr)
    name: str = "INSAR"

    @property
    def dates(self) -> List[_dt.date]:
        return list(self.info.dates) if self.mode == "timeseries" else []

    @property
    def is_timeseries(self) -> bool:
        return self.mode == "timeseries"

    @property
    def crs_wkt(self) -> str:
        return self.info.crs_wkt

    @property
    def incidence_deg(self) -> Optional[float]:
        if "INCIDENCE_DEG" in self.info.metadata:
            return self.info.geometry.incidence_deg
        return None

    @property
    def component(self) -> str:
        """``vertical`` or ``los`` (``COMPONENT`` metadata; LOS when absent)."""
        return str(self.info.metadata.get("COMPONENT", "LOS")).strip().lower() or "los"

    def message(self) -> Message:
        i = self.info
        if self.is_timeseries:
            return ("raster_ts", (os.path.basename(self.path), i.width, i.height, i.count, date_label(i.dates[0]),
                                  date_label(i.dates[-1])))
        return ("raster_vel", (os.path.basename(self.path), i.width, i.height))

    def describe(self) -> str:
        return message_text(self.message())


def raster_source(path: str, *, name: str = "INSAR") -> RasterSource:
    """Open a time-series or velocity raster (read with :func:`stackio.read_stack_info`)."""
    info = read_stack_info(path, name=name)
    if info.geotransform is None or tuple(info.geotransform) == (0.0, 1.0, 0.0, 0.0, 0.0, 1.0):
        raise ValueError(f"{name}: {path} is not georeferenced (no geotransform); geocode it first")
    kind = info.kind.lower()
    units = (info.units or "").strip().lower()
    scale = 1.0
    if units in ("m", "m/yr", "m/year", "meter", "metre", "meters", "metres"):
        scale = 1000.0
    if info.is_pair_stack:
        raise ValueError(f"{name}: {path} is a stack of pairs (MINESAR_KIND={info.kind}); give a time-series "
                         f"(one band per date) or velocity raster")
    if info.dates and len(info.dates) == info.count and kind not in VELOCITY_KINDS:
        if list(info.dates) != sorted(info.dates) or len(set(info.dates)) != len(info.dates):
            raise ValueError(f"{name}: the band dates of {path} are not increasing and unique")
        return RasterSource(str(path), info, "timeseries", scale, name)
    if info.count == 1 and (kind in VELOCITY_KINDS or kind == ""):
        return RasterSource(str(path), info, "velocity", scale, name)
    raise ValueError(f"{name}: {path} (MINESAR_KIND={info.kind or 'none'}, {info.count} bands) is neither a "
                     f"time-series raster (one band per date with DATE metadata) nor a one-band velocity raster")


InsarSource = Union[PointSource, RasterSource]


def _affine_pixel(gt, col, row):
    return gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]


def _inverse_pixel(gt, x, y):
    det = gt[1] * gt[5] - gt[2] * gt[4]
    dx, dy = np.asarray(x) - gt[0], np.asarray(y) - gt[3]
    col = (gt[5] * dx - gt[2] * dy) / det
    row = (-gt[4] * dx + gt[1] * dy) / det
    return col, row


class _RasterReader:
    """Windows of a raster around metric points, for neighbourhood sampling."""

    def __init__(self, src: RasterSource, frame: MetricFrame, bands: Sequence[int]):
        self.src = src
        self.frame = frame
        self.gt = src.info.geotransform
        self.bands = sorted(set(int(b) for b in bands))
        self.band_pos = {b: i for i, b in enumerate(self.bands)}

    def window_around(self, mx: float, my: float, radius: float):
        """Pixel window (col0, ncols, row0, nrows) that covers a disc, or None."""
        r = radius * 1.05 + 1e-6
        px = np.array([mx - r, mx + r, mx - r, mx + r, mx, mx, mx - r, mx + r])
        py = np.array([my - r, my - r, my + r, my + r, my - r, my + r, my, my])
        x, y = self.frame.from_metric(px, py, self.src.crs_wkt)
        col, row = _inverse_pixel(self.gt, x, y)
        if not (np.all(np.isfinite(col)) and np.all(np.isfinite(row))):
            return None
        c0 = max(int(math.floor(col.min() - 0.5)) - 1, 0)
        c1 = min(int(math.ceil(col.max() - 0.5)) + 2, self.src.info.width)
        r0 = max(int(math.floor(row.min() - 0.5)) - 1, 0)
        r1 = min(int(math.ceil(row.max() - 0.5)) + 2, self.src.info.height)
        if c1 <= c0 or r1 <= r0:
            return None
        return c0, c1 - c0, r0, r1 - r0

    def read(self, c0, nc, r0, nr) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Values (n_bands, npix) and metric pixel-centre coordinates of a window."""
        data = read_block(self.src.path, r0, nr, col0=c0, ncols=nc, bands=self.bands, dtype=np.float64)
        cc, rr = np.meshgrid(np.arange(c0, c0 + nc) + 0.5, np.arange(r0, r0 + nr) + 0.5)
        x, y = _affine_pixel(self.gt, cc.ravel(), rr.ravel())
        mx, my = self.frame.to_metric(x, y, self.src.crs_wkt)
        return data.reshape(len(self.bands), -1) * self.src.scale, mx, my

    def bilinear(self, mx: float, my: float):
        """Bilinear weights/values at one metric point: (values (n_bands, k), weights (k,)) or None."""
        x, y = self.frame.from_metric(np.array([mx]), np.array([my]), self.src.crs_wkt)
        col, row = _inverse_pixel(self.gt, x[0], y[0])
        c, r = float(col) - 0.5, float(row) - 0.5
        w, h = self.src.info.width, self.src.info.height
        if not (np.isfinite(c) and np.isfinite(r)) or c < -0.5 or r < -0.5 or c > w - 0.5 or r > h - 0.5:
            return None
        c0, r0 = int(math.floor(c)), int(math.floor(r))
        fc, fr = c - c0, r - r0
        cand = [(r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc),
                (r0 + 1, c0, fr * (1 - fc)), (r0 + 1, c0 + 1, fr * fc)]
        cand = [(rr, cc, ww) for rr, cc, ww in cand if 0 <= rr < h and 0 <= cc < w and ww > 0]
        if not cand:
            return None
        rmin = min(t[0] for t in cand); rmax = max(t[0] for t in cand)
        cmin = min(t[1] for t in cand); cmax = max(t[1] for t in cand)
        data = read_block(self.src.path, rmin, rmax - rmin + 1, col0=cmin, ncols=cmax - cmin + 1,
                          bands=self.bands, dtype=np.float64) * self.src.scale
        vals = np.stack([data[:, rr - rmin, cc - cmin] for rr, cc, _ in cand], axis=1)
        wts = np.array([ww for _, _, ww in cand])
        return vals, wts


# ============================================================ comparison
@dataclasses.dataclass
class Record:
    """One comparison: a benchmark between ``date0`` and ``date1``."""

    index: int
    id: object
    x: float
    y: float
    date0: Optional[_dt.date]
    date1: Optional[_dt.date]
    leveling: float
    insar: float = math.nan
    n_samples: int = 0
    excluded: bool = False
    outlier: bool = False

    @property
    def diff(self) -> float:
        return self.insar - self.leveling

    @property
    def valid(self) -> bool:
        return bool(np.isfinite(self.insar) and np.isfinite(self.leveling))


@dataclasses.dataclass
class LevelingResult:
    """Everything :func:`compare_leveling` found (records, statistics, report text)."""

    records: List[Record]
    stats_all: Dict[str, float]
    stats_clean: Dict[str, float]
    median_diff: float
    mad: float
    outlier_threshold: float
    mode: str                      # "single" or "timeseries"
    aggregation: str
    radius_m: float
    vertical: bool
    incidence_deg: Optional[float]
    insar_description: str
    date_statements: List[str]
    empty: List[Record]
    missing_leveling: List[Record]
    frame_wkt: str = ""
    notes: List[str] = dataclasses.field(default_factory=list)
    date_messages: List[Message] = dataclasses.field(default_factory=list)   # date_statements as messages
    insar_message: Optional[Message] = None                                  # insar_description as a message

    def statements(self, tr=_same) -> List[str]:
        """:attr:`date_statements` translated by ``tr``."""
        if len(self.date_messages) != len(self.date_statements):
            return list(self.date_statements)
        return [message_text(m, tr) for m in self.date_messages]

    def insar_text(self, tr=_same) -> str:
        """:attr:`insar_description` translated by ``tr``."""
        return self.insar_description if self.insar_message is None else message_text(self.insar_message, tr)

    def outputs(self) -> Dict[str, float]:
        """The Processing output numbers (RMSE, ..., RMSE_CLEAN, ...)."""
        out = {}
        for k, v in self.stats_all.items():
            out[k] = v
        for k, v in self.stats_clean.items():
            out[k + "_CLEAN"] = v
        out["N_EMPTY"] = len(self.empty)
        out["N_OUTLIERS"] = int(sum(1 for r in self.records if r.outlier))
        out["N_EXCLUDED"] = int(sum(1 for r in self.records if r.excluded))
        return out


def _aggregate(values: np.ndarray, dist: np.ndarray, how: str) -> Tuple[float, int]:
    ok = np.isfinite(values)
    n = int(ok.sum())
    if n == 0:
        return math.nan, 0
    v, d = values[ok], dist[ok]
    if how == "mean":
        return float(np.mean(v)), n
    if how == "median":
        return float(np.median(v)), n
    if how == "nearest":
        return float(v[int(np.argmin(d))]), 1
    raise ValueError(f"AGGREGATION: {how!r} is not one of {', '.join(AGGREGATIONS)}")


def _within(dist: np.ndarray, radius: float) -> np.ndarray:
    return dist <= radius * (1.0 + _REL_TOL) + _REL_TOL


def compare_leveling(ids, x, y, *, leveling, insar: InsarSource, bench_crs: str = "",
                     start_date=None, end_date=None, leveling_dates=None,
                     aggregation: str = "mean", radius: float = 50.0, vertical: bool = True,
                     incidence_deg: Optional[float] = None, exclude=None, feedback=None) -> LevelingResult:
    """Compare InSAR with leveling at benchmarks.

    Parameters
    ----------
    ids : sequence
        Benchmark identifiers (``ID_FIELD``), length n.
    x, y : array_like (n,)
        Benchmark coordinates in ``bench_crs`` (WKT/EPSG; ``""`` = same
        metric frame as the InSAR data).
    leveling : array_like
        Either (n,) measured cumulative displacement in mm between
        ``start_date`` and ``end_date`` (``VALUE_FIELD``), or (n, k) values in
        mm on ``leveling_dates`` (``DYYYYMMDD`` fields: each epoch after the
        first is compared, relative to the first epoch).  Raw values are
        converted with :func:`to_float_values` (text -> clear error).
    insar : PointSource or RasterSource
        The InSAR data (time series in mm or velocity in mm/yr, LOS).
    start_date, end_date : date or 'YYYYMMDD', optional
        Leveling period; default: the InSAR period (required for velocity).
    aggregation : {'mean', 'median', 'nearest', 'bilinear'}
    radius : float
        Neighbourhood radius, m (inclusive).
    vertical : bool
        Divide LOS by cos(incidence) (incidence: ``incidence_deg``, else the
        raster's INCIDENCE_DEG, else 39°).
    exclude : sequence, optional
        Per-benchmark flags (truthy = disturbed, left out of clean statistics).

    Returns
    -------
    LevelingResult
    """
    fb = ensure(feedback)
    how = str(aggregation).strip().lower()
    if how not in AGGREGATIONS:
        raise ValueError(f"AGGREGATION: {aggregation!r} is not one of {', '.join(AGGREGATIONS)}")
    ids = list(ids)
    bx = np.asarray(x, dtype=np.float64).ravel()
    by = np.asarray(y, dtype=np.float64).ravel()
    n = len(ids)
    if n == 0:
        raise ValueError("BENCHMARKS: the benchmark layer has no features")
    if bx.size != n or by.size != n:
        raise ValueError("BENCHMARKS: coordinates and ids have different lengths")
    if not (np.all(np.isfinite(bx)) and np.all(np.isfinite(by))):
        raise ValueError("BENCHMARKS: a benchmark has no valid point geometry")
    is_raster = isinstance(insar, RasterSource)
    if how == "bilinear" and not is_raster:
        raise ValueError("AGGREGATION: bilinear interpolation needs a raster INSAR input; use mean, median or "
                         "nearest for a point layer")
    if how != "bilinear":
        radius = check_positive("RADIUS", radius)
    excl = np.zeros(n, dtype=bool) if exclude is None else np.array([is_truthy(v) for v in exclude], dtype=bool)
    if excl.size != n:
        raise ValueError("EXCLUDE_FIELD: one flag per benchmark is needed")

    # ---- incidence
    factor, inc, already_vertical = source_vertical_factor(insar, vertical, incidence_deg, feedback=fb)
    vertical = inc is not None

    # ---- comparison epochs
    lev_raw = leveling
    lev_arr = np.asarray(lev_raw, dtype=object)
    insar_dates = list(insar.dates) if insar.is_timeseries else []
    epochs: List[Tuple[_dt.date, _dt.date, np.ndarray]] = []
    if lev_arr.ndim == 2:
        mode = "timeseries"
        if leveling_dates is None or len(leveling_dates) != lev_arr.shape[1]:
            raise ValueError("BENCHMARKS: per-date leveling values need one date per column")
        ldates = [d if isinstance(d, _dt.date) else parse_date(d, name="BENCHMARKS date field")
                  for d in leveling_dates]
        if lev_arr.shape[1] < 2:
            raise ValueError("BENCHMARKS: time-series comparison needs at least two DYYYYMMDD leveling fields")
        if lev_arr.shape[0] != n:
            raise ValueError("BENCHMARKS: one row of leveling values per benchmark is needed")
        order = np.argsort([d.toordinal() for d in ldates])
        ldates = [ldates[i] for i in order]
        vals = np.stack([to_float_values(list(lev_arr[:, i]), name=f"BENCHMARKS field D{date_label(ldates[k])}",
                                         ids=ids) for k, i in enumerate(order)], axis=1)
        for d in ldates:
            if insar_dates and not (insar_dates[0] <= d <= insar_dates[-1]):
                raise ValueError(f"BENCHMARKS: leveling date D{date_label(d)} is outside the InSAR period "
                                 f"{date_label(insar_dates[0])}–{date_label(insar_dates[-1])}; remove that field "
                                 f"or use InSAR data covering it")
        for k in range(1, len(ldates)):
            epochs.append((ldates[0], ldates[k], vals[:, k] - vals[:, 0]))
    else:
        mode = "single"
        vals = to_float_values(list(lev_arr.ravel()), name="VALUE_FIELD", ids=ids)
        if vals.size != n:
            raise ValueError("VALUE_FIELD: one leveling value per benchmark is needed")
        d0 = parse_date(start_date, name="START_DATE") if start_date not in (None, "") and not isinstance(
            start_date, _dt.date) else start_date
        d1 = parse_date(end_date, name="END_DATE") if end_date not in (None, "") and not isinstance(
            end_date, _dt.date) else end_date
        d0 = d0 or None
        d1 = d1 or None
        if insar.is_timeseries:
            d0 = d0 or insar_dates[0]
            d1 = d1 or insar_dates[-1]
            if d0 < insar_dates[0] or d0 > insar_dates[-1]:
                raise ValueError(f"START_DATE: {date_label(d0)} is outside the InSAR period "
                                 f"{date_label(insar_dates[0])}–{date_label(insar_dates[-1])}")
            if d1 < insar_dates[0] or d1 > insar_dates[-1]:
                raise ValueError(f"END_DATE: {date_label(d1)} is outside the InSAR period "
                                 f"{date_label(insar_dates[0])}–{date_label(insar_dates[-1])}")
        elif d0 is None or d1 is None:
            raise ValueError(f"{'START_DATE' if d0 is None else 'END_DATE'}: a velocity InSAR input needs "
                             f"START_DATE and END_DATE (YYYYMMDD) to turn mm/yr into the leveling period")
        if d1 <= d0:
            raise ValueError(f"END_DATE: {date_label(d1)} must be after START_DATE {date_label(d0)}")
        epochs.append((d0, d1, vals))

    # ---- how InSAR values are taken at each epoch
    messages: List[Message] = []
    if insar.is_timeseries:
        seen = set()
        for d0, d1, _ in epochs:
            for d in (d0, d1):
                if d not in seen:
                    seen.add(d)
                    messages.append(interpolation_message(insar_dates, d))
    else:
        for d0, d1, _ in epochs:
            messages.append(("velocity", (date_label(d0), date_label(d1), (d1 - d0).days)))
    if vertical:
        messages.append(("vertical", (inc, factor)))
    elif already_vertical:
        messages.append(("already_vertical", ()))
    statements = [message_text(m) for m in messages]

    def sample_values(vals_2d: np.ndarray, d0, d1) -> np.ndarray:
        """(n_samples,) cumulative InSAR between d0 and d1 from per-sample data."""
        if insar.is_timeseries:
            return cumulative_between(vals_2d, insar_dates, d0, d1) * factor
        return vals_2d[:, 0] * ((d1 - d0).days / DAYS_PER_YEAR) * factor

    # ---- metric frame
    cx, cy = float(np.mean(bx)), float(np.mean(by))
    frame = MetricFrame([insar.crs_wkt, bench_crs], hint_xy=(cx, cy), hint_crs=bench_crs or insar.crs_wkt)
    mbx, mby = frame.to_metric(bx, by, bench_crs)

    records: List[Record] = []
    for k_e, (d0, d1, lv) in enumerate(epochs):
        for i in range(n):
            records.append(Record(i, ids[i], float(bx[i]), float(by[i]), d0, d1, float(lv[i]),
                                  excluded=bool(excl[i])))

    nearest_any = math.inf
    if is_raster:
        if insar.is_timeseries:
            need = set()
            for d0, d1, _ in epochs:
                for d in (d0, d1):
                    a, b, _w = interp_weights(insar_dates, d)
                    need.update((a, b))
        else:
            need = {0}
        reader = _RasterReader(insar, frame, sorted(need))
        sub_dates = [insar_dates[b] for b in reader.bands] if insar.is_timeseries else []
        for i in range(n):
            check_cancel(fb)
            if how == "bilinear":
                got = reader.bilinear(mbx[i], mby[i])
                per = None
                if got is not None:
                    vals_b, wts = got
                    per = (vals_b, wts)
            else:
                win = reader.window_around(mbx[i], mby[i], radius)
                per = None
                if win is not None:
                    data, px, py = reader.read(*win)
                    dist = np.hypot(px - mbx[i], py - mby[i])
                    if dist.size:
                        nearest_any = min(nearest_any, float(dist.min()))
                    sel = _within(dist, radius)
                    per = (data[:, sel], dist[sel])
            for k_e, (d0, d1, _lv) in enumerate(epochs):
                rec = records[k_e * n + i]
                if per is None:
                    continue
                if how == "bilinear":
                    vals_b, wts = per
                    sv = (cumulative_between(vals_b.T, sub_dates, d0, d1) if insar.is_timeseries
                          else vals_b[0] * ((d1 - d0).days / DAYS_PER_YEAR)) * factor
                    ok = np.isfinite(sv)
                    if ok.any():
                        rec.insar = float(np.sum(sv[ok] * wts[ok]) / np.sum(wts[ok]))
                        rec.n_samples = int(ok.sum())
                else:
                    data_s, dist_s = per
                    if data_s.shape[1] == 0:
                        continue
                    sv = (cumulative_between(data_s.T, sub_dates, d0, d1) if insar.is_timeseries
                          else data_s[0] * ((d1 - d0).days / DAYS_PER_YEAR)) * factor
                    rec.insar, rec.n_samples = _aggregate(sv, dist_s, how)
            fb.setProgress(90.0 * (i + 1) / n)
    else:
        from scipy.spatial import cKDTree
        px, py = frame.to_metric(insar.x, insar.y, insar.crs_wkt)
        okp = np.isfinite(px) & np.isfinite(py)
        tree = cKDTree(np.column_stack([px[okp], py[okp]]))
        idx_map = np.nonzero(okp)[0]
        data2d = insar.series if insar.is_timeseries else insar.velocity[:, None]
        dq, _ = tree.query(np.column_stack([mbx, mby]), k=1)
        nearest_any = float(np.min(dq)) if np.size(dq) else math.inf
        neigh = tree.query_ball_point(np.column_stack([mbx, mby]), r=radius * (1.0 + 2 * _REL_TOL) + 2 * _REL_TOL)
        for i in range(n):
            check_cancel(fb)
            cand = idx_map[np.asarray(neigh[i], dtype=np.int64)]
            cand.sort()
            dist = np.hypot(px[cand] - mbx[i], py[cand] - mby[i])
            sel = _within(dist, radius)
            cand, dist = cand[sel], dist[sel]
            for k_e, (d0, d1, _lv) in enumerate(epochs):
                rec = records[k_e * n + i]
                if cand.size == 0:
                    continue
                sv = sample_values(data2d[cand], d0, d1)
                rec.insar, rec.n_samples = _aggregate(sv, dist, how)
            fb.setProgress(90.0 * (i + 1) / n)

    if not any(np.isfinite(r.insar) for r in records):
        if how == "bilinear":
            raise ValueError("BENCHMARKS: no benchmark lies on a valid pixel of the INSAR raster; check that both "
                             "layers cover the same area (CRS) ")
        near = (f" (the closest InSAR sample is {nearest_any:.1f} m from a benchmark)"
                if np.isfinite(nearest_any) else "")
        raise ValueError(f"RADIUS: no benchmark has a valid InSAR point/pixel within {radius:g} m{near}; check "
                         f"the CRS of BENCHMARKS and INSAR or increase RADIUS")

    # ---- outliers and statistics
    diff = np.array([r.diff for r in records])
    usable = np.array([r.valid and not r.excluded for r in records])
    flags, med, mad, thr = mad_outliers(diff, use=usable)
    for r, f in zip(records, flags):
        r.outlier = bool(f)
    lev = np.array([r.leveling for r in records])
    ins = np.array([r.insar for r in records])
    valid = np.array([r.valid for r in records])
    clean = valid & ~np.array([r.excluded or r.outlier for r in records])
    stats_all = comparison_stats(lev[valid], ins[valid])
    stats_clean = comparison_stats(lev[clean], ins[clean])
    empty = [r for r in records if np.isfinite(r.leveling) and r.n_samples == 0]
    missing = [r for r in records if not np.isfinite(r.leveling)]
    for r in empty:
        warn(fb, f"Benchmark {r.id}: no InSAR sample "
                 f"{'for bilinear interpolation' if how == 'bilinear' else f'within {radius:g} m'}"
                 f" ({date_label(r.date0)}–{date_label(r.date1)}); INSAR left empty (N_SAMPLES = 0)")
    for r in missing:
        warn(fb, f"Benchmark {r.id}: no leveling value ({date_label(r.date0)}–{date_label(r.date1)}); "
                 f"left out of the statistics")
    fb.setProgress(100.0)
    return LevelingResult(records, stats_all, stats_clean, med, mad, thr, mode, how,
                          float(radius) if how != "bilinear" else math.nan, bool(vertical or already_vertical), inc,
                          insar.describe(), statements, empty, missing, frame.wkt, date_messages=messages,
                          insar_message=insar.message() if hasattr(insar, "message") else None)


# ================================================================ report
def _fmt(v, nd=2) -> str:
    if v is None:
        return "–"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return html.escape(str(v))
    if not np.isfinite(f):
        return "–"
    if float(f).is_integer() and abs(f) < 1e9 and nd == 0:
        return str(int(f))
    return f"{f:.{nd}f}"


def png_base64(fig, dpi: int = 100) -> str:
    """A matplotlib figure as a base64 PNG string (for embedding in HTML); the figure is closed."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def save_png(fig, path: str, dpi: int = 100) -> str:
    """Write a matplotlib figure to ``path`` as PNG atomically; the figure is closed even on failure."""
    import matplotlib.pyplot as plt
    try:
        with atomic_output(path) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


#: Fonts with Chinese glyphs, in order of preference (scripts/setup.sh installs the first).
CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
             "Source Han Sans CN", "Noto Sans CJK JP", "Droid Sans Fallback", "SimHei", "Microsoft YaHei",
             "PingFang SC")
_CJK_FONT_FILES = ("wqymicrohei", "wqyzenhei", "notosanscjk", "notosanssc", "sourcehansans", "droidsansfallback",
                   "simhei", "msyh")
_CJK_CHAR = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def has_cjk(*texts) -> bool:
    """True when one of ``texts`` contains Chinese, Japanese or Korean characters."""
    return any(_CJK_CHAR.search(str(t)) for t in texts if t is not None)


@functools.lru_cache(maxsize=None)
def cjk_font_name() -> Optional[str]:
    """Name of a font with Chinese glyphs that matplotlib can use, or ``None``.

    Looks in matplotlib's font list first, then registers the system's CJK font
    files (a font installed after matplotlib built its cache is not listed)."""
    try:
        from matplotlib import font_manager as fm
        for attempt in range(2):
            known = {f.name for f in fm.fontManager.ttflist}
            for name in CJK_FONTS:
                if name in known:
                    return name
            if attempt == 0:
                for path in sorted(fm.findSystemFonts()):
                    base = re.sub(r"[-_ ]", "", os.path.basename(path).lower())
                    if any(k in base for k in _CJK_FONT_FILES):
                        try:
                            fm.fontManager.addfont(path)
                        except Exception:  # noqa: BLE001 - an unreadable font file is skipped
                            continue
    except Exception:  # noqa: BLE001 - no usable font: matplotlib's default
        return None
    return None


def cjk_font_context(*texts):
    """Context manager for drawing *and saving* report figures: when ``texts``
    (the figure's labels) contain CJK characters and a CJK font exists
    (:func:`cjk_font_name`), it is put first in the sans-serif list (other
    glyphs fall back to the default fonts); otherwise matplotlib's defaults."""
    import matplotlib
    rc = {}
    if has_cjk(*texts):
        name = cjk_font_name()
        if name:
            rc = {"font.family": ["sans-serif"],
                  "font.sans-serif": [name] + [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]}
    return matplotlib.rc_context(rc)


def _figures(res: LevelingResult, tr=_same) -> Tuple[str, str]:
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    recs = [r for r in res.records if r.valid]
    lev = np.array([r.leveling for r in recs])
    ins = np.array([r.insar for r in recs])
    cls = np.array(["excluded" if r.excluded else ("outlier" if r.outlier else "clean") for r in recs])
    legend = {"clean": tr("clean ({})"), "outlier": tr("outlier ({})"), "excluded": tr("excluded ({})")}
    text = {"lev_axis": tr("Leveling (mm)"),
            "ins_axis": tr("InSAR vertical (mm)") if res.vertical else tr("InSAR LOS (mm)"),
            "scatter_title": tr("InSAR vs leveling (1:1)"),
            "lev": tr("Leveling"),
            "disp_axis": tr("Displacement (mm)"),
            "bars_title": tr("Per benchmark (O = outlier, E = excluded, ∅ = no InSAR sample)")}
    allr = [r for r in res.records if np.isfinite(r.leveling)]
    labels = [str(r.id) if res.mode == "single" else f"{r.id} {date_label(r.date1)}" for r in allr]
    with cjk_font_context(*legend.values(), *text.values(), *labels):
        fig, ax = plt.subplots(figsize=(5.5, 5.0))
        colors = {"clean": "tab:blue", "outlier": "tab:red", "excluded": "tab:gray"}
        for c in ("clean", "outlier", "excluded"):
            m = cls == c
            if m.any():
                ax.scatter(lev[m], ins[m], s=22, color=colors[c], label=legend[c].format(int(m.sum())),
                           marker="o" if c == "clean" else "x")
        if lev.size:
            lo = float(min(lev.min(), ins.min())); hi = float(max(lev.max(), ins.max()))
            pad = 0.05 * (hi - lo if hi > lo else 1.0)
            ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "k--", lw=1, label="1:1")
            ax.set_xlim(lo - pad, hi + pad); ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlabel(text["lev_axis"])
        ax.set_ylabel(text["ins_axis"])
        ax.set_title(text["scatter_title"])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        ax.set_aspect("equal", adjustable="box")
        scatter = png_base64(fig)

        width = max(6.0, min(0.28 * len(allr) + 2.0, 40.0))
        fig, ax = plt.subplots(figsize=(width, 4.0))
        xs = np.arange(len(allr))
        ax.bar(xs - 0.2, [r.leveling for r in allr], 0.4, label=text["lev"], color="tab:green")
        ax.bar(xs + 0.2, [r.insar if np.isfinite(r.insar) else 0.0 for r in allr], 0.4, label="InSAR",
               color="tab:blue")
        for k, r in enumerate(allr):
            if r.outlier or r.excluded:
                ax.annotate("O" if r.outlier else "E", (k, 0), ha="center", va="bottom", color="tab:red", fontsize=8)
            if not np.isfinite(r.insar):
                ax.annotate("∅", (k + 0.2, 0), ha="center", va="bottom", color="k", fontsize=9)
        ax.set_xticks(xs)
        ax.set_xticklabels(labels, rotation=90, fontsize=7)
        ax.set_ylabel(text["disp_axis"])
        ax.set_title(text["bars_title"])
        ax.axhline(0, color="k", lw=0.5)
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        bars = png_base64(fig)
    return scatter, bars


def report_html(res: LevelingResult, *, title: Optional[str] = None, tr=_same) -> str:
    """The HTML report (plots embedded as PNG) of a :class:`LevelingResult`.

    ``tr`` translates the English text (the Processing algorithm passes its
    ``tr``, so the report follows the QGIS language); default English."""
    scatter, bars = _figures(res, tr)
    e = html.escape
    sa, sc = res.stats_all, res.stats_clean
    title = tr("MineSAR — InSAR vs leveling") if title is None else title

    def row(k, label, nd=2):
        return f"<tr><td>{e(label)}</td><td>{_fmt(sa[k], nd)}</td><td>{_fmt(sc[k], nd)}</td></tr>"

    aggs = {"mean": tr("mean of the InSAR samples within {:g} m (distance ≤ RADIUS, inclusive)"),
            "median": tr("median of the InSAR samples within {:g} m (distance ≤ RADIUS, inclusive)"),
            "nearest": tr("nearest of the InSAR samples within {:g} m (distance ≤ RADIUS, inclusive)")}
    agg = (aggs[res.aggregation].format(res.radius_m) if res.aggregation in aggs
           else tr("bilinear interpolation of the four surrounding pixels"))
    comparison = (tr("Comparison: one measured cumulative value per benchmark.") if res.mode == "single" else
                  tr("Comparison: per-date leveling fields DYYYYMMDD, each epoch relative to the first leveling "
                     "date."))
    displacement = (tr("Displacement: vertical (LOS / cos incidence); negative = subsidence; "
                       "DIFF = INSAR − LEVELING (mm).") if res.vertical else
                    tr("Displacement: line of sight (no conversion); negative = subsidence; "
                       "DIFF = INSAR − LEVELING (mm)."))
    outlier_rule = tr("Outlier flag: |DIFF − median| > 3 × 1.4826 × MAD; median = {} mm, MAD = {} mm, "
                      "threshold = {} mm (median and MAD over the benchmarks with an InSAR value that are not "
                      "excluded).").format(_fmt(res.median_diff), _fmt(res.mad), _fmt(res.outlier_threshold))
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{e(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:1em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}th{background:#eee}"
        ".l{text-align:left}.o{color:#c00}.x{color:#777}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<h2>{e(tr('Method'))}</h2><ul>",
        f"<li>{e(tr('InSAR data: {}').format(res.insar_text(tr)))}</li>",
        f"<li>{e(tr('InSAR value at a benchmark: {}; distances in metres.').format(agg))}</li>",
        f"<li>{e(comparison)}</li>",
        f"<li>{e(displacement)}</li>",
        f"<li>{e(outlier_rule)}</li>",
        f"</ul><h3>{e(tr('Dates and interpolation'))}</h3><ul>",
    ]
    parts += [f"<li>{e(s)}</li>" for s in res.statements(tr)]
    n_out = sum(r.outlier for r in res.records)
    n_exc = sum(r.excluded for r in res.records)
    parts += [
        "</ul>",
        f"<h2>{e(tr('Statistics (mm)'))}</h2>",
        f"<table><tr><th class='l'>{e(tr('statistic'))}</th><th>{e(tr('all benchmarks'))}</th>"
        f"<th>{e(tr('without excluded / outlier benchmarks'))}</th></tr>",
        row("N", tr("N (benchmark comparisons with an InSAR value)"), 0),
        row("RMSE", tr("RMSE = √mean(DIFF²)")),
        row("MAE", tr("MAE = mean |DIFF|")),
        row("BIAS", tr("BIAS = mean DIFF")),
        row("R2", tr("R² (coefficient of determination of the 1:1 line) = 1 − Σ(ins−lev)² / Σ(lev−mean lev)²"), 3),
        row("PEARSON_R2", tr("Pearson r² (squared correlation coefficient)"), 3),
        "</table>",
        "<p>" + e(tr("{} benchmark comparison(s) without InSAR sample (N_SAMPLES = 0), {} outlier(s), "
                     "{} excluded.").format(len(res.empty), n_out, n_exc)) + "</p>",
    ]
    if res.empty:
        parts.append(f"<h3>{e(tr('Empty neighbourhoods (no InSAR value)'))}</h3><ul>")
        parts += [f"<li>{e(str(r.id))} ({date_label(r.date0)}–{date_label(r.date1)})</li>" for r in res.empty]
        parts.append("</ul>")
    if res.missing_leveling:
        parts.append(f"<h3>{e(tr('Benchmarks without a leveling value'))}</h3><ul>")
        parts += [f"<li>{e(str(r.id))}</li>" for r in res.missing_leveling]
        parts.append("</ul>")
    parts += [
        f"<h2>{e(tr('Plots'))}</h2>",
        f"<img alt='{e(tr('1:1 scatter'))}' src='data:image/png;base64,{scatter}'/>",
        f"<img alt='{e(tr('per-benchmark bars'))}' src='data:image/png;base64,{bars}' style='max-width:100%'/>",
        f"<h2>{e(tr('Benchmarks'))}</h2><table><tr><th class='l'>ID</th><th>{e(tr('from'))}</th>"
        f"<th>{e(tr('to'))}</th><th>LEVELING</th><th>INSAR</th><th>N_SAMPLES</th><th>DIFF</th>"
        f"<th>{e(tr('flag'))}</th></tr>",
    ]
    flag_words = {"outlier": tr("outlier"), "excluded": tr("excluded"), "empty": tr("empty")}
    for r in res.records:
        flags = [w for w, on in (("outlier", r.outlier), ("excluded", r.excluded),
                                 ("empty", r.n_samples == 0 and np.isfinite(r.leveling))) if on]
        flag = " ".join(flag_words[w] for w in flags)
        cls = " class='o'" if r.outlier else (" class='x'" if r.excluded else "")
        parts.append(f"<tr{cls}><td class='l'>{e(str(r.id))}</td><td>{date_label(r.date0)}</td>"
                     f"<td>{date_label(r.date1)}</td><td>{_fmt(r.leveling)}</td><td>{_fmt(r.insar)}</td>"
                     f"<td>{r.n_samples}</td><td>{_fmt(r.diff)}</td><td class='l'>{e(flag)}</td></tr>")
    parts += ["</table>",
              "<p>" + e(tr("Reference: study B (Huaibei industrial square): mean of all PS within 50 m of each of 35 "
                           "benchmarks; RMSE 16.0 mm for all, 3.8 mm and R² 0.91 after removing 5 disturbed "
                           "benchmarks.")) + "</p>",
              "</body></html>"]
    return "\n".join(parts)


def write_report(res: LevelingResult, path: str, *, tr=_same, **kw) -> str:
    """Write :func:`report_html` atomically to ``path`` (``tr``: translator, default English)."""
    text = report_html(res, tr=tr, **kw)
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    return path


# ============================================================ simulated inputs
def simulated_validation_inputs(truth_raster: str, out_dir: str, *, n: int = 35, n_disturbed: int = 5,
                                noise_mm: float = 2.0, seed: int = 0, ps_mask: Optional[str] = None,
                                min_ps: int = 3, radius: float = 50.0) -> Dict[str, object]:
    """Write study-B-like validation inputs from a simulated truth time series.

    For demos and tests: ``benchmarks.gpkg`` (``NAME``, ``SUBS`` = true vertical
    cumulative displacement first→last date, mm, = LOS / cos(incidence) at the
    benchmark pixel, + N(0, ``noise_mm``); ``n_disturbed`` of them moved by
    ±25–50 mm, ``TRUE_OFFSET_MM`` holds that offset), ``profile_line.gpkg`` (a
    line through the two deepest bowls, or through the deepest one west–east)
    and two tilt points 31.46 m apart on the line where their differential
    displacement is largest.  With
    ``ps_mask`` (1 = PS), benchmarks are placed where at least ``min_ps`` PS lie
    within ``radius`` m.  About 4/7 of the benchmarks are in the bowls
    (vertical < -10 mm).  Returns a dict with the paths, the tilt points as
    ``"x,y [EPSG:code]"`` strings (or WKT-free ``"x,y"`` when the CRS has no
    EPSG code) and the names of the disturbed benchmarks.
    """
    from osgeo import ogr, osr
    from scipy import ndimage
    src = raster_source(truth_raster, name="TRUTH")
    if not src.is_timeseries:
        raise ValueError("TRUTH: a time-series raster is needed")
    info = src.info
    last = read_block(truth_raster, bands=[info.count - 1], dtype=np.float64)[0] * src.scale
    inc = info.geometry.incidence_deg
    vert = last / math.cos(math.radians(inc))
    gt = info.geotransform
    rows, cols = vert.shape
    rr, cc = np.mgrid[0:rows, 0:cols]
    X, Y = _affine_pixel(gt, cc + 0.5, rr + 0.5)
    ok = np.isfinite(vert)
    m = max(2, min(rows, cols) // 20)
    ok &= (rr >= m) & (rr < rows - m) & (cc >= m) & (cc < cols - m)
    if ps_mask:
        from scipy.spatial import cKDTree
        psm = read_block(ps_mask, bands=[0])[0] > 0
        if psm.any():
            tree = cKDTree(np.column_stack([X[psm], Y[psm]]))
            cnt = np.array([len(v) for v in tree.query_ball_point(np.column_stack([X.ravel(), Y.ravel()]),
                                                                    radius * 0.999)]).reshape(rows, cols)
            ok &= cnt >= min_ps
    rng = np.random.default_rng(seed)
    bowl = np.flatnonzero((ok & (vert < -10.0)).ravel())
    flat = np.flatnonzero((ok & (vert >= -10.0)).ravel())
    nb = min(len(bowl), int(round(n * 4 / 7)))
    nf = min(len(flat), n - nb)
    if nb + nf < n:
        nb = min(len(bowl), n - nf)
    if nb + nf < max(n_disturbed + 3, 5):
        raise ValueError("TRUTH: too few suitable benchmark locations in the truth raster")
    pick = np.concatenate([rng.choice(bowl, nb, replace=False), rng.choice(flat, nf, replace=False)])
    k = pick.size
    lev = vert.ravel()[pick] + rng.normal(0.0, noise_mm, k)
    offs = np.zeros(k)
    dist = rng.choice(k, min(n_disturbed, k), replace=False)
    offs[dist] = rng.uniform(25.0, 50.0, dist.size) * rng.choice([-1.0, 1.0], dist.size)
    lev += offs
    os.makedirs(out_dir, exist_ok=True)
    srs = osr.SpatialReference()
    srs.ImportFromWkt(info.crs_wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    names = [f"BM{i + 1:02d}" for i in range(k)]

    def _write(path, gtype, fields, feats):
        with atomic_output(path) as tmp:
            ds = ogr.GetDriverByName("GPKG").CreateDataSource(tmp)
            lyr = ds.CreateLayer(os.path.splitext(os.path.basename(path))[0], srs, gtype)
            for fname, ftype in fields:
                lyr.CreateField(ogr.FieldDefn(fname, ftype))
            for geom_wkt, attrs in feats:
                f = ogr.Feature(lyr.GetLayerDefn())
                f.SetGeometry(ogr.CreateGeometryFromWkt(geom_wkt))
                for a, v in attrs.items():
                    f.SetField(a, v)
                lyr.CreateFeature(f)
            ds = None
        return path

    xs, ys = X.ravel()[pick], Y.ravel()[pick]
    bm_path = _write(os.path.join(out_dir, "benchmarks.gpkg"), ogr.wkbPoint,
                     [("NAME", ogr.OFTString), ("SUBS", ogr.OFTReal), ("TRUE_OFFSET_MM", ogr.OFTReal)],
                     [(f"POINT ({xs[i]!r} {ys[i]!r})", {"NAME": names[i], "SUBS": float(lev[i]),
                                                        "TRUE_OFFSET_MM": float(offs[i])}) for i in range(k)])
    # profile line through the two deepest bowls (local minima of the smoothed field)
    sm = ndimage.uniform_filter(np.where(np.isfinite(vert), vert, 0.0), size=5)
    mins = (sm == ndimage.minimum_filter(sm, size=max(9, min(rows, cols) // 8))) & (sm < 0.3 * np.nanmin(sm))
    cand = sorted(zip(sm[mins], rr[mins], cc[mins]))
    a = cand[0] if cand else (0.0, rows // 2, cols // 2)
    b = None
    for v, r_, c_ in cand[1:]:
        if math.hypot(r_ - a[1], c_ - a[2]) > min(rows, cols) / 6:
            b = (v, r_, c_)
            break
    if b is None:
        b = (0.0, a[1], min(cols - 1, a[2] + cols // 4))
    (ax_, ay_), (bx_, by_) = _affine_pixel(gt, a[2] + 0.5, a[1] + 0.5), _affine_pixel(gt, b[2] + 0.5, b[1] + 0.5)
    dx, dy = bx_ - ax_, by_ - ay_
    x0, y0 = _affine_pixel(gt, 0.5, 0.5)
    x1, y1 = _affine_pixel(gt, cols - 0.5, rows - 0.5)
    lo_x, hi_x, lo_y, hi_y = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)

    def clamp(x, y):
        return min(max(x, lo_x), hi_x), min(max(y, lo_y), hi_y)

    p0 = clamp(ax_ - 0.5 * dx, ay_ - 0.5 * dy)
    p1 = clamp(bx_ + 0.5 * dx, by_ + 0.5 * dy)
    line_path = _write(os.path.join(out_dir, "profile_line.gpkg"), ogr.wkbLineString, [("NAME", ogr.OFTString)],
                       [(f"LINESTRING ({p0[0]!r} {p0[1]!r}, {p1[0]!r} {p1[1]!r})", {"NAME": "A1-A2"})])
    # tilt points: 31.46 m apart along the profile where the differential displacement is largest
    L_ = math.hypot(p1[0] - p0[0], p1[1] - p0[1]) or 1.0
    ux, uy = (p1[0] - p0[0]) / L_, (p1[1] - p0[1]) / L_
    s_ = np.arange(0.0, max(L_ - 31.46, 0.0) + 1e-9, 2.0)

    def v_at(x, y):
        c, r = _inverse_pixel(gt, x, y)
        c = np.clip(np.floor(c).astype(int), 0, cols - 1)
        r = np.clip(np.floor(r).astype(int), 0, rows - 1)
        return vert[r, c]

    xa_, ya_ = p0[0] + ux * s_, p0[1] + uy * s_
    dv = np.abs(v_at(xa_ + ux * 31.46, ya_ + uy * 31.46) - v_at(xa_, ya_))
    j = int(np.nanargmax(dv)) if np.isfinite(dv).any() else 0
    pa = (float(xa_[j]), float(ya_[j]))
    pb = (pa[0] + ux * 31.46, pa[1] + uy * 31.46)
    code = srs.GetAuthorityCode(None)
    suffix = f" [EPSG:{code}]" if code else ""
    return {"benchmarks": bm_path, "line": line_path,
            "point_a": f"{pa[0]:.3f},{pa[1]:.3f}{suffix}", "point_b": f"{pb[0]:.3f},{pb[1]:.3f}{suffix}",
            "disturbed": [names[i] for i in sorted(dist)], "n": int(k)}
