"""Tenant pages of the reviews app: portal."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
