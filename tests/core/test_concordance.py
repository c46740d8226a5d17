"""Keyword in context: every line is a counted match, terms are matched as lexicon entries are, and the
context reads well. On texts written for these tests."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from summit_reader.core.analysis import Analyzer
from summit_reader.core.concordance import (
    CONCORDANCE_COLUMNS,
    concordance,
    left_context,
    right_context,
    sort_lines,
    write_concordance_csv,
)
from summit_reader.core.documents import new_document
from summit_reader.core.errors import InvalidInputError, LexiconError, NotFoundError
from summit_reader.core.lexicon import parse_lexicon
from summit_reader.core.stats import library_stats
from summit_reader.core.store import Library
from tests.conftest import SAMPLE_TEXTS

SECURITY_TEXT = (
    "Security comes first. Cybersecurity is a field of its own;\n"
    "cyber-security is spelt with a hyphen. We value SECURITY and securing systems, not insecurity."
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "kwic.sqlite3")
    # added out of date order: the lines must still come in date order
    for year in ("2025", "2023", "2024"):
        title, date, text = SAMPLE_TEXTS[year]
        lib.add_document(new_document(text, title, date=date))
    lib.add_document(new_document(SECURITY_TEXT, "Security words (test text)", date="2022-06-01"))
    return lib


def test_a_category_gives_exactly_the_language_tables_matches(library: Library, analyzer: Analyzer) -> None:
    table = library_stats(library, analyzer)
    for category in analyzer.lexicon.category_names:
        lines = concordance(library, analyzer, category, category=True)
        for row in table.rows:
            mine = [(ln.start, ln.end) for ln in lines if ln.document_id == row.document.id]
            counted = [(m.start, m.end) for m in row.analysis.matches_in(category)]
            assert mine == counted, (category, row.document.title)
        assert len(lines) == sum(row.count(category) for row in table.rows)
    assert sum(len(concordance(library, analyzer, c, category=True)) for c in ("safety", "modal")) > 5


def test_lines_come_in_date_order_then_position(library: Library, analyzer: Analyzer) -> None:
    lines = concordance(library, analyzer, "safety", category=True)
    dates = [ln.date for ln in lines]
    assert dates == sorted(dates)
    assert dates[0] == "2023-11-01" and dates[-1] == "2024-05-21"
    first = [ln.start for ln in lines if ln.date == "2023-11-01"]
    assert first == sorted(first) and len(first) == 3


def test_a_term_matches_whole_words_as_the_lexicon_does(library: Library, analyzer: Analyzer) -> None:
    doc = next(s for s in library.list_documents() if s.title.startswith("Security words"))
    text = library.get_document(doc.id).text
    lines = concordance(library, analyzer, "security", document_ids=[doc.id])
    # "Cybersecurity" and "insecurity" hold the letters but are other words; "cyber-security" is two tokens
    assert [ln.keyword for ln in lines] == ["Security", "security", "SECURITY"]
    assert lines[1].start == text.index("cyber-security") + len("cyber-")
    assert text.lower().count("security") == 5  # what a substring search would have listed
    for ln in lines:
        assert text[ln.start : ln.end] == ln.keyword
    # the glob counts what the lexicon's "secur*" counts in the security category
    glob = concordance(library, analyzer, "SECUR*", document_ids=[doc.id])
    counted = [(m.start, m.end) for m in analyzer.analyse(text).matches if m.term == "secur*"]
    assert [(ln.start, ln.end) for ln in glob] == counted
    assert [ln.keyword for ln in glob] == ["Security", "security", "SECURITY", "securing"]


def test_a_phrase_matches_consecutive_words_across_a_line_break(library: Library, analyzer: Analyzer) -> None:
    lines = concordance(library, analyzer, "spelt with")
    assert [ln.keyword for ln in lines] == ["spelt with"]
    lines = concordance(library, analyzer, "first cybersecurity")  # a full stop between them is a token
    assert lines == []
    lines = concordance(library, analyzer, "act   together")
    assert [(ln.keyword, ln.date) for ln in lines] == [("act together", "2023-11-01")]
    assert lines[0].left.endswith("and we should") and lines[0].right == "on security."


@pytest.mark.parametrize(
    ("query", "total"),
    # a phrase does not run across a line break, in a lexicon or in a search ("own;" ends a line)
    [("safety", 4), ("secur*", 5), ("act together", 1), ("own ; cyber", 0), ("we should", 1), ("AI", 3)],
)
def test_a_term_lists_what_the_same_entry_in_a_lexicon_counts(library: Library, query: str, total: int) -> None:
    lexicon = parse_lexicon(json.dumps({"searched": [query]}), name="one-entry")
    counter = Analyzer(lexicon)
    lines = concordance(library, counter, query)
    assert len(lines) == total
    for summary in library.list_documents():
        text = library.get_document(summary.id).text
        counted = [(m.start, m.end) for m in counter.analyse(text).matches]
        assert [(ln.start, ln.end) for ln in lines if ln.document_id == summary.id] == counted, summary.title


def test_a_term_is_a_plain_word_search_where_a_category_applies_its_rules(library: Library, analyzer: Analyzer) -> None:
    # "May 2025" is a month: the modal category does not count it, a search for the word lists it
    word = concordance(library, analyzer, "may")
    modal = [ln for ln in concordance(library, analyzer, "modal", category=True) if ln.keyword.lower() == "may"]
    assert {ln.keyword for ln in word} == {"may", "May"}
    assert len(word) == len(modal) + 1
    assert all(ln.category == "modal" for ln in modal)


def test_context_is_cut_at_word_boundaries_with_spaces_for_line_breaks() -> None:
    text = "one two three\n\nfour KEY five six\tseven eight"
    start = text.index("KEY")
    end = start + 3
    assert left_context(text, start, 100) == "one two three four"
    assert right_context(text, end, 100) == "five six seven eight"
    assert left_context(text, start, 12) == "three four"  # "ee four" would cut "three"
    assert right_context(text, end, 10) == "five six"  # "five six s" would cut "seven"
    assert left_context(text, start, 0) == "" and right_context(text, end, 0) == ""
    assert left_context(text, 0, 10) == "" and right_context(text, len(text), 10) == ""
    # a single word longer than the width is shown cut rather than not at all
    assert right_context("x " + "a" * 30, 1, 10) == "a" * 9
    assert left_context("b" * 30 + " x", 31, 10) == "b" * 9


def test_sorting_by_left_context_reads_the_nearest_word_first(library: Library, analyzer: Analyzer) -> None:
    lines = concordance(library, analyzer, "safety", category=True, width=30)
    by_left = sort_lines(lines, "left")
    nearest = [ln.left.split()[-1].strip(".,;").lower() for ln in by_left]
    assert nearest == sorted(nearest)
    assert nearest[0] == "ai" and nearest[-1] == "to"
    assert concordance(library, analyzer, "safety", category=True, width=30, sort="left") == by_left
    by_right = sort_lines(lines, "right")
    following = [re.findall(r"\w+", ln.right.lower()) for ln in by_right]
    assert following == sorted(following)  # by words: punctuation does not count
    assert following[0][:2] == ["and", "innovation"] and following[-1][:2] == ["we", "welcome"]
    assert sort_lines(by_right, "document") == lines


def test_bad_queries_say_what_to_type(library: Library, analyzer: Analyzer) -> None:
    with pytest.raises(InvalidInputError, match="Type a word"):
        concordance(library, analyzer, "   ")
    with pytest.raises(InvalidInputError, match="no letters or digits"):
        concordance(library, analyzer, "**")
    with pytest.raises(InvalidInputError, match="only \\* is a wildcard"):
        concordance(library, analyzer, "secur?ty")
    with pytest.raises(LexiconError, match="no category 'nothing'.*safety"):
        concordance(library, analyzer, "nothing", category=True)
    with pytest.raises(NotFoundError, match="No document with id 999"):
        concordance(library, analyzer, "safety", document_ids=[999])
    with pytest.raises(InvalidInputError, match="Sort by document, left, right"):
        concordance(library, analyzer, "safety", sort="sideways")


def test_csv_export_carries_the_query_and_lexicon_and_neutralises_formulas(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    lib = Library(tmp_path / "formula.sqlite3")
    lib.add_document(new_document("=HYPERLINK(x) safety first.\n+1 risk; safety @home", "=cmd|' /C calc'!A0", date="2024-01-01"))
    lines = concordance(lib, analyzer, "safety", category=True, width=14)
    out = tmp_path / "kwic.csv"
    n = write_concordance_csv(lines, out, query="safety", category=True, lexicon=analyzer.lexicon.label)
    assert n == 2
    raw = out.read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert list(rows[0]) == list(CONCORDANCE_COLUMNS)
    assert {r["query"] for r in rows} == {"safety"} and {r["query_kind"] for r in rows} == {"category"}
    assert {r["lexicon"] for r in rows} == {analyzer.lexicon.label}
    assert rows[0]["left"] == "'=HYPERLINK(x)" and rows[0]["document_title"].startswith("'=")
    assert rows[1]["left"] == "'+1 risk;" and rows[1]["right"] == "'@home"
    assert [r["keyword"] for r in rows] == ["safety", "safety"]
    assert [int(r["start"]) for r in rows] == [ln.start for ln in lines]
    assert not list(tmp_path.glob(".kwic.csv.*.tmp"))  # written atomically: no temporary file left
