"""The schema of every configuration file: each section and key it may hold, with its type.

Also of `batch.yaml`, the optional file beside a batch's reports (`BatchFile`).
`check_config(pipeline.yaml)` reads that file and every file it names (blocks.yaml,
themes.yaml, userdict.yaml, symbol_fonts.yaml) and checks each against its model below:
unknown keys are refused, types and ranges checked, block names checked against the
contract, regular expressions compiled. Every mistake in every file is listed at once, one
line each (file: key path: found …; expected …), before any report is read. The loaders
(settings.py, themes.py, userdict.py, symbol_fonts.py) then turn the checked data into
the settings objects, and check what needs more than one key (a rule's `within` without
`near`, an abbreviation whose full term is not a term).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

from pipeline.config.yaml_io import read_yaml
from pipeline.core.contract import BLOCKS
from pipeline.core.era import FIRST_YEAR, LAST_YEAR, parse_fiscal_year
from pipeline.core.errors import ConfigError


class _Section(BaseModel):
    # numbers are accepted where text is expected (a rule word 2025, a glyph 1)
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


def _one_or_many(value: Any) -> Any:
    """A single word may stand for a list of one (`any: SC`)."""
    return (
        [value] if isinstance(value, str | int | float) and not isinstance(value, bool) else value
    )


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"a regular expression ({exc})") from None
    return pattern


Block = Literal[BLOCKS]  # the contract's block names, nothing else
Text = Annotated[str, Field(min_length=1)]
Words = Annotated[list[Text], BeforeValidator(_one_or_many), Field(min_length=1)]
Blocks = Annotated[list[Block], BeforeValidator(_one_or_many)]
Pattern = Annotated[str, AfterValidator(_regex)]
Patterns = Annotated[list[Pattern], BeforeValidator(_one_or_many)]
Share = Annotated[float, Field(ge=0, le=1)]


def _theme_id(name: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError("a theme id of lower-case letters, digits and _ (care_management)")
    return name


ThemeId = Annotated[str, AfterValidator(_theme_id)]


# --------------------------------------------------------------------------- pipeline.yaml


class ExtractSection(_Section):
    line_tolerance: float = Field(2.0, gt=0)
    space_gap: float = Field(0.25, ge=0)
    column_gap: float = Field(1.0, gt=0)
    footer_band: float = Field(0.06, ge=0, lt=1)
    max_pages: int | None = Field(None, ge=1)
    symbol_fonts: str | None = None


class ProblemsSection(_Section):
    blocks: Blocks = ["課題意識", "アセスメント結果"]
    negations: list[Text] = []
    states: list[Text] = []


class AnalyzeSection(_Section):
    analyzer: Literal["ginza", "fugashi"] = "ginza"
    userdict: str | None = None
    batch_size: int = Field(256, ge=1)
    content_tags: list[Text] = []
    problems: ProblemsSection = Field(default_factory=ProblemsSection)
    blis: bool = False


class BatchSection(_Section):
    jobs: int | None = Field(None, ge=0)
    time_limit_s: float | None = Field(None, ge=0)
    cache_limit_mb: float | None = Field(None, ge=0)
    # relative to pipeline.yaml; unset: the user's cache folder (config/paths.py)
    cache_dir: str | None = None


class PipelineFile(_Section):
    blocks: str = "blocks.yaml"
    themes: str = "themes.yaml"
    theme_confidence: str | None = None
    extract: ExtractSection = Field(default_factory=ExtractSection)
    analyze: AnalyzeSection = Field(default_factory=AnalyzeSection)
    batch: BatchSection = Field(default_factory=BatchSection)


class ThemeFigures(_Section):
    precision: float = Field(ge=0, le=1)
    recall: float = Field(ge=0, le=1)
    f1: float = Field(ge=0, le=1)
    support: int = Field(ge=0)


class ThemeConfidenceFile(_Section):
    """What evaluate-themes --write-confidence measured on the blind municipalities."""

    measured_by: str
    municipalities: list[str]
    items: int = Field(ge=0)
    themes: dict[str, ThemeFigures]


# --------------------------------------------------------------------------- blocks.yaml


class BlockLabels(_Section):
    block: Block
    patterns: Annotated[Patterns, Field(min_length=1)]


class BlocksFile(_Section):
    blocks: Annotated[list[BlockLabels], Field(min_length=1)]
    municipality: Pattern
    section: Pattern
    examples: list[Text] = []
    order: Blocks = []
    label_max_chars: int = Field(40, ge=1)
    summary_glyphs: list[Text] = []
    session_headers: Patterns = []
    session_blocks: Blocks = ["基本情報", "実施内容"]
    side_by_side: Blocks = []
    # each group a list of two blocks or more: a lone name is no group (settings.py reads
    # each as a list, so a string here would be read a character at a time)
    label_groups: list[Annotated[list[Block], Field(min_length=2)]] = []
    titles: Patterns = []
    subheadings: Patterns = []
    item_starts: Patterns = []
    bullets: dict[Text, Annotated[int, Field(ge=1)]] = {}
    inline_glyphs: list[Text] = []
    middle_dots: list[Text] = []
    numbering: Patterns = []
    counters: list[Text] = []


# --------------------------------------------------------------------------- themes.yaml


class RuleSpec(_Section):
    any: Words | None = None
    all: Words | None = None
    not_: Words | None = Field(None, alias="not")
    text: Words | None = None
    near: Words | None = None
    seq: Words | None = None
    within: int | None = Field(None, ge=1)
    blocks: Blocks | None = None
    not_blocks: Blocks | None = None


class ThemeSpec(_Section):
    label: Text
    description: str = ""
    threshold: Share | None = None
    rules: list[RuleSpec] = []


class ModelSection(_Section):
    """classifier.model: the theme model's hyper-parameters (stages/classify/model.py)."""

    char_ngrams: tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]] | None = None
    use_lemmas: bool | None = None
    rule_features: bool | None = None
    rule_feature_weight: float | None = Field(None, ge=0)
    C: float | None = Field(None, gt=0)
    top_features: int | None = Field(None, ge=0)


class ClassifierSection(_Section):
    threshold: Share = 0.5
    rule_weight: Share = 0.5
    use_model: bool = True
    training: Annotated[list[Text], BeforeValidator(_one_or_many)] = []
    labels_file: Text = "labels.csv"
    model: ModelSection = Field(default_factory=ModelSection)


class ReviewSection(_Section):
    size: int = Field(100, ge=0)
    blocks: Blocks = ["課題意識", "アセスメント結果", "到達点"]


class ThemesFile(_Section):
    themes: Annotated[dict[ThemeId, ThemeSpec], Field(min_length=1)]
    classifier: ClassifierSection = Field(default_factory=ClassifierSection)
    review: ReviewSection = Field(default_factory=ReviewSection)


# --------------------------------------------------------------------------- userdict.yaml


class TermSpec(_Section):
    surface: Annotated[str, Field(min_length=1, max_length=255)]
    reading: Text
    normalized: Text | None = None
    pos: Literal["普通名詞", "固有名詞"] = "普通名詞"


class AbbreviationSpec(_Section):
    full: Text
    not_before: Annotated[list[Text], BeforeValidator(_one_or_many)] = []
    not_after: Annotated[list[Text], BeforeValidator(_one_or_many)] = []


class UserdictFile(_Section):
    terms: Annotated[list[TermSpec], Field(min_length=1)]
    abbreviations: dict[Text, Text | AbbreviationSpec] = {}


# --------------------------------------------------------------------------- symbol_fonts.yaml


class SymbolFontsFile(_Section):
    fonts: dict[Text, dict[Annotated[int, Field(ge=0, le=0xFF)], Annotated[str, Field(
        min_length=1, max_length=1)]]] = {}  # fmt: skip
    plain_text: list[Text] = []
    substitutes: list[Text] = []
    # a letter drawn as a bullet in a text font (Word's "o") → the bullet it is read as
    letter_bullets: dict[Annotated[str, Field(min_length=1, max_length=1)], Annotated[str, Field(
        min_length=1, max_length=1)]] = {}  # fmt: skip


# --------------------------------------------------------------------------- batch.yaml


def _fiscal_year(value: Any) -> int | None:
    """2022, or as the reports write it: 令和4年度, R4, 2022年度."""
    if value is None:
        return None
    year = parse_fiscal_year(value) if isinstance(value, int | str) else None
    if year is None:
        raise ValueError(
            f"a fiscal year from {FIRST_YEAR} to {LAST_YEAR}, the year it starts in "
            "(2022), or 令和4年度 / R4"
        )
    return year


class BatchFile(_Section):
    """batch.yaml beside a batch's report files: what the user states about all of them."""

    fiscal_year: Annotated[int | None, BeforeValidator(_fiscal_year)] = None
    title: Text | None = None


# --------------------------------------------------------------------------- checking

# The sections a file may leave empty (`batch:` with nothing under it means its defaults).
_EMPTY_MEANS_DEFAULTS = ("extract", "analyze", "batch", "classifier", "review", "abbreviations")


def errors_of(path: Path, data: dict, model: type[BaseModel]) -> list[str]:
    """One line per mistake in one file's data: file: key path: found …; expected …."""
    data = {k: ({} if v is None and k in _EMPTY_MEANS_DEFAULTS else v) for k, v in data.items()}
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return list(dict.fromkeys(_describe(path, model, error) for error in exc.errors()))
    return []


def checked_section(path: Path, data: dict, key: str, model: type[_Section]) -> _Section:
    """One section of a file's data as its model; ConfigError listing its mistakes."""
    value = data.get(key)
    try:
        return model.model_validate({} if value is None else value)
    except ValidationError as exc:
        lines = (_describe(path, model, e, prefix=[key]) for e in exc.errors())
        raise ConfigError("\n".join(dict.fromkeys(lines))) from None


def check_pipeline_file(path: Path, data: dict) -> None:
    """ConfigError listing every mistake in pipeline.yaml's data, one line each."""
    errors = errors_of(path, data, PipelineFile)
    if errors:
        raise ConfigError("\n".join(errors))


def named_files(path: Path, data: dict) -> dict[str, Path]:
    """The files pipeline.yaml names, by the key that names them, relative to it."""
    extract = data.get("extract") or {}
    analyze = data.get("analyze") or {}
    names = {
        "blocks": data.get("blocks", "blocks.yaml"),
        "themes": data.get("themes", "themes.yaml"),
        "extract.symbol_fonts": extract.get("symbol_fonts"),
        "analyze.userdict": analyze.get("userdict") or "userdict.yaml",
        "theme_confidence": data.get("theme_confidence"),
    }
    return {k: (path.parent / v).resolve() for k, v in names.items() if isinstance(v, str)}


_MODEL_OF = {
    "blocks": BlocksFile,
    "themes": ThemesFile,
    "extract.symbol_fonts": SymbolFontsFile,
    "analyze.userdict": UserdictFile,
    "theme_confidence": ThemeConfidenceFile,
}


def check_config(path: Path) -> dict:
    """Check pipeline.yaml and every file it names; ConfigError listing every mistake of
    every file, one line each. Returns pipeline.yaml's data."""
    data = read_yaml(path)
    errors = errors_of(path, data, PipelineFile)
    for key, named in named_files(path, data).items():
        if not named.is_file():
            errors.append(
                f"{path}: {key}: {named} is not a file; expected one, relative to {path.name}"
            )
            continue
        try:
            errors += errors_of(named, read_yaml(named), _MODEL_OF[key])
        except ConfigError as exc:  # not YAML, a key written twice, not a mapping
            errors.append(str(exc))
    if errors:
        raise ConfigError("\n".join(errors))
    return data


def _describe(path: Path, model: type[BaseModel], error: dict, prefix: list | None = None) -> str:
    inner = [part for part in error["loc"] if not _is_validator_tag(part)]
    loc = [*(prefix or []), *inner]
    where = _key_path(loc) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        known = ", ".join(_fields(model, inner[:-1]))
        return f"{path}: {where}: unknown key; expected one of: {known}"
    if kind == "missing":
        return f"{path}: {where}: missing; expected a value (the key is required)"
    expected = error["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
    return f"{path}: {where}: found {_shown(error.get('input'))}; expected {expected}"


def _is_validator_tag(part) -> bool:
    # pydantic names the branch of a union or a key's validator in the location:
    # 'list[...]', 'str', 'function-after[...]', '[key]'
    return isinstance(part, str) and (
        "[" in part or part in ("str", "int", "float", "bool", "AbbreviationSpec")
    )


def _key_path(loc: list) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _fields(model: type[BaseModel], loc: list) -> list[str]:
    """The keys allowed where an unknown one was found."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:  # a key of a mapping (a theme id): its value's model
            continue
        model = _model_in(field.annotation) or model
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_in(annotation) -> type[BaseModel] | None:
    """The BaseModel inside an annotation such as list[X], dict[str, X], X | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    meta = getattr(annotation, "__origin__", None)
    return _model_in(meta) if meta is not None and meta is not annotation else None


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
