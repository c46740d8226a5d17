"""The application icon, read from the installed resources (works from a wheel and from the bundled app).

Use ``QApplication.setWindowIcon(app_icon())`` once the application exists.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap

ICON_RESOURCE = ("icons", "summit-reader.svg")
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def icon_svg() -> bytes:
    """The icon's SVG source."""
    return resources.files("summit_reader.resources").joinpath(*ICON_RESOURCE).read_bytes()


def app_icon() -> QIcon:
    """Summit Reader's icon (empty if the SVG cannot be read). From the installed SVG file, Qt's SVG icon
    engine draws it at the size asked for, when asked: nothing is drawn while the window starts. When the
    resource is not a plain file, or Qt cannot draw it from one, it is rendered here at the usual sizes."""
    resource = resources.files("summit_reader.resources").joinpath(*ICON_RESOURCE)
    if isinstance(resource, Path) and resource.is_file():
        icon = QIcon(str(resource))
        if not icon.isNull() and not icon.pixmap(16, 16).isNull():
            return icon
    return rendered_icon()


def rendered_icon() -> QIcon:
    """The icon rendered from its SVG source at :data:`ICON_SIZES` (empty if the SVG cannot be read)."""
    from PySide6.QtSvg import QSvgRenderer

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
