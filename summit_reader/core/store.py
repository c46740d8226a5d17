"""The local library: one SQLite file holding documents, annotations, tags, settings and the analysis cache.

Rules this module keeps:

* The schema is a list of numbered migrations (:data:`MIGRATIONS`); the version lives in ``PRAGMA user_version``
  and each migration runs inside one transaction, so a failed upgrade leaves the file as it was. Before an
  existing library is upgraded, a copy is written beside it (``<name>.before-v<N>.bak``).
* Opening never modifies a file that is not a valid library (not SQLite, damaged, written by a newer
  Summit Reader, or another program's database): it is checked first, and only then configured.
* Every write runs in :meth:`Library.transaction` (``BEGIN IMMEDIATE``) with ``synchronous=FULL``, so a
  write that returned is on disk.
* No ``sqlite3`` error and no SQLite row leaves this module: errors become :class:`StoreError` (or another
  :class:`~summit_reader.core.errors.SummitReaderError`), rows become the dataclasses of ``models``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import platformdirs

from summit_reader.core.documents import Document, text_hash, validate_date
from summit_reader.core.errors import (
    DuplicateDocumentError,
    InvalidInputError,
    NotFoundError,
    SchemaTooNewError,
    StoreError,
)
from summit_reader.core.models import (
    Annotation,
    AnnotationFilter,
    Coder,
    CoderAnnotation,
    DocumentSummary,
    Resolution,
    Tag,
    TagMerge,
    TagSnapshot,
)

if TYPE_CHECKING:
    from summit_reader.core.anchoring import Placement, ReplaceResult

# getpass, secrets, uuid and summit_reader.core.anchoring are imported where they are used: opening a
# library (the window's start-up) needs none of them.

ENV_VAR = "SUMMIT_READER_DB"

#: Characters of context kept before and after an annotation's quote, for re-anchoring after edits.
PREFIX_CHARS = 32

#: How long a write waits for another process that holds the library's write lock.
BUSY_TIMEOUT_MS = 10_000

#: ``PRAGMA application_id`` of a Summit Reader library ("SRdr"): tells our files from other SQLite files.
APPLICATION_ID = 0x53526472

_SQLITE_MAGIC = b"SQLite format 3\x00"

#: Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), as "#rrggbb".
OKABE_ITO: tuple[str, ...] = (
    "#e69f00",  # orange
    "#56b4e9",  # sky blue
    "#009e73",  # bluish green
    "#f0e442",  # yellow
    "#0072b2",  # blue
    "#d55e00",  # vermillion
    "#cc79a7",  # reddish purple
)

DEFAULT_TAGS: tuple[tuple[str, str], ...] = (
    ("existing risk", "#d55e00"),  # vermillion
    ("extinction risk", "#cc79a7"),  # reddish purple
    ("exclusion risk", "#e69f00"),  # orange
    ("commitment", "#009e73"),  # bluish green
    ("hedge", "#56b4e9"),  # sky blue
    ("key passage", "#f0e442"),  # yellow
)

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_MIGRATION_1 = f"""
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT,
    place TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'other',
    source_url TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    retrieved_at TEXT
);
CREATE INDEX documents_text_hash ON documents(text_hash);

CREATE TABLE annotations (
    id TEXT PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    quote TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    suffix TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ok',
    CHECK (start >= 0 AND "end" > start)
);
CREATE INDEX annotations_document_id ON annotations(document_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    colour TEXT NOT NULL,
    parent_id INTEGER REFERENCES tags(id) ON DELETE SET NULL
);

CREATE TABLE annotation_tags (
    annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (annotation_id, tag_id)
);
CREATE INDEX annotation_tags_tag_id ON annotation_tags(tag_id);

CREATE TABLE analysis_cache (
    text_hash TEXT NOT NULL,
    lexicon_hash TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    payload TEXT NOT NULL,
    created TEXT,
    PRIMARY KEY (text_hash, lexicon_hash, engine_version)
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT
);

INSERT INTO tags (name, colour) VALUES
    {", ".join(f"({_sql_literal(name)}, {_sql_literal(colour)})" for name, colour in DEFAULT_TAGS)};

PRAGMA application_id = {APPLICATION_ID};
"""

# A second coder (summit_reader.core.coders): a colleague's coding, kept apart from the user's own
# annotations (so every other view and export is unchanged), the documents their file covers, and the
# disagreements the user resolved. Tags are names as the colleague wrote them (a JSON array): importing
# a coding never adds tags to the user's tag list.
_MIGRATION_2 = """
CREATE TABLE coders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    source TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL
);

CREATE TABLE coder_documents (
    coder_id INTEGER NOT NULL REFERENCES coders(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    PRIMARY KEY (coder_id, document_id)
);

CREATE TABLE coder_annotations (
    coder_id INTEGER NOT NULL REFERENCES coders(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    quote TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    author TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL DEFAULT '',
    modified TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'ok',
    PRIMARY KEY (coder_id, id),
    CHECK (start >= 0 AND "end" > start)
);
CREATE INDEX coder_annotations_document_id ON coder_annotations(document_id);

CREATE TABLE resolutions (
    id INTEGER PRIMARY KEY,
    coder_id INTEGER NOT NULL REFERENCES coders(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('take', 'keep', 'remove')),
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    unit TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    annotation_ids TEXT NOT NULL DEFAULT '[]',
    resolved_at TEXT NOT NULL,
    resolved_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX resolutions_coder_key ON resolutions(coder_id, key);
"""

#: (version, SQL script). Append new migrations; never edit one that has shipped.
MIGRATIONS: list[tuple[int, str]] = [(1, _MIGRATION_1), (2, _MIGRATION_2)]

SCHEMA_VERSION: int = 2


def utc_now() -> str:
    """The current UTC time as ISO 8601 with seconds precision, e.g. ``2026-11-25T16:48:19Z``."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_library_path() -> Path:
    """``$SUMMIT_READER_DB`` if it is set, else ``library.sqlite3`` in the user's data folder."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path("summit-reader", appauthor=False) / "library.sqlite3"


def _is_writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _split_sql(script: str) -> list[str]:
    """The statements of a script, split where SQLite says a statement is complete (so triggers work)."""
    statements: list[str] = []
    buffer = ""
    for piece in re.split(r"(?<=;)", script):
        buffer += piece
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and sqlite3.complete_statement(buffer + ";"):
        statements.append(buffer.strip())
    return statements


def _clean_tag_name(name: str) -> str:
    return name.replace("\x00", "").strip()


def _check_offsets(*offsets: int) -> None:
    """Refuse an offset that is not a whole number (``True`` and ``1.0`` included)."""
    for value in offsets:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInputError(f"Passage offsets must be whole numbers, not {value!r}.")


def _check_passage(start: int, end: int) -> None:
    """Refuse offsets that are not whole numbers, or that are not a passage (0 ≤ start < end)."""
    _check_offsets(start, end)
    if not 0 <= start < end:
        raise InvalidInputError(f"{start}–{end} is not a passage.")


def _tag_sort_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


P = ParamSpec("P")
R = TypeVar("R")


def _guarded(method: Callable[Concatenate[Library, P], R]) -> Callable[Concatenate[Library, P], R]:
    """Run a public method under the library's lock, refusing a closed library and turning
    ``sqlite3`` errors into :class:`StoreError`."""

    @functools.wraps(method)
    def wrapper(self: Library, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._guard():
            return method(self, *args, **kwargs)

    return wrapper


class _Table:
    """Row inserts and upserts in plain SQL for the store's hot paths. sqlite-utils (our SQLite toolkit:
    backup inspection, and the ``sqlite-utils`` command users can point at their library) is not imported
    here because, with numpy and its plugins, it cost 0.14–0.5 s of the window's start-up."""

    def __init__(self, conn: sqlite3.Connection, name: str) -> None:
        self._conn = conn
        self._name = name
        self.last_rowid: int | None = None

    def insert(self, row: dict[str, Any]) -> _Table:
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" * len(row))
        cursor = self._conn.execute(f'INSERT INTO "{self._name}" ({columns}) VALUES ({marks})', tuple(row.values()))
        self.last_rowid = cursor.lastrowid
        return self

    def insert_all(self, rows: Iterable[dict[str, Any]]) -> _Table:
        for row in rows:
            self.insert(row)
        return self

    def upsert(self, row: dict[str, Any], pk: str) -> _Table:
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" * len(row))
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in row if c != pk) or f'"{pk}" = excluded."{pk}"'
        cursor = self._conn.execute(
            f'INSERT INTO "{self._name}" ({columns}) VALUES ({marks}) ON CONFLICT ("{pk}") DO UPDATE SET {updates}',
            tuple(row.values()),
        )
        self.last_rowid = cursor.lastrowid
        return self


class _Tables:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def table(self, name: str) -> _Table:
        return _Table(self._conn, name)


class Library:
    """An open library file. Use as a context manager, or call :meth:`close`.

    One ``Library`` may be shared between threads: calls are serialised by a lock.
    """

    path: Path

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.RLock()
        self._depth = 0
        self._closed = True
        try:
            self._check_path()
        except OSError as exc:  # e.g. a file name longer than the file system allows
            raise StoreError(f"The library '{self._name}' cannot be opened: {exc.strerror or exc}.") from None
        probed = self._has_content()
        if probed:
            # Check through a read-only connection first: it can neither write to the file nor checkpoint
            # (and so delete) the write-ahead log beside it, so a file refused here stays exactly as it was.
            probe = self._connect(read_only=True)
            try:
                self._validate(probe)
            finally:
                probe.close()
        conn = self._connect()
        try:
            version = self._validate(conn, thorough=not probed)
            self._configure(conn)
            self._conn = conn
            self._db = _Tables(conn)
            self._closed = False
            self._migrate(version)
        except BaseException:
            self._closed = True
            conn.close()
            raise

    # ----------------------------------------------------------------- opening

    @property
    def _name(self) -> str:
        return self.path.name

    def _check_path(self) -> None:
        path, name = self.path, f"'{self.path.name}'"
        if "\x00" in str(path):
            raise StoreError(f"{name.replace(chr(0), '')} is not a valid file name (it holds a NUL character).")
        if path.is_dir():
            raise StoreError(
                f"'{path}' is a folder; a Summit Reader library is a single file, e.g. "
                f"'{path / 'library.sqlite3'}'."
            )
        parent = path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise StoreError(f"Cannot create the library {name}: '{parent}' is not a folder.") from None
        except PermissionError:
            raise StoreError(
                f"Cannot create the library {name}: permission denied for the folder '{parent}'."
            ) from None
        except OSError as exc:
            raise StoreError(f"Cannot create the folder '{parent}': {exc.strerror or exc}.") from None
        if path.exists():
            if not os.access(path, os.R_OK):
                raise StoreError(f"The library {name} cannot be read: permission denied.")
            if not _is_writable(path):
                raise StoreError(
                    f"The library {name} is read-only, and Summit Reader needs to write to its library. "
                    "Make the file writable, or open another library."
                )
            try:
                size = path.stat().st_size
                with path.open("rb") as fh:
                    header = fh.read(100)
            except OSError as exc:
                raise StoreError(f"The library {name} cannot be read: {exc.strerror or exc}.") from None
            if size > 0 and not header.startswith(_SQLITE_MAGIC):
                raise StoreError(f"{name} is not a Summit Reader library (it is not an SQLite database).")
            if 0 < size < 100:
                raise self._damaged("the file is shorter than an SQLite header")
        wal = self._wal_path
        if not self._has_content() and wal.is_file() and wal.stat().st_size > 0:
            # SQLite would delete this log when it starts a new library here: it may hold the only copy.
            state = "empty" if path.exists() else "missing"
            raise self._damaged(f"the file is {state} but its write-ahead log '{wal.name}' holds changes")
        if not _is_writable(parent):
            raise StoreError(
                f"The folder '{parent}' is read-only; Summit Reader needs to write the library {name} "
                "and its journal files there. Choose a library in a folder you can write to."
            )

    @property
    def _wal_path(self) -> Path:
        return self.path.with_name(self.path.name + "-wal")

    def _has_content(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except OSError:
            return False

    def _connect(self, *, read_only: bool = False) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                f"{self.path.absolute().as_uri()}?mode=ro" if read_only else str(self.path),
                uri=read_only,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        except sqlite3.Error as exc:
            raise StoreError(f"The library '{self._name}' cannot be opened ({exc}).") from None
        return conn

    def _damaged(self, detail: str) -> StoreError:
        return StoreError(
            f"The library '{self._name}' is damaged and cannot be opened ({detail}). "
            "Restore it from a backup, or open another library."
        )

    def _validate(self, conn: sqlite3.Connection, *, thorough: bool = True) -> int:
        """Check the file is a library this version can use, without writing to it. Returns its version.
        ``thorough=False`` skips SQLite's page check (done already through the read-only probe).

        Everything is read in one read transaction, so from one state of the file: read one statement at a
        time, a library that another process was creating meanwhile could show no application id and
        then tables, and be refused as "an SQLite database of another program"."""
        try:
            conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise StoreError(f"The library '{self._name}' cannot be opened ({exc}).") from None
        try:
            return self._validate_state(conn, thorough=thorough)
        finally:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")

    def _validate_state(self, conn: sqlite3.Connection, *, thorough: bool) -> int:
        name = f"'{self._name}'"
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise StoreError(
                    f"{name} is not a Summit Reader library (it is not an SQLite database)."
                ) from None
            raise self._damaged(str(exc)) from None
        if app_id == APPLICATION_ID and version > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"The library {name} was written by a newer version of Summit Reader (schema {version}; "
                f"this version reads up to {SCHEMA_VERSION}). Update Summit Reader, or open another library."
            )
        try:
            problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()] if thorough else ["ok"]
            objects = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise self._damaged(str(exc)) from None
        if problems != ["ok"]:
            lines = [ln for p in problems for ln in p.splitlines() if ln.strip() and not ln.startswith("***")]
            raise self._damaged(f"SQLite's check reports: {(lines or problems)[0].strip()}")
        is_new = app_id == 0 and version == 0 and objects == 0
        if app_id != APPLICATION_ID and not is_new:
            raise StoreError(
                f"{name} is an SQLite database of another program, not a Summit Reader library; "
                "it was left unchanged."
            )
        return version

    def _configure(self, conn: sqlite3.Connection) -> None:
        try:
            self._use_wal(conn)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreError(f"The library '{self._name}' cannot be opened ({exc}).") from None

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        """``PRAGMA journal_mode = WAL``, waiting as long as any other write would for a lock it needs.
        SQLite answers this pragma "database is locked" at once, without its busy timeout, while another
        connection holds a lock on the file: two apps starting at the same moment on a library that did not
        exist yet refused to open it in 97 of 100 tries (``test_two_apps_creating_one_library_both_open_it``)."""
        import time

        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.002
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchall()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def _migrate(self, current: int) -> None:
        pending = sorted((v, sql) for v, sql in MIGRATIONS if v > current)
        if not pending:
            return
        if current > 0:
            self._backup(f"{self.path.name}.before-v{SCHEMA_VERSION}")
        conn = self._conn
        for version, script in pending:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    # Another process may have upgraded the file since we read its version.
                    if int(conn.execute("PRAGMA user_version").fetchone()[0]) < version:
                        for statement in _split_sql(script):
                            conn.execute(statement)
                        conn.execute(f"PRAGMA user_version = {int(version)}")
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise StoreError(
                    f"The library '{self._name}' could not be upgraded to schema {version} ({exc}); "
                    "it was left as it was."
                ) from None

    def _backup(self, stem: str) -> Path:
        """Copy the library with SQLite's backup API to ``<stem>.bak`` beside it (never overwriting)."""
        target = self.path.with_name(f"{stem}.bak")
        counter = 2
        while target.exists():
            target = self.path.with_name(f"{stem}.{counter}.bak")
            counter += 1
        import secrets

        tmp = self.path.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            dest = sqlite3.connect(str(tmp))
            try:
                self._conn.backup(dest)
            finally:
                dest.close()
            os.replace(tmp, target)
        except (sqlite3.Error, OSError) as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise StoreError(
                f"Could not copy the library '{self._name}' to '{target.name}' before upgrading it ({exc}); "
                "it was left as it was."
            ) from None
        return target

    # ------------------------------------------------------- lifecycle, errors

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<Library {str(self.path)!r} ({state})>"

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(sqlite3.Error):
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        with self._lock:
            if self._closed:
                raise StoreError(f"The library '{self._name}' is closed.")
            try:
                yield
            except sqlite3.Error as exc:
                raise StoreError(self._describe(exc)) from exc
            except UnicodeEncodeError:
                raise InvalidInputError(
                    "The text contains characters that cannot be stored (unpaired surrogate code points)."
                ) from None

    def _describe(self, exc: sqlite3.Error) -> str:
        message = str(exc)
        low = message.lower()
        name = f"'{self._name}'"
        if "locked" in low or "busy" in low:
            return f"The library {name} is busy: another program is writing to it. Try again in a moment."
        if "readonly" in low or "read-only" in low:
            return f"The library {name} is read-only; Summit Reader cannot save changes to it."
        if "full" in low:
            return (
                f"The disk is full: the library {name} cannot grow, so the last change was not saved. "
                "Free some disk space and try again."
            )
        if "disk i/o" in low:
            return (
                f"The library {name} could not be written ({message}), so the last change was not saved. "
                "Check that the disk is connected and not full, then try again."
            )
        if "malformed" in low or "not a database" in low or "corrupt" in low:
            return f"The library {name} is damaged ({message}). Restore it from a backup."
        if "closed" in low:
            return f"The library {name} is closed."
        return f"The library {name} could not be read or written ({message})."

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` if the block raises. Nested blocks join the
        outermost transaction (they do not commit on their own)."""
        with self._guard():
            conn = self._conn
            if self._depth > 0:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
            self._depth = 0
            try:
                conn.execute("COMMIT")
            except sqlite3.Error:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        cursor = self._conn.cursor()
        cursor.row_factory = sqlite3.Row
        return list(cursor.execute(sql, tuple(params)).fetchall())

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self._conn.execute(sql, tuple(params)).fetchone()
        return None if row is None else row[0]

    @property
    def schema_version(self) -> int:
        with self._guard():
            return int(self._scalar("PRAGMA user_version"))

    # --------------------------------------------------------------- documents

    @staticmethod
    def _document(row: sqlite3.Row) -> Document:
        return Document(
            id=int(row["id"]),
            title=row["title"],
            text=row["text"],
            date=row["date"] or None,
            place=row["place"],
            kind=row["kind"],
            source_url=row["source_url"],
            source_path=row["source_path"],
            retrieved_at=row["retrieved_at"],
            imported_at=row["imported_at"],
            text_hash=row["text_hash"],
        )

    @_guarded
    def add_document(self, doc: Document, *, allow_duplicate: bool = False) -> Document:
        """Store ``doc``; return it with ``id`` and ``imported_at`` set. A text already in the library raises
        DuplicateDocumentError unless ``allow_duplicate``."""
        title = " ".join(doc.title.split())
        if not title:
            raise InvalidInputError("A document needs a title.")
        if not doc.text.strip():
            raise InvalidInputError(f"The document '{title}' has no text.")
        if "\x00" in doc.text:
            raise InvalidInputError(f"The text of '{title}' contains NUL characters, which cannot be stored.")
        stored = replace(
            doc,
            id=None,
            title=title,
            date=validate_date(doc.date),
            kind=(doc.kind or "other").strip().lower() or "other",
            imported_at=doc.imported_at or utc_now(),
            text_hash=text_hash(doc.text),
        )
        with self.transaction():
            if not allow_duplicate:
                existing = self.find_document_by_hash(stored.text_hash)
                if existing is not None and existing.id is not None:
                    raise DuplicateDocumentError(
                        f"This text is already in the library as '{existing.title}' (id {existing.id}).",
                        existing_id=existing.id,
                    )
            table = self._db.table("documents")
            table.insert(
                {
                    "title": stored.title,
                    "date": stored.date,
                    "place": stored.place,
                    "kind": stored.kind,
                    "source_url": stored.source_url,
                    "source_path": stored.source_path,
                    "text": stored.text,
                    "text_hash": stored.text_hash,
                    "imported_at": stored.imported_at,
                    "retrieved_at": stored.retrieved_at,
                }
            )
            new_id = int(table.last_rowid or 0)
        return stored.with_id(new_id)

    @_guarded
    def get_document(self, doc_id: int) -> Document:
        rows = self._rows("SELECT * FROM documents WHERE id = ?", (doc_id,))
        if not rows:
            raise NotFoundError(f"No document with id {doc_id}; `summit-reader list` shows the ids.")
        return self._document(rows[0])

    @_guarded
    def find_document_by_hash(self, text_hash: str) -> Document | None:
        rows = self._rows("SELECT * FROM documents WHERE text_hash = ? ORDER BY id LIMIT 1", (text_hash,))
        return self._document(rows[0]) if rows else None

    _DOC_ORDER = "(d.date IS NULL OR d.date = ''), d.date, d.title COLLATE NOCASE, d.id"

    @_guarded
    def list_documents(self) -> list[DocumentSummary]:
        """All documents without their text: by date (undated last), then title, then id."""
        rows = self._rows(
            f"""
            SELECT d.id, d.title, d.date, d.place, d.kind, d.source_url, d.text_hash,
                   length(d.text) AS char_count,
                   (SELECT count(*) FROM annotations a WHERE a.document_id = d.id) AS annotation_count
            FROM documents d
            ORDER BY {self._DOC_ORDER}
            """
        )
        return [
            DocumentSummary(
                id=int(r["id"]),
                title=r["title"],
                date=r["date"] or None,
                place=r["place"],
                kind=r["kind"],
                source_url=r["source_url"],
                text_hash=r["text_hash"],
                char_count=int(r["char_count"]),
                annotation_count=int(r["annotation_count"]),
            )
            for r in rows
        ]

    @_guarded
    def update_document(
        self,
        doc_id: int,
        *,
        title: str | None = None,
        date: str | None = None,
        place: str | None = None,
        kind: str | None = None,
        source_url: str | None = None,
    ) -> Document:
        """Change metadata; ``None`` leaves a field as it is, ``date=""`` makes the document undated."""
        changes: dict[str, Any] = {}
        if title is not None:
            clean = " ".join(title.split())
            if not clean:
                raise InvalidInputError("A document needs a title.")
            changes["title"] = clean
        if date is not None:
            changes["date"] = validate_date(date)
        if place is not None:
            changes["place"] = place.strip()
        if kind is not None:
            changes["kind"] = kind.strip().lower() or "other"
        if source_url is not None:
            changes["source_url"] = source_url.strip()
        with self.transaction():
            self.get_document(doc_id)  # NotFoundError
            if changes:
                assignments = ", ".join(f"{column} = ?" for column in changes)
                self._conn.execute(
                    f"UPDATE documents SET {assignments} WHERE id = ?", (*changes.values(), doc_id)
                )
            return self.get_document(doc_id)

    @_guarded
    def delete_document(self, doc_id: int) -> int:
        """Delete a document and its annotations; return how many annotations went with it."""
        with self.transaction():
            self.get_document(doc_id)
            count = int(self._scalar("SELECT count(*) FROM annotations WHERE document_id = ?", (doc_id,)))
            self._conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return count

    # ------------------------------------------------------------------- tags

    def _all_tags(self) -> list[Tag]:
        return [
            Tag(
                id=int(r["id"]),
                name=r["name"],
                colour=r["colour"],
                parent_id=None if r["parent_id"] is None else int(r["parent_id"]),
            )
            for r in self._rows("SELECT id, name, colour, parent_id FROM tags")
        ]

    def _find_tag(self, name: str) -> Tag | None:
        """The tag whose name equals ``name`` ignoring case (Unicode case folding)."""
        wanted = _clean_tag_name(name).casefold()
        for tag in self._all_tags():
            if tag.name.casefold() == wanted:
                return tag
        return None

    def _next_colour(self) -> str:
        """The palette colour used by the fewest tags (first in palette order on a tie)."""
        used = [str(c).lower() for (c,) in self._conn.execute("SELECT colour FROM tags").fetchall()]
        return min(OKABE_ITO, key=lambda colour: (used.count(colour), OKABE_ITO.index(colour)))

    def _resolve_tags(self, names: Iterable[str]) -> list[Tag]:
        """Tags for ``names`` (stripped, empty ones skipped, duplicates collapsed ignoring case), creating
        the missing ones. Must run inside a transaction."""
        wanted = [name for name in map(_clean_tag_name, names) if name]
        if not wanted:
            return []
        # plain rows, and a Tag made only for the tags asked for (this runs for every saved annotation)
        known: dict[str, Tag | tuple[Any, ...]] = {
            str(row[1]).casefold(): row
            for row in self._conn.execute("SELECT id, name, colour, parent_id FROM tags").fetchall()
        }
        result: list[Tag] = []
        seen: set[str] = set()
        for name in wanted:
            key = name.casefold()
            if key in seen:
                continue
            seen.add(key)
            found = known.get(key)
            if found is None:
                tag = self._insert_tag(name, self._next_colour())
                known[key] = tag
            elif isinstance(found, Tag):
                tag = found
            else:
                tag_id, tag_name, colour, parent_id = found
                tag = Tag(
                    id=int(tag_id),
                    name=tag_name,
                    colour=colour,
                    parent_id=None if parent_id is None else int(parent_id),
                )
            result.append(tag)
        return result

    def _insert_tag(self, name: str, colour: str) -> Tag:
        table = self._db.table("tags")
        table.insert({"name": name, "colour": colour})
        return Tag(id=int(table.last_rowid or 0), name=name, colour=colour)

    @_guarded
    def list_tags(self) -> list[Tag]:
        """All tags, by name ignoring case."""
        return sorted(self._all_tags(), key=lambda tag: _tag_sort_key(tag.name))

    @_guarded
    def ensure_tag(self, name: str, colour: str | None = None) -> Tag:
        """The tag called ``name`` (ignoring case), created with ``colour`` (or the next palette colour) if
        it does not exist. An existing tag keeps its colour."""
        clean = _clean_tag_name(name)
        if not clean:
            raise InvalidInputError("A tag needs a name.")
        if colour is not None and not _COLOUR.match(colour.strip()):
            raise InvalidInputError(f"'{colour}' is not a colour; write it as #rrggbb, e.g. #0072b2.")
        with self.transaction():
            existing = self._find_tag(clean)
            if existing is not None:
                return existing
            return self._insert_tag(clean, colour.strip().lower() if colour else self._next_colour())

    @_guarded
    def tag_usage(self, name: str) -> int:
        """How many annotations carry the tag ``name`` (0 for an unknown tag)."""
        tag = self._find_tag(name)
        if tag is None:
            return 0
        return int(self._scalar("SELECT count(*) FROM annotation_tags WHERE tag_id = ?", (tag.id,)))

    # ------------------------------------------------------------ annotations

    _INSERT_ANNOTATION = (
        'INSERT INTO annotations (id, document_id, start, "end", quote, prefix, suffix, note, author, '
        "created, modified, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    _INSERT_TAG_LINK = "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)"

    _ANNOTATION_COLUMNS = (
        'a.id, a.document_id, a.start, a."end", a.quote, a.prefix, a.suffix, a.note, a.author, '
        "a.created, a.modified, a.status"
    )

    @staticmethod
    def _annotation(row: sqlite3.Row, tags: Iterable[str]) -> Annotation:
        return Annotation(
            id=row["id"],
            document_id=int(row["document_id"]),
            start=int(row["start"]),
            end=int(row["end"]),
            quote=row["quote"],
            prefix=row["prefix"],
            suffix=row["suffix"],
            note=row["note"],
            author=row["author"],
            created=row["created"],
            modified=row["modified"],
            tags=tuple(sorted(tags, key=_tag_sort_key)),
            status=row["status"],
        )

    def _select_annotations(self, where: str, params: Sequence[Any]) -> list[Annotation]:
        """Annotations matching ``where`` (over ``a`` = annotations), in reading order, with tags: two
        queries whatever the number of annotations."""
        rows = self._rows(
            f"""
            SELECT {self._ANNOTATION_COLUMNS}
            FROM annotations a JOIN documents d ON d.id = a.document_id
            WHERE {where}
            ORDER BY {self._DOC_ORDER}, a.start, a.created, a.id
            """,
            params,
        )
        tags: dict[str, list[str]] = {}
        for annotation_id, tag_name in self._conn.execute(
            f"""
            SELECT at.annotation_id, t.name
            FROM annotation_tags at
                JOIN tags t ON t.id = at.tag_id
                JOIN annotations a ON a.id = at.annotation_id
            WHERE {where}
            """,
            tuple(params),
        ):
            tags.setdefault(annotation_id, []).append(tag_name)
        return [self._annotation(row, tags.get(row["id"], ())) for row in rows]

    def _load_annotation(self, annotation_id: str) -> Annotation:
        found = self._select_annotations("a.id = ?", (annotation_id,))
        if not found:
            raise NotFoundError(f"No annotation with id '{annotation_id}'.")
        return found[0]

    def _set_tags(self, annotation_id: str, names: Iterable[str]) -> None:
        self._conn.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", (annotation_id,))
        tags = self._resolve_tags(names)
        if tags:
            self._db.table("annotation_tags").insert_all(
                [{"annotation_id": annotation_id, "tag_id": tag.id} for tag in tags]
            )

    def _document_text(self, doc_id: int) -> str:
        """The text of a document, from a small cache while its hash is unchanged: reading a 100,000-word
        text for every saved annotation was most of the time a save took. The hash is checked through its
        index: read from the row, it sits after the text, and SQLite walked the text's overflow pages to
        reach it (0.1 ms a save once another connection had written)."""
        cache: dict[int, tuple[str, str]] = self.__dict__.setdefault("_text_cache", {})
        hit = cache.get(doc_id)
        if hit is not None and self._conn.execute(
            "SELECT 1 FROM documents INDEXED BY documents_text_hash WHERE text_hash = ? AND id = ?",
            (hit[0], doc_id),
        ).fetchone():
            return hit[1]
        row = self._conn.execute("SELECT text_hash, text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No document with id {doc_id}; `summit-reader list` shows the ids.")
        if len(cache) >= 8:
            cache.clear()
        cache[doc_id] = (str(row[0]), str(row[1]))
        return str(row[1])

    @_guarded
    def add_annotation(
        self,
        document_id: int,
        start: int,
        end: int,
        *,
        note: str = "",
        tags: Sequence[str] = (),
        author: str | None = None,
    ) -> Annotation:
        """Annotate ``text[start:end]`` of a document (offsets in code points of the stored text)."""
        if isinstance(tags, str):
            raise InvalidInputError("Tags must be given as a list of names, not as one string.")
        _check_offsets(start, end)
        with self.transaction():
            text = self._document_text(document_id)
            if not 0 <= start < end <= len(text):
                title = self._scalar("SELECT title FROM documents WHERE id = ?", (document_id,))
                raise InvalidInputError(
                    f"{start}–{end} is not a passage of '{title}': the start must be at least 0, "
                    f"the end after the start, and neither beyond the text's {len(text)} characters."
                )
            import uuid

            now = utc_now()
            annotation_id = str(uuid.uuid4())
            who = author.strip() if author is not None and author.strip() else self.author
            quote = text[start:end]
            prefix, suffix = text[max(0, start - PREFIX_CHARS) : start], text[end : end + PREFIX_CHARS]
            clean_note = note.replace("\x00", "")
            self._conn.execute(
                self._INSERT_ANNOTATION,
                (annotation_id, document_id, start, end, quote, prefix, suffix, clean_note, who, now, now, "ok"),
            )
            # a new id has no tag links to delete; the tags are resolved (and created) as _set_tags does
            linked = self._resolve_tags(tags)
            for tag in linked:
                self._conn.execute(self._INSERT_TAG_LINK, (annotation_id, tag.id))
            # the annotation as stored, without reading it back (a save is a few statements: a durable save
            # may take at most twice a bare INSERT + COMMIT, docs/performance.md)
            return Annotation(
                id=annotation_id,
                document_id=int(document_id),
                start=start,
                end=end,
                quote=quote,
                prefix=prefix,
                suffix=suffix,
                note=clean_note,
                author=who,
                created=now,
                modified=now,
                tags=tuple(sorted((tag.name for tag in linked), key=_tag_sort_key)),
                status="ok",
            )

    @_guarded
    def get_annotation(self, annotation_id: str) -> Annotation:
        return self._load_annotation(annotation_id)

    @_guarded
    def update_annotation(
        self, annotation_id: str, *, note: str | None = None, tags: Sequence[str] | None = None
    ) -> Annotation:
        """Replace the note and/or the tags (``None`` keeps them); bumps ``modified`` when anything is given."""
        if isinstance(tags, str):
            raise InvalidInputError("Tags must be given as a list of names, not as one string.")
        with self.transaction():
            current = self._load_annotation(annotation_id)
            if note is None and tags is None:
                return current
            if note is not None:
                self._conn.execute(
                    "UPDATE annotations SET note = ? WHERE id = ?", (note.replace("\x00", ""), annotation_id)
                )
            if tags is not None:
                self._set_tags(annotation_id, tags)
            self._conn.execute("UPDATE annotations SET modified = ? WHERE id = ?", (utc_now(), annotation_id))
            return self._load_annotation(annotation_id)

    @_guarded
    def delete_annotation(self, annotation_id: str) -> None:
        with self.transaction():
            cursor = self._conn.execute("DELETE FROM annotations WHERE id = ?", (annotation_id,))
            if cursor.rowcount == 0:
                raise NotFoundError(f"No annotation with id '{annotation_id}'.")

    @_guarded
    def list_annotations(self, *, document_id: int | None = None, tag: str | None = None) -> list[Annotation]:
        """Annotations in reading order (documents by date, then position, then creation time), optionally
        of one document and/or carrying one tag (matched ignoring case). Unknown tag: empty list."""
        clauses = ["1"]
        params: list[Any] = []
        if document_id is not None:
            clauses.append("a.document_id = ?")
            params.append(document_id)
        if tag is not None:
            found = self._find_tag(tag)
            if found is None:
                return []
            clauses.append("a.id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id = ?)")
            params.append(found.id)
        return self._select_annotations(" AND ".join(clauses), params)

    @_guarded
    def count_annotations(self, document_id: int | None = None) -> int:
        if document_id is None:
            return int(self._scalar("SELECT count(*) FROM annotations"))
        return int(self._scalar("SELECT count(*) FROM annotations WHERE document_id = ?", (document_id,)))

    # --------------------------------------------------------------- settings

    @_guarded
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] is None:
            return default
        return str(row[0])

    @_guarded
    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self._db.table("settings").upsert({"key": key, "value": value}, pk="key")

    @_guarded
    def delete_setting(self, key: str) -> None:
        with self.transaction():
            self._conn.execute("DELETE FROM settings WHERE key = ?", (key,))

    @property
    def author(self) -> str:
        """The name written on new annotations: the "author" setting, else the login name."""
        stored = self.get_setting("author")
        if stored:
            return stored
        login: str | None = self.__dict__.get("_login")
        if login is None:  # looked up once per library (it can read the password database: 8 µs a save)
            try:
                import getpass

                login = getpass.getuser() or "unknown"
            except Exception:  # getuser raises OSError, KeyError or ImportError depending on the platform
                login = "unknown"
            self.__dict__["_login"] = login
        return login

    @author.setter
    def author(self, value: str) -> None:
        """Set the author name; an empty name goes back to the login name."""
        clean = " ".join(value.replace("\x00", "").split())
        if clean:
            self.set_setting("author", clean)
        else:
            self.delete_setting("author")

    # ---------------------------------------------------------- analysis cache

    @_guarded
    def get_cached_analysis(self, text_hash: str, lexicon_hash: str, engine_version: str) -> str | None:
        row = self._conn.execute(
            "SELECT payload FROM analysis_cache WHERE text_hash = ? AND lexicon_hash = ? AND engine_version = ?",
            (text_hash, lexicon_hash, engine_version),
        ).fetchone()
        return None if row is None else str(row[0])

    @_guarded
    def put_cached_analysis(
        self, text_hash: str, lexicon_hash: str, engine_version: str, payload: str
    ) -> None:
        with self.transaction():
            self._conn.execute(
                """
                INSERT INTO analysis_cache (text_hash, lexicon_hash, engine_version, payload, created)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (text_hash, lexicon_hash, engine_version)
                DO UPDATE SET payload = excluded.payload, created = excluded.created
                """,
                (text_hash, lexicon_hash, engine_version, payload, utc_now()),
            )

    # ======================================================================================================
    # Replacing a document's text (the official corpus: a publisher changed a text). Added for the
    # "getting documents in" issue; kept at the end of the class so it does not mix with other edits.
    # Annotations are re-anchored by summit_reader.core.anchoring (the "anchoring that survives change" issue).

    @_guarded
    def replace_document_text(
        self, doc_id: int, new_text: str, *, retrieved_at: str | None = None
    ) -> ReplaceResult:
        """Replace the text of a document with ``new_text`` (already normalised), keeping its metadata, and
        re-anchor its annotations (rules in :mod:`summit_reader.core.anchoring`), all in one transaction:

        * ``unchanged``: offsets kept (prefix/suffix refreshed if the text beside the passage changed);
        * ``moved``/``fuzzy``: new offsets, quote (as the new text has it), prefix, suffix and ``modified``;
        * ``needs_review``: status ``needs_review``; the old quote, prefix and suffix are kept (what was
          annotated, and what a later text is matched against); the old offsets too, clamped into the new
          text if it is shorter (:func:`~summit_reader.core.anchoring.clamp_span`) - a hint, not a passage.

        Placed annotations (all but ``needs_review``) get status ``ok``. Returns the document and one
        :class:`~summit_reader.core.anchoring.Placement` per annotation. ``retrieved_at`` (UTC ISO) is
        recorded when given."""
        if not new_text.strip():
            raise InvalidInputError(f"The new text of document {doc_id} is empty.")
        if "\x00" in new_text:
            raise InvalidInputError(f"The new text of document {doc_id} contains NUL characters, which cannot be stored.")
        from summit_reader.core.anchoring import ReplaceResult, reanchor_all

        with self.transaction():
            old_text = self.get_document(doc_id).text  # NotFoundError
            annotations = self._select_annotations("a.document_id = ?", (doc_id,))
            placements = reanchor_all(old_text, new_text, annotations)
            self._conn.execute(
                "UPDATE documents SET text = ?, text_hash = ?, retrieved_at = COALESCE(?, retrieved_at) WHERE id = ?",
                (new_text, text_hash(new_text), retrieved_at, doc_id),
            )
            now = utc_now()
            for annotation, placement in zip(annotations, placements, strict=True):
                self._write_placement(annotation, placement, new_text, now)
            return ReplaceResult(self.get_document(doc_id), tuple(placements))

    def _write_placement(self, annotation: Annotation, placement: Placement, text: str, now: str) -> None:
        """Store one re-anchoring result for :meth:`replace_document_text` (inside its transaction)."""
        if placement.start is None or placement.end is None:
            from summit_reader.core.anchoring import clamp_span

            start, end = clamp_span(annotation.start, annotation.end, len(text))
            self._conn.execute(
                "UPDATE annotations SET start = ?, \"end\" = ?, status = 'needs_review' WHERE id = ?",
                (start, end, annotation.id),
            )
            return
        start, end = placement.start, placement.end
        prefix, suffix = text[max(0, start - PREFIX_CHARS) : start], text[end : end + PREFIX_CHARS]
        if placement.status == "unchanged":
            if (prefix, suffix, annotation.status) != (annotation.prefix, annotation.suffix, "ok"):
                self._conn.execute(
                    "UPDATE annotations SET prefix = ?, suffix = ?, status = 'ok' WHERE id = ?",
                    (prefix, suffix, annotation.id),
                )
            return
        self._conn.execute(
            """
            UPDATE annotations SET start = ?, "end" = ?, quote = ?, prefix = ?, suffix = ?, status = 'ok',
                modified = ?
            WHERE id = ?
            """,
            (start, end, text[start:end], prefix, suffix, now, annotation.id),
        )

    # ======================================================================================================
    # The annotation window (the "annotating passages" issue): tag editing, exact restores for undo, paged
    # queries for the annotation panel, and data_version for refreshing. Kept at the end of the class.
    # Tag edits (rename, recolour, nest, merge, delete) do not change the annotations' ``modified`` time;
    # note, tag and placement edits of an annotation do.

    @_guarded
    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` for this connection: it changes when another connection (another
        window, another process) has committed a change to the file since the last call. Cheap to poll."""
        return int(self._scalar("PRAGMA data_version"))

    def _tag_by_id(self, tag_id: int) -> Tag:
        rows = self._rows("SELECT id, name, colour, parent_id FROM tags WHERE id = ?", (tag_id,))
        if not rows:
            raise NotFoundError(f"No tag with id {tag_id}; it may have been deleted in another window.")
        r = rows[0]
        return Tag(
            id=int(r["id"]),
            name=r["name"],
            colour=r["colour"],
            parent_id=None if r["parent_id"] is None else int(r["parent_id"]),
        )

    def _tag_annotation_ids(self, tag_id: int) -> list[str]:
        return [
            str(a)
            for (a,) in self._conn.execute(
                "SELECT annotation_id FROM annotation_tags WHERE tag_id = ? ORDER BY annotation_id", (tag_id,)
            ).fetchall()
        ]

    @_guarded
    def get_tag(self, tag_id: int) -> Tag:
        return self._tag_by_id(tag_id)

    @_guarded
    def tag_usage_counts(self) -> dict[int, int]:
        """How many annotations carry each tag, by tag id (every tag is listed, unused ones with 0)."""
        counts = {tag.id: 0 for tag in self._all_tags()}
        for tag_id, count in self._conn.execute(
            "SELECT tag_id, count(*) FROM annotation_tags GROUP BY tag_id"
        ).fetchall():
            counts[int(tag_id)] = int(count)
        return counts

    @_guarded
    def rename_tag(self, tag_id: int, name: str) -> Tag:
        """Rename a tag (a change of capitals only is allowed). A name another tag has is refused: merge the
        two tags instead."""
        clean = _clean_tag_name(name)
        if not clean:
            raise InvalidInputError("A tag needs a name.")
        with self.transaction():
            tag = self._tag_by_id(tag_id)
            other = self._find_tag(clean)
            if other is not None and other.id != tag_id:
                raise InvalidInputError(
                    f"There is already a tag called '{other.name}'; merge the two tags instead of renaming."
                )
            self._conn.execute("UPDATE tags SET name = ? WHERE id = ?", (clean, tag_id))
            return replace(tag, name=clean)

    @_guarded
    def set_tag_colour(self, tag_id: int, colour: str) -> Tag:
        """Give a tag another colour, written as ``#rrggbb``."""
        clean = colour.strip().lower()
        if not _COLOUR.match(clean):
            raise InvalidInputError(f"'{colour}' is not a colour; write it as #rrggbb, e.g. #0072b2.")
        with self.transaction():
            tag = self._tag_by_id(tag_id)
            self._conn.execute("UPDATE tags SET colour = ? WHERE id = ?", (clean, tag_id))
            return replace(tag, colour=clean)

    @_guarded
    def set_tag_parent(self, tag_id: int, parent_id: int | None) -> Tag:
        """Nest a tag under ``parent_id`` (``None``: a top-level tag). A tag cannot be nested under itself
        or under one of its own sub-tags."""
        with self.transaction():
            tag = self._tag_by_id(tag_id)
            if parent_id is not None:
                parent = self._tag_by_id(parent_id)
                seen: set[int] = set()
                current: Tag | None = parent
                while current is not None and current.id not in seen:
                    if current.id == tag_id:
                        raise InvalidInputError(
                            f"'{tag.name}' cannot be nested under '{parent.name}': "
                            "a tag cannot be nested under itself or one of its own sub-tags."
                        )
                    seen.add(current.id)
                    current = None if current.parent_id is None else self._tag_by_id(current.parent_id)
            self._conn.execute("UPDATE tags SET parent_id = ? WHERE id = ?", (parent_id, tag_id))
            return replace(tag, parent_id=parent_id)

    @_guarded
    def delete_tag(self, tag_id: int) -> TagSnapshot:
        """Delete a tag: it leaves every annotation that carried it, and its sub-tags become top-level.
        Returns what :meth:`restore_tag` needs to undo it."""
        with self.transaction():
            tag = self._tag_by_id(tag_id)
            annotation_ids = self._tag_annotation_ids(tag_id)
            children = [
                int(c)
                for (c,) in self._conn.execute(
                    "SELECT id FROM tags WHERE parent_id = ? ORDER BY id", (tag_id,)
                ).fetchall()
            ]
            self._conn.execute("DELETE FROM tags WHERE id = ?", (tag_id,))
            return TagSnapshot(tag=tag, annotation_ids=tuple(annotation_ids), child_ids=tuple(children))

    def _reinsert_tag(self, tag: Tag) -> Tag:
        """Insert a deleted tag again, with its id when that is still free. Inside a transaction."""
        existing = self._find_tag(tag.name)
        if existing is not None:
            raise InvalidInputError(
                f"The tag '{tag.name}' cannot be put back: a tag called '{existing.name}' exists now."
            )
        parent_id = tag.parent_id
        if parent_id is not None and self._scalar("SELECT 1 FROM tags WHERE id = ?", (parent_id,)) is None:
            parent_id = None
        id_free = self._scalar("SELECT 1 FROM tags WHERE id = ?", (tag.id,)) is None
        table = self._db.table("tags")
        row: dict[str, Any] = {"name": tag.name, "colour": tag.colour, "parent_id": parent_id}
        if id_free:
            row["id"] = tag.id
        table.insert(row)
        new_id = tag.id if id_free else int(table.last_rowid or 0)
        return Tag(id=new_id, name=tag.name, colour=tag.colour, parent_id=parent_id)

    def _link_existing(self, tag_id: int, annotation_ids: Iterable[str]) -> None:
        self._conn.executemany(
            """
            INSERT OR IGNORE INTO annotation_tags (annotation_id, tag_id)
            SELECT id, ? FROM annotations WHERE id = ?
            """,
            [(tag_id, a) for a in annotation_ids],
        )

    @_guarded
    def restore_tag(self, snapshot: TagSnapshot) -> Tag:
        """Undo :meth:`delete_tag`: the tag comes back (with its id if it is still free), on the annotations
        that still exist, with its sub-tags nested under it again. Returns the tag as restored."""
        with self.transaction():
            tag = self._reinsert_tag(snapshot.tag)
            self._link_existing(tag.id, snapshot.annotation_ids)
            self._conn.executemany(
                "UPDATE tags SET parent_id = ? WHERE id = ? AND id != ?",
                [(tag.id, child, tag.id) for child in snapshot.child_ids],
            )
            return tag

    @_guarded
    def merge_tags(self, source_id: int, target_id: int) -> TagMerge:
        """Merge the tag ``source_id`` into ``target_id``: every annotation that carried the source now
        carries the target, the source's sub-tags move under the target, and the source is deleted.
        Returns what :meth:`unmerge_tags` needs to undo it exactly."""
        if source_id == target_id:
            raise InvalidInputError("A tag cannot be merged into itself.")
        with self.transaction():
            source = self._tag_by_id(source_id)
            target = self._tag_by_id(target_id)
            source_annotations = self._tag_annotation_ids(source_id)
            had_target = set(self._tag_annotation_ids(target_id))
            added = [a for a in source_annotations if a not in had_target]
            reparented: list[tuple[int, int | None]] = []
            for (child,) in self._conn.execute(
                "SELECT id FROM tags WHERE parent_id = ? AND id != ? ORDER BY id", (source_id, target_id)
            ).fetchall():
                reparented.append((int(child), source_id))
                self._conn.execute("UPDATE tags SET parent_id = ? WHERE id = ?", (target_id, int(child)))
            if target.parent_id == source_id:
                reparented.append((target_id, source_id))
                self._conn.execute("UPDATE tags SET parent_id = ? WHERE id = ?", (source.parent_id, target_id))
            self._conn.executemany(
                "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", [(a, target_id) for a in added]
            )
            self._conn.execute("DELETE FROM tags WHERE id = ?", (source_id,))
            return TagMerge(
                source=source,
                target=target,
                source_annotation_ids=tuple(source_annotations),
                added_annotation_ids=tuple(added),
                reparented=tuple(reparented),
            )

    @_guarded
    def unmerge_tags(self, merge: TagMerge) -> Tag:
        """Undo :meth:`merge_tags`: the source tag comes back on the annotations that carried it, the
        target leaves those that did not carry it before, and the sub-tags return to their parents.
        Returns the source tag as restored (its id changes only if another tag took it meanwhile)."""
        with self.transaction():
            source = self._reinsert_tag(merge.source)
            self._conn.executemany(
                "DELETE FROM annotation_tags WHERE tag_id = ? AND annotation_id = ?",
                [(merge.target.id, a) for a in merge.added_annotation_ids],
            )
            self._link_existing(source.id, merge.source_annotation_ids)
            for tag_id, old_parent in merge.reparented:
                parent = source.id if old_parent == merge.source.id else old_parent
                self._conn.execute("UPDATE tags SET parent_id = ? WHERE id = ?", (parent, tag_id))
            return source

    # -- annotations: exact restores (undo), bulk changes, placing -----------------------------------------

    @_guarded
    def get_annotations(self, annotation_ids: Sequence[str]) -> list[Annotation]:
        """The annotations with these ids, in the order given; ids that do not exist are left out."""
        found: dict[str, Annotation] = {}
        ids = list(dict.fromkeys(annotation_ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join("?" * len(chunk))
            for annotation in self._select_annotations(f"a.id IN ({marks})", chunk):
                found[annotation.id] = annotation
        return [found[a] for a in ids if a in found]

    def _write_annotation(self, annotation: Annotation) -> None:
        """Insert or overwrite an annotation row exactly as given (id, times, author, tags…). Its status
        becomes ``needs_review`` if its quote is no longer at its offsets. Inside a transaction."""
        a = annotation
        _check_passage(a.start, a.end)
        doc = self.get_document(a.document_id)
        status = a.status if doc.text[a.start : a.end] == a.quote else "needs_review"
        values = {
            "document_id": a.document_id,
            "start": a.start,
            "end": a.end,
            "quote": a.quote,
            "prefix": a.prefix,
            "suffix": a.suffix,
            "note": a.note.replace("\x00", ""),
            "author": a.author,
            "created": a.created,
            "modified": a.modified,
            "status": status,
        }
        if self._scalar("SELECT 1 FROM annotations WHERE id = ?", (a.id,)) is None:
            self._db.table("annotations").insert({"id": a.id, **values})
        else:
            assignments = ", ".join(f'"{column}" = ?' for column in values)
            self._conn.execute(f"UPDATE annotations SET {assignments} WHERE id = ?", (*values.values(), a.id))
        self._set_tags(a.id, a.tags)

    @_guarded
    def restore_annotation(self, annotation: Annotation) -> Annotation:
        """Put an annotation back exactly as it was (same id, times, author, note and tags), whether it was
        deleted or changed since. Tags deleted meanwhile are created again by name. If its quote is no
        longer at its offsets (the text changed), it comes back as ``needs_review``."""
        with self.transaction():
            self._write_annotation(annotation)
            return self._load_annotation(annotation.id)

    @_guarded
    def restore_annotations(self, annotations: Sequence[Annotation]) -> list[Annotation]:
        """:meth:`restore_annotation` for several, in one transaction."""
        with self.transaction():
            for annotation in annotations:
                self._write_annotation(annotation)
            return self.get_annotations([a.id for a in annotations])

    @_guarded
    def delete_annotations(self, annotation_ids: Sequence[str]) -> list[Annotation]:
        """Delete these annotations in one transaction; return them as they were (ids that do not exist
        are skipped), for :meth:`restore_annotations`."""
        with self.transaction():
            deleted = self.get_annotations(annotation_ids)
            self._conn.executemany("DELETE FROM annotations WHERE id = ?", [(a.id,) for a in deleted])
            return deleted

    @_guarded
    def retag_annotations(
        self, annotation_ids: Sequence[str], *, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> list[Annotation]:
        """Add the tags ``add`` to and take the tags ``remove`` off every annotation listed (names matched
        ignoring case; new tags are created), in one transaction. Annotations whose tags change get a new
        ``modified`` time. Returns the annotations after the change."""
        if isinstance(add, str) or isinstance(remove, str):
            raise InvalidInputError("Tags must be given as a list of names, not as one string.")
        removed = {_clean_tag_name(name).casefold() for name in remove}
        with self.transaction():
            now = utc_now()
            for annotation in self.get_annotations(annotation_ids):
                names = [t for t in annotation.tags if t.casefold() not in removed]
                present = {t.casefold() for t in names}
                for name in add:
                    clean = _clean_tag_name(name)
                    if clean and clean.casefold() not in present:
                        names.append(clean)
                        present.add(clean.casefold())
                if {t.casefold() for t in names} != {t.casefold() for t in annotation.tags}:
                    self._set_tags(annotation.id, names)
                    self._conn.execute("UPDATE annotations SET modified = ? WHERE id = ?", (now, annotation.id))
            return self.get_annotations(annotation_ids)

    @_guarded
    def place_annotation(self, annotation_id: str, start: int, end: int) -> Annotation:
        """Anchor an annotation to ``text[start:end]`` of its document's current text (the user placed it):
        quote, context and offsets are taken from the text, the status becomes ``ok``, the note and tags
        stay."""
        _check_offsets(start, end)
        with self.transaction():
            current = self._load_annotation(annotation_id)
            doc = self.get_document(current.document_id)
            text = doc.text
            if not 0 <= start < end <= len(text):
                raise InvalidInputError(
                    f"{start}–{end} is not a passage of '{doc.title}': the start must be at least 0, "
                    f"the end after the start, and neither beyond the text's {len(text)} characters."
                )
            self._conn.execute(
                """
                UPDATE annotations SET start = ?, "end" = ?, quote = ?, prefix = ?, suffix = ?, status = 'ok',
                    modified = ?
                WHERE id = ?
                """,
                (
                    start,
                    end,
                    text[start:end],
                    text[max(0, start - PREFIX_CHARS) : start],
                    text[end : end + PREFIX_CHARS],
                    utc_now(),
                    annotation_id,
                ),
            )
            return self._load_annotation(annotation_id)

    # -- annotations: filtered, sorted, paged (the annotation panel loads rows as they are scrolled to) ----

    #: Sort keys of :meth:`query_annotations` → SQL over ``a`` (annotations) and ``d`` (documents).
    ANNOTATION_SORTS: tuple[str, ...] = ("document", "quote", "note", "tags", "author", "created", "modified", "status")

    #: The tags of each annotation as one sort key (joined only when sorting by tags).
    _TAG_KEY_JOIN = (
        "LEFT JOIN (SELECT annotation_id, group_concat(name, ';') AS tag_key FROM ("
        "SELECT at.annotation_id AS annotation_id, t.name AS name FROM annotation_tags at "
        "JOIN tags t ON t.id = at.tag_id ORDER BY at.annotation_id, t.name COLLATE NOCASE) "
        "GROUP BY annotation_id) tk ON tk.annotation_id = a.id"
    )

    def _annotation_sort_terms(self, sort: str) -> list[str]:
        terms = {
            "document": ["(d.date IS NULL OR d.date = '')", "d.date", "d.title COLLATE NOCASE", "d.id", "a.start"],
            "quote": ["a.quote COLLATE NOCASE"],
            "note": ["a.note COLLATE NOCASE"],
            "tags": ["tk.tag_key IS NULL", "tk.tag_key COLLATE NOCASE"],
            "author": ["a.author COLLATE NOCASE"],
            "created": ["a.created"],
            "modified": ["a.modified"],
            "status": ["a.status"],
        }
        if sort not in terms:
            raise InvalidInputError(f"Cannot sort annotations by '{sort}'; use one of: {', '.join(terms)}.")
        return terms[sort]

    @staticmethod
    def _casefold_sql(value: object) -> str | None:
        return value.casefold() if isinstance(value, str) else None

    def _annotation_filter_sql(self, flt: AnnotationFilter | None) -> tuple[str, list[Any]]:
        if flt is None:
            return "1", []
        clauses: list[str] = []
        params: list[Any] = []
        if flt.document_ids is not None:
            ids = [int(i) for i in flt.document_ids]
            clauses.append(f"a.document_id IN ({', '.join('?' * len(ids))})" if ids else "0")
            params.extend(ids)
        if flt.tag_ids is not None:
            ids = [int(i) for i in flt.tag_ids]
            clauses.append(
                f"a.id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id IN ({', '.join('?' * len(ids))}))"
                if ids
                else "0"
            )
            params.extend(ids)
        if flt.untagged:
            clauses.append("NOT EXISTS (SELECT 1 FROM annotation_tags x WHERE x.annotation_id = a.id)")
        if flt.status is not None:
            clauses.append("a.status = ?")
            params.append(flt.status)
        needle = " ".join(flt.text.split())
        if needle:
            if needle.isascii():
                # LIKE ignores the case of ASCII letters, in C: fast on a large library
                pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                compare = "{} LIKE ? ESCAPE '\\'"
                value: str = pattern
            else:
                self._conn.create_function("summit_casefold", 1, self._casefold_sql, deterministic=True)
                compare = "instr(summit_casefold({}), ?) > 0"
                value = needle.casefold()
            clauses.append(
                "("
                + " OR ".join(
                    [
                        compare.format("a.quote"),
                        compare.format("a.note"),
                        "a.id IN (SELECT at.annotation_id FROM annotation_tags at JOIN tags t ON t.id = at.tag_id "
                        f"WHERE {compare.format('t.name')})",
                    ]
                )
                + ")"
            )
            params.extend([value, value, value])
        return (" AND ".join(clauses) or "1"), params

    @_guarded
    def query_annotations(
        self,
        flt: AnnotationFilter | None = None,
        *,
        sort: str = "document",
        descending: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Annotation]:
        """One page of the annotations matching ``flt``, sorted by ``sort`` (one of
        :data:`ANNOTATION_SORTS`; ties in reading order, then by creation time and id)."""
        where, params = self._annotation_filter_sql(flt)
        direction = " DESC" if descending else ""
        order = ", ".join(
            f"{term}{direction}" for term in [*self._annotation_sort_terms(sort), "a.created", "a.id"]
        )
        page = f" LIMIT {int(limit)} OFFSET {max(0, int(offset))}" if limit is not None else ""
        join = self._TAG_KEY_JOIN if sort == "tags" else ""
        # sort the ids only (a small sorter, fast on 100,000 rows), then read the page's rows
        ids = [
            str(r[0])
            for r in self._conn.execute(
                f"""
                SELECT a.id FROM annotations a JOIN documents d ON d.id = a.document_id {join}
                WHERE {where}
                ORDER BY {order}{page}
                """,
                tuple(params),
            ).fetchall()
        ]
        rows: dict[str, sqlite3.Row] = {}
        tags: dict[str, list[str]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join("?" * len(chunk))
            for row in self._rows(f"SELECT {self._ANNOTATION_COLUMNS} FROM annotations a WHERE a.id IN ({marks})", chunk):
                rows[row["id"]] = row
            for annotation_id, tag_name in self._conn.execute(
                f"""
                SELECT at.annotation_id, t.name FROM annotation_tags at JOIN tags t ON t.id = at.tag_id
                WHERE at.annotation_id IN ({marks})
                """,
                chunk,
            ):
                tags.setdefault(annotation_id, []).append(tag_name)
        return [self._annotation(rows[i], tags.get(i, ())) for i in ids if i in rows]

    @_guarded
    def count_matching_annotations(self, flt: AnnotationFilter | None = None) -> int:
        """How many annotations :meth:`query_annotations` would list with ``flt``."""
        where, params = self._annotation_filter_sql(flt)
        return int(self._scalar(f"SELECT count(*) FROM annotations a WHERE {where}", params))

    # ======================================================================================================
    # Anchoring that survives change: annotations that could not be re-anchored after their text changed
    # (see replace_document_text; the user places them with place_annotation or deletes them).

    @_guarded
    def list_needs_review(self, document_id: int | None = None) -> list[Annotation]:
        """Annotations with status ``needs_review`` (of one document, or all), in reading order. Their quote,
        prefix and suffix are the old ones; their offsets only say roughly where the passage was."""
        where, params = "a.status = 'needs_review'", []
        if document_id is not None:
            where, params = where + " AND a.document_id = ?", [document_id]
        return self._select_annotations(where, params)

    # ======================================================================================================
    # Bulk writes for merging a colleague's annotations (summit_reader.core.merge; the "benchmarks" issue):
    # one transaction, tags resolved once, executemany for the rows.

    @_guarded
    def annotation_modified_times(self, annotation_ids: Sequence[str]) -> dict[str, str]:
        """``modified`` of each annotation among ``annotation_ids`` that exists (id → time)."""
        found: dict[str, str] = {}
        stored = int(self._scalar("SELECT count(*) FROM annotations")) if len(annotation_ids) > 900 else -1
        if stored == 0:  # the first merge into a library
            return found
        if 0 < stored <= 4 * len(annotation_ids):
            # many ids, a library not much larger: one pass over its annotations beats a query per 900 ids
            wanted = set(annotation_ids)
            for annotation_id, modified in self._conn.execute("SELECT id, modified FROM annotations"):
                if annotation_id in wanted:
                    found[str(annotation_id)] = str(modified)
            return found
        ids = list(dict.fromkeys(annotation_ids))
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            marks = ", ".join("?" * len(chunk))
            for annotation_id, modified in self._conn.execute(
                f"SELECT id, modified FROM annotations WHERE id IN ({marks})", chunk
            ):
                found[str(annotation_id)] = str(modified)
        return found

    def _tag_ids_for(self, annotations: Sequence[Annotation]) -> dict[str, int]:
        """Tag id of every tag name the annotations carry (casefolded name → id), creating missing tags."""
        names: dict[str, str] = {}
        for a in annotations:
            for name in a.tags:
                clean = _clean_tag_name(name)
                if clean:
                    names.setdefault(clean.casefold(), clean)
        return {tag.name.casefold(): tag.id for tag in self._resolve_tags(names.values())}

    @staticmethod
    def _tag_rows(annotations: Sequence[Annotation], tag_ids: dict[str, int]) -> list[tuple[str, int]]:
        rows: list[tuple[str, int]] = []
        for a in annotations:
            seen: set[int] = set()
            for name in a.tags:
                tag_id = tag_ids.get(_clean_tag_name(name).casefold())
                if tag_id is not None and tag_id not in seen:
                    seen.add(tag_id)
                    rows.append((a.id, tag_id))
        return rows

    def _checked_rows(self, annotations: Sequence[Annotation]) -> list[tuple[Any, ...]]:
        """Annotation rows for INSERT (id first), validated; status ``needs_review`` when the quote is not
        at its offsets in the document's text (each text read once)."""
        texts: dict[int, str] = {}
        rows: list[tuple[Any, ...]] = []
        for a in annotations:
            _check_passage(a.start, a.end)
            text = texts.get(a.document_id)
            if text is None:
                text = texts[a.document_id] = self.get_document(a.document_id).text
            status = a.status if text[a.start : a.end] == a.quote else "needs_review"
            rows.append(
                (a.id, a.document_id, a.start, a.end, a.quote, a.prefix, a.suffix, a.note.replace("\x00", ""),
                 a.author, a.created, a.modified, status)
            )
        return rows

    @_guarded
    def insert_annotations(self, annotations: Sequence[Annotation]) -> int:
        """Insert new annotations exactly as given (ids, times, author, note, tags, status) in one
        transaction; tags are matched by name ignoring case and created when missing. An annotation whose
        quote is not at its offsets is stored as ``needs_review``. An id that exists already is refused
        (:class:`StoreError`) and nothing is written. Returns the number inserted."""
        if not annotations:
            return 0
        with self.bulk_transaction(len(annotations)):
            rows = self._checked_rows(annotations)
            return self.insert_annotation_rows(rows, [a.tags for a in annotations])

    #: Rows in a write above which :meth:`bulk_transaction` enlarges the page cache, and its size then (KiB).
    _BULK_ROWS = 5_000
    _BULK_CACHE_KIB = 32 * 1024

    @contextlib.contextmanager
    def bulk_transaction(self, rows: int) -> Iterator[None]:
        """:meth:`transaction` for a write of ``rows`` rows at once. A large one gets a bigger page cache until
        it has committed: with SQLite's default (2 MiB) the pages of the indexes of a 100,000-annotation
        merge were written to the log again and again before the commit (a quarter of its insert time)."""
        with self._guard():
            big = rows >= self._BULK_ROWS and self._depth == 0
            before = int(self._scalar("PRAGMA cache_size")) if big else 0
            if big:
                self._conn.execute(f"PRAGMA cache_size = -{self._BULK_CACHE_KIB}")
            try:
                with self.transaction():
                    yield
            finally:
                if big:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute(f"PRAGMA cache_size = {before}")

    def _tag_links(
        self, annotation_ids: Iterable[str], tags: Sequence[tuple[str, ...]]
    ) -> list[tuple[str, int]]:
        """(annotation id, tag id) rows for ``annotation_ids`` carrying the tags named in ``tags`` (one tuple
        of names per annotation; matched ignoring case, missing ones created in order of first use;
        duplicates and empty names dropped). Each combination is resolved once, however many carry it."""
        combinations = dict.fromkeys(tags)
        names: dict[str, str] = {}
        for combination in combinations:
            for name in combination:
                clean = _clean_tag_name(name)
                if clean:
                    names.setdefault(clean.casefold(), clean)
        tag_ids = {tag.name.casefold(): tag.id for tag in self._resolve_tags(names.values())}
        resolved: dict[tuple[str, ...], list[int]] = {}
        for combination in combinations:
            ids: list[int] = []
            for name in combination:
                tag_id = tag_ids.get(_clean_tag_name(name).casefold())
                if tag_id is not None and tag_id not in ids:
                    ids.append(tag_id)
            resolved[combination] = ids
        per_row = map(resolved.__getitem__, tags)
        links = [
            (a_id, tag_id) for a_id, tag_ids_ in zip(annotation_ids, per_row, strict=True) for tag_id in tag_ids_
        ]
        # in the order of the primary key's index: a third faster to insert (the order of a file is not)
        links.sort(key=itemgetter(0))
        return links

    @_guarded
    def insert_annotation_rows(self, rows: Sequence[tuple[Any, ...]], tags: Sequence[tuple[str, ...]]) -> int:
        """:meth:`insert_annotations` of rows already checked (merge.py makes them without building an
        :class:`Annotation` per row): (id, document_id, start, end, quote, prefix, suffix, note, author,
        created, modified, status), each quote at its offsets in its document's text unless the status is
        ``needs_review``, no NUL in the note; ``tags[i]`` are the tag names of ``rows[i]``. Offsets that are
        not a passage and an id that exists already are refused (:class:`StoreError`) and nothing is
        written. Returns the number inserted."""
        if len(tags) != len(rows):
            raise InvalidInputError("One tuple of tag names is needed per annotation row.")
        if not rows:
            return 0
        with self.bulk_transaction(len(rows)):
            links = self._tag_links(map(itemgetter(0), rows), tags)
            self._conn.executemany(self._INSERT_ANNOTATION, rows)
            self._conn.executemany(self._INSERT_TAG_LINK, links)
        return len(rows)

    @_guarded
    def update_annotation_contents(self, annotations: Sequence[Annotation]) -> int:
        """Overwrite the note, tags, status and ``modified`` time of existing annotations with those given
        (offsets, quote and context stay), in one transaction. Returns the number updated."""
        if not annotations:
            return 0
        with self.transaction():
            tag_ids = self._tag_ids_for(annotations)
            cursor = self._conn.executemany(
                "UPDATE annotations SET note = ?, status = ?, modified = ? WHERE id = ?",
                [(a.note.replace("\x00", ""), a.status, a.modified, a.id) for a in annotations],
            )
            changed = int(cursor.rowcount)
            self._conn.executemany("DELETE FROM annotation_tags WHERE annotation_id = ?", [(a.id,) for a in annotations])
            self._conn.executemany(
                "INSERT OR IGNORE INTO annotation_tags (annotation_id, tag_id) SELECT id, ? FROM annotations WHERE id = ?",
                [(tag_id, a_id) for a_id, tag_id in self._tag_rows(annotations, tag_ids)],
            )
        return changed

    @_guarded
    def annotation_export_rows(
        self, document_id: int | None = None
    ) -> tuple[list[tuple[Any, ...]], dict[str, tuple[str, ...]]]:
        """Every annotation (or one document's) in reading order as plain tuples, for a CSV export of a
        whole library without building :class:`Annotation` objects: rows of (id, document_id, start, end,
        quote, note, author, created, modified, status), and the tags of each annotation that has any (id →
        names, sorted as :meth:`list_annotations` sorts them)."""
        where, params = ("a.document_id = ?", (document_id,)) if document_id is not None else ("1", ())
        rows = self._conn.execute(
            f"""
            SELECT a.id, a.document_id, a.start, a."end", a.quote, a.note, a.author, a.created, a.modified, a.status
            FROM annotations a JOIN documents d ON d.id = a.document_id
            WHERE {where}
            ORDER BY {self._DOC_ORDER}, a.start, a.created, a.id
            """,
            params,
        ).fetchall()
        joins = "" if document_id is None else f"JOIN annotations a ON a.id = at.annotation_id WHERE {where}"
        if self._scalar("SELECT 1 FROM tags WHERE instr(name, char(0)) > 0 LIMIT 1") is None:
            # each annotation's tag names in one value, NUL-separated (no tag name holds a NUL: checked just
            # above), so that a combination of tags is split and sorted once, not once per annotation
            joined: dict[str, str] = dict(
                self._conn.execute(
                    "SELECT at.annotation_id, group_concat(t.name, char(0)) FROM annotation_tags at "
                    f"JOIN tags t ON t.id = at.tag_id {joins} GROUP BY at.annotation_id",
                    params,
                ).fetchall()
            )
            combinations = {
                value: tuple(sorted(value.split("\x00"), key=_tag_sort_key)) for value in set(joined.values())
            }
            return rows, {a: combinations[value] for a, value in joined.items()}
        names: dict[str, list[str]] = {}
        for annotation_id, tag_name in self._conn.execute(
            f"SELECT at.annotation_id, t.name FROM annotation_tags at JOIN tags t ON t.id = at.tag_id {joins}",
            params,
        ):
            names.setdefault(annotation_id, []).append(tag_name)
        tags = {
            a: tuple(n) if len(n) == 1 else tuple(sorted(n, key=_tag_sort_key)) for a, n in names.items()
        }
        return rows, tags

    # ======================================================================================================
    # A second coder (the "two coders: agreement" issue). summit_reader.core.coders reads a colleague's file,
    # places their annotations in our texts and compares; here they are stored APART from the user's own
    # annotations (tables coder_annotations, coder_documents), with the disagreements the user resolved
    # (resolutions). Kept at the end of the class.

    _CODER_SQL = """
        SELECT c.id, c.name, c.source, c.imported_at,
            (SELECT count(*) FROM coder_annotations x WHERE x.coder_id = c.id) AS annotation_count,
            (SELECT count(*) FROM coder_annotations x WHERE x.coder_id = c.id AND x.status != 'ok') AS unplaced,
            (SELECT count(*) FROM coder_documents x WHERE x.coder_id = c.id) AS document_count
        FROM coders c
    """

    @staticmethod
    def _coder_row(row: sqlite3.Row) -> Coder:
        return Coder(
            id=int(row["id"]),
            name=row["name"],
            source=row["source"],
            imported_at=row["imported_at"],
            annotation_count=int(row["annotation_count"]),
            unplaced_count=int(row["unplaced"]),
            document_count=int(row["document_count"]),
        )

    def _find_coder(self, name: str) -> Coder | None:
        rows = self._rows(f"{self._CODER_SQL} WHERE c.name = ? COLLATE NOCASE", (" ".join(name.split()),))
        return self._coder_row(rows[0]) if rows else None

    @_guarded
    def list_coders(self) -> list[Coder]:
        """Every second coder, by name ignoring case."""
        return [self._coder_row(r) for r in self._rows(f"{self._CODER_SQL} ORDER BY c.name COLLATE NOCASE, c.id")]

    @_guarded
    def find_coder(self, name: str) -> Coder | None:
        """The second coder called ``name`` (ignoring case and repeated spaces), or None."""
        return self._find_coder(name)

    @_guarded
    def get_coder(self, name: str) -> Coder:
        found = self._find_coder(name)
        if found is None:
            raise NotFoundError(f"No second coder called '{name}'; `summit-reader coder list` shows them.")
        return found

    @_guarded
    def replace_coder(
        self,
        name: str,
        *,
        source: str,
        document_ids: Iterable[int],
        annotations: Sequence[CoderAnnotation],
    ) -> Coder:
        """Store a colleague's coding as the second coder ``name``, in one transaction: a new coder, or, if
        one has that name (ignoring case), its annotations and documents replaced (its resolutions stay:
        a disagreement that is still there is still resolved). ``document_ids`` are the documents of this
        library their file covers; each annotation must be in one of them."""
        clean = " ".join(name.replace("\x00", "").split())
        if not clean:
            raise InvalidInputError("A second coder needs a name.")
        documents = sorted({int(d) for d in document_ids})
        rows: list[tuple[Any, ...]] = []
        for a in annotations:
            _check_passage(a.start, a.end)
            if a.document_id not in documents:
                raise InvalidInputError(f"The annotation '{a.id}' is in a document the coding does not cover.")
            rows.append(
                (a.id, a.document_id, a.start, a.end, a.quote, a.note.replace("\x00", ""),
                 json.dumps(list(a.tags), ensure_ascii=False), a.author, a.created, a.modified, a.status)
            )
        with self.transaction():
            known = {int(i) for (i,) in self._conn.execute("SELECT id FROM documents").fetchall()}
            missing = [d for d in documents if d not in known]
            if missing:
                raise NotFoundError(f"No document with id {missing[0]}; `summit-reader list` shows the ids.")
            existing = self._find_coder(clean)
            now = utc_now()
            if existing is None:
                cursor = self._conn.execute(
                    "INSERT INTO coders (name, source, imported_at) VALUES (?, ?, ?)", (clean, source, now)
                )
                coder_id = int(cursor.lastrowid or 0)
            else:
                coder_id = existing.id
                self._conn.execute(
                    "UPDATE coders SET name = ?, source = ?, imported_at = ? WHERE id = ?", (clean, source, now, coder_id)
                )
                self._conn.execute("DELETE FROM coder_annotations WHERE coder_id = ?", (coder_id,))
                self._conn.execute("DELETE FROM coder_documents WHERE coder_id = ?", (coder_id,))
            self._conn.executemany(
                "INSERT INTO coder_documents (coder_id, document_id) VALUES (?, ?)", [(coder_id, d) for d in documents]
            )
            self._conn.executemany(
                'INSERT INTO coder_annotations (coder_id, id, document_id, start, "end", quote, note, tags, author, '
                "created, modified, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(coder_id, *row) for row in rows],
            )
            found = self._find_coder(clean)
            assert found is not None
            return found

    @_guarded
    def delete_coder(self, name: str) -> Coder:
        """Delete a second coder with their annotations and the resolutions recorded against them (the
        user's own annotations, including those taken from them, stay). Returns the coder as it was."""
        with self.transaction():
            coder = self.get_coder(name)
            self._conn.execute("DELETE FROM coders WHERE id = ?", (coder.id,))
            return coder

    @_guarded
    def coder_document_ids(self, coder_id: int) -> list[int]:
        """The documents a second coder's file covers, in the library's order (by date, then title)."""
        return [
            int(i)
            for (i,) in self._conn.execute(
                f"SELECT d.id FROM coder_documents c JOIN documents d ON d.id = c.document_id "
                f"WHERE c.coder_id = ? ORDER BY {self._DOC_ORDER}",
                (coder_id,),
            ).fetchall()
        ]

    @_guarded
    def list_coder_annotations(self, coder_id: int, *, document_id: int | None = None) -> list[CoderAnnotation]:
        """A second coder's annotations (of one document, or all) in reading order."""
        where, params = "a.coder_id = ?", [coder_id]
        if document_id is not None:
            where, params = where + " AND a.document_id = ?", [coder_id, document_id]
        rows = self._rows(
            f"""
            SELECT a.* FROM coder_annotations a JOIN documents d ON d.id = a.document_id
            WHERE {where} ORDER BY {self._DOC_ORDER}, a.start, a."end", a.id
            """,
            params,
        )
        out: list[CoderAnnotation] = []
        for r in rows:
            try:
                names = json.loads(r["tags"])
            except ValueError:
                names = []
            tags = tuple(str(n) for n in names) if isinstance(names, list) else ()
            out.append(
                CoderAnnotation(
                    id=r["id"], coder_id=int(r["coder_id"]), document_id=int(r["document_id"]), start=int(r["start"]),
                    end=int(r["end"]), quote=r["quote"], note=r["note"], author=r["author"], created=r["created"],
                    modified=r["modified"], tags=tags, status=r["status"],
                )
            )
        return out

    @_guarded
    def add_resolution(self, resolution: Resolution) -> Resolution:
        """Record how a disagreement was resolved; returns it with its id (``resolution.id`` is kept when it
        is not 0 and still free, so an undone resolution comes back as it was)."""
        r = resolution
        if r.action not in ("take", "keep", "remove"):
            raise InvalidInputError(f"Unknown resolution '{r.action}'; use take, keep or remove.")
        with self.transaction():
            columns = (
                "coder_id, key, action, document_id, tag, unit, start, \"end\", annotation_ids, resolved_at, resolved_by"
            )
            values: tuple[Any, ...] = (
                r.coder_id, r.key, r.action, r.document_id, r.tag, r.unit, r.start, r.end,
                json.dumps(list(r.annotation_ids)), r.resolved_at or utc_now(), r.resolved_by,
            )
            if r.id and self._scalar("SELECT 1 FROM resolutions WHERE id = ?", (r.id,)) is None:
                self._conn.execute(f"INSERT INTO resolutions (id, {columns}) VALUES (?, {', '.join('?' * len(values))})",
                                   (r.id, *values))
                new_id = r.id
            else:
                cursor = self._conn.execute(
                    f"INSERT INTO resolutions ({columns}) VALUES ({', '.join('?' * len(values))})", values
                )
                new_id = int(cursor.lastrowid or 0)
            return replace(r, id=new_id, resolved_at=values[9])

    @_guarded
    def delete_resolution(self, resolution_id: int) -> None:
        with self.transaction():
            self._conn.execute("DELETE FROM resolutions WHERE id = ?", (resolution_id,))

    @_guarded
    def list_resolutions(self, coder_id: int) -> list[Resolution]:
        """The resolutions recorded against a second coder, oldest first."""
        out: list[Resolution] = []
        for r in self._rows("SELECT * FROM resolutions WHERE coder_id = ? ORDER BY id", (coder_id,)):
            try:
                ids = json.loads(r["annotation_ids"])
            except ValueError:
                ids = []
            out.append(
                Resolution(
                    id=int(r["id"]), coder_id=int(r["coder_id"]), key=r["key"], action=r["action"],
                    document_id=int(r["document_id"]), tag=r["tag"], unit=r["unit"], start=int(r["start"]),
                    end=int(r["end"]), resolved_at=r["resolved_at"], resolved_by=r["resolved_by"],
                    annotation_ids=tuple(str(i) for i in ids) if isinstance(ids, list) else (),
                )
            )
        return out
