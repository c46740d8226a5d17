"""Colour themes: System (the default), Light, Dark and High contrast.

A theme is a ``QPalette`` (with Qt's Fusion style for the themes of our own, so the palette is honoured on
every platform) plus a small style sheet: a visible focus outline on the reading panes, lists, tables and
graph in every theme, and, in High contrast, explicit borders (Fusion draws its outlines a shade darker
than the window colour, which on black is invisible).

"System" keeps the platform's style and palette and follows the operating system: a dark colour scheme
gets our Dark palette when the platform palette is still light (some Linux desktops), and a system
high-contrast preference asks highlights for 7:1 rather than 4.5:1.

Highlights are recomputed for the theme by :class:`HighlightPalette` (text on every highlight keeps WCAG
AA contrast, 4.5:1; High contrast asks for AAA, 7:1).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from summit_reader.core.settings import THEMES
from summit_reader.ui.highlight_style import MIN_TEXT_CONTRAST, blend, contrast_ratio, is_dark

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

THEME_LABELS = {
    "system": "&System (follow the computer)",
    "light": "&Light",
    "dark": "&Dark",
    "high-contrast": "&High contrast",
}
#: Highlights in High contrast keep WCAG AAA contrast (7:1) with the text.
HIGH_CONTRAST_MIN = 7.0

_LIGHT = {
    Role.Window: "#f3f3f3", Role.WindowText: "#1a1a1a", Role.Base: "#ffffff", Role.AlternateBase: "#f2f4f7",
    Role.Text: "#1a1a1a", Role.Button: "#ebebeb", Role.ButtonText: "#1a1a1a", Role.BrightText: "#b00020",
    Role.Highlight: "#0b57d0", Role.HighlightedText: "#ffffff", Role.Link: "#0b57d0", Role.LinkVisited: "#6a1b9a",
    Role.ToolTipBase: "#fffbe6", Role.ToolTipText: "#1a1a1a", Role.PlaceholderText: "#666666",
    Role.Light: "#ffffff", Role.Midlight: "#e0e0e0", Role.Mid: "#a8a8a8", Role.Dark: "#7a7a7a",
    Role.Shadow: "#4d4d4d", Role.Accent: "#0b57d0",
}
_DARK = {
    Role.Window: "#202124", Role.WindowText: "#e8eaed", Role.Base: "#17181a", Role.AlternateBase: "#232427",
    Role.Text: "#e8eaed", Role.Button: "#2f3034", Role.ButtonText: "#e8eaed", Role.BrightText: "#ff8a80",
    Role.Highlight: "#8ab4f8", Role.HighlightedText: "#0b1a33", Role.Link: "#8ab4f8", Role.LinkVisited: "#d7aefb",
    Role.ToolTipBase: "#2f3034", Role.ToolTipText: "#e8eaed", Role.PlaceholderText: "#9aa0a6",
    Role.Light: "#4a4c52", Role.Midlight: "#3c3e43", Role.Mid: "#6f7378", Role.Dark: "#101113",
    Role.Shadow: "#000000", Role.Accent: "#8ab4f8",
}
_HIGH_CONTRAST = {
    Role.Window: "#000000", Role.WindowText: "#ffffff", Role.Base: "#000000", Role.AlternateBase: "#141414",
    Role.Text: "#ffffff", Role.Button: "#000000", Role.ButtonText: "#ffffff", Role.BrightText: "#ffff00",
    Role.Highlight: "#ffff00", Role.HighlightedText: "#000000", Role.Link: "#00ffff", Role.LinkVisited: "#ff80ff",
    Role.ToolTipBase: "#000000", Role.ToolTipText: "#ffffff", Role.PlaceholderText: "#c8c8c8",
    Role.Light: "#ffffff", Role.Midlight: "#c8c8c8", Role.Mid: "#ffffff", Role.Dark: "#ffffff",
    Role.Shadow: "#ffffff", Role.Accent: "#ffff00",
}
_DISABLED = {"light": "#767676", "dark": "#8b8f94", "high-contrast": "#b4b4b4"}
_COLOURS = {"light": _LIGHT, "dark": _DARK, "high-contrast": _HIGH_CONTRAST}

_HIGH_CONTRAST_CSS = """
QPushButton, QToolButton, QComboBox, QLineEdit, QSpinBox {
    border: 2px solid #ffffff; border-radius: 3px; background: #000000; color: #ffffff; padding: 3px 6px; }
QPushButton:hover, QToolButton:hover, QComboBox:hover { border-color: #00ffff; }
QPushButton:focus, QToolButton:focus, QComboBox:focus, QLineEdit:focus { border: 3px solid #ffff00; padding: 2px 5px; }
QPushButton:checked, QToolButton:checked, QPushButton:pressed, QToolButton:pressed { background: #ffff00; color: #000000; }
QPushButton:disabled, QToolButton:disabled, QComboBox:disabled, QLineEdit:disabled { border-color: #b4b4b4; color: #b4b4b4; }
QComboBox QAbstractItemView { border: 2px solid #ffffff; selection-background-color: #ffff00; selection-color: #000000; }
QFrame#ReaderPane { border: 1px solid #ffffff; }
QSplitter::handle { background: #9a9a9a; }
QHeaderView::section { background: #000000; color: #ffffff; border: 1px solid #ffffff; padding: 3px; }
QMenuBar { border-bottom: 1px solid #ffffff; }
QMenuBar::item:selected, QMenu::item:selected { background: #ffff00; color: #000000; }
QMenu { border: 2px solid #ffffff; }
QMenu::separator { height: 1px; background: #ffffff; margin: 4px 6px; }
QToolTip { border: 2px solid #ffffff; background: #000000; color: #ffffff; }
QDockWidget::title { background: #000000; border: 1px solid #ffffff; padding: 4px; }
QStatusBar { border-top: 1px solid #ffffff; }
QProgressBar { border: 2px solid #ffffff; color: #ffffff; text-align: center; }
QProgressBar::chunk { background: #00ffff; }
QScrollBar:vertical { background: #000000; width: 16px; border-left: 1px solid #ffffff; }
QScrollBar:horizontal { background: #000000; height: 16px; border-top: 1px solid #ffffff; }
QScrollBar::handle { background: #ffffff; margin: 3px; }
QScrollBar::handle:vertical { min-height: 32px; }
QScrollBar::handle:horizontal { min-width: 32px; }
QScrollBar::handle:hover { background: #00ffff; }
QScrollBar::add-line, QScrollBar::sub-line { width: 0px; height: 0px; }
QScrollBar::add-page, QScrollBar::sub-page { background: none; }
QTreeView::indicator, QListView::indicator, QCheckBox::indicator { width: 14px; height: 14px; border: 2px solid #ffffff; background: #000000; }
QTreeView::indicator:checked, QListView::indicator:checked, QCheckBox::indicator:checked { background: #ffff00; }
"""


def focus_css(palette: QPalette) -> str:
    """A focus outline that every theme shows: the reading text, lists, tables and the graph get a border
    in the palette's highlight colour when they have the keyboard focus (2 px in both states, so nothing
    moves). Buttons and combo boxes keep the style's own focus frame."""
    focus = palette.color(Role.Highlight).name()
    frame = palette.color(Role.Mid).name()
    return f"""
QPlainTextEdit, QTextEdit {{ border: 2px solid transparent; }}
QPlainTextEdit:focus, QTextEdit:focus {{ border: 2px solid {focus}; }}
QTreeView, QListView, QTableView, QGraphicsView {{ border: 1px solid {frame}; padding: 1px; }}
QTreeView:focus, QListView:focus, QTableView:focus, QGraphicsView:focus {{ border: 2px solid {focus}; padding: 0px; }}
QComboBox QAbstractItemView {{ border: 1px solid {frame}; padding: 0px; }}
"""


def theme_palette(name: str) -> QPalette:
    """The palette of one of our themes ("light", "dark", "high-contrast")."""
    colours = _COLOURS[name]
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    disabled = QColor(_DISABLED[name])
    for role in (Role.WindowText, Role.Text, Role.ButtonText, Role.PlaceholderText):
        palette.setColor(Group.Disabled, role, disabled)
    palette.setColor(Group.Disabled, Role.Highlight, QColor(colours[Role.Mid]))
    # a selection must stay visible when its window or pane is not focused
    for role in (Role.Highlight, Role.HighlightedText):
        palette.setColor(Group.Inactive, role, QColor(colours[role]))
    return palette


@dataclass(frozen=True)
class ThemeState:
    """What the application looks like now: the chosen theme, the one in effect, and how much contrast
    highlights keep with the text."""

    chosen: str
    effective: str  # "light", "dark", "high-contrast", or "system" (the platform's own look)
    min_contrast: float
    palette: QPalette


_native_style: str | None = None  # the platform's style, captured before any theme is applied
_style_name: str | None = None  # the style this module last set
_last: ThemeState | None = None  # the theme applied last


def current_style_name() -> str:
    """The name of the application's style (``QApplication.style()`` is a style-sheet wrapper once a
    style sheet is set, and has no name)."""
    if _style_name is not None:
        return _style_name
    return QApplication.style().name()


def _set_style(app: QApplication, name: str) -> None:
    global _style_name
    if (_style_name or app.style().name()).lower() != name.lower():
        app.setStyle(name)
    _style_name = name.lower()


def _system_prefers_high_contrast() -> bool:
    hints = QGuiApplication.styleHints()
    try:
        return hints.accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast
    except AttributeError:  # Qt < 6.10
        return False


def _system_prefers_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def readable_selection(palette: QPalette) -> QPalette:
    """``palette`` with its selection colour deepened (or lightened) until the selected text on it keeps
    WCAG AA contrast; unchanged when it already does."""
    highlight = palette.color(Role.Highlight)
    text = palette.color(Role.HighlightedText)
    if contrast_ratio(highlight, text) >= MIN_TEXT_CONTRAST:
        return palette
    fixed = QPalette(palette)
    towards = QColor("#000000") if text.lightness() > 127 else QColor("#ffffff")
    for step in range(1, 21):
        candidate = blend(highlight, towards, step / 20)
        if contrast_ratio(candidate, text) >= MIN_TEXT_CONTRAST:
            highlight = candidate
            break
    for group in (Group.Active, Group.Inactive):
        fixed.setColor(group, Role.Highlight, highlight)
        fixed.setColor(group, Role.HighlightedText, text)
    return fixed


def apply_theme(name: str, app: QApplication | None = None, *, force: bool = False) -> ThemeState:
    """Apply a theme to the application (style, palette, style sheet) and say what is in effect.
    Asking again for the theme in effect changes nothing (unless ``force``: the system's colours changed)."""
    global _native_style, _last
    app = app or QApplication.instance()  # type: ignore[assignment]
    assert isinstance(app, QApplication)
    if name not in THEMES:
        name = "system"
    if _native_style is None:
        _native_style = app.style().name() or "fusion"
    unchanged = _last is not None and app.palette() == _last.palette and ":focus" in app.styleSheet()
    if _last is not None and unchanged and _last.chosen == name and not force:
        return _last
    _last = _apply(app, name)
    return _last


def _apply(app: QApplication, name: str) -> ThemeState:
    high = name == "high-contrast" or (name == "system" and _system_prefers_high_contrast())
    min_contrast = HIGH_CONTRAST_MIN if high else MIN_TEXT_CONTRAST
    effective = name
    if name == "system":
        _set_style(app, _native_style or "fusion")
        app.setPalette(QPalette())  # the platform's palette again, which follows the system from now on
        palette = QPalette(app.palette())
        if _system_prefers_dark() and not is_dark(palette):
            effective = "dark"  # the platform says dark but its palette is light: use ours
        else:
            palette = readable_selection(palette)
            if palette != app.palette():
                app.setPalette(palette)
            _set_style_sheet(app, focus_css(palette))
            return ThemeState(name, "system", min_contrast, palette)
    palette = theme_palette(effective)
    _set_style(app, "fusion")
    app.setPalette(palette)
    _set_style_sheet(app, focus_css(palette) + (_HIGH_CONTRAST_CSS if effective == "high-contrast" else ""))
    return ThemeState(name, effective, min_contrast, palette)


def _set_style_sheet(app: QApplication, css: str) -> None:
    # Without this, a style sheet saves each widget's font and palette the first time it polishes the
    # widget and puts that copy back on every later re-polish (a theme change, a new parent), undoing any
    # setFont()/setPalette() made in between: the panes' zoom and their selection colours.
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_UseStyleSheetPropagationInWidgetStyles, True)
    if app.styleSheet() != css:
        app.setStyleSheet(css)


def palette_contrasts(palette: QPalette) -> dict[str, float]:
    """WCAG contrast of the palette's main text pairs (for tests and the report)."""
    pairs = {
        "text on base": (Role.Text, Role.Base),
        "window text on window": (Role.WindowText, Role.Window),
        "button text on button": (Role.ButtonText, Role.Button),
        "selected text on selection": (Role.HighlightedText, Role.Highlight),
        "placeholder on base": (Role.PlaceholderText, Role.Base),
        "tooltip": (Role.ToolTipText, Role.ToolTipBase),
    }
    return {k: contrast_ratio(palette.color(a), palette.color(b)) for k, (a, b) in pairs.items()}


class ThemeController(QObject):
    """View → Theme: four exclusive actions; applies the chosen theme and follows the system's colour
    scheme while "System" is chosen. ``changed`` carries the new :class:`ThemeState`."""

    changed = Signal(object)

    def __init__(self, actions: dict[str, QAction], initial: str = "system", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.actions = actions
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        for name, action in actions.items():
            action.setCheckable(True)
            action.setData(name)
            self.group.addAction(action)
            action.triggered.connect(lambda _checked=False, n=name: self.set_theme(n))
        self.state: ThemeState | None = None
        self._chosen = initial if initial in THEMES else "system"
        self._following = False
        self.follow_system(True)

    def follow_system(self, on: bool) -> None:
        """Listen to the system's colour scheme and contrast preference (the window stops on closing)."""
        if on == self._following:
            return
        hints = QGuiApplication.styleHints()
        signals = [hints.colorSchemeChanged]
        if hasattr(hints, "accessibility"):  # Qt ≥ 6.10
            signals.append(hints.accessibility().contrastPreferenceChanged)
        for signal in signals:
            if on:
                signal.connect(self._on_system_changed)
            else:
                signal.disconnect(self._on_system_changed)
        self._following = on

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Installed on the window: stop following the system when it closes, start again if it stays."""
        if event.type() == QEvent.Type.Show:
            self.follow_system(True)
        elif event.type() == QEvent.Type.Close and isinstance(watched, QWidget):
            self.follow_system(False)
            QTimer.singleShot(0, self, lambda w=watched: self.follow_system(w.isVisible()))  # a refused close
        return False

    @property
    def chosen(self) -> str:
        return self._chosen

    def set_theme(self, name: str, *, force: bool = False) -> ThemeState:
        self._chosen = name if name in THEMES else "system"
        self.state = apply_theme(self._chosen, force=force)
        for key, action in self.actions.items():
            action.setChecked(key == self._chosen)
        self.changed.emit(self.state)
        return self.state

    def _on_system_changed(self, *_args: object) -> None:
        if self._chosen == "system":
            self.set_theme("system", force=True)
