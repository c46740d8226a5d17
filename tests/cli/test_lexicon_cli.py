"""`summit-reader lexicon show|convert|use|reset`, `--lexicon FILE.dic`, and the lexicon's label in every
export of the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from summit_reader.cli import cli
from summit_reader.core.lexicon import load_lexicon
from summit_reader.core.lexicon_formats import read_lexicon
from summit_reader.core.settings import Settings
from tests.conftest import SAMPLE_TEXTS

# Written for these tests (a LIWC-style dictionary): words of the sample texts in categories of our own.
CARE_DIC = "%\n1\tcare\n2\tknowledge\n%\nsafe*\t1\nsecurity\t1\nresearch\t2\ndialogue\t2\n"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def run(*args: str) -> str:
    code, out, err = invoke(*args)
    assert code == 0, out + err
    return out


@pytest.fixture
def library(sample_files: dict[str, Path], db_path: Path) -> Path:
    for year, (title, date, _text) in SAMPLE_TEXTS.items():
        run("--db", str(db_path), "import", str(sample_files[year]), "--title", title, "--date", date)
    return db_path


@pytest.fixture
def care_dic(tmp_path: Path) -> Path:
    path = tmp_path / "care.dic"
    path.write_text(CARE_DIC, encoding="utf-8")
    return path


def test_show_lists_categories_entry_counts_levels_and_the_label(care_dic: Path) -> None:
    out = run("lexicon", "show")
    assert out.startswith(f"lexicon: {load_lexicon().label}\n")
    assert "default lexicon shipped with Summit Reader" in out
    modal = next(line for line in out.splitlines() if line.startswith("modal"))
    assert modal.split()[1] == str(len(load_lexicon().category("modal").entries)) and "1 possibility; 2 advice; 3 intention; 4 obligation" in modal
    rows = json.loads(run("lexicon", "show", str(care_dic), "--format", "json"))
    assert rows == [{"category": "care", "entries": 2, "levels": ""}, {"category": "knowledge", "entries": 2, "levels": ""}]
    code, _out, err = invoke("lexicon", "show", str(care_dic.with_name("missing.dic")))
    assert code == 1 and "cannot be read" in err


def test_convert_yaml_to_dic_and_back_says_what_dic_cannot_hold(tmp_path: Path) -> None:
    default = Path(__file__).parents[2] / "resources" / "lexicons" / "default.yml"
    code, out, err = invoke("lexicon", "convert", str(default), str(tmp_path / "summit.dic"))
    assert code == 0
    assert "Note: A .dic file has no scale levels" in err and "name and version" in err
    assert "lexicon: summit unversioned sha256:" in out and "17 categories" in out
    code, out, _err = invoke("lexicon", "convert", str(tmp_path / "summit.dic"), str(tmp_path / "back.yml"), "--name", "flat", "--version", "2")
    assert code == 0 and "lexicon: flat 2 sha256:" in out
    back = read_lexicon(tmp_path / "back.yml").lexicon
    assert back.category_names == load_lexicon().category_names and not back.category("modal").is_scale
    # YAML to YAML keeps everything, the hash included
    run("lexicon", "convert", str(default), str(tmp_path / "copy.yaml"))
    assert read_lexicon(tmp_path / "copy.yaml").lexicon == load_lexicon()
    code, _out, err = invoke("lexicon", "convert", str(tmp_path / "copy.yaml"), str(tmp_path / "copy.yaml"))
    assert code == 1 and "is the file being converted" in err
    code, _out, err = invoke("lexicon", "convert", str(default), str(tmp_path / "out.csv"))
    assert code == 1 and ".yml or .yaml" in err and not (tmp_path / "out.csv").exists()


def test_global_lexicon_option_reads_a_dic_file(library: Path, care_dic: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("--db", str(library), "--lexicon", str(care_dic), "stats", "--format", "csv"))))
    assert list(rows[0])[4:] == ["care", "knowledge"]
    # 2023: "risks to safety" "for safety" "AI safety" "on security" -> care 4; "research on AI safety" -> 1
    assert (rows[0]["care"], rows[0]["knowledge"]) == ("4", "1")


def test_use_and_reset_persist_for_later_commands(library: Path, care_dic: Path, tmp_path: Path) -> None:
    out = run("lexicon", "use", str(care_dic))
    assert "Counting with care unversioned sha256:" in out
    assert Settings.load().lexicon_path == str(care_dic.resolve())
    header = run("--db", str(library), "stats", "--format", "csv").splitlines()[0]
    assert header.endswith("care,knowledge")
    # --lexicon still wins for one command
    assert "modal" in run("--db", str(library), "--lexicon", str(Path(__file__).parents[2] / "resources/lexicons/default.yml"), "stats", "--format", "csv").splitlines()[0]
    # a file that cannot be used changes nothing
    bad = tmp_path / "bad.dic"
    bad.write_text("%\n1\tcare\n%\nsafe*\t9\n", encoding="utf-8")
    code, _out, err = invoke("lexicon", "use", str(bad))
    assert code == 1 and "points at category 9" in err
    assert Settings.load().lexicon_path == str(care_dic.resolve())
    # a chosen file that disappeared: the error says how to go back
    care_dic.rename(tmp_path / "moved.dic")
    code, _out, err = invoke("--db", str(library), "stats")
    assert code == 1 and "lexicon reset" in err
    assert "default lexicon" in run("lexicon", "reset")
    assert Settings.load().lexicon_path == ""
    assert "modal" in run("--db", str(library), "stats", "--format", "csv").splitlines()[0]


def test_every_cli_export_carries_the_lexicon_label(library: Path, care_dic: Path, tmp_path: Path) -> None:
    label = read_lexicon(care_dic).lexicon.label
    run("--db", str(library), "annotate", "1", "--quote", "safety", "--note", "first")
    run("--db", str(library), "--lexicon", str(care_dic), "export", "annotations", str(tmp_path / "a.csv"))
    run("--db", str(library), "--lexicon", str(care_dic), "export", "stats", str(tmp_path / "s.csv"))
    for name in ("a.csv", "s.csv"):
        rows = list(csv.DictReader((tmp_path / name).open(encoding="utf-8", newline="")))
        assert rows and all(row["lexicon"] == label for row in rows), name
