"""The year-end workbook read by a real third-party program: LibreOffice converts it to PDF (its own
temporary profile, a timeout), and the pages carry the Chinese titles, the figures and the drawn charts.

LibreOffice is installed by the dev set-up (tools/setup.sh --dev); the test skips on a machine without it,
but fails in CI (CI=true), where a skipped round trip would hide a broken report."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from kexie_desktop import cli, display

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
YEAR, AS_OF = "2019", "2019-09-30"


def need(tool: str | None, name: str) -> str:
    if tool is None:
        reason = f"{name} 未安装，跳过 LibreOffice 往返测试；tools/setup.sh --dev 会安装它。"
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {name}: {reason}")
        pytest.skip(reason)
    return tool


def run(db, *argv) -> str:
    out = io.StringIO()
    assert cli.run(["--db", db.target, *argv], out) == 0
    return out.getvalue()


def to_pdf(xlsx: Path, outdir: Path, profile: Path) -> Path:
    soffice = need(SOFFICE, "LibreOffice（soffice）")
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)],
        check=True, timeout=300, capture_output=True,
    )
    pdf = outdir / f"{xlsx.stem}.pdf"
    assert pdf.exists()
    return pdf


def pages_text(pdf: Path) -> list[str]:
    tool = need(shutil.which("pdftotext"), "pdftotext（poppler-utils）")
    text = subprocess.run([tool, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60).stdout
    return text.decode("utf-8").split("\f")


def ink_share(pdf: Path, page: int, folder: Path) -> float:
    """The share of non-white pixels of one page drawn at 40 dpi."""
    tool = need(shutil.which("pdftoppm"), "pdftoppm（poppler-utils）")
    stem = folder / f"page{page}"
    subprocess.run([tool, "-r", "40", "-f", str(page), "-l", str(page), "-singlefile", "-png", str(pdf), str(stem)],
                   check=True, timeout=60)
    with Image.open(f"{stem}.png") as image:
        counts = image.convert("L").histogram()
    return sum(counts[:200]) / sum(counts)


def convert(db, tmp_path, office: str) -> Path:
    (tmp_path / "out").mkdir()
    xlsx = tmp_path / "out" / f"{office}-2019.xlsx"
    run(db, "report", "--office", office, "--year", YEAR, "--as-of", AS_OF, "--out", str(xlsx))
    return to_pdf(xlsx, tmp_path / "out", tmp_path / "lo-profile")


def check_summary(pages: list[str], db, office: str, codes) -> None:
    """The 总表 pages: one page wide with the header repeated, and the figures of ``progress --json``."""
    summary_pages = [p for p in pages if "· 总表" in p]
    assert summary_pages
    for page in summary_pages:
        assert "代码" in page and "计划原文" in page and "####" not in page
    rows = {r["code"]: r for r in json.loads(run(db, "progress", "--office", office, "--year", YEAR,
                                                  "--as-of", AS_OF, "--json"))}
    lines = "\n".join(summary_pages).splitlines()
    for code in codes:
        line = next(x for x in lines if x.strip().startswith(code))
        row = rows[code]
        for shown in (row["name"], display.percent(row["progress"]), display.percent(row["expected"]), row["status"]):
            assert shown in line, (code, shown, line)


def test_libreoffice_prints_the_city_report_with_titles_figures_and_charts(demo_db, tmp_path):
    pdf = convert(demo_db, tmp_path, "320700")
    pages = pages_text(pdf)
    text = "\n".join(pages)
    for title in ("连云港市科协三年行动计划 2019年度汇总表", "总表", "分县区完成率", "排名", "审核说明", "编制单位",
                  "第1页 共"):
        assert title in text, title
    check_summary(pages, demo_db, "320700", ("I03", "I12", "I17"))
    # the charts: their titles are drawn, and their pages carry ink
    chart_pages = [n for n, p in enumerate(pages, start=1)
                   if "各指标完成率" in p or "各县区综合排名" in p or "与目标进度" in p]
    assert len(chart_pages) >= 5, chart_pages
    for page in chart_pages[:5]:
        assert ink_share(pdf, page, tmp_path) > 0.01, page
    assert len(pages) - 1 == int(text.split("第1页 共")[1].split("页")[0])  # the footer counts every page


def test_libreoffice_prints_a_unit_report(demo_db, tmp_path):
    pages = pages_text(convert(demo_db, tmp_path, "320722"))
    text = "\n".join(pages)
    assert "东海县科协" in text and "审核说明" in text and "分县区完成率" not in text
    check_summary(pages, demo_db, "320722", ("I02", "I09", "I30"))
    assert text.count("与目标进度") == 3
