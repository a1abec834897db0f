"""Cadence pages: the list, the editor (errors answer 400 and write nothing), a cadence with its cycles, generating a
cycle, and a cycle's picks with why each partner was picked; each page reads a bounded number of queries."""

from __future__ import annotations

import re
from datetime import date

import pytest

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.domain.agenda import agenda_parse
from reviews.models import Cadence, Review, ReviewCycle
from reviews.services.cycles import cycle_generate
from tests.factories import PartnerFactory, announced, member
from tests.queries import settled_queries
from tests.reviews.factories import CadenceFactory
from tests.reviews.test_cycles import snapshot
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

AGENDA = "## Pipeline health\n- Is new pipeline arriving?\n\n## Collaboration health\n- How responsive was the partner?"


def form(**overrides):
    return {
        "name": "Partner QBR",
        "kind": "qbr",
        "frequency": "quarterly",
        "tiers": ["gold", "platinum"],
        "review_offset_days": "21",
        "prep_lead_days": "7",
        "self_assessment_lead_days": "10",
        "asks_forecast": "on",
        "detailed_cap": "12",
        "agenda_text": AGENDA,
        **overrides,
    }


def cadences(tenant):
    with tenant_context(tenant):
        return list(Cadence.objects.for_tenant(tenant).order_by("name"))


def partners(tenant):
    with tenant_context(tenant):
        return list(Partner.objects.for_tenant(tenant).values_list("pk", flat=True))


def review_count(tenant):
    with tenant_context(tenant):
        return Review.objects.for_tenant(tenant).count()


@pytest.fixture
def admin(tenant):
    return member(tenant, Role.ADMIN)


@pytest.fixture
def qbr(tenant):
    return CadenceFactory(tenant=tenant, name="Quarterly business review", detailed_cap=2)


def someone(tenant, role):
    return member(tenant, role, partner=PartnerFactory(tenant=tenant) if role == Role.PARTNER else None)


# --- the list ---


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("manager", 200), ("executive", 200), ("partner", 403)])
def test_internal_members_read_the_cadences_and_partner_users_may_not(tenant, qbr, role, status, client_for):
    response = client_for(someone(tenant, role)).get(tenant_url("cadence_list", tenant))
    assert response.status_code == status
    if status == 200:
        assert "Quarterly business review" in response.content.decode()


def test_the_list_shows_each_cadences_kind_frequency_filters_and_next_cycle(tenant, admin, client_for):
    CadenceFactory(tenant=tenant, name="Deep dive", kind="deep_dive", frequency="biannual", stages=["at_risk"])
    CadenceFactory(tenant=tenant, name="Retired check", frequency="monthly", is_active=False)
    page = client_for(admin).get(tenant_url("cadence_list", tenant)).content.decode()
    row = page[page.index("Deep dive") :].split("</tr>")[0]
    assert "Biannual deep dive" in row
    assert "every six months" in row
    assert "At risk" in row
    assert re.search(r"H[12] 20\d\d", row)
    assert "Inactive" in page[page.index("Retired check") :].split("</tr>")[0]
    assert "Cadences" in page  # the navigation entry


def test_the_new_cadence_button_is_for_admins_only(tenant, admin, manager, client_for):
    assert "New cadence" in client_for(admin).get(tenant_url("cadence_list", tenant)).content.decode()
    assert "New cadence" not in client_for(manager).get(tenant_url("cadence_list", tenant)).content.decode()


# --- the editor ---


def test_the_editor_starts_with_the_default_agenda(tenant, admin, client_for):
    page = client_for(admin).get(tenant_url("cadence_create", tenant)).content.decode()
    assert "## Performance results" in page
    assert "How responsive was the partner to escalations this quarter?" in page


@pytest.mark.parametrize("role", ["manager", "executive", "partner"])
def test_only_admins_open_the_editor(tenant, qbr, role, client_for):
    client = client_for(someone(tenant, role))
    assert client.get(tenant_url("cadence_create", tenant)).status_code == 403
    assert client.post(tenant_url("cadence_edit", tenant, cadence_id=qbr.pk), form()).status_code == 403


def test_an_admin_creates_a_cadence_and_sees_its_agenda_as_a_readable_list(tenant, admin, client_for):
    client = client_for(admin)
    response = client.post(tenant_url("cadence_create", tenant), form())
    [cadence] = cadences(tenant)
    assert response.status_code == 302
    assert response["Location"] == tenant_url("cadence_detail", tenant, cadence_id=cadence.pk)
    assert (cadence.tiers, cadence.asks_forecast, cadence.detailed_cap) == (["platinum", "gold"], True, 12)
    assert cadence.agenda == agenda_parse(AGENDA)
    page = client.get(response["Location"]).content.decode()
    assert "<strong>Pipeline health</strong>" in page
    assert "<li>Is new pipeline arriving?</li>" in page
    assert "Gold, Platinum" in page or "Platinum, Gold" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"agenda_text": "- A prompt first\n## Then a section"}, "Line 1: a prompt needs a section above it"),
        ({"review_offset_days": "40", "frequency": "monthly"}, "Reviews must fall inside their period"),
        ({"detailed_cap": "0"}, "greater than or equal to 1"),
        ({"tiers": ["diamond"]}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_a_bad_cadence_answers_400_with_the_message_and_writes_nothing(tenant, admin, overrides, message, client_for):
    response = client_for(admin).post(tenant_url("cadence_create", tenant), form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert cadences(tenant) == []


def test_an_admin_edits_a_cadence_keeping_the_agenda_keys_and_may_deactivate_it(tenant, admin, client_for):
    client = client_for(admin)
    client.post(tenant_url("cadence_create", tenant), form())
    [cadence] = cadences(tenant)
    page = client.get(tenant_url("cadence_edit", tenant, cadence_id=cadence.pk)).content.decode()
    assert "## Pipeline health" in page
    announced(cadence)
    edited = form(
        name="QBR (top tiers)", agenda_text="## Collaboration health\n- How responsive was the partner?\n- New?"
    )
    edited.pop("asks_forecast")
    response = client.post(tenant_url("cadence_edit", tenant, cadence_id=cadence.pk), edited)
    [stored] = cadences(tenant)
    assert response.status_code == 302
    assert (stored.name, stored.asks_forecast, stored.is_active) == ("QBR (top tiers)", False, False)
    assert stored.agenda[0]["prompts"][0]["key"] == cadence.agenda[1]["prompts"][0]["key"]


def test_a_cadence_of_another_program_is_not_found(tenant, admin, other_tenant, client_for):
    foreign = CadenceFactory(tenant=other_tenant, name="FOREIGN")
    client = client_for(admin)
    assert client.get(tenant_url("cadence_detail", tenant, cadence_id=foreign.pk)).status_code == 404
    assert client.post(tenant_url("cadence_edit", tenant, cadence_id=foreign.pk), form()).status_code == 404
    assert cadences(other_tenant)[0].name == "FOREIGN"


# --- generating a cycle ---


def test_the_cadence_page_offers_this_and_the_next_period_to_those_who_may_generate(tenant, qbr, manager, client_for):
    page = client_for(manager).get(tenant_url("cadence_detail", tenant, cadence_id=qbr.pk)).content.decode()
    assert len(re.findall(r"Generate cycle for Q[1-4] 20\d\d", page)) == 2
    executive = client_for(member(tenant, Role.EXECUTIVE)).get(tenant_url("cadence_detail", tenant, cadence_id=qbr.pk))
    assert "Generate cycle for" not in executive.content.decode()


def test_a_manager_generates_a_cycle_and_lands_on_its_picks(tenant, qbr, manager, client_for):
    for n in range(3):
        PartnerFactory(tenant=tenant, name=f"Partner {n}", owner=manager)
    client = client_for(manager)
    response = client.post(tenant_url("cycle_generate", tenant, cadence_id=qbr.pk), {"period_start": "2027-02-10"})
    with tenant_context(tenant):
        cycle = ReviewCycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == tenant_url("cycle_detail", tenant, cycle_id=cycle.pk)
    assert cycle.period_start == date(2027, 1, 1)
    page = client.get(response["Location"]).content.decode()
    assert "Q1 2027: 3 reviews scheduled." in page
    again = client.post(
        tenant_url("cycle_generate", tenant, cadence_id=qbr.pk), {"period_start": "2027-03-01"}, follow=True
    )
    assert "Q1 2027 was already complete: nothing new to schedule." in again.content.decode()
    assert review_count(tenant) == 3


@pytest.mark.parametrize(("period", "message"), [("", "This field is required"), ("2099-01-01", "Choose a period")])
def test_a_bad_period_answers_400_and_writes_nothing(tenant, qbr, manager, period, message, client_for):
    PartnerFactory(tenant=tenant, owner=manager)
    response = client_for(manager).post(
        tenant_url("cycle_generate", tenant, cadence_id=qbr.pk), {"period_start": period}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert review_count(tenant) == 0


def test_generating_for_another_programs_cadence_is_not_found_and_writes_nothing(
    tenant, manager, other_tenant, client_for
):
    foreign = CadenceFactory(tenant=other_tenant)
    PartnerFactory(tenant=other_tenant)
    response = client_for(manager).post(
        tenant_url("cycle_generate", tenant, cadence_id=foreign.pk), {"period_start": "2027-01-01"}
    )
    assert response.status_code == 404
    with tenant_context(other_tenant):
        assert not ReviewCycle.objects.exists()


def test_an_executive_may_not_generate(tenant, qbr, client_for):
    response = client_for(member(tenant, Role.EXECUTIVE)).post(
        tenant_url("cycle_generate", tenant, cadence_id=qbr.pk), {"period_start": "2027-01-01"}
    )
    assert response.status_code == 403


# --- a cycle's picks ---


def test_the_cycle_page_lists_reviews_by_rank_with_depth_and_why_each_was_picked(tenant, qbr, manager, client_for):
    PartnerFactory(tenant=tenant, name="Calm Co", owner=manager)
    PartnerFactory(tenant=tenant, name="Key Account", is_strategic=True, owner=manager)
    slipping = PartnerFactory(tenant=tenant, name="Slipping Ltd", owner=manager)
    snapshot(slipping, date(2026, 12, 1), 54, trend="declining", change=-7)
    cycle = cycle_generate(tenant=tenant, cadence=qbr, period_start=date(2027, 1, 1)).cycle
    page = (
        client_for(member(tenant, Role.EXECUTIVE))
        .get(tenant_url("cycle_detail", tenant, cycle_id=cycle.pk))
        .content.decode()
    )
    names = re.findall(r">(Key Account|Slipping Ltd|Calm Co)</a>", page)
    assert names == ["Key Account", "Slipping Ltd", "Calm Co"]
    assert "Strategic partner: rank 1 of 3, within the cap of 2" in page
    assert "Declining trend (score 61 → 54): rank 2 of 3, within the cap of 2" in page
    assert "Light-touch: rank 3 of 3, past the cap of 2 (no score yet)" in page
    counts = re.findall(r"<strong>(\d+)</strong>(partners qualified|detailed reviews|light-touch checks)", page)
    assert counts == [("3", "partners qualified"), ("2", "detailed reviews"), ("1", "light-touch checks")]


def test_a_cycle_of_another_program_is_not_found(tenant, admin, other_tenant, client_for):
    foreign = cycle_generate(
        tenant=other_tenant, cadence=CadenceFactory(tenant=other_tenant), period_start=date(2027, 1, 1)
    )
    assert client_for(admin).get(tenant_url("cycle_detail", tenant, cycle_id=foreign.cycle.pk)).status_code == 404


# --- bounded queries ---


def queries(client, path):
    return settled_queries(client, path)


def test_the_cycle_page_reads_as_many_queries_for_50_reviews_as_for_5(tenant, manager, admin, client_for):
    client = client_for(admin)
    counts = []
    for size, name in ((5, "Small"), (50, "Large")):
        cadence = CadenceFactory(tenant=tenant, name=name, detailed_cap=3)
        while len(partners(tenant)) < size:  # the large cycle also takes the small one's partners
            n = len(partners(tenant))
            owner = member(tenant, Role.MANAGER) if n % 10 == 0 else manager
            PartnerFactory(tenant=tenant, name=f"Partner {n:02d}", owner=owner, is_strategic=n % 7 == 0)
        cycle = cycle_generate(tenant=tenant, cadence=cadence, period_start=date(2027, 1, 1)).cycle
        assert cycle.qualifying_count == size
        counts.append(queries(client, tenant_url("cycle_detail", tenant, cycle_id=cycle.pk)))
    assert counts[0] == counts[1]


def test_the_cadence_list_and_a_cadence_page_read_a_bounded_number_of_queries(tenant, admin, client_for):
    client = client_for(admin)
    PartnerFactory(tenant=tenant)
    first = CadenceFactory(tenant=tenant, name="First", frequency="monthly")
    for month in (1, 2):
        cycle_generate(tenant=tenant, cadence=first, period_start=date(2026, month, 1))
    small = (
        queries(client, tenant_url("cadence_list", tenant)),
        queries(client, tenant_url("cadence_detail", tenant, cadence_id=first.pk)),
    )
    for n in range(6):
        CadenceFactory(tenant=tenant, name=f"More {n}")
    for month in range(3, 13):
        cycle_generate(tenant=tenant, cadence=first, period_start=date(2026, month, 1))
    large = (
        queries(client, tenant_url("cadence_list", tenant)),
        queries(client, tenant_url("cadence_detail", tenant, cadence_id=first.pk)),
    )
    assert small == large
