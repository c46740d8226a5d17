"""`summit-reader export webannotations` and `summit-reader merge` with W3C Web Annotations, through Click's
runner as a user would type them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from summit_reader.cli import cli
from summit_reader.core.documents import text_hash
from summit_reader.core.store import Library
from tests.conftest import SAMPLE_TEXTS


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
        assert "Traceback" not in result.output
    return result.output


@pytest.fixture
def two_libraries(sample_files: dict[str, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A colleague's library with two annotated texts, and ours with the same texts in another order."""
    theirs, ours = tmp_path / "theirs.sqlite3", tmp_path / "ours.sqlite3"
    for db, years in ((theirs, ("2023", "2024")), (ours, ("2024", "2023"))):
        for year in years:
            title, date, _text = SAMPLE_TEXTS[year]
            run("--db", str(db), "import", str(sample_files[year]), "--title", title, "--date", date)
    run("--db", str(theirs), "annotate", "1", "--quote", "safety", "--occurrence", "2", "--note", "which safety?",
        "--tag", "hedge", "--author", "Ana")
    run("--db", str(theirs), "annotate", "2", "--quote", "cooperation", "--tag", "commitment")
    return theirs, ours


def test_export_then_merge_by_name(two_libraries: tuple[Path, Path], tmp_path: Path) -> None:
    theirs, ours = two_libraries
    out = tmp_path / "theirs.jsonld"
    assert "Wrote 2 annotation(s)" in run("--db", str(theirs), "export", "webannotations", str(out))
    items = json.loads(out.read_text("utf-8"))
    assert [i["type"] for i in items] == ["Annotation", "Annotation"]
    with Library(theirs) as library:
        label_hash = library.list_documents()[0].text_hash
        expected = [(a.id, a.start, a.end, a.note, a.tags, a.author) for a in library.list_annotations()]
    assert items[0]["target"]["source"]["id"] == f"urn:sha256:{label_hash}"
    assert "Lexicon: " in items[0]["generator"]["schema:description"]

    assert "2 added, 0 updated, 0 unchanged, 0 not matched" in run("--db", str(ours), "merge", str(out))
    with Library(ours) as library:
        merged = [(a.id, a.start, a.end, a.note, a.tags, a.author) for a in library.list_annotations()]
    assert sorted(merged) == sorted(expected)
    assert "0 added, 0 updated, 2 unchanged" in run("--db", str(ours), "merge", str(out))


def test_export_one_document(two_libraries: tuple[Path, Path], tmp_path: Path) -> None:
    theirs, _ours = two_libraries
    out = tmp_path / "one.jsonld"
    assert "Wrote 1 annotation(s)" in run("--db", str(theirs), "export", "webannotations", str(out), "--document", "2")
    (item,) = json.loads(out.read_text("utf-8"))
    assert item["target"]["selector"][0]["exact"] == "cooperation"
    assert "No document with id 99" in run("--db", str(theirs), "export", "webannotations", str(out), "--document", "99", ok=False)
    assert len(json.loads(out.read_text("utf-8"))) == 1  # the earlier file is left as it was
    missing = tmp_path / "no-such-folder" / "x.jsonld"
    assert "does not exist" in run("--db", str(theirs), "export", "webannotations", str(missing), ok=False)


def test_merge_sniffs_json_whatever_the_name(two_libraries: tuple[Path, Path], tmp_path: Path) -> None:
    """A Web Annotation file saved as .txt by another tool: read as JSON because it begins with "["."""
    _theirs, ours = two_libraries
    title, _date, text = SAMPLE_TEXTS["2023"]
    start = text.index("act together")
    other_tool = [{
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://annotations.example/42",
        "type": "Annotation",
        "body": {"type": "TextualBody", "value": "joint action"},
        "target": {"source": f"urn:sha256:{text_hash(text)}",
                   "selector": {"type": "TextPositionSelector", "start": start, "end": start + len("act together")}},
    }]
    saved = tmp_path / "from-another-tool.txt"
    saved.write_text("\n  " + json.dumps(other_tool), encoding="utf-8")
    assert "1 added" in run("--db", str(ours), "merge", str(saved))
    assert "joint action" in run("--db", str(ours), "annotations", "--format", "csv")


def test_merge_of_a_bad_json_file_changes_nothing(two_libraries: tuple[Path, Path], tmp_path: Path) -> None:
    _theirs, ours = two_libraries
    run("--db", str(ours), "annotate", "1", "--quote", "cooperation", "--note", "ours")
    before = run("--db", str(ours), "annotations", "--format", "csv")
    broken = tmp_path / "broken.jsonld"
    broken.write_text('[{"type": "Annotation", "target": ', encoding="utf-8")
    assert "not valid JSON" in run("--db", str(ours), "merge", str(broken), ok=False)
    wrong = tmp_path / "package.json"
    wrong.write_text('{"name": "something", "version": "1.0"}', encoding="utf-8")
    assert "does not hold W3C Web Annotations" in run("--db", str(ours), "merge", str(wrong), ok=False)
    latin = tmp_path / "latin.json"
    latin.write_bytes('[{"body": "caf\u00e9"}]'.encode("latin-1"))
    assert "not valid UTF-8" in run("--db", str(ours), "merge", str(latin), ok=False)
    assert run("--db", str(ours), "annotations", "--format", "csv") == before


def test_readme_documents_the_commands() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "summit-reader export webannotations" in readme
    assert "summit-reader merge" in readme and ".jsonld" in readme
