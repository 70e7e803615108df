"""What a stage's result depends on, as a short hash: the stage's code, the code of the
layers below it, and the versions of the libraries and dictionaries it uses.

A cached result is valid exactly while its fingerprint is: editing a view, a writer, the
runner or the benchmark leaves every cached document valid; editing the segmenter, or
upgrading SudachiDict, does not (a dictionary upgrade would otherwise mix old and new
lemmas in one batch).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]

# Per stage, in order: the code it runs (paths under pipeline/) and the distributions
# whose versions change what it produces. A stage's fingerprint covers every stage
# before it too, since its input is their output.
STAGE_CODE = {
    "extract": ("core", "config", "stages/extract", "stages/pipeline.py"),
    "segment": ("stages/segment",),
    "analyze": ("stages/analyze",),
    "classify": ("stages/classify",),
}
STAGE_LIBRARIES = {
    "extract": ("pdfplumber", "pdfminer.six", "python-pptx", "python-docx", "pyyaml", "pydantic"),
    "segment": (),
    "analyze": (
        "spacy",
        "ginza",
        "ja-ginza",
        "sudachipy",
        "sudachidict-core",
        "fugashi",
        "unidic-lite",
        "numpy",
    ),  # fmt: skip
    "classify": ("scikit-learn", "scipy", "numpy", "joblib"),
}
STAGES = tuple(STAGE_CODE)


def library_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def _files(root: Path, parts: Iterable[str]) -> list[Path]:
    found = []
    for part in parts:
        path = root / part
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.is_file() else []
    return found


def code_hash(parts: Iterable[str], root: Path = PACKAGE_DIR) -> str:
    """Hash of the .py files under these paths of the package (names and contents)."""
    digest = hashlib.sha256()
    for path in _files(root, parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(
    stages: Iterable[str],
    root: Path = PACKAGE_DIR,
    version: Callable[[str], str] = library_version,
) -> str:
    """The code and library versions of these stages (and Python's version)."""
    stages = tuple(stages)
    unknown = [s for s in stages if s not in STAGE_CODE]
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r} (stages: {', '.join(STAGES)})")
    digest = hashlib.sha256(f"python {sys.version_info[:2]}".encode())
    for stage in stages:
        digest.update(f"{stage}:{code_hash(STAGE_CODE[stage], root)}".encode())
        for name in STAGE_LIBRARIES[stage]:
            digest.update(f"{name}={version(name)}".encode())
    return digest.hexdigest()[:16]


def up_to(stage: str) -> tuple[str, ...]:
    """The stages from the first through `stage`."""
    return STAGES[: STAGES.index(stage) + 1]


@lru_cache(maxsize=8)
def stage_fingerprint(stage: str, *, only: bool = False) -> str:
    """This process's fingerprint of every stage through `stage` (only: just that one)."""
    return fingerprint((stage,) if only else up_to(stage))
