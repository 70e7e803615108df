"""report.html's themes × municipalities counts as an HTML table shaded by value.

The heatmap picture shrinks to the page width, and with thirty municipalities its numbers
become too small to read. A table keeps its text size at any width (it scrolls instead,
with the municipality column and the header kept in view), can be sorted by any column,
and its cells can be copied. The picture stays in figures/ and in a fold for export.
"""

from __future__ import annotations

from html import escape

import pandas as pd

TOTAL = "計"
# The shade of the largest count; smaller counts get a proportionally lighter one.
_SHADE_RGB = (215, 48, 31)


def shade(value: int, top: int) -> str:
    """Inline style for a cell: transparent at 0, full shade at the batch's largest count,
    white text where the shade is dark enough to need it."""
    if value <= 0 or top <= 0:
        return ""
    alpha = 0.12 + 0.78 * value / top
    red, green, blue = _SHADE_RGB
    style = f"background:rgba({red},{green},{blue},{alpha:.2f})"
    return style + (";color:#fff" if alpha > 0.6 else "")


def heat_table_html(counts: pd.DataFrame, labels: dict[str, str], block: str) -> str:
    """`counts`: themes (rows) × municipalities (columns), as figures.heatmap_counts gives.

    Drawn transposed, one municipality a row, so that sorting by a theme's column ranks the
    municipalities, which is the question an analyst asks of it."""
    if counts.empty:
        return f'<p class="where">{escape(block)}の項目がありません。</p>'
    by_municipality = counts.T
    themes = list(by_municipality.columns)
    top = int(by_municipality.to_numpy().max())
    head = ['<th scope="col" data-kind="text"><button type="button">市町村</button></th>']
    for theme in themes:
        label = labels.get(theme, theme)
        head.append(
            f'<th scope="col" data-theme="{escape(theme)}" title="{escape(theme)}">'
            f'<button type="button">{escape(label)}</button></th>'
        )
    head.append(f'<th scope="col"><button type="button">{TOTAL}</button></th>')
    rows = []
    for municipality, row in by_municipality.iterrows():
        cells = [f'<th scope="row">{escape(str(municipality))}</th>']
        for theme in themes:
            value = int(row[theme])
            style = shade(value, top)
            attr = f' style="{style}"' if style else ""
            cells.append(f'<td data-value="{value}"{attr}>{value}</td>')
        total = int(row.sum())
        cells.append(f'<td class="total" data-value="{total}">{total}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<div class="scroll heat-scroll"><table id="heat-table" class="heat">'
        f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="where">列の見出しを押すと、その列で並べ替えます（もう一度押すと逆順）。'
        "色の濃さは項目数（最も多いセルが最も濃い）。</p>"
    )
