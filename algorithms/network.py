"""Interferometric pair networks: small-baseline (SBAS) and single-master (star).

The first decision of every InSAR time series is which acquisitions to pair.
This module selects the pairs from the acquisition dates and perpendicular
baselines of a stack (``stackio.read_stack_info``), checks that the network is
connected, repairs it on request, and reads / writes the pairs table that the
``interferograms`` stage consumes.

Conventions (DESIGN §2): a pair is ``(reference, secondary)`` with the
reference the EARLIER date; its label is ``YYYYMMDD_YYYYMMDD``; its temporal
baseline ``BTEMP_DAYS = sec - ref`` (days, > 0) and its perpendicular baseline
``BPERP_M = B⊥(sec) - B⊥(ref)`` (metres, signed, per-date baselines relative to
a common reference date).

Critical baseline (spectral-shift limit, Gatelli et al. 1994)::

    B⊥,crit = λ · R · tan(θ) · B_r / c

with λ the wavelength (m), R the slant range (m), θ the incidence angle,
B_r the range bandwidth (Hz) and c the speed of light.  For Sentinel-1 IW
(λ = 0.05546576 m, R = 880 km, θ = 39°, B_r = 56.5 MHz) it is 7 449.1 m, so
2 % of it is 149.0 m.

Public API
----------
* :func:`critical_baseline_m` — the formula above.
* :func:`select_network` — choose pairs (modes ``sbas``, ``delaunay``,
  ``sequential``, ``star``), returns a :class:`NetworkResult`.
* :func:`network_from_stack` — same, reading dates and baselines from a stack.
* :func:`choose_master` — the automatic single master (the Huaibei rule).
* :func:`read_pairs_table` / :func:`write_pairs_table` — the pairs table
  (CSV, GeoPackage, text list).
* :func:`read_coherence_table`, :func:`mean_coherence_of_stack` — optional
  coherence per pair.
* :func:`plot_network` — PNG of the network in the time–B⊥ plane.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import math
import os
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from .progress import check_cancel, ensure, info as _info, warn as _warn
from .stackio import (SPEED_OF_LIGHT, Geometry, atomic_output, date_label,
                      pair_label, parse_pair, plan_row_blocks, read_block, read_stack_info)
from .validate import parse_date

Pair = Tuple[_dt.date, _dt.date]

#: Modes of :func:`select_network` (the ``MODE`` parameter).
MODES = ("sbas", "delaunay", "sequential", "star")

#: ``REASON`` values of the pairs table.
REASON_THRESHOLDS = "thresholds"          # sbas: within every threshold
REASON_DELAUNAY = "delaunay"              # edge of the Delaunay triangulation, within thresholds
REASON_SEQUENTIAL = "sequential"          # one of the N next dates, within thresholds
REASON_STAR = "star"                      # single master pair
REASON_MIN_CONNECTIONS = "added_min_connections"   # outside a threshold, added for MIN_CONNECTIONS
REASON_CONNECTIVITY = "added_connectivity"         # outside a threshold, added to join groups
REASON_COHERENCE_MST = "kept_coherence_mst"         # below MIN_COHERENCE, kept by the spanning tree
REASONS = (REASON_THRESHOLDS, REASON_DELAUNAY, REASON_SEQUENTIAL, REASON_STAR, REASON_MIN_CONNECTIONS,
           REASON_CONNECTIVITY, REASON_COHERENCE_MST)
ADDED_REASONS = (REASON_MIN_CONNECTIONS, REASON_CONNECTIVITY, REASON_COHERENCE_MST)

#: Columns of the pairs table, in order.
TABLE_FIELDS = ("REF_DATE", "SEC_DATE", "PAIR", "BTEMP_DAYS", "BPERP_M", "BPERP_PCT", "COHERENCE", "REASON")


# =========================================================================== pairs table
def _as_date(value, *, name: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    s = str(value).strip()
    if s.endswith(".0") and s[:-2].isdigit():   # 20180111.0 from a numeric column
        s = s[:-2]
    return parse_date(s, name=name)


def _check_pair_list(pairs: List[Pair], *, name: str) -> List[Pair]:
    if not pairs:
        raise ValueError(f"{name}: the pairs table lists no pairs")
    seen: Dict[Pair, int] = {}
    for i, (r, s) in enumerate(pairs, start=1):
        if r == s:
            raise ValueError(f"{name}: row {i}: reference and secondary are the same date {date_label(r)}")
        if r > s:
            raise ValueError(f"{name}: row {i}: pair {date_label(r)}_{date_label(s)} has the later date as "
                             f"reference; MineSAR pairs are (earlier, later) — swap the two dates")
        if (r, s) in seen:
            raise ValueError(f"{name}: row {i}: duplicate pair {pair_label(r, s)} (also row {seen[(r, s)]})")
        seen[(r, s)] = i
    return pairs


def _split_ogr_path(path: str) -> Tuple[str, Optional[str]]:
    """``file.gpkg|layername=pairs`` -> (``file.gpkg``, ``pairs``)."""
    parts = str(path).split("|")
    layer = None
    for p in parts[1:]:
        if p.lower().startswith("layername="):
            layer = p.split("=", 1)[1]
    return parts[0], layer


def _read_table_rows(path: str, *, name: str) -> List[Dict[str, object]]:
    """Rows of a CSV or OGR table as dicts with UPPER-case keys."""
    fname, layer_name = _split_ogr_path(path)
    if not os.path.isfile(fname):
        raise ValueError(f"{name}: file not found: {fname}")
    ext = os.path.splitext(fname)[1].lower()
    if ext in (".csv", ".tsv", ".txt", ".list"):
        with open(fname, newline="", encoding="utf-8-sig") as fh:
            text = fh.read()
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        if not lines:
            return []
        first = lines[0]
        if ext in (".txt", ".list") or not any(c.isalpha() for c in first):
            # a plain list: one pair per line (MintPy date12 list), first token
            rows = []
            for ln in lines:
                toks = ln.replace(",", " ").replace(";", " ").split()
                if len(toks) >= 2 and all(len(x) == 8 and x.isdigit() for x in toks[:2]):
                    rows.append({"REF_DATE": toks[0], "SEC_DATE": toks[1]})   # "ref sec" columns
                else:
                    rows.append({"PAIR": toks[0]})
            return rows
        dialect = "excel-tab" if ext == ".tsv" or ("\t" in first and "," not in first) else "excel"
        if dialect == "excel" and ";" in first and "," not in first:
            reader = csv.DictReader(lines, delimiter=";")
        else:
            reader = csv.DictReader(lines, dialect=dialect)
        return [{str(k).strip().upper(): v for k, v in row.items() if k is not None} for row in reader]
    from osgeo import ogr
    ogr.UseExceptions()
    try:
        ds = ogr.Open(fname)
    except RuntimeError as exc:
        raise ValueError(f"{name}: OGR cannot open {fname}: {exc}") from None
    if ds is None:
        raise ValueError(f"{name}: OGR cannot open {fname}")
    lyr = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
    if lyr is None:
        raise ValueError(f"{name}: {fname} has no layer {layer_name or ''}".rstrip())
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    rows = []
    for feat in lyr:
        rows.append({n.upper(): (feat.GetField(n) if feat.IsFieldSet(n) and not feat.IsFieldNull(n) else None)
                     for n in names})
    ds = None
    return rows


def _pair_from_row(row: Mapping[str, object], i: int, *, name: str) -> Pair:
    where = f"{name}: row {i}"
    ref, sec = row.get("REF_DATE"), row.get("SEC_DATE")
    if ref not in (None, "") and sec not in (None, ""):
        return _as_date(ref, name=where + " REF_DATE"), _as_date(sec, name=where + " SEC_DATE")
    for key in ("PAIR", "DATE12", "IFGRAM", "NAME"):
        v = row.get(key)
        if v not in (None, ""):
            s = str(v).strip()
            parts = s.replace("-", "_").split("_")
            if len(parts) == 2 and all(len(p) == 6 and p.isdigit() for p in parts):
                s = "20" + parts[0] + "_20" + parts[1]     # MintPy YYMMDD-YYMMDD
            return parse_pair(s, name=where)
    raise ValueError(f"{where}: no REF_DATE/SEC_DATE values and no PAIR (YYYYMMDD_YYYYMMDD)")


def read_pairs_table(path) -> List[Tuple[_dt.date, _dt.date]]:
    """Read a pairs table back into a list of ``(ref_date, sec_date)``.

    Parameters
    ----------
    path : str, os.PathLike or sequence
        A ``.csv`` (header with ``REF_DATE``/``SEC_DATE`` or ``PAIR``; any
        case), a GeoPackage or other OGR table (``file.gpkg`` or
        ``file.gpkg|layername=x``; first layer by default), a ``.txt`` list
        with one ``YYYYMMDD_YYYYMMDD`` per line (MintPy's ``YYMMDD-YYMMDD``
        is accepted too), or an in-memory sequence of pair labels or
        ``(ref, sec)`` tuples of dates / ``YYYYMMDD`` strings.

    Returns
    -------
    list of (datetime.date, datetime.date)
        In the table's order; the reference is the earlier date.

    Raises
    ------
    ValueError
        Missing file, no pair columns, bad dates, a pair whose reference is
        not the earlier date, a duplicate pair, an empty table.  The message
        starts with ``PAIRS:`` and names the row.
    """
    name = "PAIRS"
    if path is None:
        raise ValueError(f"{name}: no pairs table given")
    if isinstance(path, (str, os.PathLike)):
        p = os.fspath(path)
        if p.strip() == "":
            raise ValueError(f"{name}: no pairs table given")
        rows = _read_table_rows(p, name=name)
        pairs = [_pair_from_row(r, i, name=name) for i, r in enumerate(rows, start=1)]
        return _check_pair_list(pairs, name=name)
    pairs = []
    for i, item in enumerate(path, start=1):
        if isinstance(item, str):
            pairs.append(parse_pair(item, name=f"{name}: item {i}"))
        elif isinstance(item, Mapping):
            pairs.append(_pair_from_row({str(k).upper(): v for k, v in item.items()}, i, name=name))
        else:
            try:
                r, s = item
            except (TypeError, ValueError):
                raise ValueError(f"{name}: item {i} ({item!r}) is not a pair") from None
            pairs.append((_as_date(r, name=f"{name}: item {i}"), _as_date(s, name=f"{name}: item {i}")))
    return _check_pair_list(pairs, name=name)


# ====================================================================== critical baseline
def critical_baseline_m(geometry: Optional[Geometry] = None, *, range_bandwidth_hz: Optional[float] = None) -> float:
    """Critical perpendicular baseline (m) of a scene geometry.

    ``B⊥,crit = λ · R · tan(θ) · B_r / c`` — the baseline at which the
    spectral shift of the ground range spectrum equals the range bandwidth
    and the interferogram decorrelates completely (flat terrain).

    Parameters
    ----------
    geometry : Geometry, optional
        Wavelength, slant range and incidence (Sentinel-1 defaults).
    range_bandwidth_hz : float, optional
        Range bandwidth in Hz; default ``geometry.range_bandwidth_hz``
        (Sentinel-1 IW: 56.5 MHz).
    """
    g = (geometry or Geometry())
    g.validate()
    bw = g.range_bandwidth_hz if range_bandwidth_hz is None else range_bandwidth_hz
    if bw is None or not math.isfinite(float(bw)) or float(bw) <= 0:
        raise ValueError(f"RANGE_BANDWIDTH: must be a positive bandwidth in Hz, got {bw!r}")
    return float(g.wavelength_m * g.slant_range_m * math.tan(math.radians(g.incidence_deg))
                 * float(bw) / SPEED_OF_LIGHT)


# ============================================================================= results
@dataclasses.dataclass
class PairRecord:
    """One row of the pairs table."""

    ref: _dt.date
    sec: _dt.date
    btemp_days: int
    bperp_m: float
    bperp_pct: float
    coherence: Optional[float]
    reason: str

    @property
    def label(self) -> str:
        return pair_label(self.ref, self.sec)

    def as_row(self) -> Dict[str, object]:
        return {"REF_DATE": date_label(self.ref), "SEC_DATE": date_label(self.sec), "PAIR": self.label,
                "BTEMP_DAYS": int(self.btemp_days), "BPERP_M": float(self.bperp_m),
                "BPERP_PCT": float(self.bperp_pct),
                "COHERENCE": None if self.coherence is None else float(self.coherence), "REASON": self.reason}


@dataclasses.dataclass
class NetworkResult:
    """What :func:`select_network` chose and why."""

    mode: str
    dates: List[_dt.date]
    bperp_m: np.ndarray
    pairs: List[PairRecord]
    critical_baseline_m: float
    max_temporal_days: Optional[float]
    max_perp_m: Optional[float]              # effective perpendicular limit (m), None = none
    degrees: Dict[_dt.date, int]
    components: List[List[_dt.date]]
    master: Optional[_dt.date] = None
    master_scores: Optional[List[Tuple[_dt.date, float]]] = None  # ascending score
    messages: List[str] = dataclasses.field(default_factory=list)

    @property
    def n_pairs(self) -> int:
        return len(self.pairs)

    @property
    def n_components(self) -> int:
        return len(self.components)

    @property
    def min_degree(self) -> int:
        return int(min(self.degrees.values())) if self.degrees else 0

    @property
    def pair_list(self) -> List[Pair]:
        return [(p.ref, p.sec) for p in self.pairs]

    def count(self, reason: str) -> int:
        return sum(1 for p in self.pairs if p.reason == reason)


# ============================================================================ helpers
class _DSU:
    """Union-find over indices 0..n-1."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def _components(n: int, edges: Iterable[Tuple[int, int]]) -> List[List[int]]:
    dsu = _DSU(n)
    for i, j in edges:
        dsu.union(i, j)
    groups: Dict[int, List[int]] = {}
    for k in range(n):
        groups.setdefault(dsu.find(k), []).append(k)
    return sorted(groups.values(), key=lambda g: g[0])


def _validate_dates_baselines(dates, bperp_m) -> Tuple[List[_dt.date], np.ndarray, np.ndarray]:
    """Parse, check and sort; returns (dates, bperp, order)."""
    if dates is None:
        raise ValueError("STACK: no acquisition dates")
    parsed = [_as_date(d, name=f"STACK: date {i + 1}") for i, d in enumerate(dates)]
    if len(parsed) < 2:
        raise ValueError(f"STACK: a pair network needs at least 2 acquisition dates, got {len(parsed)}")
    seen: Dict[_dt.date, int] = {}
    for i, d in enumerate(parsed):
        if d in seen:
            raise ValueError(f"STACK: duplicate date {date_label(d)} (bands {seen[d] + 1} and {i + 1}); "
                             f"each acquisition must appear once")
        seen[d] = i
    if bperp_m is None:
        raise ValueError("STACK: the perpendicular baselines are missing (no BPERP_M band metadata); "
                         "build the stack from a manifest with a bperp_m column")
    try:
        b = np.array([np.nan if v is None or (isinstance(v, str) and not v.strip()) else float(v)
                      for v in np.asarray(bperp_m, dtype=object).ravel()], dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"STACK: the perpendicular baselines must be numbers (m), got {bperp_m!r}") from None
    if b.size != len(parsed):
        raise ValueError(f"STACK: the perpendicular baselines are missing for some dates: {b.size} "
                         f"baselines for {len(parsed)} dates")
    bad = [date_label(parsed[i]) for i in np.flatnonzero(~np.isfinite(b))]
    if bad:
        raise ValueError(f"STACK: the perpendicular baselines are missing (not finite) for {', '.join(bad)}")
    order = np.argsort(np.array([d.toordinal() for d in parsed]), kind="stable")
    return [parsed[k] for k in order], b[order], order


def _limit_or_none(name: str, value) -> Optional[float]:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name}: must be >= 0 (0 = no limit), got {value!r}")
    return None if v == 0 else v


def _fmt_dates(ds: Sequence[_dt.date], limit: int = 6) -> str:
    if len(ds) <= limit:
        return ", ".join(date_label(d) for d in ds)
    return f"{date_label(ds[0])} … {date_label(ds[-1])} ({len(ds)} dates)"


# ======================================================================= master choice
def choose_master(dates, bperp_m, *, doppler_hz=None, feedback=None
                  ) -> Tuple[_dt.date, List[Tuple[_dt.date, float]]]:
    """Automatic single master: argmin of the summed normalised baselines.

    For every candidate ``m`` the score is ::

        S(m) = Σ_i |t_i − t_m| / ΔT  +  Σ_i |B⊥_i − B⊥_m| / ΔB  (+ Σ_i |f_i − f_m| / ΔF)

    where ``ΔT``, ``ΔB``, ``ΔF`` are the spans (max − min) of the dates,
    perpendicular baselines and Doppler centroids (a span of 0 drops that
    term).  This is the rule of the Huaibei study (minimise the sum of
    temporal, perpendicular and Doppler baselines).  Ties go to the earlier
    date, so the choice is reproducible.

    Returns
    -------
    (master, scores)
        ``scores`` is every date with its score, best first.
    """
    d, b, order = _validate_dates_baselines(dates, bperp_m)
    t = np.array([(x - d[0]).days for x in d], dtype=np.float64)
    terms = [(t, np.ptp(t)), (b, np.ptp(b))]
    if doppler_hz is not None:
        f = np.asarray(doppler_hz, dtype=np.float64).ravel()
        if f.size != len(d) or not np.all(np.isfinite(f)):
            raise ValueError(f"DOPPLER: need one finite Doppler centroid (Hz) per date ({len(d)}), got {f.size}")
        f = f[order]
        terms.append((f, np.ptp(f)))
    score = np.zeros(len(d))
    for v, span in terms:
        if span > 0:
            score += np.abs(v[None, :] - v[:, None]).sum(axis=1) / span
    ranking = sorted(range(len(d)), key=lambda k: (round(float(score[k]), 12), k))
    scores = [(d[k], float(score[k])) for k in ranking]
    fb = ensure(feedback)
    runners = "; ".join(f"{date_label(x)}: {s:.3f}" for x, s in scores[1:4])
    _info(fb, f"Automatic master {date_label(scores[0][0])} (score {scores[0][1]:.3f} = sum of normalised "
              f"temporal + perpendicular{' + Doppler' if doppler_hz is not None else ''} baselines to all "
              f"dates); runners-up: {runners}")
    return scores[0][0], scores


# ======================================================================= the selection
def _delaunay_edges(t: np.ndarray, b: np.ndarray) -> List[Tuple[int, int]]:
    """Edges of the Delaunay triangulation of the normalised (time, B⊥) points."""
    n = t.size
    tn = (t - t.min()) / (np.ptp(t) or 1.0)
    bn = (b - b.min()) / (np.ptp(b) or 1.0)
    edges = set()
    if n >= 3 and np.ptp(b) > 0:
        from scipy.spatial import Delaunay
        try:
            tri = Delaunay(np.column_stack([tn, bn]))
            for simplex in tri.simplices:
                for a in range(3):
                    i, j = int(simplex[a]), int(simplex[(a + 1) % 3])
                    edges.add((min(i, j), max(i, j)))
        except Exception:  # noqa: BLE001 - degenerate (collinear) points
            edges = set()
    if not edges:   # fewer than 3 dates or all on one line: the sequential chain
        edges = set((i, i + 1) for i in range(n - 1))
    return sorted(edges)


def select_network(dates, bperp_m, *, mode: str = "sbas", max_temporal_days=None, max_perp_m=None,
                   max_perp_percent=None, geometry: Optional[Geometry] = None, range_bandwidth_hz=None,
                   sequential_n: int = 3, min_connections: int = 0, max_connections: int = 0,
                   coherence: Optional[Mapping[Pair, float]] = None, min_coherence: float = 0.0,
                   repair: bool = True, master_date=None, doppler_hz=None, feedback=None) -> NetworkResult:
    """Select interferometric pairs.

    Parameters
    ----------
    dates : sequence of date or ``YYYYMMDD``
        Acquisition dates (any order; sorted here). At least 2, unique.
    bperp_m : array (n_dates,)
        Perpendicular baseline of each date (m) relative to a common
        reference; pair baseline = B⊥(sec) − B⊥(ref).
    mode : {'sbas', 'delaunay', 'sequential', 'star'}
        ``sbas``: every pair within the thresholds.  ``delaunay``: edges of
        the Delaunay triangulation in the normalised (time, B⊥) plane that
        are within the thresholds.  ``sequential``: each date with its
        ``sequential_n`` next dates, within the thresholds.  ``star``: every
        date with one master (thresholds, coherence and connection options
        are ignored).
    max_temporal_days : float, optional
        Keep pairs with ``BTEMP_DAYS <= max_temporal_days`` (inclusive);
        ``None``/0 = no limit.
    max_perp_m, max_perp_percent : float, optional
        Keep pairs with ``|BPERP_M|`` at most this many metres / this
        percentage of the critical baseline (inclusive); when both are given
        the stricter applies; ``None``/0 = no limit.
    geometry : Geometry, optional
        For the critical baseline (:func:`critical_baseline_m`).
    range_bandwidth_hz : float, optional
        Overrides ``geometry.range_bandwidth_hz`` (Sentinel-1: 56.5e6).
    sequential_n : int
        Number of following dates in ``sequential`` mode.
    min_connections : int
        Every date ends in at least this many pairs (capped at n_dates − 1);
        missing pairs are added by smallest normalised baseline and labelled
        ``added_min_connections``.
    max_connections : int
        At most this many pairs per date from the selection (0 = no cap);
        pairs are taken by increasing normalised baseline.  Repairs may
        exceed it (they are labelled).
    coherence : mapping (ref, sec) -> float, optional
        Mean coherence per pair (unknown pairs: ``None``).
    min_coherence : float
        Pairs below it are dropped, except the edges of the maximum spanning
        tree on coherence, kept so that no date is cut off
        (``kept_coherence_mst``).
    repair : bool
        If the thresholds leave the network in several groups, add the pairs
        of smallest normalised baseline that join them (``added_connectivity``);
        if False, raise a ``ValueError`` listing the groups and the smallest
        thresholds that would connect them.
    master_date : date or ``YYYYMMDD``, optional
        Star mode master; default :func:`choose_master`.
    doppler_hz : array (n_dates,), optional
        Doppler centroid per date for the master choice.

    Normalised baseline of a pair: ``BTEMP_DAYS / T + |BPERP_M| / B`` with
    ``T``, ``B`` the limits (or the stack's spans where there is no limit).
    """
    fb = ensure(feedback)
    mode = str(mode or "sbas").strip().lower()
    if mode not in MODES:
        raise ValueError(f"MODE: {mode!r} is not one of {', '.join(MODES)}")
    d, b, order = _validate_dates_baselines(dates, bperp_m)
    n = len(d)
    bc = critical_baseline_m(geometry, range_bandwidth_hz=range_bandwidth_hz)
    t_lim = _limit_or_none("MAX_TEMPORAL_DAYS", max_temporal_days)
    p_m = _limit_or_none("MAX_PERP_M", max_perp_m)
    p_pct = _limit_or_none("MAX_PERP_PERCENT", max_perp_percent)
    p_lim = None
    if p_m is not None or p_pct is not None:
        p_lim = min(v for v in (p_m, None if p_pct is None else p_pct / 100.0 * bc) if v is not None)
    for key, v in (("MIN_CONNECTIONS", min_connections), ("MAX_CONNECTIONS", max_connections),
                   ("SEQUENTIAL_N", sequential_n)):
        if v is None or int(v) != v or int(v) < 0:
            raise ValueError(f"{key}: must be a whole number >= 0, got {v!r}")
    min_connections, max_connections, sequential_n = int(min_connections), int(max_connections), int(sequential_n)
    if max_connections and min_connections > max_connections:
        raise ValueError(f"MIN_CONNECTIONS: {min_connections} is larger than MAX_CONNECTIONS "
                         f"({max_connections})")
    if mode == "sequential" and sequential_n < 1:
        raise ValueError("SEQUENTIAL_N: must be at least 1 in sequential mode")
    min_coh = float(min_coherence or 0.0)
    if not (0.0 <= min_coh <= 1.0):
        raise ValueError(f"MIN_COHERENCE: must be in [0, 1], got {min_coherence!r}")
    if doppler_hz is not None:
        doppler_hz = np.asarray(doppler_hz, dtype=np.float64).ravel()
        if doppler_hz.size == n:
            doppler_hz = doppler_hz[order]
    coh = {}
    if coherence:
        for k, v in coherence.items():
            r, s = k
            r, s = _as_date(r, name="COHERENCE"), _as_date(s, name="COHERENCE")
            if r > s:
                r, s = s, r
            coh[(r, s)] = None if v is None or not math.isfinite(float(v)) else float(v)

    t = np.array([(x - d[0]).days for x in d], dtype=np.float64)
    t_norm = t_lim if t_lim is not None else (np.ptp(t) or 1.0)
    b_norm = p_lim if p_lim is not None else (np.ptp(b) or 1.0)

    def cost(i, j):
        return abs(t[j] - t[i]) / t_norm + abs(b[j] - b[i]) / b_norm

    def within(i, j):
        ok = True
        if t_lim is not None:
            ok &= abs(t[j] - t[i]) <= t_lim + 1e-9
        if p_lim is not None:
            ok &= abs(b[j] - b[i]) <= p_lim + 1e-9
        return bool(ok)

    reasons: Dict[Tuple[int, int], str] = {}
    master = None
    scores = None
    messages: List[str] = []

    def say(text, warning=False):
        messages.append(text)
        (_warn if warning else _info)(fb, text)

    if mode == "star":
        if master_date not in (None, ""):
            m = _as_date(master_date, name="MASTER_DATE")
            if m not in d:
                near = min(d, key=lambda x: abs((x - m).days))
                raise ValueError(f"MASTER_DATE: {date_label(m)} is not an acquisition date of the stack "
                                 f"(nearest: {date_label(near)}; the stack spans {date_label(d[0])} … "
                                 f"{date_label(d[-1])})")
            master = m
            say(f"Master date {date_label(m)} (given).")
        else:
            master, scores = choose_master(d, b, doppler_hz=doppler_hz, feedback=None)
            runners = "; ".join(f"{date_label(x)}: {s:.3f}" for x, s in scores[1:4])
            say(f"Automatic master {date_label(master)}: smallest sum of normalised temporal + perpendicular"
                f"{' + Doppler' if doppler_hz is not None else ''} baselines (score {scores[0][1]:.3f}); "
                f"runners-up {runners}.")
        k = d.index(master)
        for i in range(n):
            if i != k:
                reasons[(min(i, k), max(i, k))] = REASON_STAR
        if any(v for v in (t_lim, p_lim)) or min_connections or max_connections or coh:
            say("Star mode pairs every date with the master: thresholds, connection limits and coherence "
                "are not applied.")
    else:
        check_cancel(fb)
        if mode == "sbas":
            cand = [(i, j) for i in range(n) for j in range(i + 1, n)]
            base_reason = REASON_THRESHOLDS
        elif mode == "delaunay":
            cand = _delaunay_edges(t, b)
            base_reason = REASON_DELAUNAY
        else:
            cand = [(i, j) for i in range(n) for j in range(i + 1, min(n, i + 1 + sequential_n))]
            base_reason = REASON_SEQUENTIAL
        chosen = [e for e in cand if within(*e)]
        if max_connections:
            deg = [0] * n
            kept = []
            for e in sorted(chosen, key=lambda e: (cost(*e), e)):
                if deg[e[0]] < max_connections and deg[e[1]] < max_connections:
                    kept.append(e)
                    deg[e[0]] += 1
                    deg[e[1]] += 1
            if len(kept) < len(chosen):
                say(f"MAX_CONNECTIONS={max_connections}: {len(chosen) - len(kept)} pairs within the thresholds "
                    f"were left out (largest normalised baselines first).")
            chosen = kept
        for e in chosen:
            reasons[e] = base_reason
        fb.setProgress(30.0)

        # coherence: drop weak pairs, keep the maximum spanning tree
        if coh and min_coh > 0:
            weak = [e for e in reasons if coh.get((d[e[0]], d[e[1]])) is not None
                    and coh[(d[e[0]], d[e[1]])] < min_coh]
            weak_set = set(weak)
            strong = [e for e in reasons if e not in weak_set]
            dsu = _DSU(n)
            for e in strong:
                dsu.union(*e)
            kept_mst = []
            for e in sorted(weak, key=lambda e: (-coh[(d[e[0]], d[e[1]])], e)):
                if dsu.union(*e):
                    kept_mst.append(e)
            kept_set = set(kept_mst)
            for e in weak:
                if e in kept_set:
                    reasons[e] = REASON_COHERENCE_MST
                else:
                    del reasons[e]
            say(f"MIN_COHERENCE={min_coh:g}: {len(weak) - len(kept_mst)} pairs dropped, {len(kept_mst)} kept "
                f"below the threshold by the maximum spanning tree on coherence"
                + (f" ({', '.join(pair_label(d[i], d[j]) for i, j in kept_mst[:10])}"
                   f"{' …' if len(kept_mst) > 10 else ''})" if kept_mst else "") + ".",
                warning=bool(kept_mst))
        fb.setProgress(50.0)

        # connectivity
        groups = _components(n, reasons)
        if len(groups) > 1:
            text = _disconnected_message(d, t, b, groups, t_lim, p_lim, bc, cand, mode,
                                         max_connections=max_connections,
                                         min_coherence=min_coh if coh else 0.0)
            if not repair:
                raise ValueError(text + " Relax the thresholds or set REPAIR=true to add the connecting "
                                        "pairs with the smallest normalised baseline.")
            dsu = _DSU(n)
            for e in reasons:
                dsu.union(*e)
            others = sorted(((i, j) for i in range(n) for j in range(i + 1, n) if (i, j) not in reasons),
                            key=lambda e: (cost(*e), e))
            added = []
            for e in others:
                if dsu.union(*e):
                    reasons[e] = REASON_CONNECTIVITY
                    added.append(e)
            say(text + f" REPAIR: added {len(added)} connecting pair(s) with the smallest normalised baseline: "
                + ", ".join(pair_label(d[i], d[j]) for i, j in added) + ".", warning=True)
        fb.setProgress(70.0)

        # minimum connections
        need = min(min_connections, n - 1)
        if need:
            deg = [0] * n
            for i, j in reasons:
                deg[i] += 1
                deg[j] += 1
            added = []
            for k in sorted(range(n), key=lambda k: (deg[k], k)):
                if deg[k] >= need:
                    continue
                options = sorted(((min(k, o), max(k, o)) for o in range(n) if o != k
                                  and (min(k, o), max(k, o)) not in reasons),
                                 key=lambda e: (0 if (not max_connections or
                                                      deg[e[0] if e[1] == k else e[1]] < max_connections) else 1,
                                                cost(*e), e))
                for e in options:
                    if deg[k] >= need:
                        break
                    if coh and min_coh > 0 and coh.get((d[e[0]], d[e[1]])) is not None \
                            and coh[(d[e[0]], d[e[1]])] < min_coh:
                        # prefer coherent pairs: weak ones only when nothing else is left
                        continue
                    reasons[e] = REASON_MIN_CONNECTIONS
                    added.append(e)
                    deg[e[0]] += 1
                    deg[e[1]] += 1
                if deg[k] < need:   # only weak pairs were left: take them in cost order
                    for e in options:
                        if deg[k] >= need:
                            break
                        if e not in reasons:
                            reasons[e] = REASON_MIN_CONNECTIONS
                            added.append(e)
                            deg[e[0]] += 1
                            deg[e[1]] += 1
            if added:
                say(f"MIN_CONNECTIONS={min_connections}: added {len(added)} pair(s) outside the selection "
                    f"(smallest normalised baseline): " + ", ".join(pair_label(d[i], d[j]) for i, j in added[:20])
                    + (" …" if len(added) > 20 else "") + ".")
    fb.setProgress(90.0)

    records = []
    for (i, j) in sorted(reasons, key=lambda e: (t[e[0]], t[e[1]])):
        bp = float(b[j] - b[i])
        records.append(PairRecord(ref=d[i], sec=d[j], btemp_days=int(round(t[j] - t[i])), bperp_m=bp,
                                  bperp_pct=100.0 * abs(bp) / bc, coherence=coh.get((d[i], d[j])),
                                  reason=reasons[(i, j)]))
    degrees = {x: 0 for x in d}
    for r in records:
        degrees[r.ref] += 1
        degrees[r.sec] += 1
    comps = [[d[k] for k in g] for g in _components(n, reasons)]
    res = NetworkResult(mode=mode, dates=d, bperp_m=b, pairs=records, critical_baseline_m=bc,
                        max_temporal_days=t_lim, max_perp_m=p_lim, degrees=degrees, components=comps,
                        master=master, master_scores=scores, messages=messages)
    say(f"{res.n_pairs} pairs over {n} dates; minimum {res.min_degree} pairs per date; {res.n_components} "
        f"connected group(s); critical baseline {bc:.1f} m"
        + (f", perpendicular limit {p_lim:.1f} m ({100 * p_lim / bc:.2f} %)" if p_lim is not None else "")
        + (f", temporal limit {t_lim:g} days" if t_lim is not None else "") + ".")
    fb.setProgress(100.0)
    return res


def _bottleneck(n: int, edges: List[Tuple[float, int, int]]) -> Optional[float]:
    """Smallest value v such that the edges with weight <= v connect all n nodes."""
    dsu = _DSU(n)
    left = n - 1
    for w, i, j in sorted(edges):
        if dsu.union(i, j):
            left -= 1
            if left == 0:
                return w
    return None


def _disconnected_message(d, t, b, groups, t_lim, p_lim, bc, cand=None, mode="sbas", *,
                          max_connections: int = 0, min_coherence: float = 0.0) -> str:
    n = len(d)
    parts = []
    for g in groups:
        ds = [d[k] for k in g]
        parts.append("[" + _fmt_dates(ds) + "]")
    isolated = [d[g[0]] for g in groups if len(g) == 1]
    text = (f"The pair network is disconnected: {len(groups)} groups of dates {'; '.join(parts)}"
            + (f" (isolated: {', '.join(date_label(x) for x in isolated)})" if isolated else "") + ".")
    # hints are computed over the pairs the mode can choose (all pairs for sbas, the triangulation
    # edges for delaunay, the N following dates for sequential)
    pairs = list(cand) if cand is not None else [(i, j) for i in range(n) for j in range(i + 1, n)]
    dt = {e: abs(t[e[1]] - t[e[0]]) for e in pairs}
    db = {e: abs(b[e[1]] - b[e[0]]) for e in pairs}
    hints = []
    # keep the perpendicular limit, relax the temporal one
    ok_b = [(dt[e], *e) for e in pairs if p_lim is None or db[e] <= p_lim + 1e-9]
    need_t = _bottleneck(n, ok_b)
    if need_t is not None:
        hints.append(f"MAX_TEMPORAL_DAYS >= {int(math.ceil(need_t - 1e-9))}"
                     + (f" (keeping the perpendicular limit {p_lim:.1f} m)" if p_lim is not None else ""))
    else:
        hints.append("no temporal limit connects it within the perpendicular limit")
    ok_t = [(db[e], *e) for e in pairs if t_lim is None or dt[e] <= t_lim + 1e-9]
    need_b = _bottleneck(n, ok_t)
    if need_b is not None:
        hints.append(f"MAX_PERP_M >= {math.ceil(need_b * 10 - 1e-9) / 10:.1f} m = MAX_PERP_PERCENT >= "
                     f"{math.ceil(100 * need_b / bc * 100 - 1e-9) / 100:.2f} %"
                     + (f" (keeping the temporal limit {t_lim:g} days)" if t_lim is not None else ""))
    else:
        hints.append("no perpendicular limit connects it within the temporal limit")
    t_ok = need_t is not None and (t_lim is None or need_t <= t_lim + 1e-9)
    b_ok = need_b is not None and (p_lim is None or need_b <= p_lim + 1e-9)
    if t_ok and b_ok:   # the thresholds alone would connect it: the cap or the coherence cut did not
        causes = []
        if max_connections:
            causes.append(f"MAX_CONNECTIONS={max_connections} (raise it or set 0)")
        if min_coherence:
            causes.append(f"MIN_COHERENCE={min_coherence:g}")
        return text + (" The thresholds alone connect the dates; the groups come from "
                       + " and ".join(causes) + "." if causes else "")
    where = {"delaunay": " among the Delaunay edges", "sequential": " among the sequential pairs"}.get(mode, "")
    return text + f" Smallest thresholds that connect it{where}: " + "; or ".join(hints) + "."


def network_from_stack(stack_path: str, *, geometry: Optional[Geometry] = None, feedback=None,
                       **options) -> NetworkResult:
    """:func:`select_network` on the dates and baselines of a stack.

    ``geometry`` defaults to the stack's own (``read_stack_info(...).geometry``);
    per-date Doppler centroids are taken from band metadata ``DOPPLER_HZ``
    when every band has one.  Other keyword options go to :func:`select_network`.
    """
    info = read_stack_info(stack_path, name="STACK")
    if not info.dates:
        raise ValueError(f"STACK: {stack_path} has no per-date bands (band descriptions or DATE metadata in "
                         f"YYYYMMDD form)")
    dates, bperp = info.dates, info.date_bperp_m
    if len(info.dates) < 2:
        raise ValueError(f"STACK: a pair network needs at least 2 acquisition dates, got {len(info.dates)}")
    if bperp is None or len(bperp) != len(dates):
        missing = [x for x, m in zip(info.dates, info.band_metadata or []) if "BPERP_M" not in m]
        raise ValueError("STACK: the perpendicular baselines are missing"
                         + (f" for {_fmt_dates(missing)}" if missing else "")
                         + " (band metadata BPERP_M); build the stack from a manifest with a bperp_m column")
    if "doppler_hz" not in options and not info.is_pair_stack:
        dop = [m.get("DOPPLER_HZ") for m in info.band_metadata]
        if dop and all(v not in (None, "") for v in dop):
            try:
                options["doppler_hz"] = np.array([float(v) for v in dop])
            except ValueError:
                pass
    return select_network(dates, bperp, geometry=geometry or info.geometry, feedback=feedback, **options)


# ============================================================================ coherence
def read_coherence_table(path_or_rows) -> Dict[Pair, Optional[float]]:
    """Mean coherence per pair from a table (CSV / GeoPackage path or rows).

    The table needs the pair (``REF_DATE``/``SEC_DATE`` or ``PAIR``) and a
    coherence column (``COHERENCE``, ``MEAN_COHERENCE``, ``COH`` or
    ``AVG_COHERENCE``; values 0–1, empty = unknown).
    """
    name = "COHERENCE"
    if isinstance(path_or_rows, (str, os.PathLike)):
        rows = _read_table_rows(os.fspath(path_or_rows), name=name)
    else:
        rows = [{str(k).upper(): v for k, v in r.items()} for r in path_or_rows]
    if not rows:
        raise ValueError(f"{name}: the coherence table is empty")
    keys = ("COHERENCE", "MEAN_COHERENCE", "COH", "AVG_COHERENCE", "MEAN_COH")
    col = next((k for k in keys if k in rows[0]), None)
    if col is None:
        raise ValueError(f"{name}: the table has no coherence column (one of {', '.join(keys)})")
    out: Dict[Pair, Optional[float]] = {}
    for i, r in enumerate(rows, start=1):
        p = _pair_from_row(r, i, name=name)
        if p[0] > p[1]:
            p = (p[1], p[0])
        v = r.get(col)
        if v in (None, ""):
            out[p] = None
            continue
        try:
            c = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: row {i}: coherence {v!r} is not a number") from None
        if math.isfinite(c) and not (0.0 <= c <= 1.0 + 1e-6):
            raise ValueError(f"{name}: row {i}: coherence {c} is outside [0, 1]")
        out[p] = c if math.isfinite(c) else None
    return out


def mean_coherence_of_stack(path: str, *, memory_mb: float = 256, feedback=None) -> Dict[Pair, Optional[float]]:
    """Mean coherence of every band of a coherence pair stack (NaN ignored)."""
    fb = ensure(feedback)
    info = read_stack_info(path, name="COHERENCE")
    if not info.is_pair_stack:
        raise ValueError(f"COHERENCE: {path} is not a pair stack (bands need REF_DATE/SEC_DATE or "
                         f"YYYYMMDD_YYYYMMDD descriptions)")
    if info.is_complex:
        raise ValueError(f"COHERENCE: {path} is complex; give the coherence stack (0–1), not the wrapped phase")
    sums = np.zeros(info.count)
    cnts = np.zeros(info.count)
    blocks = plan_row_blocks(info.height, info.width, bytes_per_pixel=8.0 * info.count, memory_mb=memory_mb)
    for k, blk in enumerate(blocks):
        check_cancel(fb)
        a = read_block(path, blk.row0, blk.nrows, dtype="float64")
        ok = np.isfinite(a)
        sums += np.where(ok, a, 0.0).sum(axis=(1, 2))
        cnts += ok.sum(axis=(1, 2))
        fb.setProgress(100.0 * (k + 1) / len(blocks))
    out = {}
    for (r, s), sm, c in zip(info.pairs, sums, cnts):
        if r > s:
            r, s = s, r
        out[(r, s)] = float(sm / c) if c > 0 else None
    return out


def read_coherence(path: str, *, feedback=None) -> Dict[Pair, Optional[float]]:
    """Coherence per pair from a raster stack (GDAL) or a table (CSV/OGR)."""
    fname, _ = _split_ogr_path(path)
    ext = os.path.splitext(fname)[1].lower()
    if ext in (".csv", ".tsv", ".gpkg", ".txt", ".dbf", ".shp", ".xlsx", ".ods", ".sqlite"):
        return read_coherence_table(path)
    return mean_coherence_of_stack(fname, feedback=feedback)


# ============================================================================== writing
def _fill_gpkg_layer(ds, layer_name: str, records) -> None:
    from osgeo import ogr
    lyr = ds.CreateLayer(str(layer_name or "pairs"), geom_type=ogr.wkbNone)
    types = {"REF_DATE": ogr.OFTString, "SEC_DATE": ogr.OFTString, "PAIR": ogr.OFTString,
             "BTEMP_DAYS": ogr.OFTInteger, "BPERP_M": ogr.OFTReal, "BPERP_PCT": ogr.OFTReal,
             "COHERENCE": ogr.OFTReal, "REASON": ogr.OFTString}
    for f in TABLE_FIELDS:
        lyr.CreateField(ogr.FieldDefn(f, types[f]))
    lyr.StartTransaction()
    for r in records:
        feat = ogr.Feature(lyr.GetLayerDefn())
        for k, v in r.as_row().items():
            if v is None:
                feat.SetFieldNull(k)
            else:
                feat.SetField(k, v)
        lyr.CreateFeature(feat)
    lyr.CommitTransaction()


def write_pairs_table(path: str, result_or_records, *, layer_name: str = "pairs",
                      into_existing: bool = False) -> str:
    """Write the pairs table atomically as ``.csv`` or ``.gpkg`` (table, no geometry).

    Columns: ``REF_DATE``, ``SEC_DATE`` (text YYYYMMDD), ``PAIR``
    (YYYYMMDD_YYYYMMDD), ``BTEMP_DAYS`` (int), ``BPERP_M``, ``BPERP_PCT``
    (real), ``COHERENCE`` (real, NULL if unknown), ``REASON`` (text).
    A CSV gets a ``.csvt`` sidecar with the column types.  With
    ``into_existing`` and an existing GeoPackage, only the layer
    ``layer_name`` is (re)written and the file's other layers are kept.
    """
    records = result_or_records.pairs if isinstance(result_or_records, NetworkResult) else list(result_or_records)
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".csv", ".gpkg"):
        raise ValueError(f"OUTPUT: the pairs table must be a .gpkg or .csv file, got {path}")
    if ext == ".gpkg" and into_existing and os.path.isfile(path):
        from osgeo import ogr
        ogr.UseExceptions()
        ds = ogr.Open(path, update=1)
        for i in range(ds.GetLayerCount()):
            if ds.GetLayer(i).GetName() == layer_name:
                ds.DeleteLayer(i)
                break
        _fill_gpkg_layer(ds, layer_name, records)
        ds = None
        return path
    with atomic_output(path) as tmp:
        if ext == ".csv":
            with open(tmp, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(TABLE_FIELDS)
                for r in records:
                    row = r.as_row()
                    w.writerow([row["REF_DATE"], row["SEC_DATE"], row["PAIR"], row["BTEMP_DAYS"],
                                f"{row['BPERP_M']:.3f}", f"{row['BPERP_PCT']:.4f}",
                                "" if row["COHERENCE"] is None else f"{row['COHERENCE']:.4f}", row["REASON"]])
        else:
            from osgeo import ogr
            ogr.UseExceptions()
            ds = ogr.GetDriverByName("GPKG").CreateDataSource(tmp)
            _fill_gpkg_layer(ds, layer_name, records)
            ds = None
    if ext == ".csv":
        with open(os.path.splitext(path)[0] + ".csvt", "w", encoding="utf-8") as fh:
            fh.write('"String","String","String","Integer","Real","Real","Real","String"\n')
    return path


# =============================================================================== plot
def plot_network(result: NetworkResult, path: str, *, title: Optional[str] = None) -> str:
    """PNG of the network: dates on x, B⊥ (m) on y, one line per pair.

    Pairs added outside the thresholds are drawn in colour (red dashed:
    connectivity, orange: minimum connections, purple dotted: kept by the
    coherence spanning tree); the star master is a large star.
    """
    # Figure + the Agg canvas directly: no pyplot, so the backend of a running QGIS is untouched
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.lines import Line2D

    d = result.dates
    bmap = dict(zip(d, result.bperp_m))
    fig = Figure(figsize=(10, 5.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    styles = {
        REASON_CONNECTIVITY: dict(color="#d62728", lw=2.0, ls="--", zorder=3),
        REASON_MIN_CONNECTIONS: dict(color="#ff7f0e", lw=1.8, ls="-", zorder=3),
        REASON_COHERENCE_MST: dict(color="#9467bd", lw=1.8, ls=":", zorder=3),
    }
    base = dict(color="#1f77b4", lw=0.8, ls="-", alpha=0.7, zorder=2)
    for p in result.pairs:
        st = styles.get(p.reason, base)
        ax.plot([p.ref, p.sec], [bmap[p.ref], bmap[p.sec]], **st)
    ax.scatter(d, result.bperp_m, s=28, c="k", zorder=4)
    handles = [Line2D([], [], **{k: v for k, v in base.items() if k != "zorder"},
                      label=f"{result.mode} ({sum(1 for p in result.pairs if p.reason not in styles)})")]
    labels = {REASON_CONNECTIVITY: "added: connectivity", REASON_MIN_CONNECTIONS: "added: min. connections",
              REASON_COHERENCE_MST: "kept: coherence spanning tree"}
    for reason, st in styles.items():
        c = result.count(reason)
        if c:
            handles.append(Line2D([], [], **{k: v for k, v in st.items() if k != "zorder"},
                                  label=f"{labels[reason]} ({c})"))
    if result.master is not None:
        ax.scatter([result.master], [bmap[result.master]], s=260, marker="*", c="#d62728", zorder=5)
        handles.append(Line2D([], [], marker="*", color="#d62728", ls="", ms=14,
                              label=f"master {date_label(result.master)}"))
    ax.legend(handles=handles, loc="best", fontsize=8)
    ax.set_xlabel("Acquisition date")
    ax.set_ylabel("Perpendicular baseline B⊥ (m)")
    ax.grid(True, alpha=0.3)
    ax.set_title(title or (f"{result.n_pairs} pairs, {len(d)} dates, min. degree {result.min_degree}, "
                           f"{result.n_components} group(s); B⊥,crit = {result.critical_baseline_m:.0f} m"),
                 fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format="png")
    return path
