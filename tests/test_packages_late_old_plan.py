"""A unit's late package of an ended plan's year (December 2020, sent after the city moved to 2021—2025):
the city applies it on the old plan, as the unit entered it; the new plan's data stay untouched (issue 17)."""

from __future__ import annotations

from sqlalchemy import select

from hostile.helpers import dump, export_sub, init_unit, make_city, resign, unit_key
from kexie_desktop import packages
from kexie_desktop.errors import UserError
from kexie_desktop.models import DataValue
from kexie_desktop.services import offices, plan, plan_authoring, values
from kexie_desktop.startup import open_app_database

UNIT = "320703"  # 连云区
OLD, NEW = "LYG-KX-2018-2020", "LYG-KX-2021-2025"


def _stored(db, plan_code: str, year: int) -> dict[tuple[str, int], float]:
    with db.read() as s:
        chosen = plan.plan_by_code(s, plan_code)
        office = offices.resolve(s, UNIT)
        codes = {i.id: i.code for i in plan.indicators(s, chosen)}
        rows = s.scalars(select(DataValue).where(DataValue.indicator_id.in_(list(codes)),
                                                 DataValue.office_id == office.id, DataValue.year == year))
        return {(codes[r.indicator_id], r.month): r.value for r in rows}


def _setup(tmp_path):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with unit.write() as s:
        office = offices.resolve(s, UNIT)
        values.set_value(s, plan.indicator(s, "I09"), office, 2020, 11, 4.0)
        values.set_value(s, plan.indicator(s, "I09"), office, 2020, 12, 9.0)
    late = tmp_path / "late-2020.xlsx"
    export_sub(unit, UNIT, 2020, late)
    with city.write() as s:  # the city moves on to the next plan before the file arrives
        new = plan_authoring.copy_plan(s, plan.plan_by_code(s, OLD), NEW, "新一轮计划", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        plan_authoring.use_plan(s, new)
    return city, unit, late


def test_a_late_package_of_the_ended_plan_lands_on_the_ended_plan(tmp_path):
    city, unit, late = _setup(tmp_path)
    with city.read() as s:
        seen = packages.preview(s, late)
        assert seen.status == "ready", seen.message
        assert plan.current_plan(s).code == OLD  # the preview read it on its plan
    outcome = packages.apply(city, late)
    assert outcome.outcome == "applied", outcome.message
    assert _stored(city, OLD, 2020) == {("I09", 11): 4.0, ("I09", 12): 9.0}
    assert _stored(city, NEW, 2020) == {} and _stored(city, NEW, 2021) == {}
    with city.read() as s:
        assert plan.active_plan(s).code == NEW  # importing it switched nothing
    # a clerk still cannot change that plan's data by hand
    with city.write() as s:
        old_i09 = plan.indicator(s, "I09", plan.plan_by_code(s, OLD))
        try:
            values.set_value(s, old_i09, offices.resolve(s, UNIT), 2020, 12, 1.0)
        except UserError as exc:
            refused = str(exc)
        else:
            refused = ""
    assert refused.startswith("计划“连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）”（LYG-KX-2018-2020，"
                              "2018—2020年）不是当前计划，其数据只能查看，不能修改。")
    assert _stored(city, OLD, 2020)[("I09", 12)] == 9.0
    unit.close()
    city.close()


def test_a_package_naming_another_plan_for_an_ended_year_is_refused_untouched(tmp_path):
    city, unit, late = _setup(tmp_path)
    forged = tmp_path / "forged.xlsx"

    def other_plan(m):
        m.plan_code = "LYG-KX-2016-2020"

    resign(late, forged, unit_key(city, UNIT), manifest=other_plan)
    before = dump(city)
    outcome = packages.apply(city, forged)
    assert outcome.outcome == "refused"
    assert outcome.message == ("文件“forged.xlsx”：此包属于计划 LYG-KX-2016-2020，而本机 2020 年属于计划"
                               "“连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）”（LYG-KX-2018-2020），已拒绝导入。")
    assert dump(city) == before
    unit.close()
    city.close()


def test_the_receipt_of_a_late_package_reaches_a_unit_already_on_the_new_plan(tmp_path):
    """The whole late path: the unit (moved on too) sent 2020; the city applies it on the old plan and answers;
    the unit sees 市已接收 for exactly the months the city holds, on its ended plan."""
    from kexie_desktop.review.delivery import year_delivery

    city, unit, late = _setup(tmp_path)
    with unit.write() as s:  # as a plan package would install it (tests/test_plan_cycle.py walks that part)
        new = plan_authoring.copy_plan(s, plan.plan_by_code(s, OLD), NEW, "新一轮计划", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        plan_authoring.use_plan(s, new)
    applied = packages.apply(city, late)
    assert applied.outcome == "applied", applied.message
    with city.write() as s:
        packages.export_receipt(s, applied.preview.manifest.package_id, tmp_path / "rc.xlsx")
    answered = packages.apply(unit, tmp_path / "rc.xlsx")
    assert answered.outcome == "applied", answered.message
    with unit.read() as s:
        plan.show_year(s, 2020)
        months = year_delivery(s, offices.resolve(s, UNIT), 2020, None).months
        assert [(m.month, m.state) for m in months[9:]] == [(10, "unsent"), (11, "received"), (12, "received")]
        assert plan.active_plan(s).code == NEW
    unit.close()
    city.close()
