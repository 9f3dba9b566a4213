"""Start-up behaviour: first-start wizard, single instance, error boxes, worker threads."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWizard

from kexie_desktop.errors import UserError
from kexie_desktop.services import offices, settings
from tests.qtkeys import type_text
from ui import app as app_module
from ui import installation
from ui import worker
from ui.entry import operations
from ui.wizard.wizard import FirstStartWizard
from ui.worker import run_task


def test_wizard_sets_office_people_and_demo(qtbot, ctx):
    wizard = FirstStartWizard(ctx)
    qtbot.addWidget(wizard)
    with qtbot.waitExposed(wizard):
        wizard.show()
    next_button = wizard.button(QWizard.NextButton)
    assert not next_button.isEnabled()  # no office chosen yet
    combo = wizard.office_page.combo
    combo.setCurrentIndex(combo.findData("320722"))
    assert next_button.isEnabled()
    qtbot.mouseClick(next_button, Qt.LeftButton)
    assert not next_button.isEnabled()  # 填报人 is required
    type_text(wizard.people_page.filler, "王芳")
    type_text(wizard.people_page.reviewer, "李强")
    qtbot.keyClicks(wizard.people_page.phone, "0518-86000000")
    qtbot.mouseClick(next_button, Qt.LeftButton)
    assert wizard.demo_page.demo.isEnabled()
    qtbot.mouseClick(wizard.demo_page.demo, Qt.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)
    assert wizard.result() == QWizard.Accepted
    assert wizard.wants_demo()
    with ctx.db.read() as s:
        assert offices.this_office(s).name == "东海县科协"
        assert (settings.get(s, "user_filler"), settings.get(s, "user_reviewer"), settings.get(s, "phone")) == (
            "王芳", "李强", "0518-86000000")


def test_wizard_does_not_offer_demo_over_real_data(qtbot, ctx):
    with ctx.db.write() as s:
        from kexie_desktop.services import plan, values

        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "海州区"), 2019, 1, 3)
    wizard = FirstStartWizard(ctx)
    qtbot.addWidget(wizard)
    assert not wizard.demo_page.demo.isEnabled()


def test_demo_runs_in_a_worker_with_progress(qtbot, ctx):
    results = []
    progress = []
    task = run_task(None, "正在填入演示数据…", lambda p: installation.fill_demo(ctx, p), results.append)
    task.signals.progress.connect(lambda done, total, text: progress.append((done, total, text)))
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results[0]["units"] == 10 and results[0]["values"] == 14388
    assert progress[-1] == (3, 3, "正在保存…")


def test_second_instance_is_refused(tmp_path, monkeypatch, qapp):
    db_path = tmp_path / "k.db"
    first = app_module.acquire_lock(db_path)
    assert first is not None
    assert app_module.acquire_lock(db_path) is None
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    assert app_module.run_gui(str(db_path)) == 1
    assert shown[0][0] == "程序已在运行"
    assert str(db_path) in shown[0][1] and "只能在一个窗口中填报" in shown[0][1]
    first.unlock()
    again = app_module.acquire_lock(db_path)
    assert again is not None
    again.unlock()


def test_a_failing_operation_shows_a_message_box_and_logs(qtbot, ctx, monkeypatch, tmp_path):
    from ui.entry.page import EntryPage

    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "海州区"))
    page = EntryPage(ctx)
    qtbot.addWidget(page)
    page.model.setData(page.model.index(4, 2), "5")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(operations, "save_entry", broken)
    assert page.save() is False
    assert shown == [("保存失败", "磁盘空间已满，本次操作没有保存任何数据（数据库保持原样）。请清理磁盘（数据所在的磁盘）后重试。")]
    assert page.has_unsaved()  # the edit is still in the grid
    from ui.errors import log_path

    assert "No space left on device" in log_path().read_text(encoding="utf-8")


def test_a_user_error_in_a_worker_shows_its_own_sentence(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))

    def task(progress):
        progress(1, 2, "第一步")
        raise UserError("文件不是 Excel 工作簿，请检查附件。")

    run_task(None, "正在导入…", task, error_title="导入失败")
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown == [("导入失败", "文件不是 Excel 工作簿，请检查附件。")]


def test_cancel_stops_a_worker(qtbot):
    import threading

    started, finished = threading.Event(), []

    def task(progress):
        started.set()
        for i in range(1000):
            progress(i, 1000)
            threading.Event().wait(0.01)
        finished.append(True)

    running = run_task(None, "长任务", task)
    started.wait(5)
    running.progress.cancel()
    qtbot.waitUntil(lambda: running not in worker._running, timeout=5000)
    assert finished == []
