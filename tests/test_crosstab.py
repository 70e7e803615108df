"""Cross-tabulation: counts, row %, chi-square, adjusted residuals, Fisher, drill-down ids."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline.cli.main import main
from pipeline.output.files import read_csv
from pipeline.views.crosstab import CrossTabError, adjusted_residuals, crosstab

LABELS = {"x": "テーマX", "y": "テーマY", "z": "テーマZ"}


def _items(table: dict[tuple[str, str], int], block: str = "課題意識") -> pd.DataFrame:
    """Items that reproduce a municipality × theme table, one theme per item."""
    rows = []
    for (municipality, theme), n in table.items():
        for _ in range(n):
            rows.append({"municipality": municipality, "block": block, "themes": theme})
    frame = pd.DataFrame(rows)
    frame.insert(0, "item_id", [f"i{k:03d}" for k in range(len(frame))])
    return frame


# By hand: N = 100, row totals 60 / 40, column totals 30 / 30 / 40.
#   E(r1,X) = 60·30/100 = 18;  r = (10 − 18) / √(18 · (1 − .6) · (1 − .3)) = −8 / √5.04 = −3.5635
#   E(r1,Y) = 18;              r = (20 − 18) / √5.04                       =  0.8909
#   E(r1,Z) = 60·40/100 = 24;  r = (30 − 24) / √(24 · .4 · .6)  = 6 / 2.4  =  2.5
#   E(r2,Z) = 40·40/100 = 16;  r = (10 − 16) / √(16 · .6 · .6)  = −6 / 2.4 = −2.5
OBSERVED = [[10, 20, 30], [20, 10, 10]]


def test_adjusted_residuals_match_the_hand_computed_table():
    expected, residuals = adjusted_residuals(np.array(OBSERVED))
    assert expected[0].tolist() == pytest.approx([18, 18, 24])
    assert residuals[0, 0] == pytest.approx(-8 / math.sqrt(5.04))
    assert residuals[0, 1] == pytest.approx(2 / math.sqrt(5.04))
    assert residuals[0, 2] == pytest.approx(2.5)
    assert residuals[1, 2] == pytest.approx(-2.5)


def test_crosstab_counts_percentages_tests_and_marks():
    counts = {("r1", t): n for t, n in zip("xyz", OBSERVED[0], strict=True)}
    counts |= {("r2", t): n for t, n in zip("xyz", OBSERVED[1], strict=True)}
    table = crosstab(_items(counts), "municipality", "theme", "課題意識", LABELS)
    assert table.counts.to_numpy().tolist() == OBSERVED
    assert list(table.counts.columns) == ["テーマX", "テーマY", "テーマZ"]  # Japanese labels
    assert table.row_percent.loc["r1", "テーマZ"] == pytest.approx(50.0)
    chi2, p, dof, _ = stats.chi2_contingency(np.array(OBSERVED), correction=False)
    assert (table.chi2, table.p, table.dof) == (pytest.approx(chi2), pytest.approx(p), dof)
    marks = table.marks()
    assert marks.loc["r1"].tolist() == ["-", "", "+"]
    assert marks.loc["r2", "テーマZ"] == "-"
    assert table.fisher is None  # not a 2×2 table


def test_fisher_exact_test_for_a_sparse_two_by_two_table():
    counts = {("A市", "x"): 3, ("A市", "y"): 1, ("B町", "x"): 1, ("B町", "y"): 3}
    table = crosstab(_items(counts), labels=LABELS)
    odds, p = stats.fisher_exact([[3, 1], [1, 3]])
    assert table.fisher == (pytest.approx(odds), pytest.approx(p))
    assert "Fisher" in table.summary()


def test_items_with_several_themes_count_in_each_cell_and_keep_their_ids():
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c"],
            "municipality": ["A市", "A市", "B町"],
            "block": ["課題意識", "到達点", "課題意識"],
            "themes": ["x;y", "x", ""],
        }
    )
    table = crosstab(items, "municipality", "theme", "課題意識", LABELS)
    assert table.cells == {("A市", "テーマX"): ["a"], ("A市", "テーマY"): ["a"]}
    assert table.excluded == 1  # c has no theme
    assert table.chi2 is None  # one row: no test


def test_unknown_dimension_is_a_clear_error():
    with pytest.raises(CrossTabError, match="no column 'prefecture'"):
        crosstab(_items({("A市", "x"): 1}), "prefecture", "theme")


def test_crosstab_command_prints_and_exports_item_ids(sample_run, capsys, tmp_path):
    csv = tmp_path / "ct.csv"
    argv = ["crosstab", str(sample_run.out_dir), "--block", "課題意識", "--csv", str(csv)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Pearson χ²" in out and "調整済み標準化残差" in out
    cells = read_csv(csv)
    assert {"municipality", "theme", "count", "row_percent", "adjusted_residual", "mark"} <= set(
        cells.columns
    )
    items = read_csv(sample_run.out_dir / "items.csv").set_index("item_id")
    filled = cells[cells["count"].astype(int) > 0]
    assert len(filled)
    for row in filled.itertuples(index=False):
        ids = row.item_ids.split(";")
        assert len(ids) == int(row.count)
        assert set(items.loc[ids, "municipality"]) == {row.municipality}
        assert set(items.loc[ids, "block"]) == {"課題意識"}
