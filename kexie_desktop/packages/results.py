"""What an import would do or did: per-row changes, the preview of a file, results of a batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..changes import Changes
from .manifest import Manifest

NEW, CHANGED, SAME, DELETED, REFUSED = "新增", "修改", "未变", "删除", "拒绝"
ACTIONS = (NEW, CHANGED, SAME, DELETED, REFUSED)
OUTCOMES = {"applied": "已导入", "unchanged": "未变（此包已导入过）", "refused": "已拒绝", "previewed": "仅预览"}


@dataclass(slots=True)
class RowChange:
    sheet: str
    row: int | None  # Excel row of the file; None for a deletion (the row is not in the file)
    key: str
    action: str
    label: str = ""
    old: str = ""
    new: str = ""
    reason: str = ""

    def text(self) -> str:
        if self.action == REFUSED:
            return f"{self.action}  {self.label}：{self.reason}"
        place = f"{self.sheet}" + (f" 第 {self.row} 行" if self.row else "")
        detail = self.reason or (f"{self.old} → {self.new}" if self.action == CHANGED else self.new or self.old)
        return f"{self.action}  {place}  {self.label or self.key}" + (f"：{detail}" if detail else "")

    def to_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "key": self.key, "action": self.action,
                "label": self.label, "old": self.old, "new": self.new, "reason": self.reason}


@dataclass
class Classified:
    """A kind handler's verdict on a verified package: row changes, and how to apply them."""

    changes: list[RowChange]
    apply: Callable  # (session, source) -> Changes
    warnings: list[str] = field(default_factory=list)


@dataclass
class PackagePreview:
    path: Path
    status: str  # "ready" (would change data), "unchanged", "refused"
    message: str
    manifest: Manifest | None = None
    checksum: str = ""
    changes: list[RowChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    def counts_text(self) -> str:
        return "，".join(f"{a} {n}" for a, n in self.counts.items() if n) or "没有数据行"

    def to_dict(self, with_changes: bool = True) -> dict:
        m = self.manifest
        data = {
            "file": str(self.path), "status": self.status, "message": self.message,
            "kind": m.kind if m else None, "office": m.office_code if m else None,
            "year": m.year if m else None, "sequence": m.sequence if m else None,
            "package_id": m.package_id if m else None, "checksum": self.checksum,
            "counts": self.counts, "warnings": self.warnings,
        }
        if with_changes:
            data["changes"] = [c.to_dict() for c in self.changes if c.action != SAME]
        return data


@dataclass
class ImportResult:
    preview: PackagePreview
    outcome: str  # one of OUTCOMES
    backup: Path | None = None
    changes: Changes = field(default_factory=Changes)

    @property
    def ok(self) -> bool:
        return self.outcome != "refused"

    @property
    def message(self) -> str:
        return self.preview.message

    def to_dict(self) -> dict:
        data = self.preview.to_dict()
        data.update(outcome=self.outcome, outcome_label=OUTCOMES[self.outcome],
                    backup=str(self.backup) if self.backup else None)
        return data


@dataclass
class BatchResult:
    results: list[ImportResult]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def changes(self) -> Changes:
        total = Changes()
        for r in self.results:
            total = total | r.changes
        return total

    def summary(self) -> str:
        tally: dict[str, int] = {}
        for r in self.results:
            tally[r.outcome] = tally.get(r.outcome, 0) + 1
        parts = "，".join(f"{OUTCOMES[k]} {n} 个" for k, n in tally.items())
        return f"共 {len(self.results)} 个文件：{parts}。"
