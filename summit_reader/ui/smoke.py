"""Smoke test of an installed or bundled Summit Reader (``summit-reader --smoke-test OUT.png``, hidden).

It proves that what was packaged works on this machine, without touching the user's data: the window
starts on a demo library in a temporary folder (settings there too), renders, the analysis engine (spaCy)
counts words in every demo text, the icon renders from the packaged SVG, and a screenshot of the window
is written to OUT.png and checked not to be blank. Prints what it checked; returns 0, or 1 with the reason.
Run it offscreen where there is no screen: ``QT_QPA_PLATFORM=offscreen``.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

#: The demo texts must give at least this many counted words in all (they give far more).
MIN_MATCHES = 10


class SmokeFailure(Exception):
    """A check of the smoke test failed."""


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def _make_window(library: Any) -> Any:
    """The real main window, or (only while it does not exist yet) a minimal stand-in."""
    try:
        from summit_reader.ui.main_window import MainWindow
    except ModuleNotFoundError as exc:
        if exc.name != "summit_reader.ui.main_window":
            raise  # a dependency missing from the package: that is what this test is for
        from PySide6.QtWidgets import QListWidget, QMainWindow

        window = QMainWindow()
        window.setWindowTitle("Summit Reader (stand-in window)")
        listing = QListWidget()
        listing.addItems([f"{d.date}  {d.title}" for d in library.list_documents()])
        window.setCentralWidget(listing)
        _say("summit_reader.ui.main_window does not exist; using a stand-in window")
        return window
    return MainWindow(library)


def _dispose(window: Any) -> None:
    """Delete the window (and its pyqtgraph scene) now, while Python is whole: left to the interpreter's
    exit, the scene's destructor calls back into Python during finalisation and crashes now and then."""
    import shiboken6

    if shiboken6.isValid(window):
        shiboken6.delete(window)
    gc.collect()


def _wait(app: Any, done: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise SmokeFailure(f"timed out after {seconds:.0f} s waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def _check_not_blank(image: Any) -> int:
    """Distinct colours on a grid over the picture; a blank (one-colour) picture fails."""
    if image.isNull() or image.width() < 200 or image.height() < 150:
        raise SmokeFailure(f"the screenshot is empty or tiny ({image.width()}×{image.height()})")
    colours = set()
    step = 4
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    if len(colours) < 8:
        raise SmokeFailure(f"the screenshot looks blank ({len(colours)} colours)")
    return len(colours)


@contextlib.contextmanager
def _unhandled_exceptions() -> Iterator[list[str]]:
    """Collect exceptions that Qt would only print (raised in slots and timers) so they fail the test."""
    seen: list[str] = []
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        seen.append(f"{kind.__name__}: {value}")
        previous(kind, value, tb)

    sys.excepthook = hook
    try:
        yield seen
    finally:
        sys.excepthook = previous


def _check(out: Path, timeout: float) -> None:
    started = time.monotonic()
    _say(f"Summit Reader {_version()}, Python {sys.version.split()[0]}, frozen={getattr(sys, 'frozen', False)}")
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication

    from summit_reader.ui.icon import app_icon

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setApplicationName("Summit Reader")
    _say(f"Qt {pyside_version}, platform {app.platformName()}")
    icon = app_icon()
    if icon.isNull() or icon.pixmap(64, 64).isNull():
        raise SmokeFailure("the application icon did not render from the packaged SVG")
    app.setWindowIcon(icon)

    with (
        tempfile.TemporaryDirectory(prefix="summit-reader-smoke-") as tmp,
        # the window's start-up backup goes to the temporary folder too, never the user's backups
        _environment(SUMMIT_READER_CONFIG_DIR=str(Path(tmp) / "config"), SUMMIT_READER_BACKUP_DIR=str(Path(tmp) / "backups")),
        _unhandled_exceptions() as unhandled,
    ):
        _check_window_and_engine(app, Path(tmp), out, timeout, unhandled)
    if unhandled:
        raise SmokeFailure(f"unhandled exception: {unhandled[0]}")
    _say(f"passed in {time.monotonic() - started:.1f} s")


def _check_window_and_engine(app: Any, folder: Path, out: Path, timeout: float, unhandled: list[str]) -> None:
    from summit_reader.core.analysis import Analyzer
    from summit_reader.core.demo import open_demo_library

    library = open_demo_library(folder / "demo-library.sqlite3")
    try:
        docs = library.list_documents()
        if len(docs) < 3:
            raise SmokeFailure(f"the demo library has {len(docs)} documents, expected 3")
        _say(f"demo library: {len(docs)} documents")

        failures: list[str] = []
        window = _make_window(library)
        service = getattr(window, "service", None)
        if service is not None and hasattr(service, "failed"):
            service.failed.connect(failures.append)
        window.resize(1280, 800)
        window.show()
        _wait(app, window.isVisible, 10, "the window to show")
        # let the first paint and the deferred work (graph, analysis in the worker) happen
        settle = time.monotonic() + 1.0
        _wait(
            app,
            lambda: time.monotonic() > settle and not getattr(service, "busy", False),
            timeout,
            "the analysis of the demo texts",
        )
        ensure_graph = getattr(window, "ensure_graph", None)
        if callable(ensure_graph):  # the graph (pyqtgraph) is built after the first paint
            ensure_graph()
            app.processEvents()
        import pyqtgraph
        import pyqtgraph.exporters  # noqa: F401  (the graph's picture export)

        if failures:
            raise SmokeFailure(f"the window reported: {failures[0]}")
        if unhandled:
            raise SmokeFailure(f"unhandled exception in the window: {unhandled[0]}")
        _say(f"pyqtgraph {pyqtgraph.__version__} loaded")

        image = window.grab().toImage()
        colours = _check_not_blank(image)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG"):
            raise SmokeFailure(f"cannot write {out}")
        _say(f"window rendered {image.width()}×{image.height()} ({colours} colours) -> {out}")
        window.close()
        app.processEvents()
        _dispose(window)

        # the engine itself, on every demo text (from the cache the window filled, or afresh)
        analyzer = Analyzer()
        total = 0
        for summary in docs:
            analysis = analyzer.analyse_document(library, library.get_document(summary.id))
            total += len(analysis.matches)
        fresh = analyzer.analyse(library.get_document(docs[0].id).text)  # spaCy itself, not the cache
        if total < MIN_MATCHES or not fresh.matches:
            raise SmokeFailure(f"the analysis found only {total} matches in the demo texts")
        _say(f"analysis ({analyzer.engine_version}): {total} counted words in {len(docs)} texts")
    finally:
        library.close()


def _version() -> str:
    from summit_reader import __version__

    return __version__


def run_smoke_test(out: Path, *, timeout: float = 120.0) -> int:
    """Run the smoke test; 0 when every check passed, 1 otherwise (the reason is printed on stderr)."""
    try:
        _check(Path(out), timeout)
    except SmokeFailure as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:  # e.g. a module missing from the package: show where
        traceback.print_exc()
        print(f"smoke: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0
