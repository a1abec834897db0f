"""Every bad input of the issue gets a clear message on the batch, never an exception, and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from partnerhub.core.tenancy.context import tenant_context
from scorecards.errors import ImportInvalidError, ImportKindUnknownError
from scorecards.models import Deal, ImportBatch, ImportChange
from scorecards.services.imports import import_commit, import_preview, import_remap
from tests.factories import PartnerFactory
from tests.scorecards.factories import DEAL_HEADER, csv_bytes, deal_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(tenant):
    return PartnerFactory(tenant=tenant, name="Acme Cloud", external_id="P-ACME")


def preview(tenant, actor, content, file_name="deals.csv", kind="deals", **kwargs):
    with tenant_context(tenant):
        return import_preview(tenant=tenant, actor=actor, kind=kind, file_name=file_name, content=content, **kwargs)


def failed_commit(tenant, actor, batch):
    with tenant_context(tenant), pytest.raises(ImportInvalidError) as excinfo:
        import_commit(tenant=tenant, actor=actor, batch=batch)
    return excinfo.value


def reasons(batch):
    return [e["reason"] for e in batch.errors]


def deals_with(column, value, *, partner="P-ACME"):
    rows = deal_rows(partner, 3)
    rows[1][DEAL_HEADER.index(column)] = value
    return csv_bytes(DEAL_HEADER, rows)


def assert_nothing_written(tenant):
    with tenant_context(tenant):
        assert Deal.objects.count() == 0
        assert ImportChange.objects.count() == 0


# --- the file as a whole: row 0 ---


@pytest.mark.parametrize(
    ("file_name", "content", "reason"),
    [
        ("report.pdf", b"%PDF-1.7 binary stuff", "This is a PDF, not a spreadsheet: upload a CSV or XLSX file."),
        ("notes.docx", b"plain words", ".docx files cannot be imported: upload a CSV or XLSX file."),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "This is an Excel 97-2003 (.xls) file"),
        ("fake.xlsx", b"external_id,partner\n1,2\n", "The file is named .xlsx but is not an Excel workbook"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "The file is not a valid Excel workbook (.xlsx)"),
        ("empty.csv", b"", "The file is empty."),
        ("blank.csv", b"\xef\xbb\xbf\r\n  \r\n", "The file is empty."),
        (
            "header-only.csv",
            b"external_id,partner,amount,created_on\r\n",
            "The file has a header row but no data rows.",
        ),
        ("utf16-no-bom.csv", "external_id,partner\n1,2\n".encode("utf-16-le"), "could not be read as text"),
    ],
)
def test_an_unreadable_file_is_reported_on_row_0_and_cannot_be_committed(tenant, manager, file_name, content, reason):
    batch = preview(tenant, manager, content, file_name=file_name)

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.errors[0]["row"] == 0
    assert batch.errors[0]["reason"].startswith(reason) or reason in batch.errors[0]["reason"]
    error = failed_commit(tenant, manager, batch)
    assert error.message.startswith("Nothing was imported:")
    assert_nothing_written(tenant)


@override_settings(IMPORT_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused_without_being_stored(tenant, manager, acme):
    content = csv_bytes(DEAL_HEADER, deal_rows("P-ACME", 50))

    batch = preview(tenant, manager, content)

    assert reasons(batch) == [
        f"The file is {-(-len(content) // 1024)} KB; the limit is 1 KB. Split it and upload the parts."
    ]
    assert bytes(batch.content) == b""
    failed_commit(tenant, manager, batch)
    assert_nothing_written(tenant)


def test_a_fifty_megabyte_file_is_refused_by_the_default_limit(tenant, manager):
    content = b"external_id,partner,amount,created_on\n" + b"x" * (50 * 1024 * 1024)

    batch = preview(tenant, manager, content)

    assert reasons(batch) == ["The file is 50 MB; the limit is 20 MB. Split it and upload the parts."]


def test_a_missing_required_column_names_the_column(tenant, manager, acme):
    content = csv_bytes(["external_id", "partner", "created_on"], [["D1", "P-ACME", "2025-01-01"]])

    batch = preview(tenant, manager, content)

    assert batch.errors == [
        {
            "row": 0,
            "column": "",
            "value": "",
            "reason": 'Required column "Amount" is missing: no column of the file is mapped to it.',
        }
    ]
    assert batch.counts == {"new": 0, "updated": 0, "unchanged": 0, "invalid": 1}
    failed_commit(tenant, manager, batch)
    assert_nothing_written(tenant)


def test_a_mapping_that_names_a_column_not_in_the_file_is_reported(tenant, manager, acme):
    batch = preview(tenant, manager, csv_bytes(DEAL_HEADER, deal_rows("P-ACME", 1)))

    with tenant_context(tenant):
        batch = import_remap(
            tenant=tenant, actor=manager, batch=batch, mapping={**batch.mapping, "amount": "Total (EUR)"}
        )

    assert 'Column "Total (EUR)" (chosen for Amount) is not in the file.' in reasons(batch)


def test_an_unknown_import_kind_is_refused(tenant, manager):
    with pytest.raises(ImportKindUnknownError):
        preview(tenant, manager, b"a,b\n1,2\n", kind="invoices")


# --- rows: row number, column, value, reason ---


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("amount", "twelve", "Not a number."),
        ("amount", "-5", "Must be at least 0."),
        ("created_on", "31/02/2025", "Not a date (use e.g. 2024-03-31, 31/03/2024 or Mar 31, 2024)."),
        ("created_on", "soon", "Not a date (use e.g. 2024-03-31, 31/03/2024 or Mar 31, 2024)."),
        ("created_on", "", "Required, but empty."),
        ("currency", "dollars!", "Not a currency code (use ISO codes such as USD, EUR, GBP)."),
        ("partner", "Nobody Inc", "Unknown partner: no partner has this external id or name."),
        ("external_id", "", "Required, but empty."),
        ("external_id", "X" * 101, "Longer than 100 characters (101)."),
    ],
)
def test_a_value_of_the_wrong_kind_names_its_row_column_and_value(tenant, manager, acme, column, value, reason):
    batch = preview(tenant, manager, deals_with(column, value))

    assert batch.errors == [{"row": 3, "column": column, "value": value, "reason": reason}]
    assert batch.counts["invalid"] == 1
    failed_commit(tenant, manager, batch)
    assert_nothing_written(tenant)


def test_a_date_more_than_a_year_ahead_is_in_the_future_beyond_reason(tenant, manager, acme):
    far = (timezone.localdate() + timedelta(days=400)).isoformat()

    batch = preview(tenant, manager, deals_with("close_date", far))

    assert batch.errors == [
        {
            "row": 3,
            "column": "close_date",
            "value": far,
            "reason": "In the future beyond reason (more than a year ahead).",
        }
    ]


def test_a_close_date_some_months_ahead_is_fine(tenant, manager, acme):
    soon = (timezone.localdate() + timedelta(days=200)).isoformat()

    batch = preview(tenant, manager, deals_with("close_date", soon))

    assert batch.errors == []


def test_a_partner_name_shared_by_two_partners_is_ambiguous(tenant, manager):
    PartnerFactory(tenant=tenant, name="Contoso")
    PartnerFactory(tenant=tenant, name="contoso ")

    batch = preview(tenant, manager, csv_bytes(DEAL_HEADER, deal_rows("CONTOSO", 1)))

    assert batch.errors == [
        {
            "row": 2,
            "column": "partner",
            "value": "CONTOSO",
            "reason": "Ambiguous: matches 2 partners, use the partner's external id.",
        }
    ]


def test_a_partner_of_another_program_is_unknown_here(tenant, other_tenant, manager):
    PartnerFactory(tenant=other_tenant, name="Beta Only", external_id="P-BETA")

    batch = preview(tenant, manager, csv_bytes(DEAL_HEADER, deal_rows("P-BETA", 1)))

    assert reasons(batch) == ["Unknown partner: no partner has this external id or name."]


def test_a_duplicate_key_inside_one_file_is_an_error_on_the_later_rows(tenant, manager, acme):
    rows = deal_rows("P-ACME", 3) + deal_rows("P-ACME", 2)

    batch = preview(tenant, manager, csv_bytes(DEAL_HEADER, rows))

    assert batch.errors == [
        {
            "row": 5,
            "column": "external_id",
            "value": "D-000000",
            "reason": "Duplicate of row 2: same deal id.",
        },
        {
            "row": 6,
            "column": "external_id",
            "value": "D-000001",
            "reason": "Duplicate of row 3: same deal id.",
        },
    ]
    assert batch.counts == {"new": 3, "updated": 0, "unchanged": 0, "invalid": 2}
    failed_commit(tenant, manager, batch)
    assert_nothing_written(tenant)


def test_a_composite_duplicate_names_every_key_column(tenant, manager, acme):
    content = csv_bytes(
        ["partner", "kind", "title", "date"],
        [["P-ACME", "webinar", "Kick-off", "2025-02-01"], ["Acme Cloud", "Webinar", "Kick-off", "01/02/2025"]],
    )

    batch = preview(tenant, manager, content, kind="activities")

    assert reasons(batch) == ["Duplicate of row 2: same partner, kind, date and title."]


def test_a_row_with_more_cells_than_the_header_is_an_error(tenant, manager, acme):
    content = (
        b"external_id,partner,amount,created_on\r\nD1,P-ACME,10,2025-01-01\r\nD2,P-ACME,10,2025-01-01,surprise\r\n"
    )

    batch = preview(tenant, manager, content)

    assert batch.errors == [
        {"row": 3, "column": "", "value": "surprise", "reason": "The row has 5 cells but the header has 4 columns."}
    ]


def test_errors_from_several_columns_are_listed_by_row_then_column(tenant, manager, acme):
    rows = deal_rows("P-ACME", 3)
    rows[2][DEAL_HEADER.index("amount")] = "?"
    rows[2][DEAL_HEADER.index("partner")] = "Nobody"
    rows[0][DEAL_HEADER.index("close_date")] = "never"

    batch = preview(tenant, manager, csv_bytes(DEAL_HEADER, rows))

    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "close_date"), (4, "partner"), (4, "amount")]
    assert batch.counts["invalid"] == 2


def test_a_survey_score_above_its_scale_is_refused(tenant, manager, acme):
    content = csv_bytes(
        ["partner", "survey", "respondent", "date", "score"], [["P-ACME", "csat", "a@b.example", "2025-01-01", "9"]]
    )

    batch = preview(tenant, manager, content, kind="surveys")

    assert reasons(batch) == ["Above the scale's maximum (5); add or fix the scale column."]


def test_a_survey_naming_an_unknown_deal_is_refused(tenant, manager, acme):
    content = csv_bytes(
        ["partner", "survey", "respondent", "date", "score", "deal"],
        [["P-ACME", "csat", "a@b.example", "2025-01-01", "4", "OPP-404"]],
    )

    batch = preview(tenant, manager, content, kind="surveys")

    assert reasons(batch) == ["Unknown deal: no deal has this id; import the deal first."]


def test_an_observation_of_an_unknown_metric_is_refused(tenant, manager, acme):
    content = csv_bytes(["partner", "metric", "month", "value"], [["P-ACME", "happiness", "2025-01", "3"]])

    batch = preview(tenant, manager, content, kind="observations")

    assert reasons(batch) == ["Unknown metric: use a key or name from the glossary."]


def test_a_huge_file_of_bad_rows_keeps_the_first_thousand_errors(tenant, manager, acme):
    rows = [[f"D{n}", "Nobody", "1", "2025-01-01"] for n in range(1500)]

    batch = preview(tenant, manager, csv_bytes(["external_id", "partner", "amount", "created_on"], rows))

    assert len(batch.errors) == 1000
    assert batch.counts["invalid"] == 1500
