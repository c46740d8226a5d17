"""Documents: encodings, normalisation, Markdown, and the errors a user sees for bad files."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summit_reader.core.documents import (
    MAX_IMPORT_BYTES,
    markdown_to_text,
    new_document,
    normalise_text,
    read_text_file,
    short_name,
    text_from_string,
)
from summit_reader.core.errors import DocumentImportError, EncodingError, InvalidInputError

TEXT = "We affirm the need for safety.\nCafé diplomacy — naïve or not."


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
)
def test_reads_utf8_and_utf16_with_bom(tmp_path: Path, encoding: str, bom: bytes) -> None:
    p = tmp_path / "doc.txt"
    p.write_bytes(bom + TEXT.encode(encoding))
    assert read_text_file(p).text == TEXT


def test_windows_1252_file_gets_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "legacy.txt"
    p.write_bytes("Déclaration sur la sécurité".encode("cp1252"))
    with pytest.raises(EncodingError, match=r"'legacy.txt' is not valid UTF-8 text .*Save it as UTF-8"):
        read_text_file(p)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DocumentImportError, match="binary"):
        read_text_file(p)


def test_empty_and_blank_files_are_refused(tmp_path: Path) -> None:
    for content in (b"", b"  \n\r\n\t \n"):
        p = tmp_path / "empty.txt"
        p.write_bytes(content)
        with pytest.raises(DocumentImportError, match="'empty.txt' is empty"):
            read_text_file(p)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    with p.open("wb") as f:
        f.truncate(MAX_IMPORT_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(DocumentImportError, match="largest file"):
        read_text_file(p)


def test_missing_file_folder_and_wrong_type(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="does not exist"):
        read_text_file(tmp_path / "nope.txt")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(DocumentImportError, match="folder"):
        read_text_file(folder)
    with pytest.raises(DocumentImportError, match="cannot be imported"):
        read_text_file(tmp_path / "report.pdf")


def test_normalisation_line_endings_nfc_and_controls() -> None:
    decomposed = "Cafe\u0301"  # e + combining acute
    raw = f"Line one\r\nLine two\rLine three\x07\n\n\n\n{decomposed}\u00a0end  \n"
    text = normalise_text(raw)
    assert text == "Line one\nLine two\nLine three\n\nCafé end"
    assert unicodedata.is_normalized("NFC", text)


@given(st.text())
def test_normalisation_is_idempotent(raw: str) -> None:
    once = normalise_text(raw)
    assert normalise_text(once) == once
    assert "\r" not in once


def test_markdown_keeps_reading_text_and_suggests_title(tmp_path: Path) -> None:
    p = tmp_path / "seoul_notes.md"
    p.write_text(
        "# Seoul notes\n\nLeaders **should** act; see [the annex](https://example.org/annex).\n\n"
        "- first item\n- second *item*\n",
        encoding="utf-8",
    )
    imported = read_text_file(p)
    assert imported.suggested_title == "Seoul notes"
    assert imported.text == "Seoul notes\n\nLeaders should act; see the annex.\n\n• first item\n• second item"
    assert "https" not in markdown_to_text("[x](https://a.b)")


def test_text_title_comes_from_file_name(tmp_path: Path) -> None:
    p = tmp_path / "paris_statement-draft.txt"
    p.write_text("Some text.", encoding="utf-8")
    assert read_text_file(p).suggested_title == "Paris statement draft"


def test_new_document_validates_date_and_title() -> None:
    doc = new_document("text", "  A   title ", date="2023-11-01", kind="Declaration")
    assert (doc.title, doc.date, doc.kind, doc.year) == ("A title", "2023-11-01", "declaration", "2023")
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
        new_document("text", "t", date="1 Nov 2023")
    with pytest.raises(InvalidInputError, match="title"):
        new_document("text", "   ")
    assert new_document("x", "t").text_hash == new_document("x", "other").text_hash


def test_pasted_text_limits() -> None:
    with pytest.raises(DocumentImportError, match="empty"):
        text_from_string(" \n ")
    with pytest.raises(DocumentImportError, match="characters"):
        text_from_string("a" * (MAX_IMPORT_BYTES + 1), "the pasted text")


def test_short_name_for_graph_axes() -> None:
    doc = new_document("x", "The Bletchley Declaration by Countries Attending the AI Safety Summit", date="2023-11-01")
    assert short_name(doc) == "Bletchley 2023"


def test_short_name_skips_a_label_before_a_colon() -> None:
    doc = new_document("x", "Illustrative sample: Harbour Declaration (not an official text)", date="2023-11-01")
    assert short_name(doc) == "Harbour 2023"
