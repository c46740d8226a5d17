"""The yes/no questions of importing and deleting, as message boxes with named buttons (so a test, or an
assistive technology, can find the button it wants)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


class DuplicateQuestion(QMessageBox):
    """A text that is already in the library: skip it (the default) or import it anyway."""

    def __init__(self, parent: QWidget | None, name: str, existing_title: str, existing_id: int) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle("Already in the library")
        self.setText(f"The text of {name} is already in the library as “{existing_title}” (document {existing_id}).")
        self.setInformativeText(
            "Skip it, or import it anyway as a second copy (its annotations would be separate)."
        )
        self.skip_button = self.addButton("&Skip", QMessageBox.ButtonRole.RejectRole)
        self.import_button = self.addButton("&Import anyway", QMessageBox.ButtonRole.AcceptRole)
        self.setDefaultButton(self.skip_button)
        self.setEscapeButton(self.skip_button)

    def import_anyway(self) -> bool:
        self.exec()
        self.deleteLater()
        return self.clickedButton() is self.import_button


class DeleteQuestion(QMessageBox):
    """Deleting a document: says how many annotations go with it. Cancel is the default."""

    def __init__(self, parent: QWidget | None, title: str, annotations: int) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Delete document")
        self.setText(f"Delete “{title}” from the library?")
        if annotations:
            plural = "s" if annotations != 1 else ""
            going = f"Its {annotations} annotation{plural} will be deleted with it."
        else:
            going = "It has no annotations."
        self.setInformativeText(
            f"{going}\n\nThis cannot be undone, except by restoring a backup (File → Restore from backup…)."
        )
        self.delete_button = self.addButton("&Delete", QMessageBox.ButtonRole.DestructiveRole)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)

    def confirmed(self) -> bool:
        self.exec()
        self.deleteLater()
        return self.clickedButton() is self.delete_button
