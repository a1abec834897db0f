"""Cadence pages: the cadences, a cadence's editor, a cadence with its cycles, one cycle with why each partner was
picked. Views validate, call a service or selector, and render."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.domain.periods import period_label
from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.publication import publication_verdicts
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from reviews.domain.agenda import prompt_count
from reviews.forms.cadences import CadenceForm, GenerateCycleForm
from reviews.models import Cadence, Review
from reviews.selectors.cadences import cadence_applies_to, cadence_change_publication, cadence_get, cadence_list
from reviews.selectors.cycles import (
    cadence_current_and_next,
    cadence_next_cycle,
    cycle_get,
    cycle_list_for_cadence,
    cycle_periods_generated,
    cycle_reviews,
)
from reviews.services.cadences import cadence_create, cadence_update
from reviews.services.cycles import DEFAULT_DAYS_AHEAD, cycle_generate

CYCLES_PAGE_SIZE = 24
REVIEWS_PAGE_SIZE = 100


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _form_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's field errors on the form's fields (the agenda's on the editor); the rest on top."""
    fields = exc.extra.get("fields") or {}
    if not fields:
        form.add_error(None, exc.message)
    for field, problems in fields.items():
        name = "agenda_text" if field == "agenda" else field
        for problem in problems if isinstance(problems, list) else [problems]:
            form.add_error(name if name in form.fields else None, str(problem))


@tenant_view("cadences.view")
def cadence_list_view(request: TenantRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for cadence in cadence_list(tenant=request.tenant):
        upcoming = cadence_next_cycle(cadence, today)
        last: date | None = getattr(cadence, "last_period_start", None)
        rows.append(
            {
                "cadence": cadence,
                "applies_to": cadence_applies_to(cadence),
                "next": upcoming,
                "next_generated": last is not None and last >= upcoming.start,
                "auto_from": upcoming.start - timedelta(days=DEFAULT_DAYS_AHEAD),
            }
        )
    context = {"rows": rows, "days_ahead": DEFAULT_DAYS_AHEAD, "can_change": can(request.membership, "cadences.change")}
    return render(request, "reviews/cadence_list.html", context)


@tenant_view("cadences.change", methods=("GET", "POST"))
def cadence_create_view(request: TenantRequest) -> HttpResponse:
    form = CadenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cadence = cadence_create(tenant=request.tenant, actor=request.membership, data=form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"{cadence.name} created.")
            return redirect(_url(request, "cadence_detail", cadence_id=cadence.pk))
    status = 400 if form.errors else 200
    return render(request, "reviews/cadence_form.html", {"form": form, "cadence": None}, status=status)


@tenant_view("cadences.change", methods=("GET", "POST"))
def cadence_edit_view(request: TenantRequest, cadence_id: int) -> HttpResponse:
    cadence = cadence_get(tenant=request.tenant, cadence_id=cadence_id)
    form = CadenceForm(request.POST or None, cadence=cadence)
    if request.method == "POST" and form.is_valid():
        try:
            cadence_update(tenant=request.tenant, actor=request.membership, cadence=cadence, data=form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, "Cadence saved. Cycles generated from now on use it; earlier reviews keep theirs."
            )
            return redirect(_url(request, "cadence_detail", cadence_id=cadence.pk))
    status = 400 if form.errors else 200
    # What the publication guards say of a change partners notice (the timing, filters, agenda, active or not).
    gate = publication_verdicts(cadence_change_publication(tenant=request.tenant, cadence=cadence))
    return render(request, "reviews/cadence_form.html", {"form": form, "cadence": cadence, "gate": gate}, status=status)


def _cadence_page(
    request: TenantRequest, cadence: Cadence, generate_form: GenerateCycleForm | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    cycles = Paginator(cycle_list_for_cadence(tenant=request.tenant, cadence=cadence), CYCLES_PAGE_SIZE)
    page = cycles.get_page(request.GET.get("page"))
    current, following = cadence_current_and_next(cadence, today)
    generated = cycle_periods_generated(tenant=request.tenant, cadence=cadence, starts=[current.start, following.start])
    context = {
        "cadence": cadence,
        "applies_to": cadence_applies_to(cadence),
        "prompt_count": prompt_count(cadence.agenda),
        "page": page,
        "cycle_rows": [
            {
                "cycle": c,
                "label": period_label(cadence.frequency, c.period_start),
                "light": max(c.qualifying_count - c.detailed_count, 0),
            }
            for c in page
        ],
        "periods": [
            {"period": p, "generated": p.start in generated, "which": which}
            for p, which in ((current, "current"), (following, "next"))
        ],
        "generate_form": generate_form or GenerateCycleForm(),
        "can_change": can(request.membership, "cadences.change"),
        "can_generate": can(request.membership, "cycles.generate") and cadence.is_active,
    }
    return render(request, "reviews/cadence_detail.html", context, status=status)


@tenant_view("cadences.view")
def cadence_detail_view(request: TenantRequest, cadence_id: int) -> HttpResponse:
    return _cadence_page(request, cadence_get(tenant=request.tenant, cadence_id=cadence_id))


@tenant_view("cycles.generate", methods=("POST",))
def cycle_generate_view(request: TenantRequest, cadence_id: int) -> HttpResponse:
    cadence = cadence_get(tenant=request.tenant, cadence_id=cadence_id)
    form = GenerateCycleForm(request.POST)
    if form.is_valid():
        try:
            result = cycle_generate(
                tenant=request.tenant,
                cadence=cadence,
                period_start=form.cleaned_data["period_start"],
                actor=request.membership,
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            label = period_label(cadence.frequency, result.cycle.period_start)
            if result.created:
                messages.success(
                    request,
                    f"{label}: {result.created} review{'s' if result.created != 1 else ''} scheduled"
                    + (f", {result.existing} already there." if result.existing else "."),
                )
            else:
                messages.success(request, f"{label} was already complete: nothing new to schedule.")
            return redirect(_url(request, "cycle_detail", cycle_id=result.cycle.pk))
    return _cadence_page(request, cadence, generate_form=form, status=400)


@tenant_view("cadences.view")
def cycle_detail_view(request: TenantRequest, cycle_id: int) -> HttpResponse:
    tenant = request.tenant
    cycle = cycle_get(tenant=tenant, cycle_id=cycle_id)
    page = Paginator(cycle_reviews(tenant=tenant, cycle=cycle), REVIEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "cycle": cycle,
        "cadence": cycle.cadence,
        "label": period_label(cycle.cadence.frequency, cycle.period_start),
        "page": page,
        "light_count": max(cycle.qualifying_count - cycle.detailed_count, 0),
        "light": Review.Depth.LIGHT,
        "can_generate": can(request.membership, "cycles.generate") and cycle.cadence.is_active,
    }
    return render(request, "reviews/cycle_detail.html", context)
