"""A demo installation is visibly marked (window title, status bar), and 工具 → 清除演示数据 removes
the demo rows while the real ones stay."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from kexie_desktop.models import DataValue
from kexie_desktop.services import offices, plan, values
from ui.main_window import MainWindow


def _window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def _tools_action(window, text: str):
    return next(a for a in window.tools_menu.actions() if a.text() == text)


def test_a_demo_installation_says_so_in_the_title_and_the_status_bar(qtbot, demo_ctx):
    with demo_ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "东海县"))
    window = _window(qtbot, demo_ctx)
    assert window.windowTitle() == "连云港市科协 三年行动计划填报系统 — 东海县科协【演示数据】"
    assert window.demo_label.isVisible()
    assert window.demo_label.text() == "演示数据：仅供试用，导出的包正式安装不会接收"
    assert _tools_action(window, "清除演示数据…").isEnabled()


def test_a_real_installation_shows_its_office_and_no_demo_mark(qtbot, ctx):
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "海州区"))
    window = _window(qtbot, ctx)
    assert window.windowTitle() == "连云港市科协 三年行动计划填报系统 — 海州区科协"
    assert not window.demo_label.isVisible()
    assert not _tools_action(window, "清除演示数据…").isEnabled()


def test_clearing_demo_data_from_the_tools_menu(qtbot, demo_ctx, monkeypatch):
    with demo_ctx.db.write() as s:
        office = offices.resolve(s, "东海县")
        offices.set_this_office(s, office)
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 3, 12.0, user="王芳")  # real, over a demo cell
    window = _window(qtbot, demo_ctx)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    window.menuBar().setFocus()
    _tools_action(window, "清除演示数据…").trigger()
    assert asked and "实际填报的数据保留不变" in asked[0]
    with demo_ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(DataValue)) == 1
        assert s.scalar(select(DataValue.value)) == 12.0
    assert window.windowTitle() == "连云港市科协 三年行动计划填报系统 — 东海县科协"
    assert not window.demo_label.isVisible()
    assert window.statusBar().currentMessage().startswith("已清除演示数据：")
    if not demo_ctx.db.on_server:  # a server database is backed up by its administrator, not by the program
        assert list((demo_ctx.db.path.parent / "backups").glob("*before-clear-demo*.db"))
