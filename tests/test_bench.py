"""`python -m tools.bench`: scale batches, its checks, and a smoke run of `--quick`.

The benchmark's figures (speed, memory) are measured by `make bench`, never asserted
here: these tests check that it runs, counts what it ran and judges figures rightly.
"""

from __future__ import annotations

import json
import re

import pytest

from pipeline.config.settings import load_settings
from tools.bench import __main__ as bench_cli
from tools.bench import bench


def test_municipality_names_are_distinct_and_recognised():
    pattern = load_settings().blocks.municipality
    names = [bench.municipality_name("桜ヶ浦", k) for k in range(600)]
    assert len(set(names)) == len(names)
    for name in names[:50] + names[-50:]:
        match = pattern.search(f"{name}（人口 約8万人）")
        assert match and match.group(1) == name


def test_scale_batches_are_deterministic_and_cached(tmp_path):
    first = bench.make_batch(3, tmp_path / "a", log=lambda _: None)
    again = bench.make_batch(3, tmp_path / "b", log=lambda _: None)
    files = sorted(p.name for p in first.glob("*.pdf"))
    assert files == ["bench_0000.pdf", "bench_0001.pdf", "bench_0002.pdf"]
    for name in files:
        assert (first / name).read_bytes() == (again / name).read_bytes()
    assert len({(first / name).read_bytes() for name in files}) == 3  # documents differ
    stamp = (first / files[0]).stat().st_mtime_ns
    assert bench.make_batch(3, tmp_path / "a", log=lambda _: None) == first  # not rebuilt
    assert (first / files[0]).stat().st_mtime_ns == stamp


def test_bench_command_parses_its_options(monkeypatch):
    seen = {}
    monkeypatch.setattr(bench, "run", lambda args: seen.setdefault("args", args) and 0)
    assert bench_cli.main(["--quick", "--sizes", "2,4", "--jobs", "1"]) == 0
    args = seen["args"]
    assert (args.quick, args.sizes, args.jobs) == (True, (2, 4), (1,))
    with pytest.raises(SystemExit):
        bench_cli.main(["--sizes", "0"])


def _report(analyze_chars_per_s: float, big_cold_s: float, big_peak_mb: float) -> dict:
    """A benchmark report with chosen figures: 1,000 chars/s baseline, 2 and 20 documents."""

    def run(documents, cold_s, peak_mb):
        return {
            "documents": documents, "jobs": 1, "item_chars": 1000 * documents,
            "cold": {"wall_s": cold_s, "peak_rss_mb": peak_mb},
            "warm": {"wall_s": 0.1}, "warm_share": 0.1 / cold_s,
        }  # fmt: skip

    return {
        "analysis": {
            "baseline": {"chars_per_s": 1000.0},
            "analyze": {"chars_per_s": analyze_chars_per_s},
        },
        "runs": [run(2, 1.0, 500.0), run(20, big_cold_s, big_peak_mb)],
    }


def test_checks_judge_the_figures():
    good = bench.checks(_report(1000.0 * bench.TARGET_RATIO, 10.0, 500.0))
    assert all(c["ok"] for c in good), good
    assert any("20 documents" in c["check"] and "10.0 s vs 20.0 s" in c["value"] for c in good)
    slow = bench.checks(_report(1000.0 * bench.TARGET_RATIO * 0.9, 25.0, 500.0))
    failed = [c["check"] for c in slow if not c["ok"]]
    assert len(failed) == 2 and "baseline" in failed[0] and "end to end" in failed[1]
    grown = bench.checks(_report(1000.0 * bench.TARGET_RATIO, 10.0, 500.0 * 1.5))
    assert [c["check"] for c in grown if not c["ok"]][0].startswith("peak memory")


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    report = bench.run_bench(
        out, sizes=(2, 4), jobs=(1, 2), repeats=1, sample_chars=1500, ladder=False,
        log=lambda _: None,
    )  # fmt: skip
    return out, report


@pytest.mark.subprocess
def test_quick_bench_writes_every_figure(quick):
    out, report = quick
    assert json.loads((out / "bench.json").read_text(encoding="utf-8"))["runs"]
    analysis = report["analysis"]
    assert set(analysis) == {"baseline", "analyze"}
    assert all(a["chars_per_s"] > 0 and a["chars"] >= 1500 for a in analysis.values())
    assert analysis["analyze"]["vs_baseline"] == pytest.approx(
        analysis["analyze"]["chars_per_s"] / analysis["baseline"]["chars_per_s"], abs=0.006
    )
    stages = report["stages"]
    for key in ("extraction_pages_per_s", "analysis_chars_per_s", "classification_items_per_s"):
        assert stages[key] > 0
    assert [(r["documents"], r["jobs"]) for r in report["runs"]] == [(2, 1), (2, 2), (4, 1), (4, 2)]
    for run in report["runs"]:
        assert run["pages"] == 3 * run["documents"]
        cold, warm = run["cold"], run["warm"]
        assert cold["cache_hits"] == 0 and cold["models_loaded"]
        assert warm["cache_hits"] == run["documents"] and not warm["models_loaded"]
        assert warm["outputs"] == "reused"
        assert (cold["processes"] > 1) == (run["jobs"] > 1)  # the forked workers are seen
    assert report["checks"] == bench.checks(report)  # judged on the figures it wrote
    assert not (out / "work").exists()  # outputs and caches of the runs are removed


@pytest.mark.subprocess
def test_quick_bench_table(quick):
    _, report = quick
    table = bench.format_report(report)
    assert "full ja_ginza, default ops (baseline)" in table
    assert re.search(r"^\s+4\s+12\s+[\d,]+\s+2\s", table, re.MULTILINE)
    assert "Checks (issue 7):" in table
