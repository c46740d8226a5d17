"""`summit-reader corpus list|fetch` and `summit-reader import` of HTML/DOCX, driven as a user would.
The publishers are the local stand-in of tests/corpus_pages.py (texts written for the tests)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result

from summit_reader.cli import cli
from summit_reader.core import corpus
from tests.corpus_pages import MINISTERIAL_PATH, SEOUL_ANNEX_CHILD, Publishers, running_publishers


@pytest.fixture
def publishers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Publishers]:
    with running_publishers(monkeypatch) as state:
        yield state


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def local(publishers: Publishers, monkeypatch: pytest.MonkeyPatch) -> Publishers:
    """The CLI's downloads go to the local publishers instead of the real addresses."""
    real = corpus.http_fetch
    monkeypatch.setattr(corpus, "http_fetch", lambda url, timeout: real(publishers.rewrite(url), timeout))
    return publishers


def test_corpus_list_needs_no_network(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> object:
        raise AssertionError("network access")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    result = invoke("--db", str(db_path), "corpus", "list", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows][:1] == ["bletchley-2023"] and len(rows) == 5
    assert all(r["document"] == "" for r in rows)
    table = invoke("--db", str(db_path), "corpus", "list")
    assert "Seoul Ministerial Statement" in table.stdout and "corpus fetch" in table.stderr


def test_corpus_fetch_imports_then_skips_unchanged(db_path: Path, local: Publishers) -> None:
    result = invoke("--db", str(db_path), "corpus", "fetch")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "[1/5] Bletchley Declaration: downloading from GOV.UK…"
    assert lines[1] == "[1/5] 'Bletchley Declaration' imported (document 1)."
    assert lines[-1] == "5 imported, 0 updated, 0 unchanged, 0 failed."
    rows = json.loads(invoke("--db", str(db_path), "corpus", "list", "--format", "json").stdout)
    assert [r["document"] for r in rows] == [1, 2, 3, 4, 5]
    docs = json.loads(invoke("--db", str(db_path), "list", "--format", "json").stdout)
    assert [d["date"] for d in docs] == ["2023-11-01", "2024-05-21", "2024-05-21", "2024-05-22", "2025-02-11"]

    again = invoke("--db", str(db_path), "corpus", "fetch", "--only", "paris-2025")
    assert again.exit_code == 0
    assert again.stdout.splitlines() == [
        "[1/1] Paris Statement: downloading from Élysée…",
        "[1/1] 'Paris Statement' is unchanged (document 5).",
        "0 imported, 0 updated, 1 unchanged, 0 failed.",
    ]


def test_corpus_fetch_reports_each_failure_and_imports_the_rest(db_path: Path, local: Publishers) -> None:
    del local.routes["/govuk/api/content" + MINISTERIAL_PATH]
    local.routes["/govuk/api/content" + SEOUL_ANNEX_CHILD].slow = True
    result = invoke("--db", str(db_path), "corpus", "fetch", "--timeout", "0.5")
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("Error: Could not get 'Seoul Statement of Intent' from GOV.UK: no answer")
    assert errors[1].startswith("Error: Could not get 'Seoul Ministerial Statement' from GOV.UK: the page was not found")
    assert result.stdout.splitlines()[-1] == "3 imported, 0 updated, 0 unchanged, 2 failed."
    assert len(json.loads(invoke("--db", str(db_path), "list", "--format", "json").stdout)) == 3


def test_corpus_fetch_unknown_id(db_path: Path, local: Publishers) -> None:
    result = invoke("--db", str(db_path), "corpus", "fetch", "--only", "atlantis")
    assert result.exit_code == 1
    assert "No corpus text with the id 'atlantis'; the ids are bletchley-2023" in result.stderr
    assert local.requests == []


def test_import_html_and_docx_and_report_a_bad_pdf(db_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<title>t</title><nav>menu</nav><h1>Test HTML heading</h1><p>Written for the tests.</p>", encoding="utf-8")
    word = tmp_path / "notes.docx"
    document = docx.Document()
    document.add_paragraph("Test DOCX heading", style="Heading 1")
    document.add_paragraph("Also written for the tests.")
    document.save(str(word))
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog broken")
    result = invoke("--db", str(db_path), "import", str(page), str(bad), str(word))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["1\tTest HTML heading", "2\tTest DOCX heading"]
    assert "Error: 'broken.pdf' is damaged or is not a valid PDF file" in result.stderr
    shown = invoke("--db", str(db_path), "show", "1").stdout
    assert shown.endswith("Test HTML heading\n\nWritten for the tests.\n") and "menu" not in shown
    duplicate = invoke("--db", str(db_path), "import", str(page))
    assert duplicate.exit_code == 0
    assert "skipped page.html: This text is already in the library as 'Test HTML heading' (id 1)." in duplicate.stderr
