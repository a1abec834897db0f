"""Reads of findings: the program's prioritised backlog, one finding, program-level patterns, related lessons.

Every read is tenant-explicit and names what it joins; the backlog is one query per page whatever the number of
findings, the patterns one aggregate query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from partnerhub.core.domain.periods import quarter_label, quarter_start
from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Partner, Tenant
from remediation.domain.categories import category_label
from remediation.models import SEVERITY_RANK, Finding, Lesson

SEVERITY_ORDER = Case(
    *[When(severity=value, then=Value(rank)) for value, rank in SEVERITY_RANK.items()],
    default=Value(0),
    output_field=IntegerField(),
)
FINDING_SORTS: Final[dict[str, tuple[str, ...]]] = {
    "impact": ("-impact_amount", "-impact_points", "-date_found", "-id"),
    "severity": ("-severity_rank", "-date_found", "-id"),
    "age": ("date_found", "id"),  # the oldest first
    "newest": ("-date_found", "-id"),
}
FINDING_SORT_LABELS: Final = {"impact": "Impact", "severity": "Severity", "age": "Oldest first", "newest": "Newest"}
PATTERN_MIN_PARTNERS: Final = 3


@dataclass(frozen=True)
class FindingFilters:
    category: str = ""
    owner: int | None = None
    region: str = ""  # the partner's region, or a cohort naming it
    partner_type: str = ""
    tier: str = ""
    state: str = ""  # "unplanned" | "planned" | ""
    partner: int | None = None


def finding_list(*, tenant: Tenant, filters: FindingFilters | None = None, sort: str = "severity") -> QuerySet[Finding]:
    """Findings matching ``filters`` in ``sort`` order (``FINDING_SORTS``); partner, owner, plan and review joined.

    Impact sorts by amount, then points, empty last; severity by rank, then newest; age oldest first.
    """
    f = filters or FindingFilters()
    qs = (
        Finding.objects.for_tenant(tenant)
        .select_related("partner", "owner__user", "plan", "review")
        .annotate(severity_rank=SEVERITY_ORDER)
    )
    if f.category:
        qs = qs.filter(category=f.category)
    if f.owner is not None:
        qs = qs.filter(owner_id=f.owner)
    if f.partner is not None:
        qs = qs.filter(partner_id=f.partner)
    for value, field, cohort in (
        (f.region, "region", "cohort_regions"),
        (f.partner_type, "partner_type", "cohort_types"),
        (f.tier, "tier", "cohort_tiers"),
    ):
        if value:
            qs = qs.filter(Q(**{f"partner__{field}": value}) | Q(**{f"{cohort}__contains": [value]}))
    if f.state == "unplanned":
        qs = qs.filter(plan__isnull=True)
    elif f.state == "planned":
        qs = qs.filter(plan__isnull=False)
    order = FINDING_SORTS.get(sort, FINDING_SORTS["severity"])
    return qs.order_by(*(F(o[1:]).desc(nulls_last=True) if o.startswith("-") else F(o).asc() for o in order))


def finding_get(*, tenant: Tenant, finding_id: int) -> Finding:
    """The finding with partner (and owner), owner, plan and review; NotFoundError for a missing id and another
    tenant's alike."""
    finding = (
        Finding.objects.for_tenant(tenant)
        .select_related("partner", "partner__owner", "owner__user", "plan", "plan__owner", "review", "created_by__user")
        .filter(pk=finding_id)
        .first()
    )
    if finding is None:
        raise NotFoundError("Finding not found.")
    return finding


def findings_of_partner_unplanned(*, tenant: Tenant, partner: Partner) -> QuerySet[Finding]:
    """The partner's findings no plan addresses yet (a new plan may take them)."""
    return Finding.objects.for_tenant(tenant).filter(partner=partner, plan__isnull=True).order_by("-date_found", "-id")


@dataclass(frozen=True)
class Pattern:
    category: str
    label: str
    partners: int
    region: str  # "" for the whole program
    sentence: str


def finding_patterns(
    *, tenant: Tenant, today: date, labels: dict[str, str], minimum: int = PATTERN_MIN_PARTNERS
) -> list[Pattern]:
    """Cause categories found at ``minimum`` or more partners this quarter, by region and program-wide: "Channel
    conflict: 7 partners in EMEA this quarter". One aggregate query."""
    since = quarter_start(today)
    rows = list(
        Finding.objects.for_tenant(tenant)
        .filter(date_found__gte=since, partner__isnull=False)
        .exclude(category="")
        .values("category", "partner__region")
        .annotate(partners=Count("partner", distinct=True))
    )
    regions = dict(Partner.Region.choices)
    # A partner sits in one region: the program-wide count of a category is the sum of its regions' counts.
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["category"]] = totals.get(row["category"], 0) + row["partners"]
    quarter = quarter_label(today)
    patterns = [
        Pattern(
            category=row["category"],
            label=category_label(row["category"], labels),
            partners=row["partners"],
            region=row["partner__region"],
            sentence=f"{category_label(row['category'], labels)}: {row['partners']} partners in "
            f"{regions.get(row['partner__region'], row['partner__region'])} this quarter ({quarter})",
        )
        for row in rows
        if row["partners"] >= minimum
    ]
    patterns += [
        Pattern(
            category=category,
            label=category_label(category, labels),
            partners=count,
            region="",
            sentence=f"{category_label(category, labels)}: {count} partners across the program this quarter "
            f"({quarter})",
        )
        for category, count in totals.items()
        if count >= minimum and not any(p.category == category and p.partners == count for p in patterns)
    ]
    return sorted(patterns, key=lambda p: (-p.partners, p.label, p.region))


def lesson_count_for_category(*, tenant: Tenant, category: str) -> int:
    """How many lessons earlier plans left on ``category`` (one query)."""
    if not category:
        return 0
    return Lesson.objects.for_tenant(tenant).filter(category=category).count()
