"""Every command of the window as a QAction with its text, shortcut and status tip. The window connects
them and puts them in its menus; nothing here knows what they do."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

Key = QKeySequence.StandardKey


def _action(
    parent: QWidget,
    text: str,
    tip: str,
    shortcuts: list[QKeySequence | Key | str] | None = None,
    *,
    checkable: bool = False,
) -> QAction:
    action = QAction(text, parent)
    action.setStatusTip(tip)
    action.setToolTip(tip)
    if shortcuts:
        sequences: list[QKeySequence] = []
        for s in shortcuts:
            if isinstance(s, QKeySequence.StandardKey):
                sequences.extend(QKeySequence.keyBindings(s))
            else:
                sequences.append(QKeySequence(s))
        unique: list[QKeySequence] = []
        for seq in sequences:  # a sequence listed twice would make the shortcut ambiguous, and dead
            if not seq.isEmpty() and seq not in unique:
                unique.append(seq)
        action.setShortcuts(unique)
    action.setCheckable(checkable)
    parent.addAction(action)  # shortcuts work even when the menu bar is hidden
    return action


class Actions:
    """The window's actions. Shortcuts are listed in the README and the Help menu."""

    def __init__(self, parent: QWidget) -> None:
        a = _action
        # File
        self.import_ = a(parent, "&Import…", "Import documents: text, Markdown, HTML, PDF or Word (.docx) files", ["Ctrl+I"])
        self.get_corpus = a(parent, "&Get the AI summit texts…", "Download the official AI-summit texts from their publishers (asks the internet)")
        self.restore_backup = a(parent, "Restore from &backup…", "Replace the library with one of its backups (the current one is kept)")
        # Edit and Document (summit_reader.ui.document_commands connects them)
        self.paste_document = a(parent, "&Paste as new document…", "Make a new document of the text on the clipboard", ["Ctrl+Shift+V"])
        self.edit_details = a(parent, "&Edit details…", "Change the title, date, place, kind or source address of the document")
        self.delete_document = a(parent, "&Delete…", "Delete the document (and its annotations) from the library")
        self.open_demo = a(parent, "Open the &demo set", "Open the demo library: three illustrative texts (not official texts)", ["Ctrl+Shift+D"])
        self.open_library = a(parent, "&Open library…", "Open another library file", [Key.Open])
        self.new_library = a(parent, "&New library…", "Start a new, empty library file", ["Ctrl+Shift+N"])
        self.export_graph_data = a(parent, "Export graph &data (CSV)…", "Save the numbers behind the graph as CSV", ["Ctrl+Shift+E"])
        self.export_graph_picture = a(parent, "Export graph &picture (PNG/SVG)…", "Save the graph as a PNG or SVG picture", ["Ctrl+Shift+P"])
        self.export_table = a(parent, "Export language &table (CSV)…", "Save the language table as CSV", ["Ctrl+Shift+T"])
        self.quit = a(parent, "&Quit", "Quit Summit Reader", ["Ctrl+Q"])
        # View
        self.add_pane = a(parent, "&Add pane", "Add a reading pane (up to four)", ["Ctrl+T"])
        self.remove_pane = a(parent, "&Remove pane", "Close the active pane", ["Ctrl+W"])
        self.swap_panes = a(parent, "&Swap panes", "Swap the active pane with the next one", ["Ctrl+Shift+X"])
        self.zoom_in = a(parent, "Zoom &in", "Larger text", [Key.ZoomIn, "Ctrl+=", "Ctrl++"])
        self.zoom_out = a(parent, "Zoom &out", "Smaller text", [Key.ZoomOut, "Ctrl+-"])
        self.zoom_reset = a(parent, "&Normal size", "Normal text size", ["Ctrl+0"])
        self.classroom = a(parent, "&Classroom size", "Large text for a projector", ["Ctrl+9"])
        self.sync_scroll = a(parent, "S&ynchronised scrolling", "Scroll all panes together, by relative position", ["Ctrl+Shift+L"], checkable=True)
        self.full_screen = a(parent, "&Full screen", "Show the window full screen", [Key.FullScreen, "F11"], checkable=True)
        self.graph_rate = a(parent, "Graph: &rate per 1,000 words", "Show rates per 1,000 words", ["Ctrl+Shift+R"], checkable=True)
        self.graph_count = a(parent, "Graph: raw &count", "Show raw counts", ["Ctrl+Shift+C"], checkable=True)
        self.graph_scales = a(parent, "Graph: strength &scales", "Show the share of each strength level of modal and operative verbs", ["Ctrl+Shift+S"], checkable=True)
        # Go
        self.find = a(parent, "&Find…", "Find words in the active pane", [Key.Find])
        self.next_occurrence = a(parent, "&Next occurrence", "Next occurrence (of the category or the search)", ["F3"])
        self.prev_occurrence = a(parent, "&Previous occurrence", "Previous occurrence (of the category or the search)", ["Shift+F3"])
        self.next_occurrence_all = a(parent, "Next occurrence in &every pane", "Step every pane to its next occurrence of the same category", ["Ctrl+F3"])
        self.next_pane = a(parent, "Next pa&ne", "Make the next pane active", ["F6"])
        self.next_document = a(parent, "Next &document in pane", "Show the next document (date order) in the active pane", ["Ctrl+PgDown"])
        self.prev_document = a(parent, "P&revious document in pane", "Show the previous document (date order) in the active pane", ["Ctrl+PgUp"])
        # Help
        self.shortcuts = a(parent, "&Keyboard shortcuts", "List the keyboard shortcuts", ["F1"])
        # Classroom and accessibility (summit_reader.ui.classroom connects them)
        self.present = a(parent, "&Present", "Presentation mode: full screen, large type, the panes and the graph (Esc leaves)", ["F5"], checkable=True)
        self.themes = {
            "system": a(parent, "&System (follow the computer)", "Follow the computer's light, dark or high-contrast setting", checkable=True),
            "light": a(parent, "&Light", "Light theme", checkable=True),
            "dark": a(parent, "&Dark", "Dark theme", checkable=True),
            "high-contrast": a(parent, "&High contrast", "High-contrast theme: white on black, yellow selection", checkable=True),
        }
        self.describe_word = a(parent, "Describe &word at cursor", "Say in words which category the word at the cursor is highlighted for", ["Ctrl+Shift+W"])
        self.describe_graph = a(parent, "Describe the &graph", "Say in words how the language changes from the first to the last document", ["Ctrl+Shift+G"])
        self.export_graph_slides = a(parent, "&Graph for slides (PNG 2×)…", "Save the graph as a PNG at twice the screen resolution")
        self.export_pane_slides = a(parent, "&Pane view for slides (PNG 2×)…", "Save the visible text of the active pane as a PNG at twice the screen resolution")
