"""The details of a document — title, date, place, kind, source address — asked before an import or a paste
(prefilled with what the file suggests) and edited later (Document → Edit details…)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.documents import KINDS, validate_date
from summit_reader.core.errors import InvalidInputError

Mode = Literal["import", "paste", "edit"]
#: What the user chose: import (or save) this one, import all the remaining files with these details,
#: skip this file, or cancel (for an import: the files not yet imported are left out).
Choice = Literal["import", "import_all", "skip", "cancel"]

PREVIEW_CHARS = 1500
FIELD_WIDTH = 460


@dataclass(frozen=True)
class Details:
    title: str
    date: str | None = None
    place: str = ""
    kind: str = "other"
    source_url: str = ""

    def shared_with(self, title: str) -> Details:
        """These details for another file of the same import: its own title, no source address."""
        return replace(self, title=title, source_url="")


class MetadataDialog(QDialog):
    """Ask for (or edit) a document's details. ``exec()``, then read :attr:`choice` and :meth:`details`."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        mode: Mode,
        details: Details,
        source: str = "",
        preview: str = "",
        position: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.mode = mode
        self.choice: Choice = "cancel"
        self._details: Details | None = None
        self.setObjectName("MetadataDialog")
        self.setSizeGripEnabled(True)
        if mode == "import":
            where = f" ({position[0]} of {position[1]})" if position and position[1] > 1 else ""
            self.setWindowTitle(f"Import {source}{where}")
        elif mode == "paste":
            self.setWindowTitle("Paste as new document")
        else:
            self.setWindowTitle("Edit details")

        words = len(preview.split())
        if mode == "import":
            heading = f"Details of {source}" + (f" — {words:,} words" if preview else "")
        elif mode == "paste":
            heading = f"The text on the clipboard — {words:,} words"
        else:
            heading = f"Details of “{details.title}”"
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        bold = QFont(self.heading.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.1)
        self.heading.setFont(bold)

        self.title_edit = QLineEdit(details.title)
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setMinimumWidth(FIELD_WIDTH)
        self.date_edit = QLineEdit(details.date or "")
        self.date_edit.setAccessibleName("Date (YYYY-MM-DD)")
        self.date_edit.setPlaceholderText("YYYY-MM-DD, e.g. 2023-11-01 — empty if unknown")
        self.date_edit.setToolTip("The library, the graph and the language table are in date order.")
        self.place_edit = QLineEdit(details.place)
        self.place_edit.setAccessibleName("Place")
        self.place_edit.setPlaceholderText("e.g. Bletchley Park")
        self.kind_combo = QComboBox()
        self.kind_combo.setEditable(True)
        self.kind_combo.addItems(list(KINDS))
        self.kind_combo.setAccessibleName("Kind of document")
        self.kind_combo.setCurrentText(details.kind or "other")
        self.url_edit = QLineEdit(details.source_url)
        self.url_edit.setAccessibleName("Source address")
        self.url_edit.setPlaceholderText("https://… where the text was published (optional)")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for label, field in (
            ("&Title:", self.title_edit),
            ("&Date:", self.date_edit),
            ("&Place:", self.place_edit),
            ("&Kind:", self.kind_combo),
            ("&Source:", self.url_edit),
        ):
            buddy = QLabel(label)
            buddy.setBuddy(field)
            form.addRow(buddy, field)

        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Beginning of the text")
        self.preview.setPlainText(preview[:PREVIEW_CHARS] + ("…" if len(preview) > PREVIEW_CHARS else ""))
        self.preview.setMaximumHeight(150)
        self.preview.setVisible(bool(preview))
        self.preview_label = QLabel("Beginning of the text, as it will be imported:")
        self.preview_label.setVisible(bool(preview))

        self.error_label = QLabel()
        self.error_label.setObjectName("MetadataError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")  # readable red on light and dark backgrounds
        self.error_label.hide()

        primary_text = {"import": "&Import", "paste": "&Add to library", "edit": "&Save"}[mode]
        self.ok_button = QPushButton(primary_text)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(lambda: self._finish("import"))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.import_all_button: QPushButton | None = None
        self.skip_button: QPushButton | None = None
        buttons = QHBoxLayout()
        several = mode == "import" and position is not None and position[1] > 1
        if several and position is not None and position[0] < position[1]:
            self.import_all_button = QPushButton("Import &all with these details")
            self.import_all_button.setToolTip(
                "Import this file and the others without asking again: the same date, place and kind; "
                "each file keeps the title it suggests."
            )
            self.import_all_button.clicked.connect(lambda: self._finish("import_all"))
            buttons.addWidget(self.import_all_button)
        if several:
            self.skip_button = QPushButton("S&kip this file")
            self.skip_button.clicked.connect(lambda: self._skip())
            buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        for button in (self.ok_button, self.cancel_button, self.import_all_button, self.skip_button):
            if button is not None:
                button.setAutoDefault(button is self.ok_button)
                button.setAccessibleName(button.text().replace("&", ""))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.title_edit.selectAll()

    # ------------------------------------------------------------------ result

    def details(self) -> Details:
        """The details as entered (valid once the dialog was accepted)."""
        if self._details is not None:
            return self._details
        return Details(
            title=" ".join(self.title_edit.text().split()),
            date=self.date_edit.text().strip() or None,
            place=self.place_edit.text().strip(),
            kind=self.kind_combo.currentText().strip().lower() or "other",
            source_url=self.url_edit.text().strip(),
        )

    def validate(self) -> str | None:
        """The problem with the entered details, in plain words, or None."""
        entered = self.details()
        if not entered.title:
            self.title_edit.setFocus()
            return "A document needs a title."
        try:
            date = validate_date(entered.date)
        except InvalidInputError as exc:
            self.date_edit.setFocus()
            self.date_edit.selectAll()
            return str(exc)
        url = entered.source_url
        if url and not url.lower().startswith(("http://", "https://", "file:", "doi:")) and "." not in url:
            self.url_edit.setFocus()
            return f"'{url}' is not a web address; write it as https://… or leave it empty."
        self._details = replace(entered, date=date)
        return None

    def _finish(self, choice: Choice) -> None:
        self._details = None
        problem = self.validate()
        if problem is not None:
            self.error_label.setText(problem)
            self.error_label.show()
            return
        self.choice = choice
        self.accept()

    def _skip(self) -> None:
        self.choice = "skip"
        self.done(QDialog.DialogCode.Rejected.value)

    def reject(self) -> None:
        if self.choice != "skip":
            self.choice = "cancel"
        super().reject()
