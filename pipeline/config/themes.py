"""configs/themes.yaml: the themes, their coding rules (syntax in stages/classify/rules.py
and at the top of the file), and the `classifier:` and `review:` sections.

Parsed and checked here, at load time, so that a malformed rule stops the run with the
file, the theme and the rule, before any report is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.config.paths import packaged_config_dir
from pipeline.config.schema import ClassifierSection, ReviewSection, checked_section
from pipeline.config.yaml_io import read_yaml
from pipeline.core.contract import BLOCKS
from pipeline.core.errors import ConfigError
from pipeline.core.normalize import nfkc

WORD_KEYS = ("any", "all", "not", "text", "near", "seq")
RULE_KEYS = (*WORD_KEYS, "within", "blocks", "not_blocks")
DEFAULT_WITHIN = 5


@dataclass(frozen=True)
class ThemeRule:
    """One coding rule; every condition that is set must hold."""

    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    not_: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    near: tuple[str, ...] = ()
    seq: tuple[str, ...] = ()
    within: int = DEFAULT_WITHIN
    blocks: tuple[str, ...] = ()
    not_blocks: tuple[str, ...] = ()
    source: str = ""  # the rule as written, for evidence and error messages
    # word → the form the analysis gives it (configs/userdict.yaml: SC → 生活支援コーディネーター),
    # for the words of this rule that have one
    aliases: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return self.source

    def forms(self, word: str) -> tuple[str, ...]:
        """The word, and its full form when the domain dictionary spells it out."""
        for short, full in self.aliases:  # a few per rule at most
            if short == word:
                return (word, full)
        return (word,)


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    description: str
    rules: tuple[ThemeRule, ...]
    threshold: float | None = None  # None: the classifier's default threshold
    # measured on municipalities written blind (configs/theme_confidence.yaml, written by
    # evaluate-themes --write-confidence); None where not measured
    blind_precision: float | None = None
    blind_recall: float | None = None


@dataclass(frozen=True)
class ClassifierOptions:
    """The `classifier:` section of themes.yaml: how rules and model are combined."""

    threshold: float = 0.5
    rule_weight: float = 0.5  # combined = rule_weight × rule + (1 − rule_weight) × model
    use_model: bool = True
    training: tuple[str, ...] = ()  # gold.json / labels.csv files, relative to the YAML
    labels_file: str = "labels.csv"  # looked for beside a batch
    options: dict[str, Any] = field(default_factory=dict)  # model hyper-parameters


# --------------------------------------------------------------------------- loading


def _words(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ValueError(f"`{key}` must be a word or a non-empty list of words")
    words = []
    for word in value:
        if isinstance(word, int | float) and not isinstance(word, bool):
            word = str(word)
        if not isinstance(word, str) or not word.strip():
            raise ValueError(f"`{key}` has an empty or non-text entry {word!r}")
        words.append(nfkc(word.strip()))
    return tuple(words)


def _blocks(value: Any, key: str) -> tuple[str, ...]:
    names = _words(value, key)
    unknown = [n for n in names if n not in BLOCKS]
    if unknown:
        raise ValueError(f"`{key}`: unknown block {unknown[0]} (known: {', '.join(BLOCKS)})")
    return names


def parse_rule(spec: Any, aliases: dict[str, str] | None = None) -> ThemeRule:
    """One rule from its YAML mapping; ValueError says what is wrong with it. `aliases`:
    the domain dictionary's short form → full term (UserDict.aliases)."""
    if not isinstance(spec, dict):
        raise ValueError("a rule must be a mapping such as `any: [word, …]`")
    unknown = [k for k in spec if k not in RULE_KEYS]
    if unknown:
        raise ValueError(f"unknown key `{unknown[0]}` (allowed: {', '.join(RULE_KEYS)})")
    if not any(k in spec for k in WORD_KEYS if k != "not"):
        raise ValueError("needs at least one of any, all, text, near, seq")
    values = {k: _words(spec[k], k) for k in WORD_KEYS if k in spec}
    for key in ("near", "seq"):
        if key in values and len(values[key]) < 2:
            raise ValueError(f"`{key}` needs at least two words")
    within = spec.get("within", DEFAULT_WITHIN)
    if "within" in spec and "near" not in spec:
        raise ValueError("`within` only goes with `near`")
    if not isinstance(within, int) or isinstance(within, bool) or within < 1:
        raise ValueError(f"`within` must be a whole number of tokens >= 1, got {within!r}")
    return ThemeRule(
        any=values.get("any", ()),
        all=values.get("all", ()),
        not_=values.get("not", ()),
        text=values.get("text", ()),
        near=values.get("near", ()),
        seq=values.get("seq", ()),
        within=within,
        blocks=_blocks(spec["blocks"], "blocks") if "blocks" in spec else (),
        not_blocks=_blocks(spec["not_blocks"], "not_blocks") if "not_blocks" in spec else (),
        source=_flow(spec),
        aliases=tuple(
            (w, aliases[w]) for w in dict.fromkeys(sum(values.values(), ())) if w in (aliases or {})
        ),
    )


def _flow(spec: dict) -> str:
    """The rule on one line, as in YAML flow style, for messages and evidence."""
    return yaml.safe_dump(spec, allow_unicode=True, default_flow_style=True, width=10**6).strip()


def _threshold(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"{where}: `threshold` must be a number between 0 and 1")
    return float(value)


def theme_ids(path: Path | None = None) -> tuple[str, ...]:
    """The theme ids a themes.yaml defines (default: the project's), in its order: for
    code that needs the taxonomy's names without its rules (the corpus generator, tests)."""
    themes = read_yaml(path or packaged_config_dir() / "themes.yaml").get("themes")
    return tuple(str(t) for t in themes) if isinstance(themes, dict) else ()


def load_themes(path: Path, aliases: dict[str, str] | None = None) -> tuple[Theme, ...]:
    """Themes of configs/themes.yaml; a malformed rule raises ConfigError naming it.
    `aliases`: the domain dictionary's (so that a rule word SC finds its full form)."""
    data = read_yaml(path)
    themes = data.get("themes")
    if not isinstance(themes, dict) or not themes:
        raise ConfigError(f"{path}: `themes` must map theme ids to definitions")
    result = []
    for theme_id, spec in themes.items():
        if not isinstance(spec, dict) or not spec.get("label"):
            raise ConfigError(f"{path}: theme {theme_id}: needs a `label`")
        rules_spec = spec.get("rules") or []
        if not isinstance(rules_spec, list):
            raise ConfigError(f"{path}: theme {theme_id}: `rules` must be a list of rules")
        rules = []
        for j, rule in enumerate(rules_spec):
            try:
                rules.append(parse_rule(rule, aliases))
            except ValueError as exc:
                shown = _flow(rule) if isinstance(rule, dict) else repr(rule)
                raise ConfigError(
                    f"{path}: theme {theme_id}: rule {j + 1} {shown}: {exc}"
                ) from None
        threshold = spec.get("threshold")
        result.append(
            Theme(
                id=str(theme_id),
                label=str(spec["label"]),
                description=str(spec.get("description", "")),
                rules=tuple(rules),
                threshold=None
                if threshold is None
                else _threshold(threshold, f"{path}: theme {theme_id}"),
            )
        )
    return tuple(result)


def training_path(config: Path, name: str) -> str:
    """Relative to the YAML; a copied config folder (init-config) without the corpus falls
    back to the packaged defaults' (the wheel ships the sample's gold beside them)."""
    beside = (config.parent / name).resolve()
    project = (packaged_config_dir() / name).resolve()
    return str(beside if beside.is_file() or not project.is_file() else project)


def load_classifier_options(path: Path) -> ClassifierOptions:
    """The `classifier:` section of themes.yaml (defaults when it is absent)."""
    section = checked_section(path, read_yaml(path), "classifier", ClassifierSection)
    return ClassifierOptions(
        threshold=section.threshold,
        rule_weight=section.rule_weight,
        use_model=section.use_model,
        training=tuple(training_path(path, t) for t in section.training),
        labels_file=section.labels_file,
        options=section.model.model_dump(exclude_none=True),
    )


@dataclass(frozen=True)
class ReviewOptions:
    """The `review:` section of themes.yaml: which items review.csv lists (review.py)."""

    size: int = 100  # rows of review.csv (0: none)
    blocks: tuple[str, ...] = ("課題意識", "アセスメント結果", "到達点")


def load_review_options(path: Path) -> ReviewOptions:
    """The `review:` section of themes.yaml (defaults when it is absent)."""
    section = checked_section(path, read_yaml(path), "review", ReviewSection)
    return ReviewOptions(size=section.size, blocks=tuple(section.blocks))
