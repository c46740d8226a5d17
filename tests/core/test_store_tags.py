"""The library methods behind the annotation window: tag edits that can be undone exactly, exact restores
of annotations, bulk retag/delete, placing an annotation that needs review, and the panel's paged query."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from summit_reader.core.documents import new_document
from summit_reader.core.errors import InvalidInputError, NotFoundError
from summit_reader.core.models import AnnotationFilter
from summit_reader.core.store import DEFAULT_TAGS, Library

# Written for these tests; not an official summit text.
TEXT = (
    "We affirm that AI should be safe. Developers must test their systems for safety. "
    "We welcome research on frontier risks, and we commit to meet again."
)


@pytest.fixture
def lib(tmp_path: Path):  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "tags.sqlite3")
    yield library
    library.close()


def _doc(library: Library, text: str = TEXT, title: str = "Test text (written for the tests)") -> int:
    doc = library.add_document(new_document(text, title))
    assert doc.id is not None
    return doc.id


def _span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def _links(library: Library) -> set[tuple[str, str]]:
    return {(a.id, t) for a in library.list_annotations() for t in a.tags}


def _tag(library: Library, name: str):  # type: ignore[no-untyped-def]
    return next(t for t in library.list_tags() if t.name == name)


def test_new_library_has_the_default_tags(lib: Library) -> None:
    assert {t.name for t in lib.list_tags()} == {name for name, _ in DEFAULT_TAGS}
    assert set(lib.tag_usage_counts().values()) == {0}


def test_rename_recolour_and_nest(lib: Library) -> None:
    doc = _doc(lib)
    a = lib.add_annotation(doc, *_span(TEXT, "should be safe"), tags=["hedge"])
    hedge = _tag(lib, "hedge")
    renamed = lib.rename_tag(hedge.id, "  Hedging ")
    assert renamed.name == "Hedging" and renamed.id == hedge.id
    assert lib.get_annotation(a.id).tags == ("Hedging",)
    assert lib.get_annotation(a.id).modified == a.modified  # tag edits leave annotations' times alone
    assert lib.rename_tag(hedge.id, "hedging").name == "hedging"  # capitals only: allowed
    with pytest.raises(InvalidInputError, match="merge"):
        lib.rename_tag(hedge.id, "COMMITMENT")
    with pytest.raises(InvalidInputError):
        lib.rename_tag(hedge.id, "   ")
    assert lib.set_tag_colour(hedge.id, "#ABCDEF").colour == "#abcdef"
    with pytest.raises(InvalidInputError, match="colour"):
        lib.set_tag_colour(hedge.id, "blue")
    risk = _tag(lib, "existing risk")
    extinction = _tag(lib, "extinction risk")
    assert lib.set_tag_parent(extinction.id, risk.id).parent_id == risk.id
    with pytest.raises(InvalidInputError, match="sub-tags"):
        lib.set_tag_parent(risk.id, extinction.id)
    with pytest.raises(InvalidInputError):
        lib.set_tag_parent(risk.id, risk.id)
    assert lib.set_tag_parent(extinction.id, None).parent_id is None
    with pytest.raises(NotFoundError):
        lib.rename_tag(9999, "x")


def test_merge_and_unmerge_restore_the_exact_links(lib: Library) -> None:
    doc = _doc(lib)
    only_source = lib.add_annotation(doc, *_span(TEXT, "should be safe"), tags=["hedge"])
    both = lib.add_annotation(doc, *_span(TEXT, "must test"), tags=["hedge", "commitment"])
    only_target = lib.add_annotation(doc, *_span(TEXT, "we commit"), tags=["commitment"])
    neither = lib.add_annotation(doc, *_span(TEXT, "frontier risks"), tags=["key passage"])
    hedge, commitment = _tag(lib, "hedge"), _tag(lib, "commitment")
    child = lib.ensure_tag("soft hedge")
    lib.set_tag_parent(child.id, hedge.id)
    lib.set_tag_parent(hedge.id, _tag(lib, "key passage").id)
    before_links = _links(lib)
    before_tags = lib.list_tags()

    merge = lib.merge_tags(hedge.id, commitment.id)
    assert merge.added_annotation_ids == (only_source.id,)
    assert set(merge.source_annotation_ids) == {only_source.id, both.id}
    assert "hedge" not in {t.name for t in lib.list_tags()}
    assert lib.get_annotation(only_source.id).tags == ("commitment",)
    assert lib.get_annotation(both.id).tags == ("commitment",)
    assert lib.get_annotation(only_target.id).tags == ("commitment",)
    assert lib.get_annotation(neither.id).tags == ("key passage",)
    assert lib.get_tag(child.id).parent_id == commitment.id  # sub-tags follow the merge

    restored = lib.unmerge_tags(merge)
    assert restored.id == hedge.id and restored.parent_id == _tag(lib, "key passage").id
    assert _links(lib) == before_links
    assert lib.list_tags() == before_tags
    with pytest.raises(InvalidInputError):
        lib.merge_tags(hedge.id, hedge.id)


def test_merge_into_own_sub_tag(lib: Library) -> None:
    parent = lib.ensure_tag("risk")
    sub = lib.ensure_tag("risk/bio")
    lib.set_tag_parent(sub.id, parent.id)
    before = lib.list_tags()
    merge = lib.merge_tags(parent.id, sub.id)
    assert lib.get_tag(sub.id).parent_id is None
    lib.unmerge_tags(merge)
    assert lib.list_tags() == before


def test_delete_and_restore_a_tag(lib: Library) -> None:
    doc = _doc(lib)
    a = lib.add_annotation(doc, *_span(TEXT, "should be safe"), tags=["hedge", "key passage"])
    b = lib.add_annotation(doc, *_span(TEXT, "must test"), tags=["hedge"])
    hedge = _tag(lib, "hedge")
    child = lib.ensure_tag("soft")
    lib.set_tag_parent(child.id, hedge.id)
    assert lib.tag_usage(hedge.name) == 2
    before_links, before_tags = _links(lib), lib.list_tags()
    snapshot = lib.delete_tag(hedge.id)
    assert set(snapshot.annotation_ids) == {a.id, b.id}
    assert snapshot.child_ids == (child.id,)
    assert lib.get_annotation(b.id).tags == ()
    assert lib.get_tag(child.id).parent_id is None
    assert lib.restore_tag(snapshot).id == hedge.id
    assert _links(lib) == before_links and lib.list_tags() == before_tags
    # a tag with the same name created meanwhile: refused, nothing changed
    snapshot = lib.delete_tag(hedge.id)
    lib.ensure_tag("HEDGE")
    with pytest.raises(InvalidInputError, match="exists now"):
        lib.restore_tag(snapshot)


def test_restore_tag_whose_id_was_taken(lib: Library) -> None:
    doc = _doc(lib)
    newest = lib.ensure_tag("newest")
    a = lib.add_annotation(doc, 0, 5, tags=["newest"])
    snapshot = lib.delete_tag(newest.id)
    other = lib.ensure_tag("another")  # SQLite may hand out the freed id again
    restored = lib.restore_tag(snapshot)
    assert restored.name == "newest"
    assert restored.id != other.id
    assert lib.get_annotation(a.id).tags == ("newest",)


def test_restore_annotation_brings_back_the_same_row(lib: Library) -> None:
    doc = _doc(lib)
    a = lib.add_annotation(doc, *_span(TEXT, "must test"), note="strong", tags=["commitment", "new tag"], author="Ada")
    lib.delete_annotation(a.id)
    lib.delete_tag(_tag(lib, "new tag").id)
    again = lib.restore_annotation(a)
    assert again == a  # same id, offsets, note, author, created, modified, tags and status
    edited = lib.update_annotation(a.id, note="changed", tags=["hedge"])
    assert edited.modified >= a.modified
    assert lib.restore_annotation(a) == a
    assert lib.restore_annotation(edited) == edited


def test_restore_annotation_on_changed_text_needs_review(lib: Library) -> None:
    doc = _doc(lib)
    a = lib.add_annotation(doc, *_span(TEXT, "must test"))
    lib.delete_annotation(a.id)
    lib.replace_document_text(doc, "Completely different words now. " * 4)
    assert lib.restore_annotation(a).status == "needs_review"


def test_bulk_retag_delete_and_restore(lib: Library) -> None:
    doc = _doc(lib)
    a = lib.add_annotation(doc, *_span(TEXT, "should be safe"), tags=["hedge"])
    b = lib.add_annotation(doc, *_span(TEXT, "must test"), tags=["commitment"])
    c = lib.add_annotation(doc, *_span(TEXT, "we commit"), tags=["commitment", "key passage"])
    after = lib.retag_annotations([a.id, b.id, c.id], add=["Review", "review"], remove=["COMMITMENT"])
    assert [x.tags for x in after] == [("hedge", "Review"), ("Review",), ("key passage", "Review")]
    with pytest.raises(InvalidInputError):
        lib.retag_annotations([a.id], add="x")
    assert lib.restore_annotations([a, b, c]) == [a, b, c]
    unchanged = lib.retag_annotations([a.id], add=["HEDGE"])
    assert unchanged == [a]  # nothing changed: same tags, same modified time
    deleted = lib.delete_annotations([a.id, "no-such-id", b.id])
    assert deleted == [a, b]
    assert lib.count_annotations() == 1
    assert lib.restore_annotations(deleted) == [a, b]
    assert lib.get_annotations([b.id, "missing", a.id]) == [b, a]


def test_place_annotation(lib: Library) -> None:
    doc = _doc(lib)
    a = lib.add_annotation(doc, *_span(TEXT, "must test"), note="keep me", tags=["hedge"])
    new_text = "Preface added. " + TEXT.replace("must test", "shall check")
    lib.replace_document_text(doc, new_text)
    flagged = lib.get_annotation(a.id)
    if flagged.status != "needs_review":  # a re-anchoring that found a place must not have invented one
        assert new_text[flagged.start : flagged.end] == flagged.quote
    start, end = _span(new_text, "shall check")
    placed = lib.place_annotation(a.id, start, end)
    assert (placed.start, placed.end, placed.quote, placed.status) == (start, end, "shall check", "ok")
    assert placed.note == "keep me" and placed.tags == ("hedge",) and placed.created == a.created
    assert placed.prefix == new_text[max(0, start - 32) : start]
    with pytest.raises(InvalidInputError):
        lib.place_annotation(a.id, 5, 5)


def test_query_filters_sorts_and_pages(lib: Library) -> None:
    first = _doc(lib)
    second = lib.add_document(new_document("Ünïcode Straße text, written for the tests only.", "Other", date="2024-01-01")).id
    assert second is not None
    lib.set_tag_parent(_tag(lib, "extinction risk").id, _tag(lib, "existing risk").id)
    a = lib.add_annotation(first, *_span(TEXT, "should be safe"), note="Zebra note", tags=["hedge"], author="bob")
    b = lib.add_annotation(first, *_span(TEXT, "must test"), note="alpha 100% sure", tags=["extinction risk"], author="Al")
    c = lib.add_annotation(second, 0, 7, note="STRASSE", author="cy")
    total = lib.count_matching_annotations()
    assert total == 3
    assert [x.id for x in lib.query_annotations()] == [c.id, a.id, b.id]  # dated document first
    assert [x.id for x in lib.query_annotations(sort="note")] == [b.id, c.id, a.id]
    assert [x.id for x in lib.query_annotations(sort="note", descending=True)] == [a.id, c.id, b.id]
    assert [x.id for x in lib.query_annotations(sort="author")] == [b.id, a.id, c.id]
    assert [x.id for x in lib.query_annotations(sort="tags")][-1] == c.id  # untagged last
    assert [x.id for x in lib.query_annotations(offset=1, limit=1)] == [a.id]
    with pytest.raises(InvalidInputError):
        lib.query_annotations(sort="colour")

    def ids(**kw: object) -> set[str]:
        flt = AnnotationFilter(**kw)  # type: ignore[arg-type]
        found = {x.id for x in lib.query_annotations(flt)}
        assert lib.count_matching_annotations(flt) == len(found)
        return found

    assert ids(document_ids=(first,)) == {a.id, b.id}
    assert ids(document_ids=()) == set()
    risk_family = (_tag(lib, "existing risk").id, _tag(lib, "extinction risk").id)
    assert ids(tag_ids=risk_family) == {b.id}
    assert ids(untagged=True) == {c.id}
    assert ids(text="ZEBRA") == {a.id}
    assert ids(text="100%") == {b.id}  # % is a character, not a wildcard
    assert ids(text="_") == set()
    assert ids(text="straße") == {c.id}  # casefold: Straße ~ STRASSE
    assert ids(text="hedg") == {a.id}  # tag names too
    assert ids(text="ünïcode") == {c.id}
    lib.replace_document_text(first, "Nothing of the old words remains in this replacement text.")
    assert ids(status="needs_review") == {a.id, b.id}


def test_data_version_changes_when_another_connection_writes(lib: Library) -> None:
    doc = _doc(lib)
    before = lib.data_version()
    lib.add_annotation(doc, 0, 5)
    assert lib.data_version() == before  # our own writes do not count
    with Library(lib.path) as other:
        other.add_annotation(doc, 5, 9)
    assert lib.data_version() != before
    conn = sqlite3.connect(lib.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
