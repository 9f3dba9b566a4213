"""Screenshots of 计划编辑, every tab, at 1366×768 and 1920×1080, offscreen, on a draft copied from the
built-in plan with a new section, a range indicator (min > max, so 检查 lists a problem) and a new text:

    python tools/screenshots_plan_editor.py [--out /tmp/shots_editor]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def prepare(ctx) -> str:
    from kexie_desktop.services import offices, plan
    from kexie_desktop.services.plan_editing import IndicatorFields
    from ui.plan_editor import operations as ops

    code = "LYG-KX-2021-2025"
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.city(s))
        text = plan.plan_text_of(plan.current_plan(s))
    ops.copy_plan(ctx, "LYG-KX-2018-2020", code, "连云港市科协新一轮三年行动计划（2021—2025年）", 2021, 2025)
    ops.add_section(ctx, code, "T9", "科技志愿服务", None)
    ops.put_indicator(ctx, code, IndicatorFields("I62", "科技志愿服务队", "支", "range", "plan", "sum", "entered",
                                                 "T9", 12, 8), new=True)
    ops.set_text(ctx, code, text + "\n到2025年，全市组建科技志愿服务队8至12支。")
    return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/shots_editor")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from kexie_desktop.startup import open_app_database
    from ui.context import AppContext
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "kexie.db"
        db = open_app_database(db_path)
        ctx = AppContext(db, QSettings(str(db_path.with_suffix(".ini")), QSettings.IniFormat))
        code = prepare(ctx)
        for size in ((1366, 768), (1920, 1080)):
            window = MainWindow(ctx)
            window.resize(*size)
            window.show()
            page = window.show_page("plan_editor")
            page.plans.setCurrentIndex(page.plans.findData(code))
            page.check()
            page.indicators.select("I62")
            page.tasks.select("T01")
            for n in range(page.tabs.count()):
                page.tabs.setCurrentIndex(n)
                if page.tabs.currentWidget() is page.text:
                    page.text.sentences.setCurrentRow(page.text.sentences.count() - 1)
                for _ in range(5):
                    app.processEvents()
                name = f"plan-editor-{n}-{size[0]}x{size[1]}.png"
                window.grab().save(str(out / name))
                print(out / name)
            page.tabs.setCurrentWidget(page.scheme)
            page.scheme.edit()
            for _ in range(5):
                app.processEvents()
            name = f"plan-editor-scheme-dialog-{size[0]}x{size[1]}.png"
            window.grab().save(str(out / name))
            page.scheme.dialog.grab().save(str(out / ("dialog-" + name)))
            print(out / name)
            page.scheme.dialog.reject()
            window.close()
        db.close()


if __name__ == "__main__":
    main()
