"""Keep PySide6 from reading the source file of every module imported after it.

PySide6 replaces ``builtins.__import__`` so that a module may write ``from __feature__ import snake_case``.
To know which modules use Qt, it calls ``inspect.getsource`` on *every* module imported after PySide6
(``PySide6.support.feature._mod_uses_pyside``): each source file is read, split into lines and kept in
``linecache`` for the life of the process. Measured on the window's start-up (pyqtgraph and spaCy are
imported after Qt): about 900 source files, 13.5 MiB of text, 38 MiB of resident memory and 75 ms.

Summit Reader never uses ``__feature__``. :func:`install` answers PySide's question ("does this module
use Qt?") from the module's names instead (does it hold a PySide6 module, class or object?), which reads
no file. It changes nothing else; if a later PySide6 lacks that internal function, it does nothing.
"""

from __future__ import annotations

import sys
from types import ModuleType

_QT_PACKAGES = ("PySide6", "shiboken6")
_installed = False


def holds_qt(module: object) -> bool:
    """Whether the module's namespace holds something from PySide6 (no file is read, and no object's own
    ``__getattr__`` is called: only the module's dict and the types of its values are looked at)."""
    try:
        names = vars(module)
    except TypeError:  # no __dict__: a built-in module
        return False
    if str(names.get("__name__", "")).startswith(_QT_PACKAGES):
        return True
    for value in list(names.values()):
        kind = type(value)
        if kind is ModuleType:
            owner = value.__name__
        elif isinstance(value, type):
            owner = value.__dict__.get("__module__") or ""
        else:
            owner = kind.__dict__.get("__module__") or ""
        if isinstance(owner, str) and owner.startswith(_QT_PACKAGES):
            return True
    return False


def install() -> bool:
    """Replace PySide6's source scan with :func:`holds_qt` (once); False if this PySide6 has no such scan."""
    global _installed
    if _installed:
        return True
    import PySide6.QtCore  # noqa: F401 (loads PySide's import hook and its feature module)

    feature = sys.modules.get("PySide6.support.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = holds_qt  # type: ignore[attr-defined]  # noqa: SLF001
    _installed = True
    return True
