"""Python offsets (code points) ↔ Qt text positions (UTF-16 code units).

Every offset in the core counts code points; ``QTextCursor`` positions count ``QChar`` s, i.e. UTF-16
units, so a character outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph) takes two
positions in Qt and one in Python. For the usual all-BMP text the mapping is the identity and costs nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class TextOffsets:
    """Converts offsets for one text. Cheap to build: one regex scan."""

    __slots__ = ("_astral", "_astral_qt")

    def __init__(self, text: str) -> None:
        # code point index of every astral character, and its Qt position
        self._astral: list[int] = [m.start() for m in _ASTRAL.finditer(text)]
        self._astral_qt: list[int] = [cp + i for i, cp in enumerate(self._astral)]

    @property
    def identity(self) -> bool:
        return not self._astral

    def to_qt(self, offset: int) -> int:
        """The Qt position of the code point offset ``offset`` (0 … len(text))."""
        if not self._astral:
            return offset
        return offset + bisect_left(self._astral, offset)

    def from_qt(self, position: int) -> int:
        """The code point offset of a Qt position (a position inside a surrogate pair maps to its character)."""
        if not self._astral:
            return position
        # every astral character whose pair ends at or before ``position`` adds one extra unit;
        # a position on the second unit of a pair belongs to that character.
        k = bisect_right(self._astral_qt, position - 2)
        inside = k < len(self._astral_qt) and self._astral_qt[k] == position - 1
        return position - k - (1 if inside else 0)
