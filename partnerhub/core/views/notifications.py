"""The notifications page: a member's own notifications, newest first, with read-marks (one at a time, or all)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from partnerhub.core.errors import NotificationNotYoursError
from partnerhub.core.forms.fields import IdForm
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.selectors.notifications import notification_get_for_member, notification_list_for_member
from partnerhub.core.services.notifications import (
    notifications_mark_read,
)
from partnerhub.core.views.program import tenant_view

PAGE_SIZE = 30


@tenant_view("notifications.view")
def notification_list_view(request: TenantRequest) -> HttpResponse:
    tenant, actor = request.tenant, request.membership
    page = Paginator(notification_list_for_member(tenant=tenant, member=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "can_subscribe": can(actor, "calendar.subscribe")}
    return render(request, "partnerhub/notifications.html", context)


@tenant_view("notifications.view", methods=("POST",))
def notification_read_view(request: TenantRequest) -> HttpResponse:
    """With ``id``: mark that notification read and open its link. Without: mark them all read."""
    tenant, actor = request.tenant, request.membership
    list_url = reverse("notification_list", kwargs={"tenant_slug": tenant.slug})
    notification_id = IdForm.parse(request.POST)  # not an id: 0, nobody's, refused below like a foreign id
    try:
        if notification_id is None:
            changed = notifications_mark_read(tenant=tenant, actor=actor)
            messages.success(request, f"{changed} notification{'' if changed == 1 else 's'} marked read.")
            return redirect(list_url)
        notification = notification_get_for_member(tenant=tenant, member=actor, notification_id=notification_id)
        notifications_mark_read(tenant=tenant, actor=actor, ids=[notification.pk])
    except NotificationNotYoursError as exc:
        return render(request, "partnerhub/error.html", {"title": "Not found", "message": exc.message}, status=400)
    target = notification.url
    safe = target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return redirect(target if safe else list_url)
