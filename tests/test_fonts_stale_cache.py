"""Charts show Chinese even when matplotlib's font cache predates the CJK font (it ran once before
fonts-noto-cjk was installed): each test writes such a cache into a fresh MPLCONFIGDIR and runs the
program in a subprocess on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kexie_desktop import fonts

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not fonts.system_cjk_files(),
                                reason="本机没有安装中文字体（fc-list :lang=zh 与字体文件夹中都没有），无法测试")

RENDER = """
import warnings, sys
from matplotlib import font_manager
from kexie_desktop import fonts
from kexie_desktop.charts import style
warnings.simplefilter("error")  # a missing glyph ("Glyph ... missing from font(s)") fails
with style.building():
    fig = style.new_figure(4, 2)
    ax = fig.add_subplot()
    ax.barh(["东海县科协", "海州区科协"], [3, 5])
    ax.set_title("科普讲座完成情况")
    style.finish(fig)
style.save_figure(fig, sys.argv[1])
print(fonts.cjk_family())
print(font_manager.findfont(font_manager.FontProperties(family=fonts.font_list())))
"""


def _env(mpl: Path, tmp_path: Path) -> dict:
    return dict(os.environ, MPLCONFIGDIR=str(mpl), QT_QPA_PLATFORM="offscreen", KEXIE_DATA_DIR=str(tmp_path / "data"))


def _python(env: dict, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, encoding="utf-8",
                          timeout=timeout)


def _known_cjk(env: dict) -> list[str]:
    """The PREFERRED families in matplotlib's font list as read from the cache (nothing added)."""
    code = ("from matplotlib import font_manager; from kexie_desktop.fonts import PREFERRED; "
            "print(sorted({f.name for f in font_manager.fontManager.ttflist} & set(PREFERRED)))")
    return json.loads(_python(env, "-c", code).stdout.replace("'", '"'))


@pytest.fixture
def stale(tmp_path) -> dict:
    """An MPLCONFIGDIR whose font cache lists every font but the CJK ones."""
    mpl = tmp_path / "mpl"
    mpl.mkdir()
    env = _env(mpl, tmp_path)
    assert _python(env, "-c", "import matplotlib.font_manager").returncode == 0
    cache = next(mpl.glob("fontlist-*.json"))
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["ttflist"] = [f for f in data["ttflist"]
                       if f["name"] not in fonts.PREFERRED and "CJK" not in f["name"] and "Han" not in f["name"]]
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert _known_cjk(env) == []  # matplotlib reads the stale cache as it is
    return env


def test_a_chart_finds_the_cjk_font_although_the_cache_predates_it(stale, tmp_path):
    out = tmp_path / "chart.png"
    done = _python(stale, "-c", RENDER, str(out))
    assert done.returncode == 0, done.stderr
    family, path = done.stdout.splitlines()
    assert family in fonts.PREFERRED
    assert Path(path).suffix.lower() in fonts.FONT_SUFFIXES and "DejaVu" not in path
    assert out.stat().st_size > 5000
    assert _known_cjk(stale)  # the cache was saved again: the next start knows the font


def test_without_fontconfig_or_font_files_the_cache_is_rebuilt_once(stale, tmp_path):
    code = ("from kexie_desktop import fonts; fonts.system_cjk_files = lambda: []; "
            "print(fonts.cjk_family())")
    done = _python(stale, "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in fonts.PREFERRED


def test_the_selftest_passes_on_a_stale_cache(stale):
    done = _python(stale, "main.py", "--selftest")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[ OK ] 绘制图表" in done.stdout and "请安装中文字体" not in done.stdout
