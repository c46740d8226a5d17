"""The dialog every annotation export starts from: which annotations (all, the ones the panel shows, one
document), the file to write, a note on the format, and room for a format's own options. A format's dialog
(:mod:`~summit_reader.ui.widgets.export_annotations`, :mod:`~summit_reader.ui.widgets.web_annotations_export`)
subclasses it, names the file type and emits its own ``exportRequested`` signal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

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


class AnnotationScopeDialog(QDialog):
    """Scope, file and note. A subclass sets the class attributes below, may add options (:meth:`options`)
    and emits its own ``exportRequested`` signal in :meth:`request_export`; ``finish`` closes it once the
    file is written, ``show_error`` says why it was not."""

    object_name = "AnnotationScopeDialog"
    window_title = "Export annotations"
    #: what the file holds (rich text), shown under the file name
    note = ""
    #: the title of the "Choose…" file dialog, its file filter, and the suffix added to a name without one
    browse_title = "Export annotations"
    file_filter = ""
    default_suffix = ""
    #: the dialog's size; height None: as tall as its contents need
    initial_width = 560
    initial_height: int | None = None
    #: give the document list all the width the radio buttons leave
    stretch_document_column = False

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
        self.setObjectName(self.object_name)
        self.setWindowTitle(self.window_title)
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
        options = self.options()
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
        if self.stretch_document_column:
            grid.setColumnStretch(1, 1)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        note = QLabel(self.note)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        for option in options:
            layout.addWidget(option)
        layout.addLayout(path_row)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        height = self.initial_height
        self.resize(self.initial_width, self.sizeHint().height() if height is None else height)

    def options(self) -> list[QWidget]:
        """The format's own options, shown between the choice of annotations and the file (made here, while
        the dialog is built, so that Tab reaches them in that order)."""
        return []

    def scope(self) -> str:
        if self.filtered_radio.isChecked():
            return SCOPE_FILTERED
        if self.document_radio.isChecked():
            return SCOPE_DOCUMENT
        return SCOPE_ALL

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.browse_title, self.path_edit.text(), self.file_filter)
        if name:
            self.path_edit.setText(name if Path(name).suffix else name + self.default_suffix)

    def accept(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self.show_error("Choose a file to write.")
            return
        document = self.document_combo.currentData() if self.scope() == SCOPE_DOCUMENT else None
        self.error_label.hide()
        self.request_export(self.scope(), document, Path(text).expanduser())

    def request_export(self, scope: str, document: object, path: Path) -> None:
        """Emit the subclass's ``exportRequested`` signal (with its options)."""
        raise NotImplementedError

    def finish(self) -> None:
        super().accept()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
