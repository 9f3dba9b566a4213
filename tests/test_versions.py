"""Several clerks on one database (issue 18, point 4): a target or value edited on another PC since this view
read it is refused with who and when, and the other clerk's figure stays.

Two Database objects on one file (or two sessions of one server database) stand for two PCs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kexie_desktop.errors import StaleEdit
from kexie_desktop.models import Target
from kexie_desktop.services import offices, plan, targets, values
from tests.other_pc import REFUSED, stamp



def _target(s) -> Target:
    return targets.find_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None)


def test_a_stale_target_edit_is_refused_and_the_first_stays(two_pcs):
    pc1, pc2 = two_pcs
    with pc1.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 80, user="李强")
    with pc1.read() as s:
        seen1 = _target(s).version
    with pc2.read() as s:
        seen2 = _target(s).version
    assert seen1 == seen2 == 1
    with pc1.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 85, user="张三",
                           seen_version=seen1)
        stamp(s, "I09/320722/plan")
    with pytest.raises(StaleEdit) as refused, pc2.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 90, user="王芳",
                           seen_version=seen2)
    assert str(refused.value) == REFUSED
    with pc2.read() as s:  # the view reads again: 张三's figure, and the version to edit it with
        assert (_target(s).value, _target(s).version) == (85, 2)
    with pc2.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 90, user="王芳",
                           seen_version=2)
    with pc1.read() as s:
        assert (_target(s).value, _target(s).version) == (90, 3)


def test_a_target_created_meanwhile_refuses_a_view_that_saw_none(two_pcs):
    pc1, pc2 = two_pcs
    with pc1.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 80, user="张三",
                           seen_version=0)
        stamp(s, "I09/320722/plan")
    with pytest.raises(StaleEdit, match="^" + REFUSED + "$"), pc2.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 70, seen_version=0)
    with pc2.read() as s:
        assert _target(s).value == 80


def test_an_update_racing_a_commit_is_refused_by_the_version_counter(two_pcs):
    """Both read version 1, the first commits between the second's read and its UPDATE: the ORM's
    ``version_id_col`` finds no row at version 1 and the one error mapping says so in Chinese."""
    pc1, pc2 = two_pcs
    with pc1.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 80)
    with pc2.read() as s:
        loaded = _target(s)
    with pc1.write() as s:
        _target(s).value = 85
    with pytest.raises(StaleEdit) as refused, pc2.write() as s:
        s.add(loaded)  # a row held from an earlier read, as a view holds it
        loaded.value = 90
        s.flush()
    assert str(refused.value) == "这条数据刚被另一台电脑上的用户修改，本次修改没有保存，已重新读取，请核对后再改。"
    with pc2.read() as s:
        assert (_target(s).value, _target(s).version) == (85, 2)


def _cell(s, month: int, value, *, seen, user: str):
    edit = values.ValueEdit(plan.indicator(s, "I08"), offices.resolve(s, "海州区"), 2019, month, value,
                            seen_version=seen)
    return values.set_values(s, [edit], user=user)


def _stored(db, month: int):
    with db.read() as s:
        row = values.find_value(s, plan.indicator(s, "I08"), offices.resolve(s, "海州区"), 2019, month)
        return None if row is None else (row.value, row.version)


def test_a_stale_value_cell_is_refused_and_nothing_of_the_batch_is_saved(two_pcs):
    pc1, pc2 = two_pcs
    with pc1.write() as s:
        _cell(s, 3, 5, seen=0, user="李强")
    assert _stored(pc2, 3) == (5, 1)  # both grids show version 1
    with pc1.write() as s:
        _cell(s, 3, 7, seen=1, user="张三")
        stamp(s, "I08/320706/2019-03")
    with pytest.raises(StaleEdit) as refused, pc2.write() as s:
        office, indicator = offices.resolve(s, "海州区"), plan.indicator(s, "I08")
        values.set_values(s, [values.ValueEdit(indicator, office, 2019, 4, 2, seen_version=0),
                              values.ValueEdit(indicator, office, 2019, 3, 9, seen_version=1)], user="王芳")
    assert str(refused.value) == REFUSED
    assert _stored(pc1, 3) == (7, 2)
    assert _stored(pc1, 4) is None
    with pc2.write() as s:  # clearing a cell someone changed is refused too
        with pytest.raises(StaleEdit, match="张三"):
            _cell(s, 3, None, seen=1, user="王芳")
    assert _stored(pc1, 3) == (7, 2)


def test_edits_without_a_seen_version_are_not_checked(db):
    """Imports and the CLI carry no version: they apply as before, and the counter still moves."""
    with db.write() as s:
        _cell(s, 3, 5, seen=None, user="")
        _cell(s, 3, 6, seen=None, user="")
    assert _stored(db, 3) == (6, 2)


@pytest.mark.server_only
def test_two_sessions_on_the_server_editing_one_target(two_pcs):
    """PostgreSQL, READ COMMITTED: the second session's UPDATE waits for the first's commit, then finds the
    version moved and is refused; the first's value stays."""
    pc1, pc2 = two_pcs
    with pc1.write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 80)
    with pc2.read() as s:
        loaded = _target(s)
    with pytest.raises(StaleEdit), pc2.write() as s2:
        s2.add(loaded)
        with pc1.write() as s1:
            _target(s1).value = 85
        loaded.value = 90
        s2.flush()
    with pc1.read() as s:
        assert (_target(s).value, _target(s).version) == (85, 2)


def test_a_stale_activity_edit_or_delete_is_refused(two_pcs):
    from kexie_desktop.services import activities

    pc1, pc2 = two_pcs
    with pc1.write() as s:
        office = offices.resolve(s, "海州区")
        activities.add_activity(s, office, activities.resolve_type(s, "科普讲座"), dt.date(2019, 3, 15), "讲座",
                                uid="a-1")
    with pc2.read() as s:
        seen = activities.find_activity(s, "a-1").version
    assert seen == 1
    with pc1.write() as s:
        activities.update_activity(s, "a-1", type="科普讲座", date=dt.date(2019, 3, 16), title="讲座（改期）",
                                   user="张三", seen_version=seen)
        stamp(s, "a-1")
    with pytest.raises(StaleEdit, match="^" + REFUSED + "$"), pc2.write() as s:
        activities.update_activity(s, "a-1", type="科普讲座", date=dt.date(2019, 3, 15), title="讲座",
                                   seen_version=seen)
    with pytest.raises(StaleEdit, match="^" + REFUSED + "$"), pc2.write() as s:
        activities.delete_activity(s, "a-1", seen_version=seen)
    with pc2.read() as s:
        row = activities.find_activity(s, "a-1")
        assert (row.title, row.date, row.version) == ("讲座（改期）", dt.date(2019, 3, 16), 2)


def test_the_one_error_mapping_turns_a_stale_data_error_into_one_chinese_line():
    from sqlalchemy.orm.exc import StaleDataError

    from kexie_desktop.storage_errors import describe

    try:
        try:
            raise StaleDataError("UPDATE statement on table 'target' expected to update 1 row(s); 0 were matched.")
        except StaleDataError as inner:
            raise RuntimeError("flush failed") from inner
    except RuntimeError as exc:
        mapped = describe(exc)
    assert isinstance(mapped, StaleEdit)
    assert str(mapped) == "这条数据刚被另一台电脑上的用户修改，本次修改没有保存，已重新读取，请核对后再改。"


@pytest.mark.server_only
def test_two_clerks_creating_the_same_empty_cell_on_the_server_one_is_told_it_is_stale(two_pcs):
    """Both saw no row; the unique index lets one insert win and the other's is refused as stale, not as a
    raw constraint error."""
    from kexie_desktop.models import DataValue
    from kexie_desktop.services import values

    pc1, pc2 = two_pcs
    with pytest.raises(StaleEdit, match="^这条数据刚被另一台电脑上的用户修改"), pc2.write() as s2:
        i09, office = plan.indicator(s2, "I09"), offices.resolve(s2, "东海县")
        s2.add(DataValue(indicator_id=i09.id, office_id=office.id, year=2019, month=4, value=5.0))
        with pc1.write() as s1:
            values.set_value(s1, plan.indicator(s1, "I09"), offices.resolve(s1, "东海县"), 2019, 4, 7.0, user="张三")
        s2.flush()
    with pc1.read() as s:
        rows = s.scalars(select(DataValue).where(DataValue.year == 2019, DataValue.month == 4,
                                                 DataValue.indicator_id == plan.indicator(s, "I09").id,
                                                 DataValue.office_id == offices.resolve(s, "东海县").id)).all()
        assert [(r.value, r.version) for r in rows] == [(7.0, 1)]


def test_the_one_error_mapping_turns_a_unique_violation_into_the_stale_line_and_nothing_else():
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    from kexie_desktop.storage_errors import describe

    unique = IntegrityError("INSERT INTO data_value …", {}, sqlite3.IntegrityError(
        "UNIQUE constraint failed: data_value.indicator_id, data_value.office_id, data_value.year, data_value.month"))
    mapped = describe(unique)
    assert isinstance(mapped, StaleEdit) and str(mapped) == "这条数据刚被另一台电脑上的用户修改，本次修改没有保存，已重新读取，请核对后再改。"
    not_null = IntegrityError("INSERT INTO data_value …", {}, sqlite3.IntegrityError(
        "NOT NULL constraint failed: data_value.value"))
    assert describe(not_null) is None  # a bug, not a race: it goes up with its trace
    update = IntegrityError("UPDATE milestone SET uid = …", {}, sqlite3.IntegrityError(
        "UNIQUE constraint failed: milestone.uid"))
    assert describe(update) is None
