"""修改记录 in the GUI: 右键 → 修改记录 on a grid cell and on a target opens the history dialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from kexie_desktop.services import offices, plan, settings, targets
from tests.test_ui_entry import cell, click, type_keys
from ui.entry.page import EntryPage
from ui.history.dialog import HistoryDialog
from ui.targets.page import CODE, TargetsPage


@pytest.fixture
def choose_history(monkeypatch):
    """The context menu 'opens' and the user picks 修改记录… (a real menu would wait offscreen)."""
    shown = []

    def choose(_page, menu, _where):
        shown.append([a.text() for a in menu.actions() if a.text()])
        return next(a for a in menu.actions() if a.text() == "修改记录…")

    monkeypatch.setattr(EntryPage, "popup_menu", choose)
    monkeypatch.setattr(TargetsPage, "popup_menu", choose)
    return shown


def right_click(view, index) -> None:
    view.scrollTo(index)
    pos = view.visualRect(index).center()
    event = QContextMenuEvent(QContextMenuEvent.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)


def rows(dialog: HistoryDialog) -> list[list[str]]:
    m = dialog.model
    return [[m.index(r, c).data() for c in range(1, m.columnCount())] for r in range(m.rowCount())]


def test_right_click_on_a_cell_shows_its_history(qtbot, ctx, choose_history):
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "海州区"))
        settings.put(s, "user_filler", "王芳")
    page = EntryPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    with qtbot.waitExposed(page):
        page.show()
    for typed in ("7", "9"):
        click(qtbot, page, cell(page, "I09", 3))
        type_keys(qtbot, page, typed)
        qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)
        qtbot.mouseClick(page.save_button, Qt.LeftButton)
    right_click(page.table, cell(page, "I09", 3))
    assert choose_history == [["备注…", "清除", "修改记录…"]]
    dialog = page.history_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "修改记录"
    assert rows(dialog) == [  # newest first
        ["王芳", "数值", "2020-03", "7个", "9个", "手工录入"],
        ["王芳", "数值", "2020-03", "（空）", "7个", "手工录入"],
    ]
    assert not dialog.empty.isVisible()
    dialog.close()
    right_click(page.table, cell(page, "I09", 4))  # a cell nobody filled
    assert page.history_dialog.model.rowCount() == 0 and page.history_dialog.empty.isVisible()


def test_right_click_on_a_target_shows_its_history(qtbot, ctx, choose_history):
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.city(s))
        unit, indicator = offices.resolve(s, "海州区"), plan.indicator(s, "I09")
        targets.put_target(s, indicator, unit, None, 80, user="李明")
        targets.put_target(s, indicator, unit, None, 95, user="张三", source="split")
    page = TargetsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1216, 700)
    with qtbot.waitExposed(page):
        page.show()
    page.office_combo.setCurrentIndex(page.office_combo.findData("320706"))
    page.office_combo.activated.emit(page.office_combo.currentIndex())
    row = page.model.code_row("I09")
    right_click(page.table, page.model.index(row, CODE))
    assert choose_history == [["修改目标", "修改记录…"]]
    dialog = page.dialog
    assert isinstance(dialog, HistoryDialog) and dialog.isVisible()
    assert rows(dialog) == [
        ["张三", "目标", "期末", "80个", "95个", "任务分解"],
        ["李明", "目标", "期末", "（空）", "80个", "手工录入"],
    ]
    assert "海州区科协 · I09 科教兴农项目" in dialog.findChild(type(dialog.empty)).text()
