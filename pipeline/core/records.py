"""The records that flow between stages (see ../shared/contract.md).

Plain dataclasses: every stage takes some of these and returns others, and each
record carries its provenance (source file, page, bounding box) to the output rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BBox:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def contains_point(self, x: float, y: float, margin: float = 0.0) -> bool:
        return (
            self.x0 - margin <= x <= self.x1 + margin
            and self.top - margin <= y <= self.bottom + margin
        )


@dataclass
class Line:
    """One drawn text line, as PowerPoint draws every wrapped line of a cell.

    paragraph: the line begins a paragraph of the source file (.pptx, .docx); False where
    that is not known (a PDF's or a text's lines, and lines after a line break).
    """

    text: str
    bbox: BBox
    page: int
    size: float = 0.0
    paragraph: bool = False


@dataclass
class Region:
    """A part of a page that holds text of its own: a table cell, a box, a free text run.

    kind: cell | title | subtitle | text | footer | page_number
    row/col: the cell's position in its table (None outside tables).
    """

    kind: str
    bbox: BBox
    page: int
    lines: list[Line] = field(default_factory=list)
    table: int | None = None
    row: int | None = None
    col: int | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    regions: list[Region] = field(default_factory=list)


@dataclass
class Document:
    doc_id: str
    source: str  # path relative to the batch folder
    sha256: str
    pages: list[Page] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FiscalYear:
    """The fiscal year (年度) a report is of, by the Western year it starts in (令和4年度 =
    2022), where it was read (batch.yaml | text | filename) and the words read there."""

    year: int
    source: str
    evidence: str


@dataclass
class Block:
    block_id: str
    doc_id: str
    source: str
    municipality: str
    section: str
    page: int
    block: str  # canonical name, or その他
    heading: str  # the label as drawn, joined
    session: int | None = None
    lines: list[Line] = field(default_factory=list)
    # where the block's lines wrap: the right edge of its cell or box (None: unknown, the
    # widest line then stands for it)
    right: float | None = None
    fiscal_year: int | None = None  # given by the batch runner (fiscal_year.py)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Item:
    item_id: str
    block_id: str
    doc_id: str
    source: str
    municipality: str
    page: int
    block: str
    session: int | None
    level: int
    parent_id: str
    context: str
    text: str  # NFKC-normalised, wrapped lines joined: what is analysed
    text_raw: str  # as drawn: the original lines joined by newlines
    lemmas: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    problem_target: str = ""
    problem_state: str = ""
    themes: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    fiscal_year: int | None = None  # given by the batch runner (fiscal_year.py)


@dataclass
class DocumentResult:
    """Everything one input file produced, or why it produced nothing."""

    doc_id: str
    source: str
    sha256: str
    pages: int
    status: str  # ok | error | no_text | unrecognized
    error: str = ""
    blocks: list[Block] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # the fiscal year of each municipality's part as its text says (cached with the rest);
    # the run decides the document's with the file name and batch.yaml (fiscal_year.py)
    text_years: dict[str, FiscalYear] = field(default_factory=dict)
    fiscal_year: int | None = None
    fiscal_year_source: str = ""  # batch.yaml | text | filename; "" when unknown


@dataclass
class DocumentSummary:
    """What a run keeps of a file once its blocks and items are written out: its line in
    documents.csv and its warnings. A batch of thousands of files holds only these."""

    doc_id: str
    source: str
    sha256: str
    pages: int
    status: str  # ok | error | no_text | unrecognized | duplicate
    error: str
    municipalities: list[str]
    blocks: int
    items: int
    warnings: list[str]
    fiscal_year: int | None = None
    fiscal_year_source: str = ""

    @classmethod
    def of(cls, result: DocumentResult) -> DocumentSummary:
        return cls(
            doc_id=result.doc_id,
            source=result.source,
            sha256=result.sha256,
            pages=result.pages,
            status=result.status,
            error=result.error,
            municipalities=list(dict.fromkeys(b.municipality for b in result.blocks)),
            blocks=len(result.blocks),
            items=len(result.items),
            warnings=list(result.warnings),
            fiscal_year=result.fiscal_year,
            fiscal_year_source=result.fiscal_year_source,
        )
