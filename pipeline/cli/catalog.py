"""`python -m pipeline catalog` and `trends`: every batch's last run in one DuckDB
database, and themes across fiscal years read from it (README "Across batches and years")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# in the current folder, where `run` writes by default
DEFAULT_OUTPUTS = "outputs"


def _refresh(args: argparse.Namespace, quiet: bool = False):
    from pipeline.views.catalog import default_path, update_catalog

    outputs = Path(args.outputs)
    path = Path(args.db) if args.db else default_path(outputs)
    update = update_catalog(outputs, path, log=(lambda _: None) if quiet else print)
    if update.review is not None and not quiet:
        print(
            f"review list of every batch, most doubtful first: {update.review_rows} rows "
            f"→ {update.review}"
        )
    return update, path


def _catalog(args: argparse.Namespace) -> int:
    update, _ = _refresh(args)
    print(update.summary() if update.changed else f"{update.summary()}: nothing changed")
    return 0


def _trends(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.views.trends import ALL, catalog_items, trends
    from pipeline.views.trends_page import write_trends

    update, path = _refresh(args, quiet=True)
    if update.changed:
        print(update.summary(), file=sys.stderr)
    result = trends(catalog_items(path, args.block), args.block, args.by)
    with duckdb.connect(str(path), read_only=True) as con:
        runs = con.execute("SELECT * FROM runs ORDER BY batch").df()
    folder = Path(args.outputs) / "trends"
    written = write_trends(result, folder, runs)
    table = (result.table(ALL) * 100).round(1)
    table.index = [result.labels[t] for t in table.index]
    tests = result.tests.set_index("label")[["p", "q", "note"]]
    shown = table.join(tests)
    import pandas as pd

    with pd.option_context(
        "display.unicode.east_asian_width", True, "display.width", 200,
        "display.max_columns", None, "display.max_rows", None,
    ):  # fmt: skip
        print(f"share of {args.block} items per theme (%), by {args.by}:")
        print(shown.to_string())
    print(result.summary())
    print(f"{len(written)} files → {folder} (trends.html)")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "outputs",
        nargs="?",
        default=DEFAULT_OUTPUTS,
        metavar="OUTPUTS",
        help="the folder holding one output folder per batch (default: outputs)",
    )
    parser.add_argument(
        "--db", metavar="PATH", help="the catalog database (default: OUTPUTS/catalog.duckdb)"
    )


def add_commands(commands) -> None:
    cat = commands.add_parser(
        "catalog",
        help="put the last complete run of every batch under OUTPUTS into one DuckDB database",
        description="Keep OUTPUTS/catalog.duckdb up to date with the last complete run of each "
        "batch folder under OUTPUTS: tables runs, documents, blocks, items and review, each "
        "with the batch and run id. Only what changed is read again: a new batch is added, a "
        "re-run batch replaced, a batch whose folder is gone dropped; all in one transaction. "
        "Also writes OUTPUTS/review.csv: every batch's review list as one, most doubtful first.",
    )
    _common(cat)
    cat.set_defaults(handler=_catalog)

    tr = commands.add_parser(
        "trends",
        help="themes by fiscal year (or batch) across the catalog, with chi-square tests",
        description="Refresh the catalog, then write OUTPUTS/trends/: the share of a block's "
        "items per theme by fiscal year (all municipalities, and each municipality of several "
        "years side by side), a chi-square test of a change per theme, the items behind every "
        "share (items.csv), figures and trends.html. Items of unknown fiscal year are counted "
        "as 不明 and left out of the tests.",
    )
    _common(tr)
    tr.add_argument(
        "--block", default="課題意識", help="the block whose items are counted (default: 課題意識; "
        "all: every block)"
    )  # fmt: skip
    tr.add_argument(
        "--by",
        choices=("fiscal_year", "batch"),
        default="fiscal_year",
        help="compare fiscal years (default) or batches",
    )
    tr.set_defaults(handler=_trends)
