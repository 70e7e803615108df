""".pptx and .docx read from their own structure: the committed office sample, and small
files made with python-pptx / python-docx for one feature each."""

from __future__ import annotations

import json

import pytest
from docx import Document as WordDocument
from docx.shared import Pt as WordPt
from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Pt

from pipeline.core.errors import UnreadableFileError
from pipeline.core.normalize import compact, nfkc
from pipeline.stages.pipeline import read_file

from .conftest import ROOT

OFFICE = ROOT / "corpora" / "office"
PDF = ROOT / "corpora" / "office_pdf"


def _items(path, settings):
    read = read_file(path, settings)
    return read, [(i.block, i.session, i.level, compact(i.text)) for i in read.items]


def _bullet(paragraph, char: str, font: str | None = None, level: int = 0) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.set("marL", str(int(Pt(14 + 18 * level))))
    ppr.set("indent", str(-int(Pt(14))))
    if level:
        ppr.set("lvl", str(level))
    if font:
        etree.SubElement(ppr, qn("a:buFont")).set("typeface", font)
    etree.SubElement(ppr, qn("a:buChar")).set("char", char)


def _session_table(table):
    """A 3×3 session table's header, 基本情報 row and 支援体制 label, in a python-pptx or
    python-docx table alike (both set a cell's text the same way)."""
    table.cell(0, 1).text = "第1回"
    table.cell(0, 2).text = "第2回"
    table.cell(1, 0).text = "基本情報"
    table.cell(1, 1).text = "日時：令和5年7月1日"
    table.cell(1, 2).text = "日時：令和5年9月1日"
    table.cell(2, 0).text = "支援体制"
    return table


def _deck(tmp_path, build) -> object:
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    title = slide.shapes.add_textbox(Pt(20), Pt(10), Pt(600), Pt(30)).text_frame
    title.text = "伴走支援前の状況"
    sub = slide.shapes.add_textbox(Pt(20), Pt(45), Pt(600), Pt(25)).text_frame
    sub.text = "楠原町（人口 約1万人）"
    build(slide)
    path = tmp_path / "deck.pptx"
    prs.save(path)
    return path


def test_a_deck_gives_cells_labels_bullets_in_their_fonts_and_sub_bullets(tmp_path, settings):
    def build(slide):
        table = slide.shapes.add_table(2, 2, Pt(20), Pt(80), Pt(600), Pt(200)).table
        table.cell(0, 0).text = "現状"
        table.cell(1, 0).text = "課題意識"
        cell = table.cell(0, 1).text_frame
        cell.text = "包括は町直営1か所"
        _bullet(cell.paragraphs[0], "§", "Wingdings")  # Wingdings 0xA7: ▪
        more = cell.add_paragraph()
        more.text = "SCは社協に委託"
        _bullet(more, "§", "Wingdings")
        sub = cell.add_paragraph()
        sub.text = "第2層は未配置"
        _bullet(sub, "Ø", "Wingdings", level=1)  # ➢
        kadai = table.cell(1, 1).text_frame
        kadai.text = "SCが1人で全域を担当している"
        _bullet(kadai.paragraphs[0], "•", "Arial")

    read, items = _items(_deck(tmp_path, build), settings)
    assert [b.block for b in read.blocks] == ["現状", "課題意識"]
    assert items == [
        ("現状", None, 1, "包括は町直営1か所"),
        ("現状", None, 1, "SCは社協に委託"),
        ("現状", None, 2, "第2層は未配置"),
        ("課題意識", None, 1, "SCが1人で全域を担当している"),
    ]
    assert {b.municipality for b in read.blocks} == {"楠原町"}
    assert read.items[2].parent_id == read.items[1].item_id


def test_every_paragraph_is_an_item_unless_it_stands_under_the_text_above(tmp_path, settings):
    def build(slide):
        table = slide.shapes.add_table(1, 2, Pt(20), Pt(80), Pt(600), Pt(200)).table
        table.cell(0, 0).text = "現状"
        frame = table.cell(0, 1).text_frame
        frame.text = "箇条書きのない一つ目の段落"
        frame.add_paragraph().text = "二つ目の段落"
        bullet = frame.add_paragraph()
        bullet.text = "スライドの終わりで切れた箇条の前半、"
        _bullet(bullet, "•", "Arial")
        rest = frame.add_paragraph()
        rest.text = "後半は文字の下に続く"
        rest._p.get_or_add_pPr().set("marL", str(int(Pt(14))))

    _, items = _items(_deck(tmp_path, build), settings)
    assert [t for *_, t in items] == [
        "箇条書きのない一つ目の段落",
        "二つ目の段落",
        "スライドの終わりで切れた箇条の前半、後半は文字の下に続く",
    ]


def test_merged_cells_of_a_session_table_and_shapes_in_a_group(tmp_path, settings):
    def build(slide):
        table = _session_table(slide.shapes.add_table(3, 3, Pt(20), Pt(80), Pt(600), Pt(200)).table)
        table.cell(2, 1).merge(table.cell(2, 2))
        table.cell(2, 1).text = "アドバイザー 2名"
        group = slide.shapes.add_group_shape()
        box = group.shapes.add_textbox(Pt(20), Pt(300), Pt(600), Pt(30)).text_frame
        box.text = "⚫ まとめの一文"

    read, items = _items(_deck(tmp_path, build), settings)
    assert ("基本情報", 1, 1, "日時:令和5年7月1日") in items
    assert ("基本情報", 2, 1, "日時:令和5年9月1日") in items
    assert ("支援体制", None, 1, "アドバイザー2名") in items
    assert ("まとめ", None, 1, "まとめの一文") in items


def test_a_report_gives_headings_lists_in_their_glyphs_and_merged_cells(tmp_path, settings):
    doc = WordDocument()
    doc.add_paragraph("市町村伴走支援 実施報告書", style="Title")
    doc.add_heading("楠原町（人口 約1万人）", level=1)
    doc.add_heading("現状", level=3)
    doc.add_paragraph("包括は町直営1か所", style="List Bullet")
    doc.add_paragraph("第2層は未配置", style="List Bullet 2")
    doc.add_paragraph("課題意識", style="Heading 3")
    doc.add_paragraph("・SCが1人で全域を担当している")
    heading = doc.add_heading("実施概要", level=2)
    heading.paragraph_format.page_break_before = True
    table = _session_table(doc.add_table(rows=3, cols=3))
    merged = table.cell(2, 1).merge(table.cell(2, 2))
    merged.paragraphs[0].add_run("アドバイザー 2名").font.size = WordPt(9)
    path = tmp_path / "report.docx"
    doc.save(path)
    read, items = _items(path, settings)
    assert len(read.document.pages) == 2
    assert ("現状", None, 1, "包括は町直営1か所") in items
    assert ("現状", None, 2, "第2層は未配置") in items  # the list's second level
    assert ("課題意識", None, 1, "SCが1人で全域を担当している") in items
    assert ("基本情報", 2, 1, "日時:令和5年9月1日") in items
    assert ("支援体制", None, 1, "アドバイザー2名") in items
    assert {b.municipality for b in read.blocks} == {"楠原町"}
    assert {i.page for i in read.items if i.block == "支援体制"} == {2}


@pytest.mark.parametrize("name", ["r05_ginrei.pptx", "r05_tomoshigamine.docx"])
def test_a_damaged_office_file_gets_one_line_that_says_what_to_do(tmp_path, settings, name):
    data = (OFFICE / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFileError) as info:
        read_file(path, settings)
    message = str(info.value)
    assert "\n" not in message and "save it again" in message and "damaged" in message


def test_label_wordings_and_session_words_real_decks_use(settings):
    """A label wording or session word the readers were not written on (支援開始時の状況,
    課題意識・困りごと, 支援の内容, 1回目 … 3回目) and PowerPoint's en dash sub-bullet:
    decks of the office sample's 2026-12-07 set (docs/corpus.md, "Held out")."""
    deck = read_file(OFFICE / "r04_chidorigahara.pptx", settings)
    blocks = {i.block for i in deck.items}
    assert {"現状", "課題意識", "実施内容"} <= blocks and "その他" not in blocks
    reached = [compact(i.text) for i in deck.items if i.block == "到達点"]
    assert "翻訳は国際交流協会、内容の確認は北部包括が受け持つ" in reached  # the – sub-bullet
    deck = read_file(OFFICE / "r07_tsurumigaoka.pptx", settings)
    assert {i.session for i in deck.items if i.block == "実施内容"} == {1, 2, 3}
    assert "課題意識" in {i.block for i in deck.items}


@pytest.mark.parametrize("path", [OFFICE / "r05_hotarugawa.docx", PDF / "r05_hotarugawa.pdf"])
def test_a_word_list_in_the_summary_glyph_stays_in_its_block(settings, path):
    """● is a bullet and the mark of まとめ lines: a Word list of ● under a heading
    (支援前の現状) is that heading's; ⚫ lines after a list of other glyphs are まとめ. In
    Writer's PDF the heading, set large, stands in a region of its own above the list."""
    report = read_file(path, settings)
    situation = [compact(i.text) for i in report.items if i.block == "現状"]
    assert len(situation) >= 5
    assert situation[0].startswith("地域包括支援センターは町直営1か所")
    assert all(not t.startswith("地域包括支援センター") for t in
               [compact(i.text) for i in report.items if i.block == "まとめ"])  # fmt: skip


@pytest.mark.parametrize("path", [OFFICE / "r05_hotarugawa.docx", PDF / "r05_hotarugawa.pdf"])
def test_a_word_list_below_a_sub_heading_stays_in_its_block(settings, path):
    """A ● list under 【蛍川町の到達点】 or 支援1回目 (sub-headings, not items) belongs to
    the block above them; only the ⚫ lines after it are まとめ."""
    report = read_file(path, settings)
    by_block = {}
    for item in report.items:
        by_block.setdefault(item.block, []).append(compact(item.text))
    assert by_block["到達点"][0] == "住民送迎の運行ルール(範囲・保険・謝礼の目安)を町社協と決定"
    assert len(by_block["支援内容"]) == 5
    assert len(by_block["まとめ"]) == 4


def test_a_session_table_over_a_page_break_keeps_its_columns_sessions(settings):
    """Writer repeats no header row when the session table runs on to the next page: the
    cells there take their sessions from the columns headed on the page before."""
    report = read_file(PDF / "r05_hotarugawa.pdf", settings)
    headed = {i.page for i in report.items if i.block == "基本情報"}
    done = [(i.session, i.page) for i in report.items if i.block == "実施内容"]
    assert {session for session, _ in done} == {1, 2, 3}
    assert {page for _, page in done} == {max(headed) + 1}  # below the break


def test_a_report_without_page_breaks_keeps_its_municipalities_and_split_boxes(settings):
    """Writer, two municipalities run on without page breaks (r04_report_set_n): the second
    one's numbered heading stands mid-page right below the first one's ⚫ lines, and each
    results table (アセスメント結果 / 到達点 / 支援内容 boxes) runs over a page break, its
    heading row on one page and part of its boxes on the next, with no heading repeated."""
    report = read_file(PDF / "r04_report_set_n.pdf", settings)
    municipalities = [b.municipality for b in report.blocks if b.block == "現状"]
    assert municipalities == ["千草野町", "雲雀野市"]
    summary = [compact(i.text) for i in report.items if i.block == "まとめ"]
    assert not any("雲雀野市" in text for text in summary)  # the heading is no summary line
    assert not [i for i in report.items if i.block == "その他"]
    gold = json.loads((OFFICE / "gold.json").read_text(encoding="utf-8"))
    for muni in (m for m in gold["municipalities"] if m["file"] == "r04_report_set_n.docx"):
        for block in ("アセスメント結果", "到達点", "支援内容"):
            wanted = [
                compact(nfkc(i["text"]))
                for b in muni["blocks"]
                if b["block"] == block
                for i in b["items"]
            ]
            read = [
                compact(nfkc(i.text))
                for i in report.items
                if i.municipality == muni["municipality"] and i.block == block
            ]
            assert read == wanted, (muni["municipality"], block)
    pages = {i.page for i in report.items if i.block == "到達点" and i.municipality == "千草野町"}
    assert len(pages) == 2  # the box runs over the break


def test_a_writer_pdf_whose_running_header_names_both_municipalities(settings):
    # 楠ヶ丘市・雁ノ沢町 伴走支援の記録 over every page: it names no section's municipality, so
    # the first municipality's 実施概要 page (no section heading of its own) stays its own
    pdf = ROOT / "corpora" / "office_pdf" / "r06_report_set_r.pdf"
    result = read_file(pdf, settings)
    info = [i for i in result.items if i.block == "基本情報"]
    assert info and all(
        ("楠ヶ丘市" in compact(i.text)) <= (i.municipality == "楠ヶ丘市")
        for i in info
        if "場所" in i.text
    )
    assert {i.municipality for i in result.items} == {"楠ヶ丘市", "雁ノ沢町"}
    places = [i for i in info if "場所" in i.text]
    assert sum(i.municipality == "楠ヶ丘市" for i in places) == 3


def test_a_parts_title_mid_page_is_no_item(settings):
    # a Writer report without page breaks: 実施概要 stands below the まとめ line before it
    result = read_file(ROOT / "corpora" / "office_pdf" / "r05_minase.pdf", settings)
    assert "実施概要" not in {compact(i.text) for i in result.items}
    assert any(i.block == "基本情報" for i in result.items)


def test_a_running_header_over_a_list_that_runs_on_to_the_next_page(settings):
    """r06_kobatodai's Writer PDF: the 支援内容 list (headings and Word lists, no page breaks)
    runs on to page 2 right below the running header. The header is no item, and the list's
    items on page 2 stay in the block its heading on page 1 began."""
    report = read_file(PDF / "r06_kobatodai.pdf", settings)
    texts = {compact(i.text) for i in report.items}
    assert not any("伴走支援の記録" in text for text in texts)
    assert not [i for i in report.items if i.block == "その他"]
    support = [i for i in report.items if i.block == "支援内容"]
    assert len(support) == 4 and {i.page for i in support} == {2}


def test_a_note_mark_typed_as_a_sub_bullet_starts_an_item(settings):
    """r05_report_set_v types ※ before its sub-items: each is an item of its own (level 2),
    in the .docx and in its Writer PDF alike."""
    for path in (OFFICE / "r05_report_set_v.docx", PDF / "r05_report_set_v.pdf"):
        read, items = _items(path, settings)
        assert (
            "到達点",
            None,
            2,
            "連絡先は包括の直通番号に一本化し、病院の地域連携室に掲示してもらう",
        ) in [(b, s, lv, t) for b, s, lv, t in items], path
