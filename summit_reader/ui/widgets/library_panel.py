"""The library list: documents in date order with title, date, place, kind and word count.
Double-click (or Enter) opens a document in the active pane; drag one onto a pane to open it there."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.models import DocumentSummary
from summit_reader.ui.widgets.reader_pane import DOC_ID_MIME, document_mime

ID_ROLE = Qt.ItemDataRole.UserRole
DETAILS_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class LibraryModel(QAbstractListModel):
    """One row per document, in the library's date order. Display: the title; DETAILS_ROLE: date, place,
    kind and word count (the word count once the document is analysed)."""

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[DocumentSummary] = []
        self.word_counts: dict[int, int] = {}

    def set_documents(self, summaries: Sequence[DocumentSummary]) -> None:
        self.beginResetModel()
        self.summaries = list(summaries)
        self.endResetModel()

    def set_word_count(self, doc_id: int, words: int) -> None:
        self.word_counts[doc_id] = words
        for row, s in enumerate(self.summaries):
            if s.id == doc_id:
                index = self.index(row, 0)
                self.dataChanged.emit(index, index)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.summaries)

    def details(self, s: DocumentSummary) -> str:
        words = self.word_counts.get(s.id)
        parts = [s.date or "undated", s.place, s.kind, f"{words:,} words" if words is not None else "… words"]
        return " · ".join(p for p in parts if p)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        s = self.summaries[index.row()]
        if role == ID_ROLE:
            return s.id
        if role == Qt.ItemDataRole.DisplayRole:
            return s.title
        if role == DETAILS_ROLE:
            return self.details(s)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{s.title}\n{self.details(s)}\nDouble-click or Enter opens it in the active pane; drag it onto a pane."
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{s.title}, {self.details(s)}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [DOC_ID_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        valid = [i for i in indexes if i.isValid()]
        return document_mime(int(valid[0].data(ID_ROLE))) if valid else QMimeData()


class DocumentDelegate(QStyledItemDelegate):
    """Two lines per document: the title in bold, then date · place · kind · words in a smaller type."""

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setBold(True)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        return title, small

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        title, small = self._fonts(option)
        height = QFontMetrics(title).height() + QFontMetrics(small).height() + 10
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        title_font, small_font = self._fonts(option)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pal = option.palette
        text_colour = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        rect = option.rect.adjusted(6, 4, -6, -4)
        painter.save()
        painter.setFont(title_font)
        painter.setPen(text_colour)
        metrics = QFontMetrics(title_font)
        title = metrics.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole)), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), title)
        painter.setFont(small_font)
        if not selected:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        small_metrics = QFontMetrics(small_font)
        details = small_metrics.elidedText(str(index.data(DETAILS_ROLE)), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), details)
        painter.restore()


class LibraryPanel(QWidget):
    openRequested = Signal(int)  # document id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LibraryModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterRole(Qt.ItemDataRole.AccessibleTextRole)
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter by title, date, place or kind")
        self.filter_box.setAccessibleName("Filter the library")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QListView()
        self.view.setAccessibleName("Library documents")
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(DocumentDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.activated.connect(self._on_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.view, 1)

    def set_documents(self, summaries: Sequence[DocumentSummary]) -> None:
        self.model.set_documents(summaries)

    def set_word_count(self, doc_id: int, words: int) -> None:
        self.model.set_word_count(doc_id, words)

    def visible_titles(self) -> list[str]:
        return [str(self.proxy.index(r, 0).data()) for r in range(self.proxy.rowCount())]

    def row_of(self, doc_id: int) -> QModelIndex:
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if index.data(ID_ROLE) == doc_id:
                return index
        return QModelIndex()

    def _on_activated(self, index: QModelIndex) -> None:
        doc_id = index.data(ID_ROLE)
        if doc_id is not None:
            self.openRequested.emit(int(doc_id))
