"""Render screenshots of the main window's main states to docs/screenshots/ (offscreen, no display needed).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Uses the demo library (illustrative texts, not official ones) in a temporary folder, so the user's library
and settings are never touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1600, 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="summit-reader-shots-") as tmp:
        os.environ["SUMMIT_READER_DB"] = str(Path(tmp) / "library.sqlite3")
        os.environ["SUMMIT_READER_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "xdg-config")
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "xdg-data")
        return _render(out, Path(tmp))


def _render(out: Path, tmp: Path) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont

    from summit_reader.core.demo import open_demo_library
    from summit_reader.core.settings import CLASSROOM_ZOOM, Settings
    from summit_reader.core.store import Library
    from summit_reader.ui.app import _application
    from summit_reader.ui.main_window import MainWindow

    app = _application([sys.argv[0]])
    app.setFont(QFont("DejaVu Sans", 10))

    def settle(condition: Callable[[], bool] = lambda: True, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            if condition():
                break
            time.sleep(0.02)
        # let timers (the debounced stats refresh, layouts) run
        idle_end = time.monotonic() + 0.4
        while time.monotonic() < idle_end:
            app.processEvents()
            time.sleep(0.01)

    def shoot(window: MainWindow, name: str) -> None:
        settle()
        path = out / name
        window.grab().save(str(path))
        print(f"wrote {path}")

    # 1. the welcome view (an empty library)
    empty = Library(tmp / "empty.sqlite3")
    window = MainWindow(empty, settings=Settings(path=tmp / "config" / "a.json"))
    window.resize(*SIZE)
    window.show()
    shoot(window, "welcome.png")
    window.close()
    empty.close()

    # 2. two panes, highlights, legend and graph on the demo library
    library = open_demo_library()
    window = MainWindow(library, settings=Settings(path=tmp / "config" / "b.json"))
    window.resize(*SIZE)
    window.show()
    settle(lambda: not window.service.busy and not window.service.missing())
    graph = window.ensure_graph()
    window.legend.set_hidden_categories(
        set(window.lexicon.category_names) - {"safety", "risk", "innovation", "inclusion", "security", "modal"}
    )
    settle()
    second = window.panes[1]
    window.show_first_occurrence(second.document_id or 0, "innovation")
    shoot(window, "main-window.png")

    # 3. the strength scales
    window.set_graph_mode("scales")
    window.legend.show_all()
    shoot(window, "strength-scales.png")

    # 4. classroom zoom: the graph dock closed, large type
    window.set_graph_mode("rate")
    window.library_dock.hide()
    window.legend_dock.hide()
    window.set_zoom(CLASSROOM_ZOOM)
    window.legend.set_hidden_categories(set(window.lexicon.category_names) - {"safety", "innovation", "modal"})
    window.show_first_occurrence(window.panes[0].document_id or 0, "safety")
    shoot(window, "classroom.png")

    # 5. the language table
    window.set_zoom(12)
    window.library_dock.show()
    window.legend_dock.show()
    window.graph_dock.hide()
    window.table_dock.show()
    window.resizeDocks([window.table_dock], [420], Qt.Orientation.Vertical)
    window.legend.show_all()
    settle()
    view = window.stats_view
    table = view.model.table
    if table is not None and table.rows:
        index = view.cell_index(len(table.rows) - 1, "modal")
        view.table_view.clicked.emit(index)
    shoot(window, "language-table.png")
    window.close()
    del graph
    library.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: PySide6 6.12 can crash while destroying Qt objects at exit
