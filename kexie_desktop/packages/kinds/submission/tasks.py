"""The 工作清单 part of a submission: the tasks the unit carries (for reference), its milestones, the year's
progress notes and their evidence files (``evidence.py``).

Identity across installations is the uid of a milestone or note (unique per office), so a re-sent
package changes nothing and a newer one updates the city's rows. As with the ledger the package is a
snapshot: milestones of the whole plan (they are few) and notes of the package's year, so a milestone or
note the city holds and the snapshot lacks is deleted. Milestones are not tied to a year, so they apply
only from the newest package of the unit (by sequence, across years): a late package of last year never
rolls back what a newer one brought; nor does it move back a note a newer package moved to another year.
A row of a task the city's plan does not know is refused; one of a task the unit no longer carries (its
carriers changed since) is kept: it is the unit's record of work done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ....errors import UserError
from ....models import Office
from ....services import tasks as rules
from ....task_models import Evidence, Milestone, PlanTask, ProgressNote
from ....validation import check_text
from ...format import codec as c
from ...format.codec import SheetSpec
from ...format.workbook import PackageSheet, typed_rows
from ...pipeline import log
from ...pipeline.results import CHANGED, DELETED, NEW, SAME, RowChange
from . import evidence
from .evidence import EVIDENCE, File
from .scope import SubmissionScope

TASKS = SheetSpec("工作清单", (c.code("task", "任务代码", 10), c.text("name", "任务名称", 40)))
MILESTONES = SheetSpec("工作节点", (
    c.code("uid", "节点编号", 34), c.code("office", "单位代码", 10), c.code("task", "任务代码", 10),
    c.text("title", "节点名称", 40), c.date("due", "计划完成日期"), c.date("done", "完成日期", optional=True),
    c.text("by", "填写人", 12),
))
PROGRESS = SheetSpec("工作进展", (
    c.code("uid", "进展编号", 34), c.code("office", "单位代码", 10), c.code("task", "任务代码", 10),
    c.date("date", "日期"), c.text("text", "进展说明", 60, wrap=True), c.text("by", "填写人", 12),
    c.count("evidence", "证据文件数", 10, number_format=None),
))
SPECS = (TASKS, MILESTONES, PROGRESS, EVIDENCE)
UID_LIMIT = 40
BY_LIMIT = 100
NOTES = [
    "“工作清单”：本单位承担的计划任务（只列代码和名称，供对照）。“工作节点”：本单位为各任务定的节点，"
    "完成日期为空表示尚未完成。“工作进展”：本年的进展记录。“节点编号”“进展编号”是唯一编号，市科协据此识别，"
    "重复上报不会重复计数。",
    "“证据”：进展所附的照片或 PDF，每个文件按 Base64 文字分成若干段，每段一行，并写明文件的大小和 SHA-256 校验值；"
    "市科协导入时拼合并核对，只接受 PNG、JPEG 图片和 PDF 文件。",
]


# --------------------------------------------------------------------------- export

def sheets(s: Session, office: Office, year: int) -> list[PackageSheet]:
    """The four sheets of ``office``'s 工作清单; refuses (before anything is written) when the year's
    evidence would not fit in one package."""
    codes = {t.id: t.code for t in rules.all_tasks(s)}
    milestones = s.scalars(
        select(Milestone).join(PlanTask, Milestone.task_id == PlanTask.id)
        .where(Milestone.office_id == office.id, Milestone.task_id.in_(codes))
        .order_by(PlanTask.sort_order, Milestone.due, Milestone.id))
    notes = list(s.scalars(
        select(ProgressNote).join(PlanTask, ProgressNote.task_id == PlanTask.id)
        .where(ProgressNote.office_id == office.id, ProgressNote.task_id.in_(codes),
               ProgressNote.date >= dt.date(year, 1, 1), ProgressNote.date <= dt.date(year, 12, 31))
        .order_by(ProgressNote.date, PlanTask.sort_order, ProgressNote.id)))
    files = [e for n in notes for e in n.evidence]
    problem = evidence.too_much(sum(e.size for e in files), len(files), year)
    if problem:
        raise UserError(problem)
    evidence_rows = [row for n in notes for number, e in enumerate(n.evidence, start=1)
                     for row in evidence.rows(n.uid, number, e.file_name, e.media_type, e.data)]
    return [
        PackageSheet(TASKS, [(t.code, t.name) for t in rules.tasks_for(s, office)]),
        PackageSheet(MILESTONES, [(m.uid, office.code, codes[m.task_id], m.title, m.due.isoformat(),
                                   m.done.isoformat() if m.done else "", m.by or "") for m in milestones]),
        PackageSheet(PROGRESS, [(n.uid, office.code, codes[n.task_id], n.date.isoformat(), n.text, n.by or "",
                                 len(n.evidence)) for n in notes]),
        PackageSheet(EVIDENCE, evidence_rows),
    ]


# --------------------------------------------------------------------------- import

class MilestoneFields(NamedTuple):
    task: str
    title: str
    due: str
    done: str
    by: str


class NoteFields(NamedTuple):
    task: str
    date: str
    text: str
    by: str
    files: tuple[tuple[str, str], ...]  # (name, sha256) of each evidence file, in order


MILESTONE_LABELS = {"task": "任务", "title": "名称", "due": "计划完成", "done": "完成", "by": "填写人"}
NOTE_LABELS = {"task": "任务", "date": "日期", "text": "内容", "by": "填写人", "files": "证据"}


@dataclass
class TaskOps:
    """What applying the part does; rows by id, new rows as column dicts."""

    milestone_inserts: list[dict] = field(default_factory=list)
    milestone_updates: list[tuple[int, dict]] = field(default_factory=list)
    milestone_deletes: list[int] = field(default_factory=list)
    note_inserts: list[tuple[dict, list[File]]] = field(default_factory=list)
    note_updates: list[tuple[int, dict, list[File] | None]] = field(default_factory=list)  # None: files stay
    note_deletes: list[int] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        return any((self.milestone_inserts, self.milestone_updates, self.milestone_deletes, self.note_inserts,
                    self.note_updates, self.note_deletes))


def classify_tasks(s: Session, ctx: SubmissionScope, rows: dict) -> TaskOps:
    """Every row checked (a refusal refuses the package); the changes added to ``ctx.changes``."""
    typed = {spec.name: typed_rows(spec, rows[spec.name], ctx.refuser(spec)) for spec in SPECS}
    files, bad_notes = _files(ctx, typed[EVIDENCE.name])
    tasks = {t.code: t for t in rules.all_tasks(s)}
    milestones = _milestone_rows(ctx, typed[MILESTONES.name], tasks)
    notes = _note_rows(ctx, typed[PROGRESS.name], tasks, files, bad_notes)
    for uid, found in files.items():
        if uid not in notes and uid not in bad_notes:
            for f in found:
                ctx.refuse(EVIDENCE, f.row, "note", f"证据文件“{f.name}”所属的进展编号“{uid}”在“{PROGRESS.name}”表中没有。")
    ops = TaskOps()
    newer = log.max_received_sequence(s, ctx.office.code)
    newer = newer if newer > ctx.sequence else 0
    codes = {t.id: code for code, t in tasks.items()}
    if newer:
        ctx.changes.append(RowChange(MILESTONES.name, None, "", SAME, "工作节点", reason=(
            f"已导入过此单位序号更大的上报包（序号 {newer}），工作节点以那个包为准，本包的节点不会覆盖它。")))
    else:
        _classify_milestones(s, ctx, ops, milestones, tasks, codes)
    _classify_notes(s, ctx, ops, notes, files, tasks, codes, newer)
    return ops


def _files(ctx: SubmissionScope, typed) -> tuple[dict[str, list[File]], set[str]]:
    """Checked evidence files by note uid, and the uids of notes with a refused file."""
    bad: set[str] = set()
    notes = {row: r[0] for row, r in typed}

    def refuse(row: int, key: str, reason: str) -> None:
        bad.add(notes[row])
        ctx.refuse(EVIDENCE, row, key, reason)

    found: dict[str, list[File]] = {}
    for f in evidence.read_files(typed, refuse):
        found.setdefault(f.note, []).append(f)
    for group in found.values():
        group.sort(key=lambda f: f.number)
    return found, bad


def _common(ctx: SubmissionScope, spec: SheetSpec, rownum: int, uid: str, office_code: str, code: str,
            tasks: dict[str, PlanTask], seen: dict[str, int]) -> bool:
    """The checks a milestone row and a note row share; False after refusing the row."""
    if office_code != ctx.office.code:
        ctx.refuse(spec, rownum, "office", f"此行属于单位 {office_code}，而此包是{ctx.office.name}的上报包。")
    elif len(uid) > UID_LIMIT:
        ctx.refuse(spec, rownum, "uid", f"编号“{uid[:50]}”太长（最多 {UID_LIMIT} 个字符）。")
    elif uid in seen:
        ctx.refuse(spec, rownum, "uid", f"编号与第 {seen[uid]} 行重复（同一条只能有一行）。")
    elif code not in tasks:
        ctx.refuse(spec, rownum, "task", f"未知的任务代码“{code}”，本机的计划中没有这个任务。")
    else:  # a task the unit no longer carries (the city changed its carriers since) still keeps its record
        seen[uid] = rownum
        return True
    return False


def _milestone_rows(ctx, typed, tasks) -> dict[str, tuple[int, MilestoneFields]]:
    seen: dict[str, int] = {}
    out = {}
    for rownum, (uid, office_code, code, title, due, done, by) in typed:
        if not _common(ctx, MILESTONES, rownum, uid, office_code, code, tasks, seen):
            continue
        try:
            title = rules.check_title(title)
        except UserError as exc:
            ctx.refuse(MILESTONES, rownum, "title", str(exc))
            continue
        try:
            by = check_text(by, "填写人", BY_LIMIT)
        except UserError as exc:
            ctx.refuse(MILESTONES, rownum, "by", str(exc))
            continue
        out[uid] = rownum, MilestoneFields(code, title, due, done, by)
    return out


def _note_rows(ctx, typed, tasks, files, bad_notes) -> dict[str, tuple[int, NoteFields]]:
    seen: dict[str, int] = {}
    out = {}
    for rownum, (uid, office_code, code, date, text, by, count) in typed:
        if not _common(ctx, PROGRESS, rownum, uid, office_code, code, tasks, seen):
            continue
        if int(date[:4]) != ctx.year:
            ctx.refuse(PROGRESS, rownum, "date", f"日期 {date} 不属于此包的年份（{ctx.year}年）。")
            continue
        try:
            text = rules.check_note_text(text)
            by = check_text(by, "填写人", BY_LIMIT)
        except UserError as exc:
            ctx.refuse(PROGRESS, rownum, "text", str(exc))
            continue
        own = files.get(uid, [])
        if uid in bad_notes:
            continue  # its refused file is named on the evidence sheet
        if len(own) != count:
            ctx.refuse(PROGRESS, rownum, "evidence", f"此条进展写有 {count} 个证据文件，“{EVIDENCE.name}”表中却有 {len(own)} 个。")
            continue
        out[uid] = rownum, NoteFields(code, date, text, by, tuple((f.name, f.sha256) for f in own))
    return out


def _milestone_text(f: MilestoneFields) -> str:
    return f"计划 {f.due} 完成，" + (f"已于 {f.done} 完成" if f.done else "未完成")


def _diff(labels: dict, old: tuple, new: tuple, show) -> tuple[str, str]:
    pairs = [(k, o, n) for k, o, n in zip(old._fields, old, new) if o != n]
    return ("；".join(f"{labels[k]} {show(k, o)}" for k, o, _ in pairs),
            "；".join(f"{labels[k]} {show(k, n)}" for k, _, n in pairs))


def _show_milestone(key: str, value: str) -> str:
    if key == "done":
        return value or "未完成"
    return value or "（空）"


def _classify_milestones(s, ctx, ops: TaskOps, rows, tasks, codes) -> None:
    existing = {m.uid: m for m in s.scalars(select(Milestone).where(Milestone.office_id == ctx.office.id))}
    for uid, (rownum, new) in rows.items():
        old_row = existing.get(uid)
        label = f"{new.task} 节点“{new.title}”"
        values = {"task_id": tasks[new.task].id, "title": new.title, "due": dt.date.fromisoformat(new.due),
                  "done": dt.date.fromisoformat(new.done) if new.done else None, "by": new.by}
        if old_row is None:
            ctx.changes.append(RowChange(MILESTONES.name, rownum, uid, NEW, label, new=_milestone_text(new)))
            ops.milestone_inserts.append({"uid": uid, "office_id": ctx.office.id, **values})
            continue
        old = _stored_milestone(old_row, codes)
        if old == new:
            ctx.changes.append(RowChange(MILESTONES.name, rownum, uid, SAME, label))
            continue
        if old._replace(done=new.done) == new and not old.done:
            old_text, new_text = "未完成", f"已完成（{new.done}）"
        else:
            old_text, new_text = _diff(MILESTONE_LABELS, old, new, _show_milestone)
        ctx.changes.append(RowChange(MILESTONES.name, rownum, uid, CHANGED, label, old_text, new_text))
        ops.milestone_updates.append((old_row.id, values))
    for uid, old_row in existing.items():
        if uid not in rows:
            old = _stored_milestone(old_row, codes)
            ctx.changes.append(RowChange(MILESTONES.name, None, uid, DELETED, f"{old.task} 节点“{old.title}”",
                                         old=_milestone_text(old)))
            ops.milestone_deletes.append(old_row.id)


def _stored_milestone(m: Milestone, codes: dict[int, str]) -> MilestoneFields:
    return MilestoneFields(codes.get(m.task_id, "?"), m.title, m.due.isoformat(),
                           m.done.isoformat() if m.done else "", m.by or "")


def _short(text: str, files: int = 0) -> str:
    shown = text if len(text) <= 40 else text[:40] + "…"
    return shown + (f"（证据 {files} 个）" if files else "")


def _show_note(key: str, value) -> str:
    if key == "files":
        return f"{len(value)} 个" + (f"（{'、'.join(name for name, _sha in value)}）" if value else "")
    if key == "text":
        return _short(value)
    return value or "（空）"


def _classify_notes(s, ctx, ops: TaskOps, rows, files, tasks, codes, newer: int) -> None:
    existing = {n.uid: n for n in s.scalars(select(ProgressNote).where(ProgressNote.office_id == ctx.office.id))}
    for uid, (rownum, new) in rows.items():
        old_row = existing.get(uid)
        label = f"{new.task} 进展 {new.date}"
        values = {"task_id": tasks[new.task].id, "date": dt.date.fromisoformat(new.date), "text": new.text,
                  "by": new.by}
        if old_row is None:
            ctx.changes.append(RowChange(PROGRESS.name, rownum, uid, NEW, label, new=_short(new.text, len(new.files))))
            ops.note_inserts.append(({"uid": uid, "office_id": ctx.office.id, **values}, files.get(uid, [])))
            continue
        old = _stored_note(old_row, codes)
        if old == new:
            ctx.changes.append(RowChange(PROGRESS.name, rownum, uid, SAME, label))
            continue
        if newer and old_row.date.year != ctx.year:
            ctx.changes.append(RowChange(PROGRESS.name, rownum, uid, SAME, label, reason=(
                f"此条进展已由序号更大的上报包（序号 {newer}）改到 {old_row.date.year} 年，旧包不会把它改回。")))
            continue
        old_text, new_text = _diff(NOTE_LABELS, old, new, _show_note)
        ctx.changes.append(RowChange(PROGRESS.name, rownum, uid, CHANGED, label, old_text, new_text))
        ops.note_updates.append((old_row.id, values, files.get(uid, []) if old.files != new.files else None))
    for uid, old_row in existing.items():
        if uid not in rows and old_row.date.year == ctx.year:
            old = _stored_note(old_row, codes)
            ctx.changes.append(RowChange(PROGRESS.name, None, uid, DELETED, f"{old.task} 进展 {old.date}",
                                         old=_short(old.text, len(old.files))))
            ops.note_deletes.append(old_row.id)


def _stored_note(n: ProgressNote, codes: dict[int, str]) -> NoteFields:
    return NoteFields(codes.get(n.task_id, "?"), n.date.isoformat(), n.text, n.by or "",
                      tuple((e.file_name, e.sha256) for e in n.evidence))


def apply_tasks(s: Session, ops: TaskOps) -> None:
    """Few rows (a unit's milestones and a year's notes): plain ORM writes."""
    if ops.milestone_deletes:
        s.execute(delete(Milestone).where(Milestone.id.in_(ops.milestone_deletes)))
    for mid, values in ops.milestone_updates:
        row = s.get(Milestone, mid)
        for k, v in values.items():
            setattr(row, k, v)
    s.add_all(Milestone(**values) for values in ops.milestone_inserts)
    gone = ops.note_deletes + [nid for nid, _values, files in ops.note_updates if files is not None]
    if gone:
        s.execute(delete(Evidence).where(Evidence.note_id.in_(gone)))
    if ops.note_deletes:
        s.execute(delete(ProgressNote).where(ProgressNote.id.in_(ops.note_deletes)))
    for nid, values, files in ops.note_updates:
        note = s.get(ProgressNote, nid)
        for k, v in values.items():
            setattr(note, k, v)
        if files is not None:
            s.expire(note, ["evidence"])
            note.evidence.extend(_evidence(f) for f in files)
    for values, files in ops.note_inserts:
        note = ProgressNote(**values)
        note.evidence.extend(_evidence(f) for f in files)
        s.add(note)
    s.flush()


def _evidence(f: File) -> Evidence:
    return Evidence(file_name=f.name, media_type=f.media_type, size=len(f.data), sha256=f.sha256, data=f.data)
