"""Plain-text reports (already extracted slides) → a Document of one `plain` region per page.

Pages are separated by form feeds (as pdftotext writes them) or by blank lines (as
pages extracted one by one and pasted together come out). The text has no
positions, so every line gets a synthetic box: its line number as the vertical position.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import NoTextError, UnreadableFileError
from ..records import BBox, Document, Line, Page, Region

_ENCODINGS = ("utf-8-sig", "cp932")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Shift_JIS/CP932, as Japanese offices write both;
    UTF-16 when it starts with its BOM (Windows Notepad's "Unicode")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError(
        "the text file is neither UTF-8 nor Shift_JIS/CP932: save it as UTF-8 and run again"
    )


def extract_text_file(
    path: Path, doc_id: str, source: str, sha256: str, options: dict | None = None
) -> Document:
    text = decode(path.read_bytes())
    symbols = (options or {}).get("symbol_fonts")
    if symbols is not None:  # bullets of symbol fonts, pasted as "\uf0d8" or "Ø"
        text = "\n".join(symbols.line(line) for line in text.split("\n"))
    if not text.strip():
        raise NoTextError("the text file is empty")
    document = Document(doc_id=doc_id, source=source, sha256=sha256)
    chunks = text.split("\f") if "\f" in text else re.split(r"\n\s*\n", text)
    chunks = [chunk for chunk in chunks if chunk.strip()]
    for number, chunk in enumerate(chunks, start=1):
        lines = [
            Line(text=raw.rstrip(), bbox=BBox(0.0, float(i), 1.0, i + 1.0), page=number, size=1.0)
            for i, raw in enumerate(chunk.splitlines())
            if raw.strip()
        ]
        page = Page(number=number, width=1.0, height=float(len(lines) or 1))
        if lines:
            page.regions.append(
                Region(kind="plain", bbox=BBox(0, 0, 1, len(lines)), page=number, lines=lines)
            )
        document.pages.append(page)
    return document
