"""documents, blocks and items as typed Parquet tables beside the CSV files (parquet.py).

Read back with plain pandas (and DuckDB when it is installed), they hold the CSV files'
rows, column for column, with integers, lists and floats instead of text; they are
written as the documents stream past and published with the CSV files, or not at all.
"""

from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.core.contract import split_list
from pipeline.core.records import DocumentResult
from pipeline.output import parquet, publish
from pipeline.output.files import read_csv
from pipeline.output.table_writer import TableWriter
from pipeline.runner.batch import with_fiscal_year
from pipeline.stages.pipeline import read_file

from .conftest import SAMPLE

TABLES = ("documents", "blocks", "items")
INTEGERS = {
    "documents": ["pages", "blocks", "items", "warnings", "fiscal_year"],
    "blocks": ["page", "session", "fiscal_year"],
    "items": ["page", "session", "level", "fiscal_year"],
}
LISTS = {"documents": ["municipalities"], "blocks": [], "items": ["lemmas", "phrases", "themes"]}


def _same_rows_as_csv(folder, name: str) -> None:
    """Every cell of <name>.parquet is the CSV file's cell, typed."""
    csv = read_csv(folder / f"{name}.csv")
    typed = pd.read_parquet(folder / f"{name}.parquet")
    assert list(typed.columns) == list(csv.columns)
    assert len(typed) == len(csv) > 0
    for column in csv.columns:
        cells, values = csv[column].tolist(), typed[column].tolist()
        if column in INTEGERS[name]:
            expected = [int(c) if c else None for c in cells]
            values = [None if v is pd.NA else v for v in values]
        elif column == "lemmas":  # joined by spaces in the CSV file
            expected = [c.split(" ") if c else [] for c in cells]
            values = [list(v) for v in values]
        elif column in LISTS[name]:
            expected = [split_list(c) for c in cells]
            values = [list(v) for v in values]
        elif column.startswith("score_"):
            expected = [float(c) for c in cells]
        else:
            expected = cells
        assert values == expected, f"{name}.{column}"


def _check_types(folder, name: str) -> None:
    typed = pd.read_parquet(folder / f"{name}.parquet")
    for column in typed.columns:
        dtype = typed[column].dtype
        if column in INTEGERS[name]:
            assert dtype == "Int64", column  # an unknown value is <NA>, not NaN in a float
        elif column in LISTS[name]:
            assert all(isinstance(v.tolist(), list) for v in typed[column]), column
        elif column.startswith("score_"):
            assert dtype == "float64", column
        else:
            assert pd.api.types.is_string_dtype(dtype), column
    schema = pq.read_schema(folder / f"{name}.parquet")
    for column in LISTS[name]:
        assert schema.field(column).type == pa.list_(pa.string())


# --- a real run (GiNZA) ----------------------------------------------------------------------


@pytest.mark.parametrize("name", TABLES)
def test_the_parquet_tables_hold_the_csv_rows_typed(sample_run, name):
    _check_types(sample_run.out_dir, name)
    _same_rows_as_csv(sample_run.out_dir, name)


def test_a_session_left_empty_is_null_and_a_list_is_a_list(sample_run):
    items = pd.read_parquet(sample_run.out_dir / "items.parquet")
    assert items["session"].isna().any() and items["session"].notna().any()
    # A file of two municipalities of two years has no document year, only item years.
    documents = pd.read_parquet(sample_run.out_dir / "documents.parquet")
    years = set(documents["fiscal_year"].dropna())
    item_years = set(items["fiscal_year"].dropna())
    assert str(items["fiscal_year"].dtype).lower().startswith("int")  # typed, nulls allowed
    assert len(years) >= 4 and years <= item_years
    assert items["lemmas"].map(len).gt(0).mean() > 0.9  # GiNZA's lemmas, one per entry
    assert items["themes"].map(len).gt(1).any()  # an item with several themes: a real list


def test_duckdb_reads_them_as_they_are(sample_run):
    duckdb = pytest.importorskip("duckdb")
    out = sample_run.out_dir
    rows = duckdb.sql(
        f"select fiscal_year, count(*) from '{out / 'items.parquet'}' group by 1 order by 1"
    ).fetchall()
    csv = read_csv(out / "items.csv")["fiscal_year"].astype(int).value_counts().sort_index()
    assert rows == list(csv.items())
    # fetchall: DuckDB 2 relations have no fetchone()
    [(kind,)] = duckdb.sql(
        f"select typeof(themes) from '{out / 'items.parquet'}' limit 1"
    ).fetchall()
    assert kind == "VARCHAR[]"


# --- streaming and publishing (no GiNZA) -----------------------------------------------------


@pytest.fixture(scope="module")
def segmented(settings) -> list[DocumentResult]:
    """Two sample reports read up to their items (not analysed), dated as a run dates them."""
    results = []
    for name in ("r03_aobano.pdf", "r04_report_set_b.pdf"):
        read = read_file(SAMPLE / name, settings, until="segment", source=name)
        result = DocumentResult(
            doc_id=name, source=name, sha256=name, pages=len(read.document.pages),
            status="ok", blocks=read.blocks, items=read.items, text_years=read.text_years,
        )  # fmt: skip
        results.append(with_fiscal_year(result, None))
    return results


def test_rows_go_out_in_row_groups_as_documents_stream_past(
    segmented, settings, tmp_path, monkeypatch
):
    monkeypatch.setattr(parquet, "ROW_GROUP", 40)
    with TableWriter(tmp_path, settings.themes) as writer:
        writer.add(segmented[0])
        assert len(segmented[0].items) > 40
        # the first document's full groups are on disk already, not held in memory
        assert (tmp_path / "items.parquet").stat().st_size > 1000
        writer.add(segmented[1])
    items = len(segmented[0].items) + len(segmented[1].items)
    assert pq.ParquetFile(tmp_path / "items.parquet").metadata.num_row_groups == math.ceil(
        items / 40
    )
    for name in TABLES:
        _check_types(tmp_path, name)
        _same_rows_as_csv(tmp_path, name)
    fiscal = pd.read_parquet(tmp_path / "documents.parquet")["fiscal_year"].tolist()
    assert fiscal == [2021, 2022]


def test_a_run_that_fails_midway_publishes_no_parquet(segmented, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "ROW_GROUP", 40)
    out = tmp_path / "out"
    with publish.staged(out) as stage, TableWriter(stage, settings.themes) as writer:
        writer.add(segmented[0])
    before = {name: (out / f"{name}.parquet").read_bytes() for name in TABLES}

    with pytest.raises(RuntimeError):
        with publish.staged(out) as stage, TableWriter(stage, settings.themes) as writer:
            writer.add(segmented[0])
            writer.add(segmented[1])
            assert (stage / "items.parquet").stat().st_size > 1000  # half-written
            raise RuntimeError("disk full")
    assert {name: (out / f"{name}.parquet").read_bytes() for name in TABLES} == before
    assert [p.name for p in (out / publish.RUNS).iterdir()] == [publish.current_version(out).name]
    assert len(pd.read_parquet(out / "items.parquet")) == len(segmented[0].items)
