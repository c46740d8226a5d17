"""The reader window: library, side-by-side panes, legend, evolution graph and language table.

The window paints before spaCy or pyqtgraph is imported: the panes take analyses from the library's cache,
the graph is built just after the first paint (or when its dock is first shown) and anything not yet
analysed is analysed in a worker thread with a progress bar in the status bar.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.analysis import Analyzer, Match
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.lexicon import load_lexicon
from summit_reader.core.settings import (
    CLASSROOM_ZOOM,
    DEFAULT_ZOOM,
    MAX_PANES,
    MAX_ZOOM,
    MIN_PANES,
    MIN_ZOOM,
    Settings,
)
from summit_reader.core.store import Library
from summit_reader.ui import gc_pause
from summit_reader.ui.actions import Actions
from summit_reader.ui.agreement_commands import install_agreement
from summit_reader.ui.analysis_service import AnalysisService
from summit_reader.ui.annotation_controller import AnnotationController
from summit_reader.ui.classroom import install_classroom
from summit_reader.ui.concordance_commands import install_concordance
from summit_reader.ui.document_commands import DocumentCommands
from summit_reader.ui.highlight_style import HighlightPalette
from summit_reader.ui.lexicon_commands import install_lexicon_commands
from summit_reader.ui.qda_commands import install_qda_commands
from summit_reader.ui.webanno_commands import install_web_annotations
from summit_reader.ui.widgets.find_bar import FindBar
from summit_reader.ui.widgets.legend import Legend
from summit_reader.ui.widgets.library_panel import LibraryPanel
from summit_reader.ui.widgets.reader_pane import ReaderPane
from summit_reader.ui.widgets.stats_table import StatsView

if TYPE_CHECKING:
    from summit_reader.ui.widgets.term_graph import TermGraph
    from summit_reader.ui.widgets.welcome import WelcomeView

ZOOM_STEP = 1.12
LIBRARY_FILTER = "Summit Reader library (*.sqlite3 *.sqlite *.db);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(self, library: Library, *, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else Settings.load()
        self.library = library
        self._owned_library: Library | None = None  # a library this window opened itself (demo, Open…)
        self.lexicon = load_lexicon()
        self.analyzer = Analyzer(self.lexicon)
        self.highlight_palette = HighlightPalette(self.lexicon, self.palette())
        self.service = self._make_service(library)
        self.panes: list[ReaderPane] = []
        self.graph: TermGraph | None = None
        self._active: ReaderPane | None = None
        self._syncing = False
        self._zoom = self.settings.zoom
        self._closing = False
        self._welcome_mode = False
        self._find_origin = 0
        self._opening_panes = False  # while the start-up panes open (the legend counts once, after them)
        self._docks_before_welcome: list[QDockWidget] = []
        self.setObjectName("SummitReaderMainWindow")
        self.setAccessibleName("Summit Reader")

        self.acts = Actions(self)
        acts = self.acts
        self.action_import = acts.import_
        self.action_open_demo = acts.open_demo
        self.action_open_library = acts.open_library
        self.action_new_library = acts.new_library
        self.action_export_graph_data = acts.export_graph_data
        self.action_export_graph_picture = acts.export_graph_picture
        self.action_export_table = acts.export_table
        self.action_quit = acts.quit
        self.action_add_pane = acts.add_pane
        self.action_remove_pane = acts.remove_pane
        self.action_swap_panes = acts.swap_panes
        self.action_zoom_in = acts.zoom_in
        self.action_zoom_out = acts.zoom_out
        self.action_zoom_reset = acts.zoom_reset
        self.action_classroom = acts.classroom
        self.action_sync_scroll = acts.sync_scroll
        self.action_full_screen = acts.full_screen
        self.action_find = acts.find
        self.action_next_occurrence = acts.next_occurrence
        self.action_prev_occurrence = acts.prev_occurrence
        self.action_next_occurrence_all = acts.next_occurrence_all
        self.action_next_pane = acts.next_pane
        self.action_next_document = acts.next_document
        self.action_prev_document = acts.prev_document
        self.action_shortcuts = acts.shortcuts

        self._build_central()
        self._build_docks()
        self._build_menus()
        self._build_status_bar()
        self._connect_actions()
        # import, paste, drag and drop, details, delete, the summit texts, backups (and their actions)
        self.documents_ui = DocumentCommands(self)
        # presentation mode, themes, screen-reader descriptions, export for slides (and their actions)
        self.classroom = install_classroom(self)
        # annotating: marks in the panes, the annotations panel, editor, tags, undo/redo, export, refresh
        self.annotations = AnnotationController(self)
        self.agreement = install_agreement(self)  # a second coder: import, Research → Agreement between coders
        self.qda_ui = install_qda_commands(self)  # File → research tools → REFI-QDA project and codebook
        self.lexicon_ui = install_lexicon_commands(self)  # Lexicon → Load…, Save as…, Edit…, the default
        self.web_annotations = install_web_annotations(self)  # File → Import from / Export to research tools
        self.concordance = install_concordance(self)  # Research → Concordance (keyword in context)
        self._stats_timer = QTimer(self)
        self._stats_timer.setSingleShot(True)
        self._stats_timer.setInterval(60)
        self._stats_timer.timeout.connect(self._refresh_stats)

        self._restore()
        # The graph (pyqtgraph) and the analysis worker start once the window has painted (paintEvent), or
        # on the first turn of the event loop when it is not shown.
        self._painted = False
        QTimer.singleShot(0, self._start_unless_painting)

    # ================================================================== building

    def _make_service(self, library: Library) -> AnalysisService:
        service = AnalysisService(library, self.analyzer, self)
        service.documentsChanged.connect(self._on_documents_changed)
        service.analysisReady.connect(self._on_analysis_ready)
        service.busyChanged.connect(self._on_busy_changed)
        service.progress.connect(self._on_progress)
        service.failed.connect(lambda message: self.show_status(message, 10000))
        return service

    def _build_central(self) -> None:
        self._welcome: WelcomeView | None = None  # built when the library is empty (see ``welcome``)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(6)
        self.find_bar = FindBar()
        self.find_bar.hide()
        self.find_bar.searchChanged.connect(self._on_find_changed)
        self.find_bar.nextRequested.connect(lambda: self.step_occurrence(True))
        self.find_bar.previousRequested.connect(lambda: self.step_occurrence(False))
        self.find_bar.closed.connect(self._on_find_closed)
        self.reading = QWidget()
        layout = QVBoxLayout(self.reading)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.find_bar)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.reading)
        self.setCentralWidget(self.stack)

    @property
    def welcome(self) -> WelcomeView:
        """What an empty library shows, built the first time it is needed (most starts never need it).
        Its buttons trigger the window's actions."""
        if self._welcome is None:
            from summit_reader.ui.widgets.welcome import WelcomeView

            view = WelcomeView()
            view.importRequested.connect(self.action_import.trigger)
            view.demoRequested.connect(self.action_open_demo.trigger)
            view.pasteRequested.connect(self.acts.paste_document.trigger)
            view.corpusRequested.connect(self.acts.get_corpus.trigger)
            self._welcome = view  # (before it joins the stack, whose currentChanged handlers may ask for it)
            self.stack.insertWidget(0, view)
        return self._welcome

    def showing_welcome(self) -> bool:
        """Whether the welcome view is on show (without building it, as ``welcome`` would)."""
        return self._welcome is not None and self.stack.currentWidget() is self._welcome

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea, key: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        toggle = dock.toggleViewAction()
        toggle.setShortcut(QKeySequence(key))
        toggle.setStatusTip(f"Show or hide the {title.lower()}")
        self.addAction(toggle)
        return dock

    def _build_docks(self) -> None:
        self.setDockNestingEnabled(True)
        self.library_panel = LibraryPanel()
        self.library_panel.openRequested.connect(lambda doc_id: self.open_document(doc_id))
        self.legend = Legend(self.lexicon, self.highlight_palette)
        self.legend.hiddenChanged.connect(self._on_hidden_changed)
        self.legend.categoryActivated.connect(self.step_category_in_active_pane)
        self.stats_view = StatsView()
        self.stats_view.text_for = self._text_for
        self.stats_view.matchActivated.connect(self.show_match_in_document)
        self.stats_view.export_button.clicked.connect(lambda: self.export_table())
        self.graph_placeholder = QLabel("Loading the graph…")
        self.graph_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        self.library_dock = self._dock("Library", "LibraryDock", self.library_panel, left, "Ctrl+1")
        self.legend_dock = self._dock("Legend", "LegendDock", self.legend, left, "Ctrl+2")
        self.graph_dock = self._dock("Evolution graph", "GraphDock", self.graph_placeholder, Qt.DockWidgetArea.RightDockWidgetArea, "Ctrl+3")
        self.table_dock = self._dock("Language table", "TableDock", self.stats_view, Qt.DockWidgetArea.BottomDockWidgetArea, "Ctrl+4")
        self.splitDockWidget(self.library_dock, self.legend_dock, Qt.Orientation.Vertical)
        self.table_dock.hide()
        self.graph_dock.visibilityChanged.connect(lambda visible: visible and self._schedule_graph())
        self.resizeDocks([self.library_dock, self.graph_dock], [330, 470], Qt.Orientation.Horizontal)
        self.resizeDocks([self.library_dock, self.legend_dock], [260, 520], Qt.Orientation.Vertical)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.action_import, self.acts.get_corpus, self.action_open_demo])
        file_menu.addSeparator()
        file_menu.addActions([self.action_open_library, self.action_new_library, self.acts.restore_backup])
        file_menu.addSeparator()
        file_menu.addActions([self.action_export_graph_data, self.action_export_graph_picture, self.action_export_table])
        slides_menu = file_menu.addMenu("Export for s&lides")
        slides_menu.addActions([self.acts.export_graph_slides, self.acts.export_pane_slides])
        file_menu.addSeparator()
        # Exchange with other research tools (REFI-QDA, W3C Web Annotation, a colleague's coding): the
        # features fill these sub-menus themselves.
        self.import_from_menu = file_menu.addMenu("Import &from research tools")
        self.export_to_menu = file_menu.addMenu("Export &to research tools")
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addAction(self.acts.paste_document)
        view = bar.addMenu("&View")
        view.addActions([self.action_add_pane, self.action_remove_pane, self.action_swap_panes])
        view.addSeparator()
        view.addActions([self.action_zoom_in, self.action_zoom_out, self.action_zoom_reset, self.action_classroom])
        view.addSeparator()
        view.addAction(self.action_sync_scroll)
        graph_menu = view.addMenu("&Graph")
        graph_menu.addActions([self.acts.graph_rate, self.acts.graph_count, self.acts.graph_scales])
        view.addSeparator()
        for dock in (self.library_dock, self.legend_dock, self.graph_dock, self.table_dock):
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        view.addAction(self.action_full_screen)
        view.addAction(self.acts.present)
        view.addMenu("T&heme").addActions(list(self.acts.themes.values()))
        self.document_menu = bar.addMenu("&Document")
        self.document_menu.addActions([self.acts.edit_details, self.acts.delete_document])
        go = bar.addMenu("&Go")
        go.addActions([self.action_find, self.action_next_occurrence, self.action_prev_occurrence, self.action_next_occurrence_all])
        go.addSeparator()
        go.addActions([self.action_next_pane, self.action_next_document, self.action_prev_document])
        go.addSeparator()
        go.addActions([self.acts.describe_word, self.acts.describe_graph])
        # Filled by the features that own them: the lexicon (load, save, edit) and the research views
        # (concordance, agreement between coders).
        self.lexicon_menu = bar.addMenu("&Lexicon")
        self.research_menu = bar.addMenu("&Research")
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.action_shortcuts)

    def _build_status_bar(self) -> None:
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Analysis progress")
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.progress_label = QLabel()
        self.progress_label.hide()
        self.statusBar().addPermanentWidget(self.progress_label)
        self.statusBar().addPermanentWidget(self.progress_bar)

    def _connect_actions(self) -> None:
        self.action_import.triggered.connect(lambda: self.import_files())
        self.action_open_demo.triggered.connect(self.open_demo)
        self.action_open_library.triggered.connect(lambda: self.open_library())
        self.action_new_library.triggered.connect(lambda: self.new_library())
        self.action_export_graph_data.triggered.connect(lambda: self.export_graph_data())
        self.action_export_graph_picture.triggered.connect(lambda: self.export_graph_picture())
        self.action_export_table.triggered.connect(lambda: self.export_table())
        self.action_quit.triggered.connect(self.close)
        self.action_add_pane.triggered.connect(lambda: self.add_pane())
        self.action_remove_pane.triggered.connect(lambda: self.remove_pane())
        self.action_swap_panes.triggered.connect(self.swap_panes)
        self.action_zoom_in.triggered.connect(lambda: self.set_zoom(self._zoom * ZOOM_STEP))
        self.action_zoom_out.triggered.connect(lambda: self.set_zoom(self._zoom / ZOOM_STEP))
        self.action_zoom_reset.triggered.connect(lambda: self.set_zoom(DEFAULT_ZOOM))
        self.action_classroom.triggered.connect(lambda: self.set_zoom(CLASSROOM_ZOOM))
        self.action_sync_scroll.toggled.connect(self._on_sync_toggled)
        self.action_full_screen.toggled.connect(lambda on: self.showFullScreen() if on else self.showNormal())
        self.acts.graph_rate.triggered.connect(lambda: self.set_graph_mode("rate"))
        self.acts.graph_count.triggered.connect(lambda: self.set_graph_mode("count"))
        self.acts.graph_scales.triggered.connect(lambda: self.set_graph_mode("scales"))
        self.action_find.triggered.connect(self.open_find)
        self.action_next_occurrence.triggered.connect(lambda: self.step_occurrence(True))
        self.action_prev_occurrence.triggered.connect(lambda: self.step_occurrence(False))
        self.action_next_occurrence_all.triggered.connect(self.step_all_panes)
        self.action_next_pane.triggered.connect(self._activate_next_pane)
        self.action_next_document.triggered.connect(lambda: self._step_document(1))
        self.action_prev_document.triggered.connect(lambda: self._step_document(-1))
        self.action_shortcuts.triggered.connect(self.show_shortcuts)

    # ============================================================ state restore

    def _same_library(self) -> bool:
        with contextlib.suppress(OSError):
            return bool(self.settings.library_path) and Path(self.settings.library_path).resolve() == self.library.path.resolve()
        return False

    def _restore(self) -> None:
        s = self.settings
        if s.problem:
            self.show_status(s.problem, 15000)
        self.legend.set_hidden_categories(set(s.hidden_categories) & set(self.lexicon.category_names), notify=False)
        self.action_sync_scroll.setChecked(s.sync_scroll)
        self._update_graph_mode_actions(s.graph_mode)
        self._open_initial_documents(restore=self._same_library())
        self._restore_geometry()
        self._on_documents_changed()

    def _open_initial_documents(self, *, restore: bool) -> None:
        for pane in list(self.panes):
            self._discard_pane(pane)
        ids = {s.id for s in self.service.summaries}
        if restore:
            count = max(MIN_PANES, min(MAX_PANES, self.settings.pane_count))
            wanted: list[int | None] = [
                d if d in ids else None for d in (list(self.settings.open_documents) + [None] * MAX_PANES)[:count]
            ]
        else:
            summaries = self.service.summaries
            wanted = [None, None]
            if summaries:
                wanted = [summaries[0].id, summaries[-1].id] if len(summaries) > 1 else [summaries[0].id, None]
        self._opening_panes = True
        try:
            for doc_id in wanted:
                pane = self.add_pane()
                if pane is not None and doc_id is not None:
                    self.open_document(doc_id, pane)
        finally:
            self._opening_panes = False
        self._update_legend_counts()
        if self.panes:
            self._set_active(self.panes[0])

    def _window_settings(self) -> QSettings:
        return QSettings(str(self.settings.path.with_name("window.ini")), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        qs = self._window_settings()
        geometry = qs.value("geometry")
        state = qs.value("state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        sizes = qs.value("splitter")
        if isinstance(sizes, QByteArray) and not sizes.isEmpty():
            self.splitter.restoreState(sizes)

    def save_state(self) -> None:
        """Write the settings file and the window geometry (called on close)."""
        s = self.settings
        s.pane_count = len(self.panes)
        s.open_documents = [p.document_id for p in self.panes]
        s.zoom = self._zoom
        s.hidden_categories = sorted(self.legend.hidden_categories())
        s.sync_scroll = self.action_sync_scroll.isChecked()
        s.graph_mode = self.graph.mode if self.graph is not None else s.graph_mode
        s.library_path = str(self.library.path)
        try:
            s.save()
        except OSError as exc:
            self.show_status(f"The settings could not be saved: {exc.strerror or exc}.", 10000)
        if self._welcome_mode:  # remember the docks as they will be when there are documents
            self._set_welcome_mode(False)
        qs = self._window_settings()
        qs.setValue("geometry", self.saveGeometry())
        qs.setValue("state", self.saveState())
        qs.setValue("splitter", self.splitter.saveState())
        qs.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing:
            self._closing = True
            self.save_state()
            self.service.shutdown()
            if self._owned_library is not None:
                self._owned_library.close()
                self._owned_library = None
        super().closeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)  # after this frame (panes included) is drawn

    def _start_unless_painting(self, waited: int = 0) -> None:
        if self._painted:
            return
        if self.isVisible() and waited < 2000:  # shown: its first paint is on its way
            QTimer.singleShot(50, lambda: self._start_unless_painting(waited + 50))
            return
        self._painted = True
        self._after_first_paint()

    def _after_first_paint(self) -> None:
        if self._closing:
            return
        self.documents_ui.accept_file_drops()  # (an application event filter: not before the first paint)
        if self.graph_dock.isVisible():
            self.ensure_graph()
        self.service.request_all()
        # spaCy, in the worker thread (the graph is drawn meanwhile); then the window is fully interactive
        self.service.engineReady.connect(gc_pause.resume)
        self.service.warm_up()

    # ===================================================================== panes

    @property
    def active_pane(self) -> ReaderPane | None:
        return self._active if self._active in self.panes else (self.panes[0] if self.panes else None)

    def _set_active(self, pane: ReaderPane) -> None:
        previous = self._active
        self._active = pane
        for p in self.panes:
            p.set_active(p is pane)
        if previous is not pane and self.find_bar.isVisible():
            self._find_origin = pane.selection_span()[0]
            self._on_find_changed(self.find_bar.edit.text())

    def add_pane(self, doc_id: int | None = None) -> ReaderPane | None:
        if len(self.panes) >= MAX_PANES:
            self.show_status(f"At most {MAX_PANES} panes.")
            return None
        pane = ReaderPane(len(self.panes) + 1, self.highlight_palette)
        pane.set_font_size(self._zoom)
        pane.set_hidden_categories(self.legend.hidden_categories())
        pane.set_documents(self.service.summaries)
        pane.documentChosen.connect(lambda p, d: self.open_document(d, p))
        pane.closeRequested.connect(lambda p: self.remove_pane(p))
        pane.activated.connect(self._set_active)
        pane.view.verticalScrollBar().valueChanged.connect(lambda _v, p=pane: self._on_pane_scrolled(p))
        self.panes.append(pane)
        self.splitter.addWidget(pane)
        self.splitter.setSizes([1000] * len(self.panes))
        if hasattr(self, "annotations"):  # (panes made before it are attached when it is created)
            self.annotations.attach_pane(pane)
        if doc_id is not None:
            self.open_document(doc_id, pane)
        self._after_panes_changed()
        return pane

    def _discard_pane(self, pane: ReaderPane) -> None:
        self.panes.remove(pane)
        pane.hide()
        pane.setParent(None)
        pane.deleteLater()
        if self._active is pane:
            self._active = None

    def remove_pane(self, pane: ReaderPane | None = None) -> None:
        pane = pane or self.active_pane
        if pane is None or len(self.panes) <= MIN_PANES:
            self.show_status("The last pane stays open.")
            return
        index = self.panes.index(pane)
        self._discard_pane(pane)
        self._set_active(self.panes[min(index, len(self.panes) - 1)])
        self._after_panes_changed()

    def swap_panes(self) -> None:
        """Swap the active pane with the next one (the last with the one before it)."""
        pane = self.active_pane
        if pane is None or len(self.panes) < 2:
            return
        i = self.panes.index(pane)
        j = i + 1 if i + 1 < len(self.panes) else i - 1
        lo, hi = min(i, j), max(i, j)
        sizes = self.splitter.sizes()
        self.panes[lo], self.panes[hi] = self.panes[hi], self.panes[lo]
        self.splitter.insertWidget(lo, self.panes[lo])
        self.splitter.insertWidget(hi, self.panes[hi])
        self.splitter.setSizes(sizes)
        self._after_panes_changed()

    def _after_panes_changed(self) -> None:
        for n, pane in enumerate(self.panes, start=1):
            pane.set_number(n)
        self.action_add_pane.setEnabled(len(self.panes) < MAX_PANES)
        self.action_remove_pane.setEnabled(len(self.panes) > MIN_PANES)
        self.action_swap_panes.setEnabled(len(self.panes) > 1)
        self._update_legend_counts()

    def _activate_next_pane(self) -> None:
        if not self.panes:
            return
        pane = self.active_pane
        i = self.panes.index(pane) if pane in self.panes else -1
        nxt = self.panes[(i + 1) % len(self.panes)]
        self._set_active(nxt)
        nxt.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _step_document(self, delta: int) -> None:
        pane = self.active_pane
        summaries = self.service.summaries
        if pane is None or not summaries:
            return
        ids = [s.id for s in summaries]
        current = pane.document_id
        i = ids.index(current) + delta if current in ids else 0
        self.open_document(ids[i % len(ids)], pane)

    # ================================================================= documents

    def pane_for_document(self, doc_id: int) -> ReaderPane | None:
        active = self.active_pane
        if active is not None and active.document_id == doc_id:
            return active
        return next((p for p in self.panes if p.document_id == doc_id), None)

    def open_document(self, doc_id: int, pane: ReaderPane | None = None) -> ReaderPane | None:
        """Show the document in ``pane`` (default: the active pane)."""
        pane = pane or self.active_pane
        if pane is None:
            return None
        try:
            doc = self.service.document(doc_id)
        except SummitReaderError as exc:
            self.show_status(str(exc), 10000)
            return None
        pane.set_document(doc, self.service.analysis(doc_id))
        self._update_legend_counts()
        self.stack.setCurrentWidget(self.reading)
        return pane

    def _text_for(self, doc_id: int) -> str | None:
        try:
            return self.service.document(doc_id).text
        except SummitReaderError:
            return None

    def _on_documents_changed(self) -> None:
        summaries = self.service.summaries
        self.library_panel.set_documents(summaries)
        for doc_id, analysis in self.service.known_analyses().items():
            self.library_panel.set_word_count(doc_id, analysis.word_count)
        for pane in self.panes:
            pane.set_documents(summaries)
        self.stack.setCurrentWidget(self.reading if summaries else self.welcome)
        self._set_welcome_mode(not summaries)
        name = self.library.path.name
        self.setWindowTitle(f"Summit Reader — {name}")
        self._stats_timer.start()

    def _set_welcome_mode(self, on: bool) -> None:
        """An empty library shows the welcome view alone: the docks come back with the first document."""
        if on == self._welcome_mode:
            return
        self._welcome_mode = on
        docks = (self.library_dock, self.legend_dock, self.graph_dock, self.table_dock)
        if on:
            self._docks_before_welcome = [d for d in docks if not d.isHidden()]
            for dock in self._docks_before_welcome:
                dock.hide()
        else:
            for dock in self._docks_before_welcome:
                dock.show()
            self._docks_before_welcome = []

    def _on_analysis_ready(self, doc_id: int) -> None:
        analysis = self.service.analysis(doc_id, from_cache=False)
        if analysis is None:
            return
        self.library_panel.set_word_count(doc_id, analysis.word_count)
        for pane in self.panes:
            if pane.document_id == doc_id and pane.analysis is None:
                pane.set_analysis(analysis)
        self._update_legend_counts()
        self._stats_timer.start()

    def _update_legend_counts(self) -> None:
        if self._opening_panes:
            return
        self.legend.set_pane_analyses([p.analysis if p.document is not None else None for p in self.panes])

    def _refresh_stats(self) -> None:
        table = self.service.stats_table()
        self.stats_view.set_table(table)
        if self.graph is not None:
            self.graph.set_table(table)

    def _on_busy_changed(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.progress_label.setVisible(busy)
        if not busy:
            self.progress_label.setText("")
            self._stats_timer.start()

    def _on_progress(self, done: int, total: int, title: str) -> None:
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(done)
        self.progress_bar.setFormat(f"{done} of {total}")
        short = title if len(title) < 40 else title[:38] + "…"
        self.progress_label.setText(f"Analysing “{short}”" if title else "")

    # ================================================================ categories

    def _on_hidden_changed(self, hidden: set[str]) -> None:
        for pane in self.panes:
            pane.set_hidden_categories(hidden)
        if self.graph is not None:
            self.graph.set_hidden_categories(hidden)
        self.settings.hidden_categories = sorted(hidden)

    def show_first_occurrence(self, doc_id: int, category: str) -> Match | None:
        """Bring the document into a pane (an empty one, else the active one), select the category's first
        match there and make F3 step through the category."""
        pane = self.pane_for_document(doc_id)
        if pane is None:
            empty = next((p for p in self.panes if p.document is None), None)
            pane = self.open_document(doc_id, empty or self.active_pane)
        if pane is None:
            return None
        self._set_active(pane)
        analysis = pane.analysis
        if analysis is None:
            self.show_status("This document is still being analysed; try again in a moment.")
            return None
        total = pane.navigate_category(category)
        if not total:
            self.show_status(f"No “{category}” in this document.")
            return None
        first = analysis.matches_in(category)[0]
        pane.show_match(first)
        self.show_status(f"{category}: 1 of {total} in pane {pane.number} — F3 for the next, Shift+F3 for the previous.")
        return first

    def on_graph_point_clicked(self, doc_id: int, category: str) -> None:
        self.show_first_occurrence(doc_id, category)

    def step_category_in_active_pane(self, category: str) -> None:
        pane = self.active_pane
        if pane is None or pane.analysis is None:
            return
        if pane.navigation_label != category:
            pane.navigate_category(category)
        self._report_step(pane, pane.step(True))

    def show_match_in_document(self, doc_id: int, match: Match) -> None:
        pane = self.pane_for_document(doc_id) or self.open_document(doc_id)
        if pane is not None:
            self._set_active(pane)
            pane.navigate_category(match.category)
            pane.show_match(match)

    def step_occurrence(self, forward: bool = True) -> None:
        pane = self.active_pane
        if pane is None:
            return
        self._report_step(pane, pane.step(forward))

    def _report_step(self, pane: ReaderPane, result: tuple[int, int] | None) -> None:
        if result is None:
            self.show_status("Nothing to step through: click a point on the graph, double-click a legend entry, or search (Ctrl+F).")
            return
        index, total = result
        self.show_status(f"{pane.navigation_label}: {index} of {total} in pane {pane.number}")
        if self.find_bar.isVisible() and pane.navigation_label.startswith("“"):
            self.find_bar.set_result(index, total)

    def step_all_panes(self) -> None:
        """Step every pane to its next occurrence of the active pane's category."""
        active = self.active_pane
        if active is None:
            return
        label = active.navigation_label
        if not label or label.startswith("“"):
            m = active.match_at(active.view.textCursor().selectionStart())
            label = m.category if m is not None else ""
        if not label:
            self.show_status("Select a highlighted word, or click a graph point, first.")
            return
        for pane in self.panes:
            if pane.analysis is None:
                continue
            if pane.navigation_label != label:
                pane.navigate_category(label)
            pane.step(True)
        self.show_status(f"Every pane: next “{label}”.")

    # ==================================================================== find

    def open_find(self) -> None:
        self.stack.setCurrentWidget(self.reading)
        pane = self.active_pane
        self._find_origin = pane.selection_span()[0] if pane is not None else 0
        self.find_bar.open_bar()
        if self.find_bar.edit.text():
            self._on_find_changed(self.find_bar.edit.text())

    def _on_find_changed(self, text: str) -> None:
        pane = self.active_pane
        if pane is None:
            return
        total = pane.find(text, self._find_origin)
        index = 1 if total else 0
        self.find_bar.set_result(index, total)

    def _on_find_closed(self) -> None:
        for pane in self.panes:
            pane.clear_find()
        pane = self.active_pane
        if pane is not None:
            pane.view.setFocus()

    # ==================================================================== zoom

    @property
    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, points: float) -> None:
        points = round(max(MIN_ZOOM, min(MAX_ZOOM, points)) * 2) / 2
        self._zoom = points
        for pane in self.panes:
            pane.set_font_size(points)
        self.settings.zoom = points
        self.show_status(f"Text size {points:g} pt", 2000)

    # =========================================================== sync scrolling

    def _on_sync_toggled(self, on: bool) -> None:
        self.settings.sync_scroll = on
        if on and self.active_pane is not None:
            self._on_pane_scrolled(self.active_pane)

    def _on_pane_scrolled(self, source: ReaderPane) -> None:
        if self._syncing or not self.action_sync_scroll.isChecked():
            return
        bar = source.view.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self._syncing = True
        try:
            for pane in self.panes:
                if pane is not source:
                    other = pane.view.verticalScrollBar()
                    # a plain-text view refines its scroll range as it lays out: set it until it holds
                    for _ in range(3):
                        target = round(fraction * other.maximum())
                        if other.value() == target:
                            break
                        other.setValue(target)
        finally:
            self._syncing = False

    # ==================================================================== graph

    def _schedule_graph(self) -> None:
        if getattr(self, "_painted", False):  # (before the first paint, _after_first_paint builds it)
            QTimer.singleShot(0, self.ensure_graph)

    def ensure_graph(self) -> TermGraph:
        """Create the graph (importing pyqtgraph) if it does not exist yet."""
        if self.graph is None:
            from summit_reader.ui.widgets.term_graph import TermGraph

            graph = TermGraph(self.lexicon, self.highlight_palette)
            graph.set_hidden_categories(self.legend.hidden_categories())
            graph.set_mode(self.settings.graph_mode)
            graph.set_table(self.service.stats_table())
            graph.pointClicked.connect(self.on_graph_point_clicked)
            graph.modeChanged.connect(self._on_graph_mode_changed)
            self.graph = graph
            self.graph_dock.setWidget(graph)
            self.graph_placeholder.deleteLater()
        return self.graph

    def set_graph_mode(self, mode: str) -> None:
        self.ensure_graph().set_mode(mode)
        self.graph_dock.show()
        self._update_graph_mode_actions(mode)

    def _on_graph_mode_changed(self, mode: str) -> None:
        self.settings.graph_mode = mode
        self._update_graph_mode_actions(mode)

    def _update_graph_mode_actions(self, mode: str) -> None:
        self.acts.graph_rate.setChecked(mode == "rate")
        self.acts.graph_count.setChecked(mode == "count")
        self.acts.graph_scales.setChecked(mode == "scales")

    # ================================================================== exports

    def _ask_save_path(self, caption: str, name: str, filters: str) -> Path | None:
        path, chosen = QFileDialog.getSaveFileName(self, caption, str(Path.home() / name), filters)
        if not path:
            return None
        result = Path(path)
        if not result.suffix:
            suffix = ".svg" if "svg" in chosen.lower() and "png" not in chosen.lower() else Path(name).suffix
            result = result.with_suffix(suffix)
        return result

    def export_graph_data(self, path: Path | None = None) -> Path | None:
        graph = self.ensure_graph()
        path = path or self._ask_save_path("Export graph data", "summit-reader-graph.csv", "CSV (*.csv)")
        if path is None:
            return None
        header, rows = graph.data_rows()
        label = self.analyzer.lexicon.label  # every export says which lexicon counted it (a last column)
        return self._write_csv([*header, "lexicon"], [[*row, label] for row in rows], path)

    def export_table(self, path: Path | None = None) -> Path | None:
        path = path or self._ask_save_path("Export language table", "summit-reader-language-table.csv", "CSV (*.csv)")
        if path is None:
            return None
        header, rows = self.stats_view.model.export_rows()
        label = self.analyzer.lexicon.label
        return self._write_csv([*header, "lexicon"], [[*row, label] for row in rows], path)

    def _write_csv(self, header: Sequence[str], rows: Sequence[Sequence[object]], path: Path) -> Path | None:
        from summit_reader.core.export import write_table_csv  # (not needed to open the window)

        try:
            n = write_table_csv(header, rows, path)
        except SummitReaderError as exc:
            self.report_errors("Export failed", [str(exc)])
            return None
        self.show_status(f"Saved {n} rows to {path}.", 6000)
        return path

    def export_graph_picture(self, path: Path | None = None) -> Path | None:
        graph = self.ensure_graph()
        path = path or self._ask_save_path("Export graph picture", "summit-reader-graph.png", "PNG picture (*.png);;SVG drawing (*.svg)")
        if path is None:
            return None
        try:
            graph.export_picture(path)
        except SummitReaderError as exc:
            self.report_errors("Export failed", [str(exc)])
            return None
        self.show_status(f"Saved the graph to {path}.", 6000)
        return path

    # =================================================================== import

    def import_files(self, paths: Sequence[Path] | None = None, *, ask: bool = True) -> list[int]:
        """Import files (text, Markdown, HTML, PDF, DOCX); return the new document ids. With ``ask``, each
        file's details are asked and a duplicate asks Skip / Import anyway. See DocumentCommands."""
        return self.documents_ui.import_files(paths, ask=ask)

    def report_errors(self, title: str, messages: Sequence[str]) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, "\n\n".join(messages), QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.exec()

    # ================================================================ libraries

    def open_demo(self) -> None:
        from summit_reader.core.demo import open_demo_library

        try:
            library = open_demo_library()
        except SummitReaderError as exc:
            self.report_errors("The demo set cannot be opened", [str(exc)])
            return
        self.set_library(library, owned=True)
        self.show_status("The demo set: three illustrative texts written for Summit Reader, not official texts.", 10000)

    def open_library(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Open library", str(self.library.path.parent), LIBRARY_FILTER)
            if not name:
                return
            path = Path(name)
        try:
            library = Library(path)
        except SummitReaderError as exc:
            self.report_errors("The library cannot be opened", [str(exc)])
            return
        self.set_library(library, owned=True)

    def new_library(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "New library", str(self.library.path.parent / "new-library.sqlite3"), LIBRARY_FILTER
            )
            if not name:
                return
            path = Path(name)
        if path.exists():
            self.report_errors("New library", [f"'{path.name}' already exists; use File → Open library… to open it."])
            return
        self.open_library(path)

    def set_library(self, library: Library, *, owned: bool = False) -> None:
        """Switch the window to another library."""
        if library is self.library:
            return
        self.save_state()
        self.service.shutdown()
        self.service.deleteLater()
        old_owned = self._owned_library
        self.library = library
        self._owned_library = library if owned else None
        self.service = self._make_service(library)
        if old_owned is not None and old_owned is not library:
            old_owned.close()
        self._open_initial_documents(restore=False)
        self._after_panes_changed()
        self._on_documents_changed()
        self.service.request_all()
        self.annotations.set_library(library)

    # ================================================================== helpers

    def show_status(self, message: str, msecs: int = 5000) -> None:
        self.statusBar().showMessage(message, msecs)

    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts: every action with its keys and menu path, searchable."""
        from summit_reader.ui.dialogs.shortcuts_dialog import ShortcutsDialog

        dialog = ShortcutsDialog(self, self.classroom.shortcut_extras())
        dialog.exec()
