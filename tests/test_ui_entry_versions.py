"""数据填报 on a shared database (issue 18): a cell another PC changed since the grid was loaded refuses the
save with who and when, the grid reads the saved figures again, and nothing is overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import update

from kexie_desktop.models import AuditEntry
from kexie_desktop.services import offices, plan, values
from kexie_desktop.startup import open_app_database
from ui.entry.model import FIRST_MONTH
from ui.entry.page import EntryPage

REFUSED = "这条数据已被 张三 于 2026-12-02 10:31 在另一台电脑上修改，已重新读取，请核对后再改。"


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


def cell(page, code: str, month: int):
    row = [r.code for r in page.model.rows].index(code)
    return page.model.index(row, FIRST_MONTH + month - 1)


def type_into(qtbot, page, code: str, month: int, keys: str) -> None:
    index = cell(page, code, month)
    page.table.scrollTo(index)
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=page.table.visualRect(index).center())
    for ch in keys:
        qtbot.keyClick(QApplication.focusWidget() or page.table, ch)
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)


def other_pc_sets(ctx, month: int, value: float) -> None:
    """张三 on another PC saves I09 of 2020-``month`` at 10:31."""
    other = open_app_database(ctx.db.target)
    try:
        with other.write() as s:
            values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "海州区"), 2020, month, value,
                             user="张三")
            s.execute(update(AuditEntry).where(AuditEntry.entity_key == f"I09/320706/2020-{month:02d}")
                      .values(at=dt.datetime(2026, 12, 2, 10, 31)))
    finally:
        other.close()


def saved(ctx, month: int):
    with ctx.db.read() as s:
        row = values.find_value(s, plan.indicator(s, "I09"), offices.resolve(s, "海州区"), 2020, month)
        return None if row is None else row.value


def test_a_cell_changed_on_another_pc_refuses_the_save_and_the_grid_reloads(qtbot, page, ctx, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append((title, text)))
    type_into(qtbot, page, "I09", 1, "12")
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert saved(ctx, 1) == 12
    other_pc_sets(ctx, 1, 20)  # after our save: the grid still shows 12
    other_pc_sets(ctx, 2, 4)  # a cell the grid saw empty
    type_into(qtbot, page, "I09", 1, "15")
    type_into(qtbot, page, "I09", 3, "6")
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert shown == [("保存失败", REFUSED)]
    assert (saved(ctx, 1), saved(ctx, 2), saved(ctx, 3)) == (20, 4, None)  # 张三's figures stay, nothing else
    assert [cell(page, "I09", m).data() for m in (1, 2, 3)] == ["20", "4", ""]  # read again
    assert not page.has_unsaved()
    assert page.message.text() == "未接受：" + REFUSED
    type_into(qtbot, page, "I09", 1, "15")  # checked against what is shown now: accepted
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert saved(ctx, 1) == 15
    assert page.message.text() == "已保存 1 格。"
