"""Bytes to a table of strings: CSV (encoding and delimiter detected) or XLSX (first sheet with data).

Every cell comes out as a string ("" when empty); typing happens column-wise in ``normalize``. Row numbers are those a
spreadsheet shows: the header is row 1 and the first data row is row 2 (blank lines count, as in Excel).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections import Counter
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


@dataclass(frozen=True)
class SkippedLine:
    """A line of the file that is not data: above the header (title, filters), a footer, or a total row."""

    row: int  # as a spreadsheet numbers it
    place: str  # ABOVE, FOOTER or TOTAL
    text: str  # its non-empty cells joined ("" for a blank line inside a footer)


ABOVE, FOOTER, TOTAL = "above", "footer", "total"


@dataclass
class Table:
    """The file's header and its non-blank data rows, every cell a string."""

    headers: list[str]
    frame: pd.DataFrame  # one column per header, object dtype, "" for an empty cell
    row_numbers: list[int]
    # Rows whose shape is wrong (more cells than the header has columns): (row number, reason, value).
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    # Lines that are not data and were left out: a title block above the header, a footer, total rows.
    skipped: list[SkippedLine] = field(default_factory=list)
    header_row: int = 1

    def __len__(self) -> int:
        return len(self.row_numbers)

    def skipped_in(self, place: str) -> list[SkippedLine]:
        return [line for line in self.skipped if line.place == place]


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
    """The delimiter that splits the most of the first lines into the same number (> 1) of cells; "," otherwise.

    Counted over every line rather than from the first one, so that a report's title block (one cell per line)
    above the header does not hide a ";" file.
    """
    best, best_score = ",", (0, 0)
    sample = [line for line in lines if line.strip()][:60]
    if not sample:
        return best
    for delimiter in DELIMITERS:
        counts = Counter(len(row) for row in csv.reader(sample, delimiter=delimiter))
        widths = [(lines_with, width) for width, lines_with in counts.items() if width > 1]
        if not widths:
            continue
        score = max(widths)
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


# How far down a header row is looked for, past a report's title and filter block.
HEADER_SEARCH_ROWS = 50
# Lines a report writes below (or above) its data: copyright, confidentiality, who ran it and when, paging.
FOOTER_PATTERN = re.compile(
    r"(copyright|\(c\)\s*\d{4}|©|all rights reserved|confidential|do not distribute|internal use only"
    r"|generated (by|on|at)|run (by|on|at)|printed (by|on|at)|exported (by|on|at)|report generated"
    r"|^page \d+( of \d+)?$|^\d+ (records?|rows?)$|\(\d+ (records?|rows?)\)"
    r"|erstellt (von|am)|vertraulich|généré (par|le)|confidentiel|generado (por|el)|confidencial|generato da"
    r"|riservato|gegenereerd (door|op)|vertrouwelijk|gerado (por|em))",
    re.IGNORECASE,
)
# A cell that says its row is a sum of the rows above: "Total", "Grand Totals (40 records)", "Subtotal:", "Summe".
TOTAL_PATTERN = re.compile(
    r"(?:(?:grand\s+)?(?:sub\s*-?\s*)?totals?|sum|summe|gesamt(?:summe)?|zwischensumme|total g[ée]n[ée]ral"
    r"|sous-total|totale(?: generale)?|subtotale|totaal|subtotaal|suma(?: total)?|total geral)"
    r"(?:\s*\(\s*\d+\s+\w+\s*\))?\s*:?",
    re.IGNORECASE,
)
TOTAL_INITIALS = frozenset("tgszs")
# A metadata cell above a header: "Run Date:", "Filtered By:", "Report:".
LABEL_CELL = re.compile(r".+:\s*$")
NUMBERISH = re.compile(r"^[\s$€£¥(+\-\u2212]*\d[\d\s.,:/\-'%)TZ]*[A-Za-z]{0,3}\.?$")


def _filled(record: list[str]) -> list[str]:
    return [cell.strip() for cell in record if cell.strip()]


def _is_total_row(record: list[str]) -> bool:
    """Whether the row's first non-empty cell says the row is a total (a cell of its own, never "Total Gym Ltd")."""
    for cell in record:
        if cell:
            text = cell.strip()
            return bool(text) and text[0].lower() in TOTAL_INITIALS and TOTAL_PATTERN.fullmatch(text) is not None
    return False


def _header_index(head: list[tuple[int, list[str]]]) -> int | None:
    """Which of the first lines is the header: the first that names at least half as many columns as the widest
    line near the top, in words rather than numbers or dates, and is not a "Label:" line of a report's title block.
    None when no line qualifies (a one-column file): the first non-blank line is then the header."""
    filled = [_filled(record) for _, record in head]
    widest = max((len(cells) for cells in filled), default=0)
    needed = max(2, -(-widest // 2))
    for index, cells in enumerate(filled):
        if len(cells) < needed or (len(cells) <= 2 and FOOTER_PATTERN.search(" ".join(cells))):
            continue
        numeric = sum(1 for cell in cells if NUMBERISH.match(cell))
        if numeric * 2 >= len(cells):
            continue
        if len(cells) <= 2 and any(LABEL_CELL.match(cell) for cell in cells):
            continue
        return index
    return None


def _footer_start(body: list[list[str]], width: int) -> int:
    """Where the trailing block of non-data lines starts in ``body`` (``len(body)`` when there is none).

    From the end, a line belongs to the footer when it is blank, is a total row, is sparse (it fills at most two
    cells and fewer than half of the header's columns: a company name, a report name, a date), or fills at most
    two cells that match a known footer pattern (copyright, "Confidential", "Generated by"). A line that fills
    more cells is data even when a cell says "Confidential".
    """
    sparse_limit = min(2, (width - 1) // 2)
    start = len(body)
    while start > 0:
        record = body[start - 1]
        cells = _filled(record)
        footer_like = len(cells) <= sparse_limit or (len(cells) <= 2 and FOOTER_PATTERN.search(" ".join(cells)))
        if cells and not (footer_like or _is_total_row(record)):
            break
        start -= 1
    return start


def _table(records: Iterable[tuple[int, list[str]]], *, max_rows: int | None) -> Table:
    stream = iter(records)
    head = list(itertools.islice(stream, HEADER_SEARCH_ROWS))
    non_blank = [(number, record) for number, record in head if any(cell.strip() for cell in record)]
    if not non_blank:
        raise FileProblem("The file is empty.")
    found = _header_index(non_blank)
    header_row, header = non_blank[found or 0]
    skipped = [
        SkippedLine(number, ABOVE, " · ".join(_filled(record))) for number, record in non_blank if number < header_row
    ]
    header = [cell.strip() for cell in header]
    width = len(header)
    rest = itertools.chain((item for item in head if item[0] > header_row), stream)
    # Every record after the header, blank ones included (a footer's blank lines are counted as footer lines).
    body: list[list[str]] = []
    numbers: list[int] = []
    problems: list[tuple[int, str, str]] = []
    limit = None if max_rows is None else max_rows + HEADER_SEARCH_ROWS  # room for a footer to be recognised
    for number, record in rest:
        if limit is not None and len(body) >= limit:
            break
        if len(record) != width:
            if len(record) > width:
                extra = [cell for cell in record[width:] if cell.strip()]
                if extra:
                    problems.append(
                        (number, f"The row has {len(record)} cells but the header has {width} columns.", extra[0])
                    )
                record = record[:width]
            else:
                record = record + [""] * (width - len(record))
        body.append(record)
        numbers.append(number)
    footer_from = _footer_start(body, width)
    if footer_from < len(body) and any(_filled(record) for record in body[footer_from:]):
        # Leading blank lines of the block are the gap before the footer: not counted as footer lines.
        while not _filled(body[footer_from]):
            footer_from += 1
        skipped += [
            SkippedLine(number, FOOTER, " · ".join(_filled(record)))
            for number, record in zip(numbers[footer_from:], body[footer_from:], strict=True)
        ]
        del body[footer_from:], numbers[footer_from:]
    kept_rows: list[list[str]] = []
    kept_numbers: list[int] = []
    for number, record in zip(numbers, body, strict=True):
        if not "".join(record).strip():
            continue
        if _is_total_row(record):
            skipped.append(SkippedLine(number, TOTAL, " · ".join(_filled(record))))
            continue
        kept_rows.append(record)
        kept_numbers.append(number)
    if max_rows is not None:
        del kept_rows[max_rows:], kept_numbers[max_rows:]
    skipped_rows = {line.row for line in skipped}
    problems = [problem for problem in problems if problem[0] not in skipped_rows]
    headers = _unique_headers(header)
    columns = list(zip(*kept_rows, strict=True)) if kept_rows else [() for _ in headers]
    frame = pd.DataFrame({i: pd.Series(col, dtype=object) for i, col in enumerate(columns)})
    frame.columns = pd.Index(headers, dtype=object)
    # A column with neither a header nor any value is padding (trailing separators, formatted empty cells).
    keep = [h for h, raw in zip(headers, header, strict=True) if raw or bool((frame[h].str.strip() != "").any())]
    frame = frame[keep] if len(keep) != len(headers) else frame
    return Table(
        headers=keep,
        frame=frame,
        row_numbers=kept_numbers,
        problems=problems,
        skipped=skipped,
        header_row=header_row,
    )


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
