"""The language table: documents (in date order) × lexicon categories, raw counts and rates.

Every figure is the length of a list of ``Match`` objects, so each can be traced to the exact words
counted (``summit-reader matches DOC --category C``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from summit_reader.core.analysis import Analyzer, DocumentAnalysis, per_words
from summit_reader.core.models import DocumentSummary
from summit_reader.core.store import Library


@dataclass(frozen=True)
class StatsRow:
    document: DocumentSummary
    analysis: DocumentAnalysis

    @property
    def word_count(self) -> int:
        return self.analysis.word_count

    def count(self, category: str) -> int:
        return self.analysis.count(category)

    def rate(self, category: str, per: int = 1000) -> float:
        return per_words(self.count(category), self.word_count, per)

    def value(self, category: str, per: int | None) -> float | int:
        """The raw count when ``per`` is None, else the rate per ``per`` words."""
        return self.count(category) if per is None else self.rate(category, per)


@dataclass(frozen=True)
class StatsTable:
    categories: tuple[str, ...]
    rows: tuple[StatsRow, ...]
    lexicon: str  # Lexicon.label

    def header(self, per: int | None) -> list[str]:
        unit = "" if per is None else f" per {per:,}"
        return ["id", "title", "date", "words", *(f"{c}{unit}" for c in self.categories)]

    def records(self, per: int | None, *, decimals: int = 2) -> list[list[object]]:
        """Rows as plain values (rates rounded to ``decimals``), in the order of ``header``."""
        out: list[list[object]] = []
        for row in self.rows:
            d = row.document
            values: list[object] = []
            for c in self.categories:
                v = row.value(c, per)
                values.append(round(v, decimals) if isinstance(v, float) else v)
            out.append([d.id, d.title, d.date or "", row.word_count, *values])
        return out


ProgressCallback = Callable[[int, int, DocumentSummary], None]


def library_stats(
    library: Library,
    analyzer: Analyzer,
    *,
    document_ids: Sequence[int] | None = None,
    categories: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
) -> StatsTable:
    """Analyse (or fetch from the cache) the library's documents, in date order."""
    summaries = library.list_documents()
    if document_ids is not None:
        wanted = set(document_ids)
        missing = wanted - {s.id for s in summaries}
        if missing:
            library.get_document(min(missing))  # raises NotFoundError with the usual message
        summaries = [s for s in summaries if s.id in wanted]
    cats = (
        tuple(analyzer.lexicon.category(c).name for c in categories)
        if categories is not None
        else analyzer.lexicon.category_names
    )
    rows: list[StatsRow] = []
    for i, summary in enumerate(summaries):
        if progress is not None:
            progress(i, len(summaries), summary)
        doc = library.get_document(summary.id)
        rows.append(StatsRow(summary, analyzer.analyse_document(library, doc)))
    return StatsTable(cats, tuple(rows), analyzer.lexicon.label)
