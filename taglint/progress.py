"""A progress bar on stderr for scans that take a while.

Shown only where someone watches a terminal: stderr is a TTY, the scan has
run for :data:`DELAY` seconds (a quick scan never shows it), and neither
``--quiet``, pre-commit (which sets ``PRE_COMMIT``) nor a machine format on
standard output (a pipe into another program, a CI log) asked for silence.
The bar is redrawn in place at most ten times a second and erased before
the report is written."""
from __future__ import annotations

import time
from typing import Callable, Mapping, TextIO

DELAY = 2.0  # seconds before the bar appears
INTERVAL = 0.1  # seconds between redraws
WIDTH = 28  # characters of the bar itself


def wanted(stream: TextIO, env: Mapping[str, str], *, quiet: bool, machine_stdout: bool) -> bool:
    """Whether a scan should show a progress bar on ``stream``."""
    if quiet or machine_stdout or "PRE_COMMIT" in env or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream
        return False


class ProgressBar:
    """``bar(done, total)`` as the scan goes; ``bar.close()`` at the end."""

    def __init__(
        self, stream: TextIO, *, delay: float | None = None, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.delay = DELAY if delay is None else delay
        self.clock = clock
        self.started = clock()
        self.drawn = False
        self._last = float("-inf")

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < self.delay:
            return
        if now - self._last < INTERVAL and done < total:
            return
        self._last = now
        self._write(f"\r{line(done, total, now - self.started)}\x1b[K")
        self.drawn = True

    def close(self) -> None:
        """Erase the bar, if it was drawn."""
        if self.drawn:
            self._write("\r\x1b[K")
            self.drawn = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # stderr went away: the report still comes
            pass


def line(done: int, total: int, elapsed: float) -> str:
    """``taglint [##########------------] 1,204/3,000 files  4s``."""
    filled = WIDTH if total <= 0 else min(WIDTH, WIDTH * done // total)
    bar = "#" * filled + "-" * (WIDTH - filled)
    return f"taglint [{bar}] {done:,}/{total:,} files  {elapsed:.0f}s"
