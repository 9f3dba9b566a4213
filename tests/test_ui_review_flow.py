"""Issue 13's GUI path through the main window: the 审核 page lists the findings, a double-click jumps to
the cell in 数据填报, an explanation turns the cell from warning to explained, approval locks the grid."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from kexie_desktop.models import Activity, ActivityType, DataValue
from kexie_desktop.services import offices, plan, settings
from tests.qtkeys import type_text
from ui.entry.model import FIRST_MONTH, TOTAL
from ui.review.marks import FINDING_COLOURS, LOCKED_COLOUR

YEAR = 2020  # the plan's last year: every month has passed, and it is the program's working year


@pytest.fixture
def unit_ctx(ctx):
    with ctx.db.write() as s:
        office = offices.resolve(s, "东海县")
        offices.set_this_office(s, office)
        settings.put(s, "user_filler", "王填")
        settings.put(s, "user_reviewer", "李审")

        def put(code, month, value, base=None):
            s.add(DataValue(indicator_id=plan.indicator(s, code).id, office_id=office.id, year=YEAR,
                            month=month, value=value, base=base))

        put("I09", 1, 10)
        put("I09", 2, 50)  # W01: five times January
        put("I01", 1, 5, base=4)  # E01: covered above the base
    return ctx


@pytest.fixture
def window(qtbot, unit_ctx):
    from ui.main_window import MainWindow

    win = MainWindow(unit_ctx)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    with qtbot.waitExposed(win):
        win.show()
    return win


def click_nav(qtbot, window, title: str):
    item = next(window.nav.item(r) for r in range(window.nav.count()) if window.nav.item(r).text() == title)
    qtbot.mouseClick(window.nav.viewport(), Qt.LeftButton, pos=window.nav.visualItemRect(item).center())
    return window.current_page()


def grid_cell(entry, code: str, month: int):
    row = [r.code for r in entry.model.rows].index(code)
    return entry.model.index(row, FIRST_MONTH + month - 1)


def colour(index) -> str | None:
    brush = index.data(Qt.BackgroundRole)
    return brush.color().name() if brush is not None else None


def double_click_row(qtbot, review, row: int):
    rect = review.table.visualRect(review.model.index(row, 2))
    qtbot.mouseClick(review.table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(review.table.viewport(), Qt.LeftButton, pos=rect.center())


def test_findings_jump_explain_approve_lock(qtbot, window, unit_ctx, monkeypatch):
    review = click_nav(qtbot, window, "审核")
    assert window.nav.item(2).text() == "审核"  # right after 数据填报
    assert review.view.year == YEAR
    rows = [(review.model.data(review.model.index(r, 0)), review.model.data(review.model.index(r, 1)))
            for r in range(review.model.rowCount())]
    assert rows == [("错误", "E01"), ("警告", "W01")]

    double_click_row(qtbot, review, 1)  # W01 on I09, February
    entry = window.current_page()
    assert entry is window.entry
    assert entry.table.currentIndex() == grid_cell(entry, "I09", 2)
    assert colour(grid_cell(entry, "I09", 2)) == FINDING_COLOURS["warning"]
    assert colour(grid_cell(entry, "I09", 1)) is None
    assert colour(grid_cell(entry, "I01", 1)) == FINDING_COLOURS["error"]
    assert grid_cell(entry, "I09", 2).data(Qt.ToolTipRole).startswith("警告（W01）：")

    # The explanation typed on the 审核 page turns the grid cell green.
    review = click_nav(qtbot, window, "审核")
    review.table.selectRow(1)
    type_text(review.explanation, "二月集中验收一批项目")
    qtbot.mouseClick(review.save_explanation, Qt.LeftButton)
    assert colour(grid_cell(entry, "I09", 2)) == FINDING_COLOURS["explained"]
    assert grid_cell(entry, "I09", 2).data(Qt.ToolTipRole).endswith("说明：二月集中验收一批项目")

    # The error is corrected in the grid: its mark goes with the save.
    double_click_row(qtbot, review, 0)
    assert window.current_page() is entry and entry.table.currentIndex() == grid_cell(entry, "I01", 1)
    for ch in "4/4":
        qtbot.keyClick(QApplication.focusWidget(), ch)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    qtbot.mouseClick(entry.save_button, Qt.LeftButton)
    assert colour(grid_cell(entry, "I01", 1)) is None
    assert [review.model.data(review.model.index(r, 0)) for r in range(review.model.rowCount())] == ["警告（已说明）"]

    # Submit and approve January–February on the 审核 page (the approval dialog patched).
    review = click_nav(qtbot, window, "审核")
    review.month_buttons[1].click()
    qtbot.mouseClick(review.submit_button, Qt.LeftButton)
    monkeypatch.setattr("ui.review.page.ApproveDialog.exec", lambda dialog: QDialog.Accepted)
    qtbot.mouseClick(review.approve_button, Qt.LeftButton)
    assert review.approval.text().startswith("1—2月已审核：李审，")

    entry = click_nav(qtbot, window, "数据填报")
    header = entry.model.headerData
    assert [header(FIRST_MONTH + m, Qt.Horizontal) for m in range(3)] == ["1月\n已审核", "2月\n已审核", "3月"]
    locked = grid_cell(entry, "I09", 1)
    assert not entry.model.flags(locked) & Qt.ItemIsEditable
    assert colour(locked) == LOCKED_COLOUR
    assert colour(grid_cell(entry, "I09", 3)) is None
    rect = entry.table.visualRect(locked)
    qtbot.mouseClick(entry.table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.keyClick(entry.table, "7")
    assert locked.data() == "10"  # unchanged, no editor opened
    assert not entry.has_unsaved()
    assert entry.message.text().startswith(f"不能填写：{YEAR}年1月的数据已由 李审 于 ")
    assert "审核通过并锁定，不能修改。如需修改，请审核人在“审核”页撤销审核" in entry.message.text()
    # Pasting a block over the locked months says why too; the open March cell takes its value.
    QApplication.clipboard().setText("1\t2\t3")
    qtbot.keyClick(entry.table, "v", Qt.ControlModifier)
    assert [grid_cell(entry, "I09", m).data() for m in (1, 2, 3)] == ["10", "50", "3"]
    assert entry.message.text().startswith("未接受：已粘贴 1 格；2 格未能填入：“科教兴农项目”1月：2020年1月的数据已由 李审")
    entry.discard()


def test_year_findings_jump_to_the_total_and_records_to_the_ledger(qtbot, window, unit_ctx):
    with unit_ctx.db.write() as s:
        office = offices.resolve(s, "东海县")
        kind = s.query(ActivityType).first()
        for title in ("甲", "乙"):
            s.add(Activity(office_id=office.id, type_id=kind.id, date=dt.date(YEAR, 3, 5), title="同名活动",
                           uid=f"uid-{title}", audience=10, participants=0, place="", note=""))
    ledger = click_nav(qtbot, window, "活动台账")
    ledger.filters.search.setText("不存在的活动")
    ledger.reload()
    assert ledger.model.rowCount() == 0
    review = click_nav(qtbot, window, "审核")
    review.reload()
    row = next(r for r, f in enumerate(review.model.rows) if f.record)
    double_click_row(qtbot, review, row)
    assert window.current_page() is ledger
    assert ledger.filters.search.text() == ""
    assert ledger.selected_uids() == [review.model.rows[row].record]

    window.jump_to_cell("I09", YEAR, 0)
    entry = window.current_page()
    assert entry.table.currentIndex() == grid_cell(entry, "I09", 1).siblingAtColumn(TOTAL)


def test_delete_in_a_locked_month_says_why_and_a_year_mark_sits_on_the_total(qtbot, unit_ctx):
    from kexie_desktop.models import ReviewMonth
    from ui.entry.page import EntryPage
    from ui.review.marks import CellMark, ReviewMarks

    with unit_ctx.db.write() as s:
        s.add(ReviewMonth(office_id=offices.resolve(s, "东海县").id, year=YEAR, month=1, state="sent", by="李审",
                          at=dt.datetime(2021, 1, 5, 8, 0)))
    entry = EntryPage(unit_ctx)
    qtbot.addWidget(entry)
    entry.resize(1366, 700)
    with qtbot.waitExposed(entry):
        entry.show()
    assert entry.model.headerData(FIRST_MONTH, Qt.Horizontal) == "1月\n已报送"
    assert entry.model.headerData(FIRST_MONTH, Qt.Horizontal, Qt.ToolTipRole).startswith("2020年1月的数据已由 李审 于 2021-01-05 08:00")
    january = grid_cell(entry, "I09", 1)
    qtbot.mouseClick(entry.table.viewport(), Qt.LeftButton, pos=entry.table.visualRect(january).center())
    qtbot.keyClick(entry.table, Qt.Key_Delete)
    assert january.data() == "10" and not entry.has_unsaved()
    assert entry.message.text().startswith("未接受：“科教兴农项目”1月：2020年1月的数据已由 李审 于 2021-01-05 08:00")

    marks = ReviewMarks({("I09", 0): CellMark("warning", "警告（W03）：全年合计超过目标的 3 倍")}, entry.model.marks.locks)
    entry.model.set_marks(marks)
    total = january.siblingAtColumn(TOTAL)
    assert (colour(total), total.data(Qt.ToolTipRole)) == (FINDING_COLOURS["warning"], "警告（W03）：全年合计超过目标的 3 倍")


def test_approval_first_offers_to_save_the_grids_edits_and_judges_what_is_saved(qtbot, window, unit_ctx, monkeypatch):
    from kexie_desktop.review import explanations, states
    from PySide6.QtWidgets import QMessageBox

    with unit_ctx.db.write() as s:  # the error corrected, the warning explained, January–February submitted
        office = offices.resolve(s, "东海县")
        s.query(DataValue).filter_by(office_id=office.id, indicator_id=plan.indicator(s, "I01").id).one().base = 5
        explanations.explain(s, office, YEAR, "W01", "I09/2020-02", "二月集中验收一批项目")
        states.submit(s, office, YEAR, 2)
    entry = click_nav(qtbot, window, "数据填报")
    entry.reload(YEAR)
    # An unsaved edit that voids the explanation: February 500, fifty times January.
    index = grid_cell(entry, "I09", 2)
    entry.table.setFocus()
    entry.table.setCurrentIndex(index)
    for ch in "500":
        qtbot.keyClick(QApplication.focusWidget(), ch)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    assert index.data() == "500" and entry.has_unsaved()

    review = click_nav(qtbot, window, "审核")
    review.month_buttons[1].click()
    assert review.approve_button.isEnabled()  # the saved data has nothing blocking
    asked, opened, warned = [], [], []
    monkeypatch.setattr("ui.review.page.ApproveDialog.exec", lambda dialog: opened.append(1) or QDialog.Accepted)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Cancel)
    qtbot.mouseClick(review.approve_button, Qt.LeftButton)
    assert asked == ["填报表中有尚未保存的修改。是否保存？"] and opened == [] and entry.has_unsaved()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Save)
    qtbot.mouseClick(review.approve_button, Qt.LeftButton)
    assert len(asked) == 2 and not entry.has_unsaved()
    # What is saved now has an unexplained warning: approval is refused, nothing is locked.
    with unit_ctx.db.read() as s:
        assert s.query(DataValue).filter_by(indicator_id=plan.indicator(s, "I09").id, month=2).one().value == 500
    assert len(warned) == 1 and warned[0].startswith("不能审核通过：还有 0 个错误、1 个未说明的警告。")
    with unit_ctx.db.read() as s:
        months = states.month_states(s, offices.resolve(s, "东海县"), YEAR)[:2]
    assert [m.state for m in months] == ["pending", "pending"]
    assert [review.model.data(review.model.index(r, 0)) for r in range(review.model.rowCount())] == ["警告"]
