"""The run's tables written one document at a time (table_writer.py, excel.py, spool.py).

The streamed files must be the very files that the in-memory route (pandas DataFrames,
tables.py) gives for the same documents, also for awkward text: quotes, commas, line
breaks, a leading `=`, control characters, a text longer than an Excel cell.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.core.records import DocumentResult
from pipeline.output import tables
from pipeline.output.excel import MAX_CELL_CHARS
from pipeline.output.files import write_csv
from pipeline.output.table_writer import TableWriter
from pipeline.runner.batch import process_document
from pipeline.runner.spool import ResultSpool

from .conftest import SAMPLE

AWKWARD = [
    '「地域」, "住民" と、\n改行のある項目',
    "=SUM(A1:A3) は式ではなく文字",
    "制御文字\x07を含む",
    "長" * (MAX_CELL_CHARS + 100),
]


@pytest.fixture(scope="module")
def documents(settings, sample_run) -> list[DocumentResult]:
    """Two real sample reports (GiNZA shared with sample_run), one of them with awkward
    item texts and over 300 items, and a file that could not be read."""
    paths = sorted(SAMPLE.glob("*.pdf"))[:2]
    first, second = (process_document(p, p.name, settings) for p in paths)
    items = list(second.items)
    for n, text in enumerate(AWKWARD):
        items[n] = replace(items[n], text=text, text_raw=text)
    # enough rows that the workbook's width sample (the first 300) ends mid-document
    while len(items) < 340:
        items += [replace(i, item_id=f"{i.item_id}-{len(items)}") for i in second.items]
    second = replace(second, items=items)
    failed = DocumentResult(
        doc_id="d0000000000", source="壊れた.pdf", sha256="0" * 64, pages=0,
        status="error", error="not a PDF: the file is plain text",
    )  # fmt: skip
    return [first, second, failed]


@pytest.fixture(scope="module")
def streamed(documents, settings, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("streamed")
    with TableWriter(folder, settings.themes) as writer:
        for result in documents:
            writer.add(result)
    return folder


def _in_memory(documents, settings) -> dict:
    from pipeline.core.records import DocumentSummary

    blocks = [b for r in documents for b in r.blocks]
    items = [i for r in documents for i in r.items]
    return {
        "documents": tables.documents_table([DocumentSummary.of(r) for r in documents]),
        "blocks": tables.blocks_table(blocks),
        "items": tables.items_table(items, settings.themes),
        "themes": tables.themes_table(items, settings.themes),
        "theme_matrix": tables.theme_matrix_table(items, settings.themes),
    }


@pytest.mark.parametrize("name", ["documents", "blocks", "items", "themes", "theme_matrix"])
def test_streamed_csv_is_byte_for_byte_what_pandas_writes(
    streamed, documents, settings, tmp_path, name
):
    frame = _in_memory(documents, settings)[name]
    assert len(frame) > 0
    write_csv(frame, tmp_path / "expected.csv")
    assert (streamed / f"{name}.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()


def test_workbook_has_every_row_in_order_under_a_frozen_filtered_header(streamed, documents):
    book = load_workbook(streamed / "report.xlsx")
    assert book.sheetnames == ["items", "blocks", "themes", "matrix", "documents", "review"]
    sheet = book["items"]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == [i.item_id for r in documents for i in r.items]
    assert len(ids) > 300
    assert sheet.freeze_panes == "A2"
    assert (
        sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{len(ids) + 1}"
    )
    assert sheet.column_dimensions["L"].width > sheet.column_dimensions["A"].width  # text


def test_workbook_cells_are_text_never_formulas_and_fit_excel(streamed):
    sheet = load_workbook(streamed / "report.xlsx")["items"]
    header = [c.value for c in sheet[1]]
    texts = {c.value: c for c in sheet[chr(ord("A") + header.index("text"))][1:]}
    formula = texts["=SUM(A1:A3) は式ではなく文字"]
    assert formula.data_type == "s"
    assert "制御文字を含む" in texts  # the control character is dropped, the text kept
    long = next(t for t in texts if t.startswith("長長"))
    assert len(long) == MAX_CELL_CHARS and long.endswith("see the CSV]")


def test_a_failed_file_is_a_documents_row_and_nothing_else(streamed):
    from pipeline.output.files import read_csv

    rows = read_csv(streamed / "documents.csv").set_index("source")
    assert rows.loc["壊れた.pdf", "status"] == "error"
    assert rows.loc["壊れた.pdf", "items"] == "0"
    assert "d0000000000" not in set(read_csv(streamed / "items.csv")["doc_id"])


def test_spool_gives_back_each_result_as_it_was_put(documents, tmp_path):
    with ResultSpool(tmp_path) as spool:
        for result in reversed(documents):
            spool.put(result.sha256, result)
        assert [spool.get(r.sha256) for r in documents] == documents
    assert list(tmp_path.iterdir()) == []  # an unnamed file: nothing left behind
