"""How well each input kind is read: blocks and items of every sample batch against gold.

`python -m pipeline evaluate-inputs` reads every file of the committed sample batches up to
items (no analysis: what is scored is reading, not themes), and prints one row per input
kind: the reportlab PDFs, the PDFs LibreOffice exported from the office sample (Impress
decks, Writer reports), the .pptx and .docx files themselves, and the text each real
extractor wrote from both kinds of PDF. Each row gives the part the readers were developed
on and, apart, the part held out of their development (`held_out` in gold.json,
docs/corpus.md): the second is the figure to expect on reports nobody has seen.

Scoring is `evaluate`'s (docs/corpus.md, "How a run is scored"): block recall over
(municipality, block, session), exact and fuzzy item F1 within those keys.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.config.paths import PROJECT_ROOT
from pipeline.config.settings import load_settings
from pipeline.core.errors import DocumentError
from pipeline.evaluation.gold import (
    BlockRecord,
    Gold,
    ItemRecord,
    make_key,
    normalize_text,
    parse_gold,
)
from pipeline.evaluation.items import Run, error_listing, format_errors, scope_figures
from pipeline.evaluation.matching import match_items
from pipeline.evaluation.text_table import number, table
from pipeline.output.files import write_json

CORPORA = PROJECT_ROOT / "corpora"
PARTS = ("dev", "held_out")


@dataclass(frozen=True)
class InputKind:
    name: str
    folder: Path  # a batch folder with its gold.json
    documents: str | None = None  # only gold documents of this kind (deck, report)


def input_kinds(corpora: Path = CORPORA) -> list[InputKind]:
    kinds = [
        InputKind("reportlab PDF", corpora / "sample"),
        InputKind("office PDF (Impress)", corpora / "office_pdf", "deck"),
        InputKind("office PDF (Writer)", corpora / "office_pdf", "report"),
        InputKind(".pptx", corpora / "office", "deck"),
        InputKind(".docx", corpora / "office", "report"),
        # sample office files with labels worded as no pattern knows (docs/corpus.md)
        InputKind("relabelled PDF (office)", corpora / "relabelled"),
    ]
    # one folder per extractor (corpora/officegen/extractors.py names them)
    tools = sorted(
        {p.name for folder in ("sample_txt", "office_txt") if (corpora / folder).is_dir()
         for p in (corpora / folder).iterdir() if p.is_dir()}
    )  # fmt: skip
    for tool in tools:
        kinds.append(InputKind(f"text {tool} (reportlab)", corpora / "sample_txt" / tool))
        kinds.append(InputKind(f"text {tool} (office)", corpora / "office_txt" / tool))
        kinds.append(InputKind(f"text {tool} (relabelled)", corpora / "relabelled_txt" / tool))
    return [k for k in kinds if (k.folder / "gold.json").is_file()]


@dataclass
class BatchRead:
    gold: dict
    blocks: dict[str, list[BlockRecord]]  # file → predicted blocks
    items: dict[str, list[ItemRecord]]
    failed: dict[str, str]  # file → reason
    seconds: float


def read_batch(folder: Path, settings, files: set[str] | None = None) -> BatchRead:
    """Every gold document of a batch folder read up to items."""
    from pipeline.stages.pipeline import read_file

    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    blocks: dict[str, list[BlockRecord]] = {}
    items: dict[str, list[ItemRecord]] = {}
    failed: dict[str, str] = {}
    started = time.perf_counter()
    for doc in gold["documents"]:
        name = doc["file"]
        if files is not None and name not in files:
            continue
        try:
            read = read_file(folder / name, settings)
        except DocumentError as exc:
            failed[name] = str(exc)
            read = None
        variant = doc["variant"]
        blocks[name] = [
            BlockRecord(variant, make_key(b.municipality, b.block, b.session))
            for b in (read.blocks if read else [])
        ]
        items[name] = [
            ItemRecord(
                variant=variant,
                municipality=i.municipality,
                block=i.block,
                session=make_key("", "", i.session)[2],
                text=i.text,
                themes=frozenset(),
                key=make_key(i.municipality, i.block, i.session),
                norm=normalize_text(i.text),
            )
            for i in (read.items if read else [])
        ]
    return BatchRead(gold, blocks, items, failed, time.perf_counter() - started)


def _subset(gold: dict, files: set[str]) -> Gold:
    return parse_gold(
        {
            "documents": [d for d in gold["documents"] if d["file"] in files],
            "municipalities": [m for m in gold["municipalities"] if m["file"] in files],
        }
    )


def score(read: BatchRead, files: set[str]) -> dict | None:
    """Figures over some files of a batch read (None when there are none)."""
    if not files:
        return None
    gold = _subset(read.gold, files)
    run = Run(
        blocks=[b for f in sorted(files) for b in read.blocks.get(f, [])],
        items=[i for f in sorted(files) for i in read.items.get(f, [])],
        documents=None,
    )
    matching = match_items(gold.items, run.items)
    figures = scope_figures(gold, run, matching, None)
    figures["files"] = len(files)
    figures["failed"] = {f: r for f, r in read.failed.items() if f in files}
    figures["errors"] = error_listing(gold, run, matching)
    return figures


def _read_folder(task: tuple[Path, frozenset[str]]) -> tuple[Path, BatchRead]:
    folder, files = task
    return folder, read_batch(folder, load_settings(), set(files))


def evaluate_inputs(parts=PARTS, corpora: Path = CORPORA, only: str | None = None,
                    jobs: int | None = None, names: set[str] | None = None) -> dict:  # fmt: skip
    """Figures per input kind and part; the batch folders are read by `jobs` processes.
    names: only the documents of these names (their file name without its extension)."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    plan = []
    wanted: dict[Path, set[str]] = {}
    for kind in input_kinds(corpora):
        if only and only not in kind.name:
            continue
        gold = json.loads((kind.folder / "gold.json").read_text(encoding="utf-8"))
        docs = [d for d in gold["documents"] if kind.documents in (None, d.get("kind"))]
        if names is not None:
            docs = [d for d in docs if Path(d["file"]).stem in names]
        by_part = {
            part: {d["file"] for d in docs if bool(d.get("held_out")) == (part == "held_out")}
            for part in parts
        }
        plan.append((kind, by_part))
        wanted.setdefault(kind.folder, set()).update(*by_part.values())
    tasks = [(folder, frozenset(files)) for folder, files in wanted.items()]
    workers = max(1, min(len(tasks), jobs or os.cpu_count() or 1))
    if workers == 1:
        reads = dict(map(_read_folder, tasks))
    else:
        with ProcessPoolExecutor(workers) as pool:
            reads = dict(pool.map(_read_folder, tasks))
    result = {}
    for kind, by_part in plan:
        folder = kind.folder
        result[kind.name] = {
            "folder": str(folder.relative_to(PROJECT_ROOT))
            if folder.is_relative_to(PROJECT_ROOT)
            else str(folder),
            **{part: score(reads[folder], files) for part, files in by_part.items()},
        }
    return result


def format_table(result: dict, parts=PARTS) -> str:
    header = ["input"]
    for part in parts:
        label = "developed on" if part == "dev" else "held out"
        header += [f"{label}: files", "block R", "item F1", "fuzzy F1"]
    rows = []
    for name, entry in result.items():
        row = [name]
        for part in parts:
            fig = entry.get(part)
            if fig is None:
                row += ["-", "-", "-", "-"]
                continue
            row += [
                str(fig["files"]),
                number(fig["blocks"]["recall"]),
                number(fig["items_exact"]["f1"]),
                number(fig["items_fuzzy"]["f1"]),
            ]
        rows.append(row)
    lines = table(header, rows)
    failed = [
        f"  {name} ({part}): {file}: {reason}"
        for name, entry in result.items()
        for part in parts
        if entry.get(part)
        for file, reason in entry[part]["failed"].items()
    ]
    if failed:
        lines += ["", "files that could not be read:", *failed]
    return "\n".join(lines)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Read every committed sample batch up to items (no analysis) and score blocks and "
        "items against gold, one row per input kind: reportlab PDFs, office PDFs, .pptx, "
        ".docx and each extractor's text; the held-out part apart (docs/corpus.md)."
    )
    parser.add_argument(
        "--part",
        choices=("all", *PARTS),
        default="all",
        help="score only the part developed on (dev), only the held-out part, or both (default)",
    )
    parser.add_argument(
        "--only", metavar="TEXT", help="only the input kinds whose name contains TEXT"
    )
    parser.add_argument(
        "--documents",
        metavar="NAMES",
        help="only these documents, by file name without extension, comma-separated "
        "(r05_sayokawa,r05_report_set_k); a name matches in every batch that has it: the "
        "reportlab and office samples share some",
    )
    parser.add_argument(
        "--errors",
        metavar="N",
        type=int,
        default=0,
        help="also list up to N missed, spurious and near-miss items per input kind, of the "
        "part developed on (the held-out part's only with --part held_out: looking at them "
        "makes them in-sample)",
    )
    parser.add_argument(
        "--json", metavar="FILE", type=Path, help="write every figure and error list to FILE"
    )
    parser.add_argument(
        "--jobs",
        metavar="N",
        type=int,
        help="processes reading the batches (default: one per core)",
    )


def run(args: argparse.Namespace) -> int:
    parts = PARTS if args.part == "all" else (args.part,)
    names = {n.strip() for n in args.documents.split(",") if n.strip()} if args.documents else None
    result = evaluate_inputs(parts, only=args.only, jobs=args.jobs, names=names)
    if not result:
        print("error: no sample batch with a gold.json matches", file=sys.stderr)
        return 2
    if names and not any(entry.get(part) for entry in result.values() for part in parts):
        print(f"error: no document named {', '.join(sorted(names))} in that part", file=sys.stderr)
        return 2
    print(format_table(result, parts))
    if args.errors:
        # a held-out document's errors, once read, shape the readers: only when asked by name
        shown = parts if args.part == "held_out" else ("dev",)
        for name, entry in result.items():
            for part in shown:
                if entry.get(part):
                    print(f"\n== {name} ({part})")
                    print(format_errors(entry[part], args.errors))
    if args.json:
        write_json(result, args.json)
        print(f"\nwrote {args.json}")
    return 0
