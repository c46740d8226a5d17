"""Annotating in the window: the commands (create, edit, delete, retag, place, tags), their undo stack,
the annotation marks in the panes, the annotation panel, export, the author's name, and refreshing when
another window or program changed the library.

The main window creates one :class:`AnnotationController` and tells it about new panes
(:meth:`attach_pane`) and a change of library (:meth:`set_library`); everything else is wired here, so
the window's own code stays about reading.

Durability: every change is one core ``Library`` call (one committed transaction, ``synchronous=FULL``)
made *before* the editor closes or the status bar says "saved"; a failed write leaves the editor open
with the message and the text typed. Undo/redo (``QUndoStack``) replays core calls that restore exactly
what was there (see :mod:`summit_reader.ui.undo`).

Two windows on one library file see each other's changes: in one process they are told at once (a
process-wide signal); across processes the window compares SQLite's ``PRAGMA data_version`` when it
regains focus, and View → Refresh (Ctrl+R) reads everything again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMenu, QMessageBox, QToolBar, QWidget

from summit_reader.core.documents import Document
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.models import Annotation, AnnotationFilter, Tag
from summit_reader.core.store import Library
from summit_reader.ui import undo
from summit_reader.ui.accessibility import register_describer
from summit_reader.ui.actions import _action
from summit_reader.ui.lazy_dock import LazyDock
from summit_reader.ui.widgets.annotation_editor import (
    AnnotationEditor,
    AuthorDialog,
    PreferencesDialog,
    short_quote,
)
from summit_reader.ui.widgets.annotation_marks import AnnotationMarks, describe_annotations
from summit_reader.ui.widgets.export_annotations import (
    SCOPE_ALL,
    SCOPE_DOCUMENT,
    SCOPE_FILTERED,
    ExportAnnotationsDialog,
)
from summit_reader.ui.widgets.reader_pane import ReaderPane

if TYPE_CHECKING:
    from summit_reader.ui.main_window import MainWindow
    from summit_reader.ui.widgets.annotation_panel import AnnotationPanel, RetagDialog
    from summit_reader.ui.widgets.tag_manager import TagManager

# The annotation panel, the retag dialog and the tag manager are imported when first needed: the panel's
# dock is hidden until the user opens it, and none of them is needed to show the window.


class LibraryHub(QObject):
    """Tells every window of this process that a library file changed (path, the controller that wrote)."""

    changed = Signal(str, object)


_hub: LibraryHub | None = None


def library_hub() -> LibraryHub:
    global _hub
    if _hub is None or not shiboken6.isValid(_hub):
        _hub = LibraryHub()
    return _hub


def _path_key(library: Library) -> str:
    try:
        return str(library.path.resolve())
    except OSError:
        return str(library.path.absolute())


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``…``end`` without white space at either end (a drag often takes a space or line break)."""
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class AnnotationController(QObject):
    """Owns the annotation actions, the undo stack, the panel dock and the marks of every pane."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.stack = QUndoStack(self)
        self.stack.setObjectName("AnnotationUndoStack")
        self.tags: list[Tag] = []
        self.colours: dict[str, str] = {}
        self._marks: list[AnnotationMarks] = []
        self.editor: AnnotationEditor | None = None
        self.author_dialog: AuthorDialog | None = None
        self.preferences_dialog: PreferencesDialog | None = None
        self.tag_manager: TagManager | None = None
        self.export_dialog: ExportAnnotationsDialog | None = None
        self.retag_dialog: RetagDialog | None = None
        self.message_box: QMessageBox | None = None
        self._data_version = 0
        self._path = ""
        self._dock_before_welcome: bool | None = None
        self._panel: AnnotationPanel | None = None
        self._review_count = 0
        self._open_timer = QTimer(self)
        self._open_timer.setSingleShot(True)
        self._open_timer.setInterval(0)
        self._open_timer.timeout.connect(self._update_open_documents)

        self._build_actions()
        self._build_dock()
        self._build_menus()
        self._build_toolbar()
        window.installEventFilter(self)
        library_hub().changed.connect(self._on_hub_changed)
        register_describer(describe_annotations)  # Go → Describe word at cursor names annotations too
        for pane in window.panes:
            self.attach_pane(pane)
        self.set_library(window.library)
        QTimer.singleShot(0, self, lambda: self._apply_welcome(not self.window.service.summaries))

    # ================================================================== building

    def _build_actions(self) -> None:
        w = self.window
        self.action_annotate = _action(
            w, "&Annotate selection…", "Annotate the selected passage with a note and tags", ["Ctrl+M"]
        )
        self.action_edit = _action(w, "&Edit annotation…", "Edit the note and tags of the annotation chosen in the panel")
        self.action_delete = _action(w, "&Delete annotation", "Delete the annotations chosen in the panel (Ctrl+Z undoes it)")
        self.action_place = _action(
            w, "&Place here", "Anchor the annotation chosen in the panel to the text selected in its pane", ["Ctrl+Shift+M"]
        )
        self.action_undo = self.stack.createUndoAction(w, "&Undo")
        self.action_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.action_undo.setIconText("Undo")
        self.action_undo.setStatusTip("Undo the last annotation or tag change")
        self.action_redo = self.stack.createRedoAction(w, "&Redo")
        self.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.action_redo.setIconText("Redo")
        self.action_redo.setStatusTip("Redo the change just undone")
        w.addAction(self.action_undo)
        w.addAction(self.action_redo)
        self.action_tags = _action(w, "&Tags…", "Create, rename, recolour, nest, merge and delete tags")
        self.action_preferences = _action(w, "Pre&ferences…", "Your name on annotations", ["Ctrl+,"])
        self.action_export = _action(
            w, "Export &annotations (CSV)…", "Save annotations (all, the panel's, or one document's) as CSV", ["Ctrl+Shift+A"]
        )
        self.action_refresh = _action(
            w, "&Refresh", "Read the library again, with changes made in another window or program", ["Ctrl+R"]
        )
        self.action_annotate.setIconText("Annotate")
        self.action_annotate.triggered.connect(lambda: self.annotate_selection())
        self.action_edit.triggered.connect(lambda: self._edit_current())
        self.action_delete.triggered.connect(lambda: self.delete_annotations(self.panel.selected_annotations()))
        self.action_place.triggered.connect(lambda: self.place_current())
        self.action_tags.triggered.connect(lambda: self.open_tag_manager())
        self.action_preferences.triggered.connect(lambda: self.open_preferences())
        self.action_export.triggered.connect(lambda: self.open_export_dialog())
        self.action_refresh.triggered.connect(lambda: self.refresh())

    @property
    def panel(self) -> AnnotationPanel:
        """The annotations panel, built (and loaded) the first time its dock is shown or it is asked for."""
        if self._panel is None:
            self.dock.content()
        assert self._panel is not None
        return self._panel

    def _build_panel(self) -> AnnotationPanel:
        from summit_reader.ui.widgets.annotation_panel import AnnotationPanel

        panel = AnnotationPanel()
        panel.activated.connect(self.show_annotation)
        panel.currentChanged.connect(self._on_panel_current)
        panel.editRequested.connect(self.open_editor_for)
        panel.deleteRequested.connect(self.delete_annotations)
        panel.retagRequested.connect(self.open_retag_dialog)
        panel.placeRequested.connect(self.place_annotation)
        panel.exportRequested.connect(lambda: self.open_export_dialog())
        panel.failed.connect(lambda message: self.window.show_status(message, 10000))
        # an edit in a table cell is applied once the cell editor has closed (the table reloads after it)
        panel.model.editRequested.connect(
            lambda a, note, tags: QTimer.singleShot(0, self, lambda: self.edit_annotation(a.id, note=note, tags=tags))
        )
        self._panel = panel
        panel.model.library = self.library
        panel.set_documents(self.window.service.summaries)
        panel.set_tags(self.tags)
        self._reload_panel()
        return panel

    def _build_dock(self) -> None:
        dock = LazyDock("Annotations", "AnnotationsDock", self.window, self._build_panel)
        self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        toggle = dock.toggleViewAction()
        toggle.setText("&Annotations panel")
        toggle.setIconText("Annotations")
        toggle.setShortcut(QKeySequence("Ctrl+5"))
        toggle.setStatusTip("Show or hide the annotations panel")
        self.window.addAction(toggle)
        dock.hide()  # until the user opens it (the window's saved layout may show it again)
        dock.visibilityChanged.connect(lambda visible: visible and self._reload_panel())
        self.dock = dock

    def _menu(self, title: str) -> QMenu | None:
        for action in self.window.menuBar().actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and action.text().replace("&", "") == title:
                return menu
        return None

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        file_menu = self._menu("File")
        if file_menu is not None:
            actions = file_menu.actions()
            anchor = self.window.action_export_table
            before = actions[actions.index(anchor) + 1] if anchor in actions and actions.index(anchor) + 1 < len(actions) else None
            file_menu.insertAction(before, self.action_export) if before is not None else file_menu.addAction(self.action_export)
        edit = self._menu("Edit")
        if edit is None:
            edit = QMenu("&Edit", self.window)
            view_menu = self._menu("View")
            if view_menu is not None:
                bar.insertMenu(view_menu.menuAction(), edit)
            else:
                bar.addMenu(edit)
        existing = edit.actions()
        if existing:  # Undo and Redo come first in an Edit menu
            edit.insertActions(existing[0], [self.action_undo, self.action_redo])
            edit.insertSeparator(existing[0])
        else:
            edit.addActions([self.action_undo, self.action_redo])
        edit.addSeparator()
        edit.addActions([self.action_annotate, self.action_edit, self.action_delete, self.action_place])
        edit.addSeparator()
        edit.addActions([self.action_tags, self.action_preferences])
        self.edit_menu = edit
        view_menu = self._menu("View")
        if view_menu is not None:
            actions = view_menu.actions()
            first = actions[0] if actions else None
            if first is not None:
                view_menu.insertAction(first, self.action_refresh)
                view_menu.insertSeparator(first)
            else:
                view_menu.addAction(self.action_refresh)
            anchor = self.window.table_dock.toggleViewAction()
            actions = view_menu.actions()
            if anchor in actions and actions.index(anchor) + 1 < len(actions):
                view_menu.insertAction(actions[actions.index(anchor) + 1], self.dock.toggleViewAction())
            else:
                view_menu.addAction(self.dock.toggleViewAction())

    def _build_toolbar(self) -> None:
        bar = QToolBar("Annotations", self.window)
        bar.setObjectName("AnnotationsToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.setMovable(True)
        bar.addAction(self.action_annotate)
        bar.addAction(self.action_undo)
        bar.addAction(self.action_redo)
        bar.addSeparator()
        bar.addAction(self.dock.toggleViewAction())
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

    # ================================================================== wiring

    @property
    def library(self) -> Library:
        return self.window.library

    def set_library(self, library: Library) -> None:
        """The window now shows ``library``: history of another library cannot be undone here."""
        self._path = _path_key(library)
        self.stack.clear()
        with contextlib.suppress(SummitReaderError):
            self._data_version = library.data_version()
        self.window.service.documentsChanged.connect(self._on_documents_changed)
        if self._panel is not None:
            self._panel.model.library = library
        self._on_documents_changed()
        self.reload_all()

    def attach_pane(self, pane: ReaderPane) -> None:
        """Marks, context menu and document tracking for a new pane."""
        marks = AnnotationMarks(pane)
        self._marks.append(marks)
        pane.view.textChanged.connect(lambda m=marks: self._check_pane(m))
        pane.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        pane.view.customContextMenuRequested.connect(lambda pos, p=pane: self._show_pane_menu(p, pos))
        pane.destroyed.connect(lambda *_: self._schedule_open_update())
        self.load_marks(marks)
        self._schedule_open_update()

    def _schedule_open_update(self) -> None:
        if shiboken6.isValid(self) and shiboken6.isValid(self._open_timer):
            self._open_timer.start()

    def all_marks(self) -> list[AnnotationMarks]:
        self._marks = [m for m in self._marks if shiboken6.isValid(m)]
        return list(self._marks)

    def marks_of(self, pane: ReaderPane) -> AnnotationMarks | None:
        return next((m for m in self.all_marks() if m.pane is pane), None)

    def _check_pane(self, marks: AnnotationMarks) -> None:
        if shiboken6.isValid(marks) and marks.document_key != marks.pane_key:
            self.load_marks(marks)
            self._schedule_open_update()

    def _update_open_documents(self) -> None:
        if self._panel is None:
            return
        self._panel.set_open_documents(p.document_id for p in self.window.panes if p.document_id is not None)

    def _on_documents_changed(self) -> None:
        summaries = self.window.service.summaries
        if self._panel is not None:
            self._panel.set_documents(summaries)
        self._apply_welcome(not summaries)

    def _apply_welcome(self, empty: bool) -> None:
        """An empty library shows the welcome view alone (as the window does with its own docks): the panel
        and the tool bar come back with the first document."""
        if empty:
            # (called again once the window has restored its saved layout, which may have shown them)
            self._dock_before_welcome = bool(self._dock_before_welcome) or not self.dock.isHidden()
            self.dock.hide()
            self.toolbar.hide()
        else:
            self._leave_welcome()

    def _leave_welcome(self) -> None:
        if self._dock_before_welcome is not None:
            if self._dock_before_welcome:
                self.dock.show()
            self.toolbar.show()
            self._dock_before_welcome = None

    # ================================================================== loading

    def load_tags(self) -> None:
        try:
            self.tags = self.library.list_tags()
        except SummitReaderError as exc:
            self.window.show_status(str(exc), 10000)
            return
        self.colours = {t.name: t.colour for t in self.tags}
        if self._panel is not None:
            self._panel.set_tags(self.tags)
        if self.tag_manager is not None and shiboken6.isValid(self.tag_manager):
            with contextlib.suppress(SummitReaderError):
                self.tag_manager.set_tags(self.tags, self.library.tag_usage_counts())

    def load_marks(self, marks: AnnotationMarks) -> None:
        doc = marks.pane.document
        annotations: list[Annotation] = []
        if doc is not None and doc.id is not None:
            try:
                annotations = self.library.list_annotations(document_id=doc.id)
            except SummitReaderError as exc:
                self.window.show_status(str(exc), 10000)
        marks.set_annotations(annotations, self.colours)
        self._update_pane_label(marks, annotations)

    def _update_pane_label(self, marks: AnnotationMarks, annotations: Sequence[Annotation]) -> None:
        review = sum(1 for a in annotations if a.status == "needs_review")
        view = marks.pane.view
        base = f"Text of pane {marks.pane.number}"
        description = f"{len(annotations)} annotations" + (f", {review} need review" if review else "")
        view.setAccessibleDescription(description if annotations else "")
        if not view.accessibleName():
            view.setAccessibleName(base)

    def _reload_panel(self) -> None:
        if self._panel is not None:
            self._update_open_documents()
            self._panel.refresh()
        self._update_review_count()

    def _update_review_count(self) -> int:
        try:
            count = self.library.count_matching_annotations(AnnotationFilter(status="needs_review"))
        except SummitReaderError:
            return 0
        self._review_count = count
        if self._panel is not None:
            self._panel.set_review_count(count)
        return count

    def reload_all(self) -> None:
        self.load_tags()
        for marks in self.all_marks():
            self.load_marks(marks)
        self._reload_panel()

    # ================================================================== CommandHost

    def changed(self, document_ids: set[int] | None) -> None:
        """After a change (made here, undone or redone): show it everywhere, and tell other windows."""
        self.load_tags()  # new tags may have been created; colours may have changed
        for marks in self.all_marks():
            doc_id = marks.pane.document_id
            if document_ids is None or doc_id in document_ids:
                self.load_marks(marks)
        self._reload_panel()
        library_hub().changed.emit(self._path, self)

    def command_failed(self, command: QUndoCommand, message: str) -> None:
        self.report(
            "Cannot undo or redo",
            f"“{command.text()}” could not be undone or redone: {message}\n\n"
            "The library was changed elsewhere meanwhile, so the undo history was cleared.",
        )
        QTimer.singleShot(0, self.stack, self.stack.clear)
        self.reload_all()

    def report(self, title: str, message: str, parent: QWidget | None = None) -> None:
        """A message that does not block the window (and a status line)."""
        self.window.show_status(message.splitlines()[0], 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent or self.window)
        box.setObjectName("AnnotationMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()

    # ================================================================== author

    def ensure_author(self, then: Callable[[], None]) -> None:
        """Run ``then`` once the library has a user name: asked once, prefilled with the login name."""
        try:
            known = self.library.get_setting("author")
        except SummitReaderError as exc:
            self.window.show_status(str(exc), 10000)
            return
        if known:
            then()
            return
        if self.author_dialog is not None and shiboken6.isValid(self.author_dialog):
            self.author_dialog.raise_()
            return
        dialog = AuthorDialog(self.window, self.library.author)
        library = self.library

        def done(result: int) -> None:
            self.author_dialog = None
            if result != int(AuthorDialog.DialogCode.Accepted):
                self.window.show_status("Not annotated: Summit Reader needs a name to write on annotations.", 8000)
                return
            try:
                library.author = dialog.name or library.author
            except SummitReaderError as exc:
                self.report("Your name was not saved", str(exc))
                return
            then()

        dialog.finished.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        self.author_dialog = dialog
        dialog.open()

    def open_preferences(self) -> PreferencesDialog:
        library = self.library
        dialog = PreferencesDialog(self.window, author=library.get_setting("author") or library.author, library_name=library.path.name)

        def done(result: int) -> None:
            self.preferences_dialog = None
            if result == int(PreferencesDialog.DialogCode.Accepted):
                try:
                    library.author = dialog.author_edit.text()
                except SummitReaderError as exc:
                    self.report("Preferences not saved", str(exc))
                    return
                self.window.show_status(f"Your name on new annotations: {library.author}", 6000)

        dialog.finished.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        self.preferences_dialog = dialog
        dialog.open()
        return dialog

    # ================================================================== create and edit

    def annotate_selection(self) -> None:
        """Ctrl+M: open the editor on the active pane's selection (trimmed of white space)."""
        pane = self.window.active_pane
        doc = pane.document if pane is not None else None
        if pane is None or doc is None or doc.id is None:
            self.window.show_status("Open a document in a pane and select a passage first.", 6000)
            return
        start, end = trimmed_span(doc.text, *pane.selection_span())
        if start >= end:
            self.window.show_status("Select the passage to annotate first (drag over it, or Shift+arrow keys).", 6000)
            return
        if self.editor is not None and shiboken6.isValid(self.editor) and self.editor.isVisible():
            self.editor.raise_()
            self.editor.activateWindow()
            self.window.show_status("Save or close the annotation you are writing first.", 6000)
            return
        self.ensure_author(lambda: self._open_new_editor(doc, start, end))

    def _open_new_editor(self, doc: Document, start: int, end: int) -> AnnotationEditor:
        assert doc.id is not None
        doc_id = doc.id
        library = self.library
        editor = AnnotationEditor(
            self.window, quote=doc.text[start:end], document_title=doc.title, known_tags=self.tags
        )

        def save(note: str, tags: list[str]) -> None:
            try:
                created = library.add_annotation(doc_id, start, end, note=note, tags=tags)
            except SummitReaderError as exc:
                editor.show_error(str(exc))
                return
            # committed: only now does the editor close and the status bar say so
            self.stack.push(undo.CreateAnnotation(self, created))
            editor.finish()
            self.changed({doc_id})
            self.window.show_status("Annotation saved.", 5000)

        editor.saveRequested.connect(save)
        self._show_editor(editor)
        return editor

    def _show_editor(self, editor: AnnotationEditor) -> None:
        def closed() -> None:
            if self.editor is editor:
                self.editor = None
            editor.deleteLater()

        editor.finished.connect(lambda _r: closed())
        self.editor = editor
        editor.show()
        editor.raise_()
        editor.activateWindow()
        editor.note_edit.setFocus()

    def open_editor_for(self, annotation: Annotation) -> AnnotationEditor | None:
        """The editor on an existing annotation (note and tags); saving changes it in place."""
        if self.editor is not None and shiboken6.isValid(self.editor) and self.editor.isVisible():
            self.editor.raise_()
            self.window.show_status("Save or close the annotation you are writing first.", 6000)
            return None
        try:
            current = self.library.get_annotation(annotation.id)
            title = self.library.get_document(current.document_id).title
        except SummitReaderError as exc:
            self.report("Cannot edit the annotation", str(exc))
            return None
        editor = AnnotationEditor(
            self.window,
            quote=current.quote,
            document_title=title,
            known_tags=self.tags,
            note=current.note,
            tags=current.tags,
            annotation_id=current.id,
        )

        def save(note: str, tags: list[str]) -> None:
            if self.edit_annotation(current.id, note=note, tags=tags, editor=editor):
                editor.finish()

        editor.saveRequested.connect(save)
        self._show_editor(editor)
        return editor

    def _edit_current(self) -> None:
        annotation = self.panel.current_annotation()
        if annotation is None:
            self.window.show_status("Choose an annotation in the annotations panel first (Ctrl+5).", 6000)
            return
        self.open_editor_for(annotation)

    def edit_annotation(
        self,
        annotation_id: str,
        *,
        note: str | None = None,
        tags: Sequence[str] | None = None,
        editor: AnnotationEditor | None = None,
    ) -> bool:
        """Change the note and/or tags in place (one transaction), undoably. Returns False if refused."""
        library = self.library
        try:
            before = library.get_annotation(annotation_id)
            if note is not None and note == before.note:
                note = None
            if tags is not None and [t.casefold() for t in tags] == [t.casefold() for t in before.tags]:
                tags = None
            if note is None and tags is None:
                return True
            after = library.update_annotation(annotation_id, note=note, tags=list(tags) if tags is not None else None)
        except SummitReaderError as exc:
            if editor is not None:
                editor.show_error(str(exc))
            else:
                self.report("The annotation was not changed", str(exc))
            return False
        self.stack.push(undo.edit_annotation(self, before, after))
        self.changed({after.document_id})
        self.window.show_status("Annotation saved.", 5000)
        return True

    # ================================================================== delete, retag, place

    def delete_annotations(self, annotations: Sequence[Annotation]) -> int:
        if not annotations:
            return 0
        try:
            deleted = self.library.delete_annotations([a.id for a in annotations])
        except SummitReaderError as exc:
            self.report("Nothing was deleted", str(exc))
            return 0
        if deleted:
            self.stack.push(undo.DeleteAnnotations(self, deleted))
            self.changed({a.document_id for a in deleted})
            n = len(deleted)
            self.window.show_status(f"Deleted {n} annotation{'s' if n != 1 else ''} — Ctrl+Z brings {'it' if n == 1 else 'them'} back.", 8000)
        return len(deleted)

    def open_retag_dialog(self, annotations: Sequence[Annotation]) -> RetagDialog | None:
        from summit_reader.ui.widgets.annotation_panel import RetagDialog

        chosen = list(annotations)
        if not chosen:
            return None
        dialog = RetagDialog(self.window, chosen, self.tags)

        def done(result: int) -> None:
            self.retag_dialog = None
            if result == int(RetagDialog.DialogCode.Accepted):
                self.retag([a.id for a in chosen], add=dialog.to_add(), remove=dialog.to_remove())

        dialog.finished.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        self.retag_dialog = dialog
        dialog.open()
        return dialog

    def retag(self, annotation_ids: Sequence[str], *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> int:
        """Add and remove tags on many annotations at once (one transaction, one undo step)."""
        library = self.library
        try:
            before = library.get_annotations(annotation_ids)
            after = library.retag_annotations(annotation_ids, add=list(add), remove=list(remove))
        except SummitReaderError as exc:
            self.report("The tags were not changed", str(exc))
            return 0
        changed_before = [b for b, a in zip(before, after, strict=False) if b != a]
        changed_after = [a for b, a in zip(before, after, strict=False) if b != a]
        if changed_after:
            self.stack.push(undo.retag_annotations(self, changed_before, changed_after))
            self.changed({a.document_id for a in changed_after})
        n = len(changed_after)
        self.window.show_status(f"Retagged {n} annotation{'s' if n != 1 else ''}.", 6000)
        return n

    def place_current(self) -> None:
        annotation = self.panel.current_annotation()
        if annotation is None:
            self.window.show_status("Choose the annotation to place in the annotations panel first (Ctrl+5).", 8000)
            return
        self.place_annotation(annotation)

    def place_annotation(self, annotation: Annotation) -> Annotation | None:
        """Anchor ``annotation`` to the text selected in the pane that shows its document."""
        pane = self.window.pane_for_document(annotation.document_id)
        title = self.window.service.summary(annotation.document_id)
        name = title.title if title is not None else f"document {annotation.document_id}"
        if pane is None or pane.document is None:
            self.window.show_status(f"Open “{name}” in a pane, select the new passage, then Place here.", 10000)
            return None
        start, end = trimmed_span(pane.document.text, *pane.selection_span())
        if start >= end:
            self.window.show_status(f"Select the new passage in “{name}” first, then Place here.", 10000)
            return None
        library = self.library
        try:
            before = library.get_annotation(annotation.id)
            after = library.place_annotation(annotation.id, start, end)
        except SummitReaderError as exc:
            self.report("The annotation was not placed", str(exc))
            return None
        self.stack.push(undo.place_annotation(self, before, after))
        self.changed({after.document_id})
        marks = self.marks_of(pane)
        if marks is not None:
            marks.set_current(after.id)
        self.window.show_status(f"Placed at “{short_quote(after.quote, 60)}”.", 6000)
        return after

    # ================================================================== tags

    def open_tag_manager(self) -> TagManager:
        manager = self.tag_manager
        if manager is None or not shiboken6.isValid(manager):
            from summit_reader.ui.widgets.tag_manager import TagManager

            manager = TagManager(self.window)
            manager.createRequested.connect(self.create_tag)
            manager.renameRequested.connect(self.rename_tag)
            manager.recolourRequested.connect(self.recolour_tag)
            manager.reparentRequested.connect(self.reparent_tag)
            manager.mergeRequested.connect(self.merge_tags)
            manager.deleteRequested.connect(self.delete_tag)
            self.tag_manager = manager
        self.load_tags()
        manager.show()
        manager.raise_()
        manager.activateWindow()
        return manager

    def _tag_change(self, make: Callable[[], QUndoCommand | None], failure: str) -> bool:
        try:
            command = make()
        except SummitReaderError as exc:
            parent = self.tag_manager if self.tag_manager is not None and shiboken6.isValid(self.tag_manager) else None
            self.report(failure, str(exc), parent)
            return False
        if command is not None:
            self.stack.push(command)
            self.changed(None)
            self.window.show_status(command.text() + ".", 6000)
        return True

    def create_tag(self, name: str, colour: str | None = None) -> bool:
        def make() -> QUndoCommand | None:
            existing = {t.name.casefold() for t in self.library.list_tags()}
            if name.strip().casefold() in existing:
                self.window.show_status(f"There is already a tag called “{name.strip()}”.", 6000)
                return None
            return undo.CreateTag(self, self.library.ensure_tag(name, colour))

        return self._tag_change(make, "The tag was not created")

    def rename_tag(self, tag_id: int, name: str) -> bool:
        return self._tag_change(
            lambda: undo.rename_tag(self, self.library.get_tag(tag_id), self.library.rename_tag(tag_id, name)),
            "The tag was not renamed",
        )

    def recolour_tag(self, tag_id: int, colour: str) -> bool:
        return self._tag_change(
            lambda: undo.recolour_tag(self, self.library.get_tag(tag_id), self.library.set_tag_colour(tag_id, colour)),
            "The colour was not changed",
        )

    def reparent_tag(self, tag_id: int, parent_id: int | None) -> bool:
        return self._tag_change(
            lambda: undo.reparent_tag(self, self.library.get_tag(tag_id), self.library.set_tag_parent(tag_id, parent_id)),
            "The tag was not moved",
        )

    def merge_tags(self, source_id: int, target_id: int) -> bool:
        return self._tag_change(
            lambda: undo.MergeTags(self, self.library.merge_tags(source_id, target_id)), "The tags were not merged"
        )

    def delete_tag(self, tag_id: int) -> bool:
        return self._tag_change(lambda: undo.DeleteTag(self, self.library.delete_tag(tag_id)), "The tag was not deleted")

    # ================================================================== showing

    def show_annotation(self, annotation: Annotation) -> ReaderPane | None:
        """Bring the annotation's document into a pane and select its passage (the panel's double-click)."""
        window = self.window
        pane = window.pane_for_document(annotation.document_id) or window.open_document(annotation.document_id)
        if pane is None:
            return None
        window._set_active(pane)
        marks = self.marks_of(pane)
        if annotation.status == "needs_review":
            if marks is not None:
                marks.set_current(None)
            window.show_status(
                f"Needs review: the passage was “{short_quote(annotation.quote, 80)}”. Select where it is now and "
                "press Place here (Ctrl+Shift+M), or Delete it in the panel to discard it.",
                20000,
            )
            return pane
        pane.select_span(annotation.start, annotation.end)
        if marks is not None:
            marks.set_current(annotation.id)
        return pane

    def _on_panel_current(self, annotation: Annotation | None) -> None:
        for marks in self.all_marks():
            marks.set_current(annotation.id if annotation is not None and marks.pane.document_id == annotation.document_id else None)

    def build_pane_menu(self, pane: ReaderPane, pos: QPoint) -> QMenu:
        """The pane's context menu: the text's own entries, then annotating and the annotations under ``pos``."""
        menu = pane.view.createStandardContextMenu(pos)
        menu.addSeparator()
        menu.addAction(self.action_annotate)
        has_selection = pane.view.textCursor().hasSelection()
        self.action_annotate.setEnabled(True)
        marks = self.marks_of(pane)
        found = marks.annotations_at_point(pos) if marks is not None else []
        for annotation in found[:4]:
            label = short_quote(annotation.note or annotation.quote, 40)
            edit = menu.addAction(f"Edit annotation “{label}”…")
            edit.triggered.connect(lambda _c=False, a=annotation: self.open_editor_for(a))
            delete = menu.addAction(f"Delete annotation “{label}”")
            delete.triggered.connect(lambda _c=False, a=annotation: self.delete_annotations([a]))
        current = self._panel.current_annotation() if self._panel is not None else None
        if current is not None and current.document_id == pane.document_id and has_selection:
            place = menu.addAction(f"Place “{short_quote(current.quote, 40)}” here")
            place.triggered.connect(lambda _c=False, a=current: self.place_annotation(a))
        return menu

    def _show_pane_menu(self, pane: ReaderPane, pos: QPoint) -> None:
        menu = self.build_pane_menu(pane, pos)
        menu.exec(pane.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    # ================================================================== export

    def open_export_dialog(self, document_id: int | None = None) -> ExportAnnotationsDialog:
        library = self.library
        try:
            total = library.count_annotations()
            documents = library.list_documents()
        except SummitReaderError as exc:
            self.report("Cannot export", str(exc))
            total, documents = 0, []
        if document_id is None:
            pane = self.window.active_pane
            document_id = pane.document_id if pane is not None else None
        dialog = ExportAnnotationsDialog(
            self.window,
            total=total,
            filtered=self.panel.model.total,
            documents=documents,
            default_path=Path.home() / "summit-reader-annotations.csv",
            document_id=document_id,
        )

        def export(scope: str, doc_id: object, path: object, bom: bool) -> None:
            try:
                n = self.export_annotations(
                    Path(str(path)), scope=scope, document_id=int(str(doc_id)) if doc_id is not None else None, bom=bom
                )
            except SummitReaderError as exc:
                dialog.show_error(str(exc))
                return
            dialog.finish()
            self.window.show_status(f"Saved {n} annotation{'s' if n != 1 else ''} to {path}.", 8000)

        dialog.exportRequested.connect(export)
        dialog.finished.connect(lambda _r: setattr(self, "export_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def export_annotations(
        self, path: Path, *, scope: str = SCOPE_ALL, document_id: int | None = None, bom: bool = False
    ) -> int:
        """Write annotations as CSV with the core exporter (the same file as ``summit-reader export
        annotations``); raises SummitReaderError."""
        from summit_reader.core.export import write_annotations_csv  # (not needed to open the window)

        library = self.library
        lexicon = self.window.analyzer.lexicon.label
        if scope == SCOPE_FILTERED:
            model = self.panel.model
            chosen = library.query_annotations(self.panel.current_filter(), sort=model.sort_key, descending=model.descending)
            return write_annotations_csv(library, path, annotations=chosen, bom=bom, lexicon=lexicon)
        if scope == SCOPE_DOCUMENT and document_id is not None:
            library.get_document(document_id)
            return write_annotations_csv(library, path, document_id=document_id, bom=bom, lexicon=lexicon)
        return write_annotations_csv(library, path, bom=bom, lexicon=lexicon)

    # ================================================================== refreshing

    def refresh(self, *, quiet: bool = False) -> None:
        """View → Refresh: read documents, texts, tags and annotations again (another window or program,
        or a re-imported text, may have changed them). Panes whose text changed show the new text. With
        ``quiet`` (a refresh on focus), the status bar speaks only of annotations that need review."""
        window = self.window
        before = self._review_count
        try:
            window.service.refresh()
        except SummitReaderError as exc:
            window.show_status(str(exc), 10000)
            return
        for pane in list(window.panes):
            doc = pane.document
            if doc is None or doc.id is None:
                continue
            summary = window.service.summary(doc.id)
            if summary is None:
                pane.set_document(None, None)
            elif summary.text_hash != doc.text_hash:
                window.open_document(doc.id, pane)
        window.service.request_all()
        self.reload_all()
        with contextlib.suppress(SummitReaderError):
            self._data_version = self.library.data_version()
        after = self._update_review_count()
        if after and (not quiet or after > before):
            window.show_status(
                f"Library read again. {after} annotation{'s' if after != 1 else ''} need review: see the "
                "annotations panel (Ctrl+5).",
                15000,
            )
        elif not quiet:
            window.show_status("Library read again.", 3000)

    def check_outside_changes(self) -> bool:
        """Refresh if another connection (window, program) committed a change since we last looked."""
        try:
            version = self.library.data_version()
        except SummitReaderError:
            return False
        if version == self._data_version:
            return False
        self._data_version = version
        self.refresh(quiet=True)
        return True

    def _on_hub_changed(self, path: str, origin: object) -> None:
        if origin is not self and path == self._path:
            QTimer.singleShot(0, self, self.reload_all)

    # ================================================================== window events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window:
            if event.type() == QEvent.Type.WindowActivate:
                QTimer.singleShot(0, self, self.check_outside_changes)
            elif event.type() == QEvent.Type.Close:
                if not self._may_close():
                    event.ignore()
                    return True
                self._leave_welcome()  # the window saves its layout as it is with documents
        return False

    def _may_close(self) -> bool:
        """A note being written is never lost by closing the window: save it, discard it, or stay."""
        editor = self.editor
        if editor is None or not shiboken6.isValid(editor) or not editor.is_dirty():
            return True
        answer = QMessageBox.question(
            self.window,
            "Save the annotation?",
            "You are writing an annotation that is not saved yet. Save it before closing?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            editor.accept()
            return self.editor is None or not shiboken6.isValid(editor) or not editor.isVisible()
        editor.done(0)
        return True
