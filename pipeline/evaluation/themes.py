"""`python -m pipeline evaluate-themes`: how well rules, model and both label themes.

Cross-validation grouped by municipality (GroupKFold): the items of one municipality
are never both in training and in test, as with a batch of reports the model has not
seen. Per fold, on the gold-labelled items:

- rules:    the coding rules alone (a theme when any of its rules matches);
- model:    the classifier on text features alone (character n-grams, lemmas, block);
- combined: the classifier with the rule features too, blended with the rules as in a
            run (combine.py), with the thresholds of configs/themes.yaml.

Nothing is tuned on test folds: thresholds come from the config. GroupKFold and
liblinear logistic regression (fixed random_state) are deterministic, so the figures
are reproducible.

The coding rules are not fitted, so their figure (and their share of "combined") is
not a held-out estimate in the same sense as the model's: they were written by
reading the sample. Keep them general (domain vocabulary, not phrases of the sample
items) so that the figure carries over to new batches.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pipeline.config.paths import DEFAULT_CONFIG, PROJECT_ROOT
from pipeline.config.settings import Settings, load_settings
from pipeline.config.themes import Theme
from pipeline.core.errors import PipelineError
from pipeline.core.records import Item
from pipeline.evaluation import metrics
from pipeline.stages.classify.combine import combine_scores, decide, doubt
from pipeline.stages.classify.model import ModelConfig, ThemeModel
from pipeline.stages.classify.rules import rule_hits
from pipeline.stages.classify.training import Example, as_items, check_themes, load_examples

DEFAULT_GOLD = PROJECT_ROOT / "corpora" / "sample" / "gold.json"
DEFAULT_OUT = PROJECT_ROOT / "outputs" / "evaluate_themes.json"
SYSTEMS = ("rules", "model", "combined")
BOOTSTRAP_DRAWS = 1000


@dataclass
class Predictions:
    """Fold-wise predictions for every example, per system (examples × themes, 0/1)."""

    truth: np.ndarray
    systems: dict[str, np.ndarray]
    folds: int
    groups: np.ndarray  # each example's municipality


def _labels(examples: list[Example], theme_ids: list[str]) -> np.ndarray:
    return np.array([[t in e.themes for t in theme_ids] for e in examples], dtype=bool)


def grouped_splits(examples: list[Example], folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices of GroupKFold by municipality, as cross_validate uses."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([e.group for e in examples])
    folds = max(2, min(folds, len(set(groups))))
    return list(GroupKFold(n_splits=folds).split(examples, groups=groups))


def cross_validate(
    items: list[Item],
    examples: list[Example],
    settings: Settings,
    folds: int = 5,
) -> Predictions:
    """Out-of-fold predictions of the three systems; items carry lemmas already."""
    themes = settings.themes
    theme_ids = [t.id for t in themes]
    groups = np.array([e.group for e in examples])
    if len(set(groups)) < 2:
        raise PipelineError("evaluate-themes needs labelled items of at least 2 municipalities")
    truth = _labels(examples, theme_ids)
    rules = rule_matrix(items, themes)
    out = {name: np.zeros_like(truth) for name in SYSTEMS}
    out["rules"] = rule_decisions(rules, settings)
    splits = grouped_splits(examples, folds)
    for train, test in splits:
        model, combined = _fit_predict(items, examples, train, test, rules, settings)
        out["model"][test], out["combined"][test] = model, combined
    return Predictions(truth, out, len(splits), groups)


def rule_decisions(rules: np.ndarray, settings: Settings) -> np.ndarray:
    """The rules alone: a theme wherever one of its rules matches."""
    return decide(rules, settings.themes, replace(settings.classifier, threshold=0.5)) & (rules > 0)


def rule_matrix(items: list[Item], themes: tuple[Theme, ...]) -> np.ndarray:
    return np.array([[1.0 if rule_hits(i, t) else 0.0 for t in themes] for i in items])


def _fit_predict(items, examples, train, test, rules: np.ndarray, settings: Settings):
    """Model-alone and combined decisions on `test` after training on `train`."""
    themes, options = settings.themes, settings.classifier
    theme_ids = tuple(t.id for t in themes)
    base = ModelConfig.from_options(options.options)
    train_items = [items[k] for k in train]
    test_items = [items[k] for k in test]
    labels = [examples[k].themes for k in train]
    text_only = ThemeModel(theme_ids, replace(base, rule_features=False), themes)
    probs = text_only.fit(train_items, labels).predict_proba(test_items)
    model = decide(probs, themes, options)
    full = ThemeModel(theme_ids, replace(base, rule_features=True), themes)
    probs = full.fit(train_items, labels).predict_proba(test_items)
    return model, decide(combine_scores(rules[test], probs, options), themes, options)


LEARNING_SHARES = (0.25, 0.5, 0.75, 1.0)


def learning_curve(
    items: list[Item],
    examples: list[Example],
    settings: Settings,
    folds: int = 5,
    shares: tuple[float, ...] = LEARNING_SHARES,
    seed: int = 0,
) -> list[dict]:
    """Model and combined F1 when each fold trains on only a share of its training
    municipalities (the same test folds as cross_validate): would labelling more reports
    help, and how fast? Smaller shares are subsets of larger ones, so the curve is not
    noise from different draws; the full share reproduces cross_validate."""
    theme_ids = [t.id for t in settings.themes]
    groups = np.array([e.group for e in examples])
    truth = _labels(examples, theme_ids)
    rules = rule_matrix(items, settings.themes)
    rng = np.random.default_rng(seed)
    out = {
        share: {"model": np.zeros_like(truth), "combined": np.zeros_like(truth)} for share in shares
    }
    trained: dict[float, list[int]] = {share: [] for share in shares}
    for train, test in grouped_splits(examples, folds):
        order = list(rng.permutation(sorted(set(groups[train]))))
        for share in shares:
            keep = set(order[: max(1, round(share * len(order)))])
            part = np.array([k for k in train if groups[k] in keep])
            model, combined = _fit_predict(items, examples, part, test, rules, settings)
            out[share]["model"][test], out[share]["combined"][test] = model, combined
            trained[share].append(len(keep))
    return [
        {
            "share": share,
            "training_municipalities": round(float(np.mean(trained[share])), 1),
            **{
                name: {
                    k: round(scores(truth, pred, theme_ids)[k], 4) for k in ("micro_f1", "macro_f1")
                }
                for name, pred in out[share].items()
            },
        }
        for share in shares
    ]


REVIEW_SIZES = (10, 25, 50)
RANDOM_DRAWS = 5


def subset_split(examples: list[Example], subset: tuple[str, ...]) -> list[tuple]:
    """One split: the subset's municipalities are the batch, the others train."""
    inside = np.isin([e.group for e in examples], list(subset))
    return [(np.flatnonzero(~inside), np.flatnonzero(inside))]


def review_curve(
    items: list[Item],
    examples: list[Example],
    settings: Settings,
    splits: list[tuple[np.ndarray, np.ndarray]],
    sizes: tuple[int, ...] = REVIEW_SIZES,
    seed: int = 0,
) -> list[dict]:
    """What an analyst gains by checking N items of a batch by hand, when the N are the
    run's most doubtful items (review.csv) and when they are drawn at random.

    Each split's test rows play a batch of reports the model has not seen (a fold of
    grouped_splits, or the held-out municipalities of subset_split). The model trains on
    the training rows and ranks the batch's items by doubt (combine.doubt). The first N
    get their gold themes, as rows of the batch's labels.csv would: such an item keeps
    its hand label (hand_labels.py), and the rows join the training data. The batch is
    then classified again. Figures are over all the batch's items and over the items
    left unchecked, where any gain comes from what the model learnt from the checked
    ones. Random picks are averaged over RANDOM_DRAWS draws."""
    themes, options = settings.themes, settings.classifier
    theme_ids = [t.id for t in themes]
    truth = _labels(examples, theme_ids)
    rules = rule_matrix(items, themes)
    base = ModelConfig.from_options(options.options)
    rng = np.random.default_rng(seed)
    runs = [("doubt", 0)] + [("random", d) for d in range(RANDOM_DRAWS)]
    pred = {(n, s, d): np.zeros_like(truth) for n in sizes for s, d in runs}
    checked = {key: np.zeros(len(items), dtype=bool) for key in pred}
    baseline = np.zeros_like(truth)
    batch_sizes = []

    def classified(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        model = ThemeModel(tuple(theme_ids), replace(base, rule_features=True), themes)
        model.fit([items[k] for k in train], [examples[k].themes for k in train])
        probs = model.predict_proba([items[k] for k in test])
        return combine_scores(rules[test], probs, options)

    tested = np.zeros(len(items), dtype=bool)  # the rows of every batch
    for train, test in splits:
        tested[test] = True
        first = classified(train, test)
        baseline[test] = decide(first, themes, options)
        batch_sizes.append(len(test))
        order = {"doubt": [test[np.argsort(-doubt(first, themes, options), kind="stable")]]}
        order["random"] = [rng.permutation(test) for _ in range(RANDOM_DRAWS)]
        for n in sizes:
            for strategy, draw in runs:
                chosen = order[strategy][draw][:n]
                after = decide(classified(np.concatenate([train, chosen]), test), themes, options)
                by_hand = np.isin(test, chosen)
                after[by_hand] = truth[test[by_hand]]  # a hand label is final
                pred[(n, strategy, draw)][test] = after
                checked[(n, strategy, draw)][chosen] = True

    def figures(p: np.ndarray, rows: np.ndarray) -> dict[str, float]:
        got = scores(truth[rows], p[rows], theme_ids)
        return {k: got[k] for k in ("micro_f1", "macro_f1")}

    def mean_figures(keys: list) -> dict[str, dict[str, float]]:
        """Over all items, and over the unchecked ones before and after re-training."""
        drawn = [
            {
                "all": figures(pred[k], tested),
                "unchecked_before": figures(baseline, tested & ~checked[k]),
                "unchecked_after": figures(pred[k], tested & ~checked[k]),
            }
            for k in keys
        ]
        return {
            part: {k: round(float(np.mean([d[part][k] for d in drawn])), 4) for k in drawn[0][part]}
            for part in drawn[0]
        }

    none_checked = {k: round(v, 4) for k, v in figures(baseline, tested).items()}
    curve = [
        {
            "checked_per_batch": 0,
            "share_checked": 0.0,
            **{
                s: dict.fromkeys(("all", "unchecked_before", "unchecked_after"), none_checked)
                for s in ("doubt", "random")
            },
        }
    ]
    for n in sizes:
        row: dict = {
            "checked_per_batch": n,
            "share_checked": round(float(sum(min(n, b) for b in batch_sizes) / tested.sum()), 4),
        }
        for strategy in ("doubt", "random"):
            row[strategy] = mean_figures([(n, s, d) for s, d in runs if s == strategy])
        curve.append(row)
    return curve


# --------------------------------------------------------------------------- figures


def scores(truth: np.ndarray, pred: np.ndarray, theme_ids: list[str]) -> dict:
    """Per-theme precision/recall/F1, micro- and macro-F1 (macro over every theme; a
    theme never predicted, or never in gold, scores 0)."""
    scored = metrics.per_label(truth, pred, theme_ids, zero_division=0.0)
    micro = scored["micro"]
    return {
        "themes": {
            t: {k: v[k] for k in ("precision", "recall", "f1", "support")}
            for t, v in scored["labels"].items()
        },
        "micro_f1": micro["f1"],
        "micro_precision": micro["precision"],
        "micro_recall": micro["recall"],
        "macro_f1": scored["macro_f1"],
    }


def municipality_intervals(
    truth: np.ndarray,
    pred: np.ndarray,
    groups: np.ndarray,
    theme_ids: list[str],
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
) -> dict[str, list[float]]:
    """95% intervals of micro- and macro-F1 by resampling municipalities with replacement.

    With a dozen municipalities one of them more or less moves the figures by a point or
    two; the interval shows how far, so that a change smaller than it is not read as a
    gain. Municipalities, not items, are drawn: their items are not independent."""
    rng = np.random.default_rng(seed)
    names = sorted(set(groups))
    rows_of = [np.flatnonzero(groups == name) for name in names]
    figures: dict[str, list[float]] = {"micro_f1": [], "macro_f1": []}
    for _ in range(draws):
        rows = np.concatenate([rows_of[k] for k in rng.integers(0, len(names), len(names))])
        drawn = scores(truth[rows], pred[rows], theme_ids)
        for key, values in figures.items():
            values.append(drawn[key])
    return {
        key: [round(float(q), 4) for q in np.percentile(values, [2.5, 97.5])]
        for key, values in figures.items()
    }


def confused_pairs(
    truth: np.ndarray, pred: np.ndarray, theme_ids: list[str], top: int = 8
) -> list[dict]:
    """(gold theme missed, other theme given instead) counted over items, commonest first."""
    counts: Counter = Counter()
    for t, p in zip(truth, pred, strict=True):
        missed = [theme_ids[j] for j in np.flatnonzero(t & ~p)]
        wrong = [theme_ids[j] for j in np.flatnonzero(~t & p)]
        counts.update((a, b) for a in missed for b in wrong)
    return [
        {"gold": a, "predicted": b, "items": n}
        for (a, b), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    ]


def evaluate_themes(
    gold: list[Path],
    settings: Settings,
    folds: int = 5,
    subset: tuple[str, ...] = (),
    curve: bool = False,
    review: bool = False,
) -> dict:
    """Load gold, analyse it (GiNZA, once), cross-validate, and return every figure;
    `subset` (municipalities) is also scored on its own; `curve` adds a learning curve,
    `review` what checking a batch's most doubtful items by hand gains."""
    from pipeline.stages.analyze.morphology import analyze

    examples = load_examples(gold)
    if not examples:
        raise PipelineError(f"no gold-labelled items in {', '.join(map(str, gold))}")
    check_themes(examples, (t.id for t in settings.themes))
    items = as_items(examples)
    analyze(items, settings.analyze)
    unknown = sorted(set(subset) - {e.group for e in examples})
    if unknown:
        raise PipelineError(f"--subset: no labelled items of {', '.join(unknown)} in the gold")
    pred = cross_validate(items, examples, settings, folds)
    result = report(pred, examples, settings.themes)
    if subset:
        result["subset"] = subset_scores(pred, subset, [t.id for t in settings.themes])
        result["blind"] = blind_scores(items, examples, settings, subset)
        rest = [k for k, e in enumerate(examples) if e.group not in subset]
        rest_pred = cross_validate(
            [items[k] for k in rest], [examples[k] for k in rest], settings, folds
        )
        result["rest_cv"] = report(rest_pred, [examples[k] for k in rest], settings.themes)
    if curve:
        result["learning_curve"] = learning_curve(items, examples, settings, folds)
    if review:
        result["review"] = review_curve(items, examples, settings, grouped_splits(examples, folds))
        if subset:
            split = subset_split(examples, subset)
            result["subset"]["review"] = review_curve(items, examples, settings, split)
    return result


def blind_scores(
    items: list[Item], examples: list[Example], settings: Settings, subset: tuple[str, ...]
) -> dict:
    """The figure that counts: municipalities written blind (no rule was written or revised
    on them), each system trained on every other municipality and tested on them once,
    with 95% intervals over the blind municipalities."""
    themes = settings.themes
    theme_ids = [t.id for t in themes]
    [(train, test)] = subset_split(examples, subset)
    truth = _labels([examples[k] for k in test], theme_ids)
    rules = rule_matrix(items, themes)
    systems = {"rules": rule_decisions(rules[test], settings)}
    systems["model"], systems["combined"] = _fit_predict(
        items, examples, train, test, rules, settings
    )
    groups = np.array([examples[k].group for k in test])
    return {
        "municipalities": sorted(subset),
        "items": int(len(test)),
        "trained_on": int(len(train)),
        "systems": {name: scores(truth, p, theme_ids) for name, p in systems.items()},
        "intervals_95": {
            name: municipality_intervals(truth, p, groups, theme_ids) for name, p in systems.items()
        },
        "confused": confused_pairs(truth, systems["combined"], theme_ids),
    }


CONFIDENCE_HEADER = """\
# Per theme: precision and recall of the combined classifier on municipalities written
# blind (no rule written or revised on them), trained on every other municipality.
# themes.csv and report.html show them beside each count. Written by
# `make evaluate-themes` (evaluate-themes --write-confidence); do not edit by hand.
"""


def write_confidence(result: dict, path: Path, command: str) -> None:
    """configs/theme_confidence.yaml from a result with a blind part (blind_scores)."""
    import yaml

    from pipeline.output.files import write_atomic

    blind = result["blind"]
    data = {
        "measured_by": command,
        "municipalities": blind["municipalities"],
        "items": blind["items"],
        "themes": {
            theme: {k: round(float(v[k]), 4) for k in ("precision", "recall", "f1")}
            | {"support": int(v["support"])}
            for theme, v in blind["systems"]["combined"]["themes"].items()
        },
    }
    text = CONFIDENCE_HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def subset_scores(pred: Predictions, subset: tuple[str, ...], theme_ids: list[str]) -> dict:
    """Micro/macro-F1 of each system on the subset's items and on the others', from the
    same out-of-fold predictions: e.g. municipalities the coding rules were not written
    from, against those they were."""
    inside = np.isin(pred.groups, list(subset))
    result = {"municipalities": sorted(subset)}
    for name, rows in (("subset", inside), ("others", ~inside)):
        result[name] = {"items": int(rows.sum())}
        for system, p in pred.systems.items():
            figures = scores(pred.truth[rows], p[rows], theme_ids)
            result[name][system] = {k: round(figures[k], 4) for k in ("micro_f1", "macro_f1")}
    return result


def report(pred: Predictions, examples: list[Example], themes: tuple[Theme, ...]) -> dict:
    theme_ids = [t.id for t in themes]
    return {
        "items": len(examples),
        "municipalities": len({e.group for e in examples}),
        "folds": pred.folds,
        "grouped_by": "municipality",
        "systems": {name: scores(pred.truth, p, theme_ids) for name, p in pred.systems.items()},
        "intervals_95": {
            name: municipality_intervals(pred.truth, p, pred.groups, theme_ids)
            for name, p in pred.systems.items()
        },
        "confused": confused_pairs(pred.truth, pred.systems["combined"], theme_ids),
        "by_municipality": by_municipality(pred, theme_ids),
        "labels": {t.id: t.label for t in themes},
    }


def by_municipality(pred: Predictions, theme_ids: list[str]) -> dict[str, dict]:
    """Each municipality's items and micro-F1 per system (out of fold, as above): where
    the themes are read worst, and how a subset of municipalities fares."""
    result = {}
    for group in sorted(set(pred.groups)):
        rows = pred.groups == group
        result[str(group)] = {
            "items": int(rows.sum()),
            **{
                name: round(scores(pred.truth[rows], p[rows], theme_ids)["micro_f1"], 4)
                for name, p in pred.systems.items()
            },
        }
    return result


def format_table(result: dict, agreement: dict | None = None) -> str:
    """The blind figure first (when a subset was given), then cross-validation."""
    lines: list[str] = []
    if "blind" in result:
        blind = result["blind"]
        lines += [
            f"BLIND: {len(blind['municipalities'])} municipalities written blind, no rule "
            f"written or revised on them ({', '.join(blind['municipalities'])}; "
            f"{blind['items']} items), each system trained on the other "
            f"{blind['trained_on']} items",
            "",
        ]
        lines += _theme_lines(blind, result["labels"])
        if agreement:
            mean, span = agreement["pairwise_mean"], agreement.get("pairwise_range_micro_f1")
            spread = f", pairs {span[0]:.2f}–{span[1]:.2f}" if span else ""
            lines.append(
                f"annotator agreement (pairs of independent annotators, {agreement['items']} items): "
                f"micro-F1 {mean['micro_f1']:.3f}{spread}, macro-F1 {mean['macro_f1']:.3f}"
            )
        lines += ["", "Most confused on the blind municipalities (gold missed → given, combined):"]
        lines += [f"  {c['gold']} → {c['predicted']}: {c['items']}" for c in blind["confused"]]
        rest = result["rest_cv"]
        lines += [
            "",
            f"The rest: {rest['folds']}-fold cross-validation grouped by municipality "
            f"({rest['items']} items, {rest['municipalities']} municipalities; the rules were "
            "written on these, so the rules' share is not a held-out figure)",
            "",
        ]
        lines += _theme_lines(rest, result["labels"])
        lines += ["", "", "Every municipality, cross-validated together (as before):"]
    lines += [
        f"Theme classification, {result['folds']}-fold cross-validation grouped by "
        f"municipality ({result['items']} items, {result['municipalities']} municipalities)",
        "",
    ]
    lines += _theme_lines(result, result["labels"])
    worst = sorted(result["by_municipality"].items(), key=lambda kv: kv[1]["combined"])[:3]
    lines.append(
        "Lowest combined micro-F1 by municipality: "
        + ", ".join(f"{name} {row['combined']:.2f} ({row['items']} items)" for name, row in worst)
    )
    return "\n".join(lines + _more_lines(result))


def _theme_lines(result: dict, labels: dict) -> list[str]:
    """Per theme P/R/F1 of each system, micro/macro-F1 and their 95% intervals."""
    systems = result["systems"]
    lines = [
        f"{'theme':<20}{'n':>4}  " + "  ".join(f"{s:^17}" for s in SYSTEMS),
        f"{'':<20}{'':>4}  " + "  ".join(f"{'P':>5} {'R':>5} {'F1':>5}" for _ in SYSTEMS),
    ]
    for theme in labels:
        row = [systems[s]["themes"][theme] for s in SYSTEMS]
        lines.append(
            f"{theme:<20}{row[0]['support']:>4}  "
            + "  ".join(f"{r['precision']:5.2f} {r['recall']:5.2f} {r['f1']:5.2f}" for r in row)
        )
    for key in ("micro_f1", "macro_f1"):
        lines.append(
            f"{key.replace('_', '-'):<24}  "
            + "  ".join(f"{'':>10}{systems[s][key]:6.3f}" for s in SYSTEMS)
        )
    intervals = result["intervals_95"]
    for key in ("micro_f1", "macro_f1"):
        lines.append(
            f"{key.replace('_', '-') + ' 95% interval':<24}  "
            + "  ".join(f"{'':>6}{'{:.2f}–{:.2f}'.format(*intervals[s][key]):>10}" for s in SYSTEMS)
        )
    lines.append(
        f"(intervals: {BOOTSTRAP_DRAWS} draws of the municipalities with replacement; "
        "a difference smaller than them is noise)"
    )
    return lines


def _more_lines(result: dict) -> list[str]:
    lines: list[str] = []
    if "subset" in result:
        part = result["subset"]
        lines += ["", f"Subset ({', '.join(part['municipalities'])}) and the others:"]
        for name in ("subset", "others"):
            row = part[name]
            lines.append(
                f"  {name:<8}{row['items']:>4} items  "
                + "  ".join(
                    f"{s} {row[s]['micro_f1']:.3f}/{row[s]['macro_f1']:.3f}" for s in SYSTEMS
                )
                + "  (micro/macro)"
            )
    if "learning_curve" in result:
        lines += [
            "",
            "Learning curve (each fold trained on a share of its training municipalities):",
            f"  {'share':>5} {'municipalities':>14}  {'model':>13}  {'combined':>13}  (micro/macro)",
        ]
        for row in result["learning_curve"]:
            lines.append(
                f"  {row['share']:>5.0%} {row['training_municipalities']:>14}  "
                + "  ".join(
                    f"{row[s]['micro_f1']:.3f}/{row[s]['macro_f1']:.3f}"
                    for s in ("model", "combined")
                )
            )
    if "review" in result:
        lines += [
            "",
            "Checking items by hand (labels.csv), per test fold as a batch of unseen reports:",
        ]
        lines += _review_lines(result["review"])
    if "review" in result.get("subset", {}):
        lines += [
            "",
            f"Checking items by hand, the subset ({', '.join(result['subset']['municipalities'])})"
            " as one batch, the others training:",
        ]
        lines += _review_lines(result["subset"]["review"])
    lines += ["", "Most confused (gold theme missed → theme given instead, combined):"]
    lines += [f"  {c['gold']} → {c['predicted']}: {c['items']}" for c in result["confused"]]
    return lines


def _review_lines(curve: list[dict]) -> list[str]:
    lines = [
        "  combined micro/macro-F1 of the batch, and micro-F1 of its unchecked items before →",
        "  after the model re-trained with the checked ones",
        f"  {'checked':>7} {'share':>6}  {'most doubtful first':^25}  {'at random':^25}",
    ]
    for row in curve:
        lines.append(
            f"  {row['checked_per_batch']:>7} {row['share_checked']:>6.1%}  "
            + "  ".join(
                f"{row[s]['all']['micro_f1']:.3f}/{row[s]['all']['macro_f1']:.3f} "
                f"{row[s]['unchecked_before']['micro_f1']:.3f}→"
                f"{row[s]['unchecked_after']['micro_f1']:.3f}"
                for s in ("doubt", "random")
            )
        )
    lines.append(f"  (random picks averaged over {RANDOM_DRAWS} draws)")
    return lines


# --------------------------------------------------------------------------- command


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gold",
        metavar="FILE",
        action="append",
        help="gold.json or labels.csv to evaluate on (repeatable; default: "
        "corpora/sample/gold.json)",
    )
    parser.add_argument(
        "--folds",
        type=int,
        default=5,
        metavar="N",
        help="cross-validation folds, grouped by municipality (default: 5)",
    )
    parser.add_argument(
        "--subset",
        metavar="NAMES",
        default="",
        help="comma-separated municipalities to score on their own as well, e.g. those the "
        "coding rules were not written from",
    )
    parser.add_argument(
        "--learning-curve",
        action="store_true",
        help="also train each fold on 25/50/75/100%% of its training municipalities: "
        "how much more labelled reports would help",
    )
    parser.add_argument(
        "--review",
        action="store_true",
        help=f"also measure checking {'/'.join(map(str, REVIEW_SIZES))} items of each test "
        "fold (and of --subset) by hand, the most doubtful first (as review.csv lists them) "
        "against a random pick",
    )
    parser.add_argument(
        "--write-confidence",
        metavar="FILE",
        help="write each theme's blind precision and recall (needs --subset) to FILE, "
        "e.g. configs/theme_confidence.yaml, which pipeline.yaml names for themes.csv",
    )
    parser.add_argument(
        "--agreement",
        metavar="FILE",
        help="the annotators' agreement as `corpora/agreement.py --json FILE` wrote it, "
        "printed beside the blind figure (make evaluate-themes does both)",
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        default=str(DEFAULT_OUT),
        help="JSON with every figure (default: outputs/evaluate_themes.json)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=str(DEFAULT_CONFIG),
        help="pipeline config (default: configs/pipeline.yaml)",
    )


def run(args: argparse.Namespace) -> int:
    from pipeline.output.files import write_json

    settings = load_settings(Path(args.config))
    gold = [Path(g) for g in (args.gold or [DEFAULT_GOLD])]
    if args.folds < 2:
        print("error: --folds must be at least 2", file=sys.stderr)
        return 2
    subset = tuple(name.strip() for name in args.subset.split(",") if name.strip())
    agreement = None
    if args.agreement:
        try:
            agreement = json.loads(Path(args.agreement).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"error: --agreement {args.agreement}: {exc}", file=sys.stderr)
            return 2
    result = evaluate_themes(gold, settings, args.folds, subset, args.learning_curve, args.review)
    if agreement:
        result["agreement"] = {
            k: agreement[k] for k in ("items", "pairwise_mean") if k in agreement
        }
    print(format_table(result, agreement))
    if args.write_confidence:
        if "blind" not in result:
            print(
                "error: --write-confidence needs --subset (the blind municipalities)",
                file=sys.stderr,
            )
            return 2
        command = "python -m pipeline evaluate-themes " + " ".join(sys.argv[2:])
        write_confidence(result, Path(args.write_confidence), command)
        print(f"blind precision and recall per theme → {args.write_confidence}")
    write_json(result, Path(args.out))
    print(f"\n→ {args.out}")
    return 0
