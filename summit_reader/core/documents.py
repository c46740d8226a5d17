"""Documents and the importers for plain text and Markdown.

A document's text is normalised once, when it enters the library (line endings to ``\\n``, Unicode NFC,
control characters other than tab and newline removed). Every offset anywhere in Summit Reader — matches,
annotations, exports — counts Python characters (code points) in that normalised text.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from summit_reader.core.errors import DocumentImportError, EncodingError, InvalidInputError

if TYPE_CHECKING:
    from summit_reader.core.models import DocumentSummary

#: Files larger than this are refused with a clear message (a 100,000-word treaty is under 1 MB).
MAX_IMPORT_BYTES = 20 * 1024 * 1024

KINDS = ("declaration", "statement", "communiqué", "annex", "report", "speech", "other")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
#: Unpaired surrogate code points (from pasted text or "\ud800" escapes): not text, and not storable.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Document:
    """A text in the library. ``id`` is None until the store has saved it."""

    title: str
    text: str
    date: str | None = None  # ISO 8601 day, e.g. "2023-11-01"
    place: str = ""
    kind: str = "other"
    source_url: str = ""
    source_path: str = ""
    retrieved_at: str | None = None
    imported_at: str = ""
    id: int | None = None
    text_hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.text_hash:
            object.__setattr__(self, "text_hash", text_hash(self.text))

    @property
    def year(self) -> str:
        return self.date[:4] if self.date else ""

    def with_id(self, doc_id: int) -> Document:
        return replace(self, id=doc_id)


def text_hash(text: str) -> str:
    """SHA-256 of the normalised text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_text(text: str) -> str:
    """The one normalisation every text goes through: CRLF/CR to LF, NFC, no stray control characters,
    no trailing blanks on lines, at most one blank line between paragraphs, no blank start or end.
    An unpaired surrogate (which cannot be stored) becomes U+FFFD, the replacement character."""
    text = _SURROGATE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\u00a0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n ").rstrip()


def validate_date(value: str | None) -> str | None:
    """Accept an ISO day (2023-11-01), or empty for unknown; raise InvalidInputError otherwise."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidInputError(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2023-11-01.") from None


def decode_bytes(data: bytes, name: str = "the file") -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is an EncodingError."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise EncodingError(f"{name} is UTF-32 text, which Summit Reader does not read. Save it as UTF-8 and import it again.")
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        if b"\x00" in data[:8192]:
            raise DocumentImportError(
                f"{name} looks like a binary file, not text (it contains NUL bytes and no UTF-16 byte order mark)."
            )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"{name} is not valid {encoding.upper().replace('-SIG', '')} text (undecodable byte at position "
            f"{exc.start}). Save it as UTF-8 and import it again."
        ) from None


# Each pattern fails fast at the next delimiter of its kind, so that a long line full of unclosed "*", "_",
# "[" or "<!--" is converted in linear time (the lazy ".+?" forms took minutes on a 100 KB line).
_MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"<!--(?:(?!<!--).)*?-->", re.S), ""),
    (re.compile(r"^```[^\n]*\n?", re.M), ""),
    (re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M), r"\1"),
    (re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$", re.M), ""),
    (re.compile(r"^ {0,3}>\s?", re.M), ""),
    (re.compile(r"^([ \t]*)[-*+][ \t]+", re.M), r"\1• "),
    (re.compile(r"!\[([^\[\]]*)\]\((?:[^()\n]|\([^()\n]*\))*\)"), r"\1"),  # a target may hold one (…)
    (re.compile(r"\[([^\[\]]+)\]\((?:[^()\n]|\([^()\n]*\))*\)"), r"\1"),
    (re.compile(r"\*\*(?=\S)((?:[^*\n]|\*(?!\*))+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"__(?=\S)((?:[^_\n]|_(?!_))+?)(?<=\S)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
]


def markdown_to_text(markdown: str) -> str:
    """Plain reading text from Markdown: headings, paragraphs and list items kept, markup removed."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return text


def _markdown_title(markdown: str) -> str | None:
    match = re.search(r"^ {0,3}#[ \t]+(.+?)[ \t]*#*[ \t]*$", markdown, re.M)
    return match.group(1).strip() if match else None


@dataclass(frozen=True)
class ImportedText:
    text: str
    suggested_title: str
    path: str
    #: What the text was read from: "text", "markdown", "html", "pdf", "docx" or "paste".
    format: str = "text"


IMPORTABLE_SUFFIXES = (".txt", ".md", ".markdown", ".text")


def read_error(exc: OSError, name: str, path: Path) -> DocumentImportError:
    """The plain message for a file that cannot be read (shared by every importer)."""
    if isinstance(exc, FileNotFoundError):
        return DocumentImportError(f"{name} does not exist ({path}).")
    if isinstance(exc, IsADirectoryError):
        return DocumentImportError(f"{name} is a folder, not a file.")
    if isinstance(exc, PermissionError):
        return DocumentImportError(f"{name} cannot be read: permission denied.")
    return DocumentImportError(f"{name} cannot be read: {exc.strerror or exc}.")


def read_text_file(path: str | Path) -> ImportedText:
    """Read a .txt or .md file into normalised text, or raise a DocumentImportError that names the file."""
    p = Path(path)
    name = f"'{p.name}'"
    suffix = p.suffix.lower()
    if suffix not in IMPORTABLE_SUFFIXES:
        raise DocumentImportError(
            f"{name} cannot be imported: Summit Reader reads {', '.join(IMPORTABLE_SUFFIXES)} files."
        )
    try:
        size = p.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise DocumentImportError(
                f"{name} is {size / 1_048_576:.0f} MB; the largest file Summit Reader imports is "
                f"{MAX_IMPORT_BYTES // 1_048_576} MB."
            )
        data = p.read_bytes()
    except OSError as exc:
        raise read_error(exc, name, p) from None
    except ValueError:  # a NUL character in the path
        raise DocumentImportError(f"{name.replace(chr(0), '')} is not a valid file name (it holds a NUL character).") from None
    raw = decode_bytes(data, name)
    title = None
    if suffix in (".md", ".markdown"):
        title = _markdown_title(raw)
        raw = markdown_to_text(raw)
    return ImportedText(
        text=text_from_string(raw, name),
        suggested_title=title or _title_from_name(p),
        path=str(p),
        format="markdown" if suffix in (".md", ".markdown") else "text",
    )


def text_from_string(raw: str, name: str = "the text") -> str:
    """Normalise text that came from anywhere (a file, a paste); refuse empty or oversized text."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise DocumentImportError(
            f"{name} has {len(raw):,} characters; the largest text Summit Reader imports is "
            f"{MAX_IMPORT_BYTES:,} characters."
        )
    text = normalise_text(raw)
    if not text.strip():
        raise DocumentImportError(f"{name} is empty: there is no text to import.")
    return text


def _title_from_name(path: Path) -> str:
    stem = re.sub(r"[_\-]+", " ", path.stem).strip()
    return stem[:1].upper() + stem[1:] if stem else "Untitled"


def new_document(
    text: str,
    title: str,
    *,
    date: str | None = None,
    place: str = "",
    kind: str = "other",
    source_url: str = "",
    source_path: str = "",
    retrieved_at: str | None = None,
) -> Document:
    """A validated, not yet stored Document. ``text`` must already be normalised. Unpaired surrogates in
    the metadata (a file name in another encoding, read with ``surrogateescape``) become U+FFFD."""
    title = " ".join(_SURROGATE.sub("\ufffd", title).split())
    if not title:
        raise InvalidInputError("A document needs a title.")
    kind = _SURROGATE.sub("\ufffd", kind or "other").strip().lower()
    return Document(
        title=title,
        text=text,
        date=validate_date(date),
        place=_SURROGATE.sub("\ufffd", place).strip(),
        kind=kind,
        source_url=_SURROGATE.sub("\ufffd", source_url).strip(),
        source_path=_SURROGATE.sub("\ufffd", source_path),
        retrieved_at=retrieved_at,
    )


def short_name(doc: Document | DocumentSummary, limit: int = 18) -> str:
    """A label for graph axes: first words of the title plus the year, e.g. 'Bletchley 2023'."""
    title = doc.title.split(":", 1)[1] if ":" in doc.title else doc.title  # "Sample: Harbour …" → "Harbour …"
    title = re.sub(r"\([^)]*\)", " ", title)  # "(not an official text)"
    words = [w for w in re.findall(r"[\w'’-]+", title) if w.lower() not in _SHORT_STOP]
    label = ""
    for w in words:
        if len(label) + len(w) + 1 > limit:
            break
        label = f"{label} {w}".strip()
    label = label or doc.title[:limit]
    return f"{label} {doc.year}".strip()


_SHORT_STOP = {"the", "a", "an", "of", "on", "for", "and", "by", "to", "in", "at", "declaration", "statement"}
