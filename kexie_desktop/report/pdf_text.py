"""Text into a PDF without shaping each string again: most of the report PDF's time went to libraqm shaping
(0.3-2 ms a string with the CJK font) in ``RendererPdf``'s text measuring and ``draw_text``, the same strings
on every page and twice per chart page (the layout pass and the drawing each have their own renderer).

A ``PdfPage`` draws through ``CachedTextRenderer`` when a PDF is being written: it keeps the metrics and the
shaped glyphs per font files, size and string for the process, and writes ``draw_text``'s operators from them.
The same bytes as ``draw_text``: ``_same_bytes`` writes sample strings both ways into scratch files once per
renderer class and font settings and compares them; where they differ (another matplotlib), or for another
renderer (Agg: the preview), matplotlib measures and draws as it always does.
"""

from __future__ import annotations

import io
import itertools
import math

import matplotlib
from matplotlib.backends.backend_pdf import Op, PdfFile, RendererPdf
from matplotlib.figure import Figure
from matplotlib.font_manager import FontPath, FontProperties, fontManager
from matplotlib.ft2font import LoadFlags

from .. import fonts

# Kerning, CJK, a blank, the fallback font (ʬⱥ are only in DejaVu Sans), bold, rotation.
SAMPLES = (("代码 12.5%", 8.0, "normal", 0.0), ("AVAWA To. lp", 9.0, "normal", 0.0),
           ("骨直写 — 第3页 共19页", 13.0, "bold", 0.0), ("", 8.0, "normal", 0.0),
           ("Ω≈→① ʬⱥ混排", 8.0, "normal", 0.0), ("2019年3月", 8.0, "normal", 45.0))
_SHAPED: dict[tuple, list[tuple]] = {}  # (_font_key, features, language, text) -> glyphs
_METRICS: dict[tuple, tuple[float, float, float]] = {}  # (_font_key, text) -> width, height, descent
_USABLE: dict[tuple, bool] = {}  # (renderer class, rc settings) -> writes the same bytes as draw_text
LIMIT = 50_000  # entries per cache before it starts over


def pdf_renderer(renderer) -> RendererPdf | None:
    """The PDF renderer that draws now (inside a MixedModeRenderer in vector mode), or None."""
    inner = getattr(renderer, "_renderer", renderer)
    return inner if type(inner) is RendererPdf else None


def renderer_class(renderer) -> type:
    """The class of the renderer that measures and draws: the one a ``CachedTextRenderer`` wraps."""
    return type(renderer._kexie_outer if isinstance(renderer, CachedTextRenderer) else renderer)


class PdfPage(Figure):
    """A report page: written into a PDF, its text is measured and shaped once per string (see above)."""

    def draw(self, renderer) -> None:
        super().draw(_cached(renderer))

    def _get_renderer(self):
        """The renderer constrained layout measures with (a fresh one for each page being saved)."""
        return _cached(super()._get_renderer())


def _cached(renderer):
    pdf = pdf_renderer(renderer)
    if pdf is not None and usable(pdf):
        return CachedTextRenderer(renderer, pdf)
    return renderer


def usable(pdf: RendererPdf) -> bool:
    rc = matplotlib.rcParams
    key = (type(pdf), rc["pdf.fonttype"], rc["pdf.use14corefonts"], rc["text.usetex"])
    if key not in _USABLE:
        _USABLE[key] = not rc["pdf.use14corefonts"] and not rc["text.usetex"] and _same_bytes(pdf)
    return _USABLE[key]


def _same_bytes(like: RendererPdf) -> bool:
    try:
        theirs, mine = _Scratch(like), _Scratch(like)
        for n, (text, size, weight, angle) in enumerate(SAMPLES):
            prop = FontProperties(family=fonts.font_list(), size=size, weight=weight)
            theirs.renderer.draw_text(theirs.gc, 10.5, 20.25 + n, text, prop, angle)
            draw_text(mine.renderer, mine.gc, 10.5, 20.25 + n, text, prop, angle)
        return theirs.written() == mine.written()
    except Exception:  # another matplotlib's internals: matplotlib draws
        return False


class CachedTextRenderer:
    """The renderer a page is drawn with, with cached text metrics and shaping; all else is ``renderer``'s."""

    def __init__(self, renderer, pdf: RendererPdf):
        self._kexie_outer = renderer
        self._kexie_pdf = pdf
        # The layout pass before a constrained-layout page is saved disables drawing on the renderer it uses.
        self._kexie_drawing = "draw_text" not in vars(renderer)
        self._kexie_fonts: dict[FontProperties, tuple] = {}  # rcParams stay put during one draw

    def __getattr__(self, name):
        return getattr(self._kexie_outer, name)

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return self._kexie_outer.get_text_width_height_descent(s, prop, ismath)
        key = (*self._kexie_font(prop), s)
        found = _METRICS.get(key)
        if found is None:
            found = self._kexie_outer.get_text_width_height_descent(s, prop, ismath)
            _remember(_METRICS, key, found)
        return found

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not self._kexie_drawing or gc.get_url() is not None:
            return self._kexie_outer.draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        features = language = None
        if mtext is not None:
            features, language = mtext.get_fontfeatures(), mtext.get_language()
        draw_text(self._kexie_pdf, gc, x, y, s, prop, angle, features, language, self._kexie_font(prop))

    def _kexie_font(self, prop: FontProperties) -> tuple:
        found = self._kexie_fonts.get(prop)
        if found is None:
            found = self._kexie_fonts[prop.copy()] = _font_key(prop)
        return found


def draw_text(renderer: RendererPdf, gc, x: float, y: float, s: str, prop: FontProperties, angle: float,
              features=None, language=None, font: tuple | None = None) -> None:
    """``RendererPdf.draw_text`` (matplotlib 3.11) for text without mathtext or a URL, the string's shaping
    cached; ``font``: ``_font_key(prop)`` when known."""
    file = renderer.file
    renderer.check_gc(gc, gc._rgb)
    fontsize = prop.get_size_in_points()
    fonttype = matplotlib.rcParams["pdf.fonttype"]
    a = math.radians(angle)
    file.output(Op.gsave)
    file.output(math.cos(a), math.sin(a), -math.sin(a), math.cos(a), x, y, Op.concat_matrix)
    file.output(Op.begin_text)
    chunk: list = []
    prev_font, prev_x = None, 0
    track = file._character_tracker.track_glyph
    for ft, char, glyph, gx, gy, kern in _shaped(renderer, s, prop, features, language, font or _font_key(prop)):
        subset, charcode = track(ft, char, glyph)
        if (ft, subset) != prev_font:
            _chunk(renderer, chunk, fontsize, fonttype)
            file.output(file.fontName(FontPath(ft.fname, ft.face_index), subset), fontsize, Op.selectfont)
            renderer._setup_textpos(gx, 0, 0, prev_x, 0, 0)
            prev_font, prev_x = (ft, subset), gx
        if gy:
            _chunk(renderer, chunk, fontsize, fonttype)
            file.output(gy, Op.textrise)
        if kern:
            chunk.append(kern)
        chunk.append(charcode)
        if gy:
            _chunk(renderer, chunk, fontsize, fonttype)
            file.output(0, Op.textrise)
    _chunk(renderer, chunk, fontsize, fonttype)
    file.output(Op.end_text)
    file.output(Op.grestore)


def _chunk(renderer: RendererPdf, chunk: list, fontsize: float, fonttype: int) -> None:
    if not chunk:
        return
    renderer.file.output(
        [(-1000 * next(group) / fontsize) if kind is float else renderer._encode_glyphs(group, fonttype)
         for kind, group in itertools.groupby(chunk, type)],
        Op.showkern)
    chunk.clear()


def _shaped(renderer: RendererPdf, s: str, prop: FontProperties, features, language, font: tuple) -> list[tuple]:
    """(FT2Font, char, glyph index, x, y, kern) of each glyph, as libraqm lays them out for ``draw_text``."""
    key = (*font, features, language, s)
    found = _SHAPED.get(key)
    if found is None:
        font = renderer._get_font_ttf(prop)  # matplotlib's cached FT2Font, set to the size at 72 dpi
        found = [(item.ft_object, item.char, item.glyph_index, item.x, item.y, item.prev_kern)
                 for item in font._layout(s, LoadFlags.NO_HINTING, features=features, language=language)]
        _remember(_SHAPED, key, found)
    return found


def _font_key(prop: FontProperties) -> tuple:
    """What picks the FT2Font that ``RendererPdf`` measures and shapes with, and its size."""
    rc = matplotlib.rcParams
    return (tuple(fontManager._find_fonts_by_props(prop)), rc["text.hinting_factor"], rc["text.kerning_factor"],
            prop.get_size_in_points())


def _remember(cache: dict, key, value) -> None:
    if len(cache) >= LIMIT:
        cache.clear()
    cache[key] = value


class _Scratch:
    """A PDF file in memory with a renderer, to compare what two ways of drawing write."""

    def __init__(self, like: RendererPdf):
        self.file = PdfFile(io.BytesIO())
        self.renderer = type(like)(self.file, 72, 100, 100)
        self.gc = self.renderer.new_gc()
        self.start = self.file.fh.tell()

    def written(self) -> bytes:
        return self.file.fh.getvalue()[self.start:]
