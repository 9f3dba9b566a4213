"""Table text into a PDF without shaping each line again: what matplotlib's ``RendererPdf.draw_text`` writes
for a plain line, with the line's shaping (libraqm, about a millisecond a line with a CJK font, most of the
PDF's time) done once per distinct line, font and size for the whole process.

The same bytes as ``draw_text``: ``PdfText.usable`` writes sample lines both ways into scratch files once per
renderer class and font settings and compares them; where they differ (another matplotlib), or for another
renderer, ``draw_text`` draws.
"""

from __future__ import annotations

import io
import itertools
import math

import matplotlib
from matplotlib.backends.backend_pdf import Op, PdfFile, RendererPdf
from matplotlib.font_manager import FontPath, FontProperties, fontManager
from matplotlib.ft2font import LoadFlags

SAMPLES = ("代码 12.5%", "AVAWA To. lp", "骨直写 — 第3页 共19页", "", "G 主要目标 · G2", "Ω≈→① ʬⱥ混排")  # ʬⱥ: the fallback font
_SHAPED: dict[tuple, list[tuple]] = {}  # (font files, size, line) -> (font, char, glyph, x, y, kern) per glyph
_USABLE: dict[tuple, bool] = {}  # (renderer class, rc settings, font files) -> same bytes as draw_text


def pdf_renderer(renderer) -> RendererPdf | None:
    """The PDF renderer that draws now (inside a MixedModeRenderer in vector mode), or None."""
    inner = getattr(renderer, "_renderer", renderer)
    return inner if type(inner) is RendererPdf else None


class PdfText:
    """Writes lines of one ``FontProperties`` with ``RendererPdf``'s text operators."""

    def __init__(self, prop: FontProperties):
        self.prop = prop
        self.files = tuple(fontManager._find_fonts_by_props(prop))
        self.size = prop.get_size_in_points()

    def usable(self, renderer: RendererPdf) -> bool:
        rc = matplotlib.rcParams
        key = (type(renderer), rc["pdf.fonttype"], rc["pdf.use14corefonts"], rc["text.usetex"], self.files,
               self.size)
        if key not in _USABLE:
            _USABLE[key] = not rc["pdf.use14corefonts"] and not rc["text.usetex"] and self._same_bytes(renderer)
        return _USABLE[key]

    def _same_bytes(self, renderer: RendererPdf) -> bool:
        try:
            theirs, mine = _Scratch(renderer), _Scratch(renderer)
            for n, line in enumerate(SAMPLES):
                theirs.renderer.draw_text(theirs.gc, 10.5, 20.25 + n, line, self.prop, 0.0)
                self.draw(mine.renderer, mine.gc, 10.5, 20.25 + n, line)
            return theirs.written() == mine.written()
        except Exception:  # another matplotlib's internals: draw_text draws
            return False

    def draw(self, renderer: RendererPdf, gc, x: float, y: float, line: str) -> None:
        """``renderer.draw_text(gc, x, y, line, self.prop, 0.0)`` for a line without mathtext."""
        file = renderer.file
        renderer.check_gc(gc, gc._rgb)
        fonttype = matplotlib.rcParams["pdf.fonttype"]
        size = self.size
        a = math.radians(0.0)
        file.output(Op.gsave)
        file.output(math.cos(a), math.sin(a), -math.sin(a), math.cos(a), x, y, Op.concat_matrix)
        file.output(Op.begin_text)
        chunk: list = []
        prev_font, prev_x = None, 0
        track = file._character_tracker.track_glyph
        for font, char, glyph, gx, gy, kern in self._shaped(renderer, line):
            subset, charcode = track(font, char, glyph)
            if (font, subset) != prev_font:
                self._chunk(renderer, chunk, fonttype)
                file.output(file.fontName(FontPath(font.fname, font.face_index), subset), size, Op.selectfont)
                renderer._setup_textpos(gx, 0, 0, prev_x, 0, 0)
                prev_font, prev_x = (font, subset), gx
            if gy:
                self._chunk(renderer, chunk, fonttype)
                file.output(gy, Op.textrise)
            if kern:
                chunk.append(kern)
            chunk.append(charcode)
            if gy:
                self._chunk(renderer, chunk, fonttype)
                file.output(0, Op.textrise)
        self._chunk(renderer, chunk, fonttype)
        file.output(Op.end_text)
        file.output(Op.grestore)

    def _chunk(self, renderer: RendererPdf, chunk: list, fonttype: int) -> None:
        if not chunk:
            return
        renderer.file.output(
            [(-1000 * next(group) / self.size) if kind is float else renderer._encode_glyphs(group, fonttype)
             for kind, group in itertools.groupby(chunk, type)],
            Op.showkern)
        chunk.clear()

    def _shaped(self, renderer: RendererPdf, line: str) -> list[tuple]:
        key = (self.files, self.size, line)
        found = _SHAPED.get(key)
        if found is None:
            font = renderer._get_font_ttf(self.prop)  # matplotlib's cached FT2Font, set to the size at 72 dpi
            found = [(item.ft_object, item.char, item.glyph_index, item.x, item.y, item.prev_kern)
                     for item in font._layout(line, LoadFlags.NO_HINTING, features=None, language=None)]
            if len(_SHAPED) > 50_000:
                _SHAPED.clear()
            _SHAPED[key] = found
        return found


class _Scratch:
    """A PDF file in memory with a renderer, to compare what two ways of drawing write."""

    def __init__(self, like: RendererPdf):
        self.file = PdfFile(io.BytesIO())
        self.renderer = type(like)(self.file, 72, 100, 100)
        self.gc = self.renderer.new_gc()
        self.start = self.file.fh.tell()

    def written(self) -> bytes:
        return self.file.fh.getvalue()[self.start:]
