"""数据交换 at a unit: a plan package of a new plan imports as a new plan and the unit is asked whether
to switch to it (issue 17, point 4)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from hostile.helpers import init_unit, make_city
from kexie_desktop import packages
from kexie_desktop.services import plan, plan_authoring
from kexie_desktop.startup import open_app_database
from tests.conftest import make_context
from ui.sync.page import SyncPage

UNIT = "320703"  # 连云区
NEW = "LYG-KX-2021-2025"


def test_the_unit_is_asked_to_switch_to_the_new_plan(qtbot, qapp, tmp_path, monkeypatch):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with city.write() as s:
        new = plan_authoring.copy_plan(s, plan.current_plan(s), NEW, "十四五科普规划", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        plan_authoring.use_plan(s, new)
    path = tmp_path / "plan.xlsx"
    with city.write() as s:
        packages.export_plan(s, path)
    (tmp_path / "u").mkdir()
    ctx = make_context(unit, tmp_path / "u")
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.import_files([str(path)])
    qtbot.waitUntil(lambda: getattr(page, "preview_dialog", None) is not None, timeout=20000)
    dialog = page.preview_dialog
    first = dialog.changes.rows[0]
    assert (first.action, first.label) == ("新增", "新计划：十四五科普规划（2021—2025年）")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    with qtbot.waitSignal(page.imported, timeout=30000) as done:
        qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert done.args[0].ok
    assert asked == ["已导入新计划“十四五科普规划（2021—2025年）”。原有计划及其数据保持不变，可随时查看。\n"
                     "现在切换到新计划吗？"]
    assert page.message.text().endswith("当前计划已切换为“十四五科普规划（2021—2025年）”。")
    with unit.read() as s:
        assert plan.active_plan(s).code == NEW
    assert [page.year.itemData(i) for i in range(page.year.count())] == [2021, 2022, 2023, 2024, 2025]
    page.grab().save(str(tmp_path / "sync.png"))
    unit.close()
    city.close()
