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

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from summit_reader.core.anchoring import clamp_span
from summit_reader.core.errors import ExportError
from summit_reader.core.export import read_annotations_csv, split_tags
from summit_reader.core.models import Annotation
from summit_reader.core.store import PREFIX_CHARS, Library

STATUSES = ("ok", "needs_review")
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


def _place(text: str, start: int, end: int, quote: str) -> tuple[int, int] | None:
    """Where the quote is in ``text``: at ``start``:``end``, else its one occurrence; None otherwise."""
    if quote and text[start:end] == quote:
        return start, end
    if not quote:
        return None
    first = text.find(quote)
    if first < 0 or text.find(quote, first + 1) >= 0:
        return None
    return first, first + len(quote)


def merge_annotations_csv(library: Library, source: str | Path | TextIO) -> MergeResult:
    """Merge the annotations of an annotation CSV export into ``library`` (rules in the module doc)."""
    rows = read_annotations_csv(source)
    name = f"'{Path(source).name}'" if isinstance(source, (str, Path)) else "The CSV"
    header = set(rows[0]) if rows else set()
    missing = [c for c in _REQUIRED if rows and c not in header]
    if missing:
        raise ExportError(f"{name} has no {', '.join(missing)} column; it is not a Summit Reader annotation export.")
    if rows and "document_sha256" not in header and "document_title" not in header:
        raise ExportError(f"{name} does not say which document each annotation belongs to (no document columns).")

    summaries = library.list_documents()
    by_hash: dict[str, int] = {}
    by_title: dict[tuple[str, str], list[int]] = {}
    for s in summaries:
        by_hash.setdefault(s.text_hash, s.id)
        by_title.setdefault((s.title, s.date or ""), []).append(s.id)

    # id → (document, modified, start, end, status, row): the latest version of each id in the file wins
    incoming: dict[str, tuple[int, str, int, int, str, dict[str, str]]] = {}
    unmatched = 0
    absent: dict[str, int] = {}  # missing document → rows
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        annotation_id = row.get("annotation_id", "").strip()
        if not annotation_id:
            raise ExportError(f"{name}, row {number}: the annotation has no id.")
        try:
            start, end = int(row["start"]), int(row["end"])
        except ValueError:
            raise ExportError(
                f"{name}, row {number}: the offsets {row['start']!r}–{row['end']!r} are not whole numbers."
            ) from None
        if not 0 <= start < end:
            raise ExportError(f"{name}, row {number}: {start}–{end} is not a passage.")
        status = row.get("status", "") or "ok"
        if status not in STATUSES:
            raise ExportError(f"{name}, row {number}: unknown status {status!r} (expected ok or needs_review).")
        sha = row.get("document_sha256", "").strip().lower()
        title, date = row.get("document_title", ""), row.get("document_date", "")
        doc_id = by_hash.get(sha) if sha else None
        if doc_id is None:
            candidates = by_title.get((title, date), [])
            doc_id = candidates[0] if len(candidates) == 1 else None
        if doc_id is None:
            unmatched += 1
            label = f"“{title}”" + (f" ({date})" if date else "") if title else f"the text {sha[:12]}…"
            absent[label] = absent.get(label, 0) + 1
            continue
        modified = row.get("modified", "") or row.get("created", "")
        previous = incoming.get(annotation_id)
        if previous is None or modified >= previous[1]:
            incoming[annotation_id] = (doc_id, modified, start, end, status, row)

    existing = library.annotation_modified_times(list(incoming))
    texts: dict[int, str] = {}
    new: list[Annotation] = []
    changed: list[Annotation] = []
    unchanged = 0
    review = 0
    for annotation_id, (doc_id, modified, start, end, status, row) in incoming.items():
        current = existing.get(annotation_id)
        quote = row["quote"]
        prefix = suffix = ""
        if current is not None:
            if modified <= current:
                unchanged += 1
                continue
        else:
            text = texts.get(doc_id)
            if text is None:
                text = texts[doc_id] = library.get_document(doc_id).text
            placed = _place(text, start, end, quote) if status == "ok" else None
            if placed is None:
                review += 1
                status = "needs_review"
                start, end = clamp_span(start, end, len(text))
            else:
                start, end = placed
                prefix, suffix = text[max(0, start - PREFIX_CHARS) : start], text[end : end + PREFIX_CHARS]
        annotation = Annotation(
            id=annotation_id,
            document_id=doc_id,
            start=start,
            end=end,
            quote=quote,
            prefix=prefix,
            suffix=suffix,
            note=row.get("note", ""),
            author=row.get("author", ""),
            created=row.get("created", "") or modified,
            modified=modified,
            tags=tuple(split_tags(row.get("tags", ""))),
            status=status,
        )
        (changed if current is not None else new).append(annotation)

    with library.transaction():
        added = library.insert_annotations(new)
        updated = library.update_annotation_contents(changed)

    messages = [
        f"{label} is not in this library: {count} annotation{'s' if count != 1 else ''} left out."
        for label, count in absent.items()
    ]
    if review:
        messages.append(
            f"{review} annotation{'s' if review != 1 else ''} could not be placed in our text and "
            f"{'need' if review != 1 else 'needs'} review."
        )
    return MergeResult(added, updated, unchanged, unmatched, tuple(messages))

