"""Reminders: who hears of what, when; each sent once (in-app and by e-mail); a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerhub.core.models import Notification, Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import ActionItem, Attendee, Forecast, Review, SelfAssessment, Visibility
from reviews.services.reminders import reminders_send
from tests.factories import PartnerFactory, member
from tests.reviews.factories import ActionItemFactory, CadenceFactory, CycleFactory, ReviewFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 10, 12)  # a Monday


def run(tenant, today=TODAY, **kwargs):
    with tenant_context(tenant):
        return reminders_send(tenant=tenant, today=today, **kwargs)


def sent(tenant):
    """{(recipient id, dedupe key)} of every notification of the tenant."""
    with tenant_context(tenant):
        return set(Notification.objects.values_list("recipient_id", "dedupe_key"))


def held_at(day, hour=15):
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


@pytest.fixture
def people(tenant):
    partner = PartnerFactory(tenant=tenant, name="Acme Cloud")
    return {
        "moderator": member(tenant, Role.MANAGER, user__email="moderator@alpha.test", user__first_name="Maya"),
        "attendee": member(tenant, Role.MANAGER, user__email="marketing@alpha.test"),
        "bystander": member(tenant, Role.MANAGER, user__email="bystander@alpha.test"),
        "exec": member(tenant, Role.EXECUTIVE, user__email="exec@alpha.test"),
        "partner": partner,
        "partner_user": member(tenant, Role.PARTNER, partner=partner, user__email="pat@acme.test"),
        "partner_user_2": member(tenant, Role.PARTNER, partner=partner, user__email="piet@acme.test"),
    }


@pytest.fixture
def cycle(tenant):
    return CycleFactory(cadence=CadenceFactory(tenant=tenant, name="QBR", asks_forecast=True))


def make_review(cycle, people, *, days=3, partner=None, **kwargs):
    review = ReviewFactory(
        cycle=cycle,
        partner=partner or people["partner"],
        moderator=people["moderator"],
        scheduled_for=held_at(TODAY + timedelta(days=days)),
        **kwargs,
    )
    with tenant_context(review.tenant):
        Attendee.objects.create(tenant=review.tenant, review=review, membership=people["attendee"])
        Attendee.objects.create(
            tenant=review.tenant, review=review, membership=people["partner_user"], side=Attendee.Side.PARTNER
        )
        Attendee.objects.create(tenant=review.tenant, review=review, name="Guest without account")
    return review


# --- upcoming reviews ---


def test_three_days_before_the_moderator_and_internal_attendees_are_reminded(tenant, people, cycle):
    review = make_review(cycle, people, days=3)
    result = run(tenant)
    key = f"review:{review.pk}:upcoming:3d"
    assert sent(tenant) == {(people["moderator"].pk, key), (people["attendee"].pk, key)}
    assert result.upcoming == 2


def test_the_day_before_they_are_reminded_again_and_only_once(tenant, people, cycle):
    review = make_review(cycle, people, days=3)
    run(tenant)
    run(tenant, TODAY + timedelta(days=1))  # two days before: the 3-day reminder is already sent
    assert run(tenant, TODAY + timedelta(days=2)).upcoming == 2
    assert run(tenant, TODAY + timedelta(days=3)).upcoming == 0  # on the day: the day-before one was sent
    keys = {key for _, key in sent(tenant)}
    assert keys == {f"review:{review.pk}:upcoming:3d", f"review:{review.pk}:upcoming:1d"}


def test_a_review_a_week_away_or_cancelled_or_held_reminds_nobody(tenant, people, cycle):
    make_review(cycle, people, days=7)
    make_review(cycle, people, days=2, partner=PartnerFactory(tenant=tenant), state=Review.State.CANCELLED)
    make_review(cycle, people, days=1, partner=PartnerFactory(tenant=tenant), state=Review.State.HELD)
    assert run(tenant).upcoming == 0


def test_the_upcoming_reminder_names_the_partner_and_time(tenant, people, cycle):
    make_review(cycle, people, days=1)
    run(tenant)
    with tenant_context(tenant):
        note = Notification.objects.get(recipient=people["moderator"])
    assert note.title == "QBR with Acme Cloud tomorrow"
    assert "13 October 2026 at 15:00" in note.body
    assert note.url == f"/t/alpha/reviews/{note.dedupe_key.split(':')[1]}/"


# --- self-assessment and forecast due ---


def test_partner_users_are_reminded_of_the_self_assessment_and_forecast_due(tenant, people, cycle):
    review = make_review(cycle, people, days=10, self_assessment_due=TODAY + timedelta(days=2))
    result = run(tenant)
    users = (people["partner_user"].pk, people["partner_user_2"].pk)
    assert sent(tenant) == {
        *((u, f"review:{review.pk}:self_assessment_due") for u in users),
        *((u, f"review:{review.pk}:forecast_due") for u in users),
    }
    assert (result.self_assessment, result.forecast) == (2, 2)


def test_without_its_own_due_date_the_cadences_lead_time_sets_it(tenant, people, cycle):
    # The cadence asks for the self-assessment 10 days before: a review 12 days away is due in 2 days.
    review = make_review(cycle, people, days=12, self_assessment_due=None)
    result = run(tenant)
    assert (result.self_assessment, result.forecast) == (2, 2)
    with tenant_context(tenant):
        note = Notification.objects.filter(dedupe_key=f"review:{review.pk}:self_assessment_due").first()
    assert "14 October 2026" in note.body


def test_nothing_is_due_when_the_partner_has_submitted(tenant, people, cycle):
    review = make_review(cycle, people, days=10, self_assessment_due=TODAY + timedelta(days=1))
    with tenant_context(tenant):
        SelfAssessment.objects.create(
            tenant=tenant, review=review, partner=review.partner, wins="Won", submitted_at=timezone.now()
        )
        Forecast.objects.create(
            tenant=tenant,
            review=review,
            partner=review.partner,
            quarter_start=date(2026, 10, 1),
            submitted_at=timezone.now(),
        )
    assert run(tenant).as_dict()["created"] == 0


def test_a_draft_self_assessment_still_counts_as_due(tenant, people, cycle):
    review = make_review(cycle, people, days=10, self_assessment_due=TODAY)
    with tenant_context(tenant):
        SelfAssessment.objects.create(tenant=tenant, review=review, partner=review.partner, wins="Draft")
    assert run(tenant).self_assessment == 2


def test_no_forecast_reminder_when_the_cadence_asks_for_none(tenant, people):
    cycle = CycleFactory(cadence=CadenceFactory(tenant=tenant, name="Health", asks_forecast=False))
    make_review(cycle, people, days=10, self_assessment_due=TODAY + timedelta(days=3))
    result = run(tenant)
    assert (result.self_assessment, result.forecast) == (2, 0)


def test_a_due_date_further_off_or_past_reminds_nobody(tenant, people, cycle):
    make_review(cycle, people, days=10, self_assessment_due=TODAY + timedelta(days=4))
    make_review(
        cycle, people, days=10, partner=PartnerFactory(tenant=tenant), self_assessment_due=TODAY - timedelta(days=1)
    )
    assert run(tenant).as_dict()["created"] == 0


def test_only_the_reviewed_partners_active_users_hear_of_it(tenant, people, cycle):
    other = PartnerFactory(tenant=tenant, name="Other Co")
    outsider = member(tenant, Role.PARTNER, partner=other)
    with tenant_context(tenant):
        people["partner_user_2"].is_active = False
        people["partner_user_2"].save(update_fields=["is_active"])
    make_review(cycle, people, days=10, self_assessment_due=TODAY + timedelta(days=2))
    run(tenant)
    recipients = {recipient for recipient, _ in sent(tenant)}
    assert recipients == {people["partner_user"].pk}
    assert outsider.pk not in recipients


def test_the_due_reminders_link_the_portal_forms(tenant, people, cycle):
    review = make_review(cycle, people, days=10, self_assessment_due=TODAY + timedelta(days=2))
    run(tenant)
    with tenant_context(tenant):
        urls = dict(Notification.objects.filter(recipient=people["partner_user"]).values_list("kind", "url"))
    assert urls == {
        "review.self_assessment_due": f"/t/alpha/portal/reviews/{review.pk}/self-assessment/",
        "review.forecast_due": f"/t/alpha/portal/reviews/{review.pk}/forecast/",
    }


# --- overdue action items ---


def test_the_owner_of_an_overdue_action_is_reminded_once_a_week(tenant, people, cycle):
    review = make_review(cycle, people, days=30)
    action = ActionItemFactory(review=review, owner=people["bystander"], due_date=TODAY - timedelta(days=1))
    assert run(tenant).overdue == 1
    assert run(tenant, TODAY + timedelta(days=6)).overdue == 0  # Sunday: the same ISO week
    assert run(tenant, TODAY + timedelta(days=7)).overdue == 1  # the next Monday: a new week
    assert sent(tenant) == {
        (people["bystander"].pk, f"action:{action.pk}:overdue:2026-W42"),
        (people["bystander"].pk, f"action:{action.pk}:overdue:2026-W43"),
    }


@pytest.mark.parametrize(
    ("status", "due_in", "expected"),
    [
        (ActionItem.Status.OPEN, -1, 1),
        (ActionItem.Status.IN_PROGRESS, -30, 1),
        (ActionItem.Status.OPEN, 0, 0),  # due today is not overdue yet
        (ActionItem.Status.DONE, -5, 0),
        (ActionItem.Status.CANCELLED, -5, 0),
    ],
)
def test_only_open_actions_past_their_due_date_are_overdue(tenant, people, cycle, status, due_in, expected):
    review = make_review(cycle, people, days=30)
    ActionItemFactory(review=review, owner=people["bystander"], status=status, due_date=TODAY + timedelta(due_in))
    assert run(tenant).overdue == expected


def test_a_partner_owner_hears_of_their_shared_actions_only(tenant, people, cycle):
    review = make_review(cycle, people, days=30)
    shared = ActionItemFactory(review=review, owner=people["partner_user"], due_date=TODAY - timedelta(days=3))
    ActionItemFactory(
        review=review,
        owner=people["partner_user"],
        visibility=Visibility.INTERNAL,
        due_date=TODAY - timedelta(days=3),
    )
    run(tenant)
    assert sent(tenant) == {(people["partner_user"].pk, f"action:{shared.pk}:overdue:2026-W42")}
    with tenant_context(tenant):
        assert Notification.objects.get().url == "/t/alpha/portal/actions/"


def test_an_action_without_owner_reminds_nobody(tenant, people, cycle):
    ActionItemFactory(review=make_review(cycle, people, days=30), owner=None, due_date=TODAY - timedelta(days=3))
    assert run(tenant).overdue == 0


# --- once only, e-mails, tenancy, queries ---


def _everything(tenant, people, cycle):
    review = make_review(cycle, people, days=3, self_assessment_due=TODAY + timedelta(days=1))
    ActionItemFactory(review=review, owner=people["moderator"], due_date=TODAY - timedelta(days=2))


def test_running_twice_sends_nothing_new(tenant, people, cycle):
    _everything(tenant, people, cycle)
    first = run(tenant).as_dict()
    second = run(tenant).as_dict()
    assert first == {"upcoming": 2, "self_assessment": 2, "forecast": 2, "overdue": 1, "created": 7, "emailed": 7}
    assert second == {"upcoming": 0, "self_assessment": 0, "forecast": 0, "overdue": 0, "created": 0, "emailed": 0}


def test_each_reminder_is_emailed_once_after_commit(
    tenant, people, cycle, mailoutbox, django_capture_on_commit_callbacks
):
    _everything(tenant, people, cycle)
    with django_capture_on_commit_callbacks(execute=True):
        run(tenant)
    assert len(mailoutbox) == 7
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["moderator@alpha.test"] * 2 + ["marketing@alpha.test"] + ["pat@acme.test", "piet@acme.test"] * 2
    )
    assert all(m.subject.startswith("[Alpha Alliances] ") for m in mailoutbox)
    assert all("http://" in m.body for m in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        run(tenant)
    assert len(mailoutbox) == 7
    with tenant_context(tenant):
        assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_without_email_the_reminders_stay_owed_and_a_later_run_sends_them(
    tenant, people, cycle, mailoutbox, django_capture_on_commit_callbacks
):
    _everything(tenant, people, cycle)
    with django_capture_on_commit_callbacks(execute=True):
        run(tenant, email=False)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        result = run(tenant)
    assert (result.as_dict()["created"], result.emailed, len(mailoutbox)) == (0, 7, 7)


def test_another_tenants_reviews_and_actions_remind_nobody_here(tenant, other_tenant, people, cycle):
    foreign_manager = member(other_tenant, Role.MANAGER)
    foreign_cycle = CycleFactory(cadence=CadenceFactory(tenant=other_tenant))
    foreign = ReviewFactory(
        cycle=foreign_cycle,
        partner=PartnerFactory(tenant=other_tenant, owner=foreign_manager),
        moderator=foreign_manager,
        scheduled_for=held_at(TODAY + timedelta(days=3)),
    )
    ActionItemFactory(review=foreign, owner=foreign_manager, due_date=TODAY - timedelta(days=3))
    assert run(tenant).as_dict()["created"] == 0
    assert run(other_tenant).as_dict()["created"] == 2


def test_the_run_reads_as_many_queries_for_30_reviews_as_for_3(tenant, people, cycle):
    def add(count):
        for _ in range(count):
            review = make_review(
                cycle,
                people,
                days=2,
                partner=PartnerFactory(tenant=tenant),
                self_assessment_due=TODAY + timedelta(days=1),
            )
            member(tenant, Role.PARTNER, partner=review.partner)
            ActionItemFactory(review=review, owner=people["moderator"], due_date=TODAY - timedelta(days=1))

    def queries(today):
        with CaptureQueriesContext(connection) as captured:
            result = run(tenant, today)
        return len(captured), result

    add(3)
    few, small = queries(TODAY)
    add(27)
    many, large = queries(TODAY)  # the first three were sent already: the 27 new ones go out
    assert (small.upcoming, small.self_assessment, small.forecast, small.overdue) == (6, 3, 3, 3)
    assert (large.upcoming, large.self_assessment, large.forecast, large.overdue) == (54, 27, 27, 27)
    assert few == many


def test_the_demo_seed_sends_the_days_reminders_in_app_only_and_creates_nothing_else(
    tenant, people, cycle, mailoutbox, django_capture_on_commit_callbacks
):
    from partnerhub.demo.review_calendar import seed_calendar

    _everything(tenant, people, cycle)
    with tenant_context(tenant):
        before = (Review.objects.count(), ActionItem.objects.count(), Attendee.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        counts = seed_calendar(tenant, today=TODAY)
    assert counts["created"] == 7
    assert mailoutbox == []
    with tenant_context(tenant):
        assert (Review.objects.count(), ActionItem.objects.count(), Attendee.objects.count()) == before
    assert seed_calendar(tenant, today=TODAY)["created"] == 0
