"""Awards: candidate rules over a quarter's snapshots (top score in segment, sustained improvement by the trend
verdict, best CSAT with enough responses, top metric), nominations with their case and the rule's figures, executive
decisions (a citation, one winner per quarter, never one's own nomination), and the wall every member sees."""

from __future__ import annotations

from datetime import date

import pytest

from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.domain.awards import CandidateRow, best_csat, most_improved, top_metric, top_score_in_segment
from recognition.errors import NominationInvalidError
from recognition.models import AwardCategory, Nomination
from recognition.selectors.awards import award_candidates, awards_of_quarter, recognition_wall
from recognition.services.awards import award_categories_seed, nomination_create, nomination_decide
from tests.factories import PartnerFactory, member
from tests.recognition.factories import Q3_2026, history, quarter_snapshot
from tests.scorecards.factories import MetricFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def row(pid, name, segment="Reseller · Growth", score=70.0, **kw):
    return CandidateRow(partner_id=pid, name=name, segment=segment, score=score, **kw)


def test_top_score_in_segment_proposes_each_segments_leader_ranked_by_score():
    rows = [
        row(1, "A", score=91),
        row(2, "B", score=85),
        row(3, "C", "SI · Mature", score=88),
        row(4, "D", "SI · Mature", score=None),
        row(5, "E", "MSP · Growth", score=60),
    ]
    found = top_score_in_segment(rows, 5, "Q3 2026")
    assert [(c.name, c.rank) for c in found] == [("A", 1), ("C", 2), ("E", 3)]
    assert found[0].headline == "Score 91 in Q3 2026: first of 2 in Reseller · Growth, 6 points ahead of the next."
    assert found[0].figures["segment_size"] == 2


def test_most_improved_needs_the_trend_verdict_not_one_good_quarter():
    labels = ("Q4 2025", "Q1 2026", "Q2 2026", "Q3 2026")
    rows = [
        row(1, "Sustained", score=80, trend="improving", history=(60, 66, 72, 80), history_labels=labels),
        row(2, "One spike", score=90, trend="stable", history=(60, 60, 60, 90), history_labels=labels),
        row(3, "Slow", score=70, trend="improving", history=(None, 64, 66, 70), history_labels=labels),
    ]
    found = most_improved(rows, 5, "Q3 2026")
    assert [(c.name, c.figures["gain"]) for c in found] == [("Sustained", 20), ("Slow", 6)]
    assert found[0].headline == "Up 20 points from Q4 2025 to Q3 2026 (60 → 80); trend: improving."


def test_best_csat_counts_only_partners_with_enough_responses():
    rows = [
        row(1, "Few", value=5.0, responses=2),
        row(2, "Many", value=4.6, responses=12),
        row(3, "More", value=4.6, responses=30),
    ]
    found = best_csat(rows, 5, "Q3 2026", min_responses=5)
    assert [c.name for c in found] == ["More", "Many"]
    assert found[0].headline == "CSAT 4.6 of 5 from 30 responses in Q3 2026."


def test_top_metric_ranks_by_the_metrics_direction_with_ties_by_name():
    rows = [row(1, "B", value=12), row(2, "A", value=12), row(3, "C", value=3), row(4, "D")]
    assert [c.name for c in top_metric(rows, 5, "Q3 2026", "Joint activities", "count")] == ["A", "B", "C"]
    assert [c.name for c in top_metric(rows, 2, "Q3 2026", "Cycle", "days", lower_is_better=True)] == ["C", "A"]


@pytest.fixture
def quarter(tenant):
    """Three partners with complete Q3 2026 snapshots; CSAT on two, with survey responses."""
    csat = MetricFactory(tenant=tenant, key="csat", name="CSAT", unit="score", aggregation="average")
    made = {}
    for name, scores, value, responses, trend in (
        ("Alpha", [70, 75, 80, 92], 4.8, 8, "improving"),
        ("Bravo", [60, 60, 61, 85], 4.9, 2, "stable"),
        ("Cargo", [50, 55, 60, 65], None, 0, "improving"),
    ):
        partner = PartnerFactory(tenant=tenant, name=name)
        history(partner, scores[:-1], last=date(2026, 4, 1))
        quarter_snapshot(partner, Q3_2026, scores[-1], actuals={csat: value}, trend=trend)
        for i in range(responses):
            SurveyResponseFactory(
                tenant=tenant, partner=partner, survey="csat", respondent=f"r{i}", date=date(2026, 8, 1), score=5
            )
        made[name] = partner
    with tenant_context(tenant):
        award_categories_seed(tenant=tenant)
        made["categories"] = {c.rule: c for c in AwardCategory.objects.for_tenant(tenant)}
    return made


def candidates(tenant, category):
    with tenant_context(tenant):
        return [(c.name, c.rank) for c in award_candidates(tenant=tenant, category=category, quarter=Q3_2026)]


def test_the_rules_read_the_quarters_snapshots_and_surveys(tenant, quarter):
    rules = quarter["categories"]
    assert candidates(tenant, rules["top_score_in_segment"]) == [("Alpha", 1)]
    assert candidates(tenant, rules["most_improved"]) == [("Alpha", 1), ("Cargo", 2)]
    assert candidates(tenant, rules["best_csat"]) == [("Alpha", 1)]  # Bravo's 4.9 rests on 2 responses
    assert rules.get("top_metric") is None  # no joint-activities metric in this glossary: nominations only


def nominate(tenant, actor, category, partner, **kw):
    with tenant_context(tenant):
        return nomination_create(
            tenant=tenant,
            actor=actor,
            category=category,
            partner=partner,
            quarter=kw.pop("quarter", Q3_2026),
            case=kw.pop("case", "Closed the year's largest joint deal."),
            **kw,
        )


def decide(tenant, actor, nomination, award=True, citation="For the quarter's best scorecard.", **kw):
    with tenant_context(tenant):
        return nomination_decide(
            tenant=tenant, actor=actor, nomination=nomination, award=award, citation=citation, **kw
        )


def test_a_nomination_carries_the_rules_figures_and_its_links(tenant, quarter):
    manager = member(tenant, Role.MANAGER)
    nomination = nominate(
        tenant,
        manager,
        quarter["categories"]["top_score_in_segment"],
        quarter["Alpha"],
        evidence_links=["https://crm.example/case/42"],
    )
    assert nomination.from_candidate
    assert nomination.figures["score"] == 92
    assert nomination.figures["headline"].startswith("Score 92 in Q3 2026: first of 3 in")
    assert nomination.evidence_links == ["https://crm.example/case/42"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"case": " "}, "Write the case"),
        ({"evidence_links": ["javascript:alert(1)"]}, "is not a web address"),
        ({"quarter": date(2026, 10, 1)}, "Q4 2026 is not complete yet"),
    ],
)
def test_a_bad_nomination_is_refused_and_nothing_is_written(tenant, quarter, kw, message):
    with pytest.raises(NominationInvalidError, match=message):
        nominate(tenant, member(tenant, Role.MANAGER), quarter["categories"]["most_improved"], quarter["Cargo"], **kw)
    with tenant_context(tenant):
        assert not Nomination.objects.for_tenant(tenant).exists()


def test_a_partner_is_nominated_once_per_award_and_quarter(tenant, quarter):
    manager = member(tenant, Role.MANAGER)
    nominate(tenant, manager, quarter["categories"]["most_improved"], quarter["Cargo"])
    with pytest.raises(NominationInvalidError, match="already nominated"):
        nominate(tenant, member(tenant, Role.MANAGER), quarter["categories"]["most_improved"], quarter["Cargo"])


def test_an_executive_awards_with_a_citation_once_per_quarter_and_never_their_own_nomination(tenant, quarter):
    manager, executive = member(tenant, Role.MANAGER), member(tenant, Role.EXECUTIVE)
    category = quarter["categories"]["most_improved"]
    first = nominate(tenant, manager, category, quarter["Alpha"])
    second = nominate(tenant, manager, category, quarter["Cargo"])
    own = nominate(tenant, member(tenant, Role.ADMIN), quarter["categories"]["best_csat"], quarter["Alpha"])

    with pytest.raises(NominationInvalidError, match="Write the citation"):
        decide(tenant, executive, first, citation="")
    decide(tenant, executive, first, citation="Twenty points in a year, every quarter better than the last.")
    with pytest.raises(NominationInvalidError, match="already went to Alpha"):
        decide(tenant, executive, second)
    with pytest.raises(NominationInvalidError, match="already decided"):
        decide(tenant, executive, first)
    with tenant_context(tenant):
        admin = own.nominated_by
    with pytest.raises(NominationInvalidError, match="You made this nomination"):
        decide(tenant, admin, own)

    with tenant_context(tenant):
        wall = [(n.partner.name, n.category.name, n.citation) for n in recognition_wall(tenant=tenant)]
        memo = list(awards_of_quarter(tenant=tenant, quarter=Q3_2026))
    assert wall == [("Alpha", "Most improved", "Twenty points in a year, every quarter better than the last.")]
    assert len(memo) == 1
