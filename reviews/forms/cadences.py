"""Forms of the cadence pages: a cadence (with its agenda as text), and the period of a cycle to generate."""

from __future__ import annotations

from typing import Any

from django import forms

from partnerhub.core.models import Partner
from reviews.domain.agenda import DEFAULT_AGENDA, agenda_text
from reviews.models import Cadence
from reviews.services.cadences import MAX_LEAD_DAYS, OFFSET_DAYS_MAX

AGENDA_HELP = (
    "One line per item. A line starting with “## ” starts a section; each line starting with “- ” under it is a "
    "prompt, rated 1 to 5 with a comment in the review. Example:\n## Collaboration health\n"
    "- How responsive was the partner to escalations this quarter?"
)

NEW_CADENCE_INITIAL = {
    "kind": Cadence.Kind.QBR,
    "frequency": Cadence.Frequency.QUARTERLY,
    "agenda_text": agenda_text(DEFAULT_AGENDA),
}


class CadenceForm(forms.Form):
    """The cadence editor; the service validates the rules between fields and parses the agenda."""

    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=Cadence.Kind.choices)
    frequency = forms.ChoiceField(choices=Cadence.Frequency.choices)
    partner_types = forms.MultipleChoiceField(
        choices=Partner.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Partner types",
        help_text="None ticked: every type.",
    )
    tiers = forms.MultipleChoiceField(
        choices=Partner.Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every tier.",
    )
    stages = forms.MultipleChoiceField(
        choices=Partner.Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Lifecycle stages",
        help_text="None ticked: every stage.",
    )
    include_strategic = forms.BooleanField(
        required=False, label="Also include every strategic partner, whatever the filters"
    )
    review_offset_days = forms.IntegerField(
        min_value=0, max_value=OFFSET_DAYS_MAX, initial=14, label="Review held, days after the period starts"
    )
    prep_lead_days = forms.IntegerField(
        min_value=0, max_value=MAX_LEAD_DAYS, initial=7, label="Pre-read ready, days before the review"
    )
    self_assessment_lead_days = forms.IntegerField(
        min_value=0, max_value=MAX_LEAD_DAYS, initial=10, label="Self-assessment due, days before the review"
    )
    asks_forecast = forms.BooleanField(required=False, label="The partner submits a pipeline forecast")
    detailed_cap = forms.IntegerField(
        min_value=1,
        required=False,
        label="Detailed reviews per cycle, at most",
        help_text=(
            "When more partners qualify, the cycle picks strategic partners first, then declining trends, then "
            "at-risk partners, then the lowest scores; the rest get a light-touch check. Empty: no cap."
        ),
    )
    agenda_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true", "class": "agenda-editor"}),
        label="Agenda",
        help_text=AGENDA_HELP,
        strip=False,
    )
    is_active = forms.BooleanField(
        required=False, initial=True, label="Active (generates cycles; untick to deactivate)"
    )

    def __init__(self, *args: Any, cadence: Cadence | None = None, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = cadence_initial(cadence) if cadence is not None else NEW_CADENCE_INITIAL
        super().__init__(*args, **kwargs)
        if cadence is None:
            del self.fields["is_active"]  # a new cadence starts active


def cadence_initial(cadence: Cadence) -> dict[str, Any]:
    """The form's values from a stored cadence (the agenda as editable text)."""
    return {
        "name": cadence.name,
        "kind": cadence.kind,
        "frequency": cadence.frequency,
        "partner_types": cadence.partner_types,
        "tiers": cadence.tiers,
        "stages": cadence.stages,
        "include_strategic": cadence.include_strategic,
        "review_offset_days": cadence.review_offset_days,
        "prep_lead_days": cadence.prep_lead_days,
        "self_assessment_lead_days": cadence.self_assessment_lead_days,
        "asks_forecast": cadence.asks_forecast,
        "detailed_cap": cadence.detailed_cap,
        "agenda_text": agenda_text(cadence.agenda),
        "is_active": cadence.is_active,
    }


class GenerateCycleForm(forms.Form):
    """Any day of the period to generate: the cycle is the month, quarter or half-year containing it."""

    period_start = forms.DateField(
        label="A day in the period", widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"]
    )
