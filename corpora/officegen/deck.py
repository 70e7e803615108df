"""Sources → a PowerPoint deck (.pptx) built with python-pptx, as an adviser builds one.

Three slides per municipality, as in the reportlab sample (docs/corpus.md): 伴走支援前の状況
(a table of a narrow label column and bullet cells, ⚫ lines at the foot), 実施概要 (label
column + 第1回 | 第2回 | 第3回, 支援体制 merged across the three) and 実施内容と実施結果
(three boxes side by side). What varies between decks is what varies between real ones:
fonts and sizes, typed or paragraph-formatted bullets (and in which font), label wording
and cell widths, the way the three boxes are built (tables, outlined text boxes, borderless
text boxes under header bands, one three-column table) and the order they are drawn in,
footers and slide numbers, a 課題意識 cell continued on a second slide.

Everything LibreOffice draws must fit where it is put: rows and boxes are sized from their
text (measure.py), and a font is shrunk step by step until the slide holds it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from .measure import INSET_X, INSET_Y, Font, lines_needed
from .style import DeckStyle, OfficeError, fullwidth, session_header

SLIDE_W, SLIDE_H = 960.0, 540.0  # 16:9, 13.333 x 7.5 in
MARGIN = 28.0
NAVY = (0x1C, 0x3A, 0x73)
BLUE = (0x38, 0x66, 0xA8)
PALE = (0xDC, 0xE6, 0xF5)
WHITE = (0xFF, 0xFF, 0xFF)
INK = (0x22, 0x22, 0x22)
GREY = (0x70, 0x70, 0x70)
SUMMARY = "⚫"


# ---------------------------------------------------------------------------------------
# Paragraphs


@dataclass(frozen=True)
class Para:
    """One paragraph of a cell or box: a bullet item, a plain line, a sub-heading."""

    text: str
    kind: str  # bullet | plain | sub | summary | cont (the rest of a bullet cut by a slide)
    level: int = 1


def item_paras(items: list[dict]) -> list[Para]:
    out = []
    for item in items:
        out.append(Para(item["text"], "bullet", 1))
        out.extend(Para(child["text"], "bullet", 2) for child in item.get("children") or [])
    return out


@dataclass
class Frame:
    """Paragraphs in a frame of a given width, at a font size."""

    paras: list[Para]
    style: DeckStyle
    size: float
    bold: bool = False
    in_table: bool = False

    def indent(self, para: Para) -> float:
        """Left margin of the text (continuation lines start here), in points."""
        hang = self.style.hang * self.size
        if para.kind in ("bullet", "cont"):
            typed = self.style.bullets.typed and not self.style.bullets.hanging
            base = 0.0 if typed else hang
            return base + (para.level - 1) * self.style.level_indent * self.size
        return 0.0

    def text_of(self, para: Para) -> str:
        """What is typed into the paragraph's run: a typed bullet is part of the text."""
        b = self.style.bullets
        if para.kind == "bullet" and b.typed:
            glyph = b.char if para.level == 1 else b.sub_char
            return f"{glyph}{b.gap}{para.text}"
        if para.kind == "summary":
            return f"{SUMMARY} {para.text}"
        return para.text

    def height(self, width: float) -> float:
        """Height of the paragraphs in a frame `width` wide, insets included."""
        total = 2 * INSET_Y
        font = Font(self.style.font, self.size, self.bold)
        for n, para in enumerate(self.paras):
            bold = self.bold or para.kind == "sub"
            available = width - 2 * INSET_X - self.indent(para)
            text = self.text_of(para)
            lines = lines_needed(text, available, Font(self.style.font, self.size, bold))
            total += lines * (font.table_pitch if self.in_table else font.pitch)
            if n:
                total += self.style.para_space
        return total


# ---------------------------------------------------------------------------------------
# XML helpers: python-pptx has no API for bullets, east-Asian fonts or cell borders


def _rgb(color) -> RGBColor:
    return RGBColor(*color)


def _set_run_font(run, family: str, size: float, bold: bool, color) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(color)
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "ja-JP")
    for tag in ("a:latin", "a:ea", "a:cs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = etree.SubElement(rpr, qn(tag))
        element.set("typeface", family)


def _bullet_xml(ppr, char: str, font: str | None, color=None) -> None:
    """buClr, buFont, buChar in schema order (after spacing, before tab stops)."""
    if color is not None:
        clr = etree.SubElement(ppr, qn("a:buClr"))
        etree.SubElement(clr, qn("a:srgbClr")).set("val", "{:02X}{:02X}{:02X}".format(*color))
    if font:
        bu_font = etree.SubElement(ppr, qn("a:buFont"))
        bu_font.set("typeface", font)
        if font in ("Wingdings", "Symbol"):
            bu_font.set("pitchFamily", "2")
            bu_font.set("charset", "2")
    etree.SubElement(ppr, qn("a:buChar")).set("char", char)


def _spacing_xml(ppr, before_pt: float) -> None:
    if before_pt:
        spc = etree.SubElement(ppr, qn("a:spcBef"))
        etree.SubElement(spc, qn("a:spcPts")).set("val", str(int(round(before_pt * 100))))


def write_paras(text_frame, frame: Frame, color=INK, align=None) -> None:
    """Fill a text frame with the frame's paragraphs, bullets as the style says."""
    style, b = frame.style, frame.style.bullets
    text_frame.word_wrap = True
    for n, para in enumerate(frame.paras):
        p = text_frame.paragraphs[0] if n == 0 else text_frame.add_paragraph()
        if align is not None:
            p.alignment = align
        ppr = p._p.get_or_add_pPr()
        indent = frame.indent(para)
        hang = style.hang * frame.size
        if para.kind == "bullet" and not b.typed:
            ppr.set("marL", str(Emu(Pt(indent))))
            ppr.set("indent", str(-Emu(Pt(hang))))
            if para.level > 1:
                ppr.set("lvl", "1")
        elif para.kind == "bullet" and b.hanging:
            ppr.set("marL", str(Emu(Pt(indent))))
            ppr.set("indent", str(-Emu(Pt(hang))))
        elif para.kind == "cont":
            ppr.set("marL", str(Emu(Pt(indent))))
            ppr.set("indent", "0")
        _spacing_xml(ppr, style.para_space if n else 0.0)
        if para.kind == "bullet" and not b.typed:
            char, font = (b.char, b.font) if para.level == 1 else (b.sub_char, b.sub_font)
            _bullet_xml(ppr, char, font or style.font, b.color)  # None: the text's font
        else:
            etree.SubElement(ppr, qn("a:buNone"))
        run = p.add_run()
        run.text = frame.text_of(para)
        bold = frame.bold or para.kind == "sub"
        _set_run_font(run, style.font, frame.size, bold, NAVY if para.kind == "sub" else color)


def _insets(body_pr) -> None:
    for attr, value in (("lIns", INSET_X), ("rIns", INSET_X), ("tIns", INSET_Y), ("bIns", INSET_Y)):
        body_pr.set(attr, str(Emu(Pt(value))))


def textbox(slide, x, y, w, h, frame: Frame, *, color=INK, fill=None, line=None, align=None,
            anchor=None, autofit=True):  # fmt: skip
    box = slide.shapes.add_textbox(Pt(x), Pt(y), Pt(w), Pt(h))
    tf = box.text_frame
    body_pr = tf._txBody.find(qn("a:bodyPr"))
    _insets(body_pr)
    body_pr.set("wrap", "square")
    if anchor is not None:
        tf.vertical_anchor = anchor
    for child in list(body_pr):
        body_pr.remove(child)
    etree.SubElement(body_pr, qn("a:spAutoFit" if autofit else "a:noAutofit"))
    write_paras(tf, frame, color=color, align=align)
    if fill is not None:
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb(fill)
    if line is not None:
        box.line.color.rgb = _rgb(line)
        box.line.width = Pt(1.0)
    return box


def band(slide, x, y, w, h, frame: Frame, fill, color=WHITE):
    """A filled rectangle (an autoshape) holding a heading, as templates draw header bands."""
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Pt(x), Pt(y), Pt(w), Pt(h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(fill)
    shape.line.fill.background()
    shape.shadow.inherit = False
    tf = shape.text_frame
    _insets(tf._txBody.find(qn("a:bodyPr")))
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    write_paras(tf, frame, color=color, align=PP_ALIGN.LEFT)
    return shape


_BORDER_TAGS = ("a:lnL", "a:lnR", "a:lnT", "a:lnB")


def style_cell(cell, fill, border, margins=(INSET_X, INSET_X, INSET_Y, INSET_Y), anchor=None):
    """Fill, borders and margins of a table cell, in tcPr's schema order."""
    cell.margin_left, cell.margin_right = Pt(margins[0]), Pt(margins[1])
    cell.margin_top, cell.margin_bottom = Pt(margins[2]), Pt(margins[3])
    if anchor is not None:
        cell.vertical_anchor = anchor
    tc_pr = cell._tc.get_or_add_tcPr()
    for child in list(tc_pr):
        tc_pr.remove(child)
    for tag in _BORDER_TAGS:
        ln = etree.SubElement(tc_pr, qn(tag))
        if border is None:
            ln.set("w", "0")
            etree.SubElement(ln, qn("a:noFill"))
        else:
            ln.set("w", str(Emu(Pt(border[1]))))
            fill_el = etree.SubElement(ln, qn("a:solidFill"))
            etree.SubElement(fill_el, qn("a:srgbClr")).set(
                "val", "{:02X}{:02X}{:02X}".format(*border[0])
            )
    if fill is None:
        etree.SubElement(tc_pr, qn("a:noFill"))
    else:
        fill_el = etree.SubElement(tc_pr, qn("a:solidFill"))
        etree.SubElement(fill_el, qn("a:srgbClr")).set("val", "{:02X}{:02X}{:02X}".format(*fill))


def fill_cell(cell, frame: Frame, color=INK, align=None) -> None:
    tf = cell.text_frame
    for p in list(tf.paragraphs)[1:]:
        p._p.getparent().remove(p._p)
    write_paras(tf, frame, color=color, align=align)


def plain_table(slide, x, y, widths, heights):
    shape = slide.shapes.add_table(
        len(heights), len(widths), Pt(x), Pt(y), Pt(sum(widths)), Pt(sum(heights))
    )
    table = shape.table
    table.first_row = False
    table.horz_banding = False
    for n, w in enumerate(widths):
        table.columns[n].width = Pt(w)
    for n, h in enumerate(heights):
        table.rows[n].height = Pt(h)
    return table


# ---------------------------------------------------------------------------------------
# Fitting: the largest font size (in half points) at which a slide holds its content


def sizes_from(base: float, floor: float = 7.0):
    size = base
    while size >= floor - 1e-9:
        yield size
        size -= 0.5


@dataclass
class Row:
    label: str
    cells: list[list[Para]]  # one per column right of the label
    spans: list[int] = field(default_factory=list)

    def span(self, n: int) -> int:
        return self.spans[n] if self.spans else 1


def label_frame(style: DeckStyle, text: str, size: float) -> Frame:
    return Frame([Para(text, "plain")], style, size, bold=True, in_table=True)


def row_heights(style: DeckStyle, rows: list[Row], widths: list[float], size: float,
                label_size: float) -> list[float]:  # fmt: skip
    heights = []
    for row in rows:
        h = label_frame(style, row.label, label_size).height(widths[0]) if row.label else 0.0
        col = 1
        for n, paras in enumerate(row.cells):
            w = sum(widths[col : col + row.span(n)])
            col += row.span(n)
            h = max(h, Frame(paras, style, size, in_table=True).height(w))
        heights.append(h + style.row_slack * size)
    return heights


# ---------------------------------------------------------------------------------------
# The deck


@dataclass
class SlideRecord:
    """What gold needs to know of a slide: its number and the blocks that start on it."""

    number: int
    blocks: list[str]


def frame_text(frame: Frame) -> str:
    return "".join(frame.text_of(p) for p in frame.paras)


class DeckBuilder:
    def __init__(self, style: DeckStyle, what: str):
        self.style = style
        self.what = what
        self.prs = Presentation()
        self.prs.slide_width = Emu(12192000)
        self.prs.slide_height = Emu(6858000)
        self.slides: list[SlideRecord] = []
        # (slide, (x0, top, x1, bottom), text): what the exported PDF must show there, and
        # only there (export.verify_regions), so that no text overflows where it was put
        self.regions: list[tuple[int, tuple, str]] = []
        self.content_top = 92.0 if not style.title_band else 96.0
        # the footer and the slide number sit in the same strip at the foot of the slide
        self.content_bottom = SLIDE_H - (40.0 if style.footer or style.page_numbers else 18.0)

    def expect(self, x, y, w, h, frame: Frame) -> None:
        self.regions.append((len(self.slides), (x, y, x + w, y + h), frame_text(frame)))

    # -- frame --------------------------------------------------------------------------------

    def new_slide(self, title: str, subtitle: str, blocks: list[str]):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])
        number = len(self.slides) + 1
        self.slides.append(SlideRecord(number, blocks))
        st = self.style
        title_frame = Frame([Para(title, "plain")], st, st.title_size, bold=True)
        if st.title_band:
            band(slide, 0, 0, SLIDE_W, 56, title_frame, NAVY)
            self.expect(0, 0, SLIDE_W, 56, title_frame)
            sub_y = 62.0
        else:
            textbox(slide, MARGIN, 12, SLIDE_W - 2 * MARGIN, 40, title_frame, color=NAVY)
            self.expect(MARGIN, 12, SLIDE_W - 2 * MARGIN, 40, title_frame)
            sub_y = 54.0
        sub_frame = Frame([Para(subtitle, "plain")], st, st.subtitle_size, bold=True)
        textbox(slide, MARGIN, sub_y, SLIDE_W - 2 * MARGIN, 26, sub_frame, color=NAVY)
        self.expect(MARGIN, sub_y, SLIDE_W - 2 * MARGIN, 26, sub_frame)
        if st.footer:
            foot = Frame([Para(st.footer, "plain")], st, 9.0)
            textbox(slide, MARGIN, SLIDE_H - 30, 520, 20, foot, color=GREY)
            self.expect(MARGIN, SLIDE_H - 30, 520, 20, foot)
        if st.page_numbers:
            text = {"plain": f"{number}", "dashed": f"- {number} -", "of": f"{number}"}[
                st.page_numbers
            ]
            num = Frame([Para(text, "plain")], st, 10.0)
            textbox(slide, SLIDE_W - MARGIN - 80, SLIDE_H - 30, 80, 20, num, color=GREY,
                    align=PP_ALIGN.RIGHT)  # fmt: skip
            self.expect(SLIDE_W - MARGIN - 80, SLIDE_H - 30, 80, 20, num)
        return slide

    def summary(self, slide, lines: list[str]) -> float:
        """⚫ lines at the foot of the slide; returns the y where they start."""
        st = self.style
        width = SLIDE_W - 2 * MARGIN
        for size in sizes_from(st.summary_size):
            frame = Frame([Para(t, "summary") for t in lines], st, size)
            h = frame.height(width)
            if h <= 0.3 * (self.content_bottom - self.content_top):
                break
        else:
            raise OfficeError(f"{self.what}: the ⚫ lines do not fit")
        top = self.content_bottom - h
        textbox(slide, MARGIN, top, width, h, frame)
        self.expect(MARGIN, top, width, h, frame)
        return top

    # -- tables ---------------------------------------------------------------------------------

    def fit_rows(self, rows, widths, base, avail, what, floor=7.0):
        st = self.style
        for size in sizes_from(base, floor):
            label_size = min(st.label_size, size + 2)
            heights = row_heights(st, rows, widths, size, label_size)
            if sum(heights) <= avail + 1e-6:
                return size, label_size, heights
        raise OfficeError(f"{self.what}: {what} does not fit {avail:.0f} pt even at {floor} pt")

    def draw_rows(self, slide, rows, widths, heights, size, label_size, y, header=None):
        st = self.style
        table = plain_table(slide, MARGIN, y, widths, ([header[1]] if header else []) + heights)
        border = (st.rule_color, 0.75) if st.table_rules else None
        xs = [MARGIN + sum(widths[:n]) for n in range(len(widths) + 1)]
        offset = 0
        if header:
            texts, head_h = header
            for c, text in enumerate(texts):
                cell = table.cell(0, c)
                style_cell(cell, BLUE if text else PALE, border, anchor=MSO_ANCHOR.MIDDLE)
                if text:
                    frame = Frame([Para(text, "plain")], st, st.head_size, bold=True)
                    fill_cell(cell, frame, WHITE, PP_ALIGN.CENTER)
                    self.expect(xs[c], y, widths[c], head_h, frame)
            offset = 1
            y += head_h
        for r, row in enumerate(rows):
            label = table.cell(r + offset, 0)
            style_cell(label, st.label_fill, border, anchor=MSO_ANCHOR.MIDDLE)
            frame = label_frame(st, row.label, label_size)
            fill_cell(label, frame, WHITE if st.label_fill == NAVY else NAVY, PP_ALIGN.CENTER)
            self.expect(xs[0], y, widths[0], heights[r], frame)
            col = 1
            for n, paras in enumerate(row.cells):
                cell = table.cell(r + offset, col)
                span = row.span(n)
                if span > 1:
                    cell.merge(table.cell(r + offset, col + span - 1))
                style_cell(cell, WHITE, border, anchor=MSO_ANCHOR.TOP)
                frame = Frame(paras, st, size, in_table=True)
                fill_cell(cell, frame)
                self.expect(xs[col], y, xs[col + span] - xs[col], heights[r], frame)
                col += span
            y += heights[r]
        return table

    def label_column(self) -> float:
        """Width of the label column: `narrow` holds one character of the label font."""
        st = self.style
        one = Font(st.font, st.label_size, True).width("情")
        # a little more than the characters, never room for one more
        chars = {"narrow": 1.35, "medium": 3.4, "wide": 5.4}[st.label_width]
        return chars * one + 2 * INSET_X

    # -- the three slides -----------------------------------------------------------------------

    def subtitle(self, src: dict, section: str) -> str:
        return f"{section}{src['municipality']}（{src['profile']}）"

    def situation(self, src: dict, section: str) -> None:
        st = self.style
        sit = src["situation"]
        title = "伴走支援前の状況"
        if section:
            title = f"{section}{src['municipality']}　{title}"
        widths = [self.label_column(), SLIDE_W - 2 * MARGIN - self.label_column()]
        words = st.labels
        goal = words.get("目指す姿", sit["目指す姿"]["heading"])
        top_rows = [
            Row(words.get("現状", "現状"), [item_paras(sit["現状"])]),
            Row(goal, [item_paras(sit["目指す姿"]["items"])]),
        ]
        kadai = item_paras(sit["課題意識"])
        slide = self.new_slide(title, self.subtitle(src, section), ["現状", "目指す姿", "課題意識"])
        label = words.get("課題意識", "課題意識")
        if not st.continued:
            top = self.summary(slide, sit["まとめ"])
            rows = [*top_rows, Row(label, [kadai])]
            size, lsize, heights = self.fit_rows(
                rows, widths, st.body_size, top - 10 - self.content_top, "伴走支援前の状況"
            )
            self.draw_rows(slide, rows, widths, heights, size, lsize, self.content_top)
            return
        # continued: half of 課題意識 (the cut inside a bullet when it wraps) on a second
        # slide under the label 課題意識（続き）, which also carries the ⚫ lines
        items = sit["課題意識"]
        keep = math.ceil(len(items) / 2)
        head, tail = item_paras(items[:keep]), item_paras(items[keep:])
        avail = self.content_bottom - self.content_top
        rows = [*top_rows, Row(label, [head])]
        size, lsize, heights = self.fit_rows(rows, widths, st.body_size, avail, "伴走支援前の状況")
        if st.mid_bullet:
            head, tail = self._cut_bullet(items, keep, widths[1], size)
            rows = [*top_rows, Row(label, [head])]
            heights = row_heights(st, rows, widths, size, lsize)
        self.draw_rows(slide, rows, widths, heights, size, lsize, self.content_top)
        slide = self.new_slide(f"{title}（続き）", self.subtitle(src, section), ["まとめ"])
        top = self.summary(slide, sit["まとめ"])
        rows = [Row(f"{label}（続き）", [tail])]
        heights = row_heights(st, rows, widths, size, lsize)
        if sum(heights) > top - 10 - self.content_top:
            raise OfficeError(f"{self.what}: the continued 課題意識 does not fit")
        self.draw_rows(slide, rows, widths, heights, size, lsize, self.content_top)

    def _cut_bullet(self, items, keep, width, size):
        """Cut the last bullet of the first slide after its first half of lines: the rest
        continues on the next slide as a paragraph without a bullet."""
        st = self.style
        item = items[keep - 1]
        frame = Frame([Para(item["text"], "bullet")], st, size)
        available = width - 2 * INSET_X - frame.indent(Para(item["text"], "bullet"))
        from .measure import wrap

        lines = wrap(frame.text_of(Para(item["text"], "bullet")), available, Font(st.font, size))
        head = item_paras(items[: keep - 1])
        if len(lines) < 2:
            return item_paras(items[:keep]), item_paras(items[keep:])
        typed = len(frame.text_of(Para(item["text"], "bullet"))) - len(item["text"])
        cut = sum(len(line) for line in lines[: math.ceil(len(lines) / 2)]) - typed
        head.append(Para(item["text"][:cut], "bullet"))
        tail = [Para(item["text"][cut:], "cont")]
        tail += [Para(c["text"], "bullet", 2) for c in item.get("children") or []]
        tail += item_paras(items[keep:])
        return head, tail

    def overview(self, src: dict, section: str) -> None:
        st = self.style
        ov = src["overview"]
        slide = self.new_slide(
            "実施概要", self.subtitle(src, section), ["基本情報", "実施内容", "支援体制"]
        )
        lcol = self.label_column()
        session_w = (SLIDE_W - 2 * MARGIN - lcol) / 3
        widths = [lcol, session_w, session_w, session_w]
        sessions = ov["sessions"]
        words = st.labels
        info = [[Para(t, "plain") for t in s["基本情報"]] for s in sessions]
        rows = [
            Row(words.get("基本情報", "基本情報"), info),
            Row(words.get("実施内容", "実施内容"), [item_paras(s["実施内容"]) for s in sessions]),
            Row(words.get("支援体制", "支援体制"), [item_paras(ov["支援体制"])], spans=[3]),
        ]  # fmt: skip
        head_h = Font(st.font, st.head_size, True).table_pitch + 2 * INSET_Y + 4
        avail = self.content_bottom - self.content_top - head_h
        size, lsize, heights = self.fit_rows(rows, widths, st.overview_size, avail, "実施概要")
        header = (["", *[session_header(st.session_word, n) for n in (1, 2, 3)]], head_h)
        self.draw_rows(slide, rows, widths, heights, size, lsize, self.content_top, header=header)

    def results(self, src: dict, section: str) -> None:
        st = self.style
        res = src["results"]
        slide = self.new_slide(
            "実施内容と実施結果",
            self.subtitle(src, section),
            ["アセスメント結果", "到達点", "支援内容", "まとめ"],
        )
        bottom = self.summary(slide, res["まとめ"]) - 10
        done: list[Para] = []
        for session in res["支援内容"]["sessions"]:
            done.append(Para(session["heading"], "sub"))
            done.extend(item_paras(session["items"]))
        words = st.labels
        boxes = [
            (
                words.get("アセスメント結果", res["アセスメント結果"]["heading"]),
                item_paras(res["アセスメント結果"]["items"]),
            ),
            (
                words.get("到達点", res["到達点"]["heading"]),
                [Para(res["到達点"]["subheading"], "sub"), *item_paras(res["到達点"]["items"])],
            ),
            (words.get("支援内容", res["支援内容"]["heading"]), done),
        ]
        gap = 0.0 if st.boxes == "grid" else 12.0
        total = SLIDE_W - 2 * MARGIN - 2 * gap
        weights = st.box_weights
        widths = [total * w / sum(weights) for w in weights]
        xs = [MARGIN + sum(widths[:n]) + n * gap for n in range(3)]
        top = self.content_top
        head_size = st.head_size
        cells = st.boxes in ("tables", "grid")  # else text boxes: another line pitch
        heads = [
            Frame([Para(h, "plain")], st, head_size, bold=True, in_table=cells) for h, _ in boxes
        ]
        band_h = max(f.height(w) for f, w in zip(heads, widths, strict=True)) + 2
        avail = bottom - top - band_h
        sizes = []
        for (heading, paras), w in zip(boxes, widths, strict=True):
            for size in sizes_from(st.box_size):
                if Frame(paras, st, size, in_table=cells).height(w) <= avail:
                    sizes.append(size)
                    break
            else:
                raise OfficeError(f"{self.what}: box {heading!r} does not fit")
        if st.same_box_size:
            sizes = [min(sizes)] * 3
        bodies = [Frame(p, st, s, in_table=cells) for (_, p), s in zip(boxes, sizes, strict=True)]
        if st.boxes == "grid":
            heights = [band_h, avail]
            table = plain_table(slide, MARGIN, top, widths, heights)
            border = (st.rule_color, 0.75)
            for c in range(3):
                style_cell(table.cell(0, c), BLUE, border, anchor=MSO_ANCHOR.MIDDLE)
                fill_cell(table.cell(0, c), heads[c], WHITE)
                style_cell(table.cell(1, c), WHITE, border, anchor=MSO_ANCHOR.TOP)
                fill_cell(table.cell(1, c), bodies[c])
                self.expect(xs[c], top, widths[c], band_h, heads[c])
                self.expect(xs[c], top + band_h, widths[c], avail, bodies[c])
            return
        order = [("head", n) for n in range(3)] + [("body", n) for n in range(3)]
        if st.box_order == "interleaved":
            order = [(part, n) for n in range(3) for part in ("head", "body")]
        for part, n in order:
            x, w = xs[n], widths[n]
            if part == "head":
                self.expect(x, top, w, band_h, heads[n])
            else:
                self.expect(x, top + band_h, w, avail, bodies[n])
            if st.boxes == "tables":
                if part == "body":
                    continue
                table = plain_table(slide, x, top, [w], [band_h, avail])
                border = (st.rule_color, 1.0)
                style_cell(table.cell(0, 0), BLUE, border, anchor=MSO_ANCHOR.MIDDLE)
                fill_cell(table.cell(0, 0), heads[n], WHITE)
                style_cell(table.cell(1, 0), WHITE, border, anchor=MSO_ANCHOR.TOP)
                fill_cell(table.cell(1, 0), bodies[n])
            elif part == "head":
                band(slide, x, top, w, band_h, heads[n], BLUE)
            else:
                line = BLUE if st.boxes == "outlined" else None
                textbox(slide, x, top + band_h, w, avail, bodies[n], line=line,
                        autofit=st.boxes != "outlined")  # fmt: skip

    # -- output ----------------------------------------------------------------------------------

    def build(self, sources: list[dict]) -> None:
        multi = len(sources) > 1
        for n, src in enumerate(sources, 1):
            section = f"{fullwidth(n)}．" if multi else ""
            self.situation(src, section)
            self.overview(src, section)
            self.results(src, section)
