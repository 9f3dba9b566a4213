"""A city office's shared PostgreSQL database (issue 18): the explicit schema upgrade under an advisory
lock, clients of another schema revision, copy-db between the engines, the Chinese connection errors.

The server tests run when KEXIE_TEST_DB names a PostgreSQL server (.ci/run starts one); the copy between
two SQLite files runs everywhere.
"""

from __future__ import annotations

import io
import re
import threading

import pytest
from sqlalchemy import func, inspect, select, text

from kexie_desktop import cli
from kexie_desktop import db as dbmod
from kexie_desktop.copydb import copy_database, database_digest
from kexie_desktop.errors import UserError
from kexie_desktop.models import DataValue, Indicator, Office
from kexie_desktop.services import offices, plan, values
from kexie_desktop.startup import open_app_database, upgrade_app_database
from kexie_desktop.task_models import PlanTask


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(list(argv), out)
    return code, out.getvalue()


@pytest.fixture
def empty_url(pg_server):
    """A new, empty database on the server (no tables)."""
    name = pg_server.new_database()
    yield pg_server.url(name)
    pg_server.drop(name)


def _revisions() -> list[str]:
    return sorted(p.name.split("_", 1)[0] for p in (dbmod.migrations_dir() / "versions").glob("[0-9]*_*.py"))


def test_every_migration_runs_on_postgresql_one_by_one(empty_url):
    engine = dbmod.make_server_engine(empty_url)
    try:
        for revision in _revisions():
            dbmod.upgrade(engine, revision)
            assert dbmod.current_revision(engine) == revision
    finally:
        engine.dispose()


@pytest.mark.server_only
def test_down_to_0005_and_db_upgrade_again_flags_the_coverages_on_postgresql(db_path):
    """The built-in plan at revision 0005 has no covers_units; db upgrade (0006 binds a boolean True) sets it,
    and every later migration runs again on a database holding the plan."""
    from alembic import command

    engine = dbmod.make_server_engine(db_path)
    with engine.begin() as conn:
        command.downgrade(dbmod._alembic_config(conn), "0005")
    with engine.connect() as conn:
        assert "covers_units" not in {c["name"] for c in inspect(conn).get_columns("indicator")}
    engine.dispose()
    with pytest.raises(UserError, match="需要版本"):
        open_app_database(db_path)
    assert upgrade_app_database(db_path) is True
    db = open_app_database(db_path)
    with db.read() as s:
        flagged = s.scalars(select(Indicator.code).where(Indicator.covers_units).order_by(Indicator.code)).all()
        assert len(plan.indicators(s)) == 61
        assert s.scalar(select(func.count()).select_from(PlanTask)) == 65  # 0009's backfill, on PostgreSQL
    assert flagged == ["I01", "I30", "I53"]
    db.close()


def test_an_empty_server_database_asks_for_db_upgrade(empty_url, capsys):
    shown = dbmod.display_url(empty_url)
    with pytest.raises(UserError, match="还是空的.*kexie db upgrade --db " + re.escape(shown)):
        open_app_database(empty_url)
    code, out = run("--db", empty_url, "db", "upgrade")
    assert code == 0
    assert out == f"数据库 {shown} 已升级到版本 {dbmod.head_revision()}。\n"
    assert run("--db", empty_url, "db", "upgrade") == (0, f"数据库 {shown} 已经是版本 {dbmod.head_revision()}。\n")
    db = open_app_database(empty_url)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Office)) == 11
        assert len(plan.indicators(s)) == 61
    db.close()


def test_two_clients_upgrading_at_once_one_migrates_the_other_waits(empty_url, monkeypatch):
    """The second client blocks on the advisory lock while the first migrates, then finds nothing to do."""
    from alembic import command

    entered, release = threading.Event(), threading.Event()
    real_upgrade = command.upgrade

    def slow_upgrade(cfg, revision):
        entered.set()
        assert release.wait(30)
        real_upgrade(cfg, revision)

    monkeypatch.setattr(command, "upgrade", slow_upgrade)
    results = {}

    def client(name):
        results[name] = upgrade_app_database(empty_url)

    first = threading.Thread(target=client, args=("first",))
    first.start()
    assert entered.wait(30)
    second = threading.Thread(target=client, args=("second",))
    second.start()
    second.join(1.5)
    assert second.is_alive()  # waiting for the lock, not migrating beside the first
    engine = dbmod.make_server_engine(empty_url)
    with engine.connect() as conn:
        waiting = conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar()
    engine.dispose()
    assert waiting == 1
    release.set()
    first.join(60)
    second.join(60)
    assert results == {"first": True, "second": False}
    db = open_app_database(empty_url)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Office)) == 11  # the plan loaded once
    db.close()


@pytest.mark.server_only
def test_a_newer_schema_opens_read_only_naming_the_program_to_install(db_path):
    engine = dbmod.make_server_engine(db_path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        conn.execute(text("UPDATE setting SET value = :v WHERE key = :k"),
                     {"v": '"kexie-desktop 0.9.0"', "k": dbmod.PROGRAM_SETTING})
    engine.dispose()
    db = open_app_database(db_path)
    with db.read() as s:
        assert offices.city(s).code == "320700"
    with pytest.raises(UserError) as err:
        with db.write() as s:
            values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "海州区"), 2019, 3, 5)
    assert str(err.value) == (
        f"服务器数据库 {dbmod.display_url(db_path)} 的版本 0099 比本程序（kexie-desktop 0.1.0，数据库版本 "
        f"{dbmod.head_revision()}）新，本程序只能查看、不能修改。请安装 kexie-desktop 0.9.0（或更新的版本）。")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(DataValue)) == 0
    db.close()
    code, _ = run("--db", db_path, "value", "set", "--office", "海州区", "--indicator", "I09", "--month",
                  "2019-03", "--value", "5")
    assert code == 2


@pytest.mark.server_only
def test_an_older_schema_is_refused_until_db_upgrade(db_path):
    engine = dbmod.make_server_engine(db_path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    engine.dispose()
    with pytest.raises(UserError, match=f"的版本是 0008，本程序（kexie-desktop 0.1.0）需要版本 {dbmod.head_revision()}"):
        open_app_database(db_path)


def test_another_programs_database_is_refused_untouched(empty_url):
    engine = dbmod.make_server_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE customer (id integer primary key)"))
    engine.dispose()
    with pytest.raises(UserError, match="属于另一个程序"):
        open_app_database(empty_url)
    with pytest.raises(UserError, match="属于另一个程序"):
        upgrade_app_database(empty_url)
    engine = dbmod.make_server_engine(empty_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar() == 1
    engine.dispose()


def test_connection_failures_are_one_chinese_line(pg_server, capsys):
    missing = pg_server.url("kexie_no_such_database")
    assert run("--db", missing, "offices")[0] == 2
    assert capsys.readouterr().err == (f"错误：服务器上没有数据库 {dbmod.display_url(missing)}：请检查数据库名称，"
                                       "或请管理员先建立它（见 README“多人共用”）。\n")
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/kexie"
    assert run("--db", unreachable, "offices")[0] == 2
    assert capsys.readouterr().err == (f"错误：无法连接数据库服务器 {unreachable}：服务器没有运行，或端口不对。请检查后重试。\n")


def test_demo_database_round_trip_gives_an_identical_content_hash(demo_db_path, tmp_path, pg_server):
    """SQLite demo → empty PostgreSQL → new SQLite file: every row, the same content hash three times."""
    demo = open_app_database(demo_db_path)
    source = demo_db_path
    if demo.on_server:  # the suite's demo database is on the server: start from a SQLite copy of it
        source = tmp_path / "source.db"
        copy_database(demo, source)
    demo.close()
    want, counts = database_digest(source)
    assert counts["data_value"] == 14388 and counts["activity"] == 1755
    server = pg_server.url(pg_server.new_database())
    code, out = run("--db", str(source), "copy-db", "--to", server)
    assert code == 0, out
    assert out == (f"已把数据库复制到 {dbmod.display_url(server)}：{len(counts)} 张表，共 {sum(counts.values())} 行；"
                   f"两边的行数与内容校验值（{want[:16]}）一致。\n")
    assert database_digest(server) == (want, counts)
    back = tmp_path / "back.db"
    assert run("--db", server, "copy-db", "--to", str(back))[0] == 0
    assert database_digest(back) == (want, counts)
    # The sequences were set past the copied ids: the next rows get new ids on the server.
    db = open_app_database(server)
    with db.write() as s:
        for table, model in (("data_value", DataValue), ("office", Office)):
            top = s.scalar(select(func.max(model.id)))
            assert s.scalar(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")) == top + 1
    db.close()
    assert run("--db", str(source), "copy-db", "--to", server)[0] == 2  # not empty any more


def test_copy_between_two_sqlite_files_keeps_every_row(demo_db, tmp_path):
    if demo_db.on_server:
        pytest.skip("the SQLite → SQLite copy of a SQLite demo database")
    want = database_digest(demo_db)
    result = copy_database(demo_db, tmp_path / "copy.db")
    assert result.digest == want[0]
    assert database_digest(tmp_path / "copy.db") == want
    with pytest.raises(UserError, match="已存在"):
        copy_database(demo_db, tmp_path / "copy.db")


@pytest.mark.server_only
def test_imports_of_one_unit_run_one_at_a_time_and_other_units_land(db_path, tmp_path):
    """While one clerk imports 东海县's package (the unit's advisory lock held), a second clerk's import of
    another 东海县 package is refused naming the PC, one of 灌云县 lands; after the first, 东海县's lands too."""
    import platform

    from hostile.helpers import export_sub, init_unit, make_city
    from kexie_desktop import packages

    city = make_city(db_path)
    subs = {}
    for code, name in (("320722", "东海县"), ("320723", "灌云县")):
        unit = open_app_database(tmp_path / f"{code}.db")
        init_unit(city, unit, code, tmp_path)
        with unit.write() as s:
            values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, code), 2019, 3, 7)
        subs[code] = tmp_path / f"sub-{code}.xlsx"
        export_sub(unit, code, 2019, subs[code])
        unit.close()
    first_clerk = open_app_database(db_path)
    with first_clerk.write() as s:
        dbmod.lock_unit_import(s, "320722", "东海县科协")
        refused = packages.apply(city, subs["320722"])
        landed = packages.apply(city, subs["320723"])
    first_clerk.close()
    assert refused.outcome == "refused"
    assert refused.message == (f"文件“sub-320722.xlsx”：东海县科协的数据包正由另一位同事（电脑 {platform.node()}）导入，"
                               "为免重复，这个文件没有导入。请等对方完成后再导入。")
    assert landed.outcome == "applied", landed.message
    again = packages.apply(city, subs["320722"])
    assert again.outcome == "applied", again.message
    with city.read() as s:
        got = s.execute(select(Office.code, DataValue.value).join(Office, DataValue.office_id == Office.id)
                        .where(DataValue.year == 2019, DataValue.month == 3).order_by(Office.code)).all()
    assert [tuple(r) for r in got] == [("320722", 7.0), ("320723", 7.0)]
    city.close()


@pytest.mark.server_only
def test_the_connected_clerks_are_listed(db_path):
    import json
    import platform

    first, second = open_app_database(db_path), open_app_database(db_path)
    with first.read() as s, second.read() as t:
        s.execute(text("SELECT 1"))
        t.execute(text("SELECT 1"))
        rows = dbmod.server_sessions(first)
    # the second clerk's connection, and the first's own pooled one is not counted twice (pid <> own)
    assert [r.computer for r in rows] == [platform.node()] * len(rows) and len(rows) >= 1
    assert all(r.address == "127.0.0.1" for r in rows)
    code, out = run("--db", db_path, "db", "sessions", "--json")
    assert code == 0
    listed = json.loads(out)
    assert len(listed) >= 2 and {r["computer"] for r in listed} == {platform.node()}
    first.close()
    second.close()


def test_db_sessions_on_a_sqlite_file_says_one_program_at_a_time(tmp_path):
    assert run("--db", str(tmp_path / "k.db"), "db", "sessions") == (
        0, "这是本机的 SQLite 数据库文件，同一时间只有一个程序打开它。\n")


@pytest.mark.server_only
def test_a_lost_connection_is_one_chinese_line_and_the_next_write_reconnects(db_path):
    from kexie_desktop.storage_errors import StorageError

    db = open_app_database(db_path)
    with pytest.raises(StorageError) as err:
        with db.write() as s:
            pid = s.scalar(text("SELECT pg_backend_pid()"))
            other = dbmod.make_server_engine(db_path)
            with other.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            other.dispose()
            values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "海州区"), 2019, 3, 5)
    assert str(err.value) == f"与数据库服务器 {dbmod.display_url(db_path)} 的连接中断，本次操作没有保存。请检查网络后重试。"
    with db.write() as s:
        values.set_value(s, plan.indicator(s, "I09"), offices.resolve(s, "海州区"), 2019, 3, 6)
    with db.read() as s:
        assert s.scalars(select(DataValue.value)).all() == [6.0]
    db.close()


@pytest.mark.server_only
def test_package_numbers_stay_unique_when_two_clerks_number_at_once(db_path):
    """The second clerk's numbering waits for the first's transaction (SELECT … FOR UPDATE), then takes
    the next number: never the same one twice."""
    from hostile.helpers import make_city
    from kexie_desktop.packages.pipeline import log

    city = make_city(db_path)
    with city.write() as s:
        log.next_sequence(s, "320700", log.stream_of("plan"))  # the row exists: last = 1
    holding, release, got = threading.Event(), threading.Event(), {}

    def clerk(name, hold):
        with city.write() as s:
            got[name] = log.next_sequence(s, "320700", log.stream_of("plan"))
            if hold:
                holding.set()
                assert release.wait(30)

    first = threading.Thread(target=clerk, args=("first", True))
    first.start()
    assert holding.wait(30)
    second = threading.Thread(target=clerk, args=("second", False))
    second.start()
    second.join(1.0)
    assert second.is_alive()  # waiting for the first clerk's row lock
    release.set()
    first.join(30)
    second.join(30)
    assert got == {"first": 2, "second": 3}
    city.close()


@pytest.mark.server_only
def test_two_clerks_saving_one_target_at_once_one_is_refused(db_path):
    """Both read the target at version 1 and save through ``put_target(seen_version=1)`` at once: the second
    UPDATE waits for the first clerk's row lock, then finds the version moved and is refused (StaleEdit);
    the first clerk's figure and one audit entry stay."""
    from kexie_desktop.errors import StaleEdit
    from kexie_desktop.models import AuditEntry
    from kexie_desktop.services import targets

    pcs = [open_app_database(db_path), open_app_database(db_path)]
    with pcs[0].write() as s:
        targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, 80, user="李强")
    holding, release, result = threading.Event(), threading.Event(), {}

    def clerk(n, value, hold):
        try:
            with pcs[n].write() as s:
                targets.put_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None, value,
                                   user=f"clerk{n}", seen_version=1)
                if hold:  # flushed: the row is locked at version 2 until this commit
                    holding.set()
                    assert release.wait(30)
            result[n] = "saved"
        except StaleEdit as exc:
            result[n] = str(exc)

    first = threading.Thread(target=clerk, args=(0, 85, True))
    first.start()
    assert holding.wait(30)
    second = threading.Thread(target=clerk, args=(1, 90, False))
    second.start()
    second.join(1.0)
    assert second.is_alive()  # its UPDATE … WHERE version = 1 waits for the first clerk's lock
    release.set()
    first.join(30)
    second.join(30)
    assert result == {0: "saved", 1: "这条数据刚被另一台电脑上的用户修改，本次修改没有保存，已重新读取，请核对后再改。"}
    with pcs[1].read() as s:
        t = targets.find_target(s, plan.indicator(s, "I09"), offices.resolve(s, "东海县"), None)
        assert (t.value, t.version, t.updated_by) == (85, 2, "clerk0")
        users = s.scalars(select(AuditEntry.user).where(AuditEntry.entity_key == "I09/320722/plan")
                          .order_by(AuditEntry.id)).all()
        assert users == ["李强", "clerk0"]
    for pc in pcs:
        pc.close()
