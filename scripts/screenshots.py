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
    _shoot_agreement(window, tmp, out, settle)
    _shoot_concordance(window, out, settle)
    _shoot_web_annotations(window, tmp, out, settle)
    _shoot_refi_qda(window, tmp, out, settle)
    _shoot_lexicon(window, tmp, out, settle)
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
    editor.done(0)  # closed unsaved without the "Discard this note?" question, which would block here


def _shoot_agreement(window: Any, tmp: Path, out: Path, settle: Callable[..., None]) -> None:
    """Research → Agreement between coders, after File → Import from research tools → A colleague's coding
    imported a colleague's library of two demo texts (coded for the screenshot by tests/helpers/second_coder.py),
    one disagreement chosen: your version beside theirs."""
    sys.path.insert(0, str(ROOT))
    from tests.helpers.second_coder import COLLEAGUE, make_colleague_library

    commands = window.agreement
    commands.import_coding(make_colleague_library(tmp / "colleague" / "their-library.sqlite3"), COLLEAGUE)
    settle(lambda: not commands.busy)
    view = commands.view
    view.resize(1280, 820)
    row = next(
        (i for i, d in enumerate(view.shown) if d.mine and d.theirs and d.disagreement.coded_by == "theirs"), 0
    )
    view.list.setCurrentCell(row, 0)
    settle()
    path = out / "agreement.png"
    view.grab().save(str(path))
    print(f"wrote {path}")
    view.close()


def _shoot_concordance(window: Any, out: Path, settle: Callable[..., None]) -> None:
    """Research → Concordance on the modal verbs of the demo texts, one line shown in its pane; then the
    same at classroom size (the panel's type follows the reading text's)."""
    from PySide6.QtCore import Qt

    from summit_reader.core.settings import CLASSROOM_ZOOM

    window.annotations.dock.hide()
    window.table_dock.hide()
    window.graph_dock.hide()
    kwic = window.concordance
    kwic.open("modal", category=True)
    window.resizeDocks([kwic.dock], [340], Qt.Orientation.Vertical)
    settle(lambda: not kwic.busy)
    view = kwic.view
    row = next(i for i, line in enumerate(view.model.lines) if line.keyword == "must")
    view.select_line(row)
    kwic.show_line(view.model.lines[row])
    view.table.setFocus()
    settle()
    path = out / "concordance.png"
    window.grab().save(str(path))
    print(f"wrote {path}")
    window.set_zoom(CLASSROOM_ZOOM)
    window.action_classroom.triggered.emit()
    window.library_dock.hide()
    window.legend_dock.hide()
    window.resizeDocks([kwic.dock], [420], Qt.Orientation.Vertical)
    settle()
    kwic.show_line(view.model.lines[row])  # (the larger type moved the text)
    view.table.scrollTo(view.model.index(row, 1))
    settle()
    path = out / "concordance-classroom.png"
    window.grab().save(str(path))
    print(f"wrote {path}")
    window.set_zoom(12)
    window.action_zoom_reset.triggered.emit()
    window.library_dock.show()
    window.legend_dock.show()
    kwic.dock.hide()


def _shoot_web_annotations(window: Any, tmp: Path, out: Path, settle: Callable[..., None]) -> None:
    """File → Export to research tools → W3C Web Annotations (JSON-LD)…, and the summary after File → Import
    from research tools merged a file from another tool (dialogs painted onto the window where they stand)."""
    import json

    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter, QPen

    def paint_over(widget: Any, name: str) -> None:
        settle()
        picture = window.grab()
        at = QPoint(max(20, (window.width() - widget.width()) // 2), 140)
        painter = QPainter(picture)
        painter.drawPixmap(at, widget.grab())
        painter.setPen(QPen(QColor("#555555"), 1))
        painter.drawRect(at.x() - 1, at.y() - 1, widget.width() + 1, widget.height() + 1)
        painter.end()
        picture.save(str(out / name))
        print(f"wrote {out / name}")

    commands = window.web_annotations
    window.annotations.dock.show()
    dialog = commands.open_export_dialog()
    dialog.path_edit.setText(str(Path.home() / "summit-reader-annotations.jsonld"))
    paint_over(dialog, "web-annotations-export.png")
    dialog.reject()

    pane = window.panes[0]
    text = pane.document.text
    words = ["catastrophic harm", "Developers should test their systems for safety", "further research on AI safety"]
    items: list[dict[str, Any]] = []
    for number, quote in enumerate(w for w in words if w in text):
        items.append({
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": f"https://annotations.example/seminar/{number}",
            "type": "Annotation",
            "creator": {"type": "Person", "name": "Seminar group B"},
            "body": [{"type": "TextualBody", "purpose": "commenting", "value": f"Group B on “{quote}”"},
                     {"type": "TextualBody", "purpose": "tagging", "value": "seminar"}],
            "target": {"source": {"id": "https://example.org/declaration", "label": pane.document.title},
                       "selector": {"type": "TextQuoteSelector", "exact": quote}},
        })
    items.append({"type": "Annotation", "id": "https://annotations.example/seminar/x", "body": "Elsewhere",
                  "target": {"source": {"id": "https://example.org/other", "label": "Another declaration"},
                             "selector": {"type": "TextQuoteSelector", "exact": "cooperation"}}})
    source = tmp / "seminar-group-b.jsonld"
    source.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    commands.import_file(source)
    settle(lambda: commands.task is None and commands.message_box is not None)
    box = commands.message_box
    if box is not None:
        paint_over(box, "web-annotations-import.png")
        box.close()


def _shoot_refi_qda(window: Any, tmp: Path, out: Path, settle: Callable[..., None]) -> None:
    """File → Export to research tools → REFI-QDA project (.qdpx)… on the demo library, then File → Import from
    research tools → REFI-QDA project (.qdpx)… of that file in a window on an empty library: the documents
    open with their coded passages, and the summary says what came in (painted where it stands)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter, QPen

    from summit_reader.core.settings import Settings
    from summit_reader.core.store import Library
    from summit_reader.ui.main_window import MainWindow

    project = tmp / "seminar-coding.qdpx"
    window.qda_ui.export_project(project)
    target = Library(tmp / "colleague.sqlite3")
    other = MainWindow(target, settings=Settings(path=tmp / "config" / "qda.json"))
    other.resize(*SIZE)
    other.show()
    settle()
    commands = other.qda_ui
    commands.import_project(project)
    settle(lambda: commands.task is None and commands.message_box is not None)
    other.annotations.dock.show()
    settle(lambda: not other.service.busy)
    box = commands.message_box
    if box is not None:
        picture = other.grab()
        at = QPoint(max(20, (other.width() - box.width()) // 2), 140)
        painter = QPainter(picture)
        painter.drawPixmap(at, box.grab())
        painter.setPen(QPen(QColor("#555555"), 1))
        painter.drawRect(at.x() - 1, at.y() - 1, box.width() + 1, box.height() + 1)
        painter.end()
        picture.save(str(out / "refi-qda-import.png"))
        print(f"wrote {out / 'refi-qda-import.png'}")
        box.close()
    other.close()
    target.close()


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

def _shoot_lexicon(window: Any, tmp: Path, out: Path, settle: Callable[..., None]) -> None:
    """Lexicon → Edit… on a scale with an entry the loader would refuse, then the window counting with a
    small LIWC .dic written for the screenshots (its categories in the legend, the graph and the status bar)."""
    commands = window.lexicon_ui
    editor = commands.edit()
    editor.resize(900, 620)
    editor.category_list.setCurrentRow(list(window.lexicon.category_names).index("modal"))
    editor.entry_table.selectRow(4)
    editor.entry_edit.setText("ought?")
    settle()
    editor.grab().save(str(out / "lexicon-editor.png"))
    print(f"wrote {out / 'lexicon-editor.png'}")
    editor.reject()

    dic = tmp / "care-and-knowledge.dic"
    dic.write_text(
        "%\n1\tcare\n2\tknowledge\n3\tcooperation\n%\n"
        "safe*\t1\npeople\t1\nprotect*\t1\nharm\t1\nresearch\t2\nscience\t2\ninformation\t2\n"
        "cooperat*\t3\ntogether\t3\npartnership*\t3\ndialogue\t3\n",
        encoding="utf-8",
    )
    commands.load(dic)
    settle(lambda: not window.service.busy and not window.service.missing())
    window.set_graph_mode("rate")
    window.graph_dock.show()
    window.table_dock.hide()
    settle()
    window.grab().save(str(out / "lexicon-liwc.png"))
    print(f"wrote {out / 'lexicon-liwc.png'}")
    commands.use_default()
    settle(lambda: not window.service.busy)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: PySide6 6.12 can crash while destroying Qt objects at exit
