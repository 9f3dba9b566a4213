"""报送情况 page (pytest-qt, offscreen) on the prepared year (tests/reporting_year.py): the matrix, tooltips,
rates, year and deadline changes, 复制; the page is in the city's navigation only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication

from kexie_desktop.changes import Changes
from kexie_desktop.services import offices, settings
from ui.main_window import MainWindow
from ui.reporting.model import COMPLETENESS, NAME, STATE_COLORS, TIMELINESS
from ui.reporting.page import ReportingPage

import reporting_year as prepared

HAIZHOU, GANYU, DONGHAI, CITY = 1, 2, 3, 4  # rows


def make_page(ctx, qtbot) -> ReportingPage:
    with ctx.db.write() as s:
        prepared.prepare(s)
    page = ReportingPage(ctx, today=prepared.TODAY)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def text(page, row, col, role=Qt.DisplayRole):
    return page.model.data(page.model.index(row, col), role)


def test_the_page_shows_the_prepared_matrix(ctx, qtbot):
    page = make_page(ctx, qtbot)
    assert page.year.currentData() == 2020 and page.deadline.value() == 5
    assert page.model.rowCount() == 5 and page.model.columnCount() == 15
    assert [text(page, r, NAME) for r in range(5)] == ["连云区", "海州区", "赣榆区", "东海县", "全市"]
    assert [text(page, HAIZHOU, m) for m in range(1, 13)] == [
        "迟报", "迟报", "按时", "迟报", "迟报", "按时", "迟报", "未审", "未报", "—", "—", "—"]
    assert text(page, DONGHAI, 5) == "退回"
    assert text(page, HAIZHOU, 6, Qt.ToolTipRole) == (
        "2020年6月：按时\n截止日期：2020-07-05\n上报包序号 2（包编号 "
        + page.result.units[1].cells[5].package_id[:8] + "）\n创建时间：2020-07-05 23:30\n到达时间：2020-07-06 01:30")
    tip = text(page, DONGHAI, 5, Qt.ToolTipRole)
    assert tip.startswith("2020年5月：已退回待重报\n") and tip.endswith("退回原因：5月：五月科普讲座缺少活动台账记录")
    assert "创建时间：—（未记录，按到达时间判断）\n到达时间：2020-08-01 10:00" in tip
    assert text(page, GANYU, 10, Qt.ToolTipRole) == "2020年10月：未到期\n截止日期：2020-11-05（未到）"
    assert text(page, HAIZHOU, 3, Qt.BackgroundRole).color() == QColor(STATE_COLORS["按时"])
    assert text(page, GANYU, 1, Qt.BackgroundRole).color() == QColor(STATE_COLORS["未报"])
    # rates: 海州区 8/9 and 2/9; the city 23/36 and 13/36
    assert (text(page, HAIZHOU, COMPLETENESS), text(page, HAIZHOU, TIMELINESS)) == ("88.9%", "22.2%")
    assert text(page, HAIZHOU, COMPLETENESS, Qt.ToolTipRole) == "已报 8 个月 ÷ 应报 9 个月（已报含按时、迟报和未审核）"
    assert (text(page, CITY, COMPLETENESS), text(page, CITY, TIMELINESS)) == ("63.9%", "36.1%")
    # the city row's months: units that sent the month ÷ units due (May: 连云区 海州区; 东海县 returned)
    assert [text(page, CITY, m) for m in (1, 5, 8, 9, 10)] == ["3/4", "2/4", "2/4", "1/4", "—"]
    assert text(page, CITY, 5, Qt.ToolTipRole) == "5月：按时 1，迟报 1，已退回待重报 1，未报 1"
    assert page.summary.text() == "全市：应报 36 个单位·月，已报 23，按时 13；完整率 63.9%，及时率 36.1%；逾期单位 3 个。"
    assert [page.overdue.item(i).text() for i in range(page.overdue.count())] == [
        "全部逾期单位（3 个）", "海州区科协（未报 1，未审核 1）", "赣榆区科协（未报 9）", "东海县科协（未报 2，退回 1）"]


def test_copy_puts_the_reminder_on_the_clipboard(ctx, qtbot):
    page = make_page(ctx, qtbot)
    assert page.reminder.isReadOnly()
    assert page.reminder.toPlainText() == page.result.reminder
    qtbot.mouseClick(page.copy_button, Qt.LeftButton)
    assert QGuiApplication.clipboard().text() == page.result.reminder
    assert page.message.text() == "已复制，可以粘贴到电子邮件或聊天消息中。"
    page.overdue.setCurrentRow(2)  # 赣榆区
    expected = ("赣榆区科协：贵单位2020年1—9月的数据尚未报送（截止日期：每月5日前报送上月数据），"
                "请尽快在程序中审核后导出上报包发送至市科协。")
    assert page.reminder.toPlainText() == expected
    qtbot.mouseClick(page.copy_button, Qt.LeftButton)
    assert QGuiApplication.clipboard().text() == expected


def test_year_and_deadline_recompute(ctx, qtbot):
    page = make_page(ctx, qtbot)
    page.overdue.setCurrentRow(2)
    page.deadline.setValue(10)  # saved through the core; September (deadline 10-10) is no longer due
    with ctx.db.read() as s:
        assert settings.get(s, "reporting_deadline_day") == 10
    assert text(page, HAIZHOU, 7) == "按时"  # created 08-06 ≤ 08-10
    assert [text(page, 0, m) for m in (9, 10)] == ["按时", "—"]  # 连云区's September: sent, not yet due
    assert text(page, 0, 9, Qt.ToolTipRole).startswith("2020年9月：按时\n截止日期：2020-10-10（未到）")
    # the city: 32 due; received 8+8+0+6 = 22; on time 8+3+0+2 = 13
    assert (text(page, CITY, COMPLETENESS), text(page, CITY, TIMELINESS)) == ("68.8%", "40.6%")
    assert page.overdue.currentItem().text() == "赣榆区科协（未报 8）"  # the chosen unit stays chosen
    assert "每月10日前报送上月数据" in page.reminder.toPlainText()
    page.year.setCurrentIndex(page.year.findData(2019))  # nothing at all in 2019: every month 未报
    assert page.result.year == 2019
    assert [text(page, GANYU, m) for m in (1, 12)] == ["未报", "未报"]
    assert (text(page, CITY, COMPLETENESS), text(page, CITY, TIMELINESS)) == ("0.0%", "0.0%")


def test_the_page_follows_imports_through_the_bus(ctx, qtbot):
    page = make_page(ctx, qtbot)
    page.overdue.setCurrentRow(2)  # 赣榆区, about to leave the overdue list
    with ctx.db.write() as s:  # as an import would: 赣榆区 sends 1—9, created 2020-10-04
        prepared.log(s, "320707", 2, prepared.T(2020, 10, 4), range(1, 10), range(1, 10))
    ctx.notify(Changes(everything=True))
    assert [text(page, GANYU, m) for m in (1, 9)] == ["迟报", "按时"]
    assert (text(page, GANYU, COMPLETENESS), text(page, GANYU, TIMELINESS)) == ("100.0%", "11.1%")
    assert page.overdue.currentItem().text() == "全部逾期单位（2 个）"
    assert page.reminder.toPlainText() == page.result.reminder and "赣榆区" not in page.result.reminder


def test_a_bad_deadline_day_from_elsewhere_is_shown_in_the_spin_box(ctx, qtbot):
    page = make_page(ctx, qtbot)
    with ctx.db.write() as s:
        settings.put(s, "reporting_deadline_day", 7)
    ctx.notify(Changes(settings=True))
    assert page.deadline.value() == 7 and page.result.deadline_day == 7


def test_only_the_city_has_the_page(db, tmp_path, qapp, qtbot):
    from tests.conftest import make_context

    ctx = make_context(db, tmp_path)
    with db.write() as s:
        offices.set_this_office(s, offices.city(s))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    titles = [window.nav.item(r).text() for r in range(window.nav.count())]
    assert titles[titles.index("数据交换") + 1] == "报送情况"
    assert isinstance(window.show_page("reporting"), ReportingPage)
    with db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "东海县"))
    unit_window = MainWindow(ctx)
    qtbot.addWidget(unit_window)
    assert "报送情况" not in [unit_window.nav.item(r).text() for r in range(unit_window.nav.count())]
