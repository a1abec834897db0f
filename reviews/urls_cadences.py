"""Tenant pages of the reviews app: cadences."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
