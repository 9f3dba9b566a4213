"""数据交换 at a unit: a plan package of a new plan imports as a new plan and the unit is asked whether
to switch to it (issue 17, point 4)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from hostile.helpers import init_unit, make_city
from kexie_desktop import packages
from kexie_desktop.models import DataValue
from kexie_desktop.services import offices, plan, plan_authoring, values
from kexie_desktop.startup import open_app_database
from tests.conftest import make_context
from ui.sync.page import SyncPage

UNIT = "320703"  # 连云区
NEW = "LYG-KX-2021-2025"


def test_the_unit_is_asked_to_switch_to_the_new_plan(qtbot, qapp, tmp_path, monkeypatch):
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with unit.write() as s:  # entered before the new plan arrives
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), 2020, 3, 7.0)
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
    # the new plan's years, a separator, then the ended plan's (its packages can still be sent again)
    assert [page.year.itemData(i) for i in range(page.year.count())] == [2021, 2022, 2023, 2024, 2025, None,
                                                                          2018, 2019, 2020]
    page.grab().save(str(tmp_path / "sync.png"))

    # A late correction of 2020, asked for by the city: the unit sends its 2020 package on the old plan
    from PySide6.QtWidgets import QFileDialog

    from tests.two_plans import choose_year

    choose_year(qtbot, page.year, 2020)
    target = tmp_path / "连云区科协-2020年-上报包.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), a[3]))
    qtbot.mouseClick(page.export_submission_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and page.message.text().startswith("已导出"), timeout=20000)
    assert (page.log_model.rows[0]["direction"], page.log_model.rows[0]["year"]) == ("sent", 2020)
    outcome = packages.apply(city, target)  # the city, on the new plan, consolidates it into the old one
    assert outcome.outcome == "applied", outcome.message
    assert outcome.preview.manifest.plan_code == "LYG-KX-2018-2020" and outcome.preview.manifest.year == 2020
    with city.read() as s:
        old_i09 = plan.indicator(s, "I09", plan.plan_by_code(s, "LYG-KX-2018-2020"))
        stored = s.scalars(select(DataValue.value).where(DataValue.indicator_id == old_i09.id,
                                                         DataValue.office_id == offices.resolve(s, UNIT).id,
                                                         DataValue.year == 2020)).all()
    assert stored == [7.0]
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
