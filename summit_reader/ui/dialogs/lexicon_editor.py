"""Lexicon → Edit…: the lexicon's name and version, its categories (add, rename, remove) and the entries of
the selected category (add, change, remove; ``*`` globs and phrases allowed; the level of a scale).

Every entry is checked as it is typed with the loader's own check
(:func:`summit_reader.core.lexicon.validate_entry`), and OK builds the lexicon with the loader's checks
(:func:`summit_reader.core.lexicon_formats.build_lexicon`), so what the editor accepts is what a file
would give. Nothing is changed until OK: Cancel discards every edit. The dialog holds no file and saves
nothing: the Lexicon menu (``ui/lexicon_commands.py``) saves and uses :attr:`LexiconEditor.result`."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.errors import LexiconError
from summit_reader.core.lexicon import Lexicon, canonical_category, validate_entry
from summit_reader.core.lexicon_formats import CategoryRows, KeyPath, build_lexicon, clean_label, lexicon_rows

NO_LEVEL = ""
_RANK = re.compile(r"^\s*\d+")


def level_text(path: KeyPath) -> str:
    """How a key path shows in the Level column: "2 advice", "energy", "energy/solar" or ""."""
    return "/".join(path)


def level_path(text: str) -> KeyPath:
    """The key path of what was typed in the Level box: a numbered level ("5 demanding") is one key."""
    text = " ".join(text.split())
    if not text:
        return ()
    return (text,) if _RANK.match(text) else tuple(part.strip() for part in text.split("/"))


def _plain(message: str) -> str:
    """A loader message without the "where" before its first colon, as a sentence."""
    text = message.split(": ", 1)[1] if ": " in message else message
    return text[:1].upper() + text[1:]


class LexiconEditor(QDialog):
    def __init__(self, lexicon: Lexicon, source: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit the lexicon — {lexicon.name}")
        self.setObjectName("LexiconEditor")
        self.original = lexicon
        #: The edited lexicon once OK was pressed and it is valid (None until then, and after Cancel).
        self.result: Lexicon | None = None
        self.categories: list[CategoryRows] = [(name, list(rows)) for name, rows in lexicon_rows(lexicon)]

        self.name_edit = QLineEdit(lexicon.name)
        self.name_edit.setAccessibleName("Lexicon name")
        self.version_edit = QLineEdit(lexicon.version)
        self.version_edit.setAccessibleName("Lexicon version")
        self.version_edit.setMaximumWidth(160)
        source_label = QLabel(source)
        source_label.setWordWrap(True)
        source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head = QFormLayout()
        head.addRow("&Name:", self.name_edit)
        head.addRow("&Version:", self.version_edit)
        head.addRow("From:", source_label)

        # categories
        self.category_list = QListWidget()
        self.category_list.setAccessibleName("Categories")
        self.category_list.currentRowChanged.connect(self._on_category_changed)
        self.category_edit = QLineEdit()
        self.category_edit.setAccessibleName("Category name")
        self.category_edit.setPlaceholderText("Category name")
        self.category_edit.textChanged.connect(self._check_category)
        self.category_edit.returnPressed.connect(self.add_category)
        self.add_category_button = QPushButton("&Add")
        self.add_category_button.setAccessibleName("Add category")
        self.add_category_button.clicked.connect(self.add_category)
        self.rename_category_button = QPushButton("Re&name")
        self.rename_category_button.setAccessibleName("Rename category")
        self.rename_category_button.clicked.connect(self.rename_category)
        self.remove_category_button = QPushButton("Remo&ve")
        self.remove_category_button.setAccessibleName("Remove category")
        self.remove_category_button.clicked.connect(self.remove_category)
        self.category_message = QLabel()
        self.category_message.setWordWrap(True)
        self.category_message.setObjectName("LexiconEditorMessage")
        cat_box = QGroupBox("Categories")
        cat_layout = QGridLayout(cat_box)
        cat_layout.addWidget(self.category_list, 0, 0, 1, 3)
        cat_layout.addWidget(self.category_edit, 1, 0, 1, 3)
        cat_layout.addWidget(self.add_category_button, 2, 0)
        cat_layout.addWidget(self.rename_category_button, 2, 1)
        cat_layout.addWidget(self.remove_category_button, 2, 2)
        cat_layout.addWidget(self.category_message, 3, 0, 1, 3)

        # entries of the selected category
        self.entry_table = QTableWidget(0, 2)
        self.entry_table.setAccessibleName("Entries of the category")
        self.entry_table.setHorizontalHeaderLabels(["Entry", "Level"])
        self.entry_table.verticalHeader().hide()
        self.entry_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.entry_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.entry_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.entry_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.entry_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.entry_table.itemSelectionChanged.connect(self._on_entry_selected)
        self.entry_edit = QLineEdit()
        self.entry_edit.setAccessibleName("Entry")
        self.entry_edit.setPlaceholderText("a word, a phrase (rule of law) or a glob (secur*)")
        self.entry_edit.textChanged.connect(self._check_entry)
        self.entry_edit.returnPressed.connect(self.add_entry)
        self.level_combo = QComboBox()
        self.level_combo.setEditable(True)
        self.level_combo.setAccessibleName("Level of the entry")
        self.level_combo.setToolTip(
            "For a scale: a numbered level such as “2 advice” (1 = weakest). Elsewhere: empty, or a sub-category."
        )
        self.level_combo.setMinimumContentsLength(14)
        self.level_combo.editTextChanged.connect(lambda _t: self._check_entry())
        self.add_entry_button = QPushButton("A&dd entry")
        self.add_entry_button.clicked.connect(self.add_entry)
        self.change_entry_button = QPushButton("&Change")
        self.change_entry_button.setAccessibleName("Change the selected entry")
        self.change_entry_button.clicked.connect(self.change_entry)
        self.remove_entry_button = QPushButton("&Remove")
        self.remove_entry_button.setAccessibleName("Remove the selected entry")
        self.remove_entry_button.clicked.connect(self.remove_entry)
        self.entry_message = QLabel()
        self.entry_message.setWordWrap(True)
        self.entry_message.setObjectName("LexiconEditorMessage")
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.entry_edit, 3)
        edit_row.addWidget(QLabel("Level:"))
        edit_row.addWidget(self.level_combo, 1)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.add_entry_button)
        buttons_row.addWidget(self.change_entry_button)
        buttons_row.addWidget(self.remove_entry_button)
        buttons_row.addStretch(1)
        self.entries_box = QGroupBox("Entries")
        entries_layout = QVBoxLayout(self.entries_box)
        entries_layout.addWidget(self.entry_table, 1)
        entries_layout.addLayout(edit_row)
        entries_layout.addLayout(buttons_row)
        entries_layout.addWidget(self.entry_message)

        body = QHBoxLayout()
        body.addWidget(cat_box, 2)
        body.addWidget(self.entries_box, 3)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("LexiconEditorMessage")
        hint = QLabel(
            "Entries match whole words, ignoring case; * matches the rest of a word (secur* counts security and "
            "securing). OK saves your lexicon as a file of your own and counts with it; Cancel discards the edits."
        )
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.resize(860, 600)

        for name, _rows in self.categories:
            self.category_list.addItem(name)
        self.category_list.setCurrentRow(0 if self.categories else -1)
        self._check_category()
        self._check_entry()
        self._say(self.message, None)

    # ------------------------------------------------------------------ categories

    @property
    def current_category(self) -> int:
        return self.category_list.currentRow()

    def _category_problem(self, name: str, *, ignore: int | None = None) -> str | None:
        name = clean_label(name)
        if not name:
            return "Type a category name."
        key = canonical_category(name)
        for i, (other, _rows) in enumerate(self.categories):
            if i != ignore and canonical_category(other) == key:
                return f"There is already a category “{other}”."
        return None

    def _check_category(self) -> None:
        text = self.category_edit.text()
        problem = self._category_problem(text)
        current = self.current_category
        rename_problem = self._category_problem(text, ignore=current) if current >= 0 else "Select a category."
        self.add_category_button.setEnabled(problem is None)
        self.rename_category_button.setEnabled(rename_problem is None and current >= 0)
        self.remove_category_button.setEnabled(current >= 0)
        self._say(self.category_message, problem if text.strip() and rename_problem else None)

    def add_category(self) -> None:
        name = clean_label(self.category_edit.text())
        if self._category_problem(name) is not None:
            self._check_category()
            return
        self.categories.append((name, []))
        self.category_list.addItem(name)
        self.category_list.setCurrentRow(len(self.categories) - 1)
        self.category_edit.clear()
        self.entry_edit.setFocus()
        self._say(self.message, None)

    def rename_category(self) -> None:
        row = self.current_category
        name = clean_label(self.category_edit.text())
        if row < 0 or self._category_problem(name, ignore=row) is not None:
            return
        self.categories[row] = (name, self.categories[row][1])
        item = self.category_list.item(row)
        item.setText(name)
        self.category_edit.clear()
        self._on_category_changed(row)

    def remove_category(self) -> None:
        row = self.current_category
        if row < 0:
            return
        del self.categories[row]
        self.category_list.takeItem(row)
        self._on_category_changed(self.current_category)

    def _on_category_changed(self, row: int) -> None:
        self._fill_entries()
        if 0 <= row < len(self.categories):
            name, rows = self.categories[row]
            self.entries_box.setTitle(f"Entries of “{name}” ({len(rows)})")
            self.category_edit.setPlaceholderText(f"Category name (to add one, or rename “{name}”)")
        else:
            self.entries_box.setTitle("Entries")
        self._fill_levels()
        self._check_category()
        self._check_entry()

    # --------------------------------------------------------------------- entries

    def _rows(self) -> list[tuple[str, KeyPath]]:
        row = self.current_category
        return self.categories[row][1] if 0 <= row < len(self.categories) else []

    def _fill_entries(self) -> None:
        rows = self._rows()
        self.entry_table.setRowCount(len(rows))
        for i, (pattern, path) in enumerate(rows):
            self.entry_table.setItem(i, 0, QTableWidgetItem(pattern))
            self.entry_table.setItem(i, 1, QTableWidgetItem(level_text(path)))

    def _fill_levels(self) -> None:
        levels = list(dict.fromkeys(level_text(path) for _pattern, path in self._rows()))
        ranked = sorted((lv for lv in levels if _RANK.match(lv)), key=lambda lv: int(lv.split()[0]))
        others = [lv for lv in levels if lv and not _RANK.match(lv)]
        choices = ranked + others if ranked else [NO_LEVEL, *others]
        text = self.level_combo.currentText()
        self.level_combo.blockSignals(True)
        self.level_combo.clear()
        self.level_combo.addItems(choices)
        self.level_combo.setCurrentText(text if text in choices else choices[0])
        self.level_combo.blockSignals(False)

    def selected_entry(self) -> int:
        rows = self.entry_table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _on_entry_selected(self) -> None:
        i = self.selected_entry()
        rows = self._rows()
        if 0 <= i < len(rows):
            pattern, path = rows[i]
            self.entry_edit.setText(pattern)
            self.level_combo.setCurrentText(level_text(path))
        self._check_entry()

    def _entry_problem(self, *, ignore: int | None = None) -> tuple[str | None, tuple[str, KeyPath] | None]:
        """(what is wrong, None) or (None, the entry as it would be stored)."""
        if self.current_category < 0:
            return "Add or select a category first.", None
        raw = self.entry_edit.text()
        if not raw.strip():
            return "Type an entry: a word, a phrase or a glob such as secur*.", None
        category = self.categories[self.current_category][0]
        try:
            pattern = validate_entry(raw, category, "entry")
        except LexiconError as exc:
            return _plain(str(exc)), None
        path = level_path(self.level_combo.currentText())
        for i, (other, other_path) in enumerate(self._rows()):
            if i != ignore and other == pattern and other_path == path:
                where = f" at the level “{level_text(path)}”" if path else ""
                return f"“{pattern}” is already an entry of “{category}”{where}.", None
        return None, (pattern, path)

    def _check_entry(self) -> None:
        problem, _entry = self._entry_problem()
        selected = self.selected_entry()
        change_problem, _ = self._entry_problem(ignore=selected) if selected >= 0 else ("", None)
        self.add_entry_button.setEnabled(problem is None)
        self.change_entry_button.setEnabled(selected >= 0 and change_problem is None)
        self.remove_entry_button.setEnabled(selected >= 0)
        typed = bool(self.entry_edit.text().strip())
        # the message that matters: why the entry cannot be added (unless it could replace the selected one)
        shown = problem if typed and (selected < 0 or change_problem is not None) else None
        self._say(self.entry_message, shown)

    def add_entry(self) -> None:
        problem, entry = self._entry_problem()
        if entry is None:
            self._say(self.entry_message, problem)
            return
        rows = self._rows()
        rows.append(entry)
        self._after_entries_changed(len(rows) - 1)

    def change_entry(self) -> None:
        i = self.selected_entry()
        if i < 0:
            return
        problem, entry = self._entry_problem(ignore=i)
        if entry is None:
            self._say(self.entry_message, problem)
            return
        self._rows()[i] = entry
        self._after_entries_changed(i)

    def remove_entry(self) -> None:
        i = self.selected_entry()
        rows = self._rows()
        if not 0 <= i < len(rows):
            return
        del rows[i]
        self._after_entries_changed(min(i, len(rows) - 1), select=False)

    def _after_entries_changed(self, row: int, *, select: bool = True) -> None:
        self._on_category_changed(self.current_category)
        if select and row >= 0:
            self.entry_table.selectRow(row)
            self.entry_table.scrollToItem(self.entry_table.item(row, 0))
        self.entry_edit.clear()
        self.entry_edit.setFocus()
        self._say(self.message, None)

    # ---------------------------------------------------------------------- result

    def edited(self) -> Lexicon:
        """The lexicon as edited; LexiconError says what is wrong with it."""
        return build_lexicon(self.name_edit.text(), self.version_edit.text(), self.categories, where="The lexicon")

    def accept(self) -> None:
        try:
            self.result = self.edited()
        except LexiconError as exc:
            self._say(self.message, str(exc))
            return
        super().accept()

    def reject(self) -> None:
        self.result = None
        super().reject()

    def _say(self, label: QLabel, problem: str | None) -> None:
        label.setText(f"⚠ {problem}" if problem else "")
        label.setVisible(bool(problem))
