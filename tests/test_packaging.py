"""The distribution: every package listed, every import declared, the lean base install
free of the extras, the configuration found outside a checkout (issue 17)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from pipeline.cli.main import main
from pipeline.config import paths
from pipeline.config.settings import load_settings

from .conftest import ROOT, SAMPLE, run_cli

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MAPPED = PYPROJECT["tool"]["setuptools"]["package-dir"]


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=\[;!~ ]", r, maxsplit=1)[0].lower() for r in requirements}


BASE = _requirement_names(PYPROJECT["project"]["dependencies"])
EXTRAS = {
    name: _requirement_names(reqs)
    for name, reqs in PYPROJECT["project"]["optional-dependencies"].items()
}


def test_the_package_list_names_every_package_under_pipeline():
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "pipeline").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert listed - set(MAPPED) == found
    for package, folder in MAPPED.items():  # the data the wheel carries from elsewhere
        assert package in listed and (ROOT / folder).is_dir()
    # themes.yaml names its training data relative to itself: the mapping keeps that path
    assert (ROOT / MAPPED["pipeline.configs"] / "../corpora/sample/gold.json").resolve() == (
        ROOT / MAPPED["pipeline.corpora.sample"] / "gold.json"
    ).resolve()


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(top-level module, imported at module level) of each import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(name.split(".")[0], id(node) in top_level) for name in names]
    return found


def test_the_package_imports_its_base_dependencies_and_the_fast_extra_only_lazily():
    """What `pipeline/` imports comes from the base install; the fast analyser's packages
    are imported only inside the function that uses them, so the base install runs."""
    distributions = metadata.packages_distributions()
    stdlib = sys.stdlib_module_names
    for path in (ROOT / "pipeline").rglob("*.py"):
        for module, at_top in _imports(path):
            if module in stdlib or module == "pipeline":
                continue
            names = {d.lower() for d in distributions.get(module, [module])}
            where = f"{path.relative_to(ROOT)} imports {module}"
            if names & BASE:
                continue
            assert names & EXTRAS["fast"], f"{where}: not a base dependency"
            assert not at_top, f"{where} at module level: the base install lacks it"
    # the generator's and the fast analyser's packages are not in the base install
    assert not (EXTRAS["fast"] | EXTRAS["generator"]) & BASE
    assert "unidic-lite" in EXTRAS["fast"] and "reportlab" in EXTRAS["generator"]


@pytest.mark.subprocess
def test_deptry_finds_every_import_declared():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("deptry")), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_run_finds_its_config_in_the_order_the_readme_gives(tmp_path, monkeypatch):
    work, batch = tmp_path / "work", tmp_path / "work" / "batches" / "r4"
    batch.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert paths.find_config(None, batch) == paths.ConfigChoice(paths.DEFAULT_CONFIG, "packaged")
    for folder, source in (
        (work / "configs", "current folder"),
        (batch.parent / "configs", "batch"),  # beside the batch
        (batch / "configs", "batch"),  # in it
    ):
        folder.mkdir()
        (folder / "pipeline.yaml").write_text("{}\n", encoding="utf-8")
        assert paths.find_config(None, batch) == paths.ConfigChoice(
            folder / "pipeline.yaml", source
        )
    named = tmp_path / "mine.yaml"
    assert paths.find_config(named, batch) == paths.ConfigChoice(named, "--config")
    # the folder init-config wrote, named as it is, means its pipeline.yaml
    assert paths.find_config(batch / "configs", batch) == paths.ConfigChoice(
        batch / "configs" / "pipeline.yaml", "--config"
    )
    # the packaged defaults are the checkout's configs/ when the package runs from source
    assert paths.DEFAULT_CONFIG.read_bytes() == (ROOT / "configs" / "pipeline.yaml").read_bytes()


def test_init_config_writes_an_editable_copy_that_loads(tmp_path, capsys):
    target = tmp_path / "configs"
    assert main(["init-config", str(target)]) == 0
    names = sorted(p.name for p in (ROOT / "configs").glob("*.yaml"))
    assert sorted(p.name for p in target.iterdir()) == names
    # the copy names the training data relative to itself; without the corpus beside it,
    # the packaged one is used: the same settings as the originals
    assert load_settings(target / "pipeline.yaml").classifier.training == (
        load_settings(paths.DEFAULT_CONFIG).classifier.training
    )
    (target / "themes.yaml").write_text("edited\n", encoding="utf-8")
    assert main(["init-config", str(target)]) == 2  # an edited copy is never overwritten …
    assert "--force" in capsys.readouterr().err
    assert (target / "themes.yaml").read_text(encoding="utf-8") == "edited\n"
    assert main(["init-config", str(target), "--force"]) == 0  # … unless asked
    assert (target / "themes.yaml").read_bytes() == (ROOT / "configs/themes.yaml").read_bytes()


def test_caches_go_to_the_user_cache_folder_unless_told(tmp_path, monkeypatch):
    monkeypatch.delenv("PIPELINE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_dir("documents") == tmp_path / "xdg" / "bansou-reports" / "documents"
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "mine"))
    assert paths.cache_dir("models") == tmp_path / "mine" / "models"


def test_the_config_may_name_the_cache_folder_relative_to_itself(tmp_path):
    from pipeline.runner.batch import load_batch_options

    config = tmp_path / "configs" / "pipeline.yaml"
    config.parent.mkdir()
    config.write_text("batch:\n  cache_dir: ../cache\n", encoding="utf-8")
    assert load_batch_options(config).cache_dir == tmp_path / "cache"
    assert load_batch_options(config, cache_dir=tmp_path / "cli").cache_dir == tmp_path / "cli"


@pytest.mark.subprocess
def test_a_run_records_which_config_it_used(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "r03_sakuragaura.pdf").write_bytes((SAMPLE / "r03_sakuragaura.pdf").read_bytes())
    out = tmp_path / "out"
    result = run_cli("run", str(batch), "--out", str(out), "--quiet", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    # run_cli runs in the checkout's root, whose configs/ is the current folder's
    assert (run["config"], run["config_source"]) == (
        str(ROOT / "configs" / "pipeline.yaml"),
        "current folder",
    )
    assert run_cli("--help").stdout.count("init-config") >= 1
