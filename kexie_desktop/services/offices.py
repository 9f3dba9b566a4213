"""Offices: the city office and its units (counties, districts, functional zones)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import Office
from ..paths import resource_path
from . import settings


def load_builtin_offices(s: Session) -> Changes:
    """Insert the built-in offices that are not there yet (by code); existing rows are left as edited."""
    data = json.loads(resource_path("offices.json").read_text(encoding="utf-8"))
    existing = {o.code: o for o in s.scalars(select(Office))}
    added = False
    for order, row in enumerate(data["offices"]):
        if row["code"] in existing:
            continue
        office = Office(
            code=row["code"],
            name=row["name"],
            short_name=row["short_name"],
            kind=row["kind"],
            sort_order=order,
            parent=existing.get(row["parent"]) if row["parent"] else None,
        )
        s.add(office)
        existing[office.code] = office
        added = True
    s.flush()
    return Changes(offices=added)


def all_offices(s: Session) -> list[Office]:
    return list(s.scalars(select(Office).order_by(Office.sort_order, Office.code)))


def city(s: Session) -> Office:
    office = s.scalars(select(Office).where(Office.kind == "city")).first()
    if office is None:
        raise UserError("数据库中没有市科协这一单位，请重新初始化。")
    return office


def units(s: Session) -> list[Office]:
    """The city's units (everything but the city office), active ones only."""
    return [o for o in all_offices(s) if o.kind != "city" and o.active]


def resolve(s: Session, text: str) -> Office:
    """An office by code, full name, short name, or a unique part of its name."""
    key = (text or "").strip()
    if not key:
        raise UserError("请指定单位（代码或名称）。")
    offices = all_offices(s)
    for office in offices:
        if key in (office.code, office.name, office.short_name) or key + "科协" == office.name:
            return office
    matches = [o for o in offices if key in o.name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = "、".join(o.name for o in matches)
        raise UserError(f"单位“{key}”不唯一，可能是：{names}。请写全称或代码。")
    known = "、".join(f"{o.code} {o.short_name}" for o in offices)
    raise UserError(f"没有名为或代码为“{key}”的单位。可用的单位：{known}。")


def this_office(s: Session) -> Office | None:
    """The office this installation works for (set by `init`), or None."""
    code = settings.get(s, "office_code")
    if not code:
        return None
    return s.scalars(select(Office).where(Office.code == code)).first()


def set_this_office(s: Session, office: Office) -> Changes:
    settings.put(s, "office_code", office.code)
    return Changes(settings=True)
