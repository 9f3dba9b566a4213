"""The review part of a submission (审核): the sheets 审核说明 (every finding of the checks at export
time, with its explanation) and 审核状态 (the twelve months' states). At the city the unit's received
month states and explanations are kept as a snapshot per unit × year, like its values: a newer package
replaces them, an older one is refused before it gets here (the importer's sequence check).

The city's ReviewMonth rows of a unit never lock anything there (services.locks guards only this
installation's own office); they record what the unit said about its months.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ....errors import UserError
from ....models import REVIEW_STATES, Activity, Explanation, Office, ReviewMonth
from ....review import explanations as explaining
from ....review.checks import Finding
from ....review.states import MonthState
from ....review.summary import DRAFT, ReviewSummary, months_text, summarize
from ....services import audit
from ....validation import check_text
from ...format import codec as c
from ...format.codec import SheetSpec
from ...pipeline.results import CHANGED, DELETED, NEW, SAME, RowChange
from .scope import SubmissionScope

SEVERITIES = {"error": "错误", "warning": "警告"}
FINDINGS = SheetSpec("审核说明", (
    c.text("rule", "规则", 7), c.labelled("severity", "级别", SEVERITIES, 6),
    c.text("indicator", "指标代码", 8), c.text("indicator_name", "指标名称", 20, wrap=True),
    c.month("month", "月份", 9, optional=True), c.text("record", "记录编号", 14, wrap=True),
    c.text("value", "数值", 9, wrap=True), c.text("message", "提示", 44, wrap=True),
    c.text("explanation", "说明", 30, wrap=True),
))
STATES = SheetSpec("审核状态", (
    c.month("month", "月份", 9), c.labelled("state", "状态", REVIEW_STATES, 9), c.text("by", "经办人", 14),
    c.text("at", "时间", 20), c.text("note", "说明", 50, wrap=True),
))
RULE_LIMIT, VALUE_LIMIT, RECORD_LIMIT, PERSON_LIMIT, MESSAGE_LIMIT, NOTE_LIMIT = 20, 60, 40, 40, 1000, 500
_YEAR_SUBJECT = re.compile(r"^[^/]+/(\d{4})(?:-\d{2})?$")


# -- export --------------------------------------------------------------------------------------------

def finding_rows(findings: list[Finding], names: dict[str, str]) -> list[tuple]:
    return [(f.rule, f.severity, f.indicator or "", names.get(f.indicator or "", ""), f.month or "",
             f.record or "", f.value, f.message, f.explanation or "") for f in findings]


def state_rows(states: list[MonthState], year: int) -> list[tuple]:
    return [(f"{year}-{m.month:02d}", m.state, m.by, m.at.isoformat(sep=" ") if m.at else "", m.note)
            for m in states]


# -- import --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StateRow:
    state: str
    by: str
    at: dt.datetime | None
    note: str

    @property
    def empty(self) -> bool:
        """A month never touched at the unit: the city keeps no row for it."""
        return self.state == "draft" and not (self.by or self.note or self.at)


@dataclass
class ReviewOps:
    summary: ReviewSummary
    states: dict[int, StateRow] = field(default_factory=dict)
    explanations: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # -> (value, text)
    stale: list[int] = field(default_factory=list)  # Explanation ids the snapshot no longer has
    explained: list[dict] = field(default_factory=list)  # for the preview and --json

    def to_json(self) -> dict:
        return {**self.summary.to_json(), "explained": self.explained}


def data_months(ctx: SubmissionScope, value_months, ledger_dates) -> set[int]:
    """Months of the package year with values or ledger records (raw cells; bad ones are refused elsewhere)."""
    prefix = f"{ctx.year}-"
    found = {v[5:7] for v in value_months if type(v) is str and v.startswith(prefix)}
    found |= {v[5:7] for v in ledger_dates if type(v) is str and v.startswith(prefix)}
    return {int(m) for m in found if m.isdigit() and 1 <= int(m) <= 12}


def classify_review(s: Session, ctx: SubmissionScope, findings, states, months: set[int], manifest_review: str,
                    ledger_uids) -> ReviewOps:
    received = _classify_states(s, ctx, states)
    summary = summarize({m: r.state for m, r in received.items()}, months,
                        approvers=[r.by for r in received.values() if r.state in ("approved", "sent", "received")])
    if manifest_review == DRAFT and summary.state != DRAFT:  # the unit's checks still found errors
        summary = dataclasses.replace(summary, state=DRAFT)
    ops = ReviewOps(summary, received)
    _classify_findings(s, ctx, findings, ops, set(ledger_uids))
    return ops


def _old_states(s: Session, office: Office, year: int) -> dict[int, ReviewMonth]:
    rows = s.scalars(select(ReviewMonth).where(ReviewMonth.office_id == office.id, ReviewMonth.year == year))
    return {r.month: r for r in rows}


def _show_state(r) -> str:
    who = f"（{r.by}，{r.at:%Y-%m-%d %H:%M}）" if r.by and r.at else (f"（{r.by}）" if r.by else "")
    return REVIEW_STATES.get(r.state, r.state) + who


def _classify_states(s: Session, ctx: SubmissionScope, rows) -> dict[int, StateRow]:
    old = _old_states(s, ctx.office, ctx.year)
    received: dict[int, StateRow] = {}
    first: dict[int, int] = {}
    for rownum, (month_text, state, by, at_text, note) in rows:
        month = ctx.month(STATES, rownum, month_text)
        if month is None:
            continue
        if month in first:
            ctx.refuse(STATES, rownum, None, f"与第 {first[month]} 行重复（每个月份只能有一行）。")
            continue
        row = _state_row(ctx, rownum, state, by, at_text, note)
        if row is None:
            continue
        first[month] = rownum
        if not row.empty:
            received[month] = row
            _state_change(ctx, rownum, month, old.get(month), row)
    for month, gone in sorted(old.items()):
        if month not in received:
            ctx.changes.append(RowChange(STATES.name, None, f"{ctx.year}-{month:02d}", DELETED,
                                         f"{ctx.year}年{month}月 审核状态", old=_show_state(gone)))
    return received


def _state_row(ctx: SubmissionScope, rownum: int, state: str, by: str, at_text: str, note: str) -> StateRow | None:
    for key, text, what, limit in (("by", by, "经办人", PERSON_LIMIT), ("note", note, "说明", NOTE_LIMIT)):
        try:
            check_text(text, what, limit)
        except UserError as exc:
            return ctx.refuse(STATES, rownum, key, str(exc))
    at = None
    if at_text.strip():
        try:
            at = dt.datetime.fromisoformat(at_text.strip())
        except ValueError:
            return ctx.refuse(STATES, rownum, "at", f"时间“{at_text[:30]}”格式不对，应写成 年-月-日 时:分:秒。")
    return StateRow(state, by.strip(), at, note.strip())


def _state_change(ctx: SubmissionScope, rownum: int, month: int, old: ReviewMonth | None, new: StateRow) -> None:
    key, label = f"{ctx.year}-{month:02d}", f"{ctx.year}年{month}月 审核状态"
    if old is None:
        if new.state != "draft" or new.by or new.note:
            ctx.changes.append(RowChange(STATES.name, rownum, key, NEW, label, new=_show_state(new)))
    elif (old.state, old.by, old.at, old.note) == (new.state, new.by, new.at, new.note):
        ctx.changes.append(RowChange(STATES.name, rownum, key, SAME, label))
    else:
        ctx.changes.append(RowChange(STATES.name, rownum, key, CHANGED, label, _show_state(old), _show_state(new)))


def _subject(ctx: SubmissionScope, indicator: str, month: str, record: str) -> str:
    if record:
        return f"activity/{record}"
    return f"{indicator}/{month}" if month else f"{indicator}/{ctx.year}"


def _finding_refusal(ctx: SubmissionScope, rownum: int, row: tuple) -> tuple[str, str] | None:
    """(column key, reason) when a 审核说明 row is not acceptable."""
    rule, severity, indicator, name, month, record, value, message, explanation = row
    if not rule.strip():
        return "rule", "规则代码不能为空。"
    checks = (("rule", rule, "规则代码", RULE_LIMIT), ("indicator_name", name, "指标名称", 100),
              ("record", record, "记录编号", RECORD_LIMIT), ("value", value, "数值", VALUE_LIMIT),
              ("message", message, "提示", MESSAGE_LIMIT), ("explanation", explanation, "说明", explaining.MAX_LENGTH))
    for key, text, what, limit in checks:
        try:
            check_text(text, what, limit)
        except UserError as exc:
            return key, str(exc)
    if indicator and indicator not in ctx.indicators:
        return "indicator", f"未知的指标代码“{indicator}”，本机的计划中没有这个指标。"
    if not indicator and not record:
        return "indicator", "指标代码和记录编号不能都为空：提示应属于某个指标或某条台账记录。"
    if explanation.strip():
        if severity == "error":
            return "explanation", "这是错误，不能用说明放过：错误必须在县区改正。"
        if len(explanation.strip()) < explaining.MIN_LENGTH:
            return "explanation", f"说明太短：至少 {explaining.MIN_LENGTH} 个字。"
    return None


def _classify_findings(s: Session, ctx: SubmissionScope, rows, ops: ReviewOps, ledger_uids: set[str]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for rownum, row in rows:
        rule, severity, indicator, name, month, record, value, message, explanation = row
        if month and ctx.month(FINDINGS, rownum, month) is None:
            continue
        refusal = _finding_refusal(ctx, rownum, row)
        if refusal is not None:
            ctx.refuse(FINDINGS, rownum, *refusal)
            continue
        key = (rule.strip(), _subject(ctx, indicator, month, record.strip()))
        if key in seen:
            ctx.refuse(FINDINGS, rownum, None, f"与第 {seen[key]} 行重复（同一规则、同一对象只能有一行）。")
            continue
        seen[key] = rownum
        if explanation.strip():
            ops.explanations[key] = (value, explanation.strip())
            ops.explained.append({"rule": key[0], "indicator": indicator or None, "month": month or None,
                                  "record": record.strip() or None, "value": value,
                                  "explanation": explanation.strip(), "_row": rownum, "_label": name or record})
    _explanation_changes(s, ctx, ops, ledger_uids)


def _explanation_changes(s: Session, ctx: SubmissionScope, ops: ReviewOps, ledger_uids: set[str]) -> None:
    existing = {(e.rule, e.subject): e for e in s.scalars(select(Explanation).where(Explanation.office_id == ctx.office.id))}
    ours = _year_subjects(s, ctx, existing, ledger_uids)
    for item in ops.explained:
        rownum, shown = item.pop("_row"), item.pop("_label")
        key = (item["rule"], _subject(ctx, item["indicator"] or "", item["month"] or "", item["record"] or ""))
        label = " ".join(p for p in (item["rule"], shown, item["month"] or "") if p)
        new = f"{item['value']}（说明：{item['explanation']}）"
        old = existing.get(key)
        if old is None:
            ctx.changes.append(RowChange(FINDINGS.name, rownum, "/".join(key), NEW, label, new=new))
        elif (old.value, old.text) == (item["value"], item["explanation"]):
            ctx.changes.append(RowChange(FINDINGS.name, rownum, "/".join(key), SAME, label))
        else:
            ctx.changes.append(RowChange(FINDINGS.name, rownum, "/".join(key), CHANGED, label,
                                         f"{old.value}（说明：{old.text}）", new))
    for key, old in existing.items():
        if key in ours and key not in ops.explanations:
            ops.stale.append(old.id)
            ctx.changes.append(RowChange(FINDINGS.name, None, "/".join(key), DELETED, f"{key[0]} {key[1]}",
                                         old=f"{old.value}（说明：{old.text}）"))


def _year_subjects(s: Session, ctx: SubmissionScope, existing: dict, ledger_uids: set[str]) -> set[tuple[str, str]]:
    """The unit's explanations that belong to the package year: its cells and totals, and the ledger
    records of the year (here or in the package) or of no record the city still has."""
    uids = {subject[9:] for _rule, subject in existing if subject.startswith("activity/")}
    known = dict(s.execute(select(Activity.uid, Activity.date).where(Activity.uid.in_(uids)))) if uids else {}
    ours = set()
    for rule, subject in existing:
        if subject.startswith("activity/"):
            uid = subject[9:]
            if uid in ledger_uids or uid not in known or known[uid].year == ctx.year:
                ours.add((rule, subject))
        elif (m := _YEAR_SUBJECT.match(subject)) and int(m.group(1)) == ctx.year:
            ours.add((rule, subject))
    return ours


def apply_review(s: Session, office: Office, year: int, ops: ReviewOps, user: str, source: str) -> bool:
    """Write the snapshot; True when anything changed."""
    changed = False
    old = _old_states(s, office, year)
    for month in range(1, 13):
        row, want = old.get(month), ops.states.get(month)
        before = {"state": row.state, "by": row.by, "note": row.note} if row else None
        if want is None:
            if row is not None:
                s.delete(row)
        else:
            if row is None:
                row = ReviewMonth(office_id=office.id, year=year, month=month)
                s.add(row)
            row.state, row.by, row.at, row.note = want.state, want.by, want.at or dt.datetime.now().replace(
                microsecond=0), want.note
        after = {"state": want.state, "by": want.by, "note": want.note} if want else None
        if before != after:
            changed = True
            audit.record(s, "review", f"{office.code}/{year}-{month:02d}", office.id, before, after,
                         user=user, source=source)
    if ops.stale:
        s.execute(delete(Explanation).where(Explanation.id.in_(ops.stale)))
        changed = True
    current = {(e.rule, e.subject): e for e in s.scalars(select(Explanation).where(Explanation.office_id == office.id))}
    for (rule, subject), (value, text) in ops.explanations.items():
        row = current.get((rule, subject))
        if row is not None and (row.value, row.text) == (value, text):
            continue
        if row is None:
            row = Explanation(office_id=office.id, rule=rule, subject=subject)
            s.add(row)
        row.value, row.text, row.by, row.at = value, text, user, dt.datetime.now().replace(microsecond=0)
        changed = True
    return changed


def header_line(summary: ReviewSummary) -> str:
    """The preview's line for a package: 未审核：7—9月 / 已审核（1—6月）."""
    if summary.state == DRAFT:
        if summary.unapproved_months:
            return f"未审核：{months_text(summary.unapproved_months)}"
        return "未审核"
    return f"已审核（{months_text(summary.approved_months)}）"
