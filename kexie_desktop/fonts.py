"""A Chinese (CJK) font for matplotlib figures, so that no label turns into empty boxes.

A font bundled in ``resources/fonts`` wins (same look everywhere); otherwise the first installed
family of ``PREFERRED`` (Windows first, then Linux). DejaVu Sans stays as a fallback for glyphs the
CJK font lacks. Settings are applied per figure through ``rc_context``, never globally.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from .paths import resource_path

# The one list of CJK families, best first (Windows, then Linux packages, then macOS): the charts here and
# the Qt application font (ui/widgets/fonts.py) both choose from it.
PREFERRED = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "微软雅黑",
    "SimHei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "PingFang SC",
    "Heiti SC",
)
FALLBACK = "DejaVu Sans"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


@lru_cache(maxsize=1)
def bundled_families() -> tuple[str, ...]:
    """Register the fonts shipped in resources/fonts with matplotlib; their family names."""
    from matplotlib import font_manager

    folder = resource_path("fonts")
    if not folder.is_dir():
        return ()
    families = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in FONT_SUFFIXES:
            continue
        font_manager.fontManager.addfont(str(path))
        families.append(font_manager.FontProperties(fname=str(path)).get_name())
    return tuple(dict.fromkeys(families))


@lru_cache(maxsize=1)
def cjk_families() -> tuple[str, ...]:
    """Usable CJK families, best first (bundled, then installed ones in ``PREFERRED`` order)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return bundled_families() + tuple(name for name in PREFERRED if name in installed)


def cjk_family() -> str | None:
    families = cjk_families()
    return families[0] if families else None


def font_list() -> list[str]:
    """The family list for chart text: one CJK font, then the fallback."""
    first = cjk_family()
    return [first, FALLBACK] if first else [FALLBACK]


def chart_rc() -> dict:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": font_list(),
        # SimHei has no U+2212 MINUS SIGN; an ASCII hyphen renders in every font.
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
    }


@contextmanager
def chart_fonts() -> Iterator[None]:
    """Build, draw and save figures inside this context (also wrap a Qt canvas' draw)."""
    import matplotlib

    with matplotlib.rc_context(chart_rc()):
        yield
