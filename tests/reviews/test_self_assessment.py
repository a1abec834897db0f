from __future__ import annotations

import pytest

from partnerhub.core.errors import NotFoundError, PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.errors import ReviewLockedError, SelfAssessmentInvalidError
from reviews.models import Review, SelfAssessment
from reviews.services.portal import self_assessment_submit
from tests.factories import member
from tests.reviews.portal_world import counts, portal, qbr, upcoming_qbr
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db

ANSWERS = {"wins": "Closed Initech", "lessons": "Start earlier", "needs": "A demo tenant", "risks": "Staff turnover"}


@pytest.fixture
def world(tenant):
    return portal(tenant)


def _submit(world, review, data, actor=None):
    with tenant_context(world.tenant):
        return self_assessment_submit(tenant=world.tenant, actor=actor or world.partner_user, review=review, data=data)


# --- service ---


def test_a_partner_user_submits_then_edits_their_self_assessment(world):
    review = upcoming_qbr(world.tenant, world.partner)

    first = _submit(world, review, ANSWERS)
    second = _submit(world, review, {**ANSWERS, "risks": "", "wins": "Closed Initech and Globex"})

    assert first.pk == second.pk
    with tenant_context(world.tenant):
        saved = SelfAssessment.objects.get(review=review)
    assert (saved.wins, saved.risks, saved.partner_id) == ("Closed Initech and Globex", "", world.partner.pk)
    assert saved.submitted_by_id == world.partner_user.pk


@pytest.mark.parametrize("state", [Review.State.HELD, Review.State.SIGNED_OFF, Review.State.CANCELLED])
def test_a_self_assessment_is_locked_once_the_review_is_held_signed_off_or_cancelled(world, state):
    review = qbr(world.tenant, world.partner, state=state)

    with pytest.raises(ReviewLockedError):
        _submit(world, review, ANSWERS)

    assert counts(world.tenant)[0] == 0


def test_an_empty_self_assessment_is_refused(world):
    review = upcoming_qbr(world.tenant, world.partner)

    with pytest.raises(SelfAssessmentInvalidError, match="at least one"):
        _submit(world, review, {"wins": "  ", "lessons": ""})

    assert counts(world.tenant)[0] == 0


def test_another_partners_review_is_not_found(world):
    review = upcoming_qbr(world.tenant, world.sibling)

    with pytest.raises(NotFoundError):
        _submit(world, review, ANSWERS)


def test_an_internal_user_cannot_submit_the_partners_self_assessment(world):
    review = upcoming_qbr(world.tenant, world.partner)

    with pytest.raises(PermissionDeniedError):
        _submit(world, review, ANSWERS, actor=member(world.tenant, Role.ADMIN))


# --- page ---


def test_the_portal_form_saves_the_self_assessment_and_shows_it_again(world, client_for):
    review = upcoming_qbr(world.tenant, world.partner)
    client = client_for(world.partner_user)

    response = client.post(tenant_url("portal_self_assessment", world.tenant, review_id=review.pk), ANSWERS)
    page = client.get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk)).content.decode()

    assert response.status_code == 302
    assert "Closed Initech" in page
    assert "Update self-assessment" in page


def test_an_empty_form_answers_400_with_the_reason(world, client_for):
    review = upcoming_qbr(world.tenant, world.partner)

    response = client_for(world.partner_user).post(
        tenant_url("portal_self_assessment", world.tenant, review_id=review.pk), {}
    )

    assert response.status_code == 400
    assert "Write at least one of your wins" in response.content.decode()
    assert counts(world.tenant)[0] == 0


def test_posting_after_the_review_was_held_answers_400_and_the_record_stays(world, client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.HELD)
    with tenant_context(world.tenant):
        SelfAssessment.objects.create(tenant=world.tenant, review=review, partner=world.partner, wins="Original")

    response = client_for(world.partner_user).post(
        tenant_url("portal_self_assessment", world.tenant, review_id=review.pk), {"wins": "Rewritten"}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "has been held" in body
    assert "Original" in body
    with tenant_context(world.tenant):
        assert SelfAssessment.objects.get(review=review).wins == "Original"


def test_a_held_review_shows_the_self_assessment_read_only(world, client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.HELD)
    with tenant_context(world.tenant):
        SelfAssessment.objects.create(tenant=world.tenant, review=review, partner=world.partner, wins="READ-ONLY-WIN")

    body = (
        client_for(world.partner_user)
        .get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk))
        .content.decode()
    )

    assert "READ-ONLY-WIN" in body
    assert "<textarea" not in body
