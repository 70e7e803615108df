"""Build the awkward input files a real batch brings, from the sample PDFs, at test time.

    python tests/make_bad_inputs.py DEST      # writes them under DEST/ and lists them

Every case is generated (nothing binary is checked in): `build(dest)` writes the files
and returns what documents.csv should say about each one (`Expected`). The page limit
case needs a config whose `extract.max_pages` is below `TOO_MANY_PAGES` and at least
`MAX_SAMPLE_PAGES`; `write_config(dest)` writes such a copy of configs/.
"""

from __future__ import annotations

import io
import sys
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"
OFFICE = ROOT / "corpora" / "office"
SAMPLE_TXT = ROOT / "corpora" / "sample_txt" / "pdfplumber"  # one extractor's text of every PDF

MAX_SAMPLE_PAGES = 9  # r03_report_set_a.pdf
PAGE_LIMIT = 12  # the test config's extract.max_pages
TOO_MANY_PAGES = 15
JAPANESE_NAME = "京都府 北部/福知山市 報告書（令和3年度）.pdf"
RARE_CHARS = "𠮷😀"  # outside the Basic Multilingual Plane


@dataclass(frozen=True)
class Expected:
    status: str
    reason: str = ""  # a phrase the one-line reason must contain ("" when status is ok)


def build(dest: Path) -> dict[str, Expected]:
    """Write every bad case under dest; {source relative to dest: what documents.csv says}."""
    dest.mkdir(parents=True, exist_ok=True)
    sample = (SAMPLE / "r03_sakuragaura.pdf").read_bytes()
    cases: dict[str, Expected] = {}

    def put(name: str, data: bytes, expected: Expected) -> None:
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        cases[name] = expected

    put("empty.pdf", b"", Expected("error", "empty"))
    put("truncated.pdf", sample[: len(sample) // 3], Expected("error", "truncated"))
    put(
        "not_a_pdf.pdf",
        "これはPDFではなく、拡張子だけ .pdf のテキストです。\n".encode(),
        Expected("error", "not a PDF: the file is plain text"),
    )
    put("password.pdf", _encrypted_pdf(), Expected("error", "password"))
    put("scanned.pdf", _scanned_pdf(), Expected("no_text", "OCR"))
    put("no_unicode.pdf", _no_unicode_pdf(), Expected("no_text", "no Unicode mapping"))
    put("too_many_pages.pdf", _many_pages_pdf(TOO_MANY_PAGES), Expected("error", "max_pages"))
    put("unknown_layout.pdf", _unknown_layout_pdf(), Expected("unrecognized", "blocks.yaml"))
    deck = (OFFICE / "r05_ginrei.pptx").read_bytes()
    report = (OFFICE / "r05_tomoshigamine.docx").read_bytes()
    put(
        "truncated.pptx",
        deck[: len(deck) // 2],
        Expected("error", "not a readable PowerPoint file"),
    )
    put("truncated.docx", report[: len(report) // 2], Expected("error", "not a readable Word file"))
    put(
        "not_a_deck.pptx",
        "スライドではありません\n".encode(),
        Expected("error", "not a .pptx file"),
    )
    put("shift_jis.txt", _shift_jis_txt(), Expected("ok"))
    put("hangs.pdf", _slow_pdf(), Expected("error", "time limit"))
    # The same report under a Japanese name with spaces, in a folder with a space: a few
    # bytes after %%EOF make it a different file (a copy would be listed as a duplicate).
    put(JAPANESE_NAME, sample + b"\n% copy\n", Expected("ok"))
    put("rare_chars.txt", _rare_chars_txt(), Expected("ok"))
    # A second copy of a sample file; it sorts after the original, which keeps the blocks.
    put("r03_aobano_copy.pdf", (SAMPLE / "r03_aobano.pdf").read_bytes(), Expected("duplicate"))
    return cases


def write_config(dest: Path) -> Path:
    """A pipeline.yaml whose page limit the too-many-pages case exceeds; everything else,
    and the files it names (blocks, themes with the model's training data, symbol fonts,
    the userdict, the themes' blind figures), as configs/."""
    dest.mkdir(parents=True, exist_ok=True)
    config = dest / "pipeline.yaml"
    data = yaml.safe_load((ROOT / "configs" / "pipeline.yaml").read_text(encoding="utf-8"))
    for key in ("blocks", "themes"):
        data[key] = str(ROOT / "configs" / data.get(key, f"{key}.yaml"))
    if data.get("theme_confidence"):
        data["theme_confidence"] = str(ROOT / "configs" / data["theme_confidence"])
    extract = data.setdefault("extract", {})
    extract["max_pages"] = PAGE_LIMIT
    if extract.get("symbol_fonts"):
        extract["symbol_fonts"] = str(ROOT / "configs" / extract["symbol_fonts"])
    analyze = data.get("analyze") or {}
    if analyze.get("userdict"):
        analyze["userdict"] = str(ROOT / "configs" / analyze["userdict"])
    data.setdefault("batch", {})["time_limit_s"] = 20
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config


# --- PDFs drawn with reportlab ------------------------------------------------------------


def _canvas(buffer: io.BytesIO, **kwargs):
    from reportlab.lib.pagesizes import landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    if "IPAexGothic" not in pdfmetrics.getRegisteredFontNames():
        font = resources.files("matplotlib_fontja") / "fonts" / "ipaexg.ttf"
        pdfmetrics.registerFont(TTFont("IPAexGothic", str(font)))
    # invariant: the same bytes on every run (no creation date, no random document id)
    canvas = Canvas(buffer, pagesize=landscape((540, 960)), invariant=1, **kwargs)
    canvas.setFont("IPAexGothic", 18)
    return canvas


def _encrypted_pdf() -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption

    buffer = io.BytesIO()
    canvas = _canvas(buffer, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    canvas.drawString(60, 400, "現状 ・ 生活支援コーディネーターの役割が不明確")
    canvas.save()
    return buffer.getvalue()


def _scanned_pdf() -> bytes:
    """A page that is one picture of text, as a scanner makes it: no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    image = Image.new("L", (960, 540), 255)
    draw = ImageDraw.Draw(image)
    for y in range(60, 500, 40):  # grey bars standing in for scanned lines of text
        draw.rectangle((80, y, 880, y + 18), fill=90)
    png = io.BytesIO()
    image.save(png, format="PNG")
    buffer = io.BytesIO()
    canvas = _canvas(buffer)
    canvas.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, width=960, height=540)
    canvas.save()
    return buffer.getvalue()


def _many_pages_pdf(pages: int) -> bytes:
    buffer = io.BytesIO()
    canvas = _canvas(buffer)
    for n in range(1, pages + 1):
        canvas.setFont("IPAexGothic", 18)
        canvas.drawString(60, 400, f"資料編 {n}: 参考資料（統計表）")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _unknown_layout_pdf() -> bytes:
    """Minutes of a meeting: a ruled table like a report's, but with row labels (連絡事項,
    決定事項, 備考) that match no block of configs/blocks.yaml (議題 would: a session's
    agenda is its 実施内容)."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer)
    canvas.setFont("IPAexGothic", 24)
    canvas.drawString(40, 500, "庁内連絡会 議事メモ")
    canvas.setFont("IPAexGothic", 14)
    canvas.drawString(40, 465, "福知山市（令和3年度） 第2回 庁内連絡会")
    rows = [
        ("連絡事項", ["・ 前回議事録の確認", "・ 配布資料の差し替え"]),
        ("決定事項", ["・ 次回の日程は事務局から連絡する", "・ 資料は共有フォルダに置く"]),
        ("備考", ["・ 欠席者には資料を郵送する"]),
    ]
    top = 440
    for label, bullets in rows:
        height = 30 + 24 * len(bullets)
        canvas.rect(40, top - height, 120, height)
        canvas.rect(160, top - height, 760, height)
        canvas.drawString(50, top - 24, label)
        for i, bullet in enumerate(bullets):
            canvas.drawString(170, top - 24 - 24 * i, bullet)
        top -= height
    canvas.save()
    return buffer.getvalue()


# A per-file time limit (seconds) for runs in one process: hangs.pdf always exceeds it
# (pdfminer takes minutes on it) and rare_chars.txt never does, also while the suite's
# other worker and other programs share the two cores (2 s stopped it there).
IN_PROCESS_LIMIT = 8


def _slow_pdf(operators: int = 6_000_000) -> bytes:
    """A valid one-page PDF whose content stream takes pdfminer minutes to interpret.

    The stream is millions of save/restore operators; compressed it is a few dozen KB,
    but the parser walks every one of them in Python. It stands in for the pathological
    files that make a parser hang, without any test hook in the pipeline itself.
    """
    content = zlib.compress(b"q Q " * operators, 9)
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 960 540] /Contents 4 0 R "
            b"/Resources << >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
            + content
            + b"\nendstream",
        ]
    )


def _no_unicode_pdf() -> bytes:
    """A page of Japanese-looking text in a font with no Unicode mapping.

    A CID font with Identity-H encoding, the identity character collection and no
    ToUnicode map: what some PDF tools write, and what pdfminer can only read as
    "(cid:1024)" codes. The font is not embedded; the glyphs do not matter here.
    """
    rows = []
    for row in range(12):
        cids = "".join("%04X" % (0x0400 + row * 20 + k) for k in range(20))
        rows.append(b"BT /F1 18 Tf 60 %d Td <%s> Tj ET" % (480 - 30 * row, cids.encode()))
    content = b"\n".join(rows)
    font = b"/BaseFont /AAAAAA+MS-Gothic"
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 960 540] /Contents 5 0 R "
            b"/Resources << /Font << /F1 4 0 R >> >> >>",
            b"<< /Type /Font /Subtype /Type0 " + font + b" /Encoding /Identity-H "
            b"/DescendantFonts [6 0 R] >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /CIDFontType2 " + font + b" /CIDSystemInfo << "
            b"/Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R "
            b"/DW 1000 >>",
            b"<< /Type /FontDescriptor /FontName /AAAAAA+MS-Gothic /Flags 4 "
            b"/FontBBox [0 -120 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
            b"/CapHeight 700 /StemV 80 >>",
        ]
    )


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1; the first is the catalog), with its xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


# --- text files -----------------------------------------------------------------------------

# Glyphs CP932 has no code for, and the ones an office PC would have typed instead.
_CP932_STAND_INS = {"⚫": "●", "➢": "・", "•": "・"}


def _shift_jis_txt() -> str | bytes:
    text = (SAMPLE_TXT / "r03_kitahamadai.txt").read_text(encoding="utf-8")
    for glyph, stand_in in _CP932_STAND_INS.items():
        text = text.replace(glyph, stand_in)
    return text.encode("cp932")


def _rare_chars_txt() -> bytes:
    """A report whose items carry characters outside the BMP (𠮷, an emoji)."""
    lines = (SAMPLE_TXT / "r03_sakuragaura.txt").read_text(encoding="utf-8").splitlines()
    out = []
    marked = 0
    for line in lines:
        if line.lstrip().startswith(("•", "・")) and marked < 3:
            line = f"{line}（𠮷田地区😀）"
            marked += 1
        out.append(line)
    return ("\n".join(out) + "\n").encode("utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/make_bad_inputs.py DEST", file=sys.stderr)
        return 2
    dest = Path(argv[0])
    for name, expected in build(dest).items():
        print(f"{expected.status:13} {dest / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
