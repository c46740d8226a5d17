"""Backups of the library, made with SQLite's online backup API and kept in the user data folder.

* :func:`backup_folder` is ``backups`` in the user data folder (Linux ``~/.local/share/summit-reader/backups``),
  or ``$SUMMIT_READER_BACKUP_DIR``. Each library has its own sub-folder there, named after the library file
  and a short hash of its full path, so two libraries that are both called ``library.sqlite3`` never list,
  prune or restore each other's backups.
* A backup is ``<library-stem>-YYYYMMDD-HHMMSS.sqlite3`` (UTC): a complete, self-contained SQLite file (no
  ``-wal`` beside it), written to a temporary file, checked with ``PRAGMA quick_check`` and only then renamed
  into place, so a backup that is listed is whole. Only the last ``keep`` backups of a library are kept;
  a failed backup never prunes the good ones.
* :func:`startup_backup` is what the window calls once it is up: at most one backup a day.
* Backups are read with read-only, immutable connections: listing them never changes them, and a damaged
  one is listed as damaged instead of failing the list.
* :func:`restore_backup` first keeps a copy of the library as it is (a raw copy when it is damaged, so even a
  damaged library is never lost), then replaces the library in one rename. The library must not be open:
  close your :class:`~summit_reader.core.store.Library` first; an open one in another window or program is
  detected and the restore refused.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import os
import re
import secrets
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from summit_reader.core import store
from summit_reader.core.errors import SchemaTooNewError, StoreError
from summit_reader.core.export import fsync_path
from summit_reader.core.store import APPLICATION_ID, Library

ENV_VAR = "SUMMIT_READER_BACKUP_DIR"

#: How many backups of each library are kept.
DEFAULT_KEEP = 10

#: The start-up backup is made when the newest backup is at least this old.
DEFAULT_INTERVAL = _dt.timedelta(days=1)

_STAMP = "%Y%m%d-%H%M%S"
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BackupInfo:
    """One backup file as :func:`list_backups` finds it. Counts are ``None`` when the file is damaged."""

    path: Path
    created: _dt.datetime  # UTC
    annotation_count: int | None
    document_count: int | None
    size: int  # bytes
    schema_version: int | None = None
    problem: str | None = None  # why it cannot be restored, in plain words; None when it can

    @property
    def damaged(self) -> bool:
        return self.problem is not None


def backup_folder() -> Path:
    """``$SUMMIT_READER_BACKUP_DIR`` if it is set, else ``backups`` in the user data folder."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path("summit-reader", appauthor=False) / "backups"


def library_backup_folder(library_path: str | Path, folder: str | Path | None = None) -> Path:
    """The folder that holds the backups of one library: ``<folder>/<stem>-<hash of its full path>``."""
    path = Path(library_path).expanduser()
    try:
        full = path.resolve()
    except (OSError, RuntimeError):
        full = path.absolute()
    digest = hashlib.sha256(os.path.normcase(str(full)).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    base = Path(folder).expanduser() if folder is not None else backup_folder()
    return base / f"{_safe_stem(path)}-{digest}"


def _safe_stem(path: Path) -> str:
    return re.sub(r"[^\w.-]+", "_", path.stem).strip("._") or "library"


def _now(now: _dt.datetime | None) -> _dt.datetime:
    if now is None:
        return _dt.datetime.now(_dt.timezone.utc)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (with a time zone)")
    return now.astimezone(_dt.timezone.utc)


def _created_from_name(path: Path, stem: str | None = None) -> _dt.datetime | None:
    prefix = re.escape(stem) if stem is not None else r".+"
    match = re.fullmatch(rf"{prefix}-(\d{{8}}-\d{{6}})(?:-\d+)?\.sqlite3", path.name)
    if not match:
        return None
    try:
        return _dt.datetime.strptime(match.group(1), _STAMP).replace(tzinfo=_dt.timezone.utc)
    except ValueError:
        return None


def _backups_in(folder: Path, stem: str) -> list[tuple[_dt.datetime, Path]]:
    """(created, path) of the backup files in ``folder``, oldest first."""
    try:
        candidates = list(folder.iterdir())
    except OSError:
        return []
    found = []
    for candidate in candidates:
        created = _created_from_name(candidate, stem)
        if created is not None and candidate.is_file():
            found.append((created, candidate))
    return sorted(found)


def _uri(path: Path, *, immutable: bool = False) -> str:
    return f"{path.absolute().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")


def _backup_uri(path: Path) -> str:
    """Read-only and immutable (nothing is created beside it) — unless a ``-wal`` with changes lies beside it
    (a library file picked as a backup), which only a connection that reads the log sees."""
    wal = path.with_name(path.name + "-wal")
    try:
        has_log = wal.stat().st_size > 0
    except OSError:
        has_log = False
    return _uri(path, immutable=not has_log)


def _remove(path: Path) -> None:
    for victim in (path, *(path.with_name(path.name + side) for side in _SIDE_FILES)):
        with contextlib.suppress(OSError):
            victim.unlink()


def _free_name(folder: Path, stem: str, created: _dt.datetime) -> Path:
    target = folder / f"{stem}-{created.strftime(_STAMP)}.sqlite3"
    counter = 2
    while target.exists():
        target = folder / f"{stem}-{created.strftime(_STAMP)}-{counter}.sqlite3"
        counter += 1
    return target


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Cannot create the backup folder '{folder}': {exc.strerror or exc}.") from None


def _copy_database(source: str, target: Path, *, what: str) -> None:
    """Copy an SQLite database (``source`` is a URI) to ``target`` with the online backup API, as a
    rollback-journal file, checked page by page. ``target`` is removed again if anything fails."""
    try:
        src = sqlite3.connect(source, uri=True, timeout=store.BUSY_TIMEOUT_MS / 1000)
        try:
            dest = sqlite3.connect(str(target), isolation_level=None)
            try:
                src.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE").fetchall()  # one self-contained file
                problems = [str(row[0]) for row in dest.execute("PRAGMA quick_check").fetchall()]
                app_id = int(dest.execute("PRAGMA application_id").fetchone()[0])
            finally:
                dest.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        _remove(target)
        low = str(exc).lower()
        if "malformed" in low or "not a database" in low or "corrupt" in low:
            raise StoreError(f"{what[0].upper()}{what[1:]} is damaged ({exc}); no copy was made.") from None
        raise StoreError(f"Could not copy {what} ({exc}).") from None
    except BaseException:
        _remove(target)
        raise
    if problems != ["ok"]:
        _remove(target)
        raise StoreError(f"{what[0].upper()}{what[1:]} is damaged ({problems[0]}); no copy was made.")
    if app_id != APPLICATION_ID:
        _remove(target)
        raise StoreError(f"{what[0].upper()}{what[1:]} is not a Summit Reader library; no copy was made.")
    fsync_path(target)


def _prune(folder: Path, stem: str, keep: int) -> None:
    backups = _backups_in(folder, stem)
    for _created, old in backups[: max(0, len(backups) - keep)]:
        _remove(old)


def backup_library(
    library_or_path: Library | str | Path,
    *,
    folder: str | Path | None = None,
    keep: int = DEFAULT_KEEP,
    min_interval: _dt.timedelta | None = DEFAULT_INTERVAL,
    now: _dt.datetime | None = None,
) -> Path | None:
    """Back the library up into its backup folder; return the new file, or ``None`` when the newest backup
    is less than ``min_interval`` old (``None`` or zero: always back up). Keeps the last ``keep`` backups.

    The library is read through its own read-only connection, so a :class:`Library` may stay open (in this
    process or another) and may even be written to meanwhile: the backup is one consistent snapshot.
    Raises :class:`StoreError` if the library is missing, damaged or not a library, or the copy fails."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    path = library_or_path.path if isinstance(library_or_path, Library) else Path(library_or_path).expanduser()
    if not path.is_file():
        raise StoreError(f"There is no library '{path.name}' to back up ({path}).")
    when = _now(now)
    target_folder = library_backup_folder(path, folder)
    stem = _safe_stem(path)
    existing = _backups_in(target_folder, stem)
    if min_interval and existing:
        age = when - existing[-1][0]
        if _dt.timedelta(0) <= age < min_interval:
            return None
    _make_folder(target_folder)
    target = _free_name(target_folder, stem, when)
    tmp = target_folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    _copy_database(_uri(path), tmp, what=f"the library '{path.name}'")
    try:
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise StoreError(f"Could not save the backup '{target.name}': {exc.strerror or exc}.") from None
    fsync_path(target_folder, folder=True)
    _prune(target_folder, stem, keep)
    return target


def startup_backup(
    library_path: str | Path,
    *,
    folder: str | Path | None = None,
    keep: int = DEFAULT_KEEP,
    now: _dt.datetime | None = None,
) -> Path | None:
    """The start-up backup: at most one a day, the last ``keep`` kept. Returns the new backup, or ``None``
    when today's backup exists already. Raises :class:`StoreError` when it fails (show it without
    blocking: the library itself is fine). The window calls this once it is up, off the UI thread."""
    return backup_library(library_path, folder=folder, keep=keep, min_interval=DEFAULT_INTERVAL, now=now)


def inspect_backup(path: str | Path) -> BackupInfo:
    """What a backup file holds, read without changing it. Never raises for a bad file: its ``problem``
    says what is wrong (damaged, not a library, written by a newer Summit Reader, unreadable)."""
    p = Path(path).expanduser()
    try:
        stat = p.stat()
    except OSError as exc:
        return BackupInfo(p, _dt.datetime.fromtimestamp(0, _dt.timezone.utc), None, None, 0,
                          problem=f"it cannot be read ({exc.strerror or exc})")
    created = _created_from_name(p) or _dt.datetime.fromtimestamp(stat.st_mtime, _dt.timezone.utc)

    def bad(problem: str, version: int | None = None) -> BackupInfo:
        return BackupInfo(p, created, None, None, stat.st_size, version, problem)

    if not p.is_file():
        return bad("it is not a file")
    try:
        with p.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        return bad(f"it cannot be read ({exc.strerror or exc})")
    if not header.startswith(b"SQLite format 3\x00"):
        return bad("it is not a Summit Reader library (not an SQLite database)")
    try:
        conn = sqlite3.connect(_backup_uri(p), uri=True)
    except sqlite3.Error as exc:
        return bad(f"it cannot be opened ({exc})")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if int(conn.execute("PRAGMA application_id").fetchone()[0]) != APPLICATION_ID:
            return bad("it is not a Summit Reader library", version)
        if version > store.SCHEMA_VERSION:
            return bad(f"it was written by a newer version of Summit Reader (schema {version})", version)
        problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            return bad(f"it is damaged ({problems[0].splitlines()[0]})", version)
        import sqlite_utils  # inspection only: kept off the window's start-up path (it loads numpy)

        db = sqlite_utils.Database(conn)
        annotations = int(db.table("annotations").count)
        documents = int(db.table("documents").count)
    except sqlite3.Error as exc:
        return bad(f"it is damaged ({exc})")
    finally:
        conn.close()
    return BackupInfo(p, created, annotations, documents, stat.st_size, version)


def list_backups(library_path: str | Path, folder: str | Path | None = None) -> list[BackupInfo]:
    """The backups of a library, newest first, with their dates and counts (damaged ones included, marked)."""
    path = Path(library_path).expanduser()
    found = _backups_in(library_backup_folder(path, folder), _safe_stem(path))
    return [inspect_backup(p) for _created, p in reversed(found)]


def _in_use(path: Path) -> bool:
    """Whether another connection (a window, a command, another program) has the library open.

    In WAL mode every open connection holds a shared lock on the file, so an exclusive lock is granted only
    when nobody else has it open. Only called on a valid library (a damaged one cannot be open in Summit
    Reader, and a rw connection on it could checkpoint its log into it)."""
    try:
        conn = sqlite3.connect(str(path), timeout=0.2, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"The library '{path.name}' cannot be opened ({exc}). Nothing was changed.") from None
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        low = str(exc).lower()
        if "locked" in low or "busy" in low:
            return True
        raise StoreError(f"The library '{path.name}' cannot be checked ({exc}). Nothing was changed.") from None
    finally:
        conn.close()
    return False


def _raw_copy(path: Path, folder: Path, when: _dt.datetime) -> Path:
    """Copy a library that SQLite cannot read, byte for byte, with its ``-wal`` beside the copy."""
    _make_folder(folder)
    target = _free_name(folder, _safe_stem(path), when)
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        wal = path.with_name(path.name + "-wal")
        if wal.is_file():
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        if path.is_file():
            shutil.copyfile(path, tmp)
        else:  # only the log is left: keep it, beside an empty file that is listed as damaged
            tmp.touch()
        fsync_path(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        _remove(target)
        raise StoreError(
            f"Could not keep a copy of the library '{path.name}' before restoring: {exc.strerror or exc}. "
            "Nothing was changed."
        ) from None
    fsync_path(folder, folder=True)
    return target


def restore_backup(
    backup: str | Path,
    library_path: str | Path,
    *,
    folder: str | Path | None = None,
    now: _dt.datetime | None = None,
) -> Path | None:
    """Replace the library with a backup. Returns the copy of the library as it was before (kept among its
    backups), or ``None`` when there was no library file.

    Close your :class:`Library` on this file first. The backup is checked before anything happens; then the
    current library is copied (with the backup API, or byte for byte when it is damaged, so nothing is lost
    even then); then the backup replaces it in one rename. Raises :class:`StoreError` (and changes nothing)
    when the backup is damaged or from a newer Summit Reader, or the library is open somewhere else."""
    source = Path(backup).expanduser()
    library = Path(library_path).expanduser()
    info = inspect_backup(source)
    if info.problem is not None:
        error = SchemaTooNewError if "newer version" in info.problem else StoreError
        raise error(f"The backup '{source.name}' cannot be restored: {info.problem}.")
    if library.is_dir():
        raise StoreError(f"'{library}' is a folder, not a library file.")
    with contextlib.suppress(OSError):
        if source.resolve() == library.resolve():
            raise StoreError(f"'{source.name}' is the library itself, not a backup of it.")
    if not library.parent.is_dir():
        raise StoreError(f"Cannot restore to '{library}': the folder '{library.parent}' does not exist.")
    when = _now(now)

    tmp = library.with_name(f".{library.name}.restore-{secrets.token_hex(4)}.tmp")
    _copy_database(_backup_uri(source), tmp, what=f"the backup '{source.name}'")
    try:
        safety: Path | None = None
        exists = library.exists() or library.with_name(library.name + "-wal").exists()
        if exists:
            if _library_problem(library) is None:
                if _in_use(library):
                    raise StoreError(
                        f"The library '{library.name}' is open in a window or another program; close it there, "
                        "then restore the backup. Nothing was changed."
                    )
                # No pruning here (it could remove the backup being restored): the next backup prunes.
                safety = backup_library(library, folder=folder, keep=1 << 30, min_interval=None, now=when)
            else:
                safety = _raw_copy(library, library_backup_folder(library, folder), when)
        # The old log and index belong to the old file: left beside the restored one, SQLite would apply them.
        for side in _SIDE_FILES:
            with contextlib.suppress(FileNotFoundError):
                library.with_name(library.name + side).unlink()
        os.replace(tmp, library)
    except OSError as exc:
        _remove(tmp)
        raise StoreError(f"Could not restore '{library.name}': {exc.strerror or exc}.") from None
    except BaseException:
        _remove(tmp)
        raise
    fsync_path(library.parent, folder=True)
    return safety


def _library_problem(path: Path) -> str | None:
    """Why the library file cannot be used, in plain words, or ``None`` when it is a sound library.
    Reads through a read-only connection: the file and its log are left exactly as they are."""
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if not header.startswith(b"SQLite format 3\x00"):
        return "it is not an SQLite database"
    try:
        conn = sqlite3.connect(_uri(path), uri=True, timeout=store.BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        return f"it cannot be opened ({exc})"
    try:
        if int(conn.execute("PRAGMA application_id").fetchone()[0]) != APPLICATION_ID:
            return "it is not a Summit Reader library"
        problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            return f"it is damaged ({problems[0].splitlines()[0]})"
    except sqlite3.Error as exc:
        return f"it is damaged ({exc})"
    finally:
        conn.close()
    return None

