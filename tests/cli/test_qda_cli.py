"""`summit-reader export qdpx|qdc` and `summit-reader import-qdpx`, driven through Click's runner as a user
would, on texts written for the tests."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from click.testing import CliRunner

from summit_reader.cli import cli
from tests.helpers import qdpx_fixture as fx

NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}
TEXT = "Delegates in Zürich 🤝 agreed to test naïve systems before release."


def run(*args: str, ok: bool = True) -> tuple[str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    assert "Traceback" not in result.output
    return result.stdout, result.stderr


def _annotated_library(tmp_path: Path) -> Path:
    db = tmp_path / "mine.sqlite3"
    source = tmp_path / "text.txt"
    source.write_text(TEXT, encoding="utf-8")
    run("--db", str(db), "import", str(source), "--title", "Illustrative text", "--date", "2024-05-21")
    run("--db", str(db), "annotate", "1", "--quote", "naïve systems", "--tag", "risk", "--note", "Why naïve?")
    run("--db", str(db), "annotate", "1", "--quote", "🤝", "--tag", "cooperation")
    return db


def test_export_qdpx_writes_a_project_and_import_qdpx_reads_it_back(tmp_path: Path) -> None:
    db = _annotated_library(tmp_path)
    out = tmp_path / "project.qdpx"
    stdout, _ = run("--db", str(db), "export", "qdpx", str(out))
    assert "1 document(s)" in stdout and "2 coded segment(s)" in stdout
    with zipfile.ZipFile(out) as zf:
        root = ET.fromstring(zf.read("project.qde"))
    assert root.get("name") == "project"
    assert "Lexicon: " in root.findtext("q:Description", "", NS)

    other = tmp_path / "other.sqlite3"
    stdout, _ = run("--db", str(other), "import-qdpx", str(out))
    assert "1 document added" in stdout and "2 annotations added" in stdout
    mine = json.loads(run("--db", str(db), "annotations", "--format", "json")[0])
    theirs = json.loads(run("--db", str(other), "annotations", "--format", "json")[0])
    keys = ("id", "start", "end", "quote", "note", "tags")
    assert [{k: a[k] for k in keys} for a in theirs] == [{k: a[k] for k in keys} for a in mine]


def test_export_qdc_writes_the_tags_as_a_codebook(tmp_path: Path) -> None:
    db = _annotated_library(tmp_path)
    out = tmp_path / "codes.qdc"
    stdout, _ = run("--db", str(db), "export", "qdc", str(out))
    root = ET.parse(out).getroot()
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    names = {c.get("name") for c in root.iterfind(".//c:Code", NS)}
    assert {"risk", "cooperation"} <= names
    assert f"Wrote {len(names)} code(s)" in stdout
    assert "Lexicon: summit-default" in out.read_text(encoding="utf-8")  # the lexicon in use, as in every export


def test_import_qdpx_reports_what_was_left_out(tmp_path: Path) -> None:
    project = fx.other_tool_project(tmp_path).path
    db = tmp_path / "lib.sqlite3"
    stdout, stderr = run("--db", str(db), "import-qdpx", str(project))
    assert "2 documents added" in stdout and "4 annotations added" in stdout
    assert "“Report.pdf” was not imported" in stderr
    listed = run("--db", str(db), "list", "--format", "json")[0]
    assert {d["title"] for d in json.loads(listed)} == {"Harbour interview", "Statement"}


def test_a_broken_project_gives_one_line_and_changes_nothing(tmp_path: Path) -> None:
    db = _annotated_library(tmp_path)
    before = run("--db", str(db), "annotations", "--format", "json")[0]
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"PK\x03\x04 this is no archive")
    result = CliRunner().invoke(cli, ["--db", str(db), "import-qdpx", str(broken)])
    assert result.exit_code == 1
    assert "is not a REFI-QDA project" in result.output and "Traceback" not in result.output
    assert run("--db", str(db), "annotations", "--format", "json")[0] == before


def test_export_into_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    db = _annotated_library(tmp_path)
    result = CliRunner().invoke(cli, ["--db", str(db), "export", "qdpx", str(tmp_path / "nowhere" / "p.qdpx")])
    assert result.exit_code == 1 and "does not exist" in result.output
