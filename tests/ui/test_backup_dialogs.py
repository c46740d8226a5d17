"""Nothing lost, in the window: the start-up backup, File → Restore from backup…, and the dialog shown when a
library cannot be opened (not SQLite, truncated, newer schema) — driven as a user would."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from summit_reader.core.backup import backup_library, library_backup_folder, list_backups
from summit_reader.core.documents import new_document
from summit_reader.core.store import Library
from summit_reader.ui.app import open_library_interactively
from summit_reader.ui.dialogs.backup_dialog import RestoreDialog, RestoreQuestion
from summit_reader.ui.dialogs.library_error_dialog import LibraryErrorDialog
from tests.ui.modal import ModalAnswers, click, message_text

TEXT = "We recognise the risks of frontier AI. We will cooperate on safety, and we commit to meet again."
NOW = dt.datetime.now(dt.timezone.utc)


def make_library(path: Path, annotations: int = 1) -> Library:
    library = Library(path)
    doc = library.add_document(new_document(TEXT, "Backup test text (written for the tests)", date="2024-05-21"))
    assert doc.id is not None
    for i in range(annotations):
        library.add_annotation(doc.id, i, i + 10, note=f"note {i}")
    return library


# ------------------------------------------------------------------------------------------ start-up


def test_the_library_is_backed_up_after_the_window_is_up(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = make_library(tmp_path / "library.sqlite3")
    try:
        window = make_window(library, graph=False)
        qtbot.waitUntil(lambda: window.documents_ui.last_backup is not None, timeout=10000)
        made = window.documents_ui.last_backup
        assert made.parent == library_backup_folder(library.path)
        assert window.statusBar().currentMessage() == f"Backed up the library to {made}"
        [info] = list_backups(library.path)
        assert (info.document_count, info.annotation_count) == (1, 1)
        # at most once a day: a second window makes none
        window.close()
        again = make_window(library, graph=False)
        again.documents_ui.start_backup()
        assert again.documents_ui.backup_task.wait(10)
        qtbot.wait(50)
        assert again.documents_ui.last_backup is None and len(list_backups(library.path)) == 1
        again.close()
    finally:
        library.close()


# ------------------------------------------------------------------------------------------- restore


def test_restore_an_older_backup_from_the_window(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = make_library(tmp_path / "library.sqlite3", annotations=1)
    older = backup_library(library, min_interval=None, now=NOW - dt.timedelta(hours=3))
    doc_id = library.list_documents()[0].id
    library.add_annotation(doc_id, 30, 40, note="a second note")
    newer = backup_library(library, min_interval=None, now=NOW - dt.timedelta(hours=2))
    library.add_annotation(doc_id, 50, 60, note="a third note")
    assert older is not None and newer is not None
    try:
        window = make_window(library, graph=False)
        assert window.library.count_annotations() == 3
        texts: list[str] = []

        def choose(dialog: QWidget) -> None:
            assert isinstance(dialog, RestoreDialog)
            assert dialog.tree.topLevelItemCount() == 2
            first, second = (dialog.tree.topLevelItem(i) for i in range(2))
            assert (first.text(1), first.text(2)) == ("1", "2")  # newest first: documents, annotations
            assert (second.text(1), second.text(2)) == ("1", "1")
            dialog.select(older)
            click(dialog.restore_button)

        def confirm(box: QWidget) -> None:
            assert isinstance(box, RestoreQuestion)
            texts.append(message_text(box))
            assert box.defaultButton() is box.cancel_button
            click(box.restore_button)

        def done(box: QWidget) -> None:
            texts.append(message_text(box))
            click(box.buttons()[0])

        with ModalAnswers(choose, confirm, done):
            window.acts.restore_backup.trigger()
        assert "holds 1 document and 1 annotation; the library now holds 1 document and 3 annotations" in texts[0]
        safety = window.documents_ui.last_safety_copy
        assert safety is not None and safety.is_file()
        assert str(safety) in texts[1] and "1 document and 1 annotation" in texts[1]
        # the window now shows the library as it was in the older backup
        assert window.library.count_annotations() == 1
        assert [s.annotation_count for s in window.service.summaries] == [1]
        assert window.panes[0].document_id == doc_id
        assert window.panes[0].view.toPlainText() == TEXT
        assert window.library_panel.visible_titles() == ["Backup test text (written for the tests)"]
        # the library as it was (3 annotations) is kept among the backups
        kept = {b.path: b.annotation_count for b in list_backups(window.library.path)}
        assert kept[safety] == 3 and kept[older] == 1 and kept[newer] == 2
        # and the window goes on working on the restored file
        window.library.add_annotation(doc_id, 0, 5, note="after the restore")
        assert window.library.count_annotations() == 2
        window.close()
    finally:
        library.close()


def test_a_damaged_backup_is_listed_greyed_and_cannot_be_chosen(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = make_library(tmp_path / "library.sqlite3")
    good = backup_library(library, min_interval=None, now=NOW - dt.timedelta(days=2))
    library.close()
    folder = library_backup_folder(library.path)
    bad = folder / f"library-{(NOW - dt.timedelta(days=1)).strftime('%Y%m%d-%H%M%S')}.sqlite3"
    bad.write_bytes(b"not a database at all " * 100)
    dialog = RestoreDialog(library.path, None, allow_backup_now=False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.tree.topLevelItemCount() == 2
    damaged = dialog.tree.topLevelItem(0)
    assert damaged.flags() == Qt.ItemFlag.NoItemFlags
    assert damaged.text(4).startswith("Cannot be restored: it is not a Summit Reader library")
    assert damaged.text(1) == "—"
    assert dialog.selected() is not None and dialog.selected().path == good  # the good one is preselected
    with pytest.raises(LookupError):
        dialog.select(tmp_path / "nothing.sqlite3")


# ------------------------------------------------------------------------ a library that cannot be opened


def _truncated(path: Path) -> None:
    library = make_library(path, annotations=60)
    library.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"my notes, not a database\n" * 40)


def _newer_schema(path: Path) -> None:
    make_library(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()


BAD: list[tuple[str, Callable[[Path], None], str]] = [
    ("not SQLite", _not_sqlite, "is not a Summit Reader library (it is not an SQLite database)"),
    ("truncated", _truncated, "is damaged and cannot be opened"),
    ("newer schema", _newer_schema, "was written by a newer version of Summit Reader"),
]


@pytest.mark.parametrize(("make", "expected"), [(m, e) for _n, m, e in BAD], ids=[n for n, _m, _e in BAD])
def test_a_library_that_cannot_be_opened_offers_a_new_one_and_is_left_untouched(
    qtbot, tmp_path: Path, make: Callable[[Path], None], expected: str  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "library.sqlite3"
    make(path)
    wal = path.with_name(path.name + "-wal")
    before = path.read_bytes()
    wal_before = wal.read_bytes() if wal.exists() else None
    new = tmp_path / "fresh.sqlite3"
    seen: list[str] = []

    def start_new(dialog: QWidget) -> None:
        assert isinstance(dialog, LibraryErrorDialog)
        seen.append(dialog.message_label.text())
        assert dialog.heading.text() == "The library 'library.sqlite3' cannot be opened."
        assert "was left as it is" in dialog.advice.text()
        assert not dialog.restore_button.isVisible()  # no backup of it exists
        dialog.choose_new_file = lambda: str(path)  # type: ignore[method-assign]
        click(dialog.new_button)  # an existing file is refused: the dialog stays
        assert dialog.isVisible() and "already exists" in dialog.status_label.text()
        dialog.choose_new_file = lambda: str(new)  # type: ignore[method-assign]
        click(dialog.new_button)

    with ModalAnswers(start_new):
        library = open_library_interactively(path)
    assert expected in seen[0]
    assert library is not None and library.path == new
    assert library.list_documents() == [] and new.is_file()
    library.close()
    assert path.read_bytes() == before  # the damaged file, byte for byte
    # and its log (opening a WAL library read-only may leave an empty -wal beside it: SQLite ignores that)
    assert (wal.read_bytes() if wal.exists() else None) in ((wal_before,) if wal_before else (None, b""))


def test_open_another_refuses_the_same_file_and_quit_gives_up(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "library.sqlite3"
    _not_sqlite(path)
    other = make_library(tmp_path / "other.sqlite3")
    other.close()

    def open_other(dialog: QWidget) -> None:
        assert isinstance(dialog, LibraryErrorDialog)
        dialog.choose_existing_file = lambda: str(path)  # type: ignore[method-assign]
        click(dialog.open_button)
        assert "the library that cannot be opened" in dialog.status_label.text()
        dialog.choose_existing_file = lambda: str(other.path)  # type: ignore[method-assign]
        click(dialog.open_button)

    with ModalAnswers(open_other):
        library = open_library_interactively(path)
    assert library is not None and library.path == other.path and len(library.list_documents()) == 1
    library.close()
    with ModalAnswers(lambda dialog: click(dialog.quit_button)):
        assert open_library_interactively(path) is None


def test_a_damaged_library_can_be_restored_from_its_backup(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "library.sqlite3"
    library = make_library(path, annotations=2)
    backup_library(library, min_interval=None, now=NOW - dt.timedelta(hours=1))
    library.close()
    path.write_bytes(b"garbage that was a library " * 200)
    damaged = path.read_bytes()

    def error_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, LibraryErrorDialog)
        assert dialog.restore_button.isVisible()
        assert "restore this one from a backup" in dialog.advice.text()
        click(dialog.restore_button)

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, RestoreDialog) and not dialog.backup_now_button.isVisible()
        click(dialog.restore_button)

    def confirm(box: QWidget) -> None:
        click(box.restore_button)

    with ModalAnswers(error_dialog, choose, confirm):
        library = open_library_interactively(path)
    assert library is not None and library.path == path
    assert library.count_annotations() == 2
    library.close()
    # the damaged file was kept, byte for byte, among the backups
    kept = [b.path for b in list_backups(path) if b.damaged]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
