"""Render presentation mode at 1920 × 1080 in each theme to docs/screenshots/presentation-<theme>.png
(offscreen, no display needed).

    .venv/bin/python scripts/screenshots_presentation.py [--out docs/screenshots] [--themes light dark high-contrast]

Uses the demo library (illustrative texts, not official ones) in a temporary folder, so the user's library
and settings are never touched. The offscreen screen is a 1920 × 1080 "projector".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1920, 1080
SHOWN = {"safety", "risk", "innovation", "inclusion", "modal"}  # the teacher's choice in the legend


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--themes", nargs="+", default=["light", "dark", "high-contrast"])
    parser.add_argument("--category", type=int, default=2, help="the number key pressed (default 2)")
    parser.add_argument("--steps", type=int, default=3, help="Page Down presses (default 3)")
    parser.add_argument("--show", nargs="*", default=sorted(SHOWN), help="the categories left visible (none: all)")
    parser.add_argument("--name", default="presentation-{theme}.png", help="file name pattern")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="summit-reader-present-") as tmp:
        screen = Path(tmp) / "screen.json"
        screen.write_text(json.dumps({"screens": [{
            "name": "projector", "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT,
            "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1,
        }]}), encoding="utf-8")
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
        os.environ.setdefault("QT_SCALE_FACTOR", "1")
        os.environ["SUMMIT_READER_DB"] = str(Path(tmp) / "library.sqlite3")
        os.environ["SUMMIT_READER_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "xdg-config")
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "xdg-data")
        return _render(out, Path(tmp), args.themes, args.category, args.steps, set(args.show), args.name)


def _render(out: Path, tmp: Path, themes: list[str], category: int, steps: int, shown: set[str], name: str) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont
    from PySide6.QtTest import QTest

    from summit_reader.core.demo import open_demo_library
    from summit_reader.core.settings import Settings
    from summit_reader.ui.app import _application
    from summit_reader.ui.main_window import MainWindow

    app = _application([sys.argv[0]])
    app.setFont(QFont("DejaVu Sans", 10))

    def settle(condition: Callable[[], bool] = lambda: True, timeout: float = 60.0, idle: float = 0.4) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            if condition():
                break
            time.sleep(0.02)
        idle_end = time.monotonic() + idle
        while time.monotonic() < idle_end:
            app.processEvents()
            time.sleep(0.01)

    library = open_demo_library(tmp / "demo-library.sqlite3")
    for theme in themes:
        window = MainWindow(library, settings=Settings(path=tmp / "config" / f"{theme}.json"))
        window.resize(1400, 900)
        window.show()
        settle(lambda w=window: not w.service.busy and not w.service.missing())
        window.ensure_graph()
        window.classroom.themes.set_theme(theme)
        window.legend.set_hidden_categories(set(window.lexicon.category_names) - shown if shown else set())
        settle()
        window.acts.present.trigger()
        settle()

        def key(k: Qt.Key) -> None:
            from PySide6.QtWidgets import QApplication

            QTest.keyClick(QApplication.focusWidget() or window, k)  # noqa: B023 - used at once
            settle(idle=0.05)

        key(getattr(Qt.Key, f"Key_{category}"))
        for _ in range(steps):
            key(Qt.Key.Key_PageDown)
        window.classroom.presentation.pulse.stop()  # the steady picture, not a frame of the pulse
        settle()
        path = out / name.format(theme=theme)
        picture = window.grab()
        picture.save(str(path))
        print(f"wrote {path} ({picture.width()}×{picture.height()}): {window.classroom.presentation.page.caption.text()}")
        window.acts.present.trigger()
        window.close()
        settle(idle=0.1)
    library.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: PySide6 can crash while destroying Qt objects at exit
