"""Labels worded as configs/blocks.yaml does not know are read by their place.

The sample's own office files, with the labels of some blocks rewritten (現状 → あらまし,
課題意識 → 気がかり, 到達点 → ふりかえり; corpora/officegen/relabel.py), must read to the same
blocks and items as the originals: .pptx and .docx rewritten here, their LibreOffice PDFs
committed in corpora/relabelled/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpora.officegen.relabel import RELABELLED, WORDINGS, relabel
from pipeline.core.normalize import compact
from pipeline.stages.pipeline import read_file
from pipeline.stages.segment.text_wordings import with_wordings

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


def _items(read):
    return [(item.block, item.session, compact(item.text)) for item in read.items]


def _placed(read) -> set[str]:
    """The blocks the reader says it placed by their place."""
    return {
        "sessions" if " session " in warning else warning.rsplit("read as ", 1)[1].split()[0]
        for warning in read.document.warnings
        if "by its place" in warning
    }


@pytest.mark.parametrize(
    ("source", "blocks"),
    [
        # a label column (現状, 目指す姿 both new: the words of their rows decide which is which)
        ("r06_okinari.pptx", ("現状", "目指す姿")),
        # 課題意識 continued on the next slide, alone in its table: the document's own wording
        ("r06_shimotsuki.pptx", ("課題意識", "基本情報", "到達点")),
        # two of a band's three box headings new
        ("r06_keyakigadai.pptx", ("アセスメント結果", "支援内容")),
        # the session table's rows, and its column headers as dates (7月12日, …)
        ("r03_sagiri.pptx", ("実施内容", "支援体制", "sessions")),
        # headings over Word lists
        ("r05_hotarugawa.docx", ("現状", "目指す姿", "アセスメント結果", "支援内容")),
        # labels in table cells, two municipalities
        ("r07_report_set_i.docx", ("課題意識", "基本情報", "到達点", "sessions")),
    ],
)
def test_an_office_file_with_new_label_wordings_reads_like_the_original(
    tmp_path, settings, source, blocks
):
    target = tmp_path / source
    rewritten = relabel(CORPORA / "office" / source, target, blocks)
    assert set(rewritten) == set(blocks)  # the rewrite took: the test is not vacuous
    original, relabelled = (
        read_file(CORPORA / "office" / source, settings),
        read_file(target, settings),
    )
    assert _items(relabelled) == _items(original)
    assert _placed(relabelled) == set(blocks)
    headings = {compact(block.heading) for block in relabelled.blocks}
    assert {WORDINGS[block] for block in blocks if block in WORDINGS} <= headings


@pytest.mark.parametrize(
    ("source", "blocks", "name"), [r[:3] for r in RELABELLED], ids=[r[2] for r in RELABELLED]
)
def test_a_libreoffice_pdf_with_new_label_wordings_reads_like_the_original(
    settings, source, blocks, name
):
    pdf = CORPORA / "relabelled" / f"{Path(name).stem}.pdf"
    original = read_file(CORPORA / "office_pdf" / f"{Path(source).stem}.pdf", settings)
    relabelled = read_file(pdf, settings)
    assert _items(relabelled) == _items(original)
    assert _placed(relabelled) == set(blocks)


def test_a_label_without_a_known_neighbour_stays_other(tmp_path, settings):
    # every label of the results band rewritten: nothing known says which box is which
    target = tmp_path / "r06_keyakigadai.pptx"
    relabel(
        CORPORA / "office" / "r06_keyakigadai.pptx",
        target,
        ("アセスメント結果", "支援内容", "到達点"),
    )
    relabelled = read_file(target, settings)
    assert not {"アセスメント結果", "支援内容", "到達点"} & {b.block for b in relabelled.blocks}
    assert "その他" in {b.block for b in relabelled.blocks}


# --------------------------------------------------------------------------- text

# The relabelled PDFs' text as real extractors wrote it (corpora/relabelled_txt), read to the
# items of the text the same tool wrote from the original PDF: 気 / が / か / り in a narrow label
# column beside 現 / 状, the results band's ふりかえり between two known headings, session columns
# headed 7月12日 …, a report's headings あらまし and 未来予想 over their lists, and more.
TEXT_CASES = [
    ("r05_ginrei", "pdftotext", {"課題意識", "基本情報", "到達点", "sessions"}),
    ("r05_ginrei", "pdftotext_layout", {"課題意識", "基本情報", "到達点", "sessions"}),
    ("r05_ginrei", "pdfminer", {"課題意識", "基本情報", "到達点", "sessions"}),
    ("r05_ginrei", "pypdfium2", {"課題意識", "基本情報", "到達点", "sessions"}),
    ("r06_yugaya", "pdftotext", {"現状", "目指す姿"}),
    ("r06_yugaya", "pdfplumber", {"現状", "目指す姿"}),
    # two new labels in one run of fragments (やるこ / と / 関係者), ordered by the known one
    ("r03_sagiri", "pdftotext", {"実施内容", "支援体制", "sessions"}),
    # a laid-out label column: あらまし and 未来予想 left of their rows' content
    ("r06_okinari", "pdftotext_layout", {"現状", "目指す姿"}),
    # a band of headings on one line one space apart, two of three new
    ("r06_keyakigadai", "pdftotext_raw", {"アセスメント結果", "支援内容"}),
    # date headers read column by column, each over its session's cells
    ("r07_report_set_i", "pdftotext", {"課題意識", "基本情報", "到達点", "sessions"}),
    # a session table over a page break, its new row label alone on the first page
    ("r05_hotarugawa", "pdftotext", {"課題意識", "基本情報", "到達点"}),
    # one letter a line: 積 / み / 残 / し / の before the known 課 / 題 is one label, and
    # session headers worded alike but for their number (聞き取り1回目, …)
    ("r05_shirakabadai", "pdftotext", {"課題意識", "実施内容", "sessions"}),
    ("r05_shirakabadai", "pdftotext_layout", {"課題意識", "実施内容", "sessions"}),
    ("r05_shirakabadai", "pdfminer", {"課題意識", "実施内容", "sessions"}),
    # a report's box heading right under an item that ended (…程度だった), the one block
    # its band has left; without a blank line between (pdftotext -raw) as with one
    ("r03_wakabasawa", "pdftotext_raw", {"現状", "到達点", "sessions"}),
    ("r03_wakabasawa", "pdftotext", {"現状", "到達点", "sessions"}),
]


@pytest.mark.parametrize(
    ("name", "tool", "blocks"), TEXT_CASES, ids=[f"{name}-{tool}" for name, tool, _ in TEXT_CASES]
)
def test_extracted_text_with_new_label_wordings_reads_like_the_original(
    settings, name, tool, blocks
):
    relabelled = read_file(CORPORA / "relabelled_txt" / tool / f"{name}_relabelled.txt", settings)
    original = read_file(CORPORA / "office_txt" / tool / f"{name}.txt", settings)
    assert _items(relabelled) == _items(original)
    placed = {
        "sessions" if "session" in warning else warning.rsplit("read as ", 1)[1].split()[0]
        for warning in relabelled.document.warnings
        if "by its place" in warning or "by their place" in warning
    }
    assert placed == blocks


def test_no_known_label_of_the_office_text_is_placed_anew(settings):
    """A label of the in-sample office text that the patterns know is never placed anew: a
    wrapped line's end (…地区から, 越し), a label the tool broke (支 … 援体制), a glyph read as
    a letter, or two headings run together must not be taken for a new wording. What is
    placed is a wording the document's style gives a block (corpora/sources/office.yaml),
    as that block."""
    import re

    import yaml

    from pipeline.stages.segment.labels import match_label

    gold = __import__("json").loads(
        (CORPORA / "office_txt" / "pdftotext" / "gold.json").read_text(encoding="utf-8")
    )
    styles = yaml.safe_load((CORPORA / "sources" / "office.yaml").read_text(encoding="utf-8"))
    sessions_worded = {
        Path(d["file"]).stem
        for d in styles["documents"]
        if (d.get("style") or {}).get("session_word")
    }
    worded = {
        Path(d["file"]).stem: {
            compact(words): block
            for block, words in ((d.get("style") or {}).get("labels") or {}).items()
            if match_label(words, settings.blocks) != block
        }
        for d in styles["documents"]
    }
    placed = 0
    for tool in ("pdftotext", "pdftotext_raw", "pdfminer"):
        for doc in gold["documents"]:
            if doc["held_out"]:
                continue
            text = (CORPORA / "office_txt" / tool / doc["file"]).read_text(encoding="utf-8")
            pages = [(n, page.split("\n")) for n, page in enumerate(text.split("\f"), start=1)]
            config, _ = with_wordings(pages, settings.blocks)
            # a narrow cell's middle dot alone on its line is no letter of the wording read
            own = {k.replace("・", ""): b for k, b in worded[Path(doc["file"]).stem].items()}
            for words, block in config.wordings:
                key = re.sub(r"\(続き\)$", "", words).replace("・", "")
                # or the part of it a tool set apart (議事項 of 主な協 / 議事項), as its block
                assert own.get(key) == block or any(
                    len(key) > 1 and key in k and b == block for k, b in own.items()
                ), (tool, doc["file"], words)
                placed += 1
            if not own and Path(doc["file"]).stem not in sessions_worded:
                assert config.session_wordings == (), (tool, doc["file"])
    assert placed  # the documents whose style words a label anew have it placed


def test_a_wrapped_line_over_a_list_is_no_heading(settings):
    """A report's headings over their lists, one worded anew: the wrapped end of an item
    above a list (…を運行, its line above ran to the edge) stays content, and the heading the
    order allows is placed."""
    lines = [
        "伴走支援前の状況",
        "あらまし",
        "・R5 年 9 月に路線バス（大平地区～町中心部）が廃止。代わりにデマンド型乗合タクシー",
        "平日のみ運行",
        "・温泉街の旅館・ホテルと介護事業所の間で人材の取り合いがある",
        "目指す姿・取り組みたいこと",
        "・3 地区それぞれの良さを生かしながら、町として一つの方向に向かう",
        "課題意識",
        "・旧町村ごとにサロン補助・配食の基準が違う",
    ]
    config, notes = with_wordings([(1, lines)], settings.blocks)
    assert config.wordings == (("あらまし", "現状"),)
    assert len(notes) == 1 and "あらまし" in notes[0]


def test_a_cell_line_cut_short_by_line_breaking_goes_on_in_the_next(settings):
    """伴走支 / 援ス / タッフ: ッ may not start a line, so タ went down with it and the
    middle line is a letter short; the three lines are one cell, and one wording."""
    lines = [
        "実施概要",
        "第1回 第2回",
        "基本情",
        "報",
        "日時：令和5年6月27日 日時：令和5年9月12日",
        "実施内",
        "容",
        "・現状の整理 ・意見交換",
        "伴走支",
        "援ス",
        "タッフ",
        "・地域づくりアドバイザー 2名（うち1名は養成校の教員）",
        "・県 介護人材対策室 1名",
    ]
    config, _ = with_wordings([(1, lines)], settings.blocks)
    assert config.wordings == (("伴走支援スタッフ", "支援体制"),)


def test_a_run_of_cell_ends_holding_a_count_is_no_label(settings):
    """pdfplumber on a Writer report's session table: the ends of wrapped cells (名 / 1名)
    stand among a broken label's pieces (実施内 … 込み); what holds a head count is
    content, never placed as a label."""
    text = (CORPORA / "office_txt" / "pdfplumber" / "r05_minase.txt").read_text(encoding="utf-8")
    config, _ = with_wordings([(1, text.split("\n"))], settings.blocks)
    assert not [key for key, _ in config.wordings if "1名" in key]


@pytest.mark.parametrize(
    ("tool", "name", "wordings"),
    [
        # a one-letter label column: letters after known words end the cell (現 / 状 / の / 整 /
        # 理), and a middle dot alone on its line is one of its letters (日 / 時 / ・ / 会 / 場)
        ("pdfminer", "r07_shiinahara.txt", {"現状の整理": "現状"}),
        (
            "pdftotext_layout",
            "r07_shiinahara.txt",
            {"現状の整理": "現状", "日時会場等": "基本情報"},
        ),
        # a wide cell's first line ends mid-phrase or mid-word (町の概況と / 現状, 支援に入っ / た人)
        (
            "pdftotext",
            "r03_hishikawa.txt",
            {"町の概況と現状": "現状"},
        ),
        ("pdfminer", "r03_hishikawa.txt", {"町の概況と現状": "現状", "支援に入った人": "支援体制"}),
        # a cell beside its row's first item, a block's name cut short (体制 ▶地域づくり…)
        ("pdfminer", "r07_report_set_t.txt", {"体制": "支援体制"}),
        # a heading under a ⚫ line that ended like a sentence: the order places it with the
        # heading after it (事前アセスメントの結果, then 到達点, then アドバイザーの関わり)
        ("pdftotext_raw", "r05_makinodai.txt", {"事前アセスメントの結果": "アセスメント結果"}),
        # a wide label column where no known label wraps, the new one on two lines each
        # before a bullet of its row (これまでの ★ … / 状況 ・ …), the known ones beside theirs
        ("pdfplumber", "r04_report_set_u.txt", {"これまでの状況": "現状"}),
        # laid out, its second line centred in the column (three spaces in), the row's
        # content split off between the two
        ("pdftotext_layout", "r04_report_set_u.txt", {"これまでの状況": "現状"}),
        # a one-letter column whose cells' letters come together (今 / 後 / … / 性, two
        # content lines, 抱 / え / て / い / る / 課 / 題): content between letters ends a cell
        ("pypdfium2", "r07_miyukino.txt", {"今後の方向性": "目指す姿"}),
        ("pdftotext", "r07_miyukino.txt", {"今後の方向性": "目指す姿"}),
        # the ninth set: two narrow cells one under the other, a blank line between (日程・ /
        # 会場・ / 出席者, then 検討し / た事項), are two labels, not one
        (
            "pdfminer",
            "r06_report_set_x.txt",
            {"日程・会場・出席者": "基本情報", "検討した事項": "実施内容"},
        ),
        # a label short enough for one line of a narrow column where the others wrap (議事),
        # and no wrapped lines' first words that end with a particle (よって / 全体の)
        ("pdftotext_raw", "r07_shiondai.txt", {"議事": "実施内容", "よって全体の": None}),
        # a band read as one line, one heading new and one known (支援の到達点と今後 実際の支援
        # 内容), under a known heading wrapped before its last letter (…アセスメント結 / 果)
        ("pdftotext_raw", "r06_report_set_x.txt", {"支援の到達点と今後": "到達点"}),
    ],
)
def test_label_cells_of_real_extractors_text_are_placed_whole(settings, tool, name, wordings):
    """Labels worded anew in the seventh, eighth and ninth office sets' text, as each tool
    wrote it: each is read whole, as the block its place gives (None: no label at all)."""
    read = read_file(CORPORA / "office_txt" / tool / name, settings)
    placed = {
        warning.split("label ", 1)[1].split(" is worded")[0]: warning.rsplit("read as ", 1)[
            1
        ].split()[0]
        for warning in read.document.warnings
        if "by its place" in warning
    }
    assert {key: placed.get(key) for key in wordings} == wordings


def test_letters_after_known_words_in_a_one_letter_column_end_its_cell(settings):
    """現 / 状 / の / 整 / 理 in a column one letter wide, no blank line between: one cell,
    現状の整理; a blank line ends it before the next cell's letters."""
    lines = [
        "伴走支援前の状況",
        "現",
        "状",
        "の",
        "整",
        "理",
        "",
        "目",
        "指",
        "す",
        "姿",
        "",
        "課",
        "題",
        "意",
        "識",
        "■ 協議体の議題を毎回市が用意している",
    ]
    config, _ = with_wordings([(1, lines)], settings.blocks)
    assert config.wordings == (("現状の整理", "現状"),)


def test_a_laid_out_column_line_over_a_known_labels_is_that_labels_first_line(settings):
    """検討した / テーマ in a laid-out label column, a row's content line between them: the
    cell is 検討したテーマ (実施内容), so 検討した ends no item of the row."""
    read = read_file(CORPORA / "office_txt" / "pdftotext_layout" / "r04_report_set_u.txt", settings)
    done = [
        (i.municipality, i.session, compact(i.text)) for i in read.items if i.block == "実施内容"
    ]
    assert ("鷲尾村", 1, "生活援助の利用と担い手の状況の確認") in done
    assert not any(text.endswith("検討した") for _, _, text in done)
