"""Tenant pages of the reviews app: reviews."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
