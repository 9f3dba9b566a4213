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


# KEXIE_TEST_DB=postgresql+psycopg://user@host:port/admin-db runs the suite on that PostgreSQL server
# (issue 18; .ci/run starts one with tools/pg_test_server.sh): every test's database is a fresh database
# on the server, cloned from a template migrated once per session. Tests about the SQLite file itself
# are marked sqlite_only and skipped there.
SERVER_URL = os.environ.get("KEXIE_TEST_DB", "")
ON_SERVER = SERVER_URL.startswith("postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(reason): about the SQLite file; skipped on PostgreSQL")
    config.addinivalue_line("markers", "server_only: needs the PostgreSQL server of KEXIE_TEST_DB")


def pytest_collection_modifyitems(config, items):
    for item in items:
        mark = item.get_closest_marker("sqlite_only")
        if ON_SERVER and mark is not None:
            reason = mark.kwargs.get("reason") or (mark.args[0] if mark.args else "about the SQLite file")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))
        if not ON_SERVER and item.get_closest_marker("server_only") is not None:
            item.add_marker(pytest.mark.skip(reason="needs a PostgreSQL server (KEXIE_TEST_DB)"))


# Every statement that changes a row of a test database advances this sequence (a statement trigger on
# every table of the templates): a test database nobody wrote to is handed to the next test as it is,
# instead of being dropped and cloned again (a clone takes a second or more on a busy machine).
DIRTY_SEQUENCE = "kexie_test_dirty"


class PgServer:
    """Databases on the test server: templates made once, a clone of one per test; a clone the test
    wrote to is dropped, an untouched one is handed to the next test. (All in the test's own thread:
    a background thread cloning ahead would move the garbage collector's counts under tests that time it.)"""

    def __init__(self, url: str):
        from sqlalchemy.engine import make_url

        self.base = make_url(url).set(drivername="postgresql+psycopg")
        self.prefix = f"kexie_t{os.getpid()}_"
        self.count = 0
        self.created: list[str] = []
        self.ready: dict[str, list[str]] = {}

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _connect(self, database: str | None = None):
        import psycopg

        url = self.base.set(drivername="postgresql")
        if database:
            url = url.set(database=database)
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def admin(self, sql: str) -> None:
        with self._connect() as conn:
            conn.execute(sql)

    def new_database(self, template: str | None = None) -> str:
        self.count += 1
        name = f"{self.prefix}{self.count}"
        self.created.append(name)
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template or 'template0'}")
        return name

    def drop(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if name in self.created:
            self.created.remove(name)

    def track_writes(self, name: str) -> None:
        """Make ``name`` (a template) record in DIRTY_SEQUENCE any statement that changes a row."""
        from sqlalchemy import create_engine, inspect

        engine = create_engine(self.url(name))
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SEQUENCE IF NOT EXISTS {DIRTY_SEQUENCE}")
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION kexie_test_touch() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN PERFORM nextval('{DIRTY_SEQUENCE}'); RETURN NULL; END $$")
            for table in inspect(conn).get_table_names():
                conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS kexie_test_touch ON "{table}"')
                conn.exec_driver_sql(f'CREATE TRIGGER kexie_test_touch AFTER INSERT OR UPDATE OR DELETE OR '
                                     f'TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION kexie_test_touch()')
            conn.exec_driver_sql(f"SELECT setval('{DIRTY_SEQUENCE}', 1, false)")
        engine.dispose()

    def _written(self, name: str) -> bool:
        import psycopg

        try:
            with self._connect(name) as conn:
                return bool(conn.execute(f"SELECT is_called FROM {DIRTY_SEQUENCE}").fetchone()[0])
        except psycopg.Error:  # its tracking is gone (a test that downgraded the schema)
            return True

    def checkout(self, template: str) -> str:
        """A database cloned from ``template`` that no test has written to."""
        waiting = self.ready.setdefault(template, [])
        return waiting.pop() if waiting else self.new_database(template)

    def checkin(self, template: str, name: str) -> None:
        if self._written(name):
            self.drop(name)
        else:
            self.ready.setdefault(template, []).append(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(name)


@pytest.fixture(scope="session")
def pg_server():
    if not ON_SERVER:
        pytest.skip("needs a PostgreSQL server (KEXIE_TEST_DB)")
    server = PgServer(SERVER_URL)
    yield server
    server.close()


@pytest.fixture(scope="session")
def _pg_template(pg_server) -> str:
    """A server database migrated once (db upgrade, built-in plan), the template of every test's."""
    from kexie_desktop.startup import upgrade_app_database

    name = pg_server.new_database()
    upgrade_app_database(pg_server.url(name))
    pg_server.track_writes(name)
    return name


@pytest.fixture
def db_path(tmp_path, request) -> Path | str:
    """The test's database: a file path on SQLite; on PostgreSQL the URL of a fresh clone of the template."""
    if not ON_SERVER:
        yield tmp_path / "kexie.db"
        return
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("_pg_template")
    name = server.checkout(template)
    yield server.url(name)
    server.checkin(template, name)


@pytest.fixture
def db(db_path):
    """A fresh, migrated database with the built-in offices and plan."""
    database = open_app_database(db_path)
    yield database
    database.close()


@pytest.fixture
def two_pcs(db, db_path):
    """Two Database objects on one file (or two sessions of one server database): two clerks' PCs."""
    other = open_app_database(db_path)
    yield db, other
    other.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    """A SQLite file filled with the demo data (on both engines: tests copy it to make more installations)."""
    from kexie_desktop.services import demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = open_app_database(path)
    with database.write() as s:
        demo.fill_demo(s)
    database.close()  # checkpoints the WAL into the main file
    return path


@pytest.fixture(scope="session")
def _pg_demo_template(pg_server, _pg_template) -> str:
    """The server's demo template: a clone of the template filled with the demo data."""
    from kexie_desktop.services import demo

    name = pg_server.new_database(_pg_template)
    database = open_app_database(pg_server.url(name))
    with database.write() as s:
        demo.fill_demo(s)
    database.close()
    pg_server.track_writes(name)  # resets the write count the demo data left
    return name


@pytest.fixture
def demo_db_path(tmp_path, request) -> Path | str:
    if ON_SERVER:
        server = request.getfixturevalue("pg_server")
        template = request.getfixturevalue("_pg_demo_template")
        name = server.checkout(template)
        yield server.url(name)
        server.checkin(template, name)
        return
    path = tmp_path / "demo.db"
    shutil.copyfile(request.getfixturevalue("_demo_template"), path)
    yield path


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
