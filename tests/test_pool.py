"""Worker pool, output switching and first-byte checks: the runner's parts on their own.

The pool's tests run with forked and with spawned workers, the switch's with and without
symlinks (tests/test_portable.py has the rest of the portable runner's tests)."""

from __future__ import annotations

import os
import time

import pytest

from pipeline.core.errors import UnreadableFileError
from pipeline.output import publish
from pipeline.runner.pool import CRASHED, START_METHOD_VARIABLE, TIMEOUT, run_in_workers
from pipeline.stages.extract.checks import check_file


@pytest.fixture(params=["fork", pytest.param("spawn", marks=pytest.mark.subprocess)])
def start_method(request, monkeypatch):
    monkeypatch.setenv(START_METHOD_VARIABLE, request.param)
    return request.param


@pytest.fixture(params=["symlinks", "no symlinks"])
def links(request, monkeypatch):
    """Publish with symlinks, or as where they cannot be made (Windows)."""
    if request.param == "symlinks":
        monkeypatch.delenv(publish.NO_SYMLINKS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(publish.NO_SYMLINKS_VARIABLE, "1")
    return request.param


def _work(task: str) -> str:
    if task == "hang":
        time.sleep(60)
    if task == "crash":
        os._exit(3)
    if task == "raise":
        raise ValueError("boom")
    return task.upper()


def test_pool_stops_a_hung_task_and_replaces_crashed_workers(start_method):
    tasks = ["a", "hang", "crash", "b", "raise", "c", "d"]
    started = time.monotonic()
    outcomes = {o.task: o for o in run_in_workers(_work, tasks, jobs=2, time_limit=1.0)}
    assert time.monotonic() - started < 10
    assert outcomes["hang"].failure == TIMEOUT
    assert outcomes["crash"].failure == CRASHED and "exit code 3" in outcomes["crash"].detail
    assert outcomes["raise"].failure == CRASHED and "ValueError: boom" in outcomes["raise"].detail
    assert {t: outcomes[t].value for t in "abcd"} == {t: t.upper() for t in "abcd"}


def test_pool_kills_its_workers_when_the_consumer_stops_early(start_method):
    outcomes = run_in_workers(_work, ["a", "hang", "hang"], jobs=3, time_limit=None)
    assert next(outcomes).value == "A"
    outcomes.close()  # e.g. Ctrl-C in the runner: no worker may be left sleeping
    import multiprocessing

    assert multiprocessing.active_children() == []


def _write_run(out, files):
    with publish.staged(out) as stage:
        for name, text in files.items():
            (stage / name).write_text(text, encoding="utf-8")


def test_switch_replaces_every_output_at_once_and_keeps_foreign_files(tmp_path, links):
    out = tmp_path / "out"
    out.mkdir()
    (out / "items.csv").write_text("legacy", encoding="utf-8")  # a run of the old layout
    (out / "evaluation.json").write_text("{}", encoding="utf-8")  # another command's file
    _write_run(out, {"items.csv": "one", "extra.csv": "one"})
    assert (out / "items.csv").read_text(encoding="utf-8") == "one"
    first = publish.current_version(out)
    _write_run(out, {"items.csv": "two"})
    assert (out / "items.csv").read_text(encoding="utf-8") == "two"
    assert not (out / "extra.csv").exists() and not (out / "extra.csv").is_symlink()
    assert (out / "evaluation.json").read_text(encoding="utf-8") == "{}"
    assert first.is_dir()  # the previous run stays for readers that had it open
    _write_run(out, {"items.csv": "three"})
    assert not first.exists()
    assert len(list((out / publish.RUNS).iterdir())) == 2


def test_a_failed_run_leaves_the_previous_outputs(tmp_path, links):
    out = tmp_path / "out"
    _write_run(out, {"items.csv": "good"})
    with pytest.raises(RuntimeError), publish.staged(out) as stage:
        (stage / "items.csv").write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert (out / "items.csv").read_text(encoding="utf-8") == "good"
    assert len(list((out / publish.RUNS).iterdir())) == 1


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"PK\x03\x04rest of a pptx", ".pptx"),
        (b"<!DOCTYPE html><html>", "HTML"),
        ("議事録です".encode(), "plain text"),
    ],
)
def test_a_pdf_name_on_something_else_says_what_it_is(tmp_path, content, says):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=says):
        check_file(path)


def test_a_real_pdf_header_passes(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n...")
    check_file(path)
