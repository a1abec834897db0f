"""The dashboard's filters: the slice (type, tier, stage, region, market, product line, owner), the period and the
comparison. Choices come from the precomputed cube, so a value the program does not have is refused here, with the
field's message, before anything is read."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms

from partnerhub.core.models import Partner
from partnerhub.executive.domain.cube import DIMENSIONS
from partnerhub.executive.models import DashboardComputation
from partnerhub.executive.selectors.cube import NO_VALUE
from partnerhub.executive.selectors.dashboard import DashboardQuery

LABELS = {
    "partner_type": ("Type", "Any type", dict(Partner.Type.choices)),
    "tier": ("Tier", "Any tier", dict(Partner.Tier.choices)),
    "stage": ("Stage", "Any stage", dict(Partner.Stage.choices)),
    "region": ("Region", "Any region", dict(Partner.Region.choices)),
    "market": ("Market", "Any market", {}),
    "product_line": ("Product line", "Any product line", {}),
    "owner": ("Owner", "Any owner", {}),
}
GRANULARITY_CHOICES = [("month", "Month"), ("quarter", "Quarter"), ("year", "Fiscal year")]
COMPARE_CHOICES = [("previous", "Previous period"), ("year", "Same period last year")]


class DashboardFilterForm(forms.Form):
    granularity = forms.ChoiceField(label="Period", choices=GRANULARITY_CHOICES, required=False, initial="quarter")
    at = forms.DateField(label="Starting", required=False, widget=forms.Select)
    compare = forms.ChoiceField(label="Compare with", choices=COMPARE_CHOICES, required=False)

    def __init__(
        self,
        *args: Any,
        computation: DashboardComputation | None,
        owner_names: dict[Any, str],
        periods: list[tuple[date, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        dimensions = computation.dimensions if computation is not None else {}
        for name in DIMENSIONS:
            label, anything, names = LABELS[name]
            choices: list[tuple[str, str]] = [("", anything)]
            for value in dimensions.get(name, []):
                if value in ("", None):
                    choices.append((NO_VALUE, "No owner" if name == "owner" else f"No {label.lower()}"))
                elif name == "owner":
                    choices.append((str(value), owner_names.get(value, f"Member {value}")))
                else:
                    choices.append((str(value), names.get(value, str(value))))
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
        self.order_fields([*DIMENSIONS, "granularity", "at", "compare"])
        cast(forms.Select, self.fields["at"].widget).choices = [
            ("", "Latest"),
            *((d.isoformat(), t) for d, t in periods or []),
        ]

    def query(self) -> DashboardQuery:
        """The query the valid fields ask for (call after ``is_valid``; an invalid field counts as not set)."""
        data = getattr(self, "cleaned_data", {})
        return DashboardQuery(
            filters={name: data[name] for name in DIMENSIONS if data.get(name)},
            granularity=data.get("granularity") or "quarter",
            at=data.get("at"),
            compare=data.get("compare") or "previous",
        )
