"""Python's cycle collector paused for bulk work (no Qt; see ``ui/gc_pause.py`` for the window's start-up)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused, for bulk work on a large file, table or text: it makes millions of
    lists, tuples and strings that stay alive until it ends, and the collector walked them (and every
    other object of the program) again and again: a fifth of a 100,000-row merge, and dozens of passes in
    the analysis of a long text. Nothing made there forms a cycle; the collector resumes (if it was on)
    when the block ends. Also a decorator."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
