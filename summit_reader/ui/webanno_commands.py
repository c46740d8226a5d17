"""File → Import from / Export to research tools → W3C Web Annotations (JSON-LD)…: the window's side of
:mod:`summit_reader.core.webanno` (the same code as ``summit-reader merge`` and ``summit-reader export
webannotations``).

The import runs in a worker thread on its own connection to the library file (one transaction: all or
nothing); the window then reads the annotations, tags and marks again and says what was merged. An error
is shown in a message box, and the library is as it was."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from summit_reader.core.errors import SummitReaderError
from summit_reader.ui.actions import _action
from summit_reader.ui.import_commands import ImportCommands

if TYPE_CHECKING:
    from summit_reader.core.merge import MergeResult
    from summit_reader.core.store import Library
    from summit_reader.ui.main_window import MainWindow
    from summit_reader.ui.tasks import BackgroundTask
    from summit_reader.ui.widgets.web_annotations_export import WebAnnotationsExportDialog

# summit_reader.core.webanno and the export dialog are imported on first use: they are not needed to open
# the window.

MENU_TEXT = "W3C Web Annotations (JSON-LD)…"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def summary_text(result: MergeResult) -> str:
    """What an import did, in one line."""
    return (
        f"{_plural(result.added, 'annotation')} added, {result.updated:,} updated, {result.unchanged:,} already "
        f"here, {result.unmatched:,} left out."
    )


class WebAnnotationCommands(ImportCommands):
    """The two menu entries, the export dialog and the import task."""

    MESSAGE_NAME = "WebAnnotationsMessage"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.export_dialog: WebAnnotationsExportDialog | None = None
        self.action_import = _action(
            window, MENU_TEXT, "Merge annotations from a W3C Web Annotation file (Summit Reader, Recogito, Hypothesis…)"
        )
        self.action_import.setObjectName("ImportWebAnnotations")
        self.action_export = _action(
            window, MENU_TEXT, "Save annotations as W3C Web Annotations (JSON-LD) for other annotation tools"
        )
        self.action_export.setObjectName("ExportWebAnnotations")
        self.action_import.triggered.connect(lambda: self.import_file())
        self.action_export.triggered.connect(lambda: self.open_export_dialog())
        window.import_from_menu.addAction(self.action_import)
        window.export_to_menu.addAction(self.action_export)

    # ================================================================== export

    def open_export_dialog(self) -> WebAnnotationsExportDialog:
        from summit_reader.ui.widgets.web_annotations_export import WebAnnotationsExportDialog

        window = self.window
        controller = window.annotations
        try:
            total = window.library.count_annotations()
            documents = window.library.list_documents()
        except SummitReaderError as exc:
            self._show("Cannot export", str(exc), QMessageBox.Icon.Warning)
            total, documents = 0, []
        pane = window.active_pane
        dialog = WebAnnotationsExportDialog(
            window,
            total=total,
            filtered=controller.panel.model.total,
            documents=documents,
            default_path=Path.home() / "summit-reader-annotations.jsonld",
            document_id=pane.document_id if pane is not None else None,
        )

        def export(scope: str, doc_id: object, path: object) -> None:
            try:
                n = self.export(Path(str(path)), scope=scope, document_id=int(str(doc_id)) if doc_id is not None else None)
            except SummitReaderError as exc:
                dialog.show_error(str(exc))
                return
            dialog.finish()
            window.show_status(f"Saved {_plural(n, 'annotation')} as W3C Web Annotations to {path}.", 8000)

        dialog.exportRequested.connect(export)
        dialog.finished.connect(lambda _r: setattr(self, "export_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def export(self, path: Path, *, scope: str = "all", document_id: int | None = None) -> int:
        """Write the chosen annotations with the core exporter; raises SummitReaderError."""
        from summit_reader.core.webanno import export_web_annotations
        from summit_reader.ui.widgets.web_annotations_export import SCOPE_DOCUMENT, SCOPE_FILTERED

        library = self.window.library
        lexicon = self.window.analyzer.lexicon.label
        if scope == SCOPE_FILTERED:
            panel = self.window.annotations.panel
            chosen = library.query_annotations(
                panel.current_filter(), sort=panel.model.sort_key, descending=panel.model.descending
            )
            return export_web_annotations(library, path, annotations=chosen, lexicon_label=lexicon)
        if scope == SCOPE_DOCUMENT and document_id is not None:
            return export_web_annotations(library, path, document_id, lexicon_label=lexicon)
        return export_web_annotations(library, path, lexicon_label=lexicon)

    # ================================================================== import

    def choose_import_file(self) -> Path | None:
        from summit_reader.ui.widgets.web_annotations_export import FILE_FILTER

        name, _ = QFileDialog.getOpenFileName(
            self.window, "Import W3C Web Annotations", str(Path.home()), f"{FILE_FILTER};;All files (*)"
        )
        return Path(name) if name else None

    def import_file(self, path: Path | None = None) -> BackgroundTask | None:
        """Merge the file's annotations into the library in a worker thread; the summary (or the error) is
        shown when it is done. Returns the task, or None when no file was chosen or an import is running."""
        if self.task is not None:
            self.window.show_status("An import of annotations is still running.", 5000)
            return None
        if path is None:
            path = self.choose_import_file()
            if path is None:
                return None

        def work(library: Library) -> MergeResult:
            from summit_reader.core.webanno import import_web_annotations

            return import_web_annotations(library, path)

        return self.run_import(
            path, work, thread_name="summit-reader-webanno-import", status=f"Merging the annotations of {path.name}…",
            done=self._imported, failed=self._failed,
        )

    def _imported(self, path: Path, result: MergeResult) -> None:
        window = self.window
        try:
            window.service.refresh()  # annotation counts in the library list
        except SummitReaderError as exc:
            window.show_status(str(exc), 10000)
        window.annotations.changed(None)  # tags, marks, the panel; and other windows on this library
        summary = summary_text(result)
        window.show_status(f"{path.name}: {summary}", 10000)
        details = "\n\n".join(result.messages)
        self._show("Annotations imported", f"{path.name}: {summary}", QMessageBox.Icon.Information, details)
        self.importFinished.emit(result)

    def _failed(self, path: Path, message: str) -> None:
        self.window.show_status(message.splitlines()[0], 10000)
        self._show(
            "Cannot import the annotations", message, QMessageBox.Icon.Warning, "Nothing was changed in the library."
        )
        self.importFinished.emit(None)


def install_web_annotations(window: MainWindow) -> WebAnnotationCommands:
    """Add the W3C Web Annotation import and export to the window's research-tool menus."""
    return WebAnnotationCommands(window)
