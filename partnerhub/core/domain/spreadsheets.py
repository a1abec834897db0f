"""The one writer for every CSV and XLSX file the product hands out.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(CSV injection). Every text cell that starts so is written with a leading apostrophe, which the spreadsheet shows
as plain text; numbers, dates and empty cells are written as they are. Nothing else in the project writes a CSV or
XLSX file a user downloads: it calls ``table_file`` (or ``table_download`` in a view).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Literal

Cell = str | int | float | Decimal | datetime.date | datetime.datetime | bool | None
Format = Literal["csv", "xlsx"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: object) -> Cell:
    """``value`` as a cell a spreadsheet shows and never evaluates (text starting like a formula gets a ``'``)."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date | datetime.datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # XLSX has no time zones; the value stays in the time it was given
    if isinstance(value, Decimal):
        return float(value)
    return value


def table_file(
    columns: Sequence[str], rows: Iterable[Sequence[object]], fmt: Format, *, sheet: str = "Sheet1"
) -> tuple[bytes, str]:
    """A header row then ``rows``, every cell passed through ``safe_cell``: the file's bytes and content type."""
    safe_rows = ([safe_cell(v) for v in row] for row in rows)
    header = [safe_cell(c) for c in columns]
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet[:31] or "Sheet1")  # Excel's limit on a sheet name
        ws.append(header)
        for row in safe_rows:
            ws.append([_xlsx_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), XLSX_CONTENT_TYPE
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(safe_rows)
    return text.getvalue().encode(), CSV_CONTENT_TYPE
