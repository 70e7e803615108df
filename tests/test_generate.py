"""corpora/reportgen: determinism, glyph round-trips and the hard layout cases it promises.

Generates from corpora/sources when every source the manifest names exists, otherwise from
a temporary copy of sakuragaura.yaml with a small manifest covering every variant.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
import yaml
from fontTools.ttLib import TTFont as FontFile

from corpora.reportgen.__main__ import main
from corpora.reportgen.build import build
from corpora.reportgen.fonts import (
    BULLET_FONTS,
    WINGDINGS_CODES,
    Fonts,
    build_wingdings,
    bullet_char,
    font_cache_dir,
)
from corpora.reportgen.layout import Para, fit_flow
from corpora.reportgen.render import fullwidth_number
from corpora.reportgen.style import LEVEL2_BULLET, NAVY, PAGE_STYLES, GenerateError, label_metrics
from corpora.reportgen.wrap import wrap

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "corpora" / "sources"

FALLBACK_MANIFEST = """\
batch: sample
documents:
  - {file: narrow.pdf, variant: wide_single, page: wide, bullet: "•", label_width: narrow, continued: false, sources: [sakuragaura]}
  - {file: medium.pdf, variant: wide_single, page: wide, bullet: "○", label_width: medium, continued: false, bullet_font: wingdings_pua, sources: [sakuragaura]}
  - {file: multi.pdf, variant: wide_multi, page: wide, bullet: "◆", label_width: narrow, continued: false, sources: [sakuragaura, sakuragaura]}
  - {file: cont_a.pdf, variant: continued, page: wide, bullet: "•", label_width: narrow, continued: true, sources: [sakuragaura]}
  - {file: cont_b.pdf, variant: continued, page: wide, bullet: "◆", label_width: narrow, continued: true, bullet_font: wingdings_latin, sources: [sakuragaura]}
  - {file: portrait.pdf, variant: a4_portrait, page: a4, bullet: "・", label_width: narrow, continued: false, sources: [sakuragaura]}
"""


def _real_sources_complete() -> bool:
    manifest = yaml.safe_load((SOURCES / "batch.yaml").read_text(encoding="utf-8"))
    ids = {s for d in manifest["documents"] for s in d["sources"]}
    return all((SOURCES / f"{i}.yaml").is_file() for i in ids)


@pytest.fixture(scope="session")
def source_dir(tmp_path_factory) -> Path:
    if _real_sources_complete():
        return SOURCES
    folder = tmp_path_factory.mktemp("sources")
    shutil.copy(SOURCES / "sakuragaura.yaml", folder)
    (folder / "batch.yaml").write_text(FALLBACK_MANIFEST, encoding="utf-8")
    return folder


def _generate(source_dir: Path, root: Path) -> Path:
    out = root / "sample"
    build(source_dir, out, log=lambda _msg: None)
    return out


@pytest.fixture(scope="session")
def corpus(source_dir, tmp_path_factory):
    """One generation, with manifest, gold and every PDF's characters extracted once."""
    out = _generate(source_dir, tmp_path_factory.mktemp("gen_a"))
    manifest = yaml.safe_load((source_dir / "batch.yaml").read_text(encoding="utf-8"))
    gold = json.loads((out / "gold.json").read_text(encoding="utf-8"))
    pages = {}
    for doc in manifest["documents"]:
        with pdfplumber.open(out / doc["file"]) as pdf:
            pages[doc["file"]] = [{"chars": [_char(c) for c in p.chars]} for p in pdf.pages]
    return {"out": out, "manifest": manifest, "gold": gold, "pages": pages}


def _char(c: dict) -> dict:
    color = tuple(round(v, 2) for v in c["non_stroking_color"] or ())
    return {
        "text": c["text"],
        "x0": c["x0"],
        "x1": c["x1"],
        "top": c["top"],
        "color": color,
        "fontname": c["fontname"],
    }


def drawn_bullet(doc: dict, glyph: str | None = None) -> str:
    """The character pdfplumber reports for a bullet glyph of doc (its level-1 one by default)."""
    return bullet_char(glyph or doc["bullet"], doc.get("bullet_font"))


def docs_where(corpus, **conditions) -> list[dict]:
    docs = [
        d for d in corpus["manifest"]["documents"] if all(d[k] == v for k, v in conditions.items())
    ]
    assert docs, f"the manifest has no document with {conditions}"
    return docs


def page_string(page: dict) -> str:
    """The page's characters in drawing order, without spaces."""
    return "".join(c["text"] for c in page["chars"] if c["text"] != " ")


def label_column_chars(page: dict, doc: dict) -> list[dict]:
    """Label characters: inside the document's label column, between title and footer, navy."""
    style = PAGE_STYLES[doc["page"]]
    right = style.margin + label_metrics(style, doc["label_width"]).column
    return [
        c
        for c in page["chars"]
        if c["x1"] <= right
        and style.content_top < c["top"] < style.footer_rule
        and c["color"] == NAVY
    ]


def lines_by_top(chars: list[dict]) -> list[str]:
    rows: dict[float, list[dict]] = {}
    for c in chars:
        rows.setdefault(round(c["top"], 1), []).append(c)
    return [
        "".join(c["text"] for c in sorted(row, key=lambda c: c["x0"]))
        for _, row in sorted(rows.items())
    ]


def municipalities_of(corpus, file: str) -> list[dict]:
    return [m for m in corpus["gold"]["municipalities"] if m["file"] == file]


# --- determinism ---------------------------------------------------------------------------


def test_two_generations_are_byte_identical(corpus, source_dir, tmp_path):
    a_dir, b_dir = corpus["out"], _generate(source_dir, tmp_path)
    names = sorted(p.name for p in a_dir.iterdir())
    assert names == sorted(p.name for p in b_dir.iterdir())
    assert any(n.endswith(".pdf") for n in names)
    for name in names:
        assert (a_dir / name).read_bytes() == (b_dir / name).read_bytes(), name


def test_committed_sample_is_up_to_date(corpus, source_dir):
    """corpora/sample must be exactly what the sources generate (run make generate)."""
    kept = ROOT / "corpora" / "sample"
    if source_dir != SOURCES or not kept.is_dir():
        pytest.skip("the sample corpus is not generated yet")
    generated = corpus["out"]
    names = sorted(p.name for p in generated.iterdir())
    assert names == sorted(p.name for p in kept.iterdir() if p.suffix in (".pdf", ".json"))
    for name in names:
        assert (generated / name).read_bytes() == (kept / name).read_bytes(), name


def test_stale_outputs_are_removed_and_others_kept(tmp_path):
    src = _tmp_sources(tmp_path / "src", ONE_DOC.replace("SRC", "sakuragaura"))
    out = tmp_path / "o"
    out.mkdir()
    (out / "old_report.pdf").write_bytes(b"%PDF stale")
    (out / "notes.md").write_text("not generated", encoding="utf-8")
    build(src, out, log=lambda _msg: None)
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf", "gold.json", "notes.md"]


# --- glyphs and characters -----------------------------------------------------------------


def test_bullet_glyphs_round_trip_and_no_nul(corpus):
    seen = Counter()
    for doc in corpus["manifest"]["documents"]:
        chars = Counter(c["text"] for p in corpus["pages"][doc["file"]] for c in p["chars"])
        assert "\x00" not in chars and "" not in chars, doc["file"]
        bullet = drawn_bullet(doc)
        assert chars[bullet] > 0, f"{doc['file']}: level-1 bullet {bullet!r} missing"
        assert chars["⚫"] > 0, doc["file"]
        seen.update(chars)
    assert seen["➢"] > 0
    for bullet in {drawn_bullet(d) for d in corpus["manifest"]["documents"]}:
        assert seen[bullet] > 0


def test_each_glyph_is_drawn_with_a_font_that_has_it():
    fonts = Fonts()
    for glyph in "•・○◆➢⚫":
        assert fonts.has_glyph(fonts.font_for(glyph), glyph)
    # IPAexGothic lacks these two: they must come from the fallback font
    assert fonts.font_for("⚫") == fonts.font_for("➢") == Fonts.FALLBACK
    assert [font for font, _ in fonts.runs("⚫ まとめ")] == [Fonts.FALLBACK, Fonts.PRIMARY]


def test_every_gold_character_is_in_its_pdf(corpus):
    """Multiset inclusion: no character of any item is silently dropped (spaces at breaks are)."""
    for doc in corpus["manifest"]["documents"]:
        in_pdf = Counter(c["text"] for p in corpus["pages"][doc["file"]] for c in p["chars"])
        in_gold = Counter()
        for m in municipalities_of(corpus, doc["file"]):
            for block in m["blocks"]:
                for item in block["items"]:
                    in_gold.update(item["text"].replace(" ", ""))
        missing = in_gold - in_pdf
        assert not missing, f"{doc['file']}: {dict(missing)}"


def test_blocks_start_on_the_page_gold_names(corpus):
    for doc in corpus["manifest"]["documents"]:
        pages = [page_string(p) for p in corpus["pages"][doc["file"]]]
        for m in municipalities_of(corpus, doc["file"]):
            for block in m["blocks"]:
                first = block["items"][0]["text"].replace(" ", "")
                # a bullet cut across two slides starts on the block's page all the same
                assert first[:6] in pages[block["page"] - 1], (doc["file"], block["block"])


def test_spaces_inside_items_survive_mid_line(corpus):
    """A space inside an item (SC 13名, 市役所 3階) is a drawn character, so extraction keeps it."""
    found = Counter()
    for doc in corpus["manifest"]["documents"]:
        with pdfplumber.open(corpus["out"] / doc["file"]) as pdf:
            text = "\n".join(p.extract_text() for p in pdf.pages)
        for m in municipalities_of(corpus, doc["file"]):
            for block in m["blocks"]:
                for item in block["items"]:
                    for kind, pattern in (
                        ("any", r"\S \S"),
                        ("latin", r"[A-Za-z0-9]+ [A-Za-z0-9]+"),
                    ):
                        for match in re.finditer(pattern, item["text"]):
                            found[kind, "all"] += 1
                            found[kind, "kept"] += match.group() in text
    assert found["any", "kept"] > 0
    # most spaces fall mid-line; only those at a line break may be dropped
    assert found["any", "kept"] >= 0.7 * found["any", "all"]
    if found["latin", "all"]:
        assert found["latin", "kept"] > 0


# --- bullet_font: bullets drawn in Wingdings, as PowerPoint exports draw them -----------------

BULLET_BLOCKS = {"基本情報", "まとめ"}  # blocks whose items are drawn without an item bullet


def test_wingdings_bullets_come_out_as_pua_or_latin1(corpus):
    docs = [d for d in corpus["manifest"]["documents"] if "bullet_font" in d]
    assert {d["bullet_font"] for d in docs} == set(BULLET_FONTS)
    for doc in docs:
        chars = [c for p in corpus["pages"][doc["file"]] for c in p["chars"]]
        level1, level2 = drawn_bullet(doc), drawn_bullet(doc, LEVEL2_BULLET)
        if doc["bullet_font"] == "wingdings_pua":
            assert level1 == chr(0xF000 + WINGDINGS_CODES[doc["bullet"]])
            assert level2 == "\uf0d8"
        else:
            assert level1 == chr(WINGDINGS_CODES[doc["bullet"]])
            assert level2 == "Ø"
        wingdings = Counter(c["text"] for c in chars if "Wingdings" in c["fontname"])
        # one glyph per drawn bullet, all in Wingdings; text and the ⚫ lines never are
        items = [
            i
            for m in municipalities_of(corpus, doc["file"])
            for b in m["blocks"]
            if b["block"] not in BULLET_BLOCKS
            for i in b["items"]
        ]
        expected = Counter({level1: sum(i["level"] == 1 for i in items)})
        expected[level2] += sum(i["level"] == 2 for i in items)
        assert wingdings == +expected, doc["file"]
        assert all(
            c["fontname"].endswith("+Wingdings-Regular") for c in chars if c["text"] in expected
        )
        others = Counter(c["text"] for c in chars if "Wingdings" not in c["fontname"])
        assert others["⚫"] > 0 and not others[doc["bullet"]] and not others["➢"], doc["file"]


def test_other_documents_have_no_wingdings(corpus):
    for doc in corpus["manifest"]["documents"]:
        if "bullet_font" in doc:
            continue
        chars = [c for p in corpus["pages"][doc["file"]] for c in p["chars"]]
        assert not [c for c in chars if "Wingdings" in c["fontname"]], doc["file"]
        assert not [c for c in chars if "\ue000" <= c["text"] <= "\uf8ff"], doc["file"]


def test_wingdings_font_is_built_deterministically():
    fonts = Fonts()
    data = build_wingdings(fonts._dejavu)
    assert build_wingdings(fonts._dejavu) == data
    fonts.symbol_font()
    assert (font_cache_dir() / "Wingdings-Regular.ttf").read_bytes() == data
    font = FontFile(io.BytesIO(data))
    assert font["name"].getDebugName(1) == "Wingdings"
    assert font["name"].getDebugName(6) == "Wingdings-Regular"
    cmap = font.getBestCmap()
    dejavu = FontFile(str(fonts._dejavu))
    shapes = dejavu.getBestCmap()
    assert set(cmap) == {c for code in WINGDINGS_CODES.values() for c in (code, 0xF000 + code)}
    for shape, code in WINGDINGS_CODES.items():
        assert cmap[code] == cmap[0xF000 + code]
        # the glyph drawn is DejaVu Sans's glyph of the real shape
        ours = font["glyf"][cmap[code]]
        theirs = dejavu["glyf"][shapes[ord(shape)]]
        assert ours.getCoordinates(font["glyf"])[0] == theirs.getCoordinates(dejavu["glyf"])[0]
    assert Fonts.SYMBOL not in {Fonts().font_for(ch) for ch in "Øu¡l§"}


# --- the hard layout cases ------------------------------------------------------------------


def test_narrow_label_is_one_character_per_line(corpus):
    doc = docs_where(corpus, label_width="narrow", page="wide", continued=False)[0]
    overview = corpus["pages"][doc["file"]][1]
    label = {c["text"]: c for c in label_column_chars(overview, doc)}
    tops = [label[ch]["top"] for ch in "基本情報"]
    assert tops == sorted(tops) and len(set(tops)) == 4
    # the long label of slide 1 wraps every 3-4 characters, short labels one per line
    lines = lines_by_top(label_column_chars(corpus["pages"][doc["file"]][0], doc))
    long_lines = [line for line in lines if len(line) > 1]
    assert "".join(long_lines).startswith("目指す姿")
    assert all(3 <= len(line) <= 4 for line in long_lines[:-1]) and len(long_lines) >= 3
    assert {"現", "状", "課", "題", "意", "識"} <= set(lines)


def test_medium_label_wraps_two_to_four_characters(corpus):
    doc = docs_where(corpus, label_width="medium")[0]
    lines = lines_by_top(label_column_chars(corpus["pages"][doc["file"]][1], doc))
    assert "基本情報" not in lines
    assert any(2 <= len(line) <= 4 and "基本情報".startswith(line) for line in lines)


def _item_chars(page: dict, text: str) -> list[dict]:
    chars = [c for c in page["chars"] if c["text"] != " "]
    s = "".join(c["text"] for c in chars)
    at = s.find(text.replace(" ", ""))
    return chars[at : at + len(text.replace(" ", ""))] if at >= 0 else []


def test_long_bullets_wrap_with_continuation_under_the_text(corpus):
    doc = docs_where(corpus, page="wide", continued=False)[0]
    gold = municipalities_of(corpus, doc["file"])[0]
    wrapped = 0
    for b in gold["blocks"]:
        if b["block"] not in ("現状", "課題意識", "アセスメント結果"):
            continue
        page = corpus["pages"][doc["file"]][b["page"] - 1]
        for text in [i["text"] for i in b["items"] if i["level"] == 1]:
            chars = _item_chars(page, text)
            assert chars, text
            tops = sorted({round(c["top"], 1) for c in chars})
            if len(tops) < 2:
                continue
            wrapped += 1
            starts = [min(c["x0"] for c in chars if round(c["top"], 1) == t) for t in tops]
            # continuation lines start where the first line's text starts, not under the glyph
            assert max(starts) - min(starts) < 0.5, text
            glyphs = [c for c in page["chars"] if c["text"] == drawn_bullet(doc)]
            glyph = [
                c for c in glyphs if abs(c["top"] - chars[0]["top"]) < 3 and c["x1"] <= starts[0]
            ]
            assert glyph and starts[0] - glyph[-1]["x1"] < 20, text
    assert wrapped >= 3


def test_wrap_breaks_mid_word_but_not_inside_latin_words():
    fonts = Fonts()
    text = "訪問型サービスBの利用者アセスメントをPDCA サイクルで見直す"
    word = text.index("アセスメント")
    inside_katakana = 0
    for width in range(60, 240, 7):
        lines = wrap(text, width, 12, fonts)
        drawn = [text[s:e] for s, e in lines]
        assert "".join(drawn).replace(" ", "") == text.replace(" ", "")
        assert all(fonts.width(line, 12) <= width + 1e-6 for line in drawn)
        for a, b in zip(drawn, drawn[1:], strict=False):
            assert not (a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum())
            assert b[0] not in "、。）」"
        inside_katakana += any(word < s < word + len("アセスメント") for s, _ in lines)
    assert inside_katakana >= 1  # breaks fall mid-word, as in PowerPoint
    lines = wrap("サイクルPDCA", 12 * 5.2, 12, fonts)
    assert [("サイクルPDCA")[s:e] for s, e in lines] == ["サイクル", "PDCA"]
    # kinsoku: 。 does not start a line, the character before it moves down with it
    lines = wrap("あいうえお。かき", 12 * 5, 12, fonts)
    assert [("あいうえお。かき")[s:e] for s, e in lines] == ["あいうえ", "お。かき"]
    # a space between Latin words is drawn when it falls mid-line, dropped at a break
    zoom = "Zoom ミーティング"
    assert [zoom[s:e] for s, e in wrap(zoom, 500, 12, fonts)] == [zoom]
    zoom = "Zoom meeting"
    assert [zoom[s:e] for s, e in wrap(zoom, fonts.width("Zoom me", 12), 12, fonts)] == [
        "Zoom",
        "meeting",
    ]


def test_cell_font_shrinks_rather_than_overflow():
    fonts = Fonts()
    paras = [Para("地域ケア会議の開催と振り返り" * 3, "bullet", 1, "•")] * 6
    _, used, size = fit_flow(paras, 200, 300, 14, fonts, "test")
    assert size < 14 and used <= 300
    with pytest.raises(GenerateError, match="does not fit"):
        fit_flow(paras * 10, 200, 300, 14, fonts, "test")


def test_continued_variant_repeats_the_label_and_gold_keeps_one_block(corpus):
    cut_bullets = 0
    for doc in docs_where(corpus, continued=True):
        pages = corpus["pages"][doc["file"]]
        for n in (0, 1):
            lines = lines_by_top(label_column_chars(pages[n], doc))
            assert lines[-4:] == list("課題意識"), (doc["file"], n)
        blocks = municipalities_of(corpus, doc["file"])[0]["blocks"]
        kadai = [b for b in blocks if b["block"] == "課題意識"]
        assert len(kadai) == 1 and kadai[0]["page"] == 1
        assert [b["page"] for b in blocks if b["block"] == "まとめ"] == [2, 4]
        # the 課題意識 cell is drawn last on the first slide, first (after the frame and the
        # ⚫ lines) on the continuation: a cut bullet ends page 1 and resumes on page 2
        first, second = page_string(pages[0]), page_string(pages[1])
        for item in kadai[0]["items"]:
            text = item["text"].replace(" ", "")
            if text in first or text in second:
                continue
            assert any(first.endswith(text[:k]) and text[k:] in second for k in range(1, len(text)))
            cut_bullets += 1
    assert cut_bullets >= 1  # at least one 課題意識 bullet is cut mid-way across the slides


def test_multi_document_has_numbered_sections(corpus):
    doc = docs_where(corpus, variant="wide_multi")[0]
    pages = corpus["pages"][doc["file"]]
    for n, m in enumerate(municipalities_of(corpus, doc["file"]), 1):
        heading = f"{fullwidth_number(n)}．{m['municipality']}"
        start = m["blocks"][0]["page"]
        for page in pages[start - 1 : start + 2]:
            assert heading in page_string(page), (heading, start)


def test_gold_follows_the_schema_and_slide_order(corpus):
    gold = corpus["gold"]
    assert set(gold) == {"batch", "documents", "municipalities"}
    order = ["現状", "目指す姿", "課題意識", "まとめ"] + ["基本情報"] * 3 + ["実施内容"] * 3
    order += ["支援体制", "アセスメント結果", "到達点", "支援内容", "まとめ"]
    labelled = {"課題意識", "アセスメント結果", "到達点"}
    for doc in gold["documents"]:
        assert doc["pages"] == len(corpus["pages"][doc["file"]])
    for m in gold["municipalities"]:
        assert [b["block"] for b in m["blocks"]] == order
        assert [b["session"] for b in m["blocks"] if b["block"] in ("基本情報", "実施内容")] == [
            1,
            2,
            3,
        ] * 2
        for b in m["blocks"]:
            for i, item in enumerate(b["items"]):
                assert set(item) == {"text", "level", "parent", "context", "themes"}
                assert (item["themes"] is not None) == (b["block"] in labelled)
                if item["level"] == 2:
                    assert b["items"][item["parent"]]["level"] == 1 and item["parent"] < i
        contexts = {
            i["context"] for b in m["blocks"] if b["block"] == "支援内容" for i in b["items"]
        }
        assert contexts == {"支援1回目", "支援2回目", "支援3回目"}


# --- validation -------------------------------------------------------------------------------


def _tmp_sources(tmp_path: Path, manifest: str, edit=None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((SOURCES / "sakuragaura.yaml").read_text(encoding="utf-8"))
    if edit:
        edit(data)
    (tmp_path / "sakuragaura.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    (tmp_path / "batch.yaml").write_text(manifest, encoding="utf-8")
    return tmp_path


ONE_DOC = """batch: t
documents:
  - {file: a.pdf, variant: v, page: wide, bullet: "•", label_width: narrow, continued: false, sources: [SRC]}
"""


def _error(tmp_path, manifest, edit=None) -> str:
    src = _tmp_sources(tmp_path, manifest, edit)
    with pytest.raises(GenerateError) as info:
        build(src, tmp_path / "o", log=lambda _msg: None)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_bullet_font_is_validated(tmp_path):
    manifest = ONE_DOC.replace("SRC", "sakuragaura")
    message = _error(
        tmp_path / "a", manifest.replace("sources:", "bullet_font: webdings, sources:")
    )
    assert "bullet_font" in message and "webdings" in message
    manifest = manifest.replace('"•"', '"・"').replace(
        "sources:", "bullet_font: wingdings_pua, sources:"
    )
    assert "no Wingdings code" in _error(tmp_path / "b", manifest)


def test_missing_source_is_named(tmp_path):
    message = _error(tmp_path, ONE_DOC.replace("SRC", "nowhere"))
    assert "nowhere" in message and "does not exist" in message


def test_unknown_theme_is_rejected(tmp_path):
    def edit(d):
        d["situation"]["課題意識"][0]["themes"] = ["not_a_theme"]

    message = _error(tmp_path, ONE_DOC.replace("SRC", "sakuragaura"), edit)
    assert "sakuragaura.yaml" in message and "not_a_theme" in message


def test_themes_where_none_belong_are_rejected(tmp_path):
    def edit(d):
        d["situation"]["現状"][0]["themes"] = ["policy_vision"]

    assert "themes" in _error(tmp_path, ONE_DOC.replace("SRC", "sakuragaura"), edit)


def test_exactly_three_sessions(tmp_path):
    def edit(d):
        d["overview"]["sessions"].pop()

    assert "exactly 3 sessions" in _error(tmp_path, ONE_DOC.replace("SRC", "sakuragaura"), edit)


def test_content_that_cannot_fit_is_an_error_not_an_overflow(tmp_path):
    def edit(d):
        d["results"]["アセスメント結果"]["items"] *= 40

    message = _error(tmp_path, ONE_DOC.replace("SRC", "sakuragaura"), edit)
    assert "事前ヒアリングのアセスメント結果" in message and "does not fit" in message


def test_cli_help_and_error_exit(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0 and "--sources" in capsys.readouterr().out
    src = _tmp_sources(tmp_path, ONE_DOC.replace("SRC", "nowhere"))
    assert main(["--sources", str(src), "--out", str(tmp_path / "o")]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_borderless_boxes_have_header_bands_but_no_outline(corpus):
    docs = [d for d in corpus["manifest"]["documents"] if d.get("boxes") == "borderless"]
    if not docs:
        pytest.skip("the manifest has no borderless document")
    ruled = next(d for d in corpus["manifest"]["documents"] if d.get("boxes", "ruled") == "ruled")

    def stroked_boxes(file: str) -> int:
        with pdfplumber.open(corpus["out"] / file) as pdf:
            page = pdf.pages[2]  # the results slide
            bands = [r for r in page.rects if r["fill"] and r["height"] < 40 and r["top"] > 80]
            outlines = [
                r for r in page.rects if r["stroke"] and not r["fill"] and r["height"] > 200
            ]
            assert len(bands) >= 3, "each box keeps its filled header band"
            return len(outlines)

    assert stroked_boxes(docs[0]["file"]) == 0
    assert stroked_boxes(ruled["file"]) == 3
