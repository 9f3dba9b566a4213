"""A failed save in the entry grid keeps the user's edits (still yellow) and says why in Chinese."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from kexie_desktop.services import values
from tests.test_ui_entry import cell, click, page, saved_values, text, type_keys  # noqa: F401 (fixture)
from ui.entry.model import DIRTY_BG


def test_a_save_on_a_full_disk_keeps_the_edits_yellow_and_says_why(qtbot, page, ctx, monkeypatch):  # noqa: F811
    click(qtbot, page, cell(page, "I09", 1))
    type_keys(qtbot, page, "12")
    qtbot.keyClick(page.table.focusWidget(), Qt.Key_Return)

    def full_disk(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(values, "set_values", full_disk)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, body, *a: shown.append((title, body)))
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, body, *a: shown.append((title, body)))
    qtbot.mouseClick(page.save_button, Qt.LeftButton)

    assert len(shown) == 1
    title, body = shown[0]
    assert title == "保存失败"
    assert body.startswith("磁盘空间已满，本次操作没有保存任何数据（数据库保持原样）。请清理磁盘")
    assert "OperationalError" not in body and "sqlite3" not in body
    assert text(page, "I09", 1) == "12" and page.has_unsaved()
    assert cell(page, "I09", 1).data(Qt.BackgroundRole).color() == DIRTY_BG
    assert saved_values(ctx, "I09") == {}
    monkeypatch.undo()  # the disk has room again: the same edits save
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert saved_values(ctx, "I09") == {1: 12.0}
    assert not page.has_unsaved()
