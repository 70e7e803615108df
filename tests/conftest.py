"""Shared fixtures and the test tiers. Expensive things (settings, the sample run) load
once per session.

Tiers (markers): `ginza` (loads the GiNZA model), `subprocess` (runs `python -m pipeline`
or other programs), `notebooks`, `browser` (headless Chromium), `slow` (reads every corpus). `make test-fast` runs the
rest with PIPELINE_TEST_TIER=fast, in which importing GiNZA or calling run_cli fails the
test: a test that needs them and is not marked shows at once.
"""

from __future__ import annotations

import importlib.abc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"
SAMPLE_TXT = ROOT / "corpora" / "sample_txt" / "pdfplumber"  # one extractor's text of every PDF


TIERS = {
    "ginza": "loads the GiNZA model (spaCy, ja_ginza)",
    "subprocess": "runs the command line or another program in a child process",
    "notebooks": "executes the notebooks",
    "browser": "opens report.html in headless Chromium",
    "slow": "reads every corpus or builds one (tens of seconds)",
}
# Fixtures that run GiNZA: a test that requests one is in the ginza tier.
GINZA_FIXTURES = {"sample_run", "analysed_gold", "ginza", "year_batches"}
# Fixtures that generate the whole sample corpus (test_generate.py): the slow tier.
SLOW_FIXTURES = {"corpus"}
FAST = os.environ.get("PIPELINE_TEST_TIER") == "fast"


class _NoGinza(importlib.abc.MetaPathFinder):
    """In the fast tier, importing GiNZA's model is a mistake of the test's marks."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("ja_ginza", "ginza"):
            raise ImportError(f"{name}: this test loads GiNZA; mark it @pytest.mark.ginza")
        return None


def pytest_configure(config):
    for name, what in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {what}")
    if FAST:
        sys.meta_path.insert(0, _NoGinza())


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if GINZA_FIXTURES & fixtures:
            item.add_marker(pytest.mark.ginza)
        if SLOW_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` in a fresh process, as a user runs it, output captured."""
    if FAST:
        pytest.fail("this test runs the command line; mark it @pytest.mark.subprocess")
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        **kwargs,
    )


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, settings):
    """The sample batch run once through every stage (GiNZA loaded once for the session)."""
    from pipeline.runner.batch import run_batch

    out = tmp_path_factory.mktemp("sample_out")
    summary = run_batch(SAMPLE, out, settings, progress=False)
    return summary


@pytest.fixture(scope="session")
def year_batches(tmp_path_factory, settings):
    """Two batches of different fiscal years made with the generator (two 令和3年度 and two
    令和4年度 reports of the sample, byte-identical to its PDFs), each run once in this
    process: returns the folders (`batches`, `outputs`, `cache`) under which `r03` and `r04`
    are the batch and its output folder."""
    from corpora.reportgen.build import build
    from pipeline.runner.batch import BatchOptions, run_batch

    root = tmp_path_factory.mktemp("years")
    options = BatchOptions(jobs=1, cache_dir=root / "cache", progress=False)
    for name, year in (("r03", 2021), ("r04", 2022)):
        build(ROOT / "corpora" / "sources", root / "batches" / name, lambda _: None, year, 2)
        run_batch(root / "batches" / name, root / "outputs" / name, settings, options=options)
    return root


@pytest.fixture(scope="session")
def analysed_gold(settings):
    """The sample's gold-labelled items as examples and analysed Items (GiNZA lemmas).

    analyze() keeps its model loaded for the process, so this shares it with sample_run.
    """
    from pipeline.stages.analyze.morphology import analyze
    from pipeline.stages.classify.training import as_items, load_gold_examples

    examples = load_gold_examples(SAMPLE / "gold.json")
    items = as_items(examples)
    analyze(items, settings.analyze)
    return examples, items


@pytest.fixture(scope="session")
def sample_items(settings):
    """Every item of the sample PDFs, extracted and segmented (not yet analysed).

    Tests that analyse them work on copies (dataclasses.replace), so this stays unanalysed.
    """
    from pipeline.stages.pipeline import Pipeline

    stages = Pipeline(settings)
    items = []
    for path in sorted(SAMPLE.glob("*.pdf")):
        items.extend(stages.run(path, "segment", doc_id=path.stem).items)
    return items
