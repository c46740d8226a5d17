"""PySide6 6.12.0 dropped a reference to None on every void method call; on Python < 3.12 that aborts the
interpreter after a few thousand calls ("none_dealloc"). pyproject.toml excludes that release; this test
fails if an installed PySide6 has the bug again, before users meet it as a crash."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget


def test_void_qt_calls_keep_none_alive(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(2000):
        widget.update()
    assert before - sys.getrefcount(None) < 50
