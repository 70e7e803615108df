"""One file → Document → Blocks → Items: the stages before analysis, for any input kind.

The runner, `inspect`, the benchmark and the input evaluation all read files through
here, so the choice of reader (by file kind) and the order of the stages are written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .records import Block, Document, Item

# Input kinds the pipeline reads, by file suffix.
SUFFIXES = (".pdf", ".txt", ".pptx", ".docx")


@dataclass
class Read:
    document: Document
    blocks: list[Block]
    items: list[Item]


def read_document(
    path: Path, doc_id: str, source: str, sha256: str, settings: Settings
) -> Document:
    """Any supported file into a Document; raises a DocumentError when it can't be read."""
    from .extract.checks import check_file

    check_file(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from .extract.pdf import extract_pdf

        return extract_pdf(path, doc_id, source, sha256, settings.extract)
    if suffix == ".pptx":
        from .extract.pptx import extract_pptx

        return extract_pptx(path, doc_id, source, sha256, settings.extract)
    if suffix == ".docx":
        from .extract.docx import extract_docx

        return extract_docx(path, doc_id, source, sha256, settings.extract)
    from .extract.text import extract_text_file

    return extract_text_file(path, doc_id, source, sha256, settings.extract)


def segment_document(document: Document, settings: Settings) -> tuple[list[Block], list[Item]]:
    from .segment.blocks import segment
    from .segment.items import itemize

    blocks = segment(document, settings.blocks)
    items = [item for block in blocks for item in itemize(block, settings.blocks)]
    return blocks, items


def read_items(path: Path, settings: Settings, source: str | None = None, doc_id: str = "d",
               sha256: str = "") -> Read:  # fmt: skip
    """Read and segment one file (no analysis, no themes)."""
    document = read_document(path, doc_id, source or path.name, sha256, settings)
    blocks, items = segment_document(document, settings)
    return Read(document, blocks, items)
