"""A CJK-capable application font, so that no Chinese text renders as empty boxes."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from kexie_desktop.fonts import PREFERRED as CJK_FAMILIES
from kexie_desktop.paths import resource_path



def _load_bundled_fonts() -> list[str]:
    families: list[str] = []
    folder = resource_path("fonts")
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in (".ttf", ".otf", ".ttc"):
                font_id = QFontDatabase.addApplicationFont(str(path))
                families += QFontDatabase.applicationFontFamilies(font_id)
    return families


def choose_cjk_family() -> str | None:
    bundled = _load_bundled_fonts()  # registered first, so the families list below includes them
    available = set(QFontDatabase.families())
    for family in (*CJK_FAMILIES, *bundled):
        if family in available:
            return family
    return None


def apply_app_font(app: QApplication, point_size: int = 10) -> str | None:
    family = choose_cjk_family()
    font = QFont(app.font())
    if family:
        font.setFamilies([family, *[f for f in font.families() if f != family]])
    font.setPointSize(point_size)
    app.setFont(font)
    return family
