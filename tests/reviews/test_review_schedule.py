"""A review scheduled by hand (``review_schedule``): the service, its page (reviews/new/) and its API (POST
/reviews/). Same rules as generation: this tenant's objects only, the owner manager or an admin, one review per
partner per cycle, never in the past; refusals write nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from auditlog.models import LogEntry

from partnerhub.core.domain.periods import period_bounds
from partnerhub.core.errors import CrossTenantReferenceError, PermissionDeniedError
from partnerhub.core.models import AuditEntry, Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.errors import InvalidInputError
from reviews.models import Attendee, Review, ReviewCycle, ReviewTransition
from reviews.services.reviews import review_schedule
from tests.factories import PartnerFactory, member
from tests.queries import settled_queries
from tests.reviews.factories import CadenceFactory, CycleFactory, ReviewFactory
from tests.reviews.review_program import Program, program
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

DEEP_DIVE_AGENDA = [
    {"key": "decline", "title": "The decline", "prompts": [{"key": "cause", "text": "What caused the decline?"}]}
]


@pytest.fixture
def p(tenant) -> Program:
    return program(tenant)


@pytest.fixture
def cadence(tenant):
    return CadenceFactory(
        tenant=tenant,
        name="Deep dive",
        kind="deep_dive",
        frequency="biannual",
        self_assessment_lead_days=7,
        agenda=DEEP_DIVE_AGENDA,
    )


@pytest.fixture
def foreign(other_tenant):
    manager = member(other_tenant, Role.MANAGER)
    return {
        "partner": PartnerFactory(tenant=other_tenant, owner=manager),
        "cadence": CadenceFactory(tenant=other_tenant),
        "moderator": manager,
    }


def _when(days: int = 40) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=10, minute=0, second=0, microsecond=0)


def _schedule(p: Program, own_cadence, **overrides):
    kwargs = {
        "tenant": p.tenant,
        "actor": p.admin,
        "cadence": own_cadence,
        "partner": p.partner,
        "scheduled_for": _when(),
        **overrides,
    }
    return review_schedule(**kwargs)


def _counts(tenant) -> tuple[int, int, int]:
    with tenant_context(tenant):
        return Review.objects.count(), ReviewCycle.objects.count(), Attendee.objects.count()


def _form(p: Program, own_cadence, **overrides):
    when = _when()
    return {
        "partner": p.partner.pk,
        "cadence": own_cadence.pk,
        "date": when.date().isoformat(),
        "time": "10:00",
        "moderator": "",
        "depth": "detailed",
        "reason": "Declining trend",
        **overrides,
    }


# --- the service ---


def test_a_review_is_filed_in_a_new_cycle_with_the_cadence_agenda_due_date_moderator_and_attendees(p, cadence):
    when = _when()
    review = _schedule(p, cadence, scheduled_for=when, reason="Declining trend")

    start, end = period_bounds("biannual", when.date())
    with tenant_context(p.tenant):
        cycle = ReviewCycle.objects.get(pk=review.cycle_id)
        attendees = set(Attendee.objects.filter(review=review).values_list("membership_id", flat=True))
        audit = AuditEntry.objects.filter(
            object_id=review.pk, action=LogEntry.Action.CREATE, content_type__model="review"
        ).get()
        transitions = ReviewTransition.objects.filter(review=review).count()
    assert (cycle.cadence_id, cycle.period_start, cycle.period_end) == (cadence.pk, start, end)
    assert (cycle.qualifying_count, cycle.detailed_count) == (1, 1)
    assert review.agenda == DEEP_DIVE_AGENDA
    assert review.kind == "deep_dive"
    assert review.scheduled_for == when
    assert review.self_assessment_due == when.date() - timedelta(days=7)
    assert review.moderator_id == p.moderator.pk  # none given: the partner's owner manager
    assert review.state == Review.State.SCHEDULED
    assert review.depth == Review.Depth.DETAILED
    assert review.priority_rank == 0
    assert review.selection_reason == "Scheduled by Ada Admin: Declining trend"
    assert attendees == {p.moderator.pk, p.partner_user.pk}
    assert audit.actor_id == p.admin.user_id
    assert transitions == 0


def test_generating_a_cycle_after_an_ad_hoc_review_ranks_the_others_as_a_first_generation(p, cadence):
    from reviews.services.cycles import cycle_generate

    review = _schedule(p, cadence)
    PartnerFactory(tenant=p.tenant, name="Generated Later", owner=p.moderator, stage="at_risk")
    cadence.stages = ["at_risk"]
    with tenant_context(p.tenant):
        cadence.save()
    result = cycle_generate(tenant=p.tenant, cadence=cadence, period_start=review.scheduled_for.date())
    with tenant_context(p.tenant):
        reasons = list(
            Review.objects.filter(cycle=result.cycle).exclude(pk=review.pk).values_list("selection_reason", flat=True)
        )
    assert result.created >= 1
    assert reasons
    assert not [r for r in reasons if "added after the cycle was generated" in r]


def test_an_existing_cycle_is_reused_and_the_chosen_moderator_attends(p, cadence):
    when = _when()
    start, end = period_bounds("biannual", when.date())
    existing = CycleFactory(cadence=cadence, period_start=start, period_end=end, qualifying_count=3)

    review = _schedule(p, cadence, scheduled_for=when, moderator=p.admin, depth="light")

    with tenant_context(p.tenant):
        cycle = ReviewCycle.objects.get(pk=existing.pk)
        attendees = set(Attendee.objects.filter(review=review).values_list("membership_id", flat=True))
        cycles = ReviewCycle.objects.filter(cadence=cadence).count()
    assert review.cycle_id == existing.pk
    assert cycles == 1
    assert (cycle.qualifying_count, cycle.detailed_count) == (4, 0)
    assert review.moderator_id == p.admin.pk
    assert review.selection_reason == "Scheduled by Ada Admin: ad hoc"
    assert p.admin.pk in attendees
    assert p.moderator.pk not in attendees


def test_the_owner_manager_may_schedule_a_review_of_their_partner(p, cadence):
    review = _schedule(p, cadence, actor=p.moderator)
    assert review.partner_id == p.partner.pk


def test_a_second_review_of_the_partner_in_the_same_cycle_is_refused_naming_the_existing_date(p, cadence):
    first = _schedule(p, cadence, scheduled_for=_when(40))
    before = _counts(p.tenant)

    with pytest.raises(InvalidInputError) as refused:
        _schedule(p, cadence, scheduled_for=first.scheduled_for + timedelta(days=1))

    assert f"{first.scheduled_for:%d %b %Y}" in refused.value.message
    assert "already has a review in this cycle" in refused.value.message
    assert refused.value.extra["review"] == first.pk
    assert _counts(p.tenant) == before


def test_a_date_in_the_past_is_refused(p, cadence):
    before = _counts(p.tenant)
    with pytest.raises(InvalidInputError) as refused:
        _schedule(p, cadence, scheduled_for=datetime.now(UTC) - timedelta(hours=1))
    assert "in the past" in refused.value.message
    assert "scheduled_for" in refused.value.extra["fields"]
    assert _counts(p.tenant) == before


def test_a_partner_user_or_an_inactive_member_cannot_moderate(p, cadence):
    inactive = member(p.tenant, Role.MANAGER, is_active=False)
    for moderator in (p.partner_user, inactive):
        with pytest.raises(InvalidInputError) as refused:
            _schedule(p, cadence, moderator=moderator)
        assert "moderator" in refused.value.extra["fields"]


def test_an_inactive_cadence_is_refused(p, cadence):
    with tenant_context(p.tenant):
        type(cadence).objects.filter(pk=cadence.pk).update(is_active=False)
    cadence.is_active = False
    with pytest.raises(InvalidInputError) as refused:
        _schedule(p, cadence)
    assert "cadence" in refused.value.extra["fields"]


@pytest.mark.parametrize("field", ["partner", "cadence", "moderator"])
def test_another_tenants_partner_cadence_or_moderator_is_refused_naming_the_field(p, cadence, foreign, field):
    before = _counts(p.tenant)
    with pytest.raises(CrossTenantReferenceError) as refused:
        _schedule(p, cadence, **{field: foreign[field]})
    assert field in refused.value.extra["fields"]
    assert _counts(p.tenant) == before


def test_a_manager_of_another_partner_is_refused_even_naming_themselves_moderator(p, cadence):
    with pytest.raises(PermissionDeniedError):
        _schedule(p, cadence, actor=p.other_manager, moderator=p.other_manager)


# --- the API ---


def test_the_api_schedules_a_review_and_answers_201_with_it(p, cadence, api_client_for):
    when = _when()
    response = api_client_for(p.moderator).post(
        tenant_url("api_review_list", p.tenant),
        {"cadence": cadence.pk, "partner": p.partner.pk, "scheduled_for": when.isoformat(), "reason": "Decline"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partner"] == p.partner.pk
    assert body["cadence"] == cadence.pk
    assert body["moderator"] == p.moderator.pk
    assert body["state"] == "scheduled"
    assert body["agenda"] == DEEP_DIVE_AGENDA


def test_the_api_refuses_a_duplicate_and_a_past_date_with_400(p, cadence, api_client_for):
    client = api_client_for(p.admin)
    payload = {"cadence": cadence.pk, "partner": p.partner.pk, "scheduled_for": _when().isoformat()}
    assert client.post(tenant_url("api_review_list", p.tenant), payload, format="json").status_code == 201
    before = _counts(p.tenant)

    duplicate = client.post(tenant_url("api_review_list", p.tenant), payload, format="json")
    past = client.post(
        tenant_url("api_review_list", p.tenant),
        {**payload, "scheduled_for": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
        format="json",
    )

    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "already_scheduled"
    assert past.status_code == 400
    assert "scheduled_for" in past.json()["extra"]["fields"]
    assert _counts(p.tenant) == before


@pytest.mark.parametrize("field", ["partner", "cadence", "moderator"])
def test_the_api_answers_400_naming_a_foreign_field_and_writes_nothing(p, cadence, foreign, field, api_client_for):
    payload = {"cadence": cadence.pk, "partner": p.partner.pk, "scheduled_for": _when().isoformat()}
    payload[field] = foreign[field].pk
    before = _counts(p.tenant)

    response = api_client_for(p.admin).post(tenant_url("api_review_list", p.tenant), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]
    assert _counts(p.tenant) == before


def test_the_api_refuses_a_manager_of_another_partner_an_executive_and_a_partner_user(p, cadence, api_client_for):
    payload = {"cadence": cadence.pk, "partner": p.partner.pk, "scheduled_for": _when().isoformat()}
    before = _counts(p.tenant)
    for who in (p.other_manager, p.executive, p.partner_user):
        response = api_client_for(who).post(tenant_url("api_review_list", p.tenant), payload, format="json")
        assert response.status_code == 403, who.role
    assert _counts(p.tenant) == before


# --- the page ---


def test_the_page_schedules_a_review_and_redirects_to_it(client, p, cadence):
    client.force_login(p.moderator.user)
    response = client.post(tenant_url("review_schedule", p.tenant), _form(p, cadence, moderator=p.admin.pk))

    with tenant_context(p.tenant):
        review = Review.objects.filter(cadence=cadence).get()
    assert response.status_code == 302
    assert response["Location"] == tenant_url("review_detail", p.tenant, review_id=review.pk)
    assert review.moderator_id == p.admin.pk
    assert review.selection_reason == "Scheduled by Maya Moderator: Declining trend"


def test_the_page_prefills_the_partner_and_offers_a_manager_only_their_own_partners(client, p, cadence):
    client.force_login(p.moderator.user)
    body = client.get(tenant_url("review_schedule", p.tenant), {"partner": p.partner.pk}).content.decode()
    assert f'<option value="{p.partner.pk}" selected>Northwind Traders</option>' in body
    assert "Someone Else" not in body  # the other manager's partner
    assert "Deep dive" in body


def test_the_review_list_and_partner_page_link_to_the_page_for_those_who_may_schedule(client, p):
    client.force_login(p.moderator.user)
    link = tenant_url("review_schedule", p.tenant)
    assert link in client.get(tenant_url("review_list", p.tenant)).content.decode()
    assert (
        f"{link}?partner={p.partner.pk}"
        in client.get(tenant_url("partner_detail", p.tenant, partner_id=p.partner.pk)).content.decode()
    )
    client.force_login(p.executive.user)
    assert link not in client.get(tenant_url("review_list", p.tenant)).content.decode()


def test_the_page_refuses_a_duplicate_and_a_past_date_with_field_errors_and_400(client, p, cadence):
    client.force_login(p.admin.user)
    assert client.post(tenant_url("review_schedule", p.tenant), _form(p, cadence)).status_code == 302
    before = _counts(p.tenant)

    duplicate = client.post(tenant_url("review_schedule", p.tenant), _form(p, cadence))
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    past = client.post(tenant_url("review_schedule", p.tenant), _form(p, cadence, date=yesterday))

    assert duplicate.status_code == 400
    assert "already has a review in this cycle" in duplicate.content.decode()
    assert past.status_code == 400
    assert "in the past" in past.content.decode()
    assert _counts(p.tenant) == before


@pytest.mark.parametrize("field", ["partner", "cadence", "moderator"])
def test_the_page_answers_400_for_a_foreign_field_and_writes_nothing(client, p, cadence, foreign, field):
    client.force_login(p.admin.user)
    before = _counts(p.tenant)
    response = client.post(tenant_url("review_schedule", p.tenant), _form(p, cadence, **{field: foreign[field].pk}))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert _counts(p.tenant) == before


def test_the_page_refuses_a_manager_scheduling_another_managers_partner(client, p, cadence):
    client.force_login(p.other_manager.user)
    before = _counts(p.tenant)
    response = client.post(tenant_url("review_schedule", p.tenant), _form(p, cadence))
    assert response.status_code == 400  # the partner is not among their choices
    assert _counts(p.tenant) == before


@pytest.mark.parametrize("role", ["executive", "partner_user"])
def test_the_page_is_refused_to_an_executive_and_a_partner_user(client, p, cadence, role):
    client.force_login(getattr(p, role).user)
    before = _counts(p.tenant)
    assert client.get(tenant_url("review_schedule", p.tenant)).status_code == 403
    assert client.post(tenant_url("review_schedule", p.tenant), _form(p, cadence)).status_code == 403
    assert _counts(p.tenant) == before


def test_the_page_reads_a_bounded_number_of_queries(client, p, cadence):
    client.force_login(p.admin.user)

    def measure() -> int:
        return settled_queries(client, tenant_url("review_schedule", p.tenant))

    small = measure()
    for n in range(15):
        partner = PartnerFactory(tenant=p.tenant, owner=member(p.tenant, Role.MANAGER))
        ReviewFactory(cycle=p.review.cycle, partner=partner)
        CadenceFactory(tenant=p.tenant, name=f"Extra cadence {n}")
    assert measure() == small
