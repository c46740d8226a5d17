"""Classroom mode and accessibility, put into the reader window in one call (:func:`install_classroom`):
presentation mode, themes, screen-reader descriptions, export for slides and the shortcut list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QPalette

from summit_reader.ui.accessibility import AccessibilityHelper
from summit_reader.ui.highlight_style import HighlightPalette
from summit_reader.ui.presentation import PRESENTATION_KEYS, PresentationController
from summit_reader.ui.slides import export_graph_for_slides, export_pane_for_slides
from summit_reader.ui.themes import ThemeController, ThemeState

if TYPE_CHECKING:
    from summit_reader.ui.main_window import MainWindow


class Classroom:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        acts = window.acts
        self.themes = ThemeController(acts.themes, window.settings.theme, window)
        self.themes.changed.connect(self._on_theme_changed)
        self.a11y = AccessibilityHelper(window)
        allowed = [
            acts.quit, acts.shortcuts, acts.describe_word, acts.describe_graph,
            acts.export_graph_slides, acts.export_pane_slides, *acts.themes.values(),
        ]
        self.presentation = PresentationController(window, acts.present, allowed)
        acts.describe_word.triggered.connect(self.a11y.describe_at_cursor)
        acts.describe_graph.triggered.connect(self.a11y.describe_graph)
        acts.export_graph_slides.triggered.connect(lambda: export_graph_for_slides(window))
        acts.export_pane_slides.triggered.connect(lambda: export_pane_for_slides(window))
        self.themes.set_theme(self.themes.chosen)
        window.installEventFilter(self.themes)


    def _on_theme_changed(self, state: ThemeState) -> None:
        w = self.window
        w.settings.theme = state.chosen
        old = w.highlight_palette
        same = (
            old.base == state.palette.color(QPalette.ColorRole.Base)
            and old.text == state.palette.color(QPalette.ColorRole.Text)
            and old.min_contrast == state.min_contrast
        )
        if not same:
            palette = HighlightPalette(w.lexicon, state.palette, min_contrast=state.min_contrast)
            w.highlight_palette = palette
            w.legend.set_highlight_palette(palette)  # (rebuilt: its per-pane counts again)
            w.legend.set_pane_analyses([p.analysis if p.document is not None else None for p in w.panes])
            if w.graph is not None:
                w.graph.set_highlight_palette(palette)
            for pane in w.panes:
                pane.set_highlight_palette(palette)
        for pane in w.panes:
            pane.view.refresh_palette()
            pane.set_active(pane.is_active)
        self.presentation.refresh()

    def shortcut_extras(self) -> dict[str, tuple[tuple[str, str], ...]]:
        from summit_reader.ui.dialogs.shortcuts_dialog import FIND_BAR_KEYS, LEGEND_KEYS

        return {
            "Presentation mode (F5)": PRESENTATION_KEYS,
            "Find bar (Ctrl+F)": FIND_BAR_KEYS,
            "Legend": LEGEND_KEYS,
        }


def install_classroom(window: MainWindow) -> Classroom:
    return Classroom(window)
