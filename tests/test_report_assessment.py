"""The 考核 part of the city's 年度汇总表 on the prepared year (tests/assessment_year.py): the model's rows are
the assessment's figures; the Excel sheet and the PDF page carry them; a unit's report has none."""

from __future__ import annotations

import openpyxl

from kexie_desktop import fonts
from kexie_desktop.report import model as core
from kexie_desktop.report.excel import write_workbook
from kexie_desktop.report.pdf import _assessment_pages, page_figures
from kexie_desktop.services import offices

import assessment_year as prepared

ROWS = [
    ["连云区", "区", "28.00", "7.00", "14.00", "49.00", "74.00", "66.22%", "1", "1",
     "科教兴农项目 失 6.00 分；县区细化实施方案、分解目标任务 失 3.00 分；推广新技术新产品 失 2.00 分"],
    ["东海县", "县", "40.00", "3.33", "8.89", "52.22", "88.00", "59.34%", "1", "2",
     "培育认定特色家庭农场 失 8.00 分；报送及时率 失 7.78 分；报送完整率 失 3.33 分"],
    ["海州区", "区", "19.33", "4.50", "7.55", "31.38", "74.00", "42.41%", "2", "3",
     "科教兴农项目 失 12.00 分；培育认定特色家庭农场 失 4.67 分；报送及时率 失 3.89 分"],
    ["赣榆区", "区", "0.00", "0.00", "4.00", "4.00", "74.00", "5.41%", "3", "4",
     "科教兴农项目 失 24.00 分；培育认定特色家庭农场 失 12.00 分；县区细化实施方案、分解目标任务 失 6.00 分"],
]


def test_the_city_report_carries_the_assessment(db, tmp_path):
    with db.write() as s:
        prepared.prepare(s)
    with db.read() as s:
        report = core.build_report(s, offices.city(s), prepared.YEAR, prepared.AS_OF, prepared.AS_OF)
        unit = core.build_report(s, offices.resolve(s, prepared.DONGHAI), prepared.YEAR, prepared.AS_OF, prepared.AS_OF)
    assert report.assessment.rows == ROWS
    assert report.assessment.note.startswith("已保存的考核方案，完成率封顶 120%；2 类：区、县。")
    assert unit.assessment is None
    path = write_workbook(report, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)["考核"]
    assert [c.value for c in ws[4]][:3] == ["单位", "类别", "定量指标"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=8)] == ROWS
    with fonts.chart_fonts():
        pages = _assessment_pages(report)
        texts = [t.get_text() for t in pages[0].texts]
        assert len(pages) == 1 and texts[0] == "连云港市科协三年行动计划 2020年度汇总表 · 考核"
        assert _assessment_pages(unit) == []
        titles = [f.texts[0].get_text() for f in page_figures(report)]
    i = titles.index(texts[0])
    assert titles[i - 1].endswith("· 报送情况") and titles[i + 1].endswith("· 审核说明")
