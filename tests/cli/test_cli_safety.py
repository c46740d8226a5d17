"""The command line when the library cannot be used, when the disk is full, and for backups."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from summit_reader.cli import cli
from summit_reader.core import store
from summit_reader.core.documents import new_document
from summit_reader.core.store import Library

TEXT = "We recognise the risks of frontier AI. We will cooperate on safety, and we commit to meet again."
HINT = "Use --db PATH to open another library, or --db new.sqlite3 to start a new one."


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def make_library(path: Path, annotations: int = 3) -> None:
    with Library(path) as library:
        doc = library.add_document(new_document(TEXT, "CLI safety text (written for the tests)"))
        assert doc.id is not None
        for i in range(annotations):
            library.add_annotation(doc.id, i, i + 12, note=f"note {i} " * 40, tags=[f"tag {i}"])


def truncated(path: Path) -> None:
    make_library(path, annotations=60)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def not_sqlite(path: Path) -> None:
    path.write_bytes(b"my notes, not a database\n" * 40)


def newer_schema(path: Path) -> None:
    make_library(path)
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()


def other_program(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE contacts (name TEXT)")
    raw.commit()
    raw.close()


def log_without_file(path: Path) -> None:
    path.write_bytes(b"")
    path.with_name(path.name + "-wal").write_bytes(b"changes that were never copied into the file " * 30)


BAD_LIBRARIES: list[tuple[str, Callable[[Path], None], str]] = [
    ("truncated", truncated, "is damaged and cannot be opened"),
    ("not SQLite", not_sqlite, "is not a Summit Reader library (it is not an SQLite database)"),
    ("newer schema", newer_schema, "written by a newer version of Summit Reader"),
    ("another program's database", other_program, "an SQLite database of another program"),
    ("empty file beside a log", log_without_file, "write-ahead log 'library.sqlite3-wal' holds changes"),
]


@pytest.mark.parametrize(("make", "message"), [(m, msg) for _n, m, msg in BAD_LIBRARIES],
                         ids=[n for n, _m, _msg in BAD_LIBRARIES])
def test_a_library_that_cannot_be_opened_gives_one_line_and_a_way_out(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    path = tmp_path / "library.sqlite3"
    make(path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and not p.name.endswith("-shm")}
    for args in (["list"], ["annotate", "1", "--quote", "risks"], ["backup"]):
        result = invoke("--db", str(path), *args)
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ")
        assert message in lines[0] and HINT in lines[0]
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and not p.name.endswith("-shm")}
    # Never touched, the -wal included. (SQLite's read-only check may leave an empty -wal beside a WAL-mode
    # file that had none: an empty log changes nothing.)
    assert {name: data for name, data in after.items() if name in before} == before
    assert all(after[name] == b"" and name.endswith("-wal") for name in set(after) - set(before))
    # … and the user can start a new library, or open another.
    fresh = tmp_path / "new.sqlite3"
    assert invoke("--db", str(fresh), "list").exit_code == 0
    assert fresh.is_file()


def test_read_only_file_and_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, chmod does not stop writes, so the permission answer is simulated (see test_store)."""
    path = tmp_path / "library.sqlite3"
    make_library(path)
    before = path.read_bytes()
    monkeypatch.setattr(store, "_is_writable", lambda p: Path(p) != path)
    result = invoke("--db", str(path), "annotate", "1", "--quote", "risks")
    assert result.exit_code == 1 and "is read-only" in result.output and HINT in result.output
    assert path.read_bytes() == before
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(store, "_is_writable", lambda p: Path(p) != locked)
    result = invoke("--db", str(locked / "library.sqlite3"), "list")
    assert result.exit_code == 1 and "is read-only" in result.output and HINT in result.output
    assert list(locked.iterdir()) == []


def test_hint_names_the_backups_when_there_are_some(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    make_library(path)
    assert invoke("--db", str(path), "backup").exit_code == 0
    path.write_bytes(b"overwritten by mistake " * 50)
    result = invoke("--db", str(path), "list")
    assert result.exit_code == 1
    assert "`summit-reader backups` lists 1 backup(s); `summit-reader restore FILE` puts one back." in result.output


def test_full_disk_is_a_plain_error_and_nothing_is_half_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk is "full" as soon as the library would need one more page (SQLite's max_page_count)."""
    path = tmp_path / "library.sqlite3"
    make_library(path, annotations=2)
    real_configure = store.Library._configure

    def configure_full(self: Library, conn: sqlite3.Connection) -> None:
        real_configure(self, conn)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(store.Library, "_configure", configure_full)
    result = invoke("--db", str(path), "annotate", "1", "--quote", "risks", "--note", "long " * 20000, "--tag", "new")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        "Error: The disk is full: the library 'library.sqlite3' cannot grow, so the last change was not saved. "
        "Free some disk space and try again."
    ]
    monkeypatch.undo()
    with Library(path) as library:
        assert library.count_annotations() == 2
        assert "new" not in {t.name for t in library.list_tags()}
        assert library._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_backup_backups_and_restore(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    make_library(path, annotations=2)
    db = ["--db", str(path)]
    result = invoke(*db, "backups")
    assert result.exit_code == 0 and "No backups of 'library.sqlite3' yet" in result.output

    result = invoke(*db, "backup")
    assert result.exit_code == 0, result.output
    assert "Backed up 'library.sqlite3' (1 document(s), 2 annotation(s)) to " in result.output
    first = Path(result.output.strip().rsplit(" to ", 1)[1])
    assert first.is_file()
    assert invoke(*db, "annotate", "1", "--quote", "frontier AI", "--note", "later").exit_code == 0

    listed = json.loads(invoke(*db, "backups", "--format", "json").output)
    assert [(b["file"], b["annotations"], b["documents"], b["problem"]) for b in listed] == [(first.name, 2, 1, "")]
    assert listed[0]["created"].endswith("Z")
    table = invoke(*db, "backups").output
    assert first.name in table and "UTC" in table

    answered_no = invoke(*db, "restore", first.name, input="n\n")  # a name from the list is enough
    assert answered_no.exit_code == 1 and "Replace 'library.sqlite3' with the backup of" in answered_no.output
    assert json.loads(invoke(*db, "annotations", "--format", "json").output).__len__() == 3

    restored = invoke(*db, "restore", str(first), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "Restored 'library.sqlite3' from" in restored.output and "The library as it was is kept as" in restored.output
    assert len(json.loads(invoke(*db, "annotations", "--format", "json").output)) == 2
    listed = json.loads(invoke(*db, "backups", "--format", "json").output)
    assert sorted(b["annotations"] for b in listed) == [2, 3]  # the state before the restore is a backup now


def test_restore_works_when_the_library_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    make_library(path, annotations=4)
    assert invoke("--db", str(path), "backup").exit_code == 0
    shutil.copyfile(path, tmp_path / "keep.sqlite3")
    path.write_bytes(b"damaged " * 500)
    listing = invoke("--db", str(path), "backups")  # listing needs no working library
    assert listing.exit_code == 0
    name = json.loads(invoke("--db", str(path), "backups", "--format", "json").output)[0]["file"]
    result = invoke("--db", str(path), "restore", name, "--yes")
    assert result.exit_code == 0, result.output
    assert len(json.loads(invoke("--db", str(path), "annotations", "--format", "json").output)) == 4
    damaged = [b for b in json.loads(invoke("--db", str(path), "backups", "--format", "json").output) if b["problem"]]
    assert len(damaged) == 1  # the damaged file was kept, listed as such


def test_restore_of_something_that_is_not_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    make_library(path)
    before = path.read_bytes()
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("nope")
    for args in (["restore", str(junk), "--yes"], ["restore", "no-such-backup.sqlite3", "--yes"]):
        result = invoke("--db", str(path), *args)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert path.read_bytes() == before
