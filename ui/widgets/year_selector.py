"""The year choice of every page: the current plan's years, then the years of earlier plans, labelled with
their plan. Choosing an earlier plan's year shows that plan read-only; the page asks ``read_only()`` and
disables its editing actions with that line as the reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel

PLAN_ROLE = Qt.UserRole + 1
READ_ONLY_ROLE = Qt.UserRole + 2


class YearSelector(QComboBox):
    """Item data (``currentData()``) is the year, so ``findData(2020)`` works as on a plain combo."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.currentIndexChanged.connect(lambda _i: self._show_state())

    def set_choices(self, choices, year: int | None = None) -> None:
        """Fill from ``ui.plan.operations.year_choices``; keeps ``year`` (default: the chosen one) when
        listed, else the current plan's last year. No signal is emitted."""
        keep = self.currentData() if year is None else year
        self.blockSignals(True)
        self.clear()
        current_years = []
        for choice in choices:
            if choice.read_only is not None and current_years and self.count() == len(current_years):
                self.insertSeparator(self.count())
            self.addItem(choice.label, choice.year)
            self.setItemData(self.count() - 1, choice.plan_code, PLAN_ROLE)
            self.setItemData(self.count() - 1, choice.read_only, READ_ONLY_ROLE)
            if choice.read_only is None:
                current_years.append(choice.year)
                self.setItemData(self.count() - 1, None, Qt.ToolTipRole)
            else:
                self.setItemData(self.count() - 1, choice.read_only, Qt.ToolTipRole)
        found = self.findData(keep) if keep is not None else -1
        if found < 0 and current_years:
            found = self.findData(current_years[-1])
        self.setCurrentIndex(max(found, 0))
        self.blockSignals(False)
        self._show_state()

    def year(self) -> int | None:
        return self.currentData()

    def set_year(self, year: int) -> None:
        found = self.findData(year)
        if found >= 0:
            self.setCurrentIndex(found)
            self._show_state()

    def plan_code(self) -> str | None:
        return self.currentData(PLAN_ROLE)

    def read_only(self) -> str | None:
        """"2018—2020年计划已结束，只能查看" when the chosen year is another plan's, else None."""
        return self.currentData(READ_ONLY_ROLE)

    def years_of_current_plan(self) -> list[int]:
        return [self.itemData(i) for i in range(self.count())
                if self.itemData(i) is not None and self.itemData(i, READ_ONLY_ROLE) is None]

    def _show_state(self) -> None:
        self.setToolTip(self.read_only() or "")


def apply_read_only(reason: str | None, *widgets) -> None:
    """Disable a page's editing widgets while an earlier plan is shown, with the reason as their tooltip
    (their own tooltip comes back with the current plan). A page with further rules applies them after."""
    for widget in widgets:
        if widget.property("kexie_tip") is None:
            widget.setProperty("kexie_tip", widget.toolTip())
        widget.setEnabled(reason is None)
        widget.setToolTip(reason or widget.property("kexie_tip"))


class ReadOnlyBanner(QLabel):
    """The status line of a page that shows an earlier plan: "2018—2020年计划已结束，只能查看"."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet("color: #7a5b00; background: #fff4d6; padding: 3px 6px; font-weight: bold;")
        self.hide()

    def show_reason(self, reason: str | None) -> None:
        self.setText(reason or "")
        self.setVisible(reason is not None)
