from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from partnerhub.core.errors import CrossTenantReferenceError
from partnerhub.core.models import Notification, Role
from partnerhub.core.publication import (
    Publication,
    PublicationBlockedError,
    PublicationKind,
    publication_ensure_allowed,
    register_publication_guard,
    unregister_publication_guard,
)
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.errors import ChangeNoticeError
from partnerhub.executive.models import ChangeNotice
from partnerhub.executive.services.changes import change_notice_draft, change_notice_publish, change_notice_update
from recognition.models import FrameworkVersion
from recognition.services.tiers import (
    CriteriaInput,
    framework_draft_open,
    framework_draft_save,
    framework_publish,
    tier_defaults_ensure,
)
from reviews.models import Cadence
from reviews.services.cadences import cadence_update
from scorecards.models import TemplateVersion
from scorecards.services.templates import template_version_publish
from tests.factories import ChangeNoticeFactory, PartnerFactory, TenantFactory, announced, member
from tests.recognition.factories import history, publish
from tests.reviews.factories import CadenceFactory
from tests.scorecards.factories import MetricFactory, build_version, simple_scorecard
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


def _ready(tenant, admin, sponsor, notice):
    today = timezone.now().date()
    change_notice_update(
        tenant=tenant,
        actor=admin,
        notice=notice,
        sponsor_id=sponsor.pk,
        decision_opens=today,
        decision_closes=today + timedelta(days=14),
        title=notice.title,
        what_changed=notice.what_changed,
        why=notice.why,
    )
    return change_notice_publish(tenant=tenant, actor=admin, notice=notice)


def _draft(tenant, admin, kind, subject_id):
    return change_notice_draft(
        tenant=tenant,
        actor=admin,
        kind=kind,
        subject_id=subject_id,
        title="A change",
        what_changed="What changes.",
        why="Why.",
    )


# --- scorecard template versions ---


@pytest.fixture
def scorecard(tenant):
    metrics = [MetricFactory(tenant=tenant, key="revenue"), MetricFactory(tenant=tenant, key="leads")]
    current = simple_scorecard(tenant, metrics)
    draft = build_version(
        current.template,
        number=2,
        effective_from=None,
        status="draft",
        items=[(metrics[0], 80, False, {("", ""): 100}), (metrics[1], 20, False, {("", ""): 100})],
    )
    return current, draft


def _states(tenant, *versions):
    with tenant_context(tenant):
        return [TemplateVersion.objects.get(pk=v.pk).status for v in versions]


def test_the_first_version_of_a_template_needs_no_notice(tenant):
    metric = MetricFactory(tenant=tenant, key="revenue")
    first = simple_scorecard(tenant, [metric])
    with tenant_context(tenant):
        TemplateVersion.objects.filter(pk=first.pk).update(status="draft", effective_from=None)
        first.refresh_from_db()
        template_version_publish(
            tenant=tenant,
            actor=member(tenant, Role.ADMIN),
            version=first,
            rationale="Launch",
            effective_from=date(2026, 1, 1),
        )
    assert _states(tenant, first) == ["active"]


def test_a_later_version_without_a_published_notice_is_refused_and_nothing_is_written(tenant, scorecard):
    current, draft = scorecard
    with tenant_context(tenant), pytest.raises(PublicationBlockedError, match="Publish a change notice for version 2"):
        template_version_publish(
            tenant=tenant,
            actor=member(tenant, Role.ADMIN),
            version=draft,
            rationale="More",
            effective_from=date(2026, 7, 1),
        )
    assert _states(tenant, current, draft) == ["active", "draft"]


def test_a_draft_notice_or_one_for_another_version_does_not_open_the_gate(tenant, scorecard):
    current, draft = scorecard
    admin = member(tenant, Role.ADMIN)
    _draft(tenant, admin, ChangeNotice.Kind.TEMPLATE, draft.pk)
    announced(current)  # published, but for version 1
    with tenant_context(tenant), pytest.raises(PublicationBlockedError, match="“A change” is still a draft"):
        template_version_publish(
            tenant=tenant, actor=admin, version=draft, rationale="More", effective_from=date(2026, 7, 1)
        )
    assert _states(tenant, current, draft) == ["active", "draft"]


def test_the_publish_page_shows_the_gate_refuses_with_its_message_then_publishes_once_announced(
    tenant, scorecard, client_for
):
    current, draft = scorecard
    admin = member(tenant, Role.ADMIN)
    client = client_for(admin)
    url = tenant_url("version_publish", tenant, version_id=draft.pk)
    page = client.get(url).content.decode()
    assert "Publish a change notice for version 2 of the scorecard “Default” first." in page
    assert f"/executive/changes/?kind=template&amp;subject={draft.pk}#new-notice" in page

    refused = client.post(url, {"rationale": "More revenue", "effective_from": "2026-07-01"})
    assert refused.status_code == 400
    assert "Publish a change notice for version 2" in refused.content.decode()
    assert _states(tenant, current, draft) == ["active", "draft"]

    notice = _ready(tenant, admin, member(tenant, Role.EXECUTIVE), _draft(tenant, admin, "template", draft.pk))
    page = client.get(url).content.decode()
    assert f"Change notice “{notice.title}” published" in page
    assert client.post(url, {"rationale": "More revenue", "effective_from": "2026-07-01"}).status_code == 302
    assert _states(tenant, current, draft) == ["retired", "active"]


def test_the_change_list_offers_the_version_the_publish_page_links_to(tenant, scorecard, client_for):
    _, draft = scorecard
    page = client_for(member(tenant, Role.ADMIN)).get(
        tenant_url("change_list", tenant) + f"?kind=template&subject={draft.pk}"
    )
    assert f'<option value="template:{draft.pk}" selected>Default, version 2</option>' in page.content.decode()


def test_a_program_without_any_governance_data_is_refused_too(scorecard):
    # A program that never touched the executive layer (no notice, no settings): the gate fails closed.
    fresh = TenantFactory(slug="fresh", name="Fresh")
    metric = MetricFactory(tenant=fresh, key="revenue")
    current = simple_scorecard(fresh, [metric])
    draft = build_version(
        current.template, number=2, effective_from=None, status="draft", items=[(metric, 100, False, {("", ""): 50})]
    )
    with tenant_context(fresh):
        assert not ChangeNotice.objects.exists()
        with pytest.raises(PublicationBlockedError):
            template_version_publish(
                tenant=fresh,
                actor=member(fresh, Role.ADMIN),
                version=draft,
                rationale="x",
                effective_from=date(2026, 7, 1),
            )
    assert _states(fresh, draft) == ["draft"]


def test_a_guard_that_fails_fails_the_publication():
    def broken(publication):
        raise RuntimeError("the guard's table is missing")

    register_publication_guard("tests.broken", broken)
    try:
        with pytest.raises(RuntimeError):
            publication_ensure_allowed(
                Publication(
                    tenant=TenantFactory(),
                    kind=PublicationKind.TEMPLATE_VERSION,
                    subject_id=1,
                    revision=2,
                    label="version 2",
                    first=True,
                )
            )
    finally:
        unregister_publication_guard("tests.broken")


# --- tier framework versions ---


@pytest.fixture
def portfolio(tenant):
    people = {"Rising": ("silver", [80, 76, 74, 78]), "Steady": ("gold", [80, 80, 80, 80, 80])}
    made = {}
    for name, (tier, scores) in people.items():
        made[name] = PartnerFactory(tenant=tenant, name=name, tier=tier)
        history(made[name], scores)
    return made


def _framework_v2(tenant, admin, gold_min=79):
    with tenant_context(tenant):
        tiers = {t.key: t for t in tier_defaults_ensure(tenant=tenant)}
        draft = framework_draft_open(tenant=tenant, actor=admin)
        framework_draft_save(
            tenant=tenant,
            actor=admin,
            version=draft,
            criteria=[
                CriteriaInput(tier=tiers["silver"], min_score=Decimal(60), quarters_required=2, quarters_window=4),
                CriteriaInput(tier=tiers["gold"], min_score=Decimal(gold_min), quarters_required=3, quarters_window=4),
                CriteriaInput(tier=tiers["platinum"], min_score=Decimal(85), quarters_required=3, quarters_window=4),
            ],
            grace_quarters=1,
            grace_visible_to_partner=True,
        )
    return draft


def test_the_first_framework_version_needs_no_notice_and_a_later_one_is_refused_by_the_api(
    tenant, portfolio, api_client_for
):
    admin = member(tenant, Role.ADMIN)
    publish(tenant, admin, announce=False)
    draft = _framework_v2(tenant, admin)
    response = api_client_for(admin).post(
        tenant_url("api_framework_publish", tenant, framework_version_id=draft.pk),
        {"rationale": "Gold asks more.", "effective_from": "2026-10-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "publication_blocked"
    assert response.json()["detail"] == "Publish a change notice for version 2 of the tier framework first."
    with tenant_context(tenant):
        assert FrameworkVersion.objects.get(pk=draft.pk).status == "draft"


def test_a_framework_notice_carries_the_preview_and_tells_each_affected_partner_their_own_move(
    tenant, portfolio, client_for
):
    admin = member(tenant, Role.ADMIN)
    publish(tenant, admin, announce=False)
    draft = _framework_v2(tenant, admin)
    rising, steady = portfolio["Rising"], portfolio["Steady"]
    user = member(tenant, Role.PARTNER, partner=rising)
    other = member(tenant, Role.PARTNER, partner=steady)

    notice = _draft(tenant, admin, ChangeNotice.Kind.TIER_FRAMEWORK, draft.pk)
    assert (notice.impact["evaluated"], notice.impact["changed"], notice.impact["up"]) == (2, 1, 0)
    assert notice.impact["partners"] == {
        str(rising.pk): ["silver", "promote", "hold", "Silver"],
        str(steady.pk): ["gold", "hold", "hold", "Gold"],
    }
    assert sorted(notice.affected_partner_ids) == sorted([rising.pk, steady.pk])

    client = client_for(admin)
    page = client.get(tenant_url("framework_edit", tenant, framework_version_id=draft.pk)).content.decode()
    assert "“A change” is still a draft" in page

    _ready(tenant, admin, member(tenant, Role.EXECUTIVE), notice)
    detail = client.get(tenant_url("change_detail", tenant, notice_id=notice.pk)).content.decode()
    assert "2 partners evaluated: 0 would move up, 0 down, 2 stay. 1 would get a different recommendation" in detail
    with tenant_context(tenant):
        assert Notification.objects.filter(kind="change_notice", recipient__in=[user, other]).count() == 2
    body = client_for(user).get(tenant_url("portal_notice", tenant, notice_id=notice.pk)).content.decode()
    assert "promote under the framework in force; hold under the change" in body
    assert "Steady" not in body
    body = client_for(other).get(tenant_url("portal_notice", tenant, notice_id=notice.pk)).content.decode()
    assert "hold under the framework in force; hold under the change" in body
    assert "Rising" not in body

    page = client.get(tenant_url("framework_version", tenant, framework_version_id=draft.pk)).content.decode()
    assert "Change notice “A change” published" in page
    with tenant_context(tenant):
        framework_publish(
            tenant=tenant, actor=admin, version=draft, rationale="Gold asks more.", effective_from=date(2026, 10, 1)
        )
        assert FrameworkVersion.objects.get(pk=draft.pk).status == "published"


def test_a_framework_version_of_another_program_cannot_be_announced(tenant, other_tenant):
    foreign = publish(other_tenant, announce=False)
    with pytest.raises(CrossTenantReferenceError, match="not in this program"):
        _draft(tenant, member(tenant, Role.ADMIN), ChangeNotice.Kind.TIER_FRAMEWORK, foreign.pk)
    with tenant_context(tenant):
        assert not ChangeNotice.objects.exists()


# --- cadence changes ---


def test_a_cadence_change_needs_a_notice_for_its_next_revision_and_each_change_its_own(
    tenant, api_client_for, client_for
):
    admin = member(tenant, Role.ADMIN)
    cadence = CadenceFactory(tenant=tenant, name="QBR", tiers=["gold"])
    gold, silver = PartnerFactory(tenant=tenant, tier="gold"), PartnerFactory(tenant=tenant, tier="silver")
    user = member(tenant, Role.PARTNER, partner=gold)
    api = api_client_for(admin)
    url = tenant_url("api_cadence_detail", tenant, cadence_id=cadence.pk)

    refused = api.patch(url, {"self_assessment_lead_days": 14}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Publish a change notice for revision 2 of the cadence “QBR” first."

    notice = _draft(tenant, admin, ChangeNotice.Kind.CADENCE, cadence.pk)
    assert (notice.cadence_revision, notice.affected_partner_ids, notice.impact["affected"]) == (2, [gold.pk], 1)
    _ready(tenant, admin, member(tenant, Role.EXECUTIVE), notice)
    body = client_for(user).get(tenant_url("portal_notice", tenant, notice_id=notice.pk)).content.decode()
    assert "Your company is reviewed under “QBR”" in body
    detail = client_for(admin).get(tenant_url("change_detail", tenant, notice_id=notice.pk)).content.decode()
    assert "1 partner reviewed by “QBR” (every quarter)" in detail
    assert "QBR, revision 2" in detail

    assert api.patch(url, {"self_assessment_lead_days": 14}, format="json").status_code == 200
    with tenant_context(tenant):
        stored = Cadence.objects.get(pk=cadence.pk)
    assert (stored.self_assessment_lead_days, stored.revision) == (14, 2)

    again = api.patch(url, {"self_assessment_lead_days": 12}, format="json")
    assert again.json()["detail"] == "Publish a change notice for revision 3 of the cadence “QBR” first."
    # A notice drafted for revision 2 but published late announces a change made already.
    stale = ChangeNoticeFactory(
        tenant=tenant,
        kind="cadence",
        cadence=cadence,
        cadence_revision=2,
        status="draft",
        published_at=None,
        sponsor=admin,
        decision_opens=timezone.now().date(),
        decision_closes=timezone.now().date(),
    )
    with tenant_context(tenant), pytest.raises(ChangeNoticeError, match="made already"):
        change_notice_publish(tenant=tenant, actor=admin, notice=stale)
    with tenant_context(tenant):
        assert Cadence.objects.get(pk=cadence.pk).self_assessment_lead_days == 14
    assert silver.pk not in notice.affected_partner_ids


def test_the_cadence_edit_page_shows_the_gate(tenant, client_for):
    cadence = CadenceFactory(tenant=tenant, name="QBR")
    page = client_for(member(tenant, Role.ADMIN)).get(tenant_url("cadence_edit", tenant, cadence_id=cadence.pk))
    body = page.content.decode()
    assert "Before a change partners notice" in body
    assert f"?kind=cadence&amp;subject={cadence.pk}#new-notice" in body
    with tenant_context(tenant), pytest.raises(PublicationBlockedError):
        cadence_update(tenant=tenant, actor=member(tenant, Role.ADMIN), cadence=cadence, data={"is_active": False})
