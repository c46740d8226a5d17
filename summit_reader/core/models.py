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


# ---------------------------------------------------------------------------------------------------------
# Added for the annotation window (panel queries, undoable tag edits). Plain values, like the classes above.


@dataclass(frozen=True)
class AnnotationFilter:
    """Which annotations the annotation panel shows. ``None`` means "no condition"."""

    document_ids: tuple[int, ...] | None = None  # only these documents (an empty tuple: none at all)
    tag_ids: tuple[int, ...] | None = None  # carrying at least one of these tags
    untagged: bool = False  # only annotations without any tag
    text: str = ""  # in the quote, the note or a tag name, ignoring case
    status: str | None = None  # "ok" or "needs_review"


@dataclass(frozen=True)
class TagSnapshot:
    """A deleted tag with everything needed to put it back exactly (for undo)."""

    tag: Tag
    annotation_ids: tuple[str, ...]  # annotations that carried it
    child_ids: tuple[int, ...]  # tags that were nested under it


@dataclass(frozen=True)
class TagMerge:
    """What merging ``source`` into ``target`` changed, so that it can be undone exactly."""

    source: Tag
    target: Tag
    source_annotation_ids: tuple[str, ...]  # annotations that carried the source tag
    added_annotation_ids: tuple[str, ...]  # of those, the ones that did not carry the target tag before
    reparented: tuple[tuple[int, int | None], ...]  # (tag id, its parent before the merge)


# ---------------------------------------------------------------------------------------------------------
# Added for the second coder (summit_reader.core.coders, core.agreement): a colleague's coding, kept apart
# from the user's own annotations, and the disagreements the user resolved.


@dataclass(frozen=True)
class Coder:
    """A colleague whose coding was imported as a second coder."""

    id: int
    name: str  # unique, ignoring case
    source: str  # the file it was imported from (its name only)
    imported_at: str  # ISO 8601 UTC
    annotation_count: int = 0
    unplaced_count: int = 0  # annotations whose quote is not in our text: left out of every comparison
    document_count: int = 0  # documents of this library that the colleague's file covers


@dataclass(frozen=True)
class CoderAnnotation:
    """One annotation of a second coder, placed in this library's text (offsets in code points)."""

    id: str  # the id it has in the colleague's library
    coder_id: int
    document_id: int
    start: int
    end: int
    quote: str
    note: str
    author: str
    created: str
    modified: str
    tags: tuple[str, ...] = field(default_factory=tuple)
    status: str = "ok"  # "ok", or "needs_review" when its quote could not be found in our text


@dataclass(frozen=True)
class Resolution:
    """How the user resolved one disagreement with a second coder (kept, so it stays resolved)."""

    id: int  # 0 before it is stored
    coder_id: int
    key: str  # the disagreement's id (summit_reader.core.agreement.Disagreement.key)
    action: str  # "take", "keep" or "remove"
    document_id: int
    tag: str
    unit: str  # "sentence" or "character"
    start: int
    end: int
    resolved_at: str
    resolved_by: str
    annotation_ids: tuple[str, ...] = ()  # the user's annotations it created or changed
