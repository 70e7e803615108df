"""The whole reportlab sample: every manifest document rendered, checked and written, gold too."""

from __future__ import annotations

from pathlib import Path

from reportlab import rl_config

from pipeline.core.era import parse_fiscal_year

from .checks import load_yaml
from .files import remove_stale, show, write_atomic
from .fonts import Fonts
from .gold import build_gold, describe, gold_json
from .manifest import plan_documents, validate_manifest
from .render import render_document, verify_pdf
from .sources import load_sources
from .style import GenerateError


def write_rendered(docs, gold, sources, fonts, folder: Path, log) -> None:
    """Render each document, check it against its gold page count, write the PDF."""
    for doc, gold_doc in zip(docs, gold["documents"], strict=True):
        rendered = render_document(doc, sources, fonts)
        if rendered.pages != gold_doc["pages"]:
            raise GenerateError(
                f"{doc['file']}: {rendered.pages} pages, gold says {gold_doc['pages']}"
            )
        verify_pdf(rendered, doc["file"])
        write_atomic(folder / doc["file"], rendered.pdf)
        log(f"wrote {show(folder / doc['file'])}: {describe(gold, doc['file'])}")
    write_atomic(folder / "gold.json", gold_json(gold))
    log(f"wrote {show(folder / 'gold.json')}: {describe(gold)}")


def of_fiscal_year(docs: list[dict], sources: dict, year: int | None, limit: int | None):
    """The documents all of whose sources are of `year` (their `fiscal_year`), the first
    `limit` of them; every document when neither is given. Each keeps the settings it has
    in the whole sample, so its PDF is byte-identical to the sample's."""
    if year is not None:
        docs = [
            d
            for d in docs
            if all(parse_fiscal_year(sources[s]["fiscal_year"]) == year for s in d["sources"])
        ]
    return docs[:limit] if limit is not None else docs


def build(
    source_dir: Path,
    out_dir: Path,
    log=print,
    fiscal_year: int | None = None,
    limit: int | None = None,
) -> None:
    """Render every document of the manifest (or those of one fiscal year, the first
    `limit`), write gold, drop stale PDFs.

    The text of these PDFs as real extractors write it (corpora/sample_txt/<tool>/) is
    made by `python -m corpora.officegen extract`, from the PDFs, not here.
    """
    manifest_path = source_dir / "batch.yaml"
    if not manifest_path.is_file():
        raise GenerateError(f"manifest {manifest_path} does not exist")
    rl_config.invariant = 1
    fonts = Fonts()
    manifest = validate_manifest(load_yaml(manifest_path), manifest_path)
    sources = load_sources(manifest, source_dir, fonts)
    docs = of_fiscal_year(plan_documents(manifest), sources, fiscal_year, limit)
    if not docs:
        raise GenerateError(f"no document of the manifest is of fiscal year {fiscal_year}")
    gold = build_gold(manifest["batch"], docs, sources)
    write_rendered(docs, gold, sources, fonts, out_dir, log)
    for path in remove_stale(out_dir, "*.pdf", {d["file"] for d in docs}):
        log(f"removed {show(path)} (no longer in the manifest)")
