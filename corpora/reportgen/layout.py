"""Where text goes before anything is drawn: paragraphs into columns, tables into rows.

Sizes shrink on overflow as PowerPoint's autofit does, down to MIN_FONT; text that does
not fit even then is an error, never an overflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fonts import Fonts
from .style import (
    ASCENT,
    CELL_PAD_X,
    CELL_PAD_Y,
    FONT_STEP,
    GLYPH_INDENT,
    LABEL_PAD_X,
    LEVEL2_INDENT,
    LINE_HEIGHT,
    MAX_STRETCH,
    MIN_FONT,
    PARA_GAP,
    SUB_GAP,
    GenerateError,
    LabelMetrics,
)
from .wrap import wrap


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


def fit_one_line(text: str, width: float, size: float, fonts: Fonts, what: str) -> float:
    """Shrink a single-line text (title, subtitle) until it fits the width."""
    for s in font_sizes(size):
        if fonts.width(text, s) <= width:
            return s
    raise GenerateError(f"{what}: {text!r} does not fit on one line")


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
