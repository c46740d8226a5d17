"""Merging a colleague's annotation export into another library (summit_reader.core.merge)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from summit_reader.core.documents import new_document
from summit_reader.core.errors import ExportError
from summit_reader.core.export import ANNOTATION_COLUMNS, write_annotations_csv
from summit_reader.core.merge import merge_annotations_csv
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
