"""File → Get the AI summit texts…: the official texts listed in the manifest, which of them are in the
library, and a Download button that fetches them from their publishers in a worker thread — one status
line per text, a Cancel button, and at the end a summary with one line per failure naming the text.

Nothing is downloaded until the user presses Download: opening the dialog reads only the packaged
manifest and the library."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.corpus import (
    DEFAULT_TIMEOUT,
    CorpusEntry,
    FetchResult,
    corpus_status,
    fetch_corpus,
    load_manifest,
)
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.store import Library
from summit_reader.ui.tasks import BackgroundTask

STATUS_TEXT = {
    "fetching": "Downloading…",
    "imported": "Imported",
    "updated": "Updated (the publisher changed it)",
    "unchanged": "Unchanged",
    "failed": "Failed — see below",
    "cancelled": "Not fetched (cancelled)",
}
TEXT, DATE, PLACE, PUBLISHER, STATUS = range(5)


@dataclass(frozen=True)
class _Step:
    position: int
    total: int
    entry_id: str
    status: str


class CorpusDialog(QDialog):
    """``library`` is the window's library (read in the UI thread for the list); the download opens its
    own ``Library`` on the same file in the worker thread. ``fetch``, ``base_urls`` and ``timeout`` go to
    :func:`~summit_reader.core.corpus.fetch_corpus` (tests point them at a local server)."""

    #: After a download that changed the library: ids of new documents, ids of updated ones.
    libraryChanged = Signal(list, list)
    #: The download is over (the results are in :attr:`results`).
    downloadFinished = Signal()

    def __init__(
        self,
        library: Library,
        parent: QWidget | None = None,
        *,
        entries: Sequence[CorpusEntry] | None = None,
        fetch: Callable[[str, float], bytes] | None = None,
        base_urls: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CorpusDialog")
        self.setWindowTitle("Get the AI summit texts")
        self.setSizeGripEnabled(True)
        self.library = library
        self._fetch = fetch
        self._base_urls = dict(base_urls) if base_urls else None
        self._timeout = timeout
        self.task: BackgroundTask | None = None
        self.results: list[FetchResult] = []
        self.error: str | None = None
        self._close_when_done = False
        self.entries: list[CorpusEntry] = []
        self.items: dict[str, QTreeWidgetItem] = {}

        heading = QLabel("The official texts of the AI summits")
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        heading.setFont(font)
        intro = QLabel(
            "Summit Reader ships no official text. <b>Download</b> fetches the ticked texts from their "
            "publishers — GOV.UK (www.gov.uk) and the Élysée (www.elysee.fr) — and imports each with its "
            "date, place, source address and the time it was retrieved. A text already in the library is "
            "left as it is when unchanged, and updated (annotations kept) when its publisher changed it."
            "<br><i>Nothing is downloaded until you press Download.</i>"
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setMinimumWidth(560)

        self.tree = QTreeWidget()
        self.tree.setAccessibleName("The AI summit texts")
        self.tree.setHeaderLabels(["Text", "Date", "Place", "Publisher", "In the library"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(PLACE, QHeaderView.ResizeMode.Stretch)  # short titles fit; places elide
        for column in (TEXT, DATE, PUBLISHER, STATUS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Download progress")
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setAccessibleName("Download summary")
        self.summary.setMaximumHeight(140)
        self.summary.hide()

        self.download_button = QPushButton("&Download")
        self.download_button.setAccessibleName("Download the ticked texts")
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button = QPushButton("&Cancel download")
        self.cancel_button.setAccessibleName("Cancel the download")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.close_button = QPushButton("C&lose")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self.resize(900, 470)

        try:
            self.entries = list(entries) if entries is not None else load_manifest()
        except SummitReaderError as exc:
            self.entries = []
            self._show_error(str(exc))
        self._fill()

    # --------------------------------------------------------------------- list

    def _fill(self) -> None:
        self.tree.clear()
        self.items = {}
        try:
            status = corpus_status(self.library, self.entries)
        except SummitReaderError as exc:
            status = [(entry, None) for entry in self.entries]
            self._show_error(str(exc))
        for entry, doc in status:
            where = f"Yes (document {doc.id})" if doc is not None else "No"
            item = QTreeWidgetItem([entry.short_title, entry.date, entry.place, entry.publisher, where])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(TEXT, Qt.CheckState.Checked)
            item.setToolTip(TEXT, f"{entry.title}\n{entry.place}, {entry.date}\n{entry.url}\nLicence: {entry.licence}"
                            + (f"\n{entry.note}" if entry.note else ""))
            item.setData(TEXT, Qt.ItemDataRole.UserRole, entry.id)
            self.tree.addTopLevelItem(item)
            self.items[entry.id] = item
        self.download_button.setEnabled(bool(self.entries))

    def checked_ids(self) -> list[str]:
        return [
            entry.id for entry in self.entries
            if self.items[entry.id].checkState(TEXT) == Qt.CheckState.Checked
        ]

    def set_checked(self, ids: Sequence[str]) -> None:
        for entry_id, item in self.items.items():
            item.setCheckState(TEXT, Qt.CheckState.Checked if entry_id in ids else Qt.CheckState.Unchecked)

    def status_text(self, entry_id: str) -> str:
        return self.items[entry_id].text(STATUS)

    # ----------------------------------------------------------------- download

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def start_download(self) -> None:
        if self.running:
            return
        only = self.checked_ids()
        if not only:
            self.status_label.setText("Tick at least one text to download.")
            return
        self.results = []
        self.error = None
        self.summary.clear()
        self.summary.hide()
        self.tree.setHeaderLabels(["Text", "Date", "Place", "Publisher", "Status"])
        for entry_id, item in self.items.items():
            item.setText(STATUS, "Waiting…" if entry_id in only else "")
        self.progress_bar.setRange(0, len(only))
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("%v of %m")
        self.progress_bar.show()
        self.status_label.setText("Connecting…")
        self.download_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.tree.setEnabled(True)

        path = self.library.path
        entries = list(self.entries)
        fetch, base_urls, timeout = self._fetch, self._base_urls, self._timeout

        def work(report: Callable[[object], None]) -> list[FetchResult]:
            assert task is not None
            with Library(path) as library:  # the worker's own connection
                return fetch_corpus(
                    library,
                    entries=entries,
                    only=only,
                    fetch=fetch,
                    base_urls=base_urls,
                    timeout=timeout,
                    progress=lambda i, n, entry, status: report(_Step(i, n, entry.id, status)),
                    cancelled=task.cancelled.is_set,
                )

        task = BackgroundTask(work, self, name="summit-reader-corpus")
        task.progress.connect(self._on_step)
        task.succeeded.connect(self._on_results)
        task.failed.connect(self._show_error)
        task.finished.connect(self._on_finished)
        self.task = task
        task.start()

    def cancel_download(self) -> None:
        if self.task is not None and self.running:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.status_label.setText("Cancelling — the text being downloaded is finished first…")

    def _on_step(self, step: object) -> None:
        if not isinstance(step, _Step):
            return
        item = self.items.get(step.entry_id)
        entry = next((e for e in self.entries if e.id == step.entry_id), None)
        if item is not None:
            item.setText(STATUS, STATUS_TEXT.get(step.status, step.status))
        if step.status == "fetching" and entry is not None:
            self.status_label.setText(
                f"Downloading “{entry.short_title}” from {entry.publisher} ({step.position} of {step.total})…"
            )
        else:
            self.progress_bar.setValue(step.position)

    def _on_results(self, results: object) -> None:
        self.results = list(results) if isinstance(results, list) else []
        added = [r.document_id for r in self.results if r.status == "imported" and r.document_id is not None]
        updated = [r.document_id for r in self.results if r.status == "updated" and r.document_id is not None]
        for result in self.results:
            item = self.items.get(result.entry.id)
            if item is None:
                continue
            text = STATUS_TEXT.get(result.status, result.status)
            if result.document_id is not None and result.ok:
                text = f"{text} (document {result.document_id})"
            item.setText(STATUS, text)
            item.setToolTip(STATUS, result.message)
        counts = {s: sum(1 for r in self.results if r.status == s) for s in STATUS_TEXT}
        lines = [
            f"{counts['imported']} imported, {counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{counts['failed']} failed" + (f", {counts['cancelled']} cancelled." if counts["cancelled"] else ".")
        ]
        failures = [r.message for r in self.results if r.status == "failed"]
        if failures:
            lines.append("")
            lines.extend(failures)
            lines.append("")
            lines.append("The other texts were imported; Download again later to retry the ones that failed.")
        self.summary.setPlainText("\n".join(lines))
        self.summary.show()
        failed = f" — {counts['failed']} failed (see above)" if counts["failed"] else ""
        self.status_label.setText(("Download cancelled" if counts["cancelled"] else "Download finished") + failed + ".")
        if added or updated:
            self.libraryChanged.emit(added, updated)

    def _show_error(self, message: str) -> None:
        self.error = message
        self.summary.setPlainText(message)
        self.summary.show()
        self.status_label.setText("The download failed." if self.task is not None else "")

    def _on_finished(self) -> None:
        self.cancel_button.setEnabled(False)
        self.download_button.setEnabled(bool(self.entries))
        self.download_button.setText("&Download again")
        self.progress_bar.setValue(self.progress_bar.maximum())
        self.downloadFinished.emit()
        if self._close_when_done:
            super().done(QDialog.DialogCode.Rejected.value)

    # ------------------------------------------------------------------ closing

    def done(self, result: int) -> None:
        if self.running:  # finish the text being fetched (at most one time-out), then close
            self._close_when_done = True
            self.cancel_download()
            return
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            self._close_when_done = True
            self.cancel_download()
            event.ignore()
            return
        super().closeEvent(event)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the download thread is done (for shutdown and tests)."""
        return self.task.wait(timeout) if self.task is not None else True
