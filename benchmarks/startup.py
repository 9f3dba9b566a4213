"""Start-up time and peak memory: the program on the demo database vs a bare PySide6 window.

Both are measured from process start (the parent's clock when it spawns the child) to the first
paint of the main window, in the same run on the same machine. For the program also: the time until
the dashboard's table is painted with its rows (usable: it can be read, scrolled and clicked) and
until its charts are drawn. Prints the times, the ratios to the bare window (targets: first paint
≤ 4, usable table ≤ 6) and each process's peak resident memory.

    python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import resource, sys, time
t0 = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    done = False
    wait_ready = False  # the program: quit once its pages are built, not at the first paint
    painted_at = None
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Paint and isinstance(getattr(obj, "window", None) and obj.window(), QMainWindow):
            self.done = True
            self.painted_at = time.time() - t0
            if not self.wait_ready:
                report(self.painted_at, self.painted_at)
        return False

def report(painted, ready, charts=None):
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{painted:.4f} {ready:.4f} {ready if charts is None else charts:.4f} {rss_kb}", flush=True)
    QTimer.singleShot(0, QApplication.instance().quit)

def install():
    app = QApplication.instance()
    probe = FirstPaint(app)
    app.installEventFilter(probe)
    app._probe = probe
    return probe
"""

BARE = PROBE + r"""
app = QApplication(sys.argv[:1])
install()
w = QMainWindow()
w.resize(1280, 760)
w.show()
app.exec()
"""

PROGRAM = PROBE + r"""
sys.path.insert(0, sys.argv[3])
from ui import app as app_module
real_make_app = app_module.make_app
def make_app():
    app = real_make_app()
    install().wait_ready = True
    return app
app_module.make_app = make_app
from ui.main_window import MainWindow

class TablePaint(QObject):
    # The dashboard table's first paint with rows: the moment it can be used.
    table_at = None
    def __init__(self, page):
        super().__init__(page)
        self.page = page
        page.table.viewport().installEventFilter(self)
    def eventFilter(self, obj, event):
        if self.table_at is None and event.type() == QEvent.Paint and self.page.model.rowCount():
            self.table_at = time.time() - t0
        return False

def probe_dashboard():
    # Imported where the program imports it (after the first paint), then watched.
    from ui.dashboard.page import DashboardPage
    real_init, real_draw = DashboardPage.__init__, DashboardPage.draw_charts
    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self._bench = TablePaint(self)
    def draw_charts(self):
        real_draw(self)
        QApplication.processEvents()  # the charts' paint
        report(QApplication.instance()._probe.painted_at, self._bench.table_at or float("nan"), time.time() - t0)
    DashboardPage.__init__, DashboardPage.draw_charts = init, draw_charts

real_attach = MainWindow.attach
def attach(self, ctx):
    probe_dashboard()
    real_attach(self, ctx)
MainWindow.attach = attach
sys.exit(app_module.run_gui(sys.argv[2]))
"""


def measure(script: str, *args: str) -> tuple[float, float, int]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", script, repr(start), *args], capture_output=True, text=True, env=env, timeout=120
    )
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    if not line:
        raise SystemExit(f"probe failed:\n{out.stderr}")
    painted, ready, charts, rss = line.split()
    return float(painted), float(ready), float(charts), int(rss)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        env = dict(os.environ, KEXIE_DATA_DIR=tmp)
        for command in (["init", "--office", "海州区", "--filler", "基准测试"], ["demo"]):
            subprocess.run([sys.executable, "main.py", "--db", str(db), *command], cwd=ROOT, env=env, check=True,
                           capture_output=True)
        os.environ["KEXIE_DATA_DIR"] = tmp
        bare = [measure(BARE) for _ in range(args.runs)]
        program = [measure(PROGRAM, str(db), str(ROOT)) for _ in range(args.runs)]
    bare_t = statistics.median(t for t, _, _, _ in bare)
    prog_t = statistics.median(t for t, _, _, _ in program)
    table_t = statistics.median(r for _, r, _, _ in program)
    charts_t = statistics.median(c for _, _, c, _ in program)
    bare_mb = max(m for _, _, _, m in bare) / 1024
    prog_mb = max(m for _, _, _, m in program) / 1024
    print(f"runs: {args.runs} each (median time, max peak memory)")
    print(f"bare PySide6 QMainWindow : {bare_t * 1000:7.0f} ms to first paint, peak {bare_mb:6.1f} MB")
    print(f"kexie-desktop (demo db)  : {prog_t * 1000:7.0f} ms to first paint, "
          f"{table_t * 1000:.0f} ms to a usable dashboard table, {charts_t * 1000:.0f} ms until its charts "
          f"are drawn, peak {prog_mb:6.1f} MB")
    print(f"ratio first paint {prog_t / bare_t:.2f} (target <= 4), ratio usable table {table_t / bare_t:.2f} "
          f"(target <= 6), ratio charts {charts_t / bare_t:.2f}, ratio memory {prog_mb / bare_mb:.2f}")


if __name__ == "__main__":
    main()
