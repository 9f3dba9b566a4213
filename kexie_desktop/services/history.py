"""修改记录: the history of one cell (an office's monthly value) or of one office's targets, read
from the audit log, with the source told in words (手工录入, which package, 演示数据 …).

The GUI (右键 → 修改记录) and the CLI (``history``) both call ``history``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..display import number
from ..models import AuditEntry, Indicator, Office
from ..package_kinds import PACKAGE_KINDS
from ..package_models import PackageLog
from . import demo

VALUE, TARGET = "value", "target"
EMPTY = "（空）"
SOURCE_NAMES = {"manual": "手工录入", "demo": "演示数据", "builtin": "内置计划", "split": "任务分解",
                "cli": "命令行"}


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    user: str
    what: str  # 数值 or 目标
    period: str  # 2019-03 for a value; 2019年 or 期末 for a target
    old: str
    new: str
    source: str  # in words

    def to_dict(self) -> dict:
        data = asdict(self)
        data["at"] = self.at.isoformat(sep=" ", timespec="seconds")
        return data


def history(s: Session, office: Office, indicator: Indicator, year: int | None = None,
            month: int | None = None, *, values: bool = True, targets: bool = True) -> list[HistoryEntry]:
    """Oldest first. With ``year`` and ``month``: that month's value and that year's (and the
    plan-end) target; with ``year`` alone: that year's values and target; else everything."""
    prefix = f"{indicator.code}/{office.code}/"
    wanted = []
    if values:
        key = prefix + (f"{year}-{month:02d}" if month else f"{year}-%" if year else "%")
        wanted.append((AuditEntry.entity == VALUE) & AuditEntry.entity_key.like(key))
    if targets:
        keys = [prefix + str(year), prefix + "plan"] if year else None
        wanted.append((AuditEntry.entity == TARGET) & (AuditEntry.entity_key.in_(keys) if keys
                                                        else AuditEntry.entity_key.like(prefix + "%")))
    if not wanted:
        return []
    rows = s.scalars(select(AuditEntry).where(AuditEntry.office_id == office.id, or_(*wanted))
                     .order_by(AuditEntry.at, AuditEntry.id)).all()
    packages = _packages(s, {_package_id(r.source) for r in rows} - {None})
    return [_entry(r, indicator, packages) for r in rows]


def _packages(s: Session, ids: set[str]) -> dict[str, PackageLog]:
    if not ids:
        return {}
    found = s.scalars(select(PackageLog).where(PackageLog.package_id.in_(ids), PackageLog.direction == "received",
                                               PackageLog.result == "applied")
                      .order_by(PackageLog.id))
    return {p.package_id: p for p in found}


def _entry(row: AuditEntry, indicator: Indicator, packages: dict[str, PackageLog]) -> HistoryEntry:
    period = row.entity_key.rsplit("/", 1)[1]
    if row.entity == TARGET:
        period = "期末" if period == "plan" else f"{period}年"
    show = _value_text if row.entity == VALUE else _target_text
    return HistoryEntry(row.at, row.user or "—", "数值" if row.entity == VALUE else "目标", period,
                        show(_load(row.old), indicator), show(_load(row.new), indicator),
                        source_text(row.source, packages))


def _package_id(source: str | None) -> str | None:
    """The package behind "package:<id>", or "demo:package:<id>" (a demo package, demo.package_source)."""
    rest = (source or "").removeprefix(f"{demo.DEMO}:")
    return rest.removeprefix("package:") if rest.startswith("package:") else None


def source_text(source: str, packages: dict[str, PackageLog] | None = None) -> str:
    package_id = _package_id(source)
    if package_id is not None:
        marked = f"{demo.DEMO_NOTE}，" if source.startswith(f"{demo.DEMO}:") else ""
        log = (packages or {}).get(package_id)
        if log is None:
            return f"{marked}数据包 {package_id[:8]}"
        kind = PACKAGE_KINDS.get(log.kind, "数据包")
        number = f"第 {log.sequence} 号" if log.sequence else ""
        return f"{marked}{kind}“{log.file_name}”" + (f"（{number}）" if number else "")
    return SOURCE_NAMES.get(source, source or "—")


def _load(text: str | None):
    return None if text is None else json.loads(text)


def _value_text(snap: dict | None, indicator: Indicator) -> str:
    if snap is None:
        return EMPTY
    text = number(snap["value"])
    if snap.get("base") is not None:
        text += f"/{number(snap['base'])}"
    else:
        text += indicator.unit or ""
    return text + (f"（备注：{snap['note']}）" if snap.get("note") else "")


def _target_text(snap: dict | None, indicator: Indicator) -> str:
    if snap is None:
        return EMPTY
    if snap.get("max") is not None:
        return f"{number(snap.get('min', snap['value']))}—{number(snap['max'])}{indicator.unit or ''}"
    return f"{number(snap['value'])}{indicator.unit or ''}"
