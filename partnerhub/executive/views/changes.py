"""Change notices: the program's list and drafting, one notice (its impact, sponsor, window; published to the
partners it affects), and the partner portal's notices (each partner's own figures only)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from partnerhub.core.domain.ids import parse_id
from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Role
from partnerhub.core.rules import can
from partnerhub.core.selectors.program import membership_list
from partnerhub.core.views.program import tenant_view
from partnerhub.executive.errors import ChangeNoticeError
from partnerhub.executive.models import ChangeNotice
from partnerhub.executive.selectors.changes import (
    change_notice_for_partner,
    change_notice_get,
    change_notice_list,
    change_notices_for_partner,
    own_impact,
)
from partnerhub.executive.services.changes import (
    change_notice_draft,
    change_notice_missing,
    change_notice_publish,
    change_notice_update,
)
from recognition.models import FrameworkVersion
from reviews.selectors.cadences import cadence_list
from scorecards.models import TemplateVersion


class DraftForm(forms.Form):
    subject = forms.CharField(label="The change")  # "<kind>:<id>", one of the choices the page offers
    title = forms.CharField(max_length=200)
    what_changed = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What changes")
    why = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why")

    def subject_parts(self) -> tuple[str, int | None]:
        kind, _, raw_id = str(self.cleaned_data.get("subject", "")).partition(":")
        return kind, parse_id(raw_id)


class NoticeForm(forms.Form):
    title = forms.CharField(max_length=200)
    what_changed = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What changes")
    why = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why")
    sponsor = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Sponsor")
    decision_opens = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    decision_closes = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["sponsor"]).choices = [("", "Choose a sponsor"), *people]


def _subjects(request: TenantRequest) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a notice may announce, grouped: draft scorecard versions, the draft tier framework, the cadences (their
    next revision)."""
    tenant = request.tenant
    versions = (
        TemplateVersion.objects.for_tenant(tenant)
        .filter(status=TemplateVersion.Status.DRAFT)
        .select_related("template")
        .order_by("template__name", "number")
    )
    frameworks = FrameworkVersion.objects.for_tenant(tenant).filter(status=FrameworkVersion.Status.DRAFT)
    return [
        (
            "Scorecard versions (drafts)",
            [(f"template:{v.pk}", f"{v.template.name}, version {v.number}") for v in versions],
        ),
        (
            "Tier framework (the draft)",
            [(f"tier_framework:{f.pk}", f"Tier framework, version {f.number}") for f in frameworks],
        ),
        (
            "Cadences (their next change)",
            [(f"cadence:{c.pk}", f"{c.name}, revision {c.revision + 1}") for c in cadence_list(tenant=tenant)],
        ),
    ]


def _list_context(request: TenantRequest, form: DraftForm, error: str = "") -> dict[str, Any]:
    kind, subject = request.GET.get("kind", ""), request.GET.get("subject", "")
    return {
        "notices": change_notice_list(tenant=request.tenant)[:100],
        "can_manage": can(request.membership, "executive.changes.manage"),
        "subjects": _subjects(request),
        "chosen": form.data.get("subject") if form.is_bound else f"{kind}:{subject}",
        "form": form,
        "error": error,
    }


@tenant_view("executive.changes.view")
def change_list_view(request: TenantRequest) -> HttpResponse:
    """Every change notice, newest first, and (admins) a new one for a draft scorecard version, the draft tier
    framework or a cadence's next change (``?kind=…&subject=…`` chooses it: the publish pages link here)."""
    return render(request, "executive/change_list.html", _list_context(request, DraftForm()))


@tenant_view("executive.changes.manage", methods=("POST",))
def change_create_view(request: TenantRequest) -> HttpResponse:
    """Draft a notice for a change: its impact is attached at once."""
    form = DraftForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        kind, subject_id = form.subject_parts()
        try:
            if subject_id is None:
                raise ChangeNoticeError("Choose the change the notice announces.")
            notice = change_notice_draft(
                tenant=request.tenant,
                actor=request.membership,
                kind=kind,
                subject_id=subject_id,
                title=data["title"],
                what_changed=data["what_changed"],
                why=data["why"],
            )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("change_detail", tenant_slug=request.tenant.slug, notice_id=notice.pk)
    else:
        error = "Choose the change and say what changes and why, under a title."
    return render(request, "executive/change_list.html", _list_context(request, form, error), status=400)


def _people(request: TenantRequest) -> list[tuple[int, str]]:
    return [
        (m.pk, str(m.user))
        for m in membership_list(tenant=request.tenant).exclude(role=Role.PARTNER).filter(is_active=True)
    ]


def _detail(
    request: TenantRequest, notice: ChangeNotice, form: NoticeForm | None = None, error: str = ""
) -> dict[str, Any]:
    initial = {
        "title": notice.title,
        "what_changed": notice.what_changed,
        "why": notice.why,
        "sponsor": notice.sponsor_id,
        "decision_opens": notice.decision_opens,
        "decision_closes": notice.decision_closes,
    }
    return {
        "notice": notice,
        "form": form or NoticeForm(initial=initial, people=_people(request)),
        "missing": change_notice_missing(notice, timezone.now().date()),
        "can_manage": can(request.membership, "executive.changes.manage"),
        "error": error,
    }


@tenant_view("executive.changes.view")
def change_detail_view(request: TenantRequest, notice_id: int) -> HttpResponse:
    notice = change_notice_get(tenant=request.tenant, notice_id=notice_id)
    return render(request, "executive/change_detail.html", _detail(request, notice))


@tenant_view("executive.changes.manage", methods=("POST",))
def change_edit_view(request: TenantRequest, notice_id: int) -> HttpResponse:
    """Set the draft's wording, sponsor and decision window."""
    notice = change_notice_get(tenant=request.tenant, notice_id=notice_id)
    form = NoticeForm(request.POST, people=_people(request))
    # A sponsor the form does not offer (another program's member) is refused by the service, with its message.
    raw_sponsor = request.POST.get("sponsor", "")
    if form.is_valid() or set(form.errors) == {"sponsor"}:
        data = getattr(form, "cleaned_data", {})
        try:
            change_notice_update(
                tenant=request.tenant,
                actor=request.membership,
                notice=notice,
                sponsor_id=parse_id(raw_sponsor),
                decision_opens=data.get("decision_opens"),
                decision_closes=data.get("decision_closes"),
                title=data.get("title", ""),
                what_changed=data.get("what_changed", ""),
                why=data.get("why", ""),
            )
        except DomainError as exc:
            return render(
                request, "executive/change_detail.html", _detail(request, notice, form, exc.message), status=400
            )
        return redirect("change_detail", tenant_slug=request.tenant.slug, notice_id=notice.pk)
    return render(
        request, "executive/change_detail.html", _detail(request, notice, form, "Check the fields marked."), status=400
    )


@tenant_view("executive.changes.manage", methods=("POST",))
def change_publish_view(request: TenantRequest, notice_id: int) -> HttpResponse:
    notice = change_notice_get(tenant=request.tenant, notice_id=notice_id)
    try:
        change_notice_publish(tenant=request.tenant, actor=request.membership, notice=notice)
    except DomainError as exc:
        return render(request, "executive/change_detail.html", _detail(request, notice, error=exc.message), status=400)
    messages.success(request, "Published: the partners it affects can read it in their portal.")
    return redirect("change_detail", tenant_slug=request.tenant.slug, notice_id=notice.pk)


@tenant_view("executive.changes.portal")
def portal_notice_list_view(request: TenantRequest) -> HttpResponse:
    notices = change_notices_for_partner(tenant=request.tenant, member=request.membership)
    return render(request, "executive/portal_notice_list.html", {"notices": notices})


@tenant_view("executive.changes.portal")
def portal_notice_view(request: TenantRequest, notice_id: int) -> HttpResponse:
    """A notice as the partner reads it: what changes, why, when it is decided, and their own score under it."""
    notice = change_notice_for_partner(tenant=request.tenant, member=request.membership, notice_id=notice_id)
    context = {"notice": notice, "impact": own_impact(notice, request.membership.partner_id)}
    return render(request, "executive/portal_notice.html", context)
