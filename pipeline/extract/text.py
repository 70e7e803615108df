"""Plain-text reports (already extracted slides) → a Document of one text region per page.

Pages are separated by form feeds (as pdftotext writes them). The text has no
positions, so every line gets a synthetic box: its line number as the vertical position.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import NoTextError, UnreadableFileError
from ..records import BBox, Document, Line, Page, Region

_ENCODINGS = ("utf-8-sig", "cp932")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Shift_JIS/CP932, as Japanese offices write both."""
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError(
        "the text file is neither UTF-8 nor Shift_JIS/CP932: save it as UTF-8 and run again"
    )


def extract_text_file(path: Path, doc_id: str, source: str, sha256: str) -> Document:
    text = decode(path.read_bytes())
    if not text.strip():
        raise NoTextError("the text file is empty")
    document = Document(doc_id=doc_id, source=source, sha256=sha256)
    for number, chunk in enumerate(text.split("\f"), start=1):
        lines = [
            Line(text=raw.rstrip(), bbox=BBox(0.0, float(i), 1.0, i + 1.0), page=number, size=1.0)
            for i, raw in enumerate(chunk.splitlines())
            if raw.strip()
        ]
        page = Page(number=number, width=1.0, height=float(len(lines) or 1))
        if lines:
            page.regions.append(
                Region(kind="text", bbox=BBox(0, 0, 1, len(lines)), page=number, lines=lines)
            )
        document.pages.append(page)
    return document
