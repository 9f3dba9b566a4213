"""Every file dialog opens in the folder used last (remembered in QSettings) or else in 文档
(Documents), never in the program's folder, which an empty start path would give."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

LAST_FOLDER = "file_dialogs/last_folder"


def start_folder(settings: QSettings) -> str:
    last = settings.value(LAST_FOLDER, "", str)
    if last and Path(last).is_dir():
        return last
    documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


def _remember(settings: QSettings, path: str) -> str:
    if path:
        settings.setValue(LAST_FOLDER, str(Path(path).parent))
    return path


def open_file(parent: QWidget, settings: QSettings, title: str, filters: str) -> str:
    path, _f = QFileDialog.getOpenFileName(parent, title, start_folder(settings), filters)
    return _remember(settings, path)


def open_files(parent: QWidget, settings: QSettings, title: str, filters: str) -> list[str]:
    paths, _f = QFileDialog.getOpenFileNames(parent, title, start_folder(settings), filters)
    if paths:
        _remember(settings, paths[0])
    return list(paths)


def save_file(parent: QWidget, settings: QSettings, title: str, name: str, filters: str) -> tuple[str, str]:
    """(path, chosen filter); the proposed ``name`` in the start folder."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, str(Path(start_folder(settings)) / name), filters)
    return _remember(settings, path), chosen


def choose_folder(parent: QWidget, settings: QSettings, title: str) -> str:
    folder = QFileDialog.getExistingDirectory(parent, title, start_folder(settings))
    if folder:
        settings.setValue(LAST_FOLDER, folder)
    return folder
