"""File → Get the AI summit texts…, driven as a user would, against the local stand-in for the publishers
(tests/corpus_pages.py: pages with the real pages' structure, filled with texts written for the tests).
No real network: every address is rewritten to 127.0.0.1, and opening the dialog downloads nothing."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from summit_reader.core.store import Library
from summit_reader.ui.dialogs.corpus_dialog import CorpusDialog
from tests.corpus_pages import BLETCHLEY_PATH, PARIS_PATH, Publishers, Route, running_publishers
from tests.ui.modal import click

IDS = ["bletchley-2023", "seoul-declaration-2024", "seoul-statement-of-intent-2024", "seoul-ministerial-2024", "paris-2025"]


@pytest.fixture
def publishers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Publishers]:
    with running_publishers(monkeypatch) as state:
        yield state


@pytest.fixture
def empty_window(make_window, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "empty.sqlite3")
    window = make_window(library, graph=False)
    yield window
    window.close()
    library.close()


def open_dialog(window) -> CorpusDialog:  # type: ignore[no-untyped-def]
    window.acts.get_corpus.trigger()
    dialog = window.documents_ui.corpus_dialog
    assert isinstance(dialog, CorpusDialog) and dialog.isVisible()
    return dialog


def download(qtbot, dialog: CorpusDialog) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.downloadFinished, timeout=30000):
        click(dialog.download_button)


def test_opening_the_dialog_downloads_nothing(empty_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def no_network(*args: object, **kwargs: object) -> object:
        raise AssertionError("network access")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    dialog = open_dialog(empty_window)
    assert dialog.items["bletchley-2023"].text(0) == "Bletchley Declaration"
    assert dialog.items["bletchley-2023"].toolTip(0).startswith("The Bletchley Declaration by Countries")
    assert dialog.items["paris-2025"].text(3) == "Élysée"
    assert [dialog.status_text(i) for i in IDS] == ["No"] * 5
    assert dialog.checked_ids() == IDS
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    click(dialog.close_button)
    assert not dialog.isVisible()
    # the welcome view's button opens it too
    empty_window.welcome.corpus_button.click()
    assert empty_window.documents_ui.corpus_dialog.isVisible()
    empty_window.documents_ui.corpus_dialog.reject()


def test_download_imports_every_text_with_a_status_line_each(empty_window, qtbot, publishers: Publishers) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    window.documents_ui.corpus_options = {"base_urls": publishers.base_urls}
    dialog = open_dialog(window)
    download(qtbot, dialog)
    statuses = [dialog.status_text(i) for i in IDS]
    assert all(s.startswith("Imported (document ") for s in statuses), statuses
    assert dialog.summary.toPlainText().splitlines()[0] == "5 imported, 0 updated, 0 unchanged, 0 failed."
    assert dialog.progress_bar.value() == 5
    assert all(agent.startswith("SummitReader/") for _path, agent in publishers.requests)
    # the window shows them, in date order, without being asked
    summaries = window.service.summaries
    assert [s.date for s in summaries] == sorted(s.date for s in summaries) and len(summaries) == 5
    assert window.library_panel.visible_titles()[0].startswith("The Bletchley Declaration")
    assert window.stack.currentWidget() is window.reading
    assert [p.document_id for p in window.panes] == [dialog.results[0].document_id, dialog.results[1].document_id]
    # again: nothing changed
    download(qtbot, dialog)
    assert [dialog.status_text(i) for i in IDS] == [f"Unchanged (document {r.document_id})" for r in dialog.results]
    assert len(window.service.summaries) == 5


def test_failures_name_the_text_and_the_others_still_import(empty_window, qtbot, publishers: Publishers) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    publishers.set("/elysee" + PARIS_PATH, Route(status=404, body=b"<html>Test 404</html>", content_type="text/html"))
    publishers.set("/govuk/api/content" + BLETCHLEY_PATH, Route(body=b'{"details": {"body": "<p>Only a teaser.</p>"}}'))
    window.documents_ui.corpus_options = {"base_urls": publishers.base_urls}
    dialog = open_dialog(window)
    download(qtbot, dialog)
    assert dialog.status_text("paris-2025") == "Failed — see below"
    assert dialog.status_text("bletchley-2023") == "Failed — see below"
    assert dialog.status_text("seoul-ministerial-2024").startswith("Imported")
    summary = dialog.summary.toPlainText()
    assert summary.splitlines()[0] == "3 imported, 0 updated, 0 unchanged, 2 failed."
    assert "Could not get 'Bletchley Declaration' from GOV.UK: the page's layout has changed" in summary
    assert "Could not get 'Paris Statement' from Élysée: the page was not found (HTTP 404)" in summary
    assert len(window.service.summaries) == 3


def test_offline_each_text_fails_with_its_name(empty_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    closed = {"https://www.gov.uk": "http://127.0.0.1:9/govuk", "https://www.elysee.fr": "http://127.0.0.1:9/elysee"}
    window.documents_ui.corpus_options = {"base_urls": closed, "timeout": 3.0}
    dialog = open_dialog(window)
    dialog.set_checked(["bletchley-2023", "paris-2025"])
    download(qtbot, dialog)
    lines = dialog.summary.toPlainText().splitlines()
    assert lines[0] == "0 imported, 0 updated, 0 unchanged, 2 failed."
    assert lines[2].startswith("Could not get 'Bletchley Declaration' from GOV.UK: no connection to www.gov.uk")
    assert lines[3].startswith("Could not get 'Paris Statement' from Élysée: no connection to www.elysee.fr")
    assert dialog.status_text("seoul-declaration-2024") == ""  # not ticked, not fetched
    assert window.service.summaries == []


def test_cancel_finishes_the_current_text_and_fetches_no_other(empty_window, qtbot, publishers: Publishers) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    route = publishers.routes["/govuk/api/content" + BLETCHLEY_PATH]
    route.slow = True  # the first answer waits until the test releases it
    window.documents_ui.corpus_options = {"base_urls": publishers.base_urls}
    dialog = open_dialog(window)
    click(dialog.download_button)
    qtbot.waitUntil(lambda: dialog.status_text("bletchley-2023") == "Downloading…", timeout=10000)
    assert dialog.cancel_button.isEnabled() and not dialog.download_button.isEnabled()
    with qtbot.waitSignal(dialog.downloadFinished, timeout=20000):
        click(dialog.cancel_button)
        assert "Cancelling" in dialog.status_label.text()
        publishers.release.set()
    assert dialog.status_text("bletchley-2023").startswith("Imported")
    assert [dialog.status_text(i) for i in IDS[1:]] == ["Not fetched (cancelled)"] * 4
    assert dialog.summary.toPlainText().splitlines()[0] == "1 imported, 0 updated, 0 unchanged, 0 failed, 4 cancelled."
    assert len(window.service.summaries) == 1


def test_closing_during_a_download_cancels_it_first(empty_window, qtbot, publishers: Publishers) -> None:  # type: ignore[no-untyped-def]
    window = empty_window
    publishers.routes["/govuk/api/content" + BLETCHLEY_PATH].slow = True
    window.documents_ui.corpus_options = {"base_urls": publishers.base_urls}
    dialog = open_dialog(window)
    click(dialog.download_button)
    qtbot.waitUntil(lambda: dialog.status_text("bletchley-2023") == "Downloading…", timeout=10000)
    click(dialog.close_button)
    assert dialog.isVisible()  # it waits for the text being downloaded
    publishers.release.set()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)
    assert not dialog.running
    assert len(window.library.list_documents()) == 1
