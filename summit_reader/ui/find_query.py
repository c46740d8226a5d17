"""The Find box's query language (no Qt): plain words and ``*`` globs, case-insensitive.

"risk" finds the word "risk" (not "risks"); "risk*" finds "risk", "risks", "risk-based"; "safe* AI"
finds the phrase; ``*`` matches any run of word characters (letters, digits, apostrophes, hyphens)."""

from __future__ import annotations

import re

_WORD_CHARS = r"[\w'’-]"


def compile_query(query: str) -> re.Pattern[str] | None:
    """A regex for ``query``, or None when there is nothing to search for."""
    words = query.split()
    if not any(any(ch.isalnum() for ch in w) for w in words):
        return None
    parts: list[str] = []
    for word in words:
        pieces = [re.escape(p) for p in word.split("*")]
        parts.append(f"{_WORD_CHARS}*".join(pieces))
    body = r"\s+".join(parts)
    return re.compile(rf"(?<![\w'’]){body}(?![\w'’])", re.IGNORECASE)


def find_all(text: str, query: str, limit: int = 100_000) -> list[tuple[int, int]]:
    """(start, end) code point spans of every hit, in order."""
    pattern = compile_query(query)
    if pattern is None:
        return []
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(text):
        if m.end() > m.start():
            spans.append((m.start(), m.end()))
            if len(spans) >= limit:
                break
    return spans
