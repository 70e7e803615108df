"""Word reports (.docx) → pages of regions, read from the file's own structure.

A report is a flow of paragraphs and tables. Every table cell becomes a `cell` region
(table, row, column from the table's grid, merged cells once), every run of paragraphs
between tables a `text` region, a Title paragraph the page's `title` and a first-level
heading a `subtitle` (where a report names its municipality). A list paragraph starts
with the glyph Word draws for it (its numbering level's bullet, in its font, or its
number); a paragraph's x is its indentation. A Word file has no fixed pages: a page
ends where the file says one does (a page break, a paragraph that starts a page, a
section break, the break Word recorded when it last laid the file out).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.core.errors import NoTextError, UnreadableFileError
from pipeline.core.records import BBox, Document, Line, Page, Region
from pipeline.stages.extract.office import bullet_text, symbol_fonts_of, unreadable

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TWIP = 20.0  # twentieths of a point
_PAGE_W, _PAGE_H = 595.3, 841.9  # A4, in points: where a report's page has no size
_DEFAULT_SIZE = 10.5
_FORMATS = {
    "decimal": "{n}",
    "decimalFullWidth": "{n}",
    "decimalEnclosedCircle": "circled",
    "decimalEnclosedParen": "({n})",
}


def extract_docx(path: Path, doc_id: str, source: str, sha256: str, options: dict) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        report = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFileError(unreadable(exc, "Word", ".docx")) from None
    reader = _Reader(report, symbol_fonts_of(options), doc_id, source, sha256)
    document = reader.read()
    limit = options.get("max_pages")
    if limit and len(document.pages) > int(limit):
        from pipeline.core.errors import TooManyPagesError

        raise TooManyPagesError(
            f"the report has {len(document.pages)} pages, more than the limit of {limit}: "
            "split it, or raise extract.max_pages in configs/pipeline.yaml"
        )
    if not any(r.lines for p in document.pages for r in p.regions):
        raise NoTextError("the report has no text (is it a scanned image?): run OCR on a PDF of it")
    return document


class _Reader:
    def __init__(self, report, symbols, doc_id: str, source: str, sha256: str):
        self.report = report
        self.symbols = symbols
        self.document = Document(doc_id=doc_id, source=source, sha256=sha256)
        self.styles = {s.style_id: s for s in report.styles if getattr(s, "style_id", None)}
        self.numbering = _Numbering(report)
        section = report.sections[0] if report.sections else None
        self.width = float(section.page_width.pt) if section and section.page_width else _PAGE_W
        self.height = float(section.page_height.pt) if section and section.page_height else _PAGE_H
        self.left = float(section.left_margin.pt) if section and section.left_margin else 56.7
        self.default_size = _style_size(report.styles["Normal"]) or _DEFAULT_SIZE
        self.y = 0.0
        self.table_no = 0
        self.flow: list[Line] = []  # paragraphs outside tables, waiting for their region
        self.flow_kind = "text"

    # -- pages -----------------------------------------------------------------------------

    @property
    def page(self) -> Page:
        if not self.document.pages:
            self.document.pages.append(Page(1, self.width, self.height))
        return self.document.pages[-1]

    def new_page(self) -> None:
        self.close_flow()
        self.document.pages.append(Page(len(self.document.pages) + 1, self.width, self.height))
        self.y = 0.0

    def close_flow(self) -> None:
        if self.flow:
            lines = self.flow
            box = BBox(
                min(ln.bbox.x0 for ln in lines),
                lines[0].bbox.top,
                max(ln.bbox.x1 for ln in lines),
                lines[-1].bbox.bottom,
            )
            self.page.regions.append(Region(self.flow_kind, box, self.page.number, lines))
        self.flow = []
        self.flow_kind = "text"

    # -- the body ------------------------------------------------------------------------

    def read(self) -> Document:
        body = self.report.element.body
        for element in body.iterchildren():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "p":
                self.paragraph(element)
            elif tag == "tbl":
                self.close_flow()
                self.table(element)
        self.close_flow()
        if not self.document.pages:
            self.document.pages.append(Page(1, self.width, self.height))
        return self.document

    def paragraph(self, p) -> None:
        if self._starts_page(p):
            self.new_page()
        style = self._style_name(p)
        kind = (
            "title"
            if style == "Title"
            else "subtitle"
            if style in ("Heading 1", "見出し 1")
            else "text"
        )
        lines = self._lines(p, self.left, self.width - self.left)
        if kind != "text" and lines:
            self.close_flow()
            box = BBox(lines[0].bbox.x0, lines[0].bbox.top, lines[0].bbox.x1, lines[-1].bbox.bottom)
            self.page.regions.append(Region(kind, box, self.page.number, lines))
        else:
            self.flow.extend(lines)
        if _breaks_after(p):
            self.new_page()

    def table(self, tbl) -> None:
        grid = [float(col.get(f"{_W}w", "0")) / _TWIP for col in tbl.iter(f"{_W}gridCol")]
        xs = [self.left]
        for width in grid:
            xs.append(xs[-1] + width)
        open_cells: dict[int, Region] = {}  # grid column → the cell a vMerge continues
        table_no = self.table_no
        self.table_no += 1
        for r, tr in enumerate(tbl.findall(f"{_W}tr")):
            top = self.y
            bottom = top
            col = 0
            for tc in tr.findall(f"{_W}tc"):
                tc_pr = tc.find(f"{_W}tcPr")
                span = 1
                merge = None
                if tc_pr is not None:
                    grid_span = tc_pr.find(f"{_W}gridSpan")
                    if grid_span is not None:
                        span = int(grid_span.get(f"{_W}val", "1"))
                    v_merge = tc_pr.find(f"{_W}vMerge")
                    if v_merge is not None:
                        merge = v_merge.get(f"{_W}val", "continue")
                x0 = xs[min(col, len(xs) - 1)]
                x1 = xs[min(col + span, len(xs) - 1)] if len(xs) > 1 else x0 + 100
                saved = self.y
                self.y = top + 2
                lines = [
                    ln for p in tc.findall(f"{_W}p") for ln in self._lines(p, x0 + 5, x1 - x0 - 10)
                ]
                bottom = max(bottom, self.y + 2)
                self.y = saved
                if merge == "continue" and col in open_cells:
                    region = open_cells[col]
                    region.lines.extend(lines)
                    region.bbox = BBox(region.bbox.x0, region.bbox.top, region.bbox.x1, bottom)
                elif lines or merge == "restart":
                    region = Region("cell", BBox(x0, top, x1, bottom), self.page.number, lines,
                                    table=table_no, row=r, col=col)  # fmt: skip
                    self.page.regions.append(region)
                    if merge == "restart":
                        open_cells[col] = region
                    else:
                        open_cells.pop(col, None)
                col += span
            for region in self.page.regions:
                if region.table == table_no and region.row == r:
                    region.bbox = BBox(region.bbox.x0, region.bbox.top, region.bbox.x1, bottom)
            self.y = bottom + 1

    # -- paragraphs --------------------------------------------------------------------------

    def _style_name(self, p) -> str:
        ppr = p.find(f"{_W}pPr")
        style = ppr.find(f"{_W}pStyle") if ppr is not None else None
        if style is None:
            return "Normal"
        found = self.styles.get(style.get(f"{_W}val"))
        return found.name if found is not None else style.get(f"{_W}val")

    def _style_chain(self, p):
        ppr = p.find(f"{_W}pPr")
        style = ppr.find(f"{_W}pStyle") if ppr is not None else None
        current = self.styles.get(style.get(f"{_W}val")) if style is not None else None
        seen = 0
        while current is not None and seen < 10:
            yield current.element
            current = current.base_style
            seen += 1

    def _starts_page(self, p) -> bool:
        if not self.document.pages:
            return False
        ppr = p.find(f"{_W}pPr")
        for props in [ppr] + [s.find(f"{_W}pPr") for s in self._style_chain(p)]:
            if props is None:
                continue
            flag = props.find(f"{_W}pageBreakBefore")
            if flag is not None:
                return flag.get(f"{_W}val", "true") not in ("false", "0")
        first_run = next(p.iter(f"{_W}r"), None)
        return first_run is not None and first_run.find(f"{_W}lastRenderedPageBreak") is not None

    def _lines(self, p, x: float, width: float) -> list[Line]:
        """The paragraph as Lines: one, or one per line break in it."""
        texts = [""]
        for element in p.iter(f"{_W}t", f"{_W}br", f"{_W}tab", f"{_W}sym"):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "t":
                texts[-1] += self._shown(element)
            elif tag == "br" and element.get(f"{_W}type") in (None, "textWrapping"):
                texts.append("")
            elif tag == "tab":
                texts[-1] += " "
            elif tag == "sym":
                char = chr(int(element.get(f"{_W}char", "0"), 16))
                texts[-1] += bullet_text(char, element.get(f"{_W}font", ""), self.symbols)
        size = _run_size(p) or self.default_size
        glyph, indent = self.numbering.glyph(p, self._style_chain(p), self.symbols)
        left, first = _indentation(p)
        if left is None:
            left, first = indent
        lines = []
        for n, text in enumerate(texts):
            shown = text.strip()
            if not shown:
                continue
            start = x + (left or 0.0) + ((first or 0.0) if n == 0 else 0.0)
            content = f"{glyph} {shown}" if glyph and n == 0 else shown
            lines.append(
                Line(
                    content,
                    BBox(start, self.y, x + width, self.y + size),
                    self.page.number,
                    size,
                    paragraph=n == 0,
                )  # fmt: skip
            )
            self.y += size * 1.3
        return lines

    def _shown(self, t) -> str:
        """A run's text; in a symbol font (Wingdings) read as the glyphs it shows."""
        text = t.text or ""
        run = t.getparent()
        rpr = run.find(f"{_W}rPr") if run is not None else None
        fonts = rpr.find(f"{_W}rFonts") if rpr is not None else None
        if fonts is not None and self.symbols is not None:
            font = fonts.get(f"{_W}ascii") or fonts.get(f"{_W}hAnsi") or ""
            if font:
                text = "".join(self.symbols.char(ch, font) for ch in text)
        return text


class _Numbering:
    """numId → abstract definition → the glyph of each level, counted per list."""

    def __init__(self, report):
        self.abstract: dict[str, object] = {}
        self.nums: dict[str, str] = {}
        self.counters: dict[tuple[str, int], int] = {}
        try:
            numbering = report.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in numbering.findall(f"{_W}abstractNum"):
            self.abstract[abstract.get(f"{_W}abstractNumId")] = abstract
        for num in numbering.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.nums[num.get(f"{_W}numId")] = ref.get(f"{_W}val")

    def glyph(self, p, style_chain, symbols) -> tuple[str, tuple[float | None, float | None]]:
        num_pr = None
        ppr = p.find(f"{_W}pPr")
        for props in [ppr] + [s.find(f"{_W}pPr") for s in style_chain]:
            if props is not None and props.find(f"{_W}numPr") is not None:
                num_pr = props.find(f"{_W}numPr")
                break
        if num_pr is None:
            return "", (None, None)
        num_id_el, ilvl_el = num_pr.find(f"{_W}numId"), num_pr.find(f"{_W}ilvl")
        num_id = num_id_el.get(f"{_W}val") if num_id_el is not None else None
        level = int(ilvl_el.get(f"{_W}val", "0")) if ilvl_el is not None else 0
        abstract = self.abstract.get(self.nums.get(num_id or "", ""))
        if abstract is None or num_id == "0":
            return "", (None, None)
        lvl = next(
            (x for x in abstract.findall(f"{_W}lvl") if x.get(f"{_W}ilvl") == str(level)), None
        )
        if lvl is None:
            return "", (None, None)
        fmt_el, text_el = lvl.find(f"{_W}numFmt"), lvl.find(f"{_W}lvlText")
        fmt = fmt_el.get(f"{_W}val", "bullet") if fmt_el is not None else "bullet"
        text = text_el.get(f"{_W}val", "") if text_el is not None else ""
        indent = _indentation(lvl)
        if fmt == "bullet":
            fonts = lvl.find(f"{_W}rPr/{_W}rFonts")
            font = fonts.get(f"{_W}ascii", "") if fonts is not None else ""
            return bullet_text(text, font, symbols), indent
        if fmt == "none":
            return "", indent
        key = (num_id, level)
        n = self.counters[key] = self.counters.get(key, 0) + 1
        for deeper in [k for k in self.counters if k[0] == num_id and k[1] > level]:
            del self.counters[deeper]
        style = _FORMATS.get(fmt, "{n}")
        number = chr(0x2460 + n - 1) if style == "circled" and n <= 20 else style.format(n=n)
        return text.replace(f"%{level + 1}", number), indent


def _indentation(element) -> tuple[float | None, float | None]:
    """(left, first-line offset) in points from w:ind, or (None, None)."""
    ppr = element.find(f"{_W}pPr")
    ind = ppr.find(f"{_W}ind") if ppr is not None else None
    if ind is None:
        return None, None
    left = ind.get(f"{_W}left") or ind.get(f"{_W}start")
    left_pt = float(left) / _TWIP if left else 0.0
    if ind.get(f"{_W}hanging"):
        return left_pt, -float(ind.get(f"{_W}hanging")) / _TWIP
    if ind.get(f"{_W}firstLine"):
        return left_pt, float(ind.get(f"{_W}firstLine")) / _TWIP
    return left_pt, 0.0


def _run_size(p) -> float | None:
    for sz in p.iter(f"{_W}sz"):
        value = sz.get(f"{_W}val")
        if value:
            return int(value) / 2
    return None


def _style_size(style) -> float | None:
    try:
        size = style.font.size
    except AttributeError:
        return None
    return float(size.pt) if size is not None else None


def _breaks_after(p) -> bool:
    """A page break inside the paragraph, or a section break that ends it."""
    for br in p.iter(f"{_W}br"):
        if br.get(f"{_W}type") == "page":
            return True
    ppr = p.find(f"{_W}pPr")
    return ppr is not None and ppr.find(f"{_W}sectPr") is not None
