"""The run's tables as one Excel workbook (report.xlsx) for colleagues who live in Excel.

One sheet per table, the same rows and columns as the CSV files, with a frozen header
row, an autofilter on every column and widths that fit the Japanese text. Cells are
written as text or numbers, never as formulas: a text beginning with `=` stays text.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from .export import write_atomic

if TYPE_CHECKING:
    import pandas as pd

# Excel refuses longer cell texts; a longer block text is cut with a visible mark.
MAX_CELL_CHARS = 32767
_CUT_MARK = "…[cut: longer than an Excel cell holds; see the CSV]"
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_WIDTH_SAMPLE_ROWS = 300  # widths are estimated from the first rows


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """Write every frame as a sheet of its own, in the given order."""
    from openpyxl import Workbook

    # write-only mode streams the rows out: several times faster than building cells
    workbook = Workbook(write_only=True)
    for name, frame in sheets.items():
        _fill_sheet(workbook.create_sheet(title=name), frame)
    write_atomic(path, lambda tmp: workbook.save(tmp))


def _fill_sheet(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    columns = [str(c) for c in frame.columns]
    # a write-only sheet takes its view and widths before the first row
    sheet.freeze_panes = "A2"
    for c, name in enumerate(columns, start=1):
        sample = [name, *frame.iloc[:_WIDTH_SAMPLE_ROWS, c - 1].astype(str)]
        width = max(_display_width(s.split("\n")[0]) for s in sample) + 2
        sheet.column_dimensions[get_column_letter(c)].width = min(
            _MAX_WIDTH, max(_MIN_WIDTH, width)
        )
    if columns:
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A1:{last}{max(1, len(frame) + 1)}"
    sheet.append(columns)
    for row in frame.itertuples(index=False, name=None):
        values = []
        for value in map(_value, row):
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, not a formula
                value = cell
            values.append(value)
        sheet.append(values)


def _value(value):
    """A cell value openpyxl accepts: plain numbers, text without control characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if hasattr(value, "item"):  # numpy scalar → Python number
        value = value.item()
    if value is None or isinstance(value, bool | int | float):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(_CUT_MARK)] + _CUT_MARK
    return text


def _display_width(text: str) -> int:
    """Columns a text takes: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
