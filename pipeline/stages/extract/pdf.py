"""PDF slides → pages of regions of positioned lines (pdfplumber).

We work from characters and ruling lines, never from a page's extract_text(): a
slide's table cells and side-by-side boxes are found first (pdfplumber's table finder
on the drawn lines and rectangles), every character is put into the smallest region
that holds it, and only then are lines built, inside one region at a time. So two
columns are never interleaved and a wrapped line stays inside its cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.core.errors import NoTextError, TooManyPagesError, UnreadableFileError
from pipeline.core.geometry import overlap
from pipeline.core.records import BBox, Document, Line, Page, Region
from pipeline.stages.extract.layout import mark_title

_TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
_UNMAPPED = re.compile(r"^\(cid:\d+\)$")  # how pdfminer reads a glyph it has no Unicode for
_UNMAPPED_SHARE = 0.5  # above this share of a file's characters, its text is unreadable
_PAGE_NUMBER = re.compile(r"^[-‐–\s]*\d{1,4}(\s*/\s*\d{1,4})?[-‐–\s]*$|^(p|P)\.?\s*\d{1,4}$")


def extract_pdf(path: Path, doc_id: str, source: str, sha256: str, options: dict) -> Document:
    """Read every page of a PDF into regions of lines; raise a DocumentError if we can't."""
    document = Document(doc_id=doc_id, source=source, sha256=sha256)
    unmapped: dict[int, int] = {}  # page → characters without a Unicode mapping
    read = 0
    try:
        with pdfplumber.open(path) as pdf:
            _check_page_count(len(pdf.pages), options)
            for number, page in enumerate(pdf.pages, start=1):
                chars, left_out = _page_chars(page, options)
                if left_out:
                    unmapped[number] = left_out
                read += len(chars) + left_out
                document.pages.append(_read_page(page, number, options, chars))
    except PdfminerException as exc:
        raise UnreadableFileError(_explain(exc)) from None
    except (PDFSyntaxError, PDFEncryptionError) as exc:
        raise UnreadableFileError(_explain(exc)) from None
    if not document.pages:
        raise UnreadableFileError("the PDF has no pages")
    _split_running_headers(document.pages)
    _check_unmapped(document, unmapped, read)
    if not any(region.lines for page in document.pages for region in page.regions):
        raise NoTextError(
            "no text layer: the PDF looks scanned; run OCR first (e.g. `ocrmypdf in.pdf out.pdf`)"
        )
    return document


def _split_running_headers(pages: list[Page]) -> None:
    """A report's running header (the same line at the same height atop two or more pages)
    is a region of its own, as on a page where a table follows it: where a list follows
    it closely, the line had joined the list's region and was read as its first item."""
    first_lines = [
        (region, region.lines[0])
        for page in pages
        for region in page.regions
        if region.kind in ("title", "subtitle", "text")
        and region.lines
        and region.lines[0].bbox.top < 0.1 * page.height
    ]
    seen = Counter((line.text, round(line.bbox.top)) for _, line in first_lines)
    split: set[int] = set()  # the pages whose regions changed
    for region, line in first_lines:
        if seen[(line.text, round(line.bbox.top))] < 2 or len(region.lines) < 2:
            continue
        page = pages[region.page - 1]
        split.add(region.page)
        rest = region.lines[1:]
        page.regions.append(
            Region(
                kind=region.kind,
                bbox=BBox(
                    min(ln.bbox.x0 for ln in rest),
                    rest[0].bbox.top,
                    max(ln.bbox.x1 for ln in rest),
                    max(ln.bbox.bottom for ln in rest),
                ),
                page=region.page,
                lines=rest,
            )
        )
        region.kind, region.lines, region.bbox = "title", [line], line.bbox
    for number in split:
        pages[number - 1].regions.sort(key=lambda r: (round(r.bbox.top, 1), r.bbox.x0))


def _explain(exc: Exception) -> str:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(inner, PDFPasswordIncorrect):
        return "the PDF is password-protected: save an unprotected copy and run again"
    if isinstance(inner, PDFEncryptionError):
        return (
            f"the PDF is encrypted in a way we cannot open ({inner}): "
            "save an unprotected copy and run again"
        )
    detail = str(inner).replace("\n", " ") or type(inner).__name__
    return (
        f"not a readable PDF ({detail}): the file may be truncated, damaged or another "
        "format; export it from PowerPoint again"
    )


def _check_page_count(pages: int, options: dict) -> None:
    """Refuse a PDF longer than `extract.max_pages` before reading any page of it."""
    limit = options.get("max_pages")
    if limit and pages > int(limit):
        raise TooManyPagesError(
            f"the PDF has {pages} pages, more than the limit of {limit}: split it, or raise "
            "extract.max_pages in configs/pipeline.yaml"
        )


def _page_chars(page, options: dict) -> tuple[list[dict], int]:
    """A page's characters as they show on the slide, and how many were left out because
    their font has no Unicode mapping: copies drawn over themselves are dropped, and
    symbol-font bullets read through configs/symbol_fonts.yaml ("\uf0d8", "Ø" → ➢)."""
    chars = _without_copies([c for c in page.chars if c["text"] and c["text"] != "\x00"])
    kept = [c for c in chars if not _UNMAPPED.match(c["text"])]
    symbols = options.get("symbol_fonts")
    if symbols is not None:
        kept = [_shown(c, symbols) for c in kept]
    return kept, len(chars) - len(kept)


def _without_copies(chars: list[dict]) -> list[dict]:
    """Drop a character drawn again over itself: a text shadow (the same text a little
    below and to the right, often in grey) or simulated bold (drawn twice, nudged). A copy
    is the same character at the same size overlapping more than half of the first; two
    neighbours of a word never overlap that much, so real repeats (ああ, ll) stay."""
    kept: list[dict] = []
    seen: dict[tuple, list[dict]] = {}
    for char in chars:
        key = (char["text"], round(_size(char), 1))
        near = seen.setdefault(key, [])
        width = char["x1"] - char["x0"]
        height = char["bottom"] - char["top"]
        if any(
            abs(char["x0"] - other["x0"]) < width / 2
            and abs(char["top"] - other["top"]) < height / 2
            for other in near
        ):
            continue
        near.append(char)
        kept.append(char)
    return kept


def _check_unmapped(document: Document, unmapped: dict[int, int], read: int) -> None:
    """Characters whose font has no Unicode mapping read "(cid:1234)": they are dropped.
    When they are most of the text, nothing can be read from the file."""
    total = sum(unmapped.values())
    if not total:
        return
    if total > read * _UNMAPPED_SHARE:
        raise NoTextError(
            f"{total} of {read} characters have no Unicode mapping in the PDF's fonts (they "
            "read as (cid:…) codes), so its text cannot be read: export it again from "
            "PowerPoint with fonts embedded, or run OCR (`ocrmypdf --force-ocr in.pdf out.pdf`)"
        )
    pages = ", ".join(f"{n} ({count})" for n, count in unmapped.items())
    document.warnings.append(
        f"{total} characters without a Unicode mapping ((cid:…) codes) were left out, on "
        f"page(s) {pages}: check those pages' text against the slides"
    )


def _read_page(page, number: int, options: dict, chars: list[dict]) -> Page:
    cells = _cells(page)
    placed: dict[int, list[dict]] = {i: [] for i in range(len(cells))}
    free: list[dict] = []
    for char in chars:
        index = _smallest_cell_at(cells, char)
        (placed[index] if index is not None else free).append(char)

    regions: list[Region] = []
    for i, cell in enumerate(cells):
        lines = _build_lines(placed[i], number, options)
        if lines:
            cell.lines = lines
            regions.append(cell)
    regions.extend(_free_regions(free, page, number, options))
    mark_title(regions, page.width, page.height)
    regions.sort(key=lambda r: (round(r.bbox.top, 1), r.bbox.x0))
    return Page(number=number, width=float(page.width), height=float(page.height), regions=regions)


def _shown(char: dict, symbols) -> dict:
    text = symbols.char(char["text"], char.get("fontname", ""))
    return char if text == char["text"] else {**char, "text": text}


def _cells(page) -> list[Region]:
    """Every table cell and every drawn box on the page, as empty regions.

    Table cells come from pdfplumber's table finder on the ruling lines. A rectangle
    that is no table cell (a filled header band, a title band, an outlined box) is a
    region of its own, numbered as a one-cell table.
    """
    cells: list[Region] = []
    # LibreOffice paints each page's background as a rectangle: its edges frame no table
    ruled = page.filter(lambda obj: not _covers_page(obj, page))
    tables = ruled.find_tables(_TABLE_SETTINGS)
    for t, table in enumerate(tables):
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                if cell is None:  # covered by a spanning cell to its left or above
                    continue
                x0, top, x1, bottom = cell
                cells.append(
                    Region(
                        kind="cell",
                        bbox=BBox(float(x0), float(top), float(x1), float(bottom)),
                        page=page.page_number,
                        table=t,
                        row=r,
                        col=c,
                    )
                )
    next_table = len(tables)
    for rect in [*page.rects, *_drawn_rectangles(page)]:
        box = BBox(float(rect["x0"]), float(rect["top"]), float(rect["x1"]), float(rect["bottom"]))
        if (
            box.width < 6
            or box.height < 6
            or box.width * box.height > 0.8 * page.width * page.height
        ):
            continue
        if any(_same_box(box, cell.bbox) for cell in cells):
            continue
        cells.append(
            Region(kind="cell", bbox=box, page=page.page_number, table=next_table, row=0, col=0)
        )
        next_table += 1
    return cells


def _drawn_rectangles(page) -> list[dict]:
    """Filled or outlined shapes drawn as closed paths of straight edges along their own
    bounding box: rectangles that are no `re` operator, to pdfplumber curves (LibreOffice
    draws a header band or a text box outline so)."""
    found = []
    for curve in page.curves:
        points = curve.get("pts") or []
        if len(points) < 4 or not (curve.get("fill") or curve.get("stroke")):
            continue
        x0, x1, top, bottom = curve["x0"], curve["x1"], curve["top"], curve["bottom"]
        if not all(
            min(abs(x - x0), abs(x - x1)) < 0.5 or min(abs(y - top), abs(y - bottom)) < 0.5
            for x, y in points
        ):
            continue
        corners = {
            (abs(x - x0) < 0.5, abs(y - top) < 0.5)
            for x, y in points
            if min(abs(x - x0), abs(x - x1)) < 0.5 and min(abs(y - top), abs(y - bottom)) < 0.5
        }
        if len(corners) == 4:
            found.append(curve)
    return found


def _covers_page(obj: dict, page) -> bool:
    return (
        obj.get("object_type") == "rect"
        and obj["x1"] - obj["x0"] > 0.95 * page.width
        and obj["bottom"] - obj["top"] > 0.95 * page.height
    )


def _same_box(a: BBox, b: BBox, tolerance: float = 2.0) -> bool:
    return all(
        abs(p - q) <= tolerance
        for p, q in ((a.x0, b.x0), (a.top, b.top), (a.x1, b.x1), (a.bottom, b.bottom))
    )


def _smallest_cell_at(cells: list[Region], char: dict) -> int | None:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    best, best_area = None, None
    for i, cell in enumerate(cells):
        if cell.bbox.contains_point(x, y):
            area = cell.bbox.width * cell.bbox.height
            if best_area is None or area < best_area:
                best, best_area = i, area
    return best


def _build_lines(
    chars: list[dict], page: int, options: dict, split_gap: float | None = None
) -> list[Line]:
    """Cluster characters into lines by their vertical centre, then read each left to right.

    With `split_gap`, a horizontal gap wider than that many font sizes cuts a row into
    separate lines: free text side by side (a footer left, a page number right).
    """
    if not chars:
        return []
    tolerance = float(options.get("line_tolerance", 2.0))
    rows: list[list[dict]] = []
    for char in sorted(chars, key=_centre_y):
        if rows and abs(_centre_y(char) - _centre_y(rows[-1][-1])) <= max(
            tolerance, 0.35 * _size(char)
        ):
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = []
    for row in rows:
        for segment in _segments(row, split_gap):
            for part in _apart_in_height(segment):
                line = _line_from(part, page, options)
                if line is not None:
                    lines.append(line)
    return lines


def _apart_in_height(chars: list[dict]) -> list[list[dict]]:
    """A row's characters in one column cut where they stand a line apart: free text
    boxes side by side, each line a little lower than the one beside it, chain two lines
    of one box into one row (their letters would read into each other). One line's
    characters never stand that far apart, whatever their font."""
    centres = sorted(chars, key=_centre_y)
    size = max(_size(c) for c in chars)
    if _centre_y(centres[-1]) - _centre_y(centres[0]) <= 0.6 * size:
        return [chars]
    gaps = [_centre_y(b) - _centre_y(a) for a, b in zip(centres, centres[1:], strict=False)]
    cut = max(range(len(gaps)), key=gaps.__getitem__)
    if gaps[cut] <= 0.3 * size:
        return [chars]
    upper, lower = (
        sorted(part, key=lambda c: c["x0"]) for part in (centres[: cut + 1], centres[cut + 1 :])
    )
    return [*_apart_in_height(upper), *_apart_in_height(lower)]


def _segments(row: list[dict], split_gap: float | None) -> list[list[dict]]:
    row = sorted(row, key=lambda c: c["x0"])
    if split_gap is None:
        return [row]
    segments = [[row[0]]]
    for char in row[1:]:
        gap = char["x0"] - segments[-1][-1]["x1"]
        # a bullet and its text a hanging indent apart (Word: a quarter inch) are one line
        hanging = len(segments[-1]) == 1 and _is_mark(segments[-1][0]["text"])
        if gap > split_gap * _size(char) and not (hanging and gap <= _HANGING * _size(char)):
            segments.append([char])
        else:
            segments[-1].append(char)
    return segments


_HANGING = 2.5  # font sizes between a bullet and its text, at most


def _is_mark(text: str) -> bool:
    """One character that is no letter, digit or space: a bullet glyph (•, ▪, ➢, ⚫)."""
    return len(text) == 1 and unicodedata.category(text)[0] in "PSC" and not text.isspace()


def _centre_y(char: dict) -> float:
    return (char["top"] + char["bottom"]) / 2


def _size(char: dict) -> float:
    return float(char.get("size") or (char["bottom"] - char["top"]))


def _line_from(row: list[dict], page: int, options: dict) -> Line | None:
    gap_share = float(options.get("space_gap", 0.25))
    text = ""
    previous = None
    for char in row:
        if previous is not None and char["text"] != " " and not text.endswith(" "):
            # A drawn gap without a space character still separates two words.
            if char["x0"] - previous["x1"] > gap_share * _size(char):
                text += " "
        text += char["text"]
        previous = char
    text = text.strip()
    if not text:
        return None
    symbols = options.get("symbol_fonts")
    if symbols is not None:  # o推進員は…: Word's second-level bullet, drawn as a letter
        text = symbols.letter_bullets_read(text)
    bbox = BBox(
        min(c["x0"] for c in row),
        min(c["top"] for c in row),
        max(c["x1"] for c in row),
        max(c["bottom"] for c in row),
    )
    # Japanese font size is the body text's, not the (often smaller) bullet glyph's.
    size = max(_size(c) for c in row)
    return Line(text=text, bbox=bbox, page=page, size=size)


def _free_regions(chars: list[dict], page, number: int, options: dict) -> list[Region]:
    """Text outside any ruled cell: subtitle, ⚫ summary lines, borderless text boxes,
    footer and page number.

    A row of characters is cut where a gap wider than a character opens (two text
    boxes side by side), and each line joins the region right above it that it overlaps
    horizontally, so borderless columns stay apart. Anything in the bottom band of the
    page is a footer or a page number, set aside so that it never ends up in a block.
    """
    lines = _build_lines(chars, number, options, split_gap=float(options.get("column_gap", 1.0)))
    footer_top = page.height * (1 - float(options.get("footer_band", 0.06)))
    regions: list[Region] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox.top, ln.bbox.x0)):
        if line.bbox.top >= footer_top:
            kind = "page_number" if _PAGE_NUMBER.match(line.text) else "footer"
            regions.append(Region(kind=kind, bbox=line.bbox, page=number, lines=[line]))
            continue
        above = [
            r
            for r in regions
            if r.kind == "text"
            and -0.5 * line.size < line.bbox.top - r.bbox.bottom < 0.9 * line.size
            # a line set larger than the text above it is a heading of its own (２．B市 after
            # the ⚫ lines of A市 in a report that runs on without a page break)
            and line.size <= 1.25 * max(ln.size for ln in r.lines)
            and overlap(r.bbox.x0, r.bbox.x1, line.bbox.x0, line.bbox.x1)
            > 0.3 * min(r.bbox.width, line.bbox.width)
        ]
        if above:
            region = max(
                above, key=lambda r: overlap(r.bbox.x0, r.bbox.x1, line.bbox.x0, line.bbox.x1)
            )
            region.lines.append(line)
            region.bbox = BBox(
                min(region.bbox.x0, line.bbox.x0),
                region.bbox.top,
                max(region.bbox.x1, line.bbox.x1),
                max(region.bbox.bottom, line.bbox.bottom),
            )
        else:
            regions.append(Region(kind="text", bbox=line.bbox, page=number, lines=[line]))
    return regions
