"""Blocks from text whose lines each come from one cell or box, in some order of the tool's.

Most extractors write every drawn line as a line of its own (pdftotext, pdftotext -raw,
pdfminer.six, pypdfium2, a copy out of a viewer), but each in its own order: a label cell
before its row (drawing order), all labels first and their rows after (pdfminer), labels
in the middle of the rows' flow (poppler), boxes one after another or mixed a few lines
at a time. Only two things hold for all of them: a cell's own lines keep their order, and
a label cell's lines stand together, or a few lines apart (基 / 本 / 情 / 報, 目指す / 姿・取り /
組みたい / こと).

So a slide is read in two steps. First its anchors (find_anchors): the lines that name a
block (label runs, box headings, a session header 第1回 第2回 第3回), and the header, ⚫
lines and furniture. Then every other line is given to one block by a beam search that
keeps each block's lines coherent (the scores are in Weights and _extend): a line that
starts no item continues a block whose last line was cut at the cell's edge; rows fill
in their usual order; a block of 基本情報 takes lines such as 日時：…, one of each,
starts with the key its row's other cells start with and lists its keys in their order, a
key only some cells hold last; the glyphs of a block's bullets agree; a line is no wider
than its block's lines, and the lines a block wraps are all about as wide (a box wraps at
its own width); a character n-gram model says how well its words fit each block
(block_model.py). Boxes that stand side by side (configs/blocks.yaml
`side_by_side`) come a paragraph at a time, back and forth, in a text that reads across;
a line among a label cell's fragments (基本情 / 4名、… / 報), or on a line with one, is its
row's first cell's, and a line right below a label or a session header that a tool set among
a row's cells (read across) goes on with the cell read before it. Blank lines cost nothing
to cross: tools put them between boxes, and inside a bullet too. Text laid out in columns (pdftotext -layout)
is cut into its cells first, each placed in a column left to right and, in a row of box
headings, under the heading it stands below; headings side by side that wrap in narrow
boxes (アセスメント / 結果) are read as one band, column by column.

poppler has ways of its own, met in office PDFs: a list's glyphs set off by a tab come out
on lines of their own, away from their items (reattach_glyphs gives them back, as many
item starts as there are glyphs); a table may be read a session's column at a time, or
two cells across line by line in step, two of their lines joined into one where they
stand at one height (参加者：… 備考：…, cut before the marker inside); a wrapped line goes
on from the line whose last character its first one follows best (サー / ビス:
block_model.JoinModel), and a line cut at a 、 goes on below.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import combinations, product

from pipeline.config.settings import BlockConfig
from pipeline.core.contract import OTHER, SUMMARY
from pipeline.core.normalize import compact, nfkc
from pipeline.stages.segment.labels import (
    is_title,
    match_label,
    session_numbers,
    subheading_kind,
)
from pipeline.stages.segment.text_pieces import (
    furniture_key,
    is_marker,
    label_fragments,
    segments,
    spelled_labels,
)

_MAX_FRAGMENT = 5  # characters of one line of a narrow label cell
_LABEL_COLUMN = 6  # laid out: how far right of the leftmost fragment a label's lines start
_BEAM = 48
_ROUNDS = 2
_APART_ITEMS = 6  # items on a slide before their blank lines say how the tool cut its boxes


@dataclass(frozen=True)
class Slot:
    """A block the slide's anchors announce: one per label cell, per session column."""

    block: str
    heading: str
    session: int | None
    order: int  # the anchors' order on the slide
    info: bool  # a 基本情報 cell: lines such as 日時：…, no bullets
    anchor: int  # index of the anchor's last line in the slide's lines
    column: int = 0  # left to right: a session's number, a box's place among its row's
    opens: bool = False  # its first line is a sub-heading (支援1回目, 【…の到達点】)
    # laid-out text: the middle of its heading in characters, and the line of the headings
    # set side by side with it (a session header's is -1)
    center: float | None = None
    band: int = 0
    side: bool = False  # a box that usually stands beside others (configs/blocks.yaml)


@dataclass(frozen=True)
class Feature:
    """What the search needs to know of one content line."""

    index: int
    text: str
    kind: str  # bullet | start | sub | summary | cont
    glyph: str  # a bullet's glyph
    level: int
    width: float  # in full-width characters
    ended: bool | None  # True: surely ends its item; None: may; False: does not
    blank_before: bool
    key: str  # a start line's key (日時 of 日時：…), to see two in one cell
    sub: str  # a sub-heading's kind (支援#回目, 【】)
    after: int | None  # the slot whose anchor is the line right above, if any
    fit: tuple = ()  # per slot: how well its words fit the slot's block, ≤ 0 (block_model)
    joined: bool = False  # a segment after the first of its line (cells side by side)
    lead: int = -1  # where it starts in its line, in characters (pdftotext -layout), or -1
    every: bool = False  # its key starts as many lines as the slide has 基本情報 cells
    extra: bool = False  # … fewer lines (内容：…, 講師：…: only some cells hold it)
    inside: int | None = None  # the slot of a label whose fragments stand around it, if any
    resumes: bool = False  # the line above is an anchor's (a label, a session header)
    beyond: int | None = None  # laid out: the slot of the label that ends above it, a gap between
    under: int | None = None  # the session whose header stands above it, headers apart

    @cached_property
    def span(self) -> float:
        """Its width with its spaces at a third of a character: some PDFs' text keeps
        spaces around Latin words (サービス C の), and they take room in the box. Once
        per line, not once per candidate reading the search extends with it."""
        return width_of(self.text) + 0.3 * self.text.strip().count(" ")


# a verb's or adjective's end, or a time (日時：… 13:30～16:00)
_SENTENCE_END = re.compile(r"(た|だ|る|い|す|ず|う|む|と|こと|中|[0-9]{1,2}:[0-9]{2})$")


def width_of(text: str) -> float:
    """Display width in full-width characters; extractors' spaces around Latin count 0."""
    return sum(0.55 if ord(c) < 0x2000 else 1.0 for c in text if not c.isspace())


def ending(text: str) -> bool | None:
    if text.endswith(("。", "）", ")", "」")):
        return True
    return None if _SENTENCE_END.search(text) else False


def feature(index: int, text: str, config: BlockConfig, blank_before: bool, after,
            joined: bool = False) -> Feature:  # fmt: skip
    kind, glyph, level, key, sub = classify_line(text, config)
    return Feature(index, text, kind, glyph, level, width_of(text), ending(text),
                   blank_before, key, sub, after, (), joined)  # fmt: skip


def units(lines: list[tuple[int, str]], config: BlockConfig, blank: set[int],
          after: dict[int, int], readings, leads: dict[int, str] | None = None
          ) -> list[list[list[Feature]]]:  # fmt: skip
    """Every content line as its readings: lists of segments, one per cell it holds.
    With `leads` (a line's text as laid out), a segment knows where it starts."""
    out = []
    for index, text in lines:
        unit = []
        laid = leads.get(index) if leads else None
        for reading in readings(text):
            segments, position = [], 0
            for n, part in enumerate(reading):
                segment = feature(index, part, config, n == 0 and index - 1 in blank,
                                  after.get(index) if n == 0 else None, n > 0)  # fmt: skip
                if laid is not None:
                    at = laid.find(part, position)
                    if at >= 0:
                        position = at + len(part)
                        segment = replace(segment, lead=at)
                segments.append(segment)
            unit.append(segments)
        out.append(unit)
    return out


def classify_line(text: str, config: BlockConfig) -> tuple[str, str, int, str, str]:
    """(kind, glyph, level, start key, sub-heading kind) of one line."""
    first = text[:1]
    kind_of = subheading_kind(text, config)
    if kind_of:
        return "sub", "", 1, "", "【】" if kind_of.startswith("【") else kind_of
    if first in config.summary_glyphs:
        return "summary", first, 1, "", ""
    if first in config.bullets:
        return "bullet", first, config.bullets[first], "", ""
    normal = nfkc(text)
    for pattern in config.item_starts:
        found = pattern.match(normal)
        if found:
            return "start", "", 1, found.group(0).rstrip("：:"), ""
    for pattern in config.numbering:
        if pattern.match(normal):
            return "start", "", 1, "", ""
    return "cont", "", 1, "", ""


# --------------------------------------------------------------------------- the search


@dataclass(frozen=True)
class SlotState:
    lines: int = 0
    last_width: float = 0.0
    widest: float = 0.0
    last_ended: bool | None = True
    last_kind: str = ""
    glyph: str = ""  # the level-1 glyph of its items
    keys: tuple = ()  # the keys of its start lines, in their order (日時, 場所, …)
    subs: frozenset = frozenset()
    depth: int = 0  # brackets opened and not yet closed
    first: str = ""  # the key of its first line (日時 of 日時：…)
    items: int = 0  # lines that start an item
    lead: int = -1  # where its last segment started in its line (laid-out text)
    extra: bool = False  # it holds a key only some cells hold (内容：…)
    wraps: bool = True  # its item is no sub-bullet (they stand in: their width says little)
    last_span: float = 0.0  # its last line's width, spaces counted (Feature.span)
    comma: bool = False  # its last line ends with 、: its sentence goes on below
    tail: str = ""  # its last line's last character
    # the narrowest and widest of its items' first lines, and of their continuation lines,
    # that wrapped (a continuation followed them): a box wraps every line at its width
    wrapped: tuple = (None, None)


@dataclass(frozen=True)
class State:
    score: float
    slots: tuple
    previous: int | None
    chosen: tuple = ()  # (slot, segment) of every segment so far


_OPEN, _CLOSE = "「（(『【", "」）)』】"


def _depth(text: str, depth: int) -> int:
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
    return depth


@dataclass
class Weights:
    cont_wrapped: float = 2.5  # a continuation after a line cut at the edge
    cont_ended: float = -3.0  # a continuation after a line that ended its item
    cont_maybe: float = 0.5  # … after a full line that ends like a sentence
    cont_empty: float = -8.0  # a block that starts with a continuation
    cont_after_stop: float = -0.5  # … after a full line that ends with 。
    start_after_cut: float = -2.0  # an item that starts while the one above was cut
    stay: float = 0.6  # the line stays in the block of the line above
    round: float = 0.0  # after a blank line, the next session's cell of the same row
    switch: float = -1.2  # it changes block with nothing between
    switch_row: float = -1.2  # … to another session's cell of the same row
    back: float = -1.5  # it goes back to a block of an earlier anchor … once later ones began
    back_side: float = -1.5  # … of a box that stands beside the later one
    skip: float = -1.5  # … or starts a block while one of an earlier anchor is still empty
    back_row: float = -1.5  # back to an earlier session's cell of the same row
    # back to a session's cell once a later session's cells began, in another row too (a
    # table read a session's column at a time)
    back_session: float = -1.5
    skip_row: float = -1.0  # a session's cell started before an earlier one of its row
    after_anchor: float = 1.5  # the first line after an anchor goes to its block
    beyond: float = -2.0  # laid out, a line past the gap below a label beside it: a later row's
    inside: float = 4.0  # a line among a label's fragments goes to its row's first cell
    under: float = 1.5  # a line below a session's header set above its own column's lines
    resume: float = 0.0  # after an anchor set inside a row, its cell read before it goes on
    glyph: float = -2.0  # a bullet whose glyph is not its block's
    info_bullet: float = -4.0  # a bullet in a 基本情報 cell
    start_items: float = -2.5  # a 日時：… line among bullets
    key_twice: float = -4.0  # two 日時 in one cell
    info_first: float = -3.0  # a 基本情報 cell that starts with another key than the others
    info_lowest: float = 1.5  # 場所：… to the first cell of its row that has no 場所 yet
    key_order: float = -3.0  # 場所：… after 参加者 in a cell where another has 場所 first
    sub_wrong: float = -5.0  # 支援1回目 or 【…の到達点】 outside 支援内容 / 到達点
    sub_twice: float = -5.0  # two 【】 in one block
    wider: float = -4.0  # a line wider than its block's lines
    fit: float = 1.0  # times how much worse the line's words fit its block than the best
    bracket: float = 1.0  # a continuation that closes a bracket opened above
    empty: float = -5.0  # a block that got no line at all
    summary: float = -12.0  # a ⚫ line outside まとめ, or another item in it
    opens: float = -3.0  # a box whose sub-heading is on the slide, started without it
    misplaced: float = -4.0  # a laid-out segment far from its column's place
    aligned: float = 1.0  # … one that starts under the block's line above
    off_column: float = -3.0  # … one that stands under another heading of its band
    balance: float = -0.4  # per item a session's cell has more or fewer than the row's mean
    wrap: float = -2.0  # per character its wrapped lines spread wider than a box's lines do
    back_once: bool = False  # going back to a box beside costs on the return, not every line
    in_step: bool = False  # a row's cells read across line by line (their lines in step)
    # … a 基本情報 cell's continuation to the cell begun whose turn it is: the fewest
    # lines, leftmost
    turn: float = 0.0
    join: float = 0.5  # times how well a continuation's first character follows the block's last
    joins: object = None  # (last, first) → that fit, ≥ -3 and ≤ 3 (block_model.JoinModel)


# a text that reads rows across their cells: going back to an earlier cell of the row is
# the rule, and after a blank line the next cell comes
ACROSS = Weights(back_row=0.0, back_session=0.0, round=0.8, resume=2.5)
# … line by line, with no blank line between a row's cells: they take turns, in step
IN_STEP = replace(ACROSS, in_step=True, switch_row=0.0, turn=1.0)


def _full(state: SlotState, capacity: float | None) -> bool | None:
    """Whether the block's last line ran to its edge; None when nothing shows the edge
    yet (a block of one line, its width not known)."""
    if capacity is None:
        if state.lines < 2:
            return None
        capacity = state.widest
    # the spaces a tool wrote around Latin text and numbers (156 人) took room in the box
    return state.last_span >= capacity - 2.5


def _extend(state: State, feature: Feature, slot: int, slots: list[Slot],
            capacities: list[float | None], w: Weights) -> State:  # fmt: skip
    s = state.slots[slot]
    spec = slots[slot]
    score = state.score
    capacity = capacities[slot]
    full = _full(s, capacity) if s.lines else False
    if (
        full is False
        and feature.kind == "cont"
        and capacity is not None
        and not _breaks_before(feature.text)
        and s.last_span + width_of(feature.text.split()[0]) > capacity
    ):
        full = True  # what starts the line (（水）13:30～16:00, SC) did not fit above
    # the line above ran to the edge mid-sentence, or stopped at a 、 (a line that did not
    # fit went down whole: 、 / 13 日（水）9:00～)
    cut = (full is True or s.comma) and s.last_ended is False
    if feature.kind == "cont":
        if s.lines == 0:
            score += w.cont_empty
        elif full is None:
            score += w.cont_maybe if s.last_ended is not True else w.cont_after_stop
        elif cut or s.depth > 0:
            score += w.cont_wrapped
            if s.depth > _depth(feature.text, s.depth):
                score += w.bracket
        elif full and s.last_ended is None:
            score += w.cont_maybe
        elif full:
            score += w.cont_after_stop  # a line may wrap right after a 。
        else:
            score += w.cont_ended
        if s.lines and w.joins is not None:
            # the words run on over the break (サー / ビス): what the line goes on from
            score += w.join * max(-3.0, min(3.0, w.joins(s.tail, feature.text[:1])))
    else:
        if cut and s.depth == 0:
            score += w.start_after_cut
        elif cut:
            score += w.start_after_cut - 1.0
    # where the line stands in the stream
    if state.previous is not None and not feature.joined:
        if slot == state.previous and not feature.blank_before:
            score += w.stay
        elif slot != state.previous and not feature.blank_before and feature.after is None:
            before = slots[state.previous]
            row = spec.session is not None and before.session is not None
            # read across, a row's cells take turns line by line
            score += w.switch_row if row and before.block == spec.block else w.switch
        before = slots[state.previous]
        if (
            feature.blank_before
            and feature.kind != "cont"
            and spec.session is not None
            and before.block == spec.block
            and before.session is not None
            and spec.session == _next_session(before.session, slots, spec.block)
            # a key only some cells hold (内容：… under 参加者) does not start a new round
            and not (feature.key and not feature.every and spec.session < before.session)
        ):
            score += w.round  # a row read line by line across its cells (pdftotext)
    if w.turn and feature.kind == "cont" and spec.info and not feature.joined:
        row = [
            k
            for k, o in enumerate(slots)
            if o.block == spec.block and o.session is not None and state.slots[k].lines
        ]
        if row and min(row, key=lambda k: (state.slots[k].lines, slots[k].order)) == slot:
            score += w.turn
    if feature.after is not None and feature.after == slot:
        score += w.after_anchor
    if feature.beyond is not None:
        # laid out, rows stand top down: that row and those above it are over
        ended = slots[feature.beyond]
        if spec.order <= ended.order and spec.column == ended.column:
            score += w.beyond
    if feature.under is not None and spec.session == feature.under:
        score += w.under  # a table read a session's column at a time, its header on top
    if feature.inside is not None and feature.inside == slot:
        score += w.inside
    if (
        feature.resumes
        and slot == state.previous
        and spec.session is not None
        and not spec.info  # 日時：… lines are placed by their keys
        and not feature.joined
    ):
        score += w.resume  # poppler sets a label or a header among a cell's lines
    if (feature.kind == "summary") != (spec.block == SUMMARY) and feature.kind != "cont":
        score += w.summary  # ⚫ lines, and only they, start the まとめ block
    if spec.block != SUMMARY:
        # a row's cells may be read line by line across them: order counts between rows
        ordered = [k for k, o in enumerate(slots) if o.block not in (SUMMARY, spec.block)]
        later = [k for k in ordered if slots[k].order > spec.order and state.slots[k].lines]
        if later and s.lines:
            # boxes side by side, read across (poppler): back and forth between them; in a
            # text of paragraphs (blank lines between) each return costs once
            side = all(slots[k].side and spec.side for k in later)
            if not side:
                score += w.back
            elif slot != state.previous or not w.back_once:
                score += w.back_side
        if s.lines == 0 and any(
            state.slots[k].lines == 0 for k in ordered if slots[k].order < spec.order
        ):
            score += w.skip
        row = [k for k, o in enumerate(slots) if o.block == spec.block and o.order > spec.order]
        if s.lines and any(state.slots[k].lines for k in row):
            score += w.back_row  # back to an earlier cell of the row: less unlikely
        if (
            spec.session is not None
            and s.lines
            and slot != state.previous
            and any(
                o.session is not None and o.session > spec.session and state.slots[k].lines
                for k, o in enumerate(slots)
                if o.block != spec.block
            )
        ):
            score += w.back_session
        earlier = [k for k, o in enumerate(slots) if o.block == spec.block and o.order < spec.order]
        if s.lines == 0 and any(state.slots[k].lines == 0 for k in earlier):
            score += w.skip_row  # a row's cells start left to right
    if spec.opens and s.lines == 0 and feature.kind != "sub":
        score += w.opens  # the slide's 支援1回目 or 【…の到達点】 starts its box
    # what the line is, against what the block holds
    glyph = s.glyph
    keys, subs = s.keys, s.subs
    if feature.kind == "bullet":
        if spec.info:
            score += w.info_bullet
        if feature.level == 1:
            if glyph and glyph != feature.glyph:
                score += w.glyph
            glyph = glyph or feature.glyph
    elif feature.kind == "start" and feature.key:
        if not spec.info and spec.block not in (OTHER,):
            score += w.start_items
        if feature.key in keys:
            score += w.key_twice
        if spec.info and feature.every:
            # every cell of the row holds one: the first cell still without it takes it,
            # whatever order the tool read the cells in
            lacking = [
                k
                for k, o in enumerate(slots)
                if o.info and o.block == spec.block and feature.key not in state.slots[k].keys
            ]
            # read across, line by line, the cells of a row begun come out in step: of those
            # without it, the one with the fewest lines so far is the one whose line is next
            started = [k for k in lacking if state.slots[k].lines] if w.in_step else []
            first = min(
                started or lacking,
                key=lambda k: (state.slots[k].lines if started else 0, slots[k].order),
                default=None,
            )
            if first == slot:
                score += w.info_lowest
        if spec.info and s.lines == 0:
            # the cells of one row start alike (日時：…)
            firsts = {st.first for k, st in enumerate(state.slots) if slots[k].info and st.first}
            if firsts and feature.key not in firsts:
                score += w.info_first
        if spec.info and (
            _out_of_order(feature.key, slot, state, slots) or feature.every and s.extra
        ):
            score += w.key_order  # a cell's keys come in its row's order, its extras last
        keys = (*keys, feature.key)
    elif feature.kind == "sub":
        wanted = "到達点" if feature.sub == "【】" else "支援内容"
        if spec.block not in (wanted, OTHER):
            score += w.sub_wrong
        if feature.sub == "【】" and "【】" in subs:
            score += w.sub_twice
        subs = subs | {feature.sub}
    if capacity is not None and feature.width > capacity + 1.0:
        score += w.wider
    if feature.lead >= 0 and spec.block != SUMMARY:
        # laid-out text: what starts at the left edge is in the leftmost column
        columns = [o.column for o in slots if o.block != SUMMARY]
        leftmost = min(columns)
        if feature.lead <= 3 and spec.column > leftmost:
            score += w.misplaced
        elif feature.lead > 8 and spec.column == leftmost and max(columns) > leftmost:
            score += w.misplaced
        if s.lead >= 0 and abs(s.lead - feature.lead) <= 3:
            score += w.aligned  # a column's lines start one under the other
        if spec.center is not None:
            # nearer the middle of another heading of its band than of its own
            middle = feature.lead + len(feature.text) / 2
            own = abs(middle - spec.center)
            if any(
                o.band == spec.band and o.center is not None and abs(middle - o.center) < own - 2
                for o in slots
            ):
                score += w.off_column
    if feature.fit:
        score += w.fit * feature.fit[slot]
    wrapped = s.wrapped
    if feature.kind == "cont" and s.lines and s.wraps and _breaks_before(feature.text):
        wrapped, spread = _wrapped(s)
        score += w.wrap * spread
    new = SlotState(
        lines=s.lines + 1,
        last_width=feature.width,
        widest=max(s.widest, feature.width),
        last_ended=feature.ended,
        last_kind=feature.kind,
        glyph=glyph,
        keys=keys,
        subs=subs,
        depth=_depth(feature.text, s.depth if feature.kind == "cont" else 0),
        first=s.first if s.lines else feature.key,
        items=s.items + (feature.kind != "cont"),
        lead=feature.lead,
        extra=s.extra or feature.extra,
        wraps=s.wraps if feature.kind == "cont" else feature.level == 1,
        last_span=feature.span,
        comma=feature.text.endswith(("、", "，")),
        tail=feature.text[-1:],
        wrapped=wrapped,
    )
    states = list(state.slots)
    states[slot] = new
    return State(score, tuple(states), slot, (*state.chosen, (slot, feature)))


_WRAP_SPREAD = 1.5  # how much a box's wrapped lines differ in width: a character and a half


def _breaks_before(text: str) -> bool:
    """Whether a line may wrap right before this continuation wherever the box's edge
    fell: not before a Latin word or a number (28 日 / （火）13:30 go down whole)."""
    first = text[:1]
    return bool(first) and not first.isascii() and first not in _OPEN


def _wrapped(s: SlotState) -> tuple[tuple, float]:
    """The block's wrapped widths with its last line (a continuation follows it), and by
    how much more than a box's lines do they now spread. An item's first line and its
    continuations are kept apart: these stand in under the glyph, or not, by the tool."""
    which = 1 if s.last_kind == "cont" else 0
    low, high = s.wrapped[which] or (s.last_span, s.last_span)
    low, high = min(low, s.last_span), max(high, s.last_span)
    wrapped = (*s.wrapped[:which], (low, high), *s.wrapped[which + 1 :])
    return wrapped, max(0.0, high - low - _WRAP_SPREAD)


def _out_of_order(key: str, slot: int, state: State, slots: list[Slot]) -> bool:
    """Whether a key comes in a cell after one that another cell of its row holds after
    it: the cells of a row list their keys in one order (日時, 場所, 参加者)."""
    mine = set(state.slots[slot].keys)
    for k, other in enumerate(slots):
        theirs = state.slots[k].keys
        if k != slot and other.info and other.block == slots[slot].block and key in theirs:
            if mine & set(theirs[theirs.index(key) + 1 :]):
                return True
    return False


def _next_session(session: int, slots: list[Slot], block: str) -> int:
    numbers = sorted(s.session for s in slots if s.block == block and s.session is not None)
    later = [n for n in numbers if n > session]
    return later[0] if later else numbers[0]


def _key(state: State) -> tuple:
    return (
        state.previous,
        tuple(
            (
                s.items,
                s.last_kind,
                s.last_ended,
                s.comma,
                s.tail,
                round(s.last_width),
                s.glyph,
                s.depth,
                s.keys,
                tuple(r and (round(r[0] * 2), round(r[1] * 2)) for r in s.wrapped),
            )
            for s in state.slots
        ),
    )


def _placements(count: int, slots: list[Slot]) -> list[tuple[int, ...]]:
    """The slots a line's segments may go to: one each, left to right (by column)."""
    if count == 1:
        return [(k,) for k in range(len(slots))]
    return [
        chosen
        for chosen in combinations(range(len(slots)), count)
        if all(slots[a].column < slots[b].column for a, b in zip(chosen, chosen[1:], strict=False))
    ]


def _search(units_: list[list[list[Feature]]], slots: list[Slot], capacities, w: Weights) -> State:
    beam = [State(0.0, tuple(SlotState() for _ in slots), None)]
    placements: dict[int, list[tuple[int, ...]]] = {}
    for unit in units_:
        candidates = []
        for reading in unit:
            while len(reading) > 1 and not placements.setdefault(
                len(reading), _placements(len(reading), slots)
            ):  # more cells than the slide has columns: the last ones were one
                last = replace(reading[-2], text=f"{reading[-2].text} {reading[-1].text}")
                reading = [*reading[:-2], replace(last, width=width_of(last.text))]
            options = placements.setdefault(len(reading), _placements(len(reading), slots))
            for state in beam:
                for chosen in options:
                    new = state
                    for segment, slot in zip(reading, chosen, strict=True):
                        new = _extend(new, segment, slot, slots, capacities, w)
                    candidates.append(new)
        if not candidates:  # more segments than columns: the line whole, as one
            reading = [replace(unit[0][0], text=" ".join(f.text for f in unit[0]))]
            candidates = [_extend(st, reading[0], k, slots, capacities, w) for st in beam
                          for k in range(len(slots))]  # fmt: skip
        candidates.sort(key=lambda st: -st.score)
        seen, beam = set(), []
        for candidate in candidates:
            key = _key(candidate)
            if key not in seen:
                seen.add(key)
                beam.append(candidate)
            if len(beam) >= _BEAM:
                break
    return max(beam, key=lambda st: st.score + _final(st, slots, w))


def _final(state: State, slots: list[Slot], w: Weights) -> float:
    """Blocks left empty, and session cells of one row far from even (nothing else tells
    where one cell's bullets end and the next's begin in some tools' text)."""
    score = w.empty * sum(1 for s in state.slots if not s.lines)
    rows: dict[str, list[int]] = {}
    for k, spec in enumerate(slots):
        if spec.session is not None:
            rows.setdefault(spec.block, []).append(state.slots[k].items)
    for counts in rows.values():
        mean = sum(counts) / len(counts)
        score += w.balance * sum(abs(c - mean) for c in counts)
    return score


def _capacity(widths: list[float]) -> float | None:
    """A block's line width: the widest line that a few others nearly reach."""
    ordered = sorted(widths, reverse=True)
    for width in ordered:
        if sum(1 for other in ordered if width - 1.2 <= other <= width) >= 3:
            return width
    return None


def _capacities(chosen, slots: list[Slot]) -> list[float | None]:
    """Every block's line width as its lines show it: the width a few lines nearly reach,
    or that of the lines it wrapped (a continuation follows them); a row's session cells
    are as wide as each other."""
    found: list[float | None] = []
    for n in range(len(slots)):
        mine = [f for k, f in chosen if k == n]
        # only a line that wrapped shows the edge: short items that each end on their
        # line (a report's list) reach alike and say nothing of the box's width
        wrapped = [a.width for a, b in zip(mine, mine[1:], strict=False) if b.kind == "cont"]
        width = _capacity(wrapped)
        if width is None:
            width = max(wrapped) if wrapped else None
        found.append(width)
    for n, spec in enumerate(slots):
        if spec.session is not None:
            row = [
                found[k] for k, other in enumerate(slots) if other.block == spec.block and found[k]
            ]
            if row:
                found[n] = max(row)
    return found


def assign(units_: list[list[list[Feature]]], slots: list[Slot],
           w: Weights | None = None) -> list[tuple[int, Feature]]:  # fmt: skip
    """(slot, segment) of every segment of the content lines, in order."""
    w = w or Weights()
    if not units_:
        return []
    if len(slots) == 1:
        return [(0, f) for unit in units_ for f in unit[0]]
    capacities: list[float | None] = [None] * len(slots)
    best = None
    for _ in range(_ROUNDS):
        found = _search(units_, slots, capacities, w)
        if best is not None and [k for k, _ in found.chosen] == [k for k, _ in best.chosen]:
            break
        best = found
        capacities = _capacities(found.chosen, slots)
    assert best is not None
    return list(best.chosen)


# --------------------------------------------------------------------------- anchors


@dataclass
class Anchor:
    first: int  # line indices it spans
    last: int
    block: str | None  # a label's block
    heading: str
    sessions: tuple[int, ...] = ()  # a session header's numbers
    lines: set | None = None  # the lines that are all anchor (None: first to last)
    centers: tuple[float, ...] = ()  # laid-out text: the middle of each heading or number


@dataclass
class Anchors:
    found: list[Anchor]
    # lines that start with a label cell's fragment (実施内 ○ 集落の…): what is left of them
    trimmed: dict[int, str]


def find_anchors(lines: list[tuple[int, str]], config: BlockConfig,
                 raw: dict[int, str] | None = None, joined: bool = False) -> Anchors:  # fmt: skip
    """Label runs, one-line headings and session headers among a slide's lines.

    A session header is 第1回 (or 第 1 回 第 2 回 on one line); a box heading or a wide
    label a line of its own, or two, or two or three headings side by side on one line.
    A narrow label cell is a run of fragments, short lines or the short first word of a
    line, at most a few lines apart (a tool may set a label's lines among its row's).
    raw: the lines as the text has them, spaces kept (pdftotext -layout); raw or joined
    (cells side by side one space apart, pdfplumber), headings side by side may each wrap:
    a band of two or three lines is read column by column (_heading_band).
    """
    anchors: list[Anchor] = []
    taken: set[int] = set()
    n = 0
    while n < len(lines):
        index, text = lines[n]
        numbers = session_numbers(text, config)
        if numbers:
            last = n
            while last + 1 < len(lines) and len(numbers) < 6:
                more = session_numbers(lines[last + 1][1], config)
                if not more:
                    break
                numbers += more
                last += 1
            centers = _session_centers(raw.get(index, "") if raw else "", config)
            anchors.append(
                Anchor(
                    index,
                    lines[last][0],
                    None,
                    "",
                    numbers,
                    None,
                    centers if len(centers) == len(numbers) else (),
                )  # fmt: skip
            )
            taken.update(lines[k][0] for k in range(n, last + 1))
            n = last + 1
            continue
        side = side_by_side(text, config)
        if side:  # box headings on one line (a tool read their band as one row)
            centers = _centers(raw.get(index, "") if raw else "")
            if len(centers) != len(side):
                centers = (None,) * len(side)
            anchors.extend(
                Anchor(index, index, block, heading, (), None, (c,) if c is not None else ())
                for (block, heading), c in zip(side, centers, strict=True)
            )
            taken.add(index)
            n += 1
            continue
        band = _heading_band(lines, n, raw, config) if raw is not None or joined else None
        if band:
            last, headings = band
            anchors.extend(
                Anchor(index, lines[last][0], block, h, (), None, (c,)) for block, h, c in headings
            )
            taken.update(lines[k][0] for k in range(n, last + 1))
            n = last + 1
            continue
        if len(compact(text)) > _MAX_FRAGMENT:
            found = _label_run(lines, n, config)
            if found:
                last, block, heading = found
                anchors.append(Anchor(index, lines[last][0], block, heading))
                taken.update(lines[k][0] for k in range(n, last + 1))
                n = last + 1
                continue
        n += 1
    rest = [(i, t) for i, t in lines if i not in taken]
    fragments = label_fragments([t for _, t in rest], config)
    if raw is not None:
        fragments = _in_label_column(fragments, [raw.get(i, t) for i, t in rest])
    trimmed: dict[int, str] = {}
    for label in spelled_labels(fragments, config, gap=3):
        used = [rest[f.line][0] for f in label.fragments]
        for f in label.fragments:
            if not f.whole_line:
                index, text = rest[f.line]
                trimmed[index] = text.split(None, 1)[1]
        whole = [rest[f.line][0] for f in label.fragments if f.whole_line]
        anchors.append(Anchor(min(used), max(used), label.block, label.heading, (), set(whole)))
    for anchor in anchors:
        if anchor.lines is None:
            anchor.lines = set(range(anchor.first, anchor.last + 1))
    anchors.sort(key=lambda a: a.first)
    return Anchors(anchors, trimmed)


def _in_label_column(fragments: list, raw: list[str]) -> list:
    """Laid out (pdftotext -layout), the fragments that stand in the slide's leftmost
    column, where label cells are: a short wrapped end of a line in a column further right
    (紹介 under a session's bullet) sits among a label's lines but is none of them."""
    leads = [_lead(line) for line in raw]
    if not fragments:
        return fragments
    left = min(leads[f.line] for f in fragments)
    return [f for f in fragments if leads[f.line] <= left + _LABEL_COLUMN]


def side_by_side(text: str, config: BlockConfig) -> list[tuple[str, str]]:
    """Two or three labels on one line, told apart at spaces: [(block, heading), …]."""
    tokens = text.split()
    if len(tokens) < 2 or classify_line(text, config)[0] != "cont":
        return []

    def split(start: int, parts: int):
        if start == len(tokens):
            return []
        if parts == 1:
            joined = "".join(tokens[start:])
            block = match_label(joined, config)
            return [(block, compact(joined))] if block else None
        for end in range(start + 1, len(tokens)):
            joined = "".join(tokens[start:end])
            block = match_label(joined, config)
            if block:
                rest = split(end, parts - 1)
                if rest:
                    return [(block, compact(joined)), *rest]
        return None

    for parts in (3, 2):
        found = split(0, parts)
        if found and len(found) == parts:
            return found
    return []


_LAID_SEGMENT = re.compile(r"\S+(?: \S+)*")  # apart from the next by two spaces or more


def _centers(line: str) -> tuple[float, ...]:
    """The middle of each segment of a laid-out line, in characters."""
    return tuple((m.start() + m.end()) / 2 for m in _LAID_SEGMENT.finditer(line))


def _session_centers(line: str, config: BlockConfig) -> tuple[float, ...]:
    """The middle of each session number of a laid-out header line (第 1 回   第 2 回), when
    each of its segments is one session header (configs/blocks.yaml); () otherwise."""
    segments = [m.group() for m in _LAID_SEGMENT.finditer(line)]
    if all(len(session_numbers(text, config)) == 1 for text in segments):
        return _centers(line)
    return ()


def _heading_band(lines, n: int, raw: dict[int, str] | None, config: BlockConfig):
    """(last line, [(block, heading, middle), …] left to right) when lines n… are two or three
    headings side by side, some wrapped (事前ヒアリングのアセスメント 3回の…到達 / 結果 点): the
    lines' pieces stacked into columns, every column a label. Laid out (raw), a piece is
    what runs of spaces set apart and joins the column it stands under (middle: where);
    joined one space apart (pdfplumber), each way of stacking is tried. None otherwise."""
    for size in (2, 3):
        if n + size > len(lines):
            return None
        rows = []  # per line: its pieces (start, end, text); start None without a layout
        for k in range(n, n + size):
            if raw is not None:
                line = raw.get(lines[k][0], lines[k][1]).rstrip()
                pieces = [(m.start(), m.end(), m.group()) for m in _LAID_SEGMENT.finditer(line)]
            else:
                pieces = [(None, None, token) for token in lines[k][1].split()]
            if not all(_labelish(text, config, 24) for _, _, text in pieces):
                return None
            rows.append(pieces)
        if all(len(row) < 2 for row in rows):
            continue  # nothing side by side: a wrapped heading of its own (_label_run)
        for columns in _laid_columns(rows) if raw is not None else _stackings(rows):
            headings = []
            for parts, middle in columns:
                heading = "".join(compact(text) for text in parts)
                block = match_label(heading, config)
                if not block or any(block == h[0] for h in headings):
                    break
                headings.append((block, heading, middle))
            else:
                if len(headings) > 1 and any(len(parts) > 1 for parts, _ in columns):
                    return n + size - 1, headings
    return None


def heading_band(lines: list[str], config: BlockConfig) -> tuple[int, list[str]] | None:
    """(lines it spans, blocks left to right) when a text's lines start with a band of
    wrapped headings side by side, one space apart (pdfplumber)."""
    numbered = list(enumerate(line.strip() for line in lines[:3]))
    band = _heading_band(numbered, 0, None, config)
    return (band[0] + 1, [block for block, _, _ in band[1]]) if band else None


def _stackings(rows):
    """Every way to stack the pieces of a band's lines, one space apart, into two or three
    columns in their order: [([text, …], None), …] each."""
    out = []
    for count in (3, 2):
        for choice in product(*(combinations(range(count), len(row)) for row in rows)):
            texts: list[list[str]] = [[] for _ in range(count)]
            for row, places in zip(rows, choice, strict=True):
                for (_, _, text), place in zip(row, places, strict=True):
                    texts[place].append(text)
            if all(texts):
                out.append([(t, None) for t in texts])
    return out


def _laid_columns(rows):
    """The one stacking of laid-out pieces: each joins the column it overlaps, [] when a
    piece overlaps two."""
    columns: list[list] = []  # [start, end, texts], line by line
    for start, end, text in (piece for row in rows for piece in row):
        hit = [c for c in columns if start < c[1] and end > c[0]]
        if len(hit) > 1:
            return []
        if hit:
            hit[0][0], hit[0][1] = min(hit[0][0], start), max(hit[0][1], end)
            hit[0][2].append(text)
        else:
            columns.append([start, end, [text]])
    columns.sort()
    return [[(texts, (start + end) / 2) for start, end, texts in columns]]


def _labelish(text: str, config: BlockConfig, most: int) -> bool:
    key = compact(text)
    return bool(key) and len(key) <= most and classify_line(text, config)[0] == "cont"


def _label_run(lines, n: int, config: BlockConfig):
    """(last line, block, heading) of a label that starts at line n, or None."""
    if not _labelish(lines[n][1], config, config.label_max_chars):
        return None
    short = len(compact(lines[n][1])) <= _MAX_FRAGMENT
    most = 12 if short else 3  # a narrow cell's fragments, or a wrapped heading
    run = [n]
    while len(run) < most and run[-1] + 1 < len(lines):
        following = lines[run[-1] + 1][1]
        limit = _MAX_FRAGMENT if short else 24
        if not _labelish(following, config, limit):
            break
        run.append(run[-1] + 1)
    # a narrow cell's fragments: the longest run that spells a label (課題 / 意識); a
    # heading: the fewest lines (two headings may stand one under the other)
    ends = range(len(run), 0, -1) if short else range(1, len(run) + 1)
    for end in ends:
        if not short and end > 1 and match_label(lines[run[end - 1]][1], config):
            break  # a heading of its own: what stands above it is not part of it
        text = "".join(compact(lines[k][1]) for k in run[:end])
        block = match_label(text, config)
        if block:
            # a heading whose first line already names its block may wrap on
            # (事前ヒアリングのアセスメント / 結果): its last word is no content line
            while not short and end < len(run):
                longer = text + compact(lines[run[end]][1])
                if match_label(longer, config) != block:
                    break
                text, end = longer, end + 1
            return run[end - 1], block, text
    return None


# --------------------------------------------------------------------------- a slide


@dataclass
class StreamPage:
    header: list[str]
    blocks: list[tuple[Slot, list[str]]]


def row_wise(pages: list[list[str]], config: BlockConfig, cells: bool = False) -> bool:
    """Whether a tool read table rows line by line across their cells (poppler does, for
    some PDFs): then the cells' start lines come in runs of one key, 日時 日時 日時. With
    `cells`, a line that joins two cells' lines (参加者：… 参加者：…) counts each."""
    same = pairs = 0
    for lines in pages:
        texts = [t.strip() for t in lines if t.strip()]
        if cells:
            texts = [cell for t in texts for cell in _cut_at_markers(t, config)]
        keys = [classify_line(t, config)[3] for t in texts]
        keys = [k for k in keys if k]
        for a, b in zip(keys, keys[1:], strict=False):
            pairs += 1
            same += a == b
    return pairs >= 3 and same >= 0.3 * pairs


def read_slide(lines: list[str], config: BlockConfig, furniture: set[str],
               across: bool = False, layout: str = "stream",
               carried: tuple[int, ...] = ()) -> StreamPage:  # fmt: skip
    """Header, then the blocks of one slide.

    carried: the sessions of the page before; a page without a title whose session rows
    have no header row of their own (a table run over a page break) takes them.

    layout: "stream" (every line holds one cell's text), "spaced" (cells side by side,
    apart by runs of spaces: pdftotext -layout) or "joined" (side by side, apart by one
    space like any word: pdfplumber), which is read every way it can be cut."""
    numbered = [(i, line.strip()) for i, line in enumerate(lines)]
    blank = {i for i, text in numbered if not text}
    # a footer stands once on a slide: a line the text repeats within one slide is a table's
    # (the same wrapped line of participants in two session cells), however often it recurs
    repeated = Counter(furniture_key(t) for _, t in numbered if t)
    furniture = {key for key in furniture if repeated[key] < 2}
    body = [(i, t) for i, t in numbered if t and furniture_key(t) not in furniture]
    header: list[str] = []
    # the title and the subtitle that names the municipality, a section's number and name
    # on a line of their own (１．A町 / 伴走支援前の状況 / １．A町（人口…）)
    while (
        body
        and len(header) < 4
        and (
            _header_line(body[0][1], config)
            # a subtitle wrapped inside its brackets (B市（人口 …（… / …ベッドタウン））)
            or (
                header
                and _depth("".join(header), 0) > 0
                and not is_marker(body[0][1], config)
                and not match_label(body[0][1], config)
            )
        )
    ):
        header.append(body.pop(0)[1])
    raw = dict(enumerate(lines)) if layout == "spaced" else None
    found_anchors = find_anchors(body, config, raw, joined=layout == "joined")
    anchors = found_anchors.found
    body = [(i, found_anchors.trimmed.get(i, t)) for i, t in body]
    if layout == "stream":
        anchored_lines = {i for a in anchors for i in (a.lines or ())}
        body, glyphs, loose = reattach_glyphs(body, anchored_lines, blank, config)
        blank = blank | glyphs
    else:
        loose = set()
    slots: list[Slot] = []
    # session headers may stand apart (第1回 … 第2回): the slide's sessions are all of them
    sessions = tuple(sorted({n for anchor in anchors for n in anchor.sessions}))
    if not sessions and not any(is_title(line, config) for line in header):
        sessions = carried
    # The blocks' order on the slide: the anchors', where a tool keeps them in place, is
    # not to be trusted (poppler sets a label cell's lines wherever it likes), so rows and
    # boxes are taken in configs/blocks.yaml's `order`, and sessions by number.
    rank = {block: n for n, block in enumerate(config.order)}
    anchor_slot: dict[int, int] = {}  # an anchor's last line → its first slot
    # boxes whose headings stand side by side on one line are columns, left to right
    columns: dict[int, int] = {}
    for anchor in anchors:
        if anchor.block is not None:
            on_line = [a for a in anchors if a.first == anchor.first and a.block is not None]
            if len(on_line) > 1:
                columns[id(anchor)] = on_line.index(anchor)
    # laid-out text: where each session's number stands
    session_centers = {
        n: c
        for a in anchors
        if len(a.centers) == len(a.sessions)
        for n, c in zip(a.sessions, a.centers, strict=True)
    }
    if layout == "stream":
        # boxes side by side stand left to right in configs/blocks.yaml's order (a tool
        # may join two of their lines into one: • 本土への… ◆有償…)
        beside = sorted(
            {a.block for a in anchors if a.block in config.side_by_side and id(a) not in columns},
            key=lambda block: rank.get(block, len(rank)),
        )
        if len(beside) > 1:
            for anchor in anchors:
                if anchor.block in beside:
                    columns[id(anchor)] = beside.index(anchor.block)
    for anchor in anchors:
        if anchor.block is None:
            continue
        anchor_slot.setdefault(anchor.last, len(slots))
        base = 10 * rank.get(anchor.block, len(rank))
        numbers = sessions if sessions and anchor.block in config.session_blocks else (None,)
        for number in numbers:
            if number is not None:
                center, band = session_centers.get(number), -1
            else:
                center, band = (anchor.centers or (None,))[0], anchor.first
            slots.append(
                Slot(
                    anchor.block,
                    anchor.heading,
                    number,
                    base + (number or 0),
                    anchor.block == "基本情報",
                    anchor.last,
                    number if number is not None else columns.get(id(anchor), 0),
                    center=center,
                    band=band,
                    side=anchor.block in config.side_by_side and number is None,
                )  # fmt: skip
            )
    order = 10 * (len(rank) + 1)
    anchored = {i for a in anchors for i in a.lines}
    content = [(i, t) for i, t in body if i not in anchored]
    if any(t.startswith(config.summary_glyphs) for _, t in content):
        slots.append(Slot(SUMMARY, "", None, order, False, -1))
    if not any(s.block != SUMMARY for s in slots) and any(
        not t.startswith(config.summary_glyphs) for _, t in content
    ):
        slots.insert(0, Slot(OTHER, "", None, -1, False, -1))
    after: dict[int, int] = {}
    beyond: dict[int, int] = {}  # laid out: a label's row ended at the gap below it
    previous = None
    for i, _ in body:
        if previous is not None and previous in anchor_slot and i not in anchored:
            if layout == "spaced" and _past_row(lines, blank, previous, i):
                beyond[i] = anchor_slot[previous]
            else:
                after[i] = anchor_slot[previous]
        previous = i
    subs = {classify_line(t, config)[4] for _, t in content}
    slots = [
        replace(
            slot,
            opens=(slot.block == "支援内容" and any(k.startswith("支援") for k in subs))
            or (slot.block == "到達点" and "【】" in subs),
        )  # fmt: skip
        for slot in slots
    ]
    most = max((slot.column for slot in slots), default=0) + 1
    readings = _readings(layout, config, most)
    leads = {i: lines[i].rstrip() for i, _ in content} if layout == "spaced" else None
    if leads:  # a label's first word trimmed off: its place kept by spaces
        for i, t in found_anchors.trimmed.items():
            original = lines[i].rstrip()
            cut = original.find(t.strip()[:8])
            leads[i] = " " * cut + original[cut:] if cut >= 0 else original
    lines_units = _with_fit(units(content, config, blank, after, readings, leads), slots, config)
    lines_units = _with_every(lines_units, sum(slot.info for slot in slots))
    stacked = layout == "stream" and _stacked_rows(anchors, config)
    if stacked:
        subs = _sub_glyphs(content, anchored, config)
        if subs:  # a list's second-level glyph, set at no indent: no glyph of a block's own
            lines_units = _each_feature(
                lines_units,
                lambda f: replace(f, level=2) if f.kind == "bullet" and f.glyph in subs else f,
            )
    # laid out, a label's fragments stand apart from the lines between them, but the line
    # a fragment shares (取り組 団地の住民同士で…) is its row's, where the row is one cell
    # (a session row's line may start in any session's column)
    beside = None
    if layout == "spaced":
        beside = {
            i
            for a in anchors
            if a.block not in config.session_blocks
            for i in range(a.first, a.last + 1)
            if i in found_anchors.trimmed
        }
    lines_units = _with_inside(lines_units, anchors, anchor_slot, beside)
    lines_units = _with_resumes(lines_units, body, anchored)
    if loose:  # a glyph set apart from its text is drawn unlike one followed by its text
        lines_units = _each_feature(
            lines_units,
            lambda f: replace(f, glyph=f"{f.glyph}~") if f.index in loose and f.glyph else f,
        )
    under = _under_headers(anchors, content) if layout == "stream" else {}
    if under:
        lines_units = _each_feature(
            lines_units, lambda f: f if f.joined else replace(f, under=under.get(f.index))
        )
    if beyond:
        lines_units = _each_feature(
            lines_units, lambda f: f if f.joined else replace(f, beyond=beyond.get(f.index))
        )
    if layout == "stream" and not across:
        # a tool may read one table across and another cell after cell: this slide's own
        across = row_wise([lines], config, cells=True)
    weights = ACROSS if across else Weights()
    if across and layout == "stream":
        keyed = [i for i, t in content if classify_line(t, config)[3]]
        if len(keyed) >= 3 and sum(i - 1 in blank for i in keyed) < len(keyed) / 2:
            weights = IN_STEP
    if config.examples:
        from pipeline.stages.segment.block_model import load_joins

        joins = load_joins(config.examples)
        if joins is not None:
            weights = replace(weights, joins=joins.score)
    inner = [i for i, _ in content]
    if layout == "stream" and inner and any(inner[0] < i < inner[-1] for i in blank):
        # tools that set paragraphs apart (pdftotext, pdfminer) mix side-by-side boxes a
        # paragraph at a time; drawing order (no blank lines) gives each box whole
        weights = replace(weights, back_once=True)
    if layout == "stream" and _items_apart(content, blank, config):
        # every item a paragraph of its own (pdfminer.six makes a text box of each): the
        # boxes come in where they stand, so a row's cells side by side are read across
        # as often as down, and going back to an earlier cell of the row is no surprise
        weights = replace(
            weights,
            round=ACROSS.round,
            back_row=ACROSS.back_row,
            back_session=ACROSS.back_session,
        )
    if stacked:
        # rows of one table, one over the other: a tool reads their content down the
        # column, so going back to an earlier row is rare, whatever the words say
        weights = replace(weights, back=_STACKED_BACK, skip=_STACKED_BACK)
    if layout == "joined":
        weights = replace(weights, wrap=0.0)  # segments a space apart: where they end is a guess
        weights = replace(weights, inside=0.0)  # a label's fragments glued to any cell's line
    if layout != "stream":
        # a line holds a row's cells side by side: sessions come in turn on every line
        weights = replace(weights, back_session=0.0)
    if across and _scattered(anchors, content, config):
        # boxes side by side read across, their headings among their lines (poppler):
        # going back to an earlier box is the rule
        weights = replace(weights, back_side=0.0)
    chosen = assign(lines_units, slots, weights) if slots else []
    per_slot: list[list[str]] = [[] for _ in slots]
    for k, segment in chosen:
        per_slot[k].append(segment.text)
    ranked = sorted(range(len(slots)), key=lambda k: slots[k].order)
    return StreamPage(header, [(slots[k], per_slot[k]) for k in ranked])


def _under_headers(anchors, content) -> dict[int, int]:
    """Where the session headers stand apart, in their order, each over its own column's
    lines (第1回 / 日時：… / ○… / 第2回 / 日時：…): every content line below a header, that
    header's session; {} where the headers stand together (a row read across) or out of
    their order."""
    headers = sorted((a.last, a.sessions) for a in anchors if len(a.sessions) == 1)
    if len(headers) < 2:
        return {}
    lines = [i for i, _ in content]
    pairs = list(zip(headers, headers[1:], strict=False))
    # in their order, each over a column of its own (two lines at least)
    if not all(s < t and sum(a < i < b for i in lines) >= 2 for (a, s), (b, t) in pairs):
        return {}
    found = {}
    for i in lines:
        above = [s for at, s in headers if at < i]
        if above:
            found[i] = above[-1][0]
    return found


def _past_row(lines: list[str], blank: set[int], label: int, line: int) -> bool:
    """Laid out (pdftotext -layout), whether a line stands past the row of the label
    cell whose last line is `label`: blank lines, the space between two rows, lie between
    them, and the line stands right of the label, in the row's content column. (A heading
    above its lines, 現状 over a list, starts where its lines do: they are its.)"""
    if not any(k in blank for k in range(label + 1, line)):
        return False
    return _lead(lines[line]) > _lead(lines[label]) + 2


def _lead(line: str) -> int:
    """Where a laid-out line's text starts, in characters."""
    return len(line) - len(line.lstrip())


def _items_apart(content: list[tuple[int, str]], blank: set[int], config: BlockConfig) -> bool:
    """Whether (nearly) every item of a slide starts after a blank line: each bullet is a
    text box of its own, not one box per cell. A few items are no evidence."""
    starts = [i for i, t in content if classify_line(t, config)[0] in ("bullet", "start")]
    return len(starts) >= _APART_ITEMS and sum(i - 1 in blank for i in starts) >= 0.9 * len(starts)


_STACKED_BACK = -4.0


def _stacked_rows(anchors, config: BlockConfig) -> bool:
    """Whether the slide's labels are rows of one table one over the other (現状, 目指す姿,
    課題意識): none a session row's, a session header or a box beside another."""
    labels = [a for a in anchors if a.block is not None]
    return len(labels) >= 2 and not any(
        a.block in config.session_blocks or a.block in config.side_by_side or a.sessions
        for a in anchors
    )


def _scattered(anchors, content, config: BlockConfig) -> bool:
    """Whether the headings of boxes side by side stand apart, lines of theirs between
    them (a tool that gives the boxes one after another gives the headings together)."""
    lines = sorted(a.last for a in anchors if a.block in config.side_by_side)
    if len(lines) < 2:
        return False
    return any(lines[0] < i < lines[-1] for i, _ in content)


def _readings(layout: str, config: BlockConfig, most: int):
    """How a content line may be cut into cells, by the text's layout. A tool that gives
    each cell's lines apart may still join two cells' lines at one height (参加者：… 備考：…,
    • 本土への… ◆有償…): a marker inside a line, after a space, starts another cell."""
    if layout == "stream" and most > 1:

        def either(text: str) -> list[list[str]]:
            cells = _cut_at_markers(text, config)
            return [cells] if 1 < len(cells) <= most else [[text]]

        return either
    if layout == "spaced":
        return lambda text: [
            [cell for part in _spaced_parts(text, config) for cell in _cut_at_markers(part, config)]
        ]
    if layout == "joined" and most > 1:
        return lambda text: [
            [seg.text for seg in reading] for reading in segments(text, config, most)
        ]
    return lambda text: [[text]]


_GLYPH_GAP = 4  # spaces a hanging indent may set between a bullet and its text, laid out


def _spaced_parts(text: str, config: BlockConfig) -> list[str]:
    """A laid-out line's parts, apart by runs of spaces; a bullet glyph alone before its
    text a few spaces on (·   調査の結果…, a hanging indent) is that text's, not a cell."""
    parts: list[str] = []
    glyph_end = -1
    for found in re.finditer(r"\S+(?: \S+)*", text):
        if glyph_end >= 0 and found.start() - glyph_end <= _GLYPH_GAP:
            parts[-1] = parts[-1] + text[glyph_end : found.end()]
            glyph_end = -1
            continue
        parts.append(found.group())
        glyph_end = found.end() if found.group() in config.bullets else -1
    return parts


def _cut_at_markers(text: str, config: BlockConfig) -> list[str]:
    """Cells a narrow table set one space apart: cut before a second item's start
    (日時：… 日時：…) or a bullet, not before a lone ・ or → inside a sentence."""
    tokens = text.split(" ")
    cells = [[tokens[0]]]
    for previous, token in zip(tokens, tokens[1:], strict=False):
        # 市・ SC ・ UR, KDB ・認定: a ・ or → is a sentence's; a lone • is a bullet
        inside = token[:1] in config.inline_glyphs or (
            token[:1] in config.middle_dots and len(token) > 1
        )
        if token and is_marker(token, config) and not inside and previous not in config.bullets:
            cells.append([token])
        else:
            cells[-1].append(token)
    return [" ".join(cell) for cell in cells]


def _with_inside(units_, anchors, anchor_slot: dict[int, int], only: set | None = None):
    """Mark the lines that stand among a label cell's fragments (基本情 / 4名、… / 報) or
    on a line with one (実施内 ○ 集落の見学): a tool that reads a label cell with the cells
    of its height gives them the first cell right of it. `only`: just these lines."""
    inside: dict[int, int] = {}
    for anchor in anchors:
        if anchor.block is None or anchor.last not in anchor_slot:
            continue
        for i in range(anchor.first, anchor.last + 1):
            if i not in (anchor.lines or ()) and (only is None or i in only):
                inside.setdefault(i, anchor_slot[anchor.last])
    if not inside:
        return units_
    # a continuation among the fragments takes the start of its item along (参加者：… / 基本情
    # / 4名、… / 報): the lines above it back to that start
    firsts = [unit[0][0] for unit in units_]
    for n in range(len(firsts) - 1, 0, -1):
        f, above = firsts[n], firsts[n - 1]
        if f.index in inside and f.kind == "cont" and above.index not in inside:
            inside[above.index] = inside[f.index]
    return _each_feature(
        units_, lambda f: f if f.joined else replace(f, inside=inside.get(f.index))
    )


def _with_resumes(units_, body, anchored: set):
    """Mark the lines right below an anchor's line (blank lines apart)."""
    below = {i for (p, _), (i, _) in zip(body, body[1:], strict=False) if p in anchored}
    if not below:
        return units_
    return _each_feature(units_, lambda f: replace(f, resumes=f.index in below))


def _with_every(units_, cells: int):
    """Mark the start lines whose key (日時, 場所) every 基本情報 cell has, as many as
    cells, where the tool read across the cells at least once (日時 right after 日時):
    read cell after cell, a row needs no such help."""
    if cells < 2:
        return units_
    keys = [f.key for unit in units_ for f in unit[0] if f.kind == "start" and f.key]
    if not any(a == b for a, b in zip(keys, keys[1:], strict=False)):
        return units_
    every = {key for key, count in Counter(keys).items() if count == cells}
    return _each_feature(
        units_, lambda f: replace(f, every=f.key in every, extra=f.key not in every) if f.key else f
    )


def _with_fit(units_, slots: list[Slot], config: BlockConfig):
    """Each item's first line scored against the slide's blocks (0 for the best fit)."""
    from pipeline.stages.segment.block_model import load

    model = load(config.examples) if config.examples else None
    starts = {
        (f.index, f.text): f
        for unit in units_
        for reading in unit
        for f in reading
        if f.kind in ("bullet", "start")
    }
    if model is None or not starts or len({s.block for s in slots}) < 2:
        return units_
    keys = list(starts)
    scored = dict(zip(keys, model.log_probs([text for _, text in keys]), strict=True))

    def fitted(feature: Feature) -> Feature:
        logp = scored.get((feature.index, feature.text))
        if logp is None:
            return feature
        values = [logp.get(slot.block) for slot in slots]
        best = max((v for v in values if v is not None), default=0.0)
        return replace(feature, fit=tuple(0.0 if v is None else v - best for v in values))

    return _each_feature(units_, fitted)


def _sub_glyphs(
    content: list[tuple[int, str]], anchored: set[int], config: BlockConfig
) -> set[str]:
    """Bullet glyphs that only ever follow an item of another glyph, never open a block
    (right below a label) where another glyph does: a list's second level (■ … / □ …),
    which text without indents gives at level 1."""
    opening: set[str] = set()
    following: dict[str, set[str]] = {}
    previous: str | None = None  # the glyph of the item the line above belongs to
    last = -2
    for index, text in content:
        kind, glyph, level, _, _ = classify_line(text, config)
        starts_block = any(index > i >= last for i in anchored) or last < 0
        if kind == "bullet" and level == 1:
            if starts_block or previous is None:
                opening.add(glyph)
            else:
                following.setdefault(glyph, set()).add(previous)
            # a top-level item's glyph is what the next lines follow; a sub-item keeps its
            # parent's
            previous = glyph if glyph in opening else previous
        elif kind not in ("cont", "bullet"):
            previous = None
        last = index
    return {
        glyph
        for glyph, before in following.items()
        if glyph not in opening and opening and before <= opening
    }


def _each_feature(units_, change):
    """The units with `change` applied to every feature of every reading of each line."""
    return [[[change(f) for f in reading] for reading in unit] for unit in units_]


def _header_line(text: str, config: BlockConfig) -> bool:
    if is_title(text, config):
        return True
    if text[:1] in config.bullets or text[:1] in config.summary_glyphs:
        return False
    normal = nfkc(text).strip()
    return bool(config.municipality.search(normal)) and (
        bool(config.section.match(normal)) or classify_line(text, config)[0] == "cont"
    )


def reattach_glyphs(body: list[tuple[int, str]], anchored: set[int], blank: set[int],
                    config: BlockConfig) -> tuple[list[tuple[int, str]], set[int], set[int]]:  # fmt: skip
    """A list's bullets that a tool wrote apart from their text, each on a line of its own
    (poppler, when a tab or a wide indent sets the glyph off: • / • / … and the items'
    lines further on, or ■ / its line), given back to the lines that start those items.

    Which lines start an item is what a glyph says, and the glyphs are counted: as many
    lines get one as there are lone glyphs, those most likely to start an item: the line
    right after a glyph, the first after a label or a gap, and a line after one that ended
    short of its box's width (the widest line of its paragraph); not a line that goes on
    from a 日時：… line or from an item that kept its glyph. A glyph right above a line
    takes that line. The wrapped end of an item set between its glyph and its first line
    (■ / む / 第2層 SC の…書き込) goes back to the end of that line. Returns the body
    without the glyph lines (and such ends), their indices, and those of the lines given
    a glyph."""
    glyphs = [(i, t) for i, t in body if len(t) == 1 and t in config.bullets]
    if not glyphs:
        return body, set(), set()
    lone = {i for i, _ in glyphs}
    removed = set(lone)
    body = list(body)
    tails: set[int] = set()  # a line of one or two characters right below a glyph
    owner: dict[int, int] = {}  # a line right below a glyph, or its wrapped end: the glyph
    for n in range(1, len(body)):
        (above, _), (i, tail) = body[n - 1], body[n]
        if above not in lone or i in anchored or classify_line(tail, config)[0] != "cont":
            continue
        owner[i] = above
        if len(compact(tail)) > 2:
            continue
        tails.add(i)
        if n + 1 < len(body):
            j, line = body[n + 1]
            if (
                j not in anchored
                and classify_line(line, config)[0] == "cont"
                and ending(line) is False
            ):
                body[n + 1] = (j, line + tail)
                removed.add(i)
                owner[j] = above
    rest = [(i, t) for i, t in body if i not in removed]
    kinds = [classify_line(t, config)[0] if i not in anchored else "anchor" for i, t in rest]
    # paragraphs: runs of lines with no blank line (nor a glyph line) between them
    paragraph, number = [], 0
    for n, (i, _) in enumerate(rest):
        if n and (
            kinds[n - 1] == "anchor"
            or any(k in blank or k in removed for k in range(rest[n - 1][0] + 1, i))
        ):
            number += 1
        paragraph.append(number)
    widest: dict[int, float] = {}
    for n, (_, t) in enumerate(rest):
        if kinds[n] != "anchor":
            widest[paragraph[n]] = max(widest.get(paragraph[n], 0.0), width_of(t))
    below: dict[int, int] = {}  # a line right below a glyph: that glyph's line
    scores: list[tuple[float, int]] = []
    for n, (i, t) in enumerate(rest):
        if kinds[n] != "cont":
            continue
        if i in tails:
            continue  # the wrapped end of an item: no item is so short
        if i in owner:
            score = 4.0  # right below a glyph of its own
            below[n] = owner[i]
        elif n == 0 or kinds[n - 1] in ("anchor", "sub"):
            score = 3.0
        elif paragraph[n] != paragraph[n - 1]:
            score = 2.0
        else:
            root = n - 1
            while root > 0 and kinds[root] == "cont" and paragraph[root - 1] == paragraph[n]:
                root -= 1
            level = classify_line(rest[root][1], config)[2]
            if kinds[root] == "start" or (kinds[root] == "bullet" and level == 1):
                continue  # the rest of 日時：… or 参加者：…, or of an item with its glyph
            previous = rest[n - 1][1]
            short = widest[paragraph[n]] - width_of(previous)
            if kinds[root] == "bullet":
                short -= 2.0  # a sub-bullet's lines stand in from the box's edge
            if short > 2.5:
                score = 1.0 + min(short / max(widest[paragraph[n]], 1.0), 1.0)
            elif ending(previous) is True:
                score = 0.3
            else:
                score = -1.0
        if t[:1] in _OPEN:
            score -= 2.0  # （水）13:30…: the rest of a line
        scores.append((score, n))
    chosen = sorted(n for _, n in sorted(scores, key=lambda s: (-s[0], s[1]))[: len(glyphs)])
    glyph_of = dict(glyphs)
    marks = {n: glyph_of[below[n]] for n in chosen if n in below}
    used = {below[n] for n in marks}
    left = iter([t for i, t in glyphs if i not in used])
    for n in chosen:
        if n not in marks:
            marks[n] = next(left, "")
    out = [(i, f"{marks[n]} {t}" if marks.get(n) else t) for n, (i, t) in enumerate(rest)]
    return out, removed, {rest[n][0] for n in marks if marks[n]}
