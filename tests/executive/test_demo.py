"""The demo, as an executive and a partner user find it after ``seed_demo``."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from partnerhub.core.models import Membership, Notification, Role, Tenant, User
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.models import (
    ChangeNotice,
    Concern,
    DashboardSlice,
    DigestDelivery,
    FrameworkReview,
    MemoVersion,
    ReviewFeedback,
)

pytestmark = pytest.mark.django_db


def _state(tenant):
    with tenant_context(tenant):
        return {
            "slices": DashboardSlice.objects.count(),
            "published": sorted(
                MemoVersion.objects.filter(status="published").values_list("memo__quarter_start", flat=True)
            ),
            "digests": DigestDelivery.objects.count(),
            "members": Membership.objects.filter(is_active=True).count(),
            "digest_notes": Notification.objects.filter(kind="digest").count(),
            "open_concerns": Concern.objects.exclude(status__in=("resolved", "closed")).count(),
            "feedback": ReviewFeedback.objects.count(),
            "notices": ChangeNotice.objects.filter(status="published").count(),
            "framework": list(FrameworkReview.objects.values_list("status", flat=True)),
        }


def test_the_demo_has_a_dashboard_two_published_memos_digests_feedback_and_a_concern_and_reseeds_to_the_same(
    client,
):
    call_command("seed_demo")
    tenant = Tenant.objects.get(slug="northwind")
    first = _state(tenant)
    assert first["slices"] > 100
    assert len(first["published"]) == 2
    assert first["digests"] == first["digest_notes"] == first["members"]
    assert first["open_concerns"] == 1
    assert first["feedback"] > 0
    assert first["notices"] == 1
    assert first["framework"] == ["in_progress"]
    partner_user = User.objects.get(email="partner1@northwind.example")
    portal = client.__class__()
    portal.force_login(partner_user)
    notices = portal.get("/t/northwind/portal/notices/").content.decode()
    assert "Green starts at 85" in notices

    client.force_login(User.objects.get(email="exec@northwind.example"))
    landing = client.get("/t/northwind/", follow=True)
    assert landing.redirect_chain[-1][0] == "/t/northwind/executive/"
    assert "Partners scored" in landing.content.decode()

    call_command("seed_demo")
    again = _state(tenant)
    assert {k: v for k, v in again.items() if k != "slices"} == {k: v for k, v in first.items() if k != "slices"}
    with tenant_context(tenant):
        assert Membership.objects.filter(role=Role.PARTNER).exists()
