"""A prepared 2020 at the city for 报送情况 (tests of the core, the CLI and the page): package log rows and
returned items as the importer and the return exporter write them, with hand-chosen creation times.

Today 2020-10-08, deadline day 5: months 1—9 are due (September's deadline 2020-10-05 has passed),
10—12 not. The units:
- 连云区 (320703): one package a month, each created on the 3rd of the month after → 1—9 按时.
- 海州区 (320706): seq 1 created 04-03 (1—3 approved), seq 2 created 07-05 23:30 (1—6), seq 3 created
  08-06 00:00 (1—7), seq 4 created 09-04 (1—8 with data, 1—7 approved) → 1 2 迟报, 3 按时, 4 5 迟报,
  6 按时 (the last minute of the deadline day), 7 迟报 (the first second after it), 8 未审核, 9 未报.
- 赣榆区 (320707): nothing applied (one refused file and one unchanged duplicate, both ignored) → 1—9 未报.
- 东海县 (320722): seq 1 created 02-04 (1); seq 2 created 04-01 (1—3), returned: month 2 (indicator I09)
  and month 3; seq 3 created 04-20 (1—3) answers both; seq 4 created 06-03 (1—5); seq 5 without a
  creation time, arrived 08-01 (1—7), then month 5 returned again, still open →
  1 按时, 2 迟报 (seq 3: 04-20 > 03-05), 3 迟报 (seq 3: 04-20 > 04-05, though seq 2 was on time),
  4 迟报 (seq 4: 06-03 > 05-05), 5 已退回待重报, 6 迟报 (arrival 08-01 > 07-05), 7 按时 (08-01 ≤ 08-05),
  8 9 未报.
The six other units are deactivated (not counted) unless ``all_units``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from kexie_desktop.models import Office
from kexie_desktop.package_models import PackageLog, ReturnItem
from kexie_desktop.services import offices

YEAR = 2020
TODAY = dt.date(2020, 10, 8)
UNITS = ("320703", "320706", "320707", "320722")
T = dt.datetime


def _months(months) -> str:
    return ",".join(map(str, months))


def log(s, code: str, sequence: int, created: dt.datetime | None, months, approved, *,
        arrived: dt.datetime | None = None, result: str = "applied", year: int = YEAR) -> PackageLog:
    months, approved = list(months), list(approved)
    entry = PackageLog(
        package_id=uuid.uuid4().hex, kind="submission", direction="received", office_code=code, year=year,
        sequence=sequence, checksum="0" * 64, file_name=f"{code}-{sequence}.xlsx", result=result,
        at=arrived or (created + dt.timedelta(hours=2)), created=created,
        review="approved" if months == approved else "draft",
        unapproved_months=_months(m for m in months if m not in approved),
        months=_months(months), approved_months=_months(approved),
    )
    s.add(entry)
    s.flush()
    return entry


def give_back(s, entry: PackageLog, month: int, reason: str, indicator: str = "",
              answered_by: PackageLog | None = None) -> ReturnItem:
    office = s.scalars(select(Office).where(Office.code == entry.office_code)).one()
    item = ReturnItem(return_package=uuid.uuid4().hex, submission=entry.package_id,
                      submission_sequence=entry.sequence, office_id=office.id, year=entry.year, month=month,
                      indicator=indicator, reason=reason,
                      answered_by=answered_by.package_id if answered_by else "",
                      answered_at=answered_by.at if answered_by else None)
    s.add(item)
    s.flush()
    return item


def prepare(s, *, all_units: bool = False) -> dict[str, PackageLog]:
    """Fill the log as described above; returns the log rows the tests name ("D2" = 东海县 seq 2)."""
    offices.set_this_office(s, offices.city(s))
    if not all_units:
        for unit in offices.units(s):
            unit.active = unit.code in UNITS
    rows = {}
    for k in range(1, 10):  # 连云区
        rows[f"A{k}"] = log(s, "320703", k, T(YEAR, k + 1, 3, 9, 0), range(1, k + 1), range(1, k + 1))
    rows["B1"] = log(s, "320706", 1, T(YEAR, 4, 3, 9, 0), range(1, 4), range(1, 4))
    rows["B2"] = log(s, "320706", 2, T(YEAR, 7, 5, 23, 30), range(1, 7), range(1, 7))
    rows["B3"] = log(s, "320706", 3, T(YEAR, 8, 6, 0, 0), range(1, 8), range(1, 8))
    rows["B4"] = log(s, "320706", 4, T(YEAR, 9, 4, 8, 0), range(1, 9), range(1, 8))
    log(s, "320707", 1, T(YEAR, 3, 1), range(1, 10), range(1, 10), result="refused")
    log(s, "320707", 1, T(YEAR, 3, 1), range(1, 10), range(1, 10), result="unchanged")
    rows["D1"] = log(s, "320722", 1, T(YEAR, 2, 4, 10, 0), [1], [1])
    rows["D2"] = log(s, "320722", 2, T(YEAR, 4, 1, 10, 0), range(1, 4), range(1, 4))
    rows["D3"] = log(s, "320722", 3, T(YEAR, 4, 20, 10, 0), range(1, 4), range(1, 4))
    give_back(s, rows["D2"], 2, "科教兴农项目数偏少，请核实", "I09", answered_by=rows["D3"])
    give_back(s, rows["D2"], 3, "三月数据与活动台账不符", answered_by=rows["D3"])
    rows["D4"] = log(s, "320722", 4, T(YEAR, 6, 3, 10, 0), range(1, 6), range(1, 6))
    rows["D5"] = log(s, "320722", 5, None, range(1, 8), range(1, 8), arrived=T(YEAR, 8, 1, 10, 0))
    give_back(s, rows["D5"], 5, "五月科普讲座缺少活动台账记录")
    return rows
