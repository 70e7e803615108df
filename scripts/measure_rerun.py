"""Measure a cold run against a re-run of the same unchanged batch (issue 5: warm < 10%).

    .venv/bin/python scripts/measure_rerun.py [BATCH] [--jobs N]     (or `make measure`)

Both runs are the real command line (`python -m pipeline run`), timed from outside as a
user would see them, with a fresh output folder and cache in a temporary folder, so the
first run is truly cold. The warm run's run.json says whether spaCy was imported.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(batch: Path, out: Path, cache: Path, jobs: int | None) -> tuple[float, dict]:
    command = [sys.executable, "-m", "pipeline", "run", str(batch), "--out", str(out)]
    command += ["--cache-dir", str(cache), "--quiet"]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    elapsed = time.perf_counter() - started
    return elapsed, json.loads((out / "run.json").read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("batch", nargs="?", default=str(ROOT / "corpora" / "sample"))
    parser.add_argument("--jobs", type=int, help="passed to `pipeline run`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out, cache = Path(tmp) / "out", Path(tmp) / "cache"
        cold, _ = _run(Path(args.batch), out, cache, args.jobs)
        warm, record = _run(Path(args.batch), out, cache, args.jobs)
    ratio = warm / cold
    print(f"cold run: {cold:.2f} s")
    print(f"warm run: {warm:.2f} s ({ratio:.1%} of cold; target < 10%)")
    print(f"warm run cache: {record['cache']['hits']} hits, {record['cache']['misses']} misses")
    print(f"spaCy imported in the warm run: {'yes' if record['models_loaded'] else 'no'}")
    ok = ratio < 0.10 and not record["models_loaded"]
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
