"""设置: people, thresholds (city only), data locations."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from kexie_desktop.services import offices, settings
from tests.qtkeys import type_text
from ui.settings.page import SettingsPage
from tests.other_pc import REFUSED, audit_count, collect_warnings, on_other_pc


def _page(qtbot, ctx, office: str) -> SettingsPage:
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, office))
        settings.put(s, "user_filler", "张三")
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def test_unit_edits_people_but_not_thresholds(qtbot, ctx, db_path):
    page = _page(qtbot, ctx, "灌南县")
    assert page.office.text() == "灌南县科协"
    assert page.filler.text() == "张三"
    assert not page.behind.isEnabled() and not page.serious.isEnabled()
    assert page.db_path.text() == str(db_path)
    page.filler.clear()
    type_text(page.filler, "李四")
    qtbot.keyClicks(page.phone, "0518-83000000")
    with qtbot.waitSignal(ctx.bus.changed):
        qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert page.message.text() == "设置已保存。"
    with ctx.db.read() as s:
        assert (settings.get(s, "user_filler"), settings.get(s, "phone")) == ("李四", "0518-83000000")
        assert settings.get(s, "threshold_behind") == 10.0


def test_city_sets_thresholds_and_bad_ones_are_refused(qtbot, ctx, monkeypatch):
    page = _page(qtbot, ctx, "市科协")
    assert page.behind.isEnabled()
    page.behind.setValue(8)
    page.serious.setValue(20)
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    with ctx.db.read() as s:
        assert (settings.get(s, "threshold_behind"), settings.get(s, "threshold_serious")) == (8.0, 20.0)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    page.behind.setValue(30)
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert shown == ["阈值应满足：0 < 略有滞后 < 严重滞后 ≤ 100（百分点）。"]
    with ctx.db.read() as s:
        assert settings.get(s, "threshold_behind") == 8.0


def test_the_review_password_is_set_changed_and_removed(qtbot, ctx, monkeypatch):
    from kexie_desktop.review import states
    from ui.settings.password_dialog import PasswordDialog

    page = _page(qtbot, ctx, "灌南县")
    assert (page.password_state.text(), page.password_button.text()) == ("未设置审核密码。", "设置密码…")
    assert not page.remove_password_button.isEnabled()
    seen = []

    def answer(old="", new="", repeat=None):
        def fill(dialog):
            seen.append((dialog.windowTitle(), dialog.old.isVisibleTo(dialog), dialog.new.isVisibleTo(dialog)))
            dialog.old.setText(old)
            dialog.new.setText(new)
            dialog.repeat.setText(new if repeat is None else repeat)
            dialog.accept()
            seen.append(dialog.message.text())
            return dialog.result()
        monkeypatch.setattr(PasswordDialog, "exec", fill)

    answer(new="mima1", repeat="mima2")
    qtbot.mouseClick(page.password_button, Qt.LeftButton)
    assert seen[-1] == "两次输入的新密码不一样，请重新输入。"
    answer(new="mima1")
    qtbot.mouseClick(page.password_button, Qt.LeftButton)
    assert seen[-2:] == [("设置审核密码", False, True), ""]
    assert (page.password_state.text(), page.password_message.text()) == ("已设置审核密码。", "审核密码已设置。")
    with ctx.db.read() as s:
        states.check_password(s, "mima1")  # the core takes it

    answer(old="wrong", new="mima2")  # change: the old password is asked and checked by the core
    qtbot.mouseClick(page.password_button, Qt.LeftButton)
    assert seen[-2:] == [("修改审核密码", True, True), "审核密码不对，请重新输入。"]
    answer(old="mima1", new="mima2")
    qtbot.mouseClick(page.password_button, Qt.LeftButton)
    assert page.password_message.text() == "审核密码已修改。"
    answer(old="mima2")
    qtbot.mouseClick(page.remove_password_button, Qt.LeftButton)
    assert seen[-2] == ("取消审核密码", True, False)
    assert (page.password_state.text(), page.password_message.text()) == ("未设置审核密码。", "审核密码已取消。")
    with ctx.db.read() as s:
        assert not states.has_password(s)


def test_one_person_as_filler_and_reviewer_is_noted(qtbot, ctx):
    page = _page(qtbot, ctx, "灌南县")
    assert page.same_person.isHidden()
    type_text(page.reviewer, "张三")
    assert not page.same_person.isHidden()
    assert page.same_person.text() == "一人兼任，审核记录会注明"
    type_text(page.reviewer, "丰")
    assert page.same_person.isHidden()


def test_settings_changed_on_another_pc_refuse_the_save_and_the_page_reloads(qtbot, ctx, monkeypatch):
    page = _page(qtbot, ctx, "市科协")
    page.behind.setValue(8)
    on_other_pc(ctx, lambda s: settings.put_thresholds(s, 12, 30, user="张三"), "threshold_behind")
    before = audit_count(ctx)
    shown = collect_warnings(monkeypatch)
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert shown == [("保存设置失败", REFUSED)]
    assert audit_count(ctx) == before
    with ctx.db.read() as s:
        assert (settings.get(s, "threshold_behind"), settings.get(s, "threshold_serious")) == (12, 30)
    assert (page.behind.value(), page.serious.value()) == (12, 30)  # read again
    page.behind.setValue(9)  # against what is shown now: saved
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert page.message.text() == "设置已保存。"
    page.serious.setValue(35)  # and again: against this page's own save, not refused
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert shown == [("保存设置失败", REFUSED)]
    with ctx.db.read() as s:
        assert (settings.get(s, "threshold_behind"), settings.get(s, "threshold_serious")) == (9, 35)
