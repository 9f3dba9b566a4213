"""工作清单 in packages: a unit's milestones, progress notes and evidence travel to the city in the submission
(exact rows, idempotent re-import, a newer package updating, an older one never rolling back); hostile
evidence refuses the whole package; plan packages carry the task list down to a unit."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import struct
import zlib

import pytest
from sqlalchemy import select, text

from hostile.helpers import Pair, dump, init_unit, make_city, resign, unit_key
from kexie_desktop import packages
from kexie_desktop.errors import UserError
from kexie_desktop.packages.format import safety
from kexie_desktop.packages.kinds.submission import evidence as ev
from kexie_desktop.services import offices
from kexie_desktop.services import tasks as svc
from kexie_desktop.startup import open_app_database
from kexie_desktop.task_models import Evidence, Milestone, PlanTask, ProgressNote

D = dt.date
UNIT = "320722"  # 东海县科协: carries T16, T24, T26, …


def png(width: int = 2, height: int = 1) -> bytes:
    """A real PNG (8-bit grey), made by hand."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + bytes(range(width)) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PHOTO = png()


@pytest.fixture
def pair(tmp_path):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    yield Pair(city, unit, UNIT, tmp_path)
    unit.close()
    city.close()


def _work(pair: Pair) -> dict[str, str]:
    """The unit's hand-made 工作清单: 2 milestones (one done), 2 notes (one with a photo); their uids."""
    with pair.unit.write() as s:
        me = offices.resolve(s, UNIT)
        m1, _ = svc.add_milestone(s, me, "T16", "制定科普示范县创建方案", D(2019, 6, 30), user="张三")
        m2, _ = svc.add_milestone(s, me, "T24", "召开学会工作推进会", D(2019, 9, 30), user="张三")
        svc.complete_milestone(s, me, "T16", m1.id, D(2019, 6, 20))
        n1, _ = svc.add_note(s, me, "T16", D(2019, 5, 10), "召开专题会议部署创建工作", evidence=PHOTO,
                             evidence_name="会议.png", user="李四")
        n2, _ = svc.add_note(s, me, "T24", D(2019, 8, 1), "走访三家学会了解需求", user="李四")
        return {"m1": m1.uid, "m2": m2.uid, "n1": n1.uid, "n2": n2.uid}


def _preview(db, path):
    with db.read() as s:
        return packages.preview(s, path)


def _task_changes(preview) -> list[tuple]:
    return [(c.sheet, c.row, c.key, c.action, c.label, c.old, c.new) for c in preview.changes
            if c.sheet in ("工作节点", "工作进展", "证据", "工作清单")]


def _city_rows(db) -> tuple[list, list, list]:
    with db.read() as s:
        codes = {t.id: t.code for t in svc.all_tasks(s)}
        ms = sorted((m.uid, m.office_id, codes[m.task_id], m.title, m.due, m.done, m.by)
                    for m in s.scalars(select(Milestone)))
        ns = sorted((n.uid, codes[n.task_id], n.date, n.text, n.by) for n in s.scalars(select(ProgressNote)))
        es = sorted((e.note.uid, e.file_name, e.media_type, e.size, e.sha256, e.data) for e in s.scalars(select(Evidence)))
    return ms, ns, es


def _office_id(db, code=UNIT) -> int:
    with db.read() as s:
        return offices.resolve(s, code).id


def test_round_trip_milestones_notes_and_a_photo_arrive_exactly(pair):
    uids = _work(pair)
    pair.export(2019)
    preview = _preview(pair.city, pair.tmp / "sub.xlsx")
    assert preview.status == "ready", preview.message
    assert _task_changes(preview) == [
        ("工作节点", 2, uids["m1"], "新增", "T16 节点“制定科普示范县创建方案”", "", "计划 2019-06-30 完成，已于 2019-06-20 完成"),
        ("工作节点", 3, uids["m2"], "新增", "T24 节点“召开学会工作推进会”", "", "计划 2019-09-30 完成，未完成"),
        ("工作进展", 2, uids["n1"], "新增", "T16 进展 2019-05-10", "", "召开专题会议部署创建工作（证据 1 个）"),
        ("工作进展", 3, uids["n2"], "新增", "T24 进展 2019-08-01", "", "走访三家学会了解需求"),
    ]
    texts = [c.text() for c in preview.changes if c.sheet == "工作进展"]
    assert texts[0] == "新增  工作进展 第 2 行  T16 进展 2019-05-10：召开专题会议部署创建工作（证据 1 个）"
    result = packages.apply(pair.city, pair.tmp / "sub.xlsx")
    assert result.outcome == "applied", result.message
    assert result.changes.tasks == {_office_id(pair.city)}
    ms, ns, es = _city_rows(pair.city)
    oid = _office_id(pair.city)
    assert ms == sorted([
        (uids["m1"], oid, "T16", "制定科普示范县创建方案", D(2019, 6, 30), D(2019, 6, 20), "张三"),
        (uids["m2"], oid, "T24", "召开学会工作推进会", D(2019, 9, 30), None, "张三"),
    ])
    assert ns == sorted([(uids["n1"], "T16", D(2019, 5, 10), "召开专题会议部署创建工作", "李四"),
                         (uids["n2"], "T24", D(2019, 8, 1), "走访三家学会了解需求", "李四")])
    assert es == [(uids["n1"], "会议.png", "image/png", len(PHOTO), hashlib.sha256(PHOTO).hexdigest(), PHOTO)]
    with pair.city.read() as s:
        unit, city = offices.resolve(s, UNIT), offices.city(s)
        views = {v.task.code: v.to_json() for v in svc.views(s, unit, D(2019, 7, 1))}
        per_unit = {v.task.code: v.units.get(UNIT) for v in svc.views(s, city, D(2019, 7, 1))}
    t16, t24 = views["T16"], views["T24"]
    assert (t16["status"], [(m["title"], m["due"], m["done"]) for m in t16["milestones"]]) == (
        "已完成", [("制定科普示范县创建方案", "2019-06-30", "2019-06-20")])
    assert [(n["date"], n["text"], n["evidence"]) for n in t16["notes"]] == [
        ("2019-05-10", "召开专题会议部署创建工作",
         [{"file": "会议.png", "type": "image/png", "size": len(PHOTO), "sha256": hashlib.sha256(PHOTO).hexdigest()}])]
    assert (t24["status"], len(t24["milestones"]), [n["text"] for n in t24["notes"]]) == (
        "推进中", 1, ["走访三家学会了解需求"])
    assert {c: v["status"] for c, v in views.items() if c not in ("T16", "T24")} == dict.fromkeys(
        [c for c in views if c not in ("T16", "T24")], "未启动")
    assert (per_unit["T16"], per_unit["T24"], per_unit["T26"]) == ("已完成", "推进中", "未启动")

    # The same package again: unchanged; a new package of the same data: nothing of the tasks changes.
    assert packages.apply(pair.city, pair.tmp / "sub.xlsx").outcome == "unchanged"
    pair.export(2019, "sub2.xlsx")
    again = _preview(pair.city, pair.tmp / "sub2.xlsx")
    assert {c.action for c in again.changes if c.sheet in ("工作节点", "工作进展")} == {"未变"}
    before = _city_rows(pair.city)
    assert packages.apply(pair.city, pair.tmp / "sub2.xlsx").outcome == "applied"
    assert _city_rows(pair.city) == before

    # A newer package: the second milestone done.
    with pair.unit.write() as s:
        me = offices.resolve(s, UNIT)
        m2 = s.scalars(select(Milestone).where(Milestone.uid == uids["m2"])).one()
        svc.complete_milestone(s, me, "T24", m2.id, D(2019, 9, 28))
    pair.export(2019, "sub3.xlsx")
    newer = _preview(pair.city, pair.tmp / "sub3.xlsx")
    assert [c for c in _task_changes(newer) if c[3] != "未变"] == [
        ("工作节点", 3, uids["m2"], "修改", "T24 节点“召开学会工作推进会”", "未完成", "已完成（2019-09-28）")]
    assert packages.apply(pair.city, pair.tmp / "sub3.xlsx").outcome == "applied"
    assert _city_rows(pair.city) == (sorted([
        (uids["m1"], oid, "T16", "制定科普示范县创建方案", D(2019, 6, 30), D(2019, 6, 20), "张三"),
        (uids["m2"], oid, "T24", "召开学会工作推进会", D(2019, 9, 30), D(2019, 9, 28), "张三"),
    ]), *before[1:])


def test_an_older_package_of_another_year_never_rolls_milestones_back(pair):
    uids = _work(pair)
    pair.export(2019, "old.xlsx")  # sequence 1: the second milestone not done
    with pair.unit.write() as s:
        me = offices.resolve(s, UNIT)
        m2 = s.scalars(select(Milestone).where(Milestone.uid == uids["m2"])).one()
        svc.complete_milestone(s, me, "T24", m2.id, D(2020, 1, 5))
        svc.add_note(s, me, "T24", D(2020, 1, 5), "推进会已召开", user="李四")
    pair.export(2020, "new.xlsx")  # sequence 2
    assert packages.apply(pair.city, pair.tmp / "new.xlsx").outcome == "applied"
    old = _preview(pair.city, pair.tmp / "old.xlsx")
    assert [(c.sheet, c.action, c.reason) for c in old.changes if c.sheet == "工作节点"] == [
        ("工作节点", "未变", "已导入过此单位序号更大的上报包（序号 2），工作节点以那个包为准，本包的节点不会覆盖它。")]
    assert packages.apply(pair.city, pair.tmp / "old.xlsx").outcome == "applied"
    ms, ns, es = _city_rows(pair.city)
    assert [(m[2], m[5]) for m in ms if m[0] == uids["m2"]] == [("T24", D(2020, 1, 5))]
    # The 2019 notes arrive (notes are the year's snapshot), the 2020 one stays.
    assert sorted((n[1], n[2]) for n in ns) == [("T16", D(2019, 5, 10)), ("T24", D(2019, 8, 1)),
                                                ("T24", D(2020, 1, 5))]
    assert len(es) == 1


def test_a_note_the_unit_deleted_is_deleted_at_the_city_as_ledger_records_are(pair):
    uids = _work(pair)
    pair.export(2019)
    assert packages.apply(pair.city, pair.tmp / "sub.xlsx").outcome == "applied"
    with pair.unit.write() as s:  # as a deletion on the page would: the note and its evidence go
        note = s.scalars(select(ProgressNote).where(ProgressNote.uid == uids["n1"])).one()
        for e in note.evidence:
            s.delete(e)
        s.delete(note)
    pair.export(2019, "sub2.xlsx")
    preview = _preview(pair.city, pair.tmp / "sub2.xlsx")
    assert [c for c in _task_changes(preview) if c[3] != "未变"] == [
        ("工作进展", None, uids["n1"], "删除", "T16 进展 2019-05-10", "召开专题会议部署创建工作（证据 1 个）", "")]
    assert packages.apply(pair.city, pair.tmp / "sub2.xlsx").outcome == "applied"
    ms, ns, es = _city_rows(pair.city)
    assert ([n[0] for n in ns], es, len(ms)) == ([uids["n2"]], [], 2)


# --------------------------------------------------------------------------- hostile evidence

ZIP = b"PK\x03\x04" + b"\x14\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


def _replace_file(data: bytes, *, name: str = "会议.png", media_type: str = "image/png"):
    """Rows mutator: the photo's rows replaced by ``data``'s, correctly sized and hashed (re-signed)."""
    def mutate(sheets):
        rows = sheets["证据"]
        note = rows[0][0]
        sheets["证据"] = [list(r) for r in ev.rows(note, 1, name, media_type, data)]
    return mutate


def _edit_chunk(sheets):
    row = sheets["证据"][0]
    row[8] = ("A" if row[8][0] != "A" else "B") + row[8][1:]  # still Base64, other bytes


def _drop_chunk(sheets):
    del sheets["证据"][1]


BIG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 400  # 102,408 bytes: 5 chunks


@pytest.mark.parametrize("mutate, big, message", [
    (_replace_file(ZIP), False, "工作表“证据”第 2 行 I 列（内容（Base64 分段））：证据文件“会议.png”不是照片（PNG、JPEG）或 PDF："
                                "按文件内容判断，它其实是ZIP 压缩包（或 Office 文档）。"),
    (_replace_file(EXE, name="照片.jpg", media_type="image/jpeg"), False,
     "工作表“证据”第 2 行 I 列（内容（Base64 分段））：证据文件“照片.jpg”不是照片（PNG、JPEG）或 PDF：按文件内容判断，"
     "它其实是Windows 程序。"),
    (_replace_file(b"\x89PNG\r\n\x1a\n" + random.Random(5).randbytes(svc.MAX_EVIDENCE_BYTES - 7)), False,
     "工作表“证据”第 2 行 I 列（内容（Base64 分段））：证据文件“会议.png”有 5.00 MB，超过 5 MB 的上限"),
    (_edit_chunk, False, "工作表“证据”第 2 行 F 列（SHA-256）：证据文件“会议.png”拼合后的 SHA-256 校验值与所写的不符"),
    (_drop_chunk, True, "工作表“证据”第 2 行 G 列（分段序号）：证据文件“大图.png”应有 5 段，缺少第 2 段"),
], ids=["renamed-zip", "renamed-exe", "oversized", "sha-mismatch", "chunk-missing"])
def test_hostile_evidence_refuses_the_whole_package_and_imports_nothing(pair, mutate, big, message):
    _work(pair)
    if big:
        with pair.unit.write() as s:
            me = offices.resolve(s, UNIT)
            s.execute(text("DELETE FROM evidence"))
            note = s.scalars(select(ProgressNote).where(ProgressNote.task_id == svc.task(s, "T16").id)).one()
            note.evidence.append(Evidence(file_name="大图.png", media_type="image/png", size=len(BIG),
                                          sha256=hashlib.sha256(BIG).hexdigest(), data=BIG))
            assert me.code == UNIT
    pair.export(2019)
    resign(pair.tmp / "sub.xlsx", pair.tmp / "bad.xlsx", unit_key(pair.unit, UNIT), rows=mutate)
    before = dump(pair.city)
    result = packages.apply(pair.city, pair.tmp / "bad.xlsx")
    assert result.outcome == "refused"
    assert message in result.message and "整个文件未导入" in result.message, result.message
    assert dump(pair.city) == before


def test_the_export_refuses_too_much_evidence_before_writing_anything(pair, monkeypatch):
    _work(pair)
    monkeypatch.setattr(ev, "MAX_PACKAGE_EVIDENCE_BYTES", len(PHOTO) - 1)
    before = dump(pair.unit, with_log=True)
    with pytest.raises(UserError) as caught:
        pair.export(2019)
    assert str(caught.value) == (
        "2019年的工作进展共附证据文件 1 个、0.0 MB，超过一个上报包可以携带的 0 MB（上报包文件不能超过 50 MB），没有导出。"
        "请把照片压缩后重新附上（或把 PDF 拆小），再导出上报包。")
    assert not (pair.tmp / "sub.xlsx").exists() and list(pair.tmp.glob("*.partial")) == []
    assert dump(pair.unit, with_log=True) == before


def test_several_five_megabyte_photos_travel_within_the_package_limits(pair):
    """Photos hardly compress: Base64 of random bytes is the worst case for the file size."""
    rng = random.Random(16)
    photos = [b"\xff\xd8\xff\xe0" + rng.randbytes(svc.MAX_EVIDENCE_BYTES - 4) for _ in range(3)]
    with pair.unit.write() as s:
        me = offices.resolve(s, UNIT)
        for k, data in enumerate(photos, start=1):
            svc.add_note(s, me, "T16", D(2019, 3, k), f"现场照片 {k}", evidence=data, evidence_name=f"现场{k}.jpg")
    pair.export(2019)
    size = (pair.tmp / "sub.xlsx").stat().st_size
    assert 3 * svc.MAX_EVIDENCE_BYTES < size < safety.MAX_FILE_BYTES
    result = packages.apply(pair.city, pair.tmp / "sub.xlsx")
    assert result.outcome == "applied", result.message
    assert sorted(e[5] for e in _city_rows(pair.city)[2]) == sorted(photos)


def test_upgrading_an_0009_database_gives_every_milestone_and_note_its_own_uid(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine

    from kexie_desktop import db as dbmod

    path = tmp_path / "old.db"
    open_app_database(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(dbmod._alembic_config(conn), "0009")
        task, office = conn.exec_driver_sql("SELECT id FROM plan_task WHERE code = 'T16'").scalar(), 5
        for title in ("甲", "乙"):
            conn.exec_driver_sql("INSERT INTO milestone (task_id, office_id, title, due, created, by) "
                                 f"VALUES ({task}, {office}, '{title}', '2019-06-30', '2019-01-01 00:00:00', '')")
        conn.exec_driver_sql("INSERT INTO progress_note (task_id, office_id, date, text, by, created) "
                             f"VALUES ({task}, {office}, '2019-05-01', '进展', '', '2019-01-01 00:00:00')")
    engine.dispose()
    upgraded = open_app_database(path)
    try:
        with upgraded.read() as s:
            uids = [m.uid for m in s.scalars(select(Milestone))] + [n.uid for n in s.scalars(select(ProgressNote))]
        assert len(uids) == len(set(uids)) == 3 and all(len(u) == 32 for u in uids)
        with pytest.raises(Exception, match="UNIQUE"), upgraded.write() as s:
            s.execute(text(f"UPDATE milestone SET uid = '{uids[0]}' WHERE uid = '{uids[1]}'"))
    finally:
        upgraded.close()


# --------------------------------------------------------------------------- plan packages carry the tasks down

def _city_edits_tasks(pair: Pair) -> None:
    """The city changes T16 (its carriers and due date) and adds T66 (as a plan editor would)."""
    with pair.city.write() as s:
        t16 = svc.task(s, "T16")
        t16.carriers, t16.due = '["320722", "320703"]', D(2019, 12, 31)
        s.add(PlanTask(plan_id=t16.plan_id, code="T66", section_id=t16.section_id, name="编制科普工作年报",
                       sentence="每年编制科普工作年报", carriers='"all"', due=D(2020, 6, 30), indicators='["I09"]',
                       sort_order=65))


def test_a_plan_package_updates_the_units_tasks_with_a_preview(pair):
    _city_edits_tasks(pair)
    with pair.city.write() as s:
        packages.export_plan(s, pair.tmp / "plan.xlsx")
    preview = _preview(pair.unit, pair.tmp / "plan.xlsx")
    assert preview.status == "ready", preview.message
    tasks = [c for c in preview.changes if c.sheet == "计划任务"]
    assert len(tasks) == 66
    assert [(c.row, c.key, c.action, c.label, c.old, c.new) for c in tasks if c.action != "未变"] == [
        (17, "T16", "修改", "T16 建立智库分支信息网络", "承担 各县区；期限 2020-12-31", "承担 320722,320703；期限 2019-12-31"),
        (67, "T66", "新增", "T66 编制科普工作年报", "", "章节 T1.4；承担 市县两级；期限 2020-06-30"),
    ]
    result = packages.apply(pair.unit, pair.tmp / "plan.xlsx")
    assert result.outcome == "applied", result.message
    assert result.changes.plan and result.changes.tasks == {_office_id(pair.unit)}
    with pair.unit.read() as s:
        t16, t66 = svc.task(s, "T16"), svc.task(s, "T66")
        assert (t16.carrier_value, t16.due, t16.name) == (["320722", "320703"], D(2019, 12, 31), "建立智库分支信息网络")
        assert (t66.section.code, t66.name, t66.sentence, t66.carrier_value, t66.due, t66.indicator_codes,
                t66.sort_order) == ("T1.4", "编制科普工作年报", "每年编制科普工作年报", "all", D(2020, 6, 30), ["I09"], 65)
        assert [t.code for t in svc.tasks_for(s, offices.resolve(s, UNIT))][:2] == ["T16", "T24"]
        assert len(svc.all_tasks(s)) == 66
    # The same content again, in a newer package: nothing changes.
    with pair.city.write() as s:
        packages.export_plan(s, pair.tmp / "plan2.xlsx")
    again = _preview(pair.unit, pair.tmp / "plan2.xlsx")
    assert {c.action for c in again.changes if c.sheet == "计划任务"} == {"未变"}


@pytest.mark.parametrize("cell, value, message", [
    (5, "320722,999999", "工作表“计划任务”第 17 行 E 列（承担单位）：承担单位“320722,999999”不对"),
    (7, "I09,I99", "工作表“计划任务”第 17 行 G 列（关联指标）：未知的指标代码“I99”。"),
    (2, "Z9", "工作表“计划任务”第 17 行 B 列（章节代码）：章节“Z9”不存在。"),
])
def test_a_bad_task_row_refuses_the_plan_package(pair, cell, value, message):
    with pair.city.write() as s:
        packages.export_plan(s, pair.tmp / "plan.xlsx")
    with pair.city.read() as s:
        from kexie_desktop.packages.pipeline import keys
        key = keys.signing_key(s, offices.city(s))

    def mutate(sheets):
        sheets["计划任务"][15][cell - 1] = value
    resign(pair.tmp / "plan.xlsx", pair.tmp / "bad.xlsx", key, rows=mutate)
    before = dump(pair.unit)
    result = packages.apply(pair.unit, pair.tmp / "bad.xlsx")
    assert result.outcome == "refused" and message in result.message, result.message
    assert dump(pair.unit) == before


def test_note_text_that_looks_like_a_formula_travels_as_text(pair):
    with pair.unit.write() as s:
        svc.add_note(s, offices.resolve(s, UNIT), "T16", D(2019, 4, 1), "=HYPERLINK(\"http://x\",\"点我\")+1", user="@王五")
    pair.export(2019)
    assert packages.apply(pair.city, pair.tmp / "sub.xlsx").outcome == "applied"
    assert [(n[3], n[4]) for n in _city_rows(pair.city)[1]] == [("=HYPERLINK(\"http://x\",\"点我\")+1", "@王五")]


def _set_cell(sheet: str, row: int, col: int, value):
    def mutate(sheets):
        sheets[sheet][row][col] = value
    return mutate


@pytest.mark.parametrize("mutate, message", [
    (_set_cell("工作节点", 0, 1, "320703"), "工作表“工作节点”第 2 行 B 列（单位代码）：此行属于单位 320703，而此包是东海县科协的上报包。"),
    (_set_cell("工作节点", 1, 2, "T99"), "工作表“工作节点”第 3 行 C 列（任务代码）：未知的任务代码“T99”，本机的计划中没有这个任务。"),
    (_set_cell("工作进展", 1, 3, "2020-01-02"), "工作表“工作进展”第 3 行 D 列（日期）：日期 2020-01-02 不属于此包的年份（2019年）。"),
    (_set_cell("工作进展", 0, 6, 2.0), "工作表“工作进展”第 2 行 G 列（证据文件数）：此条进展写有 2 个证据文件，“证据”表中却有 1 个。"),
    (_set_cell("证据", 0, 0, "nobody"), "工作表“证据”第 2 行 A 列（进展编号）：证据文件“会议.png”所属的进展编号“nobody”在“工作进展”表中没有。"),
], ids=["other-office", "unknown-task", "other-year", "evidence-count", "orphan-file"])
def test_a_forged_task_row_refuses_the_whole_package(pair, mutate, message):
    _work(pair)
    pair.export(2019)
    resign(pair.tmp / "sub.xlsx", pair.tmp / "bad.xlsx", unit_key(pair.unit, UNIT), rows=mutate)
    before = dump(pair.city)
    result = packages.apply(pair.city, pair.tmp / "bad.xlsx")
    refusals = [f"{c.label}：{c.reason}" for c in result.preview.changes if c.action == "拒绝"]
    assert result.outcome == "refused" and message in refusals, result.message
    assert "整个文件未导入" in result.message
    assert dump(pair.city) == before


def test_a_task_the_unit_no_longer_carries_keeps_its_milestone_at_the_city(pair):
    uids = _work(pair)
    pair.export(2019)
    with pair.city.write() as s:  # the city has since given T24 to the city office alone
        svc.task(s, "T24").carriers = '"city"'
    assert packages.apply(pair.city, pair.tmp / "sub.xlsx").outcome == "applied"
    assert uids["m2"] in [m[0] for m in _city_rows(pair.city)[0]]
