"""What an empty library shows: how to bring documents in, instead of a blank window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

CARD_WIDTH = 620


class WelcomeView(QWidget):
    importRequested = Signal()
    demoRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Welcome")
        card = QFrame()
        card.setObjectName("WelcomeCard")
        card.setFixedWidth(CARD_WIDTH)
        title = QLabel("Welcome to Summit Reader")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Read the texts of the AI summits side by side, see which words they use — safety, risk, "
            "innovation, “should” or “must” — and how that language moves from one summit to the next.<br><br>"
            "Your library is empty. To add documents:"
        )
        intro.setWordWrap(True)
        steps = []
        for text in (
            "<b>Import</b> text or Markdown files: <i>File → Import…</i> (Ctrl+I). Several at once are fine.",
            "<b>Open the demo set</b>: three short illustrative texts written for this app "
            "(not official summit texts), kept in a library of their own.",
            "<b>Paste</b> a text from the clipboard — <i>coming soon</i>.",
            "<b>Fetch the official summit texts</b> (Bletchley 2023, Seoul 2024, Paris 2025) — <i>coming soon</i>.",
        ):
            step = QLabel(f"•&nbsp;&nbsp;{text}")
            step.setWordWrap(True)
            step.setTextFormat(Qt.TextFormat.RichText)
            steps.append(step)
        self.import_button = QPushButton("Import files…")
        self.import_button.setAccessibleName("Import text or Markdown files")
        self.import_button.clicked.connect(self.importRequested)
        self.demo_button = QPushButton("Open the demo set")
        self.demo_button.setAccessibleName("Open the demo set")
        self.demo_button.clicked.connect(self.demoRequested)
        self.demo_button.setDefault(True)
        for button in (self.import_button, self.demo_button):
            button.setMinimumHeight(36)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(14)
        inner.addWidget(title)
        inner.addWidget(intro)
        for step in steps:
            inner.addWidget(step)
        # word-wrapped labels get their height from their width: give them a definite one
        for label in (title, intro, *steps):
            label.setFixedWidth(CARD_WIDTH - 64)
            label.setMinimumHeight(label.heightForWidth(CARD_WIDTH - 64))
        inner.addWidget(self.demo_button)
        inner.addWidget(self.import_button)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
