"""Reads for the monthly digest: the data of one period, read once for every reader (a fixed number of queries,
whatever the number of partners and readers), and a member's own digests and settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from partnerhub.core.domain.periods import add_months, months_in, period_label
from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.executive.domain.digest import ActionLine, DigestData, Finding, PartnerLine, Upcoming
from partnerhub.executive.domain.figures import period_of, totals
from partnerhub.executive.models import DigestDelivery, DigestSubscription
from partnerhub.executive.selectors.cube import dashboard_computation, slice_series
from partnerhub.executive.selectors.facts import ACTIONS_OPEN
from partnerhub.executive.selectors.seams import seam_provider
from reviews.models import ActionItem, Review, Visibility
from scorecards.models import DataQualityFinding, TemplateVersion
from scorecards.selectors.snapshots import portfolio_snapshots

UPCOMING_DAYS = 30
DIGEST_SEAMS = (
    (
        "recognition",
        "tier_framework_changes",
        "Tier framework changes",
        "{value:,.0f} tier framework versions published.",
    ),
    ("remediation", "plans_opened", "Remediation plans", "{value:,.0f} remediation plans opened."),
    ("recognition", "awards_given", "Awards", "{value:,.0f} awards given."),
)


def _url(tenant: Tenant, name: str, query: dict[str, Any] | None = None, **kwargs: Any) -> str:
    path = reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})
    return f"{path}?{urlencode(query)}" if query else path


def digest_data(*, tenant: Tenant, period: str, start: date, today: date) -> DigestData:
    """What every digest about one period is written from (``today``: where "coming up" starts)."""
    end = add_months(start, months_in(period))
    previous = add_months(start, -months_in(period))
    program: dict[str, float | None] = {}
    computation = dashboard_computation(tenant=tenant)
    if computation is not None:
        series = slice_series(tenant=tenant, computation=computation, filters={})
        available = {"month": series.periods("month"), "quarter": series.periods("quarter")}
        now = totals(period_of(period, start, available, complete_quarters=set()), series.cells, series.layout)
        then = totals(period_of(period, previous, available, complete_quarters=set()), series.cells, series.layout)
        mean, before = now.ratio("score_sum", "scored"), then.ratio("score_sum", "scored")
        program = {
            "scored": now["scored"],
            "mean": mean,
            "mean_change": None if mean is None or before is None else mean - before,
            "green": now["rag_green"],
            "amber": now["rag_amber"],
            "red": now["rag_red"],
            "to_red": now["move_green_red"] + now["move_amber_red"],
            "improving": now["trend_improving"],
            "declining": now["trend_declining"],
        }
    at = {"period": period, "at": start.isoformat()}
    partners = {
        s.partner_id: PartnerLine(
            partner_id=s.partner_id,
            name=s.partner.name,
            owner_id=s.partner.owner_id,
            score=None if s.score is None else float(s.score),
            rag=s.rag,
            change=None if s.change_previous is None else float(s.change_previous),
            trend=s.trend,
            url=_url(tenant, "partner_scorecard", at, partner_id=s.partner_id),
            portal_url=_url(tenant, "portal_scorecard", at),
        )
        for s in portfolio_snapshots(tenant=tenant, period=period, period_start=start, sort="name")
    }
    horizon = today + timedelta(days=UPCOMING_DAYS)
    upcoming = [
        Upcoming(
            partner_id=r.partner_id,
            partner=r.partner.name,
            text=f"{r.get_kind_display()} with {r.partner.name}",
            when=r.scheduled_for.date(),
            url=_url(tenant, "review_detail", review_id=r.pk),
            portal_url=_url(tenant, "portal_review_detail", review_id=r.pk),
        )
        for r in Review.objects.for_tenant(tenant)
        .filter(
            scheduled_for__gte=datetime(today.year, today.month, today.day, tzinfo=UTC),
            scheduled_for__lt=datetime(horizon.year, horizon.month, horizon.day, tzinfo=UTC),
            state__in=(Review.State.SCHEDULED, Review.State.PREPARING),
        )
        .select_related("partner")
        .order_by("scheduled_for", "pk")
    ]
    actions = [
        ActionLine(
            partner_id=a.partner_id,
            partner=a.partner.name,
            text=a.description.splitlines()[0][:160] if a.description else "",
            due=a.due_date,
            overdue=a.due_date < today,
            shared=a.visibility == Visibility.SHARED,
            url=_url(tenant, "review_detail", review_id=a.review_id),
            portal_url=_url(tenant, "portal_review_detail", review_id=a.review_id),
        )
        for a in ActionItem.objects.for_tenant(tenant)
        .filter(status__in=ACTIONS_OPEN, due_date__lt=horizon)
        .select_related("partner")
        .order_by("due_date", "pk")
    ]
    window = (datetime(start.year, start.month, 1, tzinfo=UTC), datetime(end.year, end.month, 1, tzinfo=UTC))
    changes = [
        f"Scorecard “{v.template.name}” version {v.number} takes effect {v.effective_from:%-d %B %Y}"
        + (f": {v.rationale.strip().splitlines()[0][:200]}" if v.rationale.strip() else ".")
        for v in TemplateVersion.objects.for_tenant(tenant)
        .filter(published_at__gte=window[0], published_at__lt=window[1])
        .select_related("template")
        .order_by("published_at", "pk")
    ]
    findings = [
        Finding(
            partner_id=f.partner_id,
            partner=f.partner.name,
            text=f"{f.get_kind_display()}: {f.detail.splitlines()[0][:160] if f.detail else ''}",
            url=_url(tenant, "quality_list"),
        )
        for f in DataQualityFinding.objects.for_tenant(tenant)
        .filter(created_at__gte=window[0], created_at__lt=window[1], status=DataQualityFinding.Status.OPEN)
        .select_related("partner")
        .order_by("partner__name", "pk")
    ]
    seams: list[tuple[str, str | None]] = []
    everyone = partners_all(tenant)
    for app_label, name, label, sentence in DIGEST_SEAMS:
        provider = seam_provider(app_label, name)
        value = provider(tenant=tenant, partners=everyone, start=start, end=end) if provider else None
        seams.append((label, None if value is None else sentence.format(value=value)))
    dashboard_query = {"granularity": period, "at": start.isoformat()}
    return DigestData(
        period=period,
        start=start,
        label=period_label(period, start),
        previous_label=period_label(period, previous),
        program=program,
        partners=partners,
        upcoming=upcoming,
        actions=actions,
        template_changes=changes,
        findings=findings,
        seams=seams,
        links={
            "dashboard": _url(tenant, "executive_dashboard", dashboard_query),
            "red": _url(tenant, "executive_partners", {**dashboard_query, "show": "rag:red"}),
            "portfolio": _url(tenant, "portfolio", {"period": period, "at": start.isoformat()}),
            "templates": _url(tenant, "template_list"),
        },
    )


def partners_all(tenant: Tenant) -> QuerySet[Partner]:
    return Partner.objects.for_tenant(tenant)


def digest_recipients(*, tenant: Tenant) -> list[tuple[Membership, str]]:
    """Every active member with their digest frequency (monthly when they never chose): two queries."""
    chosen = dict(DigestSubscription.objects.for_tenant(tenant).values_list("membership_id", "frequency"))
    members = Membership.objects.for_tenant(tenant).filter(is_active=True).select_related("user").order_by("pk")
    return [(m, chosen.get(m.pk, DigestSubscription.Frequency.MONTHLY)) for m in members]


def digest_frequency(*, tenant: Tenant, member: Membership) -> str:
    """A member's digest frequency (monthly when they never chose)."""
    chosen = DigestSubscription.objects.for_tenant(tenant).filter(membership=member).values_list("frequency", flat=True)
    return next(iter(chosen), DigestSubscription.Frequency.MONTHLY)


def digest_list_for_member(*, tenant: Tenant, member: Membership) -> QuerySet[DigestDelivery]:
    """The member's own digests, latest first."""
    return DigestDelivery.objects.for_tenant(tenant).filter(membership=member).order_by("-month", "-pk")


def digest_for_month(*, tenant: Tenant, member: Membership, month: date) -> DigestDelivery | None:
    """The member's own digest sent in ``month``, or None (no one reads another member's)."""
    return digest_list_for_member(tenant=tenant, member=member).filter(month=month.replace(day=1)).first()
