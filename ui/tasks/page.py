"""工作清单: the plan's qualitative tasks with their derived status (未启动 / 推进中 / 已完成 / 滞后), overdue
first, filtered by section, unit and status; the selected task's sentence, milestones, notes and evidence.

At a unit every row is its own and editable. At the city a row is a task and one office carrying it: the
city's own rows are editable, a unit's are read-only (they arrive in the unit's packages).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.errors import StaleEdit
from kexie_desktop.services.tasks import STATUSES

from ..context import AppContext
from ..errors import show_error
from ..plan import operations as plan_ops
from ..widgets.lazy_reload import LazyReload
from ..widgets.year_selector import ReadOnlyBanner, YearSelector
from ..widgets import file_dialogs
from . import operations as ops
from .dialogs import CompleteDialog, MilestoneDialog, NoteDialog
from .evidence_view import EvidenceView
from .model import CODE, DUE, LAST, MARKS, NAME, NEXT, OFFICE, SECTION, STATUS, MilestoneModel, NoteModel, TaskTableModel

ANY = None  # a filter's first entry


class TasksPage(LazyReload, QWidget):
    def __init__(self, ctx: AppContext, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today  # None: the real date at each refresh
        self.year = YearSelector()  # an earlier plan's year: its tasks as of that year's end, read-only
        self._fill_years()
        self.plan_note = ReadOnlyBanner()
        self.setup = ops.load_setup(ctx, self.year.year())
        self.all_rows: list[ops.TaskRow] = []
        self.dialog = None  # the open milestone or note dialog
        self._build_filters()
        self.model = TaskTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setColumnHidden(OFFICE, not self.setup.is_city)
        self._build_detail()
        self._build_layout()
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_detail())
        self.milestone_table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.note_table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_evidence())
        self.ctx.bus.changed.connect(self._on_changes)
        self.year.activated.connect(lambda _i: self._year_changed())
        self.reload()

    # --- building -------------------------------------------------------------------------------
    def _build_filters(self) -> None:
        self.section_filter = QComboBox()
        self.section_filter.setMaximumWidth(280)
        self.office_filter = QComboBox()
        self.status_filter = QComboBox()
        self.count_label = QLabel()
        self._fill_filters()
        for combo in (self.section_filter, self.office_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _i: self._apply_filters())

    def _fill_filters(self) -> None:
        """The filters' entries from the setup, keeping what was chosen when it is still there."""
        entries = (
            (self.section_filter, self.tr("全部章节"), [(f"{c.code} {c.name}", c.code) for c in self.setup.sections]),
            (self.office_filter, self.tr("全部单位"), [(c.name, c.code) for c in self.setup.offices]),
            (self.status_filter, self.tr("全部状态"), [(status, status) for status in STATUSES]),
        )
        for combo, first, items in entries:
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, ANY)
            for text, data in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(combo.findData(keep), 0) if keep is not None else 0)
            combo.blockSignals(False)

    def _build_detail(self) -> None:
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-weight: bold; font-size: 15px;")
        self.title_label.setWordWrap(True)
        self.meta_label = QLabel()
        self.meta_label.setWordWrap(True)
        self.meta_label.setStyleSheet("color: #555;")
        self.sentence_label = QLabel()
        self.sentence_label.setWordWrap(True)
        self.sentence_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.sentence_label.setStyleSheet("background: #f7f3e8; border-left: 3px solid #c9b98a; padding: 4px 6px;")
        self.readonly_label = QLabel(self.tr("县区的节点和进展由县区科协在本单位填写，随上报包报来；此处只能查看。"))
        self.readonly_label.setWordWrap(True)
        self.readonly_label.setStyleSheet("color: #9a4a00;")
        self.milestone_model = MilestoneModel(self)
        self.milestone_table = self._small_table(self.milestone_model, 4)
        self.add_milestone_button = QPushButton(self.tr("添加节点…"))
        self.complete_button = QPushButton(self.tr("标为完成…"))
        self.note_model = NoteModel(self)
        self.note_table = self._small_table(self.note_model, 3)
        self.add_note_button = QPushButton(self.tr("记录进展…"))
        self.note_text = QLabel()  # the chosen note in full (the table cuts long ones)
        self.note_text.setWordWrap(True)
        self.note_text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.evidence = EvidenceView(lambda i: ops.load_evidence(self.ctx, i), self.save_evidence)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #1b6e3a;")
        self.add_milestone_button.clicked.connect(self.add_milestone)
        self.complete_button.clicked.connect(self.complete_milestone)
        self.add_note_button.clicked.connect(self.add_note)

    def _small_table(self, model, rows: int) -> QTableView:
        """A table that always shows ``rows`` rows (more scroll)."""
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        table.horizontalHeader().setStretchLastSection(False)
        height = table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
        table.setMinimumHeight(height + 2 * table.frameWidth())
        return table

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("年度：")))
        bar.addWidget(self.year)
        bar.addWidget(QLabel(self.tr("章节：")))
        bar.addWidget(self.section_filter)
        if self.setup.is_city:
            bar.addWidget(QLabel(self.tr("单位：")))
            bar.addWidget(self.office_filter)
        bar.addWidget(QLabel(self.tr("状态：")))
        bar.addWidget(self.status_filter)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        left = QWidget()
        lcol = QVBoxLayout(left)
        lcol.setContentsMargins(0, 0, 0, 0)
        lcol.addLayout(bar)
        lcol.addWidget(self.plan_note)
        lcol.addWidget(self.table, 1)
        header = self.table.horizontalHeader()
        for col in (SECTION, CODE, OFFICE, DUE, STATUS, MARKS, LAST):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.Stretch)
        header.setSectionResizeMode(NEXT, QHeaderView.Interactive)
        header.resizeSection(NEXT, 220)

        marks = QGroupBox(self.tr("节点"))
        mcol = QVBoxLayout(marks)
        mcol.addWidget(self.milestone_table, 1)
        mbuttons = QHBoxLayout()
        mbuttons.addStretch(1)
        mbuttons.addWidget(self.add_milestone_button)
        mbuttons.addWidget(self.complete_button)
        mcol.addLayout(mbuttons)
        mh = self.milestone_table.horizontalHeader()
        mh.setSectionResizeMode(1, QHeaderView.Stretch)
        for col in (0, 2, 3, 4):
            mh.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        notes = QGroupBox(self.tr("进展与证据"))
        ncol = QVBoxLayout(notes)
        ncol.addWidget(self.note_table, 2)
        nh = self.note_table.horizontalHeader()
        nh.setSectionResizeMode(1, QHeaderView.Stretch)
        for col in (0, 2, 3):
            nh.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        nbuttons = QHBoxLayout()
        nbuttons.addWidget(self.note_text, 1)
        nbuttons.addWidget(self.add_note_button, 0, Qt.AlignTop)
        ncol.addLayout(nbuttons)
        ncol.addWidget(self.evidence, 3)

        info = QWidget()
        icol = QVBoxLayout(info)
        icol.setContentsMargins(0, 0, 0, 0)
        icol.addWidget(self.title_label)
        icol.addWidget(self.meta_label)
        icol.addWidget(self.sentence_label)
        icol.addWidget(self.readonly_label)
        icol.addStretch(1)
        icol.addWidget(self.message)
        detail = QWidget()
        drow = QHBoxLayout(detail)
        drow.setContentsMargins(0, 0, 0, 0)
        drow.addWidget(info, 4)
        drow.addWidget(marks, 6)
        drow.addWidget(notes, 6)
        # The list above, the chosen task below (the list gets the full width for the task names).
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(left)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self._sized = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._sized and self.height() > 200:  # first real size: list 45 %, the task 55 %
            self._sized = True
            total = sum(self.splitter.sizes()) or self.height()
            self.splitter.setSizes([total * 45 // 100, total - total * 45 // 100])

    # --- data -----------------------------------------------------------------------------------
    def as_of(self) -> dt.date:
        """Today; in an earlier year, that year's last day."""
        return min(self.today or dt.date.today(), dt.date(self.year.year(), 12, 31))

    def _fill_years(self) -> None:
        """Every plan's years; chosen: this year within the current plan."""
        choices = plan_ops.year_choices(self.ctx)
        today = self.today or dt.date.today()
        current = [c.year for c in choices if c.read_only is None]
        self.year.set_choices(choices, min(max(today.year, current[0]), current[-1]))

    def _year_changed(self) -> None:
        self.setup = ops.load_setup(self.ctx, self.year.year())
        self._fill_filters()
        self.reload()

    def reload(self) -> None:
        self._stale = False
        keep = self.current_row().key if self.current_row() else None
        try:
            self.all_rows = ops.load_rows(self.ctx, self.as_of(), self.year.year())
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("工作清单"), exc)
            return
        self.milestone_model.as_of = self.as_of()
        self.plan_note.show_reason(self.year.read_only())
        self._apply_filters(keep)

    def _apply_filters(self, keep=None) -> None:
        if keep is None and self.current_row() is not None:
            keep = self.current_row().key
        section, office, status = (c.currentData() for c in (self.section_filter, self.office_filter,
                                                              self.status_filter))
        rows = [r for r in self.all_rows if (section is ANY or r.section_code == section)
                and (office is ANY or r.office_code == office) and (status is ANY or r.status == status)]
        self.model.update_rows(rows, key=lambda r: r.key)
        late = sum(r.status == "滞后" for r in rows)
        self.count_label.setText(self.tr("共 %1 项，滞后 %2 项").replace("%1", str(len(rows))).replace("%2", str(late)))
        keys = [r.key for r in rows]
        target = keys.index(keep) if keep in keys else (0 if rows else -1)
        if target >= 0:
            self.table.selectRow(target)
        self._show_detail()

    def current_row(self) -> ops.TaskRow | None:
        index = self.table.currentIndex() if hasattr(self, "table") else None
        if index is None or not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()]

    def select(self, task_code: str, office_code: str | None = None) -> bool:
        """Select a task's row (the office's, or this office's first); filters that hide it are cleared."""
        office_code = office_code or self.setup.office_code
        if not any(r.key == (task_code, office_code) for r in self.model.rows):
            for combo in (self.section_filter, self.office_filter, self.status_filter):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self._apply_filters((task_code, office_code))
        keys = [r.key for r in self.model.rows]
        if (task_code, office_code) not in keys:
            return False
        self.table.selectRow(keys.index((task_code, office_code)))
        return True

    def _show_detail(self) -> None:
        row = self.current_row()
        keep_note = self._current_note().id if self._current_note() else None
        self.milestone_model.set_rows(list(row.milestones) if row else [])
        self.note_model.set_rows(list(row.notes) if row else [])
        if row is None:
            self.title_label.setText(self.tr("没有符合条件的任务。"))
            for label in (self.meta_label, self.sentence_label):
                label.clear()
            self.readonly_label.hide()
            self.evidence.set_files(())
            self._update_buttons()
            return
        who = row.office_name if self.setup.is_city else ""
        self.title_label.setText(f"{row.task_code} {row.name}" + (f" · {who}" if who else ""))
        parts = [f"{row.section_code} {row.section_name}", self.tr("承担：") + row.carriers,
                 self.tr("完成期限：") + row.due.isoformat(), self.tr("状态：") + row.status]
        if row.indicators:
            parts.append(self.tr("关联指标：") + "、".join(row.indicators))
        self.meta_label.setText("　".join(parts))
        self.sentence_label.setText(self.tr("计划原文：") + row.sentence)
        ended = self.year.read_only()
        self.readonly_label.setText(ended + self.tr("。") if ended else self.tr(
            "县区的节点和进展由县区科协在本单位填写，随上报包报来；此处只能查看。"))
        self.readonly_label.setVisible(not row.editable)
        ids = [n.id for n in row.notes]
        if row.notes:
            self.note_table.selectRow(ids.index(keep_note) if keep_note in ids else len(ids) - 1)
        self._show_evidence()
        self._update_buttons()

    def _current_note(self) -> ops.NoteRow | None:
        if not hasattr(self, "note_table"):
            return None
        index = self.note_table.currentIndex()
        return self.note_model.rows[index.row()] if index.isValid() and index.row() < len(self.note_model.rows) else None

    def _current_milestone(self) -> ops.MilestoneRow | None:
        index = self.milestone_table.currentIndex()
        rows = self.milestone_model.rows
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else None

    def _show_evidence(self) -> None:
        note = self._current_note()
        self.note_text.setText(f"{note.date.isoformat()}：{note.text}" if note else "")
        self.evidence.set_files(note.evidence if note else ())

    def _update_buttons(self) -> None:
        row = self.current_row()
        editable = bool(row and row.editable)
        for button in (self.add_milestone_button, self.complete_button, self.add_note_button):
            button.setVisible(editable or not self.setup.is_city)
        self.add_milestone_button.setEnabled(editable)
        self.add_note_button.setEnabled(editable)
        m = self._current_milestone()
        self.complete_button.setEnabled(editable and m is not None and m.done is None)
        ended = self.year.read_only()  # an earlier plan's milestones and notes: only shown
        if ended:
            for button in (self.add_milestone_button, self.complete_button, self.add_note_button):
                button.setVisible(True)
                button.setEnabled(False)
        for button in (self.add_milestone_button, self.complete_button, self.add_note_button):
            button.setToolTip(ended or "")

    # --- edits (each one transaction through the core; success shown after the commit) -------------
    def _label(self, row: ops.TaskRow) -> str:
        return f"{row.task_code} {row.name}"

    def _open(self, dialog, done) -> None:
        """Window-modal and non-blocking (QDialog.open); ``done()`` writes the success line after the commit."""
        self.dialog = dialog
        dialog.accepted.connect(done)
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def add_milestone(self) -> None:
        row = self.current_row()
        if row is None or not row.editable:
            return
        result = {}

        def submit(title: str, due: dt.date) -> None:
            result["id"] = ops.add_milestone(self.ctx, row.office_code, row.task_code, title, due)
            result["title"] = title.strip()

        def done() -> None:
            self.message.setText(self.tr("已为任务 %1 添加节点 %2“%3”。").replace("%1", row.task_code)
                                 .replace("%2", str(result["id"])).replace("%3", result["title"]))

        default = min(self.as_of() + dt.timedelta(days=30), max(row.due, self.as_of()))
        self._open(MilestoneDialog(self._label(row), default, submit, self), done)

    def complete_milestone(self) -> None:
        row, m = self.current_row(), self._current_milestone()
        if row is None or m is None or not row.editable or m.done is not None:
            return
        result = {}

        seen = [m.version]

        def submit(day: dt.date) -> None:
            try:
                ops.complete_milestone(self.ctx, row.office_code, row.task_code, m.id, day, seen[0])
            except StaleEdit:  # another PC changed it: the page shows it as saved; a second 确定 saves over it
                self.reload()
                fresh = self.current_row()
                seen[0] = next((x.version for x in (fresh.milestones if fresh else ()) if x.id == m.id), None)
                raise
            result["done"] = day

        def done() -> None:
            self.message.setText(self.tr("已把节点 %1“%2”标为 %3 完成。").replace("%1", str(m.id))
                                 .replace("%2", m.title).replace("%3", result["done"].isoformat()))

        label = f"{m.id}“{m.title}”（期限 {m.due.isoformat()}）"
        self._open(CompleteDialog(label, self.as_of(), submit, self), done)

    def add_note(self) -> None:
        row = self.current_row()
        if row is None or not row.editable:
            return
        result = {}

        def submit(date: dt.date, text: str, files: list[str]) -> None:
            result["files"] = ops.add_note(self.ctx, row.office_code, row.task_code, date, text, files)
            result["date"] = date

        def done() -> None:
            files = result["files"]
            extra = self.tr("，附 %1 个证据文件").replace("%1", str(files)) if files else ""
            self.message.setText(self.tr("已为任务 %1 记录 %2 的进展%3。").replace("%1", row.task_code)
                                 .replace("%2", result["date"].isoformat()).replace("%3", extra))

        self._open(NoteDialog(self._label(row), self.as_of(), self.ctx.settings, submit, self), done)

    def save_evidence(self, evidence: ops.EvidenceFile) -> None:
        path, _f = file_dialogs.save_file(self, self.ctx.settings, self.tr("另存证据文件"), evidence.file_name,
                                          self.tr("所有文件 (*)"))
        if not path:
            return
        try:
            ops.save_copy(evidence, path)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("保存证据文件失败"), exc)
            return
        self.message.setText(self.tr("已保存到 %1").replace("%1", path))

    # --- refresh --------------------------------------------------------------------------------
    def _on_changes(self, changes) -> None:
        # Own edits (tasks), demo data and restores (everything), a new office or plan; and any import of a
        # package (values, review), whose task part may arrive with them: three queries, cheaper than stale.
        if not (changes.tasks or changes.everything or changes.offices or changes.plan or changes.values
                or changes.review):
            return
        if changes.plan:  # another plan became current: its years first
            self._fill_years()
        if changes.offices or changes.plan or changes.everything:
            self.setup = ops.load_setup(self.ctx, self.year.year())
            self._fill_filters()
        self.reload_when_shown()

