"""审核 through 数据交换: a unit with two approved months (one explained warning) and one unapproved
month exports through the GUI; the city's import preview shows exactly that, the log and the
dashboard's unit chooser mark the unit 未审核."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from hostile.helpers import init_unit, make_city
from kexie_desktop.models import Explanation, ReviewMonth
from kexie_desktop.review import explanations, states
from kexie_desktop.services import offices, plan, settings, values
from kexie_desktop.startup import open_app_database
from tests.conftest import make_context
from ui.dashboard.page import DashboardPage
from ui.sync.page import SyncPage

UNIT = "320703"  # 连云区
WHY = "2月集中立项三十个项目"


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
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        for month, value in ((1, 2), (2, 30), (3, 3)):
            values.set_value(s, indicator, office, 2019, month, float(value))
    with db.write() as s:
        office = offices.resolve(s, UNIT)
        explanations.explain(s, office, 2019, "W01", "I09/2019-02", WHY, user="王填")
        states.submit(s, office, 2019, 3, user="王填")
        states.approve(s, office, 2019, 2, by="李审")
    (tmp_path / "u").mkdir()
    yield make_context(db, tmp_path / "u")
    db.close()


def _page(qtbot, ctx) -> SyncPage:
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def test_review_travels_to_the_city_preview_log_and_dashboard(qtbot, unit_ctx, city_ctx, tmp_path, monkeypatch):
    unit_page = _page(qtbot, unit_ctx)
    unit_page.year.setCurrentIndex(unit_page.year.findData(2019))
    target = tmp_path / "sub.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    qtbot.mouseClick(unit_page.export_submission_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and unit_page.message.text().startswith("已导出"), timeout=20000)
    assert asked == ["2019年的数据1 个月未审核（3月）。仍可导出，但封面和校验信息会注明“草稿”，市科协导入后标为“未审核”。"
                     "\n\n要导出草稿吗？"]
    assert "审核状态：草稿（未审核：3月；已审核：1—2月）。" in unit_page.message.text()
    with unit_ctx.db.read() as s:
        assert [m.state for m in states.month_states(s, offices.resolve(s, UNIT), 2019)[:3]] == [
            "sent", "sent", "pending"]

    city_page = _page(qtbot, city_ctx)
    city_page.import_files([str(target)])
    qtbot.waitUntil(lambda: getattr(city_page, "preview_dialog", None) is not None, timeout=20000)
    dialog = city_page.preview_dialog
    files = [dialog.files.data(dialog.files.index(0, c)) for c in range(dialog.files.columnCount())]
    assert files[2:4] == ["可导入", "未审核"]
    assert dialog.review_label.text() == ("未审核：3月。导入后该单位本年数据标为“未审核”。"
                                          "已说明的警告 1 条（工作表“审核说明”）。")
    rows = [tuple(dialog.changes.data(dialog.changes.index(r, c)) for c in range(7))
            for r in range(dialog.changes.rowCount())]
    review_rows = [r for r in rows if r[1] in ("审核说明", "审核状态")]
    assert [r[:4] for r in review_rows] == [
        ("新增", "审核状态", "2", "2019年1月 审核状态"), ("新增", "审核状态", "3", "2019年2月 审核状态"),
        ("新增", "审核状态", "4", "2019年3月 审核状态"), ("新增", "审核说明", "2", "W01 科教兴农项目 2019-02")]
    assert review_rows[3][5] == f"30（说明：{WHY}）"
    with qtbot.waitSignal(city_page.imported, timeout=20000) as done:
        qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert done.args[0].ok
    with city_ctx.db.read() as s:
        office = offices.resolve(s, UNIT)
        assert [(r.month, r.state, r.by) for r in s.scalars(
            select(ReviewMonth).where(ReviewMonth.office_id == office.id).order_by(ReviewMonth.month))] == [
            (1, "approved", "李审"), (2, "approved", "李审"), (3, "pending", "王填")]
        assert [(e.rule, e.subject, e.value, e.text) for e in s.scalars(select(Explanation))] == [
            ("W01", "I09/2019-02", "30", WHY)]
    log = city_page.log_model
    review_column = log.HEADERS.index("审核")
    applied = next(r for r in range(log.rowCount()) if log.rows[r]["result"] == "applied"
                   and log.rows[r]["kind"] == "submission")
    assert log.data(log.index(applied, review_column)) == "未审核（3月）"

    dashboard = DashboardPage(city_ctx)
    qtbot.addWidget(dashboard)
    dashboard.year.setCurrentIndex(dashboard.year.findData(2019))
    dashboard.reload()
    labels = [dashboard.office.itemText(i) for i in range(dashboard.office.count())]
    assert labels[[dashboard.office.itemData(i) for i in range(dashboard.office.count())].index(UNIT)] == \
        "连云区科协（未审核）"
    assert sum("未审核" in label for label in labels) == 1


def test_after_an_export_the_review_page_shows_the_months_sent_without_a_reload(qtbot, unit_ctx, tmp_path,
                                                                                 monkeypatch):
    from ui.review.page import ReviewPage

    review = ReviewPage(unit_ctx, year=2019)
    qtbot.addWidget(review)
    assert [b.text() for b in review.month_buttons[:3]] == ["1月\n已审核", "2月\n已审核", "3月\n待审核"]
    unit_page = _page(qtbot, unit_ctx)
    unit_page.year.setCurrentIndex(unit_page.year.findData(2019))
    target = tmp_path / "sub.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    qtbot.mouseClick(unit_page.export_submission_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: unit_page.message.text().startswith("已导出"), timeout=20000)
    assert [b.text() for b in review.month_buttons[:3]] == ["1月\n已报送", "2月\n已报送", "3月\n待审核"]
