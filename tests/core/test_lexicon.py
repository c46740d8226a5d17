"""Lexicons: the shipped default, quanteda layout, scales and clear errors for malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from summit_reader.core.errors import LexiconError
from summit_reader.core.lexicon import load_lexicon, parse_lexicon

REQUIRED = [
    "security", "safety", "risk", "future", "trust", "innovation", "governance", "openness", "public good",
    "inclusion", "sovereignty", "multilateralism", "jobs and work", "energy and environment",
    "market concentration", "modal", "operative",
]  # fmt: skip


def test_default_lexicon_has_the_categories_and_both_scales() -> None:
    lex = load_lexicon()
    assert list(lex.category_names) == REQUIRED
    modal = lex.category("modal")
    assert modal.levels == ((1, "possibility"), (2, "advice"), (3, "intention"), (4, "obligation"))
    ranks = {e.pattern: e.rank for e in modal.entries}
    assert ranks["may"] < ranks["should"] < ranks["will"] == ranks["shall"] < ranks["must"]
    assert ranks["ought to"] == ranks["should"]
    op = {e.pattern: e.rank for e in lex.category("operative").entries}
    assert op["notes"] < op["recognises"] < op["welcomes"] < op["encourages"] < op["supports"]
    assert op["supports"] < op["endorses"] < op["commits"]
    assert op["takes note"] == op["notes"] and op["calls on"] == op["encourages"] and op["resolves"] == op["commits"]
    assert lex.version == "1.0" and lex.name == "summit-default"
    assert lex.label.startswith("summit-default 1.0 sha256:")


def test_category_lookup_forgives_spelling_of_separators() -> None:
    lex = load_lexicon()
    assert lex.category("public_good").name == "public good"
    assert lex.category("Energy-and-Environment").name == "energy and environment"
    with pytest.raises(LexiconError, match="no category 'weather'.*categories: security"):
        lex.category("weather")


def test_hash_ignores_comments_and_layout_but_not_entries() -> None:
    a = parse_lexicon("safety:\n  - safe*\nrisk: [risk*]\n")
    b = parse_lexicon("# a comment\nsafety: [safe*]\n\nrisk:\n  - risk*\n")
    c = parse_lexicon("safety: [safe*, secure]\nrisk: [risk*]\n")
    assert a.hash == b.hash != c.hash


def test_nested_categories_and_multiword_entries(tmp_path: Path) -> None:
    p = tmp_path / "mine.yml"
    p.write_text(
        "# version: 2.1\nclimate:\n  energy: [energy, renewable*]\n  planet: [Planet*, 'net zero']\n",
        encoding="utf-8",
    )
    lex = load_lexicon(p)
    assert (lex.name, lex.version) == ("mine", "2.1")
    entries = {(e.pattern, e.level) for e in lex.category("climate").entries}
    assert entries == {("energy", "energy"), ("renewable*", "energy"), ("planet*", "planet"), ("net zero", "planet")}


@pytest.mark.parametrize(
    "content, message",
    [
        ("just a string", "no categories"),
        ("a: [b\n  - c: d: e", "not valid YAML"),
        ("safety: []\n", "has no entries"),
        ("safety: ['*']\n", "no letters"),
        ("safety: ['saf?']\n", "wildcard"),
        ("modal:\n  1 weak: [may]\n  2 strong: [must]\n  other: [will]\n", "numbered level"),
        ("safety: [safe]\nSafety: [secure]\n", "twice"),
    ],
)
def test_malformed_lexicons_give_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "bad.yml"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        load_lexicon(p)


def test_unreadable_lexicon_files(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot be read"):
        load_lexicon(tmp_path / "missing.yml")
    p = tmp_path / "latin1.yml"
    p.write_bytes("sécurité: [sûr]".encode("latin-1"))
    with pytest.raises(LexiconError, match="not UTF-8"):
        load_lexicon(p)


def test_default_lexicon_json_twin_is_current_and_gives_the_same_lexicon() -> None:
    """The window reads the default lexicon from its JSON twin (no YAML parser at start-up). After editing
    default.yml, run `python -m summit_reader.core.lexicon` to rewrite the twin."""
    import hashlib
    import json
    from importlib import resources as res

    from summit_reader.core.lexicon import (
        DEFAULT_LEXICON,
        PARSED_DEFAULT_LEXICON,
        load_lexicon,
        parse_lexicon,
    )

    folder = res.files("summit_reader.resources").joinpath("lexicons")
    text = folder.joinpath(DEFAULT_LEXICON).read_text("utf-8")
    twin = json.loads(folder.joinpath(PARSED_DEFAULT_LEXICON).read_text("utf-8"))
    assert twin["yaml_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest(), (
        "resources/lexicons/default.parsed.json is stale: run `python -m summit_reader.core.lexicon`"
    )
    assert load_lexicon() == parse_lexicon(text, name="summit-default", where="the default lexicon")


def test_a_stale_json_twin_is_ignored(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from summit_reader.core import lexicon as lexicon_module

    (tmp_path / "default.yml").write_text("# name: tiny\nsafety: [safe*]\n", encoding="utf-8")
    (tmp_path / "default.parsed.json").write_text('{"yaml_sha256": "0", "data": {"risk": ["risk*"]}}', encoding="utf-8")
    assert lexicon_module._default_parsed(tmp_path, "# name: tiny\nsafety: [safe*]\n") is None
