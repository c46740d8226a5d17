"""Offsets across text transformations: from a raw text to the library's normalised text, and from UTF-16
code units to code points.

Summit Reader counts code points in normalised text (:func:`~summit_reader.core.documents.normalise_text`).
Text that comes from another program (a REFI-QDA project, say) comes with offsets into *its* text, which
may have CRLF line ends, decomposed accents, trailing blanks… :func:`normalise_with_offsets` normalises it
exactly as ``normalise_text`` does while remembering where every character came from, so offsets into the
raw text can be carried over to the normalised text (:meth:`OffsetMapping.to_normalised`).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from summit_reader.core.documents import normalise_text

# The steps of documents.normalise_text, as deletions (the other steps replace one character by one).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\n)")
_EXTRA_NEWLINES = re.compile(r"(?<=\n\n)\n+")
#: Characters of combining class 0 that still compose with the character before them (Hangul vowel and
#: final jamo, and a few vowel signs): an NFC chunk never starts with one of these.
_COMPOSING_STARTERS = frozenset(
    [chr(c) for c in range(0x1161, 0x1176)]
    + [chr(c) for c in range(0x11A8, 0x11C3)]
    + ["\u09be", "\u09d7", "\u0b3e", "\u0b56", "\u0b57", "\u0bbe", "\u0bd7", "\u0c56", "\u0cc2", "\u0cd5",
       "\u0cd6", "\u0d3e", "\u0d57", "\u0dcf", "\u0ddf", "\u102e", "\u1b35"]
)


@dataclass(frozen=True)
class OffsetMapping:
    """A raw text, its normalised form, and where each normalised character came from."""

    raw: str
    text: str
    #: ``origin[i]``: the raw offset of ``text[i]`` (non-decreasing). Empty when ``raw == text``.
    origin: Sequence[int]

    @property
    def identical(self) -> bool:
        return self.raw == self.text

    def to_normalised(self, raw_offset: int) -> int:
        """The normalised offset of a raw offset: the number of kept characters that came before it. A start
        offset lands on the first kept character at or after it, an end offset just after the last kept
        character before it, so a span keeps exactly the characters of it that were kept."""
        if self.identical:
            return max(0, min(raw_offset, len(self.text)))
        return bisect.bisect_left(self.origin, raw_offset)


if TYPE_CHECKING:
    #: Origins are kept in a compact ``array("q")`` (8 bytes a character, not a Python int each).
    Origins: TypeAlias = array[int]


def _keep(chars: str, origin: Origins, deleted: list[tuple[int, int]]) -> tuple[str, Origins]:
    """``chars`` without the ``deleted`` spans (sorted, non-overlapping), origins kept in step."""
    if not deleted:
        return chars, origin
    pieces: list[str] = []
    kept = array("q")
    last = 0
    for start, end in deleted:
        pieces.append(chars[last:start])
        kept.extend(origin[last:start])
        last = end
    pieces.append(chars[last:])
    kept.extend(origin[last:])
    return "".join(pieces), kept


def _nfc(chars: str, origin: Origins) -> tuple[str, Origins] | None:
    """NFC chunk by chunk (a chunk: a starter and the marks after it), each new character taking the origin
    of its chunk's first character. None if chunking would not give what NFC gives for the whole text."""
    if unicodedata.is_normalized("NFC", chars):
        return chars, origin
    bounds = [
        i
        for i, c in enumerate(chars)
        if i == 0 or (unicodedata.combining(c) == 0 and c not in _COMPOSING_STARTERS)
    ]
    bounds.append(len(chars))
    pieces: list[str] = []
    new_origin = array("q")
    for a, b in zip(bounds, bounds[1:], strict=False):
        chunk = chars[a:b]
        done = unicodedata.normalize("NFC", chunk)
        pieces.append(done)
        if len(done) == len(chunk):
            new_origin.extend(origin[a:b])
        else:
            new_origin.extend([origin[a]] * len(done))
    result = "".join(pieces)
    if result != unicodedata.normalize("NFC", chars):
        return None
    return result, new_origin


def normalise_with_offsets(raw: str) -> OffsetMapping | None:
    """``raw`` normalised as :func:`~summit_reader.core.documents.normalise_text` does, with the origin of
    every character. None in the rare case where the origins cannot be followed exactly (a composition that
    reaches across what looks like a character boundary): then re-anchor passages by their quote instead."""
    expected = normalise_text(raw)
    if expected == raw:
        return OffsetMapping(raw, raw, array("q"))
    chars = _SURROGATE.sub("\ufffd", raw)  # one for one
    origin = array("q", range(len(chars)))
    chars, origin = _keep(chars, origin, [(m.start(), m.start() + 1) for m in re.finditer("\r\n", chars)])
    chars = chars.replace("\r", "\n")
    composed = _nfc(chars, origin)
    if composed is None:
        return None
    chars, origin = composed
    chars, origin = _keep(chars, origin, [m.span() for m in _CONTROL.finditer(chars)])
    chars = chars.replace("\u00a0", " ")
    chars, origin = _keep(chars, origin, [m.span() for m in _TRAILING_BLANKS.finditer(chars)])
    chars, origin = _keep(chars, origin, [m.span() for m in _EXTRA_NEWLINES.finditer(chars)])
    lead = len(chars) - len(chars.lstrip("\n "))
    end = lead + len(chars.strip("\n ").rstrip())
    chars, origin = chars[lead:end], origin[lead:end]
    if chars != expected:
        return None
    return OffsetMapping(raw, chars, origin)


# ------------------------------------------------------------------------------------------ UTF-16


def utf16_length(text: str) -> int:
    """How many UTF-16 code units ``text`` has (a character beyond U+FFFF, such as most emoji, has two)."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def has_astral(text: str) -> bool:
    """Whether ``text`` has characters beyond U+FFFF, where code points and UTF-16 units differ."""
    return any(ord(c) > 0xFFFF for c in text)


class Utf16Index:
    """Converts offsets counted in UTF-16 code units (Java, C#, JavaScript, Qt) to code points of ``text``."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts: list[int] = []
        unit = 0
        for c in text:
            starts.append(unit)
            unit += 2 if ord(c) > 0xFFFF else 1
        starts.append(unit)
        self._starts = starts  # starts[i]: the UTF-16 offset of code point i (then the total length)

    @property
    def length(self) -> int:
        return self._starts[-1]

    def to_code_points(self, unit_offset: int, *, end: bool = False) -> int:
        """The code point offset at ``unit_offset``. Inside a surrogate pair, a start moves back to the
        character's start and an ``end`` moves past the character (the whole character is kept)."""
        unit_offset = max(0, min(unit_offset, self.length))
        index = bisect.bisect_left(self._starts, unit_offset)
        if self._starts[index] != unit_offset and not end:
            index -= 1
        return index

    def to_units(self, code_point_offset: int) -> int:
        return self._starts[max(0, min(code_point_offset, len(self.text)))]
