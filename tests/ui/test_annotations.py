"""Annotating in the window, driven as a user would: select words, Ctrl+M, type a note and tags, save;
the panel, the marks, restart, edit in place, undo/redo, tags, re-imported texts, export, two windows."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QToolTip

from summit_reader.cli import cli
from summit_reader.core.export import read_annotations_csv, split_tags
from summit_reader.core.store import Library
from summit_reader.ui.widgets.annotation_panel import COLUMN

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton
ANCHORING = importlib.util.find_spec("summit_reader.core.anchoring") is not None


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):  # type: ignore[no-untyped-def]
    """A key press that goes through the window's shortcuts, as from the keyboard."""
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


def select(pane, words: str, occurrence: int = 1) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    text = pane.document.text
    start = -1
    for _ in range(occurrence):
        start = text.index(words, start + 1)
    pane.select_span(start, start + len(words))
    return start, start + len(words)


def annotate(qtbot, window, pane, words: str, note: str = "", tags=()):  # type: ignore[no-untyped-def]
    """Select ``words`` in ``pane``, Ctrl+M, type the note, add the tags, Save. Returns the annotation."""
    c = window.annotations
    start, end = select(pane, words)
    pane.view.setFocus()
    press(qtbot, window, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: c.editor is not None and c.editor.isVisible(), timeout=3000)
    editor = c.editor
    if note.isascii() and note.isprintable():
        qtbot.keyClicks(editor.note_edit, note)
    else:  # QTest types Latin-1 only
        editor.note_edit.insertPlainText(note)
    for tag in tags:
        editor.tag_picker.add_tag(tag)
    qtbot.mouseClick(editor.save_button, LEFT)
    assert not editor.isVisible(), editor.error_label.text()
    found = [a for a in window.library.list_annotations(document_id=pane.document_id) if (a.start, a.end) == (start, end)]
    assert len(found) == 1
    return found[-1]


def near(colour: QColor, wanted: QColor, tolerance: int = 60) -> bool:
    return (
        abs(colour.red() - wanted.red()) + abs(colour.green() - wanted.green()) + abs(colour.blue() - wanted.blue())
        <= tolerance
    )


def box_has_colour(pane, marks, annotation_id: str, colour: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the mark's outline (left edge of its box) is painted in ``colour`` on screen."""
    rect = marks.mark_rect(annotation_id)
    assert rect is not None
    image = pane.view.viewport().grab().toImage()
    wanted = QColor(colour)
    for x in range(max(0, rect.left() - 3), rect.left() + 2):
        for y in range(max(0, rect.top()), min(image.height(), rect.bottom())):
            if near(image.pixelColor(x, y), wanted):
                return True
    return False


@pytest.fixture
def window(make_window, demo_library: Library):  # type: ignore[no-untyped-def]
    """The window without waiting for the graph (these tests do not use it)."""
    return make_window(demo_library, graph=False)


# =================================================================================== create, restart


def test_ctrl_m_annotates_and_the_annotation_survives_a_restart(make_window, demo_library: Library, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo_library, graph=False)
    c = window.annotations
    pane = window.panes[0]
    start, end = select(pane, "serious risks to safety")
    pane.view.setFocus()
    press(qtbot, window, Qt.Key.Key_M, CTRL)
    # asked once: the name written on annotations, prefilled with the login name
    qtbot.waitUntil(lambda: c.author_dialog is not None and c.author_dialog.isVisible(), timeout=3000)
    dialog = c.author_dialog
    assert dialog.name_edit.text() == demo_library.author
    dialog.name_edit.setText("Ada  Lovelace ")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: c.editor is not None and c.editor.isVisible(), timeout=3000)
    editor = c.editor
    assert "serious risks to safety" in editor.quote_label.text()
    qtbot.keyClicks(editor.note_edit, "Risk named, ")
    qtbot.keyClick(editor.note_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(editor.note_edit, "but hedged")
    qtbot.keyClicks(editor.tag_picker.edit, "Hedge")  # an existing tag, typed with other capitals
    qtbot.keyClick(editor.tag_picker.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.tag_picker.edit.text() == "", timeout=2000)
    assert editor.isVisible()  # Enter in the tag field adds the tag; it does not save
    qtbot.keyClicks(editor.tag_picker.edit, "my new tag")  # left in the field: saved as a new tag
    qtbot.mouseClick(editor.save_button, LEFT)
    # saved means committed: another connection sees it the moment the editor has closed
    assert not editor.isVisible()
    with Library(demo_library.path) as other:
        (stored,) = other.list_annotations()
    assert (stored.start, stored.end, stored.quote) == (start, end, "serious risks to safety")
    assert stored.note == "Risk named, \nbut hedged"
    assert stored.tags == ("hedge", "my new tag")
    assert stored.author == "Ada Lovelace"
    # the panel lists it
    rows = c.panel.model.rows
    assert [a.id for a in rows] == [stored.id]
    assert c.panel.model.index(0, COLUMN["tags"]).data() == "hedge; my new tag"
    # the pane marks it at the same words, in the colour of its first tag
    marks = c.marks_of(pane)
    assert marks.spans() == [(stored.id, start, end)]
    hedge = next(t for t in demo_library.list_tags() if t.name == "hedge")
    assert box_has_colour(pane, marks, stored.id, hedge.colour)
    # hovering shows the note and tags, and the word's lexicon tooltip under them
    safety = pane.document.text.index("safety", start)
    rect = marks.cursor_rect_of(safety + 2)
    point = QPoint(rect.x(), rect.center().y())
    QApplication.sendEvent(
        pane.view.viewport(), QHelpEvent(QEvent.Type.ToolTip, point, pane.view.viewport().mapToGlobal(point))
    )
    tip = QToolTip.text()
    assert "Risk named" in tip and "hedge" in tip and "my new tag" in tip and "safety" in tip
    window.close()

    again = make_window(demo_library, graph=False)
    pane = again.panes[0]
    marks = again.annotations.marks_of(pane)
    assert marks.spans() == [(stored.id, start, end)]
    assert pane.document.text[start:end] == "serious risks to safety"
    assert [a.id for a in again.annotations.panel.model.rows] == [stored.id]
    # not asked again: Ctrl+M opens the editor at once
    select(pane, "Developers should test")
    pane.view.setFocus()
    press(qtbot, again, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: again.annotations.editor is not None and again.annotations.editor.isVisible(), timeout=3000)
    assert again.annotations.author_dialog is None
    again.annotations.editor.reject()


def test_overlapping_annotations_are_all_visible(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.library.author = "Tester"
    pane = window.panes[0]
    a = annotate(qtbot, window, pane, "may also pose serious risks", "one", ["commitment"])
    b = annotate(qtbot, window, pane, "serious risks to safety and security", "two", ["hedge"])
    marks = window.annotations.marks_of(pane)
    lanes = {m.annotation.id: m.lane for m in marks.marks}
    assert lanes[a.id] != lanes[b.id]
    tags = {t.name: t.colour for t in window.library.list_tags()}
    assert box_has_colour(pane, marks, a.id, tags["commitment"])
    assert box_has_colour(pane, marks, b.id, tags["hedge"])
    # both are under "serious"
    serious = pane.document.text.index("serious risks")
    assert {x.id for x in marks.annotations_at(serious)} == {a.id, b.id}
    # the lexicon highlight of "safety" is still there under the mark
    safety = pane.document.text.index("safety", serious)
    assert pane.is_highlighted(safety)


def test_nothing_selected_says_what_to_do(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    pane = window.panes[0]
    pane.select_span(10, 10)
    pane.view.setFocus()
    press(qtbot, window, Qt.Key.Key_M, CTRL)
    assert window.annotations.editor is None and window.annotations.author_dialog is None
    assert "Select the passage" in window.statusBar().currentMessage()


# ============================================================================= edit, undo, redo


def test_edit_in_place_delete_retag_and_undo_redo_every_step(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    library.author = "Tester"
    c = window.annotations
    c.dock.show()
    pane = window.panes[0]
    a = annotate(qtbot, window, pane, "catastrophic harm", "first note", ["hedge"])
    b = annotate(qtbot, window, pane, "Developers should test", "second", ["hedge", "commitment"])
    panel = c.panel
    view = panel.view

    # the note, in place (F2 in the table)
    panel.select_annotation(a.id)
    row = panel.model.row_of(a.id)
    view.setCurrentIndex(panel.model.index(row, COLUMN["note"]))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.findChild(QPlainTextEdit, "InlineNoteEditor")
    assert editor is not None
    editor.setPlainText("edited\nin place")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # commit, as leaving the cell does
    qtbot.waitUntil(lambda: library.get_annotation(a.id).note == "edited\nin place", timeout=3000)
    edited = library.get_annotation(a.id)

    # the tags, in place
    row = panel.model.row_of(a.id)
    view.setCurrentIndex(panel.model.index(row, COLUMN["tags"]))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    line = view.findChild(QLineEdit, "InlineTagsEditor")
    assert line is not None and line.text() == "hedge"
    line.setText("hedge; key passage")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: library.get_annotation(a.id).tags == ("hedge", "key passage"), timeout=3000)

    # Ctrl+Z undoes the tags, then the note — with the times as they were; Ctrl+Shift+Z redoes
    pane.view.setFocus()
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert library.get_annotation(a.id) == edited
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert library.get_annotation(a.id) == a
    assert panel.model.rows[panel.model.row_of(a.id)].note == "first note"
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert library.get_annotation(a.id) == edited
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert library.get_annotation(a.id).tags == ("hedge", "key passage")

    # the editor on an existing annotation edits it in place
    ed = c.open_editor_for(library.get_annotation(b.id))
    assert ed is not None and ed.note == "second"
    ed.note_edit.setPlainText("second, revised")
    ed.tag_picker.remove_tag("hedge")
    qtbot.mouseClick(ed.save_button, LEFT)
    assert not ed.isVisible()
    assert library.get_annotation(b.id).note == "second, revised"
    assert library.get_annotation(b.id).tags == ("commitment",)
    c.stack.undo()
    assert library.get_annotation(b.id) == b

    # delete from the panel, and undo: the same id, times and tags
    panel.select_annotation(b.id)
    qtbot.mouseClick(panel.delete_button, LEFT)
    assert library.count_annotations() == 1
    assert [m[0] for m in c.marks_of(pane).spans()] == [a.id]
    c.stack.undo()
    assert library.get_annotation(b.id) == b
    assert sorted(m[0] for m in c.marks_of(pane).spans()) == sorted([a.id, b.id])

    # bulk retag: add "review" to both, take "hedge" off; one undo step
    before = library.get_annotations([a.id, b.id])
    view.selectAll()
    assert len(panel.selected_annotations()) == 2
    qtbot.mouseClick(panel.retag_button, LEFT)
    dialog = c.retag_dialog
    assert dialog is not None
    dialog.add_picker.add_tag("review")
    for i in range(dialog.remove_list.count()):
        item = dialog.remove_list.item(i)
        if item.text() == "hedge":
            item.setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    after = library.get_annotations([a.id, b.id])
    assert all("review" in x.tags and "hedge" not in x.tags for x in after)
    c.stack.undo()
    assert library.get_annotations([a.id, b.id]) == before
    c.stack.redo()
    assert library.get_annotations([a.id, b.id]) == after

    # bulk delete, undo
    view.selectAll()
    panel.view.setFocus()
    qtbot.mouseClick(panel.delete_button, LEFT)
    assert library.count_annotations() == 0
    assert panel.model.rowCount() == 0
    c.stack.undo()
    assert library.get_annotations([a.id, b.id]) == after
    assert panel.model.rowCount() == 2


def test_an_undo_the_library_refuses_is_reported_and_clears_history(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.library.author = "Tester"
    pane = window.panes[0]
    a = annotate(qtbot, window, pane, "catastrophic harm", "note")
    window.annotations.delete_annotations([a])
    with Library(window.library.path) as other:  # another program deletes the document meanwhile
        other.delete_document(a.document_id)
    window.annotations.stack.undo()
    box = window.annotations.message_box
    assert box is not None and "could not be undone" in box.text()
    qtbot.waitUntil(lambda: window.annotations.stack.count() == 0, timeout=2000)
    box.close()


# =========================================================================================== tags


def test_tag_manager_merge_rename_recolour_nest_delete_with_undo(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    library.author = "Tester"
    c = window.annotations
    pane = window.panes[0]
    x = annotate(qtbot, window, pane, "catastrophic harm", "x", ["hedge"])
    y = annotate(qtbot, window, pane, "Developers should test", "y", ["hedge", "commitment"])
    z = annotate(qtbot, window, pane, "serious risks", "z", ["commitment"])
    tags = {t.name: t for t in library.list_tags()}
    links_before = {a.id: a.tags for a in library.list_annotations()}

    c.action_tags.trigger()
    manager = c.tag_manager
    assert manager is not None and manager.isVisible()
    assert manager.item_for(tags["hedge"].id).text(1) == "2 annotations"
    # merge "hedge" into "commitment", after a question that says how many annotations are concerned
    manager.select_tag(tags["hedge"].id)
    manager.merge_combo.setCurrentIndex(manager.merge_combo.findData(tags["commitment"].id))
    qtbot.mouseClick(manager.merge_button, LEFT)
    box = manager.confirm_box
    assert box is not None and "“hedge” (2 annotations)" in box.text() and "“commitment” (2 annotations)" in box.text()
    next(b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.AcceptRole).click()
    qtbot.waitUntil(lambda: "hedge" not in {t.name for t in library.list_tags()}, timeout=3000)
    assert {a.id: a.tags for a in library.list_annotations()} == {x.id: ("commitment",), y.id: ("commitment",), z.id: ("commitment",)}
    assert manager.item_for(tags["commitment"].id).text(1) == "3 annotations"
    # undo restores the exact links (z never had "hedge"; y had both)
    window.activateWindow()
    pane.view.setFocus()
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert {a.id: a.tags for a in library.list_annotations()} == links_before
    assert library.get_tag(tags["hedge"].id) == tags["hedge"]
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert "hedge" not in {t.name for t in library.list_tags()}
    c.stack.undo()

    # rename, recolour (marks follow the colour), nest, delete with the count in the question
    manager.select_tag(tags["hedge"].id)
    manager.name_edit.setText("Hedging")
    qtbot.mouseClick(manager.rename_button, LEFT)
    assert library.get_tag(tags["hedge"].id).name == "Hedging"
    assert library.get_annotation(x.id).tags == ("Hedging",)
    assert c.recolour_tag(tags["hedge"].id, "#0072b2")
    marks = c.marks_of(pane)
    assert box_has_colour(pane, marks, x.id, "#0072b2")
    manager.select_tag(tags["hedge"].id)
    manager.parent_combo.setCurrentIndex(manager.parent_combo.findData(tags["commitment"].id))
    manager.parent_combo.activated.emit(manager.parent_combo.currentIndex())
    assert library.get_tag(tags["hedge"].id).parent_id == tags["commitment"].id
    # the panel's tag filter includes sub-tags
    c.panel.set_scope("all")
    c.panel.set_tag_filter(tags["commitment"].id)
    assert {a.id for a in c.panel.model.rows} == {x.id, y.id, z.id}
    c.panel.set_tag_filter(tags["hedge"].id)
    assert {a.id for a in c.panel.model.rows} == {x.id, y.id}
    manager.select_tag(tags["hedge"].id)
    qtbot.mouseClick(manager.delete_button, LEFT)
    box = manager.confirm_box
    assert box is not None and "used by 2 annotations" in box.text()
    box.button(box.StandardButton.Cancel).click()
    assert library.get_tag(tags["hedge"].id).name == "Hedging"  # cancelled: nothing happened
    qtbot.mouseClick(manager.delete_button, LEFT)
    box = manager.confirm_box
    next(b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.AcceptRole).click()
    assert "Hedging" not in {t.name for t in library.list_tags()}
    assert library.get_annotation(x.id).tags == ()
    # every tag step undone, back to the start
    while c.stack.canUndo() and c.stack.undoText().startswith(("Delete tag", "Nest", "Recolour", "Rename")):
        c.stack.undo()
    assert library.get_tag(tags["hedge"].id) == tags["hedge"]
    assert {a.id: a.tags for a in library.list_annotations()} == links_before
    # new tags from the manager, undoable too
    manager.new_edit.setText("surprise")
    qtbot.mouseClick(manager.add_button, LEFT)
    assert "surprise" in {t.name for t in library.list_tags()}
    c.stack.undo()
    assert "surprise" not in {t.name for t in library.list_tags()}
    manager.close()


def test_default_tags_are_offered_in_a_new_library(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.library.author = "Tester"
    c = window.annotations
    pane = window.panes[0]
    select(pane, "catastrophic harm")
    c.annotate_selection()
    editor = c.editor
    names = editor.tag_picker.completer.model().stringList()
    assert {"existing risk", "extinction risk", "exclusion risk", "commitment", "hedge", "key passage"} <= set(names)
    editor.reject()


# ====================================================================== a changed text comes back


def test_reimported_text_moves_keeps_and_flags_annotations(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    library.author = "Tester"
    c = window.annotations
    pane = window.panes[0]
    doc_id = pane.document_id
    kept = annotate(qtbot, window, pane, "advanced AI systems may bring great benefits", "kept")
    moved = annotate(qtbot, window, pane, "catastrophic harm, whether deliberate or accidental", "moved")
    placed_later = annotate(qtbot, window, pane, "We welcome further research on AI safety", "to place")
    discarded = annotate(qtbot, window, pane, "Safety must not be an afterthought", "to discard")
    old = pane.document.text
    inserted = "A sentence added by the publisher. "
    new = (
        old.replace("We note the concern", inserted + "We note the concern")
        .replace("We welcome further research on AI safety", "Completely different wording stands here now")
        .replace("Safety must not be an afterthought", "Zebras graze quietly beside the harbour")
    )
    library.replace_document_text(doc_id, new)  # a corrected version comes in (re-import, corpus fetch)
    pane.view.setFocus()
    press(qtbot, window, Qt.Key.Key_R, CTRL)  # View → Refresh
    assert pane.document.text == new
    assert pane.view.toPlainText() == new
    by_id = {a.id: a for a in library.list_annotations(document_id=doc_id)}
    marks = c.marks_of(pane)
    spans = {i: (s, e) for i, s, e in marks.spans()}
    # stayed where it was
    assert spans[kept.id] == (kept.start, kept.end) and by_id[kept.id].status == "ok"
    # moved with its words, or (without re-anchoring) flagged — never placed on other words
    m = by_id[moved.id]
    if ANCHORING or m.status == "ok":
        assert m.status == "ok"
        assert (m.start, m.end) == (moved.start + len(inserted), moved.end + len(inserted))
        assert spans[moved.id] == (m.start, m.end)
        assert new[m.start : m.end] == moved.quote
    # could not be placed with confidence: listed for review with the old quote, not marked
    for gone in (placed_later, discarded):
        assert by_id[gone.id].status == "needs_review"
        assert by_id[gone.id].quote == gone.quote
        assert gone.id not in spans
    panel = c.panel
    review = sum(1 for a in by_id.values() if a.status == "needs_review")
    assert panel.review_banner.isVisibleTo(panel) and f"{review} annotation" in panel.review_banner.text()
    assert "need review" in window.statusBar().currentMessage()
    qtbot.mouseClick(panel.review_button, LEFT)
    listed = {a.id for a in panel.model.rows}
    assert {placed_later.id, discarded.id} <= listed and kept.id not in listed
    assert panel.model.index(panel.model.row_of(placed_later.id), COLUMN["quote"]).data().startswith("⚠ We welcome")

    # place one: select its new words in the pane, choose it in the panel, Ctrl+Shift+M
    start, end = select(pane, "Completely different wording stands here now")
    assert panel.select_annotation(placed_later.id)
    pane.view.setFocus()
    press(qtbot, window, Qt.Key.Key_M, CTRL | SHIFT)
    now = library.get_annotation(placed_later.id)
    assert (now.start, now.end, now.status, now.note) == (start, end, "ok", "to place")
    assert (placed_later.id, start, end) in marks.spans()
    c.stack.undo()
    assert library.get_annotation(placed_later.id).status == "needs_review"
    assert placed_later.id not in {i for i, _s, _e in marks.spans()}
    c.stack.redo()
    assert library.get_annotation(placed_later.id).status == "ok"

    # discard the other: the panel's Delete (labelled Discard for annotations that need review)
    assert panel.select_annotation(discarded.id)
    assert panel.delete_button.text() == "Discard"
    qtbot.mouseClick(panel.delete_button, LEFT)
    with pytest.raises(Exception, match="No annotation"):
        library.get_annotation(discarded.id)
    remaining = sum(1 for a in library.list_annotations(document_id=doc_id) if a.status == "needs_review")
    assert remaining == (0 if ANCHORING else 1)
    assert panel.review_banner.isVisibleTo(panel) == bool(remaining)


# ====================================================================================== export


def test_export_from_the_menu_matches_the_command_line(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    library.author = "Tester"
    pane = window.panes[0]
    annotate(qtbot, window, pane, "catastrophic harm", "=SUM(A1) looks like a formula", ["hedge", "risk; danger"])
    annotate(qtbot, window, pane, "Developers should test", "line one\nline two, “quoted”", ["commitment"])
    other = window.panes[1]
    annotate(qtbot, window, other, "AI must serve the public good", "", [])
    c = window.annotations

    # File → Export annotations… (all)
    file_menu = c._menu("File")
    assert c.action_export in file_menu.actions()
    c.action_export.trigger()
    dialog = c.export_dialog
    assert dialog is not None and dialog.isVisible()
    ours = tmp_path / "window.csv"
    dialog.path_edit.setText(str(ours))
    qtbot.mouseClick(dialog.export_button, LEFT)
    assert not dialog.isVisible()
    theirs = tmp_path / "cli.csv"
    result = CliRunner().invoke(cli, ["--db", str(library.path), "export", "annotations", str(theirs)])
    assert result.exit_code == 0, result.output
    assert ours.read_bytes() == theirs.read_bytes()
    rows = read_annotations_csv(ours)
    assert len(rows) == 3
    assert {r["note"] for r in rows} >= {"=SUM(A1) looks like a formula", "line one\nline two, “quoted”"}
    assert split_tags(next(r for r in rows if r["note"].startswith("=SUM"))["tags"]) == ["hedge", "risk; danger"]
    assert all(r["lexicon"] == window.analyzer.lexicon.label for r in rows)

    # one document, with a BOM
    c.action_export.trigger()
    dialog = c.export_dialog
    dialog.document_radio.setChecked(True)
    dialog.document_combo.setCurrentIndex(dialog.document_combo.findData(pane.document_id))
    dialog.bom_box.setChecked(True)
    ours_doc = tmp_path / "window-doc.csv"
    dialog.path_edit.setText(str(ours_doc))
    qtbot.mouseClick(dialog.export_button, LEFT)
    theirs_doc = tmp_path / "cli-doc.csv"
    result = CliRunner().invoke(
        cli, ["--db", str(library.path), "export", "annotations", str(theirs_doc), "--document", str(pane.document_id), "--bom"]
    )
    assert result.exit_code == 0, result.output
    assert ours_doc.read_bytes() == theirs_doc.read_bytes()
    assert ours_doc.read_bytes().startswith(b"\xef\xbb\xbf")

    # the filtered set: what the panel shows
    c.panel.set_scope("all")
    hedge = next(t for t in library.list_tags() if t.name == "hedge")
    c.panel.set_tag_filter(hedge.id)
    c.action_export.trigger()
    dialog = c.export_dialog
    dialog.filtered_radio.setChecked(True)
    filtered = tmp_path / "filtered.csv"
    dialog.path_edit.setText(str(filtered))
    qtbot.mouseClick(dialog.export_button, LEFT)
    assert [r["annotation_id"] for r in read_annotations_csv(filtered)] == [a.id for a in c.panel.model.rows]
    assert len(c.panel.model.rows) == 1
    # a file that cannot be written: the dialog stays open and says why
    c.action_export.trigger()
    dialog = c.export_dialog
    dialog.path_edit.setText(str(tmp_path / "no-such-folder" / "x.csv"))
    qtbot.mouseClick(dialog.export_button, LEFT)
    assert dialog.isVisible() and "does not exist" in dialog.error_label.text()
    dialog.reject()


# ======================================================================= two windows, durability


def test_two_windows_on_one_library_see_each_others_changes(make_window, demo_library: Library, qtbot) -> None:  # type: ignore[no-untyped-def]
    demo_library.author = "First"
    first = make_window(demo_library, graph=False)
    second_library = Library(demo_library.path)  # another connection, as another instance has
    try:
        second = make_window(second_library, graph=False)
        second.annotations.panel.set_scope("all")
        a = annotate(qtbot, first, first.panes[0], "catastrophic harm", "from the first window", ["hedge"])
        # in one process the other window hears of it at once
        qtbot.waitUntil(lambda: [x.id for x in second.annotations.panel.model.rows] == [a.id], timeout=3000)
        assert (a.id, a.start, a.end) in second.annotations.marks_of(second.panes[0]).spans()
        # another program writes: the window notices when it gets the focus back (PRAGMA data_version)
        with Library(demo_library.path) as program:
            b = program.add_annotation(a.document_id, 0, 10, note="from the command line")
        QApplication.sendEvent(second, QEvent(QEvent.Type.WindowActivate))
        qtbot.waitUntil(lambda: b.id in {x.id for x in second.annotations.panel.model.rows}, timeout=3000)
        # and View → Refresh (Ctrl+R) reads everything again
        first.annotations.panel.set_scope("all")
        first.panes[0].view.setFocus()
        press(qtbot, first, Qt.Key.Key_R, CTRL)
        assert {x.id for x in first.annotations.panel.model.rows} == {a.id, b.id}
        # both write; the file stays sound
        first.annotations.delete_annotations([a])
        second.annotations.retag([b.id], add=["key passage"])
        second.close()
    finally:
        second_library.close()
    conn = sqlite3.connect(demo_library.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    assert [x.tags for x in demo_library.list_annotations()] == [("key passage",)]


def test_an_annotation_shown_as_saved_survives_a_kill(demo_library: Library, tmp_path: Path) -> None:
    """The window saves through the editor in a child process, which is then killed (SIGKILL) at once."""
    demo_library.close()
    helper = Path(__file__).resolve().parent.parent / "helpers" / "annotate_in_window.py"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    child = subprocess.Popen(
        [sys.executable, str(helper), str(demo_library.path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line, child.stderr.read() if child.stderr else ""
        saved = json.loads(line)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    with Library(demo_library.path) as library:
        found = library.get_annotation(saved["id"])
    assert (found.note, found.tags, found.author) == ("must survive a kill", ("durable",), "Kill test")


# ===================================================================================== many rows


def test_panel_loads_rows_as_they_are_scrolled_to(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = window.panes[0].document
    n = 5000
    conn = sqlite3.connect(window.library.path)
    try:
        with conn:
            conn.executemany(
                'INSERT INTO annotations (id, document_id, start, "end", quote, note, author, created, modified) '
                "VALUES (?, ?, ?, ?, ?, ?, 'bulk', ?, ?)",
                [
                    (f"id-{i:05d}", doc.id, i % 50, i % 50 + 5, doc.text[i % 50 : i % 50 + 5], f"note {i:05d}",
                     "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
                    for i in range(n)
                ],
            )
    finally:
        conn.close()
    c = window.annotations
    c.dock.show()
    panel = c.panel
    panel.set_scope("all")
    window.annotations.refresh()
    model = panel.model
    assert model.total == n
    assert model.rowCount() == model.PAGE_SIZE < n
    assert f"{n:,} annotations" in panel.summary_label.text()
    panel.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > model.PAGE_SIZE, timeout=3000)
    # sorting is done by the library: the first page is the right one
    panel.view.sortByColumn(COLUMN["note"], Qt.SortOrder.DescendingOrder)
    assert model.rows[0].note == f"note {n - 1:05d}"
    assert model.rowCount() == model.PAGE_SIZE
    panel.filter_edit.setText("note 0499")
    qtbot.waitUntil(lambda: model.total == 10, timeout=3000)
    buffer = io.StringIO()
    csv.writer(buffer).writerow([a.note for a in model.rows])
    assert "note 04999" in buffer.getvalue()


def test_closing_the_window_never_loses_a_note_being_written(window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from summit_reader.ui import annotation_controller

    window.library.author = "Tester"
    c = window.annotations
    select(window.panes[0], "catastrophic harm")
    c.annotate_selection()
    editor = c.editor
    editor.note_edit.setPlainText("half-written thought")
    asked: list[str] = []

    def answer(choice):  # type: ignore[no-untyped-def]
        def question(parent, title, text, *args):  # type: ignore[no-untyped-def]
            asked.append(text)
            return choice

        return question

    Button = annotation_controller.QMessageBox.StandardButton
    monkeypatch.setattr(annotation_controller.QMessageBox, "question", answer(Button.Cancel))
    window.close()
    assert window.isVisible() and editor.isVisible()  # Cancel: nothing closes
    assert "not saved yet" in asked[-1]
    monkeypatch.setattr(annotation_controller.QMessageBox, "question", answer(Button.Save))
    window.close()
    assert not window.isVisible()
    with Library(window.library.path) as other:
        assert [a.note for a in other.list_annotations()] == ["half-written thought"]


def test_preferences_change_the_name_on_new_annotations(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.library.author = "Old Name"
    c = window.annotations
    dialog = c.open_preferences()
    assert dialog.author_edit.text() == "Old Name"
    dialog.author_edit.setText("New Name")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert window.library.author == "New Name"
    a = annotate(qtbot, window, window.panes[0], "catastrophic harm")
    assert a.author == "New Name"
    assert c.action_preferences in c.edit_menu.actions()
    # Undo and Redo lead the Edit menu
    assert c.edit_menu.actions()[:2] == [c.action_undo, c.action_redo]


def test_pane_context_menu_annotates_edits_and_deletes(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.library.author = "Tester"
    c = window.annotations
    pane = window.panes[0]
    a = annotate(qtbot, window, pane, "catastrophic harm", "under the pointer")
    marks = c.marks_of(pane)
    rect = marks.mark_rect(a.id)
    menu = c.build_pane_menu(pane, rect.center())
    texts = [action.text() for action in menu.actions()]
    assert c.action_annotate in menu.actions()
    assert any(t.startswith("Edit annotation “under the pointer") for t in texts)
    delete = next(action for action in menu.actions() if action.text().startswith("Delete annotation"))
    delete.trigger()
    assert window.library.count_annotations() == 0
    menu.deleteLater()


def test_empty_library_shows_the_welcome_view_without_annotation_tools(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from summit_reader.core.documents import new_document

    library = Library(tmp_path / "empty.sqlite3")
    try:
        window = make_window(library, graph=False)
        c = window.annotations
        qtbot.waitUntil(lambda: not c.toolbar.isVisible(), timeout=2000)
        assert not c.dock.isVisible()
        with Library(library.path) as other:  # another program adds a document
            other.add_document(new_document("We commit to meet again. " * 5, "Written for the tests"))
        window.annotations.refresh()
        assert window.service.summaries and c.toolbar.isVisible()
        window.close()
    finally:
        library.close()
