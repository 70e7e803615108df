"""python -m corpora.reportgen [--sources DIR] [--out DIR] (make generate): docs/corpus.md."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipeline.config.paths import PROJECT_ROOT

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
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        build(args.sources, args.out)
    except GenerateError as exc:
        print(f"reportgen: error: {exc}", file=sys.stderr)
        return 2
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
