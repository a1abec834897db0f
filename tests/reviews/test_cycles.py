"""Cycle generation: which partners, idempotency, the cap and its priority order, dates, moderators and attendees."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.domain.periods import period_bounds, period_label
from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError, PermissionDeniedError
from partnerhub.core.models import Membership, Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.models import Attendee, Review, ReviewCycle
from reviews.services.cycles import cycle_generate, cycles_generate_upcoming
from scorecards.models import ScorecardSnapshot, TemplateVersion
from tests.factories import PartnerFactory, member
from tests.reviews.factories import CadenceFactory
from tests.scorecards.factories import VersionFactory

Q1_2027 = date(2027, 2, 10)  # any day of the quarter


def snapshot(partner, month, score, *, trend="stable", change=None):
    """A monthly scorecard for ``partner`` (the generator reads score, change and trend)."""
    tenant = partner.tenant
    with tenant_context(tenant):
        version = TemplateVersion.objects.for_tenant(tenant).first()
    version = version or VersionFactory(template__tenant=tenant)
    with tenant_context(tenant):
        return ScorecardSnapshot.objects.create(
            tenant=tenant,
            partner=partner,
            period=ScorecardSnapshot.Period.MONTH,
            period_start=month,
            template_version=version,
            score=Decimal(score) if score is not None else None,
            change_previous=Decimal(change) if change is not None else None,
            trend=trend,
            computed_at=datetime(2027, 1, 2, tzinfo=UTC),
        )


def reviews_of(cycle):
    with tenant_context(cycle.tenant):
        return list(
            Review.objects.for_tenant(cycle.tenant)
            .filter(cycle=cycle)
            .select_related("partner")
            .order_by("priority_rank")
        )


def table(cycle):
    return [(r.priority_rank, r.partner.name, r.depth, r.selection_reason) for r in reviews_of(cycle)]


def generate(cadence, day=Q1_2027, actor=None):
    return cycle_generate(tenant=cadence.tenant, cadence=cadence, period_start=day, actor=actor)


def count(tenant, model):
    with tenant_context(tenant):
        return model.objects.for_tenant(tenant).count()


@pytest.fixture
def owner(tenant):
    return member(tenant, Role.MANAGER, function=Membership.Function.SALES)


@pytest.fixture
def qbr(tenant):
    return CadenceFactory(tenant=tenant, name="QBR", detailed_cap=None, review_offset_days=21)


# --- periods ---


@pytest.mark.parametrize(
    ("frequency", "day", "period", "label"),
    [
        ("monthly", date(2026, 11, 23), (date(2026, 11, 1), date(2026, 11, 30)), "November 2026"),
        ("monthly", date(2028, 2, 29), (date(2028, 2, 1), date(2028, 2, 29)), "February 2028"),
        ("quarterly", date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31)), "Q4 2026"),
        ("quarterly", date(2027, 2, 10), (date(2027, 1, 1), date(2027, 3, 31)), "Q1 2027"),
        ("biannual", date(2027, 6, 30), (date(2027, 1, 1), date(2027, 6, 30)), "H1 2027"),
        ("biannual", date(2027, 7, 1), (date(2027, 7, 1), date(2027, 12, 31)), "H2 2027"),
    ],
)
def test_a_cycle_is_the_month_quarter_or_half_year_containing_the_day(frequency, day, period, label):
    assert period_bounds(frequency, day) == period
    assert period_label(frequency, period[0]) == label


def test_the_cycle_starts_on_the_first_day_of_its_period_whatever_day_was_given(qbr, owner):
    PartnerFactory(tenant=qbr.tenant, owner=owner)
    result = generate(qbr, date(2027, 3, 17))
    assert (result.cycle.period_start, result.cycle.period_end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert generate(qbr, date(2027, 1, 1)).cycle.pk == result.cycle.pk


# --- which partners ---


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"SI gold growth", "Reseller silver growth", "SI silver at risk", "MSP gold mature"}),
        ({"partner_types": ["si"]}, {"SI gold growth", "SI silver at risk"}),
        ({"tiers": ["gold"]}, {"SI gold growth", "MSP gold mature"}),
        ({"stages": ["at_risk", "mature"]}, {"SI silver at risk", "MSP gold mature"}),
        ({"partner_types": ["si"], "tiers": ["silver"]}, {"SI silver at risk"}),
        ({"stages": ["at_risk"], "include_strategic": True}, {"SI silver at risk", "Reseller silver growth"}),
    ],
)
def test_a_cycle_takes_the_partners_matching_the_cadences_types_tiers_and_stages(tenant, owner, filters, expected):
    for name, kind, tier, stage, strategic in [
        ("SI gold growth", "si", "gold", "growth", False),
        ("Reseller silver growth", "reseller", "silver", "growth", True),
        ("SI silver at risk", "si", "silver", "at_risk", False),
        ("MSP gold mature", "msp", "gold", "mature", False),
    ]:
        PartnerFactory(
            tenant=tenant, name=name, partner_type=kind, tier=tier, stage=stage, is_strategic=strategic, owner=owner
        )
    cadence = CadenceFactory(tenant=tenant, **filters)
    result = generate(cadence)
    assert {r.partner.name for r in reviews_of(result.cycle)} == expected
    assert (result.created, result.existing, result.cycle.qualifying_count) == (len(expected), 0, len(expected))


def test_another_programs_partners_never_enter_a_cycle(qbr, owner, other_tenant):
    PartnerFactory(tenant=qbr.tenant, owner=owner, name="Ours")
    PartnerFactory(tenant=other_tenant, name="Theirs")
    assert [r.partner.name for r in reviews_of(generate(qbr).cycle)] == ["Ours"]


# --- idempotency ---


def test_generating_a_cycle_twice_creates_nothing_new(qbr, owner, tenant):
    for _ in range(3):
        PartnerFactory(tenant=tenant, owner=owner)
    first = generate(qbr)
    rows = (count(tenant, ReviewCycle), count(tenant, Review), count(tenant, Attendee))
    second = generate(qbr)
    assert (first.created, first.existing) == (3, 0)
    assert (second.created, second.existing, second.cycle.pk) == (0, 3, first.cycle.pk)
    assert (count(tenant, ReviewCycle), count(tenant, Review), count(tenant, Attendee)) == rows


def test_a_rerun_adds_reviews_only_for_partners_that_started_to_match_and_keeps_the_others(tenant, owner):
    cadence = CadenceFactory(tenant=tenant, stages=["at_risk"], detailed_cap=None)
    first = PartnerFactory(tenant=tenant, name="Already at risk", stage="at_risk", owner=owner)
    leaving = PartnerFactory(tenant=tenant, name="Recovered since", stage="at_risk", owner=owner)
    generate(cadence)
    with tenant_context(tenant):
        Partner.objects.filter(pk=leaving.pk).update(stage="growth")
        Partner.objects.filter(pk=first.pk).update(tier="gold")
    PartnerFactory(tenant=tenant, name="Newly at risk", stage="at_risk", owner=owner)
    result = generate(cadence)
    assert (result.created, result.existing) == (1, 2)
    assert [(rank, name) for rank, name, *_ in table(result.cycle)] == [
        (1, "Already at risk"),
        (2, "Recovered since"),
        (3, "Newly at risk"),
    ]
    assert table(result.cycle)[2][3] == ("At-risk stage; added after the cycle was generated (rank 3)")


# --- the cap and its priority ---


@pytest.fixture
def crowd(tenant, owner):
    """Seven partners, one per priority signal, in deliberately scrambled name order."""
    made = {
        "strategic": PartnerFactory(tenant=tenant, name="Alpha strategic", is_strategic=True, owner=owner),
        "declining": PartnerFactory(tenant=tenant, name="Bravo declining", owner=owner),
        "at_risk": PartnerFactory(tenant=tenant, name="Charlie at risk", stage="at_risk", owner=owner),
        "low": PartnerFactory(tenant=tenant, name="Delta low", owner=owner),
        "mid": PartnerFactory(tenant=tenant, name="Echo mid", owner=owner),
        "high": PartnerFactory(tenant=tenant, name="Foxtrot high", owner=owner),
        "unscored": PartnerFactory(tenant=tenant, name="Golf unscored", owner=owner),
    }
    snapshot(made["strategic"], date(2026, 12, 1), 90)
    snapshot(made["declining"], date(2026, 11, 1), 70, trend="improving")
    snapshot(made["declining"], date(2026, 12, 1), 54, trend="declining", change=-7)
    snapshot(made["at_risk"], date(2026, 12, 1), 70)
    snapshot(made["low"], date(2026, 12, 1), 40)
    snapshot(made["mid"], date(2026, 12, 1), 60)
    snapshot(made["high"], date(2026, 12, 1), 85)
    # The cycle's own month is not "before the cycle": this verdict does not count for Q1 2027.
    snapshot(made["high"], date(2027, 1, 1), 30, trend="declining", change=-55)
    return made


def test_over_the_cap_the_cycle_picks_strategic_then_declining_then_at_risk_then_lowest_score(tenant, crowd):
    cadence = CadenceFactory(tenant=tenant, detailed_cap=3)
    result = generate(cadence)
    assert table(result.cycle) == [
        (1, "Alpha strategic", "detailed", "Strategic partner: rank 1 of 7, within the cap of 3"),
        (2, "Bravo declining", "detailed", "Declining trend (score 61 → 54): rank 2 of 7, within the cap of 3"),
        (3, "Charlie at risk", "detailed", "At-risk stage: rank 3 of 7, within the cap of 3"),
        (4, "Delta low", "light", "Light-touch: rank 4 of 7, past the cap of 3 (score 40 in Dec 2026)"),
        (5, "Echo mid", "light", "Light-touch: rank 5 of 7, past the cap of 3 (score 60 in Dec 2026)"),
        (6, "Foxtrot high", "light", "Light-touch: rank 6 of 7, past the cap of 3 (score 85 in Dec 2026)"),
        (7, "Golf unscored", "light", "Light-touch: rank 7 of 7, past the cap of 3 (no score yet)"),
    ]
    assert (result.cycle.qualifying_count, result.cycle.detailed_count) == (7, 3)


def test_a_cap_reaching_past_the_signals_takes_the_lowest_scores_next(tenant, crowd):
    result = generate(CadenceFactory(tenant=tenant, detailed_cap=5))
    assert table(result.cycle)[3:6] == [
        (4, "Delta low", "detailed", "Lower score first (score 40 in Dec 2026): rank 4 of 7, within the cap of 5"),
        (5, "Echo mid", "detailed", "Lower score first (score 60 in Dec 2026): rank 5 of 7, within the cap of 5"),
        (6, "Foxtrot high", "light", "Light-touch: rank 6 of 7, past the cap of 5 (score 85 in Dec 2026)"),
    ]


def test_a_partner_with_several_signals_ranks_above_one_with_fewer_and_the_reason_names_them_all(tenant, owner):
    PartnerFactory(tenant=tenant, name="Strategic only", is_strategic=True, owner=owner)
    both = PartnerFactory(tenant=tenant, name="Zulu both", is_strategic=True, stage="at_risk", owner=owner)
    snapshot(both, date(2026, 12, 1), 48, trend="declining", change=-13)
    result = generate(CadenceFactory(tenant=tenant, detailed_cap=1))
    assert table(result.cycle) == [
        (
            1,
            "Zulu both",
            "detailed",
            "Strategic partner; declining trend (score 61 → 48); at-risk stage: rank 1 of 2, within the cap of 1",
        ),
        (2, "Strategic only", "light", "Light-touch: rank 2 of 2, past the cap of 1 (strategic partner; no score yet)"),
    ]


def test_under_the_cap_or_without_one_every_partner_gets_a_detailed_review_and_the_reason_says_so(tenant, crowd):
    capped = generate(CadenceFactory(tenant=tenant, detailed_cap=12))
    uncapped = generate(CadenceFactory(tenant=tenant, detailed_cap=None))
    assert {r.depth for r in reviews_of(capped.cycle) + reviews_of(uncapped.cycle)} == {"detailed"}
    assert table(capped.cycle)[0][3] == "Strategic partner; all 7 matching partners fit the cap of 12"
    assert table(uncapped.cycle)[3][3] == (
        "Score 40 in Dec 2026; this cadence has no cap, so every matching partner gets a detailed review"
    )


def test_a_partner_added_later_is_ranked_after_the_others_and_is_light_touch_once_the_cap_is_taken(tenant, crowd):
    cadence = CadenceFactory(tenant=tenant, detailed_cap=3)
    generate(cadence)
    PartnerFactory(tenant=tenant, name="Hotel strategic newcomer", is_strategic=True)
    result = generate(cadence)
    assert table(result.cycle)[-1] == (
        8,
        "Hotel strategic newcomer",
        "light",
        "Light-touch: added after the cycle's 3 detailed reviews were taken (rank 8; strategic partner)",
    )
    assert (result.cycle.qualifying_count, result.cycle.detailed_count) == (8, 3)


def test_the_snapshots_are_read_in_one_query_whatever_the_number_of_partners(tenant, owner):
    def queries_for(partners):
        cadence = CadenceFactory(tenant=tenant, detailed_cap=2)
        for p in PartnerFactory.create_batch(partners, tenant=tenant, owner=owner):
            snapshot(p, date(2026, 12, 1), 50)
        with CaptureQueriesContext(connection) as captured:
            generate(cadence)
        with tenant_context(tenant):
            Partner.objects.all().delete()
        return len(captured)

    assert queries_for(3) == queries_for(25)


# --- dates, moderator, attendees ---


def test_reviews_are_held_the_offset_into_the_period_in_the_moderators_next_free_slots(tenant, owner):
    cadence = CadenceFactory(tenant=tenant, review_offset_days=21, self_assessment_lead_days=10)
    other = member(tenant, Role.MANAGER)
    for n in range(5):
        PartnerFactory(tenant=tenant, name=f"Owned {n}", owner=owner)
    PartnerFactory(tenant=tenant, name="Other's", owner=other)
    reviews = {r.partner.name: r for r in reviews_of(generate(cadence).cycle)}
    # 1 Jan 2027 + 21 days is Friday 22 Jan; the fifth review of one moderator moves to Monday.
    assert [reviews[f"Owned {n}"].scheduled_for for n in range(5)] == [
        datetime(2027, 1, 22, 9, tzinfo=UTC),
        datetime(2027, 1, 22, 11, tzinfo=UTC),
        datetime(2027, 1, 22, 14, tzinfo=UTC),
        datetime(2027, 1, 22, 16, tzinfo=UTC),
        datetime(2027, 1, 25, 9, tzinfo=UTC),
    ]
    assert reviews["Other's"].scheduled_for == datetime(2027, 1, 22, 9, tzinfo=UTC)
    assert reviews["Owned 0"].self_assessment_due == date(2027, 1, 12)


def test_a_review_day_on_a_weekend_moves_to_monday(tenant, owner):
    cadence = CadenceFactory(tenant=tenant, frequency="monthly", review_offset_days=5)
    PartnerFactory(tenant=tenant, owner=owner)
    [review] = reviews_of(generate(cadence, date(2027, 2, 1)).cycle)
    assert review.scheduled_for == datetime(2027, 2, 8, 9, tzinfo=UTC)  # 6 Feb 2027 is a Saturday


def test_reviews_never_spill_past_the_periods_last_business_day(tenant, owner):
    cadence = CadenceFactory(tenant=tenant, frequency="monthly", review_offset_days=27)
    PartnerFactory.create_batch(9, tenant=tenant, owner=owner)
    dates = {r.scheduled_for.date() for r in reviews_of(generate(cadence, date(2027, 2, 1)).cycle)}
    assert max(dates) == date(2027, 2, 26)  # 28 Feb 2027 is a Sunday: Friday 26 is the last business day


def test_each_review_copies_the_cadences_kind_and_agenda_and_is_moderated_by_the_owner(qbr, owner, tenant):
    PartnerFactory(tenant=tenant, owner=owner)
    [review] = reviews_of(generate(qbr).cycle)
    assert (review.kind, review.agenda, review.moderator_id, review.state) == ("qbr", qbr.agenda, owner.pk, "scheduled")


def test_a_partner_without_an_active_owner_gets_no_moderator(qbr, tenant):
    gone = member(tenant, Role.MANAGER, is_active=False)
    PartnerFactory(tenant=tenant, owner=gone)
    PartnerFactory(tenant=tenant, owner=None)
    assert {r.moderator_id for r in reviews_of(generate(qbr).cycle)} == {None}


def test_attendees_are_the_moderator_sponsor_steward_and_the_partners_own_active_users(qbr, owner, tenant):
    sponsor = member(tenant, Role.EXECUTIVE)
    steward = member(tenant, Role.MANAGER, function=Membership.Function.CUSTOMER_SUCCESS)
    partner = PartnerFactory(tenant=tenant, owner=owner, executive_sponsor=sponsor, data_steward=steward)
    alone = PartnerFactory(tenant=tenant, owner=owner, executive_sponsor=owner)
    contact = member(tenant, Role.PARTNER, partner=partner, function=Membership.Function.MARKETING)
    member(tenant, Role.PARTNER, partner=partner, is_active=False)
    member(tenant, Role.PARTNER, partner=PartnerFactory(tenant=tenant, name="Elsewhere", stage="mature"))
    generate(CadenceFactory(tenant=tenant, stages=["growth"]))
    with tenant_context(tenant):
        rows = Attendee.objects.for_tenant(tenant).values_list(
            "review__partner_id", "membership_id", "function", "side"
        )
        by_partner = {}
        for partner_id, member_id, function, side in rows:
            by_partner.setdefault(partner_id, set()).add((member_id, function, side))
    assert by_partner[partner.pk] == {
        (owner.pk, "sales", "internal"),
        (sponsor.pk, "other", "internal"),
        (steward.pk, "customer_success", "internal"),
        (contact.pk, "marketing", "partner"),
    }
    assert by_partner[alone.pk] == {(owner.pk, "sales", "internal")}


# --- who may, and bad input ---


def test_a_manager_may_generate_and_the_cycle_records_who_did(qbr, owner, tenant):
    PartnerFactory(tenant=tenant, owner=owner)
    result = generate(qbr, actor=owner)
    assert (result.cycle.generated_by_id, result.cycle.generated_at is not None) == (owner.pk, True)


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PARTNER])
def test_an_executive_or_a_partner_user_may_not_generate(qbr, tenant, role):
    actor = member(tenant, role, partner=PartnerFactory(tenant=tenant) if role == Role.PARTNER else None)
    with pytest.raises(PermissionDeniedError):
        generate(qbr, actor=actor)
    assert count(tenant, ReviewCycle) == 0


def test_another_programs_cadence_or_actor_is_refused_and_nothing_is_written(qbr, tenant, other_tenant):
    foreign = CadenceFactory(tenant=other_tenant)
    with pytest.raises(CrossTenantReferenceError):
        cycle_generate(tenant=tenant, cadence=foreign, period_start=Q1_2027)
    with pytest.raises(CrossTenantReferenceError):
        generate(qbr, actor=member(other_tenant, Role.ADMIN))
    assert (count(tenant, ReviewCycle), count(other_tenant, ReviewCycle)) == (0, 0)


def test_an_inactive_cadence_generates_nothing(tenant):
    with pytest.raises(InvalidStateError, match="inactive"):
        generate(CadenceFactory(tenant=tenant, is_active=False))
    assert count(tenant, ReviewCycle) == 0


@pytest.mark.parametrize("day", [date(1999, 1, 1), date(2099, 1, 1)])
def test_a_period_far_in_the_past_or_future_is_refused(qbr, day):
    with pytest.raises(InvalidStateError) as refused:
        generate(qbr, day)
    assert refused.value.extra["fields"]["period_start"][0].startswith("Choose a period from")


# --- the scheduler's service ---


def test_the_scheduler_generates_every_active_cadences_cycles_starting_within_the_window(tenant, owner):
    PartnerFactory(tenant=tenant, owner=owner)
    monthly = CadenceFactory(tenant=tenant, name="Monthly", frequency="monthly")
    quarterly = CadenceFactory(tenant=tenant, name="Quarterly", frequency="quarterly")
    biannual = CadenceFactory(tenant=tenant, name="Biannual", frequency="biannual")
    CadenceFactory(tenant=tenant, name="Retired", frequency="monthly", is_active=False)
    results = cycles_generate_upcoming(tenant=tenant, today=date(2026, 12, 1), days_ahead=35)
    assert sorted((r.cycle.cadence.name, r.cycle.period_start) for r in results) == [
        ("Biannual", date(2027, 1, 1)),
        ("Monthly", date(2026, 12, 1)),
        ("Monthly", date(2027, 1, 1)),
        ("Quarterly", date(2027, 1, 1)),
    ]
    assert {r.created for r in results} == {1}
    again = cycles_generate_upcoming(tenant=tenant, today=date(2026, 12, 2), days_ahead=35)
    assert [(r.cycle.cadence_id, r.created) for r in again] == [(monthly.pk, 0), (quarterly.pk, 0), (biannual.pk, 0)]
