"""Command line: `python -m pipeline COMMAND …` (see `--help`)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

from pipeline.config.paths import CONFIG_HELP, DISTRIBUTION, default_outputs, find_config
from pipeline.config.settings import load_settings
from pipeline.core.errors import PipelineError

# The checkout's sample batch, when the command runs in a checkout's root folder.
SAMPLE_BATCH = Path("corpora") / "sample"


def _run(args: argparse.Namespace) -> int:
    from pipeline.runner.batch import load_batch_options, run_batch
    from pipeline.runner.cache import DEFAULT_CACHE_DIR

    if args.batch is None and not SAMPLE_BATCH.is_dir():
        print("error: name the folder of report files: run FOLDER", file=sys.stderr)
        return 2
    batch = Path(args.batch or SAMPLE_BATCH)
    if not batch.is_dir():
        print(
            f"error: {batch} is not a folder of report files (.pdf, .pptx, .docx, .txt)",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out) if args.out else default_outputs() / batch.resolve().name
    config = find_config(args.config, batch)
    settings = load_settings(config.path)
    options = load_batch_options(
        config.path,
        jobs=args.jobs,
        time_limit_s=args.time_limit,
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        progress=False if args.quiet else None,
    )
    cache = None if args.no_cache else (options.cache_dir or DEFAULT_CACHE_DIR)
    options = dataclasses.replace(options, cache_dir=cache)
    summary = run_batch(batch, out, settings, options=options, config=config)
    failed = [d for d in summary.documents if d.status != "ok"]
    items = sum(d.items for d in summary.documents)
    again = (
        f", {summary.reclassified} of them with themes given anew (rules or labels changed)"
        if summary.reclassified
        else ""
    )
    print(
        f"{len(summary.documents)} files: {summary.ok} ok, {len(failed)} not processed; "
        f"{items} items → {out} ({summary.cache_hits} from cache{again}, outputs {summary.outputs})"
    )
    for d in failed:
        print(f"  {d.source}: {d.status}: {d.error}", file=sys.stderr)
    warnings = sum(len(d.warnings) for d in summary.documents)
    if warnings:
        print(f"  {warnings} warnings (see {out / 'run.json'})", file=sys.stderr)
    if not summary.documents:
        print(f"error: no .pdf, .pptx, .docx or .txt files found under {batch}", file=sys.stderr)
        return 1
    if summary.ok == 0:
        print("error: no file could be processed (reasons in documents.csv)", file=sys.stderr)
        return 1
    return 0


def _count(kind: type):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
        return value

    return parse


def _base_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    # the console script and `python -m pipeline` are the same command
    called = Path(sys.argv[0]).stem
    parser = argparse.ArgumentParser(
        prog=DISTRIBUTION if called == DISTRIBUTION else "python -m pipeline",
        description="Turn 伴走支援 report slides (PDF, PPTX, DOCX, TXT) into blocks, items and themes.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    return parser, commands


def _add_run(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="process a batch folder and write its tables",
        description="Process every .pdf, .pptx, .docx and .txt under BATCH (recursively) and write "
        "documents.csv, blocks.csv, items.csv, themes.csv, theme_matrix.csv, review.csv, "
        "report.xlsx, documents/blocks/items.parquet and run.json. A batch.yaml in BATCH "
        "may state the fiscal year of all its files (fiscal_year: 2022). Files already processed with the same settings and code are read "
        "from the cache; the outputs are replaced all at once at the end, so an "
        "interrupted run leaves the previous ones as they were.",
    )
    run.add_argument(
        "batch",
        nargs="?",
        help="folder of report files (default in a checkout: corpora/sample)",
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        help="output folder (default: outputs/<batch folder name> in the current folder)",
    )
    run.add_argument(
        "--config",
        metavar="FILE",
        help=f"pipeline config, or the folder holding it (default: {CONFIG_HELP})",
    )
    run.add_argument(
        "--jobs",
        metavar="N",
        type=_count(int),
        help="worker processes (default: batch.jobs in the config, else one per CPU core; "
        "1 runs everything in this process)",
    )
    run.add_argument(
        "--time-limit",
        metavar="SECONDS",
        type=_count(float),
        help="stop a file that takes longer and report it as an error (default: "
        "batch.time_limit_s in the config, 300; 0: no limit)",
    )
    run.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where each file's results are cached (default: batch.cache_dir in the "
        "config, else the user cache folder's documents/; `cache` shows where)",
    )
    run.add_argument(
        "--no-cache", action="store_true", help="process every file again; cache nothing"
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)


def _run_parser() -> argparse.ArgumentParser:
    """Only the `run` command: `python -m pipeline run` then imports none of the other
    commands' modules (pandas, matplotlib), so a fully cached run starts at once."""
    parser, commands = _base_parser()
    _add_run(commands)
    return parser


def build_parser() -> argparse.ArgumentParser:
    from pipeline.cli import inspect as inspect_page
    from pipeline.cli import views as cli_views
    from pipeline.evaluation import items as evaluate

    parser, commands = _base_parser()
    _add_run(commands)

    ev = commands.add_parser(
        "evaluate",
        help="score a run's outputs against gold annotations",
        description="Score OUTPUT_DIR against gold: municipalities, blocks, items, themes, "
        "overall and per layout variant.",
    )
    evaluate.configure_parser(ev)
    ev.set_defaults(handler=evaluate.run)

    from pipeline.evaluation import inputs as evaluate_inputs

    evi = commands.add_parser(
        "evaluate-inputs",
        help="score reading (blocks, items) of every sample batch, one row per input kind",
    )
    evaluate_inputs.configure_parser(evi)
    evi.set_defaults(handler=evaluate_inputs.run)

    ins = commands.add_parser(
        "inspect",
        help="show how one page was read: regions, blocks, items, and an annotated PNG",
        description="Print the regions, blocks and items found on one page of FILE and, "
        "for a PDF, write a PNG of the page with the regions outlined and labelled.",
    )
    inspect_page.configure_parser(ins)
    ins.set_defaults(handler=inspect_page.run)

    from pipeline.evaluation import themes as theme_evaluation

    evt = commands.add_parser(
        "evaluate-themes",
        help="cross-validate theme classification (rules, model, combined) on gold",
        description="Per-theme precision, recall and F1, micro/macro-F1 of the coding "
        "rules alone, the trained model alone and both combined, by cross-validation "
        "grouped by municipality; prints a table and writes a JSON.",
    )
    theme_evaluation.configure_parser(evt)
    evt.set_defaults(handler=theme_evaluation.run)
    cli_views.add_commands(commands)  # figures, report, crosstab, kwic (read outputs only)

    from pipeline.cli import catalog as cli_catalog

    cli_catalog.add_commands(commands)  # catalog, trends (across batches)

    from pipeline.cli import cache as cache_command

    cache = commands.add_parser(
        "cache",
        help="show how large the caches are, or clear them (--clear)",
        description="Entries and size of the document cache (bounded by batch.cache_limit_mb "
        "in the config; least recently used first out), the trained theme models and the "
        "built user dictionaries in the user cache folder; --clear empties the document "
        "cache, --clear-all the three.",
    )
    cache_command.configure_parser(cache)
    cache.set_defaults(handler=cache_command.run)

    from pipeline.cli import init_config

    init = commands.add_parser(
        "init-config",
        help="write an editable copy of the default configuration into DIR",
        description="Copy the packaged configs (pipeline.yaml, blocks.yaml, themes.yaml, "
        "userdict.yaml, …) into DIR. A run uses configs/pipeline.yaml in or beside its "
        "batch folder, else in the current folder, before the packaged defaults; --config "
        "names one outright.",
    )
    init_config.configure_parser(init)
    init.set_defaults(handler=init_config.run)

    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _run_parser() if argv[:1] == ["run"] else build_parser()
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
