"""A second coder in the window, used as a person would: File → Import from research tools → A colleague's
coding (second coder)…, Research → Agreement between coders…, the figures, the disagreements side by side,
the resolve buttons (undoable), double-click to the pane, and bad files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from summit_reader.core.coders import compare_with_coder
from summit_reader.core.store import Library
from summit_reader.ui.agreement_view import figure_text
from tests.helpers.second_coder import COLLEAGUE, code_as_me, make_colleague_library


def menu_action(menu: Any, text: str) -> Any:
    found = [a for a in menu.actions() if a.text().replace("&", "") == text]
    assert found, f"no “{text}” in the menu: {[a.text() for a in menu.actions()]}"
    return found[0]


@pytest.fixture
def colleague(tmp_path: Path) -> Path:
    return make_colleague_library(tmp_path / "colleague" / "their-library.sqlite3")


@pytest.fixture
def coded_window(window: Any) -> Any:
    code_as_me(window.library)
    window.annotations.reload_all()
    return window


def import_through_the_menu(qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch, path: Path, name: str | None = None) -> Any:
    asked: dict[str, str] = {}

    def give_name(_parent: object, _title: str, _label: str, _echo: object, suggested: str) -> tuple[str, bool]:
        asked["suggested"] = suggested
        return (name or suggested, True)

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QInputDialog, "getText", give_name)
    menu_action(window.import_from_menu, "A colleague's coding (second coder)…").trigger()
    commands = window.agreement
    # settled: no comparison running and none about to start (a refresh is scheduled after an import)
    qtbot.waitUntil(lambda: not commands.busy and not commands._refresh_timer.isActive(), timeout=30000)
    return asked


def test_import_from_the_menu_opens_the_agreement_view_with_the_figures(
    qtbot: Any, coded_window: Any, colleague: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coded_window
    before = window.library.list_annotations()
    asked = import_through_the_menu(qtbot, window, monkeypatch, colleague)
    assert asked["suggested"] == COLLEAGUE  # the name their library gives
    view = window.agreement.view
    assert view is not None and view.isVisible()
    assert view.coder_name == COLLEAGUE
    assert window.library.list_annotations() == before  # their coding is kept apart
    harbour = next(t for t in view.result.titles.values() if "Harbour" in t)
    # "existing risk" in the Harbour text (9 sentences): both coded sentence 4 only → kappa 1
    assert view.cell_text("existing risk", harbour, "κ") == "1.000"
    # "extinction risk": only they coded one sentence of 9: p_o = 8/9, p_e = (0·1 + 9·8)/81 = 8/9 → kappa 0
    assert view.cell_text("extinction risk", harbour, "κ") == "0.000"
    assert view.cell_text("extinction risk", harbour, "Units") == "9"
    # every cell the view shows is what the core (and `summit-reader agreement`) computes
    expected = compare_with_coder(window.library, COLLEAGUE).comparison
    for tag in expected.tags:
        for doc_id in expected.document_ids:
            figures = expected.cell(tag, doc_id)
            title = view.result.titles[doc_id]
            assert view.cell_text(tag, title, "κ") == figure_text(figures.kappa)
            assert view.cell_text(tag, title, "α") == figure_text(figures.alpha)
    # a tag neither used in a document: a dash, and the reason beside it
    lakeside = next(t for t in view.result.titles.values() if "Lakeside" in t)
    assert view.cell_text("hedge", lakeside, "κ") == "—"
    assert view.cell_text("hedge", lakeside, "Note") == "neither coder used the tag"
    assert "Unit: the sentence" in view.help.text()


def test_research_menu_opens_the_view_and_the_unit_can_be_changed(
    qtbot: Any, coded_window: Any, colleague: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coded_window
    menu_action(window.research_menu, "Agreement between coders…").trigger()
    view = window.agreement.view
    assert "No second coder yet" in view.status.text()
    assert view.table.rowCount() == 0
    import_through_the_menu(qtbot, window, monkeypatch, colleague, name="Robin")
    view.unit_combo.setCurrentIndex(view.unit_combo.findData("character"))
    view.unit_combo.activated.emit(view.unit_combo.currentIndex())
    qtbot.waitUntil(lambda: not window.agreement.busy and view.result is not None and view.result.unit == "character", timeout=30000)
    harbour_id, harbour = next((i, t) for i, t in view.result.titles.items() if "Harbour" in t)
    text = window.library.get_document(harbour_id).text
    assert view.cell_text("hedge", harbour, "Units") == str(sum(1 for ch in text if not ch.isspace()))
    assert "Unit: the character" in view.help.text()


def test_export_csv_saves_the_figures_the_view_shows(
    qtbot: Any, coded_window: Any, colleague: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window = coded_window
    menu_action(window.research_menu, "Agreement between coders…").trigger()
    view = window.agreement.view
    assert not view.export_button.isEnabled()  # nothing to export before there is a second coder
    import_through_the_menu(qtbot, window, monkeypatch, colleague, name="Robin")
    assert view.export_button.isEnabled()
    out = tmp_path / "figures"  # no extension given: .csv is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    saved = out.with_suffix(".csv")
    with saved.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    harbour = next(t for t in view.result.titles.values() if "Harbour" in t)
    lakeside = next(t for t in view.result.titles.values() if "Lakeside" in t)
    by_key = {(r["tag"], r["document"]): r for r in rows}
    # the same figures as the table on screen, unrounded; undefined ones empty with the reason
    assert figure_text(float(by_key[("existing risk", harbour)]["kappa"])) == view.cell_text("existing risk", harbour, "κ")
    assert figure_text(float(by_key[("extinction risk", harbour)]["alpha"])) == view.cell_text("extinction risk", harbour, "α")
    assert by_key[("hedge", lakeside)]["kappa"] == "" and by_key[("hedge", lakeside)]["note"] == "neither coder used the tag"
    assert ("all", "all") in by_key and {r["coder"] for r in rows} == {"Robin"} and {r["unit"] for r in rows} == {"sentence"}
    # one row per tag and document, per tag over all documents, and the pooled row
    comparison = view.result.comparison
    assert len(rows) == len(comparison.tags) * (len(comparison.document_ids) + 1) + 1
    assert str(saved) in view.status.text()


def test_take_theirs_keep_mine_and_remove_mine_with_the_buttons(
    qtbot: Any, coded_window: Any, colleague: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coded_window
    import_through_the_menu(qtbot, window, monkeypatch, colleague)
    view = window.agreement.view
    library: Library = window.library

    def choose(tag: str) -> Any:
        view.tag_filter.setCurrentIndex(view.tag_filter.findData(tag))
        view.tag_filter.activated.emit(view.tag_filter.currentIndex())
        assert view.list.rowCount() >= 1
        view.list.setCurrentCell(0, 0)
        return view.current_detail()

    def settled() -> None:
        qtbot.waitUntil(lambda: not window.agreement.busy and not window.agreement._refresh_timer.isActive(), timeout=30000)

    # only they coded "extinction risk": Take theirs is offered, Remove mine is not
    detail = choose("extinction risk")
    assert "catastrophic harm" in view.theirs_text.toPlainText() and "Catastrophe named." in view.theirs_text.toPlainText()
    assert view.take_button.isEnabled() and not view.remove_button.isEnabled()
    count = library.count_annotations()
    qtbot.mouseClick(view.take_button, Qt.MouseButton.LeftButton)
    settled()
    taken = [a for a in library.list_annotations() if a.note == "Catastrophe named."]
    box = window.agreement.message_box
    assert len(taken) == 1, box.text() if box is not None else window.statusBar().currentMessage()
    assert len(taken) == 1 and taken[0].author == COLLEAGUE and taken[0].tags == ("extinction risk",)
    assert library.count_annotations() == count + 1
    assert all(d.key != detail.key for d in view.details)  # resolved by agreeing
    harbour = next(t for t in view.result.titles.values() if "Harbour" in t)
    assert view.cell_text("extinction risk", harbour, "κ") == "1.000"
    # Ctrl+Z in the agreement window undoes it, and the disagreement is back
    view.activateWindow()
    window.annotations.stack.undo()
    settled()
    assert library.count_annotations() == count
    assert any(d.key == detail.key and d.resolution is None for d in view.details)

    # only I coded "commitment" on "Safety must not be an afterthought": Remove mine deletes my annotation
    view.tag_filter.setCurrentIndex(view.tag_filter.findData("commitment"))
    view.tag_filter.activated.emit(view.tag_filter.currentIndex())
    row = next(i for i, d in enumerate(view.shown) if d.disagreement.coded_by == "mine")
    view.list.setCurrentCell(row, 0)
    assert view.remove_button.isEnabled() and not view.take_button.isEnabled()
    mine = view.current_detail()
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    settled()
    assert library.get_annotations(list(mine.disagreement.annotation_ids)) == []

    # only they coded "commitment" on the "Developers should test…" sentence: Keep mine leaves my coding as it is
    row = next(i for i, d in enumerate(view.shown) if d.disagreement.coded_by == "theirs")
    view.list.setCurrentCell(row, 0)
    kept = view.current_detail()
    before = library.list_annotations()
    qtbot.mouseClick(view.keep_button, Qt.MouseButton.LeftButton)
    settled()
    assert library.list_annotations() == before
    assert all(d.key != kept.key for d in view.shown)  # hidden once resolved…
    view.show_resolved.setChecked(True)
    assert any(d.key == kept.key and d.resolution is not None for d in view.shown)  # …and listed on request


def test_a_kept_disagreement_is_still_resolved_when_the_view_is_opened_again(
    qtbot: Any, coded_window: Any, colleague: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coded_window
    import_through_the_menu(qtbot, window, monkeypatch, colleague)
    view = window.agreement.view
    first = view.shown[0]
    window.agreement.resolve(first, "keep")
    view.close()
    window.agreement.view = None  # a new view, as after a restart
    view.deleteLater()
    menu_action(window.research_menu, "Agreement between coders…").trigger()
    qtbot.waitUntil(lambda: not window.agreement.busy and window.agreement.view.result is not None, timeout=30000)
    again = window.agreement.view
    assert all(d.key != first.key for d in again.shown)
    (kept,) = [d for d in again.details if d.key == first.key]
    assert kept.resolution is not None and kept.resolution.action == "keep"


def test_double_click_shows_the_passage_in_the_active_pane(
    qtbot: Any, coded_window: Any, colleague: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coded_window
    import_through_the_menu(qtbot, window, monkeypatch, colleague)
    view = window.agreement.view
    row = next(i for i, d in enumerate(view.shown) if "Lakeside" in d.document_title)
    detail = view.shown[row]
    view.list.cellDoubleClicked.emit(row, 0)
    pane = window.active_pane
    assert pane.document_id == detail.disagreement.document_id
    assert pane.selected_text() == detail.passage


def test_a_bad_file_says_why_and_imports_nothing(
    qtbot: Any, coded_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coded_window
    bad = tmp_path / "notes.csv"
    bad.write_bytes(b"\xff\xfe not an export at all")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Someone", True))
    menu_action(window.import_from_menu, "A colleague's coding (second coder)…").trigger()
    box = window.agreement.message_box
    assert box is not None and box.isVisible()
    assert "Nothing was imported from “notes.csv”" in box.text() and "not UTF-8" in box.text()
    box.close()
    assert window.library.list_coders() == []


def test_importing_a_name_again_asks_before_replacing(
    qtbot: Any, coded_window: Any, colleague: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coded_window
    import_through_the_menu(qtbot, window, monkeypatch, colleague)
    (coder,) = window.library.list_coders()
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> Any:
        def question(_parent: object, _title: str, text: str, *_a: object) -> QMessageBox.StandardButton:
            asked.append(text)
            return button

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    assert window.agreement.import_coding(colleague, COLLEAGUE.upper()) is None
    assert "already a second coder called “R. Colleague”" in asked[0]
    assert window.library.list_coders() == [coder]
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    result = window.agreement.import_coding(colleague, COLLEAGUE)
    assert result is not None and result.replaced
    qtbot.waitUntil(lambda: not window.agreement.busy, timeout=30000)
    assert [c.name for c in window.library.list_coders()] == [COLLEAGUE]


def test_after_switching_library_an_old_disagreement_is_not_resolved_in_the_new_one(
    qtbot: Any, coded_window: Any, colleague: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = coded_window
    import_through_the_menu(qtbot, window, monkeypatch, colleague)
    view = window.agreement.view
    old = view.shown[0]
    window.set_library(Library(tmp_path / "another.sqlite3"), owned=True)
    assert window.agreement.resolve(old, "keep") is None
    assert "another library" in window.agreement.message_box.text()
    window.agreement.message_box.close()
    qtbot.waitUntil(lambda: not window.agreement.busy, timeout=30000)
    assert "No second coder yet" in view.status.text() and view.list.rowCount() == 0
    assert window.library.list_coders() == []
