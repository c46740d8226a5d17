"""File → Restore from backup…: the library's backups with their dates, document and annotation counts and
sizes (damaged ones greyed, with the reason), and a Restore button that asks first.

The dialog only chooses; the window does the restore (it must close its own connection first), see
:mod:`summit_reader.ui.document_commands`."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.backup import BackupInfo, backup_library, library_backup_folder, list_backups
from summit_reader.core.errors import SummitReaderError

MADE, DOCUMENTS, ANNOTATIONS, SIZE, NOTE = range(5)


def local_time(when: _dt.datetime) -> str:
    """'3 June 2025, 14:02' in the computer's time zone."""
    local = when.astimezone()
    return f"{local.day} {local:%B %Y, %H:%M}"


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1_048_576:.1f} MB"


def _count(value: int | None, word: str) -> str:
    if value is None:
        return f"? {word}s"
    return f"{value:,} {word}{'s' if value != 1 else ''}"


class RestoreQuestion(QMessageBox):
    """Replace the library with this backup? The current library is kept as a backup first."""

    def __init__(self, parent: QWidget | None, info: BackupInfo, current: tuple[int, int] | None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle("Restore from backup")
        self.setText(f"Replace the library with the backup made on {local_time(info.created)}?")
        held = f"The backup holds {_count(info.document_count, 'document')} and {_count(info.annotation_count, 'annotation')}"
        now = (
            f"; the library now holds {_count(current[0], 'document')} and {_count(current[1], 'annotation')}."
            if current is not None else "."
        )
        self.setInformativeText(
            held + now + "\n\nThe library as it is now is kept as a backup first, so you can go back to it."
        )
        self.restore_button = self.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)

    def confirmed(self) -> bool:
        self.exec()
        self.deleteLater()
        return self.clickedButton() is self.restore_button


class RestoreDialog(QDialog):
    """Choose a backup of the library at ``library_path``. After ``exec()``, :attr:`chosen` is the backup
    the user confirmed, or None. ``current`` (documents, annotations) is shown in the confirmation;
    ``allow_backup_now`` offers a "Back up now" button (not when the library cannot be opened)."""

    def __init__(
        self,
        library_path: Path,
        parent: QWidget | None = None,
        *,
        folder: Path | None = None,
        current: tuple[int, int] | None = None,
        allow_backup_now: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RestoreDialog")
        self.setWindowTitle("Restore from backup")
        self.setSizeGripEnabled(True)
        self.library_path = Path(library_path)
        self.folder = folder
        self.current = current
        self.chosen: BackupInfo | None = None
        self.backups: list[BackupInfo] = []

        heading = QLabel(f"Backups of the library '{self.library_path.name}'")
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        where = library_backup_folder(self.library_path, folder)
        intro = QLabel(
            "Summit Reader backs the library up when it starts (at most once a day) and keeps the last ten. "
            f"Restoring replaces the library with the backup; the library as it is now is kept as a backup "
            f"first.\nBackups are in {where}"
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        intro.setMinimumWidth(600)

        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Backups")
        self.tree.setHeaderLabels(["Made", "Documents", "Annotations", "Size", ""])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column in (MADE, DOCUMENTS, ANNOTATIONS, SIZE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda _item, _column: self.restore_selected())

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.restore_button = QPushButton("&Restore…")
        self.restore_button.setAccessibleName("Restore the selected backup")
        self.restore_button.setDefault(True)
        self.restore_button.clicked.connect(self.restore_selected)
        self.backup_now_button = QPushButton("&Back up now")
        self.backup_now_button.setAccessibleName("Back up the library now")
        self.backup_now_button.setAutoDefault(False)
        self.backup_now_button.clicked.connect(self.back_up_now)
        self.backup_now_button.setVisible(allow_backup_now)
        self.close_button = QPushButton("C&lose")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.backup_now_button)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.resize(760, 420)
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        self.backups = list_backups(self.library_path, self.folder)
        first_good: QTreeWidgetItem | None = None
        for info in self.backups:
            note = f"Cannot be restored: {info.problem}" if info.problem else ""
            item = QTreeWidgetItem([
                local_time(info.created),
                "—" if info.document_count is None else f"{info.document_count:,}",
                "—" if info.annotation_count is None else f"{info.annotation_count:,}",
                file_size(info.size),
                note,
            ])
            for column in (DOCUMENTS, ANNOTATIONS, SIZE):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(MADE, str(info.path))
            if info.damaged:
                item.setFlags(Qt.ItemFlag.NoItemFlags)  # greyed, not selectable
                item.setToolTip(NOTE, note)
            elif first_good is None:
                first_good = item
            self.tree.addTopLevelItem(item)
        if first_good is not None:
            self.tree.setCurrentItem(first_good)
        if not self.backups:
            self.status_label.setText("There are no backups of this library yet.")
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        index = self.tree.indexOfTopLevelItem(item)
        info = self.backups[index] if 0 <= index < len(self.backups) else None
        return info if info is not None and not info.damaged else None

    def select(self, path: Path) -> None:
        for index, info in enumerate(self.backups):
            if info.path == path:
                self.tree.setCurrentItem(self.tree.topLevelItem(index))
                return
        raise LookupError(f"{path} is not listed")

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def restore_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        if RestoreQuestion(self, info, self.current).confirmed():
            self.chosen = info
            self.accept()

    def back_up_now(self) -> Path | None:
        try:
            made = backup_library(self.library_path, folder=self.folder, min_interval=None)
        except SummitReaderError as exc:
            self.status_label.setText(str(exc))
            return None
        self.refresh()
        self.status_label.setText(f"Backed up to {made}." if made else "")
        return made
