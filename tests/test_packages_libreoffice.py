"""A package opened and saved again by LibreOffice still verifies and imports identical data.

CI installs LibreOffice (apt: libreoffice-calc-nogui, or libreoffice-calc); the test only skips when
``soffice`` is missing, and says so."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from hostile.helpers import Pair, init_unit, make_city, office_year
from kexie_desktop import packages
from kexie_desktop.services import activities, offices, plan, settings, targets

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
UNIT = "320703"
TRICKY = [
    ("=1+1", "公式样的标题"),
    ("+86 科普讲座", "多行备注\n第二行"),
    ("-5 度的冬季讲座", "_x0041_ 字面转义"),
    ("@所有人 讲座", "  前后空格  "),
    ("普通讲座 & <尖括号> \"引号\"", "制表\t符"),
]


def resave(src: Path, outdir: Path, profile: Path) -> Path:
    if SOFFICE is None:
        reason = "LibreOffice（soffice）未安装，跳过重新保存测试；CI 会安装 libreoffice-calc。"
        print(reason)
        pytest.skip(reason)
    outdir.mkdir(exist_ok=True)
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(outdir), str(src)],
        check=True, timeout=300, capture_output=True,
    )
    out = outdir / src.name
    assert out.exists() and out.read_bytes() != src.read_bytes()
    return out


@pytest.fixture
def pair(tmp_path, demo_db):
    city = make_city(tmp_path / "city.db")
    with city.write() as s:  # a demo city: only a demo installation takes the demo unit's packages
        settings.put(s, "demo_data", True)
    init_unit(city, demo_db, UNIT, tmp_path)
    yield Pair(city, demo_db, UNIT, tmp_path)
    city.close()


def test_libreoffice_resave_of_a_submission_imports_identical_data(pair, tmp_path):
    with pair.unit.write() as s:
        office, kind = offices.resolve(s, UNIT), activities.resolve_type(s, "科普讲座")
        for i, (title, note) in enumerate(TRICKY):
            activities.add_activity(s, office, kind, dt.date(2019, 6, i + 1), title, note=note, audience=7,
                                    uid=f"tricky-{i}")
    pair.export(2019)
    resaved = resave(tmp_path / "sub.xlsx", tmp_path / "lo", tmp_path / "lo-profile")
    with pair.city.read() as s:
        preview = packages.preview(s, resaved)
    assert preview.status == "ready", preview.message
    result = packages.apply(pair.city, resaved)
    assert result.outcome == "applied", result.message
    assert office_year(pair.city, UNIT, 2019) == office_year(pair.unit, UNIT, 2019)
    # The original is the same content: importing it now changes nothing.
    assert packages.apply(pair.city, tmp_path / "sub.xlsx").outcome == "unchanged"


def test_libreoffice_resave_of_a_plan_package_imports(pair, tmp_path):
    with pair.city.write() as s:
        targets.put_target(s, plan.indicator(s, "I02"), offices.resolve(s, UNIT), 2020, 4)
        packages.export_plan(s, tmp_path / "plan.xlsx", offices.resolve(s, UNIT))
    resaved = resave(tmp_path / "plan.xlsx", tmp_path / "lo", tmp_path / "lo-profile")
    result = packages.apply(pair.unit, resaved)
    assert result.outcome == "applied", result.message
    with pair.unit.read() as s:
        target = targets.find_target(s, plan.indicator(s, "I02"), offices.resolve(s, UNIT), 2020)
        assert target.value == 4


def test_libreoffice_resave_after_an_edit_is_still_refused(pair, tmp_path):
    import openpyxl

    pair.export(2019)
    wb = openpyxl.load_workbook(tmp_path / "sub.xlsx")
    wb["活动台账"]["G2"] = "别处"
    wb.save(tmp_path / "edited.xlsx")
    resaved = resave(tmp_path / "edited.xlsx", tmp_path / "lo", tmp_path / "lo-profile")
    result = packages.apply(pair.city, resaved)
    assert result.outcome == "refused" and "文件在导出后被修改过" in result.message
