"""Backups: made with SQLite's online backup API, at most once a day at start-up, the last N kept,
listed with dates and counts, restored without ever losing the library that was there."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from summit_reader.core import backup, store
from summit_reader.core.backup import (
    backup_folder,
    backup_library,
    inspect_backup,
    library_backup_folder,
    list_backups,
    restore_backup,
    startup_backup,
)
from summit_reader.core.documents import new_document
from summit_reader.core.errors import SchemaTooNewError, StoreError
from summit_reader.core.store import Library

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 1, 9, 30, 0, tzinfo=UTC)
TEXT = "We recognise the risks of frontier AI. We will cooperate on safety, and we commit to meet again."


def make_library(path: Path, annotations: int = 2) -> Library:
    library = Library(path)
    doc = library.add_document(new_document(TEXT, "Backup test text (written for the tests)"))
    assert doc.id is not None
    for i in range(annotations):
        library.add_annotation(doc.id, i, i + 10, note=f"note {i}", tags=["hedge"])
    return library


def rows(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)  # reads the -wal too
    try:
        return conn.execute('SELECT id, start, "end", quote, note FROM annotations ORDER BY id').fetchall()
    finally:
        conn.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "backups"


def test_backup_folder_is_in_the_user_data_folder_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(backup.ENV_VAR, raising=False)
    assert backup_folder() == tmp_path / "xdg-data" / "summit-reader" / "backups"  # XDG_DATA_HOME from conftest
    monkeypatch.setenv(backup.ENV_VAR, str(tmp_path / "elsewhere"))
    assert backup_folder() == tmp_path / "elsewhere"


def test_libraries_with_the_same_name_keep_their_backups_apart(tmp_path: Path, folder: Path) -> None:
    a = library_backup_folder(tmp_path / "a" / "library.sqlite3", folder)
    b = library_backup_folder(tmp_path / "b" / "library.sqlite3", folder)
    assert a != b and a.parent == b.parent == folder
    assert a.name.startswith("library-") and b.name.startswith("library-")


def test_backup_is_a_complete_checked_copy_named_by_date(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with make_library(path, annotations=3) as library:
        made = backup_library(library, folder=folder, now=T0)  # while the library is open
        assert made is not None
        assert made.name == "library-20260301-093000.sqlite3"
        assert made.parent == library_backup_folder(path, folder)
        assert rows(made) == rows(path)
    assert made.read_bytes()[18:20] == b"\x01\x01"  # a rollback-journal file: self-contained
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]  # no -wal, no temporary file
    info = inspect_backup(made)
    assert (info.created, info.annotation_count, info.document_count, info.problem) == (T0, 3, 1, None)
    assert info.size == made.stat().st_size and info.schema_version == store.SCHEMA_VERSION


def test_at_most_one_backup_a_day_and_the_last_n_kept(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "library.sqlite3"
    make_library(path).close()
    assert startup_backup(path, folder=folder, now=T0) is not None
    assert startup_backup(path, folder=folder, now=T0 + dt.timedelta(hours=23, minutes=59)) is None
    assert startup_backup(path, folder=folder, now=T0 + dt.timedelta(days=1)) is not None
    # A clock set back (the newest backup is "in the future") does not stop backups.
    assert startup_backup(path, folder=folder, now=T0 - dt.timedelta(days=5)) is not None
    # Manual backups ignore the daily limit; two in the same second get distinct names.
    first = backup_library(path, folder=folder, min_interval=None, now=T0 + dt.timedelta(days=2))
    second = backup_library(path, folder=folder, min_interval=None, now=T0 + dt.timedelta(days=2))
    assert first is not None and second is not None and first != second
    assert second.name == "library-20260303-093000-2.sqlite3"
    for day in range(3, 12):
        backup_library(path, folder=folder, keep=4, now=T0 + dt.timedelta(days=day))
    listed = list_backups(path, folder)
    assert [b.created for b in listed] == [T0 + dt.timedelta(days=d) for d in (11, 10, 9, 8)]
    assert all(b.annotation_count == 2 and b.document_count == 1 for b in listed)


def test_backup_is_a_consistent_snapshot_while_another_connection_writes(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "library.sqlite3"
    writer = make_library(path, annotations=0)
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        with Library(path) as other:
            n = 0
            while not stop.is_set():
                other.add_annotation(1, n % 50, n % 50 + 5, note="x" * (n % 3000))
                n += 1
                written.append(n)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        counts = []
        for i in range(15):
            made = backup_library(path, folder=folder, keep=100, min_interval=None, now=T0 + dt.timedelta(minutes=i))
            assert made is not None
            info = inspect_backup(made)
            assert info.problem is None
            counts.append(info.annotation_count)
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert counts == sorted(counts) and written  # every copy whole, each at least as new as the one before


def test_listing_reads_without_changing_and_marks_damaged_backups(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "library.sqlite3"
    make_library(path, annotations=30).close()
    good = backup_library(path, folder=folder, now=T0)
    cut = backup_library(path, folder=folder, min_interval=None, now=T0 + dt.timedelta(days=1))
    assert good is not None and cut is not None
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    junk = good.with_name("library-20260305-093000.sqlite3")
    junk.write_bytes(b"not a database at all " * 20)
    empty = good.with_name("library-20260306-093000.sqlite3")
    empty.write_bytes(b"")
    other = good.with_name("library-20260307-093000.sqlite3")
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE contacts (name TEXT)")
    raw.commit()
    raw.close()
    before = {p.name: p.read_bytes() for p in good.parent.iterdir()}

    listed = {b.path.name: b for b in list_backups(path, folder)}

    assert {p.name: p.read_bytes() for p in good.parent.iterdir()} == before  # nothing written, nothing added
    assert listed[good.name].problem is None and listed[good.name].annotation_count == 30
    assert listed[cut.name].damaged and "damaged" in (listed[cut.name].problem or "")
    assert listed[cut.name].annotation_count is None
    assert listed[junk.name].damaged and "not a Summit Reader library" in (listed[junk.name].problem or "")
    assert listed[empty.name].damaged
    assert "not a Summit Reader library" in (listed[other.name].problem or "")
    assert [b.path.name for b in list_backups(path, folder)][0] == other.name  # newest first


def test_a_damaged_library_is_not_backed_up_and_the_good_backups_stay(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "library.sqlite3"
    make_library(path, annotations=40).close()
    good = backup_library(path, folder=folder, now=T0)
    assert good is not None
    data = bytearray(path.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle : middle + 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        backup_library(path, folder=folder, keep=1, min_interval=None, now=T0 + dt.timedelta(days=3))
    assert [b.path for b in list_backups(path, folder)] == [good]  # not pruned for a bad copy
    assert path.read_bytes() == bytes(data)
    with pytest.raises(StoreError, match="no library"):
        backup_library(tmp_path / "missing.sqlite3", folder=folder)


def test_restore_keeps_the_current_library_first(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "library.sqlite3"
    library = make_library(path, annotations=2)
    old = backup_library(library, folder=folder, now=T0)
    assert old is not None
    library.add_annotation(1, 20, 30, note="written after the backup")
    after = rows(path)

    with pytest.raises(StoreError, match="open in a window or another program"):
        restore_backup(old, path, folder=folder)  # our own Library is still open
    assert rows(path) == after
    library.close()

    safety = restore_backup(old, path, folder=folder, now=T0 + dt.timedelta(hours=1))
    assert safety is not None and rows(safety) == after  # nothing lost: the newer state is a backup now
    assert rows(path) == rows(old)
    assert not path.with_name(path.name + "-wal").exists()
    with Library(path) as reopened:
        assert reopened.count_annotations() == 2
        assert reopened._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert {b.path for b in list_backups(path, folder)} == {old, safety}


def test_restore_over_a_damaged_library_keeps_it_byte_for_byte(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "library.sqlite3"
    make_library(path, annotations=3).close()
    good = backup_library(path, folder=folder, now=T0)
    assert good is not None
    path.write_bytes(b"garbage " * 100)
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"a log that belongs to the damaged file")

    safety = restore_backup(good, path, folder=folder, now=T0 + dt.timedelta(days=1))

    assert safety is not None
    assert safety.read_bytes() == b"garbage " * 100
    assert safety.with_name(safety.name + "-wal").read_bytes() == b"a log that belongs to the damaged file"
    assert not wal.exists()  # the old log would have been applied to the restored file
    with Library(path) as restored:
        assert restored.count_annotations() == 3
    assert inspect_backup(safety).damaged


def test_restore_refuses_bad_backups_and_changes_nothing(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "library.sqlite3"
    make_library(path, annotations=2).close()
    before = path.read_bytes()
    newer = tmp_path / "newer.sqlite3"
    make_library(newer).close()
    raw = sqlite3.connect(newer)
    raw.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    raw.close()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"\x00" * 5000)
    with pytest.raises(SchemaTooNewError, match="newer version of Summit Reader"):
        restore_backup(newer, path, folder=folder)
    with pytest.raises(StoreError, match="cannot be restored"):
        restore_backup(junk, path, folder=folder)
    with pytest.raises(StoreError, match="cannot be restored"):
        restore_backup(tmp_path / "nowhere.sqlite3", path, folder=folder)
    with pytest.raises(StoreError, match="the library itself"):
        restore_backup(path, path, folder=folder)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary files left
    assert list_backups(path, folder) == []


def test_restore_into_a_missing_library_and_of_an_older_schema(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "old.sqlite3"
    make_library(source, annotations=4).close()
    target = tmp_path / "new" / "library.sqlite3"
    target.parent.mkdir()
    assert restore_backup(source, target, folder=folder) is None  # nothing there to keep
    following = store.SCHEMA_VERSION + 1
    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, (following, "ALTER TABLE tags ADD COLUMN note TEXT;")])
    monkeypatch.setattr(store, "SCHEMA_VERSION", following)
    with Library(target) as library:  # an older backup is upgraded like any older library
        assert library.schema_version == following and library.count_annotations() == 4
    assert target.with_name(f"library.sqlite3.before-v{following}.bak").is_file()


def test_restore_refuses_a_library_open_in_another_process(tmp_path: Path, folder: Path) -> None:
    """The window open on the library while `summit-reader restore` runs: nothing is replaced."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "library.sqlite3"
    make_library(path, annotations=2).close()
    old = backup_library(path, folder=folder, now=T0)
    assert old is not None
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.annotate_loop", str(path), "--handshake", "--seconds", "0"],
        cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert '"ready"' in child.stdout.readline()  # the other process has the library open
        before = path.read_bytes()
        with pytest.raises(StoreError, match="open in a window or another program"):
            restore_backup(old, path, folder=folder)
        assert path.read_bytes() == before and list_backups(path, folder) == [inspect_backup(old)]
        child.stdin.write("go\nlist\n")
        child.stdin.flush()
        assert child.wait(30) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert restore_backup(old, path, folder=folder) is not None  # once it is closed, the restore goes ahead


def test_a_library_file_with_its_log_can_be_restored_from(tmp_path: Path, folder: Path) -> None:
    """A library picked as the "backup" whose latest changes are still in its -wal: they are restored too."""
    source = tmp_path / "other.sqlite3"
    writer = make_library(source, annotations=1)
    try:
        writer._conn.execute("PRAGMA wal_autocheckpoint = 0")
        writer.add_annotation(1, 5, 15, note="only in the log so far")
        assert source.with_name("other.sqlite3-wal").stat().st_size > 0
        assert inspect_backup(source).annotation_count == 2
        target = tmp_path / "library.sqlite3"
        restore_backup(source, target, folder=folder)
    finally:
        writer.close()
    with Library(target) as library:
        assert [a.note for a in library.list_annotations()].count("only in the log so far") == 1
