"""Merging a colleague's annotation export into another library (summit_reader.core.merge)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from summit_reader.core.documents import new_document
from summit_reader.core.errors import ExportError
from summit_reader.core.export import ANNOTATION_COLUMNS, write_annotations_csv
from summit_reader.core.merge import MergeResult, merge_annotations_csv
from summit_reader.core.models import Annotation
from summit_reader.core.store import Library

TEXT_A = (
    "We recognise that advanced AI may pose serious risks to safety and security.\n\n"
    "We commit to working together on the science of AI safety, and we will meet again."
)
TEXT_B = "Innovation must be inclusive. We support open research and we welcome new institutes."


def _library(path: Path, texts: list[tuple[str, str, str]]) -> Library:
    library = Library(path)
    for text, title, date in texts:
        library.add_document(new_document(text, title, date=date))
    return library


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Library, Library]:
    """A colleague's library and ours, with the same two texts (added in another order: other ids)."""
    theirs = _library(tmp_path / "theirs.sqlite3", [(TEXT_A, "Harbour", "2023-11-01"), (TEXT_B, "Lakeside", "2024-05-21")])
    ours = _library(tmp_path / "ours.sqlite3", [(TEXT_B, "Lakeside", "2024-05-21"), (TEXT_A, "Harbour", "2023-11-01")])
    yield theirs, ours
    theirs.close()
    ours.close()


def _doc_id(library: Library, title: str) -> int:
    return next(s.id for s in library.list_documents() if s.title == title)


def _export(library: Library, path: Path) -> Path:
    write_annotations_csv(library, path)
    return path


def _key(a: Annotation) -> tuple[object, ...]:
    return (a.id, a.start, a.end, a.quote, a.prefix, a.suffix, a.note, a.author, a.created, a.modified, a.tags, a.status)


def test_round_trip_between_two_libraries(pair: tuple[Library, Library], tmp_path: Path) -> None:
    theirs, ours = pair
    harbour = _doc_id(theirs, "Harbour")
    lakeside = _doc_id(theirs, "Lakeside")
    start = TEXT_A.index("serious risks")
    theirs.add_annotation(harbour, start, start + len("serious risks"), note="=strong?", tags=["existing risk", "Wording; style"])
    theirs.add_annotation(lakeside, 0, 10, note="first word", tags=["a new tag"])
    theirs.add_annotation(lakeside, 11, 15)
    csv_path = _export(theirs, tmp_path / "theirs.csv")

    result = merge_annotations_csv(ours, csv_path)
    assert (result.added, result.updated, result.unchanged, result.unmatched) == (3, 0, 0, 0)
    assert result.messages == ()
    mine = {a.id: a for a in ours.list_annotations()}
    for a in theirs.list_annotations():
        merged = mine[a.id]
        assert _key(merged) == _key(a)  # same id, passage, context, note, tags, author, times
        title = theirs.get_document(a.document_id).title
        assert merged.document_id == _doc_id(ours, title)
    assert {t.name for t in ours.list_tags()} >= {"a new tag", "Wording; style"}

    again = merge_annotations_csv(ours, csv_path)  # merging twice changes nothing
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert len(ours.list_annotations()) == 3


def test_conflicts_keep_the_newer_version(pair: tuple[Library, Library], tmp_path: Path) -> None:
    theirs, ours = pair
    first = theirs.add_annotation(_doc_id(theirs, "Harbour"), 3, 12, note="old note")
    second = theirs.add_annotation(_doc_id(theirs, "Harbour"), 20, 30, note="theirs")
    merge_annotations_csv(ours, _export(theirs, tmp_path / "a.csv"))
    # they edit the first one later; we edit the second one later than they did
    theirs.restore_annotation(Annotation(**{**vars(first), "note": "new note", "tags": ("hedge",), "modified": "2999-01-01T00:00:00Z"}))
    mine = ours.get_annotation(second.id)
    ours.restore_annotation(Annotation(**{**vars(mine), "note": "ours", "modified": "2999-06-01T00:00:00Z"}))

    result = merge_annotations_csv(ours, _export(theirs, tmp_path / "b.csv"))
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    updated = ours.get_annotation(first.id)
    assert (updated.note, updated.tags, updated.modified) == ("new note", ("hedge",), "2999-01-01T00:00:00Z")
    assert (updated.start, updated.end) == (first.start, first.end)
    assert ours.get_annotation(second.id).note == "ours"


def test_unmatched_documents_are_counted_with_one_message_each(tmp_path: Path) -> None:
    theirs = _library(tmp_path / "t.sqlite3", [(TEXT_A, "Harbour", "2023-11-01"), (TEXT_B, "Lakeside", "2024-05-21")])
    ours = _library(tmp_path / "o.sqlite3", [(TEXT_A, "Harbour", "2023-11-01")])
    try:
        lakeside = _doc_id(theirs, "Lakeside")
        for offset in (0, 12, 20):
            theirs.add_annotation(lakeside, offset, offset + 5)
        theirs.add_annotation(_doc_id(theirs, "Harbour"), 0, 5)
        result = merge_annotations_csv(ours, _export(theirs, tmp_path / "t.csv"))
        assert (result.added, result.unmatched) == (1, 3)
        assert len(result.messages) == 1 and "Lakeside" in result.messages[0] and "3 annotations" in result.messages[0]
    finally:
        theirs.close()
        ours.close()


def test_documents_found_by_title_and_date_and_quotes_placed_or_marked(pair: tuple[Library, Library], tmp_path: Path) -> None:
    """An export without document_sha256 (older files) is matched by title and date; a quote not at its
    offsets is found when it is unique, else the annotation needs review."""
    theirs, ours = pair
    harbour = _doc_id(theirs, "Harbour")
    unique = theirs.add_annotation(harbour, TEXT_A.index("science"), TEXT_A.index("science") + 7)
    repeated = theirs.add_annotation(harbour, TEXT_A.index("safety"), TEXT_A.index("safety") + 6)
    rows = list(csv.DictReader(io.StringIO(_export(theirs, tmp_path / "a.csv").read_text("utf-8"))))
    columns = [c for c in ANNOTATION_COLUMNS if c != "document_sha256"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        row["start"], row["end"] = str(int(row["start"]) + 1), str(int(row["end"]) + 1)  # offsets off by one
        writer.writerow(row)
    result = merge_annotations_csv(ours, io.StringIO(out.getvalue()))
    assert (result.added, result.unmatched) == (2, 0)
    placed = ours.get_annotation(unique.id)
    assert (placed.start, placed.end, placed.status) == (unique.start, unique.end, "ok")
    assert ours.get_annotation(repeated.id).status == "needs_review"  # "safety" occurs twice
    assert any("need" in m for m in result.messages)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not a Summit Reader annotation export"),
        ("a,b\r\n1,2\r\n", "not a Summit Reader annotation export"),
        ("annotation_id,start,end,quote\r\nx,1,2,q\r\n", "which document"),
        ("annotation_id,document_title,document_date,start,end,quote\r\nx,T,,one,2,q\r\n", "row 2"),
        ("annotation_id,document_title,document_date,start,end,quote,status\r\nx,T,,1,2,q,weird\r\n", "unknown status"),
        ("annotation_id,document_title,document_date,start,end,quote\r\n,T,,1,2,q\r\n", "no id"),
    ],
)
def test_bad_csv_is_refused_and_the_library_left_unchanged(
    pair: tuple[Library, Library], tmp_path: Path, content: str, message: str
) -> None:
    _theirs, ours = pair
    ours.add_annotation(_doc_id(ours, "Harbour"), 0, 5, note="mine")
    before = [_key(a) for a in ours.list_annotations()]
    tags_before = ours.list_tags()
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExportError, match=message):
        merge_annotations_csv(ours, path)
    assert [_key(a) for a in ours.list_annotations()] == before
    assert ours.list_tags() == tags_before


def test_a_failing_write_leaves_nothing_half_merged(pair: tuple[Library, Library], tmp_path: Path) -> None:
    theirs, ours = pair
    for offset in range(0, 40, 8):
        theirs.add_annotation(_doc_id(theirs, "Harbour"), offset, offset + 5, tags=["brand new"])
    csv_path = _export(theirs, tmp_path / "a.csv")
    original = ours.update_annotation_contents

    def boom(annotations: object) -> int:
        raise ExportError("simulated failure")

    ours.update_annotation_contents = boom  # type: ignore[method-assign]
    with pytest.raises(ExportError):
        merge_annotations_csv(ours, csv_path)
    ours.update_annotation_contents = original  # type: ignore[method-assign]
    assert ours.list_annotations() == []
    assert "brand new" not in {t.name for t in ours.list_tags()}


def test_insert_annotations_in_bulk(pair: tuple[Library, Library]) -> None:
    _theirs, ours = pair
    doc = _doc_id(ours, "Harbour")
    made = [
        Annotation(
            id=f"id-{i}", document_id=doc, start=i, end=i + 4, quote=TEXT_A[i : i + 4], prefix="", suffix="",
            note=f"n{i}", author="ana", created="2025-01-01T00:00:00Z", modified="2025-01-02T00:00:00Z",
            tags=("Hedge", "hedge", "fresh"),
        )
        for i in range(50)
    ]
    made.append(Annotation(**{**vars(made[0]), "id": "wrong-quote", "quote": "nope"}))
    assert ours.insert_annotations(made) == 51
    stored = {a.id: a for a in ours.list_annotations()}
    assert stored["id-3"].tags == ("fresh", "hedge") and stored["id-3"].author == "ana"
    assert stored["wrong-quote"].status == "needs_review"
    with pytest.raises(Exception, match="(?i)unique|could not"):
        ours.insert_annotations(made[:1])  # an id that exists: nothing written
    assert len(ours.list_annotations()) == 51


# ------------------------------------------------------------------ the column-at-a-time merge (issue #10)
#
# merge_annotations_csv checks whole columns at once and looks at single rows only where a column says
# something is unusual. The reference below is the row-by-row merge it replaced; both must leave a library
# in exactly the same state, for a file where most rows take the fast path and some take every slow one.


def _reference_merge(library: Library, source: Path) -> MergeResult:
    """The row-by-row merge (one dict and one Annotation per row) that merge_annotations_csv replaced."""
    from summit_reader.core.anchoring import clamp_span
    from summit_reader.core.export import read_annotations_csv, split_tags
    from summit_reader.core.merge import STATUSES, DocumentFinder, place_quote
    from summit_reader.core.store import PREFIX_CHARS

    rows = read_annotations_csv(source)
    finder = DocumentFinder(library.list_documents())
    incoming: dict[str, tuple[int, str, int, int, str, dict[str, str]]] = {}
    unmatched = 0
    absent: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        annotation_id = row.get("annotation_id", "").strip()
        if not annotation_id:
            raise ExportError(f"row {number}: the annotation has no id.")
        start, end = int(row["start"]), int(row["end"])
        if not 0 <= start < end:
            raise ExportError(f"row {number}: {start}–{end} is not a passage.")
        status = row.get("status", "") or "ok"
        if status not in STATUSES:
            raise ExportError(f"row {number}: unknown status {status!r}")
        sha = row.get("document_sha256", "").strip().lower()
        title, date = row.get("document_title", ""), row.get("document_date", "")
        doc_id = finder.find(sha, title, date)
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
    new: list[Annotation] = []
    changed: list[Annotation] = []
    unchanged = review = 0
    for annotation_id, (doc_id, modified, start, end, status, row) in incoming.items():
        current = existing.get(annotation_id)
        quote = row["quote"]
        prefix = suffix = ""
        if current is not None:
            if modified <= current:
                unchanged += 1
                continue
        else:
            text = library.get_document(doc_id).text
            placed = place_quote(text, start, end, quote) if status == "ok" else None
            if placed is None:
                review += 1
                status = "needs_review"
                start, end = clamp_span(start, end, len(text))
            else:
                start, end = placed
                prefix, suffix = text[max(0, start - PREFIX_CHARS) : start], text[end : end + PREFIX_CHARS]
        annotation = Annotation(
            id=annotation_id, document_id=doc_id, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix,
            note=row.get("note", ""), author=row.get("author", ""), created=row.get("created", "") or modified,
            modified=modified, tags=tuple(split_tags(row.get("tags", ""))), status=status,
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


TEXT_C = "=1+1 is a formula; -minus starts here, @at too, and 'quoted' text. The same words, the same words."


def _library_state(library: Library) -> tuple[object, ...]:
    annotations = [(*_key(a), a.document_id) for a in sorted(library.list_annotations(), key=lambda a: a.id)]
    tags = sorted((t.name, t.colour) for t in library.list_tags())
    return tuple(annotations), tuple(tags)


def _tricky_rows(theirs: Library, ours: Library) -> list[dict[str, str]]:
    """An export of ``theirs``, edited so that rows take every path of a merge into ``ours``."""
    from summit_reader.core.export import read_annotations_csv

    harbour, lakeside, formula = (_doc_id(theirs, t) for t in ("Harbour", "Lakeside", "Formula"))
    for offset in range(0, 60, 6):  # plain rows: quote at its offsets (the fast path)
        tags = ["hedge"] if offset % 12 else []
        theirs.add_annotation(harbour, offset, offset + 5, note=f"plain {offset}", tags=tags)
    theirs.add_annotation(formula, 0, 4, note="=SUM(A1)", tags=["+plus", "-minus;semi"], author="@ana")
    theirs.add_annotation(formula, TEXT_C.index("-minus"), TEXT_C.index("-minus") + 6, note="'quoted note")
    theirs.add_annotation(formula, TEXT_C.index("@at"), TEXT_C.index("@at") + 3, tags=["Hedge", "brand new"])
    science = theirs.add_annotation(harbour, TEXT_A.index("science"), TEXT_A.index("science") + 7)
    safety = theirs.add_annotation(harbour, TEXT_A.index("safety"), TEXT_A.index("safety") + 6)
    words = theirs.add_annotation(formula, TEXT_C.index("same words"), TEXT_C.index("same words") + 10)
    flagged = theirs.add_annotation(lakeside, 0, 10, note="flagged")
    older = theirs.add_annotation(lakeside, 11, 15, note="theirs, older")
    newer = theirs.add_annotation(lakeside, 16, 20, note="theirs, newer", tags=["commitment"])
    twice = theirs.add_annotation(lakeside, 21, 28, note="first version")
    # ours already has two of them: one changed later by us, one changed later by them
    merge_annotations_csv(ours, _export(theirs, Path(str(ours.path) + ".first.csv")))
    mine = ours.get_annotation(older.id)
    ours.restore_annotation(Annotation(**{**vars(mine), "note": "ours", "modified": "2999-01-01T00:00:00Z"}))
    rows = read_annotations_csv(_export(theirs, Path(str(ours.path) + ".second.csv")))
    by_id = {r["annotation_id"]: r for r in rows}
    by_id[newer.id].update(note="theirs, later", modified="2998-01-01T00:00:00Z", tags="key passage")
    by_id[older.id].update(note="theirs, stale", modified="2100-01-01T00:00:00Z")
    for moved in (science, safety, words):  # offsets off by one: placed by its one occurrence, or needs review
        r = by_id[moved.id]
        r["start"], r["end"] = str(int(r["start"]) + 1), str(int(r["end"]) + 1)
    by_id[flagged.id]["status"] = "needs_review"
    by_id[science.id]["created"] = ""  # falls back to modified
    # new ids for the rest, so that they are new to ours
    kept = (older.id, newer.id)
    fresh = [dict(r, annotation_id="new-" + r["annotation_id"]) for r in rows if r["annotation_id"] not in kept]
    extra = [
        dict(by_id[twice.id], annotation_id="dup", note="older copy", modified="2030-01-01T00:00:00Z"),
        dict(by_id[twice.id], annotation_id="dup", note="newer copy", modified="2031-01-01T00:00:00Z"),
        dict(by_id[twice.id], annotation_id="dup", note="tie, later row wins", modified="2031-01-01T00:00:00Z"),
        dict(by_id[twice.id], annotation_id="dup", note="oldest, last", modified="2029-01-01T00:00:00Z"),
        dict(by_id[twice.id], annotation_id="gone", document_sha256="0" * 64, document_title="Elsewhere"),
        dict(by_id[twice.id], annotation_id="gone-too", document_sha256="f" * 64, document_title=""),
        dict(by_id[twice.id], annotation_id="by-title", document_sha256=""),
        dict(by_id[twice.id], annotation_id=" padded ", modified=""),
        dict(by_id[twice.id], annotation_id="empty-quote", quote="", start="0", end="3"),
        dict(by_id[twice.id], annotation_id="past-the-end", start="5000", end="5004"),
        dict(by_id[twice.id], annotation_id="nul", note="a\x00b"),
    ]
    return [by_id[older.id], by_id[newer.id], *fresh, *extra]


def _write_rows(rows: list[dict[str, str]], path: Path, *, neutralise_all: bool = False) -> Path:
    from summit_reader.core.export import ANNOTATION_COLUMNS, write_table_csv

    out = [[r.get(c, "") for c in ANNOTATION_COLUMNS] for r in rows]
    if neutralise_all:  # a colleague's spreadsheet that put a "'" before every cell (restore_cell drops it)
        lines = [",".join(ANNOTATION_COLUMNS)]
        lines += [",".join('"\'' + c.replace('"', '""') + '"' for c in row) for row in out]
        path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
        return path
    write_table_csv(ANNOTATION_COLUMNS, out, path)
    return path


@pytest.mark.parametrize("neutralise_all", [False, True])
def test_column_merge_gives_what_the_row_by_row_merge_gave(tmp_path: Path, neutralise_all: bool) -> None:
    texts = [(TEXT_A, "Harbour", "2023-11-01"), (TEXT_B, "Lakeside", "2024-05-21"), (TEXT_C, "Formula", "")]
    theirs = _library(tmp_path / "theirs.sqlite3", texts)
    ours = _library(tmp_path / "ours.sqlite3", list(reversed(texts)))
    try:
        rows = _tricky_rows(theirs, ours)
        source = _write_rows(rows, tmp_path / "tricky.csv", neutralise_all=neutralise_all)
    finally:
        theirs.close()
        ours.close()
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes((tmp_path / "ours.sqlite3").read_bytes())
    with Library(tmp_path / "ours.sqlite3") as fast, Library(copy) as slow:
        got, expected = merge_annotations_csv(fast, source), _reference_merge(slow, source)
        assert got == expected
        assert _library_state(fast) == _library_state(slow)
    assert got.added > 20 and got.updated == 1 and got.unchanged == 1 and got.unmatched == 2
    assert len(got.messages) == 3  # two documents not here, and the annotations that need review


def test_merge_reads_hand_edited_cells_as_the_row_by_row_merge_did(
    pair: tuple[Library, Library], tmp_path: Path
) -> None:
    """Offsets and a status that a spreadsheet wrote with a leading "'" are read (restored) like any cell;
    rows are numbered as before in the message for the first one that cannot be read."""
    theirs, ours = pair
    theirs.add_annotation(_doc_id(theirs, "Harbour"), 3, 12)
    exported = _export(theirs, tmp_path / "a.csv").read_text("utf-8-sig")
    (row,) = [dict(r) for r in csv.DictReader(io.StringIO(exported))]
    row["status"] = "ok"
    good = _write_rows([row], tmp_path / "good.csv", neutralise_all=True)  # '3, '12, 'ok ...
    bad = _write_rows([row, dict(row, annotation_id="x", start="-1")], tmp_path / "bad.csv", neutralise_all=True)
    assert "'3" in good.read_text(encoding="utf-8")
    with pytest.raises(ExportError, match="row 3: -1–12 is not a passage"):
        merge_annotations_csv(ours, bad)
    result = merge_annotations_csv(ours, good)
    assert result.added == 1 and ours.list_annotations()[0].start == 3
