"""File → Export annotations…: which annotations (all, the ones the panel shows, one document), a BOM
for older Excel, and the file. The window writes the CSV with the same core code as
``summit-reader export annotations``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QWidget

from summit_reader.ui.widgets.annotation_scope import (
    SCOPE_ALL,
    SCOPE_DOCUMENT,
    SCOPE_FILTERED,
    AnnotationScopeDialog,
)

__all__ = ["SCOPE_ALL", "SCOPE_DOCUMENT", "SCOPE_FILTERED", "ExportAnnotationsDialog"]


class ExportAnnotationsDialog(AnnotationScopeDialog):
    """``exportRequested(scope, document id or None, path, bom)``; the controller writes and closes it."""

    exportRequested = Signal(str, object, object, bool)
    object_name = "ExportAnnotationsDialog"
    window_title = "Export annotations"
    note = (
        "CSV: UTF-8, one annotation per row, tags joined by “;”, safe to open in a spreadsheet. "
        "The same file as <code>summit-reader export annotations</code>."
    )
    browse_title = "Export annotations"
    file_filter = "CSV (*.csv)"
    default_suffix = ".csv"
    initial_width, initial_height = 560, 260

    def options(self) -> list[QWidget]:
        self.bom_box = QCheckBox("Start with a byte order mark (for older versions of Excel)")
        return [self.bom_box]

    def request_export(self, scope: str, document: object, path: Path) -> None:
        self.exportRequested.emit(scope, document, path, self.bom_box.isChecked())
