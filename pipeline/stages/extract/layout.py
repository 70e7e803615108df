"""What PDF pages and slides share: which regions are a page's title and subtitle."""

from __future__ import annotations

from pipeline.core.records import Region

_HEADER_BAND = 0.25  # of the page height: where a title and a subtitle stand


def mark_title(regions: list[Region], width: float, height: float) -> None:
    """The top band of a slide is its title; the free text right below it, its subtitle."""
    per_table: dict[int | None, int] = {}
    for r in regions:
        if r.kind == "cell":
            per_table[r.table] = per_table.get(r.table, 0) + 1
    # A title band drawn as a ruled box is a table of its own with one cell.
    top_cells = [
        r
        for r in regions
        if r.kind == "cell"
        and per_table[r.table] == 1
        and r.bbox.top < 0.2 * height
        and r.bbox.width > 0.5 * width
    ]
    if top_cells:
        title = min(top_cells, key=lambda r: r.bbox.top)
        if len(title.lines) <= 2:
            title.kind = "title"
    body_cells = [r for r in regions if r.kind == "cell"]  # the title band is no longer one
    first_body = min((r.bbox.top for r in body_cells), default=height)
    # the header is short text in the top band, above the body: a report page with no
    # table has its own headings and lists there too
    header = [
        r
        for r in regions
        if r.kind == "text"
        and r.bbox.bottom <= first_body + 1
        and r.bbox.top < _HEADER_BAND * height
        and len(r.lines) <= 2
        and not r.text.lstrip().startswith(("⚫", "●"))
    ]
    for region in header:
        region.kind = "subtitle"
    # with no ruled title band, the topmost header text is the title (a filled band)
    if header and not any(r.kind == "title" for r in regions):
        min(header, key=lambda r: r.bbox.top).kind = "title"
