"""The change between the first and the last document of a language table, in plain words.

Used under the graph in presentation mode and as the graph's text alternative for screen readers, e.g.
"Harbour 2023 → Riverside 2025: safety fell from 10.9 to 6.7 per 1,000 words; innovation rose from 1.8 to
5.8". Every figure is a rate of the table (``StatsRow.rate``), rounded to one decimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from summit_reader.core.documents import short_name
from summit_reader.core.stats import StatsTable


@dataclass(frozen=True)
class RateChange:
    category: str
    first: float  # per 1,000 words in the first document (date order)
    last: float  # … in the last one

    @property
    def delta(self) -> float:
        return self.last - self.first

    def words(self) -> str:
        """"safety fell from 10.9 to 6.7" (one decimal; "stayed at" when the rounded figures agree)."""
        a, b = f"{self.first:.1f}", f"{self.last:.1f}"
        if a == b:
            return f"{self.category} stayed at {a}"
        verb = "rose" if self.last > self.first else "fell"
        return f"{self.category} {verb} from {a} to {b}"


def rate_changes(table: StatsTable, categories: Iterable[str] | None = None) -> list[RateChange]:
    """First vs last document, per 1,000 words, for ``categories`` (default: all of the table's)."""
    if not table.rows:
        return []
    first, last = table.rows[0], table.rows[-1]
    cats = table.categories if categories is None else [c for c in categories if c in table.categories]
    return [RateChange(c, first.rate(c), last.rate(c)) for c in cats]


def comparison_sentence(
    table: StatsTable, categories: Iterable[str] | None = None, *, focus: str | None = None, limit: int = 3
) -> str:
    """One line stating the change: the focused category first, then those that moved most.

    One document: its rates. No document: an empty string."""
    if not table.rows:
        return ""
    changes = rate_changes(table, categories)
    if not changes:
        return ""
    order = {c.category: i for i, c in enumerate(changes)}
    ranked = sorted(changes, key=lambda c: (c.category != focus, -abs(round(c.delta, 1)), order[c.category]))
    chosen = ranked[: max(1, limit)]
    if len(table.rows) == 1:
        only = table.rows[0]
        parts = [f"{c.category} {c.first:.1f}" for c in chosen]
        return f"{short_name(only.document)}, per 1,000 words: " + "; ".join(parts)
    start, end = short_name(table.rows[0].document), short_name(table.rows[-1].document)
    parts = [c.words() for c in chosen]
    parts[0] += " per 1,000 words"
    return f"{start} → {end}: " + "; ".join(parts)
