"""Coding rules from configs/themes.yaml: which themes an item carries, and why.

The rule language follows KH Coder's coding rules, written as YAML so that an analyst
can edit it (the syntax is documented at the top of configs/themes.yaml). One rule is
a set of conditions that must all hold:

- any / all / not: words. A word matches an item when it equals one of the item's
  lemmas (so 届く finds 届いていない) or occurs in its NFKC text (so 訪問型 finds
  訪問型サービスB, and SC finds 第2層SC).
- text: raw substrings of the NFKC text, never lemmas (phrases that span words).
- near: two or more words within `within` tokens of each other (default 5).
- seq: words in this order, one directly after the other.
- blocks / not_blocks: only (or never) in these blocks.

Tokens for near/seq are the item's content-word lemmas; a token matches a word when it
equals it or contains it. An item that was not analysed (no lemmas) falls back to
character distances in its text, `within` × 3 characters.

Every match is kept as a RuleHit (theme, rule number, what matched), which becomes
the item's evidence, so an analyst sees which word decided.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..normalize import nfkc
from ..records import Item
from ..yaml_io import read_yaml

# Canonical block names of the contract; a block condition naming anything else is a typo.
BLOCKS = (
    "現状", "目指す姿", "課題意識", "到達点", "アセスメント結果", "支援内容",
    "基本情報", "実施内容", "支援体制", "まとめ", "その他",
)  # fmt: skip
WORD_KEYS = ("any", "all", "not", "text", "near", "seq")
RULE_KEYS = (*WORD_KEYS, "within", "blocks", "not_blocks")
DEFAULT_WITHIN = 5
CHARS_PER_TOKEN = 3  # near/seq fallback on unanalysed text


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

    def describe(self) -> str:
        return self.source


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    description: str
    rules: tuple[ThemeRule, ...]
    threshold: float | None = None  # None: the classifier's default threshold


@dataclass(frozen=True)
class ClassifierOptions:
    """The `classifier:` section of themes.yaml: how rules and model are combined."""

    threshold: float = 0.5
    rule_weight: float = 0.5  # combined = rule_weight × rule + (1 − rule_weight) × model
    use_model: bool = True
    training: tuple[str, ...] = ()  # gold.json / labels.csv files, relative to the YAML
    labels_file: str = "labels.csv"  # looked for beside a batch
    options: dict[str, Any] = field(default_factory=dict)  # model hyper-parameters


@dataclass(frozen=True)
class RuleHit:
    theme: str
    rule: int  # 1-based number of the rule within its theme
    words: tuple[str, ...]

    def __str__(self) -> str:
        return f"rule {self.rule}: {'+'.join(self.words)}"


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


def parse_rule(spec: Any) -> ThemeRule:
    """One rule from its YAML mapping; ValueError says what is wrong with it."""
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
    )


def _flow(spec: dict) -> str:
    """The rule on one line, as in YAML flow style, for messages and evidence."""
    return yaml.safe_dump(spec, allow_unicode=True, default_flow_style=True, width=10**6).strip()


def _threshold(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"{where}: `threshold` must be a number between 0 and 1")
    return float(value)


def load_themes(path: Path) -> tuple[Theme, ...]:
    """Themes of configs/themes.yaml; a malformed rule raises ConfigError naming it."""
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
                rules.append(parse_rule(rule))
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


def _training_path(config: Path, name: str) -> str:
    """Relative to the YAML; a copied config folder without the corpus falls back to the
    project's (configs/ sits in the project root)."""
    beside = (config.parent / name).resolve()
    project = (Path(__file__).resolve().parents[2] / "configs" / name).resolve()
    return str(beside if beside.is_file() or not project.is_file() else project)


def load_classifier_options(path: Path) -> ClassifierOptions:
    """The `classifier:` section of themes.yaml (defaults when it is absent)."""
    data = read_yaml(path).get("classifier") or {}
    where = f"{path}: classifier"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping")
    known = {"threshold", "rule_weight", "use_model", "training", "labels_file", "model"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key `{unknown[0]}` (allowed: {', '.join(known)})")
    training = data.get("training") or []
    if isinstance(training, str):
        training = [training]
    if not all(isinstance(t, str) for t in training):
        raise ConfigError(f"{where}: `training` must list gold.json or labels.csv files")
    model = data.get("model") or {}
    if not isinstance(model, dict):
        raise ConfigError(f"{where}: `model` must be a mapping of settings")
    return ClassifierOptions(
        threshold=_threshold(data.get("threshold", 0.5), where),
        rule_weight=_threshold(data.get("rule_weight", 0.5), f"{where} rule_weight"),
        use_model=bool(data.get("use_model", True)),
        training=tuple(_training_path(path, t) for t in training),
        labels_file=str(data.get("labels_file", "labels.csv")),
        options=dict(model),
    )


@dataclass(frozen=True)
class ReviewOptions:
    """The `review:` section of themes.yaml: which items review.csv lists (review.py)."""

    size: int = 100  # rows of review.csv (0: none)
    blocks: tuple[str, ...] = ("課題意識", "アセスメント結果", "到達点")


def load_review_options(path: Path) -> ReviewOptions:
    data = read_yaml(path).get("review")
    if data is None:
        return ReviewOptions()
    where = f"{path}: review"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping with `size` and `blocks`")
    unknown = sorted(set(data) - {"size", "blocks"})
    if unknown:
        raise ConfigError(f"{where}: unknown key `{unknown[0]}` (allowed: size, blocks)")
    size = data.get("size", ReviewOptions.size)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ConfigError(f"{where}: `size` must be a whole number ≥ 0, got {size!r}")
    blocks = data.get("blocks", list(ReviewOptions.blocks))
    if isinstance(blocks, str):
        blocks = [blocks]
    if not isinstance(blocks, list) or not all(isinstance(b, str) for b in blocks):
        raise ConfigError(f"{where}: `blocks` must list block names")
    unknown = [b for b in blocks if b not in BLOCKS]
    if unknown:
        raise ConfigError(f"{where}: unknown block {unknown[0]} (known: {', '.join(BLOCKS)})")
    return ReviewOptions(size=size, blocks=tuple(blocks))


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _View:
    """What rules look at: NFKC text, lemma set and lemma sequence of one item."""

    text: str
    lemmas: tuple[str, ...]
    lemma_set: frozenset[str]
    block: str

    @classmethod
    def of(cls, item: Item) -> _View:
        lemmas = tuple(nfkc(x) for x in item.lemmas)
        return cls(nfkc(item.text), lemmas, frozenset(lemmas), item.block)

    def has(self, word: str) -> bool:
        return word in self.text or any(f in self.lemma_set for f in _forms(word))

    def positions(self, word: str) -> list[int]:
        """Token positions matching the word; character offsets when not analysed."""
        if self.lemmas:
            forms = _forms(word)
            return [i for i, lemma in enumerate(self.lemmas) if any(f in lemma for f in forms)]
        return [m.start() for m in re.finditer(re.escape(word), self.text)]


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    """Short form → full term (configs/userdict.yaml): the analysis spells SC out as
    生活支援コーディネーター, so a rule word SC must also find that lemma."""
    try:
        from ..userdict import load_userdict  # here: userdict imports config, which imports us

        userdict = load_userdict()
    except Exception:  # no or broken userdict: words then match as written (reported there)
        return {}
    aliases = {nfkc(t.surface): nfkc(t.normalized) for t in userdict.terms}
    aliases.update({nfkc(a.short): nfkc(a.full) for a in userdict.abbreviations})
    return {k: v for k, v in aliases.items() if k != v}


def _forms(word: str) -> tuple[str, ...]:
    full = _aliases().get(word)
    return (word, full) if full else (word,)


def _near(view: _View, words: tuple[str, ...], within: int) -> bool:
    span = within if view.lemmas else within * CHARS_PER_TOKEN
    anchors = view.positions(words[0])
    others = [view.positions(w) for w in words[1:]]
    return any(all(any(abs(p - a) <= span for p in ps) for ps in others) for a in anchors)


def _seq(view: _View, words: tuple[str, ...]) -> bool:
    if not view.lemmas:  # unanalysed: the words in order, each within a few characters
        pattern = f".{{0,{CHARS_PER_TOKEN}}}".join(re.escape(w) for w in words)
        return re.search(pattern, view.text) is not None
    n = len(words)
    forms = [_forms(w) for w in words]
    return any(
        all(any(f in view.lemmas[i + k] for f in forms[k]) for k in range(n))
        for i in range(len(view.lemmas) - n + 1)
    )


def match_rule(rule: ThemeRule, view: _View) -> tuple[str, ...] | None:
    """The words that made the rule match, or None when it does not."""
    if rule.blocks and view.block not in rule.blocks:
        return None
    if rule.not_blocks and view.block in rule.not_blocks:
        return None
    if any(view.has(w) for w in rule.not_):
        return None
    found: list[str] = []
    if rule.any:
        hits = [w for w in rule.any if view.has(w)]
        if not hits:
            return None
        found += hits
    if rule.all:
        if not all(view.has(w) for w in rule.all):
            return None
        found += rule.all
    if rule.text:
        hits = [t for t in rule.text if t in view.text]
        if not hits:
            return None
        found += hits
    if rule.near:
        if not _near(view, rule.near, rule.within):
            return None
        found.append("~".join(rule.near))
    if rule.seq:
        if not _seq(view, rule.seq):
            return None
        found.append("→".join(rule.seq))
    return tuple(dict.fromkeys(found))


def rule_hits(item: Item, theme: Theme) -> list[RuleHit]:
    """Every rule of the theme that matches the item, with the words that matched."""
    view = _View.of(item)
    hits = []
    for number, rule in enumerate(theme.rules, start=1):
        words = match_rule(rule, view)
        if words is not None:
            hits.append(RuleHit(theme.id, number, words))
    return hits
