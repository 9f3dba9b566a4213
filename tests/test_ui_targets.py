"""目标: the targets page, its edit dialog and the decomposition dialog, driven by clicks and keys offscreen."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from kexie_desktop.changes import Changes
from kexie_desktop.errors import UserError
from kexie_desktop.models import AuditEntry
from kexie_desktop.services import offices, plan, settings, targets
from ui.targets import operations as ops
from ui.targets.page import CODE, HEADERS, TARGET, UNITS_SUM, MISMATCH, TargetsModel, TargetsPage
from ui.targets.split_dialog import SplitDialog
from ui.targets.target_dialog import TargetDialog
from tests.other_pc import REFUSED, on_other_pc

CITY = "320700"
HAIZHOU = "320706"
UNIT_CODES = ["320703", "320706", "320707", "320722", "320723", "320724", "3207Z1", "3207Z2", "3207Z3", "3207Z4"]
UNIT_NAMES = ["连云区", "海州区", "赣榆区", "东海县", "灌云县", "灌南县", "经济技术开发区", "高新技术产业开发区",
              "徐圩新区", "云台山风景名胜区"]


def _set_office(context, code: str) -> None:
    with context.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, code))
        settings.put(s, "user_filler", "李明")


def _make_page(qtbot, context, monkeypatch) -> TargetsPage:
    # No input error may end in a message box: the dialogs show reasons beside the fields.
    for box in ("warning", "critical"):
        monkeypatch.setattr(QMessageBox, box, lambda *a, **k: pytest.fail(f"unexpected message box: {a[1:]}"))
    widget = TargetsPage(context)
    qtbot.addWidget(widget)
    widget.resize(1216, 700)
    with qtbot.waitExposed(widget):
        widget.show()
    return widget


@pytest.fixture
def city_page(qtbot, ctx, monkeypatch):
    """The city office on a fresh database: city targets of the built-in plan, no unit targets yet."""
    _set_office(ctx, CITY)
    return _make_page(qtbot, ctx, monkeypatch)


@pytest.fixture
def demo_city_page(qtbot, demo_ctx, monkeypatch):
    _set_office(demo_ctx, CITY)
    return _make_page(qtbot, demo_ctx, monkeypatch)


@pytest.fixture
def unit_page(qtbot, demo_ctx, monkeypatch):
    _set_office(demo_ctx, HAIZHOU)
    return _make_page(qtbot, demo_ctx, monkeypatch)


def codes(page) -> list[str]:
    return [page.model.index(r, CODE).data() for r in range(page.model.rowCount())]


def row_texts(page, code: str) -> list[str]:
    r = page.model.code_row(code)
    return [page.model.index(r, c).data() for c in range(len(HEADERS))]


def click_row(qtbot, page, code: str, double: bool = False) -> None:
    index = page.model.index(page.model.code_row(code), 1)
    page.table.scrollTo(index)
    center = page.table.visualRect(index).center()
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=center)
    if double:
        qtbot.mouseDClick(page.table.viewport(), Qt.LeftButton, pos=center)


def choose_office(page, short_name: str) -> None:
    page.office_combo.setCurrentIndex(page.office_combo.findText(short_name))


def retype(qtbot, edit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClick(edit, Qt.Key_Delete)
    qtbot.keyClicks(edit, text)


def stored(context, code: str, office: str, year: int | None):
    """(value, min, max) of a stored target, or None."""
    with context.db.read() as s:
        t = targets.find_target(s, plan.indicator(s, code), offices.resolve(s, office), year)
        return t and (t.value, t.min_value, t.max_value)


def unit_values(context, code: str, year: int | None) -> list:
    return [stored(context, code, unit, year) for unit in UNIT_CODES]


def audit_count(context) -> int:
    with context.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


# --- at a unit: read-only ---------------------------------------------------------------------------
def test_a_unit_sees_its_demo_targets_read_only(qtbot, unit_page, demo_ctx):
    page = unit_page
    assert page.office_label.text() == "目标单位：海州区科协"
    assert page.office_combo.isHidden() and page.edit_button.isHidden() and page.split_button.isHidden()
    assert page.note.text() == "本单位的目标由市科协下发的计划包确定，这里只能查看。如需调整，请与市科协联系。"
    assert [page.model.headerData(c, Qt.Horizontal) for c in range(7)] == [
        "代码", "指标", "类型", "期限", "目标", "单位", "县区合计"]
    assert page.table.isColumnHidden(UNITS_SUM)
    # The 47 indicators that are not city-only; the demo shared the city targets by the demo weights
    # (连云区 0.8, 海州区 1.6, 赣榆区 1.3, 东海县 1.4, 灌云县 1.1, 灌南县 0.9, zones 0.5, 0.5, 0.3, 0.3; sum 8.7).
    assert len(codes(page)) == 47 and "I10" not in codes(page) and "I04" not in codes(page)
    assert page.count_label.text() == "共 47 项目标，其中 5 项为每年的目标（显示 2020 年）"
    # 600 × 1.6 / 8.7 = 110.3 → 110
    assert row_texts(page, "I09") == ["I09", "科教兴农项目", "期间累计", "到2020年", "110个", "个", ""]
    # lower 4: quotas 0.37 0.74 0.60 0.64 0.51 …, the four largest remainders (海州 东海 赣榆 灌云) get 1;
    # upper 6: 海州 1.10 → 1, the five largest remainders go to 东海 赣榆 灌云 灌南 连云.
    assert row_texts(page, "I43")[2:6] == ["区间目标", "到2020年", "1—1所", "所"]
    assert row_texts(page, "I01")[4] == "全覆盖（100%）"
    # 50 × 1.6 / 8.7 = 9.2 → 9; the five leftovers go to the four zones and 连云区 (larger remainders)
    assert row_texts(page, "I36")[2:6] == ["不低于", "每年", "9人以上", "人"]

    click_row(qtbot, page, "I09", double=True)  # read-only: no dialog
    qtbot.keyClick(page.table, Qt.Key_Return)
    assert page.dialog is None
    with pytest.raises(UserError, match="本机是海州区科协：目标由市科协下发的计划包确定"):
        ops.save_target(demo_ctx, HAIZHOU, "I09", None, "120")
    assert stored(demo_ctx, "I09", HAIZHOU, None) == (110, None, None)


def test_the_selected_indicator_shows_its_source_sentences_with_the_phrase_in_bold(qtbot, unit_page):
    page = unit_page
    click_row(qtbot, page, "I09")
    text = page.detail.toPlainText()
    assert text.startswith("I09 科教兴农项目 海州区科协 到2020年目标：110个（期间累计，求和）")
    assert "“开展精准扶贫，依托南京农业大学连云港新农村发展研究院，实施科教兴农项目600个，推广新技术新产品180个，" \
           "开展农民职业技术培训24万人次。”" in text
    assert "“擦亮科普惠农品牌，每年培育认定特色家庭农场30家，到2020年实施科教兴农项目600个。”" in text
    cursor = page.detail.document().find("实施科教兴农项目600个")
    assert not cursor.isNull() and cursor.charFormat().fontWeight() == QFont.Bold
    cursor = page.detail.document().find("开展精准扶贫")
    assert cursor.charFormat().fontWeight() != QFont.Bold

    qtbot.keyClick(page.table, Qt.Key_Down)  # the next row, I11
    assert page.detail.toPlainText().startswith("I11 城市社区科普信息化覆盖")


def test_annual_targets_follow_the_year(qtbot, unit_page):
    page = unit_page
    page.year_combo.setFocus()
    assert [page.year_combo.itemText(i) for i in range(3)] == ["2018年", "2019年", "2020年"]
    qtbot.keyClick(page.year_combo, Qt.Key_Up)
    assert page.year == 2019
    assert page.count_label.text() == "共 47 项目标，其中 5 项为每年的目标（显示 2019 年）"
    assert row_texts(page, "I02")[3:5] == ["每年", "2场"]
    assert row_texts(page, "I09")[4] == "110个"  # plan-end targets do not depend on the year


# --- at the city: editing ---------------------------------------------------------------------------
def test_the_city_sees_every_city_target_and_the_unit_sums(city_page):
    page = city_page
    assert page.office_label.text() == "目标单位："
    assert [page.office_combo.itemText(i) for i in range(11)] == ["市科协", *UNIT_NAMES]
    assert page.office_combo.currentText() == "市科协"
    assert len(codes(page)) == 61 and not page.table.isColumnHidden(UNITS_SUM)
    assert row_texts(page, "I43") == ["I43", "新增省级科学教育示范校", "区间目标", "到2020年", "4—6所", "所", "—"]
    assert row_texts(page, "I36")[4] == "50人以上"
    assert row_texts(page, "I10")[4:] == ["10%", "%", ""]  # city-only: no unit sum
    choose_office(page, "海州区")  # no unit targets on a fresh database
    assert codes(page) == [] and page.table.isColumnHidden(UNITS_SUM)
    assert page.note.text() == "海州区科协还没有目标。请选择“市科协”，选中一项市级目标后用“分解到县区…”下达到各县区。"
    assert not page.edit_button.isEnabled() and not page.split_button.isEnabled()


def test_the_city_edits_a_unit_target_through_the_dialog(qtbot, demo_city_page, demo_ctx):
    page = demo_city_page
    choose_office(page, "海州区")
    assert page.note.text() == "这是市科协为海州区科协设定的目标。双击或按回车修改；修改后请重新下发计划包。"
    click_row(qtbot, page, "I09", double=True)
    dialog = page.dialog
    assert isinstance(dialog, TargetDialog) and dialog.isVisible() and dialog.windowTitle() == "修改目标"
    assert dialog.value_edit.text() == "110" and dialog.max_edit is None
    retype(qtbot, dialog.value_edit, "120")
    with qtbot.waitSignal(demo_ctx.bus.changed) as signal:
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert not dialog.isVisible() and page.dialog is None

    with demo_ctx.db.read() as s:
        haizhou, i09 = offices.resolve(s, HAIZHOU), plan.indicator(s, "I09")
        assert signal.args[0].targets == {(haizhou.id, i09.id)}
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert stored(demo_ctx, "I09", HAIZHOU, None) == (120, None, None)
    assert (entry.entity, entry.entity_key, entry.user, entry.source) == ("target", "I09/320706/plan", "李明", "manual")
    assert json.loads(entry.old) == {"value": 110, "min": None, "max": None}
    assert json.loads(entry.new) == {"value": 120, "min": None, "max": None}
    assert row_texts(page, "I09")[4] == "120个" and page.current_row().code == "I09"

    choose_office(page, "市科协")  # the units now add up to 610, not the city's 600
    assert row_texts(page, "I09")[4:] == ["600个", "个", "610个"]
    index = page.model.index(page.model.code_row("I09"), UNITS_SUM)
    assert index.data(Qt.ForegroundRole) == MISMATCH
    assert index.data(Qt.ToolTipRole) == "各县区目标之和与市级目标（600个）不一致"


def test_the_city_edits_an_annual_range_target_of_its_own(qtbot, city_page, ctx):
    page = city_page
    qtbot.keyClick(page.year_combo, Qt.Key_Up)  # 2019
    click_row(qtbot, page, "I43")
    qtbot.mouseClick(page.edit_button, Qt.LeftButton)
    dialog = page.dialog
    assert (dialog.value_edit.text(), dialog.max_edit.text()) == ("4", "6")
    retype(qtbot, dialog.value_edit, "5")
    retype(qtbot, dialog.max_edit, "8")
    qtbot.keyClick(dialog.max_edit, Qt.Key_Return)
    assert page.dialog is None
    assert stored(ctx, "I43", CITY, None) == (5, 5, 8)
    assert row_texts(page, "I43")[4] == "5—8所"

    click_row(qtbot, page, "I02")  # an annual target: only the chosen year changes
    qtbot.keyClick(page.table, Qt.Key_Return)
    retype(qtbot, page.dialog.value_edit, "12")
    qtbot.mouseClick(page.dialog.ok_button, Qt.LeftButton)
    assert [stored(ctx, "I02", CITY, y)[0] for y in (2018, 2019, 2020)] == [10, 12, 10]


@pytest.mark.parametrize(
    "code,typed,field,reason",
    [
        ("I09", ["12.5"], "value", "目标值必须是整数（12.5）：“科教兴农项目”以“个”计，不能有小数。"),
        ("I09", ["-3"], "value", "目标值不能为负数（-3）：“科教兴农项目”只能填 0 或正数。"),
        ("I09", ["abc"], "value", "目标值“abc”不是数字，请输入阿拉伯数字，例如 12 或 3.5。"),
        ("I09", [""], "value", "请填写目标值。"),
        ("I01", ["120"], "value", "目标值不能超过 100%（120）。"),
        ("I43", ["5", "3"], "max", "上限 3 小于下限 5：区间目标须下限 ≤ 上限。"),
        ("I43", ["1", "2.5"], "max", "上限必须是整数（2.5）：“新增省级科学教育示范校”以“所”计，不能有小数。"),
    ],
)
def test_an_invalid_target_is_refused_inline_and_nothing_is_written(qtbot, demo_city_page, demo_ctx, code, typed,
                                                                     field, reason):
    page = demo_city_page
    choose_office(page, "海州区")
    before = (audit_count(demo_ctx), stored(demo_ctx, code, HAIZHOU, None))
    click_row(qtbot, page, code, double=True)
    dialog = page.dialog
    edits = [dialog.value_edit, dialog.max_edit]
    for edit, text in zip(edits, typed):
        retype(qtbot, edit, text)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and page.dialog is dialog
    assert dialog.error_text(field) == reason
    assert dialog.message.text() == "目标没有保存：请按红字提示更正。"
    assert dialog.focusWidget() is dialog.fields[field]
    assert (audit_count(demo_ctx), stored(demo_ctx, code, HAIZHOU, None)) == before

    qtbot.keyClicks(dialog.fields[field], "0")  # typing clears the reason
    assert dialog.error_text(field) == ""
    qtbot.keyClick(dialog, Qt.Key_Escape)
    assert page.dialog is None
    assert (audit_count(demo_ctx), stored(demo_ctx, code, HAIZHOU, None)) == before


# --- at the city: decomposition ---------------------------------------------------------------------
def open_split(qtbot, page, code: str) -> SplitDialog:
    click_row(qtbot, page, code)
    assert page.split_button.isEnabled()
    qtbot.mouseClick(page.split_button, Qt.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, SplitDialog) and dialog.isVisible()
    return dialog


def test_an_equal_split_of_i09_gives_60_each(qtbot, city_page, ctx):
    page = city_page
    dialog = open_split(qtbot, page, "I09")
    assert dialog.weights() == dict.fromkeys(UNIT_CODES, 1.0)
    assert list(dialog.shares().values()) == ["60个"] * 10
    assert dialog.share_total.text() == "600个" and dialog.weight_total.text() == "10"
    with qtbot.waitSignal(ctx.bus.changed) as signal:
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert page.dialog is None
    assert len(signal.args[0].targets) == 10
    assert unit_values(ctx, "I09", None) == [(60, None, None)] * 10
    with ctx.db.read() as s:
        split = s.scalars(select(AuditEntry).where(AuditEntry.source == "split")).all()
    assert len(split) == 10 and {e.user for e in split} == {"李明"}
    assert row_texts(page, "I09")[6] == "600个"
    index = page.model.index(page.model.code_row("I09"), UNITS_SUM)
    assert index.data(Qt.ForegroundRole) is None  # the units add up to the city target


def test_a_weighted_split_of_i09_keeps_the_sum_exact(qtbot, city_page, ctx):
    page = city_page
    dialog = open_split(qtbot, page, "I09")
    retype(qtbot, dialog.spins[HAIZHOU], "2")
    # 600 × 2/11 = 109.09 → 109 for 海州区; 600 × 1/11 = 54.55 → 54 for the nine others: 595.
    # The 5 left over go to the largest remainders (0.55 beats 海州区's 0.09), the earlier units first.
    expected = [55, 109, 55, 55, 55, 55, 54, 54, 54, 54]
    assert sum(expected) == 600
    assert list(dialog.shares().values()) == [f"{n}个" for n in expected]
    assert dialog.share_total.text() == "600个" and dialog.weight_total.text() == "11"

    qtbot.mouseClick(dialog.equal_button, Qt.LeftButton)  # 平均分配 puts every weight back to 1
    assert list(dialog.shares().values()) == ["60个"] * 10
    retype(qtbot, dialog.spins[HAIZHOU], "2")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert unit_values(ctx, "I09", None) == [(n, None, None) for n in expected]
    assert row_texts(page, "I09")[6] == "600个"


def test_a_split_with_all_weights_zero_cannot_be_applied(qtbot, city_page, ctx):
    dialog = open_split(qtbot, city_page, "I09")
    for spin in dialog.spins.values():
        retype(qtbot, spin, "0")
    assert dialog.message.text() == "权重之和为 0，无法分解。" and dialog.message.isVisible()
    assert not dialog.ok_button.isEnabled()
    assert list(dialog.shares().values()) == ["—"] * 10
    retype(qtbot, dialog.spins["3207Z4"], "1")  # one weight is enough: 云台山 carries all 600
    assert dialog.ok_button.isEnabled() and dialog.shares()["3207Z4"] == "600个"
    dialog.reject()
    assert unit_values(ctx, "I09", None) == [None] * 10


def test_a_range_splits_both_bounds(qtbot, city_page, ctx):
    page = city_page
    dialog = open_split(qtbot, page, "I43")
    # lower 4 over ten equal units: 0.4 each, the first four get 1; upper 6: the first six get 1
    expected = ["1—1所"] * 4 + ["0—1所"] * 2 + ["0—0所"] * 4
    assert list(dialog.shares().values()) == expected
    assert dialog.share_total.text() == "4—6所"
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert unit_values(ctx, "I43", None) == [(1, 1, 1)] * 4 + [(0, 0, 1)] * 2 + [(0, 0, 0)] * 4
    assert row_texts(page, "I43")[6] == "4—6所"
    choose_office(page, "灌南县")
    assert row_texts(page, "I43")[4] == "0—1所"


def test_an_annual_target_is_split_for_the_chosen_year_only(qtbot, city_page, ctx):
    page = city_page
    page.year_combo.setCurrentIndex(page.year_combo.findData(2019))
    dialog = open_split(qtbot, page, "I08")
    assert dialog.summary.text() == "市科协目标（2019年）：30家。按权重分解到 10 个县区，各县区之和恰好等于市级目标。"
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert unit_values(ctx, "I08", 2019) == [(3, None, None)] * 10
    assert unit_values(ctx, "I08", 2020) == [None] * 10
    assert row_texts(page, "I08")[6] == "30家"
    page.year_combo.setCurrentIndex(page.year_combo.findData(2020))
    assert row_texts(page, "I08")[6] == "—"


@pytest.mark.parametrize(
    "code,reason",
    [
        ("I10", "“公民具备科学素质比例”是市级单列指标，由市科协自己承担，不分解到县区。"),
        ("I01", "“省级海智基地县（区）覆盖”是覆盖率指标，每个县区的目标都是全覆盖（100%），不按份额分解。"),
    ],
)
def test_city_only_and_coverage_targets_cannot_be_split(qtbot, city_page, code, reason):
    page = city_page
    click_row(qtbot, page, code)
    assert not page.split_button.isEnabled()
    assert page.split_button.toolTip() == reason
    assert page.edit_button.isEnabled()  # the target itself can still be changed
    qtbot.mouseClick(page.split_button, Qt.LeftButton)
    assert page.dialog is None
    click_row(qtbot, page, "I09")
    assert page.split_button.isEnabled()
    assert page.split_button.toolTip() == "按权重把市科协的“科教兴农项目”目标分解到十个县区"


# --- model and refresh ------------------------------------------------------------------------------
def _row(code: str, text: str) -> ops.TargetRow:
    return ops.TargetRow(code, "指标", "个", "cumulative_flow", "期间累计", "求和", "到2020年", False, True, None,
                         1.0, None, None, text, "", ("原文",), None, "", True, "", dt.datetime(2020, 1, 1))


def test_the_model_holds_plain_rows_and_updates_changed_rows_in_place(qtbot):
    model = TargetsModel()
    model.set_rows([_row("I01", "1个"), _row("I02", "2个")])
    assert model.rowCount() == 2 and model.columnCount() == 7
    assert model.index(1, TARGET).data() == "2个"
    with qtbot.waitSignal(model.dataChanged) as changed, qtbot.assertNotEmitted(model.modelReset):
        model.set_rows([_row("I01", "1个"), _row("I02", "3个")])
    assert (changed.args[0].row(), changed.args[1].row()) == (1, 1)
    assert model.index(1, TARGET).data() == "3个"
    with qtbot.waitSignal(model.modelReset):
        model.set_rows([_row("I02", "3个")])


def test_target_text_speaks_the_plans_language():
    assert ops.target_text("range", "所", 4, 4, 6) == "4—6所"
    assert ops.target_text("coverage", "%", 100) == "全覆盖（100%）"
    assert ops.target_text("at_least", "人", 50) == "50人以上"
    assert ops.target_text("level", "%", 10) == "10%"
    assert ops.target_text("annual_flow", "场", None) == "未设目标"


def test_a_change_made_elsewhere_refreshes_the_page(unit_page, demo_ctx):
    page = unit_page
    with demo_ctx.db.write() as s:
        changes = targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, HAIZHOU), None, 130,
                                     source="plan-package")  # at a unit, targets come in packages
    demo_ctx.notify(Changes(activities={1}))  # not about targets: the page keeps its rows
    assert row_texts(page, "I09")[4] == "110个"
    demo_ctx.notify(changes)
    assert row_texts(page, "I09")[4] == "130个"
    with demo_ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "连云区"))
    demo_ctx.notify(Changes(settings=True))  # the installation's office changed
    assert page.office_label.text() == "目标单位：连云区科协"
    assert row_texts(page, "I09")[4] == "55个"  # 600 × 0.8 / 8.7 = 55.2


def test_a_target_changed_on_another_pc_is_refused_in_the_dialog_and_the_page_reloads(qtbot, demo_city_page,
                                                                                       demo_ctx):
    """Issue 18: 张三 on another PC saves 海州区's I09 while the dialog is open; 确定 is refused with who and
    when, the page shows 张三's figure, and a second 确定 (now against what is shown) saves."""
    from sqlalchemy import update

    from kexie_desktop.startup import open_app_database

    page = demo_city_page
    choose_office(page, "海州区")
    click_row(qtbot, page, "I09", double=True)
    dialog = page.dialog
    retype(qtbot, dialog.value_edit, "120")
    other = open_app_database(demo_ctx.db.target)
    try:
        with other.write() as s:
            targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, HAIZHOU), None, 130, user="张三")
            s.execute(update(AuditEntry).where(AuditEntry.entity_key == "I09/320706/plan")
                      .values(at=dt.datetime(2026, 12, 2, 10, 31)))
    finally:
        other.close()
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.message.text() == (
        "这条数据已被 张三 于 2026-12-02 10:31 在另一台电脑上修改，已重新读取，请核对后再改。")
    assert stored(demo_ctx, "I09", HAIZHOU, None) == (130, None, None)
    assert row_texts(page, "I09")[4] == "130个"
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert not dialog.isVisible()
    assert stored(demo_ctx, "I09", HAIZHOU, None) == (120, None, None)


def test_a_split_over_a_unit_target_set_meanwhile_is_refused_in_the_dialog(qtbot, city_page, ctx):
    dialog = open_split(qtbot, city_page, "I09")

    def put(s):
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 80, user="张三")
    on_other_pc(ctx, put, "I09/320722/plan")
    before = audit_count(ctx)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.message.text() == REFUSED
    assert audit_count(ctx) == before
    assert unit_values(ctx, "I09", None) == [None] * 3 + [(80, None, None)] + [None] * 6
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # against the targets as read now: the split goes
    assert not dialog.isVisible()
    assert unit_values(ctx, "I09", None) == [(60, None, None)] * 10
