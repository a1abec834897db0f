"""Column mapping: suggestions from CRM headers and similar spellings, saved mappings, and the field catalogue."""

from __future__ import annotations

import pytest

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.import_fields import KINDS
from scorecards.domain.import_mapping import check_mapping, saved_mapping_fits, suggest_mapping
from scorecards.errors import ImportKindUnknownError
from scorecards.selectors.imports import import_fields, import_file_headers
from scorecards.services.imports import import_preview
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import ImportMappingFactory, csv_bytes

SALESFORCE = [
    "Opportunity Owner",
    "Opportunity Name",
    "Opportunity ID",
    "Account Name",
    "Partner Account",
    "Stage",
    "Amount",
    "Opportunity Currency",
    "Probability (%)",
    "Created Date",
    "Close Date",
    "Type",
]
HUBSPOT = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Amount",
    "Create Date",
    "Close Date",
    "Associated Company",
    "Partner",
]


def test_a_salesforce_export_is_mapped_by_its_own_headers():
    assert suggest_mapping(KINDS["deals"], SALESFORCE) == {
        "external_id": "Opportunity ID",
        "partner": "Partner Account",
        "account_name": "Account Name",
        "stage": "Stage",
        "amount": "Amount",
        "currency": "Opportunity Currency",
        "probability": "Probability (%)",
        "created_on": "Created Date",
        "close_date": "Close Date",
    }


def test_a_hubspot_export_is_mapped_by_its_own_headers():
    assert suggest_mapping(KINDS["deals"], HUBSPOT) == {
        "external_id": "Record ID",
        "partner": "Partner",
        "account_name": "Associated Company",
        "stage": "Deal Stage",
        "amount": "Amount",
        "created_on": "Create Date",
        "close_date": "Close Date",
    }


def test_without_an_id_column_the_opportunity_name_identifies_the_deal():
    mapping = suggest_mapping(KINDS["deals"], ["Opportunity Name", "Partner Account", "Amount", "Close Date"])

    assert mapping["external_id"] == "Opportunity Name"


def test_our_own_field_names_and_labels_map_whatever_their_case():
    headers = ["PARTNER", "metric", "Month", "value"]

    assert suggest_mapping(KINDS["observations"], headers) == {
        "partner": "PARTNER",
        "metric": "metric",
        "month": "Month",
        "value": "value",
    }


def test_a_near_spelling_of_a_known_header_is_suggested():
    assert suggest_mapping(KINDS["activities"], ["Parnter", "Activty Type", "Titel", "Date"]) == {
        "partner": "Parnter",
        "kind": "Activty Type",
        "title": "Titel",
        "date": "Date",
    }


def test_an_unrelated_header_is_left_unmapped():
    assert suggest_mapping(KINDS["surveys"], ["Weather", "Colour"]) == {}


def test_one_header_is_never_suggested_for_two_fields():
    mapping = suggest_mapping(KINDS["surveys"], ["Partner", "Survey", "Email", "Date", "Score", "Account"])

    assert sorted(mapping.values()) == sorted(set(mapping.values()))


def test_a_saved_mapping_fits_only_a_file_with_all_of_its_headers():
    columns = {"external_id": "Ref", "partner": "Who", "amount": "Value", "created_on": "Opened"}

    assert saved_mapping_fits(columns, KINDS["deals"], ["Ref", "Who", "Value", "Opened", "Extra"])
    assert not saved_mapping_fits(columns, KINDS["deals"], ["Ref", "Who", "Value"])
    assert not saved_mapping_fits({"partner": "Who"}, KINDS["deals"], ["Who"])


def test_checking_a_mapping_drops_blank_choices_and_reports_unknown_fields():
    mapping, problems = check_mapping(
        KINDS["observations"],
        ["P", "M", "D", "V"],
        {"partner": "P", "metric": "M", "month": "D", "value": "V", "colour": "P", "notes": ""},
    )

    assert mapping == {"partner": "P", "metric": "M", "month": "D", "value": "V"}
    assert problems == ['"colour" is not a field of this import (fields: partner, metric, month, value).']


@pytest.mark.parametrize("kind", ["observations", "deals", "activities", "surveys"])
def test_every_kind_lists_its_fields_with_labels_help_and_the_required_ones(kind):
    fields = import_fields(kind)

    assert all(f.label and f.help for f in fields)
    assert any(f.required for f in fields)
    assert {f.name for f in fields} >= {"partner"} if kind != "deals" else {"external_id", "partner", "amount"}


def test_an_unknown_kind_has_no_fields():
    with pytest.raises(ImportKindUnknownError):
        import_fields("invoices")


@pytest.mark.django_db
def test_the_saved_mapping_of_a_source_is_preferred_to_a_suggestion(tenant):
    manager = member(tenant, Role.MANAGER)
    PartnerFactory(tenant=tenant, name="Acme Cloud")
    # "Amount" would be suggested for the amount; the saved mapping says this source's amount is "Net".
    columns = {"external_id": "Opportunity ID", "partner": "Partner", "amount": "Net", "created_on": "Created Date"}
    ImportMappingFactory(tenant=tenant, kind="deals", source="salesforce", columns=columns)
    content = csv_bytes(
        ["Opportunity ID", "Partner", "Amount", "Net", "Created Date"],
        [["1", "Acme Cloud", "100", "90", "2025-01-02"]],
    )

    with tenant_context(tenant):
        batch = import_preview(
            tenant=tenant, actor=manager, kind="deals", file_name="sf.csv", content=content, source="salesforce"
        )

    assert batch.mapping == columns
    assert import_file_headers(batch=batch) == ["Opportunity ID", "Partner", "Amount", "Net", "Created Date"]


def test_a_header_that_contains_a_known_name_is_suggested():
    mapping = suggest_mapping(KINDS["deals"], ["Deal ID", "Partner", "Amount (converted)", "Close Date (expected)"])

    assert mapping["amount"] == "Amount (converted)"
    assert mapping["close_date"] == "Close Date (expected)"
