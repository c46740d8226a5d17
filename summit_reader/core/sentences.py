"""Where the sentences of a text are: the boundaries the analysis uses (spaCy's English tokenizer and the
app's :class:`~summit_reader.core.analysis.SentenceSplitter`), as code-point spans.

A sentence span starts at its first and ends after its last non-space character; only sentences that hold
a letter or digit are kept, so there are exactly as many as the language table's sentence count. spaCy is
imported on the first text whose boundaries are not in the library's cache (about a second); they are then
cached beside the analyses (in ``analysis_cache`` under the key ``sentences``), so later comparisons of the
same text do not load spaCy at all.
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any

from summit_reader.core.analysis import SentenceSplitter, engine_version, english_tokenizer

if TYPE_CHECKING:
    from summit_reader.core.store import Library

#: The "lexicon" column of the analysis cache under which sentence boundaries are kept.
CACHE_KEY = "sentences"

_WORD_CHAR = re.compile(r"[^\W_]")


@functools.lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """The analysis's tokenizer (built once, on the first text whose boundaries are not cached)."""
    return english_tokenizer()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as (start, end) code-point offsets, in order (see the module doc)."""
    if not text.strip():
        return []
    doc = SentenceSplitter()(_tokenizer()(text))
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        start, end = int(sent.start_char), int(sent.end_char)
        piece = text[start:end]
        stripped = piece.lstrip()
        start += len(piece) - len(stripped)
        end = start + len(stripped.rstrip())
        if end > start and _WORD_CHAR.search(text, start, end):
            spans.append((start, end))
    return spans


def document_sentences(library: Library, text: str, text_hash: str) -> list[tuple[int, int]]:
    """:func:`sentence_spans` of a stored document's text, from the library's cache when it has them."""
    version = engine_version()
    payload = library.get_cached_analysis(text_hash, CACHE_KEY, version)
    if payload is not None:
        try:
            spans = [(int(s), int(e)) for s, e in json.loads(payload)]
            if all(0 <= s < e <= len(text) for s, e in spans):
                return spans
        except (ValueError, TypeError):
            pass  # a damaged cache entry is recomputed, never trusted
    spans = sentence_spans(text)
    library.put_cached_analysis(text_hash, CACHE_KEY, version, json.dumps(spans, separators=(",", ":")))
    return spans
