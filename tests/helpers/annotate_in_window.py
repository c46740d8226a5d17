"""A child process for the durability test of the window: opens the reader window (offscreen) on LIBRARY,
selects a passage, annotates it through the editor (Ctrl+M's editor, note and tag, Save) and prints the
annotation's id as one JSON line once the editor has closed — what the user sees as "saved". Then it
keeps the window running until it is killed.

    python tests/helpers/annotate_in_window.py LIBRARY
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    from summit_reader.core.settings import Settings
    from summit_reader.core.store import Library
    from summit_reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    library = Library(Path(argv[0]))
    library.author = "Kill test"
    window = MainWindow(library, settings=Settings.load())
    window.show()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (window.panes and window.panes[0].document is not None):
        app.processEvents()
        time.sleep(0.01)
    pane = window.panes[0]
    assert pane.document is not None
    text = pane.document.text
    start = text.index("catastrophic harm")
    pane.select_span(start, start + len("catastrophic harm"))
    window._set_active(pane)
    controller = window.annotations
    controller.annotate_selection()
    editor = controller.editor
    assert editor is not None
    editor.note_edit.setPlainText("must survive a kill")
    editor.tag_picker.add_tag("durable")
    editor.save_button.click()
    if editor.isVisible():  # not saved
        print(editor.error_label.text(), file=sys.stderr, flush=True)
        return 1
    annotation = next(a for a in library.list_annotations() if a.note == "must survive a kill")
    sys.stdout.write(json.dumps({"id": annotation.id}) + "\n")
    sys.stdout.flush()
    while True:  # until killed
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
