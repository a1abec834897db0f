"""What each import kind accepts: our fields, their types, the CRM headers they are usually called, and natural keys."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from scorecards.models import Activity, Deal, ImportBatch, Observation, SurveyResponse

# Field types understood by ``scorecards.domain.import_values``.
TEXT = "text"
PARTNER = "partner"
METRIC = "metric"
DEAL = "deal"
CHOICE = "choice"
DECIMAL = "decimal"
PERCENT = "percent"
INTEGER = "integer"
BOOLEAN = "boolean"
DATE = "date"
MONTH = "month"
CURRENCY = "currency"


@dataclass(frozen=True)
class FieldSpec:
    """One field a file may provide. ``name`` is the key of a mapping and of an API row."""

    name: str
    label: str
    required: bool
    help: str
    type: str = TEXT
    synonyms: tuple[str, ...] = ()
    # Headers that match only when no better header is in the file (e.g. "Opportunity Name" as a deal's id).
    fallback_synonyms: tuple[str, ...] = ()
    max_length: int | None = None
    # Stored value -> the words a file may use for it (the value and its label are always accepted).
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    decimal_places: int = 0
    max_digits: int = 0
    model_field: str = ""  # the model's attribute; defaults to ``name`` (``<name>_id`` for references)

    @property
    def attname(self) -> str:
        if self.model_field:
            return self.model_field
        return f"{self.name}_id" if self.type in (PARTNER, METRIC, DEAL) else self.name


@dataclass(frozen=True)
class KindSpec:
    """An import kind: its model, its fields, and the natural key that makes a re-import an update."""

    kind: str
    model: type[models.Model]
    fields: tuple[FieldSpec, ...]
    natural_key: tuple[str, ...]  # model attnames, in the order of the unique constraint

    def spec(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def compared(self) -> tuple[str, ...]:
        """The attnames compared with the stored row: every field's, in field order, but the natural key's."""
        return tuple(f.attname for f in self.fields if f.attname not in self.natural_key)

    @property
    def unique_fields(self) -> list[str]:
        """The conflict target for an upsert: the tenant plus the natural key (as field names)."""
        by_attname = {f.attname: f.name for f in self.model._meta.concrete_fields}
        return ["tenant", *(by_attname[attname] for attname in self.natural_key)]


PARTNER_SYNONYMS = (
    "Partner",
    "Partner Name",
    "Partner Account",
    "Partner Account Name",
    "Partner Account ID",
    "Partner ID",
    "Partner External ID",
    "Channel Partner",
    "Reseller",
    "Partner Company",
)


def _partner(help_text: str = "The partner's external id (as in your CRM) or its name.") -> FieldSpec:
    return FieldSpec("partner", "Partner", True, help_text, type=PARTNER, synonyms=PARTNER_SYNONYMS)


def _pct(value: int) -> Decimal:
    return Decimal(value)


OBSERVATIONS = KindSpec(
    kind=ImportBatch.Kind.OBSERVATIONS,
    model=Observation,
    fields=(
        _partner(),
        FieldSpec(
            "metric",
            "Metric",
            True,
            "The metric's key or name, as in the glossary.",
            type=METRIC,
            synonyms=("Metric", "Metric Key", "Metric Name", "KPI", "Measure", "Indicator"),
        ),
        FieldSpec(
            "month",
            "Month",
            True,
            'Any date in the month, or "2024-03", "03/2024", "Mar 2024".',
            type=MONTH,
            synonyms=("Month", "Period", "Reporting Month", "Date", "Reporting Period", "Month Start"),
        ),
        FieldSpec(
            "value",
            "Value",
            True,
            'A number; "1,234.50", "1.234,50", "$1,234", "12%" are understood.',
            type=DECIMAL,
            synonyms=("Value", "Actual", "Amount", "Result", "Reported Value", "Figure"),
            max_digits=18,
            decimal_places=4,
        ),
    ),
    natural_key=("partner_id", "metric_id", "month"),
)

DEALS = KindSpec(
    kind=ImportBatch.Kind.DEALS,
    model=Deal,
    fields=(
        FieldSpec(
            "external_id",
            "Deal id",
            True,
            "The deal's id in your CRM: importing it again updates the same deal.",
            synonyms=("Opportunity ID", "Deal ID", "Record ID", "Opportunity Number", "External ID", "ID", "Deal Id"),
            fallback_synonyms=("Opportunity Name", "Deal Name", "Opportunity", "Deal"),
            max_length=100,
        ),
        _partner(),
        FieldSpec(
            "account_name",
            "Account",
            False,
            "The end customer.",
            synonyms=("Account Name", "Account", "Customer", "Customer Name", "End Customer", "Associated Company"),
            max_length=200,
        ),
        FieldSpec(
            "stage",
            "Stage",
            False,
            'The CRM stage, e.g. "Negotiation" or "Closed Won".',
            synonyms=("Stage", "Deal Stage", "Opportunity Stage", "Sales Stage", "Pipeline Stage"),
            max_length=60,
        ),
        FieldSpec(
            "amount",
            "Amount",
            True,
            'The deal value; "$1,234.50", "€ 1.234,50", "1 234,50 EUR" are understood.',
            type=DECIMAL,
            synonyms=("Amount", "Deal Amount", "Opportunity Amount", "Total Amount", "Deal Value", "Value", "ACV"),
            min_value=Decimal(0),
            max_digits=16,
            decimal_places=2,
        ),
        FieldSpec(
            "currency",
            "Currency",
            False,
            "ISO code (USD, EUR…); when empty, taken from the amount's symbol or code, else USD.",
            type=CURRENCY,
            synonyms=("Currency", "Currency Code", "Opportunity Currency", "Deal Currency", "Amount Currency"),
        ),
        FieldSpec(
            "probability",
            "Probability %",
            False,
            'Win probability, 0 to 100 ("40" or "40%").',
            type=PERCENT,
            synonyms=("Probability", "Probability (%)", "Deal Probability", "Win Probability", "Probability %"),
            min_value=_pct(0),
            max_value=_pct(100),
        ),
        FieldSpec(
            "created_on",
            "Created on",
            True,
            "When the deal was created.",
            type=DATE,
            synonyms=("Created Date", "Create Date", "Created", "Created On", "Date Created", "Opportunity Created"),
        ),
        FieldSpec(
            "close_date",
            "Close date",
            False,
            "Expected or actual close date.",
            type=DATE,
            synonyms=("Close Date", "Closed Date", "Expected Close Date", "Closing Date", "Close"),
        ),
        FieldSpec(
            "status",
            "Won / lost",
            False,
            'open, won or lost ("Closed Won" works); when empty, read from the stage.',
            type=CHOICE,
            synonyms=("Status", "Won/Lost", "Deal Status", "Outcome", "Result", "Won Lost"),
            choices=(
                (Deal.Status.OPEN, ("open", "in progress", "active", "pending")),
                (Deal.Status.WON, ("won", "closed won", "closed/won", "win", "closed-won")),
                (Deal.Status.LOST, ("lost", "closed lost", "closed/lost", "loss", "closed-lost")),
            ),
        ),
        FieldSpec(
            "discount_pct",
            "Discount %",
            False,
            'Discount off list price, 0 to 100 ("12.5" or "12.5%").',
            type=PERCENT,
            synonyms=("Discount", "Discount %", "Discount (%)", "Discount Percent", "Discount Percentage"),
            min_value=_pct(0),
            max_value=_pct(100),
            max_digits=5,
            decimal_places=2,
        ),
        FieldSpec(
            "term_months",
            "Term (months)",
            False,
            "Contract term in months.",
            type=INTEGER,
            synonyms=("Term", "Contract Term", "Term (months)", "Contract Term (Months)", "Contract Length"),
            min_value=Decimal(0),
            max_value=Decimal(32767),
        ),
        FieldSpec(
            "is_renewal",
            "Renewal",
            False,
            "yes/no, true/false, 1/0 or x.",
            type=BOOLEAN,
            synonyms=("Renewal", "Is Renewal", "Renewal?", "Renewal Flag"),
        ),
        FieldSpec(
            "registered_on",
            "Registered on",
            False,
            "Deal-registration date.",
            type=DATE,
            synonyms=("Registration Date", "Registered On", "Deal Registration Date", "Registered"),
        ),
        FieldSpec(
            "registration_status",
            "Registration status",
            False,
            "approved, rejected or pending (empty: not registered).",
            type=CHOICE,
            synonyms=("Registration Status", "Deal Registration Status", "Reg Status"),
            choices=(
                (Deal.Registration.PENDING, ("pending", "submitted", "in review", "under review")),
                (Deal.Registration.APPROVED, ("approved", "accepted")),
                (Deal.Registration.REJECTED, ("rejected", "declined", "denied")),
            ),
        ),
        FieldSpec(
            "registration_expires_on",
            "Registration expires",
            False,
            "When the registration lapses.",
            type=DATE,
            synonyms=("Registration Expiry", "Registration Expiration Date", "Registration Expires", "Expiry Date"),
        ),
    ),
    natural_key=("external_id",),
)

ACTIVITIES = KindSpec(
    kind=ImportBatch.Kind.ACTIVITIES,
    model=Activity,
    fields=(
        _partner(),
        FieldSpec(
            "kind",
            "Kind",
            True,
            "webinar, co-sell campaign, integration milestone, training or certification.",
            type=CHOICE,
            synonyms=("Kind", "Type", "Activity Type", "Category", "Engagement Type"),
            choices=(
                (Activity.Kind.WEBINAR, ("webinar", "webinars", "web seminar", "event")),
                (
                    Activity.Kind.CO_SELL,
                    ("co-sell", "cosell", "co sell", "campaign", "co-sell campaign", "joint campaign"),
                ),
                (Activity.Kind.INTEGRATION, ("integration", "integration milestone", "milestone")),
                (Activity.Kind.TRAINING, ("training", "enablement", "workshop")),
                (Activity.Kind.CERTIFICATION, ("certification", "certificate", "certified")),
            ),
        ),
        FieldSpec(
            "title",
            "Title",
            True,
            "What it was called.",
            synonyms=("Title", "Name", "Activity", "Activity Name", "Subject", "Campaign Name", "Event Name"),
            max_length=200,
        ),
        FieldSpec(
            "date",
            "Date",
            True,
            "When it took place.",
            type=DATE,
            synonyms=("Date", "Activity Date", "Event Date", "Start Date", "Completed On"),
        ),
        FieldSpec(
            "outcome",
            "Outcome",
            False,
            "What came of it.",
            synonyms=("Outcome", "Result", "Notes", "Description", "Summary"),
        ),
        FieldSpec(
            "attendees",
            "Attendees",
            False,
            "How many took part.",
            type=INTEGER,
            synonyms=("Attendees", "Participants", "Attendance", "Registrants"),
            min_value=Decimal(0),
            max_value=Decimal(2**31 - 1),
        ),
        FieldSpec(
            "leads",
            "Leads",
            False,
            "Leads produced.",
            type=INTEGER,
            synonyms=("Leads", "Leads Generated", "MQLs", "Leads Produced"),
            min_value=Decimal(0),
            max_value=Decimal(2**31 - 1),
        ),
    ),
    natural_key=("partner_id", "kind", "date", "title"),
)

SURVEYS = KindSpec(
    kind=ImportBatch.Kind.SURVEYS,
    model=SurveyResponse,
    fields=(
        _partner(),
        FieldSpec(
            "survey",
            "Survey",
            True,
            "csat, partner sentiment or collaboration quality.",
            type=CHOICE,
            synonyms=("Survey", "Survey Type", "Survey Name", "Questionnaire"),
            choices=(
                (SurveyResponse.Survey.CSAT, ("csat", "customer satisfaction", "customer csat", "satisfaction")),
                (SurveyResponse.Survey.SENTIMENT, ("partner sentiment", "sentiment", "partner satisfaction")),
                (
                    SurveyResponse.Survey.COLLABORATION,
                    ("collaboration quality", "collaboration", "collaboration health"),
                ),
            ),
        ),
        FieldSpec(
            "respondent_type",
            "Respondent type",
            False,
            "customer, partner or internal; when empty, read from the survey (CSAT: customer, sentiment: partner, "
            "collaboration: internal).",
            type=CHOICE,
            synonyms=("Respondent Type", "Respondent Role", "Audience"),
            choices=(
                (SurveyResponse.Respondent.CUSTOMER, ("customer", "client", "end customer")),
                (SurveyResponse.Respondent.PARTNER, ("partner", "partner user")),
                (SurveyResponse.Respondent.INTERNAL, ("internal", "internal team", "employee", "vendor")),
            ),
        ),
        FieldSpec(
            "respondent",
            "Respondent",
            True,
            "Who answered (an email or account); emails are compared in lower case.",
            synonyms=("Respondent", "Respondent Email", "Email", "Contact", "Contact Email", "Submitted By"),
            max_length=200,
        ),
        FieldSpec(
            "account_name",
            "Account",
            False,
            "The customer account the answer is about.",
            synonyms=("Account", "Account Name", "Customer", "Company"),
            max_length=200,
        ),
        FieldSpec(
            "deal",
            "Deal id",
            False,
            "The deal the answer is about (its CRM id); it must be imported already.",
            type=DEAL,
            synonyms=("Deal", "Deal ID", "Opportunity ID", "Opportunity"),
        ),
        FieldSpec(
            "date",
            "Date",
            True,
            "When the answer was given.",
            type=DATE,
            synonyms=("Date", "Response Date", "Submitted", "Submitted At", "Submitted On", "Answered On"),
        ),
        FieldSpec(
            "score",
            "Score",
            True,
            "The answer's score, from 0 to the scale's maximum.",
            type=DECIMAL,
            synonyms=("Score", "Rating", "Answer", "CSAT Score", "Response"),
            min_value=Decimal(0),
            max_digits=7,
            decimal_places=2,
        ),
        FieldSpec(
            "scale_max",
            "Scale maximum",
            False,
            "The best possible score (default 5).",
            type=INTEGER,
            synonyms=("Scale", "Scale Max", "Max Score", "Out Of", "Scale Maximum"),
            min_value=Decimal(1),
            max_value=Decimal(32767),
        ),
        FieldSpec(
            "comment",
            "Comment",
            False,
            "Free text.",
            synonyms=("Comment", "Comments", "Feedback", "Verbatim", "Remarks"),
        ),
    ),
    natural_key=("partner_id", "survey", "respondent", "date"),
)

KINDS: dict[str, KindSpec] = {spec.kind: spec for spec in (OBSERVATIONS, DEALS, ACTIVITIES, SURVEYS)}


def kind_spec(kind: str) -> KindSpec | None:
    return KINDS.get(kind)
