"""Choosing the theme classifier's settings by grouped cross-validation (scripts/tune_themes.py).

One validation split of six municipalities moved the figures by more than the settings
it was choosing between did; cross-validation over every municipality the tuning may
see (grouped: a municipality is never both in training and in test) uses all of them and
shows, fold by fold, how far a difference is noise.

- `oof_probabilities`: the model's out-of-fold probabilities for one ModelConfig; the
  rule weight and thresholds are then scored on them without refitting.
- `fold_figures`: pooled micro/macro-F1 and each fold's, for the spread.
- `best_thresholds` / `nested_thresholds`: per-theme thresholds chosen on the training
  part only (its own inner grouped CV), so that the outer test fold never chose them;
  a theme with few positives keeps the global threshold, whose estimate it cannot beat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.config.themes import ClassifierOptions, Theme
from pipeline.core.records import Item
from pipeline.evaluation.themes import scores
from pipeline.stages.classify.combine import combine_scores
from pipeline.stages.classify.model import ModelConfig, ThemeModel
from pipeline.stages.classify.training import Example

Splits = list[tuple[np.ndarray, np.ndarray]]
THRESHOLD_GRID = tuple(round(t, 2) for t in np.arange(0.1, 0.81, 0.05))
MIN_POSITIVES = 20  # fewer gold items of a theme in the training part: global threshold


def grouped_folds(groups: np.ndarray, folds: int, seed: int) -> Splits:
    """(train, test) rows of GroupKFold with the groups shuffled by `seed`: fixed folds
    that are not the order the municipalities happen to come in."""
    from sklearn.model_selection import GroupKFold

    folds = max(2, min(folds, len(set(groups))))
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(groups)), groups=groups))


def oof_probabilities(
    items: list[Item],
    labels: list[tuple[str, ...]],
    splits: Splits,
    themes: tuple[Theme, ...],
    config: ModelConfig,
) -> np.ndarray:
    """items × themes probabilities, each row from the model of the fold it was tested in."""
    ids = tuple(t.id for t in themes)
    probs = np.zeros((len(items), len(ids)))
    for train, test in splits:
        model = ThemeModel(ids, config, themes)
        model.fit([items[k] for k in train], [labels[k] for k in train])
        probs[test] = model.predict_proba([items[k] for k in test])
    return probs


@dataclass(frozen=True)
class Figures:
    micro: float  # pooled over every out-of-fold prediction, as evaluate-themes reports
    macro: float
    fold_micro: tuple[float, ...]
    fold_macro: tuple[float, ...]

    @property
    def mean(self) -> float:
        """What the settings are chosen by: micro- and macro-F1 weigh alike."""
        return (self.micro + self.macro) / 2

    @property
    def fold_means(self) -> np.ndarray:
        return (np.array(self.fold_micro) + np.array(self.fold_macro)) / 2


def fold_figures(
    truth: np.ndarray, pred: np.ndarray, splits: Splits, theme_ids: list[str]
) -> Figures:
    pooled = scores(truth, pred, theme_ids)
    folds = [scores(truth[test], pred[test], theme_ids) for _, test in splits]
    return Figures(
        pooled["micro_f1"],
        pooled["macro_f1"],
        tuple(f["micro_f1"] for f in folds),
        tuple(f["macro_f1"] for f in folds),
    )


def pooled(figures: list[Figures]) -> Figures:
    """Repeated CV (one Figures per seed's folds): the seeds' mean, and every fold."""
    return Figures(
        float(np.mean([f.micro for f in figures])),
        float(np.mean([f.macro for f in figures])),
        sum((f.fold_micro for f in figures), ()),
        sum((f.fold_macro for f in figures), ()),
    )


def best_thresholds(
    combined: np.ndarray,
    truth: np.ndarray,
    default: float,
    grid: tuple[float, ...] = THRESHOLD_GRID,
    min_positives: int = MIN_POSITIVES,
) -> np.ndarray:
    """Per theme, the grid threshold with the best F1 of `combined` scores against
    `truth`; ties go to the one nearest `default`, and a theme with fewer than
    `min_positives` gold items keeps `default`."""
    chosen = np.full(truth.shape[1], float(default))
    order = sorted(grid, key=lambda t: abs(t - default))  # first of equals wins
    for j in range(truth.shape[1]):
        gold = truth[:, j].astype(bool)
        if gold.sum() < min_positives:
            continue
        best = -1.0
        for t in order:
            given = combined[:, j] >= t - 1e-9
            hits = int((given & gold).sum())
            f1 = 2 * hits / (given.sum() + gold.sum())
            if f1 > best + 1e-12:
                best, chosen[j] = f1, t
    return chosen


def nested_thresholds(
    items: list[Item],
    examples: list[Example],
    rules: np.ndarray,
    train: np.ndarray,
    themes: tuple[Theme, ...],
    config: ModelConfig,
    options: ClassifierOptions,
    inner_folds: int = 4,
    seed: int = 0,
    min_positives: int = MIN_POSITIVES,
) -> np.ndarray:
    """Per-theme thresholds from the `train` rows alone: their out-of-fold combined
    scores under an inner grouped CV, then best_thresholds."""
    groups = np.array([examples[k].group for k in train])
    inner = grouped_folds(groups, inner_folds, seed)
    part = [items[k] for k in train]
    labels = [examples[k].themes for k in train]
    probs = oof_probabilities(part, labels, inner, themes, config)
    truth = np.array([[t.id in lab for t in themes] for lab in labels])
    combined = combine_scores(rules[train], probs, options)
    return best_thresholds(combined, truth, options.threshold, min_positives=min_positives)
