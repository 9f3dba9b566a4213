"""The layout of the hand-filled 活动台账 sheet, shared by its template (``activity_template``) and its
reader (``activity_sheet``): sheet names, the header row and the template's example row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import ActivityType, Plan

SHEET = "活动台账"
HELP_SHEET = "说明"
HEADERS = ("日期", "活动类型", "活动名称", "地点", "参与人数", "受众人次", "备注")
DATE, TYPE, TITLE, PLACE, PARTICIPANTS, AUDIENCE, NOTE = range(7)


@dataclass(frozen=True)
class SheetActivity:
    """One valid row of the sheet, with the values the ledger will store."""

    row: int
    date: dt.date
    type_code: str
    type_name: str
    title: str
    place: str = ""
    participants: int = 0
    audience: int = 0
    note: str = ""

    @property
    def key(self) -> tuple:
        """What makes a row the same activity as a ledger record (已存在)."""
        return self.date, self.type_code, self.title, self.place

    @property
    def fields(self) -> tuple:
        return self.date, self.type_code, self.title, self.place, self.participants, self.audience, self.note


def example_row(types: list[ActivityType], plan: Plan) -> SheetActivity:
    """The template's example row (row 2); a row equal to it is skipped on import."""
    kind = next((t for t in types if t.code == "POP_LECTURE"), types[0])
    day = dt.date(min(plan.start_year + 1, plan.end_year), 3, 15)
    return SheetActivity(2, day, kind.code, kind.name, "社区科普讲座（示例行，导入时跳过）", "某某社区活动中心",
                         5, 120, "示例：可删除此行，或直接改写为真实的活动")
