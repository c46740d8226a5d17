"""Lexicon files: LIWC .dic read and written, quanteda YAML written so that it reads back to the same hash,
clear errors for broken files, and the user's own copies kept out of the package."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summit_reader.core.analysis import Analyzer
from summit_reader.core.errors import LexiconError
from summit_reader.core.lexicon import load_lexicon, parse_lexicon
from summit_reader.core.lexicon_formats import (
    DIC,
    YAML,
    build_lexicon,
    dic_losses,
    dump_dic,
    dump_yaml,
    lexicon_rows,
    parse_dic,
    read_lexicon,
    save_lexicon,
    user_copy_path,
    user_lexicon_folder,
)

# A small LIWC-style dictionary written for these tests: a phrase, globs, a word in two categories, the
# LIWC2015 habit of indenting sub-categories in the header.
CARE_DIC = (
    "%\n"
    "1\tcare\n"
    "\t2\tprotection\n"
    "3\tknowledge\n"
    "%\n"
    "safe*\t1\t2\n"
    "protect*\t2\n"
    "people\t1\n"
    "research\t3\n"
    "information sharing\t3\n"
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------- LIWC .dic


def test_a_liwc_dictionary_is_read_with_its_categories_phrases_and_globs(tmp_path: Path) -> None:
    loaded = read_lexicon(write(tmp_path, "care-words.dic", CARE_DIC))
    lex = loaded.lexicon
    assert loaded.format == DIC and loaded.warnings == ()
    assert lex.category_names == ("care", "protection", "knowledge")
    assert [e.pattern for e in lex.category("care").entries] == ["safe*", "people"]
    assert [e.pattern for e in lex.category("protection").entries] == ["safe*", "protect*"]
    assert (lex.name, lex.version) == ("care-words", "unversioned")
    counted = Analyzer(lex).analyse("People want safety research, and information sharing protects them.")
    assert counted.counts() == {"care": 2, "protection": 1, "knowledge": 2}


def test_a_dic_file_written_and_read_again_is_unchanged(tmp_path: Path) -> None:
    lex, _ = parse_dic(CARE_DIC, name="care")
    again, _ = parse_dic(dump_dic(lex), name="care")
    assert again == lex
    assert dump_dic(again) == dump_dic(lex)


def test_lines_without_tabs_and_with_padding_are_read(tmp_path: Path) -> None:
    text = "\n%\n1 care\n2   knowledge\n%\n\nsafe* 1\nrule of law 1 2\nresearch   2\n"
    lex, warnings = parse_dic(text, name="spaces")
    assert warnings == []
    assert [e.pattern for e in lex.category("care").entries] == ["safe*", "rule of law"]
    assert [e.pattern for e in lex.category("knowledge").entries] == ["rule of law", "research"]


def test_liwc2007_conditional_codes_and_unmatchable_entries_are_left_out_with_a_note() -> None:
    text = (
        "%\n1\tfunct\n2\tverb\n3\tposemo\n%\n"
        "like\t2\t(1 3)3/2\n"          # a plain number and a conditional code
        "kind\t<of>1/3\n"              # conditional only
        ":)\t3\n"                      # no letters: cannot be a whole-word entry
        "good\t3\n"
    )
    lex, warnings = parse_dic(text, name="old")
    assert [e.pattern for e in lex.category("verb").entries] == ["like"]
    assert "kind" not in [e.pattern for e in lex.entries()]
    assert lex.category_names == ("verb", "posemo")  # "funct" was left with no entries
    joined = " ".join(warnings)
    assert "conditional codes" in joined and "'like'" in joined and "only conditional codes was left out" in joined
    assert "':)'" in joined and "funct" in joined


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "is empty"),
        ("   \n\n", "is empty"),
        ("safety: [safe*]\n", "not a LIWC dictionary"),
        ("1200\nhello/MS\nworld/S\n", "spell-checker"),
        ("%\n1\tcare\nsafe*\t1\n", "no second '%'"),
        ("%\n%\nsafe*\t1\n", "lists no categories"),
        ("%\n1\tcare\n1\tknowledge\n%\nsafe*\t1\n", "line 3: the category number 1 is used twice"),
        ("%\n1\tcare\n2\tCare\n%\nsafe*\t1\n", "line 3: the category 'Care' is listed twice"),
        ("%\n1\tcare\n%\nsafe*\t1\nresearch\t7\n", "line 5: the entry 'research' points at category 7"),
        ("%\n1\tcare\n%\nsafe*\n", "line 4: the entry 'safe\\*' has no category number"),
        ("%\n1\tcare\n%\nsafe*\tone\n", "'one' after the entry 'safe\\*' is not a category number"),
        ("%\n1\tcare\n%\n:)\t1\n", "no entries Summit Reader can use"),
        ("%\nfirst\tcare\n%\nsafe*\t1\n", "line 2: 'first\tcare' is not a category line"),
    ],
)
def test_broken_dic_files_give_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        read_lexicon(write(tmp_path, "broken.dic", content))


def test_a_latin1_dic_is_decoded_and_the_note_says_so(tmp_path: Path) -> None:
    text = "%\n1\tsécurité\n%\nsûr*\t1\nprotégé\t1\n"
    loaded = read_lexicon(write(tmp_path, "ancien.dic", text.encode("latin-1")))
    assert [e.pattern for e in loaded.lexicon.entries()] == ["sûr*", "protégé"]
    assert any("not UTF-8" in w and "Windows-1252" in w for w in loaded.warnings)
    assert Analyzer(loaded.lexicon).analyse("Un lieu sûr, un enfant protégé.").count("sécurité") == 2


def test_utf16_and_utf8_bom_dic_files_are_read(tmp_path: Path) -> None:
    for name, data in (("u16.dic", CARE_DIC.encode("utf-16")), ("bom.dic", b"\xef\xbb\xbf" + CARE_DIC.encode())):
        loaded = read_lexicon(write(tmp_path, name, data))
        assert loaded.lexicon.category_names == ("care", "protection", "knowledge") and not loaded.warnings
    with pytest.raises(LexiconError, match="not a text file"):
        read_lexicon(write(tmp_path, "binary.dic", b"%\n1\tcare\n%\nsafe\x00\t1\n"))


def test_the_extension_decides_and_other_files_are_sniffed(tmp_path: Path) -> None:
    assert read_lexicon(write(tmp_path, "liwc.txt", CARE_DIC)).format == DIC
    assert read_lexicon(write(tmp_path, "mine.txt", "safety: [safe*]\n")).format == YAML
    with pytest.raises(LexiconError, match="looks like a LIWC dictionary: give it the extension .dic"):
        read_lexicon(write(tmp_path, "liwc.yml", CARE_DIC))
    assert load_lexicon(write(tmp_path, "via-core.dic", CARE_DIC)).category_names[0] == "care"


# -------------------------------------------------------------------------------------- writing YAML


def test_the_default_lexicon_written_as_yaml_reads_back_identically() -> None:
    lex = load_lexicon()
    text = dump_yaml(lex)
    assert parse_lexicon(text) == lex  # name, version, categories, levels, ranks, order and hash
    assert "\n  2 advice:\n    - should\n" in text  # scales keep quanteda's numbered-level layout


def test_words_that_yaml_would_read_as_something_else_are_quoted() -> None:
    rows = [("answers", [(w, ()) for w in ("yes", "no", "on", "off", "null", "true", "y")]),
            ("2024", [("*ing", ()), ("don't", ()), ("#tag", ()), ("a: b", ()), ("é*", ())])]
    lex = build_lexicon("odd words", "1", rows)
    text = dump_yaml(lex)
    assert '- "yes"' in text and '"2024":' in text and '- "*ing"' in text
    assert parse_lexicon(text) == lex


_word = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
_key = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_entry = _word.filter(lambda w: any(ch.isalnum() for ch in w) and "?" not in w).map(lambda w: w.replace("*", "") + "*" if "*" in w else w)


@st.composite
def lexicons(draw: st.DrawFn) -> object:
    """Valid lexicons of every shape the YAML layout allows: plain lists, scales, nested sub-categories."""
    names = draw(st.lists(_word.filter(lambda n: n.split()), min_size=1, max_size=4, unique_by=lambda n: " ".join(n.split()).casefold()))
    categories = []
    for name in names:
        kind = draw(st.sampled_from(["plain", "scale", "nested"]))
        if kind == "scale":
            levels = draw(st.lists(st.tuples(st.integers(0, 9), _word.filter(lambda w: w.strip() == w and not w[:1].isdigit())), min_size=1, max_size=3, unique_by=lambda t: t[0]))
            paths = [(f"{rank} {level}",) for rank, level in levels]
        elif kind == "nested":
            paths = draw(st.lists(st.lists(_key.filter(lambda k: not k[:1].isdigit() and "/" not in k), min_size=0, max_size=2).map(tuple), min_size=1, max_size=3))
        else:
            paths = [()]
        rows = draw(st.lists(st.tuples(_entry, st.sampled_from(paths)), min_size=1, max_size=6))
        categories.append((name, rows))
    try:
        return build_lexicon(draw(_word), draw(_word), categories)
    except LexiconError:
        return None  # (a combination the loader refuses: nothing to round-trip)


@settings(max_examples=150, deadline=None)
@given(lexicons())
def test_any_lexicon_written_as_yaml_reads_back_to_the_same_hash(lex: object) -> None:
    if lex is None:
        return
    text = dump_yaml(lex)  # type: ignore[arg-type]
    again = parse_lexicon(text)
    assert again == lex
    assert build_lexicon(again.name, again.version, lexicon_rows(again)) == lex


@settings(max_examples=80, deadline=None)
@given(lexicons())
def test_any_lexicon_written_as_dic_keeps_every_category_and_entry(lex: object) -> None:
    if lex is None:
        return
    first, _ = parse_dic(dump_dic(lex), name="x")  # type: ignore[arg-type]
    assert first.category_names == lex.category_names  # type: ignore[attr-defined]
    order_lost = any("opposite orders" in loss for loss in dic_losses(lex))  # type: ignore[arg-type]
    for cat in lex.categories:  # type: ignore[attr-defined]
        written = [e.pattern for e in first.category(cat.name).entries]
        wanted = list(dict.fromkeys(e.pattern for e in cat.entries))
        assert sorted(written) == sorted(wanted)
        if not order_lost:
            assert written == wanted
    again, _ = parse_dic(dump_dic(first), name="x")
    assert again == first


def test_categories_sharing_entries_in_opposite_orders_are_saved_whole_and_the_loss_is_said(tmp_path: Path) -> None:
    lex = build_lexicon("t", "1", [("a", [("war", ()), ("peace", ())]), ("b", [("peace", ()), ("war", ())])])
    losses = save_lexicon(lex, tmp_path / "t.dic")
    assert any("opposite orders" in loss for loss in losses)
    back = read_lexicon(tmp_path / "t.dic").lexicon
    assert sorted(e.pattern for e in back.category("b").entries) == ["peace", "war"]
    assert [e.pattern for e in back.category("a").entries] == ["war", "peace"]
    agreeing = build_lexicon("t", "1", [("a", [("war", ()), ("peace", ())]), ("b", [("war", ()), ("peace", ())])])
    assert not any("opposite orders" in loss for loss in dic_losses(agreeing))


def test_saving_as_dic_says_what_is_lost_and_yaml_keeps_everything(tmp_path: Path) -> None:
    lex = load_lexicon()
    losses = save_lexicon(lex, tmp_path / "out.dic")
    assert losses == dic_losses(lex)
    assert any("'modal' and 'operative'" in loss for loss in losses) and any("name and version" in loss for loss in losses)
    back = read_lexicon(tmp_path / "out.dic").lexicon
    assert not back.category("modal").is_scale and back.hash != lex.hash
    assert save_lexicon(lex, tmp_path / "out.yaml") == []
    assert read_lexicon(tmp_path / "out.yaml").lexicon == lex
    with pytest.raises(LexiconError, match="extension .yml or .yaml"):
        save_lexicon(lex, tmp_path / "out.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.dic", "out.yaml"]  # no temporary files left


def test_the_editors_copies_go_to_the_user_folder_never_the_package(tmp_path: Path) -> None:
    lex = build_lexicon("my words", "1", [("care", [("safe*", ())])])
    first = user_copy_path(lex, None)
    assert first.parent == user_lexicon_folder() and first.name == "my-words.yml"
    assert "resources" not in first.parts and str(tmp_path) in str(first)  # the test's isolated data folder
    first.parent.mkdir(parents=True)
    save_lexicon(lex, first)
    assert user_copy_path(lex, first) == first  # editing the user's own copy again overwrites it
    assert user_copy_path(lex, tmp_path / "elsewhere.yml").name == "my-words-2.yml"  # never someone's file
