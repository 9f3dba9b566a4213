"""考核: at the city, the year's score table (every unit's parts, total, rank in its class and overall, a class
filter); a unit's breakdown and 对比找差; the scheme and the task adjustments edited in dialogs. A unit sees
the scheme of its class, read-only (its score needs 报送情况, which only the city has)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop import assessment as core
from kexie_desktop.display import points

from ..context import AppContext
from ..errors import show_error
from ..plan import operations as plan_ops
from ..widgets.lazy_reload import LazyReload
from ..widgets.year_selector import ReadOnlyBanner, YearSelector
from . import operations as ops
from .dialogs import AdjustDialog, SchemeDialog
from .model import P_DETAIL, P_NAME, NAME, PartsModel, ScoreModel

ALL_CLASSES = "__all__"


class AssessmentPage(LazyReload, QWidget):
    def __init__(self, ctx: AppContext, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.setup = ops.load_setup(ctx, today)
        self.result: core.Assessment | None = None
        self.dialog = None
        self.year = YearSelector()
        self.year.set_choices(plan_ops.year_choices(ctx), self.setup.default_year)
        self.plan_note = ReadOnlyBanner()
        self.as_of = QDateEdit()
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.klass = QComboBox()
        self.scheme_button = QPushButton(self.tr("考核方案…") if self.setup.is_city else self.tr("考核方案"))
        self.adjust_button = QPushButton(self.tr("调整任务得分…"))
        self.adjust_button.setToolTip(self.tr("在下方明细中选中一项定性任务，写明理由后调整它的得分"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.scores = ScoreModel(self)
        self.table = self._view(self.scores)
        self.parts = PartsModel(self)
        self.breakdown = self._view(self.parts)
        self.breakdown_title = QGroupBox(self.tr("得分明细"))
        self.gaps = QListWidget()
        self.gaps.setWordWrap(True)
        self.scheme_text = QPlainTextEdit()
        self.scheme_text.setReadOnly(True)
        self._build_layout()
        self.year.currentIndexChanged.connect(lambda _i: self._year_changed())
        self.as_of.dateChanged.connect(lambda _d: self.reload())
        self.klass.currentIndexChanged.connect(lambda _i: self._fill_table())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_unit())
        self.breakdown.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.scheme_button.clicked.connect(self.open_scheme)
        self.adjust_button.clicked.connect(self.open_adjust)
        self.ctx.bus.changed.connect(self._on_changes)
        self._year_changed()

    @staticmethod
    def _view(model) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectRows)
        view.setSelectionMode(QAbstractItemView.SingleSelection)
        view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        return view

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("年度：")))
        bar.addWidget(self.year)
        bar.addSpacing(12)
        as_of_label, class_label = QLabel(self.tr("截至：")), QLabel(self.tr("类别："))
        bar.addWidget(as_of_label)
        bar.addWidget(self.as_of)
        bar.addSpacing(12)
        bar.addWidget(class_label)
        bar.addWidget(self.klass)
        bar.addStretch(1)
        bar.addWidget(self.adjust_button)
        bar.addWidget(self.scheme_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.plan_note)
        layout.addWidget(self.summary)
        bv = QVBoxLayout(self.breakdown_title)
        bv.addWidget(self.breakdown)
        gap_box = QGroupBox(self.tr("对比找差：失分最多的项"))
        gv = QVBoxLayout(gap_box)
        gv.addWidget(self.gaps)
        lower = QSplitter(Qt.Horizontal)
        lower.addWidget(self.breakdown_title)
        lower.addWidget(gap_box)
        lower.setStretchFactor(0, 5)
        lower.setStretchFactor(1, 2)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout.addWidget(split, 1)
        layout.addWidget(self.scheme_text, 1)
        # Every widget has a parent in both modes: a parentless one would be freed with the Python object.
        if self.setup.is_city:
            self.scheme_text.hide()
        else:
            for w in (as_of_label, self.as_of, class_label, self.klass, self.adjust_button, split):
                w.hide()

    # --- data -----------------------------------------------------------------------------------
    def _year_changed(self) -> None:
        year = self.year.currentData()
        default = ops.as_of_default(self.ctx, year, self.today)
        self.as_of.blockSignals(True)
        self.as_of.setDateRange(QDate(year, 1, 1), QDate(year + 1, 1, 31))  # January: December's deadline
        self.as_of.setDate(QDate(default.year, default.month, default.day))
        self.as_of.blockSignals(False)
        self.reload()
        self._update_buttons()

    def as_of_date(self) -> dt.date:
        d = self.as_of.date()
        return dt.date(d.year(), d.month(), d.day())

    def reload(self) -> None:
        self._stale = False
        year = self.year.currentData()
        try:
            scheme = ops.load_scheme(self.ctx, year)
            if not self.setup.is_city:
                self._show_scheme_only(scheme)
                return
            self.result = ops.load(self.ctx, year, self.as_of_date())
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("考核"), exc)
            return
        self._fill_classes()
        self._fill_table()
        r = self.result
        state = (self.tr("已保存的方案") if r.scheme.stored else self.tr("默认方案（尚未修改）"))
        self.summary.setText(self.tr("%1年考核，截至 %2；%3，完成率封顶 %4；类内按总分排名，全市按得分率"
                                     "（总分÷满分）排名，并列者同名次。").replace("%1", str(r.year)).replace(
            "%2", r.as_of.isoformat()).replace("%3", state).replace("%4", f"{r.scheme.cap:.0%}"))

    def _show_scheme_only(self, scheme: core.Scheme) -> None:
        names = dict(self.setup.units)
        mine = scheme.class_of(self.setup.office_code)
        lines = core.describe(scheme, names, only=mine.name if mine else None)
        self.scheme_text.setPlainText("\n".join(lines))
        self.summary.setText(self.tr("%1属于“%2”类。考核结果由市科协根据报送情况计算；下面是本单位所在类的考核方案（只读）。")
                             .replace("%1", self.setup.office_name)
                             .replace("%2", mine.name if mine else self.tr("未分类")))
        self.scheme_button.hide()

    def _fill_classes(self) -> None:
        keep = self.klass.currentData() or ALL_CLASSES
        self.klass.blockSignals(True)
        self.klass.clear()
        self.klass.addItem(self.tr("全部"), ALL_CLASSES)
        for c in self.result.scheme.classes:
            self.klass.addItem(c.name, c.name)
        index = self.klass.findData(keep)
        self.klass.setCurrentIndex(index if index >= 0 else 0)
        self.klass.blockSignals(False)

    def selected_class(self) -> str | None:
        value = self.klass.currentData()
        return None if value in (None, ALL_CLASSES) else value

    def _fill_table(self) -> None:
        if self.result is None:
            return
        keep = self.selected_unit().code if self.selected_unit() else None
        rows = self.result.ranked(self.selected_class())
        self.scores.set_rows(rows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Stretch)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeToContents)
        codes = [u.code for u in rows]
        if codes:
            self.table.selectRow(codes.index(keep) if keep in codes else 0)
        self._show_unit()

    def selected_unit(self) -> core.UnitScore | None:
        index = self.table.selectionModel().currentIndex() if self.table.selectionModel() else None
        if index is None or not index.isValid() or index.row() >= len(self.scores.rows):
            return None
        return self.scores.rows[index.row()]

    def _show_unit(self) -> None:
        u = self.selected_unit()
        keep = self.selected_part().code if self.selected_part() else None
        self.parts.set_rows(list(u.parts) if u else [])
        header = self.breakdown.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(P_NAME, QHeaderView.Interactive)
        header.setSectionResizeMode(P_DETAIL, QHeaderView.Stretch)
        self.breakdown.setColumnWidth(P_NAME, 220)
        self.gaps.clear()
        if u is None:
            self.breakdown_title.setTitle(self.tr("得分明细"))
            self._update_buttons()
            return
        self.breakdown_title.setTitle(self.tr("%1（%2）得分明细：%3 / %4 分").replace("%1", u.name).replace(
            "%2", u.class_name).replace("%3", points(u.total)).replace("%4", points(u.max)))
        for p in u.gaps():
            label = p.name if p.group == "reporting" else f"{p.code} {p.name}"
            self.gaps.addItem(self.tr("%1：失 %2 分").replace("%1", label).replace("%2", points(p.lost)))
        if not u.gaps():
            self.gaps.addItem(self.tr("没有失分的项"))
        codes = [p.code for p in u.parts]
        if keep in codes:
            self.breakdown.selectRow(codes.index(keep))
        self._update_buttons()

    def selected_part(self) -> core.Part | None:
        index = self.breakdown.selectionModel().currentIndex() if self.breakdown.selectionModel() else None
        if index is None or not index.isValid() or index.row() >= len(self.parts.rows):
            return None
        return self.parts.rows[index.row()]

    def _update_buttons(self) -> None:
        part = self.selected_part()
        ended = self.year.read_only()  # an earlier plan's assessment: only shown
        self.plan_note.show_reason(ended)
        self.adjust_button.setEnabled(self.setup.is_city and part is not None and part.group == "task"
                                      and ended is None)
        self.adjust_button.setToolTip(ended or self.tr("在下方明细中选中一项定性任务，写明理由后调整它的得分"))
        if self.setup.is_city:
            self.scheme_button.setEnabled(ended is None)
            self.scheme_button.setToolTip(ended or "")

    # --- dialogs --------------------------------------------------------------------------------
    def open_scheme(self) -> None:
        if not self.setup.is_city or self.year.read_only():
            return
        year = self.year.currentData()
        try:
            scheme = ops.load_scheme(self.ctx, year)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("考核方案"), exc)
            return
        self._open(SchemeDialog(self.ctx, year, scheme, self.setup.units, self))

    def open_adjust(self) -> None:
        unit, part = self.selected_unit(), self.selected_part()
        if unit is None or part is None or part.group != "task" or self.year.read_only():
            return
        self._open(AdjustDialog(self.ctx, self.year.currentData(), unit, part, self))

    def _open(self, dialog) -> None:
        """Window-modal and non-blocking (QDialog.open); the bus refreshes the page after a save."""
        self.dialog = dialog
        dialog.finished.connect(lambda _r: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _on_changes(self, changes) -> None:
        # Scheme and adjustments, imports (values, review, tasks, everything), targets, the deadline.
        if not changes:
            return
        if changes.plan:  # another plan became current: its years first
            self.setup = ops.load_setup(self.ctx, self.today)
            self.year.blockSignals(True)
            self.year.set_choices(plan_ops.year_choices(self.ctx), self.setup.default_year)
            self.year.blockSignals(False)
            self._year_changed()
            return
        self.reload_when_shown()

