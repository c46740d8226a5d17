"""CSV exports: they must read back exactly, open safely in a spreadsheet, and never be half-written."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summit_reader.core.documents import Document, new_document
from summit_reader.core.errors import ExportError, SummitReaderError
from summit_reader.core.export import (
    ANNOTATION_COLUMNS,
    annotation_rows,
    join_tags,
    neutralise_cell,
    read_annotations_csv,
    restore_cell,
    split_tags,
    write_annotations_csv,
    write_table_csv,
)
from summit_reader.core.models import Annotation
from summit_reader.core.store import DEFAULT_TAGS, Library


def _permissions_enforced() -> bool:
    """False when running as root (or with CAP_DAC_OVERRIDE), where read-only files are writable anyway."""
    if os.name != "posix":
        return False
    with tempfile.TemporaryDirectory() as folder:
        locked = Path(folder) / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        try:
            (locked / "probe").touch()
        except PermissionError:
            return True
        finally:
            locked.chmod(0o755)
        return False


PERMISSIONS_ENFORCED = _permissions_enforced()
LEXICON = "summit-default 1.0 sha256:abcd1234"
TEXT = 'The signatories commit to cooperate, and will consider "frontier AI" risks;\nsee annex.'


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library(tmp_path / "library.sqlite3")
    yield library
    library.close()


def add_doc(lib: Library, text: str = TEXT, title: str = "Bletchley", date: str | None = "2023-11-01") -> int:
    d = lib.add_document(new_document(text, title, date=date), allow_duplicate=True)
    assert d.id is not None
    return d.id


def raw_rows(path: Path) -> list[list[str]]:
    """The cells exactly as a spreadsheet would receive them (no restoring)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


# ------------------------------------------------------------------------------------- cell helpers


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tindented", "'\tindented"),
        ("\rcarriage", "'\rcarriage"),
        ("'quoted", "''quoted"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("", ""),
        ("-0.53", "-0.53"),  # plain numbers stay numbers
        ("+12", "+12"),
        ("-1e-5", "-1e-5"),
    ],
)
def test_neutralise_and_restore(value: str, written: str) -> None:
    assert neutralise_cell(value) == written
    assert restore_cell(neutralise_cell(value)) == value


@given(st.text())
def test_restore_is_exact_inverse_of_neutralise(value: str) -> None:
    written = neutralise_cell(value)
    assert written in (value, "'" + value)
    assert restore_cell(written) == value
    if written[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(written)  # only plain numbers are left as they are


@pytest.mark.parametrize(
    "tags",
    [
        [],
        [""],
        ["a"],
        ["a", "b"],
        ["a;b", "c\\d", "\\", ";", "\\;"],
        ["", ""],
        ["x", ""],
        ["", "x"],
        ["trailing\\"],
    ],
)
def test_join_and_split_tags_examples(tags: list[str]) -> None:
    assert split_tags(join_tags(tags)) == tags


@given(st.lists(st.text()))
def test_split_tags_inverts_join_tags_for_any_strings(tags: list[str]) -> None:
    assert split_tags(join_tags(tags)) == tags


def test_join_tags_is_readable() -> None:
    assert join_tags(["hedge", "key passage"]) == "hedge;key passage"
    assert join_tags(["a;b", "c\\d"]) == "a\\;b;c\\\\d"


# ------------------------------------------------------------------------------------ round trip

SAFE = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
TAG_NAME = st.text(SAFE, min_size=1, max_size=12).filter(lambda s: s.strip() != "")


@st.composite
def library_content(draw: st.DrawFn) -> list[tuple[Document, list[tuple[int, int, str, list[str]]]]]:
    docs = []
    for i in range(draw(st.integers(1, 3))):
        text = draw(st.text(SAFE, min_size=1, max_size=80).filter(lambda s: s.strip() != ""))
        title = draw(st.text(SAFE, min_size=1, max_size=20).filter(lambda s: s.split() != []))
        date = draw(st.one_of(st.none(), st.dates().map(lambda d: d.isoformat())))
        annotations = []
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            note = draw(st.text(SAFE, max_size=60))
            tags = draw(st.lists(TAG_NAME, max_size=3, unique_by=lambda s: s.strip().casefold()))
            annotations.append((start, end, note, tags))
        docs.append((new_document(text, f"{title} {i}", date=date), annotations))
    return docs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=library_content(), bom=st.booleans())
def test_csv_round_trip_gives_back_every_annotation(
    content: list[tuple[Document, list[tuple[int, int, str, list[str]]]]], bom: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        with Library(Path(folder) / "library.sqlite3") as library:
            spelling = {name.casefold(): name for name, _ in DEFAULT_TAGS}  # first spelling of each tag wins
            expected: dict[str, tuple[Document, Annotation, list[str]]] = {}
            for document, annotations in content:
                stored = library.add_document(document, allow_duplicate=True)
                assert stored.id is not None
                for start, end, note, tags in annotations:
                    a = library.add_annotation(stored.id, start, end, note=note, tags=tags)
                    names = [spelling.setdefault(t.strip().casefold(), t.strip()) for t in tags]
                    expected[a.id] = (stored, a, names)

            out = Path(folder) / "annotations.csv"
            assert write_annotations_csv(library, out, bom=bom, lexicon=LEXICON) == len(expected)

        with out.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == list(ANNOTATION_COLUMNS)
        assert len(rows) - 1 == len(expected)
        for raw in rows[1:]:
            row = dict(zip(ANNOTATION_COLUMNS, (restore_cell(cell) for cell in raw), strict=True))
            stored, a, names = expected[row["annotation_id"]]
            assert row["document_id"] == str(stored.id)
            assert row["document_title"] == stored.title
            assert row["document_date"] == (stored.date or "")
            assert (int(row["start"]), int(row["end"])) == (a.start, a.end)
            assert row["quote"] == stored.text[a.start : a.end] == a.quote
            assert row["note"] == a.note
            assert sorted(split_tags(row["tags"]), key=str.casefold) == sorted(names, key=str.casefold)
            assert split_tags(row["tags"]) == list(a.tags)
            assert (row["author"], row["created"], row["modified"]) == (a.author, a.created, a.modified)
            assert row["status"] == "ok" and row["lexicon"] == LEXICON
            assert row["document_sha256"] == stored.text_hash
        assert read_annotations_csv(out) == [
            dict(zip(ANNOTATION_COLUMNS, (restore_cell(c) for c in raw), strict=True)) for raw in rows[1:]
        ]


# ---------------------------------------------------------------------------- what the file looks like


def test_formula_injection_is_neutralised_in_the_raw_file(lib: Library, tmp_path: Path) -> None:
    doc_id = add_doc(lib, "=1+1 is a formula, says the text.")
    lib.add_annotation(doc_id, 0, 4, note='=HYPERLINK("http://evil.example","click")', tags=["@risk", "-x"])
    lib.add_annotation(doc_id, 5, 7, note="+cmd|' /C calc'!A0")
    out = tmp_path / "a.csv"
    write_annotations_csv(lib, out)

    raw = out.read_text(encoding="utf-8")
    assert '\'=HYPERLINK(""http://evil.example"",""click"")' in raw
    cells = [cell for row in raw_rows(out) for cell in row]
    assert "'=1+1" in cells  # the quote
    assert "'+cmd|' /C calc'!A0" in cells
    assert "'-x;@risk" in cells
    assert not [
        c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not c[1:2].isdigit())
    ]

    notes = {row["note"] for row in read_annotations_csv(out)}
    assert notes == {'=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0"}


def test_bom_option(lib: Library, tmp_path: Path) -> None:
    add_doc(lib)
    with_bom, without = tmp_path / "bom.csv", tmp_path / "plain.csv"
    write_annotations_csv(lib, with_bom, bom=True)
    write_annotations_csv(lib, without)
    assert with_bom.read_bytes().startswith(b"\xef\xbb\xbfannotation_id,")
    assert without.read_bytes().startswith(b"annotation_id,")
    stream = io.StringIO()
    write_annotations_csv(lib, stream, bom=True)
    assert stream.getvalue().startswith("\ufeffannotation_id,")


def test_rfc4180_crlf_and_quoting(lib: Library, tmp_path: Path) -> None:
    doc_id = add_doc(lib)
    lib.add_annotation(doc_id, 0, 15, note='one, "two"\nthree', tags=["ünïcode, tag"])
    out = tmp_path / "a.csv"
    assert write_annotations_csv(lib, out, lexicon=LEXICON) == 1
    data = out.read_bytes()
    header = ",".join(ANNOTATION_COLUMNS).encode() + b"\r\n"
    assert data.startswith(header)
    sha256 = lib.get_document(doc_id).text_hash
    assert data.endswith(b",ok," + LEXICON.encode() + b"," + sha256.encode() + b"\r\n")
    assert b'"one, ""two""\nthree"' in data
    assert '"ünïcode, tag"'.encode() in data
    assert data.count(b"\r\n") == 2  # one per record; the newline inside the note stays inside quotes


def test_annotation_rows_filters_and_selects(lib: Library) -> None:
    first = add_doc(lib, title="First", date="2023-11-01")
    second = add_doc(lib, title="Second", date=None)
    a = lib.add_annotation(first, 0, 3, tags=["hedge", "commitment"])
    b = lib.add_annotation(second, 4, 9)
    rows = list(annotation_rows(lib, lexicon=LEXICON))
    assert [r[0] for r in rows] == [a.id, b.id]
    assert rows[0][:6] == [a.id, str(first), "First", "2023-11-01", "0", "3"]
    assert rows[0][8] == "commitment;hedge"
    assert rows[1][3] == ""  # undated
    assert [r[0] for r in annotation_rows(lib, document_id=second)] == [b.id]
    assert [r[0] for r in annotation_rows(lib, [b, a], document_id=first)] == [a.id]


def test_write_to_stream_and_document_filter(lib: Library) -> None:
    first = add_doc(lib, title="First")
    second = add_doc(lib, title="Second")
    lib.add_annotation(first, 0, 3)
    lib.add_annotation(second, 0, 3)
    stream = io.StringIO(newline="")
    assert write_annotations_csv(lib, stream, document_id=second) == 1
    stream.seek(0)
    rows = read_annotations_csv(stream)
    assert [r["document_title"] for r in rows] == ["Second"]


def test_write_table_csv_generic(tmp_path: Path) -> None:
    out = tmp_path / "stats.csv"
    n = write_table_csv(
        ["term", "count", "share", "z"], [["=risk", 3, "0.25", -1.5], ["safety", None, "-0.10", 2]], out
    )
    assert n == 2
    assert raw_rows(out) == [
        ["term", "count", "share", "z"],
        ["'=risk", "3", "0.25", "-1.5"],
        ["safety", "", "-0.10", "2"],
    ]


# ------------------------------------------------------------------------------ failures stay clean


def test_failure_midway_leaves_previous_file_intact(tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    out.write_bytes(b"old,content\r\n")

    def rows() -> Iterator[list[str]]:
        yield ["a", "b"]
        raise RuntimeError("disk pulled out")

    with pytest.raises(RuntimeError):
        write_table_csv(["x", "y"], rows(), out)
    assert out.read_bytes() == b"old,content\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]  # no temporary file left behind


def test_overwrite_replaces_whole_file(tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    out.write_text("x\r\n" * 1000, encoding="utf-8")
    write_table_csv(["only"], [["row"]], out)
    assert out.read_bytes() == b"only\r\nrow\r\n"


def test_missing_folder_and_folder_destination(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        write_table_csv(["a"], [], tmp_path / "nope" / "a.csv")
    with pytest.raises(ExportError, match="is a folder"):
        write_table_csv(["a"], [], tmp_path)
    assert issubclass(ExportError, SummitReaderError)


@pytest.mark.skipif(not PERMISSIONS_ENFORCED, reason="file permissions are not enforced (root?)")
def test_read_only_folder_gives_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="read-only"):
            write_table_csv(["a"], [["1"]], folder / "a.csv")
    finally:
        folder.chmod(0o755)
    assert list(folder.iterdir()) == []


def test_reading_something_that_is_not_an_export(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("name,age\r\nAda,36\r\n", encoding="utf-8")
    with pytest.raises(ExportError, match="not a Summit Reader annotation export"):
        read_annotations_csv(other)
    with pytest.raises(ExportError, match="does not exist"):
        read_annotations_csv(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("annotation_id,note\r\n1,caf\xe9\r\n".encode("latin-1"))
    with pytest.raises(ExportError, match="not UTF-8"):
        read_annotations_csv(latin)


def test_long_cells_read_back(lib: Library, tmp_path: Path) -> None:
    long_text = "word " * 60_000  # a 300,000-character passage, beyond csv's default field limit
    doc_id = add_doc(lib, long_text.strip())
    lib.add_annotation(doc_id, 0, len(long_text.strip()))
    out = tmp_path / "a.csv"
    write_annotations_csv(lib, out)
    assert read_annotations_csv(out)[0]["quote"] == long_text.strip()


# ------------------------------------------------------- the column-at-a-time writer and reader (issue #10)
#
# A whole library's export is made a column at a time (_write_columns), and a merge reads a file a column
# at a time (read_annotation_columns): both must give exactly what the row-by-row code gives.

CELL_TEXT = st.lists(
    st.sampled_from(
        ["a", "é", "€", ",", '"', "\r", "\n", "\r\n", "=", "+", "-", "@", "\t", "'", " ", "1", ".", "e", "\x00", ";"]
    ),
    max_size=8,
).map("".join)
CELL = st.one_of(CELL_TEXT, st.integers(-5, 10**6), st.floats(allow_nan=False), st.none(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(
    header=st.lists(CELL_TEXT, min_size=1, max_size=5),
    data=st.data(),
)
def test_column_writer_writes_what_the_row_writer_writes(header: list[str], data: st.DataObject) -> None:
    from summit_reader.core.export import _write_columns, _write_rows

    rows = data.draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=6))
    by_rows, by_columns = io.StringIO(newline=""), io.StringIO(newline="")
    assert _write_rows(by_rows, header, rows) == len(rows)
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in header]
    assert _write_columns(by_columns, header, columns, len(rows)) == len(rows)
    assert by_columns.getvalue() == by_rows.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=library_content(), bom=st.booleans(), lexicon=st.sampled_from(["", LEXICON, "=lex,1", "'x"]))
def test_whole_library_export_is_the_export_of_its_annotations(
    content: list[tuple[Document, list[tuple[int, int, str, list[str]]]]], bom: bool, lexicon: str
) -> None:
    """write_annotations_csv of a whole library (made a column at a time) writes the same bytes as the
    export of the same annotations given one by one (made a row at a time)."""
    with tempfile.TemporaryDirectory() as folder, Library(Path(folder) / "library.sqlite3") as library:
        first = None
        for document, annotations in content:
            stored = library.add_document(document, allow_duplicate=True)
            assert stored.id is not None
            first = first or stored.id
            for start, end, note, tags in annotations:
                library.add_annotation(stored.id, start, end, note=note, tags=tags)
        fast, slow = Path(folder) / "fast.csv", Path(folder) / "slow.csv"
        write_annotations_csv(library, fast, bom=bom, lexicon=lexicon)
        write_annotations_csv(library, slow, annotations=library.list_annotations(), bom=bom, lexicon=lexicon)
        assert fast.read_bytes() == slow.read_bytes()
        one, other = io.StringIO(newline=""), io.StringIO(newline="")
        write_annotations_csv(library, one, document_id=first, lexicon=lexicon)
        its_own = library.list_annotations(document_id=first)
        write_annotations_csv(library, other, annotations=its_own, lexicon=lexicon)
        assert one.getvalue() == other.getvalue()


@settings(max_examples=150, deadline=None)
@given(
    header=st.lists(st.sampled_from(["annotation_id", "start", "'quote", "note", "x"]), max_size=5).map(
        lambda h: ["annotation_id", *h]
    ),
    rows=st.lists(st.lists(CELL_TEXT, max_size=8), max_size=6),
    as_written=st.sets(st.sampled_from(["note", "x", "start"])),
)
def test_reading_by_column_gives_the_rows_read_one_by_one(
    header: list[str], rows: list[list[str]], as_written: set[str]
) -> None:
    from summit_reader.core.export import read_annotation_columns

    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows([header, *rows])
    expected = read_annotations_csv(io.StringIO(text.getvalue(), newline=""))
    count, columns = read_annotation_columns(io.StringIO(text.getvalue(), newline=""), as_written=as_written)
    assert count == len(expected)
    for name, cells in columns.items():
        wanted = [row[name] for row in expected]
        got = list(cells) if name not in as_written else [restore_cell(c) for c in cells]
        assert got == wanted


def test_a_late_undecodable_byte_is_reported_where_it_is(tmp_path: Path) -> None:
    """The file is parsed as it is decoded; an undecodable byte is still reported (before any CSV error)
    at its position in the whole file."""
    good = "annotation_id,start,end,quote\r\n" + "".join(f"id-{i},1,2,q\r\n" for i in range(5000))
    path = tmp_path / "late.csv"
    path.write_bytes(good.encode("utf-8") + b'x,1,2,"unclosed \xff')
    with pytest.raises(ExportError, match=f"not UTF-8 text \\(undecodable byte at position {len(good) + 16}\\)"):
        read_annotations_csv(path)
