"""计划编辑 driven with pytest-qt: copy, edit an indicator, a validation error shown, publish, use."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kexie_desktop.services import offices, plan
from tests.qtkeys import type_text
from ui.main_window import MainWindow
from ui.plan_editor.page import IndicatorModel

NEW = "LYG-KX-2021-2025"


def _city_window(qtbot, ctx) -> MainWindow:
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.city(s))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitExposed(window):
        window.show()
    return window


def _replace(qtbot, field, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key_Delete)
    type_text(field, text)


def _click_row(qtbot, page, code: str) -> None:
    row = next(n for n, r in enumerate(page.model.rows) if r.code == code)
    page.table.scrollTo(page.model.index(row, 0))
    rect = page.table.visualRect(page.model.index(row, IndicatorModel.NAME))
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())


def test_copy_edit_a_validation_error_publish_and_use(qtbot, ctx, tmp_path):
    window = _city_window(qtbot, ctx)
    page = window.show_page("plan_editor")
    assert page.plans.count() == 1 and not page.edit_box.isEnabled()  # the built-in plan is published

    type_text(page.copy_code, NEW)
    type_text(page.copy_name, "新一轮计划")
    qtbot.mouseClick(page.copy_button, Qt.LeftButton)
    assert page.current_code() == NEW and page.plans.count() == 2
    assert page.model.rowCount() == 61 and page.edit_box.isEnabled()
    assert page.state.text() == f"已复制计划 LYG-KX-2018-2020 为 {NEW}（草稿）。"

    _click_row(qtbot, page, "I02")
    assert (page.edit_name.text(), page.edit_target.text()) == ("高层次学术报告会", "10")
    _replace(qtbot, page.edit_target, "12")
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert page.model.data(page.model.index(1, IndicatorModel.TARGET)) == "12场"

    _click_row(qtbot, page, "I43")
    assert (page.edit_target.text(), page.edit_max.text()) == ("4", "6")
    _replace(qtbot, page.edit_max, "3")
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert page.state.text() == "有 1 个问题，不能发布："
    assert [page.problems.item(i).text() for i in range(page.problems.count())] == [
        "指标 I43“新增省级科学教育示范校”的期末区间目标下限 4 大于上限 3。"]
    page.grab().save(str(tmp_path / "plan-editor-problem.png"))

    _replace(qtbot, page.edit_max, "6")
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert page.state.text() == f"已发布计划 {NEW}（第 1 版）。"
    assert not page.edit_box.isEnabled() and page.use_button.isEnabled()
    qtbot.mouseClick(page.use_button, Qt.LeftButton)
    with ctx.db.read() as s:
        current = plan.current_plan(s)
        assert current.code == NEW
        assert plan.indicator(s, "I02", current) is not None
    assert page.plans.currentText().endswith("第 1 版（当前）")
    page.grab().save(str(tmp_path / "plan-editor-published.png"))
    import shutil
    shutil.copy(tmp_path / "plan-editor-problem.png", "/tmp/pt/plan-editor-problem.png")


def test_a_revised_current_plan_is_published_as_the_next_version(qtbot, ctx):
    from kexie_desktop.services import targets

    window = _city_window(qtbot, ctx)
    page = window.show_page("plan_editor")
    assert page.publish_button.isEnabled() and page.publish_button.text() == "发布新版本"
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)  # the built-in plan has no record yet: version 2
    with ctx.db.read() as s:
        assert plan.active_plan(s).version == 2
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert page.state.text() == ("计划“连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）”"
                                 "（LYG-KX-2018-2020）第 2 版发布后没有修改，不需要再发布。")
    with ctx.db.write() as s:  # the 目标 page's edit of the city's I02 target
        targets.put_target(s, plan.indicator(s, "I02"), offices.city(s), 2020, 12.0, user="王芳", source="manual")
    page.refresh()
    assert "有未发布的修改：点“发布新版本”发布为第 3 版。" in page.info.text()
    qtbot.mouseClick(page.publish_button, Qt.LeftButton)
    assert page.state.text() == "已发布计划 LYG-KX-2018-2020（第 3 版）。"
    with ctx.db.read() as s:
        assert plan.active_plan(s).version == 3
    assert "有未发布的修改" not in page.info.text()


def test_carry_over_is_chosen_per_indicator_in_the_editor(qtbot, ctx):
    from kexie_desktop.models import Indicator
    from sqlalchemy import select

    window = _city_window(qtbot, ctx)
    page = window.show_page("plan_editor")
    type_text(page.copy_code, NEW)
    type_text(page.copy_name, "新一轮计划")
    qtbot.mouseClick(page.copy_button, Qt.LeftButton)
    tab = page.indicators
    _click_row(qtbot, page, "I12")  # a level: carried over by default
    assert tab.carry.isEnabled() and tab.carry.isChecked()
    assert tab.carry.text() == "承接上一计划的最后数值（I12“注册科普志愿者总数”（LYG-KX-2018-2020））"
    qtbot.mouseClick(tab.carry, Qt.LeftButton)
    assert page.state.text() == "指标 I12 不承接上一计划的数值。" and not tab.carry.isChecked()
    _click_row(qtbot, page, "I02")  # an annual flow: nothing to carry
    assert not tab.carry.isEnabled() and not tab.carry.isChecked()
    with ctx.db.read() as s:
        new = plan.plan_by_code(s, NEW)
        carried = dict(s.execute(select(Indicator.code, Indicator.carry_over).where(Indicator.plan_id == new.id)).all())
    assert carried["I12"] is False and carried["I10"] is True and carried["I02"] is False
    _click_row(qtbot, page, "I12")
    qtbot.mouseClick(tab.carry, Qt.LeftButton)
    with ctx.db.read() as s:
        assert s.scalar(select(Indicator.carry_over).where(Indicator.plan_id == plan.plan_by_code(s, NEW).id,
                                                          Indicator.code == "I12")) is True
