"""The analysis engine: spaCy's English tokenizer (``spacy.blank("en")``'s) and our lexicon matcher.

The tokenizer splits the text (``Analyzer.tokenizer``: ``spacy.blank("en")``'s tokenizer, built directly
from the same English rules, see there); :mod:`summit_reader.core.matching` then splits sentences, counts
words and matches every lexicon entry over the whole token array at once (numpy; no per-term search, no
Python loop over tokens). The same steps are the pipeline's ``summit_sentence_splitter`` and
``summit_lexicon_matcher`` components, for ``nlp(text)``; ``Analyzer.analyse`` calls them directly, so the
Doc is not annotated and read back. Results leave the core as plain dataclasses (``Match``,
``DocumentAnalysis``); no spaCy object escapes. spaCy and numpy are imported lazily, on the first analysis
that is not in the cache, so the window paints before they load; spaCy is imported without its
command-line interface (:mod:`summit_reader.core.spacy_import`), in the window and on the command line alike.

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

import base64
import json
import re
import sys
import threading
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from summit_reader.core.cycles import without_cycle_collection
from summit_reader.core.lexicon import Lexicon, load_lexicon

if TYPE_CHECKING:
    from summit_reader.core.documents import Document
    from summit_reader.core.matching import CompiledLexicon, Found
    from summit_reader.core.store import Library

#: Bump when a counting rule or the cache format changes: cached analyses made with another engine
#: version are ignored. 2: the compact cache format (offsets as packed integers).
RULES_VERSION = "2"
MODAL = "modal"
OPERATIVE = "operative"
TEXT_KEY = "summit_reader_text"
#: The cache payload's layout (``DocumentAnalysis.to_json``).
CACHE_FORMAT = 2

_U32 = "I" if array("I").itemsize == 4 else "L"
_Term = tuple[str, str, int | None, str | None]  # category, entry, rank, level


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


_FIELDS = ("start", "end", "text", "category", "term", "rank", "level", "negated")
_MATCH_DICT: Any = Match.__dict__["__dict__"]  # the descriptor that sets an instance's attribute dict


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
        """The cache payload: counts, a table of the matched terms, and the matches as packed integers."""
        keys: list[_Term] = list(map(attrgetter("category", "term", "rank", "level"), self.matches))
        number = {key: i for i, key in enumerate(dict.fromkeys(keys))}
        codes = [2 * number[key] + m.negated for key, m in zip(keys, self.matches, strict=True)]
        return _payload(
            self.word_count,
            self.sentence_count,
            list(number),
            _packed(array(_U32, map(attrgetter("start"), self.matches))),
            _packed(array(_U32, map(attrgetter("end"), self.matches))),
            _packed(array(_U32, codes)),
        )

    @classmethod
    def from_json(cls, payload: str, text: str, text_hash: str, lexicon: str) -> DocumentAnalysis:
        """The analysis a ``to_json`` payload holds; ValueError (or KeyError, TypeError) if it is damaged."""
        data = json.loads(payload)
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            raise ValueError("not a cache payload of this format")
        terms = [_term(t) for t in data["terms"]]
        starts, ends, codes = (_unpacked(data[key]) for key in ("start", "end", "code"))
        if not len(starts) == len(ends) == len(codes):
            raise ValueError("the cached arrays differ in length")
        if starts and (max(ends) > len(text) or any(map(int.__gt__, starts, ends))):
            raise ValueError("a cached match lies outside the text")
        if starts and max(codes) >= 2 * len(terms):
            raise ValueError("a cached match has no term")
        matches = _build_matches(text, starts, ends, codes, terms)
        return cls(text_hash, lexicon, int(data["word_count"]), int(data["sentence_count"]), matches)


def _payload(words: int, sentences: int, terms: Sequence[_Term], starts: str, ends: str, codes: str) -> str:
    """Format 2: the matched terms (category, entry, rank, level) once each, then three arrays of unsigned
    32-bit integers (little-endian, base64): start and end offsets, and code = term number * 2 + negated."""
    return json.dumps(
        {
            "format": CACHE_FORMAT,
            "word_count": words,
            "sentence_count": sentences,
            "terms": terms,
            "start": starts,
            "end": ends,
            "code": codes,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _packed(values: array[int]) -> str:
    """Unsigned 32-bit integers, little-endian, in base64."""
    if sys.byteorder == "big":
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def _unpacked(text: str) -> list[int]:
    values = array(_U32)
    values.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


def _term(raw: Any) -> _Term:
    category, term, rank, level = raw
    if not (isinstance(category, str) and isinstance(term, str)):
        raise TypeError("a cached term is not text")
    if not (rank is None or type(rank) is int) or not (level is None or isinstance(level, str)):
        raise TypeError("a cached rank or level has the wrong type")
    return category, term, rank, level


def _build_matches(
    text: str, starts: list[int], ends: list[int], codes: list[int], terms: Sequence[_Term]
) -> tuple[Match, ...]:
    """Match objects for the given offsets and codes: term number (into ``terms``) * 2 + negated."""
    # Each Match is made as a frozen dataclass would make it, but from a copy of a ready-made attribute
    # dict for its term rather than through __init__ (eight frozen __setattr__ calls): several times faster.
    templates = [
        dict(zip(_FIELDS, (0, 0, "", category, term, rank, level, negated), strict=True))
        for category, term, rank, level in terms
        for negated in (False, True)
    ]
    new, set_fields = object.__new__, _MATCH_DICT.__set__
    with without_cycle_collection():
        matches = tuple([new(Match) for _ in range(len(starts))])
        for m, s, e, c in zip(matches, starts, ends, codes, strict=True):
            fields = templates[c].copy()
            fields["start"] = s
            fields["end"] = e
            fields["text"] = text[s:e]
            set_fields(m, fields)
    return matches


def per_words(count: int, words: int, per: int = 1000) -> float:
    return count * per / words if words else 0.0


#: A run of characters between spaces with no letter or digit in it ("—", "•", "--"): not a word.
_NOT_WORD = re.compile(r"(?<!\S)(?:[^\w\s]|_)+(?!\S)")


def count_words(text: str) -> int:
    # every run between spaces (str.split and the regex agree on what a space is), less those without a
    # letter or digit: the same count as len(_WORD.findall(text)), without a regex match per word. The
    # analysis counts the same words from its tokens (matching.count_words); a test holds them equal.
    return len(text.split()) - len(_NOT_WORD.findall(text))


def english_tokenizer() -> Any:
    """spaCy's English tokenizer: the one ``spacy.blank("en")`` makes, with the same rules (the English
    tokenizer exceptions, prefixes, suffixes and infixes, URL and token matches of
    ``spacy.lang.en.English.Defaults``), built here directly as spaCy's own ``spacy.Tokenizer.v1`` factory
    builds it, without first assembling a pipeline around it (its config, registries and factories):
    the engine loads about 20 ms sooner, and the tokens are the same (tests/core/test_analysis.py holds
    them equal to ``spacy.blank("en")``'s). spaCy is imported without its command-line interface."""
    from summit_reader.core.spacy_import import install

    install()
    from spacy.lang.en import English
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
    from spacy.vocab import create_vocab

    defaults = English.Defaults
    return Tokenizer(
        create_vocab(English.lang, defaults),
        rules=defaults.tokenizer_exceptions,
        prefix_search=compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None,
        suffix_search=compile_suffix_regex(defaults.suffixes).search if defaults.suffixes else None,
        infix_finditer=compile_infix_regex(defaults.infixes).finditer if defaults.infixes else None,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


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


def find_matches(doc: Any, compiled: CompiledLexicon) -> list[Match]:
    """The counted words of a tokenised Doc, in text order (sentences split by the same rules as
    ``SentenceSplitter``)."""
    from summit_reader.core import matching

    tokens = matching.Tokens(doc, compiled.types)
    if tokens.n == 0:
        return []
    sentence_ids = matching.sentence_starts(tokens).cumsum()
    found = matching.match(tokens, compiled, sentence_ids)
    text = doc.user_data.get(TEXT_KEY) or doc.text
    return list(_matches_of(found, text, compiled))


def _terms_of(compiled: CompiledLexicon) -> list[_Term]:
    return [(e.category, e.pattern, e.rank, e.level) for e, _pats in compiled.entries]


def _matches_of(found: Found, text: str, compiled: CompiledLexicon) -> tuple[Match, ...]:
    codes = found.entry * 2 + found.negated
    return _build_matches(text, found.start.tolist(), found.end.tolist(), codes.tolist(), _terms_of(compiled))


class SentenceSplitter:
    """Pipeline component: a sentence starts after ".", "!", "?" or "…" (and any closing quotes or
    brackets), and after a line break, so headings and list items are sentences of their own. The rule
    works on the token array at once (``matching.sentence_starts``)."""

    def __call__(self, doc: Any) -> Any:
        import numpy as np
        from spacy.attrs import SENT_START

        from summit_reader.core import matching

        tokens = matching.Tokens(doc, matching.PLAIN_TYPES)
        if tokens.n == 0:
            return doc
        start = matching.sentence_starts(tokens)
        values = np.where(start, np.uint64(1), np.uint64(2**64 - 1)).astype(np.uint64).reshape(-1, 1)
        doc.from_array([SENT_START], values)
        return doc


class Analyzer:
    """Counts a lexicon's terms in texts. Create one per lexicon; it is cheap until first used."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.engine_version = engine_version()

    @cached_property
    def tokenizer(self) -> Any:
        """spaCy's English tokenizer (:func:`english_tokenizer`)."""
        return english_tokenizer()

    @cached_property
    def compiled(self) -> CompiledLexicon:
        """The lexicon as the matcher uses it (entries tokenised; loads the tokenizer on first use)."""
        from summit_reader.core.matching import CompiledLexicon

        return CompiledLexicon(self.lexicon, self.tokenizer)

    @property
    def loaded(self) -> bool:
        """Whether the engine is loaded (the tokenizer and the compiled lexicon): an analysis needs no more."""
        return "compiled" in vars(self)

    @cached_property
    def nlp(self) -> Any:
        """The pipeline, for ``nlp(text)``: ``spacy.blank("en")`` (an ``English`` object, as ``spacy.blank``
        makes it from the default config) on this analyzer's tokenizer, then the
        ``summit_sentence_splitter`` and ``summit_lexicon_matcher`` components. ``analyse`` does not need
        it: it calls the tokenizer and the components' steps directly."""
        tokenizer = self.tokenizer
        from spacy.lang.en import English

        from summit_reader.core.documents import MAX_IMPORT_BYTES

        _register_component()
        nlp = English(vocab=tokenizer.vocab, create_tokenizer=lambda _nlp: tokenizer)
        nlp.max_length = MAX_IMPORT_BYTES + 1
        nlp.add_pipe("summit_sentence_splitter")
        matcher: Any = nlp.add_pipe("summit_lexicon_matcher", last=True)
        matcher.compiled = self.compiled
        return nlp

    def analyse(self, text: str, text_hash: str | None = None) -> DocumentAnalysis:
        """Analyse a normalised text (not cached; see ``analyse_document``)."""
        return self._analyse(text, text_hash)[0]

    def _analyse(self, text: str, text_hash: str | None) -> tuple[DocumentAnalysis, Found | None]:
        """The analysis, and the matcher's arrays it was built from (for the cache payload)."""
        from summit_reader.core import matching
        from summit_reader.core.documents import text_hash as hash_of

        compiled = self.compiled
        # The components' steps, called directly on the token arrays: nothing written to a Doc and read back.
        tokens = matching.Tokens.of_text(text, self.tokenizer, compiled.types)
        digest = text_hash or hash_of(text)
        if tokens.n == 0:
            return DocumentAnalysis(digest, self.lexicon.label, 0, 0, ()), None
        sentence_ids = matching.sentence_starts(tokens).cumsum()
        found = matching.match(tokens, compiled, sentence_ids)
        analysis = DocumentAnalysis(
            text_hash=digest,
            lexicon=self.lexicon.label,
            word_count=matching.count_words(tokens),
            sentence_count=matching.count_sentences(tokens, sentence_ids),
            matches=_matches_of(found, text, compiled),
        )
        return analysis, found

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
        result, arrays = self._analyse(doc.text, doc.text_hash)
        payload = result.to_json() if arrays is None else self._payload_of(result, arrays)
        library.put_cached_analysis(doc.text_hash, self.lexicon.hash, self.engine_version, payload)
        return result

    def _payload_of(self, result: DocumentAnalysis, found: Found) -> str:
        """``result.to_json()``, straight from the matcher's arrays (no walk over the Match objects)."""
        import numpy as np

        used, numbers = np.unique(found.entry, return_inverse=True)
        terms = _terms_of(self.compiled)
        return _payload(
            result.word_count,
            result.sentence_count,
            [terms[i] for i in used.tolist()],
            _packed_array(found.start),
            _packed_array(found.end),
            _packed_array(numbers.reshape(-1) * 2 + found.negated),
        )


def _packed_array(values: Any) -> str:
    """A numpy integer array as ``_packed`` writes it."""
    return base64.b64encode(values.astype("<u4").tobytes()).decode("ascii")


_REGISTER_LOCK = threading.Lock()


def _register_component() -> None:
    """Register our pipeline components with spaCy, once per process. A lock, because the analysis worker
    and a concordance search may build their first pipeline at the same moment."""
    with _REGISTER_LOCK:
        _register_component_unlocked()


def _register_component_unlocked() -> None:
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
    compiled: CompiledLexicon | None = None

    def __call__(self, doc: Any) -> Any:
        if self.compiled is None:
            raise RuntimeError("summit_lexicon_matcher used before a lexicon was set")
        doc.user_data[self.USER_DATA_KEY] = find_matches(doc, self.compiled)
        return doc
