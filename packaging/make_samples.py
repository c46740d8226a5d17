"""Write one small sample file of each kind Summit Reader imports, for testing a built app's importers.

    python packaging/make_samples.py OUT_DIR

writes sample.txt, sample.md, sample.html, sample.pdf (with Qt) and sample.docx (with python-docx, when
it is installed). Texts written for these tests; each says "must" twice and "safety" once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TEXT = "We must act together on AI safety. Every developer must test their systems before release."


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    (out / "sample.txt").write_text(TEXT + "\n", encoding="utf-8")
    (out / "sample.md").write_text(f"# Sample (Markdown)\n\n{TEXT}\n", encoding="utf-8")
    (out / "sample.html").write_text(
        f"<!doctype html><html><head><title>Sample (HTML)</title></head><body><h1>Sample (HTML)</h1>"
        f"<p>{TEXT}</p></body></html>",
        encoding="utf-8",
    )

    from PySide6.QtGui import QGuiApplication, QPageSize, QPainter, QPdfWriter

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    writer = QPdfWriter(str(out / "sample.pdf"))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setTitle("Sample (PDF)")
    painter = QPainter(writer)
    font = painter.font()
    font.setPointSize(11)
    painter.setFont(font)
    painter.drawText(400, 800, "We must act together on AI safety.")
    painter.drawText(400, 1200, "Every developer must test their systems before release.")
    painter.end()
    kinds = ["txt", "md", "html", "pdf"]

    try:
        import docx
    except ImportError:
        print("make_samples: python-docx is not installed; no sample.docx", file=sys.stderr)
    else:
        document = docx.Document()
        document.add_heading("Sample (Word)", level=1)
        document.add_paragraph(TEXT)
        document.save(str(out / "sample.docx"))
        kinds.append("docx")
    print(f"make_samples: {', '.join(kinds)} in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
