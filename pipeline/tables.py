"""Records → the run's tables (pandas), in the contract's column order."""

from __future__ import annotations

import pandas as pd

from .config import Theme
from .records import Block, DocumentResult, Item

DOCUMENT_COLUMNS = [
    "doc_id", "source", "sha256", "pages", "status", "error",
    "municipalities", "blocks", "items", "warnings",
]  # fmt: skip
BLOCK_COLUMNS = [
    "block_id", "doc_id", "source", "municipality", "section", "page",
    "block", "session", "heading", "text",
]  # fmt: skip
ITEM_COLUMNS = [
    "item_id", "block_id", "doc_id", "source", "municipality", "page", "block", "session",
    "level", "parent_id", "context", "text", "text_raw", "lemmas", "phrases",
    "problem_target", "problem_state", "themes", "theme_evidence",
]  # fmt: skip
THEME_COLUMNS = ["municipality", "block", "theme", "label", "items", "block_items", "share"]


def _session(value: int | None) -> str:
    return "" if value is None else str(value)


def documents_table(results: list[DocumentResult]) -> pd.DataFrame:
    rows = [
        {
            "doc_id": r.doc_id,
            "source": r.source,
            "sha256": r.sha256,
            "pages": r.pages,
            "status": r.status,
            "error": r.error,
            "municipalities": ";".join(dict.fromkeys(b.municipality for b in r.blocks)),
            "blocks": len(r.blocks),
            "items": len(r.items),
            "warnings": len(r.warnings),
        }
        for r in results
    ]
    return pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)


def blocks_table(blocks: list[Block]) -> pd.DataFrame:
    rows = [
        {
            "block_id": b.block_id,
            "doc_id": b.doc_id,
            "source": b.source,
            "municipality": b.municipality,
            "section": b.section,
            "page": b.page,
            "block": b.block,
            "session": _session(b.session),
            "heading": b.heading,
            "text": b.text,
        }
        for b in blocks
    ]
    return pd.DataFrame(rows, columns=BLOCK_COLUMNS)


def items_table(items: list[Item], themes: tuple[Theme, ...]) -> pd.DataFrame:
    score_columns = [f"score_{t.id}" for t in themes]
    rows = []
    for i in items:
        row = {
            "item_id": i.item_id,
            "block_id": i.block_id,
            "doc_id": i.doc_id,
            "source": i.source,
            "municipality": i.municipality,
            "page": i.page,
            "block": i.block,
            "session": _session(i.session),
            "level": i.level,
            "parent_id": i.parent_id,
            "context": i.context,
            "text": i.text,
            "text_raw": i.text_raw,
            "lemmas": " ".join(i.lemmas),
            "phrases": ";".join(i.phrases),
            "problem_target": i.problem_target,
            "problem_state": i.problem_state,
            "themes": ";".join(i.themes),
            "theme_evidence": "; ".join(f"{k}: {v}" for k, v in i.evidence.items()),
        }
        for t in themes:
            row[f"score_{t.id}"] = round(i.scores.get(t.id, 0.0), 4)
        rows.append(row)
    return pd.DataFrame(rows, columns=ITEM_COLUMNS + score_columns)


def themes_table(items: list[Item], themes: tuple[Theme, ...]) -> pd.DataFrame:
    """Long form: every municipality × block seen × theme, with counts and shares."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    totals: dict[tuple[str, str], int] = {}
    for item in items:
        key = (item.municipality, item.block)
        totals[key] = totals.get(key, 0) + 1
        per_theme = counts.setdefault(key, {})
        for theme_id in item.themes:
            per_theme[theme_id] = per_theme.get(theme_id, 0) + 1
    rows = []
    for key in sorted(totals):
        for theme in themes:
            n = counts[key].get(theme.id, 0)
            rows.append(
                {
                    "municipality": key[0],
                    "block": key[1],
                    "theme": theme.id,
                    "label": theme.label,
                    "items": n,
                    "block_items": totals[key],
                    "share": round(n / totals[key], 4),
                }
            )
    return pd.DataFrame(rows, columns=THEME_COLUMNS)


# theme_matrix.csv: one row per scope × municipality. 課題意識 is the block the analysis
# of problems starts from; "all" counts the items of every block.
MATRIX_SCOPES = ("課題意識", "all")
MATRIX_COLUMNS = ["scope", "municipality", "items"]


def theme_matrix_table(items: list[Item], themes: tuple[Theme, ...]) -> pd.DataFrame:
    """Wide form: municipalities × theme ids, item counts, for each scope."""
    municipalities = sorted({i.municipality for i in items})
    # one pass over the items, not one per municipality: batches have thousands of both
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for item in items:
        for scope in MATRIX_SCOPES:
            if scope == "all" or item.block == scope:
                row = counts.setdefault((scope, item.municipality), {"items": 0})
                row["items"] += 1
                for theme_id in item.themes:
                    row[theme_id] = row.get(theme_id, 0) + 1
    rows = []
    for scope in MATRIX_SCOPES:
        for municipality in municipalities:
            found = counts.get((scope, municipality), {})
            row = {"scope": scope, "municipality": municipality, "items": found.get("items", 0)}
            for theme in themes:
                row[theme.id] = found.get(theme.id, 0)
            rows.append(row)
    return pd.DataFrame(rows, columns=MATRIX_COLUMNS + [t.id for t in themes])
