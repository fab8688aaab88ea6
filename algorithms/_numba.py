"""numba, or a stand-in so the plugin still loads without it (DESIGN §1).

Every core module takes ``njit`` and ``prange`` from here.  Without numba the
decorator returns the plain Python function and ``prange`` is ``range``: the
modules still import, the stages stay in the toolbox, and each algorithm's
``canExecute()`` tells the user that numba is missing.
"""
from __future__ import annotations

try:
    from numba import njit, prange
    NUMBA_AVAILABLE = True
except ImportError:  # pragma: no cover - exercised only on machines without numba
    NUMBA_AVAILABLE = False
    prange = range

    def njit(*args, **kwargs):  # noqa: D103 - same call forms as numba.njit
        if args and callable(args[0]):
            return args[0]
        return lambda f: f
