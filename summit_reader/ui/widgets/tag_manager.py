"""The tag manager (Edit → Tags…): the library's tags as a tree with their colours and how many
annotations use each; create, rename, recolour, nest under a parent, merge two tags, delete.

Like the other annotation windows it never writes: every change is a signal the annotation controller
turns into an undoable command (Ctrl+Z in the main window undoes it). Deleting and merging ask first, in
a message that says how many annotations are concerned; both questions are non-blocking message boxes
(``confirm_box``), so the window stays responsive.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.models import Tag
from summit_reader.core.store import OKABE_ITO
from summit_reader.ui.widgets.annotation_editor import colour_icon
from summit_reader.ui.widgets.annotation_panel import descendants, tag_tree

COLOUR_NAMES = {
    "#e69f00": "orange",
    "#56b4e9": "sky blue",
    "#009e73": "bluish green",
    "#f0e442": "yellow",
    "#0072b2": "blue",
    "#d55e00": "vermillion",
    "#cc79a7": "reddish purple",
}


def _uses(n: int) -> str:
    return f"{n} annotation{'s' if n != 1 else ''}"


class TagManager(QDialog):
    createRequested = Signal(str)
    renameRequested = Signal(int, str)
    recolourRequested = Signal(int, str)
    reparentRequested = Signal(int, object)  # tag id, parent id or None
    mergeRequested = Signal(int, int)  # source, target
    deleteRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TagManager")
        self.setWindowTitle("Tags")
        self.setModal(False)
        self.tags: list[Tag] = []
        self.counts: dict[int, int] = {}
        self.confirm_box: QMessageBox | None = None
        self.colour_dialog: QColorDialog | None = None

        self.tree = QTreeWidget()
        self.tree.setObjectName("TagTree")
        self.tree.setAccessibleName("Tags")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Tag", "Used by"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._show_current())

        self.new_edit = QLineEdit()
        self.new_edit.setPlaceholderText("New tag name")
        self.new_edit.setAccessibleName("New tag name")
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self._create)
        self.new_edit.returnPressed.connect(self._create)

        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Tag name")
        self.rename_button = QPushButton("Rename")
        self.rename_button.clicked.connect(self._rename)
        self.name_edit.returnPressed.connect(self._rename)
        self.colour_button = QToolButton()
        self.colour_button.setObjectName("TagColour")
        self.colour_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.colour_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.colour_button)
        for colour in OKABE_ITO:
            action = menu.addAction(colour_icon(colour, 14), COLOUR_NAMES.get(colour, colour))
            action.triggered.connect(lambda _c=False, value=colour: self._recolour(value))
        menu.addSeparator()
        menu.addAction("Other colour…").triggered.connect(self._pick_colour)
        self.colour_button.setMenu(menu)
        self.parent_combo = QComboBox()
        self.parent_combo.setAccessibleName("Nested under")
        self.parent_combo.activated.connect(self._reparent)
        self.merge_combo = QComboBox()
        self.merge_combo.setAccessibleName("Merge into")
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setToolTip("Every annotation with this tag gets the other one; this tag is then deleted")
        self.merge_button.clicked.connect(self.ask_merge)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self.ask_delete)

        new_row = QHBoxLayout()
        new_row.addWidget(self.new_edit, 1)
        new_row.addWidget(self.add_button)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name_edit, 1)
        name_row.addWidget(self.rename_button)
        merge_row = QHBoxLayout()
        merge_row.addWidget(self.merge_combo, 1)
        merge_row.addWidget(self.merge_button)
        self.details = QGroupBox("Selected tag")
        form = QFormLayout(self.details)
        form.addRow("Name", name_row)
        form.addRow("Colour", self.colour_button)
        form.addRow("Nested under", self.parent_combo)
        form.addRow("Merge into", merge_row)
        form.addRow("", self.delete_button)
        hint = QLabel("Ctrl+Z in the main window undoes any change made here.")
        hint.setStyleSheet("color: palette(dark);")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(new_row)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.details)
        layout.addWidget(hint)
        layout.addWidget(close)
        self.resize(460, 560)
        self._show_current()

    # ------------------------------------------------------------------ content

    def set_tags(self, tags: Sequence[Tag], counts: dict[int, int]) -> None:
        current = self.current_tag()
        self.tags = list(tags)
        self.counts = dict(counts)
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for tag, _depth in tag_tree(self.tags):
            parent = items.get(tag.parent_id) if tag.parent_id is not None else None
            item = QTreeWidgetItem(parent) if parent is not None else QTreeWidgetItem(self.tree)
            item.setText(0, tag.name)
            item.setIcon(0, colour_icon(tag.colour, 14))
            item.setText(1, _uses(self.counts.get(tag.id, 0)))
            item.setData(0, Qt.ItemDataRole.UserRole, tag.id)
            item.setToolTip(0, f"{tag.name} — colour {COLOUR_NAMES.get(tag.colour, tag.colour)}")
            items[tag.id] = item
        self.tree.expandAll()
        self.tree.blockSignals(False)
        if current is not None and current.id in items:
            self.tree.setCurrentItem(items[current.id])
        self._show_current()

    def current_tag(self) -> Tag | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        tag_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((t for t in self.tags if t.id == tag_id), None)

    def select_tag(self, tag_id: int) -> bool:
        for item in self._items():
            if item.data(0, Qt.ItemDataRole.UserRole) == tag_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def item_for(self, tag_id: int) -> QTreeWidgetItem | None:
        return next((i for i in self._items() if i.data(0, Qt.ItemDataRole.UserRole) == tag_id), None)

    def _items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop(0)
            found.append(item)
            stack.extend(item.child(i) for i in range(item.childCount()))
        return found

    def _show_current(self) -> None:
        tag = self.current_tag()
        self.details.setEnabled(tag is not None)
        if tag is None:
            self.details.setTitle("Selected tag")
            self.name_edit.clear()
            self.parent_combo.clear()
            self.merge_combo.clear()
            return
        self.details.setTitle(f"“{tag.name}” — used by {_uses(self.counts.get(tag.id, 0))}")
        self.name_edit.setText(tag.name)
        self.colour_button.setIcon(colour_icon(tag.colour, 14))
        self.colour_button.setText(COLOUR_NAMES.get(tag.colour, tag.colour))
        blocked = descendants(self.tags, tag.id)
        self.parent_combo.clear()
        self.parent_combo.addItem("— top level —", None)
        for other, depth in tag_tree(self.tags):
            if other.id not in blocked:
                self.parent_combo.addItem(colour_icon(other.colour), "  " * depth + other.name, other.id)
        self.parent_combo.setCurrentIndex(max(0, self.parent_combo.findData(tag.parent_id)))
        self.merge_combo.clear()
        for other, depth in tag_tree(self.tags):
            if other.id != tag.id:
                self.merge_combo.addItem(colour_icon(other.colour), "  " * depth + other.name, other.id)
        self.merge_button.setEnabled(self.merge_combo.count() > 0)

    # ------------------------------------------------------------------ requests

    def _create(self) -> None:
        name = self.new_edit.text().strip()
        if name:
            self.createRequested.emit(name)
            self.new_edit.clear()

    def _rename(self) -> None:
        tag = self.current_tag()
        name = self.name_edit.text().strip()
        if tag is not None and name and name != tag.name:
            self.renameRequested.emit(tag.id, name)

    def _recolour(self, colour: str) -> None:
        tag = self.current_tag()
        if tag is not None and colour.lower() != tag.colour.lower():
            self.recolourRequested.emit(tag.id, colour.lower())

    def _pick_colour(self) -> None:
        tag = self.current_tag()
        if tag is None:
            return
        dialog = QColorDialog(QColor(tag.colour), self)
        dialog.setWindowTitle(f"Colour of “{tag.name}”")
        dialog.colorSelected.connect(lambda colour: self._recolour(colour.name()))
        self.colour_dialog = dialog
        dialog.open()

    def _reparent(self, _index: int = -1) -> None:
        tag = self.current_tag()
        if tag is None:
            return
        parent = self.parent_combo.currentData()
        parent_id = int(parent) if isinstance(parent, int) else None
        if parent_id != tag.parent_id:
            self.reparentRequested.emit(tag.id, parent_id)

    def ask_delete(self) -> None:
        tag = self.current_tag()
        if tag is None:
            return
        n = self.counts.get(tag.id, 0)
        subs = [t.name for t in self.tags if t.parent_id == tag.id]
        text = f"Delete the tag “{tag.name}”? It is used by {_uses(n)}."
        detail = (
            ("Those annotations keep their notes and other tags. " if n else "")
            + (f"Its sub-tags ({', '.join(subs)}) become top-level tags. " if subs else "")
            + "Ctrl+Z undoes it."
        )
        self._confirm(text, detail, "Delete tag", lambda: self.deleteRequested.emit(tag.id))

    def ask_merge(self) -> None:
        tag = self.current_tag()
        target_id = self.merge_combo.currentData()
        target = next((t for t in self.tags if t.id == target_id), None)
        if tag is None or target is None:
            return
        n = self.counts.get(tag.id, 0)
        text = (
            f"Merge “{tag.name}” ({_uses(n)}) into “{target.name}” ({_uses(self.counts.get(target.id, 0))})?"
        )
        detail = f"Every annotation tagged “{tag.name}” will be tagged “{target.name}”, and “{tag.name}” is deleted. Ctrl+Z undoes it."
        self._confirm(text, detail, "Merge tags", lambda: self.mergeRequested.emit(tag.id, target.id))

    def _confirm(self, text: str, detail: str, title: str, action: object) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(detail)
        yes = box.addButton(title, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)

        def done() -> None:
            if box.clickedButton() is yes and callable(action):
                action()
            self.confirm_box = None

        box.finished.connect(lambda _r: done())
        self.confirm_box = box
        box.open()
