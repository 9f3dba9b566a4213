"""What a mutation changed (after Anki's OpChanges): views refresh only what a record names."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Changes:
    # (office_id, indicator_id, year) whose monthly values changed
    values: set[tuple[int, int, int]] = field(default_factory=set)
    # (office_id, indicator_id) whose targets changed
    targets: set[tuple[int, int]] = field(default_factory=set)
    # office ids whose activity ledger changed
    activities: set[int] = field(default_factory=set)
    # office ids whose review (审核) findings, explanations or month states changed
    review: set[int] = field(default_factory=set)
    # office ids whose 工作清单 (milestones, progress notes, evidence) changed
    tasks: set[int] = field(default_factory=set)
    # the 考核 scheme or a task-score adjustment changed
    assessment: bool = False
    offices: bool = False
    plan: bool = False
    settings: bool = False
    # A package was sent: only the count of unsent changes follows it.
    sent: bool = False
    # Bulk operations (demo data, package import, restore) ask every view to reload.
    everything: bool = False

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(
            values=self.values | other.values,
            targets=self.targets | other.targets,
            activities=self.activities | other.activities,
            review=self.review | other.review,
            tasks=self.tasks | other.tasks,
            assessment=self.assessment or other.assessment,
            offices=self.offices or other.offices,
            plan=self.plan or other.plan,
            settings=self.settings or other.settings,
            sent=self.sent or other.sent,
            everything=self.everything or other.everything,
        )

    def __bool__(self) -> bool:
        return bool(
            self.values or self.targets or self.activities or self.review or self.tasks or self.assessment or self.offices or self.plan
            or self.settings or self.sent or self.everything
        )
