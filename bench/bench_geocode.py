#!/usr/bin/env python3
"""Benchmark: MineSAR ``geocode`` vs a scipy Delaunay-linear geocoding on the same scene.

Run with Debian's Python (the plugin's)::

    /usr/bin/python3 bench/bench_geocode.py [--rows 1000 --cols 1500 --bands 10]

The scene is the one of the tests (``tests/geocodefixtures.py``): a Sentinel-1-like
radar grid over Puhe (heading -166 deg, 56 m x 20 m multilooked pixels) whose every
pixel position is known exactly, carrying a subsidence bowl ``bowl(lon, lat)`` (mm)
growing linearly over ``--bands`` dates.  MineSAR geocodes it to EPSG:4326 at the
processing resolution (bilinear).  The reference is what many scripts do: a Delaunay
triangulation of the lookup positions and linear interpolation
(``scipy.interpolate.LinearNDInterpolator``) at the same output cell centres.
Printed: wall time of both, the speed-up, each one's error against the analytic
bowl on cells at least one pixel inside the swath, and their agreement.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--cols", type=int, default=1500)
    ap.add_argument("--bands", type=int, default=10)
    ap.add_argument("--memory-mb", type=float, default=1024)
    a = ap.parse_args()
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import import_minesar
    import_minesar(ROOT / "tests")
    import datetime as dt

    import geocodefixtures as G
    from minesar.algorithms import geocode, stackio
    from osgeo import gdal
    from scipy.interpolate import LinearNDInterpolator

    work = Path(tempfile.mkdtemp(prefix="bench_geocode_"))
    r, c = np.mgrid[0:a.rows, 0:a.cols]
    x, y = G.ml_xy(r, c)
    lon, lat = G.to_lonlat(x, y)
    f = G.bowl(lon, lat)
    dates = [dt.date(2018, 1, 11) + dt.timedelta(days=12 * k) for k in range(a.bands)]
    scale = np.linspace(1.0 / a.bands, 1.0, a.bands)
    vals = (f[None] * scale[:, None, None]).astype(np.float32)
    geom = stackio.Geometry(incidence_deg=37.1, heading_deg=-166.2, azimuth_pixel_m=G.AZ_M * G.LOOKS_AZ,
                            range_pixel_m=G.RG_M * G.LOOKS_RG * np.sin(np.radians(37.1)))
    data = stackio.write_raster(str(work / "ts.tif"), vals, kind="timeseries", units="mm",
                                labels=[stackio.date_label(d) for d in dates],
                                band_metadata=stackio.band_metadata_for_dates(dates), geometry=geom)
    latp, lonp = G._write_lookup(work / "lat.tif", lat), G._write_lookup(work / "lon.tif", lon)
    print(f"Scene: {a.rows} x {a.cols} radar pixels, {a.bands} bands, lookups on the same grid")

    t = time.perf_counter()
    geocode.geocode_raster(data, str(work / "geo.tif"), latitude=str(latp), longitude=str(lonp),
                           resampling="bilinear", memory_mb=a.memory_mb)
    t_ms = time.perf_counter() - t
    out = stackio.read_block(str(work / "geo.tif")).astype(np.float64)
    glon, glat = G.cell_centres(work / "geo.tif")
    ds = gdal.Open(str(work / "geo.tif"))
    ncell = ds.RasterXSize * ds.RasterYSize
    ds = None

    t = time.perf_counter()
    interp = LinearNDInterpolator(np.c_[lon.ravel(), lat.ravel()], vals.reshape(a.bands, -1).T)
    ref = interp(np.c_[glon.ravel(), glat.ravel()]).T.reshape(out.shape)
    t_sp = time.perf_counter() - t

    rr, cc = G.radar_coords(*G.to_utm(glon, glat))
    inner = (rr >= 1) & (rr <= a.rows - 2) & (cc >= 1) & (cc <= a.cols - 2)
    truth = G.bowl(glon, glat)[None] * scale[:, None, None]
    e_ms = np.abs(out - truth)[:, inner]
    e_sp = np.abs(ref - truth)[:, inner]
    agree = np.nanmax(np.abs(out - ref)[:, inner])
    print(f"Output: {glon.shape[1]} x {glon.shape[0]} cells ({ncell / 1e6:.1f} M) in EPSG:4326, bilinear\n")
    print(f"{'implementation':48s} {'time (s)':>9s} {'max |err| (mm)':>15s} {'RMS err (mm)':>13s}")
    print(f"{'MineSAR geocode (GDAL geolocation arrays)':48s} {t_ms:9.2f} {np.nanmax(e_ms):15.3f} "
          f"{np.sqrt(np.nanmean(e_ms ** 2)):13.3f}")
    print(f"{'scipy LinearNDInterpolator (Delaunay linear)':48s} {t_sp:9.2f} {np.nanmax(e_sp):15.3f} "
          f"{np.sqrt(np.nanmean(e_sp ** 2)):13.3f}")
    print(f"\nspeed-up {t_sp / t_ms:.1f}x; max |MineSAR - scipy| inside the swath {agree:.3f} mm "
          f"(errors against the analytic bowl of {np.abs(f).max():.0f} mm; the rest is interpolation of "
          f"{G.AZ_M * G.LOOKS_AZ:.0f} m x {G.RG_M * G.LOOKS_RG:.0f} m pixels)")


if __name__ == "__main__":
    main()
