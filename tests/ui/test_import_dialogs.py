"""Getting documents into the window, driven as a user would: File → Import… with the details dialog,
drag and drop, Edit → Paste as new document, Document → Edit details… and Delete…, bad files and a
full disk. Every text here is written for the tests (none is an official text)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from summit_reader.core import importers
from summit_reader.core.documents import new_document
from summit_reader.core.errors import StoreError
from summit_reader.core.store import Library
from summit_reader.ui.dialogs.metadata_dialog import Details, MetadataDialog
from summit_reader.ui.dialogs.questions import DeleteQuestion, DuplicateQuestion
from summit_reader.ui.widgets.reader_pane import document_mime
from tests.ui.modal import ModalAnswers, click, message_text

TEXT = (
    "Test text written for Summit Reader; not an official text. The participants of this imaginary "
    "meeting say that software should count every word once, and that it must keep paragraphs apart."
)


@pytest.fixture
def empty_window(make_window, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "empty.sqlite3")
    window = make_window(library, graph=False)
    yield window
    window.close()
    library.close()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def fill(dialog: QWidget, **values: str) -> MetadataDialog:
    assert isinstance(dialog, MetadataDialog), type(dialog)
    fields = {"title": dialog.title_edit, "date": dialog.date_edit, "place": dialog.place_edit, "url": dialog.url_edit}
    for key, value in values.items():
        if key == "kind":
            dialog.kind_combo.setCurrentText(value)
        else:
            fields[key].setText(value)
    return dialog


def titles(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.title for s in window.service.summaries]


# ---------------------------------------------------------------------------------------------- import


def test_import_several_files_asks_details_once_with_import_all(empty_window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    page = write(tmp_path / "page.html", f"<html><head><title>Tab title</title></head><body><main><h1>A test page heading</h1><p>{TEXT}</p></main></body></html>")
    notes = write(tmp_path / "notes.md", f"# Markdown test heading\n\n{TEXT} Second file.")
    plain = write(tmp_path / "plain_text.txt", f"{TEXT} Third file.")
    monkeypatch.setattr(window.documents_ui, "choose_files", lambda: [page, notes, plain])
    seen: dict[str, object] = {}

    def details(dialog: QWidget) -> None:
        d = fill(dialog, date="2023-11-01", place="Test place", kind="declaration", url="https://example.org/test")
        seen["title"] = d.title_edit.text()
        seen["window_title"] = d.windowTitle()
        seen["preview"] = d.preview.toPlainText()
        click(d.import_all_button)

    with ModalAnswers(details):
        window.action_import.trigger()
    assert seen["title"] == "A test page heading"  # the page's heading, suggested
    assert seen["window_title"] == "Import 'page.html' (1 of 3)"
    assert str(seen["preview"]).startswith("A test page heading")
    summaries = window.service.summaries
    assert sorted(s.title for s in summaries) == ["A test page heading", "Markdown test heading", "Plain text"]
    assert {(s.date, s.place, s.kind) for s in summaries} == {("2023-11-01", "Test place", "declaration")}
    assert {s.title: s.source_url for s in summaries}["A test page heading"] == "https://example.org/test"
    assert {s.title: s.source_url for s in summaries}["Plain text"] == ""  # each file its own source
    assert window.stack.currentWidget() is window.reading
    assert [p.document_id for p in window.panes] == [1, 2]  # the first two in the empty panes
    assert "Imported 3 documents" in window.statusBar().currentMessage()


def test_details_dialog_checks_the_date_and_title(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = MetadataDialog(None, mode="import", details=Details(title="Suggested"), source="'x.txt'", preview=TEXT,
                            position=(1, 2))
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, date="1 November 2023")
    click(dialog.ok_button)
    assert dialog.isVisible() and dialog.error_label.isVisible()
    assert "is not a date; write it as YYYY-MM-DD" in dialog.error_label.text()
    fill(dialog, date="2023-11-01", title="   ")
    click(dialog.ok_button)
    assert dialog.isVisible() and dialog.error_label.text() == "A document needs a title."
    fill(dialog, title="  A   corrected   title ")
    click(dialog.ok_button)
    assert not dialog.isVisible() and dialog.choice == "import"
    assert dialog.details() == Details("A corrected title", "2023-11-01", "", "other", "")
    # the last of several files has no "Import all" but can be skipped
    last = MetadataDialog(None, mode="import", details=Details(title="T"), source="'y.txt'", position=(2, 2))
    qtbot.addWidget(last)
    assert last.import_all_button is None and last.skip_button is not None


def test_a_duplicate_is_named_and_skipped_by_default_or_imported_anyway(empty_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    first = write(tmp_path / "first.txt", TEXT)
    again = write(tmp_path / "again.txt", TEXT + "\n")  # the same text once normalised

    with ModalAnswers(lambda d: click(fill(d, title="Original test text").ok_button)):
        assert len(window.import_files([first])) == 1

    def skip(box: QWidget) -> None:
        assert isinstance(box, DuplicateQuestion)
        assert "'again.txt' is already in the library as “Original test text” (document 1)" in message_text(box)
        assert box.defaultButton() is box.skip_button
        click(box.defaultButton())

    with ModalAnswers(skip):
        assert window.import_files([again]) == []
    assert titles(window) == ["Original test text"]

    with ModalAnswers(lambda box: click(box.import_button), lambda d: click(fill(d, title="Second copy").ok_button)):
        assert len(window.import_files([again])) == 1
    assert sorted(titles(window)) == ["Original test text", "Second copy"]


def test_bad_files_each_give_one_clear_message_and_leave_the_library_as_it_was(empty_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02binary\x00" * 50)
    empty = write(tmp_path / "empty.txt", "")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB (sparse: refused by its size before it is read)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Déclaration écrite pour les tests".encode("latin-1"))
    scripts = write(tmp_path / "scripts.html", "<html><head><script>var x = 1;</script></head><body><script>y()</script></body></html>")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage, no xref, no trailer")
    sheet = write(tmp_path / "table.xlsx", "not a spreadsheet either")
    files = [binary, empty, huge, latin, scripts, damaged, sheet]
    reported: list[str] = []

    def report(box: QWidget) -> None:
        reported.append(message_text(box))
        click(box.defaultButton() or box.buttons()[0])

    with ModalAnswers(report):
        assert window.import_files(files) == []
    text = reported[0]
    for path in files:
        assert f"'{path.name}'" in text, path.name
    assert "binary file" in text and "is empty" in text and "50 MB" in text
    assert "not valid UTF-8" in text and "no readable text" in text and "damaged or is not a valid PDF" in text
    assert "cannot be imported: Summit Reader reads" in text
    assert window.service.summaries == [] and window.library.list_documents() == []
    assert window.stack.currentWidget() is window.welcome


def _pdf(path: Path, paragraphs: list[str]) -> Path:
    from PySide6.QtGui import QFont, QPageSize, QPainter, QPdfWriter, QTextDocument

    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(72)
    writer.setTitle("PDF test title written for Summit Reader")
    painter = QPainter(writer)
    document = QTextDocument()
    document.setDefaultFont(QFont("DejaVu Sans", 11))
    document.setHtml("".join(f"<p>{p}</p>" for p in paragraphs))
    document.setTextWidth(500)
    painter.translate(40, 60)
    document.drawContents(painter)
    painter.end()
    return path


def test_a_pdf_is_read_in_a_worker_thread(empty_window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    pdf = _pdf(tmp_path / "report.pdf", [TEXT, "A second paragraph of the PDF written for the tests."])
    threads: list[str] = []
    real = importers.read_document_file

    def spy(path: Path):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real(path)

    monkeypatch.setattr(importers, "read_document_file", spy)
    seen: dict[str, str] = {}

    def details(dialog: QWidget) -> None:
        d = fill(dialog, date="2024-05-21")
        seen["title"] = d.title_edit.text()
        click(d.ok_button)

    with ModalAnswers(details):
        added = window.import_files([pdf])
    assert threads == ["summit-reader-import"]
    assert seen["title"] == "PDF test title written for Summit Reader"
    doc = window.library.get_document(added[0])
    assert doc.text.startswith("Test text written for Summit Reader") and "second paragraph" in doc.text
    assert doc.source_path == str(pdf)


def test_a_full_disk_during_an_import_is_one_message_and_the_window_keeps_working(empty_window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    first = write(tmp_path / "first.txt", TEXT)

    def full(*args: object, **kwargs: object) -> object:
        raise StoreError("The disk is full; the library 'empty.sqlite3' was not changed. Free some space and try again.")

    monkeypatch.setattr(window.library, "add_document", full)
    reported: list[str] = []

    def report(box: QWidget) -> None:
        reported.append(message_text(box))
        click(box.buttons()[0])

    with ModalAnswers(lambda d: click(fill(d).ok_button), report):
        assert window.import_files([first]) == []
    assert "'first.txt' was not imported: The disk is full" in reported[0]
    monkeypatch.undo()
    assert window.library.list_documents() == []
    with ModalAnswers(lambda d: click(fill(d).ok_button)):
        assert len(window.import_files([first])) == 1  # space was freed: the same import works
    assert titles(window) == ["First"]


# ---------------------------------------------------------------------------------------- drag and drop


def _drop(target: QWidget, mime: QMimeData) -> tuple[bool, bool]:
    pos = QPointF(target.rect().center())
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(pos.toPoint(), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_files_dropped_on_the_window_are_imported(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = len(window.service.summaries)
    one = write(tmp_path / "dropped_one.txt", f"{TEXT} One.")
    two = write(tmp_path / "dropped_two.md", f"# Dropped heading\n\n{TEXT} Two.")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(one)), QUrl.fromLocalFile(str(two))])
    target = window.panes[0].view.viewport()
    names: list[str] = []

    def details(dialog: QWidget) -> None:
        names.append(dialog.windowTitle())
        click(fill(dialog, date="2026-01-01").ok_button)

    with ModalAnswers(details, details):
        assert _drop(target, mime) == (True, True)
        qtbot.waitUntil(lambda: len(window.service.summaries) == before + 2, timeout=10000)
    assert names == ["Import 'dropped_one.txt' (1 of 2)", "Import 'dropped_two.md' (2 of 2)"]
    assert titles(window)[-2:] == ["Dropped heading", "Dropped one"]  # dated 2026: last in date order (then title)
    # a drop on the welcome view or a dock works the same way
    three = write(tmp_path / "three.txt", f"{TEXT} Three.")
    mime3 = QMimeData()
    mime3.setUrls([QUrl.fromLocalFile(str(three))])
    with ModalAnswers(lambda d: click(d.ok_button)):
        assert _drop(window.legend, mime3) == (True, True)
        qtbot.waitUntil(lambda: len(window.service.summaries) == before + 3, timeout=10000)
    # dragging a library document onto a pane still opens it there (not an import)
    doc_id = window.service.summaries[1].id
    assert _drop(window.panes[0].view.viewport(), document_mime(doc_id)) == (True, True)
    assert window.panes[0].document_id == doc_id
    assert len(window.service.summaries) == before + 3


# ---------------------------------------------------------------------------------------------- paste


def test_paste_as_new_document_uses_the_clipboard_html_and_asks_the_title(empty_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    mime = QMimeData()
    mime.setText("Pasted heading\nfirst paragraph as plain text")
    mime.setHtml(f"<h2>Pasted test heading</h2><p>{TEXT}</p><ul><li>first pasted item</li><li>second pasted item</li></ul>")
    QApplication.clipboard().setMimeData(mime)
    seen: dict[str, str] = {}

    def details(dialog: QWidget) -> None:
        d = fill(dialog, date="2025-02-11", place="Test city")
        seen["title"] = d.title_edit.text()
        seen["window"] = d.windowTitle()
        click(d.ok_button)

    with ModalAnswers(details):
        window.acts.paste_document.trigger()
    assert seen == {"title": "Pasted test heading", "window": "Paste as new document"}
    [summary] = window.service.summaries
    assert (summary.title, summary.date, summary.place) == ("Pasted test heading", "2025-02-11", "Test city")
    text = window.library.get_document(summary.id).text
    assert "• first pasted item\n• second pasted item" in text  # the HTML's structure, not the plain text
    assert window.panes[0].document_id == summary.id
    assert window.acts.paste_document.shortcut().toString() == "Ctrl+Shift+V"

    QApplication.clipboard().clear()  # (the clipboard owns and deletes its data now, not at exit)
    reported: list[str] = []

    def report(box: QWidget) -> None:
        reported.append(message_text(box))
        click(box.buttons()[0])

    with ModalAnswers(report):
        window.welcome.paste_button.click()  # the welcome view's button does the same (here: nothing to paste)
    assert "The clipboard holds no text" in reported[0]
    assert len(window.service.summaries) == 1


# ------------------------------------------------------------------------------------ details, delete


def test_edit_details_resorts_the_library_the_panes_and_the_graph(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    summaries = window.service.summaries
    last = summaries[-1]  # 2025
    pane = window.pane_for_document(last.id)
    assert pane is not None
    window._set_active(pane)
    graph = window.graph
    assert [r.document.id for r in graph._table.rows][-1] == last.id

    def details(dialog: QWidget) -> None:
        assert dialog.windowTitle() == "Edit details"
        d = fill(dialog, title="Renamed test sample (not an official text)", date="2022-06-30", place="Elsewhere")
        assert d.kind_combo.currentText() == last.kind
        click(d.ok_button)

    with ModalAnswers(details):
        window.acts.edit_details.trigger()
    assert window.library_panel.visible_titles()[0] == "Renamed test sample (not an official text)"
    assert window.service.summaries[0].id == last.id and window.service.summaries[0].date == "2022-06-30"
    qtbot.waitUntil(lambda: [r.document.id for r in graph._table.rows][0] == last.id, timeout=5000)
    assert graph._table.rows[0].document.date == "2022-06-30"
    assert "2022-06-30" in pane.details.text() and "Elsewhere" in pane.details.text()
    assert pane.combo.currentText().startswith("Renamed test sample")
    assert pane.analysis is not None  # same text: its highlights stay

    # from the library list's context menu, on another document
    other = window.service.summaries[1]
    menu = window.documents_ui.library_menu(other.id)
    edit = next(a for a in menu.actions() if a.text() == "&Edit details…")
    with ModalAnswers(lambda d: click(fill(d, date="").ok_button)):
        edit.trigger()
    assert window.service.summaries[-1].id == other.id and window.service.summaries[-1].date is None  # undated last


def test_delete_names_the_annotations_that_go_with_the_document(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    doc_id = window.panes[0].document_id
    assert doc_id is not None
    for start in (0, 20):
        window.library.add_annotation(doc_id, start, start + 10, note="test note")
    window._set_active(window.panes[0])
    before = len(window.service.summaries)
    texts: list[str] = []

    def cancel(box: QWidget) -> None:
        assert isinstance(box, DeleteQuestion)
        texts.append(message_text(box))
        assert box.defaultButton() is box.cancel_button
        click(box.defaultButton())

    with ModalAnswers(cancel):
        window.acts.delete_document.trigger()
    assert "Its 2 annotations will be deleted with it." in texts[0]
    assert len(window.service.summaries) == before

    with ModalAnswers(lambda box: click(box.delete_button)):
        window.acts.delete_document.trigger()
    assert doc_id not in [s.id for s in window.service.summaries]
    assert len(window.library_panel.visible_titles()) == before - 1
    assert window.panes[0].document is None and window.panes[0].view.toPlainText() == ""
    assert window.library.count_annotations() == 0
    assert "and its 2 annotations" in window.statusBar().currentMessage()


def test_the_sample_banner_shows_for_illustrative_texts_only(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pane = window.panes[0]
    assert pane.sample_banner.isVisible()
    assert "not an official summit text" in pane.sample_banner.text()
    doc = window.library.add_document(new_document(TEXT + " Banner test.", "A text of the user's own"))
    window.service.refresh()
    assert doc.id is not None
    window.open_document(doc.id, pane)
    assert not pane.sample_banner.isVisible()


def test_welcome_buttons_and_menus(empty_window) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    welcome = window.welcome
    names = [b.text() for b in (welcome.corpus_button, welcome.demo_button, welcome.import_button, welcome.paste_button)]
    assert names == ["Get the AI summit texts…", "Open the demo set", "Import files…", "Paste…"]
    assert all(b.isVisible() for b in (welcome.corpus_button, welcome.paste_button))
    menus = {a.text(): [x.text() for x in a.menu().actions() if x.text()] for a in window.menuBar().actions()}
    assert {"&Import…", "&Get the AI summit texts…", "Restore from &backup…"} <= set(menus["&File"])
    assert "&Paste as new document…" in menus["&Edit"]
    assert menus["&Document"][:2] == ["&Edit details…", "&Delete…"]
    # a Document command with no document says so instead of failing
    window.acts.edit_details.trigger()
    assert "Open a document" in window.statusBar().currentMessage()
