"""活动台账: the ledger page and its dialog, driven by clicks and key presses offscreen."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QFileDialog, QMessageBox
from sqlalchemy import select

from kexie_desktop.changes import Changes
from kexie_desktop.models import Activity, AuditEntry
from kexie_desktop.services import activities, grid, offices, plan, settings
from tests.dbdump import db_content
from tests.qtkeys import type_text
from ui.ledger import operations as ops
from ui.ledger.model import AUDIENCE, DATE, HEADERS, TITLE, LedgerModel
from ui.ledger.page import LedgerPage
from tests.other_pc import REFUSED, collect_warnings, on_other_pc
from tests.other_pc import audit_count as audit_entries

D = dt.date

# uid: (office, type code, date, title, place, participants, audience, note)
RECORDS = {
    "a": ("海州区", "POP_LECTURE", D(2019, 3, 5), "社区防疫科普讲座", "新浦街道", 5, 120, ""),
    "b": ("海州区", "ACAD_REPORT", D(2020, 5, 3), "AI 前沿报告会", "市科技馆", 8, 300, "邀请院士"),
    "c": ("海州区", "ACAD_REPORT", D(2020, 5, 31), "海洋经济学术报告会", "海州宾馆", 6, 95, ""),
    "d": ("海州区", "ACAD_EXCHANGE", D(2020, 5, 12), "青年科技工作者沙龙", "海州宾馆", 20, 40, ""),
    "e": ("海州区", "ACAD_REPORT", D(2020, 6, 1), "六月报告会", "", 3, 1000, ""),
    "f": ("连云区", "ACAD_REPORT", D(2020, 5, 10), "连云区报告会", "", 4, 50, ""),
    "g": ("海州区", "SCI_TO_COUNTRY", D(2018, 11, 11), "科技下乡送技术", "锦屏镇", 12, 9, "海洋渔业"),
}
ALL = ["科技下乡送技术", "社区防疫科普讲座", "AI 前沿报告会", "青年科技工作者沙龙", "海洋经济学术报告会", "六月报告会"]


@pytest.fixture
def page(qtbot, ctx, monkeypatch):
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "海州区"))
        settings.put(s, "user_filler", "王芳")
        current = plan.current_plan(s)
        for uid, (office, kind, date, title, place, participants, audience, note) in RECORDS.items():
            activities.add_activity(
                s, offices.resolve(s, office), activities.resolve_type(s, kind), date, title, place=place,
                participants=participants, audience=audience, note=note, uid=uid, plan=current,
            )
    # No input error may end in a message box: the dialog shows reasons beside the fields.
    for box in ("warning", "critical"):
        monkeypatch.setattr(QMessageBox, box, lambda *a, **k: pytest.fail(f"unexpected message box: {a[1:]}"))
    widget = LedgerPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1210, 680)
    with qtbot.waitExposed(widget):
        widget.show()
    return widget


def titles(page) -> list[str]:
    """The 活动名称 column as the table shows it, top to bottom."""
    return [page.proxy.index(r, TITLE).data() for r in range(page.proxy.rowCount())]


def row_texts(page, r: int) -> list[str]:
    return [page.proxy.index(r, c).data() for c in range(len(HEADERS))]


def click_row(qtbot, page, title: str, double: bool = False) -> None:
    index = page.proxy.index(titles(page).index(title), TITLE)
    page.table.scrollTo(index)
    center = page.table.visualRect(index).center()
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=center)
    if double:
        qtbot.mouseDClick(page.table.viewport(), Qt.LeftButton, pos=center)


def stored(ctx, uid: str):
    """(date, type code, title, place, participants, audience, note, created_by, office) or None."""
    with ctx.db.read() as s:
        a = s.scalars(select(Activity).where(Activity.uid == uid)).first()
        return a and (a.date, a.type.code, a.title, a.place, a.participants, a.audience, a.note, a.created_by,
                      a.office.short_name)


def activity_count(ctx) -> int:
    with ctx.db.read() as s:
        return len(s.scalars(select(Activity.id)).all())


def set_spin(qtbot, spin, digits: str) -> None:
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(spin, digits)


def type_date(qtbot, edit: QDateEdit, digits: str) -> None:
    """Type yyyyMMdd into a date edit starting at its year section, as a user would."""
    edit.setFocus()
    edit.setSelectedSection(QDateEdit.YearSection)
    qtbot.keyClicks(edit, digits)


def choose_type(qtbot, combo, steps: int) -> None:
    """Pick an activity type with the Down key (from the placeholder, 1 step is the first type)."""
    combo.setFocus()
    for _ in range(steps):
        qtbot.keyClick(combo, Qt.Key_Down)


# --- showing ---------------------------------------------------------------------------------------
def test_shows_this_offices_ledger_oldest_first(page):
    assert page.office_label.text() == "台账单位：海州区科协"
    assert titles(page) == ALL  # 连云区's record is not shown
    assert [page.proxy.headerData(c, Qt.Horizontal) for c in range(7)] == [
        "日期", "类型", "活动名称", "地点", "参与人数", "受众人次", "备注"]
    assert row_texts(page, 0) == ["2018-11-11", "科技下乡", "科技下乡送技术", "锦屏镇", "12", "9", "海洋渔业"]
    assert page.count_label.text() == "共 6 条，受众合计 1564 人次"
    assert page.filters.filter_bar.isHidden()
    assert not page.edit_button.isEnabled() and not page.delete_button.isEnabled()


def test_the_model_holds_plain_rows_and_sorts_numbers_numerically():
    model = LedgerModel()
    rows = [ops.LedgerRow(uid, date, kind, kind, title, place, p, a, note)
            for uid, (_o, kind, date, title, place, p, a, note) in RECORDS.items()]
    model.set_rows(rows)
    assert model.rowCount() == 7 and model.columnCount() == 7
    assert model.index(0, DATE).data() == "2018-11-11"
    model.sort(AUDIENCE, Qt.AscendingOrder)
    assert [model.index(r, AUDIENCE).data() for r in range(7)] == ["9", "40", "50", "95", "120", "300", "1000"]
    model.set_rows([row for row in rows if row.uid != "b"])  # a reload keeps the chosen order
    assert [model.index(r, AUDIENCE).data() for r in range(6)] == ["9", "40", "50", "95", "120", "1000"]
    model.sort(TITLE, Qt.AscendingOrder)  # Chinese text in 拼音 order: hai, ke, lian, liu, qing, she
    assert [model.index(r, TITLE).data() for r in range(6)] == [
        "海洋经济学术报告会", "科技下乡送技术", "连云区报告会", "六月报告会", "青年科技工作者沙龙", "社区防疫科普讲座"]
    assert model.index(0, AUDIENCE).data(Qt.TextAlignmentRole) == int(Qt.AlignRight | Qt.AlignVCenter)


def test_sorting_by_audience_is_numeric(qtbot, page):
    click_row(qtbot, page, "青年科技工作者沙龙")
    header = page.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.LeftButton,
                     pos=header.rect().topLeft() + _section_center(header, AUDIENCE))
    first = header.sortIndicatorOrder()
    audiences = [page.proxy.index(r, AUDIENCE).data() for r in range(6)]
    ascending = ["9", "40", "95", "120", "300", "1000"]
    assert audiences == (ascending if first == Qt.AscendingOrder else ascending[::-1])
    qtbot.mouseClick(header.viewport(), Qt.LeftButton,
                     pos=header.rect().topLeft() + _section_center(header, AUDIENCE))
    assert header.sortIndicatorOrder() != first
    audiences = [page.proxy.index(r, AUDIENCE).data() for r in range(6)]
    assert audiences == (ascending[::-1] if first == Qt.AscendingOrder else ascending)
    # a reload (any change) keeps the chosen order, and the selection follows its record
    page.reload()
    assert [page.proxy.index(r, AUDIENCE).data() for r in range(6)] == audiences
    assert page.selected_uids() == ["d"]
    assert page.table.selectionModel().selectedRows()[0].row() == audiences.index("40")


def _section_center(header, section):
    from PySide6.QtCore import QPoint

    return QPoint(header.sectionViewportPosition(section) + header.sectionSize(section) // 2, header.height() // 2)


# --- filters ---------------------------------------------------------------------------------------
def test_filters_by_type_text_and_dates(qtbot, page):
    page.filters.type_combo.setCurrentIndex(page.filters.type_combo.findText("高层次学术报告会"))
    assert titles(page) == ["AI 前沿报告会", "海洋经济学术报告会", "六月报告会"]
    assert page.filters.filter_label.text() == "当前筛选：类型：高层次学术报告会"
    assert page.filters.filter_bar.isVisible()

    type_text(page.filters.search, "海洋")
    qtbot.keyClick(page.filters.search, Qt.Key_Return)
    assert titles(page) == ["海洋经济学术报告会"]
    assert page.filters.filter_label.text() == "当前筛选：类型：高层次学术报告会；包含“海洋”"

    page.filters.type_combo.setCurrentIndex(0)  # 全部类型: the note "海洋渔业" matches too
    assert titles(page) == ["科技下乡送技术", "海洋经济学术报告会"]

    page.filters.search.clear()
    qtbot.keyClicks(page.filters.search, "ai")  # case-insensitive, applied after a pause in typing
    qtbot.waitUntil(lambda: titles(page) == ["AI 前沿报告会"])
    page.filters.search.clear()
    qtbot.keyClick(page.filters.search, Qt.Key_Return)

    with qtbot.waitSignal(page.rows_loaded):
        type_date(qtbot, page.filters.date_from, "20200501")
    with qtbot.waitSignal(page.rows_loaded):
        type_date(qtbot, page.filters.date_to, "20200531")
    assert titles(page) == ["AI 前沿报告会", "青年科技工作者沙龙", "海洋经济学术报告会"]
    assert page.filters.filter_label.text() == "当前筛选：2020年5月"
    assert page.count_label.text() == "共 3 条，受众合计 435 人次"

    qtbot.mouseClick(page.filters.clear_button, Qt.LeftButton)
    assert titles(page) == ALL
    assert page.filters.filter_bar.isHidden()
    assert (page.filters.date_from.date(), page.filters.date_to.date()) == (QDate(2018, 1, 1), QDate(2020, 12, 31))


def test_show_records_shows_exactly_the_records_behind_a_grid_cell(qtbot, page, ctx):
    page.show_records("I02", 2020, 5)
    # d is an exchange (I03 only), e is in June, f belongs to 连云区
    assert titles(page) == ["AI 前沿报告会", "海洋经济学术报告会"]
    assert page.filters.filter_label.text() == "当前筛选：计入指标 I02 “高层次学术报告会”的活动；2020年5月"
    assert page.count_label.text() == "共 2 条，受众合计 395 人次；计入“高层次学术报告会”：2场"
    with ctx.db.read() as s:  # the same figure as the entry grid's read-only cell
        office, indicator = offices.resolve(s, "海州区"), plan.indicator(s, "I02")
        assert grid.ledger_cells(s, office, 2020)[(indicator.id, 5)] == 2.0

    page.show_records("I41", 2019, 3)  # an audience figure: the sum of the records' audiences
    assert titles(page) == ["社区防疫科普讲座"]
    assert page.count_label.text() == "共 1 条，受众合计 120 人次；计入“科普进基层活动受众”：120人次"

    qtbot.mouseClick(page.filters.clear_button, Qt.LeftButton)
    assert titles(page) == ALL
    assert page.filters.indicator is None and page.filters.filter_bar.isHidden()


# --- add, edit, delete -----------------------------------------------------------------------------
def test_add_an_activity_through_the_dialog(qtbot, page, ctx):
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog.isVisible() and dialog.windowTitle() == "新增活动记录"
    choose_type(qtbot, dialog.type_combo, 4)  # 高层次学术报告会, 学术交流活动, 科技下乡, 科普讲座
    assert dialog.type_combo.currentText() == "科普讲座"
    type_date(qtbot, dialog.date_edit, "20200715")
    type_text(dialog.title_edit, "暑期青少年科普讲座")
    type_text(dialog.place_edit, "海州区图书馆")
    set_spin(qtbot, dialog.participants_spin, "6")
    set_spin(qtbot, dialog.audience_spin, "250")
    type_text(dialog.note_edit, "与图书馆合办")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)

    assert not dialog.isVisible() and page.dialog is None
    assert titles(page) == ALL + ["暑期青少年科普讲座"]
    assert row_texts(page, 6) == ["2020-07-15", "科普讲座", "暑期青少年科普讲座", "海州区图书馆", "6", "250", "与图书馆合办"]
    assert page.selected_uids() == [page.model.rows[6].uid]  # the new record is selected
    assert page.count_label.text() == "共 7 条，受众合计 1814 人次"
    assert stored(ctx, page.model.rows[6].uid) == (
        D(2020, 7, 15), "POP_LECTURE", "暑期青少年科普讲座", "海州区图书馆", 6, 250, "与图书馆合办", "王芳", "海州区")


def test_the_new_record_starts_with_the_filtered_type_and_month(qtbot, page):
    page.show_records("I02", 2020, 5)
    page.filters.type_combo.setCurrentIndex(page.filters.type_combo.findData("ACAD_REPORT"))
    qtbot.keyClick(page.table, Qt.Key_N, Qt.ControlModifier)
    assert page.dialog.type_combo.currentData() == "ACAD_REPORT"
    assert page.dialog.date_edit.date() == QDate(2020, 5, 1)
    qtbot.mouseClick(page.dialog.buttons.button(page.dialog.buttons.StandardButton.Cancel), Qt.LeftButton)
    assert page.dialog is None


def test_invalid_fields_show_their_reason_and_write_nothing(qtbot, page, ctx):
    before = activity_count(ctx)
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    dialog = page.dialog
    type_date(qtbot, dialog.date_edit, "20190506")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # no type, no title
    assert dialog.isVisible()
    assert dialog.error_text("type") == "请选择活动类型。"
    assert dialog.error_text("title") == "活动名称不能为空。"
    assert dialog.error_text("date") == ""
    assert dialog.message.text() == "有 2 项需要修改，请按红字提示更正后再保存。"
    assert dialog.focusWidget() is dialog.type_combo  # the first field to correct

    choose_type(qtbot, dialog.type_combo, 1)
    assert dialog.error_text("type") == ""  # a corrected field loses its reason
    type_text(dialog.title_edit, "长" * 201)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_text("title") == "活动名称太长（201 字），最多 200 字。"

    # A date outside 2018—2020 cannot be typed: the year 2021 is refused by the date field itself …
    type_date(qtbot, dialog.date_edit, "2021")
    dialog.date_edit.clearFocus()
    assert dialog.date_edit.date() == QDate(2019, 5, 6)
    assert dialog.date_edit.maximumDate() == QDate(2020, 12, 31)
    # … and the core validation the dialog runs gives the reason for it next to the field.
    form = ops.ActivityForm("ACAD_REPORT", D(2021, 3, 1), "报告会")
    dialog.show_errors(dialog.check(form))
    assert dialog.error_text("date") == "活动日期 2021-03-01 超出计划期（2018—2020年）。"
    assert activity_count(ctx) == before
    qtbot.keyClick(dialog, Qt.Key_Escape)
    assert not dialog.isVisible()
    assert activity_count(ctx) == before and titles(page) == ALL


def test_editing_changes_the_record_and_is_audited(qtbot, page, ctx):
    click_row(qtbot, page, "AI 前沿报告会", double=True)
    dialog = page.dialog
    assert dialog.windowTitle() == "编辑活动记录"
    assert (dialog.title_edit.text(), dialog.audience_spin.value(), dialog.date_edit.date()) == (
        "AI 前沿报告会", 300, QDate(2020, 5, 3))
    dialog.title_edit.selectAll()
    type_text(dialog.title_edit, "AI 前沿报告会（第二期）")
    set_spin(qtbot, dialog.audience_spin, "350")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)

    assert not dialog.isVisible()
    r = titles(page).index("AI 前沿报告会（第二期）")
    assert row_texts(page, r) == ["2020-05-03", "高层次学术报告会", "AI 前沿报告会（第二期）", "市科技馆", "8", "350", "邀请院士"]
    assert page.selected_uids() == ["b"]
    assert stored(ctx, "b")[2:6] == ("AI 前沿报告会（第二期）", "市科技馆", 8, 350)
    with ctx.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity_key == "b").order_by(AuditEntry.id.desc())).first()
    common = {"type": "ACAD_REPORT", "date": "2020-05-03", "place": "市科技馆", "participants": 8, "note": "邀请院士"}
    assert json.loads(entry.old) == common | {"title": "AI 前沿报告会", "audience": 300}
    assert json.loads(entry.new) == common | {"title": "AI 前沿报告会（第二期）", "audience": 350}
    assert entry.user == "王芳"


def test_enter_on_a_selected_row_edits_it(qtbot, page):
    click_row(qtbot, page, "六月报告会")
    assert page.edit_button.isEnabled()
    qtbot.keyClick(page.table, Qt.Key_Return)
    assert page.dialog.title_edit.text() == "六月报告会"
    page.dialog.reject()


def test_deleting_asks_first(qtbot, page, ctx, monkeypatch):
    asked = []

    def answer(reply):
        def question(parent, title, text, *args):
            asked.append(text)
            return reply
        return question

    click_row(qtbot, page, "青年科技工作者沙龙")
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.No))
    qtbot.mouseClick(page.delete_button, Qt.LeftButton)
    assert asked == ["确定删除这条活动记录吗？\n\n2020-05-12 学术交流活动“青年科技工作者沙龙”\n\n删除后不能撤销，请确认。"]
    assert stored(ctx, "d") is not None and len(titles(page)) == 6

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.Yes))
    click_row(qtbot, page, "青年科技工作者沙龙")
    qtbot.keyClick(page.table, Qt.Key_Delete)
    assert stored(ctx, "d") is None
    assert titles(page) == [t for t in ALL if t != "青年科技工作者沙龙"]
    assert page.count_label.text() == "共 5 条，受众合计 1524 人次"
    with ctx.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity_key == "d").order_by(AuditEntry.id.desc())).first()
    assert (json.loads(entry.old)["title"], entry.new, entry.user) == ("青年科技工作者沙龙", None, "王芳")


def test_deleting_several_rows_is_one_question(qtbot, page, ctx, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.Yes)
    click_row(qtbot, page, "AI 前沿报告会")
    index = page.proxy.index(titles(page).index("海洋经济学术报告会"), TITLE)
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, Qt.ControlModifier, page.table.visualRect(index).center())
    assert page.selected_uids() == ["b", "c"] and not page.edit_button.isEnabled()
    qtbot.mouseClick(page.delete_button, Qt.LeftButton)
    assert (stored(ctx, "b"), stored(ctx, "c")) == (None, None)
    assert titles(page) == ["科技下乡送技术", "社区防疫科普讲座", "青年科技工作者沙龙", "六月报告会"]


def test_a_change_made_elsewhere_refreshes_the_page(page, ctx):
    with ctx.db.write() as s:
        _a, changes = activities.add_activity(
            s, offices.resolve(s, "海州区"), activities.resolve_type(s, "OTHER"), D(2020, 12, 1), "年终座谈会")
    ctx.notify(Changes(values={(1, 1, 2020)}))  # values only: the ledger does not reload
    assert "年终座谈会" not in titles(page)
    ctx.notify(changes)
    assert titles(page)[-1] == "年终座谈会"


def test_drill_down_figures_match_the_entry_grid_on_the_demo_data(demo_ctx):
    with demo_ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "海州区"))
    with demo_ctx.db.read() as s:
        office = offices.resolve(s, "海州区")
        ledger = [i for i in plan.indicators(s) if i.is_ledger]
        expected = {(i.code, y, m): v for y in (2018, 2019, 2020)
                    for (iid, m), v in grid.ledger_cells(s, office, y).items() for i in ledger if i.id == iid}
    setup = ops.load_setup(demo_ctx)
    assert setup.office_name == "海州区科协"
    shown = {}
    for indicator in ledger:
        info = ops.load_indicator(demo_ctx, indicator.code)
        for year in (2018, 2019, 2020):
            for month in range(1, 13):
                last = calendar.monthrange(year, month)[1]
                flt = ops.LedgerFilter(date_from=D(year, month, 1), date_to=D(year, month, last),
                                       indicator_code=indicator.code)
                rows = ops.load_rows(demo_ctx, setup.office_code, flt)
                if rows:
                    shown[(indicator.code, year, month)] = float(sum(info.amount(r) for r in rows))
    assert len(expected) > 150  # enough demo cells for the comparison to mean something
    assert shown == expected


# --- Excel sheet: template and import --------------------------------------------------------------
class _Shown(list):
    answer: dict  # what QMessageBox.question returns


@pytest.fixture
def boxes(monkeypatch):
    """Patched modal boxes: each call is recorded as (kind, title, text); question answers Yes."""
    shown, answer = _Shown(), {"question": QMessageBox.Yes}

    def record(kind):
        def box(parent, title, text, *args):
            shown.append((kind, title, text))
            return answer.get(kind, QMessageBox.Ok)
        return box

    for kind in ("information", "question", "warning"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    shown.answer = answer
    return shown


@pytest.fixture
def template_file(qtbot, page, boxes, tmp_path, monkeypatch):
    """下载模板… clicked, the save dialog answered with a name without extension."""
    asked = []

    def save_dialog(parent, title, name, filters):
        asked.append((title, Path(name).name, filters))  # proposed in the start folder (文档 or the last one)
        return str(tmp_path / "我的模板"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    qtbot.mouseClick(page.template_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(boxes) == 1, timeout=20000)
    path = tmp_path / "我的模板.xlsx"
    assert asked == [("保存活动台账模板", "活动台账导入模板.xlsx", "Excel 工作簿 (*.xlsx)")]
    assert boxes.pop() == ("information", "下载模板", f"模板已保存到：\n{path}\n\n请在“活动台账”工作表中每行填写一次活动"
                                                     "（可选的活动类型见“说明”工作表），保存后点“导入Excel…”。")
    return path


def fill_sheet(template: Path, dst: Path, rows) -> Path:
    import openpyxl

    wb = openpyxl.load_workbook(template)
    ws = wb["活动台账"]
    ws.delete_rows(2)  # the example row
    for row in rows:
        ws.append(list(row))
    wb.save(dst)
    return dst


def choose_file(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def test_the_excel_buttons_are_on_the_page(page):
    assert (page.import_button.text(), page.template_button.text()) == ("导入Excel…", "下载模板…")
    assert page.import_button.isVisible() and page.template_button.isVisible()


def test_import_excel_previews_then_adds_every_row(qtbot, page, ctx, boxes, template_file, tmp_path, monkeypatch):
    path = fill_sheet(template_file, tmp_path / "三月活动.xlsx", [
        ("2020-07-15", "科普讲座", "暑期青少年科普讲座", "海州区图书馆", 6, 250, "与图书馆合办"),
        (D(2020, 8, 1), "ACAD_REPORT", "八月报告会", "", 3, 80, ""),
        ("2019/3/5", "科普讲座", "社区防疫科普讲座", "新浦街道", 5, 120, ""),  # record "a": 已存在
    ])
    choose_file(monkeypatch, path)
    qtbot.mouseClick(page.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(boxes) == 2, timeout=20000)
    assert boxes[0] == ("question", "导入活动表格", (
        "文件“三月活动.xlsx”（工作表“活动台账”）中有 3 行活动记录。\n"
        "将导入 2 条新记录，日期 2020-07-15 至 2020-08-01：\n"
        "    科普讲座 1 条\n"
        "    高层次学术报告会 1 条\n"
        "已存在 1 条（日期、活动类型、活动名称、地点与台账中的记录相同），将跳过：第 4 行。\n\n"
        "导入到海州区科协的活动台账吗？"))
    assert boxes[1] == ("information", "导入活动表格", "已导入 2 条活动记录。另有 1 条已存在，已跳过。")
    assert titles(page) == ALL + ["暑期青少年科普讲座", "八月报告会"]
    assert row_texts(page, 6) == ["2020-07-15", "科普讲座", "暑期青少年科普讲座", "海州区图书馆", "6", "250", "与图书馆合办"]
    assert page.selected_uids() == [page.model.rows[6].uid, page.model.rows[7].uid]  # the new records
    assert stored(ctx, page.model.rows[7].uid) == (
        D(2020, 8, 1), "ACAD_REPORT", "八月报告会", "", 3, 80, "", "王芳", "海州区")
    with ctx.db.read() as s:
        assert s.scalars(select(Activity.source).where(Activity.uid == page.model.rows[6].uid)).one() == \
            "excel:三月活动.xlsx"

    boxes.clear()  # the same file again: nothing new, nothing asked
    qtbot.mouseClick(page.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(boxes) == 1, timeout=20000)
    assert boxes == [("information", "导入活动表格", (
        "文件“三月活动.xlsx”（工作表“活动台账”）中有 3 行活动记录。\n"
        "没有需要导入的新记录。\n"
        "已存在 3 条（日期、活动类型、活动名称、地点与台账中的记录相同），将跳过：第 2、3、4 行。"))]
    assert len(titles(page)) == 8


def test_answering_no_imports_nothing(qtbot, page, ctx, db_path, boxes, template_file, tmp_path, monkeypatch):
    row = ("2020-07-15", "科普讲座", "讲座", "", 1, 2, "")
    choose_file(monkeypatch, fill_sheet(template_file, tmp_path / "a.xlsx", [row]))
    before = db_content(db_path)
    boxes.answer["question"] = QMessageBox.No
    qtbot.mouseClick(page.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(boxes) == 1, timeout=20000)
    qtbot.wait(50)
    assert boxes[0][0] == "question" and titles(page) == ALL
    assert db_content(db_path) == before


def test_a_bad_sheet_lists_its_problems_and_imports_nothing(qtbot, page, ctx, db_path, boxes, template_file, tmp_path,
                                                           monkeypatch):
    rows = [("2020-07-15", "科普讲座", "好的一行", "", 1, 2, ""),
            ("2021-01-01", "科普展览", None, "", "十五人", 3, "")] + [("2020-07-16", "科普讲座", None, "", 1, 1, "")] * 12
    choose_file(monkeypatch, fill_sheet(template_file, tmp_path / "有错.xlsx", rows))
    before = db_content(db_path)
    qtbot.mouseClick(page.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.problem_box is not None and page.problem_box.isVisible(), timeout=20000)
    box = page.problem_box
    problems = ["“活动台账”第 3 行 A 列：活动日期 2021-01-01 超出计划期（2018—2020年）。",
                "“活动台账”第 3 行 B 列：活动类型“科普展览”不是可选的类型，请按“说明”工作表填写。",
                "“活动台账”第 3 行 C 列：活动名称不能为空。",
                "“活动台账”第 3 行 E 列：参与人数“十五人”不是数字，请填写整数，例如 25。"] + [
                f"“活动台账”第 {r} 行 C 列：活动名称不能为空。" for r in range(4, 16)]
    headline = "文件“有错.xlsx”中有 16 处问题，没有导入任何记录。请改正后重新导入："
    assert box.windowTitle() == "无法导入活动表格"
    assert box.text() == "\n".join([headline, *problems[:10], "……共 16 处问题，其余的见“详细信息”。"])
    assert box.detailedText() == "\n".join([headline, *problems])
    assert boxes == [] and titles(page) == ALL
    assert db_content(db_path) == before
    box.close()


def test_a_file_that_is_not_xlsx_is_refused_with_its_reason(qtbot, page, boxes, tmp_path, monkeypatch):
    path = tmp_path / "活动.xlsx"
    path.write_text("日期,活动类型\n2019-03-05,科普讲座\n", encoding="utf-8")
    choose_file(monkeypatch, path)
    qtbot.mouseClick(page.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(boxes) == 1, timeout=20000)
    assert boxes[0] == ("warning", "无法导入活动表格", (
        "文件“活动.xlsx”：不是 Excel 工作簿（.xlsx）文件，无法导入。如果它是 .xls、.csv 或 WPS 表格文件，"
        "请在 Excel 或 WPS 中打开，“另存为” Excel 工作簿（*.xlsx）后再导入。"))
    assert titles(page) == ALL


def test_records_in_an_approved_month_are_refused_and_the_dialog_keeps_the_input(qtbot, page, ctx, monkeypatch):
    from kexie_desktop.models import ReviewMonth

    with ctx.db.write() as s:
        s.add(ReviewMonth(office_id=offices.resolve(s, "海州区").id, year=2020, month=5, state="approved",
                          by="李审", at=dt.datetime(2020, 6, 2, 9, 30)))
    refusal = ("2020年5月的数据已由 李审 于 2020-06-02 09:30 审核通过并锁定，不能修改。"
               "如需修改，请审核人在“审核”页撤销审核（须写明原因）。")
    click_row(qtbot, page, "AI 前沿报告会", double=True)
    dialog = page.dialog
    dialog.title_edit.selectAll()
    type_text(dialog.title_edit, "改名的报告会")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and page.dialog is dialog
    assert (dialog.message.text(), dialog.message.isHidden()) == (refusal, False)
    assert dialog.title_edit.text() == "改名的报告会"
    assert stored(ctx, "b")[2] == "AI 前沿报告会"
    dialog.reject()

    count = activity_count(ctx)
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    dialog = page.dialog
    choose_type(qtbot, dialog.type_combo, 4)
    type_date(qtbot, dialog.date_edit, "20200520")
    type_text(dialog.title_edit, "五月补登的讲座")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.message.text() == refusal
    assert dialog.title_edit.text() == "五月补登的讲座" and activity_count(ctx) == count
    dialog.reject()

    shown = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    click_row(qtbot, page, "青年科技工作者沙龙")
    qtbot.mouseClick(page.delete_button, Qt.LeftButton)
    assert shown == [("删除失败", refusal)]
    assert stored(ctx, "d") is not None and "青年科技工作者沙龙" in titles(page)


def test_deleting_two_records_one_changed_on_another_pc_deletes_none(qtbot, page, ctx, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.Yes)
    click_row(qtbot, page, "AI 前沿报告会")
    index = page.proxy.index(titles(page).index("海洋经济学术报告会"), 3)
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, Qt.ControlModifier, page.table.visualRect(index).center())
    assert page.selected_uids() == ["b", "c"]

    def rename(s):
        activities.update_activity(s, "c", type="ACAD_REPORT", date=D(2020, 5, 31), title="海洋经济报告会",
                                   place="海州宾馆", participants=6, audience=95, user="张三")
    on_other_pc(ctx, rename, "c")
    before = audit_entries(ctx)
    shown = collect_warnings(monkeypatch)
    qtbot.mouseClick(page.delete_button, Qt.LeftButton)
    assert shown == [("删除失败", REFUSED)]
    assert audit_entries(ctx) == before
    assert stored(ctx, "b") is not None and stored(ctx, "c")[2] == "海洋经济报告会"
    assert "海洋经济报告会" in titles(page) and "AI 前沿报告会" in titles(page)  # read again
