"""数据交换: a unit exports a submission through the GUI, the city previews it and imports it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from hostile.helpers import init_unit, make_city
from kexie_desktop.services import offices, plan, values
from kexie_desktop.startup import open_app_database
from tests.conftest import make_context
from ui.sync.page import SyncPage

UNIT = "320703"  # 连云区


@pytest.fixture
def city_ctx(tmp_path, qapp):
    db = make_city(tmp_path / "city.db")
    yield make_context(db, tmp_path / "c")
    db.close()


@pytest.fixture
def unit_ctx(city_ctx, tmp_path, qapp):
    db = open_app_database(tmp_path / "unit.db")
    init_unit(city_ctx.db, db, UNIT, tmp_path)
    with db.write() as s:
        office = offices.resolve(s, UNIT)
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 3, 7, note="春季")
        values.set_value(s, plan.indicator(s, "I09"), office, 2019, 4, 5)
    (tmp_path / "c").mkdir(exist_ok=True)
    (tmp_path / "u").mkdir(exist_ok=True)
    yield make_context(db, tmp_path / "u")
    db.close()


def _page(qtbot, ctx) -> SyncPage:
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def _city_values(ctx) -> dict[int, float]:
    with ctx.db.read() as s:
        from sqlalchemy import select

        from kexie_desktop.models import DataValue

        office = offices.resolve(s, UNIT)
        rows = s.scalars(select(DataValue).where(DataValue.office_id == office.id, DataValue.year == 2019))
        return {r.month: r.value for r in rows}


def test_export_then_import_with_preview(qtbot, unit_ctx, city_ctx, tmp_path, monkeypatch):
    unit_page = _page(qtbot, unit_ctx)
    assert unit_page.export_submission_button.isVisible() and not unit_page.export_plan_button.isVisible()
    unit_page.year.setCurrentIndex(unit_page.year.findData(2019))
    proposed = []
    target = tmp_path / "连云区科协-2019年-上报包.xlsx"

    def save_dialog(parent, title, name, filters):
        proposed.append(Path(name).name)  # the proposed name, in 文档 or the folder used last
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    qtbot.mouseClick(unit_page.export_submission_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and unit_page.message.text().startswith("已导出"), timeout=20000)
    assert proposed[0].startswith("连云区科协-2019年-上报包-") and proposed[0].endswith(".xlsx")
    # Nothing is approved and January and February are gaps: a draft, sent only after asking.
    assert asked == ["2019年的数据还有 2 个错误，4 个月未审核（1—4月）。仍可导出，但封面和校验信息会注明“草稿”，"
                     "市科协导入后标为“未审核”。\n\n要导出草稿吗？"]
    assert unit_page.log_model.rowCount() >= 1 and unit_page.log_model.rows[0]["direction"] == "sent"

    city_page = _page(qtbot, city_ctx)
    assert city_page.export_plan_button.isVisible() and not city_page.export_submission_button.isVisible()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(target)], ""))
    qtbot.mouseClick(city_page.import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: getattr(city_page, "preview_dialog", None) is not None, timeout=20000)
    dialog = city_page.preview_dialog
    assert dialog.files.data(dialog.files.index(0, 2)) == "可导入"
    changes = [(c.action, c.label or c.key) for c in dialog.changes.rows]
    assert len(changes) == 2 and all(action == "新增" for action, _ in changes)
    assert _city_values(city_ctx) == {}  # the preview wrote nothing
    with qtbot.waitSignal(city_page.imported, timeout=20000) as done:
        qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert done.args[0].ok
    assert _city_values(city_ctx) == {3: 7.0, 4: 5.0}
    assert "已导入" in city_page.message.text()

    # The same file again: the preview says so and nothing can be applied.
    city_page.preview_dialog = None
    city_page.import_files([str(target)])
    qtbot.waitUntil(lambda: city_page.preview_dialog is not None, timeout=20000)
    again = city_page.preview_dialog
    assert again.files.data(again.files.index(0, 2)) == "未变（已导入过）"
    assert not again.apply_button.isEnabled()


def test_a_draft_export_declined_writes_nothing(qtbot, unit_ctx, tmp_path, monkeypatch):
    page = _page(qtbot, unit_ctx)
    page.year.setCurrentIndex(page.year.findData(2019))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    saved = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: saved.append(1) or ("", ""))
    qtbot.mouseClick(page.export_submission_button, Qt.LeftButton)
    assert saved == [] and page.log_model.rowCount() == 1  # only the init package it received


def test_a_bad_file_is_refused_in_the_preview(qtbot, city_ctx, tmp_path):
    bad = tmp_path / "不是数据包.xlsx"
    bad.write_bytes(b"PK\x03\x04 definitely not a workbook")
    page = _page(qtbot, city_ctx)
    page.import_files([str(bad)])
    qtbot.waitUntil(lambda: getattr(page, "preview_dialog", None) is not None, timeout=20000)
    dialog = page.preview_dialog
    assert dialog.files.data(dialog.files.index(0, 2)) == "拒绝"
    assert "不是数据包.xlsx" in dialog.files.data(dialog.files.index(0, dialog.files.HEADERS.index("说明")))
    assert not dialog.apply_button.isEnabled()


def test_files_dropped_on_the_window_go_to_the_import(qtbot, city_ctx, tmp_path, monkeypatch):
    from ui.main_window import MainWindow

    window = MainWindow(city_ctx)
    qtbot.addWidget(window)
    window.show()
    calls = []
    monkeypatch.setattr(SyncPage, "import_files", lambda self, paths, code=None: calls.append(paths))
    mime = QMimeData()
    files = [tmp_path / "a.xlsx", tmp_path / "b.xlsx"]
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    drop = QDropEvent(QPointF(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.dropEvent(drop)
    assert calls == [[str(f) for f in files]]
    assert window.current_page() is window.page("sync")


def test_backup_and_restore(qtbot, city_ctx, tmp_path, monkeypatch):
    page = _page(qtbot, city_ctx)
    saved = tmp_path / "备份.db"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    qtbot.mouseClick(page.backup_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: saved.exists() and "已备份" in page.message.text(), timeout=20000)
    with city_ctx.db.write() as s:
        values.set_value(s, plan.indicator(s, "I10"), offices.city(s), 2020, 1, 9.5)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(saved), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    with qtbot.waitSignal(city_ctx.bus.changed):
        qtbot.mouseClick(page.restore_button, Qt.LeftButton)
    assert "已从" in page.message.text()
    with city_ctx.db.read() as s:
        from kexie_desktop.services import values as v

        assert v.find_value(s, plan.indicator(s, "I10"), offices.city(s), 2020, 1) is None  # back as it was
    assert Path(city_ctx.db.path).exists()


def test_status_bar_counts_changes_not_yet_sent(qtbot, unit_ctx, tmp_path, monkeypatch):
    from ui.main_window import MainWindow

    window = MainWindow(unit_ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.office_label.text() == "本机单位：连云区科协"
    assert window.unsent_label.text() == "　未上报的修改：2 处"  # the two values of the fixture
    target = tmp_path / "sub.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)  # a draft: yes, send it
    page = window.show_page("sync")
    page.year.setCurrentIndex(page.year.findData(2019))
    qtbot.mouseClick(page.export_submission_button, Qt.LeftButton)
    # The status bar follows the export by itself (it used to wait for the next import).
    qtbot.waitUntil(lambda: window.unsent_label.text() == "　未上报的修改：0 处", timeout=20000)
    assert target.exists()


def test_unsaved_grid_edits_are_offered_before_export_and_restore(qtbot, unit_ctx, tmp_path, monkeypatch):
    from ui.main_window import MainWindow

    window = MainWindow(unit_ctx)
    qtbot.addWidget(window)
    window.show()
    grid = window.show_page("entry")
    row = [r.code for r in grid.model.rows].index("I09")
    grid.model.setData(grid.model.index(row, 2), "9")  # January of the working year, not saved
    assert grid.has_unsaved()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Cancel)
    saved = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: saved.append(1) or ("", ""))
    page = window.show_page("sync")
    qtbot.mouseClick(page.export_submission_button, Qt.LeftButton)
    qtbot.mouseClick(page.restore_button, Qt.LeftButton)
    assert asked == ["填报表中有尚未保存的修改。是否保存？"] * 2
    assert saved == []  # cancelled before any file dialog
    assert grid.has_unsaved()


def test_undo_shortcut_only_acts_on_the_grid_page(qtbot, unit_ctx):
    from ui.main_window import MainWindow

    window = MainWindow(unit_ctx)
    qtbot.addWidget(window)
    window.show()
    grid = window.show_page("entry")
    row = [r.code for r in grid.model.rows].index("I09")
    grid.model.setData(grid.model.index(row, 2), "9")
    assert window.undo_group.canUndo()
    window.show_page("dashboard")
    assert not window.undo_group.canUndo()
    window.show_page("entry")
    assert window.undo_group.canUndo()
    window.undo_group.undo()
    assert not grid.has_unsaved()  # closing the window then asks nothing
