"""File → Import from / Export to research tools → REFI-QDA project (.qdpx)… and codebook (.qdc)…: the
window's side of :mod:`summit_reader.core.qda` (the same code as ``summit-reader import-qdpx`` and
``summit-reader export qdpx|qdc``).

The import runs in a worker thread on its own connection to the library file, in one transaction (all or
nothing); then the window reads the documents, tags and annotations again, opens the new documents in empty
panes and says what came in and what was left out. Exports are quick and run in the window. Errors are
shown in a message box; a failed import leaves the library as it was."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from summit_reader.core.errors import SummitReaderError
from summit_reader.ui.actions import _action
from summit_reader.ui.import_commands import ImportCommands

if TYPE_CHECKING:
    from summit_reader.core.qda import QdaExportResult, QdaImportResult
    from summit_reader.core.store import Library
    from summit_reader.ui.main_window import MainWindow
    from summit_reader.ui.tasks import BackgroundTask

# summit_reader.core.qda is imported on first use: it is not needed to open the window.

PROJECT_TEXT = "REFI-QDA project (.qdpx)…"
CODEBOOK_TEXT = "REFI-QDA codebook (.qdc)…"
PROJECT_FILTER = "REFI-QDA project (*.qdpx)"
CODEBOOK_FILTER = "REFI-QDA codebook (*.qdc)"


class QdaCommands(ImportCommands):
    """The three menu entries, the save/open questions and the import task."""

    MESSAGE_NAME = "QdaMessage"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.action_import = _action(
            window, PROJECT_TEXT, "Import documents, codes and coded passages from NVivo, ATLAS.ti, MAXQDA, QualCoder…"
        )
        self.action_import.setObjectName("ImportQdpx")
        self.action_export_project = _action(
            window, PROJECT_TEXT, "Save the library (documents, tags, annotations) as a project for NVivo, ATLAS.ti…"
        )
        self.action_export_project.setObjectName("ExportQdpx")
        self.action_export_codebook = _action(window, CODEBOOK_TEXT, "Save the tags as a codebook for other QDA programs")
        self.action_export_codebook.setObjectName("ExportQdc")
        self.action_import.triggered.connect(lambda: self.import_project())
        self.action_export_project.triggered.connect(lambda: self.export_project())
        self.action_export_codebook.triggered.connect(lambda: self.export_codebook())
        window.import_from_menu.addAction(self.action_import)
        window.export_to_menu.addActions([self.action_export_project, self.action_export_codebook])

    # ================================================================== export

    def _ask_save_path(self, caption: str, suffix: str, file_filter: str) -> Path | None:
        default = Path.home() / f"{self.window.library.path.stem}{suffix}"
        name, _ = QFileDialog.getSaveFileName(self.window, caption, str(default), f"{file_filter};;All files (*)")
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix(suffix)

    def export_project(self, path: Path | None = None) -> QdaExportResult | None:
        """Save the library as a ``.qdpx`` (asked for when ``path`` is None); None if cancelled or failed."""
        from summit_reader.core.qda import export_qdpx

        path = path or self._ask_save_path("Export a REFI-QDA project", ".qdpx", PROJECT_FILTER)
        if path is None:
            return None
        try:
            result = export_qdpx(self.window.library, path, lexicon_label=self.window.analyzer.lexicon.label)
        except SummitReaderError as exc:
            self._show("Cannot export the project", str(exc), QMessageBox.Icon.Warning)
            return None
        message = (
            f"Saved {result.documents} document(s), {result.codes} code(s) and {result.segments} coded "
            f"passage(s) to {path}."
        )
        if result.left_out:
            message += f" {result.left_out} annotation(s) that need review were left out."
        self.window.show_status(message, 10000)
        return result

    def export_codebook(self, path: Path | None = None) -> QdaExportResult | None:
        """Save the tags as a ``.qdc`` codebook (asked for when ``path`` is None)."""
        from summit_reader.core.qda import export_qdc

        path = path or self._ask_save_path("Export a REFI-QDA codebook", ".qdc", CODEBOOK_FILTER)
        if path is None:
            return None
        try:
            result = export_qdc(self.window.library, path, lexicon_label=self.window.analyzer.lexicon.label)
        except SummitReaderError as exc:
            self._show("Cannot export the codebook", str(exc), QMessageBox.Icon.Warning)
            return None
        self.window.show_status(f"Saved {result.codes} code(s) to {path}.", 8000)
        return result

    # ================================================================== import

    def import_project(self, path: Path | None = None) -> BackgroundTask | None:
        """Import a ``.qdpx`` in a worker thread (the file is asked for when ``path`` is None); the summary
        or the error is shown when it is done. Returns the task, or None when nothing was started."""
        if self.task is not None:
            self.window.show_status("A REFI-QDA import is still running.", 5000)
            return None
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self.window, "Import a REFI-QDA project", str(Path.home()), f"{PROJECT_FILTER};;All files (*)"
            )
            if not name:
                return None
            path = Path(name)

        def work(library: Library) -> QdaImportResult:
            from summit_reader.core.qda import import_qdpx

            return import_qdpx(library, path)

        return self.run_import(
            path, work, thread_name="summit-reader-qdpx-import", status=f"Importing the REFI-QDA project {path.name}…",
            done=self._imported, failed=self._failed,
        )

    def _imported(self, path: Path, result: QdaImportResult) -> None:
        window = self.window
        try:
            window.service.refresh()  # the library list, the panes' choosers, the graph and the table
        except SummitReaderError as exc:
            window.show_status(str(exc), 10000)
        for doc_id in result.document_ids:
            empty = next((p for p in window.panes if p.document is None), None)
            if empty is None:
                break
            if window.pane_for_document(doc_id) is None:
                window.open_document(doc_id, empty)
        window.service.request(list(result.document_ids))
        window.annotations.changed(None)  # tags, marks, the annotations panel; and other windows
        summary = result.summary()
        window.show_status(f"{path.name}: {summary}", 10000)
        self._show("REFI-QDA project imported", f"{path.name}: {summary}", QMessageBox.Icon.Information,
                   "\n\n".join(result.messages))
        self.importFinished.emit(result)

    def _failed(self, path: Path, message: str) -> None:
        self.window.show_status(message.splitlines()[0], 10000)
        self._show(f"Cannot import {path.name}", message, QMessageBox.Icon.Warning, "Nothing was changed in the library.")
        self.importFinished.emit(None)


def install_qda_commands(window: MainWindow) -> QdaCommands:
    """Add the REFI-QDA import and exports to the window's research-tool menus."""
    return QdaCommands(window)
