"""Tenant pages of the executive layer (mounted under /t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from partnerhub.executive.views import dashboard

urlpatterns: list[URLPattern] = [
    path("executive/", dashboard.dashboard_view, name="executive_dashboard"),
]
