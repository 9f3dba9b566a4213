"""The 考核方案 sheet of the plan package: the city's saved assessment schemes travel down so that a unit
sees how it is assessed. One row per fact, readable in Excel:

    年份 | 类别 | 项目 | 代码 | 分值
    2020 |      | 完成率封顶 |   | 1.2
    2020 | 区   | 单位 | 320703 |
    2020 | 区   | 指标 | I08 | 10          (指标部分 / 任务 / 任务部分: a section code or *)
    2020 | 区   | 报送完整率 |  | 5          (报送及时率, 预警说明率)

Only saved schemes travel (a year without one uses the default, which a unit computes alike). At the
unit a year's scheme is replaced by the package's; it is validated (``assessment_scheme.parse``) when
the import is applied, after the package's plan and offices, and a scheme that does not fit refuses the
whole import. A year the package has no scheme for keeps the unit's copy.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....assessment_models import AssessmentScheme
from ....errors import UserError
from ....services import assessment_scheme as schemes
from ....services import plan
from ...format import codec as c
from ...format.codec import SheetSpec
from ...format.errors import PackageError
from ...format.workbook import PackageSheet
from ...pipeline.results import CHANGED, NEW, SAME, RowChange

SCHEME = SheetSpec("考核方案", (
    c.count("year", "年份", 8), c.text("klass", "类别", 12), c.text("what", "项目", 12), c.text("code", "代码", 12),
    c.number("points", "分值", 10, optional=True),
))
CAP = "完成率封顶"
MEMBER = "单位"
ITEMS = {"指标": ("indicators", "indicator"), "指标部分": ("indicators", "section"),
         "任务": ("tasks", "task"), "任务部分": ("tasks", "section")}
REPORTING = {label: key for key, label in schemes.REPORTING_LABELS.items()}
NOTE = ("“考核方案”：市科协各年的考核方案。“项目”为单位的是该类包含的单位；指标、任务是计分项，“部分”是章节代码"
        "（* 表示其余全部），其分值由其中有目标的指标或本单位承担的任务平分；完成率封顶 1.2 即 120%。")


def sheet(s: Session) -> PackageSheet:
    current = plan.current_plan(s)
    rows = []
    for row in s.scalars(select(AssessmentScheme).where(AssessmentScheme.plan_id == current.id)
                         .order_by(AssessmentScheme.year)):
        rows += document_rows(row.year, json.loads(row.body))
    return PackageSheet(SCHEME, rows)


def document_rows(year: int, doc: dict) -> list[tuple]:
    rows = [(year, "", CAP, "", doc["cap"])]
    labels = {v: k for k, v in ITEMS.items()}
    for klass in doc["classes"]:
        name = klass["name"]
        rows += [(year, name, MEMBER, code, None) for code in klass["units"]]
        for part in ("indicators", "tasks"):
            for item in klass[part]:
                kind = next(k for k in item if k != "points")
                rows.append((year, name, labels[(part, kind)], item[kind], item["points"]))
        rows += [(year, name, schemes.REPORTING_LABELS[k], "", v) for k, v in klass["reporting"].items()]
    return rows


def documents(rows) -> dict[int, tuple[int, dict]]:
    """year → (first Excel row, the scheme document) from the sheet's typed rows; PackageError on a row
    that cannot be one."""
    docs: dict[int, tuple[int, dict]] = {}
    for rownum, (year, klass, what, code, points) in rows:
        first, doc = docs.setdefault(year, (rownum, {"year": year, "classes": []}))
        if what == CAP:
            doc["cap"] = points
            continue
        if not klass:
            raise PackageError("“类别”不能为空。", sheet=SCHEME.name, row=rownum, col=2)
        target = next((k for k in doc["classes"] if k["name"] == klass), None)
        if target is None:
            target = {"name": klass, "units": [], "indicators": [], "tasks": [], "reporting": {}}
            doc["classes"].append(target)
        if what == MEMBER:
            target["units"].append(code)
        elif what in ITEMS:
            part, kind = ITEMS[what]
            target[part].append({kind: code, "points": points})
        elif what in REPORTING:
            target["reporting"][REPORTING[what]] = points
        else:
            raise PackageError(f"“项目”应为{CAP}、{MEMBER}、{'、'.join(ITEMS)}或{'、'.join(REPORTING)}，实际为“{what}”。",
                               sheet=SCHEME.name, row=rownum, col=3)
    return docs


def classify(s: Session, work, rows, target=None) -> None:
    """One row change per year (new / changed / unchanged) and the step that stores it, on the plan the
    package carries (``target``; None: the current plan), current or not, new or the unit's own."""
    target = target if target is not None else plan.current_plan(s)
    stored = {} if target.id is None else {r.year: json.loads(r.body) for r in
                                           s.scalars(select(AssessmentScheme).where(AssessmentScheme.plan_id == target.id))}
    for year, (rownum, doc) in sorted(documents(rows).items()):
        label = f"{year}年考核方案（{len(doc['classes'])} 类）"
        old = stored.get(year)
        if old is None:
            action = NEW
        else:
            action = SAME if document_rows(year, old) == document_rows(year, _normal(doc)) else CHANGED
        work.changes.append(RowChange(SCHEME.name, rownum, str(year), action, label))
        if action != SAME:
            work.steps.append(_store(target, year, doc))
            work.result.assessment = True


def _normal(doc: dict) -> dict:
    """The document as the scheme service stores it (floats, every reporting part), for the comparison."""
    out = {"cap": float(doc.get("cap", schemes.DEFAULT_CAP)), "classes": []}
    for k in doc["classes"]:
        out["classes"].append({"name": k["name"], "units": list(k["units"]),
                               "indicators": [{**i, "points": float(i["points"])} for i in k["indicators"]],
                               "tasks": [{**i, "points": float(i["points"])} for i in k["tasks"]],
                               "reporting": {p: float(k["reporting"].get(p, 0.0)) for p in schemes.REPORTING_PARTS}})
    return out


def _store(target, year: int, doc: dict):
    def step(session: Session, source: str) -> None:
        try:
            with plan.within_plan(session, target):  # the scheme service works on the current plan
                schemes.store(session, year, doc, user="市科协下发包")
        except UserError as exc:
            raise PackageError(f"{year}年考核方案不能用于本机：{exc}", sheet=SCHEME.name) from None
    return step
