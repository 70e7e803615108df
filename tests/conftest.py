"""Shared fixtures. Expensive things (settings, the sample run) load once per session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"
SAMPLE_TXT = ROOT / "corpora" / "sample_txt" / "pdfplumber"  # one extractor's text of every PDF


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` in a fresh process, as a user runs it, output captured."""
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
