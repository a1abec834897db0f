"""The executive layer's demo: the dashboard precomputed (the executive demo login lands on a populated page), the
memos of the last two closed quarters published, this month's digest in every member's notifications, feedback
from past reviews, and one open confidential concern.

Also change notices published to the partners they affect: a draft of the default scorecard that raises the green
threshold (announced, not yet published), and a change to the quarterly business review (announced, then made) —
the scorecard's version 2 and the tier framework's version 2 were announced by their own demo modules — and a
framework review in progress with a partner representative invited.

Runs after every other demo module (it reads their snapshots, reviews and members). Idempotent: a second seed
computes the same cells, keeps the memos and their versions, sends no digest twice, and adds no feedback or concern.
"""

from __future__ import annotations

import random

from django.utils import timezone

from partnerhub.core.domain.periods import add_months, quarter_start
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.change_notices import announce
from partnerhub.executive.models import (
    ChangeNotice,
    Concern,
    DashboardComputation,
    FrameworkReview,
    MemoVersion,
    ReviewFeedback,
)
from partnerhub.executive.selectors.cube import dashboard_computation
from partnerhub.executive.services.concerns import concern_raise, concern_reply, concern_set_status
from partnerhub.executive.services.dashboard import dashboard_precompute
from partnerhub.executive.services.digest import digest_send
from partnerhub.executive.services.framework import (
    framework_review_comment,
    framework_review_invite,
    framework_review_schedule,
)
from partnerhub.executive.services.memo import memo_edit, memo_generate, memo_publish
from reviews.models import Cadence, Review
from reviews.services.cadences import cadence_update
from scorecards.models import ScorecardTemplate, TemplateVersion
from scorecards.services.templates import template_version_draft

COMMENTARY = (
    "A steady quarter: scores held while more reviews took place than planned. The partners turning red need a "
    "decision on remediation before the next quarter's reviews; the declining ones are coached by their managers.",
    "Pipeline creation picked up, revenue lagged it as expected. Forecast accuracy is the weakest link: we will ask "
    "every partner with a missed forecast to walk us through their next one.",
)
GREEN_NOTICE = "Green starts at 85 from next quarter"
CONCERN_SUBJECT = "Deal registrations approved late"
CONCERN_BODY = (
    "Three of our registrations this quarter were approved after the customer had already signed with a competitor. "
    "We would like to understand how approvals are prioritised."
)
FEEDBACK_COMMENTS = (
    "Useful: the pre-read meant we could spend the hour on next quarter.",
    "Fair discussion, but we ran out of time for enablement.",
    "Well prepared on both sides.",
    "",
)


def seed_executive(tenant: Tenant) -> None:
    """The dashboard, two published memos, this month's digests, review feedback and an open concern."""
    dashboard_precompute(tenant=tenant, trigger=DashboardComputation.Trigger.MANUAL)
    with tenant_context(tenant):
        admin = Membership.objects.for_tenant(tenant).filter(role=Role.ADMIN).order_by("pk").first()
        executive = Membership.objects.for_tenant(tenant).filter(role=Role.EXECUTIVE).order_by("pk").first()
    if admin is None or executive is None:
        return
    _memos(tenant, executive)
    _feedback(tenant)
    _concern(tenant, admin)
    _change_notice(tenant, admin)
    _cadence_change(tenant, admin)
    _framework_review(tenant, admin)
    today = timezone.now().date()
    digest_send(tenant=tenant, month=today.replace(day=1), today=today)


def _memos(tenant: Tenant, executive: Membership) -> None:
    """The last two closed quarters' memos, each published once with the executive's commentary."""
    with tenant_context(tenant):
        computation = dashboard_computation(tenant=tenant)
    if computation is None or computation.latest_month is None:
        return
    latest = computation.latest_month
    closed = quarter_start(latest) if latest.month % 3 == 0 else add_months(quarter_start(latest), -3)
    for n, quarter in enumerate((add_months(closed, -3), closed)):
        memo = memo_generate(tenant=tenant, quarter=quarter).memo
        with tenant_context(tenant):
            draft = MemoVersion.objects.for_tenant(tenant).filter(memo=memo, status=MemoVersion.Status.DRAFT).first()
        if draft is None:
            continue  # published by an earlier seed
        memo_edit(tenant=tenant, actor=executive, version=draft, commentary=COMMENTARY[n % len(COMMENTARY)])
        memo_publish(tenant=tenant, actor=executive, version=draft)


def _feedback(tenant: Tenant) -> None:
    """Feedback from the partner users on their company's signed-off reviews (deterministic, once)."""
    with tenant_context(tenant):
        if ReviewFeedback.objects.for_tenant(tenant).exists():
            return
        users = list(Membership.objects.for_tenant(tenant).filter(role=Role.PARTNER).order_by("pk"))
        rows = []
        for user in users:
            if user.partner_id is None:
                continue
            reviews = (
                Review.objects.for_tenant(tenant)
                .filter(partner_id=user.partner_id, state=Review.State.SIGNED_OFF)
                .order_by("-signed_off_at")[:4]
            )
            for review in reviews:
                rng = random.Random(review.pk)  # noqa: S311 (demo data, not security)
                rows.append(
                    ReviewFeedback(
                        tenant=tenant,
                        review=review,
                        respondent=user,
                        useful=rng.choice((3, 4, 4, 5, 5)),
                        fair=rng.choice((3, 4, 5, 5)),
                        prepared=rng.choice((2, 3, 4, 4, 5)),
                        comment=FEEDBACK_COMMENTS[review.pk % len(FEEDBACK_COMMENTS)],
                    )
                )
        ReviewFeedback.objects.bulk_create(rows)


def _concern(tenant: Tenant, admin: Membership) -> None:
    """One open concern from the first partner user, with an admin's first reply."""
    with tenant_context(tenant):
        if Concern.objects.for_tenant(tenant).filter(subject=CONCERN_SUBJECT).exists():
            return
        sender = Membership.objects.for_tenant(tenant).filter(role=Role.PARTNER).order_by("pk").first()
    if sender is None:
        return
    concern = concern_raise(tenant=tenant, actor=sender, subject=CONCERN_SUBJECT, body=CONCERN_BODY)
    concern_reply(
        tenant=tenant,
        actor=admin,
        concern=concern,
        body="Thank you for raising this. We are pulling the approval times for your registrations and will come back "
        "to you within the week.",
    )
    concern_set_status(tenant=tenant, actor=admin, concern=concern, status=Concern.Status.IN_REVIEW)


def _cadence_change(tenant: Tenant, admin: Membership) -> None:
    """The quarterly business review asks for the self-assessment four days earlier: announced, then made."""
    with tenant_context(tenant):
        if ChangeNotice.objects.for_tenant(tenant).filter(kind=ChangeNotice.Kind.CADENCE).exists():
            return
        cadence = Cadence.objects.for_tenant(tenant).filter(kind=Cadence.Kind.QBR, is_active=True).first()
    if cadence is None:
        return
    announce(
        tenant,
        admin,
        kind=ChangeNotice.Kind.CADENCE,
        subject_id=cadence.pk,
        title="Your self-assessment is due two weeks before each QBR",
        what_changed=f"The self-assessment and forecast for “{cadence.name}” are due 14 days before the review "
        f"(it was {cadence.self_assessment_lead_days}).",
        why="Managers need the forecast early enough to read it with the partner's pipeline before the review.",
    )
    cadence_update(tenant=tenant, actor=admin, cadence=cadence, data={"self_assessment_lead_days": 14})


def _change_notice(tenant: Tenant, admin: Membership) -> None:
    """A draft of the default scorecard that asks more of green, announced with its what-if and published."""
    with tenant_context(tenant):
        if ChangeNotice.objects.for_tenant(tenant).filter(title=GREEN_NOTICE).exists():
            return
        template = ScorecardTemplate.objects.for_tenant(tenant).filter(is_default=True).first()
    if template is None:
        return
    draft = template_version_draft(tenant=tenant, actor=admin, template=template)
    with tenant_context(tenant):
        TemplateVersion.objects.for_tenant(tenant).filter(pk=draft.pk).update(
            score_green_at=85, rationale="Green should mean ahead of plan, not merely on it."
        )
    announce(
        tenant,
        admin,
        kind=ChangeNotice.Kind.TEMPLATE,
        subject_id=draft.pk,
        title=GREEN_NOTICE,
        what_changed="A score of 85 or more is green (it was 80); amber and red do not change.",
        why="Half the program is green today: the colour no longer tells who is ahead of plan.",
    )


def _framework_review(tenant: Tenant, admin: Membership) -> None:
    """This year's framework review, in progress: its checklist, a partner representative invited, a comment."""
    with tenant_context(tenant):
        if FrameworkReview.objects.for_tenant(tenant).exists():
            return
        representative = Membership.objects.for_tenant(tenant).filter(role=Role.PARTNER).order_by("pk").first()
    review = framework_review_schedule(tenant=tenant, today=timezone.now().date(), force=True)
    if review is None:
        return
    if representative is not None:
        framework_review_invite(tenant=tenant, actor=admin, review=review, member_ids=[representative.pk])
    framework_review_comment(
        tenant=tenant,
        actor=admin,
        review=review,
        body="Start with the targets nearly everyone meets: they no longer separate good partners from great ones.",
    )
