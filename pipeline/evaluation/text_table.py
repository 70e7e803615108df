"""Plain-text tables of figures, as the evaluation commands print them."""

from __future__ import annotations


def number(value: float | None) -> str:
    """A figure to three decimals; None (not defined: nothing on a side) as "-"."""
    return "-" if value is None else f"{value:.3f}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers (all cells are ASCII)."""
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(w) for cell, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
