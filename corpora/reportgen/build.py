"""The whole reportlab sample: every manifest document rendered, checked and written, gold too."""

from __future__ import annotations

from pathlib import Path

from reportlab import rl_config

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


def build(source_dir: Path, out_dir: Path, log=print) -> None:
    """Render every document of the manifest, write gold, drop stale PDFs.

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
    docs = plan_documents(manifest)
    gold = build_gold(manifest["batch"], docs, sources)
    write_rendered(docs, gold, sources, fonts, out_dir, log)
    for path in remove_stale(out_dir, "*.pdf", {d["file"] for d in docs}):
        log(f"removed {show(path)} (no longer in the manifest)")
