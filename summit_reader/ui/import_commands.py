"""What the window's file imports from research tools share (REFI-QDA projects, W3C Web Annotations): one
import at a time, run in a worker thread on its own connection to the library file, its menu entry off
while it runs, and its summary or error in a message that does not block the window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from summit_reader.core.store import Library
from summit_reader.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from summit_reader.ui.main_window import MainWindow


class ImportCommands(QObject):
    """Base of the window's import commands: subclasses make ``action_import`` and call :meth:`run_import`."""

    #: An import finished: its result (the window has been refreshed), or None when it failed.
    importFinished = Signal(object)

    #: The object name of the message boxes (tests and screenshots find them by it).
    MESSAGE_NAME = "ImportMessage"

    action_import: QAction

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.task: BackgroundTask | None = None
        self.message_box: QMessageBox | None = None

    def run_import(
        self,
        path: Path,
        work: Callable[[Library], Any],
        *,
        thread_name: str,
        status: str,
        done: Callable[[Path, Any], None],
        failed: Callable[[Path, str], None],
    ) -> BackgroundTask:
        """Run ``work`` on the worker's own connection to the library file; then ``done(path, result)`` or
        ``failed(path, message)`` in the window's thread."""
        library_path = self.window.library.path

        def in_worker(_report: object) -> Any:
            with Library(library_path) as library:  # the worker's own connection
                return work(library)

        task = BackgroundTask(in_worker, self, name=thread_name)
        task.succeeded.connect(lambda result: done(path, result))
        task.failed.connect(lambda message: failed(path, message))
        task.finished.connect(self._task_done)
        self.task = task
        self.action_import.setEnabled(False)
        self.window.show_status(status, 0)
        task.start()
        return task

    def _task_done(self) -> None:
        self.task = None
        if shiboken6.isValid(self.action_import):
            self.action_import.setEnabled(True)

    def _show(self, title: str, text: str, icon: QMessageBox.Icon, informative: str = "") -> None:
        """A message that does not block the window."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName(self.MESSAGE_NAME)
        box.setInformativeText(informative)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: setattr(self, "message_box", None))
        self.message_box = box
        box.open()
