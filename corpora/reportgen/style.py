"""How a report page looks: page sizes, font sizes, spacing, colours, bullets.

Every number here shapes the PDFs, so the committed sample changes with any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class GenerateError(Exception):
    """A problem in the sources, the manifest or the layout, reported in one line."""


LEVEL1_BULLETS = ("•", "・", "○", "◆")
LEVEL2_BULLET = "➢"
SUMMARY_BULLET = "⚫"


PAGE_KINDS = ("wide", "a4")
LABEL_WIDTHS = ("narrow", "medium")


MIN_FONT = 7.0  # shrink-on-overflow stops here; below it the layout is an error
FONT_STEP = 0.5
LINE_HEIGHT = 1.22  # line pitch, in em
PARA_GAP = 0.30  # extra space between bullets, in em
SUB_GAP = 0.55  # extra space before a sub-heading, in em
GLYPH_INDENT = 1.15  # bullet text starts this far right of its glyph, in em
LEVEL2_INDENT = 1.3  # a ➢ glyph sits this far right of a level-1 glyph, in em
ASCENT = 0.88  # baseline below the top of a line, in em
CELL_PAD_X = 6.0
CELL_PAD_Y = 5.0
LABEL_PAD_X = 5.0
MAX_STRETCH = 1.45  # rows grow at most this much beyond their content to fill the slide

INK = (0.13, 0.13, 0.13)
NAVY = (0.11, 0.23, 0.45)
BLUE = (0.22, 0.40, 0.66)
PALE = (0.86, 0.90, 0.96)
ACCENT = (0.93, 0.55, 0.15)
RULE = (0.45, 0.45, 0.45)
WHITE = (1.0, 1.0, 1.0)


@dataclass(frozen=True)
class PageStyle:
    width: float
    height: float
    margin: float
    title_h: float
    title_size: float
    subtitle_size: float
    content_top: float
    footer_rule: float
    situation_size: float  # base font of slide 1's table
    overview_size: float  # base font of slide 2's table
    box_size: float  # base font of slide 3's boxes
    summary_size: float
    head_size: float  # table header row / box header band
    label_size: dict[str, float] = field(default_factory=dict)

    @property
    def content_bottom(self) -> float:
        return self.footer_rule - 8

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin


PAGE_STYLES = {
    # 16:9, 338.7 x 190.5 mm as PowerPoint exports it
    "wide": PageStyle(
        width=960,
        height=540,
        margin=28,
        title_h=56,
        title_size=24,
        subtitle_size=14,
        content_top=92,
        footer_rule=512,
        situation_size=18,
        overview_size=12,
        box_size=14,
        summary_size=15,
        head_size=13,
        label_size={"narrow": 16, "medium": 14},
    ),
    # A4 portrait slides
    "a4": PageStyle(
        width=595.28,
        height=841.89,
        margin=24,
        title_h=52,
        title_size=20,
        subtitle_size=11,
        content_top=84,
        footer_rule=812,
        situation_size=13,
        overview_size=10,
        box_size=12,
        summary_size=12,
        head_size=11,
        label_size={"narrow": 14, "medium": 12},
    ),
}


@dataclass(frozen=True)
class LabelMetrics:
    """Font sizes and width of the label column.

    narrow: the inner width holds one character of the label font, so 基本情報 stacks one
    character per line.  Long labels (目指す姿・取り組みたいこと) are set smaller by the
    author, which gives 3-4 characters per line.
    """

    size: float
    long_size: float
    inner: float

    @property
    def column(self) -> float:
        return self.inner + 2 * LABEL_PAD_X

    def size_for(self, label: str) -> float:
        return self.size if len(label) <= 4 else self.long_size


def label_metrics(style: PageStyle, label_width: str) -> LabelMetrics:
    size = style.label_size[label_width]
    if label_width == "narrow":
        inner = size * 1.85  # < 2 em: one character per line
        return LabelMetrics(size, round(inner / 3.45, 2), inner)
    inner = size * 3.3  # 3 characters per line
    return LabelMetrics(size, round(inner / 4.05, 2), inner)
