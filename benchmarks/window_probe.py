"""Child processes for the window measurements (run by ``python -m benchmarks``, not by hand).

    python -m benchmarks.window_probe app LIBRARY [--stop painted|interactive]
    python -m benchmarks.window_probe bare TEXTFILE...
    python -m benchmarks.window_probe bare3 SPANS.json TEXTFILE...
    python -m benchmarks.window_probe stack TEXTFILE...
    python -m benchmarks.window_probe pane|plain TEXTFILE ANALYSIS.json REPEAT [--scroll PAGES]
    python -m benchmarks.window_probe panel LIBRARY REPEAT

Start-up modes print ``painted`` (and ``interactive``) on a line of their own as soon as that state is
reached; the parent times them from its ``Popen``. Nothing is imported before it is needed: the import
of Qt, Summit Reader, pyqtgraph and spaCy is part of what is measured. The other modes time inside the
child and print one JSON line of results.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")

WINDOW_SIZE = (1400, 900)


def _peak_mib() -> float:
    """This process's peak resident memory (VmHWM), in MiB. (``ru_maxrss`` from ``wait4`` is no good here:
    exec records the parent's peak in it when the child was started with vfork, as subprocess does.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_PROFILER: object = None


def _say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()
    if _PROFILER is not None and word in ("painted", "interactive") and word == os.environ.get("BENCH_PROFILE_UNTIL", "painted"):
        # BENCH_PROFILE=out.txt: a pyinstrument profile of the child up to that line
        _PROFILER.stop()  # type: ignore[attr-defined]
        with open(os.environ["BENCH_PROFILE"], "w", encoding="utf-8") as fh:
            fh.write(_PROFILER.output_text(unicode=True, show_all=False))  # type: ignore[attr-defined]


class _PaintWatch:
    """Calls ``done`` once every watched widget has received a paint event (then after one more turn of
    the event loop, so that the paint has finished)."""

    def __init__(self, widgets: list[object], done: object) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        pending = {id(w) for w in widgets}
        fired = [False]

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
                if event.type() == QEvent.Type.Paint:
                    pending.discard(id(watched))
                    if not pending and not fired[0]:
                        fired[0] = True
                        QTimer.singleShot(0, done)  # type: ignore[arg-type]
                return False

        self.filter = Filter()
        for w in widgets:
            w.installEventFilter(self.filter)  # type: ignore[attr-defined]


def run_app(library_path: str, stop: str) -> int:
    """The real start-up path (``summit_reader.ui.app.run``), reporting the end of the first paint of the
    last pane's text."""
    from pathlib import Path

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QPaintEvent

    from summit_reader.ui.app import _application, open_library_interactively
    from summit_reader.ui.widgets.reader_pane import ReaderView

    app = _application([sys.argv[0]])
    library = open_library_interactively(Path(library_path))
    if library is None:
        return 1
    from summit_reader.ui.main_window import MainWindow

    pending: set[int] = set()
    watches: list[_PaintWatch] = []

    def paint_event(view: ReaderView, event: QPaintEvent) -> None:
        ReaderView.__mro__[1].paintEvent(view, event)  # QPlainTextEdit's own painting
        if id(view) in pending:
            pending.discard(id(view))
            if not pending:
                painted()

    ReaderView.paintEvent = paint_event  # type: ignore[method-assign]
    window = MainWindow(library)

    def interactive_check() -> None:
        # Fully interactive: every document's analysis is known (from the cache, or from the worker), the
        # graph shows them, and the window's own analysis engine (the worker's spaCy pipeline, which the
        # window loads after its first paint) is ready for a new document. Nothing here loads anything.
        graph = window.graph
        service = window.service
        shown = graph is not None and (graph.mode == "scales" or bool(graph.plotted_categories()))
        if graph is None or service.busy or service.missing() or not shown or not service.engine_ready:
            QTimer.singleShot(5, interactive_check)
            return
        # the graph is drawn once its view has painted (again, after the check)
        view = graph.lines_view if graph.lines_view.isVisible() else graph.scales_view
        watches.append(_PaintWatch([view.viewport()], report_interactive))
        view.viewport().update()

    def report_interactive() -> None:
        _say("interactive")
        _say(f"peak {_peak_mib():.1f}")
        app.quit()

    def painted() -> None:
        _say("painted")
        if stop == "painted":
            _say(f"peak {_peak_mib():.1f}")
            QTimer.singleShot(0, app.quit)
        else:
            QTimer.singleShot(0, interactive_check)

    pending.update(id(pane.view) for pane in window.panes if pane.document is not None)
    if not pending:
        watches.append(_PaintWatch([window], painted))
    window.show()
    app.exec()
    window.hide()
    sys.stdout.flush()
    os._exit(0)  # skip teardown: it is not part of start-up


def run_bare(text_paths: list[str], *, stack: bool = False) -> int:
    """The baseline: a bare PySide6 window with one QTextEdit holding the same texts, reporting the end of
    the first paint of its text (the same hook as the app's panes).

    With ``stack``, a floor for "fully interactive", reported beside the issue's baseline: once the bare
    window has painted, what the app loads after its paint, done the simple way, one after the other, on
    the main thread: ``import pyqtgraph`` (with numpy), a PlotWidget with one line per text, in a dock,
    painted, and ``spacy.blank("en")`` with its tokenizer run once. spaCy is imported without its
    command-line interface, as the app imports it (``summit_reader.core.spacy_import``, a stand-alone
    module and the one piece of Summit Reader used here; the plain ``import spacy`` costs about 0.12 s
    more). Prints ``painted`` and then ``interactive``."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QApplication, QMainWindow, QTextEdit

    class Edit(QTextEdit):
        done = False

        def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
            super().paintEvent(event)
            if not self.done:
                self.done = True
                _say("painted")
                if stack:
                    QTimer.singleShot(0, load)
                else:
                    finish()

    def load() -> None:
        import pyqtgraph as pg
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QDockWidget

        from summit_reader.core import spacy_import

        spacy_import.install()
        import spacy

        plot = pg.PlotWidget()
        for i in range(len(texts)):
            plot.plot([2023, 2024, 2025], [i, i + 1, i + 2])
        watches.append(_PaintWatch([plot.viewport()], finish))
        dock = QDockWidget("Graph")
        dock.setWidget(plot)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        nlp = spacy.blank("en")
        nlp.tokenizer("The tokenizer is ready.")

    def finish() -> None:
        if stack:
            _say("interactive")
        _say(f"peak {_peak_mib():.1f}")
        QTimer.singleShot(0, app.quit)

    watches: list[_PaintWatch] = []
    texts = [open(p, encoding="utf-8").read() for p in text_paths]
    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    edit = Edit()
    edit.setPlainText("\n\n".join(texts))
    window.setCentralWidget(edit)
    window.resize(*WINDOW_SIZE)
    window.show()
    app.exec()
    sys.stdout.flush()
    os._exit(0)


def run_bare3(spans_path: str, text_paths: list[str]) -> int:
    """A floor for the first paint, reported beside the issue's baseline: the same texts side by side in a
    bare window, one read-only QTextEdit each, with the same highlights (the analysis's matches, given as
    (start, end, category) in ``spans_path``) set with QTextCursor in one edit block, and nothing else: no
    menus, docks, library or annotations. Reports the end of the first paint of the last text."""
    import json

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QColor, QPaintEvent, QTextCharFormat, QTextCursor
    from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTextEdit

    pending: set[int] = set()

    class Edit(QTextEdit):
        def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
            super().paintEvent(event)
            if id(self) in pending:
                pending.discard(id(self))
                if not pending:
                    _say("painted")
                    _say(f"peak {_peak_mib():.1f}")
                    QTimer.singleShot(0, app.quit)

    texts = [open(p, encoding="utf-8").read() for p in text_paths]
    with open(spans_path, encoding="utf-8") as fh:
        spans: list[list[list[object]]] = json.load(fh)
    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    splitter = QSplitter(Qt.Orientation.Horizontal)
    colours = ["#ffd54f", "#81d4fa", "#a5d6a7", "#f48fb1", "#ce93d8", "#ffab91", "#b0bec5", "#e6ee9c"]
    formats: dict[object, QTextCharFormat] = {}
    for text, matches in zip(texts, spans, strict=True):
        edit = Edit()
        edit.setReadOnly(True)
        edit.setPlainText(text)
        cursor = QTextCursor(edit.document())
        cursor.beginEditBlock()
        for start, end, category in matches:
            fmt = formats.get(category)
            if fmt is None:
                fmt = formats[category] = QTextCharFormat()
                fmt.setBackground(QColor(colours[len(formats) % len(colours)]))
            cursor.setPosition(int(start))  # type: ignore[call-overload]
            cursor.setPosition(int(end), QTextCursor.MoveMode.KeepAnchor)  # type: ignore[call-overload]
            cursor.setCharFormat(fmt)
        cursor.endEditBlock()
        splitter.addWidget(edit)
        pending.add(id(edit))
    window.setCentralWidget(splitter)
    window.resize(*WINDOW_SIZE)
    window.show()
    app.exec()
    sys.stdout.flush()
    os._exit(0)


def run_document(kind: str, text_path: str, analysis_path: str, repeat: int, pages: int) -> int:
    """Open a large text and paint it, ``repeat`` times (a new view each time), then scroll it page by
    page timing every repaint. ``kind``: ``pane`` (a ReaderPane with every highlight) or ``plain``."""
    import json

    from PySide6.QtWidgets import QApplication, QMainWindow, QTextEdit

    app = QApplication([sys.argv[0]])
    text = open(text_path, encoding="utf-8").read()
    document = analysis = palette = None
    if kind == "pane":
        from summit_reader.core.analysis import DocumentAnalysis
        from summit_reader.core.documents import Document, text_hash
        from summit_reader.core.lexicon import load_lexicon
        from summit_reader.ui.highlight_style import HighlightPalette

        digest = text_hash(text)
        lexicon = load_lexicon()
        with open(analysis_path, encoding="utf-8") as fh:
            analysis = DocumentAnalysis.from_json(fh.read(), text, digest, lexicon.label)
        document = Document(title="Benchmark", text=text, id=1, text_hash=digest)
        palette = HighlightPalette(lexicon, app.palette())

    def make() -> tuple[QMainWindow, object, object]:
        window = QMainWindow()
        window.resize(*WINDOW_SIZE)
        if kind == "pane":
            from summit_reader.ui.widgets.reader_pane import ReaderPane

            pane = ReaderPane(1, palette)  # type: ignore[arg-type]
            window.setCentralWidget(pane)
            view = pane.view
        else:
            pane = None
            view = QTextEdit()
            view.setReadOnly(True)
            window.setCentralWidget(view)
        window.show()
        for _ in range(3):
            app.processEvents()
        return window, pane, view

    def load(pane: object, view: object) -> None:
        if kind == "pane":
            pane.set_document(document, analysis)  # type: ignore[attr-defined]
        else:
            view.setPlainText(text)  # type: ignore[attr-defined]

    opens: list[float] = []
    window = view = None
    for i in range(repeat + 1):  # the first is a warm-up (fonts, style)
        if window is not None:
            window.close()
            window.deleteLater()
            app.processEvents()
        window, pane, view = make()
        start = time.perf_counter()
        load(pane, view)
        app.processEvents()
        view.viewport().repaint()  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - start
        if i:
            opens.append(elapsed)
    repaints: list[float] = []
    if pages and view is not None:
        bar = view.verticalScrollBar()  # type: ignore[attr-defined]
        viewport = view.viewport()  # type: ignore[attr-defined]
        for _ in range(pages):
            if bar.value() >= bar.maximum():
                break
            start = time.perf_counter()
            bar.setValue(bar.value() + bar.pageStep())
            viewport.repaint()
            repaints.append(time.perf_counter() - start)
    _say(json.dumps({"open": opens, "repaints": repaints}))
    sys.stdout.flush()
    os._exit(0)


def run_panel(library_path: str, repeat: int) -> int:
    """Construct the annotation panel on the library (every annotation: scope "Whole library"), show it
    and time until its table has painted."""
    import json

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    try:
        from summit_reader.ui.widgets import annotation_panel
    except ImportError:
        _say(json.dumps({"missing": "the annotation panel is not built yet"}))
        os._exit(0)
    from summit_reader.core.store import Library

    library = Library(library_path)
    summaries = library.list_documents()
    tags = library.list_tags()
    times: list[float] = []
    rows = 0
    for i in range(repeat + 1):
        loop = QEventLoop()
        start = time.perf_counter()
        panel = annotation_panel.AnnotationPanel()
        panel.set_documents(summaries)
        panel.set_tags(tags)
        panel.set_scope(annotation_panel.SCOPE_ALL)
        panel.set_library(library)
        panel.resize(1200, 500)
        watch = _PaintWatch([panel.view.viewport()], loop.quit)
        QTimer.singleShot(10_000, loop.quit)
        panel.show()
        loop.exec()
        elapsed = time.perf_counter() - start
        del watch
        rows = panel.model.total
        if i:
            times.append(elapsed)
        panel.close()
        panel.deleteLater()
        app.processEvents()
    _say(json.dumps({"open": times, "rows": rows, "loaded": len(panel.model.rows)}))
    sys.stdout.flush()
    os._exit(0)


def main(argv: list[str]) -> int:
    global _PROFILER
    if os.environ.get("BENCH_PROFILE"):
        from pyinstrument import Profiler

        _PROFILER = Profiler(interval=0.0005)
        _PROFILER.start()  # type: ignore[attr-defined]
    mode = argv[0]
    if mode == "app":
        stop = argv[argv.index("--stop") + 1] if "--stop" in argv else "interactive"
        return run_app(argv[1], stop)
    if mode == "bare":
        return run_bare(argv[1:])
    if mode == "bare3":
        return run_bare3(argv[1], argv[2:])
    if mode == "stack":
        return run_bare(argv[1:], stack=True)
    if mode in ("pane", "plain"):
        pages = int(argv[argv.index("--scroll") + 1]) if "--scroll" in argv else 0
        return run_document(mode, argv[1], argv[2], int(argv[3]), pages)
    if mode == "panel":
        return run_panel(argv[1], int(argv[2]))
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
