"""Regions of a Document → labelled Blocks, with the municipality each belongs to.

A slide names its municipality in the subtitle or a numbered section heading
(１．A市 …); that name holds for the following slides until another one appears.
Label cells (現状, 課題意識, 基本情報, …) are matched against configs/blocks.yaml after
NFKC and removal of whitespace, so a label wrapped one character per line still reads
as one word. A label labels the content cell to its right in the same table row or,
for a box whose heading sits in a band of its own, the cell right below it. Column
headers 第1回 / 第2回 / 第3回 give the cells below them their session number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.config.settings import BlockConfig
from pipeline.core.contract import OTHER, SUMMARY
from pipeline.core.geometry import beside, overlap, under
from pipeline.core.normalize import compact, nfkc
from pipeline.core.records import Block, Document, Line, Region
from pipeline.stages.segment import naive_text
from pipeline.stages.segment.labels import is_title, match_label, match_session, subheading_kind
from pipeline.stages.segment.text_wordings import with_wordings
from pipeline.stages.segment.unknown_labels import (
    infer_headings,
    infer_labels,
    infer_sessions,
    wording,
)


@dataclass
class _Label:
    region: Region
    block: str | None = None  # a block label (現状, …)
    session: int | None = None  # a session column header (第1回, …)
    table: int | None = None  # the table whose columns it heads (its own, or carried over)


# two municipalities named together (楠ヶ丘市・雁ノ沢町 伴走支援の記録): a report's running
# header over every page of a set, which names no one section's municipality
_NAMES_TOGETHER = re.compile(
    r"(?:^|[\s　（(])[一-龥ぁ-んァ-ヶー々ヶヵ]{1,8}?[市町村][・、]"
    r"[一-龥ぁ-んァ-ヶー々ヶヵ]{1,8}?[市町村](?:[\s　（()）・、]|$)"
)


def find_municipality(lines: list[str], config: BlockConfig) -> tuple[str, str] | None:
    """(municipality, section number) named in header lines, or None."""
    for line in lines:
        text = nfkc(line).strip()
        if _NAMES_TOGETHER.search(text):
            continue
        found = config.municipality.search(text)
        if found:
            section = config.section.match(text)
            return found.group(1), section.group(1) if section else ""
    return None


def segment(document: Document, config: BlockConfig) -> list[Block]:
    """All blocks of a document, in reading order, continued cells joined.

    A header (title, subtitle, a report's heading) that names a municipality holds for
    the blocks below it, on its page and the following ones, until another does.
    """
    if any(r.kind == "plain" for page in document.pages for r in page.regions):
        return _plain_document(document, config)  # text extracted elsewhere: no positions
    municipality, section = "", ""
    blocks: list[Block] = []
    carried: list[_Label] = []  # headers and labels of a table that runs on to the next page
    wordings: dict[str, str] = {}  # labels read by their place: the document's own words
    runs_on: Block | None = None  # a report's list the page break cut (see _free_blocks)
    for page in document.pages:
        regions = [_as_header(region, config) for region in page.regions]
        headers = sorted(
            (r for r in regions if r.kind in ("title", "subtitle")),
            key=lambda r: (r.bbox.top, r.bbox.x0),
        )
        marks = [
            (r.bbox.top, found)
            for r in headers
            if (found := find_municipality([line.text for line in r.lines], config))
        ]
        page_blocks, carried = _page_blocks(regions, config, document, carried, wordings, runs_on)
        if not marks and not municipality:
            document.warnings.append(f"page {page.number}: no municipality found in the header")
        for block in page_blocks:
            top = block.lines[0].bbox.top if block.lines else float("-inf")
            while marks and marks[0][0] <= top:
                municipality, section = marks.pop(0)[1]
            block.municipality, block.section = municipality, section
            block.doc_id, block.source = document.doc_id, document.source
            _append(blocks, block)
        if marks:  # a header below every block of its page still names the next pages'
            municipality, section = marks[-1][1]
        last = page_blocks[-1] if page_blocks else None
        # a list under a report's heading (free text: no cell's right edge) may run on
        runs_on = (
            last if last and last.right is None and last.block not in (OTHER, SUMMARY) else None
        )
    for n, block in enumerate(blocks, start=1):
        block.block_id = f"{document.doc_id}-b{n:03d}"
    return blocks


def _as_header(region: Region, config: BlockConfig) -> Region:
    """A numbered section heading that names a municipality (２．B市（人口…）), or a part's
    title alone on its line (実施概要), is a header wherever it stands on the page: a report
    that runs on without page breaks sets the next heading mid-page, below the text before."""
    if region.kind != "text" or len(region.lines) > 3:
        return region
    first = nfkc(region.lines[0].text).strip()
    if config.section.match(first) and find_municipality([first], config):
        return replace(region, kind="subtitle")
    if len(region.lines) == 1 and is_title(first, config):
        return replace(region, kind="title")  # 実施概要 below the part before it, likewise
    return region


def _plain_document(document: Document, config: BlockConfig) -> list[Block]:
    """Blocks of text without positions: its slides one by one (naive_text.py)."""
    municipality, section = "", ""
    blocks: list[Block] = []
    pages = [
        (page.number, [line.text for r in page.regions if r.kind == "plain" for line in r.lines])
        for page in document.pages
    ]
    pages = naive_text.glyphs_first(pages, config)
    # labels and session headers worded as no pattern knows, by their place in the text
    config, placed = with_wordings(pages, config)
    document.warnings.extend(placed)
    for number, parsed in naive_text.read_text(pages, config):
        named = find_municipality(parsed.header, config)
        if named:
            municipality, section = named
        elif not municipality:
            document.warnings.append(f"page {number}: no municipality found in the header")
        start = 0
        for found in parsed.blocks:
            if found.block == OTHER:
                document.warnings.append(
                    f"page {number}: text matches no known label, kept as {OTHER}: "
                    f"{compact(''.join(found.lines))[:30]}"
                )
            block = _new_block(found.block, found.heading, number)
            block.session = found.session
            block.lines = naive_text.text_lines(found, number, start)
            block.right = naive_text.text_right(found)
            start += len(found.lines)
            block.municipality, block.section = municipality, section
            block.doc_id, block.source = document.doc_id, document.source
            _append(blocks, block)
    for n, block in enumerate(blocks, start=1):
        block.block_id = f"{document.doc_id}-b{n:03d}"
    return blocks


def _append(blocks: list[Block], block: Block) -> None:
    """Add a block, or join it to the previous one when a cell continues on the next slide."""
    for previous in reversed(blocks):
        if previous.page < block.page - 1:
            break
        if (
            previous.page == block.page - 1
            and block.block not in (OTHER, SUMMARY)
            and (previous.municipality, previous.block, previous.session)
            == (block.municipality, block.block, block.session)
        ):
            previous.lines.extend(block.lines)
            if block.right is not None:
                previous.right = max(previous.right or block.right, block.right)
            return
    blocks.append(block)


def _page_blocks(
    regions: list[Region],
    config: BlockConfig,
    document: Document,
    carried: list[_Label],
    wordings: dict[str, str],
    runs_on: Block | None = None,
) -> tuple[list[Block], list[_Label]]:
    """A page's blocks, and the session headers and the box headings or row labels of its
    last table whose columns or rows run on, for the next page (_continued).

    A session table that runs over a page break has its header row (第1回 …) on the first
    page only (Writer repeats no heading row unless told to): the table that opens the
    next page takes its columns' sessions from the headers carried over, where it has
    none of its own.
    """
    labels = _labels(regions, config, wordings)
    known = {key: label.block for key, label in labels.items() if label.block}
    placed = infer_labels(regions, known, set(labels), config)
    for region in regions:
        if id(region) in placed:
            labels[id(region)] = _Label(region, placed[id(region)], None, region.table)
            wordings[wording(region.text)] = placed[id(region)]
            document.warnings.append(
                f"page {region.page}: label {compact(region.text)[:20]} is worded as no "
                f"pattern of configs/blocks.yaml knows; read as {placed[id(region)]} by its place"
            )
    known.update(placed)
    sessions = infer_sessions(regions, known, set(labels), config)
    for region in regions:
        if id(region) in sessions:
            labels[id(region)] = _Label(region, None, sessions[id(region)], region.table)
            document.warnings.append(
                f"page {region.page}: column header {compact(region.text)[:20]} is worded as "
                f"no session header pattern knows; read as session {sessions[id(region)]} by "
                "its place"
            )
    tables = sorted(
        {r.table for r in regions if r.kind == "cell" and r.table is not None},
        key=lambda table: min(r.bbox.top for r in regions if r.table == table),
    )
    with_headers = {label.region.table for label in labels.values() if label.session}
    if tables and tables[0] not in with_headers:
        for label in carried:
            if label.session:
                labels[id(label)] = _Label(label.region, None, label.session, tables[0])
    continued = _continued(regions, tables[0], labels, carried) if tables else {}
    # a report's headings over its lists, worded as no pattern knows: by their place among
    # the known ones, over the page's free text (a PDF gives each heading a region of its own)
    free = [line for r in regions if r.kind in ("title", "subtitle", "text") for line in r.lines]
    headings = {id(free[n]): block for n, block in infer_headings(free, config).items()}
    for line in free:
        if id(line) in headings:
            document.warnings.append(
                f"page {line.page}: heading {compact(line.text)[:20]} is worded as no pattern "
                f"of configs/blocks.yaml knows; read as {headings[id(line)]} by its place"
            )
    blocks: list[Block] = []
    for region in regions:
        if region.kind == "cell" and id(region) not in labels:
            block = _cell_block(region, regions, labels, config, continued.get(id(region)))
            if block is None:
                continue
            if block.block == OTHER:
                document.warnings.append(
                    f"page {region.page}: text matches no known label, kept as {OTHER}: "
                    f"{compact(region.text)[:30]}"
                )
            blocks.append(block)
        elif region.kind == "subtitle" and (
            name := match_label(region.text, config) or headings.get(id(region.lines[0]))
        ):
            # a report's heading set large (支援前の現状): its list follows in a region below
            blocks.append(_new_block(name, compact(region.text), region.page))
        elif region.kind == "text":
            label = _label_above(region, labels, gap=2 * max(line.size for line in region.lines))
            if label is not None:  # a borderless text box under its header band
                blocks.append(_labelled_block(region, label, config))
            else:
                above = blocks[-1] if blocks else runs_on
                blocks.extend(_free_blocks(region, config, document, above, headings))
    last = tables[-1] if tables else None
    headers = [label for label in labels.values() if label.session and label.table == last]
    cells = [r for r in regions if r.kind == "cell" and r.table == last]
    bottom = max((c.bbox.bottom for c in cells), default=0.0)
    running = [  # the last table's labels whose column or row runs on to the next page
        label
        for label in labels.values()
        if label.block
        and label.region.table == last
        and any(
            c.bbox.bottom >= bottom - 1
            and (
                c is label.region
                or beside(label.region.bbox, c.bbox)
                or under(label.region.bbox, c.bbox)
            )
            for c in cells
        )
    ]
    return blocks, [*headers, *running]


def _continued(
    regions: list[Region], table: int, labels: dict[int, _Label], carried: list[_Label]
) -> dict[int, _Label]:
    """{id(cell): label} for the first row of a table that opens a page and has no labels
    of its own, where the previous page's last table ran on (Writer repeats no heading row,
    and a row split over the break leaves its label cell empty): a cell takes the box
    heading carried over its column, or the row label carried over the empty cell left of it."""
    cells = [r for r in regions if r.kind == "cell" and r.table == table]
    if not carried or any(labels.get(id(c)) and labels[id(c)].block for c in cells):
        return {}
    top = min(c.bbox.top for c in cells)
    above = [
        r for r in regions if r.kind == "text" and r.bbox.bottom <= top + 1 and compact(r.text)
    ]
    if above:
        return {}  # the table does not open the page: a new table, not one that runs on
    found: dict[int, _Label] = {}
    for cell in (c for c in cells if c.bbox.top <= top + 1 and compact(c.text)):
        for label in (label for label in carried if label.block):
            head = label.region.bbox
            if overlap(cell.bbox.x0, cell.bbox.x1, head.x0, head.x1) > 0.8 * cell.bbox.width:
                found[id(cell)] = label
            elif any(
                not compact(c.text)
                and abs(c.bbox.x0 - head.x0) < 2
                and abs(c.bbox.x1 - head.x1) < 2
                and beside(c.bbox, cell.bbox)
                for c in cells
            ):
                found[id(cell)] = label
    return found


def _labels(
    regions: list[Region], config: BlockConfig, wordings: dict[str, str]
) -> dict[int, _Label]:
    """The page's label cells: known wordings, and those its document's earlier pages
    showed to be labels by their place (a continued row's 気になっていること（続き）)."""
    labels: dict[int, _Label] = {}
    for region in regions:
        if region.kind != "cell":
            continue
        block = match_label(region.text, config) or wordings.get(wording(region.text))
        session = None if block else match_session(region.text, config)
        if block or session:
            labels[id(region)] = _Label(region, block, session, region.table)
    return labels


def _cell_block(
    cell: Region,
    regions: list[Region],
    labels: dict[int, _Label],
    config: BlockConfig,
    continued: _Label | None = None,
) -> Block | None:
    label = _label_left(cell, labels) or _label_above(cell, labels) or continued
    lines = list(cell.lines)
    heading = label.region.text if label else ""
    name = label.block if label else None
    if name is None:
        # A box whose heading is its own first line(s), inside the same rule.
        name, used = _heading_in_lines(lines, config)
        if name:
            heading = "".join(line.text for line in lines[:used])
            lines = lines[used:]
    if name is None:
        name = OTHER
    block = _new_block(name, compact(heading), cell.page)
    session = _session_above(cell, labels)
    block.session = session if name in config.session_blocks else None
    block.lines = lines
    block.right = cell.bbox.x1
    return block


def _label_left(cell: Region, labels: dict[int, _Label]) -> _Label | None:
    """The block label in the same table row, left of the cell (nearest wins)."""
    candidates = [
        label
        for label in labels.values()
        if label.block and label.region.table == cell.table and beside(label.region.bbox, cell.bbox)
    ]
    return max(candidates, key=lambda label: label.region.bbox.x1, default=None)


def _label_above(cell: Region, labels: dict[int, _Label], gap: float = 3.0) -> _Label | None:
    """A heading band right above the region, at least as wide as it (a box's header)."""
    candidates = [
        label
        for label in labels.values()
        if label.block
        and under(label.region.bbox, cell.bbox)
        and cell.bbox.top - label.region.bbox.bottom < gap
    ]
    return max(candidates, key=lambda label: label.region.bbox.bottom, default=None)


def _labelled_block(region: Region, label: _Label, config: BlockConfig) -> Block:
    block = _new_block(label.block, compact(label.region.text), region.page)
    block.lines = list(region.lines)
    block.right = region.bbox.x1
    return block


def _session_above(cell: Region, labels: dict[int, _Label]) -> int | None:
    """The session number of the 第N回 column header above the cell."""
    headers = [
        label
        for label in labels.values()
        if label.session
        and label.table == cell.table
        and (label.region.page != cell.page or label.region.bbox.bottom <= cell.bbox.top + 1)
        and overlap(label.region.bbox.x0, label.region.bbox.x1, cell.bbox.x0, cell.bbox.x1)
        > 0.5 * cell.bbox.width
    ]
    if not headers:
        return None
    return max(headers, key=lambda label: label.region.bbox.bottom).session


def _heading_in_lines(
    lines: list[Line], config: BlockConfig, most: int = 3
) -> tuple[str | None, int]:
    """A label spread over the first lines of a region: (block, lines used)."""
    for used in range(1, min(most, len(lines)) + 1):
        name = match_label("".join(line.text for line in lines[:used]), config)
        if name:
            return name, used
    return None, 0


def _free_blocks(region: Region, config: BlockConfig, document: Document,
                 above: Block | None = None, headings: dict[int, str] | None = None,
                 ) -> list[Block]:  # fmt: skip
    """Free text: ⚫ lines become まとめ; a heading line starts its block; the rest is その他.
    above: the page's block before the region (a heading of its own region, in a PDF), or
    the previous page's last list, where nothing stands before the region on its page;
    headings: id(line) → block of the lines that are headings by their place."""
    blocks: list[Block] = []
    current: Block | None = None
    headings = headings or {}
    for line in region.lines:
        text = line.text.lstrip()
        if is_title(text, config):
            continue  # a slide's or a report's part title (実施概要, …): no content
        if text.startswith(config.summary_glyphs) and not _bullet_of(
            current if current is not None else above, text[:1], config
        ):
            if current is None or current.block != SUMMARY:
                current = _new_block(SUMMARY, "", line.page)
                blocks.append(current)
            current.lines.append(line)
            continue
        name = match_label(text, config) or headings.get(id(line))
        if name:
            current = _new_block(name, compact(text), line.page)
            blocks.append(current)
            continue
        if current is None and above is not None and above.block != OTHER and not above.lines:
            current = above  # a heading alone in its region (a PDF's): the lines below are its
        if current is None and above is not None and above.page < line.page:
            # the page opens with the list the previous page's last heading began (a report
            # without page breaks): the same block, on this page (segment() joins them)
            current = _new_block(above.block, above.heading, line.page)
            current.session = above.session
            blocks.append(current)
        if current is None:
            current = _new_block(OTHER, "", line.page)
            blocks.append(current)
            document.warnings.append(
                f"page {line.page}: free text matches no known label, kept as {OTHER}: "
                f"{compact(text)[:30]}"
            )
        current.lines.append(line)
    return blocks


def _bullet_of(block: Block | None, glyph: str, config: BlockConfig) -> bool:
    """Whether a line led by a glyph that marks both まとめ lines and bullets (●) is an
    item of the block above it: the block's first line, or its items are led by the same
    glyph (a list's bullets are one glyph; まとめ lines follow a list of others). Its
    sub-headings (【A町の到達点】, 支援1回目) lead no item: a list may start below them."""
    if glyph not in config.bullets:
        return False
    if block is None:
        return True  # nothing above it on the page: まとめ lines close a slide, not open it
    if block.block == SUMMARY or (block.block == OTHER and not block.lines):
        return False
    firsts = [
        line.text.lstrip()[:1] for line in block.lines if not subheading_kind(line.text, config)
    ]
    return not firsts or glyph in firsts


def _new_block(name: str, heading: str, page: int) -> Block:
    """A block with its document, municipality and id still to be filled in by segment()."""
    return Block(
        block_id="",
        doc_id="",
        source="",
        municipality="",
        section="",
        page=page,
        block=name,
        heading=heading,
    )
