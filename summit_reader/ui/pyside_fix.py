"""A guard against a reference-counting bug of PySide6 6.12 on Python 3.10 and 3.11.

PySide6 6.12's bindings return ``None`` from every void C++ method (``QTextCursor.setPosition``,
``QWidget.update``…) without taking a reference to it. From Python 3.12 on, ``None`` is immortal and this
is harmless; on 3.10 and 3.11 each call lowers ``None``'s reference count by one, and after some
thousands of calls (a few seconds of highlighting or scrolling) the interpreter aborts with
"Fatal Python error: none_dealloc: deallocating None". Measured here: 100 calls to
``QTextCursor.setPosition`` lower ``sys.getrefcount(None)`` by 100.

The guard does what Python 3.12 does: it gives ``None``, ``True`` and ``False`` a reference count so large
that it can never reach zero. Those objects are never freed anyway, so nothing else changes. It is a no-op
on Python 3.12+ and on interpreters other than CPython.
"""

from __future__ import annotations

import ctypes
import sys

#: Added once to each singleton's reference count (2**40 calls would take years).
BOOST = 1 << 40

_done = False


def needs_protection() -> bool:
    return sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def protect_singletons() -> bool:
    """Apply the guard once; return True if it was applied now or before."""
    global _done
    if _done:
        return True
    if not needs_protection():
        return False
    for singleton in (None, True, False, Ellipsis, NotImplemented):
        # ob_refcnt is the first field of every CPython object (a Py_ssize_t)
        ctypes.c_ssize_t.from_address(id(singleton)).value += BOOST
    _done = True
    return True
