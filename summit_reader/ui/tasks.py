"""One piece of work in a background thread (reading a large file, downloading the summit texts, a backup),
reporting its progress and its result by signal in the UI thread.

Work that touches the library opens its OWN ``Library`` on the same file inside the thread (SQLite
connections are not shared between threads) and closes it when done."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

from summit_reader.core.errors import SummitReaderError

#: ``work(report)``: ``report(value)`` sends ``value`` to the UI thread as ``progress``.
Work = Callable[[Callable[[object], None]], Any]


class BackgroundTask(QObject):
    """Run ``work`` in a thread of its own. Signals arrive in the UI thread (the task lives there).

    ``succeeded(result)`` or ``failed(message)``, then ``finished()``. A ``SummitReaderError`` becomes its
    message; any other exception a message that says it was unexpected (a bug must not pass silently).
    ``cancelled`` is an event the work may poll."""

    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, work: Work, parent: QObject | None = None, *, name: str = "summit-reader-task") -> None:
        super().__init__(parent)
        self._work = work
        self.cancelled = threading.Event()
        # A daemon thread: a download stuck in a time-out never keeps the application from quitting.
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> BackgroundTask:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def cancel(self) -> None:
        self.cancelled.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work is done (or ``timeout`` seconds); True if it is done."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _report(self, value: object) -> None:
        self._emit(self.progress, value)

    def _run(self) -> None:
        try:
            result = self._work(self._report)
        except SummitReaderError as exc:
            self._emit(self.failed, str(exc))
        except Exception as exc:  # reported to the user instead of killing the thread silently
            self._emit(self.failed, f"Something went wrong unexpectedly ({type(exc).__name__}: {exc}).")
        else:
            self._emit(self.succeeded, result)
        finally:
            self._emit(self.finished)

    @staticmethod
    def _emit(signal: SignalInstance, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the receiving window or dialog is gone
            signal.emit(*args)
