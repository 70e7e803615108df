"""Coding rules (configs/themes.yaml): each operator, block conditions, errors, evidence."""

from __future__ import annotations

import pytest

from pipeline.config.themes import ClassifierOptions, Theme, load_themes, parse_rule
from pipeline.core.errors import ConfigError
from pipeline.core.records import Item
from pipeline.stages.classify.combine import classify_with
from pipeline.stages.classify.rules import rule_hits
from tests.conftest import ROOT

CONTRACT_IDS = {
    "sc_development", "care_management", "service_design", "policy_vision", "collaboration",
    "community_meeting", "resident_outreach", "needs_analysis", "workforce", "covid_impact",
}  # fmt: skip


def item(text: str, lemmas: list[str] | None = None, block: str = "課題意識") -> Item:
    return Item(
        item_id="i", block_id="b", doc_id="d", source="s", municipality="m", page=1,
        block=block, session=None, level=1, parent_id="", context="", text=text,
        text_raw=text, lemmas=lemmas or [],
    )  # fmt: skip


def hits(spec: dict, it: Item) -> list:
    theme = Theme("t", "テーマ", "", (parse_rule(spec),))
    return rule_hits(it, theme)


def test_any_matches_lemma_or_text():
    # 届く is only a lemma of 届いていない; 訪問型 only a substring of 訪問型サービスB.
    assert hits({"any": ["届く"]}, item("情報が届いていない", ["情報", "届く"]))
    assert hits({"any": ["訪問型"]}, item("訪問型サービスBを始める", ["訪問型サービスB"]))
    assert not hits({"any": ["連携"]}, item("情報が届いていない", ["情報", "届く"]))
    # Full-width input is normalised like the item text (NFKC).
    assert hits({"any": ["ＳＣ"]}, item("第2層SCの役割"))


def test_all_not_and_text():
    it = item("包括とSCの連携が弱い", ["包括", "SC", "連携", "弱い"])
    assert hits({"all": ["包括", "連携"]}, it)
    assert not hits({"all": ["包括", "協働"]}, it)
    assert not hits({"any": ["連携"], "not": ["SC"]}, it)
    assert hits({"any": ["連携"], "not": ["保健所"]}, it)
    # text: a raw substring only, never a lemma
    assert hits({"text": ["連携が弱"]}, it)
    assert not hits({"text": ["弱い連携"]}, it)
    assert not hits({"text": ["届く"]}, item("届いていない", ["届く"]))


def test_near_and_seq_count_tokens():
    lemmas = ["包括", "職員", "会議", "参加", "SC", "役割"]
    it = item("包括の職員が会議に参加し、SCの役割を…", lemmas)
    assert hits({"near": ["包括", "SC"], "within": 4}, it)
    assert not hits({"near": ["包括", "SC"], "within": 3}, it)
    assert hits({"seq": ["SC", "役割"]}, it)
    assert not hits({"seq": ["役割", "SC"]}, it)  # order matters
    assert not hits({"seq": ["包括", "会議"]}, it)  # not adjacent
    # Without lemmas (not analysed) near/seq fall back to character distances.
    assert hits({"near": ["担い手", "確保"]}, item("担い手の確保"))
    assert hits({"seq": ["担い手", "確保"]}, item("担い手の確保"))


def test_block_conditions():
    spec = {"any": ["連携"], "blocks": ["課題意識", "到達点"]}
    assert hits(spec, item("連携する", block="課題意識"))
    assert not hits(spec, item("連携する", block="現状"))
    assert not hits({"any": ["連携"], "not_blocks": ["現状"]}, item("連携する", block="現状"))


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("{anyy: [連携]}", "unknown key `anyy`"),
        ("{near: [連携]}", "`near` needs at least two words"),
        ("{any: [連携], within: 3}", "`within` only goes with `near`"),
        ("{near: [a, b], within: 0}", "`within` must be"),
        ("{any: [連携], blocks: [課題]}", "unknown block 課題"),
        ("{any: []}", "`any` must be"),
        ("{not: [連携]}", "needs at least one of"),
        ("連携", "a rule must be a mapping"),
    ],
)
def test_malformed_rule_is_named(tmp_path, rule, problem):
    path = tmp_path / "themes.yaml"
    path.write_text(
        f"themes:\n  collaboration:\n    label: 連携\n    rules:\n"
        f"      - any: [協働]\n      - {rule}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_themes(path)
    message = str(err.value)
    assert "theme collaboration: rule 2" in message and problem in message
    assert "\n" not in message


def test_shipped_themes_load_with_contract_ids(settings):
    themes = load_themes(ROOT / "configs" / "themes.yaml")
    assert CONTRACT_IDS <= {t.id for t in themes}
    assert all(t.label and t.rules for t in themes)
    assert settings.classifier.training  # the model learns from the sample gold


def test_evidence_names_rule_and_words(settings):
    it = item("包括とSCが連携し、担い手を確保する", ["包括", "SC", "連携", "担い手", "確保"])
    classify_with([it], settings.themes, None, ClassifierOptions(threshold=0.5))
    assert "collaboration" in it.themes and "workforce" in it.themes
    assert "rule 1: 連携" in it.evidence["collaboration"]
    assert "担い手" in it.evidence["workforce"]
    assert it.scores["collaboration"] == 1.0 and it.scores["covid_impact"] == 0.0
    assert set(it.evidence) >= set(it.themes)


def themes_of(settings, text: str, block: str = "課題意識") -> set[str]:
    it = item(text, block=block)
    classify_with([it], settings.themes, None, ClassifierOptions(threshold=0.5))
    return set(it.themes)


def test_sc_named_beside_other_bodies_is_collaboration(settings):
    # SC as one of several bodies: collaboration, not the SC's own development ...
    listed = themes_of(settings, "包括とSCの間で、地域の情報が共有されていない")
    assert "collaboration" in listed and "sc_development" not in listed
    assert "sc_development" not in themes_of(settings, "説明には包括の保健師とSCが回る")
    # ... unless the item is about the SC's role, activity or training.
    assert "sc_development" in themes_of(settings, "SCの役割を整理した")
    both = themes_of(settings, "SCと包括の役割分担があいまい")
    assert {"sc_development", "collaboration"} <= both
    assert "sc_development" in themes_of(settings, "新任のSCは研修の機会が少ない")


def test_internal_meetings_are_not_community_meetings(settings):
    internal = themes_of(settings, "市の方針を庁内会議で確認した", block="到達点")
    assert "policy_vision" in internal and "community_meeting" not in internal
    assert "community_meeting" in themes_of(settings, "地域ケア会議を月1回開く")
    assert "community_meeting" in themes_of(settings, "包括とSCの定例会議を設ける")


def test_residents_and_providers_rules(settings):
    assert "resident_outreach" in themes_of(settings, "通いの場に来ていない高齢者に声をかける")
    # Residents working alongside is outreach, not inter-agency collaboration.
    assert "collaboration" not in themes_of(settings, "住民と一緒に地図を見直す")
    # A provider taking part in a meeting is the meeting's theme, not collaboration.
    joined = themes_of(settings, "居宅介護支援事業所も参加する地域ケア会議を開く")
    assert "community_meeting" in joined and "collaboration" not in joined
    assert "collaboration" in themes_of(settings, "包括と社協が手分けして訪問する")


def test_a_service_named_in_a_workforce_item_is_not_service_design(settings):
    staffing = themes_of(settings, "訪問型サービスAの担い手が不足している")
    assert "workforce" in staffing and "service_design" not in staffing
    assert "service_design" in themes_of(settings, "訪問型サービスAの利用期間を定める")


def test_covid_only_when_named(settings):
    # Pauses, restarts and online meetings have other causes too (a ferry, a flood).
    assert "covid_impact" not in themes_of(settings, "通いの場の休止が続き、再開の目途が立たない")
    assert "covid_impact" not in themes_of(settings, "会議はオンラインとの併用とする")
    assert "covid_impact" in themes_of(settings, "コロナ禍で通いの場を休止した")
