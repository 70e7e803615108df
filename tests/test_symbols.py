"""Bullets drawn in symbol fonts (configs/symbol_fonts.yaml, pipeline/config/symbol_fonts.py)."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.config.paths import PROJECT_ROOT
from pipeline.config.symbol_fonts import load_symbol_fonts
from pipeline.core.errors import ConfigError

CONFIG = PROJECT_ROOT / "configs" / "symbol_fonts.yaml"


@pytest.fixture(scope="module")
def symbols():
    return load_symbol_fonts(CONFIG)


@pytest.mark.parametrize(
    "text, fontname, shown",
    [
        ("\uf0d8", "ABCDEF+Wingdings-Regular", "➢"),  # private-use code point
        ("Ø", "Wingdings-Regular", "➢"),  # the Latin-1 letter of the same code
        ("l", "QWERTY+Wingdings", "●"),  # an ASCII letter, in Wingdings only
        ("§", "Wingdings", "▪"),
        ("Ÿ", "Wingdings", "•"),  # 0x9F in WinAnsi, not Latin-1
        ("\uf0b7", "Symbol", "•"),
        # Wingdings' other bullets: stars, circles, lozenges
        ("\uf0ab", "Wingdings", "★"),
        ("¥", "Wingdings", "◎"),
        ("t", "Wingdings", "⧫"),
        ("l", "IPAexGothic", "l"),  # an ordinary font: nothing changes
        ("Ø", "ABCDEF+Arial", "Ø"),
        ("\uf041", "Wingdings", "\uf041"),  # a code the table does not list stays as read
        # LibreOffice draws a missing Wingdings in OpenSymbol, keeping the code: as private
        # use, or as the letter a Word file wrote for it
        ("\uf0a7", "FAAAAA+OpenSymbol", "▪"),
        ("Ø", "FAAAAA+OpenSymbol", "➢"),
        (" ", "FAAAAA+OpenSymbol", " "),
        ("•", "FAAAAA+OpenSymbol", "•"),  # its own bullet, already Unicode
        # a deck that wrote Wingdings 0x9F as its WinAnsi letter "Ÿ" (U+0178): OpenSymbol
        # keeps the letter's low byte; 0x78 itself is no bullet of the table
        ("\uf078", "DAAAAA+OpenSymbol", "•"),
        ("\uf07e", "DAAAAA+OpenSymbol", "・"),
        ("\uf041", "DAAAAA+OpenSymbol", "\uf041"),
    ],
)
def test_a_pdf_character_is_read_through_its_font(symbols, text, fontname, shown):
    assert symbols.char(text, fontname) == shown


@pytest.mark.parametrize(
    "line, read",
    [
        ("\uf0d8 地域ケア会議を開いた", "➢ 地域ケア会議を開いた"),
        ("Ø 地域ケア会議を開いた", "➢ 地域ケア会議を開いた"),
        ("  ¡住民主体の通いの場", "  ○住民主体の通いの場"),
        ("\uf0b7 項目", "• 項目"),
        # naive text puts a label fragment before the bullet
        ("題 ¡ 通所型サービスB", "題 ○ 通所型サービスB"),
        ("¡ SCは着任1年目", "○ SCは着任1年目"),
        # a letter in a word is a letter, and so is one before Latin text
        ("Ørsted の事例", "Ørsted の事例"),
        ("léger 地域", "léger 地域"),
        ("§ 3 of the act", "§ 3 of the act"),
        # Word's second-level bullet, "o" in Courier New, a word of its own before Japanese
        ("o 推進員は第 2 層協議体に年", "◦ 推進員は第 2 層協議体に年"),
        ("    o 修了者の名簿は", "    ◦ 修了者の名簿は"),
        ("o SCと共有する", "◦ SCと共有する"),
        ("o R5 年度はまず週 1 回", "◦ R5 年度はまず週 1 回"),  # pdftotext spaces R5 apart
        ("online 会議を開いた", "online 会議を開いた"),
        ("oh, 地域", "oh, 地域"),
        ("認知症の人の o 推進員は第2層", "認知症の人の ◦ 推進員は第2層"),  # after a cell beside it
        ("本庁舎会場と Zoom の併用", "本庁舎会場と Zoom の併用"),
        ("\uf078 第 2 層の協議体は、まだない", "• 第 2 層の協議体は、まだない"),
    ],
)
def test_a_plain_text_line_reads_bullets_only_where_they_can_be(symbols, line, read):
    assert symbols.line(line) == read


def test_the_settings_carry_the_table(settings):
    assert settings.extract["symbol_fonts"].char("\uf075", "Wingdings") == "◆"
    for shown in ("➢", "◆", "○", "▪", "●"):
        assert shown in settings.blocks.bullets  # every shown glyph is a bullet to blocks.yaml


@pytest.mark.parametrize(
    "text, message",
    [
        ("fonts: [Wingdings]\n", "expected a mapping"),
        ("fonts:\n  Wingdings: 3\n", "fonts.Wingdings: expected a mapping"),
        ("fonts:\n  Wingdings:\n    0x1FF: ➢\n", "is not 0x00–0xFF"),
        ("fonts:\n  Wingdings:\n    0xD8: ➢➢\n", "must map to one character"),
        ("fonts:\n  Wingdings:\n    0xD8: ➢\nplain_text: [Webdings]\n", "no table for webdings"),
    ],
)
def test_a_malformed_table_is_reported(tmp_path, text, message):
    path = tmp_path / "symbol_fonts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_symbol_fonts(path)


def test_characters_without_unicode_are_left_out_with_a_warning_or_refused():
    from pipeline.core.errors import NoTextError
    from pipeline.core.records import Document
    from pipeline.stages.extract.pdf import _check_unmapped

    document = Document(doc_id="d", source="a.pdf", sha256="")
    _check_unmapped(document, {}, 1000)
    assert document.warnings == []
    _check_unmapped(document, {2: 5, 3: 1}, 1000)
    assert document.warnings == [
        "6 characters without a Unicode mapping ((cid:…) codes) were left out, on page(s) "
        "2 (5), 3 (1): check those pages' text against the slides"
    ]
    with pytest.raises(NoTextError, match="600 of 1000 characters have no Unicode mapping"):
        _check_unmapped(document, {1: 600}, 1000)


@pytest.mark.parametrize("name", ["r03_shinonomeyama.pdf", "r04_matsuurano.pdf"])
def test_wingdings_bullets_of_the_sample_start_items(settings, name):
    """The corpus draws these two reports' bullets in Wingdings (docs/corpus.md,
    bullet_font): with the table their items come out as in gold, without it they run
    together."""
    import json

    from pipeline.core.normalize import nfkc
    from pipeline.stages.pipeline import read_file

    from .conftest import SAMPLE

    gold = json.loads((SAMPLE / "gold.json").read_text(encoding="utf-8"))
    expected = [
        (nfkc(item["text"]), item["level"])
        for m in gold["municipalities"]
        if m["file"] == name
        for b in m["blocks"]
        for item in b["items"]
    ]

    def items(extract: dict) -> list[tuple[str, int]]:
        read = read_file(SAMPLE / name, dataclasses.replace(settings, extract=extract))
        return [(i.text, i.level) for i in read.items]

    assert items(settings.extract) == expected
    assert any(level == 2 for _, level in expected)  # ➢ sub-bullets are among them
    without = {k: v for k, v in settings.extract.items() if k != "symbol_fonts"}
    assert len(items(without)) < len(expected) * 0.7


@pytest.mark.parametrize("code", ["\uf0ab", "\uf0a5", "\uf074", "\uf0aa"])
def test_more_wingdings_bullets_start_items_in_text(tmp_path, settings, code):
    from pipeline.stages.pipeline import read_file

    text = (
        "伴走支援前の状況\n楠原町（人口 約1万人）\n現状\n"
        f"{code} 包括は町直営1か所\n{code} SCは社協に委託\n"
    )
    path = tmp_path / "slide.txt"
    path.write_text(text, encoding="utf-8")
    items = read_file(path, settings).items
    assert [i.text for i in items] == ["包括は町直営1か所", "SCは社協に委託"]


@pytest.mark.parametrize(
    "path",
    [
        "office_pdf/r05_shiomibara.pdf",
        "office/r05_shiomibara.docx",  # the numbering level's glyph, o in Courier New
        "office_txt/pdftotext_raw/r05_shiomibara.txt",
        # after the line of the box beside it: …人の o 推進員は…
        "office_txt/pdfplumber/r05_shiomibara.txt",
    ],
)
def test_words_default_second_level_bullet_drawn_as_a_letter_starts_an_item(settings, path):
    """A Writer report with Word's default bullets (▪ in Wingdings, then o in Courier New,
    which LibreOffice draws in DejaVu Sans Mono): each o-item is an item of its own, not
    the end of the item above (…了承された o 推進員は…)."""
    from pipeline.core.normalize import compact
    from pipeline.stages.pipeline import read_file

    read = read_file(PROJECT_ROOT / "corpora" / path, settings)
    reached = [(compact(i.text), i.level) for i in read.items if i.block == "到達点"]
    assert ("推進員は第2層協議体に年1回以上出席すると明記", 2) in reached
    assert ("修了者の名簿は、本人の同意を得てSCと推進員で共有する", 2) in reached


def test_a_sub_bullet_written_as_its_winansi_letter_starts_an_item(settings):
    """r03_naranoki's sub-bullets are Wingdings 0x9F, written "Ÿ": Impress's PDF draws them
    in OpenSymbol as U+F078, and the extractors' text keeps that: each is an item of its own."""
    from pipeline.core.normalize import compact
    from pipeline.stages.pipeline import read_file

    for path in ("office_pdf/r03_naranoki.pdf", "office_txt/pdftotext_raw/r03_naranoki.txt"):
        read = read_file(PROJECT_ROOT / "corpora" / path, settings)
        now = [compact(i.text) for i in read.items if i.block == "現状"]
        assert "第2層の協議体は、まだどの地区にもない" in now, (
            path
        )  # no longer run into the item above
        assert len(now) == 5, path
