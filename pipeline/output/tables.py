"""Records → the rows of the run's tables, in the contract's column order.

Rows are built one record at a time so that a batch's tables can be written while its
documents stream past (table_writer.py); the DataFrame functions build the same tables
in memory for notebooks, scripts and tests.

A row is first made of typed values (`*_values`: ints, None where a number is unknown,
lists, floats), which the Parquet tables keep as they are (`column_kind` names each
column's type); the CSV row is the same values as text (`as_cells`): a list joined, an
unknown number as an empty cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pipeline.config.themes import Theme
from pipeline.core.contract import LIST_SEPARATOR
from pipeline.core.records import Block, DocumentSummary, Item

if TYPE_CHECKING:  # a cached run imports no pandas
    import pandas as pd

# fiscal_year comes last, after columns older readers may count on by position
DOCUMENT_COLUMNS = [
    "doc_id", "source", "sha256", "pages", "status", "error",
    "municipalities", "blocks", "items", "warnings", "fiscal_year", "fiscal_year_source",
]  # fmt: skip
BLOCK_COLUMNS = [
    "block_id", "doc_id", "source", "municipality", "section", "page",
    "block", "session", "heading", "text", "fiscal_year",
]  # fmt: skip
ITEM_COLUMNS = [
    "item_id", "block_id", "doc_id", "source", "municipality", "page", "block", "session",
    "level", "parent_id", "context", "text", "text_raw", "lemmas", "phrases",
    "problem_target", "problem_state", "themes", "theme_evidence",
]  # fmt: skip
ITEM_TAIL = ["fiscal_year"]  # after the score_<theme> columns, as the contract lists it

# Column types of the Parquet tables; every column not named here is text.
INTEGER_COLUMNS = frozenset(
    {"pages", "blocks", "items", "warnings", "page", "session", "level", "fiscal_year"}
)
# Lists, and how the CSV files join them: lemmas by spaces (a lemma has none), the others
# by the contract's separator.
LIST_COLUMNS = {"municipalities": LIST_SEPARATOR, "lemmas": " ", "phrases": LIST_SEPARATOR,
                "themes": LIST_SEPARATOR}  # fmt: skip
SCORE_PREFIX = "score_"  # score_<theme id>: floats

THEME_COLUMNS = ["municipality", "block", "theme", "label", "items", "block_items", "share",
                 "blind_precision", "blind_recall"]  # fmt: skip

# theme_matrix.csv: one row per scope × municipality. 課題意識 is the block the analysis
# of problems starts from; "all" counts the items of every block.
MATRIX_SCOPES = ("課題意識", "all")
MATRIX_COLUMNS = ["scope", "municipality", "items"]


def column_kind(column: str) -> str:
    """int | list | float | text: how a column of the documents, blocks and items tables
    is typed."""
    if column in INTEGER_COLUMNS:
        return "int"
    if column in LIST_COLUMNS:
        return "list"
    return "float" if column.startswith(SCORE_PREFIX) else "text"


def as_cells(values: list, columns: list[str]) -> list:
    """A row of typed values as the CSV files write it."""
    return [_cell(v, c) for v, c in zip(values, columns, strict=True)]


def _cell(value, column: str):
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_COLUMNS[column].join(value)
    return value


def from_cell(cell: str, column: str):
    """A CSV cell back as the typed value it was written from (the inverse of as_cells):
    for the CSV files of runs older than their Parquet tables."""
    kind = column_kind(column)
    if kind == "text":
        return cell
    if kind == "list":
        return [part for part in cell.split(LIST_COLUMNS[column]) if part]
    if cell == "":
        return None
    return int(cell) if kind == "int" else float(cell)


def evidence_text(evidence: dict[str, str]) -> str:
    """theme_evidence: 'theme: why' parts; a note about no theme in particular (key "")
    stands alone."""
    return "; ".join(f"{k}: {v}" if k else v for k, v in evidence.items())


def item_columns(themes: tuple[Theme, ...]) -> list[str]:
    return ITEM_COLUMNS + [f"{SCORE_PREFIX}{t.id}" for t in themes] + ITEM_TAIL


def matrix_columns(themes: tuple[Theme, ...]) -> list[str]:
    return MATRIX_COLUMNS + [t.id for t in themes]


def document_values(d: DocumentSummary) -> list:
    return [
        d.doc_id, d.source, d.sha256, d.pages, d.status, d.error,
        list(d.municipalities), d.blocks, d.items, len(d.warnings), d.fiscal_year,
        d.fiscal_year_source,
    ]  # fmt: skip


def block_values(b: Block) -> list:
    return [
        b.block_id, b.doc_id, b.source, b.municipality, b.section, b.page,
        b.block, b.session, b.heading, b.text, b.fiscal_year,
    ]  # fmt: skip


def item_values(i: Item, themes: tuple[Theme, ...]) -> list:
    row = [
        i.item_id, i.block_id, i.doc_id, i.source, i.municipality, i.page, i.block,
        i.session, i.level, i.parent_id, i.context, i.text, i.text_raw,
        list(i.lemmas), list(i.phrases), i.problem_target, i.problem_state,
        list(i.themes), evidence_text(i.evidence),
    ]  # fmt: skip
    row.extend(round(i.scores.get(t.id, 0.0), 4) for t in themes)
    row.append(i.fiscal_year)
    return row


def document_row(d: DocumentSummary) -> list:
    return as_cells(document_values(d), DOCUMENT_COLUMNS)


def block_row(b: Block) -> list:
    return as_cells(block_values(b), BLOCK_COLUMNS)


def item_row(i: Item, themes: tuple[Theme, ...]) -> list:
    return as_cells(item_values(i, themes), item_columns(themes))


class ThemeCounts:
    """Item and theme counts per municipality × block, added to one item at a time:
    everything themes.csv and theme_matrix.csv need, without keeping the items."""

    def __init__(self, themes: tuple[Theme, ...]):
        self.themes = themes
        self._totals: dict[tuple[str, str], int] = {}
        self._counts: dict[tuple[str, str], dict[str, int]] = {}

    def add(self, item: Item) -> None:
        key = (item.municipality, item.block)
        self._totals[key] = self._totals.get(key, 0) + 1
        per_theme = self._counts.setdefault(key, {})
        for theme_id in item.themes:
            per_theme[theme_id] = per_theme.get(theme_id, 0) + 1

    def theme_rows(self) -> list[list]:
        """Long form: every municipality × block seen × theme, with counts and shares."""
        rows = []
        for key in sorted(self._totals):
            total = self._totals[key]
            for theme in self.themes:
                n = self._counts[key].get(theme.id, 0)
                rows.append(
                    [*key, theme.id, theme.label, n, total, round(n / total, 4),
                     theme.blind_precision, theme.blind_recall]
                )  # fmt: skip
        return rows

    def matrix_rows(self) -> list[list]:
        """Wide form: municipalities × theme ids, item counts, for each scope."""
        found: dict[tuple[str, str], dict[str, int]] = {}
        for (municipality, block), total in self._totals.items():
            for scope in MATRIX_SCOPES:
                if scope in ("all", block):
                    acc = found.setdefault((scope, municipality), {})
                    acc[""] = acc.get("", 0) + total  # "": the items, whatever their themes
                    for theme_id, n in self._counts[(municipality, block)].items():
                        acc[theme_id] = acc.get(theme_id, 0) + n
        municipalities = sorted({m for m, _ in self._totals})
        rows = []
        for scope in MATRIX_SCOPES:
            for municipality in municipalities:
                acc = found.get((scope, municipality), {})
                row = [scope, municipality, acc.get("", 0)]
                row.extend(acc.get(t.id, 0) for t in self.themes)
                rows.append(row)
        return rows


# --- the same tables in memory ----------------------------------------------------------------


def _frame(rows: Iterable[list], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(list(rows), columns=columns)


def documents_table(documents: list[DocumentSummary]) -> pd.DataFrame:
    return _frame(map(document_row, documents), DOCUMENT_COLUMNS)


def blocks_table(blocks: list[Block]) -> pd.DataFrame:
    return _frame(map(block_row, blocks), BLOCK_COLUMNS)


def items_table(items: list[Item], themes: tuple[Theme, ...]) -> pd.DataFrame:
    return _frame((item_row(i, themes) for i in items), item_columns(themes))


def _counts(items: list[Item], themes: tuple[Theme, ...]) -> ThemeCounts:
    counts = ThemeCounts(themes)
    for item in items:
        counts.add(item)
    return counts


def themes_table(items: list[Item], themes: tuple[Theme, ...]) -> pd.DataFrame:
    return _frame(_counts(items, themes).theme_rows(), THEME_COLUMNS)


def theme_matrix_table(items: list[Item], themes: tuple[Theme, ...]) -> pd.DataFrame:
    return _frame(_counts(items, themes).matrix_rows(), matrix_columns(themes))
