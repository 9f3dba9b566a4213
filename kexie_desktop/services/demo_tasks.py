"""The demo's 工作清单: a few milestones and progress notes per office, so the page is not empty.

Deterministic (a fixed pattern, no random numbers: the demo's other figures keep their sequence). Every
row is labelled: ``by`` is "演示数据" and titles and texts begin with "演示数据：". The photos are small
generated PNGs (a stripe pattern), written here without any imaging library.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import zlib

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Office
from ..task_models import Evidence, Milestone, ProgressNote
from .tasks import all_tasks, carries

DEMO_NOTE = "演示数据"
TASKS_PER_OFFICE = {"city": 12, "unit": 10}  # at most, of the tasks each carries in plan order
D = dt.date


def demo_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG: stripes of ``rgb`` on white."""
    rows = b"".join(b"\x00" + b"".join(bytes(rgb) if (x // 16 + y // 16) % 2 else b"\xff\xff\xff"
                                       for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# What happens to the k-th task an office carries (k + the office's position, modulo the pattern):
# done: two milestones done; late: the second milestone not done (滞后 once it is due); notes: a note
# without milestones (推进中); rest: nothing (未启动).
PATTERN = ("done", "late", "notes", "rest", "rest")


def fill_tasks(s: Session, city: Office, units: list[Office]) -> dict[str, int]:
    counts = {"milestones": 0, "notes": 0}
    tasks = all_tasks(s)
    for position, office in enumerate([city, *units]):
        limit = TASKS_PER_OFFICE["city" if office.is_city else "unit"]
        carried = [t for t in tasks if carries(t, office)][:limit]
        for k, t in enumerate(carried):
            kind = PATTERN[(k + position) % len(PATTERN)]
            if kind == "rest":
                continue
            if kind in ("done", "late"):
                s.add(Milestone(task_id=t.id, office_id=office.id, title="演示数据：制定工作方案",
                                due=D(2019, 6, 30), done=D(2019, 6, 20), by=DEMO_NOTE))
                s.add(Milestone(task_id=t.id, office_id=office.id, title="演示数据：组织实施并总结",
                                due=D(2020, 10, 31), done=D(2020, 10, 26) if kind == "done" else None, by=DEMO_NOTE))
                counts["milestones"] += 2
            note = ProgressNote(task_id=t.id, office_id=office.id, date=D(2019, 6, 20) if kind != "notes" else D(2020, 4, 15),
                                text=f"演示数据：{office.short_name}召开专题会议，部署“{t.name}”", by=DEMO_NOTE)
            if kind == "done":
                data = demo_png(240, 160, (46, 125, 189) if position % 2 else (0, 158, 115))
                note.evidence.append(Evidence(file_name="演示照片.png", media_type="image/png", size=len(data),
                                              sha256=hashlib.sha256(data).hexdigest(), data=data))
            s.add(note)
            counts["notes"] += 1
    s.flush()
    return counts


def clear_tasks(s: Session) -> dict[str, int]:
    """Delete the demo's milestones, notes and their evidence (rows entered for real stay)."""
    notes = select(ProgressNote.id).where(ProgressNote.by == DEMO_NOTE)
    s.execute(delete(Evidence).where(Evidence.note_id.in_(notes)))
    removed_notes = s.execute(delete(ProgressNote).where(ProgressNote.by == DEMO_NOTE)).rowcount
    removed = s.execute(delete(Milestone).where(Milestone.by == DEMO_NOTE)).rowcount
    return {"milestones": removed, "notes": removed_notes}
