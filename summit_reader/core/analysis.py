"""The analysis engine: a spaCy pipeline on ``spacy.blank("en")`` that finds the lexicon's terms.

Pipeline: spaCy's English tokenizer, its rule-based ``sentencizer``, and our ``summit_lexicon_matcher``
component, which matches every lexicon entry in one pass over the token array (no per-term search)
and stores the matches on the Doc. Results leave the core as plain dataclasses (``Match``,
``DocumentAnalysis``); no spaCy object escapes. spaCy is imported lazily, on the first analysis that
is not in the cache, so the window paints before it loads.

Counting rules (also in the README):
- words: a word is a run of characters between spaces that holds at least one letter or digit,
  as a word processor counts them ("AI-related" and "can't" are one word each);
- entries match whole tokens, case-insensitively; ``*`` matches any characters inside one token;
- each token counts at most once: the longest match wins, then the category listed first;
- modal verbs are real modals only: "May" as a month ("in May", "21 May 2024", "May 2024"),
  "will" / "can" / "must" / "might" after a determiner, possessive or certain adjectives ("the political
  will", "a can of", "a must") or before "of" are not counted;
- operative verbs preceded by a determiner, possessive or preposition ("the support of", "our
  commitment", "in support") are nouns and not counted;
- a modal followed within two tokens of its sentence by "not", "n't" or "never" (but not "not only",
  "not just", "not merely") is negated; so is an operative verb with "not", "n't" or "never" among the two
  tokens before it; "cannot" and "can't" are one negated match covering the whole word.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from summit_reader.core.lexicon import Entry, Lexicon, load_lexicon

if TYPE_CHECKING:
    from summit_reader.core.documents import Document
    from summit_reader.core.store import Library

#: Bump when a counting rule changes: cached analyses made with another engine version are ignored.
RULES_VERSION = "1"
MODAL = "modal"
OPERATIVE = "operative"

_WORD = re.compile(r"(?<!\S)\S*?[^\W_]\S*")
_GLOB_MARK = "qqglobqq"

_DETERMINERS = frozenset(
    "a an the this that these those our their its his her my your whose which each every any some no "
    "such another".split()
)
_PREPOSITIONS = frozenset(
    "of in with for without by from on under through within into upon towards toward among across via "
    "against about after before during".split()
)
_MODAL_NOUN_ADJECTIVES = frozenset(
    "political good ill free strong collective shared common own popular public general all".split()
)
_MONTH_CONTEXT = frozenset(
    "in on of since until till by during from early late mid this last next end beginning".split()
)
_NEGATORS = frozenset({"not", "n't", "never"})
_NOT_NEGATING = frozenset({"only", "just", "merely", "simply", "least"})
TEXT_KEY = "summit_reader_text"
_SENTENCE_END = frozenset({".", "!", "?", "…", "..."})
_CLOSERS = frozenset({'"', "'", "”", "’", ")", "]", "»"})
_CONTRACTED = {"ca": "can", "wo": "will", "sha": "shall"}
_NOUN_READABLE_MODALS = frozenset({"will", "can", "must", "might"})


@dataclass(frozen=True)
class Match:
    """One counted word or phrase. Offsets are code points in the document's normalised text."""

    start: int
    end: int
    text: str
    category: str
    term: str  # the lexicon entry that matched, e.g. "secur*"
    rank: int | None = None
    level: str | None = None
    negated: bool = False


@dataclass(frozen=True)
class DocumentAnalysis:
    text_hash: str
    lexicon: str  # Lexicon.label
    word_count: int
    sentence_count: int
    matches: tuple[Match, ...]

    def count(self, category: str) -> int:
        return sum(1 for m in self.matches if m.category == category)

    def counts(self) -> dict[str, int]:
        return dict(Counter(m.category for m in self.matches))

    def rate(self, category: str, per: int = 1000) -> float:
        return per_words(self.count(category), self.word_count, per)

    def matches_in(self, category: str) -> list[Match]:
        return [m for m in self.matches if m.category == category]

    def term_counts(self, category: str) -> dict[str, int]:
        return dict(Counter(m.term for m in self.matches if m.category == category).most_common())

    def rank_counts(self, category: str) -> dict[int, int]:
        """For a scale: rank → number of matches (negated ones included)."""
        return dict(sorted(Counter(m.rank for m in self.matches if m.category == category and m.rank).items()))

    def to_json(self) -> str:
        return json.dumps(
            {
                "word_count": self.word_count,
                "sentence_count": self.sentence_count,
                "matches": [
                    [m.start, m.end, m.category, m.term, m.rank, m.level, int(m.negated)] for m in self.matches
                ],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, payload: str, text: str, text_hash: str, lexicon: str) -> DocumentAnalysis:
        data = json.loads(payload)
        new, set_dict = object.__new__, object.__setattr__
        matches = []
        for s, e, c, t, r, lv, neg in data["matches"]:
            m = new(Match)  # Match(...) without the frozen dataclass's slower __init__
            set_dict(m, "__dict__", {"start": s, "end": e, "text": text[s:e], "category": c, "term": t,
                                     "rank": r, "level": lv, "negated": bool(neg)})
            matches.append(m)
        return cls(text_hash, lexicon, int(data["word_count"]), int(data["sentence_count"]), tuple(matches))


def per_words(count: int, words: int, per: int = 1000) -> float:
    return count * per / words if words else 0.0


#: A run of characters between spaces with no letter or digit in it ("—", "•", "--"): not a word.
_NOT_WORD = re.compile(r"(?<!\S)(?:[^\w\s]|_)+(?!\S)")


def count_words(text: str) -> int:
    # every run between spaces (str.split and the regex agree on what a space is), less those without a
    # letter or digit: the same count as len(_WORD.findall(text)), without a regex match per word
    return len(text.split()) - len(_NOT_WORD.findall(text))


def engine_version() -> str:
    """The rules version plus spaCy's major.minor (its tokenizer decides token boundaries)."""
    version = _installed_spacy_version()
    spacy_version = ".".join(version.split(".")[:2]) if version else "none"
    return f"rules-{RULES_VERSION}/spacy-{spacy_version}"


def _installed_spacy_version() -> str | None:
    """spaCy's version without importing spaCy, and mostly without importlib.metadata (which costs tens of
    milliseconds at the window's start-up): the name of the one ``spacy-X.Y.Z.dist-info`` folder beside the
    package, else what importlib.metadata says."""
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("spacy")
        if spec is not None and spec.origin:
            folder = os.path.dirname(os.path.dirname(spec.origin))
            found = [e.name for e in os.scandir(folder) if e.name.startswith("spacy-") and e.name.endswith(".dist-info")]
            if len(found) == 1:
                return found[0][len("spacy-") : -len(".dist-info")]
    except (ImportError, OSError, ValueError):
        pass
    from importlib import metadata

    try:
        return metadata.version("spacy")
    except metadata.PackageNotFoundError:  # pragma: no cover - spaCy is a dependency
        return None


@dataclass(frozen=True)
class _TokenPattern:
    exact: str | None
    regex: re.Pattern[str] | None

    def matches(self, lower: str) -> bool:
        if self.exact is not None:
            return lower == self.exact
        assert self.regex is not None
        return self.regex.fullmatch(lower) is not None


def _token_pattern(piece: str) -> _TokenPattern:
    if "*" not in piece:
        return _TokenPattern(piece, None)
    return _TokenPattern(None, re.compile(".*".join(re.escape(p) for p in piece.split("*")), re.S))


class _CompiledLexicon:
    """Entries tokenised with the pipeline's own tokenizer, indexed by their first token."""

    def __init__(self, lexicon: Lexicon, tokenizer: Any) -> None:
        self.lexicon = lexicon
        self.order = {c.name: i for i, c in enumerate(lexicon.categories)}
        self.entries: list[tuple[Entry, tuple[_TokenPattern, ...]]] = []
        for entry in lexicon.entries():
            pieces: list[str] = []
            for word in entry.pattern.split():
                toks = [t.lower_ for t in tokenizer(word.replace("*", _GLOB_MARK))]
                pieces.extend(t.replace(_GLOB_MARK, "*") for t in toks)
            self.entries.append((entry, tuple(_token_pattern(p) for p in pieces)))
        self.exact_first: dict[str, list[int]] = {}
        self.glob_first: list[tuple[_TokenPattern, int]] = []
        for i, (_, pats) in enumerate(self.entries):
            if pats[0].exact is not None:
                self.exact_first.setdefault(pats[0].exact, []).append(i)
            else:
                self.glob_first.append((pats[0], i))
        self._first_cache: dict[str, list[int]] = {}
        # one regex for every glob first token: most words match none, and are told so in one call
        globs = [pat.regex.pattern for pat, _i in self.glob_first if pat.regex is not None]
        self._any_glob = re.compile("|".join(f"(?:{g})" for g in globs), re.S) if globs else None

    def first_candidates(self, lower: str) -> list[int]:
        """Entries whose first token matches ``lower`` (cached per distinct word)."""
        found = self._first_cache.get(lower)
        if found is None:
            found = list(self.exact_first.get(_CONTRACTED.get(lower, lower), ()))
            if self._any_glob is not None and self._any_glob.fullmatch(lower) is not None:
                found.extend(i for pat, i in self.glob_first if pat.matches(lower))
            self._first_cache[lower] = found
        return found


def find_matches(doc: Any, compiled: _CompiledLexicon) -> list[Match]:
    import numpy as np
    from spacy.attrs import IDX, LENGTH, LOWER, SENT_START, SPACY

    n = len(doc)
    if n == 0:
        return []
    arr = doc.to_array([LOWER, IDX, LENGTH, SPACY, SENT_START])
    lowers = arr[:, 0]
    strings = doc.vocab.strings
    unique = np.unique(lowers).tolist()
    first: dict[int, list[int]] = {}
    for h in unique:
        cands = compiled.first_candidates(strings[h])
        if cands:
            first[h] = cands
    if not first:
        return []
    positions = np.nonzero(np.isin(lowers, np.fromiter(first.keys(), dtype=lowers.dtype)))[0].tolist()
    sent_id = np.cumsum(arr[:, 4] == 1).tolist()
    idx = arr[:, 1].tolist()
    length = arr[:, 2].tolist()
    space = arr[:, 3].tolist()
    # Plain Python lists and dicts from here on: indexing a numpy array one item at a time is slow.
    lower_list = lowers.tolist()
    word_of: dict[int, str] = {}

    def low(i: int) -> str:
        h = lower_list[i]
        s = word_of.get(h)
        if s is None:
            s = word_of[h] = strings[h]
        return s

    text = doc.user_data.get(TEXT_KEY) or doc.text
    entries = compiled.entries
    order = compiled.order
    noun_markers = _DETERMINERS | _PREPOSITIONS
    candidates: list[tuple[int, int, int, int, bool, int]] = []  # (-len, start_tok, cat_order, entry, negated, end_tok)
    append = candidates.append
    for pos in positions:
        h = lower_list[pos]
        word = word_of.get(h) or low(pos)
        contracted = word in _CONTRACTED
        for ei in first[h]:
            entry, pats = entries[ei]
            size = len(pats)
            end = pos + size
            if end > n:
                continue
            if contracted and not (pos + 1 < n and low(pos + 1) == "n't"):
                continue
            if size > 1 and any(not pats[k].matches(low(pos + k)) for k in range(1, size)):
                continue
            negated = False
            category = entry.category
            if category == MODAL:
                if not _is_modal_verb(pos, low, text, idx, sent_id, n):
                    continue
                negated = _negated_after(end, low, sent_id, n, sent_id[pos])
            elif category == OPERATIVE:
                if pos > 0 and sent_id[pos - 1] == sent_id[pos] and low(pos - 1) in noun_markers:
                    continue
                negated = _negated_before(pos, low, sent_id)
            append((-size, pos, order[category], ei, negated, end))
    candidates.sort()
    taken = bytearray(n)
    found: list[tuple[int, int, Match]] = []
    new_match = object.__new__
    for neg_len, s, _order, ei, negated, e in candidates:
        if neg_len == -1:
            if taken[s]:
                continue
            taken[s] = 1
        else:
            if any(taken[s:e]):
                continue
            taken[s:e] = b"\x01" * (e - s)
        entry = entries[ei][0]
        start = idx[s]
        end_char = idx[e - 1] + length[e - 1]
        # "cannot", "can't": the attached negation belongs to the counted word.
        if negated and entry.category == MODAL and e < n and not space[e - 1] and low(e) in _NEGATORS:
            end_char = idx[e] + length[e]
        # Match(...) without the frozen dataclass's __init__ (one attribute at a time): same object, faster
        m = new_match(Match)
        object.__setattr__(
            m,
            "__dict__",
            {
                "start": start,
                "end": end_char,
                "text": text[start:end_char],
                "category": entry.category,
                "term": entry.pattern,
                "rank": entry.rank,
                "level": entry.level,
                "negated": negated,
            },
        )
        found.append((start, end_char, m))
    found.sort(key=lambda t: (t[0], t[1]))
    return [m for _s, _e, m in found]


def _is_modal_verb(pos: int, low: Any, text: str, idx: list[int], sent_id: list[int], n: int) -> bool:
    word = low(pos)
    word = _CONTRACTED.get(word, word)
    same_sentence_prev = pos > 0 and sent_id[pos - 1] == sent_id[pos]
    prev = low(pos - 1) if same_sentence_prev else ""
    nxt = low(pos + 1) if pos + 1 < n and sent_id[pos + 1] == sent_id[pos] else ""
    if word == "may":
        capitalised = text[idx[pos]] == "M"
        if prev in _MONTH_CONTEXT or prev.isdigit() or nxt.isdigit():
            return False
        if capitalised and same_sentence_prev:  # "the summit in Seoul, May" – a month inside a sentence
            return False
        return True
    if word in _NOUN_READABLE_MODALS:
        if prev in _DETERMINERS or prev in _MODAL_NOUN_ADJECTIVES or nxt == "of":
            return False
    return True


def _negated_after(end: int, low: Any, sent_id: list[int], n: int, sentence: int) -> bool:
    for k in range(end, min(end + 2, n)):
        if sent_id[k] != sentence:
            return False
        w = low(k)
        if w in _NEGATORS:
            return not (k + 1 < n and low(k + 1) in _NOT_NEGATING)
        if not w[:1].isalpha():
            return False
    return False


def _negated_before(pos: int, low: Any, sent_id: list[int]) -> bool:
    for k in range(pos - 1, max(pos - 3, -1), -1):
        if sent_id[k] != sent_id[pos]:
            return False
        w = low(k)
        if w in _NEGATORS:
            return True
        if not w[:1].isalpha():
            return False
    return False


class SentenceSplitter:
    """Pipeline component: a sentence starts after ".", "!", "?" or "…" (and any closing quotes or
    brackets), and after a line break, so headings and list items are sentences of their own. It works on
    the token array at once, which keeps it several times faster than a per-token loop."""

    def __call__(self, doc: Any) -> Any:
        import numpy as np
        from spacy.attrs import LOWER, SENT_START, SPACY

        n = len(doc)
        if n == 0:
            return doc
        arr = doc.to_array([LOWER, SPACY])
        lowers, spaced = arr[:, 0], arr[:, 1].astype(bool)
        strings = doc.vocab.strings
        kinds = {h: strings[h] for h in np.unique(lowers).tolist()}
        end_h = [h for h, s in kinds.items() if s in _SENTENCE_END]
        break_h = [h for h, s in kinds.items() if "\n" in s and not s.strip()]
        close_h = [h for h, s in kinds.items() if s in _CLOSERS]
        is_end = np.isin(lowers, end_h)
        is_break = np.isin(lowers, break_h)
        is_close = np.isin(lowers, close_h)
        # a closing quote or bracket right after a full stop still belongs to the sentence
        glued_after_end = np.concatenate(([False], is_end[:-1] & ~spaced[:-1]))
        ends_here = is_end | (is_close & glued_after_end)
        start = np.zeros(n, dtype=bool)
        start[0] = True
        start[1:] = (ends_here[:-1] & ~ends_here[1:] & ~(is_close[1:] & glued_after_end[1:])) | is_break[:-1]
        start &= ~is_break  # whitespace tokens never start a sentence
        start[0] = True
        values = np.where(start, np.uint64(1), np.uint64(2**64 - 1)).astype(np.uint64).reshape(-1, 1)
        doc.from_array([SENT_START], values)
        return doc


def _count_sentences(doc: Any) -> int:
    """Sentences that hold at least one word (a stray "." or heading rule is not a sentence)."""
    import numpy as np
    from spacy.attrs import IS_ALPHA, IS_DIGIT, SENT_START

    if len(doc) == 0:
        return 0
    arr = doc.to_array([SENT_START, IS_ALPHA, IS_DIGIT])
    segment = np.cumsum(arr[:, 0] == 1)  # tokens before the first sentence start form segment 0
    has_word = (arr[:, 1] != 0) | (arr[:, 2] != 0)
    return int(np.count_nonzero(np.bincount(segment[has_word]))) if has_word.any() else 0


class Analyzer:
    """Counts a lexicon's terms in texts. Create one per lexicon; it is cheap until first used."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.engine_version = engine_version()

    @cached_property
    def nlp(self) -> Any:
        import spacy

        from summit_reader.core.documents import MAX_IMPORT_BYTES

        _register_component()
        nlp = spacy.blank("en")
        nlp.max_length = MAX_IMPORT_BYTES + 1
        nlp.add_pipe("summit_sentence_splitter")
        compiled = _CompiledLexicon(self.lexicon, nlp.tokenizer)
        matcher: Any = nlp.add_pipe("summit_lexicon_matcher", last=True)
        matcher.compiled = compiled
        return nlp

    def analyse(self, text: str, text_hash: str | None = None) -> DocumentAnalysis:
        """Analyse a normalised text (not cached; see ``analyse_document``)."""
        from summit_reader.core.documents import text_hash as hash_of

        nlp = self.nlp
        doc = nlp.make_doc(text)
        doc.user_data[TEXT_KEY] = text  # so the matcher slices the text instead of rebuilding it
        for _name, component in nlp.pipeline:
            doc = component(doc)
        matches = tuple(doc.user_data[LexiconMatcher.USER_DATA_KEY])
        sentences = _count_sentences(doc)
        return DocumentAnalysis(
            text_hash=text_hash or hash_of(text),
            lexicon=self.lexicon.label,
            word_count=count_words(text),
            sentence_count=sentences,
            matches=matches,
        )

    def cached(self, library: Library, doc: Document) -> DocumentAnalysis | None:
        """The stored analysis of this text with this lexicon, without loading spaCy; None if absent."""
        payload = library.get_cached_analysis(doc.text_hash, self.lexicon.hash, self.engine_version)
        if payload is None:
            return None
        try:
            return DocumentAnalysis.from_json(payload, doc.text, doc.text_hash, self.lexicon.label)
        except (ValueError, KeyError, TypeError):
            return None  # a damaged cache entry is recomputed, never trusted

    def analyse_document(self, library: Library, doc: Document) -> DocumentAnalysis:
        """The analysis of a stored document, from the cache when the text and lexicon are unchanged."""
        found = self.cached(library, doc)
        if found is not None:
            return found
        result = self.analyse(doc.text, doc.text_hash)
        library.put_cached_analysis(doc.text_hash, self.lexicon.hash, self.engine_version, result.to_json())
        return result


def _register_component() -> None:
    from spacy.language import Language

    if "summit_lexicon_matcher" in Language.factories:
        return

    @Language.factory("summit_sentence_splitter")
    def _make_splitter(nlp: Any, name: str) -> SentenceSplitter:
        return SentenceSplitter()

    @Language.factory("summit_lexicon_matcher")
    def _make(nlp: Any, name: str) -> LexiconMatcher:
        return LexiconMatcher()


class LexiconMatcher:
    """The pipeline component (like spaCy's span_ruler: match, then annotate the Doc). The Analyzer hands
    it the compiled lexicon right after adding it; matches go to ``doc.user_data[USER_DATA_KEY]``."""

    USER_DATA_KEY = "summit_reader_matches"
    compiled: _CompiledLexicon | None = None

    def __call__(self, doc: Any) -> Any:
        if self.compiled is None:
            raise RuntimeError("summit_lexicon_matcher used before a lexicon was set")
        doc.user_data[self.USER_DATA_KEY] = find_matches(doc, self.compiled)
        return doc
