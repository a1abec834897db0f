"""The calendar's filters (owner, kind, partner) and the month or start date it shows."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms

from partnerhub.core.models import Tenant
from reviews.models import Cadence
from reviews.selectors.calendar import CalendarFilters, calendar_owner_choices

MAX_LIST_WEEKS = 26
DEFAULT_LIST_WEEKS = 8


def _valid_data(form: forms.Form) -> dict[str, Any]:
    """The fields that validated (an unbound form has none)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


class CalendarFilterForm(forms.Form):
    owner = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Moderator", choices=[("", "Anyone")]
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Cadence.Kind.choices])
    partner = forms.CharField(required=False, max_length=200, label="Partner name")

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [
            ("", "Anyone"),
            *[(m.pk, str(m.user)) for m in calendar_owner_choices(tenant=tenant)],
        ]

    def to_filters(self) -> CalendarFilters:
        # An invalid value (a stale owner id, say) drops that filter only and shows its error; the rest still apply.
        data = _valid_data(self)
        return CalendarFilters(
            owner=data.get("owner"), kind=data.get("kind") or "", partner=(data.get("partner") or "").strip()
        )


class MonthForm(forms.Form):
    month = forms.RegexField(
        regex=r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": "Give the month as YYYY-MM, e.g. 2026-10."},
    )

    def month_start(self, today: date) -> date:
        value = _valid_data(self).get("month")
        if value:
            year, month = value.split("-")
            return date(int(year), int(month), 1)
        return today.replace(day=1)


class WeeksForm(forms.Form):
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD")
    weeks = forms.IntegerField(required=False, min_value=1, max_value=MAX_LIST_WEEKS)

    def clean_start(self) -> date | None:
        start: date | None = self.cleaned_data.get("start")
        if start is not None and not 1900 <= start.year <= 2999:
            raise forms.ValidationError("Give a date between 1900 and 2999.")
        return start

    def window(self, today: date) -> tuple[date, int]:
        # An invalid value falls back to its default and shows its error.
        data = _valid_data(self)
        return data.get("start") or today, data.get("weeks") or DEFAULT_LIST_WEEKS
