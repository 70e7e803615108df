"""`discover` finds a topic nobody listed: a batch of sample reports plus two made-up
municipalities whose problems are about disaster preparedness for frail residents (no
theme of configs/themes.yaml is about it), run through the real pipeline."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from pipeline.runner.batch import run_batch
from pipeline.views.discover import Topic, discover, merge_gaps, npmi, write_discovery
from pipeline.views.outputs import load_outputs
from pipeline.views.report import build_report
from tests.conftest import ROOT, run_cli

SAMPLE_TEXT = ROOT / "corpora" / "sample_txt" / "pdftotext_layout"
BACKGROUND = [
    "r03_aobano", "r03_kitahamadai", "r03_sakuragaura", "r03_shinonomeyama", "r04_asahigaoka",
    "r04_nishiokayama", "r04_takamoridai", "r05_isonami", "r05_kogarashi", "r06_hinamori",
]  # fmt: skip

PLANTED = {
    "潮風町": [
        "避難行動要支援者名簿に載る約600人のうち、個別避難計画ができているのは1割に満たない",
        "台風の際に福祉避難所を開設したが、避難所まで移る手段がなく、利用は2人だけだった",
        "民生委員が避難の声かけを担っているが、津波の浸水想定区域の独居高齢者が多く、手が回らない",
        "防災訓練に要支援者が参加したことがなく、避難にかかる時間が分からない",
        "防災担当課と福祉担当課で名簿の情報が共有されていない",
        "地区ごとの防災訓練に、要支援者の避難を手伝う練習を組み込みたい",
    ],
    "山霧村": [
        "福祉避難所に指定した施設と、災害時の受け入れの手順を決めていない",
        "自主防災組織の役員が高齢化し、避難の支援を頼める人がいない",
        "防災訓練で要支援者の避難を試したところ、避難所まで40分かかった",
        "避難行動要支援者名簿を自主防災組織に渡すことへの同意が集まらない",
        "土砂災害警戒区域に住む高齢者の個別避難計画を、ケアマネジャーと一緒に作り始めたい",
        "大雨のたびに避難指示が出るが、足の弱い高齢者は避難所へ向かわず自宅にとどまる",
    ],
}


def planted_report(municipality: str, items: list[str]) -> str:
    """A slide as `pdftotext -layout` writes one: each label cell on its row's middle line."""

    def row(label: str, bullets: list[str]) -> list[str]:
        lines = [f"       • {text}" for text in bullets]
        middle = (len(lines) - 1) // 2
        lines[middle] = f"{label:<5}" + lines[middle][5:]
        return lines

    situation = [
        "地域包括支援センターは直営1か所",
        "SCは社会福祉協議会に委託し1名配置",
        "協議体は第1層のみ",
    ]
    body = [*row("現状", situation), "", *row("課題意識", items)]
    return "\n".join(
        [
            "伴走支援前の状況",
            f"{municipality}（人口 約1万人・高齢化率 40.1%）   令和5年度 市町村伴走支援",
            "",
            *body,
            "",
        ]
    )


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory, settings):
    batch = tmp_path_factory.mktemp("planted")
    for name in BACKGROUND:
        shutil.copy(SAMPLE_TEXT / f"{name}.txt", batch / f"{name}.txt")
    for n, (municipality, items) in enumerate(PLANTED.items(), start=1):
        (batch / f"planted_{n}.txt").write_text(planted_report(municipality, items), "utf-8")
    out = tmp_path_factory.mktemp("planted_out")
    run_batch(batch, out, settings, progress=False)
    return load_outputs(out)


@pytest.mark.ginza
def test_the_planted_topic_is_found_and_flagged(planted_run):
    outputs = planted_run
    planted = outputs.items[outputs.items["municipality"].isin(PLANTED)]
    planted = planted[planted["block"] == "課題意識"]
    assert len(planted) == sum(len(v) for v in PLANTED.values())  # read as written
    # the themes miss them (half get none, the others a wrong one): what discover is for
    assert (planted["themes"] == "").mean() >= 0.4

    found = discover(outputs, "課題意識")
    assert found.chosen == "coherence" and found.k in found.coherence_by_k
    holder = max(found.topics, key=lambda t: t.items["item_id"].isin(planted["item_id"]).sum())
    share = holder.items["item_id"].isin(planted["item_id"])
    assert share.sum() >= 0.75 * len(planted)  # the planted items stay together
    assert share.mean() >= 0.75  # and little else joins them
    assert {"避難", "防災訓練", "個別避難計画", "避難所"} & {w for w, _ in holder.words[:5]}
    assert holder.candidate
    # the sample's own topics are covered by its themes: none of them is flagged
    others = [t for t in found.topics if t is not holder]
    assert not [t.number for t in others if t.candidate]
    # over every K tried, the planted items are one gap, shown at the chosen K too
    gap = next(g for g in found.gaps if g.topic.items["item_id"].isin(planted["item_id"]).any())
    assert found.k in gap.ks
    assert gap.topic.items["item_id"].isin(planted["item_id"]).sum() >= 0.75 * len(planted)
    assert found.gaps[0] is gap  # the strongest evidence first


@pytest.mark.ginza
def test_topics_do_not_change_between_runs(planted_run):
    first = discover(planted_run, "課題意識")
    again = discover(planted_run, "課題意識")
    assert [t.words for t in first.topics] == [t.words for t in again.topics]
    assert first.coherence_by_k == again.coherence_by_k


def _topic(ids: list[int], uncovered: int) -> Topic:
    themes = ["" if n < uncovered else "workforce" for n in range(len(ids))]
    items = pd.DataFrame({"item_id": ids, "themes": themes, "text": "x", "weight": 1.0})
    return Topic(number=1, words=[], items=items, coherence=0.0, base_uncovered=0.1)


def test_flagged_topics_of_several_k_sharing_their_items_are_one_gap():
    broad = _topic(list(range(40)), 16)  # K=5: the gap inside a broader topic
    part = _topic(list(range(20)), 12)  # K=9: the gap alone, stronger evidence
    elsewhere = _topic(list(range(100, 130)), 12)  # another gap, other items
    gaps = merge_gaps([(5, broad), (9, part), (9, elsewhere), (12, _topic(list(range(5, 25)), 12))])
    assert [g.ks for g in gaps] == [[5, 9, 12], [9]]
    assert gaps[0].topic is part and gaps[1].topic is elsewhere
    assert merge_gaps([]) == []


def test_npmi_rewards_words_that_come_together():
    docs = [{"a", "b"}, {"a", "b"}, {"c", "d"}, {"c", "d"}, {"a", "c"}]
    assert npmi(["a", "b"], docs) > 0.3
    assert npmi(["b", "d"], docs) == -1.0  # never in one item
    assert npmi(["a", "b"], docs) > npmi(["a", "c"], docs)


@pytest.mark.ginza
def test_outputs_and_report_section(planted_run, tmp_path):
    found = discover(planted_run, "課題意識", k=6)
    assert found.chosen == "given" and len(found.topics) == 6
    folder = planted_run.out_dir / "discover"
    paths = write_discovery(found, folder)
    assert {p.name for p in paths} == {
        "topics.csv",
        "topic_items.csv",
        "coherence.csv",
        "gaps.csv",
        "topics.png",
    }
    gaps = pd.read_csv(folder / "gaps.csv", encoding="utf-8-sig")
    assert len(gaps) == len(found.gaps) >= 1 and gaps["flagged_at_k"].astype(str).eq("6").all()
    topics = pd.read_csv(folder / "topics.csv", encoding="utf-8-sig")
    members = pd.read_csv(folder / "topic_items.csv", encoding="utf-8-sig")
    assert topics["items"].sum() == len(members) == found.items
    assert set(members["topic"]) == set(topics["topic"])
    flagged = topics[topics["candidate_new_theme"]]
    assert len(flagged) >= 1
    best = members[members["topic"] == flagged["topic"].iloc[0]].sort_values("rank")
    assert best["municipality"].head(3).isin(PLANTED).all()  # representative items first
    assert {"source", "page"} <= set(members.columns)
    page = build_report(load_outputs(planted_run.out_dir))
    assert "トピック" in page and "新テーマ候補" in page and "gaps.csv" in page


@pytest.mark.ginza
@pytest.mark.subprocess
def test_the_command_writes_the_tables(planted_run):
    result = run_cli("discover", str(planted_run.out_dir), "--block", "課題意識")
    assert result.returncode == 0, result.stderr
    assert "candidate new theme" in result.stdout
    assert re.search(r"candidate new themes at any K=3–\d+: [1-9]", result.stdout)
    assert "chosen by mean NPMI" in result.stdout
    assert (planted_run.out_dir / "discover" / "topics.csv").is_file()


@pytest.mark.ginza
@pytest.mark.subprocess
def test_too_few_items_is_a_clear_error(tmp_path, planted_run):
    result = run_cli("discover", str(planted_run.out_dir), "--block", "現状", "--topics", "500")
    assert result.returncode == 2
    assert "--topics 500" in result.stderr and "Traceback" not in result.stderr
