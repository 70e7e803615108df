"""Choose the theme classifier's settings on a validation set, never on the blind set.

    python scripts/tune_themes.py --exclude 蛍川町,… --validate 萌木村,…   (make tune-themes)

The municipalities named by --exclude (the blind set) are dropped before anything else:
no model is trained or scored on them here. The classifier is trained on the rest but the
--validate municipalities, and each setting is scored on those: the model's C and the
weight of the rule features (a refit each), then the rule weight and the threshold (no
refit). Prints every setting's micro/macro-F1 on the validation set and the best one by
their mean; `configs/themes.yaml` `classifier:` is where a chosen setting goes.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np

from pipeline.config.settings import load_settings
from pipeline.evaluation.themes import DEFAULT_GOLD, rule_matrix, scores
from pipeline.stages.analyze.morphology import analyze
from pipeline.stages.classify.combine import combine_scores, decide
from pipeline.stages.classify.model import ModelConfig, ThemeModel
from pipeline.stages.classify.training import as_items, load_examples

C_VALUES = (1.0, 3.0, 10.0, 30.0)
RULE_FEATURE_WEIGHTS = (0.5, 1.0, 2.0)
RULE_WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5)
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def _names(text: str) -> set[str]:
    return {name.strip() for name in text.split(",") if name.strip()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--exclude", required=True, help="the blind municipalities, comma-separated"
    )
    parser.add_argument("--validate", required=True, help="the validation municipalities")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    args = parser.parse_args(argv)
    settings = load_settings()
    blind, validate = _names(args.exclude), _names(args.validate)
    examples = [e for e in load_examples([args.gold]) if e.group not in blind]
    missing = validate - {e.group for e in examples}
    if missing or blind & validate:
        print(f"error: not in the gold or in both sets: {sorted(missing | (blind & validate))}")
        return 2
    items = as_items(examples)
    analyze(items, settings.analyze)
    themes = settings.themes
    theme_ids = [t.id for t in themes]
    test = np.array([k for k, e in enumerate(examples) if e.group in validate])
    train = np.array([k for k, e in enumerate(examples) if e.group not in validate])
    truth = np.array([[t in examples[k].themes for t in theme_ids] for k in test])
    rules = rule_matrix(items, themes)[test]
    print(
        f"trained on {len(train)} items, validated on {len(test)} ({', '.join(sorted(validate))})"
    )
    base = ModelConfig.from_options(settings.classifier.options)
    results = []
    for c, rfw in product(C_VALUES, RULE_FEATURE_WEIGHTS):
        model = ThemeModel(tuple(theme_ids), replace(base, C=c, rule_feature_weight=rfw), themes)
        probs = model.fit([items[k] for k in train], [examples[k].themes for k in train])
        probs = probs.predict_proba([items[k] for k in test])
        for w, threshold in product(RULE_WEIGHTS, THRESHOLDS):
            options = replace(settings.classifier, rule_weight=w, threshold=threshold)
            pred = decide(combine_scores(rules, probs, options), themes, options)
            s = scores(truth, pred, theme_ids)
            results.append((c, rfw, w, threshold, s["micro_f1"], s["macro_f1"]))
    now = (base.C, base.rule_feature_weight, settings.classifier.rule_weight,
           settings.classifier.threshold)  # fmt: skip
    print(f"{'C':>5} {'rule feat':>9} {'rule w':>6} {'thresh':>6} {'micro':>6} {'macro':>6}")
    ranked = sorted(results, key=lambda r: -(r[4] + r[5]))
    for row in ranked[:15] + [r for r in results if r[:4] == now]:
        mark = "  (current)" if row[:4] == now else ""
        print(f"{row[0]:5g} {row[1]:9g} {row[2]:6g} {row[3]:6g} {row[4]:6.3f} {row[5]:6.3f}{mark}")
    best = ranked[0]
    print(f"best: C={best[0]:g} rule_feature_weight={best[1]:g} rule_weight={best[2]:g} "
          f"threshold={best[3]:g}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
