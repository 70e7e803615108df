"""`python -m pipeline cache`: how large the caches under .cache/ are, and clearing them.

The document cache holds each file's extracted, segmented and analysed result (bounded by
`batch.cache_limit_mb`; least recently used entries go first); the model cache the trained
theme models; the dictionary cache the built Sudachi user dictionaries. Clearing them
loses nothing: the next run computes what it needs again.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from pipeline.config.paths import CONFIG_HELP, find_config
from pipeline.runner import cache as document_cache
from pipeline.runner.batch import load_batch_options
from pipeline.stages.analyze.userdict import DEFAULT_CACHE_DIR as USERDICT_CACHE
from pipeline.stages.classify.model import DEFAULT_CACHE_DIR as MODEL_CACHE


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clear", action="store_true", help="remove every cached document result")
    parser.add_argument(
        "--clear-all",
        action="store_true",
        help="also remove the trained theme models and the built user dictionaries",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the document cache (default: batch.cache_dir in the config, else "
        f"{document_cache.DEFAULT_CACHE_DIR}, as `run --cache-dir`)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"for batch.cache_limit_mb and batch.cache_dir (default: {CONFIG_HELP})",
    )


def _folder_usage(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def run(args: argparse.Namespace) -> int:
    options = load_batch_options(find_config(args.config).path)
    documents = Path(args.cache_dir or options.cache_dir or document_cache.DEFAULT_CACHE_DIR)
    limit = options.cache_limit_mb
    if args.clear or args.clear_all:
        count, size = document_cache.clear(documents)
        print(f"documents: removed {count} entries ({_mb(size)}) from {documents}")
        for name, root in (("models", MODEL_CACHE), ("dictionaries", USERDICT_CACHE)):
            if not args.clear_all:
                break
            count, size = _folder_usage(root)
            shutil.rmtree(root, ignore_errors=True)
            print(f"{name}: removed {count} files ({_mb(size)}) from {root}")
        return 0
    count, size = document_cache.usage(documents)
    bound = f"limit {limit:,.0f} MB" if limit else "no limit"
    print(f"documents: {count} entries, {_mb(size)} ({bound}) in {documents}")
    for name, root in (("models", MODEL_CACHE), ("dictionaries", USERDICT_CACHE)):
        count, size = _folder_usage(root)
        print(f"{name}: {count} files, {_mb(size)} in {root}")
    return 0
