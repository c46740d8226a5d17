"""Keyword in context (a concordance): every occurrence of a category or a term across the library, each
with the words before and after it.

A line is exactly one counted match, so the two ways of asking agree with the rest of the application:

- a **category** of the lexicon gives the matches of that category in each document's analysis (the same
  cached analysis as the language table: the table's count for a document is its number of lines);
- a **term** (a word, a ``*`` glob such as ``secur*``, or a phrase) is turned into a one-entry lexicon and
  counted by the same :class:`~summit_reader.core.analysis.Analyzer`: whole tokens, case-insensitive, so
  ``security`` finds *Security* but not *cybersecurity*, exactly as a lexicon entry would.

Context is measured in characters (``width`` on each side), cut at a word boundary, with line breaks and
runs of spaces shown as one space. Lines come in document order (date, as the library lists them), then
position; :func:`sort_lines` orders them by the words to the left (nearest first) or to the right.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from summit_reader.core.analysis import Analyzer, DocumentAnalysis
from summit_reader.core.errors import InvalidInputError
from summit_reader.core.export import write_table_csv
from summit_reader.core.lexicon import Category, Entry, Lexicon
from summit_reader.core.models import DocumentSummary
from summit_reader.core.store import Library

#: Characters of context on each side, by default (the window shows more: its columns are wide).
DEFAULT_WIDTH = 40
MAX_WIDTH = 1000
SORT_KEYS: tuple[str, ...] = ("document", "left", "right")
#: The one category of a term's lexicon: not "modal" or "operative", whose special rules a plain word
#: search must not apply ("may" the month is a "may" too when you search for the word).
TERM_CATEGORY = "term"

CONCORDANCE_COLUMNS: tuple[str, ...] = (
    "query",
    "query_kind",
    "lexicon",
    "document_id",
    "document_title",
    "document_date",
    "start",
    "end",
    "left",
    "keyword",
    "right",
    "category",
    "term",
    "negated",
)

_SPACES = re.compile(r"\s+")
_SORT_WORD = re.compile(r"[^\W_]+")

#: ``progress(done, total, document)`` before each document is read.
ProgressCallback = Callable[[int, int, DocumentSummary], None]


@dataclass(frozen=True)
class ConcordanceLine:
    """One occurrence. ``start``/``end`` are code points in the document's normalised text; ``left``,
    ``keyword`` and ``right`` are for reading (white space collapsed), not offsets."""

    document_id: int
    title: str
    date: str | None
    start: int
    end: int
    left: str
    keyword: str
    right: str
    category: str  # the lexicon category, or TERM_CATEGORY for a term search
    term: str  # the lexicon entry that matched ("secur*"), or the term searched for
    negated: bool  # a negated modal or operative verb ("must not"), as the analysis says
    document_order: int  # the document's place in the library's date order (for sorting)

    def found_in(self, text: str) -> bool:
        """Whether ``text`` (the document's text now) still has the keyword at this line's offsets."""
        return " ".join(text[self.start : self.end].split()) == self.keyword


def normalise_term(query: str) -> str:
    """The term as a lexicon entry: lower case, single spaces. Raise InvalidInputError if it cannot be one
    (empty, no letter or digit, a wildcard other than ``*``), with what to type instead."""
    term = " ".join(query.lower().split())
    if not term:
        raise InvalidInputError("Type a word, a glob such as secur*, or a phrase to search for.")
    if not any(ch.isalnum() for ch in term):
        raise InvalidInputError(
            f"'{query.strip()}' has no letters or digits; search for a word, a glob such as secur*, or a phrase."
        )
    if "?" in term:
        raise InvalidInputError(f"'{query.strip()}': only * is a wildcard (secur* finds security, securing …).")
    return term


def term_lexicon(query: str) -> Lexicon:
    """A lexicon with one entry, the term, so the analysis engine counts it as it counts lexicon entries."""
    term = normalise_term(query)
    entry = Entry(pattern=term, category=TERM_CATEGORY)
    digest = hashlib.sha256(f"{TERM_CATEGORY}\x00{term}".encode()).hexdigest()
    return Lexicon(name="search", version=term, categories=(Category(TERM_CATEGORY, (entry,)),), hash=digest)


def _flat(text: str) -> str:
    return _SPACES.sub(" ", text)


def left_context(text: str, start: int, width: int) -> str:
    """Up to ``width`` characters before ``start``, white space collapsed, without a cut word at the far end."""
    if width <= 0 or start <= 0:
        return ""
    lo = max(0, start - 4 * width)  # room for collapsed white space
    flat = _flat(text[lo:start])
    if len(flat) > width:
        broken = flat[-width - 1] != " " and flat[-width] != " "
        flat = flat[-width:]
    else:
        broken = lo > 0 and not text[lo - 1].isspace() and not text[lo].isspace()
    if broken:
        space = flat.find(" ")
        if space != -1 and flat[space + 1 :].strip():  # (one word longer than the width: shown cut)
            flat = flat[space + 1 :]
    return flat.strip()


def right_context(text: str, end: int, width: int) -> str:
    """Up to ``width`` characters after ``end``, white space collapsed, without a cut word at the far end."""
    if width <= 0 or end >= len(text):
        return ""
    hi = min(len(text), end + 4 * width)
    flat = _flat(text[end:hi])
    if len(flat) > width:
        broken = flat[width - 1] != " " and flat[width] != " "
        flat = flat[:width]
    else:
        broken = hi < len(text) and not text[hi - 1].isspace() and not text[hi].isspace()
    if broken:
        space = flat.rfind(" ")
        if space != -1 and flat[:space].strip():
            flat = flat[:space]
    return flat.strip()


def _lines_of(
    summary: DocumentSummary, order: int, text: str, analysis: DocumentAnalysis, category: str, width: int
) -> list[ConcordanceLine]:
    return [
        ConcordanceLine(
            document_id=summary.id,
            title=summary.title,
            date=summary.date,
            start=m.start,
            end=m.end,
            left=left_context(text, m.start, width),
            keyword=" ".join(m.text.split()),
            right=right_context(text, m.end, width),
            category=m.category,
            term=m.term,
            negated=m.negated,
            document_order=order,
        )
        for m in analysis.matches
        if m.category == category
    ]


def concordance(
    library: Library,
    analyzer: Analyzer,
    query: str,
    *,
    category: bool = False,
    width: int = DEFAULT_WIDTH,
    document_ids: Sequence[int] | None = None,
    sort: str = "document",
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[ConcordanceLine]:
    """Every occurrence of ``query`` in the library (or in ``document_ids``).

    With ``category``, ``query`` names a category of ``analyzer``'s lexicon (forgiving case and spacing)
    and the lines are its counted matches, from the cached analyses; otherwise it is a term. ``cancelled``
    is polled between documents: when it answers True the lines found so far are returned."""
    if not 0 <= width <= MAX_WIDTH:
        raise InvalidInputError(f"The context width must be between 0 and {MAX_WIDTH} characters, not {width}.")
    if sort not in SORT_KEYS:
        raise InvalidInputError(f"Sort by {', '.join(SORT_KEYS)}, not '{sort}'.")
    if category:
        wanted = analyzer.lexicon.category(query).name  # LexiconError names the categories there are
        engine = analyzer
    else:
        wanted = TERM_CATEGORY
        engine = Analyzer(term_lexicon(query))
    summaries = library.list_documents()
    order = {s.id: i for i, s in enumerate(summaries)}
    if document_ids is not None:
        chosen = set(document_ids)
        for doc_id in sorted(chosen - set(order)):
            library.get_document(doc_id)  # raises NotFoundError with the usual message
        summaries = [s for s in summaries if s.id in chosen]
    lines: list[ConcordanceLine] = []
    for i, summary in enumerate(summaries):
        if cancelled is not None and cancelled():
            break
        if progress is not None:
            progress(i, len(summaries), summary)
        doc = library.get_document(summary.id)
        # a category: the cached analysis the language table counts; a term: its own one-entry analysis
        analysis = engine.analyse_document(library, doc) if category else engine.analyse(doc.text, doc.text_hash)
        lines.extend(_lines_of(summary, order[summary.id], doc.text, analysis, wanted, width))
    return sort_lines(lines, sort)


def _words(text: str) -> tuple[str, ...]:
    return tuple(_SORT_WORD.findall(text.casefold()))


def sort_key(sort: str) -> Callable[[ConcordanceLine], tuple[object, ...]]:
    """The key of an order: ``document`` (date order, then position), ``left`` (the words before the
    keyword, nearest first), ``right`` (the words after it); ties in document order."""
    if sort == "left":
        return lambda line: (_words(line.left)[::-1], line.document_order, line.start)
    if sort == "right":
        return lambda line: (_words(line.right), line.document_order, line.start)
    if sort == "keyword":
        return lambda line: (line.keyword.casefold(), line.document_order, line.start)
    if sort == "title":
        return lambda line: (line.title.casefold(), line.document_order, line.start)
    if sort == "document":
        return lambda line: (line.document_order, line.start)
    raise InvalidInputError(f"Sort by {', '.join(SORT_KEYS)}, not '{sort}'.")


def sort_lines(lines: Iterable[ConcordanceLine], sort: str = "document", *, descending: bool = False) -> list[ConcordanceLine]:
    """The lines in the order ``sort`` (see :func:`sort_key`; also ``keyword`` and ``title``)."""
    return sorted(lines, key=sort_key(sort), reverse=descending)


def concordance_rows(
    lines: Iterable[ConcordanceLine], *, query: str, category: bool, lexicon: str
) -> list[list[object]]:
    """Rows of :data:`CONCORDANCE_COLUMNS` (the query and lexicon on every row, so a row stands alone)."""
    kind = "category" if category else "term"
    return [
        [query, kind, lexicon, line.document_id, line.title, line.date or "", line.start, line.end,
         line.left, line.keyword, line.right, line.category if category else "", line.term,
         "true" if line.negated else "false"]
        for line in lines
    ]


def write_concordance_csv(
    lines: Iterable[ConcordanceLine],
    destination: str | Path | TextIO,
    *,
    query: str,
    category: bool,
    lexicon: str,
    bom: bool = False,
) -> int:
    """Write the lines as CSV (formula-safe; a path is written atomically); return the number of lines."""
    rows = concordance_rows(lines, query=query, category=category, lexicon=lexicon)
    return write_table_csv(CONCORDANCE_COLUMNS, rows, destination, bom=bom)
