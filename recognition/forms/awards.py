"""Forms of the award pages: a category and its rule, a nomination, an executive's decision. Object choices are
limited to the program's own."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms

from partnerhub.core.domain.periods import add_months, quarter_label
from partnerhub.core.models import Partner, Tenant
from recognition.models import AwardCategory
from scorecards.selectors.glossary import metric_list
from scorecards.selectors.snapshot_series import latest_complete_quarter

QUARTERS_OFFERED = 8


def complete_quarters(tenant: Tenant) -> list[date]:
    """The latest complete quarters, newest first (the quarters an award may be for)."""
    latest = latest_complete_quarter(tenant=tenant)
    if latest is None:
        return []
    return [add_months(latest, -3 * i) for i in range(QUARTERS_OFFERED)]


class AwardCategoryForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    rule = forms.ChoiceField(choices=AwardCategory.Rule.choices, help_text="How candidates are proposed.")
    metric: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, help_text="For 'Highest value of a metric'.", empty_label="—"
    )
    min_responses = forms.IntegerField(min_value=1, max_value=1000, initial=5, label="Fewest CSAT responses")
    candidate_count = forms.IntegerField(min_value=1, max_value=20, initial=5, label="Candidates proposed")
    is_active = forms.BooleanField(required=False, initial=True, label="Awarded (active)")

    def __init__(self, *args: Any, tenant: Tenant, category: AwardCategory | None = None, **kwargs: Any) -> None:
        if category is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": category.name,
                    "description": category.description,
                    "rule": category.rule,
                    "metric": category.metric_id,
                    "min_responses": category.min_responses,
                    "candidate_count": category.candidate_count,
                    "is_active": category.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["metric"]).queryset = metric_list(tenant=tenant)


class NominationForm(forms.Form):
    category = forms.ModelChoiceField(queryset=AwardCategory.objects.none(), empty_label=None)
    quarter = forms.TypedChoiceField(coerce=date.fromisoformat)
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), empty_label=None)
    case = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="Why this partner: the value it delivered, in your words.",
    )
    evidence_links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Links to the evidence (a case study, a customer reference, a dashboard), one per line.",
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["category"]).queryset = (
            AwardCategory.objects.for_tenant(tenant).filter(is_active=True).order_by("name")
        )
        cast("forms.ModelChoiceField[Any]", self.fields["partner"]).queryset = Partner.objects.for_tenant(
            tenant
        ).order_by("name")
        cast(forms.TypedChoiceField, self.fields["quarter"]).choices = [
            (q.isoformat(), quarter_label(q)) for q in complete_quarters(tenant)
        ]

    def links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("evidence_links", "").splitlines() if line.strip()]


class NominationDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("award", "Award"), ("decline", "Decline")])
    citation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Shown on the recognition wall with the figures: required to award.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
