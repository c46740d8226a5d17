"""Two codings of the demo texts (written for Summit Reader; not official texts), for the second-coder tests
and the agreement screenshot: :func:`code_as_me` annotates a library of the demo texts as the user,
:func:`make_colleague_library` writes a colleague's library with the same texts coded partly differently."""

from __future__ import annotations

from pathlib import Path

from summit_reader.core.demo import demo_documents
from summit_reader.core.store import Library

COLLEAGUE = "R. Colleague"
HARBOUR, LAKESIDE = "Harbour", "Lakeside"

#: (document, words, tags, note)
MY_CODING: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (HARBOUR, "may also pose serious risks to safety and security", ("existing risk",), "Risk as a possibility."),
    (HARBOUR, "Developers should test their systems for safety before release", ("hedge",), "Only “should”."),
    (HARBOUR, "Safety must not be an afterthought", ("commitment",), "A firm modal."),
    (LAKESIDE, "We commit to continued dialogue", ("commitment",), ""),
)
THEIR_CODING: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (HARBOUR, "serious risks to safety and security", ("Existing risk",), "Agree: a present risk."),
    (HARBOUR, "could cause catastrophic harm", ("extinction risk",), "Catastrophe named."),
    (HARBOUR, "Developers should test their systems for safety before release", ("hedge", "commitment"), "An expectation."),
    (LAKESIDE, "We commit to continued dialogue with all stakeholders", ("commitment",), "Dialogue promised."),
    (LAKESIDE, "we will work to close the digital divide", ("exclusion risk",), "Inclusion."),
)


def _annotate(library: Library, coding: tuple[tuple[str, str, tuple[str, ...], str], ...], author: str | None) -> None:
    documents = {d.title: d.id for d in library.list_documents()}
    for which, words, tags, note in coding:
        doc_id = next(i for title, i in documents.items() if which in title)
        start = library.get_document(doc_id).text.index(words)
        library.add_annotation(doc_id, start, start + len(words), note=note, tags=list(tags), author=author)


def code_as_me(library: Library) -> None:
    """The user's coding of the demo texts (the library must hold them)."""
    _annotate(library, MY_CODING, None)


def make_colleague_library(path: Path) -> Path:
    """A colleague's library with two of the demo texts, coded by :data:`COLLEAGUE`."""
    with Library(path) as library:
        library.author = COLLEAGUE
        for doc in demo_documents()[:2]:
            library.add_document(doc)
        _annotate(library, THEIR_CODING, COLLEAGUE)
    return path
