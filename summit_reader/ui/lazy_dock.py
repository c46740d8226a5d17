"""A dock whose widget is built the first time it is shown: a hidden panel costs nothing at start-up.

The dock itself exists from the start, so the window's saved layout (``restoreState``) can place it and
show it again; showing it builds the widget before it is painted. Code that needs the widget while the
dock is hidden calls :meth:`LazyDock.content`, which builds it then.

Features that add a dock to the main window use this (see README, "Performance": nothing that is not on
screen is built or imported before the window's first paint)::

    def _build_view(self) -> QWidget:
        from summit_reader.ui.widgets.concordance_view import ConcordanceView  # imported on first use
        ...
    self.dock = LazyDock("Concordance", "ConcordanceDock", window, self._build_view)
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDockWidget, QWidget


class LazyDock(QDockWidget):
    built = Signal(QWidget)  # the widget, just built (accessibility names its buttons then)

    def __init__(self, title: str, name: str, parent: QWidget, build: Callable[[], QWidget]) -> None:
        super().__init__(title, parent)
        self.setObjectName(name)
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self._build = build
        self._content: QWidget | None = None

    @property
    def is_built(self) -> bool:
        return self._content is not None

    def content(self) -> QWidget:
        """The dock's widget, built now if it was not yet."""
        if self._content is None:
            self._content = self._build()
            self.setWidget(self._content)
            self.built.emit(self._content)
        return self._content

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        self.content()
        super().showEvent(event)
