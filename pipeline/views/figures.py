"""Figures of a batch: one pure function per figure (DataFrames in, Figure out), one writer.

Figures are built with matplotlib's object API (no pyplot state), so they can be made
in tests, notebooks and the command line alike. Japanese text is drawn with the IPAex
Gothic font that the matplotlib-fontja package ships (importing it registers the font
and makes it the default); without it every label would be an empty box.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import matplotlib
import matplotlib_fontja  # noqa: F401  (registers IPAexGothic and sets it as the font)
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipeline.core.contract import FOCUS_BLOCKS, split_list
from pipeline.output.files import write_atomic
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
_TRIVIAL = re.compile(r"^(?:[\u3040-\u309f]|[A-Za-z]|[0-9０-９.,]+)$")


def _municipality_order(items: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(items["municipality"]))


def _label(labels: dict[str, str], theme: str) -> str:
    return labels.get(theme, theme)


def theme_heatmap(items: pd.DataFrame, labels: dict[str, str], block: str = ISSUE_BLOCK) -> Figure:
    """Themes × municipalities: how many of a municipality's items in `block` carry a theme."""
    subset = in_blocks(items, block)
    municipalities = _municipality_order(items)
    themes = list(labels) or sorted(set(item_themes(subset)["theme"]))
    long = item_themes(subset).merge(subset[["item_id", "municipality"]], on="item_id")
    counts = (
        pd.crosstab(long["theme"], long["municipality"])
        .reindex(index=themes, columns=municipalities, fill_value=0)
        .fillna(0)
        .astype(int)
    )
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


def _jaccard_edges(sets: list[set[str]]) -> tuple[Counter, Counter]:
    """Frequencies of each element and of each pair that occurs together in one set."""
    freq: Counter = Counter()
    pairs: Counter = Counter()
    for members in sets:
        freq.update(members)
        pairs.update(itertools.combinations(sorted(members), 2))
    return freq, pairs


def _cooccurrence_graph(sets: list[set[str]], max_edges: int, min_pair: int) -> nx.Graph:
    """KH Coder's way: nodes by frequency, edges by Jaccard coefficient, the strongest kept."""
    freq, pairs = _jaccard_edges(sets)
    scored = [
        (a, b, n / (freq[a] + freq[b] - n), n) for (a, b), n in pairs.items() if n >= min_pair
    ]
    scored.sort(key=lambda e: (-e[2], -e[3], e[0], e[1]))
    graph = nx.Graph()
    for a, b, jaccard, n in scored[:max_edges]:
        graph.add_edge(a, b, jaccard=jaccard, count=n)
    for node in graph.nodes:
        graph.nodes[node]["freq"] = freq[node]
    return graph


def _layout(graph: nx.Graph) -> dict[str, np.ndarray]:
    """Each connected part laid out on its own (a seeded spring layout: the same every run),
    the parts placed in rows, largest first, each in a cell as wide as √(its size): a single
    layout of a disconnected graph piles the small parts onto the big one."""
    parts = sorted(
        (graph.subgraph(c) for c in nx.connected_components(graph)),
        key=lambda g: (-len(g), sorted(g)),
    )
    row_width = max(3.0, 1.6 * np.sqrt(len(graph)))
    pos: dict[str, np.ndarray] = {}
    x = y = row_height = 0.0
    for part in parts:
        size = float(np.sqrt(len(part)))
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y - row_height - 0.6, 0.0
        local = nx.spring_layout(
            part, k=2 / size, seed=7, weight=None, scale=size / 2, center=(0, 0)
        )
        for node, xy in local.items():
            pos[node] = np.asarray(xy) + (x + size / 2, y - size / 2)
        x += size + 0.6
        row_height = max(row_height, size)
    return pos


def _draw_network(ax, graph: nx.Graph, names: Callable[[str], str], title: str) -> None:
    ax.set_title(title)
    ax.set_axis_off()
    if not graph.number_of_nodes():
        ax.text(0.5, 0.5, "共起が見つかりません", ha="center", va="center", transform=ax.transAxes)
        return
    # Communities colour the nodes, as KH Coder's "subgraph" colouring does.
    communities = nx.community.greedy_modularity_communities(graph, weight="jaccard")
    palette = matplotlib.colormaps["tab10"]
    color = {n: palette(k % 10) for k, c in enumerate(communities) for n in c}
    pos = _layout(graph)
    freqs = np.array([graph.nodes[n]["freq"] for n in graph.nodes], dtype=float)
    sizes = 150 + 1300 * freqs / freqs.max()
    jaccards = np.array([graph.edges[e]["jaccard"] for e in graph.edges])
    widths = 0.5 + 5 * jaccards / jaccards.max()
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#888888", alpha=0.6)
    nx.draw_networkx_nodes(
        graph, pos, ax=ax, node_size=sizes, node_color=[color[n] for n in graph.nodes], alpha=0.55
    )
    for node, (x, y) in pos.items():
        ax.text(x, y, names(node), ha="center", va="center", fontsize=9)
    ax.margins(0.12)


def theme_network(items: pd.DataFrame, labels: dict[str, str], max_edges: int = 20) -> Figure:
    """Themes that are given to the same items (node size = items, edge width = Jaccard)."""
    sets = [set(split_list(t)) for t in items["themes"]]
    graph = _cooccurrence_graph([s for s in sets if s], max_edges=max_edges, min_pair=1)
    fig = Figure(layout="constrained", figsize=(9, 7.5))
    _draw_network(
        fig.add_subplot(),
        graph,
        lambda t: _label(labels, t).replace("・", "・\n", 1),
        "テーマの共起ネットワーク（同じ項目に付いたテーマ, Jaccard係数）",
    )
    return fig


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
    frequent = {w for w, _ in freq.most_common(top_words)}
    graph = _cooccurrence_graph([s & frequent for s in sets], max_edges=max_edges, min_pair=2)
    fig = Figure(layout="constrained", figsize=(10, 8.5))
    _draw_network(
        fig.add_subplot(),
        graph,
        str,
        f"頻出語の共起ネットワーク（{'・'.join(blocks)}の項目, 上位{top_words}語）",
    )
    return fig


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


def write_figures(outputs: Outputs, folder: Path | None = None) -> list[Path]:
    """Every figure of FIGURES as PNG and SVG under <out_dir>/figures/."""
    folder = folder or outputs.out_dir / "figures"
    written: list[Path] = []
    for name, make in FIGURES.items():
        written += save_figure(make(outputs), folder / name)
    return written
