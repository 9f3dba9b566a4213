"""What one submission import works on: the office × year of the package, the plan and its indicators,
and the list of changes (refused rows included) that the value and ledger parts both add to."""

from __future__ import annotations

from dataclasses import dataclass, field

from ....errors import UserError
from ....models import Indicator, Office, Plan
from ....validation import check_year
from ...format.codec import SheetSpec
from ...format.errors import where
from ...pipeline.results import REFUSED, ChangeList, RowChange


@dataclass
class SubmissionScope:
    office: Office
    year: int
    plan: Plan
    indicators: dict[str, Indicator]
    sequence: int = 0  # the package's own sequence number (an older package never undoes a newer one)
    changes: ChangeList = field(default_factory=ChangeList)

    def refuse(self, spec: SheetSpec, row: int, key: str | None, reason: str) -> None:
        col = spec.index(key) + 1 if key else None
        header = spec.columns[col - 1].header if col else ""
        self.changes.append(RowChange(spec.name, row, "", REFUSED, where(spec.name, row, col, header), reason=reason))

    def refuser(self, spec: SheetSpec):
        def refuse(row, col, reason):
            self.changes.append(RowChange(spec.name, row, "", REFUSED,
                                          where(spec.name, row, col, spec.columns[col - 1].header), reason=reason))
        return refuse

    def month(self, spec: SheetSpec, row: int, text: str) -> int | None:
        year, month = int(text[:4]), int(text[5:])
        try:
            check_year(year, self.plan, what=f"月份 {text}")
        except UserError as exc:
            return self.refuse(spec, row, "month", str(exc))
        if year != self.year:
            return self.refuse(spec, row, "month", f"月份 {text} 不属于此包的年份（{self.year}年）。")
        return month
