"""Sources → an A4 report in Word format (.docx) built with python-docx.

The same content as a deck (docs/corpus.md), written as a report: a heading per
municipality, then 伴走支援前の状況 (a label | bullets table, or a heading and a bulleted
list per label), 実施概要 (the session table, 支援体制 merged across the sessions) and
実施内容と実施結果 (a heading and a list per box, or a three-column table), ⚫ lines after
the first and the last part. Bullets are Word's own list numbering (a bullet character
in a font of the style's choosing) or typed into the text. A running header and a page
number field in the footer on some reports.

Writer lays the report out; nothing here depends on where lines break, so no measuring.
"""

from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .style import ReportStyle, fullwidth, session_header

SUMMARY = "⚫"
NAVY = RGBColor(0x1C, 0x3A, 0x73)


def _fonts(run_or_style, family: str) -> None:
    """Latin and east-Asian typeface: Word keeps them apart (w:ascii vs w:eastAsia)."""
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over the named one


class ReportBuilder:
    def __init__(self, style: ReportStyle, what: str):
        self.style = style
        self.what = what
        self.doc = Document()
        self._set_up()
        self._bullet_num = self._numbering() if style.bullets == "list" else None

    # -- document set-up -------------------------------------------------------------------

    def _set_up(self) -> None:
        st, doc = self.style, self.doc
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Mm(20))
        section.top_margin, section.bottom_margin = Mm(20), Mm(18)
        normal = doc.styles["Normal"]
        normal.font.size = Pt(st.size)
        _fonts(normal, st.font)
        normal.paragraph_format.space_after = Pt(0)
        for name, size in (("Title", 18), ("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 11)):
            heading = doc.styles[name]
            heading.font.size = Pt(size)
            heading.font.color.rgb = NAVY
            _fonts(heading, st.heading_font)
            heading.paragraph_format.space_before = Pt(10 if name != "Heading 3" else 6)
            heading.paragraph_format.space_after = Pt(4)
        if st.header:
            header = section.header.paragraphs[0]
            header.text = st.header
            header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if st.page_numbers:
            footer = section.footer.paragraphs[0]
            footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
            footer.add_run("- ")
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), "PAGE")
            run = OxmlElement("w:r")
            text = OxmlElement("w:t")
            text.text = "1"
            run.append(text)
            field.append(run)
            footer._p.append(field)
            footer.add_run(" -")

    def _numbering(self) -> str:
        """A bullet list definition of two levels, in the style's bullet characters."""
        st = self.style
        numbering = self.doc.part.numbering_part.element
        ids = [int(n.get(qn("w:abstractNumId"))) for n in numbering.findall(qn("w:abstractNum"))]
        abstract_id = str(max(ids, default=0) + 10)
        abstract = OxmlElement("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), abstract_id)
        multi = OxmlElement("w:multiLevelType")
        multi.set(qn("w:val"), "hybridMultilevel")
        abstract.append(multi)
        for level, (char, font) in enumerate(
            ((st.bullet_char, st.bullet_font), (st.sub_char, st.sub_font))
        ):
            lvl = OxmlElement("w:lvl")
            lvl.set(qn("w:ilvl"), str(level))
            for tag, val in (("w:start", "1"), ("w:numFmt", "bullet"), ("w:lvlText", char),
                             ("w:lvlJc", "left")):  # fmt: skip
                element = OxmlElement(tag)
                element.set(qn("w:val"), val)
                lvl.append(element)
            ppr = OxmlElement("w:pPr")
            ind = OxmlElement("w:ind")
            ind.set(qn("w:left"), str(360 + 360 * level))
            ind.set(qn("w:hanging"), "300")
            ppr.append(ind)
            lvl.append(ppr)
            rpr = OxmlElement("w:rPr")
            fonts = OxmlElement("w:rFonts")
            family = font or st.font
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:hint"):
                fonts.set(qn(attr), family if attr != "w:hint" else "eastAsia")
            rpr.append(fonts)
            lvl.append(rpr)
            abstract.append(lvl)
        # abstractNum elements come before num elements in numbering.xml
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        num_ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
        num_id = str(max(num_ids, default=0) + 10)
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), num_id)
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), abstract_id)
        num.append(ref)
        numbering.append(num)
        return num_id

    # -- paragraphs ---------------------------------------------------------------------------

    def _bullet(self, container, text: str, level: int = 1, size: float | None = None):
        st = self.style
        p = container.add_paragraph()
        if self._bullet_num is not None:
            ppr = p._p.get_or_add_pPr()
            num_pr = OxmlElement("w:numPr")
            ilvl = OxmlElement("w:ilvl")
            ilvl.set(qn("w:val"), str(level - 1))
            num_id = OxmlElement("w:numId")
            num_id.set(qn("w:val"), self._bullet_num)
            num_pr.append(ilvl)
            num_pr.append(num_id)
            ppr.append(num_pr)
            body = text
        else:
            glyph = st.bullet_char if level == 1 else st.sub_char
            body = f"{glyph}{text}" if level == 1 else f"　{glyph}{text}"
            if level > 1:
                p.paragraph_format.left_indent = Pt(10)
        run = p.add_run(body)
        if size:
            run.font.size = Pt(size)
        return p

    def _plain(self, container, text: str, bold=False, size=None, color=None):
        p = container.add_paragraph()
        run = p.add_run(text)
        run.font.bold = bold
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
        return p

    def _items(self, container, items: list[dict], size=None) -> None:
        for item in items:
            self._bullet(container, item["text"], 1, size)
            for child in item.get("children") or []:
                self._bullet(container, child["text"], 2, size)

    def _summary(self, lines: list[str]) -> None:
        for text in lines:
            self._plain(self.doc, f"{SUMMARY} {text}")

    @staticmethod
    def _first_paragraph(cell):
        """A new cell holds one empty paragraph: fill it instead of adding after it."""
        return cell.paragraphs[0]

    def _cell_items(self, cell, items, size, plain=False) -> None:
        first = self._first_paragraph(cell)
        for n, item in enumerate(items):
            texts = (
                [(item, 1)] if plain else [(item, 1)] + [(c, 2) for c in item.get("children") or []]
            )
            for entry, level in texts:
                text = entry if plain else entry["text"]
                if plain:
                    p = self._plain(cell, text, size=size)
                else:
                    p = self._bullet(cell, text, level, size)
                if n == 0 and level == 1 and first is not None:
                    # move the new paragraph's content into the empty first one
                    first._p.getparent().replace(first._p, p._p)
                    first = None

    def _table(self, rows: int, cols: int, widths_mm: list[float]):
        table = self.doc.add_table(rows=rows, cols=cols)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)  # the grid: what Writer lays the table out by
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=True):
                cell.width = Mm(width)
        return table

    def _label(self, cell, text: str) -> None:
        p = self._first_paragraph(cell)
        run = p.add_run(text)
        run.font.bold = True
        run.font.size = Pt(self.style.table_size + 0.5)
        run.font.color.rgb = NAVY
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "DCE6F5")
        cell._tc.get_or_add_tcPr().append(shading)

    def _part(self, title: str) -> None:
        """A part's heading; with page_breaks, the part starts a page."""
        heading = self.doc.add_heading(title, level=2)
        if self.style.page_breaks:
            heading.paragraph_format.page_break_before = True

    def _head(self, cell, text: str, center: bool = False) -> None:
        p = self._first_paragraph(cell)
        run = p.add_run(text)
        run.font.bold = True
        run.font.size = Pt(self.style.table_size + 0.5)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # -- the three parts ---------------------------------------------------------------------------

    def situation(self, src: dict) -> None:
        st, doc = self.style, self.doc
        sit = src["situation"]
        doc.add_heading("伴走支援前の状況", level=2)
        labels = st.labels
        rows = [
            (labels.get("現状", "現状"), sit["現状"]),
            (labels.get("目指す姿", sit["目指す姿"]["heading"]), sit["目指す姿"]["items"]),
            (labels.get("課題意識", "課題意識"), sit["課題意識"]),
        ]
        if st.situation == "table":
            table = self._table(3, 2, [16, 154])
            for r, (label, items) in enumerate(rows):
                self._label(table.cell(r, 0), label)
                self._cell_items(table.cell(r, 1), items, st.table_size)
        else:
            for label, items in rows:
                doc.add_heading(label, level=3)
                self._items(doc, items)
        self._summary(sit["まとめ"])

    def overview(self, src: dict) -> None:
        st = self.style
        ov = src["overview"]
        self._part("実施概要")
        table = self._table(4, 4, [16, 51.3, 51.3, 51.4])
        for n in (1, 2, 3):
            self._head(table.cell(0, n), session_header(st.session_word, n), center=True)
        words = st.labels
        self._label(table.cell(1, 0), words.get("基本情報", "基本情報"))
        self._label(table.cell(2, 0), words.get("実施内容", "実施内容"))
        self._label(table.cell(3, 0), words.get("支援体制", "支援体制"))
        for n, session in enumerate(ov["sessions"], 1):
            self._cell_items(table.cell(1, n), session["基本情報"], st.table_size, plain=True)
            self._cell_items(table.cell(2, n), session["実施内容"], st.table_size)
        merged = table.cell(3, 1).merge(table.cell(3, 3))
        self._cell_items(merged, ov["支援体制"], st.table_size)

    def results(self, src: dict) -> None:
        st, doc = self.style, self.doc
        res = src["results"]
        self._part("実施内容と実施結果")
        names = ("アセスメント結果", "到達点", "支援内容")
        boxes = [res[name] for name in names]
        headings = [
            st.labels.get(name, box["heading"]) for name, box in zip(names, boxes, strict=True)
        ]
        if st.results == "table":
            table = self._table(2, 3, [56.6, 56.7, 56.7])
            for c, box in enumerate(boxes):
                self._head(table.cell(0, c), headings[c])
                self._box_body(table.cell(1, c), box, st.table_size, in_cell=True)
        else:
            for box, heading in zip(boxes, headings, strict=True):
                doc.add_heading(heading, level=3)
                self._box_body(doc, box, None, in_cell=False)
        self._summary(res["まとめ"])

    def _box_body(self, container, box: dict, size, in_cell: bool) -> None:
        entries: list[tuple[str, object]] = []
        if "subheading" in box:
            entries.append(("sub", box["subheading"]))
        if "sessions" in box:
            for session in box["sessions"]:
                entries.append(("sub", session["heading"]))
                entries.extend(("item", item) for item in session["items"])
        else:
            entries.extend(("item", item) for item in box["items"])
        first = self._first_paragraph(container) if in_cell else None
        for kind, value in entries:
            if kind == "sub":
                p = self._plain(container, value, bold=True, size=size, color=NAVY)
                ps = [p]
            else:
                ps = [self._bullet(container, value["text"], 1, size)]
                ps += [
                    self._bullet(container, c["text"], 2, size) for c in value.get("children") or []
                ]
            if first is not None:
                first._p.getparent().replace(first._p, ps[0]._p)
                first = None

    def build(self, sources: list[dict]) -> None:
        doc = self.doc
        doc.add_paragraph("市町村伴走支援 実施報告書", style="Title")
        multi = len(sources) > 1
        for n, src in enumerate(sources, 1):
            section = f"{fullwidth(n)}．" if multi else ""
            heading = doc.add_heading(f"{section}{src['municipality']}（{src['profile']}）", 1)
            if n > 1 and self.style.page_breaks:
                heading.paragraph_format.page_break_before = True
            self.situation(src)
            self.overview(src)
            self.results(src)
