"""Targets per indicator × office × year (None: the plan end), and decomposition to units."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import Indicator, Office, Target
from ..validation import check_value, parse_number
from . import audit, offices
from .plan import check_plan_writable


def find_target(s: Session, indicator: Indicator, office: Office, year: int | None) -> Target | None:
    return s.scalars(
        select(Target).where(
            Target.indicator_id == indicator.id,
            Target.office_id == office.id,
            Target.year.is_(None) if year is None else Target.year == year,
        )
    ).first()


# Targets edited on this installation by its user (a package, the built-in plan and demo data are not).
LOCAL_SOURCES = ("manual", "split")


def require_city(s: Session) -> None:
    """Only the city office edits targets; a unit gets them from the city's plan package."""
    mine = offices.this_office(s)
    if mine is not None and not mine.is_city:
        raise UserError(f"本机是{mine.name}：目标由市科协下发的计划包确定，不能在这里修改。")


def check_cap(indicator: Indicator, number: float, what: str) -> None:
    """Percentages other than signed rates (a coverage above all) stop at 100."""
    if indicator.unit == "%" and not indicator.signed and number > 100:
        raise UserError(f"{what}不能超过 100%（{number:g}）。")


def target_key(indicator: Indicator, office: Office, year: int | None) -> str:
    """The audit log's key of one target."""
    return f"{indicator.code}/{office.code}/{year or 'plan'}"


def _snapshot(t: Target | None) -> dict | None:
    if t is None:
        return None
    return {"value": t.value, "min": t.min_value, "max": t.max_value}


def put_target(
    s: Session,
    indicator: Indicator,
    office: Office,
    year: int | None,
    value: float,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    user: str = "",
    source: str = "manual",
    any_plan: bool = False,
    seen_version: int | None = None,
) -> Changes:
    """Create or replace one target, with an audit entry. Validates scope and bounds; a local edit
    (``LOCAL_SOURCES``) only at the city. ``seen_version`` is the row's version the editing view read
    (0: no target then); another version raises ``audit.StaleEdit``."""
    if source in LOCAL_SOURCES:
        require_city(s)
    plan = indicator.plan
    if not any_plan:  # a plan package brings the city's targets of the plan it carries, current or not
        check_plan_writable(s, plan, drafts=True)
    if indicator.is_annual and year is None:
        raise UserError(f"“{indicator.name}”是每年的目标，请指定年份（--year）。")
    if not indicator.is_annual and year is not None:
        raise UserError(
            f"“{indicator.name}”是到{plan.end_year}年的期末目标，不按年份设定，请不要指定年份。"
        )
    if year is not None and not plan.start_year <= year <= plan.end_year:
        raise UserError(f"年份 {year} 超出计划期（{plan.start_year}—{plan.end_year}年）。")
    check_value(indicator, value, "目标值")
    check_cap(indicator, value, "目标值")
    if indicator.kind == "range":
        min_value = value if min_value is None else min_value
        if max_value is None:
            raise UserError(f"“{indicator.name}”是区间目标，请同时给出上限（--max）。")
        check_value(indicator, min_value, "下限")
        check_value(indicator, max_value, "上限")
        check_cap(indicator, min_value, "下限")
        check_cap(indicator, max_value, "上限")
        if not min_value <= max_value:
            raise UserError(f"区间目标的下限 {min_value:g} 大于上限 {max_value:g}。")
        value = min_value
    elif min_value is not None or max_value is not None:
        raise UserError(f"“{indicator.name}”不是区间目标，不能设定上下限（--min/--max）。")
    target = find_target(s, indicator, office, year)
    key = target_key(indicator, office, year)
    audit.check_version(s, "target", key, target.version if target else None, seen_version)
    old = _snapshot(target)
    if target is None:
        target = Target(indicator=indicator, office=office, year=year, value=value)
        s.add(target)
    target.value, target.min_value, target.max_value = value, min_value, max_value
    target.updated_by = user
    new = _snapshot(target)
    if old == new:
        return Changes()
    audit.record(s, "target", key, office.id, old, new, user=user, source=source)
    s.flush()
    return Changes(targets={(office.id, indicator.id)})


def split_integer(total: int, weights: list[float]) -> list[int]:
    """Shares of ``total`` proportional to ``weights``, whole numbers that add up to exactly ``total``.

    Largest-remainder rounding; equal remainders go to the earlier entries, so the result is stable.
    """
    if total != int(total):
        raise UserError(f"只能分解整数目标，{total:g} 不是整数。")
    total = int(total)
    if not weights:
        raise UserError("没有可分解到的单位。")
    exact = [Fraction(w).limit_denominator(10**9) for w in weights]
    if any(w < 0 for w in exact):
        raise UserError("权重不能为负数。")
    weight_sum = sum(exact)
    if weight_sum == 0:
        raise UserError("权重之和为 0，无法分解。")
    quotas = [total * w / weight_sum for w in exact]
    shares = [int(q) for q in quotas]  # floor for non-negative totals
    leftover = total - sum(shares)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in order[:leftover]:
        shares[i] += 1
    return shares


@dataclass(frozen=True)
class UnitShare:
    """One unit's part of a decomposed city target (``max_value`` only for ranges)."""

    office: Office
    value: float
    max_value: float | None = None


def decompose_target(
    s: Session,
    indicator: Indicator,
    year: int | None = None,
    weights: dict[str, float] | None = None,
    *,
    user: str = "",
    source: str = "split",
    seen: dict[str, int] | None = None,
) -> tuple[list[UnitShare], Changes]:
    """Split the city office's target into unit targets (任务分解), written with ``put_target``.

    ``weights`` maps every unit's code to its weight (None: equal). Counts are split with
    ``split_integer`` so they add up exactly; a range splits both bounds. Coverage targets and ratios
    are not additive: every unit gets the city's figure. Everything is checked before anything is
    written; the caller's transaction makes the whole split one change. ``seen`` maps the city's and every
    unit's office code to the version of its target the view read (0: none; ``split_versions``): a target
    changed on another PC since refuses the whole split with ``StaleEdit`` (None: no check, the CLI).
    """
    require_city(s)
    if indicator.aggregation == "city_only":
        raise UserError(f"“{indicator.name}”是市级单列指标，由市科协自己承担，不分解到县区。")
    city = offices.city(s)
    if indicator.is_annual and year is None:
        raise UserError(f"“{indicator.name}”是每年的目标，请指定要分解的年份（--year）。")
    if not indicator.is_annual and year is not None:
        raise UserError(f"“{indicator.name}”是到{indicator.plan.end_year}年的期末目标，分解时不要指定年份。")
    city_target = find_target(s, indicator, city, year)
    if city_target is None:
        scope = f"{year}年" if year else f"到{indicator.plan.end_year}年"
        raise UserError(f"市科协还没有设定“{indicator.name}”{scope}的目标，无法分解。")
    units = offices.units(s)
    if seen is not None:
        for office in [city, *units]:
            found = city_target if office is city else find_target(s, indicator, office, year)
            audit.check_version(s, "target", target_key(indicator, office, year),
                                found.version if found else None, seen.get(office.code, 0))
    shares = [UnitShare(u, lo, hi) for u, (lo, hi) in zip(units, _split(indicator, city_target, units, weights))]
    changes = Changes()
    for share in shares:
        changes = changes | put_target(
            s, indicator, share.office, year, share.value, max_value=share.max_value, user=user, source=source
        )
    return shares, changes


def split_versions(s: Session, indicator: Indicator, year: int | None) -> dict[str, int]:
    """Office code -> the version of its target of ``indicator`` (0: none), city and units: what a
    decomposition view saves against (``decompose_target(seen=...)``)."""
    rows = s.execute(select(Office.code, Target.version).join(Target, Target.office_id == Office.id).where(
        Target.indicator_id == indicator.id, Target.year.is_(None) if year is None else Target.year == year))
    found = dict(rows.all())
    return {o.code: found.get(o.code, 0) for o in [offices.city(s), *offices.units(s)]}


def _unit_weights(units: list[Office], weights: dict[str, float] | None) -> list[float]:
    if weights is None:
        return [1.0] * len(units)
    known = {u.code for u in units}
    unknown = [code for code in weights if code not in known]
    if unknown:
        raise UserError(f"权重中的“{'、'.join(unknown)}”不是县区单位代码。")
    missing = [u.short_name for u in units if u.code not in weights]
    if missing:
        raise UserError(f"请为每个县区都给出权重（可以为 0），缺少：{'、'.join(missing)}。")
    return [float(weights[u.code]) for u in units]


def _split(indicator: Indicator, target: Target, units, weights) -> list[tuple[float, float | None]]:
    lower = target.value if target.min_value is None else target.min_value
    return split_shares(indicator, lower, target.max_value, _unit_weights(units, weights))


def split_shares(
    indicator: Indicator, value: float, max_value: float | None, weights: list[float]
) -> list[tuple[float, float | None]]:
    """The (value, max_value) each unit gets from a city target, in the order of ``weights``.

    Exactly what ``decompose_target`` writes, without a session, so a dialog can preview it while the
    user types weights. Counts add up exactly; a range splits both bounds; coverage and ratios repeat
    the city's figure.
    """
    if indicator.kind == "coverage" or not indicator.integer_valued:
        return [(value, None)] * len(weights)
    if indicator.kind != "range":
        return [(float(v), None) for v in split_integer(_whole(value), weights)]
    if max_value is None:
        raise UserError(f"“{indicator.name}”是区间目标，缺少上限，无法分解。")
    lower = split_integer(_whole(value), weights)
    upper = split_integer(_whole(max_value), weights)
    _keep_order(lower, upper)
    return [(float(lo), float(hi)) for lo, hi in zip(lower, upper)]


def split_refusal(indicator: Indicator) -> str | None:
    """Why the city's target of ``indicator`` is not split into unit shares (None: it can be).

    City-only targets stay with the city; coverage and ratio targets are not additive, every unit
    carries the whole figure, so there is nothing to share out.
    """
    if indicator.aggregation == "city_only":
        return f"“{indicator.name}”是市级单列指标，由市科协自己承担，不分解到县区。"
    if indicator.kind == "coverage":
        return f"“{indicator.name}”是覆盖率指标，每个县区的目标都是全覆盖（100%），不按份额分解。"
    if not indicator.integer_valued:
        return f"“{indicator.name}”是比例指标，各县区沿用市级目标，不按份额分解。"
    return None


def target_field_errors(
    indicator: Indicator, value: str | float | None, max_value: str | float | None = None
) -> dict[str, str]:
    """Chinese reasons for a target as typed, keyed "value" / "max"; empty when ``put_target`` accepts it.

    For a range ``value`` is the lower bound. Percentages other than signed rates stop at 100.
    """
    errors: dict[str, str] = {}
    ranged = indicator.kind == "range"
    fields = {"value": ("下限" if ranged else "目标值", value)}
    if ranged:
        fields["max"] = ("上限", max_value)
    numbers: dict[str, float] = {}
    for key, (what, raw) in fields.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            errors[key] = f"请填写{what}。"
            continue
        try:
            number = check_value(indicator, parse_number(raw, what), what)
            check_cap(indicator, number, what)
        except UserError as exc:
            errors[key] = str(exc)
            continue
        numbers[key] = number
    if ranged and "value" in numbers and "max" in numbers and numbers["value"] > numbers["max"]:
        errors["max"] = f"上限 {numbers['max']:g} 小于下限 {numbers['value']:g}：区间目标须下限 ≤ 上限。"
    return errors


def targets_of(s: Session, office_list: list[Office]) -> list[Target]:
    """Every target (all years and the plan end) of the given offices, one query."""
    ids = [o.id for o in office_list]
    if not ids:
        return []
    return list(s.scalars(select(Target).where(Target.office_id.in_(ids))))


def final_targets(s: Session, office: Office) -> dict[int, Target]:
    """Indicator id -> the office's target for the plan end (an annual indicator's last year)."""
    q = select(Target).where(Target.office_id == office.id).order_by(Target.year)
    return {t.indicator_id: t for t in s.scalars(q)}  # ordered by year, so the last year wins


def _whole(value: float) -> int:
    if value != int(value):
        raise UserError(f"只能分解整数目标，{value:g} 不是整数。")
    return int(value)


def _keep_order(lower: list[int], upper: list[int]) -> None:
    """Rounding both bounds separately can (rarely) give a unit lower > upper: move upper units over."""
    for i in range(len(lower)):
        while upper[i] < lower[i]:
            donor = max(range(len(upper)), key=lambda j: (upper[j] - lower[j], -j))
            upper[donor] -= 1
            upper[i] += 1
