"""Foundation tilt from two InSAR points: the ``tilt`` stage (pure core).

Sign convention
---------------
``tilt(t) = (d_B(t) - d_A(t)) / distance_AB`` (dimensionless, mm converted to
m), with ``d_A``/``d_B`` the displacements (mm, relative to the first date) of
points A and B and ``distance_AB`` their horizontal distance in metres.  A
negative tilt means B went down relative to A (B subsided more), i.e. the
structure leans toward B.  Study B's cooling tower: A1/A2 31.46 m apart,
tilt −0.0005 ⇔ d_B − d_A = −0.0005 × 31.46 m = −15.7 mm.

``MAX_TILT`` is the tilt of largest magnitude over the series, with its sign.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from typing import List, Optional

import numpy as np

from .leveling import (MetricFrame, RasterSource, _inverse_pixel, _same, cjk_font_context, raster_source,
                       save_png, source_vertical_factor)
from .stackio import date_label, read_block
from .validate import parse_date


@dataclasses.dataclass
class TiltResult:
    dates: List[_dt.date]
    d_a_mm: np.ndarray
    d_b_mm: np.ndarray
    diff_mm: np.ndarray
    tilt: np.ndarray
    distance_m: float
    max_tilt: float
    max_date: Optional[_dt.date]


def horizontal_distance(xa, ya, xb, yb, crs_wkt: str = "") -> float:
    """Horizontal distance (m) between A and B given in ``crs_wkt``
    (projected: in the metric frame; geographic: on the WGS84 ellipsoid)."""
    from .leveling import _crs
    c = _crs(crs_wkt)
    if c is not None and c.is_geographic:
        from pyproj import Geod
        geod = Geod(ellps="WGS84")
        _, _, d = geod.inv(float(xa), float(ya), float(xb), float(yb))
        return float(d)
    frame = MetricFrame([crs_wkt], hint_xy=(float(xa), float(ya)), hint_crs=crs_wkt)
    mx, my = frame.to_metric(np.array([xa, xb], float), np.array([ya, yb], float), crs_wkt)
    return float(math.hypot(mx[1] - mx[0], my[1] - my[0]))


def tilt_series(dates, d_a, d_b, distance_m: float) -> TiltResult:
    """Tilt series ``(d_B - d_A) / distance`` (mm -> m; see the module doc).

    ``d_a``/``d_b`` (n_dates,) mm are made relative to the first date.
    """
    ds = [d if isinstance(d, _dt.date) else parse_date(d, name="DATES") for d in dates]
    a = np.asarray(d_a, dtype=np.float64).ravel()
    b = np.asarray(d_b, dtype=np.float64).ravel()
    if a.size != len(ds) or b.size != len(ds):
        raise ValueError("INPUT: the two displacement series must have one value per date")
    if len(ds) < 2:
        raise ValueError("INPUT: a tilt series needs at least two dates")
    dist = float(distance_m)
    if not math.isfinite(dist) or dist <= 0:
        raise ValueError(f"POINT_B: the two points are {dist:g} m apart; they must be distinct")
    if not np.isfinite(a).any():
        raise ValueError("POINT_A: no valid InSAR displacement at point A")
    if not np.isfinite(b).any():
        raise ValueError("POINT_B: no valid InSAR displacement at point B")
    a = a - a[0]
    b = b - b[0]
    diff = b - a
    tilt = diff / 1000.0 / dist
    if np.isfinite(tilt).any():
        k = int(np.nanargmax(np.abs(tilt)))
        mt, md = float(tilt[k]), ds[k]
    else:
        raise ValueError("INPUT: no date has valid displacements at both points")
    return TiltResult(ds, a, b, diff, tilt, dist, mt, md)


def raster_point_series(src: RasterSource, x: float, y: float, *, crs_wkt: str = "", name: str = "POINT_A") -> np.ndarray:
    """Bilinear time series (n_dates,) mm at a point (coordinates in ``crs_wkt``)."""
    frame = MetricFrame([src.crs_wkt, crs_wkt], hint_xy=(x, y), hint_crs=crs_wkt or src.crs_wkt)
    mx, my = frame.to_metric(np.array([x]), np.array([y]), crs_wkt or src.crs_wkt)
    rx, ry = frame.from_metric(mx, my, src.crs_wkt)
    col, row = _inverse_pixel(src.info.geotransform, rx[0], ry[0])
    c, r = float(col) - 0.5, float(row) - 0.5
    W, H = src.info.width, src.info.height
    if not (-0.5 <= c <= W - 0.5 and -0.5 <= r <= H - 0.5):
        raise ValueError(f"{name}: the point ({x:.3f}, {y:.3f}) is outside the INPUT raster")
    c0, r0 = int(math.floor(c)), int(math.floor(r))
    fc, fr = c - c0, r - r0
    cand = [(r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc),
            (r0 + 1, c0, fr * (1 - fc)), (r0 + 1, c0 + 1, fr * fc)]
    cand = [t for t in cand if 0 <= t[0] < H and 0 <= t[1] < W and t[2] > 0]
    acc = np.zeros(src.info.count)
    wsum = np.zeros(src.info.count)
    for rr, cc, ww in cand:
        v = read_block(src.path, rr, 1, col0=cc, ncols=1, dtype=np.float64)[:, 0, 0] * src.scale
        ok = np.isfinite(v)
        acc[ok] += ww * v[ok]
        wsum[ok] += ww
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(wsum > 0, acc / np.where(wsum > 0, wsum, 1), np.nan)
    if not np.isfinite(out).any():
        raise ValueError(f"{name}: the INPUT raster has no valid value at ({x:.3f}, {y:.3f})")
    return out


def tilt_from_raster(raster, xa, ya, xb, yb, *, crs_wkt: str = "", vertical: bool = False,
                     incidence_deg: Optional[float] = None) -> TiltResult:
    """Tilt between two points of a time-series raster (bilinear sampling)."""
    src = raster if isinstance(raster, RasterSource) else raster_source(raster, name="INPUT")
    if not src.is_timeseries:
        raise ValueError("INPUT: tilt needs a time-series raster (one band per date), not a velocity raster")
    f, _, _ = source_vertical_factor(src, vertical, incidence_deg)
    a = raster_point_series(src, xa, ya, crs_wkt=crs_wkt, name="POINT_A") * f
    b = raster_point_series(src, xb, yb, crs_wkt=crs_wkt, name="POINT_B") * f
    dist = horizontal_distance(xa, ya, xb, yb, crs_wkt or src.crs_wkt)
    return tilt_series(src.dates, a, b, dist)


def plot_tilt(res: TiltResult, path: str, *, label_a: str = "A", label_b: str = "B",
              title: Optional[str] = None, tr=_same) -> str:
    """PNG: displacements of A and B (top) and the tilt series (bottom).

    ``tr`` translates the labels (the Processing algorithm's ``tr``: the plot
    follows the QGIS language; identity = English); ``title`` defaults to
    ``tr("Differential displacement and tilt")``.  Chinese labels (or point
    ids) are drawn with a CJK font (:func:`leveling.cjk_font_context`).  The
    symbols d_A, d_B stay as they are (the TILT table's D_A_MM, D_B_MM)."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    title = tr("Differential displacement and tilt") if title is None else title
    text = {"title": tr("{} — distance {:.2f} m").format(title, res.distance_m),
            "disp_axis": tr("Displacement (mm)"),
            "tilt_axis": tr("Tilt (d_B − d_A)/distance"),
            "legend_a": f"d_A ({label_a})", "legend_b": f"d_B ({label_b})"}
    if res.max_date is not None:
        text["max"] = tr("max |tilt| {:.2e} ({})").format(res.max_tilt, date_label(res.max_date))
    with cjk_font_context(*text.values()):
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
        ax1.plot(res.dates, res.d_a_mm, "o-", ms=3, label=text["legend_a"])
        ax1.plot(res.dates, res.d_b_mm, "s-", ms=3, label=text["legend_b"])
        ax1.plot(res.dates, res.diff_mm, "k--", lw=1, label="d_B − d_A")
        ax1.set_ylabel(text["disp_axis"])
        ax1.grid(alpha=0.3)
        ax1.legend(fontsize=8)
        ax1.set_title(text["title"])
        ax2.plot(res.dates, res.tilt, "o-", ms=3, color="tab:red")
        ax2.axhline(0, color="k", lw=0.5)
        if res.max_date is not None:
            ax2.annotate(text["max"], (res.max_date, res.max_tilt), fontsize=8, ha="right",
                         va="bottom" if res.max_tilt >= 0 else "top")
        ax2.set_ylabel(text["tilt_axis"])
        ax2.grid(alpha=0.3)
        fig.autofmt_xdate()
        save_png(fig, path)
    return path
