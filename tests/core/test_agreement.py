"""Agreement between two coders: the figures worked out by hand, cross-checked against two reference
implementations (the `krippendorff` package and NLTK's AnnotationTask), the units, and the grouping of
disagreements. Texts are short sentences written for these tests."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest
from nltk.metrics.agreement import AnnotationTask

from summit_reader.core.agreement import (
    CHARACTER,
    MINE,
    SENTENCE,
    THEIRS,
    CodedSpan,
    DocumentCoding,
    binary_agreement,
    character_units,
    compare,
    covered_units,
    pooled,
    sentence_units,
)
from summit_reader.core.analysis import Analyzer
from summit_reader.core.sentences import sentence_spans

# --------------------------------------------------------------------------------------- by hand


def test_kappa_alpha_and_observed_agreement_worked_out_by_hand() -> None:
    # 10 units: both coded 3, only I coded 1, only they coded 1, neither coded 5.
    figures = binary_agreement(units=10, mine=4, theirs=4, both=3)
    # observed: (3 + 5) / 10 = 0.8
    assert figures.observed == pytest.approx(0.8)
    # chance: I coded 4/10, they coded 4/10 → p_e = 0.4·0.4 + 0.6·0.6 = 0.16 + 0.36 = 0.52
    # kappa = (0.8 − 0.52) / (1 − 0.52) = 0.28 / 0.48 = 7/12
    assert figures.kappa == pytest.approx(7 / 12)
    # alpha: "coded" given n1 = 2·3 + 1 + 1 = 8 times, "not coded" n0 = 2·5 + 1 + 1 = 12 times, N = 20 values;
    # alpha = 1 − (N − 1)·(disagreeing pairs, 1 + 1) / (n1·n0) = 1 − 19·2 / 96 = 58/96 = 29/48
    assert figures.alpha == pytest.approx(29 / 48)
    assert (figures.only_mine, figures.only_theirs, figures.neither, figures.disagreements) == (1, 1, 5, 2)
    assert figures.note == ""


def test_opposite_coders_have_zero_kappa_and_negative_alpha() -> None:
    # 4 units, I coded all, they coded none: observed 0; p_e = 1·0 + 0·1 = 0, so kappa = (0 − 0)/(1 − 0) = 0;
    # alpha: n1 = 4, n0 = 4, 4 disagreeing units → 1 − 7·4 / (4·4) = 1 − 28/16 = −0.75
    figures = binary_agreement(units=4, mine=4, theirs=0, both=0)
    assert (figures.observed, figures.kappa) == (0.0, 0.0)
    assert figures.alpha == pytest.approx(-0.75)


def test_perfect_agreement_on_a_tag_used_sometimes_is_one() -> None:
    # 6 units, both coded the same 2: observed 1; p_e = (2·2 + 4·4)/36 = 20/36; kappa = (1 − 20/36)/(1 − 20/36) = 1
    figures = binary_agreement(units=6, mine=2, theirs=2, both=2)
    assert (figures.observed, figures.kappa, figures.alpha) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("units", "mine", "theirs", "reason"),
    [
        (5, 0, 0, "neither coder used the tag"),
        (3, 3, 3, "both coders used the tag on every unit"),
        (0, 0, 0, "no units to compare"),
    ],
)
def test_degenerate_cases_are_undefined_with_a_reason(units: int, mine: int, theirs: int, reason: str) -> None:
    figures = binary_agreement(units, mine, theirs, min(mine, theirs))
    assert figures.kappa is None and figures.alpha is None
    assert figures.note == reason
    assert figures.observed == (None if units == 0 else 1.0)


def test_inconsistent_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="inconsistent"):
        binary_agreement(units=3, mine=2, theirs=2, both=0)  # 4 coded units out of 3


def test_pooled_figures_add_up_counts_rather_than_average_kappas() -> None:
    first = binary_agreement(10, 4, 4, 3)
    second = binary_agreement(5, 0, 0, 0)  # undefined on its own
    together = pooled([first, second])
    # 15 units, both 3, only mine 1, only theirs 1, neither 10: observed 13/15;
    # p_e = (4·4 + 11·11)/225 = 137/225; kappa = (13/15 − 137/225)/(1 − 137/225) = (195 − 137)/(225 − 137) = 58/88
    assert (together.units, together.mine, together.theirs, together.both) == (15, 4, 4, 3)
    assert together.kappa == pytest.approx(58 / 88)


# ------------------------------------------------------------------------ reference implementations


def _reference(mine: list[int], theirs: list[int]) -> tuple[float, float, float]:
    task = AnnotationTask(data=[(coder, i, v) for coder, values in (("me", mine), ("them", theirs)) for i, v in enumerate(values)])
    alpha = float(krippendorff.alpha(reliability_data=np.array([mine, theirs]), level_of_measurement="nominal"))
    return float(task.kappa()), float(task.alpha()), alpha


@pytest.mark.parametrize("seed", range(25))
def test_figures_match_nltk_and_the_krippendorff_package(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(2, 60)
    rate = rng.random()
    mine = [int(rng.random() < rate) for _ in range(n)]
    theirs = [m if rng.random() < 0.7 else int(rng.random() < rate) for m in mine]
    if len(set(mine + theirs)) < 2:
        theirs[0] = 1 - theirs[0]
    figures = binary_agreement(n, sum(mine), sum(theirs), sum(m & t for m, t in zip(mine, theirs, strict=True)))
    nltk_kappa, nltk_alpha, package_alpha = _reference(mine, theirs)
    assert figures.kappa == pytest.approx(nltk_kappa, abs=1e-9)
    assert figures.alpha == pytest.approx(nltk_alpha, abs=1e-9)
    assert figures.alpha == pytest.approx(package_alpha, abs=1e-9)


def test_a_whole_comparison_matches_the_references_unit_by_unit() -> None:
    text = "One sentence here. Another one follows. A third. And a fourth one. The fifth is last."
    units = sentence_units(text, sentence_spans(text))
    assert len(units) == 5
    mine = [CodedSpan("m1", 0, 40, ("hedge",)), CodedSpan("m2", 49, 65, ("hedge",))]
    theirs = [CodedSpan("t1", 19, 47, ("Hedge",)), CodedSpan("t2", 67, 84, ("hedge",))]
    result = compare([DocumentCoding(1, units, mine, theirs)], unit=SENTENCE)
    # per sentence, mine: 1 1 0 1 0 (m1 covers the first two, m2 the fourth); theirs: 0 1 1 0 1
    cell = result.cell("hedge", 1)
    assert (cell.units, cell.mine, cell.theirs, cell.both) == (5, 3, 3, 1)
    kappa, alpha, package_alpha = _reference([1, 1, 0, 1, 0], [0, 1, 1, 0, 1])
    assert cell.kappa == pytest.approx(kappa) and cell.alpha == pytest.approx(alpha) == pytest.approx(package_alpha)
    assert result.tags == ("hedge",)  # "Hedge" and "hedge" are one tag (my spelling first)


# ------------------------------------------------------------------------------------------- units


def test_sentence_units_are_the_analysis_sentences() -> None:
    text = (
        "We, the participants, met on 1 November. We agree that AI may pose risks e.g. to safety! Do we act?\n\n"
        "Heading without a stop\n• A list item\n• Another item…\n\nThe U.S. and others will meet again. —"
    )
    spans = sentence_spans(text)
    assert len(spans) == Analyzer().analyse(text).sentence_count
    assert [text[s:e] for s, e in spans] == [
        "We, the participants, met on 1 November.",
        "We agree that AI may pose risks e.g. to safety!",  # "e.g." does not end a sentence
        "Do we act?",
        "Heading without a stop",  # a line break ends one
        "• A list item",
        "• Another item…",
        "The U.S. and others will meet again.",  # the lone dash after it holds no word: no unit
    ]
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)


def test_character_units_are_the_non_space_code_points() -> None:
    text = "Aé b\u00a0\nc😀"
    units = character_units(text)
    assert [text[s:e] for s, e in zip(units.starts, units.ends, strict=True)] == ["A", "é", "b", "c", "😀"]


def test_a_passage_codes_the_sentences_whose_non_space_characters_it_touches() -> None:
    text = "First one.  Second one. Third."
    units = sentence_units(text, sentence_spans(text))
    assert covered_units(units, 0, 3) == (0, 0)
    assert covered_units(units, 5, 15) == (0, 1)  # "one.  Sec": the end of the first and the start of the second
    assert covered_units(units, 10, 12) is None  # only the spaces between two sentences
    assert covered_units(units, 9, 12) == (0, 0)  # the full stop and spaces after it
    chars = character_units(text)
    assert covered_units(chars, 9, 13) == (8, 9)  # ".", then "S" (the spaces are no units)


# --------------------------------------------------------------------------------- disagreements


def test_disagreements_group_neighbouring_units_of_the_same_annotation() -> None:
    text = "Alpha is one. Beta is two. Gamma is three. Delta is four. Epsilon is five."
    units = sentence_units(text, sentence_spans(text))
    assert len(units) == 5
    beta, delta = text.index("Beta"), text.index("Delta")
    mine = [CodedSpan("m", 0, delta - 1, ("risk",))]  # sentences 1–3
    theirs = [CodedSpan("t", 0, 12, ("risk",)), CodedSpan("u", delta, len(text), ("risk", "hedge"))]  # 1, then 4–5
    result = compare([DocumentCoding(7, units, mine, theirs)])
    risk = [d for d in result.disagreements if d.tag == "risk"]
    assert [(d.coded_by, d.first_unit, d.last_unit, d.annotation_ids) for d in risk] == [
        (MINE, 1, 2, ("m",)),  # Beta and Gamma: one passage, my annotation m
        (THEIRS, 3, 4, ("u",)),  # Delta and Epsilon: one passage, their annotation u
    ]
    assert text[risk[0].start : risk[0].end] == "Beta is two. Gamma is three."
    assert risk[0].start == beta and risk[0].unit_count == 2
    hedge = [d for d in result.disagreements if d.tag == "hedge"]
    assert [(d.coded_by, d.first_unit, d.last_unit) for d in hedge] == [(THEIRS, 3, 4)]
    # the figures count the same units: risk 5 units, mine 3, theirs 3, both 1
    cell = result.cell("risk", 7)
    assert (cell.mine, cell.theirs, cell.both, cell.disagreements) == (3, 3, 1, 4)


def test_neighbouring_units_of_different_annotations_are_separate_disagreements() -> None:
    text = "One. Two. Three."
    units = sentence_units(text, sentence_spans(text))
    theirs = [CodedSpan("a", 0, 4, ("x",)), CodedSpan("b", 5, 9, ("x",))]
    result = compare([DocumentCoding(1, units, [], theirs)])
    assert [(d.first_unit, d.last_unit, d.annotation_ids) for d in result.disagreements] == [(0, 0, ("a",)), (1, 1, ("b",))]


def test_character_disagreements_span_across_spaces() -> None:
    text = "We will act now."
    units = character_units(text)
    mine = [CodedSpan("m", 0, 7, ("commitment",))]  # "We will"
    theirs = [CodedSpan("t", 0, 11, ("commitment",))]  # "We will act"
    result = compare([DocumentCoding(1, units, mine, theirs)], unit=CHARACTER)
    (only,) = result.disagreements
    assert (only.coded_by, text[only.start : only.end], only.unit_count) == (THEIRS, "act", 3)
    cell = result.cell("commitment", 1)
    # 13 non-space characters; I coded "Wewill" (6), they coded "Wewillact" (9), both 6
    assert (cell.units, cell.mine, cell.theirs, cell.both) == (13, 6, 9, 6)
    # observed 10/13; p_e = (6·9 + 7·4)/169 = 82/169; kappa = (130 − 82)/(169 − 82) = 48/87
    assert cell.kappa == pytest.approx(48 / 87)


def test_disagreement_keys_are_stable_and_distinct() -> None:
    text = "One. Two. Three."
    units = sentence_units(text, sentence_spans(text))
    theirs = [CodedSpan("a", 0, 4, ("x",)), CodedSpan("b", 5, 9, ("x",))]
    first = compare([DocumentCoding(1, units, [], theirs)]).disagreements
    again = compare([DocumentCoding(1, units, [], list(reversed(theirs)))]).disagreements
    assert [d.key for d in first] == [d.key for d in again]
    assert len({d.key for d in first}) == 2
    assert all(d.key.startswith("s") and len(d.key) == 10 for d in first)
    by_character = compare([DocumentCoding(1, character_units(text), [], theirs)], unit=CHARACTER).disagreements
    assert {d.key[0] for d in by_character} == {"c"}


def test_tags_nobody_used_in_a_document_count_as_agreement_there() -> None:
    text = "One. Two."
    units = sentence_units(text, sentence_spans(text))
    first = DocumentCoding(1, units, [CodedSpan("m", 0, 4, ("x",))], [CodedSpan("t", 0, 4, ("x",))])
    second = DocumentCoding(2, units, [], [])
    result = compare([first, second])
    assert result.cell("x", 2).note == "neither coder used the tag"
    ((tag, over_documents),) = result.by_tag()
    assert tag == "x" and (over_documents.units, over_documents.both, over_documents.kappa) == (4, 1, 1.0)
    assert [d for d, _ in result.by_document()] == [1, 2]
    assert result.overall().units == 4
