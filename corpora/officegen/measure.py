"""Text measurement, to size table rows and text boxes the way LibreOffice will draw them.

python-pptx row heights are minimums that LibreOffice's PDF export does not grow: text that
does not fit overprints the next row. So every row is sized from its text: the text is
wrapped here with the font LibreOffice will use (Pillow reads the same font files), by
measured width, keeping Latin words whole and applying the common kinsoku rules, as
LibreOffice does. Line pitch is 1.2 em for every font here (measured on LibreOffice 7.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

LINE_PITCH = 1.2  # em, in text boxes and shapes
# In table cells LibreOffice draws lines at the font's own ascent + descent, but grows a row
# to 1.2 em a line when that is more: a row needs the larger of the two.
TABLE_PITCH = {
    "Noto Sans CJK JP": 1.45,
    "Noto Serif CJK JP": 1.442,
    "IPAexGothic": 1.0,
    "IPAexMincho": 1.0,
}
# a cell's and a text box's default insets: 0.1 inch left/right, 0.05 inch top/bottom
INSET_X = 7.2
INSET_Y = 3.6

# The families the corpus uses, and where Debian's fonts-noto-cjk / fonts-ipaexfont put them.
FONT_FILES = {
    "Noto Sans CJK JP": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    "Noto Serif CJK JP": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 0),
    "IPAexGothic": ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", 0),
    "IPAexMincho": ("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf", 0),
}
BOLD_FILES = {
    "Noto Sans CJK JP": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 0),
    "Noto Serif CJK JP": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 0),
}

# Kinsoku: these may not start a line, these may not end one.
NO_LINE_START = set(
    "、。，．,.）)」』】〕〉》］｝！？!?：；:;・ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ％%"
)
NO_LINE_END = set("（(「『【〔〈《［｛")
_UNIT = 100  # measure at 100 px and scale: Pillow rounds widths to whole pixels


class MeasureError(Exception):
    """A font the corpus names is not installed (Debian: fonts-noto-cjk, fonts-ipaexfont)."""


@cache
def _font(family: str, bold: bool) -> ImageFont.FreeTypeFont:
    table = BOLD_FILES if bold and family in BOLD_FILES else FONT_FILES
    if family not in table:
        raise MeasureError(f"unknown font family {family!r}: use one of {', '.join(FONT_FILES)}")
    path, index = table[family]
    if not Path(path).exists():
        raise MeasureError(
            f"{path} is missing: install Debian's fonts-noto-cjk and fonts-ipaexfont"
        )
    return ImageFont.truetype(path, _UNIT, index=index)


@cache
def char_width(ch: str, family: str, bold: bool = False) -> float:
    """Advance width of one character, in em."""
    return _font(family, bold).getlength(ch) / _UNIT


# LibreOffice's "space between Asian and non-Asian text" (on by default): about 0.3 em
# between a Japanese character and a Latin letter or digit next to it (measured).
AUTOSPACE = 0.3


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _spaced(a: str, b: str) -> bool:
    return (_latin(a) and ord(b) >= 0x2E80) or (ord(a) >= 0x2E80 and _latin(b))


def width(text: str, size: float, family: str, bold: bool = False) -> float:
    total = sum(char_width(ch, family, bold) for ch in text)
    total += AUTOSPACE * sum(1 for a, b in zip(text, text[1:], strict=False) if _spaced(a, b))
    return total * size


def _is_word(ch: str) -> bool:
    return "!" <= ch <= "~"


@dataclass(frozen=True)
class Font:
    family: str
    size: float
    bold: bool = False

    def width(self, text: str) -> float:
        return width(text, self.size, self.family, self.bold)

    @property
    def pitch(self) -> float:
        return LINE_PITCH * self.size

    @property
    def table_pitch(self) -> float:
        return max(LINE_PITCH, TABLE_PITCH[self.family]) * self.size


def wrap(text: str, available: float, font: Font) -> list[str]:
    """The lines LibreOffice draws for one paragraph in a frame `available` points wide."""
    lines: list[str] = []
    pos = 0
    while pos < len(text):
        used, end = 0.0, pos
        while end < len(text):
            w = char_width(text[end], font.family, font.bold) * font.size
            if end > pos and _spaced(text[end - 1], text[end]):
                w += AUTOSPACE * font.size
            if end > pos and used + w > available + 1e-6:
                break
            used += w
            end += 1
        if end < len(text):
            end = _adjust(text, pos, end, available, font)
        lines.append(text[pos:end].rstrip(" "))
        pos = end
        while pos < len(text) and text[pos] == " ":
            pos += 1
    return lines or [""]


def _adjust(text: str, start: int, end: int, available: float, font: Font) -> int:
    greedy = end
    for _ in range(12):
        before, after = text[end - 1], text[end]
        if before == " " or after == " ":
            return end
        if _is_word(before) and _is_word(after):
            word_start = end - 1
            while word_start > start and _is_word(text[word_start - 1]):
                word_start -= 1
            if word_start == start:
                return end
            end = word_start
        elif after in NO_LINE_START or before in NO_LINE_END:
            end -= 1
        else:
            return end
        if end <= start:
            return greedy
    return greedy


def lines_needed(text: str, available: float, font: Font) -> int:
    return len(wrap(text, available, font))
