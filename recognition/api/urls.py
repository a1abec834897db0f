"""API endpoints of recognition (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
