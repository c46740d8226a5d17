"""A banner at the top of a reading pane that says the document is an illustrative sample, not an official
text: shown when its title says "not an official text" (the demo texts and the tests' texts do) or when
the window's library is the demo library."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from summit_reader.core.demo import DEMO_LIBRARY_NAME
from summit_reader.core.documents import Document

MARKERS = ("not an official text", "illustrative sample")

TEXT = "Illustrative sample written for Summit Reader — not an official summit text."


def is_illustrative(title: str) -> bool:
    low = title.casefold()
    return any(marker in low for marker in MARKERS)


class SampleBanner(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(TEXT, parent)
        self.setObjectName("SampleBanner")
        self.setWordWrap(True)
        self.setAccessibleName("Illustrative sample")
        self.setAccessibleDescription(TEXT)
        self.setToolTip(
            "The demo set holds short texts written by the Summit Reader project to show what the "
            "application does. They are not official texts and quote none."
        )
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # Amber with dark text: readable in light and dark themes alike.
        self.setStyleSheet(
            "QLabel#SampleBanner { background: #fff3cd; color: #4d3800; border: 1px solid #e0c36c;"
            " border-radius: 3px; padding: 3px 8px; }"
        )
        self.hide()

    def update_for(self, document: Document | None) -> None:
        """Show the banner when ``document`` is an illustrative sample, hide it otherwise."""
        self.setVisible(document is not None and (is_illustrative(document.title) or self._in_demo_library()))

    def _in_demo_library(self) -> bool:
        # The pane does not know its library; the window does (MainWindow.library).
        library = getattr(self.window(), "library", None)
        path = getattr(library, "path", None)
        return path is not None and path.name == DEMO_LIBRARY_NAME
