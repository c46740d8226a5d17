"""Fixtures for the window tests: a demo library whose analyses are already cached (built once per
session, copied for each test), and a MainWindow on it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from summit_reader.core.analysis import Analyzer
from summit_reader.core.demo import demo_documents
from summit_reader.core.settings import Settings
from summit_reader.core.store import Library


@pytest.fixture(scope="session")
def cached_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library file with the three demo texts and their analyses in the cache (spaCy runs once here)."""
    path = tmp_path_factory.mktemp("template") / "demo-template.sqlite3"
    library = Library(path)
    analyzer = Analyzer()
    for doc in demo_documents():
        stored = library.add_document(doc)
        analyzer.analyse_document(library, stored)
    library.close()
    return path


@pytest.fixture
def demo_library(cached_demo_template: Path, tmp_path: Path) -> Iterator[Library]:
    path = tmp_path / "demo.sqlite3"
    shutil.copy(cached_demo_template, path)
    library = Library(path)
    yield library
    library.close()


@pytest.fixture
def make_window(qtbot, tmp_path: Path) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    """Build a shown MainWindow on a library, with the settings of this test's config folder."""
    from summit_reader.ui.main_window import MainWindow

    def make(library: Library, *, graph: bool = True, size: tuple[int, int] = (1400, 900)) -> MainWindow:
        window = MainWindow(library, settings=Settings.load())
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        if graph:
            qtbot.waitUntil(lambda: window.graph is not None, timeout=10000)
        qtbot.waitUntil(lambda: not window.service.busy and not window.service.missing(), timeout=20000)
        qtbot.waitUntil(lambda: not window._stats_timer.isActive(), timeout=5000)
        return window

    return make


@pytest.fixture
def window(make_window, demo_library: Library):  # type: ignore[no-untyped-def]
    return make_window(demo_library)
