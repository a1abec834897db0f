"""Tenant pages of recognition (mounted under /t/<tenant_slug>/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
