"""Bad input, everywhere input enters: imported files (text, Markdown, HTML, PDF, DOCX), pasted text and
HTML, lexicon files, annotation CSV files, and the command line's arguments.

Two kinds of tests: hypothesis feeds arbitrary bytes and strings, and a generated corpus of malformed
inputs (truncated UTF-16, encoded surrogates, overlong UTF-8, NULs, empty and BOM-only files, a 21 MB
file, YAML alias bombs, pathological Markdown …) is run one case at a time. The rule is the same for all:
either a result, or one of Summit Reader's typed errors with a plain message — never another exception,
never a traceback, never a hang — and a library that refused something is left as it was.

``INPUTS_TRIED`` counts every input; run with ``-s`` to see the totals.
"""

from __future__ import annotations

import contextlib
import io
import socket
import sqlite3
import string
import threading
import time
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summit_reader.cli import cli
from summit_reader.core import importers
from summit_reader.core.documents import (
    MAX_IMPORT_BYTES,
    ImportedText,
    new_document,
    read_text_file,
    text_from_string,
)
from summit_reader.core.errors import DocumentImportError, ExportError, LexiconError, SummitReaderError
from summit_reader.core.export import (
    ANNOTATION_COLUMNS,
    read_annotations_csv,
    split_tags,
    write_annotations_csv,
)
from summit_reader.core.lexicon import Lexicon, load_lexicon, parse_lexicon
from summit_reader.core.store import Library

INPUTS_TRIED: Counter[str] = Counter()

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = {chr(c) for c in range(0x20) if chr(c) not in "\t\n"} | {chr(c) for c in range(0x7F, 0xA0)}
TEXT = "We recognise the risks of frontier AI. We will cooperate on safety, and we commit to meet again."



def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    total = sum(INPUTS_TRIED.values())
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(INPUTS_TRIED.items()))
    print(f"\n[bad input] {total} inputs tried ({detail})")


def assert_normalised(text: str) -> None:
    """What every accepted text looks like: storable, NFC, no CR, no control characters, not blank."""
    assert text.strip()
    assert "\r" not in text and not (_CONTROL & set(text))
    assert unicodedata.normalize("NFC", text) == text
    text.encode("utf-8")  # no unpaired surrogates: it can be stored and hashed


def import_or_refuse(path: Path, reader: Callable[[Path], ImportedText]) -> str:
    """Import a file; return "ok" or the error class name, failing on anything but a DocumentImportError."""
    try:
        imported = reader(path)
    except DocumentImportError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip() and "Traceback" not in message
        message.encode("utf-8")  # printable anywhere: no unpaired surrogate in the message
        return type(exc).__name__
    assert_normalised(imported.text)
    assert imported.suggested_title.strip()
    return "ok"


# ------------------------------------------------------------------------------- files: property tests

SUFFIXES = [".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf", ".docx", ".unknown", ""]
PREFIXES = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"%PDF-1.7\n", b"PK\x03\x04", b"<html><body>", b"# "]


@fuzz(400)
@given(data=st.binary(max_size=4096), prefix=st.sampled_from(PREFIXES), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_in_any_file_import_or_give_a_typed_error(
    tmp_path: Path, data: bytes, prefix: bytes, suffix: str
) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(prefix + data)
    INPUTS_TRIED["files (bytes, every importer)"] += 1
    import_or_refuse(path, importers.read_document_file)
    if suffix in (".txt", ".md", ".markdown"):
        import_or_refuse(path, read_text_file)


@fuzz(300)
@given(text=st.text(st.characters(codec=None), max_size=2000), suffix=st.sampled_from([".txt", ".md", ".html"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"]))
def test_any_text_in_any_encoding_imports_or_gives_a_typed_error(
    tmp_path: Path, text: str, suffix: str, encoding: str
) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace"))
    INPUTS_TRIED["files (text in encodings)"] += 1
    import_or_refuse(path, importers.read_document_file)


@fuzz(400)
@given(text=st.text(st.characters(exclude_categories=()), max_size=3000),
       html=st.none() | st.text(st.characters(exclude_categories=()), max_size=3000))
def test_pasted_text_and_html_give_storable_text_or_a_typed_error(text: str, html: str | None) -> None:
    """What the window's paste gets from the clipboard: any string, unpaired surrogates included."""
    INPUTS_TRIED["pasted text/HTML"] += 1
    try:
        pasted = importers.read_pasted_text(text, html)
    except DocumentImportError:
        return
    assert_normalised(pasted.text)
    doc = new_document(pasted.text, pasted.suggested_title)  # hashes the text: must not raise
    doc.title.encode("utf-8")


@fuzz(300)
@given(raw=st.text(st.characters(exclude_categories=()), max_size=3000))
def test_text_from_string_normalises_or_refuses(raw: str) -> None:
    INPUTS_TRIED["text_from_string"] += 1
    try:
        text = text_from_string(raw)
    except DocumentImportError:
        assert not raw.strip() or not text_from_string_blank_check(raw)
        return
    assert_normalised(text)
    assert text_from_string(text) == text  # normalising twice changes nothing


def text_from_string_blank_check(raw: str) -> bool:
    """True when something would remain of ``raw`` after normalisation (so refusing it would be wrong)."""
    from summit_reader.core.documents import normalise_text

    return bool(normalise_text(raw).strip())


# -------------------------------------------------------------------------------------------- lexicons

yaml_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)


def load_or_refuse(loader: Callable[[], Lexicon]) -> str:
    try:
        lexicon = loader()
    except LexiconError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        str(exc).encode("utf-8")  # printable anywhere: no unpaired surrogate in the message
        return "LexiconError"
    assert lexicon.categories and all(c.entries for c in lexicon.categories)
    assert lexicon.label.encode("utf-8")
    return "ok"


@fuzz(300)
@given(data=st.binary(max_size=3000), prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"safety:\n  - ", b"a: &x ["]))
def test_any_bytes_as_a_lexicon_file(tmp_path: Path, data: bytes, prefix: bytes) -> None:
    path = tmp_path / "lexicon.yml"
    path.write_bytes(prefix + data)
    INPUTS_TRIED["lexicon files (bytes)"] += 1
    load_or_refuse(lambda: load_lexicon(path))


@fuzz(300)
@given(text=st.text(st.characters(exclude_categories=()), max_size=2000))
def test_any_string_as_lexicon_text(text: str) -> None:
    INPUTS_TRIED["lexicon text"] += 1
    load_or_refuse(lambda: parse_lexicon(text))


@fuzz(300)
@given(value=yaml_values)
def test_any_yaml_structure_as_a_lexicon(value: Any) -> None:
    import srsly

    INPUTS_TRIED["lexicon YAML structures"] += 1
    load_or_refuse(lambda: parse_lexicon(srsly.yaml_dumps(value)))


# ------------------------------------------------------------------------------------------ CSV files


@fuzz(300)
@given(data=st.binary(max_size=3000),
       prefix=st.sampled_from([b"", b"\xef\xbb\xbf", ",".join(ANNOTATION_COLUMNS).encode() + b"\r\n", b"annotation_id\r\n"]))
def test_any_bytes_as_an_annotation_csv(tmp_path: Path, data: bytes, prefix: bytes) -> None:
    path = tmp_path / "annotations.csv"
    path.write_bytes(prefix + data)
    INPUTS_TRIED["annotation CSV files"] += 1
    try:
        rows = read_annotations_csv(path)
    except ExportError as exc:
        assert str(exc)
        return
    assert all(isinstance(k, str) and isinstance(v, str) for row in rows for k, v in row.items())


@pytest.fixture(scope="module")
def shared_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = Library(tmp_path_factory.mktemp("shared") / "library.sqlite3")
    library.add_document(new_document(TEXT, "Fuzz text (written for the tests)"))
    yield library
    library.close()


@fuzz(150)
@given(note=st.text(st.characters(codec="utf-8"), max_size=200),
       tags=st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=15), max_size=3),
       author=st.text(st.characters(codec="utf-8"), max_size=20))
def test_csv_export_never_starts_a_cell_with_a_formula_and_reads_back_exactly(
    shared_library: Library, note: str, tags: list[str], author: str
) -> None:
    INPUTS_TRIED["CSV export cells"] += 1
    annotation = shared_library.add_annotation(1, 0, 9, note=note, tags=tags, author=author or None)
    out = io.StringIO(newline="")
    write_annotations_csv(shared_library, out, annotations=[annotation])
    import csv

    for row in csv.reader(io.StringIO(out.getvalue(), newline="")):
        for cell in row:
            if cell.startswith(_FORMULA_STARTS):
                float(cell)  # only a plain number may start with + or -
    back = read_annotations_csv(io.StringIO(out.getvalue(), newline=""))
    assert back[0]["note"] == annotation.note and back[0]["author"] == annotation.author
    assert split_tags(back[0]["tags"]) == list(annotation.tags)


# ------------------------------------------------------------------------------------- the command line


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("documents", "annotations", "tags", "annotation_tags", "settings")
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def cli_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    path = folder / "library.sqlite3"
    with Library(path) as library:
        library.add_document(new_document(TEXT, "CLI fuzz text (written for the tests)", date="2024-05-21"))
    source = folder / "source.txt"
    source.write_text("An invented text for the command-line fuzz test. We may act; we must act.", encoding="utf-8")
    return path, source


def run_cli(args: list[str]) -> Result:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1, 2), (args, result.output)
    assert "Traceback" not in result.output and "unexpected error" not in result.output, (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    if result.exit_code != 0:
        errors = [line for line in result.output.splitlines() if line.startswith("Error")]
        assert len(errors) == 1, (args, result.output)
    return result


#: What a command line can hand us: any character but NUL, and the surrogates U+DC80–U+DCFF that stand for
#: undecodable bytes (Python's surrogateescape; no other surrogate can come from the operating system).
cli_text = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=["Cs"])
    | st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF, categories=["Cs"]),
    max_size=40,
)


@fuzz(120)
@given(quote=cli_text, note=cli_text, tags=st.lists(cli_text, max_size=3), author=st.none() | cli_text,
       occurrence=st.sampled_from(["1", "2", "0", "-1", "x", "99999999999999999999"]))
def test_annotate_with_any_arguments(
    cli_library: tuple[Path, Path], quote: str, note: str, tags: list[str], author: str | None, occurrence: str
) -> None:
    path, _source = cli_library
    INPUTS_TRIED["CLI annotate arguments"] += 1
    before = snapshot(path)
    args = ["--db", str(path), "annotate", "1", "--quote", quote, "--note", note, "--occurrence", occurrence]
    for tag in tags:
        args += ["--tag", tag]
    if author is not None:
        args += ["--author", author]
    result = run_cli(args)
    if result.exit_code != 0:
        assert snapshot(path) == before


@fuzz(120)
@given(title=cli_text, date=cli_text, place=cli_text, kind=cli_text, url=cli_text)
def test_import_with_any_metadata(
    cli_library: tuple[Path, Path], title: str, date: str, place: str, kind: str, url: str
) -> None:
    path, source = cli_library
    INPUTS_TRIED["CLI import arguments"] += 1
    before = snapshot(path)
    result = run_cli(["--db", str(path), "import", str(source), "--allow-duplicate", "--title", title, "--date", date,
                      "--place", place, "--kind", kind, "--source-url", url])
    if result.exit_code != 0:
        assert snapshot(path) == before


@fuzz(150)
@given(value=cli_text, command=st.sampled_from(
    ["show", "delete", "matches", "annotations", "annotations --tag", "matches 1 --category", "stats --category",
     "stats --per", "list --format", "export annotations", "export annotations --document", "restore", "import"]))
def test_other_commands_with_any_argument(
    cli_library: tuple[Path, Path], tmp_path: Path, value: str, command: str
) -> None:
    path, _source = cli_library
    INPUTS_TRIED["CLI other arguments"] += 1
    before = snapshot(path)
    args = command.split()
    if command in ("export annotations", "import"):
        value = str(tmp_path / value.replace("/", "_")) if value.strip("./") else value
    if command == "export annotations --document":
        args += [value, str(tmp_path / "out.csv")]
    else:
        args.append(value)
    if command in ("delete", "restore"):
        args.append("--yes")
    result = run_cli(["--db", str(path), *args])
    if result.exit_code != 0 or command not in ("delete", "import"):
        assert snapshot(path) == before


@fuzz(60)
@given(name=cli_text)
def test_any_library_file_name(tmp_path: Path, name: str) -> None:
    INPUTS_TRIED["CLI --db names"] += 1
    target = tmp_path / "libraries" / (name.replace("/", "_") or "empty")
    result = run_cli(["--db", str(target), "list", "--format", "json"])
    if result.exit_code == 0:
        assert result.output.strip() == "[]"


@pytest.mark.parametrize(
    "args",
    [
        [b"annotate", b"1", b"--quote", b"\xff\xfe"],
        [b"annotate", b"1", b"--quote", b"risks", b"--note", b"caf\xe9", b"--tag", b"\xc0\xaf"],
        [b"import", b"__SOURCE__", b"--title", b"Caf\xe9 \xed\xa0\x80", b"--allow-duplicate"],
        [b"import", b"__LATIN1_NAME__"],
        [b"export", b"annotations", b"__OUT__\xff.csv"],
    ],
    ids=["quote", "note and tag", "title", "file name", "export name"],
)
def test_undecodable_bytes_on_a_real_command_line(tmp_path: Path, args: list[bytes]) -> None:
    """Arguments straight from the operating system (Python hands them over with surrogateescape)."""
    import os
    import subprocess
    import sys

    if os.name != "posix":
        pytest.skip("bytes arguments are POSIX")
    db = tmp_path / "library.sqlite3"
    with Library(db) as library:
        library.add_document(new_document(TEXT, "Real command line (written for the tests)"))
    source = tmp_path / "source.txt"
    source.write_text("Another invented text, for the real command line.", encoding="utf-8")
    latin1 = os.fsencode(tmp_path) + b"/d\xe9claration.txt"
    with open(latin1, "wb") as fh:
        fh.write(b"A text whose file name is in Latin-1.")
    real = [
        a.replace(b"__SOURCE__", os.fsencode(source)).replace(b"__LATIN1_NAME__", latin1)
        .replace(b"__OUT__", os.fsencode(tmp_path) + b"/")
        for a in args
    ]
    INPUTS_TRIED["real command lines"] += 1
    before = snapshot(db)
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"summit_reader", b"--db", os.fsencode(db), *real],
        capture_output=True, timeout=120, env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), output
    assert b"Traceback" not in output and b"unexpected error" not in output, output
    if done.returncode:
        assert len(done.stderr.strip().splitlines()) == 1, output
        assert snapshot(db) == before
    else:
        assert done.stderr == b"", output


# ----------------------------------------------------------------------------- the malformed corpus


def _docx(document_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _pdf(content: bytes, extra_page_keys: bytes = b"") -> bytes:
    """A minimal PDF with one page whose content stream is ``content`` (Helvetica as F1)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R " + extra_page_keys + b">>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_PDF_TEXT = b"BT /F1 12 Tf 72 720 Td (We commit to an invented test of Summit Reader.) Tj ET"


def _corpus() -> list[tuple[str, str, bytes | Callable[[], bytes]]]:
    """(case id, file name, content) of malformed or awkward files."""
    big = lambda: b"a " * (MAX_IMPORT_BYTES // 2) + b"overflow " * (1024 * 1024 // 9 + 1)  # noqa: E731  21 MB
    cases: list[tuple[str, str, bytes | Callable[[], bytes]]] = [
        ("empty", "empty.txt", b""),
        ("only UTF-8 BOM", "bom.txt", b"\xef\xbb\xbf"),
        ("only UTF-16 LE BOM", "bom16.txt", b"\xff\xfe"),
        ("only UTF-16 BE BOM", "bom16be.md", b"\xfe\xff"),
        ("UTF-8 BOM then blanks", "blank.md", b"\xef\xbb\xbf \n\t\r\n  \n"),
        ("truncated UTF-16 (odd length)", "trunc16.txt", "\ufeffWe commit.".encode("utf-16-le")[:-1]),
        ("UTF-16 with a lone surrogate", "lone16.txt", b"\xff\xfe" + "We ".encode("utf-16-le") + b"\x00\xd8" + "x".encode("utf-16-le")),
        ("UTF-16 BE without BOM", "nobom16.txt", "We commit to safety.".encode("utf-16-be")),
        ("UTF-32 with BOM", "utf32.txt", "\ufeffWe commit to safety.".encode("utf-32-le")),
        ("UTF-32 BE with BOM", "utf32be.txt", "\ufeffWe commit.".encode("utf-32-be")),
        ("surrogate encoded in UTF-8", "surrogate.txt", b"We commit \xed\xa0\x80 to safety."),
        ("overlong UTF-8 slash", "overlong.txt", b"We commit \xc0\xaf to safety."),
        ("overlong 3-byte NUL", "overlong3.txt", b"We commit \xe0\x80\x80 to safety."),
        ("5-byte sequence", "fivebyte.txt", b"We \xf8\x88\x80\x80\x80 commit."),
        ("code point above U+10FFFF", "above.txt", b"We \xf4\x90\x80\x80 commit."),
        ("truncated multibyte at end", "cut.txt", b"We commit to \xe2\x82"),
        ("lone continuation bytes", "cont.md", b"# Title\n\x80\x81\x82 text"),
        ("NUL in first 8 KB", "nul.txt", b"We commit\x00 to safety."),
        ("NUL after 8 KB", "latenul.txt", b"a " * 5000 + b"\x00 We commit."),
        ("only NULs", "nuls.md", b"\x00" * 100),
        ("only control characters", "controls.txt", bytes(range(1, 9)) + b"\x0b\x0c\x0e\x1f\x7f"),
        ("mixed line endings", "mixed.txt", b"Line one\r\nLine two\rLine three\nLine four\r\n\r\n\r\nEnd"),
        ("only CR line endings", "cr.md", b"# Heading\r\rA paragraph.\rAnother line."),
        ("Latin-1", "latin1.txt", "Sécurité et sûreté".encode("latin-1")),
        ("Windows-1252 quotes", "cp1252.txt", b"We \x93commit\x94 \x96 truly."),
        ("21 MB", "huge.txt", big),
        ("long line of unclosed emphasis", "stars.md", b"*a " * 300_000),
        ("long line of unclosed bold", "bold.md", b"**a __b " * 100_000),
        ("unclosed comments", "comments.md", b"<!--a " * 150_000),
        ("unclosed links", "links.md", b"[a](" * 200_000),
        ("only markup", "markup.md", b"***\n---\n___\n# \n> \n- \n```\n```"),
        ("deep blockquotes", "quotes.md", b">" * 100_000 + b" text"),
        ("HTML empty", "empty.html", b""),
        ("HTML only scripts", "scripts.html", b"<html><head><script>var a=1;</script><style>p{}</style></head><body></body></html>"),
        ("HTML unclosed tags", "soup.html", b"<p>We <b>commit <i>to <div>safety" * 200),
        ("HTML deep nesting", "deep.html", b"<div>" * 50_000 + b"We commit." + b"</div>" * 50_000),
        ("HTML bogus charset", "charset.html", b'<meta charset="no-such-charset"><p>We commit.</p>'),
        ("HTML charset says UTF-16, bytes are UTF-8", "lying.html", b'<meta charset="utf-16"><p>We commit.</p>'),
        ("HTML Latin-1 bytes declared UTF-8", "latin.html", b'<meta charset="utf-8"><p>S\xe9curit\xe9</p>'),
        ("HTML with NULs", "nul.html", b"<p>We\x00 commit.</p>"),
        ("HTML entities out of range", "entities.html", b"<p>&#0; &#xD800; &#x110000; &#99999999999; &bogus; We commit.</p>"),
        ("XHTML with an entity bomb", "bomb.xhtml",
         b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
         b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><html><body><p>&c; We commit.</p></body></html>'),
        ("PDF header only", "header.pdf", b"%PDF-1.7\n"),
        ("PDF truncated", "truncated.pdf", lambda: _pdf(_PDF_TEXT)[:300]),
        ("PDF garbage body", "garbage.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 40),
        ("PDF without text", "blank.pdf", lambda: _pdf(b"")),
        ("PDF with text", "text.pdf", lambda: _pdf(_PDF_TEXT)),
        ("PDF with a broken stream length", "length.pdf", lambda: _pdf(_PDF_TEXT).replace(b"/Length 78", b"/Length 99999")),
        ("PDF with a page loop", "loop.pdf", lambda: _pdf(_PDF_TEXT).replace(b"/Kids [3 0 R]", b"/Kids [2 0 R 3 0 R]")),
        ("PDF misnamed .txt", "pdf.txt", lambda: _pdf(_PDF_TEXT)),
        ("DOCX empty ZIP", "empty.docx", lambda: _zip({})),
        ("DOCX truncated", "truncated.docx", lambda: _docx(b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>We</w:t></w:r></w:p></w:body></w:document>")[:200]),
        ("DOCX not XML", "notxml.docx", lambda: _docx(b"this is not XML")),
        ("DOCX without text", "notext.docx", lambda: _docx(b"<w:document " + _W + b"><w:body/></w:document>")),
        ("DOCX with text", "text.docx", lambda: _docx(b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>We commit to an invented test.</w:t></w:r></w:p></w:body></w:document>")),
        ("DOCX entity bomb", "bomb.docx", lambda: _docx(
            b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
            b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>&d;</w:t></w:r></w:p></w:body></w:document>")),
        ("ZIP that is not a DOCX", "other.docx", lambda: _zip({"readme.txt": b"hello"})),
        ("ZIP bomb", "bomb.docx", lambda: _zip({"word/document.xml": b"\x00" * (450 * 1024 * 1024)}, level=9)),
        ("old Word file", "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
        ("OpenDocument", "text.odt", lambda: _zip({"mimetype": b"application/vnd.oasis.opendocument.text"})),
        ("unknown suffix", "image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("random bytes as .md", "random.md", bytes((i * 7919) % 256 for i in range(20_000))),
    ]
    return cases


def _zip(files: dict[str, bytes], level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


CORPUS = _corpus()


@pytest.fixture(scope="module")
def corpus_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "library.sqlite3"
    with Library(path) as library:
        library.add_document(new_document(TEXT, "Corpus library text (written for the tests)"))
    return path


@pytest.mark.parametrize(("filename", "content"), [(f, c) for _i, f, c in CORPUS], ids=[i for i, _f, _c in CORPUS])
def test_malformed_file(tmp_path: Path, corpus_library: Path, filename: str, content: bytes | Callable[[], bytes]) -> None:
    path = tmp_path / filename
    path.write_bytes(content() if callable(content) else content)
    INPUTS_TRIED["malformed corpus files"] += 1
    began = time.monotonic()
    outcome = import_or_refuse(path, importers.read_document_file)
    assert time.monotonic() - began < 20, "far too slow for this input"
    if path.suffix in (".txt", ".md"):
        assert import_or_refuse(path, read_text_file) == outcome or outcome != "ok" or path.read_bytes().startswith(b"%PDF")
    # The same file through the command line: one line, and the library untouched if refused.
    before = snapshot(corpus_library)
    result = run_cli(["--db", str(corpus_library), "import", str(path), "--allow-duplicate"])
    assert (result.exit_code == 0) == (outcome == "ok"), result.output
    if result.exit_code != 0:
        assert snapshot(corpus_library) == before


def test_malformed_corpus_expectations(tmp_path: Path) -> None:
    """Some cases must be refused, some must import: the corpus is not only "anything goes"."""
    must_refuse = {"empty.txt", "bom.txt", "trunc16.txt", "surrogate.txt", "overlong.txt", "nul.txt", "latin1.txt",
                   "huge.txt", "utf32.txt", "header.pdf", "blank.pdf", "empty.docx", "old.doc", "text.odt", "image.png"}
    must_import = {"mixed.txt", "cr.md", "latenul.txt", "stars.md", "text.pdf", "text.docx", "soup.html", "entities.html"}
    for _case, filename, content in CORPUS:
        if filename not in must_refuse | must_import:
            continue
        path = tmp_path / filename
        path.write_bytes(content() if callable(content) else content)
        outcome = import_or_refuse(path, importers.read_document_file)
        assert (outcome == "ok") == (filename in must_import), (filename, outcome)
    mixed = importers.read_document_file(tmp_path / "mixed.txt").text
    assert mixed == "Line one\nLine two\nLine three\nLine four\n\nEnd"
    huge = tmp_path / "huge.txt"
    with pytest.raises(DocumentImportError, match="21 MB; the largest file"):
        read_text_file(huge)


LEXICON_CORPUS: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("only BOM", b"\xef\xbb\xbf"),
    ("a scalar", b"just words"),
    ("a list", b"- a\n- b"),
    ("Latin-1", "s\xe9curit\xe9: [s\xfbr]".encode("latin-1")),
    ("UTF-16", "safety: [safe]".encode("utf-16")),
    ("tabs", b"safety:\n\t- safe"),
    ("duplicate keys", b"safety: [a]\nsafety: [b]"),
    ("category twice, other case", b"Safety: [a]\nsafety : [b]"),
    ("empty category", b"safety: []"),
    ("lone star", b"safety: ['*']"),
    ("question mark glob", b"safety: [saf?]"),
    ("recursive alias", b"a: &x [b, *x]"),
    ("recursive mapping", b"a: &x {b: *x}"),
    ("alias bomb", b"a: &a [x,x,x,x,x,x,x,x,x,x]\n" + b"".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n".encode() for p, c in zip("abcdefgh", "bcdefghi", strict=True))),
    ("deep nesting", b"a: " + b"[" * 2000 + b"x" + b"]" * 2000),
    ("python object tag", b"a: !!python/object/apply:os.system ['echo hi']"),
    ("binary tag", b"a: !!binary aGVsbG8="),
    ("surrogate escape", b'safety: ["\\ud800"]'),
    ("surrogate key", b'"\\udfff": [x]'),
    ("NUL", b"safety: [sa\x00fe]"),
    ("date entries", b"safety: [2024-05-21]"),
    ("scale with a gap", b"modal:\n  1 weak: [may]\n  x: [must]"),
    ("two levels, one rank", b"modal:\n  1 weak: [may]\n  1 strong: [must]"),
    ("6 MB", b"safety:\n" + b"  - safe\n" * (6 * 1024 * 1024 // 9)),
]


@pytest.mark.parametrize("content", [c for _i, c in LEXICON_CORPUS], ids=[i for i, _c in LEXICON_CORPUS])
def test_malformed_lexicon_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "lexicon.yml"
    path.write_bytes(content)
    INPUTS_TRIED["malformed corpus lexicons"] += 1
    began = time.monotonic()
    load_or_refuse(lambda: load_lexicon(path))
    assert time.monotonic() - began < 10
    result = run_cli(["--db", str(tmp_path / "library.sqlite3"), "--lexicon", str(path), "stats"])
    assert "lexicon" in result.output.lower()


CSV_CORPUS: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("only BOM", b"\xef\xbb\xbf"),
    ("header without annotation_id", b"a,b,c\r\n1,2,3\r\n"),
    ("header only", ",".join(ANNOTATION_COLUMNS).encode() + b"\r\n"),
    ("unbalanced quote", b'annotation_id,note\r\n1,"unclosed\r\n'),
    ("NUL bytes", b"annotation_id,note\r\n1,a\x00b\r\n"),
    ("Latin-1", "annotation_id,note\r\n1,s\xe9curit\xe9\r\n".encode("latin-1")),
    ("UTF-16", "annotation_id,note\r\n1,x\r\n".encode("utf-16")),
    ("CR only", b"annotation_id,note\r1,x\r2,y"),
    ("short and long rows", b"annotation_id,note,tags\r\n1\r\n2,a,b,c,d,e\r\n"),
    ("neutralised cells", b"annotation_id,note\r\n'=1,'+SUM(A1)\r\n"),
    ("field over the limit", b"annotation_id,note\r\n1,\"" + b"x" * (65 * 1024 * 1024) + b'"\r\n'),
]


@pytest.mark.parametrize("content", [c for _i, c in CSV_CORPUS], ids=[i for i, _c in CSV_CORPUS])
def test_malformed_annotation_csv(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "annotations.csv"
    path.write_bytes(content)
    INPUTS_TRIED["malformed corpus CSV files"] += 1
    try:
        rows = read_annotations_csv(path)
    except ExportError as exc:
        assert str(exc)
        return
    assert all(isinstance(v, str) for row in rows for v in row.values())


# --------------------------------------------------------------------------- importing fetches nothing


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def _record(self) -> None:
        _Recorder.requests.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"fetched")

    do_GET = do_POST = do_HEAD = _record  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def recording_server() -> Iterator[str]:
    _Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def no_connections_except(allowed_port: int) -> Iterator[list[Any]]:
    """Record (and refuse) every outgoing connection, except to the recording server (so that it sees what
    would have been requested)."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(sock: socket.socket, address: Any) -> Any:
        attempts.append(address)
        if isinstance(address, tuple) and address[:2] == ("127.0.0.1", allowed_port):
            return real_connect(sock, address)
        raise OSError("network access during an import")

    def guarded_ex(sock: socket.socket, address: Any) -> int:
        attempts.append(address)
        if isinstance(address, tuple) and address[:2] == ("127.0.0.1", allowed_port):
            return int(real_connect_ex(sock, address))
        return 111

    socket.socket.connect = guarded  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_ex  # type: ignore[method-assign]
    try:
        yield attempts
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]


def _html_pointing_at(base: str) -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "{base}/dtd">
<html><head>
<base href="{base}/base/">
<meta http-equiv="refresh" content="0; url={base}/refresh">
<link rel="stylesheet" href="{base}/style.css"><link rel="preload" href="{base}/preload"><link rel="icon" href="{base}/icon">
<link rel="import" href="{base}/import"><script src="{base}/script.js"></script>
<style>@import url("{base}/imported.css"); body {{ background: url({base}/bg.png) }}</style>
<title>Network test page (written for the tests)</title></head>
<body style="background-image: url('{base}/inline.png')">
<main><h1>Network test page</h1>
<p>We commit to reading this page without asking anyone for anything. <img src="{base}/img.png" srcset="{base}/a.png 2x"></p>
<p>Second paragraph <a href="{base}/link">with a link</a>. <iframe src="{base}/frame"></iframe>
<object data="{base}/object"></object><embed src="{base}/embed"><video src="{base}/video" poster="{base}/poster"></video>
<audio><source src="{base}/audio"></audio><input type="image" src="{base}/input">
<svg><image href="{base}/svg-image" xlink:href="{base}/xlink"/></svg></p>
<form action="{base}/form"><button formaction="{base}/button">x</button></form>
</main></body></html>"""


def test_importing_html_docx_and_pdf_never_makes_a_network_request(
    recording_server: str, tmp_path: Path, corpus_library: Path
) -> None:
    port = int(recording_server.rsplit(":", 1)[1])
    html = _html_pointing_at(recording_server)
    files = {
        "page.html": html.encode("utf-8"),
        "page.xhtml": (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY ext SYSTEM "{recording_server}/xxe">]>'
                       + html.split("\n", 1)[1].replace("<p>Second", "<p>&ext; Second")).encode("utf-8"),
        "external.docx": _docx(
            f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY ext SYSTEM "{recording_server}/docx-xxe">]>'.encode()
            + b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>We commit &ext; to an invented test.</w:t></w:r></w:p>"
            b"</w:body></w:document>"),
        "link.pdf": _pdf(_PDF_TEXT, b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /URI /URI ("
                         + f"{recording_server}/pdf-link".encode() + b") >> >>] /AA << /O << /S /URI /URI ("
                         + f"{recording_server}/pdf-open".encode() + b") >> >> "),
    }
    with no_connections_except(port) as attempts:
        for name, data in files.items():
            path = tmp_path / name
            path.write_bytes(data)
            import_or_refuse(path, importers.read_document_file)
            INPUTS_TRIED["network test files"] += 1
        pasted = importers.read_pasted_text("Network test page", html=html)
        assert "We commit to reading this page" in pasted.text
        for name in files:
            run_cli(["--db", str(corpus_library), "import", str(tmp_path / name), "--allow-duplicate"])
    assert _Recorder.requests == []
    assert attempts == []
    html_text = importers.read_document_file(tmp_path / "page.html").text
    assert "We commit to reading this page" in html_text and "Second paragraph" in html_text


def test_the_network_guard_would_see_a_request(recording_server: str) -> None:
    """The server and the guard work: a real request is recorded (so zero above means zero)."""
    import urllib.request

    port = int(recording_server.rsplit(":", 1)[1])
    with no_connections_except(port) as attempts:
        with urllib.request.urlopen(f"{recording_server}/probe", timeout=5) as answer:
            assert answer.read() == b"fetched"
        with pytest.raises(OSError):
            socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert _Recorder.requests == ["GET /probe"]
    assert len(attempts) == 2


def test_every_error_is_a_summit_reader_error() -> None:
    """The typed errors the tests above accept are all SummitReaderError subclasses (so the CLI and the
    window show them as one plain message)."""
    for error in (DocumentImportError, LexiconError, ExportError):
        assert issubclass(error, SummitReaderError)
    assert set(string.whitespace) & _CONTROL  # sanity: the control set is not empty of what matters
