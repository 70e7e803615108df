"""Benchmark: every stage against its baseline, and whole runs as batches grow.

    python -m tools.bench [--quick] [--sizes 20,100,500] [--jobs 1,2]   (or `make bench`)

1. Scale batches: N documents of three slides each, recombined from the sample sources
   (corpora/sources) with corpora/reportgen's own renderer: document k takes the
   situation slide of one source, the overview of another and the results of a third,
   under a municipality name of its own, so no two documents are the same file. They
   are deterministic, and cached in outputs/bench/batches/ under a hash of the
   generator, the sources and the recipe; document k is the same in every size.
2. Analysis against its baseline, on the same item texts (the items of the first
   documents, a fixed sample of about --sample-chars characters), each configuration in
   a fresh process, as chars/s (median of --repeats):
   the baseline, plain `nlp.pipe` of the full ja_ginza pipeline (spacy.load("ja_ginza"),
   nothing disabled, thinc's default ops); the same with numpy's BLAS instead of BLIS;
   `pipeline.stages.analyze.morphology.analyze` on BLIS (the stage before the BLAS change); and
   `pipeline.stages.analyze.morphology.analyze` as it runs in a batch.
3. Stage throughputs in one process: extraction pages/s, analysis chars/s,
   classification items/s.
4. End to end: `python -m pipeline run` in a subprocess for each size, with 1 and 2
   workers, cold (empty cache, new output folder) and warm (the same unchanged batch
   again), timed from outside. Memory is measured on the process tree of the run (the
   runner and its forked workers), polled every 50 ms from /proc: `peak_rss_mb` is the
   peak of the summed resident set sizes (pages the forked workers share with the
   runner, such as the GiNZA model, count once per process, so this overstates real
   use), `peak_pss_mb` the peak of the summed proportional set sizes (shared pages
   divided among the processes that share them: closer to what the run costs the
   machine, polled every second), and `max_process_rss_mb` the kernel's own high-water
   mark of the largest single process (ru_maxrss from wait4, exact but per process).

Writes outputs/bench/bench.json and prints a table; exit status 0 when every check of
issue 7 passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import hashlib
import json
import os
import pickle
import platform
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipeline.config.paths import DEFAULT_CONFIG, PROJECT_ROOT

DEFAULT_OUT = PROJECT_ROOT / "outputs" / "bench"
DEFAULT_SIZES = (20, 100, 500)
QUICK_SIZES = (2, 4)
DEFAULT_JOBS = (1, 2)
GENERATOR = PROJECT_ROOT / "corpora" / "reportgen"
SOURCES = PROJECT_ROOT / "corpora" / "sources"
_RECIPE = "1"  # bump when the recombination below changes
# Layouts of three slides each (no continued cell), cycled over the documents.
_LAYOUTS = (
    {"page": "wide", "label_width": "narrow", "bullet": "•"},
    {"page": "wide", "label_width": "medium", "bullet": "○", "boxes": "borderless"},
    {"page": "wide", "label_width": "narrow", "bullet": "・"},
    {"page": "wide", "label_width": "medium", "bullet": "◆"},
    {"page": "a4", "label_width": "narrow", "bullet": "・"},
)
_NAME_CHARS = "東西南北上中下新本大小高川山田野"  # municipality names: two of the source's + three
ANALYSIS_CONFIGS = {
    "baseline": "full ja_ginza, default ops (baseline)",
    "full_numpy": "full ja_ginza, numpy BLAS instead of BLIS",
    "analyze_blis": "analyze(): needed components only, BLIS",
    "analyze": "analyze(): needed components only, numpy BLAS",
}
TARGET_RATIO = 5.0
MEMORY_TOLERANCE = 0.20
WARM_SHARE = 0.05


# --- scale batches ---------------------------------------------------------------------------


def batch_digest() -> str:
    """What a scale batch is a function of: the generator, the sources, the recipe."""
    digest = hashlib.sha256(f"{_RECIPE}|{_LAYOUTS}|{_NAME_CHARS}".encode())
    for path in [*sorted(GENERATOR.glob("*.py")), *sorted(SOURCES.glob("*.yaml"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def municipality_name(stem: str, k: int) -> str:
    """A distinct municipality name per document k (< 4096), matching blocks.yaml's pattern."""
    digits = []
    for _ in range(3):
        digits.append(_NAME_CHARS[k % len(_NAME_CHARS)])
        k //= len(_NAME_CHARS)
    return stem[:2] + "".join(digits) + "市"


def _recombined(k: int, ids: list[str], sources: dict) -> dict:
    pick = random.Random(k)  # an int seed gives the same sequence on every Python
    a, b, c = (ids[pick.randrange(len(ids))] for _ in range(3))
    base = sources[a]
    return {
        **base,
        "id": f"bench{k:04d}",
        "municipality": municipality_name(base["municipality"][:-1], k),
        "overview": sources[b]["overview"],
        "results": sources[c]["results"],
    }


def make_batch(size: int, root: Path, log=print) -> Path:
    """The scale batch of `size` documents under root/batches/, generated once."""
    folder = root / "batches" / f"n{size}-{batch_digest()}"
    if (folder / ".complete").is_file():
        return folder
    for stale in (root / "batches").glob(f"n{size}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    # here, not at the top: the measuring child processes import this module too, and
    # should not load reportlab, fontTools and matplotlib
    from corpora.reportgen.checks import load_yaml
    from corpora.reportgen.fonts import Fonts
    from corpora.reportgen.manifest import validate_manifest
    from corpora.reportgen.render import render_document
    from corpora.reportgen.sources import load_sources
    from corpora.reportgen.style import GenerateError

    started = time.perf_counter()
    fonts = Fonts()
    manifest_path = SOURCES / "batch.yaml"
    manifest = validate_manifest(load_yaml(manifest_path), manifest_path)
    sources = load_sources(manifest, SOURCES, fonts)
    ids = sorted(sources)
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(size):
        source = _recombined(k, ids, sources)
        name = f"bench_{k:04d}.pdf"
        sources[source["id"]] = source
        for layout in (_LAYOUTS[k % len(_LAYOUTS)], _LAYOUTS[0]):
            doc = {"file": name, "continued": False, "sources": [source["id"]], **layout}
            try:
                rendered = render_document(doc, sources, fonts)
                break
            except GenerateError:  # too much text for this layout: the wide one fits
                continue
        else:
            raise RuntimeError(f"{name}: no layout fits the recombined source")
        del sources[source["id"]]
        (folder / name).write_bytes(rendered.pdf)
    (folder / ".complete").write_text("", encoding="utf-8")
    log(f"generated {folder.relative_to(root)} in {time.perf_counter() - started:.1f} s")
    return folder


# --- measuring one run of the command line ---------------------------------------------------


def _children(pid: int) -> list[int]:
    """Children forked by a process's main thread (the runner forks its workers there)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo.extend(_children(current))
    return pids


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _MemoryPoller(threading.Thread):
    """Peak summed RSS (and, less often, PSS) of a process tree, from /proc."""

    def __init__(self, pid: int, interval: float = 0.05, pss_every: int = 20):
        super().__init__(daemon=True)
        self.pid, self.interval, self.pss_every = pid, interval, pss_every
        self.peak_rss_kb = self.peak_pss_kb = self.peak_processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.done.is_set():
            pids = _tree(self.pid)
            rss = sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_processes = max(self.peak_processes, len(pids))
            if n % self.pss_every == 0:
                pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
                self.peak_pss_kb = max(self.peak_pss_kb, pss)
            n += 1
            self.done.wait(self.interval)


def run_cli(batch: Path, out: Path, cache: Path, jobs: int) -> dict:
    """Time one `python -m pipeline run` from outside and measure its memory."""
    command = [sys.executable, "-m", "pipeline", "run", str(batch), "--out", str(out)]
    command += ["--cache-dir", str(cache), "--jobs", str(jobs), "--quiet"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    poller = _MemoryPoller(process.pid)
    poller.start()
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    poller.done.set()
    poller.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr.decode(errors='replace')}")
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return {
        "wall_s": round(wall, 3),
        "peak_rss_mb": round(poller.peak_rss_kb / 1024, 1),
        "peak_pss_mb": round(poller.peak_pss_kb / 1024, 1),
        "max_process_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "processes": poller.peak_processes,
        "cache_hits": record["cache"]["hits"],
        "outputs": record["outputs"],
        "models_loaded": record["models_loaded"],
        "timings_s": record["timings_s"],
        "counts": record["counts"],
    }


def _item_chars(out: Path) -> int:
    with (out / "items.csv").open(encoding="utf-8-sig", newline="") as handle:
        return sum(len(row["text"]) for row in csv.DictReader(handle))


def _pages(out: Path) -> int:
    with (out / "documents.csv").open(encoding="utf-8-sig", newline="") as handle:
        return sum(int(row["pages"] or 0) for row in csv.DictReader(handle))


def _median(values: list[float]) -> float:
    return statistics.median(values)


def end_to_end(batch: Path, work: Path, jobs: int, repeats: int, cold_repeats: int) -> dict:
    """Cold runs (fresh cache and output folder each) and warm re-runs of the last."""
    colds = []
    for n in range(cold_repeats):
        out, cache = work / f"out-{jobs}-{n}", work / f"cache-{jobs}-{n}"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(run_cli(batch, out, cache, jobs))
    warms = [run_cli(batch, out, cache, jobs) for _ in range(repeats)]
    cold = dict(colds[len(colds) // 2] if len(colds) % 2 else colds[-1])
    cold["wall_s"] = round(_median([c["wall_s"] for c in colds]), 3)
    cold["peak_rss_mb"] = max(c["peak_rss_mb"] for c in colds)
    cold["peak_pss_mb"] = max(c["peak_pss_mb"] for c in colds)
    cold["max_process_rss_mb"] = max(c["max_process_rss_mb"] for c in colds)
    cold["runs_s"] = [c["wall_s"] for c in colds]
    warm = dict(warms[-1])
    warm["wall_s"] = round(_median([w["wall_s"] for w in warms]), 3)
    warm["runs_s"] = [w["wall_s"] for w in warms]
    return {
        "jobs": jobs,
        "cold": cold,
        "warm": warm,
        "item_chars": _item_chars(out),
        "pages": _pages(out),
        "warm_share": round(warm["wall_s"] / cold["wall_s"], 4),
        "_out": out,
        "_cache": cache,
    }


# --- throughput of the stages, each configuration in a fresh process -------------------------


def _measure(kind: str, items_path: Path, repeats: int) -> dict:
    """Runs in a child process (`python -m tools.bench.bench KIND ITEMS REPEATS`)."""
    from pipeline.config.settings import load_settings

    with items_path.open("rb") as handle:
        sample = pickle.load(handle)
    settings = load_settings(Path(sample["config"]))
    items = sample["items"]
    texts = [item.text for item in items]
    chars = sum(map(len, texts))
    times: list[float] = []

    def timed(run, setup=lambda: None) -> None:
        for _ in range(repeats):
            arg = setup()
            started = time.perf_counter()
            run(arg)
            times.append(time.perf_counter() - started)

    load_started = time.perf_counter()
    if kind in ("baseline", "full_numpy"):
        import spacy
        from thinc.api import use_ops

        with use_ops("numpy", use_blis=False) if kind == "full_numpy" else contextlib.nullcontext():
            nlp = spacy.load("ja_ginza")  # every component, as it ships
        load_s = time.perf_counter() - load_started
        list(nlp.pipe(texts[:20]))  # warm-up: the first call initialises lazily
        timed(lambda _: list(nlp.pipe(texts)))
        return {"chars": chars, "texts": len(texts), "load_s": load_s, "times_s": times}
    if kind in ("analyze", "analyze_blis"):
        from pipeline.stages.analyze.morphology import analyze

        options = {**settings.analyze, "blis": kind == "analyze_blis"}
        analyze([dataclasses.replace(i) for i in items[:20]], options)  # load + warm-up
        load_s = time.perf_counter() - load_started
        timed(lambda copies: analyze(copies, options), lambda: _copies(items))
        return {"chars": chars, "texts": len(texts), "load_s": load_s, "times_s": times}
    if kind == "stages":
        return _measure_stages(sample, settings, repeats)
    raise ValueError(kind)


def _copies(items: list) -> list:
    return [dataclasses.replace(i) for i in items]


def _measure_stages(sample: dict, settings, repeats: int) -> dict:
    """Extraction pages/s, analysis chars/s and classification items/s in one process."""
    from pipeline.stages.pipeline import Pipeline

    stages = Pipeline(settings)
    files = [Path(f) for f in sample["files"]]
    batch_dir = Path(sample["batch"])
    extraction, analysis, classification = [], [], []
    pages = 0
    for _ in range(repeats):
        started = time.perf_counter()
        pages = 0
        for path in files:
            pages += len(stages.extract(path).pages)
        extraction.append(time.perf_counter() - started)
    items = sample["items"]
    chars = sum(len(i.text) for i in items)
    stages.analyze(_copies(items[:20]))
    stages.classify(_copies(items[:20]), batch_dir)  # loads or trains the theme model
    for _ in range(repeats):
        copies = _copies(items)
        started = time.perf_counter()
        stages.analyze(copies)
        analysis.append(time.perf_counter() - started)
        started = time.perf_counter()
        stages.classify(copies, batch_dir)
        classification.append(time.perf_counter() - started)
    return {
        "extraction": {"pages": pages, "times_s": extraction},
        "analysis": {"chars": chars, "times_s": analysis},
        "classification": {"items": len(items), "times_s": classification},
    }


def _in_child(kind: str, items_path: Path, repeats: int) -> dict:
    command = [sys.executable, "-m", "tools.bench.bench", kind, str(items_path), str(repeats)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sample_items(batch: Path, config: Path, min_chars: int) -> tuple[list, list[Path]]:
    """The items of the first documents of a batch, about min_chars characters in all
    (whole documents, so the mix of blocks is a real one)."""
    from pipeline.config.settings import load_settings
    from pipeline.runner.batch import discover
    from pipeline.stages.pipeline import Pipeline

    stages = Pipeline(load_settings(config))
    items, files = [], []
    for path in discover(batch):
        files.append(path)
        items.extend(stages.run(path, "segment", doc_id=path.stem).items)
        if sum(len(i.text) for i in items) >= min_chars:
            break
    return items, files


# --- the whole benchmark ---------------------------------------------------------------------


def _machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = _kb("/proc/meminfo", "MemTotal:") / 1024 / 1024
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _throughput(result: dict, unit: str) -> float:
    return result[unit] / _median(result["times_s"])


def run_bench(
    out: Path,
    sizes: tuple[int, ...],
    jobs: tuple[int, ...],
    repeats: int,
    sample_chars: int,
    config: Path = DEFAULT_CONFIG,
    ladder: bool = True,
    log=print,
) -> dict:
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "command": "python -m tools.bench " + " ".join(sys.argv[1:]),
        "machine": _machine(),
        "settings": {"sizes": sizes, "jobs": jobs, "repeats": repeats},
    }
    batches = {size: make_batch(size, out, log) for size in sizes}
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        items, files = sample_items(batches[min(sizes)], config, sample_chars)
        items_path = work / "sample_items.pickle"
        with items_path.open("wb") as handle:
            sample = {
                "items": items,
                "files": [str(f) for f in files],
                "batch": str(batches[min(sizes)]),
                "config": str(config),
            }
            pickle.dump(sample, handle, protocol=pickle.HIGHEST_PROTOCOL)
        chars = sum(len(i.text) for i in items)
        log(f"analysis sample: {len(items)} items, {chars:,} chars from {len(files)} documents")
        kinds = list(ANALYSIS_CONFIGS) if ladder else ["baseline", "analyze"]
        analysis = {}
        for kind in kinds:
            result = _in_child(kind, items_path, repeats)
            result["chars_per_s"] = round(_throughput(result, "chars"), 1)
            analysis[kind] = result
            log(f"  {ANALYSIS_CONFIGS[kind]}: {result['chars_per_s']:,.0f} chars/s")
        base = analysis["baseline"]["chars_per_s"]
        for result in analysis.values():
            result["vs_baseline"] = round(result["chars_per_s"] / base, 2)
        report["analysis"] = analysis
        stages = _in_child("stages", items_path, repeats)
        report["stages"] = {
            "extraction_pages_per_s": round(_throughput(stages["extraction"], "pages"), 1),
            "analysis_chars_per_s": round(_throughput(stages["analysis"], "chars"), 1),
            "classification_items_per_s": round(_throughput(stages["classification"], "items"), 1),
            "raw": stages,
        }
        log("  stages: {extraction_pages_per_s} pages/s extraction, {analysis_chars_per_s:,.0f} "
            "chars/s analysis, {classification_items_per_s:,.0f} items/s classification"
            .format(**report["stages"]))  # fmt: skip
        runs = []
        for size in sizes:
            for j in jobs:
                # cold runs of the small batches are cheap: repeat those
                cold_repeats = repeats if size * repeats <= 60 else 1
                row = end_to_end(batches[size], work / f"n{size}", j, repeats, cold_repeats)
                row["documents"] = size
                for key in ("_out", "_cache"):
                    shutil.rmtree(row.pop(key), ignore_errors=True)
                runs.append(row)
                log(
                    f"  {size} documents, {j} job(s): cold {row['cold']['wall_s']:.1f} s, "
                    f"warm {row['warm']['wall_s']:.2f} s, peak {row['cold']['peak_rss_mb']:.0f} MB"
                )
        report["runs"] = runs
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["checks"] = checks(report)
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["bench_wall_s"] = round(time.perf_counter() - started, 1)
    (out / "bench.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return report


def checks(report: dict) -> list[dict]:
    """Issue 7's criteria, each with the figures it was decided on."""
    analysis, runs = report["analysis"], report["runs"]
    base = analysis["baseline"]["chars_per_s"]
    ratio = analysis["analyze"]["chars_per_s"] / base
    found = [
        {
            "check": f"analysis ≥ {TARGET_RATIO:g}× the full-pipeline baseline",
            "value": f"{ratio:.1f}×",
            "ok": ratio >= TARGET_RATIO,
        }
    ]
    largest = max(r["documents"] for r in runs)
    smallest = min(r["documents"] for r in runs)
    for j in sorted({r["jobs"] for r in runs}):
        big = next(r for r in runs if r["documents"] == largest and r["jobs"] == j)
        small = next(r for r in runs if r["documents"] == smallest and r["jobs"] == j)
        needed = big["item_chars"] / base
        found.append(
            {
                "check": f"{largest} documents, {j} job(s), cold, end to end < the baseline's "
                f"analysis alone ({big['item_chars']:,} chars at {base:,.0f} chars/s)",
                "value": f"{big['cold']['wall_s']:.1f} s vs {needed:.1f} s",
                "ok": big["cold"]["wall_s"] < needed,
            }
        )
        growth = big["cold"]["peak_rss_mb"] / small["cold"]["peak_rss_mb"] - 1
        found.append(
            {
                "check": f"peak memory (RSS of the process tree), {j} job(s): {largest} "
                f"documents within {MEMORY_TOLERANCE:.0%} of {smallest}",
                "value": f"{big['cold']['peak_rss_mb']:.0f} MB vs "
                f"{small['cold']['peak_rss_mb']:.0f} MB ({growth:+.1%})",
                "ok": growth <= MEMORY_TOLERANCE,
            }
        )
        found.append(
            {
                "check": f"warm re-run < {WARM_SHARE:.0%} of cold, {largest} documents, {j} job(s)",
                "value": f"{big['warm']['wall_s']:.2f} s / {big['cold']['wall_s']:.1f} s "
                f"= {big['warm_share']:.1%}",
                "ok": big["warm_share"] < WARM_SHARE,
            }
        )
    return found


def format_report(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"$ {report['command']}",
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}; "
        f"load average {m['load_average_at_start'][0]} at start, "
        f"{m.get('load_average_at_end', ['?'])[0]} at end",
        "",
    ]
    analysis = report["analysis"]
    first = next(iter(analysis.values()))
    lines.append(
        f"Analysis of the same {first['chars']:,} chars ({first['texts']} item texts), "
        f"median of {len(first['times_s'])}, each in a fresh process:"
    )
    lines.append(f"  {'configuration':<44} {'chars/s':>9} {'× baseline':>11}")
    for kind, result in analysis.items():
        lines.append(
            f"  {ANALYSIS_CONFIGS[kind]:<44} {result['chars_per_s']:>9,.0f} "
            f"{result['vs_baseline']:>10.1f}×"
        )
    s = report["stages"]
    lines += [
        "",
        f"Stages in one process: extraction {s['extraction_pages_per_s']:,.1f} pages/s, "
        f"analysis {s['analysis_chars_per_s']:,.0f} chars/s, "
        f"classification {s['classification_items_per_s']:,.0f} items/s",
        "",
        "End to end (python -m pipeline run; cold: empty cache; warm: unchanged batch again):",
        f"  {'docs':>5} {'pages':>6} {'chars':>9} {'jobs':>4} {'cold s':>8} {'warm s':>7} "
        f"{'warm/cold':>9} {'docs/s':>7} {'peak RSS MB':>11} {'PSS MB':>7} {'max proc MB':>11}",
    ]
    for r in report["runs"]:
        c, w = r["cold"], r["warm"]
        lines.append(
            f"  {r['documents']:>5} {r['pages']:>6} {r['item_chars']:>9,} {r['jobs']:>4} "
            f"{c['wall_s']:>8.1f} {w['wall_s']:>7.2f} {r['warm_share']:>9.1%} "
            f"{r['documents'] / c['wall_s']:>7.2f} {c['peak_rss_mb']:>11.0f} "
            f"{c['peak_pss_mb']:>7.0f} {c['max_process_rss_mb']:>11.0f}"
        )
    lines += ["", "Checks (issue 7):"]
    for check in report["checks"]:
        lines.append(f"  [{'PASS' if check['ok'] else 'FAIL'}] {check['check']}: {check['value']}")
    lines.append(f"\nbench took {report['bench_wall_s']:.0f} s")
    return "\n".join(lines)


def _sizes(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"give numbers ≥ 1, e.g. 20,100,500: {text!r}")
    return values


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        type=_sizes,
        metavar="N,N,…",
        help="documents per scale batch (default: 20,100,500; --quick: 2,4)",
    )
    parser.add_argument(
        "--jobs",
        type=_sizes,
        metavar="N,N,…",
        help="worker counts to run each batch with (default: 1,2)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        metavar="N",
        help="repeated measurements, of which the median is reported (default: 3; --quick: 1)",
    )
    parser.add_argument(
        "--sample-chars",
        type=int,
        metavar="N",
        help="characters of item text in the analysis sample (default: 12000; --quick: 1500)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke test: small batches, one repeat, only the baseline and the stage",
    )
    parser.add_argument(
        "--out", metavar="DIR", default=str(DEFAULT_OUT), help="default: outputs/bench"
    )
    parser.add_argument(
        "--config", metavar="FILE", default=str(DEFAULT_CONFIG), help="pipeline config"
    )


def run(args: argparse.Namespace) -> int:
    quick = args.quick
    report = run_bench(
        Path(args.out),
        sizes=args.sizes or (QUICK_SIZES if quick else DEFAULT_SIZES),
        jobs=args.jobs or DEFAULT_JOBS,
        repeats=args.repeats or (1 if quick else 3),
        sample_chars=args.sample_chars or (1500 if quick else 12000),
        config=Path(args.config),
        ladder=not quick,
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )
    print(format_report(report))
    print(f"→ {Path(args.out) / 'bench.json'}")
    return 0 if all(c["ok"] for c in report["checks"]) else 1


if __name__ == "__main__":  # a measurement in a fresh process (see _in_child)
    print(json.dumps(_measure(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))))
