"""A prepared 2020 at the city for 考核 (the core, the CLI and the page), on top of the 报送 year of
tests/reporting_year.py (as of its TODAY, 2020-10-08; four active units, each unit's 完整率 / 及时率 there):
连云区 9/9, 9/9; 海州区 8/9, 2/9; 赣榆区 0/9, 0/9 (the unit late in reporting: nothing); 东海县 6/9, 2/9.

The scheme (cap 120%), two classes:
- 区 (连云区, 海州区, 赣榆区): indicators I08 10 points, section T1.3 20 points (shared by the unit's other
  T1.3 indicators with a target: I09 and I20, 10 each; 赣榆区 has only I09 there: 20); tasks T26 6 points,
  "*" 18 points (the other nine tasks a unit carries: 2 each); reporting 完整率 5, 及时率 5, 预警说明 4.
- 县 (东海县): indicators "*" 40 points (I08 and I09: 20 each); tasks "*" 20 (ten tasks: 2 each);
  reporting 完整率 10, 及时率 10 (no points for explained warnings).

Hand-computed (points: weight × min(完成率, 1.2); task: weight × on-time share; every part to 0.01):
连云区  I08 30/20 = 150% → capped 120% → 12 (the cap bites); I09 60/100 → 6 of 12; I20 50/50 → 10 of 12;
        T26 milestones 1 of 2 on time (one done late) → 3 of 6; T16 1/1 → 2; T28 done early → 2; T24 has
        only a 2019 milestone → 0; the other six 0; reporting 5 + 5 + 4 (no warning) → 28 + 7 + 14 = 49 / 74.
海州区  I08 22/30 = 73.33% → 7.33; I09 nothing reported → 0 of 12; I20 65/50 = 130% → capped → 12;
        T26 a milestone past due, not done → derived 0, adjusted by the city to 4.5 (with a reason); T41
        only a milestone due in November → 0; reporting 5 × 8/9 = 4.44, 5 × 2/9 = 1.11, two warnings
        (W01 month jumps: I08 2 → 20 and I20 5 → 60 in February), the first explained → 4 × 1/2 = 2 →
        19.33 + 4.5 + 7.55 = 31.38 / 74.
赣榆区  I08 and I09 (weight 20, max 24) nothing reported → 0 of 36; no milestones → 0 of 24; reporting
        0 + 0 + 4 → 4 / 74.
东海县  I08 20/25 = 80% → 16 of 24; I09 100/80 = 125% → capped → 24; T26 2 of 3 milestones on time (the
        third past due) → 2 × 2/3 = 1.33; T50 1/1 → 2; reporting 10 × 6/9 = 6.67, 10 × 2/9 = 2.22 →
        40 + 3.33 + 8.89 = 52.22 / 88.
Ranks: 区 49 > 31.38 > 4 → 1, 2, 3; 县 1. Overall by 得分率: 连云区 .6622, 东海县 .5934, 海州区 .4241,
赣榆区 .0541 → 1, 2, 3, 4.
"""

from __future__ import annotations

import datetime as dt

from kexie_desktop import assessment
from kexie_desktop.models import Explanation
from kexie_desktop.review.checks import run_checks
from kexie_desktop.services import offices, plan, targets, values
from kexie_desktop.services import tasks as task_service
from kexie_desktop.task_models import Milestone

import reporting_year

YEAR = reporting_year.YEAR
AS_OF = reporting_year.TODAY
D = dt.date
LIANYUN, HAIZHOU, GANYU, DONGHAI = "320703", "320706", "320707", "320722"

SCHEME = {
    "year": YEAR, "cap": 1.2,
    "classes": [
        {"name": "区", "units": [LIANYUN, HAIZHOU, GANYU],
         "indicators": [{"indicator": "I08", "points": 10}, {"section": "T1.3", "points": 20}],
         "tasks": [{"task": "T26", "points": 6}, {"section": "*", "points": 18}],
         "reporting": {"completeness": 5, "timeliness": 5, "explained": 4}},
        {"name": "县", "units": [DONGHAI],
         "indicators": [{"section": "*", "points": 40}],
         "tasks": [{"section": "*", "points": 20}],
         "reporting": {"completeness": 10, "timeliness": 10}},
    ],
}
TARGETS = {  # office → {indicator: target} (I08 is annual: 2020)
    LIANYUN: {"I08": 20, "I09": 100, "I20": 50},
    HAIZHOU: {"I08": 30, "I09": 100, "I20": 50},
    GANYU: {"I08": 20, "I09": 100},
    DONGHAI: {"I08": 25, "I09": 80},
}
VALUES = {  # office → [(indicator, year, month, value)]
    LIANYUN: [("I08", 2020, 1, 10), ("I08", 2020, 2, 10), ("I08", 2020, 3, 10), ("I09", 2019, 6, 40),
              ("I09", 2020, 3, 20), ("I20", 2020, 5, 50)],
    HAIZHOU: [("I08", 2020, 1, 2), ("I08", 2020, 2, 20), ("I20", 2020, 1, 5), ("I20", 2020, 2, 60)],
    DONGHAI: [("I08", 2020, m, 5) for m in range(1, 5)] + [("I09", 2018, 12, 40), ("I09", 2020, 6, 60)],
}
MILESTONES = {  # office → [(task, title, due, done)]
    LIANYUN: [("T26", "印发实施方案", D(2020, 3, 31), D(2020, 3, 20)),
              ("T26", "分解目标任务", D(2020, 6, 30), D(2020, 7, 15)),
              ("T16", "建立信息员队伍", D(2020, 5, 31), D(2020, 5, 31)),
              ("T28", "配齐专职人员", D(2020, 12, 15), D(2020, 9, 1)),
              ("T24", "建立联系名册", D(2019, 6, 30), D(2019, 6, 1))],
    HAIZHOU: [("T26", "印发实施方案", D(2020, 8, 31), None),
              ("T41", "组织评选", D(2020, 11, 30), None)],
    DONGHAI: [("T26", "印发实施方案", D(2020, 2, 28), D(2020, 2, 20)),
              ("T26", "分解目标任务", D(2020, 5, 31), D(2020, 5, 30)),
              ("T26", "年中督查", D(2020, 9, 30), None),
              ("T50", "确定试点乡镇", D(2020, 4, 30), D(2020, 4, 30))],
}
ADJUSTMENT = (HAIZHOU, "T26", 4.5, "方案已报区政府待印发，因疫情推迟")


def prepare(s) -> None:
    """The 报送 year, then targets, values, milestones, an explanation, the scheme and the adjustment."""
    reporting_year.prepare(s)
    p = plan.current_plan(s)
    for code, rows in TARGETS.items():
        office = offices.resolve(s, code)
        for ind, value in rows.items():
            indicator = plan.indicator(s, ind, p)
            targets.put_target(s, indicator, office, YEAR if indicator.is_annual else None, value, source="import")
    for code, rows in VALUES.items():
        office = offices.resolve(s, code)
        for ind, year, month, value in rows:
            values.set_value(s, plan.indicator(s, ind, p), office, year, month, value, source="import")
    for code, rows in MILESTONES.items():
        office = offices.resolve(s, code)
        for task_code, title, due, done in rows:
            s.add(Milestone(task_id=task_service.task(s, task_code).id, office_id=office.id, title=title, due=due,
                            done=done, by="县区"))
    haizhou = offices.resolve(s, HAIZHOU)
    warnings = [f for f in run_checks(s, haizhou, YEAR, today=AS_OF) if f.severity == "warning"]
    first = warnings[0]
    s.add(Explanation(office_id=haizhou.id, rule=first.rule, subject=first.subject, value=first.value,
                      text="二月集中认定了一批农场", by="海州区"))
    s.flush()
    assessment.put(s, YEAR, SCHEME, user="考核员")
    office, task_code, points, reason = ADJUSTMENT
    assessment.adjust(s, YEAR, offices.resolve(s, office), task_code, points, reason, user="考核员")


def warnings_of(s, code: str):
    return [f for f in run_checks(s, offices.resolve(s, code), YEAR, today=AS_OF) if f.severity == "warning"]

