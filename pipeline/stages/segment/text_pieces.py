"""The pieces a line of naive text is read into: bullet and label markers, short label
fragments and the labels they spell, segments of a line (what may be a column of its
own) and the page furniture that recurs on every page.

Both readers of naive text use them: naive_text.py (one-space joins, pdfplumber) and
stream.py (one reading order, search over box assignments).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import combinations

from pipeline.config.settings import BlockConfig
from pipeline.core.normalize import compact, nfkc
from pipeline.stages.segment.labels import match_label, subheading_kind

MAX_FRAGMENT = 5  # characters of a label fragment on one line


def is_marker(token: str, config: BlockConfig) -> bool:
    if not token:
        return False
    if token[0] in config.bullets or token[0] in config.summary_glyphs:
        return True
    text = nfkc(token)
    return any(p.match(text) for p in config.item_starts) or bool(subheading_kind(token, config))


_NUMBER_AROUND = re.compile(
    r"^(?:[-‐–]?\s*[0-9]{1,3}\s*[-‐–]?\s+)|(?:\s+[-‐–]?\s*[0-9]{1,3}(?:\s*/\s*[0-9]{1,3})?\s*[-‐–]?)$"
)


def furniture_key(line: str) -> str:
    """A line as it recurs on every page: compacted, a page number before or after it
    taken off (地域包括ケア推進課 3, 報告書 - 2 -); a page number alone stays itself."""
    stripped = line.strip()
    if PAGE_NUMBER.fullmatch(compact(stripped)):
        return compact(stripped)
    rest = _NUMBER_AROUND.sub("", stripped)
    return compact(rest if rest else stripped)


PAGE_NUMBER = re.compile(r"[-‐–]?[0-9]{1,3}[-‐–]?|[0-9]{1,3}/[0-9]{1,3}|[pP]\.?[0-9]{1,3}")


@dataclass
class Fragment:
    line: int  # index of the line it sits on
    text: str
    whole_line: bool
    first_word: str | None = None  # a whole short line's first word, read on its own

    def as_first_word(self) -> Fragment:
        return Fragment(self.line, self.first_word or self.text, False)


def label_fragments(lines: list[str], config: BlockConfig) -> list[Fragment]:
    """Short lines, and the short first word of a line, that may be part of a label.

    A short line of several words ("基 イン併用") may be a label fragment followed by the
    wrapped end of a content line on the same height: its first word is kept as an
    alternative reading of the fragment.
    """
    found = []
    for i, line in enumerate(lines):
        tokens = line.split()
        if len(compact(line)) <= MAX_FRAGMENT and not is_marker(tokens[0], config):
            alternative = tokens[0] if len(tokens) > 1 else None
            found.append(Fragment(i, compact(line), True, alternative))
        elif (
            len(tokens) > 1 and len(tokens[0]) <= MAX_FRAGMENT and not is_marker(tokens[0], config)
        ):
            found.append(Fragment(i, tokens[0], False))
    return found


def _readings(window: list[Fragment]) -> list[list[Fragment]]:
    """The window as it is, then with one, or every, short line read as its first word."""
    readings = [window]
    multi = [k for k, f in enumerate(window) if f.first_word]
    for k in multi:
        readings.append([*window[:k], window[k].as_first_word(), *window[k + 1 :]])
    if len(multi) > 1:
        readings.append([f.as_first_word() if f.first_word else f for f in window])
    return readings


def _spelled(window: list[Fragment], config: BlockConfig) -> Label | None:
    """The label the window spells, reading it as it is first, then with one wrapped
    content line ("いる") among the fragments skipped, then two, if neither is a lone
    word: the first word of a longer line (a label cell beside a wrapped cell: "会 2名 …")
    or a short line of several words ("担当 2名"), which a label character never is."""
    # a fragment that is a label of its own (現状) is never the content line skipped: 地域の /
    # 現状 / 目指す / 姿 … would read as 地域の目指す姿
    inner = [k for k in range(1, len(window) - 1) if not match_label(window[k].text, config)]
    skips = [window] + [window[:k] + window[k + 1 :] for k in inner]
    skips += [
        [f for n, f in enumerate(window) if n not in (a, b)]
        for a, b in combinations(inner, 2)
        if _content_like(window[a]) and _content_like(window[b])
    ]
    for kept in skips:
        for reading in _readings(kept):
            text = "".join(f.text for f in reading)
            name = match_label(text, config)
            if name:
                return Label(name, compact(text), reading)
    return None


def _content_like(fragment: Fragment) -> bool:
    return not fragment.whole_line or fragment.first_word is not None


@dataclass
class Label:
    block: str
    heading: str
    fragments: list[Fragment]

    @property
    def centre(self) -> float:
        lines = [f.line for f in self.fragments]
        return (min(lines) + max(lines)) / 2


def spelled_labels(
    fragments: list[Fragment], config: BlockConfig, gap: int | None = None
) -> list[Label]:
    """Runs of fragments that spell a known label, longest first, left to right; with
    `gap`, fragments of one label stand at most that many lines apart."""
    labels: list[Label] = []
    i = 0
    while i < len(fragments):
        best = None
        for j in range(min(len(fragments), i + 12), i, -1):
            window = fragments[i:j]
            if gap is not None and any(
                b.line - a.line > gap for a, b in zip(window, window[1:], strict=False)
            ):
                continue
            best = _spelled(window, config)
            if best:
                break
        if best:
            labels.append(best)
            last = best.fragments[-1].line
            i = next(k for k, f in enumerate(fragments) if f.line == last) + 1
        else:
            i += 1
    return labels


@dataclass(frozen=True)
class Segment:
    text: str
    marker: bool
    # a column gap guessed next to a digit or Latin letter: real spaces in Japanese text
    # stand there (センター 5名, SC 13名, and office PDFs' 包括 2 名), so such a cut is doubtful
    doubtful_cut: bool = False
    width: float = 0.0  # of the text, without a leading bullet glyph (it hangs left)
    # a sub-heading's kind (支援#回目): sub-headings of one kind stand in one column
    heading_kind: str = ""


def as_segment(text: str, config: BlockConfig, doubtful_cut: bool = False) -> Segment:
    body = text[1:] if text[:1] in config.bullets else text
    kind = subheading_kind(text, config)
    marker = is_marker(text.split()[0], config) or bool(kind)  # or 支援 1 回目, spaced apart
    return Segment(text, marker, doubtful_cut, text_width(body), kind)


def _glued(tokens: list[str], config: BlockConfig) -> list[str]:
    """The tokens, with a sub-heading that an office PDF spaced apart (支援 1 回目) as one:
    it starts a segment like any sub-heading."""
    found: list[str] = []
    k = 0
    while k < len(tokens):
        for n in (3, 2):
            window = tokens[k : k + n]
            if len(window) == n and subheading_kind("".join(window), config):
                found.append(" ".join(window))
                k += n
                break
        else:
            found.append(tokens[k])
            k += 1
    return found


@cache
def _count_patterns(counters: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern] | None:
    """A word that ends with a count (SC13名), and one that starts with one (5名（…）)."""
    if not counters:
        return None
    count = r"[0-9０-９]+(?:" + "|".join(map(re.escape, counters)) + ")"
    return re.compile(rf"(?:^|[^0-9０-９.,]){count}$"), re.compile(rf"{count}(?:$|[^0-9０-９])")


def holds_count(text: str, config: BlockConfig) -> bool:
    """Whether the text holds a head count or a number of places (1名, 5か所): content,
    never a label's words."""
    patterns = _count_patterns(config.counters)
    return bool(patterns and patterns[1].search(text))


def segments(
    line: str, config: BlockConfig, columns: int = 3, spaced: bool = False
) -> list[list[Segment]]:
    """Ways to read one line as segments in column order, at most `columns` of them.

    A marker (bullet, 日時：, 支援1回目) always starts a segment. Any other space may be
    a column gap too (the end of one column's line, then the next column's wrapped
    continuation): every choice of such cuts is a candidate reading.
    """
    tokens = _glued(line.split(), config)
    forced = {k for k, token in enumerate(tokens) if k > 0 and is_marker(token, config)}
    # a bare glyph and the word after it are one marker: "•" "地域…"
    forced -= {k for k in forced if tokens[k - 1] in config.bullets}
    # a head count does not follow a head count ("13名 13名"): two cells end and start there
    counts = _count_patterns(config.counters)
    forced |= {
        k
        for k in range(1, len(tokens))
        if counts and counts[0].search(tokens[k - 1]) and counts[1].match(tokens[k])
    }
    optional = [
        k
        for k in range(1, len(tokens))
        if k not in forced
        and tokens[k - 1] not in config.bullets
        and not is_marker(tokens[k], config)
    ]
    readings = []
    most = columns - len(forced) - 1
    for n in range(0, min(len(optional), max(most, 0)) + 1):
        for cuts in combinations(optional, n):
            bounds = [0, *sorted(forced | set(cuts)), len(tokens)]
            readings.append(
                [
                    as_segment(
                        " ".join(tokens[a:b]), config, a in cuts and _latin_gap(tokens, a, spaced)
                    )
                    for a, b in zip(bounds, bounds[1:], strict=False)
                ]
            )
    return readings or [[as_segment(line, config)]]


def autospaced(lines: list[str], config: BlockConfig) -> bool:
    """Lines that set Latin text and numbers apart from Japanese (包括 2 名, （ SC ）), as
    office PDFs do: there a Latin word or a number has a space after it too. One count
    apart from its counter may stand at a cell's edge (センター 3 | 名、…), several not."""
    counters = tuple(config.counters)
    counts = brackets = 0
    for line in lines:
        tokens = line.split()
        for token, after in zip(tokens, tokens[1:], strict=False):
            counts += token.isdigit() and after.startswith(counters)
            brackets += token.endswith(("（", "(")) and after[:1].isascii()
    return counts >= 2 or brackets >= 1


def _latin_gap(tokens: list[str], k: int, spaced: bool) -> bool:
    """Whether the space before token k may be a typed one: before a digit or Latin
    letter, or after one where the line spaces Latin text apart."""
    return tokens[k][:1].isascii() or (spaced and tokens[k - 1][-1:].isascii())


def text_width(text: str) -> float:
    """Display width in full-width characters: Latin letters and digits are about half."""
    return sum(0.55 if ord(c) < 0x2000 else 1.0 for c in text.replace(" ", ""))
