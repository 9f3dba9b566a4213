"""数据填报: the grid behaves like a spreadsheet and saves in one transaction."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QMessageBox
from sqlalchemy import select

from kexie_desktop.models import DataValue
from kexie_desktop.services import activities, offices, plan, values
from ui.entry.model import FIRST_MONTH, TOTAL
from ui.entry.page import EntryPage


@pytest.fixture
def page(qtbot, ctx):
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "海州区"))
    widget = EntryPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    with qtbot.waitExposed(widget):
        widget.show()
    with qtbot.waitActive(widget):
        widget.activateWindow()
    return widget


def type_keys(qtbot, page, keys: str) -> None:
    """Type as a user would: the first key opens the cell editor, the rest go to whatever has focus."""
    for ch in keys:
        qtbot.keyClick(QApplication.focusWidget() or page.table, ch)


def row_of(page, code: str) -> int:
    return [r.code for r in page.model.rows].index(code)


def cell(page, code: str, month: int):
    return page.model.index(row_of(page, code), FIRST_MONTH + month - 1)


def text(page, code: str, month: int) -> str:
    return cell(page, code, month).data() or ""


def click(qtbot, page, index) -> None:
    page.table.scrollTo(index)
    rect = page.table.visualRect(index)
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())


def saved_values(ctx, code: str) -> dict[int, float]:
    with ctx.db.read() as s:
        indicator = plan.indicator(s, code)
        rows = s.scalars(select(DataValue).where(DataValue.indicator_id == indicator.id))
        return {r.month: r.value for r in rows if r.year == 2020}


def test_rows_are_the_units_indicators(page):
    codes = [r.code for r in page.model.rows]
    assert "I10" not in codes  # city-only: not for a unit
    assert codes[:3] == ["I01", "I02", "I03"]
    assert page.office_label.text() == "填报单位：海州区科协"
    assert page.year.currentText() == "2020年"


def test_typing_tab_and_enter_like_a_spreadsheet(qtbot, page, ctx):
    click(qtbot, page, cell(page, "I09", 1))
    type_keys(qtbot, page, "12")
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Tab)
    assert page.table.currentIndex() == cell(page, "I09", 2)
    type_keys(qtbot, page, "8")
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)
    assert page.table.currentIndex() == cell(page, "I09", 2).sibling(row_of(page, "I09") + 1, FIRST_MONTH + 1)
    assert (text(page, "I09", 1), text(page, "I09", 2)) == ("12", "8")
    assert page.model.index(row_of(page, "I09"), TOTAL).data() == "20"
    assert saved_values(ctx, "I09") == {}  # nothing written before 保存
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert saved_values(ctx, "I09") == {1: 12.0, 2: 8.0}
    assert page.message.text() == "已保存 2 格。"
    assert not page.has_unsaved()
    # typing over a filled cell replaces its content
    click(qtbot, page, cell(page, "I09", 1))
    type_keys(qtbot, page, "5")
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)
    assert text(page, "I09", 1) == "5"


def test_invalid_values_are_refused_with_a_reason(qtbot, page):
    click(qtbot, page, cell(page, "I09", 3))
    type_keys(qtbot, page, "-4")
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)
    assert page.message.text() == "未接受：“科教兴农项目”3月：数值不能为负数（-4）：“科教兴农项目”只能填 0 或正数。"
    # The editor stays open on the cell with what was typed (selected), the cursor does not move on.
    editor = page.table.focusWidget()
    assert page.table.state() == QAbstractItemView.EditingState and isinstance(editor, QLineEdit)
    assert (editor.text(), editor.selectedText()) == ("-4", "-4")
    assert page.table.currentIndex() == cell(page, "I09", 3)
    assert editor.toolTip() == "“科教兴农项目”3月：数值不能为负数（-4）：“科教兴农项目”只能填 0 或正数。"
    type_keys(qtbot, page, "5")  # typing over the selected text, then Enter: accepted, moves down
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)
    assert text(page, "I09", 3) == "5" and page.table.state() != QAbstractItemView.EditingState
    assert page.table.currentIndex().row() == row_of(page, "I09") + 1
    click(qtbot, page, cell(page, "I09", 4))
    type_keys(qtbot, page, "3.5")  # a count cannot have decimals
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Tab)
    assert page.table.focusWidget().text() == "3.5" and page.table.currentIndex() == cell(page, "I09", 4)
    assert "必须是整数（3.5）" in page.message.text()
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Escape)  # gives up: the old (empty) value stays
    assert text(page, "I09", 4) == "" and page.table.state() != QAbstractItemView.EditingState
    click(qtbot, page, cell(page, "I09", 5))
    type_keys(qtbot, page, "abc")
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)
    assert "不是数字" in page.message.text() and page.table.focusWidget().text() == "abc"
    click(qtbot, page, cell(page, "I09", 7))  # clicking elsewhere closes it, nothing is kept
    assert text(page, "I09", 5) == "" and page.table.currentIndex() == cell(page, "I09", 7)
    assert [k for k in page.model.edits()] == [("I09", 3)]


def test_typing_or_double_clicking_into_a_read_only_cell_says_why(qtbot, page):
    click(qtbot, page, cell(page, "I02", 5))  # 高层次学术报告会: counted from the ledger
    type_keys(qtbot, page, "3")
    assert page.table.state() != QAbstractItemView.EditingState and text(page, "I02", 5) == ""
    assert page.message.text() == ("不能填写：这一行由活动台账自动统计，不能直接填写。请在“活动台账”登记活动"
                                   "（双击这一格可查看统计到的记录）。")
    total = page.model.index(row_of(page, "I09"), TOTAL)
    click(qtbot, page, total)
    type_keys(qtbot, page, "9")
    assert page.message.text() == "不能填写：“全年”是各月的合计，由程序计算，请填写各月的数值。"
    page.message.clear()
    page.table.doubleClicked.emit(cell(page, "I02", 6))
    assert page.message.text().startswith("不能填写：这一行由活动台账自动统计")


def test_paste_a_block_from_excel_is_one_undo_step(qtbot, page, ctx):
    click(qtbot, page, cell(page, "I08", 1))
    QGuiApplication.clipboard().setText("1\t2\t3\r\n4\t5\t6\r\n")
    qtbot.keyClick(page.table, Qt.Key_V, Qt.ControlModifier)
    assert [text(page, "I08", m) for m in (1, 2, 3)] == ["1", "2", "3"]
    assert [text(page, "I09", m) for m in (1, 2, 3)] == ["4", "5", "6"]
    assert page.model.index(row_of(page, "I08"), TOTAL).data() == "6"
    qtbot.mouseClick(page.undo_button, Qt.LeftButton)
    assert [text(page, "I08", m) for m in (1, 2, 3)] == ["", "", ""]
    assert [text(page, "I09", m) for m in (1, 2, 3)] == ["", "", ""]
    qtbot.mouseClick(page.redo_button, Qt.LeftButton)
    assert text(page, "I09", 3) == "6"
    qtbot.keyClick(page.table, Qt.Key_S, Qt.ControlModifier)  # the save shortcut
    assert saved_values(ctx, "I08") == {1: 1.0, 2: 2.0, 3: 3.0}


def test_a_paste_fills_what_it_can_and_names_each_cell_it_could_not(qtbot, page):
    click(qtbot, page, cell(page, "I08", 1))
    QGuiApplication.clipboard().setText("1\t2\t-1\n3\tx\t4\n")
    qtbot.keyClick(page.table, Qt.Key_V, Qt.ControlModifier)
    assert [text(page, "I08", m) for m in (1, 2, 3)] == ["1", "2", ""]
    assert [text(page, "I09", m) for m in (1, 2, 3)] == ["3", "", "4"]
    assert page.message.text() == (
        "未接受：已粘贴 4 格；2 格未能填入：“培育认定特色家庭农场”3月：数值不能为负数（-1）：“培育认定特色家庭农场”只能填 0 或正数。 "
        "“科教兴农项目”2月：数值“x”不是数字，请输入阿拉伯数字，例如 12 或 3.5。")
    qtbot.mouseClick(page.undo_button, Qt.LeftButton)  # one undo step for what was pasted
    assert [text(page, "I08", m) for m in (1, 2)] == ["", ""] and not page.has_unsaved()


def test_a_paste_onto_ledger_rows_and_past_the_edge_says_so(qtbot, page):
    click(qtbot, page, cell(page, "I02", 11))
    QGuiApplication.clipboard().setText("1\t2\t3\t4\t5\n")
    qtbot.keyClick(page.table, Qt.Key_V, Qt.ControlModifier)
    assert not page.has_unsaved()
    assert page.message.text() == (
        "未接受：未粘贴任何数据；5 格未能填入：“高层次学术报告会”11月：这一行由活动台账自动统计，不能直接填写。"
        "请在“活动台账”登记活动（双击这一格可查看统计到的记录）。 “高层次学术报告会”12月：这一行由活动台账自动统计，"
        "不能直接填写。请在“活动台账”登记活动（双击这一格可查看统计到的记录）。 “高层次学术报告会”全年：“全年”是各月的合计，"
        "由程序计算，请填写各月的数值。 2 格超出了表格的边缘。")


def test_clear_is_one_undo_step_and_saving_deletes(qtbot, page, ctx):
    click(qtbot, page, cell(page, "I09", 1))
    QGuiApplication.clipboard().setText("7\t8\t9")
    qtbot.keyClick(page.table, Qt.Key_V, Qt.ControlModifier)
    page.save()
    page.table.selectionModel().clearSelection()
    click(qtbot, page, cell(page, "I09", 1))
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, Qt.ShiftModifier,
                     page.table.visualRect(cell(page, "I09", 3)).center())
    qtbot.keyClick(page.table, Qt.Key_Delete)
    assert [text(page, "I09", m) for m in (1, 2, 3)] == ["", "", ""]
    assert page.ctx.undo_stack.count() == 2  # the paste and the clear
    page.save()
    assert saved_values(ctx, "I09") == {}
    qtbot.mouseClick(page.undo_button, Qt.LeftButton)
    assert page.has_unsaved()
    page.save()
    assert saved_values(ctx, "I09") == {1: 7.0, 2: 8.0, 3: 9.0}


def test_coverage_cells_and_notes(qtbot, page, ctx, monkeypatch):
    click(qtbot, page, cell(page, "I11", 1))
    type_keys(qtbot, page, "12/40")
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Tab)
    type_keys(qtbot, page, "15")  # the base carries over from January
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)
    assert (text(page, "I11", 1), text(page, "I11", 2)) == ("12/40", "15/40")
    monkeypatch.setattr("ui.entry.page.QInputDialog.getMultiLineText", lambda *a, **k: ("新建社区 2 个", True))
    page.edit_note(cell(page, "I11", 2))
    assert page.model.has_note(cell(page, "I11", 2))
    assert cell(page, "I11", 2).data(Qt.ToolTipRole) == "备注：新建社区 2 个"
    page.save()
    with ctx.db.read() as s:
        row = s.scalars(select(DataValue).where(DataValue.month == 2)).one()
        assert (row.value, row.base, row.note) == (15.0, 40.0, "新建社区 2 个")


def test_ledger_rows_are_read_only_counts(qtbot, page, ctx):
    import datetime as dt

    with ctx.db.write() as s:
        office = offices.resolve(s, "海州区")
        lecture = activities.resolve_type(s, "ACAD_REPORT")
        for day in (3, 17):
            activities.add_activity(s, office, lecture, dt.date(2020, 5, day), f"报告会{day}")
    page.reload(2020)
    assert text(page, "I02", 5) == "2"
    assert text(page, "I03", 5) == "2"  # reports count as academic exchanges too
    assert not (cell(page, "I02", 5).flags() & Qt.ItemIsEditable)
    with qtbot.waitSignal(page.show_ledger) as signal:
        page.table.doubleClicked.emit(cell(page, "I02", 5))
    assert signal.args == ["I02", 2020, 5]


def test_leaving_with_unsaved_edits_asks(qtbot, page, monkeypatch, ctx):
    click(qtbot, page, cell(page, "I09", 1))
    type_keys(qtbot, page, "3")
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Cancel)
    assert page.confirm_leave() is False
    assert page.has_unsaved()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Save)
    assert page.confirm_leave() is True
    assert saved_values(ctx, "I09") == {1: 3.0}


def test_discard_at_the_prompt_really_discards(qtbot, page, monkeypatch, ctx):
    click(qtbot, page, cell(page, "I09", 2))
    type_keys(qtbot, page, "4")
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)
    assert cell(page, "I09", 2).data(Qt.BackgroundRole) is not None  # yellow: unsaved
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    assert page.confirm_leave() is True
    assert text(page, "I09", 2) == "" and not page.has_unsaved() and not page.save_button.isEnabled()
    assert cell(page, "I09", 2).data(Qt.BackgroundRole) is None  # the yellow cell is gone
    assert not ctx.undo_stack.canUndo()
    assert saved_values(ctx, "I09") == {}


def test_coverage_total_carries_over_from_the_previous_year(qtbot, ctx):
    with ctx.db.write() as s:
        office = offices.resolve(s, "海州区")
        offices.set_this_office(s, office)
        values.set_value(s, plan.indicator(s, "I11"), office, 2019, 11, 30, base=40)
    page = EntryPage(ctx)
    qtbot.addWidget(page)
    page.reload(2020)
    assert page.model.setData(cell(page, "I11", 3), "33")
    assert text(page, "I11", 3) == "33/40"
    assert page.model.setData(cell(page, "I11", 2), "31/42")  # a later total does not flow backwards
    assert page.model.setData(cell(page, "I11", 1), "30")
    assert text(page, "I11", 1) == "30/40"
