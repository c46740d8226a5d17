"""The lexicon matcher: every entry of a lexicon matched over a whole document at once, with numpy.

spaCy's tokenizer gives each token its text's hash (ORTH) and a trailing-space flag; ``Doc.to_array`` copies
both out in one pass in C (the text is tokenised in pieces: see ``PIECE_CHARS``). Everything else is decided once per *type*, a distinct token text (a few
thousand in a long text; each is looked at once per process and remembered, as spaCy's own vocabulary
does): its length, which entries it can start, which later tokens of an entry it fits, and the flags the
counting rules ask about (a sentence end? a determiner? a negator?). The rules of
:mod:`summit_reader.core.analysis` then run as array operations on the candidate positions only (a tenth
of the tokens or less). Python loops run over types and over overlapping phrase candidates, never over
tokens. spaCy objects stay inside: the results are plain arrays (offsets, entry numbers, negation flags).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from summit_reader.core.analysis import MODAL, OPERATIVE

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from summit_reader.core.lexicon import Entry, Lexicon

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
_SENTENCE_END = frozenset({".", "!", "?", "…", "..."})
_CLOSERS = frozenset({'"', "'", "”", "’", ")", "]", "»"})
_CONTRACTED = {"ca": "can", "wo": "will", "sha": "shall"}
_NOUN_READABLE_MODALS = frozenset({"will", "can", "must", "might"})
_WORD_CHAR = re.compile(r"[^\W_]")  # a letter or digit, as the word count's regex has it

# What the rules ask about a type (one bit each); `_type_flags` sets them.
END, CLOSE, BREAK = 1 << 0, 1 << 1, 1 << 2  # sentence end, closing quote/bracket, whitespace with a line break
HAS_WORD = 1 << 3  # spaCy's IS_ALPHA or IS_DIGIT: the sentence has a word
SPACE = 1 << 4  # whitespace (separates words)
ALNUM = 1 << 5  # holds a letter or digit (makes a run between spaces a word)
ALPHA_START = 1 << 6  # lower case starts with a letter (negation looks past such words only)
NEGATOR, NOT_NEGATING = 1 << 7, 1 << 8
NOUN_MARKER, DETERMINER, MODAL_NOUN_ADJECTIVE, MONTH_CONTEXT = 1 << 9, 1 << 10, 1 << 11, 1 << 12
DIGITS, OF, NT, CONTRACTED, CAPITAL_M, MAY, NOUN_READABLE = (1 << k for k in range(13, 20))


def _type_flags(orth: str, lower: str, is_alpha: bool, is_digit: bool) -> int:
    word = _CONTRACTED.get(lower, lower)
    checks = (
        (lower in _SENTENCE_END, END),
        (lower in _CLOSERS, CLOSE),
        ("\n" in lower and not lower.strip(), BREAK),
        (is_alpha or is_digit, HAS_WORD),
        (orth.isspace(), SPACE),
        (_WORD_CHAR.search(orth) is not None, ALNUM),
        (lower[:1].isalpha(), ALPHA_START),
        (lower in _NEGATORS, NEGATOR),
        (lower in _NOT_NEGATING, NOT_NEGATING),
        (lower in _DETERMINERS or lower in _PREPOSITIONS, NOUN_MARKER),
        (lower in _DETERMINERS, DETERMINER),
        (lower in _MODAL_NOUN_ADJECTIVES, MODAL_NOUN_ADJECTIVE),
        (lower in _MONTH_CONTEXT, MONTH_CONTEXT),
        (lower.isdigit(), DIGITS),
        (lower == "of", OF),
        (lower == "n't", NT),
        (lower in _CONTRACTED, CONTRACTED),
        (orth[:1] == "M", CAPITAL_M),
        (word == "may", MAY),
        (word in _NOUN_READABLE_MODALS, NOUN_READABLE),
    )
    return sum(bit for holds, bit in checks if holds)


@dataclass(frozen=True)
class TokenPattern:
    """One token of an entry: an exact lower-case text, or a ``*`` glob within one token."""

    exact: str | None
    regex: re.Pattern[str] | None

    def matches(self, lower: str) -> bool:
        if self.exact is not None:
            return lower == self.exact
        assert self.regex is not None
        return self.regex.fullmatch(lower) is not None


def token_pattern(piece: str) -> TokenPattern:
    if "*" not in piece:
        return TokenPattern(piece, None)
    return TokenPattern(None, re.compile(".*".join(re.escape(p) for p in piece.split("*")), re.S))


class _PatternSet:
    """Which of many token patterns a word fits: a dict for the exact ones, one regex to rule out the globs."""

    def __init__(self, patterns: list[tuple[TokenPattern, int]]) -> None:
        self.exact: dict[str, list[int]] = {}
        self.globs: list[tuple[TokenPattern, int]] = []
        for pat, i in patterns:
            if pat.exact is not None:
                self.exact.setdefault(pat.exact, []).append(i)
            else:
                self.globs.append((pat, i))
        # one regex for every glob: most words match none, and are told so in one call
        alternatives = [f"(?:{pat.regex.pattern})" for pat, _i in self.globs if pat.regex is not None]
        self.any_glob = re.compile("|".join(alternatives), re.S) if alternatives else None

    def fitting(self, exact_key: str, lower: str) -> list[int]:
        found = list(self.exact.get(exact_key, ()))
        if self.any_glob is not None and self.any_glob.fullmatch(lower) is not None:
            found.extend(i for pat, i in self.globs if pat.matches(lower))
        return found


@dataclass(frozen=True)
class TypeView:
    """A TypeTable's rows as they were when a document was looked up (later rows may follow; these stay)."""

    flags: NDArray[np.uint32]
    lengths: NDArray[np.int64]
    first_count: NDArray[np.int32]  # how many entries a type can start
    first_offset: NDArray[np.int64]  # where a type's entries begin in first_entries
    first_entries: NDArray[np.int64]  # those entries (indices into CompiledLexicon.entries), type by type
    follow_keys: NDArray[np.int64]  # sorted ``pattern << 32 | type``: the later-token patterns a type fits


class TypeTable:
    """What the matcher and the sentence splitter need to know about each type, by ORTH hash.

    A type is worked out once, the first time a document has it, and gets a row; later documents find it
    through two direct-mapped tables, on the hash's low and on its high bits (the hashes are uniform), so
    looking up a million tokens takes a few array operations. A type that finds both its slots taken is
    looked up in a dict. Rows live in numpy arrays that grow by doubling; a lock makes the table safe for
    analyses in two threads.
    """

    _MAX_SLOT_BITS = 20

    def __init__(self, compiled: CompiledLexicon | None = None) -> None:
        self.compiled = compiled
        self._lock = threading.Lock()
        self._rows: dict[int, int] = {}  # ORTH hash -> row
        self._size = 0
        self._flags = np.zeros(0, np.uint32)
        self._lengths = np.zeros(0, np.int64)
        self._first_count = np.zeros(0, np.int32)
        self._first_entries: list[int] = []  # the entries each type can start, type after type
        self._follow_keys: list[int] = []  # ``pattern << 32 | row`` for each later-token pattern a type fits
        self._slot_bits = 12
        self._slot_hash, self._slot_row = self._empty_slots()
        self._view: TypeView | None = None

    def lookup(self, orths: NDArray[np.uint64], vocab: Any) -> tuple[NDArray[np.intp], TypeView]:
        """The row of each ORTH hash (adding the types not seen before), and the rows' data."""
        with self._lock:
            slots = self._slot_of(orths, 0)
            rows = self._slot_row[0][slots]
            missed = np.flatnonzero((self._slot_hash[0][slots] != orths) | (rows < 0))
            if len(missed):  # the few whose low bits are another type's: their high bits
                slots = self._slot_of(orths[missed], 1)
                second = self._slot_row[1][slots]
                found_there = (self._slot_hash[1][slots] == orths[missed]) & (second >= 0)
                rows[missed[found_there]] = second[found_there]
                missed = missed[~found_there]
            if len(missed):
                distinct, which = np.unique(orths[missed], return_inverse=True)
                found = [self._rows.get(h) for h in distinct.tolist()]
                for k, row in enumerate(found):
                    if row is None:
                        found[k] = self._add(int(distinct[k]), vocab)
                distinct_rows = np.array(found, np.intp)
                rows[missed] = distinct_rows[which.reshape(-1)]
                self._place(distinct, distinct_rows)
            return rows, self._current_view()

    def _empty_slots(self) -> tuple[list[NDArray[np.uint64]], list[NDArray[np.intp]]]:
        """Two tables of (hash, row) slots; row -1 marks a free slot."""
        size = 1 << self._slot_bits
        return [np.zeros(size, np.uint64) for _ in "ab"], [np.full(size, -1, np.intp) for _ in "ab"]

    def _slot_of(self, hashes: NDArray[np.uint64], table: int) -> NDArray[np.intp]:
        bits = hashes >> np.uint64(32) if table else hashes
        slots: NDArray[np.intp] = (bits & np.uint64((1 << self._slot_bits) - 1)).astype(np.intp)
        return slots

    def _place(self, hashes: NDArray[np.uint64], rows: NDArray[np.intp]) -> None:
        """Give types a slot where one is free, first growing the slot tables if the rows outgrew them."""
        if self._size * 8 > len(self._slot_hash[0]) and self._slot_bits < self._MAX_SLOT_BITS:
            self._slot_bits = min(self._MAX_SLOT_BITS, (self._size * 16).bit_length())
            self._slot_hash, self._slot_row = self._empty_slots()
            hashes = np.fromiter(self._rows.keys(), np.uint64, len(self._rows))
            rows = np.fromiter(self._rows.values(), np.intp, len(self._rows))
        for table in (0, 1):
            slots = self._slot_of(hashes, table)
            free = self._slot_row[table][slots] < 0
            # of two types with one free slot, the same one (the last) gets both its hash and its row
            self._slot_hash[table][slots[free]] = hashes[free]
            self._slot_row[table][slots[free]] = rows[free]
            placed = np.zeros(len(hashes), bool)
            placed[free] = self._slot_hash[table][slots[free]] == hashes[free]
            hashes, rows = hashes[~placed], rows[~placed]

    def _add(self, orth_hash: int, vocab: Any) -> int:
        lex = vocab[orth_hash]
        orth, lower = lex.orth_, lex.lower_
        row = self._size
        if row == len(self._flags):
            grown = max(1024, 2 * row)
            self._flags = np.resize(self._flags, grown)
            self._lengths = np.resize(self._lengths, grown)
            self._first_count = np.resize(self._first_count, grown)
        self._flags[row] = _type_flags(orth, lower, bool(lex.is_alpha), bool(lex.is_digit))
        self._lengths[row] = len(orth)
        firsts: tuple[int, ...] = ()
        follows: tuple[int, ...] = ()
        if self.compiled is not None:
            firsts = tuple(self.compiled.first_candidates(lower))
            follows = tuple(self.compiled.follow_set.fitting(lower, lower))
        self._first_count[row] = len(firsts)
        self._first_entries.extend(firsts)
        self._follow_keys.extend(pattern << 32 | row for pattern in follows)
        self._rows[orth_hash] = row
        self._size += 1
        return row

    def _current_view(self) -> TypeView:
        size = self._size
        if self._view is None or len(self._view.flags) != size:
            first_count = self._first_count[:size]
            first_offset = np.zeros(size + 1, np.int64)
            np.cumsum(first_count, out=first_offset[1:])
            self._view = TypeView(
                self._flags[:size],
                self._lengths[:size],
                first_count,
                first_offset,
                np.array(self._first_entries, np.int64),
                np.sort(np.array(self._follow_keys, np.int64)),
            )
        return self._view


class CompiledLexicon:
    """Entries tokenised with the pipeline's own tokenizer, indexed by their first token."""

    def __init__(self, lexicon: Lexicon, tokenizer: Any) -> None:
        self.lexicon = lexicon
        self.order = {c.name: i for i, c in enumerate(lexicon.categories)}
        self.entries: list[tuple[Entry, tuple[TokenPattern, ...]]] = []
        for entry in lexicon.entries():
            pieces: list[str] = []
            for word in entry.pattern.split():
                toks = [t.lower_ for t in tokenizer(word.replace("*", _GLOB_MARK))]
                pieces.extend(t.replace(_GLOB_MARK, "*") for t in toks)
            self.entries.append((entry, tuple(token_pattern(p) for p in pieces)))
        self.first_set = _PatternSet([(pats[0], i) for i, (_e, pats) in enumerate(self.entries)])
        # the later tokens of phrases: each distinct pattern once
        follow_ids: dict[TokenPattern, int] = {}
        self.max_size = max((len(pats) for _e, pats in self.entries), default=1)
        self.follow_of = np.full((len(self.entries), max(1, self.max_size - 1)), -1, np.int64)
        for i, (_e, pats) in enumerate(self.entries):
            for k, pat in enumerate(pats[1:]):
                self.follow_of[i, k] = follow_ids.setdefault(pat, len(follow_ids))
        self.follow_set = _PatternSet(list(follow_ids.items()))
        self.follow_count = len(follow_ids)
        self.sizes = np.array([len(pats) for _e, pats in self.entries], np.int64)
        # which entry wins a tie (same length, same first token): the category listed first, then the entry
        category_order = np.array([self.order[e.category] for e, _p in self.entries], np.int64)
        self.precedence = np.empty(len(self.entries), np.int64)
        self.precedence[np.lexsort((np.arange(len(self.entries)), category_order))] = np.arange(len(self.entries))
        self.is_modal = np.array([e.category == MODAL for e, _p in self.entries], bool)
        self.is_operative = np.array([e.category == OPERATIVE for e, _p in self.entries], bool)
        self.types = TypeTable(self)

    def first_candidates(self, lower: str) -> list[int]:
        """Entries whose first token matches ``lower`` ("ca" in "can't" stands for "can")."""
        return self.first_set.fitting(_CONTRACTED.get(lower, lower), lower)


#: The splitter's table when no lexicon is involved (core.sentences).
PLAIN_TYPES = TypeTable()


#: Texts are tokenised in pieces of about this many characters, each cut after a space between two
#: non-space characters. spaCy tokenises each run between spaces on its own, so the tokens are the same as
#: for the whole text; but a Doc of a million tokens costs half as much again as the same tokens in pieces
#: (its token array grows by doubling, copied each time, and no longer fits the processor's caches).
PIECE_CHARS = 100_000
_CUT = re.compile(r"(?<=\S) (?=\S)")


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """``text`` cut into pieces of about ``size`` characters, after a space between two words."""
    out: list[str] = []
    start = 0
    while len(text) - start > size:
        cut = _CUT.search(text, start + size)
        if cut is None:
            break
        out.append(text[start : cut.end()])
        start = cut.end()
    if start < len(text):
        out.append(text[start:])
    return out


def can_cut(tokenizer: Any) -> bool:
    """Whether cutting a text after a space leaves the tokens unchanged: true unless the tokenizer has a
    special case that spans a space ("New York" as one token), which no blank English pipeline has."""
    return not any(" " in rule and rule.strip() for rule in tokenizer.rules)


class Tokens:
    """A text's tokens as arrays: each token's row in a TypeTable (``types``) and its trailing space."""

    def __init__(self, doc: Any, table: TypeTable) -> None:
        from spacy.attrs import ORTH, SPACY

        self._set(doc.to_array([ORTH, SPACY]).reshape(-1, 2), doc.vocab, table)

    @classmethod
    def of_text(cls, text: str, tokenizer: Any, table: TypeTable) -> Tokens:
        """The tokens of ``tokenizer(text)``, tokenised piece by piece (see ``PIECE_CHARS``)."""
        from spacy.attrs import ORTH, SPACY

        if not can_cut(tokenizer):
            return cls(tokenizer(text), table)
        arrays = [tokenizer(piece).to_array([ORTH, SPACY]).reshape(-1, 2) for piece in pieces(text, PIECE_CHARS)]
        tokens = cls.__new__(cls)
        tokens._set(np.concatenate(arrays) if arrays else np.zeros((0, 2), np.uint64), tokenizer.vocab, table)
        return tokens

    def _set(self, arr: NDArray[np.uint64], vocab: Any, table: TypeTable) -> None:
        self.n = len(arr)
        self.spaced = arr[:, 1] != 0
        self.types, self.view = table.lookup(arr[:, 0], vocab)

    def mask(self, bit: int) -> NDArray[np.bool_]:
        """Which tokens have a flag (decided per type, then spread over the tokens)."""
        per_type: NDArray[np.bool_] = (self.view.flags & bit) != 0
        return per_type[self.types]

    def starts(self) -> NDArray[np.int64]:
        """Each token's offset in the text (code points), and the text's length at the end (n + 1 items)."""
        out = np.zeros(self.n + 1, np.int64)
        np.cumsum(self.view.lengths[self.types] + self.spaced, out=out[1:])
        return out


def sentence_starts(tokens: Tokens) -> NDArray[np.bool_]:
    """A sentence starts after ".", "!", "?" or "…" (and any closing quotes or brackets glued to it), and
    after whitespace with a line break; whitespace never starts one; the first token always does."""
    n = tokens.n
    is_end, is_break, is_close = tokens.mask(END), tokens.mask(BREAK), tokens.mask(CLOSE)
    spaced = tokens.spaced
    # a closing quote or bracket right after a full stop still belongs to the sentence
    glued_after_end = np.zeros(n, bool)
    glued_after_end[1:] = is_end[:-1] & ~spaced[:-1]
    ends_here = is_end | (is_close & glued_after_end)
    start = np.zeros(n, bool)
    start[1:] = (ends_here[:-1] & ~ends_here[1:] & ~(is_close[1:] & glued_after_end[1:])) | is_break[:-1]
    start &= ~is_break
    start[0] = True
    return start


def _distinct_runs(run_ids: NDArray[np.int64], member: NDArray[np.bool_]) -> int:
    """How many runs (ids that never decrease) have at least one member."""
    ids = run_ids[member]
    return int(np.count_nonzero(ids[1:] != ids[:-1])) + 1 if len(ids) else 0


def count_sentences(tokens: Tokens, sentence_ids: NDArray[np.int64]) -> int:
    """Sentences that hold at least one word (a stray "." or heading rule is not a sentence)."""
    return _distinct_runs(sentence_ids, tokens.mask(HAS_WORD))


def count_words(tokens: Tokens) -> int:
    """The word count of analysis.count_words, from the tokens: a word is a run of tokens glued together
    (no space between them, none of them whitespace) that holds a letter or digit."""
    n = tokens.n
    if n == 0:
        return 0
    space = tokens.mask(SPACE)
    glued = ~tokens.spaced[:-1] & ~space[:-1] & ~space[1:]  # token i and i + 1 are one word
    first = ~space
    first[1:] &= ~glued
    return _distinct_runs(np.cumsum(first), tokens.mask(ALNUM))


@dataclass(frozen=True)
class Found:
    """The counted words, in text order: token position, entry, character offsets, negation."""

    position: NDArray[np.int64]
    entry: NDArray[np.int64]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    negated: NDArray[np.bool_]


def match(tokens: Tokens, compiled: CompiledLexicon, sentence_ids: NDArray[np.int64]) -> Found:
    """Every counted word: candidates by their first token, phrases completed, the modal and noun-use rules
    and negation applied, then overlaps settled (longest match, then the category listed first)."""
    n = tokens.n
    view = tokens.view
    types, flags = tokens.types, view.flags
    empty = np.zeros(0, np.int64)
    nothing = Found(empty, empty, empty, empty, np.zeros(0, bool))
    if n == 0:
        return nothing
    # -- candidates: (position, entry) for every entry a token can start
    positions = np.flatnonzero((view.first_count > 0)[types])
    if not len(positions):
        return nothing
    first_types = types[positions]
    counts = view.first_count[first_types].astype(np.int64)
    pos = np.repeat(positions, counts)
    within = np.arange(len(pos)) - np.repeat(np.cumsum(counts) - counts, counts)
    entry = view.first_entries[np.repeat(view.first_offset[first_types], counts) + within]
    size = compiled.sizes[entry]

    def flag(at: NDArray[np.int64], bit: int) -> NDArray[np.bool_]:
        found: NDArray[np.bool_] = (flags[types[at]] & bit) != 0
        return found

    # -- phrases must fit; "ca", "wo", "sha" count only in "can't", "won't", "shan't"
    end = pos + size
    ok = end <= n
    contracted = flag(pos, CONTRACTED)
    if contracted.any():
        after = np.minimum(pos + 1, n - 1)
        ok &= ~contracted | ((pos + 1 < n) & flag(after, NT))
    if compiled.max_size > 1:
        follows = view.follow_keys
        for k in range(1, compiled.max_size):
            sel = np.flatnonzero(ok & (size > k))
            if not len(sel):
                break
            if not len(follows):
                ok[sel] = False
                break
            keys = compiled.follow_of[entry[sel], k - 1] << 32 | types[pos[sel] + k]
            at = np.minimum(np.searchsorted(follows, keys), len(follows) - 1)
            ok[sel] &= follows[at] == keys
    keep = np.flatnonzero(ok)
    pos, entry, size, end = pos[keep], entry[keep], size[keep], end[keep]

    # -- context rules, on the candidates only
    sentence = sentence_ids[pos]
    prev = np.maximum(pos - 1, 0)
    has_prev = (pos > 0) & (sentence_ids[prev] == sentence)
    nxt = np.minimum(pos + 1, n - 1)
    has_next = (pos + 1 < n) & (sentence_ids[nxt] == sentence)
    negated = np.zeros(len(pos), bool)
    ok = np.ones(len(pos), bool)

    modal = compiled.is_modal[entry]
    if modal.any():
        m = np.flatnonzero(modal)
        p_prev, p_next = has_prev[m], has_next[m]
        may = flag(pos[m], MAY)
        month = (p_prev & flag(prev[m], MONTH_CONTEXT | DIGITS)) | (p_next & flag(nxt[m], DIGITS))
        month |= flag(pos[m], CAPITAL_M) & p_prev  # "the summit in Seoul, May": a month inside a sentence
        noun = flag(pos[m], NOUN_READABLE) & (
            (p_prev & flag(prev[m], DETERMINER | MODAL_NOUN_ADJECTIVE)) | (p_next & flag(nxt[m], OF))
        )
        ok[m] = np.where(may, ~month, ~noun)
        negated[m] = _negated_after(end[m], sentence[m], sentence_ids, types, flags, n)
    operative = compiled.is_operative[entry]
    if operative.any():
        o = np.flatnonzero(operative)
        ok[o] = ~(has_prev[o] & flag(prev[o], NOUN_MARKER))
        negated[o] = _negated_before(pos[o], sentence[o], sentence_ids, types, flags)
    keep = np.flatnonzero(ok)
    pos, entry, size, end, negated = pos[keep], entry[keep], size[keep], end[keep], negated[keep]

    # -- overlaps: the longest match wins, then the category listed first, then the entry listed first
    chosen = _settle_overlaps(pos, size, compiled.precedence[entry], compiled.max_size, n)
    pos, entry, end, negated = pos[chosen], entry[chosen], end[chosen], negated[chosen]

    starts = tokens.starts()
    start_char = starts[pos]
    end_char = starts[end] - tokens.spaced[end - 1]  # the next token's start, less the space before it
    # "cannot", "can't": the attached negation belongs to the counted word
    glued = negated & compiled.is_modal[entry] & (end < n)
    if glued.any():
        g = np.flatnonzero(glued)
        e = end[g]
        attach = ~tokens.spaced[e - 1] & flag(e, NEGATOR)
        e = e[attach]
        end_char[g[attach]] = starts[e + 1] - tokens.spaced[e]
    return Found(pos, entry, start_char, end_char, negated)


def _negated_after(
    end: NDArray[np.int64], sentence: NDArray[np.int64], sentence_ids: NDArray[np.int64],
    types: NDArray[np.intp], flags: NDArray[np.uint32], n: int,
) -> NDArray[np.bool_]:
    """"not", "n't" or "never" within the two tokens after a modal, in its sentence, with only words between
    ("not only", "not just" ... do not negate)."""
    result = np.zeros(len(end), bool)
    going = np.ones(len(end), bool)
    for step in range(2):
        k = end + step
        inside = going & (k < n)
        kc = np.minimum(k, n - 1)
        inside &= sentence_ids[kc] == sentence
        f = flags[types[kc]]
        negator = inside & ((f & NEGATOR) != 0)
        after = np.minimum(kc + 1, n - 1)
        not_negating = (kc + 1 < n) & ((flags[types[after]] & NOT_NEGATING) != 0)
        result |= negator & ~not_negating
        going = inside & ~negator & ((f & ALPHA_START) != 0)
    return result


def _negated_before(
    pos: NDArray[np.int64], sentence: NDArray[np.int64], sentence_ids: NDArray[np.int64],
    types: NDArray[np.intp], flags: NDArray[np.uint32],
) -> NDArray[np.bool_]:
    """"not", "n't" or "never" among the two tokens before an operative verb, in its sentence, with only
    words between."""
    result = np.zeros(len(pos), bool)
    going = np.ones(len(pos), bool)
    for step in (1, 2):
        k = pos - step
        inside = going & (k >= 0)
        kc = np.maximum(k, 0)
        inside &= sentence_ids[kc] == sentence
        f = flags[types[kc]]
        negator = inside & ((f & NEGATOR) != 0)
        result |= negator
        going = inside & ~negator & ((f & ALPHA_START) != 0)
    return result


def _settle_overlaps(
    pos: NDArray[np.int64], size: NDArray[np.int64], precedence: NDArray[np.int64], max_size: int, n: int
) -> NDArray[np.int64]:
    """The candidates that count, in text order: taken longest first, then by position, then by
    precedence, each only if none of its tokens is taken yet. That is a greedy pass over the sorted
    candidates; done here a size at a time, with a Python loop only for phrases of one size that overlap."""
    if not len(pos):
        return np.zeros(0, np.int64)
    ranks = int(precedence.max()) + 1
    if (max_size + 1) * (n + 1) * ranks < 2**62:  # one sort key: faster than lexsort on three keys
        order = np.argsort(((max_size - size) * n + pos) * ranks + precedence)
    else:  # pragma: no cover - a text of billions of tokens
        order = np.lexsort((precedence, pos, -size))
    sizes = size[order]
    bounds = np.flatnonzero(sizes[1:] != sizes[:-1]) + 1
    taken = np.zeros(n, bool)
    chosen: list[NDArray[np.int64]] = []
    for group in np.split(order, bounds):  # longest first; each sorted by position, then precedence
        k = int(size[group[0]])
        p = pos[group]
        free = ~taken[p]
        for j in range(1, k):
            free &= ~taken[p + j]
        group, p = group[free], p[free]
        if k == 1:
            first = np.ones(len(group), bool)
            first[1:] = p[1:] != p[:-1]
            group, p = group[first], p[first]
        elif len(p) > 1 and bool(np.any(p[1:] < p[:-1] + k)):
            # phrases of one size that overlap: in order, each unless the last one taken covers its start
            picked: list[int] = []
            last_end = -1
            for i, start in enumerate(p.tolist()):
                if start >= last_end:
                    picked.append(i)
                    last_end = start + k
            group, p = group[picked], p[picked]
        for j in range(k):
            taken[p + j] = True
        chosen.append(group)
    found = np.concatenate(chosen)
    return found[np.argsort(pos[found], kind="stable")]
