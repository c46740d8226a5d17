"""Undo and redo of every annotation action of a session: one ``QUndoCommand`` per user action.

Each command is pushed *after* its change was committed (the controller makes the change first, so a
failure is shown to the user and nothing is pushed); the stack's first ``redo()`` is therefore a no-op.
Later ``undo()``/``redo()`` calls go through core :class:`~summit_reader.core.store.Library` methods, each
one transaction, and restore exactly what was there: the same annotation id, created/modified times and
tags; for tags, the same id, colour, parent and the exact previous links (a merge is undone link by link).

If the library refuses an undo or redo (another window deleted the document meanwhile, say), the host is
told, shows the message, and clears the stack: the history no longer matches the library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from summit_reader.core.errors import SummitReaderError
from summit_reader.core.models import Annotation, Tag, TagMerge, TagSnapshot
from summit_reader.core.store import Library


class CommandHost(Protocol):
    """What commands need from the window (the annotation controller)."""

    @property
    def library(self) -> Library: ...

    def changed(self, document_ids: set[int] | None) -> None:
        """Views must show the library again (``None``: everything, e.g. after a tag change)."""

    def command_failed(self, command: QUndoCommand, message: str) -> None: ...


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


class LibraryCommand(QUndoCommand):
    """A change already made in the library when pushed; ``_undo``/``_redo`` make it again or take it back."""

    def __init__(self, host: CommandHost, text: str) -> None:
        super().__init__(text)
        self.host = host
        self.library = host.library
        self._pushed = False

    def documents(self) -> set[int] | None:
        return None

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push calls redo(): the change is already made
            self._pushed = True
            return
        self._run(self._redo)

    def undo(self) -> None:
        self._run(self._undo)

    def _run(self, step: Callable[[], None]) -> None:
        try:
            step()
        except SummitReaderError as exc:
            self.host.command_failed(self, str(exc))
            return
        self.host.changed(self.documents())

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


# ------------------------------------------------------------------------------------------ annotations


class CreateAnnotation(LibraryCommand):
    def __init__(self, host: CommandHost, annotation: Annotation) -> None:
        super().__init__(host, "Create annotation")
        self.annotation = annotation

    def documents(self) -> set[int] | None:
        return {self.annotation.document_id}

    def _undo(self) -> None:
        self.library.delete_annotations([self.annotation.id])

    def _redo(self) -> None:
        self.library.restore_annotation(self.annotation)


class ReplaceAnnotations(LibraryCommand):
    """Annotations changed in place (note, tags, placement, bulk retag): undo puts back ``before``, redo
    ``after``, each exactly (times included)."""

    def __init__(self, host: CommandHost, text: str, before: Sequence[Annotation], after: Sequence[Annotation]) -> None:
        super().__init__(host, text)
        self.before = list(before)
        self.after = list(after)

    def documents(self) -> set[int] | None:
        return {a.document_id for a in self.before} | {a.document_id for a in self.after}

    def _undo(self) -> None:
        self.library.restore_annotations(self.before)

    def _redo(self) -> None:
        self.library.restore_annotations(self.after)


def edit_annotation(host: CommandHost, before: Annotation, after: Annotation) -> ReplaceAnnotations:
    return ReplaceAnnotations(host, "Edit annotation", [before], [after])


def place_annotation(host: CommandHost, before: Annotation, after: Annotation) -> ReplaceAnnotations:
    return ReplaceAnnotations(host, "Place annotation", [before], [after])


def retag_annotations(host: CommandHost, before: Sequence[Annotation], after: Sequence[Annotation]) -> ReplaceAnnotations:
    return ReplaceAnnotations(host, f"Retag {_plural(len(after), 'annotation')}", before, after)


class DeleteAnnotations(LibraryCommand):
    def __init__(self, host: CommandHost, deleted: Sequence[Annotation]) -> None:
        text = "Delete annotation" if len(deleted) == 1 else f"Delete {_plural(len(deleted), 'annotation')}"
        super().__init__(host, text)
        self.deleted = list(deleted)

    def documents(self) -> set[int] | None:
        return {a.document_id for a in self.deleted}

    def _undo(self) -> None:
        self.library.restore_annotations(self.deleted)

    def _redo(self) -> None:
        self.library.delete_annotations([a.id for a in self.deleted])


# ------------------------------------------------------------------------------------------------- tags


class CreateTag(LibraryCommand):
    def __init__(self, host: CommandHost, tag: Tag) -> None:
        super().__init__(host, f"New tag “{tag.name}”")
        self.tag = tag
        self.snapshot: TagSnapshot | None = None

    def _undo(self) -> None:
        self.snapshot = self.library.delete_tag(self.tag.id)

    def _redo(self) -> None:
        if self.snapshot is not None:
            self.tag = self.library.restore_tag(self.snapshot)


class ChangeTag(LibraryCommand):
    """Rename, recolour or re-nest one tag: ``apply(library, tag_id, value)`` with the old or new value."""

    def __init__(
        self,
        host: CommandHost,
        text: str,
        tag_id: int,
        old: object,
        new: object,
        apply: Callable[[Library, int, object], object],
    ) -> None:
        super().__init__(host, text)
        self.tag_id, self.old, self.new, self.apply = tag_id, old, new, apply

    def _undo(self) -> None:
        self.apply(self.library, self.tag_id, self.old)

    def _redo(self) -> None:
        self.apply(self.library, self.tag_id, self.new)


def rename_tag(host: CommandHost, before: Tag, after: Tag) -> ChangeTag:
    return ChangeTag(
        host, f"Rename tag “{before.name}” to “{after.name}”", before.id, before.name, after.name,
        lambda lib, tag_id, value: lib.rename_tag(tag_id, str(value)),
    )


def recolour_tag(host: CommandHost, before: Tag, after: Tag) -> ChangeTag:
    return ChangeTag(
        host, f"Recolour tag “{before.name}”", before.id, before.colour, after.colour,
        lambda lib, tag_id, value: lib.set_tag_colour(tag_id, str(value)),
    )


def reparent_tag(host: CommandHost, before: Tag, after: Tag) -> ChangeTag:
    return ChangeTag(
        host, f"Nest tag “{before.name}”", before.id, before.parent_id, after.parent_id,
        lambda lib, tag_id, value: lib.set_tag_parent(tag_id, value if isinstance(value, int) else None),
    )


class DeleteTag(LibraryCommand):
    def __init__(self, host: CommandHost, snapshot: TagSnapshot) -> None:
        super().__init__(host, f"Delete tag “{snapshot.tag.name}”")
        self.snapshot = snapshot

    def _undo(self) -> None:
        tag = self.library.restore_tag(self.snapshot)
        self.snapshot = replace(self.snapshot, tag=tag)

    def _redo(self) -> None:
        self.snapshot = self.library.delete_tag(self.snapshot.tag.id)


class MergeTags(LibraryCommand):
    def __init__(self, host: CommandHost, merge: TagMerge) -> None:
        super().__init__(host, f"Merge tag “{merge.source.name}” into “{merge.target.name}”")
        self.merge = merge

    def _undo(self) -> None:
        source = self.library.unmerge_tags(self.merge)
        self.merge = replace(self.merge, source=source)

    def _redo(self) -> None:
        self.merge = self.library.merge_tags(self.merge.source.id, self.merge.target.id)
