"""The ledger page's filters: activity type, dates and search text, plus the indicator of a drill-down,
and the bar under them that names the active filters in words."""

from __future__ import annotations

import calendar
import datetime as dt

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from . import operations as ops


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class LedgerFilters(QWidget):
    """The filter row and the bar of active filters with 清除筛选.

    ``changed`` asks the page to reload: at once for the type, Enter and 清除筛选, after a pause in typing
    for the search text and the dates. Setting the filters from code (``set_setup``, ``show_month``) is silent.
    """

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setup: ops.LedgerSetup | None = None
        self.indicator: ops.IndicatorFilter | None = None
        self.type_combo = QComboBox()
        self.type_combo.setMinimumContentsLength(10)
        self.date_from = self._date_edit()
        self.date_to = self._date_edit()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索活动名称、地点、备注"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.filter_label = QLabel()
        self.filter_label.setWordWrap(True)
        self.clear_button = QPushButton(self.tr("清除筛选"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)  # search and dates apply after a pause in typing
        self._build_layout()
        self._connect()

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("类型：")))
        row.addWidget(self.type_combo)
        row.addSpacing(12)
        row.addWidget(QLabel(self.tr("日期：")))
        row.addWidget(self.date_from)
        row.addWidget(QLabel(self.tr("至")))
        row.addWidget(self.date_to)
        row.addSpacing(12)
        row.addWidget(QLabel(self.tr("搜索：")))
        row.addWidget(self.search, 1)
        self.filter_bar = QFrame()
        self.filter_bar.setObjectName("filterBar")
        self.filter_bar.setStyleSheet("#filterBar { background: #e8f0fb; border: 1px solid #b8cce6;"
                                      " border-radius: 3px; }")
        bar = QHBoxLayout(self.filter_bar)
        bar.setContentsMargins(8, 3, 4, 3)
        bar.addWidget(self.filter_label, 1)
        bar.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # lines up with the page's other rows
        layout.addLayout(row)
        layout.addWidget(self.filter_bar)

    def _connect(self) -> None:
        self.type_combo.currentIndexChanged.connect(self.changed)
        self.date_from.dateChanged.connect(self._on_date_from)
        self.date_to.dateChanged.connect(self._on_date_to)
        self.search.textChanged.connect(self._timer.start)
        self.search.returnPressed.connect(self.changed)
        self._timer.timeout.connect(self.changed)
        self.clear_button.clicked.connect(self._on_clear)

    # --- set from the page ----------------------------------------------------------------------
    def set_setup(self, setup: ops.LedgerSetup) -> None:
        """Types and the plan period; the chosen type stays, the dates reset only when the period changed."""
        previous, self.setup = self.setup, setup
        with _Blocked(self.type_combo, self.date_from, self.date_to, self.search):
            chosen = self.type_combo.currentData()
            self.type_combo.clear()
            self.type_combo.addItem(self.tr("全部类型"), None)
            for choice in setup.types:
                self.type_combo.addItem(choice.name, choice.code)
            self.type_combo.setCurrentIndex(max(self.type_combo.findData(chosen), 0))
            first, last = setup.dates_span  # earlier plans' records can be looked up too
            for edit in (self.date_from, self.date_to):
                edit.setDateRange(_qdate(first), _qdate(last))
            if previous is None or (previous.first_day, previous.last_day) != (setup.first_day, setup.last_day):
                self.date_from.setDate(_qdate(setup.first_day))
                self.date_to.setDate(_qdate(setup.last_day))

    def show_month(self, indicator: ops.IndicatorFilter, year: int, month: int) -> None:
        """Only the activities behind ``indicator``'s figure in ``year``-``month`` (drill-down)."""
        self.indicator = indicator
        last = calendar.monthrange(year, month)[1]
        with _Blocked(self.type_combo, self.date_from, self.date_to, self.search):
            self.type_combo.setCurrentIndex(0)
            self.search.clear()
            self.date_from.setDate(QDate(year, month, 1))
            self.date_to.setDate(QDate(year, month, last))

    def clear(self) -> None:
        self.indicator = None
        with _Blocked(self.type_combo, self.date_from, self.date_to, self.search):
            self.type_combo.setCurrentIndex(0)
            self.search.clear()
            self.date_from.setDate(_qdate(self.setup.first_day))
            self.date_to.setDate(_qdate(self.setup.last_day))

    def stop_pending(self) -> None:
        """The filters are being applied now, so a delayed apply would only repeat it."""
        self._timer.stop()

    # --- reading --------------------------------------------------------------------------------
    def current(self) -> ops.LedgerFilter:
        date_from, date_to = _pydate(self.date_from.date()), _pydate(self.date_to.date())
        return ops.LedgerFilter(
            type_code=self.type_combo.currentData(),
            # The whole plan period means no date bound, so records outside it still show.
            date_from=date_from if date_from != self.setup.first_day else None,
            date_to=date_to if date_to != self.setup.last_day else None,
            text=self.search.text().strip(),
            indicator_code=self.indicator.code if self.indicator else None,
        )

    def description(self) -> str:
        """The active filters in words, '' when everything is shown."""
        flt = self.current()
        parts = []
        if self.indicator:
            parts.append(self.tr("计入指标 %1 “%2”的活动").replace("%1", self.indicator.code)
                         .replace("%2", self.indicator.name))
        if flt.type_code:
            parts.append(self.tr("类型：") + self.type_combo.currentText())
        if flt.date_from or flt.date_to:
            parts.append(self._period_text(_pydate(self.date_from.date()), _pydate(self.date_to.date())))
        if flt.text:
            parts.append(self.tr("包含“%1”").replace("%1", flt.text))
        return "；".join(parts)

    def show_active(self) -> None:
        """Name the active filters in the bar; the bar hides when there are none."""
        text = self.description()
        self.filter_label.setText(self.tr("当前筛选：") + text if text else "")
        self.filter_bar.setVisible(bool(text))

    def _period_text(self, first: dt.date, last: dt.date) -> str:
        if first.day == 1 and (first.year, first.month) == (last.year, last.month) \
                and last.day == calendar.monthrange(last.year, last.month)[1]:
            return self.tr("%1年%2月").replace("%1", str(first.year)).replace("%2", str(first.month))
        if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
            return self.tr("%1年").replace("%1", str(first.year))
        return self.tr("%1 至 %2").replace("%1", first.isoformat()).replace("%2", last.isoformat())

    # --- user input -----------------------------------------------------------------------------
    def _on_date_from(self, day: QDate) -> None:
        if day > self.date_to.date():
            with _Blocked(self.date_to):
                self.date_to.setDate(day)
        self._timer.start()

    def _on_date_to(self, day: QDate) -> None:
        if day < self.date_from.date():
            with _Blocked(self.date_from):
                self.date_from.setDate(day)
        self._timer.start()

    def _on_clear(self) -> None:
        self.clear()
        self.changed.emit()


class _Blocked:
    """Set several widgets without each change triggering a reload."""

    def __init__(self, *widgets):
        self.widgets = widgets

    def __enter__(self):
        self.previous = [w.blockSignals(True) for w in self.widgets]

    def __exit__(self, *exc):
        for widget, previous in zip(self.widgets, self.previous):
            widget.blockSignals(previous)
