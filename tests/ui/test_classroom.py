"""Classroom mode and accessibility: presentation mode driven by keys (as a clicker sends them), exact
restore of the layout, themes and their contrast, accessible names, shortcuts, descriptions in words,
export for slides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction, QColor, QFontInfo, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QApplication,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTextEdit,
    QToolBar,
    QWidget,
)

from summit_reader.core.comparison import comparison_sentence
from summit_reader.core.documents import short_name
from summit_reader.core.lexicon import load_lexicon
from summit_reader.core.settings import DEFAULT_ZOOM, THEMES, Settings
from summit_reader.ui.accessibility import announcements
from summit_reader.ui.highlight_style import HighlightPalette, blend, contrast_ratio
from summit_reader.ui.presentation import MIN_BODY_PX, PULSE_PEAK_ALPHA, pulse_colour
from summit_reader.ui.themes import HIGH_CONTRAST_MIN, apply_theme, current_style_name, palette_contrasts


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):  # type: ignore[no-untyped-def]
    """A key press that goes where the keyboard's would: the focus widget, through the shortcuts."""
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


@pytest.fixture(autouse=True)
def _system_theme_after() -> Iterator[None]:
    yield
    apply_theme("system")  # the QApplication outlives the test


def expected_occurrences(window, category):  # type: ignore[no-untyped-def]
    """Independently of the controller: panes with a document in date order, each document once,
    matches in text order."""
    order = [s.id for s in window.service.summaries]
    panes = sorted((p for p in window.panes if p.document is not None), key=lambda p: order.index(p.document_id))
    out, seen = [], set()
    for pane in panes:
        if pane.document_id in seen:
            continue
        seen.add(pane.document_id)
        out.extend((pane, m) for m in pane.analysis.matches_in(category))
    return out


def layout_snapshot(window) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "state": bytes(window.saveState().data()),
        "geometry": window.geometry().getRect(),
        "window_state": window.windowState(),
        "menu": window.menuBar().isVisible(),
        "status": window.statusBar().isVisible(),
        "docks": {d.objectName(): d.isVisible() for d in window.findChildren(QDockWidget)},
        "zoom": window.zoom,
        "fonts": [p.view.font().pointSizeF() for p in window.panes],
        "panes visible": [p.isVisible() for p in window.panes],
        "combos visible": [p.combo.isVisible() for p in window.panes],
        "splitter": window.splitter.sizes(),
        "splitter parent": window.splitter.parent() is window.reading,
        "graph parent": window.graph.parent() is window.graph_dock,
        "page": window.stack.currentWidget(),
        "enabled": {id(a): a.isEnabled() for a in window.findChildren(QAction)},
        "graph buttons": [b.isVisible() for b in window.graph.buttons.buttons()],
    }


# ======================================================================================= presentation


def test_presentation_mode_steps_through_a_category_and_esc_restores_the_layout(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    controller = window.classroom.presentation
    # the teacher keeps a few categories in the legend: they become keys 1, 2, 3 … in the legend's order
    window.legend.set_hidden_categories(set(window.lexicon.category_names) - {"safety", "risk", "innovation", "inclusion", "modal"})
    window.panes[0].view.setFocus()
    before = layout_snapshot(window)
    focus_before = QApplication.focusWidget()

    press(qtbot, window, Qt.Key.Key_F5)
    assert controller.active and window.acts.present.isChecked()
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    assert not window.menuBar().isVisible() and not window.statusBar().isVisible()
    assert not any(d.isVisible() for d in window.findChildren(QDockWidget))
    assert window.stack.currentWidget() is controller.page
    assert window.graph.isVisible() and controller.page.isAncestorOf(window.graph)
    assert all(not b.isVisible() for b in window.graph.buttons.buttons())
    for pane in controller.presented_panes():
        assert QFontInfo(pane.view.font()).pixelSize() >= MIN_BODY_PX  # readable from the back of the room
        assert not pane.combo.isVisible() and not pane.close_button.isVisible()
    assert QFontInfo(controller.page.caption.font()).pixelSize() >= MIN_BODY_PX
    # the number keys are the legend's visible categories, and the hint bar says so
    keys = window.legend.visible_categories()[:9]
    assert keys == ["safety", "risk", "innovation", "inclusion", "modal"]
    assert "<b>1</b>" in controller.page.hints.text() and keys[0] in controller.page.hints.text()

    press(qtbot, window, Qt.Key.Key_1)
    category = keys[0]
    assert controller.category == category
    occurrences = expected_occurrences(window, category)
    assert len(occurrences) >= 4
    docs = len({p.document_id for p, _m in occurrences})
    assert controller.page.caption.text() == f"{category} — {len(occurrences)} in {docs} document{'s' * (docs > 1)}"
    for _ in range(3):
        press(qtbot, window, Qt.Key.Key_PageDown)
    pane, match = occurrences[2]
    assert controller.page.caption.text() == f"{category} — 3 of {len(occurrences)} — {short_name(pane.document)}"
    assert pane.selection_span() == (match.start, match.end)
    assert window.active_pane is pane
    assert controller.pulse.animation.state() == controller.pulse.animation.State.Running
    assert announcements.last == controller.page.caption.text()
    # a clicker's "back"
    press(qtbot, window, Qt.Key.Key_PageUp)
    assert controller.page.caption.text().startswith(f"{category} — 2 of ")
    # key 5 (modal verbs, in both documents): on past the first document's last one into the next document
    press(qtbot, window, Qt.Key.Key_5)
    category = "modal"
    occurrences = expected_occurrences(window, category)
    first_doc = occurrences[0][0].document_id
    crossing = next(i for i, (p, _m) in enumerate(occurrences) if p.document_id != first_doc)
    press(qtbot, window, Qt.Key.Key_Home)
    for _ in range(crossing):
        press(qtbot, window, Qt.Key.Key_Right)
    later_pane, later_match = occurrences[crossing]
    assert later_pane.document_id != first_doc
    assert later_pane.selection_span() == (later_match.start, later_match.end)
    assert controller.page.caption.text().endswith(short_name(later_pane.document))
    # the comparison under the graph, computed from the data
    summary = controller.page.summary.text()
    hidden = window.legend.hidden_categories()
    table = window.service.stats_table()
    assert summary == comparison_sentence(table, [c for c in table.categories if c not in hidden], focus=category)
    assert summary.split(": ", 1)[1].startswith(category) and "per 1,000 words" in summary and "→" in summary
    # G: the graph alone, and back
    press(qtbot, window, Qt.Key.Key_G)
    assert not window.splitter.isVisible() and window.graph.isVisible()
    press(qtbot, window, Qt.Key.Key_G)
    assert window.splitter.isVisible()
    # + makes the text larger
    size = QFontInfo(pane.view.font()).pixelSize()
    press(qtbot, window, Qt.Key.Key_Plus)
    assert QFontInfo(pane.view.font()).pixelSize() > size

    press(qtbot, window, Qt.Key.Key_Escape)
    assert not controller.active and not window.acts.present.isChecked()
    after = layout_snapshot(window)
    assert after == before
    assert QApplication.focusWidget() in (focus_before, window.active_pane.view)
    # F3 goes on through the category from where presenting left it
    matches = later_pane.analysis.matches_in(category)
    following = matches[(matches.index(later_match) + 1) % len(matches)]
    press(qtbot, window, Qt.Key.Key_F3)
    assert later_pane.selection_span() == (following.start, following.end)


def test_esc_restores_a_changed_layout_and_closing_while_presenting_saves_the_real_one(make_window, demo_library, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo_library, size=(760, 640))  # smaller than the (offscreen) screen, so it can grow
    window.table_dock.show()
    window.graph_dock.hide()
    window.set_zoom(20)
    window.showMaximized()
    qtbot.waitUntil(lambda: bool(window.windowState() & Qt.WindowState.WindowMaximized))
    qtbot.wait(300)  # the window system's resize
    before = layout_snapshot(window)
    window.acts.present.trigger()
    assert window.classroom.presentation.active
    press(qtbot, window, Qt.Key.Key_2)
    press(qtbot, window, Qt.Key.Key_PageDown)
    # a graph point clicked while presenting opens a document: the presentation stays on screen
    window.show_first_occurrence(window.service.summaries[1].id, "innovation")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.classroom.presentation.page)
    assert not window.menuBar().isVisible()
    press(qtbot, window, Qt.Key.Key_F5)  # F5 leaves, too
    # (the window manager gives a maximised window its size back a moment later)
    try:
        qtbot.waitUntil(lambda: layout_snapshot(window) == before, timeout=3000)
    except Exception:
        after = layout_snapshot(window)
        print({k: (before[k], after[k]) for k in before if before[k] != after[k] and k != "state"})
        raise
    assert window.windowState() & Qt.WindowState.WindowMaximized
    # closing in presentation mode leaves it first: the settings keep the reader's layout, not the projector's
    window.acts.present.trigger()
    window.close()
    saved = Settings.load()
    assert saved.zoom == 20
    assert not window.classroom.presentation.active


def test_presentation_needs_a_document(make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from summit_reader.core.store import Library

    library = Library(tmp_path / "empty.sqlite3")
    try:
        window = make_window(library, graph=False)
        window.acts.present.trigger()
        assert not window.classroom.presentation.active and not window.acts.present.isChecked()
        assert window.menuBar().isVisible()
        window.close()
    finally:
        library.close()


# ============================================================================================= themes


def highlight_contrasts(palette: QPalette, min_contrast: float) -> list[tuple[float, str]]:
    """(contrast, what) of the text on every highlight: each theme category, each scale level, negated
    or not, and on the selection and the pulse at its peak."""
    lexicon = load_lexicon()
    hp = HighlightPalette(lexicon, palette, min_contrast=min_contrast)
    text = palette.color(QPalette.ColorRole.Text)
    out = []
    for cat in lexicon.categories:
        ranks = [r for r, _level in cat.levels] if cat.is_scale else [None]
        for rank in ranks:
            for negated in (False, True):
                fmt = hp.char_format(cat.name, rank, negated)
                assert fmt.foreground().style() == Qt.BrushStyle.NoBrush  # the text keeps the palette's colour
                background = fmt.background().color()
                out.append((contrast_ratio(text, background), f"{cat.name} {rank} {negated}"))
                peak = blend(background, pulse_colour(palette), PULSE_PEAK_ALPHA)
                out.append((contrast_ratio(text, peak), f"pulse over {cat.name} {rank}"))
    out.append((contrast_ratio(palette.color(QPalette.ColorRole.HighlightedText), palette.color(QPalette.ColorRole.Highlight)), "selection"))
    return out


@pytest.mark.parametrize("theme", THEMES)
def test_highlights_and_text_keep_wcag_contrast_in_every_theme(qtbot, theme: str) -> None:  # type: ignore[no-untyped-def]
    state = apply_theme(theme)
    wanted = HIGH_CONTRAST_MIN if theme == "high-contrast" else 4.5
    assert state.min_contrast >= wanted
    results = highlight_contrasts(state.palette, state.min_contrast)
    worst = min(results)
    print(f"{theme}: lowest contrast {worst[0]:.2f} ({worst[1]}), {len(results)} pairs")  # noqa: T201 - for the report
    assert worst[0] >= 4.5, worst
    if theme == "high-contrast":
        assert all(c >= HIGH_CONTRAST_MIN for c, what in results if not what.startswith("pulse")), worst
    # a visible focus outline: a :focus rule in the highlight colour, at least 3:1 against the background
    css = QApplication.instance().styleSheet()
    focus = state.palette.color(QPalette.ColorRole.Highlight)
    assert f"QPlainTextEdit:focus, QTextEdit:focus {{ border: 2px solid {focus.name()}" in css
    assert contrast_ratio(focus, state.palette.color(QPalette.ColorRole.Base)) >= 3
    if theme != "system":
        pairs = palette_contrasts(state.palette)
        assert min(pairs.values()) >= 4.5, pairs
        assert pairs["text on base"] >= 7


def test_theme_menu_switches_the_window_and_is_remembered(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    acts = window.acts.themes
    assert acts["system"].isChecked()
    pane = window.panes[0]
    safety = pane.analysis.matches_in("safety")[0]
    acts["dark"].trigger()
    assert acts["dark"].isChecked() and not acts["system"].isChecked()
    assert window.highlight_palette.dark
    assert pane.view.palette().color(QPalette.ColorRole.Base) == QColor("#17181a")
    fmt = pane.char_format_at(safety.start)
    assert fmt.background().color() == window.highlight_palette.background("safety")
    assert contrast_ratio(fmt.background().color(), pane.view.palette().color(QPalette.ColorRole.Text)) >= 4.5
    assert pane.view.palette().color(QPalette.ColorRole.Highlight) == QColor("#8ab4f8")
    assert window.legend.count_text("safety", 0) == str(pane.analysis.count("safety"))  # the rebuilt legend
    acts["high-contrast"].trigger()
    assert window.highlight_palette.min_contrast == HIGH_CONTRAST_MIN
    assert window.classroom.themes.state.effective == "high-contrast"
    assert current_style_name() == "fusion"
    window.close()
    assert Settings.load().theme == "high-contrast"


# ===================================================================================== accessibility

INTERACTIVE = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView, QTextEdit, QPlainTextEdit, QAbstractSlider)


def accessible_name(widget: QWidget) -> str:
    """What a screen reader says for the widget: its accessible name, a button's text, a label's buddy."""
    iface = QAccessible.queryAccessibleInterface(widget)
    name = iface.text(QAccessible.Text.Name) if iface is not None else ""
    if not name:
        for label in widget.window().findChildren(QLabel):
            if label.buddy() is widget:
                name = label.text().replace("&", "")
    return name


def unnamed_widgets(root: QWidget) -> list[str]:
    missing = []
    for widget in QApplication.allWidgets():
        if not (widget is root or root.isAncestorOf(widget)) or not isinstance(widget, INTERACTIVE):
            continue
        if isinstance(widget, (QHeaderView, QScrollBar)) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue  # not reached by Tab (headers, scroll bars, the docks' title buttons)
        if type(widget).__name__ == "QComboBoxListView" or widget.objectName().startswith("qt_"):
            continue  # a combo box's own pop-up list
        if not any(ch.isalnum() for ch in accessible_name(widget)):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parent()).__name__}")
    return missing


def test_every_interactive_widget_has_an_accessible_name(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.table_dock.show()
    window.open_find()
    assert unnamed_widgets(window) == []
    window.acts.present.trigger()
    assert unnamed_widgets(window) == []
    window.acts.present.trigger()
    # the parts that matter have descriptions too
    for widget in (window.panes[0].view, window.legend.tree, window.graph.lines_view, window.stats_view.table_view, window.graph_dock):
        assert widget.accessibleDescription(), widget


def test_tab_reaches_every_part_of_the_window(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.table_dock.show()
    window.panes[0].view.setFocus()
    reached = []
    for _ in range(60):
        window.focusNextChild()
        reached.append(QApplication.focusWidget())
    parts = [
        *(p.view for p in window.panes), *(p.combo for p in window.panes), window.library_panel.filter_box,
        window.library_panel.view, window.legend.tree, window.graph.lines_view, window.stats_view.table_view,
        window.stats_view.unit, window.stats_view.matches,
    ]
    assert [part for part in parts if part not in reached] == []


def test_every_action_has_a_shortcut_or_a_menu_path_and_no_shortcut_is_ambiguous(window) -> None:  # type: ignore[no-untyped-def]
    from summit_reader.ui.dialogs.shortcuts_dialog import menu_paths

    paths = menu_paths(window)
    owners: dict[str, list[str]] = {}
    unreachable = []
    toolbar_toggles = {bar.toggleViewAction() for bar in window.findChildren(QToolBar)}
    for action in window.findChildren(QAction):
        if action.isSeparator() or not action.text() or action.menu() is not None:
            continue
        if type(action.parent()).__module__.startswith("pyqtgraph"):
            continue  # the graph library's own context menu, switched off (File → Export graph… instead)
        if action in toolbar_toggles:
            continue  # Qt's own, in the window's context menu (the tool bars' buttons all have menu entries)
        if not action.shortcuts() and action not in paths:
            unreachable.append(action.text())
        for seq in action.shortcuts():
            owners.setdefault(seq.toString(QKeySequence.SequenceFormat.PortableText), []).append(action.text())
    assert unreachable == []
    ambiguous = {k: v for k, v in owners.items() if len(set(v)) > 1}
    assert ambiguous == {}
    assert paths[window.acts.present] == "View → Present"
    assert paths[window.acts.themes["high-contrast"]] == "View → Theme → High contrast"
    assert paths[window.acts.export_graph_slides] == "File → Export for slides → Graph for slides (PNG 2×)"
    assert window.acts.present.shortcut() == QKeySequence("F5")


def test_shortcut_dialog_lists_every_action_and_searches(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from summit_reader.ui.dialogs.shortcuts_dialog import ShortcutsDialog

    dialog = ShortcutsDialog(window, window.classroom.shortcut_extras())
    qtbot.addWidget(dialog)
    dialog.show()
    commands = dialog.visible_commands()
    for needed in ("Present", "Describe word at cursor", "Keyboard shortcuts", "Find", "High contrast"):
        assert needed in commands
    present = next(r for r in dialog.rows if r.command == "Present")
    assert present.keys == "F5" and present.menu_path == "View → Present"
    assert "Next occurrence of the focused category (a clicker's “next”)" in commands
    qtbot.keyClicks(dialog.filter_box, "theme")
    shown = dialog.visible_commands()
    assert "Dark" in shown and "Find" not in shown
    assert unnamed_widgets(dialog) == []


def test_describe_word_at_cursor_in_words(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    pane = window.panes[1]
    must = next(m for m in pane.analysis.matches if m.category == "modal" and m.rank == 4)
    pane.view.setFocus()
    pane.select_span(must.start, must.end)
    press(qtbot, window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    said = announcements.last
    assert said.startswith(f"Pane {pane.number}: modal: “{must.text}”")
    assert "obligation" in said and f"{pane.analysis.count('modal')} modal in this document" in said
    assert window.statusBar().currentMessage() == said
    assert pane.view.accessibleDescription() == said
    # a word that is no category's
    plain = pane.view.toPlainText().index(" ") + 1
    cursor = pane.view.textCursor()
    cursor.setPosition(plain)
    pane.view.setTextCursor(cursor)
    window.acts.describe_word.trigger()
    if pane.match_at(plain) is None:
        assert announcements.last.startswith(f"Pane {pane.number}: No highlighted word at the cursor")
    # moving the cursor onto a highlight updates the view's description (read by screen readers)
    pane.select_span(must.start, must.end)
    qtbot.waitUntil(lambda: pane.view.accessibleDescription().startswith("modal:"))


def test_describe_the_graph_in_words(window) -> None:  # type: ignore[no-untyped-def]
    window.acts.describe_graph.trigger()
    said = announcements.last
    first, last = window.service.summaries[0], window.service.summaries[-1]
    assert f"{short_name(first)} → {short_name(last)}" in said and "per 1,000 words" in said
    assert window.graph.lines_view.accessibleDescription() == said


def test_legend_enter_steps_through_the_category(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    tree = window.legend.tree
    tree.setFocus()
    tree.setCurrentItem(window.legend.items["safety"])
    pane = window.active_pane
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    first = pane.analysis.matches_in("safety")[0]
    assert pane.navigation_label == "safety"
    assert pane.selection_span() == (first.start, first.end)


# ======================================================================================== slides


def test_export_for_slides_is_twice_the_size_on_screen(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from summit_reader.ui.slides import (
        export_graph_for_slides,
        export_pane_for_slides,
        graph_target,
        pane_target,
    )

    graph_png = export_graph_for_slides(window, tmp_path / "graph.png")
    assert graph_png is not None
    image = QImage(str(graph_png))
    target = graph_target(window)
    assert (image.width(), image.height()) == (2 * target.width(), 2 * target.height())
    pane_png = export_pane_for_slides(window, tmp_path / "pane.png")
    assert pane_png is not None
    image = QImage(str(pane_png))
    viewport = pane_target(window)
    assert viewport is not None
    assert (image.width(), image.height()) == (2 * viewport.width(), 2 * viewport.height())
    # not a blank picture: the text is there
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10


def test_settings_keep_the_theme(tmp_path: Path) -> None:
    settings = Settings(path=tmp_path / "s.json")
    assert settings.theme == "system"
    settings.theme = "dark"
    settings.save()
    assert Settings.load(tmp_path / "s.json").theme == "dark"
    (tmp_path / "t.json").write_text('{"version": 1, "theme": "purple"}', encoding="utf-8")
    assert Settings.load(tmp_path / "t.json").theme == "system"


def test_presenting_leaves_the_zoom_setting_alone(window) -> None:  # type: ignore[no-untyped-def]
    window.acts.present.trigger()
    assert window.settings.zoom == DEFAULT_ZOOM and window.zoom == DEFAULT_ZOOM
    window.acts.present.trigger()
    assert all(p.font_size == DEFAULT_ZOOM for p in window.panes)
