"""The batch runner: discover files, cache, map over workers, collect, write.

This is the only module that knows about batches: it loops over files, caches their
results, reports progress, stops a file that runs over the time limit and turns a
failing file into a row of documents.csv. The per-document stages (`process_document`)
are pure functions of a file and the settings.

A run, in order:
1. take the output folder's lock (lock.py), so two runs never write the same folder;
2. find the .pdf/.txt files and hash them; the same bytes twice are processed once
   (the second copy gets a `duplicate` row that names the first);
3. read what the cache holds (cache.py); process the rest in worker processes (pool.py:
   forked on Linux, spawned elsewhere or with PIPELINE_START_METHOD=spawn), or in this
   process with `jobs=1` (where SIGALRM can keep the time limit: not on Windows, nor
   with PIPELINE_NO_SIGALRM=1, which run one worker instead); each result waits on
   disk (spool.py);
4. give each document its fiscal year: the text's (cached with the document), the file
   name's and batch.yaml's are weighed on every run (stages/segment/fiscal_year.py);
5. write every output into a staging folder, one document at a time in batch order
   (table_writer.py), and switch the folder in at once (publish.py).
   When nothing changed since the last run, the previous tables are carried over and
   only run.json is new: such a run imports neither spaCy nor pandas.

doc_id is the file's content (`d` + the first 10 hex digits of its SHA-256), so ids
are stable across runs and batches and join documents.csv, blocks.csv and items.csv.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from importlib import metadata
from pathlib import Path

from pipeline.config.paths import ConfigChoice
from pipeline.config.schema import BatchSection, checked_section
from pipeline.config.settings import BatchInfo, Settings, load_batch_info
from pipeline.config.yaml_io import read_yaml
from pipeline.core.contract import OTHER
from pipeline.core.errors import DocumentError, TimeLimitError
from pipeline.core.records import DocumentResult, DocumentSummary, FiscalYear
from pipeline.core.timing import timed
from pipeline.output import publish
from pipeline.output.files import write_json
from pipeline.runner.cache import DocumentCache, analysis_key, tables_version, themes_key
from pipeline.runner.lock import close_inherited, held_descriptors, output_lock
from pipeline.runner.spool import ResultSpool
from pipeline.stages.pipeline import SUFFIXES

log = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT_S = 300.0
DEFAULT_CACHE_LIMIT_MB = 2048.0
STAGES = ("extract", "segment", "analyze", "classify")
TABLE_FILES = (
    "documents.csv",
    "blocks.csv",
    "items.csv",
    "themes.csv",
    "theme_matrix.csv",
    "review.csv",
    "report.xlsx",
    "documents.parquet",
    "blocks.parquet",
    "items.parquet",
)


@dataclass(frozen=True)
class BatchOptions:
    """How a run is carried out (configs/pipeline.yaml `batch:`, command-line options).

    jobs: worker processes (None: one per CPU core; 1: everything in this process).
    time_limit_s: seconds one file may take (None or 0: no limit).
    cache_dir: where document results are cached (None: no cache).
    cache_limit_mb: the cache's size limit; least recently used entries go first (None or
    0: no limit).
    progress: show a progress bar (None: only when stderr is a terminal).
    """

    jobs: int | None = None
    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S
    cache_dir: Path | None = None
    cache_limit_mb: float | None = DEFAULT_CACHE_LIMIT_MB
    progress: bool | None = None

    @property
    def workers(self) -> int:
        return max(1, self.jobs or os.cpu_count() or 1)


def load_batch_options(config: Path, **overrides) -> BatchOptions:
    """The `batch:` section of configs/pipeline.yaml (checked by its schema, like the whole
    file); keyword arguments that are not None (from the command line) win over it."""
    path = Path(config)
    section = checked_section(path, read_yaml(path), "batch", BatchSection)
    values = section.model_dump(exclude_none=True)
    if "cache_dir" in values:  # relative to the config file, like every file it names
        values["cache_dir"] = (path.parent / values["cache_dir"]).resolve()
    values.update({k: v for k, v in overrides.items() if v is not None})
    return BatchOptions(**values)


@dataclass
class RunSummary:
    out_dir: Path
    documents: list[DocumentSummary]  # one per file, in batch order: documents.csv's rows
    timings: dict[str, float] = field(default_factory=dict)
    cache_hits: int = 0
    cache_evicted: int = 0  # least recently used entries removed to stay within the limit
    cache_misses: int = 0
    reclassified: int = 0  # cached documents whose themes were given anew
    outputs: str = "written"  # written | reused (nothing changed since the last run)
    spawned: bool = False  # files were processed by spawned workers (they load the models)

    @property
    def ok(self) -> int:
        return sum(1 for d in self.documents if d.status == "ok")


def discover(batch_dir: Path) -> list[Path]:
    """Report files under the batch folder, recursively, in a stable order."""
    return sorted(
        p
        for p in batch_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(batch_dir).parts)
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def process_document(
    path: Path, source: str, settings: Settings, timings: dict[str, float] | None = None
) -> DocumentResult:
    """Every stage for one file. Raises DocumentError when the file can't be read."""
    # The stages are imported here, not at the top: a fully cached run never needs them.
    from pipeline.stages.classify.combine import batch_root
    from pipeline.stages.pipeline import Pipeline

    sha = sha256_of(path)
    doc_id = f"d{sha[:10]}"
    read = Pipeline(settings).run(
        path, doc_id=doc_id, source=source, sha256=sha, batch_dir=batch_root(path, source),
        timings=timings,
    )  # fmt: skip
    document, blocks, items = read.document, read.blocks, read.items
    status, error = "ok", ""
    if not items:
        status = "unrecognized"
        error = "no blocks or items recognised: is this a 伴走支援 report?"
    elif all(b.block == OTHER for b in blocks):
        status = "unrecognized"
        error = (
            f"no slide matches a known layout (no 現状, 課題意識, … labels); its text is kept as "
            f"{OTHER}: if it is a 伴走支援 report, add its headings to configs/blocks.yaml"
        )
        document.warnings.append(error)
    return DocumentResult(
        doc_id=doc_id,
        source=source,
        sha256=sha,
        pages=len(document.pages),
        status=status,
        error=error,
        blocks=blocks,
        items=items,
        warnings=[f"{source}: {w}" for w in document.warnings],
        text_years=read.text_years,
    )


# --- one file, safely -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    path: Path
    source: str
    sha256: str


@dataclass
class _Done:
    result: DocumentResult
    timings: dict[str, float]
    cacheable: bool  # an unexpected error or a timeout is tried again next run


def _failed(task: _Task, status: str, reason: str, pages: int = 0) -> DocumentResult:
    return DocumentResult(
        doc_id=f"d{task.sha256[:10]}",
        source=task.source,
        sha256=task.sha256,
        pages=pages,
        status=status,
        error=" ".join(reason.split()),  # one line, whatever the message held
    )


def _process_safely(task: _Task, settings: Settings) -> _Done:
    timings: dict[str, float] = {}
    try:
        return _Done(process_document(task.path, task.source, settings, timings), timings, True)
    except DocumentError as exc:
        return _Done(_failed(task, exc.status, str(exc)), timings, True)
    except Exception as exc:  # one bad file must not stop the batch
        log.debug("unexpected error in %s:\n%s", task.source, traceback.format_exc())
        reason = f"unexpected error ({type(exc).__name__}: {exc}); please report it with the file"
        return _Done(_failed(task, "error", reason), timings, False)


def _timed_out(task: _Task, limit: float) -> _Done:
    """The row of a file stopped by the time limit; not cached, so it is tried again."""
    error = TimeLimitError(
        f"stopped after the per-file time limit of {limit:g} s: the file may be damaged or "
        "unusually complex; check it, or raise batch.time_limit_s (--time-limit)"
    )
    return _Done(_failed(task, error.status, str(error)), {}, False)


class _Alarm(BaseException):
    """Raised by SIGALRM in the middle of a stage. A BaseException, so that no library's
    `except Exception` can swallow it."""


NO_SIGALRM_VARIABLE = "PIPELINE_NO_SIGALRM"


def _alarm_usable() -> bool:
    """Whether SIGALRM can stop a file in this process: not on Windows (no SIGALRM), not
    outside the main thread (only it receives signals), not when PIPELINE_NO_SIGALRM=1
    (the tests' way to take the Windows path on Linux)."""
    return (
        hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
        and os.environ.get(NO_SIGALRM_VARIABLE, "") in ("", "0")
    )


@contextmanager
def _alarm(seconds: float | None) -> Iterator[None]:
    """In-process time limit (jobs=1): stops pure-Python work such as pdfminer's parser.
    Used only where `_alarm_usable()`."""
    if not seconds:
        yield
        return

    def ring(signum, frame):
        raise _Alarm

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _where(options: BatchOptions) -> str:
    """Where the files are processed: "here" (jobs=1, and the time limit, if any, can be
    kept by SIGALRM), else in workers started by "fork" or "spawn" (pool.start_method).
    jobs=1 with a limit and no SIGALRM runs one worker, which the parent kills at the
    limit: the same rows as SIGALRM gives, at the cost of one process."""
    if options.workers == 1 and (not options.time_limit_s or _alarm_usable()):
        return "here"
    from pipeline.runner import pool

    return pool.start_method()


@dataclass(frozen=True)
class _Work:
    """What a worker does with a task. A picklable object rather than a closure, so that
    it reaches spawned workers too; forked ones inherit it as they would a closure."""

    settings: Settings
    threads: int

    def __call__(self, task: _Task) -> _Done:
        _share_cores(self.threads)
        return _process_safely(task, self.settings)


def _start_worker(settings: Settings, batch_dir: Path) -> None:
    """A spawned worker's initializer: load the models once, before its first file, as
    the parent does before forking."""
    _load_models(settings, batch_dir)


def _compute(
    tasks: list[_Task], settings: Settings, options: BatchOptions, batch_dir: Path
) -> Iterator[_Done]:
    """Process the tasks, in this process or in workers (`_where`)."""
    limit = options.time_limit_s or None
    if _where(options) == "here":
        for task in tasks:
            try:
                with _alarm(limit):
                    done = _process_safely(task, settings)
            except _Alarm:
                done = _timed_out(task, limit)
            yield done
        return
    from pipeline.runner import pool

    threads = max(1, (os.cpu_count() or 1) // options.workers)
    inherited = held_descriptors()
    outcomes = pool.run_in_workers(
        _Work(settings, threads),
        tasks,
        options.workers,
        limit,
        on_fork=partial(close_inherited, inherited),
        initializer=_start_worker,
        initargs=(settings, batch_dir),
    )
    for outcome in outcomes:
        if outcome.failure == pool.TIMEOUT:
            yield _timed_out(outcome.task, limit)
        elif outcome.failure:
            reason = (
                f"the worker reading this file stopped ({outcome.detail}); "
                "please report it with the file"
            )
            yield _Done(_failed(outcome.task, "error", reason), {}, False)
        else:
            yield outcome.value


_BLAS_THREADS: list[int] = []  # set in a worker, once


def _share_cores(threads: int) -> None:
    """In a worker: numpy's BLAS (GiNZA's tok2vec and parser) gets its share of
    the cores. Each process would otherwise start a BLAS thread per core, and workers on
    every core then spin against each other's threads."""
    if _BLAS_THREADS:
        return
    _BLAS_THREADS.append(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # scikit-learn's dependency; without it BLAS keeps its default
        return
    threadpool_limits(limits=threads, user_api="blas")


def _load_models(settings: Settings, batch_dir: Path) -> None:
    """Load the analyser and the theme model before the first document, outside any
    file's time limit; forked workers inherit them, spawned ones call this themselves."""
    from pipeline.core.records import Item
    from pipeline.stages.analyze.morphology import analyze
    from pipeline.stages.classify.combine import classify

    probe = Item(
        item_id="", block_id="", doc_id="", source="", municipality="", page=1, block="",
        session=None, level=1, parent_id="", context="", text="準備", text_raw="準備",
    )  # fmt: skip
    try:
        analyze([probe], settings.analyze)
        classify([probe], settings, batch_dir)
    except Exception as exc:  # each document will report it in its own row
        log.warning("could not load the models before starting the workers: %s", exc)


# --- the run ---------------------------------------------------------------------------------


def run_batch(
    batch_dir: Path,
    out_dir: Path,
    settings: Settings,
    progress: bool | None = None,
    options: BatchOptions | None = None,
    config: ConfigChoice | None = None,
) -> RunSummary:
    """Process every report file of a batch and write the tables to out_dir. `config` is
    which pipeline.yaml the settings came from and why, for run.json.

    Raises OutputLockedError when another run is writing out_dir, and TrainingDataError
    or ConfigError (before anything is read or written) when the batch's labels.csv or
    batch.yaml cannot be used.
    """
    from pipeline.stages.classify.combine import check_training_data

    stated = load_batch_info(batch_dir)
    check_training_data(settings, batch_dir)
    options = options or BatchOptions()
    if progress is not None:
        options = replace(options, progress=progress)
    started = time.perf_counter()
    timings = dict.fromkeys(STAGES, 0.0)
    with output_lock(out_dir):
        with timed(timings, "hash"):
            tasks = [
                _Task(path, path.relative_to(batch_dir).as_posix(), sha256_of(path))
                for path in discover(batch_dir)
            ]
        first: dict[str, _Task] = {}
        for task in tasks:
            first.setdefault(task.sha256, task)
        analysis = analysis_key(settings)
        themes = themes_key(settings, _model_inputs(settings, batch_dir))
        key = f"{analysis}-{themes}-{stated}"  # the tables show batch.yaml's year
        limit = int(options.cache_limit_mb * 2**20) if options.cache_limit_mb else None
        cache = (
            DocumentCache(options.cache_dir, analysis, themes, limit) if options.cache_dir else None
        )
        reclassified = 0
        # Results wait on disk until the tables are written in batch order, and are then
        # read back one at a time: memory stays flat however large the batch.
        with ResultSpool(out_dir) as spool:
            for sha, task in first.items():
                with timed(timings, "cache"):
                    cached = cache.get(sha) if cache else None
                if cached is None:
                    continue
                result = _restamp(cached.result, task.source)
                if not cached.themes_current:  # theme rules or training data changed
                    _reclassify(result, settings, batch_dir, timings)
                    cache.put(sha, result)
                    reclassified += 1
                spool.put(sha, result)
            misses = [task for sha, task in first.items() if sha not in spool]
            show = sys.stderr.isatty() if options.progress is None else options.progress
            bar = _progress(len(tasks), len(tasks) - len(misses), show)
            try:
                if misses and _where(options) != "spawn":  # spawned workers load their own
                    with timed(timings, "load_model"):
                        _load_models(settings, batch_dir)
                with timed(timings, "process"):
                    for outcome in _compute(misses, settings, options, batch_dir):
                        result = outcome.result
                        spool.put(result.sha256, result)
                        for stage, seconds in outcome.timings.items():
                            timings[stage] = timings.get(stage, 0.0) + seconds
                        if cache and outcome.cacheable:
                            cache.put(result.sha256, result)
                        bar.update(1)
            finally:
                bar.close()
            evicted = cache.prune() if cache else 0
            summary = RunSummary(
                out_dir=out_dir,
                documents=[],
                timings=timings,
                cache_hits=cache.hits if cache else 0,
                cache_misses=len(misses),
                cache_evicted=evicted,
                reclassified=reclassified,
                spawned=bool(misses) and _where(options) == "spawn",
            )
            inputs = _inputs_key(tasks, key)
            year = _stated_year(stated)
            results = (
                with_fiscal_year(_row(task, first[task.sha256], spool), year) for task in tasks
            )
            with publish.staged(out_dir) as stage:
                with timed(timings, "write"):
                    previous = publish.current_version(out_dir)
                    if not misses and _outputs_of(previous, inputs):
                        publish.carry_over(previous, stage, skip=("run.json",))
                        summary.outputs = "reused"
                        summary.documents = [DocumentSummary.of(r) for r in results]
                    else:
                        summary.documents = write_tables(results, settings, stage)
                timings["total"] = time.perf_counter() - started
                write_json(
                    _run_record(summary, settings, batch_dir, options, inputs, stated, config),
                    stage / "run.json",
                )
    return summary


def _reclassify(
    result: DocumentResult, settings: Settings, batch_dir: Path, timings: dict[str, float]
) -> None:
    """Themes of a cached document's analysed items under the current rules and model."""
    from pipeline.stages.classify.combine import classify

    with timed(timings, "classify"):
        classify(result.items, settings, batch_dir)


def _progress(total: int, done: int, show: bool):
    from tqdm import tqdm

    return tqdm(total=total, initial=done, desc="files", unit="file", disable=not show)


def _restamp(result: DocumentResult, source: str) -> DocumentResult:
    """A cached result under the name the file has now (it may have been renamed)."""
    if result.source == source:
        return result
    old = result.source
    for record in (*result.blocks, *result.items):
        record.source = source
    warnings = [source + w[len(old) :] if w.startswith(f"{old}: ") else w for w in result.warnings]
    return replace(result, source=source, warnings=warnings)


def _row(task: _Task, first: _Task, spool: ResultSpool) -> DocumentResult:
    """A file's result; a second copy of the same bytes gets a row pointing at the first."""
    result = spool.get(task.sha256)
    if task is first:
        return result
    reason = (
        f"same content as {first.source}: its blocks and items are listed once, under that "
        "file; remove one of the copies"
    )
    return DocumentResult(
        doc_id=result.doc_id,
        source=task.source,
        sha256=task.sha256,
        pages=result.pages,
        status="duplicate",
        error=reason,
        text_years=result.text_years,
    )


def _stated_year(stated: BatchInfo) -> FiscalYear | None:
    from pipeline.stages.segment.fiscal_year import BATCH_FILE

    if stated.fiscal_year is None:
        return None
    return FiscalYear(stated.fiscal_year, BATCH_FILE, f"fiscal_year: {stated.fiscal_year}")


def with_fiscal_year(result: DocumentResult, stated: FiscalYear | None) -> DocumentResult:
    """A document with its fiscal year, and its blocks and items with their
    municipality's. Decided here on every run, not cached with the document: the file's
    name and batch.yaml may have changed since its text was read."""
    from pipeline.stages.segment.fiscal_year import read_filename_year, resolve

    named, warnings = read_filename_year(result.source)
    municipalities = [b.municipality for b in result.blocks]
    dating = resolve(stated, result.text_years, named, municipalities)
    for record in (*result.blocks, *result.items):
        record.fiscal_year = dating.of(record.municipality)
    if result.status not in ("ok", "unrecognized"):
        warnings = []  # a file not read (or read under another name) has its own row's say
    else:
        warnings = [f"{result.source}: {w}" for w in (*warnings, *dating.warnings)]
    return replace(
        result,
        fiscal_year=dating.year,
        fiscal_year_source=dating.source,
        warnings=[*result.warnings, *warnings],
    )


def _model_inputs(settings: Settings, batch_dir: Path) -> list[Path]:
    """The files the theme model is trained on: a document's themes depend on them."""
    from pipeline.stages.classify.combine import training_files

    return training_files(settings.classifier, batch_dir)


def _inputs_key(tasks: list[_Task], settings: str) -> str:
    """What the tables are a function of: file names and contents, settings, code."""
    digest = hashlib.sha256(f"{settings}|{tables_version()}".encode())
    for task in tasks:
        digest.update(f"\n{task.source}\t{task.sha256}".encode())
    return digest.hexdigest()[:16]


def _outputs_of(previous: Path | None, inputs: str) -> bool:
    """Whether the previous run's tables were made from exactly these inputs."""
    if previous is None or not all((previous / name).is_file() for name in TABLE_FILES):
        return False
    try:
        record = json.loads((previous / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return record.get("inputs_key") == inputs


def write_tables(
    results: Iterable[DocumentResult], settings: Settings, folder: Path
) -> list[DocumentSummary]:
    """The CSV tables and the Excel workbook of a run, into folder, one document at a
    time; returns each document's summary."""
    from pipeline.output.review import ReviewList
    from pipeline.output.table_writer import TableWriter

    review_list = ReviewList(settings.themes, settings.classifier, settings.review)
    with TableWriter(folder, settings.themes, review_list) as writer:
        return [writer.add(result) for result in results]


def _run_record(
    summary, settings, batch_dir, options, inputs, stated: BatchInfo, config: ConfigChoice | None
) -> dict:
    documents = summary.documents
    statuses: dict[str, int] = {}
    for d in documents:
        statuses[d.status] = statuses.get(d.status, 0) + 1
    return {
        "batch": str(batch_dir),
        "batch_file": {"fiscal_year": stated.fiscal_year, "title": stated.title},
        "config_digest": settings.digest,
        # which pipeline.yaml, and why that one (config/paths.py: find_config)
        "config": str(config.path.resolve()) if config else None,
        "config_source": config.source if config else None,
        "code_version": tables_version(),
        "inputs_key": inputs,
        "versions": _versions(),
        "options": {
            "jobs": options.workers,
            "time_limit_s": options.time_limit_s,
            "cache": str(options.cache_dir) if options.cache_dir else None,
        },
        "counts": {
            "files": len(documents),
            "documents": len({d.sha256 for d in documents}),
            "statuses": statuses,
            "municipalities": len({m for d in documents for m in d.municipalities}),
            "blocks": sum(d.blocks for d in documents),
            "items": sum(d.items for d in documents),
        },
        "cache": {
            "hits": summary.cache_hits,
            "misses": summary.cache_misses,
            "reclassified": summary.reclassified,
            "evicted": summary.cache_evicted,
        },
        "outputs": summary.outputs,
        # stage timings are summed over documents (across workers); the rest is wall time
        "timings_s": {k: round(v, 3) for k, v in summary.timings.items()},
        "models_loaded": "spacy" in sys.modules or summary.spawned,
        "warnings": [w for d in documents for w in d.warnings],
    }


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("pipeline", "pdfplumber", "spacy", "ginza", "ja-ginza", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions
