"""What a cached document's key depends on (core/fingerprint.py, runner/cache.py): the
code of the stages that made it and the libraries and dictionaries they use, nothing
else; and the cache stays within its size limit, least recently used out first."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline.cli.main import main
from pipeline.core.fingerprint import STAGE_LIBRARIES, fingerprint, library_version, up_to
from pipeline.core.records import DocumentResult
from pipeline.runner.cache import DocumentCache, usage

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the package and the tools, to edit."""
    shutil.copytree(
        ROOT / "pipeline", tmp_path / "pipeline", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def _result(name: str) -> DocumentResult:
    return DocumentResult(doc_id=f"d{name}", source=f"{name}.pdf", sha256=name * 64,
                          pages=1, status="ok", error="")  # fmt: skip


def _cache(root: Path, package: Path, version=library_version, **kw) -> DocumentCache:
    code = fingerprint(up_to("analyze"), root=package, version=version)
    return DocumentCache(root, "settings", "themes", code=code, **kw)


def _edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_editing_views_writers_runner_or_tools_keeps_every_cached_document(project, tmp_path):
    package = project / "pipeline"
    _cache(tmp_path / "cache", package).put("a", _result("a"))
    for edited in ("views/report.py", "views/figures.py", "output/tables.py",
                   "runner/batch.py", "evaluation/items.py", "cli/main.py"):  # fmt: skip
        _edit(package / edited)
    _edit(project / "tools" / "bench" / "bench.py")
    again = _cache(tmp_path / "cache", package)
    assert again.get("a") is not None and again.hits == 1


@pytest.mark.parametrize(
    "edited",
    [
        "stages/segment/items.py",
        "stages/extract/pdf.py",
        "stages/analyze/morphology.py",
        "core/normalize.py",
        "config/settings.py",
    ],  # fmt: skip
)
def test_editing_a_stage_or_a_layer_below_invalidates_cached_documents(project, tmp_path, edited):
    package = project / "pipeline"
    _cache(tmp_path / "cache", package).put("a", _result("a"))
    _edit(package / edited)
    assert _cache(tmp_path / "cache", package).get("a") is None


@pytest.mark.parametrize("library", ["sudachidict-core", "unidic-lite", "sudachipy", "pdfplumber"])
def test_a_new_dictionary_or_library_version_invalidates_cached_documents(
    project, tmp_path, library
):
    package = project / "pipeline"
    _cache(tmp_path / "cache", package).put("a", _result("a"))
    assert _cache(tmp_path / "cache", package).get("a") is not None
    upgraded = lambda name: "99.0" if name == library else library_version(name)  # noqa: E731
    assert _cache(tmp_path / "cache", package, upgraded).get("a") is None


def test_the_classifier_is_keyed_by_scikit_learn_and_not_the_documents(project):
    package = project / "pipeline"
    assert "scikit-learn" in STAGE_LIBRARIES["classify"]
    newer = lambda name: "99.0" if name == "scikit-learn" else library_version(name)  # noqa: E731
    assert fingerprint(up_to("analyze"), package, newer) == fingerprint(up_to("analyze"), package)
    assert fingerprint(up_to("classify"), package, newer) != fingerprint(up_to("classify"), package)
    _edit(package / "stages" / "classify" / "rules.py")
    assert fingerprint(up_to("analyze"), package) == fingerprint(
        up_to("analyze"), ROOT / "pipeline"
    )


def test_the_cache_keeps_within_its_limit_least_recently_used_out(project, tmp_path):
    root = tmp_path / "cache"
    package = project / "pipeline"
    cache = _cache(root, package)
    for name in "abc":
        cache.put(name, _result(name))
    entries = sorted(root.glob("*/*.pickle"))
    size = max(p.stat().st_size for p in entries)
    for age, path in enumerate(entries):  # all used long ago, a little apart
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    bounded = _cache(root, package, limit_bytes=2 * size)
    assert bounded.get("a") is not None  # "a" is used now: it must stay
    assert bounded.prune() == 1
    assert usage(root)[0] == 2 and bounded.get("a") is not None
    assert sum(bounded.get(n) is not None for n in "bc") == 1
    assert _cache(root, package).prune() == 0  # no limit: nothing goes


def test_cache_command_shows_and_clears_the_document_cache(project, tmp_path, capsys):
    root = tmp_path / "cache"
    cache = _cache(root, project / "pipeline")
    for name in "ab":
        cache.put(name, _result(name))
    assert main(["cache", "--cache-dir", str(root)]) == 0
    shown = capsys.readouterr().out
    assert "documents: 2 entries" in shown and "limit 2,048 MB" in shown and "models:" in shown
    assert main(["cache", "--cache-dir", str(root), "--clear"]) == 0
    assert "removed 2 entries" in capsys.readouterr().out
    assert usage(root) == (0, 0)
