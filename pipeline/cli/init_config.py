"""`init-config DIR`: an editable copy of the packaged configuration.

A run finds `configs/pipeline.yaml` in or beside its batch folder, or in the current
folder, before the packaged defaults (config/paths.py), so `init-config configs` in the
folder an analyst works from makes the copy the one every later run uses.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from pipeline.config.paths import CONFIG_FILE, packaged_config_dir
from pipeline.config.settings import load_settings
from pipeline.output.files import write_atomic


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder", metavar="DIR", help="where to write the copy (e.g. configs; made if missing)"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite files that are already there"
    )


def run(args: argparse.Namespace) -> int:
    target = Path(args.folder)
    source = packaged_config_dir()
    files = sorted(p for p in source.glob("*.yaml") if p.is_file())
    there = [p.name for p in files if (target / p.name).exists()]
    if there and not args.force:
        print(
            f"error: {target} already holds {', '.join(there)}; pass --force to overwrite",
            file=sys.stderr,
        )
        return 2
    target.mkdir(parents=True, exist_ok=True)
    for path in files:
        write_atomic(target / path.name, lambda tmp, path=path: shutil.copyfile(path, tmp))
    # The copy names the theme model's training data relative to itself; where that data
    # is not beside the copy, it falls back to the packaged one (config/themes.py).
    load_settings(target / CONFIG_FILE)  # the copy loads: a broken package fails here
    print(f"{len(files)} files → {target} (from {source}); edit them, then run from here")
    return 0
