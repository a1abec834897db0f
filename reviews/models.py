"""The review cadence: cadences with their agenda, cycles, reviews and everything recorded around a review.

An agenda is copied onto each review when the cycle generates it (``Review.agenda``), so that editing a cadence
never rewrites what an earlier review asked; notes and ratings name their section and prompt by key.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partnerhub.core.models import Membership, Partner, TenantOwnedModel


class Visibility(models.TextChoices):
    SHARED = "shared", "Shared with the partner"
    INTERNAL = "internal", "Internal only"


class Cadence(TenantOwnedModel):
    """A recurring kind of review and the partners it applies to (empty filters apply to every partner)."""

    class Kind(models.TextChoices):
        HEALTH_CHECK = "health_check", "Monthly health check"
        QBR = "qbr", "Quarterly business review"
        DEEP_DIVE = "deep_dive", "Biannual deep dive"
        CUSTOM = "custom", "Custom"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every quarter"
        BIANNUAL = "biannual", "Every six months"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    partner_types = ArrayField(models.CharField(max_length=12), default=list, blank=True)
    tiers = ArrayField(models.CharField(max_length=12), default=list, blank=True)
    stages = ArrayField(models.CharField(max_length=12), default=list, blank=True)
    include_strategic = models.BooleanField(
        default=False, help_text="Strategic partners qualify whatever the filters above say."
    )
    review_offset_days = models.PositiveSmallIntegerField(
        default=14, help_text="Reviews are held this many days after the cycle starts."
    )
    prep_lead_days = models.PositiveSmallIntegerField(
        default=7, help_text="The pre-read is generated this many days before the review."
    )
    self_assessment_lead_days = models.PositiveSmallIntegerField(
        default=10, help_text="The partner's self-assessment (and forecast) is due this many days before the review."
    )
    asks_forecast = models.BooleanField(default=False, help_text="The partner submits a pipeline forecast.")
    detailed_cap = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="At most this many detailed reviews per cycle; the rest get a light-touch check. Empty: no cap.",
    )
    agenda = models.JSONField(
        default=list,
        help_text='Ordered sections: [{"key", "title", "prompts": [{"key", "text"}]}].',
    )
    is_active = models.BooleanField(default=True)
    revision = models.PositiveIntegerField(
        default=1,
        help_text="Counts the changes partners notice (everything but the name and the pre-read's lead): each needs a "
        "published change notice when the executive layer guards publications.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="cadence_unique_name_per_tenant")]

    def __str__(self) -> str:
        return self.name


class ReviewCycle(TenantOwnedModel):
    """One period (month, quarter or half-year) of a cadence; generating it twice creates nothing new."""

    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="cycles")
    period_start = models.DateField()
    period_end = models.DateField()
    generated_at = models.DateTimeField(null=True, blank=True)
    generated_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    qualifying_count = models.PositiveIntegerField(default=0)
    detailed_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_start", "cadence_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "cadence", "period_start"], name="cycle_one_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.cadence} {self.period_start:%Y-%m}"


class Review(TenantOwnedModel):
    """One partner's review in one cycle."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PREPARING = "preparing", "Preparing"
        HELD = "held", "Held"
        SIGNED_OFF = "signed_off", "Signed off"
        CANCELLED = "cancelled", "Cancelled"

    class Depth(models.TextChoices):
        DETAILED = "detailed", "Detailed review"
        LIGHT = "light", "Light-touch check"

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reviews")
    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=14, choices=Cadence.Kind.choices)
    depth = models.CharField(max_length=8, choices=Depth.choices, default=Depth.DETAILED)
    priority_rank = models.PositiveIntegerField(default=0, help_text="1 = first picked in the cycle.")
    selection_reason = models.CharField(max_length=300, blank=True, default="")
    scheduled_for = models.DateTimeField()
    moderator = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    cancel_reason = models.CharField(max_length=300, blank=True, default="")
    agenda = models.JSONField(default=list)
    # The pre-read: generated from the latest snapshot, regenerated until the review is held, then frozen.
    preread = models.JSONField(null=True, blank=True)
    preread_generated_at = models.DateTimeField(null=True, blank=True)
    self_assessment_due = models.DateField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["scheduled_for", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "cycle", "partner"], name="review_one_per_cycle")]
        indexes = [
            models.Index(fields=["tenant", "scheduled_for"]),
            models.Index(fields=["tenant", "partner", "scheduled_for"]),
            models.Index(fields=["tenant", "moderator", "scheduled_for"]),
            models.Index(fields=["tenant", "state", "scheduled_for"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.partner_id} on {self.scheduled_for:%Y-%m-%d}"

    @property
    def is_read_only(self) -> bool:
        return self.state in (self.State.SIGNED_OFF, self.State.CANCELLED)


class ReviewTransition(TenantOwnedModel):
    """The state history of a review: who moved it, from what to what, and why."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=Review.State.choices)
    to_state = models.CharField(max_length=10, choices=Review.State.choices)
    actor = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.from_state} -> {self.to_state}"


class Attendee(TenantOwnedModel):
    """Someone at the review: an internal member or a partner user (a membership), or a named partner contact."""

    class Function(models.TextChoices):
        SALES = "sales", "Sales"
        MARKETING = "marketing", "Marketing"
        PRODUCT = "product", "Product"
        CUSTOMER_SUCCESS = "customer_success", "Customer success"
        ALLIANCES = "alliances", "Alliances"
        OTHER = "other", "Other"

    class Side(models.TextChoices):
        INTERNAL = "internal", "Our team"
        PARTNER = "partner", "Partner"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="attendees")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200, blank=True, default="", help_text="For a contact without an account.")
    email = models.EmailField(blank=True, default="")
    function = models.CharField(max_length=20, choices=Function.choices, default=Function.OTHER)
    side = models.CharField(max_length=8, choices=Side.choices, default=Side.INTERNAL)

    class Meta:
        ordering = ["side", "function", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "review", "membership"],
                condition=models.Q(membership__isnull=False),
                name="attendee_once_per_review",
            ),
            models.CheckConstraint(
                condition=models.Q(membership__isnull=False) | ~models.Q(name=""), name="attendee_has_a_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.membership_id)


class SelfAssessment(TenantOwnedModel):
    """The partner's own view before the review, submitted in the portal."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="self_assessment")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    wins = models.TextField(blank=True, default="")
    lessons = models.TextField("lessons learned", blank=True, default="")
    needs = models.TextField(blank=True, default="")
    risks = models.TextField(blank=True, default="")
    submitted_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Self-assessment for review {self.review_id}"


class Forecast(TenantOwnedModel):
    """The partner's pipeline forecast for one quarter, scored for accuracy once the quarter has closed."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="forecast")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    quarter_start = models.DateField()
    submitted_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Accuracy, filled in after the quarter (see docs/reviews-portal.md).
    scored_at = models.DateTimeField(null=True, blank=True)
    forecast_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    actual_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    wape = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    brier = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    accuracy = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "partner", "quarter_start"])]

    def __str__(self) -> str:
        return f"Forecast {self.partner_id} {self.quarter_start}"


class ForecastLine(TenantOwnedModel):
    """One opportunity in a forecast."""

    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="lines")
    opportunity = models.CharField(max_length=200)
    deal_ref = models.CharField(
        max_length=100, blank=True, default="", help_text="The opportunity's CRM id, to match it with what closed."
    )
    deal = models.ForeignKey("scorecards.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    stage = models.CharField(max_length=60)
    amount = models.DecimalField(max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    probability = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    expected_close = models.DateField()

    class Meta:
        ordering = ["expected_close", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="forecast_probability_0_100"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="forecast_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.opportunity


class ReviewNote(TenantOwnedModel):
    """A note under one agenda section, shared with the partner or internal."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="notes")
    section_key = models.CharField(max_length=40)
    body = models.TextField()
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.INTERNAL)
    author = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "review", "visibility"])]

    def __str__(self) -> str:
        return f"Note on {self.section_key}"


class PromptRating(TenantOwnedModel):
    """A 1 to 5 rating with a comment, answering one standard prompt of the agenda."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    section_key = models.CharField(max_length=40)
    prompt_key = models.CharField(max_length=40)
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, default="")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.INTERNAL)
    author = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "review", "prompt_key"], name="rating_once_per_prompt"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.prompt_key}: {self.rating}"


class Decision(TenantOwnedModel):
    """An entry in a review's decisions log."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.SHARED)
    decided_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionItem(TenantOwnedModel):
    """A commitment made in a review, owned by someone on either side."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="action_items")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    description = models.TextField()
    owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.SHARED)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["tenant", "partner", "status", "due_date"]),
            models.Index(fields=["tenant", "owner", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class CalendarFeed(TenantOwnedModel):
    """A member's private iCalendar feed address; only a hash of its token is kept."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64)

    class Meta(TenantOwnedModel.Meta):
        # Unique within the tenant (the feed's address names it), so the table can be sharded by tenant.
        constraints = [
            models.UniqueConstraint(fields=["tenant", "membership"], name="calendar_feed_once_per_member"),
            models.UniqueConstraint(fields=["tenant", "token_hash"], name="calendar_feed_token_once_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.membership_id}"
