"""evaluate-themes: grouped cross-validation of rules, model and combined."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.cli.main import main
from pipeline.evaluation.themes import (
    Predictions,
    blind_scores,
    confused_pairs,
    cross_validate,
    grouped_splits,
    learning_curve,
    municipality_intervals,
    report,
    review_curve,
    scores,
    subset_scores,
)
from tests.conftest import SAMPLE


def subset(analysed_gold, municipalities: int = 4):
    examples, items = analysed_gold
    keep = sorted({e.group for e in examples})[:municipalities]
    pairs = [(e, i) for e, i in zip(examples, items, strict=True) if e.group in keep]
    return [e for e, _ in pairs], [i for _, i in pairs]


def test_scores_are_computed_not_echoed():
    truth = np.array([[1, 0], [1, 1], [0, 1], [0, 0]], dtype=bool)
    pred = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=bool)
    result = scores(truth, pred, ["a", "b"])
    assert result["themes"]["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert result["themes"]["b"]["f1"] == 1.0
    assert result["micro_f1"] == 0.75 and result["macro_f1"] == 0.75
    assert confused_pairs(truth, pred, ["a", "b"]) == []  # no item missed a AND got b
    assert confused_pairs(truth[[1]], np.array([[0, 1]], dtype=bool), ["a", "b"]) == []
    assert confused_pairs(np.array([[1, 0]], bool), np.array([[0, 1]], bool), ["a", "b"]) == [
        {"gold": "a", "predicted": "b", "items": 1}
    ]


def test_intervals_come_from_resampled_municipalities():
    ids = ["a", "b"]
    # municipality x is predicted perfectly, y half wrong: the interval spans both cases
    truth = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=bool)
    pred = np.array([[1, 0], [0, 1], [0, 1], [0, 1]], dtype=bool)
    groups = np.array(["x", "x", "y", "y"])
    low, high = municipality_intervals(truth, pred, groups, ids, draws=400)["micro_f1"]
    whole = scores(truth, pred, ids)["micro_f1"]
    assert low < whole < high and high == 1.0
    assert low == scores(truth[2:], pred[2:], ids)["micro_f1"]  # both draws were y
    # perfect predictions leave nothing to resample; the same seed gives the same interval
    assert municipality_intervals(truth, truth, groups, ids)["macro_f1"] == [1.0, 1.0]
    assert municipality_intervals(truth, pred, groups, ids, draws=50) == municipality_intervals(
        truth, pred, groups, ids, draws=50
    )


def test_a_subset_of_municipalities_is_scored_apart_from_the_others():
    ids = ["a", "b"]
    truth = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=bool)
    wrong_for_y = np.array([[1, 0], [0, 1], [0, 1], [1, 0]], dtype=bool)
    groups = np.array(["x", "x", "y", "y"])
    pred = Predictions(truth, {"rules": truth, "model": wrong_for_y}, 5, groups)
    result = subset_scores(pred, ("y",), ids)
    assert result["subset"]["items"] == 2 and result["others"]["items"] == 2
    assert result["subset"]["rules"]["micro_f1"] == 1.0
    assert result["subset"]["model"]["micro_f1"] == 0.0  # y's items are all wrong
    assert result["others"]["model"]["micro_f1"] == 1.0


def test_grouped_cross_validation_on_small_split(settings, analysed_gold):
    examples, items = subset(analysed_gold)
    pred = cross_validate(items, examples, settings, folds=2)
    result = report(pred, examples, settings.themes)
    assert result["folds"] == 2 and result["municipalities"] == 4
    for name in ("rules", "model", "combined"):
        system = result["systems"][name]
        assert 0.0 < system["micro_f1"] <= 1.0
        f1s = [v["f1"] for v in system["themes"].values()]
        assert abs(system["macro_f1"] - sum(f1s) / len(f1s)) < 1e-9
    # Scores follow the gold: the same predictions score clearly lower on shuffled labels.
    shuffled = pred.truth[np.random.default_rng(0).permutation(len(pred.truth))]
    ids = [t.id for t in settings.themes]
    against_shuffled = scores(shuffled, pred.systems["combined"], ids)["micro_f1"]
    assert against_shuffled < result["systems"]["combined"]["micro_f1"] - 0.1
    # Deterministic: the same split gives the same predictions.
    again = cross_validate(items, examples, settings, folds=2)
    assert all((again.systems[k] == pred.systems[k]).all() for k in pred.systems)


def test_learning_curve_trains_on_growing_shares_of_the_same_folds(settings, analysed_gold):
    examples, items = subset(analysed_gold, 8)
    curve = learning_curve(items, examples, settings, folds=2, shares=(0.25, 0.5, 1.0))
    assert [row["share"] for row in curve] == [0.25, 0.5, 1.0]
    counts = [row["training_municipalities"] for row in curve]
    assert counts == sorted(counts) and counts[0] < counts[-1] == 4.0  # 2 folds of 8
    # The full share is the ordinary cross-validation, figure for figure.
    pred = cross_validate(items, examples, settings, folds=2)
    full = report(pred, examples, settings.themes)["systems"]
    for name in ("model", "combined"):
        assert curve[-1][name]["micro_f1"] == round(full[name]["micro_f1"], 4)
    # A quarter of the municipalities teaches the model less than all of them.
    assert curve[0]["model"]["micro_f1"] < curve[-1]["model"]["micro_f1"]


@pytest.fixture
def fits(monkeypatch) -> list[set[str]]:
    """The municipalities of every model fit during the test, in order."""
    import pipeline.evaluation.themes as evaluation

    seen: list[set[str]] = []
    real_fit = evaluation.ThemeModel.fit

    def fit(self, items, labels):
        seen.append({i.municipality for i in items})
        return real_fit(self, items, labels)

    monkeypatch.setattr(evaluation.ThemeModel, "fit", fit)
    return seen


def test_review_curve_checks_the_test_folds_items_and_retrains(settings, analysed_gold, fits):
    import pipeline.evaluation.themes as evaluation

    examples, items = subset(analysed_gold, 8)
    curve = review_curve(items, examples, settings, grouped_splits(examples, 2), sizes=(5, 20))
    groups = {e.group for e in examples}
    # Per fold: one model on the training folds, then one per size and pick (doubt,
    # RANDOM_DRAWS random) that also learns from the checked items of the test fold.
    per_fold = 1 + 2 * (1 + evaluation.RANDOM_DRAWS)
    assert len(fits) == 2 * per_fold
    for fold in (fits[:per_fold], fits[per_fold:]):
        assert len(fold[0]) == 4  # half of the 8 municipalities
        assert all(fold[0] < later <= groups for later in fold[1:])

    assert [row["checked_per_batch"] for row in curve] == [0, 5, 20]
    assert curve[1]["share_checked"] == round(10 / len(items), 4)
    # Nothing checked is the ordinary cross-validation.
    pred = cross_validate(items, examples, settings, folds=2)
    plain = round(report(pred, examples, settings.themes)["systems"]["combined"]["micro_f1"], 4)
    assert curve[0]["doubt"]["all"]["micro_f1"] == plain
    # Checked items carry their gold themes, so the batch's figure rises with them, and
    # the unchecked items are scored before and after on the same rows.
    assert curve[2]["doubt"]["all"]["micro_f1"] > curve[1]["doubt"]["all"]["micro_f1"] > plain
    for row in curve[1:]:
        for pick in ("doubt", "random"):
            assert 0 < row[pick]["unchecked_before"]["micro_f1"] < 1


def test_no_municipality_in_train_and_test(settings, analysed_gold, fits):
    seen = fits
    examples, items = subset(analysed_gold, 3)
    cross_validate(items, examples, settings, folds=3)
    groups = {e.group for e in examples}
    assert len(seen) == 6  # two models per fold
    for train in seen[::2]:
        assert len(groups - train) == 1  # exactly one municipality held out


def test_command_writes_table_and_json(tmp_path, capsys, analysed_gold):
    data = json.loads((SAMPLE / "gold.json").read_text(encoding="utf-8"))
    data["municipalities"] = data["municipalities"][:3]
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "themes.json"
    code = main(["evaluate-themes", "--gold", str(gold), "--folds", "3", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "grouped by municipality" in printed and "macro-f1" in printed
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result["systems"]) == {"rules", "model", "combined"}
    for name, system in result["systems"].items():
        low, high = result["intervals_95"][name]["micro_f1"]
        assert low <= system["micro_f1"] <= high
    assert "95% interval" in printed
    rows = result["by_municipality"]
    assert len(rows) == 3 and sum(r["items"] for r in rows.values()) == result["items"]
    assert "Lowest combined micro-F1 by municipality" in printed
    assert result["municipalities"] == 3 and result["folds"] == 3


def test_the_blind_municipalities_are_never_trained_on(settings, analysed_gold, fits):
    examples, items = subset(analysed_gold, 6)
    blind = tuple(sorted({e.group for e in examples})[:2])
    result = blind_scores(items, examples, settings, blind)
    assert len(fits) == 2  # model alone and with rule features, each trained once
    for trained in fits:
        assert not trained & set(blind) and trained  # only the other municipalities
    assert result["items"] == sum(e.group in blind for e in examples)
    assert result["trained_on"] + result["items"] == len(examples)
    for name, system in result["systems"].items():
        low, high = result["intervals_95"][name]["micro_f1"]
        assert low <= system["micro_f1"] <= high


def test_the_command_leads_with_the_blind_figure(tmp_path, capsys, analysed_gold):
    data = json.loads((SAMPLE / "gold.json").read_text(encoding="utf-8"))
    data["municipalities"] = data["municipalities"][:5]
    names = [m["municipality"] for m in data["municipalities"]]
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    agreement = tmp_path / "agreement.json"
    agreement.write_text(
        json.dumps({"items": 9, "pairwise_mean": {"micro_f1": 0.9, "macro_f1": 0.88},
                    "pairwise_range_micro_f1": [0.85, 0.97]}),
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "themes.json"
    args = ["evaluate-themes", "--gold", str(gold), "--folds", "2", "--out", str(out),
            "--subset", ",".join(names[:2]), "--agreement", str(agreement)]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("BLIND: 2 municipalities")
    assert printed.index("annotator agreement") < printed.index("The rest: 2-fold")
    assert "micro-F1 0.900, pairs 0.85–0.97" in printed
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["rest_cv"]["municipalities"] == 3
    assert result["blind"]["municipalities"] == sorted(names[:2])
