"""The legend: every lexicon category with its look, its count in each pane, and a checkbox to show or
hide it. "Only this one" focuses a single category. Scales list their levels (weakest first) beneath."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.analysis import DocumentAnalysis
from summit_reader.core.lexicon import Lexicon
from summit_reader.ui.highlight_style import HighlightPalette

SWATCH = QSize(46, 20)
CATEGORY_ROLE = Qt.ItemDataRole.UserRole


def swatch_pixmap(fmt: QTextCharFormat, base: QColor, font: QFont, sample: str = "Abc", ratio: float = 1.0) -> QPixmap:
    """A small picture of a highlighted word, drawn by Qt's own text engine with the pane's format."""
    pixmap = QPixmap(int(SWATCH.width() * ratio), int(SWATCH.height() * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(base)
    doc = QTextDocument()
    doc.setDocumentMargin(1)
    doc.setDefaultFont(font)
    cursor = QTextCursor(doc)
    cursor.insertText(sample, fmt)
    painter = QPainter(pixmap)
    size = doc.size()
    painter.translate((SWATCH.width() - size.width()) / 2, (SWATCH.height() - size.height()) / 2)
    doc.drawContents(painter)
    painter.end()
    return pixmap


class Legend(QWidget):
    hiddenChanged = Signal(object)  # set[str]
    categoryActivated = Signal(str)  # double-click: step through this category in the active pane

    def __init__(self, lexicon: Lexicon, palette: HighlightPalette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lexicon = lexicon
        self._palette = palette
        self._pane_count = 0
        self._updating = False
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Legend: highlighted categories")
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setIconSize(SWATCH)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemDoubleClicked.connect(self._on_double_click)
        self.items: dict[str, QTreeWidgetItem] = {}
        self.show_all_button = QPushButton("Show all")
        self.show_all_button.setAccessibleName("Show all categories")
        self.show_all_button.clicked.connect(self.show_all)
        self.only_button = QPushButton("Only this one")
        self.only_button.setAccessibleName("Show only the selected category")
        self.only_button.setToolTip("Hide every category but the selected one")
        self.only_button.clicked.connect(self._only_current)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.show_all_button)
        buttons.addWidget(self.only_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self._build()
        self.set_pane_analyses([None, None])

    # ------------------------------------------------------------------- building

    def _build(self) -> None:
        self._updating = True
        self.tree.clear()
        self.items.clear()
        font = QFont(self.font())
        ratio = self.devicePixelRatioF()
        base = self._palette.base
        for cat in self.lexicon.categories:
            style = self._palette.style(cat.name)
            strongest = cat.levels[-1][0] if cat.is_scale else None
            item = QTreeWidgetItem([cat.name])
            item.setData(0, CATEGORY_ROLE, cat.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked)
            item.setIcon(0, QIcon(swatch_pixmap(self._palette.char_format(cat.name, strongest), base, font, ratio=ratio)))
            item.setToolTip(0, f"{cat.name}: {style.cue}. Space shows or hides it; double-click steps through it.")
            for rank, level in cat.levels:
                child = QTreeWidgetItem([f"{rank} {level}"])
                child.setData(0, CATEGORY_ROLE, cat.name)
                child.setFlags(child.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                child.setIcon(0, QIcon(swatch_pixmap(self._palette.char_format(cat.name, rank), base, font, ratio=ratio)))
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            self.items[cat.name] = item
        self._updating = False

    def set_highlight_palette(self, palette: HighlightPalette) -> None:
        hidden = self.hidden_categories()
        self._palette = palette
        self._build()
        self.set_hidden_categories(hidden, notify=False)

    def set_lexicon(self, lexicon: Lexicon, palette: HighlightPalette) -> None:
        """List another lexicon's categories (a category of the same name stays hidden if it was); the
        counts show "–" until :meth:`set_pane_analyses`."""
        self.lexicon = lexicon
        self.set_highlight_palette(palette)
        self.set_pane_analyses([None] * self._pane_count)

    # ---------------------------------------------------------------- per-pane counts

    def set_pane_analyses(self, analyses: Sequence[DocumentAnalysis | None]) -> None:
        """One count column per pane (headed 1, 2, …), from each pane's analysis."""
        n = len(analyses)
        self._pane_count = n
        self.tree.setColumnCount(1 + n)
        self.tree.setHeaderLabels(["Category", *(str(i + 1) for i in range(n))])
        header = self.tree.headerItem()
        for i in range(n):
            header.setToolTip(1 + i, f"Matches in pane {i + 1}")
            header.setTextAlignment(1 + i, Qt.AlignmentFlag.AlignRight)
        for cat in self.lexicon.categories:
            item = self.items[cat.name]
            for col, analysis in enumerate(analyses, start=1):
                if analysis is None:
                    text = "–"
                    rank_counts: dict[int, int] = {}
                else:
                    text = f"{analysis.count(cat.name):,}"
                    rank_counts = analysis.rank_counts(cat.name) if cat.is_scale else {}
                item.setText(col, text)
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                for k, (rank, _level) in enumerate(cat.levels):
                    child = item.child(k)
                    child.setText(col, "–" if analysis is None else f"{rank_counts.get(rank, 0):,}")
                    child.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head = self.tree.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 1 + n):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

    def count_text(self, category: str, pane_index: int) -> str:
        return self.items[category].text(1 + pane_index)

    # --------------------------------------------------------------- visibility

    def hidden_categories(self) -> set[str]:
        return {name for name, item in self.items.items() if item.checkState(0) != Qt.CheckState.Checked}

    def visible_categories(self) -> list[str]:
        hidden = self.hidden_categories()
        return [c for c in self.lexicon.category_names if c not in hidden]

    def set_hidden_categories(self, hidden: Iterable[str], *, notify: bool = True) -> None:
        hidden = set(hidden)
        self._updating = True
        for name, item in self.items.items():
            item.setCheckState(0, Qt.CheckState.Unchecked if name in hidden else Qt.CheckState.Checked)
        self._updating = False
        if notify:
            self.hiddenChanged.emit(self.hidden_categories())

    def set_category_visible(self, category: str, visible: bool) -> None:
        self.items[category].setCheckState(0, Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)

    def show_all(self) -> None:
        self.set_hidden_categories(set())

    def show_only(self, category: str) -> None:
        self.set_hidden_categories(set(self.items) - {category})

    def _current_category(self) -> str | None:
        item = self.tree.currentItem()
        return None if item is None else str(item.data(0, CATEGORY_ROLE))

    def _only_current(self) -> None:
        category = self._current_category()
        if category is not None:
            self.show_only(category)

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if not self._updating and column == 0 and item.parent() is None:
            self.hiddenChanged.emit(self.hidden_categories())

    def _on_double_click(self, item: QTreeWidgetItem, _column: int) -> None:
        self.categoryActivated.emit(str(item.data(0, CATEGORY_ROLE)))

    def _context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        category = str(item.data(0, CATEGORY_ROLE))
        menu = QMenu(self)
        menu.addAction(f"Only “{category}”", lambda: self.show_only(category))
        menu.addAction("Show all", self.show_all)
        menu.addAction(f"Step through “{category}” (F3)", lambda: self.categoryActivated.emit(category))
        menu.exec(self.tree.viewport().mapToGlobal(pos))
