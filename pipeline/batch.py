"""The batch runner: discover files, run every stage per document, collect, write.

This is the only module that knows about batches: it loops over files, reports
progress and turns a failing file into a row of documents.csv. The per-document
stages (`process_document`) are pure functions of a file and the settings.
"""

from __future__ import annotations

import hashlib
import logging
import platform
import sys
import time
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from tqdm import tqdm

from . import tables
from .analyze import analyze
from .classify.rules import classify
from .config import Settings
from .errors import DocumentError, UnreadableFileError
from .export import write_csv, write_json
from .extract.pdf import extract_pdf
from .extract.text import extract_text_file
from .records import DocumentResult
from .segment.blocks import segment
from .segment.items import itemize

log = logging.getLogger(__name__)

SUFFIXES = (".pdf", ".txt")


@dataclass
class RunSummary:
    out_dir: Path
    results: list[DocumentResult]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return sum(1 for r in self.results if r.status == "ok")


def discover(batch_dir: Path) -> list[Path]:
    """Report files under the batch folder, recursively, in a stable order."""
    return sorted(
        p
        for p in batch_dir.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def process_document(
    path: Path, source: str, settings: Settings, timings: dict[str, float] | None = None
) -> DocumentResult:
    """Every stage for one file. Raises DocumentError when the file can't be read."""
    timings = timings if timings is not None else {}
    sha = sha256_of(path)
    doc_id = f"d{sha[:10]}"
    with _timed(timings, "extract"):
        if path.stat().st_size == 0:
            raise UnreadableFileError("the file is empty (0 bytes)")
        if path.suffix.lower() == ".pdf":
            document = extract_pdf(path, doc_id, source, sha, settings.extract)
        else:
            document = extract_text_file(path, doc_id, source, sha)
    with _timed(timings, "segment"):
        blocks = segment(document, settings.blocks)
        items = [item for block in blocks for item in itemize(block, settings.blocks)]
    with _timed(timings, "analyze"):
        analyze(items, settings.analyze)
    with _timed(timings, "classify"):
        classify(items, settings.themes)
    status = "ok" if items else "unrecognized"
    return DocumentResult(
        doc_id=doc_id,
        source=source,
        sha256=sha,
        pages=len(document.pages),
        status=status,
        error="" if items else "no blocks or items recognised: is this a 伴走支援 report?",
        blocks=blocks,
        items=items,
        warnings=[f"{source}: {w}" for w in document.warnings],
    )


class _timed:
    def __init__(self, timings: dict[str, float], stage: str):
        self.timings, self.stage = timings, stage

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        elapsed = time.perf_counter() - self.start
        self.timings[self.stage] = self.timings.get(self.stage, 0.0) + elapsed
        return False


def _failed(path: Path, source: str, status: str, reason: str) -> DocumentResult:
    sha = sha256_of(path)
    return DocumentResult(
        doc_id=f"d{sha[:10]}", source=source, sha256=sha, pages=0, status=status, error=reason
    )


def run_batch(
    batch_dir: Path, out_dir: Path, settings: Settings, progress: bool | None = None
) -> RunSummary:
    """Process every report file of a batch and write the tables to out_dir."""
    started = time.perf_counter()
    files = discover(batch_dir)
    timings: dict[str, float] = {}
    results: list[DocumentResult] = []
    show = sys.stderr.isatty() if progress is None else progress
    for path in tqdm(files, desc="documents", unit="file", disable=not show):
        source = path.relative_to(batch_dir).as_posix()
        try:
            results.append(process_document(path, source, settings, timings))
        except DocumentError as exc:
            results.append(_failed(path, source, exc.status, str(exc)))
        except Exception as exc:  # one bad file must not stop the batch
            log.debug("unexpected error in %s:\n%s", source, traceback.format_exc())
            reason = f"unexpected error ({type(exc).__name__}: {exc}); please report it"
            results.append(_failed(path, source, "error", reason.replace("\n", " ")))
    timings["total"] = time.perf_counter() - started
    summary = RunSummary(out_dir=out_dir, results=results, timings=timings)
    write_outputs(summary, settings, batch_dir)
    return summary


def write_outputs(summary: RunSummary, settings: Settings, batch_dir: Path) -> None:
    results = summary.results
    blocks = [b for r in results for b in r.blocks]
    items = [i for r in results for i in r.items]
    out = summary.out_dir
    write_csv(tables.documents_table(results), out / "documents.csv")
    write_csv(tables.blocks_table(blocks), out / "blocks.csv")
    write_csv(tables.items_table(items, settings.themes), out / "items.csv")
    write_csv(tables.themes_table(items, settings.themes), out / "themes.csv")
    write_json(_run_record(summary, settings, batch_dir, blocks, items), out / "run.json")


def _run_record(summary, settings, batch_dir, blocks, items) -> dict:
    statuses: dict[str, int] = {}
    for r in summary.results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return {
        "batch": str(batch_dir),
        "config_digest": settings.digest,
        "versions": _versions(),
        "counts": {
            "files": len(summary.results),
            "statuses": statuses,
            "municipalities": len({b.municipality for b in blocks}),
            "blocks": len(blocks),
            "items": len(items),
        },
        "timings_s": {k: round(v, 3) for k, v in summary.timings.items()},
        "warnings": [w for r in summary.results for w in r.warnings],
    }


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("pipeline", "pdfplumber", "spacy", "ginza", "ja-ginza", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions
