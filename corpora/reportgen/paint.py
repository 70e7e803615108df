"""Drawing on the reportlab canvas: checked text and rules, the slide frame, tables, pages."""

from __future__ import annotations

from collections import Counter

from reportlab.pdfgen.canvas import Canvas

from .fonts import Fonts, bullet_char
from .layout import TableLayout, cell_content, cell_widths, fit_one_line
from .style import (
    ACCENT,
    ASCENT,
    BLUE,
    INK,
    LINE_HEIGHT,
    NAVY,
    PALE,
    RULE,
    SUMMARY_BULLET,
    WHITE,
    GenerateError,
    PageStyle,
)

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
