"""How one office-made document looks: the `style:` of a manifest entry (docs/corpus.md).

Every key has a default, so a manifest names only what differs; an unknown key or value
is an error that names the document and the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .measure import FONT_FILES


class OfficeError(Exception):
    """A problem in the office manifest, a source or a layout, reported in one line."""


@dataclass(frozen=True)
class Bullets:
    """Level-1 and level-2 bullets: paragraph-formatted (a:buChar in `font`) or typed."""

    char: str = "•"
    font: str | None = "Arial"  # None: the paragraph's own font (the text font)
    sub_char: str = "➢"
    sub_font: str | None = None
    typed: bool = False  # the glyph is typed as the first character of the text
    hanging: bool = False  # typed: continuation lines indented under the text
    gap: str = " "  # typed: what stands between the glyph and the text
    color: tuple | None = None


@dataclass(frozen=True)
class DeckStyle:
    font: str = "Noto Sans CJK JP"
    title_size: float = 24.0
    subtitle_size: float = 14.0
    body_size: float = 14.0  # slide 1's cells (shrunk until the slide holds them)
    overview_size: float = 11.0
    box_size: float = 12.0
    summary_size: float = 13.0
    head_size: float = 12.0
    label_size: float = 14.0
    label_width: str = "narrow"  # narrow: one character of the label per line | medium | wide
    labels: dict = field(default_factory=dict)  # block → label as written (現状: 現在の状況)
    session_word: str = "第{n}回"  # a session's column header: {n} 1, {N} full-width １
    bullets: Bullets = field(default_factory=Bullets)
    hang: float = 1.1  # em between a bullet glyph and its text
    level_indent: float = 1.3  # em a level-2 bullet sits right of a level-1 one
    para_space: float = 0.0  # points before each paragraph but the first
    row_slack: float = 0.6  # em added to every row beyond its text
    label_fill: tuple = (0xDC, 0xE6, 0xF5)
    table_rules: bool = True
    rule_color: tuple = (0x80, 0x80, 0x80)
    title_band: bool = False
    footer: str = ""
    page_numbers: str = ""  # "" | plain | dashed
    boxes: str = "tables"  # tables | outlined | borderless | grid
    box_order: str = "heading_first"  # heading_first | interleaved
    box_weights: tuple = (1.0, 1.0, 1.0)
    same_box_size: bool = False
    continued: bool = False
    mid_bullet: bool = False


@dataclass(frozen=True)
class ReportStyle:
    """An A4 report written in Word (python-docx) and exported by LibreOffice Writer."""

    font: str = "IPAexMincho"
    heading_font: str = "IPAexGothic"
    size: float = 10.5
    table_size: float = 9.0
    situation: str = "table"  # table (label | bullets) | headings (a heading, then a list)
    results: str = "headings"  # headings | table (three columns)
    bullets: str = "list"  # list (Word numbering) | typed
    bullet_char: str = "・"
    bullet_font: str | None = None  # None: the text font
    sub_char: str = "➢"
    sub_font: str | None = None
    labels: dict = field(default_factory=dict)
    session_word: str = "第{n}回"
    header: str = ""
    page_numbers: bool = True
    page_breaks: bool = True  # each of the three parts starts a page


_CHOICES = {
    "DeckStyle": {
        "label_width": ("narrow", "medium", "wide"),
        "page_numbers": ("", "plain", "dashed"),
        "boxes": ("tables", "outlined", "borderless", "grid"),
        "box_order": ("heading_first", "interleaved"),
    },
    "ReportStyle": {
        "situation": ("table", "headings"),
        "results": ("headings", "table"),
        "bullets": ("list", "typed"),
        "page_numbers": (True, False),
        "page_breaks": (True, False),
    },
}
# blocks whose label, row heading or box heading a style may word its own way; the
# others are written as the source has them
_LABELS = (
    "現状",
    "目指す姿",
    "課題意識",
    "基本情報",
    "実施内容",
    "支援体制",
    "アセスメント結果",
    "到達点",
    "支援内容",
)


def _coerce(cls, data: dict, where: str):
    if not isinstance(data, dict):
        raise OfficeError(f"{where}: expected a mapping")
    known = {f.name: f for f in fields(cls)}
    choices = _CHOICES.get(cls.__name__, {})
    values = {}
    for key, value in data.items():
        if key not in known:
            raise OfficeError(f"{where}: unknown key {key!r} (known: {', '.join(known)})")
        if key == "bullets" and cls is DeckStyle:
            value = _coerce(Bullets, value, f"{where}.bullets")
        elif key in ("label_fill", "rule_color", "color", "box_weights") and value is not None:
            value = tuple(value)
        elif key in choices and value not in choices[key]:
            raise OfficeError(f"{where}.{key}: {value!r} is not one of {choices[key]}")
        elif key == "labels":
            bad = [k for k in value if k not in _LABELS]
            if bad:
                raise OfficeError(f"{where}.labels: {bad[0]!r} is not one of {_LABELS}")
        elif key == "session_word" and "{n}" not in value and "{N}" not in value:
            raise OfficeError(f"{where}.session_word: {value!r} has neither {{n}} nor {{N}}")
        values[key] = value
    style = cls(**values)
    for attr in ("font", "heading_font") if cls is not Bullets else ():
        family = getattr(style, attr, None)
        if family is not None and family not in FONT_FILES:
            raise OfficeError(f"{where}.{attr}: {family!r} is not one of {', '.join(FONT_FILES)}")
    return style


def fullwidth(n: int) -> str:
    return "".join(chr(ord("０") + int(d)) for d in str(n))


def session_header(word: str, n: int) -> str:
    """A session's column header: `{n}` is the number in ASCII digits, `{N}` in full-width
    ones (第{N}回 → 第１回)."""
    return word.format(n=n, N=fullwidth(n))


def deck_style(data: dict | None, where: str) -> DeckStyle:
    return _coerce(DeckStyle, data or {}, where)


def report_style(data: dict | None, where: str) -> ReportStyle:
    return _coerce(ReportStyle, data or {}, where)
