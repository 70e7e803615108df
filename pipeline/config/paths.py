"""Where a run finds its configuration and keeps its caches, in a checkout or installed.

The configuration a run uses is the first of: `--config FILE`; `configs/pipeline.yaml`
in the batch folder or beside it; `configs/pipeline.yaml` in the current folder; the
defaults that ship inside the package (`pipeline/configs`, the checkout's `configs/`
folder, copied there by the wheel). `init-config DIR` writes an editable copy of those.

Caches go to the user's cache folder (platformdirs: ~/.cache/bansou-reports on Linux,
%LOCALAPPDATA%\\bansou-reports\\Cache on Windows) unless `--cache-dir` or the config's
`batch.cache_dir` says otherwise; PIPELINE_CACHE_DIR overrides the default for every
command (the tests use it to keep their caches apart).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DISTRIBUTION = "bansou-reports"
CONFIG_FOLDER = "configs"
CONFIG_FILE = "pipeline.yaml"
# The source tree the package was imported from, when it was (a checkout, an editable
# install); in an installed wheel this folder holds no configs/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def packaged_config_dir() -> Path:
    """The default configuration: `pipeline/configs` of an installed wheel, or the
    checkout's `configs/` (which the wheel copies) when the package runs from source."""
    try:
        # a data folder without __init__.py: a namespace package, whose files() is a
        # MultiplexedPath; a file joined to it is a plain path on disk
        folder = Path(str(resources.files("pipeline.configs").joinpath(CONFIG_FILE))).parent
    except ModuleNotFoundError:
        folder = PROJECT_ROOT / CONFIG_FOLDER
    if not (folder / CONFIG_FILE).is_file():
        folder = PROJECT_ROOT / CONFIG_FOLDER
    return folder


DEFAULT_CONFIG = packaged_config_dir() / CONFIG_FILE


CONFIG_HELP = "configs/pipeline.yaml in or beside the batch, else in the current folder, else the packaged defaults"


@dataclass(frozen=True)
class ConfigChoice:
    """The pipeline.yaml a run uses and why that one (recorded in run.json)."""

    path: Path
    source: str  # "--config", "batch", "current folder" or "packaged"


def find_config(
    explicit: str | Path | None = None, batch: Path | None = None, cwd: Path | None = None
) -> ConfigChoice:
    if explicit:
        # init-config writes a folder: naming the folder means its pipeline.yaml
        path = Path(explicit)
        return ConfigChoice(path / CONFIG_FILE if path.is_dir() else path, "--config")
    candidates: list[tuple[Path, str]] = []
    if batch is not None:
        batch = Path(batch)
        candidates += [(batch / CONFIG_FOLDER, "batch"), (batch.parent / CONFIG_FOLDER, "batch")]
    candidates.append((Path(cwd or Path.cwd()) / CONFIG_FOLDER, "current folder"))
    for folder, source in candidates:
        if (folder / CONFIG_FILE).is_file():
            return ConfigChoice(folder / CONFIG_FILE, source)
    return ConfigChoice(DEFAULT_CONFIG, "packaged")


def cache_root() -> Path:
    """The folder every cache lives under unless a command is told otherwise."""
    override = os.environ.get("PIPELINE_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path(DISTRIBUTION, appauthor=False)


def cache_dir(kind: str) -> Path:
    """`documents` (each file's results), `models` (trained theme models) or `userdict`
    (the compiled domain dictionary)."""
    return cache_root() / kind


def default_outputs() -> Path:
    """`outputs/` in the current folder: where a run writes unless --out says otherwise."""
    return Path.cwd() / "outputs"
