"""``main.py --selftest``: every step passes from source, one line per step, and a failing step makes
the exit status non-zero (the PyInstaller bundle runs the same code in .ci/run)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import main as main_module
from kexie_desktop import paths, selftest

ROOT = Path(__file__).resolve().parents[1]
STEPS = ["迁移数据库", "载入计划", "导入初始化包", "填报数据", "计算进度", "绘制图表", "导出上报包", "读回上报包",
         "打开主窗口"]
OK_LINE = re.compile(r"^\[ OK \] (\S+) \(\d+\.\d\d s\)( — .+)?$")


def _folder(out: str) -> Path:
    return Path(re.search(r"^临时文件夹：(.+)$", out, re.M).group(1))


def test_selftest_from_source_passes_every_step(tmp_path):
    data = tmp_path / "user-data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KEXIE_DATA_DIR=str(data))
    proc = subprocess.run([sys.executable, "main.py", "--selftest"], cwd=ROOT, env=env, capture_output=True,
                          encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("kexie-desktop ") and "自检 · 源码" in lines[0]
    steps = [OK_LINE.match(line) for line in lines if line.startswith("[")]
    assert all(steps), lines
    assert [m.group(1) for m in steps] == STEPS
    assert "61 项指标" in proc.stdout and "I08 完成 50%" in proc.stdout and "预览 新增 4" in proc.stdout
    assert re.fullmatch(r"自检通过：9 步全部成功，共 \d+\.\d\d s。", lines[-1])
    assert not _folder(proc.stdout).exists()  # removed after a pass
    assert not data.exists() or not any(data.iterdir())  # the user's data folder is never touched


def test_a_failing_step_fails_the_run_and_the_others_still_run(monkeypatch, capsys, qapp):
    def broken(state):
        raise RuntimeError("字体文件损坏")

    monkeypatch.setattr(selftest, "draw_chart", broken)
    assert main_module.main(["--selftest"]) == 1
    out, err = capsys.readouterr()
    assert re.search(r"^\[FAIL\] 绘制图表 \(\d+\.\d\d s\): RuntimeError: 字体文件损坏$", out, re.M)
    assert "Traceback" in err and "字体文件损坏" in err
    for name in ("导出上报包", "读回上报包", "打开主窗口"):  # they do not depend on the chart
        assert re.search(rf"^\[ OK \] {name} ", out, re.M), out
    assert "自检未通过：1 步失败，0 步未运行。临时文件夹已保留：" in out
    folder = _folder(out)
    assert (folder / "unit.db").exists()  # kept for a look at what went wrong
    assert os.environ["KEXIE_DATA_DIR"] != str(folder / "data")  # restored after the run


def test_steps_after_a_failure_they_need_are_skipped(monkeypatch, capsys):
    def refused(state):
        raise selftest.SelftestError("数值没有写入")

    monkeypatch.setattr(selftest, "fill_data", refused)
    assert selftest.main(window_step=lambda state: "窗口") == 1
    out, err = capsys.readouterr()
    assert re.search(r"^\[FAIL\] 填报数据 \(\d+\.\d\d s\): 数值没有写入$", out, re.M)
    assert "Traceback" not in err  # a failed check is its own explanation
    for name in ("计算进度", "绘制图表", "导出上报包", "读回上报包"):
        assert re.search(rf"^\[SKIP\] {name}: 未运行", out, re.M), out
    assert re.search(r"^\[ OK \] 打开主窗口 \(\d+\.\d\d s\) — 窗口$", out, re.M)
    assert "自检未通过：1 步失败，4 步未运行。" in out


def test_exception_in_a_window_slot_fails_the_window_step(monkeypatch, capsys, qapp):
    from ui import main_window

    def broken_page(self):
        raise ValueError("页面出错")

    monkeypatch.setattr(main_window.MainWindow, "_make_plan_text", broken_page)
    assert main_module.main(["--selftest"]) == 1
    out, _err = capsys.readouterr()
    assert re.search(r"^\[FAIL\] 打开主窗口 \(\d+\.\d\d s\): ValueError: 页面出错$", out, re.M), out


def test_run_steps_reports_each_outcome(tmp_path):
    steps = [
        selftest.Step("一", lambda s: "好"),
        selftest.Step("二", lambda s: selftest.check(False, "不对")),
        selftest.Step("三", lambda s: None, ("二",)),
        selftest.Step("四", lambda s: None, ("一",)),
    ]
    lines = []

    class Out:
        def write(self, text):
            lines.append(text)

        def flush(self):
            pass

    outcomes = selftest.run_steps(steps, selftest.State(tmp_path), Out())
    assert [o.status for o in outcomes] == ["OK", "FAIL", "SKIP", "OK"]
    text = "".join(lines).splitlines()
    assert re.fullmatch(r"\[ OK \] 一 \(\d\.\d\d s\) — 好", text[0])
    assert re.fullmatch(r"\[FAIL\] 二 \(\d\.\d\d s\): 不对", text[1])
    assert text[2] == "[SKIP] 三: 未运行（前面的“二”没有通过）"
    assert re.fullmatch(r"\[ OK \] 四 \(\d\.\d\d s\)", text[3])


@pytest.mark.parametrize("frozen", [False, True])
def test_matplotlib_cache_lives_in_the_data_folder_in_a_bundle(frozen, monkeypatch, _isolated_data_dir):
    monkeypatch.setenv("MPLCONFIGDIR", "recorded, so that the test's own setting is undone")
    monkeypatch.delenv("MPLCONFIGDIR")
    if frozen:
        monkeypatch.setattr(sys, "frozen", True, raising=False)
    folder = paths.keep_matplotlib_cache()
    if frozen:
        assert folder == _isolated_data_dir / "matplotlib" and folder.is_dir()
        assert os.environ["MPLCONFIGDIR"] == str(folder)
    else:
        assert folder is None and "MPLCONFIGDIR" not in os.environ
