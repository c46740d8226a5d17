"""Work that runs off the UI thread and reports back by signal.

A worker opens its OWN ``Library`` on the same file (SQLite connections are not shared across threads)
and closes it when done. spaCy is imported here, in the worker thread, on the first analysis that is not
cached yet."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from summit_reader.core.analysis import Analyzer
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.store import Library


class AnalysisSignals(QObject):
    """Lives in the UI thread; the worker emits, so connected slots run in the UI thread."""

    started = Signal(int)  # number of documents
    progress = Signal(int, int, str)  # done, total, title of the document being analysed
    analysed = Signal(int, object)  # document id, DocumentAnalysis
    failed = Signal(int, str)  # document id (0 if none), message for the user
    finished = Signal()
    engineLoaded = Signal()  # the analysis engine (spaCy pipeline) is built (EngineWarmUp)


class AnalysisJob(QRunnable):
    """Analyse (or read from the cache) some documents of the library at ``library_path``."""

    def __init__(
        self,
        library_path: Path,
        analyzer: Analyzer,
        document_ids: Sequence[int],
        signals: AnalysisSignals,
        cancelled: threading.Event,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.library_path = library_path
        self.analyzer = analyzer
        self.document_ids = list(document_ids)
        self.signals = signals
        self.cancelled = cancelled

    def run(self) -> None:
        total = len(self.document_ids)
        current = 0
        try:
            self.signals.started.emit(total)
            library = Library(self.library_path)
            try:
                for done, doc_id in enumerate(self.document_ids):
                    if self.cancelled.is_set():
                        return
                    current = doc_id
                    try:
                        doc = library.get_document(doc_id)
                    except SummitReaderError:
                        continue  # deleted meanwhile
                    self.signals.progress.emit(done, total, doc.title)
                    analysis = self.analyzer.analyse_document(library, doc)
                    if self.cancelled.is_set():
                        return
                    self.signals.analysed.emit(doc_id, analysis)
                self.signals.progress.emit(total, total, "")
            finally:
                library.close()
        except SummitReaderError as exc:
            self.signals.failed.emit(current, str(exc))
        except Exception as exc:  # a bug must not kill the thread silently
            self.signals.failed.emit(current, f"The analysis failed unexpectedly: {exc!r}.")
        finally:
            self.signals.finished.emit()


class EngineWarmUp(QRunnable):
    """Load the analyzer's engine now (importing spaCy: its tokenizer, and the lexicon compiled with it), so
    that the next document that is not in the cache is analysed at once. It runs in the analysis thread, so
    the engine is built by (and stays with) the thread that uses it."""

    def __init__(self, analyzer: Analyzer, signals: AnalysisSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.analyzer = analyzer
        self.signals = signals

    def run(self) -> None:
        try:
            self.analyzer.compiled  # noqa: B018 (a cached property: loads the engine once)
        except Exception as exc:  # a broken spaCy install is reported, not raised in a worker thread
            self.signals.failed.emit(0, f"The analysis engine could not be loaded: {exc!r}.")
            return
        self.signals.engineLoaded.emit()
