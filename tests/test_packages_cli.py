"""The package commands of the CLI: export, export-plan, export-init, import, packages, backup, restore."""

from __future__ import annotations

import io
import json
import re
import sqlite3

import pytest

from hostile import files
from kexie_desktop import cli
from kexie_desktop.backup import check_database_file
from kexie_desktop.errors import UserError


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run([str(a) for a in argv], out)
    return code, out.getvalue()


@pytest.fixture
def dbs(tmp_path):
    """A city and 赣榆区, set up through the CLI only; returns (city, unit, tmp)."""
    city, unit = tmp_path / "city.db", tmp_path / "unit.db"
    assert run("--db", city, "init", "--office", "320700")[0] == 0
    code, text = run("--db", city, "export-init", "--office", "赣榆区", "--out", tmp_path / "init.xlsx")
    assert code == 0 and "激活码：" in text
    activation = re.search(r"激活码：(\S+)", text).group(1)
    code, text = run("--db", unit, "import", tmp_path / "init.xlsx", "--code", activation)
    assert code == 0, text
    return city, unit, tmp_path


def test_export_import_and_log(dbs, capsys):
    city, unit, tmp = dbs
    assert run("--db", unit, "value", "set", "--office", "赣榆区", "--indicator", "I09", "--month", "2019-03",
               "--value", "4")[0] == 0
    code, text = run("--db", unit, "export", "--office", "赣榆区", "--year", "2019", "--out", tmp / "s.xlsx")
    assert code == 0 and "已导出上报包（赣榆区科协，2019年，序号 1" in text
    code, text = run("--db", city, "import", tmp / "s.xlsx", "--dry-run")
    assert code == 0 and "[仅预览]" in text and "新增  月度数据 第 2 行  科教兴农项目 2019-03：4" in text
    code, text = run("--db", city, "import", tmp / "s.xlsx", "--json")
    data = json.loads(text)
    assert code == 0 and data["ok"] and data["files"][0]["outcome"] == "applied"
    assert data["files"][0]["changes"] == [{"sheet": "月度数据", "row": 2, "key": "I09/2019-03", "action": "新增",
                                            "label": "科教兴农项目 2019-03", "old": "", "new": "4", "reason": ""}]
    code, text = run("--db", city, "import", tmp / "s.xlsx")
    assert code == 0 and "[未变（此包已导入过）]" in text
    code, text = run("--db", city, "packages", "--json")
    assert [(e["direction"], e["result"]) for e in json.loads(text)][:3] == [
        ("received", "unchanged"), ("received", "applied"), ("received", "previewed")]
    code, text = run("--db", city, "packages")
    assert code == 0 and "收到\t上报包\t320707\t2019年 序号 1" in text


def test_import_exit_code_is_1_when_any_file_is_refused(dbs):
    city, unit, tmp = dbs
    run("--db", unit, "export", "--office", "赣榆区", "--year", "2019", "--out", tmp / "s.xlsx")
    files.renamed_csv(tmp / "bad.xlsx")
    code, text = run("--db", city, "import", tmp / "s.xlsx", tmp / "bad.xlsx", "--json")
    data = json.loads(text)
    assert code == 1 and not data["ok"]
    assert [f["outcome"] for f in data["files"]] == ["applied", "refused"]
    assert data["summary"] == "共 2 个文件：已导入 1 个，已拒绝 1 个。"


def test_export_plan_and_role_errors(dbs, capsys):
    city, unit, tmp = dbs
    code, text = run("--db", city, "export-plan", "--out", tmp / "p.xlsx", "--office", "赣榆区")
    assert code == 0 and "已导出下发包（赣榆区科协" in text
    assert run("--db", unit, "import", tmp / "p.xlsx")[0] == 0
    code, _ = run("--db", unit, "export-plan", "--out", tmp / "x.xlsx")
    assert code == 2 and "只有市科协才能导出下发包和初始化包" in capsys.readouterr().err
    code, _ = run("--db", unit, "export", "--office", "海州区", "--year", "2019", "--out", tmp / "x.xlsx")
    assert code == 2 and "只能导出本单位的上报包" in capsys.readouterr().err
    code, _ = run("--db", city, "export", "--office", "赣榆区", "--year", "2019", "--out", tmp / "x.xlsx")
    assert code == 2 and "本机是市科协，不需要导出上报包" in capsys.readouterr().err


def test_backup_and_restore(dbs, capsys):
    city, unit, tmp = dbs
    code, text = run("--db", city, "backup", "--out", tmp / "copy.db")
    assert code == 0 and (tmp / "copy.db").exists()
    assert check_database_file(tmp / "copy.db")
    assert run("--db", city, "backup", "--out", tmp / "copy.db")[0] == 2
    assert "已存在" in capsys.readouterr().err
    code, text = run("--db", unit, "restore", tmp / "copy.db")
    assert code == 0 and "已从" in text and "原数据库已备份到" in text
    code, text = run("--db", unit, "offices", "--json")
    assert next(o for o in json.loads(text) if o["this_office"])["code"] == "320700"


def test_restore_refuses_what_is_not_a_kexie_database(dbs, tmp_path, capsys):
    city, unit, tmp = dbs
    before = unit.read_bytes()
    (tmp / "notes.db").write_text("不是数据库", encoding="utf-8")
    assert run("--db", unit, "restore", tmp / "notes.db")[0] == 2
    assert "不是本程序的数据库（不是 SQLite 数据库文件），未恢复" in capsys.readouterr().err
    other = sqlite3.connect(tmp / "other.db")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    assert run("--db", unit, "restore", tmp / "other.db")[0] == 2
    assert "不是本程序的数据库（缺少表" in capsys.readouterr().err
    assert unit.read_bytes() == before


def test_restore_refuses_a_database_from_a_newer_program(dbs, tmp_path):
    city, unit, tmp = dbs
    run("--db", city, "backup", "--out", tmp / "future.db")
    conn = sqlite3.connect(tmp / "future.db")
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="不是本程序认识的版本"):
        check_database_file(tmp / "future.db")
