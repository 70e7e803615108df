"""Per-document results cache: one pickle per (file content, settings, code and libraries).

A document's result depends only on its bytes, the settings and the code that ran, so
that triple is the key. Re-running a batch then reads every unchanged file back from
the user cache folder's `documents/` (config/paths.py) instead of extracting and analysing it again; a fully cached run
never loads GiNZA. Nothing here imports the heavy stages.

The cache is local and written only by this pipeline, so pickle is safe to load here.
A damaged entry (a run killed mid-write cannot leave one: writes are atomic, but a disk
can) is treated as a miss and removed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pickle
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config.paths import cache_dir
from pipeline.config.settings import Settings
from pipeline.config.userdict import DEFAULT_USERDICT, userdict_path
from pipeline.core.fingerprint import code_hash, stage_fingerprint
from pipeline.core.records import DocumentResult

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = cache_dir("documents")
# Bump when the layout of a cache entry changes.
_FORMAT = "2"


def code_version() -> str:
    """What a cached document (extracted, segmented, analysed) depends on besides its
    bytes and settings: the code and libraries of those stages (core/fingerprint.py)."""
    return stage_fingerprint("analyze")


def tables_version() -> str:
    """What a run's tables depend on besides its inputs: every stage, the writers and
    the runner (not the views, the evaluation or the command line)."""
    return stage_fingerprint("classify") + code_hash(("output", "runner"))


def analysis_key(settings: Settings) -> str:
    """What in the settings changes a document's extraction, segmentation and analysis.

    The loaded settings themselves (every block rule and stage option) rather than the
    config files' digest, so that the `batch:` section (jobs, time limit) does not
    invalidate the cache; plus the domain dictionary the analysis installs. Not the
    themes: see themes_key.
    """
    loaded = dataclasses.replace(settings, digest="", themes=(), classifier=None, review=None)
    digest = hashlib.sha256(json.dumps(_canonical(loaded), ensure_ascii=False).encode())
    paths = [DEFAULT_USERDICT]
    if settings.analyze.get("userdict"):
        paths.append(userdict_path(settings.analyze))
    _add_files(digest, paths)
    return digest.hexdigest()[:16]


def themes_key(settings: Settings, data_files: Iterable[Path] = ()) -> str:
    """What the themes of analysed items depend on: the theme rules, the classifier's
    options and `data_files` (what the theme model is trained on), by content."""
    # the blind figures of a theme describe it; they change no item's themes
    themes = [
        dataclasses.replace(t, blind_precision=None, blind_recall=None) for t in settings.themes
    ]
    parts = [themes, settings.classifier, stage_fingerprint("classify", only=True)]
    digest = hashlib.sha256(json.dumps(_canonical(parts), ensure_ascii=False).encode())
    _add_files(digest, data_files)
    return digest.hexdigest()[:16]


def _add_files(digest, paths: Iterable[Path]) -> None:
    for path in dict.fromkeys(map(Path, paths)):
        digest.update(str(path).encode())
        digest.update(path.read_bytes() if path.is_file() else b"(none)")


def _canonical(value: Any) -> Any:
    """A JSON-able form that is the same in every process (no set order, no addresses)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return [type(value).__name__, fields]
    if isinstance(value, dict):
        return sorted(([_canonical(k), _canonical(v)] for k, v in value.items()), key=repr)
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, re.Pattern):
        return ["re", value.pattern, value.flags]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "__dict__"):
        return [type(value).__name__, _canonical(vars(value))]
    return [type(value).__name__, repr(value)]


@dataclass
class Cached:
    result: DocumentResult
    themes_current: bool  # False: analysed under other theme rules or training data


@dataclass
class DocumentCache:
    """Results by file SHA-256 under `root`; counts hits and misses for run.json.

    An entry is keyed by what the analysis depends on and remembers the themes key it
    was classified under: when only the theme rules, the classifier or its training
    data (a corrected labels.csv) changed, the entry is still a hit, marked stale, and
    the batch classifies its items again without extracting or analysing the file.
    """

    root: Path
    settings: str  # analysis_key(settings)
    themes: str = ""  # themes_key(settings, training files)
    limit_bytes: int | None = None  # prune() keeps the cache within this (None: unbounded)
    code: str = ""  # the code and libraries the results depend on (default: code_version())
    hits: int = 0
    misses: int = 0

    def _path(self, sha256: str) -> Path:
        code = self.code or code_version()
        key = hashlib.sha256(f"{_FORMAT}|{sha256}|{self.settings}|{code}".encode())
        name = key.hexdigest()
        return self.root / name[:2] / f"{name}.pickle"

    def get(self, sha256: str) -> Cached | None:
        path = self._path(sha256)
        try:
            with path.open("rb") as handle:
                themes, result = pickle.load(handle)
            if not isinstance(result, DocumentResult):
                raise TypeError(f"holds a {type(result).__name__}")
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception as exc:  # damaged entry: recompute it
            log.warning("cache entry %s unreadable (%s); recomputing", path.name, exc)
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        _touch(path)  # used now: the last to go when the cache is pruned
        return Cached(result, themes == self.themes)

    def put(self, sha256: str, result: DocumentResult) -> None:
        path = self._path(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.themes, result), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def prune(self) -> int:
        """Remove the least recently used entries until the cache is within its limit;
        returns how many went."""
        if self.limit_bytes is None:
            return 0
        found = sorted(_entries(self.root), key=lambda e: e[1])  # oldest use first
        total = sum(size for _, _, size in found)
        removed = 0
        for path, _, size in found:
            if total <= self.limit_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:  # a read-only cache still serves hits
        pass


def _entries(root: Path) -> list[tuple[Path, float, int]]:
    """(path, last use, size) of every entry under root."""
    found = []
    for path in Path(root).glob("*/*.pickle"):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed by a parallel run
            continue
        found.append((path, stat.st_mtime, stat.st_size))
    return found


def usage(root: Path) -> tuple[int, int]:
    """Entries and bytes of a document cache folder."""
    found = _entries(root)
    return len(found), sum(size for _, _, size in found)


def clear(root: Path) -> tuple[int, int]:
    """Remove every entry of a document cache folder; returns the entries and bytes gone."""
    count, size = usage(root)
    for path, _, _ in _entries(root):
        path.unlink(missing_ok=True)
    return count, size
