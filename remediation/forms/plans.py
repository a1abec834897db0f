"""Forms of a plan's page: the plan itself, its moves, checkpoints, actions, updates, close-out."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from partnerhub.core.models import Membership, Partner, Tenant
from remediation.models import Checkpoint, Finding, Plan, PlanAction
from remediation.selectors.findings import findings_of_partner_unplanned
from remediation.selectors.plans import (
    partner_user_choices,
    plan_owner_choices,
    plan_sponsor_choices,
    scorecard_metrics_of_partner,
)
from remediation.selectors.settings import category_choices
from remediation.services.actions import ActionInput
from remediation.services.checkpoints import CheckpointInput
from remediation.services.plans import PlanInput
from remediation.services.references import INTERNAL_ROLES

DATE = forms.DateInput(attrs={"type": "date"})
STATUS_CHOICES = [("", "Any"), ("open", "Open (draft or active)"), *Plan.Status.choices]


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, empty_label="Anyone")
    partner = forms.CharField(required=False, max_length=200, label="Partner name")
    attention = forms.BooleanField(required=False, label="A checkpoint missed")

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = plan_owner_choices(tenant=tenant)  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.none())
    title = forms.CharField(max_length=200)
    goal = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What success looks like. The partner reads it once the plan is active.",
    )
    owner = forms.ModelChoiceField(label="Accountable owner", queryset=Membership.objects.none())
    sponsor = forms.ModelChoiceField(
        label="Executive sponsor",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="None yet",
    )
    partner_contact = forms.ModelChoiceField(
        label="The partner's contact",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="Someone without an account",
    )
    partner_contact_name = forms.CharField(label="Contact's name (no account)", required=False, max_length=200)
    start_date = forms.DateField(widget=DATE)
    target_end_date = forms.DateField(label="Target end date", widget=DATE)
    internal_notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Internal: never shown to the partner."
    )
    findings = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Findings this plan addresses",
    )

    def __init__(
        self, *args: Any, tenant: Tenant, partner: Partner | None = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.for_tenant(tenant).order_by("name")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = plan_owner_choices(tenant=tenant)  # type: ignore[attr-defined]
        self.fields["sponsor"].queryset = plan_sponsor_choices(tenant=tenant)  # type: ignore[attr-defined]
        contacts = (
            partner_user_choices(tenant=tenant, partner=partner)
            if partner is not None
            else Membership.objects.for_tenant(tenant).filter(role="partner").select_related("user")
        )
        self.fields["partner_contact"].queryset = contacts  # type: ignore[attr-defined]
        if partner is not None:
            self.fields["findings"].queryset = findings_of_partner_unplanned(tenant=tenant, partner=partner)  # type: ignore[attr-defined]
        else:
            del self.fields["findings"]
        if editing:
            del self.fields["partner"]
            self.fields.pop("findings", None)

    def to_input(self) -> PlanInput:
        d = self.cleaned_data
        return PlanInput(
            title=d["title"],
            owner=d["owner"],
            start_date=d["start_date"],
            target_end_date=d["target_end_date"],
            sponsor=d.get("sponsor"),
            partner_contact=d.get("partner_contact"),
            partner_contact_name=d.get("partner_contact_name", ""),
            goal=d.get("goal", ""),
            internal_notes=d.get("internal_notes", ""),
        )


class CheckpointForm(forms.Form):
    measure = forms.ChoiceField(label="What is checked", choices=Checkpoint.Measure.choices)
    comparator = forms.ChoiceField(choices=Checkpoint.Comparator.choices[:2], initial="gte")
    target = forms.DecimalField(
        required=False,
        max_digits=18,
        decimal_places=4,
        help_text="In the metric's unit (the score: 0 to 100). Not for the trend.",
    )
    period = forms.ChoiceField(label="In the snapshot of", choices=Checkpoint.Period.choices)
    due = forms.DateField(
        label="Month or quarter containing", widget=DATE, help_text="Any day of it: checked once it is complete."
    )

    def __init__(self, *args: Any, tenant: Tenant, plan: Plan, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from scorecards.selectors.glossary import metric_list

        on_card = [m.pk for m in scorecard_metrics_of_partner(tenant=tenant, partner=plan.partner, today=today)]
        # Every metric of the program is offered (the service explains why one off the scorecard is refused).
        self.fields["metric"] = forms.ModelChoiceField(
            queryset=metric_list(tenant=tenant),
            required=False,
            empty_label="—",
            help_text="For a metric: one on the partner's scorecard.",
        )
        self.order_fields(["measure", "metric", "comparator", "target", "period", "due"])
        self.on_card = on_card

    def to_input(self) -> CheckpointInput:
        d = self.cleaned_data
        return CheckpointInput(
            measure=d["measure"],
            period=d["period"],
            due=d["due"],
            comparator=d.get("comparator") or "gte",
            target=d.get("target"),
            metric=d.get("metric"),
        )


class WaiveForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Why is it waived?")


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(forms.Form):
    title = forms.CharField(label="What is to be done", max_length=200)
    kind = forms.ChoiceField(choices=PlanAction.Kind.choices)
    side = forms.ChoiceField(label="Whose action", choices=PlanAction.Side.choices)
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, empty_label="Nobody named yet")
    due_date = forms.DateField(widget=DATE)
    resources = forms.CharField(label="Required resources", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    success_criteria = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contingency = forms.CharField(label="Contingency plan", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    shared = forms.BooleanField(required=False, initial=True, label="Shared with the partner")

    def __init__(self, *args: Any, tenant: Tenant, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        self.fields["owner"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.for_tenant(tenant)
            .filter(is_active=True)
            .filter(Q(role__in=INTERNAL_ROLES) | Q(role="partner", partner_id=plan.partner_id))
            .select_related("user", "partner")
            .order_by("role", "user__first_name", "user__email")
        )

    def to_input(self) -> ActionInput:
        d = self.cleaned_data
        return ActionInput(
            title=d["title"],
            due_date=d["due_date"],
            kind=d["kind"],
            side=d["side"],
            owner=d.get("owner"),
            resources=d.get("resources", ""),
            success_criteria=d.get("success_criteria", ""),
            contingency=d.get("contingency", ""),
            shared=bool(d.get("shared")),
        )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanAction.Status.choices)


class UpdateForm(forms.Form):
    body = forms.CharField(label="Progress update", widget=forms.Textarea(attrs={"rows": 3}))
    shared = forms.BooleanField(required=False, label="Shared with the partner")


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Why is it cancelled?")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=[c for c in Plan.Outcome.choices if c[0]])
    what_worked = forms.CharField(label="What worked", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    what_did_not = forms.CharField(label="What did not", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    open_checkpoints_note = forms.CharField(
        label="Closing with checkpoints not settled? Say why", required=False, max_length=300
    )

    def __init__(self, *args: Any, tenant: Tenant, lessons: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = [("", "Category…"), *category_choices(tenant=tenant)]
        for i in range(lessons):
            self.fields[f"lesson_{i}"] = forms.CharField(
                label=f"Lesson {i + 1}", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"lesson_{i}_category"] = forms.ChoiceField(
                label=f"Lesson {i + 1}: cause category", required=False, choices=categories
            )
        self.lesson_count = lessons


class FindingsAddForm(forms.Form):
    findings = forms.ModelMultipleChoiceField(queryset=Finding.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, tenant: Tenant, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = findings_of_partner_unplanned(tenant=tenant, partner=plan.partner)  # type: ignore[attr-defined]
