"""Scorecard pages for people: the help page (and, as the snapshot engine lands, the scorecards themselves)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from partnerhub.http import TenantRequest
from partnerhub.views import tenant_view


@tenant_view("metrics.view")
def scorecard_help_view(request: TenantRequest) -> HttpResponse:
    """The score, the RAG rules and the trend method in plain words, for every role."""
    return render(request, "scorecards/help.html")
