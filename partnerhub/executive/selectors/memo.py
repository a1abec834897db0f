"""Reads for the quarterly memo: the quarter's facts (from the dashboard's cube, plus a few bounded lists of named
partners), and the memos themselves.

The facts cost a fixed number of queries whatever the number of partners: the computation and the program's slice
(2), the program lead (1), the movers (2), the partners red twice (1), the forecast misses (1), the decisions taken
(1), and whatever the seam figures' apps read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from partnerhub.core.domain.periods import add_months, period_label, quarter_end
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.executive.domain.figures import Totals, period_of, totals
from partnerhub.executive.domain.memo import FORECAST_MISS_BELOW, MemoFacts, PartnerFigure, SeamLine
from partnerhub.executive.errors import MemoQuarterOpenError
from partnerhub.executive.models import DashboardComputation, Memo, MemoVersion
from partnerhub.executive.selectors.cube import dashboard_computation, slice_series
from partnerhub.executive.selectors.seams import seam_figures, seam_provider
from reviews.models import Decision, Forecast
from scorecards.selectors.snapshots import portfolio_snapshots

MEMO_SEAMS = {
    "open_plans": ("remediation", "Remediation plans opened and closed", "{value:,.0f} remediation plans are open."),
    "missed_checkpoints": ("remediation", "Missed checkpoints", "{value:,.0f} plan checkpoints were missed."),
    "tier_moves_pending": ("recognition", "Tier moves", "{value:,.0f} tier moves await an executive's approval."),
    "investment_spend": (
        "investments",
        "Investment decisions",
        "Investments of {value:,.0f} {currency} were spent this quarter.",
    ),
    "investment_impact": (
        "investments",
        "Measured impact of investments",
        "Funded partners moved {value:+.1f} points against matched partners that got none.",
    ),
}


def quarter_is_closed(computation: DashboardComputation | None, quarter_start: date) -> bool:
    """Whether the program's scorecards cover the quarter's last month (the quarter is over and scored)."""
    return (
        computation is not None
        and computation.latest_month is not None
        and computation.latest_month >= add_months(quarter_start, 2)
    )


def _path(tenant: Tenant, name: str, query: dict[str, Any] | None = None, **kwargs: Any) -> str:
    path = reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})
    return f"{path}?{urlencode(query)}" if query else path


def _owner_name(partner: Partner, fallback: str) -> str:
    owner = partner.owner
    return str(owner.user) if owner is not None else fallback


def program_lead(*, tenant: Tenant) -> str:
    """Who answers for program-wide lines: the program's first admin (by membership), or "the program lead"."""
    admin = (
        Membership.objects.for_tenant(tenant)
        .filter(role=Role.ADMIN, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return str(admin.user) if admin is not None else "The program lead"


def memo_facts(*, tenant: Tenant, quarter_start: date) -> MemoFacts:
    """The facts the memo of a closed quarter is written from; MemoQuarterOpenError for a quarter not yet closed."""
    computation = dashboard_computation(tenant=tenant)
    if not quarter_is_closed(computation, quarter_start):
        raise MemoQuarterOpenError(
            f"{period_label('quarter', quarter_start)} is not closed yet: its memo is written once the scorecards of "
            "its last month are in."
        )
    assert computation is not None  # noqa: S101 (quarter_is_closed checked it)
    series = slice_series(tenant=tenant, computation=computation, filters={})
    available = {"quarter": series.periods("quarter"), "month": series.periods("month")}
    previous_start = add_months(quarter_start, -3)
    now = totals(period_of("quarter", quarter_start, available, complete_quarters=set()), series.cells, series.layout)
    then = totals(period_of("quarter", previous_start, available, complete_quarters=set()), series.cells, series.layout)
    lead = program_lead(tenant=tenant)
    scorecard = "partner_scorecard"
    at = {"period": "quarter", "at": quarter_start.isoformat()}

    def figure(snapshot: Any, value: float) -> PartnerFigure:
        return PartnerFigure(
            name=snapshot.partner.name,
            value=value,
            owner=_owner_name(snapshot.partner, lead),
            url=_path(tenant, scorecard, at, partner_id=snapshot.partner_id),
            score=None if snapshot.score is None else float(snapshot.score),
        )

    quarter = portfolio_snapshots(tenant=tenant, period="quarter", period_start=quarter_start, sort="change")
    risers = [figure(s, float(s.change_previous or 0)) for s in quarter.filter(change_previous__gt=0)[:3]]
    fallers = [
        figure(s, float(s.change_previous or 0))
        for s in portfolio_snapshots(
            tenant=tenant, period="quarter", period_start=quarter_start, sort="-change"
        ).filter(change_previous__lt=0, trend="declining")[:3]
    ]
    red_before = portfolio_snapshots(tenant=tenant, period="quarter", period_start=previous_start).filter(rag="red")
    red_twice = [
        figure(s, float(s.score or 0))
        for s in quarter.filter(rag="red", partner__in=red_before.values("partner_id")).order_by("score")[:5]
    ]
    dashboard_query = {"granularity": "quarter", "at": quarter_start.isoformat()}
    links = {
        "dashboard": _path(tenant, "executive_dashboard", dashboard_query),
        "red": _path(tenant, "executive_partners", {**dashboard_query, "show": "rag:red"}),
        "declining": _path(tenant, "executive_partners", {**dashboard_query, "show": "trend:declining"}),
        "dq": _path(tenant, "executive_partners", {**dashboard_query, "show": "dq"}),
        "overdue": _path(tenant, "executive_partners", {**dashboard_query, "show": "overdue"}),
        "reviews": _path(tenant, "executive_partners", {**dashboard_query, "show": "reviews"}),
        "quality": _path(tenant, "quality_list"),
    }
    partners = Partner.objects.for_tenant(tenant)
    end = add_months(quarter_start, 3)
    seams = [
        SeamLine(
            section=MEMO_SEAMS[s.spec.name][0],
            label=MEMO_SEAMS[s.spec.name][1],
            sentence=(
                None  # the app is not there: "not yet available"
                if not s.available
                else f"{MEMO_SEAMS[s.spec.name][1]}: nothing measured this quarter."
                if s.value is None
                else MEMO_SEAMS[s.spec.name][2].format(value=s.value, currency=tenant.currency)
            ),
        )
        # The seams take the period's last day (inclusive), as the dashboard gives them.
        for s in seam_figures(tenant=tenant, partners=partners, start=quarter_start, end=quarter_end(quarter_start))
    ]
    awards = seam_provider("recognition", "awards_given")
    last_day = quarter_end(quarter_start)
    award_count = awards(tenant=tenant, partners=partners, start=quarter_start, end=last_day) if awards else None
    seams.insert(
        2,
        SeamLine(
            section="recognition",
            label="Awards",
            sentence=None if award_count is None else f"{int(award_count):,} awards were given this quarter.",
        ),
    )
    return MemoFacts(
        quarter_label=period_label("quarter", quarter_start),
        quarter_end=quarter_end(quarter_start),
        previous_label=period_label("quarter", previous_start),
        program_lead=lead,
        partners_scored=int(now["scored"]),
        mean_score=now.ratio("score_sum", "scored"),
        mean_change=_change(now, then),
        green=int(now["rag_green"]),
        amber=int(now["rag_amber"]),
        red=int(now["rag_red"]),
        to_red=int(now["move_green_red"] + now["move_amber_red"]),
        from_red=int(now["move_red_green"] + now["move_red_amber"]),
        improving=int(now["trend_improving"]),
        declining=int(now["trend_declining"]),
        reviews_scheduled=int(now["reviews_scheduled"]),
        reviews_held=int(now["reviews_held"]),
        reviews_cancelled=int(now["reviews_cancelled"]),
        decisions_taken=_decisions_taken(tenant, quarter_start, end),
        actions_overdue=int(now["actions_overdue"]),
        forecast_accuracy=now.ratio("forecast_accuracy_sum", "forecast_n"),
        forecasts=int(now["forecast_n"]),
        flagged=int(now["dq_flagged"]),
        coverage=now.ratio("items_present", "items_total", 100),
        risers=risers,
        fallers=fallers,
        forecast_misses=_forecast_misses(tenant, quarter_start, lead),
        red_twice=red_twice,
        seams=seams,
        links=links,
    )


def _change(now: Totals, then: Totals) -> float | None:
    a, b = now.ratio("score_sum", "scored"), then.ratio("score_sum", "scored")
    return None if a is None or b is None else a - b


def _decisions_taken(tenant: Tenant, start: date, end: date) -> int:
    return (
        Decision.objects.for_tenant(tenant)
        .filter(
            review__scheduled_for__gte=datetime(start.year, start.month, 1, tzinfo=UTC),
            review__scheduled_for__lt=datetime(end.year, end.month, 1, tzinfo=UTC),
        )
        .count()
    )


def _forecast_misses(tenant: Tenant, quarter_start: date, lead: str) -> list[PartnerFigure]:
    rows = (
        Forecast.objects.for_tenant(tenant)
        .filter(quarter_start=quarter_start, accuracy__lt=FORECAST_MISS_BELOW)
        .select_related("partner__owner__user")
        .order_by("accuracy", "partner__name")[:5]
    )
    return [
        PartnerFigure(
            name=f.partner.name,
            value=float(f.accuracy or 0),
            owner=_owner_name(f.partner, lead),
            url=_path(tenant, "partner_detail", partner_id=f.partner_id),
        )
        for f in rows
    ]


# --- the memos ---


def memo_list(*, tenant: Tenant) -> QuerySet[Memo]:
    """The program's memos, latest quarter first, with their versions (one query for the versions)."""
    return Memo.objects.for_tenant(tenant).prefetch_related("versions").order_by("-quarter_start")


def memo_get(*, tenant: Tenant, memo_id: int) -> Memo:
    """The memo, or NotFoundError for a missing id and another tenant's alike."""
    memo = Memo.objects.for_tenant(tenant).filter(pk=memo_id).first()
    if memo is None:
        raise NotFoundError("Memo not found.")
    return memo


def memo_versions(*, tenant: Tenant, memo: Memo) -> list[MemoVersion]:
    """Every version of a memo, newest first, with who made and published each (without the rendered documents)."""
    return list(
        MemoVersion.objects.for_tenant(tenant)
        .filter(memo=memo)
        .select_related("created_by__user", "published_by__user")
        .defer("html", "partner_html", "pdf", "partner_pdf")
        .order_by("-number")
    )


def memo_version_get(*, tenant: Tenant, memo: Memo, version_id: int) -> MemoVersion:
    """One version of the memo, or NotFoundError."""
    version = MemoVersion.objects.for_tenant(tenant).filter(memo=memo, pk=version_id).first()
    if version is None:
        raise NotFoundError("Memo version not found.")
    return version


def memo_latest_published(*, tenant: Tenant, memo: Memo) -> MemoVersion | None:
    return (
        MemoVersion.objects.for_tenant(tenant)
        .filter(memo=memo, status=MemoVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def memo_draft(*, tenant: Tenant, memo: Memo) -> MemoVersion | None:
    return MemoVersion.objects.for_tenant(tenant).filter(memo=memo, status=MemoVersion.Status.DRAFT).first()


def published_memos(*, tenant: Tenant) -> list[tuple[Memo, MemoVersion]]:
    """Each memo's latest published version, latest quarter first (the partner portal's list): two queries."""
    memos = list(Memo.objects.for_tenant(tenant).order_by("-quarter_start"))
    latest: dict[int, MemoVersion] = {}
    for version in (
        MemoVersion.objects.for_tenant(tenant)
        .filter(memo__in=memos, status=MemoVersion.Status.PUBLISHED)
        .defer("html", "partner_html", "pdf", "partner_pdf")
        .order_by("memo_id", "-number")
    ):
        latest.setdefault(version.memo_id, version)
    return [(m, latest[m.pk]) for m in memos if m.pk in latest]


def closed_quarters(*, tenant: Tenant, computation: DashboardComputation | None) -> list[date]:
    """The quarters a memo may be written for: those with quarter scorecards whose last month is scored."""
    if computation is None or computation.latest_quarter is None:
        return []
    series = slice_series(tenant=tenant, computation=computation, filters={})
    return [q for q in reversed(series.periods("quarter")) if quarter_is_closed(computation, q)]
