"""One run at a time per output folder: an exclusive lock on `<out>/.lock` (filelock).

filelock takes flock(2) on POSIX and LockFileEx on Windows; either is released by the
operating system when the process dies, however it dies, so a killed run never leaves a
stale lock behind. filelock owns `.lock` (it may create, truncate or remove it), so who
holds the lock is written beside it, to `.lock.holder`, for the message a second run
shows. A holder file left by a killed run is harmless: it is only read while somebody
holds the lock, and the next holder replaces it.

Worker processes forked while the lock is held inherit its descriptor; `held_descriptors()`
names it so that they close it (checked against the file's identity first: recent
filelock versions close it in a forked child themselves, and the number may be reused),
and a worker that outlives its parent cannot keep the folder locked. Spawned workers
inherit no descriptor.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.core.errors import OutputLockedError

LOCK = ".lock"
HOLDER = ".lock.holder"

# (descriptor, st_dev, st_ino) of the locks this process holds
_held: set[tuple[int, int, int]] = set()


def held_descriptors() -> tuple[tuple[int, int, int], ...]:
    return tuple(_held)


def still_open(descriptors: tuple[tuple[int, int, int], ...]) -> list[int]:
    """Those of the descriptors that are open in this process and still the lock files
    (not another file that was given the same number)."""
    found = []
    for fd, device, inode in descriptors:
        try:
            status = os.fstat(fd)
        except OSError:
            continue
        if (status.st_dev, status.st_ino) == (device, inode):
            found.append(fd)
    return found


def close_inherited(descriptors: tuple[tuple[int, int, int], ...]) -> None:
    """In a forked worker: close the parent's lock descriptors it still has."""
    for fd in still_open(descriptors):
        try:
            os.close(fd)
        except OSError:
            pass


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock, or raise OutputLockedError at once."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out_dir / LOCK)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise OutputLockedError(
            f"{out_dir} is being written by another run ({_holder(out_dir)}); "
            "wait for it to finish, or pass another --out"
        ) from None
    held = _descriptor(lock)
    try:
        _write_holder(out_dir)
        if held:
            _held.add(held)
        yield
    finally:
        _held.discard(held)
        (out_dir / HOLDER).unlink(missing_ok=True)
        lock.release()


def _holder(out_dir: Path) -> str:
    try:
        return (out_dir / HOLDER).read_text(encoding="utf-8").strip() or "another process"
    except OSError:  # not written yet, or just removed by a holder that finished
        return "another process"


def _write_holder(out_dir: Path) -> None:
    # written whole under another name and renamed: a second run never reads half of it
    tmp = out_dir / f"{HOLDER}.{os.getpid()}.tmp"
    tmp.write_text(f"pid {os.getpid()}", encoding="utf-8")
    os.replace(tmp, out_dir / HOLDER)


def _descriptor(lock: FileLock) -> tuple[int, int, int] | None:
    # filelock keeps the descriptor in its (private) context, in 3.12 as in 4.x; without
    # it forked workers rely on filelock's own fork handler (4.x) or on PR_SET_PDEATHSIG
    fd = getattr(getattr(lock, "_context", None), "lock_file_fd", None)
    if not isinstance(fd, int):
        return None
    found = os.fstat(fd)
    return fd, found.st_dev, found.st_ino
