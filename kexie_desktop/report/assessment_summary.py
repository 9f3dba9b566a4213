"""The 考核 part of the year-end summary (city only): every unit's score under the year's scheme, ranked,
with where it lost most; the same figures as ``assessment --json`` (kexie_desktop.assessment)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .. import assessment, display
from ..models import Office

HEADERS = ["单位", "类别", "定量指标", "定性任务", "报送", "总分", "满分", "得分率", "类内排名", "全市排名", "失分最多的项"]
WIDTHS = [16, 8, 9, 9, 8, 8, 8, 9, 8, 8, 56]
GAPS = 3


@dataclass(frozen=True)
class AssessmentSummary:
    note: str  # the scheme and how the ranks are made
    rows: list[list[str]]  # one per unit, by overall rank, as HEADERS


def assessment_summary(s: Session, office: Office, year: int, as_of: dt.date,
                       overview=None, matrix=None) -> AssessmentSummary | None:
    """The city's report carries it; a unit's report does not (its score needs the city's 报送情况)."""
    if not office.is_city:
        return None
    result = assessment.assess(s, year, as_of, overview=overview, matrix=matrix)
    sch = result.scheme
    state = "已保存的考核方案" if sch.stored else "默认考核方案"
    note = (f"{state}，完成率封顶 {sch.cap:.0%}；{len(sch.classes)} 类：{'、'.join(c.name for c in sch.classes)}。"
            "类内按总分排名，全市按得分率（总分÷满分）排名，并列者同名次。")
    rows = []
    for u in result.ranked():
        gaps = "；".join(f"{p.name} 失 {display.points(p.lost)} 分" for p in u.gaps(GAPS)) or "没有失分"
        rows.append([u.short_name, u.class_name, display.points(u.subtotal("indicator")),
                     display.points(u.subtotal("task")), display.points(u.subtotal("reporting")),
                     display.points(u.total), display.points(u.max), display.percent(u.score_rate, 2, display.MISSING),
                     str(u.rank_class), str(u.rank_overall), gaps])
    return AssessmentSummary(note, rows)
