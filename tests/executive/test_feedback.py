from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from partnerhub.core.models import Notification, Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.models import ReviewFeedback
from partnerhub.executive.selectors.feedback import review_quality
from partnerhub.executive.services.feedback import feedback_invite
from reviews.models import Attendee
from tests.factories import PartnerFactory
from tests.reviews.factories import CadenceFactory, CycleFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_off(tenant, actor):
    moderator = actor(Role.MANAGER)
    partner = PartnerFactory(tenant=tenant, name="Feedback Partner", owner=moderator)
    user = actor(Role.PARTNER, partner=partner)
    review = ReviewFactory(
        cycle=CycleFactory(cadence=CadenceFactory(tenant=tenant)),
        partner=partner,
        moderator=moderator,
        state="signed_off",
        scheduled_for=datetime.now(UTC) - timedelta(days=5),
        signed_off_at=timezone.now() - timedelta(days=2),
    )
    with tenant_context(tenant):
        Attendee.objects.create(tenant=tenant, review=review, membership=user, side="partner")
    return {"review": review, "user": user, "moderator": moderator, "partner": partner}


def test_the_partner_attendees_of_a_signed_off_review_are_asked_once(tenant, signed_off):
    assert feedback_invite(tenant=tenant, now=timezone.now()) == 1
    assert feedback_invite(tenant=tenant, now=timezone.now()) == 0
    with tenant_context(tenant):
        note = Notification.objects.get(kind="review_feedback")
    assert note.recipient_id == signed_off["user"].pk
    assert note.url == f"/t/alpha/portal/feedback/{signed_off['review'].pk}/"


def test_feedback_is_given_once_and_feeds_review_quality_per_moderator_and_cadence(tenant, signed_off, client_for):
    client = client_for(signed_off["user"])
    url = f"/t/alpha/portal/feedback/{signed_off['review'].pk}/"
    answer = {"useful": "5", "fair": "4", "prepared": "3", "comment": "Well run."}
    assert client.post(url, answer).status_code == 302
    again = client.post(url, answer)
    assert again.status_code in (200, 400)
    with tenant_context(tenant):
        assert ReviewFeedback.objects.count() == 1
        quality = review_quality(tenant=tenant)
    assert [(r.answers, r.overall) for r in quality["moderator"]] == [(1, 4.0)]
    moderator = signed_off["moderator"].user
    assert quality["moderator"][0].label == f"{moderator.first_name} {moderator.last_name}"  # named, not an address
    assert quality["cadence"][0].label == signed_off["review"].cadence.name


def test_review_quality_names_a_moderator_without_a_name_by_address(tenant, signed_off, client_for):
    moderator = signed_off["moderator"].user
    moderator.first_name = moderator.last_name = ""
    moderator.save()
    answer = {"useful": "5", "fair": "4", "prepared": "3"}
    assert (
        client_for(signed_off["user"]).post(f"/t/alpha/portal/feedback/{signed_off['review'].pk}/", answer).status_code
        == 302
    )
    with tenant_context(tenant):
        assert [r.label for r in review_quality(tenant=tenant)["moderator"]] == [moderator.email]


@pytest.mark.parametrize("answer", [{"useful": "6", "fair": "4", "prepared": "3"}, {"useful": "x"}])
def test_a_score_outside_1_to_5_is_refused(tenant, signed_off, client_for, answer):
    response = client_for(signed_off["user"]).post(f"/t/alpha/portal/feedback/{signed_off['review'].pk}/", answer)
    assert response.status_code == 400
    with tenant_context(tenant):
        assert not ReviewFeedback.objects.exists()


def test_a_review_not_signed_off_takes_no_feedback_and_another_partners_review_is_a_404(
    tenant, signed_off, actor, client_for
):
    pending = ReviewFactory(
        cycle=CycleFactory(cadence=signed_off["review"].cadence, period_start=date(2027, 1, 1)),
        partner=signed_off["partner"],
        state="held",
    )
    client = client_for(signed_off["user"])
    response = client.post(f"/t/alpha/portal/feedback/{pending.pk}/", {"useful": "5", "fair": "5", "prepared": "5"})
    assert response.status_code == 400
    assert "once the review is signed off" in response.content.decode()
    stranger = client_for(actor(Role.PARTNER))
    assert stranger.get(f"/t/alpha/portal/feedback/{signed_off['review'].pk}/").status_code == 404
    with tenant_context(tenant):
        assert not ReviewFeedback.objects.exists()
