"""A second coder in the window: File → Import from research tools → A colleague's coding (second coder)…,
Research → Agreement between coders…, the comparison in a background thread, resolving disagreements
(undoable with the annotations' undo stack) and showing a disagreement in a reading pane.

The main window calls :func:`install_agreement` once; everything else is wired here. The figures come
from :func:`summit_reader.core.coders.compare_with_coder`, the function ``summit-reader agreement`` prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from summit_reader.core.errors import SummitReaderError
from summit_reader.core.store import Library
from summit_reader.ui import undo
from summit_reader.ui.actions import _action
from summit_reader.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from summit_reader.core.coders import CoderComparison, DisagreementDetail, ImportResult, ResolutionOutcome
    from summit_reader.ui.agreement_view import AgreementView
    from summit_reader.ui.main_window import MainWindow
    from summit_reader.ui.widgets.reader_pane import ReaderPane

# summit_reader.core.coders (with core.agreement, core.anchoring, core.merge…) and the agreement view are
# imported on first use: they are not needed to open the window (README, "Performance").

CODING_FILTER = "Summit Reader library or annotation export (*.sqlite3 *.sqlite *.db *.csv);;All files (*)"


class ResolveDisagreement(undo.LibraryCommand):
    """A resolution already made when pushed; undo takes it back exactly (copied annotations deleted,
    changed ones restored, the record removed), redo makes it again."""

    def __init__(self, host: undo.CommandHost, outcome: ResolutionOutcome, coder: str) -> None:
        labels = {"take": f"Take {coder}'s coding", "keep": "Keep my coding", "remove": "Remove my coding"}
        super().__init__(host, f"{labels[outcome.resolution.action]} (“{outcome.resolution.tag}”)")
        self.outcome = outcome

    def documents(self) -> set[int] | None:
        return {self.outcome.resolution.document_id}

    def _undo(self) -> None:
        from summit_reader.core.coders import undo_resolution

        undo_resolution(self.library, self.outcome)

    def _redo(self) -> None:
        from summit_reader.core.coders import redo_resolution

        redo_resolution(self.library, self.outcome)


@dataclass(frozen=True)
class _Computed:
    library_path: Path
    result: CoderComparison | None
    details: list[DisagreementDetail]


class AgreementCommands(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view: AgreementView | None = None
        self.task: BackgroundTask | None = None
        self.message_box: QMessageBox | None = None
        self.last_import: ImportResult | None = None
        self._shown_path: Path | None = None  # the library whose figures the view shows
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)

        self.action_import = _action(
            window,
            "A colleague's &coding (second coder)…",
            "Import a colleague's library or annotation export as a second coder, to compare codings",
        )
        self.action_import.triggered.connect(lambda: self.import_coding())
        window.import_from_menu.addAction(self.action_import)
        self.action_agreement = _action(
            window,
            "&Agreement between coders…",
            "Cohen's kappa and Krippendorff's alpha per tag and document, and the disagreements to resolve",
        )
        self.action_agreement.triggered.connect(lambda: self.open())
        window.research_menu.addAction(self.action_agreement)
        # undo/redo of a resolution (or of any annotation change) shows in the view
        window.annotations.stack.indexChanged.connect(lambda _i: self._schedule_refresh())

    @property
    def library(self) -> Library:
        return self.window.library

    # ------------------------------------------------------------------ the view

    def ensure_view(self) -> AgreementView:
        if self.view is None or not shiboken6.isValid(self.view):
            from summit_reader.ui.agreement_view import AgreementView

            view = AgreementView(self.window)
            view.coderChosen.connect(lambda _name: self.refresh())
            view.unitChosen.connect(lambda _unit: self.refresh())
            view.importRequested.connect(lambda: self.import_coding())
            view.exportRequested.connect(lambda: self.export_figures())
            view.resolveRequested.connect(self.resolve)
            view.showRequested.connect(self.show_disagreement)
            stack = self.window.annotations.stack
            undo_action = stack.createUndoAction(view, "&Undo")
            undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
            redo_action = stack.createRedoAction(view, "&Redo")
            redo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
            view.addActions([undo_action, redo_action])
            view.installEventFilter(self)
            self.view = view
        return self.view

    def open(self, coder: str | None = None, unit: str | None = None) -> AgreementView:
        """Show the view (on ``coder`` and ``unit`` if given) and compute its figures."""
        view = self.ensure_view()
        if unit is not None:
            view.set_unit(unit)
        self._load_coders(coder)
        view.show()
        view.raise_()
        view.activateWindow()
        self.refresh()
        return view

    def _load_coders(self, current: str | None = None) -> bool:
        view = self.ensure_view()
        try:
            coders = self.library.list_coders()
        except SummitReaderError as exc:
            view.set_message(str(exc))
            return False
        view.set_coders(coders, current)
        return bool(coders)

    def _schedule_refresh(self) -> None:
        if self.view is not None and shiboken6.isValid(self.view) and self.view.isVisible():
            self._refresh_timer.start()

    @property
    def busy(self) -> bool:
        return self.task is not None

    def refresh(self) -> BackgroundTask | None:
        """Compute the figures and disagreements of the chosen coder and unit in a background thread."""
        view = self.ensure_view()
        if not self._load_coders(view.coder_name or None):
            view.set_result(None, [])
            view.set_message(
                "No second coder yet. Import a colleague's coding (their library file or annotation export) with the "
                "button above, or File → Import from research tools → A colleague's coding (second coder)…"
            )
            return None
        if self.task is not None:
            self.task.cancel()
        name, unit, path = view.coder_name, view.unit, self.library.path

        def work(_report: Callable[[object], None]) -> _Computed:
            from summit_reader.core.coders import compare_with_coder, disagreement_details

            library = Library(path)  # its own connection: SQLite connections stay in their thread
            try:
                result = compare_with_coder(library, name, unit=unit)
                details = disagreement_details(library, result, include_resolved=True)
                return _Computed(path, result, details)
            finally:
                library.close()

        task = BackgroundTask(work, self, name="summit-reader-agreement")
        task.succeeded.connect(lambda computed, t=task: self._on_computed(t, computed))
        task.failed.connect(lambda message, t=task: self._on_failed(t, message))
        task.finished.connect(task.deleteLater)
        self.task = task
        view.set_busy(f"Comparing your coding with {name}'s ({unit}s)…")
        return task.start()

    def _on_computed(self, task: BackgroundTask, computed: _Computed) -> None:
        if task is not self.task or task.cancelled.is_set():
            return
        self.task = None
        view = self.view
        if view is None or not shiboken6.isValid(view):
            return
        if computed.library_path != self.library.path:  # the window switched library meanwhile
            self._schedule_refresh()
            return
        view.set_result(computed.result, computed.details)
        self._shown_path = computed.library_path
        result = computed.result
        if result is not None:
            overall = result.comparison.overall()
            kappa = "—" if overall.kappa is None else f"{overall.kappa:.3f}"
            open_count = sum(1 for d in computed.details if d.resolution is None)
            view.set_message(
                f"You and {result.coder.name}: {len(result.comparison.document_ids)} document(s), "
                f"{len(result.comparison.tags)} tag(s), {result.unit} units; overall κ = {kappa}. "
                f"{open_count} disagreement{'s' if open_count != 1 else ''} to resolve."
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The window may have switched to another library while the view was in the background."""
        if watched is self.view and event.type() == QEvent.Type.WindowActivate and self._is_stale():
            self._refresh_timer.start()
        return False

    def _is_stale(self) -> bool:
        return self._shown_path is not None and self._shown_path != self.library.path

    def _on_failed(self, task: BackgroundTask, message: str) -> None:
        if task is not self.task:
            return
        self.task = None
        if self.view is not None and shiboken6.isValid(self.view):
            self.view.set_result(None, [])
            self.view.set_message(message)
        self.window.show_status(message, 10000)

    # ------------------------------------------------------------------ import

    def report(self, title: str, message: str, parent: QWidget | None = None) -> None:
        """A message that does not block the window (and a status line)."""
        self.window.show_status(message.splitlines()[0], 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent or self.window)
        box.setObjectName("AgreementMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()

    def import_coding(self, path: Path | None = None, name: str | None = None) -> ImportResult | None:
        """Ask for a colleague's file and a name, confirm replacing a coder of that name, import, and show
        the agreement view on them."""
        from summit_reader.core.coders import import_coder, suggest_coder_name

        parent: QWidget = self.view if self.view is not None and shiboken6.isValid(self.view) and self.view.isVisible() else self.window
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                parent, "A colleague's coding: their library or annotation export", str(self.library.path.parent), CODING_FILTER
            )
            if not chosen:
                return None
            path = Path(chosen)
        if name is None:
            suggested = suggest_coder_name(self.library, path)
            answer, ok = QInputDialog.getText(
                parent,
                "Second coder",
                "The second coder's name (importing the same name again replaces their coding):",
                QLineEdit.EchoMode.Normal,
                suggested,
            )
            if not ok:
                return None
            name = answer
        try:
            existing = self.library.find_coder(name)
        except SummitReaderError as exc:
            self.report("The coding was not imported", str(exc), parent)
            return None
        if existing is not None:
            button = QMessageBox.question(
                parent,
                "Replace the second coder?",
                f"There is already a second coder called “{existing.name}” ({existing.annotation_count} annotations "
                f"from {existing.source}, imported {existing.imported_at}).\n\nReplace their coding with the one in "
                f"“{path.name}”? Disagreements you resolved stay resolved where they are still the same.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if button != QMessageBox.StandardButton.Yes:
                return None
        try:
            result = import_coder(self.library, path, name)
        except SummitReaderError as exc:
            self.report("The coding was not imported", f"Nothing was imported from “{path.name}”.\n\n{exc}", parent)
            return None
        self.last_import = result
        c = result.coder
        summary = (
            f"{'Replaced the coding of' if result.replaced else 'Imported'} {c.name}: {c.annotation_count} annotation"
            f"{'s' if c.annotation_count != 1 else ''} over {c.document_count} document{'s' if c.document_count != 1 else ''}."
        )
        self.window.show_status(summary, 10000)
        view = self.open(c.name)
        view.set_message(" ".join([summary, *result.messages]))
        return result

    # ------------------------------------------------------------------ export

    def export_figures(self, path: Path | None = None) -> Path | None:
        """Save the figures the view shows (coder and unit as chosen) as CSV, the rows of ``summit-reader
        agreement --by both --format csv``; the file is asked for when ``path`` is None."""
        from summit_reader.core.coders import write_agreement_csv

        view = self.view
        result = view.result if view is not None and shiboken6.isValid(view) else None
        parent: QWidget = view if view is not None and shiboken6.isValid(view) and view.isVisible() else self.window
        if result is None:
            self.report("Nothing to export", "There are no agreement figures to export yet.", parent)
            return None
        if path is None:
            default = self.library.path.parent / f"agreement-{result.coder.name}-{result.unit}.csv"
            chosen, _ = QFileDialog.getSaveFileName(parent, "Export the agreement figures", str(default), "CSV (*.csv)")
            if not chosen:
                return None
            path = Path(chosen) if Path(chosen).suffix else Path(chosen).with_suffix(".csv")
        try:
            count = write_agreement_csv(result, path)
        except SummitReaderError as exc:
            self.report("The figures were not exported", str(exc), parent)
            return None
        message = f"Saved {count} row(s) of agreement with {result.coder.name} ({result.unit} units) to {path}."
        self.window.show_status(message, 10000)
        if view is not None and shiboken6.isValid(view):
            view.set_message(message)
        return path

    # ------------------------------------------------------------------ resolving

    def resolve(self, detail: DisagreementDetail, action: str) -> ResolutionOutcome | None:
        """Resolve in the window's library, push it on the undo stack and show the change everywhere."""
        from summit_reader.core import coders

        parent = self.view if self.view is not None and shiboken6.isValid(self.view) else self.window
        if self._is_stale():
            self.report("The disagreement was not resolved", "The window now shows another library; the figures "
                        "are being computed again for it.", parent)
            self.refresh()
            return None
        try:
            outcome = coders.resolve(self.library, detail, action)
        except SummitReaderError as exc:
            self.report("The disagreement was not resolved", str(exc), parent)
            self.refresh()
            return None
        host = self.window.annotations
        host.stack.push(ResolveDisagreement(host, outcome, detail.coder.name))
        host.changed({detail.disagreement.document_id})
        self.window.show_status(f"{coders.describe_outcome(outcome, detail.coder.name)} Ctrl+Z undoes it.", 8000)
        self._refresh_timer.start()  # (one refresh with the undo stack's own)
        return outcome

    def show_disagreement(self, detail: DisagreementDetail) -> ReaderPane | None:
        """The passage in a reading pane (the one showing its document, else the active one), selected."""
        window = self.window
        d = detail.disagreement
        if self._is_stale():
            self.refresh()
            return None
        try:
            text = window.service.document(d.document_id).text
        except SummitReaderError:
            window.show_status(f"“{detail.document_title}” is no longer in the library.", 8000)
            return None
        if text[d.start : d.end] != detail.passage:
            window.show_status(f"The text of “{detail.document_title}” changed: the figures are being computed again.", 8000)
            self.refresh()
            return None
        pane = window.pane_for_document(d.document_id) or window.open_document(d.document_id)
        if pane is None:
            return None
        window._set_active(pane)
        pane.select_span(d.start, d.end)
        window.show_status(f"“{d.tag}”: {'you' if d.coded_by == 'mine' else detail.coder.name} coded this passage (pane {pane.number}).", 8000)
        return pane


def install_agreement(window: MainWindow) -> AgreementCommands:
    """Add the second coder's import and the agreement view to the window's menus."""
    return AgreementCommands(window)
