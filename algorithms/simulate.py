"""Synthetic mining-subsidence SLC stacks with known truth (``simulatestack``).

The simulator follows the conventions of DESIGN §2 exactly; it is the sign
test of the whole chain.

Signal model (per pixel, per date k)
------------------------------------
``slc_k = a · z_k · exp(i φ_k)`` with the deterministic phase

``φ_k = +4π/λ · d_k  +  4π/λ · B⊥_k · h_true / (R sin θ)  +  α_k``

* ``d_k`` — LOS displacement (m, positive toward the satellite, shortens the
  range; the SLC phase is −4πR/λ so a shorter range *adds* phase);
* ``h_true = DEM + DEM error`` — the coregistered stack carries the topographic
  phase of the true surface (the constant −4πR₀/λ and the flat-earth phase are
  removed, as in any coregistered, flattened stack);
* ``α_k`` — atmospheric phase (``atmo_rad``), ``−4π/λ`` × the tropospheric
  delay (turbulent power law + height-correlated stratified term).

So the interferogram ``ref × conj(sec)`` has phase ``φ_ref − φ_sec`` and
``d_mm = −λ/(4π) · φ_unwrapped · 1000`` gives ``d_sec − d_ref`` (mm).

``z_k`` is the scattering term: distributed scatterers are circular-Gaussian
vectors over the dates with a land-cover coherence matrix Γ (temporal and
perpendicular-baseline decorrelation, Zebker & Villasenor 1992); persistent
scatterers are a bright constant plus small complex clutter.

Public API (the "Simulator contract" of docs/DEVELOPING.md)::

    sc = scenario("tiny", **overrides)
    arr = simulate_arrays(sc, seed=0)
    res = simulate_stack(out_dir, "tiny", seed=0, **overrides)

No ``qgis`` import here.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import json
import math
import os
import shutil
import uuid
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import stackio
from .progress import check_cancel, ensure, info, warn
from .stackio import DAYS_PER_YEAR, SPEED_OF_LIGHT, Geometry

try:  # numba is optional at import time (the plugin must load without it)
    from numba import njit
    HAVE_NUMBA = True
except Exception:  # pragma: no cover - exercised only without numba
    HAVE_NUMBA = False

    def njit(*args, **kwargs):  # type: ignore
        if args and callable(args[0]):
            return args[0]
        return lambda f: f

# ----------------------------------------------------------------------- constants
#: Land-cover codes of ``arr.landcover`` (also written as truth/landcover.tif).
URBAN, BARE, FARMLAND, VEGETATION, WATER, MINE = 1, 2, 3, 4, 5, 6
LANDCOVER_NAMES = {URBAN: "urban / built-up / roads", BARE: "bare soil and rock",
                   FARMLAND: "farmland", VEGETATION: "vegetation (forest, grass, meadow)",
                   WATER: "water", MINE: "active mine (pit floor, coal yard, dumps being worked)"}

#: Per land cover: (gamma0 = short-lag coherence, gamma_inf = long-term coherence,
#: tau = decorrelation time in days, mean amplitude). Water has identity Γ.
COHERENCE_MODEL = {
    URBAN: (0.90, 0.55, 150.0, 1.6),
    BARE: (0.85, 0.45, 100.0, 1.0),
    FARMLAND: (0.80, 0.12, 30.0, 0.8),
    VEGETATION: (0.60, 0.03, 15.0, 0.6),
    WATER: (0.0, 0.0, 1.0, 0.12),
    MINE: (0.30, 0.0, 6.0, 0.9),
}

ORBIT_HEIGHT_M = 693_000.0   # Sentinel-1
EARTH_RADIUS_M = 6_371_000.0

PRESETS = ("tiny", "puhe", "huaibei", "muli")


def slant_range_from_incidence(incidence_deg: float, orbit_height_m: float = ORBIT_HEIGHT_M) -> float:
    """Slant range (m) for a local incidence angle over a spherical Earth."""
    th = math.radians(incidence_deg)
    look = math.asin(EARTH_RADIUS_M * math.sin(th) / (EARTH_RADIUS_M + orbit_height_m))
    beta = th - look  # Earth-centre angle
    return EARTH_RADIUS_M * math.sin(beta) / math.sin(look)


def critical_baseline_m(geometry: Geometry) -> float:
    """Critical perpendicular baseline ``B_c = λ · R · tan θ · B_range / c`` (m)."""
    return (geometry.wavelength_m * geometry.slant_range_m * math.tan(math.radians(geometry.incidence_deg))
            * geometry.range_bandwidth_hz / SPEED_OF_LIGHT)


# ------------------------------------------------------------------------ scenario
@dataclasses.dataclass
class Panel:
    """One mined coal seam panel: a horizontal tensile rectangle (Okada) whose
    working face advances along strike.

    Coordinates are local metres (x east, y north) relative to the scenario's
    ``origin_lonlat``; ``depth`` is the depth of the centre (m, positive down);
    ``length`` is along strike (the direction of advance), ``width`` across.
    ``t_start_days`` is when the face is at the panel's start (days since the
    first acquisition, may be negative), ``advance_m_per_day`` the face speed,
    ``knothe_tau_days`` the Knothe time constant of the surface response.
    ``weight`` is the relative opening inside its bowl (the bowl is scaled to
    its target); ``bowl`` groups panels into one subsidence bowl.
    """

    x: float
    y: float
    depth: float
    length: float
    width: float
    strike_deg: float
    weight: float = 1.0
    t_start_days: float = 0.0
    advance_m_per_day: float = 3.0
    knothe_tau_days: float = 60.0
    bowl: int = 0
    n_slices: int = 12


@dataclasses.dataclass
class Scenario:
    """Everything that defines a simulated stack (see :func:`scenario`)."""

    name: str
    dates: List[_dt.date]
    bperp_m: np.ndarray
    rows: int
    cols: int
    geometry: Geometry
    pixel_x_m: float
    pixel_y_m: float
    crs_epsg: int
    origin: Tuple[float, float]            # (x, y) of the upper-left corner in the CRS (m)
    origin_lonlat: Tuple[float, float]     # the local (0, 0) of panels and features
    centre_local: Tuple[float, float]      # scene centre in local metres
    # physics knobs
    atmosphere_mm: float = 3.0             # std of the turbulent delay per date (mm)
    strat_mm_per_km: float = 8.0           # std of the stratified coefficient per date (mm/km)
    dem_error_std_m: float = 5.0           # std of the DEM error field (m)
    dem_base_m: float = 50.0               # mean altitude (m)
    dem_relief_m: float = 15.0             # std of the fractal relief (m)
    coherence_scale: float = 1.0           # multiplies γ0 and γ∞ of every land cover
    ps_density: float = 0.25               # fraction of building / road pixels that are PS
    ps_snr: float = 8.0                    # PS amplitude / clutter amplitude
    noise_free: bool = False               # no speckle, no clutter: pure signal phase
    bowl_model: str = "auto"               # auto | okada | knothe
    panels: List[Panel] = dataclasses.field(default_factory=list)
    bowl_targets_mm: List[float] = dataclasses.field(default_factory=list)  # max cumulative VERTICAL (mm)
    features: Dict[str, object] = dataclasses.field(default_factory=dict)    # preset-specific layout

    # ---------------------------------------------------------------- derived
    @property
    def n_dates(self) -> int:
        return len(self.dates)

    @property
    def geotransform(self) -> Tuple[float, float, float, float, float, float]:
        return (self.origin[0], self.pixel_x_m, 0.0, self.origin[1], 0.0, -self.pixel_y_m)

    @property
    def crs_wkt(self) -> str:
        from osgeo import osr
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(int(self.crs_epsg))
        return srs.ExportToWkt()

    @property
    def t_days(self) -> np.ndarray:
        """Days since the first date, per date."""
        return np.array([(d - self.dates[0]).days for d in self.dates], dtype=np.float64)

    @property
    def t_years(self) -> np.ndarray:
        return self.t_days / DAYS_PER_YEAR

    def local_xy(self) -> Tuple[np.ndarray, np.ndarray]:
        """Pixel-centre coordinates (x east, y north) in local metres, (rows, cols) each."""
        ox, oy = _utm_of(self.origin_lonlat, self.crs_epsg)
        x = self.origin[0] + (np.arange(self.cols) + 0.5) * self.pixel_x_m - ox
        y = self.origin[1] - (np.arange(self.rows) + 0.5) * self.pixel_y_m - oy
        return np.meshgrid(x, y)

    def critical_baseline_m(self) -> float:
        return critical_baseline_m(self.geometry)

    def to_dict(self) -> dict:
        """JSON-able description (written to ``scenario.json``)."""
        d = dataclasses.asdict(self)
        d["dates"] = [stackio.date_label(x) for x in self.dates]
        d["bperp_m"] = [float(v) for v in self.bperp_m]
        d["geometry"] = {k: v for k, v in dataclasses.asdict(self.geometry).items()}
        d["critical_baseline_m"] = self.critical_baseline_m()
        return d


@functools.lru_cache(maxsize=16)
def _utm_of(lonlat: Tuple[float, float], epsg: int) -> Tuple[float, float]:
    """Projected coordinates (rounded to 1 m) of a lon/lat point."""
    try:
        from pyproj import Transformer
        x, y = Transformer.from_crs(4326, int(epsg), always_xy=True).transform(lonlat[0], lonlat[1])
    except Exception:  # pragma: no cover - pyproj missing: spherical transverse Mercator
        lon0 = (int(epsg) % 100) * 6 - 183
        lam, phi = math.radians(lonlat[0] - lon0), math.radians(lonlat[1])
        b = math.cos(phi) * math.sin(lam)
        x = 500000 + 0.9996 * 6378137.0 * 0.5 * math.log((1 + b) / (1 - b))
        y = 0.9996 * 6378137.0 * math.atan2(math.tan(phi), math.cos(lam))
    return float(round(x)), float(round(y))


def _units_to_dates(start: _dt.date, units: Sequence[int], step: int = 12) -> List[_dt.date]:
    out = [start]
    for u in units:
        out.append(out[-1] + _dt.timedelta(days=int(u) * step))
    return out


def _orbital_tube(n: int, span_m: float, seed: int) -> np.ndarray:
    """Perpendicular baselines of an orbital tube: a slow random walk plus
    scatter, scaled to ``max − min = span_m``, relative to the first date."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0.0, 0.5, n))
    b = walk - walk.mean() + rng.normal(0.0, 1.0, n)
    b = (b - b.min()) / max(b.max() - b.min(), 1e-9) * span_m
    return b - b[0]


def _master_baselines(dates: Sequence[_dt.date], master: int, span_m: float, seed: int,
                      crit_m: float = 7000.0) -> np.ndarray:
    """Baselines of an orbital tube designed so that ``dates[master]`` is the
    common master minimising the sum of normalised temporal and perpendicular
    baselines (checked for span normalisation and for critical-baseline /
    5-year normalisation).  The master sits at the median B⊥; the acquisitions
    closest to it in time are far from it in B⊥."""
    rng = np.random.default_rng(seed)
    n = len(dates)
    t = np.array([(d - dates[0]).days for d in dates], dtype=float)
    near = np.argsort(np.abs(t - t[master]))[1:7]
    half = span_m / 2.0
    best = None
    for _ in range(200):
        b = rng.uniform(-half, half, n)
        signs = np.where(np.arange(len(near)) % 2 == 0, 1.0, -1.0)
        b[near] = signs * rng.uniform(0.55 * half, half, len(near))
        b[master] = 0.0
        others = np.delete(np.arange(n), master)
        b[others] -= np.median(b[others]) if (n - 1) % 2 == 1 else 0.0
        b[master] = 0.0
        b = b * (span_m / max(b.max() - b.min(), 1e-9))
        ok = all(common_master_index(dates, b, norm_days=nd, norm_bperp_m=nb) == master
                 for nd, nb in ((None, None), (1826.25, crit_m), (365.25, 100.0)))
        if ok:
            best = b
            break
    if best is None:  # pragma: no cover - the loop finds one for every preset
        best = b
    return best - best[0]


def common_master_index(dates: Sequence[_dt.date], bperp_m: Sequence[float], *,
                        norm_days: Optional[float] = None, norm_bperp_m: Optional[float] = None) -> int:
    """Index of the date minimising Σ_k |Δt_k|/T + |ΔB⊥_k|/B over all other dates.

    ``T`` and ``B`` default to the spans (max − min) of the dates and baselines.
    """
    t = np.array([(d - dates[0]).days for d in dates], dtype=float)
    b = np.asarray(bperp_m, dtype=float)
    T = norm_days or max(t.max() - t.min(), 1.0)
    B = norm_bperp_m or max(b.max() - b.min(), 1e-9)
    cost = [np.abs(t - t[m]).sum() / T + np.abs(b - b[m]).sum() / B for m in range(len(t))]
    return int(np.argmin(cost))


def _preset(name: str) -> dict:
    """Base parameters of a preset (before overrides)."""
    if name == "tiny":
        return dict(
            start=_dt.date(2018, 1, 11), step=12, n_dates=12, units=None, bperp_span=80.0, bperp_kind="tube",
            rows=64, cols=64, pixel=(20.0, 20.0), epsg=32651, lonlat=(123.548, 41.995), centre=(0.0, 0.0),
            incidence=37.1, heading=-166.2, atmosphere_mm=2.0, strat_mm_per_km=8.0, dem_error_std_m=5.0,
            dem_base_m=60.0, dem_relief_m=8.0, ps_density=0.35,
            panels=[Panel(0.0, 0.0, 220.0, 300.0, 160.0, 30.0, 1.0, -40.0, 4.0, 40.0, 0, 8)],
            bowl_targets_mm=[-40.0], features=dict(layout="tiny"),
        )
    if name == "puhe":
        # 49 dates on the 12-day grid 2018-01-11 .. 2019-08-10 minus 7 missing acquisitions -> 42
        units = [1] * 41
        for gap in (3, 9, 15, 21, 27, 33, 38):   # seven missing acquisitions -> 24-day gaps
            units[gap] = 2
        return dict(
            start=_dt.date(2018, 1, 11), step=12, n_dates=42, units=units, bperp_span=109.6, bperp_kind="tube",
            rows=160, cols=160, pixel=(20.0, 20.0), epsg=32651, lonlat=(123.548, 41.995), centre=(300.0, -520.0),
            incidence=37.1, heading=-166.2, atmosphere_mm=3.0, strat_mm_per_km=8.0, dem_error_std_m=5.0,
            dem_base_m=55.0, dem_relief_m=6.0, ps_density=0.25,
            # STUDIES.md C: sources 1..3 (x, y, depth, length, width, strike, relative opening)
            panels=[
                Panel(-15.99, 24.01, 482.09, 615.99, 352.91, 24.52, 1.0, -180.0, 2.2, 90.0, 0, 12),
                Panel(644.91, -1080.10, 568.67, 646.42, 229.36, 11.01, 0.06, -60.0, 1.6, 90.0, 1, 12),
                Panel(303.95, -939.95, 481.29, 640.73, 320.60, 147.68, 1.0, -120.0, 1.8, 90.0, 1, 12),
            ],
            bowl_targets_mm=[-157.26, -193.1], features=dict(layout="puhe"),
        )
    if name == "huaibei":
        # 26 dates 2020-10-31 .. 2022-08-22 (660 d): 12-day steps up to the common master
        # 2021-03-12 (index 11), then 24/36/48-day gaps (12/24 days alone cannot span 660 d).
        units = [1] * 11 + [2, 3, 3, 3, 4, 3, 3, 3, 4, 3, 3, 3, 3, 4]
        return dict(
            start=_dt.date(2020, 10, 31), step=12, n_dates=26, units=units, bperp_span=120.0,
            bperp_kind="master", master=11,
            rows=200, cols=200, pixel=(10.0, 10.0), epsg=32650, lonlat=(116.80, 33.90), centre=(0.0, 0.0),
            incidence=39.0, heading=-12.0, atmosphere_mm=2.5, strat_mm_per_km=6.0, dem_error_std_m=4.0,
            dem_base_m=30.0, dem_relief_m=4.0, ps_density=0.35,
            panels=[
                Panel(250.0, -200.0, 380.0, 500.0, 160.0, 70.0, 1.0, -120.0, 2.0, 80.0, 0, 12),
                Panel(-420.0, 350.0, 420.0, 400.0, 150.0, 95.0, 1.0, -200.0, 1.5, 80.0, 1, 10),
            ],
            bowl_targets_mm=[-53.7, -30.0], features=dict(layout="huaibei"),
        )
    if name == "muli":
        # 2018-01-12 .. 2023-04-04 (1908 d) at 36-day sampling -> 54 dates
        return dict(
            start=_dt.date(2018, 1, 12), step=36, n_dates=54, units=None, bperp_span=150.0, bperp_kind="tube",
            rows=96, cols=144, pixel=(20.0, 20.0), epsg=32647, lonlat=(99.1385, 38.1357), centre=(0.0, 0.0),
            incidence=40.0, heading=-12.0, atmosphere_mm=5.0, strat_mm_per_km=25.0, dem_error_std_m=6.0,
            dem_base_m=4050.0, dem_relief_m=40.0, ps_density=0.15,
            # settling waste dump north of the pit (shallow compaction "source")
            panels=[Panel(300.0, 560.0, 120.0, 500.0, 260.0, 80.0, 1.0, -400.0, 0.6, 300.0, 0, 10)],
            bowl_targets_mm=[-120.0], features=dict(layout="muli"),
        )
    raise ValueError(f"SCENARIO: {name!r} is not one of {', '.join(PRESETS)}")


_OVERRIDES = {
    "rows", "cols", "n_dates", "date_step_days", "dates", "bperp_m", "atmosphere_mm", "strat_mm_per_km",
    "dem_error_std_m", "coherence_scale", "ps_density", "ps_snr", "noise_free", "bowl_model", "geometry",
    "incidence_deg", "heading_deg", "wavelength_m", "slant_range_m", "pixel_m", "bowl_targets_mm",
    "panels", "dem_base_m", "dem_relief_m", "bperp_span_m",
}


def scenario(name: str = "tiny", **overrides) -> Scenario:
    """A preset scenario, optionally modified.

    Parameters
    ----------
    name : {"tiny", "puhe", "huaibei", "muli"}
        Preset (see docs/simulate.md).
    **overrides
        ``rows``, ``cols`` (grid size; the scene stays centred), ``n_dates``
        and/or ``date_step_days`` (regular dates from the preset's first date;
        ``n_dates`` alone keeps the preset's step, ``date_step_days`` alone
        keeps its time span), ``dates`` (explicit list), ``bperp_m`` (per date,
        relative to the first), ``bperp_span_m``, ``atmosphere_mm``,
        ``strat_mm_per_km``, ``dem_error_std_m``, ``coherence_scale``,
        ``ps_density``, ``ps_snr``, ``noise_free``, ``bowl_model``
        (``auto``/``okada``/``knothe``), ``bowl_targets_mm``, ``panels``,
        ``dem_base_m``, ``dem_relief_m``, ``pixel_m``, ``geometry`` or single
        ``incidence_deg``/``heading_deg``/``wavelength_m``/``slant_range_m``.
        ``None`` values mean "preset".
    """
    key = str(name).strip().lower() if name is not None else ""
    if key not in PRESETS:
        raise ValueError(f"SCENARIO: {name!r} is not one of {', '.join(PRESETS)}")
    ov = {k: v for k, v in overrides.items() if v is not None}
    unknown = sorted(set(ov) - _OVERRIDES)
    if unknown:
        raise ValueError(f"SCENARIO: unknown override(s) {', '.join(unknown)}; "
                         f"allowed: {', '.join(sorted(_OVERRIDES))}")
    p = _preset(key)
    # ---- dates
    if "dates" in ov:
        from .validate import check_dates
        dates = sorted(check_dates("DATES", [d if isinstance(d, str) else d.strftime("%Y%m%d")
                                             for d in ov["dates"]], min_count=2))
    elif "n_dates" in ov or "date_step_days" in ov:
        step = int(ov.get("date_step_days", p["step"]))
        if step < 1:
            raise ValueError(f"DATE_STEP: must be >= 1 day, got {step}")
        if "n_dates" in ov:
            n = int(ov["n_dates"])
        else:
            span = (_units_to_dates(p["start"], p["units"], p["step"])[-1] - p["start"]).days \
                if p["units"] else (p["n_dates"] - 1) * p["step"]
            n = span // step + 1
        if n < 2 or n > 2000:
            raise ValueError(f"N_DATES: must be in [2, 2000], got {n}")
        dates = [p["start"] + _dt.timedelta(days=step * k) for k in range(n)]
    elif p["units"] is not None:
        dates = _units_to_dates(p["start"], p["units"], p["step"])
    else:
        dates = [p["start"] + _dt.timedelta(days=p["step"] * k) for k in range(p["n_dates"])]
    n = len(dates)
    # ---- baselines
    span = float(ov.get("bperp_span_m", p["bperp_span"]))
    if "bperp_m" in ov:
        b = np.asarray(ov["bperp_m"], dtype=np.float64).ravel()
        if b.size != n:
            raise ValueError(f"BPERP: {b.size} baselines for {n} dates")
        bperp = b - b[0]
    elif p["bperp_kind"] == "master" and n == p["n_dates"] and "dates" not in ov:
        bperp = _master_baselines(dates, p["master"], span, seed=_name_seed(key))
    else:
        bperp = _orbital_tube(n, span, seed=_name_seed(key) + n)
    # ---- geometry
    if "geometry" in ov:
        geom = dataclasses.replace(ov["geometry"])
    else:
        inc = float(ov.get("incidence_deg", p["incidence"]))
        geom = Geometry(incidence_deg=inc, heading_deg=float(ov.get("heading_deg", p["heading"])),
                        slant_range_m=float(ov.get("slant_range_m", slant_range_from_incidence(inc))))
        if "wavelength_m" in ov:
            geom.wavelength_m = float(ov["wavelength_m"])
    pix = ov.get("pixel_m", p["pixel"])
    px, py = (float(pix), float(pix)) if np.isscalar(pix) else (float(pix[0]), float(pix[1]))
    if px <= 0 or py <= 0:
        raise ValueError(f"PIXEL: pixel size must be > 0, got {pix!r}")
    if "geometry" not in ov:
        # geocoded grid: slant-range spacing that maps to the ground pixel, azimuth = north pixel
        geom.range_pixel_m = px * math.sin(math.radians(geom.incidence_deg))
        geom.azimuth_pixel_m = py
    geom.validate()
    rows, cols = int(ov.get("rows", p["rows"])), int(ov.get("cols", p["cols"]))
    if rows < 8 or cols < 8 or rows * cols > 25_000_000:
        raise ValueError(f"ROWS/COLS: grid {rows} x {cols} must be at least 8 x 8 and at most 25 Mpixel")
    ox, oy = _utm_of(p["lonlat"], p["epsg"])
    cx, cy = p["centre"]
    x0 = ox + cx - cols * px / 2.0
    y0 = oy + cy + rows * py / 2.0
    sc = Scenario(
        name=key, dates=list(dates), bperp_m=np.asarray(bperp, dtype=np.float64), rows=rows, cols=cols,
        geometry=geom, pixel_x_m=px, pixel_y_m=py, crs_epsg=int(p["epsg"]),
        origin=(float(round(x0, 3)), float(round(y0, 3))), origin_lonlat=tuple(p["lonlat"]),
        centre_local=(float(cx), float(cy)),
        atmosphere_mm=p["atmosphere_mm"], strat_mm_per_km=p["strat_mm_per_km"],
        dem_error_std_m=p["dem_error_std_m"], dem_base_m=p["dem_base_m"], dem_relief_m=p["dem_relief_m"],
        ps_density=p["ps_density"], panels=[dataclasses.replace(q) for q in p["panels"]],
        bowl_targets_mm=list(p["bowl_targets_mm"]), features=dict(p["features"]),
    )
    for k in ("atmosphere_mm", "strat_mm_per_km", "dem_error_std_m", "coherence_scale", "ps_density", "ps_snr",
              "dem_base_m", "dem_relief_m"):
        if k in ov:
            setattr(sc, k, float(ov[k]))
    if "noise_free" in ov:
        sc.noise_free = bool(ov["noise_free"])
    if "bowl_model" in ov:
        sc.bowl_model = str(ov["bowl_model"]).strip().lower()
    if "panels" in ov:
        sc.panels = [q if isinstance(q, Panel) else Panel(**q) for q in ov["panels"]]
    if "bowl_targets_mm" in ov:
        sc.bowl_targets_mm = [float(v) for v in ov["bowl_targets_mm"]]
    validate_scenario(sc)
    return sc


def _name_seed(name: str) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(name)) * 7919


def validate_scenario(sc: Scenario) -> Scenario:
    """Check the knobs of a scenario, naming the Processing parameter."""
    from .validate import check_range
    check_range("ATMOSPHERE_MM", sc.atmosphere_mm, 0.0, 1000.0)
    check_range("STRAT_MM_PER_KM", sc.strat_mm_per_km, 0.0, 1000.0)
    check_range("DEM_ERROR_STD_M", sc.dem_error_std_m, 0.0, 1000.0)
    check_range("COHERENCE_SCALE", sc.coherence_scale, 0.0, 1.5)
    check_range("PS_DENSITY", sc.ps_density, 0.0, 1.0)
    check_range("PS_SNR", sc.ps_snr, 1.0, 1e4)
    if sc.bowl_model not in ("auto", "okada", "knothe"):
        raise ValueError(f"BOWL_MODEL: {sc.bowl_model!r} is not one of auto, okada, knothe")
    if len(sc.bperp_m) != len(sc.dates):
        raise ValueError(f"BPERP: {len(sc.bperp_m)} baselines for {len(sc.dates)} dates")
    if any(b >= a for a, b in zip(sc.dates[1:], sc.dates[:-1])):
        raise ValueError("DATES: dates must be strictly increasing")
    nb = max([q.bowl for q in sc.panels], default=-1) + 1
    if len(sc.bowl_targets_mm) < nb:
        raise ValueError(f"BOWL_TARGETS: {nb} bowls but {len(sc.bowl_targets_mm)} targets")
    return sc
