"""Final themes of items: coding rules and the trained model combined, with evidence.

    score(theme) = rule_weight × rule + (1 − rule_weight) × model probability

where `rule` is 1 when any of the theme's rules matches (0 otherwise). Without a model
(`use_model: false`, or no training data) the score is the rule alone. An item gets
every theme whose score reaches the threshold (per theme, else the classifier's).

Every block is classified, not only the three the gold labels (課題意識,
アセスメント結果, 到達点): analysts want themes for 現状 and 目指す姿 too. The model
has not seen those blocks (its block feature is then simply absent), so their themes
lean on the same wording cues; read them as indicative.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.config.settings import Settings
from pipeline.config.themes import ClassifierOptions, Theme
from pipeline.config.userdict import userdict_path
from pipeline.core.records import Item
from pipeline.stages.classify.hand_labels import HandLabel, apply_hand_labels, load_hand_labels
from pipeline.stages.classify.model import DEFAULT_CACHE_DIR, ModelConfig, ThemeModel, load_or_train
from pipeline.stages.classify.rules import RuleHit, rule_hits
from pipeline.stages.classify.training import Example, check_themes, load_examples

log = logging.getLogger(__name__)


def threshold_of(theme: Theme, options: ClassifierOptions) -> float:
    return options.threshold if theme.threshold is None else theme.threshold


def combine_scores(
    rules: np.ndarray, model: np.ndarray | None, options: ClassifierOptions
) -> np.ndarray:
    """items × themes combined scores from rule hits (0/1) and model probabilities."""
    if model is None:
        return rules.astype(float)
    w = options.rule_weight
    return w * rules + (1 - w) * model


def thresholds_of(themes: tuple[Theme, ...], options: ClassifierOptions) -> np.ndarray:
    return np.array([threshold_of(t, options) for t in themes])


def decide(scores: np.ndarray, themes: tuple[Theme, ...], options: ClassifierOptions):
    return scores >= thresholds_of(themes, options) - 1e-9  # a score on the threshold counts


def doubt(scores: np.ndarray, themes: tuple[Theme, ...], options: ClassifierOptions) -> np.ndarray:
    """Per item, how near its themes came to being decided the other way: 1 minus the
    smallest distance of any theme's score from its threshold (1: a score right on it),
    plus 1 for an item given no theme at all, since 96% of the sample's labelled items
    have one: such an item is most likely a theme missed. The review list (review.py)
    puts the most doubtful items first, since correcting them is what changes the
    results; evaluate-themes --review measures that it does."""
    if scores.size == 0:
        return np.zeros(len(scores))
    thresholds = thresholds_of(themes, options)
    nearest = 1.0 - np.abs(scores - thresholds).min(axis=1)
    return nearest + ~decide(scores, themes, options).any(axis=1)


# --------------------------------------------------------------------------- model


def batch_root(path: Path, source: str) -> Path:
    """The batch folder of a report file, from its path and its batch-relative name."""
    return path.parents[len(Path(source).parts) - 1]


def training_files(options: ClassifierOptions, batch_dir: Path | None) -> list[Path]:
    files = []
    for name in options.training:
        if Path(name).is_file():
            files.append(Path(name))
        else:  # e.g. a config folder copied without the corpus: classify with what is left
            log.warning("training file %s not found; the theme model does without it", name)
    if batch_dir is not None and (Path(batch_dir) / options.labels_file).is_file():
        files.append(Path(batch_dir) / options.labels_file)
    return files


def _stamp(path: Path) -> tuple[str, int, int]:
    """Path, size and mtime: the key under which a file's parsed content is cached, so
    that every document of a batch reads it once and an edited file is read again."""
    stat = path.stat() if path.is_file() else None
    return (str(path), stat.st_size if stat else -1, stat.st_mtime_ns if stat else -1)


@lru_cache(maxsize=8)
def _examples(stamped: tuple[tuple[str, int, int], ...]) -> tuple[Example, ...]:
    return tuple(load_examples(Path(p) for p, _, _ in stamped))


def examples_for(options: ClassifierOptions, batch_dir: Path | None) -> list[Example]:
    return list(_examples(tuple(_stamp(p) for p in training_files(options, batch_dir))))


def analyzer_key(settings: Settings) -> str:
    """What the lemmas of training items depend on: analyzer options and the userdict."""
    digest = hashlib.sha256(json.dumps(settings.analyze, sort_keys=True, default=str).encode())
    userdict = userdict_path(settings.analyze)  # the one the run installs
    if userdict.is_file():
        digest.update(userdict.read_bytes())
    return digest.hexdigest()[:16]


_MODELS: dict[str, ThemeModel] = {}  # in-process memo: a batch loads its model once


def model_for(
    settings: Settings, batch_dir: Path | None = None, cache_dir: Path = DEFAULT_CACHE_DIR
) -> ThemeModel | None:
    """The trained model for these settings and batch, or None (rules alone)."""
    options = settings.classifier
    if not options.use_model:
        return None
    examples = examples_for(options, batch_dir)
    if not examples:
        return None
    check_themes(examples, (t.id for t in settings.themes))
    key = (
        f"{cache_dir}|{len(examples)}|{hash(tuple(examples))}|"
        f"{hash(settings.themes)}|{analyzer_key(settings)}|{options.options}"
    )
    if key not in _MODELS:
        _MODELS[key] = load_or_train(
            examples,
            settings.themes,
            ModelConfig.from_options(options.options),
            settings.analyze,
            cache_dir,
            analyzer_key(settings),
        )
    return _MODELS[key]


# --------------------------------------------------------------------------- classify


def _evidence(hits: list[RuleHit], prob: float | None, features: list[str], given: bool) -> str:
    parts = []
    if not given:
        parts.append("not given (below threshold)")
    if hits:
        parts.append(", ".join(str(h) for h in hits))
    if prob is not None:
        named = f": {' '.join(features)}" if features else ""
        parts.append(f"model {prob:.2f}{named}")
    return " | ".join(parts)


def classify_with(
    items: list[Item],
    themes: tuple[Theme, ...],
    model: ThemeModel | None,
    options: ClassifierOptions,
) -> None:
    """Set themes, scores and evidence of every item in place."""
    if not items:
        return
    hits = [[rule_hits(item, theme) for theme in themes] for item in items]
    rules = np.array([[1.0 if h else 0.0 for h in row] for row in hits])
    probs = explained = None
    if model is not None:
        probs = model.predict_proba(items)
        explained = model.explain(items)
    scores = combine_scores(rules, probs, options)
    given = decide(scores, themes, options)
    for i, item in enumerate(items):
        item.themes, item.scores, item.evidence = [], {}, {}
        for j, theme in enumerate(themes):
            item.scores[theme.id] = float(scores[i, j])
            if given[i, j]:
                item.themes.append(theme.id)
            if given[i, j] or hits[i][j]:  # every rule match is kept, even if overruled
                item.evidence[theme.id] = _evidence(
                    hits[i][j],
                    None if probs is None else float(probs[i, j]),
                    explained[i].get(theme.id, []) if explained else [],
                    bool(given[i, j]),
                )


def hand_labels_for(settings: Settings, batch_dir: Path | None) -> dict[str, list[HandLabel]]:
    """The corrections in the batch's labels.csv (none without one)."""
    if batch_dir is None:
        return {}
    path = Path(batch_dir) / settings.classifier.labels_file
    if not path.is_file():
        return {}
    return _hand_labels(_stamp(path), tuple(t.id for t in settings.themes))


@lru_cache(maxsize=8)
def _hand_labels(stamped: tuple[str, int, int], ids: tuple) -> dict[str, list[HandLabel]]:
    return load_hand_labels(Path(stamped[0]), ids)


def check_training_data(settings: Settings, batch_dir: Path | None) -> None:
    """Read the training files and the batch's labels.csv before any document, so that a
    mistake in them stops the run once, naming the file and line (as one in themes.yaml
    does), instead of failing every document, or only those not in the cache."""
    hand_labels_for(settings, batch_dir)  # first: its messages name the line
    if settings.classifier.use_model:
        examples = examples_for(settings.classifier, batch_dir)
        check_themes(examples, (t.id for t in settings.themes))


def classify(items: list[Item], settings: Settings, batch_dir: Path | None = None) -> None:
    """Themes of the items from the rules and the model trained for this batch; items an
    analyst labelled in the batch's labels.csv get those themes (hand_labels.py)."""
    if not items:
        return
    model = model_for(settings, batch_dir)
    classify_with(items, settings.themes, model, settings.classifier)
    labels = hand_labels_for(settings, batch_dir)
    if labels:
        apply_hand_labels(items, labels, [t.id for t in settings.themes])
