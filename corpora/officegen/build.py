"""Build the office-made sample: decks and reports, their PDFs, and the gold of both.

    corpora/sources/office.yaml  →  corpora/office/*.pptx|*.docx + gold.json
                                 →  corpora/office_pdf/*.pdf + gold.json   (LibreOffice)

The .pptx and .docx files are byte-identical across runs (fixed core properties, zip
entries with a fixed time), so a test can rebuild them without LibreOffice and compare.
A PDF is what LibreOffice made of them: its gold entry records the SHA-256 of the office
file it was exported from, so a PDF left over from an older deck is caught.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import yaml

from ..reportgen.checks import check_list, check_mapping, load_yaml
from ..reportgen.files import remove_stale, show, write_atomic
from ..reportgen.fonts import Fonts
from ..reportgen.gold import describe, gold_json, source_gold_blocks
from ..reportgen.sources import validate_source
from .deck import DeckBuilder
from .export import to_pdf, verify_regions
from .report import ReportBuilder
from .style import DeckStyle, OfficeError, ReportStyle, deck_style, report_style

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "corpora" / "sources"
MANIFEST = SOURCES / "office.yaml"
OFFICE_DIR = ROOT / "corpora" / "office"
PDF_DIR = ROOT / "corpora" / "office_pdf"
FIXED_TIME = dt.datetime(2024, 4, 1, 9, 0, 0)
_ZIP_TIME = (2024, 4, 1, 9, 0, 0)
_DOC_KEYS = ("file", "variant", "sources", "style", "held_out")


@dataclass(frozen=True)
class OfficeDoc:
    file: str
    variant: str
    sources: tuple[str, ...]
    style: DeckStyle | ReportStyle
    held_out: bool = False

    @property
    def kind(self) -> str:
        return "deck" if self.file.endswith(".pptx") else "report"


def load_manifest(path: Path = MANIFEST) -> tuple[str, list[OfficeDoc]]:
    data = load_yaml(path)
    check_mapping(data, ("batch", "documents"), (), path.name)
    docs, seen = [], set()
    for n, entry in enumerate(check_list(data["documents"], f"{path.name}: documents")):
        where = f"{path.name}: documents[{n}]"
        check_mapping(entry, ("file", "variant", "sources"), ("style", "held_out"), where)
        name = str(entry["file"])
        if not re.fullmatch(r"[A-Za-z0-9_.-]+\.(pptx|docx)", name) or name in seen:
            raise OfficeError(
                f"{where}.file: expected a unique *.pptx or *.docx name, got {name!r}"
            )
        seen.add(name)
        style = (deck_style if name.endswith(".pptx") else report_style)(
            entry.get("style"), f"{where}.style"
        )
        docs.append(
            OfficeDoc(
                name,
                str(entry["variant"]),
                tuple(entry["sources"]),
                style,
                bool(entry.get("held_out", False)),
            )  # fmt: skip
        )
    return str(data["batch"]), docs


def load_sources(docs: list[OfficeDoc]) -> dict:
    fonts = Fonts()
    sources = {}
    for doc in docs:
        for sid in doc.sources:
            path = SOURCES / f"{sid}.yaml"
            if not path.is_file():
                raise OfficeError(f"office.yaml names source {sid!r}, but {path} does not exist")
            if sid in sources:
                raise OfficeError(f"source {sid!r} is in two documents: gold is by municipality")
            sources[sid] = validate_source(load_yaml(path), path, fonts)
    return sources


# ---------------------------------------------------------------------------------------
# Deterministic office files


def normalized_zip(data: bytes) -> bytes:
    """The same package with every entry at a fixed time, so the bytes never change."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _core(props, title: str) -> None:
    props.title = title
    props.author = "fictional sample data"
    props.last_modified_by = "corpora/officegen"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1


@dataclass
class Built:
    doc: OfficeDoc
    data: bytes
    regions: list  # decks: what each region of the PDF must show
    first_pages: list[int]  # the slide each municipality starts on (decks)


def build_one(doc: OfficeDoc, sources: dict) -> Built:
    srcs = [sources[sid] for sid in doc.sources]
    title = f"市町村伴走支援 報告書（{doc.file}）"
    buf = io.BytesIO()
    if doc.kind == "deck":
        builder = DeckBuilder(doc.style, doc.file)
        builder.build(srcs)
        _core(builder.prs.core_properties, title)
        builder.prs.save(buf)
        per = 4 if doc.style.continued else 3
        first_pages = [1 + per * n for n in range(len(srcs))]
        return Built(doc, normalized_zip(buf.getvalue()), builder.regions, first_pages)
    builder = ReportBuilder(doc.style, doc.file)
    builder.build(srcs)
    _core(builder.doc.core_properties, title)
    builder.doc.save(buf)
    return Built(doc, normalized_zip(buf.getvalue()), [], [])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------
# Gold


def _letters(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] in "LN"
    )


def _label_words(doc: OfficeDoc, blocks: list[dict]) -> None:
    """Headings as written in this document (現在の状況 for 現状, …)."""
    words = dict(doc.style.labels)
    for block in blocks:
        if block["block"] in words:
            block["heading"] = words[block["block"]]


def _pdf_pages(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as opened:
        return [_letters("".join(c["text"] for c in page.chars)) for page in opened.pages]


def _pages_from_pdf(blocks: list[dict], pages: list[str], start: int) -> int:
    """A report's layout is Writer's: each block starts on the page that shows its first
    item (searched from the page the block before started on)."""
    page = start
    for block in blocks:
        first = _letters(block["items"][0]["text"])[:12]
        found = next((n for n in range(page, len(pages) + 1) if first in pages[n - 1]), None)
        if found is None:
            raise OfficeError(f"{block['block']}: its first item is on no page of the PDF")
        block["page"] = page = found
    return page


def gold_of(built: list[Built], pdfs: dict[str, Path], sources: dict, batch: str,
            suffix: str) -> dict:  # fmt: skip
    """Gold of the office files (suffix "") or of their PDFs (suffix ".pdf")."""
    documents, municipalities = [], []
    for b in built:
        doc = b.doc
        name = doc.file if not suffix else f"{Path(doc.file).stem}{suffix}"
        pages_text = _pdf_pages(pdfs[doc.file]) if doc.kind == "report" else None
        page = 1
        last_page = 0
        for n, sid in enumerate(doc.sources):
            src = sources[sid]
            if doc.kind == "deck":
                first = b.first_pages[n]
                blocks = source_gold_blocks(src, first, doc.style.continued)
                last_page = first + (3 if doc.style.continued else 2)
            else:
                blocks = source_gold_blocks(src, 1, False)
                last_page = _pages_from_pdf(blocks, pages_text, page)
                page = last_page
            _label_words(doc, blocks)
            municipalities.append(
                {
                    "municipality": src["municipality"],
                    "source": sid,
                    "file": name,
                    "variant": doc.variant,
                    "blocks": blocks,
                }  # fmt: skip
            )
        entry = {
            "file": name,
            "variant": doc.variant,
            "kind": doc.kind,
            "held_out": doc.held_out,
            "pages": len(pages_text) if pages_text is not None else last_page,
            "municipalities": [sources[sid]["municipality"] for sid in doc.sources],
        }
        if suffix:
            entry["exported_from"] = {"file": doc.file, "sha256": sha256(b.data)}
        documents.append(entry)
    return {"batch": batch, "documents": documents, "municipalities": municipalities}


# ---------------------------------------------------------------------------------------
# The whole build


def build(manifest: Path = MANIFEST, office_dir: Path = OFFICE_DIR, pdf_dir: Path = PDF_DIR,
          log=print) -> None:  # fmt: skip
    batch, docs = load_manifest(manifest)
    sources = load_sources(docs)
    built = [build_one(doc, sources) for doc in docs]
    office_dir.mkdir(parents=True, exist_ok=True)
    for b in built:
        write_atomic(office_dir / b.doc.file, b.data)
        log(f"wrote {show(office_dir / b.doc.file)}")
    pdfs = {
        path.name: pdf
        for path, pdf in to_pdf([office_dir / b.doc.file for b in built], pdf_dir).items()
    }
    for b in built:
        if b.doc.kind == "deck":
            verify_regions(pdfs[b.doc.file], b.regions, b.doc.file)
        log(f"wrote {show(pdfs[b.doc.file])}")
    write_atomic(office_dir / "gold.json", gold_json(gold_of(built, pdfs, sources, batch, "")))
    gold = gold_of(built, pdfs, sources, f"{batch}_pdf", ".pdf")
    write_atomic(pdf_dir / "gold.json", gold_json(gold))
    log(f"wrote gold: {describe(gold)}")
    keep = {b.doc.file for b in built}
    for stale in (
        remove_stale(office_dir, "*.pptx", keep)
        + remove_stale(office_dir, "*.docx", keep)
        + remove_stale(pdf_dir, "*.pdf", {f"{Path(k).stem}.pdf" for k in keep})
    ):
        log(f"removed {show(stale)} (no longer in the manifest)")


def check_exports(
    manifest: Path = MANIFEST, office_dir: Path = OFFICE_DIR, pdf_dir: Path = PDF_DIR
) -> list[str]:
    """PDFs not exported from the committed office files (no fonts or office suite needed)."""
    _, docs = load_manifest(manifest)
    gold = json.loads((pdf_dir / "gold.json").read_text(encoding="utf-8"))
    exported = {d["exported_from"]["file"]: d["exported_from"]["sha256"] for d in gold["documents"]}
    problems = []
    for doc in docs:
        path = office_dir / doc.file
        if not path.exists():
            problems.append(f"{doc.file} is missing: run `make office`")
        elif exported.get(doc.file) != sha256(path.read_bytes()):
            problems.append(
                f"{Path(doc.file).stem}.pdf was not exported from the current {doc.file}"
            )
    return problems


def check(
    manifest: Path = MANIFEST, office_dir: Path = OFFICE_DIR, pdf_dir: Path = PDF_DIR
) -> list[str]:
    """Problems with the committed office sample, without LibreOffice: PDFs not exported
    from the committed files, and office files that differ from what the sources make now
    (rebuilding them needs the fonts the decks are measured with)."""
    problems = check_exports(manifest, office_dir, pdf_dir)
    _, docs = load_manifest(manifest)
    sources = load_sources(docs)
    for doc in docs:
        path = office_dir / doc.file
        if path.exists() and path.read_bytes() != build_one(doc, sources).data:
            problems.append(f"{doc.file} differs from what its sources make: run `make office`")
    return problems


def dump_yaml(data) -> str:  # for debugging a manifest
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
