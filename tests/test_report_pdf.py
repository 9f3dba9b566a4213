"""The year-end summary as a PDF: A4 landscape pages of the same model, the Simplified Chinese face embedded
(pdffonts), its text extractable as Chinese (pdftotext) with the figures of ``progress --json``."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess

import pytest

from kexie_desktop import cli, display
from kexie_desktop.report import build_report, write_report
from kexie_desktop.report.model import ReportingSummary
from kexie_desktop.services import offices

YEAR, AS_OF = "2019", "2019-09-30"


def need(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {name} (poppler-utils)")
        pytest.skip(f"{name}（poppler-utils）未安装，跳过 PDF 检查。")
    return tool


def run(db, *argv) -> str:
    out = io.StringIO()
    code = cli.run(["--db", db.target, *argv], out)
    assert code == 0
    return out.getvalue()


def tool_output(*argv) -> str:
    return subprocess.run([need(argv[0]), *argv[1:]], check=True, capture_output=True, timeout=60).stdout.decode()


@pytest.mark.parametrize("office", ["320700", "320722"])
def test_pdf_report_embeds_the_sc_face_and_prints_the_progress_figures(demo_db, tmp_path, office):
    pdf = tmp_path / "out" / "汇总表.pdf"
    pdf.parent.mkdir()
    run(demo_db, "report", "--office", office, "--year", YEAR, "--as-of", AS_OF, "--out", str(pdf))
    assert [p.name for p in pdf.parent.iterdir()] == [pdf.name]

    fonts = tool_output("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts
    cjk = [line for line in fonts if "CJK" in line or "Hei" in line or "YaHei" in line]
    assert cjk, fonts
    for line in fonts:
        assert re.search(r"\byes\s+yes\s+yes\b", line), line  # embedded, subset, with a ToUnicode map
    assert not [line for line in cjk if re.search(r"CJKjp|JP\b", line)], cjk  # the SC face, not the JP one

    info = tool_output("pdfinfo", str(pdf))
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)", info), info
    pages = tool_output("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == len(pages)
    assert "连云港市科协三年行动计划 2019年度汇总表" in pages[0] and "编制单位" in pages[0]
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页 共{len(pages)}页" in page, n
    rows = json.loads(run(demo_db, "progress", "--office", office, "--year", YEAR, "--as-of", AS_OF, "--json"))
    summary = [line for page in pages if "· 总表" in page for line in page.splitlines()]
    for row in rows:
        line = next(x for x in summary if x.strip().startswith(row["code"] + " "))
        for shown in (display.percent(row["progress"], missing=display.MISSING),
                      display.percent(row["expected"]), row["status"]):
            assert shown in line, (row["code"], shown, line)
    text = "\n".join(pages)
    assert "各指标完成率" in text and "审核说明" in text
    assert ("各县区综合排名" in text and "分县区完成率" in text) == (office == "320700")
    assert text.count("与目标进度") == 3  # the monthly trends of three headline indicators


def test_pdf_prints_the_reporting_summary_once_filled(demo_db, tmp_path):
    with demo_db.read() as s:
        report = build_report(s, offices.resolve(s, "320722"), 2019, dt.date(2019, 9, 30))
    report.reporting = ReportingSummary([("按时报送", "9/9 个月")])
    text = tool_output("pdftotext", str(write_report(report, tmp_path / "r.pdf")), "-")
    assert "汇总表 · 报送情况" in text and "按时报送" in text and "9/9 个月" in text
