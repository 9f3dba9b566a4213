"""Start the program on the demo data offscreen and save a PNG of every screen into docs/screenshots/.

    python tools/screenshots.py [--size 1366x768] [--office 海州区] [--out docs/screenshots]

Makes a fresh temporary demo database (never the user's), then shows each page of the main window
(unit and city installations), the first-start wizard, and grabs them; then 审核 with findings, an
explanation and approved months, and the entry grid with their marks (``review-*.png``); 工作清单 at the
unit and the city, also at 1920x1080 (``*-tasks-*.png``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def build_demo(folder: Path, office: str) -> Path:
    from kexie_desktop.services import demo, offices, settings
    from kexie_desktop.startup import open_app_database

    path = folder / f"demo-{office}.db"
    db = open_app_database(path)
    with db.write() as s:
        demo.fill_demo(s)
        offices.set_this_office(s, offices.resolve(s, office))
        settings.put(s, "user_filler", "王芳")
        settings.put(s, "user_reviewer", "李强")
        settings.put(s, "phone", "0518-85000000")
    db.close()
    return path


def grab_pages(db_path: Path, out: Path, prefix: str, size: tuple[int, int]) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from kexie_desktop.startup import open_app_database
    from ui.context import AppContext
    from ui.main_window import MainWindow

    db = open_app_database(db_path)
    settings = QSettings(str(db_path.with_suffix(".ini")), QSettings.IniFormat)
    window = MainWindow(AppContext(db, settings))
    window.resize(*size)
    window.show()
    saved = []
    for row, (key, _factory) in enumerate(window._factories):
        window.nav.setCurrentRow(row)
        for _ in range(5):
            QApplication.processEvents()
        path = out / f"{prefix}-{row + 1:02d}-{key}.png"
        window.grab().save(str(path))
        saved.append(path)
        tabs = getattr(window.page(key), "tabs", None)
        for tab in range(1, tabs.count() if tabs is not None else 0):
            tabs.setCurrentIndex(tab)
            for _ in range(5):
                QApplication.processEvents()
            path = out / f"{prefix}-{row + 1:02d}-{key}-tab{tab + 1}.png"
            window.grab().save(str(path))
            saved.append(path)
    window.close()
    db.close()
    return saved


def prepare_review(db_path: Path, office: str, year: int) -> None:
    """Findings on the demo data: two jumps (one explained) and a month left empty; months 1-2 approved."""
    from kexie_desktop.review import explanations, states
    from kexie_desktop.review.checks import run_checks
    from kexie_desktop.services import offices, plan, values
    from kexie_desktop.startup import open_app_database

    db = open_app_database(db_path)
    with db.write() as s:
        unit = offices.resolve(s, office)
        states.submit(s, unit, year, 2, user="王芳")
        states.approve(s, unit, year, 2, by="李强")
        flow, gap, level = (plan.indicator(s, c) for c in ("I09", "I14", "I12"))
        values.set_values(s, [
            values.ValueEdit(flow, unit, year, 4, 2), values.ValueEdit(flow, unit, year, 5, 30),
            values.ValueEdit(flow, unit, year, 8, 2), values.ValueEdit(flow, unit, year, 9, 40),
            values.ValueEdit(gap, unit, year, 7, None),  # 空 is not 0: a gap among filled months
            values.ValueEdit(level, unit, year, 10, 7000),  # a level falling by 40%
        ], user="王芳")
        jump = next(f for f in run_checks(s, unit, year) if f.rule == "W01" and f.month == f"{year}-05")
        explanations.explain(s, unit, year, jump.rule, jump.subject, "五月集中验收上年结转的项目", user="王芳")
    db.close()


def grab_review(db_path: Path, out: Path, size: tuple[int, int]) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from kexie_desktop.startup import open_app_database
    from ui.context import AppContext
    from ui.main_window import MainWindow

    db = open_app_database(db_path)
    window = MainWindow(AppContext(db, QSettings(str(db_path.with_suffix(".ini")), QSettings.IniFormat)))
    window.resize(*size)
    window.show()
    saved = []
    review = window.show_page("review")
    row = next(r for r, f in enumerate(review.model.rows) if f.rule == "W01" and not f.explanation)
    review.table.selectRow(row)
    for name in ("review-page", "review-grid"):
        for _ in range(5):
            QApplication.processEvents()
        path = out / f"{name}-{size[0]}x{size[1]}.png"
        window.grab().save(str(path))
        saved.append(path)
        review.jump()  # to the finding's cell in 数据填报
    window.close()
    db.close()
    return saved


def grab_tasks(db_path: Path, out: Path, prefix: str, size: tuple[int, int]) -> list[Path]:
    """工作清单 on the demo data: a task done, with its milestones and the note's photo; at the city a
    unit's task (drill-down into what its packages brought)."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from kexie_desktop.startup import open_app_database
    from ui.context import AppContext
    from ui.main_window import MainWindow

    db = open_app_database(db_path)
    window = MainWindow(AppContext(db, QSettings(str(db_path.with_suffix(".ini")), QSettings.IniFormat)))
    window.resize(*size)
    window.show()
    page = window.show_page("tasks")
    own = page.setup.office_code
    row = next(r for r in page.model.rows if r.status == "已完成" and r.notes and r.notes[-1].evidence
               and (r.office_code != own) == page.setup.is_city)
    page.select(row.task_code, row.office_code)
    for _ in range(5):
        QApplication.processEvents()
    path = out / f"{prefix}-tasks-{size[0]}x{size[1]}.png"
    window.grab().save(str(path))
    window.close()
    db.close()
    return [path]


def grab_wizard(folder: Path, out: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from kexie_desktop.startup import open_app_database
    from ui.context import AppContext
    from ui.wizard.wizard import FirstStartWizard

    db = open_app_database(folder / "fresh.db")
    wizard = FirstStartWizard(AppContext(db))
    wizard.show()
    saved = []
    for step in range(3):
        QApplication.processEvents()
        if step == 0:
            wizard.office_page.combo.setCurrentIndex(4)
        path = out / f"wizard-{step + 1}.png"
        wizard.grab().save(str(path))
        saved.append(path)
        if step == 0:
            wizard.next()
            wizard.people_page.filler.setText("王芳")
        elif step == 1:
            wizard.next()
    wizard.close()
    db.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--office", default="海州区")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    size = tuple(int(x) for x in args.size.lower().split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KEXIE_DATA_DIR"] = tmp
        from ui.app import make_app

        make_app()
        folder = Path(tmp)
        saved = grab_wizard(folder, out)
        saved += grab_pages(build_demo(folder, args.office), out, "unit", size)
        saved += grab_pages(build_demo(folder, "市科协"), out, "city", size)
        for office, prefix in ((args.office, "unit"), ("市科协", "city")):
            for tasks_size in (size, (1920, 1080)) if size != (1920, 1080) else (size,):
                saved += grab_tasks(folder / f"demo-{office}.db", out, prefix, tasks_size)
        marked = folder / "review.db"
        shutil.copyfile(folder / f"demo-{args.office}.db", marked)
        prepare_review(marked, args.office, 2020)
        saved += grab_review(marked, out, size)
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
