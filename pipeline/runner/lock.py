"""One run at a time per output folder: an exclusive flock on `<out>/.lock`.

flock is released by the kernel when the process dies, however it dies, so a killed
run never leaves a stale lock behind. Worker processes forked while the lock is held
inherit its file descriptor; `held_descriptors()` lets them close it, so a worker that
outlives its parent cannot keep the folder locked.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.errors import OutputLockedError

_held: set[int] = set()


def held_descriptors() -> tuple[int, ...]:
    return tuple(_held)


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock, or raise OutputLockedError at once."""
    out_dir.mkdir(parents=True, exist_ok=True)
    handle = (out_dir / ".lock").open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise OutputLockedError(
            f"{out_dir} is being written by another run ({holder}); "
            "wait for it to finish, or pass another --out"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    _held.add(handle.fileno())
    try:
        yield
    finally:
        _held.discard(handle.fileno())
        handle.close()  # closing releases the lock
