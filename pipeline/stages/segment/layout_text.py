"""Whether a text is laid out in columns (pdftotext -layout).

`pdftotext -layout` keeps a page's geometry: side-by-side boxes, a label column and its
rows, and the cells of a session table stand side by side on each line, apart by runs of
spaces, near the columns they start in. The stream reader then cuts each line at those
runs and places its segments in the slide's columns (stream.py, layout "spaced").
"""

from __future__ import annotations

import re


def is_layout(lines: list[str]) -> bool:
    """Whether a text keeps columns apart by runs of spaces (pdftotext -layout)."""
    body = [ln.rstrip() for ln in lines if ln.strip()]
    if len(body) < 5:
        return False
    spaced = sum(1 for ln in body if re.search(r"\S {3,}\S", ln.strip()) or ln.startswith("    "))
    return spaced >= 0.2 * len(body)
