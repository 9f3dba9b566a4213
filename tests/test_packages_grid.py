"""A worksheet that claims cells at the far corner of Excel's grid (XFD1048576), and a parser that
panics: both are refused like any damaged file, with one Chinese line and the database unchanged.

python-calamine allocates the rectangle from A1 to the farthest cell: a cell at XFD1048576 asks for
512 GB (the process aborts), a reference past the grid makes it panic (pyo3's PanicException, a
BaseException). safety.check_grid bounds both before the parser starts; a panic that still happens
is caught at the package boundary.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hostile import files
from hostile.helpers import dump, export_sub, init_unit, log_results, make_city
from kexie_desktop import packages
from kexie_desktop import activity_sheet
from kexie_desktop.packages.format.errors import PackageError
from kexie_desktop.packages.format import safety
from kexie_desktop.services import offices, plan, values
from kexie_desktop.startup import open_app_database

ROOT = Path(__file__).resolve().parents[1]
UNIT = "320703"
FAR_CELL = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
PANIC_CELL = b'<row r="4294967295"><c r="ZZZZZZ4294967295"><v>1</v></c></row></sheetData>'


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grid")
    city = make_city(tmp / "city.db")
    unit = open_app_database(tmp / "unit.db")
    init_unit(city, unit, UNIT, tmp)
    with unit.write() as s:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), 2019, 3, 4.0)
    export_sub(unit, UNIT, 2019, tmp / "sub.xlsx")
    unit.close()
    city.close()
    return tmp


@pytest.fixture
def city(origin, tmp_path):
    (tmp_path / "city.db").write_bytes((origin / "city.db").read_bytes())
    db = open_app_database(tmp_path / "city.db")
    yield db
    db.close()


def _with_cell(src: Path, dst: Path, sheet: str, cell: bytes) -> Path:
    return files.edit_sheet(src, dst, sheet, lambda xml: xml.replace(b"</sheetData>", cell, 1))


def _with_dimension(src: Path, dst: Path, sheet: str, ref: str) -> Path:
    """A hand-edited file may declare any <dimension> (it goes before <sheetViews>)."""
    import re

    def edit(xml: bytes) -> bytes:
        tag = f'<dimension ref="{ref}"/>'.encode()
        if re.search(rb"<dimension [^>]*/>", xml):  # XlsxWriter declares one: replace it
            return re.sub(rb"<dimension [^>]*/>", tag, xml, count=1)
        return xml.replace(b"<sheetViews>", tag + b"<sheetViews>", 1)

    return files.edit_sheet(src, dst, sheet, edit)


def _refused(city, path: Path) -> str:
    before, logged = dump(city), len(log_results(city))
    result = packages.apply(city, path)
    assert result.outcome == "refused", result.message
    assert dump(city) == before
    assert log_results(city)[logged:] == ["refused"]
    return result.message


def test_a_cell_at_the_far_corner_is_refused_before_the_parser_sees_it(city, origin, tmp_path):
    path = _with_cell(origin / "sub.xlsx", tmp_path / "far.xlsx", "月度数据", FAR_CELL)
    message = _refused(city, path)
    assert message == ("文件“far.xlsx”：工作表“月度数据”：单元格范围过大（1048576 行 × 16384 列；上限 256 列、"
                       "共 3000000 个单元格），本程序导出的文件不会这样，文件已损坏或被改动过，已拒绝导入。")


def test_a_declared_dimension_past_the_bounds_is_refused(city, origin, tmp_path):
    path = _with_dimension(origin / "sub.xlsx", tmp_path / "dim.xlsx", "活动台账", "A1:XFD1048576")
    assert "声明的单元格范围 A1:XFD1048576 过大（1048576 行 × 16384 列" in _refused(city, path)


def test_a_parser_panic_is_refused_like_a_damaged_file(city, origin, tmp_path, monkeypatch):
    """With the bound switched off, the parser really panics; the import refuses the file."""
    monkeypatch.setattr(safety, "check_grid", lambda parts: None)
    path = _with_cell(origin / "sub.xlsx", tmp_path / "panic.xlsx", "月度数据", PANIC_CELL)
    assert _refused(city, path) == "文件“panic.xlsx”：工作表“月度数据”：工作表已损坏，无法读取。"
    batch = packages.import_batch(city, [path, origin / "sub.xlsx"])
    assert [r.outcome for r in batch.results] == ["refused", "applied"]


def _cli_import(tmp_path, db: Path, path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, KEXIE_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), "import", str(path)],
                          capture_output=True, text=True, env=env, timeout=300)


def test_the_cli_refuses_the_far_corner_with_a_chinese_line(city, origin, tmp_path):
    path = _with_cell(origin / "sub.xlsx", tmp_path / "F.xlsx", "月度数据", FAR_CELL)
    db_path = city.path
    city.close()
    done = _cli_import(tmp_path, db_path, path)
    both = done.stdout + done.stderr
    assert done.returncode == 1, both
    assert "Traceback" not in both and "panicked" not in both
    lines = done.stdout.splitlines()
    assert lines == ["[已拒绝] 文件“F.xlsx”：工作表“月度数据”：单元格范围过大（1048576 行 × 16384 列；上限 256 列、"
                     "共 3000000 个单元格），本程序导出的文件不会这样，文件已损坏或被改动过，已拒绝导入。",
                     "共 1 个文件：已拒绝 1 个。"]


def _activity_file(db, tmp_path) -> Path:
    with db.read() as s:
        template = activity_sheet.write_template(s, tmp_path / "模板.xlsx")
    return template


def test_the_activity_sheet_import_refuses_the_far_corner(db, tmp_path):
    path = _with_cell(_activity_file(db, tmp_path), tmp_path / "活动.xlsx", activity_sheet.SHEET, FAR_CELL)
    with db.read() as s, pytest.raises(PackageError) as caught:
        activity_sheet.read_sheet(s, offices.resolve(s, "海州区"), path)
    assert "单元格范围过大（1048576 行 × 16384 列" in str(caught.value)


def test_the_activity_sheet_import_refuses_a_parser_panic(db, tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "check_grid", lambda parts: None)
    path = _with_cell(_activity_file(db, tmp_path), tmp_path / "活动.xlsx", activity_sheet.SHEET, PANIC_CELL)
    with db.read() as s, pytest.raises(PackageError) as caught:
        activity_sheet.read_sheet(s, offices.resolve(s, "海州区"), path)
    assert str(caught.value) == "文件“活动.xlsx”：工作表“活动台账”：工作表已损坏，无法读取。"


def test_the_grid_of_a_genuine_package_is_measured_exactly(origin):
    parts = safety.inflate_checked((origin / "sub.xlsx").read_bytes())
    safety.check_grid(parts)
    sheet = parts[safety.sheet_parts(parts)["月度数据"]]
    assert safety._cell_extent(sheet) == (8, 2)  # 8 columns; the header and one value


@pytest.mark.parametrize("xml, extent", [
    (b'<row r="1"><c r="A1"/><c r="IW1"/></row>', (257, 1)),  # plain spelling, one column too many
    (b"<row r='1'><c r='XFD1'/></row>", (16384, 1)),  # single quotes
    (b'<row r="1"><c s="1" r="XFD1"/></row>', (16384, 1)),  # r after another attribute
    (b'<row r="1"><c r = "xfd1"/></row>', (16384, 1)),  # spaces, lower case
    (b'<row r="1"><c r="A1"/></row><row r="2"><c r="J3000001"/></row>', (10, 3000001)),  # far below its row
])
def test_every_spelling_of_a_far_reference_is_measured(xml, extent):
    """The fast measure of the usual spelling and the general one agree; an unusual spelling takes the
    general one, so no way of writing the reference slips past the bound."""
    content = b'<worksheet xmlns:r="x"><sheetData>' + xml + b"</sheetData></worksheet>"
    assert safety._cell_extent(content) == safety._general_cell_extent(content) == extent
    with pytest.raises(PackageError, match="单元格范围过大"):
        safety._check_extent("月度数据", *extent)
