"""Tenant pages of the recognition app (mounted under /t/<tenant_slug>/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
