"""Blocks → Items: one item per bullet, its wrapped lines joined.

A line that starts with a bullet glyph or a numbering starts an item; so does a line
such as 日時：… (configs/blocks.yaml `item_starts`). Any other line continues the item
above it, because PowerPoint draws each wrapped line of a bullet on its own. Sub-headings
(支援1回目, 【X市の到達点】) are not items: they become the context of the items below.
A glyph's level comes from the config; a level-1 glyph indented further than the
block's first bullets is a sub-bullet too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import BlockConfig
from ..normalize import compact, join_wrapped, nfkc
from ..records import Block, Item, Line


@dataclass
class _Draft:
    level: int
    context: str
    page: int
    parts: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)


def itemize(block: Block, config: BlockConfig) -> list[Item]:
    drafts = _drafts(block.lines, config)
    items: list[Item] = []
    parents: dict[int, str] = {}
    for n, draft in enumerate(drafts, start=1):
        text = join_wrapped(draft.parts)
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


def _drafts(lines: list[Line], config: BlockConfig) -> list[_Draft]:
    drafts: list[_Draft] = []
    context = ""
    first_glyph_x: float | None = None
    for line in lines:
        stripped = line.text.strip()
        if not stripped:
            continue
        if any(p.fullmatch(compact(stripped)) for p in config.subheadings):
            context = compact(stripped)
            continue
        glyph, level, rest = _leading_bullet(stripped, config)
        if (
            glyph in config.inline_glyphs
            and drafts
            and first_glyph_x is not None
            and line.bbox.x0 > first_glyph_x + 0.5 * max(line.size, 1.0)
        ):
            glyph = ""  # 2020→ / 30年: a wrapped line that happens to start with →
        if glyph:
            if first_glyph_x is None:
                first_glyph_x = line.bbox.x0
            elif level == 1 and line.bbox.x0 > first_glyph_x + 0.8 * max(line.size, 1.0):
                level = 2  # the same glyph, indented: a sub-bullet
            drafts.append(_Draft(level, context, line.page, [rest], [stripped]))
        elif any(p.match(nfkc(stripped)) for p in config.item_starts) or not drafts:
            drafts.append(_Draft(1, context, line.page, [stripped], [stripped]))
        else:
            drafts[-1].parts.append(stripped)
            drafts[-1].raw.append(stripped)
    return drafts


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
