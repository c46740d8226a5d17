"""The small windows of annotating: the annotation editor (quote, note, tags), the tag picker it uses,
the "your name" question asked once, and the preferences.

None of them writes to the library: they say what the user asked for (signals), and the window's
annotation controller does it and closes them only once the change is committed, so an editor that
closed is an annotation on disk. A failed save leaves the editor open with the message and the note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QPoint, QRect, QSize, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.models import Tag

QUOTE_CHARS = 400
UNTAGGED = "#6e6e6e"


def colour_icon(colour: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(colour).darker(140))
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    painter.end()
    return QIcon(pixmap)


def short_quote(quote: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class FlowLayout(QLayout):
    """Lays its items out left to right, wrapping to a new row when the width runs out (tag chips)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        x, y, row_height = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and row_height > 0:
                x = rect.x()
                y += row_height + self._spacing
                row_height = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y()


class TagLineEdit(QLineEdit):
    """Enter with text adds the tag (the completion chosen in the list, else what is typed) and does not
    press the dialog's default button; Enter in the empty field does (Save). Backspace in the empty field
    removes the last tag."""

    entered = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            completer = self.completer()
            popup = completer.popup() if completer is not None else None
            text = self.text()
            if popup is not None and popup.isVisible():
                index = popup.currentIndex()
                if index.isValid():
                    text = str(index.data())
                popup.hide()
            if text.strip():
                self.entered.emit(text)
                event.accept()
                return
        if event.key() == Qt.Key.Key_Backspace and not self.text():
            self.entered.emit("\b")  # remove the last chip
            event.accept()
            return
        super().keyPressEvent(event)


class TagPicker(QWidget):
    """The tags of an annotation as removable chips, and a field to add one (existing tags are completed,
    a new name makes a new tag when the annotation is saved)."""

    changed = Signal()

    def __init__(self, known: Sequence[Tag], tags: Iterable[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._known = {t.name.casefold(): t for t in known}
        self._tags: list[str] = []
        self.chips = QWidget()
        self.chips.setObjectName("TagChips")
        self._flow = FlowLayout(self.chips)
        self.edit = TagLineEdit()
        self.edit.setPlaceholderText("Add a tag: type, pick from the list, Enter")
        self.edit.setAccessibleName("Add a tag")
        self.tag_names = QStringListModel(sorted((t.name for t in known), key=str.casefold), self)
        self.completer = QCompleter(self.tag_names, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.edit.setCompleter(self.completer)
        self.completer.activated.connect(self._on_completed)
        self.edit.entered.connect(self._on_entered)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.chips)
        layout.addWidget(self.edit)
        for name in tags:
            self.add_tag(name)

    def tags(self) -> list[str]:
        """The chips, then what is still typed in the field (so "type a tag, Save" keeps it)."""
        pending = self.edit.text().strip()
        result = list(self._tags)
        if pending and pending.casefold() not in {t.casefold() for t in result}:
            result.append(self._known[pending.casefold()].name if pending.casefold() in self._known else pending)
        return result

    def add_tag(self, name: str) -> None:
        clean = name.strip()
        if not clean or clean.casefold() in {t.casefold() for t in self._tags}:
            return
        known = self._known.get(clean.casefold())
        if known is not None:
            clean = known.name
        self._tags.append(clean)
        colour = known.colour if known is not None else None
        chip = QToolButton()
        chip.setObjectName("TagChip")
        chip.setText(f"{clean}  ✕" if colour else f"{clean} (new)  ✕")
        chip.setIcon(colour_icon(colour or UNTAGGED))
        chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        chip.setToolTip(f"Remove the tag “{clean}”" + ("" if colour else " (a new tag, created when you save)"))
        chip.setAccessibleName(f"Tag {clean}, press to remove")
        chip.setProperty("tag", clean)
        chip.setStyleSheet(
            "QToolButton#TagChip { border: 1px solid palette(mid); border-radius: 9px; padding: 1px 6px; }"
        )
        chip.clicked.connect(lambda _checked=False, n=clean: self.remove_tag(n))
        self._flow.addWidget(chip)
        self.chips.updateGeometry()
        self.changed.emit()

    def remove_tag(self, name: str) -> None:
        if name not in self._tags:
            return
        self._tags.remove(name)
        for i in range(self._flow.count()):
            item = self._flow.itemAt(i)
            widget = item.widget() if item is not None else None
            if widget is not None and widget.property("tag") == name:
                self._flow.takeAt(i)
                widget.deleteLater()
                break
        self.chips.updateGeometry()
        self.changed.emit()

    def _on_completed(self, text: str) -> None:
        self.add_tag(text)
        # the completer writes the completion into the field after this signal: clear it afterwards
        QTimer.singleShot(0, self.edit.clear)

    def _on_entered(self, text: str) -> None:
        if text == "\b":
            if self._tags:
                self.remove_tag(self._tags[-1])
            return
        self.add_tag(text)
        self.edit.clear()


class AnnotationEditor(QDialog):
    """Quote, note and tags of one annotation (new or existing). ``saveRequested`` carries the note and
    tags; the controller saves and then calls :meth:`finish` (or :meth:`show_error`)."""

    saveRequested = Signal(str, list)

    def __init__(
        self,
        parent: QWidget | None,
        *,
        quote: str,
        document_title: str,
        known_tags: Sequence[Tag],
        note: str = "",
        tags: Sequence[str] = (),
        annotation_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.annotation_id = annotation_id
        self.setObjectName("AnnotationEditor")
        self.setWindowTitle("Edit annotation" if annotation_id else "Annotate passage")
        self.setModal(False)
        self._initial = (note, tuple(tags))
        self._saved = False

        self.quote_label = QLabel(f"“{short_quote(quote)}”")
        self.quote_label.setObjectName("AnnotationQuote")
        self.quote_label.setWordWrap(True)
        self.quote_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.quote_label.setToolTip(quote if len(quote) < 4000 else quote[:4000] + "…")
        font = self.quote_label.font()
        font.setItalic(True)
        self.quote_label.setFont(font)
        self.source_label = QLabel(document_title)
        self.source_label.setObjectName("AnnotationSource")
        self.source_label.setStyleSheet("color: palette(dark);")
        self.note_edit = QPlainTextEdit(note)
        self.note_edit.setObjectName("AnnotationNote")
        self.note_edit.setPlaceholderText("Your note (plain text)")
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setMinimumHeight(90)
        self.tag_picker = TagPicker(known_tags, tags)
        self.error_label = QLabel()
        self.error_label.setObjectName("AnnotationError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip("Save now (Ctrl+Enter; Enter in the tag field adds the tag typed, or saves)")
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.accept)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Note", self.note_edit)
        form.addRow("Tags", self.tag_picker)
        layout = QVBoxLayout(self)
        layout.addWidget(self.quote_label)
        layout.addWidget(self.source_label)
        layout.addLayout(form, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(460, 360)
        self.note_edit.setFocus()

    # ---------------------------------------------------------------- values

    @property
    def note(self) -> str:
        return self.note_edit.toPlainText()

    def tags(self) -> list[str]:
        return self.tag_picker.tags()

    def is_dirty(self) -> bool:
        """Whether closing now would lose something the user typed."""
        if self._saved:
            return False
        return (self.note, tuple(self.tags())) != (self._initial[0], self._initial[1])

    # ---------------------------------------------------------------- closing

    def accept(self) -> None:
        """Save asked: the controller writes, then calls :meth:`finish`."""
        self.error_label.hide()
        self.saveRequested.emit(self.note, self.tags())

    def finish(self) -> None:
        """Close after a committed save."""
        self._saved = True
        super().accept()

    def show_error(self, message: str) -> None:
        self.error_label.setText(f"Not saved: {message}")
        self.error_label.show()

    def reject(self) -> None:
        if self.is_dirty():
            answer = QMessageBox.question(
                self,
                "Discard this note?",
                "The note and tags you typed are not saved. Close the editor and discard them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        self._saved = True  # nothing more to keep
        super().reject()


class AuthorDialog(QDialog):
    """Asked once per library, before its first annotation: the name written on every annotation."""

    def __init__(self, parent: QWidget | None, name: str) -> None:
        super().__init__(parent)
        self.setObjectName("AuthorDialog")
        self.setWindowTitle("Your name on annotations")
        text = QLabel(
            "Summit Reader writes your name on every annotation you make, so that annotation files from "
            "colleagues can be merged later. You can change it in Edit → Preferences."
        )
        text.setWordWrap(True)
        self.name_edit = QLineEdit(name)
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.selectAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(420, 150)

    @property
    def name(self) -> str:
        return " ".join(self.name_edit.text().split())


class PreferencesDialog(QDialog):
    """Edit → Preferences: the library's user name (more preferences can join this form)."""

    def __init__(self, parent: QWidget | None, *, author: str, library_name: str) -> None:
        super().__init__(parent)
        self.setObjectName("PreferencesDialog")
        self.setWindowTitle("Preferences")
        self.author_edit = QLineEdit(author)
        self.author_edit.setAccessibleName("Your name on annotations")
        self.author_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        hint = QLabel(f"Written on the annotations you make in the library '{library_name}'. Empty: your login name.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(dark);")
        self.form = QFormLayout()
        self.form.addRow("Your name on annotations", self.author_edit)
        self.form.addRow("", hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.resize(480, 140)
