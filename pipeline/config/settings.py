"""Load and validate configs/*.yaml into plain, immutable settings objects.

Validation happens here, at load time, so that a typo in a config file is reported
once with the file and the key, not as a traceback in the middle of a batch.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.config.paths import DEFAULT_CONFIG
from pipeline.config.schema import BatchFile, check_config, errors_of
from pipeline.config.symbol_fonts import load_symbol_fonts
from pipeline.config.themes import (
    ClassifierOptions,
    ReviewOptions,
    Theme,
    load_classifier_options,
    load_review_options,
    load_themes,
)
from pipeline.config.userdict import load_userdict, userdict_path
from pipeline.config.yaml_io import read_yaml
from pipeline.core.errors import ConfigError


@dataclass(frozen=True)
class BlockRule:
    block: str
    patterns: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class BlockConfig:
    rules: tuple[BlockRule, ...]
    summary_glyphs: tuple[str, ...]
    session_headers: tuple[re.Pattern, ...]
    subheadings: tuple[re.Pattern, ...]
    item_starts: tuple[re.Pattern, ...]
    bullets: dict[str, int]
    numbering: tuple[re.Pattern, ...]
    municipality: re.Pattern
    section: re.Pattern
    label_max_chars: int = 40
    session_blocks: tuple[str, ...] = ("基本情報", "実施内容")
    inline_glyphs: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()
    titles: tuple[re.Pattern, ...] = ()
    middle_dots: tuple[str, ...] = ()
    examples: tuple[Path, ...] = ()  # gold files the text reader learns its words from
    order: tuple[str, ...] = ()  # the blocks' usual order on a slide
    side_by_side: tuple[str, ...] = ()  # boxes that usually stand side by side in one row
    label_groups: tuple[tuple[str, ...], ...] = ()  # the blocks one table or band holds
    # one document's own wordings, placed by where they stand (segment/text_wordings.py):
    # (label, block) and (session header, number); never read from configs/
    wordings: tuple[tuple[str, str], ...] = ()
    session_wordings: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything a run needs from configs/, plus a hash that identifies it."""

    blocks: BlockConfig
    themes: tuple[Theme, ...]
    extract: dict[str, Any] = field(default_factory=dict)
    analyze: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    classifier: ClassifierOptions = field(default_factory=ClassifierOptions)
    review: ReviewOptions = field(default_factory=ReviewOptions)


def _compile(path: Path, where: str, pattern: Any) -> re.Pattern:
    if not isinstance(pattern, str):
        raise ConfigError(f"{path}: {where}: pattern must be a string, got {pattern!r}")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{path}: {where}: bad regular expression {pattern!r} ({exc})") from None


def _patterns(path: Path, data: dict, key: str) -> tuple[re.Pattern, ...]:
    values = data.get(key, [])
    if not isinstance(values, list):
        raise ConfigError(f"{path}: {key}: expected a list of patterns")
    return tuple(_compile(path, key, value) for value in values)


def load_blocks(path: Path) -> BlockConfig:
    data = read_yaml(path)
    rules = []
    for i, entry in enumerate(data.get("blocks") or []):
        if not isinstance(entry, dict) or "block" not in entry or "patterns" not in entry:
            raise ConfigError(f"{path}: blocks[{i}]: needs `block` and `patterns`")
        where = f"blocks[{i}] ({entry['block']})"
        rules.append(
            BlockRule(
                block=str(entry["block"]),
                patterns=tuple(_compile(path, where, p) for p in entry["patterns"]),
            )
        )
    if not rules:
        raise ConfigError(f"{path}: no `blocks` defined")
    bullets = data.get("bullets") or {}
    if not all(isinstance(v, int) and v >= 1 for v in bullets.values()):
        raise ConfigError(f"{path}: bullets: every glyph needs a level (1, 2, …)")
    for key in ("municipality", "section"):
        if key not in data:
            raise ConfigError(f"{path}: `{key}` pattern missing")
    return BlockConfig(
        rules=tuple(rules),
        summary_glyphs=tuple(data.get("summary_glyphs") or ()),
        session_headers=_patterns(path, data, "session_headers"),
        subheadings=_patterns(path, data, "subheadings"),
        item_starts=_patterns(path, data, "item_starts"),
        bullets={str(k): int(v) for k, v in bullets.items()},
        numbering=_patterns(path, data, "numbering"),
        municipality=_compile(path, "municipality", data["municipality"]),
        section=_compile(path, "section", data["section"]),
        label_max_chars=int(data.get("label_max_chars", 40)),
        session_blocks=tuple(data.get("session_blocks") or ("基本情報", "実施内容")),
        inline_glyphs=tuple(data.get("inline_glyphs") or ()),
        counters=tuple(str(c) for c in data.get("counters") or ()),
        titles=_patterns(path, data, "titles"),
        middle_dots=tuple(str(c) for c in data.get("middle_dots") or ()),
        examples=tuple((path.parent / str(name)).resolve() for name in data.get("examples") or ()),
        order=tuple(str(b) for b in data.get("order") or ()),
        side_by_side=tuple(str(b) for b in data.get("side_by_side") or ()),
        label_groups=tuple(tuple(str(b) for b in g) for g in data.get("label_groups") or ()),
    )


def with_confidence(themes: tuple[Theme, ...], path: Path, data: dict) -> tuple[Theme, ...]:
    """Each theme with the blind precision and recall `theme_confidence` (pipeline.yaml)
    names, so that themes.csv and report.html show how far a count can be off."""
    name = data.get("theme_confidence")
    if not name:
        return themes
    measured = read_yaml((path.parent / str(name)).resolve()).get("themes") or {}
    return tuple(
        replace(
            t,
            blind_precision=float(measured[t.id]["precision"]),
            blind_recall=float(measured[t.id]["recall"]),
        )
        if t.id in measured
        else t
        for t in themes
    )


def load_settings(path: Path | None = None) -> Settings:
    """Load configs/pipeline.yaml and the files it names."""
    path = Path(path) if path else DEFAULT_CONFIG
    data = check_config(path)  # every file it names, every mistake listed, before any is used
    # Files named in pipeline.yaml are relative to it, so a copied config folder works.
    blocks_path = (path.parent / data.get("blocks", "blocks.yaml")).resolve()
    themes_path = (path.parent / data.get("themes", "themes.yaml")).resolve()
    extract = dict(data.get("extract") or {})
    symbols_path = None
    if extract.get("symbol_fonts"):
        symbols_path = (path.parent / str(extract["symbol_fonts"])).resolve()
        extract["symbol_fonts"] = load_symbol_fonts(symbols_path)
    analyze = dict(data.get("analyze") or {})
    if analyze.get("userdict"):  # relative to pipeline.yaml like every file it names
        analyze["userdict"] = str((path.parent / str(analyze["userdict"])).resolve())
    # read now, so that a mistake in it stops the run before any report is read; the
    # coding rules need its spellings (a rule word SC finds 生活支援コーディネーター)
    userdict = load_userdict(userdict_path(analyze))
    blocks = load_blocks(blocks_path)
    digest = hashlib.sha256()
    for part in (path, blocks_path, themes_path, symbols_path, *blocks.examples):
        digest.update(part.read_bytes() if part and part.exists() else b"")
    themes = with_confidence(load_themes(themes_path, userdict.aliases()), path, data)
    return Settings(
        blocks=blocks,
        themes=themes,
        extract=extract,
        analyze=analyze,
        digest=digest.hexdigest()[:16],
        classifier=load_classifier_options(themes_path),
        review=load_review_options(themes_path),
    )


BATCH_FILE = "batch.yaml"


@dataclass(frozen=True)
class BatchInfo:
    """What a batch's batch.yaml states (None: not stated, or no batch.yaml)."""

    fiscal_year: int | None = None  # the Western year the fiscal year starts in
    title: str | None = None


def load_batch_info(batch_dir: Path) -> BatchInfo:
    """The batch.yaml beside a batch's files, checked against its schema (ConfigError
    listing every mistake); no such file states nothing."""
    path = Path(batch_dir) / BATCH_FILE
    if not path.is_file():
        return BatchInfo()
    data = read_yaml(path, empty_ok=True)
    errors = errors_of(path, data, BatchFile)
    if errors:
        raise ConfigError("\n".join(errors))
    checked = BatchFile.model_validate(data)
    return BatchInfo(fiscal_year=checked.fiscal_year, title=checked.title)
