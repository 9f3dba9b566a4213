"""设置 → 数据库 → 连接服务器数据库 (issue 18): 测试连接 in a worker with one Chinese line per outcome,
建立数据表 on an empty database, the saved per-PC profile (never the password) and the next start.

The tests marked server_only click through the dialog against the PostgreSQL server of KEXIE_TEST_DB; the
others run everywhere with the engine's error mocked at the psycopg level.
"""

from __future__ import annotations

import json
import socket
import sys
import types

import psycopg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from kexie_desktop import db as dbmod
from kexie_desktop import server_profile
from kexie_desktop.server_profile import ConnectionCheck, ServerProfile
from ui.settings import operations
from ui.settings.server_dialog import ServerDialog

PLAN = "连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）"


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "pc.ini"), QSettings.IniFormat)


def _dialog(qtbot, settings, host="127.0.0.1", port=5432, database="kexie", user="kexie", password=""):
    dialog = ServerDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    for edit, text in ((dialog.host, host), (dialog.database, database), (dialog.user, user)):
        edit.clear()
        qtbot.keyClicks(edit, text)
    dialog.port.selectAll()
    qtbot.keyClicks(dialog.port, str(port))
    qtbot.keyClicks(dialog.password, password)
    return dialog


def _dialog_for(qtbot, settings, url: str, **changes):
    u = make_url(url).set(**changes)
    return _dialog(qtbot, settings, u.host, u.port, u.database, u.username, u.password or "")


def _test(qtbot, dialog) -> str:
    qtbot.mouseClick(dialog.test_button, Qt.LeftButton)
    assert dialog.busy and dialog.busy_bar.isVisible() and not dialog.test_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert not dialog.busy_bar.isVisible()
    return dialog.outcome.text()


def _psycopg_failure(text: str):
    """What server_state raises when the driver refuses: SQLAlchemy's wrapper around psycopg's error."""
    def fail(_engine):
        raise sa_exc.OperationalError("connect", {}, psycopg.OperationalError(text))
    return fail


# --- everywhere: the message mapping with a mocked driver error ------------------------------------

@pytest.mark.parametrize("driver_text, expected", [
    ('connection failed: connection to server at "10.0.0.9", port 5432 failed: FATAL:  password authentication '
     'failed for user "kexie"', "服务器数据库 postgresql+psycopg://kexie:***@10.0.0.9:5432/kexie 拒绝登录：用户名或密码不对。请检查后重试。"),
    ('connection failed: FATAL:  role "kexie" does not exist',
     "服务器数据库 postgresql+psycopg://kexie:***@10.0.0.9:5432/kexie 拒绝登录：服务器上没有这个用户。请检查用户名后重试。"),
    ('connection failed: FATAL:  database "kexie" does not exist',
     "服务器上没有数据库 postgresql+psycopg://kexie:***@10.0.0.9:5432/kexie：请检查数据库名称，或请管理员先建立它（见 README“多人共用”）。"),
    ('connection failed: connection to server at "10.0.0.9", port 5432 failed: Connection refused',
     "无法连接数据库服务器 postgresql+psycopg://kexie:***@10.0.0.9:5432/kexie：服务器没有运行，或端口不对。请检查后重试。"),
    ('connection failed: connection to server at "10.0.0.9", port 5432 failed: received invalid response to SSL '
     'negotiation: H', "无法连接数据库服务器 postgresql+psycopg://kexie:***@10.0.0.9:5432/kexie：这个端口上运行的不是 "
     "PostgreSQL 服务器。请检查主机和端口后重试。"),
    ("connection failed: timeout expired",
     "无法连接数据库服务器 postgresql+psycopg://kexie:***@10.0.0.9:5432/kexie：连接超时（网络不通或服务器没有运行）。"),
])
def test_a_refused_connection_says_why_in_one_line(qtbot, settings, monkeypatch, driver_text, expected):
    monkeypatch.setattr(dbmod, "server_state", _psycopg_failure(driver_text))
    dialog = _dialog(qtbot, settings, host="10.0.0.9", password="falsch")
    assert _test(qtbot, dialog) == expected
    assert not dialog.save_button.isEnabled()
    assert not dialog.create_button.isVisible()


def test_a_closed_port_and_a_silent_one_without_any_server(qtbot, settings):
    """Real connection attempts (no mock, no server needed): nobody listens, or a listener never answers
    (the 5 s connect timeout); the dialog stays responsive meanwhile and cannot be closed half-way."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    dialog = _dialog(qtbot, settings, port=closed, user="clerk1")
    assert _test(qtbot, dialog) == (f"无法连接数据库服务器 postgresql+psycopg://clerk1@127.0.0.1:{closed}/kexie："
                                    "服务器没有运行，或端口不对。请检查后重试。")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        dialog.port.setValue(port)
        qtbot.mouseClick(dialog.test_button, Qt.LeftButton)
        assert dialog.busy and not dialog.cancel_button.isEnabled()
        dialog.reject()
        assert dialog.isVisible()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert dialog.outcome.text() == (f"无法连接数据库服务器 postgresql+psycopg://clerk1@127.0.0.1:{port}/kexie："
                                     "连接超时（网络不通或服务器没有运行）。")
    assert dialog.cancel_button.isEnabled()


def test_the_role_sentence_comes_before_the_missing_database_one():
    exc = psycopg.OperationalError('FATAL:  role "clerk" does not exist')
    assert dbmod.server_error_message(exc, "postgresql://clerk@h/kexie") == \
        "服务器数据库 postgresql+psycopg://clerk@h/kexie 拒绝登录：服务器上没有这个用户。请检查用户名后重试。"


def test_a_missing_field_is_named_before_anything_runs(qtbot, settings, monkeypatch):
    monkeypatch.setattr(server_profile, "check_connection", lambda *_a: pytest.fail("no test without a host"))
    dialog = _dialog(qtbot, settings, host="")
    qtbot.mouseClick(dialog.test_button, Qt.LeftButton)
    assert not dialog.busy
    assert dialog.outcome.text() == "请填写主机。"


def _succeed(monkeypatch, seen=None):
    def check(profile, password):
        if seen is not None:
            seen.append((profile, password))
        return ConnectionCheck("ok", "连接成功：PostgreSQL 16.4，单位：市科协，计划：计划", "16.4", bool(password))
    monkeypatch.setattr(server_profile, "check_connection", check)


def test_the_saved_profile_holds_no_password(qtbot, settings, monkeypatch, tmp_path):
    seen = []
    _succeed(monkeypatch, seen)
    dialog = _dialog(qtbot, settings, host="kx-server", port=5433, database="kexie", user="clerk1",
                     password="Geheim-4711")
    assert not dialog.save_button.isEnabled()  # only after a successful test
    assert _test(qtbot, dialog) == "连接成功：PostgreSQL 16.4，单位：市科协，计划：计划"
    assert seen == [(ServerProfile("kx-server", 5433, "kexie", "clerk1", True), "Geheim-4711")]
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert dialog.result() == QDialog.Accepted
    assert dialog.in_keyring is False  # no usable keyring: nothing stored anywhere
    stored = json.loads(settings.value(operations.SERVER_PROFILE_KEY))
    assert stored == {"host": "kx-server", "port": 5433, "database": "kexie", "user": "clerk1", "needs_password": True}
    assert "Geheim" not in (tmp_path / "pc.ini").read_text(encoding="utf-8")


def test_an_edit_after_the_test_needs_a_new_test(qtbot, settings, monkeypatch):
    _succeed(monkeypatch)
    dialog = _dialog(qtbot, settings, host="kx-server", user="clerk1", password="pw")
    _test(qtbot, dialog)
    assert dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.database, "2")
    assert not dialog.save_button.isEnabled()
    assert dialog.outcome.text() == ""
    dialog.accept()
    assert dialog.outcome.text() == "请先测试连接，连接成功后才能保存。"
    assert settings.value(operations.SERVER_PROFILE_KEY) is None


def test_the_next_start_opens_the_saved_server_and_asks_its_password(settings):
    asked = []
    assert operations.start_target(None, settings, asked.append) is None  # nothing saved: the SQLite default
    operations.save_server(settings, ServerProfile("kx-server", 5433, "kexie", "clerk1"), "pw")
    url = operations.start_target(None, settings, lambda p: asked.append(p) or "p@ss:word")
    assert asked == [ServerProfile("kx-server", 5433, "kexie", "clerk1")]
    assert url == "postgresql+psycopg://clerk1:p%40ss%3Aword@kx-server:5433/kexie"
    assert make_url(url).password == "p@ss:word"
    assert operations.start_target(None, settings, lambda p: None) == ""  # 取消: nothing opened
    assert operations.start_target("/tmp/other.db", settings, asked.append) == "/tmp/other.db"  # --db wins
    operations.forget_server(settings)
    assert operations.start_target(None, settings, asked.append) is None
    assert len(asked) == 1


def test_a_server_that_trusts_this_pc_is_opened_without_asking(settings):
    operations.save_server(settings, ServerProfile("kx-server", 5432, "kexie", "clerk1", needs_password=False), "")
    assert operations.start_target(None, settings, lambda p: pytest.fail("asked")) == \
        "postgresql+psycopg://clerk1@kx-server:5432/kexie"


@pytest.fixture(autouse=True)
def fake_keyring(monkeypatch):
    """Never the real keyring of the machine: an in-memory ``keyring`` whose backend is the fail one (a
    Linux PC without a keyring daemon) until a test sets ``backend = object()`` (a real one, as on Windows)."""
    store = {}
    fail = types.ModuleType("keyring.backends.fail")
    null = types.ModuleType("keyring.backends.null")
    fail.Keyring = type("FailKeyring", (), {})
    null.Keyring = type("NullKeyring", (), {})
    backends = types.ModuleType("keyring.backends")
    backends.fail, backends.null = fail, null
    keyring = types.ModuleType("keyring")
    keyring.backends = backends
    keyring.backend = fail.Keyring()
    keyring.get_keyring = lambda: keyring.backend
    keyring.set_password = lambda service, user, pw: store.__setitem__((service, user), pw)
    keyring.get_password = lambda service, user: store.get((service, user))
    keyring.delete_password = lambda service, user: store.pop((service, user))
    for name, module in (("keyring", keyring), ("keyring.backends", backends), ("keyring.backends.fail", fail),
                         ("keyring.backends.null", null)):
        monkeypatch.setitem(sys.modules, name, module)
    keyring.store = store
    return keyring


def test_with_a_keyring_the_password_is_kept_there_and_not_asked(settings, fake_keyring, tmp_path):
    fake_keyring.backend = object()
    assert server_profile.keyring_usable()
    profile = ServerProfile("kx-server", 5432, "kexie", "clerk1")
    assert operations.save_server(settings, profile, "Geheim-4711") is True
    assert fake_keyring.store == {("kexie-desktop", "clerk1@kx-server:5432/kexie"): "Geheim-4711"}
    assert "Geheim" not in (tmp_path / "pc.ini").read_text(encoding="utf-8")
    url = operations.start_target(None, settings, lambda p: pytest.fail("asked"))
    assert make_url(url).password == "Geheim-4711"
    operations.forget_server(settings)
    assert fake_keyring.store == {}


def test_the_fail_and_null_backends_are_no_keyring(settings, fake_keyring):
    assert not server_profile.keyring_usable()
    fake_keyring.backend = fake_keyring.backends.null.Keyring()
    assert not server_profile.keyring_usable()
    assert operations.save_server(settings, ServerProfile("h", 5432, "kexie", "u"), "pw") is False
    assert fake_keyring.store == {}


def test_run_gui_opens_the_saved_server_profile(qapp, settings, monkeypatch):
    """The next start: run_gui hands the server URL (not the SQLite default) to the window, and takes
    no file lock for it."""
    import ui.app as app_module

    operations.save_server(settings, ServerProfile("kx-server", 5433, "kexie", "clerk1"), "")
    opened = []

    class Window:
        def __init__(self, settings):
            self.settings = settings
            self.first_painted = types.SimpleNamespace(connect=lambda fn: fn())

        def show(self):
            pass

    monkeypatch.setattr(app_module, "QSettings", lambda *_a: settings)
    monkeypatch.setattr(app_module, "MainWindow", Window)
    monkeypatch.setattr(app_module, "open_in", lambda window, path, fallback: opened.append((path, fallback)))
    monkeypatch.setattr(app_module, "acquire_lock", lambda path: pytest.fail("a server takes no file lock"))
    monkeypatch.setattr(app_module, "install_excepthook", lambda: None)
    monkeypatch.setattr("ui.settings.server_dialog.ask_start_password", lambda p: "pw")
    monkeypatch.setattr(type(qapp), "exec", lambda self: 0)
    assert app_module.run_gui(None) == 0
    assert [path for path, _fallback in opened] == ["postgresql+psycopg://clerk1:pw@kx-server:5433/kexie"]
    assert opened[0][1] is not None  # the local file is offered when the server cannot be opened


def test_a_saved_server_that_cannot_be_opened_offers_the_local_file_for_this_start(qtbot, tmp_path, monkeypatch):
    import ui.app as app_module
    from kexie_desktop.services import offices
    from kexie_desktop.startup import open_app_database
    from ui.main_window import MainWindow

    local = tmp_path / "local.db"
    database = open_app_database(local)
    with database.write() as s:
        offices.set_this_office(s, offices.resolve(s, "市科协"))
    database.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://clerk1@127.0.0.1:{port}/kexie"
    window = MainWindow(settings=QSettings(str(tmp_path / "pc.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[1:]) or QMessageBox.No)
    assert app_module.open_in(window, url, lambda: local) is None  # 否: the program ends
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[1:]) or QMessageBox.Yes)
    ctx = app_module.open_in(window, url, lambda: local)
    try:
        assert ctx.db.path == local and not ctx.db.on_server
        assert asked[0] == asked[1] == ("无法打开服务器数据库", (
            "无法打开设置中保存的服务器数据库：\n"
            f"无法连接数据库服务器 postgresql+psycopg://clerk1@127.0.0.1:{port}/kexie：服务器没有运行，或端口不对。请检查后重试。"
            "\n\n本次改为打开本机的数据库文件吗？\n（服务器连接仍保存在设置中，下次启动时再试；不再使用它，请在 设置 → 数据库 中"
            "选择「改回本机数据库」。）"))
    finally:
        ctx.db.close()


def test_settings_page_saves_and_undoes_the_server_profile(qtbot, ctx, monkeypatch):
    from ui.settings.page import SettingsPage

    _succeed(monkeypatch)
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    assert not page.local_button.isEnabled() and page.next_start.text() == ""

    def fill_and_save(dialog):
        qtbot.addWidget(dialog)
        dialog.show()
        for edit, text in ((dialog.host, "kx-server"), (dialog.user, "clerk1"), (dialog.password, "pw")):
            qtbot.keyClicks(edit, text)
        _test(qtbot, dialog)
        qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
        return dialog.result()

    monkeypatch.setattr(ServerDialog, "exec", fill_and_save)
    qtbot.mouseClick(page.server_button, Qt.LeftButton)
    assert page.next_start.text() == ("已保存：下次启动时连接服务器数据库 clerk1@kx-server:5432/kexie。"
                                      "密码不保存，启动时询问。重新启动程序后生效。")
    assert operations.saved_server(ctx.settings) == ServerProfile("kx-server", 5432, "kexie", "clerk1", True)
    assert page.local_button.isEnabled()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[2]) or QMessageBox.Yes)
    qtbot.mouseClick(page.local_button, Qt.LeftButton)
    assert asked == ["下次启动时不再连接服务器数据库，改为打开本机的数据库文件（服务器上的数据不受影响）。继续吗？"]
    assert page.next_start.text() == "已改回：下次启动时打开本机的数据库文件。重新启动程序后生效。"
    assert operations.saved_server(ctx.settings) is None
    assert not page.local_button.isEnabled()


# --- on the real server ----------------------------------------------------------------------------

def _server_version(url: str) -> str:
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)) as conn:
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]


@pytest.mark.server_only
def test_success_names_the_server_version_unit_and_plan(qtbot, settings, db_path):
    from kexie_desktop.services import offices
    from kexie_desktop.startup import open_app_database

    database = open_app_database(db_path)
    with database.write() as s:
        offices.set_this_office(s, offices.resolve(s, "市科协"))
    database.close()
    dialog = _dialog_for(qtbot, settings, db_path)
    assert _test(qtbot, dialog) == f"连接成功：PostgreSQL {_server_version(db_path)}，单位：连云港市科协，计划：{PLAN}。"
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    u = make_url(db_path)
    assert operations.saved_server(settings) == ServerProfile(u.host, u.port, u.database, u.username, False)


@pytest.mark.server_only
def test_no_such_database(qtbot, settings, db_path):
    dialog = _dialog_for(qtbot, settings, db_path, database="kexie_no_such_db")
    shown = dbmod.display_url(make_url(db_path).set(database="kexie_no_such_db").render_as_string(False))
    assert _test(qtbot, dialog) == f"服务器上没有数据库 {shown}：请检查数据库名称，或请管理员先建立它（见 README“多人共用”）。"
    assert not dialog.save_button.isEnabled()


@pytest.mark.server_only
def test_unreachable_port(qtbot, settings, db_path):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog = _dialog_for(qtbot, settings, db_path, port=port)
    shown = dbmod.display_url(make_url(db_path).set(port=port).render_as_string(False))
    assert _test(qtbot, dialog) == f"无法连接数据库服务器 {shown}：服务器没有运行，或端口不对。请检查后重试。"


@pytest.mark.server_only
def test_another_programs_database(qtbot, settings, pg_server):
    name = pg_server.new_database()
    try:
        with pg_server._connect(name) as conn:
            conn.execute("CREATE TABLE invoice (id integer PRIMARY KEY, amount numeric)")
        url = pg_server.url(name)
        dialog = _dialog_for(qtbot, settings, url)
        assert _test(qtbot, dialog) == (f"数据库 {dbmod.display_url(url)} 属于另一个程序（其中没有本程序的数据表），"
                                        "程序没有改动它。请指定另一个数据库。")
        assert not dialog.create_button.isVisible() and not dialog.save_button.isEnabled()
        with pg_server._connect(name) as conn:
            assert [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")] == \
                ["invoice"]
    finally:
        pg_server.drop(name)


@pytest.mark.server_only
@pytest.mark.parametrize("revision", ["0012", "9999"])
def test_a_schema_of_another_revision(qtbot, settings, db_path, revision):
    engine = dbmod.make_server_engine(db_path)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = %(r)s", {"r": revision})
    engine.dispose()
    shown = dbmod.display_url(db_path)
    dialog = _dialog_for(qtbot, settings, db_path)
    if revision == "0012":
        expected = (f"数据库 {shown} 的版本 0012 比本程序需要的 {dbmod.head_revision()} 旧：请先在一台电脑上运行「数据库升级」"
                    f"（命令行：kexie db upgrade --db {shown}），再连接。")
    else:
        expected = (f"数据库 {shown} 的版本 9999 比本程序（{dbmod._program_name()}）新：请安装 kexie-desktop 0.1.0"
                    "（或更新的版本）后再连接。")
    assert _test(qtbot, dialog) == expected
    assert not dialog.save_button.isEnabled()


@pytest.mark.server_only
def test_an_empty_database_gets_its_tables_after_confirmation(qtbot, settings, pg_server, monkeypatch):
    name = pg_server.new_database()
    try:
        url = pg_server.url(name)
        dialog = _dialog_for(qtbot, settings, url)
        assert _test(qtbot, dialog) == (f"已连接 PostgreSQL {_server_version(url)}，但数据库 {dbmod.display_url(url)} "
                                        "还是空的：可以在这里建立本程序的数据表（即「数据库升级」）。")
        assert dialog.create_button.isVisible() and not dialog.save_button.isEnabled()
        asked = []
        monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[2]) or QMessageBox.No)
        qtbot.mouseClick(dialog.create_button, Qt.LeftButton)
        assert len(asked) == 1 and dbmod.current_revision(dbmod.make_server_engine(url)) is None
        monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.Yes)
        qtbot.mouseClick(dialog.create_button, Qt.LeftButton)
        assert dialog.busy
        qtbot.waitUntil(lambda: dialog.outcome.text().startswith("连接成功"), timeout=60_000)
        assert dialog.outcome.text() == f"连接成功：PostgreSQL {_server_version(url)}，单位：尚未设定，计划：{PLAN}。"
        engine = dbmod.make_server_engine(url)
        assert dbmod.current_revision(engine) == dbmod.head_revision()
        engine.dispose()
        assert dialog.save_button.isEnabled() and not dialog.create_button.isVisible()
    finally:
        pg_server.drop(name)


@pytest.fixture
def password_role(pg_server):
    """A role that must give its password over TCP: the test server trusts every local connection, so a
    line asking scram-sha-256 for this one role goes first in the server's pg_hba.conf (restored after)."""
    import os

    role = "kexie_pwtest"
    with pg_server._connect() as conn:
        hba = conn.execute("SHOW hba_file").fetchone()[0]
        if not os.access(hba, os.W_OK):
            pytest.skip("the server's pg_hba.conf is not writable here: cannot require a password")
        conn.execute(f"DROP ROLE IF EXISTS {role}")
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'Richtig-2020'")
        conn.execute(f"GRANT pg_read_all_data TO {role}")
    original = open(hba, encoding="utf-8").read()
    with open(hba, "w", encoding="utf-8") as f:
        f.write(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + original)
    pg_server.admin("SELECT pg_reload_conf()")
    try:
        yield role
    finally:
        with open(hba, "w", encoding="utf-8") as f:
            f.write(original)
        pg_server.admin("SELECT pg_reload_conf()")
        pg_server.admin(f"DROP ROLE IF EXISTS {role}")


@pytest.mark.server_only
def test_wrong_password_and_then_the_right_one(qtbot, settings, db_path, password_role):
    dialog = _dialog_for(qtbot, settings, db_path, username=password_role, password="Falsch-1")
    shown = dbmod.display_url(make_url(db_path).set(username=password_role, password="x").render_as_string(False))
    assert _test(qtbot, dialog) == f"服务器数据库 {shown} 拒绝登录：用户名或密码不对。请检查后重试。"
    assert not dialog.save_button.isEnabled()
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, "Richtig-2020")
    assert _test(qtbot, dialog).startswith(f"连接成功：PostgreSQL {_server_version(db_path)}，")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    u = make_url(db_path)
    assert operations.saved_server(settings) == ServerProfile(u.host, u.port, u.database, password_role, True)
    assert "Richtig" not in json.dumps(settings.value(operations.SERVER_PROFILE_KEY))
