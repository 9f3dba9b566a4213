"""Demo data never reaches real totals: a demo installation's packages are marked (cover and manifest),
a real installation refuses them, a demo city takes them, and 清除演示数据 removes every demo row
while the real ones stay exactly as they were."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from hostile import files
from hostile.helpers import dump, export_sub, init_unit, log_results, make_city
from kexie_desktop import cli, packages
from kexie_desktop.models import Activity, AuditEntry, DataValue, Explanation, Target
from kexie_desktop.task_models import Milestone
from kexie_desktop.review import states
from kexie_desktop.packages.pipeline import importer
from kexie_desktop.services import activities, demo, offices, plan, settings, targets, values
from kexie_desktop.services import tasks as task_service
from kexie_desktop.startup import open_app_database

UNIT = "320722"  # 东海县
REFUSAL = ("文件“F.xlsx”：这是填入了演示数据的安装导出的演示数据包（上报包（演示数据，东海县科协，2019年，序号 1，"
           "包编号 {id}））。本机保存的是正式数据，演示数据不能混入，已拒绝导入。请对方在正式安装（未填入演示数据）"
           "中重新导出。")


def _demo_copy(template: Path, path: Path):
    shutil.copyfile(template, path)
    return open_app_database(path)


@pytest.fixture
def real_city_and_demo_unit(tmp_path, _demo_template):
    """A real city that issued 东海县's init package, and 东海县 with demo data on that key."""
    city = make_city(tmp_path / "city.db")
    unit = _demo_copy(_demo_template, tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    yield city, unit, tmp_path
    city.close()
    unit.close()


@pytest.fixture
def demo_city_and_unit(tmp_path, _demo_template):
    city = _demo_copy(_demo_template, tmp_path / "city.db")
    with city.write() as s:
        offices.set_this_office(s, offices.city(s))
    unit = _demo_copy(_demo_template, tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    yield city, unit, tmp_path
    city.close()
    unit.close()


def _manifest_fields(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)["校验信息"]
    return {r[0]: r[2] for r in ws.iter_rows(min_row=2, values_only=True)}


def _cover(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)["封面"]
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}


def test_a_real_city_refuses_a_demo_submission(real_city_and_demo_unit):
    city, unit, tmp = real_city_and_demo_unit
    result = export_sub(unit, UNIT, 2019, tmp / "F.xlsx")
    assert result.manifest.demo
    before = dump(city)
    outcome = packages.apply(city, tmp / "F.xlsx")
    assert outcome.outcome == "refused"
    assert outcome.message == REFUSAL.format(id=result.manifest.package_id[:8])
    assert dump(city) == before and log_results(city)[-1] == "refused"


def test_the_cli_import_of_a_demo_submission_exits_1_with_the_chinese_reason(real_city_and_demo_unit):
    city, unit, tmp = real_city_and_demo_unit
    result = export_sub(unit, UNIT, 2019, tmp / "F.xlsx")
    city_path = city.path
    city.close()
    out = io.StringIO()
    code = cli.run(["--db", str(city_path), "import", str(tmp / "F.xlsx")], out)
    assert code == 1
    assert out.getvalue().splitlines() == ["[已拒绝] " + REFUSAL.format(id=result.manifest.package_id[:8]),
                                           "共 1 个文件：已拒绝 1 个。"]


def test_demo_packages_are_marked_on_the_cover_and_in_the_manifest(real_city_and_demo_unit):
    city, unit, tmp = real_city_and_demo_unit
    export_sub(unit, UNIT, 2019, tmp / "F.xlsx")
    assert _manifest_fields(tmp / "F.xlsx")["demo"] == "是"
    assert _manifest_fields(tmp / "F.xlsx")["schema_version"] == "3"
    cover = _cover(tmp / "F.xlsx")
    assert cover["演示数据"].startswith("本包来自填入了演示数据的安装，全部是虚拟数据")
    with city.write() as s:  # the real city's own packages carry no demo field at all
        packages.export_plan(s, tmp / "plan.xlsx")
    assert "demo" not in _manifest_fields(tmp / "plan.xlsx")
    assert "演示数据" not in _cover(tmp / "plan.xlsx")


def test_a_demo_mark_removed_by_hand_breaks_the_signature(real_city_and_demo_unit):
    city, unit, tmp = real_city_and_demo_unit
    export_sub(unit, UNIT, 2019, tmp / "F.xlsx")
    files.set_manifest(tmp / "F.xlsx", tmp / "unmarked.xlsx", "demo", None)
    outcome = packages.apply(city, tmp / "unmarked.xlsx")
    assert outcome.outcome == "refused"
    assert "此文件在导出后被修改过，已拒绝导入" in outcome.message


def test_a_real_unit_refuses_a_demo_citys_plan_package(tmp_path, _demo_template):
    city = _demo_copy(_demo_template, tmp_path / "city.db")
    with city.write() as s:
        offices.set_this_office(s, offices.city(s))
        packages.export_plan(s, tmp_path / "plan.xlsx")
    unit = open_app_database(tmp_path / "unit.db")
    with unit.write() as s:
        offices.set_this_office(s, offices.resolve(s, UNIT))
    outcome = packages.apply(unit, tmp_path / "plan.xlsx")
    assert outcome.outcome == "refused"
    assert "这是填入了演示数据的安装导出的演示数据包（下发包（演示数据，连云港市科协，序号 1，" in outcome.message
    city.close()
    unit.close()


def test_a_demo_citys_plan_package_for_all_units_names_them_on_its_cover(tmp_path, _demo_template):
    """The demo row at the top of the cover does not push 全部县区 onto another row."""
    city = _demo_copy(_demo_template, tmp_path / "city.db")
    with city.write() as s:
        offices.set_this_office(s, offices.city(s))
        packages.export_plan(s, tmp_path / "plan.xlsx")
    city.close()
    cover = _cover(tmp_path / "plan.xlsx")
    assert cover["单位"] == "全部县区（含市科协目标）"
    assert cover["包类型"] == "下发包（市科协 → 县区）"
    assert "演示数据" in cover


def test_a_demo_city_takes_a_demo_submission_and_clearing_removes_it(demo_city_and_unit):
    city, unit, tmp = demo_city_and_unit
    with unit.write() as s:  # a change so that the package differs from the city's own demo rows
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), 2019, 3, 41.0, user="演示数据",
                         source=demo.DEMO)
    export_sub(unit, UNIT, 2019, tmp / "F.xlsx")
    outcome = packages.apply(city, tmp / "F.xlsx")
    assert outcome.outcome == "applied", outcome.message
    with city.read() as s:
        row = s.scalars(select(DataValue).where(DataValue.office_id == offices.resolve(s, UNIT).id,
                                                DataValue.year == 2019, DataValue.month == 3,
                                                DataValue.indicator_id == plan.indicator(s, "I09").id)).one()
        assert (row.value, row.source) == (41.0, f"demo:package:{outcome.preview.manifest.package_id}")
    with city.write() as s:
        demo.clear_demo(s)
    with city.read() as s:
        assert s.scalar(select(DataValue.id).limit(1)) is None
        assert s.scalar(select(Activity.id).limit(1)) is None


def test_clearing_demo_data_keeps_every_real_row_exactly(demo_db):
    with demo_db.write() as s:
        office = offices.resolve(s, "海州区")
        offices.set_this_office(s, office)
        i09 = plan.indicator(s, "I09")
        # real rows: a value over a demo cell, a new value, a real activity, a real target over a demo one
        values.set_value(s, i09, office, 2019, 3, 99.0, user="王芳")
        values.set_value(s, i09, offices.resolve(s, "3207Z3"), 2020, 12, 7.0, user="王芳")  # no demo value there
        activities.add_activity(s, office, activities.resolve_type(s, "科普讲座"), dt.date(2019, 6, 1), "真实讲座",
                                participants=3, audience=40, user="王芳")
        targets.put_target(s, i09, office, None, 55.0, user="王芳", source="package")  # as a plan package sets it
        task_service.add_milestone(s, office, "T16", "真实节点", dt.date(2020, 3, 1), user="王芳")
        # review made while the demo data is there: three months submitted and one explanation
        states.submit(s, office, 2019, 3, user="王芳", today=dt.date(2019, 6, 15))
        s.add(Explanation(office_id=office.id, rule="W01", subject="I09/2019-02", value="1", text="演示期间的说明",
                          by="王芳"))
    with demo_db.read() as s:
        assert demo.is_demo(s)
        n_demo_values = len(s.scalars(select(DataValue.id).where(DataValue.source == "demo")).all())
        assert n_demo_values > 10_000
    before = dump(demo_db)

    def real(content):
        out = dict(content)
        for table, model in (("data_value", DataValue), ("activity", Activity)):
            source = [c.name for c in model.__table__.columns].index("source")
            out[table] = [r for r in content[table] if r[source] != "demo"]
        out["audit_log"] = [r for r in content["audit_log"] if r[3] != "demo"]
        out["setting"] = [r for r in content["setting"] if r[0] != "demo_data"]
        for table in ("milestone", "progress_note"):  # 工作清单: the demo's rows are by "演示数据"
            out[table] = [r for r in content[table] if "演示数据" not in r]
        out["evidence"] = [r for r in content["evidence"] if r[2] != "演示照片.png"]
        return out

    with demo_db.write() as s:
        counts, changes = demo.clear_demo(s)
    after = dump(demo_db)
    expected = real(before)
    # demo targets go; the target the user set (its last change is his) stays
    expected["target"] = [r for r in before["target"] if r in after["target"]]
    # the review rows judged demo data: they go with it
    assert len(before["review_month"]) == 3 and len(before["explanation"]) == 1
    expected["review_month"], expected["explanation"] = [], []
    assert after == expected
    assert counts["values"] == n_demo_values and changes.everything
    assert (counts["review_months"], counts["explanations"]) == (3, 1)
    with demo_db.read() as s:
        assert not demo.is_demo(s) and settings.get(s, "demo_data") is False
        kept = s.execute(select(Target.value, Target.updated_by).where(Target.office_id == office.id)).all()
        assert kept == [(55.0, "王芳")]
        assert [r.value for r in s.scalars(select(DataValue))] == [99.0, 7.0]
        assert [a.title for a in s.scalars(select(Activity))] == ["真实讲座"]
        assert [m.title for m in s.scalars(select(Milestone))] == ["真实节点"]
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.source == "demo")) is None
    # the city targets of the built-in plan are untouched
    assert [r for r in before["target"] if r[2] == 1] == [r for r in after["target"] if r[2] == 1]


def test_clearing_demo_data_where_there_is_none_says_so(db):
    from kexie_desktop.errors import UserError

    with db.write() as s, pytest.raises(UserError, match="本机没有演示数据，无需清除。"):
        demo.clear_demo(s)


def test_a_real_package_verifies_exactly_as_before_the_demo_field(tmp_path):
    """Real packages sign no "demo" field: the fields of format version 3 (version 2's plus the review summary)."""
    city = make_city(tmp_path / "city.db")
    with city.write() as s:
        result = packages.export_plan(s, tmp_path / "plan.xlsx")
    loaded = importer.load(tmp_path / "plan.xlsx")
    assert "demo" not in loaded.canonical.decode("utf-8").split("\x1e")[0]
    assert not loaded.manifest.demo and result.manifest.signed_fields().keys() == {
        "schema_version", "kind", "plan_code", "plan_version", "office_code", "office_name", "year", "sequence",
        "package_id", "created", "program_version", "filler", "reviewer", "phone", "key_id", "salt", "iterations",
        "next_sequence", "review", "approved_months"}
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.manifest.signature)
    city.close()
