"""report.html: one self-contained page an analyst can open and filter by theme.

The page embeds its figures as base64 PNG and its CSS and JS inline (a Content Security
Policy forbids any fetch), so it can be mailed or opened offline. Every piece of text
from the data goes through html.escape; only this module's own markup is left raw.
"""

from __future__ import annotations

import base64
import csv
from html import escape
from importlib import resources
from pathlib import Path
from string import Template

import pandas as pd

from pipeline.core.contract import split_list
from pipeline.output.files import read_csv, write_atomic
from pipeline.views import figures
from pipeline.views.crosstab import CrossTab, crosstab
from pipeline.views.heat_table import heat_table_html
from pipeline.views.outputs import Outputs, item_themes, parse_evidence

REPORT_BLOCKS = ("課題意識", "到達点")
NONE_OPTION = "__none__"


def _template() -> Template:
    text = resources.files("pipeline.views").joinpath("templates/report.html").read_text("utf-8")
    return Template(text)


def _summary(outputs: Outputs) -> str:
    docs, items = outputs.documents, outputs.items
    ok = int((docs["status"] == "ok").sum()) if "status" in docs else len(docs)
    facts = [
        ("ファイル", f"{len(docs)}（正常 {ok}）"),
        ("市町村", str(items["municipality"].nunique())),
        ("ブロック", str(len(outputs.blocks))),
        ("項目", str(len(items))),
        ("テーマ付き項目", str(int((items["themes"] != "").sum()))),
    ]
    if "theme_evidence" in items:
        evidence = items["theme_evidence"].fillna("").astype(str)
        by_hand = int(evidence.str.contains("by hand", regex=False).sum())
        if by_hand:  # corrected through the batch's labels.csv (classify/hand_labels.py)
            facts.append(("labels.csv で修正した項目", str(by_hand)))
    to_check = _rows_of(outputs.out_dir / "review.csv")
    if to_check:  # review.py: the items to check first
        facts.append(("見直し候補（review.csv、迷いの大きい順）", f"{to_check} 項目"))
    if outputs.run.get("config_digest"):
        facts.append(("設定", str(outputs.run["config_digest"])))
    return "".join(f"<li>{escape(k)}: <b>{escape(v)}</b></li>" for k, v in facts)


def _rows_of(path: Path) -> int:
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)


def _warnings(outputs: Outputs) -> str:
    lines = [str(w) for w in outputs.run.get("warnings", [])]
    docs = outputs.documents
    if "status" in docs:
        for row in docs[docs["status"] != "ok"].itertuples(index=False):
            lines.append(f"{row.source}: {row.status}: {getattr(row, 'error', '')}")
    if not lines:
        return '<p class="warnings">警告はありません。</p>'
    body = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f'<details class="warnings" open><summary>警告 {len(lines)} 件</summary><ul>{body}</ul></details>'


def _figure(fig, alt: str, caption: str) -> str:
    data = base64.b64encode(figures.figure_bytes(fig, "png", dpi=110)).decode("ascii")
    return (
        f'<figure><img alt="{escape(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _crosstab_html(table: CrossTab) -> str:
    pct, marks = table.row_percent, table.marks()
    head = "".join(f"<th>{escape(str(c))}</th>" for c in table.counts.columns)
    body = []
    for r in table.counts.index:
        cells = []
        for c in table.counts.columns:
            n, mark = int(table.counts.at[r, c]), marks.at[r, c]
            css = {"+": ' class="pos"', "-": ' class="neg"'}.get(mark, "")
            ids = "; ".join(table.cells.get((r, c), []))
            cells.append(
                f'<td{css} title="{escape(ids)}">{n}<br><small>{pct.at[r, c]:.0f}%{escape(mark)}</small></td>'
            )
        body.append(f"<tr><th>{escape(str(r))}</th>{''.join(cells)}</tr>")
    summary = escape(table.summary()).replace("\n", "<br>")
    legend = "赤: 調整済み標準化残差 &gt; 1.96（多い）、青: &lt; −1.96（少ない）。セルにマウスを置くと項目 ID。"
    return (
        f'<div class="scroll"><table><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div><p>{summary}<br>{legend}</p>"
    )


def _confidence_html(outputs: Outputs) -> str:
    """Each theme's count in 課題意識 beside the precision and recall measured blind: how
    many of the counted items are likely right, and how many the count likely misses."""
    themes = outputs.themes
    if (
        themes.empty
        or "blind_precision" not in themes
        or not (themes["blind_precision"] != "").any()
    ):
        return ""
    rows = []
    issues = themes[themes["block"] == "課題意識"]
    for theme_id, label in outputs.labels().items():
        mine = themes[themes["theme"] == theme_id]
        p, r = mine["blind_precision"].iloc[0], mine["blind_recall"].iloc[0]
        n = int(issues.loc[issues["theme"] == theme_id, "items"].astype(int).sum())
        if p == "" or r == "":
            rows.append(f"<tr><th>{escape(label)}</th><td>{n}</td><td colspan=4>未測定</td></tr>")
            continue
        p, r = float(p), float(r)
        right = n * p
        whole = f"{right / r:.0f}" if r > 0 else "—"
        rows.append(
            f"<tr><th>{escape(label)}</th><td>{n}</td><td>{p:.2f}</td><td>{r:.2f}</td>"
            f"<td>約{right:.0f}</td><td>約{whole}</td></tr>"
        )
    return (
        "<h2>テーマの件数をどこまで信じられるか</h2>"
        '<p class="where">精度（付いたテーマが正しい割合）と再現率（あるべきテーマが付いた割合）は、'
        "ルールを書くときに見ていない市町村で測った値です（configs/theme_confidence.yaml、"
        "<code>make evaluate-themes</code>）。課題意識の件数 N のうち正しいのは約 N×精度、"
        "見落としを含めた実際の件数は約 N×精度÷再現率と読めます（少数の市町村での測定なので幅があります）。</p>"
        '<div class="scroll"><table><thead><tr><th>テーマ</th><th>課題意識の件数</th>'
        "<th>精度</th><th>再現率</th><th>うち正しい</th><th>実際の件数</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _discover_html(out_dir: Path) -> str:
    """The topics `python -m pipeline discover` wrote, if it was run (discover/)."""
    folder = out_dir / "discover"
    if not (folder / "topics.csv").is_file():
        return ""
    topics = read_csv(folder / "topics.csv")
    coherence = read_csv(folder / "coherence.csv") if (folder / "coherence.csv").is_file() else None
    rows = []
    for _, topic in topics.iterrows():
        candidate = topic["candidate_new_theme"] == "True"
        flag = "★新テーマ候補" if candidate else ""
        css = ' class="candidate"' if candidate else ""
        share = float(topic["uncovered_share"] or 0)
        rows.append(
            f"<tr{css}><th>{escape(topic['topic'])}</th>"
            f"<td>{escape(topic['items'])}</td><td>{share:.0%}</td>"
            f"<td>{escape(topic['main_themes'])}</td><td>{escape(topic['top_words'])}</td>"
            f"<td>{escape(topic['representative'])}</td><td>{flag}</td></tr>"
        )
    how = ""
    if coherence is not None and not coherence.empty:
        chosen = coherence[coherence["chosen"] == "True"]
        tried = "、".join(
            f"K={k}: {v}" for k, v in zip(coherence["k"], coherence["mean_npmi"], strict=True)
        )
        k = chosen["k"].iloc[0] if not chosen.empty else len(topics)
        how = f"トピック数 K={escape(str(k))}（試した K と上位語の平均 NPMI: {escape(tried)}）。"
    return (
        "<h2>テーマにないトピック（discover）</h2>"
        f'<p class="where">{how}各項目を最も強いトピックに割り当て、テーマが一つも付いていない項目の割合を示します。'
        "その割合がバッチ全体より明らかに高い（30%以上、二項検定 p&lt;0.01）トピックは、"
        "テーマ一覧にない話題の候補です（topic_items.csv に全項目）。</p>"
        '<div class="scroll"><table><thead><tr><th>トピック</th><th>項目</th><th>テーマなし</th>'
        "<th>主なテーマ</th><th>上位語</th><th>代表的な項目</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f"{_gaps_html(folder)}"
    )


def _gaps_html(folder: Path) -> str:
    """The candidate new themes found at any K tried (gaps.csv), if discover wrote it."""
    if not (folder / "gaps.csv").is_file():
        return ""
    gaps = read_csv(folder / "gaps.csv")
    if gaps.empty:
        return "<p>試したどの K でも、新テーマ候補のトピックはありませんでした。</p>"
    rows = [
        f"<tr><th>{escape(g['gap'])}</th><td>{escape(g['flagged_at_k'].replace(';', ', '))}</td>"
        f"<td>{escape(g['items'])}</td><td>{float(g['uncovered_share'] or 0):.0%}</td>"
        f"<td>{escape(g['main_themes'])}</td><td>{escape(g['top_words'])}</td>"
        f"<td>{escape(g['representative'])}</td></tr>"
        for _, g in gaps.iterrows()
    ]
    return (
        "<h3>K を変えて見つかった新テーマ候補（gaps.csv）</h3>"
        '<p class="where">話題の粒度は K で変わるため、試したすべての K で候補を探し、'
        "項目の大半が重なる候補は一つにまとめています。</p>"
        '<div class="scroll"><table><thead><tr><th>候補</th><th>K</th><th>項目</th>'
        "<th>テーマなし</th><th>主なテーマ</th><th>上位語</th><th>代表的な項目</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _options(outputs: Outputs, labels: dict[str, str]) -> str:
    shown = outputs.items[outputs.items["block"].isin(REPORT_BLOCKS)]
    counts = item_themes(shown)["theme"].value_counts()
    options = ['<option value="">すべてのテーマ</option>']
    for theme, label in labels.items():
        options.append(
            f'<option value="{escape(theme)}">{escape(label)}（{int(counts.get(theme, 0))}）</option>'
        )
    options.append(f'<option value="{NONE_OPTION}">テーマなし</option>')
    return "".join(options)


def _item_html(item, labels: dict[str, str]) -> str:
    themes = split_list(item.themes)
    # Evidence for the tags shown (the classifier may also explain themes it did not give).
    evidence = {
        t: words
        for t, words in parse_evidence(getattr(item, "theme_evidence", "")).items()
        if t in themes or not t
    }
    tags = "".join(
        f'<button type="button" class="tag" data-theme="{escape(t)}">{escape(labels.get(t, t))}</button>'
        for t in themes
    )
    why = "; ".join(f"{labels.get(t, t)}: {words}" if t else words for t, words in evidence.items())
    # Problem statements come from the analyze stage when it extracts them; absent otherwise.
    target, state = getattr(item, "problem_target", ""), getattr(item, "problem_state", "")
    problem = " → ".join(part for part in (target, state) if part)
    level = "level-2" if str(getattr(item, "level", "1")) == "2" else "level-1"
    return (
        f'<li class="item {level}" data-themes="{escape(" ".join(themes))}" '
        f'data-item-id="{escape(str(item.item_id))}">{escape(str(item.text))} {tags}'
        + (f'<div class="evidence">根拠: {escape(why)}</div>' if why else "")
        + (f'<div class="evidence">問題: {escape(problem)}</div>' if problem else "")
        + f'<div class="where">{escape(str(getattr(item, "source", "")))} p.{escape(str(item.page))}'
        f" · {escape(str(item.item_id))}</div></li>"
    )


def _municipalities(items: pd.DataFrame, labels: dict[str, str]) -> str:
    sections = []
    for municipality in dict.fromkeys(items["municipality"]):
        own = items[items["municipality"] == municipality]
        sources = ", ".join(dict.fromkeys(own.get("source", pd.Series(dtype=str))))
        columns = []
        for block in REPORT_BLOCKS:
            rows = own[own["block"] == block]
            lis = "".join(_item_html(item, labels) for item in rows.itertuples(index=False))
            lis = lis or '<li class="empty">（項目なし）</li>'
            columns.append(f'<div><h4>{escape(block)}</h4><ul class="items">{lis}</ul></div>')
        sections.append(
            f'<section class="municipality" data-municipality="{escape(municipality)}">'
            f"<h3>{escape(municipality)}</h3>"
            f'<div class="sources">出典: {escape(sources)}</div>'
            f'<div class="columns">{"".join(columns)}</div></section>'
        )
    return "\n".join(sections)


def build_report(outputs: Outputs) -> str:
    """The whole page as a string (figures rendered in memory from the tables)."""
    labels = outputs.labels()
    items = outputs.items
    table = crosstab(items, "municipality", "theme", "課題意識", labels)
    return _template().substitute(
        title=escape(f"伴走支援レポート分析: {outputs.name}"),
        summary=_summary(outputs),
        warnings=_warnings(outputs),
        heat_table=heat_table_html(
            figures.heatmap_counts(items, labels, figures.ISSUE_BLOCK), labels, figures.ISSUE_BLOCK
        ),
        heatmap=_figure(
            figures.theme_heatmap(items, labels),
            "課題意識のテーマ × 市町村のヒートマップ",
            "各市町村の課題意識の項目のうち、各テーマが付いた項目の数（figures/ にも書き出されます）。",
        ),
        by_block=_figure(
            figures.themes_by_block(items, labels),
            "ブロック別のテーマの割合",
            "現状・目指す姿・課題意識・到達点の各ブロックで、テーマが付いた項目の割合。",
        ),
        confidence=_confidence_html(outputs),
        crosstab=_crosstab_html(table),
        discover=_discover_html(outputs.out_dir),
        options=_options(outputs, labels),
        municipalities=_municipalities(items, labels),
    )


def write_report(outputs: Outputs, path: Path | None = None) -> Path:
    path = path or outputs.out_dir / "report.html"
    page = build_report(outputs)
    write_atomic(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return path
