"""Labels and session headers that a text words as configs/blocks.yaml does not know,
placed by where they stand: the text reader's side of unknown_labels.py.

Text has no positions, but a label still shows by its company. A narrow label column's
cell comes out as a run of short fragments (気 / が / か / り) like its known neighbours'
(現 / 状, 目 / 指 / す / 姿), never wider than theirs; a box heading or a wide label is a
line of its own in the band its known neighbours form (one after another with only blank
lines between, or side by side on one line), in a laid-out label column beside its row
(pdftotext -layout), or, a weaker sign, a line over its list that is no wrapped end of the
item above. Such a wording names the block its group (`label_groups`) leaves, as in
unknown_labels.py: the one block the known labels do not take, or, where more are left,
the one the blocks' usual order (`order`) allows; else it stays unknown. Session columns
headed with dates (7月12日 10月4日 …) on a slide of session rows without any 第N回 header are
numbered left to right, and headers worded alike but for their number 1, 2, 3 (訪問1回目,
伴走 2 回目) take that number; a session table broken over two pages is read from both.

What is placed holds for the whole document (a continued row on a later slide): it is
added to the document's configuration (`wordings`, `session_wordings`), which every
reader of text then matches like a pattern, and each placement is a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import combinations, permutations

from pipeline.config.settings import BlockConfig
from pipeline.core.normalize import compact
from pipeline.stages.segment.labels import (
    is_title,
    match_label,
    match_session,
    session_numbers,
    subheading_kind,
)
from pipeline.stages.segment.layout_text import is_layout
from pipeline.stages.segment.naive_text import furniture, slides
from pipeline.stages.segment.text_pieces import (
    MAX_FRAGMENT,
    furniture_key,
    holds_count,
    is_marker,
    label_fragments,
    spelled_labels,
    text_width,
)

_MOST = 16  # characters of a label or box heading on a line of its own
_FULL = 0.9  # of the widest line around it: a line that ran to its cell's edge
_AROUND = 6  # lines above a heading that show how wide its neighbourhood's lines run
_GAP = 3  # lines between two fragments of one label cell (spelled_labels' gap)
_SPACED = re.compile(r"\S+(?: \S+)*")  # a laid-out segment: apart from the next by 2+ spaces
# a laid-out line's first segment at the left edge, then its row's content further right
_COLUMN_CELL = re.compile(r"^( {0,4})(\S+(?: \S+)*) {3,}(\S.*)$")
_CENTRED = 3  # letters at most of a label's last line centred in its column (   状況)
_DATE = r"[0-9]{1,2}(?:月[0-9]{1,2}日|/[0-9]{1,2})(?:[(（][月火水木金土日][)）])?"
_DATES = re.compile(_DATE)
_DATE_LINE = re.compile(f"(?:{_DATE})+")  # a line of dates alone
# a sentence's wrapped end may start with a particle (…確認 / と試乗); a label seldom does, so a
# weak sign (a narrow run, a line over a list) that starts so is content; in a band, はじめに…
_PARTICLES = set("をにがはでへとのもてるっんゃゅょー・）)")
_OPEN_ENDS = tuple("のをがはでへやに")  # particles no label ends with: its phrase goes on
_KANA_KANJI = "\u3005\u3007\u3041-\u309f\u30a1-\u30ff\u4e00-\u9fff"
_LETTER = re.compile(f"[{_KANA_KANJI}]")  # one kana or kanji: a narrow cell's line
_LETTERS = re.compile(f"[{_KANA_KANJI}]+")  # kana and kanji alone: a label's words
_WORDS = re.compile(f"[{_KANA_KANJI}][{_KANA_KANJI}A-Za-z0-9・（）()「」]*")
# a wrapped sentence's last line (…している, …につなぐ, …積雪は, …地区から, …3名), which a label
# never ends like; a label may end in こと (取り組みたいこと)
_VERB_END = re.compile(
    r"([ただるいすずうむぐくつぬぶはがをにでもへ]|から|ので|ため|など|だけ|のみ|ほど|まで|より|[0-9][名件人回割円%％]|か所)$"
)


@dataclass(frozen=True)
class Found:
    """A label on a slide: where it starts, its words, its block (None: no pattern knows
    it) and its shape: "run", a narrow cell's fragments, or "line", a line of its own."""

    line: int
    key: str
    block: str | None
    shape: str
    column: int = 0  # left to right, among labels side by side on one line
    heading: bool = False  # a line over a list, not in a band: weaker evidence
    banded: bool = False  # a known label in a band with another known one
    extended: bool = False  # known words that end a narrow cell of new words before them
    unsure: bool = False  # a heading that may be the wrapped end of the line above
    cut_above: bool = False  # the text line above it stops mid-phrase (…課題の / 報告)


def with_wordings(
    pages: list[tuple[int, list[str]]], config: BlockConfig
) -> tuple[BlockConfig, list[str]]:
    """The configuration for one text, with the wordings its labels' places show, and a
    warning for each."""
    if not config.label_groups:
        return config, []
    furniture_keys = furniture(pages, config)
    laid_out = is_layout([line for _, lines in pages for line in lines])
    notes: list[str] = []
    every = slides(pages, config)
    for n, (number, lines) in enumerate(every):
        column: set[int] = set()
        if laid_out:
            lines, column = _label_column(lines, config)
        found = _labels(lines, config, furniture_keys, column)
        placed = _place(found, config)
        placed.update({f.key: f.block for f in found if f.extended})
        if n + 1 < len(every) and _runs_on(lines, every[n + 1][1], config):
            # one session table over two pages: its rows' labels stand on both; only its
            # rows are placed from the two together
            both, both_column = [*lines, *every[n + 1][1]], set(column)
            if laid_out:
                both, both_column = _label_column(both, config)
            rows = _session_rows(config)
            together = _place(_labels(both, config, furniture_keys, both_column), config)
            placed.update({k: b for k, b in together.items() if b in rows})
        for key, block in placed.items():
            config = replace(config, wordings=(*config.wordings, (key, block)))
            notes.append(
                f"page {number}: label {key[:20]} is worded as no pattern of "
                f"configs/blocks.yaml knows; read as {block} by its place"
            )
        if not config.session_wordings:
            # a session row worded anew (実施の記録) shows the slide's session table too
            named = [replace(f, block=placed.get(f.key, f.block)) for f in found]
            headers = _date_headers(lines, named, config) or _numbered_headers(lines, named, config)
            if headers:
                config = replace(
                    config,
                    session_wordings=tuple((key, n) for n, key in enumerate(headers, start=1)),
                )
                notes.append(
                    f"page {number}: column headers {' '.join(headers)} are worded as no "
                    "session header pattern knows; read as sessions 1 to "
                    f"{len(headers)} by their place"
                )
    return config, notes


# --------------------------------------------------------------------------- finding labels


def _labelish(key: str, config: BlockConfig) -> bool:
    """Words that may be a label: short, no sentence, no title, no session header, no
    bullet or item start before them, not only digits."""
    from pipeline.stages.segment.stream import classify_line

    return (
        1 < len(key) <= _MOST
        and not re.search(r"[。、，,：:]", key)
        # an item's wrapped end closes a bracket it did not open
        and key.count("(") + key.count("（") == key.count(")") + key.count("）")
        and key.count("「") == key.count("」")
        # words, not a bullet glyph read as a letter or a private-use character
        and bool(_WORDS.fullmatch(key))
        # a wrapped end of two kana (こと, ない) is no label; あらまし may be
        and (len(key) > 2 or not re.fullmatch("[\u3041-\u309f]+", key))
        and not re.fullmatch(r"[0-9０-９.％%()（）/～~-]+", key)
        and not _DATE_LINE.fullmatch(key)
        and not key[-1].isdigit()  # a number belongs to what follows it (3 / 回の支援)
        and not holds_count(key, config)  # a cell's wrapped end (名 / 1名): a count
        and not is_title(key, config)
        and match_session(key, config) is None
        and not session_numbers(key, config)
        and classify_line(key, config)[0] == "cont"
        and not config.municipality.search(key)
    )


def _new_words(key: str, config: BlockConfig) -> bool:
    """Words a label no pattern knows may be: label-like, not ending like a wrapped
    sentence (…している), not starting with a particle (の確認)."""
    return _labelish(key, config) and not _VERB_END.search(key) and key[0] not in _PARTICLES


def _runs_on(lines: list[str], following: list[str], config: BlockConfig) -> bool:
    """Whether a page's session table, headed 第1回 … but without a known row label, runs
    on to the next page (a report's table broken by a page), which has none of its own
    headers: its rows' labels then stand on both pages."""
    session_rows = _session_rows(config)
    return (
        any(session_numbers(line, config) for line in lines if line.strip())
        and not any(match_label(line, config) in session_rows for line in lines if line.strip())
        and not any(session_numbers(line, config) for line in following if line.strip())
    )


def _session_rows(config: BlockConfig) -> set[str]:
    """The blocks of a session table's rows: the label group of 基本情報 and 実施内容."""
    return set(config.session_blocks) | {
        b for g in config.label_groups if set(g) & set(config.session_blocks) for b in g
    }


def _label_column(lines: list[str], config: BlockConfig) -> tuple[list[str], set[int]]:
    """Laid out (pdftotext -layout), a label column's cell stands left of its row's
    content on the same lines (あらまし      ◆島内の…): each such line as two, the label's
    words first, and the indices of the lines that are a label column's."""
    out: list[str] = []
    column: set[int] = set()
    for line in lines:
        found = _COLUMN_CELL.match(line)
        if (
            found
            and len(found.group(1)) > 2
            and (len(compact(found.group(2))) > _CENTRED or not _LETTERS.fullmatch(found.group(2)))
        ):
            found = None  # further in: a content line of a column left of it (   5 名、…)
        headings = [
            k
            for k in (compact(m.group()) for m in _SPACED.finditer(line))
            if _heading_words(k, config)
        ]
        if (
            found
            # not a band of headings side by side
            and len(headings) < len(_SPACED.findall(line))
            and not is_marker(found.group(2), config)
            and len(compact(found.group(2))) <= _MOST
        ):
            column.add(len(out))
            out.extend([found.group(2), found.group(3)])
        else:
            out.append(line)
    return out, column


def _heading_words(key: str, config: BlockConfig) -> bool:
    """A known label, or words a label could be that no wrapped sentence's end is."""
    return bool(match_label(key, config)) or (_labelish(key, config) and not _VERB_END.search(key))


def _labels(
    lines: list[str], config: BlockConfig, furniture_keys: set[str], column: set[int] = frozenset()
) -> list[Found]:
    """The labels of one slide, known or not, in the order the text gives them. column:
    the lines that stand in a laid-out label column, left of their row's content."""
    found: list[Found] = []
    whole: set[int] = set()
    for i, line in enumerate(lines):
        key = compact(line)
        if not key or i in whole or furniture_key(line) in furniture_keys:
            continue
        block = match_label(key, config)
        if block:
            found.append(Found(i, key, block, "line"))
            whole.add(i)
            continue
        # a long heading wrapped before its last letters (…アセスメント結 / 果)
        tail = compact(lines[i + 1]) if i + 1 < len(lines) else ""
        if (
            len(key) > MAX_FRAGMENT
            and 0 < len(tail) <= 2
            and (block := match_label(key + tail, config))
        ):
            found.append(Found(i, key + tail, block, "line"))
            whole.update((i, i + 1))
            continue
        joined = _joined(key, config)  # 支援後の到達点実際の支援内容: headings run together
        if joined:
            found.extend(
                Found(i, part, match_label(part, config), "line", n)
                for n, part in enumerate(joined)
            )
            whole.add(i)
            continue
        # headings side by side, one known (支援の到達点と今後 実際の支援内容), before the
        # line's words are taken for one heading
        parts = _side_by_side(line, config)
        if parts:
            found.extend(
                Found(i, part, match_label(part, config), "line", n) for n, part in enumerate(parts)
            )
            whole.add(i)
            continue
        if _heading_words(key, config):  # not known: matched above
            # perhaps a heading of its own; a short one is a narrow cell's fragment too
            found.append(Found(i, key, None, "line"))
            if len(key) > MAX_FRAGMENT:
                whole.add(i)
    rest = [i for i in range(len(lines)) if i not in whole and lines[i].strip()]
    fragments = [
        f
        for f in label_fragments([lines[i] for i in rest], config)
        # the first word of a laid-out row's content (出席者 | か所 4 名) is no label's
        if f.whole_line or rest[f.line] - 1 not in column
    ]
    known = spelled_labels(fragments, config, gap=_GAP)
    used = {id(f) for label in known for f in label.fragments}
    named = {f.block for f in found if f.block} | {
        label.block for label in known if len(label.fragments) > 1
    }
    for label in known:
        if len(label.fragments) > 1:
            lead = _lead_in(label, fragments, used, rest, lines, config, bool(column))
            words = "".join(f.text for f in lead)
            if lead and _cell_above(words, label.block, named, config):
                # 村 / の / い / ま / 村 / の / あ / り / た / い / 姿: the cell above is the row's
                # before it, which no label names yet
                used.update(id(f) for f in lead)
                found.append(Found(rest[lead[0].line], words, None, "run"))
                found.append(
                    Found(rest[label.fragments[0].line], label.heading, label.block, "run")
                )
            elif lead:  # 見 / え / て / い / る / 課 / 題: the cell is 見えている課題
                key = words + label.heading
                used.update(id(f) for f in lead)
                found.append(Found(rest[lead[0].line], key, label.block, "run", extended=True))
            elif trail := _trail(label, fragments, used, rest, lines, named, config):
                # 現 / 状 / の / 整 / 理: the cell is 現状の整理
                key = label.heading + "".join(f.text for f in trail)
                used.update(id(f) for f in trail)
                found.append(
                    Found(rest[label.fragments[0].line], key, label.block, "run", extended=True)
                )
            else:
                found.append(
                    Found(rest[label.fragments[0].line], label.heading, label.block, "run")
                )
        elif label.fragments[0].whole_line or _before_bullet(
            lines[rest[label.fragments[0].line]], config
        ):
            # a wide column's label on one line (将来の姿 ★ ヘルパーが…): it places the others
            found.append(Found(rest[label.fragments[0].line], label.heading, label.block, "run"))
    widest = max(
        (len(f.text) for label in known if len(label.fragments) > 1 for f in label.fragments),
        default=0,
    )
    # a fragment wider than the known labels' lines, or a number, is a content line's first
    # word between a label's lines (援センター); a known label's fragment ends a run
    covered = {rest[f.line] for label in known if len(label.fragments) > 1 for f in label.fragments}
    runs: list[list] = [[]]
    for fragment in fragments:
        if id(fragment) in used or session_numbers(lines[rest[fragment.line]], config):
            runs.append([])  # a label's or a session header's (第1回) line
        elif fragment.text.isdigit() or (
            # a wide column's cell stands right before its row's bullets (これまでの ★ …)
            len(fragment.text) > widest and not _before_bullet(lines[rest[fragment.line]], config)
        ):
            continue
        elif "\ue000" <= fragment.text[0] <= "\uf8ff" or fragment.text[0] in config.bullets:
            continue  # a bullet glyph alone (a private-use one: Wingdings), not a letter
        elif runs[-1] and _lines_apart(rest[runs[-1][-1].line], rest[fragment.line], lines) > _GAP:
            runs.append([fragment])
        else:
            runs[-1].append(fragment)
    for run in runs:
        # a blank line sets two cells apart (日程・ / 会場・ / 出席者, then 検討し / た事項);
        # laid out, blank lines stand between a cell's letters too
        parts = [run] if column else _apart_at_blanks(run, rest, lines)
        cells = [cell for part in parts for cell in _cells(part)]
        for cell in cells:
            # a wrapped sentence's end as wide as the cell may stand right above it (…優先順位
            # / の確認 / 伴走支 / 援ス / タッフ): a label's first line never starts so
            while len(cell) > 2 and cell[0].text[0] in _PARTICLES:
                cell = cell[1:]
            key = "".join(f.text for f in cell)
            # a cell of its own needs two lines or more, or one full line among other cells
            # (やるこ / と / 関係者)
            fits = len(cell) > 1 or (len(cells) > 1 and len(key) == widest)
            # or a full line of its own over a list (関係者 / ■ …): weaker, as a heading is
            alone = (
                len(cell) == 1
                and cell[0].whole_line
                and len(key) == widest
                and _over_list(lines, rest[cell[0].line], config)
            )
            # or a line's first word right before a bullet: a cell beside its row's first
            # item (体制 ▶地域づくり…), as a tool joins them
            beside = (
                len(cell) == 1
                and not cell[0].whole_line
                and _before_bullet(lines[rest[cell[0].line]], config)
            )
            if (
                (fits or alone or beside)
                and _new_words(key, config)
                # nor does it start with a sentence's kana end (いる / SC は…: いるSC)
                and not (
                    re.fullmatch("[\u3041-\u309f]+", cell[0].text)
                    and _VERB_END.search(cell[0].text)
                )
                # nor end with a particle: two wrapped lines' first words (よって / 全体の)
                and not key.endswith(_OPEN_ENDS)
                and not _respelled(cell, key, known, config)
            ):
                found.append(
                    Found(rest[cell[0].line], key, None, "run", heading=alone and not fits)
                )
                covered.update(rest[f.line] for f in cell)
    # a label cell's line is no heading of its own
    found = [f for f in found if f.block or f.shape == "run" or f.line not in covered]
    found = sorted(found + _column_lead_ins(found, lines, column, config), key=lambda f: f.line)
    found = _two_line_cells(found, config, column)
    # a "line" that stands where no label does is a wrapped content line
    found = [
        replace(f, cut_above=_cut_above(lines, f.line)) if f.shape == "line" else f
        for f in _standing(found, lines, config, column)
    ]
    return sorted(found, key=lambda f: (f.line, f.column))


# a line ending so is cut mid-phrase (町の概況と / 現状) or mid-word (支援に入っ / た人)
_JOINING = tuple("との・や及っゃゅょッャュョ")


def _two_line_cells(
    found: list[Found], config: BlockConfig, column: set[int] = frozenset()
) -> list[Found]:
    """A wide label cell's first line that ends mid-phrase, right over the line that ends
    the cell (町の概況と / 現状, 支援に入っ / た人): one label, of the second line's block
    where that is known words. Laid out, the row's content line split off the first stands
    between them (column: the label column's lines)."""
    out: list[Found] = []
    skip: set[int] = set()
    by_line = {f.line: f for f in found if f.shape == "line" and f.column == 0}
    for f in found:
        if id(f) in skip:
            continue
        below = by_line.get(f.line + 1)
        # laid out, the first line's row content split off between the two: no sentence's
        # end can stand in the label column, so the first line may end any way
        split_off = below is None and f.line in column and f.line + 2 in column
        if split_off:
            below = by_line.get(f.line + 2)
        if (
            f.shape == "line"
            and f.block is None
            and (f.key.endswith(_JOINING) or split_off)
            and below is not None
            and sum(1 for g in found if g.line == below.line) == 1
            and _new_words(f.key + below.key, config)
            # a known label cut in two (支援の / 内容) is the text reader's to spell
            and not match_label(f.key + below.key, config)
        ):
            skip.add(id(below))
            joined = replace(below, key=f.key + below.key)  # where the cell ends
            out.append(replace(joined, extended=True) if below.block else joined)
        else:
            out.append(f)
    return out


def _column_lead_ins(
    found: list[Found], lines: list[str], column: set[int], config: BlockConfig
) -> list[Found]:
    """Laid out, a label column's line right over a known label's (検討した / テーマ, its
    row's content split off between them) that no label or heading words found: the first
    line of that label's cell. Its verb end is no sentence's: the column holds labels only."""
    starts: list[Found] = []
    lines_found = {f.line for f in found}
    for f in found:
        above = f.line - 2
        if (
            f.block
            and f.shape == "line"
            and f.line in column
            and above in column
            and above not in lines_found
            and (key := compact(lines[above]))
            and len(key) + len(f.key) <= _MOST
            and not is_marker(key, config)
            and _new_words(key + f.key, config)
            and not match_label(key + f.key, config)
        ):
            starts.append(Found(above, key, None, "line"))
    return starts


def _before_bullet(line: str, config: BlockConfig) -> bool:
    """Whether a line's second word starts with a bullet glyph (体制 ▶地域づくり…)."""
    tokens = line.split()
    return len(tokens) > 1 and tokens[1][0] in config.bullets


def _lines_apart(above: int, below: int, lines: list[str]) -> int:
    """How many lines below one fragment another stands, not counting a middle dot alone
    on its line: a narrow cell's ・ (日 / 時 / ・ / 会 / 場), which is no fragment."""
    return sum(1 for j in range(above + 1, below + 1) if compact(lines[j]) != "・")


def _lead_in(
    label,
    fragments: list,
    used: set[int],
    rest: list[int],
    lines: list[str],
    config: BlockConfig,
    laid_out: bool = False,
) -> list:
    """The fragments of a narrow cell's first lines before the known words that end it
    (見 / え / て / い / る before 課 / 題, 話 / し / 合 / っ / た before 内 / 容): as wide
    as the label's lines, none another label's, the whole a label's words no pattern
    knows. [] if there are none."""
    # only a cell one letter wide: a wider line before a label is as often a content
    # line's wrapped end (…協議の / 支援体制)
    if any(len(f.text) != 1 for f in label.fragments):
        return []
    others = {
        ch for group in config.label_groups if label.block in group for b in group
        if b != label.block for ch in b
    }  # fmt: skip
    first = label.fragments[0].line
    start = next((k for k, f in enumerate(fragments) if f.line == first), 0)
    lead: list = []
    k = start - 1
    # a cell whose letters stand on lines one after another (a tool that gives the column's
    # lines together) ends where two content lines or more stand between two letters: 今 /
    # … / 性, two content lines, then 抱 / え / て / い / る / 課 / 題 are two cells (one line
    # may be a row's line a tool set among the letters: 積 ○… / み / ○… / 残 / し). Laid
    # out, a row's lines stand beside its cell's first letters only (積 ○… / み ○… / 残)
    letters = [rest[f.line] for f in label.fragments]
    together = not laid_out and all(
        _lines_apart(a, b, lines) == 1 for a, b in zip(letters, letters[1:], strict=False)
    )
    apart = False
    while k >= 0:
        f, after = fragments[k], (lead[0] if lead else label.fragments[0])
        if (
            together
            and len(letters) > 1
            and _lines_apart(rest[f.line], rest[after.line], lines) > 2
        ):
            apart = True
            break
        if id(f) in used or not _LETTER.fullmatch(f.text) or not _close(f, after, rest, lines):
            break
        lead.insert(0, f)
        k -= 1
    if lead and not apart and _cell_goes_on(fragments, k, lead[0], used):
        return []  # 開 / 催 / (a content line) / 記 / 録: where the cell starts is unsure
    while lead:
        words = "".join(f.text for f in lead)
        key = words + label.heading
        if (
            len(set(words)) > 1  # one letter above is another line's (第 of 第 / 1 / 回)
            # nor are letters of a neighbouring label the tool broke (基 / 本 / 情 / 協 / 報)
            and not set(words) & others
            and _new_words(key, config)
            and not match_label(key, config)
        ):
            return lead
        lead = lead[1:]  # a content line's end may stand above the cell
    return []


def _close(upper, lower, rest: list[int], lines: list[str]) -> bool:
    """Whether two fragments may be lines of one cell: a few lines apart, no blank line
    between (a blank sets two cells apart: 開 / 催 / 記 / 録, then 実 / 施 / 内 / 容); laid
    out, a row's content lines stand between a cell's letters."""
    return lower.line - upper.line <= _GAP and all(
        lines[j].strip() for j in range(rest[upper.line], rest[lower.line])
    )


def _trail(
    label,
    fragments: list,
    used: set[int],
    rest: list[int],
    lines: list[str],
    named: set[str],
    config: BlockConfig,
) -> list:
    """The fragments of a narrow cell's last lines after the known words that start it
    (現 / 状 before の / 整 / 理), as `_lead_in` finds those before: one letter each, as
    the label's, none another label's, no blank line between, the whole a label's words
    no pattern knows, where its group leaves no block after it unnamed (else the letters
    may be that block's own cell). [] if there are none."""
    if any(len(f.text) != 1 for f in label.fragments):
        return []
    last = label.fragments[-1].line
    k = next((n for n, f in enumerate(fragments) if f.line == last), len(fragments)) + 1
    trail: list = []
    while k < len(fragments):
        f, before = fragments[k], (trail[-1] if trail else label.fragments[-1])
        if id(f) in used or not _LETTER.fullmatch(f.text) or not _close(before, f, rest, lines):
            break
        trail.append(f)
        k += 1
    if trail and trail[0].text not in _PARTICLES and k < len(fragments):
        if _close(trail[-1], fragments[k], rest, lines):
            # the letters run on into the next label's: maybe its first words (積 / み / 残 /
            # し / の / 課 / 題), unless a particle first makes them go on from above (の / 整)
            return []
    if _unnamed_beside(label.block, named, config)[1]:
        return []
    words = "".join(f.text for f in trail)
    key = label.heading + words
    if (
        len(trail) > 1
        and _new_words(key, config)
        and not key.endswith(_JOINING)
        and not match_label(key, config)
    ):
        return trail
    return []


def _unnamed_beside(block: str, named: set[str], config: BlockConfig) -> tuple[bool, bool]:
    """Whether the block's label group has a block before it, and one after it, in the
    usual order that no label on the slide names."""
    group = next((g for g in config.label_groups if block in g), ())
    rank = {b: n for n, b in enumerate(config.order)}
    unnamed = [rank.get(b, 99) for b in group if b not in named]
    own = rank.get(block, 99)
    return any(r < own for r in unnamed), any(r > own for r in unnamed)


def _cell_above(words: str, block: str, named: set[str], config: BlockConfig) -> bool:
    """Whether letters above a known label in a one-letter column are a cell of their own
    (村のいま over 村のありたい姿): label words by themselves, where the label's group has a
    block before it in the usual order that no label on the slide names."""
    return (
        _unnamed_beside(block, named, config)[0]
        and _new_words(words, config)
        and not words.endswith("の")
    )


def _cell_goes_on(fragments: list, k: int, first, used: set[int]) -> bool:
    """Whether a letter of a cell stands a few lines above fragment `first`, past the
    fragment k that ended the walk up: a content line's word between a cell's letters."""
    while k >= 0 and first.line - fragments[k].line <= _GAP:
        f = fragments[k]
        if id(f) in used:
            return False
        if _LETTER.fullmatch(f.text):
            return True
        k -= 1
    return False


# letters a line may not start with (Japanese line breaking): the letter before goes down
# with them, so a cell's first line may be one letter short (開催 / 日・会 / 場)
_NO_START = set("・、。，．ー）」』】ぁぃぅぇぉっゃゅょァィゥェォッャュョ")


def _apart_at_blanks(run: list, rest: list[int], lines: list[str]) -> list[list]:
    """A run of fragments cut where a blank line stands between two of them."""
    parts: list[list] = [[]]
    for fragment in run:
        if parts[-1] and not _close(parts[-1][-1], fragment, rest, lines):
            parts.append([])
        parts[-1].append(fragment)
    return parts


def _cells(run: list) -> list[list]:
    """A run of fragments cut into label cells: a cell wraps at its width, so every line
    but its last is as wide as its first (or one letter off, where the line breaking cut
    a line short), and a narrower line ends it."""
    cells: list[list] = [[]]
    width = 0
    for k, fragment in enumerate(run):
        size = len(fragment.text)
        if cells[-1] and size > width:
            short = len(cells[-1]) == 1 and size == width + 1 and fragment.text[1:2] in _NO_START
            if short:
                width = size
            else:
                cells.append([])
        if not cells[-1]:
            width = size
        cells[-1].append(fragment)
        # a line one letter short whose last letter went down with a letter no line may
        # start with (伴走支 / 援ス / タッフ) goes on in the next
        pushed = (
            size == width - 1
            and k + 1 < len(run)
            and len(run[k + 1].text) <= width
            and run[k + 1].text[1:2] in _NO_START
        )
        if size < width and not pushed:
            cells.append([])
    return [cell for cell in cells if cell]


def _respelled(run: list, key: str, known: list, config: BlockConfig) -> bool:
    """Whether a run is the rest of a known label the text spelled wrongly: its fragments
    joined with a neighbouring label's first or last ones spell a label (市の / 目指す / 姿 /
    状況 read as 市の目指す姿 and 状況, where 市の状況 and 目指す姿 stand)."""
    for label in known:
        words = [f.text for f in label.fragments]
        if (
            abs(label.fragments[0].line - run[-1].line) > 2 * _GAP
            and abs(run[0].line - label.fragments[-1].line) > 2 * _GAP
        ):
            continue
        for k in range(1, len(words)):
            if match_label("".join(words[:k]) + key, config) or match_label(
                key + "".join(words[k:]), config
            ):
                return True
    return False


def _joined(key: str, config: BlockConfig) -> list[str]:
    """Two or three known labels run together on one line, without a space between."""
    for first in range(2, len(key) - 1):
        if not match_label(key[:first], config):
            continue
        if match_label(key[first:], config):
            return [key[:first], key[first:]]
        for second in range(first + 2, len(key) - 1):
            if match_label(key[first:second], config) and match_label(key[second:], config):
                return [key[:first], key[first:second], key[second:]]
    return []


def _side_by_side(line: str, config: BlockConfig) -> list[str]:
    """Two or three headings on one line (a band read as one row), at least one known and
    one not: their words. Laid out, they stand apart by runs of spaces; else one space."""
    spaced = [m.group() for m in _SPACED.finditer(line.strip())]
    if len(spaced) > 1:
        keys = [compact(s) for s in spaced]
        if (
            len(keys) <= 3
            and all(_heading_words(k, config) for k in keys)
            and any(match_label(k, config) for k in keys)
            and not all(match_label(k, config) for k in keys)
        ):
            return keys
        return []
    tokens = line.split()
    if not 2 <= len(tokens) <= 8:
        return []
    # the cut with the most known headings, then the most headings (はじめに聞いたこと 3 回の…
    # 到達点 一緒に…: three, not two of which one ends in 到達点 and runs on)
    best: list[list[str]] = []
    best_score = (0, 0)
    for parts in (2, 3):
        for cuts in _cuts(len(tokens), parts):
            keys = ["".join(tokens[a:b]) for a, b in cuts]
            known = sum(1 for k in keys if match_label(k, config))
            if not 0 < known < parts or not all(_heading_words(k, config) for k in keys):
                continue
            if (known, parts) > best_score:
                best, best_score = [keys], (known, parts)
            elif (known, parts) == best_score:
                best.append(keys)
    return best[0] if len(best) == 1 else []


def _cuts(count: int, parts: int) -> list[list[tuple[int, int]]]:
    if parts == 1:
        return [[(0, count)]]
    out = []
    for first in range(1, count - parts + 2):
        for rest in _cuts(count - first, parts - 1):
            out.append([(0, first), *((a + first, b + first) for a, b in rest)])
    return out


def _standing(
    found: list[Found], lines: list[str], config: BlockConfig, column: set[int]
) -> list[Found]:
    """Unknown labels of shape "line" only where they stand as a label does: in a band of
    known ones (on a line with one, or one after another with only blank lines between),
    or as a heading over its list (the next line starts an item)."""

    keep = [f for f in found if f.shape == "run"]
    lines_with_known = {f.line for f in found if f.block and f.shape == "line"}
    for f in found:
        if f.block and f.shape == "line":
            others = lines_with_known - {f.line}
            together = sum(1 for g in found if g.block and g.line == f.line) > 1
            keep.append(
                replace(f, banded=together or any(_apart(f.line, j, lines) for j in others))
            )
    unknown = sorted({f.line for f in found if not f.block and f.shape == "line"})
    # in a laid-out label column (where a known label stands too: else the lines at the
    # left edge are a box's), or on a line with a known label
    if not any(f.block and f.line in column for f in found):
        column = set()
    banded: set[int] = (set(lines_with_known) | column) & set(unknown)
    changed = True
    while changed:
        changed = False
        for i in unknown:
            if i in banded:
                continue
            if any(_apart(i, j, lines) for j in (*lines_with_known, *banded)):
                banded.add(i)
                changed = True
    keep += [f for f in found if not f.block and f.shape == "line" and f.line in banded]
    # a line over a list whose line above ran to its cell's edge (as wide as the lines
    # around it) is that item's wrapped end
    for f in found:
        if f.block or f.shape != "line" or f.line in banded:
            continue
        above = [
            text_width(line.strip())
            for line in lines[: f.line]
            if line.strip() and not is_title(line, config) and not config.municipality.search(line)
        ][-_AROUND:]
        if not _over_list(lines, f.line, config) or f.key[0] in _PARTICLES:
            continue
        ended, apart = _ended(lines, f.line)
        if len(above) < 2 or above[-1] < _FULL * max(above) or (ended and apart):
            keep.append(replace(f, heading=True))
        elif ended:
            # a full line above that ended like a sentence, right above: the line may be its
            # wrapped end as well, so it names only the one block its group has left
            keep.append(replace(f, heading=True, unsure=True))
    return keep


def _text_above(lines: list[str], i: int) -> int:
    """The index of the last line above line i that holds text, or -1."""
    k = i - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    return k


def _cut_above(lines: list[str], i: int) -> bool:
    """Whether the text line above line i stops mid-phrase (…見えた課題の): line i may be
    its wrapped end."""
    k = _text_above(lines, i)
    return k >= 0 and compact(lines[k]).endswith(_OPEN_ENDS)


def _ended(lines: list[str], i: int) -> tuple[bool, bool]:
    """Whether the text line above line i ends like a sentence (…程度だった, 。): an item
    that ended, not one wrapped into line i; and whether a blank line stands between."""
    from pipeline.stages.segment.stream import ending

    k = _text_above(lines, i)
    return k >= 0 and ending(lines[k].strip()) is not False, k < i - 1


def _over_list(lines: list[str], i: int, config: BlockConfig) -> bool:
    """Whether the next line after line i starts an item (a bullet, 日時：, 【…】)."""
    from pipeline.stages.segment.stream import classify_line

    following = next((line for line in lines[i + 1 :] if line.strip()), "")
    return bool(following) and classify_line(following.strip(), config)[0] != "cont"


def _apart(i: int, j: int, lines: list[str]) -> bool:
    """Lines i and j one after the other, only blank lines between."""
    low, high = min(i, j), max(i, j)
    return not any(lines[k].strip() for k in range(low + 1, high))


# --------------------------------------------------------------------------- placing them


def _place(found: list[Found], config: BlockConfig) -> dict[str, str]:
    """{wording: block} for the unknown labels of one slide that their group places."""
    known = [f for f in found if f.block]
    taken = {f.block for f in known}
    placed: dict[str, str] = {}
    for group in config.label_groups:
        members = [f for f in known if f.block in group]
        if not members:
            continue
        shapes = {f.shape for f in members}
        for f in found:
            # a block's name cut short at its words (体制 for 支援体制, not 援体制) is that
            # block, where no label on the slide names it, in any shape
            tails = [b for b in group if b.endswith(f.key) and len(b) - len(f.key) >= 2]
            if not f.block and not f.unsure and len(tails) == 1 and tails[0] not in taken:
                placed[f.key] = tails[0]
                taken.add(tails[0])
        # a known label the text broke (支 … 援体制) or spelled with a neighbour's letter
        # inside (基本情協報) is none of the group's new words: the text reader spells it by
        # itself. A new wording may share words with a name (将来目指す地域像, 話し合った内容)
        # a narrow column's label short enough for one line (議事 among 基本情 / 報 and 支援体 /
        # 制) stands as a line where the others wrap
        shortest = min((len(f.key) for f in members if f.shape == "run"), default=0)
        unknown = [
            f
            for f in found
            if not f.block
            and (
                f.shape in shapes
                or (
                    f.shape == "line"
                    and shapes == {"run"}
                    and len(f.key) < shortest
                    and not f.cut_above
                )
            )
            and not any(f.key in name or _spells(name, f.key) for name in group)
        ]
        left = [b for b in group if b not in taken]
        if len(unknown) > len(left):
            # more words than blocks: a heading that may be a wrapped end is content; else
            # the order below must place it with the rest (事前アセスメントの結果 under ⚫ …た)
            unknown = [f for f in unknown if not f.unsure]
        strong = [f for f in unknown if not f.heading]
        if len(strong) >= len(left) or any(f.banded for f in members):
            # a band's or a run's words before a heading's; where the known ones stand in a
            # band, a line over a list away from it is content
            unknown = strong
        if not unknown or not left:
            continue
        if len(left) == 1 and len(unknown) == 1:
            choice = {unknown[0].key: left[0]}
        else:
            choice = _by_order(members, unknown, left, config)
        for key, block in choice.items():
            placed[key] = block
            taken.add(block)
    return placed


def _spells(name: str, key: str) -> bool:
    """Whether key is the name with a letter or two of other lines between its own (基本情協
    報), one of its own perhaps lost (本会情会報)."""
    if len(key) > len(name) + 2:
        return False
    kept = [name] + ([name[:k] + name[k + 1 :] for k in range(len(name))] if len(name) > 3 else [])
    for words in kept:
        rest = iter(key)
        if all(ch in rest for ch in words):
            return True
    return False


def _by_order(members: list[Found], unknown: list[Found], left: list[str],
              config: BlockConfig) -> dict[str, str]:  # fmt: skip
    """The one way to name unknown labels with the blocks left over that keeps the group's
    labels in their usual order as the text gives them; {} if none or several. With more
    unknown labels than blocks left, as many as there are blocks are named (a wrapped
    line's end that stands where no block is left in the order is content)."""
    rank = {block: n for n, block in enumerate(config.order)}
    if any(b not in rank for b in left) or any(f.block not in rank for f in members):
        return {}
    size = min(len(unknown), len(left))
    fits = []
    for chosen in combinations(unknown, size):
        for blocks in permutations(left, size):
            named = [((f.line, f.column), rank[f.block]) for f in members]
            named += [((f.line, f.column), rank[b]) for f, b in zip(chosen, blocks, strict=True)]
            ranks = [r for _, r in sorted(named)]
            if ranks == sorted(ranks):
                fits.append((chosen, blocks))
    if len(fits) != 1:
        return {}
    chosen, blocks = fits[0]
    return {f.key: b for f, b in zip(chosen, blocks, strict=True)}


def _unheaded_sessions(lines: list[str], found: list[Found], config: BlockConfig) -> bool:
    """Whether a slide holds session rows (基本情報, 実施内容) but no header any session
    pattern knows: its column headers are worded anew."""
    blocks = {f.block for f in found} | {
        match_label(compact(line), config) for line in lines if line.strip()
    }
    return bool(blocks & set(config.session_blocks)) and not any(
        session_numbers(line, config) for line in lines if line.strip()
    )


def _date_headers(lines: list[str], found: list[Found], config: BlockConfig) -> list[str]:
    """Column headers written as dates (7月12日 / 10月4日 / 1月17日: lines of a date alone, or
    dates alone on one line) on a slide of session rows without a 第N回 header: their
    words, left to right; [] otherwise."""
    if not _unheaded_sessions(lines, found, config):
        return []
    # read row-wise they stand on consecutive lines, column by column each over its cells
    dates: list[str] = []
    for line in lines:
        key = compact(line)
        if key and _DATE_LINE.fullmatch(key):
            dates.extend(m.group() for m in _DATES.finditer(key))
    return dates if len(dates) >= 2 and len(set(dates)) == len(dates) else []


_NUMBER = re.compile(r"[0-9]+")  # keys are compacted: NFKC digits
_COUNTED = re.compile(r"[名人件か所箇所歳円%％]")  # 2名 … 3名: counts, not sessions


def _numbered_headers(lines: list[str], found: list[Found], config: BlockConfig) -> list[str]:
    """Column headers worded alike but for their number, counting 1, 2, 3 … (訪問1回目 /
    訪問2回目, on lines of their own or on one line) on a slide of session rows without
    a header any pattern knows: their words in order; [] otherwise."""
    if not _unheaded_sessions(lines, found, config):
        return []
    # not 支援1回目 / 支援2回目: sub-headings inside 支援内容
    keys = [compact(line) for line in lines if line.strip() and not subheading_kind(line, config)]
    for key in keys:  # all on one line: 訪問1回目訪問2回目訪問3回目
        headers = _counting(key)
        if len(headers) >= 2:
            return headers
    # one a line, in order: the first series of them
    frames: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        numbers = list(_NUMBER.finditer(key))
        if len(numbers) != 1:
            continue
        before, after = key[: numbers[0].start()], key[numbers[0].end() :]
        if not _frame(before, after):
            continue
        expected = len(frames.get((before, after), [])) + 1
        if int(numbers[0].group()) == expected:
            frames.setdefault((before, after), []).append(key)
    series = [keys for keys in frames.values() if len(keys) >= 2]
    return series[0] if len(series) == 1 else []


def _counting(key: str) -> list[str]:
    """A line of headers worded alike but for their numbers 1, 2, … (訪問1回目訪問2回目): each
    header; a header of number 1 alone: [it]; [] if the line is no such header."""
    first = _NUMBER.search(key)
    if not first or first.group() != "1":
        return []
    before = key[: first.start()]
    for after_len in range(0, min(8, len(key) - first.end()) + 1):
        after = key[first.end() : first.end() + after_len]
        if _NUMBER.search(after):
            break
        if not _frame(before, after):
            continue
        headers, n = [], 1
        while True:
            header = f"{before}{n}{after}"
            start = sum(len(h) for h in headers)
            if not key.startswith(header, start):
                break
            headers.append(header)
            n += 1
        if sum(len(h) for h in headers) == len(key):
            return headers
    return []


def _frame(before: str, after: str) -> bool:
    """Whether the words around a number may be a numbered header's (訪問 … 回目): a few
    words of kana or kanji, no sentence, no item's key, no count (… 2名)."""
    words = before + after
    return (
        1 <= len(words) <= 10
        and len(after) <= 8
        and not _COUNTED.match(after)
        and bool(re.fullmatch(f"[{_KANA_KANJI}()（）・]+", words))
    )
