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

from ._numba import NUMBA_AVAILABLE, njit

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
                Panel(-15.99, 24.01, 482.09, 615.99, 352.91, 24.52, 1.0, -150.0, 2.2, 90.0, 0, 12),
                Panel(644.91, -1080.10, 568.67, 646.42, 229.36, 11.01, 0.06, -330.0, 2.0, 170.0, 1, 12),
                Panel(303.95, -939.95, 481.29, 640.73, 320.60, 147.68, 1.0, -330.0, 1.8, 170.0, 1, 12),
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
                Panel(250.0, -200.0, 380.0, 500.0, 160.0, 70.0, 1.0, -420.0, 2.0, 135.0, 0, 12),
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


# ------------------------------------------------------------------- random fields
def _streams(seed: int):
    """Independent random generators per ingredient (changing one knob does not
    change the draws of the others)."""
    names = ("dem", "landcover", "ps", "dem_error", "atmosphere", "speckle", "texture")
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 0x4D53])
    return {n: np.random.default_rng(s) for n, s in zip(names, ss.spawn(len(names)))}


def powerlaw_field(rng: np.random.Generator, rows: int, cols: int, *, beta: float = 8.0 / 3.0,
                   pixel_m: float = 20.0, outer_scale_m: float = 20_000.0) -> np.ndarray:
    """Zero-mean, unit-std 2-D random field with power spectrum ∝ k^−beta.

    FFT synthesis on a 2× padded grid (less periodicity), cropped; the
    spectrum is flattened beyond ``outer_scale_m``.  ``beta = 8/3`` is the
    turbulent troposphere of Hanssen (2001); ``beta ≈ 3.5–4`` gives fractal
    terrain.
    """
    pr, pc = 2 * rows, 2 * cols
    ky = np.fft.fftfreq(pr, d=pixel_m)
    kx = np.fft.rfftfreq(pc, d=pixel_m)
    k = np.sqrt(ky[:, None] ** 2 + kx[None, :] ** 2)
    k0 = 1.0 / outer_scale_m
    amp = (k * k + k0 * k0) ** (-beta / 4.0)
    amp[0, 0] = 0.0
    noise = rng.standard_normal((pr, pc // 2 + 1)) + 1j * rng.standard_normal((pr, pc // 2 + 1))
    f = np.fft.irfft2(noise * amp, s=(pr, pc))[:rows, :cols]
    f = f - f.mean()
    s = f.std()
    return f / s if s > 0 else f


# ------------------------------------------------------------------------ geometry
def _in_rect(X, Y, r):
    x0, x1, y0, y1 = r
    return (X >= x0) & (X <= x1) & (Y >= y0) & (Y <= y1)


def _in_ellipse(X, Y, e):
    cx, cy, a, b = e[:4]
    ang = math.radians(e[4]) if len(e) > 4 else 0.0
    u = (X - cx) * math.cos(ang) + (Y - cy) * math.sin(ang)
    v = -(X - cx) * math.sin(ang) + (Y - cy) * math.cos(ang)
    return (u / a) ** 2 + (v / b) ** 2 <= 1.0


def _ellipse_r(X, Y, e):
    cx, cy, a, b = e[:4]
    ang = math.radians(e[4]) if len(e) > 4 else 0.0
    u = (X - cx) * math.cos(ang) + (Y - cy) * math.sin(ang)
    v = -(X - cx) * math.sin(ang) + (Y - cy) * math.cos(ang)
    return np.sqrt((u / a) ** 2 + (v / b) ** 2)


def _near_polyline(X, Y, pts, width_m):
    """Pixels within ``width_m/2`` of a polyline (at least the nearest pixel row)."""
    out = np.zeros(X.shape, dtype=bool)
    for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
        dx, dy = x1 - x0, y1 - y0
        L2 = dx * dx + dy * dy
        t = np.clip(((X - x0) * dx + (Y - y0) * dy) / max(L2, 1e-9), 0.0, 1.0)
        d = np.hypot(X - (x0 + t * dx), Y - (y0 + t * dy))
        out |= d <= width_m / 2.0
    return out


#: Layouts in local metres: villages (built-up areas with buildings), roads and
#: railways (polylines, width m), water bodies, active-mine areas, and
#: preset-specific extras.
LAYOUTS = {
    "tiny": dict(
        fractions=(0.35, 0.25, 0.4),   # farmland, vegetation, bare of the open land
        villages=[(-560.0, -180.0, 200.0, 560.0)],
        roads=[([(-700.0, -260.0), (700.0, -220.0)], 20.0)],
        water=[(420.0, -430.0, 150.0, 110.0, 0.0)],
        mine=[(400.0, 540.0, 60.0, 180.0)],
    ),
    "puhe": dict(
        fractions=(0.65, 0.25, 0.10),
        villages=[(-1200.0, -700.0, 450.0, 950.0), (1150.0, 1750.0, -300.0, 200.0), (-350.0, 250.0, -2050.0, -1750.0)],
        roads=[([(-1400.0, 300.0), (2000.0, 380.0)], 20.0), ([(900.0, 1200.0), (700.0, -2200.0)], 20.0)],
        water=[(1300.0, -1850.0, 160.0, 90.0, 20.0)],
        rivers=[([(-1400.0, -1450.0), (-600.0, -1300.0), (100.0, -1600.0)], 60.0)],
        mine=[(-650.0, -450.0, -300.0, -150.0)],
    ),
    "huaibei": dict(
        fractions=(0.55, 0.30, 0.15),
        villages=[(-150.0, 250.0, 150.0, 450.0), (-900.0, -500.0, -900.0, -560.0), (500.0, 900.0, 520.0, 900.0)],
        roads=[([(-1100.0, -100.0), (1100.0, -40.0)], 10.0), ([(-1100.0, 820.0), (1100.0, 600.0)], 10.0),
               ([(60.0, 1100.0), (40.0, -1100.0)], 10.0)],
        water=[(650.0, -700.0, 200.0, 120.0, -15.0)],
        mine=[(280.0, 380.0, 160.0, 240.0)],
        # cooling towers A1/A2 (31.46 m apart), house B, winch house C: (name, x, y, radius, vertical extra)
        structures=[("A1", -20.0, 330.0, 8.0, ("tilt", 0.0)), ("A2", 11.46, 330.0, 8.0, ("tilt", -15.73)),
                    ("B", 150.0, 200.0, 6.0, ("linear", -7.9)), ("C", -100.0, 400.0, 6.0, ("seasonal", 5.0))],
        karst=[(-700.0, 700.0, 45.0, -30.0)],   # x, y, radius m, total vertical mm (accelerating)
    ),
    "muli": dict(
        fractions=(0.0, 0.6, 0.4),   # alpine meadow and bare rock
        villages=[(900.0, 1300.0, -820.0, -560.0)],
        roads=[([(-1500.0, -600.0), (-400.0, -420.0), (1100.0, -650.0)], 20.0)],
        water=[(-380.0, -250.0, 130.0, 60.0, 10.0)],
        pit=(-200.0, -150.0, 720.0, 380.0, 10.0, 160.0, -25.0),   # ellipse, depth m, DEM error m
        dump=(300.0, 560.0, 460.0, 230.0, 80.0, 60.0),            # ellipse, height m
        ridges=[(-1500.0, 700.0, 1500.0, 900.0, 120.0)],          # from, to, height m
        seasonal_mm=6.0,   # permafrost freeze-thaw (vertical, summer thaw subsidence)
    ),
}


def _layout(sc: Scenario, X: np.ndarray, Y: np.ndarray, rng: Dict[str, np.random.Generator]):
    """Land cover, building mask (PS candidates), DEM (m) and DEM error (m)."""
    lay = LAYOUTS[sc.features.get("layout", sc.name)]
    rows, cols = X.shape
    px = min(sc.pixel_x_m, sc.pixel_y_m)
    # ---- DEM: base + fractal relief + gentle regional slope
    relief = powerlaw_field(rng["dem"], rows, cols, beta=3.6, pixel_m=px, outer_scale_m=5000.0)
    dem = sc.dem_base_m + sc.dem_relief_m * relief + 0.004 * (X - X.mean()) - 0.002 * (Y - Y.mean())
    dem_error = sc.dem_error_std_m * powerlaw_field(rng["dem_error"], rows, cols, beta=4.0, pixel_m=px,
                                                    outer_scale_m=800.0)
    # ---- open land
    f = powerlaw_field(rng["landcover"], rows, cols, beta=3.0, pixel_m=px, outer_scale_m=1500.0)
    ff, fv, fb = lay["fractions"]
    q1, q2 = np.quantile(f, [ff, ff + fv]) if ff > 0 else (f.min() - 1, np.quantile(f, fv))
    lc = np.where(f <= q1, FARMLAND, np.where(f <= q2, VEGETATION, BARE)).astype(np.uint8)
    buildings = np.zeros((rows, cols), dtype=bool)
    # ---- villages with buildings (blocks of ~2-4 px) and courtyards
    for r in lay.get("villages", []):
        m = _in_rect(X, Y, r)
        lc[m] = URBAN
        blk = rng["landcover"].random((rows // 2 + 1, cols // 2 + 1)) < 0.45
        blk = np.kron(blk, np.ones((2, 2), dtype=bool))[:rows, :cols]
        buildings |= m & blk
    for pts, w in lay.get("roads", []):
        m = _near_polyline(X, Y, pts, max(w, px))
        lc[m] = URBAN
    for e in lay.get("water", []):
        lc[_in_ellipse(X, Y, e)] = WATER
    for pts, w in lay.get("rivers", []):
        m = _near_polyline(X, Y, pts, w)
        lc[m] = WATER
        dem[m] -= 3.0
    for r in lay.get("mine", []):
        lc[_in_rect(X, Y, r)] = MINE
    # ---- Muli: open pit, waste dump, ridges (strong relief)
    if "ridges" in lay:
        for x0, y0, x1, y1, hgt in lay["ridges"]:
            d = np.abs(_dist_to_segment(X, Y, x0, y0, x1, y1))
            dem += hgt * np.exp(-(d / 600.0) ** 2)
    if "pit" in lay:
        cx, cy, a, b, ang, depth, derr = lay["pit"]
        r = _ellipse_r(X, Y, (cx, cy, a, b, ang))
        inside = r <= 1.0
        bench = np.floor((1.0 - np.clip(r, 0, 1)) * 8.0) / 8.0       # terraced benches
        dem -= depth * bench * inside
        lc[inside] = MINE
        # excavation since the DEM was made: the true surface is below the DEM
        dem_error += derr * np.clip(1.2 - r, 0.0, 1.0) * inside
        for e in lay.get("water", []):
            lc[_in_ellipse(X, Y, e)] = WATER
    if "dump" in lay:
        cx, cy, a, b, ang, hgt = lay["dump"]
        r = _ellipse_r(X, Y, (cx, cy, a, b, ang))
        dem += hgt * np.clip(1.0 - r ** 2, 0.0, None)
        lc[r <= 0.9] = BARE
    # PS candidates on buildings, roads/railways (urban lines), structures
    lc_urban = lc == URBAN
    roads = np.zeros_like(buildings)
    for pts, w in lay.get("roads", []):
        roads |= _near_polyline(X, Y, pts, max(w, px))
    return lc, buildings & lc_urban, roads & lc_urban, dem.astype(np.float64), dem_error


def _dist_to_segment(X, Y, x0, y0, x1, y1):
    dx, dy = x1 - x0, y1 - y0
    t = np.clip(((X - x0) * dx + (Y - y0) * dy) / max(dx * dx + dy * dy, 1e-9), 0.0, 1.0)
    return np.hypot(X - (x0 + t * dx), Y - (y0 + t * dy))


# -------------------------------------------------------------------- deformation
def okada_available() -> bool:
    """True when ``algorithms/okada.py`` provides ``rectangles_enu``."""
    try:
        from . import okada  # noqa: F401
    except Exception:
        return False
    return callable(getattr(okada, "rectangles_enu", None))


def knothe_rectangles_enu(x: np.ndarray, y: np.ndarray, sources: np.ndarray,
                          influence_ratio: float = 1.2) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Analytic Knothe-type bowl of horizontal rectangular panels (fallback of Okada).

    Same source table as ``okada.rectangles_enu`` (columns x, y, depth,
    length, width, strike, dip, opening, ...; only horizontal panels are
    modelled). Vertical displacement = opening × the Knothe influence
    function integrated over the rectangle with radius of major influence
    ``r = influence_ratio · depth`` (1.2 gives the half-width of an elastic
    horizontal crack); horizontal displacement = −B·∇u_z with
    ``B = r/√(2π)`` (Aversin–Awierszyn), i.e. toward the bowl centre.
    Returns ``(ue, un, uu)`` in metres.
    """
    from scipy.special import erf
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ue = np.zeros(x.shape)
    un = np.zeros(x.shape)
    uu = np.zeros(x.shape)
    sq = math.sqrt(math.pi)
    for s in np.atleast_2d(sources):
        xc, yc, depth, length, width, strike, _dip, opening = [float(v) for v in s[:8]]
        r = max(influence_ratio * depth, 1e-3)
        st, ct = math.sin(math.radians(strike)), math.cos(math.radians(strike))
        u = (x - xc) * st + (y - yc) * ct          # along strike
        v = (x - xc) * ct - (y - yc) * st          # across strike (to the right)
        a, b = length / 2.0, width / 2.0
        fu = 0.5 * (erf(sq * (u + a) / r) - erf(sq * (u - a) / r))
        fv = 0.5 * (erf(sq * (v + b) / r) - erf(sq * (v - b) / r))
        dfu = (np.exp(-math.pi * (u + a) ** 2 / r ** 2) - np.exp(-math.pi * (u - a) ** 2 / r ** 2)) / r
        dfv = (np.exp(-math.pi * (v + b) ** 2 / r ** 2) - np.exp(-math.pi * (v - b) ** 2 / r ** 2)) / r
        w = opening * fu * fv
        gu, gv = opening * dfu * fv, opening * fu * dfv
        B = r / math.sqrt(2.0 * math.pi)
        hu, hv = -B * gu, -B * gv
        ue += hu * st + hv * ct
        un += hu * ct - hv * st
        uu += w
    return ue, un, uu


def _panel_slices(p: Panel) -> List[Tuple[np.ndarray, float]]:
    """Split a panel along strike into slices: (source row with unit closing, mining day)."""
    st, ct = math.sin(math.radians(p.strike_deg)), math.cos(math.radians(p.strike_deg))
    n = max(int(p.n_slices), 1)
    dl = p.length / n
    out = []
    for j in range(n):
        s = -p.length / 2.0 + (j + 0.5) * dl
        row = np.array([p.x + s * st, p.y + s * ct, p.depth, dl, p.width, p.strike_deg, 0.0, -1.0, 0.0, 0.0])
        t_mined = p.t_start_days + (j + 0.5) * dl / max(p.advance_m_per_day, 1e-6)
        out.append((row, t_mined))
    return out


def knothe_time(t_days: np.ndarray, t_mined: float, tau: float) -> np.ndarray:
    """Knothe time function 1 − exp(−(t − t_mined)/τ) (0 before mining)."""
    dt = np.asarray(t_days, dtype=np.float64) - t_mined
    return np.where(dt > 0, 1.0 - np.exp(-np.maximum(dt, 0.0) / max(tau, 1e-6)), 0.0)


def bowl_displacement(sc: Scenario, X: np.ndarray, Y: np.ndarray, *, model: Optional[str] = None,
                      feedback=None):
    """Mining-bowl displacement of every date (metres, relative to the first date).

    Returns ``(ue, un, uu, openings, model_used)`` with ``ue, un, uu`` of
    shape ``(n_dates, rows, cols)`` and ``openings`` the calibrated final
    opening (m, negative) of every panel.  Each bowl is scaled so that its
    maximum cumulative VERTICAL subsidence equals ``sc.bowl_targets_mm``.
    """
    model = (model or sc.bowl_model or "auto").lower()
    use_okada = model == "okada" or (model == "auto" and okada_available())
    if model == "okada" and not okada_available():
        raise ValueError("BOWL_MODEL: okada requested but algorithms/okada.py (rectangles_enu) is not available")
    n = sc.n_dates
    shape = (n,) + X.shape
    t = sc.t_days
    nb = max([p.bowl for p in sc.panels], default=-1) + 1
    per_bowl = [[np.zeros(shape), np.zeros(shape), np.zeros(shape)] for _ in range(nb)]
    used = "okada" if use_okada else "knothe"
    for p in sc.panels:
        check_cancel(feedback)
        for row, t_m in _panel_slices(p):
            f = knothe_time(t, t_m, p.knothe_tau_days)
            f = f - f[0]
            if not np.any(f):
                continue
            src = row[None, :].copy()
            src[0, 7] *= p.weight
            fields = None
            if used == "okada":
                try:
                    from . import okada
                    fields = okada.rectangles_enu(X, Y, src, poisson=0.25)
                    fields = [np.asarray(c, dtype=np.float64).reshape(X.shape) for c in fields]
                    if not all(np.all(np.isfinite(c)) for c in fields):
                        raise ValueError("non-finite Okada displacement")
                except Exception as exc:  # noqa: BLE001 - fall back to the analytic bowl
                    if model == "okada":
                        raise
                    warn(feedback, f"Okada forward model failed ({exc}); using the analytic Knothe bowl")
                    used = "knothe"
                    return bowl_displacement(sc, X, Y, model="knothe", feedback=feedback)
            if fields is None:
                fields = knothe_rectangles_enu(X, Y, src)
            for acc, c in zip(per_bowl[p.bowl], fields):
                acc += f[:, None, None] * c[None]
    # ---- calibrate each bowl to its target maximum cumulative vertical (mm)
    scales = np.ones(nb)
    for b in range(nb):
        mn = per_bowl[b][2][-1].min()
        scales[b] = (sc.bowl_targets_mm[b] / 1000.0) / mn if mn < 0 else 0.0
    if nb > 1:
        last = np.stack([pb[2][-1] for pb in per_bowl])     # (nb, rows, cols)
        owner = np.argmin(last * scales[:, None, None], axis=0)  # bowl contributing most subsidence
        for _ in range(4):
            tot = np.tensordot(scales, last, axes=1)
            for b in range(nb):
                m = owner == b
                mn = tot[m].min() if m.any() else 0.0
                if mn < 0:
                    scales[b] *= (sc.bowl_targets_mm[b] / 1000.0) / mn
    ue, un, uu = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for b in range(nb):
        ue += scales[b] * per_bowl[b][0]
        un += scales[b] * per_bowl[b][1]
        uu += scales[b] * per_bowl[b][2]
    openings = [-1.0 * p.weight * scales[p.bowl] for p in sc.panels]
    return ue, un, uu, openings, used


def observed_openings(sc: Scenario, openings: Sequence[float]) -> List[float]:
    """Closure of each panel realised between the first and the last date (m).

    ``openings`` are the final openings (after all mining); the displacement
    between the first and last acquisitions equals that of the whole
    rectangle closing by (on average) this much — what an Okada inversion of
    the cumulative displacement recovers.
    """
    t = sc.t_days
    out = []
    for p, o in zip(sc.panels, openings):
        fr = [float(knothe_time(t[-1:], tm, p.knothe_tau_days)[0] - knothe_time(t[:1], tm, p.knothe_tau_days)[0])
              for _, tm in _panel_slices(p)]
        out.append(float(o) * float(np.mean(fr)))
    return out


def _seasonal(sc: Scenario, amp_mm: float, peak_doy: float = 240.0) -> np.ndarray:
    """Seasonal vertical signal (mm) per date, relative to the first date:
    −amp at ``peak_doy`` (summer thaw / heat), +amp half a year later."""
    doy = np.array([d.timetuple().tm_yday for d in sc.dates], dtype=np.float64)
    s = -amp_mm * np.cos(2.0 * math.pi * (doy - peak_doy) / DAYS_PER_YEAR)
    return s - s[0]


# --------------------------------------------------------------------- coherence
def coherence_matrix(sc: Scenario, landcover: int) -> np.ndarray:
    """Model coherence matrix Γ (n_dates × n_dates) of a land-cover class.

    ``Γ_ij = [(γ0−γ∞)·exp(−|t_i−t_j|/τ) + γ∞] · max(0, 1 − |B⊥_i−B⊥_j|/B_c)``
    off the diagonal, 1 on it; ``B_c`` is :func:`critical_baseline_m`.  γ0 and
    γ∞ are scaled by ``sc.coherence_scale`` (capped at 0.99).  Water: identity.
    """
    n = sc.n_dates
    if landcover == WATER:
        return np.eye(n)
    g0, ginf, tau, _ = COHERENCE_MODEL[int(landcover)]
    g0 = min(g0 * sc.coherence_scale, 0.99)
    ginf = min(ginf * sc.coherence_scale, g0)
    t = sc.t_days
    dt = np.abs(t[:, None] - t[None, :])
    db = np.abs(sc.bperp_m[:, None] - sc.bperp_m[None, :])
    g = ((g0 - ginf) * np.exp(-dt / tau) + ginf) * np.maximum(0.0, 1.0 - db / sc.critical_baseline_m())
    np.fill_diagonal(g, 1.0)
    return g


@njit(cache=True, nogil=True)
def _compose_kernel(z, amp, disp_m, topo_h, bperp, atmo, k_disp, k_topo, out):  # pragma: no cover - numba
    """out[k, p] = amp[p] · z[k, p] · exp(i φ_kp)  (the DESIGN §2 phase)."""
    n, npix = z.shape
    for p in range(npix):
        a = amp[p]
        h = topo_h[p]
        for k in range(n):
            ph = k_disp * disp_m[k, p] + k_topo * bperp[k] * h + atmo[k, p]
            out[k, p] = a * z[k, p] * (math.cos(ph) + 1j * math.sin(ph))


def _compose(z, amp, disp_m, topo_h, bperp, atmo, k_disp, k_topo):
    out = np.empty(z.shape, dtype=np.complex64)
    if not NUMBA_AVAILABLE:  # pragma: no cover - numpy fallback (same formula)
        ph = k_disp * disp_m + k_topo * np.asarray(bperp)[:, None] * np.asarray(topo_h)[None, :] + atmo
        out[:] = np.asarray(amp)[None, :] * z * np.exp(1j * ph)
        return out
    _compose_kernel(np.ascontiguousarray(z, dtype=np.complex64), np.ascontiguousarray(amp, dtype=np.float32),
                    np.ascontiguousarray(disp_m, dtype=np.float64), np.ascontiguousarray(topo_h, dtype=np.float64),
                    np.ascontiguousarray(bperp, dtype=np.float64), np.ascontiguousarray(atmo, dtype=np.float64),
                    float(k_disp), float(k_topo), out)
    return out


def signal_phase(sc: Scenario, disp_mm: np.ndarray, dem: np.ndarray, dem_error: np.ndarray,
                 atmo_rad: np.ndarray) -> np.ndarray:
    """Deterministic SLC phase (rad) of each date (DESIGN §2), ``(n, rows, cols)``:
    ``4π/λ·d/1000 + 4π/λ·B⊥·(DEM + DEM error)/(R sin θ) + α``."""
    g = sc.geometry
    k = 4.0 * math.pi / g.wavelength_m
    rs = g.slant_range_m * math.sin(math.radians(g.incidence_deg))
    h = (dem + dem_error)[None]
    return k * disp_mm / 1000.0 + k * sc.bperp_m[:, None, None] * h / rs + atmo_rad


# ------------------------------------------------------------------- simulation
@dataclasses.dataclass
class SimArrays:
    """Result of :func:`simulate_arrays` (shapes: n = dates)."""

    scenario: Scenario
    slc: np.ndarray            # (n, rows, cols) complex64
    dem: np.ndarray            # (rows, cols) float32, the user's DEM (m)
    dem_error: np.ndarray      # (rows, cols) float32, true surface above the DEM (m)
    disp_mm: np.ndarray        # (n, rows, cols) float32, true LOS displacement (mm, toward satellite)
    vertical_mm: np.ndarray    # (n, rows, cols) float32, true vertical displacement (mm, up)
    velocity: np.ndarray       # (rows, cols) float32, LOS velocity (mm/yr, linear fit)
    vertical_velocity: np.ndarray  # (rows, cols) float32, vertical velocity (mm/yr)
    ps_mask: np.ndarray        # (rows, cols) bool
    landcover: np.ndarray      # (rows, cols) uint8, codes URBAN..MINE
    atmo_rad: np.ndarray       # (n, rows, cols) float32, atmospheric phase added to each SLC (rad)
    amplitude: np.ndarray      # (rows, cols) float32, mean amplitude of the scatterer
    openings_m: List[float]    # calibrated final opening of each panel (m)
    bowl_model: str            # "okada" or "knothe"
    structures: Dict[str, Tuple[int, int]] = dataclasses.field(default_factory=dict)  # name -> (row, col)

    def summary(self) -> Dict[str, float]:
        """Headline truth numbers (max cumulative / rates, mm and mm/yr)."""
        return {
            "max_cumulative_los_mm": float(self.disp_mm[-1].min()),
            "max_cumulative_vertical_mm": float(self.vertical_mm[-1].min()),
            "max_rate_los_mm_yr": float(self.velocity.min()),
            "max_rate_vertical_mm_yr": float(self.vertical_velocity.min()),
            "n_ps": int(self.ps_mask.sum()),
        }


def linear_rate(t_years: np.ndarray, series: np.ndarray) -> np.ndarray:
    """Least-squares slope (per year) of ``series`` (n, ...) against ``t_years``."""
    t = np.asarray(t_years, dtype=np.float64)
    tc = t - t.mean()
    den = float((tc * tc).sum())
    if den <= 0:
        return np.zeros(series.shape[1:])
    return np.tensordot(tc, series, axes=1) / den


def simulate_arrays(sc, seed: int = 0, *, feedback=None, **overrides) -> SimArrays:
    """Simulate a stack in memory.

    Parameters
    ----------
    sc : Scenario or str
        A :func:`scenario` (or a preset name, with ``overrides``).
    seed : int
        Every random draw (layout, PS, DEM error, atmosphere, speckle) derives
        from it: the same seed gives the same arrays.
    feedback : optional
        ``setProgress``/``isCanceled`` object.

    Returns
    -------
    SimArrays
        See the Simulator contract in docs/DEVELOPING.md; SLCs are
        ``(n_dates, rows, cols)`` complex64.
    """
    feedback = ensure(feedback)
    if isinstance(sc, str):
        sc = scenario(sc, **overrides)
    elif overrides:
        raise TypeError("overrides are only accepted with a preset name")
    validate_scenario(sc)
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise ValueError(f"SEED: expected an integer, got {seed!r}") from None
    rng = _streams(seed)
    n, rows, cols = sc.n_dates, sc.rows, sc.cols
    g = sc.geometry
    X, Y = sc.local_xy()
    lay = LAYOUTS[sc.features.get("layout", sc.name)]
    lc, buildings, roads, dem, dem_error = _layout(sc, X, Y, rng)
    feedback.setProgress(5.0)
    # ---- persistent scatterers: buildings, roads/railways, a few rocks
    u = rng["ps"].random((rows, cols))
    ps = (buildings & (u < min(1.0, 1.6 * sc.ps_density))) | (roads & (u < sc.ps_density)) \
        | ((lc == BARE) & (u < 0.01 * sc.ps_density))
    structures = {}
    for name, sx, sy, rad, _ in lay.get("structures", []):
        r, c = int((sc.origin[1] - (sy + _utm_of(sc.origin_lonlat, sc.crs_epsg)[1])) // sc.pixel_y_m), \
            int((sx + _utm_of(sc.origin_lonlat, sc.crs_epsg)[0] - sc.origin[0]) // sc.pixel_x_m)
        if 0 <= r < rows and 0 <= c < cols:
            ps[r, c] = True
            lc[r, c] = URBAN
            structures[name] = (r, c)
    ps &= lc != WATER
    # PS on buildings sit on the roof: their height above the DEM adds to the DEM error
    roof = np.where(buildings & ps, rng["ps"].uniform(4.0, 25.0, (rows, cols)), 0.0)
    dem_error = dem_error + roof
    # ---- deformation
    ue, un, uu, openings, used = bowl_displacement(sc, X, Y, feedback=feedback)
    feedback.setProgress(35.0)
    extra_v = np.zeros((n, rows, cols))
    T = max(sc.t_days[-1], 1.0)
    tt = sc.t_days / T
    for name, sx, sy, rad, (kind, val) in lay.get("structures", []):
        if name not in structures:
            continue
        r, c = structures[name]
        if kind in ("linear", "tilt"):
            extra_v[:, r, c] += val / 1000.0 * tt
        elif kind == "seasonal":
            extra_v[:, r, c] += _seasonal(sc, val, peak_doy=200.0) / 1000.0
    for kx, ky, rad, total in lay.get("karst", []):
        d2 = (X - kx) ** 2 + (Y - ky) ** 2
        extra_v += (total / 1000.0) * (tt ** 2)[:, None, None] * np.exp(-d2 / (2 * rad * rad))[None]
    if lay.get("seasonal_mm"):
        ground = (lc == VEGETATION) | (lc == BARE)
        extra_v += (_seasonal(sc, lay["seasonal_mm"]) / 1000.0)[:, None, None] * ground[None]
    uu = uu + extra_v
    e, nn, up = g.los_unit_vector()
    disp_m = e * ue + nn * un + up * uu
    disp_mm = (disp_m * 1000.0).astype(np.float32)
    vert_mm = (uu * 1000.0).astype(np.float32)
    vel = linear_rate(sc.t_years, disp_mm.astype(np.float64)).astype(np.float32)
    vvel = linear_rate(sc.t_years, vert_mm.astype(np.float64)).astype(np.float32)
    del ue, un, uu, extra_v
    # ---- atmosphere (delay in mm; phase −4π/λ · delay)
    h_true = dem + dem_error
    atmo_mm = np.zeros((n, rows, cols))
    ra = rng["atmosphere"]
    hmean = float(h_true.mean())
    for k in range(n):
        check_cancel(feedback)
        turb = powerlaw_field(ra, rows, cols, beta=8.0 / 3.0, pixel_m=min(sc.pixel_x_m, sc.pixel_y_m))
        strat = ra.standard_normal() * sc.strat_mm_per_km
        atmo_mm[k] = sc.atmosphere_mm * turb + strat * (h_true - hmean) / 1000.0
    atmo_rad = (-4.0 * math.pi / g.wavelength_m * atmo_mm / 1000.0).astype(np.float32)
    del atmo_mm
    feedback.setProgress(50.0)
    # ---- scattering: amplitude texture, distributed scatterers per class, PS
    tex = np.exp(0.3 * powerlaw_field(rng["texture"], rows, cols, beta=2.0, pixel_m=sc.pixel_x_m,
                                      outer_scale_m=300.0))
    amp = np.zeros((rows, cols))
    for code, (_, _, _, a) in COHERENCE_MODEL.items():
        amp[lc == code] = 2.0 * a
    amp *= tex
    npix = rows * cols
    z = np.empty((n, npix), dtype=np.complex64)
    rs = rng["speckle"]
    lcf = lc.ravel()
    psf = ps.ravel()
    if sc.noise_free:
        z[:] = np.exp(1j * rs.uniform(-math.pi, math.pi, npix))[None, :]
    else:
        for code in sorted(COHERENCE_MODEL):
            idx = np.flatnonzero((lcf == code) & ~psf)
            if idx.size == 0:
                continue
            gam = coherence_matrix(sc, code)
            L = np.linalg.cholesky(gam + 1e-9 * np.eye(n))
            w = (rs.standard_normal((n, idx.size)) + 1j * rs.standard_normal((n, idx.size))) / math.sqrt(2.0)
            z[:, idx] = (L @ w).astype(np.complex64)
            check_cancel(feedback)
        idx = np.flatnonzero(psf)
        if idx.size:
            phase0 = rs.uniform(-math.pi, math.pi, idx.size)
            clutter = (rs.standard_normal((n, idx.size)) + 1j * rs.standard_normal((n, idx.size))) / math.sqrt(2.0)
            z[:, idx] = (sc.ps_snr * np.exp(1j * phase0)[None, :] + clutter).astype(np.complex64)
    amp_ps = amp
    feedback.setProgress(70.0)
    k_disp = 4.0 * math.pi / g.wavelength_m
    k_topo = k_disp / (g.slant_range_m * math.sin(math.radians(g.incidence_deg)))
    slc = _compose(z, amp_ps.ravel(), disp_m.reshape(n, npix), h_true.ravel(), sc.bperp_m,
                   atmo_rad.reshape(n, npix), k_disp, k_topo).reshape(n, rows, cols)
    feedback.setProgress(90.0)
    return SimArrays(
        scenario=sc, slc=slc, dem=dem.astype(np.float32), dem_error=dem_error.astype(np.float32),
        disp_mm=disp_mm, vertical_mm=vert_mm, velocity=vel, vertical_velocity=vvel, ps_mask=ps,
        landcover=lc.astype(np.uint8), atmo_rad=atmo_rad, amplitude=amp.astype(np.float32),
        openings_m=[float(o) for o in openings], bowl_model=used, structures=structures,
    )


# ---------------------------------------------------------------------- writing
@dataclasses.dataclass
class SimulationResult:
    """Files written by :func:`simulate_stack` (absolute paths)."""

    out_dir: str
    manifest: str
    slc_paths: List[str]
    dem_path: str
    truth_paths: Dict[str, str]
    scenario_json: str
    scenario: Scenario
    summary: Dict[str, float]
    bowl_model: str

    @property
    def n_dates(self) -> int:
        return len(self.slc_paths)


#: Truth files (kind -> relative path) written by simulate_stack.
TRUTH_FILES = {
    "truth_displacement": "truth/displacement_los.tif",
    "truth_velocity": "truth/velocity_los.tif",
    "truth_dem_error": "truth/dem_error.tif",
    "ps_mask": "truth/ps_mask.tif",
    "landcover": "truth/landcover.tif",
    "truth_vertical_displacement": "truth/displacement_vertical.tif",
    "truth_vertical_velocity": "truth/velocity_vertical.tif",
    "atmosphere": "truth/atmosphere.tif",
}


def _sanitize_json(o):
    if isinstance(o, dict):
        return {str(k): _sanitize_json(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_sanitize_json(v) for v in o]
    if isinstance(o, np.ndarray):
        return _sanitize_json(o.tolist())
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (_dt.date,)):
        return stackio.date_label(o)
    return o


def simulate_stack(out_dir: str, scenario_or_name="tiny", seed: int = 0, *, feedback=None,
                   **overrides) -> SimulationResult:
    """Simulate a stack and write it as files.

    Layout of ``out_dir``::

        manifest.csv                 date,path,bperp_m (B⊥ relative to the first date)
        slc/YYYYMMDD.tif             one CFloat32 GeoTIFF per date (MINESAR_KIND=slc)
        dem.tif                      the user's DEM (m, MINESAR_KIND=dem)
        truth/displacement_los.tif   LOS displacement per date (mm, first date 0)
        truth/velocity_los.tif       LOS velocity (mm/yr, linear fit)
        truth/dem_error.tif          true height above the DEM (m)
        truth/ps_mask.tif            1 = persistent scatterer
        truth/landcover.tif          land-cover codes (docs/simulate.md)
        truth/displacement_vertical.tif, truth/velocity_vertical.tif, truth/atmosphere.tif
        scenario.json                every parameter, calibrated panel openings, headline truth

    Everything is written into a hidden folder beside ``out_dir`` and moved
    in when complete (the manifest last): a failed or cancelled run leaves
    ``out_dir`` as it was.

    Parameters
    ----------
    out_dir : str
        Destination folder (created; existing files of the same names are replaced).
    scenario_or_name : Scenario or str
        A scenario or a preset name (then ``overrides`` apply).
    seed : int
        Random seed (same seed, same files).
    """
    feedback = ensure(feedback)
    if out_dir is None or str(out_dir).strip() == "":
        raise ValueError("OUTPUT_FOLDER: no folder given")
    if isinstance(scenario_or_name, Scenario):
        if overrides:
            raise TypeError("overrides are only accepted with a preset name")
        sc = scenario_or_name
    else:
        sc = scenario(scenario_or_name, **overrides)
    out_dir = os.path.abspath(str(out_dir))
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ValueError(f"OUTPUT_FOLDER: {out_dir} exists and is not a folder")
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = os.path.join(parent, f".{os.path.basename(out_dir)}.tmp-{uuid.uuid4().hex[:8]}")
    os.makedirs(tmp)
    try:
        arr = simulate_arrays(sc, seed, feedback=_Scaled(feedback, 0.0, 60.0))
        check_cancel(feedback)
        names = _write_all(tmp, sc, arr, seed, feedback)
        _move_into(tmp, out_dir, names)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    feedback.setProgress(100.0)
    j = lambda rel: os.path.join(out_dir, *rel.split("/"))  # noqa: E731
    return SimulationResult(
        out_dir=out_dir, manifest=j("manifest.csv"),
        slc_paths=[j(f"slc/{stackio.date_label(d)}.tif") for d in sc.dates],
        dem_path=j("dem.tif"), truth_paths={k: j(v) for k, v in TRUTH_FILES.items()},
        scenario_json=j("scenario.json"), scenario=sc, summary=arr.summary(), bowl_model=arr.bowl_model,
    )


class _Scaled:
    def __init__(self, parent, a, b):
        self.parent, self.a, self.b = parent, a, b

    def setProgress(self, v):  # noqa: N802
        self.parent.setProgress(self.a + (self.b - self.a) * float(v) / 100.0)

    def isCanceled(self):  # noqa: N802
        return self.parent.isCanceled()

    def pushInfo(self, text):  # noqa: N802
        info(self.parent, text)

    def pushWarning(self, text):  # noqa: N802
        warn(self.parent, text)


def _write_all(tmp: str, sc: Scenario, arr: SimArrays, seed: int, feedback) -> List[str]:
    """Write every product into ``tmp``; return the relative paths (manifest last)."""
    geo = dict(geometry=sc.geometry, geotransform=sc.geotransform, crs_wkt=sc.crs_wkt)
    labels = [stackio.date_label(d) for d in sc.dates]
    bmd = stackio.band_metadata_for_dates(sc.dates, sc.bperp_m)
    common = {"SIMULATED": "YES", "SCENARIO": sc.name, "SEED": str(int(seed)),
              "BPERP_REFERENCE_DATE": labels[0]}
    os.makedirs(os.path.join(tmp, "slc"))
    os.makedirs(os.path.join(tmp, "truth"))
    names = []
    slc_paths = []
    n = sc.n_dates
    for k, d in enumerate(sc.dates):
        check_cancel(feedback)
        rel = f"slc/{labels[k]}.tif"
        p = os.path.join(tmp, "slc", f"{labels[k]}.tif")
        stackio.write_raster(p, arr.slc[k], kind="slc", units="complex amplitude", labels=[labels[k]],
                             band_metadata=[bmd[k]], metadata=common, dtype="complex64", **geo)
        names.append(rel)
        slc_paths.append(p)
        feedback.setProgress(60.0 + 30.0 * (k + 1) / n)
    stackio.write_raster(os.path.join(tmp, "dem.tif"), arr.dem, kind="dem", units="m",
                         labels=["DEM"], metadata=common, **geo)
    names.append("dem.tif")
    date_md = dict(common, DATE_LIST=",".join(labels),
                   DATE_BPERP_M=",".join(repr(float(b)) for b in sc.bperp_m))
    tmd = dict(date_md, COMPONENT="LOS", SIGN="positive toward the satellite",
               BOWL_MODEL=arr.bowl_model)
    w = stackio.write_raster
    w(os.path.join(tmp, TRUTH_FILES["truth_displacement"]), arr.disp_mm, kind="truth_displacement",
      units="mm", labels=labels, band_metadata=bmd, metadata=tmd, **geo)
    w(os.path.join(tmp, TRUTH_FILES["truth_velocity"]), arr.velocity, kind="truth_velocity", units="mm/yr",
      labels=["VELOCITY"], metadata=tmd, **geo)
    w(os.path.join(tmp, TRUTH_FILES["truth_dem_error"]), arr.dem_error, kind="truth_dem_error", units="m",
      labels=["DEM_ERROR"], metadata=dict(common, SIGN="positive = true surface above the DEM"), **geo)
    w(os.path.join(tmp, TRUTH_FILES["ps_mask"]), arr.ps_mask.astype(np.uint8), kind="ps_mask", units="1",
      labels=["PS"], metadata=common, dtype="uint8", nodata=255, **geo)
    w(os.path.join(tmp, TRUTH_FILES["landcover"]), arr.landcover, kind="landcover", units="code",
      labels=["LANDCOVER"], dtype="uint8", nodata=0,
      metadata=dict(common, CODES=";".join(f"{k}={v}" for k, v in LANDCOVER_NAMES.items())), **geo)
    vmd = dict(date_md, COMPONENT="vertical", SIGN="positive up", BOWL_MODEL=arr.bowl_model)
    w(os.path.join(tmp, TRUTH_FILES["truth_vertical_displacement"]), arr.vertical_mm, kind="truth_displacement",
      units="mm", labels=labels, band_metadata=bmd, metadata=vmd, **geo)
    w(os.path.join(tmp, TRUTH_FILES["truth_vertical_velocity"]), arr.vertical_velocity, kind="truth_velocity",
      units="mm/yr", labels=["VELOCITY"], metadata=vmd, **geo)
    w(os.path.join(tmp, TRUTH_FILES["atmosphere"]), arr.atmo_rad, kind="atmosphere", units="rad",
      labels=labels, band_metadata=bmd,
      metadata=dict(date_md, SIGN="phase added to each SLC (-4pi/lambda x delay)"), **geo)
    names += list(TRUTH_FILES.values())
    # scenario description with the calibrated sources (CRS and local coordinates)
    ox, oy = _utm_of(sc.origin_lonlat, sc.crs_epsg)
    d = sc.to_dict()
    d["seed"] = int(seed)
    d["bowl_model_used"] = arr.bowl_model
    d["truth_summary"] = arr.summary()
    d["sources"] = [dict(x_local_m=p.x, y_local_m=p.y, x_crs=p.x + ox, y_crs=p.y + oy, depth_m=p.depth,
                         length_m=p.length, width_m=p.width, strike_deg=p.strike_deg, dip_deg=0.0,
                         opening_m=o, opening_observed_m=ob, bowl=p.bowl)
                    for p, o, ob in zip(sc.panels, arr.openings_m, observed_openings(sc, arr.openings_m))]
    d["structures"] = {k: list(v) for k, v in arr.structures.items()}
    d["landcover_codes"] = {str(k): v for k, v in LANDCOVER_NAMES.items()}
    with open(os.path.join(tmp, "scenario.json"), "w", encoding="utf-8") as fh:
        json.dump(_sanitize_json(d), fh, indent=1)
    names.append("scenario.json")
    stackio.write_manifest(os.path.join(tmp, "manifest.csv"),
                           [(dd, os.path.join(tmp, "slc", f"{lab}.tif"), b)
                            for dd, lab, b in zip(sc.dates, labels, sc.bperp_m)])
    names.append("manifest.csv")
    return names


def _move_into(tmp: str, out_dir: str, names: List[str]) -> None:
    """Move the finished products from ``tmp`` into ``out_dir`` (manifest last)."""
    if not os.path.isdir(out_dir) or not os.listdir(out_dir):
        if os.path.isdir(out_dir):
            os.rmdir(out_dir)
        os.replace(tmp, out_dir)
        return
    for rel in names:
        src = os.path.join(tmp, *rel.split("/"))
        dst = os.path.join(out_dir, *rel.split("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.replace(src, dst)
