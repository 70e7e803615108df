"""Japanese years read from text: 令和/平成 era years, Western years, and the fiscal year.

The fiscal year (年度) runs from April to March and is named by the year it starts in:
令和4年度 = 2022年度 = April 2022 – March 2023, so 令和5年1月31日 belongs to 2022.
Text is read after NFKC and with spaces removed (`compact`), so full-width digits
(令和４年度) and extractors' spaces (令和 4 年 7 月) read alike. Pure functions; which of
a report's years is its own is decided in stages/segment/fiscal_year.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.normalize import compact

# An era year N is the Western year OFFSET + N; 元年 is its first year. 平成31年 and
# 令和元年 are both 2019 (the era changed on 1 May 2019).
ERAS = {"令和": 2018, "平成": 1988, "R": 2018, "H": 1988}
ERA_NAMES = {2019: "令和", 1989: "平成"}  # first year of each era, newest first
FIRST_YEAR, LAST_YEAR = 1989, 2099  # years a report of this programme can have

_KANJI_DIGITS = {c: n for n, c in enumerate("〇一二三四五六七八九")}
_NUMBER = r"元|\d{1,2}|[〇一二三四五六七八九十]{1,3}"
_ERA = r"(?:令和|平成|(?<![A-Za-z])[RrHh])"
_WESTERN = r"(?<!\d)(?:19|20)\d{2}"

# 令和4年度, R4年度, 2022年度 (the groups: era, era year, Western year)
FISCAL_YEAR = re.compile(rf"(?:({_ERA})({_NUMBER})|({_WESTERN}))年度")
# 令和4年1月31日, R4年1月, 2022年1月31日, 2022/1/31, 2022-01-31, R4.1.31
DATE = re.compile(
    rf"(?:({_ERA})({_NUMBER})|({_WESTERN}))年({_NUMBER})月"
    rf"|({_WESTERN})([/.\-])(\d{{1,2}})\6\d{{1,2}}(?!\d)"
    rf"|({_ERA})(\d{{1,2}})\.(\d{{1,2}})\.\d{{1,2}}(?!\d)"
)


@dataclass(frozen=True)
class Found:
    """A fiscal year read from a string: the year it starts in, and the words read."""

    year: int
    text: str
    start: int
    end: int


def number(text: str) -> int | None:
    """元 → 1, '4' → 4, 十二 → 12; None for anything else."""
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    if not text or any(c not in _KANJI_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_KANJI_DIGITS[c]) for c in text)) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


def western(era: str, year: str) -> int | None:
    """The Western year of an era year (令和, 4 → 2022), None when it does not exist."""
    n = number(year)
    offset = ERAS.get(era.upper() if len(era) == 1 else era)
    if n is None or offset is None or n < 1:
        return None
    if offset == ERAS["平成"] and n > 31:  # 平成 ended in its 31st year
        return None
    return _plausible(offset + n)


def fiscal_year_of(year: int, month: int) -> int | None:
    """The fiscal year a month falls in: January–March belong to the year before."""
    if not 1 <= month <= 12:
        return None
    return _plausible(year if month >= 4 else year - 1)


def fiscal_years(text: str) -> list[Found]:
    """Every NN年度 in a line of text, as fiscal years (compacted text's positions)."""
    key = compact(text)
    found = []
    for m in FISCAL_YEAR.finditer(key):
        year = _year(m)
        if year is not None:
            found.append(Found(year, m[0], m.start(), m.end()))
    return found


def dates(text: str, start: int = 0) -> list[Found]:
    """Every date (or year and month) in compacted text from `start`, as the fiscal year
    it falls in."""
    found = []
    for m in DATE.finditer(text, start):
        if m[4] is not None:  # 令和4年1月 / 2022年1月
            year = western(m[1], m[2]) if m[1] else _plausible(int(m[3]))
            month = number(m[4])
        elif m[5] is not None:  # 2022/1/31
            year, month = int(m[5]), int(m[7])
        else:  # R4.1.31
            year, month = western(m[8], m[9]), int(m[10])
        fiscal = fiscal_year_of(year, month) if year is not None and month else None
        if fiscal is not None:
            found.append(Found(fiscal, m[0], m.start(), m.end()))
    return found


def parse_fiscal_year(value: int | str) -> int | None:
    """A fiscal year as a user writes it: 2022, '2022', '2022年度', '令和4年度', 'R4'."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _plausible(value)
    key = compact(str(value))
    if re.fullmatch(r"\d{4}", key):
        return _plausible(int(key))
    m = FISCAL_YEAR.fullmatch(key if key.endswith("年度") else f"{key}年度")
    return _year(m) if m else None


def label(year: int) -> str:
    """2022 → '2022 (令和4年度)', for messages."""
    for first, era in ERA_NAMES.items():
        if year >= first:
            n = year - first + 1
            return f"{year} ({era}{'元' if n == 1 else n}年度)"
    return str(year)


def _year(m: re.Match) -> int | None:
    """The year of a FISCAL_YEAR match."""
    return western(m[1], m[2]) if m[1] else _plausible(int(m[3]))


def _plausible(year: int) -> int | None:
    return year if FIRST_YEAR <= year <= LAST_YEAR else None
