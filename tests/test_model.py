"""The trained theme model: fit/predict/explain, saved and reused until the data changes."""

from __future__ import annotations

import pytest

import pipeline.stages.classify.model as model_module
from pipeline.stages.classify.combine import classify_with, examples_for, model_for
from pipeline.stages.classify.model import ModelConfig, ThemeModel, load_or_train
from pipeline.stages.classify.training import Example, TrainingDataError, check_themes

TRAIN = [
    ("生活支援コーディネーターの研修が足りない", ("sc_development",)),
    ("SCの役割が共有されていない", ("sc_development",)),
    ("担い手となるボランティアが見つからない", ("workforce",)),
    ("訪問型サービスBの担い手が高齢化している", ("workforce", "service_design")),
    ("通所型サービスCの卒業後の行き先がない", ("service_design",)),
    ("コロナ禍で通いの場を休止した", ("covid_impact",)),
]


def examples(rows=TRAIN) -> list[Example]:
    return [
        Example(text, themes, "課題意識", f"m{k % 3}", "test")
        for k, (text, themes) in enumerate(rows)
    ]


def test_fit_predict_explain(settings, analysed_gold):
    gold, items = analysed_gold
    config = ModelConfig()
    model = ThemeModel(tuple(t.id for t in settings.themes), config, settings.themes)
    model.fit(items[:200], [e.themes for e in gold[:200]])
    probs = model.predict_proba(items[200:])
    assert probs.shape == (len(items) - 200, len(settings.themes))
    assert ((probs >= 0) & (probs <= 1)).all()
    # An item about SC: the model's own features explain the sc_development score.
    explained = model.explain(items[200:])
    sc = settings.themes.index(next(t for t in settings.themes if t.id == "sc_development"))
    best = int(probs[:, sc].argmax())
    assert explained[best]["sc_development"]


@pytest.mark.ginza
def test_saved_model_is_reused_until_data_changes(settings, tmp_path, monkeypatch):
    calls = []
    real_train = model_module.train

    def counting_train(*args, **kwargs):
        calls.append(1)
        return real_train(*args, **kwargs)

    monkeypatch.setattr(model_module, "train", counting_train)
    config = ModelConfig()
    first = load_or_train(examples(), settings.themes, config, settings.analyze, tmp_path)
    assert len(calls) == 1 and len(list(tmp_path.glob("themes-*.joblib"))) == 1
    again = load_or_train(examples(), settings.themes, config, settings.analyze, tmp_path)
    assert len(calls) == 1 and again.digest == first.digest  # loaded, not retrained
    changed = examples([*TRAIN, ("保健所と連携できていない", ("collaboration",))])
    third = load_or_train(changed, settings.themes, config, settings.analyze, tmp_path)
    assert len(calls) == 2 and third.digest != first.digest
    assert len(list(tmp_path.glob("themes-*.joblib"))) == 2


def test_labels_csv_beside_batch_is_training_data(settings, tmp_path):
    (tmp_path / "labels.csv").write_text(
        "text,themes\n保健所と連携できていない,collaboration\n担い手不足,workforce;service_design\n",
        encoding="utf-8-sig",
    )
    with_labels = examples_for(settings.classifier, tmp_path)
    without = examples_for(settings.classifier, None)
    assert len(with_labels) == len(without) + 2
    assert with_labels[-1].themes == ("workforce", "service_design")
    (tmp_path / "labels.csv").write_text("text,themes\nなにか,no_such_theme\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match="no_such_theme"):
        check_themes(examples_for(settings.classifier, tmp_path), [t.id for t in settings.themes])


def test_combined_labels_and_model_evidence(settings, analysed_gold, tmp_path):
    gold, items = analysed_gold
    model = ThemeModel(tuple(t.id for t in settings.themes), ModelConfig(), settings.themes)
    model.fit(items, [e.themes for e in gold])
    probe = items[:5]
    classify_with(probe, settings.themes, model, settings.classifier)
    for it in probe:
        assert set(it.scores) == {t.id for t in settings.themes}
        for theme in it.themes:
            assert it.scores[theme] >= settings.classifier.threshold
            assert "model" in it.evidence[theme]


def test_model_off_means_rules_alone(settings):
    from dataclasses import replace

    off = replace(settings, classifier=replace(settings.classifier, use_model=False))
    assert model_for(off) is None


def test_fit_is_repeatable(settings, analysed_gold):
    # evaluate-themes promises reproducible figures: two fits give the same scores.
    gold, items = analysed_gold
    ids = tuple(t.id for t in settings.themes)
    labels = [e.themes for e in gold[:120]]
    first = ThemeModel(ids, ModelConfig(), settings.themes).fit(items[:120], labels)
    second = ThemeModel(ids, ModelConfig(), settings.themes).fit(items[:120], labels)
    assert (first.predict_proba(items[120:160]) == second.predict_proba(items[120:160])).all()
