"""One reading pane: a title bar with a document chooser, and the document's text with its highlights.

The text is a read-only ``QPlainTextEdit`` (it lays out only what is on screen, so a 100,000-word document
opens at once). Highlights are applied in one pass over the analysis's precomputed matches, as character
formats inside a single edit block (no per-term search). Offsets are converted from Python code points to
Qt's UTF-16 positions with :class:`TextOffsets`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QEvent, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QHelpEvent,
    QPalette,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.analysis import DocumentAnalysis, Match
from summit_reader.core.documents import Document
from summit_reader.core.models import DocumentSummary
from summit_reader.core.settings import DEFAULT_ZOOM
from summit_reader.ui.find_query import find_all
from summit_reader.ui.highlight_style import HighlightPalette
from summit_reader.ui.textpos import TextOffsets
from summit_reader.ui.widgets.sample_banner import SampleBanner

DOC_ID_MIME = "application/x-summit-reader-document-id"
#: A comfortable line length, in average characters.
LINE_CHARACTERS = 72
MAX_FIND_SELECTIONS = 3000
READING_FAMILIES = ("Source Serif 4", "Noto Serif", "DejaVu Serif", "Georgia", "Liberation Serif")


def reading_family() -> str:
    families = set(QFontDatabase.families())
    return next((f for f in READING_FAMILIES if f in families), QFont().defaultFamily())


def document_mime(doc_id: int) -> QMimeData:
    data = QMimeData()
    data.setData(DOC_ID_MIME, str(doc_id).encode("ascii"))
    return data


def document_id_from_mime(data: QMimeData) -> int | None:
    if not data.hasFormat(DOC_ID_MIME):
        return None
    try:
        return int(bytes(data.data(DOC_ID_MIME).data()).decode("ascii"))
    except ValueError:
        return None


def tooltip_text(match: Match, occurrences: int) -> str:
    lines = [f"<b>{match.category}</b>: “{match.text}”", f"term: {match.term}"]
    if match.rank is not None:
        lines.append(f"strength: {match.rank} ({match.level})")
    if match.negated:
        lines.append("<i>negated</i>")
    lines.append(f"{occurrences:,} occurrence{'s' if occurrences != 1 else ''} of {match.category} in this document")
    return "<br>".join(lines)


class ReaderView(QPlainTextEdit):
    """The text itself. Tooltips, drops of library documents, and the centred reading column."""

    documentDropped = Signal(int)
    focused = Signal()

    def __init__(self, pane: ReaderPane) -> None:
        super().__init__(pane)
        self._pane = pane
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setCenterOnScroll(True)
        self.setAutoFillBackground(True)
        self.document().setDocumentMargin(18)
        self.refresh_palette()

    def refresh_palette(self) -> None:
        """The application's palette with this view's changes (again after a theme change)."""
        palette = QPalette(QApplication.palette(self))
        # the selection (a clicked graph point, a find hit) must stay visible when the pane is not focused
        for role in (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText):
            palette.setColor(QPalette.ColorGroup.Inactive, role, palette.color(QPalette.ColorGroup.Active, role))
        palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.Base))
        self.setPalette(palette)

    def update_column(self) -> None:
        """Centre a column of about LINE_CHARACTERS characters."""
        metrics = QFontMetricsF(self.font())
        column = metrics.averageCharWidth() * LINE_CHARACTERS + 2 * self.document().documentMargin()
        available = self.width() - self.verticalScrollBar().sizeHint().width() - 2 * self.frameWidth()
        side = max(0, int((available - column) / 2))
        self.setViewportMargins(side, 0, side, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.update_column()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self._pane.tooltip_at_point(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if document_id_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if document_id_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        doc_id = document_id_from_mime(event.mimeData())
        if doc_id is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.documentDropped.emit(doc_id)


class ReaderPane(QFrame):
    """A pane: header (number, document chooser, details, close) and a :class:`ReaderView`."""

    documentChosen = Signal(object, int)  # pane, document id (chosen by the user in the combo or by a drop)
    closeRequested = Signal(object)
    activated = Signal(object)

    def __init__(self, number: int, palette: HighlightPalette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReaderPane")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._palette = palette
        self.document: Document | None = None
        self.analysis: DocumentAnalysis | None = None
        self._offsets = TextOffsets("")
        self._starts: list[int] = []  # Qt positions of the match starts, for tooltips
        self._hidden: set[str] = set()
        self._font_size = DEFAULT_ZOOM
        self._nav_spans: list[tuple[int, int]] = []  # code points
        self._nav_label = ""
        self._find_spans: list[tuple[int, int]] = []
        self._find_query = ""
        self._active = False

        self.number_label = QLabel()
        self.number_label.setObjectName("PaneNumber")
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number_label.setMinimumWidth(22)
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(16)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.activated.connect(self._on_combo_activated)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(lambda: self.closeRequested.emit(self))
        self.details = QLabel()
        self.details.setObjectName("PaneDetails")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        small = self.details.font()
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.9))
        self.details.setFont(small)
        self.view = ReaderView(self)
        self.view.documentDropped.connect(lambda doc_id: self.documentChosen.emit(self, doc_id))
        self.view.focused.connect(lambda: self.activated.emit(self))
        self.view.setPlaceholderText("Choose a document above, or drag one here from the library.")

        header = QHBoxLayout()
        header.setContentsMargins(6, 4, 4, 0)
        header.setSpacing(6)
        header.addWidget(self.number_label)
        header.addWidget(self.combo, 1)
        header.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(2)
        layout.addLayout(header)
        details_row = QHBoxLayout()
        details_row.setContentsMargins(8, 0, 8, 2)
        details_row.addWidget(self.details)
        layout.addLayout(details_row)
        self.sample_banner = SampleBanner(self)  # "illustrative sample, not an official text"
        layout.addWidget(self.sample_banner)
        layout.addWidget(self.view, 1)
        self.set_number(number)
        self.set_font_size(DEFAULT_ZOOM)
        self.set_active(False)

    # ----------------------------------------------------------------- identity

    def set_number(self, number: int) -> None:
        self.number = number
        self.number_label.setText(str(number))
        self.combo.setAccessibleName(f"Document in pane {number}")
        self.combo.setToolTip(f"The document shown in pane {number}")
        self.close_button.setAccessibleName(f"Close pane {number}")
        self.close_button.setToolTip(f"Close pane {number} (Ctrl+W closes the active pane)")
        self.view.setAccessibleName(f"Text of pane {number}")

    def set_active(self, active: bool) -> None:
        self._active = active
        pal = self.palette()
        colour = pal.color(QPalette.ColorRole.Highlight) if active else pal.color(QPalette.ColorRole.Mid)
        text = pal.color(QPalette.ColorRole.HighlightedText) if active else pal.color(QPalette.ColorRole.WindowText)
        self.number_label.setStyleSheet(
            f"QLabel#PaneNumber {{ background: {colour.name()}; color: {text.name()}; border-radius: 4px;"
            " font-weight: bold; padding: 1px 4px; }"
        )

    @property
    def is_active(self) -> bool:
        return self._active

    @property
    def document_id(self) -> int | None:
        return self.document.id if self.document is not None else None

    # ------------------------------------------------------------ document list

    def set_documents(self, summaries: Sequence[DocumentSummary]) -> None:
        """Fill the chooser (keeping the current document selected)."""
        current = self.document_id
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("— no document —", None)
        for s in summaries:
            label = f"{s.title} ({s.year})" if s.year and s.year not in s.title else s.title
            self.combo.addItem(label, s.id)
            self.combo.setItemData(self.combo.count() - 1, s.title, Qt.ItemDataRole.ToolTipRole)
        self._select_in_combo(current)
        self.combo.blockSignals(False)

    def _select_in_combo(self, doc_id: int | None) -> None:
        index = self.combo.findData(doc_id) if doc_id is not None else 0
        self.combo.setCurrentIndex(max(0, index))

    def _on_combo_activated(self, index: int) -> None:
        doc_id = self.combo.itemData(index)
        if doc_id is None:
            self.set_document(None, None)
        elif doc_id != self.document_id:
            self.documentChosen.emit(self, int(doc_id))

    # ------------------------------------------------------------------ content

    def set_document(self, document: Document | None, analysis: DocumentAnalysis | None) -> None:
        self.document = document
        self.analysis = None
        self._nav_spans, self._nav_label = [], ""
        self._find_spans = []
        self.view.setExtraSelections([])
        self._select_in_combo(document.id if document else None)
        text = document.text if document else ""
        self._offsets = TextOffsets(text)
        self.view.setPlainText(text)
        self._apply_block_format()
        self.set_analysis(analysis)
        self.view.moveCursor(QTextCursor.MoveOperation.Start)
        self._update_details()
        self.sample_banner.update_for(document)
        if self._find_query:
            self.find(self._find_query)

    def set_analysis(self, analysis: DocumentAnalysis | None) -> None:
        if analysis is not None and (self.document is None or analysis.text_hash != self.document.text_hash):
            return
        self.analysis = analysis
        self._starts = [self._offsets.to_qt(m.start) for m in analysis.matches] if analysis else []
        self._apply_highlights()
        self._update_details()

    def _apply_block_format(self) -> None:
        cursor = QTextCursor(self.view.document())
        block = QTextBlockFormat()
        block.setLineHeight(135, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.mergeBlockFormat(block)
        cursor.endEditBlock()

    def _update_details(self) -> None:
        doc = self.document
        if doc is None:
            self.details.setText("")
            return
        parts = [p for p in (doc.date or "undated", doc.place, doc.kind) if p]
        if self.analysis is not None:
            parts.append(f"{self.analysis.word_count:,} words")
        else:
            parts.append("analysing…")
        self.details.setText(" · ".join(parts))
        self.details.setToolTip(doc.title)

    def set_hidden_categories(self, hidden: Iterable[str]) -> None:
        hidden = set(hidden)
        changed = hidden ^ self._hidden
        if changed:
            self._hidden = hidden
            self._apply_highlights(only=changed)

    def set_highlight_palette(self, palette: HighlightPalette) -> None:
        self._palette = palette
        self._apply_highlights()

    def _apply_highlights(self, only: set[str] | None = None) -> None:
        """Clear all character formats, then format every visible match: one edit block, one pass.
        With ``only``, re-format just the matches of those categories (shown or cleared)."""
        doc = self.view.document()
        bar = self.view.verticalScrollBar()
        keep = bar.value()
        selection = self.view.textCursor()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        plain = QTextCharFormat()
        if only is None:
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.setCharFormat(plain)
        if self.analysis is not None:
            to_qt = self._offsets.to_qt
            fmt_for = self._palette.format_for
            hidden = self._hidden
            move = QTextCursor.MoveMode.KeepAnchor
            for m in self.analysis.matches:
                if only is not None and m.category not in only:
                    continue
                if m.category in hidden and only is None:
                    continue
                cursor.setPosition(to_qt(m.start))
                cursor.setPosition(to_qt(m.end), move)
                cursor.setCharFormat(plain if m.category in hidden else fmt_for(m))
        cursor.endEditBlock()
        self.view.setTextCursor(selection)
        bar.setValue(keep)

    # ------------------------------------------------------------------- zoom

    @property
    def font_size(self) -> float:
        return self._font_size

    def set_font_size(self, points: float) -> None:
        bar = self.view.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self._font_size = points
        font = QFont(reading_family())
        font.setPointSizeF(points)
        self.view.setFont(font)
        self.view.update_column()
        if bar.maximum():
            bar.setValue(round(fraction * bar.maximum()))

    # ------------------------------------------------------- matches and tooltips

    def match_at(self, qt_position: int) -> Match | None:
        """The match covering the Qt position, whether visible or not."""
        if self.analysis is None:
            return None
        i = bisect_right(self._starts, qt_position) - 1
        if i < 0:
            return None
        m = self.analysis.matches[i]
        if self._offsets.to_qt(m.start) <= qt_position < self._offsets.to_qt(m.end):
            return m
        return None

    def tooltip_at(self, qt_position: int) -> str | None:
        m = self.match_at(qt_position)
        if m is None or m.category in self._hidden or self.analysis is None:
            return None
        return tooltip_text(m, self.analysis.count(m.category))

    def tooltip_at_point(self, viewport_pos: QPoint) -> str | None:
        cursor = self.view.cursorForPosition(viewport_pos)
        rect = self.view.cursorRect(cursor)
        position = cursor.position()
        # cursorForPosition gives the nearest gap between characters: use the character under the pointer
        if viewport_pos.x() < rect.x() and position > 0:
            position -= 1
        return self.tooltip_at(position)

    def char_format_at(self, offset: int) -> QTextCharFormat:
        """The character format of the character at code point ``offset`` (what the reader sees)."""
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self._offsets.to_qt(offset) + 1)
        return cursor.charFormat()

    def is_highlighted(self, offset: int) -> bool:
        return self.char_format_at(offset).hasProperty(QTextFormat.Property.BackgroundBrush)

    def category_counts(self) -> dict[str, int]:
        return self.analysis.counts() if self.analysis is not None else {}

    # ----------------------------------------------------- selection and stepping

    def select_span(self, start: int, end: int) -> None:
        """Select code points ``start``…``end`` and scroll them to the middle of the pane."""
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self._offsets.to_qt(start))
        cursor.setPosition(self._offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.view.setTextCursor(cursor)
        self.view.centerCursor()

    def show_match(self, match: Match) -> None:
        self.select_span(match.start, match.end)

    def selected_text(self) -> str:
        return self.view.textCursor().selectedText().replace("\u2029", "\n")

    def selection_span(self) -> tuple[int, int]:
        cursor = self.view.textCursor()
        return self._offsets.from_qt(cursor.selectionStart()), self._offsets.from_qt(cursor.selectionEnd())

    def set_navigation(self, spans: Sequence[tuple[int, int]], label: str) -> None:
        """What F3 / Shift+F3 step through in this pane."""
        self._nav_spans = list(spans)
        self._nav_label = label

    def navigate_category(self, category: str) -> int:
        """Step through ``category``'s matches from now on; return how many there are."""
        matches = self.analysis.matches_in(category) if self.analysis else []
        self.set_navigation([(m.start, m.end) for m in matches], category)
        return len(matches)

    @property
    def navigation_label(self) -> str:
        return self._nav_label

    def _ensure_navigation(self) -> None:
        if self._nav_spans:
            return
        start, _end = self.selection_span()
        m = self.match_at(self._offsets.to_qt(start))
        if m is not None:
            self.navigate_category(m.category)

    def step(self, forward: bool = True) -> tuple[int, int] | None:
        """Select the next (or previous) span after the current selection, wrapping round.
        Returns (index, total) counted from 1, or None if there is nothing to step through."""
        self._ensure_navigation()
        spans = self._nav_spans
        if not spans:
            return None
        start, end = self.selection_span()
        starts = [s for s, _ in spans]
        if forward:
            i = bisect_right(starts, start) if end > start else bisect_left(starts, start)
            i = i % len(spans)
        else:
            i = (bisect_left(starts, start) - 1) % len(spans)
        self.select_span(*spans[i])
        return i + 1, len(spans)

    # ---------------------------------------------------------------------- find

    def find(self, query: str, origin: int | None = None) -> int:
        """Mark every hit of ``query`` and select the first one at or after ``origin`` (a code point offset;
        default: the start of the selection); return the count. Typing a query letter by letter with the
        same origin keeps the search where it began."""
        self._find_query = query
        text = self.document.text if self.document else ""
        self._find_spans = find_all(text, query) if query.strip() else []
        selections = []
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        colour.setAlpha(70)
        for s, e in self._find_spans[:MAX_FIND_SELECTIONS]:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.view.document())
            cursor.setPosition(self._offsets.to_qt(s))
            cursor.setPosition(self._offsets.to_qt(e), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor  # type: ignore[attr-defined]
            fmt = QTextCharFormat()
            fmt.setBackground(colour)
            sel.format = fmt  # type: ignore[attr-defined]
            selections.append(sel)
        self.view.setExtraSelections(selections)
        if self._find_spans:
            self.set_navigation(self._find_spans, f"“{query}”")
            cursor = self.view.textCursor()
            start = cursor.selectionStart() if origin is None else self._offsets.to_qt(origin)
            cursor.setPosition(start)
            self.view.setTextCursor(cursor)
            self.step(True)
        elif self._nav_label.startswith("“"):
            self.set_navigation([], "")
        return len(self._find_spans)

    def clear_find(self) -> None:
        self._find_query = ""
        self._find_spans = []
        self.view.setExtraSelections([])
        if self._nav_label.startswith("“"):
            self.set_navigation([], "")

    @property
    def find_count(self) -> int:
        return len(self._find_spans)
