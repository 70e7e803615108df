"""What a line names, after NFKC and removal of whitespace (configs/blocks.yaml): a block
label (現状, 課題意識, …), a slide's or a part's title, a session header (第1回). One module
so the readers of regions (blocks.py) and of text (naive_text.py, stream.py) ask alike."""

from __future__ import annotations

import re

from pipeline.config.settings import BlockConfig
from pipeline.core.normalize import compact

_CONTINUED = re.compile(r"[（(]続き[）)]$")


def match_label(text: str, config: BlockConfig) -> str | None:
    """The canonical block a label's text names, or None."""
    key = compact(text)
    if not key or len(key) > config.label_max_chars:
        return None
    # a row continued on the next slide: its label and (続き), whatever the label's words
    key = _CONTINUED.sub("", key) or key
    for wording, block in config.wordings:
        if key == (_CONTINUED.sub("", wording) or wording):
            return block
    # 伴走支援前の状況 is worded like a label (…の状況) but names the slide
    if any(p.fullmatch(key) for p in config.titles):
        return None
    for rule in config.rules:
        if any(p.fullmatch(key) for p in rule.patterns):
            return rule.block
    return None


def is_title(text: str, config: BlockConfig) -> bool:
    """A slide's or a report's part title (伴走支援前の状況, 実施概要, …), configs/blocks.yaml."""
    key = compact(text)
    return bool(key) and any(p.fullmatch(key) for p in config.titles)


def subheading_kind(text: str, config: BlockConfig) -> str:
    """A sub-heading's kind (支援1回目 → 支援#回目, 【A町の到達点】), or "" for any other line."""
    key = compact(text)
    if not any(p.fullmatch(key) for p in config.subheadings):
        return ""
    return re.sub(r"[0-9０-９]+", "#", key)


_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")


def _arabic(key: str) -> str:
    """Kanji numerals as digits (第三回 → 第3回, 第十二回 → 第12回): session headers are
    written either way, and the patterns count in digits."""
    key = re.sub(
        "([一二三四五六七八九]?)十([一二三四五六七八九]?)",
        lambda m: f"{m.group(1) or '一'}{m.group(2) or '〇'}",
        key,
    )
    return key.translate(_KANJI_DIGITS)


def match_session(text: str, config: BlockConfig) -> int | None:
    key = compact(text)
    for wording, number in config.session_wordings:
        if key == wording:
            return number
    key = _arabic(key)
    for pattern in config.session_headers:
        found = pattern.fullmatch(key)
        if found:
            return int(found.group(1))
    return None


def session_numbers(text: str, config: BlockConfig) -> tuple[int, ...]:
    """第1回 (or 第 1 回 第 2 回 第 3 回 on one line) → its session numbers."""
    if config.session_wordings:
        found = _worded_sessions(compact(text), config)
        if found:
            return found
    key = _arabic(compact(text))
    for pattern in config.session_headers:
        if re.fullmatch(f"(?:{pattern.pattern})+", key):
            return tuple(int(m.group(1)) for m in pattern.finditer(key))
    return ()


def _worded_sessions(key: str, config: BlockConfig) -> tuple[int, ...]:
    """A line of a document's own session headers (7月12日 10月4日 …), one after another."""
    numbers: list[int] = []
    while key:
        for wording, number in config.session_wordings:
            if key.startswith(wording):
                numbers.append(number)
                key = key[len(wording) :]
                break
        else:
            return ()
    return tuple(numbers)
