"""Cross-tabulation of items (e.g. municipality × theme) with the tests analysts expect.

Counts with row percentages, Pearson's chi-square, adjusted standardized residuals per
cell (Haberman: |r| > 1.96 means the cell is more / less frequent than independence
predicts at the 5% level), and Fisher's exact test when a 2×2 table has small expected
counts. Every cell keeps the ids of its items, so a count can be traced to sentences.

An item with several themes counts once in each of its theme's cells (as in KH Coder's
cross tables); items without a value for a dimension (no theme) are left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from pipeline.core.contract import FOCUS_BLOCKS
from pipeline.core.errors import PipelineError
from pipeline.output.files import write_csv
from pipeline.views.outputs import in_blocks, item_themes

THRESHOLD = 1.96  # two-sided 5% level of the standard normal
DIMENSION_NAMES = {
    "municipality": "市町村",
    "theme": "テーマ",
    "block": "ブロック",
    "source": "ファイル",
}


class CrossTabError(PipelineError):
    """The dimensions asked for are not columns of items.csv."""


@dataclass
class CrossTab:
    rows: str
    cols: str
    block: str | None
    counts: pd.DataFrame
    cells: dict[tuple[str, str], list[str]]
    excluded: int = 0
    chi2: float | None = None
    p: float | None = None
    dof: int | None = None
    expected: pd.DataFrame = field(default_factory=pd.DataFrame)
    residuals: pd.DataFrame = field(default_factory=pd.DataFrame)
    fisher: tuple[float, float] | None = None  # (odds ratio, p) for a sparse 2×2 table

    @property
    def row_percent(self) -> pd.DataFrame:
        totals = self.counts.sum(axis=1).replace(0, np.nan)
        return (self.counts.div(totals, axis=0) * 100).fillna(0.0)

    def marks(self) -> pd.DataFrame:
        """'+' where a cell is significantly over-represented, '-' where under, else ''."""
        if self.residuals.empty:
            return self.counts.map(lambda _: "")
        marks = self.residuals.map(
            lambda r: "+" if r > THRESHOLD else "-" if r < -THRESHOLD else ""
        )
        return marks.reindex_like(self.counts).fillna("")

    def summary(self) -> str:
        where = f"（{self.block}）" if self.block else ""
        rows, cols = (
            DIMENSION_NAMES.get(self.rows, self.rows),
            DIMENSION_NAMES.get(self.cols, self.cols),
        )
        lines = [f"{rows} × {cols}{where}: {int(self.counts.to_numpy().sum())} 件"]
        if self.excluded:
            lines.append(f"値のない項目 {self.excluded} 件は除外")
        if self.chi2 is None:
            lines.append("χ²検定: 表が 2×2 より小さいため計算できません")
        else:
            lines.append(f"Pearson χ² = {self.chi2:.3f}, 自由度 = {self.dof}, p = {self.p:.4g}")
            if (self.expected.to_numpy() < 5).any():
                share = (self.expected.to_numpy() < 5).mean() * 100
                lines.append(f"注意: 期待度数 5 未満のセルが {share:.0f}%（χ²近似は粗い）")
        if self.fisher is not None:
            lines.append(
                f"Fisher の正確検定: オッズ比 = {self.fisher[0]:.3g}, p = {self.fisher[1]:.4g}"
            )
        return "\n".join(lines)

    def to_long(self) -> pd.DataFrame:
        """One row per cell, with the statistics and the ids of its items (for the CSV)."""
        pct, marks = self.row_percent, self.marks()
        rows = []
        for r in self.counts.index:
            for c in self.counts.columns:
                res = self.residuals.at[r, c] if not self.residuals.empty else np.nan
                exp = self.expected.at[r, c] if not self.expected.empty else np.nan
                rows.append(
                    {
                        self.rows: r,
                        self.cols: c,
                        "count": int(self.counts.at[r, c]),
                        "row_percent": round(float(pct.at[r, c]), 2),
                        "expected": round(float(exp), 4),
                        "adjusted_residual": round(float(res), 4),
                        "mark": marks.at[r, c],
                        "item_ids": ";".join(self.cells.get((r, c), [])),
                    }
                )
        return pd.DataFrame(rows)

    def to_text(self) -> str:
        """Counts, row percentages and marks in one printable table."""
        pct, marks = self.row_percent, self.marks()
        shown = self.counts.astype(str) + " (" + pct.round(1).astype(str) + "%)" + marks
        shown["計"] = self.counts.sum(axis=1).astype(str)
        with pd.option_context(
            "display.unicode.east_asian_width", True, "display.width", 250,
            "display.max_columns", None, "display.max_rows", None,
        ):  # fmt: skip
            table = shown.to_string()
        legend = f"+ / - : 調整済み標準化残差 > {THRESHOLD} / < -{THRESHOLD}"
        return f"{table}\n{legend}\n{self.summary()}"


def adjusted_residuals(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(expected, adjusted standardized residuals) of a table with no empty row or column.

    r_ij = (O_ij − E_ij) / sqrt(E_ij · (1 − n_i./N) · (1 − n_.j/N)), E_ij = n_i. · n_.j / N
    """
    observed = np.asarray(counts, dtype=float)
    total = observed.sum()
    row = observed.sum(axis=1, keepdims=True)
    col = observed.sum(axis=0, keepdims=True)
    expected = row @ col / total
    variance = expected * (1 - row / total) * (1 - col / total)
    with np.errstate(divide="ignore", invalid="ignore"):
        residuals = np.where(variance > 0, (observed - expected) / np.sqrt(variance), 0.0)
    return expected, residuals


def _values(items: pd.DataFrame, dim: str, labels: dict[str, str]) -> pd.DataFrame:
    """(item_id, value) pairs of one dimension; themes shown with their Japanese label."""
    if dim == "theme":
        long = item_themes(items)
        return long.assign(value=long["theme"].map(lambda t: labels.get(t, t)))[
            ["item_id", "value"]
        ]
    if dim not in items.columns:
        choices = ", ".join(["theme", *items.columns])
        raise CrossTabError(f"no column {dim!r} in items.csv; choose one of: {choices}")
    pairs = items[["item_id", dim]].rename(columns={dim: "value"})
    return pairs[pairs["value"] != ""]


def _order(dim: str, values: pd.Series, labels: dict[str, str]) -> list[str]:
    seen = list(dict.fromkeys(values))
    if dim == "theme":
        taxonomy = [labels[t] for t in labels]
        return [v for v in taxonomy if v in seen] + [v for v in seen if v not in taxonomy]
    if dim == "block":
        return [b for b in FOCUS_BLOCKS if b in seen] + [b for b in seen if b not in FOCUS_BLOCKS]
    return seen


def crosstab(
    items: pd.DataFrame,
    rows: str = "municipality",
    cols: str = "theme",
    block: str | None = None,
    labels: dict[str, str] | None = None,
) -> CrossTab:
    labels = labels or {}
    subset = in_blocks(items, block)
    row_values, col_values = _values(subset, rows, labels), _values(subset, cols, labels)
    pairs = row_values.merge(col_values, on="item_id", suffixes=("_r", "_c"))
    excluded = len(set(subset["item_id"]) - set(pairs["item_id"]))
    cells: dict[tuple[str, str], list[str]] = {}
    for item_id, r, c in pairs[["item_id", "value_r", "value_c"]].itertuples(index=False):
        cells.setdefault((r, c), []).append(item_id)
    counts = pd.crosstab(pairs["value_r"], pairs["value_c"]).reindex(
        index=_order(rows, pairs["value_r"], labels),
        columns=_order(cols, pairs["value_c"], labels),
        fill_value=0,
    )
    counts.index.name, counts.columns.name = rows, cols
    table = CrossTab(rows, cols, block, counts.astype(int), cells, excluded)
    _test(table)
    return table


def _test(table: CrossTab) -> None:
    """Fill in chi-square, residuals and (for a sparse 2×2 table) Fisher's exact test."""
    counts = table.counts
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return
    kept = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    if kept.shape[0] < 2 or kept.shape[1] < 2:
        return
    # correction=False: the plain Pearson statistic, which the residuals decompose.
    chi2, p, dof, _ = stats.chi2_contingency(kept.to_numpy(), correction=False)
    expected, residuals = adjusted_residuals(kept.to_numpy())
    table.chi2, table.p, table.dof = float(chi2), float(p), int(dof)
    table.expected = pd.DataFrame(expected, index=kept.index, columns=kept.columns)
    table.residuals = pd.DataFrame(residuals, index=kept.index, columns=kept.columns)
    if kept.shape == (2, 2) and (expected < 5).any():
        odds, p_exact = stats.fisher_exact(kept.to_numpy())
        table.fisher = (float(odds), float(p_exact))


def csv_path(out_dir: Path, table: CrossTab) -> Path:
    suffix = f"_{table.block}" if table.block else ""
    return out_dir / "crosstab" / f"{table.rows}_x_{table.cols}{suffix}.csv"


def write_crosstab(table: CrossTab, path: Path) -> Path:
    write_csv(table.to_long(), path)
    return path
