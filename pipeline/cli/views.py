"""Sub-commands of the analyst's views: figures, report, crosstab, kwic.

They read a finished run's CSV files (never spaCy), so they are quick and can be re-run
after editing nothing but a figure. Heavy imports (matplotlib, scipy) happen inside the
handlers, so `python -m pipeline run` does not pay for them.
"""

from __future__ import annotations

import argparse
import sys

from pipeline.core.contract import FOCUS_BLOCKS

BATCH_HELP = (
    "the run's output folder (e.g. outputs/sample), or the batch folder or name, "
    "whose outputs are then read from outputs/<name>"
)


def _outputs(args: argparse.Namespace):
    from pipeline.views.outputs import load_outputs, resolve_out_dir

    return load_outputs(resolve_out_dir(args.batch, args.out))


def _figures(args: argparse.Namespace) -> int:
    from pipeline.views.figures import write_figures
    from pipeline.views.network import label_overlaps, node_labels

    def overlaps(name, fig) -> None:  # the networks promise labels that do not overlap
        if labels := node_labels(fig):
            pairs = label_overlaps(fig)
            shown = "; ".join(" / ".join(pair) for pair in pairs[:5])
            print(f"{name}: {len(labels)} labels, {len(pairs)} overlapping pairs {shown}".rstrip())

    outputs = _outputs(args)
    paths = write_figures(outputs, drawn=overlaps)
    print(f"{len(paths)} files → {outputs.out_dir / 'figures'}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from pipeline.views.report import write_report

    path = write_report(_outputs(args))
    print(f"report → {path}")
    return 0


def _crosstab(args: argparse.Namespace) -> int:
    from pipeline.views.crosstab import crosstab, csv_path, write_crosstab

    outputs = _outputs(args)
    table = crosstab(outputs.items, args.rows, args.cols, args.block, outputs.labels())
    print(table.to_text())
    path = write_crosstab(table, args.csv or csv_path(outputs.out_dir, table))
    print(f"cells with their item ids → {path}")
    return 0


def _kwic(args: argparse.Namespace) -> int:
    from pipeline.views.kwic import format_kwic, kwic

    outputs = _outputs(args)
    lines = kwic(outputs.items, args.word, args.block, args.municipality, args.width)
    if lines.empty:
        where = f" in {args.block}" if args.block else ""
        print(f"no item has the word {args.word!r}{where}", file=sys.stderr)
        return 1
    print(format_kwic(lines, args.width))
    print(f"{len(lines)} lines", file=sys.stderr)
    return 0


def _discover(args: argparse.Namespace) -> int:
    from pipeline.views.discover import discover, summary_lines, write_discovery

    outputs = _outputs(args)
    blocks = tuple(args.block) if args.block else FOCUS_BLOCKS
    found = discover(outputs, blocks, k=args.topics, seed=args.seed)
    print("\n".join(summary_lines(found)))
    folder = outputs.out_dir / "discover"
    write_discovery(found, folder)
    print(f"topics.csv, topic_items.csv, coherence.csv, gaps.csv, topics.png → {folder}")
    print("report.html shows them once `python -m pipeline report` is run again", file=sys.stderr)
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("batch", metavar="BATCH", help=BATCH_HELP)
    parser.add_argument("--out", metavar="DIR", help="read this output folder instead")


def add_commands(commands) -> None:
    """Register the sub-commands on the main parser's sub-parsers."""
    from pathlib import Path

    fig = commands.add_parser(
        "figures",
        help="draw the batch's figures (PNG and SVG) into <outputs>/figures/",
        description="Heatmap of themes × municipalities (課題意識), themes by block, "
        "co-occurrence networks of themes and of frequent words.",
    )
    _common(fig)
    fig.set_defaults(handler=_figures)

    rep = commands.add_parser(
        "report",
        help="write the self-contained report.html of a batch",
        description="One HTML page (no network needed): summary, warnings, heatmap, "
        "cross-tab, and each municipality's 課題意識 and 到達点 items with a theme filter.",
    )
    _common(rep)
    rep.set_defaults(handler=_report)

    ct = commands.add_parser(
        "crosstab",
        help="cross-tabulate items (counts, row %%, chi-square, residuals)",
        description="Counts with row percentages, Pearson chi-square, adjusted standardized "
        "residuals (+ / - beyond ±1.96) and Fisher's exact test for a sparse 2×2 table. "
        "Writes the cells with their item ids to a CSV.",
    )
    _common(ct)
    ct.add_argument("--rows", default="municipality", help="items.csv column or 'theme'")
    ct.add_argument("--cols", default="theme", help="items.csv column or 'theme'")
    ct.add_argument("--block", help="only items of this block (e.g. 課題意識)")
    ct.add_argument(
        "--csv", type=Path, help="CSV to write (default: <outputs>/crosstab/<rows>_x_<cols>.csv)"
    )
    ct.set_defaults(handler=_crosstab)

    kw = commands.add_parser(
        "kwic",
        help="keyword in context, matched by lemma (連携 finds 連携し)",
        description="Print each occurrence of WORD with its left and right context, "
        "municipality, block and page. Items match by lemma, so inflected forms are found.",
    )
    _common(kw)
    kw.add_argument("word", metavar="WORD", help="the word (a lemma, e.g. 連携 or 話し合う)")
    kw.add_argument("--block", help="only items of this block (e.g. 課題意識)")
    kw.add_argument("--municipality", help="only items of this municipality")
    kw.add_argument("--width", type=int, default=20, help="characters of context (default 20)")
    kw.set_defaults(handler=_kwic)

    disc = commands.add_parser(
        "discover",
        help="topics over the items (NMF), K by coherence, candidate new themes flagged",
        description="A topic model over a finished run's items (lemmas and compound phrases "
        "from items.csv; nothing is re-analysed): NMF with a fixed seed, K chosen by the "
        "mean NPMI of each topic's top words unless --topics is given. For each topic: "
        "top words with weights, its most representative items, the share of its items no "
        "theme covers and the themes of the others; a topic with far more items without a "
        "theme than the batch has is flagged as a candidate new theme, at every K tried "
        "(gaps.csv: one row per gap, with the K that show it). Writes <outputs>/discover/ "
        "(topics.csv, topic_items.csv, coherence.csv, gaps.csv, topics.png); report.html "
        "shows it.",
    )
    _common(disc)
    disc.add_argument(
        "--block",
        action="append",
        help=f"only items of this block; repeat for several (default: {'・'.join(FOCUS_BLOCKS)})",
    )
    disc.add_argument(
        "--topics", type=int, metavar="K", help="the number of topics (default: chosen)"
    )
    disc.add_argument("--seed", type=int, default=0, help="NMF's seed (default 0)")
    disc.set_defaults(handler=_discover)
