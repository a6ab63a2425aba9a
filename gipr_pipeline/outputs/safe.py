"""Text that came from the reports (agency names, file names, cell text) written safely into
what people open. One place, called by the writers:

- **Spreadsheets.** A text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
  return) is a formula to Excel and LibreOffice when it arrives through CSV ("CSV injection"):
  ``csv_safe`` writes such a cell with a leading ``'`` (OWASP's advice; spreadsheet programs
  show the text, the ``'`` marks it as text). Number columns are left as they are (``-3`` is a
  number, not text). In xlsx files a text cell is never a formula when xlsxwriter is told not to
  convert strings (``XLSX_OPTIONS``), so the text is kept unchanged there.
- **HTML** (annual report, Data Docs, index): every value goes through ``html.escape`` at the
  point it is placed (``outputs/report.py`` ``_e``, ``outputs/quality/docs.py``); Plotly writes
  chart data as JSON with ``<``/``>`` escaped.
- **SQL**: values are always bound parameters (``?``), never formatted into a statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# xlsxwriter Workbook options: strings stay strings (no formula, no URL conversion).
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def neutralize(value: str | None) -> str | None:
    """``'`` + value when a spreadsheet would read the text as a formula; else the value."""
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``df`` with ``neutralize`` applied (numbers untouched)."""
    import polars as pl

    starts = "^[" + "".join("\\" + c if c in "-^\\]" else c for c in FORMULA_START) + "]"
    return df.with_columns(
        pl.when(pl.col(c).str.contains(starts))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, t in df.schema.items()
        if t == pl.String
    )
