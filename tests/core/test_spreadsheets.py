"""Every downloaded CSV and XLSX goes through one writer that a spreadsheet cannot be made to run."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from partnerhub.core.domain.spreadsheets import safe_cell, table_file

HOSTILE = ["=1+2", "+SUM(A1)", "-2+3", "@SUM(1)", "\tcmd", "\r=x", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_like_a_formula_is_written_as_text(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-2, -2.5, Decimal("-3.10"), 0, None, True, datetime.date(2026, 11, 30)])
def test_numbers_dates_and_blanks_stay_what_they_are(value: object) -> None:
    assert safe_cell(value) == value


def test_plain_text_is_untouched() -> None:
    assert safe_cell("Contoso Ltd") == "Contoso Ltd"
    assert safe_cell("a=b") == "a=b"


def test_csv_neutralises_every_hostile_cell_and_header() -> None:
    content, content_type = table_file(["=name", "value"], [[t, -1] for t in HOSTILE], "csv")
    assert content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[0] == ["'=name", "value"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE]
    assert {r[1] for r in rows[1:]} == {"-1"}


def test_xlsx_holds_no_formula_and_keeps_numbers() -> None:
    content, _ = table_file(["name", "value"], [[t, Decimal("-1.5")] for t in HOSTILE], "xlsx", sheet="Hostile")
    sheet = load_workbook(io.BytesIO(content))["Hostile"]
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    # XLSX stores a carriage return as a line feed; what matters is the leading apostrophe on every cell
    assert [c[0] for c in cells] == ["'" + t.replace("\r", "\n") for t in HOSTILE]
    assert all(c[1] == -1.5 for c in cells)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
