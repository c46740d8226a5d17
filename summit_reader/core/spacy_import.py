"""spaCy without its command-line interface, which Summit Reader never uses.

``import spacy`` runs ``spacy/__init__.py``, which imports ``spacy.cli`` only to offer ``spacy.info``; and
``spacy.cli`` imports every spaCy command and their libraries (requests, httpx, typer, rich, jinja2,
weasel: about 350 modules). Measured on the window's start-up (numpy and Qt already loaded),
``import spacy`` + ``spacy.blank("en")``: 440 ms and +67 MiB; without the command-line interface, 315 ms and
+50 MiB.

:func:`install` puts a finder in front of the import system that, while spaCy's command-line interface has
not been imported, answers for ``spacy.cli`` and ``spacy.cli.info`` with stand-ins. Nothing is lost: the
first use of anything in them (``spacy.info()``, ``spacy.cli.download``, ``from spacy.cli import …``,
``import spacy.cli.train``) imports the real modules, which replace the stand-ins. The tokenizer, and so
every analysis, is spaCy's own either way.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import threading
from types import ModuleType
from typing import Any, cast

CLI = "spacy.cli"
CLI_INFO = "spacy.cli.info"
_MARK = "__summit_reader_stand_in__"

_lock = threading.RLock()
_finder: _StandInFinder | None = None


def is_stand_in(module: object) -> bool:
    return isinstance(module, ModuleType) and bool(getattr(module, _MARK, False))


def _real(name: str) -> ModuleType:
    """The real ``spacy.cli`` (or one of its modules): the stand-ins and the finder step aside for good."""
    with _lock:
        if _finder is not None:
            _finder.active = False
        for stand_in in (CLI_INFO, CLI):
            if is_stand_in(sys.modules.get(stand_in)):
                del sys.modules[stand_in]
        return importlib.import_module(name)


class _StandInLoader:
    """An import loader (importlib.abc.Loader's protocol; that module is not imported, for start-up's sake)."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        setattr(module, _MARK, True)

        def __getattr__(attr: str) -> Any:  # noqa: N807 (a module's __getattr__)
            if attr.startswith("__"):
                raise AttributeError(attr)
            return getattr(_real(name), attr)

        module.__getattr__ = __getattr__  # type: ignore[method-assign]
        if name == CLI_INFO:

            def info(*args: Any, **kwargs: Any) -> Any:
                """spaCy's ``info`` (``spacy.info``): imports spaCy's command-line interface first."""
                return _real(CLI_INFO).info(*args, **kwargs)

            module.info = info  # type: ignore[attr-defined]


class _StandInFinder:
    """A meta path finder (importlib.abc.MetaPathFinder's protocol) for the two stand-ins, while active."""

    def __init__(self) -> None:
        self.active = True
        self._loader = _StandInLoader()

    def find_spec(self, fullname: str, path: Any = None, target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if not self.active or fullname not in (CLI, CLI_INFO):
            return None
        spec = importlib.machinery.ModuleSpec(fullname, cast(Any, self._loader), is_package=fullname == CLI)
        if fullname == CLI:
            # real submodules (``import spacy.cli.train``) are still found where they are
            from importlib.util import find_spec

            found = find_spec("spacy")
            locations = list(found.submodule_search_locations or ()) if found is not None else []
            spec.submodule_search_locations = [f"{folder}/cli" for folder in locations]
        return spec


def install() -> bool:
    """Import spaCy without its command-line interface from now on (once; not if spaCy's command-line
    interface is imported already). True if the stand-ins are in place or will be."""
    global _finder
    with _lock:
        if _finder is not None:
            return _finder.active
        if CLI in sys.modules:
            return False
        _finder = _StandInFinder()
        sys.meta_path.insert(0, _finder)
        return True
