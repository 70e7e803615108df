""".txt read as real extractors write it: one small case per phenomenon (the shapes the
committed extractors' text shows, corpora/*_txt/), each read end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.normalize import compact
from pipeline.stages.pipeline import read_file

SUBTITLE = "楠原町（人口 約1万人）"
OFFICE_TXT = Path(__file__).resolve().parents[1] / "corpora" / "office_txt"


def read(tmp_path, settings, text: str, name: str = "slide.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = read_file(path, settings)
    return result, [(i.block, i.session, compact(i.text)) for i in result.items]


def slide(title: str, lines: list[str], subtitle: str = SUBTITLE, gap: str = "\n\n") -> str:
    """A slide's text as an extractor writes it: title, subtitle, then its boxes' lines,
    a blank line after each (pdfminer, pdftotext) unless `gap` says otherwise."""
    return f"{title}\n{subtitle}\n" + gap.join(lines) + "\n"


SITUATION = [
    ("現状", None, "包括は町直営1か所で、社会福祉士1名と保健師2名を配置している"),
    ("現状", None, "SCは社協に委託"),
    ("目指す姿", None, "車がなくても通える町"),
    ("課題意識", None, "SCが1人で全域を担当している"),
]


@pytest.mark.parametrize(
    "body",
    [
        # drawing order (pdftotext -raw, pypdfium2): each label cell before its row
        "現\n状\n• 包括は町直営1か所で、社会福祉士1名と保健師\n2名を配置している\n• SC は社協に委託\n"
        "目指す\n姿\n• 車がなくても通える町\n課\n題\n意\n識\n• SC が 1 人で全域を担当している\n",
        # all labels first, the rows after, blank lines between boxes (pdfminer)
        "現\n状\n\n目指す\n姿\n\n課\n題\n意\n識\n\n• 包括は町直営1か所で、社会福祉士1名と保健師\n\n"
        "2名を配置している\n• SC は社協に委託\n\n• 車がなくても通える町\n\n"
        "• SC が 1 人で全域を担当している\n",
        # labels set in the middle of a wrapped bullet (poppler's reading order)
        "• 包括は町直営1か所で、社会福祉士1名と保健師\n\n現\n状\n\n2名を配置している\n• SC は社協に委託\n"
        "目指す\n姿\n• 車がなくても通える町\n\n• SC が 1 人で全域を担当している\n課\n題\n意\n識\n",
    ],
    ids=["labels_before", "labels_first", "labels_inside"],
)
def test_a_label_table_is_read_wherever_its_labels_stand(tmp_path, settings, body):
    _, items = read(tmp_path, settings, f"伴走支援前の状況\n{SUBTITLE}\n{body}")
    assert items == [(b, s, compact(t)) for b, s, t in SITUATION]


@pytest.mark.parametrize("glyph", ["·", "∙", "･", "‣"])
def test_the_dots_a_unicode_map_gives_a_bullet_start_items(tmp_path, settings, glyph):
    # a bullet drawn in a symbol font comes out of the text tools as one of several dots
    body = (
        f"現\n状\n{glyph} 包括は町直営1か所で、社会福祉士1名と保健師\n2名を配置している\n"
        f"{glyph} SC は社協に委託\n目指す\n姿\n{glyph} 車がなくても通える町\n"
        f"課\n題\n意\n識\n{glyph} SC が 1 人で全域を担当している\n"
    )
    _, items = read(tmp_path, settings, f"伴走支援前の状況\n{SUBTITLE}\n{body}")
    assert items == [(b, s, compact(t)) for b, s, t in SITUATION]


def test_labels_worded_with_a_qualifier_read_first_from_their_narrow_cells(tmp_path, settings):
    # 地域の / 現状 / 目指す / 姿 must not read as 地域の目指す姿 with 現状 skipped as content
    body = (
        "地域の\n現状\n\n目指す\n姿\n\n課題・\n困りご\nと\n\n"
        "• 包括は町直営1か所で、社会福祉士1名と保健師2名を配置している\n• SC は社協に委託\n"
        "• 車がなくても通える町\n\n• SC が 1 人で全域を担当している\n"
    )
    _, items = read(tmp_path, settings, f"伴走支援前の状況\n{SUBTITLE}\n{body}")
    assert items == [(b, s, compact(t)) for b, s, t in SITUATION]


def test_blank_lines_inside_a_wrapped_bullet_and_spaces_around_latin(tmp_path, settings):
    text = (
        f"伴走支援前の状況\n{SUBTITLE}\n現\n状\n\n• 生活支援コーディネーター（ SC ）は第 1 層\n\n"
        "のみ配置しており、第２層は未配置\n\n• 包括は 1 か所\n"
    )
    result, items = read(tmp_path, settings, text)
    assert [t for _, _, t in items] == [
        "生活支援コーディネーター(SC)は第1層のみ配置しており、第2層は未配置",
        "包括は1か所",
    ]
    # the spaces an extractor put around Latin text are not kept
    assert result.items[0].text.startswith("生活支援コーディネーター(SC)は第1層")


SESSIONS = [
    ("基本情報", 1, "日時:令和5年7月1日(水)"),
    ("基本情報", 1, "場所:役場2階"),
    ("基本情報", 2, "日時:令和5年9月1日(金)"),
    ("基本情報", 2, "場所:保健センター"),
    ("実施内容", 1, "事前ヒアリング結果の共有"),
    ("実施内容", 2, "事例の検討"),
]


@pytest.mark.parametrize(
    "body",
    [
        # column by column, the header one per line
        "第1回\n\n第2回\n\n基\n本\n情\n報\n\n日時：令和5年7月1日（水）\n場所：役場2階\n\n"
        "日時：令和5年9月1日（金）\n場所：保健センター\n\n実施\n内容\n\n• 事前ヒアリング結果の共有\n\n"
        "• 事例の検討\n",
        # row by row across the cells, the header on one line (poppler on some PDFs)
        "第 1 回 第 2 回\n基本\n情報\n\n日時：令和5年7月1日（水）\n\n日時：令和5年9月1日（金）\n\n"
        "場所：役場2階\n\n場所：保健センター\n\n実施\n内容\n\n• 事前ヒアリング結果の共有\n\n"
        "• 事例の検討\n",
    ],
    ids=["column_by_column", "row_by_row"],
)
def test_a_session_table_is_read_by_column_or_by_row(tmp_path, settings, body):
    _, items = read(tmp_path, settings, f"実施概要\n{SUBTITLE}\n{body}")
    assert sorted(items) == sorted(SESSIONS)


BOXES = [
    ("アセスメント結果", None, "町の方針が示されていない"),
    ("到達点", None, "月1回の定例会を持つことにした"),
    ("支援内容", None, "ヒアリング結果を共有した"),
]


def laid(*rows: list[tuple[int, str]]) -> str:
    """Lines as pdftotext -layout sets them: each cell's text from its column."""
    out = []
    for cells in rows:
        line = ""
        for column, text in cells:
            line = line.ljust(column) + text
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize(
    "body",
    [
        # one box after another, headings first (pdftotext)
        "事前ヒアリングのアセスメント結果\n\n伴走支援の到達点\n\n実際の支援内容\n\n"
        "◆ 町の方針が示されて\nいない\n\n【楠原町の到達点】\n• 月1回の定例会を持つことにした\n\n"
        "支援1回目\n• ヒアリング結果を共有した\n",
        # side by side in columns (pdftotext -layout)
        "事前ヒアリングのアセスメント結果      伴走支援の到達点              実際の支援内容\n"
        "◆ 町の方針が示されて            【楠原町の到達点】            支援1回目\n"
        "  いない                        • 月1回の定例会を持つことにした   • ヒアリング結果を共有した\n",
        # each heading wraps in its narrow box, the third a line lower (pdftotext -layout)
        laid(
            [(0, "事前ヒアリングのアセス"), (30, "伴走支援の到達")],
            [(60, "実際の支援内容")],
            [(2, "メント結果"), (32, "点")],
            [(0, "◆ 町の方針が示されて"), (30, "【楠原町の到達点】"), (60, "支援1回目")],
            [
                (2, "いない"),
                (30, "• 月1回の定例会を持つことにした"),
                (60, "• ヒアリング結果を共有した"),
            ],
        ),
        # the same, cells one space apart (pdfplumber)
        "事前ヒアリングのアセス 伴走支援の到達\n実際の支援内容\nメント結果 点\n"
        "◆ 町の方針が示されて 【楠原町の到達点】 支援1回目\n"
        "いない • 月1回の定例会を持つことにした • ヒアリング結果を共有した\n",
    ],
    ids=["one_after_another", "side_by_side", "wrapped_headings_layout", "wrapped_headings_joined"],
)
def test_side_by_side_boxes_are_read_one_box_at_a_time(tmp_path, settings, body):
    _, items = read(tmp_path, settings, f"実施内容と実施結果\n{SUBTITLE}\n{body}")
    assert items == [(b, s, compact(t)) for b, s, t in BOXES]


@pytest.mark.parametrize("glyph", ["•", "・", "◆", "\uf0a7", "§"])
def test_bullets_as_extractors_give_them(tmp_path, settings, glyph):
    """Wingdings bullets come out as private-use characters or Latin-1 letters
    (U+F0A7 or § for ▪, Ø for ➢): read through configs/symbol_fonts.yaml."""
    sub = "Ø"
    text = (
        f"伴走支援前の状況\n{SUBTITLE}\n現\n状\n{glyph} 包括は1か所\n{sub} 社会福祉士1名\n"
        f"{glyph} SCは社協に委託\n"
    )
    result, items = read(tmp_path, settings, text)
    assert [t for _, _, t in items] == ["包括は1か所", "社会福祉士1名", "SCは社協に委託"]
    assert [i.level for i in result.items] == [1, 2, 1]


def test_a_middle_dot_that_starts_a_wrapped_line_continues_its_item(tmp_path, settings):
    """The PDF gave ・ and • one character: inside a line it reads ・, and at the start
    of a line after one that ran to the edge it continues the sentence."""
    text = (
        f"伴走支援前の状況\n{SUBTITLE}\n現\n状\n"
        "• 要支援認定者の状態像を分析し、包括\n•SC•社協で共有する場をつくった\n• 包括•SCの連携会議\n"
    )
    _, items = read(tmp_path, settings, text)
    assert [t for _, _, t in items] == [
        "要支援認定者の状態像を分析し、包括・SC・社協で共有する場をつくった",
        "包括・SCの連携会議",
    ]


def test_a_dash_or_arrow_sub_bullet_in_text_that_never_wraps(tmp_path, settings):
    """pdfplumber writes a slide's paragraph on one line: a line led by － or → after a
    long one is then a sub-bullet of its own, not the wrapped rest of the line above."""
    text = (
        f"伴走支援前の状況\n{SUBTITLE}\n現\n状\n• 包括は1か所\n"
        "• 北部の団地は高齢化率40%超。独居・認知症・閉じこもりの相談が町内で最も多い地区\n"
        "－R4年に団地内のスーパーが撤退し、買い物の足がない世帯が増加\n"
        "• 通所型サービスCの利用は実27名にとどまり、定員（年60名）の半分以下\n"
        "→紹介の約9割が2か所の包括から\n"
    )
    result, items = read(tmp_path, settings, text)
    assert [t for _, _, t in items] == [
        "包括は1か所",
        "北部の団地は高齢化率40%超。独居・認知症・閉じこもりの相談が町内で最も多い地区",
        "R4年に団地内のスーパーが撤退し、買い物の足がない世帯が増加",
        "通所型サービスCの利用は実27名にとどまり、定員(年60名)の半分以下",
        "紹介の約9割が2か所の包括から",
    ]
    assert result.items[4].level == 2  # → is a sub-bullet glyph (configs/blocks.yaml)


def test_an_arrow_that_starts_a_wrapped_line_continues_its_item(tmp_path, settings):
    """Where the text shows its wrapping (lines continue items), a → at the start of a
    line after one that ran to the column's edge is the rest of the sentence."""
    text = (
        f"伴走支援前の状況\n{SUBTITLE}\n現\n状\n"
        "• 75歳以上人口の伸び率は38.6%（2020\n→2030年推計）と県内で最も高い\n"
        "• 包括は町直営1か所で、社会福祉士1名\nと保健師2名を配置\n"
    )
    _, items = read(tmp_path, settings, text)
    assert [t for _, _, t in items] == [
        "75歳以上人口の伸び率は38.6%(2020→2030年推計)と県内で最も高い",
        "包括は町直営1か所で、社会福祉士1名と保健師2名を配置",
    ]


def test_slides_without_page_marks_are_found_by_their_titles(tmp_path, settings):
    text = (
        f"伴走支援前の状況\n{SUBTITLE}\n現\n状\n• 包括は1か所\n"
        f"実施内容と実施結果\n{SUBTITLE}\n事前ヒアリングのアセスメント結果\n◆ 方針がない\n"
    )
    result, items = read(tmp_path, settings, text)
    assert items == [("現状", None, "包括は1か所"), ("アセスメント結果", None, "方針がない")]
    assert [i.page for i in result.items] == [1, 2]


def test_a_footer_on_every_page_is_no_item(tmp_path, settings):
    page = f"伴走支援前の状況\n{SUBTITLE}\n現\n状\n• 包括は{{n}}か所\n地域包括ケア推進課 {{n}}\n"
    text = "\f".join(page.format(n=n) for n in (1, 2, 3))
    _, items = read(tmp_path, settings, text)
    assert [t for _, _, t in items] == ["包括は1か所", "包括は2か所", "包括は3か所"]


def test_a_session_row_read_partly_across_partly_down_keeps_one_key_per_cell(tmp_path, settings):
    # pdfminer's order: the dates across the row, then the first cell down, then the
    # others' 場所 and 参加者 across again
    lines = [
        "第1回", "第2回", "第3回", "日時：令和5年7月1日（水）", "日時：令和5年9月1日（金）",
        "日時：令和5年11月1日（水）", "場所：役場2階", "参加者：福祉課 2名", "基本情\n報",
        "場所：オンライン（Zoom）", "場所：保健センター", "参加者：福祉課 3名、包括 2名",
        "参加者：福祉課 4名、SC 1名",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, slide("実施概要", lines))
    by_cell = {s: [t for b, s2, t in items if s2 == s] for s in (1, 2, 3)}
    assert by_cell == {
        1: ["日時:令和5年7月1日(水)", "場所:役場2階", "参加者:福祉課2名"],
        2: ["日時:令和5年9月1日(金)", "場所:オンライン(Zoom)", "参加者:福祉課3名、包括2名"],
        3: ["日時:令和5年11月1日(水)", "場所:保健センター", "参加者:福祉課4名、SC1名"],
    }


def test_a_middle_dot_after_latin_text_stays_in_its_cell(tmp_path, settings):
    """Office PDFs space Japanese apart from Latin text, so pdfplumber writes KDB・認定 as
    "KDB ・認定": that ・ is inside a word, not the bullet of the next cell on the line
    (r06_report_set_f.txt, 実施内容)."""
    body = (
        "第 1 回 第 2 回 第 3 回\n"
        "日時：令和 5 年 6 月 14 日（水） 日時：令和 5 年 9 月 6 日（水） 日時：令和 5 年 12 月 13 日（水）\n"
        "基\n本\n情\n報\n"
        "• 事前ヒアリング結果の共有 • 要支援者の状態像の分析（ KDB ・認定データ）の共 • 総合事業再編方針（案）の確認\n"
        "実 • 検討の経過の振り返り 有 • 桐ヶ丘団地の移動・買い物支援の検討（ SC ・社協・\n"
        "施 シルバー）\n内\n容\n"
    )
    _, items = read(tmp_path, settings, f"実施概要\n{SUBTITLE}\n{body}")
    assert [(s, t) for b, s, t in items if b == "実施内容"] == [
        (1, "事前ヒアリング結果の共有"),
        (1, "検討の経過の振り返り"),
        (2, "要支援者の状態像の分析(KDB・認定データ)の共有"),
        (3, "総合事業再編方針(案)の確認"),
        (3, "桐ヶ丘団地の移動・買い物支援の検討(SC・社協・シルバー)"),
    ]


def test_a_cell_edge_is_rarely_after_a_number_where_numbers_are_spaced(tmp_path, settings):
    """Office PDFs set numbers apart from Japanese (包括 2 名), so a column gap guessed
    after a number is as doubtful as one before it (r06_report_set_f.txt, 基本情報)."""
    body = (
        "第 1 回 第 2 回 第 3 回\n基\n"
        "場所：市役所 5 階 502 会議室 場所：市役所 502 会議室＋オンライン（ Zoom ） 場所：保健センター 2 階 研修室\n"
        "本\n"
        "参加者：長寿福祉課 4 名（課長補佐・係長・担当 2 参加者：長寿福祉課 3 名、包括 12 か所（各 1 名）、"
        " 参加者：長寿福祉課 4 名、包括 12 名、リハ職（市内\n情\n"
        "名）、基幹型包括 2 名、第 1 層 SC 1 名 居宅介護支援事業所 4 名、第２層 SC 5 名 2 病院） 3 名、"
        "シルバー人材センター 1 名、市社協 2\n"
        "報 備考：包括・居宅の一部はオンライン参加 名（第 1 層 SC 含む）\n実\n施\n内\n容\n"
    )
    _, items = read(tmp_path, settings, f"実施概要\n{SUBTITLE}\n{body}")
    participants = {s: t for b, s, t in items if t.startswith("参加者")}
    assert (
        participants[1]
        == "参加者:長寿福祉課4名(課長補佐・係長・担当2名)、基幹型包括2名、第1層SC1名"
    )
    assert participants[3].endswith("市社協2名(第1層SC含む)")


def test_a_row_ends_where_its_labels_last_characters_stand_alone(tmp_path, settings):
    """内 and 容 on lines of their own, one after the other: no content line stands
    beside them, so the row has ended and the line below them starts the next row,
    although the label is centred lower than its short row (r03_report_set_a.txt)."""
    body = (
        "第1回 第2回 第3回\n"
        "• 事前ヒアリング結果の共有 • 通所型サービスA利用者の事例分析 • 再編の方向性（案）の検討\n"
        "実 • 総合事業の各サービスの目的と実績の確認 • サービスごとの対象者像の整理 • 事業者との意見交換\n"
        "施 • 次年度のスケジュールの確認\n内\n容\n"
        "• 地域づくりアドバイザー 2名\n支 • 厚生労働省 老健局 老人保健課（オブザーバー）\n"
        "援 • 県 介護保険課\n体\n制\n"
    )
    _, items = read(tmp_path, settings, f"実施概要\n{SUBTITLE}\n{body}")
    assert [t for b, _, t in items if b == "支援体制"] == [
        "地域づくりアドバイザー2名",
        "厚生労働省老健局老人保健課(オブザーバー)",
        "県介護保険課",
    ]


def test_a_line_as_wide_as_the_session_table_starts_the_row_that_spans_it(tmp_path, settings):
    """支援体制 spans the sessions: its first line, wider than any cell of the 実施内容
    row above, is not that row's last, even where the label's last character has a
    content line beside it (r03_yugihara.txt)."""
    lines = [
        "第1回 第2回 第3回",
        "\uf06e 居宅介護支援事業所アンケート（38か所、回答 \uf06e 居宅ケアマネジャーとの意見交換「予防プラン "
        "\uf06e 委託の手順と様式の見直し案の確認",
        "31か所）の結果共有 を受けにくい理由」",
        "実 \uf06e 通所型サービスC修了者の行き先の分析結果の共",
        "\uf06e 包括の業務量の見える化（1週間の業務記録か \uf06e ミニ講義「要支援者の生活機能を引き出すプラ 有",
        "施",
        "ら） ンの立て方」",
        "内",
        "\uf06e 委託様式の簡素化の検討",
        "容",
        "\uf06e 地域づくりアドバイザー 2名（主任介護支援専門員、作業療法士）",
        "支 \uf06e 県 介護保険室 1名（第2回のみ）",
        "援", "体", "制",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, slide("実施概要", lines, gap="\n"))
    assert [t for b, _, t in items if b == "支援体制"] == [
        "地域づくりアドバイザー2名(主任介護支援専門員、作業療法士)",
        "県介護保険室1名(第2回のみ)",
    ]
    assert "ミニ講義「要支援者の生活機能を引き出すプランの立て方」" in [t for _, _, t in items]


def test_labels_set_at_the_top_of_their_rows(tmp_path, settings):
    """A label at the top of its row, on the line of the row's first item (現状 ・ …),
    not centred: the row runs down to the next label (r05_tomoshigamine.txt)."""
    body = (
        "現状 ・ 昭和40年代の閉山後に人口が半減。旧炭鉱住宅を改修した市営住宅（約1,800戸）に独居高齢者が\n"
        "集中し、市営住宅の高齢化率は58.3%\n"
        "・ SCは第1層1名（市社協）。第２層は中央圏域のみ1名配置で、東・西圏域は未配置\n"
        "・ 総合事業は現行相当と通所型サービスA（民間デイ2事業所）のみ。通所型サービスCは未実施\n"
        "・ 認知症初期集中支援チームは1チーム（市立病院に委託）。R3年度の支援実績は4件\n"
        "目指す ・ 短期集中予防で元気を取り戻し、サービスを「卒業」して地域の通いの場へ戻れる流れをつくる\n"
        "姿・取 ・ 窓口から自立支援\nり組み\nたいこ\nと\n"
        "課題意 ・ 要支援認定率が県内でも高いが、なぜ高いのかを分析できていない\n"
        "識 ・ 通所型サービスCを始めたいが、リハ職の確保先がない\n"
    )
    _, items = read(tmp_path, settings, f"伴走支援前の状況\n{SUBTITLE}\n{body}")
    assert [b for b, _, _ in items] == ["現状"] * 4 + ["目指す姿"] * 2 + ["課題意識"] * 2


def test_boxes_side_by_side_read_across_a_paragraph_at_a_time(tmp_path, settings):
    """poppler's order on r03_aobano (corpora/sample_txt/pdftotext): the three boxes'
    paragraphs interleaved, headings among them. Each box wraps at its own width and
    going back to a box beside the one above is the rule, not the exception."""
    sessions = (
        "実施概要\n青葉野町（人口 約1.1万人）\n\n第1回\n\n第2回\n\n第3回\n\n"
        "日時：令和3年8月26日（木）10:00～15:00\n\n日時：令和3年11月16日（火）13:30～16:00\n\n"
        "日時：令和4年2月8日（火）13:30～16:00\n\n場所：青葉野町役場 2階 会議室\n\n"
        "場所：オンライン（Zoom）\n\n場所：青葉野町保健福祉センター 会議室\n\n基本情\n報\n"
    )
    boxes = (
        "実施内容と実施結果\n青葉野町（人口 約1.1万人）\n事前ヒアリングのアセスメント結果\n"
        "○ 町の方針が介護保険事業計画の文言にとどま\nり、SCや社協に具体的に示されていない\n"
        "○ 包括は個別ケースへの対応に追われ、SCと定期\n的に話す機会がない\n\n"
        "3回の伴走支援を終えた後の到達点\n\n【青葉野町の到達点】\n\n支援1回目\n\n"
        "○ SCと包括が月１回の定例ミーティングを持\nつこととし、役割分担を確認した\n\n"
        "○ ヒアリング結果を共有し、町・包括・SC\nそれぞれの困りごとを聞き取った\n\n"
        "○ 2集落を歩き、区長から支え合いの様子を\n聞いた\n\n"
        "○ 集落ごとの高齢化率・独居高齢者数・移動手段\nの有無が一覧になっていない\n\n"
        "○ 18集落の「集落カルテ」（高齢化率、独居\n世帯、移動手段、サロンの有無）を作成し\nた\n\n"
        "○ 一部の集落では、近所同士の「乗り合わせ」に\nよる買い物の支え合いが自然に行われている\n\n"
        "○ モデル2集落で、第２層協議体に当たる住民\nの話し合いの場を立ち上げ、移動支援を最\n"
        "初の議題とする\n\n実際の支援内容\n\n支援2回目\n○ 集落カルテに載せる項目を一緒に検討した\n"
        "○ 他町の移動支援（訪問型サービスD）の立\nち上げ経緯を紹介した\n\n"
        "○ 訪問型サービスBは、担い手の見込みが立つ\nまで来年度も検討を続ける\n"
    )
    _, items = read(tmp_path, settings, f"{sessions}\f{boxes}")
    by_block = {}
    for block, _, text in items:
        by_block.setdefault(block, []).append(text[:8])
    del by_block["基本情報"]
    assert by_block == {
        "アセスメント結果": [
            "町の方針が介護保",
            "包括は個別ケース",
            "集落ごとの高齢化",
            "一部の集落では、",
        ],
        "到達点": ["SCと包括が月1", "18集落の「集落", "モデル2集落で、", "訪問型サービスB"],
        "支援内容": ["ヒアリング結果を", "2集落を歩き、区", "集落カルテに載せ", "他町の移動支援("],
    }


def test_a_line_among_a_label_cells_fragments_is_its_rows_first_cell(tmp_path, settings):
    """poppler reads a label cell with the cells of its height (r03_aobano, page 2 of
    corpora/sample_txt/pdftotext): what stands among 実施内 / 容, or on a line with one,
    is the first session's, though the other sessions' bullets came first."""
    lines = [
        "第1回", "第2回", "第3回", "日時：令和3年8月26日（木）10:00～15:00",
        "日時：令和3年11月16日（火）13:30～16:00", "日時：令和4年2月8日（火）13:30～16:00",
        "場所：青葉野町役場 2階 会議室", "場所：オンライン（Zoom）",
        "場所：青葉野町保健福祉センター 会議室", "基本情\n報",
        "○ 集落ごとの実態把握の方法の検討", "○ 集落アンケート結果の報告",
        "○ 他町の移動支援の事例紹介", "○ 次年度の取組の整理", "○ 事前ヒアリング結果の共有",
        "実施内 ○ 集落の見学（上川内地区・奥谷地区）\n容",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, slide("実施概要", lines))
    # the order of the others (2, 3, 2, 3, then 1) is not read yet: only the label's line
    assert ("実施内容", 1, "集落の見学(上川内地区・奥谷地区)") in items


def test_a_cell_read_on_after_a_label_and_header_set_among_its_lines(tmp_path, settings):
    """poppler's order on r03_kitahamadai (corpora/sample_txt/pdftotext, page 2): the
    first cell's first bullet, then the label 実 / 施 / 内 / 容 and the header 第2回, then
    the rest of that cell, and only then the other cells by turns."""
    lines = [
        "第1回", "基\n本\n情\n報", "第3回",
        "日時：令和3年7月20日（火）14:00～17:00", "日時：令和3年10月19日（火）13:30～16:30",
        "日時：令和4年1月27日（木）13:30～16:00", "場所：北浜台市役所 本庁舎 8階 大会議室",
        "場所：オンライン（Zoom）", "場所：北浜台市総合福祉センター 2階 研修室A",
        "・ 事前ヒアリングの結果報告", "実\n施\n内\n容", "第2回",
        "・ 講義「地域づくりにおける市の役割」\n・ 圏域ごとの強みと課題の共有（グループワー\nク）",
        "・ 圏域別データ（KDB・ニーズ調査）の読み方演\n習",
        "・ 通所型サービスCの対象者像と利用までの流れの\n検討",
        "・ 第２層SCの活動の棚卸し", "・ 次年度の取組方針の確認",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, slide("実施概要", lines))
    sessions = {text[:6]: s for block, s, text in items if block == "実施内容"}
    # the order of the last two is not read yet: only the cell read on
    assert [sessions[k] for k in ("事前ヒアリン", "講義「地域づ", "圏域ごとの強")] == [1, 1, 1]
    assert (sessions["圏域別データ"], sessions["通所型サービ"]) == (2, 3)


def test_a_key_only_one_cell_holds_starts_no_new_round(tmp_path, settings):
    """poppler's order on 美原野市 (r03_report_set_a, corpora/sample_txt/pdftotext): rows
    read across, 内容：… of the second cell after the third's 場所. A key that not every
    cell holds is no new round of the row from its first cell."""
    lines = [
        "第1回", "基\n本\n情\n報", "実\n施\n内\n容", "第2回", "第3回",
        "日時：令和3年9月16日（木）13:30～16:30", "日時：令和3年11月11日（木）13:30～16:30",
        "日時：令和4年1月20日（木）14:00～16:00", "場所：美原野市役所 5階 504会議室",
        "場所：美原野市役所 5階 504会議室", "参加者：高齢福祉課 4名、介護保険課 4名",
        "参加者：高齢福祉課 3名、介護保険課 4名、地域包\n括支援センター 6名、第2層SC 6名",
        "場所：オンライン（Zoom）※感染拡大のため対面\nから変更",
        "内容：サービスの目的と対象者像の整理（グループ\nワーク）",
        "参加者：高齢福祉課 3名、介護保険課 3名、地域包\n括支援センター 6名、通所型サービスA事業所 3名",
        "• 事前ヒアリング結果の共有", "• 通所型サービスA利用者の事例分析",
        "• 再編の方向性（案）の検討", "• 総合事業の各サービスの目的と実績の確認",
        "• サービスごとの対象者像の整理", "• 事業者との意見交換",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, slide("実施概要", lines))
    assert ("基本情報", 2, "内容:サービスの目的と対象者像の整理(グループワーク)") in items


def test_laid_out_a_line_past_the_gap_below_a_tall_label_is_the_next_rows(tmp_path, settings):
    """pdftotext -layout keeps a slide's geometry: a narrow label cell taller than its
    row's text (取 / り / 組 / … / と) ends above the blank lines between two rows, and the
    next row's first line stands below that gap, before the next label (課 / 題) begins.
    The deck as pdftotext -layout wrote it from an Impress export (a dev document)."""
    text = (OFFICE_TXT / "pdftotext_layout" / "r06_report_set_f.txt").read_text(encoding="utf-8")
    result, _ = read(tmp_path, settings, text)
    items = [
        (i.block, i.session, compact(i.text)) for i in result.items if i.municipality == "八雲沢町"
    ]
    rows = {block: [t[:6] for b, _, t in items if b == block] for block in ("目指す姿", "課題意識")}
    assert rows["目指す姿"] == ["冬でも町営住", "通院・買い物"]
    assert rows["課題意識"][:2] == ["スノーバスタ", "バス廃止後の"]


def test_laid_out_a_short_line_right_of_a_label_column_is_no_fragment(tmp_path, settings):
    """pdftotext -layout sets a narrow label (実 / 施 / 内 / 容) beside the session cells'
    bullets, and the short wrapped end of a bullet further right (紹介) stands between two
    of its characters: it is no fragment of the label, which is read whole. The report as
    pdftotext -layout wrote it from a reportlab dev PDF."""
    path = OFFICE_TXT.parent / "sample_txt" / "pdftotext_layout" / "r05_report_set_c.txt"
    result, _ = read(tmp_path, settings, path.read_text(encoding="utf-8"))
    items = [
        (i.session, compact(i.text)[:8])
        for i in result.items
        if (i.municipality, i.block) == ("桜波町", "実施内容")
    ]
    assert items == [
        (1, "事前ヒアリングで"),
        (1, "汐見島の住民との"),
        (2, "要支援者128人"),
        (2, "他の離島町におけ"),
        (3, "訪問型サービスB"),
        (3, "欠航時の訪問の取"),
        (3, "次年度に向けた取"),
    ]


def test_spaces_a_tool_wrote_around_numbers_count_toward_a_full_line(tmp_path, settings):
    """Office PDFs leave a gap around Latin text and numbers, and extractors write it as
    a space (延べ 412 人（う / ち小中学生 156 人）だが、…場がな): those spaces took room in the
    box, so a line that holds them ran to its edge and the next line goes on with it.
    The deck as pdftotext -layout wrote it from an Impress export (a dev document)."""
    path = OFFICE_TXT / "pdftotext_layout" / "r06_shimotsuki.txt"
    result, _ = read(tmp_path, settings, path.read_text(encoding="utf-8"))
    texts = [compact(i.text) for i in result.items if i.block == "アセスメント結果"]
    assert (
        "認知症サポーター養成講座の受講者は延べ412人(うち小中学生156人)だが、受講後に活動する場が"
        "なく、見守りの担い手としては数えられていない"
    ) in texts


def test_side_by_side_boxes_of_unlike_widths_are_not_read_swapped(tmp_path, settings):
    """pdfplumber on 朱鷺野町 (r04_tokino, corpora/sample_txt/pdfplumber): three boxes
    joined line by line. The two right-hand boxes both start with a heading, so a first
    reading may put each one's lines in the other and measure the widths swapped; read
    again in the other order, the row is read consistently."""
    lines = [
        "実施内容と実施結果",
        "朱鷺野町（人口 約1.1万人・高齢化率 41.2%（令和3年7月豪雨の被災地）） 令和4年度 市町村伴走支援",
        "事前ヒアリングのアセスメント結果 3回の伴走支援を終えた後の到達点 実際の支援内容",
        "・見守り対象190世帯のうち介護保険サービ 【朱鷺野町の到達点】 支援1回目",
        "スを使っているのは38世帯で、残りの世 ・センター終了後の見守りを包括・社協・民生委員",
        "・発災からの1年間を関係者と時系列で書き",
        "帯の状況は包括が把握していない で分け持つ「見守り移行計画（案）」をまとめた",
        "出し、誰が何を担ってきたかを見える形に",
        "・生活支援相談員は地元出身で地域の事情に ➢ 190世帯を状態に応じて3区分し、区分ごとに した",
        "主な担当を決めた",
        "詳しく、訪問の記録も丁寧に残している",
        "支援2回目",
        "➢ 令和5年度は相談員と包括職員が同行訪問して",
        "・仮設のお茶会は入居者の楽しみになってい",
        "引き継ぐ ・仮設のお茶会に加わり、入居者の声を直接",
        "るが、運営は相談員任せで、住民の出番が",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, "\n".join(lines) + "\n")
    texts = {block: [t for b, _, t in items if b == block] for block in ("到達点", "支援内容")}
    assert texts["到達点"] == [
        "センター終了後の見守りを包括・社協・民生委員で分け持つ「見守り移行計画(案)」をまとめた",
        "190世帯を状態に応じて3区分し、区分ごとに主な担当を決めた",
        "令和5年度は相談員と包括職員が同行訪問して引き継ぐ",
    ]
    assert (
        texts["支援内容"][0]
        == "発災からの1年間を関係者と時系列で書き出し、誰が何を担ってきたかを見える形にした"
    )


def test_a_sub_heading_spaced_apart_starts_a_column_of_its_own(tmp_path, settings):
    """pdfplumber on 霜月村 (r06_shimotsuki, corpora/office_txt/pdfplumber): office PDFs set
    the number of 支援 1 回目 apart, and the sub-heading still starts the third box's
    column; it is no text of the second box's heading line."""
    lines = [
        "実施内容と実施結果",
        "霜月村（人口 約 2,900 人・高齢化率 49.6% （特別豪雪地帯））",
        "事前ヒアリングのアセスメント結果 3 回の伴走支援を終えた後の到達点 実際の支援内容",
        "• R5 年度に新たに要支援・要介護となった 38 人のうち、 【霜月村の到達点】 支援 1 回目",
        "4 ～ 6 月の申請が 17 人（ 44.7% ） • 14 集落の「冬越しマップ」を作成し、独居・高齢者のみ世帯、"
        " • 2 集落を訪ね、区長・民生委員から冬",
        "• 除雪の助け合いが続いている集落と、途絶えた集落が 除雪の担い手、通院の手段、冬期に見守りが必要な人を集落"
        " の暮らしと除雪の実態を聞いた",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, "\n".join(lines) + "\n")
    assert [t for b, _, t in items if b == "到達点"] == [
        "14集落の「冬越しマップ」を作成し、独居・高齢者のみ世帯、除雪の担い手、通院の手段、冬期に見守りが必要な人を集落"
    ]
    assert [t for b, _, t in items if b == "支援内容"] == [
        "2集落を訪ね、区長・民生委員から冬の暮らしと除雪の実態を聞いた"
    ]


def test_a_line_repeated_within_one_slide_is_no_footer(tmp_path, settings):
    """pdfminer on 若松原町 (r03_report_set_a): the same wrapped line of participants ends
    two session cells, and a third cell on another slide: three times in the text, like a
    footer, but a footer stands once on a slide."""
    cells = [
        "第1回", "第2回", "第3回", "日時：令和3年8月4日（水）", "日時：令和3年10月21日（木）",
        "日時：令和3年12月9日（木）",
        "参加者：福祉介護課 3名、地域包括支援センター 3\n名、生活支援コーディネーター 1名",
        "参加者：福祉介護課 3名、地域包括支援センター 2\n名、生活支援コーディネーター 1名、シルバー人材"
        "\nセンター 2名",
        "参加者：福祉介護課 3名、地域包括支援センター 3\n名、生活支援コーディネーター 1名",
        "基\n本\n情\n報",
    ]  # fmt: skip
    other = "参加者：保健福祉課 3名、地域包括支援センター 4\n名、生活支援コーディネーター 1名"
    body = "\n\n".join(cells) + "\n"
    text = (
        f"実施概要\n{SUBTITLE}\n{body}\f実施概要\n{SUBTITLE}\n第1回\n\n基\n本\n情\n報\n\n{other}\n"
    )
    _, items = read(tmp_path, settings, text)
    full = "参加者:福祉介護課3名、地域包括支援センター3名、生活支援コーディネーター1名"
    assert ("基本情報", 1, full) in items
    assert ("基本情報", 3, full) in items


def test_items_each_a_paragraph_of_their_own_are_read_across_the_row(tmp_path, settings):
    """pdfminer on 桜波町 (r05_report_set_c): every bullet is a text box of its own, and
    the boxes of a row's cells side by side come across the row, then the next row (the
    dates across too, the other keys cell by cell: the text is not one read across)."""
    lines = [
        "第1回", "第2回", "第3回", "日時：令和5年7月12日（水）", "日時：令和5年10月4日（水）",
        "日時：令和6年1月24日（水）", "場所：役場 2階 第1会議室", "参加者：福祉保健課 3名",
        "場所：保健センター 研修室", "参加者：福祉保健課 2名", "場所：公民館 大会議室",
        "参加者：福祉保健課 4名", "○ 事前ヒアリングで見えてきた課題の報告",
        "○ 要支援者の状態像とサービス利用状況の確認", "○ 訪問型サービスBのモデル実施に向けた検討",
        "○ 住民との意見交換（区長・民生委員）", "○ 他の離島町における生活支援の事例紹介",
        "○ 欠航時の訪問の取り扱いの検討", "基\n本\n情\n報", "実\n施\n内\n容",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, slide("実施概要", lines))
    assert [(s, t) for b, s, t in items if b == "実施内容"] == [
        (1, "事前ヒアリングで見えてきた課題の報告"),
        (1, "住民との意見交換(区長・民生委員)"),
        (2, "要支援者の状態像とサービス利用状況の確認"),
        (2, "他の離島町における生活支援の事例紹介"),
        (3, "訪問型サービスBのモデル実施に向けた検討"),
        (3, "欠航時の訪問の取り扱いの検討"),
    ]


def test_the_cells_of_a_row_list_their_keys_in_one_order(tmp_path, settings):
    """pdfminer on 美原野市 (r03_report_set_a): the third cell's 場所 comes after the first
    two cells' 参加者 and the second's 内容. Read as 日時, 参加者, 場所 in the third cell,
    its keys would go against the order of the others (日時, 場所, 参加者)."""
    lines = [
        "第1回", "第2回", "第3回", "日時：令和3年9月16日（木）13:30～16:30",
        "日時：令和3年11月11日（木）13:30～16:30", "日時：令和4年1月20日（木）14:00～16:00",
        "場所：美原野市役所 5階 504会議室", "場所：美原野市役所 5階 504会議室",
        "参加者：高齢福祉課 4名、介護保険課 4名",
        "参加者：高齢福祉課 3名、介護保険課 4名、地域包\n括支援センター 6名、第2層SC 6名",
        "内容：サービスの目的と対象者像の整理（グループ\nワーク）",
        "場所：オンライン（Zoom）※感染拡大のため対面\nから変更",
        "参加者：高齢福祉課 3名、介護保険課 3名、地域包\n括支援センター 6名、通所型サービスA事業所 3名",
        "• 事前ヒアリング結果の共有", "• 通所型サービスA利用者の事例分析",
        "• 再編の方向性（案）の検討", "• 総合事業の各サービスの目的と実績の確認",
        "• サービスごとの対象者像の整理", "• 事業者との意見交換", "基\n本\n情\n報",
        "実\n施\n内\n容",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, slide("実施概要", lines))
    keys = {
        s: [t.split(":")[0] for b, s2, t in items if s2 == s and b == "基本情報"] for s in (1, 2, 3)
    }
    assert keys == {1: ["日時", "場所", "参加者"], 2: ["日時", "場所", "参加者", "内容"],
                    3: ["日時", "場所", "参加者"]}  # fmt: skip
    assert ("基本情報", 1, "参加者:高齢福祉課4名、介護保険課4名") in items


def test_a_heading_wrapped_after_the_word_that_names_its_block_is_heading(tmp_path, settings):
    """pdfminer on 鈴音市 (r04_suzune, A4): a narrow box's heading wraps as
    事前ヒアリングのアセスメント / 結果; its first line names the block already, and 結果 is
    the heading's last word, not an item."""
    lines = [
        "事前ヒアリングのアセスメント\n結果", "3回の伴走支援を終えた後の到達\n点", "実際の支援内容",
        "○ 町の方針が示されて\nいない", "【楠原町の到達点】", "○ 月1回の定例会を持つことに\nした",
        "支援1回目", "○ ヒアリング結果を共有した",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, slide("実施内容と実施結果", lines))
    assert items == [
        ("アセスメント結果", None, "町の方針が示されていない"),
        ("到達点", None, "月1回の定例会を持つことにした"),
        ("支援内容", None, "ヒアリング結果を共有した"),
    ]


def test_a_box_read_on_after_the_boxes_beside_it_costs_one_return(tmp_path, settings):
    """poppler on 銀嶺町 (r05_ginrei, office): the first box's first bullet, then the two
    boxes beside it whole, then the rest of the first box. Going back costs once, not for
    every line of the box."""
    lines = [
        "事前ヒアリングのアセスメント結果", "伴走支援の到達点", "実際の支援内容",
        "• 新規申請（ R3 年度 96 件）の 41% が 3 ～ 5 月。", "【銀嶺町の到達点】",
        "• 冬の介護予防として、ケーブルテレビで百歳体操を毎日\n放送（ R4 年 12 月～）。各会場の"
        "世話役が週 1 回、参加\n者に電話をかけて体操の様子と体調を確かめる",
        "• R5 年度から第２層 SC を社協に 1 名委託配置する予算を\n確保。第 1 層 SC の兼務は継続",
        "• 認知症カフェは感染状況を見ながら、 R5 年度中の再開\nを社協と検討する",
        "支援 1 回目\n• 新規申請の月別・原因疾患別の集計を一緒に行い、\n「春に増える」ことをデータで"
        "確かめた\n支援 2 回目\n• 集落を訪ね、冬の暮らしと除雪の支え合いを聞き\n取った\n"
        "• 訪問型サービス C の組み立てを PT と検討",
        "主な原因疾患は骨折・筋力低下が多い\n• 冬季休止の 15 か所は、会場（集会所）の除雪と暖\n"
        "房費を世話役が負担できないことが理由\n• 社協は地域福祉活動計画で「雪の支え合い」を掲げ\n"
        "ているが、町・包括とは共有されていない\n• 集落によっては近所同士の雪かきの助け合いが続い\n"
        "ており、区長が把握している",
        "⚫ 冬季の予防と、冬明けの短期集中をつなぐ形が見えた",
    ]  # fmt: skip
    subtitle = "銀嶺町（人口 約 9,600 人・高齢化率 41.8% （特別豪雪地帯））"
    _, items = read(tmp_path, settings, slide("実施内容と実施結果", lines, subtitle))
    assessed = [t for b, _, t in items if b == "アセスメント結果"]
    assert (
        "冬季休止の15か所は、会場(集会所)の除雪と暖房費を世話役が負担できないことが理由" in assessed
    )
    assert "集落によっては近所同士の雪かきの助け合いが続いており、区長が把握している" in assessed


def test_a_wrapped_line_that_is_a_common_word_is_no_label(tmp_path, settings):
    """困りごと alone on a line is the wrapped end of a bullet, not a label: a label's
    wording (課題意識・困りごと) is matched whole, never a bare word content may hold."""
    text = (
        f"伴走支援前の状況\n{SUBTITLE}\n現\n状\n• 免許を返納した高齢者の買い物・通院の\n困りごと\n"
        "• SC は社協に委託\n課\n題\n意\n識\n• SC が 1 人で全域を担当している\n"
    )
    _, items = read(tmp_path, settings, text)
    assert items == [
        ("現状", None, "免許を返納した高齢者の買い物・通院の困りごと"),
        ("現状", None, "SCは社協に委託"),
        ("課題意識", None, "SCが1人で全域を担当している"),
    ]


@pytest.mark.parametrize("glyph", ["●", "\uf06c"])  # typed, or Wingdings l as extractors give it
def test_a_bullet_that_is_also_the_summary_mark_is_a_bullet_where_summaries_use_another(
    tmp_path, settings, glyph
):
    """● leads まとめ lines and is also a bullet (a Word list's, Wingdings l). Where the
    text's まとめ lines use ⚫, which is no bullet, every ● line is an item of its cell,
    in whatever order the tool wrote the lines."""
    text = slide(
        "伴走支援前の状況",
        [
            "⚫ 担い手の確保が先",
            "現\n状",
            f"{glyph} SC は社協に委託",
            f"{glyph} 包括は直営",
            "課題意識",
            f"{glyph} SC が 1 人で全域を担当",
        ],  # fmt: skip
    )
    _, items = read(tmp_path, settings, text)
    assert items == [
        ("現状", None, "SCは社協に委託"),
        ("現状", None, "包括は直営"),
        ("課題意識", None, "SCが1人で全域を担当"),
        ("まとめ", None, "担い手の確保が先"),
    ]
    _, items = read(tmp_path, settings, text.replace("⚫", glyph))  # ● alone: it is まとめ
    assert ("まとめ", None, "担い手の確保が先") in items


def test_a_long_section_heading_wrapped_before_its_title_starts_the_next_municipality(
    tmp_path, settings
):
    """An A4 report of two municipalities, as pypdfium2 writes it (no page marks): the
    second section's heading (２．B市（人口 …）) is too long for one line and stands,
    wrapped, before the title it opens. It and its wrapped rest are that section's
    header, not the end of the first section's last box or the start of the next."""
    first = slide("伴走支援前の状況", ["現状", "・包括は直営", "⚫ まず体制から"],
                  subtitle="１．楠原町（人口 約1万人）", gap="\n")  # fmt: skip
    second = slide(
        "伴走支援前の状況",
        ["現状", "・SC は社協に委託", "⚫ つながりが先"],
        subtitle="２．柏葉市（人口 約 6.3 万人・高齢化率 27.4%（県庁所在地に隣接す\nるベッドタウン））",
        gap="\n",
    )
    # the tool writes the heading first, then the title
    second = "\n".join(
        [*second.splitlines()[1:3], second.splitlines()[0], *second.splitlines()[3:]]
    )
    result, items = read(tmp_path, settings, first + second)
    assert items == [
        ("現状", None, "包括は直営"),
        ("まとめ", None, "まず体制から"),
        ("現状", None, "SCは社協に委託"),
        ("まとめ", None, "つながりが先"),
    ]
    assert [i.municipality for i in result.items] == ["楠原町"] * 2 + ["柏葉市"] * 2


def test_a_narrow_box_first_read_as_wide_is_read_again_at_its_own_width(tmp_path, settings):
    """pdfplumber on 沖鳴村 (r06_okinari, corpora/office_txt/pdfplumber): three boxes of
    unlike widths joined line by line, the right one narrow. Read from one width for
    every box, the narrow box takes lines of the others and every width measured is wide,
    so no order of those widths reads the row; set to a narrower width its lines show,
    the box keeps its own lines and the others theirs."""
    text = (OFFICE_TXT / "pdfplumber" / "r06_okinari.txt").read_text(encoding="utf-8")
    boxes = text[text.index("実施内容と実施結果") :]
    _, items = read(tmp_path, settings, boxes)
    assert [t for b, _, t in items if b == "アセスメント結果"] == [
        "要介護・要支援認定者の約7割が独居または高齢者のみ世帯",
        "困りごとの上位は「重い物の運搬」「草刈り」「本土への通院の付き添い」",
        "本土への通院は診察10分のために往復で丸1日かかり、付き添う家族(多くは島内で働く60代の子)が仕事を休んでいる",
        "地区ごとに「寄り合い」「お茶飲み」の習慣が残り、安否確認が自然に行われている。ただし東浦地区は空き家が増え、隣家まで200m以上の世帯もある",
        "漁協女性部や元役場職員など、60代後半で「手伝ってもいい」という住民がいる。ただし「有償でないと頼みにくい」「頼まれれば行くが自分からは言えない」とも",
        "SCの地区訪問は月数時間。社協内でSC業務と事務局長業務が切り分けられておらず、SCの活動記録もない",
        "支え合い会議は社協・村からの報告が中心。委員(区長・民生委員・老人クラブ会長)からは「毎回聞くだけで、何を決めたのかわからない」との声",
        "認知症サポーター養成講座はR元年度以降未実施。認知症の人が港まで歩いて行き、船員に保護された例が年に数件ある",
        "特養では島内での看取りをR4年度に3件行ったが、本人・家族とACP(人生会議)を話し合う機会は少ない",
    ]  # fmt: skip
    assert [t[:8] for b, _, t in items if b == "到達点"][:3] == [
        "村の方針を「島で",
        "有償ボランティア",
        "登録の呼びかけは",
    ]


def test_a_session_table_run_on_to_the_next_page_keeps_its_sessions(tmp_path, settings):
    """An A4 report's session table over a page break: the page after it (a form feed, a
    running header, no title) has the 実施内容 row without the 第1回 … header row, read a
    column at a time (pdftotext -raw). Its cells are still the sessions of the page
    before, not one cell without a session."""  # r05_hotarugawa's Writer PDF
    first = slide("実施概要", ["第 1 回 第 2 回", "基本情\n報", "日時：7月12日", "日時：10月4日"],
                  gap="\n")  # fmt: skip
    second = "実施内\n容\n・課題の報告\n・地図の確認\n・座談会\n・試乗\n"
    _, items = read(tmp_path, settings, first + "\f" + second)
    assert [(b, s) for b, s, _ in items if b == "実施内容"] == [("実施内容", 1)] * 2 + [
        ("実施内容", 2)
    ] * 2


def test_bullets_set_apart_from_their_lines_are_given_back(tmp_path, settings):
    """poppler on a Word list whose glyph a tab sets off (r05_sayokawa, corpora/office_txt/
    pdftotext): the glyphs come out on lines of their own, before the labels, and the
    items' lines after them all. As many lines start an item as there are glyphs: those
    after a line that ended short of the box's width, not the wrapped rest of a line."""
    body = (
        "現状\n\n•\n•\n\n目指す\n姿\n\n•\n\n"
        "包括は町直営1か所で、社会福祉士1名と保健師2名を配置して\nいる\n"
        "SC は社協に委託\n車がなくても通える町\n"
    )
    _, items = read(tmp_path, settings, f"伴走支援前の状況\n{SUBTITLE}\n{body}")
    assert items == [
        ("現状", None, "包括は町直営1か所で、社会福祉士1名と保健師2名を配置している"),
        ("現状", None, "SCは社協に委託"),
        ("目指す姿", None, "車がなくても通える町"),
    ]


def test_a_glyph_above_its_line_and_the_wrapped_end_set_between(tmp_path, settings):
    """poppler on typed ■ bullets (r06_keyakigadai): each glyph on a line of its own above
    its item's line, and the wrapped end of a line (む) set between the two."""
    lines = [
        "現状", "■", "包括は委託6か所", "■", "む", "第2層SCの活動を月8時間以上とし、委託仕様書に書き込",
        "課題意識", "■", "SCが1人で全域を担当している",
    ]  # fmt: skip
    _, items = read(tmp_path, settings, slide("伴走支援前の状況", lines))
    assert items == [
        ("現状", None, "包括は委託6か所"),
        ("現状", None, "第2層SCの活動を月8時間以上とし、委託仕様書に書き込む"),
        ("課題意識", None, "SCが1人で全域を担当している"),
    ]


def test_a_session_table_read_a_session_at_a_time(tmp_path, settings):
    """poppler on a Writer table (r05_sayokawa, page 2): each session's column read down,
    its 基本情報 and its 実施内容, before the next session's."""
    body = (
        "第1回\n\n第2回\n\n第3回\n\n基本情\n報\n\n"
        "日時：令和4年7月6日\n（水）13:30～16:00\n場所：役場3階\n\n実施内\n容\n\n"
        "• 事前ヒアリング結果の共有\n\n"
        "日時：令和4年10月19日\n（水）10:00～12:00\n場所：社協2階\n"
        "• 団地の見学\n• 困りごと調べの検討\n• 事例紹介\n\n"
        "日時：令和5年1月25日\n（水）13:30～15:30\n場所：オンライン\n"
        "• 結果報告\n• 移動支援の整理\n"
    )
    _, items = read(tmp_path, settings, f"実施概要\n{SUBTITLE}\n{body}")
    cells = {(b, s): [] for b, s, _ in items}
    for b, s, t in items:
        cells[(b, s)].append(t)
    assert cells == {
        ("基本情報", 1): ["日時:令和4年7月6日(水)13:30~16:00", "場所:役場3階"],
        ("基本情報", 2): ["日時:令和4年10月19日(水)10:00~12:00", "場所:社協2階"],
        ("基本情報", 3): ["日時:令和5年1月25日(水)13:30~15:30", "場所:オンライン"],
        ("実施内容", 1): ["事前ヒアリング結果の共有"],
        ("実施内容", 2): ["団地の見学", "困りごと調べの検討", "事例紹介"],
        ("実施内容", 3): ["結果報告", "移動支援の整理"],
    }


def test_cells_read_across_in_step_and_two_joined_on_a_line(tmp_path, settings):
    """poppler on r06_okinari, page 2: the first session's cell read down, then the other
    two across, line by line in step (the second's date wraps, so its 場所 comes after
    the third's), and where both cells have a line at one height, one line holds the
    two (参加者：… 備考：…)."""
    body = (
        "第1回\n\n基本情報\n\n第2回\n\n第3回\n\n"
        "日時：令和5年6月20日（火）13:00～16:30\n場所：役場2階 大会議室\n参加者：住民福祉課 2名\n\n"
        "日時：令和5年9月12日（火）18:30～20:30、\n日時：令和5年12月5日（火）10:00～12:00\n"
        "13日（水）9:00～12:00\n場所：オンライン（Zoom）\n場所：開発総合センター、特別養護老人ホー\n"
        "参加者：住民福祉課 2名（課長含む）、包括 2名、\nム しおさい荘\nSC 1名、社協 1名\n"
        "参加者：住民福祉課 2名、社協 3名 備考：冬季欠航のため対面から変更\n"
    )
    _, items = read(tmp_path, settings, f"実施概要\n{SUBTITLE}\n{body}")
    cells = {s: [t for b, s2, t in items if s2 == s] for s in (1, 2, 3)}
    assert cells == {
        1: ["日時:令和5年6月20日(火)13:00~16:30", "場所:役場2階大会議室", "参加者:住民福祉課2名"],
        2: [
            "日時:令和5年9月12日(火)18:30~20:30、13日(水)9:00~12:00",
            "場所:開発総合センター、特別養護老人ホームしおさい荘",
            "参加者:住民福祉課2名、社協3名",
        ],
        3: [
            "日時:令和5年12月5日(火)10:00~12:00",
            "場所:オンライン(Zoom)",
            "参加者:住民福祉課2名(課長含む)、包括2名、SC1名、社協1名",
            "備考:冬季欠航のため対面から変更",
        ],
    }


def test_a_session_table_going_on_over_a_page_break_keeps_its_sessions(tmp_path, settings):
    """A Writer report's session table whose 実施内容 row went on to the next page
    (r05_hotarugawa): that page has neither a title nor the session header, so its cells
    are the sessions of the page before. The report's running header, the first line of
    every page, is no item."""
    first = (
        "令和5年度 地域支援事業 実施報告書\n\n実施概要\n" + SUBTITLE + "\n基本情\n報\n\n"
        "第1回\n\n第2回\n\n"
        "日時：令和5年7月12日（水）13:30～16:00\n場所：役場2階 大会議室\n\n"
        "日時：令和5年10月4日（水）10:00～15:30\n場所：上流地区コミュニティセンター\n"
    )
    second = (
        "令和5年度 地域支援事業 実施報告書\n実施内\n容\n\n"
        "・ ヒアリングで見えた課題の報告\n\n・ 乗合タクシーの使い方説明と試乗\n\n"
        "支援体\n制\n\n・ 地域づくりアドバイザー 2名\n"
    )
    _, items = read(tmp_path, settings, f"{first}\f{second}")
    assert [(b, s, t) for b, s, t in items if b != "基本情報"] == [
        ("実施内容", 1, "ヒアリングで見えた課題の報告"),
        ("実施内容", 2, "乗合タクシーの使い方説明と試乗"),
        ("支援体制", None, "地域づくりアドバイザー2名"),
    ]


def test_a_session_header_over_its_own_columns_lines(tmp_path, settings):
    """poppler on a Writer table (r07_report_set_i): each session's column read down under
    its own header (第1回 / 日時：… / ○… / 第2回 / …): the header says whose lines follow,
    whatever the cells' item counts."""
    body = (
        "基本情\n報\n実施内\n容\n\n第1回\n\n"
        "日時：令和7年7月15日（火）\n場所：本庁舎 3階\n○事前ヒアリング結果の共有\n"
        "○地区別データの読み方（講義と\n演習）\n\n第2回\n\n"
        "日時：令和7年10月7日（火）\n場所：奥沢支所\n○奥沢地区の話し合い\n\n第3回\n\n"
        "日時：令和8年1月20日（火）\n場所：本庁舎 3階\n○総合事業の見直し方針案の検討\n"
    )
    _, items = read(tmp_path, settings, f"実施概要\n{SUBTITLE}\n{body}")
    assert [(s, t) for b, s, t in items if b == "実施内容"] == [
        (1, "事前ヒアリング結果の共有"),
        (1, "地区別データの読み方(講義と演習)"),
        (2, "奥沢地区の話し合い"),
        (3, "総合事業の見直し方針案の検討"),
    ]


def test_a_reports_short_items_under_session_subheadings_stay_in_their_block(settings):
    # a Writer report's lists (pdftotext): every item ends on its line, so short lines
    # that reach alike tell nothing of a box's width, and a longer item is no other box's
    result = read_file(OFFICE_TXT / "pdftotext" / "r06_report_set_l.txt", settings)
    support = [
        compact(i.text)
        for i in result.items
        if i.municipality == "雪代町" and i.block == "支援内容"
    ]
    assert len(support) == 6
    assert support[0].startswith("冬の困りごとを「外出」「雪処理」「見守り」に分けて")


def test_laid_out_a_line_beside_a_labels_first_fragment_is_that_rows(settings):
    # pdftotext -layout: 取り組 団地の住民同士で… / みたい 訪問型… / こと: the row's first
    # item shares its line with the label's first fragment, after the row above ended
    result = read_file(OFFICE_TXT / "pdftotext_layout" / "r05_sayokawa.txt", settings)
    rows = {
        block: [compact(i.text) for i in result.items if i.block == block]
        for block in ("現状", "目指す姿", "課題意識")
    }
    assert rows["目指す姿"][0].startswith("団地の住民同士で")
    assert rows["課題意識"][0].startswith("包括は要支援者のプラン作成")
    assert not any(t.startswith("団地の住民同士で") for t in rows["現状"])


def test_a_tall_labels_row_starting_above_it_takes_the_item_its_words_fit(tmp_path, settings):
    """pdfplumber (cells joined in one line): a tall label cell (目指す / 姿・取 / … / と) has
    its row start a line above it, where the layout alone reads the row above on; the
    words say which row the item between them is (…つくりたい is no 現状)."""
    body = (
        "・包括は町直営1か所で、社会福祉士1名と保健師2名を配置している\n"
        "・SCは社協に委託し1名、第1層と第2層を兼ねている\n"
        "現 ・通いの場は町内に12か所あり、体操が中心\n"
        "状 ・総合事業は現行相当のみで、サービスAとBはない\n"
        "・町営バスは1日4便で、山側の集落は路線の外にある\n"
        "・車がなくても買い物や通院に困らない暮らしをつくりたい\n"
        "目指す ・住民同士で支え合える地域にしたい\n"
        "姿・取\nり組み\nたいこ\nと\n"
        "・SCが1人で全域を担当している\n"
        "課題意 ・担い手が高齢化している\n"
        "識\n"
    )
    _, items = read(tmp_path, settings, f"伴走支援前の状況\n{SUBTITLE}\n{body}")
    wanted = [t for b, _, t in items if b == "目指す姿"]
    assert wanted == [
        "車がなくても買い物や通院に困らない暮らしをつくりたい",
        "住民同士で支え合える地域にしたい",
    ]


@pytest.mark.parametrize("tool", ["pdfminer", "pdftotext_raw"])
def test_a_summary_glyph_an_extractor_set_after_the_latin_word_starts_its_line(settings, tool):
    # LibreOffice draws ⚫ in a symbol font: pdfminer gives "SC⚫ の委託先…", pdftotext -raw
    # "SC" on a line of its own above "⚫ の委託先…"
    result = read_file(OFFICE_TXT / tool / "r05_report_set_p.txt", settings)
    summary = [compact(i.text) for i in result.items if i.block == "まとめ"]
    assert "SCの委託先ごとの違いをそろえることが、最初の一歩になる" in summary
    assert "会議は三層そろっているが、課題が市の施策まで上がる道がない" in summary


def test_a_footer_that_ends_with_the_municipalitys_name_is_no_item(settings):
    # 令和 4 年度 市町村伴走支援事業 柊野市 on every slide (pdftotext): not the end of the
    # slide's last item; the subtitle 柊野市（人口…） still names the municipality
    result = read_file(OFFICE_TXT / "pdftotext" / "r04_hiiragino.txt", settings)
    assert not [i.text for i in result.items if "伴走支援事業" in compact(i.text)]
    assert {i.municipality for i in result.items} == {"柊野市"}


def _office_gold(doc: str, block: str) -> dict[str, list[tuple[int | None, str]]]:
    gold = __import__("json").loads((OFFICE_TXT / "pdftotext" / "gold.json").read_text("utf-8"))
    files = {d["file"]: d["municipalities"] for d in gold["documents"]}
    return {
        m["municipality"]: [
            (b["session"], compact(i["text"]))
            for b in m["blocks"]
            if b["block"] == block
            for i in b["items"]
        ]
        for m in gold["municipalities"]
        if m["municipality"] in files[f"{doc}.txt"]
    }


@pytest.mark.parametrize("tool", ["pdftotext", "pdfminer"])
def test_a_symbol_bullet_read_as_the_latin1_middle_dot_starts_an_item(settings, tool):
    # Symbol's bullet (0xB7) comes out of the text tools as "·" (U+00B7), also alone on a
    # line above its text: every item of the row, not one run-together paragraph
    result = read_file(OFFICE_TXT / tool / "r06_aikawa.txt", settings)
    for block in ("課題意識", "アセスメント結果", "到達点"):
        got = [(i.session, compact(i.text)) for i in result.items if i.block == block]
        assert got == _office_gold("r06_aikawa", block)["藍川市"], (tool, block)


def test_laid_out_a_row_label_worded_anew_heads_its_session_rows(settings):
    # pdftotext -layout: 日時・ / 場所・ / 出席者 left of the rows' content, the last beside
    # "か所 4 名" (the end of a wrapped cell, no letter of the label), under headers 第 1 回 WG …
    result = read_file(OFFICE_TXT / "pdftotext_layout" / "r06_aikawa.txt", settings)
    got = [(i.session, compact(i.text)) for i in result.items if i.block == "基本情報"]
    assert got == _office_gold("r06_aikawa", "基本情報")["藍川市"]
    assert any("日時・場所・出席者" in w for w in result.document.warnings)


def test_session_headers_worded_anew_over_rows_worded_anew(settings):
    # 1回目の伴走 2回目の伴走 3回目の伴走 on one line, over rows (実施の記録, 取り上げた議題)
    # that no pattern knows either: the rows placed first show it is a session table
    result = read_file(OFFICE_TXT / "pdftotext_layout" / "r06_report_set_r.txt", settings)
    got = [
        (i.session, compact(i.text))
        for i in result.items
        if i.block == "基本情報" and i.municipality == "楠ヶ丘市"
    ]
    assert got == _office_gold("r06_report_set_r", "基本情報")["楠ヶ丘市"]


def test_a_new_wording_above_a_known_one_in_a_one_letter_column_is_a_cell_of_its_own(settings):
    # pdfplumber: 村 / の / い / ま, then 村 / の / あ / り / た / い / 姿 (a known wording),
    # one letter a line among the rows' items; the letters above are 現状's own cell
    result = read_file(OFFICE_TXT / "pdfplumber" / "r03_takasuno.txt", settings)
    for block in ("現状", "目指す姿", "課題意識"):
        got = [(i.session, compact(i.text)) for i in result.items if i.block == block]
        assert got == _office_gold("r03_takasuno", block)["鷹巣野村"], block
    assert any("村のいま" in w and "現状" in w for w in result.document.warnings)


def test_laid_out_a_bullet_a_few_spaces_before_its_text_is_no_cell_of_its_own(settings):
    # pdftotext -layout on a hanging indent: "·   調査の結果が…" is one item, not a lone
    # bullet and a cell further right that the row above reads on into
    result = read_file(OFFICE_TXT / "pdftotext_layout" / "r06_aikawa.txt", settings)
    gold = _office_gold("r06_aikawa", "目指す姿")["藍川市"]
    assert [(i.session, compact(i.text)) for i in result.items if i.block == "目指す姿"] == gold
    problems = [compact(i.text) for i in result.items if i.block == "課題意識"]
    assert problems[0].startswith("調査の結果が担当者の机に置かれたまま")


@pytest.mark.parametrize("tool", ["pdfminer", "pdftotext"])
def test_a_page_without_a_title_goes_on_with_the_slide_before_it(settings, tool):
    # a Writer report's table of three boxes broken by a page (form feed), its headings not
    # repeated: the page's lines are the boxes' own, not その他, and an item cut by the page
    # break (…目標を達成 / し、うち2人は…) is one item
    result = read_file(OFFICE_TXT / tool / "r04_report_set_n.txt", settings)
    assert not [i.text for i in result.items if i.block == "その他"]
    found = [compact(i.text) for i in result.items if i.block == "アセスメント結果"]
    assert "試行の3人は全員が目標を達成し、うち2人は町のいきいき百歳体操に通っている" in found


@pytest.mark.parametrize(
    ("tool", "name", "municipality", "count", "first_of_row"),
    [
        # labels after all of their rows' content (pdfminer): the lines come in row order
        ("pdfminer", "r05_oborozuki.txt", "朧月市", 5, "包括の職員1人あたりの担当件数は"),
        # a report's headings over their lists, the second municipality's mid-page
        ("pdftotext", "r05_report_set_v.txt", "茅ヶ沢町", 5, "包括の運営方針は毎年ほぼ同じ文面で"),
        # a Word list's second level (□ after ■) at no indent: no glyph of a block's own, so
        # a row's □ item does not start the next row
        ("pdfminer", "r03_kazahayadai.txt", "風早台市", 5, "新しく入った会員の平均年齢は"),
    ],
)
def test_rows_one_over_another_keep_their_lines_whatever_their_words(
    settings, tool, name, municipality, count, first_of_row
):
    """現状 items that speak of problems stay in 現状: rows of one table, one over the
    other, come in their order, and the fit of words to blocks does not reorder them."""
    read = read_file(OFFICE_TXT / tool / name, settings)
    now = [
        compact(i.text) for i in read.items if i.municipality == municipality and i.block == "現状"
    ]
    assert len(now) == count
    assert any(text.startswith(first_of_row) for text in now)
