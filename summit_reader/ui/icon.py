"""The application icon, read from the installed resources (works from a wheel and from the bundled app).

Use ``QApplication.setWindowIcon(app_icon())`` once the application exists.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICON_RESOURCE = ("icons", "summit-reader.svg")
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def icon_svg() -> bytes:
    """The icon's SVG source."""
    return resources.files("summit_reader.resources").joinpath(*ICON_RESOURCE).read_bytes()


def app_icon() -> QIcon:
    """Summit Reader's icon, rendered from its SVG at the usual sizes (empty if the SVG cannot be read)."""
    icon = QIcon()
    renderer = QSvgRenderer(QByteArray(icon_svg()))
    if not renderer.isValid():
        return icon
    for size in ICON_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
