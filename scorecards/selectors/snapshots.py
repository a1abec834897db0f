"""Reads of stored scorecard snapshots (pages never recompute): a portfolio for one period, a partner's history and
scorecard, the latest period. Every read here is a fixed number of queries, whatever the number of partners."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Count, DecimalField, Max, Q, QuerySet
from django.db.models.aggregates import Aggregate
from django.db.models.fields import FloatField

from partnerhub.core.domain.periods import month_number, month_start, period_bounds
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.selectors.program import PartnerFilters, partner_list
from partnerhub.core.tenancy.refresh_cache import refreshed_value
from partnerhub.core.tenancy.sql import ensure_active_tenant
from scorecards.domain.standing import MIN_MEDIAN_GROUP, MIN_PERCENTILE_GROUP, GroupStanding, standing_in_group
from scorecards.models import MetricDefinition, ScorecardSnapshot

# The stored values of the snapshot periods and of the declining trend, for apps that read snapshots through these
# selectors.
SNAPSHOT_PERIOD_MONTH: Final[str] = ScorecardSnapshot.Period.MONTH.value
SNAPSHOT_PERIOD_QUARTER: Final[str] = ScorecardSnapshot.Period.QUARTER.value
SNAPSHOT_TREND_DECLINING: Final[str] = ScorecardSnapshot.Trend.DECLINING.value

PORTFOLIO_SORTS = {
    "score": ("-score", "partner__name"),
    "-score": ("score", "partner__name"),
    "change": ("-change_previous", "partner__name"),
    "-change": ("change_previous", "partner__name"),
    "percentile": ("-percentile", "partner__name"),
    "name": ("partner__name", "partner_id"),
}


def portfolio_snapshots(
    *,
    tenant: Tenant,
    period: str,
    period_start: date,
    filters: PartnerFilters | None = None,
    sort: str = "name",
    rag: str | None = None,
) -> QuerySet[ScorecardSnapshot]:
    """Every partner's snapshot of one period, filtered on the partner (``PartnerFilters``) and, when given, on its
    RAG (``""``: no score), in ``sort`` order (``PORTFOLIO_SORTS``; by partner name by default).

    Partner, its owner's membership and user, and the template version are joined: one query, whatever the number
    of rows. The per-metric ``items`` are not loaded (``defer``); a page that shows them reads one partner's.
    """
    qs = ScorecardSnapshot.objects.for_tenant(tenant).filter(period=period, period_start=period_start)
    if filters is not None and filters != PartnerFilters():
        qs = qs.filter(partner__in=partner_list(tenant=tenant, filters=filters).values("pk"))
    if rag is not None:
        qs = qs.filter(rag=rag)
    return (
        qs.select_related("partner", "partner__owner__user", "template_version")
        .defer("items")
        .order_by(*PORTFOLIO_SORTS.get(sort, PORTFOLIO_SORTS["name"]))
    )


class _TopScores(Aggregate):
    """A group's highest scores, best first, as many as a rank is ever said for (a larger group has a percentile)."""

    template = f"(array_agg(%(expressions)s ORDER BY %(expressions)s DESC))[1:{MIN_PERCENTILE_GROUP}]"
    output_field = ArrayField(DecimalField(max_digits=8, decimal_places=4))


def attach_segment_standing(*, tenant: Tenant, snapshots: Sequence[ScorecardSnapshot]) -> None:
    """Give each snapshot of one page ``segment_size`` (scored partners of its segment, type x stage, in its period)
    and, in a segment too small for a percentile (``MIN_PERCENTILE_GROUP``), ``segment_rank`` (1 + those scored
    higher): a list says "rank 2 of 6" where a percentile would mean nothing. One query whatever the page or the
    program: each segment on the page with its size and its ten best scores."""
    rows = [s for s in snapshots if s.score is not None]
    if not rows:
        return
    first = rows[0]
    segments = {(s.partner.partner_type, s.partner.stage) for s in rows}
    in_period = ScorecardSnapshot.objects.for_tenant(tenant).filter(
        period=first.period, period_start=first.period_start, score__isnull=False
    )
    wanted = Q()
    for kind, stage in segments:
        wanted |= Q(partner__partner_type=kind, partner__stage=stage)
    sizes: dict[tuple[str, str], int] = {}
    scores: dict[tuple[str, str], list[Decimal]] = {}
    for kind, stage, n, top in (
        in_period.filter(wanted)
        .values_list("partner__partner_type", "partner__stage")
        .annotate(n=Count("id"), top=_TopScores("score"))
        .values_list("partner__partner_type", "partner__stage", "n", "top")
    ):
        sizes[(kind, stage)] = n
        scores[(kind, stage)] = [v for v in top or [] if v is not None]
    for s in rows:
        key = (s.partner.partner_type, s.partner.stage)
        own = float(s.score) if s.score is not None else 0.0
        # The rank is the domain's rule (1 + those scored higher); the best scores hold every score of a small
        # segment, and a larger one says a percentile, so its rank is never shown.
        rank = standing_in_group(own, [float(v) for v in scores.get(key, []) if float(v) > own]).rank
        setattr(s, "segment_size", sizes.get(key, 1))  # noqa: B010 (a page-only attribute, not a field)
        setattr(s, "segment_rank", rank)  # noqa: B010


def partner_snapshots(*, tenant: Tenant, partner: Partner, period: str) -> QuerySet[ScorecardSnapshot]:
    """One partner's snapshots of one period kind (month or quarter), oldest first, with version and template."""
    return (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(partner=partner, period=period)
        .select_related("template_version__template")
        .order_by("period_start")
    )


def latest_snapshots(
    *, tenant: Tenant, period: str, partner_ids: Iterable[int], on_or_before: date
) -> QuerySet[ScorecardSnapshot]:
    """Each partner's latest snapshot of ``period`` starting on or before a day: one query for all partners.

    ``DISTINCT ON (partner_id)`` keeps one row per partner; a partner with a gap falls back to its own latest.
    """
    return (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(period=period, partner_id__in=list(partner_ids), period_start__lte=on_or_before)
        .order_by("partner_id", "-period_start")
        .distinct("partner_id")
    )


@dataclass(frozen=True)
class SnapshotScore:
    """A partner's score in one snapshot: the period's start, the score, the change from the previous one, the trend."""

    period_start: date
    score: Decimal | None
    change_previous: Decimal | None
    trend: str


def snapshot_latest_scores(
    *, tenant: Tenant, period: str, partner_ids: Iterable[int], on_or_before: date
) -> dict[int, SnapshotScore]:
    """Partner id -> the score of its latest snapshot of ``period`` starting on or before a day (one query)."""
    rows = latest_snapshots(
        tenant=tenant, period=period, partner_ids=partner_ids, on_or_before=on_or_before
    ).values_list("partner_id", "period_start", "score", "change_previous", "trend")
    return {
        partner_id: SnapshotScore(period_start=start, score=score, change_previous=change, trend=trend)
        for partner_id, start, score, change, trend in rows
    }


def snapshot_latest_at(
    *, tenant: Tenant, period: str, wanted: Mapping[int, tuple[int, date]]
) -> dict[int, ScorecardSnapshot]:
    """Id -> the partner's latest snapshot of ``period`` at the period holding the day, for ``wanted``'s (partner, day).

    Each day's period start is capped at the latest period with snapshots; a partner with no snapshot at that exact
    period (a gap) gets its latest earlier one. The snapshot rows alone, nothing joined (the caller, the review
    pre-read, has its partners already and needs no template). One query for the latest period, then one per
    distinct period start (keys of one run mostly share one).
    """
    latest = latest_period(tenant=tenant, period=period)
    if latest is None:
        return {}
    by_start: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for key, (partner_id, day) in wanted.items():
        by_start[min(latest, period_bounds(period, day)[0])].append((key, partner_id))
    found: dict[int, ScorecardSnapshot] = {}
    for start, entries in by_start.items():
        rows = {
            s.partner_id: s
            for s in latest_snapshots(
                tenant=tenant, period=period, partner_ids={p for _, p in entries}, on_or_before=start
            )
        }
        for key, partner_id in entries:
            if partner_id in rows:
                found[key] = rows[partner_id]
    return found


def latest_period(*, tenant: Tenant, period: str) -> date | None:
    """The start of the latest period (month or quarter) with snapshots in ``tenant``, or None (one indexed query)."""
    latest: date | None = (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(period=period)
        .aggregate(latest=Max("period_start"))["latest"]
    )
    return latest


def latest_period_cached(*, tenant: Tenant, period: str) -> date | None:
    """``latest_period`` for pages: kept per program until its next snapshot refresh commits (no query then)."""
    return refreshed_value(
        tenant=tenant, name=f"latest_period:{period}", compute=lambda: latest_period(tenant=tenant, period=period)
    )


def period_months_covered_cached(*, tenant: Tenant, period: str, period_start: date) -> int:
    """``period_months_covered`` for pages: kept per program and period until its next snapshot refresh commits."""
    return refreshed_value(
        tenant=tenant,
        name=f"months_covered:{period}:{period_start.isoformat()}",
        compute=lambda: period_months_covered(tenant=tenant, period=period, period_start=period_start),
    )


def period_months_covered(*, tenant: Tenant, period: str, period_start: date) -> int:
    """How many of the period's months count so far, for the period itself (whatever partners a page shows or a
    filter keeps): the most months covered by any snapshot of the period. 3 for a complete quarter, fewer for the
    quarter under way or for a program's first quarter when it started part-way through; 1 for a month. One indexed
    query for a quarter, none for a month."""
    if period != ScorecardSnapshot.Period.QUARTER:
        return 1
    covered: int | None = (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(period=period, period_start=period_start)
        .aggregate(covered=Max("months_covered"))["covered"]
    )
    return 3 if covered is None else covered


def recent_periods(latest: date | None, period: str, count: int = 24) -> list[date]:
    """The last ``count`` period starts up to ``latest``, newest first (arithmetic, no query)."""
    if latest is None:
        return []
    step = 3 if period == ScorecardSnapshot.Period.QUARTER else 1
    return [month_start(month_number(latest) - i * step) for i in range(count)]


# --- one partner's scorecard page ---


@dataclass
class MetricRow:
    metric: MetricDefinition | None
    item: dict[str, Any]
    contribution: float | None = None  # points of score this metric moved versus the previous period


@dataclass
class PartnerScorecard:
    partner: Partner
    period: str
    snapshots: list[ScorecardSnapshot]
    current: ScorecardSnapshot | None
    previous: ScorecardSnapshot | None  # the complete period before ``current``; None for a quarter to date
    rows: list[MetricRow] = field(default_factory=list)
    segment_median: float | None = None  # only from MIN_MEDIAN_GROUP scored partners (fewer would give one away)
    segment: GroupStanding | None = None  # the current score's standing in its segment (type x stage)
    median_series: dict[date, float] = field(default_factory=dict)  # the segment's median per period (portal chart)

    @property
    def segment_label(self) -> str:
        """ "Reseller partners, growth stage": the group a percentile or rank is taken in."""
        p = self.partner
        return f"{p.get_partner_type_display()} partners, {p.get_stage_display().lower()} stage"


def _share(snapshot: ScorecardSnapshot | None) -> dict[int, float]:
    """Each present metric's points as score points (100 x points / weight present) of one snapshot."""
    if snapshot is None:
        return {}
    present = [i for i in snapshot.items if not i.get("missing")]
    weight = sum(float(i["weight"]) for i in present)
    if weight <= 0:
        return {}
    return {int(i["metric_id"]): 100 * float(i["points"] or 0) / weight for i in present}


def segment_standing(*, tenant: Tenant, snapshot: ScorecardSnapshot, partner: Partner) -> GroupStanding | None:
    """Where ``snapshot``'s score stands among the scored partners of its segment (type x stage) in the same period:
    the group's size, the rank, and the percentile and median only where the group is large enough to mean
    something (``scorecards.domain.standing``). One query; None without a score."""
    if snapshot.score is None:
        return None
    others = (
        ScorecardSnapshot.objects.for_tenant(tenant)
        .filter(
            period=snapshot.period,
            period_start=snapshot.period_start,
            score__isnull=False,
            partner__partner_type=partner.partner_type,
            partner__stage=partner.stage,
        )
        .exclude(partner=partner)
        .values_list("score", flat=True)
    )
    return standing_in_group(float(snapshot.score), [float(v) for v in others if v is not None])


class _Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def segment_median_series(*, tenant: Tenant, partner: Partner, period: str) -> dict[date, float]:
    """The median score of ``partner``'s segment (type x stage) in each period, only where at least
    ``MIN_MEDIAN_GROUP`` partners were scored (a median of two gives the other's score away). One query."""
    scored = ScorecardSnapshot.objects.for_tenant(tenant).filter(
        period=period, score__isnull=False, partner__partner_type=partner.partner_type, partner__stage=partner.stage
    )
    if period == ScorecardSnapshot.Period.QUARTER:
        scored = scored.filter(months_covered=3)  # a quarter to date is no point of the line
    rows = (
        scored.values("period_start")
        .annotate(median=_Median("score"), n=Count("id"))
        .filter(n__gte=MIN_MEDIAN_GROUP)
        .values_list("period_start", "median")
    )
    return {start: float(median) for start, median in rows}


def partner_scorecard(
    *, tenant: Tenant, partner_id: int, period: str, at: date | None = None, with_segment_median: bool = False
) -> PartnerScorecard:
    """A partner's snapshots for ``period`` (its history), the one at ``at`` (default: latest), and its metrics.

    Raises ``NotFoundError`` for a partner that is missing or in another tenant (or hidden from the caller's
    ``partner_list``).
    """
    partner = partner_list(tenant=tenant).filter(pk=partner_id).first()
    if partner is None:
        raise NotFoundError("Partner not found.")
    snapshots = list(partner_snapshots(tenant=tenant, partner=partner, period=period))
    current = next((s for s in reversed(snapshots) if at is None or s.period_start == at), None)
    previous = None
    if current is not None and not current.is_to_date:
        # A change compares complete periods only: a quarter to date has no previous one and is no one's previous.
        earlier = [s for s in snapshots if s.period_start < current.period_start]
        previous = earlier[-1] if earlier and not earlier[-1].is_to_date else None
    card = PartnerScorecard(partner=partner, period=period, snapshots=snapshots, current=current, previous=previous)
    if current is None:
        return card
    ids = {int(i["metric_id"]) for i in current.items}
    metrics = {m.pk: m for m in MetricDefinition.objects.for_tenant(tenant).filter(pk__in=ids)}
    now, before = _share(current), _share(previous)
    for item in current.items:
        metric_id = int(item["metric_id"])
        moved = None
        if previous is not None and metric_id in now and metric_id in before:
            moved = round(now[metric_id] - before[metric_id], 2)
        card.rows.append(MetricRow(metric=metrics.get(metric_id), item=item, contribution=moved))
    card.segment = segment_standing(tenant=tenant, snapshot=current, partner=partner)
    if with_segment_median and card.segment is not None:
        card.segment_median = card.segment.median
        card.median_series = segment_median_series(tenant=tenant, partner=partner, period=period)
    return card


# --- figures other apps check against (remediation's checkpoints and triggers) ---


@dataclass(frozen=True)
class SnapshotCheck:
    """The parts of one stored snapshot a check reads: coverage, score, trend, the data-quality flag and why, and
    one metric's entry of ``items`` (None when no metric was asked for, or it is not on that scorecard)."""

    months_covered: int
    score: Decimal | None
    trend: str
    dq_flag: bool
    dq_reasons: list[str]
    item: dict[str, Any] | None


def snapshot_checks(
    *, tenant: Tenant, keys: list[tuple[int, str, date, int | None]]
) -> dict[tuple[int, str, date, int | None], SnapshotCheck]:
    """For each (partner id, period, period start, metric id or None), the stored snapshot's ``SnapshotCheck``;
    keys with no snapshot are absent. One statement, whatever the number of keys: the snapshots travel as arrays
    (each once, with the metrics asked of it) and the server picks those metrics' entries out of ``items``, so the
    rest of the JSON never leaves it and each snapshot's items are decompressed once."""
    if not keys:
        return {}
    ensure_active_tenant(tenant, "snapshots")  # raw SQL bypasses the scoped manager's check
    wanted: dict[tuple[int, str, date], set[int]] = defaultdict(set)
    for partner_id, period, start, metric_id in keys:
        metrics = wanted[(partner_id, period, start)]
        if metric_id is not None:
            metrics.add(metric_id)
    rows = list(wanted.items())
    statement = f"""
        SELECT k.i, s.months_covered, s.score, s.trend, s.dq_flag, s.dq_reasons,
            CASE WHEN k.metrics = '' THEN NULL ELSE (
                SELECT jsonb_agg(e) FROM jsonb_array_elements(s.items) AS e
                WHERE (e ->> 'metric_id')::bigint = ANY(string_to_array(k.metrics, ',')::bigint[])) END
        FROM unnest(%s::int[], %s::bigint[], %s::text[], %s::date[], %s::text[])
            AS k(i, partner_id, period, period_start, metrics)
        JOIN {ScorecardSnapshot._meta.db_table} s ON s.tenant_id = %s AND s.partner_id = k.partner_id
            AND s.period = k.period AND s.period_start = k.period_start
    """
    params: list[Any] = [
        list(range(len(rows))),
        [key[0] for key, _ in rows],
        [key[1] for key, _ in rows],
        [key[2] for key, _ in rows],
        [",".join(str(m) for m in sorted(metrics)) for _, metrics in rows],
        tenant.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        found_rows = cursor.fetchall()
    found: dict[tuple[int, str, date, int | None], SnapshotCheck] = {}
    for i, months, score, trend, flag, reasons, items in found_rows:
        (partner_id, period, start), metrics = rows[i]
        by_metric = {int(item["metric_id"]): item for item in _json(items) or []}
        common = {
            "months_covered": months,
            "score": score,
            "trend": trend,
            "dq_flag": flag,
            "dq_reasons": _json(reasons) or [],
        }
        found[(partner_id, period, start, None)] = SnapshotCheck(**common, item=None)
        for metric_id in metrics:
            found[(partner_id, period, start, metric_id)] = SnapshotCheck(**common, item=by_metric.get(metric_id))
    return {key: found[key] for key in keys if key in found}


def _json(value: Any) -> Any:
    """jsonb read by a raw cursor arrives as text (Django's loader leaves decoding to JSONField)."""
    return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class SnapshotSignal:
    """One recent snapshot as a trigger reads it."""

    period: str
    period_start: date
    rag: str
    trend: str
    months_covered: int
    score: Decimal | None


def snapshot_recent_signals(
    *, tenant: Tenant, partner_ids: Iterable[int] | None = None
) -> dict[int, list[SnapshotSignal]]:
    """Partner id -> its snapshots of the program's two latest months and three latest quarters (enough for two
    complete ones when the latest is a quarter to date), newest first within each granularity. Three indexed
    queries, whatever the number of partners (``partner_ids`` None: every partner)."""
    months = recent_periods(latest_period(tenant=tenant, period=SNAPSHOT_PERIOD_MONTH), SNAPSHOT_PERIOD_MONTH, 2)
    quarters = recent_periods(latest_period(tenant=tenant, period=SNAPSHOT_PERIOD_QUARTER), SNAPSHOT_PERIOD_QUARTER, 3)
    if not months and not quarters:
        return {}
    qs = ScorecardSnapshot.objects.for_tenant(tenant).filter(
        Q(period=SNAPSHOT_PERIOD_MONTH, period_start__in=months)
        | Q(period=SNAPSHOT_PERIOD_QUARTER, period_start__in=quarters)
    )
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=list(partner_ids))
    signals: dict[int, list[SnapshotSignal]] = defaultdict(list)
    for partner_id, period, start, rag, trend, covered, score in qs.order_by("partner_id", "-period_start").values_list(
        "partner_id", "period", "period_start", "rag", "trend", "months_covered", "score"
    ):
        signals[partner_id].append(SnapshotSignal(period, start, rag, trend, covered, score))
    return dict(signals)
