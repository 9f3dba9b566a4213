"""报送 at the unit (kexie_desktop.review.delivery): month states, the last receipt, the open returned items
and the packages waiting for an answer, built with the real core (unit export → city import → reply)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile.helpers import export_sub, init_unit, make_city  # noqa: E402

from kexie_desktop import packages  # noqa: E402
from kexie_desktop.packages import ReturnRequest  # noqa: E402
from kexie_desktop.review import delivery, states  # noqa: E402
from kexie_desktop.services import offices, plan, values  # noqa: E402
from kexie_desktop.startup import open_app_database  # noqa: E402

CODE = "320703"


@pytest.fixture
def pair(tmp_path):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, CODE, tmp_path)
    with unit.write() as s:
        office, ind = offices.resolve(s, CODE), plan.indicator(s, "I09")
        for m in (1, 2, 3):
            values.set_value(s, ind, office, 2019, m, float(m))
        states.submit(s, office, 2019, 3)
        states.approve(s, office, 2019, 3, by="李审")
    yield city, unit, tmp_path
    city.close()
    unit.close()


def _delivery(unit, today=None):
    with unit.read() as s:
        return delivery.year_delivery(s, offices.resolve(s, CODE), 2019, today)


def _states(d):
    return [(m.month, m.state, m.note) for m in d.months if m.state != "unsent"]


def _send(city, unit, tmp, name):
    sent = export_sub(unit, CODE, 2019, tmp / name)
    assert packages.apply(city, tmp / name).outcome == "applied"
    return sent.manifest.package_id


def _receipt(city, unit, tmp, package_id, name):
    with city.write() as s:
        packages.export_receipt(s, package_id, tmp / name)
    assert packages.apply(unit, tmp / name).outcome == "applied"


def test_nothing_sent_is_unsent_everywhere(pair):
    _city, unit, _tmp = pair
    d = _delivery(unit)
    assert [m.state for m in d.months] == ["unsent"] * 12
    assert d.last_receipt is None and d.returned == [] and d.waiting == []
    assert delivery.summary_text(d) == "2019年报送：尚未上报"


def test_sent_then_received_shows_what_the_city_holds(pair):
    city, unit, tmp = pair
    first = _send(city, unit, tmp, "sub1.xlsx")
    d = _delivery(unit)
    assert _states(d) == [(1, "sent", ""), (2, "sent", ""), (3, "sent", "")]
    assert d.months[0].values is None and d.months[0].sequence == 1
    assert delivery.summary_text(d) == "2019年报送：1—3月已报送"

    _receipt(city, unit, tmp, first, "rc1.xlsx")
    d = _delivery(unit)
    assert _states(d) == [(1, "received", ""), (2, "received", ""), (3, "received", "")]
    assert [(m.values, m.records) for m in d.months[:4]] == [(1, 0), (1, 0), (1, 0), (None, None)]
    assert d.last_receipt.sequence == 1 and d.last_receipt.submission_sequence == 1
    assert d.last_receipt.at.date() == dt.date.today()
    assert delivery.summary_text(d) == "2019年报送：1—3月市已接收"


def test_a_newer_package_is_sent_again_until_its_receipt_and_a_draft_month_says_so(pair):
    city, unit, tmp = pair
    _receipt(city, unit, tmp, _send(city, unit, tmp, "sub1.xlsx"), "rc1.xlsx")
    with unit.write() as s:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, CODE), 2019, 4, 4.0)  # not approved
    second = _send(city, unit, tmp, "sub2.xlsx")
    d = _delivery(unit)
    assert _states(d) == [(1, "sent", ""), (2, "sent", ""), (3, "sent", ""), (4, "sent", "未审核")]
    assert d.months[3].sequence == 2 and d.months[0].values == 1  # the old receipt's counts stay visible
    _receipt(city, unit, tmp, second, "rc2.xlsx")
    d = _delivery(unit)
    assert _states(d) == [(1, "received", ""), (2, "received", ""), (3, "received", ""), (4, "received", "未审核")]
    assert d.last_receipt.sequence == 2 and d.last_receipt.submission_sequence == 2
    assert delivery.summary_text(d) == "2019年报送：1—3月市已接收，4月市已接收（未审核）"


def test_returned_months_carry_the_reasons_until_the_next_export(pair):
    city, unit, tmp = pair
    first = _send(city, unit, tmp, "sub1.xlsx")
    _receipt(city, unit, tmp, first, "rc1.xlsx")
    with city.write() as s:
        packages.export_return(s, first, [ReturnRequest("二月数据与台账不符，请核对", 2),
                                          ReturnRequest("三月科教兴农项目偏少请核实", 3, "I09")], tmp / "rt1.xlsx")
    assert packages.apply(unit, tmp / "rt1.xlsx").outcome == "applied"
    d = _delivery(unit)
    assert _states(d) == [(1, "received", ""), (2, "returned", ""), (3, "returned", "")]
    assert d.months[1].reasons == ("二月数据与台账不符，请核对",)
    assert d.months[2].reasons == ("I09：三月科教兴农项目偏少请核实",)
    assert [(r.month, r.indicator, r.reason, r.submission_sequence) for r in d.returned] == [
        (2, "", "二月数据与台账不符，请核对", 1), (3, "I09", "三月科教兴农项目偏少请核实", 1)]
    assert delivery.summary_text(d) == "2019年报送：1月市已接收，2—3月已退回"
    assert d.last_receipt.sequence == 1  # a return is not a receipt

    with unit.write() as s:  # corrected, approved again and re-sent: the items are answered
        office = offices.resolve(s, CODE)
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 2, 5.0)
        states.submit(s, office, 2019, 3)
        states.approve(s, office, 2019, 3, by="李审")
    export_sub(unit, CODE, 2019, tmp / "sub2.xlsx")
    d = _delivery(unit)
    assert d.returned == []
    assert _states(d) == [(1, "sent", ""), (2, "sent", ""), (3, "sent", "")]


def test_a_package_without_an_answer_after_a_week_is_pointed_out(pair):
    city, unit, tmp = pair
    first = _send(city, unit, tmp, "sub1.xlsx")
    today = dt.date.today()
    with unit.read() as s:
        office = offices.resolve(s, CODE)
        assert delivery.waiting_receipts(s, office, today + dt.timedelta(days=6)) == []
        waiting = delivery.waiting_receipts(s, office, today + dt.timedelta(days=9))
    assert [(w.year, w.sequence, w.days) for w in waiting] == [(2019, 1, 9)]
    assert waiting[0].text == "序号 1 的上报包发出已 9 天，尚未收到回执"
    with unit.read() as s:
        assert [w.days for w in delivery.waiting_receipts(s, offices.resolve(s, CODE), today + dt.timedelta(7))] == [7]

    with city.write() as s:  # a return answers the package too
        packages.export_return(s, first, [ReturnRequest("二月数据与台账不符，请核对", 2)], tmp / "rt1.xlsx")
    assert packages.apply(unit, tmp / "rt1.xlsx").outcome == "applied"
    assert _delivery(unit, today + dt.timedelta(days=9)).waiting == []

    export_sub(unit, CODE, 2019, tmp / "sub2.xlsx")  # only the newest package of a year waits
    with unit.read() as s:
        waiting = delivery.waiting_receipts(s, offices.resolve(s, CODE), today + dt.timedelta(days=8))
    assert [(w.sequence, w.days) for w in waiting] == [(2, 8)]
