"""Forms of the template pages: a template, a draft's weighted metrics with their targets, and publishing."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms

from partnerhub.core.models import Partner, Tenant
from scorecards.domain.target_limits import target_out_of_reach
from scorecards.models import MetricDefinition, TemplateVersion
from scorecards.services.templates import TIERS, ItemInput


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    partner_type = forms.ChoiceField(
        choices=[("", "Any type"), *Partner.Type.choices], required=False, label="Partner type"
    )
    stage = forms.ChoiceField(
        choices=[("", "Any stage"), *Partner.Stage.choices], required=False, label="Lifecycle stage"
    )
    is_default = forms.BooleanField(required=False, label="Default for segments without a template of their own")


class ItemForm(forms.Form):
    metric = forms.ModelChoiceField(queryset=MetricDefinition.objects.none(), required=False)
    weight = forms.DecimalField(min_value=Decimal("0.01"), max_digits=6, decimal_places=2, required=False)
    normalise = forms.BooleanField(required=False, label="Per unit of size")
    target = forms.DecimalField(max_digits=18, decimal_places=4, required=False, label="Monthly target")

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[MetricDefinition]", self.fields["metric"]
        ).queryset = MetricDefinition.objects.for_tenant(tenant).order_by("name")
        for tier in TIERS:
            self.fields[f"target_{tier}"] = forms.DecimalField(
                max_digits=18, decimal_places=4, required=False, label=f"{tier.capitalize()} target"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("metric") and not data.get("weight"):
            self.add_error("weight", "Give the metric a weight.")
        if data.get("metric") and data.get("target") is None:
            self.add_error("target", "Give the metric a default monthly target.")
        metric = data.get("metric")
        if metric is not None:
            # The service refuses these too; here each shows on the row's target (the page shows that field's errors).
            for scope in ("", *TIERS):
                value = data.get(f"target_{scope}" if scope else "target")
                if value is None:
                    continue
                reason = target_out_of_reach(unit=metric.unit, target=value)
                if reason is not None:
                    self.add_error("target", f"The {scope or 'default'} target {value.normalize():f} {reason}.")
        return data

    def to_item(self) -> ItemInput | None:
        data = self.cleaned_data
        if not data.get("metric"):
            return None
        tiers = tuple((tier, data[f"target_{tier}"]) for tier in TIERS if data.get(f"target_{tier}") is not None)
        return ItemInput(
            metric=data["metric"],
            weight=data["weight"],
            normalise=bool(data.get("normalise")),
            target=data["target"],
            tier_targets=tiers,
        )


# django-stubs makes this Django class generic, but it cannot be subscripted at runtime (no __class_getitem__):
# the type arguments are given to mypy only.
if TYPE_CHECKING:
    _ItemBaseFormSet = forms.BaseFormSet[ItemForm]
else:
    _ItemBaseFormSet = forms.BaseFormSet


class BaseItemFormSet(_ItemBaseFormSet):
    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        self.tenant = tenant
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"tenant": self.tenant}


# formset_factory(formset=X) returns a subclass of X (with the form set on it); django-stubs types it as a plain
# BaseFormSet, which does not take X's own arguments.
ItemFormSet = cast(
    "type[BaseItemFormSet]", forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=3, max_num=30)
)


class PublishForm(forms.Form):
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why the scorecard changes: partners and executives read this.",
    )
    effective_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Snapshots of periods ending on or after this date use this version.",
    )


def as_written(value: Decimal | None) -> str | None:
    """A stored decimal as a person writes it in a field: ``56816.18`` for ``56816.1800``, ``25`` for ``25.00``."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def item_initial(version: TemplateVersion) -> list[dict[str, Any]]:
    rows = []
    for item in version.items.all():
        targets = {(t.tier, t.stage): as_written(t.monthly_target) for t in item.targets.all()}
        row = {
            "metric": item.metric,
            "weight": as_written(item.weight),
            "normalise": item.normalise,
            "target": targets.get(("", "")),
        }
        row.update({f"target_{tier}": targets.get((tier, "")) for tier in TIERS})
        rows.append(row)
    return rows
