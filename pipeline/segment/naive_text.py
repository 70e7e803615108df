"""Blocks from text that was already extracted naively (pdftotext / extract_text style).

Such text has lost every position: a narrow label cell comes out a few characters per
line between its row's content lines (目指す / 姿・取 / り組み …), and the columns of a
session table or of side-by-side boxes are interleaved line by line. We undo as much of
that as the text allows:

* Label fragments are the short lines, or the short first word of a line, that join
  into a known label (configs/blocks.yaml). A label cell is centred on its row, so each
  row's content lines are those around its label, cut at a bullet between two labels.
* A line of a multi-column row holds up to one segment per column, in column order;
  segments start at a bullet, an item start (日時：) or a sub-heading. Which column a
  segment belongs to is decided for the whole row at once by a small beam search: a
  segment without a bullet continues the column whose previous line was full (wrapped
  at the cell edge), and no column's line is longer than that column's width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

from ..config import BlockConfig
from ..normalize import compact, nfkc
from ..records import BBox, Line

_PAGE_FOOTER = re.compile(r".*\S\s+\d{1,3}$")
_MAX_FRAGMENT = 5  # characters of a label fragment on one line
_BEAM = 40
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


def _is_marker(token: str, config: BlockConfig) -> bool:
    if not token:
        return False
    if token[0] in config.bullets or token[0] in config.summary_glyphs:
        return True
    text = nfkc(token)
    return any(p.match(text) for p in config.item_starts) or any(
        p.fullmatch(compact(token)) for p in config.subheadings
    )


def _label_of(text: str, config: BlockConfig) -> str | None:
    from .blocks import match_label

    return match_label(text, config)


def _session_of(text: str, config: BlockConfig) -> int | None:
    from .blocks import match_session

    return match_session(text, config)


# --------------------------------------------------------------------------- page parts


def split_page(lines: list[str], config: BlockConfig) -> TextPage:
    """Header, body and まとめ lines of one page, and its furniture (footer, page number)."""
    lines = [line.strip() for line in lines if line.strip()]
    furniture: list[str] = []
    if lines and _PAGE_FOOTER.match(lines[-1]) and not _is_marker(lines[-1], config):
        furniture.append(lines.pop())
    header: list[str] = []
    named = next(
        (i for i, line in enumerate(lines[:3]) if config.municipality.search(nfkc(line))), None
    )
    if named is not None:  # the title and the subtitle that names the municipality
        header, lines = lines[: named + 1], lines[named + 1 :]
    while lines and len(header) < 3 and not _body_starts(lines[0], config):
        header.append(lines.pop(0))
    summary_at = next(
        (i for i, line in enumerate(lines) if line.startswith(config.summary_glyphs)), len(lines)
    )
    body, summary = lines[:summary_at], lines[summary_at:]
    blocks = _body_blocks(body, config)
    if summary:
        blocks.append(TextBlock("まとめ", "", None, summary))
    return TextPage(header=header, blocks=blocks, furniture=furniture, unplaced=[])


def _body_starts(line: str, config: BlockConfig) -> bool:
    tokens = line.split()
    if _is_marker(tokens[0], config) or _session_columns(line, config):
        return True
    if len(_box_columns(line, config)) >= 2:
        return True
    return len(compact(line)) <= _MAX_FRAGMENT or (
        len(tokens) > 1 and len(tokens[0]) <= _MAX_FRAGMENT and _is_marker(tokens[1], config)
    )


def _session_columns(line: str, config: BlockConfig) -> list[int]:
    sessions = [_session_of(token, config) for token in line.split()]
    return [s for s in sessions if s] if len(sessions) >= 2 and all(sessions) else []


def _box_columns(line: str, config: BlockConfig) -> list[str]:
    names = [_label_of(token, config) for token in line.split()]
    return [n for n in names if n] if len(names) >= 2 and all(names) else []


def _body_blocks(body: list[str], config: BlockConfig) -> list[TextBlock]:
    if not body:
        return []
    sessions = _session_columns(body[0], config)
    if sessions:
        return _table_blocks(body[1:], config, columns=len(sessions), sessions=sessions)
    boxes = _box_columns(body[0], config)
    if boxes:
        columns = _assign_columns(body[1:], len(boxes), config)
        return [
            TextBlock(name, name, None, column) for name, column in zip(boxes, columns, strict=True)
        ]
    return _table_blocks(body, config, columns=1, sessions=[])


# --------------------------------------------------------------------------- label rows


@dataclass
class _Fragment:
    line: int  # index of the line it sits on
    text: str
    whole_line: bool


def _fragments(lines: list[str], config: BlockConfig) -> list[_Fragment]:
    found = []
    for i, line in enumerate(lines):
        tokens = line.split()
        if len(compact(line)) <= _MAX_FRAGMENT and not _is_marker(tokens[0], config):
            found.append(_Fragment(i, compact(line), True))
        elif (
            len(tokens) > 1
            and len(tokens[0]) <= _MAX_FRAGMENT
            and not _is_marker(tokens[0], config)
        ):
            found.append(_Fragment(i, tokens[0], False))
    return found


@dataclass
class _Label:
    block: str
    heading: str
    fragments: list[_Fragment]

    @property
    def centre(self) -> float:
        lines = [f.line for f in self.fragments]
        return (min(lines) + max(lines)) / 2


def _labels(fragments: list[_Fragment], config: BlockConfig) -> list[_Label]:
    """Runs of fragments that spell a known label, longest first, left to right."""
    labels: list[_Label] = []
    i = 0
    while i < len(fragments):
        best = None
        for j in range(min(len(fragments), i + 12), i, -1):
            window = fragments[i:j]
            text = "".join(f.text for f in window)
            name = _label_of(text, config)
            if name:
                best = _Label(name, compact(text), window)
                break
            # a wrapped content line ("いる") may sit among the fragments: skip one
            for skip in range(1, len(window) - 1):
                rest = window[:skip] + window[skip + 1 :]
                name = _label_of("".join(f.text for f in rest), config)
                if name:
                    best = _Label(name, compact("".join(f.text for f in rest)), rest)
                    break
            if best:
                break
        if best:
            labels.append(best)
            i = fragments.index(best.fragments[-1]) + 1
        else:
            i += 1
    return labels


def _table_blocks(
    lines: list[str], config: BlockConfig, columns: int, sessions: list[int]
) -> list[TextBlock]:
    labels = _labels(_fragments(lines, config), config)
    label_lines = {f.line: f for label in labels for f in label.fragments}
    content: list[tuple[int, str]] = []  # (line index, text without label fragment)
    for i, line in enumerate(lines):
        fragment = label_lines.get(i)
        if fragment is None:
            content.append((i, line))
        elif not fragment.whole_line:
            content.append((i, line.split(None, 1)[1]))
    if not labels:
        return [TextBlock("その他", "", None, [text for _, text in content])] if content else []
    rows = _rows(content, labels, config)
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


def _rows(content: list[tuple[int, str]], labels: list[_Label], config) -> list[list[str]]:
    """Cut the content lines into one row per label.

    A row boundary is always a line that starts an item. Where the kind of line changes
    (日時： lines, then bullets; three columns, then one), that is the boundary.
    Otherwise a label is centred on its row, so the row runs on below the label about
    as many lines as it started above it.
    """
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
            best = min(range(len(candidates)), key=lambda i: (abs(after[i] - above), i))
            starts.append(candidates[best])
    starts.append(len(content))
    return [[text for _, text in content[a:b]] for a, b in zip(starts, starts[1:], strict=False)]


def _kind(text: str, config: BlockConfig) -> str:
    tokens = text.split()
    markers = sum(1 for token in tokens if _is_marker(token, config))
    columns = "+" if markers >= 2 else ""  # a line of a multi-column row
    if tokens[0][0] in config.bullets:
        return "bullet" + columns
    if _is_marker(tokens[0], config):
        return "start" + columns
    return "continuation"


def _starts_item(text: str, config: BlockConfig) -> bool:
    return _is_marker(text.split()[0], config)


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class _Segment:
    text: str
    marker: bool
    # a column gap guessed before a word that starts with a digit or Latin letter: real
    # spaces in Japanese text stand there (センター 5名, SC 13名), so such a cut is doubtful
    doubtful_cut: bool = False


def _segments(line: str, config: BlockConfig, columns: int = 3) -> list[list[_Segment]]:
    """Ways to read one line as segments in column order, at most `columns` of them.

    A marker (bullet, 日時：, 支援1回目) always starts a segment. Any other space may be
    a column gap too (the end of one column's line, then the next column's wrapped
    continuation): every choice of such cuts is a candidate reading.
    """
    tokens = line.split()
    forced = {k for k, token in enumerate(tokens) if k > 0 and _is_marker(token, config)}
    # a bare glyph and the word after it are one marker: "•" "地域…"
    forced -= {k for k in forced if tokens[k - 1] in config.bullets}
    optional = [
        k
        for k in range(1, len(tokens))
        if k not in forced
        and tokens[k - 1] not in config.bullets
        and not _is_marker(tokens[k], config)
    ]
    readings = []
    most = columns - len(forced) - 1
    for n in range(0, min(len(optional), max(most, 0)) + 1):
        for cuts in combinations(optional, n):
            bounds = [0, *sorted(forced | set(cuts)), len(tokens)]
            readings.append(
                [
                    _Segment(
                        " ".join(tokens[a:b]),
                        _is_marker(tokens[a], config),
                        a in cuts and tokens[a][:1].isascii(),
                    )
                    for a, b in zip(bounds, bounds[1:], strict=False)
                ]
            )
    return readings or [[_Segment(line, _is_marker(tokens[0], config))]]


def _width(text: str) -> float:
    """Display width in full-width characters: Latin letters and digits are about half."""
    return sum(0.55 if ord(c) < 0x2000 else 1.0 for c in text.replace(" ", ""))


@dataclass
class _State:
    score: float
    last: tuple  # per column: (width of its last segment, ends a sentence) or None
    assigned: tuple  # per column: tuple of segment texts


def _capacities(lines: list[str], columns: int, config: BlockConfig) -> list[float]:
    """A first guess of every column's line width: the widest line that splits one way."""
    widths = [
        _width(segment.text)
        for line in lines
        for reading in [_segments(line, config, columns)]
        if len(reading) == 1
        for segment in reading[0]
    ]
    return [max(widths, default=20.0)] * columns


def _assign_columns(lines: list[str], columns: int, config: BlockConfig) -> list[list[str]]:
    """Each line's segments to columns; then again with each column's own width."""
    if columns == 1:
        return [lines]
    capacity = _capacities(lines, columns, config)
    assigned = _beam_search(lines, columns, capacity, config)
    capacity = [
        max((_width(text) for text in column), default=capacity[c])
        for c, column in enumerate(assigned)
    ]
    return _beam_search(lines, columns, capacity, config)


def _beam_search(lines, columns, capacity, config) -> list[list[str]]:
    beam = [_State(0.0, (None,) * columns, ((),) * columns)]
    for index, line in enumerate(lines):
        candidates: list[_State] = []
        for reading in _segments(line, config, columns):
            if len(reading) > columns:
                continue
            for chosen in combinations(range(columns), len(reading)):
                for state in beam:
                    candidates.append(_extend(state, reading, chosen, capacity, index))
        if not candidates:  # more markers than columns: keep the line whole, in column 1
            candidates = [_extend(s, [_Segment(line, False)], (0,), capacity, index) for s in beam]
        candidates.sort(key=lambda s: -s.score)
        beam = _dedupe(candidates)[:_BEAM]
    return [list(column) for column in beam[0].assigned]


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


def _extend(state: _State, reading, chosen, capacity, index: int = 0) -> _State:
    """Score placing a line's segments in the chosen columns.

    A segment without a marker continues a column whose previous line was full (wrapped
    at the cell edge) and not finished; a marker starts an item in a column whose
    previous line was not. A bracket opened in a column's item is closed in the same
    column. No column's line is wider than the column.
    """
    score = state.score
    last = list(state.last)
    assigned = list(state.assigned)
    for segment, column in zip(reading, chosen, strict=True):
        width = _width(segment.text)
        # (width, ended, open brackets, line index, gaps so far) of the column's last line
        previous = last[column]
        full = previous is not None and previous[0] >= capacity[column] - 2.5 and not previous[1]
        open_before = previous[2] if previous is not None else 0
        if segment.marker:
            score += 1.0 if not full else -2.0
            score -= 1.5 if open_before else 0.0
            depth, _ = _bracket_depth(segment.text)
        else:
            score += 2.0 if full else (-3.0 if previous is not None else -4.0)
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
        last[column] = (width, segment.text.endswith(("。", "）", ")")), depth, index, gaps)
        assigned[column] = (*assigned[column], segment.text)
    return _State(score, tuple(last), tuple(assigned))


# --------------------------------------------------------------------------- to records


def text_lines(block: TextBlock, page: int, start: int) -> list[Line]:
    """Synthetic Lines for the itemizer: no positions, one line after another."""
    return [
        Line(text=text, bbox=BBox(0.0, float(start + n), 1.0, start + n + 1.0), page=page, size=1.0)
        for n, text in enumerate(block.lines)
    ]
