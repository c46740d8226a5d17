"""File → Import from / Export to research tools → REFI-QDA project (.qdpx)… and codebook (.qdc)…, driven
through the menus as a user would; the file dialogs are answered by monkeypatching, message boxes read and
closed."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from PySide6.QtWidgets import QFileDialog, QMessageBox

from summit_reader.core.store import Library
from summit_reader.ui.qda_commands import CODEBOOK_TEXT, PROJECT_TEXT
from tests.helpers import qdpx_fixture as fx

NS = {"q": "urn:QDA-XML:project:1.0"}


def menu_action(window, submenu: str, text: str):  # type: ignore[no-untyped-def]
    """The action ``text`` of File → ``submenu``, found as a user finds it."""
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
    sub = next(a.menu() for a in file_menu.actions() if a.menu() and a.text().replace("&", "") == submenu)
    # the W3C Web Annotation entries share these sub-menus: ours are told apart by their object names
    ours = [a for a in sub.actions() if a.text() == text and a.objectName() in ("ImportQdpx", "ExportQdpx", "ExportQdc")]
    assert len(ours) == 1, [a.text() for a in sub.actions()]
    return ours[0]


def _answer_open(monkeypatch, path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def _answer_save(monkeypatch, path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def test_import_through_the_menu_opens_the_documents_with_their_passages(  # type: ignore[no-untyped-def]
    make_window, tmp_path: Path, qtbot, monkeypatch
) -> None:
    window = make_window(Library(tmp_path / "empty.sqlite3"), graph=False)
    action = menu_action(window, "Import from research tools", PROJECT_TEXT)
    _answer_open(monkeypatch, fx.other_tool_project(tmp_path, utf16=True).path)
    commands = window.qda_ui
    with qtbot.waitSignal(commands.importFinished, timeout=20000) as finished:
        action.trigger()
    result = finished.args[0]
    assert result is not None and result.segments_added == 4

    box = commands.message_box
    assert box is not None and box.isVisible() and box.icon() == QMessageBox.Icon.Information
    assert "harbour.qdpx" in box.text() and "2 documents added" in box.text()
    assert "“Report.pdf” was not imported" in box.informativeText()
    box.close()

    titles = {s.title for s in window.service.summaries}
    assert titles == {"Harbour interview", "Statement"}
    pane = next(p for p in window.panes if p.document is not None and p.document.title == "Harbour interview")
    # the mark sits on the passage in the pane, which counts UTF-16 units (the ship and the hands are two each)
    marks = window.annotations.marks_of(pane)
    text = pane.document.text
    quote = "agreed to test systems"
    qt_start = fx.utf16_offset(text, text.index(quote))
    assert [a.quote for a in marks.annotations_at(qt_start)] == [quote]
    assert marks.annotations_at(qt_start - 1) == []
    assert {"Safety", "Testing", "Testing (Cooperation)"} <= {t.name for t in window.annotations.tags}


def test_a_broken_project_shows_the_error_and_changes_nothing(  # type: ignore[no-untyped-def]
    make_window, demo_library: Library, tmp_path: Path, qtbot, monkeypatch
) -> None:
    window = make_window(demo_library, graph=False)
    before = (len(demo_library.list_documents()), demo_library.count_annotations(), len(demo_library.list_tags()))
    members = fx.members()
    members["project.qde"] = members["project.qde"].replace(b'endPosition="', b'endPosition="9', 1)
    broken = fx.write_zip(tmp_path / "broken.qdpx", members)
    _answer_open(monkeypatch, broken)
    commands = window.qda_ui
    with qtbot.waitSignal(commands.importFinished, timeout=20000) as finished:
        menu_action(window, "Import from research tools", PROJECT_TEXT).trigger()
    assert finished.args[0] is None
    box = commands.message_box
    assert box is not None and box.icon() == QMessageBox.Icon.Warning
    assert "not a passage of its text" in box.text() and "Nothing was changed" in box.informativeText()
    box.close()
    assert (len(demo_library.list_documents()), demo_library.count_annotations(), len(demo_library.list_tags())) == before
    # the menu item comes back once the background task has wound down (its finished signal may follow failed)
    qtbot.waitUntil(commands.action_import.isEnabled, timeout=5000)


def test_export_project_and_codebook_through_the_menu(  # type: ignore[no-untyped-def]
    make_window, demo_library: Library, tmp_path: Path, monkeypatch
) -> None:
    doc = demo_library.list_documents()[0]
    text = demo_library.get_document(doc.id).text
    quote = text.split()[2]
    start = text.index(quote)
    demo_library.add_annotation(doc.id, start, start + len(quote), note="A note", tags=["key passage"])
    window = make_window(demo_library, graph=False)

    _answer_save(monkeypatch, tmp_path / "seminar")  # no suffix typed: .qdpx is added
    menu_action(window, "Export to research tools", PROJECT_TEXT).trigger()
    project = tmp_path / "seminar.qdpx"
    with zipfile.ZipFile(project) as zf:
        root = ET.fromstring(zf.read("project.qde"))
    names = [s.get("name") for s in root.iterfind(".//q:TextSource", NS)]
    assert sorted(names) == sorted(s.title for s in demo_library.list_documents())
    assert [s.get("name") for s in root.iterfind(".//q:PlainTextSelection", NS)] == [quote]
    assert window.lexicon.label in root.findtext("q:Description", "", NS)
    assert "seminar.qdpx" in window.statusBar().currentMessage()

    _answer_save(monkeypatch, tmp_path / "codes.qdc")
    menu_action(window, "Export to research tools", CODEBOOK_TEXT).trigger()
    codebook = ET.parse(tmp_path / "codes.qdc").getroot()
    assert "key passage" in {c.get("name") for c in codebook.iter("{urn:QDA-XML:codebook:1.0}Code")}
    assert f"Lexicon: {window.lexicon.label}." in (tmp_path / "codes.qdc").read_text(encoding="utf-8")


def test_an_export_that_cannot_be_written_says_why(  # type: ignore[no-untyped-def]
    make_window, demo_library: Library, tmp_path: Path, monkeypatch
) -> None:
    window = make_window(demo_library, graph=False)
    _answer_save(monkeypatch, tmp_path / "no such folder" / "p.qdpx")
    menu_action(window, "Export to research tools", PROJECT_TEXT).trigger()
    box = window.qda_ui.message_box
    assert box is not None and box.icon() == QMessageBox.Icon.Warning and "does not exist" in box.text()
    box.close()
