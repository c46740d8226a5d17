"""A second coder from the command line: `coder import/list/remove`, `agreement`, `disagreements` and
`resolve`, driven through Click's runner on the tests' own sample texts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from summit_reader.cli import cli
from summit_reader.core.store import Library
from tests.conftest import SAMPLE_TEXTS

TEXT_A = SAMPLE_TEXTS["2023"]


def invoke(db: Path, *args: str, ok: bool = True, input: str | None = None) -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], input=input, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
        assert "Traceback" not in result.output
    return result


def make_library(path: Path, quotes: list[tuple[str, list[str], str]], author: str = "") -> None:
    title, date, text = TEXT_A
    args = ["import"]
    source = path.with_suffix(".txt")
    source.write_text(text, encoding="utf-8")
    invoke(path, *args, str(source), "--title", title, "--date", date)
    for quote, tags, note in quotes:
        extra = [arg for tag in tags for arg in ("--tag", tag)] + (["--author", author] if author else [])
        invoke(path, "annotate", "1", "--quote", quote, "--note", note, *extra)


@pytest.fixture
def libraries(tmp_path: Path) -> tuple[Path, Path]:
    mine, theirs = tmp_path / "mine.sqlite3", tmp_path / "colleague" / "theirs.sqlite3"
    theirs.parent.mkdir()
    # text A has 3 sentences; I code 1 (risk) and 2 (hedge); they code 1 (risk) and 3 (risk)
    make_library(mine, [("AI may pose risks", ["existing risk"], ""), ("Developers should test", ["hedge"], "only should")])
    make_library(
        theirs,
        [("risks to safety", ["existing risk"], "agree"), ("we should act together", ["existing risk"], "also a risk")],
        author="Bo",
    )
    return mine, theirs


def test_import_list_and_remove_a_second_coder(libraries: tuple[Path, Path]) -> None:
    mine, theirs = libraries
    before = hashlib.sha256(theirs.read_bytes()).hexdigest()
    out = invoke(mine, "coder", "import", str(theirs), "--name", "Bo").output
    assert "Imported 'Bo': 2 annotation(s) over 1 document(s)." in out
    assert hashlib.sha256(theirs.read_bytes()).hexdigest() == before
    rows = list(csv.DictReader(io.StringIO(invoke(mine, "coder", "list", "--format", "csv").stdout)))
    assert [(r["name"], r["source"], r["documents"], r["annotations"]) for r in rows] == [("Bo", "theirs.sqlite3", "1", "2")]
    # my own annotations did not change
    assert len(json.loads(invoke(mine, "annotations", "--format", "json").stdout)) == 2
    # the same name again: asked first; "no" keeps the coding
    invoke(mine, "coder", "import", str(theirs), "--name", "bo", input="n\n", ok=False)
    assert "Replaced" in invoke(mine, "coder", "import", str(theirs), "--name", "bo", "--yes").output
    invoke(mine, "coder", "remove", "Bo", "--yes")
    assert invoke(mine, "coder", "list", "--format", "json").stdout.strip() == "[]"
    assert "No second coder called 'Bo'" in invoke(mine, "coder", "remove", "Bo", "--yes", ok=False).output


def test_agreement_by_tag_with_hand_computed_figures(libraries: tuple[Path, Path]) -> None:
    mine, theirs = libraries
    invoke(mine, "coder", "import", str(theirs), "--name", "Bo")
    rows = json.loads(invoke(mine, "agreement", "--format", "json").stdout)
    by_tag = {r["tag"]: r for r in rows}
    risk = by_tag["existing risk"]
    # mine 1 0 0, theirs 1 0 1: observed 2/3; p_e = (1·2 + 2·1)/9 = 4/9; kappa = (2/3 − 4/9)/(5/9) = 2/5;
    # alpha = 1 − (2·3 − 1)·1 / (3·3) = 4/9
    assert (risk["units"], risk["mine"], risk["theirs"], risk["both"]) == (3, 1, 2, 1)
    assert risk["kappa"] == pytest.approx(0.4) and risk["alpha"] == pytest.approx(4 / 9, abs=1e-6)
    # hedge: mine 0 1 0, theirs 0 0 0 → observed 2/3, p_e = 6/9, kappa = (6/9 − 6/9)/(3/9) = 0
    assert by_tag["hedge"]["kappa"] == pytest.approx(0.0)
    assert by_tag["all"]["units"] == 6
    table = invoke(mine, "agreement", "--unit", "character", "--by", "document")
    assert "unit: character (non-space characters)" in table.output
    assert table.stdout.splitlines()[0].split()[:3] == ["tag", "document", "units"]


def test_an_unused_tag_is_shown_as_a_dash_with_the_reason(libraries: tuple[Path, Path], tmp_path: Path) -> None:
    mine, theirs = libraries
    title, date, text = SAMPLE_TEXTS["2024"]
    second = tmp_path / "b.txt"
    second.write_text(text, encoding="utf-8")
    for db in (mine, theirs):  # a second text that neither of us coded
        invoke(db, "import", str(second), "--title", title, "--date", date)
    invoke(mine, "coder", "import", str(theirs), "--name", "Bo")
    out = invoke(mine, "agreement", "--by", "both").stdout
    hedge_b = next(line for line in out.splitlines() if line.startswith("hedge") and title[:30] in line)
    assert re.split(r"\s{2,}", hedge_b)[-3:] == ["—", "—", "neither coder used the tag"]  # kappa, alpha, note
    rows = [r for r in csv.DictReader(io.StringIO(invoke(mine, "agreement", "--by", "both", "--format", "csv").stdout))]
    cell = next(r for r in rows if r["tag"] == "hedge" and r["document"] == title)
    assert (cell["units"], cell["kappa"], cell["alpha"], cell["note"]) == ("3", "", "", "neither coder used the tag")
    # pooled over both texts, hedge is defined: 6 units, mine 1, theirs 0 → kappa 0
    pooled = next(r for r in rows if r["tag"] == "hedge" and r["document"] == "all")
    assert (pooled["units"], pooled["kappa"]) == ("6", "0.0")
    assert {(r["coder"], r["unit"]) for r in rows} == {("Bo", "sentence")}  # what the file is about, in the file
    assert "Bo" not in out.split("\n\n")[0]  # the table says it below, not in a column


def test_disagreements_and_resolving_them(libraries: tuple[Path, Path]) -> None:
    mine, theirs = libraries
    invoke(mine, "coder", "import", str(theirs), "--name", "Bo")
    listed = json.loads(invoke(mine, "disagreements", "--format", "json").stdout)
    assert {(d["tag"], d["coded_by"]) for d in listed} == {("existing risk", "only them"), ("hedge", "only me")}
    risk = next(d for d in listed if d["tag"] == "existing risk")
    assert risk["passage"] == "We welcome research on AI safety, and we should act together on security."
    assert "also a risk" in risk["theirs"] and risk["mine"] == ""
    hedge = next(d for d in listed if d["tag"] == "hedge")
    assert "only should" in hedge["mine"]
    # a wrong action for the side is explained, and changes nothing
    refused = invoke(mine, "resolve", risk["id"], "remove", ok=False)
    assert "nothing of yours to remove" in refused.output
    # take theirs: their annotation becomes mine
    assert "Took Bo's annotation" in invoke(mine, "resolve", risk["id"], "take").output
    notes = [a["note"] for a in json.loads(invoke(mine, "annotations", "--format", "json").stdout)]
    assert "also a risk" in notes
    # keep mine: remembered, hidden unless --all
    invoke(mine, "resolve", hedge["id"], "keep")
    assert json.loads(invoke(mine, "disagreements", "--format", "json").stdout) == []
    (kept,) = json.loads(invoke(mine, "disagreements", "--all", "--format", "json").stdout)
    assert (kept["id"], kept["resolved"]) == (hedge["id"], "keep")
    # the figures now agree on "existing risk"
    rows = {r["tag"]: r for r in json.loads(invoke(mine, "agreement", "--format", "json").stdout)}
    assert rows["existing risk"]["kappa"] == 1.0
    # a resolved id is gone; an unknown one is explained
    assert "No disagreement with the id" in invoke(mine, "resolve", risk["id"], "take", ok=False).output
    assert "not a disagreement id" in invoke(mine, "resolve", "nonsense", "keep", ok=False).output


def test_disagreements_of_one_tag_and_remove(libraries: tuple[Path, Path]) -> None:
    mine, theirs = libraries
    invoke(mine, "coder", "import", str(theirs), "--name", "Bo")
    (hedge,) = json.loads(invoke(mine, "disagreements", "--tag", "HEDGE", "--format", "json").stdout)
    assert "Removed yours: deleted 1 annotation" in invoke(mine, "resolve", hedge["id"], "remove").output
    with Library(mine) as library:
        assert [a.tags for a in library.list_annotations()] == [("existing risk",)]
        (resolution,) = library.list_resolutions(library.get_coder("Bo").id)
        assert (resolution.action, resolution.tag) == ("remove", "hedge")
    assert "Neither coder used the tag 'safety'" in invoke(mine, "disagreements", "--tag", "safety", ok=False).output


def test_bad_file_is_one_clear_line_and_nothing_is_imported(libraries: tuple[Path, Path], tmp_path: Path) -> None:
    mine, _theirs = libraries
    bad = tmp_path / "notes.csv"
    bad.write_bytes("annotation_id,quote\r\nÄ".encode("latin-1"))
    out = invoke(mine, "coder", "import", str(bad), "--name", "X", ok=False).output
    assert "Error: 'notes.csv' is not UTF-8 text" in out
    assert invoke(mine, "coder", "list", "--format", "json").stdout.strip() == "[]"
    assert "There is no second coder yet" in invoke(mine, "agreement", ok=False).output


def test_several_coders_need_a_choice(libraries: tuple[Path, Path]) -> None:
    mine, theirs = libraries
    invoke(mine, "coder", "import", str(theirs), "--name", "Bo")
    invoke(mine, "coder", "import", str(theirs), "--name", "Cy")
    assert "choose one with --coder" in invoke(mine, "agreement", ok=False).output
    assert json.loads(invoke(mine, "agreement", "--coder", "cy", "--format", "json").stdout)
