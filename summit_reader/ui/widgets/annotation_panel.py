"""The annotation panel: every annotation of the open documents (or of the whole library, or of one
document) in a sortable table — document, quote, note, tags, author, date, status — filtered by tag
(sub-tags included), by document, by text and by "needs review".

Rows are loaded a page at a time as the table is scrolled (``canFetchMore``/``fetchMore``); filtering and
sorting happen in SQLite through :meth:`Library.query_annotations`, so a library of 100,000 annotations
opens as fast as one of ten. The panel never writes: edits (note and tags in place with F2, Edit…,
Retag…, Delete, Place here) are signals the window's annotation controller turns into undoable commands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.errors import SummitReaderError
from summit_reader.core.export import join_tags, split_tags
from summit_reader.core.models import Annotation, AnnotationFilter, DocumentSummary, Tag
from summit_reader.core.store import Library
from summit_reader.ui.widgets.annotation_editor import TagPicker, colour_icon

Index = QModelIndex | QPersistentModelIndex
ANNOTATION_ROLE = Qt.ItemDataRole.UserRole
UNTAGGED = "#6e6e6e"
REVIEW_COLOUR = "#b35900"

#: (sort key of Library.query_annotations, header)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("document", "Document"),
    ("quote", "Quote"),
    ("note", "Note"),
    ("tags", "Tags"),
    ("author", "Author"),
    ("created", "Date"),
    ("status", "Status"),
)
COLUMN = {key: i for i, (key, _title) in enumerate(COLUMNS)}
EXCERPT_CHARS = 160
TIP_CHARS = 1500

SCOPE_OPEN = "open"
SCOPE_ALL = "all"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class AnnotationTableModel(QAbstractTableModel):
    """Annotations matching a filter, in a sort order, loaded ``PAGE_SIZE`` rows at a time."""

    PAGE_SIZE = 200
    #: annotation, new note or None, new tags or None (an edit in place)
    editRequested = Signal(object, object, object)
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.library: Library | None = None
        self.filter = AnnotationFilter(document_ids=())
        self.sort_key = "document"
        self.descending = False
        self.rows: list[Annotation] = []
        self.total = 0
        self.titles: dict[int, str] = {}
        self.colours: dict[str, str] = {}

    # ------------------------------------------------------------------ loading

    def set_library(self, library: Library | None) -> None:
        self.library = library
        self.reload(keep=0)

    def set_filter(self, flt: AnnotationFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.reload(keep=0)

    def reload(self, keep: int | None = None) -> None:
        """Count and load the first page again (or as many rows as were loaded, to keep the view's place)."""
        wanted = len(self.rows) if keep is None else keep
        self.beginResetModel()
        self.rows = []
        self.total = 0
        if self.library is not None:
            try:
                self.total = self.library.count_matching_annotations(self.filter)
                limit = max(self.PAGE_SIZE, min(wanted, self.total))
                self.rows = self.library.query_annotations(
                    self.filter, sort=self.sort_key, descending=self.descending, limit=limit
                )
            except SummitReaderError as exc:
                self.total = 0
                self.rows = []
                self.failed.emit(str(exc))
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self.library is None or len(self.rows) >= self.total:
            return
        try:
            page = self.library.query_annotations(
                self.filter, sort=self.sort_key, descending=self.descending, offset=len(self.rows), limit=self.PAGE_SIZE
            )
        except SummitReaderError as exc:
            self.failed.emit(str(exc))
            return
        if not page:
            self.total = len(self.rows)  # the library changed under us: stop here until a refresh
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self.rows.extend(page)
        self.endInsertRows()

    def fetch_all(self) -> None:
        while self.canFetchMore():
            before = len(self.rows)
            self.fetchMore()
            if len(self.rows) == before:
                break

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.sort_key = COLUMNS[column][0]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload(keep=0)

    # ------------------------------------------------------------------ table

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        return None

    def annotation(self, row: int) -> Annotation | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, annotation_id: str) -> int:
        return next((i for i, a in enumerate(self.rows) if a.id == annotation_id), -1)

    def display(self, a: Annotation, key: str) -> str:
        if key == "document":
            return self.titles.get(a.document_id, f"document {a.document_id}")
        if key == "quote":
            return ("⚠ " if a.status == "needs_review" else "") + excerpt(a.quote)
        if key == "note":
            return excerpt(a.note)
        if key == "tags":
            return "; ".join(a.tags)
        if key == "author":
            return a.author
        if key == "created":
            return a.created[:16].replace("T", " ")
        if key == "status":
            return "needs review" if a.status == "needs_review" else "placed"
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        a = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == ANNOTATION_ROLE:
            return a
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.display(a, key)
        if role == Qt.ItemDataRole.EditRole:
            if key == "note":
                return a.note
            if key == "tags":
                return join_tags(a.tags)
            return self.display(a, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(a, key)
        if role == Qt.ItemDataRole.ForegroundRole and a.status == "needs_review" and key in ("quote", "status"):
            return QColor(REVIEW_COLOUR)
        return None

    def tooltip(self, a: Annotation, key: str) -> str:
        if key == "quote":
            quote = a.quote if len(a.quote) <= TIP_CHARS else a.quote[: TIP_CHARS - 1] + "…"
            if a.status == "needs_review":
                return (
                    f"Needs review: the text changed and this passage could not be placed with confidence.\n"
                    f"Old quote: “{quote}”\nSelect the new passage in the pane, then Place here; or Delete to discard."
                )
            return f"“{quote}”"
        if key == "note":
            note = a.note if len(a.note) <= TIP_CHARS else a.note[: TIP_CHARS - 1] + "…"
            return (note or "(no note)") + "\n\nF2 edits the note here; Enter jumps to the passage."
        if key == "tags":
            return ("; ".join(a.tags) or "(no tags)") + "\n\nF2 edits the tags here (separated by ;)."
        if key == "created":
            return f"created {a.created}\nmodified {a.modified}"
        if key == "document":
            return self.titles.get(a.document_id, "")
        return self.display(a, key)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and COLUMNS[index.column()][0] in ("note", "tags"):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        a = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if key == "note" and isinstance(value, str) and value != a.note:
            self.editRequested.emit(a, value, None)
            return True
        if key == "tags" and isinstance(value, str):
            names = [n.strip() for n in split_tags(value.strip().strip(";")) if n.strip()]
            if [n.casefold() for n in names] != [t.casefold() for t in a.tags]:
                self.editRequested.emit(a, None, names)
            return True
        return False


# ---------------------------------------------------------------------------------------------- delegates


class _LastTagCompleter(QCompleter):
    """Completes the tag being typed after the last ``;``."""

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(";", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:  # type: ignore[override]
        widget = self.widget()
        typed = widget.text() if isinstance(widget, QLineEdit) else ""
        head = typed.rsplit(";", 1)[0] + "; " if ";" in typed else ""
        return head + str(index.data()).replace("\\", "\\\\").replace(";", "\\;")


class AnnotationDelegate(QStyledItemDelegate):
    """Paints tags as coloured chips; edits notes in a multi-line editor and tags in a line with completion."""

    def __init__(self, model: AnnotationTableModel, tag_names: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._tag_names = tag_names

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if COLUMNS[index.column()][0] != "tags":
            super().paint(painter, option, index)
            return
        a = index.data(ANNOTATION_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if not isinstance(a, Annotation) or not a.tags:
            return
        painter.save()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_colour = opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        metrics = opt.fontMetrics
        rect = opt.rect.adjusted(4, 0, -4, 0)
        x = rect.left()
        size = max(8, metrics.height() - 6)
        for name in a.tags:
            colour = QColor(self._model.colours.get(name, UNTAGGED))
            top = rect.top() + (rect.height() - size) // 2
            painter.setPen(colour.darker(140))
            painter.setBrush(colour)
            painter.drawRoundedRect(QRect(x, top, size, size), 2, 2)
            x += size + 3
            width = metrics.horizontalAdvance(name)
            painter.setPen(text_colour)
            if x + width > rect.right():
                painter.drawText(
                    QRect(x, rect.top(), max(0, rect.right() - x), rect.height()),
                    int(Qt.AlignmentFlag.AlignVCenter),
                    metrics.elidedText(name, Qt.TextElideMode.ElideRight, max(0, rect.right() - x)),
                )
                break
            painter.drawText(QRect(x, rect.top(), width + 1, rect.height()), int(Qt.AlignmentFlag.AlignVCenter), name)
            x += width + 10
        painter.restore()

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        key = COLUMNS[index.column()][0]
        if key == "note":
            editor = QPlainTextEdit(parent)
            editor.setObjectName("InlineNoteEditor")
            editor.setTabChangesFocus(True)
            return editor
        if key == "tags":
            line = QLineEdit(parent)
            line.setObjectName("InlineTagsEditor")
            completer = _LastTagCompleter(QStringListModel(self._tag_names(), line), line)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            line.setCompleter(completer)
            return line
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(str(value or ""))
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value or "").replace(";", "; ").replace("\\; ", "\\;"))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QPlainTextEdit):
            model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: Index) -> None:
        rect = option.rect
        if isinstance(editor, QPlainTextEdit):
            rect = QRect(rect.left(), rect.top(), max(rect.width(), 260), max(rect.height() * 4, 96))
        editor.setGeometry(rect)


# ---------------------------------------------------------------------------------------------- the panel


class AnnotationPanel(QWidget):
    activated = Signal(object)  # Annotation: show its passage
    currentChanged = Signal(object)  # Annotation | None
    editRequested = Signal(object)  # Annotation: open the editor
    deleteRequested = Signal(list)  # [Annotation]
    retagRequested = Signal(list)  # [Annotation]
    placeRequested = Signal(object)  # Annotation
    exportRequested = Signal()
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AnnotationPanel")
        self._tags: list[Tag] = []
        self._open_ids: tuple[int, ...] = ()
        self._review_count = 0
        self.model = AnnotationTableModel()
        self.model.failed.connect(self.failed)

        self.scope_combo = QComboBox()
        self.scope_combo.setAccessibleName("Annotations of")
        self.scope_combo.setToolTip("Whose annotations: the documents in the panes, the whole library, or one document")
        self.scope_combo.addItem("Open documents", SCOPE_OPEN)
        self.scope_combo.addItem("Whole library", SCOPE_ALL)
        self.tag_combo = QComboBox()
        self.tag_combo.setAccessibleName("Tag filter")
        self.tag_combo.setToolTip("Only annotations with this tag (or one of its sub-tags)")
        self.tag_combo.addItem("Any tag", None)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: words in quote, note or tags")
        self.filter_edit.setAccessibleName("Filter annotations by text")
        self.filter_edit.setClearButtonEnabled(True)
        self.review_button = QToolButton()
        self.review_button.setCheckable(True)
        self.review_button.setText("Needs review")
        self.review_button.setToolTip("Only annotations whose passage changed and must be placed again or discarded")
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(200)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.scope_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.tag_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.review_button.toggled.connect(lambda _on: self.apply_filter())
        self.filter_edit.textChanged.connect(lambda _t: self._filter_timer.start())

        self.view = QTableView()
        self.view.setObjectName("AnnotationTable")
        self.view.setAccessibleName("Annotations")
        self.view.setModel(self.model)
        self.delegate = AnnotationDelegate(self.model, lambda: [t.name for t in self._tags], self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSortIndicatorShown(True)
        for key, width in (("document", 150), ("quote", 230), ("note", 230), ("tags", 170), ("author", 100), ("created", 135), ("status", 95)):
            self.view.setColumnWidth(COLUMN[key], width)
        for key in ("quote", "note"):  # the text columns share the width left over
            header.setSectionResizeMode(COLUMN[key], QHeaderView.ResizeMode.Stretch)
        self.view.setSortingEnabled(True)
        header.setSortIndicator(COLUMN["document"], Qt.SortOrder.AscendingOrder)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._on_current_changed())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._request_delete)

        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Edit the note and tags of the chosen annotation (F2 edits a cell in place)")
        self.edit_button.clicked.connect(self._request_edit)
        self.retag_button = QPushButton("Retag…")
        self.retag_button.setToolTip("Add or remove tags on every selected annotation")
        self.retag_button.clicked.connect(lambda: self.retagRequested.emit(self.selected_annotations()))
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete (or discard) the selected annotations — Ctrl+Z undoes it")
        self.delete_button.clicked.connect(self._request_delete)
        self.place_button = QPushButton("Place here")
        self.place_button.setToolTip(
            "Anchor the chosen annotation to the text selected in its document's pane (Ctrl+Shift+M)"
        )
        self.place_button.clicked.connect(self._request_place)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Export annotations to CSV")
        self.export_button.clicked.connect(self.exportRequested)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("AnnotationSummary")
        self.review_banner = QLabel()
        self.review_banner.setObjectName("ReviewBanner")
        self.review_banner.setWordWrap(True)
        self.review_banner.setStyleSheet(
            f"QLabel#ReviewBanner {{ color: {REVIEW_COLOUR}; border: 1px solid {REVIEW_COLOUR}; border-radius: 4px; padding: 3px 6px; }}"
        )
        self.review_banner.hide()

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.scope_combo)
        filters.addWidget(self.tag_combo)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.review_button)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.summary_label, 1)
        for button in (self.edit_button, self.retag_button, self.delete_button, self.place_button, self.export_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addWidget(self.review_banner)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.model.modelReset.connect(self._update_summary)
        self.model.modelReset.connect(self._update_buttons)
        self.model.rowsInserted.connect(lambda *_: self._update_summary())
        self._update_buttons()

    def sizeHint(self) -> QSize:
        return QSize(900, 260)

    # ------------------------------------------------------------------ inputs

    def set_library(self, library: Library | None) -> None:
        self.model.library = library
        self.apply_filter(force=True)

    def set_documents(self, summaries: Sequence[DocumentSummary]) -> None:
        self.model.titles = {s.id: s.title for s in summaries}
        current = self.scope_combo.currentData()
        self.scope_combo.blockSignals(True)
        while self.scope_combo.count() > 2:
            self.scope_combo.removeItem(2)
        for s in summaries:
            label = f"{s.title} ({s.year})" if s.year and s.year not in s.title else s.title
            self.scope_combo.addItem(label, s.id)
        index = self.scope_combo.findData(current)
        self.scope_combo.setCurrentIndex(index if index >= 0 else 0)
        self.scope_combo.blockSignals(False)

    def set_open_documents(self, doc_ids: Iterable[int]) -> None:
        ids = tuple(sorted(set(doc_ids)))
        if ids != self._open_ids:
            self._open_ids = ids
            if self.scope_combo.currentData() == SCOPE_OPEN:
                self.apply_filter()

    def set_tags(self, tags: Sequence[Tag]) -> None:
        self._tags = list(tags)
        self.model.colours = {t.name: t.colour for t in tags}
        current = self.tag_combo.currentData()
        self.tag_combo.blockSignals(True)
        self.tag_combo.clear()
        self.tag_combo.addItem("Any tag", None)
        self.tag_combo.addItem("No tag", -1)
        for tag, depth in tag_tree(tags):
            self.tag_combo.addItem(colour_icon(tag.colour), "    " * depth + tag.name, tag.id)
        index = self.tag_combo.findData(current)
        self.tag_combo.setCurrentIndex(index if index >= 0 else 0)
        self.tag_combo.blockSignals(False)
        self.view.viewport().update()

    @property
    def review_count(self) -> int:
        """How many annotations of the library need review (as last shown)."""
        return self._review_count

    def set_review_count(self, count: int) -> None:
        self._review_count = count
        self.review_button.setText(f"Needs review ({count})" if count else "Needs review")
        if count:
            self.review_banner.setText(
                f"⚠ {count} annotation{'s' if count != 1 else ''} could not be placed with confidence after the "
                "text changed. Choose one, select its new passage in the pane and press Place here "
                "(Ctrl+Shift+M) — or Delete to discard it."
            )
        self.review_banner.setVisible(bool(count))

    # ------------------------------------------------------------------ filter

    def scope(self) -> object:
        return self.scope_combo.currentData()

    def set_scope(self, scope: object) -> None:
        index = self.scope_combo.findData(scope)
        if index >= 0:
            self.scope_combo.setCurrentIndex(index)

    def set_tag_filter(self, tag_id: int | None) -> None:
        index = self.tag_combo.findData(tag_id)
        if index >= 0:
            self.tag_combo.setCurrentIndex(index)

    def current_filter(self) -> AnnotationFilter:
        scope = self.scope_combo.currentData()
        if scope == SCOPE_OPEN:
            document_ids: tuple[int, ...] | None = self._open_ids
        elif scope == SCOPE_ALL:
            document_ids = None
        else:
            document_ids = (int(scope),)
        tag = self.tag_combo.currentData()
        tag_ids: tuple[int, ...] | None = None
        untagged = False
        if tag == -1:
            untagged = True
        elif isinstance(tag, int):
            tag_ids = tuple(sorted(descendants(self._tags, tag)))
        return AnnotationFilter(
            document_ids=document_ids,
            tag_ids=tag_ids,
            untagged=untagged,
            text=self.filter_edit.text().strip(),
            status="needs_review" if self.review_button.isChecked() else None,
        )

    def apply_filter(self, *, force: bool = False) -> None:
        self._filter_timer.stop()
        flt = self.current_filter()
        selected = [a.id for a in self.selected_annotations()]
        if force or flt != self.model.filter:
            self.model.filter = flt
            self.model.reload(keep=0)
            self.reselect(selected)

    def refresh(self) -> None:
        """Load the rows again (after a change), keeping the selection and the loaded length."""
        selected = [a.id for a in self.selected_annotations()]
        current = self.current_annotation()
        self.model.filter = self.current_filter()
        self.model.reload()
        self.reselect(selected, current.id if current else None)

    def reselect(self, ids: Sequence[str], current: str | None = None) -> None:
        selection = self.view.selectionModel()
        selection.clearSelection()
        for annotation_id in ids:
            row = self.model.row_of(annotation_id)
            if row >= 0:
                selection.select(
                    self.model.index(row, 0),
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )
        focus = current if current is not None else (ids[0] if ids else None)
        row = self.model.row_of(focus) if focus else -1
        if row >= 0:
            selection.setCurrentIndex(self.model.index(row, 0), selection.SelectionFlag.NoUpdate)
        self._update_buttons()

    # ------------------------------------------------------------------ outputs

    def selected_annotations(self) -> list[Annotation]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [a for a in (self.model.annotation(r) for r in rows) if a is not None]

    def current_annotation(self) -> Annotation | None:
        index = self.view.currentIndex()
        if index.isValid() and self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return self.model.annotation(index.row())
        chosen = self.selected_annotations()
        return chosen[0] if len(chosen) == 1 else None

    def select_annotation(self, annotation_id: str) -> bool:
        row = self.model.row_of(annotation_id)
        while row < 0 and self.model.canFetchMore():
            self.model.fetchMore()
            row = self.model.row_of(annotation_id)
        if row < 0:
            return False
        index = self.model.index(row, COLUMN["quote"])
        self.view.selectionModel().setCurrentIndex(
            index, self.view.selectionModel().SelectionFlag.ClearAndSelect | self.view.selectionModel().SelectionFlag.Rows
        )
        self.view.scrollTo(index)
        return True

    def _on_activated(self, index: QModelIndex) -> None:
        a = self.model.annotation(index.row())
        if a is not None:
            self.activated.emit(a)

    def _on_current_changed(self) -> None:
        self._update_buttons()
        self.currentChanged.emit(self.current_annotation())

    def _request_edit(self) -> None:
        a = self.current_annotation()
        if a is not None:
            self.editRequested.emit(a)

    def _request_delete(self) -> None:
        chosen = self.selected_annotations()
        if chosen:
            self.deleteRequested.emit(chosen)

    def _request_place(self) -> None:
        a = self.current_annotation()
        if a is not None:
            self.placeRequested.emit(a)

    def _update_buttons(self) -> None:
        chosen = self.selected_annotations()
        one = len(chosen) == 1
        self.edit_button.setEnabled(one)
        self.place_button.setEnabled(one)
        self.retag_button.setEnabled(bool(chosen))
        self.delete_button.setEnabled(bool(chosen))
        if chosen and all(a.status == "needs_review" for a in chosen):
            self.delete_button.setText("Discard")
        else:
            self.delete_button.setText("Delete")

    def _update_summary(self) -> None:
        total = self.model.total
        text = f"{total:,} annotation{'s' if total != 1 else ''}"
        if len(self.model.rows) < total:
            text += f" ({len(self.model.rows):,} loaded)"
        self.summary_label.setText(text)


def tag_tree(tags: Sequence[Tag]) -> list[tuple[Tag, int]]:
    """Tags in tree order (parents before their sub-tags, names ignoring case) with their depth."""
    by_parent: dict[int | None, list[Tag]] = {}
    ids = {t.id for t in tags}
    for tag in tags:
        parent = tag.parent_id if tag.parent_id in ids else None
        by_parent.setdefault(parent, []).append(tag)
    out: list[tuple[Tag, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for tag in sorted(by_parent.get(parent, []), key=lambda t: (t.name.casefold(), t.name)):
            if tag.id in seen:
                continue
            seen.add(tag.id)
            out.append((tag, depth))
            walk(tag.id, depth + 1)

    walk(None, 0)
    for tag in tags:  # a cycle written by hand into the file: still listed
        if tag.id not in seen:
            out.append((tag, 0))
    return out


def descendants(tags: Sequence[Tag], tag_id: int) -> set[int]:
    """``tag_id`` and every tag nested under it."""
    found = {tag_id}
    changed = True
    while changed:
        changed = False
        for tag in tags:
            if tag.parent_id in found and tag.id not in found:
                found.add(tag.id)
                changed = True
    return found


class RetagDialog(QDialog):
    """Bulk retag: tags to add to every selected annotation, and tags to take off."""

    def __init__(self, parent: QWidget | None, annotations: Sequence[Annotation], known: Sequence[Tag]) -> None:
        super().__init__(parent)
        self.setObjectName("RetagDialog")
        self.setWindowTitle(f"Retag {len(annotations)} annotation{'s' if len(annotations) != 1 else ''}")
        self.add_picker = TagPicker(known)
        present = sorted({t for a in annotations for t in a.tags}, key=str.casefold)
        colours = {t.name: t.colour for t in known}
        self.remove_list = QListWidget()
        self.remove_list.setAccessibleName("Tags to remove")
        for name in present:
            item = QListWidgetItem(colour_icon(colours.get(name, UNTAGGED)), name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.remove_list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Retag")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Add these tags:"))
        layout.addWidget(self.add_picker)
        layout.addWidget(QLabel("Remove these tags:" if present else "(The selected annotations have no tags.)"))
        layout.addWidget(self.remove_list, 1)
        layout.addWidget(buttons)
        self.resize(380, 360)

    def to_add(self) -> list[str]:
        return self.add_picker.tags()

    def to_remove(self) -> list[str]:
        return [
            self.remove_list.item(i).text()
            for i in range(self.remove_list.count())
            if self.remove_list.item(i).checkState() == Qt.CheckState.Checked
        ]
