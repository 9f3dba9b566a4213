"""The whole reporting cycle through both programs' windows (PRODUCT.md, "The reporting cycle"): the unit
types its figures in 数据填报, submits and approves them on 审核, exports on 数据交换; the city imports the
package, sees the months on 报送情况 and answers with a receipt from its package log; the unit drops the
receipt on its window and sees 市已接收 for exactly the months the city holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from hostile.helpers import init_unit, make_city
from kexie_desktop.review import states
from kexie_desktop.services import offices, settings
from kexie_desktop.startup import open_app_database
from tests.conftest import make_context
from ui.entry.model import FIRST_MONTH
from ui.reporting.model import FIRST_MONTH as FIRST_MONTH_COLUMN

UNIT = "320703"  # 连云区
YEAR = 2020  # the working year: every month of it has ended


@pytest.fixture
def city_ctx(tmp_path, qapp):
    db = make_city(tmp_path / "city.db")
    (tmp_path / "c").mkdir()
    yield make_context(db, tmp_path / "c")
    db.close()


@pytest.fixture
def unit_ctx(city_ctx, tmp_path, qapp):
    db = open_app_database(tmp_path / "unit.db")
    init_unit(city_ctx.db, db, UNIT, tmp_path)
    with db.write() as s:
        settings.put(s, "user_filler", "王填")
        settings.put(s, "user_reviewer", "李审")
    (tmp_path / "u").mkdir()
    yield make_context(db, tmp_path / "u")
    db.close()


def window_of(qtbot, ctx):
    from ui.main_window import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    return win


def nav(qtbot, win, title: str):
    item = next(win.nav.item(r) for r in range(win.nav.count()) if win.nav.item(r).text() == title)
    qtbot.mouseClick(win.nav.viewport(), Qt.LeftButton, pos=win.nav.visualItemRect(item).center())
    return win.current_page()


def save_as(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def drop(qtbot, win, path: Path):
    sync = win.page("sync")
    sync.preview_dialog = None
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    win.dropEvent(QDropEvent(QPointF(300, 300), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    qtbot.waitUntil(lambda: getattr(sync, "preview_dialog", None) is not None, timeout=20000)
    dialog = sync.preview_dialog
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(sync.imported, timeout=20000) as done:
        qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert done.args[0].ok, done.args[0].summary()
    return dialog


def test_unit_enters_reviews_exports_city_imports_answers_unit_sees_received(
        qtbot, unit_ctx, city_ctx, tmp_path, monkeypatch):
    unit = window_of(qtbot, unit_ctx)
    # 数据填报: 科教兴农项目 (I09) 4, 5, 6 in January to March, typed and saved.
    entry = nav(qtbot, unit, "数据填报")
    row = [r.code for r in entry.model.rows].index("I09")
    for month, value in ((1, "4"), (2, "5"), (3, "6")):
        cell = entry.model.index(row, FIRST_MONTH + month - 1)
        qtbot.mouseClick(entry.table.viewport(), Qt.LeftButton, pos=entry.table.visualRect(cell).center())
        qtbot.keyClick(entry.table, value)
        qtbot.keyClick(entry.table.focusWidget(), Qt.Key_Return)
    qtbot.mouseClick(entry.save_button, Qt.LeftButton)
    assert [entry.model.index(row, FIRST_MONTH + m).data() for m in range(4)] == ["4", "5", "6", ""]

    # 审核: no findings; submit and approve January–March.
    review = nav(qtbot, unit, "审核")
    assert review.model.rowCount() == 0
    review.month_buttons[2].click()
    qtbot.mouseClick(review.submit_button, Qt.LeftButton)
    monkeypatch.setattr("ui.review.page.ApproveDialog.exec", lambda dialog: QDialog.Accepted)
    qtbot.mouseClick(review.approve_button, Qt.LeftButton)
    assert review.approval.text().startswith("1—3月已审核：李审，")

    # 数据交换: export the year's package.
    sync = nav(qtbot, unit, "数据交换")
    package = tmp_path / "连云区-2020.xlsx"
    save_as(monkeypatch, package)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail(f"asked: {a[2]}"))
    qtbot.mouseClick(sync.export_submission_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: package.exists() and sync.message.text().startswith("已导出"), timeout=20000)
    assert "审核状态：已审核（1—3月；审核人：李审）。" in sync.message.text()
    assert [c.text() for c in sync.delivery.cells[:4]] == ["1月\n已报送", "2月\n已报送", "3月\n已报送", "4月\n未上报"]

    # The city imports it (dropped on its window) and sees the months on 报送情况: made in 2026 for 2020,
    # so after every deadline (迟报); the other units sent nothing (未报).
    city = window_of(qtbot, city_ctx)
    preview = drop(qtbot, city, package)
    assert preview.review_label.text().startswith("已审核")
    matrix = nav(qtbot, city, "报送情况")
    report = matrix.model  # the unit × month matrix
    codes = [u.code for u in report.result.units]
    unit_row = codes.index(UNIT)
    shown = [report.index(unit_row, FIRST_MONTH_COLUMN + m).data() for m in range(4)]
    assert shown == ["迟报", "迟报", "迟报", "未报"]
    assert [c.state for c in report.result.units[unit_row].cells[:4]] == ["迟报", "迟报", "迟报", "未报"]
    assert {u.cells[0].state for u in report.result.units if u.code != UNIT} == {"未报"}

    # 数据交换 at the city: the applied package's row → 生成回执.
    city_sync = nav(qtbot, city, "数据交换")
    log = city_sync.log_model
    row_ = next(i for i, r in enumerate(log.rows) if r["kind"] == "submission" and r["result"] == "applied")
    rect = city_sync.log_table.visualRect(log.index(row_, 0))
    qtbot.mouseClick(city_sync.log_table.viewport(), Qt.LeftButton, pos=rect.center())
    receipt = tmp_path / "回执.xlsx"
    save_as(monkeypatch, receipt)
    qtbot.mouseClick(city_sync.receipt_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: receipt.exists() and city_sync.message.text().startswith("已导出回执包"), timeout=20000)

    # The unit drops the receipt on its window: exactly the months the city holds are 市已接收.
    drop(qtbot, unit, receipt)
    sync = unit.page("sync")
    assert [c.text() for c in sync.delivery.cells] == ["1月\n市已接收", "2月\n市已接收", "3月\n市已接收"] + [
        f"{m}月\n未上报" for m in range(4, 13)]
    assert unit.delivery_label.text() == "　2020年报送：1—3月市已接收"
    with unit_ctx.db.read() as s:
        assert [m.state for m in states.month_states(s, offices.resolve(s, UNIT), YEAR)[:4]] == [
            "received", "received", "received", "draft"]
