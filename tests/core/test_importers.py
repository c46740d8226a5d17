"""Importers for HTML, PDF and DOCX (and the dispatcher over .txt/.md), on files the tests generate:
HTML written here, PDFs drawn with Qt's own PDF writer, DOCX built with python-docx. All texts are
written for the tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from summit_reader.core.documents import MAX_IMPORT_BYTES, new_document
from summit_reader.core.errors import DocumentImportError, DuplicateDocumentError, EncodingError
from summit_reader.core.html_extract import extract_article, html_to_text
from summit_reader.core.importers import FILE_DIALOG_FILTER, read_document_file, read_pasted_text
from summit_reader.core.store import Library
from tests.corpus_pages import Publishers, running_publishers


@pytest.fixture
def publishers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Publishers]:
    with running_publishers(monkeypatch) as state:
        yield state


LABEL = "Test page written for Summit Reader."

# ---------------------------------------------------------------------------------------------- HTML


def test_html_keeps_headings_paragraphs_and_lists_and_fetches_nothing(tmp_path: Path, publishers: Publishers) -> None:
    port = publishers.port
    page = tmp_path / "page.html"
    page.write_text(
        f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Window title of the test page</title>
<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
<link rel="preload" href="http://127.0.0.1:{port}/font.woff2">
<style>p {{ color: red; }}</style>
<script src="http://127.0.0.1:{port}/app.js"></script>
<script>document.write("script text");</script>
</head><body>
<nav><a href="/">Navigation link</a></nav>
<header><p>Banner of the site</p></header>
<main>
<h1>A heading &amp; more</h1>
<p>{LABEL} The first paragraph,
spread over two source lines.</p>
<img src="http://127.0.0.1:{port}/x.png" alt="image description">
<iframe src="http://127.0.0.1:{port}/frame.html">frame text</iframe>
<p style="background: url(http://127.0.0.1:{port}/bg.png)">Second paragraph with <a href="http://127.0.0.1:{port}/a">a link</a>.</p>
<h2>Sub-heading</h2>
<ul><li>first item</li><li>second item<ul><li>nested item</li></ul></li></ul>
<ol><li>numbered one</li><li>numbered two</li></ol>
<p style="display: none">hidden text</p><div hidden>more hidden text</div>
<aside>Related pages</aside>
</main>
<footer>Footer of the site</footer>
</body></html>""",
        encoding="utf-8",
    )
    imported = read_document_file(page)
    assert imported.format == "html"
    assert imported.suggested_title == "A heading & more"
    assert imported.text == (
        f"A heading & more\n\n{LABEL} The first paragraph, spread over two source lines.\n\n"
        "Second paragraph with a link.\n\nSub-heading\n\n"
        "• first item\n• second item\n  • nested item\n\n1. numbered one\n2. numbered two"
    )
    for absent in ("script", "color", "Navigation", "Banner", "image description", "frame text", "Related",
                   "Footer", "127.0.0.1", "Window title"):
        assert absent not in imported.text
    assert publishers.requests == []  # nothing was fetched while importing


def test_malformed_html_still_gives_its_text(tmp_path: Path) -> None:
    page = tmp_path / "broken.htm"
    page.write_bytes(
        b"<html><body><div><p>First unclosed paragraph<p>Second <b>bold <i>italic</b> text"
        b"<ul><li>item one<li>item two</ul></span></div></div></td><p>Last & lonely < sign"
        + b"<div>" * 5000  # deeply nested tag soup
        + b"deep text"
    )
    text = read_document_file(page).text
    assert text == (
        "First unclosed paragraph\n\nSecond bold italic text\n\n• item one\n• item two\n\n"
        "Last & lonely < sign\n\ndeep text"
    )


def test_html_encodings(tmp_path: Path) -> None:
    declared = tmp_path / "declared.html"
    declared.write_bytes(
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
        + "<body><p>Déclaration – test</p></body></html>".encode("cp1252")
    )
    assert read_document_file(declared).text == "Déclaration – test"
    undeclared = tmp_path / "undeclared.html"
    undeclared.write_bytes("<p>Déclaration</p>".encode("latin-1"))
    with pytest.raises(EncodingError, match="'undeclared.html' is not valid UTF-8"):
        read_document_file(undeclared)
    unknown = tmp_path / "unknown.html"
    unknown.write_bytes(b'<meta charset="x-no-such-charset"><p>x</p>')
    with pytest.raises(EncodingError, match="'unknown.html' declares the character encoding 'x-no-such-charset'"):
        read_document_file(unknown)


def test_html_without_text_and_binary_html(tmp_path: Path) -> None:
    only_code = tmp_path / "code.html"
    only_code.write_text("<html><head><script>var a = 1;</script><style>p{}</style></head><body></body></html>")
    with pytest.raises(DocumentImportError, match="'code.html' has no readable text"):
        read_document_file(only_code)
    binary = tmp_path / "picture.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    with pytest.raises(DocumentImportError, match="'picture.html' looks like a binary file"):
        read_document_file(binary)


def test_extract_article_finds_the_body_or_says_none() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    page = f"<body><nav>{'menu ' * 300}</nav><div id='x'><div><p>{words}</p><p>more</p></div></div></body>"
    found = extract_article(page, min_words=150)
    assert found is not None and found.text.startswith("word0") and "menu" not in found.text
    assert extract_article("<body><p>Page moved.</p></body>", min_words=150) is None
    assert html_to_text("<p>fragment <b>only</b></p>").text == "fragment only"


def test_paste_prefers_html_and_suggests_a_title() -> None:
    pasted = read_pasted_text("ignored plain", "<h1>Pasted heading</h1><p>One.</p><ul><li>a</li><li>b</li></ul>")
    assert (pasted.text, pasted.suggested_title, pasted.format) == ("Pasted heading\n\nOne.\n\n• a\n• b", "Pasted heading", "paste")
    plain = read_pasted_text("  First line of the paste\r\nSecond line  ")
    assert plain.text == "First line of the paste\nSecond line" and plain.suggested_title == "First line of the paste"
    with pytest.raises(DocumentImportError, match="The pasted text is empty"):
        read_pasted_text(" \n ")


# ----------------------------------------------------------------------------------------------- PDF


def _pdf(path: Path, pages: list[str], *, header: bool = True, title: str = "", text: bool = True) -> Path:
    """Draw a PDF with Qt: each page's HTML through QTextDocument, plus a running header and footer."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QFont, QPageSize, QPainter, QPdfWriter, QTextDocument

    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(72)
    writer.setTitle(title)
    painter = QPainter(writer)
    for number, html in enumerate(pages, start=1):
        if number > 1:
            writer.newPage()
        if not text:
            painter.fillRect(QRectF(60, 80, 300, 200), QColor("#0072b2"))
            painter.drawRect(QRectF(40, 40, 400, 600))
            continue
        if header:
            painter.setFont(QFont("DejaVu Sans", 9))
            painter.drawText(40, 30, "Summit Reader test header — not an official text")
            painter.drawText(40, 815, f"Page {number} of {len(pages)}")
        document = QTextDocument()
        document.setDefaultFont(QFont("DejaVu Sans", 11))
        document.setHtml(html)
        document.setTextWidth(500)
        painter.save()
        painter.translate(40, 60)
        document.drawContents(painter)
        painter.restore()
    painter.end()
    return path


FILLER = (
    "This sentence was written for the Summit Reader tests and says nothing official at all, "
    "it only fills the line so that the paragraph wraps like a real one"
)


def test_pdf_paragraphs_hyphenation_and_running_headers(tmp_path: Path, qapp: object) -> None:
    pdf = _pdf(
        tmp_path / "report.pdf",
        [
            f"<h2>A test heading</h2><p>{LABEL} {FILLER}. The inter-<br>national community and the AI-<br>related "
            f"work, and co-<br>operation as in co-operation.</p><p>{FILLER}, once more.</p>"
            f"<p>{FILLER}, and this paragraph runs on to the</p>",
            f"<p>next page where it ends.</p><p>{FILLER}, on page two.</p>",
            "<p>A last short paragraph.</p>",
        ],
        title="Test PDF title",
    )
    imported = read_document_file(pdf)
    assert imported.format == "pdf" and imported.suggested_title == "Test PDF title"
    paragraphs = imported.text.split("\n\n")
    assert paragraphs[0] == "A test heading"
    assert paragraphs[1].startswith(f"{LABEL} {FILLER}. The international community and the AI-related work")
    assert paragraphs[1].endswith("and co-operation as in co-operation.")
    assert paragraphs[2] == f"{FILLER}, once more."
    assert paragraphs[3] == f"{FILLER}, and this paragraph runs on to the next page where it ends."
    assert paragraphs[4:] == [f"{FILLER}, on page two.", "A last short paragraph."]
    assert "header" not in imported.text and "Page " not in imported.text
    assert "\n" not in paragraphs[1]


def test_pdf_without_text_layer(tmp_path: Path, qapp: object) -> None:
    pdf = _pdf(tmp_path / "scan.pdf", ["", ""], text=False)
    with pytest.raises(DocumentImportError, match="'scan.pdf': this PDF has no text layer"):
        read_document_file(pdf)


def test_damaged_and_fake_pdfs(tmp_path: Path, qapp: object) -> None:
    good = _pdf(tmp_path / "good.pdf", [f"<p>{LABEL}</p>"], header=False).read_bytes()
    cases = {
        "truncated.pdf": (good[: len(good) // 2], "'truncated.pdf' is damaged or is not a valid PDF"),
        "garbage.pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 8, "'garbage.pdf' is damaged or is not a valid PDF"),
        "fake.pdf": (b"just some text, not a PDF", "'fake.pdf' is not a PDF file"),
        "empty.pdf": (b"", "'empty.pdf' is empty"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DocumentImportError, match=message):
            read_document_file(path)
    # a PDF is recognised by its content whatever its name says
    renamed = tmp_path / "download"
    renamed.write_bytes(good)
    assert read_document_file(renamed).text == LABEL


# ---------------------------------------------------------------------------------------------- DOCX


def _docx(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Test DOCX title"
    document.add_paragraph("Test document heading", style="Title")
    document.add_heading("Part one", level=1)
    document.add_paragraph(f"{LABEL} A paragraph with a line\nbreak inside it.")
    document.add_paragraph("")
    document.add_paragraph("first numbered", style="List Number")
    document.add_paragraph("second numbered", style="List Number")
    document.add_paragraph("a bullet", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"cell {r}{c}"
    document.add_paragraph("After the table.")
    section = document.sections[0]
    section.header.paragraphs[0].text = "Running header text"
    section.footer.paragraphs[0].text = "Running footer text"
    document.save(str(path))
    return path


def test_docx_paragraphs_lists_and_tables(tmp_path: Path) -> None:
    imported = read_document_file(_docx(tmp_path / "notes.docx"))
    assert imported.format == "docx" and imported.suggested_title == "Test DOCX title"
    assert imported.text == (
        f"Test document heading\n\nPart one\n\n{LABEL} A paragraph with a line\nbreak inside it.\n\n"
        "1. first numbered\n2. second numbered\n• a bullet\n\ncell 00\tcell 01\ncell 10\tcell 11\n\nAfter the table."
    )
    assert "Running" not in imported.text


def test_bad_docx_files(tmp_path: Path) -> None:
    not_zip = tmp_path / "letter.docx"
    not_zip.write_bytes(b"plain words, not a package")
    with pytest.raises(DocumentImportError, match="'letter.docx' is not a Word .docx file"):
        read_document_file(not_zip)
    other_zip = tmp_path / "archive.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "a zip, not a document")
    other_zip.write_bytes(buffer.getvalue())
    with pytest.raises(DocumentImportError, match="'archive.docx' is a ZIP file, not a Word .docx"):
        read_document_file(other_zip)
    broken = tmp_path / "broken.docx"
    good = _docx(tmp_path / "good.docx").read_bytes()
    broken.write_bytes(good[: len(good) // 2])
    with pytest.raises(DocumentImportError, match="'broken.docx'"):
        read_document_file(broken)
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(DocumentImportError, match="old Word 97–2003 format"):
        read_document_file(old)


# ------------------------------------------------------------------------------------- the dispatcher


def test_text_and_markdown_still_import_through_the_dispatcher(tmp_path: Path) -> None:
    md = tmp_path / "notes.md"
    md.write_text("# Notes heading\n\nSome *text*.", encoding="utf-8")
    assert (read_document_file(md).text, read_document_file(md).format) == ("Notes heading\n\nSome text.", "markdown")
    txt = tmp_path / "plain.txt"
    txt.write_text("Plain text.", encoding="utf-8")
    assert read_document_file(txt).suggested_title == "Plain"
    assert "*.pdf" in FILE_DIALOG_FILTER and "*.docx" in FILE_DIALOG_FILTER


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.html", b"", "'empty.html' is empty"),
        ("empty.docx", b"", "'empty.docx' is empty"),
        ("blank.txt", b"  \n", "'blank.txt' is empty"),
        ("binary.txt", b"\x00\x01\x02binary", "'binary.txt' looks like a binary file"),
        ("legacy.txt", "Sécurité".encode("cp1252"), "'legacy.txt' is not valid UTF-8"),
        ("slides.odt", b"PK\x03\x04rest", "'slides.odt' is an OpenDocument file"),
        ("letter.rtf", b"{\\rtf1 text}", "'letter.rtf' cannot be imported: Summit Reader reads .txt, .md, .html"),
    ],
)
def test_bad_input_gives_a_message_naming_the_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentImportError, match=message):
        read_document_file(path)


def test_oversized_files_are_refused_before_reading(tmp_path: Path) -> None:
    for name in ("big.html", "big.txt"):
        path = tmp_path / name
        with path.open("wb") as fh:
            fh.truncate(50 * 1024 * 1024)  # 50 MB, sparse: costs no disk
        with pytest.raises(DocumentImportError, match="largest file") as info:
            read_document_file(path)
        assert f"'{name}' is 50 MB" in str(info.value)
    assert MAX_IMPORT_BYTES < 50 * 1024 * 1024


def test_a_duplicate_names_the_document_it_duplicates_and_changes_nothing(tmp_path: Path, db_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text(f"<h1>Duplicate test</h1><p>{LABEL}</p>", encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text(f"Duplicate test\n\n{LABEL}", encoding="utf-8")
    with Library(db_path) as library:
        first = read_document_file(page)
        saved = library.add_document(new_document(first.text, first.suggested_title))
        second = read_document_file(copy)
        with pytest.raises(DuplicateDocumentError, match=f"already in the library as 'Duplicate test' \\(id {saved.id}\\)"):
            library.add_document(new_document(second.text, "Another title"))
        assert len(library.list_documents()) == 1
