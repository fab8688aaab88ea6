"""Import unwrapped interferograms made elsewhere into a MineSAR stack.

Recognised inputs (DESIGN §4.2), all GeoTIFFs on one common grid:

* **ASF HyP3 (GAMMA)** products: ``<name>_unw_phase.tif`` with
  ``<name>_corr.tif`` (coherence) and ``<name>.txt`` (``Key: value``
  metadata, read by :func:`parse_hyp3_metadata`: baseline, heading, slant
  range, looks, reference point; the incidence angle is computed from the
  orbit geometry).
* **LiCSAR** frames: ``GEOC/<d1>_<d2>/<d1>_<d2>.geo.unw.tif`` with
  ``<d1>_<d2>.geo.cc.tif``.
* **Plain GeoTIFFs** whose names contain a pair ``YYYYMMDD[-_]YYYYMMDD``
  (e.g. GAMMA/PyRate ``cropA_20180106-20180130_VV_8rlks_eqa_unw.tif``); files
  whose name contains ``cc``, ``coh`` or ``corr`` as a word are coherence.

Output: a self-describing unwrapped stack (``MINESAR_KIND=unwrapped``, rad,
one band per pair sorted by date, ``REF_DATE``/``SEC_DATE``/``BPERP_M`` band
metadata, ``DATE_LIST``/``DATE_BPERP_M`` dataset metadata) and a matching
coherence stack, both written atomically.  Values equal to ``nodata``
(default 0, as GAMMA, HyP3 and PyRate) or to the file's nodata become NaN.

Phase sign: MineSAR's interferogram is reference x conj(secondary) with SLC
phase -4 pi R / lambda, so positive unwrapped phase = range increase (motion
away from the satellite) and ``d_mm = -lambda/(4 pi) phi 1000``.  GAMMA,
HyP3, LiCSAR and PyRate GeoTIFFs use the same sign, so ``phase_sign=+1``
keeps them.  ``phase_sign=-1`` flips products whose positive phase means
motion toward the satellite.  Note PyRate's ``signal_polarity``: PyRate
converts radians to millimetres *without* the minus sign and divides its
products by ``signal_polarity``; ``signal_polarity: -1`` therefore means
"the input phase is already in the (MineSAR/MintPy) convention" and
corresponds to ``phase_sign=+1`` here (``signal_polarity: 1`` to ``-1``).
"""
from __future__ import annotations

import datetime as _dt
import glob
import math
import os
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal

from . import stackio
from .progress import check_cancel, ensure, info, warn
from .validate import parse_date

PAIR_RE = re.compile(r"(?<!\d)((?:19|20)\d{6})(?:T\d{6})?[-_]((?:19|20)\d{6})(?!\d)")
COH_RE = re.compile(r"(?:^|[._-])(cc|coh|corr|coherence)(?:[._-]|$)", re.IGNORECASE)
FORMATS = ("auto", "hyp3", "licsar", "geotiff")


# --------------------------------------------------------------------------- metadata
def _number(text: str):
    t = text.strip()
    try:
        if re.fullmatch(r"[-+]?\d+", t):
            return int(t)
        return float(t)
    except ValueError:
        return t


def parse_hyp3_metadata(path: str) -> Dict[str, object]:
    """Parse an ASF HyP3 product metadata file (``Key: value`` per line).

    Numbers become ``int``/``float``; everything else stays a string.  Adds
    derived keys when the inputs exist: ``reference_date``/``secondary_date``
    (``datetime.date`` from the granule names), ``bperp_m`` (``Baseline``),
    ``heading_deg``, ``slant_range_m`` (centre), ``looks_range``,
    ``looks_azimuth`` and ``incidence_deg`` (from slant range, spacecraft
    height and Earth radius by the law of cosines on a spherical Earth).
    """
    if not path or not os.path.isfile(path):
        raise ValueError(f"HyP3 metadata: file not found: {path}")
    md: Dict[str, object] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if ":" not in line:
                continue
            k, v = line.split(":", 1)
            k = k.strip()
            if k:
                md[k] = _number(v)
    if not md:
        raise ValueError(f"HyP3 metadata: {path} has no 'Key: value' lines")

    def granule_date(key):
        g = md.get(key)
        if isinstance(g, str):
            m = re.search(r"(?<!\d)((?:19|20)\d{6})T\d{6}", g)
            if m:
                return parse_date(m.group(1), name=f"HyP3 metadata {key}")
        return None

    rd, sd = granule_date("Reference Granule"), granule_date("Secondary Granule")
    if rd and sd:
        md["reference_date"], md["secondary_date"] = rd, sd
    if isinstance(md.get("Baseline"), (int, float)):
        md["bperp_m"] = float(md["Baseline"])
    if isinstance(md.get("Heading"), (int, float)):
        md["heading_deg"] = float(md["Heading"])
    if isinstance(md.get("Slant range center"), (int, float)):
        md["slant_range_m"] = float(md["Slant range center"])
    for key, out in (("Range looks", "looks_range"), ("Azimuth looks", "looks_azimuth")):
        if isinstance(md.get(key), (int, float)):
            md[out] = int(md[key])
    R, H, Re = md.get("Slant range center"), md.get("Spacecraft height"), md.get("Earth radius at nadir")
    if all(isinstance(x, (int, float)) for x in (R, H, Re)):
        rs = Re + H
        cos_look = (R * R + rs * rs - Re * Re) / (2.0 * R * rs)
        look = math.acos(max(-1.0, min(1.0, cos_look)))
        md["incidence_deg"] = math.degrees(math.asin(min(1.0, rs / Re * math.sin(look))))
    return md


def gamma_bperp_table(path: str) -> Dict[str, np.ndarray]:
    """The table of a GAMMA ``*_bperp.par`` (``base_perp`` output).

    Returns arrays ``line`` and ``range`` (MLI line and range sample of each
    row), ``bperp`` (m) and ``look`` (look angle at the sensor, degrees; NaN
    when the table has no such column).
    """
    rows = []
    started = False
    header = None
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            s = line.strip()
            if s.startswith("line") and "bperp" in s:
                header = s.replace("look angle", "look_angle").split()
            if s.startswith("****"):
                started = True
                continue
            if started and s:
                try:
                    rows.append([float(p) for p in s.split()])
                except ValueError:
                    break
    col = header.index("bperp") if header and "bperp" in header else 7
    lcol = header.index("look_angle") if header and "look_angle" in header else 5
    rows = [r for r in rows if len(r) > col]
    if not rows:
        raise ValueError(f"BASELINE_FOLDER: {path} has no bperp table (GAMMA base_perp output)")
    t = np.array([r[:max(col, lcol) + 1] + [np.nan] * (max(col, lcol) + 1 - len(r)) for r in rows])
    return {"line": t[:, 0], "range": t[:, 1], "bperp": t[:, col], "look": t[:, lcol] if lcol < t.shape[1] else
            np.full(len(t), np.nan)}


def _table_value(tab: Dict[str, np.ndarray], key: str, line: Optional[float], rng: Optional[float]) -> float:
    """Bilinear value of column ``key`` at (MLI line, range sample); the mean
    of the column when no position is given (or the table is not a full grid)."""
    v = tab[key]
    if line is None or rng is None:
        return float(np.nanmean(v))
    lines, ranges = np.unique(tab["line"]), np.unique(tab["range"])
    if lines.size * ranges.size != v.size:
        return float(np.nanmean(v))
    order = np.lexsort((tab["range"], tab["line"]))
    grid = v[order].reshape(lines.size, ranges.size)
    li = float(np.clip(line, lines[0], lines[-1]))
    ri = float(np.clip(rng, ranges[0], ranges[-1]))
    row = np.array([np.interp(ri, ranges, grid[k]) for k in range(lines.size)])
    return float(np.interp(li, lines, row)) if lines.size > 1 else float(row[0])


def parse_gamma_bperp(path: str, position: Optional[Tuple[float, float]] = None) -> float:
    """Perpendicular baseline (m) from a GAMMA ``*_bperp.par`` table: the mean
    of the ``bperp`` column, or its value at ``position`` = (MLI line, range
    sample) when given (the crop's place in the swath)."""
    tab = gamma_bperp_table(path)
    return _table_value(tab, "bperp", *(position or (None, None)))


def gamma_lookup_position(folder: str, shape: Tuple[int, int]) -> Optional[Tuple[float, float, str]]:
    """Mean (MLI line, range sample) of a GAMMA geocoding lookup table
    (``*eqa_to_rdc*.lt``: big-endian complex64, range + j line, one value
    per pixel of the geocoded grid) found in ``folder`` whose size matches the
    grid ``shape``; ``None`` when there is none.  Returns (line, range, file)."""
    rows, cols = shape
    for p in sorted(glob.glob(os.path.join(folder, "**", "*.lt"), recursive=True)):
        if os.path.getsize(p) != rows * cols * 8:
            continue
        lt = np.fromfile(p, dtype=">c8").reshape(rows, cols)
        ok = np.isfinite(lt) & (lt != 0)
        if not ok.any():
            continue
        return float(np.mean(lt.imag[ok])), float(np.mean(lt.real[ok])), p
    return None


def _gamma_par_values(folder: str) -> Dict[str, float]:
    """near_range_slc, range_pixel_spacing, sar_to_earth_center and
    earth_radius_below_sensor from the first GAMMA ``*mli.par`` (else
    ``*slc.par``) in ``folder`` (recursive); empty when none."""
    for pattern in ("*mli.par", "*slc.par"):
        for p in sorted(glob.glob(os.path.join(folder, "**", pattern), recursive=True)):
            vals = {}
            with open(p, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    k, _, rest = line.partition(":")
                    if k.strip() in ("near_range_slc", "range_pixel_spacing", "sar_to_earth_center",
                                     "earth_radius_below_sensor") and rest.split():
                        try:
                            vals[k.strip()] = float(rest.split()[0])
                        except ValueError:
                            pass
            if len(vals) == 4:
                return vals
    return {}


S1_ORBIT_ALTITUDE_M = 693000.0   # Sentinel-1 nominal


def local_geometry(look_deg: float, *, range_m: Optional[float] = None, sat_radius_m: Optional[float] = None,
                   earth_radius_m: float = 6371000.0) -> Tuple[float, float]:
    """(slant range m, incidence deg) of a target seen under the look angle
    ``look_deg`` at the sensor (spherical Earth of radius ``earth_radius_m``,
    sensor at ``sat_radius_m`` from the centre, default Sentinel-1's altitude):
    sin(incidence) = Rs / Re sin(look); the slant range is ``range_m`` when
    known, else from the triangle sensor - Earth centre - target."""
    rs = earth_radius_m + S1_ORBIT_ALTITUDE_M if sat_radius_m is None else float(sat_radius_m)
    lk = math.radians(look_deg)
    inc = math.asin(min(1.0, rs / earth_radius_m * math.sin(lk)))
    if range_m is None:
        range_m = earth_radius_m * math.sin(inc - lk) / math.sin(lk)
    return float(range_m), math.degrees(inc)


def find_pair(name: str) -> Optional[Tuple[_dt.date, _dt.date]]:
    """The first ``YYYYMMDD[-_]YYYYMMDD`` pair in a file name (earlier first)."""
    m = PAIR_RE.search(os.path.basename(name))
    if not m:
        return None
    a = parse_date(m.group(1), name=name)
    b = parse_date(m.group(2), name=name)
    return (a, b) if a <= b else (b, a)


def read_baselines(folder: str, position: Optional[Tuple[float, float]] = None
                   ) -> Dict[Tuple[_dt.date, _dt.date], float]:
    """Per-pair B_perp (m) from GAMMA ``*_bperp.par`` files in ``folder``:
    the swath mean, or the value at ``position`` = (MLI line, range sample)."""
    if not folder or not os.path.isdir(folder):
        raise ValueError(f"BASELINE_FOLDER: folder not found: {folder}")
    out = {}
    for p in sorted(glob.glob(os.path.join(folder, "**", "*bperp*.par"), recursive=True)):
        pr = find_pair(p)
        if pr:
            out[pr] = parse_gamma_bperp(p, position)
    return out


def gamma_crop_geometry(folder: str, shape: Tuple[int, int], centre_lat: Optional[float] = None
                        ) -> Optional[Dict[str, object]]:
    """Where a geocoded crop lies in a GAMMA swath, and its local geometry.

    With a lookup table of the grid's size in ``folder``
    (:func:`gamma_lookup_position`) and the ``*_bperp.par`` tables: the look
    angle at the crop's mean (line, range sample), the local incidence and
    slant range (from a ``*mli.par`` in ``folder`` when present, else a
    spherical Earth at ``centre_lat`` with Sentinel-1's orbit altitude).
    Returns ``None`` without a matching lookup table.  Keys: ``position``,
    ``lookup``, ``look_deg``, ``incidence_deg``, ``slant_range_m``, ``source``.
    """
    pos = gamma_lookup_position(folder, shape)
    if pos is None:
        return None
    tabs = sorted(glob.glob(os.path.join(folder, "**", "*bperp*.par"), recursive=True))
    if not tabs:
        return None
    look = _table_value(gamma_bperp_table(tabs[0]), "look", pos[0], pos[1])
    if not math.isfinite(look):
        return None
    par = _gamma_par_values(folder)
    if par:
        rng = par["near_range_slc"] + pos[1] * par["range_pixel_spacing"]
        R, inc = local_geometry(look, range_m=rng, sat_radius_m=par["sar_to_earth_center"],
                                earth_radius_m=par["earth_radius_below_sensor"])
        src = "GAMMA parameter file"
    else:
        re_ = 6371000.0
        if centre_lat is not None:   # WGS84 geocentric radius at the latitude
            a_, b_ = 6378137.0, 6356752.314245
            c, s_ = math.cos(math.radians(centre_lat)), math.sin(math.radians(centre_lat))
            re_ = math.sqrt(((a_ * a_ * c) ** 2 + (b_ * b_ * s_) ** 2) / ((a_ * c) ** 2 + (b_ * s_) ** 2))
        R, inc = local_geometry(look, earth_radius_m=re_)
        src = "spherical Earth, Sentinel-1 orbit altitude"
    return {"position": (pos[0], pos[1]), "lookup": pos[2], "look_deg": look, "incidence_deg": inc,
            "slant_range_m": R, "source": src}


# --------------------------------------------------------------------------- discovery
def _is_coherence(path: str) -> bool:
    base = os.path.basename(path)
    stem = base[:-4] if base.lower().endswith(".tif") else base
    return bool(COH_RE.search(stem.replace(".geo.", "."))) or stem.endswith(".cc") or stem.endswith("_corr")


def discover(inputs, fmt: str = "auto") -> List[Dict[str, object]]:
    """Find interferograms in a folder or a list of files.

    Returns one dict per pair: ``pair``, ``unw``, ``coh`` (or None), ``meta``
    (HyP3 ``.txt`` path or None), ``format``.
    """
    fmt = (fmt or "auto").lower()
    if fmt not in FORMATS:
        raise ValueError(f"FORMAT: {fmt!r} is not one of {', '.join(FORMATS)}")
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [str(inputs)]
    files: List[str] = []
    for item in inputs or []:
        item = str(item)
        if os.path.isdir(item):
            for ext in ("*.tif", "*.tiff", "*.TIF"):
                files += glob.glob(os.path.join(item, "**", ext), recursive=True)
        elif os.path.isfile(item):
            files.append(item)
        else:
            raise ValueError(f"INPUT: not found: {item}")
    files = sorted(set(os.path.abspath(f) for f in files))
    if not files:
        raise ValueError("INPUT: no GeoTIFF files found")
    found: Dict[Tuple[_dt.date, _dt.date], Dict[str, object]] = {}
    coh: Dict[Tuple[_dt.date, _dt.date], str] = {}
    for f in files:
        base = os.path.basename(f)
        low = base.lower()
        kind = None
        if low.endswith("_unw_phase.tif"):
            kind = "hyp3"
        elif low.endswith(".geo.unw.tif"):
            kind = "licsar"
        elif low.endswith("_corr.tif") or low.endswith(".geo.cc.tif") or _is_coherence(f):
            pr = find_pair(f)
            if pr:
                coh.setdefault(pr, f)
            continue
        elif re.search(r"unw|phase|disp", low) or fmt == "geotiff":
            kind = "geotiff"
        else:
            kind = "geotiff" if find_pair(f) else None
        if kind is None or (fmt != "auto" and kind != fmt):
            continue
        pr = find_pair(f)
        if pr is None:
            raise ValueError(f"INPUT: cannot read a date pair YYYYMMDD_YYYYMMDD from the name {base}")
        if pr[0] == pr[1]:
            raise ValueError(f"INPUT: {base} pairs a date with itself")
        if pr in found:
            raise ValueError(f"INPUT: two interferograms for the pair {stackio.pair_label(*pr)}: "
                             f"{os.path.basename(found[pr]['unw'])} and {base}")
        meta = None
        if kind == "hyp3":
            stem = f[: -len("_unw_phase.tif")]
            meta = stem + ".txt" if os.path.isfile(stem + ".txt") else None
            c = stem + "_corr.tif"
            if os.path.isfile(c):
                coh[pr] = c
        elif kind == "licsar":
            c = f[: -len(".geo.unw.tif")] + ".geo.cc.tif"
            if os.path.isfile(c):
                coh[pr] = c
        found[pr] = {"pair": pr, "unw": f, "coh": None, "meta": meta, "format": kind}
    if not found:
        raise ValueError("INPUT: no unwrapped interferograms found (expected *_unw_phase.tif, *.geo.unw.tif or "
                         "GeoTIFFs named with a YYYYMMDD_YYYYMMDD pair)")
    for pr, rec in found.items():
        rec["coh"] = coh.get(pr)
    return [found[k] for k in sorted(found)]


# --------------------------------------------------------------------------- import
_PYRATE_GEOMETRY = {"WAVELENGTH_METRES": "wavelength_m", "INCIDENCE_DEGREES": "incidence_deg"}


def _centre_latitude(gt, wkt: str, shape: Tuple[int, int]) -> Optional[float]:
    """Latitude (degrees) of the grid's centre, or ``None`` without a CRS."""
    if not gt or not wkt:
        return None
    from osgeo import osr
    x = gt[0] + gt[1] * shape[1] / 2.0 + gt[2] * shape[0] / 2.0
    y = gt[3] + gt[4] * shape[1] / 2.0 + gt[5] * shape[0] / 2.0
    src = osr.SpatialReference()
    if src.ImportFromWkt(wkt) != 0:
        return None
    if src.IsGeographic():
        return float(y)
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(4326)
    dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return float(osr.CoordinateTransformation(src, dst).TransformPoint(x, y)[1])


def _read_band(path: str, nodata: Optional[float], name: str) -> Tuple[np.ndarray, tuple, str, dict]:
    ds = stackio.open_raster(path, name=name)
    b = ds.GetRasterBand(1)
    a = b.ReadAsArray().astype(np.float32)
    nd = b.GetNoDataValue()
    if nd is not None and not math.isnan(nd):
        a[a == nd] = np.nan
    if nodata is not None:
        a[a == nodata] = np.nan
    gt = ds.GetGeoTransform(can_return_null=True)
    out = (a, tuple(gt) if gt else None, ds.GetProjection() or "", ds.GetMetadata() or {})
    ds = None
    return out


def import_unwrapped(inputs, output: str, *, output_coherence: Optional[str] = None, fmt: str = "auto",
                     phase_sign: int = 1, nodata: Optional[float] = 0.0, baseline_folder: Optional[str] = None,
                     geometry_overrides: Optional[Dict[str, float]] = None, feedback=None) -> Dict[str, object]:
    """Import unwrapped interferograms into MineSAR stacks (``importunwrapped``).

    Parameters
    ----------
    inputs : str or list of str
        Folder(s) searched recursively, or files.
    output, output_coherence : str
        Unwrapped stack (rad) and coherence stack GeoTIFFs.
    phase_sign : {1, -1}
        Multiplies the input phase (see the module docstring).
    nodata : float or None
        Value that means "no data" (default 0).
    baseline_folder : str, optional
        Folder with GAMMA ``*_bperp.par`` files (per-pair B_perp).
    geometry_overrides : dict, optional
        :class:`stackio.Geometry` attribute -> value; wins over metadata.

    Returns a dict with ``n_pairs``, ``n_dates``, ``dates``, ``geometry``,
    ``has_coherence``, ``has_baselines``, ``output``, ``output_coherence``.
    """
    feedback = ensure(feedback)
    if int(phase_sign) not in (1, -1):
        raise ValueError(f"PHASE_SIGN: must be 1 or -1, got {phase_sign!r}")
    recs = discover(inputs, fmt)
    info(feedback, f"Found {len(recs)} interferograms ({', '.join(sorted({r['format'] for r in recs}))})")
    # geometry: S1 defaults < file metadata (HyP3 .txt, PyRate GeoTIFF tags) < user overrides
    geo: Dict[str, float] = {}
    bperp: Dict[Tuple[_dt.date, _dt.date], float] = {}
    ref_xy = []
    for rec in recs:
        if rec["meta"]:
            md = parse_hyp3_metadata(rec["meta"])
            rx = md.get("X coordinate of the reference point in the map projection")
            ry = md.get("Y coordinate of the reference point in the map projection")
            if isinstance(rx, (int, float)) and isinstance(ry, (int, float)):
                ref_xy.append((float(rx), float(ry)))
            for k in ("incidence_deg", "heading_deg", "slant_range_m", "looks_range", "looks_azimuth"):
                if k in md:
                    geo.setdefault(k, md[k])
            if "bperp_m" in md:
                bperp[rec["pair"]] = float(md["bperp_m"])
    # first file: grid
    first, gt0, wkt0, md0 = _read_band(recs[0]["unw"], nodata, "INPUT")
    for key, attr in _PYRATE_GEOMETRY.items():
        if key in md0:
            try:
                geo.setdefault(attr, float(md0[key]))
            except ValueError:
                pass
    if baseline_folder:
        # a crop of a GAMMA swath: B_perp, incidence and slant range where the crop lies (the lookup
        # table says where), not the swath means / scene centre (the DEM error scales with R sin(inc) / B_perp)
        crop = gamma_crop_geometry(baseline_folder, first.shape, _centre_latitude(gt0, wkt0, first.shape))
        bl = read_baselines(baseline_folder, crop["position"] if crop else None)
        for rec in recs:
            if rec["pair"] in bl:
                bperp[rec["pair"]] = bl[rec["pair"]]
        if crop:
            info(feedback, f"Crop at MLI line {crop['position'][0]:.0f}, range sample {crop['position'][1]:.0f} "
                           f"({os.path.basename(crop['lookup'])}): look angle {crop['look_deg']:.2f}°, incidence "
                           f"{crop['incidence_deg']:.2f}°, slant range {crop['slant_range_m']:.0f} m "
                           f"({crop['source']}); B_perp of {len(bl)} GAMMA bperp files taken there")
            geo["incidence_deg"] = crop["incidence_deg"]
            geo["slant_range_m"] = crop["slant_range_m"]
        else:
            info(feedback, f"Perpendicular baselines from {len(bl)} GAMMA bperp files (swath means: no lookup "
                           f"table of this grid's size in BASELINE_FOLDER)")
    for k, v in (geometry_overrides or {}).items():
        if v is not None:
            geo[k] = v
    geometry = stackio.Geometry(**{k: (int(v) if k.startswith("looks") else float(v)) for k, v in geo.items()})
    geometry.validate()
    rows, cols = first.shape
    pairs = [r["pair"] for r in recs]
    dates = sorted({d for p in pairs for d in p})
    has_b = len(bperp) == len(pairs)
    if bperp and not has_b:
        warn(feedback, f"Perpendicular baselines known for only {len(bperp)} of {len(pairs)} pairs; none are "
                       f"written (the DEM error needs all of them)")
    pair_b = [bperp[p] for p in pairs] if has_b else None
    md = {"DATE_LIST": ",".join(stackio.date_label(d) for d in dates), "PHASE_SIGN": str(int(phase_sign)),
          "SOURCE_FORMAT": ",".join(sorted({r["format"] for r in recs}))}
    if has_b:
        from .sbas import date_bperp_from_pairs
        db = date_bperp_from_pairs(pairs, dates, pair_b)
        md["DATE_BPERP_M"] = ",".join(f"{v:.4f}" for v in db)
    # HyP3 references every unwrapped product to one point: keep it as the stack's reference pixel
    if ref_xy and len(ref_xy) == len(recs) and gt0 and gt0[2] == 0 and gt0[4] == 0:
        cols_ = [int(math.floor((x - gt0[0]) / gt0[1])) for x, _ in ref_xy]
        rows_ = [int(math.floor((y - gt0[3]) / gt0[5])) for _, y in ref_xy]
        if len(set(zip(rows_, cols_))) == 1 and 0 <= rows_[0] < rows and 0 <= cols_[0] < cols:
            md["REF_ROW"], md["REF_COL"] = str(rows_[0]), str(cols_[0])
            info(feedback, f"HyP3 reference point -> REF_ROW {rows_[0]}, REF_COL {cols_[0]}")
    labels = [stackio.pair_label(*p) for p in pairs]
    bmd = stackio.band_metadata_for_pairs(pairs, pair_b)
    for m, r in zip(bmd, recs):
        m["SOURCE"] = os.path.basename(r["unw"])
    n_coh = sum(1 for r in recs if r["coh"])
    if output_coherence and n_coh == 0:
        warn(feedback, "No coherence rasters found; the coherence stack is not written")
        output_coherence = None
    elif output_coherence and n_coh < len(recs):
        warn(feedback, f"Coherence found for {n_coh} of {len(recs)} pairs; the others are NaN")

    def check_grid(a, gt, path):
        if a.shape != (rows, cols):
            raise ValueError(f"INPUT: {os.path.basename(path)} is {a.shape[1]} x {a.shape[0]} pixels but "
                             f"{os.path.basename(recs[0]['unw'])} is {cols} x {rows}; all interferograms must be "
                             f"on one grid (crop or resample them first)")
        if gt0 and gt and any(abs(x - y) > 1e-9 * max(1.0, abs(x)) for x, y in zip(gt, gt0)):
            raise ValueError(f"INPUT: {os.path.basename(path)} has another georeferencing than "
                             f"{os.path.basename(recs[0]['unw'])}; all interferograms must be on one grid")

    common = dict(width=cols, height=rows, count=len(recs), dtype="float32", labels=labels, band_metadata=bmd,
                  geometry=geometry, geotransform=gt0, crs_wkt=wkt0)
    from contextlib import ExitStack
    with ExitStack() as stack:
        w = stack.enter_context(stackio.StackWriter(output, kind="unwrapped", units="rad", metadata=md, **common))
        wc = None
        if output_coherence:
            wc = stack.enter_context(stackio.StackWriter(output_coherence, kind="coherence", units="",
                                                         metadata={"DATE_LIST": md["DATE_LIST"]}, **common))
        for k, rec in enumerate(recs):
            check_cancel(feedback)
            a, gt, _, _ = (first, gt0, None, None) if k == 0 else _read_band(rec["unw"], nodata, "INPUT")
            check_grid(a, gt, rec["unw"])
            w.write(a * float(phase_sign), band=k)
            if wc is not None:
                if rec["coh"]:
                    c, cgt, _, _ = _read_band(rec["coh"], nodata, "COHERENCE")
                    check_grid(c, cgt, rec["coh"])
                    if np.nanmax(c) > 1.0 + 1e-3 or np.nanmin(c) < -1e-3:
                        raise ValueError(f"COHERENCE: {os.path.basename(rec['coh'])} has values outside [0, 1]")
                else:
                    c = np.full((rows, cols), np.nan, np.float32)
                wc.write(c, band=k)
            feedback.setProgress(100.0 * (k + 1) / len(recs))
    info(feedback, f"Unwrapped stack: {len(recs)} pairs over {len(dates)} dates, {cols} x {rows} pixels; "
                   f"PHASE_SIGN={int(phase_sign)}; wavelength {geometry.wavelength_m:.5f} m, incidence "
                   f"{geometry.incidence_deg:.2f}°")
    return {"n_pairs": len(recs), "n_dates": len(dates), "dates": dates, "geometry": geometry,
            "has_coherence": bool(output_coherence), "has_baselines": has_b, "output": output,
            "output_coherence": output_coherence}
