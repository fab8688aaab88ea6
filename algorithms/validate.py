"""Input validators whose messages name the offending argument.

Every public core function validates its inputs with these helpers so a user
sees ``"phase: expected a 3-D array (n_pairs, rows, cols), got shape (5, 5)"``
instead of a numba typing error deep inside a kernel.
"""
from __future__ import annotations

import datetime as _dt
from typing import Iterable, Sequence

import numpy as np


def check_array(name: str, arr, *, ndim=None, dtype_kind=None, shape=None,
                finite: bool = False, allow_nan: bool = True) -> np.ndarray:
    """Validate an array argument and return it as ``np.ndarray``.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    dtype_kind : str, optional
        Allowed numpy dtype kinds, e.g. ``"f"``, ``"fc"``, ``"iu"``.
    shape : tuple, optional
        Required shape; ``None`` entries are wildcards.
    finite : bool
        Require every value to be finite.
    allow_nan : bool
        If False, NaN values are rejected.
    """
    if arr is None:
        raise ValueError(f"{name}: a value is required")
    a = np.asarray(arr)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            raise ValueError(f"{name}: expected a {'/'.join(map(str, allowed))}-D array, got shape {a.shape}")
    if dtype_kind is not None and a.dtype.kind not in dtype_kind:
        raise TypeError(f"{name}: expected dtype kind '{dtype_kind}', got {a.dtype}")
    if shape is not None:
        if len(shape) != a.ndim or any(s is not None and s != t for s, t in zip(shape, a.shape)):
            want = tuple("*" if s is None else s for s in shape)
            raise ValueError(f"{name}: expected shape {want}, got {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name}: the array is empty")
    if finite and a.dtype.kind in "fc" and not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    if not allow_nan and a.dtype.kind in "fc" and np.isnan(a).any():
        raise ValueError(f"{name}: contains NaN values")
    return a


def check_same_shape(name_a: str, a, name_b: str, b) -> None:
    """Raise if two arrays have different shapes, naming both."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"{name_b}: shape {np.shape(b)} does not match {name_a} shape {np.shape(a)}")


def check_positive(name: str, value, *, allow_zero: bool = False) -> float:
    """Return ``value`` as float, raising if it is not (strictly) positive."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {value!r}") from None
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name}: must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return v


def check_range(name: str, value, lo=None, hi=None) -> float:
    """Return ``value`` as float, raising if outside ``[lo, hi]``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {value!r}") from None
    if not np.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{name}: must be in [{lo}, {hi}], got {value!r}")
    return v


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (case-insensitive)."""
    choices = list(choices)
    v = str(value).strip().lower()
    if v not in [c.lower() for c in choices]:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return v


def parse_date(text, *, name: str = "date") -> _dt.date:
    """Parse ``YYYYMMDD`` (also ``YYYY-MM-DD``) into a date, naming the argument."""
    s = str(text).strip().replace("-", "")
    if len(s) != 8 or not s.isdigit():
        raise ValueError(f"{name}: {text!r} is not a date in YYYYMMDD form")
    try:
        return _dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a valid calendar date") from None


def check_dates(name: str, dates: Sequence, *, min_count: int = 1, sorted_unique: bool = True) -> list:
    """Parse a list of dates, rejecting duplicates and too-short lists."""
    parsed = [parse_date(d, name=f"{name}[{i}]") for i, d in enumerate(dates)]
    if len(parsed) < min_count:
        raise ValueError(f"{name}: need at least {min_count} dates, got {len(parsed)}")
    seen = {}
    for i, d in enumerate(parsed):
        if d in seen:
            raise ValueError(f"{name}: duplicate date {d:%Y%m%d} (entries {seen[d]} and {i})")
        seen[d] = i
    return parsed
