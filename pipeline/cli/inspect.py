"""`python -m pipeline inspect FILE`: show how one page was read, and why.

Prints the regions found on the page (kind, box, first words), the blocks they became
and the items of those blocks, and for a PDF writes a PNG of the page with every region
outlined and labelled with its kind or block, so a user can see at a glance where a
cell was missed or two columns were merged.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.config.paths import CONFIG_HELP, find_config
from pipeline.config.settings import load_settings
from pipeline.core.errors import DocumentError, PipelineError
from pipeline.core.normalize import compact
from pipeline.core.records import Block, Document, Item, Region
from pipeline.stages.pipeline import Pipeline

# Outline colours by region kind; table cells get the colour of the block they became.
_KIND_COLOURS = {
    "title": (90, 90, 90),
    "subtitle": (90, 90, 90),
    "footer": (160, 160, 160),
    "page_number": (160, 160, 160),
    "text": (0, 120, 200),
    "cell": (220, 120, 0),
}
_BLOCK_COLOUR = (200, 0, 60)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a report file (.pdf, .pptx, .docx or .txt)")
    parser.add_argument("--page", type=int, default=1, help="page number, from 1 (default: 1)")
    parser.add_argument(
        "--png",
        metavar="FILE",
        help="where to write the annotated page image "
        "(default: outputs/inspect/<file>-p<N>.png; PDFs only)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"pipeline config, or the folder holding it (default: {CONFIG_HELP})",
    )


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"error: {path} is not a file", file=sys.stderr)
        return 2
    settings = load_settings(find_config(args.config, path.parent).path)
    try:
        read = Pipeline(settings).run(path, "segment", doc_id="inspect")
    except DocumentError as exc:
        print(f"error: {path.name}: {exc}", file=sys.stderr)
        return 2
    document, segmented = read.document, read.blocks
    # a text without form feeds is one page whose slides are found by their titles
    count = max([len(document.pages), *(b.page for b in segmented if b.page)])
    if not 1 <= args.page <= count:
        print(f"error: {path.name} has pages 1–{count}", file=sys.stderr)
        return 2
    blocks = [b for b in segmented if _on_page(b, args.page)]
    print(describe(document, args.page, blocks, read.items, count))
    if path.suffix.lower() == ".pdf":
        png = Path(args.png) if args.png else _default_png(path, args.page)
        draw_page(path, document, args.page, blocks, png)
        print(f"\nannotated page image: {png}")
    return 0


def _on_page(block: Block, page: int) -> bool:
    return any(line.page == page for line in block.lines) or block.page == page


def _default_png(path: Path, page: int) -> Path:
    from pipeline.config.paths import default_outputs

    return default_outputs() / "inspect" / f"{path.stem}-p{page}.png"


def describe(document: Document, page_number: int, blocks: list[Block], items: list[Item],
             count: int | None = None) -> str:  # fmt: skip
    """The regions of one page and the blocks and items on it (items: the document's, as the
    segment stage made them); count: the pages or slides found (a text without form feeds
    has more slides than pages)."""
    count = count or len(document.pages)
    out = [f"{document.source} — page {page_number} of {count}", "", "regions:"]
    if page_number > len(document.pages):
        out.append("  (a slide of a text without page marks, found by its title)")
    regions = document.pages[page_number - 1].regions if page_number <= len(document.pages) else []
    for r in regions:
        where = f"[{r.bbox.x0:5.0f} {r.bbox.top:5.0f} {r.bbox.x1:5.0f} {r.bbox.bottom:5.0f}]"
        cell = f" t{r.table} r{r.row} c{r.col}" if r.table is not None else ""
        out.append(f"  {r.kind:<11}{where}{cell}  {len(r.lines)} lines  {compact(r.text)[:40]}")
    out += ["", "blocks and items:"]
    for block in blocks:
        session = f" 第{block.session}回" if block.session else ""
        out.append(f"  ■ {block.block}{session}  ({block.municipality}, heading {block.heading!r})")
        for item in (i for i in items if i.block_id == block.block_id):
            if item.page != page_number and not any(
                line.page == page_number for line in block.lines
            ):
                continue
            indent = "    " * item.level
            context = f" [{item.context}]" if item.context else ""
            out.append(f"  {indent}- {item.text}{context}")
    for warning in document.warnings:
        out.append(f"warning: {warning}")
    return "\n".join(out)


def _region_label(region: Region, blocks: list[Block]) -> tuple[str, tuple[int, int, int]]:
    """The block a region's lines went to, else its kind."""
    first = region.lines[0] if region.lines else None
    for block in blocks:
        if first is not None and any(line is first for line in block.lines):
            session = f" 第{block.session}回" if block.session else ""
            return block.block + session, _BLOCK_COLOUR
    return region.kind, _KIND_COLOURS.get(region.kind, (0, 0, 0))


def draw_page(path: Path, document: Document, page_number: int, blocks, png: Path) -> None:
    """Write the page as a PNG with each region outlined and labelled."""
    import pdfplumber
    from PIL import ImageDraw, ImageFont

    resolution = 100
    scale = resolution / 72
    with pdfplumber.open(path) as pdf:
        image = pdf.pages[page_number - 1].to_image(resolution=resolution).original.convert("RGB")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(_japanese_font()), 12)
    for region in document.pages[page_number - 1].regions:
        label, colour = _region_label(region, blocks)
        box = [region.bbox.x0 * scale, region.bbox.top * scale]
        box += [region.bbox.x1 * scale, region.bbox.bottom * scale]
        draw.rectangle(box, outline=colour, width=2)
        text_box = draw.textbbox((box[0] + 2, box[1] + 1), label, font=font)
        draw.rectangle(text_box, fill=(255, 255, 255))
        draw.text((box[0] + 2, box[1] + 1), label, fill=colour, font=font)
    png.parent.mkdir(parents=True, exist_ok=True)
    image.save(png)


def _japanese_font() -> Path:
    import matplotlib_fontja

    font = Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"
    if not font.is_file():
        raise PipelineError("matplotlib-fontja's IPAexGothic font is missing: reinstall it")
    return font
