"""Reads of awards: categories, the candidates a category's rule proposes for a quarter (from stored snapshots, read
through ``scorecards.selectors``), nominations, the recognition wall, and a quarter's or a partner's awards (what the
quarterly memo and the partner pages read)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from partnerhub.core.domain.periods import month_number, month_start, quarter_end, quarter_label
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Partner, Tenant
from recognition.domain.awards import (
    BEST_CSAT,
    MOST_IMPROVED,
    TOP_METRIC,
    TOP_SCORE_IN_SEGMENT,
    Candidate,
    CandidateRow,
    best_csat,
    most_improved,
    top_metric,
    top_score_in_segment,
)
from recognition.models import AwardCategory, Nomination
from scorecards.selectors.glossary import metric_find_by_key
from scorecards.selectors.snapshot_series import (
    SURVEY_CSAT,
    quarter_metric_values,
    quarter_rows,
    quarter_scores,
    survey_response_counts,
)

HISTORY_QUARTERS = 4  # the improvement rule's span: this quarter and the three before it


def award_category_list(*, tenant: Tenant, active_only: bool = False) -> QuerySet[AwardCategory]:
    qs = AwardCategory.objects.for_tenant(tenant).select_related("metric")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("-is_active", "id")  # the defaults first, in their order; the program's own after them


def award_category_get(*, tenant: Tenant, category_id: int) -> AwardCategory:
    found = AwardCategory.objects.for_tenant(tenant).select_related("metric").filter(pk=category_id).first()
    if found is None:
        raise NotFoundError("Award category not found.")
    return found


def _segments(tenant: Tenant) -> dict[int, tuple[str, str]]:
    types, stages = dict(Partner.Type.choices), dict(Partner.Stage.choices)
    return {
        pk: (name, f"{types.get(kind, kind)} · {stages.get(stage, stage)}")
        for pk, name, kind, stage in Partner.objects.for_tenant(tenant).values_list(
            "pk", "name", "partner_type", "stage"
        )
    }


def candidate_rows(*, tenant: Tenant, category: AwardCategory, quarter: date) -> list[CandidateRow]:
    """Every partner with a complete snapshot of ``quarter``, with what ``category``'s rule reads (a fixed number of
    queries: the snapshots, the partners, and the rule's history, metric or survey counts)."""
    rows = quarter_rows(tenant=tenant, quarter=quarter)
    partners = _segments(tenant)
    history: dict[int, list[float | None]] = {}
    labels: tuple[str, ...] = ()
    if category.rule == MOST_IMPROVED:
        first = month_start(month_number(quarter) - 3 * (HISTORY_QUARTERS - 1))
        series = quarter_scores(tenant=tenant, first=first, last=quarter)
        starts = [month_number(first) + 3 * i for i in range(HISTORY_QUARTERS)]
        labels = tuple(quarter_label(month_start(q)) for q in starts)
        for partner_id, q, value in zip(
            series.partner_id.tolist(), series.quarter.tolist(), series.value.tolist(), strict=True
        ):
            slot = history.setdefault(partner_id, [None] * HISTORY_QUARTERS)
            slot[(q - starts[0]) // 3] = None if value != value else value  # NaN: no complete score
    values: dict[int, float] = {}
    responses: dict[int, int] = {}
    metric_id = None
    if category.rule == BEST_CSAT:
        csat = metric_find_by_key(tenant=tenant, key="csat")
        metric_id = csat.pk if csat is not None else None
        responses = survey_response_counts(
            tenant=tenant, survey=SURVEY_CSAT, first_day=quarter, last_day=quarter_end(quarter)
        )
    elif category.rule == TOP_METRIC:
        metric_id = category.metric_id
    if metric_id is not None:
        series_by_metric = quarter_metric_values(tenant=tenant, first=quarter, last=quarter, metric_ids=[metric_id])
        found = series_by_metric.get(metric_id)
        if found is not None:
            values = {p: v for p, v in zip(found.partner_id.tolist(), found.value.tolist(), strict=True) if v == v}
    out = []
    for row in rows:
        name, segment = partners.get(row.partner_id, (str(row.partner_id), ""))
        out.append(
            CandidateRow(
                partner_id=row.partner_id,
                name=name,
                segment=segment,
                score=row.score,
                percentile=row.percentile,
                trend=row.trend,
                trend_explanation=row.trend_explanation,
                history=tuple(history.get(row.partner_id, [None] * len(labels))),
                history_labels=labels,
                value=values.get(row.partner_id),
                responses=responses.get(row.partner_id, 0) if category.rule == BEST_CSAT else None,
            )
        )
    return out


def award_candidates(
    *, tenant: Tenant, category: AwardCategory, quarter: date, count: int | None = None
) -> list[Candidate]:
    """The partners ``category``'s rule proposes for ``quarter``, best first, each with its figures (none for a
    nominations-only category)."""
    count = count or category.candidate_count
    label = quarter_label(quarter)
    if category.rule == TOP_SCORE_IN_SEGMENT:
        return top_score_in_segment(candidate_rows(tenant=tenant, category=category, quarter=quarter), count, label)
    if category.rule == MOST_IMPROVED:
        return most_improved(candidate_rows(tenant=tenant, category=category, quarter=quarter), count, label)
    if category.rule == BEST_CSAT:
        rows = candidate_rows(tenant=tenant, category=category, quarter=quarter)
        return best_csat(rows, count, label, category.min_responses)
    if category.rule == TOP_METRIC and category.metric is not None:
        rows = candidate_rows(tenant=tenant, category=category, quarter=quarter)
        metric = category.metric
        return top_metric(rows, count, label, metric.name, metric.unit, lower_is_better=metric.direction == "lower")
    return []


def partner_figures(*, tenant: Tenant, category: AwardCategory, quarter: date, partner_id: int) -> Candidate | None:
    """``partner_id``'s place and figures under ``category``'s rule for ``quarter`` (a nominee outside the top
    candidates still has the rule's evidence shown), or None when the rule does not rank it."""
    ranked = award_candidates(tenant=tenant, category=category, quarter=quarter, count=1_000_000)
    return next((c for c in ranked if c.partner_id == partner_id), None)


# --- nominations and the wall ---


def nomination_list(
    *, tenant: Tenant, quarter: date | None = None, category_id: int | None = None, status: str = ""
) -> QuerySet[Nomination]:
    qs = Nomination.objects.for_tenant(tenant)
    if quarter is not None:
        qs = qs.filter(quarter=quarter)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("category", "partner", "nominated_by__user", "decided_by__user").order_by(
        "-quarter", "category__name", "status", "partner__name"
    )


def nomination_get(*, tenant: Tenant, nomination_id: int) -> Nomination:
    found = (
        Nomination.objects.for_tenant(tenant)
        .select_related("category", "category__metric", "partner", "nominated_by__user", "decided_by__user")
        .filter(pk=nomination_id)
        .first()
    )
    if found is None:
        raise NotFoundError("Nomination not found.")
    return found


def recognition_wall(*, tenant: Tenant) -> QuerySet[Nomination]:
    """Every award given, newest quarter first: what every member of the program, partner users included, sees."""
    return (
        Nomination.objects.for_tenant(tenant)
        .filter(status=Nomination.Status.AWARDED)
        .select_related("category", "partner")
        .order_by("-quarter", "category__name")
    )


def awards_of_quarter(*, tenant: Tenant, quarter: date) -> QuerySet[Nomination]:
    """The awards given for one quarter (the quarterly memo reads these)."""
    return recognition_wall(tenant=tenant).filter(quarter=quarter)


def partner_awards(*, tenant: Tenant, partner: Partner) -> QuerySet[Nomination]:
    """A partner's awards, newest first (its recognition history)."""
    return recognition_wall(tenant=tenant).filter(partner=partner)


def award_quarters(*, tenant: Tenant) -> list[date]:
    """The quarters with nominations or awards, newest first."""
    return list(Nomination.objects.for_tenant(tenant).order_by("-quarter").values_list("quarter", flat=True).distinct())
