"""Smaller things a new user met: where file dialogs open, a refused file's reason in the import
preview, how a preview-only refusal is logged, Qt's own buttons in Chinese, a corrected field."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox

from hostile import files
from hostile.helpers import export_sub, init_unit, log_results, make_city
from kexie_desktop import packages
from kexie_desktop.services import offices, plan, values
from kexie_desktop.startup import open_app_database
from ui import app as app_module
from ui.sync.import_dialog import ImportPreviewDialog
from ui.sync.page import SyncPage

ROOT = Path(__file__).resolve().parents[1]
UNIT = "320703"


@pytest.fixture
def modified(tmp_path):
    """(city database, a genuine submission, the same file with one value changed in Excel)."""
    city = make_city(tmp_path / "city.db")
    unit = open_app_database(tmp_path / "unit.db")
    init_unit(city, unit, UNIT, tmp_path)
    with unit.write() as s:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, UNIT), 2019, 3, 4.0)
    export_sub(unit, UNIT, 2019, tmp_path / "sub.xlsx")
    unit.close()

    def bump(wb):
        wb["月度数据"]["F2"] = 5
    files.with_openpyxl(tmp_path / "sub.xlsx", tmp_path / "改过.xlsx", bump)
    yield city, tmp_path / "sub.xlsx", tmp_path / "改过.xlsx"
    city.close()


def _documents() -> str:
    docs = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    return docs if docs and Path(docs).is_dir() else str(Path.home())


def test_file_dialogs_open_in_documents_then_in_the_folder_used_last(qtbot, ctx, tmp_path, monkeypatch):
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.show()
    started = []
    chosen = tmp_path / "邮件附件"
    chosen.mkdir()
    answers = iter([[], [str(chosen / "a.xlsx")], []])
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda parent, title, folder, filters: started.append(folder) or (next(answers), ""))
    monkeypatch.setattr(page, "import_files", lambda paths, code=None: None)
    for _ in range(3):
        qtbot.mouseClick(page.import_button, Qt.LeftButton)
    assert started == [_documents(), _documents(), str(chosen)]
    assert os.getcwd() not in started[:2] or _documents() == os.getcwd()


def test_every_file_dialog_goes_through_the_one_helper():
    calls = [f"{p.name}:{n}" for p in sorted((ROOT / "ui").glob("*.py")) if p.name != "file_dialogs.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if re.search(r"QFileDialog\.get", line)]
    assert calls == []


def test_the_preview_shows_a_refused_files_whole_reason_and_what_to_do(qtbot, modified):
    city, genuine, edited = modified
    with city.read() as s:
        previews = [packages.preview(s, genuine), packages.preview(s, edited)]
    dialog = ImportPreviewDialog(previews)
    qtbot.addWidget(dialog)
    dialog.resize(1366 - 100, 768 - 100)
    dialog.show()
    rect = dialog.file_table.visualRect(dialog.files.index(1, 0))
    qtbot.mouseClick(dialog.file_table.viewport(), Qt.LeftButton, pos=rect.center())
    assert dialog.detail.text() == (
        f"拒绝：{previews[1].message}\n此文件不会写入任何数据，其他文件不受影响。")
    assert previews[1].message.endswith("请对方在程序中重新导出后再发来，不要在 Excel 或 WPS 中修改或另存。")
    assert "此文件在导出后被修改过，已拒绝导入" in previews[1].message
    rect = dialog.file_table.visualRect(dialog.files.index(0, 0))
    qtbot.mouseClick(dialog.file_table.viewport(), Qt.LeftButton, pos=rect.center())
    assert dialog.detail.text().startswith("可导入：文件“sub.xlsx”：上报包（连云区科协，2019年")


def test_a_file_refused_in_a_dry_run_is_logged_as_refused(modified):
    city, genuine, edited = modified
    batch = packages.import_batch(city, [edited, genuine], dry_run=True)
    assert [r.outcome for r in batch.results] == ["refused", "previewed"]
    assert log_results(city)[-2:] == ["refused", "previewed"]  # after the city's own init export


def test_qts_own_dialog_buttons_speak_chinese(qapp):
    installed = app_module.install_qt_translations(qapp)
    try:
        box = QMessageBox(QMessageBox.Question, "t", "x", QMessageBox.Yes | QMessageBox.No | QMessageBox.Cancel)
        assert sorted(b.text() for b in box.buttons()) == sorted(["是(&Y)", "否(&N)", "取消"])
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        assert [b.text() for b in buttons.buttons()] == ["确定", "取消"]
        assert app_module.install_qt_translations(qapp) == []  # once per application
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
        qapp.setProperty("kexie_qt_translations", False)


def test_correcting_the_last_field_in_error_clears_the_forms_error_line(qtbot, ctx):
    from tests.qtkeys import type_text
    from ui.ledger.page import LedgerPage

    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "海州区"))
    page = LedgerPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    dialog = page.dialog
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # no type, no title
    assert dialog.message.isVisible() and dialog.message.text() == "有 2 项需要修改，请按红字提示更正后再保存。"
    dialog.type_combo.setFocus()
    qtbot.keyClick(dialog.type_combo, Qt.Key_Down)
    assert dialog.error_text("type") == "" and dialog.message.isVisible()  # the title is still wrong
    type_text(dialog.title_edit, "社区科普讲座")
    assert dialog.error_text("title") == ""
    assert not dialog.message.isVisible()
    qtbot.keyClick(dialog, Qt.Key_Escape)
