"""Forms of the tier pages: a tier's benefits, the framework editor (criteria per tier, grace), publishing, the
recommendation queue's filters and decisions, a manager's exception. Every choice of an object is limited to the
program's own (another program's id is an invalid choice: a 400 that writes nothing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms

from partnerhub.core.domain.periods import quarter_label
from partnerhub.core.models import Membership, Partner, Role, Tenant
from recognition.domain.tiers import MAX_GRACE, MAX_TENURE_MONTHS, MAX_WINDOW
from recognition.models import Move, Tier, TierCriteria, TierRecommendation
from recognition.selectors.tiers import RecommendationFilters, recommendation_quarters, tier_list
from recognition.services.tiers import TIER_FIELDS, CriteriaInput, MetricInput
from scorecards.selectors.glossary import metric_list

METRIC_ROWS = 3  # required-metric rows offered per tier in the editor


def _plain(value: Decimal | None) -> str | None:
    """A stored decimal as a person typed it: 85, not 85.00; 4.2, not 4.2000."""
    return None if value is None else format(value.normalize(), "f")


class TierForm(forms.Form):
    key = forms.SlugField(
        max_length=12, help_text="Stored on each partner; letters, digits, - and _ (it never changes)."
    )
    name = forms.CharField(max_length=60)
    rank = forms.IntegerField(
        min_value=1, max_value=99, help_text="1 is the entry tier; higher ranks are higher tiers."
    )
    mdf_share_pct = forms.DecimalField(label="MDF share (%)", min_value=0, max_value=100, decimal_places=2, initial=0)
    discount_pct = forms.DecimalField(
        label="Partner discount (%)", min_value=0, max_value=100, decimal_places=2, initial=0
    )
    enablement = forms.CharField(max_length=200, required=False)
    support = forms.CharField(max_length=200, required=False)
    beta_access = forms.BooleanField(required=False)
    executive_sponsor = forms.BooleanField(required=False, label="Named executive sponsor")
    other_benefits = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, tier: Tier | None = None, **kwargs: Any) -> None:
        if tier is not None:
            kwargs.setdefault(
                "initial",
                {f: getattr(tier, f) for f in ("key", *TIER_FIELDS)},
            )
        super().__init__(*args, **kwargs)
        if tier is not None:
            del self.fields["key"]


class FrameworkForm(forms.Form):
    """The draft's grace settings and, per tier, its criteria (fields named ``t<tier id>_...``)."""

    grace_quarters = forms.IntegerField(
        min_value=0,
        max_value=MAX_GRACE,
        label="Grace period (quarters)",
        help_text="Quarters a partner may miss its tier's criteria, with a warning, before a demotion is proposed.",
    )
    grace_visible_to_partner = forms.BooleanField(
        required=False, label="Show the compliance-risk warning to the partner in its portal"
    )

    def __init__(self, *args: Any, tenant: Tenant, version: Any, criteria: list[TierCriteria], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tiers = list(tier_list(tenant=tenant))
        metrics = list(metric_list(tenant=tenant))
        self.metric_choices = metrics
        existing = {c.tier_id: c for c in criteria}
        self.fields["grace_quarters"].initial = version.grace_quarters
        self.fields["grace_visible_to_partner"].initial = version.grace_visible_to_partner
        self.tier_rows: list[dict[str, Any]] = []
        for tier in self.tiers:
            c = existing.get(tier.pk)
            prefix = f"t{tier.pk}"
            self.fields[f"{prefix}_min_score"] = forms.DecimalField(
                required=False,
                decimal_places=2,
                label=f"{tier.name}: minimum score",
                initial=_plain(c.min_score) if c else None,
                help_text="0 to 100; empty: no score criterion.",
            )
            self.fields[f"{prefix}_required"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=MAX_WINDOW,
                label="in at least",
                initial=c.quarters_required if c else 1,
            )
            self.fields[f"{prefix}_window"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=MAX_WINDOW,
                label="of the last (quarters)",
                initial=c.quarters_window if c else 1,
            )
            self.fields[f"{prefix}_tenure"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=MAX_TENURE_MONTHS,
                label="Minimum tenure (months)",
                initial=c.min_tenure_months if c else None,
            )
            required = list(c.metrics.all()) if c else []
            metric_rows = []
            for i in range(METRIC_ROWS):
                req = required[i] if i < len(required) else None
                self.fields[f"{prefix}_m{i}_metric"] = forms.ModelChoiceField(
                    queryset=metric_list(tenant=tenant),
                    required=False,
                    label="Required metric",
                    initial=req.metric_id if req else None,
                    empty_label="—",
                )
                self.fields[f"{prefix}_m{i}_threshold"] = forms.DecimalField(
                    required=False, decimal_places=4, label="threshold", initial=_plain(req.threshold) if req else None
                )
                metric_rows.append((self[f"{prefix}_m{i}_metric"], self[f"{prefix}_m{i}_threshold"]))
            self.tier_rows.append(
                {
                    "tier": tier,
                    "min_score": self[f"{prefix}_min_score"],
                    "required": self[f"{prefix}_required"],
                    "window": self[f"{prefix}_window"],
                    "tenure": self[f"{prefix}_tenure"],
                    "fields": [self[f"{prefix}_{n}"] for n in ("min_score", "required", "window", "tenure")],
                    "metrics": metric_rows,
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for tier in self.tiers:
            for i in range(METRIC_ROWS):
                metric = data.get(f"t{tier.pk}_m{i}_metric")
                threshold = data.get(f"t{tier.pk}_m{i}_threshold")
                if metric is not None and threshold is None:
                    self.add_error(f"t{tier.pk}_m{i}_threshold", "Give the metric's threshold.")
                if metric is None and threshold is not None:
                    self.add_error(f"t{tier.pk}_m{i}_metric", "Choose the metric this threshold is for.")
        return data

    def criteria(self) -> list[CriteriaInput]:
        data = self.cleaned_data
        out = []
        for tier in self.tiers:
            p = f"t{tier.pk}"
            score = data.get(f"{p}_min_score")
            metrics = tuple(
                MetricInput(metric=data[f"{p}_m{i}_metric"], threshold=Decimal(data[f"{p}_m{i}_threshold"]))
                for i in range(METRIC_ROWS)
                if data.get(f"{p}_m{i}_metric") is not None and data.get(f"{p}_m{i}_threshold") is not None
            )
            out.append(
                CriteriaInput(
                    tier=tier,
                    min_score=score,
                    quarters_required=data.get(f"{p}_required") or 1,
                    quarters_window=data.get(f"{p}_window") or 1,
                    min_tenure_months=data.get(f"{p}_tenure") or None,
                    metrics=metrics,
                )
            )
        return out


class PublishForm(forms.Form):
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the framework changes: kept with the version."
    )
    effective_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The version is in force for every quarter ending on or after this day.",
    )


_BLANK = [("", "Any")]


class RecommendationFilterForm(forms.Form):
    quarter = forms.TypedChoiceField(required=False, coerce=date.fromisoformat, empty_value=None)
    move = forms.ChoiceField(required=False, choices=[*_BLANK, *Move.choices])
    status = forms.ChoiceField(
        required=False, choices=[("all", "Any"), *TierRecommendation.Status.choices], initial="pending"
    )
    partner_type = forms.ChoiceField(required=False, label="Type", choices=[*_BLANK, *Partner.Type.choices])
    stage = forms.ChoiceField(required=False, label="Lifecycle stage", choices=[*_BLANK, *Partner.Stage.choices])
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, empty_label="Any")

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quarters = recommendation_quarters(tenant=tenant)
        cast(forms.TypedChoiceField, self.fields["quarter"]).choices = [
            (q.isoformat(), quarter_label(q)) for q in quarters
        ]
        self.default_quarter = quarters[0] if quarters else None
        cast("forms.ModelChoiceField[Any]", self.fields["owner"]).queryset = (
            Membership.objects.for_tenant(tenant)
            .filter(role__in=[Role.MANAGER, Role.ADMIN], is_active=True)
            .select_related("user")
            .order_by("user__first_name", "user__email")
        )

    def to_filters(self) -> RecommendationFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        status = data.get("status") or "pending"
        owner = data.get("owner")
        return RecommendationFilters(
            quarter=data.get("quarter") or self.default_quarter,
            move=data.get("move", ""),
            status="" if status == "all" else status,
            partner_type=data.get("partner_type", ""),
            stage=data.get("stage", ""),
            owner=owner.pk if owner is not None else None,
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="A rejection needs a reason; it is kept with the recommendation.",
    )
    effective_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When an approved move takes effect (default: today).",
    )


class BulkDecisionForm(DecisionForm):
    recommendation = forms.ModelMultipleChoiceField(queryset=TierRecommendation.objects.none())

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelMultipleChoiceField[Any]", self.fields["recommendation"]
        ).queryset = TierRecommendation.objects.for_tenant(tenant)
        self.fields["recommendation"].error_messages["invalid_choice"] = (
            "A recommendation named is not one of this program's."
        )


class ExceptionForm(forms.Form):
    to_tier = forms.ModelChoiceField(queryset=Tier.objects.none(), label="Proposed tier", empty_label=None)
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why this partner should be an exception to the framework; an executive decides.",
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["to_tier"]).queryset = tier_list(tenant=tenant)
