"""Precision, recall and F1: scikit-learn's, for every figure the project reports.

One implementation with one explicit rule for an empty side, chosen by the caller:

- `UNDEFINED` (NaN, reported as None / "n/a"): nothing to score is not a fake 0 or 1;
  `evaluate` and `evaluate-inputs` use it (a run with no 到達点 items has no recall).
- `0.0`: cross-validated theme scores, where a theme never predicted scores 0.
- `1.0`: agreement of two annotators, who agree when neither gives a theme.

F1 is 2·tp / (2·tp + fp + fn) (scikit-learn ≥ 1.3), which is 0 whenever one side is empty
and the other is not.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import precision_recall_fscore_support

UNDEFINED = math.nan


def _value(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _support(truth: np.ndarray, pred: np.ndarray, average, zero_division: float):
    with warnings.catch_warnings():  # the empty sides are handled by zero_division
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return precision_recall_fscore_support(
            truth, pred, average=average, zero_division=zero_division
        )


def from_counts(tp: int, n_pred: int, n_gold: int, zero_division: float = UNDEFINED) -> dict:
    """Precision, recall and F1 of `tp` matches among `n_pred` predicted and `n_gold` gold
    things (items matched one to one, keys counted with their multiplicity)."""
    if not 0 <= tp <= min(n_pred, n_gold):
        raise ValueError(f"{tp} matches cannot come from {n_pred} predicted and {n_gold} gold")
    # one row per match, per unmatched prediction and per unmatched gold thing; a lone
    # (0, 0) row when there is nothing, so that both sides are empty
    truth = np.array([1] * tp + [0] * (n_pred - tp) + [1] * (n_gold - tp) or [0])
    pred = np.array([1] * tp + [1] * (n_pred - tp) + [0] * (n_gold - tp) or [0])
    precision, recall, f1, _ = _support(truth, pred, "binary", zero_division)
    return {
        "gold": n_gold,
        "pred": n_pred,
        "matched": tp,
        "precision": _value(precision),
        "recall": _value(recall),
        "f1": _value(f1),
    }


def per_label(truth: np.ndarray, pred: np.ndarray, labels: list[str],
              zero_division: float = 0.0) -> dict:  # fmt: skip
    """Per-label and micro precision/recall/F1, and macro-F1, of boolean item × label
    matrices. Macro is the mean over the labels given: the caller says which (every theme
    of the taxonomy, or those gold or prediction used)."""
    truth = np.asarray(truth, dtype=bool).reshape(len(truth), len(labels))
    pred = np.asarray(pred, dtype=bool).reshape(len(pred), len(labels))
    if truth.shape != pred.shape:
        raise ValueError(f"matrices {truth.shape} and {pred.shape} differ")
    if not labels or not len(truth):  # nothing to score: every figure is the empty value
        empty = _value(zero_division)
        return {
            "labels": {
                label: {
                    "precision": empty,
                    "recall": empty,
                    "f1": empty,
                    "support": 0,
                    "predicted": 0,
                }  # fmt: skip
                for label in labels
            },
            "micro": {"precision": empty, "recall": empty, "f1": empty},
            "macro_f1": empty,
        }
    precision, recall, f1, _ = _support(truth, pred, None, zero_division)
    micro = _support(truth, pred, "micro", zero_division)
    per = {
        label: {
            "precision": _value(precision[j]),
            "recall": _value(recall[j]),
            "f1": _value(f1[j]),
            "support": int(truth[:, j].sum()),
            "predicted": int(pred[:, j].sum()),
        }
        for j, label in enumerate(labels)
    }
    defined = [v["f1"] for v in per.values() if v["f1"] is not None]
    return {
        "labels": per,
        "micro": {
            "precision": _value(micro[0]),
            "recall": _value(micro[1]),
            "f1": _value(micro[2]),
        },
        "macro_f1": float(np.mean(defined)) if defined else _value(zero_division),
    }
