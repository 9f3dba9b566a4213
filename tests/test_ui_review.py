"""The 审核 page through clicks and keys: findings listed, an explanation clears a warning, approval."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from kexie_desktop.models import DataValue
from kexie_desktop.review import states
from kexie_desktop.services import offices, plan, settings
from tests.qtkeys import type_text
from tests.other_pc import REFUSED, audit_count, collect_warnings, on_other_pc

TODAY = dt.date(2019, 6, 15)


@pytest.fixture
def unit_ctx(ctx):
    with ctx.db.write() as s:
        office = offices.resolve(s, "东海县")
        offices.set_this_office(s, office)
        settings.put(s, "user_reviewer", "李审")

        def put(code, month, value, base=None):
            s.add(DataValue(indicator_id=plan.indicator(s, code).id, office_id=office.id, year=2019,
                            month=month, value=value, base=base))

        put("I09", 1, 10)
        put("I09", 2, 50)  # W01: five times January
        put("I01", 1, 5, base=4)  # E01: covered above the base
    return ctx


def make_page(qtbot, ctx):
    from ui.review.page import ReviewPage

    page = ReviewPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def cells(page, column):
    return [page.model.data(page.model.index(r, column)) for r in range(page.model.rowCount())]


def test_the_page_lists_the_findings_errors_first(qtbot, unit_ctx):
    page = make_page(qtbot, unit_ctx)
    assert cells(page, 0) == ["错误", "警告"]
    assert cells(page, 1) == ["E01", "W01"]
    assert cells(page, 2) == ["I01 省级海智基地县（区）覆盖", "I09 科教兴农项目"]
    assert cells(page, 3) == ["2019年1月", "2019年2月"]
    assert page.summary.text() == "东海县科协 2019年：1 个错误，1 个未说明的警告，0 个已说明"
    assert [b.text() for b in page.month_buttons[:3]] == ["1月\n草稿", "2月\n草稿", "3月\n草稿"]
    assert page.month_group.checkedId() == 6  # the current month of "today"


def test_a_double_click_jumps_to_the_cell(qtbot, unit_ctx):
    page = make_page(qtbot, unit_ctx)
    rect = page.table.visualRect(page.model.index(1, 2))
    with qtbot.waitSignal(page.jump_to_cell) as blocker:
        qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert blocker.args == ["I09", 2019, 2]


def test_an_explanation_typed_on_the_page_clears_the_warning(qtbot, unit_ctx):
    page = make_page(qtbot, unit_ctx)
    page.table.selectRow(0)
    assert not page.save_explanation.isEnabled()  # an error cannot be explained away
    page.table.selectRow(1)
    assert page.save_explanation.isEnabled()
    type_text(page.explanation, "二月集中验收一批项目")
    qtbot.mouseClick(page.save_explanation, Qt.LeftButton)
    assert cells(page, 0) == ["错误", "警告（已说明）"]
    assert cells(page, 6) == ["", "二月集中验收一批项目"]
    assert page.summary.text() == "东海县科协 2019年：1 个错误，0 个未说明的警告，1 个已说明"


def test_submit_then_approve_once_the_error_is_corrected(qtbot, unit_ctx, monkeypatch):
    page = make_page(qtbot, unit_ctx)
    page.month_buttons[1].click()  # February
    assert page.submit_button.text() == "提交审核（1—2月）"
    qtbot.mouseClick(page.submit_button, Qt.LeftButton)
    assert [b.text() for b in page.month_buttons[:3]] == ["1月\n待审核", "2月\n待审核", "3月\n草稿"]
    assert not page.approve_button.isEnabled()
    assert page.month_note.text() == "还不能审核通过：1—2月有 1 个错误、1 个未说明的警告。"

    with unit_ctx.db.write() as s:  # the clerk corrects the base and explains the jump
        office = offices.resolve(s, "东海县")
        row = s.query(DataValue).filter_by(office_id=office.id, indicator_id=plan.indicator(s, "I01").id).one()
        row.base = 5
    page.reload()
    page.table.selectRow(0)
    type_text(page.explanation, "二月集中验收一批项目")
    qtbot.mouseClick(page.save_explanation, Qt.LeftButton)
    assert page.approve_button.isEnabled()

    def fill(dialog):
        assert dialog.name.text() == "李审"
        return QDialog.Accepted

    monkeypatch.setattr("ui.review.page.ApproveDialog.exec", fill)
    qtbot.mouseClick(page.approve_button, Qt.LeftButton)
    assert [b.text() for b in page.month_buttons[:3]] == ["1月\n已审核", "2月\n已审核", "3月\n草稿"]
    assert page.message.text() == "已审核通过并锁定：2019年1—2月。"
    assert page.unapprove_button.isEnabled()

    def undo(dialog):
        assert dialog.name.text() == "李审"
        type_text(dialog.reason, "一月数据需要补充")
        return QDialog.Accepted

    monkeypatch.setattr("ui.review.page.UnapproveDialog.exec", undo)
    page.month_buttons[0].click()
    qtbot.mouseClick(page.unapprove_button, Qt.LeftButton)
    with unit_ctx.db.read() as s:
        labels = [m.label for m in states.month_states(s, offices.resolve(s, "东海县"), 2019)[:2]]
    assert labels == ["草稿", "草稿"]


def test_unapprove_asks_the_reviewers_name_and_password(qtbot, unit_ctx, monkeypatch):
    with unit_ctx.db.write() as s:
        office = offices.resolve(s, "东海县")
        s.query(DataValue).filter_by(office_id=office.id, indicator_id=plan.indicator(s, "I01").id).one().base = 5
        s.query(DataValue).filter_by(office_id=office.id, month=2).one().value = 12
        states.submit(s, office, 2019, 2, today=TODAY)
        states.approve(s, office, 2019, 2, by="李审", today=TODAY)
        states.set_password(s, "s3cret")
    page = make_page(qtbot, unit_ctx)
    page.month_buttons[1].click()
    seen, warned = [], []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))

    def undo(password):
        def fill(dialog):
            seen.append((dialog.name.text(), dialog.password.isVisibleTo(dialog)))
            type_text(dialog.reason, "二月数据录错了")
            dialog.name.setText("张副审")
            type_text(dialog.password, password)
            return QDialog.Accepted
        return fill

    monkeypatch.setattr("ui.review.page.UnapproveDialog.exec", undo("wrong"))
    qtbot.mouseClick(page.unapprove_button, Qt.LeftButton)
    assert warned == ["审核密码不对，请重新输入。"]
    monkeypatch.setattr("ui.review.page.UnapproveDialog.exec", undo("s3cret"))
    qtbot.mouseClick(page.unapprove_button, Qt.LeftButton)
    assert seen == [("李审", True), ("李审", True)] and len(warned) == 1
    with unit_ctx.db.read() as s:
        months = states.month_states(s, offices.resolve(s, "东海县"), 2019)[:2]
    assert [(m.state, m.by, m.note) for m in months] == [("approved", "李审", ""), ("draft", "张副审", "二月数据录错了")]
    assert page.message.text() == "已撤销审核：2019年2月起回到草稿。"


def test_the_current_month_can_be_submitted_but_not_approved(qtbot, unit_ctx):
    with unit_ctx.db.write() as s:
        office = offices.resolve(s, "东海县")
        s.query(DataValue).filter_by(office_id=office.id, indicator_id=plan.indicator(s, "I01").id).one().base = 5
        s.query(DataValue).filter_by(office_id=office.id, month=2).one().value = 12
    page = make_page(qtbot, unit_ctx)
    page.month_buttons[5].click()  # June, the month of "today"
    assert page.submit_button.isEnabled()
    qtbot.mouseClick(page.submit_button, Qt.LeftButton)
    assert page.month_buttons[5].text() == "6月\n待审核"
    assert not page.approve_button.isEnabled()
    assert page.month_note.text() == "6月还没有结束：可以提交，月份结束后才能审核通过。"
    page.month_buttons[4].click()  # May has ended
    assert page.approve_button.isEnabled() and page.month_note.text() == ""


def test_no_findings_shows_a_sentence_instead_of_an_empty_table(qtbot, ctx):
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "东海县"))
    page = make_page(qtbot, ctx)
    assert page.model.rowCount() == 0
    assert page.listing.currentWidget() is page.empty
    assert page.empty.text() == "2019年没有发现问题：全部检查已通过。\n可以选中月份，提交审核。"
    assert page.approval.text() == ""


def test_the_detail_shows_the_whole_finding(qtbot, unit_ctx):
    page = make_page(qtbot, unit_ctx)
    page.table.selectRow(1)
    assert page.listing.currentWidget() is page.table
    head, message = page.detail.text().split("\n")
    assert head == "警告（W01）　I09 科教兴农项目　2019年2月　数值：50"
    assert message == page.model.rows[1].message


def test_a_month_submitted_on_another_pc_refuses_the_submit_and_the_page_reloads(qtbot, unit_ctx, monkeypatch):
    page = make_page(qtbot, unit_ctx)
    page.month_buttons[2].click()  # March
    assert page.submit_button.text() == "提交审核（1—3月）"

    def submit_january(s):
        states.submit(s, offices.resolve(s, "东海县"), 2019, 1, user="张三", today=TODAY)
    on_other_pc(unit_ctx, submit_january, "320722/2019-01")
    before = audit_count(unit_ctx)
    shown = collect_warnings(monkeypatch)
    qtbot.mouseClick(page.submit_button, Qt.LeftButton)
    assert shown == [("提交审核", REFUSED)]
    assert audit_count(unit_ctx) == before
    assert [b.text() for b in page.month_buttons[:3]] == ["1月\n待审核", "2月\n草稿", "3月\n草稿"]  # read again
    qtbot.mouseClick(page.submit_button, Qt.LeftButton)
    assert shown == [("提交审核", REFUSED)]  # no second refusal
    assert [b.text() for b in page.month_buttons[:4]] == ["1月\n待审核", "2月\n待审核", "3月\n待审核", "4月\n草稿"]
