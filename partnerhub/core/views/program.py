"""HTML views of the core app: validate, call a service or selector, render. Nothing else."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods

from partnerhub.core.errors import DomainError, NotFoundError, PermissionDeniedError
from partnerhub.core.forms.program import (
    AuditFilterForm,
    InvitationForm,
    MembershipForm,
    PartnerFilterForm,
    PartnerForm,
    ReassignForm,
    TenantProgramForm,
    TenantSecurityForm,
    TenantSignupForm,
)
from partnerhub.core.http import TenantRequest
from partnerhub.core.models import Role
from partnerhub.core.navigation import declared_list_columns
from partnerhub.core.rules import can, ensure_can
from partnerhub.core.selectors import program as selectors
from partnerhub.core.selectors.audit import audit_entries_readable
from partnerhub.core.selectors.partner_history import partner_history
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.membership_index import memberships_of_user

View = Callable[..., HttpResponse]
PAGE_SIZE = 50


def tenant_view(perm: str, *, methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    """Mark a view as tenant-owned: ``perm`` is checked, domain errors become 403/404/400 pages.

    The isolation matrix reads ``tenant_perm`` and ``tenant_methods`` off every route under /t/<slug>/.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        @require_http_methods(list(methods))
        def wrapper(request: TenantRequest, tenant_slug: str, **kwargs: Any) -> HttpResponse:
            try:
                ensure_can(request.membership, perm)
                return view(request, **kwargs)
            except NotFoundError as exc:
                raise Http404(exc.message) from exc
            except PermissionDeniedError as exc:
                return render(
                    request, "partnerhub/error.html", {"title": "Not allowed", "message": exc.message}, status=403
                )

        wrapper.tenant_perm = perm  # type: ignore[attr-defined]
        wrapper.tenant_methods = methods  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _filled(params: QueryDict) -> QueryDict:
    """The query string without empty fields, for a clean address bar after an HTMX filter change."""
    cleaned = QueryDict(mutable=True)
    for key, values in params.lists():
        kept = [v for v in values if v != ""]
        if kept:
            cleaned.setlist(key, kept)
    return cleaned


def _tenant_url(request: TenantRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


# --- outside any tenant ---


@login_required
def home_view(request: TenantRequest) -> HttpResponse:
    """Send a member to their program, or let a member of several choose."""
    memberships = memberships_of_user(request.user.pk or 0)
    if len(memberships) == 1:
        return redirect("tenant_home", tenant_slug=memberships[0].tenant.slug)
    return render(request, "partnerhub/choose_tenant.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def tenant_signup_view(request: TenantRequest) -> HttpResponse:
    form = TenantSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = services.tenant_create(admin_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error("slug", exc.message)
        else:
            messages.success(request, f"{tenant.name} is ready. Invite your team next.")
            return redirect("member_list", tenant_slug=tenant.slug)
    status = 400 if form.errors else 200
    return render(request, "partnerhub/tenant_signup.html", {"form": form}, status=status)


def healthz_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# --- tenant pages ---


@tenant_view("home.view")
def tenant_home_view(request: TenantRequest) -> HttpResponse:
    if request.membership.role == Role.PARTNER:
        return redirect(_tenant_url(request, "portal_home"))
    # An app may give a role its own landing page (``role_landing`` on its AppConfig: executives land on the dashboard).
    for config in apps.get_app_configs():
        if landing := getattr(config, "role_landing", {}).get(request.membership.role):
            return redirect(_tenant_url(request, landing))
    return redirect(_tenant_url(request, "partner_list"))


@tenant_view("partners.view")
def partner_list_view(request: TenantRequest) -> HttpResponse:
    """Partners with their profile, and the columns higher apps add (``ListColumns``: the scorecards app's latest
    score, RAG and trend), filtered, sorted on any column that offers it, 50 a page: one query for the page's rows."""
    tenant = request.tenant
    form = PartnerFilterForm(request.GET or None, tenant=tenant)
    partners = selectors.partner_list(tenant=tenant, filters=form.to_filters())
    columns = [c for c in declared_list_columns("partner_list") if can(request.membership, c.perm)]
    sorts: dict[str, tuple[Any, ...]] = dict(selectors.PARTNER_SORTS)
    for column in columns:
        partners = import_string(column.annotate)(partners, tenant=tenant)
        sorts.update(column.sorts)
    sort = request.GET.get("sort", "")
    sort = sort if sort in sorts else "name"
    page = Paginator(partners.order_by(*sorts[sort]), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sortless = query.copy()
    sortless.pop("sort", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort": sort,
        "sortless_query": sortless.urlencode(),
        "columns": columns,
        "can_create": can(request.membership, "partners.create"),
        "can_reassign": can(request.membership, "partners.reassign"),
    }
    # A history restore asks for the whole page; only a filter change gets the table fragment.
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "partnerhub/partials/_partner_table.html" if fragment else "partnerhub/partner_list.html"
    response = render(request, template, context)
    # One URL, two bodies: caches (and the browser's Back button) must key on the HTMX header.
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    patch_cache_control(response, private=True)
    if fragment:
        response["HX-Push-Url"] = request.path + (f"?{query.urlencode()}" if (query := _filled(request.GET)) else "")
    return response


@tenant_view("partners.view")
def partner_detail_view(request: TenantRequest, partner_id: int) -> HttpResponse:
    """The partner's hub: its profile and people and its history here; its score, tier, reviews and actions, plan,
    funds and records come from the apps above the core as page panels (``partner_summary``, ``partner_detail``,
    ``partner_records``), each a bounded number of queries."""
    tenant = request.tenant
    partner = selectors.partner_get(tenant=tenant, partner_id=partner_id)
    context = {
        "partner": partner,
        "history": partner_history(tenant=tenant, partner=partner, with_audit=can(request.membership, "audit.view")),
        "can_change": can(request.membership, "partners.change", partner),
    }
    return render(request, "partnerhub/partner_detail.html", context)


@tenant_view("partners.create", methods=("GET", "POST"))
def partner_create_view(request: TenantRequest) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    form = PartnerForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_create(tenant=tenant, actor=actor, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{partner.name} added.")
            return redirect(_tenant_url(request, "partner_detail", partner_id=partner.pk))
    return render(
        request, "partnerhub/partner_form.html", {"form": form, "partner": None}, status=400 if form.errors else 200
    )


@tenant_view("partners.change", methods=("GET", "POST"))
def partner_edit_view(request: TenantRequest, partner_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    partner = selectors.partner_get(tenant=tenant, partner_id=partner_id)
    ensure_can(actor, "partners.change", partner)
    form = PartnerForm(request.POST or None, instance=partner, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update(tenant=tenant, actor=actor, partner=partner, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Partner saved.")
            return redirect(_tenant_url(request, "partner_detail", partner_id=partner.pk))
    return render(
        request, "partnerhub/partner_form.html", {"form": form, "partner": partner}, status=400 if form.errors else 200
    )


@tenant_view("partners.reassign", methods=("GET", "POST"))
def partner_reassign_view(request: TenantRequest) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    form = ReassignForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.partner_bulk_reassign(tenant=tenant, actor=actor, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{result.moved} partners reassigned.")
            return redirect(_tenant_url(request, "partner_list"))
    return render(request, "partnerhub/partner_reassign.html", {"form": form}, status=400 if form.errors else 200)


@tenant_view("members.view", methods=("GET", "POST"))
def member_list_view(request: TenantRequest) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    form = InvitationForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.invitation_create(tenant=tenant, actor=actor, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Invitation sent to {issued.invitation.email}.")
            return redirect(_tenant_url(request, "member_list"))
    context = {
        "form": form,
        "members": selectors.membership_list_with_security(tenant=tenant),
        "invitations": selectors.invitation_list_pending(tenant=tenant),
    }
    return render(request, "partnerhub/member_list.html", context, status=400 if form.errors else 200)


@tenant_view("members.invite", methods=("GET", "POST"))
def member_edit_view(request: TenantRequest, membership_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    member = selectors.membership_get(tenant=tenant, membership_id=membership_id)
    initial = {"role": member.role, "partner": member.partner, "is_active": member.is_active}
    form = MembershipForm(request.POST or None, tenant=tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(tenant=tenant, actor=actor, membership=member, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{member.user} updated.")
            return redirect(_tenant_url(request, "member_list"))
    return render(
        request, "partnerhub/member_edit.html", {"form": form, "member": member}, status=400 if form.errors else 200
    )


@tenant_view("members.invite", methods=("POST",))
def invitation_revoke_view(request: TenantRequest, invitation_id: int) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    invitation = selectors.invitation_list_pending(tenant=tenant).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    services.invitation_revoke(tenant=tenant, actor=actor, invitation=invitation)
    messages.success(request, f"Invitation for {invitation.email} withdrawn.")
    return redirect(_tenant_url(request, "member_list"))


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: TenantRequest, tenant_slug: str, token: str) -> HttpResponse:
    """Reachable without a membership (that is what it grants); the tenant context is still entered."""
    tenant = request.tenant
    try:
        invitation = services.invitation_get_by_token(tenant=tenant, token=token)
    except NotFoundError:
        return render(
            request, "partnerhub/invitation.html", {"problem": "This invitation link is not valid."}, status=404
        )
    problem = services.invitation_problem(invitation)
    if request.method == "POST" and problem is None:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            services.invitation_accept(tenant=tenant, token=token, user=request.user)
        except DomainError as exc:
            problem = exc.message
        else:
            messages.success(request, f"Welcome to {tenant.name}.")
            return redirect("tenant_home", tenant_slug=tenant.slug)
    context = {"invitation": invitation, "problem": problem, "tenant": tenant}
    return render(request, "partnerhub/invitation.html", context, status=400 if problem else 200)


invitation_accept_view.tenant_public = True  # type: ignore[attr-defined]


@tenant_view("audit.view")
def audit_list_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    form = AuditFilterForm(request.GET or None, tenant=tenant)
    filters = form.to_filters()
    rows = selectors.audit_entry_list(tenant=tenant, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = audit_entries_readable(tenant=tenant, entries=page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partnerhub/audit_list.html",
        {
            "page": page,
            "entries": entries,
            "form": form,
            "query": query.urlencode(),
            "filtered": filters != type(filters)(),
        },
    )


@tenant_view("tenant.settings", methods=("GET", "POST"))
def tenant_settings_view(request: TenantRequest) -> HttpResponse:
    """The program's settings: its currency and fiscal year, and security; each form saves on its own."""
    tenant, actor = request.tenant, request.membership
    posted = request.POST if request.method == "POST" else None
    section = posted.get("section", "security") if posted is not None else ""
    form = TenantSecurityForm(posted if section == "security" else None, initial={"require_mfa": tenant.require_mfa})
    program_form = TenantProgramForm(
        posted if section == "program" else None,
        initial={"currency": tenant.currency, "fiscal_year_start": str(tenant.fiscal_year_start)},
    )
    if section == "security" and form.is_valid():
        services.tenant_update_security(tenant=tenant, actor=actor, require_mfa=form.cleaned_data["require_mfa"])
        messages.success(request, "Security settings saved.")
        return redirect(_tenant_url(request, "tenant_settings"))
    if section == "program" and program_form.is_valid():
        try:
            services.tenant_update_program(
                tenant=tenant,
                actor=actor,
                currency=program_form.cleaned_data["currency"],
                fiscal_year_start=program_form.cleaned_data["fiscal_year_start"],
            )
        except DomainError as exc:
            program_form.add_error(None, exc.message)
        else:
            messages.success(request, "Program settings saved.")
            return redirect(_tenant_url(request, "tenant_settings"))
    status = 400 if posted is not None else 200
    return render(
        request, "partnerhub/tenant_settings.html", {"form": form, "program_form": program_form}, status=status
    )


@tenant_view("portal.view")
def portal_home_view(request: TenantRequest) -> HttpResponse:
    """A partner user's own company, and nothing of any other partner."""
    tenant, actor = request.tenant, request.membership
    if actor.partner_id is None:  # the database forbids it for partner roles; refuse rather than guess
        raise Http404
    partner = selectors.partner_get(tenant=tenant, partner_id=actor.partner_id)
    return render(request, "partnerhub/portal_home.html", {"partner": partner})
