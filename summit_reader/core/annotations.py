"""Finding passages to annotate (the anchoring rules for changed texts come with the annotation issue)."""

from __future__ import annotations

from summit_reader.core.errors import InvalidInputError


def locate_quote(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th exact occurrence of ``quote`` in ``text``.

    The quote is matched exactly after the same normalisation as document text (NFC, single spaces
    for runs of white space are NOT applied: quote what the text says)."""
    import unicodedata

    quote = unicodedata.normalize("NFC", quote)
    if not quote.strip():
        raise InvalidInputError("The quote is empty.")
    if occurrence < 1:
        raise InvalidInputError("--occurrence counts from 1.")
    start = -1
    found = 0
    while found < occurrence:
        start = text.find(quote, start + 1)
        if start < 0:
            break
        found += 1
    if start < 0:
        if found == 0:
            hint = ""
            lower = text.lower().find(quote.lower())
            if lower >= 0:
                hint = f" (it appears with other capitals: '{text[lower:lower + len(quote)]}')"
            raise InvalidInputError(f"The quote '{quote}' is not in this document{hint}.")
        raise InvalidInputError(f"The quote '{quote}' occurs only {found} time(s) in this document.")
    return start, start + len(quote)
