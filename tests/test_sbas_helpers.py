"""Simulated unwrapped stacks for the SBAS tests (built directly in numpy).

Truth = LOS displacement (a subsidence bowl with a linear rate and a small
non-linear term) + DEM-error phase + turbulent atmosphere + phase noise, in
MineSAR's sign convention (interferogram phase = 4 pi / lambda x range change;
d_mm = -lambda / (4 pi) x phase x 1000).  No test lives here.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np


def make_stack(rows=32, cols=40, n_dates=15, step_days=24, seed=0, noise_rad=0.0, dem_error_m=0.0,
               bperp_spread_m=0.0, atmo_mm=0.0, atmo_sigma_px=4.0, max_btemp=100, nonlinear_mm=0.0,
               quadratic=0.0, ref=(0, 0)):
    from minesar.algorithms import stackio
    rng = np.random.default_rng(seed)
    dates = [dt.date(2020, 1, 3) + dt.timedelta(days=step_days * i) for i in range(n_dates)]
    t = stackio.years_since(dates)
    g = stackio.Geometry()
    yy, xx = np.mgrid[0:rows, 0:cols]
    vel = -80.0 * np.exp(-((yy - rows / 2) ** 2 + (xx - cols / 2) ** 2) / (2 * (rows / 6) ** 2))
    disp = vel[None] * t[:, None, None] + quadratic * (vel / 80.0)[None] * (t ** 2)[:, None, None]
    if nonlinear_mm:
        disp = disp + nonlinear_mm * np.sin(2 * np.pi * t)[:, None, None] * (xx / cols)[None]
    disp = disp - disp[:, ref[0]:ref[0] + 1, ref[1]:ref[1] + 1]
    bperp = rng.uniform(-bperp_spread_m, bperp_spread_m, n_dates) if bperp_spread_m else np.zeros(n_dates)
    bperp = bperp - bperp[0]
    dz = rng.uniform(-dem_error_m, dem_error_m, (rows, cols)) if dem_error_m else np.zeros((rows, cols))
    dz = dz - dz[ref]
    k = 1000.0 * bperp / (g.slant_range_m * math.sin(math.radians(g.incidence_deg)))
    obs = disp + k[:, None, None] * dz[None]
    atmo = np.zeros_like(obs)
    if atmo_mm:
        from scipy.ndimage import gaussian_filter
        a = np.stack([gaussian_filter(rng.standard_normal((rows, cols)), atmo_sigma_px, mode="wrap")
                      for _ in range(n_dates)])
        atmo = a / a.std(axis=(1, 2), keepdims=True) * atmo_mm
        obs = obs + atmo
    pairs = [(dates[i], dates[j]) for i in range(n_dates) for j in range(i + 1, n_dates)
             if (dates[j] - dates[i]).days <= max_btemp]
    idx = {d: i for i, d in enumerate(dates)}
    to_mm = g.phase_to_mm()
    phase = np.stack([(obs[idx[s]] - obs[idx[r]]) / to_mm for r, s in pairs])
    if noise_rad:
        phase = phase + rng.normal(0.0, noise_rad, phase.shape)
    return dict(phase=phase, pairs=pairs, dates=dates, bperp=bperp, disp=disp, vel=vel, dz=dz, geometry=g,
                atmo=atmo, t=t)


def write_stack(path, d, *, coherence=None, coherence_path=None, with_pairs=True, pixel_m=20.0,
                kind="unwrapped", date_bperp=True):
    """Write the simulated phase as a MineSAR unwrapped stack (UTM 20 m grid)."""
    from osgeo import osr
    from minesar.algorithms import stackio
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32650)
    gt = (400000.0, pixel_m, 0.0, 4400000.0, 0.0, -pixel_m)
    pairs, dates = d["pairs"], d["dates"]
    b = d["bperp"]
    idx = {x: i for i, x in enumerate(dates)}
    pb = [b[idx[s]] - b[idx[r]] for r, s in pairs]
    md = {"DATE_LIST": ",".join(stackio.date_label(x) for x in dates)}
    if date_bperp:
        md["DATE_BPERP_M"] = ",".join(repr(float(v)) for v in b)
    kw = dict(geotransform=gt, crs_wkt=srs.ExportToWkt(), geometry=d["geometry"])
    if with_pairs:
        kw.update(labels=[stackio.pair_label(r, s) for r, s in pairs],
                  band_metadata=stackio.band_metadata_for_pairs(pairs, pb), metadata=md)
    stackio.write_raster(str(path), d["phase"].astype("float32"), kind=kind, units="rad", **kw)
    if coherence is not None and coherence_path:
        stackio.write_raster(str(coherence_path), coherence.astype("float32"), kind="coherence",
                             labels=[stackio.pair_label(r, s) for r, s in pairs],
                             band_metadata=stackio.band_metadata_for_pairs(pairs), geotransform=gt,
                             crs_wkt=srs.ExportToWkt(), geometry=d["geometry"])
    return path
