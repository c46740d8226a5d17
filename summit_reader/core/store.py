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
import getpass
import os
import re
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

import platformdirs
import sqlite_utils

from summit_reader.core.documents import Document, text_hash, validate_date
from summit_reader.core.errors import (
    DuplicateDocumentError,
    InvalidInputError,
    NotFoundError,
    SchemaTooNewError,
    StoreError,
)
from summit_reader.core.models import Annotation, DocumentSummary, Tag

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

#: (version, SQL script). Append new migrations; never edit one that has shipped.
MIGRATIONS: list[tuple[int, str]] = [(1, _MIGRATION_1)]

SCHEMA_VERSION: int = 1


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
        self._check_path()
        conn = self._connect()
        try:
            version = self._validate(conn)
            self._configure(conn)
            self._conn = conn
            self._db = sqlite_utils.Database(conn, execute_plugins=False)
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
        if not _is_writable(parent):
            raise StoreError(
                f"The folder '{parent}' is read-only; Summit Reader needs to write the library {name} "
                "and its journal files there. Choose a library in a folder you can write to."
            )

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                str(self.path),
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

    def _validate(self, conn: sqlite3.Connection) -> int:
        """Check the file is a library this version can use, without writing to it. Returns its version."""
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
            problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
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
            conn.execute("PRAGMA journal_mode = WAL").fetchall()
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreError(f"The library '{self._name}' cannot be opened ({exc}).") from None

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
            return f"There is no space left on the disk to save the library {name}."
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
        known = {tag.name.casefold(): tag for tag in self._all_tags()}
        result: list[Tag] = []
        seen: set[str] = set()
        for raw in names:
            name = _clean_tag_name(raw)
            key = name.casefold()
            if not name or key in seen:
                continue
            seen.add(key)
            tag = known.get(key)
            if tag is None:
                tag = self._insert_tag(name, self._next_colour())
                known[key] = tag
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
        for value in (start, end):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInputError(f"Passage offsets must be whole numbers, not {value!r}.")
        with self.transaction():
            doc = self.get_document(document_id)
            text = doc.text
            if not 0 <= start < end <= len(text):
                raise InvalidInputError(
                    f"{start}–{end} is not a passage of '{doc.title}': the start must be at least 0, "
                    f"the end after the start, and neither beyond the text's {len(text)} characters."
                )
            now = utc_now()
            annotation_id = str(uuid.uuid4())
            who = author.strip() if author is not None and author.strip() else self.author
            self._db.table("annotations").insert(
                {
                    "id": annotation_id,
                    "document_id": document_id,
                    "start": start,
                    "end": end,
                    "quote": text[start:end],
                    "prefix": text[max(0, start - PREFIX_CHARS) : start],
                    "suffix": text[end : end + PREFIX_CHARS],
                    "note": note.replace("\x00", ""),
                    "author": who,
                    "created": now,
                    "modified": now,
                    "status": "ok",
                }
            )
            self._set_tags(annotation_id, tags)
            return self._load_annotation(annotation_id)

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
        try:
            return getpass.getuser() or "unknown"
        except Exception:  # getuser raises OSError, KeyError or ImportError depending on the platform
            return "unknown"

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
