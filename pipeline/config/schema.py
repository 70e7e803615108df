"""The schema of configs/pipeline.yaml: every section and key it may hold, with its type.

A typo (`analyzer: gimza`, `max_page: 300`) used to run silently with the default; now
load_settings stops before any file is read and names every mistake: file, key path,
what was found and what is expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.core.errors import ConfigError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExtractSection(_Section):
    line_tolerance: float = Field(2.0, gt=0)
    space_gap: float = Field(0.25, ge=0)
    column_gap: float = Field(1.0, gt=0)
    footer_band: float = Field(0.06, ge=0, lt=1)
    max_pages: int | None = Field(None, ge=1)
    symbol_fonts: str | None = None


class ProblemsSection(_Section):
    blocks: list[str] = ["課題意識", "アセスメント結果"]
    negations: list[str] = []
    states: list[str] = []


class AnalyzeSection(_Section):
    analyzer: Literal["ginza", "fugashi"] = "ginza"
    userdict: str | None = None
    batch_size: int = Field(256, ge=1)
    content_tags: list[str] = []
    problems: ProblemsSection = ProblemsSection()
    blis: bool = False


class BatchSection(_Section):
    jobs: int | None = Field(None, ge=0)
    time_limit_s: float | None = Field(None, ge=0)
    cache_limit_mb: float | None = Field(None, ge=0)


class PipelineFile(_Section):
    blocks: str = "blocks.yaml"
    themes: str = "themes.yaml"
    extract: ExtractSection = ExtractSection()
    analyze: AnalyzeSection = AnalyzeSection()
    batch: BatchSection = BatchSection()


def check_pipeline_file(path: Path, data: dict) -> None:
    """ConfigError listing every mistake in pipeline.yaml's data, one line each."""
    # an empty section (`batch:` with nothing under it) means its defaults
    data = {
        k: ({} if v is None and k in ("extract", "analyze", "batch") else v)
        for k, v in data.items()
    }
    try:
        PipelineFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(path, error) for error in exc.errors())) from None


def _describe(path: Path, error) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        parent = error["loc"][:-1]
        model = PipelineFile
        for part in parent:
            model = model.model_fields[str(part)].annotation
        known = ", ".join(model.model_fields)
        return f"{path}: {where}: unknown key; expected one of: {known}"
    expected = error["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
    return f"{path}: {where}: found {error.get('input')!r}; expected {expected}"
