"""Research → Agreement between coders: the figures per tag and document, and the disagreements with a
second coder, each shown as the two versions side by side with buttons to resolve it.

The view only shows what it is given and says what the user asked for; computing, resolving and jumping
to a pane are done by :mod:`summit_reader.ui.agreement_commands`."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from summit_reader.core.agreement import CHARACTER, SENTENCE, Agreement, tag_key
from summit_reader.core.coders import CoderComparison, DisagreementDetail
from summit_reader.core.models import Coder

ALL_TAGS = "All tags"
UNIT_LABELS = {SENTENCE: "Sentences", CHARACTER: "Characters (non-space)"}
UNIT_HELP = {
    SENTENCE: "Unit: the sentence. A sentence counts as coded with a tag when an annotation with that tag "
    "touches one of its non-space characters.",
    CHARACTER: "Unit: the character. Every character that is not a space counts as coded with a tag when an "
    "annotation with that tag covers it.",
}
FIGURE_HELP = (
    "κ: Cohen's kappa. α: Krippendorff's alpha (nominal). Agree: the share of units on which you agree. "
    "“All” rows add up the counts of their cells. — means undefined (hover over it for why). "
    "Double-click a row to list its disagreements."
)
AGREEMENT_HEADERS = ("Tag", "Document", "Units", "Yours", "Theirs", "Both", "Agree", "κ", "α", "Note")
AGREEMENT_TIPS = (
    "The tag (names match ignoring case)",
    "The document; “All documents” adds up the units of every document",
    "How many units were compared",
    "Units you coded with the tag",
    "Units the second coder coded with the tag",
    "Units you both coded with the tag",
    "Observed agreement: the share of units on which you agree (coded or not)",
    "Cohen's kappa: agreement beyond chance (1 perfect, 0 chance, below 0 worse than chance)",
    "Krippendorff's alpha for nominal data, two coders",
    "Why a figure is undefined",
)
DISAGREEMENT_HEADERS = ("Document", "Tag", "Coded by", "Units", "Passage", "Resolved")


def figure_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _item(text: str, *, tip: str = "", number: bool = False, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tip:
        item.setToolTip(tip)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
    return item


def _one_line(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class AgreementView(QDialog):
    """A window beside the reader: choose a coder and a unit; read the figures; resolve disagreements."""

    coderChosen = Signal(str)
    unitChosen = Signal(str)
    importRequested = Signal()
    exportRequested = Signal()
    resolveRequested = Signal(object, str)  # DisagreementDetail, "take" | "keep" | "remove"
    showRequested = Signal(object)  # DisagreementDetail

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AgreementView")
        self.setWindowTitle("Agreement between coders")
        self.setModal(False)
        self.resize(1180, 760)
        self.result: CoderComparison | None = None
        self.details: list[DisagreementDetail] = []
        self.shown: list[DisagreementDetail] = []
        self._agreement_rows: list[str | None] = []  # the tag of each row (None: all tags)

        self.coder_combo = QComboBox()
        self.coder_combo.setAccessibleName("Second coder")
        self.coder_combo.setMinimumContentsLength(18)
        self.coder_combo.activated.connect(lambda _i: self.coderChosen.emit(self.coder_combo.currentData() or ""))
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName("Unit")
        for unit, label in UNIT_LABELS.items():
            self.unit_combo.addItem(label, unit)
        self.unit_combo.activated.connect(lambda _i: self.unitChosen.emit(self.unit))
        self.import_button = QPushButton("Import a colleague's coding…")
        self.import_button.clicked.connect(self.importRequested.emit)
        self.status = QLabel()
        self.status.setObjectName("AgreementStatus")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        coder_label = QLabel("&Second coder:")
        coder_label.setBuddy(self.coder_combo)
        unit_label = QLabel("&Unit:")
        unit_label.setBuddy(self.unit_combo)
        top.addWidget(coder_label)
        top.addWidget(self.coder_combo)
        top.addSpacing(12)
        top.addWidget(unit_label)
        top.addWidget(self.unit_combo)
        top.addStretch(1)
        top.addWidget(self.import_button)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setObjectName("AgreementHelp")

        self.table = QTableWidget(0, len(AGREEMENT_HEADERS))
        self.table.setObjectName("AgreementTable")
        self.table.setAccessibleName("Agreement per tag and document")
        self.table.setHorizontalHeaderLabels(list(AGREEMENT_HEADERS))
        for column, tip in enumerate(AGREEMENT_TIPS):
            header_item = self.table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(tip)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.cellDoubleClicked.connect(self._on_table_double_clicked)

        # --- disagreements
        self.tag_filter = QComboBox()
        self.tag_filter.setAccessibleName("Show the disagreements of")
        self.tag_filter.activated.connect(lambda _i: self._fill_disagreements())
        self.show_resolved = QCheckBox("Show &resolved")
        self.show_resolved.setToolTip("Also list the disagreements you resolved by keeping yours")
        self.show_resolved.toggled.connect(lambda _on: self._fill_disagreements())
        self.count_label = QLabel()
        filters = QHBoxLayout()
        filter_label = QLabel("&Tag:")
        filter_label.setBuddy(self.tag_filter)
        filters.addWidget(filter_label)
        filters.addWidget(self.tag_filter)
        filters.addWidget(self.show_resolved)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        self.list = QTableWidget(0, len(DISAGREEMENT_HEADERS))
        self.list.setObjectName("DisagreementList")
        self.list.setAccessibleName("Disagreements")
        self.list.setHorizontalHeaderLabels(list(DISAGREEMENT_HEADERS))
        self.list.verticalHeader().hide()
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(False)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        list_header = self.list.horizontalHeader()
        list_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # long titles are cut (the whole title is in the tool tip): the passage is what the row is about
        list_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        list_header.resizeSection(0, 170)
        list_header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.list.currentCellChanged.connect(lambda *_: self._show_current())
        self.list.cellDoubleClicked.connect(lambda row, _c: self._request_show(row))

        self.passage = QLabel()
        self.passage.setObjectName("DisagreementPassage")
        self.passage.setWordWrap(True)
        self.passage.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.mine_box = QGroupBox("Yours")
        self.theirs_box = QGroupBox("Theirs")
        self.mine_text = QTextBrowser()
        self.mine_text.setAccessibleName("Your annotations of the passage")
        self.theirs_text = QTextBrowser()
        self.theirs_text.setAccessibleName("The second coder's annotations of the passage")
        for box, browser in ((self.mine_box, self.mine_text), (self.theirs_box, self.theirs_text)):
            layout = QVBoxLayout(box)
            layout.setContentsMargins(6, 6, 6, 6)
            layout.addWidget(browser)
        sides = QHBoxLayout()
        sides.addWidget(self.mine_box)
        sides.addWidget(self.theirs_box)
        self.take_button = QPushButton("&Take theirs")
        self.take_button.setToolTip("Copy their annotation (passage, note, tags, author) into yours")
        self.keep_button = QPushButton("&Keep mine")
        self.keep_button.setToolTip("Keep your coding as it is and mark the disagreement resolved")
        self.remove_button = QPushButton("Re&move mine")
        self.remove_button.setToolTip("Take the tag off your annotation (deleting it if that was its only tag)")
        self.show_button = QPushButton("Show in &pane")
        self.show_button.setToolTip("Show the passage in the active reading pane (or double-click the row)")
        self.take_button.clicked.connect(lambda: self._request_resolve("take"))
        self.keep_button.clicked.connect(lambda: self._request_resolve("keep"))
        self.remove_button.clicked.connect(lambda: self._request_resolve("remove"))
        self.show_button.clicked.connect(lambda: self._request_show(self.list.currentRow()))
        buttons = QHBoxLayout()
        for button in (self.take_button, self.keep_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.show_button)
        self.resolution_label = QLabel()
        self.resolution_label.setWordWrap(True)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.passage)
        detail_layout.addLayout(sides, 1)
        detail_layout.addWidget(self.resolution_label)
        detail_layout.addLayout(buttons)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.list)
        lower.addWidget(detail)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setSizes([720, 460])
        disagreements = QGroupBox("Disagreements")
        disagreements_layout = QVBoxLayout(disagreements)
        disagreements_layout.addLayout(filters)
        disagreements_layout.addWidget(lower, 1)

        self.export_button = QPushButton("E&xport CSV…")
        self.export_button.setToolTip(
            "Save the figures (each tag in each document, each tag over all documents, and all tags) as a CSV file"
        )
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.exportRequested.emit)
        help_row = QHBoxLayout()
        help_row.addWidget(self.help, 1)
        help_row.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignBottom)
        agreement = QGroupBox("Agreement")
        agreement_layout = QVBoxLayout(agreement)
        agreement_layout.addLayout(help_row)
        agreement_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(agreement)
        splitter.addWidget(disagreements)
        splitter.setSizes([300, 440])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self._update_help()
        self._show_current()

    # ------------------------------------------------------------------ state

    @property
    def unit(self) -> str:
        return str(self.unit_combo.currentData() or SENTENCE)

    def set_unit(self, unit: str) -> None:
        index = self.unit_combo.findData(unit)
        if index >= 0:
            self.unit_combo.setCurrentIndex(index)
        self._update_help()

    @property
    def coder_name(self) -> str:
        return str(self.coder_combo.currentData() or "")

    def set_coders(self, coders: Sequence[Coder], current: str | None = None) -> None:
        wanted = current if current is not None else self.coder_name
        self.coder_combo.clear()
        for coder in coders:
            label = f"{coder.name} ({coder.annotation_count} annotation{'s' if coder.annotation_count != 1 else ''})"
            self.coder_combo.addItem(label, coder.name)
            self.coder_combo.setItemData(
                self.coder_combo.count() - 1,
                f"From {coder.source}, imported {coder.imported_at}; {coder.document_count} document(s)"
                + (f"; {coder.unplaced_count} annotation(s) could not be placed" if coder.unplaced_count else ""),
                Qt.ItemDataRole.ToolTipRole,
            )
        index = next((i for i in range(self.coder_combo.count()) if str(self.coder_combo.itemData(i)).casefold() == (wanted or "").casefold()), 0)
        if self.coder_combo.count():
            self.coder_combo.setCurrentIndex(index)
        self.coder_combo.setEnabled(bool(coders))
        self.unit_combo.setEnabled(bool(coders))

    def set_message(self, text: str) -> None:
        self.status.setText(text)

    def set_busy(self, text: str) -> None:
        self.status.setText(text)
        for button in (self.take_button, self.keep_button, self.remove_button):
            button.setEnabled(False)

    def _update_help(self) -> None:
        self.help.setText(f"{UNIT_HELP.get(self.unit, '')} {FIGURE_HELP}")

    # ------------------------------------------------------------------ figures

    def set_result(self, result: CoderComparison | None, details: Sequence[DisagreementDetail]) -> None:
        """Show a comparison (or nothing) and its disagreements, keeping the tag filter and the selection."""
        selected = self.current_detail()
        self.result = result
        self.details = list(details)
        self.export_button.setEnabled(result is not None)
        self._update_help()
        self._fill_table()
        current_filter = self.tag_filter.currentData()
        self.tag_filter.clear()
        self.tag_filter.addItem(ALL_TAGS, None)
        if result is not None:
            for tag in result.comparison.tags:
                self.tag_filter.addItem(tag, tag)
        index = self.tag_filter.findData(current_filter) if current_filter is not None else 0
        self.tag_filter.setCurrentIndex(max(0, index))
        self._fill_disagreements(selected.key if selected is not None else None)

    def _fill_table(self) -> None:
        result = self.result
        self.table.setRowCount(0)
        self._agreement_rows = []
        if result is None:
            return
        c = result.comparison
        rows: list[tuple[str | None, str, str, Agreement, bool]] = []
        for tag, over_documents in c.by_tag():
            if len(c.document_ids) > 1:
                for doc_id in c.document_ids:
                    rows.append((tag, tag, result.titles.get(doc_id, ""), c.cell(tag, doc_id), False))
            rows.append((tag, tag, "All documents", over_documents, len(c.document_ids) > 1))
        if len(c.document_ids) > 1:
            for doc_id, over_tags in c.by_document():
                rows.append((None, "All tags", result.titles.get(doc_id, ""), over_tags, False))
        rows.append((None, "All tags", "All documents", c.overall(), True))
        self.table.setRowCount(len(rows))
        for r, (tag, label, document, f, bold) in enumerate(rows):
            self._agreement_rows.append(tag)
            why = f.note and f"Undefined: {f.note}."
            values = [
                _item(label, bold=bold),
                _item(document, tip=document, bold=bold),
                _item(str(f.units), number=True),
                _item(str(f.mine), number=True),
                _item(str(f.theirs), number=True),
                _item(str(f.both), number=True),
                _item("—" if f.observed is None else f"{f.observed:.0%}", number=True, tip=why),
                _item(figure_text(f.kappa), number=True, tip=why, bold=bold),
                _item(figure_text(f.alpha), number=True, tip=why, bold=bold),
                _item(f.note),
            ]
            for column, item in enumerate(values):
                self.table.setItem(r, column, item)

    def cell_text(self, tag: str, document: str, column: str) -> str:
        """The text shown in ``column`` (a header) of the row of ``tag`` and ``document`` (for tests and
        descriptions); "" when there is no such row."""
        col = AGREEMENT_HEADERS.index(column)
        for r in range(self.table.rowCount()):
            first, second = self.table.item(r, 0), self.table.item(r, 1)
            if first is not None and second is not None and first.text() == tag and second.text() == document:
                item = self.table.item(r, col)
                return item.text() if item is not None else ""
        return ""

    def _on_table_double_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._agreement_rows):
            tag = self._agreement_rows[row]
            index = self.tag_filter.findData(tag) if tag is not None else 0
            self.tag_filter.setCurrentIndex(max(0, index))
            self._fill_disagreements()

    # ------------------------------------------------------------------ disagreements

    def _fill_disagreements(self, keep: str | None = None) -> None:
        keep = keep if keep is not None else (self.current_detail().key if self.current_detail() else None)
        wanted = self.tag_filter.currentData()
        resolved = self.show_resolved.isChecked()
        self.shown = [
            d for d in self.details
            if (wanted is None or tag_key(d.disagreement.tag) == tag_key(str(wanted))) and (resolved or d.resolution is None)
        ]
        coder = self.result.coder.name if self.result is not None else "them"
        self.list.blockSignals(True)
        self.list.setRowCount(len(self.shown))
        for r, d in enumerate(self.shown):
            by = "you only" if d.disagreement.coded_by == "mine" else f"{coder} only"
            values = [
                _item(d.document_title, tip=d.document_title),
                _item(d.disagreement.tag),
                _item(by),
                _item(str(d.disagreement.unit_count), number=True),
                _item(_one_line(d.passage), tip=d.passage),
                _item(d.resolution.action if d.resolution is not None else ""),
            ]
            for column, item in enumerate(values):
                self.list.setItem(r, column, item)
        self.list.blockSignals(False)
        open_count = sum(1 for d in self.details if d.resolution is None)
        kept = len(self.details) - open_count
        self.count_label.setText(
            f"{open_count} to resolve" + (f", {kept} resolved" if kept else "") if self.result is not None else ""
        )
        row = next((i for i, d in enumerate(self.shown) if d.key == keep), 0 if self.shown else -1)
        self.list.setCurrentCell(row, 0)
        self._show_current()

    def current_detail(self) -> DisagreementDetail | None:
        row = self.list.currentRow() if hasattr(self, "list") else -1
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def select_disagreement(self, key: str) -> bool:
        row = next((i for i, d in enumerate(self.shown) if d.key == key), -1)
        if row >= 0:
            self.list.setCurrentCell(row, 0)
        return row >= 0

    def _versions(self, annotations: Sequence[object], tag: str, side: str) -> str:
        if not annotations:
            return f"<p><i>{html.escape(side)} no annotation on this passage.</i></p>"
        parts = []
        for a in annotations:
            tags = ", ".join(
                f"<b>{html.escape(t)}</b>" if tag_key(t) == tag_key(tag) else html.escape(t)
                for t in getattr(a, "tags", ())
            )
            note = getattr(a, "note", "")
            author = getattr(a, "author", "")
            parts.append(
                f"<p>“{html.escape(_one_line(str(getattr(a, 'quote', '')), 300))}”<br>"
                f"Tags: {tags or '<i>none</i>'}"
                + (f"<br>Note: {html.escape(note)}" if note else "")
                + (f"<br><small>{html.escape(author)}</small>" if author else "")
                + "</p>"
            )
        return "".join(parts)

    def _show_current(self) -> None:
        detail = self.current_detail()
        coder = self.result.coder.name if self.result is not None else "the second coder"
        self.mine_box.setTitle("Yours")
        self.theirs_box.setTitle(f"Theirs ({coder})" if self.result is not None else "Theirs")
        if detail is None:
            self.passage.setText("Choose a disagreement to see both versions." if self.details else "")
            self.mine_text.clear()
            self.theirs_text.clear()
            self.resolution_label.clear()
            for button in (self.take_button, self.keep_button, self.remove_button, self.show_button):
                button.setEnabled(False)
            return
        d = detail.disagreement
        who = "You" if d.coded_by == "mine" else coder
        self.passage.setText(
            f"<b>{html.escape(detail.document_title)}</b>: {html.escape(who)} coded "
            f"“<b>{html.escape(d.tag)}</b>” here, {'they' if d.coded_by == 'mine' else 'you'} did not "
            f"({d.unit_count} {d.unit}{'s' if d.unit_count != 1 else ''}):<br>"
            f"<i>{html.escape(_one_line(detail.passage, 400))}</i>"
        )
        self.mine_text.setHtml(self._versions(detail.mine, d.tag, "You have"))
        self.theirs_text.setHtml(self._versions(detail.theirs, d.tag, f"{coder} has"))
        actions = detail.actions()
        self.take_button.setEnabled("take" in actions)
        self.remove_button.setEnabled("remove" in actions)
        self.keep_button.setEnabled(detail.resolution is None)
        self.show_button.setEnabled(True)
        self.take_button.setToolTip(
            "Copy their annotation (passage, note, tags, author) into yours" if "take" in actions
            else f"{coder} did not code this passage with “{d.tag}”: Remove mine agrees with them"
        )
        self.remove_button.setToolTip(
            "Take the tag off your annotation (deleting it if that was its only tag)" if "remove" in actions
            else f"You did not code this passage with “{d.tag}”: Take theirs agrees with them"
        )
        if detail.resolution is not None:
            r = detail.resolution
            self.resolution_label.setText(f"Resolved: {r.action} ({r.resolved_by}, {r.resolved_at}).")
        else:
            self.resolution_label.clear()

    def _request_resolve(self, action: str) -> None:
        detail = self.current_detail()
        if detail is not None:
            self.resolveRequested.emit(detail, action)

    def _request_show(self, row: int) -> None:
        if 0 <= row < len(self.shown):
            self.showRequested.emit(self.shown[row])
