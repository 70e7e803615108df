"""GiNZA analysis: lemmas, key phrases and problem statements on real sample items."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.stages.analyze.morphology import analyze, content_lemmas, key_phrases

pytestmark = pytest.mark.ginza


@pytest.fixture(scope="module")
def analysed(sample_items, settings):
    items = [dataclasses.replace(i) for i in sample_items]
    analyze(items, settings.analyze)
    return items


def _by_text(items, fragment):
    return next(i for i in items if fragment in i.text)


# What an analyst writes down when reading these 課題意識 items of the sample.
EXPECTED_PROBLEMS = [
    ("集落ごとの実態を把握できていない", "集落ごとの実態", "把握できていない"),
    ("SCとしての活動時間が確保できていない", "SCとしての活動時間", "確保できていない"),
    ("自立支援の視点が共有されていない", "介護予防ケアマネジメントにおける自立支援の視点", "共有されていない"),
    ("新たな受け手が見つからない", "新たな受け手", "見つからない"),
    ("介護予防に無関心な層に届いていない", "介護予防に無関心な層", "届いていない"),
    ("世話役が高齢化し、後継者が見つからない", "後継者", "見つからない"),
    ("PDCAサイクルを回せていない", "PDCAサイクル", "回せていない"),
    ("卒業を見据えた目標設定がされていない", "卒業を見据えた目標設定", "されていない"),
    ("自立支援の視点が弱い", "自立支援の視点", "弱い"),
    ("政策形成につながっていない", "地域課題の抽出や政策形成", "つながっていない"),
    ("包括との役割分担があいまい", "包括との役割分担", "あいまい"),
    ("状態やニーズを、包括が定期的に把握できていない", "離島の高齢者の状態やニーズ", "把握できていない"),
    ("活動が個別の相談対応にとどまっている", "活動", "とどまっている"),
]  # fmt: skip


@pytest.mark.parametrize(("fragment", "target", "state"), EXPECTED_PROBLEMS)
def test_problem_statements_match_a_careful_reading(analysed, fragment, target, state):
    item = _by_text(analysed, fragment)
    assert (item.problem_target, item.problem_state) == (target, state)


def test_problem_statements_are_filled_for_most_issue_items(analysed):
    issues = [i for i in analysed if i.block == "課題意識"]
    filled = sum(bool(i.problem_target and i.problem_state) for i in issues)
    assert filled / len(issues) >= 0.8
    # and only for the configured blocks
    assert not any(i.problem_state for i in analysed if i.block in ("現状", "到達点"))


def test_domain_terms_are_one_lemma_and_abbreviations_resolve(analysed):
    item = _by_text(analysed, "訪問型サービスAの指定事業所が")
    assert "訪問型サービスA" in item.lemmas
    sc = _by_text(analysed, "SCとしての活動時間")
    assert "生活支援コーディネーター" in sc.lemmas  # SC spelled out for analysis …
    assert "SC" in sc.text  # … while the item text stays as written


def test_lemmas_drop_function_words_and_keep_dictionary_forms(analysed):
    item = _by_text(analysed, "後継者が見つからない")
    assert "見つかる" in item.lemmas
    assert not {"が", "ない", "する"} & set(item.lemmas)


def test_key_phrases_are_compound_nouns():
    tokens = [
        ("地域", "名詞-普通名詞-一般"),
        ("課題", "名詞-普通名詞-一般"),
        ("の", "助詞-格助詞"),
        ("抽出", "名詞-普通名詞-サ変可能"),
        ("が", "助詞-格助詞"),
        ("第", "接頭辞"),
        ("2", "名詞-数詞"),
        ("層", "接尾辞-名詞的-一般"),
    ]
    assert key_phrases(tokens) == ["地域課題", "抽出", "第2層"]
    assert content_lemmas(
        [("する", "動詞-非自立可能"), ("開催", "名詞-普通名詞")], ("名詞", "動詞")
    ) == ["開催"]


def test_fugashi_analyzer_fills_the_same_columns(sample_items, settings):
    items = [dataclasses.replace(i) for i in sample_items if i.block == "課題意識"]
    options = {**settings.analyze, "analyzer": "fugashi"}
    analyze(items, options)
    assert all(i.lemmas for i in items)
    assert sum(bool(i.phrases) for i in items) == len(items)
    assert sum(bool(i.problem_state) for i in items) / len(items) >= 0.8
    item = _by_text(items, "後継者が見つからない")
    assert (item.problem_target, item.problem_state) == ("後継者", "見つからない")
    assert "生活支援コーディネーター" in "".join(_by_text(items, "SCとしての活動時間").lemmas)
