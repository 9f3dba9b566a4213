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
