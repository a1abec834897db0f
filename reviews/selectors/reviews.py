"""Reads of a review's life: the review list, one review's page, the people who may own its actions, pre-read inputs.

Every read is tenant-explicit (``for_tenant``) and names what it joins; a page reads a fixed number of queries
whatever the number of notes, ratings, decisions, actions or reviews.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import DateTimeField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Membership, Partner, Role, Tenant
from reviews.domain.preread import (
    DataQualityIssue,
    MetricLine,
    OverdueAction,
    PrereadInput,
    SnapshotFacts,
    WaitingDeal,
)
from reviews.models import (
    ActionItem,
    Attendee,
    Decision,
    Forecast,
    ForecastLine,
    PromptRating,
    Review,
    ReviewNote,
    ReviewTransition,
    SelfAssessment,
)
from scorecards.selectors.data_quality import finding_list
from scorecards.selectors.deal_reviews import deal_review_list_waiting
from scorecards.selectors.glossary import metric_list
from scorecards.selectors.snapshots import SNAPSHOT_PERIOD_MONTH, SNAPSHOT_PERIOD_QUARTER, snapshot_latest_at

if TYPE_CHECKING:
    from scorecards.models import ScorecardSnapshot

INTERNAL_ROLES = (Role.ADMIN, Role.MANAGER, Role.EXECUTIVE)
GENERAL_SECTION = "general"  # notes that belong to no agenda section (the review's agenda may be empty)
OPEN_ACTION_STATUSES = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)


# --- the review list ---


@dataclass(frozen=True)
class ReviewFilters:
    state: str = ""
    kind: str = ""
    moderator: int | None = None
    owner: int | None = None  # the partner's owner manager
    partner: str = ""  # part of the partner's name
    when: str = ""  # "upcoming" | "past" | ""


def review_list(
    *, tenant: Tenant, filters: ReviewFilters | None = None, now: datetime | None = None
) -> QuerySet[Review]:
    """Reviews of ``tenant`` matching ``filters``; upcoming ones soonest first, otherwise newest first.

    Partner, its owner, the moderator and the cadence are joined (one query for a page of rows); the pre-read and the
    agenda (JSON) are not loaded.
    """
    f = filters or ReviewFilters()
    qs = (
        Review.objects.for_tenant(tenant)
        .select_related("partner", "partner__owner__user", "moderator__user", "cadence")
        .defer("preread", "agenda")
    )
    exact = {"state": f.state, "kind": f.kind, "moderator_id": f.moderator, "partner__owner_id": f.owner}
    qs = qs.filter(**{key: value for key, value in exact.items() if value not in ("", None)})
    if f.partner:
        qs = qs.filter(partner__name__icontains=f.partner)
    now = now or timezone.now()
    if f.when == "upcoming":
        return qs.filter(scheduled_for__gte=now).order_by("scheduled_for", "id")
    if f.when == "past":
        qs = qs.filter(scheduled_for__lt=now)
    return qs.order_by("-scheduled_for", "-id")


def review_get(*, tenant: Tenant, review_id: int) -> Review:
    """The review with partner (owner, steward), moderator, cadence and cycle; NotFoundError for a missing id and for
    another tenant's id alike."""
    review = (
        Review.objects.for_tenant(tenant)
        .select_related(
            "partner",
            "partner__owner__user",
            "partner__data_steward__user",
            "moderator__user",
            "cadence",
            "cycle",
            "signed_off_by__user",
        )
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise NotFoundError("Review not found.")
    return review


def action_get(*, tenant: Tenant, action_id: int) -> ActionItem:
    """The action item with its review (and the review's partner) and owner; NotFoundError when missing or foreign."""
    action = (
        ActionItem.objects.for_tenant(tenant)
        .select_related("review", "review__partner", "partner", "owner__user")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise NotFoundError("Action item not found.")
    return action


def attendee_get(*, tenant: Tenant, review: Review, attendee_id: int) -> Attendee:
    """An attendee of ``review``; NotFoundError for a missing id, another review's attendee or another tenant's."""
    attendee = (
        Attendee.objects.for_tenant(tenant)
        .select_related("membership__user")
        .filter(pk=attendee_id, review=review)
        .first()
    )
    if attendee is None:
        raise NotFoundError("Attendee not found.")
    return attendee


def assignable_members(*, tenant: Tenant, partner: Partner | int) -> QuerySet[Membership]:
    """Active members who may own an action item of (or attend a review with) ``partner``: everyone internal, and
    the partner users of that partner only."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    return (
        Membership.objects.for_tenant(tenant)
        .filter(is_active=True)
        .filter(Q(role__in=INTERNAL_ROLES) | Q(role=Role.PARTNER, partner_id=partner_id))
        .select_related("user", "partner")
        .order_by("role", "user__first_name", "user__last_name", "user__email")
    )


def moderator_choices(*, tenant: Tenant) -> QuerySet[Membership]:
    """Members who can moderate or own reviews (managers and admins), for the list filters."""
    return (
        Membership.objects.for_tenant(tenant)
        .filter(role__in=(Role.ADMIN, Role.MANAGER))
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


# --- one review's page ---


@dataclass
class PromptView:
    key: str
    text: str
    rating: PromptRating | None = None


@dataclass
class SectionView:
    key: str
    title: str
    prompts: list[PromptView] = field(default_factory=list)
    notes: list[ReviewNote] = field(default_factory=list)


@dataclass
class ReviewPage:
    review: Review
    sections: list[SectionView]
    attendees: list[Attendee]
    notes: list[ReviewNote]
    ratings: list[PromptRating]
    decisions: list[Decision]
    actions: list[ActionItem]
    transitions: list[ReviewTransition]
    self_assessment: SelfAssessment | None
    forecast: Forecast | None


def agenda_sections(review: Review) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The review's agenda as (key, title, [(prompt key, prompt text)]), with the "general" section last."""
    sections: list[tuple[str, str, list[tuple[str, str]]]] = []
    for section in review.agenda or []:
        key = str(section.get("key", "")).strip()
        if not key:
            continue
        prompts = [
            (str(p.get("key", "")), str(p.get("text", ""))) for p in section.get("prompts", []) or [] if p.get("key")
        ]
        sections.append((key, str(section.get("title") or key), prompts))
    if GENERAL_SECTION not in {key for key, _, _ in sections}:
        sections.append((GENERAL_SECTION, "Other notes", []))
    return sections


def review_page(*, tenant: Tenant, review: Review) -> ReviewPage:
    """Everything recorded around ``review``, in a fixed number of queries (one per kind of record)."""
    notes = list(
        ReviewNote.objects.for_tenant(tenant)
        .filter(review=review)
        .select_related("author__user")
        .order_by("created_at", "id")
    )
    ratings = list(
        PromptRating.objects.for_tenant(tenant).filter(review=review).select_related("author__user").order_by("id")
    )
    attendees = list(
        Attendee.objects.for_tenant(tenant)
        .filter(review=review)
        .select_related("membership__user", "membership__partner")
        .order_by("side", "function", "id")
    )
    decisions = list(
        Decision.objects.for_tenant(tenant)
        .filter(review=review)
        .select_related("decided_by__user")
        .order_by("created_at", "id")
    )
    actions = list(
        ActionItem.objects.for_tenant(tenant)
        .filter(review=review)
        .select_related("owner__user", "owner__partner")
        .order_by("due_date", "id")
    )
    transitions = list(
        ReviewTransition.objects.for_tenant(tenant)
        .filter(review=review)
        .select_related("actor__user")
        .order_by("created_at", "id")
    )
    self_assessment = (
        SelfAssessment.objects.for_tenant(tenant).filter(review=review).select_related("submitted_by__user").first()
    )
    forecast = (
        Forecast.objects.for_tenant(tenant)
        .filter(review=review)
        .select_related("submitted_by__user")
        .prefetch_related(
            Prefetch("lines", queryset=ForecastLine.objects.for_tenant(tenant).order_by("expected_close", "id"))
        )
        .first()
    )
    by_prompt = {r.prompt_key: r for r in ratings}
    by_section: dict[str, list[ReviewNote]] = defaultdict(list)
    sections = []
    agenda = agenda_sections(review)
    known = {key for key, _, _ in agenda}
    for note in notes:
        by_section[note.section_key if note.section_key in known else GENERAL_SECTION].append(note)
    for key, title, prompts in agenda:
        sections.append(
            SectionView(
                key=key,
                title=title,
                prompts=[PromptView(key=pk, text=text, rating=by_prompt.get(pk)) for pk, text in prompts],
                notes=by_section.get(key, []),
            )
        )
    return ReviewPage(
        review=review,
        sections=sections,
        attendees=attendees,
        notes=notes,
        ratings=ratings,
        decisions=decisions,
        actions=actions,
        transitions=transitions,
        self_assessment=self_assessment,
        forecast=forecast,
    )


# --- pre-read inputs ---


def reviews_due_for_preread(*, tenant: Tenant, now: datetime) -> QuerySet[Review]:
    """Scheduled reviews whose pre-read time (``scheduled_for`` minus the cadence's lead days) has come."""
    return (
        Review.objects.for_tenant(tenant)
        .filter(state=Review.State.SCHEDULED)
        .annotate(
            prepare_from=ExpressionWrapper(
                F("scheduled_for") - F("cadence__prep_lead_days") * Value(timedelta(days=1)),
                output_field=DateTimeField(),
            )
        )
        .filter(prepare_from__lte=now)
        .order_by("scheduled_for", "id")
    )


def reviews_preparing(*, tenant: Tenant, now: datetime) -> QuerySet[Review]:
    """Reviews being prepared and still ahead: their pre-read follows the data until they are held. (One whose date
    has passed was most likely held without being marked so: its pre-read is left as it was.)"""
    return (
        Review.objects.for_tenant(tenant)
        .filter(state=Review.State.PREPARING, scheduled_for__gte=now)
        .order_by("scheduled_for", "id")
    )


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _facts(snapshot: ScorecardSnapshot, names: Mapping[int, tuple[str, str]]) -> SnapshotFacts:
    lines = []
    for item in snapshot.items or []:
        metric_id = int(item["metric_id"])
        name, unit = names.get(metric_id, (f"Metric {metric_id}", ""))
        lines.append(
            MetricLine(
                metric_id=metric_id,
                name=name,
                unit=unit,
                actual=_float(item.get("actual")),
                target=_float(item.get("target")),
                attainment=_float(item.get("attainment")),
                rag=str(item.get("rag") or ""),
                missing=bool(item.get("missing")),
            )
        )
    return SnapshotFacts(
        period=snapshot.period,
        period_start=snapshot.period_start,
        score=_float(snapshot.score),
        rag=snapshot.rag,
        change_previous=_float(snapshot.change_previous),
        trend=snapshot.trend,
        trend_explanation=snapshot.trend_explanation,
        dq_flag=snapshot.dq_flag,
        dq_reasons=tuple(str(r) for r in snapshot.dq_reasons or []),
        metrics=tuple(lines),
        months_covered=snapshot.months_covered,
    )


def preread_inputs(*, tenant: Tenant, reviews: Sequence[Review], as_of: Mapping[int, date]) -> dict[int, PrereadInput]:
    """The facts each review's pre-read is built from, for many reviews at once (a handful of queries in all).

    ``as_of`` gives, per review id, the day the pre-read speaks for: its snapshot is the partner's latest monthly one
    starting on or before that day (and, for QBRs, the latest quarterly one); overdue means due before that day and
    still open, from an earlier review of the same partner. ``reviews`` must have ``partner`` (with its data steward)
    loaded.
    """
    if not reviews:
        return {}
    partners = {r.pk: r.partner for r in reviews}
    partner_ids = {p.pk for p in partners.values()}
    names = {m.pk: (m.name, m.unit) for m in metric_list(tenant=tenant)}
    months = snapshot_latest_at(
        tenant=tenant, period=SNAPSHOT_PERIOD_MONTH, wanted={r.pk: (r.partner.pk, as_of[r.pk]) for r in reviews}
    )
    qbrs = {r.pk: (r.partner.pk, as_of[r.pk]) for r in reviews if r.kind == "qbr"}
    quarters = snapshot_latest_at(tenant=tenant, period=SNAPSHOT_PERIOD_QUARTER, wanted=qbrs) if qbrs else {}

    owners: dict[tuple[int, str], str] = {}
    for finding in finding_list(tenant=tenant).filter(partner_id__in=partner_ids):
        if finding.owner is not None:
            owners.setdefault((finding.partner_id, finding.detail), str(finding.owner.user))

    latest_day = max(as_of.values())
    overdue_rows = list(
        ActionItem.objects.for_tenant(tenant)
        .filter(partner_id__in=partner_ids, status__in=OPEN_ACTION_STATUSES, due_date__lt=latest_day)
        .select_related("owner__user", "review")
        .only(
            "id",
            "partner_id",
            "description",
            "due_date",
            "review_id",
            "review__scheduled_for",
            "owner__id",
            "owner__user__email",
            "owner__user__first_name",
            "owner__user__last_name",
        )
        .order_by("due_date", "id")
    )
    overdue_by_partner: dict[int, list[ActionItem]] = defaultdict(list)
    for action in overdue_rows:
        overdue_by_partner[action.partner_id].append(action)

    deals_by_partner: dict[int, list[WaitingDeal]] = defaultdict(list)
    for deal_review in deal_review_list_waiting(tenant=tenant, partner_ids=partner_ids):
        deal = deal_review.deal
        deals_by_partner[deal_review.partner_id].append(
            WaitingDeal(
                reference=deal.external_id, account=deal.account_name, amount=deal.amount, currency=deal.currency
            )
        )

    inputs: dict[int, PrereadInput] = {}
    for review in reviews:
        partner = partners[review.pk]
        day = as_of[review.pk]
        month = months.get(review.pk)
        month_facts = _facts(month, names) if month is not None else None
        issues: tuple[DataQualityIssue, ...] = ()
        if month_facts is not None and month_facts.dq_flag:
            issues = tuple(
                DataQualityIssue(reason=reason, owner=owners.get((partner.pk, reason), ""))
                for reason in month_facts.dq_reasons
            )
        overdue = tuple(
            OverdueAction(description=a.description, owner=str(a.owner.user) if a.owner else "", due_date=a.due_date)
            for a in overdue_by_partner.get(partner.pk, [])
            if a.review_id != review.pk and a.review.scheduled_for < review.scheduled_for and a.due_date < day
        )
        quarter = quarters.get(review.pk)
        inputs[review.pk] = PrereadInput(
            partner_id=partner.pk,
            partner_name=partner.name,
            data_steward=str(partner.data_steward.user) if partner.data_steward else "",
            kind=review.kind,
            kind_label=review.get_kind_display(),
            as_of=day,
            month=month_facts,
            quarter=_facts(quarter, names) if quarter is not None else None,
            dq_issues=issues,
            overdue_actions=overdue,
            waiting_deals=tuple(deals_by_partner.get(partner.pk, [])),
        )
    return inputs


def preread_reviews(*, tenant: Tenant, review_ids: Iterable[int]) -> QuerySet[Review]:
    """Reviews with what ``preread_inputs`` needs joined (partner and its data steward)."""
    return (
        Review.objects.for_tenant(tenant)
        .filter(pk__in=list(review_ids))
        .select_related("partner", "partner__data_steward__user")
        .order_by("scheduled_for", "id")
    )
