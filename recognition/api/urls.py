"""API endpoints of the recognition app (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
