"""File → Export to research tools → W3C Web Annotations (JSON-LD)…: which annotations (all, the ones the
panel shows, one document) and the file. The window writes it with the same core code as
``summit-reader export webannotations``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from summit_reader.ui.widgets.annotation_scope import (
    SCOPE_ALL,
    SCOPE_DOCUMENT,
    SCOPE_FILTERED,
    AnnotationScopeDialog,
)

__all__ = ["FILE_FILTER", "SCOPE_ALL", "SCOPE_DOCUMENT", "SCOPE_FILTERED", "WebAnnotationsExportDialog"]

FILE_FILTER = "W3C Web Annotations (*.jsonld *.json)"


class WebAnnotationsExportDialog(AnnotationScopeDialog):
    """``exportRequested(scope, document id or None, path)``; the caller writes the file and closes it."""

    exportRequested = Signal(str, object, object)
    object_name = "WebAnnotationsExportDialog"
    window_title = "Export W3C Web Annotations"
    note = (
        "A JSON-LD list of W3C Web Annotations, for Recogito, Annotorious, annotation servers and other "
        "libraries: note and tags as bodies, the passage as its quote (with the text around it) and its "
        "position in characters, the document named by the SHA-256 of its text. Read back with "
        "File → Import from research tools, or <code>summit-reader merge</code>."
    )
    browse_title = "Export W3C Web Annotations"
    file_filter = FILE_FILTER
    default_suffix = ".jsonld"
    initial_width = 640  # as tall as it needs
    stretch_document_column = True

    def request_export(self, scope: str, document: object, path: Path) -> None:
        self.exportRequested.emit(scope, document, path)
