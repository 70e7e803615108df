"""Which fiscal year (年度) a report is of: read from its text and from its file name.

Pure functions, no I/O. The text's years are read once per document and cached with it
(`text_years`); the file name and batch.yaml belong to the run (a file may be renamed,
batch.yaml edited), so the batch runner reads the name and decides (`resolve`) on every
run. The order, strongest first:

1. batch.yaml's `fiscal_year`: the user's own statement about the whole batch;
2. the report's text, per municipality:
   a. its session dates (日時：令和3年8月26日, 開催日, 実施日): when the support took
      place. All of them must fall in one fiscal year (April–March: 令和4年2月8日 is
      令和3年度); dates in two years decide nothing;
   b. else a 年度 in a header: the title, subtitle or footer, or a line that is the
      programme's title (令和3年度 市町村伴走支援事業 報告書). A header can be a
      template left from another year, so the dates win over it.
   A 年度 in a bullet (令和5年度までの見込み, R5年度から) is a year the report talks
   about, never its own, and is not read;
3. the file name (r03_…, R4, 2022, 令和4年度), then the folders it is in.

When a weaker source names another year, the stronger one is kept and a warning says
so; when nothing names one, the year stays empty with a warning: it is never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pipeline.core import era
from pipeline.core.normalize import compact, nfkc
from pipeline.core.records import Block, Document, FiscalYear

BATCH_FILE, TEXT, FILENAME = "batch.yaml", "text", "filename"  # fiscal_year_source

# A session's date: the key of a 基本情報 line (compacted, so ： is :)
_SESSION_KEY = re.compile(r"(?:日時|開催日時?|実施日時?|日程|日付)[:]?")
_HEADER_KINDS = ("title", "subtitle", "footer")
# After a 年度, words that make it a time the text talks about: until, from, during, the
# end of, the plan for … (令和5年度までに, R5年度から, 令和6年度中, 年度末)
_RELATIVE = re.compile(
    r"まで|から|以降|以前|以内|中(?!間)|末|内(?!容)|当初|に|へ|の(?:見込|目標|予定|計画)"
)
_BULLETS = "•・◆◇○●⚫➢-－※✓"  # a header line starting with one is a bullet after all
# What may follow the 年度 in a line that is the programme's or the report's title, with
# the page number an extractor put after a footer (市町村伴走支援事業 報告書 2)
_PROGRAMME = re.compile(r"[)】」\]]?(?:市町村)?(?:伴走)?支援(?:事業)?(?:報告書?|実施報告)?\d*")
# the day after a year and month (令和3年8月 26日); a numeric date (2022/8/26) is whole
_FULL_DATE = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})日|(?<=\d)")
_RANGE = "~-・、,"  # 令和3~4年度, 2021・2022年度: several years, not one
_LINE_MAX = 40  # characters of a line quoted in a warning


@dataclass
class _Clues:
    """The fiscal years one municipality's part of a report names, with the words."""

    dates: dict[int, str] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)


def read_text_years(
    document: Document, blocks: list[Block]
) -> tuple[dict[str, FiscalYear], list[str]]:
    """The fiscal year of each municipality's part of the report (by municipality, "" for
    blocks without one), as far as its text says, and warnings where the text contradicts
    itself."""
    municipalities = list(dict.fromkeys(b.municipality for b in blocks)) or [""]
    clues = {m: _Clues() for m in municipalities}
    on_page: dict[int, set[str]] = {}
    for block in blocks:
        for page in {block.page, *(line.page for line in block.lines)}:
            on_page.setdefault(page, set()).add(block.municipality)
        for line in block.lines:
            for year in _session_dates(line.text, block.block == "基本情報"):
                clues[block.municipality].dates.setdefault(year, _quote(line.text))
    for page in document.pages:
        # a header belongs to the municipalities on its page; a page without blocks (a
        # cover) to all of them
        owners = on_page.get(page.number) or municipalities
        for region in page.regions:
            header = region.kind in _HEADER_KINDS
            for line in region.lines:
                for year in _header_years(line.text, header):
                    for m in owners:
                        clues[m].headers.setdefault(year, _quote(line.text))
    years: dict[str, FiscalYear] = {}
    warnings: list[str] = []
    for m, found in clues.items():
        where = f" ({m})" if m else ""
        year = _one(found.dates, "session dates", where, warnings)
        header = _one(found.headers, "headers", where, warnings)
        if year is not None and header is not None and year.year != header.year:
            warnings.append(
                f"fiscal year{where}: the session dates say {era.label(year.year)} "
                f"({year.evidence}), a header {era.label(header.year)} ({header.evidence}); "
                "the dates are taken"
            )
        chosen = year or header
        if chosen is not None:
            years[m] = chosen
    return years, warnings


def _session_dates(text: str, in_basic_information: bool) -> list[int]:
    """Fiscal years of the dates a line gives as a session's (日時：…); in 基本情報 a line
    may also start with the date itself, its key in a cell of its own."""
    key = compact(text)
    found = [
        d.year
        for m in _SESSION_KEY.finditer(key)
        for d in era.dates(key, m.end())[:1]
        if d.start == m.end()
    ]
    if not found and in_basic_information:
        first = era.dates(key)[:1]
        if first and first[0].start == 0 and _FULL_DATE.match(key, first[0].end):
            found = [first[0].year]
    return found


def _header_years(text: str, header: bool) -> list[int]:
    """The fiscal years a line names as its report's: in a header region any 年度 that is
    not a time the text talks about; elsewhere only in a line that is the programme's
    title. Never in a bullet."""
    key = compact(text)
    if not key or key[0] in _BULLETS:
        return []
    if not header and unicodedata.category(key[0]) in ("Po", "Pd", "So", "Sm"):
        return []  # a bullet of any glyph (•, ・, ◆, ○, ➢, ■, -) or a summary line (⚫)
    years = []
    for found in era.fiscal_years(key):
        before, after = key[: found.start][-1:], key[found.end :]
        if before and before in _RANGE or after[:1] and after[0] in _RANGE:
            continue
        if header and not _RELATIVE.match(after):
            years.append(found.year)
        elif not header and _PROGRAMME.fullmatch(after) and ("支援" in after or "報告" in after):
            years.append(found.year)
    return years


def _one(found: dict[int, str], what: str, where: str, warnings: list[str]) -> FiscalYear | None:
    if not found:
        return None
    if len(found) > 1:
        named = ", ".join(f"{era.label(y)} ({text})" for y, text in sorted(found.items()))
        warnings.append(f"fiscal year{where}: the {what} name several years, not used: {named}")
        return None
    (year, text), *_ = found.items()
    return FiscalYear(year, TEXT, text)


def _quote(text: str) -> str:
    text = " ".join(nfkc(text).split())
    return text if len(text) <= _LINE_MAX else text[: _LINE_MAX - 1] + "…"


# --- the file name ---------------------------------------------------------------------------

# r03_aobano, R4, h30 (a letter and a number standing alone), 令和4, 平成30 (no 年度)
_ERA_TOKEN = re.compile(r"(?<![a-z0-9])([rh])(\d{1,2})(?![a-z0-9])|(令和|平成)(元|\d{1,2})(?!\d)")
_DIGITS = re.compile(r"\d+")


def read_filename_year(source: str) -> tuple[FiscalYear | None, list[str]]:
    """The fiscal year a file's name gives, else the nearest folder's that gives one
    (`source`: the path relative to the batch); a name with two different years gives
    none, with a warning."""
    path = PurePosixPath(source)
    for part in [path.name, *reversed(path.parent.parts)]:
        years = _name_years(part.removesuffix(path.suffix) if part == path.name else part)
        if len(years) == 1:
            return FiscalYear(years.pop(), FILENAME, part), []
        if len(years) > 1:
            named = ", ".join(era.label(y) for y in sorted(years))
            return None, [f"fiscal year: the name {part!r} gives several, not used: {named}"]
    return None, []


def _name_years(part: str) -> set[int]:
    text = nfkc(part).lower()
    years: set[int] = set()
    used = [False] * len(text)

    def take(start: int, end: int, year: int | None) -> None:
        if year is not None and not any(used[start:end]):
            years.add(year)
            used[start:end] = [True] * (end - start)

    for found in era.fiscal_years(text):  # 令和4年度, r4年度, 2022年度 (no spaces in names)
        take(found.start, found.end, found.year)
    for found in era.dates(text):  # 2023年1月, 2023-01-31
        take(found.start, found.end, found.year)
    for m in _ERA_TOKEN.finditer(text):
        name, n = (m[1].upper(), m[2]) if m[1] else (m[3], m[4])
        take(m.start(), m.end(), era.western(name, n))
    for m in _DIGITS.finditer(text):
        digits = m[0]
        if len(digits) == 4:  # 2022: a year alone names the fiscal year
            take(m.start(), m.end(), era.parse_fiscal_year(int(digits)))
        elif len(digits) == 8:  # 20230131: a date
            take(m.start(), m.end(), era.fiscal_year_of(int(digits[:4]), int(digits[4:6])))
    return years


# --- the decision ----------------------------------------------------------------------------


@dataclass
class Dating:
    """A document's fiscal year and its source (None and "" when unknown), the year of
    each municipality's blocks and items, and the warnings of the decision."""

    year: int | None
    source: str
    by_municipality: dict[str, int | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def of(self, municipality: str) -> int | None:
        return self.by_municipality.get(municipality, self.year)


def resolve(
    stated: FiscalYear | None,
    text: dict[str, FiscalYear],
    named: FiscalYear | None,
    municipalities: Iterable[str] = (),
) -> Dating:
    """The fiscal year by the order of the module docstring: `stated` (batch.yaml), the
    `text` years by municipality, the file's `named` year."""
    municipalities = list(dict.fromkeys([*municipalities, *text]))
    if stated is not None:
        dating = Dating(stated.year, BATCH_FILE)
        _disagree(dating, [*text.items(), ("", named)], f"batch.yaml says {era.label(stated.year)}")
        return dating
    years = {found.year for found in text.values()}
    if len(years) == 1:
        year = years.pop()
        dating = Dating(year, TEXT)
        _disagree(dating, [("", named)], f"the text says {era.label(year)}")
        return dating
    if years:  # a file of several municipalities whose reports are of different years
        parts = ", ".join(f"{m or '?'} {era.label(f.year)}" for m, f in text.items())
        dating = Dating(None, "", {m: text[m].year if m in text else None for m in municipalities})
        dating.warnings.append(
            f"fiscal year: its municipalities' reports are of different years ({parts}): "
            "documents.csv leaves it empty, blocks.csv and items.csv give each one's"
        )
        missing = [m for m in municipalities if m not in text]
        if missing:
            dating.warnings.append(f"fiscal year unknown for {', '.join(missing)}: {_NONE}")
        return dating
    if named is not None:
        return Dating(named.year, FILENAME)
    return Dating(None, "", warnings=[f"fiscal year unknown: {_NONE}"])


_NONE = (
    "no session date (日時) or 年度 in its headers, no year in its file name; state it in "
    "a batch.yaml beside the files (fiscal_year: 2022)"
)


def _disagree(dating: Dating, others: list[tuple[str, FiscalYear | None]], kept: str) -> None:
    for municipality, found in others:
        if found is not None and found.year != dating.year:
            where = f" ({municipality})" if municipality else ""
            said = "the file name" if found.source == FILENAME else f"the text{where}"
            dating.warnings.append(
                f"fiscal year: {kept}, {said} {era.label(found.year)} ({found.evidence}); "
                f"{era.label(dating.year)} is taken"
            )
