"""Text laid out in columns (pdftotext -layout) back into one box after another.

`pdftotext -layout` keeps a page's geometry: side-by-side boxes, a label column and its
rows, and the cells of a session table stand side by side on each line, apart by runs
of spaces, at the columns they start in. That is positions, in characters: the segments
of each line (text between runs of two or more spaces) are grouped into regions, each
a column's segments on consecutive lines (a few blank lines allowed), and the regions
are given out top to bottom, left to right, a blank line between two. The stream reader
then reads them as it reads any tool that writes one box after another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_GAP = re.compile(r" {2,}")
_MAX_BLANK = 2  # blank lines a region may span (a cell's padding, a paragraph gap)
_INDENT = 3  # characters a column's line may start right or left of the one above


def is_layout(lines: list[str]) -> bool:
    """Whether a text keeps columns apart by runs of spaces (pdftotext -layout)."""
    body = [ln.rstrip() for ln in lines if ln.strip()]
    if len(body) < 5:
        return False
    spaced = sum(1 for ln in body if re.search(r"\S {3,}\S", ln.strip()) or ln.startswith("    "))
    return spaced >= 0.2 * len(body)


@dataclass
class _Segment:
    line: int
    start: int
    end: int
    text: str


@dataclass
class _Region:
    segments: list[_Segment] = field(default_factory=list)

    @property
    def start(self) -> int:
        return min(s.start for s in self.segments)

    @property
    def end(self) -> int:
        return max(s.end for s in self.segments)

    @property
    def top(self) -> int:
        return self.segments[0].line

    @property
    def last(self) -> _Segment:
        return self.segments[-1]


def _segments(lines: list[str]) -> list[_Segment]:
    found = []
    for n, line in enumerate(lines):
        line = line.rstrip()
        position = 0
        for part in _GAP.split(line):
            at = line.index(part, position) if part else position
            if part.strip():
                found.append(_Segment(n, at, at + len(part), part.strip()))
            position = at + len(part)
    return found


def decolumnize(lines: list[str]) -> list[str]:
    """The lines of each column region in turn, regions top to bottom, left to right."""
    regions: list[_Region] = []
    for segment in _segments(lines):
        best, best_distance = None, None
        for region in regions:
            last = region.last
            if not 0 < segment.line - last.line <= _MAX_BLANK + 1:
                continue
            # a column's lines start where the line above did, or a hanging indent from it
            distance = min(abs(segment.start - last.start), abs(segment.start - region.start))
            if distance <= _INDENT and (best_distance is None or distance < best_distance):
                best, best_distance = region, distance
        if best is None:
            regions.append(_Region([segment]))
        else:
            best.segments.append(segment)
    regions.sort(key=lambda r: (r.top, r.start))
    out: list[str] = []
    for region in regions:
        if out:
            out.append("")
        out.extend(s.text for s in region.segments)
    return out
