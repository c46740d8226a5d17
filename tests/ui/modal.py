"""Answer the modal dialogs that a call opens, as a user would, one handler per dialog in order.

``QDialog.exec()`` runs an event loop of its own, so the answers come from a timer: it looks for the active
modal widget and calls the next handler with it (from a single-shot timer, so a handler may click a button
that opens the next modal dialog). A handler that fails, a dialog nobody expected and a dialog left open
are closed and reported as test failures — the test fails instead of hanging. Progress dialogs (which
close by themselves) are left alone."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox, QProgressDialog, QWidget

Handler = Callable[[QWidget], None]


def describe(widget: QWidget) -> str:
    if isinstance(widget, QMessageBox):
        return f"{widget.windowTitle()!r}: {widget.text()} {widget.informativeText()}"
    return f"{type(widget).__name__} {widget.windowTitle()!r}"


def close(widget: QWidget) -> None:
    if isinstance(widget, QDialog):
        widget.reject()
    else:
        widget.close()


def click(button: QAbstractButton | None) -> None:
    assert button is not None, "no such button"
    assert button.isVisible() and button.isEnabled(), f"the button {button.text()!r} cannot be clicked"
    button.click()


def message_text(widget: QWidget) -> str:
    assert isinstance(widget, QMessageBox), describe(widget)
    return f"{widget.text()}\n{widget.informativeText()}"


class ModalAnswers:
    """``with ModalAnswers(handler1, handler2): code_that_opens_dialogs()``."""

    def __init__(self, *handlers: Handler, patience: float = 15.0) -> None:
        self.handlers = list(handlers)
        self.patience = patience
        self.seen: list[QWidget] = []
        self.texts: list[str] = []
        self.errors: list[BaseException] = []
        self._handled_at = 0.0
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)

    def __enter__(self) -> ModalAnswers:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.stop()
        if kind is not None:
            return
        if self.errors:
            raise self.errors[0]
        assert not self.handlers, f"{len(self.handlers)} expected dialog(s) never opened (seen: {self.texts})"

    def _tick(self) -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or not widget.isVisible() or isinstance(widget, QProgressDialog):
            return  # a progress dialog is not a question: it closes by itself
        if any(widget is w for w in self.seen):
            if time.monotonic() - self._handled_at > self.patience:
                self.errors.append(AssertionError(f"the dialog {describe(widget)} was left open"))
                close(widget)
            return
        self.seen.append(widget)
        self.texts.append(describe(widget))
        self._handled_at = time.monotonic()
        if not self.handlers:
            self.errors.append(AssertionError(f"an unexpected dialog opened: {describe(widget)}"))
            close(widget)
            return
        handler = self.handlers.pop(0)
        QTimer.singleShot(0, lambda: self._run(handler, widget))

    def _run(self, handler: Handler, widget: QWidget) -> None:
        try:
            handler(widget)
        except BaseException as exc:  # noqa: BLE001 - re-raised in __exit__
            self.errors.append(exc)
            if widget.isVisible():
                close(widget)
