"""Displacement profiles along a line: the ``profile`` stage (pure core).

Stations are placed along the (poly)line every ``step`` metres from its first
vertex (0, step, 2·step, ... and the last vertex).  Distances are measured in
the metric frame of :class:`leveling.MetricFrame` (the raster CRS when it is
projected in metres, else the line's, else UTM).

* ``buffer == 0``: the value at a station is the bilinear interpolation of the
  four pixel centres around it.
* ``buffer > 0``: every valid pixel whose centre lies within ``buffer`` metres
  of the line is assigned to the station nearest along the line (by the
  chainage of its closest point on the line); the station value is the mean
  of its pixels — the mean across the line within the buffer, over a strip of
  one step along it.  Stations without a pixel get NaN.

Values are in mm (time series, one column per chosen date) or mm/yr (velocity),
line of sight unless ``vertical`` (LOS / cos incidence).
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from typing import List, Optional, Sequence

import numpy as np

from .leveling import (MetricFrame, RasterSource, _affine_pixel, _inverse_pixel, _same, cjk_font_context,
                       interp_weights, raster_source, save_png, source_vertical_factor)
from .progress import check_cancel, ensure, warn
from .stackio import date_label, plan_row_blocks, read_block
from .validate import check_positive, parse_date


@dataclasses.dataclass
class ProfileResult:
    """Stations along the line and the sampled values."""

    dist_m: np.ndarray          # (n,)
    x: np.ndarray               # (n,) in the line CRS
    y: np.ndarray
    columns: List[str]          # DYYYYMMDD per date, or VEL
    values: np.ndarray          # (n, n_columns) mm (or mm/yr)
    n_samples: np.ndarray       # (n,) pixels used per station
    dates: List[_dt.date]
    units: str
    vertical: bool
    length_m: float


def stations_along(mx, my, step: float):
    """Stations every ``step`` m along a polyline (metric coordinates).

    Returns ``(dist, x, y)``: 0, step, 2·step, ... below the length, plus the
    end of the line.
    """
    step = check_positive("STEP", step)
    mx = np.asarray(mx, dtype=np.float64)
    my = np.asarray(my, dtype=np.float64)
    if mx.size < 2:
        raise ValueError("LINE: the line needs at least two vertices")
    seg = np.hypot(np.diff(mx), np.diff(my))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    length = float(cum[-1])
    if length <= 0:
        raise ValueError("LINE: the line has zero length")
    n = int(math.floor(length / step + 1e-9))
    d = np.arange(n + 1, dtype=np.float64) * step
    if length - d[-1] > 1e-6 * max(step, 1.0):
        d = np.append(d, length)
    else:
        d[-1] = min(d[-1], length)
    x = np.interp(d, cum, mx)
    y = np.interp(d, cum, my)
    return d, x, y


def _project_on_line(px, py, mx, my):
    """Chainage and distance of points to a polyline (vectorised over points)."""
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(mx), np.diff(my)))])
    best_d = np.full(px.shape, np.inf)
    best_s = np.zeros(px.shape)
    for k in range(mx.size - 1):
        ax, ay, bx, by = mx[k], my[k], mx[k + 1], my[k + 1]
        vx, vy = bx - ax, by - ay
        L2 = vx * vx + vy * vy
        if L2 == 0:
            continue
        t = np.clip(((px - ax) * vx + (py - ay) * vy) / L2, 0.0, 1.0)
        qx, qy = ax + t * vx, ay + t * vy
        dist = np.hypot(px - qx, py - qy)
        better = dist < best_d
        best_d[better] = dist[better]
        best_s[better] = cum[k] + t[better] * math.sqrt(L2)
    return best_s, best_d


def choose_dates(all_dates: Sequence[_dt.date], spec) -> List[_dt.date]:
    """``DATES``: ``None``/``''``/``'all'`` -> every date, ``'last'`` -> the last
    one, else a comma/space separated list of YYYYMMDD inside the period (the
    words ``first`` and ``last`` may appear in the list)."""
    if spec is None:
        return list(all_dates)
    if isinstance(spec, str):
        s = spec.strip().lower()
        if s in ("", "all"):
            return list(all_dates)
        if s == "last":
            return [all_dates[-1]]
        items = [t for t in s.replace(";", ",").replace(" ", ",").split(",") if t]
    else:
        items = list(spec)
    out = []
    for t in items:
        if isinstance(t, str) and t.strip().lower() in ("first", "last"):
            t = all_dates[0] if t.strip().lower() == "first" else all_dates[-1]
        d = t if isinstance(t, _dt.date) else parse_date(t, name="DATES")
        if d < all_dates[0] or d > all_dates[-1]:
            raise ValueError(f"DATES: {date_label(d)} is outside the InSAR period {date_label(all_dates[0])}–"
                             f"{date_label(all_dates[-1])}")
        if d not in out:
            out.append(d)
    if not out:
        raise ValueError("DATES: no date given")
    return out


def sample_profile(raster, line_x, line_y, *, line_crs: str = "", step: float = 20.0, buffer: float = 0.0,
                   dates=None, vertical: bool = False, incidence_deg: Optional[float] = None,
                   memory_mb: float = 256, feedback=None) -> ProfileResult:
    """Sample a time-series or velocity raster along a line.

    Parameters
    ----------
    raster : str or RasterSource
        Time-series (mm, one band per date) or velocity (mm/yr) raster.
    line_x, line_y : array_like
        Line vertices in ``line_crs`` (``""`` = the raster's CRS).
    step : float
        Station spacing, m.
    buffer : float
        Half-width across the line, m (0: bilinear at the station).
    dates : see :func:`choose_dates`
        Dates to sample (time series only); between acquisitions the series is
        interpolated linearly in time.
    vertical : bool
        LOS / cos(incidence) (incidence: ``incidence_deg`` or the raster's
        INCIDENCE_DEG, else 39°).
    """
    fb = ensure(feedback)
    src = raster if isinstance(raster, RasterSource) else raster_source(raster, name="INPUT")
    step = check_positive("STEP", step)
    buffer = check_positive("BUFFER", buffer, allow_zero=True)
    lx = np.asarray(line_x, dtype=np.float64).ravel()
    ly = np.asarray(line_y, dtype=np.float64).ravel()
    if lx.size < 2 or lx.size != ly.size or not (np.all(np.isfinite(lx)) and np.all(np.isfinite(ly))):
        raise ValueError("LINE: the line needs at least two valid vertices")
    factor, inc, _ = source_vertical_factor(src, vertical, incidence_deg, feedback=fb)
    vertical = inc is not None
    line_crs = line_crs or src.crs_wkt
    frame = MetricFrame([src.crs_wkt, line_crs], hint_xy=(float(lx.mean()), float(ly.mean())), hint_crs=line_crs)
    mx, my = frame.to_metric(lx, ly, line_crs)
    dist, sx, sy = stations_along(mx, my, step)
    ox, oy = frame.from_metric(sx, sy, line_crs)
    ns = dist.size

    # bands and interpolation weights per output column
    if src.is_timeseries:
        chosen = choose_dates(src.dates, dates)
        cols = [f"D{date_label(d)}" for d in chosen]
        wts = [interp_weights(src.dates, d, name="DATES") for d in chosen]
        bands = sorted({b for a, c, _ in wts for b in (a, c)})
        units = "mm"
    else:
        chosen, cols, units = [], ["VEL"], "mm/yr"
        wts = [(0, 0, 0.0)]
        bands = [0]
        if dates not in (None, "", "all", "last"):
            warn(fb, "DATES: ignored for a velocity raster")
    pos = {b: i for i, b in enumerate(bands)}

    def combine(block):  # block: (n_bands, ...) -> (n_cols, ...)
        return np.stack([(1 - w) * block[pos[a]] + w * block[pos[c]] for a, c, w in wts]) * src.scale * factor

    gt = src.info.geotransform
    values = np.full((ns, len(cols)), np.nan)
    nsamp = np.zeros(ns, dtype=np.int64)
    if buffer == 0:
        for k in range(ns):
            check_cancel(fb)
            x, y = frame.from_metric(sx[k:k + 1], sy[k:k + 1], src.crs_wkt)
            col, row = _inverse_pixel(gt, x[0], y[0])
            c, r = float(col) - 0.5, float(row) - 0.5
            W, H = src.info.width, src.info.height
            if not (-0.5 <= c <= W - 0.5 and -0.5 <= r <= H - 0.5):
                continue
            c0, r0 = int(math.floor(c)), int(math.floor(r))
            fc, fr = c - c0, r - r0
            cand = [(r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc),
                    (r0 + 1, c0, fr * (1 - fc)), (r0 + 1, c0 + 1, fr * fc)]
            cand = [t for t in cand if 0 <= t[0] < H and 0 <= t[1] < W and t[2] > 0]
            acc = np.zeros(len(cols)); wsum = np.zeros(len(cols)); cnt = 0
            for rr, cc, ww in cand:
                v = combine(read_block(src.path, rr, 1, col0=cc, ncols=1, bands=bands, dtype=np.float64)[:, 0, 0])
                ok = np.isfinite(v)
                acc[ok] += ww * v[ok]; wsum[ok] += ww
                cnt += int(ok.any())
            with np.errstate(invalid="ignore", divide="ignore"):
                values[k] = np.where(wsum > 0, acc / np.where(wsum > 0, wsum, 1), np.nan)
            nsamp[k] = cnt
            fb.setProgress(100.0 * (k + 1) / ns)
    else:
        # pixel window covering the line +- buffer
        pad = buffer * 1.05 + 1e-6
        ex = np.concatenate([mx - pad, mx + pad, mx - pad, mx + pad])
        ey = np.concatenate([my - pad, my + pad, my + pad, my - pad])
        rx, ry = frame.from_metric(ex, ey, src.crs_wkt)
        ccol, crow = _inverse_pixel(gt, rx, ry)
        c0 = max(int(math.floor(np.nanmin(ccol) - 0.5)) - 1, 0)
        c1 = min(int(math.ceil(np.nanmax(ccol) - 0.5)) + 2, src.info.width)
        r0 = max(int(math.floor(np.nanmin(crow) - 0.5)) - 1, 0)
        r1 = min(int(math.ceil(np.nanmax(crow) - 0.5)) + 2, src.info.height)
        sums = np.zeros((ns, len(cols)))
        cnts = np.zeros((ns, len(cols)))
        if c1 > c0 and r1 > r0:
            nc = c1 - c0
            blocks = plan_row_blocks(r1 - r0, nc, bytes_per_pixel=8.0 * (len(bands) + len(cols) + 8),
                                     memory_mb=memory_mb)
            for bi, blk in enumerate(blocks):
                check_cancel(fb)
                rr0 = r0 + blk.row0
                data = read_block(src.path, rr0, blk.nrows, col0=c0, ncols=nc, bands=bands, dtype=np.float64)
                v = combine(data).reshape(len(cols), -1)
                cc, rr = np.meshgrid(np.arange(c0, c1) + 0.5, np.arange(rr0, rr0 + blk.nrows) + 0.5)
                px, py = _affine_pixel(gt, cc.ravel(), rr.ravel())
                pmx, pmy = frame.to_metric(px, py, src.crs_wkt)
                s, dl = _project_on_line(pmx, pmy, mx, my)
                inb = dl <= buffer * (1 + 1e-9) + 1e-9
                if inb.any():
                    s_in = s[inb]
                    # nearest station along the line (ties -> lower station)
                    j = np.searchsorted(dist, s_in, side="left")
                    j = np.clip(j, 0, ns - 1)
                    jm = np.clip(j - 1, 0, ns - 1)
                    take_lower = np.abs(s_in - dist[jm]) <= np.abs(dist[j] - s_in)
                    st = np.where(take_lower, jm, j)
                    vin = v[:, inb]
                    for ci in range(len(cols)):
                        ok = np.isfinite(vin[ci])
                        np.add.at(sums[:, ci], st[ok], vin[ci][ok])
                        np.add.at(cnts[:, ci], st[ok], 1)
                fb.setProgress(100.0 * (bi + 1) / len(blocks))
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(cnts > 0, sums / np.where(cnts > 0, cnts, 1), np.nan)
        nsamp = cnts.max(axis=1).astype(np.int64)
    if not np.isfinite(values).any():
        raise ValueError("LINE: the line does not cross any valid pixel of INPUT; check the CRS and extent")
    empty = int((nsamp == 0).sum())
    if empty:
        warn(fb, f"{empty} of {ns} profile stations have no valid pixel (NaN)")
    return ProfileResult(dist, ox, oy, cols, values, nsamp, chosen, units,
                         bool(vertical) or src.component == "vertical", float(dist[-1]))


def plot_profile(res: ProfileResult, path: str, *, title: Optional[str] = None, tr=_same) -> str:
    """PNG plot of the profile (one line per date), written atomically.

    ``tr`` translates the labels (the Processing algorithm's ``tr``: the plot
    follows the QGIS language; identity = English); ``title`` defaults to
    ``tr("Displacement profile")``.  Chinese labels are drawn with a CJK font
    (:func:`leveling.cjk_font_context`)."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    n = len(res.columns)
    legend = [c[1:] if c.startswith("D") else c for c in res.columns]
    if res.units == "mm":
        ylabel = tr("vertical displacement (mm)") if res.vertical else tr("LOS displacement (mm)")
    else:
        ylabel = tr("vertical velocity (mm/yr)") if res.vertical else tr("LOS velocity (mm/yr)")
    text = {"title": tr("Displacement profile") if title is None else title,
            "x_axis": tr("Distance along the profile (m)"), "y_axis": ylabel}
    if n > 12:
        text["colorbar"] = tr("date index ({} … {})").format(res.columns[0][1:], res.columns[-1][1:])
    with cjk_font_context(*text.values(), *legend):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        cmap = plt.get_cmap("viridis")
        for i in range(n):
            ax.plot(res.dist_m, res.values[:, i], "-", lw=1.4, color=cmap(i / max(n - 1, 1)), label=legend[i])
        ax.axhline(0, color="k", lw=0.5)
        ax.set_title(text["title"])
        ax.set_xlabel(text["x_axis"])
        ax.set_ylabel(text["y_axis"])
        ax.grid(alpha=0.3)
        if n <= 12:
            ax.legend(fontsize=7, ncol=2)
        else:
            sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, n - 1))
            cb = fig.colorbar(sm, ax=ax)
            cb.set_label(text["colorbar"])
        save_png(fig, path)
    return path
