"""Blocks → Items: one item per bullet, its wrapped lines joined.

A line that starts with a bullet glyph or a numbering starts an item; so does a line
such as 日時：… (configs/blocks.yaml `item_starts`). Any other line continues the item
above it, because PowerPoint draws each wrapped line of a bullet on its own. Sub-headings
(支援1回目, 【X市の到達点】) are not items: they become the context of the items below.
A glyph's level comes from the config; a level-1 glyph indented further than the
block's first bullets is a sub-bullet too. Where the file says where its paragraphs start
(.pptx, .docx), a paragraph without a bullet is an item of its own, unless it stands under
the text of the bullets above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.config.settings import BlockConfig
from pipeline.core.normalize import compact, join_wrapped, nfkc
from pipeline.core.records import Block, Item, Line
from pipeline.stages.segment.labels import subheading_kind


@dataclass
class _Draft:
    level: int
    context: str
    page: int
    parts: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


# A line ran to its cell's edge (it wrapped) when it ends this close to it: a few
# characters (kinsoku pushes one down, a Latin word wraps whole) and a cell's padding.
_FULL_EM = 2.2
_FULL_PAD = 8.0


def itemize(block: Block, config: BlockConfig) -> list[Item]:
    drafts = _drafts(block, config)
    items: list[Item] = []
    parents: dict[int, str] = {}
    for n, draft in enumerate(drafts, start=1):
        text = join_wrapped([middle_dots(part, config) for part in draft.parts])
        if not compact(text):
            continue
        item_id = f"{block.block_id}-i{n:03d}"
        parents[draft.level] = item_id
        items.append(
            Item(
                item_id=item_id,
                block_id=block.block_id,
                doc_id=block.doc_id,
                source=block.source,
                municipality=block.municipality,
                page=draft.page,
                block=block.block,
                session=block.session,
                level=draft.level,
                parent_id=parents.get(draft.level - 1, "") if draft.level > 1 else "",
                context=draft.context,
                text=nfkc(text),
                text_raw="\n".join(draft.raw),
            )
        )
    return items


def middle_dots(text: str, config: BlockConfig) -> str:
    """A bullet-like glyph inside a line, between two characters, is the katakana middle
    dot: a PDF's Unicode map may give ・ and the bullet • the same character (包括•SC)."""
    if not config.middle_dots:
        return text
    out = list(text)
    for i in range(1, len(text) - 1):
        if (
            text[i] in config.middle_dots
            and not text[i - 1].isspace()
            and not text[i + 1].isspace()
        ):
            out[i] = "・"
    return "".join(out)


def _drafts(block: Block, config: BlockConfig) -> list[_Draft]:
    lines = block.lines
    layout = _Layout.of(block, config)
    drafts: list[_Draft] = []
    context = ""
    first_glyph_x: float | None = None
    for line in lines:
        stripped = line.text.strip()
        if not stripped:
            continue
        if subheading_kind(stripped, config):
            context = compact(stripped)
            continue
        glyph, level, rest = _leading_bullet(stripped, config)
        if (
            (glyph in config.inline_glyphs or glyph in config.middle_dots)
            and not line.paragraph  # a paragraph's first line is never a wrapped one
            and drafts
            and layout.wrapped_glyph(line, stripped, drafts[-1])
        ):
            glyph = ""  # 2020→ / 包括・SC: a wrapped line that happens to start with → or ・
            stripped = middle_dots(f"x{stripped}", config)[1:]
        if glyph:
            if first_glyph_x is None:
                first_glyph_x = line.bbox.x0
            elif level == 1 and line.bbox.x0 > first_glyph_x + 0.8 * max(line.size, 1.0):
                level = 2  # the same glyph, indented: a sub-bullet
            drafts.append(_Draft(level, context, line.page, [rest], [stripped], [line]))
        elif (
            any(p.match(nfkc(stripped)) for p in config.item_starts)
            or not drafts
            or (line.paragraph and not _under_text(line, first_glyph_x))
        ):
            drafts.append(_Draft(1, context, line.page, [stripped], [stripped], [line]))
        else:
            drafts[-1].parts.append(stripped)
            drafts[-1].raw.append(stripped)
            drafts[-1].lines.append(line)
    return drafts


_SENTENCE_END = re.compile(r"([。．）)」』】]|[たるいすずうだ])$")


@dataclass
class _Layout:
    """What a block's lines show of its layout, to read a line that starts with a glyph
    used inside sentences too (・ → -): a bullet of its own, or the wrapped rest of the
    item above.

    edge: where lines wrap. glyph_x: the bullets' column. indent: how far right of its
    bullet an item's wrapped lines start (0 when they start under the glyph, None when
    no line of the block shows it).
    """

    edge: float
    glyph_x: float | None
    indent: float | None
    bullets: frozenset[str]
    middle_dots: frozenset[str]

    @classmethod
    def of(cls, block: Block, config: BlockConfig) -> _Layout:
        lines = [ln for ln in block.lines if ln.text.strip()]
        edge = (
            block.right
            if block.right is not None
            else max((ln.bbox.x1 for ln in lines), default=0.0)
        )
        marked = [ln for ln in lines if ln.text.strip()[0] in config.bullets]
        glyph_x = min((ln.bbox.x0 for ln in marked), default=None)
        plain = [ln for ln in lines if _plain(ln.text.strip(), config)]
        indent = None
        if glyph_x is not None and plain:
            indent = max(0.0, min(ln.bbox.x0 for ln in plain) - glyph_x)
        return cls(edge, glyph_x, indent, frozenset(config.bullets), frozenset(config.middle_dots))

    def full(self, line: Line) -> bool:
        """Whether a line ran to the edge of its cell: it wrapped."""
        return line.bbox.x1 >= self.edge - _FULL_PAD - _FULL_EM * max(line.size, 1.0)

    def wrapped_glyph(self, line: Line, text: str, above: _Draft) -> bool:
        """A wrapped line follows a line that ran to the edge, starts where the item's
        wrapped lines start, and its glyph sticks to the text (a bullet stands apart).
        Where its position cannot tell, a glyph that starts the item above is a bullet."""
        size = max(line.size, 1.0)
        if len(text) > 1 and text[1].isspace():
            return False
        if not self.full(above.lines[-1]):
            return False  # the line above ended early: so did its item
        first = above.lines[0]
        if len(above.lines) > 1:
            expected = above.lines[1].bbox.x0
        elif self.indent is not None:
            marked = first.text.strip()[0] in self.bullets
            expected = first.bbox.x0 + (self.indent if marked else 0.0)
        else:
            expected = None
        if expected is not None:
            if abs(line.bbox.x0 - expected) > 0.3 * size:
                return False  # not where the item's wrapped lines start
            if abs(expected - first.bbox.x0) > 0.5 * size:
                return True  # wrapped lines hang under the text: this is one
        if expected is None and text[0] not in self.middle_dots:
            # no other line of the block continues an item: where the lines show no
            # wrapping (a text extractor that writes each paragraph on one line), a line
            # led by － or → is a sub-bullet, not the rest of the line above
            return False
        # where its position cannot tell: a glyph that starts the item above, in the same
        # form (followed by a space or not), is a bullet like it
        first = above.raw[0]
        if first[:1] != text[:1]:
            return True
        # a middle dot the PDF mapped to •: glued to its word, where the bullets stand apart
        return text[0] in self.middle_dots and first[1:2].isspace() and not text[1:2].isspace()


def _plain(text: str, config: BlockConfig) -> bool:
    """A line that starts no item: no glyph, no 日時： start, no sub-heading."""
    return not (
        text[0] in config.bullets
        or text[0] in config.summary_glyphs
        or any(p.match(nfkc(text)) for p in config.item_starts)
        or bool(subheading_kind(text, config))
    )


def _under_text(line: Line, first_glyph_x: float | None) -> bool:
    """A paragraph without a bullet that stands under the text of the bullets above, not
    at their glyph, continues the item above (a bullet cut where a slide ends)."""
    return first_glyph_x is not None and line.bbox.x0 > first_glyph_x + 0.5 * max(line.size, 1.0)


def _leading_bullet(text: str, config: BlockConfig) -> tuple[str, int, str]:
    """(glyph, level, text after it) when the line starts a bullet; ("", 0, text) otherwise."""
    first = text[0]
    if first in config.bullets:
        return first, config.bullets[first], text[1:].strip()
    if first in config.summary_glyphs:
        return first, 1, text[1:].strip()
    for pattern in config.numbering:
        found = pattern.match(nfkc(text))
        if found:
            # Numbering stays part of the text: (1) and ① carry meaning for readers.
            return found.group(0), 1, text
    return "", 0, text
