"""Chart figures (matplotlib ``Figure``, never pyplot) with Chinese labels; the GUI puts them on a
``FigureCanvasQTAgg``, the CLI saves them with ``save_figure`` (PNG or SVG)."""

from .bars import overall_chart, progress_chart, ranking_chart
from .heatmap import heatmap_cell, heatmap_chart
from .style import STATUS_STYLES, check_output, save_figure
from .trend import trend_chart

__all__ = [
    "STATUS_STYLES", "check_output", "heatmap_cell", "heatmap_chart", "overall_chart", "progress_chart", "ranking_chart", "save_figure",
    "trend_chart",
]
