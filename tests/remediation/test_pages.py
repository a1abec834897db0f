from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Escalation, Finding, Lesson, Plan, PlanAction, ProgressUpdate
from tests.factories import PartnerFactory, member
from tests.remediation.factories import (
    CheckpointFactory,
    FindingFactory,
    PlanActionFactory,
    PlanFactory,
    ProgressUpdateFactory,
    program,
)
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def url(tenant, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def world(tenant):
    prog = program(tenant)
    plan = PlanFactory(partner=prog.declining, owner=prog.manager, sponsor=prog.sponsor, goal="Back to green")
    checkpoint = CheckpointFactory(
        plan=plan, status="missed", actual=Decimal("34"), explanation="Score was 34 points in June 2026."
    )
    CheckpointFactory(plan=plan, measure="metric", metric=prog.revenue, target=Decimal("90"))
    PlanActionFactory(plan=plan, side="partner", owner=prog.partner_user, title="Certify two engineers")
    PlanActionFactory(plan=plan, title="Coach the sales lead", shared=False)
    ProgressUpdateFactory(plan=plan, body="INTERNAL-UPDATE-MARKER", shared=False)
    ProgressUpdateFactory(plan=plan, body="Shared progress", shared=True)
    FindingFactory(partner=prog.declining, plan=plan, title="Sellers lack the new pitch")
    with tenant_context(tenant):
        Escalation.objects.create(
            tenant=tenant, plan=plan, checkpoint=checkpoint, rung=1, reason="Checkpoint missed", day=date(2026, 7, 10)
        )
        closed = Plan.objects.create(
            tenant=tenant,
            partner=prog.steady,
            title="Old plan",
            start_date=date(2025, 1, 1),
            target_end_date=date(2025, 6, 30),
            status="closed",
            outcome="succeeded",
        )
        Lesson.objects.create(
            tenant=tenant,
            plan=closed,
            partner=prog.steady,
            category="enablement",
            text="Pair each new seller with a mentor",
            outcome="succeeded",
        )
    return prog, plan


PAGES = [
    ("finding_list", {}),
    ("finding_create", {}),
    ("plan_list", {}),
    ("plan_create", {}),
    ("lesson_list", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_list_page_answers_for_a_manager(world, client_for, name, kwargs):
    prog, _ = world
    response = client_for(prog.manager).get(url(prog.tenant, name, **kwargs))
    assert response.status_code == 200


def test_the_plan_page_shows_checkpoints_with_a_chart_actions_updates_and_the_ladder(world, client_for):
    prog, plan = world
    response = client_for(prog.manager).get(url(prog.tenant, "plan_detail", plan_id=plan.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Score at least 60 points in June 2026" in body
    assert "Revenue at least 90 USD in June 2026" in body
    assert body.count('data-figure="') == 2
    assert "Certify two engineers" in body
    assert "INTERNAL-UPDATE-MARKER" in body
    assert "Owner</strong> told on 10 Jul 2026" in body


def test_the_finding_and_settings_pages_answer(world, client_for):
    prog, plan = world
    with tenant_context(prog.tenant):
        finding = Finding.objects.get(plan=plan)
    assert (
        client_for(prog.manager).get(url(prog.tenant, "finding_detail", remediation_finding_id=finding.pk)).status_code
        == 200
    )
    assert (
        client_for(prog.manager).get(url(prog.tenant, "finding_edit", remediation_finding_id=finding.pk)).status_code
        == 200
    )
    assert client_for(prog.admin).get(url(prog.tenant, "remediation_settings")).status_code == 200


def test_a_new_finding_of_a_category_shows_the_lessons_of_earlier_plans(world, client_for):
    prog, _ = world
    response = client_for(prog.manager).get(url(prog.tenant, "finding_lessons_hint") + "?category=enablement")
    assert "1 lesson from earlier plans on enablement resources" in response.content.decode()


def test_the_backlog_shows_a_cause_found_at_three_partners_as_a_program_pattern(world, client_for):
    prog, _ = world
    today = timezone.localdate()
    for i in range(3):
        partner = PartnerFactory(tenant=prog.tenant, name=f"Emea {i}", region="emea")
        FindingFactory(partner=partner, category="channel_conflict", date_found=today)
    body = client_for(prog.manager).get(url(prog.tenant, "finding_list")).content.decode()
    assert "Channel conflict: 3 partners in EMEA this quarter" in body


def test_the_review_page_the_preread_and_the_scorecard_show_the_open_plan(world, client_for):
    prog, plan = world
    review = ReviewFactory(partner=prog.declining, cycle__cadence__tenant=prog.tenant)
    client = client_for(prog.manager)
    for page in (
        url(prog.tenant, "review_detail", review_id=review.pk),
        url(prog.tenant, "review_preread", review_id=review.pk),
        url(prog.tenant, "partner_scorecard", partner_id=prog.declining.pk),
    ):
        body = client.get(page).content.decode()
        assert plan.title in body, page
        assert "Score at least 60 points in June 2026" in body


def test_a_partner_user_sees_their_plans_shared_parts_and_no_internal_note(world, client_for):
    prog, plan = world
    body = client_for(prog.partner_user).get(url(prog.tenant, "portal_plan")).content.decode()
    assert plan.title in body
    assert "Certify two engineers" in body
    assert "Shared progress" in body
    for hidden in ("INTERNAL-UPDATE-MARKER", "Coach the sales lead", "Sellers lack the new pitch", "Checkpoint missed"):
        assert hidden not in body


def test_another_partners_user_sees_no_plan(world, client_for):
    prog, plan = world
    other = member(prog.tenant, Role.PARTNER, partner=prog.steady)
    body = client_for(other).get(url(prog.tenant, "portal_plan")).content.decode()
    assert plan.title not in body


def test_the_partner_updates_their_shared_action_inline(world, client_for):
    prog, plan = world
    with tenant_context(prog.tenant):
        action = PlanAction.objects.get(plan=plan, side="partner")
    response = client_for(prog.partner_user).post(
        url(prog.tenant, "portal_plan_action", plan_action_id=action.pk),
        {"status": "in_progress", "note": "Exams booked for August"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    with tenant_context(prog.tenant):
        action.refresh_from_db()
        update = ProgressUpdate.objects.get(action=action)
    assert (action.status, update.shared, update.side) == ("in_progress", True, "partner")
    assert update.figures[0]["label"] == "Score"


def test_the_partner_cannot_update_our_action(world, client_for):
    prog, plan = world
    with tenant_context(prog.tenant):
        ours = PlanAction.objects.get(plan=plan, title="Coach the sales lead")
    response = client_for(prog.partner_user).post(
        url(prog.tenant, "portal_plan_action", plan_action_id=ours.pk), {"status": "done"}
    )
    assert response.status_code == 404


def test_a_manager_opens_a_finding_from_a_review(world, client_for):
    prog, _ = world
    review = ReviewFactory(partner=prog.steady, cycle__cadence__tenant=prog.tenant)
    response = client_for(prog.manager).post(
        url(prog.tenant, "finding_create") + f"?review={review.pk}",
        {
            "review": review.pk,
            "partner": prog.steady.pk,
            "title": "Messaging misses the buyer",
            "category": "gtm_messaging",
            "severity": "high",
            "date_found": timezone.localdate().isoformat(),
            "root_cause_method": "five_whys",
            "whys": "Deals stall at the proposal\nThe value story is generic\nNo vertical playbook",
        },
    )
    assert response.status_code == 302
    with tenant_context(prog.tenant):
        finding = Finding.objects.get(title="Messaging misses the buyer")
    assert (finding.origin, finding.review_id, finding.partner_id) == ("review", review.pk, prog.steady.pk)
    assert finding.root_cause == {
        "whys": ["Deals stall at the proposal", "The value story is generic", "No vertical playbook"]
    }


@pytest.mark.parametrize("plans", [10, 60])
def test_the_plan_list_and_backlog_read_a_fixed_number_of_queries(tenant, client_for, plans):
    manager = member(tenant, Role.MANAGER)
    for i in range(plans):
        partner = PartnerFactory(tenant=tenant, owner=manager)
        plan = PlanFactory(partner=partner, owner=manager)
        CheckpointFactory(plan=plan)
        FindingFactory(partner=partner, plan=plan, owner=manager, date_found=timezone.localdate() - timedelta(days=i))
    client = client_for(manager)
    counts = []
    for name in ("plan_list", "finding_list"):
        client.get(url(tenant, name))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(tenant, name)).status_code == 200
        counts.append(len(queries))
    assert counts == [EXPECTED["plan_list"], EXPECTED["finding_list"]]


EXPECTED = {"plan_list": 17, "finding_list": 20}  # equal at 10 and 60 plans: nothing grows with the data
