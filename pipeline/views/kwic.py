"""Keyword in context over a batch's items, matched by lemma.

An item matches when the word is one of its lemmas (items.csv `lemmas`, written by the
analyze stage), or a run of consecutive lemmas spells it (生活支援 = 生活 + 支援). So 連携
finds 連携し and 連携できて, and 分かれる finds 分かれ. The position in the text is then
found by the longest prefix of the word that occurs there (the inflected stem).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from pipeline.views.outputs import in_blocks

KWIC_COLUMNS = [
    "left", "keyword", "right", "municipality", "block", "page", "source", "item_id",
]  # fmt: skip
_HIRAGANA = re.compile(r"[\u3041-\u309f]")


def normalize(word: str) -> str:
    return unicodedata.normalize("NFKC", word).strip().lower()


def lemma_match(lemmas: list[str], word: str) -> bool:
    """The word is a lemma, or consecutive lemmas joined without space spell it."""
    lowered = [lemma.lower() for lemma in lemmas]
    if word in lowered:
        return True
    for start in range(len(lowered)):
        joined = ""
        for lemma in lowered[start:]:
            joined += lemma
            if joined == word:
                return True
            if len(joined) >= len(word) or not word.startswith(joined):
                break
    return False


def _stem(word: str, text: str) -> str:
    """The longest prefix of `word` found in `text` (the stem of an inflected lemma)."""
    lowered = text.lower()
    for end in range(len(word), 0, -1):
        if word[:end] in lowered:
            return word[:end]
    return ""


def find_spans(text: str, word: str) -> list[tuple[int, int]]:
    """Spans of the word's surface forms in `text` (stem + the rest of its okurigana)."""
    stem = _stem(word, text)
    if not stem or (len(stem) < len(word) and len(stem) < max(1, len(word) - 2)):
        return []
    spans = []
    lowered = text.lower()
    for match in re.finditer(re.escape(stem), lowered):
        end = match.end()
        # A verb's or adjective's stem keeps its inflected ending (分かれ|る → 分かれ|た).
        missing = len(word) - len(stem)
        while end < len(text) and end - match.end() < missing and _HIRAGANA.match(text[end]):
            end += 1
        spans.append((match.start(), end))
    return spans


def kwic(
    items: pd.DataFrame,
    word: str,
    block: str | None = None,
    municipality: str | None = None,
    width: int = 20,
) -> pd.DataFrame:
    """One row per occurrence: left context, keyword, right context, and where it is.

    A word typed inflected (連携し) that no lemma matches is retried without its
    trailing kana (連携).
    """
    subset = in_blocks(items, block)
    if municipality:
        subset = subset[subset["municipality"] == municipality]
    target = normalize(word)
    lines = _lines(subset, target, width)
    stem = re.sub(r"[\u3041-\u309f]+$", "", target)
    if lines.empty and stem != target and len(stem) >= 2:
        lines = _lines(subset, stem, width)
    return lines


def _lines(items: pd.DataFrame, target: str, width: int) -> pd.DataFrame:
    rows = []
    for item in items.itertuples(index=False):
        lemmas = str(getattr(item, "lemmas", "")).split()
        text = str(item.text)
        if not lemma_match(lemmas, target):
            continue
        spans = find_spans(text, target) or [(0, 0)]  # lemma without surface: whole text
        for start, end in spans:
            rows.append(
                {
                    "left": text[max(0, start - width) : start],
                    "keyword": text[start:end],
                    "right": text[end : end + width],
                    "municipality": item.municipality,
                    "block": item.block,
                    "page": item.page,
                    "source": getattr(item, "source", ""),
                    "item_id": item.item_id,
                }
            )
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


def display_width(text: str) -> int:
    """Columns a terminal gives the text: full-width (Japanese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad_left(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def _pad_right(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def format_kwic(lines: pd.DataFrame, width: int = 20) -> str:
    """Aligned KWIC lines: the keywords stand in one column, as in a concordancer."""
    if lines.empty:
        return ""
    columns = 2 * width
    out = []
    for row in lines.itertuples(index=False):
        where = f"{row.municipality} / {row.block} / p.{row.page}"
        out.append(
            f"{_pad_left(row.left, columns)} 【{row.keyword}】 {_pad_right(row.right, columns)}  {where}"
        )
    return "\n".join(out)
