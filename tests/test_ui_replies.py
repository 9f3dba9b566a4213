"""回执 and 退回 in the GUI: the city answers an applied submission from 数据交换 (one receipt, a return with
reasons, receipts for a whole batch), and the unit sees what came back: the 数据交换 month strip, the status
bar, the returned items on 审核 and their marks in 数据填报."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog
from sqlalchemy import select

from hostile.helpers import export_sub, init_unit, make_city
from kexie_desktop import packages
from kexie_desktop.package_models import PackageLog
from kexie_desktop.packages import ReturnRequest
from kexie_desktop.review import states
from kexie_desktop.services import offices, plan, values
from kexie_desktop.startup import open_app_database
from tests.conftest import make_context
from tests.qtkeys import type_text
from ui.entry.model import FIRST_MONTH
from ui.review.marks import RETURNED_COLOUR
from ui.sync.page import SyncPage

UNIT = "320703"  # 连云区
YEAR = 2020  # the working year (today clamped to the plan)
SHORT = "退回必须写明原因（每项至少 5 个字），县区据此改正。"


@pytest.fixture
def city_ctx(tmp_path, qapp):
    db = make_city(tmp_path / "city.db")
    (tmp_path / "c").mkdir()
    yield make_context(db, tmp_path / "c")
    db.close()


@pytest.fixture
def unit_ctx(city_ctx, tmp_path, qapp):
    """连云区 with I09 in January–March of 2020 approved, sent (序号 1) and applied at the city."""
    db = open_app_database(tmp_path / "unit.db")
    init_unit(city_ctx.db, db, UNIT, tmp_path)
    with db.write() as s:
        office = offices.resolve(s, UNIT)
        for m in (1, 2, 3):
            values.set_value(s, plan.indicator(s, "I09"), office, YEAR, m, float(m))
        states.submit(s, office, YEAR, 3)
        states.approve(s, office, YEAR, 3, by="李审")
    export_sub(db, UNIT, YEAR, tmp_path / "sub1.xlsx")
    assert packages.apply(city_ctx.db, tmp_path / "sub1.xlsx").outcome == "applied"
    (tmp_path / "u").mkdir()
    yield make_context(db, tmp_path / "u")
    db.close()


def _page(qtbot, ctx) -> SyncPage:
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def _select_submission(qtbot, page) -> None:
    row = next(i for i, r in enumerate(page.log_model.rows) if r["kind"] == "submission")
    rect = page.log_table.visualRect(page.log_model.index(row, 0))
    qtbot.mouseClick(page.log_table.viewport(), Qt.LeftButton, pos=rect.center())


def _save_to(monkeypatch, path: Path, asked: list):
    def save(parent, title, name, filters):
        asked.append(Path(name).name)
        return str(path), filters
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)


def test_city_makes_a_receipt_of_the_selected_package(qtbot, city_ctx, unit_ctx, tmp_path, monkeypatch):
    page = _page(qtbot, city_ctx)
    assert not page.receipt_button.isEnabled() and not page.return_button.isEnabled()
    init_row = next(i for i, r in enumerate(page.log_model.rows) if r["kind"] == "init")
    rect = page.log_table.visualRect(page.log_model.index(init_row, 0))
    qtbot.mouseClick(page.log_table.viewport(), Qt.LeftButton, pos=rect.center())
    assert not page.receipt_button.isEnabled()  # an init package is not answered
    _select_submission(qtbot, page)
    assert page.receipt_button.isEnabled() and page.return_button.isEnabled()
    target, asked = tmp_path / "回执.xlsx", []
    _save_to(monkeypatch, target, asked)
    qtbot.mouseClick(page.receipt_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and page.message.text().startswith("已导出回执包"), timeout=20000)
    assert asked == ["回执-连云区科协-2020-序号1.xlsx"]
    assert page.log_model.rows[0]["kind"] == "receipt" and page.log_model.rows[0]["direction"] == "sent"
    assert packages.apply(unit_ctx.db, target).outcome == "applied"


def _open_return_dialog(qtbot, page):
    _select_submission(qtbot, page)
    qtbot.mouseClick(page.return_button, Qt.LeftButton)
    dialog = page.return_dialog
    assert [r.month for r in dialog.rows] == [1, 2, 3]  # the months the package carries
    return dialog


def test_city_returns_two_months_with_reasons(qtbot, city_ctx, unit_ctx, tmp_path, monkeypatch):
    page = _page(qtbot, city_ctx)
    dialog = _open_return_dialog(qtbot, page)
    assert not dialog.ok_button.isEnabled()  # nothing chosen yet
    feb, mar = dialog.rows[1], dialog.rows[2]
    qtbot.mouseClick(feb.check, Qt.LeftButton, pos=feb.check.rect().center())
    type_text(feb.reason, "二月数据与台账不符，请核对")
    qtbot.mouseClick(mar.check, Qt.LeftButton, pos=mar.check.rect().center())
    mar.indicator.setCurrentIndex(mar.indicator.findData("I09"))
    type_text(mar.reason, "三月科教兴农项目偏少请核实")
    assert dialog.preview.toPlainText() == ("· 2月（整月）：二月数据与台账不符，请核对\n"
                                            "· 3月 指标 I09：三月科教兴农项目偏少请核实")
    target, asked = tmp_path / "退回.xlsx", []
    _save_to(monkeypatch, target, asked)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and page.message.text().startswith("已导出退回包"), timeout=20000)
    assert asked == ["退回-连云区科协-2020-序号1.xlsx"]
    assert page.message.text().endswith("2月（整月）：二月数据与台账不符，请核对\n"
                                        "3月 指标 I09 科教兴农项目：三月科教兴农项目偏少请核实")
    result = packages.apply(unit_ctx.db, target)
    assert result.outcome == "applied"
    with unit_ctx.db.read() as s:
        got = [(m.month, m.state) for m in states.month_states(s, offices.resolve(s, UNIT), YEAR)[:4]]
    assert got == [(1, "sent"), (2, "returned"), (3, "returned"), (4, "draft")]


def test_a_too_short_reason_is_refused_and_nothing_is_written(qtbot, city_ctx, unit_ctx, tmp_path, monkeypatch):
    page = _page(qtbot, city_ctx)
    dialog = _open_return_dialog(qtbot, page)
    qtbot.mouseClick(dialog.whole, Qt.LeftButton, pos=QPoint(8, dialog.whole.height() // 2))
    assert dialog.whole.isChecked() and not dialog.rows[0].reason.isEnabled()
    type_text(dialog.whole_reason, "不对")
    asked = []
    _save_to(monkeypatch, tmp_path / "退回.xlsx", asked)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.error.text() == SHORT and not dialog.error.isHidden()
    assert asked == [] and not (tmp_path / "退回.xlsx").exists()
    with city_ctx.db.read() as s:
        assert s.scalars(select(PackageLog).where(PackageLog.kind == "return")).first() is None


def test_batch_import_offers_receipts_for_the_applied_packages(qtbot, city_ctx, unit_ctx, tmp_path, monkeypatch):
    with unit_ctx.db.write() as s:  # a second package, imported through the page with the first again
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), YEAR, 4, 4.0)
    export_sub(unit_ctx.db, UNIT, YEAR, tmp_path / "sub2.xlsx")
    page = _page(qtbot, city_ctx)
    assert not page.batch_receipts_button.isVisible()
    page.import_files([str(tmp_path / "sub2.xlsx"), str(tmp_path / "sub1.xlsx")])
    qtbot.waitUntil(lambda: getattr(page, "preview_dialog", None) is not None, timeout=20000)
    with qtbot.waitSignal(page.imported, timeout=20000):
        qtbot.mouseClick(page.preview_dialog.apply_button, Qt.LeftButton)
    assert page.batch_receipts_button.isVisible()
    assert page.batch_receipts_button.text() == "为已导入的 1 个上报包生成回执…"
    folder = tmp_path / "回执"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    qtbot.mouseClick(page.batch_receipts_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not page.batch_receipts_button.isVisible(), timeout=20000)
    assert sorted(p.name for p in folder.iterdir()) == ["回执-连云区科协-2020-序号2.xlsx"]
    assert page.message.text() == f"已生成 1 个回执包，保存在 {folder}。"
    assert packages.apply(unit_ctx.db, folder / "回执-连云区科协-2020-序号2.xlsx").outcome == "applied"


def _replies(city_ctx, tmp_path) -> tuple[Path, Path]:
    with city_ctx.db.read() as s:
        package_id = s.scalars(select(PackageLog.package_id).where(PackageLog.kind == "submission")).first()
    receipt, returned = tmp_path / "rc1.xlsx", tmp_path / "rt1.xlsx"
    with city_ctx.db.write() as s:
        packages.export_receipt(s, package_id, receipt)
    with city_ctx.db.write() as s:
        packages.export_return(s, package_id, [ReturnRequest("二月数据与台账不符，请核对", 2),
                                               ReturnRequest("三月科教兴农项目偏少请核实", 3, "I09")], returned)
    return receipt, returned


def _drop_and_import(qtbot, window, path: Path) -> None:
    sync = window.page("sync")
    sync.preview_dialog = None
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    qtbot.waitUntil(lambda: getattr(sync, "preview_dialog", None) is not None, timeout=20000)
    assert sync.preview_dialog.apply_button.isEnabled()
    with qtbot.waitSignal(sync.imported, timeout=20000):
        qtbot.mouseClick(sync.preview_dialog.apply_button, Qt.LeftButton)


def _backdate_sent(ctx, days: int) -> None:
    with ctx.db.write() as s:
        for e in s.scalars(select(PackageLog).where(PackageLog.direction == "sent", PackageLog.kind == "submission")):
            e.at = e.created = e.at - dt.timedelta(days=days)


def test_the_unit_sees_the_receipt_then_the_return(qtbot, city_ctx, unit_ctx, tmp_path):
    from ui.main_window import MainWindow

    with unit_ctx.db.write() as s:  # April entered after the package: never sent
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), YEAR, 4, 4.0)
    _backdate_sent(unit_ctx, 9)
    receipt, returned = _replies(city_ctx, tmp_path)
    window = MainWindow(unit_ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.delivery_label.text() == "　2020年报送：1—3月已报送"
    assert window.waiting_label.isVisible() and window.waiting_label.text() == "序号 1 的上报包发出已 9 天，尚未收到回执"
    sync = window.show_page("sync")
    assert [c.text() for c in sync.delivery.cells[:4]] == ["1月\n已报送", "2月\n已报送", "3月\n已报送", "4月\n未上报"]
    assert sync.delivery.waiting.text().startswith("2020年序号 1 的上报包发出已 9 天，尚未收到回执")

    _drop_and_import(qtbot, window, receipt)
    cells = sync.delivery.cells
    assert [c.text() for c in cells] == ["1月\n市已接收", "2月\n市已接收", "3月\n市已接收"] + [
        f"{m}月\n未上报" for m in range(4, 13)]
    assert cells[0].toolTip() == "1月 市已接收（序号 1 的上报包）\n市科协保存（据回执）：月度数据 1 项，活动台账 0 条"
    assert sync.delivery.receipt.text().startswith("最近的回执：") and "确认序号 1 的上报包（回执序号 1）" in \
        sync.delivery.receipt.text()
    assert sync.delivery.waiting.isHidden()
    assert window.delivery_label.text() == "　2020年报送：1—3月市已接收" and not window.waiting_label.isVisible()

    review = window.page("review")
    assert review.returned_box.isHidden()
    _drop_and_import(qtbot, window, returned)
    assert window.delivery_label.text() == "　2020年报送：1月市已接收，2—3月已退回"
    assert [c.text() for c in cells[:3]] == ["1月\n市已接收", "2月\n已退回", "3月\n已退回"]
    assert cells[2].toolTip().startswith("3月 已退回（序号 1 的上报包），市科协的原因：\n· I09：三月科教兴农项目偏少请核实")

    window.show_page("review")
    assert not review.returned_box.isHidden()
    m = review.returned_model
    assert [[m.index(r, c).data() for c in range(3)] for r in range(m.rowCount())] == [
        ["2020年2月", "整月", "二月数据与台账不符，请核对"],
        ["2020年3月", "I09 科教兴农项目", "三月科教兴农项目偏少请核实"]]
    rect = review.returned_table.visualRect(m.index(1, 2))
    qtbot.mouseClick(review.returned_table.viewport(), Qt.LeftButton, pos=rect.center())
    entry = window.entry
    assert window.current_page() is entry
    grid, index = entry.model, entry.table.currentIndex()
    assert (grid.rows[index.row()].code, index.column()) == ("I09", FIRST_MONTH + 2)

    i09 = [r.code for r in grid.rows].index("I09")
    other = 0 if grid.rows[0].code != "I09" else 1
    feb, mar = grid.index(i09, FIRST_MONTH + 1), grid.index(i09, FIRST_MONTH + 2)
    assert grid.data(feb, Qt.BackgroundRole).color().name() == RETURNED_COLOUR
    assert grid.data(feb, Qt.ToolTipRole).startswith("市科协退回：二月数据与台账不符，请核对")
    assert grid.data(grid.index(other, FIRST_MONTH + 1), Qt.BackgroundRole).color().name() == RETURNED_COLOUR
    assert grid.data(mar, Qt.ToolTipRole).startswith("市科协退回：三月科教兴农项目偏少请核实")
    assert grid.data(grid.index(other, FIRST_MONTH + 2), Qt.ToolTipRole) is None or "退回" not in grid.data(
        grid.index(other, FIRST_MONTH + 2), Qt.ToolTipRole)
    assert grid.headerData(FIRST_MONTH + 1, Qt.Horizontal) == "2月\n已退回"
    assert grid.headerData(FIRST_MONTH, Qt.Horizontal) == "1月\n市已接收"
    assert not grid.is_editable(grid.index(i09, FIRST_MONTH)) and grid.is_editable(feb)

    entry.table.setCurrentIndex(feb)  # type a corrected February figure and save it
    entry.table.setFocus()
    for ch in "5":
        qtbot.keyClick(QApplication.focusWidget() or entry.table, ch)
    qtbot.keyClick(entry.table.focusWidget(), Qt.Key_Return)
    qtbot.mouseClick(entry.save_button, Qt.LeftButton)
    with unit_ctx.db.read() as s:
        assert values.find_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), YEAR, 2).value == 5.0
