"""`summit-reader kwic`, driven with Click's runner on texts written for the tests."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from summit_reader.cli import cli
from tests.conftest import SAMPLE_TEXTS

# Written for these tests: "security" as a word, inside "cybersecurity", after a hyphen, and a formula.
SECURITY_TEXT = (
    "=SUM(A1) We put security first. Cybersecurity is a field of its own.\n\n"
    "Cyber-security needs a hyphen; security and safety go together."
)


def run(*args: str, ok: bool = True) -> tuple[str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    else:
        assert result.exit_code != 0, result.output
        assert "Traceback" not in result.output + result.stderr
    return result.stdout, result.stderr


@pytest.fixture
def library(sample_files: dict[str, Path], db_path: Path, tmp_path: Path) -> Path:
    for year, (title, date, _text) in SAMPLE_TEXTS.items():
        run("--db", str(db_path), "import", str(sample_files[year]), "--title", title, "--date", date)
    words = tmp_path / "security.txt"
    words.write_text(SECURITY_TEXT, encoding="utf-8")
    run("--db", str(db_path), "import", str(words), "--title", "Security words (test text)", "--date", "2022-01-01")
    return db_path


def test_kwic_category_lines_equal_the_stats_count(library: Path) -> None:
    stats = json.loads(run("--db", str(library), "stats", "--format", "json")[0])
    for category in ("safety", "modal", "security"):
        rows = list(csv.DictReader(io.StringIO(run("--db", str(library), "kwic", category, "--category", "--format", "csv")[0])))
        for doc in stats:
            assert sum(1 for r in rows if int(r["document_id"]) == doc["id"]) == doc[category], (category, doc["title"])
        assert {r["query_kind"] for r in rows} == {"category"}


def test_kwic_table_lines_up_the_keywords_and_counts_whole_words(library: Path) -> None:
    out, err = run("--db", str(library), "kwic", "security", "--width", "20")
    lines = out.splitlines()
    assert lines[0].split() == ["id", "date", "left", "keyword", "right"]
    body = lines[1:]
    assert len(body) == 4  # "security" x3 in the test text (none inside "Cybersecurity") and once in text A
    columns = {line.index(word) for line in body for word in re.findall(r"(?i)\bsecurity\b(?=\s{2})", line)[:1]}
    assert len(columns) == 1  # every keyword starts in the same column
    assert "4 occurrence(s) of “security” in 2 document(s)" in err
    assert "2022-01-01" in body[0] and "2023-11-01" in body[-1]  # date order


def test_kwic_sorts_and_filters_by_document(library: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("--db", str(library), "kwic", "we", "--sort", "right", "--format", "csv")[0])))
    rights = [re.findall(r"\w+", r["right"].lower()) for r in rows]
    assert rights == sorted(rights) and len(rows) >= 9
    one = list(csv.DictReader(io.StringIO(run("--db", str(library), "kwic", "we", "--document", "2", "--format", "csv")[0])))
    assert {r["document_id"] for r in one} == {"2"} and 0 < len(one) < len(rows)


def test_kwic_out_writes_a_formula_safe_csv_with_query_and_lexicon(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "kwic.csv"
    out, _err = run("--db", str(library), "kwic", "SECUR*", "--width", "16", "--out", str(target))
    assert out.strip() == f"Wrote 4 line(s) to {target}."
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"))))
    assert {r["query"] for r in rows} == {"secur*"} and {r["query_kind"] for r in rows} == {"term"}
    assert all(r["lexicon"].startswith("summit-default ") for r in rows)
    assert rows[0]["left"] == "'=SUM(A1) We put"


def test_kwic_bad_input_is_one_line_and_writes_nothing(library: Path, tmp_path: Path) -> None:
    _out, err = run("--db", str(library), "kwic", "nothing", "--category", ok=False)
    assert "There is no category 'nothing'" in err
    _out, err = run("--db", str(library), "kwic", "secur?ty", ok=False)
    assert "only * is a wildcard" in err
    _out, err = run("--db", str(library), "kwic", "safety", "--document", "99", ok=False)
    assert "No document with id 99" in err
    target = tmp_path / "missing" / "out.csv"
    _out, err = run("--db", str(library), "kwic", "safety", "--out", str(target), ok=False)
    assert "does not exist" in err and not target.parent.exists()
    _out, err = run("--db", str(library), "kwic", "safety", "--out", str(tmp_path / "x.csv"), "--format", "table", ok=False)
    assert "--out writes CSV" in err
    _out, err = run("--db", str(library), "kwic", "blockchain")
    assert "No occurrence of “blockchain”" in err
