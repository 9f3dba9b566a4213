"""What an import would do or did: per-row changes, the preview of a file, results of a batch."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain
from pathlib import Path
from typing import Callable

from ...changes import Changes
from ..format.manifest import Manifest

NEW, CHANGED, SAME, DELETED, REFUSED = "新增", "修改", "未变", "删除", "拒绝"
ACTIONS = (NEW, CHANGED, SAME, DELETED, REFUSED)
OUTCOMES = {"applied": "已导入", "unchanged": "未变（此包已导入过）", "refused": "已拒绝", "previewed": "仅预览",
            "cancelled": "已取消（未导入）"}


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


class ChangeBlock(Sequence):
    """Many changes of one action on one sheet, held as columns; each RowChange is made only when
    asked for. A first import of 100,000 ledger rows would otherwise build 100,000 objects (and their
    texts) that the preview shows a screenful of at a time.

    ``label`` and ``new`` are (format string, columns): row i gets ``format(*(c[i] for c in columns))``.
    """

    def __init__(self, sheet: str, action: str, rows: Sequence[int], keys: Sequence[str],
                 label: tuple[str, Sequence[Sequence]], new: tuple[str, Sequence[Sequence]]):
        self.sheet, self.action, self.rows, self.keys = sheet, action, rows, keys
        self._label, self._new = label, new

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        (label_format, label_columns), (new_format, new_columns) = self._label, self._new
        return RowChange(self.sheet, self.rows[i], self.keys[i], self.action,
                         label_format.format(*(c[i] for c in label_columns)), "",
                         new_format.format(*(c[i] for c in new_columns)))


class ChangeList(Sequence):
    """The changes of one package in classification order: single RowChanges and ChangeBlocks."""

    def __init__(self, changes: Iterable = ()):
        self._parts: list[Sequence[RowChange]] = []
        self._offsets: list[int] | None = None
        self.extend(changes)

    def append(self, change: RowChange) -> None:
        if not self._parts or not isinstance(self._parts[-1], list):
            self._parts.append([])
        self._parts[-1].append(change)
        self._offsets = None

    def extend(self, changes: Iterable) -> None:
        if isinstance(changes, ChangeList):
            for part in changes._parts:
                self.add(part) if isinstance(part, ChangeBlock) else self.extend(part)
            return
        for change in changes:
            self.append(change)

    def add(self, block: ChangeBlock) -> None:
        if len(block):
            self._parts.append(block)
            self._offsets = None

    def __len__(self) -> int:
        return sum(map(len, self._parts))

    def __iter__(self):
        return chain.from_iterable(self._parts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if self._offsets is None:
            self._offsets = list(accumulate(map(len, self._parts), initial=0))
        if i < 0:
            i += self._offsets[-1]
        if not 0 <= i < self._offsets[-1]:
            raise IndexError(i)
        part = bisect_right(self._offsets, i) - 1
        return self._parts[part][i - self._offsets[part]]

    def only(self, *actions: str) -> "ChangeList":
        """The changes with one of ``actions``, without making the other blocks' rows."""
        return self._filtered(lambda action: action in actions)

    def without(self, *actions: str) -> "ChangeList":
        return self._filtered(lambda action: action not in actions)

    def _filtered(self, keep) -> "ChangeList":
        out = ChangeList()
        for part in self._parts:
            if isinstance(part, ChangeBlock):
                if keep(part.action):
                    out.add(part)
            else:
                out.extend(c for c in part if keep(c.action))
        return out

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for part in self._parts:
            if isinstance(part, ChangeBlock):
                counts[part.action] += len(part)
            else:
                for change in part:
                    counts[change.action] += 1
        return counts


@dataclass
class Classified:
    """A kind handler's verdict on a verified package: row changes, and how to apply them."""

    changes: Sequence[RowChange]
    apply: Callable  # (session, source) -> Changes
    warnings: list[str] = field(default_factory=list)
    # Submissions: the package's review summary ({"state", "approved_months", "unapproved_months",
    # "explained"}) and its one-line form for the preview (未审核：7—9月)
    review: dict | None = None
    review_line: str = ""


@dataclass
class PackagePreview:
    path: Path
    status: str  # "ready" (would change data), "unchanged", "refused"
    message: str
    manifest: Manifest | None = None
    checksum: str = ""
    changes: ChangeList = field(default_factory=ChangeList)
    warnings: list[str] = field(default_factory=list)
    review: dict | None = None  # see Classified.review
    review_line: str = ""

    @property
    def unapproved(self) -> bool:
        """A submission that is not fully approved: it imports, marked 未审核."""
        return self.review is not None and self.review["state"] != "approved"

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    @property
    def counts(self) -> dict[str, int]:
        return self.changes.counts()

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
        if self.review is not None:
            data["review"] = self.review
        if with_changes:
            data["changes"] = [c.to_dict() for c in self.changes.without(SAME)]
        return data


@dataclass
class ImportResult:
    preview: PackagePreview
    outcome: str  # one of OUTCOMES
    backup: Path | None = None
    changes: Changes = field(default_factory=Changes)

    @property
    def ok(self) -> bool:
        return self.outcome not in ("refused", "cancelled")

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
