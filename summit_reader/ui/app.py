"""Start the window: the QApplication, the library (with a way out when it cannot be opened), MainWindow."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from summit_reader import __version__
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.store import Library

LIBRARY_FILTER = "Summit Reader library (*.sqlite3 *.sqlite *.db);;All files (*)"


def _application(argv: list[str] | None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Summit Reader")
    app.setApplicationDisplayName("Summit Reader")
    app.setOrganizationName("summit-reader")
    app.setApplicationVersion(__version__)
    try:
        from summit_reader.ui.icon import app_icon

        app.setWindowIcon(app_icon())
    except (ImportError, OSError):  # the icon is a nicety; never a reason not to start
        pass
    return app


def ask_after_open_failure(path: Path, message: str, parent: QWidget | None = None) -> Path | None:
    """Tell the user why ``path`` could not be opened and let them pick another library file or a new one.
    Returns the path to try next, or None to quit. The file that failed is never touched."""
    while True:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Summit Reader")
        box.setText(f"The library '{path}' cannot be opened.")
        box.setInformativeText(f"{message}\n\nThe file was left as it is.")
        open_other = box.addButton("Open another library file…", QMessageBox.ButtonRole.AcceptRole)
        new = box.addButton("Start a new library…", QMessageBox.ButtonRole.ActionRole)
        quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(open_other)
        box.setEscapeButton(quit_button)
        box.exec()
        clicked = box.clickedButton()
        if clicked is open_other:
            name, _ = QFileDialog.getOpenFileName(parent, "Open library", str(path.parent), LIBRARY_FILTER)
        elif clicked is new:
            name, _ = QFileDialog.getSaveFileName(parent, "New library", str(path.parent / "new-library.sqlite3"), LIBRARY_FILTER)
            if name and Path(name).exists():
                QMessageBox.warning(parent, "Summit Reader", f"'{name}' already exists; choose a new file name.")
                continue
        else:
            return None
        if not name:
            continue
        chosen = Path(name)
        if chosen.resolve() == path.resolve():
            continue  # never the damaged file again
        return chosen


def open_library_interactively(db_path: Path, *, demo: bool = False) -> Library | None:
    path = Path(db_path)
    while True:
        try:
            if demo:
                from summit_reader.core.demo import open_demo_library

                return open_demo_library()
            return Library(path)
        except SummitReaderError as exc:
            if demo:
                QMessageBox.critical(None, "Summit Reader", f"The demo set cannot be opened.\n\n{exc}")
                demo = False
                continue
            chosen = ask_after_open_failure(path, str(exc))
            if chosen is None:
                return None
            path = chosen


def run(db_path: Path, argv: list[str] | None = None, *, demo: bool = False) -> int:
    """Open the window on the library at ``db_path`` (or the demo library) and run until it closes."""
    app = _application(argv)
    library = open_library_interactively(db_path, demo=demo)
    if library is None:
        return 1
    from summit_reader.ui.main_window import MainWindow

    window = MainWindow(library)
    window.show()
    try:
        return int(app.exec())
    finally:
        window.close()
        library.close()
