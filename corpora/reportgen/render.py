"""One manifest document to PDF bytes, and the check that its characters round-trip."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

import pdfplumber
from reportlab.pdfgen.canvas import Canvas

from .fonts import Fonts
from .paint import Pages
from .slides import SlideContext, draw_overview, draw_results, draw_situation
from .style import PAGE_STYLES, GenerateError, label_metrics

# The PDFs' Creator still names the generator's old path: the committed sample must stay
# byte-identical.
CREATOR = "corpora/generate.py"


def fullwidth_number(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    drawn: list[Counter]  # characters drawn on each page, to verify the PDF against


def render_document(doc: dict, sources: dict, fonts: Fonts) -> Rendered:
    """Render one manifest document (one or more municipalities) to PDF bytes."""
    style = PAGE_STYLES[doc["page"]]
    labels = label_metrics(style, doc["label_width"])
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(style.width, style.height), invariant=1, pageCompression=1)
    c.setTitle(f"市町村伴走支援 報告書（{doc['file']}）")
    c.setAuthor("fictional sample data")
    c.setCreator(CREATOR)
    pages = Pages(c, style, fonts, doc["file"], doc.get("bullet_font"))
    multi = len(doc["sources"]) > 1
    for n, sid in enumerate(doc["sources"], 1):
        section = f"{fullwidth_number(n)}．" if multi else ""
        ctx = SlideContext(
            sources[sid], style, labels, doc["bullet"], section, doc.get("boxes", "ruled")
        )
        pages.what = f"{doc['file']} ({sid})"  # names the source in layout errors
        draw_situation(pages, ctx, doc["continued"], doc.get("mid_bullet", False))
        draw_overview(pages, ctx)
        draw_results(pages, ctx)
    c.save()
    return Rendered(buf.getvalue(), len(pages.drawn), pages.drawn)


def verify_pdf(rendered: Rendered, name: str) -> None:
    """Every character drawn must come back from pdfplumber, and nothing else (no U+0000)."""
    with pdfplumber.open(io.BytesIO(rendered.pdf)) as pdf:
        if len(pdf.pages) != rendered.pages:
            raise GenerateError(f"{name}: {len(pdf.pages)} pages, expected {rendered.pages}")
        for n, (page, drawn) in enumerate(zip(pdf.pages, rendered.drawn, strict=True), 1):
            got = Counter(ch["text"] for ch in page.chars)
            if got != drawn:
                diff = (drawn - got) + (got - drawn)
                raise GenerateError(f"{name} p{n}: characters do not round-trip: {dict(diff)}")
