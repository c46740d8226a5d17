"""W3C Web Annotation export and import (summit_reader.core.webanno). The fixtures in other tools' shapes are
written by hand here, after the examples of the Web Annotation Data Model; the texts are our own."""

from __future__ import annotations

import json
import unicodedata
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from summit_reader.core.documents import new_document, text_hash
from summit_reader.core.errors import ExportError, NotFoundError
from summit_reader.core.models import Annotation
from summit_reader.core.store import Library
from summit_reader.core.webanno import (
    ANNO_CONTEXT,
    export_web_annotations,
    hash_from_iri,
    import_web_annotations,
    is_web_annotation_file,
)

# Written for these tests: accents (precomposed), emoji outside the Basic Multilingual Plane (two UTF-16 code
# units each), and a word that occurs several times.
TEXT_A = (
    "Le Sommet 🤖 réaffirme l’importance de la sûreté. Café, naïveté et déjà-vu 🇫🇷 ne sont pas des risques.\n\n"
    "We commit to safety research, and to safety testing before deployment 🛡️ of frontier models.\n\n"
    "Safety institutes will share their findings on safety."
)
TEXT_B = "Innovation must be inclusive. We support open research and we welcome new institutes."
LEXICON = "summit-default 1.0 sha256:0123456789ab"


def _library(path: Path, docs: list[tuple[str, str, str, str]]) -> Library:
    library = Library(path)
    for text, title, date, url in docs:
        library.add_document(new_document(text, title, date=date, source_url=url))
    return library


@pytest.fixture
def pair(tmp_path: Path) -> Any:
    """A colleague's library and ours with the same two texts, added in another order (other ids)."""
    docs = [(TEXT_A, "Sommet", "2025-02-11", "https://example.org/sommet"), (TEXT_B, "Lakeside", "2024-05-21", "")]
    theirs = _library(tmp_path / "theirs.sqlite3", docs)
    ours = _library(tmp_path / "ours.sqlite3", list(reversed(docs)))
    yield theirs, ours
    theirs.close()
    ours.close()


def _doc_id(library: Library, title: str) -> int:
    return next(s.id for s in library.list_documents() if s.title == title)


def _span(text: str, words: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = text.index(words, start + 1)
    return start, start + len(words)


def _key(a: Annotation) -> tuple[object, ...]:
    return (a.id, a.start, a.end, a.quote, a.prefix, a.suffix, a.note, a.author, a.created, a.modified, a.tags, a.status)


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _state(library: Library) -> tuple[object, ...]:
    """Everything an import could change."""
    return (
        [_key(a) for a in library.list_annotations()],
        [(t.name, t.colour, t.parent_id) for t in library.list_tags()],
    )


# ================================================================================================ export


def test_export_follows_the_model_and_counts_code_points(pair: Any, tmp_path: Path) -> None:
    theirs, _ours = pair
    sommet = _doc_id(theirs, "Sommet")
    start, end = _span(TEXT_A, "naïveté et déjà-vu 🇫🇷")
    theirs.add_annotation(sommet, start, end, note="Accents and a flag", tags=["hedge", "risk; danger"])
    out = tmp_path / "out.jsonld"
    assert export_web_annotations(theirs, out, lexicon_label=LEXICON) == 1

    items = json.loads(out.read_text("utf-8"))
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    annotation = theirs.list_annotations()[0]
    assert item["@context"] == ANNO_CONTEXT
    assert item["type"] == "Annotation" and item["id"] == f"urn:uuid:{annotation.id}"
    assert item["created"] == annotation.created and item["modified"] == annotation.modified
    assert {"type": "TextualBody", "purpose": "commenting", "value": "Accents and a flag", "format": "text/plain"} in item["body"]
    assert [b["value"] for b in item["body"] if b["purpose"] == "tagging"] == ["hedge", "risk; danger"]
    assert LEXICON in item["generator"]["schema:description"]  # provenance travels with every annotation

    target = item["target"]
    assert target["source"]["id"] == f"urn:sha256:{text_hash(TEXT_A)}"
    assert (target["source"]["label"], target["source"]["dcterms:date"]) == ("Sommet", "2025-02-11")
    selectors = {s["type"]: s for s in target["selector"]}
    quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
    assert quote["exact"] == "naïveté et déjà-vu 🇫🇷"
    assert quote["prefix"] == TEXT_A[start - 32 : start] and quote["suffix"] == TEXT_A[end : end + 32]
    # positions count code points: the robot before the passage is one character, not two UTF-16 units
    assert (position["start"], position["end"]) == (start, end)
    assert TEXT_A[position["start"] : position["end"]] == quote["exact"]
    utf16_start = len(TEXT_A[:start].encode("utf-16-le")) // 2
    assert utf16_start == start + 1


def test_export_of_one_document_and_errors_leave_the_file_alone(pair: Any, tmp_path: Path) -> None:
    theirs, _ours = pair
    sommet, lakeside = _doc_id(theirs, "Sommet"), _doc_id(theirs, "Lakeside")
    theirs.add_annotation(sommet, 0, 9)
    theirs.add_annotation(lakeside, 0, 10)
    out = tmp_path / "one.json"
    assert export_web_annotations(theirs, out, lakeside) == 1
    assert json.loads(out.read_text("utf-8"))[0]["target"]["selector"][0]["exact"] == TEXT_B[:10]
    before = out.read_bytes()
    with pytest.raises(NotFoundError):
        export_web_annotations(theirs, out, 999)
    with pytest.raises(ExportError, match="does not exist"):
        export_web_annotations(theirs, tmp_path / "missing" / "x.jsonld")
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ================================================================================================ round trip


def test_round_trip_into_another_library_is_exact(pair: Any, tmp_path: Path) -> None:
    theirs, ours = pair
    theirs.author = "Ana Lúcia"
    sommet, lakeside = _doc_id(theirs, "Sommet"), _doc_id(theirs, "Lakeside")
    theirs.add_annotation(sommet, *_span(TEXT_A, "🤖 réaffirme"), note="robot 🤖, ça va", tags=["émoji", "Wording; style"])
    theirs.add_annotation(sommet, *_span(TEXT_A, "safety", 2), note="the second “safety”")
    theirs.add_annotation(sommet, *_span(TEXT_A, "deployment 🛡️ of"), tags=["shield"])
    theirs.add_annotation(lakeside, *_span(TEXT_B, "open research"), note="line one\nline two")
    theirs.add_annotation(lakeside, *_span(TEXT_B, "institutes"))  # no note, no tags: a highlight
    out = tmp_path / "theirs.jsonld"
    export_web_annotations(theirs, out, lexicon_label=LEXICON)

    result = import_web_annotations(ours, out)
    assert (result.added, result.updated, result.unchanged, result.unmatched) == (5, 0, 0, 0)
    assert result.messages == ()
    mine = {a.id: a for a in ours.list_annotations()}
    for a in theirs.list_annotations():
        assert _key(mine[a.id]) == _key(a)
        assert mine[a.id].document_id == _doc_id(ours, theirs.get_document(a.document_id).title)
    assert {t.name for t in ours.list_tags()} >= {"émoji", "Wording; style", "shield"}

    again = import_web_annotations(ours, out)  # importing twice changes nothing
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
    assert len(ours.list_annotations()) == 5


def test_same_id_keeps_the_newer_version(pair: Any, tmp_path: Path) -> None:
    theirs, ours = pair
    sommet = _doc_id(theirs, "Sommet")
    first = theirs.add_annotation(sommet, *_span(TEXT_A, "Café"), note="old")
    second = theirs.add_annotation(sommet, *_span(TEXT_A, "sûreté"), note="theirs")
    import_web_annotations(ours, export_and_path(theirs, tmp_path / "a.jsonld"))
    theirs.restore_annotation(replace(first, note="new", tags=("hedge",), modified="2999-01-01T00:00:00Z"))
    ours.restore_annotation(replace(ours.get_annotation(second.id), note="ours", modified="2999-06-01T00:00:00Z"))

    result = import_web_annotations(ours, export_and_path(theirs, tmp_path / "b.jsonld"))
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    updated = ours.get_annotation(first.id)
    assert (updated.note, updated.tags, updated.modified) == ("new", ("hedge",), "2999-01-01T00:00:00Z")
    assert (updated.start, updated.end) == (first.start, first.end)
    assert ours.get_annotation(second.id).note == "ours"


def export_and_path(library: Library, path: Path) -> Path:
    export_web_annotations(library, path)
    return path


# ================================================================================================ other tools


def test_a_single_annotation_with_a_string_body_and_one_selector(pair: Any, tmp_path: Path) -> None:
    """As the model's own examples: one object, ``body`` a string, ``selector`` an object (not a list), the
    document named by the address it was published at, a creator that is a plain string, no tags."""
    _theirs, ours = pair
    path = _write(tmp_path / "one.jsonld", {
        "@context": ANNO_CONTEXT,
        "id": "http://example.org/anno23",
        "type": "Annotation",
        "creator": "Beatriz",
        "body": "Is “sûreté” safety or security?",
        "target": {
            "source": "https://example.org/sommet/",
            "selector": {"type": "TextQuoteSelector", "exact": "sûreté", "prefix": "l’importance de la ", "suffix": ". Café"},
        },
    })
    result = import_web_annotations(ours, path)
    assert (result.added, result.unmatched) == (1, 0)
    (added,) = ours.list_annotations()
    start, end = _span(TEXT_A, "sûreté")
    assert (added.document_id, added.start, added.end, added.status) == (_doc_id(ours, "Sommet"), start, end, "ok")
    assert (added.note, added.tags, added.author) == ("Is “sûreté” safety or security?", (), "Beatriz")
    assert added.id == str(uuid.uuid5(uuid.NAMESPACE_URL, "http://example.org/anno23"))
    assert added.prefix == TEXT_A[start - 32 : start]  # context from our text, for later re-anchoring
    again = import_web_annotations(ours, path)  # another tool's id maps to the same UUID every time
    assert (again.added, again.unchanged) == (0, 1)


def test_recogito_like_array_with_utf16_positions_and_tags(pair: Any, tmp_path: Path) -> None:
    """A JavaScript tool counts UTF-16 code units: after an emoji its positions are one too far. The quote
    places the annotation; tags and comments come from the bodies' purposes."""
    _theirs, ours = pair
    start, end = _span(TEXT_A, "naïveté")
    utf16 = len(TEXT_A[:start].encode("utf-16-le")) // 2
    path = _write(tmp_path / "recogito.json", [{
        "@context": ANNO_CONTEXT,
        "id": "#b7c1e2d0-annotation",
        "type": "Annotation",
        "created": "2025-03-01T10:00:00.125+01:00",
        "body": [
            {"type": "TextualBody", "purpose": "commenting", "value": "ironic?", "creator": {"name": "Chen"}},
            {"type": "TextualBody", "purpose": "tagging", "value": "tone"},
            {"type": "TextualBody", "purpose": "tagging", "value": "Tone"},
        ],
        "target": {
            "source": {"id": "https://elsewhere.example/doc", "label": "sommet", "dcterms:date": "2025-02-11"},
            "selector": [
                {"type": "TextQuoteSelector", "exact": "naïveté"},
                {"type": "TextPositionSelector", "start": utf16, "end": utf16 + len("naïveté")},
            ],
        },
    }])
    assert utf16 != start
    result = import_web_annotations(ours, path)
    assert (result.added, result.unmatched) == (1, 0)
    (added,) = ours.list_annotations()
    assert (added.start, added.end, added.quote, added.status) == (start, end, "naïveté", "ok")
    assert (added.note, added.tags) == ("ironic?", ("tone",))  # the same tag twice (in another case) is one
    assert (added.created, added.modified) == ("2025-03-01T09:00:00Z", "2025-03-01T09:00:00Z")


def test_collection_with_quote_selectors_only_uses_prefix_and_suffix(pair: Any, tmp_path: Path) -> None:
    """The word “safety” occurs three times in TEXT_A: the prefix and suffix say which. An
    AnnotationCollection with its page embedded (the model's section 5) is read too."""
    _theirs, ours = pair
    third = _span(TEXT_A, "safety", 3)  # "findings on safety."
    second = _span(TEXT_A, "safety", 2)  # "to safety testing"
    nfd = unicodedata.normalize("NFD", "sûreté")  # decomposed accents, as some tools send them
    path = _write(tmp_path / "collection.jsonld", {
        "@context": ANNO_CONTEXT,
        "id": "http://example.org/collection1",
        "type": "AnnotationCollection",
        "label": "Two annotations",
        "total": 3,
        "first": {
            "type": "AnnotationPage",
            "items": [
                {"type": "Annotation", "id": "urn:uuid:11111111-2222-4333-8444-555555555555",
                 "bodyValue": "the last one",
                 "target": {"source": f"ni:///sha-256;{_ni(TEXT_A)}",
                            "selector": {"type": "TextQuoteSelector", "exact": "safety", "prefix": "findings on ", "suffix": "."}}},
                {"type": "Annotation", "id": "urn:uuid:66666666-2222-4333-8444-555555555555",
                 "motivation": "tagging", "body": "testing",
                 "target": {"source": f"urn:sha256:{text_hash(TEXT_A)}",
                            "selector": [{"type": "TextQuoteSelector", "exact": "safety", "prefix": "and to ", "suffix": " testing"}]}},
                {"type": "Annotation", "id": "urn:uuid:77777777-2222-4333-8444-555555555555",
                 "target": {"source": f"urn:sha256:{text_hash(TEXT_A)}",
                            "selector": {"type": "TextQuoteSelector", "exact": nfd}}},
            ],
        },
    })
    result = import_web_annotations(ours, path)
    assert (result.added, result.unmatched) == (3, 0), result.messages
    last = ours.get_annotation("11111111-2222-4333-8444-555555555555")
    assert ((last.start, last.end), last.note, last.status) == (third, "the last one", "ok")
    tagged = ours.get_annotation("66666666-2222-4333-8444-555555555555")
    assert ((tagged.start, tagged.end), tagged.tags, tagged.note) == (second, ("testing",), "")
    accent = ours.get_annotation("77777777-2222-4333-8444-555555555555")
    assert ((accent.start, accent.end), accent.status) == (_span(TEXT_A, "sûreté"), "ok")


def _ni(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(bytes.fromhex(text_hash(text))).decode().rstrip("=")


def test_hypothesis_export_shape(pair: Any, tmp_path: Path) -> None:
    _theirs, ours = pair
    path = _write(tmp_path / "hypothesis.json", {
        "export_date": "2025-04-02T12:00:00.000Z",
        "annotations": [{
            "id": "Ab3dEfGhIjKl",
            "created": "2025-04-01T08:00:00.000000+00:00",
            "updated": "2025-04-01T09:15:00.000000+00:00",
            "user": "acct:dana@hypothes.is",
            "uri": "https://example.org/lakeside",
            "text": "Which institutes?",
            "tags": ["institutions", "follow up"],
            "target": [{"source": "https://example.org/lakeside",
                        "selector": [{"type": "RangeSelector", "startContainer": "/p[1]", "startOffset": 0,
                                      "endContainer": "/p[1]", "endOffset": 10},
                                     {"type": "TextPositionSelector", "start": 76, "end": 86},
                                     {"type": "TextQuoteSelector", "exact": "institutes", "prefix": "welcome new ", "suffix": "."}]}],
            "document": {"title": ["Lakeside"]},
        }],
    })
    result = import_web_annotations(ours, path)
    assert (result.added, result.unmatched) == (1, 0), result.messages
    (added,) = ours.list_annotations()
    assert (added.start, added.end) == _span(TEXT_B, "institutes")
    assert (added.note, added.tags, added.author) == ("Which institutes?", ("follow up", "institutions"), "dana")
    assert (added.created, added.modified) == ("2025-04-01T08:00:00Z", "2025-04-01T09:15:00Z")


def test_left_out_placed_approximately_or_needing_review(pair: Any, tmp_path: Path) -> None:
    _theirs, ours = pair
    sha = f"urn:sha256:{'0' * 64}"
    items = [
        # a whole page, no passage: left out
        {"type": "Annotation", "id": "urn:x:1", "body": "a page note", "target": "https://example.org/sommet"},
        # a document we do not have: left out, named
        {"type": "Annotation", "id": "urn:x:2", "target": {"source": {"id": sha, "label": "Elsewhere Declaration"},
                                                          "selector": {"type": "TextQuoteSelector", "exact": "x"}}},
        # a slightly different wording (another edition): placed approximately, with its context
        {"type": "Annotation", "id": "urn:x:3", "target": {"source": {"id": sha, "label": "Sommet"}, "selector": {
            "type": "TextQuoteSelector", "exact": "We commit to safety reserch",
            "prefix": "ne sont pas des risques.\n\n", "suffix": ", and to safety testing before"}}},
        # a quote that is nowhere: inserted for the user to place
        {"type": "Annotation", "id": "urn:x:4", "target": {"source": {"id": sha, "label": "Sommet"}, "selector": {
            "type": "TextQuoteSelector", "exact": "an entirely different sentence about oceans"}}},
    ]
    result = import_web_annotations(ours, _write(tmp_path / "mixed.json", items))
    assert (result.added, result.unmatched) == (2, 2)
    text = "\n".join(result.messages)
    assert "“Elsewhere Declaration” is not in this library: 1 annotation left out" in text
    assert "whole document" in text and "slightly" in text and "review" in text
    by_quote = {a.quote: a for a in ours.list_annotations()}
    fuzzy = by_quote["We commit to safety research"]
    assert (fuzzy.start, fuzzy.status) == (TEXT_A.index("We commit"), "ok")
    review = by_quote["an entirely different sentence about oceans"]
    assert review.status == "needs_review"


def test_a_position_only_selector_is_trusted_in_the_very_same_text(pair: Any, tmp_path: Path) -> None:
    _theirs, ours = pair
    start, end = _span(TEXT_B, "open research")
    item = {"type": "Annotation", "target": {"source": f"urn:sha256:{text_hash(TEXT_B)}",
                                               "selector": {"type": "TextPositionSelector", "start": start, "end": end}}}
    result = import_web_annotations(ours, _write(tmp_path / "pos.json", [item]))
    assert result.added == 1
    (added,) = ours.list_annotations()
    assert (added.quote, added.status) == ("open research", "ok")
    # another version of the text (found by title): the position is only a hint
    item["target"] = {"source": {"id": "https://other.example", "label": "Lakeside"},
                      "selector": {"type": "TextPositionSelector", "start": 0, "end": 10}}
    result = import_web_annotations(ours, _write(tmp_path / "pos2.json", [item]))
    assert result.added == 1 and "review" in result.messages[-1]


# ================================================================================================ bad input


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"{\"type\": \"Annotation\", ", "not valid JSON (line 1"),
        ("[{\"body\": \"caf\xe9\"}]".encode("latin-1"), "not valid UTF-8"),
        (b"\x00\x01\x02binary", "binary"),
        (b"{\"name\": \"summit-reader\", \"version\": \"1.0\"}", "does not hold W3C Web Annotations"),
        (b"[1, 2, 3]", "item 1: expected a W3C Web Annotation, found a int"),
        (b"\"just a string\"", "does not hold W3C Web Annotations"),
        (b"{\"type\": \"AnnotationCollection\", \"first\": \"http://example.org/page1\"}", "not in the file"),
        (b"[{\"type\": \"Annotation\", \"body\": \"x\"}]", "has no target"),
        (b"[{\"type\": \"Annotation\", \"target\": {\"source\": \"s\", \"selector\": "
         b"{\"type\": \"TextPositionSelector\", \"start\": 9, \"end\": 2}}}]", "is not a passage"),
        (b"[{\"type\": \"Annotation\", \"target\": {\"source\": \"s\", \"selector\": "
         b"{\"type\": \"TextQuoteSelector\", \"exact\": \"\"}}}]", "no exact text"),
        (b"[{\"type\": \"Annotation\", \"created\": \"last Tuesday\", \"target\": {\"source\": \"s\", \"selector\": "
         b"{\"type\": \"TextQuoteSelector\", \"exact\": \"x\"}}}]", "is not a date and time"),
    ],
)
def test_bad_files_say_why_and_change_nothing(pair: Any, tmp_path: Path, content: bytes, message: str) -> None:
    theirs, ours = pair
    ours.add_annotation(_doc_id(ours, "Lakeside"), 0, 10, note="ours", tags=["kept"])
    before = _state(ours)
    path = tmp_path / "bad.jsonld"
    path.write_bytes(content)
    with pytest.raises(ExportError, match="'bad.jsonld'") as info:
        import_web_annotations(ours, path)
    assert message in str(info.value)
    assert _state(ours) == before


def test_one_bad_annotation_after_good_ones_writes_nothing(pair: Any, tmp_path: Path) -> None:
    theirs, ours = pair
    theirs.add_annotation(_doc_id(theirs, "Lakeside"), 0, 10, tags=["new tag"])
    good = json.loads(export_and_path(theirs, tmp_path / "good.json").read_text("utf-8"))
    bad = {"type": "Annotation", "id": "urn:x:bad", "target": {"source": "s", "selector": {
        "type": "TextPositionSelector", "start": "ten", "end": 12}}}
    before = _state(ours)
    with pytest.raises(ExportError, match=r"annotation 2 \(urn:x:bad\).*not a passage"):
        import_web_annotations(ours, _write(tmp_path / "mixed.json", [*good, bad]))
    assert _state(ours) == before
    assert "new tag" not in {t.name for t in ours.list_tags()}


def test_missing_file_and_utf16_with_bom(pair: Any, tmp_path: Path) -> None:
    theirs, ours = pair
    with pytest.raises(ExportError, match="does not exist"):
        import_web_annotations(ours, tmp_path / "nowhere.jsonld")
    theirs.add_annotation(_doc_id(theirs, "Lakeside"), 0, 10)
    utf8 = export_and_path(theirs, tmp_path / "u8.json").read_text("utf-8")
    utf16 = tmp_path / "u16.json"
    utf16.write_bytes(utf8.encode("utf-16"))  # with its byte order mark
    assert import_web_annotations(ours, utf16).added == 1


def test_file_sniffing_and_document_iris(tmp_path: Path) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text("annotation_id,document_id\r\n", encoding="utf-8")
    hidden = tmp_path / "annotations.txt"
    hidden.write_bytes(b"\xef\xbb\xbf \n [ {}]")
    assert not is_web_annotation_file(csv_file)
    assert is_web_annotation_file(hidden)
    assert is_web_annotation_file(tmp_path / "not-yet.jsonld")  # by its name
    assert not is_web_annotation_file(tmp_path / "missing.csv")
    sha = text_hash(TEXT_B)
    assert hash_from_iri(f"urn:sha256:{sha.upper()}") == sha
    assert hash_from_iri(f"ni:///sha-256;{_ni(TEXT_B)}") == sha
    assert hash_from_iri("urn:sha256:1234") is None and hash_from_iri("https://example.org") is None
