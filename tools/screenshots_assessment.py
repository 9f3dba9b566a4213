"""Screenshots of the 考核 page on the prepared year of the tests (tests/assessment_year.py: two classes, a
cap that bites, a late task with the city's adjustment, a unit late in reporting), offscreen:

    python tools/screenshots_assessment.py [--out docs/screenshots]

writes city-assessment-1366x768.png, city-assessment-1920x1080.png (海州区 selected: its breakdown and
对比找差) and unit-assessment-1366x768.png (东海县 reads its class's scheme).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def grab(db_path: Path, out: Path, name: str, size: tuple[int, int], unit_row: int | None) -> Path:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from kexie_desktop.startup import open_app_database
    from ui.assessment.page import AssessmentPage
    from ui.context import AppContext
    from ui.main_window import MainWindow

    db = open_app_database(db_path)
    window = MainWindow(AppContext(db, QSettings(str(db_path.with_suffix(".ini")), QSettings.IniFormat)))
    window.resize(*size)
    window.show()
    row = [k for k, _f in window._factories].index("assessment")
    holder = window.pages.widget(row)
    page = AssessmentPage(window.ctx, today=dt.date(2020, 10, 8))  # the prepared year's day
    holder.layout().addWidget(page)
    window._pages["assessment"] = page
    window.nav.setCurrentRow(row)
    if unit_row is not None:
        page.table.selectRow(unit_row)
        t26 = [p.code for p in page.parts.rows].index("T26")
        page.breakdown.selectRow(t26)
    for _ in range(10):
        QApplication.processEvents()
    path = out / name
    window.grab().save(str(path))
    window.close()
    db.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KEXIE_DATA_DIR"] = tmp
        from ui.app import make_app

        make_app()
        import assessment_year
        from kexie_desktop.services import offices
        from kexie_desktop.startup import open_app_database

        city, unit = Path(tmp) / "city.db", Path(tmp) / "unit.db"
        for path, office in ((city, None), (unit, assessment_year.DONGHAI)):
            db = open_app_database(path)
            with db.write() as s:
                assessment_year.prepare(s)
                if office:
                    offices.set_this_office(s, offices.resolve(s, office))
            db.close()
        saved = [grab(city, out, "city-assessment-1366x768.png", (1366, 768), 2),
                 grab(city, out, "city-assessment-1920x1080.png", (1920, 1080), 2),
                 grab(unit, out, "unit-assessment-1366x768.png", (1366, 768), None)]
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
