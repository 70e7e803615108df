"""Render the reportlab sample: slide PDFs and their gold annotations.

The sources (``corpora/sources/<id>.yaml``) hold the content of one fictional
municipality's 伴走支援 report each; ``corpora/sources/batch.yaml`` says which sources go
into which file with which layout variant.  See ``docs/corpus.md`` for both schemas and
for the gold format.

The PDFs imitate PowerPoint exports on purpose, because that is what makes them hard to
extract: narrow label cells that wrap one character per line, cell text wrapped by measured
width (mid-word, one text-drawing call per line), shrink-on-overflow fonts, boxes side by
side, a table cell continued on the next slide.  Gold is built from the sources, never
read back from the PDF.  Output is byte-identical across runs (reportlab invariant mode,
no timestamps, sorted JSON keys). The office-made sample and the text real extractors
write from both are made by ``python -m corpora.officegen`` (docs/corpus.md).

Usage: python corpora/generate.py [--sources DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import importlib.resources
import io
import json
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pdfplumber
import yaml
from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont as FontFile
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from pipeline.config.themes import theme_ids

ROOT = Path(__file__).resolve().parent.parent

# Theme ids of the data contract (../shared/contract.md, "Themes"), as configs/themes.yaml
# defines them: a source naming any other is a typo.
THEME_IDS = theme_ids(ROOT / "configs" / "themes.yaml")
LEVEL1_BULLETS = ("•", "・", "○", "◆")
LEVEL2_BULLET = "➢"
SUMMARY_BULLET = "⚫"
# bullet_font: bullets drawn as PowerPoint exports draw them, in Wingdings.  The code of each
# shape in the Wingdings font; pdfplumber reports it as chr(0xF000 + code) when the font's
# ToUnicode maps the symbol cmap (wingdings_pua), as chr(code) when it has none (wingdings_latin).
WINGDINGS_CODES = {
    "●": 0x6C,
    "■": 0x6E,
    "□": 0x6F,
    "◆": 0x75,
    "❖": 0x76,
    "•": 0x9F,
    "▪": 0xA7,
    "○": 0xA1,
    "➢": 0xD8,
    "➔": 0xE8,
}
BULLET_FONTS = ("wingdings_pua", "wingdings_latin")
PAGE_KINDS = ("wide", "a4")
LABEL_WIDTHS = ("narrow", "medium")

# Kinsoku (Japanese line breaking), applied lightly as PowerPoint does: these may not
# start a line ...
NO_LINE_START = set(
    "、。，．,.）)」』】〕〉》］｝！？!?：；:;・ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ％%"
)
# ... and these may not end one.
NO_LINE_END = set("（(「『【〔〈《［｛")

MIN_FONT = 7.0  # shrink-on-overflow stops here; below it the layout is an error
FONT_STEP = 0.5
LINE_HEIGHT = 1.22  # line pitch, in em
PARA_GAP = 0.30  # extra space between bullets, in em
SUB_GAP = 0.55  # extra space before a sub-heading, in em
GLYPH_INDENT = 1.15  # bullet text starts this far right of its glyph, in em
LEVEL2_INDENT = 1.3  # a ➢ glyph sits this far right of a level-1 glyph, in em
ASCENT = 0.88  # baseline below the top of a line, in em
CELL_PAD_X = 6.0
CELL_PAD_Y = 5.0
LABEL_PAD_X = 5.0
MAX_STRETCH = 1.45  # rows grow at most this much beyond their content to fill the slide

INK = (0.13, 0.13, 0.13)
NAVY = (0.11, 0.23, 0.45)
BLUE = (0.22, 0.40, 0.66)
PALE = (0.86, 0.90, 0.96)
ACCENT = (0.93, 0.55, 0.15)
RULE = (0.45, 0.45, 0.45)
WHITE = (1.0, 1.0, 1.0)


class GenerateError(Exception):
    """A problem in the sources, the manifest or the layout, reported in one line."""


# ---------------------------------------------------------------------------------------
# Page styles


@dataclass(frozen=True)
class PageStyle:
    width: float
    height: float
    margin: float
    title_h: float
    title_size: float
    subtitle_size: float
    content_top: float
    footer_rule: float
    situation_size: float  # base font of slide 1's table
    overview_size: float  # base font of slide 2's table
    box_size: float  # base font of slide 3's boxes
    summary_size: float
    head_size: float  # table header row / box header band
    label_size: dict[str, float] = field(default_factory=dict)

    @property
    def content_bottom(self) -> float:
        return self.footer_rule - 8

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin


PAGE_STYLES = {
    # 16:9, 338.7 x 190.5 mm as PowerPoint exports it
    "wide": PageStyle(
        width=960,
        height=540,
        margin=28,
        title_h=56,
        title_size=24,
        subtitle_size=14,
        content_top=92,
        footer_rule=512,
        situation_size=18,
        overview_size=12,
        box_size=14,
        summary_size=15,
        head_size=13,
        label_size={"narrow": 16, "medium": 14},
    ),
    # A4 portrait slides
    "a4": PageStyle(
        width=595.28,
        height=841.89,
        margin=24,
        title_h=52,
        title_size=20,
        subtitle_size=11,
        content_top=84,
        footer_rule=812,
        situation_size=13,
        overview_size=10,
        box_size=12,
        summary_size=12,
        head_size=11,
        label_size={"narrow": 14, "medium": 12},
    ),
}


@dataclass(frozen=True)
class LabelMetrics:
    """Font sizes and width of the label column.

    narrow: the inner width holds one character of the label font, so 基本情報 stacks one
    character per line.  Long labels (目指す姿・取り組みたいこと) are set smaller by the
    author, which gives 3-4 characters per line.
    """

    size: float
    long_size: float
    inner: float

    @property
    def column(self) -> float:
        return self.inner + 2 * LABEL_PAD_X

    def size_for(self, label: str) -> float:
        return self.size if len(label) <= 4 else self.long_size


def label_metrics(style: PageStyle, label_width: str) -> LabelMetrics:
    size = style.label_size[label_width]
    if label_width == "narrow":
        inner = size * 1.85  # < 2 em: one character per line
        return LabelMetrics(size, round(inner / 3.45, 2), inner)
    inner = size * 3.3  # 3 characters per line
    return LabelMetrics(size, round(inner / 4.05, 2), inner)


# ---------------------------------------------------------------------------------------
# Fonts


def bullet_char(glyph: str, bullet_font: str | None) -> str:
    """The character a bullet glyph is drawn as: itself, or its Wingdings code point."""
    if bullet_font is None:
        return glyph
    if glyph not in WINGDINGS_CODES:
        raise GenerateError(f"bullet {glyph!r} has no Wingdings code (bullet_font {bullet_font})")
    code = WINGDINGS_CODES[glyph]
    return chr(0xF000 + code) if bullet_font == "wingdings_pua" else chr(code)


def build_wingdings(dejavu: Path) -> bytes:
    """A stand-in "Wingdings-Regular" TrueType font: DejaVu Sans's bullet shapes at their
    Wingdings codes, each mapped from both the PUA (U+F0xx) and the Latin-1 (U+00xx) code
    point.  Deterministic bytes: no timestamps are recalculated.
    """
    font = FontFile(str(dejavu), recalcTimestamp=False)
    cmap = font.getBestCmap()
    glyph_of = {code: cmap[ord(shape)] for shape, code in WINGDINGS_CODES.items()}
    options = ft_subset.Options()
    options.layout_features = []
    options.drop_tables += ["GDEF", "GPOS", "GSUB", "MATH", "FFTM"]
    options.name_IDs = [0, 5, 13, 14]  # copyright, version, license (kept, as it asks)
    options.notdef_outline = True
    options.hinting = False
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(glyphs=sorted(set(glyph_of.values())))
    subsetter.subset(font)
    table = CmapSubtable.newSubtable(4)
    table.platformID, table.platEncID, table.language = 3, 1, 0
    table.cmap = {}
    for code, glyph in sorted(glyph_of.items()):
        table.cmap[0xF000 + code] = glyph
        table.cmap[code] = glyph
    font["cmap"].tables = [table]
    names = font["name"]
    for name_id, value in (
        (1, "Wingdings"),
        (2, "Regular"),
        (3, "Wingdings Regular (corpora/generate.py, from DejaVu Sans)"),
        (4, "Wingdings Regular"),
        (6, "Wingdings-Regular"),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    font.recalcTimestamp = False
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def font_cache_dir() -> Path:
    """.cache/corpus_fonts in the repository (git-ignored), else one in the temp folder."""
    for folder in (ROOT / ".cache" / "corpus_fonts", Path(tempfile.gettempdir()) / "corpus_fonts"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise GenerateError("no writable folder for the generated Wingdings font")


class Fonts:
    """IPAexGothic for text, DejaVu Sans for the glyphs IPAex lacks (⚫, ➢).

    reportlab silently draws nothing for a glyph missing from the font, so every character
    is routed to a font that has it, and a character no font has is an error.  The bullets
    of a document with a bullet_font are the exception: they are drawn explicitly in the
    stand-in Wingdings font (symbol_font), at their Wingdings code point.
    """

    PRIMARY = "IPAexGothic"
    FALLBACK = "DejaVuSans"
    SYMBOL = "Wingdings"  # built on demand for documents with a bullet_font

    def __init__(self) -> None:
        ipa = importlib.resources.files("matplotlib_fontja") / "fonts" / "ipaexg.ttf"
        self._dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        self._cmaps: dict[str, dict] = {}
        for name, path in ((self.PRIMARY, ipa), (self.FALLBACK, self._dejavu)):
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path)))
            self._cmaps[name] = pdfmetrics.getFont(name).face.charToGlyph
        self._font: dict[str, str] = {}
        self._em: dict[str, float] = {}

    def symbol_font(self) -> str:
        """Build (into the font cache), register and return the stand-in Wingdings font.

        Only bullet glyphs are drawn with it, chosen explicitly: font_for never picks it.
        """
        if self.SYMBOL not in pdfmetrics.getRegisteredFontNames():
            data = build_wingdings(self._dejavu)
            path = font_cache_dir() / "Wingdings-Regular.ttf"
            if not path.is_file() or path.read_bytes() != data:
                write_atomic(path, data)
            pdfmetrics.registerFont(TTFont(self.SYMBOL, str(path)))
        return self.SYMBOL

    def has_glyph(self, font: str, ch: str) -> bool:
        return ord(ch) in self._cmaps[font]

    def font_for(self, ch: str) -> str:
        font = self._font.get(ch)
        if font is None:
            for name in (self.PRIMARY, self.FALLBACK):
                if self.has_glyph(name, ch):
                    font = name
                    break
            else:
                raise GenerateError(f"no embedded font has a glyph for {ch!r} (U+{ord(ch):04X})")
            self._font[ch] = font
        return font

    def check_text(self, text: str) -> str | None:
        """The first character no font can draw, or None."""
        for ch in text:
            try:
                self.font_for(ch)
            except GenerateError:
                return ch
        return None

    def char_width(self, ch: str, size: float) -> float:
        em = self._em.get(ch)
        if em is None:
            em = pdfmetrics.stringWidth(ch, self.font_for(ch), 1000) / 1000
            self._em[ch] = em
        return em * size

    def width(self, text: str, size: float, font: str | None = None) -> float:
        if font is not None:
            return pdfmetrics.stringWidth(text, font, size)
        return sum(self.char_width(ch, size) for ch in text)

    def runs(self, text: str, font: str | None = None) -> list[tuple[str, str]]:
        """Split text into (font, substring) runs of one font each (or one run in font)."""
        if font is not None:
            return [(font, text)]
        out: list[tuple[str, str]] = []
        for ch in text:
            font = self.font_for(ch)
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out


# ---------------------------------------------------------------------------------------
# Line wrapping (PowerPoint-like: by measured width, character by character)


def is_word_char(ch: str) -> bool:
    """Part of a Latin word / number (SC, Zoom, 47.1%, 13:30) that should not be split."""
    return "!" <= ch <= "~"


def _greedy_end(text: str, start: int, width: float, size: float, fonts: Fonts) -> int:
    """Index after the last character that fits on a line starting at start (at least one)."""
    used = 0.0
    end = start
    while end < len(text):
        w = fonts.char_width(text[end], size)
        if end > start and used + w > width + 1e-6:
            break
        used += w
        end += 1
    return end


def _adjust_break(text: str, start: int, end: int, width: float, size: float, fonts: Fonts) -> int:
    """Move a break (between text[end-1] and text[end]) back for Latin words and kinsoku."""
    greedy = end
    for _ in range(12):
        before, after = text[end - 1], text[end]
        if before == " " or after == " ":
            return end
        if is_word_char(before) and is_word_char(after):
            # keep a Latin word whole: break before it when it fits on a line of its own
            word_start = end - 1
            while word_start > start and is_word_char(text[word_start - 1]):
                word_start -= 1
            word_end = end
            while word_end < len(text) and is_word_char(text[word_end]):
                word_end += 1
            if word_start == start or fonts.width(text[word_start:word_end], size) > width:
                return end
            new_end = word_start
        elif after in NO_LINE_START or before in NO_LINE_END:
            new_end = end - 1  # push one character down to the next line (oidashi)
        else:
            return end
        if new_end <= start:
            return greedy  # nothing would be left on the line: accept the greedy break
        end = new_end
    return greedy


def wrap(text: str, width: float, size: float, fonts: Fonts) -> list[tuple[int, int]]:
    """Wrap text into lines no wider than width; returns (start, end) offsets per line.

    Spaces at a break are not drawn (neither at the end nor the start of a line).
    """
    lines: list[tuple[int, int]] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] == " ":
            pos += 1
        if pos >= len(text):
            break
        end = _greedy_end(text, pos, width, size, fonts)
        if end < len(text):
            end = _adjust_break(text, pos, end, width, size, fonts)
        drawn = end
        while drawn > pos and text[drawn - 1] == " ":
            drawn -= 1
        lines.append((pos, drawn))
        pos = end
    return lines


# ---------------------------------------------------------------------------------------
# Flow layout: paragraphs (bullets, info lines, sub-headings, ⚫ lines) into a column


@dataclass(frozen=True)
class Para:
    text: str
    kind: str  # "bullet" | "cont" (rest of a bullet split across slides) | "plain" | "sub"
    level: int = 1
    glyph: str = ""


@dataclass(frozen=True)
class Placed:
    """One drawn line (or bullet glyph) relative to the top-left of its column."""

    x: float
    y: float  # baseline, downwards from the top
    text: str
    size: float
    style: str  # "text" | "glyph" | "sub" | "label" | "head"


def para_text_x(para: Para, size: float) -> tuple[float, float]:
    """x of the glyph and x of the text: continuation lines align under the text."""
    glyph_x = (para.level - 1) * LEVEL2_INDENT * size
    if para.kind in ("bullet", "cont"):
        return glyph_x, glyph_x + GLYPH_INDENT * size
    return glyph_x, glyph_x


def layout_flow(paras: list[Para], width: float, size: float, fonts: Fonts):
    """Place paragraphs top-down in a column of the given width; returns (lines, height)."""
    placed: list[Placed] = []
    y = 0.0
    for n, para in enumerate(paras):
        if n:
            y += size * (SUB_GAP if para.kind == "sub" else PARA_GAP)
        glyph_x, text_x = para_text_x(para, size)
        if width - text_x < 2 * size:
            raise GenerateError(f"column of {width:.0f} pt is too narrow for {para.text[:12]}…")
        style = "sub" if para.kind == "sub" else "text"
        for k, (start, end) in enumerate(wrap(para.text, width - text_x, size, fonts)):
            baseline = y + ASCENT * size
            if k == 0 and para.glyph:
                placed.append(Placed(glyph_x, baseline, para.glyph, size, "glyph"))
            placed.append(Placed(text_x, baseline, para.text[start:end], size, style))
            y += LINE_HEIGHT * size
    return placed, y


def font_sizes(base: float):
    """base, base - 0.5, ... down to MIN_FONT: the shrink-on-overflow steps."""
    size = base
    while size >= MIN_FONT - 1e-9:
        yield round(size, 2)
        size -= FONT_STEP


def fit_flow(paras, width, height, base, fonts, what):
    """Largest font size at which the paragraphs fit the box; raise if none does."""
    for size in font_sizes(base):
        placed, used = layout_flow(paras, width, size, fonts)
        if used <= height + 1e-6:
            return placed, used, size
    raise GenerateError(
        f"{what}: text does not fit {width:.0f} x {height:.0f} pt even at {MIN_FONT} pt"
    )


def layout_centered(text: str, width: float, size: float, fonts: Fonts, style: str):
    """Wrap a label or header and centre each line horizontally; returns (lines, height)."""
    placed = []
    y = 0.0
    for start, end in wrap(text, width, size, fonts):
        line = text[start:end]
        x = (width - fonts.width(line, size)) / 2
        placed.append(Placed(x, y + ASCENT * size, line, size, style))
        y += LINE_HEIGHT * size
    return placed, y


# ---------------------------------------------------------------------------------------
# Drawing


COLORS = {"text": INK, "glyph": INK, "sub": NAVY, "label": NAVY, "head": WHITE}
BOLD = {"sub", "label", "head"}


class Painter:
    """A reportlab canvas with top-left coordinates that checks and records what it draws."""

    def __init__(
        self, canvas: Canvas, style: PageStyle, fonts: Fonts, what: str, bullet_font=None
    ) -> None:
        self.c = canvas
        self.style = style
        self.fonts = fonts
        self.what = what
        self.bullet_font = bullet_font  # None, or one of BULLET_FONTS
        self.drawn: Counter[str] = Counter()

    def text(self, x, y, text, size, color=INK, bold=False, font=None) -> float:
        """Draw one line with its baseline at y; one drawString per font run (or all in font)."""
        width = self.fonts.width(text, size, font)
        if x < -0.01 or x + width > self.style.width + 0.01 or not 0 < y < self.style.height:
            raise GenerateError(f"{self.what}: text runs off the page: {text[:20]}…")
        self.c.setFillColorRGB(*color)
        self.c.setStrokeColorRGB(*color)
        self.c.setLineWidth(size * 0.035)
        for run_font, run in self.fonts.runs(text, font):
            self.c.setFont(run_font, size)
            # render mode 2 (fill + stroke): a faux bold, as IPAexGothic has no bold face
            self.c.drawString(x, self.style.height - y, run, mode=2 if bold else 0)
            x += self.fonts.width(run, size, font)
        self.drawn.update(text)
        return width

    def lines(self, placed, dx: float, dy: float, clip) -> None:
        """Draw placed lines offset by (dx, dy); every line must stay inside clip."""
        x0, top, x1, bottom = clip
        for p in placed:
            x, y = p.x + dx, p.y + dy
            text, font = p.text, None
            if p.style == "glyph" and self.bullet_font and p.text != SUMMARY_BULLET:
                # item bullets (not the ⚫ lines) at their Wingdings code, in the Wingdings font
                text, font = bullet_char(p.text, self.bullet_font), self.fonts.symbol_font()
            right = x + self.fonts.width(text, p.size, font)
            if x < x0 - 0.01 or right > x1 + 0.01 or y - ASCENT * p.size < top - 0.01:
                raise GenerateError(f"{self.what}: text overflows its cell: {p.text[:20]}…")
            if y + (LINE_HEIGHT - ASCENT) * p.size > bottom + 0.01:
                raise GenerateError(f"{self.what}: text overflows its cell: {p.text[:20]}…")
            self.text(x, y, text, p.size, COLORS[p.style], p.style in BOLD, font)

    def rect(self, x, y, w, h, fill=None, stroke=None, width=0.75) -> None:
        if fill:
            self.c.setFillColorRGB(*fill)
        if stroke:
            self.c.setStrokeColorRGB(*stroke)
            self.c.setLineWidth(width)
        self.c.rect(
            x, self.style.height - y - h, w, h, stroke=int(bool(stroke)), fill=int(bool(fill))
        )

    def line(self, x1, y1, x2, y2, color=RULE, width=0.75) -> None:
        self.c.setStrokeColorRGB(*color)
        self.c.setLineWidth(width)
        self.c.line(x1, self.style.height - y1, x2, self.style.height - y2)


def fit_one_line(text: str, width: float, size: float, fonts: Fonts, what: str) -> float:
    """Shrink a single-line text (title, subtitle) until it fits the width."""
    for s in font_sizes(size):
        if fonts.width(text, s) <= width:
            return s
    raise GenerateError(f"{what}: {text!r} does not fit on one line")


def draw_frame(p: Painter, title: str, subtitle: str, footer: str, page_no: int) -> None:
    """Title band, subtitle line, footer rule with footer text and page number."""
    st = p.style
    p.rect(0, 0, st.width, st.title_h, fill=NAVY)
    p.rect(0, st.title_h, st.width, 3, fill=ACCENT)
    size = fit_one_line(title, st.content_width, st.title_size, p.fonts, p.what)
    p.text(st.margin, st.title_h / 2 + 0.36 * size, title, size, WHITE, bold=True)
    size = fit_one_line(subtitle, st.content_width, st.subtitle_size, p.fonts, p.what)
    p.text(st.margin, st.title_h + 10 + ASCENT * size, subtitle, size, NAVY, bold=True)
    p.line(st.margin, st.footer_rule, st.width - st.margin, st.footer_rule, RULE, 0.5)
    p.text(st.margin, st.footer_rule + 15, footer, 9, RULE)
    number = str(page_no)
    p.text(st.width - st.margin - p.fonts.width(number, 10), st.footer_rule + 15, number, 10, RULE)


# ---------------------------------------------------------------------------------------
# Tables: a label column and body cells, ruled with lines


@dataclass(frozen=True)
class Cell:
    kind: str  # "label" | "head" | "body" | "blank"
    text: str = ""
    paras: tuple = ()
    span: int = 1


@dataclass(frozen=True)
class TableStyle:
    labels: LabelMetrics
    head: float  # header-row font size
    fonts: Fonts


@dataclass
class TableLayout:
    ts: TableStyle
    x: float
    y: float
    col_x: list[float]  # left edge of every column, plus the right edge of the table
    rows: list[list[Cell]]
    heights: list[float]
    size: float  # body font size after shrink-on-overflow


def cell_content(cell: Cell, width: float, size: float, ts: TableStyle):
    """(lines relative to the cell's inner top-left, content height, padding x, padding y)."""
    labels, fonts = ts.labels, ts.fonts
    if cell.kind == "label":
        inner = width - 2 * LABEL_PAD_X
        lines, h = layout_centered(cell.text, inner, labels.size_for(cell.text), fonts, "label")
        return lines, h, LABEL_PAD_X, CELL_PAD_Y
    if cell.kind == "head":
        lines, h = layout_centered(cell.text, width - 2 * CELL_PAD_X, ts.head, fonts, "head")
        return lines, h, CELL_PAD_X, 3.0
    if cell.kind == "body":
        lines, h = layout_flow(list(cell.paras), width - 2 * CELL_PAD_X, size, fonts)
        return lines, h, CELL_PAD_X, CELL_PAD_Y
    return [], 0.0, 0.0, 0.0


def cell_widths(col_x: list[float], row: list[Cell]) -> list[tuple[float, float]]:
    """(x, width) of each cell of a row, honouring column spans."""
    out, col = [], 0
    for cell in row:
        out.append((col_x[col], col_x[col + cell.span] - col_x[col]))
        col += cell.span
    if col != len(col_x) - 1:
        raise GenerateError("table row spans the wrong number of columns")
    return out


def natural_heights(rows, col_x, size, ts: TableStyle) -> list[float]:
    """Each row's height: its tallest cell's content plus padding."""
    heights = []
    for row in rows:
        h = 0.0
        for cell, (_, w) in zip(row, cell_widths(col_x, row), strict=True):
            _, content, _, pad_y = cell_content(cell, w, size, ts)
            h = max(h, content + 2 * pad_y)
        heights.append(h)
    return heights


def layout_table(ts: TableStyle, x, y, widths, rows, base, avail, what, force=None):
    """Choose the body font (shrink-on-overflow) and row heights proportional to content."""
    col_x = [x]
    for w in widths:
        col_x.append(col_x[-1] + w)
    # force: a slide continued on the next keeps the size it had with its last bullet whole
    sizes = [force] if force else list(font_sizes(base))
    for size in sizes:
        heights = natural_heights(rows, col_x, size, ts)
        if sum(heights) <= avail + 1e-6:
            break
    else:
        raise GenerateError(f"{what}: table does not fit {avail:.0f} pt even at {sizes[-1]} pt")
    # rows grow with the slide, in proportion to their content (header rows keep theirs)
    stretchable = [i for i, row in enumerate(rows) if any(c.kind == "body" for c in row)]
    fixed = sum(h for i, h in enumerate(heights) if i not in stretchable)
    grow = sum(heights[i] for i in stretchable)
    factor = min(MAX_STRETCH, (avail - fixed) / grow) if grow else 1.0
    heights = [h * factor if i in stretchable else h for i, h in enumerate(heights)]
    return TableLayout(ts, x, y, col_x, rows, heights, size)


def draw_table(p: Painter, t: TableLayout) -> None:
    """Fill label/header cells, draw their text, then rule every cell border as lines."""
    y = t.y
    for row, h in zip(t.rows, t.heights, strict=True):
        for cell, (cx, cw) in zip(row, cell_widths(t.col_x, row), strict=True):
            if cell.kind in ("label", "blank"):
                p.rect(cx, y, cw, h, fill=PALE)
            elif cell.kind == "head":
                p.rect(cx, y, cw, h, fill=BLUE)
            lines, content, pad_x, pad_y = cell_content(cell, cw, t.size, t.ts)
            # labels and headers are centred vertically, bullets start at the top
            top = y + (h - content) / 2 if cell.kind in ("label", "head") else y + pad_y
            p.lines(lines, cx + pad_x, top, (cx, y, cx + cw, y + h))
        y += h
    # borders: horizontal rules across the table, vertical rules per row (spans skip them)
    y = t.y
    p.line(t.col_x[0], y, t.col_x[-1], y)
    for row, h in zip(t.rows, t.heights, strict=True):
        for cx, _ in cell_widths(t.col_x, row):
            p.line(cx, y, cx, y + h)
        p.line(t.col_x[-1], y, t.col_x[-1], y + h)
        y += h
        p.line(t.col_x[0], y, t.col_x[-1], y)


# ---------------------------------------------------------------------------------------
# Paragraphs from source items


def item_paras(items: list[dict], bullet: str) -> list[Para]:
    paras = []
    for item in items:
        paras.append(Para(item["text"], "bullet", 1, bullet))
        for child in item.get("children") or []:
            paras.append(Para(child["text"], "bullet", 2, LEVEL2_BULLET))
    return paras


def summary_paras(lines: list[str]) -> list[Para]:
    return [Para(text, "bullet", 1, SUMMARY_BULLET) for text in lines]


def draw_summary(p: Painter, lines: list[str]) -> float:
    """⚫ lines at the foot of the slide; returns the y where they start."""
    st = p.style
    avail = (st.content_bottom - st.content_top) * 0.3
    placed, used, _ = fit_flow(
        summary_paras(lines), st.content_width, avail, st.summary_size, p.fonts, f"{p.what} ⚫"
    )
    top = st.content_bottom - used
    p.lines(placed, st.margin, top, (st.margin, top, st.width - st.margin, st.content_bottom))
    return top


# ---------------------------------------------------------------------------------------
# The slides


@dataclass(frozen=True)
class SlideContext:
    source: dict
    style: PageStyle
    labels: LabelMetrics
    bullet: str
    section: str  # "１．" in multi-municipality documents, else ""
    boxes: str = "ruled"  # slide 3: ruled boxes, or borderless text boxes under header bands


def subtitle(ctx: SlideContext) -> str:
    src = ctx.source
    return f"{ctx.section}{src['municipality']}（{src['profile']}）　{src['fiscal_year']} 市町村伴走支援"


def footer(ctx: SlideContext) -> str:
    return f"{ctx.source['fiscal_year']} 市町村伴走支援事業 報告書"


def body(paras) -> Cell:
    return Cell("body", paras=tuple(paras))


def table_style(ctx: SlideContext, fonts: Fonts) -> TableStyle:
    return TableStyle(ctx.labels, ctx.style.head_size, fonts)


def situation_rows(ctx: SlideContext, kadai: list[Para], with_top: bool) -> list[list[Cell]]:
    sit = ctx.source["situation"]
    goal = sit["目指す姿"]
    rows = []
    if with_top:
        rows.append([Cell("label", "現状"), body(item_paras(sit["現状"], ctx.bullet))])
        rows.append([Cell("label", goal["heading"]), body(item_paras(goal["items"], ctx.bullet))])
    rows.append([Cell("label", "課題意識"), body(kadai)])
    return rows


def situation_table(ctx, fonts, what, kadai, with_top, avail, force=None) -> TableLayout:
    """Slide 1's table (or, without with_top, the continuation's 課題意識 row alone)."""
    st = ctx.style
    widths = [ctx.labels.column, st.content_width - ctx.labels.column]
    rows = situation_rows(ctx, kadai, with_top)
    return layout_table(
        table_style(ctx, fonts), st.margin, st.content_top, widths, rows,
        st.situation_size, avail, f"{what} 伴走支援前の状況", force,
    )  # fmt: skip


def split_kadai(ctx: SlideContext, fonts: Fonts, what: str, avail: float, mid_bullet: bool):
    """Split the 課題意識 paragraphs over two slides: (first slide's, continuation's, size).

    Between bullets after half of the items; with mid_bullet, the last bullet on the first
    slide is cut at a line boundary and its remaining lines continue on the next slide
    (drawn without a glyph, aligned under the text).  The first slide keeps the font size
    it would have with that bullet whole, so the cut falls exactly at a line end.
    """
    items = ctx.source["situation"]["課題意識"]
    keep = math.ceil(len(items) / 2)
    first = item_paras(items[:keep], ctx.bullet)
    rest = item_paras(items[keep:], ctx.bullet)
    table = situation_table(ctx, fonts, what, first, True, avail)
    if not mid_bullet:
        return first, rest, table.size
    # the bullet to cut: the last one of the first half if it wraps, else the nearest that does
    candidates = list(range(keep - 1, len(items))) + list(range(keep - 2, -1, -1))
    for index in candidates:
        if index + 1 != keep:  # a different first slide: its font size may differ
            whole = item_paras(items[: index + 1], ctx.bullet)
            table = situation_table(ctx, fonts, what, whole, True, avail)
        text_w = table.col_x[2] - table.col_x[1] - 2 * CELL_PAD_X
        item = items[index]
        _, text_x = para_text_x(Para(item["text"], "bullet"), table.size)
        lines = wrap(item["text"], text_w - text_x, table.size, fonts)
        if len(lines) < 2:
            continue
        cut = lines[math.ceil(len(lines) / 2)][0]
        head = item_paras(items[:index], ctx.bullet) + [
            Para(item["text"][:cut], "bullet", 1, ctx.bullet)
        ]
        tail = [Para(item["text"][cut:], "cont")]
        tail += [Para(c["text"], "bullet", 2, LEVEL2_BULLET) for c in item.get("children") or []]
        tail += item_paras(items[index + 1 :], ctx.bullet)
        return head, tail, table.size
    table = situation_table(ctx, fonts, what, first, True, avail)
    return first, rest, table.size  # no bullet wraps: split between bullets


class Pages:
    """The canvas of one document: hands out a Painter per page, records what each drew."""

    def __init__(
        self, canvas: Canvas, style: PageStyle, fonts: Fonts, what: str, bullet_font=None
    ) -> None:
        self.c = canvas
        self.style = style
        self.fonts = fonts
        self.what = what
        self.bullet_font = bullet_font
        self.drawn: list[Counter] = []

    def start(self) -> Painter:
        what = f"{self.what} p{len(self.drawn) + 1}"
        return Painter(self.c, self.style, self.fonts, what, self.bullet_font)

    def finish(self, p: Painter) -> None:
        self.drawn.append(p.drawn)
        self.c.showPage()

    @property
    def next_number(self) -> int:
        return len(self.drawn) + 1


def draw_situation(pages: Pages, ctx: SlideContext, continued: bool, mid_bullet: bool) -> None:
    """Slide 1 (and its continuation): label/bullet table, ⚫ lines at the foot."""
    st, fonts, what = ctx.style, pages.fonts, pages.what
    sit = ctx.source["situation"]
    title = "伴走支援前の状況"
    first_title = f"{ctx.section}{ctx.source['municipality']}　{title}" if ctx.section else title
    gap = 10
    p = pages.start()
    draw_frame(p, first_title, subtitle(ctx), footer(ctx), pages.next_number)
    if not continued:
        top = draw_summary(p, sit["まとめ"])
        kadai = item_paras(sit["課題意識"], ctx.bullet)
        table = situation_table(ctx, fonts, what, kadai, True, top - gap - st.content_top)
        draw_table(p, table)
        pages.finish(p)
        return
    # the continuation slide carries the ⚫ lines, so the first slide's table may use their room
    avail = st.content_bottom - st.content_top
    head, tail, size = split_kadai(ctx, fonts, what, avail, mid_bullet)
    draw_table(p, situation_table(ctx, fonts, what, head, True, avail, size))
    pages.finish(p)
    p = pages.start()
    draw_frame(p, f"{title}（続き）", subtitle(ctx), footer(ctx), pages.next_number)
    top = draw_summary(p, sit["まとめ"])
    table = situation_table(ctx, fonts, what, tail, False, top - gap - st.content_top)
    draw_table(p, table)
    pages.finish(p)


def draw_overview(pages: Pages, ctx: SlideContext) -> None:
    """Slide 2: label column + 第1回 | 第2回 | 第3回, 支援体制 spanning the three."""
    st = ctx.style
    ov = ctx.source["overview"]
    p = pages.start()
    draw_frame(p, "実施概要", subtitle(ctx), footer(ctx), pages.next_number)
    session_w = (st.content_width - ctx.labels.column) / 3
    sessions = ov["sessions"]
    rows = [
        [Cell("blank")] + [Cell("head", f"第{n}回") for n in (1, 2, 3)],
        [Cell("label", "基本情報")] + [body(Para(t, "plain") for t in s["基本情報"]) for s in sessions],
        [Cell("label", "実施内容")] + [body(item_paras(s["実施内容"], ctx.bullet)) for s in sessions],
        [Cell("label", "支援体制"), Cell("body", paras=tuple(item_paras(ov["支援体制"], ctx.bullet)), span=3)],
    ]  # fmt: skip
    table = layout_table(
        table_style(ctx, pages.fonts), st.margin, st.content_top,
        [ctx.labels.column] + [session_w] * 3, rows, st.overview_size,
        st.content_bottom - st.content_top, f"{pages.what} 実施概要",
    )  # fmt: skip
    draw_table(p, table)
    pages.finish(p)


def results_boxes(ctx: SlideContext) -> list[tuple[str, list[Para]]]:
    res = ctx.source["results"]
    reached = [Para(res["到達点"]["subheading"], "sub")] + item_paras(
        res["到達点"]["items"], ctx.bullet
    )
    done: list[Para] = []
    for session in res["支援内容"]["sessions"]:
        done.append(Para(session["heading"], "sub"))
        done.extend(item_paras(session["items"], ctx.bullet))
    return [
        (
            res["アセスメント結果"]["heading"],
            item_paras(res["アセスメント結果"]["items"], ctx.bullet),
        ),
        (res["到達点"]["heading"], reached),
        (res["支援内容"]["heading"], done),
    ]


def draw_results(pages: Pages, ctx: SlideContext) -> None:
    """Slide 3: three boxes side by side, each with its own shrink-on-overflow, ⚫ lines."""
    st, fonts, what = ctx.style, pages.fonts, pages.what
    p = pages.start()
    draw_frame(p, "実施内容と実施結果", subtitle(ctx), footer(ctx), pages.next_number)
    bottom = draw_summary(p, ctx.source["results"]["まとめ"]) - 10
    gap = 10
    box_w = (st.content_width - 2 * gap) / 3
    inner_w = box_w - 2 * CELL_PAD_X
    boxes = results_boxes(ctx)
    heads = [layout_centered(h, inner_w, st.head_size, fonts, "head") for h, _ in boxes]
    band = max(h for _, h in heads) + 2 * CELL_PAD_Y
    box_h = bottom - st.content_top  # fixed shapes of the template, down to the ⚫ lines
    body_h = box_h - band - 2 * CELL_PAD_Y
    for n, ((heading, paras), (head_lines, head_h)) in enumerate(zip(boxes, heads, strict=True)):
        x = st.margin + n * (box_w + gap)
        y = st.content_top
        p.rect(x, y, box_w, band, fill=BLUE)
        p.lines(head_lines, x + CELL_PAD_X, y + (band - head_h) / 2, (x, y, x + box_w, y + band))
        placed, _, _ = fit_flow(paras, inner_w, body_h, st.box_size, fonts, f"{what} {heading}")
        body_top = y + band + CELL_PAD_Y
        p.lines(placed, x + CELL_PAD_X, body_top, (x, body_top, x + box_w, y + box_h))
        if ctx.boxes == "ruled":
            # borderless: PowerPoint text boxes with no outline, side by side under their
            # header bands; nothing but white space separates the columns
            p.rect(x, y, box_w, box_h, stroke=BLUE, width=1.2)
    pages.finish(p)


# ---------------------------------------------------------------------------------------
# Documents


def fullwidth_number(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def source_pages(continued: bool) -> int:
    return 4 if continued else 3


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    drawn: list[Counter]  # characters drawn on each page, to verify the PDF against


def render_document(doc: dict, sources: dict, fonts: Fonts) -> Rendered:
    """Render one manifest document (one or more municipalities) to PDF bytes."""
    style = PAGE_STYLES[doc["page"]]
    labels = label_metrics(style, doc["label_width"])
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(style.width, style.height), invariant=1, pageCompression=1)
    c.setTitle(f"市町村伴走支援 報告書（{doc['file']}）")
    c.setAuthor("fictional sample data")
    c.setCreator("corpora/generate.py")
    pages = Pages(c, style, fonts, doc["file"], doc.get("bullet_font"))
    multi = len(doc["sources"]) > 1
    for n, sid in enumerate(doc["sources"], 1):
        section = f"{fullwidth_number(n)}．" if multi else ""
        ctx = SlideContext(
            sources[sid], style, labels, doc["bullet"], section, doc.get("boxes", "ruled")
        )
        pages.what = f"{doc['file']} ({sid})"  # names the source in layout errors
        draw_situation(pages, ctx, doc["continued"], doc.get("mid_bullet", False))
        draw_overview(pages, ctx)
        draw_results(pages, ctx)
    c.save()
    return Rendered(buf.getvalue(), len(pages.drawn), pages.drawn)


def verify_pdf(rendered: Rendered, name: str) -> None:
    """Every character drawn must come back from pdfplumber, and nothing else (no U+0000)."""
    with pdfplumber.open(io.BytesIO(rendered.pdf)) as pdf:
        if len(pdf.pages) != rendered.pages:
            raise GenerateError(f"{name}: {len(pdf.pages)} pages, expected {rendered.pages}")
        for n, (page, drawn) in enumerate(zip(pdf.pages, rendered.drawn, strict=True), 1):
            got = Counter(ch["text"] for ch in page.chars)
            if got != drawn:
                diff = (drawn - got) + (got - drawn)
                raise GenerateError(f"{name} p{n}: characters do not round-trip: {dict(diff)}")


# ---------------------------------------------------------------------------------------
# Gold


def gold_items(items: list[dict], labelled: bool, context: str | None = None) -> list[dict]:
    """Items and their ➢ children, flattened in drawing order; parent = index in the list."""
    out = []
    for item in items:
        parent = len(out)
        for level, it in [(1, item)] + [(2, c) for c in item.get("children") or []]:
            themes = it["themes"] if labelled else None
            out.append(
                gold_item(it["text"], level, parent if level == 2 else None, context, themes)
            )
    return out


def gold_item(text, level, parent, context, themes) -> dict:
    themes = list(themes) if themes is not None else None
    return {"text": text, "level": level, "parent": parent, "context": context, "themes": themes}


def gold_block(block, heading, session, page, items) -> dict:
    return {"block": block, "heading": heading, "session": session, "page": page, "items": items}


def gold_lines(lines: list[str]) -> list[dict]:
    return [gold_item(text, 1, None, None, None) for text in lines]


def source_gold_blocks(src: dict, first_page: int, continued: bool) -> list[dict]:
    """The blocks of one municipality in slide order, with the page each starts on."""
    sit, ov, res = src["situation"], src["overview"], src["results"]
    goal = sit["目指す姿"]
    p1 = first_page
    p_summary1 = p1 + 1 if continued else p1  # the continuation slide carries the ⚫ lines
    p2 = p_summary1 + 1
    p3 = p2 + 1
    blocks = [
        gold_block("現状", "現状", None, p1, gold_items(sit["現状"], False)),
        gold_block("目指す姿", goal["heading"], None, p1, gold_items(goal["items"], False)),
        gold_block("課題意識", "課題意識", None, p1, gold_items(sit["課題意識"], True)),
        gold_block("まとめ", "まとめ", None, p_summary1, gold_lines(sit["まとめ"])),
    ]
    for n, s in enumerate(ov["sessions"], 1):
        blocks.append(gold_block("基本情報", "基本情報", n, p2, gold_lines(s["基本情報"])))
    for n, s in enumerate(ov["sessions"], 1):
        blocks.append(gold_block("実施内容", "実施内容", n, p2, gold_items(s["実施内容"], False)))
    blocks.append(gold_block("支援体制", "支援体制", None, p2, gold_items(ov["支援体制"], False)))
    a, r, d = res["アセスメント結果"], res["到達点"], res["支援内容"]
    blocks.append(
        gold_block("アセスメント結果", a["heading"], None, p3, gold_items(a["items"], True))
    )
    blocks.append(
        gold_block("到達点", r["heading"], None, p3, gold_items(r["items"], True, r["subheading"]))
    )
    done = []
    for s in d["sessions"]:
        done.extend(gold_items(s["items"], False, s["heading"]))
    blocks.append(gold_block("支援内容", d["heading"], None, p3, done))
    blocks.append(gold_block("まとめ", "まとめ", None, p3, gold_lines(res["まとめ"])))
    return blocks


def build_gold(batch: str, docs: list[dict], sources: dict) -> dict:
    """Gold for a list of documents, from the sources alone."""
    documents, municipalities = [], []
    for doc in docs:
        page = 1
        for sid in doc["sources"]:
            src = sources[sid]
            municipalities.append(
                {
                    "municipality": src["municipality"],
                    "source": sid,
                    "file": doc["file"],
                    "variant": doc["variant"],
                    "blocks": source_gold_blocks(src, page, doc["continued"]),
                }
            )
            page += source_pages(doc["continued"])
        documents.append(
            {
                "file": doc["file"],
                "held_out": doc.get("held_out", False),
                "variant": doc["variant"],
                "pages": page - 1,
                "municipalities": [sources[sid]["municipality"] for sid in doc["sources"]],
            }
        )
    return {"batch": batch, "documents": documents, "municipalities": municipalities}


def gold_json(gold: dict) -> bytes:
    return (json.dumps(gold, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------
# Loading and validating sources and the manifest


def fail(where: str, problem: str):
    raise GenerateError(f"{where}: {problem}")


def load_yaml(path: Path):
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        fail(f"{path.name}{line}", f"invalid YAML ({getattr(exc, 'problem', exc)})")


def check_mapping(value, required: tuple, optional: tuple, where: str) -> dict:
    if not isinstance(value, dict):
        fail(where, "expected a mapping")
    for key in required:
        if key not in value:
            fail(where, f"missing key '{key}'")
    for key in value:
        if key not in required and key not in optional:
            fail(where, f"unknown key '{key}'")
    return value


def check_text(value, where: str, fonts: Fonts) -> str:
    """Drawable one-line text: no line breaks, no doubled or edge spaces."""
    if not isinstance(value, str) or not value:
        fail(where, "expected a non-empty string")
    if any(ch in value for ch in "\n\r\t") or value != value.strip() or "  " in value:
        fail(where, f"line breaks, tabs, doubled or edge spaces in {value[:20]!r}")
    bad = fonts.check_text(value)
    if bad is not None:
        fail(where, f"character {bad!r} (U+{ord(bad):04X}) is in no embedded font")
    return value


def check_list(value, where: str, min_len: int = 1) -> list:
    if not isinstance(value, list) or len(value) < min_len:
        fail(where, f"expected a list of at least {min_len}")
    return value


def check_lines(value, where: str, fonts: Fonts) -> list[str]:
    for n, line in enumerate(check_list(value, where)):
        check_text(line, f"{where}[{n}]", fonts)
    return value


def check_items(value, where: str, labelled: bool, fonts: Fonts, child: bool = False) -> list:
    """ITEM lists: themes required in labelled blocks and absent elsewhere; one child level."""
    for n, item in enumerate(check_list(value, where)):
        here = f"{where}[{n}]"
        if isinstance(item, dict) and "themes" in item and not labelled:
            fail(here, "themes belong only to 課題意識, アセスメント結果 and 到達点 items")
        if isinstance(item, dict) and "children" in item and child:
            fail(here, "children may not have children (one level only)")
        optional = () if child else ("children",)
        check_mapping(item, ("text", "themes") if labelled else ("text",), optional, here)
        check_text(item["text"], f"{here}.text", fonts)
        if labelled:
            themes = item["themes"]
            if not isinstance(themes, list):
                fail(f"{here}.themes", "expected a list of theme ids (possibly [])")
            for theme in themes:
                if theme not in THEME_IDS:
                    fail(f"{here}.themes", f"unknown theme id {theme!r}")
            if len(set(themes)) != len(themes):
                fail(f"{here}.themes", "repeated theme id")
        if "children" in item:
            check_items(item["children"], f"{here}.children", labelled, fonts, child=True)
    return value


def check_sessions(value, where: str) -> list:
    if not isinstance(value, list) or len(value) != 3:
        fail(where, "expected exactly 3 sessions")
    return value


def validate_source(data, path: Path, fonts: Fonts) -> dict:
    """Check a source against docs/corpus.md; raises GenerateError naming file and place."""
    name = path.name
    top = ("id", "municipality", "profile", "fiscal_year", "situation", "overview", "results")
    check_mapping(data, top, (), name)
    if data["id"] != path.stem or not re.fullmatch(r"[a-z0-9_]+", str(data["id"])):
        fail(f"{name}: id", f"must be the ASCII file name '{path.stem}'")
    for key in ("municipality", "profile", "fiscal_year"):
        check_text(data[key], f"{name}: {key}", fonts)
    if not data["municipality"].endswith(("市", "町", "村")):
        fail(f"{name}: municipality", "must end with 市, 町 or 村")
    w = f"{name}: situation"
    sit = check_mapping(data["situation"], ("現状", "目指す姿", "課題意識", "まとめ"), (), w)
    check_items(sit["現状"], f"{w}.現状", False, fonts)
    goal = check_mapping(sit["目指す姿"], ("heading", "items"), (), f"{w}.目指す姿")
    check_text(goal["heading"], f"{w}.目指す姿.heading", fonts)
    check_items(goal["items"], f"{w}.目指す姿.items", False, fonts)
    check_items(sit["課題意識"], f"{w}.課題意識", True, fonts)
    check_lines(sit["まとめ"], f"{w}.まとめ", fonts)
    w = f"{name}: overview"
    ov = check_mapping(data["overview"], ("sessions", "支援体制"), (), w)
    for n, s in enumerate(check_sessions(ov["sessions"], f"{w}.sessions")):
        check_mapping(s, ("基本情報", "実施内容"), (), f"{w}.sessions[{n}]")
        check_lines(s["基本情報"], f"{w}.sessions[{n}].基本情報", fonts)
        check_items(s["実施内容"], f"{w}.sessions[{n}].実施内容", False, fonts)
    check_items(ov["支援体制"], f"{w}.支援体制", False, fonts)
    w = f"{name}: results"
    res = check_mapping(
        data["results"], ("アセスメント結果", "到達点", "支援内容", "まとめ"), (), w
    )
    box = check_mapping(res["アセスメント結果"], ("heading", "items"), (), f"{w}.アセスメント結果")
    check_text(box["heading"], f"{w}.アセスメント結果.heading", fonts)
    check_items(box["items"], f"{w}.アセスメント結果.items", True, fonts)
    box = check_mapping(res["到達点"], ("heading", "subheading", "items"), (), f"{w}.到達点")
    check_text(box["heading"], f"{w}.到達点.heading", fonts)
    check_text(box["subheading"], f"{w}.到達点.subheading", fonts)
    check_items(box["items"], f"{w}.到達点.items", True, fonts)
    box = check_mapping(res["支援内容"], ("heading", "sessions"), (), f"{w}.支援内容")
    check_text(box["heading"], f"{w}.支援内容.heading", fonts)
    for n, s in enumerate(check_sessions(box["sessions"], f"{w}.支援内容.sessions")):
        check_mapping(s, ("heading", "items"), (), f"{w}.支援内容.sessions[{n}]")
        check_text(s["heading"], f"{w}.支援内容.sessions[{n}].heading", fonts)
        check_items(s["items"], f"{w}.支援内容.sessions[{n}].items", False, fonts)
    check_lines(res["まとめ"], f"{w}.まとめ", fonts)
    return data


DOC_KEYS = ("file", "variant", "page", "bullet", "label_width", "continued", "sources")
BOX_STYLES = ("ruled", "borderless")


def validate_manifest(data, path: Path) -> dict:
    name = path.name
    check_mapping(data, ("batch", "documents"), (), name)
    if not isinstance(data["batch"], str) or not data["batch"]:
        fail(f"{name}: batch", "expected a name")
    files = set()
    for n, doc in enumerate(check_list(data["documents"], f"{name}: documents")):
        where = f"{name}: documents[{n}]"
        check_mapping(doc, DOC_KEYS, ("boxes", "bullet_font", "held_out"), where)
        if not isinstance(doc.get("held_out", False), bool):
            fail(f"{where}.held_out", "must be true or false")
        if doc.get("boxes", "ruled") not in BOX_STYLES:
            fail(f"{where}.boxes", f"must be one of {', '.join(BOX_STYLES)}, got {doc['boxes']!r}")
        if "bullet_font" in doc:
            if doc["bullet_font"] not in BULLET_FONTS:
                allowed = ", ".join(BULLET_FONTS)
                fail(
                    f"{where}.bullet_font", f"must be one of {allowed}, got {doc['bullet_font']!r}"
                )
            if doc["bullet"] not in WINGDINGS_CODES:
                fail(f"{where}.bullet", f"{doc['bullet']!r} has no Wingdings code (bullet_font)")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+\.pdf", str(doc["file"])) or doc["file"] in files:
            fail(f"{where}.file", f"expected a unique *.pdf file name, got {doc['file']!r}")
        files.add(doc["file"])
        for key, allowed in (
            ("page", PAGE_KINDS),
            ("bullet", LEVEL1_BULLETS),
            ("label_width", LABEL_WIDTHS),
        ):
            if doc[key] not in allowed:
                fail(f"{where}.{key}", f"must be one of {', '.join(allowed)}, got {doc[key]!r}")
        if not isinstance(doc["variant"], str) or not isinstance(doc["continued"], bool):
            fail(where, "variant must be a string and continued true or false")
        for sid in check_list(doc["sources"], f"{where}.sources"):
            if not isinstance(sid, str):
                fail(f"{where}.sources", f"expected source ids, got {sid!r}")
    return data


def load_sources(manifest: dict, source_dir: Path, fonts: Fonts) -> dict:
    """Load and validate every source the manifest names; a missing one is an error."""
    ids = [sid for doc in manifest["documents"] for sid in doc["sources"]]
    sources = {}
    for sid in dict.fromkeys(ids):
        path = source_dir / f"{sid}.yaml"
        if not re.fullmatch(r"[a-z0-9_]+", sid) or not path.is_file():
            raise GenerateError(f"batch.yaml names source '{sid}', but {path} does not exist")
        sources[sid] = validate_source(load_yaml(path), path, fonts)
    for doc in manifest["documents"]:
        if doc["continued"]:
            for sid in doc["sources"]:
                if len(sources[sid]["situation"]["課題意識"]) < 2:
                    fail(
                        f"{sid}.yaml",
                        f"{doc['file']} is 'continued': 課題意識 needs 2 or more items",
                    )
    return sources


def plan_documents(manifest: dict) -> list[dict]:
    """Manifest documents plus derived settings: every other continued one splits mid-bullet."""
    docs, n_continued = [], 0
    for doc in manifest["documents"]:
        doc = dict(doc)
        if doc["continued"]:
            doc["mid_bullet"] = n_continued % 2 == 1
            n_continued += 1
        docs.append(doc)
    return docs


# ---------------------------------------------------------------------------------------
# Writing


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale(folder: Path, pattern: str, keep: set[str]) -> list[Path]:
    removed = []
    if folder.is_dir():
        for path in sorted(folder.glob(pattern)):
            if path.name not in keep:
                path.unlink()
                removed.append(path)
    return removed


def show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def plural(n: int, word: str, words: str) -> str:
    return f"{n} {word if n == 1 else words}"


def describe(gold: dict, file: str | None = None) -> str:
    """'3 pages, 1 municipality, 42 items' for one file, or the totals of a gold file."""
    docs = [d for d in gold["documents"] if file in (None, d["file"])]
    munis = [m for m in gold["municipalities"] if file in (None, m["file"])]
    items = sum(len(b["items"]) for m in munis for b in m["blocks"])
    first = plural(sum(d["pages"] for d in docs), "page", "pages")
    if file is None:
        first = plural(len(docs), "document", "documents")
    return f"{first}, {plural(len(munis), 'municipality', 'municipalities')}, {items} items"


def write_rendered(docs, gold, sources, fonts, folder: Path, log) -> None:
    """Render each document, check it against its gold page count, write the PDF."""
    for doc, gold_doc in zip(docs, gold["documents"], strict=True):
        rendered = render_document(doc, sources, fonts)
        if rendered.pages != gold_doc["pages"]:
            raise GenerateError(
                f"{doc['file']}: {rendered.pages} pages, gold says {gold_doc['pages']}"
            )
        verify_pdf(rendered, doc["file"])
        write_atomic(folder / doc["file"], rendered.pdf)
        log(f"wrote {show(folder / doc['file'])}: {describe(gold, doc['file'])}")
    write_atomic(folder / "gold.json", gold_json(gold))
    log(f"wrote {show(folder / 'gold.json')}: {describe(gold)}")


def generate(source_dir: Path, out_dir: Path, log=print) -> None:
    """Render every document of the manifest, write gold, drop stale PDFs.

    The text of these PDFs as real extractors write it (corpora/sample_txt/<tool>/) is
    made by `python -m corpora.officegen extract`, from the PDFs, not here.
    """
    manifest_path = source_dir / "batch.yaml"
    if not manifest_path.is_file():
        raise GenerateError(f"manifest {manifest_path} does not exist")
    rl_config.invariant = 1
    fonts = Fonts()
    manifest = validate_manifest(load_yaml(manifest_path), manifest_path)
    sources = load_sources(manifest, source_dir, fonts)
    docs = plan_documents(manifest)
    gold = build_gold(manifest["batch"], docs, sources)
    write_rendered(docs, gold, sources, fonts, out_dir, log)
    for path in remove_stale(out_dir, "*.pdf", {d["file"] for d in docs}):
        log(f"removed {show(path)} (no longer in the manifest)")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Render the sample corpus from hand-written sources: slide PDFs imitating "
        "PowerPoint exports, and their gold annotations (see docs/corpus.md). Output is byte-identical across runs. Prints one line per file "
        "written (pages, municipalities, items); exits with status 2 and a one-line message "
        "naming the file and the problem when a source, the manifest or a layout is wrong.",
    )
    parser.add_argument(
        "--sources",
        type=Path,
        metavar="DIR",
        default=ROOT / "corpora" / "sources",
        help="folder holding batch.yaml (the manifest) and the <id>.yaml sources it names "
        "(default: corpora/sources)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=ROOT / "corpora" / "sample",
        help="folder for the PDFs and their gold.json; PDFs the manifest no longer lists are "
        "removed (default: corpora/sample)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        generate(args.sources, args.out)
    except GenerateError as exc:
        print(f"generate.py: error: {exc}", file=sys.stderr)
        return 2
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
