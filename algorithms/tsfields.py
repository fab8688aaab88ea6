"""Time series stored as attribute fields (``DYYYYMMDD``), the de-facto
convention of MintPy's QGIS export, EGMS and InSAR Explorer."""
from __future__ import annotations

import datetime as _dt
import re
from typing import List, Sequence, Tuple

import numpy as np

_FIELD = re.compile(r"^D(\d{8})$", re.IGNORECASE)


def date_field_name(d: _dt.date) -> str:
    """``date(2021, 3, 12)`` -> ``'D20210312'``."""
    return "D" + d.strftime("%Y%m%d")


def date_fields(names: Sequence[str]) -> List[Tuple[str, _dt.date]]:
    """The ``DYYYYMMDD`` fields among ``names`` as ``(name, date)``, sorted by date.

    Names that look like a date field but are not a valid calendar date are ignored.
    """
    out = []
    for n in names:
        m = _FIELD.match(str(n))
        if not m:
            continue
        s = m.group(1)
        try:
            out.append((n, _dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))))
        except ValueError:
            continue
    return sorted(out, key=lambda t: t[1])


def series_from_attributes(names: Sequence[str], values: Sequence) -> Tuple[List[_dt.date], np.ndarray]:
    """Dates and values (mm, NaN where NULL) of the ``DYYYYMMDD`` fields of one feature."""
    lookup = dict(zip(names, values))
    fields = date_fields(names)
    vals = []
    for n, _ in fields:
        v = lookup[n]
        try:
            vals.append(float(v))
        except (TypeError, ValueError):
            vals.append(np.nan)
    return [d for _, d in fields], np.array(vals, dtype=np.float64)
