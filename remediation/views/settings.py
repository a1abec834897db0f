"""The program's remediation settings (admins): the escalation ladder's schedule, the triggers, cause categories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.errors import DomainError, NotFoundError
from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Membership, Role
from partnerhub.core.views.program import tenant_view
from remediation.domain.categories import BUILTIN_CATEGORIES
from remediation.models import CauseCategory, RemediationSettings
from remediation.selectors.settings import custom_category_list, remediation_settings_get
from remediation.services.settings import (
    SettingsInput,
    cause_category_add,
    cause_category_set_active,
    remediation_settings_update,
)
from remediation.views.plans import PASS_THROUGH, apply_errors

# django-stubs makes ModelForm generic; at run time it is not subscriptable.
if TYPE_CHECKING:
    _SettingsModelForm = forms.ModelForm[RemediationSettings]
else:
    _SettingsModelForm = forms.ModelForm


class SettingsForm(_SettingsModelForm):
    class Meta:
        model = RemediationSettings
        fields = [
            "sponsor_after_days",
            "executive_after_days",
            "action_grace_days",
            "executive",
            "trigger_red",
            "trigger_declining",
            "trigger_tier_grace",
            "draft_horizon_months",
        ]

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        executive = self.fields["executive"]
        executive.queryset = (  # type: ignore[attr-defined]
            Membership.objects.for_tenant(tenant)
            .filter(is_active=True, role__in=(Role.EXECUTIVE, Role.ADMIN))
            .select_related("user")
        )
        executive.empty_label = "Every executive of the program"  # type: ignore[attr-defined]
        executive.label = "The ladder's last rung"

    def _post_clean(self) -> None:
        """The service validates (and saves); the model's own checks would need the tenant set."""


class CategoryForm(forms.Form):
    name = forms.CharField(label="New cause category", max_length=80)


def _render(request: TenantRequest, form: SettingsForm, category_form: CategoryForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "category_form": category_form,
        "builtin": list(BUILTIN_CATEGORIES.values()),
        "custom": list(custom_category_list(tenant=request.tenant)),
    }
    return render(request, "remediation/settings.html", context, status=status)


def _url(request: TenantRequest) -> str:
    return reverse("remediation_settings", kwargs={"tenant_slug": request.tenant.slug})


@tenant_view("remediation.settings", methods=("GET", "POST"))
def remediation_settings_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    current = remediation_settings_get(tenant=tenant)
    if request.method != "POST":
        return _render(request, SettingsForm(instance=current, tenant=tenant), CategoryForm())
    form = SettingsForm(request.POST, instance=current, tenant=tenant)
    if form.is_valid():
        d = form.cleaned_data
        try:
            remediation_settings_update(
                tenant=tenant,
                actor=request.membership,
                data=SettingsInput(
                    sponsor_after_days=d["sponsor_after_days"],
                    executive_after_days=d["executive_after_days"],
                    action_grace_days=d["action_grace_days"],
                    trigger_red=d["trigger_red"],
                    trigger_declining=d["trigger_declining"],
                    trigger_tier_grace=d["trigger_tier_grace"],
                    draft_horizon_months=d["draft_horizon_months"],
                    executive=d.get("executive"),
                ),
            )
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Remediation settings saved.")
            return redirect(_url(request))
    return _render(request, form, CategoryForm(), status=400)


@tenant_view("remediation.settings", methods=("POST",))
def category_add_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            cause_category_add(tenant=tenant, actor=request.membership, name=form.cleaned_data["name"])
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Cause category added.")
            return redirect(_url(request))
    settings_form = SettingsForm(instance=remediation_settings_get(tenant=tenant), tenant=tenant)
    return _render(request, settings_form, form, status=400)


@tenant_view("remediation.settings", methods=("POST",))
def category_toggle_view(request: TenantRequest, cause_category_id: int) -> HttpResponse:
    tenant = request.tenant
    category = CauseCategory.objects.for_tenant(tenant).filter(pk=cause_category_id).first()
    if category is None:
        raise NotFoundError("Category not found.")
    active = request.POST.get("active") == "1"
    cause_category_set_active(tenant=tenant, actor=request.membership, category=category, active=active)
    messages.success(request, f"“{category.name}” {'is back' if active else 'is retired'}.")
    return redirect(_url(request))
