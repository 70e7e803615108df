"""The runner as Windows runs it, checked on Linux: workers spawned, the time limit kept
without SIGALRM, the lock by filelock, outputs published without symlinks; and the two
publishing layouts read and switched by each other. `make test-portable` runs these with
the runner's other tests, forced into every portable mode."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from functools import partial

import pytest

from pipeline.core.errors import OutputLockedError
from pipeline.output import publish
from pipeline.output.files import read_csv
from pipeline.runner import batch
from pipeline.runner.batch import BatchOptions, run_batch
from pipeline.runner.lock import (
    HOLDER,
    close_inherited,
    held_descriptors,
    output_lock,
    still_open,
)
from pipeline.runner.pool import START_METHOD_VARIABLE, run_in_workers

from . import make_bad_inputs
from .conftest import ROOT, SAMPLE

SYMLINKS, FILES = "symlinks", "no symlinks"
TABLES = ("documents.csv", "blocks.csv", "items.csv", "themes.csv", "theme_matrix.csv")


def _mode(monkeypatch, mode: str) -> None:
    if mode == SYMLINKS:
        monkeypatch.delenv(publish.NO_SYMLINKS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(publish.NO_SYMLINKS_VARIABLE, "1")


def _write_run(out, files):
    with publish.staged(out) as stage:
        for name, text in files.items():
            (stage / name).write_text(text, encoding="utf-8")
    return publish.current_version(out)


# --- publishing without symlinks ---------------------------------------------------------------


def test_without_symlinks_current_is_a_file_naming_the_run(tmp_path, monkeypatch):
    _mode(monkeypatch, FILES)
    out = tmp_path / "out"
    version = _write_run(out, {"items.csv": "one"})
    pointer = out / publish.CURRENT
    assert pointer.is_file() and not pointer.is_symlink()
    assert pointer.read_text(encoding="utf-8") == f"{publish.RUNS}/{version.name}"
    assert not (out / "items.csv").is_symlink()
    assert os.path.samefile(out / "items.csv", version / "items.csv")  # a hard link here
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == []


@pytest.mark.parametrize(("first", "then"), [(SYMLINKS, FILES), (FILES, SYMLINKS)])
def test_a_folder_switches_from_one_layout_to_the_other(tmp_path, monkeypatch, first, then):
    out = tmp_path / "out"
    _mode(monkeypatch, first)
    old = _write_run(out, {"items.csv": "one", "extra.csv": "one"})
    _mode(monkeypatch, then)
    assert publish.current_version(out) == old  # the other layout's pointer is read
    new = _write_run(out, {"items.csv": "two"})
    assert new != old and publish.current_version(out) == new
    assert (out / "items.csv").read_text(encoding="utf-8") == "two"
    assert (out / publish.CURRENT).is_symlink() == (then == SYMLINKS)
    assert (out / "items.csv").is_symlink() == (then == SYMLINKS)
    assert not (out / "extra.csv").exists() and not (out / "extra.csv").is_symlink()


@pytest.mark.parametrize("mode", [SYMLINKS, FILES])
def test_a_run_killed_in_the_middle_of_its_switch_is_cleaned_up_by_the_next(
    tmp_path, monkeypatch, mode
):
    """A kill between the pointer's rename and the last top-level file (simulated by an
    exception there, and by the temporary names a killed process leaves): the pointer
    names a complete run, every file is whole, and the next run puts everything right."""
    _mode(monkeypatch, mode)
    out = tmp_path / "out"
    _write_run(out, {"items.csv": "one", "blocks.csv": "one"})
    real = publish._publish_entry

    def dies_on_items(out_dir, version, name, links):
        if name == "items.csv":
            raise KeyboardInterrupt
        real(out_dir, version, name, links)

    monkeypatch.setattr(publish, "_publish_entry", dies_on_items)
    with pytest.raises(KeyboardInterrupt):
        _write_run(out, {"items.csv": "two", "blocks.csv": "two"})
    monkeypatch.setattr(publish, "_publish_entry", real)
    half = publish.current_version(out)
    assert (half / "items.csv").read_text(encoding="utf-8") == "two"  # complete, pointed at
    assert (out / "blocks.csv").read_text(encoding="utf-8") == "two"
    assert (out / "items.csv").read_text(encoding="utf-8") in ("one", "two")  # whole
    for stale in (".current.99999.tmp", ".items.csv.99999.tmp"):
        (out / stale).write_text("half", encoding="utf-8")
    (out / publish.RUNS / "killed-staging").mkdir()

    last = _write_run(out, {"items.csv": "three", "blocks.csv": "three"})
    assert (out / "items.csv").read_text(encoding="utf-8") == "three"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert sorted(p.name for p in (out / publish.RUNS).iterdir()) == sorted([half.name, last.name])


def test_a_pointer_open_elsewhere_for_a_moment_is_replaced_on_a_later_attempt(
    tmp_path, monkeypatch
):
    """Windows refuses to rename over a file another program has open: the switch tries
    again rather than failing a run whose files are all written."""
    _mode(monkeypatch, FILES)
    out = tmp_path / "out"
    _write_run(out, {"items.csv": "one"})
    real, refused = os.replace, []

    def busy(source, target):
        if os.path.basename(target) == publish.CURRENT and not refused:
            refused.append(target)
            raise PermissionError(13, "The process cannot access the file")
        real(source, target)

    monkeypatch.setattr(publish.os, "replace", busy)
    new = _write_run(out, {"items.csv": "two"})
    assert refused and publish.current_version(out) == new
    assert (out / "items.csv").read_text(encoding="utf-8") == "two"


def test_symlinks_are_used_where_they_can_be_made(tmp_path, monkeypatch):
    _mode(monkeypatch, SYMLINKS)
    assert publish.symlinks_usable(tmp_path)
    monkeypatch.setattr(publish.os, "symlink", _refuse)
    publish._can_symlink.cache_clear()
    try:
        assert not publish.symlinks_usable(tmp_path / "elsewhere")  # as on Windows
    finally:
        publish._can_symlink.cache_clear()


def _refuse(*args, **kwargs):
    raise OSError(1314, "A required privilege is not held by the client")


# --- the lock -------------------------------------------------------------------------------

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pipeline.runner.lock import output_lock
    with output_lock(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(60)
    """
)


@pytest.mark.subprocess
def test_a_second_holder_is_told_the_first_ones_pid_and_a_killed_one_leaves_no_lock(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputLockedError, match=f"pid {holder.pid}\\b"), output_lock(out):
            pass
    finally:
        holder.kill()
        holder.wait()
    with output_lock(out):  # the operating system released the dead holder's lock
        assert (out / HOLDER).read_text(encoding="utf-8") == f"pid {os.getpid()}"
    assert not (out / HOLDER).exists()


@pytest.mark.subprocess
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_do_not_keep_the_folder_locked(tmp_path, monkeypatch, method):
    monkeypatch.setenv(START_METHOD_VARIABLE, method)
    with output_lock(tmp_path / "out"):
        held = held_descriptors()
        assert held
        outcomes = run_in_workers(
            still_open, [held], jobs=1, on_fork=partial(close_inherited, held)
        )
        assert [o.value for o in outcomes] == [[]]  # no descriptor of the lock left open


# --- workers spawned, and the time limit without SIGALRM -----------------------------------------


@pytest.mark.ginza
@pytest.mark.subprocess
def test_spawned_workers_give_the_same_tables_as_forked_ones(tmp_path, monkeypatch, settings):
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("r03_sakuragaura.pdf", "r03_aobano.pdf"):
        shutil.copy(SAMPLE / name, folder / name)
    options = BatchOptions(jobs=2, progress=False)
    tables = {}
    for method in ("fork", "spawn"):
        monkeypatch.setenv(START_METHOD_VARIABLE, method)
        out = tmp_path / method
        summary = run_batch(folder, out, settings, options=options)
        assert summary.ok == 2
        tables[method] = {name: (out / name).read_bytes() for name in TABLES}
    assert tables["spawn"] == tables["fork"]
    assert len(read_csv(tmp_path / "spawn" / "items.csv")) > 0


@pytest.mark.ginza
@pytest.mark.subprocess
def test_the_time_limit_stops_a_slow_file_without_sigalrm_with_the_same_rows(
    tmp_path, monkeypatch, settings
):
    folder = tmp_path / "batch"
    make_bad_inputs.build(tmp_path / "all")
    folder.mkdir()
    for name in ("hangs.pdf", "rare_chars.txt"):
        shutil.copy(tmp_path / "all" / name, folder / name)
    options = BatchOptions(jobs=1, time_limit_s=make_bad_inputs.IN_PROCESS_LIMIT, progress=False)
    rows = {}
    for way, value in (("sigalrm", "0"), ("worker", "1")):
        monkeypatch.setenv(batch.NO_SIGALRM_VARIABLE, value)
        assert (batch._where(options) == "here") == (way == "sigalrm")
        summary = run_batch(folder, tmp_path / way, settings, options=options)
        rows[way] = [(d.source, d.status, d.error, d.items) for d in summary.documents]
    assert rows["worker"] == rows["sigalrm"]
    assert [r[1] for r in rows["worker"]] == ["error", "ok"]
    assert f"time limit of {make_bad_inputs.IN_PROCESS_LIMIT} s" in rows["worker"][0][2]
