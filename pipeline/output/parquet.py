"""Typed tables beside the CSV files: documents, blocks and items as Parquet.

The same columns in the same order as the CSV file, typed (tables.column_kind): integers
(an unknown session or fiscal year is null), lists of strings (themes, lemmas, phrases,
municipalities), floats (score_*), text. pandas, polars and DuckDB read them without
parsing a cell.

Rows are written as the documents stream past, like the CSV files: they wait in a buffer
of at most ROW_GROUP rows, which then goes out as one row group. Memory stays bounded
however large the batch, and no second pass over the CSV files is needed. The file is
written into the run's staging folder, published with the rest or thrown away with it
(publish.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.output.tables import column_kind

# Rows per row group: a few MB of items, the unit a reader skips or reads at once.
ROW_GROUP = 10_000

_TYPES = {"int": pa.int64(), "list": pa.list_(pa.string()), "float": pa.float64(),
          "text": pa.string()}  # fmt: skip
# pandas' names of the same types: read_parquet then gives an unknown integer as <NA> in
# an Int64 column (not as NaN in a float one), and text as its str dtype
_PANDAS = {"int": ("int64", "Int64"), "list": ("list[unicode]", "object"),
           "float": ("float64", "float64"), "text": ("unicode", "str")}  # fmt: skip


def schema(columns: list[str]) -> pa.Schema:
    """The Arrow schema of a table with these columns, with the pandas types kept."""
    kinds = [column_kind(c) for c in columns]
    pandas = {
        "index_columns": [],
        "column_indexes": [],
        "columns": [
            {
                "name": c,
                "field_name": c,
                "pandas_type": _PANDAS[k][0],
                "numpy_type": _PANDAS[k][1],
                "metadata": None,
            }
            for c, k in zip(columns, kinds, strict=True)
        ],
    }
    fields = [pa.field(c, _TYPES[k]) for c, k in zip(columns, kinds, strict=True)]
    return pa.schema(fields, metadata={b"pandas": json.dumps(pandas).encode()})


class ParquetTable:
    """One table, appended to a row of typed values at a time (tables.*_values)."""

    def __init__(self, path: Path, columns: list[str]):
        self._schema = schema(columns)
        self._rows: list[list] = []
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")

    def append(self, row: list) -> None:
        self._rows.append(row)
        if len(self._rows) >= ROW_GROUP:
            self._flush()

    def close(self) -> None:
        """Write what is left and the file's footer."""
        if self._writer is None:
            return
        self._flush()
        self.abandon()

    def abandon(self) -> None:
        """Close the file as it is (a run that failed: its staging folder is removed)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _flush(self) -> None:
        if not self._rows:
            return
        arrays = [
            pa.array(list(column), type=field.type)
            for column, field in zip(zip(*self._rows, strict=True), self._schema, strict=True)
        ]
        self._writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        self._rows = []
