"""Plain-text reports (already extracted slides) → a Document of one `plain` region per page.

Pages are the text between form feeds (as pdftotext and pdfminer write them), or the
whole text when it has none. The text has no positions, so every line gets a synthetic
box: its line number as the vertical position. Blank lines are kept as empty lines.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core.errors import NoTextError, UnreadableFileError
from pipeline.core.records import BBox, Document, Line, Page, Region

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
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    # A form feed ends a page (pdftotext, pdfminer); without one, the reader finds the
    # slides by their titles (segment/naive_text.py). Blank lines are kept: they say
    # little (extractors put them between boxes and inside wrapped bullets) but not nothing.
    chunks = text.split("\f")
    while len(chunks) > 1 and not chunks[-1].strip():
        chunks.pop()
    for number, chunk in enumerate(chunks, start=1):
        rows = chunk.split("\n")
        lines = [
            Line(text=raw.rstrip(), bbox=BBox(0.0, float(i), 1.0, i + 1.0), page=number, size=1.0)
            for i, raw in enumerate(rows)
        ]
        page = Page(number=number, width=1.0, height=float(len(lines) or 1))
        if any(line.text.strip() for line in lines):
            page.regions.append(
                Region(kind="plain", bbox=BBox(0, 0, 1, len(lines)), page=number, lines=lines)
            )
        document.pages.append(page)
    return document
