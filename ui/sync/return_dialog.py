"""退回… (city): return a submission — the whole package, or some of its months, each optionally narrowed to one
indicator — with a reason per item, and a preview of what the unit will get back. Nothing is written here:
the page saves the file after the dialog is accepted; the rules (reason ≥ 5 characters, months the package
carries) are the core's, asked through ``check`` before the dialog closes."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.packages import ReturnRequest
from kexie_desktop.review.summary import months_text

from ..widgets.dialog_parts import error_message, hint_label, ok_cancel


class MonthRow:
    """One month of the package: returned or not, the whole month or one indicator, and why."""

    def __init__(self, month: int, indicators: list[tuple[str, str]]):
        self.month = month
        self.check = QCheckBox(f"{month}月")
        self.indicator = QComboBox()
        self.indicator.addItem("整月", "")
        for code, name in indicators:
            self.indicator.addItem(f"{code} {name}", code)
        self.indicator.setMinimumContentsLength(16)
        self.indicator.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("退回原因（至少 5 个字）")

    def request(self) -> ReturnRequest:
        return ReturnRequest(self.reason.text(), self.month, self.indicator.currentData() or None)


class ReturnDialog(QDialog):
    def __init__(self, title: str, months: list[int], indicators: list[tuple[str, str]],
                 check: Callable[[list[ReturnRequest]], list[tuple]], parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("退回上报包"))
        self.check = check
        self.items: list[tuple] = []  # what the core said the return carries, once accepted
        self.whole = QRadioButton(self.tr("退回整个上报包（%1）").replace("%1", months_text(months)))
        self.some = QRadioButton(self.tr("只退回选中的月份（可指定某项指标）："))
        group = QButtonGroup(self)
        group.addButton(self.whole)
        group.addButton(self.some)
        self.some.setChecked(True)
        self.whole_reason = QLineEdit()
        self.whole_reason.setPlaceholderText(self.tr("退回原因（至少 5 个字）"))
        self.rows = [MonthRow(m, indicators) for m in months]
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setMinimumHeight(70)
        self.preview.setMaximumHeight(120)
        self.error = error_message()
        buttons, self.ok_button = ok_cancel(self, self.tr("保存退回包…"))
        self._build_layout(title, buttons)
        for widget in (self.whole, self.some):
            widget.toggled.connect(self._update)
        self.whole_reason.textChanged.connect(self._update)
        for row in self.rows:
            row.check.toggled.connect(self._update)
            row.indicator.currentIndexChanged.connect(self._update)
            row.reason.textChanged.connect(self._update)
        self._update()
        self.resize(780, 600)

    def _build_layout(self, title: str, buttons) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(title + "\n" + self.tr(
            "每项退回都要写明原因，县区据此改正后重新报送。退回不会删除市科协已保存的数据。")))
        layout.addWidget(self.whole)
        layout.addWidget(self.whole_reason)
        layout.addWidget(self.some)
        grid_box = QWidget()
        grid = QGridLayout(grid_box)
        grid.setContentsMargins(18, 0, 0, 0)
        for col, text in enumerate((self.tr("月份"), self.tr("退回内容"), self.tr("原因"))):
            label = QLabel(text)
            label.setStyleSheet("color: #555;")
            grid.addWidget(label, 0, col)
        for r, row in enumerate(self.rows, start=1):
            grid.addWidget(row.check, r, 0)
            grid.addWidget(row.indicator, r, 1)
            grid.addWidget(row.reason, r, 2)
        grid.setColumnStretch(2, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_box)
        scroll.setFrameShape(QScrollArea.NoFrame)
        layout.addWidget(scroll, 1)
        layout.addWidget(QLabel(self.tr("将退回：")))
        layout.addWidget(self.preview)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def requests(self) -> list[ReturnRequest]:
        if self.whole.isChecked():
            return [ReturnRequest(self.whole_reason.text())]
        return [row.request() for row in self.rows if row.check.isChecked()]

    def _update(self) -> None:
        whole = self.whole.isChecked()
        self.whole_reason.setEnabled(whole)
        for row in self.rows:
            row.check.setEnabled(not whole)
            on = not whole and row.check.isChecked()
            row.indicator.setEnabled(on)
            row.reason.setEnabled(on)
        self.preview.setPlainText(self._preview_text())
        self.ok_button.setEnabled(bool(self.requests()))
        self.error.hide()

    def _preview_text(self) -> str:
        lines = []
        for r in self.requests():
            months = [row.month for row in self.rows] if r.month is None else [r.month]
            for m in months:
                what = f"{m}月（整月）" if not r.indicator else f"{m}月 指标 {r.indicator}"
                lines.append(f"· {what}：{r.reason.strip() or self.tr('（未写原因）')}")
        return "\n".join(lines) or self.tr("（还没有选择要退回的月份）")

    def accept(self) -> None:
        try:
            self.items = self.check(self.requests())
        except Exception as exc:  # noqa: BLE001 - the core's sentence, shown in the dialog
            from kexie_desktop.storage_errors import describe

            mapped = describe(exc)
            if mapped is None:
                raise
            self.error.setText(str(mapped))
            self.error.show()
            return
        super().accept()


def preview_items(items: list[tuple]) -> str:
    """The checked items as one line each (what the page says after saving)."""
    return "\n".join(f"{m}月" + (f" 指标 {code} {name}" if code else "（整月）") + f"：{reason}"
                     for m, code, name, reason in items)

