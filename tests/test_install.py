"""Installed as a user installs it: the wheel, in a fresh virtual environment outside the
checkout, runs a copied batch from a folder of its own (issue 17)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.runner.batch import BatchOptions, run_batch

from .conftest import ROOT, SAMPLE

OFFICE = ROOT / "corpora" / "office"

# A PDF, a .pptx and a .docx: every reader runs.
FILES = (SAMPLE / "r03_sakuragaura.pdf", OFFICE / "r05_ginrei.pptx", OFFICE / "r05_sayokawa.docx")
TABLES = ("documents.csv", "blocks.csv", "items.csv", "themes.csv", "theme_matrix.csv")


def _sh(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.mark.slow
@pytest.mark.subprocess
def test_the_wheel_in_a_fresh_venv_gives_the_tables_of_the_checkout(tmp_path, settings):
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "work"
    _sh(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(dist))
    (wheel,) = dist.glob("bansou_reports-*.whl")
    _sh(sys.executable, "-m", "venv", str(venv))
    python = venv / "bin" / "python"
    _sh(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel))

    batch = work / "報告書"
    batch.mkdir(parents=True)
    for path in FILES:
        shutil.copy2(path, batch / path.name)
    # Nothing of the checkout on the path, a cache of its own, the work folder as cwd.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PIPELINE_CACHE_DIR=str(tmp_path / "cache"), PATH=f"{venv / 'bin'}:/usr/bin:/bin")
    where = _sh(str(python), "-c", "import pipeline; print(pipeline.__file__)", cwd=work, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv)
    installed = _sh(str(python), "-m", "pip", "list", "--format=freeze", env=env).stdout.lower()
    assert "unidic-lite" not in installed and "reportlab" not in installed  # the lean base

    command = str(venv / "bin" / "bansou-reports")
    _sh(command, "run", "報告書", "--quiet", cwd=work, env=env)
    out = work / "outputs" / "報告書"
    _sh(command, "figures", str(out), cwd=work, env=env)
    _sh(command, "report", str(out), cwd=work, env=env)
    assert (out / "report.html").stat().st_size > 10_000
    assert any((out / "figures").glob("*.png"))
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["config_source"] == "packaged"
    assert Path(run["config"]).is_relative_to(venv)

    # The same batch through the checkout, as `make pipeline` runs it: the same tables.
    mine = tmp_path / "checkout_out"
    run_batch(batch, mine, settings, options=BatchOptions(jobs=1, progress=False))
    for name in TABLES:
        assert (out / name).read_bytes() == (mine / name).read_bytes(), name
