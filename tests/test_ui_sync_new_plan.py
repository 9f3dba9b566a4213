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


def test_the_preview_of_a_plans_version_2_lists_exactly_the_revision(qtbot, qapp, tmp_path, monkeypatch):
    from sqlalchemy import select

    from kexie_desktop.models import Indicator, Office, Plan, Target

    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with city.write() as s:
        new = plan_authoring.copy_plan(s, plan.current_plan(s), NEW, "十四五科普规划", 2021, 2025)
        plan_authoring.publish_plan(s, new)
        plan_authoring.use_plan(s, new)
        packages.export_plan(s, tmp_path / "plan-v1.xlsx")
    assert packages.apply(unit, tmp_path / "plan-v1.xlsx").outcome == "applied"
    q = (select(Target).join(Indicator).join(Plan).join(Office, Target.office_id == Office.id)
         .where(Plan.code == NEW, Indicator.code == "I02", Office.kind == "city", Target.year == 2023))
    with city.write() as s:  # the city raises I02's 2023 target from 10 to 11 and publishes version 2
        s.scalars(q).one().value = 11
        assert plan_authoring.publish_plan(s, plan.plan_by_code(s, NEW)) == 2
        packages.export_plan(s, tmp_path / "plan-v2.xlsx")
    (tmp_path / "u").mkdir()
    page = SyncPage(make_context(unit, tmp_path / "u"))
    qtbot.addWidget(page)
    page.show()
    page.import_files([str(tmp_path / "plan-v2.xlsx")])
    qtbot.waitUntil(lambda: getattr(page, "preview_dialog", None) is not None, timeout=20000)
    dialog = page.preview_dialog
    model = dialog.changes
    shown = [tuple(model.data(model.index(r, c)) for c in (0, 1, 3, 4, 5)) for r in range(model.rowCount())]
    assert shown == [("修改", "计划", "十四五科普规划", "版本号 1", "版本号 2"),
                     ("修改", "目标", "连云港市科协 高层次学术报告会 2023", "目标值 10", "目标值 11")]
    dialog.grab().save(str(tmp_path / "preview-v2.png"))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    with qtbot.waitSignal(page.imported, timeout=30000) as done:
        qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert done.args[0].ok and asked == []  # no new plan: nothing to switch to
    with unit.read() as s:
        assert s.scalars(q).one().value == 11.0
        assert plan.plan_by_code(s, NEW).version == 2
    unit.close()
    city.close()
