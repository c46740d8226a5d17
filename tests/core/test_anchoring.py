"""Re-anchoring annotations when a document's text changes (summit_reader.core.anchoring), and the library's
replace_document_text that applies it. All texts are invented for these tests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summit_reader.core import anchoring, store
from summit_reader.core.anchoring import OffsetMap, Placement, clamp_span, reanchor, reanchor_all, similarity
from summit_reader.core.documents import new_document
from summit_reader.core.errors import NotFoundError
from summit_reader.core.models import Annotation
from summit_reader.core.store import Library

TEXT = (
    "Joint statement on trustworthy AI, written for the Summit Reader tests.\n\n"
    "The participating governments recognise that frontier AI systems may pose serious risks to safety, "
    "and that these risks call for action before deployment.\n\n"
    "We commit to publish the results of safety evaluations before deployment. Developers should share "
    "information about incidents with the relevant national authorities.\n\n"
    "We will meet again in six months to review progress on these commitments. The secretariat will "
    "prepare a short report on compute thresholds and on model evaluations.\n\n"
    "Safety institutes will cooperate on shared testing methods, and public funds will support research "
    "on the alignment of advanced systems."
)


def annotate(text: str, quote: str, occurrence: int = 1, annotation_id: str = "a1") -> Annotation:
    """An annotation of the ``occurrence``-th ``quote`` in ``text``, with context as the library stores it."""
    start = -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    end = start + len(quote)
    return Annotation(
        id=annotation_id,
        document_id=1,
        start=start,
        end=end,
        quote=quote,
        prefix=text[max(0, start - store.PREFIX_CHARS) : start],
        suffix=text[end : end + store.PREFIX_CHARS],
        note="",
        author="test",
        created="2026-01-01T00:00:00Z",
        modified="2026-01-01T00:00:00Z",
    )


def nth(text: str, quote: str, occurrence: int) -> int:
    start = -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    return start


def check_placed(placement: Placement, new_text: str) -> None:
    """A placed annotation's quote is what the new text says at its offsets."""
    assert placement.start is not None and placement.end is not None
    assert 0 <= placement.start < placement.end <= len(new_text)
    assert new_text[placement.start : placement.end] == placement.quote


# ---------------------------------------------------------------------------------------------- the rules


def test_context_length_is_the_librarys() -> None:
    assert anchoring.CONTEXT_CHARS == store.PREFIX_CHARS


def test_unchanged_when_the_text_changed_elsewhere() -> None:
    quote = "publish the results of safety evaluations"
    new = TEXT.replace("six months", "nine months")
    placement = reanchor(TEXT, new, annotate(TEXT, quote))
    assert placement.status == "unchanged"
    assert (placement.start, placement.end) == (TEXT.index(quote), TEXT.index(quote) + len(quote))
    assert placement.score == 1.0 and placement.quote == quote
    assert (placement.old_start, placement.old_end) == (placement.start, placement.end)


def test_insertion_before_moves_the_annotation_exactly() -> None:
    quote = "publish the results of safety evaluations"
    insert = "Preamble added in the corrected version of the statement.\n\n"
    new = insert + TEXT
    placement = reanchor(TEXT, new, annotate(TEXT, quote))
    assert placement.status == "moved"
    assert placement.start == TEXT.index(quote) + len(insert)
    assert placement.old_start == TEXT.index(quote)
    check_placed(placement, new)


def test_deletion_before_and_edit_next_to_the_passage_still_move_it() -> None:
    quote = "Developers should share information about incidents"
    new = TEXT.replace("Joint statement on trustworthy AI, written for the Summit Reader tests.\n\n", "")
    new = new.replace("before deployment. Developers", "before any deployment. Developers")
    placement = reanchor(TEXT, new, annotate(TEXT, quote))
    assert placement.status == "moved" and placement.start == new.index(quote)
    check_placed(placement, new)


def test_repeated_quote_context_picks_the_right_occurrence() -> None:
    paragraphs = [
        "The first working group will examine the safety of frontier models in health care.",
        "The second working group will examine the safety of frontier models used by banks.",
        "The third working group will examine the safety of frontier models in schools.",
    ]
    old = "\n\n".join(paragraphs)
    quote = "the safety of frontier models"
    annotation = annotate(old, quote, occurrence=2)  # the banks
    new = "\n\n".join([paragraphs[2], "A paragraph added in between.", paragraphs[0], paragraphs[1]])
    placement = reanchor(old, new, annotation)
    assert placement.status == "moved"
    assert placement.start == nth(new, quote, 3)
    assert "used by banks" in new[placement.start : placement.start + 60]


def test_identical_copies_the_nearest_to_the_old_position_wins() -> None:
    clause = "Each party shall report annually on the measures it has taken."
    old = f"Article 1. {clause}\n\nArticle 2. The parties cooperate.\n\nArticle 3. {clause}"
    annotation = annotate(old, clause, occurrence=2)
    new = old.replace("The parties cooperate.", "The parties cooperate closely and in good faith.")
    placement = reanchor(old, new, annotation)
    assert placement.status == "moved" and placement.start == nth(new, clause, 2)


def test_typo_fix_inside_the_quote_is_a_fuzzy_match() -> None:
    old = TEXT.replace("information about incidents", "informaton about incidnets")
    annotation = annotate(old, "share informaton about incidnets with the relevant")
    placement = reanchor(old, TEXT, annotation)
    assert placement.status == "fuzzy"
    assert placement.quote == "share information about incidents with the relevant"
    assert placement.score >= anchoring.DEFAULT_THRESHOLD
    check_placed(placement, TEXT)


def test_one_word_typo_fix_is_fuzzy_when_the_context_is_intact() -> None:
    old = TEXT.replace("frontier AI systems", "fronteir AI systems")
    placement = reanchor(old, TEXT, annotate(old, "fronteir"))
    assert placement.status == "fuzzy" and placement.quote == "frontier"


def test_corrected_passage_beats_an_old_copy_elsewhere() -> None:
    wrong = "public funds will support research on the alignmnet of advanced systems"
    old = TEXT.replace("public funds will support research on the alignment of advanced systems", wrong)
    old += f"\n\nAnnex (quoted from an earlier draft): {wrong}."
    new = old.replace("alignmnet", "alignment", 1)  # the annex keeps the old wording
    placement = reanchor(old, new, annotate(old, wrong))
    assert placement.status == "fuzzy"
    assert placement.quote == wrong.replace("alignmnet", "alignment")
    assert placement.start is not None and placement.start < new.index("Annex")


def test_deleted_passage_needs_review() -> None:
    quote = "publish the results of safety evaluations"
    new = TEXT.replace("We commit to publish the results of safety evaluations before deployment. ", "")
    placement = reanchor(TEXT, new, annotate(TEXT, quote))
    assert placement.status == "needs_review"
    assert (placement.start, placement.end) == (None, None)
    assert placement.quote == quote  # the old quote, for the user to place or discard
    assert (placement.old_start, placement.old_end) == (TEXT.index(quote), TEXT.index(quote) + len(quote))
    assert 0 <= placement.score < anchoring.DEFAULT_THRESHOLD


def test_heavily_rewritten_passage_needs_review() -> None:
    quote = "We commit to publish the results of safety evaluations before deployment."
    new = TEXT.replace(quote, "Signatories intend to disclose their testing outcomes ahead of any release.")
    assert reanchor(TEXT, new, annotate(TEXT, quote)).status == "needs_review"
    word_swap = TEXT.replace(quote, "We commit to publish the findings of risk assessments prior to launch.")
    assert reanchor(TEXT, word_swap, annotate(TEXT, quote)).status == "needs_review"


def test_long_quote_found_once_elsewhere_moves_with_a_new_context() -> None:
    quote = "Safety institutes will cooperate on shared testing methods"
    last = TEXT.rindex("\n\n")
    moved_paragraph = TEXT[last + 2 :]
    new = "Opening words of a reorganised text. " + moved_paragraph + "\n\n" + TEXT[:last]
    new = new.replace(", and public funds", "; in addition, public funds")
    placement = reanchor(TEXT, new, annotate(TEXT, quote))
    assert placement.status == "moved" and placement.start == new.index(quote)


# One word that occurs 40 times, each time in a different sentence.
OPENERS = [
    "Governments agree that", "The summit notes that", "Industry partners accept that", "Researchers warn that",
    "Several delegations stress that", "Civil society argues that", "The final report finds that",
    "Ministers recall that",
]
CLOSERS = [
    "can widen existing inequalities", "needs independent oversight", "should serve the public interest",
    "requires reliable evaluation", "may concentrate market power",
]
PLACES = ["in rural areas", "in hospitals", "for small firms", "in courts", "at school", "for farmers", "in ports",
          "for artists"]
MANY = " ".join(
    f"{opener} AI {closer} {PLACES[(i + j) % len(PLACES)]}."
    for i, opener in enumerate(OPENERS)
    for j, closer in enumerate(CLOSERS)
)


def test_one_word_quote_among_forty_follows_its_context() -> None:
    assert MANY.count(" AI ") == 40
    annotation = annotate(MANY, "AI", occurrence=23)
    insert = "A sentence added at the top. "
    placement = reanchor(MANY, insert + MANY, annotation)
    assert placement.status == "moved" and placement.start == annotation.start + len(insert)


def test_one_word_quote_among_forty_with_one_side_of_its_context_changed() -> None:
    annotation = annotate(MANY, "AI", occurrence=23)
    sentence_end = MANY.index(".", annotation.end)
    new = "Added first. " + MANY[: annotation.end] + " is expected to change how people work" + MANY[sentence_end:]
    placement = reanchor(MANY, new, annotation)
    assert placement.status == "moved" and placement.start == annotation.start + len("Added first. ")


def test_one_word_quote_among_forty_with_its_context_rewritten_needs_review() -> None:
    annotation = annotate(MANY, "AI", occurrence=23)
    sentence_start = MANY.rindex(". ", 0, annotation.start) + 2
    sentence_end = MANY.index(".", annotation.end)
    new = MANY[:sentence_start] + "Whether AI helps at all is disputed by some observers" + MANY[sentence_end:]
    placement = reanchor(MANY, new, annotation)
    assert placement.status == "needs_review" and placement.quote == "AI"


def test_quote_at_the_very_start_and_end_of_the_text() -> None:
    first = annotate(TEXT, "Joint statement")
    last = annotate(TEXT, "advanced systems.")
    new = TEXT.replace("six months", "a year")
    assert [p.status for p in reanchor_all(TEXT, new, [first, last])] == ["unchanged", "moved"]
    shorter = "Joint statement on trustworthy AI.\n\n" + TEXT[TEXT.index("We commit") :]
    placements = reanchor_all(TEXT, shorter, [first, last])
    assert [p.status for p in placements] == ["unchanged", "moved"]
    for placement in placements:
        check_placed(placement, shorter)


def test_reanchor_all_keeps_the_order_and_the_same_text_changes_nothing() -> None:
    annotations = [
        annotate(TEXT, "frontier AI systems", annotation_id="x"),
        annotate(TEXT, "We will meet again", annotation_id="y"),
        annotate(TEXT, "AI", occurrence=2, annotation_id="z"),
    ]
    placements = reanchor_all(TEXT, TEXT, annotations)
    assert [p.annotation_id for p in placements] == ["x", "y", "z"]
    assert {p.status for p in placements} == {"unchanged"}


def test_threshold_decides_fuzzy_matches() -> None:
    old = TEXT.replace("information about incidents", "informaton about incidnets")
    annotation = annotate(old, "share informaton about incidnets with the relevant")
    assert reanchor(old, TEXT, annotation, threshold=0.99).status == "needs_review"


def test_similarity_and_clamp_span() -> None:
    assert similarity("abc", "abc") == 1.0 and similarity("", "abc") == 0.0
    assert similarity("the results of safety evaluations", "the results of safety evalutions") > 0.85
    assert similarity("publish the results", "disclose testing outcomes") < 0.6
    assert clamp_span(10, 20, 100) == (10, 20)
    assert clamp_span(90, 120, 50) == (49, 50)
    assert clamp_span(30, 45, 40) == (30, 40)
    assert clamp_span(0, 5, 1) == (0, 1)


def test_offset_map() -> None:
    old = "One sentence here. Two three four five six. Four five six seven eight nine.\nSeven sentences are on this line."
    new = "Zero is new. One sentence here. Two 3 four five six. Four five six seven eight nine.\nSeven sentences are on this line!"
    offsets = OffsetMap(old, new)
    for word in ("One", "Four", "Seven"):
        assert offsets.map(old.index(word)) == (new.index(word), True)
    assert offsets.map(old.index("Two"))[0] == new.index("Two")
    assert offsets.map(len(old))[0] == len(new)
    position, exact = offsets.map(old.index("three"))
    assert not exact and new.index("3") - 2 <= position <= new.index("3") + 2
    assert offsets.origin(new.index("Four"), new.index("Four") + 4) == old.index("Four")
    assert offsets.origin(new.index("Zero"), new.index("Zero") + 4) is None
    assert OffsetMap(old, old).map(5) == (5, True)


# ------------------------------------------------------------------------------------- property: edits elsewhere

WORDS = ("AI", "safety", "risk", "the", "of", "commit", "shall", "research", "model", "frontier", "and", "we")


@st.composite
def edited_text(draw: st.DrawFn) -> tuple[str, str, Annotation, int]:
    """A text, an annotation on it, the text after random insertions and deletions that leave the quote and
    its context alone, and where the quote is after them."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    sentences = [
        f"Point {i}: {' '.join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))}."
        for i in range(draw(st.integers(6, 30)))
    ]
    text = "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
    words = [(m, m + len(w)) for m, w in _word_spans(text)]
    first = draw(st.integers(0, len(words) - 1))
    last = draw(st.integers(first, min(len(words) - 1, first + draw(st.integers(0, 6)))))
    start, end = words[first][0], words[last][1]
    annotation = annotate(text, text[start:end], occurrence=_occurrence(text, start, end))
    guard = anchoring.CONTEXT_CHARS + 1
    protected = (start - guard, end + guard)
    new, position = text, start
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(new)))
        if protected[0] <= at <= protected[1]:
            continue
        if draw(st.booleans()):
            piece = draw(st.sampled_from([" and ", "Added words here. ", "\n\nA new paragraph.\n\n", "x", "safety "]))
            new = new[:at] + piece + new[at:]
            shift = len(piece)
        else:
            stop = min(len(new), at + draw(st.integers(1, 40)))
            if at < protected[0] < stop or at <= protected[1] < stop:
                continue
            new = new[:at] + new[stop:]
            shift = -(stop - at)
        if at <= protected[0]:
            position += shift
            protected = (protected[0] + shift, protected[1] + shift)
    return text, new, annotation, position


def _word_spans(text: str) -> list[tuple[int, str]]:
    import re

    return [(m.start(), m.group()) for m in re.finditer(r"\w+", text)]


def _occurrence(text: str, start: int, end: int) -> int:
    quote, count, pos = text[start:end], 0, -1
    while pos != start:
        pos = text.index(quote, pos + 1)
        count += 1
    return count


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_text())
def test_edits_elsewhere_never_lose_the_passage(case: tuple[str, str, Annotation, int]) -> None:
    old, new, annotation, position = case
    assert new[position : position + len(annotation.quote)] == annotation.quote
    placement = reanchor(old, new, annotation)
    assert placement.status in ("unchanged", "moved")
    assert (placement.start, placement.end) == (position, position + len(annotation.quote))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab .\n", min_size=1, max_size=80), st.text(alphabet="ab .\n", min_size=1, max_size=80),
       st.data())
def test_any_placement_is_a_passage_of_the_new_text(old: str, new: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(old) - 1))
    end = data.draw(st.integers(start + 1, len(old)))
    annotation = annotate(old, old[start:end], occurrence=_occurrence(old, start, end))
    placement = reanchor(old, new, annotation)
    if placement.status == "needs_review":
        assert placement.start is None and placement.quote == annotation.quote
    else:
        check_placed(placement, new)


def test_a_large_text_is_reanchored_quickly() -> None:
    """100,000 words and 200 annotations (scripts/bench_anchoring.py prints the time; well under a second)."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / "bench_anchoring.py"
    spec = importlib.util.spec_from_file_location("bench_anchoring", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = random.Random(7)
    old = bench.make_text(rng, 100_000)
    new = bench.edit(rng, old, 60)
    annotations = bench.make_annotations(rng, old, 200)
    placements = reanchor_all(old, new, annotations)
    assert len(placements) == 200
    for placement in placements:
        if placement.placed:
            check_placed(placement, new)
    assert sum(p.placed for p in placements) >= 190


# --------------------------------------------------------------------------------------- through the library


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    with Library(db_path) as lib:
        yield lib


def _span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def _setup(library: Library) -> tuple[int, dict[str, str]]:
    doc = library.add_document(new_document(TEXT, "Anchoring test", date="2024-05-01"))
    assert doc.id is not None
    ids = {}
    for key, quote in {
        "first": "Joint statement",
        "moves": "We will meet again in six months",
        "typo": "serious risks to safety",
        "deleted": "publish the results of safety evaluations",
        "tail": "alignment of advanced systems",
    }.items():
        ids[key] = library.add_annotation(doc.id, *_span(TEXT, quote), note=f"note {key}", tags=["hedge"]).id
    return doc.id, ids


NEW_TEXT = (
    TEXT.replace("serious risks to safety", "serous risks to safety")  # a typo introduced (fuzzy)
    .replace("We commit to publish the results of safety evaluations before deployment. ", "")
    .replace("\n\nWe will meet again", "\n\nAn inserted sentence about the next meeting. We will meet again")
)
SHORT_TEXT = "Joint statement on trustworthy AI, written for the Summit Reader tests."


def test_replace_document_text_moves_flags_and_keeps(library: Library, db_path: Path) -> None:
    doc_id, ids = _setup(library)
    before = {a.id: a for a in library.list_annotations(document_id=doc_id)}
    result = library.replace_document_text(doc_id, NEW_TEXT, retrieved_at="2026-02-01T00:00:00Z")
    assert result.document.text == NEW_TEXT and result.document.retrieved_at == "2026-02-01T00:00:00Z"
    status = {p.annotation_id: p.status for p in result.placements}
    assert status == {
        ids["first"]: "unchanged",
        ids["moves"]: "moved",
        ids["typo"]: "fuzzy",
        ids["deleted"]: "needs_review",
        ids["tail"]: "moved",
    }
    assert [p.annotation_id for p in result.needs_review] == [ids["deleted"]]
    assert {p.annotation_id for p in result.relocated} == {ids["moves"], ids["typo"], ids["tail"]}

    def check(lib: Library) -> None:
        now = {a.id: a for a in lib.list_annotations(document_id=doc_id)}
        for key in ("first", "moves", "typo", "tail"):
            a = now[ids[key]]
            assert a.status == "ok" and NEW_TEXT[a.start : a.end] == a.quote
            assert a.prefix == NEW_TEXT[max(0, a.start - 32) : a.start] and a.suffix == NEW_TEXT[a.end : a.end + 32]
            assert (a.note, a.tags, a.created) == (f"note {key}", ("hedge",), before[a.id].created)
        assert now[ids["typo"]].quote == "serous risks to safety"
        assert now[ids["moves"]].start == NEW_TEXT.index("We will meet again in six months")
        assert now[ids["moves"]].modified >= before[ids["moves"]].modified
        assert now[ids["first"]] == before[ids["first"]]  # not touched at all
        flagged = now[ids["deleted"]]
        old = before[ids["deleted"]]
        assert flagged.status == "needs_review"
        assert (flagged.quote, flagged.prefix, flagged.suffix) == (old.quote, old.prefix, old.suffix)
        assert (flagged.start, flagged.end) == (old.start, old.end)
        assert [a.id for a in lib.list_needs_review()] == [ids["deleted"]]
        assert [a.id for a in lib.list_needs_review(doc_id)] == [ids["deleted"]]
        assert lib.list_needs_review(doc_id + 1) == []

    check(library)
    library.close()
    with Library(db_path) as reopened:
        check(reopened)


def test_needs_review_offsets_are_clamped_and_the_passage_can_come_back(library: Library) -> None:
    doc_id, ids = _setup(library)
    tail = library.get_annotation(ids["tail"])
    result = library.replace_document_text(doc_id, SHORT_TEXT)
    assert {p.annotation_id for p in result.needs_review} == set(ids.values()) - {ids["first"]}
    flagged = library.get_annotation(ids["tail"])
    assert flagged.status == "needs_review" and flagged.quote == tail.quote
    assert 0 <= flagged.start < flagged.end <= len(SHORT_TEXT)  # clamped: CHECK (start >= 0 AND end > start)
    # The publisher puts the old text back: the annotations are found again.
    back = library.replace_document_text(doc_id, TEXT)
    assert not back.needs_review
    assert library.get_annotation(ids["tail"]).start == tail.start
    assert library.list_needs_review() == []


def test_user_places_an_annotation_that_needs_review(library: Library) -> None:
    doc_id, ids = _setup(library)
    library.replace_document_text(doc_id, NEW_TEXT)
    start, end = _span(NEW_TEXT, "share information about incidents")
    placed = library.place_annotation(ids["deleted"], start, end)
    assert (placed.status, placed.quote, placed.note) == ("ok", "share information about incidents", "note deleted")
    assert placed.prefix == NEW_TEXT[max(0, start - 32) : start]
    assert library.list_needs_review() == []


def test_replace_document_text_is_atomic(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    doc_id, ids = _setup(library)
    document = library.get_document(doc_id)
    annotations = library.list_annotations(document_id=doc_id)
    calls: list[str] = []
    original = Library._write_placement

    def failing(self: Library, annotation: Annotation, placement: Placement, text: str, now: str) -> None:
        calls.append(annotation.id)
        if len(calls) == 3:
            raise OSError("simulated failure in the middle of the update")
        original(self, annotation, placement, text, now)

    monkeypatch.setattr(Library, "_write_placement", failing)
    with pytest.raises(OSError, match="simulated"):
        library.replace_document_text(doc_id, NEW_TEXT)
    assert len(calls) == 3
    assert library.get_document(doc_id) == document
    assert library.list_annotations(document_id=doc_id) == annotations
    monkeypatch.setattr(Library, "_write_placement", original)
    assert library.replace_document_text(doc_id, NEW_TEXT).document.text == NEW_TEXT


def test_replace_document_text_of_a_missing_document(library: Library) -> None:
    with pytest.raises(NotFoundError):
        library.replace_document_text(12345, "Some text.")
