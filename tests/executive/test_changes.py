from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from partnerhub.core.errors import CrossTenantReferenceError
from partnerhub.core.models import Notification, Role
from partnerhub.core.publication import publication_ensure_allowed
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.errors import ChangeNoticeError
from partnerhub.executive.models import ChangeNotice
from partnerhub.executive.services.changes import change_notice_draft, change_notice_publish, change_notice_update
from scorecards.models import Observation
from scorecards.selectors.templates import template_version_publication
from scorecards.services.snapshots import snapshot_refresh
from tests.factories import PartnerFactory, TenantFactory, member
from tests.scorecards.factories import MetricFactory, build_version, simple_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant, actor):
    metrics = [MetricFactory(tenant=tenant, key="revenue"), MetricFactory(tenant=tenant, key="leads")]
    current = simple_scorecard(tenant, metrics)
    partners = [PartnerFactory(tenant=tenant, name=f"Partner {i}") for i in range(4)]
    with tenant_context(tenant):
        Observation.objects.bulk_create(
            Observation(tenant=tenant, partner=p, metric=m, month=date(2025, k, 1), value=Decimal(40 + 20 * i + 30 * j))
            for i, p in enumerate(partners)
            for j, m in enumerate(metrics)
            for k in (1, 2, 3)
        )
    snapshot_refresh(tenant=tenant, today=date(2025, 4, 10))
    draft = build_version(
        current.template,
        number=2,
        effective_from=None,
        status="draft",
        items=[(metrics[0], 80, False, {("", ""): 100}), (metrics[1], 20, False, {("", ""): 100})],
    )
    user = actor(Role.PARTNER, partner=partners[0])
    return {
        "admin": actor(Role.ADMIN),
        "executive": actor(Role.EXECUTIVE),
        "draft": draft,
        "partners": partners,
        "user": user,
    }


def _draft_notice(tenant, world):
    return change_notice_draft(
        tenant=tenant,
        actor=world["admin"],
        kind="template",
        subject_id=world["draft"].pk,
        title="Revenue weighs more",
        what_changed="Revenue goes from half of the score to 80 %.",
        why="Leads counted effort, not outcome.",
    )


def test_a_notice_drafted_for_a_draft_version_carries_its_what_if(tenant, world):
    notice = _draft_notice(tenant, world)
    assert notice.impact["affected"] == 4
    assert sorted(notice.affected_partner_ids) == sorted(p.pk for p in world["partners"])


def test_publishing_needs_a_sponsor_and_a_decision_window_and_says_so(tenant, world):
    notice = _draft_notice(tenant, world)
    with pytest.raises(ChangeNoticeError, match="needs a sponsor, a decision window"):
        change_notice_publish(tenant=tenant, actor=world["admin"], notice=notice)
    with tenant_context(tenant):
        assert ChangeNotice.objects.get().status == "draft"
        assert not Notification.objects.filter(kind="change_notice").exists()


def test_a_sponsor_from_another_program_is_refused(tenant, world):
    notice = _draft_notice(tenant, world)
    stranger = member(TenantFactory(slug="beta", name="Beta"), Role.EXECUTIVE)
    with pytest.raises(CrossTenantReferenceError):
        change_notice_update(
            tenant=tenant,
            actor=world["admin"],
            notice=notice,
            sponsor_id=stranger.pk,
            decision_opens=None,
            decision_closes=None,
            title=notice.title,
            what_changed=notice.what_changed,
            why=notice.why,
        )


def test_a_published_notice_reaches_the_affected_partners_portal_with_their_own_figures_only(tenant, world, client_for):
    notice = _draft_notice(tenant, world)
    today = timezone.now().date()
    change_notice_update(
        tenant=tenant,
        actor=world["admin"],
        notice=notice,
        sponsor_id=world["executive"].pk,
        decision_opens=today,
        decision_closes=today + timedelta(days=14),
        title=notice.title,
        what_changed=notice.what_changed,
        why=notice.why,
    )
    change_notice_publish(tenant=tenant, actor=world["admin"], notice=notice)
    with pytest.raises(ChangeNoticeError, match="publishing it again changes nothing"):
        change_notice_publish(tenant=tenant, actor=world["admin"], notice=notice)
    with tenant_context(tenant):
        publication_ensure_allowed(template_version_publication(tenant=tenant, version=world["draft"]))
        assert Notification.objects.filter(kind="change_notice", recipient=world["user"]).count() == 1
    client = client_for(world["user"])
    body = client.get(f"/t/alpha/portal/notices/{notice.pk}/").content.decode()
    assert "Revenue weighs more" in body
    assert "Your score" in body
    assert not any(p.name in body for p in world["partners"][1:])
    assert client.get("/t/alpha/executive/changes/").status_code == 403
