"""工作清单: the plan's qualitative tasks, who carries them, their milestones, progress notes and evidence.

Rules live here (the GUI and the CLI only call them): an office edits only the tasks it carries, and only
on its own installation; an evidence file must be a PNG, JPEG or PDF by its content and at most
``MAX_EVIDENCE_BYTES``; it is stored as bytes and never opened or run. Status is derived, never typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..changes import Changes
from ..errors import UserError
from ..models import Office
from ..task_models import Evidence, Milestone, PlanTask, ProgressNote
from . import audit, offices
from .plan import current_plan

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_TITLE_CHARS = 100
MAX_NOTE_CHARS = 2000
STATUSES = ("未启动", "推进中", "已完成", "滞后")
# Content signatures (magic bytes) of the accepted evidence types.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
)
# What a refused file is, for the message (so the user knows why, e.g. a renamed archive).
KNOWN_OTHERS = (
    (b"PK\x03\x04", "ZIP 压缩包（或 Office 文档）"),
    (b"MZ", "Windows 程序"),
    (b"\x7fELF", "可执行程序"),
    (b"Rar!", "RAR 压缩包"),
    (b"GIF8", "GIF 图片"),
)


# --------------------------------------------------------------------------- who carries what

def carries(task: PlanTask, office: Office) -> bool:
    """Whether ``office`` carries ``task``: the city its "city" and "all" tasks, a unit its "units" and
    "all" tasks and those that name its code."""
    value = task.carrier_value
    if isinstance(value, list):
        return office.code in value
    if office.kind == "city":
        return value in ("city", "all")
    return value in ("units", "all")


def carrier_offices(s: Session, task: PlanTask) -> list[Office]:
    return [o for o in offices.all_offices(s) if o.active and carries(task, o)]


def all_tasks(s: Session) -> list[PlanTask]:
    plan = current_plan(s)
    return list(s.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id).order_by(PlanTask.sort_order)))


def tasks_for(s: Session, office: Office) -> list[PlanTask]:
    """The city sees every task; a unit those it carries."""
    rows = all_tasks(s)
    return rows if office.kind == "city" else [t for t in rows if carries(t, office)]


def task(s: Session, code: str) -> PlanTask:
    key = (code or "").strip().upper()
    plan = current_plan(s)
    found = s.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id, PlanTask.code == key)).first()
    if found is None:
        raise UserError(f"没有代码为“{key}”的任务。用 tasks 命令查看全部任务代码。")
    return found


def require_carrier(s: Session, office: Office, t: PlanTask) -> None:
    """Milestones and notes are written where the work is done: this installation's own office, and
    only for a task that office carries."""
    this = offices.this_office(s)
    if this is None:
        raise UserError("本机还没有设定所属单位，不能填写工作清单。请先设定本机单位，或导入市科协发来的初始化包。")
    if this.id != office.id:
        raise UserError(f"本机是{this.name}，只能填写本单位的工作清单，不能填写{office.name}的。")
    if not carries(t, office):
        raise UserError(f"任务 {t.code}“{t.name}”不由{office.name}承担，不能为它添加节点或进展。")


# --------------------------------------------------------------------------- milestones and notes

def milestones(s: Session, office: Office, t: PlanTask) -> list[Milestone]:
    return list(s.scalars(select(Milestone).where(Milestone.task_id == t.id, Milestone.office_id == office.id)
                          .order_by(Milestone.due, Milestone.id)))


def notes(s: Session, office: Office, t: PlanTask) -> list[ProgressNote]:
    return list(s.scalars(select(ProgressNote).where(ProgressNote.task_id == t.id, ProgressNote.office_id == office.id)
                          .order_by(ProgressNote.date, ProgressNote.id)))


def _text(value: str, what: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise UserError(f"{what}不能为空。")
    if len(text) > limit:
        raise UserError(f"{what}有 {len(text)} 个字，超过 {limit} 个字的上限，请精简。")
    return text


def check_title(title: str) -> str:
    """A milestone's title as stored (also what a submission import accepts)."""
    return _text(title, "节点名称", MAX_TITLE_CHARS)


def check_note_text(text: str) -> str:
    """A progress note's text as stored (also what a submission import accepts)."""
    return _text(text, "进展说明", MAX_NOTE_CHARS)


def add_milestone(s: Session, office: Office, code: str, title: str, due: dt.date, *, user: str = "") -> tuple[Milestone, Changes]:
    t = task(s, code)
    require_carrier(s, office, t)
    row = Milestone(task_id=t.id, office_id=office.id, title=check_title(title), due=due, by=user)
    s.add(row)
    s.flush()
    return row, Changes(tasks={office.id})


def complete_milestone(s: Session, office: Office, code: str, milestone_id: int, done: dt.date, *,
                       user: str = "", seen_version: int | None = None) -> Changes:
    """Mark a milestone done on ``done``. ``seen_version``: the milestone's version the view read; another
    PC's change since raises ``StaleEdit`` (issue 18). The audit log keeps who completed it."""
    t = task(s, code)
    require_carrier(s, office, t)
    row = s.get(Milestone, milestone_id)
    if row is None or row.task_id != t.id or row.office_id != office.id:
        raise UserError(f"任务 {t.code} 下没有{office.name}编号为 {milestone_id} 的节点。用 tasks --office 查看节点编号。")
    audit.check_version(s, "milestone", row.uid, row.version, seen_version)
    if row.done is not None:
        raise UserError(f"节点 {milestone_id}“{row.title}”已于 {row.done.isoformat()} 完成，不能再次完成。")
    row.done = done
    audit.record(s, "milestone", row.uid, office.id, {"done": None}, {"done": done.isoformat()}, user=user)
    s.flush()
    return Changes(tasks={office.id})


def add_note(s: Session, office: Office, code: str, date: dt.date, text: str, *,
             evidence: str | Path | bytes | list | tuple | None = None, evidence_name: str = "",
             user: str = "") -> tuple[ProgressNote, Changes]:
    """A progress note, with evidence files (a path, bytes named ``evidence_name``, or a list of paths)
    checked first: one refused file leaves nothing written."""
    t = task(s, code)
    require_carrier(s, office, t)
    body = check_note_text(text)
    sources = [] if evidence is None else list(evidence) if isinstance(evidence, (list, tuple)) else [evidence]
    files = [read_evidence(source, evidence_name) for source in sources]
    note = ProgressNote(task_id=t.id, office_id=office.id, date=date, text=body, by=user)
    s.add(note)
    for name, media_type, data in files:
        note.evidence.append(Evidence(file_name=name, media_type=media_type, size=len(data),
                                      sha256=hashlib.sha256(data).hexdigest(), data=data))
    s.flush()
    return note, Changes(tasks={office.id})


# --------------------------------------------------------------------------- evidence files

def read_evidence(source: str | Path | bytes, name: str = "") -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of an acceptable evidence file, or a UserError saying what is wrong.
    A path is only read as bytes (its size checked before reading); nothing is opened or executed."""
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), name or "证据文件"
        if len(data) > MAX_EVIDENCE_BYTES:
            raise UserError(_too_large(name, len(data)))
    else:
        path = Path(source)
        name = name or path.name
        if not path.is_file():
            raise UserError(f"找不到证据文件“{path}”，请检查路径。")
        size = path.stat().st_size
        if size > MAX_EVIDENCE_BYTES:
            raise UserError(_too_large(name, size))
        data = path.read_bytes()
        if len(data) > MAX_EVIDENCE_BYTES:  # grew while we looked
            raise UserError(_too_large(name, len(data)))
    return name, media_type_of(data, name), data


def media_type_of(data: bytes, name: str) -> str:
    for magic, media_type in SIGNATURES:
        if data.startswith(magic):
            return media_type
    if not data:
        what = "是空文件"
    else:
        what = next((f"其实是{label}" for magic, label in KNOWN_OTHERS if data.startswith(magic)), "不是这几种格式")
    raise UserError(f"证据文件“{name}”不是照片（PNG、JPEG）或 PDF：按文件内容判断，它{what}。请附 PNG、JPEG 图片或 PDF 文件。")


def _too_large(name: str, size: int) -> str:
    mb = MAX_EVIDENCE_BYTES // (1024 * 1024)
    return f"证据文件“{name}”有 {size / 1024 / 1024:.2f} MB，超过 {mb} MB 的上限：请压缩图片或拆分 PDF 后再附。"


# --------------------------------------------------------------------------- status

def derive_status(marks: Iterable[tuple[dt.date, dt.date | None]], has_notes: bool, as_of: dt.date) -> str:
    """未启动 / 推进中 / 已完成 / 滞后 from (due, done) of an office's milestones of one task.

    滞后: a milestone not done whose due day has passed (the due day itself is still on time).
    已完成: at least one milestone and every one done. 未启动: no milestone and no note."""
    marks = list(marks)
    if any(done is None and due < as_of for due, done in marks):
        return "滞后"
    if marks and all(done is not None for _due, done in marks):
        return "已完成"
    if marks or has_notes:
        return "推进中"
    return "未启动"


def status(s: Session, office: Office, t: PlanTask, as_of: dt.date) -> str:
    marks = [(m.due, m.done) for m in milestones(s, office, t)]
    return derive_status(marks, bool(notes(s, office, t)), as_of)


@dataclass
class TaskView:
    """One task as an office sees it (what the CLI prints and the page will show)."""

    task: PlanTask
    status: str | None  # None: the office does not carry it
    milestones: list[Milestone]
    notes: list[ProgressNote]
    units: dict[str, str]  # at the city: each carrying unit's status

    def to_json(self) -> dict:
        t = self.task
        row = {"code": t.code, "section": t.section.code, "name": t.name, "sentence": t.sentence,
               "carriers": t.carrier_value, "due": t.due.isoformat(), "indicators": t.indicator_codes}
        if self.status is not None or self.units:
            row["status"] = self.status
            row["milestones"] = [
                {"id": m.id, "title": m.title, "due": m.due.isoformat(), "done": m.done.isoformat() if m.done else None}
                for m in self.milestones
            ]
            row["notes"] = [
                {"id": n.id, "date": n.date.isoformat(), "text": n.text,
                 "evidence": [{"file": e.file_name, "type": e.media_type, "size": e.size, "sha256": e.sha256}
                              for e in n.evidence]}
                for n in self.notes
            ]
        if self.units:
            row["units"] = self.units
        return row


def views(s: Session, office: Office | None, as_of: dt.date) -> list[TaskView]:
    """Every task (no office), or the office's tasks with its status; at the city also each unit's."""
    if office is None:
        return [TaskView(t, None, [], [], {}) for t in all_tasks(s)]
    units = offices.units(s) if office.kind == "city" else []
    out = []
    for t in tasks_for(s, office):
        own = carries(t, office)
        per_unit = {u.code: status(s, u, t, as_of) for u in units if u.active and carries(t, u)}
        out.append(TaskView(t, status(s, office, t, as_of) if own else None,
                            milestones(s, office, t) if own else [], notes(s, office, t) if own else [], per_unit))
    return out
