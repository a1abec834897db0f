"""The lessons library: every lesson learned at close-out, searchable, by cause category."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from partnerhub.core.http import TenantRequest
from partnerhub.core.views.program import tenant_view
from remediation.models import Plan
from remediation.selectors.lessons import lesson_counts_by_category, lesson_list
from remediation.selectors.settings import category_labels

PAGE_SIZE = 50


class LessonSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    category = forms.ChoiceField(label="Cause category", required=False)
    outcome = forms.ChoiceField(required=False, choices=[("", "Any"), *[c for c in Plan.Outcome.choices if c[0]]])


@tenant_view("lessons.view")
def lesson_list_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    labels = category_labels(tenant=tenant)
    form = LessonSearchForm(request.GET or None)
    form.fields["category"].choices = [("", "Any"), *sorted(labels.items(), key=lambda kv: kv[1])]  # type: ignore[attr-defined]
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    lessons = lesson_list(
        tenant=tenant, q=data.get("q") or "", category=data.get("category") or "", outcome=data.get("outcome") or ""
    )
    page = Paginator(lessons, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = lesson_counts_by_category(tenant=tenant)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "labels": labels,
        "counts": sorted(((labels.get(k, k), k, n) for k, n in counts.items()), key=lambda row: (-row[2], row[0])),
    }
    return render(request, "remediation/lesson_list.html", context)
