"""How each lexicon category looks: colour, underline style, graph marker — never colour alone.

Theme categories take Paul Tol's colour-blind-safe schemes ("muted" on light backgrounds, "light" on dark
ones) together with an underline style and a graph marker, so two categories never share all three cues.
The two scales (modal verbs, operative verbs) use one hue each, deeper and with a heavier underline the
stronger the word (dotted → dashed → solid → solid and bold). Negated matches are struck through.

Highlight backgrounds are the category colour blended into the reading background, as strongly as
possible while the text keeps a WCAG contrast of at least 4.5:1 on it, in light and dark themes alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat

from summit_reader.core.analysis import Match
from summit_reader.core.lexicon import Lexicon

UL = QTextCharFormat.UnderlineStyle

#: Paul Tol's "muted" scheme, then colours of his "bright"/"vibrant" schemes and Okabe-Ito's orange, so the
#: fifteen theme categories of the default lexicon each get a colour of their own.
THEME_COLOURS_LIGHT = (
    "#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499",
    "#E69F00", "#4477AA", "#BBBBBB", "#EE3377", "#009988", "#CC3311",
)
#: Paul Tol's "light" scheme and brighter companions, for dark backgrounds.
THEME_COLOURS_DARK = (
    "#EE8866", "#77AADD", "#EEDD88", "#44BB99", "#99DDFF", "#FFAABB", "#BBCC33", "#AAAA00", "#DDAAFF",
    "#E69F00", "#6699CC", "#BBBBBB", "#EE3377", "#33BBEE", "#EE7733",
)
#: Scale hues (Okabe-Ito blue and vermillion; lighter variants for dark themes).
SCALE_HUES_LIGHT = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
SCALE_HUES_DARK = ("#56B4E9", "#E69F00", "#44BB99", "#FFAABB")

THEME_UNDERLINES = (UL.SingleUnderline, UL.DashUnderline, UL.DotLine, UL.WaveUnderline, UL.DashDotLine)
UNDERLINE_NAMES = {
    UL.SingleUnderline: "solid underline",
    UL.DashUnderline: "dashed underline",
    UL.DotLine: "dotted underline",
    UL.WaveUnderline: "wavy underline",
    UL.DashDotLine: "dash-dot underline",
}
#: pyqtgraph marker symbols and line dash styles, paired with the underline styles above.
GRAPH_SYMBOLS = ("o", "s", "t", "d", "star", "p", "h", "t1", "+", "x", "t2", "t3", "o", "s", "t", "d", "star")
PEN_STYLES = {
    UL.SingleUnderline: Qt.PenStyle.SolidLine,
    UL.DashUnderline: Qt.PenStyle.DashLine,
    UL.DotLine: Qt.PenStyle.DotLine,
    UL.WaveUnderline: Qt.PenStyle.SolidLine,
    UL.DashDotLine: Qt.PenStyle.DashDotLine,
}

MIN_TEXT_CONTRAST = 4.5


def relative_luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def blend(base: QColor, colour: QColor, amount: float) -> QColor:
    """``amount`` of ``colour`` over ``base`` (0 = base, 1 = colour)."""
    return QColor.fromRgbF(
        base.redF() + (colour.redF() - base.redF()) * amount,
        base.greenF() + (colour.greenF() - base.greenF()) * amount,
        base.blueF() + (colour.blueF() - base.blueF()) * amount,
    )


def readable_tint(
    base: QColor, text: QColor, colour: QColor, wanted: float, min_contrast: float = MIN_TEXT_CONTRAST
) -> QColor:
    """The strongest tint up to ``wanted`` on which ``text`` keeps a contrast of ``min_contrast``
    (MIN_TEXT_CONTRAST, WCAG AA, unless a theme asks for more)."""
    amount = wanted
    while amount > 0.05:
        tint = blend(base, colour, amount)
        if contrast_ratio(tint, text) >= min_contrast:
            return tint
        amount -= 0.03
    return blend(base, colour, 0.05)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


@dataclass(frozen=True)
class CategoryStyle:
    name: str
    colour: QColor  # the category's full colour: underlines, graph lines, legend swatches
    underline: QTextCharFormat.UnderlineStyle
    symbol: str  # graph marker
    pen_style: Qt.PenStyle
    is_scale: bool
    levels: tuple[tuple[int, str], ...]

    @property
    def cue(self) -> str:
        """The non-colour cue, in words (for the legend's tooltip and accessible description)."""
        if self.is_scale:
            return "stronger words: deeper colour and heavier underline (dotted → dashed → solid → bold)"
        return f"{UNDERLINE_NAMES.get(self.underline, 'underline')}, graph marker '{self.symbol}'"


class HighlightPalette:
    """Styles for one lexicon on one Qt palette. Char formats are cached (one object per look)."""

    def __init__(self, lexicon: Lexicon, palette: QPalette, *, min_contrast: float = MIN_TEXT_CONTRAST) -> None:
        self.lexicon = lexicon
        self.min_contrast = min_contrast  # of the text on every highlight background (themes/high contrast)
        self.dark = is_dark(palette)
        self.base = palette.color(QPalette.ColorRole.Base)
        self.text = palette.color(QPalette.ColorRole.Text)
        themes = THEME_COLOURS_DARK if self.dark else THEME_COLOURS_LIGHT
        scale_hues = SCALE_HUES_DARK if self.dark else SCALE_HUES_LIGHT
        self._styles: dict[str, CategoryStyle] = {}
        theme_i = scale_i = 0
        for i, cat in enumerate(lexicon.categories):
            if cat.is_scale:
                colour = QColor(scale_hues[scale_i % len(scale_hues)])
                underline = UL.SingleUnderline
                scale_i += 1
            else:
                colour = QColor(themes[theme_i % len(themes)])
                underline = THEME_UNDERLINES[theme_i % len(THEME_UNDERLINES)]
                theme_i += 1
            self._styles[cat.name] = CategoryStyle(
                name=cat.name,
                colour=colour,
                underline=underline,
                symbol=GRAPH_SYMBOLS[i % len(GRAPH_SYMBOLS)],
                pen_style=PEN_STYLES.get(underline, Qt.PenStyle.SolidLine),
                is_scale=cat.is_scale,
                levels=cat.levels,
            )
        self._formats: dict[tuple[str, int | None, bool], QTextCharFormat] = {}

    def style(self, category: str) -> CategoryStyle:
        return self._styles[category]

    @property
    def styles(self) -> list[CategoryStyle]:
        return list(self._styles.values())

    def strength(self, category: str, rank: int | None) -> float:
        """0 … 1: where ``rank`` sits on its scale (1 for theme categories)."""
        style = self._styles[category]
        if not style.is_scale or rank is None or len(style.levels) < 2:
            return 1.0
        ranks = [r for r, _ in style.levels]
        lo, hi = min(ranks), max(ranks)
        return (rank - lo) / (hi - lo) if hi > lo else 1.0

    def level_colour(self, category: str, rank: int | None) -> QColor:
        """A scale level's colour: lighter for weak words, the full hue for the strongest (graph bars)."""
        style = self._styles[category]
        s = self.strength(category, rank)
        return blend(self.base, style.colour, 0.3 + 0.7 * s) if style.is_scale else style.colour

    def background(self, category: str, rank: int | None = None) -> QColor:
        style = self._styles[category]
        if style.is_scale:
            wanted = 0.14 + 0.5 * self.strength(category, rank)
        else:
            wanted = 0.42 if not self.dark else 0.5
        return readable_tint(self.base, self.text, style.colour, wanted, self.min_contrast)

    def underline_for(self, category: str, rank: int | None) -> QTextCharFormat.UnderlineStyle:
        style = self._styles[category]
        if not style.is_scale:
            return style.underline
        s = self.strength(category, rank)
        if s < 0.34:
            return UL.DotLine
        if s < 0.67:
            return UL.DashUnderline
        return UL.SingleUnderline

    def char_format(self, category: str, rank: int | None = None, negated: bool = False) -> QTextCharFormat:
        key = (category, rank, negated)
        fmt = self._formats.get(key)
        if fmt is None:
            style = self._styles[category]
            fmt = QTextCharFormat()
            fmt.setBackground(self.background(category, rank))
            fmt.setUnderlineStyle(self.underline_for(category, rank))
            fmt.setUnderlineColor(style.colour)
            if style.is_scale and self.strength(category, rank) >= 0.99:
                fmt.setFontWeight(QFont.Weight.Bold)
            if negated:
                fmt.setFontStrikeOut(True)
            self._formats[key] = fmt
        return fmt

    def format_for(self, match: Match) -> QTextCharFormat:
        return self.char_format(match.category, match.rank, match.negated)
