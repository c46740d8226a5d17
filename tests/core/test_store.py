"""The library file: what a user would notice when they import, annotate, reopen, or open a bad file."""

from __future__ import annotations

import getpass
import itertools
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from summit_reader.core import store
from summit_reader.core.documents import Document, new_document
from summit_reader.core.errors import (
    DuplicateDocumentError,
    InvalidInputError,
    NotFoundError,
    SchemaTooNewError,
    StoreError,
)
from summit_reader.core.store import DEFAULT_TAGS, PREFIX_CHARS, SCHEMA_VERSION, Library


def _permissions_enforced() -> bool:
    """False when running as root (or with CAP_DAC_OVERRIDE), where read-only files are writable anyway."""
    if os.name != "posix":
        return False
    with tempfile.TemporaryDirectory() as folder:
        locked = Path(folder) / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        try:
            (locked / "probe").touch()
        except PermissionError:
            return True
        finally:
            locked.chmod(0o755)
        return False


PERMISSIONS_ENFORCED = _permissions_enforced()

TEXT = (
    "We, the countries attending the AI Safety Summit, affirm that AI should be designed, developed, "
    "deployed and used in a manner that is safe, human-centric, trustworthy and responsible. "
    "We resolve to work together in an inclusive manner."
)


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    return tmp_path / "library.sqlite3"


@pytest.fixture
def lib(lib_path: Path) -> Iterator[Library]:
    library = Library(lib_path)
    yield library
    library.close()


def doc(title: str = "Bletchley Declaration", text: str = TEXT, date: str | None = "2023-11-01") -> Document:
    return new_document(text, title, date=date, place="Bletchley Park", kind="declaration")


def clock(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make utc_now return 2026-01-01T00:00:01Z, …02Z, … and return the list of times handed out."""
    handed: list[str] = []
    counter = itertools.count(1)

    def fake_now() -> str:
        value = f"2026-01-01T00:00:{next(counter):02d}Z"
        handed.append(value)
        return value

    monkeypatch.setattr(store, "utc_now", fake_now)
    return handed


# ------------------------------------------------------------------------------------------- opening


def test_new_library_in_missing_folder_has_schema_and_default_tags(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there" / "library.sqlite3"
    with Library(path) as library:
        assert path.is_file()
        assert library.path == path
        assert library.schema_version == SCHEMA_VERSION == 2
        tags = {tag.name: tag.colour for tag in library.list_tags()}
    assert tags == dict(DEFAULT_TAGS)
    assert set(tags) == {
        "existing risk",
        "extinction risk",
        "exclusion risk",
        "commitment",
        "hedge",
        "key passage",
    }
    assert all(len(colour) == 7 and colour.startswith("#") for colour in tags.values())
    assert len(set(tags.values())) == len(tags)  # every default tag has its own colour


def test_empty_file_is_initialised(lib_path: Path) -> None:
    lib_path.write_bytes(b"")
    with Library(lib_path) as library:
        assert library.schema_version == SCHEMA_VERSION
        assert len(library.list_tags()) == len(DEFAULT_TAGS)


def test_wal_mode_and_foreign_keys_are_on(lib: Library, lib_path: Path) -> None:
    raw = sqlite3.connect(lib_path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
    assert lib._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert lib._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_default_library_path_honours_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(store.ENV_VAR, str(tmp_path / "elsewhere.db"))
    assert store.default_library_path() == tmp_path / "elsewhere.db"
    monkeypatch.delenv(store.ENV_VAR)
    default = store.default_library_path()
    assert default.name == "library.sqlite3"
    assert "summit-reader" in default.parts


def test_non_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    content = b"These are my notes, not a database.\n" * 50
    path.write_bytes(content)
    with pytest.raises(StoreError, match=r"'notes\.db' is not a Summit Reader library \(it is not an SQLite"):
        Library(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_other_programs_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE contacts (name TEXT)")
    raw.execute("INSERT INTO contacts VALUES ('Ada')")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a Summit Reader library"):
        Library(path)
    assert path.read_bytes() == before


def test_truncated_library_is_refused_untouched(lib_path: Path) -> None:
    with Library(lib_path) as library:
        for i in range(6):
            d = library.add_document(doc(f"Document {i}", f"{i} " + TEXT * 40, date=f"202{i}-01-01"))
            for j in range(10):
                library.add_annotation(d.id or 0, j, j + 5, note=f"note {j} " * 30, tags=[f"tag {j}"])
    data = lib_path.read_bytes()
    assert len(data) > 8 * 4096  # many pages, so half of them are missing below
    lib_path.write_bytes(data[: len(data) // 2])
    truncated = lib_path.read_bytes()
    with pytest.raises(StoreError, match="damaged"):
        Library(lib_path)
    assert lib_path.read_bytes() == truncated


def test_damaged_page_inside_library_is_refused_untouched(lib_path: Path) -> None:
    with Library(lib_path) as library:
        for i in range(6):
            d = library.add_document(doc(f"Document {i}", f"{i} " + TEXT * 40))
            for j in range(10):
                library.add_annotation(d.id or 0, j, j + 5, note=f"note {j} " * 30)
    data = bytearray(lib_path.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096  # a page in the middle: the header still looks fine
    data[middle : middle + 4096] = b"\xff" * 4096
    lib_path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="is damaged and cannot be opened"):
        Library(lib_path)
    assert lib_path.read_bytes() == bytes(data)


def test_newer_schema_is_refused_untouched(lib_path: Path) -> None:
    Library(lib_path).close()
    raw = sqlite3.connect(lib_path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    before = lib_path.read_bytes()
    with pytest.raises(SchemaTooNewError) as info:
        Library(lib_path)
    message = str(info.value)
    assert "newer version of Summit Reader" in message
    assert "schema 99" in message and f"reads up to {SCHEMA_VERSION}" in message
    assert lib_path.read_bytes() == before


def test_folder_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Library(tmp_path)


def test_path_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text("x")
    with pytest.raises(StoreError, match="is not a folder"):
        Library(tmp_path / "plain.txt" / "library.sqlite3")


@pytest.mark.skipif(not PERMISSIONS_ENFORCED, reason="file permissions are not enforced (root?)")
def test_read_only_file_is_refused(lib_path: Path) -> None:
    Library(lib_path).close()
    lib_path.chmod(0o444)
    try:
        with pytest.raises(StoreError, match="read-only"):
            Library(lib_path)
    finally:
        lib_path.chmod(0o644)


@pytest.mark.skipif(not PERMISSIONS_ENFORCED, reason="file permissions are not enforced (root?)")
def test_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="read-only"):
            Library(folder / "library.sqlite3")
    finally:
        folder.chmod(0o755)


def test_read_only_file_is_refused_before_touching_it(
    lib_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same check as above, with the permission answer simulated (runs as root too)."""
    Library(lib_path).close()
    before = lib_path.read_bytes()
    monkeypatch.setattr(store, "_is_writable", lambda path: Path(path) != lib_path)
    with pytest.raises(StoreError, match="'library.sqlite3' is read-only"):
        Library(lib_path)
    assert lib_path.read_bytes() == before


def test_read_only_folder_is_refused_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    monkeypatch.setattr(store, "_is_writable", lambda path: Path(path) != folder)
    with pytest.raises(StoreError, match="folder .* is read-only"):
        Library(folder / "library.sqlite3")
    assert list(folder.iterdir()) == []


def test_busy_library_gives_a_store_error(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)
    with Library(lib_path) as library:
        other = sqlite3.connect(lib_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program is writing
        try:
            with pytest.raises(StoreError, match="is busy: another program is writing to it"):
                library.set_setting("k", "v")
        finally:
            other.execute("ROLLBACK")
            other.close()
        library.set_setting("k", "v")  # works again once the other writer is gone
        assert library.get_setting("k") == "v"


def test_closed_library_raises_store_error(lib_path: Path) -> None:
    library = Library(lib_path)
    library.close()
    library.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        library.list_documents()


# ---------------------------------------------------------------------------------------- migrations


def test_migration_backs_up_and_upgrades(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Library(lib_path) as library:
        library.add_document(doc())
    following = SCHEMA_VERSION + 1
    migration = "ALTER TABLE documents ADD COLUMN summary TEXT NOT NULL DEFAULT '';"
    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, (following, migration)])
    monkeypatch.setattr(store, "SCHEMA_VERSION", following)

    with Library(lib_path) as library:
        assert library.schema_version == following
        assert [d.title for d in library.list_documents()] == ["Bletchley Declaration"]

    backup = lib_path.with_name(f"library.sqlite3.before-v{following}.bak")
    assert backup.is_file()
    raw = sqlite3.connect(backup)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT title FROM documents").fetchall() == [("Bletchley Declaration",)]
        columns = [row[1] for row in raw.execute("PRAGMA table_info(documents)")]
        assert "summary" not in columns
    finally:
        raw.close()
    # Opening again does not migrate (nor back up) a second time.
    Library(lib_path).close()
    assert sorted(p.name for p in lib_path.parent.glob("*.bak")) == [backup.name]


def test_failed_migration_leaves_library_as_it_was(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Library(lib_path) as library:
        library.add_document(doc())
    following = SCHEMA_VERSION + 1
    broken = "ALTER TABLE documents ADD COLUMN summary TEXT; THIS IS NOT SQL;"
    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, (following, broken)])
    monkeypatch.setattr(store, "SCHEMA_VERSION", following)
    with pytest.raises(StoreError, match=f"could not be upgraded to schema {following}"):
        Library(lib_path)
    monkeypatch.undo()
    with Library(lib_path) as library:  # still a valid library of the current schema, without the half-applied column
        assert library.schema_version == SCHEMA_VERSION
        columns = [row[1] for row in library._conn.execute("PRAGMA table_info(documents)")]
        assert "summary" not in columns
        assert len(library.list_documents()) == 1


# ----------------------------------------------------------------------------------------- documents


def test_add_get_and_list_documents_in_date_order(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    clock(monkeypatch)
    seoul = lib.add_document(doc("Seoul Declaration", TEXT + " Seoul.", "2024-05-21"))
    undated = lib.add_document(doc("A draft", TEXT + " Draft.", None))
    bletchley = lib.add_document(doc("Bletchley Declaration", TEXT, "2023-11-01"))
    paris = lib.add_document(doc("Paris Statement", TEXT + " Paris.", "2025-02-11"))
    assert bletchley.id is not None and bletchley.imported_at == "2026-01-01T00:00:03Z"

    got = lib.get_document(bletchley.id)
    assert got == bletchley
    assert got.text == TEXT and got.place == "Bletchley Park" and got.kind == "declaration"

    listed = lib.list_documents()
    assert [d.id for d in listed] == [bletchley.id, seoul.id, paris.id, undated.id]
    assert listed[0].char_count == len(TEXT)
    assert listed[0].year == "2023" and listed[-1].date is None


def test_same_date_sorted_by_title(lib: Library) -> None:
    lib.add_document(doc("b annex", TEXT + "1", "2024-01-01"))
    lib.add_document(doc("A statement", TEXT + "2", "2024-01-01"))
    assert [d.title for d in lib.list_documents()] == ["A statement", "b annex"]


def test_get_missing_document(lib: Library) -> None:
    with pytest.raises(NotFoundError, match=r"No document with id 7; `summit-reader list` shows the ids\."):
        lib.get_document(7)


def test_duplicate_text_is_refused_unless_allowed(lib: Library) -> None:
    first = lib.add_document(doc())
    with pytest.raises(DuplicateDocumentError) as info:
        lib.add_document(doc("Bletchley again"))
    assert info.value.existing_id == first.id
    assert "'Bletchley Declaration'" in str(info.value) and f"id {first.id}" in str(info.value)
    assert len(lib.list_documents()) == 1

    second = lib.add_document(doc("Bletchley again"), allow_duplicate=True)
    assert second.id != first.id
    assert len(lib.list_documents()) == 2
    assert lib.find_document_by_hash(first.text_hash) == first
    assert lib.find_document_by_hash("0" * 64) is None


def test_update_document_validates_and_changes_metadata(lib: Library) -> None:
    d = lib.add_document(doc())
    assert d.id is not None
    updated = lib.update_document(d.id, title="  The   Bletchley Declaration ", date="", kind="Statement")
    assert updated.title == "The Bletchley Declaration"
    assert updated.date is None
    assert updated.kind == "statement"
    assert updated.place == "Bletchley Park"  # untouched
    assert lib.get_document(d.id) == updated
    with pytest.raises(InvalidInputError, match="not a date"):
        lib.update_document(d.id, date="1 November 2023")
    with pytest.raises(NotFoundError):
        lib.update_document(999, title="x")
    assert lib.get_document(d.id).date is None


def test_delete_document_cascades_to_annotations(lib: Library) -> None:
    keep = lib.add_document(doc("Keep", TEXT + " keep"))
    gone = lib.add_document(doc("Gone"))
    assert keep.id is not None and gone.id is not None
    lib.add_annotation(gone.id, 0, 5, tags=["hedge"])
    lib.add_annotation(gone.id, 10, 20, tags=["hedge", "commitment"])
    kept = lib.add_annotation(keep.id, 0, 5, tags=["commitment"])

    assert lib.delete_document(gone.id) == 2

    assert [a.id for a in lib.list_annotations()] == [kept.id]
    assert lib.count_annotations() == 1
    assert lib.tag_usage("hedge") == 0 and lib.tag_usage("commitment") == 1
    with pytest.raises(NotFoundError):
        lib.get_document(gone.id)
    with pytest.raises(NotFoundError):
        lib.delete_document(gone.id)


# --------------------------------------------------------------------------------------- annotations


def test_annotation_quote_context_and_persistence(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock(monkeypatch)
    start = TEXT.index("human-centric")
    end = start + len("human-centric")
    with Library(lib_path) as library:
        library.author = "Ada"
        d = library.add_document(doc())
        assert d.id is not None
        a = library.add_annotation(d.id, start, end, note="Key\x00 claim", tags=["key passage"])
    assert a.quote == "human-centric"
    assert a.prefix == TEXT[start - PREFIX_CHARS : start] and len(a.prefix) == PREFIX_CHARS
    assert a.suffix == TEXT[end : end + PREFIX_CHARS]
    assert a.note == "Key claim"  # NUL removed
    assert a.author == "Ada"
    assert a.created == a.modified == "2026-01-01T00:00:02Z"
    assert a.status == "ok"
    assert len(a.id) == 36 and a.id.count("-") == 4

    with Library(lib_path) as reopened:  # a new object on the same file sees everything
        assert reopened.get_annotation(a.id) == a
        assert reopened.list_annotations() == [a]
        assert reopened.author == "Ada"


def test_annotation_at_text_edges_has_short_context(lib: Library) -> None:
    d = lib.add_document(doc())
    assert d.id is not None
    first = lib.add_annotation(d.id, 0, 2)
    last = lib.add_annotation(d.id, len(TEXT) - 3, len(TEXT))
    assert first.prefix == "" and first.quote == "We"
    assert last.suffix == "" and last.quote == TEXT[-3:]


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (9, 4), (0, len(TEXT) + 1)])
def test_bad_offsets_are_refused(lib: Library, start: int, end: int) -> None:
    d = lib.add_document(doc())
    assert d.id is not None
    with pytest.raises(InvalidInputError, match="is not a passage of 'Bletchley Declaration'"):
        lib.add_annotation(d.id, start, end, tags=["brand new tag"])
    assert lib.count_annotations() == 0
    assert "brand new tag" not in {t.name for t in lib.list_tags()}  # nothing half-saved


def test_annotation_on_missing_document(lib: Library) -> None:
    with pytest.raises(NotFoundError):
        lib.add_annotation(42, 0, 1)


def test_tags_created_on_the_fly_and_deduplicated_ignoring_case(lib: Library) -> None:
    d = lib.add_document(doc())
    assert d.id is not None
    a = lib.add_annotation(d.id, 0, 5, tags=[" Safety ", "HEDGE", "safety", "", "   ", "Ünïcode", "ünÏCODE"])
    assert a.tags == ("hedge", "Safety", "Ünïcode")  # existing spelling kept, sorted ignoring case
    names = [t.name for t in lib.list_tags()]
    assert names.count("Safety") == 1 and "safety" not in names
    assert names == sorted(names, key=str.casefold)
    new_colours = {t.colour for t in lib.list_tags() if t.name in ("Safety", "Ünïcode")}
    assert all(len(c) == 7 and c.startswith("#") for c in new_colours)

    b = lib.add_annotation(d.id, 6, 9, tags=["SAFETY"])
    assert b.tags == ("Safety",)
    assert lib.tag_usage("safety") == 2
    assert lib.tag_usage("no such tag") == 0
    assert [x.id for x in lib.list_annotations(tag="sAfEtY")] == [a.id, b.id]
    assert lib.list_annotations(tag="no such tag") == []


def test_ensure_tag(lib: Library) -> None:
    tag = lib.ensure_tag("  Governance ", "#0072B2")
    assert (tag.name, tag.colour) == ("Governance", "#0072b2")
    assert lib.ensure_tag("governance") == tag
    with pytest.raises(InvalidInputError):
        lib.ensure_tag("x", "blue")
    with pytest.raises(InvalidInputError):
        lib.ensure_tag("   ")


def test_update_annotation_bumps_modified_and_replaces_tags(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock(monkeypatch)
    d = lib.add_document(doc())
    assert d.id is not None
    a = lib.add_annotation(d.id, 0, 5, note="first", tags=["hedge", "commitment"])

    b = lib.update_annotation(a.id, tags=["Key passage", "new one"])
    assert b.tags == ("key passage", "new one")
    assert b.note == "first"
    assert b.created == a.created and b.modified > a.modified

    c = lib.update_annotation(b.id, note="second")
    assert c.note == "second" and c.tags == b.tags and c.modified > b.modified
    assert lib.get_annotation(a.id) == c
    assert lib.tag_usage("hedge") == 0

    assert lib.update_annotation(a.id, tags=[]).tags == ()
    with pytest.raises(NotFoundError):
        lib.update_annotation("nope", note="x")


def test_delete_annotation(lib: Library) -> None:
    d = lib.add_document(doc())
    assert d.id is not None
    a = lib.add_annotation(d.id, 0, 5, tags=["hedge"])
    lib.delete_annotation(a.id)
    assert lib.count_annotations() == 0 and lib.tag_usage("hedge") == 0
    with pytest.raises(NotFoundError):
        lib.get_annotation(a.id)
    with pytest.raises(NotFoundError):
        lib.delete_annotation(a.id)


def test_list_annotations_reading_order_and_filters(lib: Library) -> None:
    late = lib.add_document(doc("Paris", TEXT + " Paris.", "2025-02-11"))
    early = lib.add_document(doc("Bletchley", TEXT, "2023-11-01"))
    assert late.id is not None and early.id is not None
    p2 = lib.add_annotation(late.id, 50, 60)
    p1 = lib.add_annotation(late.id, 10, 20, tags=["hedge"])
    b1 = lib.add_annotation(early.id, 30, 40, tags=["hedge"])
    assert [a.id for a in lib.list_annotations()] == [b1.id, p1.id, p2.id]
    assert [a.id for a in lib.list_annotations(document_id=late.id)] == [p1.id, p2.id]
    assert [a.id for a in lib.list_annotations(document_id=late.id, tag="Hedge")] == [p1.id]
    assert lib.count_annotations(late.id) == 2 and lib.count_annotations() == 3
    summaries = {s.id: s.annotation_count for s in lib.list_documents()}
    assert summaries == {early.id: 1, late.id: 2}


def test_transaction_rolls_back_everything_on_error(lib: Library) -> None:
    d = lib.add_document(doc())
    assert d.id is not None
    with pytest.raises(RuntimeError), lib.transaction():
        lib.add_annotation(d.id, 0, 5, tags=["batch tag"])
        with lib.transaction():  # nested: joins the outer transaction
            lib.add_annotation(d.id, 5, 9)
        raise RuntimeError("stop")
    assert lib.count_annotations() == 0
    assert "batch tag" not in {t.name for t in lib.list_tags()}

    with lib.transaction():
        lib.add_annotation(d.id, 0, 5)
        with lib.transaction():
            lib.add_annotation(d.id, 5, 9)
    assert lib.count_annotations() == 2


def test_two_library_objects_see_each_others_writes(lib: Library, lib_path: Path) -> None:
    d = lib.add_document(doc())
    with Library(lib_path) as other:
        assert [x.id for x in other.list_documents()] == [d.id]
        other.set_setting("seen", "yes")
    assert lib.get_setting("seen") == "yes"


def test_library_shared_between_threads(lib: Library) -> None:
    d = lib.add_document(doc())
    assert d.id is not None
    doc_id = d.id
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                lib.add_annotation(doc_id, i, i + 1 + n, tags=[f"t{n}"])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert lib.count_annotations() == 40


# ------------------------------------------------------------------------------- settings and cache


def test_settings_and_author(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "login-name")
    with Library(lib_path) as library:
        assert library.get_setting("missing") is None
        assert library.get_setting("missing", "fallback") == "fallback"
        library.set_setting("theme", "dark")
        library.set_setting("theme", "light")
        assert library.author == "login-name"
        library.author = "  Grace   Hopper "
    with Library(lib_path) as library:
        assert library.get_setting("theme") == "light"
        assert library.author == "Grace Hopper"
        d = library.add_document(doc())
        assert d.id is not None
        assert library.add_annotation(d.id, 0, 1).author == "Grace Hopper"
        assert library.add_annotation(d.id, 0, 1, author="Guest").author == "Guest"
        library.author = ""
        assert library.author == "login-name"


def test_author_falls_back_to_unknown(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_user() -> str:
        raise OSError("no login name")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert lib.author == "unknown"


def test_analysis_cache_round_trip(lib_path: Path) -> None:
    payload = '{"matches": [1, 2, 3], "note": "ünïcode"}'
    with Library(lib_path) as library:
        assert library.get_cached_analysis("t", "l", "1.0") is None
        library.put_cached_analysis("t", "l", "1.0", payload)
        library.put_cached_analysis("t", "l", "2.0", "other engine")
    with Library(lib_path) as library:
        assert library.get_cached_analysis("t", "l", "1.0") == payload
        assert library.get_cached_analysis("t", "l", "2.0") == "other engine"
        assert library.get_cached_analysis("t", "other lexicon", "1.0") is None
        library.put_cached_analysis("t", "l", "1.0", "replaced")
        assert library.get_cached_analysis("t", "l", "1.0") == "replaced"


# ------------------------------------------------------------------- a save in a few statements (issue #10)


@pytest.mark.parametrize(
    ("tags", "note", "author"),
    [
        ((), "", None),
        (["hedge"], "a note", None),
        (["Brand New", "brand new", "HEDGE", " spaced ", ""], "nul\x00in it", "  Guest  "),
        (["Ünïcode", "ünÏCODE", "zeta", "Alpha"], "", "   "),
    ],
)
def test_a_save_returns_the_annotation_as_stored(lib: Library, tags: list[str], note: str, author: str | None) -> None:
    """add_annotation builds what it returns instead of reading it back: the same as a read gives."""
    d = lib.add_document(doc())
    assert d.id is not None
    a = lib.add_annotation(d.id, 3, 30, note=note, tags=tags, author=author)
    assert lib.get_annotation(a.id) == a
    with Library(lib.path) as other:
        assert other.get_annotation(a.id) == a


def test_a_save_sees_a_text_another_library_object_replaced(lib: Library, lib_path: Path) -> None:
    """The text of a document is cached between saves while its hash is unchanged, including a change made
    through another connection."""
    d = lib.add_document(doc())
    assert d.id is not None
    lib.add_annotation(d.id, 0, 2)  # the text is cached now
    longer = TEXT + " A sentence added later, for the test."
    with Library(lib_path) as other:
        other.replace_document_text(d.id, longer)
    a = lib.add_annotation(d.id, len(TEXT) + 1, len(longer))
    assert a.quote == longer[len(TEXT) + 1 :]
    with pytest.raises(InvalidInputError, match="of 'Bletchley Declaration'"):
        lib.add_annotation(d.id, 0, len(longer) + 1)


def test_bulk_writes_restore_the_page_cache_and_check_their_tags(lib: Library) -> None:
    d = lib.add_document(doc())
    assert d.id is not None
    before = lib._scalar("PRAGMA cache_size")  # noqa: SLF001
    rows = [
        (f"id-{i}", d.id, 0, 5, TEXT[:5], "", TEXT[5:37], "", "ana", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "ok")
        for i in range(6000)
    ]
    assert lib.insert_annotation_rows(rows, [("hedge",)] * len(rows)) == 6000
    assert lib._scalar("PRAGMA cache_size") == before  # noqa: SLF001
    assert lib.tag_usage("hedge") == 6000
    with pytest.raises(InvalidInputError, match="One tuple of tag names"):
        lib.insert_annotation_rows(rows[:2], [()])


def test_modified_times_are_the_same_whichever_way_they_are_looked_up(lib_path: Path, tmp_path: Path) -> None:
    empty = Library(tmp_path / "empty.sqlite3")
    with Library(lib_path) as library, empty:
        d = library.add_document(doc())
        assert d.id is not None
        made = [
            (f"id-{i:05d}", d.id, 0, 5, TEXT[:5], "", "", "", "ana", "2025-01-01T00:00:00Z", f"2025-02-{1 + i % 28:02d}T00:00:00Z", "ok")
            for i in range(1200)
        ]
        library.insert_annotation_rows(made, [()] * len(made))
        expected = {row[0]: row[10] for row in made[:950]}
        wanted = [*expected, "not-there", "id-00001"]  # one missing, one asked twice
        assert library.annotation_modified_times(wanted) == expected  # one pass over the table
        assert library.annotation_modified_times(wanted[:300]) == {k: expected[k] for k in wanted[:300]}  # by id
        assert empty.annotation_modified_times(wanted) == {}
        library.insert_annotation_rows(
            [(f"more-{i}", *row[1:]) for i, row in enumerate(made * 3)], [()] * (len(made) * 3)
        )
        assert library.annotation_modified_times(wanted) == expected  # a library 4× larger: by id
