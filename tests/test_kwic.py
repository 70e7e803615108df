"""KWIC: matched by lemma, positioned in the text, filtered by block, aligned output."""

from __future__ import annotations

import pandas as pd

from pipeline.cli.main import main
from pipeline.views.kwic import display_width, find_spans, format_kwic, kwic, lemma_match

ITEMS = pd.DataFrame(
    [
        {
            "item_id": "i1",
            "municipality": "A市",
            "block": "課題意識",
            "page": "2",
            "source": "a.pdf",
            "text": "包括とSCが連携し、地域の課題を共有する",
            "lemmas": "包括 SC 連携 地域 課題 共有",
        },
        {
            "item_id": "i2",
            "municipality": "B町",
            "block": "到達点",
            "page": "5",
            "source": "b.pdf",
            "text": "保健所と連携できて、連携の形が見えた",
            "lemmas": "保健所 連携 できる 連携 形 見える",
        },
        {
            "item_id": "i3",
            "municipality": "B町",
            "block": "課題意識",
            "page": "5",
            "source": "b.pdf",
            # 連携 in the text but not as a lemma of its own (提携 is another word): no match
            "text": "事業者との提携が課題",
            "lemmas": "事業者 提携 課題",
        },
    ]
)


def test_lemma_finds_inflected_forms_and_every_occurrence():
    lines = kwic(ITEMS, "連携")
    assert lines["item_id"].tolist() == ["i1", "i2", "i2"]
    assert lines["keyword"].tolist() == ["連携", "連携", "連携"]
    first = lines.iloc[0]
    assert (first.left, first.right) == ("包括とSCが", "し、地域の課題を共有する")
    assert lines.iloc[1].right.startswith("できて")
    assert lines.iloc[0][["municipality", "block", "page"]].tolist() == ["A市", "課題意識", "2"]


def test_block_filter_and_inflected_query():
    assert kwic(ITEMS, "連携", block="到達点")["item_id"].tolist() == ["i2", "i2"]
    assert kwic(ITEMS, "連携し", block="課題意識")["item_id"].tolist() == ["i1"]
    assert kwic(ITEMS, "ＳＣ")["item_id"].tolist() == ["i1"]  # full-width query is NFKC'd


def test_compound_of_consecutive_lemmas_and_verb_stems():
    assert lemma_match(["生活", "支援", "コーディネーター"], "生活支援")
    assert not lemma_match(["生活", "介護", "支援"], "生活支援")
    text = "町内は18集落に分かれ、役場まで遠い"
    assert [text[a:b] for a, b in find_spans(text, "分かれる")] == ["分かれ"]
    assert ["話し合った"[a:b] for a, b in find_spans("話し合った", "話し合う")] == ["話し合っ"]


def test_format_aligns_keywords_in_one_column():
    lines = kwic(ITEMS, "連携", width=8)
    printed = format_kwic(lines, width=8).splitlines()
    columns = {display_width(line[: line.index("【")]) for line in printed}
    assert len(columns) == 1  # every 【 at the same display column
    assert "A市 / 課題意識 / p.2" in printed[0]


def test_kwic_command_on_the_sample_batch(sample_run, capsys):
    assert main(["kwic", str(sample_run.out_dir), "連携"]) == 0
    out = capsys.readouterr().out
    assert "【連携】" in out
    assert main(["kwic", str(sample_run.out_dir), "存在しない語"]) == 1
