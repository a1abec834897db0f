"""Partner data: the metric glossary, monthly observations, deals, joint activities, surveys, imports, data quality.

Every table here is tenant-owned (row-level security is applied to it after migrate like any other).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partnerhub.core.domain.periods import to_date_label, to_date_phrase
from partnerhub.core.models import Membership, Partner, TenantOwnedModel


class MetricDefinition(TenantOwnedModel):
    """One entry of the program's living glossary: what a metric means and how it is measured."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percent"
        CURRENCY = "currency", "Currency"
        DAYS = "days", "Days"
        SCORE = "score", "Score"
        HOURS = "hours", "Hours"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Timing(models.TextChoices):
        LEADING = "leading", "Leading"
        LAGGING = "lagging", "Lagging"

    class Category(models.TextChoices):
        PIPELINE = "pipeline", "Pipeline"
        DEAL_QUALITY = "deal_quality", "Deal quality"
        ENGAGEMENT = "engagement", "Engagement"
        CUSTOMER = "customer", "Customer"
        CAPABILITY = "capability", "Capability"
        COLLABORATION = "collaboration", "Collaboration"

    class Aggregation(models.TextChoices):
        SUM = "sum", "Sum of the months"
        AVERAGE = "average", "Average of months with data"
        LAST = "last", "Last month with data"

    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    definition = models.TextField(help_text="Plain-language meaning, as a partner would read it.")
    unit = models.CharField(max_length=12, choices=Unit.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    timing = models.CharField("leading or lagging", max_length=8, choices=Timing.choices)
    category = models.CharField(max_length=16, choices=Category.choices)
    aggregation = models.CharField(max_length=8, choices=Aggregation.choices)
    data_source = models.CharField(max_length=120, blank=True, default="")
    data_owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    derived_from_deals = models.BooleanField(default=False, help_text="Computed from deals, not imported.")
    freshness_days = models.PositiveIntegerField(default=45, help_text="Data older than this is stale.")

    class Meta:
        ordering = ["category", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="metric_key_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name


class ImportBatch(TenantOwnedModel):
    """One uploaded file (or API post) from preview to commit, and what it changed."""

    class Kind(models.TextChoices):
        OBSERVATIONS = "observations", "Monthly observations"
        DEALS = "deals", "Deals / opportunities"
        ACTIVITIES = "activities", "Joint engagement activities"
        SURVEYS = "surveys", "Survey responses"
        PARTNERS = "partners", "Partners"

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMMITTED = "committed", "Committed"
        FAILED = "failed", "Failed"
        ROLLED_BACK = "rolled_back", "Rolled back"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=60, default="upload", help_text="e.g. salesforce, hubspot, partner portal")
    file_name = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    mapping = models.JSONField(default=dict)
    # Choices made on the page beside the column mapping: units, the file's currency, value mapping, what to do
    # with likely duplicates and unknown partners (``scorecards.domain.import_options``).
    options = models.JSONField(default=dict, blank=True)
    # What the preview read and decided, for the page: skipped title/footer/total lines, units, currencies, the
    # distinct values of enumerated columns, likely duplicates, unknown partners, where the mapping came from.
    summary = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    committed_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"


class ImportMapping(TenantOwnedModel):
    """A saved column mapping (our field → the file's header) per import kind and source, suggested next time."""

    kind = models.CharField(max_length=16, choices=ImportBatch.Kind.choices)
    source = models.CharField(max_length=60)
    columns = models.JSONField(default=dict)
    headers = models.JSONField(default=list)
    # Per field, the file's value -> ours ("closedwon" -> "won", "Renewal" -> true), reused with the columns.
    values = models.JSONField(default=dict, blank=True)
    # Units chosen per column and the file's currency, reused with the columns.
    options = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "kind", "source"], name="import_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.source}"


class ImportChange(TenantOwnedModel):
    """A row an import batch created or updated, with its previous values: the batch's history and its undo."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    model = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "model", "object_id"]), models.Index(fields=["tenant", "batch"])]

    def __str__(self) -> str:
        return f"{self.action} {self.model}#{self.object_id}"


class Observation(TenantOwnedModel):
    """A partner's value of one metric for one calendar month (``month`` is the first day of the month)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    metric = models.ForeignKey(MetricDefinition, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4)
    source = models.CharField(max_length=60, blank=True, default="")
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "metric", "month"], name="observation_natural_key"),
        ]
        indexes = [models.Index(fields=["tenant", "metric", "month"])]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.metric_id}/{self.month:%Y-%m}"


class Deal(TenantOwnedModel):
    """An opportunity registered or sold by a partner, as exported from the CRM."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    class Registration(models.TextChoices):
        NONE = "", "Not registered"
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    external_id = models.CharField(max_length=100)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    account_name = models.CharField(max_length=200, blank=True, default="")
    stage = models.CharField(max_length=60, blank=True, default="")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    probability = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    created_on = models.DateField()
    close_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.OPEN)
    discount_pct = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    is_renewal = models.BooleanField(default=False)
    registered_on = models.DateField(null=True, blank=True)
    registration_status = models.CharField(max_length=8, choices=Registration.choices, blank=True, default="")
    registration_expires_on = models.DateField(null=True, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "external_id"], name="deal_natural_key"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="deal_probability_0_100"),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "created_on"]),
            models.Index(fields=["tenant", "partner", "close_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} · {self.account_name}"


class DealAlias(TenantOwnedModel):
    """Another CRM's id for a deal: one deal with two external ids (linked when a second source exported it).

    An import row carrying the alias updates the deal it names; no deal has an alias as its own external id.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="aliases")
    external_id = models.CharField(max_length=100)
    source = models.CharField(max_length=60, blank=True, default="")
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "external_id"], name="deal_alias_unique")]

    def __str__(self) -> str:
        return f"{self.external_id} → deal {self.deal_id}"


class Activity(TenantOwnedModel):
    """A joint engagement: webinar, co-sell campaign, integration milestone, training or certification."""

    class Kind(models.TextChoices):
        WEBINAR = "webinar", "Webinar"
        CO_SELL = "co_sell", "Co-sell campaign"
        INTEGRATION = "integration", "Integration milestone"
        TRAINING = "training", "Training"
        CERTIFICATION = "certification", "Certification"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    title = models.CharField(max_length=200)
    date = models.DateField()
    outcome = models.TextField(blank=True, default="")
    attendees = models.PositiveIntegerField(default=0)
    leads = models.PositiveIntegerField(default=0)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "kind", "date", "title"], name="activity_natural_key"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyResponse(TenantOwnedModel):
    """One answer to a survey: customer CSAT (per deal or account), partner sentiment or collaboration quality."""

    class Survey(models.TextChoices):
        CSAT = "csat", "Customer satisfaction"
        SENTIMENT = "partner_sentiment", "Partner sentiment"
        COLLABORATION = "collaboration_quality", "Collaboration quality"

    class Respondent(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        PARTNER = "partner", "Partner"
        INTERNAL = "internal", "Internal team"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    survey = models.CharField(max_length=24, choices=Survey.choices)
    respondent_type = models.CharField(max_length=10, choices=Respondent.choices)
    respondent = models.CharField(max_length=200, help_text="Who answered (email or account).")
    account_name = models.CharField(max_length=200, blank=True, default="")
    deal = models.ForeignKey(Deal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    date = models.DateField()
    score = models.DecimalField(max_digits=7, decimal_places=2)
    scale_max = models.PositiveSmallIntegerField(default=5)
    comment = models.TextField(blank=True, default="")
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "survey", "respondent", "date"], name="survey_natural_key"
            ),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="survey_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.score}/{self.scale_max}"


class DataQualityFinding(TenantOwnedModel):
    """Why a partner's numbers may not be trusted for a period; open findings flag the scorecard."""

    class Kind(models.TextChoices):
        STALE = "stale", "Stale source"
        MISSING = "missing", "Missing metric"
        OUTLIER = "outlier", "Outlier against own history"
        RECONCILIATION = "reconciliation", "Reported vs deal-derived mismatch"
        DUPLICATE = "duplicate", "Likely duplicate deals"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    metric = models.ForeignKey(MetricDefinition, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    month = models.DateField(help_text="The period the finding touches (first day of the month).")
    detail = models.TextField()
    owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "metric", "kind", "month"],
                name="finding_natural_key",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "partner"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.detail}"


class ScorecardTemplate(TenantOwnedModel):
    """A scorecard for a segment (partner type x lifecycle stage); blank type/stage means "any"."""

    name = models.CharField(max_length=120)
    partner_type = models.CharField(max_length=12, choices=Partner.Type.choices, blank=True, default="")
    stage = models.CharField(max_length=12, choices=Partner.Stage.choices, blank=True, default="")
    is_default = models.BooleanField(default=False, help_text="Used for segments with no template of their own.")

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner_type", "stage"], name="template_one_per_segment"),
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(is_default=True), name="template_one_default_per_tenant"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(TenantOwnedModel):
    """One version of a template: draft until published with a rationale and an effective date."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    template = models.ForeignKey(ScorecardTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(null=True, blank=True)
    rationale = models.TextField(blank=True, default="")
    cap = models.DecimalField(max_digits=6, decimal_places=2, default=150)
    green_at = models.DecimalField("metric green at (attainment %)", max_digits=6, decimal_places=2, default=100)
    amber_at = models.DecimalField("metric amber at (attainment %)", max_digits=6, decimal_places=2, default=80)
    score_green_at = models.DecimalField(max_digits=6, decimal_places=2, default=80)
    score_amber_at = models.DecimalField(max_digits=6, decimal_places=2, default=60)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    published_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "template", "number"], name="template_version_number"),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(effective_from__isnull=False),
                name="active_version_has_effective_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class TemplateItem(TenantOwnedModel):
    """A weighted metric of a template version (weights of a version sum to exactly 100)."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="items")
    metric = models.ForeignKey(MetricDefinition, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    normalise = models.BooleanField(default=False, help_text="Divide the actual by the partner's size factor.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version", "metric"], name="template_item_metric_once"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="template_item_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} x {self.weight}"


class TargetRule(TenantOwnedModel):
    """A monthly target for an item; the most specific of tier+stage, tier, stage, default applies."""

    item = models.ForeignKey(TemplateItem, on_delete=models.CASCADE, related_name="targets")
    tier = models.CharField(max_length=12, choices=Partner.Tier.choices, blank=True, default="")
    stage = models.CharField(max_length=12, choices=Partner.Stage.choices, blank=True, default="")
    monthly_target = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "item", "tier", "stage"], name="target_rule_unique"),
            models.CheckConstraint(condition=models.Q(monthly_target__gt=0), name="target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.tier or '*'}/{self.stage or '*'} = {self.monthly_target}"


class ScorecardSnapshot(TenantOwnedModel):
    """A partner's scorecard for one month or quarter, precomputed in bulk; pages only read these.

    The per-metric rows are stored in ``items`` (one JSON list per snapshot) rather than one table row per
    metric: a full refresh writes one row per partner and period, and only the snapshots that changed.
    """

    class Period(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"

    class Rag(models.TextChoices):
        GREEN = "green", "Green"
        AMBER = "amber", "Amber"
        RED = "red", "Red"
        NONE = "", "No score"

    class Trend(models.TextChoices):
        IMPROVING = "improving", "Improving"
        STABLE = "stable", "Stable"
        DECLINING = "declining", "Declining"
        NOT_ENOUGH = "not_enough", "Not enough history"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    # 1 for a month; for a quarter, how many of its months count (3: complete; fewer: "quarter to date (k of 3
    # months)", scored against k months of summed targets, never the previous period of a change nor a trend point).
    months_covered = models.PositiveSmallIntegerField(default=3)
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True, default="")
    percentile = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    change_previous = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    change_baseline = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    trend = models.CharField(max_length=10, choices=Trend.choices, default=Trend.NOT_ENOUGH)
    trend_explanation = models.CharField(max_length=300, blank=True, default="")
    dq_flag = models.BooleanField(default=False)
    dq_reasons = models.JSONField(default=list, blank=True)
    items = models.JSONField(default=list)
    computed_at = models.DateTimeField()
    # A hash of every field above but the percentile: a refresh compares it and rewrites only the rows that changed.
    fingerprint = models.BigIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "period", "period_start"], name="snapshot_one_per_partner_period"
            ),
            models.CheckConstraint(
                condition=models.Q(months_covered__gte=1, months_covered__lte=3), name="snapshot_months_covered_1_to_3"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "period", "period_start", "score"])]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.period} {self.period_start:%Y-%m}"

    @property
    def is_to_date(self) -> bool:
        """A quarter of which fewer than three months count yet (or ever, for a partner that started mid-quarter)."""
        return self.period == self.Period.QUARTER and self.months_covered < 3

    @property
    def period_label(self) -> str:
        """How pages name the period: "March 2025", "Quarter starting January 2025", or, for a quarter to date,
        "Quarter starting October 2025, to date (2 of 3 months)"."""
        if self.period != self.Period.QUARTER:
            return f"{self.period_start:%B %Y}"
        label = f"Quarter starting {self.period_start:%B %Y}"
        return to_date_label(label, self.months_covered) if self.is_to_date else label

    @property
    def to_date_phrase(self) -> str:
        """'to date (2 of 3 months)' for a quarter to date (the wording every page, export and pre-read shares), else
        ''."""
        return to_date_phrase(self.months_covered) if self.is_to_date else ""


class SnapshotSource(TenantOwnedModel):
    """What a partner's stored snapshots were computed from: a digest of their inputs, so that a refresh skips the
    partners whose inputs have not changed (``scorecards.domain.input_digest``).

    One row per partner, written by the refresh alongside the snapshots (in bulk, like them, so not audited: both
    are derived from audited rows and rebuilt from them). ``program`` is the part every partner shares (templates,
    targets, metrics, the reference month, the engine's version); ``snapshots`` is how many snapshots were stored,
    so that snapshots removed by other means are noticed and rebuilt.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    digest = models.BigIntegerField()
    program = models.BigIntegerField()
    snapshots = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "partner"], name="snapshot_source_one_per_partner")]

    def __str__(self) -> str:
        return f"Inputs of {self.partner_id}'s snapshots"


class ScorecardSettings(TenantOwnedModel):
    """Program-wide scorecard settings (one row per tenant, created on first use)."""

    deal_review_threshold = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        default=50000,
        help_text="Deals of at least this amount are scored on the deal-quality rubric and queued for joint review.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="scorecard_settings_one_per_tenant")]
        verbose_name_plural = "scorecard settings"

    def __str__(self) -> str:
        return f"Scorecard settings of {self.tenant_id}"


class DealReview(TenantOwnedModel):
    """A large deal scored on the five-criterion rubric (1-5 each) and reviewed jointly with the partner."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="review")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    pricing_integrity = models.PositiveSmallIntegerField()
    discount_discipline = models.PositiveSmallIntegerField()
    contract_terms = models.PositiveSmallIntegerField()
    renewal_risk = models.PositiveSmallIntegerField()
    technical_risk = models.PositiveSmallIntegerField()
    quality = models.DecimalField(max_digits=3, decimal_places=2, help_text="Mean of the five criteria, 1 to 5.")
    status = models.CharField(max_length=18, choices=Status.choices, default=Status.QUEUED)
    reviewer = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    comment = models.TextField(blank=True, default="")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-quality"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    pricing_integrity__range=(1, 5),
                    discount_discipline__range=(1, 5),
                    contract_terms__range=(1, 5),
                    renewal_risk__range=(1, 5),
                    technical_risk__range=(1, 5),
                ),
                name="deal_review_scores_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"]), models.Index(fields=["tenant", "partner"])]

    def __str__(self) -> str:
        return f"Review of {self.deal_id}"


class ExchangeRate(TenantOwnedModel):
    """One unit of ``from_currency`` is worth ``rate`` units of ``to_currency`` from ``date`` on (until the next rate).

    Entered by an admin or imported through the API. A total in the program's reporting currency converts each amount
    at the rate in force on the amount's own date (the latest rate dated on or before it; the inverse pair's rate,
    inverted, when only that one exists); an amount with no rate in force is left out and said so, never added as if
    it were in the reporting currency.
    """

    from_currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3)
    date = models.DateField(help_text="The first day this rate applies.")
    rate = models.DecimalField(max_digits=18, decimal_places=8, help_text="Units of to_currency per from_currency.")
    source = models.CharField(max_length=60, blank=True, default="", help_text="e.g. ECB, treasury, entered")

    class Meta:
        ordering = ["from_currency", "to_currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "from_currency", "to_currency", "date"], name="rate_one_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="rate_positive"),
            models.CheckConstraint(
                condition=models.Q(from_currency__regex=r"^[A-Z]{3}$", to_currency__regex=r"^[A-Z]{3}$"),
                name="rate_currency_codes",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_currency=models.F("to_currency")), name="rate_two_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate} {self.to_currency} from {self.date:%Y-%m-%d}"
