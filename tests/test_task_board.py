"""The 工作清单 board (services/task_board.py): every (task, carrying office) with its derived status,
overdue first; and a note with several evidence files, all checked before anything is written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kexie_desktop.errors import UserError
from kexie_desktop.services import offices, task_board
from kexie_desktop.services import tasks as svc
from kexie_desktop.task_models import Evidence, Milestone, ProgressNote

D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
PDF = b"%PDF-1.4\n"


def test_board_at_a_unit_and_at_the_city(db):
    with db.write() as s:
        dh, city = offices.resolve(s, "320722"), offices.city(s)
        offices.set_this_office(s, dh)
        svc.add_milestone(s, dh, "T44", "印发方案", D(2019, 3, 31))
        svc.add_note(s, dh, "T26", D(2019, 2, 1), "召开专题会议")
        rows = task_board.board(s, dh, D(2019, 4, 1))
        assert [(e.task.code, e.status) for e in rows][:3] == [("T44", "滞后"), ("T16", "未启动"), ("T24", "未启动")]
        assert len(rows) == 10 and {e.office.code for e in rows} == {"320722"}
        assert next(e for e in rows if e.task.code == "T26").status == "推进中"
        at_city = task_board.board(s, city, D(2019, 4, 1))
        # 60 tasks the city carries, and 10 for each of the ten units
        assert len(at_city) == 160
        assert (at_city[0].task.code, at_city[0].office.short_name, at_city[0].status) == ("T44", "东海县", "滞后")
        assert [e.office.short_name for e in at_city if e.task.code == "T16"][:2] == ["连云区", "海州区"]  # units only
        t24 = [e.office.short_name for e in at_city if e.task.code == "T24"]  # the city and every unit
        assert t24[:2] == ["市科协", "连云区"] and len(t24) == 11


def test_a_note_with_two_files_and_one_refused_writes_nothing(db, tmp_path):
    ok, bad = tmp_path / "照片.png", tmp_path / "说明.docx"
    ok.write_bytes(PNG)
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 10)
    pdf = tmp_path / "纪要.pdf"
    pdf.write_bytes(PDF)
    with db.write() as s:
        dh = offices.resolve(s, "320722")
        offices.set_this_office(s, dh)
    with pytest.raises(UserError, match="其实是ZIP 压缩包"), db.write() as s:
        svc.add_note(s, offices.resolve(s, "320722"), "T26", D(2019, 2, 1), "会议", evidence=[ok, bad])
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ProgressNote)) == 0
    with db.write() as s:
        note, _ = svc.add_note(s, offices.resolve(s, "320722"), "T26", D(2019, 2, 1), "会议", evidence=[ok, pdf])
        assert [(e.file_name, e.media_type, e.size) for e in note.evidence] == [
            ("照片.png", "image/png", 28), ("纪要.pdf", "application/pdf", 9)]
        assert task_board.evidence_file(s, note.evidence[1].id).data == PDF
        with pytest.raises(UserError, match="没有编号为 999 的证据文件"):
            task_board.evidence_file(s, 999)
        assert s.scalar(select(func.count()).select_from(Milestone)) == 0
        assert s.scalar(select(func.count()).select_from(Evidence)) == 2


def test_the_demo_has_labelled_milestones_and_notes_and_clearing_removes_them(demo_db):
    from kexie_desktop.services import demo
    from kexie_desktop.services.demo_tasks import demo_png

    with demo_db.read() as s:
        city = offices.city(s)
        rows = task_board.board(s, city, D(2026, 1, 1))
        states = {}
        for e in rows:
            states[e.status] = states.get(e.status, 0) + 1
        # the pattern done, late, notes, rest, rest over the k-th task, shifted by the office's position:
        # the city (position 0) its first 12 tasks: done 3, late 3, notes 2; each unit (1-10) its 10 tasks:
        # every residue twice, so done 2, late 2, notes 2. Late: the second milestone (2020-10-31) not done.
        assert states == {"已完成": 3 + 20, "滞后": 3 + 20, "推进中": 2 + 20, "未启动": 160 - 68}
        assert s.scalar(select(func.count()).select_from(Milestone)) == 2 * (23 + 23)
        assert s.scalar(select(func.count()).select_from(ProgressNote)) == 23 + 23 + 22
        assert s.scalar(select(func.count()).select_from(Evidence)) == 23  # a photo with each done task's note
        assert all(m.title.startswith("演示数据：") and m.by == "演示数据" for m in s.scalars(select(Milestone)))
        first = next(e for e in rows if e.status == "已完成")
        assert (first.task.code, first.office.short_name) == ("T01", "市科协")
        assert first.notes[0].evidence[0].file_name == "演示照片.png"
    with demo_db.write() as s:
        dh = offices.resolve(s, "320722")
        offices.set_this_office(s, dh)
        real, _ = svc.add_milestone(s, dh, "T16", "实际节点", D(2020, 3, 1))
        counts, _ = demo.clear_demo(s)
        assert (counts["milestones"], counts["notes"]) == (92, 68)
    with demo_db.read() as s:
        assert [m.title for m in s.scalars(select(Milestone))] == ["实际节点"]
        assert s.scalar(select(func.count()).select_from(Evidence)) == 0
    png = demo_png(4, 2, (1, 2, 3))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and svc.media_type_of(png, "x.png") == "image/png"
