"""The runner: cache, incremental re-runs, the lock, whole-or-nothing outputs, Excel."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.output import publish
from pipeline.output.files import read_csv
from pipeline.runner.batch import TABLE_FILES, BatchOptions, run_batch
from pipeline.runner.lock import output_lock

from .conftest import ROOT, SAMPLE, run_cli

SMALL = ("r03_sakuragaura.pdf", "r03_aobano.pdf")


def _batch(folder: Path, names) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLE / name, folder / name)
    return folder


def _run_json(out: Path) -> dict:
    return json.loads((out / "run.json").read_text(encoding="utf-8"))


def _snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in (*TABLE_FILES, "run.json")}


@pytest.fixture(scope="module")
def cached_runs(tmp_path_factory):
    """A cold run, an unchanged re-run and a re-run with one new file, all via the CLI."""
    tmp = tmp_path_factory.mktemp("incremental")
    batch = _batch(tmp / "batch", SMALL)
    out, cache = tmp / "out", tmp / "cache"
    common = ("--out", str(out), "--cache-dir", str(cache), "--jobs", "2", "--quiet")
    runs = {}
    for name in ("cold", "warm", "one_new"):
        if name == "one_new":
            _batch(batch, ["r04_midorigaoka.pdf"])
        result = run_cli("run", str(batch), *common)
        assert result.returncode == 0, result.stderr
        runs[name] = _run_json(out)
    return runs


@pytest.mark.subprocess
def test_unchanged_rerun_reads_everything_from_the_cache_without_spacy(cached_runs):
    cold, warm = cached_runs["cold"], cached_runs["warm"]
    assert (
        cold["cache"] == {"hits": 0, "misses": 2, "reclassified": 0, "evicted": 0}
        and cold["models_loaded"]
    )
    assert warm["cache"] == {"hits": 2, "misses": 0, "reclassified": 0, "evicted": 0}
    assert warm["models_loaded"] is False  # 'spacy' not in sys.modules of the CLI process
    assert warm["outputs"] == "reused"
    assert warm["counts"] == cold["counts"]


@pytest.mark.subprocess
def test_rerun_with_one_new_file_processes_one_file(cached_runs):
    run = cached_runs["one_new"]
    assert run["cache"] == {"hits": 2, "misses": 1, "reclassified": 0, "evicted": 0}
    assert run["outputs"] == "written"
    assert run["counts"]["files"] == 3


@pytest.mark.subprocess
def test_run_json_records_options_stages_and_cache(cached_runs):
    run = cached_runs["cold"]
    assert run["options"]["jobs"] == 2
    assert {"extract", "segment", "analyze", "classify", "hash", "process", "write"} <= set(
        run["timings_s"]
    )
    assert run["code_version"] and run["inputs_key"] and run["config_digest"]


@pytest.mark.ginza
def test_a_renamed_file_comes_from_the_cache_under_its_new_name(tmp_path):
    batch = _batch(tmp_path / "batch", SMALL[:1])
    options = BatchOptions(jobs=1, cache_dir=tmp_path / "cache", progress=False)
    from pipeline.config.settings import load_settings

    settings = load_settings()
    run_batch(batch, tmp_path / "out", settings, options=options)
    (batch / SMALL[0]).rename(batch / "renamed.pdf")
    summary = run_batch(batch, tmp_path / "out", settings, options=options)
    assert summary.cache_hits == 1
    blocks = read_csv(tmp_path / "out" / "blocks.csv")
    assert set(blocks["source"]) == {"renamed.pdf"}


@pytest.mark.subprocess
def test_a_second_run_on_the_same_output_folder_is_refused(tmp_path):
    batch = _batch(tmp_path / "batch", SMALL[:1])
    out = tmp_path / "out"
    with output_lock(out):
        result = run_cli("run", str(batch), "--out", str(out), "--no-cache", "--quiet")
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and "being written by another run" in message[0], result.stderr


@pytest.mark.subprocess
def test_sigkill_half_way_leaves_the_previous_outputs_whole(tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = _batch(tmp_path / "first", SMALL[:1])
    result = run_cli("run", str(first), "--out", str(out), "--cache-dir", str(cache), "--quiet")
    assert result.returncode == 0, result.stderr
    before = _snapshot(out)
    version = publish.current_version(out)

    second = _batch(tmp_path / "second", [*SMALL, "r04_midorigaoka.pdf", "r04_asahigaoka.pdf"])
    args = ["run", str(second), "--out", str(out), "--no-cache", "--quiet"]

    # 1. Killed while its workers are processing: they must die with it (no orphan keeps
    # parsing, or holds the folder's lock), and nothing of the outputs changes.
    process = subprocess.Popen([sys.executable, "-m", "pipeline", *args, "--jobs", "2"], cwd=ROOT)
    workers = _wait_for(lambda: _children(process.pid), process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert workers and _wait_for(lambda: not any(_alive(pid) for pid in workers))
    assert _snapshot(out) == before

    # 2. Killed in the middle of writing: as soon as the staging folder holds a file. (Its
    # documents are cached by then, which makes the next run quick.)
    cached = [*args[:-2], "--cache-dir", str(cache), "--quiet", "--jobs", "1"]
    assert args[-2:] == ["--no-cache", "--quiet"]
    process = subprocess.Popen([sys.executable, "-m", "pipeline", *cached], cwd=ROOT)
    _wait_for(lambda: _staged_files(out, version), process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"

    assert publish.current_version(out) == version
    assert _snapshot(out) == before  # every file whole, and the previous run's
    assert len(read_csv(out / "items.csv")) > 0

    result = run_cli("run", str(second), "--out", str(out), "--cache-dir", str(cache), "--quiet")
    assert result.returncode == 0, result.stderr
    assert _run_json(out)["counts"]["files"] == 4
    assert _run_json(out)["cache"] == {"hits": 4, "misses": 0, "reclassified": 0, "evicted": 0}
    # the killed run's staging folder is gone; the previous run is kept for late readers
    assert len(list((out / publish.RUNS).iterdir())) == 2


def _wait_for(condition, process=None, seconds: float = 60.0):
    """Poll until condition() is truthy (and return it), the process ends, or time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        value = condition()
        if value:
            return value
        time.sleep(0.002)
    return condition()


def _children(pid: int) -> list[int]:
    """The run's workers: children with the parent's command line (forked) or started by
    multiprocessing's spawn_main (spawned); not, e.g., a library's helper processes or
    multiprocessing's resource tracker."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return []  # the run has ended
    except OSError:
        pytest.skip("needs Linux's /proc/<pid>/task/<pid>/children")
    forked = []
    for child in map(int, text.split()):
        try:
            own = Path(f"/proc/{child}/cmdline").read_bytes()
            if own == command or b"spawn_main" in own:
                forked.append(child)
        except OSError:
            continue
    return forked


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a container's init to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _staged_files(out: Path, version: Path) -> list[Path]:
    staging = [p for p in (out / publish.RUNS).iterdir() if p.resolve() != version]
    return [f for s in staging for f in s.iterdir()]


def test_outputs_are_links_into_the_current_run(sample_run):
    out = sample_run.out_dir
    current = publish.current_version(out)
    for name in (*TABLE_FILES, "run.json"):
        if publish.symlinks_usable(out):
            assert (out / name).is_symlink()
            assert (out / name).resolve() == current / name
        else:  # hard links (or copies) of the current run's files
            assert not (out / name).is_symlink()
            assert (out / name).read_bytes() == (current / name).read_bytes()


# --- report.xlsx and theme_matrix.csv ---------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(sample_run):
    from openpyxl import load_workbook

    book = load_workbook(sample_run.out_dir / "report.xlsx", read_only=False)
    yield book
    book.close()


SHEETS = {
    "items": "items.csv",
    "blocks": "blocks.csv",
    "themes": "themes.csv",
    "matrix": "theme_matrix.csv",
    "documents": "documents.csv",
}


@pytest.mark.parametrize("sheet", sorted(SHEETS))
def test_workbook_sheets_hold_the_csv_tables(workbook, sample_run, sheet):
    frame = read_csv(sample_run.out_dir / SHEETS[sheet])
    ws = workbook[sheet]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(frame.columns)
    assert len(rows) - 1 == len(frame)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert all(6 <= w <= 60 for w in widths)
    # numbers stay numbers, texts stay texts; the counts equal the CSV's
    for column in ("items", "pages", "page", "blocks"):
        if column in frame.columns:
            index = list(frame.columns).index(column)
            assert [r[index] for r in rows[1:]] == [int(v) for v in frame[column]]


def test_every_item_row_in_the_workbook_names_its_file_and_page(workbook):
    rows = list(workbook["items"].iter_rows(values_only=True))
    header = list(rows[0])
    source, page = header.index("source"), header.index("page")
    assert all(r[source] and r[source].endswith(".pdf") and r[page] >= 1 for r in rows[1:])


def test_theme_matrix_counts_items_per_municipality_and_scope(sample_run, settings):
    items = read_csv(sample_run.out_dir / "items.csv")
    matrix = read_csv(sample_run.out_dir / "theme_matrix.csv")
    theme_ids = [t.id for t in settings.themes]
    assert list(matrix.columns) == ["scope", "municipality", "items", *theme_ids]
    assert set(matrix["scope"]) == {"課題意識", "all"}
    for scope, municipality, row in (
        (r["scope"], r["municipality"], r) for _, r in matrix.iterrows()
    ):
        own = items[items["municipality"] == municipality]
        if scope != "all":
            own = own[own["block"] == scope]
        assert int(row["items"]) == len(own)
        for theme in theme_ids:
            expected = own["themes"].str.split(";").apply(lambda ids, t=theme: t in ids).sum()
            assert int(row[theme]) == expected
