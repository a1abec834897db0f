"""Recognition: the program's tiers and what each carries, the versioned tier framework (criteria per tier, grace),
quarterly tier recommendations with their evidence, executive decisions, the tier history, and awards; then
investments (budgets, allocations, fund requests, claims and their proofs, enablement, impact estimates).

Every table here is tenant-owned (row-level security is applied to it after migrate like any other). A partner's
tier is still ``Partner.tier`` (the core's field, holding a tier's ``key``); the records here give it a rank, a name
and benefits, and the history of how it changed.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partnerhub.core.models import Membership, Partner, TenantOwnedModel

# --- tiers and the framework ---


class Tier(TenantOwnedModel):
    """A tier of the program: its rank (1 = the entry tier, higher is better) and the benefits it carries."""

    key = models.SlugField(max_length=12, help_text="Stored on each partner (Partner.tier).")
    name = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    mdf_share_pct = models.DecimalField(
        "MDF share (%)",
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of market development funds the tier may claim, in percent.",
    )
    discount_pct = models.DecimalField(
        "partner discount (%)",
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    enablement = models.CharField(max_length=200, blank=True, default="", help_text="Training and enablement.")
    support = models.CharField(max_length=200, blank=True, default="", help_text="Support level.")
    beta_access = models.BooleanField(default=False, help_text="Early access to beta programs.")
    executive_sponsor = models.BooleanField(default=False, help_text="A named executive sponsor.")
    other_benefits = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="tier_key_unique_per_tenant"),
            # Deferred: a reorder swaps ranks inside one transaction.
            models.UniqueConstraint(
                fields=["tenant", "rank"],
                name="tier_rank_unique_per_tenant",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="tier_rank_positive"),
            models.CheckConstraint(
                condition=models.Q(
                    mdf_share_pct__gte=0, mdf_share_pct__lte=100, discount_pct__gte=0, discount_pct__lte=100
                ),
                name="tier_percentages_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(TenantOwnedModel):
    """One version of the tier framework: a draft until published with a rationale and an effective date.

    A published version is never edited (a change is a new draft), so recommendations keep the version they used.
    The version in force for a quarter is the latest published one effective on or before the quarter's last day.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(null=True, blank=True)
    rationale = models.TextField(blank=True, default="")
    grace_quarters = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(4)],
        help_text="Quarters a partner may miss its tier's criteria before a demotion is proposed (0 to 4).",
    )
    grace_visible_to_partner = models.BooleanField(
        default=True, help_text="Partners in grace see the compliance-risk warning in their portal."
    )
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    published_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="framework_version_number"),
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(status="draft"), name="framework_one_draft_per_tenant"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(effective_from__isnull=False),
                name="framework_published_has_effective_date",
            ),
            models.CheckConstraint(condition=models.Q(grace_quarters__lte=4), name="framework_grace_0_4"),
        ]

    def __str__(self) -> str:
        return f"Tier framework v{self.number}"


class TierCriteria(TenantOwnedModel):
    """What a partner must show to hold one tier under one framework version (every part must be met).

    The score part reads "score ≥ ``min_score`` in at least ``quarters_required`` of the last ``quarters_window``
    complete quarters"; a tier with no part at all is open to every partner (the entry tier).
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="criteria")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    min_score = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    quarters_required = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    quarters_window = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    min_tenure_months = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(240)])

    class Meta:
        ordering = ["version", "tier__rank"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version", "tier"], name="tier_criteria_once_per_version"),
            models.CheckConstraint(
                condition=models.Q(min_score__isnull=True) | models.Q(min_score__gte=0, min_score__lte=100),
                name="tier_criteria_score_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(quarters_required__gte=1, quarters_window__lte=8)
                & models.Q(quarters_required__lte=models.F("quarters_window")),
                name="tier_criteria_k_of_n",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier_id} under v{self.version_id}"


class TierMetricRequirement(TenantOwnedModel):
    """A metric a tier requires, with its threshold: at least it (higher is better) or at most it (lower is better),
    on the evaluated quarter's value as the scorecard shows it."""

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", "at least"
        AT_MOST = "lte", "at most"

    criteria = models.ForeignKey(TierCriteria, on_delete=models.CASCADE, related_name="metrics")
    metric = models.ForeignKey("scorecards.MetricDefinition", on_delete=models.PROTECT, related_name="+")
    comparison = models.CharField(max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    threshold = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "criteria", "metric"], name="tier_metric_once_per_criteria"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.comparison} {self.threshold}"


# --- recommendations, decisions, history ---


class Move(models.TextChoices):
    PROMOTE = "promote", "Promote"
    HOLD = "hold", "Hold"
    GRACE = "grace", "Grace period"
    DEMOTE = "demote", "Demote"


class TierRecommendation(TenantOwnedModel):
    """One partner's tier recommendation for one quarter, with its evidence, awaiting an executive's decision.

    ``source`` is the engine (one per partner and quarter, rewritten while pending when the data changes) or a
    manager's exception (a proposal with a justification; it still needs an executive). ``evidence`` lists each
    criterion considered, the partner's value for each period, and whether it was met; ``explanation`` says the same
    in plain words.
    """

    class Source(models.TextChoices):
        ENGINE = "engine", "Framework"
        EXCEPTION = "exception", "Exception proposed by a manager"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting decision"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    quarter = models.DateField(help_text="First day of the quarter evaluated.")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENGINE)
    move = models.CharField(max_length=8, choices=Move.choices)
    from_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    grace_quarter = models.PositiveSmallIntegerField(
        default=0, help_text="For a grace recommendation: which quarter of grace this is (1 = the first)."
    )
    evidence = models.JSONField(default=dict)
    explanation = models.TextField()
    fingerprint = models.BigIntegerField(default=0, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    justification = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True, default="")
    effective_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-quarter", "partner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "quarter"],
                condition=models.Q(source="engine"),
                name="tier_recommendation_engine_once",
            ),
            models.UniqueConstraint(
                fields=["tenant", "partner", "quarter"],
                condition=models.Q(source="exception", status="pending"),
                name="tier_recommendation_one_pending_exception",
            ),
            models.CheckConstraint(
                condition=~models.Q(source="exception") | ~models.Q(justification=""),
                name="tier_exception_has_justification",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(decision_comment=""),
                name="tier_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "quarter", "status", "move"]),
            models.Index(fields=["tenant", "partner", "-quarter"]),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.quarter:%Y-%m}: {self.move}"

    @property
    def changes_tier(self) -> bool:
        return self.to_tier_id is not None and self.to_tier_id != self.from_tier_id


class TierChange(TenantOwnedModel):
    """One change of a partner's tier: from, to, effective when, who approved it, and the recommendation and its
    evidence (copied, so the history reads the same whatever happens to the recommendation later)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    from_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    effective_date = models.DateField()
    approved_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    recommendation = models.ForeignKey(
        TierRecommendation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    move = models.CharField(max_length=8, choices=Move.choices)
    explanation = models.TextField(blank=True, default="")
    evidence = models.JSONField(default=dict)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-effective_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "recommendation"],
                condition=models.Q(recommendation__isnull=False),
                name="tier_change_once_per_recommendation",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner", "-effective_date"])]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.from_tier_id} -> {self.to_tier_id}"


# --- awards ---


class AwardCategory(TenantOwnedModel):
    """An award, and the rule that proposes its candidates from the snapshots (or none: nominations only)."""

    class Rule(models.TextChoices):
        TOP_SCORE_IN_SEGMENT = "top_score_in_segment", "Highest score in its segment"
        MOST_IMPROVED = "most_improved", "Largest sustained improvement (trend verdict: improving)"
        BEST_CSAT = "best_csat", "Best customer satisfaction, with enough responses"
        TOP_METRIC = "top_metric", "Highest value of a metric"
        NOMINATIONS_ONLY = "none", "None (nominations only)"

    name = models.CharField(max_length=80)
    description = models.TextField(blank=True, default="")
    rule = models.CharField(max_length=24, choices=Rule.choices)
    metric = models.ForeignKey(
        "scorecards.MetricDefinition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For 'Highest value of a metric'.",
    )
    min_responses = models.PositiveSmallIntegerField(
        default=5, help_text="For customer satisfaction: the fewest survey responses in the quarter that count."
    )
    candidate_count = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)], help_text="Candidates proposed."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "award categories"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="award_category_name_unique"),
            models.CheckConstraint(
                condition=~models.Q(rule="top_metric") | models.Q(metric__isnull=False),
                name="award_top_metric_names_metric",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Nomination(TenantOwnedModel):
    """A partner nominated for an award in a quarter, with the case and its evidence; an executive decides.

    A winning nomination is the award: it shows on the recognition wall with its citation and figures.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting decision"
        AWARDED = "awarded", "Awarded"
        DECLINED = "declined", "Not chosen"

    category = models.ForeignKey(AwardCategory, on_delete=models.PROTECT, related_name="nominations")
    quarter = models.DateField(help_text="First day of the quarter the award is for.")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    nominated_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    case = models.TextField(help_text="Why this partner: the written case.")
    evidence_links = models.JSONField(default=list, blank=True)
    from_candidate = models.BooleanField(default=False)
    figures = models.JSONField(default=dict, blank=True, help_text="The rule's evidence for this partner.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    decided_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    citation = models.TextField(blank=True, default="")
    decision_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-quarter", "category", "partner"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "category", "quarter", "partner"], name="nomination_once_per_partner"
            ),
            models.UniqueConstraint(
                fields=["tenant", "category", "quarter"],
                condition=models.Q(status="awarded"),
                name="award_one_winner_per_quarter",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="awarded") | ~models.Q(citation=""), name="award_has_citation"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "-quarter"])]

    def __str__(self) -> str:
        return f"{self.partner_id} for {self.category_id} ({self.quarter:%Y-%m})"


# --- Investments ---------------------------------------------------------------------------------------------------
# MDF and enablement from budget to claim (issue 15): budgets per fiscal period and currency, allocations to partners,
# fund requests, claims with proof of performance and their status history, investments (MDF, enablement, favourable
# terms), and the impact estimated for each. Money is an amount and an ISO 4217 code side by side (a CHECK on the
# code), as deals keep it; the database holds the budget invariants (migration 0004_investments_budget_guards).

CURRENCY_CODE_RE = r"^[A-Z]{3}$"


class Budget(TenantOwnedModel):
    """Money for one fiscal period (a year, or a quarter of it) in one currency, allocated to partners."""

    class Kind(models.TextChoices):
        MDF = "mdf", "Market development funds"
        ENABLEMENT = "enablement", "Enablement"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.MDF)
    fiscal_year = models.PositiveSmallIntegerField(help_text="Named by the calendar year in which it ends.")
    fiscal_quarter = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1-4; empty: the whole year.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    claim_days = models.PositiveSmallIntegerField(
        default=60, help_text="A claim is due this many days after the funded activity ends."
    )
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="budget_unique_name_per_tenant"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="budget_amount_positive"),
            models.CheckConstraint(condition=models.Q(currency__regex=CURRENCY_CODE_RE), name="budget_currency_code"),
            models.CheckConstraint(
                condition=models.Q(fiscal_quarter__isnull=True)
                | models.Q(fiscal_quarter__gte=1, fiscal_quarter__lte=4),
                name="budget_fiscal_quarter_1_to_4",
            ),
            models.CheckConstraint(condition=models.Q(starts_on__lte=models.F("ends_on")), name="budget_dates_ordered"),
        ]
        indexes = [models.Index(fields=["tenant", "starts_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def period_label(self) -> str:
        return f"FY{self.fiscal_year}" + (f" Q{self.fiscal_quarter}" if self.fiscal_quarter else "")


class Allocation(TenantOwnedModel):
    """A partner's share of a budget. The database refuses a currency other than the budget's and a total above it."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Set by hand"
        RULE = "rule", "Allocation rule"

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="allocations")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(max_length=300, blank=True, default="")
    set_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["budget", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "budget", "partner"], name="allocation_one_per_partner"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="allocation_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(currency__regex=CURRENCY_CODE_RE), name="allocation_currency_code"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner"])]

    def __str__(self) -> str:
        return f"{self.partner_id} in {self.budget_id}: {self.amount} {self.currency}"


class ActivityType(models.TextChoices):
    """What a fund request pays for (MDF), and the other kinds of investment."""

    EVENT = "event", "Event"
    CAMPAIGN = "campaign", "Campaign"
    CONTENT = "content", "Content"
    TRAINING = "training", "Training"
    DEMAND_GENERATION = "demand_generation", "Demand generation"
    OTHER = "other", "Other"


class FundRequest(TenantOwnedModel):
    """A partner's request for funds from its allocation, for one planned activity."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        INFO_REQUESTED = "info_requested", "More information asked"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="requests")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    activity_type = models.CharField(max_length=20, choices=ActivityType.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    planned_start = models.DateField()
    planned_end = models.DateField()
    requested_amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    expected_leads = models.PositiveIntegerField(default=0)
    expected_pipeline = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    approved_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    claim_deadline = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(requested_amount__gt=0), name="fund_request_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(currency__regex=CURRENCY_CODE_RE), name="fund_request_currency_code"
            ),
            models.CheckConstraint(
                condition=models.Q(planned_start__lte=models.F("planned_end")), name="fund_request_dates_ordered"
            ),
            # Approved means an amount, above 0 and at most what was asked (a manager may approve less).
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(
                    approved_amount__gt=0,
                    approved_amount__lte=models.F("requested_amount"),
                    claim_deadline__isnull=False,
                ),
                name="fund_request_approved_amount",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["rejected", "info_requested"]) | ~models.Q(decision_note=""),
                name="fund_request_reason_given",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["tenant", "partner", "-created_at"]),
            models.Index(fields=["tenant", "claim_deadline"]),
        ]

    def __str__(self) -> str:
        return self.title


class Claim(TenantOwnedModel):
    """Proof of performance against an approved request: what was spent, what came of it, and the files."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        PARTLY_APPROVED = "partly_approved", "Partly approved"
        REJECTED = "rejected", "Rejected"
        PAID = "paid", "Paid"

    request = models.ForeignKey(FundRequest, on_delete=models.PROTECT, related_name="claims")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="Actual spend claimed.")
    currency = models.CharField(max_length=3)
    leads_reported = models.PositiveIntegerField(default=0)
    pipeline_reported = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    outcome = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    approved_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    submitted_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    payment_reference = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(condition=models.Q(currency__regex=CURRENCY_CODE_RE), name="claim_currency_code"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "paid"])
                | models.Q(approved_amount__gt=0, approved_amount__lte=models.F("amount")),
                name="claim_approved_amount",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="partly_approved")
                | models.Q(approved_amount__gt=0, approved_amount__lt=models.F("amount")),
                name="claim_partly_approved_amount",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["rejected", "partly_approved"]) | ~models.Q(decision_note=""),
                name="claim_reason_given",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_at__isnull=False), name="claim_paid_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["tenant", "partner", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Claim {self.pk} on {self.request_id}"


def proof_storage() -> Storage:
    """The storage of proof files (``STORAGES["investment_proofs"]``: a folder outside static and outside any URL)."""
    return storages["investment_proofs"]


def proof_upload_to(instance: Any, filename: str) -> str:
    """Every tenant's proofs under its own folder: ``tenants/<tenant id>/claims/<claim id>/<random name>``.

    ``filename`` is the service's random name with the extension of the checked type, never the uploaded name.
    """
    return f"tenants/{instance.tenant_id}/claims/{instance.claim_id}/{filename}"


class ProofFile(TenantOwnedModel):
    """A file proving a claim (invoice, attendee list, screenshot): stored under the tenant's own folder, served
    only through the tenant's claim page to people who may see the claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(storage=proof_storage, upload_to=proof_upload_to, max_length=300)
    name = models.CharField(max_length=200, help_text="The file's name as uploaded (shown, never used as a path).")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class FundTransition(TenantOwnedModel):
    """The status history of a request and its claims: who moved what, from which status to which, and why."""

    request = models.ForeignKey(FundRequest, on_delete=models.CASCADE, related_name="transitions")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions")
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True, default="")
    actor = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "request", "created_at"])]

    def __str__(self) -> str:
        subject = f"claim {self.claim_id}" if self.claim_id else f"request {self.request_id}"
        return f"{subject}: {self.from_status or '-'} -> {self.to_status}"


class Investment(TenantOwnedModel):
    """What a partner received, with a value: MDF (from an approved request), enablement or favourable terms.

    The impact estimates are made per investment and per group of them.
    """

    class Kind(models.TextChoices):
        MDF = "mdf", "MDF / co-marketing"
        ENABLEMENT = "enablement", "Enablement"
        TERMS = "terms", "Favourable terms"

    class Category(models.TextChoices):
        EVENT = "event", "Event"
        CAMPAIGN = "campaign", "Campaign"
        CONTENT = "content", "Content"
        TRAINING = "training", "Training"
        DEMAND_GENERATION = "demand_generation", "Demand generation"
        OTHER = "other", "Other"
        TRAINING_SEATS = "training_seats", "Training seats"
        TECHNICAL_DAYS = "technical_days", "Technical enablement days"
        DISCOUNT_UPLIFT = "discount_uplift", "Discount uplift"
        PAYMENT_TERMS = "payment_terms", "Payment terms"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    title = models.CharField(max_length=200)
    program = models.CharField(
        max_length=120,
        blank=True,
        default="",
        help_text="Groups investments for a joint estimate (an enablement "
        "programme, a campaign wave); empty: grouped by kind and quarter only.",
    )
    value = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    starts_on = models.DateField(help_text="When the partner started to benefit: the impact's 'after' begins here.")
    ends_on = models.DateField(null=True, blank=True)
    fund_request = models.ForeignKey(
        FundRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="investments"
    )
    note = models.TextField(blank=True, default="")
    recorded_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "fund_request"],
                condition=models.Q(fund_request__isnull=False),
                name="investment_one_per_request",
            ),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="investment_value_positive"),
            models.CheckConstraint(
                condition=models.Q(currency__regex=CURRENCY_CODE_RE), name="investment_currency_code"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(starts_on__lte=models.F("ends_on")),
                name="investment_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "starts_on"]),
            models.Index(fields=["tenant", "kind", "starts_on"]),
        ]

    def __str__(self) -> str:
        return self.title


class InvestmentActivity(TenantOwnedModel):
    """An imported enablement activity (a training attended, a certification earned) that an investment led to."""

    investment = models.ForeignKey(Investment, on_delete=models.CASCADE, related_name="activity_links")
    activity = models.ForeignKey("scorecards.Activity", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "investment", "activity"], name="investment_activity_once")
        ]

    def __str__(self) -> str:
        return f"{self.investment_id} <- activity {self.activity_id}"


class ImpactEstimate(TenantOwnedModel):
    """The measured effect of one investment, or of a group of them, on one metric (precomputed; pages read it).

    ``effect`` is a difference-in-differences against matched partners that got no comparable investment, with a
    bootstrap interval; ``verdict`` says how sure it is and ``reason`` why (docs/investments.md has the method).
    A naive before/after is never stored as an effect.
    """

    class Verdict(models.TextChoices):
        CAUSAL = "causal", "Causal estimate"
        DIRECTIONAL = "directional", "Directional"
        NOT_ESTIMATED = "not_estimated", "Not estimated"

    subject_key = models.CharField(max_length=120, help_text="investment:<id>, or a group such as mdf:FY2026-Q1.")
    subject_label = models.CharField(max_length=200)
    subject_kind = models.CharField(max_length=20, blank=True, default="", help_text="Group: what it groups by.")
    investment = models.ForeignKey(
        Investment, on_delete=models.CASCADE, null=True, blank=True, related_name="impact_estimates"
    )
    metric = models.CharField(max_length=40)
    effect = models.FloatField(null=True, blank=True)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    n_treated = models.PositiveIntegerField(default=0)
    n_controls = models.PositiveIntegerField(default=0)
    pre_periods = models.PositiveSmallIntegerField(default=0)
    post_periods = models.PositiveSmallIntegerField(default=0)
    placebo_effect = models.FloatField(null=True, blank=True)
    placebo_low = models.FloatField(null=True, blank=True)
    placebo_high = models.FloatField(null=True, blank=True)
    verdict = models.CharField(max_length=14, choices=Verdict.choices)
    reason = models.TextField(blank=True, default="")
    # Attribution (not an effect): spend, and the pipeline opened and revenue won by the funded partners in the
    # post-period, all in the reporting currency. It credits every deal, the ones they would have won anyway too.
    spend = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    attributed_pipeline = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    attributed_won = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    series = models.JSONField(default=dict, blank=True, help_text="Treated and control means by month, for the chart.")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["subject_key", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "subject_key", "metric"], name="impact_one_per_subject_metric"),
            models.CheckConstraint(
                condition=~models.Q(verdict="causal") | models.Q(effect__isnull=False, ci_low__isnull=False),
                name="impact_causal_has_interval",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "investment"])]

    def __str__(self) -> str:
        return f"{self.subject_key} {self.metric}: {self.effect}"
