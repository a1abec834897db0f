"""Forms of the partner portal: the self-assessment, the forecast lines (a formset), an action item's status."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms

from reviews.models import ActionItem
from reviews.services.forecasts import (
    MAX_LINES,
    ForecastLineInput,
    expected_close_error,
    forecast_errors,
    forecast_line_errors,
)
from reviews.services.portal import PARTNER_STATUSES, SELF_ASSESSMENT_FIELDS, TEXT_MAX

# Suggested in the stage field (any text is accepted: partners use their own CRM's stages).
COMMON_STAGES = ("Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation", "Commit")


def _textarea(placeholder: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 4, "placeholder": placeholder})


class SelfAssessmentForm(forms.Form):
    wins = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        label="Wins",
        widget=_textarea("Deals won, launches, certifications, customer successes…"),
    )
    lessons = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        label="Lessons learned",
        widget=_textarea("What worked, what did not, what you would do differently…"),
    )
    needs = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        label="What you need from us",
        widget=_textarea("Enablement, co-marketing, technical help, introductions…"),
    )
    risks = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        label="Risks",
        widget=_textarea("Deals at risk, staffing changes, competition…"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(str(data.get(name) or "").strip() for name in SELF_ASSESSMENT_FIELDS):
            raise forms.ValidationError("Write at least one of your wins, lessons learned, needs or risks.")
        return data


class ForecastLineForm(forms.Form):
    opportunity = forms.CharField(max_length=200, label="Opportunity")
    deal_ref = forms.CharField(max_length=100, required=False, label="CRM id")
    stage = forms.CharField(
        max_length=60, label="Stage", widget=forms.TextInput(attrs={"list": "forecast-stages", "autocomplete": "off"})
    )
    amount = forms.DecimalField(min_value=0, max_digits=16, decimal_places=2, label="Amount")
    probability = forms.IntegerField(
        min_value=0,
        max_value=100,
        label="Probability %",
        error_messages={
            "min_value": "A probability is a percentage from 0 to 100.",
            "max_value": "A probability is a percentage from 0 to 100.",
        },
    )
    expected_close = forms.DateField(label="Expected close", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, quarter: date, **kwargs: Any) -> None:
        self.quarter = quarter
        super().__init__(*args, **kwargs)
        self.fields["amount"].error_messages["min_value"] = "The amount cannot be negative."
        for field in self.fields.values():
            # The rows are a table: the column header is the visible label, this one is for screen readers.
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean_expected_close(self) -> date:
        day: date = self.cleaned_data["expected_close"]
        problem = expected_close_error(day, quarter=self.quarter)
        if problem is not None:
            raise forms.ValidationError(problem)
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(name in data for name in ("opportunity", "stage", "amount", "probability", "expected_close")):
            # The service's own rules, so the page and the API refuse exactly the same lines.
            line = ForecastLineInput.from_mapping(data)
            for name, reasons in forecast_line_errors(line, quarter=self.quarter).items():
                for reason in reasons:
                    self.add_error(name, reason)
        return data

    def to_line(self) -> ForecastLineInput:
        return ForecastLineInput.from_mapping(self.cleaned_data)


# django-stubs makes this Django class generic, but it cannot be subscripted at runtime (no __class_getitem__):
# the type arguments are given to mypy only.
if TYPE_CHECKING:
    _ForecastLineBaseFormSet = forms.BaseFormSet[ForecastLineForm]
else:
    _ForecastLineBaseFormSet = forms.BaseFormSet


class BaseForecastFormSet(_ForecastLineBaseFormSet):
    """Every row may be left blank (blank rows are skipped) or ticked for removal; a bad row saves none."""

    def __init__(self, *args: Any, quarter: date, **kwargs: Any) -> None:
        self.quarter = quarter
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"quarter": self.quarter}

    def add_fields(self, form: ForecastLineForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove"
            form.fields["DELETE"].widget.attrs["aria-label"] = "Remove this line"

    def initial_form_count(self) -> int:
        # Saved lines are shown as initial rows, but a posted forecast replaces them all: no row is "initial".
        return 0 if self.is_bound else super().initial_form_count()

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = self.kept_forms()
        # Rules across rows (a CRM id named twice) are the service's; shown on the row that repeats it.
        for index, problems in forecast_errors([form.to_line() for form in kept], quarter=self.quarter).items():
            for name, reasons in problems.items():
                for reason in reasons:
                    kept[index].add_error(name, reason)

    def add_service_errors(self, errors: dict[Any, dict[str, list[str]]]) -> None:
        """Show the service's per-line errors (keyed by the index among kept rows) on their rows."""
        kept = self.kept_forms()
        for index, problems in errors.items():
            form = kept[int(index)] if 0 <= int(index) < len(kept) else None
            for name, reasons in problems.items():
                for reason in reasons:
                    if form is None:
                        self._non_form_errors = self.error_class([*self.non_form_errors(), reason])
                    else:
                        form.add_error(name if name in form.fields else None, reason)

    def lines(self) -> list[ForecastLineInput]:
        """The valid, non-blank, non-removed rows as service input (call after is_valid())."""
        return [form.to_line() for form in self.kept_forms()]

    def kept_forms(self) -> list[ForecastLineForm]:
        return [
            form
            for form in self.forms
            if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


# formset_factory(formset=X) returns a subclass of X (with the form set on it); django-stubs types it as a plain
# BaseFormSet, which does not take X's own arguments.
ForecastFormSet = cast(
    "type[BaseForecastFormSet]",
    forms.formset_factory(
        ForecastLineForm,
        formset=BaseForecastFormSet,
        extra=1,
        can_delete=True,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES,
    ),
)


def forecast_formset(
    data: Any = None, *, quarter: date, initial: list[dict[str, Any]] | None = None
) -> BaseForecastFormSet:
    """The forecast formset: bound to posted ``data``, or showing ``initial`` rows plus one blank row."""
    return ForecastFormSet(data, initial=initial, quarter=quarter)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, ActionItem.Status(s).label) for s in PARTNER_STATUSES])
    return_to = forms.ChoiceField(choices=[("review", "review"), ("list", "list")], required=False)
