"""Review pages: the list, one review (header, attendees, pre-read, agenda with ratings and notes, decisions,
action items, history), the pre-read page and its PDF. Validate, call a service or selector, render or redirect.

Writes are plain POST-redirect-GET. Bad input re-renders the review page with the form's errors and answers 400.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.errors import DomainError, NotFoundError, PermissionDeniedError
from partnerhub.core.forms.fields import IdForm
from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Membership
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from reviews.forms.reviews import (
    ActionForm,
    ActionStatusForm,
    AttendeeForm,
    DecisionForm,
    NoteForm,
    RatingForm,
    ReviewFilterForm,
    ScheduleForm,
    TransitionForm,
)
from reviews.models import ActionItem, Review
from reviews.selectors.forecasts import forecast_accuracy
from reviews.selectors.preparation import preparation_rows, review_overview, review_preparation_list
from reviews.selectors.reviews import (
    ReviewFilters,
    action_get,
    attendee_get,
    review_get,
    review_page,
)
from reviews.services.preread import FROZEN_STATES, preread_current, preread_generate
from reviews.services.reviews import (
    action_item_update,
    moves_for,
    review_action_add,
    review_attendee_add,
    review_attendee_remove,
    review_decision_add,
    review_note_add,
    review_rating_save,
    review_schedule,
    review_transition,
)
from reviews.views.charts import review_load_figure
from reviews.views.pdf import preread_pdf_filename, render_preread_pdf

PAGE_SIZE = 50
# Refusals the tenant_view wrapper answers itself (403 page, 404).
PASS_THROUGH = (PermissionDeniedError, NotFoundError)
MOVE_LABELS: dict[str, str] = {
    Review.State.PREPARING: "Start preparing",
    Review.State.HELD: "Mark as held",
    Review.State.SIGNED_OFF: "Sign off",
    Review.State.CANCELLED: "Cancel review",
}


def _detail_url(request: TenantRequest, review: Review, anchor: str = "") -> str:
    url = reverse("review_detail", kwargs={"tenant_slug": request.tenant.slug, "review_id": review.pk})
    return f"{url}#{anchor}" if anchor else url


def _apply_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's refusal on the form: on the fields it names, else on the form as a whole."""
    fields = exc.extra.get("fields") if isinstance(exc.extra, dict) else None
    placed = False
    if isinstance(fields, dict):
        for name, errors in fields.items():
            if name in form.fields:
                for error in errors if isinstance(errors, list) else [errors]:
                    form.add_error(name, str(error))
                placed = True
    if not placed:
        form.add_error(None, exc.message)


def _anchor(form_key: str) -> str:
    """Where on the review page the form named ``form_key`` ("note-<section>", "action"...) sits."""
    kind, _, rest = form_key.partition("-")
    if kind == "note":
        return f"section-{rest}"
    if kind == "rating":
        return f"prompt-{rest}"
    return {"attendee": "attendees", "decision": "decisions", "action": "actions"}.get(kind, "main")


# --- the list ---


@tenant_view("reviews.view")
def review_list_view(request: TenantRequest) -> HttpResponse:
    """The reviews and what preparing each needs: the partner's score, RAG and trend, the pre-read, what is due from
    the partner and its overdue actions; "needs attention" keeps the reviews still ahead that need something done.
    A fixed number of queries, whatever the number of rows."""
    tenant, now = request.tenant, timezone.now()
    form = ReviewFilterForm(request.GET or None, tenant=tenant)
    filters, attention = form.to_filters(), form.wants_attention
    reviews = review_preparation_list(tenant=tenant, filters=filters, attention=attention, now=now)
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = preparation_rows(tenant=tenant, reviews=list(page.object_list), now=now)
    query = request.GET.copy()
    query.pop("page", None)
    # The switch between every review and those needing attention keeps the other filters; "needs attention" spans
    # any date (a review whose date passed without being held needs it most).
    every = request.GET.copy()
    for key in ("page", "attention"):
        every.pop(key, None)
    needing = every.copy()
    needing.pop("when", None)
    needing["attention"] = "on"
    overview = review_overview(tenant=tenant, filters=filters, now=now)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "attention": attention,
        "all_url": f"{request.path}?{every.urlencode()}" if every else request.path,
        "attention_url": f"{request.path}?{needing.urlencode()}",
        "query": query.urlencode(),
        "now": now,
        "month": next((row.health.period_start for row in rows if row.health is not None), None),
        "filtered": replace(filters, when="") != ReviewFilters(),
        "summary": overview.summary,
        "load": overview.load,
        "load_total": overview.load_total,
        "load_figure": json.dumps(review_load_figure(overview.load)),
        "can_schedule": can(request.membership, "reviews.manage"),
    }
    return render(request, "reviews/review_list.html", context)


# --- one review ---


def _updatable_actions(actor: Membership, review: Review, actions: Iterable[ActionItem]) -> set[int]:
    """The action items whose status this member may change here (the rule the service applies)."""
    updatable = set()
    for action in actions:
        action.review = review  # every action of the page is this review's: no query per row
        if can(actor, "reviews.update_action", action):
            updatable.add(action.pk)
    return updatable


def _render_detail(
    request: TenantRequest, review: Review, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    bound = bound or {}
    page = review_page(tenant=tenant, review=review)
    can_manage = can(actor, "reviews.manage", review)
    writable = can_manage and not review.is_read_only
    sections = []
    for section in page.sections:
        note_form = bound.get(f"note-{section.key}") or NoteForm(
            review=review, initial={"section_key": section.key}, auto_id=f"note-{section.key}-%s"
        )
        prompts = []
        for prompt in section.prompts:
            rating = prompt.rating
            initial: dict[str, Any] = {"prompt_key": prompt.key}
            if rating is not None:
                initial.update(rating=rating.rating, comment=rating.comment, visibility=rating.visibility)
            prompts.append(
                {
                    "prompt": prompt,
                    "form": bound.get(f"rating-{prompt.key}")
                    or RatingForm(review=review, initial=initial, auto_id=f"rating-{prompt.key}-%s"),
                }
            )
        sections.append({"section": section, "note_form": note_form, "prompts": prompts})
    moves = moves_for(actor, review)
    context = {
        "review": review,
        "page": page,
        "sections": sections,
        "can_manage": can_manage,
        "updatable_actions": _updatable_actions(actor, review, page.actions),
        "writable": writable,
        "moves": [(move, MOVE_LABELS[move]) for move in moves if move != Review.State.CANCELLED],
        "can_cancel": Review.State.CANCELLED in moves,
        "transition_form": bound.get("transition") or TransitionForm(auto_id="transition-%s"),
        "attendee_form": bound.get("attendee") or AttendeeForm(tenant=tenant, review=review, auto_id="attendee-%s"),
        "decision_form": bound.get("decision") or DecisionForm(auto_id="decision-%s"),
        "action_form": bound.get("action") or ActionForm(tenant=tenant, review=review, auto_id="action-%s"),
        "status_choices": ActionItem.Status.choices,
        "today": timezone.localdate(),
        # Once the quarter is scored, both sides see the same accuracy card (the portal shows it too).
        "accuracy": (
            forecast_accuracy(tenant=tenant, forecast=page.forecast)
            if page.forecast is not None and page.forecast.scored_at is not None
            else None
        ),
        "preread": review.preread,
        "preread_frozen": review.state in FROZEN_STATES,
        "has_errors": bool(bound),
        "error_anchor": _anchor(next(iter(bound), "")),
        # A refusal the page cannot show next to its form (the form is hidden once the review is read-only).
        "error_messages": [] if writable else [e for form in bound.values() for e in form.non_field_errors()],
    }
    return render(request, "reviews/review_detail.html", context, status=status)


@tenant_view("reviews.view")
def review_detail_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    return _render_detail(request, review)


def _submit(
    request: TenantRequest,
    review: Review,
    form: forms.Form,
    *,
    key: str,
    write: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    anchor: str | Callable[[Any], str] = "",
) -> HttpResponse:
    """The review page's forms: validate, ``write(cleaned_data)``, then back to the page at ``anchor``.

    A domain error lands on the form; the page is shown again with that form (under ``key``) open, answering 400.
    ``success`` and ``anchor`` may be worked out from what ``write`` returned.
    """
    if form.is_valid():
        try:
            result = write(form.cleaned_data)
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(_detail_url(request, review, anchor(result) if callable(anchor) else anchor))
    return _render_detail(request, review, {key: form}, status=400)


def _by(request: TenantRequest, review: Review) -> dict[str, Any]:
    return {"tenant": request.tenant, "actor": request.membership, "review": review}


@tenant_view("reviews.manage", methods=("POST",))
def review_transition_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    return _submit(
        request,
        review,
        TransitionForm(request.POST, auto_id="transition-%s"),
        key="transition",
        write=lambda d: review_transition(**_by(request, review), to_state=d["to"], reason=d["reason"]),
        success=lambda _: f"The review is now {review.get_state_display().lower()}.",
    )


@tenant_view("reviews.manage", methods=("POST",))
def review_attendee_add_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    return _submit(
        request,
        review,
        AttendeeForm(request.POST, tenant=request.tenant, review=review, auto_id="attendee-%s"),
        key="attendee",
        write=lambda d: review_attendee_add(
            **_by(request, review),
            membership=d["membership"],
            name=d["name"],
            email=d["email"],
            function=d["function"],
            side=d["side"],
        ),
        success="Attendee added.",
        anchor="attendees",
    )


@tenant_view("reviews.manage", methods=("POST",))
def review_attendee_remove_view(request: TenantRequest, review_id: int, attendee_id: int) -> HttpResponse:
    tenant = request.tenant
    review = review_get(tenant=tenant, review_id=review_id)
    attendee = attendee_get(tenant=tenant, review=review, attendee_id=attendee_id)
    try:
        review_attendee_remove(tenant=tenant, actor=request.membership, review=review, attendee=attendee)
    except PASS_THROUGH:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return _render_detail(request, review, status=400)
    messages.success(request, "Attendee removed.")
    return redirect(_detail_url(request, review, "attendees"))


@tenant_view("reviews.manage", methods=("POST",))
def review_note_add_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    section = request.POST.get("section_key", "")
    return _submit(
        request,
        review,
        NoteForm(request.POST, review=review, auto_id=f"note-{section}-%s"),
        key=f"note-{section}",
        write=lambda d: review_note_add(
            **_by(request, review), section_key=d["section_key"], body=d["body"], visibility=d["visibility"]
        ),
        success="Note added.",
        anchor=lambda note: f"section-{note.section_key}",
    )


@tenant_view("reviews.manage", methods=("POST",))
def review_rating_save_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    prompt = request.POST.get("prompt_key", "")
    return _submit(
        request,
        review,
        RatingForm(request.POST, review=review, auto_id=f"rating-{prompt}-%s"),
        key=f"rating-{prompt}",
        write=lambda d: review_rating_save(
            **_by(request, review),
            prompt_key=d["prompt_key"],
            rating=d["rating"],
            comment=d["comment"],
            visibility=d["visibility"],
        ),
        success="Rating saved.",
        anchor=lambda rating: f"section-{rating.section_key}",
    )


@tenant_view("reviews.manage", methods=("POST",))
def review_decision_add_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    return _submit(
        request,
        review,
        DecisionForm(request.POST, auto_id="decision-%s"),
        key="decision",
        write=lambda d: review_decision_add(**_by(request, review), text=d["text"], visibility=d["visibility"]),
        success="Decision logged.",
        anchor="decisions",
    )


@tenant_view("reviews.manage", methods=("POST",))
def review_action_add_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    return _submit(
        request,
        review,
        ActionForm(request.POST, tenant=request.tenant, review=review, auto_id="action-%s"),
        key="action",
        write=lambda d: review_action_add(
            **_by(request, review),
            description=d["description"],
            owner=d["owner"],
            due_date=d["due_date"],
            visibility=d["visibility"],
        ),
        success="Action item added.",
        anchor="actions",
    )


@tenant_view("reviews.update_action", methods=("POST",))
def action_update_view(request: TenantRequest, action_id: int) -> HttpResponse:
    tenant = request.tenant
    action = action_get(tenant=tenant, action_id=action_id)  # its review comes with it: enough to redirect to
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            action_item_update(
                tenant=tenant, actor=request.membership, action=action, status=form.cleaned_data["status"]
            )
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return _render_detail(request, review_get(tenant=tenant, review_id=action.review_id), status=400)
        messages.success(request, "Action item updated.")
        return redirect(_detail_url(request, action.review, "actions"))
    messages.error(request, "Choose a status for the action item.")
    # Only a page shown again needs the review with everything its page joins.
    return _render_detail(request, review_get(tenant=tenant, review_id=action.review_id), status=400)


# --- the pre-read ---


def _preread_context(request: TenantRequest, review: Review) -> dict[str, Any]:
    """The stored pre-read, or (before it is generated) a preview built from today's data and not stored."""
    return {
        "review": review,
        "preread": preread_current(tenant=request.tenant, review=review),
        "preview": review.preread is None,
        "frozen": review.state in FROZEN_STATES,
        "can_regenerate": can(request.membership, "reviews.manage", review) and review.state not in FROZEN_STATES,
    }


@tenant_view("reviews.view")
def review_preread_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    return render(request, "reviews/preread.html", _preread_context(request, review))


@tenant_view("reviews.view")
def review_preread_pdf_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    context = _preread_context(request, review)
    pdf = render_preread_pdf(context={**context, "tenant": request.tenant}, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{preread_pdf_filename(tenant=request.tenant, review=review)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@tenant_view("reviews.manage", methods=("POST",))
def review_preread_regenerate_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = review_get(tenant=request.tenant, review_id=review_id)
    try:
        preread_generate(tenant=request.tenant, actor=request.membership, review=review)
    except PASS_THROUGH:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "reviews/preread.html", _preread_context(request, review), status=400)
    messages.success(request, "Pre-read regenerated from today's data.")
    return redirect(reverse("review_preread", kwargs={"tenant_slug": request.tenant.slug, "review_id": review.pk}))


# --- a review scheduled by hand ---


@tenant_view("reviews.manage", methods=("GET", "POST"))
def review_schedule_view(request: TenantRequest) -> HttpResponse:
    """Schedule one review by hand; a partner may be prefilled with ``?partner=<id>`` (from its page)."""
    tenant, actor = request.tenant, request.membership
    if request.method != "POST":
        partner_id = IdForm.parse(request.GET, "partner")
        initial = {"partner": partner_id} if partner_id else {}
        form = ScheduleForm(tenant=tenant, actor=actor, initial=initial)
        return render(request, "reviews/review_schedule.html", {"form": form})
    form = ScheduleForm(request.POST, tenant=tenant, actor=actor)
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = review_schedule(
                tenant=tenant,
                actor=actor,
                cadence=data["cadence"],
                partner=data["partner"],
                scheduled_for=form.scheduled_for(),
                moderator=data["moderator"],
                depth=data["depth"],
                reason=data["reason"],
            )
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            fields = exc.extra.get("fields") if isinstance(exc.extra, dict) else None
            if isinstance(fields, dict) and "scheduled_for" in fields:
                # The date decides the cycle (and whether it is in the past): the error belongs next to it.
                exc.extra = {**exc.extra, "fields": {**fields, "date": fields["scheduled_for"]}}
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Review of {review.partner.name} scheduled.")
            return redirect(_detail_url(request, review))
    return render(request, "reviews/review_schedule.html", {"form": form}, status=400)
