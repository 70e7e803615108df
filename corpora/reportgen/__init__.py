"""The reportlab sample: slide PDFs and their gold, rendered from corpora/sources.

The sources (``corpora/sources/<id>.yaml``) hold the content of one fictional
municipality's 伴走支援 report each; ``corpora/sources/batch.yaml`` says which sources go
into which file with which layout variant.  See ``docs/corpus.md`` for both schemas and
for the gold format.

The PDFs imitate PowerPoint exports on purpose, because that is what makes them hard to
extract: narrow label cells that wrap one character per line, cell text wrapped by measured
width (mid-word, one text-drawing call per line), shrink-on-overflow fonts, boxes side by
side, a table cell continued on the next slide.  Gold is built from the sources, never
read back from the PDF.  Output is byte-identical across runs (reportlab invariant mode,
no timestamps, sorted JSON keys). The office-made sample and the text real extractors
write from both are made by ``python -m corpora.officegen`` (docs/corpus.md).

Modules, each importing only those above it:

    style     page sizes, spacing, colours, bullets; GenerateError
    files     atomic writes, stale files, short paths
    fonts     the fonts each character is drawn in; the stand-in Wingdings
    wrap      line breaking by measured width, kinsoku
    layout    paragraphs into columns, tables into rows, shrink-on-overflow
    paint     the canvas: checked text, rules, the slide frame, tables, pages
    slides    the situation, overview and results slides of one municipality
    render    one manifest document to PDF bytes, its characters checked
    checks    YAML read, shapes checked        sources   the <id>.yaml sources
    manifest  batch.yaml                       gold      gold.json from the sources
    build     the whole sample written         __main__  python -m corpora.reportgen
"""
