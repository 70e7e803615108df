"""Co-occurrence networks (KH Coder style) drawn so that every label can be read.

The graph: nodes are words or themes sized by how many items hold them, edges the
strongest Jaccard coefficients. The drawing works in inches (one data unit = one inch of
the figure), so a label's size is known before it is placed:

1. each connected part is laid out on its own (Kamada–Kawai, deterministic) and scaled
   so that its area is a few times the area of its labels: a dense community gets the
   room its long words need instead of the √(nodes) cell it had;
2. the parts are packed in rows, largest first, and the figure is made as big as they are;
3. the labels are pushed apart by adjustText (a fixed number of iterations, so the same
   figure every run) and each node moves with its label: labels stay on their nodes and
   no two of them overlap. Should any still touch, the whole layout is spread by 20 % and
   placed again.

`label_overlaps(fig)` measures what step 3 promises on the drawn figure: the pairs of node
labels whose boxes (matplotlib's window extents after a draw) intersect.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

import matplotlib
import matplotlib_fontja  # noqa: F401  (registers IPAexGothic and sets it as the font)
import networkx as nx
import numpy as np
from adjustText import adjust_text
from matplotlib import patheffects
from matplotlib.figure import Figure

from pipeline.core.geometry import overlap

NODE_LABEL = "node-label"  # gid of the text that names a node: what label_overlaps measures
FONT_SIZE = 9.5
# A part's area in square inches per square inch of its labels (padding included).
AREA_PER_LABEL_AREA = 3.2
PAD_X, PAD_Y = 0.12, 0.16  # inches around a label when sizing parts
GUTTER = 0.45  # inches between parts
MAX_ROW_WIDTH = 11.0  # inches: wider parts start a new row
MARGIN, TITLE_HEIGHT = 0.35, 0.55
ADJUST_ITERATIONS = 400  # adjustText stops earlier when nothing overlaps
SPREAD_ROUNDS = 6
NODE_AREA = (120.0, 1100.0)  # points² of the rarest and the most frequent node


def cooccurrence_graph(sets: list[set[str]], max_edges: int, min_pair: int) -> nx.Graph:
    """KH Coder's way: nodes by frequency, edges by Jaccard coefficient, the strongest kept."""
    freq: Counter = Counter()
    pairs: Counter = Counter()
    for members in sets:
        freq.update(members)
        pairs.update(itertools.combinations(sorted(members), 2))
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


def _label_sizes(names: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Width and height in inches of each node's label as matplotlib draws it."""
    probe = Figure()
    texts = {node: probe.text(0, 0, name, fontsize=FONT_SIZE) for node, name in names.items()}
    probe.draw_without_rendering()
    sizes = {}
    for node, text in texts.items():
        box = text.get_window_extent()
        sizes[node] = (box.width / probe.dpi, box.height / probe.dpi)
    return sizes


def _part_layout(part: nx.Graph, sizes: dict[str, tuple[float, float]]) -> dict[str, np.ndarray]:
    """One connected part, centred on 0, scaled to the room its labels need (inches)."""
    nodes = sorted(part)
    if len(nodes) == 1:
        return {nodes[0]: np.zeros(2)}
    # A graph of its own with nodes and edges in sorted order: a subgraph view iterates
    # a set, whose order changes with the hash seed, and so would the layout.
    ordered = nx.Graph()
    ordered.add_nodes_from(nodes)
    ordered.add_edges_from(sorted(tuple(sorted(e)) for e in part.edges))
    pos = nx.kamada_kawai_layout(ordered, weight=None)
    xy = np.array([pos[n] for n in nodes])
    xy -= (xy.max(axis=0) + xy.min(axis=0)) / 2
    extent = np.maximum(xy.max(axis=0) - xy.min(axis=0), 1e-3)
    label_area = sum((sizes[n][0] + PAD_X) * (sizes[n][1] + PAD_Y) for n in nodes)
    widest = max(sizes[n][0] for n in nodes) + PAD_X
    # Keep the part's shape; make the square around it hold AREA_PER_LABEL_AREA × its
    # labels' area (a path of two nodes has no height), and at least its widest label.
    scale = max(np.sqrt(AREA_PER_LABEL_AREA * label_area), widest) / extent.max()
    return {n: xy[k] * scale for k, n in enumerate(nodes)}


def _extent(points: list[np.ndarray], sizes: list[tuple[float, float]]) -> np.ndarray:
    """[x0, y0, x1, y1] of the labels centred on the points."""
    xy, wh = np.array(points), np.array(sizes) / 2
    return np.concatenate([(xy - wh).min(axis=0), (xy + wh).max(axis=0)])


def layout(graph: nx.Graph, sizes: dict[str, tuple[float, float]]) -> dict[str, np.ndarray]:
    """Node positions in inches: parts laid out alone, then packed in rows, largest first
    (one layout of a disconnected graph piles the small parts onto the big one)."""
    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), sorted(c)))
    pos: dict[str, np.ndarray] = {}
    x = y = row_height = 0.0
    for part in parts:
        local = _part_layout(graph.subgraph(part), sizes)
        x0, y0, x1, y1 = _extent(list(local.values()), [sizes[n] for n in local])
        width, height = x1 - x0, y1 - y0
        if x > 0 and x + width > MAX_ROW_WIDTH:
            x, y, row_height = 0.0, y - row_height - GUTTER, 0.0
        for node, xy in local.items():
            pos[node] = xy + (x - x0, y - y1)
        x += width + GUTTER
        row_height = max(row_height, height)
    return pos


def node_labels(fig: Figure) -> list[matplotlib.text.Text]:
    return [t for ax in fig.axes for t in ax.texts if t.get_gid() == NODE_LABEL]


def label_overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of node labels whose drawn boxes intersect (after a draw of the figure)."""
    fig.draw_without_rendering()
    pairs = []
    for ax in fig.axes:
        labels = [t for t in ax.texts if t.get_gid() == NODE_LABEL]
        boxes = [t.get_window_extent() for t in labels]
        for (a, box_a), (b, box_b) in itertools.combinations(zip(labels, boxes, strict=True), 2):
            if (
                overlap(box_a.x0, box_a.x1, box_b.x0, box_b.x1) > 0
                and overlap(box_a.y0, box_a.y1, box_b.y0, box_b.y1) > 0
            ):
                pairs.append((a.get_text(), b.get_text()))
    return pairs


def _place_labels(fig: Figure, ax, graph: nx.Graph, names, pos) -> dict[str, np.ndarray]:
    """Draw the labels at the nodes, push them apart, and return where they ended up."""
    nodes = list(graph.nodes)
    texts = [
        ax.text(
            *pos[n],
            names[n],
            ha="center",
            va="center",
            fontsize=FONT_SIZE,
            gid=NODE_LABEL,
            zorder=4,
            # A soft halo: edges that pass behind a label do not cut through its strokes.
            path_effects=[patheffects.withStroke(linewidth=2, foreground=(1, 1, 1, 0.45))],
        )
        for n in nodes
    ]
    adjust_text(
        texts,
        ax=ax,
        avoid_self=False,  # the label belongs on its node
        prevent_crossings=False,  # it would swap labels between nodes
        expand=(1.12, 1.45),
        force_text=(0.25, 0.4),
        force_pull=(0.005, 0.005),
        ensure_inside_axes=True,
        iter_lim=ADJUST_ITERATIONS,
    )
    return {n: np.asarray(t.get_position(), dtype=float) for n, t in zip(nodes, texts, strict=True)}


def _frame(graph: nx.Graph, pos, sizes, title: str) -> tuple[Figure, object]:
    """A figure exactly as large as the layout, one data unit = one inch."""
    x0, y0, x1, y1 = _extent([pos[n] for n in graph], [sizes[n] for n in graph])
    width, height = x1 - x0 + 2 * MARGIN, y1 - y0 + 2 * MARGIN
    fig = Figure(figsize=(max(width, 6.0), height + TITLE_HEIGHT))
    fig_w, fig_h = fig.get_size_inches()
    ax = fig.add_axes((0, 0, 1, height / fig_h))
    cx = (x0 + x1) / 2
    ax.set_xlim(cx - fig_w / 2, cx + fig_w / 2)
    ax.set_ylim(y0 - MARGIN, y1 + MARGIN)
    ax.set_axis_off()
    fig.suptitle(title, y=1 - 0.12 / fig_h, va="top")
    return fig, ax


def draw_network(
    graph: nx.Graph, names: Callable[[str], str], title: str, note: str = ""
) -> Figure:
    """The network as a figure: node area by frequency, edge width by Jaccard coefficient,
    colours by community, labels that do not overlap."""
    if not graph.number_of_nodes():
        fig = Figure(figsize=(8, 3))
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.5, 0.5, "共起が見つかりません", ha="center", va="center", transform=ax.transAxes)
        return fig
    label = {n: names(n) for n in graph.nodes}
    sizes = _label_sizes(label)
    pos = layout(graph, sizes)
    for _ in range(SPREAD_ROUNDS):
        fig, ax = _frame(graph, pos, sizes, title + (f"\n{note}" if note else ""))
        placed = _place_labels(fig, ax, graph, label, pos)
        if not label_overlaps(fig):
            break
        pos = {n: xy * 1.2 for n, xy in pos.items()}
    _draw_graph(ax, graph, placed)
    return fig


def _draw_graph(ax, graph: nx.Graph, pos: dict[str, np.ndarray]) -> None:
    # Communities colour the nodes, as KH Coder's "subgraph" colouring does.
    communities = nx.community.greedy_modularity_communities(graph, weight="jaccard")
    palette = matplotlib.colormaps["tab10"]
    color = {n: palette(k % 10) for k, c in enumerate(communities) for n in sorted(c)}
    freqs = np.array([graph.nodes[n]["freq"] for n in graph.nodes], dtype=float)
    low, high = NODE_AREA
    sizes = low + (high - low) * freqs / freqs.max()
    jaccards = np.array([graph.edges[e]["jaccard"] for e in graph.edges])
    widths = 0.5 + 4.5 * jaccards / jaccards.max() if len(jaccards) else []
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#888888", alpha=0.55)
    nx.draw_networkx_nodes(
        graph, pos, ax=ax, node_size=sizes, node_color=[color[n] for n in graph.nodes], alpha=0.5
    )
