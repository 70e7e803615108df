"""Grouped-CV tuning helpers (scripts/tune_themes.py): folds, figures, per-theme thresholds."""

from __future__ import annotations

import numpy as np

from pipeline.evaluation.tuning import best_thresholds, fold_figures, grouped_folds


def test_grouped_folds_keep_a_municipality_in_one_fold_and_depend_on_the_seed():
    groups = np.repeat([f"m{k}" for k in range(10)], 3)
    splits = grouped_folds(groups, 5, seed=0)
    assert len(splits) == 5
    tested = np.concatenate([test for _, test in splits])
    assert sorted(tested) == list(range(30))  # every row tested once
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
    assert [list(t) for _, t in splits] == [list(t) for _, t in grouped_folds(groups, 5, 0)]
    other = grouped_folds(groups, 5, seed=1)
    assert [list(t) for _, t in splits] != [list(t) for _, t in other]


def test_fold_figures_are_pooled_and_per_fold():
    truth = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=bool)
    pred = np.array([[1, 0], [0, 1], [0, 1], [1, 0]], dtype=bool)  # second fold all wrong
    splits = [(np.array([2, 3]), np.array([0, 1])), (np.array([0, 1]), np.array([2, 3]))]
    f = fold_figures(truth, pred, splits, ["a", "b"])
    assert f.fold_micro == (1.0, 0.0) and f.fold_macro == (1.0, 0.0)
    assert f.micro == 0.5 and f.mean == (f.micro + f.macro) / 2
    assert list(f.fold_means) == [1.0, 0.0]


def test_best_thresholds_maximise_each_themes_f1_and_fall_back_with_few_positives():
    # theme a: positives score 0.6–0.7, negatives 0.5, so 0.55–0.6 separate them; theme b
    # has a single positive: too few to choose on, it keeps the global threshold
    combined = np.array([[0.7, 0.9], [0.6, 0.1], [0.5, 0.1], [0.5, 0.1]])
    truth = np.array([[1, 1], [1, 0], [0, 0], [0, 0]], dtype=bool)
    grid = (0.3, 0.45, 0.55, 0.6, 0.65)
    chosen = best_thresholds(combined, truth, default=0.3, grid=grid, min_positives=2)
    assert chosen[0] == 0.55  # 0.55 and 0.6 both give F1 1: the one nearer the default
    assert chosen[1] == 0.3
    assert list(best_thresholds(combined, truth, 0.3, grid, min_positives=1)) == [0.55, 0.3]
