"""Importers: one entry point, :func:`read_document_file`, for every file format Summit Reader reads.

* ``.txt`` / ``.md`` — :func:`summit_reader.core.documents.read_text_file` (UTF-8 or UTF-16 with a BOM).
* ``.html`` / ``.htm`` / ``.xhtml`` — :mod:`summit_reader.core.html_extract` (standard-library parser;
  scripts, styles, navigation and remote resources dropped, nothing fetched).
* ``.pdf`` — pypdf: the text layer in pypdf's layout mode, so that vertical gaps and line lengths show
  where paragraphs end; lines re-joined into paragraphs, hyphenation at line ends repaired, running
  headers, footers and page numbers dropped. A PDF without a text layer (a scan) is refused with a message.
* ``.docx`` — python-docx: paragraphs, headings, list items (with their numbers) and tables, in order.

The format is chosen by the file's first bytes when they say PDF, ZIP (DOCX) or an old Word file, and by
the suffix otherwise. Every failure is a :class:`DocumentImportError` whose message names the file.
The window's paste uses :func:`read_pasted_text`.
"""

from __future__ import annotations

import io
import logging
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summit_reader.core.documents import (
    MAX_IMPORT_BYTES,
    ImportedText,
    _title_from_name,
    read_error,
    read_text_file,
    text_from_string,
)
from summit_reader.core.errors import DocumentImportError
from summit_reader.core.html_extract import decode_html, html_to_text, looks_like_html

__all__ = [
    "FILE_DIALOG_FILTER",
    "MAX_PACKAGE_BYTES",
    "SUPPORTED_SUFFIXES",
    "docx_to_text",
    "pdf_to_text",
    "read_document_file",
    "read_pasted_text",
]

#: PDF and DOCX files carry images and fonts, so they may be larger than a text file; their text is still
#: held to the limit of :data:`~summit_reader.core.documents.MAX_IMPORT_BYTES`.
MAX_PACKAGE_BYTES = 100 * 1024 * 1024

#: A DOCX (a ZIP package) may not unpack to more than this (a guard against "ZIP bombs").
MAX_UNPACKED_BYTES = 400 * 1024 * 1024

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".pdf", ".docx")

#: For a file dialog (Qt's filter syntax, but only a string: the core never imports Qt).
FILE_DIALOG_FILTER = (
    "Documents (" + " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES) + ");;"
    "Text and Markdown (*.txt *.text *.md *.markdown);;Web pages (*.html *.htm *.xhtml);;"
    "PDF (*.pdf);;Word (*.docx);;All files (*)"
)

_SUPPORTED_LIST = ".txt, .md, .html, .htm, .pdf and .docx"

# pypdf reports recoverable damage through `logging`; without a handler Python would print those warnings
# on stderr. A NullHandler keeps them out of the CLI's output (an application that configures logging
# still receives them through the root logger).
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def read_document_file(path: str | Path) -> ImportedText:
    """Read any supported file into normalised text with a suggested title, or raise a
    DocumentImportError that names the file (unsupported, missing, too large, binary, wrong encoding,
    damaged, empty, a PDF without text layer…)."""
    p = Path(path)
    name = f"'{p.name}'"
    suffix = p.suffix.lower()
    head = _read_head(p, name)
    kind = _sniff(head, suffix, name)
    if kind == "text":
        return read_text_file(p)
    limit = MAX_PACKAGE_BYTES if kind in ("pdf", "docx") else MAX_IMPORT_BYTES
    data = _read_bytes(p, name, limit)
    if kind == "html":
        html = decode_html(data, name)
        extracted = html_to_text(html)
        if not extracted.text.strip() and html.strip():
            raise DocumentImportError(f"{name} has no readable text (only markup, scripts or styles).")
        text, title = extracted.text, extracted.title
    elif kind == "pdf":
        text, title = pdf_to_text(data, name)
    else:
        text, title = docx_to_text(data, name)
    return ImportedText(
        text=text_from_string(text, name),
        suggested_title=_clean_title(title) or _title_from_name(p),
        path=str(p),
        format=kind,
    )


def read_pasted_text(text: str, html: str | None = None, *, name: str = "The pasted text") -> ImportedText:
    """Text pasted into the window. When the clipboard also offers HTML (a copy from a browser), its
    paragraphs, headings and list items are used; otherwise the plain text. The suggested title is the
    HTML's heading or the first line."""
    title: str | None = None
    raw = text
    if html and html.strip():
        extracted = html_to_text(html)
        if extracted.text.strip():
            raw, title = extracted.text, extracted.title
    clean = text_from_string(raw, name)
    if not title:
        first = clean.split("\n", 1)[0].strip().lstrip("•").strip()
        title = first if len(first) <= 100 else first[:100].rsplit(" ", 1)[0] + "…"
    return ImportedText(text=clean, suggested_title=_clean_title(title) or "Pasted text", path="", format="paste")


# ------------------------------------------------------------------------------------------- files


def _read_head(p: Path, name: str) -> bytes:
    try:
        with p.open("rb") as fh:
            return fh.read(2048)
    except OSError as exc:
        raise read_error(exc, name, p) from None


def _read_bytes(p: Path, name: str, limit: int) -> bytes:
    try:
        size = p.stat().st_size
        if size > limit:
            raise DocumentImportError(
                f"{name} is {size / 1_048_576:.0f} MB; the largest file of this kind Summit Reader imports is "
                f"{limit // 1_048_576} MB."
            )
        return p.read_bytes()
    except OSError as exc:
        raise read_error(exc, name, p) from None


def _sniff(head: bytes, suffix: str, name: str) -> str:
    """'text', 'html', 'pdf' or 'docx' — by the first bytes when they are unmistakable, else by suffix."""
    if head[:1024].lstrip(b"\x00\t\r\n ").startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if suffix in (".odt", ".ods", ".odp"):
            raise DocumentImportError(
                f"{name} is an OpenDocument file; save it as .docx or PDF (File → Save As) and import that."
            )
        return "docx"  # docx_to_text says so if the ZIP package is not a Word document
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") or suffix == ".doc":
        raise DocumentImportError(
            f"{name} is in the old Word 97–2003 format (.doc), which Summit Reader cannot read; open it in "
            "Word or LibreOffice and save it as .docx or PDF."
        )
    if suffix == ".pdf":
        if not head.strip():
            raise DocumentImportError(f"{name} is empty: there is no text to import.")
        raise DocumentImportError(
            f"{name} is not a PDF file (it does not start with %PDF); it may be damaged or misnamed."
        )
    if suffix == ".docx":
        if not head.strip():
            raise DocumentImportError(f"{name} is empty: there is no text to import.")
        raise DocumentImportError(
            f"{name} is not a Word .docx file (it is not a ZIP package); it may be damaged or misnamed."
        )
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if looks_like_html(head):
        return "html"
    raise DocumentImportError(f"{name} cannot be imported: Summit Reader reads {_SUPPORTED_LIST} files.")


def _clean_title(title: str | None) -> str:
    return " ".join((title or "").split())[:300]


# --------------------------------------------------------------------------------------------- PDF


@dataclass
class _Line:
    text: str  # spaces collapsed
    indent: int  # leading columns in pypdf's layout rendering
    right: int  # column where the line ends
    blank_before: bool  # a vertical gap (a blank line in layout mode) precedes it


_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)\]]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I
)
_ITEM_START = re.compile(r"^(?:[•◦▪▫■□●○‣⁃–—*-]\s|\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})[.)]\s)", re.I)
_TERMINAL = tuple(".!?:;\"”’)]")
_EDGE_LINES = 3
#: Typographic ligatures that fonts draw as one glyph ("oﬃcial"): back to letters, so words are found.
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})


def pdf_to_text(data: bytes, name: str = "the PDF") -> tuple[str, str | None]:
    """The text layer of a PDF as paragraphs, and the title from its metadata (if it has a useful one)."""
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - a dependency, installed with Summit Reader
        raise DocumentImportError(f"{name} cannot be read: the PDF library pypdf is not installed.") from None
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentImportError(f"{name} is password-protected; remove the password and import it again.")
        pages = list(reader.pages)
    except DocumentImportError:
        raise
    except Exception as exc:
        raise _damaged(name, exc) from None
    if not pages:
        raise DocumentImportError(f"{name} has no pages.")
    raw_pages: list[str] = []
    for page in pages:
        try:
            raw = page.extract_text(extraction_mode="layout")
        except Exception:
            try:  # layout mode fails on some fonts; plain mode still gives the words, if not the gaps
                raw = page.extract_text()
            except Exception as exc:
                raise _damaged(name, exc) from None
        raw_pages.append(raw or "")
    if not any(ch.isalnum() for raw in raw_pages for ch in raw):
        raise DocumentImportError(
            f"{name}: this PDF has no text layer (it is probably a scan or an image), so there is no text to "
            "import. Run it through OCR software first, or import the text from another source."
        )
    text = _pdf_paragraphs([_page_lines(raw.translate(_LIGATURES)) for raw in raw_pages])
    return text, _pdf_title(reader)


def _damaged(name: str, exc: BaseException) -> DocumentImportError:
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
    return DocumentImportError(f"{name} is damaged or is not a valid PDF file ({detail}).")


def _pdf_title(reader: Any) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata is not None else None
    except Exception:
        return None
    if not isinstance(title, str):
        return None
    title = " ".join(title.split())
    if not title or title.lower() in ("untitled", "title") or re.search(r"\.(docx?|pdf|odt|rtf)$|^microsoft", title, re.I):
        return None
    return title


def _page_lines(raw: str) -> list[_Line]:
    lines: list[_Line] = []
    blank = False
    for row in raw.replace("\t", " ").replace("\u00a0", " ").split("\n"):
        row = row.rstrip()
        if not row.strip():
            blank = True
            continue
        indent = len(row) - len(row.lstrip())
        lines.append(_Line(" ".join(row.split()), indent, len(row), blank))
        blank = False
    if lines:
        lines[0].blank_before = False
    return lines


def _edge_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _strip_furniture(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop running headers and footers (a line at the top or bottom of most pages, digits ignored) and
    page numbers at the top or bottom of a page."""
    count = len(pages)
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_edge_key(line.text) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]})
    threshold = max(2, math.ceil(0.6 * count))
    repeated = {key for key, n in seen.items() if count >= 2 and n >= threshold}

    def furniture(line: _Line) -> bool:
        return _edge_key(line.text) in repeated or bool(_PAGE_NUMBER.match(line.text))

    result: list[list[_Line]] = []
    for lines in pages:
        start, end = 0, len(lines)
        while start < min(_EDGE_LINES, end) and furniture(lines[start]):
            start += 1
        while end > max(start, len(lines) - _EDGE_LINES) and furniture(lines[end - 1]):
            end -= 1
        kept = lines[start:end]
        if kept:
            kept[0].blank_before = False
        result.append(kept)
    return result


def _pdf_paragraphs(pages: list[list[_Line]]) -> str:
    pages = _strip_furniture(pages)
    hyphenated = {
        word.lower()
        for lines in pages
        for line in lines
        for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", line.text[:-1])
    }
    rights = sorted(line.right for lines in pages for line in lines)
    full = rights[int(0.9 * (len(rights) - 1))] if rights else 0  # where a full line ends
    paragraphs: list[list[str]] = []
    previous: _Line | None = None
    for lines in pages:
        if not lines:
            continue
        base = min(line.indent for line in lines)
        for index, line in enumerate(lines):
            if previous is None or not paragraphs:
                new = True
            elif index == 0:
                new = not _continues(previous.text, line.text)
            else:
                lower = line.text[:1].islower()
                previous_full = full >= 30 and previous.right >= 0.85 * full
                new = (
                    # a vertical gap, unless it only separates the lines of a double-spaced paragraph
                    (line.blank_before and not (previous_full and lower and not previous.text.endswith(_TERMINAL)))
                    or _ITEM_START.match(line.text) is not None
                    # a short line ends a paragraph (but not a word broken by a hyphen)
                    or (full >= 30 and previous.right < 0.75 * full and not lower and not _hyphen_break(previous.text))
                    # a first-line indent starts one
                    or (line.indent > base + 1 and previous.indent <= base + 1
                        and previous.text.endswith(_TERMINAL) and not lower)
                )
            if new:
                paragraphs.append([line.text])
            else:
                paragraphs[-1].append(line.text)
            previous = line
    return "\n\n".join(_join_lines(lines, hyphenated) for lines in paragraphs)


def _hyphen_break(text: str) -> bool:
    return len(text) >= 2 and text.endswith(("-", "\u00ad")) and text[-2].isalpha()


def _continues(previous: str, following: str) -> bool:
    """Does the first line of a page continue the paragraph that ended the previous page?"""
    if _hyphen_break(previous) and following[:1].isalpha():
        return True
    return not previous.endswith(_TERMINAL) and following[:1].islower()


def _join_lines(lines: Iterable[str], hyphenated: set[str]) -> str:
    """Join a paragraph's lines; a word broken by a hyphen at a line end is mended ("inter-" + "national"),
    unless the hyphen belongs there (the document writes the word with a hyphen elsewhere, or the part
    before it is not a lower-case word: "AI-" + "related")."""
    out = ""
    for line in lines:
        if not out:
            out = line
        elif out.endswith("\u00ad"):
            out = out[:-1] + line
        elif _hyphen_break(out) and line[:1].islower():
            head = re.search(r"([^\W\d_]+)-$", out)
            tail = re.match(r"[^\W\d_]+", line)
            word = f"{head.group(1) if head else ''}-{tail.group(0) if tail else ''}".lower()
            keep = word in hyphenated or not out[-2].islower()
            out = (out if keep else out[:-1]) + line
        else:
            out = f"{out} {line}"
    return out


# -------------------------------------------------------------------------------------------- DOCX


def docx_to_text(data: bytes, name: str = "the document") -> tuple[str, str | None]:
    """Paragraphs, headings, list items (numbered as in Word where the numbering says so) and table rows
    of a .docx, in order; and the title from its properties or its first Title/Heading 1 paragraph."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DocumentImportError(
            f"{name} is not a Word .docx file, or it is damaged (its ZIP package cannot be opened)."
        ) from None
    names = {m.filename for m in members}
    if "word/document.xml" not in names:
        if "content.xml" in names:
            raise DocumentImportError(
                f"{name} is an OpenDocument file; save it as .docx or PDF (File → Save As) and import that."
            )
        raise DocumentImportError(f"{name} is a ZIP file, not a Word .docx document.")
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise DocumentImportError(
            f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 1_048_576} MB; Summit Reader does not open it."
        )
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        numbering = _Numbering(document)
        blocks: list[tuple[str, str]] = []  # (kind, text)
        title: str | None = None
        for item in document.iter_inner_content():
            if isinstance(item, Paragraph):
                text = item.text.strip()
                if not text:
                    continue
                style = (item.style.name if item.style is not None else "") or ""
                if title is None and style in ("Title", "Heading 1"):
                    title = text
                prefix, level = numbering.label(item)
                if prefix is not None:
                    blocks.append(("li", "  " * level + (f"{prefix} " if prefix else "") + text))
                else:
                    blocks.append(("p", text))
            elif isinstance(item, Table):
                for row in _table_rows(item):
                    blocks.append(("row", row))
                blocks.append(("end", ""))
        core_title = (document.core_properties.title or "").strip()
    except DocumentImportError:
        raise
    except Exception as exc:
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise DocumentImportError(f"{name} is damaged or is not a valid Word .docx file ({detail}).") from None
    out: list[str] = []
    previous = ""
    for kind, text in blocks:
        if kind == "end":
            previous = ""
            continue
        if out:
            out.append("\n" if kind in ("li", "row") and kind == previous else "\n\n")
        out.append(text)
        previous = kind
    return "".join(out), core_title or title


def _table_rows(table: Any) -> list[str]:
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append("\t".join(cells))
    return rows


_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        s = _letters(n)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        s = _roman(n)
        return s.upper() if fmt == "upperRoman" else s
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Word's list numbering, enough to write "1.", "(a)", "ii." or "•" before a list paragraph."""

    def __init__(self, document: Any) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self.levels: dict[tuple[int, int], tuple[str, str, int]] = {}  # (numId, ilvl) -> (fmt, text, start)
        self.counters: dict[int, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.findall(qn("w:abstractNum")):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in node.findall(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                fmt = self._val(lvl, "w:numFmt") or "decimal"
                text = self._val(lvl, "w:lvlText") or ""
                start = int(self._val(lvl, "w:start") or "1")
                levels[ilvl] = (fmt, text, start)
            abstract[node.get(qn("w:abstractNumId"), "")] = levels
        for num in root.findall(qn("w:num")):
            num_id = int(num.get(qn("w:numId"), "0"))
            for ilvl, spec in abstract.get(self._val(num, "w:abstractNumId") or "", {}).items():
                self.levels[(num_id, ilvl)] = spec

    def _val(self, node: Any, tag: str) -> str | None:
        child = node.find(self._qn(tag))
        return None if child is None else child.get(self._qn("w:val"))

    def _num_pr(self, paragraph: Any) -> tuple[int, int] | None:
        qn = self._qn
        ppr = paragraph._p.pPr
        candidates = [ppr] if ppr is not None else []
        style = paragraph.style
        while style is not None:  # numbering may come from the paragraph style or one it is based on
            candidates.append(style.element.pPr)
            style = style.base_style
        for node in candidates:
            if node is None:
                continue
            num_pr = node.find(qn("w:numPr"))
            if num_pr is not None:
                num_id = self._val(num_pr, "w:numId")
                ilvl = self._val(num_pr, "w:ilvl")
                if num_id is not None:
                    return int(num_id), int(ilvl or 0)
        return None

    def label(self, paragraph: Any) -> tuple[str | None, int]:
        """(label, level) for a list paragraph — label "" for an unnumbered list level — or (None, 0)."""
        found = self._num_pr(paragraph)
        style = ((paragraph.style.name if paragraph.style is not None else "") or "").lower()
        if found is None or found[0] == 0:
            if style.startswith("list bullet"):
                return "•", 0
            if style.startswith("list number"):
                return "•", 0
            return None, 0
        num_id, ilvl = found
        spec = self.levels.get((num_id, ilvl))
        if spec is None:
            return "•", ilvl
        fmt, text, _start = spec
        counts = self.counters.setdefault(num_id, [0] * 9)
        ilvl = min(max(ilvl, 0), 8)
        for deeper in range(ilvl + 1, 9):
            counts[deeper] = 0
        if counts[ilvl] == 0:
            counts[ilvl] = spec[2]
        else:
            counts[ilvl] += 1
        if fmt == "bullet":
            return "•", ilvl

        def number(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            lvl_spec = self.levels.get((num_id, level), ("decimal", "", 1))
            value = counts[level] if 0 <= level < 9 and counts[level] else lvl_spec[2]
            return _format_number(value, lvl_spec[0])

        return re.sub(r"%(\d)", number, text).strip(), ilvl
