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


def parse_gamma_bperp(path: str) -> float:
    """Mean perpendicular baseline (m) of a GAMMA ``*_bperp.par`` table
    (``base_perp`` output: the ``bperp`` column of the rows after ``****``)."""
    vals = []
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
                parts = s.split()
                try:
                    nums = [float(p) for p in parts]
                except ValueError:
                    break
                col = header.index("bperp") if header and "bperp" in header else 7
                if len(nums) > col:
                    vals.append(nums[col])
    if not vals:
        raise ValueError(f"BASELINE_FOLDER: {path} has no bperp table (GAMMA base_perp output)")
    return float(np.mean(vals))


def find_pair(name: str) -> Optional[Tuple[_dt.date, _dt.date]]:
    """The first ``YYYYMMDD[-_]YYYYMMDD`` pair in a file name (earlier first)."""
    m = PAIR_RE.search(os.path.basename(name))
    if not m:
        return None
    a = parse_date(m.group(1), name=name)
    b = parse_date(m.group(2), name=name)
    return (a, b) if a <= b else (b, a)


def read_baselines(folder: str) -> Dict[Tuple[_dt.date, _dt.date], float]:
    """Per-pair B_perp (m) from GAMMA ``*_bperp.par`` files in ``folder``
    (``*_base.par`` without a ``_bperp.par`` sibling is reported, not used)."""
    if not folder or not os.path.isdir(folder):
        raise ValueError(f"BASELINE_FOLDER: folder not found: {folder}")
    out = {}
    for p in sorted(glob.glob(os.path.join(folder, "**", "*bperp*.par"), recursive=True)):
        pr = find_pair(p)
        if pr:
            out[pr] = parse_gamma_bperp(p)
    return out


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
    if baseline_folder:
        bl = read_baselines(baseline_folder)
        for rec in recs:
            if rec["pair"] in bl:
                bperp[rec["pair"]] = bl[rec["pair"]]
        info(feedback, f"Perpendicular baselines from {len(bl)} GAMMA bperp files")
    # first file: grid
    first, gt0, wkt0, md0 = _read_band(recs[0]["unw"], nodata, "INPUT")
    for key, attr in _PYRATE_GEOMETRY.items():
        if key in md0:
            try:
                geo.setdefault(attr, float(md0[key]))
            except ValueError:
                pass
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
