"""The report writers' ``checkpoint``: called between sheets (Excel) and before each page (PDF) with
(done, total, text); a Cancelled (or any error) it raises leaves no file, no temporary file, and an older
report under the same name untouched."""

from __future__ import annotations

import datetime as dt

import pytest

from kexie_desktop import fonts
from kexie_desktop.errors import Cancelled
from kexie_desktop.report import build_report, write_report
from kexie_desktop.report.pdf import page_figures
from kexie_desktop.services import offices

YEAR, AS_OF = 2019, dt.date(2019, 9, 30)
CITY, UNIT = "320700", "320722"


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"  # tmp_path also holds the test's data folder
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def reports(_demo_template, tmp_path_factory):
    import shutil

    from kexie_desktop.startup import open_app_database

    path = tmp_path_factory.mktemp("checkpoint") / "demo.db"
    shutil.copyfile(_demo_template, path)
    db = open_app_database(path)
    try:
        with db.read() as s:
            return {code: build_report(s, offices.resolve(s, code), YEAR, AS_OF) for code in (CITY, UNIT)}
    finally:
        db.close()


class Recorder:
    """Records each call; raises Cancelled at call number ``stop`` (1-based), never when None."""

    def __init__(self, stop: int | None = None):
        self.calls: list[tuple[int, int, str]] = []
        self.stop = stop

    def __call__(self, done: int, total: int, text: str) -> None:
        self.calls.append((done, total, text))
        if self.stop is not None and len(self.calls) >= self.stop:
            raise Cancelled()


def test_excel_tells_each_sheet_then_the_save(reports, tmp_path):
    seen = Recorder()
    write_report(reports[CITY], tmp_path / "r.xlsx", checkpoint=seen)
    assert reports[CITY].reporting is not None
    sheets = ["封面", "总表", "分县区", "排名", "报送情况", "考核", "审核说明", "图表"]
    assert seen.calls == [(n, 9, f"正在写入 Excel：{name}…") for n, name in enumerate(sheets)] + [
        (8, 9, "正在保存 Excel 文件…")]


def test_excel_of_a_unit_has_no_matrix_or_ranking_steps(reports, tmp_path):
    seen = Recorder()
    write_report(reports[UNIT], tmp_path / "r.xlsx", checkpoint=seen)
    names = [text for _d, _t, text in seen.calls]
    assert "正在写入 Excel：分县区…" not in names and "正在写入 Excel：排名…" not in names
    assert [(d, t) for d, t, _x in seen.calls] == [(n, len(names)) for n in range(len(names))]


def test_pdf_tells_each_page_and_saves_as_many_as_page_figures_builds(reports, tmp_path):
    with fonts.chart_fonts():
        pages = len(page_figures(reports[CITY]))
    seen = Recorder()
    write_report(reports[CITY], tmp_path / "r.pdf", checkpoint=seen)
    assert seen.calls == [(n, pages, f"正在写入 PDF：第 {n + 1} 页，共 {pages} 页…") for n in range(pages)]


@pytest.mark.parametrize("name,stop", [("r.xlsx", 1), ("r.xlsx", 3), ("r.xlsx", 8), ("r.pdf", 1), ("r.pdf", 5)])
def test_a_cancelled_write_leaves_no_file_and_no_temporary_file(reports, out, name, stop):
    seen = Recorder(stop)
    with pytest.raises(Cancelled):
        write_report(reports[CITY], out / name, checkpoint=seen)
    assert len(seen.calls) == stop
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("name", ["r.xlsx", "r.pdf"])
def test_a_cancelled_rewrite_keeps_the_older_report_whole(reports, out, name):
    target = out / name
    write_report(reports[UNIT], target)
    before = target.read_bytes()
    with pytest.raises(Cancelled):
        write_report(reports[CITY], target, checkpoint=Recorder(2))
    assert target.read_bytes() == before
    assert [p.name for p in out.iterdir()] == [name]


def test_a_disk_error_while_writing_leaves_no_half_file(reports, out):
    def disk_full(done, total, text):
        if done == 2:
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_report(reports[CITY], out / "r.xlsx", checkpoint=disk_full)
    assert list(out.iterdir()) == []


def test_the_old_signatures_still_work(reports, out):
    from kexie_desktop.report.excel import write_workbook
    from kexie_desktop.report.pdf import write_pdf

    assert write_workbook(reports[UNIT], out / "a.xlsx") == out / "a.xlsx"
    assert write_pdf(reports[UNIT], str(out / "a.pdf")) == out / "a.pdf"
    assert write_report(reports[UNIT], out / "b.pdf", "pdf") == out / "b.pdf"
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf", "a.xlsx", "b.pdf"]
