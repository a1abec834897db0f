"""Recognition: the program's tiers and what each carries, the versioned tier framework (criteria per tier, grace),
quarterly tier recommendations with their evidence, executive decisions, the tier history, and awards.

Every table here is tenant-owned (row-level security is applied to it after migrate like any other). A partner's
tier is still ``Partner.tier`` (the core's field, holding a tier's ``key``); the records here give it a rank, a name
and benefits, and the history of how it changed.
"""

from __future__ import annotations

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
