"""The language table: documents × categories, raw counts or per 1,000 words, sortable and exportable.
Clicking a cell lists the matches behind it with their context; double-clicking a match shows it in a pane."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.analysis import Match
from summit_reader.core.stats import StatsTable

FIXED = ("Document", "Date", "Words")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CONTEXT_CHARS = 48
Index = QModelIndex | QPersistentModelIndex


class StatsTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.table: StatsTable | None = None
        self.per: int | None = 1000

    def set_table(self, table: StatsTable) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def set_per(self, per: int | None) -> None:
        self.beginResetModel()
        self.per = per
        self.endResetModel()

    def category_at(self, column: int) -> str | None:
        if self.table is None or column < len(FIXED):
            return None
        return self.table.categories[column - len(FIXED)]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.table is None else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.table is None else len(FIXED) + len(self.table.categories)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if self.table is None or orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return FIXED[section] if section < len(FIXED) else self.table.categories[section - len(FIXED)]
        if role == Qt.ItemDataRole.ToolTipRole and section >= len(FIXED):
            unit = "per 1,000 words" if self.per else "matches"
            return f"{self.table.categories[section - len(FIXED)]}: {unit}. Click a cell to list its matches."
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if self.table is None or not index.isValid():
            return None
        row = self.table.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return row.document.title
        if role not in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return None
        if col == 0:
            return row.document.title
        if col == 1:
            return row.document.date or ""
        if col == 2:
            return row.word_count if role == SORT_ROLE else f"{row.word_count:,}"
        category = self.table.categories[col - len(FIXED)]
        value = row.value(category, self.per)
        if role == SORT_ROLE:
            return float(value)
        return f"{value:.2f}" if self.per else f"{value:,}"

    def export_rows(self) -> tuple[list[str], list[list[object]]]:
        if self.table is None:
            return [], []
        return self.table.header(self.per), self.table.records(self.per)


class StatsView(QWidget):
    matchActivated = Signal(int, object)  # document id, Match

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = StatsTableModel()
        #: Set by the window: the text of a document, for the matches' context.
        self.text_for: Callable[[int], str | None] | None = None
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.unit = QComboBox()
        self.unit.addItem("per 1,000 words", 1000)
        self.unit.addItem("raw counts", None)
        self.unit.setAccessibleName("Language table values")
        self.unit.currentIndexChanged.connect(lambda _i: self.model.set_per(self.unit.currentData()))
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setAccessibleName("Export the language table as CSV")
        self.table_view = QTableView()
        self.table_view.setAccessibleName("Language table")
        self.table_view.setModel(self.proxy)
        self.table_view.setSortingEnabled(True)
        self.table_view.sortByColumn(FIXED.index("Date"), Qt.SortOrder.AscendingOrder)
        self.table_view.setAlternatingRowColors(True)
        self.table_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table_view.verticalHeader().setVisible(False)
        self.table_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table_view.horizontalHeader().setMaximumSectionSize(320)
        self.table_view.clicked.connect(self._on_cell_clicked)
        self.table_view.activated.connect(self._on_cell_clicked)
        self.matches_label = QLabel("Click a cell to list its matches.")
        self.matches_label.setWordWrap(True)
        self.matches = QListWidget()
        self.matches.setAccessibleName("Matches of the selected cell")
        self.matches.setWordWrap(True)
        self.matches.itemActivated.connect(self._on_match_activated)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Show"))
        top.addWidget(self.unit)
        top.addStretch(1)
        top.addWidget(self.export_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table_view, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.matches_label)
        right_layout.addWidget(self.matches, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    def set_table(self, table: StatsTable) -> None:
        self.model.set_table(table)

    def set_per(self, per: int | None) -> None:
        self.unit.setCurrentIndex(self.unit.findData(per))

    def cell_index(self, row: int, category: str) -> QModelIndex:
        """The proxy index of the cell for document row ``row`` (source order) and ``category``."""
        assert self.model.table is not None
        col = len(FIXED) + self.model.table.categories.index(category)
        return self.proxy.mapFromSource(self.model.index(row, col))

    def _on_cell_clicked(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        table = self.model.table
        category = self.model.category_at(source.column())
        if table is None or category is None:
            return
        row = table.rows[source.row()]
        found = row.analysis.matches_in(category)
        self.matches.clear()
        title = row.document.title
        self.matches_label.setText(f"{len(found):,} × {category} in “{title}” (double-click to show one):")
        text = self.text_for(row.document.id) if self.text_for is not None else None
        for m in found:
            item = QListWidgetItem(self._context(m, text))
            item.setData(Qt.ItemDataRole.UserRole, (row.document.id, m))
            self.matches.addItem(item)

    @staticmethod
    def _context(m: Match, text: str | None) -> str:
        notes = []
        if m.rank is not None:
            notes.append(f"{m.rank} {m.level}")
        if m.negated:
            notes.append("negated")
        note = f"   [{', '.join(notes)}]" if notes else ""
        if text is None:
            return f"“{m.text}” at character {m.start:,}{note}"
        before = " ".join(text[max(0, m.start - CONTEXT_CHARS) : m.start].split())
        after = " ".join(text[m.end : m.end + CONTEXT_CHARS].split())
        return f"…{before} [{text[m.start:m.end]}] {after}…{note}"

    def _on_match_activated(self, item: QListWidgetItem) -> None:
        doc_id, match = item.data(Qt.ItemDataRole.UserRole)
        self.matchActivated.emit(int(doc_id), match)
