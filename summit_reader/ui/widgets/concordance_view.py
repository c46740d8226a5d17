"""The concordance (keyword in context) panel: a query field, a category list, and a table of lines whose
keywords line up in one column — the left context right-aligned (cut at its far end, so the words next
to the keyword stay visible), the keyword centred in bold, the right context left-aligned.

The panel only shows lines and says what the user asked for; searching, jumping to a pane and
annotating are done by :mod:`summit_reader.ui.concordance_commands`."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.concordance import ConcordanceLine, sort_key

Index = QModelIndex | QPersistentModelIndex

LEFT, KEYWORD, RIGHT, DOCUMENT, DATE = range(5)
HEADERS = ("Left context", "Keyword", "Right context", "Document", "Date")
#: The order each column sorts by (core.concordance.sort_key): the contexts by their words, nearest first.
COLUMN_SORT = {LEFT: "left", KEYWORD: "keyword", RIGHT: "right", DOCUMENT: "title", DATE: "document"}
HEADER_TIPS = (
    "The words before the keyword. Click to sort by them, nearest word first",
    "The word or phrase found. Click to sort alphabetically",
    "The words after the keyword. Click to sort by them",
    "The document. Click to sort by title",
    "The document's date. Click for the library's date order, then position in the text",
)
DEFAULT_UI_WIDTH = 80
NO_CATEGORY = "Category…"


class ConcordanceModel(QAbstractTableModel):
    """The lines, in the order of the header clicked last. ``data`` only reads a field: cheap for 100k lines."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[ConcordanceLine] = []
        self._sort = (DATE, Qt.SortOrder.AscendingOrder)
        self._keys: dict[str, dict[int, tuple[object, ...]]] = {}  # sort name -> id(line) -> key
        self.keyword_font = QFont()  # the table's font in bold (set by the view when its font changes)
        self.keyword_font.setBold(True)

    def set_lines(self, lines: Sequence[ConcordanceLine]) -> None:
        self.beginResetModel()
        self._keys.clear()
        self.lines = self._sorted(list(lines), *self._sort)
        self.endResetModel()

    def line(self, row: int) -> ConcordanceLine | None:
        return self.lines[row] if 0 <= row < len(self.lines) else None

    def row_of(self, line: ConcordanceLine) -> int:
        return next((i for i, other in enumerate(self.lines) if other is line), -1)

    def _sorted(self, lines: list[ConcordanceLine], column: int, order: Qt.SortOrder) -> list[ConcordanceLine]:
        name = COLUMN_SORT.get(column, "document")
        keys = self._keys.get(name)
        if keys is None:  # worked out once per column and result: clicking again to reverse is instant
            key = sort_key(name)
            keys = self._keys[name] = {id(line): key(line) for line in lines}
        return sorted(lines, key=lambda line: keys[id(line)], reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        if not self.lines:
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        kept = [self.lines[i.row()] for i in persistent]
        self.lines = self._sorted(self.lines, column, order)
        row = {id(line): r for r, line in enumerate(self.lines)}
        self.changePersistentIndexList(
            persistent, [self.index(row[id(line)], i.column()) for line, i in zip(kept, persistent, strict=True)]
        )
        self.layoutChanged.emit()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == LEFT:
                return line.left
            if col == KEYWORD:
                return line.keyword
            if col == RIGHT:
                return line.right
            if col == DOCUMENT:
                return line.title
            return line.date or ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == LEFT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col == KEYWORD:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and col == KEYWORD:
            return self.keyword_font
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(line)
        if role == Qt.ItemDataRole.AccessibleTextRole and col == KEYWORD:
            return f"{line.keyword}, in {line.title}"
        return None


def tooltip(line: ConcordanceLine) -> str:
    where = f"{line.title} ({line.date})" if line.date else line.title
    counted = f"{line.category}: {line.term}" + (", negated" if line.negated else "")
    return f"{where}\n…{line.left} [{line.keyword}] {line.right}…\n{counted}\nDouble-click or Enter: show it in the reader pane"


class _LeftContextDelegate(QStyledItemDelegate):
    """The left context is cut at its start (“… the words nearest the keyword”), not at its end."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft


class ConcordanceView(QWidget):
    searchRequested = Signal(str, bool, int)  # query, is a category, context width in characters
    lineActivated = Signal(object)  # ConcordanceLine: show it in a pane
    annotateRequested = Signal(object)  # ConcordanceLine
    exportRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConcordanceView")
        self.model = ConcordanceModel()

        self.query_edit = QLineEdit()
        self.query_edit.setObjectName("ConcordanceQuery")
        self.query_edit.setPlaceholderText("A word, a glob such as secur*, or a phrase — Enter searches")
        self.query_edit.setAccessibleName("Search the library for")
        self.query_edit.setToolTip("Whole words, any case, as the lexicon counts them: * stands for any letters inside a word")
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.returnPressed.connect(self._search_term)
        self.search_button = QPushButton("Search")
        self.search_button.setToolTip("List every occurrence in the library")
        self.search_button.clicked.connect(self._search_term)
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("ConcordanceCategory")
        self.category_combo.setAccessibleName("Or a category of the lexicon")
        self.category_combo.setToolTip("Every counted word of a category (the language table's counts, line by line)")
        self.category_combo.addItem(NO_CATEGORY, None)
        self.category_combo.activated.connect(self._on_category_chosen)
        self.width_spin = QSpinBox()
        self.width_spin.setRange(10, 300)
        self.width_spin.setSingleStep(10)
        self.width_spin.setValue(DEFAULT_UI_WIDTH)
        self.width_spin.setSuffix(" characters")
        self.width_spin.setAccessibleName("Context on each side")
        self.width_spin.setToolTip("How much text to show on each side of the keyword (cut at a word boundary)")
        self.width_spin.editingFinished.connect(self._on_width_changed)
        self._searched_width = DEFAULT_UI_WIDTH
        context_label = QLabel("Context:")
        context_label.setBuddy(self.width_spin)

        self.table = QTableView()
        self.table.setObjectName("ConcordanceTable")
        self.table.setAccessibleName("Concordance lines")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(LEFT, _LeftContextDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_menu)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LEFT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(RIGHT, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(DATE, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.activated.connect(self._on_activated)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)

        self.count_label = QLabel("Type a word or choose a category.")
        self.count_label.setObjectName("ConcordanceCount")
        self.count_label.setAccessibleName("Concordance result")
        self.show_button = QPushButton("Show in pane")
        self.show_button.setToolTip("Show the chosen line in the active reader pane, keyword selected (Enter)")
        self.show_button.clicked.connect(lambda: self._emit_current(self.lineActivated))
        self.annotate_button = QPushButton("Annotate from here…")
        self.annotate_button.setToolTip("Select the keyword in its document and annotate it (as Edit → Annotate selection)")
        self.annotate_button.clicked.connect(lambda: self._emit_current(self.annotateRequested))
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save these lines, in this order, as CSV (with the query and the lexicon)")
        self.export_button.clicked.connect(self.exportRequested)
        annotate = QShortcut(QKeySequence("Ctrl+M"), self.table)  # as in the panes: annotate the chosen line
        annotate.setContext(Qt.ShortcutContext.WidgetShortcut)
        annotate.activated.connect(lambda: self._emit_current(self.annotateRequested))

        query_row = QHBoxLayout()
        query_row.setContentsMargins(0, 0, 0, 0)
        query_row.addWidget(self.query_edit, 3)
        query_row.addWidget(self.search_button)
        query_row.addSpacing(8)
        query_row.addWidget(self.category_combo, 1)
        query_row.addSpacing(8)
        query_row.addWidget(context_label)
        query_row.addWidget(self.width_spin)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.count_label, 1)
        for button in (self.show_button, self.annotate_button, self.export_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(query_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._fit_columns()
        self._update_buttons()

    def sizeHint(self) -> QSize:
        return QSize(1000, 300)

    # ------------------------------------------------------------------ inputs

    def set_categories(self, names: Sequence[str]) -> None:
        """The lexicon's categories (the choice is kept when the category is still there)."""
        current = self.category_combo.currentData()
        self.category_combo.blockSignals(True)
        self.category_combo.clear()
        self.category_combo.addItem(NO_CATEGORY, None)
        for name in names:
            self.category_combo.addItem(name, name)
        found = self.category_combo.findData(current) if current is not None else -1
        self.category_combo.setCurrentIndex(max(0, found))
        self.category_combo.blockSignals(False)

    def set_lines(self, lines: Sequence[ConcordanceLine], summary: str) -> None:
        self.model.set_lines(lines)
        self.count_label.setText(summary)
        self._fit_columns()
        if lines:
            self.table.selectRow(0)
        self._update_buttons()

    def set_text_scale(self, scale: float) -> None:
        """Type ``scale`` times the application's size (the window's zoom: classroom size makes it large)."""
        font = QFont(self.font())
        base = QGuiApplication.font().pointSizeF()
        font.setPointSizeF(max(6.0, base * scale))
        self.setFont(font)

    def set_busy(self, message: str) -> None:
        self.count_label.setText(message)

    def set_query(self, query: str, category: bool) -> None:
        """Show what is being searched for (when it was asked for from outside the panel)."""
        if category:
            self.query_edit.clear()
            index = self.category_combo.findData(query)
            self.category_combo.setCurrentIndex(max(0, index))
        else:
            self.query_edit.setText(query)
            self.category_combo.setCurrentIndex(0)

    def current_line(self) -> ConcordanceLine | None:
        index = self.table.currentIndex()
        return self.model.line(index.row()) if index.isValid() else None

    def select_line(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, KEYWORD))

    # ------------------------------------------------------------------ layout

    def _fit_columns(self) -> None:
        """The keyword column as wide as its longest keyword (measured once per distinct keyword, not per
        row), the date column as wide as a date: no per-row measuring on 100k lines."""
        bold = QFont(self.table.font())
        bold.setBold(True)
        self.model.keyword_font = bold
        metrics = QFontMetrics(bold)
        keywords = {line.keyword for line in self.model.lines}
        widest = max((metrics.horizontalAdvance(k) for k in keywords), default=0)
        header = self.table.horizontalHeader()
        header_metrics = QFontMetrics(header.font())
        pad = 24
        self.table.setColumnWidth(KEYWORD, min(320, max(widest, header_metrics.horizontalAdvance(HEADERS[KEYWORD]) + 16) + pad))
        plain = QFontMetrics(self.table.font())
        self.table.setColumnWidth(DATE, max(plain.horizontalAdvance("0000-00-00"), header_metrics.horizontalAdvance(HEADERS[DATE]) + 16) + pad)
        self.table.setColumnWidth(DOCUMENT, max(140, min(plain.averageCharWidth() * 36, max(260, self.width() // 5))))
        self.table.verticalHeader().setDefaultSectionSize(plain.height() + 8)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # larger type (classroom, accessibility): refit
            self._fit_columns()

    # ------------------------------------------------------------------ actions

    def _search_term(self) -> None:
        self.category_combo.setCurrentIndex(0)
        self.searchRequested.emit(self.query_edit.text(), False, self.width_spin.value())

    def _on_category_chosen(self, index: int) -> None:
        name = self.category_combo.itemData(index)
        if name is None:
            return
        self.query_edit.clear()
        self.searchRequested.emit(str(name), True, self.width_spin.value())

    def _on_width_changed(self) -> None:
        if self.width_spin.value() == self._searched_width:
            return  # (editingFinished also comes when the field just loses the focus)
        self._searched_width = self.width_spin.value()
        name = self.category_combo.currentData()
        if name is not None:
            self.searchRequested.emit(str(name), True, self.width_spin.value())
        elif self.query_edit.text().strip() and self.model.lines:
            self.searchRequested.emit(self.query_edit.text(), False, self.width_spin.value())

    def _on_activated(self, index: QModelIndex) -> None:
        line = self.model.line(index.row())
        if line is not None:
            self.lineActivated.emit(line)

    def _emit_current(self, signal: object) -> None:
        line = self.current_line()
        if line is not None:
            signal.emit(line)  # type: ignore[attr-defined]

    def _update_buttons(self) -> None:
        chosen = self.current_line() is not None
        self.show_button.setEnabled(chosen)
        self.annotate_button.setEnabled(chosen)
        self.export_button.setEnabled(bool(self.model.lines))

    def build_menu(self, pos: QPoint) -> QMenu | None:
        """The table's context menu for the line under ``pos`` (None over no line)."""
        index = self.table.indexAt(pos)
        line = self.model.line(index.row()) if index.isValid() else None
        if line is None:
            return None
        self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction("Show in pane", lambda: self.lineActivated.emit(line))
        menu.addAction("Annotate from here…", lambda: self.annotateRequested.emit(line))
        menu.addSeparator()
        menu.addAction("Copy line", lambda: copy_line(line))
        menu.addAction("Export CSV…", self.exportRequested.emit)
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        menu = self.build_menu(pos)
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.table.viewport().mapToGlobal(pos))


def copy_line(line: ConcordanceLine) -> None:
    """The line as text, for a quotation: “left keyword right” (title, date)."""
    where = f"{line.title}, {line.date}" if line.date else line.title
    text = " ".join(part for part in (line.left, line.keyword, line.right) if part)
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(f"…{text}… ({where})")
