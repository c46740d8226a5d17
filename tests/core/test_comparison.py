"""The change from the first to the last document, in plain words (presentation mode's caption under the
graph and the graph's text alternative)."""

from __future__ import annotations

from summit_reader.core.analysis import DocumentAnalysis, Match
from summit_reader.core.comparison import comparison_sentence, rate_changes
from summit_reader.core.models import DocumentSummary
from summit_reader.core.stats import StatsRow, StatsTable


def row(doc_id: int, title: str, date: str, words: int, counts: dict[str, int]) -> StatsRow:
    matches = tuple(
        Match(i, i + 1, "x", category, "x") for category, n in counts.items() for i in range(n)
    )
    summary = DocumentSummary(doc_id, title, date, "", "declaration", "", f"h{doc_id}", words * 6)
    return StatsRow(summary, DocumentAnalysis(f"h{doc_id}", "test", words, 1, matches))


TABLE = StatsTable(
    ("safety", "innovation", "risk", "trust"),
    (
        row(1, "Bletchley Declaration", "2023-11-01", 1000, {"safety": 11, "innovation": 2, "risk": 5, "trust": 3}),
        row(2, "Seoul Declaration", "2024-05-21", 2000, {"safety": 10, "innovation": 8}),
        row(3, "Paris Statement", "2025-02-11", 1500, {"safety": 10, "innovation": 9, "risk": 1, "trust": 4}),
    ),
    "test",
)


def test_rates_of_the_first_and_last_document() -> None:
    changes = {c.category: c for c in rate_changes(TABLE)}
    assert changes["safety"].first == 11.0 and round(changes["safety"].last, 2) == 6.67
    assert changes["innovation"].words() == "innovation rose from 2.0 to 6.0"
    assert changes["safety"].words() == "safety fell from 11.0 to 6.7"
    assert round(changes["trust"].delta, 1) == -0.3


def test_sentence_puts_the_focus_first_then_the_largest_changes() -> None:
    assert comparison_sentence(TABLE, focus="safety") == (
        "Bletchley 2023 → Paris 2025: safety fell from 11.0 to 6.7 per 1,000 words; "
        "risk fell from 5.0 to 0.7; innovation rose from 2.0 to 6.0"  # risk moved by 4.3, innovation by 4.0
    )
    # without a focus: the largest changes first; hidden categories are left out
    assert comparison_sentence(TABLE, ["innovation", "trust"], limit=3) == (
        "Bletchley 2023 → Paris 2025: innovation rose from 2.0 to 6.0 per 1,000 words; trust fell from 3.0 to 2.7"
    )


def test_one_document_or_none() -> None:
    one = StatsTable(TABLE.categories, TABLE.rows[:1], "test")
    assert comparison_sentence(one, ["safety"]) == "Bletchley 2023, per 1,000 words: safety 11.0"
    assert comparison_sentence(StatsTable(TABLE.categories, (), "test")) == ""
    same = StatsTable(("safety",), (TABLE.rows[0], TABLE.rows[0]), "test")
    assert comparison_sentence(same) == "Bletchley 2023 → Bletchley 2023: safety stayed at 11.0 per 1,000 words"
