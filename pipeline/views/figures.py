"""Figures of a batch: one pure function per figure (DataFrames in, Figure out), one writer.

Figures are built with matplotlib's object API (no pyplot state), so they can be made
in tests, notebooks and the command line alike. Japanese text is drawn with the IPAex
Gothic font that the matplotlib-fontja package ships (importing it registers the font
and makes it the default); without it every label would be an empty box.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import matplotlib
import matplotlib_fontja  # noqa: F401  (registers IPAexGothic and sets it as the font)
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipeline.core.contract import FOCUS_BLOCKS, split_list
from pipeline.output.files import write_atomic
from pipeline.views.network import cooccurrence_graph, draw_network
from pipeline.views.outputs import Outputs, in_blocks, item_themes

# IPAexGothic has no U+2212 (the typographic minus matplotlib uses by default).
matplotlib.rcParams["axes.unicode_minus"] = False
# SVG text as paths: the SVG then shows the Japanese without the font installed.
matplotlib.rcParams["svg.fonttype"] = "path"

ISSUE_BLOCK = "課題意識"
BLOCK_COLORS = {
    "現状": "#9e9e9e",
    "目指す姿": "#4c9be8",
    "課題意識": "#e8684c",
    "到達点": "#3fae6a",
}
# Function words and counters that would crowd the word network without saying anything.
STOPWORDS = frozenset(
    "する ある いる なる できる れる られる こと もの ため よう 等 的 化 中 後 前 方 上 下 "
    "令和 平成 年度 年 月 日 回 名 人 市 町 村 元 別 以上 以下 など".split()
)
NETWORK_NOTE = "円の大きさ: 項目数, 線の太さ: Jaccard係数, 色: コミュニティ"
_TRIVIAL = re.compile(r"^(?:[\u3040-\u309f]|[A-Za-z]|[0-9０-９.,]+)$")


def _municipality_order(items: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(items["municipality"]))


def _label(labels: dict[str, str], theme: str) -> str:
    return labels.get(theme, theme)


def heatmap_counts(
    items: pd.DataFrame, labels: dict[str, str], block: str = ISSUE_BLOCK
) -> pd.DataFrame:
    """Themes (rows, taxonomy order) × municipalities (columns, order of the items): how many
    of a municipality's items in `block` carry a theme. The heatmap and report.html's table."""
    subset = in_blocks(items, block)
    municipalities = _municipality_order(items)
    themes = list(labels) or sorted(set(item_themes(subset)["theme"]))
    long = item_themes(subset).merge(subset[["item_id", "municipality"]], on="item_id")
    return (
        pd.crosstab(long["theme"], long["municipality"])
        .reindex(index=themes, columns=municipalities, fill_value=0)
        .fillna(0)
        .astype(int)
    )


def theme_heatmap(items: pd.DataFrame, labels: dict[str, str], block: str = ISSUE_BLOCK) -> Figure:
    """Themes × municipalities: how many of a municipality's items in `block` carry a theme."""
    counts = heatmap_counts(items, labels, block)
    municipalities, themes = list(counts.columns), list(counts.index)
    fig = Figure(
        layout="constrained", figsize=(4.5 + 0.55 * len(municipalities), 1.2 + 0.45 * len(themes))
    )
    ax = fig.add_subplot()
    ax.set_title(f"{block}のテーマ（項目数）: テーマ × 市町村")
    if counts.empty:  # e.g. a batch where no file could be processed
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"{block}の項目がありません", ha="center", va="center")
        return fig
    image = ax.imshow(counts.to_numpy(), cmap="YlOrRd", aspect="auto", vmin=0)
    ax.set_xticks(range(len(municipalities)), municipalities, rotation=60, ha="right")
    ax.set_yticks(range(len(themes)), [_label(labels, t) for t in themes])
    top = counts.to_numpy().max() if counts.size else 0
    for (row, col), value in np.ndenumerate(counts.to_numpy()):
        if value:
            color = "white" if value > top * 0.6 else "black"
            ax.text(col, row, str(value), ha="center", va="center", fontsize=8, color=color)
    fig.colorbar(image, ax=ax, shrink=0.8, label="項目数")
    return fig


def themes_by_block(
    items: pd.DataFrame, labels: dict[str, str], blocks: tuple[str, ...] = FOCUS_BLOCKS
) -> Figure:
    """For each theme, the share of each block's items that carry it (grouped bars)."""
    themes = list(labels) or sorted(set(item_themes(items)["theme"]))
    fig = Figure(layout="constrained", figsize=(9, 1.2 + 0.55 * len(themes)))
    ax = fig.add_subplot()
    height = 0.8 / max(len(blocks), 1)
    positions = np.arange(len(themes))
    for k, block in enumerate(blocks):
        subset = in_blocks(items, block)
        total = len(subset)
        counts = item_themes(subset)["theme"].value_counts()
        shares = [100 * counts.get(t, 0) / total if total else 0.0 for t in themes]
        ax.barh(
            positions + (k - (len(blocks) - 1) / 2) * height,
            shares,
            height=height,
            label=f"{block}（{total}項目）",
            color=BLOCK_COLORS.get(block),
        )
    ax.set_yticks(positions, [_label(labels, t) for t in themes])
    ax.invert_yaxis()
    ax.set_xlabel("そのブロックの項目に占める割合（%）")
    ax.set_title("ブロック別のテーマ: 現状 → 目指す姿 → 課題意識 → 到達点")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def theme_network(items: pd.DataFrame, labels: dict[str, str], max_edges: int = 20) -> Figure:
    """Themes that are given to the same items (node size = items, edge width = Jaccard)."""
    sets = [set(split_list(t)) for t in items["themes"]]
    graph = cooccurrence_graph([s for s in sets if s], max_edges=max_edges, min_pair=1)
    return draw_network(
        graph,
        lambda t: _label(labels, t).replace("・", "・\n", 1),
        "テーマの共起ネットワーク（同じ項目に付いたテーマ, Jaccard係数）",
        NETWORK_NOTE,
    )


def content_words(lemmas: str) -> set[str]:
    """The words of one item worth counting: no function words, counters or lone kana."""
    return {w for w in lemmas.split() if w not in STOPWORDS and not _TRIVIAL.match(w)}


def word_network(
    items: pd.DataFrame,
    blocks: tuple[str, ...] = FOCUS_BLOCKS,
    top_words: int = 60,
    max_edges: int = 70,
) -> Figure:
    """The most frequent content words and the words they occur with in one item."""
    subset = in_blocks(items, blocks)
    sets = [content_words(lemmas) for lemmas in subset["lemmas"]]
    freq = Counter(w for s in sets for w in s)
    # Ties broken by the word, not by the order sets happen to iterate in (hash seed).
    ranked = sorted(freq.items(), key=lambda wn: (-wn[1], wn[0]))
    frequent = {w for w, _ in ranked[:top_words]}
    graph = cooccurrence_graph([s & frequent for s in sets], max_edges=max_edges, min_pair=2)
    return draw_network(
        graph,
        str,
        f"頻出語の共起ネットワーク（{'・'.join(blocks)}の項目, 上位{top_words}語）",
        NETWORK_NOTE,
    )


# name → (what it shows, how to make it from a run's outputs)
FIGURES: dict[str, Callable[[Outputs], Figure]] = {
    "heatmap_issues": lambda o: theme_heatmap(o.items, o.labels(), ISSUE_BLOCK),
    "themes_by_block": lambda o: themes_by_block(o.items, o.labels()),
    "theme_network": lambda o: theme_network(o.items, o.labels()),
    "word_network": lambda o: word_network(o.items),
}


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def save_figure(
    fig: Figure, path_stem: Path, formats: tuple[str, ...] = ("png", "svg")
) -> list[Path]:
    """Write `stem.png`, `stem.svg`, … atomically (a reader never sees half a file)."""
    paths = []
    for fmt in formats:
        path = path_stem.with_suffix(f".{fmt}")
        data = figure_bytes(fig, fmt)
        write_atomic(path, lambda tmp, data=data: tmp.write_bytes(data))
        paths.append(path)
    return paths


def write_figures(
    outputs: Outputs,
    folder: Path | None = None,
    drawn: Callable[[str, Figure], None] | None = None,
) -> list[Path]:
    """Every figure of FIGURES as PNG and SVG under <out_dir>/figures/; `drawn(name, fig)`
    is told of each one (the command line prints the networks' label overlaps)."""
    folder = folder or outputs.out_dir / "figures"
    written: list[Path] = []
    for name, make in FIGURES.items():
        fig = make(outputs)
        written += save_figure(fig, folder / name)
        if drawn:
            drawn(name, fig)
    return written
