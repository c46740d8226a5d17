"""The Lexicon menu, as a user drives it: load a LIWC .dic or a YAML file, edit the lexicon, save it, go
back to the default; the choice survives a restart, and every export of the window names the lexicon."""

from __future__ import annotations

import csv
import hashlib
import re
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QWidget

from summit_reader.core.lexicon import load_lexicon
from summit_reader.core.lexicon_formats import read_lexicon, user_lexicon_folder
from summit_reader.core.settings import Settings
from tests.ui.modal import ModalAnswers, click, message_text

# A LIWC-style dictionary written for these tests.
CARE_DIC = "%\n1\tcare\n2\tknowledge\n%\nsafe*\t1\npeople\t1\nprotect*\t1\nresearch\t2\nscience\t2\n"
CARE_WORDS = re.compile(r"\b(safe\w*|people|protect\w*)\b")


def settled(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not window.service.busy and not window.service.missing(), timeout=20000)
    qtbot.waitUntil(lambda: all(p.analysis is not None for p in window.panes if p.document is not None), timeout=5000)
    qtbot.waitUntil(lambda: not window._stats_timer.isActive(), timeout=5000)


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


@pytest.fixture
def care_dic(tmp_path: Path) -> Path:
    path = tmp_path / "care.dic"
    path.write_text(CARE_DIC, encoding="utf-8")
    return path


def test_loading_a_dic_from_the_menu_recounts_and_survives_a_restart(  # type: ignore[no-untyped-def]
    window, make_window, demo_library, qtbot, monkeypatch: pytest.MonkeyPatch, care_dic: Path
) -> None:
    assert "safety" in window.legend.items and window.graph is not None
    choose_file(monkeypatch, care_dic)
    window.lexicon_ui.action_load.trigger()
    settled(window, qtbot)

    assert list(window.legend.items) == ["care", "knowledge"]
    for index, pane in enumerate(window.panes):
        expected = len(CARE_WORDS.findall(pane.document.text.lower()))
        assert expected and window.legend.count_text("care", index) == f"{expected:,}"
        assert {m.category for m in pane.analysis.matches} <= {"care", "knowledge"}
    assert window.graph.plotted_categories() == ["care", "knowledge"]
    assert window.stats_view.model.export_rows()[0][4:] == ["care per 1,000", "knowledge per 1,000"]
    assert window.lexicon_ui.status_label.text() == "Lexicon: care unversioned"
    assert window.lexicon_ui.action_info.text().startswith("In use: care unversioned sha256:")
    assert Settings.load().lexicon_path == str(care_dic.resolve())  # saved at once: the CLI counts with it too
    # a .dic has no strength scales: that graph view says so instead of showing an empty frame
    window.acts.graph_scales.trigger()
    label = window.graph.no_scales_label
    assert label is not None and label.isVisible() and "no strength scales" in label.text

    window.close()
    again = make_window(demo_library)
    assert again.lexicon.category_names == ("care", "knowledge")
    assert list(again.legend.items) == ["care", "knowledge"]

    again.lexicon_ui.action_default.trigger()
    # the default lexicon's analyses are in the library's cache: the panes have them at once
    assert all(p.analysis is not None for p in again.panes if p.document is not None)
    assert "safety" in again.legend.items and again.lexicon == load_lexicon()
    assert Settings.load().lexicon_path == ""


def test_a_broken_lexicon_is_refused_and_nothing_changes(window, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.dic"
    broken.write_text("%\n1\tcare\n%\nsafe*\t1\nresearch\t4\n", encoding="utf-8")
    choose_file(monkeypatch, broken)
    seen: list[str] = []

    def refused(box: QWidget) -> None:
        seen.append(message_text(box))
        box.accept()  # type: ignore[attr-defined]

    before = window.lexicon
    with ModalAnswers(refused):
        window.lexicon_ui.action_load.trigger()
    assert "line 5" in seen[0] and "category 4" in seen[0]
    assert window.lexicon is before and "safety" in window.legend.items
    assert Settings.load().lexicon_path == ""


def test_a_latin1_dic_is_loaded_with_a_note(window, qtbot, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = tmp_path / "ancien.dic"
    old.write_bytes("%\n1\tsécurité\n%\nsafe*\t1\nsûr\t1\n".encode("latin-1"))
    choose_file(monkeypatch, old)
    notes: list[str] = []
    with ModalAnswers(lambda box: (notes.append(message_text(box)), box.accept())):  # type: ignore[func-returns-value,attr-defined]
        window.lexicon_ui.action_load.trigger()
    assert "Windows-1252" in notes[0]
    assert list(window.legend.items) == ["sécurité"]


def test_editing_adds_an_entry_that_is_then_counted_and_highlighted(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    package_file = resources.files("summit_reader.resources").joinpath("lexicons", "default.yml")
    shipped = hashlib.sha256(package_file.read_bytes()).hexdigest()
    pane = window.panes[0]
    assert "research" in pane.document.text and not any(m.term == "research" for m in pane.analysis.matches)
    before = int(window.legend.count_text("safety", 0))

    window.lexicon_ui.action_edit.trigger()
    editor = window.lexicon_ui.editor
    qtbot.waitExposed(editor)
    editor.category_list.setCurrentRow(list(window.lexicon.category_names).index("safety"))
    qtbot.keyClicks(editor.entry_edit, "saf?")
    assert not editor.add_entry_button.isEnabled()
    assert editor.entry_message.isVisible() and "wildcard" in editor.entry_message.text()
    editor.entry_edit.clear()
    qtbot.keyClicks(editor.entry_edit, "safe*")
    assert not editor.add_entry_button.isEnabled() and "already an entry" in editor.entry_message.text()
    editor.entry_edit.clear()
    qtbot.keyClicks(editor.entry_edit, "research")
    assert editor.add_entry_button.isEnabled() and not editor.entry_message.isVisible()
    qtbot.mouseClick(editor.add_entry_button, Qt.MouseButton.LeftButton)
    assert editor.entry_table.item(editor.entry_table.rowCount() - 1, 0).text() == "research"
    click(editor.buttons.button(QDialogButtonBox.StandardButton.Ok))
    settled(window, qtbot)

    lexicon = window.lexicon
    assert lexicon.name == "summit-default-edited"  # an edited default does not pass for the shipped one
    found = [m for m in pane.analysis.matches if m.term == "research"]
    assert len(found) == 1 and found[0].category == "safety"
    assert window.legend.count_text("safety", 0) == f"{before + 1:,}"
    cursor = QTextCursor(pane.view.document())
    cursor.setPosition(found[0].start + 1)
    assert cursor.charFormat().background().color() == window.highlight_palette.background("safety")
    saved = Path(window.settings.lexicon_path)
    assert saved.parent == user_lexicon_folder() and read_lexicon(saved).lexicon == lexicon
    assert hashlib.sha256(package_file.read_bytes()).hexdigest() == shipped

    # Cancel discards every edit
    window.lexicon_ui.action_edit.trigger()
    editor = window.lexicon_ui.editor
    editor.category_edit.setText("weather")
    click(editor.add_category_button)
    qtbot.keyClicks(editor.entry_edit, "rain*")
    click(editor.add_entry_button)
    click(editor.buttons.button(QDialogButtonBox.StandardButton.Cancel))
    assert window.lexicon is lexicon and "weather" not in window.legend.items


def test_the_editor_refuses_an_empty_category_inline(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = window.lexicon_ui.edit()
    editor.category_edit.setText("Safety")
    assert not editor.add_category_button.isEnabled() and "already a category" in editor.category_message.text()
    editor.category_edit.setText("weather")
    click(editor.add_category_button)
    click(editor.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert editor.isVisible() and "'weather' has no entries" in editor.message.text()
    click(editor.buttons.button(QDialogButtonBox.StandardButton.Cancel))
    assert window.lexicon == load_lexicon()


def test_save_as_dic_warns_first_and_yaml_keeps_everything(window, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "mine"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "LIWC dictionary (*.dic)"))
    warned: list[str] = []

    def cancel(box: QWidget) -> None:
        warned.append(message_text(box))
        box.reject()  # type: ignore[attr-defined]

    with ModalAnswers(cancel):
        assert window.lexicon_ui.save_as() is None
    assert "'modal' and 'operative'" in warned[0] and not list(tmp_path.glob("mine*"))
    with ModalAnswers(lambda box: click(next(b for b in box.buttons() if b.text() == "&Save anyway"))):  # type: ignore[attr-defined]
        window.lexicon_ui.action_save_as.trigger()
    assert read_lexicon(tmp_path / "mine.dic").lexicon.category_names == window.lexicon.category_names
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "mine.yml"), ""))
    window.lexicon_ui.action_save_as.trigger()
    assert read_lexicon(tmp_path / "mine.yml").lexicon == window.lexicon


def test_every_window_export_names_the_lexicon(window, qtbot, monkeypatch, care_dic: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The CSV exports of the window (graph data, language table, annotations) each carry the label of the
    lexicon in use, in a column named "lexicon" (slides and graph pictures are pictures)."""
    choose_file(monkeypatch, care_dic)
    window.lexicon_ui.action_load.trigger()
    settled(window, qtbot)
    label = window.lexicon.label
    assert label.startswith("care unversioned sha256:")
    doc_id = window.panes[0].document_id
    window.library.add_annotation(doc_id, 0, 5, note="a note")
    files = [
        window.export_graph_data(tmp_path / "graph.csv"),
        window.export_table(tmp_path / "table.csv"),
        tmp_path / "annotations.csv",
    ]
    window.annotations.export_annotations(tmp_path / "annotations.csv")
    for path in files:
        assert path is not None
        rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
        assert rows and all(row["lexicon"] == label for row in rows), path.name
