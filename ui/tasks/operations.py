"""工作清单 in the operations layer: plain rows for the page, and adding milestones, completing them and
recording progress notes through ``kexie_desktop.services.tasks``.

Each function opens one read or write transaction; a mutation notifies the bus only after its
transaction has committed, so the page shows success only for what is saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kexie_desktop.services import offices, plan, settings, task_board
from kexie_desktop.services import tasks as core

from ..context import AppContext

CARRIER_LABELS = {"city": "市科协", "units": "各县区科协", "all": "市科协及各县区科协"}


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class TaskSetup:
    """What the page needs once: this office, and at the city the units and sections to filter by."""

    office_code: str
    office_name: str
    is_city: bool
    offices: tuple[Choice, ...]  # the offices whose rows the page may show (the city first)
    sections: tuple[Choice, ...]


@dataclass(frozen=True)
class MilestoneRow:
    id: int
    title: str
    due: dt.date
    done: dt.date | None
    version: int | None = None  # as read: completing it checks it (another PC's change meanwhile: StaleEdit)


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    file_name: str
    media_type: str
    size: int


@dataclass(frozen=True)
class NoteRow:
    id: int
    date: dt.date
    text: str
    by: str
    evidence: tuple[EvidenceRow, ...]


@dataclass(frozen=True)
class TaskRow:
    """One task as one carrying office works on it."""

    task_code: str
    section_code: str
    section_name: str
    name: str
    sentence: str
    carriers: str  # who carries the task, in words
    indicators: tuple[str, ...]
    due: dt.date
    office_code: str
    office_name: str
    office_short: str
    status: str
    milestones: tuple[MilestoneRow, ...]
    notes: tuple[NoteRow, ...]
    editable: bool  # this installation's own office

    @property
    def key(self) -> tuple[str, str]:
        return self.task_code, self.office_code

    @property
    def next_milestone(self) -> MilestoneRow | None:
        return next((m for m in self.milestones if m.done is None), None)

    @property
    def done_count(self) -> int:
        return sum(m.done is not None for m in self.milestones)


@dataclass(frozen=True)
class EvidenceFile:
    file_name: str
    media_type: str
    data: bytes


def load_setup(ctx: AppContext, year: int | None = None) -> TaskSetup:
    """``year``: of an earlier plan, that plan's tasks (read-only)."""
    with ctx.db.read() as s:
        if year is not None:
            plan.show_year(s, year)
        mine = offices.this_office(s) or offices.city(s)
        who = [mine] + ([u for u in offices.units(s) if u.active] if mine.is_city else [])
        seen: dict[str, str] = {}
        for t in core.tasks_for(s, mine):
            seen.setdefault(t.section.code, t.section.name)
        return TaskSetup(mine.code, mine.name, mine.is_city, tuple(Choice(o.code, o.short_name) for o in who),
                         tuple(Choice(c, n) for c, n in seen.items()))


def load_rows(ctx: AppContext, as_of: dt.date, year: int | None = None) -> list[TaskRow]:
    """This office's tasks (the city: also every unit's), overdue first; ``year`` as for ``load_setup``."""
    with ctx.db.read() as s:
        ended = year is not None and plan.read_only_line(s, plan.show_year(s, year)) is not None
        mine = offices.this_office(s) or offices.city(s)
        return [_row(e, e.office.id == mine.id and not ended) for e in task_board.board(s, mine, as_of)]


def _row(e: task_board.Entry, editable: bool) -> TaskRow:
    t = e.task
    value = t.carrier_value
    carriers = "、".join(value) if isinstance(value, list) else CARRIER_LABELS.get(value, value)
    return TaskRow(
        t.code, t.section.code, t.section.name, t.name, t.sentence, carriers, tuple(t.indicator_codes), t.due,
        e.office.code, e.office.name, e.office.short_name, e.status,
        tuple(MilestoneRow(m.id, m.title, m.due, m.done, m.version) for m in e.milestones),
        tuple(NoteRow(n.id, n.date, n.text, n.by, tuple(EvidenceRow(f.id, f.file_name, f.media_type, f.size)
                                                          for f in n.evidence)) for n in e.notes),
        editable,
    )


def load_evidence(ctx: AppContext, evidence_id: int) -> EvidenceFile:
    with ctx.db.read() as s:
        row = task_board.evidence_file(s, evidence_id)
        return EvidenceFile(row.file_name, row.media_type, bytes(row.data))


def _user(s) -> str:
    return settings.audit_user(s, "")


def add_milestone(ctx: AppContext, office_code: str, task_code: str, title: str, due: dt.date) -> int:
    with ctx.db.write() as s:
        office = offices.resolve(s, office_code)
        row, changes = core.add_milestone(s, office, task_code, title, due, user=_user(s))
        number = row.id
    ctx.notify(changes)
    return number


def complete_milestone(ctx: AppContext, office_code: str, task_code: str, milestone_id: int, done: dt.date,
                       seen_version: int | None = None) -> None:
    """``seen_version`` (``MilestoneRow.version``): refused as StaleEdit when another PC changed it since."""
    with ctx.db.write() as s:
        office = offices.resolve(s, office_code)
        changes = core.complete_milestone(s, office, task_code, milestone_id, done, user=_user(s),
                                          seen_version=seen_version)
    ctx.notify(changes)


def add_note(ctx: AppContext, office_code: str, task_code: str, date: dt.date, text: str,
             files: list[str | Path]) -> int:
    """The note and its evidence files in one transaction (one refused file: nothing written)."""
    with ctx.db.write() as s:
        office = offices.resolve(s, office_code)
        note, changes = core.add_note(s, office, task_code, date, text, evidence=list(files) or None, user=_user(s))
        count = len(note.evidence)
    ctx.notify(changes)
    return count


def save_copy(evidence: EvidenceFile, path: str | Path) -> None:
    """另存为: the stored bytes written to a file the user chose (under a temporary name, then renamed)."""
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(evidence.data)
    partial.replace(target)


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.2f} MB"

