"""REFI-QDA exchange (core/qda.py): exports valid against the published schemas, positions in code points,
stable identifiers, a lossless round trip, imports of projects shaped like other programs' (offsets through
normalisation, UTF-16 positions), and bad files refused with the library left as it was."""

from __future__ import annotations

import importlib.resources
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from lxml import etree

from summit_reader.core import qda
from summit_reader.core.documents import new_document, normalise_text
from summit_reader.core.models import Annotation
from summit_reader.core.qda import QdaFormatError, export_qdc, export_qdpx, import_qdpx
from summit_reader.core.store import Library
from tests.helpers import qdpx_fixture as fx

# The published REFI-QDA schemas, as installed with the package (resources/refi_qda/).
SCHEMAS = importlib.resources.files("summit_reader.resources") / "refi_qda"
NS = {"q": qda.PROJECT_NS}

# Written for the tests: accents (composed), emoji beyond U+FFFF, typographic quotes, two paragraphs.
TEXT = (
    "Ministers met at the café 🏛️ in Zürich and agreed that naïve AI systems 🚀 must be tested.\n\n"
    "They will “share results” with partners — and review them in 2026."
)


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring((SCHEMAS / name).read_bytes()))


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "source.sqlite3")
    doc = lib.add_document(new_document(TEXT, "Illustrative text (not official)", date="2024-05-21", place="Seoul",
                                        kind="statement", source_url="https://example.org/text"))
    assert doc.id is not None
    risk = lib.ensure_tag("risk", "#112233")
    child = lib.ensure_tag("naïve systems", "#445566")
    lib.set_tag_parent(child.id, risk.id)
    for quote, note, tags in (
        ("naïve AI systems 🚀", "Two lines\nof note", ["naïve systems", "commitment"]),
        ("🏛️", "", ["risk"]),
        ("“share results”", "Quotes & <angle> brackets", []),
    ):
        start = TEXT.index(quote)
        lib.add_annotation(doc.id, start, start + len(quote), note=note, tags=tags, author="Ana Example")
    yield lib
    lib.close()


def _qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


def _state(lib: Library) -> tuple[int, int, int, list[tuple[str, str, int | None]]]:
    return (
        len(lib.list_documents()),
        len(lib.list_tags()),
        lib.count_annotations(),
        [(t.name, t.colour, t.parent_id) for t in lib.list_tags()],
    )


# ------------------------------------------------------------------------------------------ export


def test_project_and_codebook_are_valid_against_the_published_schemas(library: Library, tmp_path: Path) -> None:
    project = export_qdpx(library, tmp_path / "out.qdpx", lexicon_label="summit-default 1.0 sha256:abc")
    assert (project.documents, project.segments) == (1, 3)
    schema = _schema("Project.xsd")
    assert schema.validate(etree.fromstring(_qde(project.path))), schema.error_log
    codebook = export_qdc(library, tmp_path / "out.qdc", lexicon_label="summit-default 1.0 sha256:abc")
    schema = _schema("Codebook.xsd")
    assert schema.validate(etree.parse(str(codebook.path))), schema.error_log
    assert codebook.codes == len(library.list_tags())


def test_the_codebook_says_which_lexicon_and_library_it_came_from(library: Library, tmp_path: Path) -> None:
    """The codebook schema has no description element: the provenance is a comment that readers skip."""
    path = export_qdc(library, tmp_path / "out.qdc", lexicon_label="my-lexicon 2.1 sha256:0123abcd").path
    comments = etree.parse(str(path)).getroot().xpath("comment()")
    assert len(comments) == 1
    assert "Lexicon: my-lexicon 2.1 sha256:0123abcd." in comments[0].text
    assert f"library '{library.path.name}'" in comments[0].text
    names = [c.get("name") for c in ET.parse(path).getroot().iterfind(".//c:Code", {"c": "urn:QDA-XML:codebook:1.0"})]
    assert sorted(names) == sorted(t.name for t in library.list_tags())  # the comment hides no code


def test_the_schema_check_catches_a_broken_project(library: Library, tmp_path: Path) -> None:
    """The schema check has teeth: the same export without a selection's required endPosition fails it."""
    root = etree.fromstring(_qde(export_qdpx(library, tmp_path / "out.qdpx").path))
    del root.find(".//q:PlainTextSelection", NS).attrib["endPosition"]
    assert not _schema("Project.xsd").validate(root)


def test_sources_are_utf8_files_and_positions_count_code_points(library: Library, tmp_path: Path) -> None:
    path = export_qdpx(library, tmp_path / "out.qdpx").path
    root = ET.fromstring(_qde(path))
    source = root.find(".//q:TextSource", NS)
    assert source is not None
    internal = source.get("plainTextPath", "")
    assert internal.startswith("internal://") and internal.endswith(".txt")
    with zipfile.ZipFile(path) as zf:
        text = zf.read("sources/" + internal.removeprefix("internal://")).decode("utf-8")
    assert text == TEXT
    selections = source.findall("q:PlainTextSelection", NS)
    rocket = next(s for s in selections if "🚀" in s.get("name", ""))
    start, end = int(rocket.get("startPosition", "")), int(rocket.get("endPosition", ""))
    assert text[start:end] == "naïve AI systems 🚀"  # code points of the text…
    assert fx.utf16_offset(text, start) != start  # …which UTF-16 units would not give (emoji before it)
    for selection in selections:
        assert text[int(selection.get("startPosition", "")) : int(selection.get("endPosition", ""))] == selection.get("name")


def test_tags_are_nested_codes_with_colours_and_annotations_keep_their_ids(library: Library, tmp_path: Path) -> None:
    root = ET.fromstring(_qde(export_qdpx(library, tmp_path / "out.qdpx").path))
    risk = next(c for c in root.iterfind(".//q:Codes/q:Code", NS) if c.get("name") == "risk")
    assert risk.get("color") == "#112233"
    assert [c.get("name") for c in risk.findall("q:Code", NS)] == ["naïve systems"]
    guids = {s.get("guid") for s in root.iterfind(".//q:PlainTextSelection", NS)}
    assert guids == {a.id for a in library.list_annotations()}
    note = next(s for s in root.iterfind(".//q:PlainTextSelection", NS) if s.findtext("q:Description", "", NS))
    assert note.findtext("q:Description", "", NS) in {"Two lines\nof note", "Quotes & <angle> brackets"}
    assert {u.get("name") for u in root.iterfind(".//q:User", NS)} == {"Ana Example"}


def test_lexicon_provenance_travels_in_the_project_description(library: Library, tmp_path: Path) -> None:
    root = ET.fromstring(_qde(export_qdpx(library, tmp_path / "p.qdpx", lexicon_label="my-lexicon 2.1 sha256:0123abcd").path))
    description = root.findtext("q:Description", "", NS)
    assert "Lexicon: my-lexicon 2.1 sha256:0123abcd" in description
    assert "highlights are not exported" in description


def test_exports_twice_give_the_same_identifiers(library: Library, tmp_path: Path) -> None:
    def guids(path: Path) -> list[str]:
        return [e.get("guid", "") for e in ET.fromstring(_qde(path)).iter() if e.get("guid")]

    first = guids(export_qdpx(library, tmp_path / "a.qdpx").path)
    second = guids(export_qdpx(library, tmp_path / "b.qdpx").path)
    assert first == second and len(set(first)) == len(first)


def test_annotations_that_need_review_are_left_out_and_counted(library: Library, tmp_path: Path) -> None:
    doc_id = library.list_documents()[0].id
    library.replace_document_text(doc_id, "A completely different text, written for the tests.")
    result = export_qdpx(library, tmp_path / "out.qdpx")
    assert result.left_out == 3 and result.segments == 0
    assert ET.fromstring(_qde(result.path)).find(".//q:PlainTextSelection", NS) is None


def test_export_refuses_an_empty_library_and_a_missing_folder(tmp_path: Path, library: Library) -> None:
    empty = Library(tmp_path / "empty.sqlite3")
    with pytest.raises(qda.ExportError, match="no documents"):
        export_qdpx(empty, tmp_path / "x.qdpx")
    with pytest.raises(qda.ExportError, match="does not exist"):
        export_qdpx(library, tmp_path / "missing" / "x.qdpx")
    assert not (tmp_path / "x.qdpx").exists()


# ------------------------------------------------------------------------------------------ round trip


def test_round_trip_into_an_empty_library_keeps_everything(library: Library, tmp_path: Path) -> None:
    path = export_qdpx(library, tmp_path / "out.qdpx").path
    target = Library(tmp_path / "target.sqlite3")
    result = import_qdpx(target, path)
    assert (result.documents_added, result.segments_added, result.segments_review) == (1, 3, 0)

    def comparable(lib: Library) -> list[tuple[object, ...]]:
        return [(a.id, a.start, a.end, a.quote, a.prefix, a.suffix, a.note, a.tags, a.author, a.created, a.status)
                for a in lib.list_annotations()]

    assert comparable(target) == comparable(library)
    source_doc, target_doc = (lib.get_document(lib.list_documents()[0].id) for lib in (library, target))
    assert (target_doc.text, target_doc.title, target_doc.date, target_doc.place, target_doc.kind, target_doc.source_url) == (
        source_doc.text, source_doc.title, source_doc.date, source_doc.place, source_doc.kind, source_doc.source_url)

    def tags(lib: Library) -> dict[str, tuple[str, str | None]]:
        by_id = {t.id: t.name for t in lib.list_tags()}
        return {t.name: (t.colour, by_id.get(t.parent_id or -1)) for t in lib.list_tags()}

    assert tags(target) == tags(library)
    assert tags(target)["naïve systems"] == ("#445566", "risk")


def test_importing_the_same_project_again_adds_nothing(library: Library, tmp_path: Path) -> None:
    path = export_qdpx(library, tmp_path / "out.qdpx").path
    before = _state(library)
    again = import_qdpx(library, path)
    assert (again.documents_added, again.documents_matched, again.codes_added, again.segments_added) == (0, 1, 0, 0)
    assert again.segments_present == 3
    assert _state(library) == before


# ------------------------------------------------------------------------------------------ other programs


@pytest.mark.parametrize("utf16", [False, True], ids=["code points", "UTF-16 units"])
def test_a_project_from_another_program_lands_on_the_same_words(tmp_path: Path, utf16: bool) -> None:
    fixture = fx.other_tool_project(tmp_path, utf16=utf16)
    assert _schema("Project.xsd").validate(etree.fromstring(fx.project_xml(utf16=utf16).encode()))
    lib = Library(tmp_path / "lib.sqlite3")
    result = import_qdpx(lib, fixture.path)
    assert (result.documents_added, result.segments_added, result.codes_added) == (2, 4, 4)
    by_id = {a.id: a for a in lib.list_annotations()}
    for guid, (_raw, quote, _codes, memo) in fx.SELECTIONS.items():
        annotation = by_id[guid.lower()]
        assert annotation.quote == unicodedata.normalize("NFC", quote)
        text = lib.get_document(annotation.document_id).text
        assert text[annotation.start : annotation.end] == annotation.quote
        assert annotation.note.startswith(memo)
        assert annotation.author == "Ana Example"
        assert annotation.created == "2025-03-02T09:15:00Z"  # 10:15 at +01:00, in UTC
    interview = next(d for d in lib.list_documents() if d.title == "Harbour interview")
    assert lib.get_document(interview.id).text == normalise_text(fx.INTERVIEW)
    assert "\r" not in lib.get_document(interview.id).text
    assert by_id[next(iter(fx.SELECTIONS)).lower()].tags == ("Testing",)
    statement_note = next(a for a in by_id.values() if a.quote == "open research").note
    assert statement_note == f"Open science.\n\n{fx.NOTE_TEXT}"
    assert any("UTF-16" in m for m in result.messages) == utf16
    assert any("Scanned letter" in m and "rich-text" in m for m in result.messages)
    assert any("Report.pdf" in m for m in result.messages)


def test_codes_from_another_program_become_nested_tags_with_their_colours(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.sqlite3")
    result = import_qdpx(lib, fx.other_tool_project(tmp_path).path)
    tags = {t.name: t for t in lib.list_tags()}
    assert tags["Safety"].colour == "#cc0000"  # "#C00" written short
    assert tags["Testing"].parent_id == tags["Safety"].id
    assert tags["Testing (Cooperation)"].parent_id == tags["Cooperation"].id
    assert tags["Testing (Cooperation)"].colour == "#ff8800"
    assert any("“Testing (Cooperation)”" in m for m in result.messages)


def test_a_document_already_in_the_library_is_matched_not_duplicated(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.sqlite3")
    mine = lib.add_document(new_document(normalise_text(fx.INTERVIEW), "My copy of the interview"))
    result = import_qdpx(lib, fx.other_tool_project(tmp_path).path)
    assert (result.documents_added, result.documents_matched) == (1, 1)
    assert len(lib.list_documents()) == 2
    assert len(lib.list_annotations(document_id=mine.id)) == 3
    assert lib.get_document(mine.id).title == "My copy of the interview"


def test_existing_tags_keep_their_colour(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.sqlite3")
    lib.ensure_tag("safety", "#123456")
    result = import_qdpx(lib, fx.other_tool_project(tmp_path).path)
    assert result.codes_matched == 1
    assert {t.name.casefold(): t.colour for t in lib.list_tags()}["safety"] == "#123456"


def test_offsets_are_found_by_quote_when_normalisation_cannot_be_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(qda, "normalise_with_offsets", lambda raw: None)
    lib = Library(tmp_path / "lib.sqlite3")
    result = import_qdpx(lib, fx.other_tool_project(tmp_path).path)
    assert result.segments_added == 4
    for a in lib.list_annotations():
        assert lib.get_document(a.document_id).text[a.start : a.end] == a.quote
        assert a.status == "ok"


# ------------------------------------------------------------------------------------------ bad files


def _bad(tmp_path: Path, case: str) -> Path:
    members = fx.members()
    path = tmp_path / f"{case}.qdpx"
    if case == "not a zip":
        path.write_bytes(b"This is not a zip archive at all.")
        return path
    if case == "truncated zip":
        fx.write_zip(path, members)
        path.write_bytes(path.read_bytes()[:200])
        return path
    if case == "no project.qde":
        del members["project.qde"]
    elif case == "malformed XML":
        members["project.qde"] = members["project.qde"][:-40]
    elif case == "document type":
        members["project.qde"] = members["project.qde"].replace(
            b"<Project ", b'<!DOCTYPE Project [<!ENTITY boom "boom">]>\n<Project ', 1)
    elif case == "selection out of range":
        members["project.qde"] = fx.project_xml(extra_selection=(
            '<PlainTextSelection guid="{44444444-DDDD-4DDD-8DDD-0000000000FF}" startPosition="10" endPosition="99999"/>'
        )).encode()
    elif case == "position not a number":
        members["project.qde"] = members["project.qde"].replace(b'startPosition="', b'startPosition="x', 1)
    elif case == "member climbs out":
        members["../../evil.txt"] = b"outside"
    elif case == "source path climbs out":
        members["project.qde"] = members["project.qde"].replace(
            f"internal://{fx.STATEMENT_GUID}.txt".encode(), b"internal://../../../etc/passwd")
    elif case == "source missing":
        del members[f"sources/{fx.STATEMENT_GUID}.txt"]
    elif case == "source not UTF-8":
        members[f"sources/{fx.STATEMENT_GUID}.txt"] = "Ré-ünion".encode("latin-1")
    elif case == "not a REFI-QDA project":
        members["project.qde"] = b'<?xml version="1.0"?><Project xmlns="urn:example:other"/>'
    return fx.write_zip(path, members)


BAD_CASES = {
    "not a zip": "not a zip archive",
    "truncated zip": "not a zip archive",
    "no project.qde": "no project.qde",
    "malformed XML": "not well-formed XML",
    "document type": "document type",
    "selection out of range": "not a passage of its text",
    "position not a number": "not a whole number",
    "member climbs out": "unsafe name",
    "source path climbs out": "unsafe path",
    "source missing": "not in the archive",
    "source not UTF-8": "is not UTF-8",
    "not a REFI-QDA project": "not a REFI-QDA project",
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_changes(tmp_path: Path, case: str) -> None:
    lib = Library(tmp_path / "lib.sqlite3")
    lib.add_document(new_document("A text already in the library, written for the tests.", "Mine"))
    before = _state(lib)
    with pytest.raises(QdaFormatError, match=BAD_CASES[case]):
        import_qdpx(lib, _bad(tmp_path, case))
    assert _state(lib) == before


def _lie_about_size(path: Path, member: str, size: int) -> None:
    """Write ``size`` as the member's uncompressed size in its local and central headers (a crafted bomb)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(member).header_offset
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = 0
    while True:
        central = data.index(b"PK\x01\x02", central)
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + length] == name:
            data[central + 24 : central + 28] = size.to_bytes(4, "little")
            break
        central += 4
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("lying", [False, True], ids=["declared size", "size lied about"])
def test_a_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lying: bool) -> None:
    from summit_reader.core import qda_read

    monkeypatch.setattr(qda_read, "MAX_SOURCE_BYTES", 100_000)
    member = f"sources/{fx.STATEMENT_GUID}.txt"
    members = fx.members()
    members[member] = b"a" * 5_000_000  # deflates to a few kilobytes
    path = fx.write_zip(tmp_path / "bomb.qdpx", members)
    if lying:
        _lie_about_size(path, member, 50)
    lib = Library(tmp_path / "lib.sqlite3")
    with pytest.raises(QdaFormatError, match="largest Summit Reader reads" if not lying else "damaged|inflates"):
        import_qdpx(lib, path)
    assert lib.list_documents() == [] and lib.count_annotations() == 0


def test_an_annotation_id_of_another_format_gets_a_stable_guid(library: Library, tmp_path: Path) -> None:
    doc_id = library.list_documents()[0].id
    start = TEXT.index("Zürich")
    odd = Annotation(id="recogito-42", document_id=doc_id, start=start, end=start + 6, quote="Zürich", prefix="",
                     suffix="", note="", author="", created="2025-01-01T00:00:00Z", modified="2025-01-01T00:00:00Z")
    library.insert_annotations([odd])
    first = ET.fromstring(_qde(export_qdpx(library, tmp_path / "a.qdpx").path))
    second = ET.fromstring(_qde(export_qdpx(library, tmp_path / "b.qdpx").path))
    guid_of = [next(s.get("guid") for s in r.iterfind(".//q:PlainTextSelection", NS) if s.get("name") == "Zürich")
               for r in (first, second)]
    assert guid_of[0] == guid_of[1] and qda.is_guid(guid_of[0] or "")
    assert _schema("Project.xsd").validate(etree.fromstring(_qde(tmp_path / "a.qdpx")))
