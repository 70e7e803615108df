"""Map a function over tasks in worker processes, with a time limit per task.

Why not concurrent.futures or multiprocessing.Pool: neither can stop one task. A file
that makes a parser loop forever must be stopped without stopping the batch, and a
thread cannot be killed, so each worker is a process of its own that the parent kills
and replaces when its task runs over the limit.

How workers start (`start_method()`): forked on Linux, so the function and what it
closes over (settings, a loaded GiNZA model with its user dictionary) are inherited,
never pickled or loaded again; spawned elsewhere (Windows has no fork; macOS forks
unsafely), and then the function and the initializer's arguments are pickled once per
worker and the initializer loads what the worker needs before its first task (the time
limit starts after it). The environment variable PIPELINE_START_METHOD=spawn|fork
forces one (the tests force spawn on Linux).

Only tasks and results cross the pipe. A worker dies with its parent where Linux's
PR_SET_PDEATHSIG works, and in any case as soon as the pipe multiprocessing keeps to
its parent closes (a thread watches it), so a killed run leaves no orphan parsing on.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

START_METHOD_VARIABLE = "PIPELINE_START_METHOD"
# A spawned worker's initializer (loading GiNZA) is not a task's time: it gets this long,
# or the task's limit if that is longer.
STARTUP_LIMIT_S = 600.0

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
    ready: bool = False  # the initializer has run (a spawned worker says so)


def run_in_workers(
    work: Callable[[Any], Any],
    tasks: Iterable[Any],
    jobs: int,
    time_limit: float | None = None,
    on_fork: Callable[[], None] | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
) -> Iterator[Outcome]:
    """Yield an Outcome per task, in the order they finish.

    `work` runs in a worker; whatever it raises must be turned into a value by `work`
    itself (an exception escaping it is reported as CRASHED). `on_fork` runs in a forked
    worker first (e.g. to close the output folder's lock). `initializer(*initargs)` runs
    once in a spawned worker, before its first task; a forked worker has inherited what it
    would load. Under spawn, `work`, `initializer` and `initargs` must be picklable
    (module-level functions, dataclasses).
    """
    method = start_method()
    context = multiprocessing.get_context(method)
    setup = on_fork if method == "fork" else None
    if method == "fork":
        initializer = None
    pending = deque(tasks)
    busy: list[_Worker] = []

    def start(task: Any) -> None:
        parent_end, child_end = context.Pipe()
        args = (child_end, work, setup, initializer, initargs, os.getpid())
        process = context.Process(target=_worker_main, args=args, daemon=True)
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end, ready=initializer is None)
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
                first = min(w.started + _limit(w, time_limit) for w in busy)
                timeout = max(0.0, first - time.monotonic())
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
            for worker in list(busy):
                outcome, reusable = None, False
                if worker.conn in ready or worker.process.sentinel in ready:
                    outcome, reusable = _receive(worker)
                elif time_limit and time.monotonic() - worker.started > _limit(worker, time_limit):
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


def start_method() -> str:
    """fork on Linux, spawn elsewhere; PIPELINE_START_METHOD=spawn|fork forces one."""
    forced = os.environ.get(START_METHOD_VARIABLE, "").strip().lower()
    available = multiprocessing.get_all_start_methods()
    if forced:
        if forced not in ("fork", "spawn") or forced not in available:
            raise ValueError(
                f"{START_METHOD_VARIABLE}={forced}: expected spawn or fork "
                f"(this platform has {', '.join(available)})"
            )
        return forced
    # macOS can fork but Python spawns there by default (fork is unsafe with its system
    # libraries); only Linux forks unless told otherwise
    return "fork" if sys.platform.startswith("linux") and "fork" in available else "spawn"


def _limit(worker: _Worker, time_limit: float) -> float:
    return time_limit if worker.ready else max(time_limit, STARTUP_LIMIT_S)


def _receive(worker: _Worker) -> tuple[Outcome | None, bool]:
    """The worker's message: an Outcome, or None when it only said it is ready."""
    try:
        if worker.conn.poll():
            kind, value = worker.conn.recv()
            if kind == "ready":  # the task's time starts now
                worker.ready, worker.started = True, time.monotonic()
                return None, True
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
    conn: Connection,
    work: Callable[[Any], Any],
    setup: Callable[[], None] | None,
    initializer: Callable[..., None] | None,
    initargs: tuple,
    parent: int,
) -> None:
    _die_with_parent()
    _exit_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    if setup is not None:
        setup()
    # Ctrl-C goes to the whole process group; the parent decides what to do about it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        try:
            initializer(*initargs)
        except BaseException as exc:  # noqa: BLE001 (each task then reports its own error)
            print(f"worker initializer failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        try:
            conn.send(("ready", None))
        except OSError:
            return
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


def _exit_with_parent() -> None:
    """End this worker as soon as the parent's end of the pipe closes, even in the middle
    of a task or of loading a model: where PR_SET_PDEATHSIG does not exist (Windows, macOS)
    this is what stops an orphan."""
    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is None:
        return

    def watch() -> None:
        wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):  # elsewhere workers end when their pipe closes
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # e.g. a libc without prctl: the pipe ends them
        pass
