"""Plain text extracted naively (labels a few characters per line, columns interleaved)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from pipeline.core.normalize import compact
from pipeline.stages.extract.text import extract_text_file
from pipeline.stages.pipeline import read_file
from pipeline.stages.segment import naive_text, text_pieces

from .conftest import SAMPLE_TXT

GOLD = json.loads((SAMPLE_TXT / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def read(settings):
    def get(name):
        read = read_file(SAMPLE_TXT / name, settings, doc_id="t")
        return read.blocks, read.items

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


def test_form_feeds_end_pages_and_blank_lines_do_not(tmp_path, settings):
    text = "実施概要\nA市（人口 1万人）\n\n実施内容と実施結果\nA市（人口 1万人）\n"
    path = tmp_path / "two.txt"
    path.write_text(text, encoding="utf-8")
    assert len(extract_text_file(path, "t", "two.txt", "").pages) == 1
    path.write_text(text.replace("\n\n", "\n\f"), encoding="utf-8")
    assert len(extract_text_file(path, "t", "two.txt", "").pages) == 2


def test_without_page_marks_a_slide_title_starts_a_slide(settings):
    lines = ["１．A市", "", "伴走支援前の状況", "１．A市（人口 1万人）", "• 現状の項目",
             "実施概要", "A市（人口 1万人）", "• 次の項目"]  # fmt: skip
    found = naive_text.slides([(1, lines)], settings.blocks)
    assert [n for n, _ in found] == [1, 2]
    # a section's number and name on a line of their own go with the slide they head
    assert found[0][1][0] == "１．A市"
    assert found[1][1][0] == "実施概要"


def _columns(page):
    return {b.block: [compact(line) for line in b.lines] for b in page.blocks}


def test_a_label_fragment_sharing_a_line_with_a_wrapped_tail_is_found(settings):
    # "基 イン併用": the label cell's first character, then the end of the third session's
    # 場所 line, which wrapped at the same height
    lines = [
        "実施概要",
        "西岡山市（人口 約5.2万人） 令和4年度 市町村伴走支援",
        "第1回 第2回 第3回",
        "日時：令和4年6月2日（木） 日時：令和4年8月18日（木） 日時：令和4年10月27日（木）",
        "場所：本庁舎3階 第1会議室 場所：中央保健センター 場所：本庁舎3階 第1会議室／オンラ",
        "基 イン併用",
        "参加者：介護高齢課 4名 参加者：介護高齢課 3名 参加者：介護高齢課 4名",
        "本",
        "情",
        "報",
        "・事前ヒアリング結果の共有 ・地域ケア会議の見学 ・評価指標（案）の検討",
        "実",
        "施",
        "内",
        "容",
    ]
    page = naive_text.split_page(lines, settings.blocks)
    blocks = [(b.block, b.session) for b in page.blocks]
    assert blocks == [("基本情報", s) for s in (1, 2, 3)] + [("実施内容", s) for s in (1, 2, 3)]
    third = page.blocks[2].lines
    assert "イン併用" in third and not any("基" in line for b in page.blocks for line in b.lines)


JISSHI_NAIYOU = ["実", "施", "内", "容"]  # the 実施内容 label, one character a line


def _three_sessions_read(lines: list[str], settings):
    """The page split, with a 基本情報 block for each session and nothing left over."""
    page = naive_text.split_page(lines, settings.blocks)
    assert [b.block for b in page.blocks].count("基本情報") == 3
    assert not any(b.block == "その他" for b in page.blocks)
    return page


def test_a_label_is_spelled_across_two_wrapped_lines_that_start_with_a_short_word(settings):
    # the 参加者 cells wrap on both sides of 本 and 情: "会 2名 …" and "会 1名、…" start
    # with a word as short as a label fragment, and must be skipped to read 基本情報
    lines = [
        "実施概要",
        "桜波町（人口 約6,400人） 令和5年度 市町村伴走支援",
        "第1回 第2回 第3回",
        "日時：令和5年7月12日（水） 日時：令和5年10月4日（水） 日時：令和6年1月24日（水）",
        "基 場所：町役場 場所：オンライン 場所：保健センター",
        "本 参加者：福祉保健課 3名、社会福祉協議 参加者：福祉保健課 2名、社会福祉協議 参加者：福祉保健課 3名",
        "会 2名 会 1名",
        "情",
        "会 1名、町立診療所 看護師 1名",
        "報",
        "○事前ヒアリング結果の報告 ○状態像の分析結果の確認 ○次年度の取組の整理",
        *JISSHI_NAIYOU,
    ]
    _three_sessions_read(lines, settings)


def test_a_short_line_of_several_words_is_skipped_like_a_wrapped_first_word(settings):
    # r03_yugihara: a tall 基本情報 cell; between 本 and 情 the 参加者 cell wraps ("か所 各2名
    # …"), and between 情 and 報 a short wrapped line "担当 2名" sits on a line of its own.
    # Neither is a label character (one has a longer line, the other two words).
    lines = [
        "実施概要",
        "柚木原市（人口 約14.6万人・高齢化率 27.3%） 令和3年度 市町村伴走支援",
        "第1回 第2回 第3回",
        "日時：令和3年8月5日（木） 日時：令和3年10月21日（木） 日時：令和4年2月17日（木）",
        "場所：オンライン（Zoom） 場所：柚木原市保健福祉会館 場所：オンライン（Zoom）※まん延防止等重点措",
        "基",
        "置のため集合開催から変更",
        "参加者：長寿介護課 4名、地域包括支援センター 6 参加者：長寿介護課 3名 参加者：長寿介護課 4名",
        "本",
        "か所 各2名 名、居宅介護支援事業所 14名、 参加者：地域包括支援センター",
        "情 市介護支援専門員連絡協議会 会長 12名、通所型サービスC",
        "担当 2名",
        "報",
        "・アンケート結果の共有 ・意見交換 ・様式の見直し案の確認",
        *JISSHI_NAIYOU,
    ]
    page = _three_sessions_read(lines, settings)
    text = " ".join(line for b in page.blocks for line in b.lines)
    assert "担当 2名" in text and "か所 各2名" in text  # kept as content


# Slide 3 of r03_sakuragaura: three boxes of one font size, merged line by line. Which box
# a bullet starts in is not visible in the words; only the even spacing of each box's
# lines (a line, plus a paragraph gap before each item) tells.
SAKURAGAURA_RESULTS = """\
実施内容と実施結果
桜ヶ浦市（人口 約8.2万人・高齢化率 31.5%） 令和3年度 市町村伴走支援
事前ヒアリングのアセスメント結果 3回の伴走支援を終えた後の到達点 実際の支援内容
• 生活支援コーディネーターは熱意がある 【桜ヶ浦市の到達点】 支援1回目
が、市から期待される役割が示されていな
• 市が目指す姿を「役割と出番のある暮ら • ヒアリング結果をもとに、市の強みと課題
い
し」と言語化し、関係者で共有できた を関係者で整理した
• 包括とSCの間で、地域資源の情報が共有
➢ 課長・係長を含めた庁内会議で確認し 支援2回目
されていない
た
• SC同士で日頃の活動を振り返り、役割を
• 通所型サービスCの対象者像や卒業後の行
• SCの役割を整理し、委託仕様書の見直し
言葉にするワークを行った
き先が整理されていない
に着手した
支援3回目
• 短期集中予防サービスの試行（令和4年
• 目指す姿から逆算して、来年度の取組を3
度、2か所）が決まった
つに絞り込んだ
➢ 卒業後は住民主体の通いの場へつなぐ
流れを包括・SCで確認
""".splitlines()


def test_side_by_side_boxes_are_read_by_the_spacing_of_their_lines(settings):
    page = naive_text.split_page(SAKURAGAURA_RESULTS, settings.blocks)
    columns = _columns(page)
    # the positions of the PDF (pdfplumber's words) put these lines in these boxes (the
    # last bullet of 支援内容, alone under its sub-heading, still lands in the first box)
    assert columns["アセスメント結果"][:7] == [
        "•生活支援コーディネーターは熱意がある",
        "が、市から期待される役割が示されていな",
        "い",
        "•包括とSCの間で、地域資源の情報が共有",
        "されていない",
        "•通所型サービスCの対象者像や卒業後の行",
        "き先が整理されていない",
    ]
    assert columns["到達点"][3:] == [
        "➢課長・係長を含めた庁内会議で確認し",
        "た",
        "•SCの役割を整理し、委託仕様書の見直し",
        "に着手した",
        "•短期集中予防サービスの試行(令和4年",
        "度、2か所)が決まった",
        "➢卒業後は住民主体の通いの場へつなぐ",
        "流れを包括・SCで確認",
    ]
    assert [line for line in columns["支援内容"] if "回目" in line] == [
        "支援1回目",
        "支援2回目",
        "支援3回目",
    ]


def test_a_lone_wider_line_does_not_widen_its_column(settings):
    lines = ["• " + "あ" * 19, "い" * 19, "• " + "う" * 18, "え" * 19, "お" * 27]
    assert naive_text._column_width(lines, 30.0, settings.blocks) == 19.0
    # too few lines to tell: the guess stands
    assert naive_text._column_width(lines[:2], 30.0, settings.blocks) == 30.0


def test_two_head_counts_in_a_row_are_two_cells(settings):
    # 参加者 lines of three sessions wrapped at the same height: "…SC 1名 | 13名 | 13名、…"
    line = "13名（各センター長）、第1層SC 1名 13名 13名、第2層SC 13名、居宅介護支援事業所 4名"
    readings = text_pieces.segments(line, settings.blocks, 3)
    assert readings
    for reading in readings:
        texts = [segment.text for segment in reading]
        assert any(text.endswith("第1層SC 1名") for text in texts)
        assert "13名" in texts
    # within one cell, a count after a word is not cut off
    assert [s.text for s in text_pieces.segments("第2層SC 13名", settings.blocks, 1)[0]] == [
        "第2層SC 13名"
    ]
    # the counters come from configs/blocks.yaml: without them nothing forces that cut
    plain = replace(settings.blocks, counters=())
    assert any(
        not any(segment.text == "13名" for segment in reading)
        for reading in text_pieces.segments(line, plain, 3)
    )


def test_a_row_does_not_run_on_below_its_label_further_than_above_it(settings):
    # the 目指す姿 label is taller than its three bullets, so the line right after its last
    # fragment (と) already starts the 課題意識 row, whose label is centred on its lines
    lines = [
        "伴走支援前の状況",
        "北浜台市（中核市・人口 約35万人） 令和3年度 市町村伴走支援",
        "・13圏域それぞれの特性に応じた地域づくりを進められる体制",
        "目指す",
        "姿・取",
        "・データに基づき、圏域ごとの課題と取組の優先順位を説明できるようにしたい",
        "り組み",
        "たいこ",
        "・通所型サービスCを「元の生活に戻るための入口」として位置づけ直したい",
        "と",
        "・包括ごとに地域づくりへの取組の温度差が大きい",
        "・第2層SCの大半が包括業務と兼務のため、活動時間が確保できていない",
        "課 ・再委託先の居宅介護支援事業所では、自立支援の視点が共有されていない",
        "題 ・訪問型サービスAの指定事業所が減少し、新たな受け手が見つからない",
        "意 ・通所型サービスCの利用が少なく、つなぎ方が統一されていない",
        "識",
        "・KDBのデータはあるが、圏域単位で分析・活用できていない",
        "・自立支援型地域ケア会議の助言が事業所に届いているか確認できていない",
        "・第１層SCと第２層SCの情報共有は年2回の連絡会のみ",
    ]
    page = naive_text.split_page(lines, settings.blocks)
    rows = {b.block: b.lines for b in page.blocks}
    assert len(rows["目指す姿"]) == 3
    assert rows["課題意識"][0] == "・包括ごとに地域づくりへの取組の温度差が大きい"
    assert len(rows["課題意識"]) == 8
