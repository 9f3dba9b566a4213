"""Issue 17, Done when: the old plan's progress, reports and packages are byte-for-byte the same before
and after the new plan exists (the JSON outputs compared), and so are its rows in the database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json

import openpyxl

from kexie_desktop import cli
from kexie_desktop.report.model import build_report
from kexie_desktop.services import offices, plan
from kexie_desktop.startup import open_app_database
from tests.dbdump import db_content

OLD = "LYG-KX-2018-2020"
NEW = "LYG-KX-2021-2025"


def run(db_path, *args) -> str:
    out = io.StringIO()
    code = cli.run(["--db", str(db_path), *args], out=out)
    assert code in (0, 1), (args, code, out.getvalue())  # check exits 1 when it finds errors
    return out.getvalue()


READINGS = [
    ("progress", "--office", "市科协", "--year", "2020", "--as-of", "2020-12-31", "--json"),
    ("progress", "--office", "市科协", "--year", "2019", "--as-of", "2019-09-30", "--json"),
    ("progress", "--office", "东海县", "--year", "2020", "--as-of", "2020-12-31", "--json"),
    ("ranking", "--year", "2020", "--as-of", "2020-12-31", "--json"),
    ("ranking", "--indicator", "I02", "--year", "2020", "--as-of", "2020-12-31", "--json"),
    ("check", "--office", "东海县", "--year", "2020", "--as-of", "2020-12-31", "--json"),
    ("indicators", "--json"),
    ("tasks", "--office", "市科协", "--as-of", "2020-12-31", "--json"),
    ("reporting", "--year", "2020", "--today", "2021-01-20", "--json"),
]


def report_json(db_path, plan_code: str | None) -> str:
    db = open_app_database(db_path)
    try:
        with db.read() as s:
            plan.show_plan(s, plan_code)
            report = build_report(s, offices.city(s), 2020, dt.date(2020, 12, 31), today=dt.date(2021, 1, 20))
    finally:
        db.close()
    return repr(dataclasses.asdict(report))  # the whole model: every figure, text and chart series


def outputs(db_path, *extra) -> dict[str, str]:
    found = {" ".join(args): run(db_path, *args, *extra) for args in READINGS}
    found["packages"] = run(db_path, "packages", "--json")
    found["report"] = report_json(db_path, extra[1] if extra else None)
    return found


def old_rows(db_path, old_indicator_ids: set[int]) -> dict[str, list[tuple]]:
    """The database's rows that belong to the old plan (by its indicators), and the ledger."""
    content = db_content(db_path)
    return {"data_value": [r for r in content["data_value"] if r[1] in old_indicator_ids],
            "target": [r for r in content["target"] if r[1] in old_indicator_ids],
            "activity_2018_2020": [r for r in content["activity"] if str(r[4]) < "2021"],
            "plan": [r for r in content["plan"] if r[1] == OLD]}


def test_the_old_plans_outputs_are_the_same_before_and_after_the_new_plan(demo_db_path, tmp_path):
    db_path = demo_db_path
    run(db_path, "init", "--office", "市科协")
    before = outputs(db_path)
    assert json.loads(before[" ".join(READINGS[0])])[0]["code"] == "I01"
    db = open_app_database(db_path)
    with db.read() as s:
        ids = {i.id for i in plan.indicators(s, plan.plan_by_code(s, OLD))}
    db.close()
    rows_before = old_rows(db_path, ids)

    # The new plan: copied, edited in the template (a target changed, an indicator removed), published, current
    run(db_path, "plan", "copy", "--from", OLD, "--code", NEW, "--name", "新一轮计划", "--start", "2021", "--end", "2025")
    assert outputs(db_path) == before  # a draft changes nothing of the current plan
    template = tmp_path / "plan.xlsx"
    run(db_path, "plan", "template", "--plan", NEW, "--out", str(template))
    wb = openpyxl.load_workbook(template)
    ws = wb["指标"]
    ws["L3"] = "15"  # I02 市目标
    ws.delete_rows(6)  # I05
    wb.save(template)
    run(db_path, "plan", "load", str(template))
    run(db_path, "plan", "publish", NEW)
    run(db_path, "plan", "use", NEW)
    # ... and data of 2021 in it
    run(db_path, "value", "set", "--office", "市科协", "--indicator", "I10", "--month", "2021-03", "--value", "11.2")
    run(db_path, "activity", "add", "--office", "东海县", "--type", "高层次学术报告会", "--date", "2021-04-02",
        "--title", "2021年学术报告会", "--audience", "120")
    run(db_path, "target", "set", "--office", "市科协", "--indicator", "I12", "--value", "80000")

    after = outputs(db_path, "--plan", OLD)
    for name in before:
        assert after[name] == before[name], name
    assert old_rows(db_path, ids) == rows_before
