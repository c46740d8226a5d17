"""The parts of annotating on their own: lanes of overlapping marks, marks after astral characters, the
tag picker, the panel's lazy model on a library, tag trees, trimming a selection."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from summit_reader.core.documents import new_document
from summit_reader.core.lexicon import load_lexicon
from summit_reader.core.models import AnnotationFilter, Tag
from summit_reader.core.store import Library
from summit_reader.ui.annotation_controller import trimmed_span
from summit_reader.ui.highlight_style import HighlightPalette
from summit_reader.ui.widgets.annotation_editor import AnnotationEditor, TagPicker
from summit_reader.ui.widgets.annotation_marks import (
    AnnotationMarks,
    annotation_tooltip,
    assign_lanes,
    describe_annotations,
)
from summit_reader.ui.widgets.annotation_panel import COLUMN, AnnotationPanel, descendants, tag_tree
from summit_reader.ui.widgets.reader_pane import ReaderPane


def test_lanes_keep_overlapping_spans_apart() -> None:
    assert assign_lanes([]) == []
    assert assign_lanes([(0, 5), (6, 9)]) == [0, 0]
    assert assign_lanes([(0, 10), (2, 4), (3, 12), (11, 14)]) == [0, 1, 2, 0]
    assert assign_lanes([(0, 5), (5, 9)]) == [0, 0]  # touching is not overlapping


def test_trimmed_span() -> None:
    text = "a  quick\nfox "
    assert trimmed_span(text, 1, 13) == (3, 12)
    assert trimmed_span(text, 1, 3) == (3, 3)
    assert trimmed_span(text, -4, 99) == (0, 12)


def test_marks_land_on_the_words_after_astral_characters(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "emoji.sqlite3")
    try:
        text = "😀😀 Emoji first. Then 𝄞 the passage to mark, and more text after it."
        doc = library.add_document(new_document(text, "Emoji (written for the tests)"))
        assert doc.id is not None
        start = text.index("the passage")
        a = library.add_annotation(doc.id, start, start + len("the passage"), note="<b>not bold</b>", tags=["hedge"])
        pane = ReaderPane(1, HighlightPalette(load_lexicon(), QApplication.palette()))
        qtbot.addWidget(pane)
        pane.resize(500, 300)
        pane.show()
        qtbot.waitExposed(pane)
        pane.set_document(library.get_document(doc.id), None)
        marks = AnnotationMarks(pane)
        marks.set_annotations([a], {"hedge": "#56b4e9"})
        (mark,) = marks.marks
        assert mark.qt_start == start + 3  # three astral characters before it, two UTF-16 units each
        cursor = pane.view.textCursor()
        cursor.setPosition(mark.qt_start)
        cursor.setPosition(mark.qt_end, cursor.MoveMode.KeepAnchor)
        assert cursor.selectedText() == "the passage"
        rects = marks.segment_rects(mark.qt_start, mark.qt_end)
        assert rects and abs(rects[0].left() - marks.cursor_rect_of(mark.qt_start).left()) <= 2
        assert [x.id for x in marks.annotations_at(mark.qt_start)] == [a.id]
        assert marks.annotations_at(mark.qt_end) == []
        tip = annotation_tooltip(a, {"hedge": "#56b4e9"})
        assert "&lt;b&gt;not bold&lt;/b&gt;" in tip and "hedge" in tip
        assert describe_annotations(pane, start + 2) == "annotation (tags: hedge): <b>not bold</b>"
        # an annotation that needs review is not drawn
        flagged = replace(a, status="needs_review")
        marks.set_annotations([flagged], {})
        assert marks.marks == []
    finally:
        library.close()


def test_tag_picker_adds_completes_and_removes(qtbot) -> None:  # type: ignore[no-untyped-def]
    known = [Tag(1, "hedge", "#56b4e9"), Tag(2, "Key passage", "#f0e442")]
    picker = TagPicker(known, ["HEDGE"])
    qtbot.addWidget(picker)
    assert picker.tags() == ["hedge"]  # the existing tag's own spelling
    picker.add_tag("key PASSAGE")
    picker.add_tag("hedge")
    picker.add_tag("  ")
    assert picker.tags() == ["hedge", "Key passage"]
    picker.edit.setText("brand new")
    assert picker.tags() == ["hedge", "Key passage", "brand new"]  # typed but not added yet: kept
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    assert picker.edit.text() == "" and picker.tags() == ["hedge", "Key passage", "brand new"]
    qtbot.keyClick(picker.edit, Qt.Key.Key_Backspace)  # in the empty field: removes the last chip
    assert picker.tags() == ["hedge", "Key passage"]
    picker.remove_tag("hedge")
    assert picker.tags() == ["Key passage"]


def test_editor_knows_when_closing_would_lose_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = AnnotationEditor(None, quote="q " * 400, document_title="d", known_tags=[], note="old", tags=["a"])
    qtbot.addWidget(editor)
    assert editor.quote_label.text().endswith("…”")
    assert not editor.is_dirty()
    editor.note_edit.setPlainText("new")
    assert editor.is_dirty()
    saved: list[tuple[str, list[str]]] = []
    editor.saveRequested.connect(lambda note, tags: saved.append((note, tags)))
    editor.accept()
    assert saved == [("new", ["a"])]  # the controller saves, then calls finish()
    editor.show_error("the disk is full")
    assert "Not saved: the disk is full" in editor.error_label.text()
    editor.finish()
    assert not editor.is_dirty()


def test_panel_model_pages_sorts_and_filters_on_a_library(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "panel.sqlite3")
    try:
        doc = library.add_document(new_document("Alpha beta gamma delta epsilon. " * 20, "Greek (written for the tests)"))
        assert doc.id is not None
        for i in range(7):
            library.add_annotation(doc.id, i * 6, i * 6 + 5, note=f"n{i}", tags=["hedge"] if i % 2 else [])
        panel = AnnotationPanel()
        qtbot.addWidget(panel)
        panel.model.PAGE_SIZE = 3
        panel.set_documents(library.list_documents())
        panel.set_tags(library.list_tags())
        panel.set_library(library)
        assert panel.model.rowCount() == 0  # "open documents": none open
        panel.set_open_documents([doc.id])
        assert panel.model.total == 7 and panel.model.rowCount() == 3
        assert panel.model.canFetchMore()
        panel.model.fetch_all()
        assert panel.model.rowCount() == 7 and not panel.model.canFetchMore()
        panel.view.sortByColumn(COLUMN["note"], Qt.SortOrder.DescendingOrder)
        assert [a.note for a in panel.model.rows] == ["n6", "n5", "n4"]
        hedge = next(t for t in library.list_tags() if t.name == "hedge")
        panel.set_tag_filter(hedge.id)
        assert panel.current_filter() == AnnotationFilter(document_ids=(doc.id,), tag_ids=(hedge.id,))
        assert panel.model.total == 3
        panel.set_tag_filter(-1)
        assert panel.model.total == 4
        assert panel.model.index(0, COLUMN["tags"]).data() == ""
        assert panel.model.headerData(COLUMN["quote"], Qt.Orientation.Horizontal) == "Quote"
    finally:
        library.close()


def test_tag_tree_orders_parents_before_children() -> None:
    tags = [Tag(1, "risk", "#000000"), Tag(2, "bio", "#000000", 1), Tag(3, "Alpha", "#000000"), Tag(4, "cyber", "#000000", 1), Tag(5, "x", "#000000", 2)]
    assert [(t.name, d) for t, d in tag_tree(tags)] == [("Alpha", 0), ("risk", 0), ("bio", 1), ("x", 2), ("cyber", 1)]
    assert descendants(tags, 1) == {1, 2, 4, 5}
    cycle = [Tag(1, "a", "#000000", 2), Tag(2, "b", "#000000", 1)]
    assert {t.name for t, _d in tag_tree(cycle)} == {"a", "b"}
