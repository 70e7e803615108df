"""The stages in order, for one file: extract → segment → analyze → classify.

`Pipeline(settings).run(path, until=…)` is how every caller reads a file: the batch
runner (every stage), `inspect` and the input evaluation (up to segment), the benchmark
and the tests. The reader is chosen by file kind here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config.settings import Settings, load_settings
from pipeline.core.records import Block, Document, FiscalYear, Item
from pipeline.core.timing import timed

# Input kinds the pipeline reads, by file suffix.
SUFFIXES = (".pdf", ".txt", ".pptx", ".docx")
STAGES = ("extract", "segment", "analyze", "classify")


@dataclass
class Read:
    """One file as far as it went: its Document, and its blocks and items once segmented,
    with the fiscal year of each municipality's part as the text says."""

    document: Document
    blocks: list[Block] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    text_years: dict[str, FiscalYear] = field(default_factory=dict)


def read_document(
    path: Path, doc_id: str, source: str, sha256: str, settings: Settings
) -> Document:
    """Any supported file into a Document; raises a DocumentError when it can't be read."""
    # Readers are imported when their kind is met: a text batch never loads pdfplumber.
    from pipeline.stages.extract.checks import check_file

    check_file(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from pipeline.stages.extract.pdf import extract_pdf

        return extract_pdf(path, doc_id, source, sha256, settings.extract)
    if suffix == ".pptx":
        from pipeline.stages.extract.pptx import extract_pptx

        return extract_pptx(path, doc_id, source, sha256, settings.extract)
    if suffix == ".docx":
        from pipeline.stages.extract.docx import extract_docx

        return extract_docx(path, doc_id, source, sha256, settings.extract)
    from pipeline.stages.extract.text import extract_text_file

    return extract_text_file(path, doc_id, source, sha256, settings.extract)


def segment_document(document: Document, settings: Settings) -> tuple[list[Block], list[Item]]:
    """A Document's labelled blocks and their bullet items."""
    from pipeline.stages.segment.blocks import segment
    from pipeline.stages.segment.items import itemize

    blocks = segment(document, settings.blocks)
    items = [item for block in blocks for item in itemize(block, settings.blocks)]
    return blocks, items


def text_years(document: Document, blocks: list[Block]) -> dict[str, FiscalYear]:
    """The fiscal year of each municipality's part, as the text says; where it contradicts
    itself, a warning of the document's."""
    from pipeline.stages.segment.fiscal_year import read_text_years

    years, warnings = read_text_years(document, blocks)
    document.warnings.extend(warnings)
    return years


class Pipeline:
    """The stages with one run's settings; each method is one stage, `run` chains them."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def extract(self, path: Path, doc_id: str = "d", source: str | None = None,
                sha256: str = "") -> Document:  # fmt: skip
        return read_document(path, doc_id, source or path.name, sha256, self.settings)

    def segment(self, document: Document) -> tuple[list[Block], list[Item]]:
        return segment_document(document, self.settings)

    def analyze(self, items: list[Item]) -> None:
        from pipeline.stages.analyze.morphology import analyze  # loads GiNZA when first used

        analyze(items, self.settings.analyze)

    def classify(self, items: list[Item], batch_dir: Path | None = None) -> None:
        from pipeline.stages.classify.combine import classify

        classify(items, self.settings, batch_dir)

    def run(self, path: Path, until: str = "classify", *, doc_id: str = "d",
            source: str | None = None, sha256: str = "", batch_dir: Path | None = None,
            timings: dict[str, float] | None = None) -> Read:  # fmt: skip
        """The file through every stage up to `until` (one of STAGES), in order."""
        if until not in STAGES:
            raise ValueError(f"until: {until!r} is not a stage ({', '.join(STAGES)})")
        last = STAGES.index(until)
        with timed(timings, "extract"):
            read = Read(self.extract(path, doc_id, source, sha256))
        if last >= 1:
            with timed(timings, "segment"):
                read.blocks, read.items = self.segment(read.document)
                read.text_years = text_years(read.document, read.blocks)
        if last >= 2:
            with timed(timings, "analyze"):
                self.analyze(read.items)
        if last >= 3:
            with timed(timings, "classify"):
                self.classify(read.items, batch_dir)
        return read


def read_file(path: Path | str, settings: Settings | None = None, until: str = "segment",
              **where) -> Read:  # fmt: skip
    """Any supported file read up to a stage (default: blocks and items, no analysis);
    settings default to configs/pipeline.yaml. `where`: doc_id, source, sha256, batch_dir."""
    settings = settings if settings is not None else load_settings()
    return Pipeline(settings).run(Path(path), until, **where)
