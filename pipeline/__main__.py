"""Command line: `python -m pipeline COMMAND …` (see `--help`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .config import DEFAULT_CONFIG, PROJECT_ROOT, load_settings
from .errors import PipelineError

DEFAULT_BATCH = PROJECT_ROOT / "corpora" / "sample"


def _run(args: argparse.Namespace) -> int:
    from .batch import run_batch

    batch = Path(args.batch)
    if not batch.is_dir():
        print(f"error: {batch} is not a folder of report files (.pdf, .txt)", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else PROJECT_ROOT / "outputs" / batch.resolve().name
    settings = load_settings(Path(args.config))
    summary = run_batch(batch, out, settings, progress=False if args.quiet else None)
    failed = [r for r in summary.results if r.status != "ok"]
    items = sum(len(r.items) for r in summary.results)
    print(
        f"{len(summary.results)} files: {summary.ok} ok, {len(failed)} not processed; "
        f"{items} items → {out}"
    )
    for r in failed:
        print(f"  {r.source}: {r.status}: {r.error}", file=sys.stderr)
    warnings = sum(len(r.warnings) for r in summary.results)
    if warnings:
        print(f"  {warnings} warnings (see {out / 'run.json'})", file=sys.stderr)
    if not summary.results:
        print(f"error: no .pdf or .txt files found under {batch}", file=sys.stderr)
        return 1
    if summary.ok == 0:
        print("error: no file could be processed (reasons in documents.csv)", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import evaluate

    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn 伴走支援 report slides (PDF, TXT) into blocks, items and themes.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="process a batch folder and write its tables",
        description="Process every .pdf and .txt under BATCH (recursively) and write "
        "documents.csv, blocks.csv, items.csv, themes.csv and run.json.",
    )
    run.add_argument(
        "batch",
        nargs="?",
        default=str(DEFAULT_BATCH),
        help="folder of report files (default: corpora/sample)",
    )
    run.add_argument(
        "--out", metavar="DIR", help="output folder (default: outputs/<batch folder name>)"
    )
    run.add_argument(
        "--config",
        metavar="FILE",
        default=str(DEFAULT_CONFIG),
        help="pipeline config (default: configs/pipeline.yaml)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)

    ev = commands.add_parser(
        "evaluate",
        help="score a run's outputs against gold annotations",
        description="Score OUTPUT_DIR against gold: municipalities, blocks, items, themes, "
        "overall and per layout variant.",
    )
    evaluate.configure_parser(ev)
    ev.set_defaults(handler=evaluate.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    try:
        return args.handler(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: earlier outputs are left as they were", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
