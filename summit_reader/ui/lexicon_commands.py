"""The Lexicon menu: load a lexicon (quanteda YAML or LIWC .dic), save it as either, edit it, go back to the
default one. The choice is kept in the settings (the command line counts with it too) and comes back at
the next start. Changing the lexicon re-counts the open documents: the panes, the legend, the graph and the
language table show the new categories; analyses are cached by the lexicon's hash, so going back to a
lexicon used before is quick.

The main window calls :func:`install_lexicon_commands` once; everything else is wired here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox

from summit_reader.core.analysis import Analyzer
from summit_reader.core.errors import SummitReaderError
from summit_reader.ui.actions import _action
from summit_reader.ui.highlight_style import HighlightPalette

if TYPE_CHECKING:
    from summit_reader.core.lexicon import Lexicon
    from summit_reader.core.lexicon_formats import LoadedLexicon
    from summit_reader.ui.dialogs.lexicon_editor import LexiconEditor
    from summit_reader.ui.main_window import MainWindow

# summit_reader.core.lexicon_formats (reading and writing lexicon files) and the editor are imported on
# first use: the window opens with the default lexicon without them (README, "Performance").

LOAD_FILTER = "Lexicons (*.yml *.yaml *.dic);;quanteda YAML (*.yml *.yaml);;LIWC dictionary (*.dic);;All files (*)"
YAML_FILTER = "quanteda YAML (*.yml *.yaml)"
DIC_FILTER = "LIWC dictionary (*.dic)"


class LexiconCommands(QObject):
    """The Lexicon menu's actions, the lexicon shown in the status bar, and switching lexicons."""

    #: The window counts with another lexicon (the new Lexicon); for views that list its categories.
    changed = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._default = window.lexicon  # the lexicon the window starts with (the shipped one)
        self._current: LoadedLexicon | None = None  # None: the default, not described yet
        self.editor: LexiconEditor | None = None

        self.action_load = _action(window, "&Load…", "Count with another lexicon: a quanteda YAML (.yml) or LIWC (.dic) file")
        self.action_save_as = _action(window, "&Save as…", "Save the lexicon in use as quanteda YAML (.yml) or LIWC (.dic)")
        self.action_edit = _action(window, "&Edit…", "Edit the categories and entries of the lexicon in use (saved as your own lexicon)")
        self.action_default = _action(window, "Use the &default lexicon", "Count with the lexicon shipped with Summit Reader again")
        self.action_info = _action(window, "", "The lexicon in use: its name, version and the start of its hash")
        self.action_info.setEnabled(False)
        menu = window.lexicon_menu
        menu.addAction(self.action_info)
        menu.addSeparator()
        menu.addActions([self.action_load, self.action_save_as, self.action_edit])
        menu.addSeparator()
        menu.addAction(self.action_default)
        self.action_load.triggered.connect(lambda: self.load())
        self.action_save_as.triggered.connect(lambda: self.save_as())
        self.action_edit.triggered.connect(lambda: self.edit())
        self.action_default.triggered.connect(self.use_default)

        self.status_label = QLabel()
        self.status_label.setObjectName("LexiconStatus")
        self.status_label.setAccessibleName("Lexicon in use")
        window.statusBar().addPermanentWidget(self.status_label)
        self._restore()
        self._show_current()

    @property
    def current(self) -> LoadedLexicon:
        """The lexicon in use, with where it came from."""
        if self._current is None:
            from summit_reader.core.lexicon_formats import YAML, LoadedLexicon

            self._current = LoadedLexicon(self._default, None, YAML)
        return self._current

    @current.setter
    def current(self, loaded: LoadedLexicon) -> None:
        self._current = loaded

    # ------------------------------------------------------------------ commands

    def load(self, path: Path | None = None) -> bool:
        """Lexicon → Load…: read the file and count with it; a file that cannot be used changes nothing."""
        from summit_reader.core.lexicon_formats import read_lexicon

        w = self.window
        if path is None:
            name, _ = QFileDialog.getOpenFileName(w, "Load a lexicon", str(self._folder()), LOAD_FILTER)
            if not name:
                return False
            path = Path(name)
        try:
            loaded = read_lexicon(path)
        except SummitReaderError as exc:
            w.report_errors("The lexicon cannot be loaded", [str(exc)])
            return False
        if not self.use(loaded):
            return False
        if loaded.warnings:
            self._tell("Lexicon loaded, with notes", f"Counting with {loaded.lexicon.label}.", loaded.warnings)
        return True

    def use_default(self) -> bool:
        """Lexicon → Use the default lexicon."""
        from summit_reader.core.lexicon_formats import read_lexicon

        return self.use(read_lexicon(None))

    def save_as(self, path: Path | None = None) -> Path | None:
        """Lexicon → Save as…: YAML or .dic by the extension (or the chosen filter); what a .dic file cannot
        hold is said first, and nothing is written unless the user goes on."""
        from summit_reader.core.lexicon_formats import DIC, SUFFIXES, dic_losses, format_of, save_lexicon

        w = self.window
        lexicon = self.current.lexicon
        if path is None:
            suggested = self._folder() / f"{_stem(lexicon)}.yml"
            name, chosen = QFileDialog.getSaveFileName(w, "Save the lexicon as", str(suggested), f"{YAML_FILTER};;{DIC_FILTER}")
            if not name:
                return None
            path = Path(name)
            if path.suffix.lower() not in SUFFIXES:
                path = path.with_suffix(".dic" if chosen == DIC_FILTER else ".yml")
        if format_of(path) == DIC and not self._confirm_losses(dic_losses(lexicon), path):
            return None
        try:
            save_lexicon(lexicon, path)
        except SummitReaderError as exc:
            w.report_errors("The lexicon cannot be saved", [str(exc)])
            return None
        w.show_status(f"Saved the lexicon {lexicon.label} to {path}.", 8000)
        return path

    def edit(self) -> LexiconEditor:
        """Lexicon → Edit…: the editor, window-modal; OK saves the edited lexicon as the user's own file and
        counts with it."""
        from summit_reader.ui.dialogs.lexicon_editor import LexiconEditor

        if self.editor is not None:
            self.editor.raise_()
            return self.editor
        loaded = self.current
        source = (
            "The default lexicon shipped with Summit Reader (it is not changed: OK saves your own copy)."
            if loaded.is_default
            else f"{loaded.path} (it is not changed: OK saves your own copy unless it is one already)."
        )
        editor = LexiconEditor(loaded.lexicon, source, self.window)
        editor.setWindowModality(Qt.WindowModality.WindowModal)
        editor.accepted.connect(lambda: self._on_edited(editor, loaded))
        editor.finished.connect(lambda _r: setattr(self, "editor", None))
        editor.finished.connect(editor.deleteLater)
        self.editor = editor
        editor.open()
        return editor

    def _on_edited(self, editor: LexiconEditor, before: LoadedLexicon) -> None:
        from summit_reader.core.lexicon_formats import YAML, LoadedLexicon, save_lexicon, user_copy_path

        lexicon = editor.result
        old = before.lexicon
        if lexicon is None or (lexicon.hash, lexicon.name, lexicon.version) == (old.hash, old.name, old.version):
            return
        renamed = ""
        if before.is_default and lexicon.name == old.name and lexicon.hash != old.hash:
            # an edited default must not pass for the shipped one in exports
            lexicon = _renamed(lexicon, f"{old.name}-edited")
            renamed = f" (named “{lexicon.name}”, as it is no longer the default lexicon)"
        path = user_copy_path(lexicon, before.path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            save_lexicon(lexicon, path, YAML)
        except (SummitReaderError, OSError) as exc:
            self.window.report_errors("The edited lexicon cannot be saved", [str(exc)])
            return
        if self.use(LoadedLexicon(lexicon, path, YAML)):
            self.window.show_status(f"Counting with your edited lexicon{renamed}, saved as {path}.", 10000)

    # ------------------------------------------------------------------ switching

    def use(self, loaded: LoadedLexicon, *, remember: bool = True) -> bool:
        """Count with ``loaded`` from now on: re-count the open documents, show its categories in the legend,
        the graph and the language table; with ``remember``, keep the choice in the settings."""
        w = self.window
        if w.classroom.presentation.active:
            w.show_status("Leave presentation mode (Esc) before changing the lexicon.")
            return False
        self.current = loaded
        if remember:
            self._remember(loaded)
        if loaded.lexicon != w.lexicon:
            self._switch(loaded.lexicon)
            w._update_legend_counts()
            w._refresh_stats()
            w.service.request_all()
            w.show_status(f"Counting with the lexicon {loaded.lexicon.label}.", 6000)
        self._show_current()
        return True

    def _switch(self, lexicon: Lexicon) -> None:
        """Give the window's analyzer, highlight styles, panes, legend and graph the new lexicon."""
        w = self.window
        analyzer = Analyzer(lexicon)
        state = w.classroom.themes.state
        qpalette = state.palette if state is not None else QApplication.palette()
        palette = HighlightPalette(lexicon, qpalette, min_contrast=w.highlight_palette.min_contrast)
        w.lexicon, w.analyzer, w.highlight_palette = lexicon, analyzer, palette
        for pane in w.panes:
            pane.set_analysis(None)  # (its matches are the old lexicon's categories)
            pane.set_highlight_palette(palette)
            if pane.navigation_label and not pane.navigation_label.startswith("“"):
                pane.set_navigation([], "")
        w.legend.set_lexicon(lexicon, palette)
        hidden = w.legend.hidden_categories()
        w.service.set_analyzer(analyzer)
        for pane in w.panes:
            pane.set_hidden_categories(hidden)
            if pane.document_id is not None:
                pane.set_analysis(w.service.analysis(pane.document_id))  # from the cache, or queued
        if w.graph is not None:
            w.graph.set_lexicon(lexicon, palette)
            w.graph.set_hidden_categories(hidden)
        self.changed.emit(lexicon)

    def _remember(self, loaded: LoadedLexicon) -> None:
        settings = self.window.settings
        settings.lexicon_path = "" if loaded.path is None else str(loaded.path.resolve())
        try:
            settings.save()  # now, so that the command line counts with it too
        except OSError as exc:
            self.window.show_status(f"The choice of lexicon could not be saved: {exc.strerror or exc}.", 10000)

    def _restore(self) -> None:
        """The lexicon chosen last time. The window is still being built: no document is open and nothing
        is counted yet (that starts after its first paint)."""
        chosen = self.window.settings.lexicon_path
        if not chosen:
            return
        from summit_reader.core.lexicon_formats import read_lexicon

        try:
            loaded = read_lexicon(Path(chosen))
        except SummitReaderError as exc:
            self.window.show_status(f"{exc} The default lexicon is used instead.", 20000)
            return
        self.current = loaded
        self._switch(loaded.lexicon)

    # ------------------------------------------------------------------ helpers

    def _show_current(self) -> None:
        loaded = self._current  # (the default lexicon is shown without describing it as a LoadedLexicon)
        lexicon = loaded.lexicon if loaded is not None else self._default
        is_default = loaded is None or loaded.is_default
        where = "the default lexicon shipped with Summit Reader" if loaded is None or loaded.is_default else str(loaded.path)
        self.action_info.setText(f"In use: {lexicon.label}")
        self.status_label.setText(f"Lexicon: {lexicon.name} {lexicon.version}")
        self.status_label.setToolTip(f"{lexicon.label}\n{where}\n{len(lexicon.categories)} categories")
        self.action_default.setEnabled(not is_default)

    def _folder(self) -> Path:
        from summit_reader.core.lexicon_formats import user_lexicon_folder

        path = self.current.path
        if path is not None and path.parent.is_dir():
            return path.parent
        folder = user_lexicon_folder()
        return folder if folder.is_dir() else Path.home()

    def _confirm_losses(self, losses: list[str], path: Path) -> bool:
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Save as a LIWC dictionary")
        box.setText(f"A LIWC .dic file cannot hold everything in this lexicon. Save “{path.name}” anyway?")
        box.setInformativeText("\n\n".join(losses) + "\n\nSave it as quanteda YAML (.yml) to keep everything.")
        save = box.addButton("&Save anyway", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.exec()
        box.deleteLater()
        return box.clickedButton() is save

    def _tell(self, title: str, text: str, notes: tuple[str, ...]) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setInformativeText("\n\n".join(notes))
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.exec()
        box.deleteLater()


def _stem(lexicon: Lexicon) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in lexicon.name).strip("-.") or "lexicon"


def _renamed(lexicon: Lexicon, name: str) -> Lexicon:
    from dataclasses import replace

    return replace(lexicon, name=name)


def install_lexicon_commands(window: MainWindow) -> LexiconCommands:
    return LexiconCommands(window)
