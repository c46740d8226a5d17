"""Start the window: the QApplication, the library (with a way out when it cannot be opened), MainWindow."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from summit_reader import __version__
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.store import Library

if TYPE_CHECKING:
    from summit_reader.ui.dialogs.library_error_dialog import LIBRARY_FILTER, ask_after_open_failure

__all__ = ["LIBRARY_FILTER", "ask_after_open_failure", "open_library_interactively", "run"]


def __getattr__(name: str) -> object:
    """``LIBRARY_FILTER`` and ``ask_after_open_failure`` come from the library error dialog, which is imported
    only when it is needed (it is not needed to start the window)."""
    if name in ("LIBRARY_FILTER", "ask_after_open_failure"):
        from summit_reader.ui.dialogs import library_error_dialog

        return getattr(library_error_dialog, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _application(argv: list[str] | None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv if argv is not None else sys.argv[:1])
    if app is not existing:
        # a new process: no cyclic garbage collection until the window is interactive (see gc_pause)
        from summit_reader.ui import gc_pause

        if gc_pause.pause():
            QTimer.singleShot(gc_pause.RESUME_AFTER_MS, gc_pause.resume)
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


def open_library_interactively(db_path: Path, *, demo: bool = False) -> Library | None:
    """Open the library at ``db_path`` (or the demo library); when it cannot be opened, say why and let the
    user open another, start a new one or restore a backup (LibraryErrorDialog). None: the user quit."""
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
            from summit_reader.ui.dialogs.library_error_dialog import ask_after_open_failure

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
