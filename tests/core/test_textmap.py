"""Offsets through normalisation and from UTF-16 units (core/textmap.py), on texts written for the tests."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from summit_reader.core.documents import normalise_text
from summit_reader.core.textmap import Utf16Index, normalise_with_offsets, utf16_length

RAW = "\ufeff\n  Cafe\u0301 talks\u00a0\U0001f91d   \r\n\r\n\r\n\r\nZu\u0308rich agreed.\x07 Done.  \n\n"


def test_the_mapped_text_is_exactly_the_normalised_text() -> None:
    mapping = normalise_with_offsets(RAW)
    assert mapping is not None
    assert mapping.text == normalise_text(RAW)


def test_spans_of_the_raw_text_land_on_the_same_words() -> None:
    mapping = normalise_with_offsets(RAW)
    assert mapping is not None
    for raw_quote in ("Cafe\u0301 talks", "Zu\u0308rich agreed", "\U0001f91d", "Done."):
        start = RAW.index(raw_quote)
        a, b = mapping.to_normalised(start), mapping.to_normalised(start + len(raw_quote))
        assert mapping.text[a:b] == unicodedata.normalize("NFC", raw_quote)


def test_a_span_that_crosses_removed_characters_keeps_what_was_kept() -> None:
    mapping = normalise_with_offsets(RAW)
    assert mapping is not None
    start, end = RAW.index("talks"), RAW.index("rich") + 4
    assert mapping.text[mapping.to_normalised(start) : mapping.to_normalised(end)] == "talks \U0001f91d\n\nZürich"


def test_a_text_already_normalised_maps_onto_itself() -> None:
    mapping = normalise_with_offsets("Already normal.\n\nTwo paragraphs.")
    assert mapping is not None and mapping.identical
    assert mapping.to_normalised(5) == 5


_chars = st.sampled_from(list("ab é\u0301\u0308\n\r\t\u00a0\x07\ufeff") + ["\U0001f680", "\u1100\u1161", "\r\n"])


@given(st.lists(_chars, max_size=40).map("".join))
def test_kept_letters_are_found_where_they_went(raw: str) -> None:
    mapping = normalise_with_offsets(raw)
    if mapping is None:  # allowed: the caller then re-anchors by quote
        return
    assert mapping.text == normalise_text(raw)
    positions = [mapping.to_normalised(i) for i in range(len(raw) + 1)]
    assert positions == sorted(positions) and positions[-1] == len(mapping.text)
    for i, char in enumerate(raw):
        # an ASCII letter with no accent after it is never removed, nor composed with anything
        if char in "ab" and raw[i + 1 : i + 2] not in ("\u0301", "\u0308"):
            assert mapping.text[positions[i]] == char


def test_utf16_units_become_code_points() -> None:
    text = "Go \U0001f680 now \U0001f91d ok"
    index = Utf16Index(text)
    assert index.length == utf16_length(text) == len(text) + 2
    units_start = len(text[: text.index("now")].encode("utf-16-le")) // 2
    assert index.to_code_points(units_start) == text.index("now")
    assert index.to_units(text.index("ok")) == len(text[: text.index("ok")].encode("utf-16-le")) // 2
    inside = index.to_units(text.index("\U0001f680")) + 1  # between the two halves of the rocket
    assert index.to_code_points(inside) == text.index("\U0001f680")
    assert index.to_code_points(inside, end=True) == text.index("\U0001f680") + 1
