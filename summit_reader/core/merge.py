"""Merging a colleague's annotations: read a CSV written by :func:`~summit_reader.core.export.write_annotations_csv`
(in another library) and add its annotations to this library, in one transaction.

Rules:

* **Which document.** A row's document is the one whose text has the row's ``document_sha256`` (the
  SHA-256 of the normalised text, as every library computes it); without it (an export from before that
  column) or when no text matches, the one document with the row's title and date. Rows whose document is
  not in the library are left out and counted (``unmatched``), with one message per missing document.
* **Same annotation.** An annotation id already in the library is the same annotation: the row's note,
  tags and status replace ours when its ``modified`` time is later (``updated``), else ours is kept
  (``unchanged``). Its passage stays where ours is.
* **New annotation.** Inserted with its id, creation and modification times, author, note and tags
  (missing tags are created). Its quote must be at its offsets in our text; else, when the quote occurs
  exactly once in our text, it is placed there; else it is inserted with status ``needs_review`` (its
  quote and offsets kept as a hint), for the user to place.
* **All or nothing.** A file that is not an annotation export, or a row that cannot be read (no id, offsets
  that are not numbers, an unknown status), raises :class:`~summit_reader.core.errors.ExportError` naming
  the row, and the library is left as it was. Everything else is written in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import eq, itemgetter, lt
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

from summit_reader.core.anchoring import clamp_span
from summit_reader.core.cycles import without_cycle_collection
from summit_reader.core.errors import ExportError
from summit_reader.core.export import (
    read_annotation_columns,
    restore_cell,
    restore_column,
    split_tags,
)
from summit_reader.core.models import Annotation, DocumentSummary
from summit_reader.core.store import PREFIX_CHARS, Library

STATUSES = ("ok", "needs_review")
#: Columns read as written, each checked or restored by merge_annotations_csv itself: a whole column at once
#: (offsets that int() reads, statuses that are all known, cannot begin with "'"), or each distinct value
#: once (a document, a tag combination), or not at all (unused).
_AS_WRITTEN = ("start", "end", "status", "document_sha256", "document_title", "document_date", "tags",
               "document_id", "lexicon")
T = TypeVar("T")
_REQUIRED = ("annotation_id", "start", "end", "quote")


@dataclass(frozen=True)
class MergeResult:
    added: int
    updated: int
    unchanged: int
    unmatched: int
    #: One line per document that is not in the library, and per annotation that needs review.
    messages: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged + self.unmatched


def place_quote(text: str, start: int, end: int, quote: str) -> tuple[int, int] | None:
    """Where the quote is in ``text``: at ``start``:``end``, else its one occurrence; None otherwise.
    (Also used for a second coder's annotations: summit_reader.core.coders.)"""
    if quote and text[start:end] == quote:
        return start, end
    if not quote:
        return None
    first = text.find(quote)
    if first < 0 or text.find(quote, first + 1) >= 0:
        return None
    return first, first + len(quote)


class DocumentFinder:
    """Which document of this library an annotation from another library belongs to: the one whose text has
    the SHA-256 ``sha`` (the first, if the text is there twice); else the one document with its title and
    date. (Also used for a second coder's annotations: summit_reader.core.coders.)"""

    def __init__(self, summaries: Iterable[DocumentSummary]) -> None:
        self._by_hash: dict[str, int] = {}
        self._by_title: dict[tuple[str, str], list[int]] = {}
        for s in summaries:
            self._by_hash.setdefault(s.text_hash, s.id)
            self._by_title.setdefault((s.title, s.date or ""), []).append(s.id)

    def find(self, sha: str, title: str, date: str) -> int | None:
        doc_id = self._by_hash.get(sha.strip().lower()) if sha.strip() else None
        if doc_id is None:
            candidates = self._by_title.get((title, date or ""), [])
            doc_id = candidates[0] if len(candidates) == 1 else None
        return doc_id


def _check_rows(name: str, columns: Mapping[str, Sequence[str]], count: int) -> tuple[list[int], list[int]]:
    """The rows' offsets, checked row by row (offsets and statuses as written, restored here): raises
    :class:`ExportError` naming the first row that cannot be read (the checks of whole columns in
    :func:`merge_annotations_csv` found one, or a cell that begins with "'")."""
    blank = ("",) * count
    ids, statuses = columns["annotation_id"], columns.get("status", blank)
    starts_in, ends_in = columns.get("start", blank), columns.get("end", blank)
    starts: list[int] = []
    ends: list[int] = []
    for number, (annotation_id, start_cell, end_cell, status) in enumerate(
        zip(ids, starts_in, ends_in, statuses, strict=True), start=2  # row 1 is the header
    ):
        start_cell, end_cell, status = restore_cell(start_cell), restore_cell(end_cell), restore_cell(status)
        if not annotation_id.strip():
            raise ExportError(f"{name}, row {number}: the annotation has no id.")
        try:
            start, end = int(start_cell), int(end_cell)
        except ValueError:
            raise ExportError(
                f"{name}, row {number}: the offsets {start_cell!r}–{end_cell!r} are not whole numbers."
            ) from None
        if not 0 <= start < end:
            raise ExportError(f"{name}, row {number}: {start}–{end} is not a passage.")
        if (status or "ok") not in STATUSES:
            raise ExportError(f"{name}, row {number}: unknown status {status!r} (expected ok or needs_review).")
        starts.append(start)
        ends.append(end)
    return starts, ends


def _take(column: Sequence[T], rows: Sequence[int]) -> Sequence[T]:
    """The cells of ``column`` at ``rows`` (the column itself when ``rows`` is all of them, in order)."""
    if isinstance(rows, range) and rows == range(len(column)):
        return column
    if len(rows) > 1:
        taken: tuple[T, ...] = itemgetter(*rows)(column)
        return taken
    return [column[i] for i in rows]


@without_cycle_collection()
def merge_annotations_csv(library: Library, source: str | Path | TextIO) -> MergeResult:
    """Merge the annotations of an annotation CSV export into ``library`` (rules in the module doc).

    A merge of 100,000 annotations must take at most twice as long as inserting the same rows with
    ``executemany`` (docs/performance.md), so the file is handled a column at a time, with C-level
    ``map``/``zip`` and one check for a whole column; rows are looked at one by one only where a column
    says something is unusual (a row that cannot be read, a document that is not here, an id that is in
    the file twice or already in the library, a quote not at its offsets)."""
    count, columns = read_annotation_columns(source, as_written=_AS_WRITTEN)
    name = f"'{Path(source).name}'" if isinstance(source, (str, Path)) else "The CSV"
    header = set(columns) if count else set()
    missing = [c for c in _REQUIRED if count and c not in header]
    if missing:
        raise ExportError(f"{name} has no {', '.join(missing)} column; it is not a Summit Reader annotation export.")
    if count and "document_sha256" not in header and "document_title" not in header:
        raise ExportError(f"{name} does not say which document each annotation belongs to (no document columns).")
    blank: Sequence[str] = ("",) * count

    # -- every row readable (else the row-by-row check names the first that is not)
    ids: Sequence[str] = list(map(str.strip, columns["annotation_id"]))
    status_cells = columns.get("status", blank)
    known = set(status_cells) <= {"", *STATUSES}
    if not known:
        status_cells = restore_column(status_cells)
        known = set(status_cells) <= {"", *STATUSES}
    readable = known and all(ids)
    try:  # int() refuses a cell that begins with "'": these need no restoring when it reads them all
        starts: list[int] = list(map(int, columns.get("start", blank))) if readable else []
        ends: list[int] = list(map(int, columns.get("end", blank))) if readable else []
    except ValueError:
        readable = False
    if not (readable and (not starts or min(starts) >= 0) and all(map(lt, starts, ends))):
        starts, ends = _check_rows(name, columns, count)
    statuses: Sequence[str] = [s or "ok" for s in status_cells] if "" in status_cells else status_cells

    # From here on in one write transaction: what is in the library (documents, ids, times) cannot change
    # between being read and the insert (two merges of one file at once: the second waits, then finds
    # every annotation there already, instead of failing on a duplicate id).
    with library.bulk_transaction(count):
        # -- which document: each (sha, title, date) looked up once
        finder = DocumentFinder(library.list_documents())
        shas, titles, dates = (
            columns.get(c, blank) for c in ("document_sha256", "document_title", "document_date")
        )
        keys: Sequence[tuple[str, str, str]]
        if count and shas.count(shas[0]) == titles.count(titles[0]) == dates.count(dates[0]) == count:
            keys = [(shas[0], titles[0], dates[0])] * count  # one document (the usual file)
        else:
            keys = list(zip(shas, titles, dates, strict=True))
        restored = {key: tuple(map(restore_cell, key)) for key in dict.fromkeys(keys)}
        found = {key: finder.find(sha.strip().lower(), title, date) for key, (sha, title, date) in restored.items()}
        doc_ids = [found[keys[0]]] * count if len(found) == 1 else list(map(found.__getitem__, keys))
        unmatched = 0
        absent: dict[str, int] = {}  # missing document → rows
        if None in found.values():
            for key, doc_id in zip(keys, doc_ids, strict=True):
                if doc_id is None:
                    unmatched += 1
                    sha, title, date = restored[key]
                    sha = sha.strip().lower()
                    label = f"“{title}”" + (f" ({date})" if date else "") if title else f"the text {sha[:12]}…"
                    absent[label] = absent.get(label, 0) + 1

        # -- the latest version of each id in the file wins (a later row on a tie)
        modified = columns.get("modified", blank)
        if "" in modified:
            modified = [m or c for m, c in zip(modified, columns.get("created", blank), strict=True)]
        rows: Sequence[int] = range(count)
        if unmatched or len(set(ids)) != count:
            latest: dict[str, int] = {}
            for i in range(count):
                if doc_ids[i] is None:
                    continue
                previous = latest.get(ids[i])
                if previous is None or modified[i] >= modified[previous]:
                    latest[ids[i]] = i
            rows = list(latest.values())

        # -- an id that is in the library already: the newer version wins
        existing = library.annotation_modified_times(_take(ids, rows))
        changed: list[Annotation] = []
        unchanged = 0
        if existing:
            new_rows: list[int] = []
            for i in rows:
                current = existing.get(ids[i])
                if current is None:
                    new_rows.append(i)
                elif modified[i] <= current:
                    unchanged += 1
                else:
                    changed.append(
                        Annotation(
                            id=ids[i],
                            document_id=doc_ids[i] or 0,
                            start=starts[i],
                            end=ends[i],
                            quote=columns["quote"][i],
                            prefix="",
                            suffix="",
                            note=columns.get("note", blank)[i],
                            author=columns.get("author", blank)[i],
                            created=columns.get("created", blank)[i] or modified[i],
                            modified=modified[i],
                            tags=tuple(split_tags(restore_cell(columns.get("tags", blank)[i]))),
                            status=statuses[i],
                        )
                    )
            rows = new_rows

        new, tags, review = _new_annotations(library, columns, rows, ids, doc_ids, starts, ends, statuses, modified)
        added = library.insert_annotation_rows(new, tags)
        updated = library.update_annotation_contents(changed)

    messages = [
        f"{label} is not in this library: {rows_left} annotation{'s' if rows_left != 1 else ''} left out."
        for label, rows_left in absent.items()
    ]
    if review:
        messages.append(
            f"{review} annotation{'s' if review != 1 else ''} could not be placed in our text and "
            f"{'need' if review != 1 else 'needs'} review."
        )
    return MergeResult(added, updated, unchanged, unmatched, tuple(messages))


def _new_annotations(
    library: Library,
    columns: Mapping[str, Sequence[str]],
    rows: Sequence[int],
    ids: Sequence[str],
    doc_ids: Sequence[int | None],
    starts: Sequence[int],
    ends: Sequence[int],
    statuses: Sequence[str],
    modified: Sequence[str],
) -> tuple[list[tuple[Any, ...]], list[tuple[str, ...]], int]:
    """The rows of :meth:`Library.insert_annotation_rows` for the new annotations at ``rows`` of the file,
    the tag names of each, and how many need review. A quote is placed where it is at its offsets (one
    comparison per row, most of them), else at its one occurrence in our text (:func:`place_quote`), else it
    needs review."""
    count = len(ids)
    blank: Sequence[str] = ("",) * count
    docs = cast("Sequence[int]", _take(doc_ids, rows))  # rows of documents that are in the library
    quotes = _take(columns["quote"], rows)
    status = list(_take(statuses, rows))
    start, end = list(_take(starts, rows)), list(_take(ends, rows))
    texts = {doc_id: library.get_document(doc_id).text for doc_id in set(docs)}
    only = next(iter(texts.values())) if len(texts) == 1 else None
    if only is not None:
        at_offsets = list(map(eq, [only[s:e] for s, e in zip(start, end, strict=True)], quotes))
    else:
        at_offsets = list(map(eq, [texts[d][s:e] for d, s, e in zip(docs, start, end, strict=True)], quotes))
    review: list[int] = []
    if not all(at_offsets) or "" in quotes or "needs_review" in status:
        for k in range(len(docs)):
            if at_offsets[k] and quotes[k] and status[k] == "ok":
                continue
            text = texts[docs[k]]
            placed = place_quote(text, start[k], end[k], quotes[k]) if status[k] == "ok" else None
            if placed is None:
                review.append(k)
                status[k] = "needs_review"
                start[k], end[k] = clamp_span(start[k], end[k], len(text))
            else:
                start[k], end[k] = placed
    p = PREFIX_CHARS
    if only is not None:
        prefixes = [only[s - p if s > p else 0 : s] for s in start]
        suffixes = [only[e : e + p] for e in end]
    else:
        prefixes = [texts[d][s - p if s > p else 0 : s] for d, s in zip(docs, start, strict=True)]
        suffixes = [texts[d][e : e + p] for d, e in zip(docs, end, strict=True)]
    for k in review:  # a passage that needs review has no context
        prefixes[k] = suffixes[k] = ""
    notes = _take(columns.get("note", blank), rows)
    if "\x00" in "".join(notes):
        notes = [n.replace("\x00", "") for n in notes]
    dates = _take(modified, rows)
    created = _take(columns.get("created", blank), rows)
    if "" in created:
        created = [c or m for c, m in zip(created, dates, strict=True)]
    new_ids = _take(ids, rows)
    new = list(zip(new_ids, docs, start, end, quotes, prefixes, suffixes, notes,
                   _take(columns.get("author", blank), rows), created, dates, status, strict=True))
    tag_cells = _take(columns.get("tags", blank), rows)  # as written: each distinct cell restored, split once
    names = {cell: tuple(split_tags(restore_cell(cell))) for cell in set(tag_cells)}
    return new, list(map(names.__getitem__, tag_cells)), len(review)
