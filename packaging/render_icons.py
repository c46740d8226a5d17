"""Render the application icon (resources/icons/summit-reader.svg) to the PNG sizes desktops want, plus
a Windows .ico and a macOS .icns, with Qt's own SVG renderer (no extra tool needed on any platform).

    python packaging/render_icons.py OUT_DIR

writes OUT_DIR/hicolor/<N>x<N>/apps/<APP_ID>.png for N in 16 32 48 64 128 256 (the freedesktop icon-theme
layout), OUT_DIR/hicolor/scalable/apps/<APP_ID>.svg, OUT_DIR/summit-reader.ico and
OUT_DIR/summit-reader.icns. Exits non-zero if a picture comes out empty.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "summit-reader.svg"
APP_ID = "io.github.summit_reader.SummitReader"
SIZES = (16, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    opaque = sum(1 for y in range(size) for x in range(size) if image.pixelColor(x, y).alpha() > 0)
    if opaque < size * size // 4:
        raise SystemExit(f"render_icons: the {size}px icon is (nearly) empty")
    return image


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"render_icons: {SVG} is not a valid SVG", file=sys.stderr)
        return 1
    images = {}
    for size in SIZES:
        target = out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        images[size] = render(renderer, size)
        if not images[size].save(str(target), "PNG"):
            print(f"render_icons: cannot write {target}", file=sys.stderr)
            return 1
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable)
    # Windows and macOS icons (for PyInstaller's icon= on those platforms); Qt's image plugins write them.
    formats = {bytes(f).decode() for f in QImageWriter.supportedImageFormats()}
    for fmt, size in (("ico", 256), ("icns", 256)):
        if fmt in formats and not images[size].save(str(out / f"summit-reader.{fmt}"), fmt.upper()):
            print(f"render_icons: cannot write summit-reader.{fmt}", file=sys.stderr)
            return 1
    print(f"render_icons: {len(SIZES)} PNG sizes, SVG, ico, icns in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
