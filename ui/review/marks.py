"""What the 审核 findings and month states mean for the entry grid: one mark per cell, locked months.

Shared by the 审核 page (its colours) and 数据填报 (marks on the cells, locks in the header).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kexie_desktop.models import REVIEW_STATES
from kexie_desktop.review import delivery, states
from kexie_desktop.review.checks import Finding, run_checks
from kexie_desktop.services.locks import locked_message

FINDING_COLOURS = {"error": "#f4cccc", "warning": "#fce5cd", "explained": "#e2efda"}
LOCKED_COLOUR = "#d9d9d9"
RETURNED_COLOUR = "#e4d4f4"  # a cell the city returned: its own mark, unlike any finding's
LEVEL_NAMES = {"error": "错误", "warning": "警告", "explained": "已说明"}
_RANK = {"error": 0, "warning": 1, "explained": 2}


def level(finding: Finding) -> str:
    """error, warning (not yet explained) or explained."""
    return "explained" if finding.severity == "warning" and finding.explanation else finding.severity


@dataclass(frozen=True)
class CellMark:
    level: str  # the worst of the cell's findings
    tooltip: str


@dataclass(frozen=True)
class MonthLock:
    month: int
    label: str  # 已审核 / 已报送 / 市已接收
    message: str  # why an edit is refused, naming who approved and when


@dataclass
class ReviewMarks:
    """Marks of one office's year: (indicator code, month) -> mark (month 0: the year's total)."""

    cells: dict[tuple[str, int], CellMark] = field(default_factory=dict)
    locks: dict[int, MonthLock] = field(default_factory=dict)
    # The city's open returned items: (indicator code, month) -> reason; code "" for the whole month.
    returned: dict[tuple[str, int], str] = field(default_factory=dict)

    def returned_reason(self, code: str, month: int) -> str | None:
        """The city's reasons for a cell (its month returned whole, or the cell's indicator), or None."""
        found = [r for r in (self.returned.get(("", month)), self.returned.get((code, month))) if r]
        return "\n".join(f"市科协退回：{r}" for r in found) or None

    def month_returned(self, month: int) -> bool:
        return any(m == month for _c, m in self.returned)


def cell_marks(findings: list[Finding]) -> dict[tuple[str, int], CellMark]:
    grouped: dict[tuple[str, int], list[Finding]] = {}
    for f in findings:
        if f.indicator and not f.record:
            month = int(f.month[5:]) if f.month else 0
            grouped.setdefault((f.indicator, month), []).append(f)
    marks = {}
    for key, found in grouped.items():
        found.sort(key=lambda f: _RANK[level(f)])
        lines = []
        for f in found:
            lines.append(f"{LEVEL_NAMES[level(f)]}（{f.rule}）：{f.message}")
            if f.explanation:
                lines.append(f"说明：{f.explanation}")
        marks[key] = CellMark(level(found[0]), "\n".join(lines))
    return marks


def month_locks(s, office, year: int) -> dict[int, MonthLock]:
    return {
        m.month: MonthLock(m.month, REVIEW_STATES[m.state], locked_message(year, m.month, m.by, m.at))
        for m in states.month_states(s, office, year) if m.locked
    }


def returned_items(s, office, year: int) -> dict[tuple[str, int], str]:
    found: dict[tuple[str, int], str] = {}
    for item in delivery.open_returned(s, office, year):
        key = (item.indicator, item.month)
        found[key] = found[key] + "；" + item.reason if key in found else item.reason
    return found


def load_marks(s, office, year: int, today: dt.date | None = None) -> ReviewMarks:
    return ReviewMarks(cell_marks(run_checks(s, office, year, today=today)), month_locks(s, office, year),
                       returned_items(s, office, year))
