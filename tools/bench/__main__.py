"""`python -m tools.bench`: the benchmark (outside the runtime package; `make bench`)."""

import argparse
import sys

from tools.bench import bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench",
        description="Generate scale batches from corpora/sources, measure analysis against "
        "the full ja_ginza pipeline, the stages' throughput, and cold and warm runs with "
        "their peak memory; print a table and write outputs/bench/bench.json.",
    )
    bench.configure_parser(parser)
    return bench.run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
