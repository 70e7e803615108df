"""Text that was already extracted: its slides, its furniture, and the reader of lines
that join cells side by side one space apart (pdfplumber's extract_text); stream.py reads
the other layouts.

Text that joins cells in one line has lost every position: a narrow label cell comes out a few characters per
line between its row's content lines (目指す / 姿・取 / り組み …), and the columns of a
session table or of side-by-side boxes are interleaved line by line. We undo as much of
that as the text allows:

* Label fragments are the short lines, or the short first word of a line, that join
  into a known label (configs/blocks.yaml). A label cell is centred on its row, so each
  row's content lines are those around its label, cut at a bullet between two labels;
  a label set at the top of its row (現状 ・ …) has its row below it.
* A line of a multi-column row holds up to one segment per column, in column order;
  segments start at a bullet, an item start (日時：) or a sub-heading. Which column a
  segment belongs to is decided for the whole row at once by a small beam search: a
  segment without a bullet continues the column whose previous line was full (wrapped
  at the cell edge), and no column's line is longer than that column's width. Each
  box's lines follow at its own even pitch, so the segments printed on one line must
  stand at one height in their boxes (_heights); the paragraph gaps and the columns'
  widths are those that read the row most consistently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import combinations, permutations

from pipeline.config.settings import BlockConfig
from pipeline.core.contract import OTHER, SUMMARY
from pipeline.core.normalize import compact, nfkc
from pipeline.core.records import BBox, Line
from pipeline.stages.segment.block_model import load as load_block_model
from pipeline.stages.segment.labels import is_title, match_label, session_numbers
from pipeline.stages.segment.text_pieces import (
    MAX_FRAGMENT,
    PAGE_NUMBER,
    Label,
    Segment,
    as_segment,
    autospaced,
    furniture_key,
    is_marker,
    label_fragments,
    segments,
    spelled_labels,
    text_width,
)

_PAGE_FOOTER = re.compile(r".*\S\s+\d{1,3}$")
_BEAM = 40
_ROUNDS = 3  # readings of a row, each with the column widths the previous one showed
_PITCH_WEIGHT = 0.5


@dataclass
class TextBlock:
    """A block found in plain text, before it becomes a records.Block."""

    block: str
    heading: str
    session: int | None
    lines: list[str] = field(default_factory=list)


@dataclass
class TextPage:
    header: list[str]
    blocks: list[TextBlock]
    furniture: list[str]
    unplaced: list[str]


# --------------------------------------------------------------------------- slides


def slides(pages: list[tuple[int, list[str]]], config: BlockConfig) -> list[tuple[int, list[str]]]:
    """The slides of a text: its pages (form feeds), each cut again where a slide's title
    line starts a new one (伴走支援前の状況, 実施概要, …: configs/blocks.yaml `titles`), as
    in text without page marks. The number is the page's, or, without form feeds, the
    slide's own count."""
    marked = len(pages) > 1
    found: list[tuple[int, list[str]]] = []
    for number, lines in pages:
        current: list[str] = []
        titled = False  # a title seen on this page
        for line in lines:
            if current and any(ln.strip() for ln in current) and is_title(line, config):
                # a numbered section's name a tool put on a line of its own: １．A町 / 伴走…
                carried = []
                while current and (
                    not current[-1].strip()
                    or (
                        config.section.match(nfkc(current[-1]).strip())
                        and len(compact(current[-1])) <= 20
                    )
                ):
                    carried.insert(0, current.pop())
                if not any(ln.strip() for ln in carried):
                    current.extend(carried)
                    carried = _section_heading(current, config)
                    del current[len(current) - len(carried) :]
                if any(ln.strip() for ln in current):
                    _add(found, number, current, config, goes_on=not titled)
                current = carried
            titled = titled or is_title(line, config)
            current.append(line)
        if any(ln.strip() for ln in current):
            _add(found, number, current, config, goes_on=not titled)
    if not marked:
        found = [(n, lines) for n, (_, lines) in enumerate(found, start=1)]
    return found


def _add(found: list[tuple[int, list[str]]], number: int, lines: list[str],
         config: BlockConfig, goes_on: bool) -> None:  # fmt: skip
    """A slide's lines; what stands on a page before any title goes on with the slide
    before it (a report's table of boxes broken by a page, its headings not repeated), as
    in text without page marks. Not after a session table: a page of its rows takes that
    table's sessions (read_page's `carried`)."""
    if (
        goes_on
        and found
        and not any(session_numbers(line, config) for line in found[-1][1] if line.strip())
    ):
        found[-1] = (found[-1][0], [*found[-1][1], *lines])
    else:
        found.append((number, lines))


def _section_heading(lines: list[str], config: BlockConfig, wrapped: int = 2) -> list[str]:
    """The last lines of a slide when they are the next section's heading, long and
    wrapped (２．B市（人口 … / …ベッドタウン））): the heading that names a municipality
    and at most `wrapped` lines after it; else none."""
    shown = [k for k, line in enumerate(lines) if line.strip()]
    for k in reversed(shown[-(wrapped + 1) :]):
        text = nfkc(lines[k]).strip()
        if config.section.match(text) and config.municipality.match(text):
            return lines[k:]
    return []


def furniture(pages: list[tuple[int, list[str]]], config: BlockConfig) -> set[str]:
    """Footer lines and page numbers: what stands on many slides and is neither a title,
    a label, an item nor a municipality's name (compacted lines)."""
    counts: dict[str, int] = {}
    originals: dict[str, str] = {}
    all_lines = [line for _, lines in pages for line in lines]
    for line in all_lines:
        key = furniture_key(line)
        if key:
            counts[key] = counts.get(key, 0) + 1
            originals.setdefault(key, line)
    found = {key for key in counts if PAGE_NUMBER.fullmatch(key)}
    # a running header: the first line of two pages or more (a report's 令和5年度 …報告書)
    heads = [furniture_key(next((ln for ln in lines if ln.strip()), "")) for _, lines in pages]
    tops = {key for key in heads if key and heads.count(key) >= 2}
    for key, count in counts.items():
        if (count < 3 and key not in tops) or key in found or len(key) <= MAX_FRAGMENT:
            continue  # a label cell's fragments (状, 題) recur too
        if is_title(key, config) or match_label(key, config) or session_numbers(key, config):
            continue  # a title, a label, a session header (第1回, or 第1回第2回 run together)
        # a subtitle starts with its municipality's name (柊野市（人口…）, １．A町 …); a
        # footer may end with it (令和4年度 …支援事業 柊野市)
        if is_marker(key, config) or config.municipality.match(key):
            continue
        line = originals[key]
        if _session_columns(line, config) or _box_columns(line, config):
            continue  # 第1回 第2回 第3回, or box headings side by side
        if _spells_labels(line, config):
            continue
        found.add(key)
    return found


def _spells_labels(line: str, config: BlockConfig) -> bool:
    """A line of box headings side by side, split at any of its spaces."""
    tokens = line.split()
    for cut in range(1, len(tokens)):
        if match_label("".join(tokens[:cut]), config) and match_label(
            "".join(tokens[cut:]), config
        ):
            return True
    return False


def read_text(pages: list[tuple[int, list[str]]], config: BlockConfig):
    """Every slide of a text as (page number, TextPage), in the layout the text shows:
    columns apart by runs of spaces (pdftotext -layout: "spaced"), cells joined one space
    apart in one line (pdfplumber: "joined"), or each line one cell's ("stream")."""
    from pipeline.stages.segment import layout_text, stream

    every = [line for _, lines in pages for line in lines]
    config = summary_marks(every, config)
    if layout_text.is_layout(every):
        layout = "spaced"
    elif merged_text(pages, config):
        layout = "joined"
    else:
        layout = "stream"
    furniture_lines = furniture(pages, config)
    across = stream.row_wise([lines for _, lines in pages], config)
    sessions: tuple[int, ...] = ()
    for number, lines in slides(pages, config):
        page = read_page(lines, config, furniture_lines, layout, across, sessions)
        sessions = tuple(sorted({b.session for b in page.blocks if b.session is not None}))
        yield number, page


def glyphs_first(
    pages: list[tuple[int, list[str]]], config: BlockConfig
) -> list[tuple[int, list[str]]]:
    """The pages with every まとめ glyph before the Latin word its line starts with: a PDF
    draws ⚫ in a symbol font, and extractors may give SC or 3 first, on the line
    (SC⚫ の委託先…, 3⚫ 地区の…) or, a word, on a line of its own above (SC / ⚫ の委託先…)."""
    marks = "".join(re.escape(g) for g in config.summary_glyphs)
    if not marks:
        return pages
    after_word = re.compile(rf"^(\s*)([A-Za-z0-9]{{1,6}}) ?([{marks}]) ?(.*)$")
    out = []
    for number, lines in pages:
        fixed: list[str] = []
        for line in lines:
            found = after_word.match(line)
            if found:
                line = f"{found[1]}{found[3]} {found[2]} {found[4]}".rstrip()
            elif (
                fixed
                # a word, not a number alone: that is a slide number drawn before (2 / ⚫ …)
                and re.fullmatch("[A-Za-z][A-Za-z0-9]{0,5}", fixed[-1].strip())
                and line.lstrip()[:1] in config.summary_glyphs
            ):
                body = line.lstrip()
                line = f"{body[0]} {fixed.pop().strip()} {body[1:].lstrip()}".rstrip()
            fixed.append(line)
        out.append((number, fixed))
    return out


def summary_marks(lines: list[str], config: BlockConfig) -> BlockConfig:
    """The configuration for one text: ● marks まとめ lines and is also a bullet (a Word
    list's, Wingdings l); where the text marks its まとめ lines with a glyph that is no
    bullet (⚫), its ● lines are bullets, wherever they stand."""
    only_summary = set(config.summary_glyphs) - set(config.bullets)
    if not any(line.lstrip()[:1] in only_summary for line in lines):
        return config
    return replace(config, summary_glyphs=tuple(sorted(only_summary)))


def merged_text(pages: list[tuple[int, list[str]]], config: BlockConfig) -> bool:
    """Whether a text joins cells side by side in its lines (pdfplumber, pdftotext -layout)
    rather than giving each cell's lines apart: a property of the tool, so of the whole text."""
    return _merged([line for _, lines in pages for line in lines], config)


def read_page(lines: list[str], config: BlockConfig, furniture: set[str], layout: str,
              across: bool = False, sessions: tuple[int, ...] = ()) -> TextPage:  # fmt: skip
    """One slide of text, read in the text's layout: cells joined in lines one space apart
    (pdfplumber) by split_page, whose search follows each box's line pitch; the others
    by the stream reader. `sessions`: the session columns of the page before, for a
    session table that runs on to this page without its header row."""
    from pipeline.stages.segment import stream

    if layout == "joined" and _merged(lines, config, least=1):
        return split_page([ln for ln in lines if furniture_key(ln) not in furniture], config)
    page = stream.read_slide(lines, config, furniture, across, layout, sessions)
    blocks = [
        TextBlock(slot.block, slot.heading, slot.session, texts) for slot, texts in page.blocks
    ]
    return TextPage(header=page.header, blocks=blocks, furniture=[], unplaced=[])


def _merged(lines: list[str], config: BlockConfig, least: int = 2) -> bool:
    """Lines that hold more than one cell's text: a label fragment before a marker
    (現 • 町内は…), two item starts or two bullets in one line (日時：… 日時：…), or
    columns set apart by runs of spaces."""
    body = [ln for ln in lines if ln.strip()]
    if not body:
        return False
    ambiguous = set(config.inline_glyphs)  # a lone ・ or → is a sentence's: 市・ SC ・ UR
    joined = 0
    for line in body:
        if re.search(r"\S {3,}\S", line.strip()):
            joined += 1
            continue
        tokens = line.split()
        if (
            len(tokens) > 1
            and len(tokens[0]) <= MAX_FRAGMENT
            and not is_marker(tokens[0], config)
            and all(ord(ch) >= 0x3000 for ch in tokens[0])  # a label is Japanese: not "SC ・"
            and tokens[1][0] in config.bullets
        ):
            joined += 1
            continue
        starts = sum(1 for t in tokens if any(p.match(nfkc(t)) for p in config.item_starts))
        inside = [
            t
            for k, t in enumerate(tokens[1:], start=1)
            if is_marker(t, config) and t not in ambiguous and tokens[k - 1] not in config.bullets
        ]
        if starts >= 2 or inside:
            joined += 1
    return joined >= max(least, 0.08 * len(body) if least > 1 else 1)


# --------------------------------------------------------------------------- page parts


def split_page(lines: list[str], config: BlockConfig) -> TextPage:
    """Header, body and まとめ lines of one page, and its furniture (footer, page number)."""
    lines = [_inner_dots(line.strip()) for line in lines if line.strip()]
    furniture: list[str] = []
    if lines and _PAGE_FOOTER.match(lines[-1]) and not is_marker(lines[-1], config):
        furniture.append(lines.pop())
    header: list[str] = []
    while lines and is_title(lines[0], config):  # 実施概要 (a report's part without subtitle)
        header.append(lines.pop(0))
    named = next(
        (i for i, line in enumerate(lines[:3]) if config.municipality.search(nfkc(line))), None
    )
    if named is not None:  # the title and the subtitle that names the municipality
        header, lines = header + lines[: named + 1], lines[named + 1 :]
    while lines and len(header) < 3 and not _body_starts(lines[0], config, lines[1:3]):
        header.append(lines.pop(0))
    summary_at = next(
        (i for i, line in enumerate(lines) if line.startswith(config.summary_glyphs)), len(lines)
    )
    body, summary = lines[:summary_at], lines[summary_at:]
    blocks = _body_blocks(body, config)
    if summary:
        blocks.append(TextBlock(SUMMARY, "", None, summary))
    return TextPage(header=header, blocks=blocks, furniture=furniture, unplaced=[])


_INNER_DOT = re.compile(r"(?<=[A-Za-z]) (?=・\S)")


def _inner_dots(line: str) -> str:
    """KDB ・認定, PT ・OT: office PDFs set Latin text apart from Japanese, so a middle
    dot typed after a Latin word comes out as a token of its own, like a bullet. A
    cell's bullet follows the end of the cell before it, which is rarely a Latin word."""
    return _INNER_DOT.sub("", line)


def _body_starts(line: str, config: BlockConfig, following: list[str]) -> bool:
    from pipeline.stages.segment.stream import heading_band

    tokens = line.split()
    if is_marker(tokens[0], config) or _session_columns(line, config):
        return True
    if len(_box_columns(line, config)) >= 2 or heading_band([line, *following], config):
        return True
    return len(compact(line)) <= MAX_FRAGMENT or (
        len(tokens) > 1 and len(tokens[0]) <= MAX_FRAGMENT and is_marker(tokens[1], config)
    )


def _session_columns(line: str, config: BlockConfig) -> list[int]:
    """第1回 第2回 第3回 on one line (with spaces inside, as extractors write 第 1 回)."""
    numbers = session_numbers(line, config)
    return list(numbers) if len(numbers) >= 2 else []


def _box_columns(line: str, config: BlockConfig) -> list[str]:
    """Two or three box headings on one line, told apart at its spaces."""
    from pipeline.stages.segment.stream import side_by_side

    return [block for block, _ in side_by_side(line, config)]


def _body_blocks(body: list[str], config: BlockConfig) -> list[TextBlock]:
    if not body:
        return []
    sessions = _session_columns(body[0], config)
    if sessions:
        return _table_blocks(body[1:], config, columns=len(sessions), sessions=sessions)
    from pipeline.stages.segment.stream import heading_band

    band = heading_band(body, config)
    boxes, spans = (band[1], band[0]) if band else (_box_columns(body[0], config), 1)
    if boxes:
        columns = _assign_columns(body[spans:], len(boxes), config, boxes=True)
        return [
            TextBlock(name, name, None, column) for name, column in zip(boxes, columns, strict=True)
        ]
    return _table_blocks(body, config, columns=1, sessions=[])


# --------------------------------------------------------------------------- label rows


def _table_blocks(
    lines: list[str], config: BlockConfig, columns: int, sessions: list[int]
) -> list[TextBlock]:
    labels = spelled_labels(label_fragments(lines, config), config)
    label_lines = {f.line: f for label in labels for f in label.fragments}
    content: list[tuple[int, str]] = []  # (line index, text without label fragment)
    for i, line in enumerate(lines):
        fragment = label_lines.get(i)
        if fragment is None:
            content.append((i, line))
        elif not fragment.whole_line:
            content.append((i, line.split(None, 1)[1]))
    if not labels:
        return [TextBlock(OTHER, "", None, [text for _, text in content])] if content else []
    rows = _rows(content, labels, config, columns)
    blocks: list[TextBlock] = []
    for label, row in zip(labels, rows, strict=True):
        if columns == 1:
            blocks.append(TextBlock(label.block, label.heading, None, row))
            continue
        if label.block not in config.session_blocks:  # e.g. 支援体制 spans the sessions
            blocks.append(TextBlock(label.block, label.heading, None, row))
            continue
        for session, column in zip(sessions, _assign_columns(row, columns, config), strict=True):
            blocks.append(TextBlock(label.block, label.heading, session, column))
    return blocks


def _rows(
    content: list[tuple[int, str]], labels: list[Label], config, columns: int = 1
) -> list[list[str]]:
    """Cut the content lines into one row per label.

    Labels set at the top of their rows have their rows below them (_top_aligned).
    A row boundary is always a line that starts an item. Below a row of session cells,
    the first line wider than its cells starts the row that spans the sessions (支援体制).
    Where a label's last lines stand alone, the row has ended beside them (_bare_end).
    Where the kind of line changes (日時： lines, then bullets; three columns, then
    one), that is the boundary.
    Otherwise a label is centred on its row, so the row runs on below the label about
    as many lines as it started above it, or less (see _row_cost); where the next row is
    the last one, how far it runs below its own label counts too.
    """
    if _top_aligned(content, labels, config):
        return _rows_below_labels(content, labels)
    starts = [0]
    for n in range(len(labels) - 1):
        label = labels[n]
        first, last = min(f.line for f in label.fragments), max(f.line for f in label.fragments)
        first_next = min(f.line for f in labels[n + 1].fragments)
        candidates = [
            k
            for k, (line_no, text) in enumerate(content)
            if k > starts[-1] and last < line_no <= first_next and _starts_item(text, config)
        ]
        if not candidates:
            later = [
                k for k, (line_no, _) in enumerate(content) if k > starts[-1] and line_no > last
            ]
            starts.append(later[0] if later else len(content))
            continue
        if columns > 1 and _spans_sessions(label, labels[n + 1], config):
            row = [text for _, text in content[starts[-1] : candidates[0]]]
            wide = [k for k in candidates if _wider_than_cells(content[k][1], row, config)]
            if wide:
                starts.append(wide[0])  # 支援体制's first line, as wide as the table
                continue
        ended = _bare_end(label)
        after = [k for k in candidates if ended is not None and content[k][0] > ended]
        if after and after[0] == next(k for k, (ln, _) in enumerate(content) if ln > ended):
            starts.append(after[0])  # the row's content ended beside the label
            continue
        row = [text for line_no, text in content[starts[-1] : candidates[0]]]
        kinds = {_kind(text, config) for text in row} - {"continuation"}
        changed = [k for k in candidates if kinds and _kind(content[k][1], config) not in kinds]
        above = sum(
            1 for k, (line_no, _) in enumerate(content) if k >= starts[-1] and line_no < first
        )
        if changed:
            starts.append(changed[0])
        else:
            after = [sum(1 for line_no, _ in content[:k] if line_no > last) for k in candidates]
            cost = [_row_cost(above, a) for a in after]
            if n + 1 == len(labels) - 1:  # the next row is the last: its lines below are known
                next_label = labels[n + 1]
                next_first = min(f.line for f in next_label.fragments)
                next_last = max(f.line for f in next_label.fragments)
                below = sum(1 for line_no, _ in content if line_no > next_last)
                for i, k in enumerate(candidates):
                    next_above = sum(1 for line_no, _ in content[k:] if line_no < next_first)
                    cost[i] += _row_cost(next_above, below)
            if columns == 1:
                fit = _word_fit([content[k][1] for k in candidates], label, labels[n + 1], config)
                cost = [c + f for c, f in zip(cost, fit, strict=True)]
            best = min(range(len(candidates)), key=lambda i: (cost[i], i))
            starts.append(candidates[best])
    starts.append(len(content))
    return [[text for _, text in content[a:b]] for a, b in zip(starts, starts[1:], strict=False)]


_FIT_WEIGHT = 0.5  # row lines per nat of the word model's preference
_FIT_CAP = 3.0  # nats: no one item outweighs the layout by more than this


def _word_fit(starts: list[str], label: Label, following: Label, config) -> list[float]:
    """For each cut before one of a row boundary's candidate item starts, how ill the
    items on either side fit the block they go to (block_model): where a tall label's
    row starts above its label, the layout hardly tells whether the item before the
    label ends the row above (…委託している) or starts this one (…流れをつくりたい);
    the words do."""
    model = load_block_model(config.examples) if config.examples else None
    if model is None or label.block == following.block:
        return [0.0] * len(starts)
    leans = []  # > 0: the item fits the upper row's block better
    for logp in model.log_probs(starts):
        upper, lower = logp.get(label.block), logp.get(following.block)
        lean = 0.0 if upper is None or lower is None else upper - lower
        leans.append(max(-_FIT_CAP, min(_FIT_CAP, lean)))
    return [
        _FIT_WEIGHT * (sum(max(0.0, -d) for d in leans[:i]) + sum(max(0.0, d) for d in leans[i:]))
        for i in range(len(starts))
    ]


def _top_aligned(content: list[tuple[int, str]], labels: list[Label], config) -> bool:
    """Labels set at the top of their rows, not centred (現状 ・ 昭和40年代…): every
    label starts on a line that starts an item, and no content stands above the first."""
    if len(labels) < 2 or any(line_no < labels[0].fragments[0].line for line_no, _ in content):
        return False
    firsts = {label.fragments[0].line for label in labels}
    starting = {line_no for line_no, text in content if _starts_item(text, config)}
    return all(not label.fragments[0].whole_line for label in labels) and firsts <= starting


def _rows_below_labels(content: list[tuple[int, str]], labels: list[Label]) -> list[list[str]]:
    """Rows that run from their label's first line down to the next label's."""
    rows: list[list[str]] = [[] for _ in labels]
    firsts = [label.fragments[0].line for label in labels]
    for line_no, text in content:
        row = max(n for n, first in enumerate(firsts) if first <= line_no)
        rows[row].append(text)
    return rows


def _spans_sessions(label: Label, following: Label, config: BlockConfig) -> bool:
    """A row of session cells (実施内容) above one that spans the sessions (支援体制)."""
    return label.block in config.session_blocks and following.block not in config.session_blocks


def _wider_than_cells(text: str, row: list[str], config: BlockConfig) -> bool:
    """Whether a line is clearly wider than any session cell of the row above: the
    widest cell is measured on the row's lines that hold several items side by side.
    A line that spans the sessions is about as wide as all their cells together."""
    widths = [
        segment.width
        for line in row
        for reading in segments(line, config, 1)[:1]
        if len(reading) > 1
        for segment in reading
    ]
    return bool(widths) and as_segment(text, config).width > 1.25 * max(widths)


def _bare_end(label: Label) -> int | None:
    """The line where a label's last lines start to stand alone, two or more in a row
    with no content line between them, or None.

    A label cell's lines (実/施/内/容, or 目指す/姿・取) are as tall as its row's
    content lines or taller, so where two of them follow each other with no content
    line beside or between them, the row's content has ended: what comes below them is
    the next row's. (Limited to labels of one character a line, it read three rows of
    dev worse and one better: a wrapped label is not set smaller than its row.)
    """
    bare = [f.line for f in label.fragments if f.whole_line and f.first_word is None]
    run = 0
    for line in reversed(range(label.fragments[-1].line + 1)):
        if line not in bare:
            break
        run += 1
    return label.fragments[-1].line - run + 1 if run >= 2 else None


def _row_cost(above: int, below: int) -> float:
    """How unlike a row it is to have `above` content lines above its label and `below`
    under it. The label is centred on the row and the content starts at the row's top,
    so a row runs on below its label about as far as it started above it, or less when
    its content is shorter than the row (a stretched row, a tall label): rarely more."""
    return abs(below - above) + 0.5 * max(0, below - above)


def _kind(text: str, config: BlockConfig) -> str:
    tokens = text.split()
    markers = sum(1 for token in tokens if is_marker(token, config))
    columns = "+" if markers >= 2 else ""  # a line of a multi-column row
    if tokens[0][0] in config.bullets:
        return "bullet" + columns
    if is_marker(tokens[0], config):
        return "start" + columns
    return "continuation"


def _starts_item(text: str, config: BlockConfig) -> bool:
    return is_marker(text.split()[0], config)


# --------------------------------------------------------------------------- columns


@dataclass
class _State:
    score: float
    last: tuple  # per column: (width of its last segment, ends a sentence) or None
    assigned: tuple  # per column: tuple of segment texts
    # the height of the last line, and of every column's last line, as (lowest, highest)
    # in line pitches: see _heights
    height: tuple = (0.0, 0.0)
    heights: tuple = ()


def _capacities(
    lines: list[str], columns: int, config: BlockConfig, spaced: bool = False
) -> list[float]:
    """A first guess of every column's line width: the widest line that splits one way."""
    widths = [
        segment.width
        for line in lines
        for reading in [segments(line, config, columns, spaced)]
        if len(reading) == 1
        for segment in reading[0]
    ]
    return [max(widths, default=20.0)] * columns


def _assign_columns(
    lines: list[str], columns: int, config: BlockConfig, boxes: bool = False
) -> list[list[str]]:
    """Each line's segments to columns; then again with each column's own width.

    Side-by-side boxes have widths of their own, and as their first lines start alike (a
    bullet, a sub-heading) a reading may put one box's lines in another's; the widths it
    measures are then right but for their order, and reading again with them keeps the
    swap. So the row is read again from every other order of the widths that reads it
    better at once, and the most consistent reading kept. (A session table's cells are
    all of one width.)"""
    if columns == 1:
        return [lines]
    spaced = autospaced(lines, config)
    memo: dict = {}  # the searches below try some widths and gaps more than once
    best = _read_rounds(lines, _capacities(lines, columns, config, spaced), config, spaced, memo)
    if boxes:
        best = _other_orders(lines, best, config, spaced, memo)
        widened = _other_widths(lines, best, config, spaced, memo)
        if widened is not best:
            best = _other_orders(lines, widened, config, spaced, memo)
    return best[1]


def _other_orders(lines, best, config, spaced, memo) -> tuple[float, list, list, tuple]:
    score, _, capacity, gap = best
    for order in dict.fromkeys(permutations(capacity)):
        if list(order) == capacity:
            continue
        if _beam_search(lines, len(capacity), list(order), config, gap, spaced, memo)[0] > score:
            found = _read_rounds(lines, list(order), config, spaced, memo)
            best = max(best, found, key=lambda result: result[0])
    return best


def _other_widths(lines, best, config, spaced, memo) -> tuple[float, list, list, tuple]:
    """The reading again with one box's width set to a narrower width the row's lines show.

    Read from one width for every box, a narrow box's lines can go to a wide one and
    the widths measured then are all wide: no order of them reads the row well. So each
    box is tried in turn at every width that several of the row's segments reach."""
    capacity = best[2]
    support = _width_support(lines, len(capacity), config, spaced)  # the same for every box
    for column in range(len(capacity)):
        for width in _width_candidates(support, max(capacity) / 2):
            capacity = best[2]
            if width >= capacity[column] - 2.0:  # only narrower: wider ones absorb strays
                continue
            trial = [width if c == column else w for c, w in enumerate(capacity)]
            if _beam_search(lines, len(trial), trial, config, best[3], spaced, memo)[0] > best[0]:
                found = _read_rounds(lines, trial, config, spaced, memo)
                best = max(best, found, key=lambda result: result[0])
    return best


def _width_support(lines, columns: int, config, spaced) -> dict[float, int]:
    """Per width (to half a character) a segment has in any reading of the lines: how many
    lines have a segment that wide or up to 1.2 characters narrower."""
    seen: dict[float, int] = {}
    for line in lines:
        readings = segments(line, config, columns, spaced)
        widths = {round(s.width * 2) / 2 for reading in readings for s in reading}
        for width in widths:
            seen[width] = seen.get(width, 0) + 1
    return {w: sum(n for x, n in seen.items() if w - 1.2 <= x <= w) for w in seen}


def _width_candidates(support: dict[float, int], least: float) -> list[float]:
    """Widths that several lines' segments reach within a character: the widths a box's
    full lines may have, widest first, two characters apart at least, none below `least`
    (half the widest box)."""
    found: list[float] = []
    for width in sorted(support, key=lambda w: (-support[w], -w)):
        if support[width] < 4 or len(found) >= 5:
            break
        if width >= least and all(abs(width - other) > 2.0 for other in found):
            found.append(width)
    return found


def _read_rounds(lines, capacity, config, spaced, memo) -> tuple[float, list, list, tuple]:
    """The best reading (score, columns, the widths and gaps it was read with), each
    round with the column widths the previous one showed."""
    columns = len(capacity)
    best = None
    for _ in range(_ROUNDS):
        # the paragraph gaps of the boxes are whichever read the row most consistently
        score, assigned, gap = max(
            (
                (*_beam_search(lines, columns, capacity, config, gap, spaced, memo), gap)
                for gap in _GAPS
            ),
            key=lambda result: result[0],
        )
        if best is not None and assigned == best[1]:
            break
        if best is None or score > best[0]:
            best = (score, assigned, capacity, gap)
        capacity = [_column_width(column, capacity[c], config) for c, column in enumerate(assigned)]
    assert best is not None
    return best


def _column_width(lines: list[str], guess: float, config: BlockConfig) -> float:
    """A column's line width: the widest line that a few others nearly reach.

    The lines of an item fill the column but its last, so several lines come within a
    character of the width; a lone wider line was put in the column by mistake.
    """
    widths = sorted((as_segment(text, config).width for text in lines), reverse=True)
    for width in widths:
        if sum(1 for other in widths if width - 1.2 <= other <= width) >= 3:
            return width
    return guess


def _beam_search(
    lines, columns, capacity, config, para_gap, spaced, memo: dict
) -> tuple[float, list]:
    """The best reading of the lines at these widths and gaps: its score and columns.
    memo: readings already made of the same lines (by widths and gaps)."""
    key = (tuple(capacity), para_gap)
    if key not in memo:
        score, assigned = _search(lines, columns, capacity, config, para_gap, spaced)
        memo[key] = (score, [list(column) for column in assigned])
    score, assigned = memo[key]
    return score, [list(column) for column in assigned]


def _search(lines, columns, capacity, config, para_gap, spaced) -> tuple[float, list]:
    beam = [_State(0.0, (None,) * columns, ((),) * columns, (0.0, 0.0), (None,) * columns)]
    for index, line in enumerate(lines):
        candidates: list[_State] = []
        for reading in segments(line, config, columns, spaced):
            if len(reading) > columns:
                continue
            for chosen in combinations(range(columns), len(reading)):
                for state in beam:
                    candidates.append(_extend(state, reading, chosen, capacity, index, para_gap))
        if not candidates:  # more markers than columns: keep the line whole, in column 1
            whole = [Segment(line, False, width=text_width(line))]
            candidates = [_extend(s, whole, (0,), capacity, index, para_gap) for s in beam]
        candidates.sort(key=lambda s: -s.score)
        beam = _dedupe(candidates)[:_BEAM]
    return beam[0].score, [list(column) for column in beam[0].assigned]


def _dedupe(states: list[_State]) -> list[_State]:
    seen, kept = set(), []
    for state in states:
        key = state.last
        if key not in seen:
            seen.add(key)
            kept.append(state)
    return kept


_OPENING, _CLOSING = "「（(『【", "」）)』】"


def _bracket_depth(text: str, depth: int = 0) -> tuple[int, bool]:
    """Open brackets after `text`, and whether it closed one it did not open."""
    stray = False
    for char in text:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            if depth == 0:
                stray = True
            depth = max(0, depth - 1)
    return depth, stray


_SENTENCE_END = re.compile(r"(た|だ|る|い|す|ず|う)$")
_MAYBE_ENDED = 0.5


def _ending(text: str) -> bool | None:
    """True when a line surely ends its item (。, a closing bracket), None when it ends
    like a Japanese sentence (…した, …いる, …ない) and may, False otherwise."""
    if text.endswith(("。", "）", ")")):
        return True
    return None if _SENTENCE_END.search(text) else False


_TOLERANCE = 0.2  # of a line pitch: words this close in height are printed on one line
_DRIFT = 0.03  # of a line pitch per line: how far a box's pitch may be misjudged
# paragraph gaps tried (before an item; before a sub-heading, on top of it), in pitches
_GAPS = tuple(
    (item, heading) for item in (0.0, 0.125, 0.25, 0.375, 0.5) for heading in (0.0, 0.25, 0.5)
)
_HEIGHT_WEIGHT = 4.0


def _heights(state: _State, reading, chosen, layout) -> tuple[tuple, tuple, float]:
    """Where the line's segments stand, and how far that is from any consistent height.

    Side-by-side boxes are merged line by line by height. Each box's lines follow one
    another at its own even pitch (a line, or a line and a paragraph gap before a new
    item), and boxes of one width have a pitch in proportion to their font size, that
    is inversely to how many characters fill a line. So the segments printed on one line
    must be at one height in their boxes, and that height must lie below the line above.
    Heights are intervals, in pitches of the widest-lettered box; the misfit is how
    far apart, in pitches, the intervals that should meet stand.
    """
    capacity, (para_gap, heading_gap) = layout
    widest = max(capacity)
    proposals = []
    for segment, column in zip(reading, chosen, strict=True):
        pitch = widest / capacity[column]
        previous = state.heights[column]
        if previous is None:  # a box's first line is at its top
            proposals.append((0.0, _TOLERANCE))
            continue
        gap = (para_gap if segment.marker else 0.0) + (heading_gap if segment.heading_kind else 0)
        step = pitch * (1.0 + gap)
        proposals.append((previous[0] + step * (1 - _DRIFT), previous[1] + step * (1 + _DRIFT)))
    low = max(lo for lo, _ in proposals)
    high = min(hi for _, hi in proposals)
    misfit = max(0.0, low - high - _TOLERANCE)
    if low > high:
        low = high = (low + high) / 2
    above = state.height[0]
    if state.heights != (None,) * len(state.heights):
        # lines follow each other downwards, further apart than words printed on one line
        misfit += max(0.0, above + _TOLERANCE - high)
        low = max(low, min(above + _TOLERANCE, high))
    heights = list(state.heights)
    for column in chosen:
        heights[column] = (low, high)
    return (low, high), tuple(heights), misfit


def _extend(
    state: _State, reading, chosen, capacity, index: int = 0, para_gap=(0.25, 0.25)
) -> _State:
    """Score placing a line's segments in the chosen columns.

    A segment without a marker continues a column whose previous line was full (wrapped
    at the cell edge) and not finished; a marker starts an item in a column whose
    previous line was not. A bracket opened in a column's item is closed in the same
    column. No column's line is wider than the column.
    """
    score = state.score
    last = list(state.last)
    assigned = list(state.assigned)
    height, heights, misfit = _heights(state, reading, chosen, (capacity, para_gap))
    score -= _HEIGHT_WEIGHT * misfit
    for segment, column in zip(reading, chosen, strict=True):
        width = segment.width
        # (width, ended, open brackets, line index, gaps so far) of the column's last line
        previous = last[column]
        full = previous is not None and previous[0] >= capacity[column] - 2.5 and not previous[1]
        # a full line that ends like a sentence (…した, …いる, …ない) may end its item too
        maybe_ended = full and previous[1] is None
        open_before = previous[2] if previous is not None else 0
        if segment.marker:
            score += 1.0 if not full else (_MAYBE_ENDED if maybe_ended else -2.0)
            score -= 1.5 if open_before else 0.0
            depth, _ = _bracket_depth(segment.text)
        else:
            if full:
                score += _MAYBE_ENDED if maybe_ended else 2.0
            else:
                score += -3.0 if previous is not None else -4.0
            depth, stray = _bracket_depth(segment.text, open_before)
            if depth < open_before:
                score += 1.5
            if stray:
                score -= 1.5
        if width > capacity[column] + 1.0:
            score -= 6.0
        if segment.doubtful_cut:
            score -= 1.5
        gaps: tuple[int, ...] = ()
        if previous is not None:
            # a column's lines follow each other at its own even pitch, so in the merged
            # order they recur at a steady interval
            gap = index - previous[3]
            gaps = (*previous[4][-3:], gap)
            if len(previous[4]) >= 2:
                usual = sorted(previous[4])[len(previous[4]) // 2]
                score -= _PITCH_WEIGHT * max(0, abs(gap - usual) - 1)
        kinds = previous[5] if previous is not None else frozenset()
        if segment.heading_kind and segment.heading_kind not in kinds:
            if any(c is not None and segment.heading_kind in c[5] for c in last):
                score -= 4.0  # 支援2回目 under 支援1回目, not in another column
            kinds = kinds | {segment.heading_kind}
        last[column] = (width, _ending(segment.text), depth, index, gaps, kinds)
        assigned[column] = (*assigned[column], segment.text)
    return _State(score, tuple(last), tuple(assigned), height, heights)


# --------------------------------------------------------------------------- to records


# Text has no positions; its lines get boxes in "points" of a 10-point font, one
# full-width character wide each, so that the itemizer can tell a line that ran to its
# column's edge (a wrapped one) from one that ended early.
_CHAR_PT = 10.0
_PAD_PT = 8.0  # the itemizer's allowance for a cell's padding (segment/items.py)


_AUTOSPACE = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) (?=[\u3000-\u9fff\uff00-\uffef])"
)


def close_autospace(text: str) -> str:
    """Extractors write a space where a PDF left a gap between Japanese and Latin text
    (（ SC ）, R3 年度): no one typed it. A space between Japanese words stays, and so does
    the one after a bullet (・ SCは…)."""
    head = text[:2] if len(text) > 1 and text[1] == " " else ""
    return head + _AUTOSPACE.sub("", text[len(head) :])


def text_lines(block: TextBlock, page: int, start: int) -> list[Line]:
    """Lines for the itemizer: one after another, as wide as their text."""
    return [
        Line(
            text=close_autospace(text),
            bbox=BBox(0.0, float(start + n), _CHAR_PT * text_width(text.strip()), start + n + 1.0),
            page=page,
            size=_CHAR_PT,
        )
        for n, text in enumerate(block.lines)
    ]


def text_right(block: TextBlock) -> float | None:
    """Where a text block's lines wrap: its column width, as the itemizer measures it."""
    widths = sorted((text_width(t.strip()) for t in block.lines), reverse=True)
    for width in widths:
        if sum(1 for other in widths if width - 1.2 <= other <= width) >= 2:
            return _CHAR_PT * width + _PAD_PT
    return _CHAR_PT * widths[0] + _PAD_PT if widths else None
