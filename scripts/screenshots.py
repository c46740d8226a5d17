"""Render screenshots of the main window's main states to docs/screenshots/ (offscreen, no display needed).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Uses the demo library (illustrative texts, not official ones) in a temporary folder, so the user's library
and settings are never touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1600, 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="summit-reader-shots-") as tmp:
        os.environ["SUMMIT_READER_DB"] = str(Path(tmp) / "library.sqlite3")
        os.environ["SUMMIT_READER_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "xdg-config")
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "xdg-data")
        return _render(out, Path(tmp))


def _render(out: Path, tmp: Path) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont

    from summit_reader.core.demo import open_demo_library
    from summit_reader.core.settings import CLASSROOM_ZOOM, Settings
    from summit_reader.core.store import Library
    from summit_reader.ui.app import _application
    from summit_reader.ui.main_window import MainWindow

    app = _application([sys.argv[0]])
    app.setFont(QFont("DejaVu Sans", 10))

    def settle(condition: Callable[[], bool] = lambda: True, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            if condition():
                break
            time.sleep(0.02)
        # let timers (the debounced stats refresh, layouts) run
        idle_end = time.monotonic() + 0.4
        while time.monotonic() < idle_end:
            app.processEvents()
            time.sleep(0.01)

    def shoot(window: MainWindow, name: str) -> None:
        settle()
        path = out / name
        window.grab().save(str(path))
        print(f"wrote {path}")

    # 1. the welcome view (an empty library)
    empty = Library(tmp / "empty.sqlite3")
    window = MainWindow(empty, settings=Settings(path=tmp / "config" / "a.json"))
    window.resize(*SIZE)
    window.show()
    shoot(window, "welcome.png")
    _shoot_getting_documents_in(window, tmp, out, settle)
    window.close()
    empty.close()

    # 2. two panes, highlights, legend and graph on the demo library
    library = open_demo_library()
    window = MainWindow(library, settings=Settings(path=tmp / "config" / "b.json"))
    window.resize(*SIZE)
    window.show()
    settle(lambda: not window.service.busy and not window.service.missing())
    graph = window.ensure_graph()
    window.legend.set_hidden_categories(
        set(window.lexicon.category_names) - {"safety", "risk", "innovation", "inclusion", "security", "modal"}
    )
    settle()
    second = window.panes[1]
    window.show_first_occurrence(second.document_id or 0, "innovation")
    shoot(window, "main-window.png")

    # 3. the strength scales
    window.set_graph_mode("scales")
    window.legend.show_all()
    shoot(window, "strength-scales.png")

    # 4. classroom zoom: the graph dock closed, large type
    window.set_graph_mode("rate")
    window.library_dock.hide()
    window.legend_dock.hide()
    window.set_zoom(CLASSROOM_ZOOM)
    window.legend.set_hidden_categories(set(window.lexicon.category_names) - {"safety", "innovation", "modal"})
    window.show_first_occurrence(window.panes[0].document_id or 0, "safety")
    shoot(window, "classroom.png")

    # 5. the language table
    window.set_zoom(12)
    window.library_dock.show()
    window.legend_dock.show()
    window.graph_dock.hide()
    window.table_dock.show()
    window.resizeDocks([window.table_dock], [420], Qt.Orientation.Vertical)
    window.legend.show_all()
    settle()
    view = window.stats_view
    table = view.model.table
    if table is not None and table.rows:
        index = view.cell_index(len(table.rows) - 1, "modal")
        view.table_view.clicked.emit(index)
    shoot(window, "language-table.png")
    _shoot_annotations(window, out, settle)
    window.close()
    del graph
    library.close()
    app.processEvents()
    return 0


def _shoot_annotations(window: Any, out: Path, settle: Callable[..., None]) -> None:
    """A few annotations on the demo texts, the annotations panel, and the editor open on a new one (the
    editor is its own window: it is painted onto the window's picture where it stands)."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QColor, QPainter, QPen

    c = window.annotations
    library = window.library
    library.author = "A. Researcher"
    window.table_dock.hide()
    window.graph_dock.hide()
    left, right = window.panes[0], window.panes[1]

    def add(pane: Any, words: str, note: str, tags: list[str]) -> Any:
        start = pane.document.text.index(words)
        return library.add_annotation(pane.document.id, start, start + len(words), note=note, tags=tags)

    first = add(left, "may also pose serious risks to safety and security",
                "Risk as a possibility (“may”): compare the 2025 text.", ["hedge", "existing risk"])
    add(left, "serious risks to safety", "Safety and security paired from the first paragraph.", ["key passage"])
    add(left, "Developers should test their systems for safety before release",
        "An expectation on developers, but only “should”.", ["hedge"])
    add(right, "AI must serve the public good", "The strongest modal; the frame moves from risk to benefit.", ["commitment"])
    add(right, "no one must be left behind by the digital divide", "Exclusion named as a risk.", ["exclusion risk"])
    c.reload_all()
    c.dock.show()
    c.panel.set_scope("all")
    window.resizeDocks([c.dock], [300], Qt.Orientation.Vertical)
    c.panel.select_annotation(first.id)
    left.view.verticalScrollBar().setValue(0)
    settle()
    words = "We endorse open and transparent approaches"
    start = right.document.text.index(words)
    right.select_span(start, start + len(words))
    window._set_active(right)
    c.annotate_selection()
    editor = c.editor
    editor.note_edit.setPlainText("Openness endorsed: a shift since 2023?")
    editor.tag_picker.add_tag("key passage")
    editor.tag_picker.add_tag("openness")
    editor.resize(440, 330)
    settle()
    picture = window.grab()
    at = QPoint(window.width() - editor.width() - 60, 150)
    painter = QPainter(picture)
    painter.drawPixmap(at, editor.grab())
    painter.setPen(QPen(QColor("#555555"), 1))
    painter.drawRect(at.x() - 1, at.y() - 1, editor.width() + 1, editor.height() + 1)
    painter.end()
    picture.save(str(out / "annotations.png"))
    print(f"wrote {out / 'annotations.png'}")
    editor.reject()


def _shoot_getting_documents_in(window: object, tmp: Path, out: Path, settle: Callable[..., None]) -> None:
    """The import details dialog, and File → Get the AI summit texts… after a download from the tests'
    local stand-in for the publishers (pages written for the tests; one answers 404 to show a failure)."""
    import pytest

    from summit_reader.core.importers import read_document_file
    from summit_reader.ui.dialogs.metadata_dialog import Details, MetadataDialog

    sys.path.insert(0, str(ROOT))
    from tests.corpus_pages import PARIS_PATH, Route, running_publishers

    page = tmp / "harbour-statement.html"
    page.write_text(
        "<html><head><title>Illustrative sample</title></head><body><main>"
        "<h1>Illustrative sample: Harbour Statement (not an official text)</h1>"
        "<p>Written for Summit Reader's screenshots. The participants of this imaginary meeting recognise that "
        "AI may pose risks to safety, and they commit to meet again.</p>"
        "<ul><li>We will share research on safety.</li><li>We should support open innovation.</li></ul>"
        "</main></body></html>",
        encoding="utf-8",
    )
    imported = read_document_file(page)
    dialog = MetadataDialog(
        window, mode="import", details=Details(title=imported.suggested_title, date="2023-11-01",  # type: ignore[arg-type]
                                               place="Fictional harbour town", kind="statement"),
        source=f"'{page.name}'", preview=imported.text, position=(1, 3),
    )
    dialog.show()
    settle()
    dialog.grab().save(str(out / "import-dialog.png"))
    print(f"wrote {out / 'import-dialog.png'}")
    dialog.close()

    with pytest.MonkeyPatch.context() as monkeypatch, running_publishers(monkeypatch) as publishers:
        publishers.set("/elysee" + PARIS_PATH, Route(status=404, body=b"<html>Test 404</html>", content_type="text/html"))
        commands = window.documents_ui  # type: ignore[attr-defined]
        commands.corpus_options = {"base_urls": publishers.base_urls}
        corpus = commands.get_summit_texts()
        corpus.start_download()
        settle(lambda: not corpus.running, timeout=60)
        settle()
        corpus.grab().save(str(out / "summit-texts.png"))
        print(f"wrote {out / 'summit-texts.png'}")
        corpus.close()

if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: PySide6 6.12 can crash while destroying Qt objects at exit
