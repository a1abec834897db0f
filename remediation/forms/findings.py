"""Forms of findings: the backlog's filters and sorting, and the finding form (with the root-cause notes)."""

from __future__ import annotations

from typing import Any

from django import forms

from partnerhub.core.models import Membership, Partner, Tenant
from remediation.domain.categories import FISHBONE_BRANCHES, MAX_WHYS
from remediation.models import Finding, Severity
from remediation.selectors.findings import FINDING_SORT_LABELS, FindingFilters
from remediation.selectors.plans import plan_owner_choices
from remediation.selectors.settings import category_choices, category_labels
from remediation.services.findings import FindingInput

STATE_CHOICES = [("", "Any"), ("unplanned", "No plan yet"), ("planned", "In a plan")]


class FindingFilterForm(forms.Form):
    category = forms.ChoiceField(required=False)
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, empty_label="Anyone")
    region = forms.ChoiceField(required=False, choices=[("", "Any"), *Partner.Region.choices])
    partner_type = forms.ChoiceField(label="Type", required=False, choices=[("", "Any"), *Partner.Type.choices])
    tier = forms.ChoiceField(required=False, choices=[("", "Any"), *Partner.Tier.choices])
    state = forms.ChoiceField(label="Plan", required=False, choices=STATE_CHOICES)
    sort = forms.ChoiceField(required=False, choices=list(FINDING_SORT_LABELS.items()))

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = category_labels(tenant=tenant)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", "Any"),
            *sorted(labels.items(), key=lambda kv: kv[1]),
        ]
        self.fields["owner"].queryset = plan_owner_choices(tenant=tenant)  # type: ignore[attr-defined]

    def to_filters(self) -> FindingFilters:
        if not self.is_valid():
            return FindingFilters()
        data = self.cleaned_data
        owner = data.get("owner")
        return FindingFilters(
            category=data.get("category") or "",
            owner=owner.pk if owner else None,
            region=data.get("region") or "",
            partner_type=data.get("partner_type") or "",
            tier=data.get("tier") or "",
            state=data.get("state") or "",
        )

    def sort_key(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "severity"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class FindingForm(forms.Form):
    """A finding by hand or from a review. Root-cause notes: five whys (one answer a line) or a fishbone (causes
    under each branch, one a line)."""

    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, empty_label="— a cohort, not one partner —"
    )
    title = forms.CharField(label="What is the issue?", max_length=200)
    category = forms.ChoiceField(label="Cause category")
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, empty_label="Nobody yet")
    date_found = forms.DateField(label="Date found", widget=forms.DateInput(attrs={"type": "date"}))
    impact_amount = forms.DecimalField(
        label="Impact (amount)", required=False, min_value=0, max_digits=16, decimal_places=2
    )
    impact_points = forms.DecimalField(
        label="Impact (score points)", required=False, min_value=0, max_value=100, max_digits=6, decimal_places=2
    )
    cohort_types = forms.MultipleChoiceField(
        label="Cohort: types", required=False, choices=Partner.Type.choices, widget=forms.CheckboxSelectMultiple
    )
    cohort_tiers = forms.MultipleChoiceField(
        label="Cohort: tiers", required=False, choices=Partner.Tier.choices, widget=forms.CheckboxSelectMultiple
    )
    cohort_regions = forms.MultipleChoiceField(
        label="Cohort: regions", required=False, choices=Partner.Region.choices, widget=forms.CheckboxSelectMultiple
    )
    cohort_markets = forms.CharField(
        label="Cohort: markets", required=False, help_text="Comma-separated, e.g. Germany, France."
    )
    cohort_product_lines = forms.CharField(label="Cohort: product lines", required=False, help_text="Comma-separated.")
    root_cause_method = forms.ChoiceField(label="Root-cause method", choices=Finding.RootCauseMethod.choices)
    whys = forms.CharField(
        label="Five whys",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"One answer a line, each asking why of the one before (at most {MAX_WHYS}).",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["partner"].queryset = Partner.objects.for_tenant(tenant).order_by("name")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = plan_owner_choices(tenant=tenant)  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", "Choose…"), *category_choices(tenant=tenant)]  # type: ignore[attr-defined]
        self.fields["impact_amount"].label = f"Impact ({tenant.currency})"
        for key, label in FISHBONE_BRANCHES.items():
            self.fields[f"branch_{key}"] = forms.CharField(
                label=f"Fishbone: {label}", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    @staticmethod
    def initial_from(finding: Finding) -> dict[str, Any]:
        root = finding.root_cause or {}
        initial: dict[str, Any] = {
            "partner": finding.partner_id,
            "title": finding.title,
            "category": finding.category,
            "severity": finding.severity,
            "owner": finding.owner_id,
            "date_found": finding.date_found,
            "impact_amount": finding.impact_amount,
            "impact_points": finding.impact_points,
            "cohort_types": finding.cohort_types,
            "cohort_tiers": finding.cohort_tiers,
            "cohort_regions": finding.cohort_regions,
            "cohort_markets": ", ".join(finding.cohort_markets),
            "cohort_product_lines": ", ".join(finding.cohort_product_lines),
            "root_cause_method": finding.root_cause_method,
            "whys": "\n".join(root.get("whys", [])),
            "notes": finding.notes,
        }
        for key, causes in (root.get("branches") or {}).items():
            initial[f"branch_{key}"] = "\n".join(causes)
        return initial

    def to_input(self) -> FindingInput:
        data = self.cleaned_data
        method = data["root_cause_method"]
        if method == Finding.RootCauseMethod.FIVE_WHYS:
            root: Any = {"whys": _lines(data.get("whys", ""))}
        elif method == Finding.RootCauseMethod.FISHBONE:
            root = {"branches": {key: _lines(data.get(f"branch_{key}", "")) for key in FISHBONE_BRANCHES}}
        else:
            root = {}
        return FindingInput(
            title=data["title"],
            category=data["category"],
            severity=data["severity"],
            date_found=data["date_found"],
            partner=data.get("partner"),
            owner=data.get("owner"),
            notes=data.get("notes", ""),
            root_cause_method=method,
            root_cause=root,
            impact_amount=data.get("impact_amount"),
            impact_points=data.get("impact_points"),
            cohort={
                "cohort_types": data.get("cohort_types") or [],
                "cohort_tiers": data.get("cohort_tiers") or [],
                "cohort_regions": data.get("cohort_regions") or [],
                "cohort_markets": [v.strip() for v in (data.get("cohort_markets") or "").split(",") if v.strip()],
                "cohort_product_lines": [
                    v.strip() for v in (data.get("cohort_product_lines") or "").split(",") if v.strip()
                ],
            },
        )
