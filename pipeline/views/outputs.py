"""Load a batch's output tables for the analyst's views (figures, report, cross-tabs, KWIC).

Everything here reads the CSV files a run wrote; nothing imports spaCy, so the views
stay fast and can be rebuilt without re-analysing a batch. Columns are read by name,
and columns added later by other stages are carried along untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.config.paths import default_outputs
from pipeline.core.contract import split_list
from pipeline.core.errors import PipelineError
from pipeline.output.files import read_csv

# The blocks the analysis centres on (contract: "Block types"), in reading order.
NO_THEME = "(テーマなし)"


class OutputsMissingError(PipelineError):
    """A batch's output folder (or one of its tables) is not there yet."""


@dataclass
class Outputs:
    """The tables of one run, every cell as text (as export.read_csv returns them)."""

    out_dir: Path
    documents: pd.DataFrame
    blocks: pd.DataFrame
    items: pd.DataFrame
    themes: pd.DataFrame
    run: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.out_dir.resolve().name

    def labels(self) -> dict[str, str]:
        return theme_labels(self.themes)


def resolve_out_dir(batch: str | Path, out: str | Path | None = None) -> Path:
    """BATCH may be an output folder (has items.csv) or a batch folder / name → outputs/<name> in the current folder."""
    if out:
        return Path(out)
    path = Path(batch)
    if (path / "items.csv").is_file():
        return path
    return default_outputs() / path.resolve().name


def load_outputs(out_dir: str | Path) -> Outputs:
    out = Path(out_dir)
    if not out.is_dir():
        raise OutputsMissingError(f"{out}: no such output folder; run `make pipeline` first")
    tables = {}
    for name in ("documents", "blocks", "items", "themes"):
        path = out / f"{name}.csv"
        if not path.is_file():
            raise OutputsMissingError(f"{path} is missing; run `make pipeline` first")
        tables[name] = read_csv(path)
    run_path = out / "run.json"
    run = json.loads(run_path.read_text(encoding="utf-8")) if run_path.is_file() else {}
    return Outputs(out_dir=out, run=run, **tables)


def theme_labels(themes: pd.DataFrame) -> dict[str, str]:
    """theme id → Japanese label, in the taxonomy's order (first seen in themes.csv)."""
    if themes.empty or "theme" not in themes or "label" not in themes:
        return {}
    pairs = themes[["theme", "label"]].drop_duplicates("theme")
    return dict(zip(pairs["theme"], pairs["label"], strict=True))


def item_themes(items: pd.DataFrame) -> pd.DataFrame:
    """Long form (item_id, theme): one row per item and theme it carries."""
    if items.empty:
        return pd.DataFrame(columns=["item_id", "theme"])
    long = items[["item_id", "themes"]].assign(theme=items["themes"].map(split_list))
    long = long.explode("theme").dropna(subset=["theme"])
    return long[["item_id", "theme"]].reset_index(drop=True)


def parse_evidence(value: str) -> dict[str, str]:
    """'sc_development: 生活支援コーディネーター; collaboration: 社協' → {id: words}.

    The format belongs to the classifier; a part that does not parse is kept under ""
    so that nothing the classifier said is lost from the report.
    """
    evidence: dict[str, str] = {}
    for part in str(value or "").split("; "):
        if not part.strip():
            continue
        key, sep, words = part.partition(": ")
        if sep and key and " " not in key:
            evidence[key.strip()] = words.strip()
        else:
            evidence[""] = (evidence.get("", "") + " " + part).strip()
    return evidence


def in_blocks(items: pd.DataFrame, blocks: str | tuple[str, ...] | None) -> pd.DataFrame:
    """Items of one block, of several, or all (None)."""
    if not blocks:
        return items
    wanted = (blocks,) if isinstance(blocks, str) else tuple(blocks)
    return items[items["block"].isin(wanted)]
