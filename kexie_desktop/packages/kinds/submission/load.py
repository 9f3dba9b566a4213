"""Importing a submission package at the city: the city's copy of that office × year becomes the
snapshot — upserts, and deletion of values and activities the snapshot no longer has."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....changes import Changes
from ....errors import UserError
from ....models import DataValue, Indicator, Office
from ....package_models import ReturnItem
from ....services import offices, plan, settings, values
from ....validation import check_text, check_value, check_year
from ...format.codec import canon_number
from ...format.errors import PackageError
from ...format.workbook import typed_columns, typed_rows
from ...pipeline import keys
from ...pipeline.results import CHANGED, DELETED, NEW, SAME, Classified, RowChange
from .. import answers
from . import ledger, review, tasks
from .export import LEDGER, SPECS, VALUES  # noqa: F401  (SPECS: PackageKind)
from .review import FINDINGS, STATES
from .scope import SubmissionScope


def check_role(s: Session, m) -> None:
    mine = offices.this_office(s)
    if mine is None or not mine.is_city:
        who = mine.name if mine else "尚未设定单位"
        raise PackageError(f"这是{m.office_name}的上报包，应由市科协导入；本机是{who}，不能导入上报包。")
    office = _office(s, m.office_code)
    if office.is_city:
        raise PackageError("上报包的单位不能是市科协本身。")


def _office(s: Session, code: str) -> Office:
    office = s.scalars(select(Office).where(Office.code == code)).first()
    if office is None:
        raise PackageError(f"包中的单位代码“{code}”在本机的单位列表中不存在。")
    return office


def candidate_keys(s: Session, loaded, code: str | None) -> list[bytes]:
    m = loaded.manifest
    office = _office(s, m.office_code)
    found = keys.active_keys(s, office)
    if not found:
        raise PackageError(
            f"本机没有{office.name}的签名密钥（尚未为该单位导出初始化包），无法核对此包，已拒绝导入。"
        )
    return found


def classify(s: Session, loaded) -> Classified:
    m = loaded.manifest
    if m.year is None:
        raise PackageError("上报包缺少年份。")
    # A late package of an earlier plan's year (December 2020, sent after the switch to the next plan) is
    # that plan's data: it is read and applied on that plan, as the unit entered it.
    current = plan.show_year(s, m.year)
    if current.id != plan.active_plan(s).id and m.plan_code != current.code:
        raise PackageError(f"此包属于计划 {m.plan_code}，而本机 {m.year} 年属于计划“{current.name}”（{current.code}），"
                           "已拒绝导入。")
    try:
        check_year(m.year, current, what=f"此包的年份 {m.year}")
    except UserError as exc:
        raise PackageError(str(exc)) from None
    indicators = {i.code: i for i in plan.indicators(s, current)}
    ctx = SubmissionScope(_office(s, m.office_code), m.year, current, indicators, m.sequence or 0)
    edits = _classify_values(s, ctx, typed_rows(VALUES, loaded.rows[VALUES.name], ctx.refuser(VALUES)))
    ops = ledger.classify_ledger(s, ctx, typed_columns(LEDGER, loaded.rows[LEDGER.name], ctx.refuser(LEDGER)))
    rows, ledger_rows = loaded.rows[VALUES.name], loaded.rows[LEDGER.name]
    months = review.data_months(ctx, rows.columns[4] if len(rows) else (),
                                ledger_rows.columns[4] if len(ledger_rows) else ())
    checked = review.classify_review(
        s, ctx, typed_rows(FINDINGS, loaded.rows[FINDINGS.name], ctx.refuser(FINDINGS)),
        typed_rows(STATES, loaded.rows[STATES.name], ctx.refuser(STATES)), months, m.review,
        ledger_rows.columns[0] if len(ledger_rows) else (),
    )
    task_ops = tasks.classify_tasks(s, ctx, loaded.rows)
    office = ctx.office
    # Items the city returned from an older package of this unit × year that this one answers.
    answered = answers.answerable(s, office, m.year, checked.summary.approved_months, m.sequence or 0)
    for item in answered:
        what = f"{item.year}年{item.month}月" + (f" 指标 {item.indicator}" if item.indicator else "（整月）")
        ctx.changes.append(RowChange("退回事项", None, f"{item.return_package}/{item.month}/{item.indicator}", CHANGED,
                                     f"退回：{what}", f"已退回待重报（{item.reason}）", "已重报"))
    answered_ids = [i.id for i in answered]

    def apply(session: Session, source: str) -> Changes:
        user = settings.audit_user(session, "导入")
        changes = values.set_values(session, edits, user=user, source=source)
        if ops.touched:
            ledger.apply_ledger(session, office, ops, user, source)
            changes = changes | Changes(activities={office.id})
        if task_ops.touched:
            tasks.apply_tasks(session, task_ops)
            changes = changes | Changes(tasks={office.id})
        if review.apply_review(session, office, ctx.year, checked, user, source):
            changes = changes | Changes(review={office.id})
        if answered_ids:
            answers.answer([session.get(ReturnItem, i) for i in answered_ids], m.package_id)
            changes = changes | Changes(review={office.id})
        return changes

    return Classified(ctx.changes, apply, review=checked.to_json(), review_line=review.header_line(checked.summary))


# -- monthly values ----------------------------------------------------------------------------------

def _check_value_row(ctx: SubmissionScope, indicator: Indicator, value: float, base, note: str) -> None:
    values.check_writable(indicator, ctx.office)
    check_value(indicator, value)
    if indicator.kind == "coverage":
        if base is None:
            raise UserError(f"“{indicator.name}”是覆盖率指标，应填写应覆盖数。")
        check_value(indicator, base, "应覆盖数")
        if value > base:
            raise UserError(f"已覆盖数 {canon_number(value)} 不能大于应覆盖数 {canon_number(base)}。")
    elif base is not None:
        raise UserError(f"“{indicator.name}”不是覆盖率指标，不应填写应覆盖数。")
    check_text(note, "备注", values.NOTE_LIMIT)


def _show(value: float, base: float | None, note: str) -> str:
    text = canon_number(value) + (f"/{canon_number(base)}" if base is not None else "")
    return text + (f"（{note}）" if note else "")


def _classify_values(s: Session, ctx: SubmissionScope, rows) -> list[values.ValueEdit]:
    existing = {
        (v.indicator_id, v.month): v
        for v in s.scalars(select(DataValue).where(DataValue.office_id == ctx.office.id, DataValue.year == ctx.year))
    }
    seen: dict[tuple[int, int], int] = {}
    edits: list[values.ValueEdit] = []
    for rownum, row in rows:
        checked = _value_row(ctx, rownum, row, seen)
        if checked is not None:
            seen[(checked[0].id, checked[1])] = rownum
            _classify_value(ctx, existing.get((checked[0].id, checked[1])), rownum, row, *checked, edits)
    by_id = {i.id: i for i in ctx.indicators.values()}
    for (indicator_id, month), old in existing.items():
        if (indicator_id, month) not in seen:
            indicator = by_id.get(indicator_id) or s.get(Indicator, indicator_id)
            month_text = f"{ctx.year}-{month:02d}"
            old_text = _show(old.value, old.base, old.note or "")
            ctx.changes.append(RowChange(VALUES.name, None, f"{indicator.code}/{month_text}", DELETED,
                                         f"{indicator.name} {month_text}", old=old_text))
            edits.append(values.ValueEdit(indicator, ctx.office, ctx.year, month, None))
    return edits


def _value_row(ctx: SubmissionScope, rownum: int, row: tuple, seen: dict) -> tuple[Indicator, int] | None:
    """(indicator, month) of a valid monthly-value row; None after refusing it."""
    office_code, code, _name, _unit, month_text, value, base, note = row
    if office_code != ctx.office.code:
        return ctx.refuse(VALUES, rownum, "office", f"此行属于单位 {office_code}，而此包是{ctx.office.name}的上报包。")
    indicator = ctx.indicators.get(code)
    if indicator is None:
        return ctx.refuse(VALUES, rownum, "indicator", f"未知的指标代码“{code}”，本机的计划中没有这个指标。")
    month = ctx.month(VALUES, rownum, month_text)
    if month is None:
        return None
    try:
        _check_value_row(ctx, indicator, value, base, note)
    except UserError as exc:
        return ctx.refuse(VALUES, rownum, "value", str(exc))
    if (indicator.id, month) in seen:
        first = seen[(indicator.id, month)]
        return ctx.refuse(VALUES, rownum, None, f"与第 {first} 行重复（同一指标、同一月份只能有一行）。")
    return indicator, month


def _classify_value(ctx: SubmissionScope, old, rownum: int, row: tuple, indicator: Indicator, month: int, edits: list) -> None:
    _office, code, _name, _unit, month_text, value, base, note = row
    key, label, new_text = f"{code}/{month_text}", f"{indicator.name} {month_text}", _show(value, base, note)
    if old is None:
        ctx.changes.append(RowChange(VALUES.name, rownum, key, NEW, label, new=new_text))
    elif (old.value, old.base, old.note or "") == (value, base, note):
        ctx.changes.append(RowChange(VALUES.name, rownum, key, SAME, label))
        return
    else:
        old_text = _show(old.value, old.base, old.note or "")
        ctx.changes.append(RowChange(VALUES.name, rownum, key, CHANGED, label, old_text, new_text))
    edits.append(values.ValueEdit(indicator, ctx.office, ctx.year, month, value, base, note))
