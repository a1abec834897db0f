"""The filters of the deals list (and of the activity and survey lists): they check the query; the selectors read."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from partnerhub.core.models import Tenant
from partnerhub.core.selectors.program import partner_list
from scorecards.models import Activity, Deal, SurveyResponse
from scorecards.selectors.deals import NOT_REGISTERED, DealFilters, deal_batches, deal_sources, deal_stages

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _partner_choices(tenant: Tenant, blank: str) -> list[tuple[Any, str]]:
    return [("", blank), *partner_list(tenant=tenant).values_list("pk", "name")]


class DealFilterForm(forms.Form):
    """``partner_fixed``: the per-partner list, where the partner is the page's and not a filter."""

    q = forms.CharField(required=False, label="Deal id or account", max_length=200)
    partner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=[("", "Any partner")])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Deal.Status.choices])
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage")])
    registration = forms.ChoiceField(
        required=False,
        label="Registration",
        choices=[
            ("", "Any registration"),
            *[(value or NOT_REGISTERED, label) for value, label in Deal.Registration.choices],
        ],
    )
    close_from = forms.DateField(required=False, label="Closing from", widget=DATE)
    close_to = forms.DateField(required=False, label="Closing until", widget=DATE)
    amount_min = forms.DecimalField(required=False, label="Amount at least", min_value=0, decimal_places=2)
    amount_max = forms.DecimalField(required=False, label="Amount at most", min_value=0, decimal_places=2)
    source = forms.ChoiceField(required=False, choices=[("", "Any source")])
    batch = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Import", choices=[("", "Any import")]
    )

    def __init__(self, *args: Any, tenant: Tenant, partner_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partner_fixed:
            del self.fields["partner"]
        else:
            cast(forms.ChoiceField, self.fields["partner"]).choices = _partner_choices(tenant, "Any partner")
        cast(forms.ChoiceField, self.fields["stage"]).choices = [
            ("", "Any stage"),
            *[(s, s) for s in deal_stages(tenant=tenant)],
        ]
        cast(forms.ChoiceField, self.fields["source"]).choices = [
            ("", "Any source"),
            *[(s, s) for s in deal_sources(tenant=tenant)],
        ]
        cast(forms.ChoiceField, self.fields["batch"]).choices = [("", "Any import"), *deal_batches(tenant=tenant)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "At most must not be below at least.")
        start, end = data.get("close_from"), data.get("close_to")
        if start is not None and end is not None and start > end:
            self.add_error("close_to", "The end must not be before the start.")
        return data

    def to_filters(self, *, partner_id: int | None = None) -> DealFilters:
        """The valid filters (an invalid one is dropped and shows its error; the rest still apply)."""
        if not self.is_bound:
            return DealFilters(partner=partner_id)
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k in DealFilters.__annotations__ and k not in self.errors}
        if partner_id is not None:
            data["partner"] = partner_id
        return DealFilters(**{k: v for k, v in data.items() if v not in (None, "")})


class ActivityFilterForm(forms.Form):
    partner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=[("", "Any partner")])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Activity.Kind.choices])
    date_from = forms.DateField(required=False, label="From", widget=DATE)
    date_to = forms.DateField(required=False, label="Until", widget=DATE)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["partner"]).choices = _partner_choices(tenant, "Any partner")

    def values(self) -> dict[str, Any]:
        """The valid filters, by name (an invalid one is dropped and shows its error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors and v not in (None, "")}


class SurveyFilterForm(ActivityFilterForm):
    kind = forms.ChoiceField(
        required=False, label="Survey", choices=[("", "Any survey"), *SurveyResponse.Survey.choices]
    )
