"""Outputs whole or not at all: stage a run's files, then switch them in with one rename.

Layout of an output folder, with symlinks (Linux, macOS; Windows in developer mode):

    outputs/sample/
      .lock, .lock.holder    held while a run writes (runner/lock.py)
      .runs/<run id>/        every file of one run: documents.csv, items.csv, …
      current -> .runs/<run id>
      items.csv -> current/items.csv     (one link per output file, never changed)
      …

and without them (Windows usually, or PIPELINE_NO_SYMLINKS=1):

      .runs/<run id>/        the same
      current                a small file holding `.runs/<run id>`
      items.csv              a hard link to (or, where the file system has none, a copy
      …                      of) .runs/<run id>/items.csv

A run writes all its files into a new `.runs/<run id>/` folder (the staging folder).
When every file is written and flushed to disk, a new `current` (the symlink, or the
pointer file) is made under a temporary name and renamed over the old one: a rename
replaces it atomically, so at every instant `current` names one complete run, the
previous one or the new one. A SIGKILL at any moment leaves either a staging folder
nobody points at (removed by the next run, with any temporary name) or the finished
switch. `current_version()` reads either form, so a folder written in one mode is read,
and switched, by the other.

The top-level entries make `outputs/sample/items.csv` work as before. Symlinks point
through `current`, so they switch with it. Hard links and copies are replaced after the
switch, each by a rename: each is always one run's whole file, but for a moment they may
be of different runs, so a reader that must see one consistent set while a run may be
finishing reads under `current_version()`. The folder itself stays a real directory, so
files other commands put there (figures/, evaluation.json) are left alone.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

RUNS = ".runs"
CURRENT = "current"
NO_SYMLINKS_VARIABLE = "PIPELINE_NO_SYMLINKS"
_ATTEMPTS = 10  # renames tried over an entry that is open elsewhere (Windows), 0.1 s apart
_TEMPORARY = re.compile(r"^\..+\.\d+\.tmp$")  # `_temporary()`'s names


def current_version(out_dir: Path) -> Path | None:
    """The folder of the last complete run, if any (through the symlink or the file)."""
    pointer = out_dir / CURRENT
    try:
        if pointer.is_symlink():
            target = os.readlink(pointer)
        elif pointer.is_file():
            target = pointer.read_text(encoding="utf-8").strip()
        else:
            return None
    except OSError:
        return None
    parts = Path(target).parts
    if len(parts) != 2 or parts[0] != RUNS or parts[1] == "..":  # not one this module wrote
        return None
    version = (out_dir / RUNS / parts[1]).resolve()
    return version if version.is_dir() else None


def symlinks_usable(out_dir: Path) -> bool:
    """Whether outputs are published through symlinks: not when PIPELINE_NO_SYMLINKS=1,
    nor where making one fails (Windows without developer mode, some shared drives)."""
    if os.environ.get(NO_SYMLINKS_VARIABLE, "") not in ("", "0"):
        return False
    return _can_symlink(out_dir.resolve())


@functools.cache
def _can_symlink(folder: Path) -> bool:
    probe = _temporary(folder / "symlink-probe")
    try:
        probe.unlink(missing_ok=True)
        os.symlink(f"{RUNS}", probe)
    except (OSError, NotImplementedError):
        return False
    probe.unlink(missing_ok=True)
    return True


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
    _remove_temporaries(out_dir)  # of a run killed in the middle of its switch
    _sync_folder(version)
    target = f"{RUNS}/{version.name}"
    links = symlinks_usable(out_dir)
    if links:
        # (Windows makes a folder's symlink only when told it is one)
        _put(out_dir / CURRENT, lambda tmp: os.symlink(target, tmp, target_is_directory=True))
    else:
        _put(out_dir / CURRENT, lambda tmp: _write_synced(tmp, target))
    _fsync_dir(out_dir)
    names = {p.name for p in version.iterdir()}
    for name in sorted(names):
        _publish_entry(out_dir, version, name, links)
    _unpublish(out_dir, previous, names)
    _prune(out_dir / RUNS, keep={version.resolve(), previous})


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _put(path: Path, make) -> None:
    """Make the new entry under a temporary name with make(tmp), then rename it over
    path: atomic, also over an existing symlink or file."""
    tmp = _temporary(path)
    _remove(tmp)
    make(tmp)
    for attempt in range(_ATTEMPTS):
        try:
            os.replace(tmp, path)
            return
        except PermissionError:
            # Windows refuses while another program has path open (a reader of `current`
            # for a moment, Excel for as long as it shows the file), and may refuse to
            # rename over a folder's symlink (a folder switched from the symlink layout):
            # that old link goes first, the files under it stay whole.
            if path.is_symlink():
                path.unlink()
            elif attempt == _ATTEMPTS - 1:
                _remove(tmp)
                raise
            else:
                time.sleep(0.1)


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _publish_entry(out_dir: Path, version: Path, name: str, links: bool) -> None:
    """`<out>/<name>`: a link through `current`, or a hard link or copy of the run's file;
    replaces the entries of older layouts."""
    entry, target = out_dir / name, f"{CURRENT}/{name}"
    if entry.is_dir() and not entry.is_symlink():
        log.warning("%s is a folder of its own; the run's %s is under %s/", entry, name, RUNS)
        return
    source = version / name
    if links:
        if not (entry.is_symlink() and os.readlink(entry) == target):
            folder = source.is_dir()
            _put(entry, lambda tmp: os.symlink(target, tmp, target_is_directory=folder))
        return
    if source.is_dir():  # a run's sub-folder has no top-level entry without symlinks
        log.warning("%s: read it under %s", name, source)
        return
    try:
        _put(entry, lambda tmp: _link_or_copy(source, tmp))
    except PermissionError as exc:  # e.g. the old items.csv is open in Excel (Windows)
        log.warning("%s could not be replaced (%s); this run's is %s", entry, exc, source)


def _link_or_copy(source: Path, path: Path) -> None:
    try:
        os.link(source, path)
    except OSError:  # a file system without hard links (FAT, some network shares)
        shutil.copy2(source, path)


def _unpublish(out_dir: Path, previous: Path | None, names: set[str]) -> None:
    """Remove the top-level entries of outputs this run no longer writes: links through
    `current`, and what the previous run published (its files' names)."""
    published = {p.name for p in previous.iterdir()} if previous else set()
    for entry in out_dir.iterdir():
        if entry.name == CURRENT or entry.name in names:
            continue
        if entry.is_symlink():
            if os.readlink(entry).startswith(f"{CURRENT}/"):
                entry.unlink()
        elif entry.name in published and entry.is_file():
            entry.unlink()


def _remove_temporaries(out_dir: Path) -> None:
    for entry in out_dir.iterdir():
        if _TEMPORARY.match(entry.name):
            _remove(entry)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _prune(runs: Path, keep: set[Path | None]) -> None:
    """Remove older runs and the staging folders of killed runs; keep the previous run for
    readers that opened its files just before the switch."""
    for entry in runs.iterdir():
        if entry.resolve() not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    # Windows flushes only a handle opened for writing (FlushFileBuffers)
    mode = os.O_RDWR if os.name == "nt" else os.O_RDONLY
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, mode)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # a folder cannot be opened there; NTFS journals the renames
        return
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
