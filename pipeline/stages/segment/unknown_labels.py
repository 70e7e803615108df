"""Labels that configs/blocks.yaml does not know, read by their place.

Municipalities word their labels their own way (あらまし, 気がかり, ふりかえり), and a label the
patterns miss used to turn its whole row into その他. A report's layout still says where a
label stands: a short cell in the column where its table's other rows have their labels,
with content to its right; a heading band in line with the other box headings of its row,
a box below it; a report's heading where its other headings stand, a list below it. Such
a label names the block its group (configs/blocks.yaml `label_groups`: a table's rows
現状 / 目指す姿 / 課題意識, a band's アセスメント結果 / 支援内容 / 到達点) leaves: the one block
the known labels do not take or, where more are left, the one its content's words fit
best (block_model), in the group's usual order where the words do not tell. A group is
known by a known label in it, or a session table by its 第1回 headers; a label the
document has placed once is that block on its later pages too (a continued row); a table
of unknown words alone stays その他.
"""

from __future__ import annotations

import re
from itertools import permutations

from pipeline.config.settings import BlockConfig
from pipeline.core.geometry import beside, overlap, under
from pipeline.core.normalize import compact
from pipeline.core.records import Line, Region
from pipeline.stages.segment.block_model import load as load_block_model
from pipeline.stages.segment.labels import is_title, match_label, match_session, subheading_kind

_ALIGN = 2.0  # points: cells of one label column, or headings of one band, line up this close
_ORDER_WEIGHT = 0.5  # nats per pair of labels in the group's usual order


def infer_labels(
    regions: list[Region], known: dict[int, str], taken: set[int], config: BlockConfig
) -> dict[int, str]:
    """{id(region): block} for the label cells the patterns did not know.

    known: id → block of the cells the patterns read as labels; taken: ids of every cell
    already read as a header of any kind (labels and session headers)."""
    if not config.label_groups:
        return {}
    found: dict[int, str] = {}
    cells = [r for r in regions if r.kind == "cell"]
    for members, content, hint in [*_label_columns(cells, known, taken, config),
                                   *_heading_bands(regions, known, taken, config)]:  # fmt: skip
        found.update(_assign(members, content, known, config, hint))
    return found


def wording(text: str) -> str:
    """A label's words, as the document repeats them on a continued slide."""
    return re.sub(r"[(（]続き[)）]$", "", compact(text))


def _short(key: str, config: BlockConfig) -> bool:
    """Short text, no sentence's end, no slide's title: what a label's words look like."""
    return (
        0 < len(key) <= min(config.label_max_chars, 24)
        and not key.endswith("。")
        and not is_title(key, config)
    )


def _labelish(region: Region, config: BlockConfig) -> bool:
    """A cell that looks like a label: short, and none of its lines led by a bullet. A
    narrow cell wraps its label a character a line (い / つ / ・ / ど): a glyph alone on its
    line leads no item."""
    firsts = {line.text.strip()[:1] for line in region.lines if len(compact(line.text)) > 1}
    glyphs = set(config.bullets) | set(config.summary_glyphs)
    return _short(compact(region.text), config) and not firsts & glyphs


def _right_of(cell: Region, cells: list[Region]) -> Region | None:
    """The nearest cell of the same table row to the right."""
    row = [
        c for c in cells if c is not cell and c.table == cell.table and beside(cell.bbox, c.bbox)
    ]
    return min(row, key=lambda c: c.bbox.x0, default=None)


def _label_columns(cells, known, taken, config):
    """Per table, its label column's cells (known and unknown), each one's content cell,
    and the group a session table (第1回 / 第2回 headers) holds, whose rows may all be
    worded anew on a page the table runs on to."""
    sessions = {c.table for c in cells if match_session(c.text, config) is not None}
    for table in {c.table for c in cells if id(c) in known or c.table in sessions} - {None}:
        own = [c for c in cells if c.table == table]
        headers = [c for c in own if id(c) not in known and match_session(c.text, config)]
        rows = {}
        for cell in own:
            right = _right_of(cell, own)
            if right is not None and id(right) not in taken and compact(right.text):
                rows[id(cell)] = (cell, right)
        labels = [cell for cell, _ in rows.values() if id(cell) in known]
        unknown = [
            cell
            for cell, right in rows.values()
            if id(cell) not in taken
            and _labelish(cell, config)
            and right.bbox.width > cell.bbox.width
            and (
                any(_lined_up(cell, label, "column") for label in labels)
                or (headers and cell.bbox.x1 <= min(h.bbox.x0 for h in headers) + 1)
            )
        ]
        if unknown:
            members = sorted([*labels, *unknown], key=lambda c: (c.bbox.top, c.bbox.x0))
            hint = _group_of(config.session_blocks[0], config) if headers else None
            yield members, {id(c): rows[id(c)][1] for c in members}, hint


def _group_of(block: str, config: BlockConfig) -> tuple[str, ...] | None:
    return next((g for g in config.label_groups if block in g), None)


def _below(heading: Region, regions: list[Region]) -> Region | None:
    """The box right below a heading band, about as wide as it (blocks._label_above)."""
    size = max((line.size for line in heading.lines), default=10.0)
    boxes = [
        r
        for r in regions
        if r is not heading
        and r.kind in ("cell", "text")
        and under(heading.bbox, r.bbox)
        and r.bbox.top - heading.bbox.bottom < (3.0 if r.kind == "cell" else 2 * size)
        and compact(r.text)
    ]
    return min(boxes, key=lambda r: r.bbox.top, default=None)


def _heading_bands(regions, known, taken, config):
    """Box headings in one band with known ones, and the box below each."""
    cells = [r for r in regions if r.kind == "cell"]
    boxes = {id(c): b for c in cells if (b := _below(c, regions)) is not None}
    headings = [c for c in cells if id(c) in known and id(c) in boxes]
    seen: set[int] = set()
    for heading in headings:
        if id(heading) in seen:
            continue
        band = [h for h in headings if h is heading or _lined_up(h, heading, "band")]
        unknown = [
            c
            for c in cells
            if id(c) in boxes
            and id(c) not in taken
            and id(boxes[id(c)]) not in taken
            and _labelish(c, config)
            and _lined_up(c, heading, "band")
        ]
        seen.update(id(h) for h in band)
        if unknown:
            members = sorted([*band, *unknown], key=lambda c: (c.bbox.x0, c.bbox.top))
            yield members, {id(c): boxes[id(c)] for c in members}, None


def _lined_up(a: Region, b: Region, how: str) -> bool:
    if how == "column":  # one above the other, the same left and right edges
        return abs(a.bbox.x0 - b.bbox.x0) < _ALIGN and abs(a.bbox.x1 - b.bbox.x1) < _ALIGN
    # side by side in one band: the same top and bottom, not over one another
    return (
        abs(a.bbox.top - b.bbox.top) < _ALIGN
        and abs(a.bbox.bottom - b.bbox.bottom) < _ALIGN
        and overlap(a.bbox.x0, a.bbox.x1, b.bbox.x0, b.bbox.x1) <= 0
    )


def _assign(members, content, known, config, hint=None) -> dict[int, str]:
    """The unknown members' blocks: what the group leaves, the best-fitting way round."""
    keys = [id(m) for m in members]
    names = {key: block for key, block in known.items() if key in set(keys)}
    texts = {id(m): content[id(m)].text for m in members if id(m) not in known}
    return _choose(keys, names, texts, config, hint)


def _choose(keys: list, known: dict, texts: dict, config: BlockConfig, hint=None) -> dict:
    """{key: block} for the keys not in known (a group's labels in their order; texts:
    each unknown one's content): the blocks the one group of the known ones leaves, the
    way round its content's words fit best and, where they do not tell, in the group's
    order. Nothing where the known labels belong to no group (and no hint names one) or
    to two, or where more labels are unknown than blocks are left (then not all of them
    are labels)."""
    used = {known[key] for key in keys if key in known}
    groups = [g for g in config.label_groups if used & set(g)] or ([hint] if hint else [])
    unknown = [key for key in keys if key not in known]
    if len(groups) != 1 or not unknown:
        return {}
    group = groups[0]
    left = [b for b in group if b not in used]
    if len(unknown) > len(left):
        return {}
    model = load_block_model(config.examples) if config.examples else None
    fits = (
        model.log_probs([compact(texts[key]) for key in unknown])
        if model is not None
        else [{} for _ in unknown]
    )
    rank = {block: n for n, block in enumerate(group)}
    position = {key: n for n, key in enumerate(unknown)}

    def score(blocks: tuple[str, ...]) -> float:
        words = sum(fit.get(block, 0.0) for fit, block in zip(fits, blocks, strict=True))
        placed = [rank[known[k]] if k in known else rank[blocks[position[k]]] for k in keys]
        in_order = sum(1 for a, b in zip(placed, placed[1:], strict=False) if a < b)
        return words + _ORDER_WEIGHT * in_order

    best = max(permutations(left, len(unknown)), key=score)
    return dict(zip(unknown, best, strict=True))


def infer_headings(lines: list[Line], config: BlockConfig) -> dict[int, str]:
    """{line index: block} for the headings of a free text (a Word report's 支援前の現状
    over its list) that the patterns did not know.

    A heading here is a paragraph's only line, short, without a bullet, standing where
    the known headings of the text stand (their left edge) and followed by a list or a
    sub-heading. The text's titles (実施内容と実施結果) cut it into parts; in a part whose
    known headings are of one group, the unknown ones name the blocks the group leaves
    (_choose, their content the lines down to the next heading)."""
    if not config.label_groups:
        return {}
    known: dict[int, str] = {}
    for n, line in enumerate(lines):
        if (block := match_label(line.text, config)) is not None:
            known[n] = block
    if not known:
        return {}
    paragraphs = any(line.paragraph for line in lines)  # a .docx's lines say where one starts
    edges = [lines[n].bbox.x0 for n in known]
    glyphs = set(config.bullets)

    right = max(line.bbox.x1 for line in lines)

    def starts_paragraph(n: int) -> bool:
        """Known from a .docx; in a PDF, where the line above ended short of the text's right
        edge (a wrapped line of a list without a hanging indent stands where headings do)."""
        if paragraphs:
            return lines[n].paragraph
        return n == 0 or lines[n - 1].bbox.x1 < right - 1.5 * (lines[n - 1].size or 10.0)

    def heading(n: int) -> bool:
        line = lines[n]
        following = lines[n + 1] if n + 1 < len(lines) else None
        return (
            following is not None
            and starts_paragraph(n)
            and (following.paragraph or not paragraphs)
            and _labelish_text(line.text, config)
            and not subheading_kind(line.text, config)
            and not any(p.match(compact(line.text)) for p in config.item_starts)
            and any(abs(line.bbox.x0 - x) < _ALIGN for x in edges)
            and (
                following.text.strip()[:1] in glyphs
                or bool(subheading_kind(following.text, config))
            )
        )

    found: dict[int, str] = {}
    parts: list[list[int]] = [[]]  # the headings of each part of the text
    for n, line in enumerate(lines):
        if is_title(line.text, config):
            parts.append([])
        elif n in known or heading(n):
            parts[-1].append(n)
    for part in filter(None, parts):
        ends = [*part[1:], len(lines)]
        texts = {
            n: "".join(line.text for line in lines[n + 1 : end])
            for n, end in zip(part, ends, strict=True)
            if n not in known
        }
        found.update(_choose(part, {n: known[n] for n in part if n in known}, texts, config))
    return found


def _labelish_text(text: str, config: BlockConfig) -> bool:
    """A line that looks like a heading: short, not led by a bullet or a まとめ glyph."""
    key = compact(text)
    return _short(key, config) and key[:1] not in set(config.bullets) | set(config.summary_glyphs)


def infer_sessions(
    regions: list[Region], known: dict[int, str], taken: set[int], config: BlockConfig
) -> dict[int, int]:
    """{id(cell): session number} for a session table's column headers worded as no
    pattern knows (7月12日（水）, 初回, 最終回): the cells right above the columns that a
    session block's row (基本情報, 実施内容) spreads over, numbered left to right. Only
    where the table has no known header and every such column has one."""
    cells = [r for r in regions if r.kind == "cell"]
    found: dict[int, int] = {}
    for table in {c.table for c in cells if known.get(id(c)) in config.session_blocks}:
        own = [c for c in cells if c.table == table]
        if any(id(c) in taken and id(c) not in known for c in own):
            continue  # its headers are known ones (第1回)
        rows = [c for c in own if known.get(id(c)) in config.session_blocks]
        top = min(rows, key=lambda c: c.bbox.top)
        columns = sorted((c for c in own if beside(top.bbox, c.bbox)), key=lambda c: c.bbox.x0)
        if len(columns) < 2:
            continue
        headers = []
        for column in columns:
            above = [
                c
                for c in own
                if id(c) not in taken
                and c.bbox.bottom <= column.bbox.top + 1
                and abs(c.bbox.x0 - column.bbox.x0) < _ALIGN
                and abs(c.bbox.x1 - column.bbox.x1) < _ALIGN
                and _labelish(c, config)
            ]
            if above:
                headers.append(max(above, key=lambda c: c.bbox.bottom))
        if len(headers) == len(columns):
            found.update({id(c): n for n, c in enumerate(headers, start=1)})
    return found
