"""Export for slides: the graph, or the visible region of the active pane, as a PNG at twice the screen
resolution (the widget drawn into a pixmap with a device pixel ratio of 2, so text and lines are drawn
sharp at the larger size rather than scaled up)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFileDialog, QWidget

if TYPE_CHECKING:
    from summit_reader.ui.main_window import MainWindow

SLIDE_RATIO = 2.0
PNG_FILTER = "PNG picture (*.png)"


def render_at(widget: QWidget, ratio: float = SLIDE_RATIO) -> QPixmap:
    """``widget`` as it looks now, drawn at ``ratio`` × its size in pixels."""
    size = widget.size()
    pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(widget.palette().color(widget.backgroundRole()))
    QWidget.render(widget, pixmap)  # QWidget's: a QGraphicsView's own render() draws its scene instead
    return pixmap


def graph_target(window: MainWindow) -> QWidget:
    graph = window.ensure_graph()
    current = graph.stack.currentWidget()
    return current if current is not None else graph


def pane_target(window: MainWindow) -> QWidget | None:
    pane = window.active_pane
    return pane.view.viewport() if pane is not None else None


def _ask(window: MainWindow, caption: str, name: str) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(window, caption, str(Path.home() / name), PNG_FILTER)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".png" else path.with_name(path.name + ".png")


def _save(window: MainWindow, widget: QWidget, path: Path, what: str) -> Path | None:
    pixmap = render_at(widget)
    if not pixmap.save(str(path), "PNG"):
        window.report_errors("Export failed", [f"Cannot write '{path}'."])
        return None
    window.show_status(f"Saved {what} for slides ({pixmap.width()} × {pixmap.height()} pixels) to {path}.", 6000)
    return path


def export_graph_for_slides(window: MainWindow, path: Path | None = None) -> Path | None:
    target = graph_target(window)
    path = path or _ask(window, "Export graph for slides", "summit-reader-graph@2x.png")
    return None if path is None else _save(window, target, path, "the graph")


def export_pane_for_slides(window: MainWindow, path: Path | None = None) -> Path | None:
    target = pane_target(window)
    if target is None:
        window.show_status("No pane to export.")
        return None
    path = path or _ask(window, "Export pane view for slides", "summit-reader-pane@2x.png")
    return None if path is None else _save(window, target, path, "the pane view")
