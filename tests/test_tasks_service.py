"""工作清单 service and CLI: derived status (hand-computed), evidence judged by content and size, who may
write which task's milestones and notes, and the tasks / task note / milestone commands."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select

from kexie_desktop import cli
from kexie_desktop import db as dbmod
from kexie_desktop.errors import UserError
from kexie_desktop.models import Base
from kexie_desktop.services import offices
from kexie_desktop.services import tasks as svc
from kexie_desktop.task_models import Evidence, Milestone, ProgressNote

D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
UNIT = "320722"  # 东海县科协
CITY = "320700"


def run(db, *argv) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", db.target, *argv], out)
    return code, out.getvalue()


def at(db, code: str):
    with db.write() as s:
        offices.set_this_office(s, offices.resolve(s, code))
    return db


def counts(db) -> tuple[int, int, int]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Milestone, ProgressNote, Evidence))


# --------------------------------------------------------------------------- status (pure)

AS_OF = D(2019, 6, 30)


@pytest.mark.parametrize("marks, notes, expected", [
    ([], False, "未启动"),
    ([], True, "推进中"),  # a note but no milestone yet
    ([(D(2019, 7, 1), None)], False, "推进中"),  # due tomorrow
    ([(D(2019, 6, 30), None)], False, "推进中"),  # due today: still on time
    ([(D(2019, 6, 29), None)], False, "滞后"),  # due yesterday, not done
    ([(D(2019, 6, 29), D(2019, 7, 5))], False, "已完成"),  # done late is still done
    ([(D(2019, 3, 1), D(2019, 2, 1)), (D(2019, 9, 1), D(2019, 6, 30))], True, "已完成"),
    ([(D(2019, 3, 1), D(2019, 2, 1)), (D(2019, 9, 1), None)], False, "推进中"),  # one of two done
    ([(D(2019, 3, 1), D(2019, 2, 1)), (D(2019, 5, 1), None)], True, "滞后"),  # one done, one overdue
])
def test_derive_status(marks, notes, expected):
    assert svc.derive_status(marks, notes, AS_OF) == expected


# --------------------------------------------------------------------------- data in the database

def test_new_database_has_the_65_tasks_with_their_sections(db):
    with db.read() as s:
        rows = svc.all_tasks(s)
        assert len(rows) == 65
        t = svc.task(s, "t10")
        assert (t.code, t.section.code, t.name, t.carrier_value, t.due) == (
            "T10", "T1.4", "组建决策咨询专家委员会", "city", D(2020, 12, 31))
        assert [x.code for x in rows if x.section.code == "B3"] == ["T63", "T64", "T65"]
        dh = offices.resolve(s, UNIT)
        assert [x.code for x in svc.tasks_for(s, dh)] == ["T16", "T24", "T26", "T28", "T41", "T44", "T45", "T50",
                                                         "T51", "T59"]
        assert len(svc.tasks_for(s, offices.city(s))) == 65
        assert sum(svc.carries(x, offices.city(s)) for x in rows) == 60  # 55 city + 5 all


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::sqlalchemy.exc.SAWarning")
def test_migration_matches_the_task_tables(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    dbmod.upgrade(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    names = {"plan_task", "milestone", "progress_note", "evidence"}
    assert [d for d in diffs if names & set(map(str, _names(d)))] == []


def _names(diff) -> list:
    items = diff if isinstance(diff, list) else [diff]
    out = []
    for item in items:
        for part in item:
            for attr in ("name", "table"):
                value = getattr(part, attr, None)
                out.append(getattr(value, "name", value))
            if isinstance(part, str):
                out.append(part)
    return out


# --------------------------------------------------------------------------- rules

def test_a_unit_writes_milestones_and_notes_of_its_own_tasks(db):
    at(db, UNIT)
    with db.write() as s:
        dh = offices.resolve(s, UNIT)
        m, changes = svc.add_milestone(s, dh, "T26", "  印发实施方案 ", D(2019, 3, 31), user="张三")
        assert changes.tasks == {dh.id} and (m.title, m.by) == ("印发实施方案", "张三")
        svc.add_note(s, dh, "T26", D(2019, 2, 1), "召开专题会议")
        assert svc.status(s, dh, svc.task(s, "T26"), D(2019, 3, 31)) == "推进中"
        assert svc.status(s, dh, svc.task(s, "T26"), D(2019, 4, 1)) == "滞后"
        svc.complete_milestone(s, dh, "T26", m.id, D(2019, 4, 2))
        assert svc.status(s, dh, svc.task(s, "T26"), D(2019, 4, 3)) == "已完成"
        with pytest.raises(UserError, match=r"^节点 \d+“印发实施方案”已于 2019-04-02 完成，不能再次完成。$"):
            svc.complete_milestone(s, dh, "T26", m.id, D(2019, 4, 5))


@pytest.mark.parametrize("this, office, task, message", [
    (UNIT, UNIT, "T10", "任务 T10“组建决策咨询专家委员会”不由东海县科协承担，不能为它添加节点或进展。"),
    (UNIT, CITY, "T10", "本机是东海县科协，只能填写本单位的工作清单，不能填写连云港市科协的。"),
    (CITY, UNIT, "T26", "本机是连云港市科协，只能填写本单位的工作清单，不能填写东海县科协的。"),
    (CITY, CITY, "T26", "任务 T26“县区细化实施方案、分解目标任务”不由连云港市科协承担，不能为它添加节点或进展。"),
    (CITY, CITY, "T99", "没有代码为“T99”的任务。用 tasks 命令查看全部任务代码。"),
])
def test_only_the_carrier_writes_on_its_installation(db, this, office, task, message):
    at(db, this)
    with db.write() as s:
        who = offices.resolve(s, office)
        with pytest.raises(UserError) as err:
            svc.add_milestone(s, who, task, "节点", D(2019, 1, 1))
        assert str(err.value) == message
        with pytest.raises(UserError) as err:
            svc.add_note(s, who, task, D(2019, 1, 1), "进展")
        assert str(err.value) == message
    assert counts(db) == (0, 0, 0)


def test_the_city_writes_its_own_and_shared_tasks(db):
    at(db, CITY)
    with db.write() as s:
        city = offices.city(s)
        svc.add_milestone(s, city, "T10", "印发组建方案", D(2019, 6, 30))
        svc.add_milestone(s, city, "T24", "市级平台上线", D(2019, 6, 30))  # 市县: the city carries it too
    assert counts(db) == (2, 0, 0)


def test_text_limits(db):
    at(db, CITY)
    with db.write() as s:
        city = offices.city(s)
        with pytest.raises(UserError, match="^节点名称不能为空。$"):
            svc.add_milestone(s, city, "T10", "   ", D(2019, 6, 30))
        with pytest.raises(UserError, match="^节点名称有 101 个字，超过 100 个字的上限，请精简。$"):
            svc.add_milestone(s, city, "T10", "节" * 101, D(2019, 6, 30))
        svc.add_note(s, city, "T10", D(2019, 6, 30), "字" * 2000)
        with pytest.raises(UserError, match="^进展说明有 2001 个字，超过 2000 个字的上限，请精简。$"):
            svc.add_note(s, city, "T10", D(2019, 6, 30), "字" * 2001)


# --------------------------------------------------------------------------- evidence

@pytest.mark.parametrize("name, data, media_type", [
    ("会议.png", PNG, "image/png"), ("现场.jpg", JPEG, "image/jpeg"), ("文件.pdf", PDF, "application/pdf"),
    ("照片.jpeg.png", JPEG, "image/jpeg"),  # the content decides, not the name
])
def test_evidence_accepted_by_content(db, tmp_path, name, data, media_type):
    at(db, CITY)
    path = tmp_path / name
    path.write_bytes(data)
    with db.write() as s:
        note, _ = svc.add_note(s, offices.city(s), "T10", D(2019, 5, 1), "已组建", evidence=path)
        (e,) = note.evidence
        assert (e.file_name, e.media_type, e.size, e.data) == (name, media_type, len(data), data)
        import hashlib
        assert e.sha256 == hashlib.sha256(data).hexdigest()
    assert counts(db) == (0, 1, 1)


@pytest.mark.parametrize("data, what", [
    (b"PK\x03\x04" + b"\x00" * 30, "其实是ZIP 压缩包（或 Office 文档）"),
    (b"MZ\x90\x00" + b"\x00" * 30, "其实是Windows 程序"),
    ("这是一段文字，不是图片".encode("utf-8"), "不是这几种格式"),
    (b"", "是空文件"),
    (b"\x89PNG\r\n", "不是这几种格式"),  # a truncated signature
])
def test_a_png_that_is_something_else_is_refused(db, tmp_path, data, what):
    at(db, CITY)
    path = tmp_path / "照片.png"
    path.write_bytes(data)
    with db.write() as s:
        with pytest.raises(UserError) as err:
            svc.add_note(s, offices.city(s), "T10", D(2019, 5, 1), "已组建", evidence=path)
    assert str(err.value) == (f"证据文件“照片.png”不是照片（PNG、JPEG）或 PDF：按文件内容判断，它{what}。"
                              "请附 PNG、JPEG 图片或 PDF 文件。")
    assert counts(db) == (0, 0, 0)


def test_size_limit_is_5_mb(db, tmp_path):
    at(db, CITY)
    assert svc.MAX_EVIDENCE_BYTES == 5 * 1024 * 1024
    exact = tmp_path / "exact.png"
    exact.write_bytes(PNG + b"\x00" * (svc.MAX_EVIDENCE_BYTES - len(PNG)))
    over = tmp_path / "over.png"
    over.write_bytes(PNG + b"\x00" * (svc.MAX_EVIDENCE_BYTES + 1 - len(PNG)))
    with db.write() as s:
        with pytest.raises(UserError) as err:
            svc.add_note(s, offices.city(s), "T10", D(2019, 5, 1), "照片", evidence=over)
        assert str(err.value) == "证据文件“over.png”有 5.00 MB，超过 5 MB 的上限：请压缩图片或拆分 PDF 后再附。"
        with pytest.raises(UserError, match="^证据文件“大.pdf”有 5.00 MB，超过 5 MB 的上限"):
            svc.add_note(s, offices.city(s), "T10", D(2019, 5, 1), "照片", evidence=PDF + b"\x00" * svc.MAX_EVIDENCE_BYTES,
                         evidence_name="大.pdf")
    assert counts(db) == (0, 0, 0)
    with db.write() as s:
        note, _ = svc.add_note(s, offices.city(s), "T10", D(2019, 5, 1), "照片", evidence=exact)
        assert note.evidence[0].size == 5 * 1024 * 1024


def test_a_missing_evidence_file(db, tmp_path):
    at(db, CITY)
    with db.write() as s, pytest.raises(UserError, match="^找不到证据文件“.*nope.pdf”，请检查路径。$"):
        svc.add_note(s, offices.city(s), "T10", D(2019, 5, 1), "x", evidence=tmp_path / "nope.pdf")


# --------------------------------------------------------------------------- CLI

def test_cli_tasks_json_lists_every_task(db):
    code, out = run(db, "tasks", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 65
    assert rows[9] == {
        "code": "T10", "section": "T1.4", "name": "组建决策咨询专家委员会",
        "sentence": "组建决策咨询专家委员会，打造专兼职科技专家队伍", "carriers": "city", "due": "2020-12-31",
        "indicators": [],
    }
    assert rows[12]["indicators"] == ["I25", "I26"]


def test_cli_unit_milestones_note_with_evidence_and_status(db, tmp_path):
    at(db, UNIT)
    photo = tmp_path / "会场.jpg"
    photo.write_bytes(JPEG)
    assert run(db, "milestone", "add", "--office", UNIT, "--task", "T26", "--title", "印发实施方案",
               "--due", "2019-03-31") == (0, "已为东海县科协的任务 T26 添加节点 1“印发实施方案”，期限 2019-03-31。\n")
    assert run(db, "task", "note", "--office", UNIT, "--task", "t26", "--date", "2019-02-01", "--text", "召开专题会议",
               "--evidence", str(photo)) == (0, "已为东海县科协的任务 T26 记录 2019-02-01 的进展，附证据：会场.jpg。\n")
    code, out = run(db, "tasks", "--office", UNIT, "--json", "--as-of", "2019-04-01")
    row = next(r for r in json.loads(out) if r["code"] == "T26")
    assert row["status"] == "滞后"
    assert row["milestones"] == [{"id": 1, "title": "印发实施方案", "due": "2019-03-31", "done": None}]
    assert row["notes"][0]["evidence"][0]["type"] == "image/jpeg"
    assert run(db, "milestone", "done", "--office", UNIT, "--task", "T26", "--milestone", "1",
               "--date", "2019-04-02") == (0, "已把东海县科协任务 T26 的节点 1 标为 2019-04-02 完成。\n")
    code, out = run(db, "tasks", "--office", UNIT, "--as-of", "2019-04-03")
    assert "T26\tT2.3\t县区细化实施方案、分解目标任务\t各县区科协\t2020-12-31\t已完成\n" in out
    assert "\t节点 1\t印发实施方案\t期限 2019-03-31\t完成于 2019-04-02\n" in out
    assert out.endswith("共 10 项任务。\n")


def test_cli_city_sees_each_units_status(db):
    at(db, UNIT)
    run(db, "task", "note", "--office", UNIT, "--task", "T26", "--date", "2019-02-01", "--text", "召开专题会议")
    at(db, CITY)
    code, out = run(db, "tasks", "--office", CITY, "--json", "--as-of", "2019-04-01")
    row = next(r for r in json.loads(out) if r["code"] == "T26")
    assert row["status"] is None and row["milestones"] == []  # the city does not carry it
    assert row["units"][UNIT] == "推进中" and row["units"]["320703"] == "未启动" and len(row["units"]) == 10


@pytest.mark.parametrize("argv, message", [
    (["task", "note", "--office", UNIT, "--task", "T26", "--date", "2019-02-01", "--text", "x", "--evidence", "EVIL"],
     "错误：证据文件“evil.png”不是照片（PNG、JPEG）或 PDF：按文件内容判断，它其实是Windows 程序。请附 PNG、JPEG 图片或 PDF 文件。\n"),
    (["milestone", "add", "--office", UNIT, "--task", "T10", "--title", "x", "--due", "2019-01-01"],
     "错误：任务 T10“组建决策咨询专家委员会”不由东海县科协承担，不能为它添加节点或进展。\n"),
    (["milestone", "add", "--office", UNIT, "--task", "T26", "--title", "x", "--due", "2019-02-30"],
     "错误：日期“2019-02-30”不存在，请检查月份和日。\n"),
    (["milestone", "done", "--office", UNIT, "--task", "T26", "--milestone", "7", "--date", "2019-01-01"],
     "错误：任务 T26 下没有东海县科协编号为 7 的节点。用 tasks --office 查看节点编号。\n"),
    (["milestone", "done", "--office", UNIT, "--task", "T26", "--milestone", "1.5", "--date", "2019-01-01"],
     "错误：节点编号“1.5”不是正整数。用 tasks --office 查看节点编号。\n"),
])
def test_cli_refusals_exit_2_and_change_nothing(db, tmp_path, capsys, argv, message):
    at(db, UNIT)
    evil = tmp_path / "evil.png"
    evil.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    argv = [str(evil) if a == "EVIL" else a for a in argv]
    capsys.readouterr()
    assert run(db, *argv) == (2, "")
    assert capsys.readouterr().err == message
    assert counts(db) == (0, 0, 0)


@pytest.mark.sqlite_only(reason="upgrades a SQLite file in place (tests/test_server_db.py runs 0009's backfill on PostgreSQL)")
def test_upgrading_an_0008_database_backfills_the_tasks_and_the_safeguard_sections(db_path):
    from alembic import command

    from kexie_desktop.models import Section
    from kexie_desktop.startup import open_app_database

    open_app_database(db_path).close()
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        command.downgrade(dbmod._alembic_config(conn), "0008")
        conn.exec_driver_sql("DELETE FROM section WHERE code LIKE 'B%'")  # as a database made before 0009
    engine.dispose()
    upgraded = open_app_database(db_path)
    try:
        with upgraded.read() as s:
            rows = svc.all_tasks(s)
            assert [t.code for t in rows] == [f"T{n:02d}" for n in range(1, 66)]
            assert (rows[-1].section.code, rows[-1].section.parent.code) == ("B3", "B")
            assert rows[43].due == D(2020, 12, 31) and rows[12].indicator_codes == ["I25", "I26"]
            codes = s.scalars(select(Section.code).order_by(Section.sort_order)).all()
            assert codes[-4:] == ["B", "B1", "B2", "B3"] and len(codes) == len(set(codes)) == 32
    finally:
        upgraded.close()
