"""report/pdf_text.py writes a PDF page's text from cached metrics and shaping; the file must be byte for byte
what matplotlib writes for the same page, and the cache must be in use with the matplotlib pinned here (else
the report PDF silently takes its old time again)."""

from __future__ import annotations

import io

from matplotlib.backends.backend_pdf import PdfPages, RendererPdf
from matplotlib.figure import Figure

from kexie_desktop import fonts
from kexie_desktop.report import pdf_text


def draw_page(fig: Figure) -> Figure:
    family = fonts.font_list()
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [3, 1, 2], label="累计完成 lp")
    ax.set_xticks([0, 1, 2], ["2019年1月", "AVAWA", "ʬⱥ 混排"], rotation=45, fontfamily=family)
    ax.set_title("骨直写 — 关复 · 第3页 共19页", fontfamily=family, fontweight="bold", loc="left")
    ax.legend(prop={"family": family})
    fig.text(0.5, 0.02, "第1页 共1页", ha="center", fontsize=8, fontfamily=family)
    return fig


def pdf_bytes(fig: Figure) -> bytes:
    out = io.BytesIO()
    with fonts.chart_fonts(), PdfPages(out, metadata={"CreationDate": None}) as pdf:
        pdf.savefig(fig)
    return out.getvalue()


def test_a_pdf_page_is_written_exactly_as_matplotlib_writes_it(monkeypatch):
    pdf_text._METRICS.clear()
    pdf_text._SHAPED.clear()
    with fonts.chart_fonts():
        plain = draw_page(Figure(figsize=(8, 5), layout="constrained"))
        cached = draw_page(pdf_text.PdfPage(figsize=(8, 5), layout="constrained"))
    expected = pdf_bytes(plain)
    assert pdf_bytes(cached) == expected
    assert pdf_text._USABLE and all(pdf_text._USABLE.values())  # the cached path was taken
    assert any(key[-1] == "骨直写 — 关复 · 第3页 共19页" for key in pdf_text._SHAPED)
    # a second page from the warm caches: still the same bytes, and nothing measured again
    calls = []
    original = RendererPdf.get_text_width_height_descent
    monkeypatch.setattr(RendererPdf, "get_text_width_height_descent",
                        lambda self, *args: calls.append(args) or original(self, *args))
    with fonts.chart_fonts():
        again = draw_page(pdf_text.PdfPage(figsize=(8, 5), layout="constrained"))
    assert pdf_bytes(again) == expected
    assert calls == []


def test_other_renderers_draw_as_matplotlib_does():
    with fonts.chart_fonts():
        fig = draw_page(pdf_text.PdfPage(figsize=(8, 5), layout="constrained"))
        fig.canvas.draw()  # FigureCanvasBase -> Agg: no cached text renderer
        renderer = fig._get_renderer()
    assert pdf_text.pdf_renderer(renderer) is None
    assert type(renderer).__name__ == "RendererAgg"
