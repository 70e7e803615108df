"""What configs/blocks.yaml makes of a label's wording: the many ways municipalities word
a row label or a box heading name their block, while the words that end many wrapped
lines of content (状況, 困りごと, の内容) and the titles of a report's parts name none."""

from __future__ import annotations

import pytest

from pipeline.config.paths import DEFAULT_CONFIG
from pipeline.config.settings import load_blocks
from pipeline.stages.segment.labels import match_label, session_numbers


@pytest.fixture(scope="module")
def config():
    return load_blocks(DEFAULT_CONFIG.parent / "blocks.yaml")


@pytest.mark.parametrize(
    ("label", "block"),
    [
        ("現状", "現状"),
        ("町の現状", "現状"),
        ("市の状況", "現状"),
        ("現状と背景", "現状"),
        ("支援開始時の状況", "現状"),
        ("目指す姿・取り組みたいこと", "目指す姿"),
        ("目指す姿・取組の方向性", "目指す姿"),
        ("取り組みたいこと", "目指す姿"),
        ("課題と感じていること", "課題意識"),
        ("市が抱える課題", "課題意識"),
        ("取り組むべき課題", "課題意識"),
        ("課題意識・困りごと", "課題意識"),
        ("開催概要", "基本情報"),
        ("協議内容", "実施内容"),
        ("内容", "実施内容"),
        ("支援の内容", "実施内容"),
        ("主な実施内容", "実施内容"),
        ("伴走支援の内容", "支援内容"),
        ("実際の支援内容", "支援内容"),
        ("派遣体制", "支援体制"),
        ("事前ヒアリングで把握したこと", "アセスメント結果"),
        ("伴走支援を通じた到達点", "到達点"),
        # wordings no sample document uses: what other municipalities might write
        ("これまでの取組", "現状"),
        ("理想の姿", "目指す姿"),
        ("地域課題", "課題意識"),
        ("現状の課題", "課題意識"),
        ("問題点", "課題意識"),
        ("主な成果", "到達点"),
        ("到達点と今後の課題", "到達点"),
        ("事前調査の結果", "アセスメント結果"),
        ("アドバイザーによる支援", "支援内容"),
        ("開催日時", "基本情報"),
        ("日時・場所・参加者", "基本情報"),
        ("取組内容", "実施内容"),
        ("議題", "実施内容"),
        ("地域の概況", "現状"),
        ("これまでの取組と現状", "現状"),
        ("市が目指す姿", "目指す姿"),
        ("今後目指したい方向性", "目指す姿"),
        ("ヒアリングから見えたこと", "アセスメント結果"),
        ("3回の支援を終えて", "到達点"),
        ("日程・会場", "基本情報"),
        ("実施した内容", "実施内容"),
        ("伴走支援で行ったこと", "支援内容"),
        ("参加アドバイザー", "支援体制"),
        ("支援の成果", "到達点"),
        # a narrow label cell wraps a character or two a line
        ("目指す\n姿・取り\n組みたい\nこと", "目指す姿"),
        ("町\nの\n現\n状", "現状"),
    ],
)
def test_a_wording_names_its_block(config, label, block):
    assert match_label(label, config) == block


@pytest.mark.parametrize(
    "line",
    [
        "伴走支援前の状況",  # the slide's title, worded like …の状況
        "実施概要",
        "実施内容と実施結果",
        "状況",  # the ends of wrapped content lines
        "の状況",
        "の内容",
        "困りごと",
        "通院の困りごと",
        "成果",
        "体制",
        "今後の課題",  # a results box's heading, not the problems seen before support
        "第1回",
        "日時",  # 日時：… split from its colon
        "取組",
        "変化",
        # a band's headings joined on one line, the first wrapped: no one heading
        "事前ヒアリングのアセスメント結伴走支援の到達点",
    ],
)
def test_titles_and_wrapped_words_name_no_block(config, line):
    assert match_label(line, config) is None


@pytest.mark.parametrize(
    ("header", "numbers"),
    [
        ("第1回", (1,)),
        ("第１回", (1,)),
        ("1回目", (1,)),
        ("第1回目", (1,)),
        ("第1回支援", (1,)),
        ("2回目訪問", (2,)),
        ("第1回（7/12）", (1,)),
        ("第2回 10月16日", (2,)),
        ("第3回伴走支援（令和5年12月5日）", (3,)),
        ("第 1 回 第 2 回 第 3 回", (1, 2, 3)),  # a header row on one line
        ("第一回", (1,)),  # kanji numerals
        ("第三回目", (3,)),
        ("第十二回", (12,)),
        ("第一回 第二回 第三回", (1, 2, 3)),
        ("一体的な支援", ()),
        ("第1回打合せ", (1,)),  # what the session was, in a word
        ("第2回意見交換会", (2,)),
        ("第 1 回 打合せ 第 2 回 打合せ 第 3 回 打合せ", (1, 2, 3)),
        ("伴走支援2回目", (2,)),
        ("伴走支援 1 回目 伴走支援 2 回目 伴走支援 3 回目", (1, 2, 3)),
        ("支援1回目", ()),  # a sub-heading inside 支援内容, not a column header
        ("第1回の庁内検討会を開催", ()),
    ],
)
def test_a_session_header_names_its_number(config, header, numbers):
    assert session_numbers(header, config) == numbers
