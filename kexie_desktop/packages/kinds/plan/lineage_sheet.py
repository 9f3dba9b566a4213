"""The 指标沿革 sheet of plan (and init) packages: which indicator of an earlier plan each indicator
continues, and whether a level starts from the predecessor's last value (carry-over). A unit links its
own copy of the predecessor when it has that plan; without it the indicator simply starts afresh."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ....models import Indicator, Plan
from ...format import codec as c
from ...format.codec import SheetSpec
from ...format.workbook import PackageSheet
from ...pipeline.results import CHANGED, NEW, SAME, RowChange

LINEAGE = SheetSpec("指标沿革", (
    c.code("indicator", "指标代码", 10), c.code("plan", "前身计划代码", 22), c.code("predecessor", "前身指标代码", 12),
    c.yes_no("carry_over", "接续上期数值", 12),
))
NOTE = ("“指标沿革”：新计划的指标接续旧计划的哪个指标（前身）；“接续上期数值”为是的存量指标，从前身指标的最后数值起算。"
        "本机没有前身计划时不接续。")


def sheet(s: Session, current: Plan) -> PackageSheet:
    before = aliased(Indicator)
    q = (select(Indicator.code, Plan.code, before.code, Indicator.carry_over)
         .join(before, Indicator.predecessor_id == before.id).join(Plan, before.plan_id == Plan.id)
         .where(Indicator.plan_id == current.id).order_by(Indicator.sort_order))
    return PackageSheet(LINEAGE, [tuple(r) for r in s.execute(q)])


def classify(s: Session, work, indicators: dict[str, Indicator], rows) -> None:
    """Add the sheet's changes and steps to ``work`` (plan/load.py's _Work); runs after the indicators'."""
    seen: set[str] = set()
    for rownum, (code, plan_code, before_code, carry) in rows:
        indicator = indicators.get(code)
        if indicator is None:
            work.refuse(LINEAGE, rownum, "indicator", f"未知的指标代码“{code}”。")
            continue
        if code in seen:
            work.refuse(LINEAGE, rownum, "indicator", f"指标“{code}”的沿革重复。")
            continue
        seen.add(code)
        before = s.scalars(select(Indicator).join(Plan).where(Plan.code == plan_code,
                                                                Indicator.code == before_code)).first()
        label = f"{code} ← {plan_code} {before_code}"
        if before is None or before.plan_id == indicator.plan_id:
            work.changes.append(RowChange(LINEAGE.name, rownum, code, SAME, label,
                                          reason="本机没有此前身指标，不接续"))
            continue
        carry = bool(carry and indicator.kind == "level")  # only a level carries its value over
        wanted = (before.id, carry)
        if indicator.id is not None and (indicator.predecessor_id, indicator.carry_over) == wanted:
            work.changes.append(RowChange(LINEAGE.name, rownum, code, SAME, label))
            continue
        action = NEW if indicator.id is None or indicator.predecessor_id is None else CHANGED
        work.changes.append(RowChange(LINEAGE.name, rownum, code, action, label,
                                      new="接续上期数值" if carry else "不接续数值"))

        def step(session, source, indicator=indicator, wanted=wanted):
            indicator.predecessor_id, indicator.carry_over = wanted
            session.flush()
        work.steps.append(step)
        work.result.plan = True
