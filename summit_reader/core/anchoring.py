"""Re-anchoring annotations when a document's text changes (a corrected version is re-imported).

Each annotation keeps its offsets, its quote and up to :data:`CONTEXT_CHARS` characters of context on each
side (``prefix``/``suffix``). :func:`reanchor` finds where the passage is in the new text, in this order:

1. **unchanged** — the quote is still at the same offsets and the text diff maps the old start onto itself.
2. **moved** — the exact quote elsewhere:

   a. where the diff maps the old start (the *mapped position*), if its context — how well the text around
      it matches the stored prefix and suffix, 0–1 — is at least :data:`CONTEXT_MIN`, or one whole side of
      it is unchanged (and the diff aligned it exactly), or it is at least ``1 - CONTEXT_MARGIN``;
   b. else the occurrence with the best context, when that is at least :data:`CONTEXT_MIN` and beats the
      runner-up by :data:`CONTEXT_MARGIN`; when several have (nearly) the same context of at least
      :data:`CONTEXT_SAME` (copies of a passage), the one at the mapped position (within
      :data:`CONTEXT_CHARS`). A short quote whose context does not decide is not placed: a word that occurs
      40 times is never put on one of them at random.

3. **fuzzy** — an approximate match. Candidate passages are gathered at the mapped position and, through
   pieces of the quote and of its context, anywhere in the text; each is scored
   ``0.6 × quote + 0.2 × prefix + 0.2 × suffix`` (similarities 0–1, :func:`similarity`). The best is taken
   when it scores at least ``threshold`` (0.75) and beats every other, non-overlapping, candidate (exact
   occurrences included) by :data:`MARGIN`; if the exact quote overlaps it and scores nearly as well, that
   is taken instead (moved). An approximate candidate also wins over an exact occurrence chosen in 2b when
   it scores better by :data:`MARGIN` (a corrected passage beside an old copy of it elsewhere).
4. **moved** — a quote of at least :data:`DISTINCTIVE_CHARS` characters that occurs exactly once is taken
   even if its context changed (a paragraph moved elsewhere), unless step 3 found a good candidate.

A passage that the diff finds unchanged but at *another* place of the old text (say, the same sentence in
another paragraph, there before and still there) is another passage: it is never chosen, though it still
counts as a rival, showing that a quote and its context are not distinctive.

Anything else is **needs_review**: an annotation is never moved silently; it keeps its old quote for the
user to place or discard.

The diff that maps old offsets to new ones is computed on sentences/lines first (``difflib`` on hashed
segments, near linear for similar texts) and then, only inside the changed regions that hold an
annotation, on characters (small regions) or words (large ones). A 100,000-word text with 200 annotations
is re-anchored in well under a second.
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from summit_reader.core.documents import Document
from summit_reader.core.models import Annotation

#: Characters of context before and after a quote (the library's ``PREFIX_CHARS``).
CONTEXT_CHARS = 32

#: Weights of the quote, prefix and suffix similarities in a candidate's score.
QUOTE_WEIGHT = 0.6
PREFIX_WEIGHT = 0.2
SUFFIX_WEIGHT = 0.2

#: Lowest score of an approximate ("fuzzy") placement.
DEFAULT_THRESHOLD = 0.75
#: How much the best approximate candidate must beat the runner-up by.
MARGIN = 0.05
#: Lowest context similarity (mean of prefix and suffix, 0–1) that places an exact occurrence.
CONTEXT_MIN = 0.6
#: How much the best exact occurrence's context must beat the runner-up's.
CONTEXT_MARGIN = 0.1
#: Context similarity above which occurrences with equal contexts are copies of one passage (nearest wins).
CONTEXT_SAME = 0.9
#: A quote this long that occurs exactly once is moved there even if its context changed.
DISTINCTIVE_CHARS = 40

PlacementStatus = Literal["unchanged", "moved", "fuzzy", "needs_review"]

# Internal limits (speed): how many exact occurrences are scored, how many candidate places are examined.
_MAX_OCCURRENCES = 2000
_FULL_CONTEXT_SCORES = 30
_MAX_ANCHORS = 12
_SEED_OCCURRENCES = 20
_CHAR_DIFF_LIMIT = 500  # changed regions up to this many characters are diffed character by character
_TOKEN_DIFF_LIMIT = 60_000  # ... up to this many words word by word; beyond, offsets are interpolated
_CHAR_SIMILARITY_LIMIT = 300  # quotes longer than this are compared word by word
_LONG_SEGMENT = 400  # sentences longer than this are cut at content-defined points for the first diff
_RELIABLE_BLOCK = 16  # inside an edited stretch, only unchanged pieces this long tell where text came from

_SEGMENT_END = re.compile(r"\n+|[.!?;:]+(?:\s+|$)")
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD_AND_SPACE = re.compile(r"(\w+)\W*?\s+")
_WORD = re.compile(r"\w+|[^\w\s]")
_START_SENTINEL = "\x02"
_END_SENTINEL = "\x03"


@dataclass(frozen=True)
class Placement:
    """Where one annotation lands in the new text.

    ``start``/``end`` are ``None`` for ``needs_review``; ``quote`` is the passage in the new text, or the
    old quote when the annotation needs review. ``score`` (0–1) is the weighted similarity of the passage
    and its context to the old ones (for ``needs_review``: the best candidate's score, or 0)."""

    annotation_id: str
    status: PlacementStatus
    start: int | None
    end: int | None
    score: float
    old_start: int
    old_end: int
    quote: str

    @property
    def placed(self) -> bool:
        return self.status != "needs_review"

    @property
    def relocated(self) -> bool:
        """Moved or approximately matched: the offsets (and perhaps the quote) changed."""
        return self.status in ("moved", "fuzzy")


@dataclass(frozen=True)
class ReplaceResult:
    """What :meth:`Library.replace_document_text` did: the updated document and one placement per
    annotation of it (in reading order)."""

    document: Document
    placements: tuple[Placement, ...]

    @property
    def needs_review(self) -> tuple[Placement, ...]:
        return tuple(p for p in self.placements if p.status == "needs_review")

    @property
    def relocated(self) -> tuple[Placement, ...]:
        """Placements that moved (exact quote elsewhere) or were matched approximately."""
        return tuple(p for p in self.placements if p.relocated)

    def count(self, status: PlacementStatus) -> int:
        return sum(1 for p in self.placements if p.status == status)


# ------------------------------------------------------------------------------------------ offset map


class OffsetMap:
    """Maps offsets of ``old`` to the corresponding offsets of ``new`` through a two-level diff."""

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self._same = old == new
        self._old_starts = _segment_starts(old)
        self._new_starts = _segment_starts(new)
        if self._same:
            self._opcodes: list[tuple[str, int, int, int, int]] = []
        else:
            old_segments = [old[a:b] for a, b in pairwise(self._old_starts)]
            new_segments = [new[a:b] for a, b in pairwise(self._new_starts)]
            matcher = SequenceMatcher(None, old_segments, new_segments, autojunk=False)
            opcodes = matcher.get_opcodes()
            self._opcodes = [op for op in opcodes if op[1] < op[2]]  # inserts hold no old offset
        self._op_starts = [op[1] for op in self._opcodes]
        # Unchanged stretches as (new start, new end, old start), for telling where a passage was before.
        self._equal: list[tuple[int, int, int]] = (
            [(0, len(new), 0)]
            if self._same
            else [
                (self._new_starts[j1], self._new_starts[j2], self._old_starts[i1])
                for tag, i1, _i2, j1, j2 in opcodes
                if tag == "equal"
            ]
        )
        self._equal_starts = [e[0] for e in self._equal]
        # Edited stretches that had old text, as (new start, new end, index into _opcodes).
        self._changed = [
            (self._new_starts[op[3]], self._new_starts[op[4]], index)
            for index, op in enumerate(self._opcodes)
            if op[0] != "equal"
        ]
        self._changed_starts = [c[0] for c in self._changed]
        self._fine: dict[int, tuple[list[int], list[tuple[int, int, int]]]] = {}

    def map(self, offset: int) -> tuple[int, bool]:
        """The new offset of old ``offset``, and whether it is exact: the character is in an unchanged
        stretch of sentences, or in an unchanged piece of at least 16 characters of an edited stretch.
        Otherwise the offset is interpolated between the unchanged pieces around it."""
        if self._same:
            return offset, True
        offset = max(0, min(offset, len(self.old)))
        if offset >= len(self.old) or not self._opcodes:
            return len(self.new), False
        segment = bisect.bisect_right(self._old_starts, offset) - 1
        index = max(0, bisect.bisect_right(self._op_starts, segment) - 1)
        tag, i1, i2, j1, j2 = self._opcodes[index]
        old_lo, new_lo = self._old_starts[i1], self._new_starts[j1]
        if tag == "equal":
            return new_lo + offset - old_lo, True
        starts, blocks = self._fine_blocks(index)
        local, exact = _map_in_blocks(offset - old_lo, starts, blocks)
        return new_lo + local, exact

    def origin(self, start: int, end: int) -> int | None:
        """Where ``new[start:end]`` was in the old text, if the diff found it unchanged there (in an unchanged
        stretch of sentences, or in one unchanged piece of an edited stretch); else ``None``."""
        k = bisect.bisect_right(self._equal_starts, start) - 1
        if k >= 0:
            new_lo, new_hi, old_lo = self._equal[k]
            if end <= new_hi:
                return old_lo + start - new_lo
            if start < new_hi:
                return None  # straddles an edit
        k = bisect.bisect_right(self._changed_starts, start) - 1
        if k < 0:
            return None
        new_lo, new_hi, index = self._changed[k]
        if end > new_hi:
            return None
        _starts, blocks = self._fine_blocks(index)
        rel_start, rel_end = start - new_lo, end - new_lo
        for a, b, size in blocks:
            if size >= _RELIABLE_BLOCK and b <= rel_start and rel_end <= b + size:
                return self._old_starts[self._opcodes[index][1]] + a + rel_start - b
        return None

    def _fine_blocks(self, index: int) -> tuple[list[int], list[tuple[int, int, int]]]:
        cached = self._fine.get(index)
        if cached is not None:
            return cached
        _tag, i1, i2, j1, j2 = self._opcodes[index]
        a = self.old[self._old_starts[i1] : self._old_starts[i2]]
        b = self.new[self._new_starts[j1] : self._new_starts[j2]]
        blocks: list[tuple[int, int, int]] = [(0, 0, 0)]
        if a and b:
            if len(a) <= _CHAR_DIFF_LIMIT and len(b) <= _CHAR_DIFF_LIMIT:
                matcher = SequenceMatcher(None, a, b, autojunk=False)
                blocks += [(m.a, m.b, m.size) for m in matcher.get_matching_blocks() if m.size]
            else:
                tokens_a, offsets_a = _tokens(a)
                tokens_b, offsets_b = _tokens(b)
                if len(tokens_a) <= _TOKEN_DIFF_LIMIT and len(tokens_b) <= _TOKEN_DIFF_LIMIT:
                    matcher = SequenceMatcher(None, tokens_a, tokens_b)
                    blocks += [
                        (offsets_a[m.a], offsets_b[m.b], offsets_a[m.a + m.size] - offsets_a[m.a])
                        for m in matcher.get_matching_blocks()
                        if m.size
                    ]
        blocks.append((len(a), len(b), 0))
        result = ([blk[0] for blk in blocks], blocks)
        self._fine[index] = result
        return result


def _segment_starts(text: str) -> list[int]:
    """Start offsets of the sentences/lines of ``text``, then ``len(text)``. A sentence longer than
    :data:`_LONG_SEGMENT` (a text without punctuation) is cut after the words that :func:`_is_cut_word`
    picks: cuts that depend on the words only, so an edit moves no cut outside it."""
    ends = [m.end() for m in _SEGMENT_END.finditer(text) if m.end() < len(text)]
    starts = [0]
    for end in [*ends, len(text)]:
        if end - starts[-1] > _LONG_SEGMENT:
            starts.extend(
                m.end() for m in _WORD_AND_SPACE.finditer(text, starts[-1], end) if m.end() < end and _is_cut_word(m.group(1))
            )
        if end < len(text):
            starts.append(end)
    starts.append(len(text))
    return starts


def _is_cut_word(word: str) -> bool:
    """About one word in 12, the same in both texts (a checksum of the word, not Python's salted hash)."""
    return zlib.crc32(word.encode("utf-8", "surrogatepass")) % 12 == 0


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """Words, runs of white space and single punctuation marks, with their offsets (plus ``len(text)``)."""
    tokens: list[str] = []
    offsets: list[int] = []
    for match in _TOKEN.finditer(text):
        tokens.append(match.group())
        offsets.append(match.start())
    offsets.append(len(text))
    return tokens, offsets


def _map_in_blocks(x: int, starts: list[int], blocks: list[tuple[int, int, int]]) -> tuple[int, bool]:
    j = bisect.bisect_right(starts, x) - 1
    a, b, size = blocks[j]
    if x < a + size:
        return b + x - a, size >= _RELIABLE_BLOCK
    if j + 1 >= len(blocks):
        return b + size, False
    a_end, b_end = a + size, b + size
    next_a, next_b, _ = blocks[j + 1]
    if next_a <= a_end:
        return b_end, False
    return b_end + round((x - a_end) * (next_b - b_end) / (next_a - a_end)), False


@lru_cache(maxsize=2)
def _offset_map(old: str, new: str) -> OffsetMap:
    return OffsetMap(old, new)


# ------------------------------------------------------------------------------------------ similarity


def similarity(a: str, b: str, *, at_least: float = 0.0) -> float:
    """Similarity of two passages, 0–1. Characters for short passages of one or two words (a typo counts
    little), the mean of characters and words for longer ones (a rewrite counts a lot), words only for
    passages longer than a few sentences (speed). When the result is sure to be below ``at_least``, an
    upper bound below ``at_least`` may be returned instead (the exact value is not needed: faster)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    words_a, words_b = _WORD.findall(a), _WORD.findall(b)
    if max(len(a), len(b)) > _CHAR_SIMILARITY_LIMIT:
        return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()
    chars = SequenceMatcher(None, a, b, autojunk=False)
    if len(words_a) < 3 or len(words_b) < 3:
        return chars.ratio()
    words = SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()
    bound = (chars.quick_ratio() + words) / 2
    if bound < at_least:
        return bound
    return (chars.ratio() + words) / 2


class _ContextScorer:
    """Similarity of a candidate's surroundings in the new text to the stored prefix and suffix. The start
    and end of the text count as a character, so a quote at the very beginning prefers the beginning."""

    def __init__(self, prefix: str, suffix: str, text: str) -> None:
        self.text = text
        self.prefix = (_START_SENTINEL if len(prefix) < CONTEXT_CHARS else "") + prefix
        self.suffix = suffix + (_END_SENTINEL if len(suffix) < CONTEXT_CHARS else "")
        self._prefix_matcher = SequenceMatcher(None, autojunk=False)
        self._prefix_matcher.set_seq2(self.prefix)
        self._suffix_matcher = SequenceMatcher(None, autojunk=False)
        self._suffix_matcher.set_seq2(self.suffix)

    def before(self, pos: int) -> str:
        if pos < CONTEXT_CHARS:
            return _START_SENTINEL + self.text[:pos]
        return self.text[pos - CONTEXT_CHARS : pos]

    def after(self, pos: int) -> str:
        after = self.text[pos : pos + CONTEXT_CHARS]
        return after + _END_SENTINEL if len(after) < CONTEXT_CHARS else after

    def prefix_similarity(self, pos: int) -> float:
        self._prefix_matcher.set_seq1(self.before(pos))
        return self._prefix_matcher.ratio()

    def suffix_similarity(self, pos: int) -> float:
        self._suffix_matcher.set_seq1(self.after(pos))
        return self._suffix_matcher.ratio()

    def adjacency(self, start: int, end: int) -> float:
        """Cheap stand-in for the context similarity: how many characters right next to the passage are
        the same as in the stored context (for sorting many occurrences before scoring the best ones)."""
        before, after = self.before(start), self.after(end)
        same_before = _common_suffix(before, self.prefix)
        same_after = _common_prefix(after, self.suffix)
        return (same_before / len(self.prefix) + same_after / len(self.suffix)) / 2


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return i


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    quote_similarity: float
    prefix_similarity: float
    suffix_similarity: float
    exact: bool
    #: False for text that the diff found unchanged but elsewhere in the old text: another passage. It is
    #: never chosen, but as a rival it still shows that the quote and its context are not distinctive.
    eligible: bool

    @property
    def context(self) -> float:
        return (self.prefix_similarity + self.suffix_similarity) / 2

    @property
    def score(self) -> float:
        return (
            QUOTE_WEIGHT * self.quote_similarity
            + PREFIX_WEIGHT * self.prefix_similarity
            + SUFFIX_WEIGHT * self.suffix_similarity
        )

    def overlaps(self, other: _Candidate) -> bool:
        return self.start < other.end and other.start < self.end


# ------------------------------------------------------------------------------------------ re-anchoring


def reanchor(old_text: str, new_text: str, annotation: Annotation, *, threshold: float = DEFAULT_THRESHOLD) -> Placement:
    """Where ``annotation`` (made on ``old_text``) belongs in ``new_text``; see the module's rules."""
    return _Reanchorer(_offset_map(old_text, new_text), annotation, threshold).run()


def reanchor_all(
    old_text: str, new_text: str, annotations: Iterable[Annotation], *, threshold: float = DEFAULT_THRESHOLD
) -> list[Placement]:
    """:func:`reanchor` for each annotation (the diff of the two texts is computed once)."""
    offset_map = OffsetMap(old_text, new_text)
    return [_Reanchorer(offset_map, annotation, threshold).run() for annotation in annotations]


def clamp_span(start: int, end: int, length: int) -> tuple[int, int]:
    """``start``/``end`` moved inside a text of ``length`` (≥ 1) characters, keeping ``0 <= start < end``:
    used for the old offsets of an annotation that needs review after its text got shorter."""
    end = max(1, min(end, length))
    start = max(0, min(start, end - 1))
    return start, end


class _Reanchorer:
    def __init__(self, offset_map: OffsetMap, annotation: Annotation, threshold: float) -> None:
        self.map = offset_map
        self.text = offset_map.new
        self.annotation = annotation
        self.quote = annotation.quote
        self.threshold = threshold
        self.context = _ContextScorer(annotation.prefix, annotation.suffix, self.text)
        self.mapped, self.mapped_exact = offset_map.map(annotation.start)

    # -- results

    def _placement(self, status: PlacementStatus, candidate: _Candidate | None, score: float = 0.0) -> Placement:
        a = self.annotation
        if candidate is None:
            return Placement(a.id, "needs_review", None, None, round(score, 4), a.start, a.end, a.quote)
        if status != "fuzzy" and (candidate.start, candidate.end) == (a.start, a.end):
            status = "unchanged"
        return Placement(
            a.id,
            status,
            candidate.start,
            candidate.end,
            round(candidate.score, 4),
            a.start,
            a.end,
            self.text[candidate.start : candidate.end],
        )

    def _candidate(self, start: int, end: int) -> _Candidate:
        passage = self.text[start:end]
        exact = passage == self.quote
        return _Candidate(
            start,
            end,
            1.0 if exact else similarity(self.quote, passage),
            self.context.prefix_similarity(start),
            self.context.suffix_similarity(end),
            exact,
            not self._someone_else(start, end),
        )

    def _someone_else(self, start: int, end: int) -> bool:
        """True if ``new[start:end]`` is unchanged text that was elsewhere in the old text than the annotated
        passage: another passage, which was not this annotation's before the change and is not now."""
        origin = self.map.origin(start, end)
        if origin is None:
            return False
        a = self.annotation
        return not (origin < a.end and a.start < origin + (end - start))

    def _approximate(self, start: int, end: int) -> _Candidate | None:
        """An inexact candidate, or ``None`` when the span holds the exact quote or cannot matter: it
        scores below ``threshold - MARGIN``, so it can neither be placed nor stop another from being."""
        passage = self.text[start:end]
        if passage == self.quote:
            return None
        prefix = self.context.prefix_similarity(start)
        suffix = self.context.suffix_similarity(end)
        floor = self.threshold - MARGIN
        context = PREFIX_WEIGHT * prefix + SUFFIX_WEIGHT * suffix
        if QUOTE_WEIGHT + context < floor:
            return None
        quote = similarity(self.quote, passage, at_least=(floor - context) / QUOTE_WEIGHT)
        candidate = _Candidate(start, end, quote, prefix, suffix, False, not self._someone_else(start, end))
        return candidate if candidate.score >= floor else None

    # -- the rules

    def run(self) -> Placement:
        a, quote, text = self.annotation, self.quote, self.text
        if not quote:
            return self._placement("needs_review", None)
        same_place = text.startswith(quote, a.start) and a.end - a.start == len(quote)
        if same_place and self.mapped_exact and self.mapped == a.start:
            return self._placement("unchanged", self._candidate(a.start, a.end))
        here = self._candidate(self.mapped, self.mapped + len(quote)) if text.startswith(quote, self.mapped) else None
        if here is not None and here.eligible:
            # The quote where the diff puts it, with (almost) the same context: step 2 would choose it
            # whatever the other occurrences (none can beat it by CONTEXT_MARGIN; on a tie it is nearest).
            if here.context >= CONTEXT_SAME and here.context > 1 - CONTEXT_MARGIN:
                return self._placement("moved", here)
            # The diff aligns the quote's first character, and the context agrees or one side of it is intact.
            if self.mapped_exact and (
                here.context >= CONTEXT_MIN or max(here.prefix_similarity, here.suffix_similarity) == 1.0
            ):
                return self._placement("moved", here)

        exact = self._exact_candidates()
        chosen = self._choose_exact(exact)
        if chosen is not None and chosen.context >= CONTEXT_SAME:
            return self._placement("moved", chosen)

        approximate = self._approximate_candidates()
        best_approx = max((c for c in approximate if c.eligible), key=lambda c: c.score, default=None)
        if chosen is not None:
            if best_approx is None or best_approx.score < max(self.threshold, chosen.score + MARGIN):
                return self._placement("moved", chosen)
        if best_approx is not None and best_approx.score >= self.threshold:
            rivals = [c for c in (*approximate, *exact) if not c.overlaps(best_approx)]
            runner_up = max((c.score for c in rivals), default=0.0)
            if best_approx.score - runner_up >= MARGIN:
                # The exact quote at (nearly) the same place, scoring nearly as well, is the better answer.
                at_same_place = [
                    c for c in exact if c.eligible and c.overlaps(best_approx) and c.score >= best_approx.score - MARGIN
                ]
                if at_same_place:
                    return self._placement("moved", max(at_same_place, key=lambda c: c.score))
                return self._placement("fuzzy", best_approx)
        if len(exact) == 1 and exact[0].eligible and len(quote) >= DISTINCTIVE_CHARS:
            if best_approx is None or best_approx.score < self.threshold:
                return self._placement("moved", exact[0])
        best_score = max((c.score for c in (*approximate, *exact) if c.eligible), default=0.0)
        return self._placement("needs_review", None, best_score)

    def _exact_candidates(self) -> list[_Candidate]:
        """Every exact occurrence of the quote (the nearest ones to the mapped position if there are very
        many), with full context scores for the most promising ones (best adjacent context, nearest) and the
        cheap score for the rest, which are only rivals."""
        quote, text, n = self.quote, self.text, len(self.quote)
        positions: list[int] = []
        pos = text.find(quote)
        while pos >= 0:
            positions.append(pos)
            pos = text.find(quote, pos + 1)
        if len(positions) > _MAX_OCCURRENCES:
            positions = sorted(sorted(positions, key=lambda p: abs(p - self.mapped))[:_MAX_OCCURRENCES])
        if len(positions) <= _FULL_CONTEXT_SCORES:
            return [self._candidate(p, p + n) for p in positions]
        cheap = {p: self.context.adjacency(p, p + n) for p in positions}
        nearest = sorted(positions, key=lambda p: abs(p - self.mapped))[:5]
        promising = set(sorted(positions, key=lambda p: -cheap[p])[:_FULL_CONTEXT_SCORES]) | set(nearest)
        return [
            self._candidate(p, p + n)
            if p in promising
            else _Candidate(p, p + n, 1.0, cheap[p], cheap[p], True, False)  # unlikely: a rival only
            for p in positions
        ]

    def _choose_exact(self, exact: Sequence[_Candidate]) -> _Candidate | None:
        if not exact:
            return None
        ranked = sorted(exact, key=lambda c: (-c.context, abs(c.start - self.mapped)))
        best = ranked[0]
        if best.context < CONTEXT_MIN:
            return None
        if best.eligible and (len(ranked) == 1 or best.context - ranked[1].context >= CONTEXT_MARGIN):
            return best
        if best.context >= CONTEXT_SAME:  # copies of one passage: the one where the diff puts it
            ties = [c for c in ranked if c.eligible and best.context - c.context < CONTEXT_MARGIN]
            nearest = min(ties, key=lambda c: (abs(c.start - self.mapped), c.start), default=None)
            if nearest is not None and abs(nearest.start - self.mapped) <= CONTEXT_CHARS:
                return nearest
        return None

    def _approximate_candidates(self) -> list[_Candidate]:
        """Passages like the quote: at the mapped span, between the stored prefix and suffix where they
        still occur, and aligned on the places that pieces of the quote or its context point to."""
        a, quote, text = self.annotation, self.quote, self.text
        n = len(quote)
        spans: set[tuple[int, int]] = set()
        mapped_end, _ = self.map.map(a.end)
        if mapped_end > self.mapped:
            spans.add((self.mapped, mapped_end))

        anchors: list[int] = [self.mapped]
        if n >= 8:
            k = min(24, max(8, n // 5))
            for offset in sorted({0, n // 4, n // 2, (3 * n) // 4, n - k}):
                offset = max(0, min(offset, n - k))
                anchors += [p - offset for p in self._nearest(quote[offset : offset + k])]
        tail = a.prefix[-16:]
        head = a.suffix[:16]
        tail_ends = [p + len(tail) for p in self._nearest(tail)] if len(tail.strip()) >= 6 else []
        head_starts = self._nearest(head) if len(head.strip()) >= 6 else []
        anchors += tail_ends
        anchors += [p - n for p in head_starts]
        for start in tail_ends:  # what now stands between the old prefix and suffix
            limit = start + 2 * n + 16
            for end in head_starts:
                if start < end <= limit:
                    spans.add((start, end))

        slack = max(8, n // 4)
        for anchor in self._rank_anchors(anchors, slack):
            spans.update(self._align(anchor, slack))

        candidates = (self._approximate(s, e) for s, e in spans if 0 <= s < e <= len(text))
        return [c for c in candidates if c is not None]

    def _nearest(self, piece: str) -> list[int]:
        if not piece:
            return []
        text, mapped = self.text, self.mapped
        positions: list[int] = []
        pos = text.find(piece, mapped)
        while pos >= 0 and len(positions) < _SEED_OCCURRENCES:
            positions.append(pos)
            pos = text.find(piece, pos + 1)
        pos = text.rfind(piece, 0, mapped + len(piece) - 1)
        while pos >= 0 and len(positions) < 2 * _SEED_OCCURRENCES:
            positions.append(pos)
            pos = text.rfind(piece, 0, pos + len(piece) - 1)
        return sorted(positions, key=lambda p: abs(p - mapped))[:_SEED_OCCURRENCES]

    def _rank_anchors(self, anchors: list[int], slack: int) -> list[int]:
        """Anchors grouped when close together, the best supported (then nearest) groups first."""
        groups: list[list[int]] = []
        for anchor in sorted(max(0, a) for a in anchors):
            if groups and anchor - groups[-1][-1] <= max(4, slack // 2):
                groups[-1].append(anchor)
            else:
                groups.append([anchor])
        ranked = sorted(
            groups, key=lambda g: (-len(g), abs(max(set(g), key=g.count) - self.mapped))
        )
        return [max(set(g), key=g.count) for g in ranked[:_MAX_ANCHORS]]

    def _align(self, anchor: int, slack: int) -> set[tuple[int, int]]:
        """Spans of the text near ``anchor`` that line up with the quote (from the first/last and from the
        longest matching stretch), with their ends moved to word boundaries when the quote's are."""
        quote, text = self.quote, self.text
        n = len(quote)
        lo, hi = max(0, anchor - slack), min(len(text), anchor + n + slack)
        window = text[lo:hi]
        if not window:
            return set()
        if n <= _CHAR_SIMILARITY_LIMIT:
            matcher = SequenceMatcher(None, quote, window, autojunk=False)
            blocks = [(m.a, m.b, m.size) for m in matcher.get_matching_blocks() if m.size >= min(3, n)]
        else:
            tokens_q, offsets_q = _tokens(quote)
            tokens_w, offsets_w = _tokens(window)
            token_matcher = SequenceMatcher(None, tokens_q, tokens_w, autojunk=False)
            blocks = [
                (offsets_q[m.a], offsets_w[m.b], offsets_q[m.a + m.size] - offsets_q[m.a])
                for m in token_matcher.get_matching_blocks()
                if m.size >= 2
            ]
        if not blocks:
            return set()
        longest = max(blocks, key=lambda b: b[2])
        solid = [b for b in blocks if b[2] >= max(3, n // 8)] or [longest]
        raw = {
            (blocks[0][1] - blocks[0][0], blocks[-1][1] + blocks[-1][2] + n - blocks[-1][0] - blocks[-1][2]),
            (solid[0][1] - solid[0][0], solid[-1][1] + solid[-1][2] + n - solid[-1][0] - solid[-1][2]),
            (longest[1] - longest[0], longest[1] - longest[0] + n),
        }
        spans: set[tuple[int, int]] = set()
        for s, e in raw:
            s, e = max(0, s) + lo, min(len(window), e) + lo
            if e > s:
                spans.add((s, e))
                spans.add((self._snap_start(s), self._snap_end(e)))
        return {(s, e) for s, e in spans if e > s}

    def _snap_start(self, s: int) -> int:
        """Move a start that falls inside a word to the word's edge (within 3 characters) when the quote
        itself began at a word boundary."""
        text, quote = self.text, self.quote
        starts_word = quote[:1].isalnum() and not self.annotation.prefix[-1:].isalnum()
        if not starts_word or not (0 < s < len(text)) or not (text[s - 1].isalnum() and text[s].isalnum()):
            return s
        for d in range(1, 4):
            for candidate in (s - d, s + d):
                if 0 < candidate < len(text) and text[candidate].isalnum() and not text[candidate - 1].isalnum():
                    return candidate
        return s

    def _snap_end(self, e: int) -> int:
        text, quote = self.text, self.quote
        ends_word = quote[-1:].isalnum() and not self.annotation.suffix[:1].isalnum()
        if not ends_word or not (0 < e < len(text)) or not (text[e - 1].isalnum() and text[e].isalnum()):
            return e
        for d in range(1, 4):
            for candidate in (e + d, e - d):
                if 0 < candidate < len(text) and text[candidate - 1].isalnum() and not text[candidate].isalnum():
                    return candidate
        return e
