"""The window's parts on their own: offsets, the find query, the palette, the settings file, the welcome
view and import, start-up without spaCy or pyqtgraph."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTreeView, QWidget

from summit_reader.core.analysis import DocumentAnalysis, Match
from summit_reader.core.documents import new_document
from summit_reader.core.lexicon import load_lexicon
from summit_reader.core.settings import SETTINGS_VERSION, Settings
from summit_reader.core.store import Library
from summit_reader.ui.find_query import find_all
from summit_reader.ui.highlight_style import MIN_TEXT_CONTRAST, HighlightPalette, contrast_ratio
from summit_reader.ui.pyside_fix import needs_protection, protect_singletons
from summit_reader.ui.textpos import TextOffsets
from summit_reader.ui.widgets.reader_pane import ReaderPane

# ------------------------------------------------------------------------------------------ offsets


@pytest.mark.parametrize("text", ["", "plain text", "a😀b😀😀c", "😀", "x\U0001f600\n\U0001d11e y"])
def test_text_offsets_match_utf16(text: str) -> None:
    offsets = TextOffsets(text)
    for cp in range(len(text) + 1):
        qt = len(text[:cp].encode("utf-16-le")) // 2
        assert offsets.to_qt(cp) == qt
        assert offsets.from_qt(qt) == cp


def test_highlights_land_on_the_right_word_after_emoji(qtbot) -> None:  # type: ignore[no-untyped-def]
    lexicon = load_lexicon()
    text = "🚀🚀 We value safety. 😀 Risk too."
    start = text.index("safety")
    risk = text.index("Risk")
    analysis = DocumentAnalysis(
        "", "", 6, 2,
        (Match(start, start + 6, "safety", "safety", "safe*"), Match(risk, risk + 4, "Risk", "risk", "risk*")),
    )
    doc = new_document(text, "Emoji test")
    analysis = DocumentAnalysis(doc.text_hash, "", 6, 2, analysis.matches)
    pane = ReaderPane(1, HighlightPalette(lexicon, QPalette()))
    qtbot.addWidget(pane)
    pane.set_document(doc, analysis)
    assert pane.is_highlighted(start) and pane.is_highlighted(start + 5)
    assert not pane.is_highlighted(start - 1) and not pane.is_highlighted(start + 6)
    assert pane.is_highlighted(risk)
    pane.select_span(risk, risk + 4)
    assert pane.selected_text() == "Risk"
    assert pane.selection_span() == (risk, risk + 4)


# ------------------------------------------------------------------------------------------- find


def test_find_query_words_and_globs() -> None:
    text = "Risk, risks and risk-based. The safe AI; safety  ai. brisk can't"
    assert [text[a:b] for a, b in find_all(text, "risk")] == ["Risk", "risk"]
    assert [text[a:b] for a, b in find_all(text, "risk*")] == ["Risk", "risks", "risk-based"]
    assert [text[a:b] for a, b in find_all(text, "safe* ai")] == ["safe AI", "safety  ai"]
    assert find_all(text, "*") == [] and find_all(text, "   ") == []
    assert find_all(text, "a.b") == []  # regex characters are literal


# ---------------------------------------------------------------------------------------- palette


def _palette(base: str, text: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.Text, QColor(text))
    return palette


@pytest.mark.parametrize(("base", "text"), [("#ffffff", "#000000"), ("#1e1e1e", "#eeeeee"), ("#fdf6e3", "#333333")])
def test_highlights_keep_text_readable_and_differ_beyond_colour(base: str, text: str) -> None:
    lexicon = load_lexicon()
    palette = HighlightPalette(lexicon, _palette(base, text))
    cues = set()
    for cat in lexicon.categories:
        ranks = [r for r, _ in cat.levels] or [None]
        for rank in ranks:
            fmt = palette.char_format(cat.name, rank)
            assert contrast_ratio(fmt.background().color(), QColor(text)) >= MIN_TEXT_CONTRAST
        style = palette.style(cat.name)
        if not cat.is_scale:
            cues.add((style.colour.name(), int(style.underline.value)))
    assert len(cues) == sum(1 for c in lexicon.categories if not c.is_scale)
    # scales: the strongest level is deeper, bolder and underlined more heavily than the weakest
    modal = lexicon.category("modal")
    weak, strong = modal.levels[0][0], modal.levels[-1][0]
    weak_fmt, strong_fmt = palette.char_format("modal", weak), palette.char_format("modal", strong)
    base_colour = QColor(base)
    assert contrast_ratio(strong_fmt.background().color(), base_colour) > contrast_ratio(weak_fmt.background().color(), base_colour)
    assert strong_fmt.fontWeight() > weak_fmt.fontWeight()
    assert weak_fmt.underlineStyle() != strong_fmt.underlineStyle()
    assert palette.char_format("modal", strong, negated=True).fontStrikeOut()


# --------------------------------------------------------------------------------------- settings


def test_settings_round_trip(tmp_path: Path) -> None:
    settings = Settings.load()
    assert settings.path == tmp_path / "config" / "settings.json"
    settings.open_documents = [3, None, 1]
    settings.pane_count = 3
    settings.zoom = 20.5
    settings.hidden_categories = ["risk", "safety"]
    settings.sync_scroll = True
    settings.graph_mode = "scales"
    settings.save()
    assert not [p for p in settings.path.parent.iterdir() if p.suffix == ".tmp"]
    again = Settings.load()
    assert again == settings
    assert json.loads(settings.path.read_text(encoding="utf-8"))["version"] == SETTINGS_VERSION


@pytest.mark.parametrize("content", ["{not json", json.dumps({"version": SETTINGS_VERSION + 1, "zoom": 30}), "[]"])
def test_bad_or_newer_settings_are_kept_aside(tmp_path: Path, content: str) -> None:
    path = tmp_path / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    settings = Settings.load()
    assert settings.zoom == Settings().zoom and settings.problem
    assert (path.parent / "settings.json.bad").read_text(encoding="utf-8") == content


def test_settings_fields_of_the_wrong_type_fall_back(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    data = {"version": 1, "zoom": "big", "pane_count": 9, "graph_mode": "pie", "open_documents": [1, "x", True]}
    path.write_text(json.dumps(data), encoding="utf-8")
    settings = Settings.load()
    assert settings.zoom == Settings().zoom and settings.pane_count == 4 and settings.graph_mode == "rate"
    assert settings.open_documents == [1, None, None]
    assert settings.problem is None


# ------------------------------------------------------------------------ welcome, import, a11y


def test_empty_library_shows_welcome_then_import(make_window, qtbot, tmp_path: Path, sample_files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    library = Library(tmp_path / "empty.sqlite3")
    try:
        window = make_window(library, graph=False)
        assert window.stack.currentWidget() is window.welcome
        assert window.welcome.isVisible() and not window.legend_dock.isVisible()
        files = [sample_files[year] for year in sorted(sample_files)]
        bad = tmp_path / "notes.pdf"
        bad.write_bytes(b"%PDF")
        reported: list[list[str]] = []
        monkeypatch.setattr(window, "report_errors", lambda title, messages: reported.append(list(messages)))
        added = window.import_files([*files, bad, files[0]], ask=False)  # no details asked (see test_import_dialogs)
        assert len(added) == 3
        assert len(reported) == 1 and len(reported[0]) == 2
        assert "notes.pdf" in reported[0][0] and "already in the library" in reported[0][1]
        assert window.stack.currentWidget() is window.reading
        assert window.legend_dock.isVisible()
        assert [p.document_id for p in window.panes] == added[:2]
        # the worker analyses the new documents (spaCy in the worker thread) and the highlights appear
        pane = window.panes[0]
        qtbot.waitUntil(lambda: pane.analysis is not None, timeout=30000)
        safety = pane.analysis.matches_in("safety")[0]
        assert pane.is_highlighted(safety.start)
        window.close()
    finally:
        library.close()


def test_interactive_widgets_have_accessible_names(window) -> None:  # type: ignore[no-untyped-def]
    missing = []
    for cls in (QAbstractButton, QComboBox, QLineEdit, QTreeView):
        for widget in window.findChildren(cls):
            if widget.objectName().startswith("qt_") or type(widget).__module__.startswith("pyqtgraph"):
                continue
            if isinstance(widget, QWidget) and widget.isVisibleTo(window) and not widget.accessibleName():
                if isinstance(widget, QAbstractButton) and widget.parent() is not None and "QDockWidget" in type(widget.parent()).__name__:
                    continue  # the docks' own float/close buttons
                missing.append(f"{type(widget).__name__} {widget.text() if hasattr(widget, 'text') else ''}")
    assert not missing, missing


def test_every_action_has_a_shortcut_or_a_menu(window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction

    in_menus = set()
    for menu_action in window.menuBar().actions():
        stack = [menu_action.menu()]
        while stack:
            menu = stack.pop()
            for a in menu.actions():
                in_menus.add(a)
                if a.menu():
                    stack.append(a.menu())
    for name in ("find", "next_occurrence", "prev_occurrence", "zoom_in", "zoom_out", "add_pane",
                 "remove_pane", "swap_panes", "open_demo", "import"):
        action = getattr(window, f"action_{name}")
        assert isinstance(action, QAction)
        assert action in in_menus and not action.shortcut().isEmpty(), name


def test_window_paints_before_spacy_and_pyqtgraph(tmp_path: Path, cached_demo_template: Path) -> None:
    """In a fresh interpreter: build and paint the window on a cached library; neither spaCy nor
    pyqtgraph may be imported by then, and the panes already show highlights."""
    code = f"""
import shutil, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from summit_reader.core.settings import Settings
from summit_reader.core.store import Library
from summit_reader.ui.main_window import MainWindow
app = QApplication([])
shutil.copy({str(cached_demo_template)!r}, {str(tmp_path / "lib.sqlite3")!r})
w = MainWindow(Library({str(tmp_path / "lib.sqlite3")!r}), settings=Settings(path=Path({str(tmp_path / "s.json")!r})))
w.show()
w.repaint()
pane = w.panes[0]
print("spacy" in sys.modules, "pyqtgraph" in sys.modules, pane.analysis is not None and pane.is_highlighted(pane.analysis.matches[0].start))
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "True"]


def test_pyside_refcount_guard() -> None:
    assert protect_singletons() is needs_protection()
    if needs_protection():
        assert sys.getrefcount(None) > 1 << 39
