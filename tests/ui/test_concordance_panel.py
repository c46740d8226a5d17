"""Research → Concordance (keyword in context), driven as a user would: the menu and its shortcut, a
category or a typed word, header clicks, double-click and Enter, Annotate from here, Export CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from summit_reader.core.documents import new_document
from summit_reader.core.store import Library
from summit_reader.ui.widgets.concordance_view import DATE, KEYWORD, LEFT, RIGHT
from tests.ui.modal import ModalAnswers, click, message_text

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT_BUTTON = Qt.MouseButton.LeftButton

# Written for these tests: "security" as a word, inside "cybersecurity", and after a hyphen.
SECURITY_TEXT = (
    "We put security first. Cybersecurity is a field of its own.\n\n"
    "Cyber-security needs a hyphen; security and safety go together."
)


def menu_action(window, text: str):  # type: ignore[no-untyped-def]
    found = [a for a in window.research_menu.actions() if a.text().replace("&", "") == text]
    assert len(found) == 1, [a.text() for a in window.research_menu.actions()]
    return found[0]


def open_from_menu(window, qtbot):  # type: ignore[no-untyped-def]
    action = menu_action(window, "Concordance (keyword in context)…")
    action.trigger()
    kwic = window.concordance
    qtbot.waitUntil(kwic.dock.isVisible, timeout=3000)
    return kwic


def search_word(qtbot, kwic, word: str) -> None:  # type: ignore[no-untyped-def]
    edit = kwic.view.query_edit
    edit.clear()
    qtbot.keyClicks(edit, word)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not kwic.busy, timeout=20000)


def choose_category(qtbot, kwic, name: str) -> None:  # type: ignore[no-untyped-def]
    combo = kwic.view.category_combo
    index = combo.findText(name)
    assert index > 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what choosing it in the open list does
    qtbot.waitUntil(lambda: not kwic.busy, timeout=20000)


def test_a_category_lists_exactly_the_language_tables_count(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    kwic = open_from_menu(window, qtbot)
    assert kwic.view.query_edit.hasFocus()
    table = window.service.stats_table()
    for name in ("safety", "modal"):
        choose_category(qtbot, kwic, name)
        expected = sum(row.count(name) for row in table.rows)
        lines = kwic.view.model.lines
        assert len(lines) == expected > 0
        assert kwic.view.count_label.text().startswith(f"{expected} occurrences of the category “{name}”")
        for row in table.rows:  # line by line the same words the table counts
            counted = [(m.start, m.end) for m in row.analysis.matches_in(name)]
            assert [(ln.start, ln.end) for ln in lines if ln.document_id == row.document.id] == counted
    # in date order, the keyword column shows the words themselves
    model = kwic.view.model
    dates = [model.index(r, DATE).data() for r in range(model.rowCount())]
    assert dates == sorted(dates)
    assert {model.index(r, KEYWORD).data().lower() for r in range(model.rowCount())} >= {"may", "must", "should"}


def test_a_typed_word_is_a_whole_word_not_a_substring(make_window, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "words.sqlite3")
    library.add_document(new_document(SECURITY_TEXT, "Security words (written for the tests)", date="2024-01-01"))
    library.add_document(new_document("Safety and security. No cybersecurity here.", "Second (written for the tests)", date="2023-01-01"))
    window = make_window(library, graph=False)
    kwic = open_from_menu(window, qtbot)
    search_word(qtbot, kwic, "SECURITY")
    lines = kwic.view.model.lines
    # 5 substrings "security" in the two texts, 4 words: "cybersecurity" is never one
    assert [ln.keyword for ln in lines] == ["security", "security", "security", "security"]
    assert [ln.date for ln in lines] == ["2023-01-01", "2024-01-01", "2024-01-01", "2024-01-01"]
    assert kwic.view.count_label.text() == "4 occurrences of “security” in 2 documents"
    assert kwic.view.category_combo.currentIndex() == 0
    search_word(qtbot, kwic, "cyber*")
    assert [ln.keyword for ln in kwic.view.model.lines] == ["cybersecurity", "Cybersecurity", "Cyber"]
    search_word(qtbot, kwic, "secur?ty")
    assert "only * is a wildcard" in kwic.view.count_label.text()
    assert [ln.keyword for ln in kwic.view.model.lines] == ["cybersecurity", "Cybersecurity", "Cyber"]  # kept
    search_word(qtbot, kwic, "blockchain")
    assert kwic.view.model.rowCount() == 0
    assert kwic.view.count_label.text() == "No occurrence of “blockchain” in the library."
    assert not kwic.view.export_button.isEnabled()


def header_click(qtbot, view, column: int) -> None:  # type: ignore[no-untyped-def]
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), LEFT_BUTTON, pos=QPoint(x, header.height() // 2))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_header_clicks_sort_by_the_words_nearest_the_keyword(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    kwic = open_from_menu(window, qtbot)
    choose_category(qtbot, kwic, "modal")
    view = kwic.view
    chosen = view.model.lines[3]
    view.select_line(3)
    header_click(qtbot, view, LEFT)
    lefts = [words(ln.left)[::-1] for ln in view.model.lines]
    assert lefts == sorted(lefts) and lefts != [words(ln.left)[::-1] for ln in sorted(view.model.lines, key=lambda ln: (ln.document_order, ln.start))]
    assert view.current_line() is chosen  # the chosen line stays chosen
    header_click(qtbot, view, LEFT)  # again: descending
    assert [words(ln.left)[::-1] for ln in view.model.lines] == sorted(lefts, reverse=True)
    header_click(qtbot, view, RIGHT)
    rights = [words(ln.right) for ln in view.model.lines]
    assert rights == sorted(rights)
    header_click(qtbot, view, DATE)
    order = [(ln.document_order, ln.start) for ln in view.model.lines]
    assert order == sorted(order)


def test_double_click_and_enter_show_the_keyword_in_the_reader_pane(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    kwic = open_from_menu(window, qtbot)
    search_word(qtbot, kwic, "safety")
    view = kwic.view
    last = view.model.rowCount() - 1
    line = view.model.lines[last]
    view.table.scrollTo(view.model.index(last, KEYWORD))
    rect = view.table.visualRect(view.model.index(last, KEYWORD))
    qtbot.mouseClick(view.table.viewport(), LEFT_BUTTON, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), LEFT_BUTTON, pos=rect.center())
    pane = window.active_pane
    assert pane.document_id == line.document_id
    assert pane.selection_span() == (line.start, line.end)
    assert pane.selected_text().lower() == "safety"
    # Enter on the first line: the keyboard's way
    view.select_line(0)
    view.table.setFocus()
    first = view.model.lines[0]
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    pane = window.active_pane
    assert pane.document_id == first.document_id and pane.selection_span() == (first.start, first.end)
    # then F3 (Go → Next occurrence) steps to the next line of the same search in that document
    same = [ln for ln in view.model.lines if ln.document_id == first.document_id]
    assert len(same) >= 2
    window.action_next_occurrence.trigger()
    assert pane.selection_span() == (same[1].start, same[1].end)


def test_annotate_from_here_opens_the_editor_on_the_keyword(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.library.author = "Tester"
    kwic = open_from_menu(window, qtbot)
    choose_category(qtbot, kwic, "modal")
    view = kwic.view
    row = next(i for i, ln in enumerate(view.model.lines) if ln.keyword == "must")
    line = view.model.lines[row]
    view.select_line(row)
    qtbot.mouseClick(view.annotate_button, LEFT_BUTTON)
    c = window.annotations
    qtbot.waitUntil(lambda: c.editor is not None and c.editor.isVisible(), timeout=3000)
    editor = c.editor
    qtbot.keyClicks(editor.note_edit, "obligation")
    qtbot.mouseClick(editor.save_button, LEFT_BUTTON)
    assert not editor.isVisible(), editor.error_label.text()
    saved = window.library.list_annotations(document_id=line.document_id)
    assert [(a.start, a.end, a.quote, a.note) for a in saved] == [(line.start, line.end, "must", "obligation")]
    # the context menu offers the same
    rect = view.table.visualRect(view.model.index(row, KEYWORD))
    menu = view.build_menu(rect.center())
    assert menu is not None
    assert [a.text() for a in menu.actions() if a.text()] == ["Show in pane", "Annotate from here…", "Copy line", "Export CSV…"]
    next(a for a in menu.actions() if a.text() == "Copy line").trigger()
    assert QApplication.clipboard().text().startswith(f"…{line.left} must ")


def test_export_csv_writes_the_lines_in_their_order_with_query_and_lexicon(window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    kwic = open_from_menu(window, qtbot)
    choose_category(qtbot, kwic, "safety")
    view = kwic.view
    header_click(qtbot, view, RIGHT)
    target = tmp_path / "safety-kwic"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV (*.csv)"))
    qtbot.mouseClick(view.export_button, LEFT_BUTTON)
    written = target.with_suffix(".csv")
    rows = list(csv.DictReader(io.StringIO(written.read_text("utf-8"))))
    assert [(int(r["document_id"]), int(r["start"])) for r in rows] == [(ln.document_id, ln.start) for ln in view.model.lines]
    assert {r["query"] for r in rows} == {"safety"} and {r["query_kind"] for r in rows} == {"category"}
    assert {r["lexicon"] for r in rows} == {window.lexicon.label}
    assert f"Saved {len(rows)} lines" in window.statusBar().currentMessage()
    # a folder that does not exist: a message, and no file anywhere
    missing = tmp_path / "no-such-folder" / "out.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(missing), "CSV (*.csv)"))

    def says_why(box) -> None:  # type: ignore[no-untyped-def]
        assert "does not exist" in message_text(box)
        click(box.button(box.StandardButton.Ok))

    with ModalAnswers(says_why):
        qtbot.mouseClick(view.export_button, LEFT_BUTTON)
    assert not missing.parent.exists()


def test_the_shortcut_opens_the_panel_with_the_selected_word(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    action = menu_action(window, "Concordance (keyword in context)…")
    keys = action.shortcut().toString()
    assert keys
    pane = window.panes[0]
    start = pane.document.text.index("safety")
    pane.select_span(start, start + len("safety"))
    pane.view.setFocus()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_K, CTRL)
    kwic = window.concordance
    qtbot.waitUntil(kwic.dock.isVisible, timeout=3000)
    assert kwic.view.query_edit.text() == "safety"
    qtbot.keyClick(kwic.view.query_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not kwic.busy and kwic.view.model.rowCount() > 0, timeout=20000)
    assert all(ln.keyword.lower() == "safety" for ln in kwic.view.model.lines)
    # the panel can be shown and hidden from the View menu too
    toggle = kwic.dock.toggleViewAction()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View")
    assert toggle in view_menu.actions()


def test_classroom_size_makes_the_panel_type_large(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    kwic = open_from_menu(window, qtbot)
    before = kwic.view.table.font().pointSizeF()
    window.action_classroom.trigger()
    assert kwic.view.table.font().pointSizeF() > 1.8 * before
    window.action_zoom_reset.trigger()
    assert kwic.view.table.font().pointSizeF() == pytest.approx(before)


def test_a_line_whose_text_changed_or_library_went_is_not_shown_at_a_wrong_place(make_window, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "changing.sqlite3")
    doc = library.add_document(new_document(SECURITY_TEXT, "Security words (written for the tests)", date="2024-01-01"))
    window = make_window(library, graph=False)
    kwic = open_from_menu(window, qtbot)
    search_word(qtbot, kwic, "safety")
    line = kwic.view.model.lines[0]
    # the text changes after the search: "safety" is no longer at those offsets
    library.replace_document_text(doc.id, "Safety first. " + SECURITY_TEXT)
    window.service.refresh()
    before = window.active_pane.selection_span()
    kwic.view.lineActivated.emit(line)
    assert "changed since this search" in window.statusBar().currentMessage()
    assert window.active_pane.selection_span() == before
    # another library: the lines go, with a word of why
    other = Library(tmp_path / "other.sqlite3")
    other.add_document(new_document("Nothing to see.", "Other (written for the tests)"))
    window.set_library(other)
    kwic.dock.hide()
    kwic.open()
    assert kwic.view.model.rowCount() == 0
    assert kwic.view.count_label.text() == "The library changed: search again."


def test_an_empty_library_keeps_the_panel_out_of_the_welcome_view(make_window, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "one.sqlite3")
    doc = library.add_document(new_document("We will meet again.", "One (written for the tests)"))
    window = make_window(library, graph=False)
    kwic = open_from_menu(window, qtbot)
    library.delete_document(doc.id)
    window.service.refresh()
    assert window.stack.currentWidget() is window.welcome and not kwic.dock.isVisible()
    library.add_document(new_document("We will meet again.", "One (written for the tests)"))
    window.service.refresh()
    qtbot.waitUntil(kwic.dock.isVisible, timeout=2000)


def test_a_wider_context_searches_again(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    kwic = open_from_menu(window, qtbot)
    choose_category(qtbot, kwic, "safety")
    narrow = {(ln.document_id, ln.start): ln for ln in kwic.view.model.lines}
    spin = kwic.view.width_spin
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "200")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not kwic.busy, timeout=20000)
    wide = {(ln.document_id, ln.start): ln for ln in kwic.view.model.lines}
    assert wide.keys() == narrow.keys()
    assert sum(len(ln.left) + len(ln.right) for ln in wide.values()) > sum(len(ln.left) + len(ln.right) for ln in narrow.values())
