"""PowerPoint decks (.pptx) → pages of regions, read from the file's own structure.

A deck says what a PDF only shows: which text sits in which table cell (row, column,
merged cells), which shapes are boxes, where each paragraph starts and at which level,
and which bullet it carries (a:buChar, in its font). So no layout is guessed: every table
cell becomes a `cell` region (table, row, col), every other shape with text a region of
its own (a `cell` when it is drawn as a box, with a fill or an outline, like a PDF's
rectangle; `text` otherwise), and every paragraph a Line that starts with its bullet
glyph. Positions are the shapes' own, in points, so the segmenter reads a slide exactly
as it reads a PDF page: labels left of or above their content.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.core.errors import NoTextError, UnreadableFileError
from pipeline.core.records import BBox, Document, Line, Page, Region
from pipeline.stages.extract.layout import mark_title
from pipeline.stages.extract.office import bullet_text, symbol_fonts_of, unreadable

_EMU_PER_PT = 12700
_DEFAULT_SIZE = 18.0  # PowerPoint's default text size, in points
_INSET_X, _INSET_Y = 7.2, 3.6  # a text frame's default insets (0.1 in, 0.05 in)
_AUTONUM = {  # a:buAutoNum types → how the number is drawn
    "arabicPeriod": "{n}.",
    "arabicParenR": "{n})",
    "arabicParenBoth": "({n})",
    "arabicPlain": "{n}",
    "circleNumDbPlain": "circled",
}
_FURNITURE = {"FOOTER": "footer", "SLIDE_NUMBER": "page_number", "DATE": "footer"}


def _pt(emu) -> float:
    return float(emu or 0) / _EMU_PER_PT


def extract_pptx(path: Path, doc_id: str, source: str, sha256: str, options: dict) -> Document:
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        deck = Presentation(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFileError(unreadable(exc, "PowerPoint", ".pptx")) from None
    limit = options.get("max_pages")
    slides = list(deck.slides)
    if limit and len(slides) > int(limit):
        from pipeline.core.errors import TooManyPagesError

        raise TooManyPagesError(
            f"the deck has {len(slides)} slides, more than the limit of {limit}: split it, or "
            "raise extract.max_pages in configs/pipeline.yaml"
        )
    width, height = _pt(deck.slide_width), _pt(deck.slide_height)
    symbols = symbol_fonts_of(options)
    document = Document(doc_id=doc_id, source=source, sha256=sha256)
    footer_top = height * (1 - float(options.get("footer_band", 0.06)))
    for number, slide in enumerate(slides, start=1):
        page = Page(number=number, width=width, height=height)
        table_no = 0
        for shape, (dx, dy, sx, sy) in _shapes(slide.shapes):
            if getattr(shape, "has_table", False) and shape.has_table:
                page.regions.extend(
                    _table_regions(shape, number, table_no, (dx, dy, sx, sy), symbols)
                )
                table_no += 1
                continue
            if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
                continue
            box = _box(shape, (dx, dy, sx, sy))
            lines = _frame_lines(shape.text_frame, box, number, symbols, _inherited(shape))
            if not lines:
                continue
            kind = _kind(shape, box, footer_top)
            region = Region(kind=kind, bbox=box, page=number, lines=lines)
            if kind == "cell":
                region.table, region.row, region.col = 1000 + table_no, 0, 0
                table_no += 1
            page.regions.append(region)
        mark_title(page.regions, width, height)
        page.regions.sort(key=lambda r: (round(r.bbox.top, 1), r.bbox.x0))
        document.pages.append(page)
    if not document.pages:
        raise UnreadableFileError("the deck has no slides")
    if not any(r.lines for p in document.pages for r in p.regions):
        raise NoTextError("the deck has no text (are the slides pictures?): run OCR on a PDF of it")
    return document


def _shapes(shapes, transform=(0.0, 0.0, 1.0, 1.0)):
    """Every shape in drawing order, group members with the group's placement applied."""
    for shape in shapes:
        if shape.shape_type is not None and int(shape.shape_type) == 6:  # MSO_SHAPE_TYPE.GROUP
            xfrm = shape._element.grpSpPr.find(
                "{http://schemas.openxmlformats.org/drawingml/2006/main}xfrm"
            )
            inner = transform
            if xfrm is not None and xfrm.chExt is not None and xfrm.chExt.cx and xfrm.chExt.cy:
                dx, dy, sx, sy = transform
                gx, gy = _pt(xfrm.off.x), _pt(xfrm.off.y)
                scale_x = xfrm.ext.cx / xfrm.chExt.cx
                scale_y = xfrm.ext.cy / xfrm.chExt.cy
                inner = (
                    dx + sx * (gx - _pt(xfrm.chOff.x) * scale_x),
                    dy + sy * (gy - _pt(xfrm.chOff.y) * scale_y),
                    sx * scale_x,
                    sy * scale_y,
                )
            yield from _shapes(shape.shapes, inner)
        else:
            yield shape, transform


def _box(shape, transform) -> BBox:
    dx, dy, sx, sy = transform
    x, y = dx + sx * _pt(shape.left), dy + sy * _pt(shape.top)
    return BBox(x, y, x + sx * _pt(shape.width), y + sy * _pt(shape.height))


def _kind(shape, box: BBox, footer_top: float) -> str:
    if shape.is_placeholder:
        kind = str(shape.placeholder_format.type).split(".")[-1].split(" ")[0]
        if kind in ("TITLE", "CENTER_TITLE"):
            return "title"
        if kind in _FURNITURE:
            return _FURNITURE[kind]
        if kind == "SUBTITLE":
            return "subtitle"
    if box.top >= footer_top:
        return "footer"
    return "cell" if _drawn_as_box(shape) else "text"


def _drawn_as_box(shape) -> bool:
    """A shape with a visible fill or outline is a box, like a PDF's rectangle."""
    sp_pr = shape._element.spPr
    if sp_pr is None:
        return False
    ns = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    filled = sp_pr.find(f"{ns}solidFill") is not None or sp_pr.find(f"{ns}gradFill") is not None
    line = sp_pr.find(f"{ns}ln")
    outlined = line is not None and line.find(f"{ns}noFill") is None and len(line)
    if not filled and not outlined and shape._element.tag.endswith("}sp"):
        # an autoshape with no properties of its own takes the theme's fill and outline
        style = shape._element.find(
            "{http://schemas.openxmlformats.org/presentationml/2006/main}style"
        )
        txbox = shape._element.nvSpPr.cNvSpPr.get("txBox") == "1"
        return style is not None and not txbox
    return bool(filled or outlined)


def _table_regions(frame, page: int, table_no: int, transform, symbols) -> list[Region]:
    table = frame.table
    dx, dy, sx, sy = transform
    x0, y0 = dx + sx * _pt(frame.left), dy + sy * _pt(frame.top)
    xs = [x0]
    for column in table.columns:
        xs.append(xs[-1] + sx * _pt(column.width))
    ys = [y0]
    for row in table.rows:
        ys.append(ys[-1] + sy * _pt(row.height))
    regions = []
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            if cell.is_spanned:  # covered by a merged cell to its left or above
                continue
            span_c = cell.span_width if cell.is_merge_origin else 1
            span_r = cell.span_height if cell.is_merge_origin else 1
            box = BBox(xs[c], ys[r], xs[c + span_c], ys[r + span_r])
            lines = _frame_lines(cell.text_frame, box, page, symbols, None)
            if lines:
                regions.append(
                    Region(
                        kind="cell", bbox=box, page=page, lines=lines, table=table_no, row=r, col=c
                    )
                )
    return regions


_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _inherited(shape):
    """The list style a placeholder's paragraphs inherit (bullets of the layout's and the
    master's body text), or None for a plain text box: PowerPoint's templates give body
    placeholders their bullets there, not on the paragraphs."""
    if not shape.is_placeholder:
        return None
    try:
        layout = shape.part.slide.slide_layout
        master = layout.slide_master
    except AttributeError:
        return None
    styles = []
    idx = shape.placeholder_format.idx
    for holder in layout.placeholders:
        if holder.placeholder_format.idx == idx:
            lst = holder._element.find(f".//{_A}lstStyle")
            if lst is not None:
                styles.append(lst)
    body = master._element.find(
        "{http://schemas.openxmlformats.org/presentationml/2006/main}txStyles/"
        "{http://schemas.openxmlformats.org/presentationml/2006/main}bodyStyle"
    )
    kind = str(shape.placeholder_format.type)
    if body is not None and ("BODY" in kind or "OBJECT" in kind):
        styles.append(body)
    return styles


def _level_props(styles, level: int):
    for style in styles or ():
        props = style.find(f"{_A}lvl{level + 1}pPr")
        if props is not None:
            yield props


def _bullet_of(p, styles, counters: dict[int, int], symbols) -> str:
    """The glyph a paragraph is drawn with ("" for none), from its own properties or the
    list style it inherits; an auto-number is drawn as its number."""
    ppr = p.find(f"{_A}pPr")
    level = int(ppr.get("lvl", "0")) if ppr is not None else 0
    sources = ([ppr] if ppr is not None else []) + list(_level_props(styles, level))
    for props in sources:
        if props.find(f"{_A}buNone") is not None:
            return ""
        char = props.find(f"{_A}buChar")
        if char is not None:
            font = props.find(f"{_A}buFont")
            return bullet_text(
                char.get("char", ""), font.get("typeface", "") if font is not None else "", symbols
            )
        auto = props.find(f"{_A}buAutoNum")
        if auto is not None:
            n = counters[level] = counters.get(level, int(auto.get("startAt", "1")) - 1) + 1
            style = _AUTONUM.get(auto.get("type", ""), "{n}.")
            return chr(0x2460 + n - 1) if style == "circled" and n <= 20 else style.format(n=n)
    return ""


def _runs_text(p, symbols) -> list[str]:
    """The paragraph's text, cut at its line breaks (a:br); symbol-font runs read as shown."""
    parts = [""]
    for child in p:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "br":
            parts.append("")
        elif tag in ("r", "fld"):
            text = "".join(t.text or "" for t in child.iter(f"{_A}t"))
            rpr = child.find(f"{_A}rPr")
            font = ""
            if rpr is not None:
                for name in ("sym", "latin", "ea"):
                    element = rpr.find(f"{_A}{name}")
                    if element is not None and element.get("typeface"):
                        font = element.get("typeface")
                        break
            if symbols is not None and font:
                text = "".join(symbols.char(ch, font) for ch in text)
            parts[-1] += text
    return parts


def _size_of(p, default: float) -> float:
    for rpr in p.iter(f"{_A}rPr"):
        if rpr.get("sz"):
            return int(rpr.get("sz")) / 100
    end = p.find(f"{_A}endParaRPr")
    if end is not None and end.get("sz"):
        return int(end.get("sz")) / 100
    return default


def _frame_lines(text_frame, box: BBox, page: int, symbols, styles) -> list[Line]:
    """One Line per paragraph (and per line break in it), its bullet glyph in front.

    x is where the paragraph's first line starts (margin plus first-line indent, in
    points), so an indented sub-bullet stands right of its parent as in a PDF."""
    lines: list[Line] = []
    counters: dict[int, int] = {}
    y = box.top + _INSET_Y
    for p in text_frame._txBody.iter(f"{_A}p"):
        ppr = p.find(f"{_A}pPr")
        level = int(ppr.get("lvl", "0")) if ppr is not None else 0
        size = _size_of(p, _DEFAULT_SIZE)
        margin = _margin(ppr, styles, level, size)
        glyph = _bullet_of(p, styles, counters, symbols)
        for n, text in enumerate(_runs_text(p, symbols)):
            shown = text.strip()
            if not shown:
                continue
            first = n == 0
            x = box.x0 + _INSET_X + (margin[0] + (margin[1] if first else 0.0))
            content = f"{glyph} {shown}" if glyph and first else shown
            lines.append(
                Line(
                    text=content,
                    bbox=BBox(x, y, box.x1 - _INSET_X, y + size),
                    page=page,
                    size=size,
                    paragraph=first,
                )
            )
            y += size * 1.2
    return lines


def _margin(ppr, styles, level: int, size: float) -> tuple[float, float]:
    """(left margin, first-line indent) in points: the paragraph's own, else inherited,
    else a step per level."""
    for props in ([ppr] if ppr is not None else []) + list(_level_props(styles, level)):
        if props is not None and props.get("marL") is not None:
            return _pt(int(props.get("marL"))), _pt(int(props.get("indent", "0")))
    return level * 1.5 * size, 0.0
