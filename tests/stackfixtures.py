"""Small helpers that write SLC files and manifests for tests."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np


def write_slc_set(folder, n: int = 3, *, rows: int = 8, cols: int = 8, seed: int = 0, step_days: int = 12,
                  start=dt.date(2020, 1, 1), dates=None, bperp=None, dtype="complex64", geotransform=None,
                  crs_epsg=32651):
    """Write ``n`` random complex GeoTIFFs (on ``dates``, default every ``step_days`` from
    ``start``) and a manifest; return the manifest path."""
    from minesar.algorithms import stackio
    from osgeo import osr
    folder = Path(folder)
    (folder / "slc").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(crs_epsg)
    gt = geotransform or (500000.0, 20.0, 0.0, 4650000.0, 0.0, -20.0)
    entries = []
    for i in range(n):
        d = dates[i] if dates is not None else start + dt.timedelta(days=step_days * i)
        p = folder / "slc" / f"{d:%Y%m%d}.tif"
        data = (rng.standard_normal((rows, cols)) + 1j * rng.standard_normal((rows, cols))).astype(dtype)
        stackio.write_raster(str(p), data, kind="slc", geotransform=gt, crs_wkt=srs.ExportToWkt())
        b = bperp[i] if bperp is not None else 10.0 * i
        entries.append((d, str(p), b))
    return Path(stackio.write_manifest(str(folder / "manifest.csv"), entries))


def bad_manifests(folder):
    """Yield ``(case, manifest_path, expected_message_regex)`` for each bad-manifest case."""
    from minesar.algorithms import stackio
    folder = Path(folder)
    good = write_slc_set(folder / "good", 3)
    lines = good.read_text().strip().splitlines()
    header, rows = lines[0], lines[1:]

    def man(name, body_rows, head=header):
        d = folder / "good"
        p = d / f"{name}.csv"
        p.write_text("\n".join([head] + body_rows) + "\n")
        return p

    yield "missing file", man("missing", rows[:2] + ["20200125,slc/nothere.tif,5.0"]), r"row 3.*file not found"
    yield "duplicate date", man("dup", rows + [rows[0]]), r"duplicate date 20200101"
    yield "bad date", man("baddate", rows[:2] + [rows[2].replace("20200125", "20201325")]), r"row 3.*not a valid calendar date"
    yield "unparseable date", man("unparse", rows[:2] + ["Jan-25,slc/20200125.tif,5"]), r"row 3.*YYYYMMDD"
    yield "missing baseline", man("nobase", rows[:2] + ["20200125,slc/20200125.tif,"]), r"row 3.*baseline.*missing"
    yield "non-numeric baseline", man("textbase", rows[:2] + ["20200125,slc/20200125.tif,abc"]), r"row 3.*'abc' is not a number"
    yield "empty manifest", man("empty", []), r"lists no acquisitions"
    # a real (non-complex) raster
    real = folder / "good" / "slc" / "real.tif"
    stackio.write_raster(str(real), np.ones((8, 8), dtype="float32"), kind="dem")
    yield "non-complex raster", man("real", rows[:2] + ["20200125,slc/real.tif,5"]), r"not a complex raster"
    # a raster of another size
    big = folder / "good" / "slc" / "big.tif"
    stackio.write_raster(str(big), np.ones((9, 8), dtype="complex64"), kind="slc")
    yield "size mismatch", man("size", rows[:2] + ["20200125,slc/big.tif,5"]), r"8 x 9 pixels but"
