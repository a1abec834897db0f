"""Executive data: the dashboard's precomputed cube, the quarterly memo, the monthly digest, program governance."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from partnerhub.core.models import TenantOwnedModel


class DashboardComputation(TenantOwnedModel):
    """A program's latest dashboard precompute (one row per program, rewritten by each run): when it ran, what it
    read, and how to read its cells (the measure layout and each dimension's values, whose positions the cells
    store)."""

    class Trigger(models.TextChoices):
        REFRESH = "refresh", "After a snapshot refresh"
        SCHEDULE = "schedule", "Scheduled"
        MANUAL = "manual", "By hand"

    computed_at = models.DateTimeField()
    as_of = models.DateField(null=True, blank=True, help_text="The day open action items were judged overdue against.")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    snapshots_read = models.PositiveIntegerField(default=0)
    cells = models.PositiveIntegerField(default=0, help_text="Slices times periods with figures.")
    slices = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    layout = models.JSONField(default=list, help_text="Measure names, in the order of each cell's vector.")
    dimensions = models.JSONField(default=dict, help_text="Per dimension, its values; a cell stores positions.")
    metrics = models.JSONField(default=list, help_text="The metrics the cube carries: id, key, name, unit.")
    latest_month = models.DateField(null=True, blank=True)
    latest_quarter = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="dashboard_computation_one_per_tenant")]

    def __str__(self) -> str:
        return f"Dashboard of {self.tenant_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class DashboardSlice(TenantOwnedModel):
    """One slice of the program, every period of it: the program (no dimension), one dimension's value, or two (A < B).

    ``periods`` holds each period's key (month number x 2, + 1 for a quarter); ``measures`` one little-endian float64
    vector per period, in the same order, laid out as the computation's ``layout`` says. One row per slice (not per
    cell) keeps a precompute's write to a few thousand rows, and the page's read to one.
    """

    computation = models.ForeignKey(DashboardComputation, on_delete=models.CASCADE, related_name="+")
    dim_a = models.SmallIntegerField(default=0)
    value_a = models.IntegerField(default=0)
    dim_b = models.SmallIntegerField(default=0)
    value_b = models.IntegerField(default=0)
    periods = ArrayField(models.IntegerField(), default=list)
    measures = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "dim_a", "value_a", "dim_b", "value_b"], name="dashboard_slice_one_per_tenant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dim_a}={self.value_a},{self.dim_b}={self.value_b}"


class Memo(TenantOwnedModel):
    """The quarterly memo of one quarter: written from the data once the quarter closes, then edited and published
    in versions (``MemoVersion``)."""

    quarter_start = models.DateField()

    class Meta:
        ordering = ["-quarter_start"]
        constraints = [models.UniqueConstraint(fields=["tenant", "quarter_start"], name="memo_one_per_quarter")]

    def __str__(self) -> str:
        return f"Memo {self.quarter_start:%Y-%m}"


class MemoVersion(TenantOwnedModel):
    """One version of a memo: a draft (its lines may be removed and commentary added) until it is published, then
    frozen — its HTML and PDF (internal and partner-facing) are rendered once and kept as they were."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    lines = models.JSONField(default=list, help_text="The memo's lines: section, text, owner, timeline, evidence.")
    commentary = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        "partnerhub.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_by = models.ForeignKey(
        "partnerhub.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    html = models.TextField(blank=True, default="")
    partner_html = models.TextField(blank=True, default="")
    pdf = models.BinaryField(null=True, blank=True)
    partner_pdf = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["memo", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "memo", "number"], name="memo_version_number"),
            models.UniqueConstraint(
                fields=["tenant", "memo"], condition=models.Q(status="draft"), name="memo_one_draft"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="memo_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.memo} v{self.number} ({self.status})"


class DigestSubscription(TenantOwnedModel):
    """A member's choice about the digest (no row: monthly, the default)."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every quarter"
        OFF = "off", "Never"

    membership = models.ForeignKey("partnerhub.Membership", on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "membership"], name="digest_subscription_one_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.frequency}"


class DigestDelivery(TenantOwnedModel):
    """One digest sent to one member in one month (the month it was sent in): at most one, whatever runs twice. Its
    content is kept, so the in-app digest shows what was sent."""

    membership = models.ForeignKey("partnerhub.Membership", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month the digest was sent in.")
    period = models.CharField(max_length=8, default="month")  # what it covers: the previous month, or quarter
    period_start = models.DateField()
    content = models.JSONField(default=dict)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "membership", "month"], name="digest_once_per_member_month")
        ]

    def __str__(self) -> str:
        return f"Digest {self.month:%Y-%m} for {self.membership_id}"


class Concern(TenantOwnedModel):
    """A confidential concern raised to the program's admins: only they and the sender see it, never a scorecard or a
    review. The sender may ask not to be named to the manager who owns the partner (when that manager is an admin)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_REVIEW = "in_review", "Being looked into"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    raised_by = models.ForeignKey("partnerhub.Membership", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        "partnerhub.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=200)
    anonymous_to_owner = models.BooleanField(
        default=False, help_text="Do not name me to the manager who owns the partner."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "raised_by"]), models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return f"Concern {self.pk}"


class ConcernMessage(TenantOwnedModel):
    """One message of a concern's thread: the concern itself first, then replies from admins and the sender."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("partnerhub.Membership", on_delete=models.PROTECT, related_name="+")
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message {self.pk} on {self.concern_id}"


class ReviewFeedback(TenantOwnedModel):
    """A partner attendee's view of a signed-off review: was it useful, fair, well prepared (1 to 5 each), and a
    comment. Feeds the review-quality figure per moderator and cadence."""

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey("partnerhub.Membership", on_delete=models.CASCADE, related_name="+")
    useful = models.PositiveSmallIntegerField()
    fair = models.PositiveSmallIntegerField()
    prepared = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "review", "respondent"], name="feedback_once_per_review"),
            models.CheckConstraint(
                condition=models.Q(useful__range=(1, 5), fair__range=(1, 5), prepared__range=(1, 5)),
                name="feedback_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.review_id} by {self.respondent_id}"


class ChangeNotice(TenantOwnedModel):
    """A change to how partners are measured or rewarded (a scorecard template version, a tier framework version, a
    cadence), announced before it takes effect: what changes and why, its impact (the what-if, attached when the
    notice is drafted), a sponsor and a decision window. Once published, the partners it affects read it in the
    portal, each with their own figures only."""

    class Kind(models.TextChoices):
        TEMPLATE = "template", "Scorecard template version"
        TIER_FRAMEWORK = "tier_framework", "Tier framework version"
        CADENCE = "cadence", "Review cadence"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEMPLATE)
    # What the notice announces, by kind: a draft template version, a draft tier framework version, or a cadence's
    # next revision (the change to the cadence that publishing this notice allows; see docs/executive.md).
    template_version = models.ForeignKey(
        "scorecards.TemplateVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    framework_version = models.ForeignKey(
        "recognition.FrameworkVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cadence = models.ForeignKey("reviews.Cadence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    cadence_revision = models.PositiveIntegerField(
        null=True, blank=True, help_text="The cadence's revision once the change is made (its revision now + 1)."
    )
    title = models.CharField(max_length=200)
    what_changed = models.TextField()
    why = models.TextField()
    sponsor = models.ForeignKey(
        "partnerhub.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_opens = models.DateField(null=True, blank=True)
    decision_closes = models.DateField(null=True, blank=True)
    impact = models.JSONField(default=dict, blank=True, help_text="The what-if of the change, as attached.")
    affected_partner_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "partnerhub.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision_opens__isnull=True)
                | models.Q(decision_closes__isnull=True)
                | models.Q(decision_opens__lte=models.F("decision_closes")),
                name="change_notice_window_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(cadence__isnull=True) | models.Q(cadence_revision__isnull=False),
                name="change_notice_cadence_has_revision",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GovernanceSettings(TenantOwnedModel):
    """How the program governs itself (one row per program, created on first use)."""

    meta_review_months = models.PositiveSmallIntegerField(
        default=12, help_text="How often the framework itself (metrics, weights, targets, tiers, cadences) is reviewed."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="governance_settings_one_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(meta_review_months__gte=1, meta_review_months__lte=36),
                name="governance_meta_review_1_to_36_months",
            ),
        ]

    def __str__(self) -> str:
        return f"Governance of {self.tenant_id}"


class FrameworkReview(TenantOwnedModel):
    """A scheduled review of the framework itself, with a checklist built from the data, comments from the program's
    people and invited partner representatives, and an outcome that links to the versions it caused."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    checklist = models.JSONField(default=list, help_text="What the data says to look at: key, text, kind.")
    invited_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    outcome = models.TextField(blank=True, default="")
    caused_version_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=~models.Q(status="completed"),
                name="framework_review_one_open_per_tenant",
            )
        ]

    def __str__(self) -> str:
        return f"Framework review due {self.due_on}"


class FrameworkReviewComment(TenantOwnedModel):
    review = models.ForeignKey(FrameworkReview, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("partnerhub.Membership", on_delete=models.PROTECT, related_name="+")
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.review_id}"
