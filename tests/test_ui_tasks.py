"""工作清单 page (pytest-qt, offscreen), driven by clicks and key presses: filters, overdue first, adding a
milestone and marking it done, a note with a PNG evidence file (the file dialog patched), a refused file's
one Chinese line, the city's rows across units with drill-down (read-only), and refresh after an import."""

from __future__ import annotations

import datetime as dt
import hashlib
import sys

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDateEdit, QFileDialog
from sqlalchemy import select

from kexie_desktop.changes import Changes
from kexie_desktop.services import offices, plan
from kexie_desktop.services import tasks as svc
from kexie_desktop.task_models import Evidence, Milestone, PlanTask, ProgressNote
from qtkeys import type_text
from ui.main_window import MainWindow
from ui.tasks.model import MARKS, NEXT, OFFICE, STATUS, STATUS_COLORS
from ui.tasks.page import TasksPage
from tests.other_pc import REFUSED, audit_count, on_other_pc

D = dt.date
TODAY = D(2020, 7, 1)
UNIT, CITY = "320722", "320700"  # 东海县科协, 市科协


def png_bytes(width=40, height=30, color="#3a7bd5") -> bytes:
    image = QImage(width, height, QImage.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def at(ctx, code):
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, code))


def make_page(ctx, qtbot) -> TasksPage:
    page = TasksPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1300, 720)
    page.show()
    qtbot.waitExposed(page)
    return page


def cell(page, row, col, role=Qt.DisplayRole):
    return page.model.data(page.model.index(row, col), role)


def codes(page) -> list[str]:
    return [r.task_code for r in page.model.rows]


def choose(qtbot, combo, text: str) -> None:
    """Pick an entry with Home and the Down key, as a user would with the keyboard."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Home)
    while combo.currentText() != text:
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key_Down)
        assert combo.currentIndex() != before, f"{text} is not in the list"


def type_date(qtbot, edit: QDateEdit, digits: str) -> None:
    edit.setFocus()
    edit.setSelectedSection(QDateEdit.YearSection)
    qtbot.keyClicks(edit, digits)


def click_row(qtbot, table, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())


@pytest.fixture
def unit_ctx(ctx):
    """东海县 with T44's milestone overdue on TODAY and T26 under way (a milestone done, one ahead)."""
    at(ctx, UNIT)
    with ctx.db.write() as s:
        dh = offices.resolve(s, UNIT)
        svc.add_milestone(s, dh, "T44", "建成首批科学工作室", D(2020, 5, 31))
        m, _ = svc.add_milestone(s, dh, "T26", "印发实施方案", D(2020, 3, 31))
        svc.complete_milestone(s, dh, "T26", m.id, D(2020, 3, 20))
        svc.add_milestone(s, dh, "T26", "召开推进会", D(2020, 9, 30))
    return ctx


# --------------------------------------------------------------------------- at a unit

def test_a_unit_sees_its_tasks_overdue_first_and_filters_them(unit_ctx, qtbot):
    page = make_page(unit_ctx, qtbot)
    assert codes(page) == ["T44", "T16", "T24", "T26", "T28", "T41", "T45", "T50", "T51", "T59"]
    assert page.table.isColumnHidden(OFFICE)
    assert [cell(page, r, STATUS) for r in (0, 1, 3)] == ["滞后", "未启动", "推进中"]
    assert cell(page, 0, STATUS, Qt.BackgroundRole).color() == QColor(STATUS_COLORS["滞后"])
    assert (cell(page, 3, MARKS), cell(page, 3, NEXT)) == ("1/2", "召开推进会（2020-09-30）")
    assert page.count_label.text() == "共 10 项，滞后 1 项"
    # the first row is selected: its sentence and milestones
    assert page.title_label.text() == "T44 中小学及职业学校普遍建成青少年科学工作室"
    assert page.sentence_label.text().startswith("计划原文：")
    assert page.milestone_model.rows[0].title == "建成首批科学工作室"
    assert page.milestone_model.data(page.milestone_model.index(0, 4)) == "逾期未完成"
    assert page.readonly_label.isHidden() and page.add_note_button.isEnabled()

    choose(qtbot, page.status_filter, "滞后")
    assert codes(page) == ["T44"] and page.count_label.text() == "共 1 项，滞后 1 项"
    choose(qtbot, page.status_filter, "推进中")
    assert codes(page) == ["T26"]
    page.status_filter.setCurrentIndex(0)
    section = next(i for i in range(page.section_filter.count()) if page.section_filter.itemData(i) == "T2.3")
    choose(qtbot, page.section_filter, page.section_filter.itemText(section))
    assert codes(page) == ["T26", "T28"] and page.count_label.text() == "共 2 项，滞后 0 项"


def test_add_a_milestone_and_mark_it_done_through_the_dialogs(unit_ctx, qtbot):
    page = make_page(unit_ctx, qtbot)
    assert page.select("T28")
    assert page.milestone_model.rowCount() == 0 and not page.complete_button.isEnabled()
    qtbot.mouseClick(page.add_milestone_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog.isVisible() and dialog.windowTitle() == "添加节点"
    assert dialog.due_edit.date().toPython() == D(2020, 7, 31)  # 30 days ahead by default
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # no title
    assert dialog.isVisible() and dialog.message.text() == "节点名称不能为空。"
    type_text(dialog.title_edit, "配齐县科协专职人员")
    assert dialog.message.isHidden()
    type_date(qtbot, dialog.due_edit, "20200630")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert page.dialog is None
    with unit_ctx.db.read() as s:
        m = s.scalars(select(Milestone).join(PlanTask).where(PlanTask.code == "T28")).one()
        assert (m.title, m.due, m.done) == ("配齐县科协专职人员", D(2020, 6, 30), None)
    assert page.message.text() == f"已为任务 T28 添加节点 {m.id}“配齐县科协专职人员”。"
    # due yesterday, not done: the task is 滞后 and moves to the top
    assert codes(page)[:2] == ["T28", "T44"] and page.current_row().task_code == "T28"  # the late ones in plan order
    assert page.current_row().status == "滞后" and page.count_label.text() == "共 10 项，滞后 2 项"

    click_row(qtbot, page.milestone_table, 0)
    assert page.complete_button.isEnabled()
    qtbot.mouseClick(page.complete_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog.windowTitle() == "标为完成" and dialog.done_edit.date().toPython() == TODAY
    type_date(qtbot, dialog.done_edit, "20200629")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert page.dialog is None
    assert page.message.text() == f"已把节点 {m.id}“配齐县科协专职人员”标为 2020-06-29 完成。"
    row = page.current_row()
    assert (row.task_code, row.status, row.milestones[0].done) == ("T28", "已完成", D(2020, 6, 29))
    assert page.milestone_model.data(page.milestone_model.index(0, 4)) == "已完成"
    assert not page.complete_button.isEnabled()  # done once only
    with unit_ctx.db.read() as s:
        assert s.get(Milestone, m.id).done == D(2020, 6, 29)


def test_a_note_with_a_png_evidence_file(unit_ctx, qtbot, tmp_path, monkeypatch):
    photo = tmp_path / "推进会.png"
    data = png_bytes(400, 300)
    photo.write_bytes(data)
    asked = []

    def pick(parent, title, folder, filters):
        asked.append((title, filters))
        return [str(photo)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", pick)
    page = make_page(unit_ctx, qtbot)
    page.select("T26")
    qtbot.mouseClick(page.add_note_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog.windowTitle() == "记录进展" and dialog.date_edit.date().toPython() == TODAY
    type_text(dialog.text_edit, "召开全县科协系统推进会")
    qtbot.mouseClick(dialog.add_file_button, Qt.LeftButton)
    assert asked == [("选择证据文件", "照片或 PDF (*.png *.jpg *.jpeg *.pdf);;所有文件 (*)")]
    assert [dialog.file_list.item(i).text() for i in range(dialog.file_list.count())] == [
        f"推进会.png（{len(data) / 1024:.1f} KB）"]
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert page.dialog is None
    assert page.message.text() == "已为任务 T26 记录 2020-07-01 的进展，附 1 个证据文件。"
    with unit_ctx.db.read() as s:
        note = s.scalars(select(ProgressNote)).one()
        assert (note.date, note.text, note.task.code) == (TODAY, "召开全县科协系统推进会", "T26")
        assert [(e.file_name, e.media_type, e.size, e.sha256) for e in note.evidence] == [
            ("推进会.png", "image/png", len(data), hashlib.sha256(data).hexdigest())]
    assert page.note_model.rowCount() == 1 and page.note_text.text() == "2020-07-01：召开全县科协系统推进会"
    assert page.note_model.data(page.note_model.index(0, 3)) == "1 个文件"
    assert page.model.data(page.model.index(codes(page).index("T26"), 8)) == "2020-07-01"
    view = page.evidence
    assert view.files.count() == 1 and view.files.currentItem().text().startswith("推进会.png（")
    assert view.has_image and view.current.data == data
    shown = view.preview.pixmap()
    assert not shown.isNull() and shown.width() <= view.preview.width() and shown.height() <= view.preview.height()
    assert abs(shown.width() / shown.height() - 400 / 300) < 0.02  # scaled, aspect kept


def test_a_file_that_is_not_an_image_or_pdf_is_refused_in_one_line(unit_ctx, qtbot, tmp_path, monkeypatch):
    fake = tmp_path / "照片.png"
    fake.write_bytes(b"PK\x03\x04" + b"\x00" * 40)  # a renamed archive
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(fake)], ""))
    page = make_page(unit_ctx, qtbot)
    page.select("T26")
    qtbot.mouseClick(page.add_note_button, Qt.LeftButton)
    dialog = page.dialog
    type_text(dialog.text_edit, "会议照片")
    qtbot.mouseClick(dialog.add_file_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and page.dialog is dialog
    assert dialog.message.text() == ("证据文件“照片.png”不是照片（PNG、JPEG）或 PDF：按文件内容判断，它其实是ZIP 压缩包（或 Office 文档）。"
                                     "请附 PNG、JPEG 图片或 PDF 文件。")
    with unit_ctx.db.read() as s:
        assert s.scalars(select(ProgressNote)).all() == []
    # removing the file saves the note without it
    click_row_list = dialog.file_list
    click_row_list.setCurrentRow(0)
    qtbot.mouseClick(dialog.remove_file_button, Qt.LeftButton)
    assert dialog.files == [] and dialog.file_list.count() == 0
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert page.dialog is None and page.message.text() == "已为任务 T26 记录 2020-07-01 的进展。"


def test_a_pdf_shows_its_first_page_or_its_name_and_size(unit_ctx, qtbot, monkeypatch):
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3))
    figure.gca().plot([1, 3, 2])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    pdf = buffer.getvalue()
    with unit_ctx.db.write() as s:
        svc.add_note(s, offices.resolve(s, UNIT), "T41", D(2020, 6, 1), "评选方案", evidence=pdf,
                     evidence_name="评选方案.pdf")
    page = make_page(unit_ctx, qtbot)
    page.select("T41")
    assert page.evidence.current.file_name == "评选方案.pdf"
    import pypdfium2  # noqa: F401 - requirements.txt; without it there is no PDF preview to test

    assert page.evidence.has_image  # PDFium drew the first page
    assert page.evidence.save_button.isEnabled()
    from ui.tasks.evidence_view import pdf_first_page

    tall = Figure(figsize=(0.5, 200))  # 36 pt wide, 14,400 pt high: the bitmap stays bounded
    buffer = io.BytesIO()
    tall.savefig(buffer, format="pdf")
    image = pdf_first_page(buffer.getvalue())
    assert image is not None and image.height() <= 1300 and image.width() <= 900
    assert pdf_first_page(b"%PDF-1.4\n") is None  # PDFium refuses it: shown by name and size
    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # as without the package: no preview, name and size
    page.evidence._show_current()
    assert not page.evidence.has_image
    size = f"{len(pdf) / 1024:.1f} KB"
    assert page.evidence.preview.text() == f"PDF 文件“评选方案.pdf”，{size}：此处不能预览，可用“另存为…”保存后查看。"


def test_save_a_copy_of_the_evidence(unit_ctx, qtbot, tmp_path, monkeypatch):
    data = png_bytes()
    with unit_ctx.db.write() as s:
        svc.add_note(s, offices.resolve(s, UNIT), "T41", D(2020, 6, 1), "现场照片", evidence=data,
                     evidence_name="现场.png")
    target = tmp_path / "out" / "副本.png"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page = make_page(unit_ctx, qtbot)
    page.select("T41")
    qtbot.mouseClick(page.evidence.save_button, Qt.LeftButton)
    assert target.read_bytes() == data and page.message.text() == f"已保存到 {target}"
    assert sorted(p.name for p in target.parent.iterdir()) == ["副本.png"]


# --------------------------------------------------------------------------- at the city

@pytest.fixture
def city_ctx(ctx):
    """The city; 东海县's T44 milestone (overdue) and a note with a photo, as a package would bring them
    (written straight into the tables: a unit's data never goes through the city's service)."""
    at(ctx, CITY)
    with ctx.db.write() as s:
        dh = offices.resolve(s, UNIT)
        t44 = svc.task(s, "T44")
        s.add(Milestone(task_id=t44.id, office_id=dh.id, title="建成首批科学工作室", due=D(2020, 5, 31)))
        s.add(Milestone(task_id=t44.id, office_id=dh.id, title="验收", due=D(2020, 11, 30)))
        note = ProgressNote(task_id=t44.id, office_id=dh.id, date=D(2020, 4, 2), text="首批 3 所学校挂牌")
        data = png_bytes(60, 40, "#2e8b57")
        note.evidence.append(Evidence(file_name="挂牌.png", media_type="image/png", size=len(data),
                                      sha256=hashlib.sha256(data).hexdigest(), data=data))
        s.add(note)
    return ctx


def test_the_city_sees_every_task_across_units_and_drills_down(city_ctx, qtbot):
    page = make_page(city_ctx, qtbot)
    assert not page.table.isColumnHidden(OFFICE)
    assert len(page.model.rows) == 160  # 60 the city carries + 10 for each of ten units
    assert (codes(page)[0], cell(page, 0, OFFICE), cell(page, 0, STATUS)) == ("T44", "东海县", "滞后")
    assert page.count_label.text() == "共 160 项，滞后 1 项"
    assert [page.office_filter.itemText(i) for i in range(4)] == ["全部单位", "市科协", "连云区", "海州区"]

    choose(qtbot, page.office_filter, "东海县")
    assert codes(page) == ["T44", "T16", "T24", "T26", "T28", "T41", "T45", "T50", "T51", "T59"]
    assert {r.office_code for r in page.model.rows} == {UNIT}
    choose(qtbot, page.status_filter, "滞后")
    assert codes(page) == ["T44"]
    click_row(qtbot, page.table, 0)
    assert page.title_label.text() == "T44 中小学及职业学校普遍建成青少年科学工作室 · 东海县科协"
    assert [m.title for m in page.milestone_model.rows] == ["建成首批科学工作室", "验收"]
    assert page.note_model.data(page.note_model.index(0, 1)) == "首批 3 所学校挂牌"
    assert page.evidence.files.currentItem().text().startswith("挂牌.png（") and page.evidence.has_image
    # a unit's data is read-only at the city
    assert page.readonly_label.isVisible()
    assert page.add_milestone_button.isHidden() and page.add_note_button.isHidden()
    page.add_milestone()
    assert page.dialog is None


def test_the_city_edits_its_own_tasks(city_ctx, qtbot):
    page = make_page(city_ctx, qtbot)
    choose(qtbot, page.office_filter, "市科协")
    assert len(page.model.rows) == 60 and page.select("T10", CITY)
    assert page.readonly_label.isHidden() and page.add_milestone_button.isVisible()
    qtbot.mouseClick(page.add_milestone_button, Qt.LeftButton)
    type_text(page.dialog.title_edit, "印发专家委员会章程")
    type_date(qtbot, page.dialog.due_edit, "20201031")
    qtbot.mouseClick(page.dialog.ok_button, Qt.LeftButton)
    assert page.dialog is None and page.message.text().startswith("已为任务 T10 添加节点 ")
    assert (page.current_row().key, page.current_row().status) == (("T10", CITY), "推进中")
    with city_ctx.db.read() as s:
        m = s.scalars(select(Milestone).where(Milestone.office_id == offices.city(s).id)).one()
        assert (m.title, m.due, m.task.code) == ("印发专家委员会章程", D(2020, 10, 31), "T10")


def test_the_page_is_not_stale_after_an_import(city_ctx, qtbot):
    page = make_page(city_ctx, qtbot)
    assert page.count_label.text() == "共 160 项，滞后 1 项"
    with city_ctx.db.write() as s:  # what an imported package writes
        gy = offices.resolve(s, "赣榆区")
        s.add(Milestone(task_id=svc.task(s, "T16").id, office_id=gy.id, title="分支上线", due=D(2020, 6, 1)))
    city_ctx.notify(Changes(everything=True))
    assert page.count_label.text() == "共 160 项，滞后 2 项"
    assert [(r.task_code, r.office_short) for r in page.model.rows[:2]] == [("T16", "赣榆区"), ("T44", "东海县")]
    with city_ctx.db.write() as s:  # a package bringing only a unit's task part
        hz = offices.resolve(s, "海州区")
        s.add(Milestone(task_id=svc.task(s, "T26").id, office_id=hz.id, title="方案", due=D(2020, 6, 3)))
    city_ctx.notify(Changes(tasks={hz.id}))
    assert page.count_label.text() == "共 160 项，滞后 3 项"
    page.hide()  # not shown: reloaded when shown again
    with city_ctx.db.write() as s:
        s.add(Milestone(task_id=svc.task(s, "T24").id, office_id=offices.resolve(s, "海州区").id, title="对接",
                        due=D(2020, 6, 2)))
    city_ctx.notify(Changes(everything=True))
    assert page.count_label.text() == "共 160 项，滞后 3 项"
    page.show()
    assert page.count_label.text() == "共 160 项，滞后 4 项"


def test_the_page_is_in_both_installations(ctx, qtbot):
    for code in (UNIT, CITY):
        at(ctx, code)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        titles = [window.nav.item(r).text() for r in range(window.nav.count())]
        assert titles[titles.index("目标") + 1] == "工作清单"
        page = window.show_page("tasks")
        assert isinstance(page, TasksPage) and len(page.model.rows) == (10 if code == UNIT else 160)
    with ctx.db.read() as s:
        assert len(plan.current_plan(s).years) == 3


def test_a_milestone_completed_on_another_pc_is_refused_in_the_dialog(qtbot, unit_ctx):
    page = make_page(unit_ctx, qtbot)
    assert page.select("T44")
    click_row(qtbot, page.milestone_table, 0)
    qtbot.mouseClick(page.complete_button, Qt.LeftButton)
    dialog = page.dialog
    with unit_ctx.db.read() as s:
        m = s.query(Milestone).filter_by(title="建成首批科学工作室").one()
        mid, uid = m.id, m.uid

    def complete(s):
        svc.complete_milestone(s, offices.resolve(s, "东海县"), "T44", mid, D(2020, 6, 1), user="张三")
    on_other_pc(unit_ctx, complete, uid)
    before = audit_count(unit_ctx)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.message.text() == REFUSED
    assert audit_count(unit_ctx) == before
    with unit_ctx.db.read() as s:
        assert s.get(Milestone, mid).done == D(2020, 6, 1)
    assert page.current_row().milestones[0].done == D(2020, 6, 1)  # the page read it again
    assert not page.complete_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # now it is plainly done
    assert dialog.message.text() == f"节点 {mid}“建成首批科学工作室”已于 2020-06-01 完成，不能再次完成。"
    dialog.reject()
