"""Getting documents into the window's library and keeping it safe.

* File → Import… (several files at once) and files dropped onto the window: each file is read with
  :func:`~summit_reader.core.importers.read_document_file` (in a worker thread with a progress dialog
  when a file is large or a PDF/DOCX), then its details are asked (prefilled; "Import all with these
  details" for the rest); a text already in the library asks Skip (default) / Import anyway.
* Edit → Paste as new document: the clipboard's text (its HTML when it has some), then its details.
* Document → Edit details… / Delete… (and the library list's context menu).
* File → Get the AI summit texts… (:class:`~summit_reader.ui.dialogs.corpus_dialog.CorpusDialog`).
* File → Restore from backup…, and the start-up backup (a worker thread, after the first paint).

Every library call goes through the core. A :class:`SummitReaderError` — a bad file, a full disk, a
damaged library — becomes one clear message, and the window keeps working."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QEventLoop, QMimeData, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMenu, QMessageBox, QProgressDialog, QWidget

from summit_reader.core.documents import ImportedText, new_document, text_hash
from summit_reader.core.errors import DuplicateDocumentError, SummitReaderError
from summit_reader.core.store import Library
from summit_reader.ui.dialogs.metadata_dialog import Details, MetadataDialog
from summit_reader.ui.dialogs.questions import DeleteQuestion, DuplicateQuestion
from summit_reader.ui.tasks import BackgroundTask
from summit_reader.ui.widgets.library_panel import ID_ROLE

# The importers (HTML, PDF, DOCX readers), the backup code and the corpus, backup and library-error dialogs
# are imported when first used: none of them is needed to start the window.
if TYPE_CHECKING:
    from summit_reader.core.backup import BackupInfo
    from summit_reader.ui.dialogs.corpus_dialog import CorpusDialog
    from summit_reader.ui.main_window import MainWindow

#: Files larger than this, and every PDF and DOCX, are read in a worker thread with a progress dialog.
LARGE_FILE_BYTES = 1_000_000
WORKER_SUFFIXES = (".pdf", ".docx")
#: The start-up backup waits this long after the window is built (it is painted by then).
BACKUP_DELAY_MS = 1500

_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)

Reading = tuple[Path, ImportedText | None, str | None]  # (file, what was read, or why not)


def local_files(mime: QMimeData | None) -> list[Path]:
    """The local files of a drag (file managers send them as file:// URLs)."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


def run_modal(dialog: QDialog) -> int:
    """``dialog.exec()``, then delete the dialog once control is back in the event loop (its answers can be
    read until then), so dialogs parented to the window do not pile up."""
    try:
        return int(dialog.exec())
    finally:
        dialog.deleteLater()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class DocumentCommands(QObject):
    """The window's import, paste, drop, details, delete, corpus, backup and restore commands.

    ``corpus_options`` (``fetch``, ``base_urls``, ``timeout``) go to the corpus dialog — tests point
    them at a local server; the last corpus dialog is ``corpus_dialog``. Modal dialogs are deleted once
    answered (see :func:`run_modal`)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.corpus_options: dict[str, Any] = {}
        self.corpus_dialog: CorpusDialog | None = None
        self.backup_task: BackgroundTask | None = None
        self.last_backup: Path | None = None
        self.last_safety_copy: Path | None = None
        self._shut = False

        acts = window.acts
        acts.paste_document.triggered.connect(lambda: self.paste_as_new_document())
        acts.get_corpus.triggered.connect(lambda: self.get_summit_texts())
        acts.restore_backup.triggered.connect(lambda: self.restore_from_backup())
        acts.edit_details.triggered.connect(lambda: self.edit_details())
        acts.delete_document.triggered.connect(lambda: self.delete_document())

        view = window.library_panel.view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._show_library_menu)

        # Files dropped anywhere on the window (panes, docks, the welcome view) are imported. Children
        # such as the reading panes handle drags of library documents themselves, so the drag events are
        # seen first by an application event filter, which takes only drags of local files. That filter
        # sees every event of every object, so it is installed once the window has painted (the window
        # calls accept_file_drops then; nothing can be dropped on a window not yet on screen).
        window.setAcceptDrops(True)
        self._dropping = False
        window.installEventFilter(self)

        self._backup_timer = QTimer(self)
        self._backup_timer.setSingleShot(True)
        self._backup_timer.setInterval(BACKUP_DELAY_MS)
        self._backup_timer.timeout.connect(self.start_backup)
        self._backup_timer.start()

    # ================================================================== helpers

    @property
    def library(self) -> Library:
        return self.window.library

    def _status(self, message: str, msecs: int = 8000) -> None:
        self.window.show_status(message, msecs)

    def current_document_id(self) -> int | None:
        """The document a Document-menu command acts on: the one selected in the library list when the
        list has the focus, else the active pane's, else the library list's current one."""
        view = self.window.library_panel.view
        index = view.currentIndex()
        listed = int(index.data(ID_ROLE)) if index.isValid() and index.data(ID_ROLE) is not None else None
        if view.hasFocus() and listed is not None:
            return listed
        pane = self.window.active_pane
        if pane is not None and pane.document_id is not None:
            return pane.document_id
        return listed

    def _reload(self, *, added: Sequence[int] = (), changed: Sequence[int] = (), removed: Sequence[int] = ()) -> None:
        """After the library changed: re-read the list (library panel, panes' choosers, graph and table
        re-sort by date), open new documents in empty panes, show changed ones again, clear deleted ones."""
        window = self.window
        window.service.refresh()
        for pane in list(window.panes):
            doc_id = pane.document_id
            if doc_id is None:
                continue
            if doc_id in removed:
                pane.set_document(None, None)
            elif doc_id in changed:
                bar = pane.view.verticalScrollBar()
                position = bar.value()
                window.open_document(doc_id, pane)
                bar.setValue(position)
        for doc_id in added:
            empty = next((p for p in window.panes if p.document is None), None)
            if empty is None:
                break
            window.open_document(doc_id, empty)
        if removed:
            window._update_legend_counts()  # a pane that showed a deleted document is empty now
        window.service.request([*added, *changed])

    def _report(self, title: str, messages: Sequence[str]) -> None:
        self.window.report_errors(title, list(messages))

    # =================================================================== import

    def choose_files(self) -> list[Path]:
        from summit_reader.core.importers import FILE_DIALOG_FILTER

        names, _ = QFileDialog.getOpenFileNames(self.window, "Import documents", str(Path.home()), FILE_DIALOG_FILTER)
        return [Path(n) for n in names]

    def import_files(self, paths: Sequence[str | Path] | None = None, *, ask: bool = True) -> list[int]:
        """Import files; return the new document ids. With ``ask`` each file's details are asked and a
        duplicate asks Skip / Import anyway; without, the suggested title is used and duplicates are
        skipped. Files that cannot be imported are listed in one message at the end."""
        files = [Path(p) for p in paths] if paths is not None else self.choose_files()
        if not files:
            return []
        readings = self._read_files(files)
        if readings is None:
            return []
        errors = [message for _path, _read, message in readings if message is not None]
        good = [(path, read) for path, read, _message in readings if read is not None]
        added: list[int] = []
        skipped = 0
        shared: Details | None = None
        for number, (path, imported) in enumerate(good, start=1):
            name = f"'{path.name}'"
            allow_duplicate = False
            try:
                existing = self.library.find_document_by_hash(text_hash(imported.text))
            except SummitReaderError as exc:
                errors.append(f"{name} was not imported: {exc}")
                continue
            if existing is not None and existing.id is not None:
                if not ask:
                    errors.append(
                        f"{name} was not imported: its text is already in the library as “{existing.title}” "
                        f"(document {existing.id})."
                    )
                    continue
                if not DuplicateQuestion(self.window, name, existing.title, existing.id).import_anyway():
                    skipped += 1
                    continue
                allow_duplicate = True
            if shared is not None:
                details = shared.shared_with(imported.suggested_title)
            elif ask:
                dialog = MetadataDialog(
                    self.window,
                    mode="import",
                    details=Details(title=imported.suggested_title),
                    source=name,
                    preview=imported.text,
                    position=(number, len(good)),
                )
                run_modal(dialog)
                if dialog.choice == "cancel":
                    left = len(good) - number + 1
                    self._status(f"Import stopped: {_plural(left, 'file')} not imported.")
                    break
                if dialog.choice == "skip":
                    skipped += 1
                    continue
                details = dialog.details()
                if dialog.choice == "import_all":
                    shared = details
            else:
                details = Details(title=imported.suggested_title)
            doc_id = self._add(imported, details, allow_duplicate, errors, name)
            if doc_id is not None:
                added.append(doc_id)
        if added:
            self._reload(added=added)
            note = f" ({skipped} skipped)" if skipped else ""
            self._status(f"Imported {_plural(len(added), 'document')}{note}.", 8000)
        if errors:
            self._report("Some files were not imported" if len(files) > 1 else "The file was not imported", errors)
        return added

    def _add(self, imported: ImportedText, details: Details, allow_duplicate: bool, errors: list[str], name: str) -> int | None:
        try:
            doc = self.library.add_document(
                new_document(
                    imported.text,
                    details.title,
                    date=details.date,
                    place=details.place,
                    kind=details.kind,
                    source_url=details.source_url,
                    source_path=imported.path,
                ),
                allow_duplicate=allow_duplicate,
            )
        except DuplicateDocumentError as exc:
            errors.append(f"{name} was not imported: {exc}")
            return None
        except SummitReaderError as exc:  # a full disk, a damaged library…: the library is as it was
            errors.append(f"{name} was not imported: {exc}")
            return None
        return doc.id

    @staticmethod
    def _read_one(path: Path) -> Reading:
        from summit_reader.core.importers import read_document_file

        try:
            return path, read_document_file(path), None
        except SummitReaderError as exc:
            return path, None, str(exc)
        except Exception as exc:  # a bug in a reader must not take the window down
            return path, None, f"'{path.name}' could not be read ({type(exc).__name__}: {exc})."

    @staticmethod
    def _needs_worker(path: Path) -> bool:
        if path.suffix.lower() in WORKER_SUFFIXES:
            return True
        try:
            return path.stat().st_size > LARGE_FILE_BYTES
        except OSError:
            return False

    def _read_files(self, files: list[Path]) -> list[Reading] | None:
        """Read the files; large ones (and PDFs) in a worker thread while a progress dialog with a Cancel
        button is shown. None when the user cancelled."""
        if not any(self._needs_worker(p) for p in files):
            return [self._read_one(p) for p in files]
        total = len(files)
        read_one = self._read_one

        def work(report: Callable[[object], None]) -> list[Reading]:
            out: list[Reading] = []
            for index, path in enumerate(files):
                if task.cancelled.is_set():
                    break
                report((index, path.name))
                out.append(read_one(path))
            return out

        progress = QProgressDialog(f"Reading {_plural(total, 'file')}…", "Cancel", 0, total, self.window)
        progress.setObjectName("ImportProgress")
        progress.setWindowTitle("Import")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setValue(0)
        outcome: dict[str, object] = {}
        loop = QEventLoop()
        task = BackgroundTask(work, self, name="summit-reader-import")

        def on_progress(value: object) -> None:
            if isinstance(value, tuple):
                index, name = value
                progress.setValue(int(index))
                progress.setLabelText(f"Reading “{name}” ({int(index) + 1} of {total})…")

        task.progress.connect(on_progress)
        task.succeeded.connect(lambda result: outcome.__setitem__("result", result))
        task.failed.connect(lambda message: outcome.__setitem__("error", message))
        task.finished.connect(loop.quit)
        progress.canceled.connect(loop.quit)
        task.start()
        loop.exec()
        cancelled = progress.wasCanceled()
        progress.hide()
        progress.deleteLater()
        if cancelled:
            task.cancel()  # the file being read is finished in the background and dropped
            self._status("Import cancelled; nothing was imported.")
            return None
        result = outcome.get("result")
        if not isinstance(result, list):
            message = str(outcome.get("error", "The files could not be read."))
            return [(p, None, message) for p in files]
        return result

    # ============================================================= drag and drop

    def accept_file_drops(self) -> None:
        """Import local files dropped anywhere on the window, from now on (the application event filter)."""
        app = QApplication.instance()
        if app is not None and not self._dropping:
            app.installEventFilter(self)
            self._dropping = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # This sees every event of the application: the cheap tests come first (``event.type()`` makes a
        # Python enum member each time).
        if isinstance(event, QDropEvent):  # drag enter, drag move, drop
            kind = event.type()
            if kind in _DRAG_EVENTS and isinstance(watched, QWidget) and watched.window() is self.window:
                files = local_files(event.mimeData())
                if files:
                    event.setDropAction(Qt.DropAction.CopyAction)
                    event.accept()
                    if kind == QEvent.Type.Drop:
                        # after the drop returns: a modal dialog inside a drop would hold the file manager
                        QTimer.singleShot(0, lambda: self.import_files(files))
                    return True
        elif watched is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    # ==================================================================== paste

    def paste_as_new_document(self, mime: QMimeData | None = None) -> int | None:
        """Make a document of the clipboard's text (or of ``mime``); its title and details are asked."""
        if mime is None:
            clipboard = QApplication.clipboard()
            mime = clipboard.mimeData() if clipboard is not None else None
        text = mime.text() if mime is not None and mime.hasText() else ""
        html = mime.html() if mime is not None and mime.hasHtml() else None
        if not text.strip() and not (html and html.strip()):
            self._report(
                "Nothing to paste",
                ["The clipboard holds no text. Copy a text (from a web page, a PDF or a word processor), then "
                 "choose Edit → Paste as new document again."],
            )
            return None
        from summit_reader.core.importers import read_pasted_text

        try:
            imported = read_pasted_text(text, html)
        except SummitReaderError as exc:
            self._report("The text was not pasted", [str(exc)])
            return None
        source = ""
        if mime is not None and mime.hasUrls():
            web = [u.toString() for u in mime.urls() if u.scheme() in ("http", "https")]
            source = web[0] if web else ""
        allow_duplicate = False
        try:
            existing = self.library.find_document_by_hash(text_hash(imported.text))
        except SummitReaderError as exc:
            self._report("The text was not pasted", [str(exc)])
            return None
        if existing is not None and existing.id is not None:
            if not DuplicateQuestion(self.window, "the pasted text", existing.title, existing.id).import_anyway():
                self._status(f"Not pasted: the text is already in the library as “{existing.title}”.")
                return None
            allow_duplicate = True
        dialog = MetadataDialog(
            self.window, mode="paste", details=Details(title=imported.suggested_title, source_url=source),
            preview=imported.text,
        )
        if run_modal(dialog) != QDialog.DialogCode.Accepted.value:
            return None
        errors: list[str] = []
        doc_id = self._add(imported, dialog.details(), allow_duplicate, errors, "The pasted text")
        if doc_id is None:
            self._report("The text was not pasted", errors)
            return None
        self._reload(added=[doc_id])
        if self.window.pane_for_document(doc_id) is None:
            self.window.open_document(doc_id)
        self._status(f"Pasted as a new document: “{dialog.details().title}”.")
        return doc_id

    # ========================================================== details, delete

    def edit_details(self, doc_id: int | None = None) -> bool:
        """Document → Edit details…: title, date, place, kind, source address. The library list, the
        panes' choosers, the graph and the table re-sort by date."""
        doc_id = doc_id if doc_id is not None else self.current_document_id()
        if doc_id is None:
            self._status("Open a document in a pane, or select one in the library, first.")
            return False
        try:
            doc = self.library.get_document(doc_id)
        except SummitReaderError as exc:
            self._report("The details cannot be edited", [str(exc)])
            return False
        dialog = MetadataDialog(
            self.window,
            mode="edit",
            details=Details(doc.title, doc.date, doc.place, doc.kind, doc.source_url),
        )
        if run_modal(dialog) != QDialog.DialogCode.Accepted.value:
            return False
        new = dialog.details()
        try:
            self.library.update_document(
                doc_id, title=new.title, date=new.date or "", place=new.place, kind=new.kind, source_url=new.source_url
            )
        except SummitReaderError as exc:
            self._report("The details were not saved", [str(exc)])
            return False
        self._reload(changed=[doc_id])
        self._status(f"Saved the details of “{new.title}”.")
        return True

    def delete_document(self, doc_id: int | None = None) -> bool:
        """Document → Delete…: asks first, naming how many annotations go with the document."""
        doc_id = doc_id if doc_id is not None else self.current_document_id()
        if doc_id is None:
            self._status("Open a document in a pane, or select one in the library, first.")
            return False
        try:
            title = self.library.get_document(doc_id).title
            annotations = self.library.count_annotations(doc_id)
        except SummitReaderError as exc:
            self._report("The document cannot be deleted", [str(exc)])
            return False
        if not DeleteQuestion(self.window, title, annotations).confirmed():
            return False
        try:
            gone = self.library.delete_document(doc_id)
        except SummitReaderError as exc:
            self._report("The document was not deleted", [str(exc)])
            return False
        self._reload(removed=[doc_id])
        with_it = f" and its {_plural(gone, 'annotation')}" if gone else ""
        self._status(f"Deleted “{title}”{with_it}.")
        return True

    def library_menu(self, doc_id: int) -> QMenu:
        """The library list's context menu for one document."""
        menu = QMenu(self.window.library_panel.view)
        menu.addAction("&Open in the active pane", lambda: self.window.open_document(doc_id))
        menu.addSeparator()
        menu.addAction("&Edit details…", lambda: self.edit_details(doc_id))
        menu.addAction("&Delete…", lambda: self.delete_document(doc_id))
        return menu

    def _show_library_menu(self, pos: QPoint) -> None:
        view = self.window.library_panel.view
        index = view.indexAt(pos)
        if not index.isValid() or index.data(ID_ROLE) is None:
            return
        view.setCurrentIndex(index)
        self.library_menu(int(index.data(ID_ROLE))).exec(view.viewport().mapToGlobal(pos))

    # ==================================================================== corpus

    def get_summit_texts(self) -> CorpusDialog:
        """File → Get the AI summit texts…: the dialog opens (window-modal); nothing is downloaded until
        the user presses Download."""
        dialog = self.corpus_dialog
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        if dialog is not None:
            dialog.deleteLater()
        # imported here: the corpus code (urllib, ssl) is not needed to start the window
        from summit_reader.ui.dialogs.corpus_dialog import CorpusDialog

        dialog = CorpusDialog(self.library, self.window, **self.corpus_options)
        dialog.libraryChanged.connect(lambda added, updated: self._reload(added=added, changed=updated))
        self.corpus_dialog = dialog
        dialog.open()
        return dialog

    # =================================================================== backups

    def start_backup(self) -> BackgroundTask | None:
        """The start-up backup (at most one a day), in a worker thread; the status bar says where it went."""
        if self._shut or (self.backup_task is not None and self.backup_task.running):
            return None
        from summit_reader.core.backup import startup_backup

        path = self.library.path
        task = BackgroundTask(lambda _report: startup_backup(path), self, name="summit-reader-backup")
        task.succeeded.connect(self._on_backup_made)
        task.failed.connect(lambda message: self._status(f"The start-up backup was not made: {message}", 15000))
        self.backup_task = task
        return task.start()

    def _on_backup_made(self, made: object) -> None:
        if isinstance(made, Path):
            self.last_backup = made
            self._status(f"Backed up the library to {made}", 10000)

    def _wait_for_backup(self) -> None:
        if self.backup_task is not None:
            self.backup_task.wait(30)

    def restore_from_backup(self) -> bool:
        """File → Restore from backup…: choose a backup, confirm, and the window reopens the library."""
        from summit_reader.ui.dialogs.backup_dialog import RestoreDialog

        try:
            current: tuple[int, int] | None = (len(self.library.list_documents()), self.library.count_annotations())
        except SummitReaderError:
            current = None
        dialog = RestoreDialog(self.library.path, self.window, current=current)
        run_modal(dialog)
        if dialog.chosen is None:
            return False
        return self.restore(dialog.chosen)

    def restore(self, info: BackupInfo) -> bool:
        """Close the window's library, replace the file with the backup, reopen it and show it."""
        from summit_reader.core.backup import restore_backup
        from summit_reader.ui.dialogs.backup_dialog import local_time

        window = self.window
        path = window.library.path
        if self.corpus_dialog is not None and self.corpus_dialog.running:
            self._report("The backup was not restored", ["Wait for the download of the summit texts to finish first."])
            return False
        self._wait_for_backup()
        window.service.shutdown()  # its worker has a connection of its own on the file
        window.library.close()
        problem: str | None = None
        safety: Path | None = None
        try:
            safety = restore_backup(info.path, path)
        except SummitReaderError as exc:
            problem = str(exc)
        library = self._reopen(path)
        if library is None:
            window.close()
            return False
        window.set_library(library, owned=True)
        if problem is not None:
            self._report("The backup was not restored", [problem])
            return False
        self.last_safety_copy = safety
        kept = f"\n\nThe library as it was before is kept as a backup:\n{safety}" if safety else ""
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Restored from backup",
            f"The library is back as it was on {local_time(info.created)}: "
            f"{_plural(info.document_count or 0, 'document')} and {_plural(info.annotation_count or 0, 'annotation')}."
            + kept,
            QMessageBox.StandardButton.Ok,
            window,
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        run_modal(box)
        self._status(f"Restored the backup of {local_time(info.created)}.", 10000)
        return True

    def _reopen(self, path: Path) -> Library | None:
        while True:
            try:
                return Library(path)
            except SummitReaderError as exc:
                from summit_reader.ui.dialogs.library_error_dialog import ask_after_open_failure

                chosen = ask_after_open_failure(path, str(exc), self.window)
                if chosen is None:
                    return None
                path = chosen

    # ================================================================= shutdown

    def shutdown(self) -> None:
        """The window closes: no new backup; let a running one and a download finish (briefly)."""
        if self._shut:
            return
        self._shut = True
        self._backup_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.corpus_dialog is not None and self.corpus_dialog.running:
            self.corpus_dialog.cancel_download()
            self.corpus_dialog.wait(5)
        self._wait_for_backup()
