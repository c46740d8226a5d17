"""The evolution graph (pyqtgraph): how the language moves from document to document, in date order.

Three views: the rate per 1,000 words of each visible category, the raw count, and the strength scales
(share of each level of the modal and operative verbs per document, as stacked bars labelled with the
level). Lines carry a marker and a dash style of their own besides the colour. Clicking a point emits
``pointClicked(document id, category)``. This module imports pyqtgraph: the window imports it only
after its first paint.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.documents import short_name
from summit_reader.core.errors import ExportError
from summit_reader.core.lexicon import Lexicon
from summit_reader.core.stats import StatsTable
from summit_reader.ui.highlight_style import HighlightPalette

MODES = {"rate": "Rate per 1,000 words", "count": "Count", "scales": "Strength scales"}
BAR_WIDTH = 0.78


class TermGraph(QWidget):
    pointClicked = Signal(int, str)  # document id, category
    modeChanged = Signal(str)

    def __init__(self, lexicon: Lexicon, palette: HighlightPalette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lexicon = lexicon
        self._palette = palette
        self._table: StatsTable | None = None
        self._hidden: set[str] = set()
        self._mode = "rate"
        self._scale = 1.0  # fonts, lines and markers (presentation mode draws larger)
        self._emphasis: str | None = None  # a category drawn heavier, the others faded (presentation)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.setAccessibleName("Evolution graph")

        pg.setConfigOptions(antialias=True)
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for key, label in MODES.items():
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            button.setAccessibleName(f"Graph view: {label}")
            button.setProperty("mode", key)
            self.buttons.addButton(button)
            bar.addWidget(button)
        bar.addStretch(1)
        self.buttons.buttonClicked.connect(lambda b: self.set_mode(str(b.property("mode"))))
        self.empty_label = QLabel("The graph appears when the documents are analysed.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)

        self.lines_view = pg.GraphicsLayoutWidget()
        self.lines_view.setAccessibleName("Graph of category rates by document")
        self.plot: pg.PlotItem = self.lines_view.addPlot(row=0, col=0)
        self.plot_legend = pg.LegendItem(colCount=2, labelTextSize="9pt", verSpacing=-6)
        self.lines_view.addItem(self.plot_legend, row=1, col=0)
        self._scales_view: pg.GraphicsLayoutWidget | None = None  # built when first shown (see scales_view)
        self.scale_plots: dict[str, pg.PlotItem] = {}
        self.no_scales_label: pg.LabelItem | None = None  # shown instead when the lexicon has no scales
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.lines_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self._style_plots()
        self.set_mode("rate")

    @property
    def scales_view(self) -> pg.GraphicsLayoutWidget:
        """The strength-scales view, built the first time it is needed (the window opens on the lines)."""
        if self._scales_view is None:
            view = pg.GraphicsLayoutWidget()
            view.setAccessibleName("Graph of modal and operative verb strength by document")
            self._scales_view = view
            self.stack.addWidget(view)
            self._add_scale_plots()
            self._style_plots()
        return self._scales_view

    def built_views(self) -> list[pg.GraphicsLayoutWidget]:
        """The views that exist: the lines, and the scales once they have been shown."""
        return [self.lines_view] if self._scales_view is None else [self.lines_view, self._scales_view]

    def _add_scale_plots(self) -> None:
        assert self._scales_view is not None
        self.scale_plots = {}
        for row, cat in enumerate(c for c in self.lexicon.categories if c.is_scale):
            self.scale_plots[cat.name] = self._scales_view.addPlot(row=row, col=0)
        self.no_scales_label = None
        if not self.scale_plots:  # e.g. a LIWC dictionary: say why the view is empty rather than show nothing
            self.no_scales_label = self._scales_view.addLabel(
                f"The lexicon “{self.lexicon.name}” has no strength scales (numbered levels such as<br>"
                "'1 possibility' … '4 obligation'), so there is nothing to show here.",
                row=0,
                col=0,
                color=self._palette.text,
            )

    # ------------------------------------------------------------------- styling

    def _style_plots(self) -> None:
        base, text = self._palette.base, self._palette.text
        font = QFont(self.font())
        font.setPointSizeF(max(9.0, font.pointSizeF()) * self._scale)
        for view in self.built_views():
            view.setBackground(base)
        for plot in (self.plot, *self.scale_plots.values()):
            plot.showGrid(x=False, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.getAxis("left").setStyle(maxTickLevel=0)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(text, width=self._scale))
                axis.setTextPen(pg.mkPen(text))
                axis.setTickFont(font)
                axis.setStyle(tickTextOffset=round(3 * self._scale))
        self.plot_legend.setLabelTextColor(text)
        self.plot_legend.setLabelTextSize(f"{9 * self._scale:g}pt")
        self._label_font = QFont(font)
        self._label_font.setPointSizeF(max(8.0, font.pointSizeF() * 0.9))

    def set_highlight_palette(self, palette: HighlightPalette) -> None:
        self._palette = palette
        self._style_plots()
        self._redraw()

    def set_lexicon(self, lexicon: Lexicon, palette: HighlightPalette) -> None:
        """Draw another lexicon's categories (and its scales): the graph is empty until the next
        :meth:`set_table`, whose table has the new lexicon's categories."""
        self.lexicon = lexicon
        self._palette = palette
        self._table = None
        if self._scales_view is not None:
            self._scales_view.clear()
            self._add_scale_plots()
        self._style_plots()
        self._redraw()

    def set_scale(self, scale: float, legend_columns: int = 2) -> None:
        """Draw fonts, lines and markers ``scale`` times their normal size, the legend in
        ``legend_columns`` columns (presentation mode: larger, and the legend in one row)."""
        self._scale = max(0.5, scale)
        self.plot_legend.setColumnCount(max(1, legend_columns))
        self._style_plots()
        self._redraw()

    def set_emphasis(self, category: str | None) -> None:
        """Draw ``category``'s line heavier and fade the others (None: all alike)."""
        self._emphasis = category
        self._redraw()

    # ---------------------------------------------------------------------- data

    def set_table(self, table: StatsTable) -> None:
        if table == self._table:  # the same documents and analyses: nothing to draw again
            return
        self._table = table
        self._redraw()

    def set_hidden_categories(self, hidden: set[str]) -> None:
        self._hidden = set(hidden)
        self._redraw()

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            mode = "rate"
        changed = mode != self._mode
        self._mode = mode
        for button in self.buttons.buttons():
            button.setChecked(button.property("mode") == mode)
        self._redraw()
        if changed:
            self.modeChanged.emit(mode)

    def plotted_categories(self) -> list[str]:
        """The categories drawn as lines (rate and count views), in lexicon order."""
        return list(self.curves)

    def _labels(self) -> list[str]:
        assert self._table is not None
        return [short_name(row.document) for row in self._table.rows]  # type: ignore[arg-type]

    def _redraw(self) -> None:
        table = self._table
        if table is None or not table.rows:
            self.stack.setCurrentWidget(self.empty_label)
            self.curves.clear()
            return
        if self._mode == "scales":
            self.stack.setCurrentWidget(self.scales_view)
            self._draw_scales(table)
        else:
            self.stack.setCurrentWidget(self.lines_view)
            self._draw_lines(table)

    def _ticks(self, plot: pg.PlotItem, labels: list[str]) -> None:
        plot.getAxis("bottom").setTicks([[(i, label) for i, label in enumerate(labels)]])
        plot.setXRange(-0.5, len(labels) - 0.5, padding=0.02)

    def _draw_lines(self, table: StatsTable) -> None:
        plot = self.plot
        plot.clear()
        self.plot_legend.clear()
        self.curves.clear()
        labels = self._labels()
        xs = list(range(len(table.rows)))
        per = 1000 if self._mode == "rate" else None
        k = self._scale
        for cat in table.categories:
            if cat in self._hidden:
                continue
            style = self._palette.style(cat)
            ys = [float(row.value(cat, per)) for row in table.rows]
            heavy = 1.6 if self._emphasis == cat else 1.0
            curve = plot.plot(
                xs,
                ys,
                pen=pg.mkPen(style.colour, width=2.5 * k * heavy, style=style.pen_style),
                symbol=style.symbol,
                symbolSize=12 * (1 + (k - 1) * 0.6),
                symbolBrush=pg.mkBrush(style.colour),
                symbolPen=pg.mkPen(self._palette.text, width=k),
                name=cat,
            )
            if self._emphasis is not None and self._emphasis != cat:
                curve.setOpacity(0.6 if self._palette.min_contrast > 4.5 else 0.4)  # less faded in high contrast
            elif self._emphasis == cat:  # outlined in the text colour, so a pale colour still stands out
                curve.setShadowPen(pg.mkPen(self._palette.text, width=2.5 * k * heavy + 2 * k))
            curve.setCurveClickable(False)
            curve.sigPointsClicked.connect(partial(self._on_points_clicked, cat))
            curve.scatter.opts["hoverable"] = True
            self.curves[cat] = curve
            self.plot_legend.addItem(curve, cat)
        self._ticks(plot, labels)
        label_style = {"font-size": f"{10 * (1 + k) / 2:g}pt", "color": self._palette.text.name()}
        plot.setLabel("left", "per 1,000 words" if per else "matches", **label_style)
        plot.enableAutoRange(axis="y")
        plot.setYRange(0, max([1.0, *(max(c.yData) for c in self.curves.values() if len(c.yData))]) * 1.08)

    def _draw_scales(self, table: StatsTable) -> None:
        labels = self._labels()
        for cat_name, plot in self.scale_plots.items():
            plot.clear()
            cat = self.lexicon.category(cat_name)
            plot.setTitle(f"{cat_name}: share of each strength level", color=self._palette.text, size=f"{10 * self._scale:g}pt")
            bottoms = [0.0] * len(table.rows)
            hidden = cat_name in self._hidden
            for rank, level in cat.levels:
                heights = []
                for row in table.rows:
                    counts = row.analysis.rank_counts(cat_name)
                    total = sum(counts.values())
                    heights.append(100.0 * counts.get(rank, 0) / total if total and not hidden else 0.0)
                colour = self._palette.level_colour(cat_name, rank)
                bars = pg.BarGraphItem(
                    x=list(range(len(heights))),
                    height=heights,
                    y0=list(bottoms),
                    width=BAR_WIDTH,
                    brush=pg.mkBrush(colour),
                    pen=pg.mkPen(self._palette.base, width=1),
                )
                plot.addItem(bars)
                for i, h in enumerate(heights):
                    if h >= 7:
                        # the level's name (a cue besides the shade), on two lines when there is room
                        text = f"{level}\n{h:.0f}%" if h >= 14 else f"{h:.0f}% {level[:4]}."
                        label = pg.TextItem(text, color=_label_colour(colour), anchor=(0.5, 0.5))
                        label.setFont(self._label_font)
                        label.setPos(i, bottoms[i] + h / 2)
                        plot.addItem(label)
                    bottoms[i] += h
            self._ticks(plot, labels)
            plot.setYRange(0, 100, padding=0.02)
            plot.setLabel("left", "% of matches", **{"font-size": f"{10 * self._scale:g}pt", "color": self._palette.text.name()})

    # --------------------------------------------------------------------- clicks

    def _on_points_clicked(self, category: str, _item: Any, points: Any, _event: Any = None) -> None:
        if self._table is None or points is None or len(points) == 0:
            return
        index = int(points[0].index())
        if 0 <= index < len(self._table.rows):
            self.pointClicked.emit(self._table.rows[index].document.id, category)

    def point_position(self, category: str, document_index: int) -> QPointF:
        """Where the point of ``category`` for the ``document_index``-th document is, in the coordinates of
        ``lines_view`` (the widget), for clicking it."""
        curve = self.curves[category]
        x, y = curve.xData[document_index], curve.yData[document_index]
        scene = self.plot.vb.mapViewToScene(QPointF(float(x), float(y)))
        return QPointF(self.lines_view.mapFromScene(scene))

    # -------------------------------------------------------------------- export

    def data_rows(self) -> tuple[list[str], list[list[object]]]:
        """The numbers behind the current view: one row per document (rate/count), or per document and
        scale level (scales)."""
        table = self._table
        if table is None:
            return ["document"], []
        if self._mode == "scales":
            header = ["id", "document", "date", "scale", "rank", "level", "count", "share %"]
            rows: list[list[object]] = []
            for row in table.rows:
                for cat_name in self.scale_plots:
                    counts = row.analysis.rank_counts(cat_name)
                    total = sum(counts.values())
                    for rank, level in self.lexicon.category(cat_name).levels:
                        n = counts.get(rank, 0)
                        share = round(100.0 * n / total, 2) if total else 0.0
                        rows.append([row.document.id, row.document.title, row.document.date or "", cat_name, rank, level, n, share])
            return header, rows
        per = 1000 if self._mode == "rate" else None
        cats = [c for c in table.categories if c not in self._hidden]
        unit = " per 1,000 words" if per else ""
        header = ["id", "document", "date", "words", *(f"{c}{unit}" for c in cats)]
        rows = []
        for row in table.rows:
            values = [round(float(row.value(c, per)), 3) if per else row.count(c) for c in cats]
            rows.append([row.document.id, row.document.title, row.document.date or "", row.word_count, *values])
        return header, rows

    def export_picture(self, path: Path) -> None:
        """PNG (pyqtgraph's ImageExporter, at least 1,200 pixels wide) or SVG, by the file's suffix.

        SVG is drawn with Qt's QSvgGenerator: pyqtgraph 0.14's SVGExporter fails on the paths Qt 6.12
        writes ("not enough values to unpack")."""
        view = self.scales_view if self._mode == "scales" else self.lines_view
        suffix = path.suffix.lower()
        if suffix not in (".png", ".svg"):
            raise ExportError(f"'{path.name}': the graph exports as .png or .svg.")
        if suffix == ".png":
            import pyqtgraph.exporters as pg_exporters  # (only exporting needs them)

            exporter = pg_exporters.ImageExporter(view.scene())
            exporter.parameters()["width"] = max(1200, int(view.width() * 2))
            ok = exporter.export(str(path))
            if ok is False or not path.exists():
                raise ExportError(f"Cannot write '{path}'.")
            return
        rect = view.scene().sceneRect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(rect.size().toSize())
        generator.setViewBox(rect)
        generator.setTitle("Summit Reader: evolution graph")
        painter = QPainter()
        if not painter.begin(generator):
            raise ExportError(f"Cannot write '{path}'.")
        try:
            view.scene().render(painter, rect, rect)
        finally:
            painter.end()
        if not path.exists():
            raise ExportError(f"Cannot write '{path}'.")


def _label_colour(background: QColor) -> QColor:
    return QColor("#000000") if background.lightness() > 140 else QColor("#ffffff")
