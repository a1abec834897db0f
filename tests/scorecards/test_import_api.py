"""The API: POST rows of each kind to /api/v1/t/<slug>/imports/<kind>/, and read the metric glossary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Activity, Deal, ImportBatch, Observation, SurveyResponse
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import DealFactory, MetricFactory

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"detail", "code", "extra"}


@pytest.fixture
def acme(tenant):
    return PartnerFactory(tenant=tenant, name="Acme Cloud", external_id="P-ACME")


def imports_url(tenant, kind):
    return reverse("api_import_rows", kwargs={"tenant_slug": tenant.slug, "kind": kind})


def metrics_url(tenant):
    return reverse("api_metric_list", kwargs={"tenant_slug": tenant.slug})


@pytest.fixture
def post_rows(api_client_for):
    def post(membership, tenant, kind, rows, **body):
        return api_client_for(membership).post(imports_url(tenant, kind), {"rows": rows, **body}, format="json")

    return post


def stored(tenant, model):
    with tenant_context(tenant):
        return list(model.objects.all())


DEAL = {
    "external_id": "API-1",
    "partner": "P-ACME",
    "account_name": "Initech",
    "amount": 1250.5,
    "currency": "eur",
    "created_on": "2025-01-10",
    "is_renewal": True,
    "probability": 40,
}


def test_posting_deals_with_commit_writes_them_and_answers_the_batch(tenant, manager, acme, post_rows):
    response = post_rows(manager, tenant, "deals", [DEAL], commit=True)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "committed"
    assert body["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "invalid": 0}
    assert body["errors"] == []
    (deal,) = stored(tenant, Deal)
    assert (deal.external_id, deal.amount, deal.currency, deal.is_renewal, deal.probability) == (
        "API-1",
        Decimal("1250.50"),
        "EUR",
        True,
        40,
    )
    with tenant_context(tenant):
        batch = ImportBatch.objects.get(pk=body["batch"])
    assert (batch.source, batch.uploaded_by_id, batch.kind) == ("api", manager.pk, "deals")
    assert bytes(batch.content).decode().splitlines()[0] == (
        "external_id,partner,account_name,amount,currency,probability,created_on,is_renewal"
    )


def test_posting_without_commit_previews_and_writes_no_rows(tenant, manager, acme, post_rows):
    response = post_rows(manager, tenant, "deals", [DEAL, {**DEAL, "external_id": "API-2", "amount": "lots"}])

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "previewed"
    assert body["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "invalid": 1}
    assert body["errors"] == [{"row": 3, "column": "amount", "value": "lots", "reason": "Not a number."}]
    assert stored(tenant, Deal) == []


def test_an_invalid_row_in_a_commit_answers_400_with_the_errors_and_writes_nothing(tenant, manager, acme, post_rows):
    rows = [DEAL, {**DEAL, "external_id": "API-2", "partner": "Nobody"}]

    response = post_rows(manager, tenant, "deals", rows, commit=True)

    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "import_invalid"
    assert body["extra"]["errors"] == [
        {
            "row": 3,
            "column": "partner",
            "value": "Nobody",
            "reason": "Unknown partner: no partner has this external id or name.",
        }
    ]
    assert stored(tenant, Deal) == []
    assert stored(tenant, ImportBatch) == []


def test_posting_the_same_rows_twice_leaves_them_unchanged(tenant, manager, acme, post_rows):
    post_rows(manager, tenant, "deals", [DEAL], commit=True)

    response = post_rows(manager, tenant, "deals", [DEAL], commit=True)

    assert response.json()["counts"] == {"new": 0, "updated": 0, "unchanged": 1, "invalid": 0}


def test_observations_are_posted_by_metric_key(tenant, manager, acme, post_rows):
    MetricFactory(tenant=tenant, key="revenue", name="Revenue")
    rows = [{"partner": "Acme Cloud", "metric": "revenue", "month": "2025-02", "value": "12 500,75"}]

    response = post_rows(manager, tenant, "observations", rows, commit=True, source="partner-portal")

    assert response.status_code == 200
    (observation,) = stored(tenant, Observation)
    assert (observation.month, observation.value, observation.source) == (
        date(2025, 2, 1),
        Decimal("12500.7500"),
        "partner-portal",
    )


def test_activities_are_posted(tenant, manager, acme, post_rows):
    rows = [{"partner": "P-ACME", "kind": "training", "title": "Sales bootcamp", "date": "2025-03-03", "attendees": 12}]

    response = post_rows(manager, tenant, "activities", rows, commit=True)

    assert response.status_code == 200
    (activity,) = stored(tenant, Activity)
    assert (activity.kind, activity.attendees) == ("training", 12)


def test_surveys_are_posted(tenant, manager, acme, post_rows):
    DealFactory(partner=acme, external_id="API-9")
    rows = [
        {
            "partner": "P-ACME",
            "survey": "csat",
            "respondent": "cio@initech.example",
            "deal": "API-9",
            "date": "2025-03-04",
            "score": 4.5,
        }
    ]

    response = post_rows(manager, tenant, "surveys", rows, commit=True)

    assert response.status_code == 200
    (answer,) = stored(tenant, SurveyResponse)
    assert (answer.score, answer.respondent_type, answer.scale_max) == (Decimal("4.50"), "customer", 5)


def test_an_unknown_field_in_the_rows_is_reported(tenant, manager, acme, post_rows):
    response = post_rows(manager, tenant, "deals", [{**DEAL, "colour": "red"}])

    assert response.json()["errors"][0]["reason"].startswith('Unknown field "colour"')
    assert response.json()["errors"][0]["row"] == 0


def test_no_rows_is_reported_as_such(tenant, manager, post_rows):
    response = post_rows(manager, tenant, "deals", [], commit=True)

    assert response.status_code == 400
    assert response.json()["extra"]["errors"][0]["reason"] == "No rows were given."


def test_an_unknown_kind_is_a_404(tenant, manager, post_rows):
    response = post_rows(manager, tenant, "invoices", [DEAL])

    assert response.status_code == 404
    assert set(response.json()) == ERROR_KEYS


def test_a_body_that_is_not_rows_is_a_400(tenant, manager, api_client_for):
    response = api_client_for(manager).post(imports_url(tenant, "deals"), {"rows": "nope"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PARTNER])
def test_members_who_may_not_import_get_a_403_and_nothing_is_written(tenant, acme, role, post_rows):
    actor = member(tenant, role, partner=acme if role == Role.PARTNER else None)

    response = post_rows(actor, tenant, "deals", [DEAL], commit=True)

    assert response.status_code == 403
    assert stored(tenant, Deal) == []


def test_a_member_of_another_program_gets_a_404(tenant, other_tenant, acme, post_rows):
    stranger = member(other_tenant, Role.ADMIN)

    response = post_rows(stranger, tenant, "deals", [DEAL], commit=True)

    assert response.status_code == 404
    assert stored(tenant, Deal) == []


def test_rows_naming_another_programs_partner_are_refused(tenant, other_tenant, manager, post_rows):
    PartnerFactory(tenant=other_tenant, name="Beta Only", external_id="P-BETA")

    response = post_rows(manager, tenant, "deals", [{**DEAL, "partner": "P-BETA"}], commit=True)

    assert response.status_code == 400
    assert stored(tenant, Deal) == []


def test_the_api_needs_a_token(tenant, acme):
    response = APIClient().post(imports_url(tenant, "deals"), {"rows": [DEAL]}, format="json")

    assert response.status_code in (401, 403)


# --- the metric glossary ---


def test_the_metric_list_is_the_programs_glossary_paginated(tenant, other_tenant, manager, api_client_for):
    MetricFactory(tenant=tenant, key="win_rate", name="Win rate", category="deal_quality")
    MetricFactory(tenant=tenant, key="pipeline_created", name="Pipeline created", category="pipeline")
    MetricFactory(tenant=tenant, key="csat", name="CSAT", category="customer")
    MetricFactory(tenant=other_tenant, key="foreign", name="Foreign metric")

    response = api_client_for(manager).get(metrics_url(tenant))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [m["key"] for m in body["results"]] == ["pipeline_created", "win_rate", "csat"]
    assert set(body["results"][0]) >= {"id", "key", "name", "definition", "unit", "direction", "category"}


def test_partner_users_may_read_the_glossary(tenant, acme, api_client_for):
    partner_user = member(tenant, Role.PARTNER, partner=acme)
    MetricFactory(tenant=tenant, key="csat")

    response = api_client_for(partner_user).get(metrics_url(tenant))

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_the_metric_list_reads_in_a_fixed_number_of_queries(tenant, manager, django_assert_num_queries, api_client_for):
    for n in range(3):
        MetricFactory(tenant=tenant, key=f"metric_{n}")
    client = api_client_for(manager)
    client.get(metrics_url(tenant))  # warm the per-process caches (content types, permissions)

    with django_assert_num_queries(8):
        response = client.get(metrics_url(tenant))

    assert response.json()["count"] == 3


# --- the rules of a file, and the page's column mapping ---


def test_a_probability_of_3_5_is_refused_like_a_term_of_3_5_months(post_rows, tenant, manager, acme):
    response = post_rows(manager, tenant, "deals", [{**DEAL, "probability": 3.5, "term_months": 3.5}], commit=True)

    assert response.status_code == 400
    assert sorted(e["reason"] for e in response.json()["extra"]["errors"]) == [
        "Not a whole number.",
        "Not a whole percentage (3.5 %): Probability is kept in whole percent and nothing is rounded.",
    ]
    assert stored(tenant, Deal) == []


def test_fractional_probabilities_in_rows_are_fractions(post_rows, tenant, manager, acme):
    rows = [{**DEAL, "external_id": "API-1", "probability": 0.6}, {**DEAL, "external_id": "API-2", "probability": 0.25}]

    response = post_rows(manager, tenant, "deals", rows, commit=True)

    assert response.status_code == 200
    assert sorted(d.probability for d in stored(tenant, Deal)) == [25, 60]


def test_rows_keyed_by_an_exports_own_headers_are_answered_with_the_fields_expected_and_keys_given(
    post_rows, tenant, manager, acme
):
    rows = [{"Opportunity ID": "OPP-1", "Partner Account": "P-ACME", "Amount": "10", "Created Date": "2025-01-10"}]

    response = post_rows(manager, tenant, "deals", rows)

    reason = response.json()["errors"][0]["reason"]
    assert reason.startswith("The rows' keys are not fields of this import. Expected: external_id*, partner*, ")
    assert "Got: Opportunity ID, Partner Account, Amount, Created Date." in reason
    assert '"mapping"' in reason


def test_rows_keyed_by_an_exports_own_headers_import_with_the_pages_mapping(post_rows, tenant, manager, acme):
    rows = [{"Opportunity ID": "OPP-1", "Partner Account": "P-ACME", "Amount": "€ 10", "Created Date": "2025-01-10"}]
    mapping = {
        "external_id": "Opportunity ID",
        "partner": "Partner Account",
        "amount": "Amount",
        "created_on": "Created Date",
    }

    response = post_rows(manager, tenant, "deals", rows, mapping=mapping, commit=True)

    assert response.status_code == 200, response.json()
    (deal,) = stored(tenant, Deal)
    assert (deal.external_id, deal.amount, deal.currency) == ("OPP-1", Decimal("10.00"), "EUR")


def test_options_that_do_not_fit_the_kind_are_a_400(post_rows, tenant, manager, acme):
    response = post_rows(manager, tenant, "deals", [DEAL], options={"units": {"amount": "fraction"}})

    assert response.status_code == 400
    assert response.json()["code"] == "import_options"
