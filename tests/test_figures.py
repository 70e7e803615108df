"""Figures: pure functions of the output tables, Japanese really drawn, written atomically."""

from __future__ import annotations

import warnings

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure

from pipeline.cli.main import main
from pipeline.views import figures
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
