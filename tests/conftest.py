"""Test set-up: offscreen Qt, a temporary data folder, and fresh databases per test."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

# Before any QApplication exists (pytest-qt creates it lazily).
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("MPLBACKEND", "Agg")
# Never touch the user's real data folder, settings or database.
_DATA = tempfile.mkdtemp(prefix="kexie-test-data-")
os.environ["KEXIE_DATA_DIR"] = _DATA

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from kexie_desktop.startup import open_app_database  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("KEXIE_DATA_DIR", str(data))
    return data


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "kexie.db"


@pytest.fixture
def db(db_path):
    """A fresh, migrated database with the built-in offices and plan."""
    database = open_app_database(db_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    from kexie_desktop.services import demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = open_app_database(path)
    with database.write() as s:
        demo.fill_demo(s)
    database.close()  # checkpoints the WAL into the main file
    return path


@pytest.fixture
def demo_db_path(_demo_template, tmp_path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copyfile(_demo_template, path)
    return path


@pytest.fixture
def demo_db(demo_db_path):
    """A copy of a database filled with the demo data set (built once per test session)."""
    database = open_app_database(demo_db_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def qapp_cls():
    """pytest-qt's application with the program's GUI-thread garbage collector (ui.gc_guard):
    without it a collection started in a pool thread can finalize Qt objects there and crash."""
    from PySide6.QtWidgets import QApplication

    from ui import gc_guard

    class TestApplication(QApplication):
        def __init__(self, args):
            super().__init__(args)
            gc_guard.install(self)

    return TestApplication


@pytest.fixture(autouse=True)
def _collect_in_main_thread():
    """Tests that never spin the event loop still get their cycles collected, in this thread."""
    yield
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        from ui import gc_guard

        gc_guard.install(app).collect_due()


def make_context(database, tmp_path):
    """An AppContext on ``database`` whose QSettings live in a temporary ini file."""
    from PySide6.QtCore import QSettings

    from ui.context import AppContext

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    return AppContext(database, settings)


@pytest.fixture
def ctx(db, tmp_path, qapp):
    return make_context(db, tmp_path)


@pytest.fixture
def demo_ctx(demo_db, tmp_path, qapp):
    return make_context(demo_db, tmp_path)


@pytest.fixture(autouse=True)
def _no_unexpected_message_boxes(monkeypatch, request):
    """A modal message box nobody patched would wait forever offscreen: fail the test instead."""
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        return
    from PySide6.QtWidgets import QMessageBox

    def unexpected(*args, **_kwargs):
        texts = [a for a in args if isinstance(a, str)]
        raise AssertionError(f"unexpected message box: {' / '.join(texts)}")

    for name in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, unexpected)
