"""`python -m pipeline bench`: scale batches, and a smoke run of `--quick` (< 60 s)."""

from __future__ import annotations

import json
import re

import pytest

from pipeline import bench
from pipeline.__main__ import build_parser
from pipeline.config import load_settings


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


def test_bench_command_is_wired():
    args = build_parser().parse_args(["bench", "--quick", "--sizes", "2,4", "--jobs", "1"])
    assert args.handler is bench.run
    assert (args.quick, args.sizes, args.jobs) == (True, (2, 4), (1,))
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--sizes", "0"])


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    report = bench.run_bench(
        out, sizes=(2, 4), jobs=(1, 2), repeats=1, sample_chars=1500, ladder=False,
        log=lambda _: None,
    )  # fmt: skip
    return out, report


def test_quick_bench_writes_every_figure(quick):
    out, report = quick
    assert json.loads((out / "bench.json").read_text(encoding="utf-8"))["runs"]
    analysis = report["analysis"]
    assert set(analysis) == {"baseline", "analyze"}
    assert all(a["chars_per_s"] > 0 and a["chars"] >= 1500 for a in analysis.values())
    assert analysis["baseline"]["vs_baseline"] == 1.0
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
        assert cold["peak_rss_mb"] > 100 and cold["max_process_rss_mb"] > 100  # GiNZA
        assert (cold["processes"] > 1) == (run["jobs"] > 1)  # the forked workers are seen
    assert len(report["checks"]) == 7
    assert not (out / "work").exists()  # outputs and caches of the runs are removed


def test_quick_bench_table(quick):
    _, report = quick
    table = bench.format_report(report)
    assert "full ja_ginza, default ops (baseline)" in table
    assert re.search(r"^\s+4\s+12\s+[\d,]+\s+2\s", table, re.MULTILINE)
    assert "Checks (issue 7):" in table
