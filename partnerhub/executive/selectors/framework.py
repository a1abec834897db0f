"""Reads for the framework review: the figures its checklist is written from (two queries over the latest
snapshots' metric items, one over the last year's reviews), the reviews themselves, and the program's settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet

from partnerhub.core.domain.periods import add_months
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.tenancy.sql import ensure_active_tenant
from partnerhub.executive.domain.framework import CadenceFigures, MetricFigures
from partnerhub.executive.models import FrameworkReview, FrameworkReviewComment, GovernanceSettings
from reviews.models import Review
from scorecards.models import MetricDefinition
from scorecards.selectors.snapshot_inputs import SNAPSHOT_TABLE
from scorecards.selectors.snapshots import latest_period

FLAT_MONTHS = 6


def governance_settings(*, tenant: Tenant) -> GovernanceSettings:
    """The program's settings (defaults when never saved; nothing is written by reading them)."""
    return GovernanceSettings.objects.for_tenant(tenant).first() or GovernanceSettings(tenant=tenant)


def framework_metric_figures(*, tenant: Tenant) -> list[MetricFigures]:
    """Per metric of the latest month's scorecards: partners scored, reporting, at or above target; and over the
    last months, partners whose value never moved."""
    ensure_active_tenant(tenant, "framework figures")
    latest = latest_period(tenant=tenant, period="month")
    if latest is None:
        return []
    first = add_months(latest, -(FLAT_MONTHS - 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH items AS (
                SELECT s.partner_id, s.period_start, (x.metric_id)::bigint AS metric_id, x.actual, x.target
                FROM {SNAPSHOT_TABLE} s,
                    jsonb_to_recordset(s.items) AS x(metric_id int8, actual float8, target float8)
                WHERE s.tenant_id = %s AND s.period = 'month' AND s.period_start BETWEEN %s AND %s
            ),
            now AS (
                SELECT metric_id, count(*) FILTER (WHERE actual IS NOT NULL AND target IS NOT NULL) AS reporting,
                    count(*) FILTER (WHERE actual IS NOT NULL AND target IS NOT NULL AND actual >= target) AS met
                FROM items WHERE period_start = %s GROUP BY metric_id
            ),
            runs AS (
                SELECT metric_id, partner_id, count(actual) AS months, count(DISTINCT actual) AS distinct_values
                FROM items GROUP BY metric_id, partner_id
            ),
            flat AS (
                SELECT metric_id, count(*) FILTER (WHERE months >= 3) AS tracked,
                    count(*) FILTER (WHERE months >= 3 AND distinct_values = 1) AS flat
                FROM runs GROUP BY metric_id
            )
            SELECT now.metric_id, now.reporting, now.met, coalesce(flat.tracked, 0), coalesce(flat.flat, 0),
                (SELECT count(*) FROM {SNAPSHOT_TABLE} s WHERE s.tenant_id = %s AND s.period = 'month'
                    AND s.period_start = %s AND s.score IS NOT NULL)
            FROM now LEFT JOIN flat ON flat.metric_id = now.metric_id
            """,
            [tenant.pk, first, latest, latest, tenant.pk, latest],
        )
        rows = cursor.fetchall()
    names = dict(MetricDefinition.objects.for_tenant(tenant).values_list("pk", "name"))
    return [
        MetricFigures(
            name=names.get(metric_id, f"Metric {metric_id}"),
            scored=int(scored),
            reporting=int(reporting),
            met=int(met),
            flat=int(flat),
            tracked=int(tracked),
        )
        for metric_id, reporting, met, tracked, flat, scored in sorted(rows, key=lambda r: names.get(r[0], ""))
    ]


def framework_cadence_figures(*, tenant: Tenant, today: date) -> list[CadenceFigures]:
    """Per cadence: its reviews planned in the last twelve months and how many were cancelled."""
    since = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=365)
    rows = (
        Review.objects.for_tenant(tenant)
        .filter(scheduled_for__gte=since, scheduled_for__lt=datetime(today.year, today.month, today.day, tzinfo=UTC))
        .values("cadence__name")
        .annotate(total=Count("pk"), cancelled=Count("pk", filter=Q(state=Review.State.CANCELLED)))
        .order_by("cadence__name")
    )
    return [CadenceFigures(r["cadence__name"], r["total"], r["cancelled"]) for r in rows]


def framework_review_list(*, tenant: Tenant) -> QuerySet[FrameworkReview]:
    return FrameworkReview.objects.for_tenant(tenant).order_by("-due_on", "-pk")


def framework_review_get(*, tenant: Tenant, review_id: int) -> FrameworkReview:
    review = framework_review_list(tenant=tenant).filter(pk=review_id).first()
    if review is None:
        raise NotFoundError("Framework review not found.")
    return review


def framework_review_for_invitee(*, tenant: Tenant, member: Membership, review_id: int) -> FrameworkReview:
    """A review the member (a partner representative) was invited to comment on; NotFoundError otherwise."""
    review = framework_review_list(tenant=tenant).filter(pk=review_id, invited_ids__contains=[member.pk]).first()
    if review is None:
        raise NotFoundError("Framework review not found.")
    return review


def framework_review_comments(*, tenant: Tenant, review: FrameworkReview) -> QuerySet[FrameworkReviewComment]:
    return (
        FrameworkReviewComment.objects.for_tenant(tenant)
        .filter(review=review)
        .select_related("author__user", "author__partner")
        .order_by("created_at", "pk")
    )
