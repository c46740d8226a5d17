"""Help → Keyboard shortcuts: every command of the window with its shortcut and where it is in the menus,
generated from the window's actions (so it is never out of date), plus the keys of the find bar and of
presentation mode. A filter box searches all columns."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

FIND_BAR_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "Next result"),
    ("Shift+Enter", "Previous result"),
    ("Esc", "Close the find bar"),
)
LEGEND_KEYS: tuple[tuple[str, str], ...] = (
    ("Space", "Show or hide the selected category"),
    ("Enter", "Step through the selected category in the active pane"),
)


@dataclass(frozen=True)
class ShortcutRow:
    command: str
    keys: str
    menu_path: str  # "View → Theme → Dark", or "" when the command is in no menu
    description: str


def clean(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "").strip()


def menu_paths(window: QMainWindow) -> dict[QAction, str]:
    """Every action reachable from the window's menu bar → its path ("File → Export for slides → …")."""
    paths: dict[QAction, str] = {}

    def walk(menu: QMenu, prefix: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            path = f"{prefix} → {clean(action.text())}" if prefix else clean(action.text())
            sub = action.menu()
            if isinstance(sub, QMenu):
                paths.setdefault(action, path)
                walk(sub, path)
            else:
                paths.setdefault(action, path)

    for top in window.menuBar().actions():
        sub = top.menu()
        if isinstance(sub, QMenu):
            paths.setdefault(top, clean(top.text()))
            walk(sub, clean(top.text()))
    return paths


def keys_text(action: QAction) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts() if not s.isEmpty())


def shortcut_rows(window: QMainWindow) -> list[ShortcutRow]:
    """The window's commands: every action with a text, its shortcuts and its menu path."""
    paths = menu_paths(window)
    rows: dict[tuple[str, str], ShortcutRow] = {}
    for action in window.findChildren(QAction):
        if action.isSeparator() or not action.text() or action.menu() is not None:
            continue
        keys = keys_text(action)
        path = paths.get(action, "")
        if not keys and not path:
            continue
        row = ShortcutRow(clean(action.text()), keys, path, action.statusTip() or action.toolTip())
        rows.setdefault((row.command, row.keys), row)
    order = {path: i for i, path in enumerate(paths.values())}  # the menus' own order
    return sorted(rows.values(), key=lambda r: (order.get(r.menu_path, len(order)), r.command))


class ShortcutsDialog(QDialog):
    COLUMNS = ("Command", "Keys", "Menu", "What it does")

    def __init__(self, window: QMainWindow, extra: dict[str, tuple[tuple[str, str], ...]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.resize(1200, 700)
        intro = QLabel(
            "Every command, its keys and where it is in the menus. Every menu opens with Alt and its "
            "underlined letter; Tab moves between the parts of the window."
        )
        intro.setWordWrap(True)
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Search commands, keys or menus")
        self.filter_box.setAccessibleName("Search the keyboard shortcuts")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self.apply_filter)
        find_label = QLabel("&Search:")
        find_label.setBuddy(self.filter_box)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setAccessibleDescription("Groups of commands with their keys, menu path and description.")
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setWordWrap(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 360)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 330)
        header.setStretchLastSection(True)
        self.rows = shortcut_rows(window)
        self._fill(extra or {})
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.setAccessibleName("Close the shortcut list")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(find_label)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.filter_box.setFocus()

    def _group(self, title: str) -> QTreeWidgetItem:
        group = QTreeWidgetItem([title])
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        group.setFirstColumnSpanned(False)
        self.tree.addTopLevelItem(group)
        return group

    def _fill(self, extra: dict[str, tuple[tuple[str, str], ...]]) -> None:
        groups: dict[str, QTreeWidgetItem] = {}
        for row in self.rows:
            top = row.menu_path.split(" → ")[0] if row.menu_path else "Other (no menu)"
            if top not in groups:
                groups[top] = self._group(f"{top} menu" if row.menu_path else top)
            item = QTreeWidgetItem([row.command, row.keys or "—", row.menu_path or "—", row.description])
            item.setToolTip(0, row.description or row.command)
            item.setToolTip(3, row.description)
            item.setData(1, Qt.ItemDataRole.AccessibleTextRole, row.keys or "no shortcut")
            groups[top].addChild(item)
        for title, keys in extra.items():
            group = self._group(title)
            for key, what in keys:
                item = QTreeWidgetItem([what, key, "—", what])
                item.setToolTip(0, what)
                group.addChild(item)
        self.tree.expandAll()

    def _items(self) -> list[tuple[QTreeWidgetItem, list[QTreeWidgetItem]]]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            if group is not None:
                out.append((group, [c for j in range(group.childCount()) if (c := group.child(j)) is not None]))
        return out

    def visible_commands(self) -> list[str]:
        return [child.text(0) for _group, children in self._items() for child in children if not child.isHidden()]

    def apply_filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for group, children in self._items():
            shown = 0
            for child in children:
                hay = " ".join(child.text(c) for c in range(len(self.COLUMNS))) + " " + group.text(0)
                match = not needle or needle in hay.casefold()
                child.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)
