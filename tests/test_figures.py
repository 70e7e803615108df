"""Figures: pure functions of the output tables, Japanese really drawn, written atomically."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from pipeline.cli.main import main
from pipeline.views import figures, network
from pipeline.views.outputs import OutputsMissingError, load_outputs

LABELS = {
    "sc_development": "生活支援コーディネーターの育成・役割",
    "collaboration": "関係機関の連携",
}


def _items(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(municipality, block, themes, lemmas) → an items table with the contract's columns."""
    return pd.DataFrame(
        [
            {"item_id": f"i{n}", "municipality": m, "block": b, "themes": t, "lemmas": lemmas}
            for n, (m, b, t, lemmas) in enumerate(rows)
        ]
    )


@pytest.fixture(scope="module")
def outputs(sample_run):
    return load_outputs(sample_run.out_dir)


def _glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_heatmap_draws_japanese_with_a_japanese_font(outputs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = figures.theme_heatmap(outputs.items, outputs.labels())
        figures.figure_bytes(fig, "png")  # drawing is where missing glyphs are reported
    assert _glyph_warnings(caught) == []
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "生活支援コーディネーターの育成・役割" in labels  # Japanese labels, not theme ids
    assert ax.get_yticklabels()[0].get_fontname() == "IPAexGothic"


def test_the_glyph_check_would_catch_a_latin_only_font():
    # The check above is only worth something if a font without Japanese does warn.
    with (
        matplotlib.rc_context({"font.family": "DejaVu Sans"}),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        fig = Figure()
        fig.add_subplot().set_title("課題意識")
        figures.figure_bytes(fig, "png")
    assert _glyph_warnings(caught)


def test_heatmap_counts_items_of_the_block_per_municipality_and_theme():
    items = _items(
        [
            ("A市", "課題意識", "sc_development;collaboration", ""),
            ("A市", "課題意識", "sc_development", ""),
            ("B町", "課題意識", "collaboration", ""),
            ("B町", "到達点", "sc_development", ""),  # another block: not counted
        ]
    )
    fig = figures.theme_heatmap(items, LABELS, "課題意識")
    grid = fig.axes[0].images[0].get_array()
    assert grid.tolist() == [[2, 0], [1, 1]]  # rows: themes in taxonomy order; cols: A市, B町


def test_themes_by_block_bars_are_shares_of_each_block():
    items = _items(
        [
            ("A市", "現状", "sc_development", ""),
            ("A市", "現状", "", ""),
            ("A市", "到達点", "collaboration", ""),
        ]
    )
    fig = figures.themes_by_block(items, LABELS, blocks=("現状", "到達点"))
    widths = [round(p.get_width()) for p in fig.axes[0].patches]
    assert widths == [50, 0, 0, 100]  # 現状: SC 50%, 連携 0%; 到達点: SC 0%, 連携 100%


def test_word_network_counts_content_words_only():
    assert figures.content_words("こと SC 育成 する 令和 3 b 育成") == {"SC", "育成"}
    items = _items([("A市", "課題意識", "", "SC 育成 連携")] * 3 + [("A市", "課題意識", "", "SC")])
    fig = figures.word_network(items, blocks=("課題意識",), top_words=5)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"SC", "育成", "連携"} <= texts


def test_theme_network_has_a_node_per_cooccurring_theme(outputs):
    fig = figures.theme_network(outputs.items, outputs.labels())
    texts = {t.get_text().replace("\n", "") for t in fig.axes[0].texts}
    assert "関係機関の連携" in texts


def test_figures_command_writes_png_and_svg(outputs, capsys):
    assert main(["figures", str(outputs.out_dir)]) == 0
    folder = outputs.out_dir / "figures"
    for name in figures.FIGURES:
        assert (folder / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        assert "<svg" in (folder / f"{name}.svg").read_text(encoding="utf-8")[:500]
    assert not list(folder.glob(".*.tmp"))  # atomic writes leave no temporary files
    assert "figures" in capsys.readouterr().out


def test_missing_outputs_say_what_to_do(tmp_path, capsys):
    with pytest.raises(OutputsMissingError, match="make pipeline"):
        load_outputs(tmp_path / "nothing")
    assert main(["figures", str(tmp_path / "nothing")]) == 2
    assert "run `make pipeline` first" in capsys.readouterr().err


# The densest community of the sample's word network (issue 16): drawn apart, readable.
DENSE_COMMUNITY = (
    "生活支援コーディネーター",
    "地域包括支援センター",
    "第1層",
    "第2層",
    "委託",
    "兼務",
)


def _inside(fig, text) -> bool:
    box, frame = text.get_window_extent(), fig.bbox
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


@pytest.mark.parametrize("name", ["word_network", "theme_network"])
def test_no_two_labels_of_the_sample_networks_overlap(outputs, name):
    fig = figures.FIGURES[name](outputs)
    labels = network.node_labels(fig)
    assert len(labels) >= 10
    assert network.label_overlaps(fig) == []
    assert all(_inside(fig, t) for t in labels)  # none pushed off the picture
    if name == "word_network":
        assert set(DENSE_COMMUNITY) <= {t.get_text() for t in labels}


def test_the_overlap_measure_sees_labels_that_touch():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    for x, y, word in [(0.2, 0.5, "地域包括支援センター"), (0.3, 0.5, "第1層"), (0.8, 0.1, "委託")]:
        ax.text(x, y, word, ha="center", gid=network.NODE_LABEL)
    ax.text(0.8, 0.1, "not a node label")  # other texts are not measured
    assert network.label_overlaps(fig) == [("地域包括支援センター", "第1層")]


def _clique_items(words: list[str], repeats: dict[str, int]) -> pd.DataFrame:
    """Items where every word occurs with every other one: one dense community."""
    rows = [("A市", "課題意識", "", " ".join(words))] * 3
    for word, n in repeats.items():
        rows += [("A市", "課題意識", "", f"{word} {words[0]}")] * n
    return _items(rows)


def test_a_dense_community_of_long_words_is_spread_until_no_label_overlaps():
    words = [*DENSE_COMMUNITY, "社会福祉協議会", "介護予防・日常生活支援総合事業", "協議体", "配置"]
    fig = figures.word_network(_clique_items(words, {}), blocks=("課題意識",), max_edges=100)
    assert {t.get_text() for t in network.node_labels(fig)} == set(words)
    assert network.label_overlaps(fig) == []


def test_nodes_are_sized_by_frequency_and_sit_under_their_labels():
    words = ["連携", "育成", "協議体", "委託"]
    items = _clique_items(words, {"育成": 6, "協議体": 2})
    fig = figures.word_network(items, blocks=("課題意識",), max_edges=10)
    nodes = fig.axes[0].collections[-1]  # networkx draws the nodes after the edges
    size_at = {
        tuple(np.round(xy, 6)): size
        for xy, size in zip(nodes.get_offsets(), nodes.get_sizes(), strict=True)
    }
    # Every label is centred on its node (a KeyError here: a label left its node) …
    sizes = {
        t.get_text(): size_at[tuple(np.round(t.get_position(), 6))]
        for t in network.node_labels(fig)
    }
    # … and 連携 is in 11 items, 育成 in 9, 協議体 in 5, 委託 in 3: areas in that order.
    assert sizes["連携"] > sizes["育成"] > sizes["協議体"] > sizes["委託"]


DETERMINISM = """
import pandas as pd
from pipeline.views import figures, network
words = "連携 育成 協議体 委託 配置 兼務 第1層 第2層 直営 保健師".split()
rows = [{"item_id": f"i{n}", "municipality": "A市", "block": "課題意識", "themes": "",
         "lemmas": " ".join(words[n % 10:] + words[: n % 3])} for n in range(30)]
fig = figures.word_network(pd.DataFrame(rows), blocks=("課題意識",), top_words=8)
fig.draw_without_rendering()
print(sorted((t.get_text(), [round(v, 4) for v in t.get_position()]) for t in network.node_labels(fig)))
"""


@pytest.mark.subprocess
def test_the_network_is_the_same_figure_whatever_the_hash_seed():
    # Words tie in frequency and sets iterate in hash order: neither may move a node.
    runs = [
        subprocess.run(
            [sys.executable, "-c", DETERMINISM],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] and "連携" in runs[0]
