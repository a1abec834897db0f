"""Reads of the tier framework, the recommendations and the tier history, and what other apps read about tiers:
a partner's current tier and standing (grace included), the tier moves awaiting a decision.

Scores and metric values come from the stored quarterly snapshots, read through ``scorecards.selectors`` (never
recomputed); the evaluation itself is ``recognition.domain.tiers`` (pure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from partnerhub.core.domain.periods import month_number, month_start, quarter_end, quarter_label, quarter_of
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.publication import Publication, PublicationKind
from partnerhub.core.tenancy.sql import ensure_active_tenant
from recognition.domain.tiers import (
    DEMOTE,
    GRACE,
    PROMOTE,
    Criteria,
    Evaluation,
    Framework,
    MetricRule,
    PortfolioFacts,
    TierSpec,
    evaluate,
    gaps,
    partner_evidence,
    tier_evidence,
)
from recognition.models import FrameworkVersion, Move, Tier, TierChange, TierCriteria, TierRecommendation
from scorecards.selectors.snapshot_series import (
    first_scored_months,
    latest_complete_quarter,
    quarter_metric_values,
    quarter_scores,
)

# --- tiers and framework versions ---


def tier_list(*, tenant: Tenant) -> QuerySet[Tier]:
    """The program's tiers, entry tier first."""
    return Tier.objects.for_tenant(tenant).order_by("rank", "id")


def tier_get(*, tenant: Tenant, tier_id: int) -> Tier:
    """The tier, or NotFoundError for a missing id and another tenant's alike."""
    tier = Tier.objects.for_tenant(tenant).filter(pk=tier_id).first()
    if tier is None:
        raise NotFoundError("Tier not found.")
    return tier


def tier_names(*, tenant: Tenant) -> dict[str, str]:
    """Tier key -> name (a partner's ``tier`` holds the key)."""
    return dict(tier_list(tenant=tenant).values_list("key", "name"))


def framework_version_list(*, tenant: Tenant) -> QuerySet[FrameworkVersion]:
    """Every version, newest first, with who made and published it."""
    return (
        FrameworkVersion.objects.for_tenant(tenant)
        .select_related("created_by__user", "published_by__user")
        .order_by("-number")
    )


def framework_version_get(*, tenant: Tenant, version_id: int) -> FrameworkVersion:
    version = FrameworkVersion.objects.for_tenant(tenant).filter(pk=version_id).first()
    if version is None:
        raise NotFoundError("Framework version not found.")
    return version


def framework_draft(*, tenant: Tenant) -> FrameworkVersion | None:
    """The program's open draft, if any (there is at most one)."""
    return FrameworkVersion.objects.for_tenant(tenant).filter(status=FrameworkVersion.Status.DRAFT).first()


def framework_in_force(*, tenant: Tenant, quarter: date) -> FrameworkVersion | None:
    """The published version in force for a quarter: the latest effective on or before the quarter's last day."""
    return (
        FrameworkVersion.objects.for_tenant(tenant)
        .filter(status=FrameworkVersion.Status.PUBLISHED, effective_from__lte=quarter_end(quarter))
        .order_by("-effective_from", "-number")
        .first()
    )


def framework_latest_published(*, tenant: Tenant) -> FrameworkVersion | None:
    return (
        FrameworkVersion.objects.for_tenant(tenant)
        .filter(status=FrameworkVersion.Status.PUBLISHED)
        .order_by("-effective_from", "-number")
        .first()
    )


def framework_version_publication(*, tenant: Tenant, version: FrameworkVersion) -> Publication:
    """Publishing ``version``, as the publication guards see it (``partnerhub.core.publication``): the program's
    first published framework version has nothing to change from."""
    first = (
        not FrameworkVersion.objects.for_tenant(tenant)
        .filter(status=FrameworkVersion.Status.PUBLISHED)
        .exclude(pk=version.pk)
        .exists()
    )
    return Publication(
        tenant=tenant,
        kind=PublicationKind.TIER_FRAMEWORK_VERSION,
        subject_id=version.pk,
        revision=version.number,
        label=f"version {version.number} of the tier framework",
        first=first,
    )


def criteria_rows(*, tenant: Tenant, version: FrameworkVersion) -> QuerySet[TierCriteria]:
    """A version's criteria, by tier rank, with their tier and required metrics (two queries)."""
    return (
        TierCriteria.objects.for_tenant(tenant)
        .filter(version=version)
        .select_related("tier")
        .prefetch_related("metrics__metric")
        .order_by("tier__rank")
    )


def framework_spec(*, tenant: Tenant, version: FrameworkVersion) -> Framework:
    """A version as the pure evaluation takes it: the program's tiers and each one's criteria (three queries)."""
    tiers = tuple(TierSpec(t.pk, t.key, t.name, t.rank) for t in tier_list(tenant=tenant))
    criteria: dict[int, Criteria] = {}
    for row in criteria_rows(tenant=tenant, version=version):
        criteria[row.tier_id] = Criteria(
            tier_id=row.tier_id,
            min_score=float(row.min_score) if row.min_score is not None else None,
            quarters_required=row.quarters_required,
            quarters_window=row.quarters_window,
            min_tenure_months=row.min_tenure_months,
            metrics=tuple(
                MetricRule(
                    metric_id=req.metric_id,
                    key=req.metric.key,
                    name=req.metric.name,
                    unit=req.metric.unit,
                    comparison=req.comparison,
                    threshold=float(req.threshold),
                )
                for req in sorted(row.metrics.all(), key=lambda r: (r.metric.name, r.pk))
            ),
        )
    return Framework(
        version_id=version.pk,
        number=version.number,
        grace_quarters=version.grace_quarters,
        tiers=tiers,
        criteria=criteria,
    )


# --- the evaluation's inputs ---


def evaluation_quarter(*, tenant: Tenant, reference_month: date | None = None) -> date | None:
    """The quarter recommendations are made for: the last complete one (by the refresh's reference month when given,
    else by the stored snapshots)."""
    if reference_month is not None:
        number = month_number(reference_month)
        return month_start(number + 1 - (number + 1) % 3 - 3)
    return latest_complete_quarter(tenant=tenant)


def portfolio_facts(
    *, tenant: Tenant, framework: Framework, quarter: date, partner_ids: list[int] | None = None
) -> PortfolioFacts:
    """Every partner (or ``partner_ids``) with its tier and the quarters of snapshots ``framework`` needs, ending at
    ``quarter``: one query for the partners, one COPY for the scores, one for the required metrics, one for tenure."""
    partners = Partner.objects.for_tenant(tenant)
    if partner_ids is not None:
        partners = partners.filter(pk__in=partner_ids)
    rows = list(partners.order_by("id").values_list("id", "name", "tier"))
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    last = month_number(quarter)
    count = framework.history_quarters
    quarters = [last - 3 * (count - 1 - i) for i in range(count)]
    first = month_start(quarters[0])

    def place(partner: np.ndarray, quarter_numbers: np.ndarray, values: np.ndarray) -> np.ndarray:
        grid = np.full((len(ids), count), np.nan)
        if len(ids) and len(partner):
            at = np.minimum(np.searchsorted(ids, partner), len(ids) - 1)
            keep = ids[at] == partner
            grid[at[keep], (quarter_numbers[keep].astype(np.int64) - quarters[0]) // 3] = values[keep]
        return grid

    scores = quarter_scores(tenant=tenant, first=first, last=quarter, partner_ids=partner_ids)
    # Required metrics are read for the evaluated quarter and each quarter of grace before it, nothing older.
    metric_first = month_start(max(quarters[0], last - 3 * framework.grace_quarters))
    metric_series = quarter_metric_values(
        tenant=tenant, first=metric_first, last=quarter, metric_ids=framework.metric_ids, partner_ids=partner_ids
    )
    since = tier_entered_quarters(tenant=tenant, partner_ids=partner_ids)
    tier_since = np.array([since.get(int(i), np.nan) for i in ids], dtype=np.float64)
    first_month = None
    if framework.uses_tenure:
        firsts = first_scored_months(tenant=tenant, partner_ids=partner_ids)
        first_month = np.array([firsts.get(int(i), np.nan) for i in ids], dtype=np.float64)
    return PortfolioFacts(
        partner_ids=ids,
        names=[r[1] for r in rows],
        tier_keys=[r[2] for r in rows],
        quarters=quarters,
        scores=place(scores.partner_id, scores.quarter, scores.value),
        metrics={m: place(s.partner_id, s.quarter, s.value) for m, s in metric_series.items()},
        first_month=first_month,
        tier_since=tier_since,
    )


def tier_entered_quarters(*, tenant: Tenant, partner_ids: list[int] | None = None) -> dict[int, int]:
    """Partner id -> the quarter (as a month number) its latest tier change took effect in (one query)."""
    changes = TierChange.objects.for_tenant(tenant)
    if partner_ids is not None:
        changes = changes.filter(partner_id__in=partner_ids)
    rows = changes.order_by("partner_id", "-effective_date", "-id").distinct("partner_id")
    return {p: quarter_of(month_number(d)) for p, d in rows.values_list("partner_id", "effective_date")}


def evaluate_quarter(
    *, tenant: Tenant, version: FrameworkVersion, quarter: date, partner_ids: list[int] | None = None
) -> Evaluation:
    """Read the inputs and evaluate every partner (or ``partner_ids``) for ``quarter`` under ``version``; writes
    nothing."""
    framework = framework_spec(tenant=tenant, version=version)
    facts = portfolio_facts(tenant=tenant, framework=framework, quarter=quarter, partner_ids=partner_ids)
    return evaluate(framework, facts)


# --- preview of a draft ---


@dataclass(frozen=True)
class PreviewRow:
    partner_id: int
    name: str
    tier: str
    now: str  # the recommendation under the version in force ("" when none is)
    draft: str
    draft_target: str


@dataclass
class FrameworkPreview:
    """A draft evaluated against the portfolio for the latest complete quarter, beside the version in force."""

    quarter: date | None
    quarter_label: str = ""
    partners: int = 0
    draft_counts: dict[str, int] = field(default_factory=dict)
    current_counts: dict[str, int] | None = None
    changed: list[PreviewRow] = field(default_factory=list)
    changed_total: int = 0
    rows: list[PreviewRow] = field(default_factory=list)  # every partner evaluated, when asked for (``every_partner``)

    @property
    def up(self) -> int:
        return self.draft_counts.get(PROMOTE, 0)

    @property
    def down(self) -> int:
        return self.draft_counts.get(DEMOTE, 0)

    @property
    def stay(self) -> int:
        return self.partners - self.up - self.down


def framework_preview(
    *, tenant: Tenant, draft: FrameworkVersion, sample: int = 50, every_partner: bool = False
) -> FrameworkPreview:
    """How many partners the draft would move up, down or keep in the latest complete quarter, compared with the
    version in force, and the first ``sample`` partners whose recommendation would differ; with ``every_partner``,
    also each evaluated partner's recommendation now and under the draft (``rows``). Nothing is written."""
    quarter = latest_complete_quarter(tenant=tenant)
    if quarter is None:
        return FrameworkPreview(quarter=None)
    proposed = evaluate_quarter(tenant=tenant, version=draft, quarter=quarter)
    preview = FrameworkPreview(
        quarter=quarter,
        quarter_label=quarter_label(quarter),
        partners=len(proposed),
        draft_counts=proposed.counts,
    )
    in_force = framework_in_force(tenant=tenant, quarter=quarter)
    now_moves: list[str] = [""] * len(proposed)
    if in_force is not None and in_force.pk != draft.pk:
        current = evaluate_quarter(tenant=tenant, version=in_force, quarter=quarter)
        preview.current_counts = current.counts
        now_moves = current.move
    tiers = proposed.framework.tiers

    def described(row: int, now: str, new: str) -> PreviewRow:
        target = int(proposed.target[row])
        return PreviewRow(
            partner_id=int(proposed.facts.partner_ids[row]),
            name=proposed.facts.names[row],
            tier=proposed.facts.tier_keys[row],
            now=now,
            draft=new,
            draft_target=tiers[target].name if target >= 0 else "",
        )

    for row, (now, new) in enumerate(zip(now_moves, proposed.move, strict=True)):
        if every_partner:
            preview.rows.append(described(row, now, new))
        if now == new and in_force is not None:
            continue
        if in_force is None and new not in (PROMOTE, DEMOTE):
            continue
        preview.changed_total += 1
        if len(preview.changed) < sample:
            preview.changed.append(described(row, now, new))
    return preview


# --- recommendations ---


@dataclass(frozen=True)
class RecommendationFilters:
    quarter: date | None = None
    move: str = ""
    status: str = TierRecommendation.Status.PENDING
    partner_type: str = ""
    stage: str = ""
    owner: int | None = None
    source: str = ""


def recommendation_quarters(*, tenant: Tenant) -> list[date]:
    """The quarters that have recommendations, newest first: one index probe per quarter (a loose index scan of the
    (tenant, quarter, ...) index), not a pass over every recommendation."""
    ensure_active_tenant(tenant, "tier recommendations")  # raw SQL: the scoped manager's check, by hand
    table = TierRecommendation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE quarters(quarter) AS (
                (SELECT quarter FROM {table} WHERE tenant_id = %(tenant)s ORDER BY quarter DESC LIMIT 1)
                UNION ALL
                SELECT (SELECT r.quarter FROM {table} r WHERE r.tenant_id = %(tenant)s AND r.quarter < q.quarter
                        ORDER BY r.quarter DESC LIMIT 1)
                FROM quarters q WHERE q.quarter IS NOT NULL
            )
            SELECT quarter FROM quarters WHERE quarter IS NOT NULL
            """,
            {"tenant": tenant.pk},
        )
        return [row[0] for row in cursor.fetchall()]


def recommendation_list(*, tenant: Tenant, filters: RecommendationFilters) -> QuerySet[TierRecommendation]:
    """The queue: recommendations filtered by quarter, move, status, segment (type, stage) and owner, with their
    partner, its owner, both tiers and who proposed or decided; one query for a page however long the queue."""
    qs = TierRecommendation.objects.for_tenant(tenant)
    if filters.quarter is not None:
        qs = qs.filter(quarter=filters.quarter)
    if filters.move:
        qs = qs.filter(move=filters.move)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.partner_type:
        qs = qs.filter(partner__partner_type=filters.partner_type)
    if filters.stage:
        qs = qs.filter(partner__stage=filters.stage)
    if filters.owner is not None:
        qs = qs.filter(partner__owner_id=filters.owner)
    return (
        qs.select_related(
            "partner", "partner__owner__user", "from_tier", "to_tier", "proposed_by__user", "decided_by__user"
        )
        .defer("evidence")
        .order_by(_MOVE_ORDER, "partner__name", "id")
    )


# Tier moves first (promotions, demotions), then grace periods, holds last.
_MOVE_ORDER = Case(
    When(move=Move.PROMOTE, then=Value(0)),
    When(move=Move.DEMOTE, then=Value(1)),
    When(move=Move.GRACE, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def recommendation_counts(*, tenant: Tenant, filters: RecommendationFilters) -> dict[str, int]:
    """Per move, how many recommendations match the filters but the move (one query): the queue's tabs."""
    qs = recommendation_list(tenant=tenant, filters=RecommendationFilters(**{**filters.__dict__, "move": ""}))
    counts = dict(qs.order_by().values("move").annotate(n=Count("id")).values_list("move", "n"))
    return {move: counts.get(move, 0) for move in Move.values}


def recommendation_get(*, tenant: Tenant, recommendation_id: int) -> TierRecommendation:
    """One recommendation with its evidence, partner, tiers and version; NotFoundError for another tenant's."""
    found = (
        TierRecommendation.objects.for_tenant(tenant)
        .select_related(
            "partner",
            "partner__owner__user",
            "from_tier",
            "to_tier",
            "version",
            "proposed_by__user",
            "decided_by__user",
        )
        .filter(pk=recommendation_id)
        .first()
    )
    if found is None:
        raise NotFoundError("Recommendation not found.")
    return found


def recommendations_for_partner(*, tenant: Tenant, partner: Partner) -> QuerySet[TierRecommendation]:
    return (
        TierRecommendation.objects.for_tenant(tenant)
        .filter(partner=partner)
        .select_related("from_tier", "to_tier", "version", "proposed_by__user", "decided_by__user")
        .order_by("-quarter", "-id")
    )


def tier_moves_awaiting_count(*, tenant: Tenant) -> int:
    """How many tier moves (promotions, demotions, exceptions that change a tier) await a decision: one query."""
    return (
        TierRecommendation.objects.for_tenant(tenant)
        .filter(status=TierRecommendation.Status.PENDING)
        .filter(Q(move__in=[Move.PROMOTE, Move.DEMOTE]) | Q(source=TierRecommendation.Source.EXCEPTION))
        .count()
    )


# --- history ---


def tier_history(*, tenant: Tenant, partner: Partner) -> QuerySet[TierChange]:
    """A partner's tier changes, newest first, with both tiers and the approver."""
    return (
        TierChange.objects.for_tenant(tenant)
        .filter(partner=partner)
        .select_related("from_tier", "to_tier", "approved_by__user")
        .order_by("-effective_date", "-id")
    )


def tier_changes_in_quarter(*, tenant: Tenant, quarter: date) -> QuerySet[TierChange]:
    """Every tier change effective in a quarter (the quarterly memo reads these), with partner and tiers."""
    return (
        TierChange.objects.for_tenant(tenant)
        .filter(effective_date__gte=quarter, effective_date__lte=quarter_end(quarter))
        .select_related("partner", "from_tier", "to_tier", "approved_by__user")
        .order_by("effective_date", "partner__name")
    )


# --- a partner's standing ---


@dataclass
class TierStatus:
    """One partner's tier today, and how it stands against the framework in force (evaluated now, from snapshots).

    ``at_risk`` lists the criteria of its tier it misses, with the gap in numbers; ``next_gaps`` what the next tier
    up still needs. ``grace_visible_to_partner`` says whether the portal may show the grace warning.
    """

    partner: Partner
    tier: Tier | None
    tiers: list[Tier]
    quarter: date | None = None
    version: FrameworkVersion | None = None
    move: str = ""
    grace_quarter: int = 0
    grace_allowed: int = 0
    grace_visible_to_partner: bool = False
    current: dict[str, Any] | None = None
    next_tier: Tier | None = None
    next: dict[str, Any] | None = None
    at_risk: list[str] = field(default_factory=list)
    next_gaps: list[str] = field(default_factory=list)
    evidence: dict[str, Any] | None = None

    @property
    def in_grace(self) -> bool:
        return self.move == GRACE

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter) if self.quarter else ""


def partner_tier_status(*, tenant: Tenant, partner: Partner, stored: bool = False) -> TierStatus:
    """``partner``'s tier and standing for the latest complete quarter under the version in force (a handful of
    queries, whatever the size of the program).

    With ``stored``, a page's panel reads the standing from the partner's pending recommendation for that quarter and
    version when it is about the tier the partner holds (four queries, no evaluation): the engine rewrites a pending
    recommendation after every snapshot refresh that changes its inputs, so it says what an evaluation would. A
    decided, missing or older recommendation, or one without the next tier's evidence (a demotion), is evaluated."""
    tiers = list(tier_list(tenant=tenant))
    by_key = {t.key: t for t in tiers}
    status = TierStatus(partner=partner, tier=by_key.get(partner.tier), tiers=tiers)
    quarter = latest_complete_quarter(tenant=tenant)
    version = framework_in_force(tenant=tenant, quarter=quarter) if quarter is not None else None
    if quarter is None or version is None or status.tier is None:
        status.next_tier = next((t for t in tiers if status.tier is not None and t.rank > status.tier.rank), None)
        return status
    if stored and _status_from_recommendation(status, status.tier, tenant=tenant, quarter=quarter, version=version):
        return status
    evaluation = evaluate_quarter(tenant=tenant, version=version, quarter=quarter, partner_ids=[partner.pk])
    if not len(evaluation):
        return status
    current = int(evaluation.current[0])
    status.quarter, status.version = quarter, version
    status.move = evaluation.move[0]
    status.grace_quarter = int(evaluation.grace_quarter[0])
    status.grace_allowed = version.grace_quarters
    status.grace_visible_to_partner = version.grace_visible_to_partner
    status.evidence = partner_evidence(evaluation, 0)
    if current >= 0:
        status.current = tier_evidence(evaluation, 0, current, "current")
        status.at_risk = gaps(status.current)
        if current + 1 < len(evaluation.framework.tiers):
            status.next = tier_evidence(evaluation, 0, current + 1, "next")
            status.next_gaps = gaps(status.next)
            status.next_tier = next((t for t in tiers if t.pk == evaluation.framework.tiers[current + 1].id), None)
    return status


def _status_from_recommendation(
    status: TierStatus, tier: Tier, *, tenant: Tenant, quarter: date, version: FrameworkVersion
) -> bool:
    """Fill ``status`` (of a partner holding ``tier``) from its pending engine recommendation for ``quarter`` under
    ``version`` (one query); False, with ``status`` untouched, when there is none fit to stand for an evaluation."""
    rec = (
        TierRecommendation.objects.for_tenant(tenant)
        .filter(
            partner_id=status.partner.pk,
            quarter=quarter,
            version=version,
            source=TierRecommendation.Source.ENGINE,
            status=TierRecommendation.Status.PENDING,
        )
        .only("move", "grace_quarter", "evidence")
        .first()
    )
    evidence = rec.evidence if rec is not None else {}
    # About another tier than the one held (a move approved since): its evidence is not this tier's standing.
    if rec is None or evidence.get("tier_key") != status.partner.tier:
        return False
    by_key = {t.get("key"): t for t in evidence.get("tiers", [])}
    current = by_key.get(tier.key)
    following = next((t for t in status.tiers if t.rank > tier.rank), None)
    following_evidence = by_key.get(following.key) if following is not None else None
    if current is None or (following is not None and following_evidence is None):
        return False
    status.quarter, status.version = quarter, version
    status.move = rec.move
    status.grace_quarter = rec.grace_quarter
    status.grace_allowed = version.grace_quarters
    status.grace_visible_to_partner = version.grace_visible_to_partner
    status.evidence = evidence
    status.current = current
    status.at_risk = gaps(current)
    if following is not None and following_evidence is not None:
        status.next, status.next_tier = following_evidence, following
        status.next_gaps = gaps(following_evidence)
    return True


@dataclass(frozen=True)
class TierStanding:
    """A partner's tier and its latest recommendation, for other apps (the executive dashboard, remediation)."""

    partner_id: int
    tier_key: str
    quarter: date | None
    move: str  # the latest recommendation's move ("" when none)
    status: str  # that recommendation's status
    in_grace: bool
    grace_quarter: int
    at_risk: tuple[str, ...]


def tier_standings(*, tenant: Tenant, partner_ids: list[int] | None = None) -> dict[int, TierStanding]:
    """Partner id -> its tier and standing from its latest framework recommendation (two queries for all partners).

    ``in_grace`` is true while the latest recommendation is a grace period; ``at_risk`` names the criteria missed.
    """
    partners = Partner.objects.for_tenant(tenant)
    recs = TierRecommendation.objects.for_tenant(tenant).filter(source=TierRecommendation.Source.ENGINE)
    if partner_ids is not None:
        partners = partners.filter(pk__in=partner_ids)
        recs = recs.filter(partner_id__in=partner_ids)
    latest = {
        r.partner_id: r
        for r in recs.order_by("partner_id", "-quarter")
        .distinct("partner_id")
        .only("partner_id", "quarter", "move", "status", "grace_quarter", "evidence")
    }
    out: dict[int, TierStanding] = {}
    for partner_id, tier_key in partners.values_list("id", "tier"):
        rec = latest.get(partner_id)
        current = next((t for t in (rec.evidence.get("tiers", []) if rec else []) if t.get("role") == "current"), None)
        out[partner_id] = TierStanding(
            partner_id=partner_id,
            tier_key=tier_key,
            quarter=rec.quarter if rec else None,
            move=rec.move if rec else "",
            status=rec.status if rec else "",
            in_grace=bool(rec and rec.move == GRACE),
            grace_quarter=rec.grace_quarter if rec else 0,
            at_risk=tuple(gaps(current)) if current and rec and rec.move in (GRACE, DEMOTE) else (),
        )
    return out


def recommendation_quarter_default(*, tenant: Tenant) -> date | None:
    """The quarter the queue opens on: the latest with recommendations."""
    quarters = recommendation_quarters(tenant=tenant)
    return quarters[0] if quarters else None
