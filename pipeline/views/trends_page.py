"""The files of `python -m pipeline trends`: CSV tables, figures and trends.html.

OUTPUTS/trends/ gets shares.csv (municipality × period × theme: items, the period's items,
share), tests.csv (a chi-square test per theme), items.csv (the items behind every
share: theme, period, municipality, text, file, page, batch), trends.png/.svg (themes by
period), municipalities.png/.svg (each municipality of several years, side by side) and
trends.html, self-contained like report.html. Figures use the project's figure set-up
(figures.py: the Japanese font, SVG text as paths).
"""

from __future__ import annotations

import base64
from html import escape
from importlib import resources
from pathlib import Path
from string import Template

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipeline.output.files import write_atomic, write_csv
from pipeline.views import figures
from pipeline.views.trends import ALL, PERIOD_NAMES, Trends


def share_figure(trends: Trends, municipality: str = ALL, ax=None) -> Figure | None:
    """Horizontal bars: each theme's share of the block's items, one bar per period."""
    table = trends.table(municipality) * 100
    fig = None
    if ax is None:
        fig = Figure(layout="constrained", figsize=(8, 1.2 + 0.5 * len(table)))
        ax = fig.add_subplot()
    periods = list(table.columns)
    height = 0.8 / max(len(periods), 1)
    y = np.arange(len(table))
    for k, period in enumerate(periods):
        ax.barh(y + k * height, table[period].fillna(0), height, label=str(period))
    ax.set_yticks(y + height * (len(periods) - 1) / 2, [trends.labels[t] for t in table.index])
    ax.invert_yaxis()
    ax.set_xlabel(f"{trends.block}の項目に占める割合（%）")
    ax.set_title(
        municipality if municipality != ALL else f"{trends.block}のテーマの割合（全市町村）"
    )
    ax.legend(title=PERIOD_NAMES[trends.by], fontsize=8, loc="lower right")
    return fig


def municipalities_figure(trends: Trends) -> Figure | None:
    """One panel per municipality that appears in two or more periods."""
    if not trends.repeated:
        return None
    n = len(trends.repeated)
    fig = Figure(layout="constrained", figsize=(8 * min(n, 2), (1.2 + 0.45 * len(trends.labels))
                                                * ((n + 1) // 2)))  # fmt: skip
    axes = fig.subplots((n + 1) // 2, min(n, 2), squeeze=False).ravel()
    for ax, municipality in zip(axes, trends.repeated, strict=False):
        share_figure(trends, municipality, ax)
    for ax in axes[n:]:
        ax.set_axis_off()
    return fig


def write_trends(trends: Trends, folder: Path, runs: pd.DataFrame) -> list[Path]:
    """Every file of the trends into `folder`; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (("shares", trends.shares), ("tests", trends.tests),
                        ("items", trends.items)):  # fmt: skip
        write_csv(frame, folder / f"{name}.csv")
        written.append(folder / f"{name}.csv")
    main = share_figure(trends)
    written += figures.save_figure(main, folder / "trends")
    side = municipalities_figure(trends)
    if side is not None:
        written += figures.save_figure(side, folder / "municipalities")
    else:  # an earlier call's, of batches no longer in the catalog
        for stale in folder.glob("municipalities.*"):
            stale.unlink()
    html = page(trends, runs, main, side)
    path = folder / "trends.html"
    write_atomic(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return [*written, path]


def page(trends: Trends, runs: pd.DataFrame, main: Figure, side: Figure | None) -> str:
    template = resources.files("pipeline.views").joinpath("templates/trends.html")
    name = PERIOD_NAMES[trends.by]
    return Template(template.read_text("utf-8")).substitute(
        title=escape(f"{trends.block}のテーマの推移（{name}別）"),
        summary=_summary(trends, runs),
        figure=_image(main, f"{trends.block}のテーマの割合"),
        table=_share_table(trends, ALL, tests=True),
        municipalities=_municipalities(trends, side),
        items=_items(trends),
    )


def _summary(trends: Trends, runs: pd.DataFrame) -> str:
    batches = "".join(
        f"<li>{escape(str(r.batch))}: {escape(_years(r.fiscal_years))}、{int(r.items)} 項目"
        f"（run {escape(str(r.run_id))}）</li>"
        for r in runs.itertuples(index=False)
    )
    notes = "".join(f"<p>{escape(line)}</p>" for line in trends.summary().splitlines())
    return f"<ul>{batches}</ul>{notes}"


def _years(years) -> str:
    years = [] if years is None else list(years)
    return "・".join(f"{y}年度" for y in years) if years else "年度不明"


def _share_table(trends: Trends, municipality: str, tests: bool) -> str:
    counts = trends.table(municipality, "items")
    shares = trends.table(municipality, "share")
    totals = trends.table(municipality, "period_items")
    head = "".join(f"<th>{escape(str(p))}</th>" for p in counts.columns)
    if tests:
        head += "<th>χ²</th><th>p</th><th>q (BH)</th><th>注</th>"
    test_rows = trends.tests.set_index("theme") if tests else None
    body = []
    for theme in counts.index:
        cells = []
        for period in counts.columns:
            n, share, total = (
                counts.at[theme, period],
                shares.at[theme, period],
                totals.at[theme, period],
            )
            if pd.isna(n):
                cells.append('<td class="none">—</td>')
                continue
            shown = f"{share * 100:.1f}%"
            if n:  # a share links to its items (items.csv has the same rows)
                shown = f'<a href="#{_anchor(theme, period)}">{shown}</a>'
            cells.append(
                f'<td style="background:{_shade(share)}">{shown}'
                f"<br><small>{int(n)}/{int(total)}</small></td>"
            )
        if tests:
            t = test_rows.loc[theme]
            cells.append(
                f"<td>{_number(t['chi2'], 2)}</td><td>{_number(t['p'], 4)}</td>"
                f'<td>{_number(t["q"], 4)}</td><td class="note">{escape(str(t["note"]))}</td>'
            )
        body.append(f"<tr><th>{escape(trends.labels[theme])}</th>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr><th>テーマ</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _municipalities(trends: Trends, side: Figure | None) -> str:
    if not trends.repeated:
        name = PERIOD_NAMES[trends.by]
        return f"<p>複数の{escape(name)}にまたがる市町村はありません。</p>"
    parts = [_image(side, "市町村ごとのテーマの割合")] if side is not None else []
    for municipality in trends.repeated:
        parts.append(f"<h3>{escape(municipality)}</h3>{_share_table(trends, municipality, False)}")
    return "".join(parts)


def _items(trends: Trends) -> str:
    parts = []
    for (theme, period), rows in trends.items.groupby(["theme", "period"], sort=False):
        lines = "".join(
            f'<li>{escape(str(r.text))} <span class="where">{escape(str(r.municipality))}・'
            f"{escape(str(r.source))} p.{escape(str(r.page))}・{escape(str(r.batch))}</span></li>"
            for r in rows.itertuples(index=False)
        )
        title = f"{trends.labels[theme]} — {period}（{len(rows)} 項目）"
        parts.append(
            f'<details id="{_anchor(theme, period)}"><summary>{escape(title)}</summary>'
            f"<ul>{lines}</ul></details>"
        )
    return "".join(parts) or "<p>テーマの付いた項目はありません。</p>"


def _anchor(theme: str, period: str) -> str:
    return "items-" + "".join(ch if ch.isalnum() else "_" for ch in f"{theme}-{period}")


def _shade(share: float) -> str:
    alpha = 0 if pd.isna(share) else min(float(share), 1.0) * 0.8
    return f"rgba(232, 104, 76, {alpha:.2f})"


def _number(value, digits: int) -> str:
    return (
        "—"
        if pd.isna(value)
        else f"{float(value):.{digits}g}"
        if digits > 2
        else f"{float(value):.2f}"
    )


def _image(fig: Figure, alt: str) -> str:
    data = base64.b64encode(figures.figure_bytes(fig, "png", dpi=110)).decode("ascii")
    return f'<figure><img alt="{escape(alt)}" src="data:image/png;base64,{data}"></figure>'
