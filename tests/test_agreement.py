"""corpora/agreement.py: annotator agreement, the majority, and sources that hold it."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

_spec = importlib.util.spec_from_file_location(
    "corpus_agreement", ROOT / "corpora" / "agreement.py"
)
agreement = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = agreement
_spec.loader.exec_module(agreement)

THEMES = agreement.theme_ids()


def test_the_sample_gold_is_the_annotators_majority(capsys):
    """Every labelled item of the sample has three annotations, and carries the themes
    most of them gave."""
    items = agreement.labelled_items()
    annotations = agreement.load_annotations(items, THEMES)
    scopes = agreement.load_scopes(list(annotations), THEMES)
    for item in items:  # every theme of every item decided by three
        assert min(agreement.deciders(item.id, annotations, scopes, THEMES)) >= 3, item.id
    assert agreement.main(["--check"]) == 0, capsys.readouterr().out


def test_agreement_figures_on_a_worked_example():
    a = {"1": frozenset({"x"}), "2": frozenset({"x", "y"}), "3": frozenset(), "4": frozenset()}
    b = {"1": frozenset({"x"}), "2": frozenset({"y"}), "3": frozenset({"x"}), "4": frozenset()}
    s = agreement.pair_scores(a, b, ["x", "y"])
    # x: a gives items 1, 2; b gives 1, 3 → tp 1, fp 1, fn 1: F1 0.5; observed 2/4,
    # expected 0.5·0.5 + 0.5·0.5 = 0.5 → kappa 0. y: both give item 2 only → 1.0, 1.0.
    assert s["themes"]["x"] == {"f1": 0.5, "kappa": 0.0}
    assert s["themes"]["y"] == {"f1": 1.0, "kappa": 1.0}
    assert s["micro_f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert s["macro_f1"] == pytest.approx(0.75)
    c = {"1": frozenset(), "2": frozenset({"y"}), "3": frozenset({"x"}), "4": frozenset({"y"})}
    vote = agreement.majority({"a": a, "b": b, "c": c})
    assert vote == {
        "1": frozenset({"x"}),
        "2": frozenset({"y"}),
        "3": frozenset({"x"}),
        "4": frozenset(),
    }


def test_a_theme_is_decided_by_the_annotators_whose_scope_holds_it():
    old = {"1": frozenset({"x"}), "2": frozenset()}
    # three annotators decided x only; three others decided y only
    annotations = {f"o{k}": old for k in range(3)}
    annotations |= {
        "n1": {"1": frozenset({"y"}), "2": frozenset({"y"})},
        "n2": {"1": frozenset({"y"}), "2": frozenset()},
        "n3": {"1": frozenset(), "2": frozenset()},
    }
    scopes = {name: frozenset({"x"} if name[0] == "o" else {"y"}) for name in annotations}
    # y on item 1: 2 of its 3 deciders (not 2 of 6); the old annotators' silence is no vote
    assert agreement.majority(annotations, scopes) == {"1": frozenset({"x", "y"}), "2": frozenset()}
    # unscoped, every silence would count: x on item 1 had 3 of 6, no majority
    assert agreement.majority(annotations) == {"1": frozenset(), "2": frozenset()}
    pairs = list(agreement._pairs(list(annotations), annotations, scopes, ["x", "y"]))
    assert {(x[0], y[0]) for x, y, _ in pairs} == {("o", "o"), ("n", "n")}  # no pair across


def test_write_sets_the_themes_line_and_keeps_the_rest(tmp_path):
    source = ROOT / "corpora" / "sources" / "sakuragaura.yaml"
    copy = tmp_path / "sakuragaura.yaml"
    shutil.copy(source, copy)
    items = [i for i in agreement.labelled_items() if i.source == "sakuragaura"]
    first, second = items[0], items[1]
    labels = {i.id: i.themes for i in items}
    labels[first.id] = frozenset({"needs_analysis", *sorted(first.themes)[:1]})
    labels[second.id] = frozenset()
    assert agreement.rewrite_source(copy, "sakuragaura", labels, items)
    before = source.read_text(encoding="utf-8").splitlines()
    after = copy.read_text(encoding="utf-8").splitlines()
    changed = [n for n, (x, y) in enumerate(zip(before, after, strict=True)) if x != y]
    assert len(changed) == 2  # comments, order and every other line stay as written
    kadai = yaml.safe_load(copy.read_text(encoding="utf-8"))["situation"]["課題意識"]
    assert set(kadai[0]["themes"]) == labels[first.id]
    assert kadai[1]["themes"] == []
    assert not agreement.rewrite_source(copy, "sakuragaura", labels, items)  # idempotent


def test_an_annotation_of_edited_text_is_refused(tmp_path):
    items = agreement.labelled_items()
    path = tmp_path / "someone.csv"
    agreement.write_annotation(path, items, {i.id: i.themes for i in items})
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(items[0].text, items[0].text + "（改）", 1), encoding="utf-8")
    with pytest.raises(agreement.AgreementError, match="has changed"):
        agreement.read_annotation(path, items, THEMES)
    path.write_text("id,text,themes\nnowhere|課題意識|0,,\n", encoding="utf-8")
    with pytest.raises(agreement.AgreementError, match="no labelled item"):
        agreement.read_annotation(path, items, THEMES)
