"""The text that real PDF-to-text tools write from the sample PDFs: the `.txt` corpus.

For every PDF of corpora/sample (reportlab) and corpora/office_pdf (LibreOffice), each
tool below writes <batch>_txt/<tool>/<name>.txt, with a gold.json that is the PDF's gold
(the same municipalities, blocks and items) naming the .txt files. Nothing is imitated:
these are the tools' own outputs, as a user would save them.

| tool | how |
|---|---|
| pdftotext | poppler's `pdftotext -enc UTF-8` (reading order, form feed between pages) |
| pdftotext_layout | `pdftotext -layout` (columns side by side, separated by spaces) |
| pdftotext_raw | `pdftotext -raw` (content-stream order) |
| pdfminer | pdfminer.six `extract_text` (its text boxes, blank lines between them) |
| pdfplumber | `page.extract_text()` of every page, joined by a newline (no page mark) |
| pypdfium2 | `get_text_range()` of every page (CRLF line ends), joined by a newline |
| viewer | pdftotext's text with every form feed removed, as a copy out of a PDF viewer |
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from ..reportgen.files import remove_stale, show, write_atomic
from ..reportgen.gold import gold_json
from .relabel import write_gold
from .style import OfficeError

ROOT = Path(__file__).resolve().parents[2]
# (folder of PDFs with their gold.json, folder whose <tool>/ sub-folders get the text)
BATCHES = (
    (ROOT / "corpora" / "sample", ROOT / "corpora" / "sample_txt"),
    (ROOT / "corpora" / "office_pdf", ROOT / "corpora" / "office_txt"),
)
RELABELLED_PDFS = ROOT / "corpora" / "relabelled"
RELABELLED_TXT = ROOT / "corpora" / "relabelled_txt"
TOOLS = (
    "pdftotext",
    "pdftotext_layout",
    "pdftotext_raw",
    "pdfminer",
    "pdfplumber",
    "pypdfium2",
    "viewer",
)


def _pdftotext(pdf: Path, *flags: str) -> str:
    if not shutil.which("pdftotext"):
        raise OfficeError("pdftotext is not installed: apt-get install poppler-utils")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *flags, str(pdf), "-"], capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def _pdfminer(pdf: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(pdf))


def _pdfplumber(pdf: Path) -> str:
    import pdfplumber

    with pdfplumber.open(pdf) as opened:
        return "\n".join(page.extract_text() for page in opened.pages)


def _pypdfium2(pdf: Path) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def text_of(pdf: Path, tool: str) -> str:
    if tool == "pdftotext":
        return _pdftotext(pdf)
    if tool == "pdftotext_layout":
        return _pdftotext(pdf, "-layout")
    if tool == "pdftotext_raw":
        return _pdftotext(pdf, "-raw")
    if tool == "pdfminer":
        return _pdfminer(pdf)
    if tool == "pdfplumber":
        return _pdfplumber(pdf)
    if tool == "pypdfium2":
        return _pypdfium2(pdf)
    if tool == "viewer":
        return _pdftotext(pdf).replace("\f", "")
    raise OfficeError(f"unknown tool {tool!r}")


def versions() -> dict[str, str]:
    poppler = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True)
    line = (poppler.stderr or poppler.stdout).splitlines()[0] if poppler.returncode == 0 else ""
    found = {"poppler": line.replace("pdftotext version ", "").strip()}
    for package in ("pdfminer.six", "pdfplumber", "pypdfium2"):
        found[package] = metadata.version(package)
    return found


def extract_relabelled(log=print) -> None:
    """corpora/relabelled_txt/<tool>/<name>.txt: the text of each relabelled PDF, with the
    gold of the PDF it was rewritten from (a new wording changes no item)."""
    for pdf in sorted(RELABELLED_PDFS.glob("*.pdf")):
        for tool in TOOLS:
            out = RELABELLED_TXT / tool / f"{pdf.stem}.txt"
            write_atomic(out, text_of(pdf, tool).encode("utf-8"))
        log(f"wrote {show(RELABELLED_TXT)}/<tool>/{pdf.stem}.txt")
    for tool in TOOLS:
        write_gold(RELABELLED_TXT / tool, ".txt", f"relabelled_{tool}")


def extract_all(log=print) -> None:
    extract_relabelled(log)
    used = versions()
    for pdf_dir, txt_root in BATCHES:
        gold = json.loads((pdf_dir / "gold.json").read_text(encoding="utf-8"))
        for tool in TOOLS:
            out = txt_root / tool
            docs, munis = [], []
            for doc in gold["documents"]:
                pdf = pdf_dir / doc["file"]
                name = f"{Path(doc['file']).stem}.txt"
                text = text_of(pdf, tool)
                # written as the tool writes it: bytes as they come (pypdfium2 keeps CRLF)
                write_atomic(out / name, text.encode("utf-8"))
                entry = {k: v for k, v in doc.items() if k != "exported_from"}
                entry.update(
                    file=name,
                    held_out=bool(doc.get("held_out")),
                    tool=tool,
                    extracted_from={
                        "file": doc["file"],
                        "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest(),
                    },
                )
                docs.append(entry)
            for muni in gold["municipalities"]:
                munis.append({**muni, "file": f"{Path(muni['file']).stem}.txt"})
            tool_gold = {
                "batch": f"{gold['batch']}_{tool}",
                "documents": docs,
                "municipalities": munis,
                "versions": used,
            }
            write_atomic(out / "gold.json", gold_json(tool_gold))
            stale = remove_stale(out, "*.txt", {d["file"] for d in docs})
            log(
                f"wrote {show(out)}: {len(docs)} files"
                + (f", removed {len(stale)}" if stale else "")
            )
