"""What an empty library shows: how to bring documents in, instead of a blank window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

CARD_WIDTH = 620


class WelcomeView(QWidget):
    importRequested = Signal()
    demoRequested = Signal()
    pasteRequested = Signal()
    corpusRequested = Signal()

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
            "<b>Get the AI summit texts</b> (Bletchley 2023, Seoul 2024, Paris 2025) from their publishers: "
            "<i>File → Get the AI summit texts…</i> — nothing is downloaded until you ask.",
            "<b>Import</b> files — text, Markdown, HTML, PDF or Word: <i>File → Import…</i> (Ctrl+I), or drag "
            "them onto this window. Several at once are fine.",
            "<b>Paste</b> a text copied from a web page or a PDF: <i>Edit → Paste as new document</i> (Ctrl+Shift+V).",
            "<b>Open the demo set</b>: three short illustrative texts written for this app "
            "(not official summit texts), kept in a library of their own.",
        ):
            step = QLabel(f"•&nbsp;&nbsp;{text}")
            step.setWordWrap(True)
            step.setTextFormat(Qt.TextFormat.RichText)
            steps.append(step)
        self.corpus_button = QPushButton("Get the AI summit texts…")
        self.corpus_button.setAccessibleName("Get the AI summit texts")
        self.corpus_button.clicked.connect(self.corpusRequested)
        self.import_button = QPushButton("Import files…")
        self.import_button.setAccessibleName("Import files")
        self.import_button.clicked.connect(self.importRequested)
        self.paste_button = QPushButton("Paste…")
        self.paste_button.setAccessibleName("Paste as new document")
        self.paste_button.clicked.connect(self.pasteRequested)
        self.demo_button = QPushButton("Open the demo set")
        self.demo_button.setAccessibleName("Open the demo set")
        self.demo_button.clicked.connect(self.demoRequested)
        self.demo_button.setDefault(True)
        buttons = (self.corpus_button, self.demo_button, self.import_button, self.paste_button)
        for button in buttons:
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
        grid = QGridLayout()
        grid.setSpacing(10)
        for index, button in enumerate(buttons):
            grid.addWidget(button, index // 2, index % 2)
        inner.addLayout(grid)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
