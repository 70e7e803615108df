"""Line breaking as PowerPoint does it: by measured width, character by character.

A break may fall mid-word in Japanese, but not inside a Latin word or number, and kinsoku
keeps closing punctuation off the start of a line and opening brackets off its end.
"""

from __future__ import annotations

from .fonts import Fonts

# Kinsoku (Japanese line breaking), applied lightly as PowerPoint does: these may not
# start a line ...
NO_LINE_START = set(
    "、。，．,.）)」』】〕〉》］｝！？!?：；:;・ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ％%"
)
# ... and these may not end one.
NO_LINE_END = set("（(「『【〔〈《［｛")


def is_word_char(ch: str) -> bool:
    """Part of a Latin word / number (SC, Zoom, 47.1%, 13:30) that should not be split."""
    return "!" <= ch <= "~"


def _greedy_end(text: str, start: int, width: float, size: float, fonts: Fonts) -> int:
    """Index after the last character that fits on a line starting at start (at least one)."""
    used = 0.0
    end = start
    while end < len(text):
        w = fonts.char_width(text[end], size)
        if end > start and used + w > width + 1e-6:
            break
        used += w
        end += 1
    return end


def _adjust_break(text: str, start: int, end: int, width: float, size: float, fonts: Fonts) -> int:
    """Move a break (between text[end-1] and text[end]) back for Latin words and kinsoku."""
    greedy = end
    for _ in range(12):
        before, after = text[end - 1], text[end]
        if before == " " or after == " ":
            return end
        if is_word_char(before) and is_word_char(after):
            # keep a Latin word whole: break before it when it fits on a line of its own
            word_start = end - 1
            while word_start > start and is_word_char(text[word_start - 1]):
                word_start -= 1
            word_end = end
            while word_end < len(text) and is_word_char(text[word_end]):
                word_end += 1
            if word_start == start or fonts.width(text[word_start:word_end], size) > width:
                return end
            new_end = word_start
        elif after in NO_LINE_START or before in NO_LINE_END:
            new_end = end - 1  # push one character down to the next line (oidashi)
        else:
            return end
        if new_end <= start:
            return greedy  # nothing would be left on the line: accept the greedy break
        end = new_end
    return greedy


def wrap(text: str, width: float, size: float, fonts: Fonts) -> list[tuple[int, int]]:
    """Wrap text into lines no wider than width; returns (start, end) offsets per line.

    Spaces at a break are not drawn (neither at the end nor the start of a line).
    """
    lines: list[tuple[int, int]] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] == " ":
            pos += 1
        if pos >= len(text):
            break
        end = _greedy_end(text, pos, width, size, fonts)
        if end < len(text):
            end = _adjust_break(text, pos, end, width, size, fonts)
        drawn = end
        while drawn > pos and text[drawn - 1] == " ":
            drawn -= 1
        lines.append((pos, drawn))
        pos = end
    return lines
