"""Finding pages: the program's prioritised backlog (sortable, filterable, with program-level patterns), a new finding
(by hand or from a review), one finding, its edit form, and the lessons hint a new finding shows for its category.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from partnerhub.core.domain.ids import parse_id
from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from remediation.domain.categories import FISHBONE_BRANCHES, category_label
from remediation.forms.findings import FindingFilterForm, FindingForm
from remediation.models import Finding
from remediation.selectors.findings import finding_get, finding_list, finding_patterns, lesson_count_for_category
from remediation.selectors.lessons import lessons_for_category
from remediation.selectors.plans import open_plan_of_partner
from remediation.selectors.settings import category_labels
from remediation.services.findings import finding_create, finding_update
from remediation.views.plans import PASS_THROUGH, apply_errors
from reviews.selectors.reviews import review_get

PAGE_SIZE = 50


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


@tenant_view("remediation.view")
def finding_list_view(request: TenantRequest) -> HttpResponse:
    """The backlog: sorted by severity (or impact, or age), filtered by category, cohort and owner; each finding
    with the plan that addresses it; recurring causes as program-level patterns."""
    tenant = request.tenant
    form = FindingFilterForm(request.GET or None, tenant=tenant)
    labels = category_labels(tenant=tenant)
    findings = finding_list(tenant=tenant, filters=form.to_filters(), sort=form.sort_key())
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "labels": labels,
        "sort": form.sort_key(),
        "patterns": finding_patterns(tenant=tenant, today=timezone.localdate(), labels=labels),
        "can_create": can(request.membership, "remediation.manage"),
        "today": timezone.localdate(),
    }
    template = "remediation/partials/_finding_table.html" if request.htmx else "remediation/finding_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _form_context(request: TenantRequest, form: FindingForm, **extra: Any) -> dict[str, Any]:
    category = form["category"].value() or ""
    return {
        "form": form,
        "branches": [form[f"branch_{key}"] for key in FISHBONE_BRANCHES],
        "hint": _hint(request, str(category)),
        **extra,
    }


@tenant_view("remediation.manage", methods=("GET", "POST"))
def finding_create_view(request: TenantRequest) -> HttpResponse:
    """Record a finding; ``?review=<id>`` records it from that review (origin "review", its partner), ``?partner=``
    prefills the partner."""
    tenant, actor = request.tenant, request.membership
    source = request.POST if request.method == "POST" else request.GET
    review_id = parse_id(source.get("review"))
    review = review_get(tenant=tenant, review_id=review_id) if review_id else None
    initial: dict[str, Any] = {
        "date_found": timezone.localdate(),
        "owner": actor.pk if actor.role == "manager" else None,
    }
    if review is not None:
        initial["partner"] = review.partner_id
    elif parse_id(source.get("partner")):
        initial["partner"] = parse_id(source.get("partner"))
    if request.method != "POST":
        form = FindingForm(initial=initial, tenant=tenant)
        return render(request, "remediation/finding_form.html", _form_context(request, form, review=review))
    form = FindingForm(request.POST, tenant=tenant)
    if form.is_valid():
        data = form.to_input()
        try:
            finding = finding_create(tenant=tenant, actor=actor, data=data, review=review)
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Finding recorded.")
            return redirect(_url(request, "finding_detail", remediation_finding_id=finding.pk))
    return render(request, "remediation/finding_form.html", _form_context(request, form, review=review), status=400)


@tenant_view("remediation.view")
def finding_detail_view(request: TenantRequest, remediation_finding_id: int) -> HttpResponse:
    tenant = request.tenant
    finding = finding_get(tenant=tenant, finding_id=remediation_finding_id)
    labels = category_labels(tenant=tenant)
    open_plan = (
        open_plan_of_partner(tenant=tenant, partner_id=finding.partner_id)
        if finding.plan_id is None and finding.partner_id is not None
        else None
    )
    context = {
        "finding": finding,
        "category": category_label(finding.category, labels),
        "cohort": _cohort(finding),
        "branches": [
            (FISHBONE_BRANCHES.get(key, key), causes)
            for key, causes in (finding.root_cause or {}).get("branches", {}).items()
        ],
        "whys": (finding.root_cause or {}).get("whys", []),
        "hint": _hint(request, finding.category),
        "can_manage": can(request.membership, "remediation.manage", finding),
        "open_plan": open_plan,
    }
    return render(request, "remediation/finding_detail.html", context)


@tenant_view("remediation.manage", methods=("GET", "POST"))
def finding_edit_view(request: TenantRequest, remediation_finding_id: int) -> HttpResponse:
    tenant = request.tenant
    finding = finding_get(tenant=tenant, finding_id=remediation_finding_id)
    if request.method != "POST":
        form = FindingForm(initial=FindingForm.initial_from(finding), tenant=tenant)
        return render(request, "remediation/finding_form.html", _form_context(request, form, finding=finding))
    form = FindingForm(request.POST, tenant=tenant)
    if form.is_valid():
        try:
            finding_update(tenant=tenant, actor=request.membership, finding=finding, data=form.to_input())
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Finding saved.")
            return redirect(_url(request, "finding_detail", remediation_finding_id=finding.pk))
    return render(request, "remediation/finding_form.html", _form_context(request, form, finding=finding), status=400)


def _cohort(finding: Finding) -> list[str]:
    """The finding's cohort in words: "Reseller, Gold, EMEA, Germany, Cloud"."""
    names = {**dict(Partner.Type.choices), **dict(Partner.Tier.choices), **dict(Partner.Region.choices)}
    values = [
        *finding.cohort_types,
        *finding.cohort_tiers,
        *finding.cohort_regions,
        *finding.cohort_markets,
        *finding.cohort_product_lines,
    ]
    return [str(names.get(v, v)) for v in values]


def _hint(request: TenantRequest, category: str) -> dict[str, Any]:
    """ "3 lessons from earlier plans on enablement", with the latest three of them."""
    tenant = request.tenant
    if not category:
        return {"category": "", "count": 0, "lessons": []}
    count = lesson_count_for_category(tenant=tenant, category=category)
    return {
        "category": category,
        "label": category_label(category, category_labels(tenant=tenant)),
        "count": count,
        "lessons": list(lessons_for_category(tenant=tenant, category=category)[:3]) if count else [],
    }


@tenant_view("remediation.view")
def finding_lessons_hint_view(request: TenantRequest) -> HttpResponse:
    """The lessons hint for ``?category=`` (the finding form asks for it with HTMX when the category changes)."""
    hint = _hint(request, request.GET.get("category", ""))
    return render(request, "remediation/partials/_lessons_hint.html", {"hint": hint})
