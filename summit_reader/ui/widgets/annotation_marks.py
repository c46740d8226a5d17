"""Annotation marks over a reading pane: a coloured bar in the left margin beside every annotated passage
and a thin box round its words on each line, in the colour of its first tag.

Lexicon highlights are character formats (a tinted background and an underline style); annotation marks
are painted by a transparent layer on top of the pane's viewport, so the two never mix: an annotated word
keeps its highlight, and the mark adds a margin bar and an outline. Overlapping annotations get lanes:
margin bars side by side and boxes a little inside one another, so each stays visible. The annotation
chosen in the panel is drawn with a heavier dashed box. Hovering a mark shows its note and tags (and the
word's lexicon tooltip under them). Annotations that need review are not drawn: their offsets are not to
be trusted (the annotation panel lists them).

Offsets: annotations count code points; Qt counts UTF-16 units (see :mod:`summit_reader.ui.textpos`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPalette, QPen, QTextCursor
from PySide6.QtWidgets import QToolTip, QWidget

from summit_reader.core.models import Annotation
from summit_reader.ui.textpos import TextOffsets
from summit_reader.ui.widgets.reader_pane import ReaderPane

#: Colour of an annotation without tags.
UNTAGGED_COLOUR = "#6e6e6e"
BAR_WIDTH = 3
LANE_STEP = 5
MAX_LANES = 3
NOTE_TOOLTIP_CHARS = 600


@dataclass(frozen=True)
class Mark:
    annotation: Annotation
    qt_start: int
    qt_end: int
    colour: QColor
    lane: int


def assign_lanes(spans: Sequence[tuple[int, int]]) -> list[int]:
    """A lane for each span (given sorted by start) so that overlapping spans never share one: the lowest
    lane whose last span has ended."""
    ends: list[int] = []
    lanes: list[int] = []
    for start, end in spans:
        for lane, last_end in enumerate(ends):
            if last_end <= start:
                ends[lane] = end
                lanes.append(lane)
                break
        else:
            ends.append(end)
            lanes.append(len(ends) - 1)
    return lanes


def line_colour(colour: QColor, dark_page: bool = False) -> QColor:
    """Tag colours for thin lines: light ones (yellow) darkened on a light page, dark ones lightened on a
    dark page, so that they show."""
    brightness = 0.2126 * colour.redF() + 0.7152 * colour.greenF() + 0.0722 * colour.blueF()
    if dark_page:
        return colour.lighter(160) if brightness < 0.3 else QColor(colour)
    return colour.darker(100 + round(60 * (brightness - 0.6) / 0.4)) if brightness > 0.6 else QColor(colour)


def annotation_tooltip(annotation: Annotation, colours: dict[str, str]) -> str:
    """The tooltip of one annotation: tags (with their colours), the note, author and date."""
    parts: list[str] = []
    if annotation.tags:
        parts.append(
            " ".join(
                f"<span style='color:{colours.get(t, UNTAGGED_COLOUR)}'>&#9632;</span>&nbsp;<b>{html.escape(t)}</b>"
                for t in annotation.tags
            )
        )
    note = annotation.note.strip()
    if note:
        if len(note) > NOTE_TOOLTIP_CHARS:
            note = note[: NOTE_TOOLTIP_CHARS - 1] + "…"
        parts.append(html.escape(note).replace("\n", "<br>"))
    if not parts:
        parts.append("<i>annotation without note or tags</i>")
    meta = " · ".join(p for p in (annotation.author, annotation.created[:10]) if p)
    parts.append(f"<span style='color:gray'>{html.escape(meta)}</span>")
    return "<br>".join(parts)


class AnnotationMarks(QWidget):
    """The marks layer of one :class:`ReaderPane` (a child of its viewport, transparent to the mouse)."""

    def __init__(self, pane: ReaderPane) -> None:
        view = pane.view
        super().__init__(view.viewport())
        self.setObjectName("AnnotationMarks")
        self.pane = pane
        self.view = view
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.marks: list[Mark] = []
        self.document_key: tuple[int | None, str] = (None, "")
        self.current_id: str | None = None
        self._colours: dict[str, str] = {}
        view.viewport().installEventFilter(self)
        view.updateRequest.connect(lambda _rect, _dy: self.update())
        self.setGeometry(view.viewport().rect())
        self.raise_()
        self.show()

    # ------------------------------------------------------------------ content

    @property
    def pane_key(self) -> tuple[int | None, str]:
        doc = self.pane.document
        return (None, "") if doc is None else (doc.id, doc.text_hash)

    def set_annotations(self, annotations: Sequence[Annotation], colours: dict[str, str]) -> None:
        """Mark these annotations of the pane's document (those that need review are not drawn: their
        offsets are not to be trusted)."""
        doc = self.pane.document
        self.document_key = self.pane_key
        self._colours = dict(colours)
        if doc is None:
            self.marks = []
            self.update()
            return
        offsets = TextOffsets(doc.text)
        length = len(doc.text)
        placed = sorted(
            (a for a in annotations if a.document_id == doc.id and a.status != "needs_review" and a.end <= length),
            key=lambda a: (a.start, -a.end, a.created, a.id),
        )
        lanes = assign_lanes([(a.start, a.end) for a in placed])
        self.marks = [
            Mark(a, offsets.to_qt(a.start), offsets.to_qt(a.end), self.colour_of(a), lane)
            for a, lane in zip(placed, lanes, strict=True)
        ]
        if self.current_id is not None and all(m.annotation.id != self.current_id for m in self.marks):
            self.current_id = None
        self.update()

    def colour_of(self, annotation: Annotation) -> QColor:
        for tag in annotation.tags:
            if tag in self._colours:
                return QColor(self._colours[tag])
        return QColor(UNTAGGED_COLOUR)

    def set_current(self, annotation_id: str | None) -> None:
        self.current_id = annotation_id
        self.update()

    def spans(self) -> list[tuple[str, int, int]]:
        """(annotation id, start, end) in code points of every mark, in order (for tests and screen readers)."""
        return [(m.annotation.id, m.annotation.start, m.annotation.end) for m in self.marks]

    def annotations_at(self, qt_position: int) -> list[Annotation]:
        return [m.annotation for m in self.marks if m.qt_start <= qt_position < m.qt_end]

    def annotations_at_point(self, viewport_pos: QPoint) -> list[Annotation]:
        cursor = self.view.cursorForPosition(viewport_pos)
        position = cursor.position()
        if viewport_pos.x() < self.view.cursorRect(cursor).x() and position > 0:
            position -= 1
        return self.annotations_at(position)

    # ------------------------------------------------------------------ geometry

    def segment_rects(self, qt_start: int, qt_end: int, clip_bottom: float | None = None) -> list[QRectF]:
        """One rectangle (viewport coordinates) per laid-out line piece of ``qt_start``…``qt_end``."""
        view = self.view
        doc = view.document()
        offset = view.contentOffset()
        block = doc.findBlock(qt_start)
        rects: list[QRectF] = []
        while block.isValid() and block.position() < qt_end:
            geometry = view.blockBoundingGeometry(block).translated(offset)
            if clip_bottom is not None and geometry.top() > clip_bottom:
                break
            layout = block.layout()
            base = block.position()
            if block.isVisible() and layout is not None and (clip_bottom is None or geometry.bottom() >= 0):
                for i in range(layout.lineCount()):
                    line = layout.lineAt(i)
                    line_start = base + line.textStart()
                    start = max(qt_start, line_start)
                    end = min(qt_end, line_start + line.textLength())
                    if start >= end:
                        continue
                    x0 = float(line.cursorToX(start - base)[0])
                    x1 = float(line.cursorToX(end - base)[0])
                    top = geometry.top() + line.y()
                    rects.append(QRectF(geometry.left() + min(x0, x1), top, abs(x1 - x0), line.height()))
            block = block.next()
        return rects

    def _text_left(self) -> float:
        return self.view.contentOffset().x() + self.view.document().documentMargin()

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.marks:
            return
        view = self.view
        height = float(self.height())
        first = view.cursorForPosition(QPoint(0, 0)).position()
        last = view.cursorForPosition(QPoint(self.width(), self.height())).position()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        left = self._text_left()
        dark_page = view.palette().color(QPalette.ColorRole.Base).lightness() < 128
        for mark in self.marks:
            if mark.qt_start > last:
                break
            if mark.qt_end < first:
                continue
            rects = self.segment_rects(mark.qt_start, mark.qt_end, clip_bottom=height)
            if not rects:
                continue
            colour = line_colour(mark.colour, dark_page)
            lane = min(mark.lane, MAX_LANES - 1)
            # the margin bar, from the first line to the last
            bar_x = left - 4 - BAR_WIDTH - lane * LANE_STEP
            top = rects[0].top() + 1
            bottom = rects[-1].bottom() - 1
            painter.fillRect(QRectF(max(0.0, bar_x), top, BAR_WIDTH, max(2.0, bottom - top)), colour)
            # a thin box round the words on each line (lexicon highlights are backgrounds and underlines);
            # overlapping annotations are boxed a little inside one another
            current = mark.annotation.id == self.current_id
            pen = QPen(colour)
            pen.setWidthF(2.4 if current else 1.2)
            if current:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            inset = 0.5 + 2.0 * (mark.lane % MAX_LANES)
            for rect in rects:
                painter.drawRoundedRect(rect.adjusted(-1.5, inset, 1.5, -inset), 2.0, 2.0)
        painter.end()

    def mark_rect(self, annotation_id: str) -> QRect | None:
        """The bounding rectangle of an annotation's mark in viewport coordinates (None if not marked)."""
        mark = next((m for m in self.marks if m.annotation.id == annotation_id), None)
        if mark is None:
            return None
        rects = self.segment_rects(mark.qt_start, mark.qt_end)
        if not rects:
            return None
        united = rects[0]
        for rect in rects[1:]:
            united = united.united(rect)
        return united.toAlignedRect()

    # ------------------------------------------------------------------ events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport():
            kind = event.type()
            if kind == QEvent.Type.Resize:
                self.setGeometry(self.view.viewport().rect())
            elif kind == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
                found = self.annotations_at_point(event.pos())
                if found:
                    tips = [annotation_tooltip(a, self._colours) for a in found]
                    lexicon = self.pane.tooltip_at_point(event.pos())
                    if lexicon:
                        tips.append(lexicon)
                    QToolTip.showText(event.globalPos(), "<hr>".join(tips), self.view.viewport())
                    return True
        return False

    def cursor_rect_of(self, qt_position: int) -> QRect:
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(qt_position)
        return self.view.cursorRect(cursor)



def describe_annotations(pane: ReaderPane, offset: int) -> str | None:
    """Annotations at a code-point offset of a pane, in words (for screen readers: Go → Describe word)."""
    marks = pane.view.viewport().findChild(AnnotationMarks)
    if marks is None:
        return None
    found = [m.annotation for m in marks.marks if m.annotation.start <= offset < m.annotation.end]
    if not found:
        return None
    parts = []
    for a in found:
        tags = f" (tags: {', '.join(a.tags)})" if a.tags else ""
        note = " ".join(a.note.split())
        parts.append(f"annotation{tags}: {note[:200] if note else 'no note'}")
    return "; ".join(parts)
