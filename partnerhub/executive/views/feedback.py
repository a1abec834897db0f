"""Partner feedback on the review process: the partner user's list and form, and the review-quality page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.views.program import tenant_view
from partnerhub.executive.selectors.feedback import (
    feedback_given,
    feedback_review_get,
    feedback_reviews_for,
    review_quality,
)
from partnerhub.executive.services.feedback import feedback_submit

SCALE = [(i, str(i)) for i in range(1, 6)]


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(coerce=int, choices=SCALE, widget=forms.RadioSelect, label="Was it useful?")
    fair = forms.TypedChoiceField(coerce=int, choices=SCALE, widget=forms.RadioSelect, label="Was it fair?")
    prepared = forms.TypedChoiceField(
        coerce=int, choices=SCALE, widget=forms.RadioSelect, label="Was it well prepared?"
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


@tenant_view("executive.feedback.give")
def feedback_list_view(request: TenantRequest) -> HttpResponse:
    """The company's recently signed-off reviews, and whether this user gave feedback on each."""
    reviews = list(feedback_reviews_for(tenant=request.tenant, member=request.membership, now=timezone.now()))
    given = feedback_given(tenant=request.tenant, member=request.membership, review_ids=[r.pk for r in reviews])
    rows = [{"review": r, "feedback": given.get(r.pk)} for r in reviews]
    return render(request, "executive/feedback_list.html", {"rows": rows})


@tenant_view("executive.feedback.give", methods=("GET", "POST"))
def feedback_form_view(request: TenantRequest, review_id: int) -> HttpResponse:
    """Three questions from 1 to 5 and a comment, once per review."""
    tenant, actor = request.tenant, request.membership
    review = feedback_review_get(tenant=tenant, member=actor, review_id=review_id)
    given = feedback_given(tenant=tenant, member=actor, review_ids=[review.pk]).get(review.pk)
    form = FeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                feedback_submit(tenant=tenant, actor=actor, review=review, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Thank you: your feedback goes to the program team.")
                return redirect("feedback_list", tenant_slug=tenant.slug)
        status = 400
    context = {"review": review, "form": form, "given": given, "open": review.state == "signed_off"}
    return render(request, "executive/feedback_form.html", context, status=status)


@tenant_view("executive.feedback.view")
def review_quality_view(request: TenantRequest) -> HttpResponse:
    """How partners rate their reviews, per moderator and per cadence."""
    quality = review_quality(tenant=request.tenant)
    tables = [("By moderator", "Moderator", quality["moderator"]), ("By cadence", "Cadence", quality["cadence"])]
    return render(request, "executive/review_quality.html", {"tables": tables})
