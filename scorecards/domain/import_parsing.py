"""Bytes to a table of strings: CSV (encoding and delimiter detected) or XLSX (first sheet with data).

Every cell comes out as a string ("" when empty); typing happens column-wise in ``normalize``. Row numbers are those a
spreadsheet shows: the header is row 1 and the first data row is row 2 (blank lines count, as in Excel).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import pandas as pd

from partnerhub.core.domain.text import NUL_MESSAGE, nul_position

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ""}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
# C0 control characters other than tab, line feed, vertical tab, form feed and carriage return: never in a text file.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f]")
SEP_HINT = re.compile(r"^\"?sep=(.)\"?\s*$")
csv.field_size_limit(10 * 1024 * 1024)


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Table:
    """The file's header and its non-blank data rows, every cell a string."""

    headers: list[str]
    frame: pd.DataFrame  # one column per header, object dtype, "" for an empty cell
    row_numbers: list[int]
    # Rows whose shape is wrong (more cells than the header has columns): (row number, reason, value).
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.row_numbers)


def parse_table(content: bytes, file_name: str, *, max_rows: int | None = None) -> Table:
    """Read ``content`` as a CSV or XLSX file; raise FileProblem when it is not one, or is empty."""
    if not content or not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileProblem("The file is empty.")
    suffix = PurePath(file_name or "").suffix.lower()
    if content.startswith(b"PK\x03\x04"):
        records = _xlsx_records(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("This is an Excel 97-2003 (.xls) file: save it as .xlsx or CSV and upload that.")
    elif content.startswith(b"%PDF"):
        raise FileProblem("This is a PDF, not a spreadsheet: upload a CSV or XLSX file.")
    elif suffix in XLSX_SUFFIXES:
        raise FileProblem(f"The file is named {suffix} but is not an Excel workbook: upload a CSV or XLSX file.")
    elif suffix not in TEXT_SUFFIXES:
        raise FileProblem(f"{suffix} files cannot be imported: upload a CSV or XLSX file.")
    else:
        records = _csv_records(decode_text(content))
    return _table(records, max_rows=max_rows)


def decode_text(content: bytes) -> str:
    """Decode a text file: UTF-16 with a BOM, else UTF-8 (with or without BOM), Windows-1252, Latin-1."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileProblem(_ENCODING_HELP) from exc
    if b"\x00" in content[:65536]:
        raise FileProblem(_ENCODING_HELP)
    text = ""
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if CONTROL_CHARS.search(text[:65536]):
        raise FileProblem(_ENCODING_HELP)
    position = nul_position(text)  # past the sniffed start: a cell PostgreSQL could not store
    if position is not None:
        raise FileProblem(f"Line {text.count(chr(10), 0, position) + 1}: {NUL_MESSAGE}")
    return text


_ENCODING_HELP = (
    "The file could not be read as text (UTF-8, UTF-16, Windows-1252 or Latin-1): it is in another encoding or "
    'is not a CSV file. In Excel choose "Save as: CSV UTF-8".'
)


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of cells most often; "," otherwise."""
    best, best_score = ",", (0, 0)
    sample = [line for line in lines if line.strip()][:30]
    if not sample:
        return best
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        header = counts[0]
        if header < 2:
            continue
        consistent = sum(1 for n in counts if n == header)
        score = (consistent, header)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    lines = text.splitlines()
    delimiter = None
    if lines and (hint := SEP_HINT.match(lines[0])):
        # Excel's "sep=;" first line names the delimiter; Excel hides it, so the header is still row 1.
        delimiter = hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    if delimiter is None:
        delimiter = sniff_delimiter(lines[:60])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise FileProblem(f"The CSV file is malformed near row {reader.line_num}: {exc}.") from exc


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileProblem("The file is not a valid Excel workbook (.xlsx): upload a CSV or XLSX file.") from exc
    except Exception as exc:  # openpyxl raises its own InvalidFileException and others on odd archives
        raise FileProblem("The file is not a valid Excel workbook (.xlsx): upload a CSV or XLSX file.") from exc
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            produced = False
            for number, values in enumerate(rows, start=1):
                record = [_cell_text(v) for v in values]
                if any(nul_position(cell) is not None for cell in record):
                    raise FileProblem(f"Row {number}: {NUL_MESSAGE}")
                if any(record):
                    produced = True
                yield number, record
            if produced:
                return
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value)


def _table(records: Iterable[tuple[int, list[str]]], *, max_rows: int | None) -> Table:
    header: list[str] | None = None
    header_row = 0
    body: list[list[str]] = []
    numbers: list[int] = []
    problems: list[tuple[int, str, str]] = []
    width = 0
    for number, record in records:
        if header is None:
            if any(cell.strip() for cell in record):
                header, header_row, width = [cell.strip() for cell in record], number, len(record)
            continue
        if len(record) == width and "".join(record).strip():  # the usual row: nothing to fix
            if max_rows is not None and len(body) >= max_rows:
                break
            body.append(record)
            numbers.append(number - header_row + 1)
            continue
        if not "".join(record).strip():
            continue
        if max_rows is not None and len(body) >= max_rows:
            break
        if len(record) > width:
            extra = [cell for cell in record[width:] if cell.strip()]
            if extra:
                problems.append(
                    (number, f"The row has {len(record)} cells but the header has {width} columns.", extra[0])
                )
            record = record[:width]
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        body.append(record)
        numbers.append(number - header_row + 1)
    if header is None:
        raise FileProblem("The file is empty.")
    headers = _unique_headers(header)
    columns = list(zip(*body, strict=True)) if body else [() for _ in headers]
    frame = pd.DataFrame({i: pd.Series(col, dtype=object) for i, col in enumerate(columns)})
    frame.columns = pd.Index(headers, dtype=object)
    # A column with neither a header nor any value is padding (trailing separators, formatted empty cells).
    keep = [h for h, raw in zip(headers, header, strict=True) if raw or bool((frame[h].str.strip() != "").any())]
    frame = frame[keep] if len(keep) != len(headers) else frame
    return Table(headers=keep, frame=frame, row_numbers=numbers, problems=problems)


def _unique_headers(raw: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    headers = []
    for position, name in enumerate(raw, start=1):
        label = name or f"Column {position}"
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        headers.append(label)
    return headers


def read_headers(content: bytes, file_name: str) -> list[str]:
    """The file's headers (after de-duplication), or [] when the file cannot be read."""
    try:
        return parse_table(content, file_name, max_rows=0).headers
    except FileProblem:
        return []


def render_csv(headers: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """Write rows as UTF-8 CSV (how API rows are kept as a batch's content)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode()
