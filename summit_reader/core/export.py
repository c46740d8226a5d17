"""CSV exports that open correctly in a spreadsheet, and read back exactly.

* RFC 4180: comma-separated, ``"`` quoting where needed, records end with CRLF; UTF-8, optionally with a
  byte order mark (which Excel needs to recognise UTF-8).
* Formula injection: a text cell that a spreadsheet would run as a formula (it begins with ``= + - @``, a tab
  or a carriage return) gets a leading ``'``; so does a cell that begins with ``'`` itself, which makes
  :func:`restore_cell` an exact inverse. Plain numbers such as ``-0.5`` are left as they are.
* Tags go into one cell, separated by ``;`` (a literal ``;`` is written ``\\;`` and ``\\`` is written
  ``\\\\``), so :func:`split_tags` gives back exactly the names :func:`join_tags` was given.
* Writing to a path never leaves a half-written file: the CSV goes to a temporary file in the same folder,
  is flushed to disk, then replaces the destination in one step.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from summit_reader.core.errors import ExportError
from summit_reader.core.models import Annotation
from summit_reader.core.store import Library

ANNOTATION_COLUMNS: tuple[str, ...] = (
    "annotation_id",
    "document_id",
    "document_title",
    "document_date",
    "start",
    "end",
    "quote",
    "note",
    "tags",
    "author",
    "created",
    "modified",
    "status",
    "lexicon",
    # added after the first release (kept last, so older readers of the file still find their columns):
    # the SHA-256 of the document's text, which finds the document in another library (merge.py)
    "document_sha256",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
#: Largest cell read back (a quote can be a whole document); Python's default is 128 KiB.
_FIELD_LIMIT = 64 * 1024 * 1024


def neutralise_cell(value: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would treat as a formula (or that begins with ``'``)."""
    if value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """The inverse of :func:`neutralise_cell`: drop one leading ``'``."""
    return value[1:] if value.startswith("'") else value


def join_tags(tags: Iterable[str]) -> str:
    """Tag names in one cell: ``;``-separated, with ``\\`` and ``;`` escaped by a backslash.

    The one list the separators cannot tell apart from the empty list, ``[""]``, is written as a lone
    ``\\``, so ``split_tags(join_tags(x)) == list(x)`` for every list of strings."""
    names = list(tags)
    if names == [""]:
        return "\\"
    return ";".join(name.replace("\\", "\\\\").replace(";", "\\;") for name in names)


def split_tags(value: str) -> list[str]:
    """The tag names of a cell written by :func:`join_tags` (an empty cell has none)."""
    if value == "":
        return []
    if "\\" not in value:  # nothing escaped: the separators are every ";"
        return value.split(";")
    names: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == ";":
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    return names


def annotation_rows(
    library: Library,
    annotations: Iterable[Annotation] | None = None,
    *,
    document_id: int | None = None,
    lexicon: str = "",
) -> Iterator[list[str]]:
    """One row of :data:`ANNOTATION_COLUMNS` per annotation (no header; numbers as strings, cells not
    neutralised). ``annotations`` defaults to the library's, in reading order; ``document_id`` keeps only
    that document's."""
    documents = {summary.id: summary for summary in library.list_documents()}
    if annotations is None:
        # the whole library (or one document): plain rows straight from the store, no Annotation objects;
        # the cells of a document and of a tag combination are made once
        rows, tags = library.annotation_export_rows(document_id)
        doc_cells: dict[int, tuple[str, str, str, str]] = {}
        tag_cells: dict[tuple[str, ...], str] = {}
        for a_id, doc_id, start, end, quote, note, author, created, modified, status in rows:
            cells = doc_cells.get(doc_id)
            if cells is None:
                summary = documents.get(doc_id)
                cells = doc_cells[doc_id] = (
                    str(doc_id),
                    summary.title if summary else "",
                    (summary.date or "") if summary else "",
                    summary.text_hash if summary else "",
                )
            names = tags.get(a_id)
            tag_cell = ""
            if names is not None:
                tag_cell = tag_cells.get(names, "")
                if not tag_cell:
                    tag_cell = tag_cells[names] = join_tags(names)
            yield [a_id, cells[0], cells[1], cells[2], str(start), str(end), quote, note, tag_cell, author,
                   created, modified, status, lexicon, cells[3]]
        return
    for annotation in annotations:
        if document_id is not None and annotation.document_id != document_id:
            continue
        summary = documents.get(annotation.document_id)
        yield [
            annotation.id,
            str(annotation.document_id),
            summary.title if summary else "",
            (summary.date or "") if summary else "",
            str(annotation.start),
            str(annotation.end),
            annotation.quote,
            annotation.note,
            join_tags(annotation.tags),
            annotation.author,
            annotation.created,
            annotation.modified,
            annotation.status,
            lexicon,
            summary.text_hash if summary else "",
        ]


#: First characters of a cell that may need a leading "'" (see neutralise_cell).
_FORMULA_FIRST = frozenset(_FORMULA_STARTS)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_cell(value)
    if isinstance(value, (bool, int, float)):
        return str(value)
    return neutralise_cell(str(value))


def _write_rows(stream: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    writer = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_cell(name) for name in header])
    count = 0
    cell, first, write = _cell, _FORMULA_FIRST, writer.writerow
    for row in rows:
        # a plain string that cannot be a formula is written as it is (most cells; no call per cell)
        write([v if v.__class__ is str and v[:1] not in first else cell(v) for v in row])
        count += 1
    return count


def fsync_path(path: Path, *, folder: bool = False) -> None:
    """Flush a file, or a folder after a rename, to disk (a folder is a no-op where it cannot be opened:
    Windows). Errors are ignored: the data itself was already written and flushed."""
    if folder and os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_file_atomically(path: Path, encoding: str, write: Callable[[TextIO], int]) -> int:
    name = f"'{path.name}'"
    folder = path.parent
    if "\x00" in str(path):
        raise ExportError(f"Cannot write {name.replace(chr(0), '')}: it is not a valid file name (it holds a NUL character).")
    if path.is_dir():
        raise ExportError(f"'{path}' is a folder; choose a file name for the export.")
    if not folder.is_dir():
        raise ExportError(f"Cannot write {name}: the folder '{folder}' does not exist.")
    if path.exists() and not os.access(path, os.W_OK):
        raise ExportError(f"Cannot write {name}: the file is read-only.")
    tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        handle = open(tmp, "x", encoding=encoding, newline="")
    except PermissionError:
        raise ExportError(f"Cannot write {name}: the folder '{folder}' is read-only.") from None
    except OSError as exc:
        raise ExportError(f"Cannot write {name}: {exc.strerror or exc}.") from None
    try:
        with handle:
            count = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        try:
            os.replace(tmp, path)
        except PermissionError:
            raise ExportError(
                f"Cannot replace {name}: permission denied (is it open in another program?)."
            ) from None
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise ExportError(f"Cannot write {name}: {exc.strerror or exc}.") from None
        if isinstance(exc, csv.Error):
            raise ExportError(f"Cannot write {name}: {exc}.") from None
        raise
    fsync_path(folder, folder=True)
    return count


def write_table_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    destination: str | Path | TextIO,
    *,
    bom: bool = False,
) -> int:
    """Write ``header`` then ``rows`` as CSV; return the number of rows (header excluded).

    Strings are neutralised against formula injection; ``None`` is written as an empty cell; ints and
    floats with ``str()`` (format floats yourself for a fixed number of decimals). ``destination`` is a
    path (written atomically, UTF-8, with a BOM if ``bom``) or an open text stream (opened with
    ``newline=""``; with ``bom`` a U+FEFF is written first)."""
    if isinstance(destination, (str, os.PathLike)):
        return _write_file_atomically(
            Path(destination), "utf-8-sig" if bom else "utf-8", lambda fh: _write_rows(fh, header, rows)
        )
    try:
        if bom:
            destination.write("\ufeff")
        return _write_rows(destination, header, rows)
    except (OSError, csv.Error) as exc:
        raise ExportError(f"Cannot write the export: {exc}.") from None


def write_annotations_csv(
    library: Library,
    destination: str | Path | TextIO,
    *,
    annotations: Iterable[Annotation] | None = None,
    document_id: int | None = None,
    bom: bool = False,
    lexicon: str = "",
) -> int:
    """Write annotations as CSV with the :data:`ANNOTATION_COLUMNS` header; return the number of rows."""
    rows = annotation_rows(library, annotations, document_id=document_id, lexicon=lexicon)
    return write_table_csv(ANNOTATION_COLUMNS, rows, destination, bom=bom)


def read_annotations_csv(source: str | Path | TextIO) -> list[dict[str, str]]:
    """Read a CSV written by :func:`write_annotations_csv` (with or without BOM) into one dict per row,
    keyed by column name, with neutralised cells restored. Tags stay joined: use :func:`split_tags`."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = f"'{path.name}'"
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise ExportError(f"{name} does not exist ({path}).") from None
        except IsADirectoryError:
            raise ExportError(f"{name} is a folder, not a CSV file.") from None
        except UnicodeDecodeError as exc:
            raise ExportError(
                f"{name} is not UTF-8 text (undecodable byte at position {exc.start})."
            ) from None
        except OSError as exc:
            raise ExportError(f"{name} cannot be read: {exc.strerror or exc}.") from None
        except ValueError:  # a NUL character in the path
            raise ExportError(f"{name} cannot be read: it is not a valid file name.") from None
    else:
        name = "The CSV"
        text = source.read()
        text = text.removeprefix("\ufeff")
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    try:
        records = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as exc:
        raise ExportError(f"{name} is not a valid CSV file ({exc}).") from None
    if not records or "annotation_id" not in records[0]:
        raise ExportError(
            f"{name} is not a Summit Reader annotation export (it has no annotation_id column)."
        )
    header = [restore_cell(cell) for cell in records[0]]
    width = len(header)
    out: list[dict[str, str]] = []
    for row in records[1:]:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        # restore_cell, inline (this runs for every cell of a large file)
        out.append(dict(zip(header, [c[1:] if c[:1] == "'" else c for c in row], strict=False)))  # extra cells: ignored
    return out
