"""File → Import from / Export to research tools → W3C Web Annotations (JSON-LD)…, driven through the menus
as a user would; the file dialogs are answered by monkeypatching, message boxes read and closed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from summit_reader.cli import cli
from summit_reader.core.documents import new_document, text_hash
from summit_reader.core.store import Library

LEFT = Qt.MouseButton.LeftButton
# Written for this test: an emoji (two UTF-16 code units) before the passage, and accents in it.
TEXT = "Le Sommet 🤖 s’engage : la sûreté d’abord, puis l’innovation ouverte.\n\nNous reviendrons en 2026."
MENU = "W3C Web Annotations (JSON-LD)…"


def _open_sample(make_window, library: Library):  # type: ignore[no-untyped-def]
    doc = library.add_document(new_document(TEXT, "Déclaration d’essai (illustrative)", date="2026-02-01"))
    window = make_window(library, graph=False)
    pane = window.open_document(doc.id, window.panes[0])
    assert pane is not None and pane.document_id == doc.id
    return window, pane, doc


def _answer_open_dialog(monkeypatch, path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *args, **kwargs: (str(path), "")))


def test_import_through_the_menu_shows_the_annotation(make_window, demo_library: Library, qtbot, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, pane, doc = _open_sample(make_window, demo_library)
    commands = window.web_annotations
    assert commands.action_import in window.import_from_menu.actions()
    assert commands.action_export in window.export_to_menu.actions()
    assert commands.action_import.text() == MENU == commands.action_export.text()

    quote = "la sûreté d’abord"
    start = TEXT.index(quote)
    source = tmp_path / "from-recogito.jsonld"
    source.write_text(json.dumps([{
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:uuid:0f8e5a52-3c1d-4d7e-9b1a-2a6f0c9d8e71",
        "type": "Annotation",
        "creator": {"type": "Person", "name": "Inès"},
        "created": "2026-02-03T10:00:00Z",
        "body": [{"type": "TextualBody", "purpose": "commenting", "value": "priorité claire"},
                 {"type": "TextualBody", "purpose": "tagging", "value": "sûreté"}],
        "target": {"source": f"urn:sha256:{text_hash(TEXT)}",
                   "selector": [{"type": "TextQuoteSelector", "exact": quote, "prefix": "s’engage : ", "suffix": ", puis"},
                                {"type": "TextPositionSelector", "start": start, "end": start + len(quote)}]},
    }], ensure_ascii=False), encoding="utf-8")
    _answer_open_dialog(monkeypatch, source)

    with qtbot.waitSignal(commands.importFinished, timeout=20000) as finished:
        commands.action_import.trigger()
    result = finished.args[0]
    assert result is not None and result.added == 1

    box = commands.message_box
    assert box is not None and box.isVisible() and box.icon() == QMessageBox.Icon.Information
    assert "1 annotation added" in box.text() and "from-recogito.jsonld" in box.text()
    box.close()

    # the mark sits on the passage in the pane, which counts UTF-16 units (the robot is two of them)
    marks = window.annotations.marks_of(pane)
    qt_start = len(TEXT[:start].encode("utf-16-le")) // 2
    qt_end = qt_start + len(quote.encode("utf-16-le")) // 2
    assert [a.note for a in marks.annotations_at(qt_start)] == ["priorité claire"]
    assert [a.note for a in marks.annotations_at(qt_end - 1)] == ["priorité claire"]
    assert marks.annotations_at(qt_end) == [] and marks.annotations_at(qt_start - 1) == []
    # the annotations panel lists it with its tag; the tag exists now
    panel = window.annotations.panel
    panel.set_scope("all")
    qtbot.waitUntil(lambda: any(a.note == "priorité claire" for a in panel.model.rows), timeout=5000)
    assert "sûreté" in {t.name for t in window.annotations.tags}
    assert commands.action_import.isEnabled()


def test_a_bad_file_is_refused_with_a_message_and_nothing_changes(make_window, demo_library: Library, qtbot, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, _pane, doc = _open_sample(make_window, demo_library)
    demo_library.add_annotation(doc.id, 0, 9, note="ours", tags=["kept"])
    before = [(a.id, a.note, a.tags) for a in demo_library.list_annotations()], [t.name for t in demo_library.list_tags()]
    broken = tmp_path / "broken.json"
    broken.write_text('[{"type": "Annotation", "body": "half a file', encoding="utf-8")
    _answer_open_dialog(monkeypatch, broken)
    commands = window.web_annotations
    with qtbot.waitSignal(commands.importFinished, timeout=20000) as finished:
        commands.action_import.trigger()
    assert finished.args[0] is None
    box = commands.message_box
    assert box is not None and box.icon() == QMessageBox.Icon.Warning
    assert "'broken.json' is not valid JSON" in box.text()
    assert "Nothing was changed" in box.informativeText()
    box.close()
    after = [(a.id, a.note, a.tags) for a in demo_library.list_annotations()], [t.name for t in demo_library.list_tags()]
    assert after == before


def test_cancelling_the_file_dialog_does_nothing(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *args, **kwargs: ("", "")))
    window.web_annotations.action_import.trigger()
    assert window.web_annotations.task is None and window.web_annotations.message_box is None


def _without_generated(path: Path) -> list[dict[str, object]]:
    items = json.loads(path.read_text("utf-8"))
    for item in items:
        item.pop("generated")
    return items


def test_export_dialog_writes_what_the_command_line_writes(make_window, demo_library: Library, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, pane, doc = _open_sample(make_window, demo_library)
    start = TEXT.index("l’innovation ouverte")
    demo_library.add_annotation(doc.id, start, start + len("l’innovation ouverte"), note="ouverte à qui ?", tags=["innovation"])
    other = next(s.id for s in demo_library.list_documents() if s.id != doc.id)
    demo_library.add_annotation(other, 0, 5, note="elsewhere")
    window.annotations.reload_all()
    commands = window.web_annotations

    commands.action_export.trigger()
    dialog = commands.export_dialog
    assert dialog is not None and dialog.isVisible()
    ours = tmp_path / "window.jsonld"
    dialog.path_edit.setText(str(ours))
    qtbot.mouseClick(dialog.export_button, LEFT)
    assert not dialog.isVisible()
    theirs = tmp_path / "cli.jsonld"
    result = CliRunner().invoke(cli, ["--db", str(demo_library.path), "export", "webannotations", str(theirs)])
    assert result.exit_code == 0, result.output
    assert _without_generated(ours) == _without_generated(theirs)
    assert len(_without_generated(ours)) == 2

    # one document: the one in the active pane is proposed
    commands.action_export.trigger()
    dialog = commands.export_dialog
    assert dialog.document_combo.currentData() == doc.id
    dialog.document_radio.setChecked(True)
    one = tmp_path / "one.jsonld"
    dialog.path_edit.setText(str(one))
    qtbot.mouseClick(dialog.export_button, LEFT)
    (item,) = _without_generated(one)
    assert item["target"]["selector"][0]["exact"] == "l’innovation ouverte"
    selectors = {s["type"]: s for s in item["target"]["selector"]}
    assert selectors["TextPositionSelector"]["start"] == start  # code points, not UTF-16 units

    # a folder that does not exist: the dialog stays open and says why
    commands.action_export.trigger()
    dialog = commands.export_dialog
    dialog.path_edit.setText(str(tmp_path / "no-such-folder" / "x.jsonld"))
    qtbot.mouseClick(dialog.export_button, LEFT)
    assert dialog.isVisible() and "does not exist" in dialog.error_label.text()
    dialog.reject()
