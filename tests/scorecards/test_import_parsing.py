"""Reading files and values as real exports write them: encodings, delimiters, XLSX cells, dates, numbers."""

from __future__ import annotations

import codecs
import io
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from scorecards.domain.import_parsing import FileProblem, parse_table, read_headers
from scorecards.domain.import_values import (
    DateOrder,
    detect_date_order,
    parse_boolean,
    parse_choice,
    parse_currency,
    parse_dates,
    parse_number,
)
from tests.scorecards.factories import csv_bytes, xlsx_bytes

TODAY = date(2025, 6, 1)


def column(*values):
    return pd.Series(list(values), dtype=object)


DAY_FIRST = DateOrder()


def one_date(text, order=DAY_FIRST):
    return parse_dates(column(text), order=order, today=TODAY).values[0]


# --- files ---


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_a_csv_is_read_in_the_encodings_spreadsheets_save(encoding):
    content = "Partner;Amount\nMüller Großhandel;1.234,50\n".encode(encoding)

    table = parse_table(content, "deals.csv")

    assert table.headers == ["Partner", "Amount"]
    assert table.frame.iloc[0].tolist() == ["Müller Großhandel", "1.234,50"]


def test_a_windows_1252_euro_sign_is_read_as_a_euro_sign():
    table = parse_table("amount\n€ 12\n".encode("cp1252"), "a.csv")

    assert table.frame["amount"].tolist() == ["€ 12"]


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_the_delimiter_is_sniffed(delimiter, name):
    content = csv_bytes(["a", "b", "c"], [["1", "2, or 3", "x"], ["4", "5", "y"]], delimiter=delimiter)

    table = parse_table(content, "f.csv")

    assert table.headers == ["a", "b", "c"]
    assert table.frame["c"].tolist() == ["x", "y"]


def test_excels_sep_line_names_the_delimiter_and_is_not_a_row():
    table = parse_table(b"sep=;\r\na;b\r\n1,5;2\r\n", "f.csv")

    assert table.headers == ["a", "b"]
    assert table.row_numbers == [2]


def test_row_numbers_count_blank_lines_like_a_spreadsheet():
    table = parse_table(b"a,b\n1,2\n\n,\n3,4\n", "f.csv")

    assert table.row_numbers == [2, 5]


def test_duplicate_and_empty_headers_get_names_and_empty_padding_columns_go():
    table = parse_table(b"Amount,Amount,,\n1,2,3,\n", "f.csv")

    assert table.headers == ["Amount", "Amount (2)", "Column 3"]


def test_an_xlsx_keeps_dates_and_numbers_as_text_the_normaliser_reads():
    content = xlsx_bytes(
        ["Partner", "Created", "Amount", "Renewal", "Stamp"],
        [
            ["Acme", date(2025, 3, 31), 1234.5, True, datetime(2025, 3, 31, 14, 30)],  # noqa: DTZ001 - cells are naive
            [None, None, None, None, None],
            ["Globex", 45382, 7, False, None],
        ],
    )

    table = parse_table(content, "deals.xlsx")

    assert table.frame.to_dict("records") == [
        {
            "Partner": "Acme",
            "Created": "2025-03-31",
            "Amount": "1234.5",
            "Renewal": "true",
            "Stamp": "2025-03-31T14:30:00",
        },
        {"Partner": "Globex", "Created": "45382", "Amount": "7", "Renewal": "false", "Stamp": ""},
    ]
    assert table.row_numbers == [2, 4]


def test_the_headers_of_a_file_can_be_read_alone():
    assert read_headers(b"\xef\xbb\xbfOpportunity ID,Amount\n1,2\n", "f.csv") == ["Opportunity ID", "Amount"]
    assert read_headers(b"%PDF", "f.pdf") == []


def test_a_file_with_binary_noise_is_not_text():
    with pytest.raises(FileProblem, match="could not be read as text"):
        parse_table(b"a,b\n\x01\x02\x03,4\n", "f.csv")


def test_a_utf16_file_with_its_bom_is_read():
    content = codecs.BOM_UTF16_LE + "a\tb\n1\t2\n".encode("utf-16-le")

    assert parse_table(content, "export.txt").frame.to_dict("records") == [{"a": "1", "b": "2"}]


# --- dates ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-31", date(2024, 3, 31)),
        ("2024-03-31T00:00:00", date(2024, 3, 31)),
        ("2024-03-31 17:45:00+02:00", date(2024, 3, 31)),
        ("2024/3/31", date(2024, 3, 31)),
        ("31/03/2024", date(2024, 3, 31)),
        ("31.03.2024", date(2024, 3, 31)),
        ("31-03-2024", date(2024, 3, 31)),
        ("31/03/24", date(2024, 3, 31)),
        ("Mar 31, 2024", date(2024, 3, 31)),
        ("March 31, 2024", date(2024, 3, 31)),
        ("31 Mar 2024", date(2024, 3, 31)),
        ("31-Mar-24", date(2024, 3, 31)),
        ("20240331", date(2024, 3, 31)),
        ("45382", date(2024, 3, 31)),
        ("45382.75", date(2024, 3, 31)),
        ("3/31/2024 10:15 AM", date(2024, 3, 31)),
    ],
)
def test_dates_are_read_in_the_formats_real_exports_use(text, expected):
    assert one_date(text) == expected


def test_an_ambiguous_numeric_date_is_read_day_first_by_default():
    assert one_date("03/04/2024") == date(2024, 4, 3)


def test_an_ambiguous_date_follows_the_files_month_first_dates():
    dates = column("03/04/2024", "12/31/2024")
    order = detect_date_order([dates])

    assert order == DateOrder(day_first=False, mixed=False)
    assert parse_dates(dates, order=order, today=TODAY).values == [date(2024, 3, 4), date(2024, 12, 31)]


def test_a_file_mixing_day_first_and_month_first_dates_refuses_the_minority():
    dates = column("31/01/2024", "28/02/2024", "02/29/2024")
    order = detect_date_order([dates])

    parsed = parse_dates(dates, order=order, today=TODAY)

    assert parsed.values[:2] == [date(2024, 1, 31), date(2024, 2, 28)]
    assert parsed.errors == {2: "Date order differs from the rest of the file (day first (31/03/2024))."}


@pytest.mark.parametrize("text", ["2024-03", "2024/3", "03/2024", "Mar 2024", "March 2024", "Mar-24", "2024-03-17"])
def test_a_month_is_any_date_in_it_or_a_year_and_month(text):
    assert parse_dates(column(text), order=DateOrder(), today=TODAY, month=True).values == [date(2024, 3, 1)]


def test_dates_past_next_year_and_before_1900_are_refused():
    parsed = parse_dates(column("2026-06-02", "2026-06-01", "1899-12-31"), order=DateOrder(), today=TODAY)

    assert parsed.values == [None, date(2026, 6, 1), None]
    assert parsed.errors == {
        0: "In the future beyond reason (more than a year ahead).",
        2: "Before 1900: not a plausible date.",
    }


# --- numbers ---


@pytest.mark.parametrize(
    ("text", "expected", "currency"),
    [
        ("1234.5", Decimal("1234.50"), None),
        ("1,234.50", Decimal("1234.50"), None),
        ("$1,234.50", Decimal("1234.50"), "USD"),
        ("€ 1.234,50", Decimal("1234.50"), "EUR"),
        ("1 234,50 EUR", Decimal("1234.50"), "EUR"),
        ("1\u00a0234,50\u00a0€", Decimal("1234.50"), "EUR"),
        ("CHF 1'234.50", Decimal("1234.50"), "CHF"),
        ("-1,234.50", Decimal("-1234.50"), None),
        ("(1,234.50)", Decimal("-1234.50"), None),
        ("£12", Decimal("12.00"), "GBP"),
        ("1.234.567", Decimal("1234567.00"), None),
        ("0,5", Decimal("0.50"), None),
        (".5", Decimal("0.50"), None),
        ("12.345", Decimal("12.35"), None),
    ],
)
def test_numbers_are_read_with_either_decimal_mark_thousands_separators_and_currencies(text, expected, currency):
    parsed = parse_number(column(text), decimal_places=2, max_digits=16)

    assert (parsed.values, parsed.currencies, parsed.errors) == ([expected], [currency], {})


def test_a_lone_thousands_looking_separator_follows_the_rest_of_the_column():
    assert parse_number(column("1,234", "2.5"), decimal_places=3).values == [Decimal("1234.000"), Decimal("2.500")]
    assert parse_number(column("1.234", "2,5"), decimal_places=3).values == [Decimal("1234.000"), Decimal("2.500")]


@pytest.mark.parametrize("text", ["abc", "1.2.3,4,5", "1,2,3", "12 pcs", "$12 EUR", "1e5", "(12", "--"])
def test_a_value_that_is_no_number_is_refused(text):
    parsed = parse_number(column(text))

    assert parsed.values == [None]
    assert parsed.errors == ({} if text == "--" else {0: "Not a number."})


def test_a_percentage_is_its_number_and_may_be_refused():
    assert parse_number(column("12%", "12.5 %"), decimal_places=2).values == [Decimal("12.00"), Decimal("12.50")]
    assert parse_number(column("12%"), allow_percent=False).errors == {0: "A percentage is not allowed here."}


def test_whole_numbers_range_and_size_are_checked():
    parsed = parse_number(
        column("3", "3.0", "3.5", "-1", "101", "1" * 20),
        decimal_places=0,
        max_digits=12,
        min_value=Decimal(0),
        max_value=Decimal(100),
        whole=True,
    )

    assert parsed.values == [3, 3, None, None, None, None]
    assert parsed.errors == {
        2: "Not a whole number.",
        3: "Must be at least 0.",
        4: "Must be at most 100.",
        5: "Too large (at most 12 digits before the decimal point).",
    }


@pytest.mark.parametrize("text", ["", "  ", "n/a", "N/A", "#N/A", "null", "-"])
def test_empty_looking_cells_are_empty(text):
    assert parse_number(column(text)).values == [None]
    assert parse_dates(column(text), order=DateOrder(), today=TODAY).values == [None]


# --- booleans, choices, currencies ---


def test_booleans_take_yes_no_true_false_one_zero_and_x():
    parsed = parse_boolean(column("yes", "No", "TRUE", "false", "1", "0", "x", "", "maybe"))

    assert parsed.values == [True, False, True, False, True, False, True, None, None]
    assert list(parsed.errors) == [8]


def test_choices_match_words_whatever_their_case_spacing_and_punctuation():
    words = {"won": "won", "closed won": "won", "lost": "lost"}

    parsed = parse_choice(
        column("Closed-Won", "closed_won", " WON ", "Closed/Lost", ""), words=words, allowed="won, lost"
    )

    assert parsed.values == ["won", "won", "won", None, None]
    assert parsed.errors == {3: "Not one of: won, lost (or map the value on the import page)."}


def test_currencies_take_codes_and_symbols():
    parsed = parse_currency(column("usd", "€", "Euro", "US$", "dollars!"))

    assert parsed.values == ["USD", "EUR", "EUR", "USD", None]
    assert list(parsed.errors) == [4]


# --- title blocks, footers and total rows ---

REPORT_CSV = (
    '"Opportunities by Partner"\r\n'
    '"Filtered By:"\r\n'
    '"  Close Date equals THIS FISCAL YEAR"\r\n'
    '""\r\n'
    '"Opportunity ID","Partner Account","Created By","Amount","Close Date","Stage"\r\n'
    '"006A","Acme","Jane Doe","$1,000.00","10/12/2026","Closed Won"\r\n'
    '"006B","Globex","Jane Doe","$2,000.00","10/13/2026","Prospecting"\r\n'
    '"Total","","","$3,000.00","",""\r\n'
    '""\r\n'
    '""\r\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
    '"Confidential Information - Do Not Distribute"\r\n'
    '"Generated By:  Jane Doe  10/12/2026 09:14"\r\n'
    '"Northwind Cloud"\r\n'
)


def test_a_reports_title_block_and_footer_are_left_out_and_rows_keep_their_spreadsheet_numbers():
    table = parse_table(REPORT_CSV.encode(), "report.csv")

    assert table.headers == ["Opportunity ID", "Partner Account", "Created By", "Amount", "Close Date", "Stage"]
    assert table.header_row == 5
    assert table.frame["Opportunity ID"].tolist() == ["006A", "006B"]
    assert table.row_numbers == [6, 7]
    assert [line.row for line in table.skipped_in("above")] == [1, 2, 3]
    footer = table.skipped_in("footer")
    assert [line.row for line in footer] == [8, 9, 10, 11, 12, 13, 14]
    assert footer[0].text == "Total · $3,000.00"
    assert footer[-1].text == "Northwind Cloud"


def test_a_semicolon_file_with_a_title_block_is_still_read_as_semicolons():
    content = "Deals export\nStand: 12.10.2026\n\nPartner;Betrag;Datum\nMüller;1.234,50;01.10.2026\n".encode("cp1252")

    table = parse_table(content, "export.csv")

    assert table.headers == ["Partner", "Betrag", "Datum"]
    assert table.frame.to_dict("records") == [{"Partner": "Müller", "Betrag": "1.234,50", "Datum": "01.10.2026"}]
    assert [line.text for line in table.skipped_in("above")] == ["Deals export", "Stand: 12.10.2026"]


def test_a_report_label_line_with_a_date_is_not_taken_for_the_header():
    content = b"Run Date:,2026-10-12\nReport:,Pipeline\nPartner,Metric,Month\nAcme,revenue,2026-09\n"

    table = parse_table(content, "f.csv")

    assert table.headers == ["Partner", "Metric", "Month"]
    assert table.row_numbers == [4]


def test_an_xlsx_title_block_above_the_header_is_left_out():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Pipeline by partner, Q3 2026"])
    sheet.append(["Exported 2026-10-01 by Jane Doe"])
    sheet.append([])
    sheet.append(["Deal ID", "Partner", "Amount", "Created"])
    sheet.append(["D-1", "Acme", 1200.5, datetime(2026, 9, 1)])  # noqa: DTZ001 - cells are naive
    sheet.append(["Grand Total", None, 1200.5, None])
    buffer = io.BytesIO()
    book.save(buffer)

    table = parse_table(buffer.getvalue(), "pipeline.xlsx")

    assert table.headers == ["Deal ID", "Partner", "Amount", "Created"]
    assert table.frame.to_dict("records") == [
        {"Deal ID": "D-1", "Partner": "Acme", "Amount": "1200.5", "Created": "2026-09-01"}
    ]
    assert table.row_numbers == [5]
    assert [line.text for line in table.skipped_in("footer")] == ["Grand Total · 1200.5"]


@pytest.mark.parametrize("label", ["Total", "Subtotal", "Grand Totals (40 records)", "Summe", "Total:", "Totale"])
def test_total_rows_inside_the_data_are_left_out(label):
    content = csv_bytes(
        ["Partner", "Amount", "Stage"], [["Acme", "10", "Won"], [label, "10", ""], ["Globex", "5", "Won"]]
    )

    table = parse_table(content, "f.csv")

    assert table.frame["Partner"].tolist() == ["Acme", "Globex"]
    assert [(line.row, line.place) for line in table.skipped] == [(3, "total")]


def test_a_name_that_starts_like_a_total_is_data():
    content = csv_bytes(["Partner", "Amount", "Stage"], [["Total Gym Ltd", "10", "Won"], ["Summit Co", "5", "Won"]])

    assert parse_table(content, "f.csv").frame["Partner"].tolist() == ["Total Gym Ltd", "Summit Co"]


def test_a_full_last_row_is_data_even_when_a_cell_says_confidential():
    content = csv_bytes(["Partner", "Account", "Amount"], [["Acme", "Bank", "1"], ["Acme", "Confidential Corp", "2"]])

    table = parse_table(content, "f.csv")

    assert table.frame["Account"].tolist() == ["Bank", "Confidential Corp"]
    assert table.skipped == []


def test_sparse_lines_at_the_end_are_a_footer_but_sparse_lines_inside_the_data_are_rows():
    header = ["Deal", "Partner", "Amount", "Created", "Stage"]
    rows = [
        ["D-1", "Acme", "1", "2026-01-01", "Won"],
        ["D-2", "", "", "", ""],
        ["D-3", "Acme", "2", "2026-01-02", "Won"],
    ]
    content = csv_bytes(header, [*rows, ["Northwind Cloud"], ["12/10/2026"]])

    table = parse_table(content, "f.csv")

    assert table.frame["Deal"].tolist() == ["D-1", "D-2", "D-3"]
    assert [line.text for line in table.skipped_in("footer")] == ["Northwind Cloud", "12/10/2026"]
