"""The official corpus: manifest facts, and the download against a local stand-in for the publishers
(tests/corpus_pages.py: pages with the real pages' structure, filled with texts written for the tests)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from summit_reader.core import corpus
from summit_reader.core.corpus import USER_AGENT, FetchResult, corpus_status, fetch_corpus, load_manifest
from summit_reader.core.errors import CorpusError
from summit_reader.core.store import Library
from tests.corpus_pages import (
    BLETCHLEY_PATH,
    GOVUK,
    LABEL,
    MINISTERIAL_CHILD,
    MINISTERIAL_PATH,
    PARIS_PATH,
    SEOUL_ANNEX_CHILD,
    SEOUL_DECLARATION_CHILD,
    Publishers,
    Route,
    elysee_page,
    html_publication,
    running_publishers,
)


@pytest.fixture
def publishers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Publishers]:
    with running_publishers(monkeypatch) as state:
        yield state


IDS = ["bletchley-2023", "seoul-declaration-2024", "seoul-statement-of-intent-2024", "seoul-ministerial-2024", "paris-2025"]


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    with Library(db_path) as lib:
        yield lib


def by_id(results: list[FetchResult]) -> dict[str, FetchResult]:
    return {r.entry.id: r for r in results}


# ---------------------------------------------------------------------------------------------- manifest


def test_manifest_holds_the_summit_texts_as_facts_only() -> None:
    entries = load_manifest()
    assert [e.id for e in entries] == IDS
    facts = {e.id: (e.date, e.kind, e.publisher) for e in entries}
    assert facts["bletchley-2023"] == ("2023-11-01", "declaration", "GOV.UK")
    assert facts["seoul-declaration-2024"] == ("2024-05-21", "declaration", "GOV.UK")
    assert facts["seoul-statement-of-intent-2024"] == ("2024-05-21", "annex", "GOV.UK")
    assert facts["seoul-ministerial-2024"] == ("2024-05-22", "statement", "GOV.UK")
    assert facts["paris-2025"] == ("2025-02-11", "statement", "Élysée")
    for e in entries:
        assert e.url.startswith("https://") and e.licence and e.title and e.short_title and e.place
        if e.publisher == "GOV.UK":
            assert e.extraction == "govuk-content-api"
            assert e.api == "https://www.gov.uk/api/content" + e.url.removeprefix("https://www.gov.uk")
            assert e.licence == "Open Government Licence v3.0"
        else:
            assert e.extraction == "html-article" and e.url.startswith("https://www.elysee.fr/")
    raw = (Path(__file__).parents[2] / "resources" / "corpus" / "summits.json").read_text(encoding="utf-8")
    assert len(raw) < 12_000  # facts only: no text is shipped
    assert not any(key in raw for key in ('"body"', '"text"'))


def test_a_broken_manifest_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"documents": [{"id": "x", "title": "T"}]}), encoding="utf-8")
    with pytest.raises(CorpusError, match="Entry 'x' of the corpus manifest lacks"):
        load_manifest(bad)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CorpusError, match="cannot be read"):
        load_manifest(bad)


def test_nothing_touches_the_network_unless_asked(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> object:
        raise AssertionError("network access without the user asking")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(corpus, "http_fetch", no_network)
    status = corpus_status(library)
    assert [doc for _entry, doc in status] == [None] * 5


# ------------------------------------------------------------------------------------------------- fetch


def test_fetch_imports_every_text_with_its_metadata(library: Library, publishers: Publishers) -> None:
    calls: list[tuple[int, int, str, str]] = []
    results = fetch_corpus(
        library, base_urls=publishers.base_urls, progress=lambda i, n, e, s: calls.append((i, n, e.id, s))
    )
    assert [(r.entry.id, r.status) for r in results] == [(i, "imported") for i in IDS]
    assert calls[:2] == [(1, 5, "bletchley-2023", "fetching"), (1, 5, "bletchley-2023", "imported")]
    assert len(calls) == 10

    docs = {r.entry.id: library.get_document(r.document_id or 0) for r in results}
    bletchley = docs["bletchley-2023"]
    assert bletchley.title.startswith("The Bletchley Declaration")
    assert (bletchley.date, bletchley.kind, bletchley.place) == ("2023-11-01", "declaration", "Bletchley Park, United Kingdom")
    assert bletchley.source_url == GOVUK + BLETCHLEY_PATH
    assert bletchley.retrieved_at and bletchley.retrieved_at.endswith("Z")
    assert len(bletchley.text_hash) == 64
    # paragraphs, headings and numbered items kept apart
    assert bletchley.text.startswith(LABEL + "\n\nPart one of the first test text\n\nParagraph 1 of the first test text")
    assert "\n\n1. a first numbered commitment written for the tests;\n2. a second" in bletchley.text

    # a publication page's HTML attachments: each text records its own page
    assert docs["seoul-declaration-2024"].source_url == GOVUK + SEOUL_DECLARATION_CHILD
    assert "second test text" in docs["seoul-declaration-2024"].text
    assert docs["seoul-statement-of-intent-2024"].source_url == GOVUK + SEOUL_ANNEX_CHILD
    assert "third test text" in docs["seoul-statement-of-intent-2024"].text
    assert docs["seoul-statement-of-intent-2024"].kind == "annex"

    paris = docs["paris-2025"].text
    assert paris.startswith("Test statement written for Summit Reader\n\n11 February 2025\n\n" + LABEL)
    assert "• first test bullet of the page;\n• second test bullet of the page." in paris
    for furniture in ("Menu entry", "cookie", "breadcrumb", "Share this", "footer", "tracking", "color"):
        assert furniture not in paris

    # only the documents' addresses were asked for, never the page's style sheet or scripts
    paths = [p for p, _ua in publishers.requests]
    assert not any(p.startswith("/static") for p in paths)
    assert all(ua == USER_AGENT and "SummitReader" in ua for _p, ua in publishers.requests)
    assert [doc is not None for _e, doc in corpus_status(library)] == [True] * 5


def test_rerun_skips_unchanged_and_updates_changed_texts(library: Library, publishers: Publishers) -> None:
    first = by_id(fetch_corpus(library, base_urls=publishers.base_urls))
    paris_id = first["paris-2025"].document_id
    assert paris_id is not None
    paris = library.get_document(paris_id)
    stays = paris.text.index("Paragraph 1 of the fifth")
    moves = paris.text.index("second test bullet")
    kept = library.add_annotation(paris_id, stays, stays + 11, note="before the change")
    moved = library.add_annotation(paris_id, moves, moves + 18, note="after the change")

    again = fetch_corpus(library, base_urls=publishers.base_urls)
    assert {r.status for r in again} == {"unchanged"}
    assert "unchanged" in again[0].message and "Bletchley Declaration" in again[0].message
    assert len(library.list_documents()) == 5

    publishers.html(PARIS_PATH, elysee_page("fifth").replace("first test bullet", "first revised test bullet"))
    third = by_id(fetch_corpus(library, base_urls=publishers.base_urls))
    assert third["paris-2025"].status == "updated" and third["paris-2025"].document_id == paris_id
    assert "1 annotation(s) re-anchored" in third["paris-2025"].message  # the passage after the change
    assert "need review" not in third["paris-2025"].message
    assert {r.status for k, r in third.items() if k != "paris-2025"} == {"unchanged"}
    updated = library.get_document(paris_id)
    assert "first revised test bullet" in updated.text and updated.text_hash != paris.text_hash
    assert updated.title == paris.title and updated.date == paris.date
    assert (updated.retrieved_at or "") >= (paris.retrieved_at or "")
    assert library.get_annotation(kept.id).status == "ok"
    after = library.get_annotation(moved.id)
    assert after.status == "ok" and after.start == moved.start + len("revised ")
    assert {(p.annotation_id, p.status) for p in third["paris-2025"].placements} == {
        (kept.id, "unchanged"),
        (moved.id, "moved"),
    }
    assert updated.text[after.start : after.end] == "second test bullet"
    assert len(library.list_documents()) == 5


@pytest.mark.parametrize(
    "scenario, failing, expected",
    [
        ("not found", "seoul-ministerial-2024", ["'Seoul Ministerial Statement'", "GOV.UK", "HTTP 404"]),
        ("time-out", "seoul-statement-of-intent-2024", ["'Seoul Statement of Intent'", "within 0.5 s", "timed out"]),
        ("govuk layout", "bletchley-2023", ["'Bletchley Declaration'", "layout has changed", "details.body"]),
        ("attachment gone", "seoul-ministerial-2024", ["'Seoul Ministerial Statement'", "layout has changed", "attachment"]),
        ("not json", "seoul-declaration-2024", ["'Seoul Declaration'", "JSON", "layout has changed"]),
        ("elysee layout", "paris-2025", ["'Paris Statement'", "Élysée", "layout has changed", "no article"]),
        ("offline", "paris-2025", ["'Paris Statement'", "no connection"]),
    ],
)
def test_one_failure_is_named_and_the_rest_still_imports(
    library: Library, publishers: Publishers, scenario: str, failing: str, expected: list[str]
) -> None:
    base_urls = publishers.base_urls
    if scenario == "not found":
        del publishers.routes["/govuk/api/content" + MINISTERIAL_PATH]
    elif scenario == "time-out":
        publishers.routes["/govuk/api/content" + SEOUL_ANNEX_CHILD].slow = True
    elif scenario == "govuk layout":
        page = html_publication(BLETCHLEY_PATH, "Test title A", "first")
        page["details"] = {"parts": [{"body": "<p>moved</p>"}]}
        publishers.json(BLETCHLEY_PATH, page)
    elif scenario == "attachment gone":
        publishers.json(MINISTERIAL_PATH, {"schema_name": "publication", "details": {"attachments": []}, "links": {}})
    elif scenario == "not json":
        publishers.set("/govuk/api/content" + SEOUL_DECLARATION_CHILD, Route(body=b"<html>a test error page</html>"))
    elif scenario == "elysee layout":
        publishers.html(PARIS_PATH, elysee_page("fifth", changed=True))
    elif scenario == "offline":
        base_urls = {**base_urls, "https://www.elysee.fr": "http://127.0.0.1:9"}  # nothing listens on port 9
    results = fetch_corpus(library, base_urls=base_urls, timeout=0.5 if scenario == "time-out" else 5)
    statuses = {r.entry.id: r.status for r in results}
    assert statuses.pop(failing) == "failed"
    assert set(statuses.values()) == {"imported"}
    message = by_id(results)[failing].message
    for part in expected:
        assert part in message, message
    assert "\n" not in message and "Traceback" not in message
    assert len(library.list_documents()) == 4


def test_only_and_cancel(library: Library, publishers: Publishers) -> None:
    results = fetch_corpus(library, base_urls=publishers.base_urls, only=["paris-2025"])
    assert [(r.entry.id, r.status) for r in results] == [("paris-2025", "imported")]
    with pytest.raises(CorpusError, match="No corpus text with the id 'atlantis'"):
        fetch_corpus(library, base_urls=publishers.base_urls, only=["atlantis"])

    done: list[str] = []
    results = fetch_corpus(
        library,
        base_urls=publishers.base_urls,
        progress=lambda i, n, e, s: done.append(s),
        cancelled=lambda: "imported" in done,
    )
    assert [r.status for r in results] == ["imported", "cancelled", "cancelled", "cancelled", "cancelled"]
    assert "cancelled" in results[1].message and "'Seoul Declaration'" in results[1].message
    assert len(library.list_documents()) == 2


def test_a_text_already_imported_by_hand_is_not_duplicated(library: Library, publishers: Publishers) -> None:
    from summit_reader.core.corpus import download_text
    from summit_reader.core.documents import new_document

    entry = next(e for e in load_manifest() if e.id == "paris-2025")
    text, _url = download_text(entry, base_urls=publishers.base_urls)
    mine = library.add_document(new_document(text, "My copy"))
    result = by_id(fetch_corpus(library, base_urls=publishers.base_urls))["paris-2025"]
    assert result.status == "unchanged" and result.document_id == mine.id
    assert "already in the library as 'My copy'" in result.message
    assert len(library.list_documents()) == 5


def test_the_default_client_sends_the_user_agent_and_refuses_other_schemes(publishers: Publishers) -> None:
    url = publishers.rewrite(GOVUK + "/api/content" + MINISTERIAL_CHILD)
    assert b"fourth test text" in corpus.http_fetch(url, 5)
    assert publishers.requests[-1][1] == USER_AGENT
    with pytest.raises(CorpusError, match="only downloads http and https"):
        corpus.http_fetch("file:///etc/passwd", 5)


def test_replace_document_text_keeps_metadata_and_reanchors_annotations(library: Library) -> None:
    from summit_reader.core.documents import new_document
    from summit_reader.core.errors import InvalidInputError, NotFoundError

    doc = library.add_document(new_document("Alpha beta gamma. Delta epsilon.", "Replace test", date="2024-01-02"))
    assert doc.id is not None
    stays = library.add_annotation(doc.id, 0, 5)  # "Alpha"
    moves = library.add_annotation(doc.id, 18, 23)  # "Delta"
    result = library.replace_document_text(doc.id, "Alpha beta. Delta epsilon zeta.", retrieved_at="2026-01-01T00:00:00Z")
    new = result.document
    assert (new.title, new.date, new.retrieved_at) == ("Replace test", "2024-01-02", "2026-01-01T00:00:00Z")
    assert new.text_hash != doc.text_hash and library.find_document_by_hash(new.text_hash) == new
    assert [(p.annotation_id, p.status) for p in result.placements] == [(stays.id, "unchanged"), (moves.id, "moved")]
    assert library.get_annotation(stays.id).status == "ok"
    moved = library.get_annotation(moves.id)
    assert (moved.start, moved.end, moved.quote, moved.status) == (12, 17, "Delta", "ok")
    with pytest.raises(NotFoundError):
        library.replace_document_text(999, "text")
    with pytest.raises(InvalidInputError, match="empty"):
        library.replace_document_text(doc.id, "  ")
