"""设置: people, thresholds (city only), data locations."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from kexie_desktop.services import offices, settings
from tests.qtkeys import type_text
from ui.settings.page import SettingsPage


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
