"""The three slides of one municipality: situation (maybe continued), overview, results."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .fonts import Fonts
from .layout import (
    Cell,
    Para,
    TableLayout,
    TableStyle,
    fit_flow,
    layout_centered,
    layout_table,
    para_text_x,
)
from .paint import Pages, Painter, draw_frame, draw_table
from .style import (
    BLUE,
    CELL_PAD_X,
    CELL_PAD_Y,
    LEVEL2_BULLET,
    SUMMARY_BULLET,
    LabelMetrics,
    PageStyle,
)
from .wrap import wrap


def item_paras(items: list[dict], bullet: str) -> list[Para]:
    paras = []
    for item in items:
        paras.append(Para(item["text"], "bullet", 1, bullet))
        for child in item.get("children") or []:
            paras.append(Para(child["text"], "bullet", 2, LEVEL2_BULLET))
    return paras


def summary_paras(lines: list[str]) -> list[Para]:
    return [Para(text, "bullet", 1, SUMMARY_BULLET) for text in lines]


def draw_summary(p: Painter, lines: list[str]) -> float:
    """⚫ lines at the foot of the slide; returns the y where they start."""
    st = p.style
    avail = (st.content_bottom - st.content_top) * 0.3
    placed, used, _ = fit_flow(
        summary_paras(lines), st.content_width, avail, st.summary_size, p.fonts, f"{p.what} ⚫"
    )
    top = st.content_bottom - used
    p.lines(placed, st.margin, top, (st.margin, top, st.width - st.margin, st.content_bottom))
    return top


@dataclass(frozen=True)
class SlideContext:
    source: dict
    style: PageStyle
    labels: LabelMetrics
    bullet: str
    section: str  # "１．" in multi-municipality documents, else ""
    boxes: str = "ruled"  # slide 3: ruled boxes, or borderless text boxes under header bands


def subtitle(ctx: SlideContext) -> str:
    src = ctx.source
    return f"{ctx.section}{src['municipality']}（{src['profile']}）　{src['fiscal_year']} 市町村伴走支援"


def footer(ctx: SlideContext) -> str:
    return f"{ctx.source['fiscal_year']} 市町村伴走支援事業 報告書"


def body(paras) -> Cell:
    return Cell("body", paras=tuple(paras))


def table_style(ctx: SlideContext, fonts: Fonts) -> TableStyle:
    return TableStyle(ctx.labels, ctx.style.head_size, fonts)


def situation_rows(ctx: SlideContext, kadai: list[Para], with_top: bool) -> list[list[Cell]]:
    sit = ctx.source["situation"]
    goal = sit["目指す姿"]
    rows = []
    if with_top:
        rows.append([Cell("label", "現状"), body(item_paras(sit["現状"], ctx.bullet))])
        rows.append([Cell("label", goal["heading"]), body(item_paras(goal["items"], ctx.bullet))])
    rows.append([Cell("label", "課題意識"), body(kadai)])
    return rows


def situation_table(ctx, fonts, what, kadai, with_top, avail, force=None) -> TableLayout:
    """Slide 1's table (or, without with_top, the continuation's 課題意識 row alone)."""
    st = ctx.style
    widths = [ctx.labels.column, st.content_width - ctx.labels.column]
    rows = situation_rows(ctx, kadai, with_top)
    return layout_table(
        table_style(ctx, fonts), st.margin, st.content_top, widths, rows,
        st.situation_size, avail, f"{what} 伴走支援前の状況", force,
    )  # fmt: skip


def split_kadai(ctx: SlideContext, fonts: Fonts, what: str, avail: float, mid_bullet: bool):
    """Split the 課題意識 paragraphs over two slides: (first slide's, continuation's, size).

    Between bullets after half of the items; with mid_bullet, the last bullet on the first
    slide is cut at a line boundary and its remaining lines continue on the next slide
    (drawn without a glyph, aligned under the text).  The first slide keeps the font size
    it would have with that bullet whole, so the cut falls exactly at a line end.
    """
    items = ctx.source["situation"]["課題意識"]
    keep = math.ceil(len(items) / 2)
    first = item_paras(items[:keep], ctx.bullet)
    rest = item_paras(items[keep:], ctx.bullet)
    table = situation_table(ctx, fonts, what, first, True, avail)
    if not mid_bullet:
        return first, rest, table.size
    # the bullet to cut: the last one of the first half if it wraps, else the nearest that does
    candidates = list(range(keep - 1, len(items))) + list(range(keep - 2, -1, -1))
    for index in candidates:
        if index + 1 != keep:  # a different first slide: its font size may differ
            whole = item_paras(items[: index + 1], ctx.bullet)
            table = situation_table(ctx, fonts, what, whole, True, avail)
        text_w = table.col_x[2] - table.col_x[1] - 2 * CELL_PAD_X
        item = items[index]
        _, text_x = para_text_x(Para(item["text"], "bullet"), table.size)
        lines = wrap(item["text"], text_w - text_x, table.size, fonts)
        if len(lines) < 2:
            continue
        cut = lines[math.ceil(len(lines) / 2)][0]
        head = item_paras(items[:index], ctx.bullet) + [
            Para(item["text"][:cut], "bullet", 1, ctx.bullet)
        ]
        tail = [Para(item["text"][cut:], "cont")]
        tail += [Para(c["text"], "bullet", 2, LEVEL2_BULLET) for c in item.get("children") or []]
        tail += item_paras(items[index + 1 :], ctx.bullet)
        return head, tail, table.size
    table = situation_table(ctx, fonts, what, first, True, avail)
    return first, rest, table.size  # no bullet wraps: split between bullets


def draw_situation(pages: Pages, ctx: SlideContext, continued: bool, mid_bullet: bool) -> None:
    """Slide 1 (and its continuation): label/bullet table, ⚫ lines at the foot."""
    st, fonts, what = ctx.style, pages.fonts, pages.what
    sit = ctx.source["situation"]
    title = "伴走支援前の状況"
    first_title = f"{ctx.section}{ctx.source['municipality']}　{title}" if ctx.section else title
    gap = 10
    p = pages.start()
    draw_frame(p, first_title, subtitle(ctx), footer(ctx), pages.next_number)
    if not continued:
        top = draw_summary(p, sit["まとめ"])
        kadai = item_paras(sit["課題意識"], ctx.bullet)
        table = situation_table(ctx, fonts, what, kadai, True, top - gap - st.content_top)
        draw_table(p, table)
        pages.finish(p)
        return
    # the continuation slide carries the ⚫ lines, so the first slide's table may use their room
    avail = st.content_bottom - st.content_top
    head, tail, size = split_kadai(ctx, fonts, what, avail, mid_bullet)
    draw_table(p, situation_table(ctx, fonts, what, head, True, avail, size))
    pages.finish(p)
    p = pages.start()
    draw_frame(p, f"{title}（続き）", subtitle(ctx), footer(ctx), pages.next_number)
    top = draw_summary(p, sit["まとめ"])
    table = situation_table(ctx, fonts, what, tail, False, top - gap - st.content_top)
    draw_table(p, table)
    pages.finish(p)


def draw_overview(pages: Pages, ctx: SlideContext) -> None:
    """Slide 2: label column + 第1回 | 第2回 | 第3回, 支援体制 spanning the three."""
    st = ctx.style
    ov = ctx.source["overview"]
    p = pages.start()
    draw_frame(p, "実施概要", subtitle(ctx), footer(ctx), pages.next_number)
    session_w = (st.content_width - ctx.labels.column) / 3
    sessions = ov["sessions"]
    rows = [
        [Cell("blank")] + [Cell("head", f"第{n}回") for n in (1, 2, 3)],
        [Cell("label", "基本情報")] + [body(Para(t, "plain") for t in s["基本情報"]) for s in sessions],
        [Cell("label", "実施内容")] + [body(item_paras(s["実施内容"], ctx.bullet)) for s in sessions],
        [Cell("label", "支援体制"), Cell("body", paras=tuple(item_paras(ov["支援体制"], ctx.bullet)), span=3)],
    ]  # fmt: skip
    table = layout_table(
        table_style(ctx, pages.fonts), st.margin, st.content_top,
        [ctx.labels.column] + [session_w] * 3, rows, st.overview_size,
        st.content_bottom - st.content_top, f"{pages.what} 実施概要",
    )  # fmt: skip
    draw_table(p, table)
    pages.finish(p)


def results_boxes(ctx: SlideContext) -> list[tuple[str, list[Para]]]:
    res = ctx.source["results"]
    reached = [Para(res["到達点"]["subheading"], "sub")] + item_paras(
        res["到達点"]["items"], ctx.bullet
    )
    done: list[Para] = []
    for session in res["支援内容"]["sessions"]:
        done.append(Para(session["heading"], "sub"))
        done.extend(item_paras(session["items"], ctx.bullet))
    return [
        (
            res["アセスメント結果"]["heading"],
            item_paras(res["アセスメント結果"]["items"], ctx.bullet),
        ),
        (res["到達点"]["heading"], reached),
        (res["支援内容"]["heading"], done),
    ]


def draw_results(pages: Pages, ctx: SlideContext) -> None:
    """Slide 3: three boxes side by side, each with its own shrink-on-overflow, ⚫ lines."""
    st, fonts, what = ctx.style, pages.fonts, pages.what
    p = pages.start()
    draw_frame(p, "実施内容と実施結果", subtitle(ctx), footer(ctx), pages.next_number)
    bottom = draw_summary(p, ctx.source["results"]["まとめ"]) - 10
    gap = 10
    box_w = (st.content_width - 2 * gap) / 3
    inner_w = box_w - 2 * CELL_PAD_X
    boxes = results_boxes(ctx)
    heads = [layout_centered(h, inner_w, st.head_size, fonts, "head") for h, _ in boxes]
    band = max(h for _, h in heads) + 2 * CELL_PAD_Y
    box_h = bottom - st.content_top  # fixed shapes of the template, down to the ⚫ lines
    body_h = box_h - band - 2 * CELL_PAD_Y
    for n, ((heading, paras), (head_lines, head_h)) in enumerate(zip(boxes, heads, strict=True)):
        x = st.margin + n * (box_w + gap)
        y = st.content_top
        p.rect(x, y, box_w, band, fill=BLUE)
        p.lines(head_lines, x + CELL_PAD_X, y + (band - head_h) / 2, (x, y, x + box_w, y + band))
        placed, _, _ = fit_flow(paras, inner_w, body_h, st.box_size, fonts, f"{what} {heading}")
        body_top = y + band + CELL_PAD_Y
        p.lines(placed, x + CELL_PAD_X, body_top, (x, body_top, x + box_w, y + box_h))
        if ctx.boxes == "ruled":
            # borderless: PowerPoint text boxes with no outline, side by side under their
            # header bands; nothing but white space separates the columns
            p.rect(x, y, box_w, box_h, stroke=BLUE, width=1.2)
    pages.finish(p)
