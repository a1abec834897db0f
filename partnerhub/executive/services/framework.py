"""Writes of the framework review: schedule one when it is due (its checklist written from the data), invite partner
representatives, comment, and complete it with an outcome linked to the versions it caused. Audited."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.domain.periods import add_months
from partnerhub.core.errors import CrossTenantReferenceError
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.notifications import NotificationItem, notify_many
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.domain.framework import checklist
from partnerhub.executive.errors import FrameworkReviewError
from partnerhub.executive.models import FrameworkReview, FrameworkReviewComment, GovernanceSettings
from partnerhub.executive.selectors.framework import (
    framework_cadence_figures,
    framework_metric_figures,
    governance_settings,
)
from scorecards.models import TemplateVersion

LEAD_DAYS = 14  # a scheduled review is due this many days after it is set up


def _url(tenant: Tenant, review: FrameworkReview, name: str = "framework_detail") -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, "framework_review_id": review.pk})


def framework_review_schedule(*, tenant: Tenant, today: date, force: bool = False) -> FrameworkReview | None:
    """Set up the next framework review when it is due (the program's period since the last one completed, or none
    yet), with its checklist from the data; None when one is open already or none is due. ``force``: now."""
    with tenant_context(tenant):
        if FrameworkReview.objects.for_tenant(tenant).exclude(status=FrameworkReview.Status.COMPLETED).exists():
            return None
        last = (
            FrameworkReview.objects.for_tenant(tenant)
            .filter(status=FrameworkReview.Status.COMPLETED)
            .order_by("-completed_at")
            .first()
        )
        months = governance_settings(tenant=tenant).meta_review_months
        completed = last.completed_at.date() if last is not None and last.completed_at is not None else None
        if not force and completed is not None and add_months(completed, months) > today.replace(day=1):
            return None
        items = checklist(
            framework_metric_figures(tenant=tenant), framework_cadence_figures(tenant=tenant, today=today)
        )
        review = FrameworkReview.objects.create(
            tenant=tenant, due_on=today + timedelta(days=LEAD_DAYS), checklist=items
        )
        admins = Membership.objects.for_tenant(tenant).filter(role__in=(Role.ADMIN, Role.EXECUTIVE), is_active=True)
        notify_many(
            tenant,
            [
                NotificationItem(
                    recipient_id=m.pk,
                    kind="framework_review",
                    title="The framework review is due",
                    body=f"{len(items)} points from the data to look at, due {review.due_on:%-d %B %Y}.",
                    url=_url(tenant, review),
                    dedupe_key=f"framework-review:{review.pk}",
                )
                for m in admins
            ],
        )
    return review


@transaction.atomic
def governance_settings_save(*, tenant: Tenant, actor: Membership, meta_review_months: int) -> GovernanceSettings:
    ensure_can(actor, "executive.framework.manage")
    if not 1 <= meta_review_months <= 36:
        raise FrameworkReviewError("Review the framework every 1 to 36 months.")
    with tenant_context(tenant):
        settings, _ = GovernanceSettings.objects.for_tenant(tenant).update_or_create(
            tenant=tenant, defaults={"meta_review_months": meta_review_months}
        )
    return settings


def _open(tenant: Tenant, review: FrameworkReview) -> FrameworkReview:
    if review.tenant_id != tenant.pk:
        raise CrossTenantReferenceError("That review is not in this program.")
    if review.status == FrameworkReview.Status.COMPLETED:
        raise FrameworkReviewError("This review is completed: its outcome stands.")
    return review


@transaction.atomic
def framework_review_invite(
    *, tenant: Tenant, actor: Membership, review: FrameworkReview, member_ids: list[int]
) -> FrameworkReview:
    """Invite partner representatives (partner users of this program) to comment; starts the review."""
    ensure_can(actor, "executive.framework.manage")
    _open(tenant, review)
    with tenant_context(tenant):
        members = list(
            Membership.objects.for_tenant(tenant).filter(pk__in=member_ids, role=Role.PARTNER, is_active=True)
        )
        if len(members) != len(set(member_ids)):
            raise CrossTenantReferenceError("Invite partner users of this program only.")
        review.invited_ids = sorted({*review.invited_ids, *(m.pk for m in members)})
        review.status = FrameworkReview.Status.IN_PROGRESS
        review.save(update_fields=["invited_ids", "status", "updated_at"])
        notify_many(
            tenant,
            [
                NotificationItem(
                    recipient_id=m.pk,
                    kind="framework_review",
                    title="Your view on how partners are measured",
                    body="The program reviews its scorecards, targets and cadences, and asks for your comments.",
                    url=_url(tenant, review, "portal_framework"),
                    dedupe_key=f"framework-invite:{review.pk}",
                )
                for m in members
            ],
        )
    return review


@transaction.atomic
def framework_review_comment(
    *, tenant: Tenant, actor: Membership, review: FrameworkReview, body: str
) -> FrameworkReviewComment:
    """A comment from the program's people, or from an invited partner representative."""
    _open(tenant, review)
    if actor.role == Role.PARTNER and actor.pk not in review.invited_ids:
        raise FrameworkReviewError("Only invited partner representatives comment on this review.")
    if actor.role != Role.PARTNER:
        ensure_can(actor, "executive.framework.view")
    if not body.strip():
        raise FrameworkReviewError("Write a comment first.")
    with tenant_context(tenant):
        if review.status == FrameworkReview.Status.SCHEDULED:
            review.status = FrameworkReview.Status.IN_PROGRESS
            review.save(update_fields=["status", "updated_at"])
        return FrameworkReviewComment.objects.create(tenant=tenant, review=review, author=actor, body=body.strip())


@transaction.atomic
def framework_review_complete(
    *, tenant: Tenant, actor: Membership, review: FrameworkReview, outcome: str, version_ids: list[int]
) -> FrameworkReview:
    """Complete the review with its outcome and the scorecard versions it caused (this program's only)."""
    ensure_can(actor, "executive.framework.manage")
    _open(tenant, review)
    if not outcome.strip():
        raise FrameworkReviewError("Write what the review decided.")
    with tenant_context(tenant):
        found = set(TemplateVersion.objects.for_tenant(tenant).filter(pk__in=version_ids).values_list("pk", flat=True))
        if found != set(version_ids):
            raise CrossTenantReferenceError("Link versions of this program's scorecards only.")
        review.outcome = outcome.strip()
        review.caused_version_ids = sorted(found)
        review.status = FrameworkReview.Status.COMPLETED
        review.completed_at = timezone.now()
        review.save(update_fields=["outcome", "caused_version_ids", "status", "completed_at", "updated_at"])
    return review
