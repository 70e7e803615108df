"""A run's tables written while its documents stream past, one document at a time.

Each document's blocks and items go out to the CSV files, the workbook and the Parquet
tables (documents, blocks, items: parquet.py) as soon as the document is added, and only counts stay behind (the theme tables are made from
them at the end), so writing the tables of 5,000 reports takes no more memory than
writing those of 20. The files are written into a run's staging folder, which is
switched in whole or thrown away (publish.py): none is ever seen half-written.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.config.themes import Theme
from pipeline.core.records import DocumentResult, DocumentSummary
from pipeline.output import review, tables
from pipeline.output.excel import Workbook
from pipeline.output.parquet import ParquetTable

# The tables also written as Parquet, typed: the ones analysts query across runs.
TYPED = ("documents", "blocks", "items")


class _CsvTable:
    """UTF-8 with BOM, so that Excel shows the Japanese; read back by export.read_csv."""

    def __init__(self, path: Path, columns: list[str]):
        self._file = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file, lineterminator="\n")
        self._writer.writerow(columns)

    def append(self, row: list) -> None:
        self._writer.writerow(row)

    def close(self) -> None:
        self._file.close()


class TableWriter:
    """documents.csv, blocks.csv, items.csv, themes.csv, theme_matrix.csv, review.csv,
    report.xlsx (one sheet per table) and documents/blocks/items.parquet in `folder`. Use as a context manager; add() each
    document in the order its rows should appear. Without a `review_list`, review.csv
    has its header only."""

    def __init__(
        self, folder: Path, themes: tuple[Theme, ...], review_list: review.ReviewList | None = None
    ):
        self._folder = folder
        self._themes = themes
        self._counts = tables.ThemeCounts(themes)
        self._review = review_list
        self._csv: dict[str, _CsvTable] = {}
        self._parquet: dict[str, ParquetTable] = {}
        self._book = Workbook()
        self._sheets = {}
        self._columns = columns = {
            "items": tables.item_columns(themes),
            "blocks": tables.BLOCK_COLUMNS,
            "themes": tables.THEME_COLUMNS,
            "theme_matrix": tables.matrix_columns(themes),
            "documents": tables.DOCUMENT_COLUMNS,
            "review": review.COLUMNS,
        }
        # the workbook's sheets in this order, items first: what most readers open it for
        for name, names in columns.items():
            self._sheets[name] = self._book.sheet(name.replace("theme_", ""), names)
        try:
            for name in columns:
                self._csv[name] = _CsvTable(folder / f"{name}.csv", columns[name])
            for name in TYPED:
                self._parquet[name] = ParquetTable(folder / f"{name}.parquet", columns[name])
        except BaseException:
            self._close_files()
            raise

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self._close_files()

    def add(self, result: DocumentResult) -> DocumentSummary:
        """Write one document's rows; return what the run keeps of it."""
        summary = DocumentSummary.of(result)
        self._append_typed("documents", tables.document_values(summary))
        for block in result.blocks:
            self._append_typed("blocks", tables.block_values(block))
        for item in result.items:
            self._append_typed("items", tables.item_values(item, self._themes))
            self._counts.add(item)
            if self._review is not None:
                self._review.add(item)
        return summary

    def close(self) -> None:
        for row in self._counts.theme_rows():
            self._append("themes", row)
        for row in self._counts.matrix_rows():
            self._append("theme_matrix", row)
        for row in self._review.rows() if self._review is not None else []:
            self._append("review", row)
        for table in self._parquet.values():
            table.close()
        self._close_files()
        self._book.save(self._folder / "report.xlsx")

    def _append_typed(self, name: str, values: list) -> None:
        self._parquet[name].append(values)
        self._append(name, tables.as_cells(values, self._columns[name]))

    def _append(self, name: str, row: list) -> None:
        self._csv[name].append(row)
        self._sheets[name].append(row)

    def _close_files(self) -> None:
        for table in self._csv.values():
            table.close()
        for table in self._parquet.values():  # after close(), already written out
            table.abandon()
