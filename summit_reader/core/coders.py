"""A second coder: a colleague's coding imported beside the user's own, compared with it, and the
disagreements resolved into the user's annotations.

Rules:

* **What is read.** A colleague's library file (``.sqlite3``, any schema up to this version's; opened
  read-only and never migrated or written to) or their annotation CSV export
  (:func:`~summit_reader.core.export.write_annotations_csv`). The kind is told by the file's first bytes,
  not its name.
* **Which document.** As :mod:`summit_reader.core.merge` does (:class:`~summit_reader.core.merge.DocumentFinder`):
  by the SHA-256 of the text, else the one document with the same title and date. The coding *covers* the
  documents of ours that their file has (a library: every matched document, annotated or not; a CSV: the
  documents it has annotations for); only those are compared. Their documents we do not have are named.
* **Where.** An annotation is placed where its quote is in our text
  (:func:`~summit_reader.core.merge.place_quote`: at its offsets, else its one occurrence); one that cannot
  be placed is kept with status ``needs_review`` and left out of every comparison (and counted).
* **Kept apart.** The coding goes to its own tables: the user's annotations, tags, views and exports do
  not change. Importing again under the same name replaces that coder's coding, in one transaction; a file
  that cannot be read raises a :class:`~summit_reader.core.errors.SummitReaderError` and writes nothing.
* **Resolving** a disagreement (:func:`resolve`): ``take`` copies their annotation (passage, note, tags,
  author) into the user's annotations; ``remove`` takes the tag off the user's annotation (deleting it if
  that was its only tag); ``keep`` changes nothing. Each is recorded (table ``resolutions``) in the same
  transaction, so a kept disagreement shows as resolved when the view is opened again.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from summit_reader.core import store
from summit_reader.core.agreement import (
    CHARACTER,
    MINE,
    SENTENCE,
    THEIRS,
    UNITS,
    Agreement,
    CodedSpan,
    Comparison,
    Disagreement,
    DocumentCoding,
    character_units,
    compare,
    sentence_units,
    tag_key,
)
from summit_reader.core.anchoring import clamp_span
from summit_reader.core.backup import _backup_uri
from summit_reader.core.errors import ExportError, InvalidInputError, NotFoundError, StoreError
from summit_reader.core.export import read_annotations_csv, split_tags, write_table_csv
from summit_reader.core.merge import DocumentFinder, place_quote
from summit_reader.core.models import Annotation, Coder, CoderAnnotation, Resolution
from summit_reader.core.sentences import document_sentences
from summit_reader.core.store import PREFIX_CHARS, Library, utc_now

ACTIONS: tuple[str, ...] = ("take", "keep", "remove")
_SQLITE_MAGIC = b"SQLite format 3\x00"


# ================================================================================================ reading


@dataclass(frozen=True)
class _Theirs:
    """One annotation as the colleague's file has it, with the document of ours it belongs to."""

    id: str
    document_id: int
    start: int
    end: int
    quote: str
    note: str
    tags: tuple[str, ...]
    author: str
    created: str
    modified: str
    status: str


@dataclass(frozen=True)
class _Coding:
    documents: frozenset[int]  # our documents the file covers
    annotations: tuple[_Theirs, ...]
    missing: tuple[str, ...]  # their documents that are not in this library (labels)
    author: str  # the colleague's name, as their file gives it ("" when it does not)


def _label(title: str, date: str, sha: str) -> str:
    if title:
        return f"“{title}”" + (f" ({date})" if date else "")
    return f"the text {sha[:12]}…"


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


def _read_library_file(path: Path, finder: DocumentFinder) -> _Coding:
    name = f"'{path.name}'"
    try:
        conn = sqlite3.connect(_backup_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{name} cannot be opened ({exc}).") from None
    try:
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{name} is damaged and cannot be read ({exc}).") from None
        if app_id != store.APPLICATION_ID or version < 1:
            raise StoreError(f"{name} is an SQLite database of another program, not a Summit Reader library.")
        if version > store.SCHEMA_VERSION:
            raise StoreError(
                f"{name} was written by a newer version of Summit Reader (schema {version}; this version reads up "
                f"to {store.SCHEMA_VERSION}). Update Summit Reader, or ask for a CSV export of the annotations."
            )
        try:
            problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise StoreError(f"{name} is damaged and cannot be read ({problems[0].splitlines()[0]}).")
            documents = conn.execute("SELECT id, title, date, text_hash FROM documents ORDER BY id").fetchall()
            rows = conn.execute(
                'SELECT id, document_id, start, "end", quote, note, author, created, modified, status '
                "FROM annotations ORDER BY document_id, start, id"
            ).fetchall()
            tags: dict[str, list[str]] = {}
            for annotation_id, tag_name in conn.execute(
                "SELECT at.annotation_id, t.name FROM annotation_tags at JOIN tags t ON t.id = at.tag_id ORDER BY t.name"
            ):
                tags.setdefault(str(annotation_id), []).append(str(tag_name))
            setting = conn.execute("SELECT value FROM settings WHERE key = 'author'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{name} is damaged and cannot be read ({exc}).") from None
    finally:
        conn.close()
    ours: dict[int, int] = {}
    missing: list[str] = []
    for their_id, title, date, sha in documents:
        found = finder.find(str(sha or ""), str(title or ""), str(date or ""))
        if found is None:
            missing.append(_label(str(title or ""), str(date or ""), str(sha or "")))
        else:
            ours[int(their_id)] = found
    annotations: list[_Theirs] = []
    for a_id, doc_id, start, end, quote, note, author, created, modified, status in rows:
        if int(doc_id) not in ours:
            continue
        annotations.append(
            _Theirs(str(a_id), ours[int(doc_id)], int(start), int(end), str(quote), str(note or ""),
                    tuple(tags.get(str(a_id), ())), str(author or ""), str(created or ""), str(modified or ""),
                    "ok" if status == "ok" else "needs_review")
        )
    author_name = str(setting[0]) if setting and setting[0] else ""
    if not author_name:
        authors = {a.author for a in annotations if a.author}
        author_name = authors.pop() if len(authors) == 1 else ""
    return _Coding(frozenset(ours.values()), tuple(annotations), tuple(missing), author_name)


def _read_csv_file(path: Path, finder: DocumentFinder) -> _Coding:
    rows = read_annotations_csv(path)
    name = f"'{path.name}'"
    header = set(rows[0]) if rows else set()
    missing_columns = [c for c in ("annotation_id", "start", "end", "quote") if rows and c not in header]
    if missing_columns:
        raise ExportError(f"{name} has no {', '.join(missing_columns)} column; it is not a Summit Reader annotation export.")
    if rows and "document_sha256" not in header and "document_title" not in header:
        raise ExportError(f"{name} does not say which document each annotation belongs to (no document columns).")
    latest: dict[str, _Theirs] = {}
    documents: set[int] = set()
    missing: dict[str, None] = {}
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
        if status not in ("ok", "needs_review"):
            raise ExportError(f"{name}, row {number}: unknown status {status!r} (expected ok or needs_review).")
        sha = row.get("document_sha256", "")
        title, date = row.get("document_title", ""), row.get("document_date", "")
        doc_id = finder.find(sha, title, date)
        if doc_id is None:
            missing.setdefault(_label(title, date, sha.strip().lower()), None)
            continue
        documents.add(doc_id)
        modified = row.get("modified", "") or row.get("created", "")
        previous = latest.get(annotation_id)
        if previous is None or modified >= previous.modified:  # the latest version of an id in the file wins
            latest[annotation_id] = _Theirs(
                annotation_id, doc_id, start, end, row["quote"], row.get("note", ""),
                tuple(split_tags(row.get("tags", ""))), row.get("author", ""), row.get("created", "") or modified,
                modified, status,
            )
    authors = {a.author for a in latest.values() if a.author}
    return _Coding(frozenset(documents), tuple(latest.values()), tuple(missing), authors.pop() if len(authors) == 1 else "")


def _read_coding(library: Library, path: Path) -> _Coding:
    name = f"'{path.name}'"
    if not path.exists():
        raise ExportError(f"{name} does not exist ({path}).")
    if path.is_dir():
        raise ExportError(f"{name} is a folder; choose a colleague's library (.sqlite3) or annotation export (.csv).")
    with contextlib.suppress(OSError):
        if path.resolve() == library.path.resolve():
            raise InvalidInputError(f"{name} is this library itself; choose your colleague's library or export.")
    finder = DocumentFinder(library.list_documents())
    if _is_sqlite(path):
        return _read_library_file(path, finder)
    try:
        return _read_csv_file(path, finder)
    except ExportError as exc:
        # a file that is not meant as a CSV (a .qdpx, a .docx…) is told what would do, then why it did not
        text = str(exc)
        if path.suffix.lower() != ".csv" and ("not UTF-8 text" in text or "not a valid CSV file" in text):
            why = text.removeprefix(f"{name} is ").removesuffix(".")
            raise ExportError(
                f"{name} is neither a Summit Reader library (.sqlite3) nor an annotation export (.csv): it is {why}."
            ) from None
        raise


def suggest_coder_name(library: Library, source: str | Path) -> str:
    """The colleague's name as their file gives it (their library's author setting, or the one author of
    their annotations), else the file's name without its extension."""
    path = Path(source)
    try:
        author = _read_coding(library, path).author
    except (OSError, ValueError, sqlite3.Error, ExportError, StoreError, InvalidInputError):
        author = ""
    return author or path.stem


# ================================================================================================ import


@dataclass(frozen=True)
class ImportResult:
    coder: Coder
    replaced: bool  # a coder of that name existed and their coding was replaced
    #: One line per document of theirs that is not in this library, and for annotations not placed.
    messages: tuple[str, ...] = ()


def import_coder(library: Library, source: str | Path, name: str) -> ImportResult:
    """Import a colleague's coding (library file or CSV export) as the second coder ``name``; a coder of
    that name is replaced. One transaction; nothing is written if the file cannot be read."""
    clean = " ".join(name.replace("\x00", "").split())
    if not clean:
        raise InvalidInputError("Give the second coder a name (e.g. the colleague's), with --name.")
    path = Path(source).expanduser()
    coding = _read_coding(library, path)
    if not coding.documents:
        listed = ", ".join(coding.missing[:3]) + (" …" if len(coding.missing) > 3 else "")
        raise InvalidInputError(
            f"None of the documents of '{path.name}' is in this library"
            + (f" ({listed})" if listed else "")
            + "; import the same texts first. Nothing was imported."
        )
    texts: dict[int, str] = {}
    placed: list[CoderAnnotation] = []
    unplaced = 0
    for a in coding.annotations:
        text = texts.get(a.document_id)
        if text is None:
            text = texts[a.document_id] = library.get_document(a.document_id).text
        spot = place_quote(text, a.start, a.end, a.quote) if a.status == "ok" else None
        if spot is None:
            unplaced += 1
            start, end = clamp_span(a.start, a.end, len(text))
            status = "needs_review"
        else:
            (start, end), status = spot, "ok"
        placed.append(
            CoderAnnotation(a.id, 0, a.document_id, start, end, a.quote, a.note, a.author, a.created, a.modified,
                            a.tags, status)
        )
    existed = library.find_coder(clean) is not None
    coder = library.replace_coder(clean, source=path.name, document_ids=coding.documents, annotations=placed)
    messages = [f"{label} is not in this library: left out." for label in coding.missing]
    if unplaced:
        verb = "is" if unplaced == 1 else "are"
        messages.append(
            f"{unplaced} annotation{'s' if unplaced != 1 else ''} could not be placed in our text (the quote is not "
            f"there, or is there more than once) and {verb} left out of the comparison."
        )
    return ImportResult(coder, existed, tuple(messages))


# ============================================================================================= comparing


def choose_coder(library: Library, name: str | None = None) -> Coder:
    """The coder called ``name``; without a name, the only one there is."""
    if name is not None and name.strip():
        return library.get_coder(name)
    coders = library.list_coders()
    if not coders:
        raise NotFoundError(
            "There is no second coder yet; import a colleague's coding with `summit-reader coder import FILE --name NAME`."
        )
    if len(coders) > 1:
        raise InvalidInputError(
            f"There are {len(coders)} second coders ({', '.join(c.name for c in coders)}); choose one with --coder."
        )
    return coders[0]


def _their_placed(library: Library, coder_id: int, document_id: int, text: str) -> list[CoderAnnotation]:
    """A coder's annotations of a document that are placed in its current text: one whose quote is no longer
    at its offsets (the text was replaced since the import) is placed again by its quote, or left out."""
    out: list[CoderAnnotation] = []
    for a in library.list_coder_annotations(coder_id, document_id=document_id):
        if a.status != "ok":
            continue
        spot = place_quote(text, a.start, a.end, a.quote)
        if spot is not None:
            out.append(a if spot == (a.start, a.end) else replace(a, start=spot[0], end=spot[1]))
    return out


def _check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise InvalidInputError(f"Unknown unit '{unit}'; use {' or '.join(UNITS)}.")
    return unit


@dataclass(frozen=True)
class CoderComparison:
    """The comparison with one coder, with what a view needs to show it."""

    coder: Coder
    comparison: Comparison
    titles: dict[int, str]  # document id → title
    resolutions: dict[str, Resolution]  # disagreement key → its (latest) resolution

    @property
    def unit(self) -> str:
        return self.comparison.unit

    def is_resolved(self, disagreement: Disagreement) -> bool:
        return disagreement.key in self.resolutions


#: The columns of :func:`agreement_table` (and of ``summit-reader agreement`` and the view's CSV export).
AGREEMENT_COLUMNS = (
    "tag", "document", "units", "mine", "theirs", "both", "observed", "kappa", "alpha", "note", "coder", "unit",
)
BY_CHOICES = ("tag", "document", "both")


def agreement_table(result: CoderComparison, by: str = "both") -> list[list[object]]:
    """The agreement figures as rows of :data:`AGREEMENT_COLUMNS`: per tag over all documents (``by="tag"``),
    per document over all tags (``"document"``), or each tag in each document followed by the tag over all
    documents (``"both"``); then all tags over all documents. A document is named by its title, the pooled
    rows by "all". Figures are floats, None where undefined (the note says why)."""
    if by not in BY_CHOICES:
        raise InvalidInputError(f"Unknown grouping {by!r}: choose one of {', '.join(BY_CHOICES)}.")
    c = result.comparison
    titles = result.titles

    def row(tag: str, document: str, f: Agreement) -> list[object]:
        return [tag, document, f.units, f.mine, f.theirs, f.both, f.observed, f.kappa, f.alpha, f.note,
                result.coder.name, c.unit]

    rows: list[list[object]] = []
    if by == "tag":
        rows = [row(t, "all", f) for t, f in c.by_tag()]
    elif by == "document":
        rows = [row("all", titles[d], f) for d, f in c.by_document()]
    else:
        over_documents = dict(c.by_tag())
        for t in c.tags:
            rows += [row(t, titles[d], c.cell(t, d)) for d in c.document_ids]
            rows.append(row(t, "all", over_documents[t]))
    rows.append(row("all", "all", c.overall()))
    return rows


def write_agreement_csv(result: CoderComparison, destination: str | Path, by: str = "both") -> int:
    """Write :func:`agreement_table` to a CSV file (atomically, UTF-8, formula-safe; figures to 6 decimals,
    undefined ones empty); return the number of rows."""
    rows = [
        [None if v is None else round(v, 6) if isinstance(v, float) else v for v in r]
        for r in agreement_table(result, by)
    ]
    return write_table_csv(AGREEMENT_COLUMNS, rows, destination)


def compare_with_coder(library: Library, coder: Coder | str | None = None, *, unit: str = SENTENCE) -> CoderComparison:
    """Compare the user's annotations with a second coder's over the documents their coding covers."""
    _check_unit(unit)
    chosen = coder if isinstance(coder, Coder) else choose_coder(library, coder)
    documents: list[DocumentCoding] = []
    titles: dict[int, str] = {}
    for doc_id in library.coder_document_ids(chosen.id):
        doc = library.get_document(doc_id)
        titles[doc_id] = doc.title
        if unit == CHARACTER:
            units = character_units(doc.text)
        else:
            units = sentence_units(doc.text, document_sentences(library, doc.text, doc.text_hash))
        mine = [
            CodedSpan(a.id, a.start, a.end, a.tags)
            for a in library.list_annotations(document_id=doc_id)
            if a.status == "ok"
        ]
        theirs = [CodedSpan(a.id, a.start, a.end, a.tags) for a in _their_placed(library, chosen.id, doc_id, doc.text)]
        documents.append(DocumentCoding(doc_id, units, mine, theirs))
    comparison = compare(documents, unit=unit)
    resolutions = {r.key: r for r in library.list_resolutions(chosen.id)}
    return CoderComparison(chosen, comparison, titles, resolutions)


@dataclass(frozen=True)
class DisagreementDetail:
    """A disagreement with both coders' versions of the passage, side by side."""

    disagreement: Disagreement
    coder: Coder
    document_title: str
    passage: str  # the text of the units in disagreement
    mine: tuple[Annotation, ...]  # my annotations overlapping the passage (any tag)
    theirs: tuple[CoderAnnotation, ...]  # theirs overlapping it (any tag)
    resolution: Resolution | None

    @property
    def key(self) -> str:
        return self.disagreement.key

    def actions(self) -> tuple[str, ...]:
        """What can be done: ``take`` when they coded the passage, ``remove`` when I did; ``keep`` always."""
        return ("take", "keep") if self.disagreement.coded_by == THEIRS else ("keep", "remove")


def disagreement_details(
    library: Library, result: CoderComparison, *, tag: str | None = None, include_resolved: bool = False
) -> list[DisagreementDetail]:
    """The disagreements of a comparison (one tag's, or all), in reading order, with both versions."""
    wanted = tag_key(tag) if tag is not None else None
    if wanted is not None and wanted not in {tag_key(t) for t in result.comparison.tags}:
        raise NotFoundError(
            f"Neither coder used the tag '{tag}' in the documents compared; "
            f"the tags are: {', '.join(result.comparison.tags) or 'none'}."
        )
    chosen = [
        d for d in result.comparison.disagreements
        if (wanted is None or tag_key(d.tag) == wanted) and (include_resolved or not result.is_resolved(d))
    ]
    order = {doc_id: i for i, doc_id in enumerate(result.comparison.document_ids)}
    chosen.sort(key=lambda d: (order.get(d.document_id, 0), d.start, d.end, tag_key(d.tag), d.coded_by))
    mine_by_doc: dict[int, list[Annotation]] = {}
    theirs_by_doc: dict[int, list[CoderAnnotation]] = {}
    texts: dict[int, str] = {}
    out: list[DisagreementDetail] = []
    for d in chosen:
        if d.document_id not in texts:
            texts[d.document_id] = library.get_document(d.document_id).text
            mine_by_doc[d.document_id] = [a for a in library.list_annotations(document_id=d.document_id) if a.status == "ok"]
            theirs_by_doc[d.document_id] = _their_placed(library, result.coder.id, d.document_id, texts[d.document_id])
        mine = tuple(a for a in mine_by_doc[d.document_id] if a.start < d.end and a.end > d.start)
        theirs = tuple(a for a in theirs_by_doc[d.document_id] if a.start < d.end and a.end > d.start)
        out.append(
            DisagreementDetail(d, result.coder, result.titles.get(d.document_id, ""), texts[d.document_id][d.start : d.end],
                               mine, theirs, result.resolutions.get(d.key))
        )
    return out


def find_disagreement(library: Library, key: str, coder: str | None = None) -> DisagreementDetail:
    """The disagreement with this id (as ``summit-reader disagreements`` lists it), resolved or not."""
    clean = key.strip().lower()
    unit = {u[:1]: u for u in UNITS}.get(clean[:1])
    if unit is None or len(clean) != 10:
        raise NotFoundError(f"'{key}' is not a disagreement id; `summit-reader disagreements` lists them.")
    coders = [library.get_coder(coder)] if coder else library.list_coders()
    found: list[DisagreementDetail] = []
    for c in coders:
        result = compare_with_coder(library, c, unit=unit)
        found += [d for d in disagreement_details(library, result, include_resolved=True) if d.key == clean]
    if not found:
        raise NotFoundError(
            f"No disagreement with the id '{key}': it may have been resolved already, or the annotations changed "
            "since it was listed. `summit-reader disagreements` lists the current ones."
        )
    if len(found) > 1:
        raise InvalidInputError(f"The id '{key}' is a disagreement with several coders; choose one with --coder.")
    return found[0]


# ============================================================================================= resolving


@dataclass(frozen=True)
class ResolutionOutcome:
    """What resolving changed, so that it can be undone and redone exactly."""

    resolution: Resolution
    created: tuple[Annotation, ...] = ()  # copied from theirs (take)
    before: tuple[Annotation, ...] = ()  # my annotations as they were, before a remove changed them
    after: tuple[Annotation, ...] = ()  # the same annotations after it (those deleted are absent)


def _copy_of(theirs: CoderAnnotation, coder: Coder, text: str, now: str, taken: set[str]) -> Annotation:
    start, end = theirs.start, theirs.end
    # their id, so a later merge of their export sees the same annotation; a new one if ours has it already
    new_id = theirs.id if theirs.id not in taken else str(uuid.uuid4())
    taken.add(new_id)
    return Annotation(
        id=new_id,
        document_id=theirs.document_id,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=text[max(0, start - PREFIX_CHARS) : start],
        suffix=text[end : end + PREFIX_CHARS],
        note=theirs.note,
        author=theirs.author or coder.name,
        created=theirs.created or now,
        modified=now,
        tags=theirs.tags,
        status="ok",
    )


def resolve(library: Library, detail: DisagreementDetail, action: str) -> ResolutionOutcome:
    """Resolve a disagreement (``take``, ``keep`` or ``remove``; rules in the module doc), in one transaction."""
    if action not in ACTIONS:
        raise InvalidInputError(f"Unknown resolution '{action}'; use take, keep or remove.")
    d = detail.disagreement
    if action not in detail.actions():
        if action == "take":
            raise InvalidInputError(
                f"{detail.coder.name} did not code this passage with “{d.tag}”, so there is nothing of theirs to take: "
                "use remove to agree with them, or keep."
            )
        raise InvalidInputError(
            f"You did not code this passage with “{d.tag}”, so there is nothing of yours to remove: "
            "use take to agree with them, or keep."
        )
    now = utc_now()
    record = Resolution(0, detail.coder.id, d.key, action, d.document_id, d.tag, d.unit, d.start, d.end, now, library.author)
    with library.transaction():
        if action == "take":
            wanted = set(d.annotation_ids)
            text = library.get_document(d.document_id).text
            theirs = [a for a in _their_placed(library, detail.coder.id, d.document_id, text) if a.id in wanted]
            if len(theirs) != len(wanted):
                raise NotFoundError(f"{detail.coder.name}'s annotation is no longer there; show the disagreements again.")
            taken = set(library.annotation_modified_times([a.id for a in theirs]))
            created = tuple(_copy_of(a, detail.coder, text, now, taken) for a in theirs)
            library.insert_annotations(created)
            stored = library.add_resolution(replace(record, annotation_ids=tuple(a.id for a in created)))
            return ResolutionOutcome(stored, created=tuple(library.get_annotations([a.id for a in created])))
        if action == "remove":
            before = library.get_annotations(d.annotation_ids)
            if len(before) != len(d.annotation_ids) or any(tag_key(d.tag) not in map(tag_key, a.tags) for a in before):
                raise NotFoundError("Your annotation changed since the disagreement was listed; show the disagreements again.")
            only = [a.id for a in before if {tag_key(t) for t in a.tags} == {tag_key(d.tag)}]
            library.retag_annotations([a.id for a in before if a.id not in only], remove=[d.tag])
            library.delete_annotations(only)
            after = library.get_annotations([a.id for a in before if a.id not in only])
            stored = library.add_resolution(replace(record, annotation_ids=tuple(a.id for a in before)))
            return ResolutionOutcome(stored, before=tuple(before), after=tuple(after))
        return ResolutionOutcome(library.add_resolution(record))


def undo_resolution(library: Library, outcome: ResolutionOutcome) -> None:
    """Take a resolution back: copied annotations deleted, changed ones restored, the record removed."""
    with library.transaction():
        library.delete_annotations([a.id for a in outcome.created])
        library.restore_annotations(outcome.before)
        library.delete_resolution(outcome.resolution.id)


def redo_resolution(library: Library, outcome: ResolutionOutcome) -> None:
    """Make an undone resolution again, exactly as it was (same annotation ids, times and record id)."""
    with library.transaction():
        library.restore_annotations([*outcome.created, *outcome.after])
        kept = {a.id for a in outcome.after}
        library.delete_annotations([a.id for a in outcome.before if a.id not in kept])
        library.add_resolution(outcome.resolution)


def describe_outcome(outcome: ResolutionOutcome, coder: str) -> str:
    """One line for the status bar or the terminal."""
    r = outcome.resolution
    if r.action == "take":
        n = len(outcome.created)
        return f"Took {coder}'s annotation{'s' if n != 1 else ''} (“{r.tag}”) into yours."
    if r.action == "remove":
        deleted = len(outcome.before) - len(outcome.after)
        changed = len(outcome.after)
        parts = ([f"deleted {deleted} annotation{'s' if deleted != 1 else ''}"] if deleted else []) + (
            [f"took “{r.tag}” off {changed} annotation{'s' if changed != 1 else ''}"] if changed else []
        )
        return f"Removed yours: {' and '.join(parts)}."
    return f"Kept yours; the disagreement on “{r.tag}” is marked resolved."


__all__ = [
    "ACTIONS",
    "MINE",
    "THEIRS",
    "CoderComparison",
    "DisagreementDetail",
    "ImportResult",
    "ResolutionOutcome",
    "choose_coder",
    "compare_with_coder",
    "describe_outcome",
    "disagreement_details",
    "find_disagreement",
    "import_coder",
    "redo_resolution",
    "resolve",
    "suggest_coder_name",
    "undo_resolution",
]
