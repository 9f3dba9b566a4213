"""The PDF's table pages draw their cells through two artists per page (report/pdf.py _TableLayers) for speed;
they must look exactly like a Rectangle and a Text per cell, as the pages were first drawn."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.patches import Rectangle
from PIL import Image, ImageChops

from kexie_desktop import display, fonts
from kexie_desktop.report import pdf

ROWS = [
    [pdf.Cell("I01"), pdf.Cell("省级海智基地县（区）覆盖\n第二行 lp"), pdf.Cell("12.5%", display.DONE, True),
     pdf.Cell("严重滞后", display.SERIOUS)],
    "G 主要目标 · G2 服务公民科学素质提升方面",
    [pdf.Cell("I10"), pdf.Cell("骨直写"), pdf.Cell("—", right=True), pdf.Cell("海州区\n3/10 项")],
]
HEADERS = ["代码", "指标", "完成率", "状态"]
WIDTHS = [6, 30, 9, 12]


def draw_with_texts(fig, xs, y, lines, cells, fill=None, bold=False):
    """The first version of pdf._draw_row: one Rectangle and one Text per cell."""
    height = max(len(x) for x in lines) * pdf.LINE + 0.06
    for n, (cell, text) in enumerate(zip(cells, lines)):
        colour, ink = fill or "white", "black"
        if cell.status is not None:
            colour = pdf.STATUS_STYLES.get(cell.status, pdf.STATUS_STYLES[display.NO_TARGET]).color
            ink = "white" if cell.status in pdf.DARK_STATUSES else "black"
        left, top = pdf._to_fig(xs[n], y)
        fig.add_artist(Rectangle((left, top - height / pdf.PAGE[1]), (xs[n + 1] - xs[n]) / pdf.PAGE[0],
                                 height / pdf.PAGE[1], transform=fig.transFigure, facecolor=colour,
                                 edgecolor="#999999", linewidth=0.4))
        tx = xs[n + 1] - 0.04 if cell.right else xs[n] + 0.04
        fx, fy = pdf._to_fig(tx, y + 0.03)
        fig.text(fx, fy, "\n".join(text), ha="right" if cell.right else "left", va="top", fontsize=pdf.FONT_SIZE,
                 color=ink, fontweight="bold" if bold else "normal", fontfamily=fonts.font_list(), linespacing=1.25)
    return y + height


def span_with_text(fig, xs, y, text):
    height = pdf.LINE + 0.06
    left, top = pdf._to_fig(xs[0], y)
    fig.add_artist(Rectangle((left, top - height / pdf.PAGE[1]), (xs[-1] - xs[0]) / pdf.PAGE[0], height / pdf.PAGE[1],
                             transform=fig.transFigure, facecolor=pdf.SECTION_FILL, edgecolor="#999999", linewidth=0.4))
    fx, fy = pdf._to_fig(xs[0] + 0.04, y + 0.03)
    fig.text(fx, fy, text, va="top", fontsize=pdf.FONT_SIZE, fontweight="bold", fontfamily=fonts.font_list())
    return y + height


def page(draw_row, draw_span):
    fig = pdf._page()
    usable = pdf.PAGE[0] - 2 * pdf.MARGIN
    scale = usable / (sum(WIDTHS) * pdf.UNIT)
    xs = [pdf.MARGIN]
    for w in WIDTHS:
        xs.append(xs[-1] + w * pdf.UNIT * scale)
    chars = [w * scale - 1 for w in WIDTHS]
    y = draw_row(fig, xs, 0.95, [pdf.wrap(h, n) for h, n in zip(HEADERS, chars)], [pdf.Cell(h) for h in HEADERS],
                 pdf.HEADER_FILL, bold=True)
    for row in ROWS:
        if isinstance(row, str):
            y = draw_span(fig, xs, y, row)
        else:
            y = draw_row(fig, xs, y, [pdf.wrap(c.text, n) for c, n in zip(row, chars)], row)
    return fig


def render(fig, path, tmp_path):
    with PdfPages(path) as out:
        out.savefig(fig)
    subprocess.run([shutil.which("pdftoppm"), "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / path.stem)],
                   check=True, timeout=60)
    return Image.open(tmp_path / f"{path.stem}.png").convert("RGB")


def test_table_cells_look_exactly_as_one_text_and_rectangle_each(tmp_path):
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have pdftoppm (poppler-utils)")
        pytest.skip("pdftoppm（poppler-utils）未安装")
    with fonts.chart_fonts():
        fast = render(page(pdf._draw_row, pdf._draw_span), tmp_path / "fast.pdf", tmp_path)
        plain = render(page(draw_with_texts, span_with_text), tmp_path / "plain.pdf", tmp_path)
    assert ImageChops.difference(fast, plain).getbbox() is None
    # and the cells went the fast way: matplotlib's own layout agreed with _line_offsets on the PDF renderer
    assert [same for (kind, _dpi, _family), same in pdf._SAME_LAYOUT.items() if kind.__name__ == "MixedModeRenderer"] == [True]
