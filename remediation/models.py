"""Remediation: findings about a struggling partner, the improvement plan that addresses them, the checkpoints the
system checks against the partner's snapshots, actions and progress updates from both sides, the escalation ladder,
close-out and the lessons learned.

Cause categories are a fixed set of six (``domain.categories.BUILTIN_CATEGORIES``) plus any the program's admins add
(``CauseCategory``); a finding and a lesson store the category's key. Metrics and reviews are referenced by foreign
key (``scorecards.MetricDefinition``, ``reviews.Review``) and read only through those apps' selectors.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partnerhub.core.models import Membership, Partner, TenantOwnedModel


class CauseCategory(TenantOwnedModel):
    """A cause category an admin added to the built-in six; retired rather than deleted (findings keep its key)."""

    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="cause_category_key_per_tenant")]

    def __str__(self) -> str:
        return self.name


class RemediationSettings(TenantOwnedModel):
    """Program-wide remediation settings: the escalation ladder's schedule and which triggers draft plans."""

    sponsor_after_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days after a checkpoint is missed (or an action's grace ends) before the sponsor is told.",
    )
    executive_after_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days after a checkpoint is missed (or an action's grace ends) before the executive is told.",
    )
    action_grace_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MaxValueValidator(365)],
        help_text="Days an action may run past its due date before it starts climbing the ladder.",
    )
    executive = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who the ladder's last rung reaches; empty: every executive of the program.",
    )
    trigger_red = models.BooleanField("draft a plan when a partner is red two periods running", default=True)
    trigger_declining = models.BooleanField("draft a plan on a declining trend verdict", default=True)
    trigger_tier_grace = models.BooleanField("draft a plan when a partner enters a tier's grace period", default=True)
    draft_horizon_months = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="A drafted plan's checkpoints fall this many months ahead.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="remediation_settings_one_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(executive_after_days__gt=models.F("sponsor_after_days")),
                name="remediation_ladder_climbs",
            ),
        ]
        verbose_name_plural = "remediation settings"

    def __str__(self) -> str:
        return f"Remediation settings of {self.tenant_id}"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class Trigger(models.TextChoices):
    RED_TWO_PERIODS = "red_two_periods", "Red two periods running"
    DECLINING = "declining", "Declining trend"
    TIER_GRACE = "tier_grace", "Entered a tier's grace period"


class Plan(TenantOwnedModel):
    """An improvement plan for one partner: draft -> active -> closed (with an outcome) or cancelled (with a reason).

    At most one plan of a partner is open (draft or active) at a time: the one the review page and the portal show.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTLY = "partly", "Partly succeeded"
        NOT_SUCCEEDED = "not_succeeded", "Did not succeed"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    goal = models.TextField(blank=True, default="", help_text="What success looks like, in words the partner reads.")
    internal_notes = models.TextField(blank=True, default="", help_text="Never shown to the partner.")
    owner = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="accountable owner"
    )
    sponsor = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="executive sponsor"
    )
    partner_contact = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    partner_contact_name = models.CharField(
        max_length=200, blank=True, default="", help_text="The partner's contact, when they have no account."
    )
    start_date = models.DateField()
    target_end_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, blank=True, default="")
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True, default="")
    what_worked = models.TextField(blank=True, default="")
    what_did_not = models.TextField(blank=True, default="")
    open_checkpoints_note = models.CharField(
        max_length=300, blank=True, default="", help_text="Why the plan closed with checkpoints not yet evaluated."
    )
    cancel_reason = models.CharField(max_length=300, blank=True, default="")
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner"],
                condition=models.Q(status__in=["draft", "active"]),
                name="plan_one_open_per_partner",
            ),
            models.CheckConstraint(condition=models.Q(target_end_date__gte=models.F("start_date")), name="plan_dates"),
            models.CheckConstraint(
                condition=models.Q(status="closed", outcome__in=["succeeded", "partly", "not_succeeded"])
                | (~models.Q(status="closed") & models.Q(outcome="")),
                name="plan_outcome_iff_closed",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""), name="plan_cancel_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "partner"]),
            models.Index(fields=["tenant", "owner", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.ACTIVE)


class Finding(TenantOwnedModel):
    """A performance issue: a cause, its root-cause notes, impact, who it affects, where it came from, who owns it."""

    class Origin(models.TextChoices):
        REVIEW = "review", "A review"
        TRIGGER = "trigger", "An automatic trigger"
        MANUAL = "manual", "By hand"

    class RootCauseMethod(models.TextChoices):
        FIVE_WHYS = "five_whys", "Five whys"
        FISHBONE = "fishbone", "Fishbone (by category)"
        NOTES = "notes", "Notes"

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+", help_text="Empty: a cohort."
    )
    title = models.CharField(max_length=200)
    category = models.CharField(
        max_length=60,
        blank=True,
        default="",
        help_text="A cause category key; empty only until a trigger's draft is diagnosed.",
    )
    root_cause_method = models.CharField(max_length=10, choices=RootCauseMethod.choices, default=RootCauseMethod.NOTES)
    # five whys: {"whys": [str, ...]}; fishbone: {"branches": {branch: [cause, ...]}}; notes: {} (see domain/).
    root_cause = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True, default="")
    impact_amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="In the program's currency."
    )
    impact_points = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="In score points."
    )
    # The affected cohort besides (or instead of) the partner: partners of these types / tiers / regions / markets /
    # product lines (an empty list does not narrow).
    cohort_types = ArrayField(models.CharField(max_length=12), default=list, blank=True)
    cohort_tiers = ArrayField(models.CharField(max_length=12), default=list, blank=True)
    cohort_regions = ArrayField(models.CharField(max_length=8), default=list, blank=True)
    cohort_markets = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    cohort_product_lines = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    date_found = models.DateField()
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.MANUAL)
    review = models.ForeignKey("reviews.Review", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trigger = models.CharField(max_length=20, choices=Trigger.choices, blank=True, default="")
    trigger_period = models.DateField(null=True, blank=True, help_text="The snapshot period the trigger read.")
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings")
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-date_found", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(partner__isnull=False)
                | ~models.Q(cohort_types=[])
                | ~models.Q(cohort_tiers=[])
                | ~models.Q(cohort_regions=[])
                | ~models.Q(cohort_markets=[])
                | ~models.Q(cohort_product_lines=[]),
                name="finding_has_someone_affected",
            ),
            models.CheckConstraint(
                condition=~models.Q(origin="review") | models.Q(review__isnull=False), name="finding_review_origin"
            ),
            models.CheckConstraint(
                condition=~models.Q(origin="trigger") | ~models.Q(trigger=""), name="finding_trigger_origin"
            ),
            models.CheckConstraint(
                condition=~models.Q(category="") | models.Q(origin="trigger"), name="finding_category_unless_trigger"
            ),
            # A trigger drafts once per partner and period of evidence (a refresh running twice drafts nothing).
            models.UniqueConstraint(
                fields=["tenant", "partner", "trigger", "trigger_period"],
                condition=models.Q(origin="trigger"),
                name="finding_trigger_once_per_period",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "category", "date_found"]),
            models.Index(fields=["tenant", "partner", "date_found"]),
            models.Index(fields=["tenant", "owner"]),
            models.Index(fields=["tenant", "plan"]),
        ]

    def __str__(self) -> str:
        return self.title


class Checkpoint(TenantOwnedModel):
    """A time-bound success criterion, stated as a target on the partner's snapshot of one period, and checked by the
    system after every refresh: met, missed or not yet evaluable (with the figures it compared, or why not).

    Nobody ticks it by hand; a manager may comment on it, or waive it with a reason.
    """

    class Measure(models.TextChoices):
        METRIC = "metric", "A metric's actual"
        SCORE = "score", "The overall score"
        TREND = "trend", "The trend verdict"

    class Comparator(models.TextChoices):
        AT_LEAST = "gte", "at least"
        AT_MOST = "lte", "at most"
        NOT_DECLINING = "not_declining", "not declining"

    class Period(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"

    class Status(models.TextChoices):
        PENDING = "pending", "Not due yet"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        NOT_EVALUABLE = "not_evaluable", "Not yet evaluable"
        WAIVED = "waived", "Waived"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="checkpoints")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=8, choices=Measure.choices)
    metric = models.ForeignKey(
        "scorecards.MetricDefinition", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comparator = models.CharField(max_length=14, choices=Comparator.choices)
    target = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.MONTH)
    due_period_start = models.DateField(help_text="The first day of the month or quarter whose snapshot is checked.")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PENDING)
    # What the last evaluation compared: the actual (metric value, score; null for a trend), the trend verdict, the
    # sentence shown, and why it could not be evaluated ("no_snapshot", "flagged", "missing", "not_on_scorecard",
    # "to_date", "no_score").
    actual = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    actual_trend = models.CharField(max_length=10, blank=True, default="")
    explanation = models.CharField(max_length=500, blank=True, default="")
    unevaluable_reason = models.CharField(max_length=20, blank=True, default="")
    evaluated_at = models.DateTimeField(null=True, blank=True)
    missed_on = models.DateField(null=True, blank=True, help_text="When it was first found missed: the ladder's clock.")
    waive_reason = models.CharField(max_length=300, blank=True, default="")
    waived_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    waived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["due_period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(measure="metric") & models.Q(metric__isnull=False))
                | (~models.Q(measure="metric") & models.Q(metric__isnull=True)),
                name="checkpoint_metric_iff_metric_measure",
            ),
            models.CheckConstraint(
                condition=(models.Q(measure="trend", comparator="not_declining", target__isnull=True))
                | (~models.Q(measure="trend") & models.Q(comparator__in=["gte", "lte"], target__isnull=False)),
                name="checkpoint_comparator_fits_measure",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="waived") | ~models.Q(waive_reason=""), name="checkpoint_waive_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "plan"]),
            models.Index(fields=["tenant", "status", "due_period_start"]),
        ]

    def __str__(self) -> str:
        return f"Checkpoint {self.pk} of plan {self.plan_id}"

    @property
    def is_settled(self) -> bool:
        """Met, missed or waived: what a plan may close with without saying why."""
        return self.status in (self.Status.MET, self.Status.MISSED, self.Status.WAIVED)


class CheckpointComment(TenantOwnedModel):
    """A manager's comment on a checkpoint (internal)."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "checkpoint"])]

    def __str__(self) -> str:
        return self.body[:60]


class PlanAction(TenantOwnedModel):
    """A step of the plan: a quick win or mid-term, owned on our side or the partner's; shared ones the partner sees
    (and updates in the portal, when the partner owns them)."""

    class Kind(models.TextChoices):
        QUICK_WIN = "quick_win", "Quick win"
        MID_TERM = "mid_term", "Mid-term"

    class Side(models.TextChoices):
        OURS = "ours", "Our side"
        PARTNER = "partner", "The partner"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.QUICK_WIN)
    side = models.CharField(max_length=8, choices=Side.choices, default=Side.OURS)
    owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_date = models.DateField()
    resources = models.TextField("required resources", blank=True, default="")
    success_criteria = models.TextField(blank=True, default="")
    contingency = models.TextField("contingency plan", blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    shared = models.BooleanField(default=True, help_text="Shown to the partner in the portal.")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["tenant", "plan"]),
            models.Index(fields=["tenant", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class ProgressUpdate(TenantOwnedModel):
    """A dated progress note from either side, with the plan's metrics as the latest snapshots showed them then."""

    class Side(models.TextChoices):
        OURS = "ours", "Our side"
        PARTNER = "partner", "The partner"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="updates")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    side = models.CharField(max_length=8, choices=Side.choices)
    body = models.TextField()
    shared = models.BooleanField(default=False, help_text="Shown to the partner in the portal.")
    action = models.ForeignKey(PlanAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # [{"label", "value", "unit", "period"}]: the plan's checkpoint measures in the latest snapshots, when posted.
    figures = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "plan", "shared"])]

    def __str__(self) -> str:
        return self.body[:60]


class Escalation(TenantOwnedModel):
    """One rung of the ladder climbed for a missed checkpoint or an overdue action: who was told, and why.

    Unique per (checkpoint or action, rung): each escalation happens once, however many workers run the ladder.
    """

    class Rung(models.IntegerChoices):
        OWNER = 1, "Owner"
        SPONSOR = 2, "Sponsor"
        EXECUTIVE = 3, "Executive"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="escalations")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    rung = models.PositiveSmallIntegerField(choices=Rung.choices)
    recipients = models.JSONField(default=list, help_text="[{'id', 'name'}] of the members told.")
    reason = models.CharField(max_length=500)
    day = models.DateField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(checkpoint__isnull=False, action__isnull=True)
                | models.Q(checkpoint__isnull=True, action__isnull=False),
                name="escalation_one_subject",
            ),
            models.UniqueConstraint(
                fields=["tenant", "checkpoint", "rung"],
                condition=models.Q(checkpoint__isnull=False),
                name="escalation_once_per_checkpoint_rung",
            ),
            models.UniqueConstraint(
                fields=["tenant", "action", "rung"],
                condition=models.Q(action__isnull=False),
                name="escalation_once_per_action_rung",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "plan"])]

    def __str__(self) -> str:
        return f"{self.get_rung_display()} for plan {self.plan_id}"


class Lesson(TenantOwnedModel):
    """A lesson learned at a plan's close-out, tagged by cause category; shown when a new finding of that category
    is opened."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lessons")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=60)
    text = models.TextField()
    outcome = models.CharField(max_length=14, choices=Plan.Outcome.choices, blank=True, default="")
    author = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "category", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:60]
