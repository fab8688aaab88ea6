"""Shared by the benchmarks: import the checkout as the package ``minesar``."""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def import_minesar(*extra_paths) -> None:
    """Put a ``minesar`` link to the checkout (and ``extra_paths``) on ``sys.path``."""
    link_parent = Path(tempfile.gettempdir()) / f"minesar_import_{hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]}"
    link_parent.mkdir(parents=True, exist_ok=True)
    link = link_parent / "minesar"
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    for p in (str(link_parent), *map(str, extra_paths)):
        if p not in sys.path:
            sys.path.insert(0, p)
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(tempfile.gettempdir()) / "minesar_numba_cache"))
