"""Agreement between two coders, over text units: pure functions over plain data (no store, no spaCy).

**Units.** ``sentence``: the sentences of the text (:mod:`summit_reader.core.sentences` finds them, with the
boundaries the analysis uses). ``character``: every code point of the text that is not white space.

**Coded.** A coder codes a unit with tag *T* when one of their annotations carrying *T* (tag names match
ignoring case) overlaps a non-space character of the unit. Each (unit, tag) is one binary decision per
coder: coded or not.

**Figures**, for *n* units, with *a* = units both coded, *b* = only I coded, *c* = only they coded,
*d* = neither coded (*n* = *a* + *b* + *c* + *d*):

* observed agreement  *p_o* = (*a* + *d*) / *n*;
* Cohen's kappa  κ = (*p_o* − *p_e*) / (1 − *p_e*), with chance agreement
  *p_e* = ((*a*+*b*)(*a*+*c*) + (*c*+*d*)(*b*+*d*)) / *n*²;
* Krippendorff's alpha (nominal, two coders, no missing values)
  α = 1 − (2*n* − 1)(*b* + *c*) / (*n*₁ *n*₀), where *n*₁ = 2*a* + *b* + *c* is how often "coded" was
  given and *n*₀ = 2*d* + *b* + *c* how often "not coded" was.

Both are undefined when only one value occurs (neither coder used the tag, or both used it on every unit):
chance agreement is then perfect and the formulas divide by zero. They are reported as ``None`` with the
reason. Pooled figures ("all documents", "all tags") add up the counts of their cells and compute the
figures once from the sums; they are not averages of the cells' kappas.

**Disagreements.** Units coded with *T* by exactly one coder. Neighbouring units (no other unit between
them) that the same annotations of the same coder cover are one disagreement, a passage from the start of
its first unit to the end of its last.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

SENTENCE = "sentence"
CHARACTER = "character"
UNITS: tuple[str, ...] = (SENTENCE, CHARACTER)

MINE = "mine"
THEIRS = "theirs"


@dataclass(frozen=True)
class CodedSpan:
    """One annotation as the comparison sees it: a passage (code points) and its tag names."""

    id: str
    start: int
    end: int
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Units:
    """The units of one text, in order: unit *i* is ``text[starts[i]:ends[i]]``."""

    kind: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.starts)


def sentence_units(text: str, spans: Iterable[tuple[int, int]]) -> Units:
    """Sentence units from sentence spans (see :func:`summit_reader.core.sentences.sentence_spans`)."""
    ordered = sorted((s, e) for s, e in spans if 0 <= s < e <= len(text))
    return Units(SENTENCE, text, tuple(s for s, _ in ordered), tuple(e for _, e in ordered))


def character_units(text: str) -> Units:
    """One unit per code point that is not white space."""
    positions = tuple(i for i, ch in enumerate(text) if not ch.isspace())
    return Units(CHARACTER, text, positions, tuple(i + 1 for i in positions))


def covered_units(units: Units, start: int, end: int) -> tuple[int, int] | None:
    """The first and last unit that ``text[start:end]`` codes (overlaps a non-space character of), or None."""
    first = bisect.bisect_right(units.ends, start)
    last = bisect.bisect_left(units.starts, end) - 1
    if units.kind == SENTENCE:
        text = units.text
        # the inner units lie wholly inside the passage; the outer ones may share only white space with it
        while first <= last and not text[max(start, units.starts[first]) : min(end, units.ends[first])].strip():
            first += 1
        while last >= first and not text[max(start, units.starts[last]) : min(end, units.ends[last])].strip():
            last -= 1
    return (first, last) if first <= last else None


def tag_key(name: str) -> str:
    """Tag names are compared ignoring case and surrounding space (as the library matches them)."""
    return name.replace("\x00", "").strip().casefold()


# ----------------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Agreement:
    """Two coders' binary decisions (coded with a tag or not) over ``units`` units."""

    units: int
    mine: int  # units I coded
    theirs: int  # units they coded
    both: int  # units we both coded
    observed: float | None  # share of units on which we agree
    kappa: float | None  # Cohen's kappa; None when undefined (see ``note``)
    alpha: float | None  # Krippendorff's alpha, nominal; None when undefined
    note: str = ""  # why kappa and alpha are undefined

    @property
    def only_mine(self) -> int:
        return self.mine - self.both

    @property
    def only_theirs(self) -> int:
        return self.theirs - self.both

    @property
    def neither(self) -> int:
        return self.units - self.mine - self.theirs + self.both

    @property
    def disagreements(self) -> int:
        return self.only_mine + self.only_theirs


def binary_agreement(units: int, mine: int, theirs: int, both: int) -> Agreement:
    """Observed agreement, Cohen's kappa and Krippendorff's alpha from the four counts (formulas in the
    module doc), computed exactly with fractions."""
    if not (0 <= both <= min(mine, theirs) and max(mine, theirs) <= units and mine + theirs - both <= units):
        raise ValueError(f"inconsistent counts: {units} units, {mine} mine, {theirs} theirs, {both} both")
    if units == 0:
        return Agreement(0, 0, 0, 0, None, None, None, "no units to compare")
    n = units
    a, b, c = both, mine - both, theirs - both
    d = n - a - b - c
    observed = Fraction(a + d, n)
    if (mine, theirs) == (0, 0):
        return Agreement(n, mine, theirs, both, float(observed), None, None, "neither coder used the tag")
    if (mine, theirs) == (n, n):
        return Agreement(n, mine, theirs, both, float(observed), None, None, "both coders used the tag on every unit")
    expected = Fraction((a + b) * (a + c) + (c + d) * (b + d), n * n)
    kappa = (observed - expected) / (1 - expected)
    coded_values, uncoded_values = 2 * a + b + c, 2 * d + b + c
    alpha = 1 - Fraction((2 * n - 1) * (b + c), coded_values * uncoded_values)
    return Agreement(n, mine, theirs, both, float(observed), float(kappa), float(alpha))


def pooled(cells: Iterable[Agreement]) -> Agreement:
    """The figures of several cells taken together: counts added up, figures computed once."""
    units = mine = theirs = both = 0
    for cell in cells:
        units, mine, theirs, both = units + cell.units, mine + cell.mine, theirs + cell.theirs, both + cell.both
    return binary_agreement(units, mine, theirs, both)


# ------------------------------------------------------------------------------------------ comparison


@dataclass(frozen=True)
class DocumentCoding:
    """One document's units and both coders' annotations of it."""

    document_id: int
    units: Units
    mine: Sequence[CodedSpan]
    theirs: Sequence[CodedSpan]


@dataclass(frozen=True)
class Disagreement:
    """A passage coded with ``tag`` by one coder only (``coded_by``: ``"mine"`` or ``"theirs"``)."""

    key: str  # stable id: the same passage, tag, unit and annotations give the same key
    document_id: int
    tag: str
    unit: str
    first_unit: int
    last_unit: int
    start: int
    end: int
    coded_by: str
    annotation_ids: tuple[str, ...]  # the annotations of ``coded_by`` with the tag over these units

    @property
    def unit_count(self) -> int:
        return self.last_unit - self.first_unit + 1


def disagreement_key(
    unit: str, document_id: int, tag: str, start: int, end: int, coded_by: str, annotation_ids: Iterable[str]
) -> str:
    """A short id that stays the same while the disagreement does: the unit's initial and 9 hex digits."""
    payload = json.dumps([unit, document_id, tag_key(tag), start, end, coded_by, sorted(annotation_ids)])
    return unit[:1] + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:9]


@dataclass(frozen=True)
class Comparison:
    """Agreement per tag and document, the pooled figures, and the disagreements."""

    unit: str
    tags: tuple[str, ...]  # display names, sorted ignoring case
    document_ids: tuple[int, ...]
    cells: dict[tuple[str, int], Agreement]  # (tag, document id) → figures
    disagreements: tuple[Disagreement, ...] = field(default=())

    def cell(self, tag: str, document_id: int) -> Agreement:
        return self.cells[(tag, document_id)]

    def by_tag(self) -> list[tuple[str, Agreement]]:
        """Each tag over all documents."""
        return [(t, pooled(self.cells[(t, d)] for d in self.document_ids)) for t in self.tags]

    def by_document(self) -> list[tuple[int, Agreement]]:
        """Each document over all tags (every (unit, tag) pair is one decision)."""
        return [(d, pooled(self.cells[(t, d)] for t in self.tags)) for d in self.document_ids]

    def overall(self) -> Agreement:
        return pooled(self.cells.values())


def _coded(units: Units, spans: Sequence[CodedSpan]) -> dict[str, list[tuple[int, int, str]]]:
    """tag key → the unit ranges (first, last, annotation id) its annotations code."""
    ranges: dict[str, list[tuple[int, int, str]]] = {}
    for span in spans:
        covered = covered_units(units, span.start, span.end)
        if covered is None:
            continue
        for key in {tag_key(t) for t in span.tags if tag_key(t)}:
            ranges.setdefault(key, []).append((covered[0], covered[1], span.id))
    return ranges


def _unit_set(ranges: Sequence[tuple[int, int, str]]) -> set[int]:
    found: set[int] = set()
    for first, last, _id in ranges:
        found.update(range(first, last + 1))
    return found


def _disagreements(
    coding: DocumentCoding, tag: str, side: str, units: Sequence[int], ranges: Sequence[tuple[int, int, str]]
) -> list[Disagreement]:
    """Group the (sorted) units only ``side`` coded into passages: neighbouring units covered by the same
    annotations are one disagreement."""
    out: list[Disagreement] = []
    ordered = sorted(ranges)
    pointer = 0
    active: list[tuple[int, int, str]] = []
    group: list[int] = []
    group_ids: tuple[str, ...] = ()

    def close() -> None:
        if not group:
            return
        u = coding.units
        start, end = u.starts[group[0]], u.ends[group[-1]]
        key = disagreement_key(u.kind, coding.document_id, tag, start, end, side, group_ids)
        out.append(Disagreement(key, coding.document_id, tag, u.kind, group[0], group[-1], start, end, side, group_ids))

    for i in units:
        while pointer < len(ordered) and ordered[pointer][0] <= i:
            active.append(ordered[pointer])
            pointer += 1
        active = [r for r in active if r[1] >= i]
        ids = tuple(sorted({r[2] for r in active}))
        if group and i == group[-1] + 1 and ids == group_ids:
            group.append(i)
            continue
        close()
        group, group_ids = [i], ids
    close()
    return out


def compare(documents: Sequence[DocumentCoding], *, unit: str = SENTENCE) -> Comparison:
    """Compare two coders over the documents given (all of the same ``unit``). The tags are every tag
    either coder used in them; a document where a tag was not used still counts its units for that tag
    (both coders agreed the tag does not apply there)."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    names: dict[str, str] = {}
    coded: list[tuple[DocumentCoding, dict[str, list[tuple[int, int, str]]], dict[str, list[tuple[int, int, str]]]]] = []
    for coding in documents:
        if coding.units.kind != unit:
            raise ValueError(f"document {coding.document_id} has {coding.units.kind} units, not {unit} units")
        for spans in (coding.mine, coding.theirs):  # my spelling of a tag first
            for span in spans:
                for name in span.tags:
                    if tag_key(name):
                        names.setdefault(tag_key(name), name.strip())
        coded.append((coding, _coded(coding.units, coding.mine), _coded(coding.units, coding.theirs)))
    tags = sorted(names, key=lambda k: (k, names[k]))
    cells: dict[tuple[str, int], Agreement] = {}
    disagreements: list[Disagreement] = []
    for coding, mine, theirs in coded:
        for key in tags:
            label = names[key]
            my_units, their_units = _unit_set(mine.get(key, ())), _unit_set(theirs.get(key, ()))
            both = len(my_units & their_units)
            cells[(label, coding.document_id)] = binary_agreement(len(coding.units), len(my_units), len(their_units), both)
            found = _disagreements(coding, label, MINE, sorted(my_units - their_units), mine.get(key, ()))
            found += _disagreements(coding, label, THEIRS, sorted(their_units - my_units), theirs.get(key, ()))
            disagreements.extend(sorted(found, key=lambda x: (x.start, x.end, x.coded_by)))
    return Comparison(
        unit=unit,
        tags=tuple(names[k] for k in tags),
        document_ids=tuple(c.document_id for c in documents),
        cells=cells,
        disagreements=tuple(disagreements),
    )
