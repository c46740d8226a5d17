"""The array matcher (core.matching) against a straightforward reference: one loop over the tokens, every
entry tried at every position, the README's rules written out one by one. Same matches, same offsets, same
categories, same word and sentence counts, on generated summit prose and on hypothesis' texts."""

from __future__ import annotations

import base64
import functools
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import corpus
from summit_reader.core import matching
from summit_reader.core.analysis import Analyzer, DocumentAnalysis, Match, count_words
from summit_reader.core.lexicon import parse_lexicon

DETERMINERS = set(
    "a an the this that these those our their its his her my your whose which each every any some no "
    "such another".split()
)
PREPOSITIONS = set(
    "of in with for without by from on under through within into upon towards toward among across via "
    "against about after before during".split()
)
MODAL_NOUN_ADJECTIVES = set("political good ill free strong collective shared common own popular public general all".split())
MONTH_CONTEXT = set("in on of since until till by during from early late mid this last next end beginning".split())
NEGATORS = {"not", "n't", "never"}
NOT_NEGATING = {"only", "just", "merely", "simply", "least"}
CONTRACTED = {"ca": "can", "wo": "will", "sha": "shall"}

# Phrases that overlap each other (same length and not), globs, ties between categories, scale categories.
OVERLAPPING = """
modal: [may, might, can, could, will, must, shall, should, "ought to"]
operative:
  "1 weak": [note, "take note", "takes note", welcome*]
  "2 strong": [support*, commit*, "call on"]
alpha: ["open source", "source code", "code of conduct", "a b", "b c", "b c d", "c d", open*, "*ing"]
beta: [open, source, code, "open source", "b c", "d e", secur*, "*security", "data sharing"]
"""


@functools.cache
def analyzer(lexicon: str | None = None) -> Analyzer:
    return Analyzer(parse_lexicon(lexicon) if lexicon else None)


def reference(engine: Analyzer, text: str) -> tuple[list[tuple[object, ...]], int]:
    """The matches (as tuples) and the sentence count, token by token."""
    doc = engine.nlp.make_doc(text)
    lows = [t.lower_ for t in doc]
    spaced = [bool(t.whitespace_) for t in doc]
    n = len(lows)
    if n == 0:
        return [], 0

    def is_end(i: int) -> bool:
        return lows[i] in {".", "!", "?", "…", "..."}

    def is_close(i: int) -> bool:
        return lows[i] in {'"', "'", "”", "’", ")", "]", "»"}

    def is_break(i: int) -> bool:
        return "\n" in lows[i] and not lows[i].strip()

    def glued_after_end(i: int) -> bool:
        return i > 0 and is_end(i - 1) and not spaced[i - 1]

    def ends_here(i: int) -> bool:
        return is_end(i) or (is_close(i) and glued_after_end(i))

    sentence = [0] * n
    for i in range(1, n):
        starts = ends_here(i - 1) and not ends_here(i) and not (is_close(i) and glued_after_end(i))
        starts = (starts or is_break(i - 1)) and not is_break(i)
        sentence[i] = sentence[i - 1] + starts
    with_words = {sentence[i] for i, t in enumerate(doc) if t.is_alpha or t.is_digit}

    def same(i: int, j: int) -> bool:
        return 0 <= j < n and sentence[j] == sentence[i]

    def modal_verb(pos: int) -> bool:
        word = CONTRACTED.get(lows[pos], lows[pos])
        prev = lows[pos - 1] if same(pos, pos - 1) else ""
        nxt = lows[pos + 1] if same(pos, pos + 1) else ""
        if word == "may":
            if prev in MONTH_CONTEXT or prev.isdigit() or nxt.isdigit():
                return False
            return not (doc[pos].text.startswith("M") and same(pos, pos - 1))
        if word in {"will", "can", "must", "might"}:
            return not (prev in DETERMINERS or prev in MODAL_NOUN_ADJECTIVES or nxt == "of")
        return True

    def negated_after(pos: int, end: int) -> bool:
        for k in (end, end + 1):
            if not same(pos, k):
                return False
            if lows[k] in NEGATORS:
                return not (k + 1 < n and lows[k + 1] in NOT_NEGATING)
            if not lows[k][:1].isalpha():
                return False
        return False

    def negated_before(pos: int) -> bool:
        for k in (pos - 1, pos - 2):
            if not same(pos, k):
                return False
            if lows[k] in NEGATORS:
                return True
            if not lows[k][:1].isalpha():
                return False
        return False

    compiled = engine.compiled
    order = {c.name: i for i, c in enumerate(engine.lexicon.categories)}
    candidates = []
    for pos in range(n):
        for ei, (entry, pats) in enumerate(compiled.entries):
            end = pos + len(pats)
            if end > n:
                continue
            first = lows[pos]
            if first in CONTRACTED and not (pos + 1 < n and lows[pos + 1] == "n't"):
                continue
            first_ok = pats[0].matches(CONTRACTED.get(first, first)) if pats[0].exact else pats[0].matches(first)
            if not first_ok or not all(p.matches(lows[pos + k]) for k, p in enumerate(pats) if k):
                continue
            negated = False
            if entry.category == "modal":
                if not modal_verb(pos):
                    continue
                negated = negated_after(pos, end)
            elif entry.category == "operative":
                if same(pos, pos - 1) and lows[pos - 1] in DETERMINERS | PREPOSITIONS:
                    continue
                negated = negated_before(pos)
            candidates.append((-len(pats), pos, order[entry.category], ei, negated, end))
    taken = [False] * n
    found = []
    for _size, pos, _order, ei, negated, end in sorted(candidates):
        if any(taken[pos:end]):
            continue
        taken[pos:end] = [True] * (end - pos)
        entry = compiled.entries[ei][0]
        start, stop = doc[pos].idx, doc[end - 1].idx + len(doc[end - 1])
        if negated and entry.category == "modal" and end < n and not spaced[end - 1] and lows[end] in NEGATORS:
            stop = doc[end].idx + len(doc[end])
        found.append((start, stop, text[start:stop], entry.category, entry.pattern, entry.rank, entry.level, negated))
    return sorted(found), len(with_words)


def check_against_reference(engine: Analyzer, text: str) -> DocumentAnalysis:
    """The analysis, as it is and with the text tokenised in pieces of a few characters, against the
    reference (which tokenises the whole text at once)."""
    result = engine.analyse(text)
    with mock.patch.object(matching, "PIECE_CHARS", 3):
        in_pieces = engine.analyse(text)
        tokens = matching.Tokens.of_text(text, engine.nlp.tokenizer, engine.compiled.types)
    whole = matching.Tokens(engine.nlp.make_doc(text), engine.compiled.types)
    assert tokens.types.tolist() == whole.types.tolist() and tokens.spaced.tolist() == whole.spaced.tolist()
    expected, sentences = reference(engine, text)
    for got in (result, in_pieces):
        assert [tuple(getattr(m, f.name) for f in fields(Match)) for m in got.matches] == expected
        assert got.word_count == count_words(text)
        assert got.sentence_count == sentences
    return result


def test_pieces_are_cut_after_a_space_between_words() -> None:
    text = "One two  three\nfour :) five e.g. six" * 3
    for size in (1, 4, 10, 1000):
        cut = matching.pieces(text, size)
        assert "".join(cut) == text
        assert all(p[-1] == " " and not p[-2].isspace() for p in cut[:-1])
        assert all(not p[0].isspace() for p in cut[1:])
    assert matching.pieces("", 5) == [] and matching.pieces("nospaceatall", 3) == ["nospaceatall"]


def test_summit_prose_matches_the_reference() -> None:
    for seed in (1, 2):
        text = corpus.prose(4_000, seed=seed, title="Reference Check")
        result = check_against_reference(analyzer(), text)
        assert len(result.matches) > 200 and {"modal", "operative"} <= set(result.counts())


def test_overlapping_phrases_and_ties_match_the_reference() -> None:
    text = (
        "Open source code of conduct; the open-source code. a b c d e, b c d. Opening, sharing data sharing.\n"
        "We take note and takes note of data. We cannot note it. In May we may act; they can't, and "
        "won't. Cybersecurity and security? \"Support.\" (Note.) We will not only support it.\n"
        'They said "we stop." May we act? (It ended.) May all act. In Seoul, May came.'
    )
    result = check_against_reference(analyzer(OVERLAPPING), text)
    assert ("code of conduct", "alpha") in [(m.text, m.category) for m in result.matches]


WORDS = [
    "we", "We", "may", "May", "might", "can", "ca", "n't", "not", "only", "never", "will", "wo", "must",
    "ought", "to", "the", "our", "of", "in", "political", "support", "supports", "note", "take", "takes",
    "call", "on", "open", "source", "code", "conduct", "a", "b", "c", "d", "e", "security", "cybersecurity",
    "secure", "data", "sharing", "2024", "21", "AI-related", "can't", "cannot", "½", "_", "—", "e.g.", "U.S.",
    "safety", "risks", "harm", "Café", "İstanbul",
]
SEPARATORS = [" ", " ", " ", "", ". ", ", ", "\n", "\n\n", "  ", "\t", "\xa0", "! ", '." ', "…", " (", ") ", "\u2028"]


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), max_size=40))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words) + 1, max_size=len(words) + 1))
    return seps[0] + "".join(w + s for w, s in zip(words, seps[1:], strict=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts())
def test_generated_texts_match_the_reference(text: str) -> None:
    check_against_reference(analyzer(OVERLAPPING), text)
    check_against_reference(analyzer(), text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_word_count_from_tokens_is_the_word_processor_count(text: str) -> None:
    result = analyzer().analyse(text)
    assert result.word_count == count_words(text)
    assert result.sentence_count == reference(analyzer(), text)[1]


def test_match_fields_are_the_ones_the_fast_constructor_fills() -> None:
    from summit_reader.core.analysis import _FIELDS

    assert _FIELDS == tuple(f.name for f in fields(Match))


def test_analyses_in_two_threads_agree() -> None:
    engine = Analyzer()
    texts = [corpus.prose(1_500, seed=s) for s in range(4)]
    expected = [analyzer().analyse(t) for t in texts]
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(engine.analyse, texts)) == expected


def test_cache_payload_round_trips_and_damage_is_refused(tmp_path: Path) -> None:
    from summit_reader.core.documents import new_document
    from summit_reader.core.store import Library

    text = corpus.prose(800, seed=3) + " We cannot wait; they won't."
    with Library(tmp_path / "lib.sqlite3") as library:
        doc = library.add_document(new_document(text, "Cached"))
        engine = analyzer()
        first = engine.analyse_document(library, doc)
        payload = library.get_cached_analysis(doc.text_hash, engine.lexicon.hash, engine.engine_version)
        assert payload is not None
        assert engine.cached(library, doc) == first == DocumentAnalysis.from_json(
            first.to_json(), text, first.text_hash, first.lexicon
        )
        assert any(m.negated for m in first.matches)
        data = json.loads(payload)
        past_the_table = dict(data, code=base64.b64encode(b"\xff" * len(base64.b64decode(data["code"]))).decode())
        for damaged in (
            payload[:-9] + '"}',
            json.dumps(past_the_table),
            json.dumps(dict(data, start=data["end"], end=data["start"])),  # each match ends before it starts
            json.dumps(dict(data, end=data["start"][:-8])),
            payload.replace('"format":2', '"format":1'),
            "[]",
        ):
            library.put_cached_analysis(doc.text_hash, engine.lexicon.hash, engine.engine_version, damaged)
            assert engine.cached(library, doc) is None
