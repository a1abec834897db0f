"""Forms of the metric glossary: they validate input; the services decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms

from partnerhub.core.forms.program import MemberChoiceField
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.selectors import program as selectors
from scorecards.models import MetricDefinition
from scorecards.services.glossary import METRIC_FIELDS

# django-stubs makes this Django class generic, but it cannot be subscripted at runtime (no __class_getitem__):
# the type arguments are given to mypy only.
if TYPE_CHECKING:
    _MetricModelForm = forms.ModelForm[MetricDefinition]
else:
    _MetricModelForm = forms.ModelForm


class MetricFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search the glossary", max_length=100)
    category = forms.ChoiceField(required=False, choices=[("", "Every category"), *MetricDefinition.Category.choices])

    def filters(self) -> dict[str, str]:
        """The search and category to apply; an invalid value drops that filter only."""
        if not self.is_bound or not self.is_valid():
            return {"q": "", "category": ""}
        return {"q": self.cleaned_data["q"], "category": self.cleaned_data["category"]}


class MetricForm(_MetricModelForm):
    """The data owner may only be an internal member of this tenant: another id is a field error, never a link."""

    class Meta:
        model = MetricDefinition
        fields = list(METRIC_FIELDS)
        field_classes = {"data_owner": MemberChoiceField}
        widgets = {"definition": forms.Textarea(attrs={"rows": 4})}
        labels = {"timing": "Leading or lagging", "aggregation": "Period aggregation", "freshness_days": "Stale after"}
        help_texts = {
            "aggregation": "How monthly values add up to a quarter or a year.",
            "freshness_days": "Days without new data before the source counts as stale.",
            "data_owner": "Who answers for this metric's data (an internal member).",
        }

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = selectors.membership_list(tenant=tenant).filter(is_active=True).exclude(role=Role.PARTNER)
        cast("forms.ModelChoiceField[Membership]", self.fields["data_owner"]).queryset = owners

    def validate_unique(self) -> None:
        # Only the key is unique, and it is not editable here.
        return
