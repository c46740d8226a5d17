"""When a library cannot be opened — not SQLite, damaged or truncated, written by a newer Summit Reader,
read-only, in a folder that cannot be written — say why, and let the user open another library, start a
new one, restore this one from a backup (when there is one), or quit. The file that failed is never
touched: only a restore the user confirmed replaces it, and restoring keeps a copy of it first."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from summit_reader.core.backup import list_backups, restore_backup
from summit_reader.core.errors import SummitReaderError

LIBRARY_FILTER = "Summit Reader library (*.sqlite3 *.sqlite *.db);;All files (*)"

Choice = Literal["open", "new", "restore", "quit"]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a.absolute() == b.absolute()


class LibraryErrorDialog(QDialog):
    """After ``exec()``: :attr:`choice` and :attr:`next_path` (the library to try next; None to quit).
    :meth:`choose_existing_file` and :meth:`choose_new_file` ask with a file dialog (tests replace them)."""

    def __init__(
        self, path: Path, message: str, parent: QWidget | None = None, *, backup_folder: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LibraryErrorDialog")
        self.setWindowTitle("Summit Reader — the library cannot be opened")
        self.path = Path(path)
        self.message = message
        self.backup_folder = backup_folder
        self.choice: Choice = "quit"
        self.next_path: Path | None = None
        self.safety_copy: Path | None = None
        try:
            self.backups = [b for b in list_backups(self.path, backup_folder) if not b.damaged]
        except OSError:
            self.backups = []

        self.heading = QLabel(f"The library '{self.path.name}' cannot be opened.")
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.message_label = QLabel(message)
        self.message_label.setObjectName("LibraryErrorMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setAccessibleName("Why the library cannot be opened")
        options = "open another library or start a new one"
        if self.backups:
            options = "open another library, start a new one, or restore this one from a backup"
        self.advice = QLabel(f"The file ({self.path}) was left as it is. You can {options}.")
        self.advice.setWordWrap(True)
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel()
        self.status_label.setObjectName("LibraryErrorStatus")
        self.status_label.setWordWrap(True)
        self.status_label.hide()

        self.open_button = QPushButton("&Open another library…")
        self.new_button = QPushButton("&Start a new library…")
        self.restore_button = QPushButton("&Restore from a backup…")
        self.quit_button = QPushButton("&Quit")
        self.restore_button.setVisible(bool(self.backups))
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self._open_other)
        self.new_button.clicked.connect(self._start_new)
        self.restore_button.clicked.connect(self._restore)
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.new_button, self.restore_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.quit_button.setAccessibleName("Quit")
        buttons.addWidget(self.quit_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addWidget(self.message_label)
        layout.addWidget(self.advice)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        self.setMinimumWidth(640)

    # ------------------------------------------------------------- file choice

    def choose_existing_file(self) -> str:
        name, _ = QFileDialog.getOpenFileName(self, "Open library", str(self.path.parent), LIBRARY_FILTER)
        return name

    def choose_new_file(self) -> str:
        name, _ = QFileDialog.getSaveFileName(
            self, "New library", str(self.path.parent / "new-library.sqlite3"), LIBRARY_FILTER
        )
        return name

    # ----------------------------------------------------------------- choices

    def _say(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.show()

    def _open_other(self) -> None:
        name = self.choose_existing_file()
        if not name:
            return
        chosen = Path(name)
        if _same_file(chosen, self.path):
            self._say(f"That is '{self.path.name}', the library that cannot be opened; choose another file.")
            return
        self._done("open", chosen)

    def _start_new(self) -> None:
        name = self.choose_new_file()
        if not name:
            return
        chosen = Path(name)
        if chosen.exists():
            self._say(f"'{chosen.name}' already exists; choose a new file name, or Open another library….")
            return
        self._done("new", chosen)

    def _restore(self) -> None:
        from summit_reader.ui.dialogs.backup_dialog import RestoreDialog

        dialog = RestoreDialog(self.path, self, folder=self.backup_folder, allow_backup_now=False)
        dialog.exec()
        dialog.deleteLater()
        if dialog.chosen is None:
            return
        try:
            self.safety_copy = restore_backup(dialog.chosen.path, self.path, folder=self.backup_folder)
        except SummitReaderError as exc:
            self._say(str(exc))
            return
        self._done("restore", self.path)

    def _done(self, choice: Choice, path: Path) -> None:
        self.choice = choice
        self.next_path = path
        self.accept()

    def reject(self) -> None:
        self.choice = "quit"
        self.next_path = None
        super().reject()


def ask_after_open_failure(path: Path, message: str, parent: QWidget | None = None) -> Path | None:
    """Tell the user why ``path`` could not be opened and let them pick another library file, a new one,
    or a backup of this one. Returns the path to try next, or None to quit."""
    dialog = LibraryErrorDialog(path, message, parent)
    dialog.exec()
    dialog.deleteLater()
    return dialog.next_path
