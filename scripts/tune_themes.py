"""Choose the theme classifier's settings by grouped cross-validation, never on the blind set.

    python scripts/tune_themes.py --exclude 蛍川町,… [--folds 5 --seed 0]   (make tune-themes)
        [--per-theme] [--variants]

The municipalities named by --exclude (the blind set) are dropped before anything else:
no model is trained or scored on them here. The rest are split into --folds folds by
municipality (GroupKFold, the municipalities shuffled by --seed): every setting is
trained on four folds and scored on the fifth, in turn. One validation split of six
municipalities, as before, moved the figures by more than the settings differed by.

For each model C and rule feature weight (a refit per fold), every rule weight and
threshold is scored on the same out-of-fold probabilities. Printed: micro/macro-F1 over
all out-of-fold predictions (the settings are ranked by their mean), the spread of the
folds' own figures (sd), and against the current setting of configs/themes.yaml the
folds' paired difference of (micro+macro)/2: its mean, range and the folds it is ahead
in. A gain smaller than that range is noise.

--per-theme: per-theme thresholds for the current and the best setting, nested: in each
outer fold they are chosen on an inner grouped CV of its training part only, then
applied to its test fold (themes with few positives keep the global threshold); prints
the thresholds the same procedure picks on every municipality here.
--variants: other features (character n-gram ranges, no lemmas), each with the C grid.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np

from pipeline.config.settings import load_settings
from pipeline.evaluation.themes import DEFAULT_GOLD, rule_matrix
from pipeline.evaluation.tuning import (
    Figures,
    fold_figures,
    grouped_folds,
    nested_thresholds,
    oof_probabilities,
)
from pipeline.stages.analyze.morphology import analyze
from pipeline.stages.classify.combine import combine_scores
from pipeline.stages.classify.model import ModelConfig
from pipeline.stages.classify.training import as_items, load_examples

C_VALUES = (1.0, 3.0, 10.0, 30.0)
RULE_FEATURE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
RULE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
# Feature sets beside the configured one (ModelConfig fields), with rule_feature_weight
# and C as chosen by the main grid.
VARIANTS = {
    "chars 1-4": {"char_ngrams": (1, 4)},
    "chars 2-4": {"char_ngrams": (2, 4)},
    "chars 1-2": {"char_ngrams": (1, 2)},
    "no lemmas": {"use_lemmas": False},
}


def _names(text: str) -> set[str]:
    return {name.strip() for name in text.split(",") if name.strip()}


class Tuning:
    """The non-blind examples analysed once, their folds, rule hits and gold."""

    def __init__(self, gold: Path, blind: set[str], folds: int, seed: int):
        self.settings = load_settings()
        self.themes = self.settings.themes
        self.ids = [t.id for t in self.themes]
        self.examples = [e for e in load_examples([gold]) if e.group not in blind]
        self.items = as_items(self.examples)
        analyze(self.items, self.settings.analyze)
        self.groups = np.array([e.group for e in self.examples])
        self.splits = grouped_folds(self.groups, folds, seed)
        self.seed = seed
        self.rules = rule_matrix(self.items, self.themes)
        self.truth = np.array([[t in e.themes for t in self.ids] for e in self.examples])
        self.base = ModelConfig.from_options(self.settings.classifier.options)

    def probabilities(self, config: ModelConfig) -> np.ndarray:
        labels = [e.themes for e in self.examples]
        return oof_probabilities(self.items, labels, self.splits, self.themes, config)

    def figures(self, probs: np.ndarray, w: float, thresholds) -> Figures:
        combined = combine_scores(
            self.rules, probs, replace(self.settings.classifier, rule_weight=w)
        )
        pred = combined >= np.asarray(thresholds) - 1e-9
        return fold_figures(self.truth, pred, self.splits, self.ids)

    def grid(self, config: ModelConfig) -> list[tuple[float, float, Figures]]:
        probs = self.probabilities(config)
        return [(w, t, self.figures(probs, w, t)) for w, t in product(RULE_WEIGHTS, THRESHOLDS)]

    def nested(self, config: ModelConfig, w: float, threshold: float) -> tuple[Figures, np.ndarray]:
        """Out-of-fold figures with per-theme thresholds chosen inside each training part,
        and the thresholds the same procedure chooses on every row."""
        options = replace(self.settings.classifier, rule_weight=w, threshold=threshold)
        probs = self.probabilities(config)
        combined = combine_scores(self.rules, probs, options)
        pred = np.zeros_like(self.truth)
        for train, test in self.splits:
            chosen = nested_thresholds(
                self.items, self.examples, self.rules, train, self.themes, config, options,
                seed=self.seed,
            )  # fmt: skip
            pred[test] = combined[test] >= chosen - 1e-9
        every = nested_thresholds(
            self.items, self.examples, self.rules, np.arange(len(self.items)), self.themes,
            config, options, seed=self.seed,
        )  # fmt: skip
        return fold_figures(self.truth, pred, self.splits, self.ids), every


def _line(label: str, f: Figures, now: Figures | None) -> str:
    text = (
        f"{label} {f.micro:6.3f} {f.macro:6.3f} {f.mean:6.3f}   "
        f"{np.std(f.fold_micro):.3f}/{np.std(f.fold_macro):.3f}"
    )
    if now is not None:
        diff = f.fold_means - now.fold_means
        text += (
            f"   {diff.mean():+.3f} [{diff.min():+.3f} {diff.max():+.3f}] "
            f"{int((diff > 0).sum())}/{len(diff)}"
        )
    return text


HEAD = "micro  macro   mean   fold sd mi/ma   Δ vs current (folds: mean [min max] ahead)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--exclude", required=True, help="the blind municipalities, comma-separated"
    )
    parser.add_argument("--folds", type=int, default=5, help="grouped folds (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="shuffles the municipalities")
    parser.add_argument("--per-theme", action="store_true", help="nested per-theme thresholds")
    parser.add_argument("--variants", action="store_true", help="other feature sets too")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    args = parser.parse_args(argv)
    blind = _names(args.exclude)
    if not blind:
        print("error: --exclude names no municipality")
        return 2
    run = Tuning(args.gold, blind, args.folds, args.seed)
    options = run.settings.classifier
    sizes = [len(test) for _, test in run.splits]
    print(
        f"{len(run.items)} items of {len(set(run.groups))} municipalities (the blind "
        f"{len(blind)} left out), {len(run.splits)} grouped folds of {sizes} items, seed {args.seed}"
    )
    results = []
    for c, rfw in product(C_VALUES, RULE_FEATURE_WEIGHTS):
        config = replace(run.base, C=c, rule_feature_weight=rfw)
        results += [(c, rfw, w, t, f) for w, t, f in run.grid(config)]
    key = (run.base.C, run.base.rule_feature_weight, options.rule_weight, options.threshold)
    current = next((r for r in results if r[:4] == key), None)
    now = current[4] if current else None
    print(f"\n{'C':>5} {'rfw':>4} {'rule w':>6} {'thresh':>6} {HEAD}")
    ranked = sorted(results, key=lambda r: -r[4].mean)
    for row in ranked[:15] + ([current] if current else []):
        mark = "  (current)" if row is current else ""
        print(_line(f"{row[0]:5g} {row[1]:4g} {row[2]:6g} {row[3]:6g}", row[4], now) + mark)
    best = ranked[0]
    print(
        f"best: C={best[0]:g} rule_feature_weight={best[1]:g} rule_weight={best[2]:g} "
        f"threshold={best[3]:g}"
    )
    best_config = replace(run.base, C=best[0], rule_feature_weight=best[1])
    if args.variants:
        print(f"\nfeature variants (rule_feature_weight {best[1]:g}; best C, rule weight, "
              f"threshold of each):\n{'variant':<12} {'C':>5} {'rule w':>6} {'thresh':>6} {HEAD}")  # fmt: skip
        for name, change in VARIANTS.items():
            rows = []
            for c in C_VALUES:
                config = replace(best_config, C=c, **change)
                rows += [(c, w, t, f) for w, t, f in run.grid(config)]
            c, w, t, f = max(rows, key=lambda r: r[3].mean)
            print(_line(f"{name:<12} {c:5g} {w:6g} {t:6g}", f, now))
    if args.per_theme:
        print(f"\nper-theme thresholds, nested (inner grouped CV of each training part):\n"
              f"{'setting':<40} {HEAD}")  # fmt: skip
        settings = {"current": (run.base, options.rule_weight, options.threshold)}
        settings["best"] = (best_config, best[2], best[3])
        for name, (config, w, t) in settings.items():
            figures, every = run.nested(config, w, t)
            label = f"{name} C={config.C:g} rfw={config.rule_feature_weight:g} w={w:g} t={t:g}"
            print(_line(f"{label:<40}", figures, now))
            chosen = ", ".join(f"{i}: {v:g}" for i, v in zip(run.ids, every, strict=True))
            print(f"  chosen on every municipality here: {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
