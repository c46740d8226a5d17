"""Plain dataclasses that cross the core's boundary (to the CLI, the UI, exports).
No SQLite row and no spaCy object ever leaves the core: they are turned into these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentSummary:
    """A library entry without its text (for lists, tables and graph axes)."""

    id: int
    title: str
    date: str | None
    place: str
    kind: str
    source_url: str
    text_hash: str
    char_count: int
    annotation_count: int = 0

    @property
    def year(self) -> str:
        return self.date[:4] if self.date else ""


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    colour: str  # "#rrggbb"
    parent_id: int | None = None


@dataclass(frozen=True)
class Annotation:
    """A passage of a document with a note and tags. Offsets are code points in the normalised text."""

    id: str  # UUID4, hex with dashes
    document_id: int
    start: int
    end: int
    quote: str
    prefix: str  # up to PREFIX_CHARS characters before start, for re-anchoring
    suffix: str  # up to PREFIX_CHARS characters after end
    note: str
    author: str
    created: str  # ISO 8601 UTC, seconds precision, e.g. 2026-11-25T16:48:19Z
    modified: str
    tags: tuple[str, ...] = field(default_factory=tuple)
    status: str = "ok"  # "ok" or "needs_review"
