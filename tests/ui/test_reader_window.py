"""The reader window, driven as a user would: keys, clicks, the legend, the graph, restart."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from summit_reader.core.settings import CLASSROOM_ZOOM, DEFAULT_ZOOM
from summit_reader.core.store import Library


def first_match(pane, category):  # type: ignore[no-untyped-def]
    matches = pane.analysis.matches_in(category)
    assert matches, f"the demo text in pane {pane.number} has no {category}"
    return matches[0]


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):  # type: ignore[no-untyped-def]
    """A key press that goes through the window's shortcuts, as from the keyboard."""
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


def test_two_documents_side_by_side_with_highlights(window) -> None:  # type: ignore[no-untyped-def]
    summaries = window.service.summaries
    assert [p.document_id for p in window.panes] == [summaries[0].id, summaries[-1].id]
    left, right = window.panes
    assert left.view.toPlainText() == window.service.document(summaries[0].id).text
    assert left.combo.currentData() == summaries[0].id
    safety = first_match(left, "safety")
    assert left.view.toPlainText()[safety.start : safety.end].lower().startswith("saf")
    assert left.is_highlighted(safety.start)
    # a word that is no category's is not highlighted
    plain = left.view.toPlainText().index("participants")
    assert not left.is_highlighted(plain)
    must = first_match(right, "modal")
    assert right.is_highlighted(must.start)
    # the legend counts each pane's matches
    assert window.legend.count_text("safety", 0) == str(left.analysis.count("safety"))
    assert window.legend.count_text("modal", 1) == str(right.analysis.count("modal"))


def test_open_from_library_by_double_click_and_choose_in_combo(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    middle = window.service.summaries[1]
    panel = window.library_panel
    index = panel.row_of(middle.id)
    rect = panel.view.visualRect(index)
    window._set_active(window.panes[1])
    # a real double-click: press and release, then the double-click event
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.panes[1].document_id == middle.id)
    # the filter box narrows the list
    qtbot.keyClicks(panel.filter_box, "lakeside")
    assert panel.visible_titles() == [middle.title]
    # the pane's own chooser
    pane = window.panes[0]
    pane.combo.setCurrentIndex(pane.combo.findData(middle.id))
    pane.combo.activated.emit(pane.combo.currentIndex())
    assert pane.document_id == middle.id


def test_hiding_a_category_drops_it_from_highlights_and_graph(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    left = window.panes[0]
    safety = first_match(left, "safety")
    risk = first_match(left, "risk")
    graph = window.graph
    assert "safety" in graph.plotted_categories()
    tree = window.legend.tree
    tree.setFocus()
    tree.setCurrentItem(window.legend.items["safety"])
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert "safety" in window.legend.hidden_categories()
    assert not left.is_highlighted(safety.start)
    assert left.is_highlighted(risk.start)
    assert "safety" not in graph.plotted_categories()
    assert "risk" in graph.plotted_categories()
    assert left.tooltip_at(safety.start) is None
    # "only this one" focuses a single category
    tree.setCurrentItem(window.legend.items["risk"])
    qtbot.mouseClick(window.legend.only_button, Qt.MouseButton.LeftButton)
    assert graph.plotted_categories() == ["risk"]
    assert left.is_highlighted(risk.start)
    assert not left.is_highlighted(first_match(left, "modal").start)
    qtbot.mouseClick(window.legend.show_all_button, Qt.MouseButton.LeftButton)
    assert left.is_highlighted(safety.start)
    assert len(graph.plotted_categories()) == len(window.lexicon.categories)


def test_clicking_a_graph_point_selects_the_word_and_f3_steps_on(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    graph = window.graph
    graph_rows = graph._table.rows
    # the 2024 document is in no pane yet: clicking its point opens it
    doc_index = 1
    doc_id = graph_rows[doc_index].document.id
    assert window.pane_for_document(doc_id) is None
    window.legend.show_only("innovation")
    qtbot.waitUntil(lambda: graph.plotted_categories() == ["innovation"])
    pos = graph.point_position("innovation", doc_index).toPoint()
    with qtbot.waitSignal(graph.pointClicked, timeout=3000) as blocker:
        qtbot.mouseClick(graph.lines_view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == [doc_id, "innovation"]
    pane = window.pane_for_document(doc_id)
    assert pane is not None and pane is window.active_pane
    matches = pane.analysis.matches_in("innovation")
    assert len(matches) >= 2
    assert pane.selected_text() == matches[0].text
    assert pane.selection_span() == (matches[0].start, matches[0].end)
    press(qtbot, window, Qt.Key.Key_F3)
    assert pane.selection_span() == (matches[1].start, matches[1].end)
    press(qtbot, window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert pane.selected_text() == matches[0].text
    # stepping back from the first wraps round to the last
    press(qtbot, window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert pane.selection_span() == (matches[-1].start, matches[-1].end)


def test_graph_views_and_exports(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    graph = window.graph
    out = window.export_graph_data(tmp_path / "graph.csv")
    assert out is not None
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["id", "document", "date", "words"]
    assert len(rows) == 1 + len(window.service.summaries)
    window.set_graph_mode("count")
    assert graph.mode == "count"
    window.set_graph_mode("scales")
    header, scale_rows = graph.data_rows()
    assert "level" in header and any(r[5] == "obligation" for r in scale_rows)
    for suffix in (".png", ".svg"):
        picture = window.export_graph_picture(tmp_path / f"graph{suffix}")
        assert picture is not None and picture.stat().st_size > 1000
    table = window.export_table(tmp_path / "table.csv")
    assert table is not None and "safety per 1,000" in table.read_text(encoding="utf-8")


def test_zoom_with_keyboard(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    pane = window.panes[0]
    pane.view.setFocus()
    start = pane.font_size
    assert start == DEFAULT_ZOOM
    press(qtbot, window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert pane.font_size > start
    assert pane.view.font().pointSizeF() == pane.font_size
    assert window.panes[1].font_size == pane.font_size
    press(qtbot, window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert pane.font_size < start
    press(qtbot, window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert pane.font_size == DEFAULT_ZOOM
    window.action_classroom.trigger()
    assert pane.font_size == CLASSROOM_ZOOM


def test_find_in_active_pane(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    pane = window.panes[0]
    pane.view.setFocus()
    press(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.edit, "SAFE*")
    text = pane.view.toPlainText().lower()
    expected = text.count("safe")
    assert expected >= 2
    assert pane.find_count == expected
    assert window.find_bar.count_label.text() == f"1 of {expected}"
    assert pane.selected_text().lower().startswith("safe")
    first = pane.selection_span()
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    assert pane.selection_span()[0] > first[0]
    assert window.find_bar.count_label.text() == f"2 of {expected}"
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()


def test_tooltip_names_category_term_rank_and_count(window) -> None:  # type: ignore[no-untyped-def]
    pane = window.panes[1]
    must = next(m for m in pane.analysis.matches if m.category == "modal" and m.rank == 4)
    tip = pane.tooltip_at(must.start)
    assert tip is not None
    assert "modal" in tip and must.term in tip and "obligation" in tip
    assert f"{pane.analysis.count('modal')} occurrences" in tip
    # stronger words look stronger: must (obligation) is bold, may (possibility) is not
    assert pane.char_format_at(must.start).fontWeight() > 500


def test_panes_add_remove_swap(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    first, second = [p.document_id for p in window.panes]
    window.panes[0].view.setFocus()
    window._set_active(window.panes[0])
    press(qtbot, window, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [p.document_id for p in window.panes] == [second, first]
    assert [p.number for p in window.panes] == [1, 2]
    window.action_add_pane.trigger()
    window.action_add_pane.trigger()
    assert len(window.panes) == 4
    assert not window.action_add_pane.isEnabled()
    window._set_active(window.panes[3])
    window.action_remove_pane.trigger()
    assert len(window.panes) == 3
    assert window.legend.tree.columnCount() == 1 + 3


def test_restart_restores_the_layout(make_window, demo_library: Library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo_library)
    ids = [s.id for s in window.service.summaries]
    window.add_pane(ids[1])
    window.open_document(ids[2], window.panes[0])
    window.set_zoom(20)
    window.legend.set_category_visible("modal", False)
    window.action_sync_scroll.setChecked(True)
    window.set_graph_mode("count")
    window.close()
    assert (tmp_path / "config" / "settings.json").exists()

    again = make_window(demo_library)
    assert [p.document_id for p in again.panes] == [ids[2], ids[2], ids[1]]
    assert again.zoom == 20
    assert all(p.font_size == 20 for p in again.panes)
    assert "modal" in again.legend.hidden_categories()
    assert not again.panes[0].is_highlighted(first_match(again.panes[0], "modal").start)
    assert again.panes[0].is_highlighted(first_match(again.panes[0], "innovation").start)
    assert "modal" not in again.graph.plotted_categories()
    assert again.action_sync_scroll.isChecked()
    assert again.graph.mode == "count"


def test_synchronised_scrolling(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.set_zoom(40)
    left, right = window.panes
    qtbot.waitUntil(lambda: left.view.verticalScrollBar().maximum() > 0 and right.view.verticalScrollBar().maximum() > 0)
    window.action_sync_scroll.setChecked(True)
    bar = left.view.verticalScrollBar()
    other = right.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    assert abs(other.value() / other.maximum() - bar.value() / bar.maximum()) < 0.05
    bar.setValue(bar.maximum())
    # (a plain-text view refines its scroll range while it lays the text out, so "near the end")
    assert other.value() >= 0.9 * other.maximum()
    window.action_sync_scroll.setChecked(False)
    kept = other.value()
    bar.setValue(0)
    assert other.value() == kept


def test_language_table_cell_lists_matches(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    view = window.stats_view
    table = view.model.table
    assert table is not None and len(table.rows) == 3
    index = view.cell_index(2, "modal")
    assert float(index.data()) == pytest.approx(table.rows[2].rate("modal"), abs=0.01)
    view.table_view.clicked.emit(index)
    assert view.matches.count() == table.rows[2].count("modal")
    item = view.matches.item(0)
    assert "[" in item.text()
    view.matches.itemActivated.emit(item)
    doc_id = table.rows[2].document.id
    pane = window.pane_for_document(doc_id)
    assert pane is not None
    assert pane.selected_text() == table.rows[2].analysis.matches_in("modal")[0].text
    view.set_per(None)
    assert view.cell_index(2, "modal").data() == str(table.rows[2].count("modal"))


def test_step_every_pane_and_next_document(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    left, right = window.panes
    window.show_first_occurrence(left.document_id, "modal")
    window.action_next_occurrence_all.trigger()
    assert left.selected_text() == left.analysis.matches_in("modal")[1].text
    assert right.selected_text() == right.analysis.matches_in("modal")[0].text
    window._set_active(right)
    before = right.document_id
    window.action_next_document.trigger()
    assert right.document_id != before
