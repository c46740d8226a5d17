"""Presentation mode (F5, View → Present): for a projector in a classroom.

The window goes full screen with only the reading panes that show a document, the evolution graph and
two lines of captions: large type (at least 28 px body text, 32 px on a 1080-line screen), no menus,
docks, tool bars or status bar. Keys (a presenter's clicker sends Page Up/Page Down):

- Page Down / → / ↓ / Space: the next occurrence of the focused category, across the panes' documents in
  date order (pane by pane, occurrences in text order); Page Up / ← / ↑ / Backspace: the previous one.
  Each step scrolls to the occurrence, selects it and pulses its line, and the caption says
  "safety — 7 of 18 — Harbour 2023".
- 1 … 9 focus the legend's visible categories in order (the hint bar shows which number is which).
- G: the graph full screen, or back. + / −: larger or smaller text. Esc (or F5): leave.

Leaving restores exactly what was there before: docks, tool bars, menu bar, status bar, window state and
geometry, the panes' layout and text size, enabled actions and the keyboard focus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import (
    QByteArray,
    QEasingCurve,
    QEvent,
    QObject,
    QRect,
    Qt,
    QTimer,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontInfo,
    QKeyEvent,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.analysis import Match
from summit_reader.core.comparison import comparison_sentence
from summit_reader.core.documents import short_name
from summit_reader.ui.accessibility import announce
from summit_reader.ui.highlight_style import is_dark
from summit_reader.ui.widgets.reader_pane import ReaderPane

if TYPE_CHECKING:
    from summit_reader.ui.main_window import MainWindow

#: The keys of presentation mode, as the shortcut list shows them.
PRESENTATION_KEYS: tuple[tuple[str, str], ...] = (
    ("Page Down, →, ↓, Space", "Next occurrence of the focused category (a clicker's “next”)"),
    ("Page Up, ←, ↑, Backspace", "Previous occurrence (a clicker's “back”)"),
    ("Home, End", "First, last occurrence"),
    ("1 … 9", "Focus a category: the legend's visible ones in order (listed at the top right)"),
    ("G", "The graph full screen, or back"),
    ("+, −", "Larger, smaller text"),
    ("Esc, F5", "Leave presentation mode"),
)
K = Qt.Key
NEXT_KEYS = frozenset({K.Key_PageDown, K.Key_Right, K.Key_Down, K.Key_Space})
PREVIOUS_KEYS = frozenset({K.Key_PageUp, K.Key_Left, K.Key_Up, K.Key_Backspace})
DIGIT_KEYS = {getattr(K, f"Key_{n}"): n for n in range(1, 10)}
#: Body text: 32 px on a 1080-line screen (in proportion on others), never under 28 px.
BODY_PX_1080, MIN_BODY_PX, MAX_BODY_PX = 32, 28, 96
PULSE_MS = 900
KEYS_HINT = "1–9 category  ·  Page Down / → next  ·  Page Up / ← back  ·  G graph  ·  + / − text size  ·  Esc leave"
#: The pulse: amber, light on light themes and dark on dark ones, so the text on it (and on the highlights
#: beneath it) keeps its contrast at the pulse's peak.
PULSE_LIGHT, PULSE_DARK, PULSE_PEAK_ALPHA = "#ffc107", "#5c4300", 0.7
PULSE_PROPERTY = QTextFormat.Property.UserProperty + 0x5E1  # marks the pulse's extra selection


def body_pixel_size(screen_height: int, extra: int = 0) -> int:
    """The presentation's body text in pixels: in proportion to the screen, at least 28, plus the reader's
    own adjustment (+/−)."""
    base = max(MIN_BODY_PX, round(BODY_PX_1080 * screen_height / 1080))
    return max(MIN_BODY_PX, min(MAX_BODY_PX, base + extra))


def pulse_colour(palette: QPalette) -> QColor:
    return QColor(PULSE_DARK if is_dark(palette) else PULSE_LIGHT)


def _plain_title(title: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", title).strip() or title


# ============================================================================================ pulse


class Pulse(QObject):
    """A brief fading highlight of the lines of an occurrence: an extra selection of the full width whose
    background goes from the palette's highlight colour to nothing. Other extra selections (find hits,
    annotations) are kept."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.animation = QVariantAnimation(self)
        self.animation.setStartValue(1.0)
        self.animation.setEndValue(0.0)
        self.animation.setDuration(PULSE_MS)
        self.animation.setEasingCurve(QEasingCurve.Type.InQuad)
        self.animation.valueChanged.connect(self._paint)
        self.animation.finished.connect(self._clear)
        self._view: QPlainTextEdit | None = None
        self._cursor = QTextCursor()
        self.colour = QColor(PULSE_LIGHT)
        self.peak_alpha = PULSE_PEAK_ALPHA

    def start(self, view: QPlainTextEdit, cursor: QTextCursor) -> None:
        self.stop()
        self._view = view
        self._cursor = QTextCursor(cursor)
        self.colour = pulse_colour(view.palette())
        self._paint(1.0)
        self.animation.start()

    def stop(self) -> None:
        if self.animation.state() == QVariantAnimation.State.Running:
            self.animation.stop()
        self._clear()

    def colour_at(self, value: float) -> QColor:
        colour = QColor(self.colour)
        colour.setAlphaF(max(0.0, min(1.0, self.peak_alpha * value)))
        return colour

    def _others(self) -> list[QTextEdit.ExtraSelection]:
        assert self._view is not None
        return [s for s in self._view.extraSelections() if not s.format.hasProperty(PULSE_PROPERTY)]

    def _paint(self, value: object) -> None:
        if self._view is None or not shiboken6.isValid(self._view):
            return
        selection = QTextEdit.ExtraSelection()
        selection.cursor = QTextCursor(self._cursor)
        fmt = QTextCharFormat()
        fmt.setBackground(self.colour_at(float(value)))  # type: ignore[arg-type]
        fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
        fmt.setProperty(PULSE_PROPERTY, True)
        selection.format = fmt
        self._view.setExtraSelections([*self._others(), selection])

    def _clear(self) -> None:
        if self._view is not None and shiboken6.isValid(self._view):
            self._view.setExtraSelections(self._others())
        self._view = None


# ============================================================================================= page


class PresentationPage(QWidget):
    """What the window shows while presenting: the caption, the panes over the graph, the comparison
    under the graph and the key hints."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PresentationPage")
        self.setAccessibleName("Presentation")
        self.caption = QLabel()
        self.caption.setObjectName("PresentationCaption")
        self.caption.setAccessibleName("Presentation caption")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary = QLabel()
        self.summary.setObjectName("PresentationSummary")
        self.summary.setAccessibleName("Comparison")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hints = QLabel()  # which number key focuses which category
        self.hints.setObjectName("PresentationHints")
        self.hints.setAccessibleName("Category keys")
        self.hints.setTextFormat(Qt.TextFormat.RichText)
        self.hints.setWordWrap(True)
        self.hints.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.keys = QLabel(KEYS_HINT)
        self.keys.setObjectName("PresentationKeys")
        self.keys.setAccessibleName("Presentation keys")
        self.keys.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.setHandleWidth(8)
        self.graph_box = QWidget()
        self.graph_layout = QVBoxLayout(self.graph_box)
        self.graph_layout.setContentsMargins(0, 6, 0, 0)
        self.graph_layout.setSpacing(4)
        self.graph_layout.addWidget(self.summary)
        self.split.addWidget(self.graph_box)
        # colours by palette role (a style sheet here would reset the panes' fonts): themes just work
        self.setAutoFillBackground(True)
        self.summary.setBackgroundRole(QPalette.ColorRole.Base)
        self.summary.setAutoFillBackground(True)
        self.summary.setContentsMargins(10, 4, 10, 4)
        self.keys.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        top = QHBoxLayout()
        top.setSpacing(24)
        top.addWidget(self.caption, 5)
        top.addWidget(self.hints, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.split, 1)
        layout.addWidget(self.keys)

    def set_type_size(self, body_px: int) -> None:
        """Caption as large as the body text, bold; comparison and hints smaller but still far-readable."""
        sizes = ((self.caption, 1.15, True), (self.summary, 0.72, False), (self.hints, 0.6, False), (self.keys, 0.5, False))
        for label, ratio, bold in sizes:
            font = QFont(label.font())
            font.setPixelSize(max(16, round(body_px * ratio)))
            font.setBold(bold)
            label.setFont(font)


# ======================================================================================= controller


@dataclass
class _PaneState:
    pane: ReaderPane
    hidden: bool
    font_size: float
    chrome_hidden: dict[int, bool] = field(default_factory=dict)  # id(widget) → hidden


@dataclass
class _Saved:
    state: QByteArray
    geometry: QRect  # the window's normal geometry (not maximised, not full screen)
    window_state: Qt.WindowState
    menu_hidden: bool
    status_hidden: bool
    stack_widget: QWidget | None
    splitter_state: QByteArray
    panes: list[_PaneState]
    focus: QWidget | None
    enabled: dict[QAction, bool]
    graph_buttons_hidden: list[bool]


class PresentationController(QObject):
    """Enters and leaves presentation mode for one window and steps through the occurrences."""

    activeChanged = Signal(bool)
    stepped = Signal(str)  # the caption after a step

    def __init__(self, window: MainWindow, action: QAction, allowed: Iterable[QAction] = ()) -> None:
        super().__init__(window)
        self.window = window
        self.action = action
        self.allowed = {action, *allowed}
        action.setCheckable(True)
        action.triggered.connect(self._on_triggered)
        self.page: PresentationPage | None = None
        self._saved: _Saved | None = None
        self._titles: dict[int, QLabel] = {}
        self.category: str | None = None
        self.index: int | None = None  # 0-based position in occurrences()
        self.current_pane: ReaderPane | None = None  # the pane of the occurrence shown last
        self.graph_full = False
        self.extra_px = 0
        self.pulse = Pulse(self)
        self._relayout: tuple[QByteArray, QByteArray] | None = None
        self._relayout_timer = QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(1000)
        self._relayout_timer.timeout.connect(lambda: setattr(self, "_relayout", None))
        window.installEventFilter(self)

    # ------------------------------------------------------------------ state

    @property
    def active(self) -> bool:
        return self._saved is not None

    def _on_triggered(self, checked: bool) -> None:
        if checked:
            self.enter()
        else:
            self.leave()

    def _sync_action(self) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(self.active)
        self.action.blockSignals(False)

    def presented_panes(self) -> list[ReaderPane]:
        return [p for p in self.window.panes if p.document is not None and not p.isHidden()]

    def category_keys(self) -> list[str]:
        """The categories numbers 1–9 focus: the legend's visible ones, in its order."""
        return self.window.legend.visible_categories()[:9]

    # ------------------------------------------------------------------ enter

    def enter(self) -> bool:
        w = self.window
        if self.active:
            return True
        if not any(p.document is not None for p in w.panes):
            w.show_status("Open a document in a pane first: presentation mode shows the panes and the graph.")
            self._sync_action()
            return False
        graph = w.ensure_graph()
        if self.page is None:
            self.page = PresentationPage()
        page = self.page
        w.stack.addWidget(page)  # (taken out again on leaving: it must not weigh on the normal layout)
        focus = QApplication.focusWidget()
        self._saved = _Saved(
            state=w.saveState(),
            geometry=QRect(w.geometry() if w.windowState() == Qt.WindowState.WindowNoState else w.normalGeometry()),
            window_state=w.windowState(),
            menu_hidden=w.menuBar().isHidden(),
            status_hidden=w.statusBar().isHidden(),
            stack_widget=w.stack.currentWidget(),
            splitter_state=w.splitter.saveState(),
            panes=[],
            focus=focus if focus is not None and focus.window() is w else None,
            enabled={},
            graph_buttons_hidden=[b.isHidden() for b in graph.buttons.buttons()],
        )
        saved = self._saved
        # no chrome
        for dock in w.findChildren(QDockWidget):
            dock.hide()
        for bar in w.findChildren(QToolBar):
            bar.hide()
        w.menuBar().hide()
        w.statusBar().hide()
        for action in w.findChildren(QAction):
            if action not in self.allowed and not action.isSeparator():
                saved.enabled[action] = action.isEnabled()
                action.setEnabled(False)
        # the panes over the graph
        page.split.insertWidget(0, w.splitter)
        w.splitter.show()
        page.graph_layout.insertWidget(0, graph, 1)
        graph.show()
        for button in graph.buttons.buttons():
            button.hide()
        w.stack.setCurrentWidget(page)
        for pane in w.panes:
            chrome = [pane.number_label, pane.combo, pane.close_button, pane.details]
            state = _PaneState(pane, pane.isHidden(), pane.font_size, {id(c): c.isHidden() for c in chrome})
            saved.panes.append(state)
            for c in chrome:
                c.hide()
            if pane.document is None:
                pane.hide()
                continue
            title = QLabel(self._pane_title(pane))
            title.setObjectName("PresentationPaneTitle")
            title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            title.setContentsMargins(10, 2, 10, 2)
            pane_layout = pane.layout()
            assert isinstance(pane_layout, QVBoxLayout)
            pane_layout.insertWidget(0, title)
            self._titles[id(pane)] = title
        w.stack.currentChanged.connect(self._keep_page)
        self.graph_full = False
        w.showFullScreen()
        self.apply_type_size()
        page.split.setSizes([600, 400])
        # the category the reader was stepping through, if any
        active = w.active_pane
        label = active.navigation_label if active is not None else ""
        self.category = label if label in self.category_keys() else None
        self.index = None
        self.current_pane = None
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.refresh()
        if active is not None and not active.isHidden():
            active.view.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            page.setFocus()
        self._sync_action()
        self.activeChanged.emit(True)
        announce(page, "Presentation mode. " + page.caption.text())
        return True

    def _pane_title(self, pane: ReaderPane) -> str:
        doc = pane.document
        if doc is None:
            return ""
        when = doc.date or "undated"
        return f"{_plain_title(doc.title)} · {when}"

    def body_px(self) -> int:
        screen = self.window.screen()
        height = screen.geometry().height() if screen is not None else 1080
        return body_pixel_size(height, self.extra_px)

    def apply_type_size(self) -> None:
        """Pane text at body_px() pixels (set in points, checked in pixels), captions and graph to match."""
        px = self.body_px()
        for pane in self.presented_panes():
            dpi = pane.view.logicalDpiY() or 96
            points = px * 72.0 / dpi
            pane.set_font_size(points)
            while QFontInfo(pane.view.font()).pixelSize() < px:
                points += 0.5
                pane.set_font_size(points)
            title = self._titles.get(id(pane))
            if title is not None:
                font = QFont(title.font())
                font.setPixelSize(max(16, round(px * 0.7)))
                font.setBold(True)
                title.setFont(font)
        if self.page is not None:
            self.page.set_type_size(px)
        if self.window.graph is not None:
            self.window.graph.set_scale(px / 14, legend_columns=6)

    # ------------------------------------------------------------------ leave

    def leave(self) -> None:
        saved = self._saved
        if saved is None:
            self._sync_action()
            return
        w = self.window
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        w.stack.currentChanged.disconnect(self._keep_page)
        self.pulse.stop()
        graph = w.graph
        if graph is not None:
            graph.set_emphasis(None)
            graph.set_scale(1.0)
            for button, hidden in zip(graph.buttons.buttons(), saved.graph_buttons_hidden, strict=False):
                button.setHidden(hidden)
            w.graph_dock.setWidget(graph)
        reading_layout = w.reading.layout()
        assert isinstance(reading_layout, QVBoxLayout)
        reading_layout.insertWidget(0, w.splitter, 1)
        w.splitter.show()
        for title in self._titles.values():
            title.hide()
            title.setParent(None)
            title.deleteLater()
        self._titles.clear()
        for state in saved.panes:
            pane = state.pane
            if not shiboken6.isValid(pane):
                continue
            for c in (pane.number_label, pane.combo, pane.close_button, pane.details):
                c.setHidden(state.chrome_hidden.get(id(c), False))
            pane.setHidden(state.hidden)
            pane.set_font_size(state.font_size)
        if saved.stack_widget is not None:
            w.stack.setCurrentWidget(saved.stack_widget)
        if self.page is not None:
            w.stack.removeWidget(self.page)
            self.page.setParent(w)  # kept (hidden, in no layout) for the next time
            self.page.hide()
        for action, enabled in saved.enabled.items():
            if shiboken6.isValid(action):
                action.setEnabled(enabled)
        w.menuBar().setHidden(saved.menu_hidden)
        w.statusBar().setHidden(saved.status_hidden)
        w.setWindowState(Qt.WindowState.WindowNoState)
        w.setGeometry(saved.geometry)
        if saved.window_state != Qt.WindowState.WindowNoState:
            w.setWindowState(saved.window_state)
        w.restoreState(saved.state)
        w.splitter.restoreState(saved.splitter_state)
        # the window system may apply the window state later (a maximised window's size comes back from
        # the window manager): lay the docks and panes out again on the resizes of the next second
        self._relayout = (saved.state, saved.splitter_state)
        self._relayout_timer.start()
        self._saved = None
        focus = saved.focus if saved.focus is not None and shiboken6.isValid(saved.focus) else None
        current = self.current_pane
        if current is not None and shiboken6.isValid(current) and current in w.panes:
            current.activated.emit(current)
        active = w.active_pane
        if isinstance(focus, QPlainTextEdit) and active is not None:
            focus = active.view  # a pane had the focus: the one presenting stepped to last, so F3 goes on there
        if focus is not None and focus.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._sync_action()
        self.activeChanged.emit(False)
        w.show_status("Left presentation mode.", 3000)

    def _apply_relayout(self) -> None:
        if self._relayout is not None and not self.active:
            state, splitter_state = self._relayout
            self.window.restoreState(state)
            self.window.splitter.restoreState(splitter_state)

    def _keep_page(self, _index: int) -> None:
        """Something asked for another page of the window (opening a document): presenting stays on top."""
        if self.active and self.page is not None and self.window.stack.currentWidget() is not self.page:
            QTimer.singleShot(0, self._show_page)

    def _show_page(self) -> None:
        if self.active and self.page is not None:
            self.window.stack.setCurrentWidget(self.page)

    # --------------------------------------------------------------- stepping

    def occurrences(self, category: str | None = None) -> list[tuple[ReaderPane, Match]]:
        """(pane, match) for the category across the presented panes: documents in date order, each once,
        occurrences in text order."""
        category = category or self.category
        if category is None:
            return []
        order = {s.id: i for i, s in enumerate(self.window.service.summaries)}
        panes = sorted(
            (p for p in self.presented_panes() if p.analysis is not None),
            key=lambda p: (order.get(p.document_id or -1, len(order)), p.number),
        )
        seen: set[int] = set()
        result: list[tuple[ReaderPane, Match]] = []
        for pane in panes:
            doc_id = pane.document_id
            if doc_id is None or doc_id in seen:
                continue
            seen.add(doc_id)
            assert pane.analysis is not None
            result.extend((pane, m) for m in pane.analysis.matches_in(category))
        return result

    def focus_number(self, number: int) -> bool:
        keys = self.category_keys()
        if not 1 <= number <= len(keys):
            self.window.show_status(f"No category {number}.")
            return False
        self.focus_category(keys[number - 1])
        return True

    def focus_category(self, category: str) -> None:
        self.category = category
        self.index = None
        self.pulse.stop()
        self.refresh()
        if self.page is not None:
            announce(self.page.caption, self.page.caption.text())

    def step(self, delta: int) -> tuple[ReaderPane, Match] | None:
        """Move ``delta`` occurrences on (wrapping round); from no occurrence, +1 is the first and −1 the
        last."""
        if self.category is None:
            keys = self.category_keys()
            if not keys:
                return None
            self.category = keys[0]
        occurrences = self.occurrences()
        if not occurrences:
            self.index = None
            self.refresh()
            return None
        if self.index is None:
            self.index = 0 if delta > 0 else len(occurrences) - 1
        else:
            self.index = (self.index + delta) % len(occurrences)
        return self.show_index(self.index)

    def go_to(self, index: int) -> tuple[ReaderPane, Match] | None:
        occurrences = self.occurrences()
        if not occurrences:
            return None
        self.index = max(0, min(len(occurrences) - 1, index if index >= 0 else len(occurrences) + index))
        return self.show_index(self.index)

    def show_index(self, index: int) -> tuple[ReaderPane, Match]:
        pane, match = self.occurrences()[index]
        self.current_pane = pane
        pane.activated.emit(pane)
        pane.navigate_category(match.category)  # F3 goes on from here after presenting
        pane.show_match(match)
        if not self.graph_full:
            pane.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.pulse.start(pane.view, pane.view.textCursor())
        self.refresh()
        if self.page is not None:
            announce(self.page.caption, self.page.caption.text())
            self.stepped.emit(self.page.caption.text())
        return pane, match

    # ----------------------------------------------------------------- captions

    def caption_text(self) -> str:
        if self.category is None:
            return "Press a number key to choose a category, then Page Down to step through it"
        occurrences = self.occurrences()
        if not occurrences:
            return f"{self.category} — none in these documents"
        if self.index is None or self.index >= len(occurrences):
            docs = len({p.document_id for p, _m in occurrences})
            return f"{self.category} — {len(occurrences)} in {docs} document{'s' if docs != 1 else ''}"
        pane, _match = occurrences[self.index]
        assert pane.document is not None
        return f"{self.category} — {self.index + 1} of {len(occurrences)} — {short_name(pane.document)}"

    def hints_html(self) -> str:
        palette = self.window.highlight_palette
        parts = []
        for n, cat in enumerate(self.category_keys(), start=1):
            colour = palette.style(cat).colour.name()
            swatch = f"<span style='color:{colour}'>■</span>"
            name = f"<b><u>{cat}</u></b>" if cat == self.category else cat
            parts.append(f"<span style='white-space:nowrap'><b>{n}</b>&nbsp;{swatch}&nbsp;{name}</span>")
        return " &nbsp;·&nbsp; ".join(parts)

    def comparison_text(self) -> str:
        table = self.window.service.stats_table()
        hidden = self.window.legend.hidden_categories()
        visible = [c for c in table.categories if c not in hidden]
        return comparison_sentence(table, visible, focus=self.category, limit=3)

    def refresh(self) -> None:
        """Captions, hints, comparison and the graph's emphasis, from the current state."""
        page = self.page
        if page is None or not self.active:
            return
        page.caption.setText(self.caption_text())
        page.hints.setText(self.hints_html())
        summary = self.comparison_text()
        page.summary.setText(summary)
        page.summary.setHidden(not summary)
        if self.window.graph is not None:
            self.window.graph.set_emphasis(self.category)
            self.window.graph.setAccessibleDescription(summary)

    def toggle_graph_full(self) -> None:
        self.graph_full = not self.graph_full
        self.window.splitter.setHidden(self.graph_full)
        graph = self.window.graph
        if self.graph_full and graph is not None:
            (graph.stack.currentWidget() or graph).setFocus(Qt.FocusReason.OtherFocusReason)
        elif not self.graph_full:
            pane = self.current_pane if self.current_pane in self.presented_panes() else self.window.active_pane
            if pane is not None:
                pane.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def resize_text(self, delta_px: int) -> None:
        base = body_pixel_size(self._screen_height())
        self.extra_px = max(MIN_BODY_PX - base, min(MAX_BODY_PX - base, self.extra_px + delta_px))
        self.apply_type_size()
        if self.index is not None:
            occurrences = self.occurrences()
            if self.index < len(occurrences):
                occurrences[self.index][0].view.centerCursor()

    def _screen_height(self) -> int:
        screen = self.window.screen()
        return screen.geometry().height() if screen is not None else 1080

    # ------------------------------------------------------------------- keys

    def _handler(self, event: QKeyEvent) -> object:
        mods = event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier)
        if mods != Qt.KeyboardModifier.NoModifier:
            return None
        key = event.key()
        if key in NEXT_KEYS:
            return lambda: self.step(1)
        if key in PREVIOUS_KEYS:
            return lambda: self.step(-1)
        if key == K.Key_Home:
            return lambda: self.go_to(0)
        if key == K.Key_End:
            return lambda: self.go_to(-1)
        if key in DIGIT_KEYS:
            return lambda: self.focus_number(DIGIT_KEYS[key])
        if key == K.Key_G:
            return self.toggle_graph_full
        if key in (K.Key_Plus, K.Key_Equal):
            return lambda: self.resize_text(2)
        if key in (K.Key_Minus, K.Key_Underscore):
            return lambda: self.resize_text(-2)
        if key == K.Key_Escape:
            return self.leave
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.window and kind == QEvent.Type.Close and self.active:
            self.leave()  # the window saves its layout on close: the real one, not the presentation's
            return False
        if watched is self.window and kind == QEvent.Type.Resize and self._relayout is not None:
            QTimer.singleShot(0, self._apply_relayout)
            return False
        if not self.active or kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self.window or not isinstance(event, QKeyEvent):
            return False
        handler = self._handler(event)
        if handler is None:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # ours, not a shortcut's
            return True
        handler()  # type: ignore[operator]
        return True
