"""分解到县区: share a city target out to the units by weights, with a live preview of every share.

The preview is computed by the same core function that the decomposition writes with
(``targets.split_shares``), so what the dialog shows is exactly what OK stores: whole numbers that add
up to the city target, both bounds of a range.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kexie_desktop.display import number as number_text
from kexie_desktop.display import target as target_text
from kexie_desktop.errors import UserError

from ..errors import show_error
from ..widgets.dialog_parts import error_message, hint_label, ok_cancel
from .operations import SplitSetup, preview_split

MAX_WEIGHT = 100_000


class SplitDialog(QDialog):
    """``submit({unit code: weight})`` writes the decomposition (may raise UserError)."""

    applied = Signal()

    def __init__(self, setup: SplitSetup, submit: Callable[[dict[str, float]], object],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setup, self.submit = setup, submit
        self.setWindowTitle(self.tr("分解到县区"))
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.share_labels: dict[str, QLabel] = {}
        self._build()
        self.equalize()
        self.setMinimumWidth(640)

    def _build(self) -> None:
        setup = self.setup
        title = QLabel(f"{setup.code}　{setup.name}")
        title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        self.summary = QLabel(self.tr("市科协目标（%1）：%2。按权重分解到 %3 个县区，各县区之和恰好等于市级目标。")
                              .replace("%1", setup.scope_text).replace("%2", setup.city_text)
                              .replace("%3", str(len(setup.units))))
        self.summary.setWordWrap(True)
        self.equal_button = QPushButton(self.tr("平均分配"))
        self.equal_button.setToolTip(self.tr("所有县区的权重都设为 1"))
        self.equal_button.clicked.connect(self.equalize)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.equal_button, 0, Qt.AlignTop)
        hint = hint_label(self.tr("份额按权重的比例计算，用最大余数法取整，保证合计不变。权重可以为 0。"
                              "确定后写入各县区的目标，原有目标被替换（旧值可在 目标 页右键 → 修改记录 中查到）。"))
        self.message = error_message()
        self.buttons, self.ok_button = ok_cancel(self, self.tr("分解并保存"))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addLayout(self._build_grid())
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _build_grid(self) -> QGridLayout:
        """One row per unit: name, weight, its target now, its share; then the totals."""
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(4)
        for col, text in enumerate((self.tr("县区"), self.tr("权重"), self.tr("现有目标"), self.tr("分解后"))):
            grid.addWidget(_bold(QLabel(text)), 0, col)
        for row, unit in enumerate(self.setup.units, start=1):
            name = QLabel(unit.short_name)
            name.setToolTip(unit.name)
            self.spins[unit.code] = spin = self._spin(unit.code)
            self.share_labels[unit.code] = share = QLabel()
            share.setObjectName(f"share_{unit.code}")
            share.setMinimumWidth(90)
            for col, widget in enumerate((name, spin, QLabel(unit.current), share)):
                grid.addWidget(widget, row, col)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        line.setFrameShadow(QFrame.Sunken)
        total_row = len(self.setup.units) + 1
        grid.addWidget(line, total_row, 0, 1, 4)
        self.weight_total = QLabel()
        self.share_total = _bold(QLabel())
        city = QLabel(self.setup.city_text + self.tr("（市级）"))
        for col, widget in enumerate((_bold(QLabel(self.tr("合计"))), self.weight_total, city, self.share_total)):
            grid.addWidget(widget, total_row + 1, col)
        grid.setColumnStretch(3, 1)
        return grid

    def _spin(self, code: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setObjectName(f"weight_{code}")
        spin.setDecimals(1)
        spin.setRange(0, MAX_WEIGHT)
        spin.setGroupSeparatorShown(False)
        spin.setMinimumWidth(110)
        spin.valueChanged.connect(self.update_preview)
        return spin

    # --- weights and preview ----------------------------------------------------------------------
    def weights(self) -> dict[str, float]:
        return {code: spin.value() for code, spin in self.spins.items()}

    def equalize(self) -> None:
        for spin in self.spins.values():
            spin.blockSignals(True)
            spin.setValue(1)
            spin.blockSignals(False)
        self.update_preview()

    def shares(self) -> dict[str, str]:
        """The preview column as shown, by unit code."""
        return {code: label.text() for code, label in self.share_labels.items()}

    def update_preview(self, *_args) -> None:
        weights = self.weights()
        self.weight_total.setText(number_text(round(sum(weights.values()), 1)))
        try:
            shares = preview_split(self.setup, list(weights.values()))
        except UserError as exc:
            for label in self.share_labels.values():
                label.setText("—")
            self.share_total.setText("—")
            self.message.setText(str(exc))
            self.message.show()
            self.ok_button.setEnabled(False)
            return
        self.message.hide()
        self.ok_button.setEnabled(True)
        kind, unit = self.setup.kind, self.setup.unit
        for (code, label), (low, high) in zip(self.share_labels.items(), shares):
            label.setText(target_text(kind, unit, low, low, high))
        low_sum = sum(low for low, _ in shares)
        high_sum = sum(high for _, high in shares) if kind == "range" else None
        self.share_total.setText(target_text(kind, unit, low_sum, low_sum, high_sum))

    def accept(self) -> None:
        try:
            self.submit(self.weights())
        except UserError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        except Exception as exc:  # noqa: BLE001 - logged and shown; nothing was written
            show_error(self, self.tr("分解失败"), exc)
            return
        self.applied.emit()
        super().accept()


def _bold(label: QLabel) -> QLabel:
    label.setStyleSheet("font-weight: bold;")
    return label
