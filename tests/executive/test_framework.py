from __future__ import annotations

from datetime import date, timedelta

import pytest

from partnerhub.core.errors import CrossTenantReferenceError
from partnerhub.core.models import Notification, Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.domain.framework import CadenceFigures, MetricFigures, checklist
from partnerhub.executive.errors import FrameworkReviewError
from partnerhub.executive.models import FrameworkReview
from partnerhub.executive.services.framework import (
    framework_review_comment,
    framework_review_complete,
    framework_review_invite,
    framework_review_schedule,
)
from tests.executive.world import build_program
from tests.factories import TenantFactory, member
from tests.scorecards.factories import VersionFactory

pytestmark = pytest.mark.django_db
TODAY = date(2025, 7, 10)


def test_the_checklist_names_poor_coverage_easy_and_impossible_targets_flat_metrics_and_cancelled_cadences():
    items = checklist(
        [
            MetricFigures("Revenue", scored=100, reporting=50, met=40, flat=0, tracked=50),
            MetricFigures("CSAT", scored=100, reporting=95, met=93, flat=0, tracked=90),
            MetricFigures("Leads", scored=100, reporting=95, met=3, flat=90, tracked=95),
            MetricFigures("Pipeline", scored=100, reporting=95, met=50, flat=10, tracked=95),
        ],
        [CadenceFigures("QBR", reviews=40, cancelled=12), CadenceFigures("Health check", reviews=40, cancelled=2)],
    )
    texts = [item["text"] for item in items]
    assert texts[0].startswith("Revenue has data for only 50 %")
    assert any(t.startswith("CSAT: 98 % of partners meet the target") for t in texts)
    assert any(t.startswith("Leads: only 3 % of partners meet the target") for t in texts)
    assert any(t.startswith("Leads never changed for 95 %") for t in texts)
    assert any(t.startswith("QBR: 12 of 40 reviews") for t in texts)
    assert not any("Pipeline" in t or "Health check" in t for t in texts)


@pytest.fixture
def program(tenant, actor):
    program = build_program(tenant)
    program.admin = actor(Role.ADMIN)
    program.extra["rep"] = actor(Role.PARTNER, partner=program.partners[0])
    return program


def test_a_review_is_scheduled_when_due_with_its_checklist_once(tenant, program):
    review = framework_review_schedule(tenant=tenant, today=TODAY)
    assert review is not None
    assert review.due_on == TODAY + timedelta(days=14)
    assert framework_review_schedule(tenant=tenant, today=TODAY) is None  # one open at a time
    with tenant_context(tenant):
        assert Notification.objects.filter(kind="framework_review", recipient=program.admin).exists()


def test_invited_partner_representatives_comment_and_the_outcome_links_the_versions_it_caused(
    tenant, program, actor, client_for
):
    review = framework_review_schedule(tenant=tenant, today=TODAY)
    framework_review_invite(tenant=tenant, actor=program.admin, review=review, member_ids=[program.extra["rep"].pk])
    rep = client_for(program.extra["rep"])
    assert (
        rep.post(
            f"/t/alpha/portal/framework/{review.pk}/", {"body": "Targets for small partners are out of reach."}
        ).status_code
        == 302
    )
    stranger = actor(Role.PARTNER, partner=program.partners[1])
    assert client_for(stranger).get(f"/t/alpha/portal/framework/{review.pk}/").status_code == 404
    with pytest.raises(FrameworkReviewError):
        framework_review_comment(tenant=tenant, actor=stranger, review=review, body="Let me in")
    version = VersionFactory(template=program.version.template, number=9, status="draft", effective_from=None)
    framework_review_complete(
        tenant=tenant,
        actor=program.admin,
        review=review,
        outcome="Lower the small-partner targets.",
        version_ids=[version.pk],
    )
    with tenant_context(tenant):
        done = FrameworkReview.objects.get()
    assert (done.status, done.caused_version_ids) == ("completed", [version.pk])
    page = client_for(program.admin).get(f"/t/alpha/executive/framework/{review.pk}/").content.decode()
    assert "Targets for small partners are out of reach." in page
    assert "Lower the small-partner targets." in page


def test_another_programs_version_or_partner_user_is_refused(tenant, program):
    review = framework_review_schedule(tenant=tenant, today=TODAY)
    other = TenantFactory(slug="beta", name="Beta")
    foreign_user = member(other, Role.PARTNER, partner=build_program(other, partners=1).partners[0])
    with pytest.raises(CrossTenantReferenceError):
        framework_review_invite(tenant=tenant, actor=program.admin, review=review, member_ids=[foreign_user.pk])
    foreign_version = build_program(TenantFactory(slug="gamma", name="Gamma"), partners=1).version
    with pytest.raises(CrossTenantReferenceError):
        framework_review_complete(
            tenant=tenant, actor=program.admin, review=review, outcome="x", version_ids=[foreign_version.pk]
        )
    with tenant_context(tenant):
        assert FrameworkReview.objects.get().status == "scheduled"
