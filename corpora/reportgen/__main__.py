"""python -m corpora.reportgen [--sources DIR] [--out DIR] [--fiscal-year YEAR] [--limit N]
(make generate): docs/corpus.md."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipeline.config.paths import PROJECT_ROOT
from pipeline.core.era import parse_fiscal_year

from .build import build
from .style import GenerateError


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m corpora.reportgen",
        description="Render the sample corpus from hand-written sources: slide PDFs imitating "
        "PowerPoint exports, and their gold annotations (see docs/corpus.md). Output is "
        "byte-identical across runs. Prints one line per file written (pages, municipalities, "
        "items); exits with status 2 and a one-line message naming the file and the problem "
        "when a source, the manifest or a layout is wrong.",
    )
    parser.add_argument(
        "--sources",
        type=Path,
        metavar="DIR",
        default=PROJECT_ROOT / "corpora" / "sources",
        help="folder holding batch.yaml (the manifest) and the <id>.yaml sources it names "
        "(default: corpora/sources)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=PROJECT_ROOT / "corpora" / "sample",
        help="folder for the PDFs and their gold.json; PDFs the manifest no longer lists are "
        "removed (default: corpora/sample)",
    )
    parser.add_argument(
        "--fiscal-year",
        type=_year,
        metavar="YEAR",
        help="only the documents whose sources are of this fiscal year (2022, 令和4年度, R4), "
        "e.g. a batch of one year for `python -m pipeline catalog`; each PDF is byte-identical "
        "to the whole sample's",
    )
    parser.add_argument(
        "--limit", type=_positive, metavar="N", help="only the first N documents (manifest order)"
    )
    return parser.parse_args(argv)


def _year(text: str) -> int:
    year = parse_fiscal_year(text)
    if year is None:
        raise argparse.ArgumentTypeError(f"not a fiscal year: {text!r} (e.g. 2022 or 令和4年度)")
    return year


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of 1 or more, got {text!r}")
    return int(text)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        build(args.sources, args.out, fiscal_year=args.fiscal_year, limit=args.limit)
    except GenerateError as exc:
        print(f"reportgen: error: {exc}", file=sys.stderr)
        return 2
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
