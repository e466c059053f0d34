"""Pausing Python's cyclic garbage collector.

A scan builds hundreds of thousands of small objects and almost no
reference cycles: reference counting frees them, and the cyclic collector
only spends time walking them (about a tenth of a large scan, and a few
hundredths of a second more while a large report is rendered)."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection inside the block; the previous state after it."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
