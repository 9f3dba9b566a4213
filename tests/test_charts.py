"""Charts: every kind renders with Chinese labels to PNG and SVG without a missing-glyph warning."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from kexie_desktop import charts, fonts, progress
from kexie_desktop.errors import UserError
from kexie_desktop.services import offices, plan

ROOT = Path(__file__).resolve().parents[1]
END = dt.date(2020, 12, 31)


def _figures(s) -> dict[str, Figure]:
    city = offices.city(s)
    overview = progress.city_progress(s, 2019, dt.date(2019, 12, 31))
    return {
        "progress": charts.progress_chart(progress.progress_for(s, offices.resolve(s, "灌云县"), 2020, END)),
        "trend": charts.trend_chart(progress.trend(s, plan.indicator(s, "I41"), city, 2020, END)),
        "trend_annual": charts.trend_chart(progress.trend(s, plan.indicator(s, "I02"), city, 2019, END)),
        "ranking": charts.ranking_chart(progress.rank_indicator(overview, "I39")),
        "overall": charts.overall_chart(progress.rank_overall(overview), "2019年各县区综合排名"),
        "heatmap": charts.heatmap_chart(overview),
    }


def test_every_chart_renders_chinese_without_missing_glyphs(demo_db, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" becomes a failure
        with demo_db.read() as s:
            figures = _figures(s)
        for name, figure in figures.items():
            png = charts.save_figure(figure, tmp_path / f"{name}.png")
            svg = charts.save_figure(figure, tmp_path / f"{name}.svg")
            assert png.read_bytes().startswith(b"\x89PNG")
            assert b"<svg" in svg.read_bytes()[:500]
    texts = [t.get_text() for t in figures["progress"].findobj(Text)]
    assert any("灌云县科协" in t for t in texts)


def test_the_guard_would_catch_a_missing_glyph(tmp_path):
    """Without a CJK font matplotlib warns; the test above would then fail."""
    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        figure = Figure()
        figure.text(0.5, 0.5, "科协")
        with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
            warnings.simplefilter("error")
            figure.savefig(tmp_path / "boxes.png")


def test_fonts_stay_on_the_figure_when_drawn_elsewhere(demo_db):
    """A Qt canvas draws later, outside our rc context: the figure carries its font itself."""
    with demo_db.read() as s:
        figure = _figures(s)["ranking"]
    assert all(t.get_fontfamily()[0] == fonts.cjk_family() for t in figure.findobj(Text) if t.get_text())
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            FigureCanvasAgg(figure).draw()


def test_status_is_not_told_by_colour_alone(demo_db):
    with demo_db.read() as s:
        rows = progress.progress_for(s, offices.resolve(s, "灌云县"), 2020, END)
        figure = charts.progress_chart(rows)
    statuses = {r.status for r in rows}
    assert {"严重滞后", "略有滞后", "已完成"} <= statuses
    texts = " ".join(t.get_text() for t in figure.findobj(Text))
    assert all(status in texts for status in statuses)
    hatches = {p.get_hatch() for p in figure.axes[0].patches if isinstance(p, Rectangle)}
    assert {"///", "xxx"} <= hatches


def test_negative_numbers_use_an_ascii_minus():
    """SimHei has no U+2212: a falling rate must be labelled with "-" whatever rcParams say at draw time."""
    points = [progress.TrendPoint(2020, m, -1.5 + 0.5 * m if m <= 6 else None, 3 * m / 12) for m in range(1, 13)]
    trend = progress.Trend("I58", "市级学会会员年动态增长率", "%", "level", "连云港市科协", 3.0, None,
                           dt.date(2020, 6, 30), False, points)
    figure = charts.trend_chart(trend)
    with matplotlib.rc_context({"axes.unicode_minus": True}), warnings.catch_warnings():
        warnings.simplefilter("error")
        FigureCanvasAgg(figure).draw()
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert any(label.startswith("-") for label in labels)
    assert not any("\u2212" in label for label in labels)


def test_empty_heatmap_explains_itself(db):
    with db.read() as s:
        figure = charts.heatmap_chart(progress.city_progress(s, 2020, END))
    assert any("请先用“任务分解”" in t.get_text() for t in figure.findobj(Text))


def test_export_refuses_other_formats(tmp_path):
    with pytest.raises(UserError, match=r"\.png 或 \.svg"):
        charts.save_figure(Figure(), tmp_path / "chart.pdf")
    with pytest.raises(UserError, match="不存在"):
        charts.save_figure(Figure(), tmp_path / "missing" / "chart.png")


def test_an_installed_cjk_family_is_chosen():
    assert fonts.cjk_family() in fonts.PREFERRED
    assert fonts.font_list() == [fonts.cjk_family(), "DejaVu Sans"]
    assert fonts.chart_rc()["axes.unicode_minus"] is False


def test_a_bundled_font_wins(tmp_path, monkeypatch):
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSansMono.ttf", folder)
    (folder / "README.txt").write_text("not a font", encoding="utf-8")
    monkeypatch.setattr(fonts, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    fonts.bundled_families.cache_clear()
    fonts.cjk_families.cache_clear()
    try:
        assert fonts.bundled_families() == ("DejaVu Sans Mono",)
        assert fonts.cjk_family() == "DejaVu Sans Mono"
    finally:
        fonts.bundled_families.cache_clear()
        fonts.cjk_families.cache_clear()


def test_charts_never_import_pyplot():
    script = (
        "import sys, datetime as dt\n"
        "from kexie_desktop import charts\n"
        "from kexie_desktop.progress import Trend, TrendPoint\n"
        "t = Trend('I02', '高层次学术报告会', '场', 'annual_flow', '市科协', 10, None, dt.date(2020, 6, 30), True,\n"
        "          [TrendPoint(2020, m, m if m <= 6 else None, 10 * m / 12) for m in range(1, 13)])\n"
        "charts.trend_chart(t)\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_heatmap_puts_units_that_reported_nothing_last_and_says_so(db):
    from kexie_desktop.services import targets, values

    with db.write() as s:
        i08 = plan.indicator(s, "I08")
        first, second = offices.units(s)[:2]  # 连云区 reports nothing, 海州区 reports
        targets.put_target(s, i08, first, 2020, 10)
        targets.put_target(s, i08, second, 2020, 10)
        targets.put_target(s, i08, offices.units(s)[2], 2020, 0)  # nothing asked, nothing reported
        values.set_value(s, i08, second, 2020, 3, 5)
    with db.read() as s:
        overview = progress.city_progress(s, 2020, END)
        figure = charts.heatmap_chart(overview)
    assert charts.heatmap_cell(overview, 0, 0) == (second.code, "I08")
    assert [t.get_text() for t in figure.axes[0].texts] == ["50", "未", "未"]
    labels = [t.get_text().replace("\n", "") for t in figure.axes[0].get_xticklabels()]  # long names wrap
    assert labels[:2] == ["海州区", "连云区（未填报）"] and len(labels) == 10
