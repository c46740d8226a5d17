"""File → Export to research tools → W3C Web Annotations (JSON-LD)…: which annotations (all, the ones the
panel shows, one document) and the file. The window writes it with the same core code as
``summit-reader export webannotations``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.models import DocumentSummary

SCOPE_ALL = "all"
SCOPE_FILTERED = "filtered"
SCOPE_DOCUMENT = "document"
FILE_FILTER = "W3C Web Annotations (*.jsonld *.json)"


class WebAnnotationsExportDialog(QDialog):
    """``exportRequested(scope, document id or None, path)``; the caller writes the file and closes it."""

    exportRequested = Signal(str, object, object)

    def __init__(
        self,
        parent: QWidget | None,
        *,
        total: int,
        filtered: int,
        documents: Sequence[DocumentSummary],
        default_path: Path,
        document_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("WebAnnotationsExportDialog")
        self.setWindowTitle("Export W3C Web Annotations")
        self.all_radio = QRadioButton(f"All annotations in the library ({total:,})")
        self.filtered_radio = QRadioButton(f"The annotations the panel shows ({filtered:,})")
        self.document_radio = QRadioButton("The annotations of one document:")
        self.group = QButtonGroup(self)
        for button in (self.all_radio, self.filtered_radio, self.document_radio):
            self.group.addButton(button)
        self.document_combo = QComboBox()
        self.document_combo.setAccessibleName("Document to export")
        for s in documents:
            label = f"{s.title} ({s.year})" if s.year and s.year not in s.title else s.title
            self.document_combo.addItem(f"{label} — {s.annotation_count:,}", s.id)
        if document_id is not None and self.document_combo.findData(document_id) >= 0:
            self.document_combo.setCurrentIndex(self.document_combo.findData(document_id))
        self.document_combo.activated.connect(lambda _i: self.document_radio.setChecked(True))
        self.document_radio.setEnabled(bool(documents))
        self.document_combo.setEnabled(bool(documents))
        self.all_radio.setChecked(True)
        self.path_edit = QLineEdit(str(default_path))
        self.path_edit.setAccessibleName("File to write")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(self.all_radio, 0, 0, 1, 2)
        grid.addWidget(self.filtered_radio, 1, 0, 1, 2)
        grid.addWidget(self.document_radio, 2, 0)
        grid.addWidget(self.document_combo, 2, 1)
        grid.setColumnStretch(1, 1)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        note = QLabel(
            "A JSON-LD list of W3C Web Annotations, for Recogito, Annotorious, annotation servers and other "
            "libraries: note and tags as bodies, the passage as its quote (with the text around it) and its "
            "position in characters, the document named by the SHA-256 of its text. Read back with "
            "File → Import from research tools, or <code>summit-reader merge</code>."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(path_row)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())

    def scope(self) -> str:
        if self.filtered_radio.isChecked():
            return SCOPE_FILTERED
        if self.document_radio.isChecked():
            return SCOPE_DOCUMENT
        return SCOPE_ALL

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export W3C Web Annotations", self.path_edit.text(), FILE_FILTER)
        if name:
            self.path_edit.setText(name if Path(name).suffix else name + ".jsonld")

    def accept(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self.show_error("Choose a file to write.")
            return
        document = self.document_combo.currentData() if self.scope() == SCOPE_DOCUMENT else None
        self.error_label.hide()
        self.exportRequested.emit(self.scope(), document, Path(text).expanduser())

    def finish(self) -> None:
        super().accept()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
