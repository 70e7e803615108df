"""The trained theme classifier: scikit-learn, one logistic regression per theme.

Features (all computed from what an analysed Item carries):
- character n-grams of the NFKC text (TF-IDF, `char_wb`, 1–3): robust to how
  Japanese compounds are split, and they need no analyser;
- content-word lemmas from GiNZA (TF-IDF): conjugated forms meet;
- the coding rules' hits (`rule_features`): one feature per theme, per rule and per
  matched word, so the model learns how far each rule can be trusted and in which
  combinations (SC next to 包括 is about collaboration, not about SC training);
- the item's block (課題意識 / アセスメント結果 / 到達点 …).

The model is data: `ThemeModel` is saved with joblib under the user cache folder's `models/` (config/paths.py), named
by a hash of its training data, the rules and these settings, and reused until one
of them changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.config.paths import cache_dir
from pipeline.config.themes import Theme
from pipeline.core.fingerprint import stage_fingerprint
from pipeline.core.records import Item
from pipeline.stages.classify.rules import _View, match_rule
from pipeline.stages.classify.training import Example, as_items, data_hash

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = cache_dir("models")
# Bump when features or estimator change, so that models saved by older code retrain.
MODEL_VERSION = "2"


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters; the `classifier.model` mapping of themes.yaml overrides them."""

    char_ngrams: tuple[int, int] = (1, 3)
    use_lemmas: bool = True
    rule_features: bool = True
    rule_feature_weight: float = 0.5  # scale of the rule features against TF-IDF ones
    C: float = 10.0
    top_features: int = 3  # model features named in the evidence

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> ModelConfig:
        unknown = sorted(set(options) - set(cls.__dataclass_fields__))
        if unknown:  # themes.yaml's schema refuses them first; a caller's own dict too
            raise ValueError(f"unknown model options {', '.join(unknown)}")
        values = dict(options)
        if "char_ngrams" in values:
            values["char_ngrams"] = tuple(values["char_ngrams"])
        return cls(**values)


def rule_features(item: Item, themes: tuple[Theme, ...]) -> dict[str, float]:
    """Which themes, rules and words of the coding rules match the item."""
    view = _View.of(item)
    features: dict[str, float] = {}
    for theme in themes:
        for number, rule in enumerate(theme.rules, start=1):
            words = match_rule(rule, view)
            if words is None:
                continue
            features[f"rule:{theme.id}"] = 1.0
            features[f"rule:{theme.id}#{number}"] = 1.0
            for word in words:
                features[f"word:{word}"] = 1.0
    return features


def _identity(tokens: list[str]) -> list[str]:
    return tokens


@dataclass
class ThemeModel:
    """A fitted multi-label classifier with what it needs to explain its decisions."""

    theme_ids: tuple[str, ...]
    config: ModelConfig
    themes: tuple[Theme, ...]  # the rules its rule features were computed with
    digest: str = ""
    n_examples: int = 0
    _parts: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ features

    def _blocks(self, items: list[Item]) -> list[dict[str, float]]:
        rows = []
        for item in items:
            row = {f"block:{item.block}": 1.0} if item.block else {}
            if self.config.rule_features:
                weight = self.config.rule_feature_weight
                row.update({k: v * weight for k, v in rule_features(item, self.themes).items()})
            rows.append(row)
        return rows

    def _matrix(self, items: list[Item], fit: bool):
        import scipy.sparse as sp
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfVectorizer

        if fit:
            self._parts["chars"] = TfidfVectorizer(
                analyzer="char_wb", ngram_range=self.config.char_ngrams, sublinear_tf=True
            )
            self._parts["lemmas"] = TfidfVectorizer(
                analyzer=_identity, sublinear_tf=True, lowercase=False
            )
            self._parts["other"] = DictVectorizer()
        blocks = [self._parts["chars"], self._parts["other"]]
        inputs = [[item.text for item in items], self._blocks(items)]
        if self.config.use_lemmas:
            blocks.insert(1, self._parts["lemmas"])
            inputs.insert(1, [list(item.lemmas) for item in items])
        method = "fit_transform" if fit else "transform"
        return sp.hstack(
            [getattr(b, method)(x) for b, x in zip(blocks, inputs, strict=True)]
        ).tocsr()

    def feature_names(self) -> np.ndarray:
        names = [f"chars:{n}" for n in self._parts["chars"].get_feature_names_out()]
        if self.config.use_lemmas:
            names += [f"lemma:{n}" for n in self._parts["lemmas"].get_feature_names_out()]
        names += list(self._parts["other"].get_feature_names_out())
        return np.array(names, dtype=object)

    # ------------------------------------------------------------------ fit / predict

    def fit(self, items: list[Item], labels: list[tuple[str, ...]]) -> ThemeModel:
        from sklearn.linear_model import LogisticRegression

        X = self._matrix(items, fit=True)
        Y = np.array([[t in row for t in self.theme_ids] for row in labels], dtype=int)
        estimators = []
        for j in range(len(self.theme_ids)):
            if Y[:, j].min() == Y[:, j].max():  # a theme never (or always) seen: constant
                estimators.append(float(Y[0, j]) if len(Y) else 0.0)
                continue
            # liblinear: on a few hundred short items with ~10k sparse features it fits
            # ~100× faster than lbfgs, to the same figures; random_state keeps it repeatable.
            lr = LogisticRegression(
                C=self.config.C, class_weight="balanced", solver="liblinear", random_state=0
            )
            estimators.append(lr.fit(X, Y[:, j]))
        self._parts["estimators"] = estimators
        self._parts["names"] = self.feature_names()
        self.n_examples = len(items)
        return self

    def predict_proba(self, items: list[Item]) -> np.ndarray:
        """items × themes probabilities."""
        if not items:
            return np.zeros((0, len(self.theme_ids)))
        X = self._matrix(items, fit=False)
        columns = []
        for est in self._parts["estimators"]:
            if isinstance(est, float):
                columns.append(np.full(X.shape[0], est))
            else:
                columns.append(est.predict_proba(X)[:, 1])
        return np.column_stack(columns)

    def explain(self, items: list[Item]) -> list[dict[str, list[str]]]:
        """Per item and theme, the features present that pushed the score up the most."""
        X = self._matrix(items, fit=False)
        names = self._parts["names"]
        result = []
        for row in range(X.shape[0]):
            x = X.getrow(row)
            per_theme: dict[str, list[str]] = {}
            for theme_id, est in zip(self.theme_ids, self._parts["estimators"], strict=True):
                if isinstance(est, float):
                    continue
                contrib = x.data * est.coef_[0][x.indices]
                order = [
                    k
                    for k in np.argsort(-contrib)
                    if contrib[k] > 0 and _shown(names[x.indices[k]])
                ]
                per_theme[theme_id] = [
                    _short(names[x.indices[k]]) for k in order[: self.config.top_features]
                ]
            result.append(per_theme)
        return result


def _shown(name: str) -> bool:
    # Rule and block features restate the rule hits shown beside them: name words instead.
    return not name.startswith(("rule:", "block:"))


def _short(name: str) -> str:
    """chars:連携 → 「連携」, lemma:把握 → 把握: what an analyst reads in the evidence."""
    kind, _, value = name.partition(":")
    if kind == "chars":
        return f"「{value.strip()}」"
    return value if kind in ("lemma", "word") else name


# --------------------------------------------------------------------------- cache


def model_digest(
    examples: list[Example], themes: tuple[Theme, ...], config: ModelConfig, analyzer: str = ""
) -> str:
    """Hash of everything the fitted model depends on: its training data, themes and
    options, the analysis its items went through, and the code and libraries (scikit-learn,
    the analysers and dictionaries) of every stage up to classification."""
    parts = {
        "version": MODEL_VERSION,
        "code": stage_fingerprint("classify"),
        "data": data_hash(examples),
        "themes": [(t.id, [r.source for r in t.rules]) for t in themes],
        "config": repr(config),
        "analyzer": analyzer,
    }
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:20]


def train(
    examples: list[Example],
    themes: tuple[Theme, ...],
    config: ModelConfig,
    analyze_options: dict,
    digest: str = "",
) -> ThemeModel:
    """Analyse the examples with the pipeline's analyzer (GiNZA lemmas), then fit."""
    from pipeline.stages.analyze.morphology import analyze

    items = as_items(examples)
    analyze(items, analyze_options)
    model = ThemeModel(tuple(t.id for t in themes), config, themes, digest=digest)
    return model.fit(items, [e.themes for e in examples])


def load_or_train(
    examples: list[Example],
    themes: tuple[Theme, ...],
    config: ModelConfig,
    analyze_options: dict,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    analyzer_key: str = "",
) -> ThemeModel:
    """The saved model for this training data, or a new one trained and saved."""
    import joblib

    digest = model_digest(examples, themes, config, analyzer_key)
    path = Path(cache_dir) / f"themes-{digest}.joblib"
    if path.is_file():
        try:
            model = joblib.load(path)
            if isinstance(model, ThemeModel) and model.digest == digest:
                return model
        except Exception as exc:  # a corrupt or foreign file: retrain over it
            log.warning("cannot load %s (%s); retraining", path, exc)
    model = train(examples, themes, config, analyze_options, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    joblib.dump(model, tmp)
    tmp.replace(path)  # atomic: a parallel run never reads half a model
    return model
