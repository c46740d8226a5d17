"""The counting rules, each tested on sentences written for the purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from summit_reader.core.analysis import Analyzer, DocumentAnalysis, count_words
from summit_reader.core.lexicon import parse_lexicon


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def found(analyzer: Analyzer, text: str, category: str) -> list[tuple[str, bool]]:
    return [(m.text, m.negated) for m in analyzer.analyse(text).matches if m.category == category]


def test_offsets_point_at_the_counted_words(analyzer: Analyzer) -> None:
    text = "Café leaders discuss AI safety.\n\nSecurity matters; we must secure systems."
    result = analyzer.analyse(text)
    assert result.matches, "expected matches"
    for m in result.matches:
        assert text[m.start : m.end] == m.text
    assert [(m.text, m.category, m.term) for m in result.matches if m.category in ("safety", "security")] == [
        ("safety", "safety", "safe*"),
        ("Security", "security", "secur*"),
        ("secure", "security", "secur*"),
    ]


def test_glob_counts_word_starts_not_inner_parts(analyzer: Analyzer) -> None:
    text = "Security, securing and secure systems; cybersecurity and cyber-security; insecurity."
    terms = [(m.text, m.term) for m in analyzer.analyse(text).matches if m.category == "security"]
    assert terms == [
        ("Security", "secur*"),
        ("securing", "secur*"),
        ("secure", "secur*"),
        ("cybersecurity", "cybersecur*"),
        ("security", "secur*"),  # the tokenizer splits "cyber-security"
        ("insecurity", "insecur*"),
    ]


def test_explicit_forms_avoid_false_friends(analyzer: Analyzer) -> None:
    assert found(analyzer, "Harmonised rules cause no harm, and harmful uses are banned.", "risk") == [
        ("harm", False),
        ("harmful", False),
    ]


def test_modal_verbs_are_real_modals_only(analyzer: Analyzer) -> None:
    text = (
        "In May 2024 the leaders met. On 21 May they agreed. May 2025 will come. "
        "The political will was there. It was a can of worms. Testing is a must. "
        "States may act. They can act. We will act. Developers should test. You must comply."
    )
    assert found(analyzer, text, "modal") == [
        ("will", False),  # "May 2025 will come"
        ("may", False),
        ("can", False),
        ("will", False),
        ("should", False),
        ("must", False),
    ]


def test_negated_modal_spans_cover_the_contraction(analyzer: Analyzer) -> None:
    text = "We cannot wait. They can't wait. It should not happen. We will not stop. We won't. You must never."
    got = found(analyzer, text, "modal")
    assert got == [("cannot", True), ("can't", True), ("should", True), ("will", True), ("won't", True), ("must", True)]


def test_not_only_is_not_a_negation(analyzer: Analyzer) -> None:
    assert found(analyzer, "We must not only talk but also act.", "modal") == [("must", False)]


def test_ranks_follow_the_scale(analyzer: Analyzer) -> None:
    result = analyzer.analyse("We may act. We should act. We ought to act. We shall act. We must act.")
    assert [(m.text, m.rank, m.level) for m in result.matches_in("modal")] == [
        ("may", 1, "possibility"),
        ("should", 2, "advice"),
        ("ought to", 2, "advice"),
        ("shall", 3, "intention"),
        ("must", 4, "obligation"),
    ]
    assert result.rank_counts("modal") == {1: 1, 2: 2, 3: 1, 4: 1}


def test_operative_verbs_with_inflections_and_noun_readings(analyzer: Analyzer) -> None:
    text = (
        "The Conference takes note of the report. We welcome the plan and support its aims. "
        "With the support of partners, we reaffirm our goals. We are committed to safety and commit to act. "
        "Our commitment stands. Leaders called on all states to act. We do not endorse this."
    )
    got = [(m.text, m.rank, m.negated) for m in analyzer.analyse(text).matches_in("operative")]
    assert got == [
        ("takes note", 1, False),
        ("welcome", 3, False),
        ("support", 5, False),
        ("reaffirm", 6, False),
        ("committed", 7, False),
        ("commit", 7, False),
        ("called on", 4, False),
        ("endorse", 6, True),
    ]


def test_longest_match_wins_then_category_order() -> None:
    lex = parse_lexicon(
        "innovation: [competitiv*, open]\nmarket: [anti-competitive]\nopenness: [open, open source]\n"
    )
    analyzer = Analyzer(lex)
    result = analyzer.analyse("Anti-competitive markets and competitive ones; open source and open data.")
    assert [(m.text, m.category) for m in result.matches] == [
        ("Anti-competitive", "market"),
        ("competitive", "innovation"),
        ("open source", "openness"),
        ("open", "innovation"),  # a tie: the category listed first wins
    ]


def test_word_count_is_a_word_processor_count() -> None:
    assert count_words("AI-related risks can't wait — 21 May 2024, U.S. and EU. (1)") == 11  # "—" alone is not a word
    assert count_words("  \n ") == 0


def test_counts_rates_and_terms(analyzer: Analyzer) -> None:
    text = "Safety first. " * 5 + "We must act on safety and safeguards."
    result = analyzer.analyse(text)
    assert result.word_count == 17
    assert result.count("safety") == 7
    assert result.rate("safety") == pytest.approx(7 * 1000 / 17)
    assert result.term_counts("safety") == {"safe*": 7}
    assert result.sentence_count == 6


def test_sentences_split_at_line_breaks_and_stops(analyzer: Analyzer) -> None:
    assert analyzer.analyse("Heading without stop\n\nFirst sentence. Second one!\n• a list item").sentence_count == 4


def test_negation_does_not_cross_sentences(analyzer: Analyzer) -> None:
    assert found(analyzer, "We should. Not everyone agrees.", "modal") == [("should", False)]


def test_json_round_trip_restores_every_match(analyzer: Analyzer) -> None:
    text = "We cannot ignore AI safety; we must act and support inclusion."
    result = analyzer.analyse(text)
    again = DocumentAnalysis.from_json(result.to_json(), text, result.text_hash, result.lexicon)
    assert again == result


def test_empty_and_punctuation_only_texts(analyzer: Analyzer) -> None:
    for text in ("", "...", "— — —"):
        result = analyzer.analyse(text)
        assert (result.word_count, result.matches, result.rate("safety")) == (0, (), 0.0)


def test_cached_analysis_is_reused_without_loading_spacy(tmp_path: Path) -> None:
    import subprocess
    import sys

    from summit_reader.core.documents import new_document
    from summit_reader.core.store import Library

    path = tmp_path / "lib.sqlite3"
    with Library(path) as library:
        doc = library.add_document(new_document("We must act on safety. We may wait.", "Cached", date="2024-01-01"))
        first = Analyzer().analyse_document(library, doc)
    code = (
        "import sys\n"
        "from summit_reader.core.store import Library\n"
        "from summit_reader.core.analysis import Analyzer\n"
        f"lib = Library({str(path)!r})\n"
        "doc = lib.get_document(1)\n"
        "result = Analyzer().cached(lib, doc)\n"
        "print(len(result.matches), result.count('modal'), 'spacy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(len(first.matches)), "2", "False"]


def test_changed_lexicon_is_not_served_from_the_cache(tmp_path: Path) -> None:
    from summit_reader.core.documents import new_document
    from summit_reader.core.store import Library

    with Library(tmp_path / "lib.sqlite3") as library:
        doc = library.add_document(new_document("Safety and security.", "T"))
        assert Analyzer(parse_lexicon("safety: [safe*]")).analyse_document(library, doc).counts() == {"safety": 1}
        other = Analyzer(parse_lexicon("safety: [safe*]\nsecurity: [secur*]"))
        assert other.cached(library, doc) is None
        assert other.analyse_document(library, doc).counts() == {"safety": 1, "security": 1}


def test_engine_version_names_the_installed_spacy() -> None:
    from importlib import metadata

    from summit_reader.core.analysis import RULES_VERSION, engine_version

    major_minor = ".".join(metadata.version("spacy").split(".")[:2])
    assert engine_version() == f"rules-{RULES_VERSION}/spacy-{major_minor}"


def test_the_tokenizer_is_spacy_blank_english_s(analyzer: Analyzer) -> None:
    """``Analyzer.tokenizer`` is built directly, not through ``spacy.blank("en")``: the same rules, and the
    same tokens, token attributes and analyses as ``spacy.blank("en")``'s tokenizer."""
    import spacy

    from summit_reader.core.demo import demo_documents

    ours, blank = analyzer.tokenizer, spacy.blank("en").tokenizer
    assert ours.rules == blank.rules
    for attr in ("prefix_search", "suffix_search", "infix_finditer"):
        assert getattr(ours, attr).__self__.pattern == getattr(blank, attr).__self__.pattern
    assert ours.token_match is blank.token_match and ours.url_match is blank.url_match
    assert ours.vocab.lang == blank.vocab.lang == "en"
    tricky = (
        "We can't, won't and shouldn't; they'd've gone. Dr. Smith's U.S.-based co-op, e.g. the A.I. lab (est. 1999), "
        "paid $4.5bn / €3,000.50 on 21 May 2025 at 3:30pm — see https://example.org/a?b=c&d=1 or mail ai@example.com. "
        '"Quoted," she said… :) <3 #hashtag @user 10km 5% 1st 2nd AI-related cyber-security ’tis rock’n’roll\n\n'
        "\t• bullet – dash -- double --- triple ... ellipsis?! (nested [brackets {here}]) 'single' «guillemets»"
    )
    texts = [tricky, *(doc.text for doc in demo_documents())]

    def described(doc: object) -> list[tuple[object, ...]]:
        return [
            (t.text, t.whitespace_, t.idx, t.lower_, t.is_alpha, t.is_digit, t.is_punct, t.is_space, t.like_num, t.is_stop)
            for t in doc  # type: ignore[attr-defined]
        ]

    for text in texts:
        assert described(ours(text)) == described(blank(text))
    with_blank = Analyzer(analyzer.lexicon)
    with_blank.__dict__["tokenizer"] = blank  # (the cached property, set beforehand)
    for text in texts:
        assert with_blank.analyse(text) == analyzer.analyse(text)
