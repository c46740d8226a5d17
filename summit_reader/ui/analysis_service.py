"""The window's model of the library: document summaries, texts and their analyses.

Views listen to its signals. Analyses come first from the cache (no spaCy, synchronous, so a pane shows
its highlights at once); anything missing is analysed in one worker thread, one job at a time, which
reports each document as it is done."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from PySide6.QtCore import QObject, QThreadPool, Signal

from summit_reader.core.analysis import Analyzer, DocumentAnalysis
from summit_reader.core.documents import Document
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.models import DocumentSummary
from summit_reader.core.stats import StatsRow, StatsTable
from summit_reader.core.store import Library
from summit_reader.ui.workers import AnalysisJob, AnalysisSignals, EngineWarmUp

#: Texts kept in memory (the panes' documents plus a few recently seen).
TEXT_CACHE_SIZE = 12


class AnalysisService(QObject):
    documentsChanged = Signal()
    analysisReady = Signal(int)  # document id
    busyChanged = Signal(bool)
    progress = Signal(int, int, str)  # done, total, title
    failed = Signal(str)
    engineReady = Signal()  # the worker's analysis engine is loaded: a new document is analysed at once

    def __init__(self, library: Library, analyzer: Analyzer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.analyzer = analyzer
        # The worker's own analyzer: its spaCy pipeline is built once, in the worker thread, and only
        # one job runs at a time, so it is never used by two threads at once.
        self._worker_analyzer = Analyzer(analyzer.lexicon)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = AnalysisSignals(self)
        self._signals.analysed.connect(self._on_analysed)
        self._signals.progress.connect(self.progress)
        self._signals.failed.connect(self._on_failed)
        self._signals.finished.connect(self._on_job_finished)
        self._signals.engineLoaded.connect(self._on_engine_loaded)
        self._cancel = threading.Event()
        self._running_jobs = 0
        self._pending: set[int] = set()
        self._texts: OrderedDict[int, Document] = OrderedDict()
        self._analyses: dict[int, DocumentAnalysis] = {}
        self.summaries: list[DocumentSummary] = []
        self.refresh()

    # ------------------------------------------------------------------ documents

    def refresh(self) -> None:
        """Re-read the list of documents (after an import or a deletion)."""
        self.summaries = self.library.list_documents()
        known = {s.id: s.text_hash for s in self.summaries}
        for doc_id in list(self._analyses):
            if known.get(doc_id) != self._analyses[doc_id].text_hash:
                del self._analyses[doc_id]
        details = {s.id: (s.text_hash, s.title, s.date, s.place, s.kind, s.source_url) for s in self.summaries}
        for doc_id, doc in list(self._texts.items()):
            # deleted, its text replaced, or its details edited (Document → Edit details…)
            if details.get(doc_id) != (doc.text_hash, doc.title, doc.date, doc.place, doc.kind, doc.source_url):
                del self._texts[doc_id]
        self.documentsChanged.emit()

    def summary(self, doc_id: int) -> DocumentSummary | None:
        return next((s for s in self.summaries if s.id == doc_id), None)

    def document(self, doc_id: int) -> Document:
        """The document with its text (raises NotFoundError)."""
        doc = self._texts.get(doc_id)
        if doc is None:
            doc = self.library.get_document(doc_id)
            self._texts[doc_id] = doc
            while len(self._texts) > TEXT_CACHE_SIZE:
                self._texts.popitem(last=False)
        else:
            self._texts.move_to_end(doc_id)
        return doc

    # ------------------------------------------------------------------- analyses

    def analysis(self, doc_id: int, *, from_cache: bool = True) -> DocumentAnalysis | None:
        """The analysis if known; with ``from_cache`` also look in the library's cache (fast, no spaCy).
        When absent, the document is queued for the worker and ``analysisReady`` follows."""
        found = self._analyses.get(doc_id)
        if found is not None or not from_cache:
            return found
        try:
            doc = self.document(doc_id)
            found = self.analyzer.cached(self.library, doc)
        except SummitReaderError as exc:
            self.failed.emit(str(exc))
            return None
        if found is not None:
            self._analyses[doc_id] = found
        else:
            self.request([doc_id])
        return found

    def known_analyses(self) -> dict[int, DocumentAnalysis]:
        return dict(self._analyses)

    def missing(self) -> list[int]:
        return [s.id for s in self.summaries if s.id not in self._analyses]

    def request(self, doc_ids: Iterable[int]) -> None:
        """Analyse these documents in the worker (those not known or queued yet)."""
        wanted = [i for i in doc_ids if i not in self._analyses and i not in self._pending]
        if not wanted:
            return
        self._pending.update(wanted)
        was_busy = self.busy
        self._running_jobs += 1
        job = AnalysisJob(self.library.path, self._worker_analyzer, wanted, self._signals, self._cancel)
        self._pool.start(job)
        if not was_busy:
            self.busyChanged.emit(True)

    def request_all(self) -> None:
        self.request(self.missing())

    @property
    def busy(self) -> bool:
        return self._running_jobs > 0

    def warm_up(self) -> None:
        """Load the analysis engine (spaCy) in the worker thread now, so that the next document that is not
        in the cache is analysed without waiting for it; ``engineReady`` follows. The window calls this
        after its first paint: the window is never waiting for spaCy, but spaCy is loaded on every start."""
        if self.engine_ready:
            self.engineReady.emit()
            return
        self._pool.start(EngineWarmUp(self._worker_analyzer, self._signals))

    @property
    def engine_ready(self) -> bool:
        """Whether the worker's analyzer has loaded its engine (spaCy's tokenizer and the compiled lexicon)."""
        return self._worker_analyzer.loaded

    def _on_engine_loaded(self) -> None:
        if self.engine_ready:  # (not an analyzer replaced meanwhile by set_analyzer)
            self.engineReady.emit()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker is idle (for tests and shutdown)."""
        return bool(self._pool.waitForDone(msecs))

    def shutdown(self) -> None:
        self._cancel.set()
        self._pool.waitForDone()

    def _on_analysed(self, doc_id: int, analysis: DocumentAnalysis) -> None:
        self._pending.discard(doc_id)
        summary = self.summary(doc_id)
        if summary is None or summary.text_hash != analysis.text_hash:
            return
        if analysis.lexicon != self.analyzer.lexicon.label:  # counted with the lexicon used before
            return
        self._analyses[doc_id] = analysis
        self.analysisReady.emit(doc_id)

    def _on_failed(self, doc_id: int, message: str) -> None:
        self._pending.discard(doc_id)
        self.failed.emit(message)

    def _on_job_finished(self) -> None:
        self._running_jobs = max(0, self._running_jobs - 1)
        if self._running_jobs == 0:
            self._pending.clear()
            self.busyChanged.emit(False)

    def set_analyzer(self, analyzer: Analyzer) -> None:
        """Count with another lexicon from now on: the analyses known so far are forgotten and a job under
        way is stopped (the library's cache keeps every analysis by lexicon hash, so going back is quick).
        Call :meth:`request` or :meth:`analysis` for the documents wanted next."""
        self._cancel.set()
        self._pool.waitForDone()
        self._cancel = threading.Event()
        self.analyzer = analyzer
        self._worker_analyzer = Analyzer(analyzer.lexicon)
        self._analyses.clear()
        self._pending.clear()

    # ---------------------------------------------------------------------- stats

    def stats_table(self) -> StatsTable:
        """Documents × categories for every document analysed so far, in date order."""
        rows = tuple(StatsRow(s, self._analyses[s.id]) for s in self.summaries if s.id in self._analyses)
        lexicon = self.analyzer.lexicon
        return StatsTable(lexicon.category_names, rows, lexicon.label)
