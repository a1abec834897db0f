"""The cadence API: list, create, read and change cadences, generate a cycle, read a cycle with its reviews."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.domain.agenda import DEFAULT_AGENDA
from reviews.models import Cadence, Review, ReviewCycle
from reviews.services.cycles import cycle_generate
from tests.factories import PartnerFactory, announced, member
from tests.reviews.factories import CadenceFactory
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"detail", "code", "extra"}
DROP = object()  # an override that leaves the key out


def new_cadence(**overrides):
    data = {
        "name": "Strategic QBR",
        "kind": "qbr",
        "frequency": "quarterly",
        "tiers": ["platinum"],
        "include_strategic": True,
        "detailed_cap": 5,
        "asks_forecast": True,
        "agenda": [
            {"title": "Pipeline health", "prompts": [{"text": "Is coverage enough for two quarters?"}]},
            {"title": "Collaboration health", "prompts": [{"text": "How responsive was the partner to escalations?"}]},
        ],
        **overrides,
    }
    return {key: value for key, value in data.items() if value is not DROP}


def stored(tenant):
    with tenant_context(tenant):
        return list(Cadence.objects.for_tenant(tenant).order_by("name"))


@pytest.fixture
def admin(tenant):
    return member(tenant, Role.ADMIN)


def test_an_admin_creates_a_cadence_and_reads_it_back_with_keyed_agenda(tenant, admin, api_client_for):
    response = api_client_for(admin).post(tenant_url("api_cadence_list", tenant), new_cadence(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["tiers"], body["include_strategic"], body["detailed_cap"], body["is_active"]) == (
        ["platinum"],
        True,
        5,
        True,
    )
    assert [(s["key"], [p["key"] for p in s["prompts"]]) for s in body["agenda"]] == [
        ("pipeline_health", ["coverage_enough_two_quarters"]),
        ("collaboration_health", ["responsive_escalations"]),
    ]
    assert api_client_for(admin).get(tenant_url("api_cadence_detail", tenant, cadence_id=body["id"])).json() == body


def test_the_agenda_may_be_sent_as_the_editors_text(tenant, admin, api_client_for):
    data = new_cadence(agenda=DROP, agenda_text="## Results\n- On target?")
    response = api_client_for(admin).post(tenant_url("api_cadence_list", tenant), data, format="json")
    assert response.json()["agenda"] == [
        {"key": "results", "title": "Results", "prompts": [{"key": "target", "text": "On target?"}]}
    ]


def test_without_an_agenda_a_cadence_gets_the_default_one(tenant, admin, api_client_for):
    data = new_cadence(agenda=DROP)
    assert (
        api_client_for(admin).post(tenant_url("api_cadence_list", tenant), data, format="json").json()["agenda"]
        == DEFAULT_AGENDA
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tiers": ["diamond"]}, "tiers"),
        ({"stages": "at_risk"}, "stages"),
        ({"detailed_cap": 0}, "detailed_cap"),
        ({"kind": "weekly"}, "kind"),
        ({"agenda": [{"title": "", "prompts": []}]}, "agenda"),
        ({"agenda": [{"title": "A", "prompts": [{"text": "Same?"}, {"text": "same?"}]}]}, "agenda"),
        ({"agenda": []}, "agenda"),
        ({"agenda": DROP, "agenda_text": "- orphan prompt"}, "agenda_text"),
        ({"agenda_text": "## A"}, "agenda"),  # both forms at once
        ({"frequency": "monthly", "review_offset_days": 45}, "review_offset_days"),
    ],
)
def test_a_bad_cadence_is_a_400_naming_the_field_and_nothing_is_written(
    tenant, admin, overrides, field, api_client_for
):
    response = api_client_for(admin).post(
        tenant_url("api_cadence_list", tenant), new_cadence(**overrides), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert field in response.json()["extra"]["fields"]
    assert stored(tenant) == []


def test_a_duplicate_name_is_a_400(tenant, admin, api_client_for):
    CadenceFactory(tenant=tenant, name="Strategic QBR")
    response = api_client_for(admin).post(tenant_url("api_cadence_list", tenant), new_cadence(), format="json")
    assert (response.status_code, response.json()["extra"]["fields"]) == (
        400,
        {"name": ["Another cadence has this name."]},
    )


@pytest.mark.parametrize(
    ("role", "get", "post"), [("manager", 200, 403), ("executive", 200, 403), ("partner", 403, 403)]
)
def test_only_admins_change_cadences_and_partner_users_do_not_see_them(tenant, role, get, post, api_client_for):
    actor = member(tenant, role, partner=PartnerFactory(tenant=tenant) if role == "partner" else None)
    assert api_client_for(actor).get(tenant_url("api_cadence_list", tenant)).status_code == get
    assert (
        api_client_for(actor).post(tenant_url("api_cadence_list", tenant), new_cadence(), format="json").status_code
        == post
    )
    assert stored(tenant) == []


def test_a_patch_changes_only_the_fields_sent_and_deactivates(tenant, admin, api_client_for):
    cadence = CadenceFactory(tenant=tenant, name="QBR", detailed_cap=12)
    announced(cadence)
    response = api_client_for(admin).patch(
        tenant_url("api_cadence_detail", tenant, cadence_id=cadence.pk),
        {"is_active": False, "stages": ["at_risk"]},
        format="json",
    )
    assert response.status_code == 200
    [after] = stored(tenant)
    assert (after.is_active, after.stages, after.detailed_cap, after.agenda) == (False, ["at_risk"], 12, cadence.agenda)


def test_a_patch_with_a_bad_value_writes_nothing(tenant, admin, api_client_for):
    cadence = CadenceFactory(tenant=tenant, name="QBR")
    response = api_client_for(admin).patch(
        tenant_url("api_cadence_detail", tenant, cadence_id=cadence.pk),
        {"name": "Renamed", "detailed_cap": 0},
        format="json",
    )
    assert response.status_code == 400
    assert stored(tenant)[0].name == "QBR"


def test_the_list_reads_a_bounded_number_of_queries(tenant, admin, api_client_for):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api_client_for(admin).get(tenant_url("api_cadence_list", tenant)).status_code == 200
        return len(captured)

    CadenceFactory.create_batch(3, tenant=tenant)
    small = queries()
    CadenceFactory.create_batch(12, tenant=tenant)
    assert queries() == small


# --- cycles ---


def test_generating_answers_created_then_existing_counts(tenant, manager, api_client_for):
    cadence = CadenceFactory(tenant=tenant, detailed_cap=1)
    PartnerFactory.create_batch(3, tenant=tenant, owner=manager)
    path = tenant_url("api_cycle_generate", tenant, cadence_id=cadence.pk)
    first = api_client_for(manager).post(path, {"period_start": "2027-02-14"}, format="json")
    second = api_client_for(manager).post(path, {"period_start": "2027-01-01"}, format="json")
    assert first.status_code == 201
    assert {
        k: first.json()[k] for k in ("period_start", "period_end", "created", "existing", "qualifying", "detailed")
    } == {
        "period_start": "2027-01-01",
        "period_end": "2027-03-31",
        "created": 3,
        "existing": 0,
        "qualifying": 3,
        "detailed": 1,
    }
    assert (second.status_code, second.json()["created"], second.json()["existing"]) == (200, 0, 3)
    assert second.json()["cycle"] == first.json()["cycle"]


@pytest.mark.parametrize("body", [{}, {"period_start": "not a date"}, {"period_start": "2099-01-01"}])
def test_generating_with_a_bad_period_is_a_400_and_writes_nothing(tenant, manager, body, api_client_for):
    cadence = CadenceFactory(tenant=tenant)
    PartnerFactory(tenant=tenant)
    response = api_client_for(manager).post(
        tenant_url("api_cycle_generate", tenant, cadence_id=cadence.pk), body, format="json"
    )
    assert response.status_code == 400
    assert "period_start" in response.json()["extra"]["fields"]
    with tenant_context(tenant):
        assert not ReviewCycle.objects.exists()


def test_generating_for_another_programs_cadence_is_a_404_and_writes_nothing(
    tenant, manager, other_tenant, api_client_for
):
    foreign = CadenceFactory(tenant=other_tenant)
    PartnerFactory(tenant=other_tenant)
    response = api_client_for(manager).post(
        tenant_url("api_cycle_generate", tenant, cadence_id=foreign.pk), {"period_start": "2027-01-01"}, format="json"
    )
    assert response.status_code == 404
    with tenant_context(other_tenant):
        assert not Review.objects.exists()


def test_an_executive_may_not_generate(tenant, api_client_for):
    cadence = CadenceFactory(tenant=tenant)
    response = api_client_for(member(tenant, Role.EXECUTIVE)).post(
        tenant_url("api_cycle_generate", tenant, cadence_id=cadence.pk), {"period_start": "2027-01-01"}, format="json"
    )
    assert response.status_code == 403


def test_a_cycle_reads_with_its_reviews_in_priority_order(tenant, manager, api_client_for):
    cadence = CadenceFactory(tenant=tenant, detailed_cap=1)
    PartnerFactory(tenant=tenant, name="Ordinary", owner=manager)
    PartnerFactory(tenant=tenant, name="Key", is_strategic=True, owner=manager)
    cycle = cycle_generate(tenant=tenant, cadence=cadence, period_start=date(2027, 1, 1)).cycle
    body = (
        api_client_for(member(tenant, Role.EXECUTIVE))
        .get(tenant_url("api_cycle_detail", tenant, cycle_id=cycle.pk))
        .json()
    )
    assert (body["cycle"]["period"], body["cycle"]["qualifying_count"], body["count"]) == ("Q1 2027", 2, 2)
    assert [(r["partner_name"], r["priority_rank"], r["depth"]) for r in body["results"]] == [
        ("Key", 1, "detailed"),
        ("Ordinary", 2, "light"),
    ]
    assert body["results"][0]["selection_reason"] == "Strategic partner: rank 1 of 2, within the cap of 1"


def test_another_programs_cycle_is_a_404(tenant, admin, other_tenant, api_client_for):
    foreign = cycle_generate(
        tenant=other_tenant, cadence=CadenceFactory(tenant=other_tenant), period_start=date(2027, 1, 1)
    )
    assert (
        api_client_for(admin).get(tenant_url("api_cycle_detail", tenant, cycle_id=foreign.cycle.pk)).status_code == 404
    )
