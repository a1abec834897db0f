from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.errors import NotFoundError
from partnerhub.core.tenancy.context import tenant_context
from reviews.errors import ForecastInvalidError, ForecastNotAskedError, ReviewLockedError
from reviews.models import ForecastLine, Review
from reviews.services.forecasts import (
    ForecastLineInput,
    forecast_submit,
)
from scorecards.models import Deal
from tests.reviews.portal_world import (
    counts,
    deal,
    formset_post,
    line,
    portal,
    qbr,
    upcoming_qbr,
)
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant):
    return portal(tenant)


def _line(**overrides):
    values = {
        "opportunity": "Acme renewal",
        "stage": "Commit",
        "amount": Decimal("100000"),
        "probability": 80,
        "expected_close": date(2026, 11, 30),
        "deal_ref": "",
        **overrides,
    }
    return ForecastLineInput(**values)


def _submit(world, review, lines):
    with tenant_context(world.tenant):
        return forecast_submit(tenant=world.tenant, actor=world.partner_user, review=review, lines=lines)


def _lines(world):
    with tenant_context(world.tenant):
        return list(ForecastLine.objects.order_by("id").values_list("opportunity", "probability", "deal_id"))


# --- service ---


def test_a_forecast_is_saved_for_the_review_cycles_quarter_and_matched_to_the_partners_deals(world):
    review = upcoming_qbr(world.tenant, world.partner)
    own = deal(world.tenant, world.partner, "OPP-1", "100000", status=Deal.Status.OPEN, close=None)
    deal(world.tenant, world.sibling, "OPP-SIBLING", "5", status=Deal.Status.OPEN, close=None)

    forecast = _submit(
        world,
        review,
        [_line(deal_ref="OPP-1"), _line(opportunity="Sibling probe", deal_ref="OPP-SIBLING"), _line(opportunity="New")],
    )

    assert forecast.quarter_start == date(2026, 10, 1)
    assert _lines(world) == [("Acme renewal", 80, own.pk), ("Sibling probe", 80, None), ("New", 80, None)]


def test_resubmitting_replaces_every_line(world):
    review = upcoming_qbr(world.tenant, world.partner)
    _submit(world, review, [_line(), _line(opportunity="Second")])

    _submit(world, review, [_line(opportunity="Only one", probability=30)])

    assert _lines(world) == [("Only one", 30, None)]
    assert counts(world.tenant)[1:] == (1, 1)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("probability", 101, "from 0 to 100"),
        ("probability", -1, "from 0 to 100"),
        ("amount", Decimal("-0.01"), "cannot be negative"),
        ("expected_close", date(2026, 9, 30), "on or after 1 Oct 2026"),
        ("opportunity", "", "Name the opportunity"),
    ],
)
def test_a_bad_line_saves_no_line_at_all(world, field, value, reason):
    review = upcoming_qbr(world.tenant, world.partner)
    _submit(world, review, [_line(opportunity="Kept")])

    with pytest.raises(ForecastInvalidError) as raised:
        _submit(world, review, [_line(opportunity="Good"), _line(**{field: value})])

    assert raised.value.extra["lines"].keys() == {1}
    assert reason in raised.value.extra["lines"][1][field][0]
    assert _lines(world) == [("Kept", 80, None)]


def test_a_crm_id_named_twice_is_refused(world):
    review = upcoming_qbr(world.tenant, world.partner)

    with pytest.raises(ForecastInvalidError) as raised:
        _submit(world, review, [_line(deal_ref="OPP-1"), _line(opportunity="Again", deal_ref="OPP-1")])

    assert "already on line 1" in raised.value.extra["lines"][1]["deal_ref"][0]
    assert counts(world.tenant)[1:] == (0, 0)


def test_an_empty_forecast_is_refused(world):
    review = upcoming_qbr(world.tenant, world.partner)

    with pytest.raises(ForecastInvalidError, match="at least one"):
        _submit(world, review, [])


def test_a_line_expected_after_the_quarter_is_accepted(world):
    review = upcoming_qbr(world.tenant, world.partner)

    _submit(world, review, [_line(expected_close=date(2027, 2, 1))])

    assert counts(world.tenant)[2] == 1


@pytest.mark.parametrize("state", [Review.State.HELD, Review.State.SIGNED_OFF, Review.State.CANCELLED])
def test_the_forecast_is_locked_once_the_review_is_held(world, state):
    review = qbr(world.tenant, world.partner, state=state)

    with pytest.raises(ReviewLockedError):
        _submit(world, review, [_line()])

    assert counts(world.tenant)[1:] == (0, 0)


def test_a_review_whose_cadence_asks_no_forecast_refuses_one(world):
    review = upcoming_qbr(world.tenant, world.partner, asks_forecast=False)

    with pytest.raises(ForecastNotAskedError):
        _submit(world, review, [_line()])


def test_another_partners_review_is_not_found(world):
    review = upcoming_qbr(world.tenant, world.sibling)

    with pytest.raises(NotFoundError):
        _submit(world, review, [_line()])


# --- page ---


def test_the_portal_form_saves_the_forecast(world, client_for):
    review = upcoming_qbr(world.tenant, world.partner)
    client = client_for(world.partner_user)

    response = client.post(
        tenant_url("portal_forecast", world.tenant, review_id=review.pk),
        formset_post(
            [
                line(opportunity="Acme renewal", probability="80"),
                line(opportunity="Globex"),
                line() | {"opportunity": "", "stage": "", "amount": "", "probability": "", "expected_close": ""},
            ]
        ),
    )
    page = client.get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk)).content.decode()

    assert response.status_code == 302
    assert [row[0] for row in _lines(world)] == ["Acme renewal", "Globex"]
    assert 'value="Acme renewal"' in page
    assert "Update forecast" in page


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("probability", "101", "A probability is a percentage from 0 to 100."),
        ("probability", "-1", "A probability is a percentage from 0 to 100."),
        ("amount", "-5", "The amount cannot be negative."),
        ("expected_close", "2026-09-30", "on or after 1 Oct 2026"),
    ],
)
def test_a_bad_row_shows_a_field_error_answers_400_and_saves_nothing(world, field, value, reason, client_for):
    review = upcoming_qbr(world.tenant, world.partner)

    response = client_for(world.partner_user).post(
        tenant_url("portal_forecast", world.tenant, review_id=review.pk),
        formset_post([line(opportunity="Good row"), line(**{field: value})]),
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert reason in body
    assert "Nothing was saved" in body
    assert counts(world.tenant)[1:] == (0, 0)


def test_add_another_line_keeps_the_rows_adds_a_blank_one_and_saves_nothing(world, client_for):
    review = upcoming_qbr(world.tenant, world.partner)

    response = client_for(world.partner_user).post(
        tenant_url("portal_forecast", world.tenant, review_id=review.pk),
        formset_post([line(opportunity="Typed so far", probability="")], add_line="1"),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Typed so far"' in body
    assert 'name="form-TOTAL_FORMS" value="2"' in body
    assert "errorlist" not in body
    assert 'class="error"' not in body
    assert counts(world.tenant)[1:] == (0, 0)


def test_a_removed_row_is_dropped(world, client_for):
    review = upcoming_qbr(world.tenant, world.partner)

    client_for(world.partner_user).post(
        tenant_url("portal_forecast", world.tenant, review_id=review.pk),
        formset_post([line(opportunity="Keep"), line(opportunity="Drop", DELETE="on")]),
    )

    assert [row[0] for row in _lines(world)] == ["Keep"]


def test_a_held_review_shows_the_forecast_read_only(world, client_for):
    review = qbr(world.tenant, world.partner, state=Review.State.HELD)
    from tests.reviews.portal_world import forecast_with_lines

    forecast_with_lines(review, [{"opportunity": "READ-ONLY-OPP", "amount": 1000, "probability": 40}])

    body = (
        client_for(world.partner_user)
        .get(tenant_url("portal_review_detail", world.tenant, review_id=review.pk))
        .content.decode()
    )

    assert "READ-ONLY-OPP" in body
    assert "Submit forecast" not in body
    assert "Scored after the quarter ends" in body
