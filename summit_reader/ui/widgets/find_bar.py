"""The Find bar (Ctrl+F): searches the active pane for words and ``*`` globs, case-insensitive."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


class FindBar(QWidget):
    searchChanged = Signal(str)
    nextRequested = Signal()
    previousRequested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Find in the active pane: words, or globs such as safe*")
        self.edit.setAccessibleName("Find text")
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self.searchChanged)
        self.edit.installEventFilter(self)
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Find results")
        self.count_label.setMinimumWidth(110)
        self.prev_button = QToolButton()
        self.prev_button.setText("▲ Previous")
        self.prev_button.setAccessibleName("Previous result")
        self.prev_button.setToolTip("Previous result (Shift+Enter or Shift+F3)")
        self.prev_button.clicked.connect(self.previousRequested)
        self.next_button = QToolButton()
        self.next_button.setText("▼ Next")
        self.next_button.setAccessibleName("Next result")
        self.next_button.setToolTip("Next result (Enter or F3)")
        self.next_button.clicked.connect(self.nextRequested)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName("Close the find bar")
        self.close_button.setToolTip("Close (Esc)")
        self.close_button.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(QLabel("Find:"))
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.prev_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def set_result(self, index: int, total: int) -> None:
        if not self.edit.text().strip():
            self.count_label.setText("")
        elif total == 0:
            self.count_label.setText("no results")
        elif index <= 0:
            self.count_label.setText(f"{total:,} results")
        else:
            self.count_label.setText(f"{index:,} of {total:,}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.previousRequested.emit()
                else:
                    self.nextRequested.emit()
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
