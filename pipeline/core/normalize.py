"""NFKC normalisation and the joining of wrapped lines.

Japanese is written without spaces, so a line that PowerPoint wrapped at a cell edge
is joined to the next with nothing in between; only where both sides are Latin words
(`Zoom` / `meeting`) was there a space that the wrap swallowed.
"""

from __future__ import annotations

import re
import unicodedata

_LATIN_END = re.compile(r"[A-Za-z]$")
_LATIN_START = re.compile(r"^[A-Za-z]")
_WHITESPACE = re.compile(r"\s+")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def compact(text: str) -> str:
    """NFKC with all whitespace removed: the form labels and gold texts are compared in."""
    return _WHITESPACE.sub("", nfkc(text))


def join_wrapped(parts: list[str]) -> str:
    """Join the wrapped lines of one item into one string."""
    joined = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if joined and _LATIN_END.search(joined) and _LATIN_START.match(part):
            joined += " "
        joined += part
    return joined
