"""The executive dashboard."""

from __future__ import annotations

from django.http import HttpResponse

from partnerhub.core.http import TenantRequest
from partnerhub.core.views.program import tenant_view


@tenant_view("executive.dashboard")
def dashboard_view(request: TenantRequest) -> HttpResponse:
    return HttpResponse("todo")
