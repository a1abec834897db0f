"""Plan pages: the list, a new plan, one plan (findings, checkpoints with a chart each against its target, actions,
progress updates, the ladder's entries, close-out), and the forms posted from it. Validate, call a service or
selector, render or redirect.

Writes are POST-redirect-GET; bad input shows the page again with the form's errors (400). An action's status and a
checkpoint's comment are inline edits: with HTMX the row or card comes back alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from partnerhub.core.errors import DomainError, NotFoundError, PermissionDeniedError
from partnerhub.core.forms.fields import IdForm
from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Partner
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from remediation.domain.evaluation import label
from remediation.forms.plans import (
    ActionForm,
    ActionStatusForm,
    CancelForm,
    CheckpointForm,
    CloseForm,
    CommentForm,
    FindingsAddForm,
    PlanFilterForm,
    PlanForm,
    UpdateForm,
    WaiveForm,
)
from remediation.models import Plan, PlanAction
from remediation.selectors.findings import finding_get
from remediation.selectors.plans import (
    PlanFilters,
    checkpoint_get,
    plan_action_get,
    plan_get,
    plan_list,
    plan_page,
)
from remediation.selectors.settings import category_labels, ladder_of, remediation_settings_get
from remediation.services.actions import plan_action_add, plan_action_update, progress_update_add
from remediation.services.checkpoints import checkpoint_add, checkpoint_comment_add, checkpoint_waive
from remediation.services.evaluation import spec_of
from remediation.services.plans import (
    LessonInput,
    plan_activate,
    plan_cancel,
    plan_close,
    plan_create,
    plan_findings_add,
    plan_update,
)
from remediation.views.charts import checkpoint_figure

PAGE_SIZE = 50
PASS_THROUGH = (PermissionDeniedError, NotFoundError)


def _url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def plan_url(request: TenantRequest, plan: Plan, anchor: str = "") -> str:
    url = _url(request, "plan_detail", plan_id=plan.pk)
    return f"{url}#{anchor}" if anchor else url


def apply_errors(form: forms.BaseForm, exc: DomainError) -> None:
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


# --- the list ---


@tenant_view("remediation.view")
def plan_list_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    form = PlanFilterForm(request.GET or None, tenant=tenant)
    filters = PlanFilters(status="open")
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = PlanFilters(
            status=d.get("status") or "",
            owner=d["owner"].pk if d.get("owner") else None,
            partner=(d.get("partner") or "").strip(),
            attention=bool(d.get("attention")),
        )
    elif not form.is_bound:
        form = PlanFilterForm(initial={"status": "open"}, tenant=tenant)
    page = Paginator(plan_list(tenant=tenant, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": can(request.membership, "remediation.manage"),
        "can_configure": can(request.membership, "remediation.settings"),
        "today": timezone.localdate(),
    }
    template = "remediation/partials/_plan_table.html" if request.htmx else "remediation/plan_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- a new plan ---


@tenant_view("remediation.manage", methods=("GET", "POST"))
def plan_create_view(request: TenantRequest) -> HttpResponse:
    """Start a plan; ``?partner=<id>`` (or ``?finding=<id>``: its partner, the finding ticked) prefills it."""
    tenant, actor = request.tenant, request.membership
    partner: Partner | None = None
    initial: dict[str, Any] = {
        "owner": actor.pk if actor.role == "manager" else None,
        "start_date": timezone.localdate(),
    }
    source = request.POST if request.method == "POST" else request.GET
    finding_id, partner_id = IdForm.parse(source, "finding"), IdForm.parse(source, "partner")
    if finding_id:
        finding = finding_get(tenant=tenant, finding_id=finding_id)
        partner = finding.partner
        initial["findings"] = [finding.pk]
        initial["title"] = f"Improvement plan: {partner.name}" if partner else ""
    if partner_id:
        partner = (
            Partner.objects.for_tenant(tenant)
            .select_related("owner", "executive_sponsor")
            .filter(pk=partner_id)
            .first()
            or partner
        )
    if partner is not None:
        initial.update(partner=partner.pk, sponsor=partner.executive_sponsor_id)
        initial.setdefault("title", f"Improvement plan: {partner.name}")
    if request.method != "POST":
        form = PlanForm(initial=initial, tenant=tenant, partner=partner)
        return render(request, "remediation/plan_form.html", {"form": form, "partner": partner})
    form = PlanForm(request.POST, tenant=tenant, partner=partner)
    if form.is_valid():
        chosen = form.cleaned_data["partner"]
        try:
            plan = plan_create(
                tenant=tenant,
                actor=actor,
                partner=chosen,
                data=form.to_input(),
                findings=list(form.cleaned_data.get("findings") or []),
            )
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Draft plan created. Add its checkpoints and actions, then activate it.")
            return redirect(plan_url(request, plan))
    return render(request, "remediation/plan_form.html", {"form": form, "partner": partner}, status=400)


@tenant_view("remediation.manage", methods=("GET", "POST"))
def plan_edit_view(request: TenantRequest, plan_id: int) -> HttpResponse:
    tenant = request.tenant
    plan = plan_get(tenant=tenant, plan_id=plan_id)
    if request.method != "POST":
        initial = {
            "title": plan.title,
            "goal": plan.goal,
            "owner": plan.owner_id,
            "sponsor": plan.sponsor_id,
            "partner_contact": plan.partner_contact_id,
            "partner_contact_name": plan.partner_contact_name,
            "start_date": plan.start_date,
            "target_end_date": plan.target_end_date,
            "internal_notes": plan.internal_notes,
        }
        form = PlanForm(initial=initial, tenant=tenant, partner=plan.partner, editing=True)
        return render(request, "remediation/plan_form.html", {"form": form, "plan": plan, "partner": plan.partner})
    form = PlanForm(request.POST, tenant=tenant, partner=plan.partner, editing=True)
    if form.is_valid():
        try:
            plan_update(tenant=tenant, actor=request.membership, plan=plan, data=form.to_input())
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Plan saved.")
            return redirect(plan_url(request, plan))
    context = {"form": form, "plan": plan, "partner": plan.partner}
    return render(request, "remediation/plan_form.html", context, status=400)


# --- one plan ---


def _checkpoint_rows(request: TenantRequest, page: Any, bound: dict[str, forms.Form]) -> list[dict[str, Any]]:
    rows = []
    currency = request.tenant.currency
    for checkpoint in page.checkpoints:
        spec = spec_of(checkpoint, currency)
        key = (checkpoint.period, checkpoint.measure, checkpoint.metric_id)
        series = page.series.get(key)
        rows.append(
            {
                "checkpoint": checkpoint,
                "label": label(spec),
                "figure": json.dumps(checkpoint_figure(checkpoint, series, currency)) if series else "",
                "waive_form": bound.get(f"waive-{checkpoint.pk}") or WaiveForm(auto_id=f"waive-{checkpoint.pk}-%s"),
                "comment_form": bound.get(f"comment-{checkpoint.pk}")
                or CommentForm(auto_id=f"comment-{checkpoint.pk}-%s"),
            }
        )
    return rows


def render_plan(
    request: TenantRequest, plan: Plan, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    bound = bound or {}
    page = plan_page(tenant=tenant, plan=plan)
    today = timezone.localdate()
    can_manage = can(actor, "remediation.manage", plan)
    writable = can_manage and plan.is_open
    ladder = ladder_of(remediation_settings_get(tenant=tenant))
    context = {
        "plan": plan,
        "page": page,
        "checkpoints": _checkpoint_rows(request, page, bound),
        "can_manage": can_manage,
        "writable": writable,
        "today": today,
        "labels": category_labels(tenant=tenant),
        "ladder": ladder,
        "checkpoint_form": bound.get("checkpoint")
        or CheckpointForm(
            tenant=tenant,
            plan=plan,
            today=today,
            auto_id="checkpoint-%s",
            initial={"period": "month", "comparator": "gte"},
        ),
        "action_form": bound.get("action") or ActionForm(tenant=tenant, plan=plan, auto_id="action-%s"),
        "update_form": bound.get("update") or UpdateForm(auto_id="update-%s"),
        "cancel_form": bound.get("cancel") or CancelForm(auto_id="cancel-%s"),
        "close_form": bound.get("close") or CloseForm(tenant=tenant, auto_id="close-%s"),
        "findings_form": bound.get("findings") or FindingsAddForm(tenant=tenant, plan=plan, auto_id="findings-%s"),
        "status_choices": PlanAction.Status.choices,
        "has_errors": bool(bound),
        "error_anchor": next(iter(bound), "").split("-")[0] if bound else "",
        "unsettled": sum(1 for c in page.checkpoints if not c.is_settled),
    }
    return render(request, "remediation/plan_detail.html", context, status=status)


@tenant_view("remediation.view")
def plan_detail_view(request: TenantRequest, plan_id: int) -> HttpResponse:
    return render_plan(request, plan_get(tenant=request.tenant, plan_id=plan_id))


def _submit(
    request: TenantRequest,
    plan: Plan,
    form: forms.Form,
    *,
    key: str,
    write: Callable[[dict[str, Any]], Any],
    success: str,
    anchor: str = "",
) -> HttpResponse:
    """Validate, ``write(cleaned_data)``, back to the plan at ``anchor``; a refusal lands on the form (400)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(plan_url(request, plan, anchor))
    return render_plan(request, plan, {key: form}, status=400)


@tenant_view("remediation.manage", methods=("POST",))
def plan_move_view(request: TenantRequest, plan_id: int) -> HttpResponse:
    """Activate, cancel (with a reason) or close (outcome, lessons) a plan: ``to`` says which."""
    tenant, actor = request.tenant, request.membership
    plan = plan_get(tenant=tenant, plan_id=plan_id)
    to = request.POST.get("to", "")
    if to == Plan.Status.CANCELLED:
        return _submit(
            request,
            plan,
            CancelForm(request.POST, auto_id="cancel-%s"),
            key="cancel",
            write=lambda d: plan_cancel(tenant=tenant, actor=actor, plan=plan, reason=d.get("reason", "")),
            success="Plan cancelled.",
        )
    if to == Plan.Status.CLOSED:
        form = CloseForm(request.POST, tenant=tenant, auto_id="close-%s")

        def close(d: dict[str, Any]) -> Any:
            lessons = [
                LessonInput(d.get(f"lesson_{i}_category") or "", d.get(f"lesson_{i}") or "")
                for i in range(form.lesson_count)
            ]
            return plan_close(
                tenant=tenant,
                actor=actor,
                plan=plan,
                outcome=d["outcome"],
                what_worked=d.get("what_worked", ""),
                what_did_not=d.get("what_did_not", ""),
                lessons=lessons,
                open_checkpoints_note=d.get("open_checkpoints_note", ""),
            )

        return _submit(request, plan, form, key="close", write=close, success="Plan closed; its lessons are kept.")
    if to == Plan.Status.ACTIVE:
        try:
            plan_activate(tenant=tenant, actor=actor, plan=plan)
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return render_plan(request, plan, status=400)
        messages.success(
            request, "Plan activated: the partner sees it, and its checkpoints are checked after every refresh."
        )
        return redirect(plan_url(request, plan))
    messages.error(request, "Choose what to do with the plan.")
    return render_plan(request, plan, status=400)


@tenant_view("remediation.manage", methods=("POST",))
def checkpoint_add_view(request: TenantRequest, plan_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    plan = plan_get(tenant=tenant, plan_id=plan_id)
    form = CheckpointForm(request.POST, tenant=tenant, plan=plan, today=timezone.localdate(), auto_id="checkpoint-%s")
    return _submit(
        request,
        plan,
        form,
        key="checkpoint",
        write=lambda d: checkpoint_add(tenant=tenant, actor=actor, plan=plan, data=form.to_input()),
        success="Checkpoint added.",
        anchor="checkpoints",
    )


@tenant_view("remediation.manage", methods=("POST",))
def plan_action_add_view(request: TenantRequest, plan_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    plan = plan_get(tenant=tenant, plan_id=plan_id)
    form = ActionForm(request.POST, tenant=tenant, plan=plan, auto_id="action-%s")
    return _submit(
        request,
        plan,
        form,
        key="action",
        write=lambda d: plan_action_add(tenant=tenant, actor=actor, plan=plan, data=form.to_input()),
        success="Action added.",
        anchor="actions",
    )


@tenant_view("remediation.manage", methods=("POST",))
def progress_update_add_view(request: TenantRequest, plan_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    plan = plan_get(tenant=tenant, plan_id=plan_id)
    return _submit(
        request,
        plan,
        UpdateForm(request.POST, auto_id="update-%s"),
        key="update",
        write=lambda d: progress_update_add(tenant=tenant, actor=actor, plan=plan, body=d["body"], shared=d["shared"]),
        success="Update posted.",
        anchor="updates",
    )


@tenant_view("remediation.manage", methods=("POST",))
def plan_findings_add_view(request: TenantRequest, plan_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    plan = plan_get(tenant=tenant, plan_id=plan_id)
    return _submit(
        request,
        plan,
        FindingsAddForm(request.POST, tenant=tenant, plan=plan, auto_id="findings-%s"),
        key="findings",
        write=lambda d: plan_findings_add(tenant=tenant, actor=actor, plan=plan, findings=list(d["findings"])),
        success="Findings added to the plan.",
        anchor="findings",
    )


@tenant_view("remediation.manage", methods=("POST",))
def checkpoint_waive_view(request: TenantRequest, checkpoint_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    checkpoint = checkpoint_get(tenant=tenant, checkpoint_id=checkpoint_id)
    plan = plan_get(tenant=tenant, plan_id=checkpoint.plan_id)
    return _submit(
        request,
        plan,
        WaiveForm(request.POST, auto_id=f"waive-{checkpoint.pk}-%s"),
        key=f"waive-{checkpoint.pk}",
        write=lambda d: checkpoint_waive(tenant=tenant, actor=actor, checkpoint=checkpoint, reason=d["reason"]),
        success="Checkpoint waived.",
        anchor=f"checkpoint-{checkpoint.pk}",
    )


@tenant_view("remediation.manage", methods=("POST",))
def checkpoint_comment_view(request: TenantRequest, checkpoint_id: int) -> HttpResponse:
    """Comment on a checkpoint; with HTMX, the checkpoint's comments come back alone."""
    tenant, actor = request.tenant, request.membership
    checkpoint = checkpoint_get(tenant=tenant, checkpoint_id=checkpoint_id)
    form = CommentForm(request.POST, auto_id=f"comment-{checkpoint.pk}-%s")
    if request.htmx:
        if form.is_valid():
            try:
                checkpoint_comment_add(
                    tenant=tenant, actor=actor, checkpoint=checkpoint, body=form.cleaned_data["body"]
                )
            except PASS_THROUGH:
                raise
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                form = CommentForm(auto_id=f"comment-{checkpoint.pk}-%s")
        comments = checkpoint.comments.select_related("author__user").order_by("created_at", "id")
        return render(
            request,
            "remediation/partials/_checkpoint_comments.html",
            {"checkpoint": checkpoint, "comments": list(comments), "comment_form": form, "writable": True},
            status=400 if form.errors else 200,
        )
    plan = plan_get(tenant=tenant, plan_id=checkpoint.plan_id)
    return _submit(
        request,
        plan,
        form,
        key=f"comment-{checkpoint.pk}",
        write=lambda d: checkpoint_comment_add(tenant=tenant, actor=actor, checkpoint=checkpoint, body=d["body"]),
        success="Comment added.",
        anchor=f"checkpoint-{checkpoint.pk}",
    )


@tenant_view("remediation.manage", methods=("POST",))
def plan_action_update_view(request: TenantRequest, plan_action_id: int) -> HttpResponse:
    """Change an action's status; with HTMX the action's row comes back alone (an inline edit)."""
    tenant, actor = request.tenant, request.membership
    action = plan_action_get(tenant=tenant, action_id=plan_action_id)
    form = ActionStatusForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            action = plan_action_update(tenant=tenant, actor=actor, action=action, status=form.cleaned_data["status"])
        except PASS_THROUGH:
            raise
        except DomainError as exc:
            error = exc.message
    else:
        error = "Choose a status."
    if request.htmx:
        action = plan_action_get(tenant=tenant, action_id=action.pk)
        context = {
            "action": action,
            "writable": True,
            "status_choices": PlanAction.Status.choices,
            "today": timezone.localdate(),
            "error": error,
            "saved": not error,
        }
        return render(request, "remediation/partials/_action_row.html", context, status=400 if error else 200)
    plan = plan_get(tenant=tenant, plan_id=action.plan_id)
    if error:
        messages.error(request, error)
        return render_plan(request, plan, status=400)
    messages.success(request, "Action updated.")
    return redirect(plan_url(request, plan, "actions"))
