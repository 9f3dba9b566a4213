"""A Chinese (CJK) font for matplotlib figures, so that no label turns into empty boxes.

A font bundled in ``resources/fonts`` wins (same look everywhere); otherwise the first installed
family of ``PREFERRED`` (Windows first, then Linux). DejaVu Sans stays as a fallback for glyphs the
CJK font lacks. Settings are applied per figure through ``rc_context``, never globally.

matplotlib knows the fonts of its cache (fontlist-*.json), written when it first ran. A machine where
it ran before the CJK font was installed has a cache without one; then the font is looked up by
fontconfig (``fc-list :lang=zh``) and in the known font folders and registered with ``addfont``, and
only when that finds nothing is the cache rebuilt once. The cache is saved again either way, so the
next start finds the font at once.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
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
# File names of the PREFERRED families, for the folder search where fontconfig is missing (Windows).
FILE_PATTERNS = ("msyh*", "simhei*", "NotoSansCJK*", "NotoSans*CJK*", "SourceHanSans*", "wqy-*", "wqy*",
                 "PingFang*", "STHeiti*")

log = logging.getLogger(__name__)


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

    manager = font_manager.fontManager
    found = _known(manager)
    if not found and not bundled_families():
        added = [path for path in system_cjk_files() if _add(manager, path)]
        found = _known(manager)
        if not found:
            _rebuild(manager)
            found = _known(manager)
        if found:
            _save_cache(manager)
            log.info("CJK font missing from matplotlib's cache; found %s (%d files added)", found[0], len(added))
    return bundled_families() + found


def _known(manager) -> tuple[str, ...]:
    installed = {f.name for f in manager.ttflist}
    return tuple(name for name in PREFERRED if name in installed)


def system_cjk_files() -> list[Path]:
    """Font files of PREFERRED families on this machine: fontconfig's answer, then the known folders."""
    paths = _fontconfig_files()
    if not paths:
        for folder in font_folders():
            for pattern in FILE_PATTERNS:
                paths += sorted(p for p in folder.rglob(pattern) if p.suffix.lower() in FONT_SUFFIXES)
    return list(dict.fromkeys(paths))


def _fontconfig_files() -> list[Path]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        done = subprocess.run([fc_list, ":lang=zh", "file", "family"], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    paths = []
    for line in done.stdout.splitlines():
        file, _sep, families = line.partition(": ")
        if any(name.strip() in PREFERRED for name in families.split(",")):
            paths.append(Path(file.strip()))
    return sorted(paths)


def font_folders() -> list[Path]:
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        folders = [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    elif sys.platform == "darwin":
        folders = [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    else:
        data = Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share"))
        folders = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), data / "fonts", home / ".fonts"]
    return [f for f in folders if f.is_dir()]


def _add(manager, path: Path) -> bool:
    try:
        manager.addfont(str(path))
    except (OSError, RuntimeError, ValueError):  # an unreadable or broken file: try the next
        return False
    return True


def _rebuild(manager) -> None:
    """Scan the system's fonts again (seconds), as matplotlib does when it has no cache."""
    from matplotlib import font_manager

    fresh = font_manager.FontManager()
    manager.__dict__.update(fresh.__dict__)
    manager._findfont_cached.cache_clear()


def _save_cache(manager) -> None:
    import matplotlib
    from matplotlib import font_manager

    path = Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
    try:
        font_manager.json_dump(manager, path)
    except OSError:  # a read-only cache folder: the font is still registered for this run
        pass


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
