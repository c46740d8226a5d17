"""The Qt window of Summit Reader. Importing this package applies :mod:`summit_reader.ui.pyside_fix`,
:mod:`summit_reader.ui.pyside_imports` (PySide6 no longer reads the source of every module imported later)
and :mod:`summit_reader.core.spacy_import` (spaCy is imported without its command-line interface)."""

from summit_reader.core.spacy_import import install as _spacy_without_cli
from summit_reader.ui.pyside_fix import protect_singletons
from summit_reader.ui.pyside_imports import install as _skip_source_scan

protect_singletons()
_skip_source_scan()
_spacy_without_cli()
