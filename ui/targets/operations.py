"""目标 in the operations layer: plain rows for the targets page, editing a target and splitting one.

Each function opens one read or write transaction through the AppContext and calls the core services
in ``kexie_desktop.services.targets``; mutations notify the signal bus. Only the city office changes
targets: a unit's targets come from the city's plan package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kexie_desktop.changes import Changes
from kexie_desktop.display import NO_TARGET, target as target_text
from kexie_desktop.errors import UserError
from kexie_desktop.models import AGGREGATIONS, KINDS, Indicator, Target
from kexie_desktop.services import offices, plan, settings, targets
from kexie_desktop.validation import parse_number

from ..context import AppContext
from ..installation import OfficeChoice

__all__ = [
    "OfficeChoice", "SplitSetup", "SplitUnit", "TargetRow", "TargetsSetup", "apply_split", "check_target",
    "load_rows", "load_setup", "load_split", "preview_split", "save_target",
]


@dataclass(frozen=True)
class TargetsSetup:
    """Whose installation this is, which offices it may show, and the plan's years."""

    office_code: str
    office_name: str
    is_city: bool
    offices: tuple[OfficeChoice, ...]  # at the city: the city and its units; at a unit: itself
    years: tuple[int, ...]
    end_year: int

    def default_year(self, today: dt.date | None = None) -> int:
        year = (today or dt.date.today()).year
        return min(max(year, self.years[0]), self.years[-1])


@dataclass(frozen=True)
class TargetRow:
    """One indicator's target for one office; for annual targets, in the chosen year."""

    code: str
    name: str
    unit: str
    kind: str
    kind_label: str
    aggregation_label: str
    period_label: str  # 每年 / 到2020年
    is_annual: bool
    integer_valued: bool
    year: int | None  # the target's year (None: the plan end)
    value: float | None  # None: no target for this year
    min_value: float | None
    max_value: float | None
    text: str  # 4—6所, 全覆盖（100%）, 50人以上, 未设目标
    phrase: str
    sources: tuple[str, ...]
    split_refusal: str | None  # why 分解到县区 is not offered (None: it is)
    units_text: str  # at the city: the sum of the unit targets ("" where sums mean nothing)
    units_match: bool  # the unit targets add up to the city target
    updated_by: str
    updated_at: dt.datetime | None
    version: int = 0  # of the target as loaded (0: none); a save checks it (issue 18)

    @property
    def scope_text(self) -> str:
        return f"{self.year}年" if self.year is not None else self.period_label


@dataclass(frozen=True)
class SplitUnit:
    code: str
    name: str
    short_name: str
    current: str  # the unit's target now (未设目标 when none)


@dataclass(frozen=True)
class SplitSetup:
    """What the decomposition dialog needs: the city target and the units that share it."""

    code: str
    name: str
    unit: str
    kind: str
    year: int | None
    scope_text: str
    value: float
    max_value: float | None
    city_text: str
    units: tuple[SplitUnit, ...]
    indicator: Indicator  # detached; only read by ``preview_split`` (kind, unit)
    versions: dict[str, int] | None = None  # office code -> its target's version as read (issue 18)


def _period_label(indicator: Indicator, end_year: int) -> str:
    return "每年" if indicator.is_annual else f"到{end_year}年"


def load_setup(ctx: AppContext) -> TargetsSetup:
    with ctx.db.read() as s:
        mine = offices.this_office(s) or offices.city(s)
        current = plan.current_plan(s)
        shown = [offices.city(s), *offices.units(s)] if mine.is_city else [mine]
        return TargetsSetup(mine.code, mine.name, mine.is_city, tuple(OfficeChoice.of(o) for o in shown),
                            tuple(current.years), current.end_year)


def load_rows(ctx: AppContext, office_code: str, year: int) -> list[TargetRow]:
    """Every indicator with a target for the office, in plan order (two queries).

    At the city office each row also carries the sum of the units' targets for the same year.
    """
    with ctx.db.read() as s:
        current = plan.show_year(s, year)  # an earlier plan's year: that plan's targets
        office = offices.resolve(s, office_code)
        units = offices.units(s) if office.is_city else []
        found: dict[tuple[int, int, int | None], Target] = {
            (t.office_id, t.indicator_id, t.year): t for t in targets.targets_of(s, [office, *units])
        }
        with_target = {iid for (oid, iid, _y) in found if oid == office.id}
        rows = []
        for indicator in plan.indicators(s, current):
            if indicator.id not in with_target:
                continue
            scope = year if indicator.is_annual else None
            target = found.get((office.id, indicator.id, scope))
            units_text, match = _units_sum(indicator, target, [found.get((u.id, indicator.id, scope)) for u in units])
            rows.append(_row(indicator, current.end_year, scope, target, units_text, match))
        return rows


def _row(indicator: Indicator, end_year: int, scope: int | None, target: Target | None, units_text: str,
         units_match: bool) -> TargetRow:
    value = target.value if target else None
    low = target.min_value if target else None
    high = target.max_value if target else None
    return TargetRow(
        code=indicator.code, name=indicator.name, unit=indicator.unit, kind=indicator.kind,
        kind_label=KINDS[indicator.kind], aggregation_label=AGGREGATIONS[indicator.aggregation],
        period_label=_period_label(indicator, end_year), is_annual=indicator.is_annual,
        integer_valued=indicator.integer_valued, year=scope, value=value, min_value=low, max_value=high,
        text=target_text(indicator.kind, indicator.unit, value, low, high), phrase=indicator.phrase,
        sources=tuple(plan.sources_of(indicator)), split_refusal=targets.split_refusal(indicator),
        units_text=units_text, units_match=units_match,
        updated_by=target.updated_by if target else "", updated_at=target.updated_at if target else None,
        version=target.version if target else 0,
    )


def _units_sum(indicator: Indicator, city: Target | None, parts: list[Target | None]) -> tuple[str, bool]:
    """'600个' when all units have a target, '420个（7/10 单位）' when some have, '—' when none."""
    if not parts or targets.split_refusal(indicator) is not None:
        return "", True
    have = [t for t in parts if t is not None]
    if not have:
        return "—", city is None
    low = sum(_lower(t) for t in have)
    high = sum(t.max_value or 0 for t in have) if indicator.kind == "range" else None
    text = target_text(indicator.kind, indicator.unit, low, low, high)
    if len(have) < len(parts):
        text += f"（{len(have)}/{len(parts)} 单位）"
    complete = city is not None and len(have) == len(parts)
    return text, complete and (low, high) == (_lower(city), city.max_value if high is not None else None)


def _lower(t: Target) -> float:
    return t.value if t.min_value is None else t.min_value


# --- editing ----------------------------------------------------------------------------------------
def check_target(ctx: AppContext, code: str, value: str, max_value: str | None = None) -> dict[str, str]:
    """Chinese reasons keyed "value" / "max" for a target as typed; empty when it can be saved."""
    with ctx.db.read() as s:
        return targets.target_field_errors(plan.indicator(s, code), value, max_value)


def save_target(ctx: AppContext, office_code: str, code: str, year: int | None, value: str,
                max_value: str | None = None, seen_version: int | None = None) -> Changes:
    """Write one target (audited) in one transaction; ``year`` is ignored for plan-end targets.
    ``seen_version`` (``TargetRow.version``) refuses the save when another PC changed the target meanwhile."""
    with ctx.db.write() as s:
        targets.require_city(s)
        indicator = plan.indicator(s, code)
        errors = targets.target_field_errors(indicator, value, max_value)
        if errors:
            raise UserError(next(iter(errors.values())))
        scope = year if indicator.is_annual else None
        number = parse_number(value)
        bounds = dict(min_value=number, max_value=parse_number(max_value)) if indicator.kind == "range" else {}
        changes = targets.put_target(s, indicator, offices.resolve(s, office_code), scope, number,
                                     user=_user(s), seen_version=seen_version, **bounds)
    ctx.notify(changes)
    return changes


def load_split(ctx: AppContext, code: str, year: int) -> SplitSetup:
    """The city target of ``code`` (for annual targets in ``year``) and the units' current targets."""
    with ctx.db.read() as s:
        indicator = plan.indicator(s, code)
        refusal = targets.split_refusal(indicator)
        if refusal:
            raise UserError(refusal)
        scope = year if indicator.is_annual else None
        end = indicator.plan.end_year
        scope_text = f"{scope}年" if scope is not None else f"到{end}年"
        city = targets.find_target(s, indicator, offices.city(s), scope)
        if city is None:
            raise UserError(f"市科协还没有设定“{indicator.name}”{scope_text}的目标，无法分解。")
        unit_list = offices.units(s)
        found = {t.office_id: t for t in targets.targets_of(s, unit_list)
                 if t.indicator_id == indicator.id and t.year == scope}
        units = tuple(
            SplitUnit(u.code, u.name, u.short_name,
                      _text(indicator, found[u.id]) if u.id in found else NO_TARGET)
            for u in unit_list
        )
        return SplitSetup(indicator.code, indicator.name, indicator.unit, indicator.kind, scope, scope_text,
                          _lower(city), city.max_value,
                          _text(indicator, city), units, indicator,
                          targets.split_versions(s, indicator, scope))


def _text(indicator: Indicator, t: Target) -> str:
    return target_text(indicator.kind, indicator.unit, t.value, t.min_value, t.max_value)


def preview_split(setup: SplitSetup, weights: list[float]) -> list[tuple[float, float | None]]:
    """Each unit's share for ``weights`` (unit order), exactly as ``apply_split`` will write it."""
    return targets.split_shares(setup.indicator, setup.value, setup.max_value, weights)


def apply_split(ctx: AppContext, code: str, year: int | None, weights: dict[str, float],
                seen: dict[str, int] | None = None) -> Changes:
    """Decompose the city target to the units in one transaction (all units or, on any error, none).
    ``seen`` (``SplitSetup.versions``): a target changed on another PC since refuses it (StaleEdit)."""
    with ctx.db.write() as s:
        targets.require_city(s)
        indicator = plan.indicator(s, code)
        _shares, changes = targets.decompose_target(
            s, indicator, year if indicator.is_annual else None, weights, user=_user(s), seen=seen)
    ctx.notify(changes)
    return changes


def _user(s) -> str:
    return settings.audit_user(s)
