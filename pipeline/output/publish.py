"""Outputs whole or not at all: stage a run's files, then switch them in with one rename.

Layout of an output folder:

    outputs/sample/
      .lock                  held while a run writes (lock.py)
      .runs/<run id>/        every file of one run: documents.csv, items.csv, …
      current -> .runs/<run id>
      items.csv -> current/items.csv     (one link per output file, never changed)
      …

A run writes all its files into a new `.runs/<run id>/` folder (the staging folder).
When every file is written and flushed to disk, a new `current` symlink is made under
a temporary name and renamed over the old one: rename(2) replaces a symlink
atomically, so at every instant `current` names one complete run, the previous one or
the new one. A SIGKILL at any moment leaves either a staging folder nobody points at
(removed by the next run) or the finished switch.

The per-file links make `outputs/sample/items.csv` work as before; they point through
`current`, so they switch with it. The folder itself stays a real directory, so files
other commands put there (figures/, evaluation.json) are left alone. A reader that must
see one consistent set while a run may be finishing reads under `current/`.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

RUNS = ".runs"
CURRENT = "current"


def current_version(out_dir: Path) -> Path | None:
    """The folder of the last complete run, if any."""
    link = out_dir / CURRENT
    if not link.is_symlink():
        return None
    target = (out_dir / os.readlink(link)).resolve()
    return target if target.is_dir() else None


@contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """Yield an empty staging folder; switch it in when the block ends without error."""
    runs = out_dir / RUNS
    runs.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    stage = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=runs))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private; outputs are for sharing
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    switch(out_dir, stage)


def switch(out_dir: Path, version: Path) -> None:
    previous = current_version(out_dir)
    _sync_folder(version)
    _replace_symlink(out_dir / CURRENT, f"{RUNS}/{version.name}")
    _fsync_dir(out_dir)
    _link_files(out_dir, version)
    _prune(out_dir / RUNS, keep={version.resolve(), previous})


def _replace_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)  # atomic, also over an existing symlink


def _link_files(out_dir: Path, version: Path) -> None:
    """`<out>/<name> -> current/<name>` for every output; replaces files of older layouts."""
    names = {p.name for p in version.iterdir()}
    for name in sorted(names):
        link = out_dir / name
        target = f"{CURRENT}/{name}"
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.is_dir() and not link.is_symlink():
            log.warning("%s is a folder of its own; the run's %s is under %s/", link, name, CURRENT)
            continue
        _replace_symlink(link, target)
    for link in out_dir.iterdir():  # links to outputs this run no longer writes
        if link.is_symlink() and link.name != CURRENT and link.name not in names:
            if os.readlink(link).startswith(f"{CURRENT}/"):
                link.unlink()


def _prune(runs: Path, keep: set[Path | None]) -> None:
    """Remove older runs and the staging folders of killed runs; keep the previous run for
    readers that opened its files just before the switch."""
    for entry in runs.iterdir():
        if entry.resolve() not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def carry_over(previous: Path, stage: Path, skip: tuple[str, ...] = ()) -> None:
    """Put the previous run's files into the staging folder, as hard links where the file
    system allows (an unchanged batch then costs no rewriting)."""
    for path in previous.iterdir():
        if path.name in skip or not path.is_file():
            continue
        try:
            os.link(path, stage / path.name)
        except OSError:
            shutil.copy2(path, stage / path.name)
