"""The notebooks run top to bottom on a run's outputs, and are stored without outputs.

They are executed with nbclient in a kernel of this very interpreter (the venv's python),
through a kernel spec written to a temporary JUPYTER_PATH: no kernel needs registering,
so this works in a fresh clone with nothing but `make test`.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "pipeline-tests"


@pytest.fixture(scope="module")
def kernel_env(sample_run, year_batches, tmp_path_factory):
    """A kernel spec for sys.executable, and the environment the notebooks read (04: a
    copy of the two batches of different fiscal years, whose catalog it builds)."""
    across = tmp_path_factory.mktemp("across_years")
    for name in ("r03", "r04"):
        shutil.copytree(year_batches / "outputs" / name, across / name, symlinks=True)
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "pipeline tests", "language": "python"})
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(jupyter))
        mp.setenv("PIPELINE_OUTPUTS", str(sample_run.out_dir))
        mp.setenv("PIPELINE_NEW_OUT", str(tmp_path_factory.mktemp("new_batch_out")))
        mp.setenv("PIPELINE_CATALOG_OUTPUTS", str(across))
        mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        yield


def test_the_four_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01_overview.ipynb",
        "02_themes.ipynb",
        "03_new_batch.ipynb",
        "04_across_years.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: clear the outputs before committing"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
@pytest.mark.notebooks
def test_notebook_runs_without_error(path, kernel_env):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=120,
        allow_errors=False,  # the first failing cell raises CellExecutionError
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    images = [
        o
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if "image/png" in o.get("data", {})
    ]
    assert images, f"{path.name}: every notebook draws a figure, and none was shown"
