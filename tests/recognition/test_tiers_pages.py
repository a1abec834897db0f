"""Tier pages and their API: the queue (equal queries at 100 and 5,000 recommendations; bulk decisions, a rejection
without a reason answered 400 with nothing written), a recommendation's evidence, the framework editor, the partner
page's tier section, and the partner's own tier (what the next tier requires, the gap in numbers, the grace warning
only where the program shows it, never another partner)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.core.models import Partner, Role
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import FrameworkVersion, TierChange, TierCriteria, TierRecommendation
from recognition.services.tier_recommendations import tier_recommendations_generate
from tests.factories import PartnerFactory, member
from tests.recognition.factories import Q3_2026, certified_metric, history, publish, tiers
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(tenant):
    owner = member(tenant, Role.MANAGER)
    made = {"owner": owner}
    for name, tier, scores in (
        ("Rising", "silver", [80, 80, 80, 80]),
        ("Falling", "gold", [80, 80, 70, 70, 70]),
        ("Slipping", "gold", [80, 80, 80, 70, 70]),
        ("Steady", "gold", [80, 80, 80, 80]),
    ):
        made[name] = PartnerFactory(tenant=tenant, name=name, tier=tier, owner=owner)
        history(made[name], scores)
    publish(tenant, grace=1)
    tier_recommendations_generate(tenant=tenant)
    return made


def rec_of(tenant, partner):
    with tenant_context(tenant):
        return TierRecommendation.objects.for_tenant(tenant).get(partner=partner, source="engine")


def test_the_queue_lists_moves_first_with_counts_and_filters(tenant, program, client_for):
    response = client_for(member(tenant, Role.EXECUTIVE)).get(tenant_url("recommendation_list", tenant))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Rising") < body.index("Falling") < body.index("Slipping") < body.index("Steady")
    assert "Tier recommendations · Q3 2026" in body
    assert "2 tier moves await a decision" in body

    only = client_for(program["owner"]).get(tenant_url("recommendation_list", tenant), {"move": "grace"})
    assert "Slipping" in only.content.decode()
    assert "Rising" not in only.content.decode()


def _many(tenant, count):
    """``count`` partners, each with a pending recommendation for Q3 2026 (bulk written)."""
    by_key = tiers(tenant)
    owner = member(tenant, Role.MANAGER)
    with tenant_context(tenant):
        version = FrameworkVersion.objects.create(
            tenant=tenant, number=99, status="published", effective_from=date(2025, 1, 1)
        )
        partners = Partner.objects.bulk_create(
            [
                Partner(
                    tenant=tenant, name=f"Bulk {i:05d}", partner_type="si", region="emea", tier="silver", owner=owner
                )
                for i in range(count)
            ]
        )
        TierRecommendation.objects.bulk_create(
            [
                TierRecommendation(
                    tenant=tenant,
                    partner=p,
                    quarter=Q3_2026,
                    version=version,
                    move="promote" if i % 3 else "hold",
                    from_tier=by_key["silver"],
                    to_tier=by_key["gold"] if i % 3 else by_key["silver"],
                    explanation="Met every criterion.",
                )
                for i, p in enumerate(partners)
            ]
        )


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_the_queue_reads_the_same_number_of_queries_at_100_and_5000_recommendations(
    tenant, other_tenant, client_for, api_client_for
):
    _many(tenant, 100)
    _many(other_tenant, 5000)
    small, large = member(tenant, Role.EXECUTIVE), member(other_tenant, Role.EXECUTIVE)
    params = {"move": "promote", "partner_type": "si"}

    page = [
        _queries(client_for(who), tenant_url("recommendation_list", t), params)
        for who, t in ((small, tenant), (large, other_tenant))
    ]
    api = [
        _queries(api_client_for(who), tenant_url("api_recommendation_list", t), params)
        for who, t in ((small, tenant), (large, other_tenant))
    ]

    assert page[0] == page[1]
    assert api[0] == api[1]


def test_bulk_approval_changes_the_tiers_and_a_rejection_without_a_reason_writes_nothing(tenant, program, client_for):
    executive = client_for(member(tenant, Role.EXECUTIVE))
    rising, falling = rec_of(tenant, program["Rising"]), rec_of(tenant, program["Falling"])

    refused = executive.post(
        tenant_url("recommendation_bulk_decide", tenant), {"decision": "reject", "recommendation": [falling.pk]}
    )
    assert refused.status_code == 400
    assert "Comment: A rejection needs a reason." in refused.content.decode()
    assert rec_of(tenant, program["Falling"]).status == "pending"

    done = executive.post(
        tenant_url("recommendation_bulk_decide", tenant),
        {"decision": "approve", "recommendation": [rising.pk, falling.pk]},
    )
    assert done.status_code == 302
    with tenant_context(tenant):
        assert dict(Partner.objects.filter(name__in=["Rising", "Falling"]).values_list("name", "tier")) == {
            "Rising": "gold",
            "Falling": "silver",
        }
        assert TierChange.objects.for_tenant(tenant).count() == 2


def test_a_manager_sees_the_queue_but_cannot_decide(tenant, program, client_for):
    manager = client_for(program["owner"])
    page = manager.get(
        tenant_url("recommendation_detail", tenant, recommendation_id=rec_of(tenant, program["Rising"]).pk)
    )
    assert page.status_code == 200
    assert "Record decision" not in page.content.decode()
    refused = manager.post(
        tenant_url("recommendation_decide", tenant, recommendation_id=rec_of(tenant, program["Rising"]).pk),
        {"decision": "approve"},
    )
    assert refused.status_code == 403


def test_a_recommendation_shows_its_evidence_period_by_period(tenant, program, client_for):
    page = client_for(member(tenant, Role.EXECUTIVE)).get(
        tenant_url("recommendation_detail", tenant, recommendation_id=rec_of(tenant, program["Slipping"]).pk)
    )
    body = page.content.decode()
    assert "Q2 2026: <strong>70</strong>" in body
    assert "Slipping missed its Gold criteria" in body
    assert "2 of 4, 3 needed; latest 5 points short" in body


def test_the_framework_editor_saves_a_sound_draft_and_names_every_problem_of_a_bad_one(tenant, client_for):
    admin = member(tenant, Role.ADMIN)
    client = client_for(admin)
    by_key = tiers(tenant)
    opened = client.post(tenant_url("framework_draft_open", tenant))
    with tenant_context(tenant):
        draft = FrameworkVersion.objects.for_tenant(tenant).get(status="draft")
    assert opened["Location"] == tenant_url("framework_edit", tenant, framework_version_id=draft.pk)
    bad = {
        "grace_quarters": "1",
        f"t{by_key['silver'].pk}_min_score": "75",
        f"t{by_key['silver'].pk}_required": "2",
        f"t{by_key['silver'].pk}_window": "4",
        f"t{by_key['gold'].pk}_min_score": "70",
        f"t{by_key['gold'].pk}_required": "3",
        f"t{by_key['gold'].pk}_window": "4",
        f"t{by_key['platinum'].pk}_min_score": "85",
        f"t{by_key['platinum'].pk}_required": "3",
        f"t{by_key['platinum'].pk}_window": "4",
    }
    with tenant_context(tenant):
        before = list(TierCriteria.objects.for_tenant(tenant).order_by("id").values_list("tier_id", "min_score"))

    response = client.post(tenant_url("framework_edit", tenant, framework_version_id=draft.pk), bad)

    assert response.status_code == 400
    assert "Gold asks for a score of at least 70, below Silver&#x27;s 75" in response.content.decode()
    with tenant_context(tenant):
        assert (
            list(TierCriteria.objects.for_tenant(tenant).order_by("id").values_list("tier_id", "min_score")) == before
        )
    good = {**bad, f"t{by_key['silver'].pk}_min_score": "60"}
    assert client.post(tenant_url("framework_edit", tenant, framework_version_id=draft.pk), good).status_code == 302
    preview = client.get(tenant_url("framework_preview", tenant, framework_version_id=draft.pk))
    assert preview.status_code == 200


def test_the_partner_page_shows_the_tier_section_and_the_history_page_the_changes(tenant, program, client_for):
    manager = client_for(program["owner"])
    page = manager.get(tenant_url("partner_detail", tenant, partner_id=program["Slipping"].pk)).content.decode()
    assert "Tier and recognition" in page
    assert "compliance risk" in page
    history_page = manager.get(tenant_url("partner_tier_history", tenant, partner_id=program["Slipping"].pk))
    assert history_page.status_code == 200
    assert "Propose an exception" in history_page.content.decode()


@pytest.mark.parametrize("visible", [True, False])
def test_the_partner_sees_its_tier_what_the_next_requires_and_the_grace_warning_only_if_shown(
    tenant, client_for, visible
):
    certified = certified_metric(tenant)
    mine = PartnerFactory(tenant=tenant, name="Mine", tier="gold")
    other = PartnerFactory(tenant=tenant, name="OTHER-PARTNER-NAME", tier="silver")
    history(mine, [80, 80, 80, 70, 70], actuals={certified: 3})
    history(other, [90, 90, 90, 90])
    publish(
        tenant,
        criteria={
            "silver": {"min_score": 60, "required": 2, "window": 4},
            "gold": {"min_score": 75, "required": 3, "window": 4},
            "platinum": {"min_score": 85, "required": 3, "window": 4, "metrics": [(certified, 5)]},
        },
        grace=1,
        visible=visible,
    )
    client = client_for(member(tenant, Role.PARTNER, partner=mine))

    page = client.get(tenant_url("portal_tier", tenant)).content.decode()
    home = client.get(tenant_url("portal_home", tenant)).content.decode()
    api = client_for(member(tenant, Role.PARTNER, partner=mine))

    assert "OTHER-PARTNER-NAME" not in page + home
    assert "Gold" in page
    assert "certified staff at least 5 (3 now, 2 more needed)" in page
    assert ("Compliance risk" in page) is visible
    assert ("Compliance risk" in home) is visible
    assert "Your tier" in home
    del api


def test_the_portal_api_gives_the_gap_in_numbers_and_hides_grace_when_the_program_does(tenant, api_client_for):
    mine = PartnerFactory(tenant=tenant, name="Mine", tier="gold")
    history(mine, [80, 80, 80, 70, 70])
    publish(tenant, grace=1, visible=False)

    data = api_client_for(member(tenant, Role.PARTNER, partner=mine)).get(tenant_url("api_portal_tier", tenant)).json()

    assert (data["tier"], data["in_grace"], data["next_tier"]) == ("gold", False, "platinum")
    assert data["next_tier_gaps"] == [
        "a score of at least 85 in 3 of the last 4 quarters (0 so far: 80, 80, 70, 70); the latest is 15 points short"
    ]


def test_the_api_decides_and_refuses_another_programs_recommendation(tenant, other_tenant, program, api_client_for):
    outsider = PartnerFactory(tenant=other_tenant, tier="silver")
    history(outsider, [80, 80, 80, 80])
    publish(other_tenant)
    tier_recommendations_generate(tenant=other_tenant)
    foreign = rec_of(other_tenant, outsider)
    client = api_client_for(member(tenant, Role.EXECUTIVE))
    url = tenant_url("api_recommendation_decide", tenant)

    refused = client.post(url, {"recommendations": [foreign.pk], "decision": "approve"}, format="json")
    twice = [
        client.post(
            url, {"recommendations": [rec_of(tenant, program["Rising"]).pk], "decision": "approve"}, format="json"
        )
        for _ in range(2)
    ]
    detail = client.get(
        tenant_url("api_recommendation_detail", tenant, recommendation_id=rec_of(tenant, program["Rising"]).pk)
    )

    assert refused.status_code == 400
    assert rec_of(other_tenant, outsider).status == "pending"
    assert [r.status_code for r in twice] == [200, 400]
    assert twice[1].json()["code"] == "already_decided"
    assert detail.json()["status"] == "approved"
    assert detail.json()["evidence"]["move"] == "promote"
