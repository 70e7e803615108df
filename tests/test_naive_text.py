"""Plain text extracted naively (labels a few characters per line, columns interleaved)."""

from __future__ import annotations

import json

import pytest

from pipeline.extract.text import extract_text_file
from pipeline.normalize import compact
from pipeline.segment import naive_text
from pipeline.segment.blocks import segment
from pipeline.segment.items import itemize

from .conftest import SAMPLE_TXT

GOLD = json.loads((SAMPLE_TXT / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def read(settings):
    def get(name):
        document = extract_text_file(SAMPLE_TXT / name, "t", name, "")
        blocks = segment(document, settings.blocks)
        return blocks, [i for b in blocks for i in itemize(b, settings.blocks)]

    return get


def _gold_items(file, block=None):
    return [
        (m["municipality"], b["block"], b["session"], compact(i["text"]))
        for m in GOLD["municipalities"]
        if m["file"] == file
        for b in m["blocks"]
        if block is None or b["block"] == block
        for i in b["items"]
    ]


def test_a_label_broken_over_lines_is_found_and_its_row_kept_together(read):
    blocks, items = read("r03_sakuragaura.txt")
    headings = {b.block: b.heading for b in blocks}
    assert headings["目指す姿"] == "目指す姿・取り組みたいこと"  # 目指す/姿・取/り組み/たいこ/と
    for block in ("現状", "目指す姿", "課題意識"):
        got = sorted(
            (i.municipality, i.block, i.session, compact(i.text)) for i in items if i.block == block
        )
        assert got == sorted(_gold_items("r03_sakuragaura.txt", block))


def test_session_columns_are_separated(read):
    for file in ("r03_sakuragaura.txt", "r03_kitahamadai.txt"):
        blocks, items = read(file)
        sessions = sorted(b.session for b in blocks if b.block == "基本情報")
        assert sessions == [1, 2, 3]
        firsts = [i.text for i in items if i.block == "基本情報" and i.text.startswith("日時")]
        assert len(firsts) == 3 and len({i for i in firsts}) == 3
        # each session's 日時 went to its own block, in column order
        gold = [t for t in _gold_items(file, "基本情報") if t[3].startswith("日時")]
        got = [
            (i.municipality, i.block, i.session, compact(i.text))
            for i in items
            if i.text.startswith("日時")
        ]
        assert got == gold


def test_summary_and_footer_lines(read):
    blocks, items = read("r03_kitahamadai.txt")
    summary = [compact(i.text) for i in items if i.block == "まとめ"]
    assert summary == [t[3] for t in _gold_items("r03_kitahamadai.txt", "まとめ")]
    assert not any("報告書" in i.text for i in items)


def test_wrapped_continuation_that_looks_short_is_not_a_label(settings):
    lines = [
        "伴走支援前の状況",
        "桜ヶ浦市（人口 約8.2万人） 令和3年度",
        "• 生活支援コーディネーターの役割が庁内・委託先で共有されておらず、活動がとどまって",
        "課",
        "いる",
        "題 • 総合事業のサービスを再編したいが、どこから手を付ければよいかわからない",
        "意",
        "識",
    ]
    page = naive_text.split_page(lines, settings.blocks)
    assert [b.block for b in page.blocks] == ["課題意識"]
    assert page.blocks[0].lines[1] == "いる"


def test_blank_lines_separate_pages(tmp_path):
    path = tmp_path / "two.txt"
    path.write_text(
        "実施概要\nA市（人口 1万人）\n\n実施内容と実施結果\nA市（人口 1万人）\n", encoding="utf-8"
    )
    document = extract_text_file(path, "t", "two.txt", "")
    assert len(document.pages) == 2
