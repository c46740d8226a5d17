"""Keyboard and screen-reader support for the reader window.

- :func:`announce` speaks a message through the platform's screen reader (Qt's
  ``QAccessibleAnnouncementEvent``) and keeps it for the status bar and for tests.
- :func:`describe_match` / :meth:`AccessibilityHelper.describe_at_cursor` put a highlight into words
  ("safety: “safe”, entry safe*, …"), so a highlight is never only a colour. Other parts of the window add
  their own words for a position (annotations, …) with :func:`register_describer`.
- :class:`AccessibilityHelper` gives the window's widgets accessible names and descriptions, keeps each
  pane's description in step with the word at its cursor, lets Enter step through a legend category, and
  serves Go → Describe word at cursor and Go → Describe the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QDockWidget, QWidget

from summit_reader.core.analysis import Match
from summit_reader.core.comparison import comparison_sentence
from summit_reader.ui.lazy_dock import LazyDock
from summit_reader.ui.widgets.reader_pane import ReaderPane, ReaderView

if TYPE_CHECKING:
    from summit_reader.ui.main_window import MainWindow

#: (pane, code-point offset) → words about that position, or None. Registered by other features.
Describer = Callable[[ReaderPane, int], "str | None"]
_describers: list[Describer] = []


def register_describer(describer: Describer) -> None:
    """Add words to every description of a position in a pane (e.g. "annotation: …")."""
    if describer not in _describers:
        _describers.append(describer)


class _Announcements:
    """The last announcements (for the status bar and tests)."""

    def __init__(self) -> None:
        self.history: list[str] = []

    @property
    def last(self) -> str:
        return self.history[-1] if self.history else ""


announcements = _Announcements()


def announce(widget: QWidget, message: str, *, assertive: bool = False) -> None:
    """Ask the screen reader to say ``message`` (politely: after what it is saying, unless ``assertive``)."""
    if not message:
        return
    announcements.history = [*announcements.history[-49:], message]
    event = QAccessibleAnnouncementEvent(widget, message)
    politeness = QAccessible.AnnouncementPoliteness
    event.setPoliteness(politeness.Assertive if assertive else politeness.Polite)
    QAccessible.updateAccessibility(event)


def describe_match(match: Match, occurrences: int) -> str:
    """A highlighted word in words: category, word, entry, strength, negation and how many there are."""
    parts = [f"{match.category}: “{match.text}”", f"entry {match.term}"]
    if match.rank is not None:
        parts.append(f"strength {match.rank}, {match.level}")
    if match.negated:
        parts.append("negated")
    parts.append(f"{occurrences:,} {match.category} in this document")
    return ", ".join(parts)


def match_near(pane: ReaderPane, qt_position: int) -> Match | None:
    """The match under the cursor, or just before it (a cursor at the end of a word)."""
    return pane.match_at(qt_position) or (pane.match_at(qt_position - 1) if qt_position > 0 else None)


def describe_position(pane: ReaderPane, qt_position: int, hidden: set[str] | None = None) -> str:
    """Everything the window knows about the text at ``qt_position`` of ``pane``, in words."""
    if pane.document is None:
        return f"Pane {pane.number} is empty."
    parts: list[str] = []
    match = match_near(pane, qt_position)
    if match is not None and pane.analysis is not None:
        text = describe_match(match, pane.analysis.count(match.category))
        if hidden and match.category in hidden:
            text += " (hidden in the legend)"
        parts.append(text)
    offset = pane._offsets.from_qt(qt_position)  # code points, as annotations and matches count them
    for describer in _describers:
        try:
            extra = describer(pane, offset)
        except Exception:  # noqa: BLE001 - a describer's bug must not break reading
            extra = None
        if extra:
            parts.append(extra)
    if not parts:
        word = _word_at(pane, qt_position)
        return f"No highlighted word at the cursor{f' (“{word}”)' if word else ''}."
    return "; ".join(parts)


def _word_at(pane: ReaderPane, qt_position: int) -> str:
    text = pane.view.toPlainText()
    if not text:
        return ""
    i = min(max(0, qt_position), len(text) - 1)
    start = i
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = i
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end].strip(" .,;:!?()[]“”\"'")


# ------------------------------------------------------------------------------------------ names

PANE_DESCRIPTION = (
    "The document's text. Highlighted words belong to a lexicon category; Ctrl+Shift+W says which, "
    "F3 and Shift+F3 step through the current category, Ctrl+F finds words."
)
DESCRIPTIONS = {
    "LibraryDock": "Documents in the library, in date order. Enter opens the selected one in the active pane.",
    "LegendDock": (
        "Lexicon categories with their highlight look and counts per pane. Space shows or hides a category, "
        "Enter steps through it in the active pane."
    ),
    "GraphDock": "How the language changes from document to document. Ctrl+Shift+G describes it in words.",
    "TableDock": "Documents by categories: counts or rates. Enter on a cell lists its matches.",
}


class AccessibilityHelper(QObject):
    """Names, descriptions and keyboard help for one window (installed by the window)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._last_match: dict[int, Match | None] = {}
        self._pending: ReaderView | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._update_pending)
        self.name_widgets()
        QTimer.singleShot(0, self.name_widgets)  # again once the window is built: parts added after this one
        window.legend.tree.installEventFilter(self)
        self._following_focus = False
        self._follow_focus(True)
        window.installEventFilter(self)  # to stop following the focus when the window closes
        window.splitter.installEventFilter(self)
        window.graph_dock.installEventFilter(self)  # the graph is built after the first paint
        for pane in window.panes:
            self.hook_pane(pane)

    # ------------------------------------------------------------------ naming

    def name_widgets(self) -> None:
        """Accessible names and descriptions for the window's parts (the widgets name most themselves)."""
        w = self.window
        for dock in w.findChildren(QDockWidget):
            dock.setAccessibleName(dock.windowTitle())
            if dock.objectName() in DESCRIPTIONS:
                dock.setAccessibleDescription(DESCRIPTIONS[dock.objectName()])
        w.legend.tree.setAccessibleDescription(DESCRIPTIONS["LegendDock"])
        w.library_panel.view.setAccessibleDescription(DESCRIPTIONS["LibraryDock"])
        w.stats_view.table_view.setAccessibleDescription(DESCRIPTIONS["TableDock"])
        w.stats_view.matches.setAccessibleDescription("Each match with its context. Enter shows it in a pane.")
        w.find_bar.edit.setAccessibleDescription("Words or globs such as safe*. Enter: next, Shift+Enter: previous, Esc closes.")
        w.progress_bar.setAccessibleDescription("Documents analysed so far")
        if w.graph is not None:
            self.name_graph()
        # a dock built on first show (LazyDock) has its buttons named once it is built
        for lazy in w.findChildren(LazyDock):
            if not lazy.is_built and not lazy.property("summitReaderNamedWhenBuilt"):
                lazy.setProperty("summitReaderNamedWhenBuilt", True)
                lazy.built.connect(lambda _widget: self.name_widgets())
        # a button still without a name (a tool bar's, say) is named by its text, else its tool tip
        for button in w.findChildren(QAbstractButton):
            if button.accessibleName():
                continue
            text = button.text().replace("&", "").strip()
            name = text if any(ch.isalnum() for ch in text) else button.toolTip()
            if any(ch.isalnum() for ch in name):
                button.setAccessibleName(name)
                if button.toolTip() and button.toolTip() != name and not button.accessibleDescription():
                    button.setAccessibleDescription(button.toolTip())

    def name_graph(self) -> None:
        graph = self.window.graph
        if graph is None:
            return
        graph.setAccessibleDescription(DESCRIPTIONS["GraphDock"])
        for view in graph.built_views():
            view.setAccessibleDescription(self.graph_description())

    def hook_pane(self, pane: ReaderPane) -> None:
        view = pane.view
        if view.property("summitReaderDescribed"):
            return
        view.setProperty("summitReaderDescribed", True)
        view.setAccessibleDescription(PANE_DESCRIPTION)
        view.cursorPositionChanged.connect(lambda v=view: self._schedule(v))

    # -------------------------------------------------------------- describing

    def describe_at_cursor(self) -> str:
        """Go → Describe word at cursor: say what the word at the active pane's cursor is, in words."""
        pane = self.window.active_pane
        if pane is None:
            text = "No pane."
        else:
            cursor = pane.view.textCursor()
            text = f"Pane {pane.number}: " + describe_position(
                pane, cursor.selectionStart(), self.window.legend.hidden_categories()
            )
            pane.view.setAccessibleDescription(text)
        self.window.show_status(text, 10000)
        announce(pane.view if pane is not None else self.window, text, assertive=True)
        return text

    def graph_description(self) -> str:
        graph = self.window.graph
        hidden = self.window.legend.hidden_categories()
        table = self.window.service.stats_table()
        if not table.rows:
            return "The graph is empty: no document has been analysed yet."
        visible = [c for c in table.categories if c not in hidden]
        mode = graph.mode if graph is not None else "rate"
        head = {"rate": "Rates per 1,000 words", "count": "Counts", "scales": "Strength scales"}.get(mode, "")
        sentence = comparison_sentence(table, visible, limit=5)
        return f"{head} of {len(visible)} categories in {len(table.rows)} documents. {sentence}."

    def describe_graph(self) -> str:
        """Go → Describe the graph: the change from the first to the last document, in words."""
        text = self.graph_description()
        self.name_graph()
        self.window.show_status(text, 15000)
        announce(self.window.graph or self.window, text, assertive=True)
        return text

    # --------------------------------------------------------------- tracking

    def _schedule(self, view: ReaderView) -> None:
        self._pending = view
        self._timer.start()

    def _update_pending(self) -> None:
        view, self._pending = self._pending, None
        if view is None:
            return
        pane = view.parent()
        if not isinstance(pane, ReaderPane):
            return
        position = view.textCursor().selectionStart()
        match = match_near(pane, position)
        if match is None:
            view.setAccessibleDescription(PANE_DESCRIPTION)
        else:
            view.setAccessibleDescription(describe_position(pane, position, self.window.legend.hidden_categories()))
        # say it when the cursor (moved by the reader) enters another highlighted word
        if match != self._last_match.get(id(view)):
            self._last_match[id(view)] = match
            if match is not None and view.hasFocus() and QAccessible.isActive():
                announce(view, view.accessibleDescription())

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not shiboken6.isValid(new) or new.window() is not self.window:
            return
        graph = self.window.graph
        if graph is not None and new in graph.built_views():
            new.setAccessibleDescription(self.graph_description())
        elif isinstance(new, ReaderView) and isinstance(new.parent(), ReaderPane):
            self.hook_pane(new.parent())  # type: ignore[arg-type]

    def _follow_focus(self, on: bool) -> None:
        """Listen to the application's focus changes while the window is open (not while it is being
        torn down: a slot called from a widget's destructor is a crash waiting to happen)."""
        app = QApplication.instance()
        if not isinstance(app, QApplication) or on == self._following_focus:
            return
        if on:
            app.focusChanged.connect(self._on_focus_changed)
        else:
            app.focusChanged.disconnect(self._on_focus_changed)
        self._following_focus = on

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.Close, QEvent.Type.Show):
            self._follow_focus(event.type() == QEvent.Type.Show)
            if event.type() == QEvent.Type.Close:
                self._timer.stop()
                QTimer.singleShot(0, self, lambda: self._follow_focus(self.window.isVisible()))  # a refused close
            return False
        if watched is self.window.splitter and event.type() == QEvent.Type.ChildAdded:
            QTimer.singleShot(0, self._hook_all)
        elif watched is self.window.graph_dock and event.type() == QEvent.Type.ChildAdded:
            QTimer.singleShot(0, self.name_graph)
        elif (
            watched is self.window.legend.tree
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            item = self.window.legend.tree.currentItem()
            if item is not None:
                self.window.legend.categoryActivated.emit(str(item.data(0, Qt.ItemDataRole.UserRole)))
                return True
        return super().eventFilter(watched, event)

    def _hook_all(self) -> None:
        for pane in self.window.panes:
            self.hook_pane(pane)
