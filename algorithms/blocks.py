"""Plan / run_block / finalize: the block protocol of DESIGN §7.

A stage describes its work as a list of :class:`Block` objects that carry only
paths, windows and plain parameters (picklable, so the same plan can later be
sent to Dask).  :func:`run_blocks` runs them on a thread pool (numba kernels are
``nogil``), reports progress as finished blocks / blocks, stops submitting on
cancel and re-raises the first error.
"""
from __future__ import annotations

import dataclasses
import os
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any, Callable, Dict, List, Optional, Sequence

from .progress import Canceled, ensure


@dataclasses.dataclass
class Block:
    """One independent unit of work.

    Attributes
    ----------
    id : int
        Position in the plan.
    window : tuple
        ``(row0, nrows, read_row0, read_nrows)`` or any tuple the stage needs.
    inputs : dict
        Input paths (never open handles).
    params : dict
        Plain parameters.
    """

    id: int
    window: tuple = ()
    inputs: Dict[str, str] = dataclasses.field(default_factory=dict)
    params: Dict[str, Any] = dataclasses.field(default_factory=dict)


def default_workers() -> int:
    """Threads to use: the machine's cores (at least 1)."""
    return max(1, os.cpu_count() or 1)


def run_blocks(blocks: Sequence[Block], run_block: Callable[[Block], Any], *, feedback=None,
               workers: Optional[int] = None, on_result: Optional[Callable[[Block, Any], None]] = None,
               progress_range=(0.0, 100.0)) -> List[Any]:
    """Run ``run_block`` over ``blocks`` on a thread pool.

    ``on_result(block, result)`` is called in the calling thread as blocks
    finish (write tiles there: GDAL handles are not shared across threads).
    Returns the results in plan order.  Raises :class:`Canceled` if the
    feedback is cancelled; remaining blocks are not started.
    """
    feedback = ensure(feedback)
    workers = default_workers() if workers is None else max(1, int(workers))
    results: Dict[int, Any] = {}
    n = len(blocks)
    lo, hi = progress_range
    if n == 0:
        return []
    if workers == 1:
        for k, b in enumerate(blocks):
            if feedback.isCanceled():
                raise Canceled("canceled by the user")
            r = run_block(b)
            if on_result is not None:
                on_result(b, r)
            results[b.id] = r
            feedback.setProgress(lo + (hi - lo) * (k + 1) / n)
        return [results[b.id] for b in blocks]
    pending = list(blocks)[::-1]
    running = {}
    done_count = 0
    with ThreadPoolExecutor(max_workers=workers) as ex:
        try:
            while pending or running:
                while pending and len(running) < workers and not feedback.isCanceled():
                    b = pending.pop()
                    running[ex.submit(run_block, b)] = b
                if feedback.isCanceled():
                    for f in running:
                        f.cancel()
                    raise Canceled("canceled by the user")
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED, timeout=0.5)
                for f in finished:
                    b = running.pop(f)
                    r = f.result()
                    if on_result is not None:
                        on_result(b, r)
                    results[b.id] = r
                    done_count += 1
                    feedback.setProgress(lo + (hi - lo) * done_count / n)
        except BaseException:
            for f in running:
                f.cancel()
            raise
    return [results[b.id] for b in blocks]
