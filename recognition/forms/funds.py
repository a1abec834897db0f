"""Forms of budgets, allocations, fund requests, claims and investments (the services validate again)."""

from __future__ import annotations

from typing import Any

from django import forms

from partnerhub.core.domain.ids import parse_id
from recognition.models import ActivityType, Budget, Investment
from recognition.selectors.allocation_tiers import tier_choices

DATE = forms.DateInput(attrs={"type": "date"})


def money_field(**kwargs: Any) -> forms.DecimalField:
    """An amount: at most 12 digits before the point, 2 after, not negative."""
    return forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, **kwargs)


class BudgetForm(forms.Form):
    name = forms.CharField(max_length=120, required=False, help_text="Empty: named after its kind and period.")
    kind = forms.ChoiceField(choices=Budget.Kind.choices)
    fiscal_year = forms.IntegerField(min_value=2000, max_value=2100, help_text="Named by the year it ends in.")
    fiscal_quarter = forms.TypedChoiceField(
        choices=[("", "Whole year"), ("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")],
        required=False,
        coerce=int,
        empty_value=None,
    )
    currency = forms.CharField(max_length=3)
    amount = money_field()
    claim_days = forms.IntegerField(min_value=1, max_value=365, initial=60, label="Claims due (days after)")


class BudgetAmountForm(forms.Form):
    amount = money_field()


class AllocationForm(forms.Form):
    partner = forms.IntegerField(widget=forms.Select)
    amount = money_field()
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, partners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].widget.choices = [("", "Choose a partner"), *partners]


class AllocationRuleForm(forms.Form):
    """Tier weights (one field per tier), how much performance counts, and the cap per partner."""

    performance = forms.DecimalField(
        min_value=0, max_value=1, initial=1, decimal_places=2, label="Performance weighting (0-1)"
    )
    cap = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2, label="Cap per partner")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defaults = {"platinum": 4, "gold": 3, "silver": 2, "registered": 1}
        for key, label in tier_choices():
            self.fields[f"tier_{key}"] = forms.DecimalField(
                min_value=0, max_value=100, decimal_places=2, initial=defaults.get(key, 1), label=f"{label} weight"
            )

    def tier_weights(self) -> dict[str, Any]:
        return {key: self.cleaned_data[f"tier_{key}"] for key, _ in tier_choices()}


class FundRequestForm(forms.Form):
    activity_type = forms.ChoiceField(choices=ActivityType.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    planned_start = forms.DateField(widget=DATE)
    planned_end = forms.DateField(widget=DATE)
    requested_amount = money_field()
    expected_leads = forms.IntegerField(min_value=0, initial=0, required=False)
    expected_pipeline = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0, initial=0, required=False)


class NewFundRequestForm(FundRequestForm):
    allocation = forms.IntegerField(widget=forms.Select, label="From allocation")

    def __init__(self, *args: Any, allocations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allocation"].widget.choices = [("", "Choose an allocation"), *allocations]
        self.order_fields(["allocation"])


class AnswerForm(FundRequestForm):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Your answer")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject"), ("ask_info", "Ask for more information")]
    )
    amount = money_field(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("partly_approve", "Approve part"), ("reject", "Reject")]
    )
    amount = money_field(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class BulkForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    note = forms.CharField(max_length=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is a valid choice here: the view fetches each one for the tenant (a foreign id is a 404).
        self.fields["ids"].valid_value = lambda value: parse_id(str(value)) is not None  # type: ignore[attr-defined]


class ClaimForm(forms.Form):
    amount = money_field(label="Actual spend")
    leads_reported = forms.IntegerField(min_value=0, initial=0, required=False, label="Leads")
    pipeline_reported = forms.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, initial=0, required=False, label="Pipeline"
    )
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PaymentForm(forms.Form):
    reference = forms.CharField(max_length=100, required=False, label="Payment reference")


class InvestmentForm(forms.Form):
    partner = forms.IntegerField(widget=forms.Select)
    kind = forms.ChoiceField(choices=[c for c in Investment.Kind.choices if c[0] != Investment.Kind.MDF])
    category = forms.ChoiceField(
        choices=[
            (c.value, c.label)
            for c in (
                Investment.Category.TRAINING_SEATS,
                Investment.Category.TECHNICAL_DAYS,
                Investment.Category.TRAINING,
                Investment.Category.DISCOUNT_UPLIFT,
                Investment.Category.PAYMENT_TERMS,
            )
        ]
    )
    title = forms.CharField(max_length=200)
    program = forms.CharField(max_length=120, required=False, help_text="Groups investments for a joint estimate.")
    value = money_field()
    currency = forms.CharField(max_length=3)
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, partners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].widget.choices = [("", "Choose a partner"), *partners]
