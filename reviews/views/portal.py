"""The partner's side of reviews, in the portal: their reviews, the shared record, self-assessment, forecast, and
their shared action items. Partner users only (``portal.reviews``); another partner's review or item is a 404.

Every form posts to its own address and comes back to the review page: a redirect when saved, the page again with
the errors (400) when not. "Add another line" of the forecast is a server round trip that saves nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.errors import DomainError, NotFoundError, PermissionDeniedError
from partnerhub.core.http import TenantRequest
from partnerhub.core.views.program import tenant_view
from reviews.errors import ForecastInvalidError
from reviews.forms.portal import (
    COMMON_STAGES,
    ActionStatusForm,
    BaseForecastFormSet,
    SelfAssessmentForm,
    forecast_formset,
)
from reviews.models import Review
from reviews.selectors.portal import (
    PortalReviewDetail,
    forecast_quarter,
    portal_action_get,
    portal_action_list,
    portal_review_detail,
    portal_review_get,
    portal_review_list,
)
from reviews.services.forecasts import LINE_FIELDS, MAX_LINES, forecast_submit
from reviews.services.portal import SELF_ASSESSMENT_FIELDS, portal_action_status_update, self_assessment_submit


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _reraise_hidden(exc: DomainError) -> None:
    # "Not yours" and "not allowed" are answered by tenant_view as 404/403 pages, never as a form message.
    if isinstance(exc, NotFoundError | PermissionDeniedError):
        raise exc


@tenant_view("portal.reviews")
def portal_review_list_view(request: TenantRequest) -> HttpResponse:
    listing = portal_review_list(tenant=request.tenant, actor=request.membership)
    return render(request, "reviews/portal_review_list.html", {"listing": listing})


@tenant_view("portal.reviews")
def portal_review_detail_view(request: TenantRequest, review_id: int) -> HttpResponse:
    review = portal_review_get(tenant=request.tenant, actor=request.membership, review_id=review_id)
    return _detail(request, review)


def _detail(
    request: TenantRequest,
    review: Review,
    *,
    assessment_form: SelfAssessmentForm | None = None,
    formset: BaseForecastFormSet | None = None,
    assessment_error: str = "",
    forecast_error: str = "",
    status: int = 200,
) -> HttpResponse:
    detail = portal_review_detail(tenant=request.tenant, actor=request.membership, review=review)
    if detail.is_open:
        assessment_form = assessment_form or SelfAssessmentForm(initial=_assessment_initial(detail))
        if detail.asks_forecast and formset is None:
            formset = forecast_formset(initial=_lines_initial(detail), quarter=detail.forecast_quarter)
    context = {
        "detail": detail,
        "review": review,
        "assessment_form": assessment_form if detail.is_open else None,
        "formset": formset if detail.is_open and detail.asks_forecast else None,
        "assessment_error": assessment_error,
        "forecast_error": forecast_error,
        "status_form": ActionStatusForm(),
        "stages": COMMON_STAGES,
    }
    return render(request, "reviews/portal_review_detail.html", context, status=status)


def _assessment_initial(detail: PortalReviewDetail) -> dict[str, str]:
    if detail.self_assessment is None:
        return {}
    return {name: getattr(detail.self_assessment, name) for name in SELF_ASSESSMENT_FIELDS}


def _lines_initial(detail: PortalReviewDetail) -> list[dict[str, Any]]:
    if detail.accuracy is None:
        return []
    return [{name: getattr(scored.line, name) for name in LINE_FIELDS} for scored in detail.accuracy.lines]


@tenant_view("portal.reviews", methods=("POST",))
def portal_self_assessment_view(request: TenantRequest, review_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    review = portal_review_get(tenant=tenant, actor=actor, review_id=review_id)
    form = SelfAssessmentForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            self_assessment_submit(tenant=tenant, actor=actor, review=review, data=form.cleaned_data)
        except DomainError as exc:
            _reraise_hidden(exc)
            error = exc.message
        else:
            messages.success(request, "Your self-assessment is saved. You can change it until the review is held.")
            return redirect(_url(request, "portal_review_detail", review_id=review.pk) + "#self-assessment")
    return _detail(request, review, assessment_form=form, assessment_error=error, status=400)


@tenant_view("portal.reviews", methods=("POST",))
def portal_forecast_view(request: TenantRequest, review_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    review = portal_review_get(tenant=tenant, actor=actor, review_id=review_id)
    quarter = forecast_quarter(review)
    if "add_line" in request.POST:
        # Nothing is validated or saved: the rows come back as typed, with one blank row more.
        formset = forecast_formset(initial=_posted_rows(request), quarter=quarter)
        return _detail(request, review, formset=formset)
    formset = forecast_formset(request.POST, quarter=quarter)
    error = ""
    if formset.is_valid():
        try:
            forecast_submit(tenant=tenant, actor=actor, review=review, lines=formset.lines())
        except ForecastInvalidError as exc:
            formset.add_service_errors(exc.extra.get("lines") or {})
            error = exc.message
        except DomainError as exc:
            _reraise_hidden(exc)
            error = exc.message
        else:
            count = len(formset.lines())
            messages.success(
                request,
                f"Your forecast is saved ({count} line{'s' if count != 1 else ''}). "
                "You can change it until the review is held.",
            )
            return redirect(_url(request, "portal_review_detail", review_id=review.pk) + "#forecast")
    else:
        error = "Nothing was saved: correct the lines marked below."
    return _detail(request, review, formset=formset, forecast_error=error, status=400)


def _posted_rows(request: TenantRequest, prefix: str = "form") -> list[dict[str, str]]:
    try:
        total = min(int(request.POST.get(f"{prefix}-TOTAL_FORMS", "0")), MAX_LINES)
    except ValueError:
        total = 0
    rows = []
    for i in range(max(total, 0)):
        if request.POST.get(f"{prefix}-{i}-DELETE"):
            continue
        row = {name: request.POST.get(f"{prefix}-{i}-{name}", "").strip() for name in LINE_FIELDS}
        if any(row.values()):
            rows.append(row)
    return rows


@tenant_view("portal.reviews")
def portal_action_list_view(request: TenantRequest) -> HttpResponse:
    return _actions(request)


def _actions(request: TenantRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    items = portal_action_list(tenant=request.tenant, actor=request.membership)
    context = {"items": items, "status_form": ActionStatusForm(), "error": error}
    return render(request, "reviews/portal_action_list.html", context, status=status)


@tenant_view("portal.reviews", methods=("POST",))
def portal_action_update_view(request: TenantRequest, action_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    action = portal_action_get(tenant=tenant, actor=actor, action_id=action_id)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        return _actions(request, error="Choose open, in progress or done.", status=400)
    try:
        updated = portal_action_status_update(
            tenant=tenant, actor=actor, action=action, status=form.cleaned_data["status"]
        )
    except DomainError as exc:
        _reraise_hidden(exc)
        return _actions(request, error=exc.message, status=400)
    messages.success(request, f"“{updated.description[:60]}” is now {updated.get_status_display().lower()}.")
    if form.cleaned_data.get("return_to") == "review":
        return redirect(_url(request, "portal_review_detail", review_id=updated.review_id) + "#actions")
    return redirect(_url(request, "portal_action_list"))
