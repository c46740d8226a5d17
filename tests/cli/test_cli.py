"""The command line, driven as a user would (Click's runner), on texts written for the tests."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from summit_reader import __version__
from summit_reader.cli import cli
from tests.conftest import SAMPLE_TEXTS


def run(*args: str, ok: bool = True, input: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
        assert "Traceback" not in result.output
    return result.output


@pytest.fixture
def library(sample_files: dict[str, Path], db_path: Path) -> Path:
    for year, (title, date, _text) in SAMPLE_TEXTS.items():
        run("--db", str(db_path), "import", str(sample_files[year]), "--title", title, "--date", date, "--place", "Nowhere")
    return db_path


def test_import_prints_id_and_list_puts_id_first(library: Path) -> None:
    out = run("--db", str(library), "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0].keys())[0] == "id"
    assert [r["date"] for r in rows] == ["2023-11-01", "2024-05-21", "2025-02-11"]
    assert rows[0]["title"] == SAMPLE_TEXTS["2023"][0]
    table = run("--db", str(library), "list")
    assert table.splitlines()[0].split()[:2] == ["id", "title"]


def test_env_var_picks_the_library(sample_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "elsewhere" / "mine.sqlite3"
    monkeypatch.setenv("SUMMIT_READER_DB", str(other))
    run("import", str(sample_files["2023"]), "--title", "T", "--date", "2023-11-01")
    assert other.exists()
    assert "T" in run("--db", str(other), "list")


def test_every_stats_figure_is_traceable_to_matches(library: Path) -> None:
    stats = json.loads(run("--db", str(library), "stats", "--format", "json"))
    assert [r["date"] for r in stats] == ["2023-11-01", "2024-05-21", "2025-02-11"]
    for row in stats:
        for category in ("safety", "modal", "operative", "innovation"):
            out = run("--db", str(library), "matches", str(row["id"]), "--category", category, "--format", "csv")
            matches = list(csv.DictReader(io.StringIO(out)))
            assert row[category] == len(matches)
            text = run("--db", str(library), "show", str(row["id"])).split("\n\n", 1)[1]
            for m in matches:
                assert text[int(m["start"]) : int(m["end"])] == m["text"]
    # the 2023 text speaks of safety three times; the 2025 text says "must" three times (once negated)
    assert stats[0]["safety"] == 3 and stats[2]["safety"] == 0
    modal_2025 = run("--db", str(library), "matches", str(stats[2]["id"]), "--category", "modal", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(modal_2025)))
    assert [(r["text"], r["rank"], r["negated"]) for r in rows] == [
        ("must", "4", "false"),
        ("must", "4", "true"),
        ("must", "4", "false"),
        ("cannot", "1", "true"),
    ]
    assert list(rows[0].keys()) == ["start", "end", "text", "category", "term", "rank", "negated"]


def test_stats_per_thousand_csv(library: Path) -> None:
    out = run("--db", str(library), "stats", "--per", "1000", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    first = rows[0]
    words = int(first["words"])
    assert float(first["safety per 1,000"]) == pytest.approx(3 * 1000 / words, abs=0.01)
    table = run("--db", str(library), "stats")
    assert "safety" in table.splitlines()[0]
    assert "lexicon: summit-default 1.0" in table


def test_annotate_and_export_round_trip(library: Path, tmp_path: Path) -> None:
    out = run(
        "--db", str(library), "annotate", "1", "--quote", "risks to safety", "--note", "first use", "--tag", "existing risk",
        "--tag", "my new tag",
    )
    ann_id, span, quote = out.strip().split("\t")
    assert quote == "risks to safety"
    csv_path = tmp_path / "out.csv"
    assert "Wrote 1 annotation" in run("--db", str(library), "export", "annotations", str(csv_path))
    raw = csv_path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0]["annotation_id"] == ann_id
    assert rows[0]["quote"] == "risks to safety" and rows[0]["note"] == "first use"
    assert rows[0]["tags"] == "existing risk;my new tag"
    assert rows[0]["document_title"] == SAMPLE_TEXTS["2023"][0]
    assert rows[0]["lexicon"].startswith("summit-default 1.0")
    assert f"{rows[0]['start']}-{rows[0]['end']}" == span
    assert "my new tag" in run("--db", str(library), "tags")
    assert "first use" in run("--db", str(library), "annotations", "1")
    run("--db", str(library), "export", "annotations", str(csv_path), "--bom")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_stats_file(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    run("--db", str(library), "export", "stats", str(out), "--per", "1000")
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert len(rows) == 3 and rows[0]["lexicon"].startswith("summit-default")


def test_formula_injection_is_neutralised_in_exports(library: Path, tmp_path: Path) -> None:
    run("--db", str(library), "annotate", "1", "--quote", "safety", "--note", "=HYPERLINK(\"http://x\")")
    out = tmp_path / "a.csv"
    run("--db", str(library), "export", "annotations", str(out))
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args, message",
    [
        (["matches", "99"], "No document with id 99"),
        (["matches", "1", "--category", "weather"], "no category 'weather'"),
        (["annotate", "1", "--quote", "not in the text"], "is not in this document"),
        (["annotate", "1", "--quote", "We", "--occurrence", "9"], "occurs only"),
        (["annotate", "1"], "give --quote"),
        (["import", "x.txt", "--date", "Nov 2023"], "YYYY-MM-DD"),
        (["stats", "--per", "0"], "0"),
    ],
)
def test_errors_are_one_clear_line(library: Path, args: list[str], message: str) -> None:
    out = run("--db", str(library), *args, ok=False)
    assert message in out


def test_bad_files_are_reported_and_the_rest_imported(library: Path, tmp_path: Path) -> None:
    bad = tmp_path / "legacy.txt"
    bad.write_bytes("S\xe9curit\xe9".encode("latin-1"))
    good = tmp_path / "good.txt"
    good.write_text("A new text about trust.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(library), "import", str(bad), str(good)])
    assert result.exit_code == 1
    assert "'legacy.txt' is not valid UTF-8" in result.output and "Traceback" not in result.output
    assert "Good" in run("--db", str(library), "list")


def test_duplicates_are_skipped_with_a_message(library: Path, sample_files: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["--db", str(library), "import", str(sample_files["2024"])])
    assert result.exit_code == 0
    assert "skipped sample-2024.txt" in result.output
    assert len(json.loads(run("--db", str(library), "list", "--format", "json"))) == 3


def test_not_a_library_file_is_refused_and_untouched(tmp_path: Path) -> None:
    fake = tmp_path / "notes.sqlite3"
    fake.write_bytes(b"these are my notes, not a database" * 10)
    before = fake.read_bytes()
    out = run("--db", str(fake), "list", ok=False)
    assert "not" in out and "Traceback" not in out
    assert fake.read_bytes() == before


def test_delete_asks_and_counts_annotations(library: Path) -> None:
    run("--db", str(library), "annotate", "2", "--quote", "cooperation")
    out = run("--db", str(library), "delete", "2", input="n\n", ok=False)
    assert "1 annotation" in out
    assert "Deleted" in run("--db", str(library), "delete", "2", "--yes")
    assert len(json.loads(run("--db", str(library), "list", "--format", "json"))) == 2


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help, name
        assert f"summit-reader {name}" in readme, f"`summit-reader {name}` is not documented in the README"
        assert "Usage" in run(name, "--help")


def test_no_subcommand_opens_the_window(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    calls: list[tuple[Path, bool]] = []
    fake = types.ModuleType("summit_reader.ui.app")
    fake.run = lambda db, demo=False: calls.append((db, demo)) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "summit_reader.ui.app", fake)
    run("--db", str(db_path))
    run("--db", str(db_path), "--demo")
    assert calls == [(db_path, False), (db_path, True)]


def test_python_dash_m_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "summit_reader", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"summit-reader, version {__version__}"


def test_merge_counts_annotations_whose_document_is_missing(library: Path, tmp_path: Path) -> None:
    run("--db", str(library), "annotate", "2", "--quote", "cooperation", "--note", "theirs", "--tag", "hedge")
    exported = tmp_path / "theirs.csv"
    run("--db", str(library), "export", "annotations", str(exported))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "empty.sqlite3"), "merge", str(exported)])
    assert result.exit_code == 0, result.output
    assert "0 added" in result.output and "1 not matched" in result.output
    assert "is not in this library" in result.output  # the message (on stderr, mixed in by the runner)


def test_merge_into_a_library_with_the_document(sample_files: dict[str, Path], tmp_path: Path) -> None:
    theirs, ours = tmp_path / "theirs.sqlite3", tmp_path / "ours.sqlite3"
    title, date, _text = SAMPLE_TEXTS["2024"]
    for db in (theirs, ours):
        run("--db", str(db), "import", str(sample_files["2024"]), "--title", title, "--date", date)
    run("--db", str(theirs), "annotate", "1", "--quote", "cooperation", "--note", "theirs", "--tag", "hedge")
    exported = tmp_path / "theirs.csv"
    run("--db", str(theirs), "export", "annotations", str(exported))
    assert "1 added, 0 updated, 0 unchanged, 0 not matched" in run("--db", str(ours), "merge", str(exported))
    assert "theirs" in run("--db", str(ours), "annotations", "1")
    assert "0 added, 0 updated, 1 unchanged" in run("--db", str(ours), "merge", str(exported))
    bad = tmp_path / "bad.csv"
    bad.write_text("not,a,csv\r\n", encoding="utf-8")
    out = run("--db", str(ours), "merge", str(bad), ok=False)
    assert "not a Summit Reader annotation export" in out
