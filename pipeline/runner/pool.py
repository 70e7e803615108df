"""Map a function over tasks in forked worker processes, with a time limit per task.

Why not concurrent.futures or multiprocessing.Pool: neither can stop one task. A file
that makes a parser loop forever must be stopped without stopping the batch, and a
thread cannot be killed, so each worker is a process of its own that the parent kills
and replaces when its task runs over the limit.

Workers are forked (not spawned): the function and what it closes over (settings, a
loaded GiNZA model with its user dictionary) are inherited, never pickled. Only tasks
and results cross the pipe. A worker dies with its parent (PR_SET_PDEATHSIG on Linux),
so a killed run leaves no orphan parsing on.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

TIMEOUT = "timeout"
CRASHED = "crashed"


@dataclass
class Outcome:
    task: Any
    value: Any = None
    failure: str = ""  # "" (value is set), TIMEOUT or CRASHED
    detail: str = ""


@dataclass
class _Worker:
    process: Any
    conn: Connection
    task: Any = None
    started: float = 0.0


def run_in_workers(
    work: Callable[[Any], Any],
    tasks: Iterable[Any],
    jobs: int,
    time_limit: float | None = None,
    close_fds: tuple[int, ...] = (),
) -> Iterator[Outcome]:
    """Yield an Outcome per task, in the order they finish.

    `work` runs in a worker; whatever it raises must be turned into a value by `work`
    itself (an exception escaping it is reported as CRASHED). `close_fds` are closed in
    every worker right after the fork (e.g. the output folder's lock).
    """
    context = multiprocessing.get_context("fork")
    pending = deque(tasks)
    busy: list[_Worker] = []

    def start(task: Any) -> None:
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_worker_main, args=(child_end, work, close_fds, os.getpid()), daemon=True
        )
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        assign(worker, task)

    def assign(worker: _Worker, task: Any) -> None:
        worker.task, worker.started = task, time.monotonic()
        worker.conn.send(task)
        busy.append(worker)

    def retire(worker: _Worker, kill: bool = False) -> None:
        if kill:
            worker.process.kill()
        else:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        worker.conn.close()
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()

    try:
        while pending and len(busy) < max(1, jobs):
            start(pending.popleft())
        while busy:
            timeout = None
            if time_limit:
                oldest = min(w.started for w in busy)
                timeout = max(0.0, oldest + time_limit - time.monotonic())
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
            for worker in list(busy):
                outcome, reusable = None, False
                if worker.conn in ready or worker.process.sentinel in ready:
                    outcome, reusable = _receive(worker)
                elif time_limit and time.monotonic() - worker.started > time_limit:
                    outcome = Outcome(worker.task, failure=TIMEOUT, detail=f"{time_limit:g} s")
                if outcome is None:
                    continue
                busy.remove(worker)
                if reusable and pending:
                    assign(worker, pending.popleft())
                else:
                    retire(worker, kill=not reusable)
                    if pending:
                        start(pending.popleft())
                yield outcome
    finally:  # also when the consumer stops early (Ctrl-C): no worker outlives the map
        for worker in busy:
            retire(worker, kill=True)


def _receive(worker: _Worker) -> tuple[Outcome, bool]:
    try:
        if worker.conn.poll():
            kind, value = worker.conn.recv()
            if kind == "done":
                return Outcome(worker.task, value=value), True
            return Outcome(worker.task, failure=CRASHED, detail=str(value)), True
    except (EOFError, OSError):
        pass
    worker.process.join(timeout=5)
    code = worker.process.exitcode
    detail = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return Outcome(worker.task, failure=CRASHED, detail=detail), False


def _worker_main(
    conn: Connection, work: Callable[[Any], Any], close_fds: tuple[int, ...], parent: int
) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    for fd in close_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    # Ctrl-C goes to the whole process group; the parent decides what to do about it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            message = ("done", work(task))
        except BaseException as exc:  # noqa: BLE001 (reported to the parent, not raised)
            message = ("raised", f"{type(exc).__name__}: {exc}")
        conn.send(message)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end when their pipe closes
        pass
