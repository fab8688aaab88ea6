"""The tiny progress / cancel protocol shared by every core function.

Any object with ``setProgress(float)`` (0-100) and ``isCanceled() -> bool``
works; ``QgsProcessingFeedback`` already satisfies it.  Core functions call
:func:`check_cancel` once per block and raise :class:`Canceled`, which the
Processing layer turns into a clean, output-free stop.
"""
from __future__ import annotations


class Canceled(RuntimeError):
    """Raised by core code when the user cancelled the run."""


class NullFeedback:
    """Feedback that never cancels and ignores progress (scripts, tests)."""

    def setProgress(self, value: float) -> None:  # noqa: N802 (QGIS naming)
        pass

    def isCanceled(self) -> bool:  # noqa: N802
        return False

    def pushInfo(self, text: str) -> None:  # noqa: N802
        pass

    def pushWarning(self, text: str) -> None:  # noqa: N802
        pass


class ScaledFeedback:
    """Maps 0-100 progress of a sub-step onto ``[start, stop]`` of a parent."""

    def __init__(self, parent, start: float, stop: float):
        self.parent = parent if parent is not None else NullFeedback()
        self.start = float(start)
        self.stop = float(stop)

    def setProgress(self, value: float) -> None:  # noqa: N802
        self.parent.setProgress(self.start + (self.stop - self.start) * float(value) / 100.0)

    def isCanceled(self) -> bool:  # noqa: N802
        return bool(self.parent.isCanceled())

    def pushInfo(self, text: str) -> None:  # noqa: N802
        info(self.parent, text)

    def pushWarning(self, text: str) -> None:  # noqa: N802
        warn(self.parent, text)


def ensure(feedback):
    """Return ``feedback`` or a :class:`NullFeedback` when it is ``None``."""
    return NullFeedback() if feedback is None else feedback


def check_cancel(feedback) -> None:
    """Raise :class:`Canceled` if ``feedback`` says the user cancelled."""
    if feedback is not None and feedback.isCanceled():
        raise Canceled("canceled by the user")


def info(feedback, text: str) -> None:
    """Log an informational line if the feedback object can take it."""
    fn = getattr(feedback, "pushInfo", None)
    if fn is not None:
        fn(text)


def warn(feedback, text: str) -> None:
    """Log a warning if the feedback object can take it (falls back to info)."""
    fn = getattr(feedback, "pushWarning", None) or getattr(feedback, "pushInfo", None)
    if fn is not None:
        fn(text)
