"""Themes across fiscal years (or batches), read from the catalog (catalog.py).

For one block (課題意識 by default), the share of its items that carry each theme in each
period: all municipalities together, and each municipality that appears in two or more
periods (its themes side by side). Per theme, Pearson's chi-square test of a 2 × k
table (items with / without the theme × the k periods) says whether the share changed
across the periods more than chance would; `q` is the Benjamini–Hochberg adjustment over
the themes tested, for reading many tests at once. Every share keeps the items behind it.

An item with several themes counts once for each; an item with none counts in the total
of its period only. An item whose fiscal year is unknown is counted under 不明 and shown,
never given a year, and left out of the tests. The same item (same id: the same file's
content) in two batches of one fiscal year counts once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from pipeline.config.paths import find_config
from pipeline.config.themes import load_themes
from pipeline.core.errors import PipelineError

UNKNOWN = "不明"  # a fiscal year the pipeline could not find (README "Fiscal year")
ALL = "（全市町村）"  # the row of all municipalities together
ALL_BLOCKS = "all"
BY = ("fiscal_year", "batch")
PERIOD_NAMES = {"fiscal_year": "年度", "batch": "バッチ"}
ITEM_COLUMNS = ["theme", "label", "period", "municipality", "block", "text", "source",
                "page", "batch", "item_id"]  # fmt: skip


class TrendsError(PipelineError):
    """The catalog has nothing to compare (no items of the block, a wrong option)."""


@dataclass
class Trends:
    block: str
    by: str
    periods: list[str]  # in order; UNKNOWN last when present
    labels: dict[str, str]  # theme id → label, the taxonomy's order
    shares: pd.DataFrame  # municipality, period, theme, label, items, period_items, share
    tests: pd.DataFrame  # theme, label, periods, chi2, dof, p, q, min_expected, note
    items: pd.DataFrame  # ITEM_COLUMNS: the items behind every share
    totals: pd.DataFrame  # period, items, municipalities, batches
    repeated: list[str] = field(default_factory=list)  # municipalities in 2+ known periods
    unknown_items: int = 0
    duplicates: int = 0  # the same item in two batches of a period, counted once

    @property
    def known_periods(self) -> list[str]:
        return [p for p in self.periods if p != UNKNOWN]

    @property
    def tested(self) -> bool:
        return len(self.known_periods) >= 2

    def table(self, municipality: str = ALL, value: str = "share") -> pd.DataFrame:
        """Themes × periods of one municipality (or all): shares (0–1) or item counts."""
        rows = self.shares[self.shares["municipality"] == municipality]
        wide = rows.pivot(index="theme", columns="period", values=value)
        periods = [p for p in self.periods if p in wide.columns]
        themes = [t for t in self.labels if t in wide.index]
        return wide.reindex(index=themes, columns=periods)

    def summary(self) -> str:
        name = PERIOD_NAMES[self.by]
        counts = ", ".join(
            f"{r.period}: {r.items}" for r in self.totals.itertuples(index=False)
        )  # fmt: skip
        lines = [f"{self.block}の項目（{name}ごと）: {counts}"]
        if self.unknown_items:
            lines.append(
                f"年度の分からない項目 {self.unknown_items} 件は「{UNKNOWN}」として数え、検定から除外"
            )
        if self.duplicates:
            lines.append(
                f"同じ{name}の複数バッチにある同じ項目 {self.duplicates} 件は一度だけ数えた"
            )
        if not self.tested:
            only = self.known_periods[0] if self.known_periods else UNKNOWN
            lines.append(f"{name}が一つ（{only}）だけなので、変化の検定はしていません")
        return "\n".join(lines)


def theme_labels(ids: list[str]) -> dict[str, str]:
    """The taxonomy's labels in its order, then any other id the items carry."""
    # the configuration a run from the current folder would use (config/paths.py)
    themes = find_config().path.parent / "themes.yaml"
    labels = {t.id: t.label for t in load_themes(themes)} if themes.is_file() else {}
    return {**labels, **{t: t for t in ids if t not in labels}}


def catalog_items(path: Path, block: str) -> pd.DataFrame:
    """The block's items of every batch in the catalog, one row per item."""
    if not path.is_file():
        raise TrendsError(f"{path}: no catalog; run `python -m pipeline catalog` first")
    where = "" if block == ALL_BLOCKS else "WHERE block = ?"
    query = (
        "SELECT batch, item_id, municipality, block, text, source, page, themes, fiscal_year "
        f"FROM items {where} ORDER BY batch, item_id"
    )
    with duckdb.connect(str(path), read_only=True) as con:
        frame = con.execute(query, [] if block == ALL_BLOCKS else [block]).df()
    return frame


def trends(items: pd.DataFrame, block: str, by: str = "fiscal_year") -> Trends:
    """Shares, tests and the items behind them, from catalog_items' frame."""
    if by not in BY:
        raise TrendsError(f"--by must be one of {', '.join(BY)}, not {by!r}")
    if items.empty:
        raise TrendsError(f"no {block} items in the catalog (`--block all` counts every block)")
    items = items.copy()
    items["themes"] = items["themes"].map(lambda v: [] if v is None else list(v))
    if by == "fiscal_year":
        known = items["fiscal_year"].notna()
        items["period"] = np.where(known, items["fiscal_year"].astype("Int64").astype(str), UNKNOWN)
    else:
        items["period"] = items["batch"]
    before = len(items)
    if by == "fiscal_year":  # one report in two batches of a year counts once
        items = items.drop_duplicates(["period", "item_id"])
    periods = sorted(set(items["period"]) - {UNKNOWN})
    periods += [UNKNOWN] if UNKNOWN in set(items["period"]) else []
    labels = theme_labels(sorted({t for ts in items["themes"] for t in ts}))

    long = items.explode("themes").rename(columns={"themes": "theme"})
    long = long[long["theme"].notna()]
    long = long.assign(label=long["theme"].map(labels))
    known_periods = items[items["period"] != UNKNOWN].groupby("municipality")["period"].nunique()
    repeated = sorted(known_periods[known_periods >= 2].index)

    shares = pd.concat(
        [_shares(items, long, labels, periods, None)]
        + [_shares(items, long, labels, periods, m) for m in repeated],
        ignore_index=True,
    )
    totals = (
        items.groupby("period")
        .agg(
            items=("item_id", "size"),
            municipalities=("municipality", "nunique"),
            batches=("batch", "nunique"),
        )  # fmt: skip
        .reindex(periods)
        .reset_index()
    )
    behind = long[ITEM_COLUMNS].copy()
    order = {t: i for i, t in enumerate(labels)}
    rank = {p: i for i, p in enumerate(periods)}
    behind = behind.sort_values(
        ["theme", "period", "municipality", "source", "page"],
        key=lambda s: (
            s.map(order) if s.name == "theme" else s.map(rank) if s.name == "period" else s
        ),
        kind="stable",
    ).reset_index(drop=True)
    return Trends(
        block=block,
        by=by,
        periods=periods,
        labels=labels,
        shares=shares,
        tests=_tests(shares[shares["municipality"] == ALL], labels, periods),
        items=behind,
        totals=totals,
        repeated=repeated,
        unknown_items=int((items["period"] == UNKNOWN).sum()) if by == "fiscal_year" else 0,
        duplicates=before - len(items),
    )


def _shares(items, long, labels, periods, municipality: str | None) -> pd.DataFrame:
    if municipality is not None:
        items = items[items["municipality"] == municipality]
        long = long[long["municipality"] == municipality]
    totals = items.groupby("period").size()
    counts = long.groupby(["theme", "period"]).size()
    rows = []
    for theme, label in labels.items():
        for period in periods:
            total = int(totals.get(period, 0))
            if not total:
                continue  # a municipality absent from a period has no share there
            n = int(counts.get((theme, period), 0))
            rows.append(
                {
                    "municipality": municipality or ALL,
                    "period": period,
                    "theme": theme,
                    "label": label,
                    "items": n,
                    "period_items": total,
                    "share": round(n / total, 6),
                }
            )
    return pd.DataFrame(rows)


def _tests(shares: pd.DataFrame, labels: dict[str, str], periods: list[str]) -> pd.DataFrame:
    known = [p for p in periods if p != UNKNOWN]
    rows = []
    for theme, label in labels.items():
        row = {"theme": theme, "label": label, "periods": len(known), "chi2": np.nan,
               "dof": pd.NA, "p": np.nan, "min_expected": np.nan, "note": ""}  # fmt: skip
        cells = shares[(shares["theme"] == theme) & shares["period"].isin(known)]
        with_theme = cells["items"].to_numpy()
        without = (cells["period_items"] - cells["items"]).to_numpy()
        if len(known) < 2:
            row["note"] = "単年度のため検定なし"
        elif with_theme.sum() == 0:
            row["note"] = "どの年度にも項目がない"
        elif without.sum() == 0:
            row["note"] = "すべての項目にある"
        else:
            table = np.vstack([with_theme, without])
            chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
            row.update(chi2=round(float(chi2), 4), dof=int(dof), p=float(p),
                       min_expected=round(float(expected.min()), 2))  # fmt: skip
            if expected.min() < 5:
                row["note"] = "期待度数 5 未満のセルあり（近似は粗い）"
        rows.append(row)
    tests = pd.DataFrame(rows)
    tests["q"] = np.nan
    tested = tests["p"].notna()
    if tested.any():
        tests.loc[tested, "q"] = stats.false_discovery_control(tests.loc[tested, "p"], method="bh")
    tests["dof"] = tests["dof"].astype("Int64")
    return tests[["theme", "label", "periods", "chi2", "dof", "p", "q", "min_expected", "note"]]
