"""The city's 考核 dialogs: the scheme (classes, their units, points, cap) and a task's adjustment.

Both only collect input: the core validates (``assessment.put`` / ``assessment.adjust``) and a refusal
is shown in the dialog's red line, the dialog staying open with what was typed.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from kexie_desktop import assessment as core
from kexie_desktop.display import points

from ..widgets.dialog_parts import error_message, hint_label, ok_cancel
from . import operations as ops

KIND_LABELS = {"indicator": "指标", "task": "任务", "section": "部分"}


def _spin(value: float, top: float = 1000.0, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(decimals)
    box.setRange(0.0, top)
    box.setValue(value)
    return box


class SchemeDialog(QDialog):
    """Edit a copy of the year's scheme document; 保存 hands it to the core."""

    saved = Signal()

    def __init__(self, ctx, year: int, scheme: core.Scheme, units: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.ctx, self.year = ctx, year
        self.setWindowTitle(self.tr("%1年考核方案").replace("%1", str(year)))
        self.doc = {k: copy.deepcopy(v) for k, v in scheme.to_json().items() if k in ("year", "cap", "classes")}
        self.units = units
        self.cap = _spin(self.doc["cap"] * 100, 300.0, 0)
        self.cap.setMinimum(100.0)
        self.cap.setSuffix("%")
        self.members = QTableWidget(len(units), 2)
        self.members.setHorizontalHeaderLabels([self.tr("单位"), self.tr("类别")])
        self.members.verticalHeader().hide()
        self.members.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.new_class = QLineEdit()
        self.new_class.setPlaceholderText(self.tr("新类别名称"))
        self.add_class_button = QPushButton(self.tr("新增类别"))
        self.klass = QComboBox()
        self.items = QTableWidget(0, 3)
        self.items.setHorizontalHeaderLabels([self.tr("类型"), self.tr("代码（部分代码或 * 表示其余全部）"), self.tr("分值")])
        self.items.verticalHeader().hide()
        self.items.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.items.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.item_kind = QComboBox()
        for key, label in (("indicator", "定量：指标"), ("ind_section", "定量：部分"), ("task", "定性：任务"),
                           ("task_section", "定性：部分")):
            self.item_kind.addItem(self.tr(label), key)
        self.item_code = QLineEdit()
        self.item_code.setPlaceholderText(self.tr("如 I09、T1.3、T26、*"))
        self.item_points = _spin(10.0)
        self.add_item_button = QPushButton(self.tr("添加"))
        self.remove_item_button = QPushButton(self.tr("删除所选"))
        self.reporting = {key: _spin(0.0) for key in core.REPORTING_PARTS}
        self.error = error_message()
        buttons, self.ok_button = ok_cancel(self, self.tr("保存"))
        self._layout(buttons)
        self._fill_members()
        self._fill_classes()
        self.add_class_button.clicked.connect(self.add_class)
        self.klass.currentIndexChanged.connect(lambda _i: self._show_class())
        self.add_item_button.clicked.connect(self.add_item)
        self.remove_item_button.clicked.connect(self.remove_items)
        self.resize(760, 640)

    def _layout(self, buttons) -> None:
        top = QFormLayout()
        top.addRow(self.tr("完成率封顶："), self.cap)
        left = QGroupBox(self.tr("单位分类（分类指导）"))
        lv = QVBoxLayout(left)
        lv.addWidget(self.members)
        row = QHBoxLayout()
        row.addWidget(self.new_class)
        row.addWidget(self.add_class_button)
        lv.addLayout(row)
        right = QGroupBox(self.tr("各类的计分项"))
        rv = QVBoxLayout(right)
        pick = QHBoxLayout()
        pick.addWidget(QLabel(self.tr("类别：")))
        pick.addWidget(self.klass, 1)
        rv.addLayout(pick)
        rv.addWidget(self.items, 1)
        add = QHBoxLayout()
        for w in (self.item_kind, self.item_code, self.item_points, self.add_item_button, self.remove_item_button):
            add.addWidget(w)
        rv.addLayout(add)
        form = QFormLayout()
        for key, box in self.reporting.items():
            form.addRow(self.tr(core.REPORTING_LABELS[key]) + "：", box)
        rv.addLayout(form)
        middle = QHBoxLayout()
        middle.addWidget(left, 2)
        middle.addWidget(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint_label(self.tr(
            "指标得分＝分值×min(完成率, 封顶)；部分的分值由其中有目标的指标（或本单位承担的任务）平分；"
            "“*”计其余全部。任务得分＝分值×按期完成的节点占比。")))
        layout.addLayout(middle, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    # --- classes and their units -------------------------------------------------------------------
    def class_names(self) -> list[str]:
        return [c["name"] for c in self.doc["classes"]]

    def _fill_members(self) -> None:
        where = {u: c["name"] for c in self.doc["classes"] for u in c["units"]}
        for row, (code, name) in enumerate(self.units):
            self.members.setItem(row, 0, QTableWidgetItem(name))
            box = QComboBox()
            box.addItems(self.class_names())
            box.setCurrentText(where.get(code, ""))
            self.members.setCellWidget(row, 1, box)

    def member_box(self, code: str) -> QComboBox:
        return self.members.cellWidget([c for c, _n in self.units].index(code), 1)

    def _fill_classes(self) -> None:
        keep = self.klass.currentText()
        self.klass.blockSignals(True)
        self.klass.clear()
        self.klass.addItems(self.class_names())
        self.klass.blockSignals(False)
        self.klass.setCurrentText(keep if keep in self.class_names() else self.class_names()[0])
        self._show_class()

    def add_class(self) -> None:
        name = self.new_class.text().strip()
        if not name or name in self.class_names():
            return
        self._store_class()
        self.doc["classes"].append(core.UnitClass(name, ()).to_json())
        for row in range(self.members.rowCount()):
            self.members.cellWidget(row, 1).addItem(name)
        self.new_class.clear()
        self._fill_classes()
        self.klass.setCurrentText(name)

    def current_class(self) -> dict:
        return self.doc["classes"][self.class_names().index(self.klass.currentText())]

    def _show_class(self) -> None:
        self._shown = self.klass.currentText()
        c = self.current_class()
        rows = [("indicator", i) for i in c["indicators"]] + [("task", i) for i in c["tasks"]]
        self.items.setRowCount(len(rows))
        for n, (part, item) in enumerate(rows):
            kind = "indicator" if "indicator" in item else "task" if "task" in item else "section"
            label = ("定量：" if part == "indicator" else "定性：") + KIND_LABELS[kind]
            cell = QTableWidgetItem(self.tr(label))
            cell.setData(Qt.UserRole, (part, kind))
            self.items.setItem(n, 0, cell)
            self.items.setItem(n, 1, QTableWidgetItem(item.get(kind) if kind != "section" else item["section"]))
            self.items.setCellWidget(n, 2, _spin(item["points"]))
        for key, box in self.reporting.items():
            box.setValue(c["reporting"].get(key, 0.0))

    def _store_class(self) -> None:
        """What the table shows back into the document's class (before another class is shown or saved)."""
        name = getattr(self, "_shown", None)
        if name not in self.class_names():
            return
        c = self.doc["classes"][self.class_names().index(name)]
        c["indicators"], c["tasks"] = [], []
        for n in range(self.items.rowCount()):
            part, kind = self.items.item(n, 0).data(Qt.UserRole)
            code = self.items.item(n, 1).text().strip()
            c["indicators" if part == "indicator" else "tasks"].append(
                {kind: code, "points": self.items.cellWidget(n, 2).value()})
        c["reporting"] = {key: box.value() for key, box in self.reporting.items()}

    def add_item(self) -> None:
        code = self.item_code.text().strip().upper() or "*"
        key = self.item_kind.currentData()
        part = "indicator" if key in ("indicator", "ind_section") else "task"
        kind = part if key in ("indicator", "task") else "section"
        self._store_class()
        self.current_class()["indicators" if part == "indicator" else "tasks"].append(
            {kind: code, "points": self.item_points.value()})
        self.item_code.clear()
        self._show_class()

    def remove_items(self) -> None:
        rows = sorted({i.row() for i in self.items.selectedIndexes()}, reverse=True)
        for row in rows:
            self.items.removeRow(row)
        self._store_class()
        self._show_class()

    # --- saving ------------------------------------------------------------------------------------
    def document(self) -> dict:
        self._store_class()
        doc = copy.deepcopy(self.doc)
        doc["cap"] = round(self.cap.value() / 100, 4)
        for c in doc["classes"]:
            c["units"] = [code for code, _n in self.units if self.member_box(code).currentText() == c["name"]]
        known = {code for code, _n in self.units}
        for c, old in zip(doc["classes"], self.doc["classes"]):  # inactive units keep their class
            c["units"] += [u for u in old["units"] if u not in known]
        doc["classes"] = [c for c in doc["classes"] if c["units"]]
        return doc

    def accept(self) -> None:
        try:
            ops.save_scheme(self.ctx, self.year, self.document())
        except Exception as exc:  # noqa: BLE001 - a refusal is shown here; the dialog stays open
            self.error.setText(str(exc))
            self.error.show()
            return
        self.saved.emit()
        super().accept()


class AdjustDialog(QDialog):
    """The city's score of one unit's task, with a reason (or the withdrawal of an earlier one)."""

    saved = Signal()

    def __init__(self, ctx, year: int, unit: core.UnitScore, part: core.Part, parent=None):
        super().__init__(parent)
        self.ctx, self.year, self.unit, self.part = ctx, year, unit, part
        self.setWindowTitle(self.tr("调整任务得分"))
        self.score = _spin(part.earned, part.weight)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("理由（与调整人、时间一起保留）"))
        self.withdraw_button = QPushButton(self.tr("撤销调整"))
        self.withdraw_button.setEnabled(part.adjustment is not None)
        self.error = error_message()
        buttons, self.ok_button = ok_cancel(self, self.tr("保存调整"))
        form = QFormLayout()
        form.addRow(self.tr("单位："), QLabel(unit.name))
        form.addRow(self.tr("任务："), QLabel(f"{part.code} {part.name}"))
        form.addRow(self.tr("按节点计算："), QLabel(self.tr("%1 分（%2），满分 %3 分").replace(
            "%1", points(part.derived)).replace("%2", part.detail.split("；")[0]).replace("%3", points(part.weight))))
        form.addRow(self.tr("调整为："), self.score)
        form.addRow(self.tr("理由："), self.reason)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addWidget(self.withdraw_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.withdraw_button.clicked.connect(lambda: self._save(None))
        self.resize(520, 240)

    def accept(self) -> None:
        self._save(self.score.value())

    def _save(self, value: float | None) -> None:
        try:
            ops.adjust(self.ctx, self.year, self.unit.code, self.part.code, value, self.reason.text())
        except Exception as exc:  # noqa: BLE001 - a refusal is shown here; the dialog stays open
            self.error.setText(str(exc))
            self.error.show()
            return
        self.saved.emit()
        super().accept()
