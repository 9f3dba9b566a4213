"""CLI `reporting`: the prepared year (tests/reporting_year.py) as JSON and as a matrix; a unit is refused."""

from __future__ import annotations

import io
import json

import pytest

from kexie_desktop import cli
from kexie_desktop.services import offices

import reporting_year as prepared


def run(db, *argv) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", db.target, *argv], out)
    return code, out.getvalue()


@pytest.fixture
def year(db):
    with db.write() as s:
        rows = prepared.prepare(s)
    return db, rows


def test_json_one_object_per_unit_and_month(year):
    db, rows = year
    code, text = run(db, "reporting", "--year", "2020", "--today", "2020-10-08", "--json")
    assert code == 0
    data = json.loads(text)
    assert set(data) >= {"cells", "units", "city", "overdue"}
    cells = {(c["office"], c["month"]): c for c in data["cells"]}
    assert len(cells) == len(data["cells"]) == 48
    pick = lambda key: {k: cells[key][k] for k in ("office", "month", "state", "created", "arrived")}  # noqa: E731
    assert pick(("320706", "2020-06")) == {"office": "320706", "month": "2020-06", "state": "按时",
                                           "created": "2020-07-05 23:30:00", "arrived": "2020-07-06 01:30:00"}
    assert pick(("320706", "2020-07")) == {"office": "320706", "month": "2020-07", "state": "迟报",
                                           "created": "2020-08-06 00:00:00", "arrived": "2020-08-06 02:00:00"}
    assert pick(("320706", "2020-08"))["state"] == "未审核"
    assert pick(("320707", "2020-03")) == {"office": "320707", "month": "2020-03", "state": "未报",
                                           "created": None, "arrived": None}
    assert pick(("320722", "2020-05")) == {"office": "320722", "month": "2020-05", "state": "已退回待重报",
                                           "created": None, "arrived": "2020-08-01 10:00:00"}
    assert cells[("320722", "2020-05")]["reasons"] == [{"indicator": None, "reason": "五月科普讲座缺少活动台账记录"}]
    assert cells[("320722", "2020-03")]["sequence"] == 3  # answered by seq 3, created 04-20: late
    assert pick(("320722", "2020-10"))["state"] == "未到期" and cells[("320722", "2020-10")]["due"] is False
    units = {u["office"]: u for u in data["units"]}
    assert units["320706"] == {"office": "320706", "name": "海州区科协", "due": 9, "received": 8, "on_time": 2,
                               "completeness": 8 / 9, "timeliness": 2 / 9}
    assert units["320722"]["completeness"] == 6 / 9 and units["320722"]["timeliness"] == 2 / 9
    assert units["320703"]["completeness"] == 1.0 and units["320707"]["timeliness"] == 0.0
    assert data["city"] == {"due": 36, "received": 23, "on_time": 13, "completeness": 23 / 36, "timeliness": 13 / 36}
    assert [(o["office"], o["missing"], o["returned"], o["draft"]) for o in data["overdue"]] == [
        ("320706", [9], [], [8]), ("320707", list(range(1, 10)), [], []), ("320722", [8, 9], [5], [])]
    assert data["overdue"][1]["text"] == ("赣榆区科协：贵单位2020年1—9月的数据尚未报送（截止日期：每月5日前报送上月数据），"
                                          "请尽快在程序中审核后导出上报包发送至市科协。")


def test_text_matrix(year):
    db, _rows = year
    code, text = run(db, "reporting", "--year", "2020", "--today", "2020-10-08")
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == "2020年报送情况，截至 2020-10-08（截止日期：每月5日前报送上月数据）"
    assert lines[1].split("\t") == ["单位", *[f"{m}月" for m in range(1, 13)], "应报", "已报", "按时", "完整率", "及时率"]
    assert lines[3].split("\t") == ["海州区", "迟报", "迟报", "按时", "迟报", "迟报", "按时", "迟报", "未审", "未报",
                                    "—", "—", "—", "9", "8", "2", "88.9%", "22.2%"]
    assert lines[5].split("\t")[5:6] == ["退回"]
    assert lines[6].split("\t") == ["全市", *[""] * 12, "36", "23", "13", "63.9%", "36.1%"]  # 23/36, 13/36
    assert lines[7] == "图例：未审＝未审核，退回＝已退回待重报，—＝未到期"
    assert lines[8] == "催报："
    assert lines[9].startswith("各县区科协：截至2020年10月8日") and lines[-1] == "请尽快在程序中审核后导出上报包发送至市科协。"


def test_a_unit_installation_is_refused(db, capsys):
    with db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "东海县"))
    code, text = run(db, "reporting", "--year", "2020", "--json")
    assert (code, text) == (2, "")
    assert capsys.readouterr().err == "错误：本机是东海县科协：报送情况只在市科协查看；本单位各月的报送状态见数据交换页。\n"


def test_bad_year_and_date(year, capsys):
    db, _rows = year
    assert run(db, "reporting", "--year", "2030") == (2, "")
    assert capsys.readouterr().err == "错误：年份 2030 超出计划期（2018—2020年）。\n"
    assert run(db, "reporting", "--year", "2020", "--today", "2020-13-01") == (2, "")
    assert capsys.readouterr().err == "错误：日期“2020-13-01”不存在，请检查月份和日。\n"
