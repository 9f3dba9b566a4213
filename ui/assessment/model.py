"""Table models of the 考核 page: the score table (one row per unit) and a unit's breakdown (one row per part)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from kexie_desktop import assessment as core
from kexie_desktop.display import MISSING, percent, points

from ..widgets.table_model import RowTableModel

(NAME, CLASS, QUANT, TASKS, REPORT, TOTAL, MAX, RATE, RANK_CLASS, RANK_ALL) = range(10)


class ScoreModel(RowTableModel):
    """Rows: ``UnitScore``s, in the order given (the page sorts them by rank)."""

    HEADERS = ("单位", "类别", "定量指标", "定性任务", "报送", "总分", "满分", "得分率", "类内排名", "全市排名")

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        u: core.UnitScore = self.rows[index.row()]
        col = index.column()
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignVCenter | (Qt.AlignLeft if col in (NAME, CLASS) else Qt.AlignRight))
        if role == Qt.FontRole and col == TOTAL:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ToolTipRole:
            return self._tooltip(u, col)
        if role != Qt.DisplayRole:
            return None
        group = {QUANT: "indicator", TASKS: "task", REPORT: "reporting"}.get(col)
        if group:
            return points(u.subtotal(group))
        return {NAME: u.short_name, CLASS: u.class_name, TOTAL: points(u.total), MAX: points(u.max),
                RATE: percent(u.score_rate, 2, MISSING), RANK_CLASS: str(u.rank_class),
                RANK_ALL: str(u.rank_overall)}.get(col)

    def _tooltip(self, u: core.UnitScore, col: int) -> str | None:
        group = {QUANT: "indicator", TASKS: "task", REPORT: "reporting"}.get(col)
        if group:
            return self.tr("%1：%2 分，满分 %3 分").replace("%1", core.GROUP_LABELS[group]).replace(
                "%2", points(u.subtotal(group))).replace("%3", points(u.subtotal_max(group)))
        if col == RANK_CLASS:
            return self.tr("在“%1”类中按总分排名；并列者同名次").replace("%1", u.class_name)
        if col == RANK_ALL:
            return self.tr("全市按得分率（总分 ÷ 满分）排名；并列者同名次")
        return u.name if col == NAME else None


(P_GROUP, P_CODE, P_NAME, P_ITEM, P_WEIGHT, P_MAX, P_RATE, P_EARNED, P_DETAIL) = range(9)


class PartsModel(RowTableModel):
    """Rows: the ``Part``s of one unit."""

    HEADERS = ("部分", "代码", "名称", "计分项", "分值", "满分", "完成率/按期", "得分", "说明")

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        p: core.Part = self.rows[index.row()]
        col = index.column()
        if role == Qt.TextAlignmentRole:
            right = col in (P_WEIGHT, P_MAX, P_RATE, P_EARNED)
            return int(Qt.AlignVCenter | (Qt.AlignRight if right else Qt.AlignLeft))
        if role == Qt.ToolTipRole:
            if p.adjustment is not None:
                a = p.adjustment
                return self.tr("市科协调整：%1 分（按节点计算 %2 分）\n调整人：%3，%4\n理由：%5").replace(
                    "%1", points(p.earned)).replace("%2", points(p.derived)).replace(
                    "%3", a.by or MISSING).replace("%4", f"{a.at:%Y-%m-%d %H:%M}").replace("%5", a.reason)
            return p.detail or None
        if role != Qt.DisplayRole:
            return None
        if col == P_RATE:
            return percent(p.rate, 1, MISSING)
        return {P_GROUP: core.GROUP_LABELS[p.group], P_CODE: p.code if p.group != "reporting" else "",
                P_NAME: p.name, P_ITEM: p.item, P_WEIGHT: points(p.weight), P_MAX: points(p.max),
                P_EARNED: points(p.earned), P_DETAIL: p.detail}.get(col)
