"""Research → Concordance (keyword in context): the panel's dock, its menu entries, the search in a
background thread, and what a line leads to — the document in a reader pane with the keyword selected,
or the annotation editor on it.

The main window calls :func:`install_concordance` once; everything else is wired here. The lines come
from :func:`summit_reader.core.concordance.concordance`, the function ``summit-reader kwic`` prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu

from summit_reader.core.analysis import Analyzer
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.settings import DEFAULT_ZOOM
from summit_reader.core.store import Library
from summit_reader.ui.actions import _action
from summit_reader.ui.lazy_dock import LazyDock
from summit_reader.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from summit_reader.core.concordance import ConcordanceLine
    from summit_reader.core.lexicon import Lexicon
    from summit_reader.ui.main_window import MainWindow
    from summit_reader.ui.widgets.concordance_view import ConcordanceView
    from summit_reader.ui.widgets.reader_pane import ReaderPane

# summit_reader.core.concordance and the panel (ConcordanceView) are imported on first use: the dock is a
# LazyDock, whose panel is built when it is first shown or asked for (README, "Performance").

SHORTCUT = "Ctrl+K"


@dataclass(frozen=True)
class _Search:
    """What the lines on show answer: kept with them, for the export and the panes' F3."""

    label: str  # the category's name, or the term as searched (lower case, single spaces)
    category: bool
    lexicon: str  # Lexicon.label at the time of the search
    library_path: Path

    def describe(self) -> str:
        return f"the category “{self.label}”" if self.category else f"“{self.label}”"


class ConcordanceCommands(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._view: ConcordanceView | None = None
        self.search: _Search | None = None
        self.task: BackgroundTask | None = None
        self._pending: _Search | None = None

        self.action = _action(
            window,
            "&Concordance (keyword in context)…",
            "List every occurrence of a word, glob, phrase or category across the library, with its context",
            [SHORTCUT],
        )
        self.action.triggered.connect(lambda: self.open())
        window.research_menu.addAction(self.action)

        dock = LazyDock("Concordance", "ConcordanceDock", window, self._build_view)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.hide()  # until asked for (the window's saved layout may show it again)
        toggle = dock.toggleViewAction()
        toggle.setText("C&oncordance panel")
        toggle.setStatusTip("Show or hide the concordance (keyword in context) panel")
        self._add_to_view_menu(toggle)
        dock.visibilityChanged.connect(lambda visible: self._on_shown() if visible else None)
        self.dock = dock

        # an empty library shows the welcome view alone (as the window does with its docks)
        self._shown_before_welcome = False
        window.stack.currentChanged.connect(lambda _i: self._on_page_changed())
        # the panel's type follows the reading text's size (View → Zoom, Classroom size), for a projector
        for zoom in (window.action_zoom_in, window.action_zoom_out, window.action_zoom_reset, window.action_classroom):
            zoom.triggered.connect(self._follow_zoom)

    @property
    def view(self) -> ConcordanceView:
        """The panel, built now if its dock was never shown."""
        self.dock.content()
        assert self._view is not None
        return self._view

    def _build_view(self) -> ConcordanceView:
        from summit_reader.ui.widgets.concordance_view import ConcordanceView

        view = ConcordanceView()
        self._view = view
        view.searchRequested.connect(self.run)
        view.lineActivated.connect(self.show_line)
        view.annotateRequested.connect(self.annotate_line)
        view.exportRequested.connect(lambda: self.export())
        view.set_categories(self._lexicon().category_names)
        self._follow_zoom()
        return view

    def _on_page_changed(self) -> None:
        if self.window.showing_welcome():
            self._shown_before_welcome = self._shown_before_welcome or not self.dock.isHidden()
            self.dock.hide()
        elif self._shown_before_welcome:
            self._shown_before_welcome = False
            self.dock.show()

    def _follow_zoom(self) -> None:
        if self._view is not None:  # (a panel not built yet takes the size when it is)
            self._view.set_text_scale(self.window.zoom / DEFAULT_ZOOM)

    def _add_to_view_menu(self, toggle: QAction) -> None:
        for action in self.window.menuBar().actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and action.text().replace("&", "") == "View":
                anchor = self.window.table_dock.toggleViewAction()
                actions = menu.actions()
                after = actions.index(anchor) + 1 if anchor in actions else len(actions)
                # after the window's and the annotations panel's toggles (the panels' block)
                while after < len(actions) and not actions[after].isSeparator():
                    after += 1
                if after < len(actions):
                    menu.insertAction(actions[after], toggle)
                else:
                    menu.addAction(toggle)
                return
        self.window.addAction(toggle)

    def _lexicon(self) -> Lexicon:
        return self.window.analyzer.lexicon

    # ------------------------------------------------------------------ opening and searching

    def open(self, query: str | None = None, *, category: bool = False) -> None:
        """Show the panel (and search for ``query`` if given); without a query, the cursor goes to the
        query field with the word selected in the active pane, if any, ready to search."""
        self.dock.show()
        self.dock.raise_()
        self._on_shown()
        if query is not None:
            self.view.set_query(query, category)
            self.run(query, category, self.view.width_spin.value())
            return
        pane = self.window.active_pane
        selected = " ".join(pane.selected_text().split()) if pane is not None else ""
        if selected and len(selected) <= 80 and not self.view.query_edit.text():
            self.view.query_edit.setText(selected)
        self.view.query_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.view.query_edit.selectAll()

    def _on_shown(self) -> None:
        self.view.set_categories(self._lexicon().category_names)
        self._follow_zoom()
        if self.search is not None and self.search.library_path != self.window.library.path:
            self._forget("The library changed: search again.")

    def _forget(self, message: str) -> None:
        self.search = None
        self.view.set_lines([], message)

    def run(self, query: str, category: bool, width: int) -> BackgroundTask | None:
        """Search in a background thread; the lines replace the panel's when they come."""
        from summit_reader.core.concordance import concordance, normalise_term

        lexicon = self._lexicon()
        try:
            label = lexicon.category(query).name if category else normalise_term(query)
        except SummitReaderError as exc:
            self.view.set_busy(str(exc))
            self.window.show_status(str(exc), 8000)
            return None
        if self.task is not None:
            self.task.cancel()  # its lines are not wanted any more
        wanted = _Search(label, category, lexicon.label, self.window.library.path)
        path = wanted.library_path

        def work(report: Callable[[object], None]) -> list[ConcordanceLine]:
            library = Library(path)  # its own connection: SQLite connections stay in their thread
            try:
                return concordance(
                    library,
                    Analyzer(lexicon),
                    label,
                    category=category,
                    width=width,
                    progress=lambda done, total, _doc: report((done, total)),
                    cancelled=task.cancelled.is_set,
                )
            finally:
                library.close()

        task = BackgroundTask(work, self, name="summit-reader-concordance")
        task.progress.connect(lambda value, t=task: self._on_progress(t, value))
        task.succeeded.connect(lambda lines, t=task, s=wanted: self._on_found(t, s, lines))
        task.failed.connect(lambda message, t=task: self._on_failed(t, message))
        task.finished.connect(task.deleteLater)
        self.task = task
        self._pending = wanted
        self.view.set_busy(f"Searching for {wanted.describe()}…")
        return task.start()

    @property
    def busy(self) -> bool:
        return self.task is not None

    def _on_progress(self, task: BackgroundTask, value: object) -> None:
        if task is self.task and self._pending is not None and isinstance(value, tuple):
            done, total = value
            self.view.set_busy(f"Searching for {self._pending.describe()}… {done} of {total} documents")

    def _on_found(self, task: BackgroundTask, search: _Search, lines: list[ConcordanceLine]) -> None:
        if task is not self.task or task.cancelled.is_set():
            return
        self.task = None
        self._pending = None
        self.search = search
        documents = len({line.document_id for line in lines})
        if lines:
            summary = (
                f"{len(lines):,} occurrence{'s' if len(lines) != 1 else ''} of {search.describe()} "
                f"in {documents} document{'s' if documents != 1 else ''}"
            )
        else:
            summary = f"No occurrence of {search.describe()} in the library."
        self.view.set_lines(lines, summary)
        self.window.show_status(summary, 6000)

    def _on_failed(self, task: BackgroundTask, message: str) -> None:
        if task is not self.task:
            return
        self.task = None
        self._pending = None
        self.view.set_busy(message)
        self.window.show_status(message, 10000)

    # ------------------------------------------------------------------ a line

    def show_line(self, line: ConcordanceLine) -> ReaderPane | None:
        """The line's document in a pane (the one showing it, else the active one), its keyword selected;
        F3 then steps through the same query in that document."""
        window = self.window
        search = self.search
        if search is None or search.library_path != window.library.path:
            self._forget("The library changed: search again.")
            window.show_status("The library changed since this search: search again.", 8000)
            return None
        try:
            doc = window.service.document(line.document_id)
        except SummitReaderError:
            window.show_status(f"“{line.title}” is no longer in the library: search again.", 8000)
            return None
        if not line.found_in(doc.text):
            window.show_status(f"The text of “{line.title}” changed since this search: search again.", 8000)
            return None
        pane = window.pane_for_document(line.document_id) or window.open_document(line.document_id)
        if pane is None:
            return None
        window._set_active(pane)
        if search.category:
            pane.navigate_category(line.category)
        else:
            spans = sorted((o.start, o.end) for o in self.view.model.lines if o.document_id == line.document_id)
            pane.set_navigation(spans, f"“{search.label}”")
        pane.select_span(line.start, line.end)
        window.show_status(f"“{line.keyword}” in pane {pane.number} — F3 for the next in this document.", 6000)
        return pane

    def annotate_line(self, line: ConcordanceLine) -> None:
        """Select the keyword in its pane and open the annotation editor on it (as Edit → Annotate)."""
        if self.show_line(line) is not None:
            self.window.annotations.annotate_selection()

    # ------------------------------------------------------------------ export

    def export(self, path: Path | None = None) -> Path | None:
        """Save the lines on show, in their order, as CSV (the query and lexicon on each row)."""
        from summit_reader.core.concordance import write_concordance_csv

        search = self.search
        lines = self.view.model.lines if search is not None else []
        if search is None or not lines:
            self.window.show_status("Nothing to export: search for a word or a category first.", 6000)
            return None
        if path is None:
            stem = "".join(ch if ch.isalnum() else "-" for ch in search.label).strip("-") or "query"
            name, _chosen = QFileDialog.getSaveFileName(
                self.window, "Export concordance", str(Path.home() / f"concordance-{stem}.csv"), "CSV (*.csv)"
            )
            if not name:
                return None
            path = Path(name)
            if not path.suffix:
                path = path.with_suffix(".csv")
        try:
            n = write_concordance_csv(
                lines, path, query=search.label, category=search.category, lexicon=search.lexicon
            )
        except SummitReaderError as exc:
            self.window.report_errors("Export failed", [str(exc)])
            return None
        self.window.show_status(f"Saved {n:,} lines to {path}.", 6000)
        return path


def install_concordance(window: MainWindow) -> ConcordanceCommands:
    return ConcordanceCommands(window)
