"""The run's tables as one Excel workbook (report.xlsx) for colleagues who live in Excel.

One sheet per table, the same rows and columns as the CSV files, with a frozen header
row, an autofilter on every column and widths that fit the Japanese text. Cells are
written as text or numbers, never as formulas: a text beginning with `=` stays text.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from pipeline.output.files import write_atomic

# Excel refuses longer cell texts; a longer block text is cut with a visible mark.
MAX_CELL_CHARS = 32767
_CUT_MARK = "…[cut: longer than an Excel cell holds; see the CSV]"
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_WIDTH_SAMPLE_ROWS = 300  # widths are estimated from the first rows


class Workbook:
    """A workbook written row by row: openpyxl's write-only mode keeps each sheet's rows in
    a temporary file, so a batch of any size is written in bounded memory."""

    def __init__(self) -> None:
        self._book = OpenpyxlWorkbook(write_only=True)
        self._sheets: list[Sheet] = []

    def sheet(self, title: str, columns: list[str]) -> Sheet:
        """A new sheet after the ones made before, with this header row."""
        sheet = Sheet(self._book.create_sheet(title=title), columns)
        self._sheets.append(sheet)
        return sheet

    def save(self, path: Path) -> None:
        for sheet in self._sheets:
            sheet.close()
        write_atomic(path, lambda tmp: self._book.save(tmp))


class Sheet:
    """One sheet: frozen header, an autofilter over every column and widths that fit the
    first rows' text. Those rows are held back until the widths are known, because a
    write-only sheet takes its widths before its first row."""

    def __init__(self, sheet, columns: list[str]):
        self._sheet = sheet
        self._columns = [str(c) for c in columns]
        self._held: list[list] | None = []
        self._rows = 0

    def append(self, row: list) -> None:
        self._rows += 1
        if self._held is None:
            self._write(row)
            return
        self._held.append(row)
        if len(self._held) >= _WIDTH_SAMPLE_ROWS:
            self._start()

    def close(self) -> None:
        if self._held is not None:
            self._start()
        if self._columns:
            last = get_column_letter(len(self._columns))
            self._sheet.auto_filter.ref = f"A1:{last}{self._rows + 1}"

    def _start(self) -> None:
        held, self._held = self._held or [], None
        self._sheet.freeze_panes = "A2"
        for c, name in enumerate(self._columns):
            sample = [name, *(str(row[c]) for row in held)]
            width = max(_display_width(s.split("\n")[0]) for s in sample) + 2
            self._sheet.column_dimensions[get_column_letter(c + 1)].width = min(
                _MAX_WIDTH, max(_MIN_WIDTH, width)
            )
        self._sheet.append(self._columns)
        for row in held:
            self._write(row)

    def _write(self, row: list) -> None:
        values = []
        for value in map(_value, row):
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(self._sheet, value=value)
                cell.data_type = "s"  # text, not a formula
                value = cell
            values.append(value)
        self._sheet.append(values)


def _value(value):
    """A cell value openpyxl accepts: plain numbers, text without control characters."""
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
