"""``main.py --selftest``: a quick end-to-end check that an installation works (a source checkout or
the PyInstaller bundle on an office PC), printing one line per step and exiting 0 only if all passed.

Everything happens in a fresh temporary folder (``KEXIE_DATA_DIR`` points there too), so the user's
database, settings and data folder are never touched. Two installations are simulated, the city and the
unit 连云区, so that the package steps exercise the real exchange: the city issues an init package with
targets, the unit enters a little data, computes its progress, draws a chart and exports its submission
package, and the city verifies, previews and imports it.

The window step lives in the Qt layer (``ui/selftest_gui.py``); ``main.py`` hands it in, because this
module, like the whole core, never imports Qt.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from . import __version__, paths
from .errors import UserError

MIN_INDICATORS = 50
UNIT = "320703"  # 连云区
YEAR = 2019
AS_OF = dt.date(2019, 6, 30)
# (indicator, year or None for the plan end, target) set by the city for the unit.
TARGETS = (("I08", YEAR, 10.0), ("I09", None, 40.0), ("I39", None, 30.0))
# (indicator, month, value) entered by the unit.
VALUES = (("I08", 1, 2.0), ("I08", 3, 3.0), ("I09", 2, 4.0))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class SelftestError(Exception):
    """A check of the self-test did not hold; the message says what was expected."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise SelftestError(message)


@dataclass
class State:
    """What the steps share: the temporary folder and the two installations' databases."""

    folder: Path
    city: object = None  # kexie_desktop.db.Database
    unit: object = None
    rows: list = field(default_factory=list)
    submission: Path | None = None

    def close(self) -> None:
        for db in (self.city, self.unit):
            if db is not None:
                db.close()


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[State], str | None]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # "OK", "FAIL" or "SKIP"
    seconds: float
    detail: str = ""

    def line(self) -> str:
        if self.status == "OK":
            return f"[ OK ] {self.name} ({self.seconds:.2f} s)" + (f" — {self.detail}" if self.detail else "")
        if self.status == "FAIL":
            return f"[FAIL] {self.name} ({self.seconds:.2f} s): {self.detail}"
        return f"[SKIP] {self.name}: {self.detail}"


# The steps ------------------------------------------------------------------------------------------


def migrate(state: State) -> str:
    """Both databases created and migrated; alembic loads every migration script (also from a bundle)."""
    from alembic.script import ScriptDirectory

    from .db import current_revision, head_revision, migrations_dir, open_database

    state.city = open_database(state.folder / "city.db")
    state.unit = open_database(state.folder / "unit.db")
    head = head_revision()
    script = ScriptDirectory(str(migrations_dir()))
    check(script.get_current_head() == head, f"alembic 的最新版本 {script.get_current_head()} 与迁移文件 {head} 不一致")
    for db in (state.city, state.unit):
        revision = current_revision(db.engine)
        check(revision == head, f"迁移后数据库版本为 {revision}，应为 {head}")
    return f"数据库结构版本 {head}，{len(list(script.walk_revisions()))} 个迁移脚本"


def load_plan(state: State) -> str:
    from .services import offices, plan

    for db in (state.city, state.unit):
        with db.write() as s:
            plan.ensure_builtin(s)
    with state.unit.read() as s:
        current = plan.current_plan(s)
        count, units = len(plan.indicators(s, current)), len(offices.units(s))
        name = current.name
    check(count >= MIN_INDICATORS, f"计划只有 {count} 项指标，应至少 {MIN_INDICATORS} 项")
    check(units >= 10, f"只有 {units} 个县区")
    text = plan.plan_text()
    check(len(text) > 1000, f"计划原文只有 {len(text)} 个字")
    return f"{name}：{count} 项指标，{units} 个县区，计划原文 {len(text)} 字"


def issue_init_package(state: State) -> str:
    """The city sets the unit's targets and issues its init package; the unit imports it."""
    from . import packages
    from .services import offices, plan, targets

    path = state.folder / "init.xlsx"
    with state.city.write() as s:
        offices.set_this_office(s, offices.city(s))
        unit = offices.resolve(s, UNIT)
        for code, year, value in TARGETS:
            targets.put_target(s, plan.indicator(s, code), unit, year, value)
        exported = packages.export_init(s, unit, path)
    result = packages.apply(state.unit, path, code=exported.activation_code)
    check(result.outcome == "applied", result.message)
    with state.unit.read() as s:
        mine = offices.this_office(s)
        check(mine is not None and mine.code == UNIT, "导入初始化包后本机单位不是连云区")
        for code, year, value in TARGETS:
            found = targets.find_target(s, plan.indicator(s, code), mine, year)
            check(found is not None and found.value == value, f"初始化包中 {code} 的目标没有到达县区")
        return f"市科协 → {mine.name}，激活码导入，{len(TARGETS)} 个目标"


def fill_data(state: State) -> str:
    from .services import activities, offices, plan, values

    with state.unit.write() as s:
        unit = offices.this_office(s)
        for code, month, value in VALUES:
            values.set_value(s, plan.indicator(s, code), unit, YEAR, month, value, note="自检数据")
        lecture = activities.resolve_type(s, "科普讲座")
        activities.add_activity(s, unit, lecture, dt.date(YEAR, 5, 20), "自检：科普讲座", place="科技馆",
                                participants=3, audience=120, plan=plan.current_plan(s))
    return f"{len(VALUES)} 个月度数值，1 条活动台账记录"


def compute_progress(state: State) -> str:
    from . import progress
    from .services import offices

    with state.unit.read() as s:
        state.rows = progress.progress_for(s, offices.this_office(s), year=YEAR, as_of=AS_OF)
    rows = {r.code: r for r in state.rows}
    flow, lectures = rows.get("I08"), rows.get("I39")
    half = flow is not None and flow.progress is not None and abs(flow.progress - 0.5) < 1e-9
    check(half and flow.actual == 5, f"I08 应为 5/10（50%），实际 {flow and flow.actual}/{flow and flow.target}")
    check(lectures is not None and lectures.actual == 1, "I39 科普讲座应从活动台账计得 1 场")
    return f"{len(state.rows)} 项指标；I08 完成 50%（{flow.status}），I39 台账计得 1 场"


def draw_chart(state: State) -> str:
    """A progress chart saved as PNG, with a CJK font and no glyph missing from it."""
    from . import charts, fonts

    family = fonts.cjk_family()
    check(family, "没有找到中文字体，图表中的汉字会显示为方框（请安装中文字体，或使用带字体的安装包）")
    path = state.folder / "progress.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts.save_figure(charts.progress_chart(state.rows), path)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    check(not missing, f"图表中有字形缺失：{missing[:1]}")
    data = path.read_bytes()
    check(data.startswith(PNG_MAGIC) and len(data) > 10_000, f"{path.name} 不是有效的 PNG 图片")
    return f"{path.name}（{len(data) // 1024} KB，字体 {family}）"


def export_submission(state: State) -> str:
    from . import packages
    from .services import offices

    path = state.folder / "submission.xlsx"
    with state.unit.write() as s:
        result = packages.export_submission(s, offices.this_office(s), YEAR, path)
    check(path.is_file() and path.stat().st_size > 0, "上报包文件没有写出")
    state.submission = path
    rows = "，".join(f"{name} {n} 行" for name, n in result.counts.items())
    return f"{path.name}（{path.stat().st_size // 1024} KB；{rows}）"


def read_back(state: State) -> str:
    """The city verifies the signature and previews the package, imports it, and a second import is a no-op."""
    from . import packages, progress

    with state.city.read() as s:
        preview = packages.preview(s, state.submission)
    expected = len(VALUES) + 1
    check(preview.status == "ready", preview.message)
    check(preview.counts["新增"] == expected, f"预览应为新增 {expected} 行，实际：{preview.counts_text()}")
    applied = packages.apply(state.city, state.submission)
    check(applied.outcome == "applied", applied.message)
    with state.city.read() as s:
        again = packages.preview(s, state.submission)
        row = progress.city_progress(s, YEAR, AS_OF).row(UNIT, "I08")
    check(again.status == "unchanged", f"重复导入应不变：{again.message}")
    check(row is not None and row.actual == 5, "导入后市科协看到的连云区 I08 不是 5")
    return f"签名有效；预览 {preview.counts_text()}；已导入，再次导入不变"


def core_steps() -> list[Step]:
    """The core's steps, in order (looked up at call time, so a test can replace one)."""
    return [
        Step("迁移数据库", migrate),
        Step("载入计划", load_plan, ("迁移数据库",)),
        Step("导入初始化包", issue_init_package, ("载入计划",)),
        Step("填报数据", fill_data, ("导入初始化包",)),
        Step("计算进度", compute_progress, ("填报数据",)),
        Step("绘制图表", draw_chart, ("计算进度",)),
        Step("导出上报包", export_submission, ("填报数据",)),
        Step("读回上报包", read_back, ("导出上报包",)),
    ]


# Running them -------------------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    if isinstance(exc, (SelftestError, UserError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_steps(steps: list[Step], state: State, out: TextIO, err: TextIO | None = None) -> list[Outcome]:
    """Run each step whose prerequisites passed; a failure's traceback goes to ``err``."""
    outcomes: list[Outcome] = []
    passed: set[str] = set()
    for step in steps:
        blocked = [name for name in step.needs if name not in passed]
        if blocked:
            outcome = Outcome(step.name, "SKIP", 0.0, f"未运行（前面的“{blocked[0]}”没有通过）")
        else:
            start = time.perf_counter()
            try:
                detail = step.run(state) or ""
                outcome = Outcome(step.name, "OK", time.perf_counter() - start, detail)
                passed.add(step.name)
            except Exception as exc:  # noqa: BLE001 - every failure becomes a [FAIL] line
                outcome = Outcome(step.name, "FAIL", time.perf_counter() - start, _reason(exc))
                if err is not None and not isinstance(exc, SelftestError):
                    traceback.print_exc(file=err)
        print(outcome.line(), file=out, flush=True)
        outcomes.append(outcome)
    return outcomes


def _output() -> TextIO:
    """Standard output, able to print Chinese; a file in the data folder for a windowed program
    (the Windows ``kexie.exe`` has no console: its self-test report goes to selftest.txt)."""
    stream = sys.stdout
    if stream is None:
        return open(paths.data_dir() / "selftest.txt", "w", encoding="utf-8")  # noqa: SIM115
    try:
        "自检".encode(stream.encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        if hasattr(stream, "reconfigure"):
            # A POSIX shell with no locale (env -i): print UTF-8; a legacy Windows code page: replace.
            stream.reconfigure(**({"errors": "replace"} if os.name == "nt" else {"encoding": "utf-8"}))
    return stream


def _header() -> str:
    kind = "打包版" if getattr(sys, "frozen", False) else "源码"
    return (f"kexie-desktop {__version__} 自检 · {kind} · Python {platform.python_version()} · "
            f"{platform.system()} {platform.machine()}")


def main(window_step: Callable[[State], str | None] | None = None) -> int:
    """Run every step in a fresh temporary folder; 0 when all passed. The folder is removed on
    success and kept (its path printed) on failure, for a look at what went wrong."""
    out = _output()
    folder = Path(tempfile.mkdtemp(prefix="kexie-selftest-"))
    saved = os.environ.get("KEXIE_DATA_DIR")
    os.environ["KEXIE_DATA_DIR"] = str(folder / "data")
    paths.keep_matplotlib_cache()  # a bundle: inside the temporary data folder, the user's stays untouched
    print(_header(), file=out)
    print(f"临时文件夹：{folder}", file=out, flush=True)
    steps = core_steps()
    if window_step is not None:
        steps.append(Step("打开主窗口", window_step, ("载入计划",)))
    state = State(folder)
    start = time.perf_counter()
    try:
        outcomes = run_steps(steps, state, out, sys.stderr)
    finally:
        state.close()
        if saved is None:
            os.environ.pop("KEXIE_DATA_DIR", None)
        else:
            os.environ["KEXIE_DATA_DIR"] = saved
    return _summary(outcomes, folder, time.perf_counter() - start, out)


def _summary(outcomes: list[Outcome], folder: Path, seconds: float, out: TextIO) -> int:
    failed = sum(o.status == "FAIL" for o in outcomes)
    skipped = sum(o.status == "SKIP" for o in outcomes)
    if not failed and not skipped:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"自检通过：{len(outcomes)} 步全部成功，共 {seconds:.2f} s。", file=out, flush=True)
        return 0
    print(f"自检未通过：{failed} 步失败，{skipped} 步未运行。临时文件夹已保留：{folder}", file=out, flush=True)
    return 1
