"""The year-end summary (年度汇总表): every figure of the 总表 is the figure ``progress --json`` prints for the
same office, year and date; the workbook has its sheets, print settings and native charts in the CJK font."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import openpyxl
import pytest

from kexie_desktop import cli, display
from kexie_desktop.report import build_report, write_report
from kexie_desktop.report.excel import font_name, text_width
from kexie_desktop.report.model import ReportingSummary, report_title
from kexie_desktop.services import offices, settings

YEAR, AS_OF = 2019, "2019-09-30"
CITY, UNIT = "320700", "320722"
EXPLAINED = "东海县农民培训由多所学校联合组织，参与人数含线上。"


def run(db, *argv) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(["--db", db.target, *argv], out)
    return code, out.getvalue()


def progress_json(db, office: str) -> dict[str, dict]:
    code, text = run(db, "progress", "--office", office, "--year", str(YEAR), "--as-of", AS_OF, "--json")
    assert code == 0
    return {row["code"]: row for row in json.loads(text)}


def report_of(db, office: str):
    with db.read() as s:
        return build_report(s, offices.resolve(s, office), YEAR, dt.date.fromisoformat(AS_OF))


def write(db, office: str, path) -> None:
    code, text = run(db, "report", "--office", office, "--year", str(YEAR), "--as-of", AS_OF, "--out", str(path))
    assert code == 0, text
    assert str(path) in text


@pytest.mark.parametrize("office", [CITY, UNIT])
def test_every_summary_figure_is_the_progress_json_figure(demo_db, office):
    expected = progress_json(demo_db, office)
    report = report_of(demo_db, office)
    lines = report.lines
    assert sorted(x.code for x in lines) == sorted(expected)  # every target once, none invented
    for line in lines:
        row = expected[line.code]
        assert (line.actual, line.target, line.target_max, line.progress, line.expected, line.status) == (
            row["actual"], row["target"], row["target_max"], row["progress"], row["expected"], row["status"]
        ), line.code
        assert line.target_text == display.target(row["kind"], row["unit"], row["target"], None, row["target_max"])
        assert line.progress_text == display.percent(row["progress"], missing=display.MISSING)
        assert line.expected_text == display.percent(row["expected"], missing=display.MISSING)
        if office == CITY and row["units_total"]:
            assert line.units_text == f"{row['units_reported']}/{row['units_total']}"
    counted = dict(report.counts)
    assert sum(counted.values()) == len(expected)
    for status in display.STATUSES:
        assert counted[status] == sum(1 for r in expected.values() if r["status"] == status)


def test_sections_follow_the_plan_and_carry_the_plan_sentence(demo_db):
    report = report_of(demo_db, CITY)
    first = report.sections[0]
    assert first.title == "G 主要目标 · G2 服务公民科学素质提升方面"
    assert [x.code for x in first.lines] == ["I10"]
    i01 = next(x for x in report.lines if x.code == "I01")
    assert report.sections[1].title == "T1 实施品牌打造计划 · T1.1 打造海智工作品牌"
    assert i01 in report.sections[1].lines
    assert (i01.kind, i01.target_text, i01.actual_text, i01.sentence) == (
        "覆盖率", "全覆盖（100%）", "9/10", "力争实现省级海智基地县（区）全覆盖")


def test_cover_names_the_office_the_dates_and_the_reviewer(demo_db):
    with demo_db.write() as s:
        settings.put_people(s, settings.People("李填报", "王审核", "0518-1234567"))
    with demo_db.read() as s:
        report = build_report(s, offices.resolve(s, UNIT), YEAR, dt.date(2019, 9, 30), today=dt.date(2019, 12, 31))
    assert report.cover.lines() == [
        ("单位", "东海县科协"), ("年度", "2019年"), ("数据截至", "2019-09-30"), ("编制单位", "东海县科协"),
        ("编制日期", "2019-12-31"), ("审核人", "王审核"),
    ]
    assert report.cover.title == report_title(2019) == "连云港市科协三年行动计划 2019年度汇总表"
    assert report.matrix is None and report.ranking is None and report.charts.overall == []
    # 报送情况 of a unit's report made at the city: the city's measure of that unit (nothing received)
    assert report.reporting.lines == [
        ("报送截止", "每月5日前报送上月数据"), ("东海县科协", "完整率 0.0%，及时率 0.0%；未报：1—8月")]


def test_city_matrix_and_ranking_come_from_the_engine(demo_db):
    report = report_of(demo_db, CITY)
    code, text = run(demo_db, "ranking", "--year", str(YEAR), "--as-of", AS_OF, "--json")
    overall = json.loads(text)
    assert [(x.rank, x.value) for x in report.ranking.overall] == [(r["rank"], r["score"]) for r in overall]
    code, text = run(demo_db, "ranking", "--indicator", "I03", "--year", str(YEAR), "--as-of", AS_OF, "--json")
    i03 = json.loads(text)
    block = next(b for b in report.ranking.indicators if b.code == "I03")
    assert [(x.rank, x.value, x.status) for x in block.lines] == [(r["rank"], r["progress"], r["status"]) for r in i03]
    for r in i03:
        cell = report.matrix.cells[("I03", r["office"])]
        assert (cell.progress, cell.status) == (r["progress"], r["status"])
    assert report.matrix.reported["I02"] == "6/10"
    assert len(report.matrix.units) == 10


def test_explained_warnings_are_listed_with_the_rule_message(demo_db, tmp_path):
    with demo_db.write() as s:
        settings.put(s, "office_code", UNIT)
    code, text = run(demo_db, "check", "--office", UNIT, "--year", str(YEAR), "--json")
    warning = next(f for f in json.loads(text) if f["rule"] == "W06")
    code, text = run(demo_db, "explain", "--office", UNIT, "--rule", "W06", "--activity", warning["record"],
                     "--text", EXPLAINED)
    assert code == 0, text
    report = report_of(demo_db, UNIT)
    assert [(x.office_name, x.rule, x.value, x.message, x.explanation) for x in report.explained] == [
        ("东海县科协", "W06", warning["value"], warning["message"], EXPLAINED)]
    path = tmp_path / "unit.xlsx"
    write(demo_db, UNIT, path)
    rows = list(openpyxl.load_workbook(path)["审核说明"].iter_rows(min_row=4, values_only=True))
    assert rows == [("东海县科协", "W06", "活动台账 2019-01", warning["value"], warning["message"],
                     EXPLAINED)]


# -- the workbook ---------------------------------------------------------------------------------

@pytest.fixture
def city_book(demo_db, tmp_path):
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "汇总表.xlsx"
    write(demo_db, CITY, path)
    return path


def summary_rows(ws) -> dict[str, tuple]:
    return {row[0]: row for row in ws.iter_rows(min_row=5, values_only=True)
            if isinstance(row[0], str) and re.fullmatch(r"I\d\d", row[0])}


@pytest.mark.parametrize("office", [CITY, UNIT])
def test_workbook_summary_cells_are_the_progress_json_figures(demo_db, tmp_path, office):
    path = tmp_path / "r.xlsx"
    write(demo_db, office, path)
    expected = progress_json(demo_db, office)
    wb = openpyxl.load_workbook(path)
    city = office == CITY
    assert wb.sheetnames == (["封面", "总表", "分县区", "排名", "报送情况", "考核", "审核说明", "图表"] if city
                             else ["封面", "总表", "报送情况", "审核说明", "图表"])
    rows = summary_rows(wb["总表"])
    assert sorted(rows) == sorted(expected)
    for code, row in expected.items():
        cells = rows[code]
        assert cells[3] == display.target(row["kind"], row["unit"], row["target"], None, row["target_max"])
        # XlsxWriter stores 16 significant digits (%.16g): the same number within the last digit
        progress = display.MISSING if row["progress"] is None else pytest.approx(row["progress"], rel=1e-15)
        assert cells[5] == progress
        assert cells[6] == pytest.approx(row["expected"], rel=1e-15)
        assert cells[7] == row["status"]
    counts = wb["总表"]["A3"].value
    assert f"共 {len(expected)} 项目标" in counts


def test_workbook_print_settings(city_book):
    wb = openpyxl.load_workbook(city_book)
    for ws in wb.worksheets:
        setup = ws.page_setup
        # fitToWidth: XlsxWriter leaves out the default 1
        assert (setup.orientation, str(setup.paperSize), setup.fitToWidth or 1, setup.fitToHeight) == (
            "landscape", "9", 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.oddFooter.center.text == "第&P页 共&N页", ws.title
    for name, last_header in (("总表", 4), ("分县区", 4), ("排名", 4), ("审核说明", 3)):
        ws = wb[name]
        assert ws.print_title_rows == f"$1:${last_header}", name
        assert ws.freeze_panes == f"A{last_header + 1}", name
    assert wb["图表"].row_breaks.count == 5  # one chart per printed page


def test_workbook_columns_are_wide_enough_for_their_figures(city_book):
    """No #### in a printed cell: every unwrapped text and every percentage fits its column."""
    wb = openpyxl.load_workbook(city_book)
    for name, columns in (("总表", "ACDEFGHI"), ("分县区", "ACDEFGHIJKLM")):
        ws = wb[name]
        rows = [row for row in ws.iter_rows(min_row=5, values_only=True) if re.fullmatch(r"I\d\d", row[0] or "")]
        assert rows, name
        for letter in columns:
            width = ws.column_dimensions[letter].width
            for row in rows:
                value = row[ord(letter) - 65]
                shown = f"{value:.1%}" if isinstance(value, float) else str(value or "")
                assert text_width(shown) <= width, (name, letter, shown, width)


def test_workbook_has_native_charts_in_the_cjk_font(city_book, demo_db, tmp_path):
    with zipfile.ZipFile(city_book) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = [z.read(n).decode("utf-8") for n in charts]
    assert len(charts) == 5  # 完成率, 综合排名, three monthly trends
    assert "<c:barChart>" in xml[0] and "<c:lineChart>" in xml[0]  # bars with the 时序进度 line
    assert '<c:barDir val="bar"/>' in xml[1]
    assert all("<c:lineChart>" in x for x in xml[2:])
    font = font_name()
    assert font in ("Noto Sans CJK SC", "Microsoft YaHei", "Microsoft YaHei UI", "微软雅黑", "SimHei",
                    "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
                    "WenQuanYi Zen Hei")
    for x in xml:
        faces = re.findall(r'<a:latin typeface="([^"]+)"', x)
        # title, both axes' names and numbers, legend (and data labels where there are any)
        assert len(faces) >= 6 and set(faces) == {font}, faces
        assert re.findall(r'<a:ea typeface="([^"]+)"', x) == faces
    assert "各指标完成率" in xml[0] and "各县区综合排名" in xml[1]
    unit = tmp_path / "unit.xlsx"
    write(demo_db, UNIT, unit)
    with zipfile.ZipFile(unit) as z:
        assert len([n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == 4


def test_bad_output_office_or_year_exits_2_with_chinese_and_writes_nothing(demo_db, tmp_path, capsys):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    cases = [
        (["--office", UNIT, "--year", "2019", "--out", str(tmp_path / "r.csv")], "须以 .xlsx（Excel）或 .pdf 结尾"),
        (["--office", "火星", "--year", "2019", "--out", str(tmp_path / "r.xlsx")], "没有名为或代码为“火星”的单位"),
        (["--office", UNIT, "--year", "2030", "--out", str(tmp_path / "r.xlsx")], "超出计划期"),
        (["--office", UNIT, "--year", "2019", "--out", str(tmp_path / "no" / "r.xlsx")], "不存在"),
    ]
    for args, message in cases:
        code, _out = run(demo_db, "report", *args)
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1, (args, err)
    assert list(tmp_path.iterdir()) == []


def test_a_report_replaces_an_older_file_whole(city_book, demo_db):
    city_book.write_bytes(b"old")
    write(demo_db, CITY, city_book)
    assert zipfile.is_zipfile(city_book)
    assert [p.name for p in city_book.parent.iterdir()] == [city_book.name]


def test_reporting_summary_gets_its_sheet_and_pages_once_filled(demo_db, tmp_path):
    """报送情况 is None until kexie_desktop/reporting is merged; both forms already print it when given."""
    report = report_of(demo_db, CITY)
    report.reporting = ReportingSummary([("按时报送", "8/10 个县区"), ("未报送", "徐圩新区、云台山风景名胜区")])
    xlsx = write_report(report, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(xlsx)["报送情况"]
    assert [row for row in ws.iter_rows(min_row=4, values_only=True)] == list(report.reporting.lines)
    assert openpyxl.load_workbook(xlsx).sheetnames.index("报送情况") == 4  # after 排名, before 审核说明


def test_the_reporting_sheet_carries_the_citys_rates_of_a_prepared_year(db, tmp_path):
    """tests/reporting_year.py: 4 units, today 2020-10-08, 1—9月 due. Hand-computed there: 36 due, 23 received,
    13 on time; per unit 连云区 9/9 and 9/9, 海州区 8/9 and 2/9, 赣榆区 0 and 0, 东海县 6/9 and 2/9."""
    import reporting_year as prepared

    with db.write() as s:
        prepared.prepare(s)
    with db.read() as s:
        report = build_report(s, offices.city(s), prepared.YEAR, prepared.TODAY, today=prepared.TODAY)
    assert report.reporting.lines == [
        ("报送截止", "每月5日前报送上月数据"),
        ("全市完整率", "63.9%（已报 23 / 应报 36 个单位·月）"),
        ("全市及时率", "36.1%（按时 13 / 应报 36）"),
        ("连云区科协", "完整率 100.0%，及时率 100.0%"),
        ("海州区科协", "完整率 88.9%，及时率 22.2%；未报：9月；未审核：8月；迟报：1—2、4—5、7月"),
        ("赣榆区科协", "完整率 0.0%，及时率 0.0%；未报：1—9月"),
        ("东海县科协", "完整率 66.7%，及时率 22.2%；未报：8—9月；退回待重报：5月；迟报：2—4、6月"),
    ]
    path = write_report(report, tmp_path / "city.xlsx")
    ws = openpyxl.load_workbook(path)["报送情况"]
    assert next(ws.iter_rows(min_row=3, max_row=3, values_only=True)) == ("项目", "情况")
    assert [row for row in ws.iter_rows(min_row=4, values_only=True)] == report.reporting.lines
