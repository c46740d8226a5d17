"""Start-up: what the window builds before its first paint, and what it leaves for later (README,
"Performance"). The window must look and behave the same; these tests check the parts built late."""

from __future__ import annotations

import gc
import json
import linecache
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QMainWindow

from summit_reader.core.store import Library
from summit_reader.ui.lazy_dock import LazyDock
from summit_reader.ui.pyside_imports import holds_qt, install


def test_modules_imported_after_qt_are_not_read_as_source(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert install()
    (tmp_path / "plain_module_for_scan_test.py").write_text("VALUE = 1\n", encoding="utf-8")
    (tmp_path / "qt_module_for_scan_test.py").write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    # an import statement goes through builtins.__import__, where PySide's hook is (import_module does not)
    plain = __import__("plain_module_for_scan_test")
    qt = __import__("qt_module_for_scan_test")
    # PySide's import hook no longer reads (and keeps) each module's source
    assert str(tmp_path / "plain_module_for_scan_test.py") not in linecache.cache
    assert not holds_qt(plain) and holds_qt(qt) and holds_qt(sys.modules["PySide6.QtCore"])
    feature = sys.modules["PySide6.support.feature"]
    assert feature.pyside_feature_dict["plain_module_for_scan_test"] == -1
    assert feature.pyside_feature_dict["qt_module_for_scan_test"] == 0


def test_lazy_dock_builds_its_widget_when_shown_or_asked(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = QMainWindow()
    qtbot.addWidget(window)
    built: list[QLabel] = []

    def build() -> QLabel:
        built.append(QLabel("content"))
        return built[-1]

    dock = LazyDock("Panel", "PanelDock", window, build)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    dock.hide()
    window.show()
    qtbot.waitExposed(window)
    assert not built and not dock.is_built and dock.widget() is None
    dock.show()
    assert len(built) == 1 and dock.widget() is built[0] and dock.is_built
    dock.hide()
    dock.show()
    assert dock.content() is built[0] and len(built) == 1


def test_hidden_parts_are_built_on_first_use(make_window, demo_library: Library) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo_library)
    annotations = window.annotations
    # the library has documents: no welcome view; the annotations dock is hidden: no panel yet
    assert window._welcome is None and not window.showing_welcome()
    assert not annotations.dock.is_built and annotations.dock.widget() is None
    annotations.dock.show()
    panel = annotations.dock.widget()
    assert panel is annotations.panel and panel.isVisible()
    assert panel.model.total == demo_library.count_annotations()
    # named for screen readers like the rest of the window, though built after it
    buttons = [b for b in panel.findChildren(QAbstractButton) if b.text().strip() or b.toolTip()]
    assert buttons and all(b.accessibleName() for b in buttons)


#: Imported on first use: the research features' views, dialogs and core modules (README, "Performance").
FIRST_USE_MODULES = (
    "summit_reader.core.agreement",
    "summit_reader.core.coders",
    "summit_reader.core.concordance",
    "summit_reader.core.export",
    "summit_reader.core.lexicon_formats",
    "summit_reader.core.merge",
    "summit_reader.core.qda",
    "summit_reader.core.webanno",
    "summit_reader.ui.agreement_view",
    "summit_reader.ui.dialogs.lexicon_editor",
    "summit_reader.ui.widgets.concordance_view",
    "summit_reader.ui.widgets.web_annotations_export",
)


def test_research_features_add_menu_entries_and_import_the_rest_on_first_use(  # type: ignore[no-untyped-def]
    make_window, demo_library: Library
) -> None:
    code = f"""
        import json, sys
        from pathlib import Path
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from summit_reader.core.store import Library
        from summit_reader.ui.main_window import MainWindow
        window = MainWindow(Library(Path({str(demo_library.path)!r})))
        print(json.dumps([m for m in {FIRST_USE_MODULES!r} if m in sys.modules]))
    """
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    window = make_window(demo_library)
    # the lexicon in use is in the status bar from the start
    assert window.lexicon_ui.status_label.text() == f"Lexicon: {window.lexicon.name} {window.lexicon.version}"
    # the concordance panel is built when its dock is first shown (or the panel is asked for)
    kwic = window.concordance
    assert not kwic.dock.is_built and kwic.dock.widget() is None
    kwic.dock.show()
    assert kwic.dock.is_built and kwic.dock.widget() is kwic.view and kwic.view.isVisible()


def test_empty_library_shows_the_welcome_view(make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "empty.sqlite3")
    try:
        window = make_window(library, graph=False)
        assert window.showing_welcome() and window.stack.currentWidget() is window.welcome
        assert window.welcome.isVisible()
    finally:
        library.close()


def test_the_engine_loads_after_the_first_paint_in_the_worker(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    service = window.service
    # the window asked for it after its first paint, and did not wait for it
    qtbot.waitUntil(lambda: service.engine_ready, timeout=60000)
    # the main thread's analyzer has no engine (nor pipeline) of its own
    assert not window.analyzer.loaded and "tokenizer" not in vars(window.analyzer) and "nlp" not in vars(window.analyzer)
    with qtbot.waitSignal(service.engineReady, timeout=5000):
        service.warm_up()  # already loaded: said at once


def test_the_graph_is_not_drawn_again_for_the_same_table(window) -> None:  # type: ignore[no-untyped-def]
    graph = window.graph
    calls: list[int] = []
    original = graph._redraw
    graph._redraw = lambda: (calls.append(1), original())  # type: ignore[method-assign]
    graph.set_table(window.service.stats_table())  # the same documents and analyses
    assert calls == []
    window.legend.set_hidden_categories({"safety"})
    assert calls  # a real change still redraws


def test_collection_pauses_at_start_up_and_resumes_when_the_window_is_interactive(  # type: ignore[no-untyped-def]
    qtbot, make_window, demo_library: Library
) -> None:
    from summit_reader.ui import gc_pause

    assert gc.isenabled() and not gc_pause.is_paused()
    frozen = gc.get_freeze_count()
    try:
        assert gc_pause.pause() and not gc.isenabled()
        assert not gc_pause.pause()  # once
        window = make_window(demo_library)
        # the window resumes collection once its engine is loaded, and freezes what start-up made
        qtbot.waitUntil(lambda: not gc_pause.is_paused(), timeout=60000)
        assert window.service.engine_ready and gc.isenabled() and gc.get_freeze_count() > frozen
    finally:
        gc_pause.resume()
        gc.unfreeze()  # this test process goes on as it was
        gc.enable()


def test_the_strength_scales_view_is_built_when_first_shown(window) -> None:  # type: ignore[no-untyped-def]
    graph = window.graph
    assert graph.built_views() == [graph.lines_view]
    window.set_graph_mode("scales")
    assert graph.built_views() == [graph.lines_view, graph.scales_view] and graph.scales_view.isVisible()
    assert set(graph.scale_plots) == {c.name for c in window.lexicon.categories if c.is_scale}
    _header, rows = graph.data_rows()
    assert rows
